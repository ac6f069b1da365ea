#!/usr/bin/env bash
# make soak: a system-wide fuzz with the module loaded. On every kernel of
# the matrix (or the releases given), one VM boot runs Debian's trinity as
# nobody with xyz unloaded (the control), then loaded as hook=direct, ftrace
# and kprobe; after each mode the door tests must still pass in that mode
# (scripts/vm-soak.sh). Ends with one line "N passed, N failed, N skipped".
#
# usage: scripts/soak.sh [KERNEL_RELEASE...]
#   XYZ_SOAK_CALLS  system calls per mode (20000: about 30 s under TCG)
#   XYZ_SOAK_SEED   trinity's seed (default: the time); printed, to repeat
#   XYZ_SOAK_MODES  default "unloaded direct ftrace kprobe"
set -euo pipefail
source "$(dirname "$0")/lib.sh"

"$XYZ_TOP/scripts/install-deps.sh"
if [ $# -gt 0 ]; then
	kernels=("$@")
else
	mapfile -t kernels < <(xyz_matrix)
	[ ${#kernels[@]} -gt 0 ] || xyz_die "cannot resolve the kernel matrix"
fi
# one seed for every kernel and mode, so that a failure can be repeated
export XYZ_SOAK_SEED=${XYZ_SOAK_SEED:-$(date +%s)}
xyz_log "soak: XYZ_SOAK_SEED=$XYZ_SOAK_SEED XYZ_SOAK_CALLS=${XYZ_SOAK_CALLS:-20000}"

pass=0 fail=0 skip=0
start=$(date +%s)
mkdir -p "$XYZ_BUILD"
for kver in "${kernels[@]}"; do
	log=$XYZ_BUILD/soak-$kver.log
	"$XYZ_TOP/scripts/vm-run.sh" --soak "$kver" 2>&1 | tee "$log" || true
	# vm-run.sh's last line: "[release] N passed, N failed, N skipped in Ns"
	line=$(grep -E '^\[[^]]*\] [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "[$kver] FAILED: the soak did not run (see $log)" >&2
		fail=$((fail + 1))
		continue
	fi
	read -r p f s <<<"$(sed -E 's/.* ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped.*/\1 \2 \3/' <<<"$line")"
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
done
echo "# soak of ${kernels[*]} took $(($(date +%s) - start))s, XYZ_SOAK_SEED=$XYZ_SOAK_SEED"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
