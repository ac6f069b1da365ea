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

# The machine's own apt, for the machine's own packages (install-deps.sh):
# apt-cache knows nothing until its lists were fetched once.
xyz_apt_lists() {
	if ! ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1 ||
	   [ -n "${XYZ_APT_UPDATE:-}" ]; then
		xyz_root apt-get update -qq >&2
	fi
}

# The machine's Debian release (its codename: bookworm, trixie, ...), or
# nothing on a machine that is not Debian (Ubuntu, a derivative).
xyz_host_release() {
	(
		# shellcheck disable=SC1091
		. "${XYZ_OS_RELEASE:-/etc/os-release}" 2>/dev/null || exit 0
		[ "${ID:-}" = debian ] && echo "${VERSION_CODENAME:-}"
	)
}

# --- where kernels come from ------------------------------------------------
# scripts/kernel-matrix names a Debian suite per kernel line, and every
# suite, whatever the machine runs, is read through a private apt
# configuration under $XYZ_CACHE/apt/<suite>[-<arch>]: its own sources,
# lists, cache and preferences, and no dpkg status, so the machine's apt
# setup and dpkg never see it, and no line depends on the machine's release.
XYZ_DEBIAN_DEFAULT_URI=http://deb.debian.org/debian
XYZ_DEBIAN_DEFAULT_SECURITY_URI=http://deb.debian.org/debian-security
XYZ_DEBIAN_KEYRING=${XYZ_DEBIAN_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}
# A Debian suite name, as apt sources spell it (codenames and aliases).
XYZ_DEBIAN_SUITES='buster|bullseye|bookworm|trixie|forky|duke|sid|oldoldstable|oldstable|stable|testing|unstable|experimental'

# The machine's apt sources, one entry per line: "URI SUITE...", from the
# deb822 files and the one-line format alike (deb entries only).
# XYZ_APT_ETC and XYZ_OS_RELEASE: another machine's, for scripts/checks/test-lib.sh.
XYZ_APT_ETC=${XYZ_APT_ETC:-/etc/apt}
xyz_host_sources() {
	local f
	for f in "$XYZ_APT_ETC"/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk 'BEGIN { RS = ""; FS = "\n" }
			{
				types = ""; uris = ""; suites = ""; on = 1
				for (i = 1; i <= NF; i++) {
					if ($i ~ /^[Tt]ypes:/) types = $i
					if ($i ~ /^(URIs|URIS|[Uu]ris):/) uris = $i
					if ($i ~ /^[Ss]uites:/) suites = $i
					if ($i ~ /^[Ee]nabled: *[Nn]o/) on = 0
				}
				if (!on || types !~ /[ :]deb( |$)/) next
				sub(/^[^:]*: */, "", uris); sub(/^[^:]*: */, "", suites)
				n = split(uris, u, / +/)
				for (j = 1; j <= n; j++) if (u[j] != "") print u[j], suites
			}' "$f"
	done
	for f in "$XYZ_APT_ETC"/sources.list "$XYZ_APT_ETC"/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -n 's/^[[:space:]]*deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\?\([^[:space:]]\+\)[[:space:]]\+\([^[:space:]]\+\).*/\2 \3/p' "$f"
	done
}

# The Debian mirror to read: main (any Debian suite of the machine's apt
# sources, whatever its release) or security (a -security suite), else
# Debian's own; XYZ_DEBIAN_URI and XYZ_DEBIAN_SECURITY_URI override both.
xyz_debian_uri() {
	local want=$1 uri re
	case "$want" in
	security) uri=${XYZ_DEBIAN_SECURITY_URI:-}
		  re="^($XYZ_DEBIAN_SUITES)[-/]security\$" ;;
	*)	  uri=${XYZ_DEBIAN_URI:-}
		  re="^($XYZ_DEBIAN_SUITES)(-updates|-backports|-proposed-updates)?\$" ;;
	esac
	if [ -z "$uri" ]; then
		uri=$(xyz_host_sources | awk -v re="$re" '
			$1 ~ /^(https?|file):/ {
				for (i = 2; i <= NF; i++) if ($i ~ re) { print $1; exit }
			}')
	fi
	if [ -z "$uri" ]; then
		case "$want" in
		security) uri=$XYZ_DEBIAN_DEFAULT_SECURITY_URI ;;
		*) uri=$XYZ_DEBIAN_DEFAULT_URI ;;
		esac
	fi
	echo "${uri%/}"
}

# Debian's archive keyring, which every private configuration trusts.
xyz_debian_keyring() {
	[ -f "$XYZ_DEBIAN_KEYRING" ] && return 0
	xyz_die "no Debian archive keyring at $XYZ_DEBIAN_KEYRING: install the package debian-archive-keyring (Debian, Ubuntu), or set XYZ_DEBIAN_KEYRING to a copy of it"
}

# The apt sources of a suite's private configuration. SUITE-security means
# SUITE and SUITE-security (the compiler is in the one, the kernels in the
# other, and point releases move kernels into SUITE too).
xyz_apt_sources() {
	local suite=$1 base=${1%-security} keyring
	keyring=$XYZ_DEBIAN_KEYRING
	printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: %s\n' \
		"$(xyz_debian_uri main)" "$base" "$keyring"
	if [ "$base" != "$suite" ]; then
		printf '\nTypes: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: %s\n' \
			"$(xyz_debian_uri security)" "$suite" "$keyring"
	fi
}

# The private apt configuration of SUITE[:ARCH] (bookworm-security:arm64 is
# in $XYZ_CACHE/apt/bookworm-security-arm64): prints its directory. Its
# sources are written anew whenever the mirror, the keyring or the suite
# they would name differ from what is there, and then its lists are
# dropped: a cache from a failed or differently configured run is rebuilt,
# never reused. Lists count only once an update completed (lists/.complete),
# and are fetched again when older than a day (XYZ_APT_MAX_AGE minutes):
# Debian moves kernels along with security updates.
xyz_apt_dir() {
	local dir=$XYZ_CACHE/apt/${1/:/-} want
	xyz_debian_keyring || return 1
	mkdir -p "$dir" || return 1
	want=$(xyz_apt_sources "${1%%:*}") || return 1
	(
		flock 9
		if [ "$(cat "$dir/sources/debian.sources" 2>/dev/null)" != "$want" ]; then
			rm -rf "$dir/sources" "$dir/lists" "$dir/cache"
			mkdir -p "$dir"/{sources,prefs,lists/partial,cache/archives/partial} &&
			printf '%s\n' "$want" >"$dir/sources/debian.sources.tmp" &&
			mv "$dir/sources/debian.sources.tmp" "$dir/sources/debian.sources"
		fi
	) 9>"$dir/.lock" || return 1
	echo "$dir"
}

# xyz_apt_opts DIR: apt's options, one per line, for the private
# configuration in DIR (its sources/, prefs/, lists/ and cache/): nothing
# of the machine's apt sources, lists or dpkg status is read.
xyz_apt_opts() {
	printf '%s\n' -o Dir::Etc::sourcelist=/dev/null \
		-o Dir::Etc::sourceparts="$1/sources" \
		-o Dir::Etc::preferences=/dev/null \
		-o Dir::Etc::preferencesparts="$1/prefs" \
		-o Dir::State::Lists="$1/lists" \
		-o Dir::Cache="$1/cache" \
		-o Dir::State::status=/dev/null \
		-o APT::Sandbox::User=root	# _apt cannot write our cache dir
}

# xyz_apt SUITE[:ARCH] apt-get|apt-cache ARGS...: apt for that suite, through
# its private configuration; lists fetched when missing, incomplete, a day
# old, or when XYZ_APT_UPDATE is set. With :ARCH, apt sees that architecture
# only (APT::Architecture): never `dpkg --add-architecture` on the machine.
xyz_apt() {
	local suite=$1 cmd=$2 dir arch=() age=${XYZ_APT_MAX_AGE:-1440}
	shift 2
	case "$suite" in
	*:*) arch=(-o APT::Architecture="${suite#*:}" -o APT::Architectures="${suite#*:}") ;;
	esac
	dir=$(xyz_apt_dir "$suite") || return 1
	local opts
	mapfile -t opts < <(xyz_apt_opts "$dir")
	opts+=("${arch[@]}")
	if [ -n "${XYZ_APT_UPDATE:-}" ] ||
	   [ -z "$(find "$dir/lists/.complete" -mmin -"$age" 2>/dev/null)" ]; then
		(
			flock 9
			[ -z "${XYZ_APT_UPDATE:-}" ] &&
				[ -n "$(find "$dir/lists/.complete" -mmin -"$age" 2>/dev/null)" ] &&
				exit 0
			xyz_log "fetching the package lists of $suite from $(xyz_debian_uri main) (private apt configuration in $dir)"
			rm -f "$dir/lists/.complete"
			apt-get "${opts[@]}" update -qq >&2 &&
				ls "$dir"/lists/*_Packages* >/dev/null 2>&1 &&
				touch "$dir/lists/.complete"
		) 9>"$dir/.lock" || xyz_die "apt-get update for $suite failed (mirror $(xyz_debian_uri main); set XYZ_DEBIAN_URI and XYZ_DEBIAN_SECURITY_URI for another)"
	fi
	"$cmd" "${opts[@]}" "$@"
}

# xyz_locked PATH CMD...: CMD under an exclusive lock on PATH.lock, so that
# runs at once (VMs in parallel, CI's two roots on one cache) fetch a thing
# once; CMD checks again whether it is still to be done.
xyz_locked() {
	local path=$1
	shift
	mkdir -p "${path%/*}" || return 1
	( flock 9 && "$@" ) 9>"$path.lock"
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
# DKMS and the Debian packages, the benchmarks).
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
	xyz_die "${kver:-(no kernel)} matches no line of scripts/kernel-matrix"
}

# The architecture of a kernel release of the matrix: amd64 or arm64.
xyz_kernel_arch() {
	local line
	line=$(xyz_kernel_line "$1") || return 1
	echo "${line%% *}"
}

# Where apt finds a kernel release: its suite, with ":ARCH" for another
# architecture than amd64 (trixie-security:arm64), as xyz_apt takes it.
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
	local dir=$XYZ_CACHE/kernels/$1
	[ -f "$dir/vmlinuz" ] || xyz_locked "$dir" xyz_fetch_image "$1" || return 1
	echo "$dir/vmlinuz"
}
xyz_fetch_image() {
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
}

# Debian's linux-headers, -common and linux-kbuild packages of a release,
# unpacked into the cache (not apt-get install: the headers depend on their
# image, and installing a kernel would change what the machine boots next
# time). Prints the headers' directory.
xyz_kernel_headers_unpacked() {
	local dir=$XYZ_CACHE/headers/$1
	[ -f "$dir/.done" ] || xyz_locked "$dir" xyz_fetch_headers "$1" || return 1
	echo "$dir/root/usr/src/linux-headers-$1"
}
xyz_fetch_headers() {
	local kver=$1 dir=$XYZ_CACHE/headers/$1 suite pkgs p
	if [ ! -f "$dir/.done" ]; then
		suite=$(xyz_kernel_suite "$kver") || return 1
		xyz_log "fetching linux-headers-$kver ($suite)"
		pkgs="linux-headers-$kver $(xyz_apt "$suite" apt-cache depends "linux-headers-$kver" |
			sed -n 's/^ *Depends: \(linux-\(headers\|kbuild\)-[^ ]*\)$/\1/p')"
		rm -rf "$dir.tmp" && mkdir -p "$dir.tmp/deb" || return 1
		# shellcheck disable=SC2086
		(cd "$dir.tmp/deb" && xyz_apt "$suite" apt-get download -q $pkgs >&2) ||
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
}

# The compiler a kernel was built with, as its config names it, e.g.
# "x86_64-linux-gnu-gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0".
xyz_kernel_cc() {
	local kdir
	kdir=$(xyz_kernel_headers_unpacked "$1") || return 1
	sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"$/\1/p' "$kdir/.config"
}

# Does this machine have the very compiler the kernel was built with (same
# program, same Debian revision)? Then its modules build here, against the
# unpacked headers; else in a root of the kernel's own release
# (xyz_build_root), which brings exactly that compiler.
xyz_host_builds() {
	local text cc
	[ "$(xyz_kernel_arch "$1")" = amd64 ] && [ "$(uname -m)" = x86_64 ] ||
		return 1
	text=$(xyz_kernel_cc "$1") || return 1
	cc=${text%% *}
	command -v "$cc" >/dev/null 2>&1 &&
		[ "$("$cc" --version 2>/dev/null | head -n 1)" = "$text" ]
}

# The kernel a single-kernel step boots by default (the demo, the mutants,
# the trace mutants): the newest x86-64 kernel of the matrix that this
# machine's compiler builds, else the newest of a released Debian (not sid).
xyz_default_kernel() {
	local k kernels own=
	kernels=$(xyz_matrix amd64) || return 1
	for k in $kernels; do
		! xyz_host_builds "$k" || own=$k
	done
	if [ -z "$own" ]; then
		own=$(for k in $kernels; do
			case "$(xyz_kernel_suite "$k")" in
			sid|unstable|experimental) ;;
			*) echo "$k" ;;
			esac
		done | sort -V | tail -n 1)
	fi
	[ -n "$own" ] || xyz_die "no kernel to boot in scripts/kernel-matrix"
	echo "$own"
}

# The headers a module for that release builds against: the unpacked ones
# when this machine has the kernel's compiler (xyz_host_builds), else the
# ones installed in a minimal root of the kernel's release (mmdebstrap,
# cached in $XYZ_CACHE/roots/<release>), so apt brings exactly the compiler
# and kbuild they depend on (bullseye's gcc-10, bookworm's gcc-12, trixie's
# gcc-14, sid's gcc-16 and newer libc), plus make, and sparse for lint.
# Modules for these kernels are built in there: xyz_kmake.
xyz_kernel_headers() {
	local kver=$1 kdir
	kdir=$(xyz_kernel_headers_unpacked "$kver") || return 1
	if xyz_host_builds "$kver"; then
		echo "$kdir"
		return
	fi
	xyz_build_root "$kver" "$(xyz_kernel_suite "$kver")" || return 1
	echo "$XYZ_CACHE/roots/$kver/usr/src/linux-headers-$kver"
}

# mmdebstrap's own hook that runs dpkg under eatmydata while a root is made
# (no fsync for thousands of files: half the time, measured), where the
# installed mmdebstrap has it. Nothing of it stays in the root.
xyz_mmdebstrap_fast() {
	local d=/usr/share/mmdebstrap/hooks/eatmydata
	[ ! -d "$d" ] || echo "--hook-dir=$d"
}

# The build root of a kernel, made once (about a minute).
#
# arm64 (SUITE trixie-security:arm64): an *amd64* root of that release that
# also knows arm64 (mmdebstrap --architectures=amd64,arm64), with the cross
# compiler gcc-aarch64-linux-gnu: never on the machine itself, where it and
# gcc-multilib (the x86 suite's -m32) remove each other. Kbuild's host tools
# (fixdep, modpost, ...) come from linux-kbuild-*, which is Multi-Arch:
# foreign, so the amd64 package satisfies the arm64 headers and its binaries
# run here. The arm64 linux-headers package itself is unpacked, not
# installed: it depends on the arm64 image and on the native gcc:arm64,
# neither of any use on an amd64 machine. The root also holds what the
# arm64 userspace needs to build static (libc6-dev-arm64-cross, with the
# compiler; liburing-dev:arm64) and the arm64 busybox for the VM.
xyz_build_root() {
	local kver=$1 suite=$2 root=$XYZ_CACHE/roots/$1 dir arch='' archopts=()
	local inc="linux-headers-$kver,make,sparse" deps p hdeb='' base=${2%%:*}
	base=${base%-security}
	[ -f "$root/.done" ] && return 0
	if ! command -v mmdebstrap >/dev/null; then
		xyz_log "installing mmdebstrap (for the build roots of other releases)"
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
		# shellcheck disable=SC2046
		xyz_root mmdebstrap --quiet --variant=essential "${aptopts[@]}" \
			$(xyz_mmdebstrap_fast) \
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

# kselftest's headers and runner, from Debian's linux-source-6.12, cached;
# from Debian 13 (its stable release when this was written: any suite that
# has linux-source-6.12 will do).
XYZ_SOURCE_SUITE=${XYZ_SOURCE_SUITE:-trixie-security}
xyz_kselftest_dir() {
	local dir=$XYZ_CACHE/kselftest
	[ -f "$dir/.done" ] || xyz_locked "$dir" xyz_fetch_kselftest || return 1
	echo "$dir/src"
}
xyz_fetch_kselftest() {
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
		xyz_log "extracting kselftest and checkpatch from linux-source-6.12 ($XYZ_SOURCE_SUITE)"
		rm -rf "$tmp" && mkdir -p "$tmp/deb" || return 1
		(cd "$tmp/deb" && xyz_apt "$XYZ_SOURCE_SUITE" apt-get download -q linux-source-6.12 >&2) ||
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
}

# TAP for the test halves of scripts/pkg/dkms.sh and scripts/pkg/deb.sh: the caller
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

# xyz_tap_vm DESCRIPTION KVER RC LOG: the TAP line of a `vm-run.sh --tests`
# run on KVER whose output is on stdin and whose exit status was RC: ok, with
# its counts, when it printed its result line, failed nothing and exited 0.
xyz_tap_vm() {
	local desc=$1 kver=$2 rc=$3 log=$4 line p f s
	line=$(grep -F "[$kver] " |
		grep -E '\] [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped' | tail -n 1 || true)
	if [ -z "$line" ]; then
		xyz_tap fail "$desc" "vm-run.sh printed no result line (exit status $rc; log $log)"
		return
	fi
	read -r p f s < <(sed -E 's/.*\] ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped.*/\1 \2 \3/' <<<"$line")
	if [ "$f" = 0 ] && [ "$rc" = 0 ]; then
		xyz_tap ok "$desc ($p passed, $s skipped)"
	else
		xyz_tap fail "$desc" "$line (exit status $rc)"
	fi
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
