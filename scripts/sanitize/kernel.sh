#!/usr/bin/env bash
# The debug kernels of `make sanitize`, built once and cached: Debian 13's
# own 6.12 source (linux-source-6.12 at the version of the matrix's
# 6.12.*+deb13-amd64 kernel, or of its 6.12.*+deb13-arm64 one), allnoconfig
# plus the config fragments of scripts/sanitize/, compiled by Debian 13's
# gcc-14 (as Debian compiles its kernel, so that a module builds and
# behaves as on the production kernel) in a Debian 13 root of its own:
#   NAME        (x86-64) base.config + NAME.config, by x86_64-linux-gnu-gcc-14
#   NAME-arm64  (arm64)  base-arm64.config + NAME.config + NAME-arm64.config,
#               by Debian 13's cross aarch64-linux-gnu-gcc-14, as Debian
#               builds its arm64 kernel
#
# usage: scripts/sanitize/kernel.sh [--cached] [NAME...]   (default: kasan kcsan;
#        kasan-arm64 is built only when asked for)
#
# Builds what is missing, then prints one line per kernel on stdout, and
# nothing else (progress goes to stderr):
#   vmlinuz=<bzImage or arm64's Image> kdir=<build tree>
# --cached builds nothing: the lines of the kernels already built, and exit
# status 2 when one is not.
# A module builds against the build tree with `make -C <kdir> M=<dir>
# modules`: with the machine's gcc-14 (x86-64) or aarch64-linux-gnu-gcc-14
# (arm64) on Debian 13, elsewhere (as root or with sudo) in the tree's own
# Debian 13 root, which the tree's Makefile enters by itself
# (<kdir>/xyz-make; scripts/sanitize/kmake.sh does the same). The tree says
# its ARCH and CROSS_COMPILE itself (.kernelvariables, as Debian's headers).
#
# Cache ($XYZ_CACHE/sanitize): src/linux-source-<version>/ (the source,
# read-only), root/ (the x86-64 kernels' build root), root-arm64/ (the
# arm64 kernels': an amd64 root that knows arm64, with the cross compiler
# and the arm64 user space vm-run.sh needs; made again when its package
# list changes), <name>-<hash>/ (a kernel's build tree, its .done when
# complete), where the hash covers the source's version, the compiler's
# version and the options the fragments set: a change to any of them
# builds a new tree, nothing else does (a comment, a script).
# XYZ_SANITIZE_JOBS (2) make jobs, run at nice 19.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

here=$XYZ_TOP/scripts/sanitize
cache=$XYZ_CACHE/sanitize
jobs=${XYZ_SANITIZE_JOBS:-2}
cached=
[ "${1:-}" != --cached ] || { cached=1; shift; }
[ $# -gt 0 ] || set -- kasan kcsan

# setup NAME: what kernel NAME is made of, in globals: arch, the fragments
# in the order they apply (frags), the build root (root), its packages
# (pkgs), the compiler (gcc), the kernel image (image). NAME-arm64 is
# NAME's detectors on arm64.
setup() {
	local name=$1 f
	case "$name" in
	*-arm64)
		arch=arm64 image=arch/arm64/boot/Image root=$cache/root-arm64
		frags=("$here/base-arm64.config" "$here/${name%-arm64}.config" "$here/$name.config")
		# an amd64 root that knows arm64 (as lib.sh's xyz_build_root):
		# the cross gcc-14 and kbuild's host tools for the kernel; for
		# vm-run.sh --kdir, the arm64 user space (static selftests and
		# tools, busybox, trinity)
		pkgs='gcc-14,gcc,libc6-dev,make,flex,bison,bc,libelf-dev,libssl-dev,cpio,kmod,xz-utils,perl'
		pkgs=$pkgs,gcc-14-aarch64-linux-gnu,gcc-aarch64-linux-gnu,binutils-aarch64-linux-gnu
		pkgs=$pkgs,libc6-dev-arm64-cross,liburing-dev:arm64,busybox-static:arm64,trinity:arm64
		;;
	*)
		arch=amd64 image=arch/x86/boot/bzImage root=$cache/root
		frags=("$here/base.config" "$here/$name.config")
		pkgs='gcc-14,gcc,libc6-dev,make,flex,bison,bc,libelf-dev,libssl-dev,dwarves,cpio,kmod,xz-utils,perl'
		;;
	esac
	gcc=$(xyz_gnu_triplet "$arch")-gcc-14
	for f in "${frags[@]}"; do
		[ -f "$f" ] || xyz_die "no config fragment $f (for the $name kernel)"
	done
}
for name in "$@"; do
	setup "$name"
done
mkdir -p "$cache"

# prepare: the matrix line's kernel (kver), its source (version, src) and
# the build root of the kernel setup() described, and the compiler's
# version (cc_version); nothing made with --cached: status 2 when the root
# is missing
declare -A versions=()	# per architecture: "<suite> <source version> <kernel>"
prepare() {
	local re suite sources aptopts=()
	# The matrix's Debian 13 kernel and the source version it was built
	# from (once per architecture: apt lookups)
	if [ -z "${versions[$arch]:-}" ]; then
		re="^6\.12\.[0-9]+\+deb13-$arch\$"
		kver=$(xyz_matrix "$arch" | grep -E "$re" | tail -n 1) ||
			xyz_die "no 6.12.*+deb13-$arch line in scripts/kernel-matrix"
		suite=$(xyz_kernel_suite "$kver")
		version=$(xyz_apt "$suite" apt-cache show "linux-image-$kver" |
			sed -n 's/^Source: linux (\(.*\))$/\1/p; s/^Version: //p' | head -n 1)
		[ -n "$version" ] || xyz_die "cannot tell which source built linux-image-$kver"
		versions[$arch]="${suite%%:*} $version $kver"
	fi
	read -r suite version kver <<<"${versions[$arch]}"

	# The source: the tarball of linux-source-6.12 (Debian's patches applied).
	src=$cache/src/linux-source-$version
	if [ -n "$cached" ]; then
		[ -f "$root/.done" ] || return 2
	fi
	if [ ! -f "$src/.done" ] && [ -z "$cached" ]; then
		xyz_log "fetching linux-source-6.12 $version ($suite), the source of $kver"
		rm -rf "$src.tmp" && mkdir -p "$src.tmp/deb"
		(cd "$src.tmp/deb" && xyz_apt "$suite" apt-get download -q "linux-source-6.12=$version" >&2) ||
			xyz_die "no linux-source-6.12 $version in $suite: the matrix's kernel and its source differ"
		dpkg-deb --fsys-tarfile "$src.tmp"/deb/*.deb |
			tar -xO ./usr/src/linux-source-6.12.tar.xz | xz -dc |
			tar -x -C "$src.tmp" --strip-components=1
		rm -rf "$src.tmp/deb"
		touch "$src.tmp/.done" && mv "$src.tmp" "$src"
	fi

	# The build root: Debian 13's compiler and what a kernel build needs.
	# arm64's root holds its package list in .done: a root made with
	# another list is made again (the x86 root's .done is empty: its list
	# never changed).
	if [ "$arch" = arm64 ] && [ -f "$root/.done" ] && [ -z "$cached" ] &&
	   [ "$(cat "$root/.done")" != "$pkgs" ]; then
		xyz_log "the packages of the build root $root changed: making it again"
		rm -f "$root/.done"
	fi
	if [ ! -f "$root/.done" ] && [ -z "$cached" ]; then
		command -v mmdebstrap >/dev/null ||
			xyz_die "no mmdebstrap (scripts/install-deps.sh installs it)"
		sources=$(xyz_apt_dir "$suite")/sources/debian.sources
		[ "$arch" = amd64 ] || aptopts=(--architectures="amd64,$arch")
		xyz_log "making the Debian 13 build root of the $arch debug kernels (mmdebstrap, in $root)"
		rm -rf "$root.tmp"
		xyz_root mmdebstrap --quiet --variant=essential "${aptopts[@]}" \
			--include="$pkgs" \
			"${suite%-security}" "$root.tmp" "$sources" >&2 ||
			xyz_die "cannot make the build root"
		if [ "$arch" = amd64 ]; then
			touch "$root.tmp/.done"
		else
			echo "$pkgs" >"$root.tmp/.done"
		fi
		rm -rf "$root" && mv "$root.tmp" "$root"
	fi
	cc_version=$(chroot "$root" "$gcc" --version | head -n 1)
}

# in_root CMD...: CMD in the build root, the cache at its own path
in_root() {
	# shellcheck disable=SC2016
	unshare --mount --propagation unchanged sh -euc '
		mount --make-rprivate / 2>/dev/null || true
		root=$1 cache=$2; shift 2
		mkdir -p "$root$cache" && mount --bind "$cache" "$root$cache"
		mount -t proc proc "$root/proc"
		mount --rbind /dev "$root/dev"
		exec chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 "$@"
	' in_root "$root" "$cache" "$@"
}

# tree_files DIR: the files of a build tree that are not the kernel's: the
# root that builds in it, and a Makefile that enters that root wherever
# Debian 13's gcc-14 is missing (xyz-make); rewritten when they changed,
# also in a finished tree (they change nothing in the kernel)
tree_files() {
	local out=$1 mk
	echo "$root" >"$out/xyz-root.tmp" && mv "$out/xyz-root.tmp" "$out/xyz-root"
	cmp -s "$here/xyz-make" "$out/xyz-make" ||
		{ cp "$here/xyz-make" "$out/xyz-make.tmp" && mv "$out/xyz-make.tmp" "$out/xyz-make"; }
	# shellcheck disable=SC2016 # make's $(...), not the shell's
	mk=$(printf '%s\n' \
		"# kbuild's O= Makefile of a debug kernel of xyz's make sanitize: where" \
		"# Debian 13's gcc-14, which built it, is missing, every goal runs in" \
		"# its Debian 13 root (xyz-make, next to this file)." \
		"ifeq (\$(shell command -v $gcc),)" \
		'__xyz_make:' \
		'	+@$(CURDIR)/xyz-make $(if $(findstring s,$(firstword -$(MAKEFLAGS))),-s) $(MAKEOVERRIDES) $(MAKECMDGOALS)' \
		'$(filter-out __xyz_make,$(MAKECMDGOALS)): __xyz_make' \
		'	@:' \
		'.PHONY: __xyz_make $(MAKECMDGOALS)' \
		'else' \
		"include $src/Makefile" \
		'endif')
	[ "$(cat "$out/Makefile" 2>/dev/null)" = "$mk" ] ||
		{ printf '%s\n' "$mk" >"$out/Makefile.tmp" && mv "$out/Makefile.tmp" "$out/Makefile"; }
}

# build NAME: prints the kernel's build tree, after building it if needed
build() {
	local name=$1 hash out t0 want missing karch
	# what the fragments set, not how their comments read
	hash=$({ printf '%s\n%s\n' "$version" "$cc_version"
		 grep -hE '^(CONFIG_|# CONFIG_.* is not set$)' "${frags[@]}"
	       } | sha256sum | cut -c1-12)
	out=$cache/$name-$hash
	if [ -f "$out/.done" ]; then
		[ -n "$cached" ] || tree_files "$out"
		echo "$out"
		return
	fi
	[ -z "$cached" ] || return 2
	t0=$SECONDS
	xyz_log "building the $name kernel ($arch) from linux-source-6.12 $version with $cc_version in $out (make -j$jobs at nice 19; about half an hour on 2 busy cores)"
	mkdir -p "$out"
	# what kbuild's O= would write (the Makefile), and what Debian's
	# headers have: the compiler by name, so that `make -C <kdir> M=...`
	# uses Debian's gcc-14
	tree_files "$out"
	karch=x86
	[ "$arch" = amd64 ] || karch=$arch
	# shellcheck disable=SC2016 # make's $(...), not the shell's
	printf '%s\n' "override ARCH = $karch" "override CROSS_COMPILE = ${gcc%gcc-14}" \
		'CC = $(CROSS_COMPILE)gcc-14' >"$out/.kernelvariables"
	cat "${frags[@]}" >"$out/xyz.config"
	in_root make -s -C "$out" KCONFIG_ALLCONFIG="$out/xyz.config" allnoconfig >&2
	# every line of the fragments must be in the .config as written, where
	# a later fragment sets a symbol again its line counts (as in Kconfig)
	missing=$(sed -n 's/^# \(CONFIG_[A-Z0-9_]*\) is not set$/\1=n/p; /^CONFIG_/p' "$out/xyz.config" |
		awk -F= '!($1 in v) { k[++n] = $1 } { v[$1] = $0 } END { for (i = 1; i <= n; i++) print v[k[i]] }' |
		while IFS= read -r want; do
			case "$want" in
			*=n) ! grep -q "^${want%=n}=" "$out/.config" || echo "$want" ;;
			*) grep -qxF "$want" "$out/.config" || echo "$want" ;;
			esac
		done)
	[ -z "$missing" ] ||
		xyz_die "the $name kernel's .config lacks (a dependency is missing from scripts/sanitize/*.config): $(tr '\n' ' ' <<<"$missing")"
	in_root nice -n 19 make -C "$out" -j"$jobs" all >"$out/build.log" 2>&1 ||
		xyz_die "the $name kernel does not build: $out/build.log"
	echo "$((SECONDS - t0))" >"$out/build-seconds"
	tree_files "$out"	# kbuild wrote a Makefile of its own
	touch "$out/.done"
	xyz_log "built the $name kernel in $(((SECONDS - t0) / 60)) min $(((SECONDS - t0) % 60)) s"
	echo "$out"
}

rc=0
for name in "$@"; do
	setup "$name"
	if prepare && out=$(build "$name"); then
		echo "vmlinuz=$out/$image kdir=$out"
	else
		rc=$?
		[ -n "$cached" ] || exit "$rc"
	fi
done
exit "$rc"
