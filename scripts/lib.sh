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
	if ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1 ||
	   [ -n "${XYZ_APT_UPDATE:-}" ]; then
		xyz_root apt-get update -qq >&2
	fi
}

# --- where kernels come from ------------------------------------------------
# scripts/kernel-matrix names a Debian suite per kernel line. The machine's
# own suite (bookworm, with its security updates) is read through the
# machine's apt; any other suite through a private apt configuration under
# $XYZ_CACHE/apt/<suite>: its own sources, lists, cache and preferences, and
# no dpkg status, so the machine's apt setup and dpkg never see it.
XYZ_HOST_SUITE=bookworm

# The machine's Debian mirror: main (the bookworm entry) or security.
xyz_debian_uri() {
	local want=$1 f uri
	case "$want" in
	security) uri=${XYZ_DEBIAN_SECURITY_URI:-} ;;
	*) uri=${XYZ_DEBIAN_URI:-} ;;
	esac
	if [ -z "$uri" ]; then
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] || continue
			uri=$(awk -v want="$want" -v host="$XYZ_HOST_SUITE" '
				BEGIN { RS = ""; FS = "\n" }
				{
					uris = ""; suites = ""
					for (i = 1; i <= NF; i++) {
						if ($i ~ /^URIs:/) uris = $i
						if ($i ~ /^Suites:/) suites = $i
					}
					sub(/^URIs: */, "", uris); sub(/ .*/, "", uris)
					sec = suites ~ (" " host "-security( |$)")
					main = suites ~ (" " host "( |$)")
					if ((want == "security" && sec) ||
					    (want != "security" && main)) {
						print uris; exit
					}
				}' "$f")
			[ -z "$uri" ] || break
		done
	fi
	if [ -z "$uri" ]; then
		uri=$(sed -n "s|^deb \(\[[^]]*\] \)\?\([^ ]*\) $XYZ_HOST_SUITE$( [ "$want" = security ] && echo -security) .*|\2|p" \
			/etc/apt/sources.list 2>/dev/null | head -n 1)
	fi
	[ -n "$uri" ] || xyz_die "no Debian $want mirror in the machine's apt sources" \
		"(set XYZ_DEBIAN_URI / XYZ_DEBIAN_SECURITY_URI)"
	echo "$uri"
}

# The private apt configuration of a suite, made once: prints its directory.
# SUITE-security gets SUITE and SUITE-security (the compiler is in the one,
# the kernels in the other). SUITE:ARCH is that suite for another
# architecture (bookworm:arm64, in $XYZ_CACHE/apt/bookworm-arm64): the
# machine's own suite then gets its security updates too, as the machine's
# apt has them.
xyz_apt_dir() {
	local suite=${1%%:*} dir=$XYZ_CACHE/apt/${1/:/-} base sec=
	base=${suite%-security}
	if [ "$base" != "$suite" ] ||
	   { [ "$1" != "$suite" ] && [ "$suite" = "$XYZ_HOST_SUITE" ]; }; then
		sec=$base-security
	fi
	if [ ! -f "$dir/sources/debian.sources" ]; then
		mkdir -p "$dir"/{sources,prefs,lists/partial,cache/archives/partial}
		{
			printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
				"$(xyz_debian_uri main)" "$base"
			if [ -n "$sec" ]; then
				printf '\nTypes: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
					"$(xyz_debian_uri security)" "$sec"
			fi
		} >"$dir/sources/debian.sources.tmp"
		mv "$dir/sources/debian.sources.tmp" "$dir/sources/debian.sources"
	fi
	echo "$dir"
}

# xyz_apt SUITE[:ARCH] apt-get|apt-cache ARGS...: apt for that suite, lists
# fetched when missing (or when XYZ_APT_UPDATE is set). With :ARCH, apt sees
# that architecture only (APT::Architecture), through its own configuration:
# never `dpkg --add-architecture` on the machine.
xyz_apt() {
	local suite=$1 cmd=$2 dir arch=()
	shift 2
	case "$suite" in
	*:*) arch=(-o APT::Architecture="${suite#*:}" -o APT::Architectures="${suite#*:}") ;;
	esac
	if [ "$suite" = "$XYZ_HOST_SUITE" ]; then
		xyz_apt_lists
		"$cmd" "$@"
		return
	fi
	dir=$(xyz_apt_dir "$suite") || return 1
	local opts=(-o Dir::Etc::sourcelist=/dev/null
		    -o Dir::Etc::sourceparts="$dir/sources"
		    -o Dir::Etc::preferences=/dev/null
		    -o Dir::Etc::preferencesparts="$dir/prefs"
		    -o Dir::State::Lists="$dir/lists"
		    -o Dir::Cache="$dir/cache"
		    -o Dir::State::status=/dev/null
		    -o APT::Sandbox::User=root "${arch[@]}")
	if ! ls "$dir"/lists/*_Packages* >/dev/null 2>&1 ||
	   [ -n "${XYZ_APT_UPDATE:-}" ]; then
		xyz_log "fetching the package lists of $suite (private apt configuration in $dir)"
		flock "$dir/.lock" apt-get "${opts[@]}" update -qq >&2 ||
			xyz_die "apt-get update for $suite failed"
	fi
	"$cmd" "${opts[@]}" "$@"
}

# The matrix lines: "ARCH SUITE PATTERN", comments and blank lines dropped;
# with an argument, that architecture's lines only.
xyz_matrix_lines() {
	sed -e 's/#.*//' "$XYZ_TOP/scripts/kernel-matrix" |
		awk -v arch="${1:-}" 'NF == 3 && (arch == "" || $1 == arch)'
}

# The kernel releases of the matrix, newest of each line, one per line, in
# the matrix's order (oldest series first, amd64 before arm64).
# `xyz_matrix amd64`: the x86-64 kernels only, oldest first (`tail -n 1` is
# the newest), for the steps that only x86 has (the trace plugin, int $0x80,
# DKMS and the Debian packages on this machine, the benchmarks).
xyz_matrix() {
	local arch suite re rel
	xyz_matrix_lines "${1:-}" | while read -r arch suite re; do
		[ "$arch" = amd64 ] || suite=$suite:$arch
		rel=$(xyz_apt "$suite" apt-cache search --names-only "^linux-image-${re}\$" |
		      sed 's/^linux-image-\([^ ]*\) .*/\1/' | sort -V | tail -n 1)
		[ -n "$rel" ] || xyz_die "no linux-image package in $suite matches $re"
		echo "$rel"
	done
}

# The matrix line of a kernel release: "ARCH SUITE PATTERN".
xyz_kernel_line() {
	local kver=$1 arch suite re
	while read -r arch suite re; do
		if [[ $kver =~ ^${re}$ ]]; then
			echo "$arch $suite"
			return 0
		fi
	done < <(xyz_matrix_lines)
	xyz_die "$kver matches no line of scripts/kernel-matrix"
}

# The architecture of a kernel release of the matrix: amd64 or arm64.
xyz_kernel_arch() {
	local line
	line=$(xyz_kernel_line "$1") || return 1
	echo "${line%% *}"
}

# Where apt finds a kernel release: its suite, with ":ARCH" for another
# architecture than amd64 (bookworm:arm64), as xyz_apt takes it. So only
# an amd64 kernel of Debian 12 reads "bookworm" ($XYZ_HOST_SUITE): the
# kernels this machine's apt, compiler and dkms serve.
xyz_kernel_suite() {
	local line arch
	line=$(xyz_kernel_line "$1") || return 1
	arch=${line%% *}
	if [ "$arch" = amd64 ]; then echo "${line#* }"; else echo "${line#* }:$arch"; fi
}

# The kernel image for a release, unpacked from the .deb into the cache
# (apt-get install would spend minutes building an initrd nobody uses).
# Newer Debian kernels ship the image in linux-binary-<release>, at
# /usr/lib/modules/<release>/vmlinuz (linux-image-* only depends on it).
xyz_kernel_image() {
	local kver=$1 dir=$XYZ_CACHE/kernels/$1 suite pkg f
	if [ ! -f "$dir/vmlinuz" ]; then
		suite=$(xyz_kernel_suite "$kver") || return 1
		pkg=linux-image-$kver
		if xyz_apt "$suite" apt-cache show "linux-binary-$kver" >/dev/null 2>&1; then
			pkg=linux-binary-$kver
		fi
		xyz_log "fetching $pkg ($suite)"
		rm -rf "$dir.tmp" && mkdir -p "$dir.tmp/deb" || return 1
		(cd "$dir.tmp/deb" && xyz_apt "$suite" apt-get download -q "$pkg" >&2) ||
			xyz_die "cannot download $pkg"
		dpkg-deb -x "$dir.tmp"/deb/*.deb "$dir.tmp/root" || return 1
		for f in "$dir.tmp/root/boot/vmlinuz-$kver" \
			 "$dir.tmp/root/usr/lib/modules/$kver/vmlinuz"; do
			[ -f "$f" ] && cp "$f" "$dir.tmp/vmlinuz" && break
		done
		[ -f "$dir.tmp/vmlinuz" ] || xyz_die "no vmlinuz in $pkg"
		rm -rf "$dir.tmp/deb" "$dir.tmp/root" &&
		rm -rf "$dir" && mv "$dir.tmp" "$dir" || return 1
	fi
	echo "$dir/vmlinuz"
}

# The headers a module for that release builds against.
#
# The machine's own suite: Debian's linux-headers, -common and linux-kbuild
# packages unpacked into the cache (not apt-get install: 6.12's headers
# depend on its image, and installing a kernel would change what the machine
# boots next time); the machine's gcc is the one they were built with.
#
# Any other suite: a minimal root of that release (mmdebstrap, cached in
# $XYZ_CACHE/roots/<release>) with the headers package installed, so apt
# brings exactly the compiler and kbuild they depend on (sid's need gcc-16
# and a newer libc; bullseye's gcc-10), plus make, and sparse for lint.
# Modules for these kernels are built in there: xyz_kmake.
xyz_kernel_headers() {
	local kver=$1 dir=$XYZ_CACHE/headers/$1 pkgs p suite
	suite=$(xyz_kernel_suite "$kver") || return 1
	if [ "$suite" != "$XYZ_HOST_SUITE" ]; then
		xyz_build_root "$kver" "$suite" || return 1
		echo "$XYZ_CACHE/roots/$kver/usr/src/linux-headers-$kver"
		return
	fi
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

# The build root of a kernel from another suite, made once (about a minute).
#
# arm64 (SUITE bookworm:arm64): a bookworm *amd64* root that also knows
# arm64 (mmdebstrap --architectures=amd64,arm64), with the cross compiler
# gcc-aarch64-linux-gnu: never on the machine itself, where it and
# gcc-multilib (the x86 suite's -m32) remove each other. Kbuild's host tools
# (fixdep, modpost, ...) come from linux-kbuild-*, which is Multi-Arch:
# foreign, so the amd64 package satisfies the arm64 headers and its binaries
# run here. The arm64 linux-headers package itself is unpacked, not
# installed: it depends on the arm64 image and on the native gcc-12:arm64,
# neither of any use on an amd64 machine. The root also holds what the
# arm64 userspace needs to build static (libc6-dev-arm64-cross, with the
# compiler; liburing-dev:arm64) and the arm64 busybox for the VM.
xyz_build_root() {
	local kver=$1 suite=$2 root=$XYZ_CACHE/roots/$1 dir arch='' archopts=()
	local inc="linux-headers-$kver,make,sparse" deps p hdeb='' base=${2%%:*}
	base=${base%-security}
	[ -f "$root/.done" ] && return 0
	if ! command -v mmdebstrap >/dev/null; then
		xyz_log "installing mmdebstrap (for the build roots of other suites)"
		xyz_apt_lists
		xyz_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends mmdebstrap >&2 ||
			xyz_die "cannot install mmdebstrap"
	fi
	dir=$(xyz_apt_dir "$suite") || return 1
	case "$suite" in
	*:*)
		arch=${suite#*:}
		archopts=(--architectures="amd64,$arch")
		# the headers' own dependencies but the image and the compiler
		deps=$(xyz_apt "$suite" apt-cache depends "linux-headers-$kver" |
			sed -n 's/^ *Depends: \(linux-\(headers\|kbuild\)-[^ ]*\)$/\1/p') ||
			return 1
		[ -n "$deps" ] || xyz_die "no linux-kbuild for linux-headers-$kver"
		inc="make,sparse,gcc-$(xyz_gnu_triplet "$arch"),$(tr -s ' \n' ',,' <<<"$deps" | sed 's/,$//')"
		inc="$inc,liburing-dev:$arch,busybox-static:$arch"
		;;
	esac
	# mmdebstrap's apt reads none of the machine's apt.conf.d: hand on its
	# view of Release file dates (a mirror snapshot may be "expired")
	local o v aptopts=()
	for o in Acquire::Check-Valid-Until Acquire::Check-Date; do
		v=$(apt-config dump | sed -n "s/^$o \"\(.*\)\";\$/\1/p")
		[ -z "$v" ] || aptopts+=(--aptopt="$o \"$v\"")
	done
	xyz_log "making the $suite build root for $kver (mmdebstrap, cached in $root)"
	(
		flock 9
		[ -f "$root/.done" ] && exit 0
		xyz_root rm -rf "$root.tmp" && xyz_root mkdir -p "${root%/*}"
		if [ -n "$arch" ]; then
			hdeb=$(mktemp -d) &&
			(cd "$hdeb" && xyz_apt "$suite" apt-get download -q "linux-headers-$kver" >&2) ||
				exit 1
		fi
		xyz_root mmdebstrap --quiet --variant=essential "${aptopts[@]}" \
			"${archopts[@]}" --include="$inc" \
			"$base" "$root.tmp" "$dir/sources/debian.sources" >&2 || exit 1
		# only its /usr/src: the rest (/lib/modules/<release>/build) would
		# replace the root's merged-/usr /lib link with a directory
		if [ -n "$hdeb" ]; then
			for p in "$hdeb"/*.deb; do dpkg-deb -x "$p" "$hdeb/x" || exit 1; done
			xyz_root cp -a "$hdeb/x/usr/src/." "$root.tmp/usr/src/" || exit 1
			rm -rf "$hdeb"
		fi
		xyz_root touch "$root.tmp/.done" &&
		xyz_root rm -rf "$root" && xyz_root mv "$root.tmp" "$root"
	) 9>"$XYZ_CACHE/roots.lock" || xyz_die "cannot make the build root for $kver"
}

# The GNU triplet of a Debian architecture (the cross compiler's prefix).
xyz_gnu_triplet() {
	case "$1" in
	amd64) echo x86_64-linux-gnu ;;
	arm64) echo aarch64-linux-gnu ;;
	*) xyz_die "no triplet known for $1" ;;
	esac
}

# xyz_kmake KDIR MAKE_ARGS...: make -C KDIR MAKE_ARGS with the toolchain the
# kernel was built with: the machine's own, or, when KDIR is in a build root,
# chrooted into it, in a private mount namespace where the source tree, the
# build tree and /tmp appear at the same paths as outside (nothing to clean
# up: the mounts end with the namespace).
xyz_kmake() {
	local kdir=$1 root
	shift
	case "$kdir" in
	"$XYZ_CACHE"/roots/*/usr/src/*) ;;
	*) make -C "$kdir" "$@"; return ;;
	esac
	root=${kdir%%/usr/src/*}
	# an arm64 kernel's headers: its root's cross compiler (xyz_build_root);
	# kbuild's host tools there are amd64 binaries
	if grep -q '^CONFIG_ARM64=y' "$kdir/.config" 2>/dev/null; then
		set -- ARCH=arm64 CROSS_COMPILE="$(xyz_gnu_triplet arm64)-" "$@"
	fi
	xyz_in_root "$root" make -C "${kdir#"$root"}" "$@"
}

# xyz_in_root ROOT CMD...: CMD chrooted into a build root, in a private mount
# namespace where the source tree, the build tree, /tmp and the kselftest
# files appear at their own paths (nothing to clean up: the mounts end with
# the namespace).
xyz_in_root() {
	local root=$1 ksft=$XYZ_CACHE/kselftest
	shift
	[ -d "$ksft" ] || ksft=
	# shellcheck disable=SC2016
	# unshare's own "--propagation private" fails inside a chroot (CI's),
	# where / is no mount point: make the mounts private from inside, and
	# where that cannot be done, the chroot's mounts are what they are
	# (private on these machines: nothing reaches the outer namespace).
	xyz_root unshare --mount --propagation unchanged sh -euc '
		mount --make-rprivate / 2>/dev/null || true
		root=$1 top=$2 build=$3 ksft=$4; shift 4
		for d in "$top" "$build" /tmp $ksft; do
			mkdir -p "$root$d"
			mount --bind "$d" "$root$d"
		done
		mount -t proc proc "$root/proc"
		mount --rbind /dev "$root/dev"
		exec chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 "$@"
	' xyz_in_root "$root" "$XYZ_TOP" "$XYZ_BUILD" "$ksft" "$@"
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

# TAP for the test halves of scripts/dkms.sh and scripts/deb.sh: the caller
# sets n=0 npass=0 nfail=0 nskip=0 and log (the file command output goes to).
# xyz_tap ok|fail|skip DESCRIPTION [REASON]: one TAP line, counted.
xyz_tap() {
	n=$((n + 1))
	case "$1" in
	ok)   npass=$((npass + 1)); echo "ok $n $2" ;;
	skip) nskip=$((nskip + 1)); echo "ok $n $2 # SKIP ${3:-}" ;;
	*)    nfail=$((nfail + 1)); echo "not ok $n $2"
	      [ -z "${3:-}" ] || echo "$3" | sed 's/^/# /' ;;
	esac
}

# xyz_check DESCRIPTION COMMAND...: ok when COMMAND succeeds; its output and
# how long it took go to $log, its last lines into the TAP when it fails.
# Sets passed=1 or 0.
xyz_check() {
	local desc=$1 out t0=$SECONDS
	shift
	echo "### $desc: $*" >>"$log"
	if out=$("$@" 2>&1); then
		printf '%s\n' "$out" >>"$log"
		echo "### took $((SECONDS - t0))s" >>"$log"
		xyz_tap ok "$desc"
		passed=1
	else
		printf '%s\n' "$out" >>"$log"
		echo "### failed after $((SECONDS - t0))s" >>"$log"
		xyz_tap fail "$desc" "$(printf '%s\n' "$out" | tail -n 5)"
		passed=0
	fi
}
