#!/usr/bin/env bash
# The demo: build everything, boot the newest kernel of this machine's own
# Debian release (what a Debian 12 user runs: 6.12) in QEMU, load xyz, call
# the same routine through every door and compare them.
# usage: scripts/demo.sh [KERNEL_RELEASE]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
"$XYZ_TOP/scripts/install-deps.sh"
kver=${1:-$(for k in $(xyz_matrix amd64); do
	[ "$(xyz_kernel_suite "$k")" != "$XYZ_HOST_SUITE" ] || echo "$k"; done | tail -n 1)}
exec "$XYZ_TOP/scripts/vm-run.sh" --demo "$kver"
