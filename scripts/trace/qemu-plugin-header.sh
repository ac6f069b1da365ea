#!/usr/bin/env bash
# Print the directory holding qemu-plugin.h for the QEMU that runs the test
# VM, fetching it first. The header must be the running QEMU's own: the
# plugin API version is compiled in, and QEMU refuses (or worse, misreads)
# a plugin built against another one. So it comes from Debian's qemu source
# package of exactly the installed version, read from the machine's Debian
# release (and its -updates, -backports and -security suites) through a
# private apt configuration under the cache, as lib.sh's xyz_apt reads
# kernels: the mirror is lib.sh's (xyz_debian_uri); the machine's apt
# sources, lists and dpkg status are never used or touched.
#
# XYZ_QEMU_PLUGIN_INC: a directory with the running QEMU's qemu-plugin.h,
# used as is (a machine that is not Debian, a self-built QEMU).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

if [ -n "${XYZ_QEMU_PLUGIN_INC:-}" ]; then
	[ -f "$XYZ_QEMU_PLUGIN_INC/qemu-plugin.h" ] ||
		xyz_die "no qemu-plugin.h in XYZ_QEMU_PLUGIN_INC=$XYZ_QEMU_PLUGIN_INC"
	echo "$XYZ_QEMU_PLUGIN_INC"
	exit 0
fi

ver=$(dpkg-query -W -f='${source:Version}' qemu-system-x86 2>/dev/null) ||
	xyz_die "qemu-system-x86 is not installed"
# (no colon from the epoch in the path: make would read it as a rule)
dir=$XYZ_CACHE/qemu-src/${ver//:/_}
if [ ! -f "$dir/.done" ]; then
	release=$(xyz_host_release)
	[ -n "$release" ] ||
		xyz_die "this machine is not Debian: its QEMU's qemu-plugin.h cannot come from Debian's qemu source package; set XYZ_QEMU_PLUGIN_INC to the directory of the qemu-plugin.h of QEMU $(qemu-system-x86_64 --version | head -n 1)"
	xyz_debian_keyring
	xyz_log "fetching qemu-plugin.h from Debian's qemu $ver source package ($release)"
	# the qemu of a Debian release is in the release itself, its -updates
	# (point-release fixes), -backports or -security suite
	apt=$XYZ_CACHE/qemu-src/apt/$release
	sources=$(printf 'Types: deb-src\nURIs: %s\nSuites: %s %s-updates %s-backports\nComponents: main\nSigned-By: %s\n\nTypes: deb-src\nURIs: %s\nSuites: %s-security\nComponents: main\nSigned-By: %s\n' \
		"$(xyz_debian_uri main)" "$release" "$release" "$release" "$XYZ_DEBIAN_KEYRING" \
		"$(xyz_debian_uri security)" "$release" "$XYZ_DEBIAN_KEYRING")
	mkdir -p "$XYZ_CACHE/qemu-src"
	(
		flock 9
		[ -f "$dir/.done" ] && exit 0
		# fetched once per QEMU version: fresh lists every time, so no
		# list from another mirror or an earlier day is ever read
		rm -rf "$apt" && mkdir -p "$apt"/{sources,prefs,lists/partial,cache/archives/partial}
		printf '%s\n' "$sources" >"$apt/sources/debian.sources"
		mapfile -t opts < <(xyz_apt_opts "$apt")
		apt-get "${opts[@]}" update -qq >&2 ||
			xyz_die "apt-get update of the deb-src lines of $release failed (mirror $(xyz_debian_uri main); set XYZ_DEBIAN_URI and XYZ_DEBIAN_SECURITY_URI for another)"
		rm -rf "$dir.tmp" && mkdir -p "$dir.tmp/dl"
		pkg=$(dpkg-query -W -f='${source:Package}' qemu-system-x86)
		(cd "$dir.tmp/dl" && apt-get "${opts[@]}" source --download-only -q "$pkg=$ver" >&2) ||
			xyz_die "cannot download the $pkg $ver source package from $release (upgrade qemu-system-x86 to the version $release has now, or set XYZ_QEMU_PLUGIN_INC)"
		# only the header is needed: take it out of the upstream tarball
		orig=$(ls "$dir.tmp/dl/${pkg}"_*.orig.tar.*)
		mkdir -p "$dir.tmp/include"
		tar -xf "$orig" -C "$dir.tmp/dl" --wildcards --no-anchored \
			'include/qemu/qemu-plugin.h'
		find "$dir.tmp/dl" -path '*include/qemu/qemu-plugin.h' \
			-exec cp {} "$dir.tmp/include/" \;
		[ -f "$dir.tmp/include/qemu-plugin.h" ] || xyz_die "no qemu-plugin.h in $orig"
		rm -rf "$dir.tmp/dl"
		touch "$dir.tmp/.done" && rm -rf "$dir" && mv "$dir.tmp" "$dir"
	) 9>"$XYZ_CACHE/qemu-src/.lock"
fi
echo "$dir/include"
