#!/usr/bin/env bash
# Build xyz.ko against one kernel's headers, in a directory of its own so
# that builds for several kernels never share object files.
# usage: scripts/build-module.sh KDIR OUTDIR [make args...]
# A kernel from another Debian release builds in its own root (xyz_kmake), a
# debug kernel of scripts/sanitize/kernel.sh in its own (its xyz-root file).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kdir=$1 outdir=$2
shift 2
mkdir -p "$outdir"
# copy only what the module build needs (what DKMS gets too)
rm -rf "$outdir/module" "$outdir/include"
cp -r "$top/Kbuild" "$top/dkms.conf" "$top/module" "$top/include" "$outdir/"
source "$top/scripts/lib.sh"
if [ -f "$kdir/xyz-root" ]; then
	"$top/scripts/sanitize/kmake.sh" "$kdir" M="$(cd "$outdir" && pwd)" "$@" modules
else
	xyz_kmake "$kdir" M="$(cd "$outdir" && pwd)" "$@" modules
fi
# The module must be built by the compiler that built the kernel, Debian's
# revision included (arm64's too: Debian 13's cross compiler is the very
# release and revision its arm64 kernel was built with): kbuild only warns
# about a mismatch from 5.11 on, and not at all in 5.10.
want=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="[^ ]* \(.*\)"$/\1/p' "$kdir/.config")
got=$(readelf -p .comment "$outdir/xyz.ko" | sed -n 's/.*GCC: //p' | sort -u)
if [ -n "$want" ] && [ "$got" != "$want" ]; then
	echo "error: xyz.ko for $(basename "$kdir") was compiled by \"$got\"," \
		"the kernel by \"$want\"" >&2
	exit 1
fi
