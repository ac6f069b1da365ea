#!/usr/bin/env bash
# make soak: a system-wide fuzz with the module loaded. On every kernel of
# the matrix (or the releases given), one VM boot runs Debian's trinity as
# nobody with xyz unloaded (the control), then loaded as hook=direct, ftrace
# and kprobe; after each mode the door tests must still pass in that mode
# (scripts/soak/guest.sh). Ends with one line "N passed, N failed, N skipped".
#
# usage: scripts/soak/run.sh [KERNEL_RELEASE...]
#        scripts/soak/run.sh --prove [KERNEL_RELEASE]
#   --prove  a soak that cannot fail proves nothing: build a module whose
#            ftrace callback WARNs on sched_setscheduler (144, a call none of
#            xyz's tests makes), soak it under hook=ftrace on one kernel
#            (default: the newest), and pass only if the soak fails on it
#   XYZ_SOAK_CALLS  system calls per mode (20000: about 30 s under TCG)
#   XYZ_SOAK_SEED   trinity's seed (default: the time); printed, to repeat
#   XYZ_SOAK_MODES  default "unloaded direct ftrace kprobe"
set -euo pipefail
source "$(dirname "$0")/../lib.sh"

"$XYZ_TOP/scripts/install-deps.sh"
if [ "${1:-}" = --prove ]; then
	kver=${2:-$(xyz_matrix amd64 | tail -n 1)}
	dir=$XYZ_BUILD/soak-prove
	rm -rf "$dir" && mkdir -p "$dir"
	cp -r "$XYZ_TOP"/{Kbuild,dkms.conf,module,include} "$dir/"
	sed -i 's|^\t/\* dispatcher(regs, nr): nr is the second argument \*/$|\tWARN_ON_ONCE((unsigned int)regs->si == 144);\n&|' \
		"$dir/module/xyz_hook_ftrace.c"
	grep -q 'WARN_ON_ONCE((unsigned int)regs->si == 144)' \
		"$dir/module/xyz_hook_ftrace.c" ||
		xyz_die "the mutation did not apply (update scripts/soak/run.sh)"
	make -C "$(xyz_kernel_headers "$kver")" M="$dir" modules \
		>"$dir/build.log" 2>&1 || xyz_die "the mutant does not build: $dir/build.log"
	if XYZ_SOAK_MODES=ftrace XYZ_SOAK_CALLS=${XYZ_SOAK_CALLS:-5000} \
		XYZ_SERIAL_LOG=$dir/serial.log "$XYZ_TOP/scripts/vm-run.sh" \
		--soak --ko "$dir/xyz.ko" "$kver" >"$dir/vm.log" 2>&1; then
		echo "not ok 1 the soak missed a WARN in the ftrace callback (see $dir/vm.log)"
		echo "0 passed, 1 failed, 0 skipped"
		exit 1
	fi
	# it must fail for the right reason: the WARN, in the hook, under trinity
	if grep -qE 'WARNING: .*xyz_ftrace_func|RIP: .*xyz_ftrace_func' "$dir/serial.log" &&
	   grep -qE 'Comm: trinity' "$dir/serial.log"; then
		echo "ok 1 the soak catches a WARN in the ftrace callback on a call xyz's tests never make"
		echo "1 passed, 0 failed, 0 skipped"
		exit 0
	fi
	tail -n 5 "$dir/vm.log" | sed 's/^/# /'
	echo "not ok 1 the soak failed, but not on the WARN (see $dir/serial.log)"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi

if [ $# -gt 0 ]; then
	kernels=("$@")
else
	mapfile -t kernels < <(xyz_matrix amd64)
	[ ${#kernels[@]} -gt 0 ] || xyz_die "cannot resolve the kernel matrix"
fi
# one seed for every kernel and mode, so that a failure can be repeated
export XYZ_SOAK_SEED=${XYZ_SOAK_SEED:-$(date +%s)}
# vm-run.sh's 20 minutes are too short for long soaks: each mode may take
# guest.sh's limit for trinity, calls / 50 + 120 s, and a minute more for
# the door tests; plus 5 minutes for the boot
calls=${XYZ_SOAK_CALLS:-20000}
modes=${XYZ_SOAK_MODES:-unloaded direct ftrace kprobe}
n=$(wc -w <<<"$modes")
export XYZ_VM_TIMEOUT=${XYZ_VM_TIMEOUT:-$((n * (calls / 50 + 180) + 300))}
xyz_log "soak: XYZ_SOAK_SEED=$XYZ_SOAK_SEED XYZ_SOAK_CALLS=$calls, VM timeout ${XYZ_VM_TIMEOUT}s"

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
