#!/usr/bin/env bash
# The demo: build everything, boot Debian's kernel in QEMU (the newest of
# the matrix that this machine's compiler builds: 6.12 of its release on
# Debian 12 and 13; elsewhere Debian's stable kernel, built in a root of its
# release), load xyz, call the same routine through every door and compare
# them.
# usage: scripts/demo.sh [KERNEL_RELEASE]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
"$XYZ_TOP/scripts/install-deps.sh" demo
kver=${1:-$(xyz_default_kernel)}
exec "$XYZ_TOP/scripts/vm-run.sh" --demo "$kver"
