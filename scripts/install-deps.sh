#!/usr/bin/env bash
# What xyz needs on the machine, installed with its apt when missing:
# idempotent, and quick when all is there. Kernels, headers, kselftest files
# and the build roots of other releases are fetched later, per kernel, by
# scripts/lib.sh, never installed. .ci/run proves the lists in brand-new
# Debian 13 and Debian 12 roots: whatever is missing here fails there.
#
# usage: scripts/install-deps.sh [demo|check]
#   demo   what scripts/demo.sh needs: build the module, libxyz and the
#          tools (64- and 32-bit, static for the VM), boot the x86-64 VM
#   check  (default) that, and what every test of scripts/check.sh uses
#
# demo:
#   gcc-multilib: the 32-bit half of libxyz and the tools (the int $0x80
#           door from an i386 program); pahole: kbuild runs it for BTF on
#           Debian's 6.12 (CONFIG_DEBUG_INFO_BTF_MODULES; "dwarves", the
#           name most guides give, is only a transitional package for it);
#           liburing-dev: its liburing.a links the static xyz tools of the
#           VM (the io_uring door); xz-utils: kselftest's files come out of
#           linux-source's tar.xz; mount: the build roots' bind mounts
# check, in addition:
#   g++ g++-multilib: the uapi header compiled as C++, 32- and 64-bit;
#   sparse: lint; python3: the trace's symbolisation, and test/cli.sh checks
#           that `xyz bench --json` parses; libglib2.0-dev: the trace's QEMU
#           plugin; qemu-system-arm: qemu-system-aarch64, the arm64 test VM
#           (the arm64 *compiler* lives in a build root, see lib.sh);
#   dkms kmod: the DKMS round trip; build-essential dpkg-dev debhelper
#           dh-dkms lintian mmdebstrap: scripts/pkg/deb.sh builds the Debian
#           packages, lints them and tests them in a brand-new root;
#   gnuplot-nox: make bench's charts; trinity: make soak's fuzzer
set -euo pipefail
source "$(dirname "$0")/lib.sh"

what=${1:-check}
demo=(make gcc libc6-dev gcc-multilib binutils cpio gzip xz-utils
      busybox-static qemu-system-x86 pahole liburing-dev pkg-config mount)
check=(g++ g++-multilib perl sparse python3 libglib2.0-dev qemu-system-arm
       kmod dkms build-essential dpkg-dev debhelper dh-dkms lintian mmdebstrap
       gnuplot-nox trinity)
case "$what" in
demo) pkgs=("${demo[@]}") ;;
check) pkgs=("${demo[@]}" "${check[@]}") ;;
*) xyz_die "usage: $0 [demo|check]" ;;
esac

command -v apt-get >/dev/null && command -v dpkg-query >/dev/null ||
	xyz_die "xyz's scripts need a Debian-based machine (apt and dpkg): Debian 12 or 13 are tested"
# Every kernel comes from Debian's archive, which apt trusts through
# Debian's keyring: Debian has it, Ubuntu has it as a package of its own.
if [ ! -f "$XYZ_DEBIAN_KEYRING" ]; then
	xyz_apt_lists
	apt-cache show debian-archive-keyring >/dev/null 2>&1 ||
		xyz_die "this machine's apt has no debian-archive-keyring, which xyz needs to read Debian's kernels: install Debian's keyring (https://packages.debian.org/debian-archive-keyring) or set XYZ_DEBIAN_KEYRING to a copy of it"
	pkgs=(debian-archive-keyring "${pkgs[@]}")
fi

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	xyz_log "installing ${missing[*]}"
	XYZ_APT_UPDATE=1 xyz_apt_lists
	xyz_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${missing[@]}" >&2
fi
