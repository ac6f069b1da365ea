#!/usr/bin/env bash
# Everything xyz needs on a Debian 12 machine, installed when missing: the
# compilers, QEMU (and glib for its plugin), busybox, sparse, DKMS, liburing
# (its liburing.a links the static xyz tools of the test VM). Kernels, headers and kselftest
# files are fetched later, per kernel, by scripts/lib.sh. Idempotent and
# quick when all is there. .ci/run proves the list in a brand-new root:
# whatever is missing here fails there.
#   pahole: kbuild runs it for BTF on Debian's 6.12 (CONFIG_DEBUG_INFO_BTF_MODULES);
#           "dwarves", the name most guides give, is only a transitional package for it
#   python3: test/cli.sh checks that `xyz bench --json` parses with it
#   qemu-system-arm: qemu-system-aarch64, the arm64 test VM (it installs beside
#           qemu-system-x86; the arm64 *compiler* lives in a build root, see lib.sh)
#   build-essential dpkg-dev debhelper dh-dkms lintian mmdebstrap mount: scripts/deb.sh builds the
#           Debian packages, lints them and tests them in a brand-new root
set -euo pipefail
source "$(dirname "$0")/lib.sh"

pkgs=(make gcc libc6-dev gcc-multilib g++ g++-multilib binutils perl cpio gzip
      xz-utils kmod busybox-static qemu-system-x86 qemu-system-arm sparse dkms gnuplot-nox
      pahole liburing-dev libglib2.0-dev pkg-config python3
      build-essential dpkg-dev debhelper dh-dkms lintian mmdebstrap mount
      trinity)  # trinity: the system-wide fuzzer of make soak
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
