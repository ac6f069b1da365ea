#!/usr/bin/env bash
# xyz's Debian packages (debian/): build them from a clean checkout, and test
# them as a user gets them, in a brand-new root of this machine's Debian
# release (the packages are built with its toolchain). See docs/dkms.md.
#
# usage: scripts/pkg/deb.sh build      the source package and the four packages
#                                  from HEAD (git archive, so uncommitted
#                                  changes are left out) in build/deb/src,
#                                  then lintian on them
#        scripts/pkg/deb.sh test [--no-vm]
#              build, then in a fresh root made by mmdebstrap: the matrix
#              kernels' headers with apt, `apt-get install ./xyz-dkms_*.deb
#              ./xyz_*.deb ./libxyz1_*.deb` (DKMS builds for each kernel),
#              `make dkms-install` refused, `apt-get purge` leaves nothing;
#              then each DKMS-built module booted in the test VM with the
#              selftests (--no-vm: not). Prints TAP and ends with
#              "N passed, N failed, N skipped". Logs: build/deb/.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

OUT=$XYZ_BUILD/deb
VERSION=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$XYZ_TOP/dkms.conf")
[ -n "$VERSION" ] || xyz_die "no PACKAGE_VERSION in $XYZ_TOP/dkms.conf"
PKGS=(xyz-dkms libxyz1 libxyz-dev xyz)

# The sources of HEAD in $OUT/src/xyz-VERSION, the packages next to it.
cmd_build() {
	local src=$OUT/src/xyz-$VERSION
	command -v dpkg-buildpackage >/dev/null && command -v dh_dkms >/dev/null &&
		command -v lintian >/dev/null ||
		"$XYZ_TOP/scripts/install-deps.sh" || xyz_die "cannot install the dependencies"
	if [ -n "$(git -C "$XYZ_TOP" status --porcelain --untracked-files=no)" ]; then
		xyz_log "note: uncommitted changes are not packaged, only HEAD"
	fi
	rm -rf "$OUT/src"
	mkdir -p "$src"
	git -C "$XYZ_TOP" archive HEAD | tar -x -C "$src"
	# the source package too: lintian's source checks (debian/control,
	# debian/tests, Standards-Version) read it
	xyz_log "dpkg-buildpackage -us -uc in $src (log: $OUT/build.log)"
	(cd "$src" && dpkg-buildpackage -us -uc) >"$OUT/build.log" 2>&1 ||
		{ tail -n 20 "$OUT/build.log" >&2; xyz_die "dpkg-buildpackage failed"; }
	xyz_log "lintian (log: $OUT/lintian.log)"
	# lintian exits non-zero on errors; the tags are judged below
	lintian --info --pedantic "$OUT/src/xyz_${VERSION}_amd64.changes" \
		>"$OUT/lintian.log" 2>&1 || true
	grep -E '^[EWIP]: ' "$OUT/lintian.log" | sort -u >&2 || true
	local p
	for p in "${PKGS[@]}"; do
		ls "$OUT/src/${p}_${VERSION}"_*.deb >/dev/null ||
			xyz_die "no package $p was built"
	done
	if grep -q '^E: ' "$OUT/lintian.log"; then
		xyz_die "lintian reports errors"
	fi
	xyz_log "built: $(cd "$OUT/src" && echo *.deb)"
}

# --- test ------------------------------------------------------------------

n=0 npass=0 nfail=0 nskip=0 passed=0
log=

# The test root is a tmpfs of its own (about 1.2 GB at its fullest): dpkg's
# many small writes and the final delete cost nothing there, under load.
root=
drop_root() {
	local m
	[ -n "$root" ] && [ -d "$root" ] || return 0
	for m in dev sys proc; do
		mountpoint -q "$root/$m" || continue
		umount -R "$root/$m" 2>/dev/null || umount -lR "$root/$m"
	done
	if mountpoint -q "$root"; then
		umount "$root" 2>/dev/null || umount -l "$root"
	fi
	if mountpoint -q "$root"; then
		echo "error: still mounted: $root" >&2
		return 1
	fi
	rmdir "$root"
	root=
}
in_root() {
	chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		DEBIAN_FRONTEND=noninteractive "$@" </dev/null
}

make_root() {
	# the release and its security updates, from the private apt
	# configuration's mirror (lib.sh), as a new machine of it has them
	local sources
	sources=$(xyz_apt_dir "$release-security")/sources/debian.sources || return 1
	# shellcheck disable=SC2046
	mmdebstrap --variant=apt --include=ca-certificates $(xyz_mmdebstrap_fast) \
		"$release" "$root" "$sources"
	cp -L /etc/resolv.conf "$root/etc/resolv.conf"
	mount -t proc proc "$root/proc"
	mount --rbind /sys "$root/sys" && mount --make-rslave "$root/sys"
	mount --rbind /dev "$root/dev" && mount --make-rslave "$root/dev"
	in_root apt-get update -qq
}

# The headers of the matrix kernels, as a user installs them. 6.12's depend
# on its image, and so on initramfs-tools, whose initrd for a kernel that
# never boots here took minutes: in this throwaway root, update-initramfs is
# diverted to a stub before initramfs-tools is unpacked.
install_headers() {
	local k pkgs=()
	for k in $kernels; do pkgs+=("linux-headers-$k"); done
	in_root dpkg-divert --local --rename --add /usr/sbin/update-initramfs
	printf '#!/bin/sh\n# deb.sh test: no initrd in the test root\nexit 0\n' \
		>"$root/usr/sbin/update-initramfs"
	chmod 755 "$root/usr/sbin/update-initramfs"
	in_root apt-get install -y -q --no-install-recommends "${pkgs[@]}"
	# (build is an absolute link: look from inside the root)
	for k in $kernels; do
		in_root test -e "/lib/modules/$k/build/include" ||
			{ echo "no /lib/modules/$k/build"; return 1; }
	done
}

install_packages() {
	mkdir -p "$root/tmp/debs"
	cp "$OUT/src/"{xyz-dkms,xyz,libxyz1}_"$VERSION"_*.deb "$root/tmp/debs/"
	in_root bash -c 'cd /tmp/debs && apt-get install -y -q --no-install-recommends \
		./xyz-dkms_*.deb ./xyz_*.deb ./libxyz1_*.deb'
}

root_ko() {	# the module DKMS installed in the root for KVER
	local f
	for f in "$root/lib/modules/$1/updates/dkms/xyz.ko"{,.xz,.gz,.zst}; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}

built_for() {	# DKMS built and installed xyz for KVER, with its vermagic
	local ko vm
	in_root dkms status xyz/"$VERSION" -k "$1" 2>/dev/null | tee /dev/stderr |
		grep -q ": installed" || return 1
	ko=$(root_ko "$1") || { echo "no xyz.ko* in /lib/modules/$1/updates/dkms"; return 1; }
	vm=$(in_root modinfo -F vermagic "${ko#"$root"}")
	echo "$ko: vermagic $vm"
	[[ "$vm" == "$1 "* ]]
}

cli_runs() {	# the CLI finds libxyz.so.1 and its version
	in_root ldd /usr/bin/xyz | grep 'libxyz.so.1 => /usr/lib/x86_64-linux-gnu/'
	in_root xyz --version | grep -F "$VERSION"
}

dev_files() {	# what libxyz-dev brings, used as a user does
	cp "$OUT/src/libxyz-dev_${VERSION}"_*.deb "$root/tmp/debs/"
	in_root bash -c 'cd /tmp/debs && apt-get install -y -q --no-install-recommends \
		./libxyz-dev_*.deb pkg-config libc6-dev' >/dev/null
	cp "$XYZ_TOP/userspace/examples/doors.c" "$root/tmp/doors.c"
	in_root bash -c 'cc -Wall -Werror -o /tmp/doors /tmp/doors.c $(pkg-config --cflags --libs xyz)
		ldd /tmp/doors | grep libxyz.so.1
		test -f /usr/include/xyz/linux/xyz.h && test ! -e /usr/include/linux/xyz.h'
	in_root apt-get purge -y -q libxyz-dev >/dev/null
}

refuses_make_dkms_install() {	# and says why
	local out rc=0 k1
	k1=$(head -n 1 <<<"$kernels")
	mkdir -p "$root/tmp/xyz"
	git -C "$XYZ_TOP" archive HEAD | tar -x -C "$root/tmp/xyz"
	out=$(in_root bash -c "cd /tmp/xyz && make dkms-install" 2>&1) || rc=$?
	echo "$out"
	rm -rf "$root/tmp/xyz"
	[ "$rc" != 0 ] && grep -q "belongs to the package xyz-dkms" <<<"$out" &&
		in_root dkms status xyz/"$VERSION" -k "$k1" | grep -q ": installed"
}

purge_leaves_nothing() {
	local found
	in_root apt-get purge -y -q xyz-dkms xyz libxyz1
	found=$( { ls -d "$root"/usr/src/xyz-* "$root"/var/lib/dkms/xyz \
		      "$root"/etc/modprobe.d/xyz.conf "$root"/usr/bin/xyz \
		      "$root"/usr/share/doc/xyz* "$root"/usr/lib/*/libxyz* 2>/dev/null
		   find "$root"/lib/modules/*/updates -name 'xyz.ko*' 2>/dev/null
		   in_root dpkg -l 'xyz*' 'libxyz*' 2>/dev/null | grep '^[a-z][a-z] ' ; } || true)
	if [ -n "$found" ]; then
		echo "left behind:"; echo "$found"
		return 1
	fi
}

# Boot KVER with the module DKMS built in the root; the selftests' verdict.
vm_test() {
	local kver=$1 ko=$2 rc=0 out
	local desc="$kver: selftests in the VM with the module the package's DKMS built"
	echo "### $desc: vm-run.sh --tests --ko $ko" >>"$log"
	xyz_log "booting $kver with $ko (about 1-2 minutes under TCG)"
	# CI's reduced run: the door tests in auto's mode (the full run of the
	# same source on this kernel is the VM step's)
	out=$(XYZ_SERIAL_LOG=$OUT/serial-$kver.log \
		XYZ_MODES_QUICK=${XYZ_CHECK_REDUCED:+1} \
		"$XYZ_TOP/scripts/vm-run.sh" --tests --ko "$ko" "$kver" 2>&1) || rc=$?
	printf '%s\n' "$out" >>"$log"
	xyz_tap_vm "$desc" "$kver" "$rc" "$log" <<<"$out"
}

cmd_test() {
	local vm=1 start k s ko lint release
	[ "${1:-}" = --no-vm ] && vm=
	# mmdebstrap, mount and chroot need root
	[ "$(id -u)" = 0 ] || exec sudo -- env XYZ_CACHE="$XYZ_CACHE" \
		XYZ_CHECK_REDUCED="${XYZ_CHECK_REDUCED:-}" "$0" test "$@"
	start=$(date +%s)
	"$XYZ_TOP/scripts/install-deps.sh" || xyz_die "cannot install the dependencies"
	mkdir -p "$OUT"
	log=$OUT/test.log
	: >"$log"
	# the packages are this release's: the matrix's kernels of it
	release=$(xyz_host_release)
	kernels=$(for k in $(xyz_matrix amd64); do
		s=$(xyz_kernel_suite "$k")
		[ "${s%-security}" != "$release" ] || echo "$k"
	done)
	echo "TAP version 13"
	if [ -z "$release" ] || [ -z "$kernels" ]; then
		xyz_tap skip "the Debian packages" "this machine is not a Debian release of the matrix (${release:-not Debian}): the packages built here would be tested in a root of its release"
		echo "$npass passed, $nfail failed, $nskip skipped"
		return 0
	fi

	xyz_check "dpkg-buildpackage -us -uc from HEAD builds ${PKGS[*]}" cmd_build
	if [ "$passed" = 0 ]; then
		echo "$npass passed, $nfail failed, $nskip skipped"
		return 1
	fi
	lint=$(grep -E '^[EW]: ' "$OUT/lintian.log" | sort -u || true)
	xyz_tap ok "lintian: no errors ($(grep -c '^W: ' <<<"$lint" || true) warnings, named in docs/dkms.md)"
	[ -z "$lint" ] || sed 's/^/# /' <<<"$lint"

	root=$(mktemp -d /var/tmp/xyz-deb.XXXXXX)
	trap drop_root EXIT
	mount -t tmpfs -o size=4g,mode=755 xyz-deb "$root"
	xyz_check "a brand-new $release root (mmdebstrap)" make_root
	if [ "$passed" = 0 ]; then
		echo "$npass passed, $nfail failed, $nskip skipped"
		return 1
	fi
	xyz_check "apt-get install linux-headers-{$(echo $kernels | tr ' ' ,)}" install_headers
	xyz_check "apt-get install ./xyz-dkms_*.deb ./xyz_*.deb ./libxyz1_*.deb" install_packages
	local kos=()
	for k in $kernels; do
		xyz_check "$k: DKMS built and installed xyz on install (vermagic $k)" built_for "$k"
		if [ "$passed" = 1 ] && ko=$(root_ko "$k"); then
			mkdir -p "$OUT/ko/$k"
			case "$ko" in
			*.xz) xz -dc "$ko" >"$OUT/ko/$k/xyz.ko" ;;
			*.gz) gzip -dc "$ko" >"$OUT/ko/$k/xyz.ko" ;;
			*.zst) zstd -qdc "$ko" >"$OUT/ko/$k/xyz.ko" ;;
			*) cp "$ko" "$OUT/ko/$k/xyz.ko" ;;
			esac
			kos+=("$k")
		fi
	done
	xyz_check "xyz runs, linked against libxyz.so.1" cli_runs
	xyz_check "libxyz-dev: <xyz.h> and xyz.pc build the example, the ABI header in /usr/include/xyz" dev_files
	xyz_check "make dkms-install refuses the version xyz-dkms owns, and says why" \
		refuses_make_dkms_install
	xyz_check "apt-get purge leaves no file of xyz (/usr/src, /var/lib/dkms, /lib/modules/*/updates, /etc)" \
		purge_leaves_nothing
	drop_root
	trap - EXIT

	for k in $kernels; do
		if [ -z "$vm" ]; then
			xyz_tap skip "$k: selftests in the VM with the DKMS-built module" "--no-vm"
		elif [ -n "${XYZ_CHECK_REDUCED:-}" ] && [ "$k" != "$(tail -n 1 <<<"$kernels")" ]; then
			xyz_tap skip "$k: selftests in the VM with the DKMS-built module" \
				"XYZ_CHECK_REDUCED: the newest kernel only"
		elif [[ " ${kos[*]} " == *" $k "* ]]; then
			vm_test "$k" "$OUT/ko/$k/xyz.ko"
		else
			xyz_tap skip "$k: selftests in the VM with the DKMS-built module" "not built"
		fi
	done
	echo "# deb test took $(($(date +%s) - start))s"
	echo "$npass passed, $nfail failed, $nskip skipped"
	[ "$nfail" = 0 ]
}

case "${1:-}" in
build) shift; [ $# = 0 ] || xyz_die "usage: $0 build"; mkdir -p "$OUT"; cmd_build ;;
test)  shift; cmd_test "$@" ;;
*)     xyz_die "usage: $0 build | test [--no-vm]" ;;
esac
