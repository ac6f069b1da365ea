#!/usr/bin/env bash
# The demo: build everything, boot the newest kernel of the matrix in QEMU,
# load xyz, call the same routine through every door and compare them.
# usage: scripts/demo.sh [KERNEL_RELEASE]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
"$XYZ_TOP/scripts/install-deps.sh"
kver=${1:-$(xyz_matrix | tail -n 1)}
exec "$XYZ_TOP/scripts/vm-run.sh" --demo "$kver"
