# shellcheck shell=bash
# Cached Debian roots used through throwaway overlays: every use starts from
# the root exactly as mmdebstrap made it, and leaves nothing in it. For the
# tests that need a brand-new system of some release (scripts/deb.sh debian,
# scripts/vm-secureboot.sh) without paying for mmdebstrap each time.
# Source it after lib.sh; as root. Functions only.

# xyz_cached_root DIR SUITE PACKAGES [VARIANT]: DIR holds a root of SUITE
# (a suite of scripts/lib.sh's xyz_apt, e.g. trixie-security: trixie and
# its security updates) made by mmdebstrap --variant=VARIANT (apt) with
# PACKAGES (comma-separated), once. update-initramfs is diverted to a stub
# before anything is installed: a kernel image that comes with its headers
# would spend minutes on an initrd that never boots.
xyz_cached_root() {
	local root=$1 suite=$2 pkgs=$3 variant=${4:-apt} dir o v aptopts=()
	[ -f "$root/.done" ] && return 0
	command -v mmdebstrap >/dev/null || xyz_die "no mmdebstrap (scripts/install-deps.sh)"
	dir=$(xyz_apt_dir "$suite") || return 1
	# mmdebstrap's apt reads none of the machine's apt.conf.d: hand on its
	# view of Release file dates (a mirror snapshot may be "expired")
	for o in Acquire::Check-Valid-Until Acquire::Check-Date; do
		v=$(apt-config dump | sed -n "s/^$o \"\(.*\)\";\$/\1/p")
		[ -z "$v" ] || aptopts+=(--aptopt="$o \"$v\"")
	done
	xyz_log "making a ${suite%-security} root (mmdebstrap, cached in $root)"
	mkdir -p "${root%/*}"
	(
		flock 9
		[ -f "$root/.done" ] && exit 0
		rm -rf "$root.tmp"
		# shellcheck disable=SC2016
		# shellcheck disable=SC2046
		mmdebstrap --quiet --variant="$variant" "${aptopts[@]}" $(xyz_mmdebstrap_fast) \
			--essential-hook='chroot "$1" dpkg-divert --local --rename --add /usr/sbin/update-initramfs &&
				printf "#!/bin/sh\n# a test root of xyz: no initrd\nexit 0\n" >"$1/usr/sbin/update-initramfs" &&
				chmod 755 "$1/usr/sbin/update-initramfs"' \
			--include="$pkgs" "${suite%-security}" "$root.tmp" "$dir/sources/debian.sources" >&2 ||
			exit 1
		touch "$root.tmp/.done" && rm -rf "$root" && mv "$root.tmp" "$root"
	) 9>"$root.lock" || xyz_die "cannot make the root $root"
}

# xyz_overlay_run ROOT OUT CMD...: CMD (as root, clean environment) chrooted
# into an overlay of ROOT whose upper half is a tmpfs in a private mount
# namespace, with the directory OUT at /out, /proc, /sys, /dev and the
# machine's resolv.conf. Whatever CMD changes is gone when it exits.
xyz_overlay_run() {
	local root=$1 out=$2 w rc=0
	shift 2
	w=$(mktemp -d /var/tmp/xyz-overlay.XXXXXX)
	# shellcheck disable=SC2016
	unshare --mount --propagation unchanged sh -euc '
		mount --make-rprivate / 2>/dev/null || true
		root=$1 out=$2 w=$3; shift 3
		mount -t tmpfs -o size=8g,mode=755 xyz-overlay "$w"
		mkdir -p "$w/upper" "$w/work" "$w/merged"
		mount -t overlay overlay \
			-o "lowerdir=$root,upperdir=$w/upper,workdir=$w/work" "$w/merged"
		mkdir -p "$w/merged/out"
		mount --bind "$out" "$w/merged/out"
		mount -t proc proc "$w/merged/proc"
		mount --rbind /sys "$w/merged/sys" && mount --make-rslave "$w/merged/sys"
		mount --rbind /dev "$w/merged/dev" && mount --make-rslave "$w/merged/dev"
		rm -f "$w/merged/etc/resolv.conf"
		cp -L /etc/resolv.conf "$w/merged/etc/resolv.conf" 2>/dev/null || true
		exec chroot "$w/merged" /usr/bin/env -i HOME=/root LANG=C.UTF-8 \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			DEBIAN_FRONTEND=noninteractive "$@"
	' xyz_overlay_run "$root" "$out" "$w" "$@" </dev/null || rc=$?
	rmdir "$w" 2>/dev/null || true
	return "$rc"
}
