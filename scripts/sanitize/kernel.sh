#!/usr/bin/env bash
# The debug kernels of `make sanitize`, built once and cached: Debian 13's
# own 6.12 source (linux-source-6.12 at the version of the matrix's
# 6.12.*+deb13-amd64 kernel), allnoconfig plus scripts/sanitize/base.config
# plus scripts/sanitize/<name>.config, compiled by Debian 13's gcc-14 (as
# Debian compiles its kernel, so that a module builds and behaves as on the
# production kernel) in a Debian 13 root of its own.
#
# usage: scripts/sanitize/kernel.sh [--cached] [NAME...]   (default: kasan kcsan)
#
# Builds what is missing, then prints one line per kernel on stdout, and
# nothing else (progress goes to stderr):
#   vmlinuz=<bzImage> kdir=<build tree>
# --cached builds nothing: the lines of the kernels already built, and exit
# status 2 when one is not.
# A module builds against the build tree with `make -C <kdir> M=<dir>
# modules`: with the machine's gcc-14 on Debian 13, elsewhere (as root or
# with sudo) in the tree's own Debian 13 root, which the tree's Makefile
# enters by itself (<kdir>/xyz-make; scripts/sanitize/kmake.sh does the same).
#
# Cache ($XYZ_CACHE/sanitize): src/linux-source-<version>/ (the source,
# read-only), root/ (the build root), <name>-<hash>/ (a kernel's build tree,
# its .done when complete), where the hash covers the source's version, the
# compiler's version and the options the fragments set: a change to any of
# them builds a new tree, nothing else does (a comment, a script). XYZ_SANITIZE_JOBS (2) make jobs,
# run at nice 19.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

here=$XYZ_TOP/scripts/sanitize
cache=$XYZ_CACHE/sanitize
root=$cache/root
jobs=${XYZ_SANITIZE_JOBS:-2}
cached=
[ "${1:-}" != --cached ] || { cached=1; shift; }
[ $# -gt 0 ] || set -- kasan kcsan
for name in "$@"; do
	[ -f "$here/$name.config" ] || xyz_die "no config fragment $here/$name.config"
done
mkdir -p "$cache"

# The matrix's Debian 13 kernel and the source version it was built from.
kver=$(xyz_matrix amd64 | grep -E '^6\.12\.[0-9]+\+deb13-amd64$' | tail -n 1) ||
	xyz_die "no 6.12.*+deb13-amd64 line in scripts/kernel-matrix"
suite=$(xyz_kernel_suite "$kver")
version=$(xyz_apt "$suite" apt-cache show "linux-image-$kver" |
	sed -n 's/^Source: linux (\(.*\))$/\1/p; s/^Version: //p' | head -n 1)
[ -n "$version" ] || xyz_die "cannot tell which source built linux-image-$kver"

# The source: the tarball of linux-source-6.12 (Debian's patches applied).
src=$cache/src/linux-source-$version
if [ -n "$cached" ]; then
	[ -f "$root/.done" ] || exit 2
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
if [ ! -f "$root/.done" ] && [ -z "$cached" ]; then
	command -v mmdebstrap >/dev/null ||
		xyz_die "no mmdebstrap (scripts/install-deps.sh installs it)"
	sources=$(xyz_apt_dir "$suite")/sources/debian.sources
	xyz_log "making the Debian 13 build root of the debug kernels (mmdebstrap, in $root)"
	rm -rf "$root.tmp"
	xyz_root mmdebstrap --quiet --variant=essential \
		--include=gcc-14,gcc,libc6-dev,make,flex,bison,bc,libelf-dev,libssl-dev,dwarves,cpio,kmod,xz-utils,perl \
		"${suite%-security}" "$root.tmp" "$sources" >&2 ||
		xyz_die "cannot make the build root"
	touch "$root.tmp/.done" && mv "$root.tmp" "$root"
fi
cc_version=$(chroot "$root" x86_64-linux-gnu-gcc-14 --version | head -n 1)

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
		'ifeq ($(shell command -v x86_64-linux-gnu-gcc-14),)' \
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
	local name=$1 hash out t0 want missing
	# what the fragments set, not how their comments read
	hash=$({ printf '%s\n%s\n' "$version" "$cc_version"
		 grep -hE '^(CONFIG_|# CONFIG_.* is not set$)' "$here/base.config" "$here/$name.config"
	       } | sha256sum | cut -c1-12)
	out=$cache/$name-$hash
	if [ -f "$out/.done" ]; then
		[ -n "$cached" ] || tree_files "$out"
		echo "$out"
		return
	fi
	[ -z "$cached" ] || return 2
	t0=$SECONDS
	xyz_log "building the $name kernel from linux-source-6.12 $version with $cc_version in $out (make -j$jobs at nice 19; about half an hour on 2 busy cores)"
	mkdir -p "$out"
	# what kbuild's O= would write (the Makefile), and what Debian's
	# headers have: the compiler by name, so that `make -C <kdir> M=...`
	# uses Debian's gcc-14
	tree_files "$out"
	# shellcheck disable=SC2016 # make's $(...), not the shell's
	printf '%s\n' 'override ARCH = x86' 'override CROSS_COMPILE = x86_64-linux-gnu-' \
		'CC = $(CROSS_COMPILE)gcc-14' >"$out/.kernelvariables"
	cat "$here/base.config" "$here/$name.config" >"$out/xyz.config"
	in_root make -s -C "$out" KCONFIG_ALLCONFIG="$out/xyz.config" allnoconfig >&2
	# every line of the fragments must be in the .config as written
	missing=$(sed -n 's/^# \(CONFIG_[A-Z0-9_]*\) is not set$/\1=n/p; /^CONFIG_/p' "$out/xyz.config" |
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
	if out=$(build "$name"); then
		echo "vmlinuz=$out/arch/x86/boot/bzImage kdir=$out"
	else
		rc=$?
		[ -n "$cached" ] || exit "$rc"
	fi
done
exit "$rc"
