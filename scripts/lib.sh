# shellcheck shell=bash
# Shared by the scripts under scripts/: where things are cached, how kernels,
# headers and kselftest files are found. Source it; it defines functions only.

XYZ_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
XYZ_CACHE=${XYZ_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xyz}
XYZ_BUILD=${XYZ_BUILD:-$XYZ_TOP/build}

xyz_log() { printf '==> %s\n' "$*" >&2; }
xyz_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Run as root, or through sudo when there is one.
xyz_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# apt-cache knows nothing until the lists were fetched once.
xyz_apt_lists() {
	if ! ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1 ||
	   [ -n "${XYZ_APT_UPDATE:-}" ]; then
		xyz_root apt-get update -qq >&2
	fi
}

# The kernel releases of the matrix, newest of each series, one per line.
xyz_matrix() {
	local re rel
	xyz_apt_lists
	grep -v '^#' "$XYZ_TOP/scripts/kernel-matrix" | while read -r re; do
		[ -n "$re" ] || continue
		rel=$(apt-cache search --names-only "^linux-image-${re}\$" |
		      sed 's/^linux-image-\([^ ]*\) .*/\1/' | sort -V | tail -n 1)
		[ -n "$rel" ] || xyz_die "no linux-image package matches $re"
		echo "$rel"
	done
}

# The kernel image for a release, unpacked from the .deb into the cache
# (apt-get install would spend minutes building an initrd nobody uses).
xyz_kernel_image() {
	local kver=$1 dir=$XYZ_CACHE/kernels/$1
	if [ ! -f "$dir/vmlinuz" ]; then
		xyz_log "fetching linux-image-$kver"
		rm -rf "$dir.tmp" && mkdir -p "$dir.tmp/deb" || return 1
		xyz_apt_lists
		(cd "$dir.tmp/deb" && apt-get download -q "linux-image-$kver" >&2) ||
			xyz_die "cannot download linux-image-$kver"
		dpkg-deb -x "$dir.tmp"/deb/*.deb "$dir.tmp/root" &&
		cp "$dir.tmp/root/boot/vmlinuz-$kver" "$dir.tmp/vmlinuz" &&
		rm -rf "$dir.tmp/deb" "$dir.tmp/root" &&
		rm -rf "$dir" && mv "$dir.tmp" "$dir" || return 1
	fi
	echo "$dir/vmlinuz"
}

# The headers a module for that release builds against, unpacked from
# Debian's linux-headers, -common and linux-kbuild packages into the cache.
# Not apt-get install: 6.12's headers depend on its image, and installing a
# kernel would change what the machine boots next time.
xyz_kernel_headers() {
	local kver=$1 dir=$XYZ_CACHE/headers/$1 pkgs p
	if [ ! -f "$dir/.done" ]; then
		xyz_log "fetching linux-headers-$kver"
		xyz_apt_lists
		pkgs="linux-headers-$kver $(apt-cache depends "linux-headers-$kver" |
			sed -n 's/^ *Depends: \(linux-\(headers\|kbuild\)-[^ ]*\)$/\1/p')"
		rm -rf "$dir.tmp" && mkdir -p "$dir.tmp/deb" || return 1
		# shellcheck disable=SC2086
		(cd "$dir.tmp/deb" && apt-get download -q $pkgs >&2) ||
			xyz_die "cannot download $pkgs"
		for p in "$dir.tmp"/deb/*.deb; do
			dpkg-deb -x "$p" "$dir.tmp/root" || return 1
		done
		rm -rf "$dir.tmp/deb"
		# the one absolute path in there: the arch Makefile's include
		sed -i "s|^include /usr/src/|include $dir/root/usr/src/|" \
			"$dir.tmp/root/usr/src/linux-headers-$kver/Makefile" &&
		touch "$dir.tmp/.done" && rm -rf "$dir" && mv "$dir.tmp" "$dir" ||
			return 1
	fi
	echo "$dir/root/usr/src/linux-headers-$kver"
}

# kselftest's headers and runner, from Debian's linux-source-6.12, cached.
xyz_kselftest_dir() {
	local dir=$XYZ_CACHE/kselftest
	local want="tools/testing/selftests/kselftest_harness.h
tools/testing/selftests/kselftest.h
tools/testing/selftests/lib.mk
tools/testing/selftests/kselftest/runner.sh
tools/testing/selftests/kselftest/module.sh
tools/testing/selftests/kselftest/ktap_helpers.sh
tools/testing/selftests/kselftest/prefix.pl
scripts/checkpatch.pl
scripts/spelling.txt
scripts/const_structs.checkpatch"
	if [ ! -f "$dir/.done" ]; then
		local tmp=$dir.tmp src top
		xyz_log "extracting kselftest and checkpatch from linux-source-6.12"
		rm -rf "$tmp" && mkdir -p "$tmp/deb" || return 1
		xyz_apt_lists
		(cd "$tmp/deb" && apt-get download -q linux-source-6.12 >&2) ||
			xyz_die "cannot download linux-source-6.12"
		dpkg-deb --fsys-tarfile "$tmp"/deb/*.deb |
			tar -x -C "$tmp/deb" --wildcards './usr/src/linux-source-*.tar.xz'
		src=$(ls "$tmp"/deb/usr/src/linux-source-*.tar.xz)
		top=$(basename "$src" .tar.xz)
		# shellcheck disable=SC2086
		tar -xJf "$src" -C "$tmp" $(printf "$top/%s " $want) || return 1
		mv "$tmp/$top" "$tmp/src" && rm -rf "$tmp/deb" &&
		touch "$tmp/.done" && rm -rf "$dir" && mv "$tmp" "$dir" || return 1
	fi
	echo "$dir/src"
}
