#!/usr/bin/env bash
# The gate must fail when a hot path grows: add work to one on purpose, one
# mutant at a time, trace it (hook=direct, one round) and check that
# scripts/trace/gate.py refuses it and names the step. Prints TAP.
# usage: scripts/trace/mutants.sh [KERNEL_RELEASE]   (default: lib.sh's xyz_default_kernel)
#        XYZ_MUTANTS="1" scripts/trace/mutants.sh     only these (by number)
set -uo pipefail
source "$(dirname "$0")/../lib.sh"
cd "$XYZ_TOP" || exit 1

# a kernel with hook=direct and a budget for every door (a 6.12)
kver=${1:-$(xyz_default_kernel)}
kdir=$(xyz_kernel_headers "$kver")

# name ~ file ~ sed expression ~ the step the gate must name
mutants=(
"an extra copy_from_user in the NOP path~xyz_internal.h~s/^\tif (head != XYZ_NOP_HEAD || flags)$/\tif (copy_from_user(\&flags, \&uargs->flags, sizeof(flags)))\n\t\treturn false;\n&/~copy_from_user"
"a pr_debug in the trampoline's path~arch/x86/xyz_arch.c~s/^\treturn xyz_syscall((struct xyz_args __user \*)regs->di,$/\tpr_debug(\"xyz: syscall door\\\\n\");\n&/~xyz_x64_entry"
"a pr_debug in the io_uring door~xyz_uring.c~s/^\tif (likely(xyz_nop(uargs)))$/\tpr_debug(\"xyz: uring door\\\\n\");\n&/~xyz_uring_cmd"
)

n=0 failed=0
for m in "${mutants[@]}"; do
	IFS='~' read -r name file expr step <<<"$m"
	n=$((n + 1))
	case " ${XYZ_MUTANTS:-$n} " in *" $n "*) ;; *) continue ;; esac
	dir=$XYZ_BUILD/trace-mutants/$n
	rm -rf "$dir" && mkdir -p "$dir/src"
	cp -r Kbuild dkms.conf module include "$dir/src/"
	sed -i "$expr" "$dir/src/module/$file"
	if cmp -s "module/$file" "$dir/src/module/$file"; then
		echo "not ok $n $name: the mutation did not apply (update scripts/trace/mutants.sh)"
		failed=$((failed + 1))
		continue
	fi
	if ! xyz_kmake "$kdir" M="$dir/src" modules >"$dir/build.log" 2>&1; then
		echo "not ok $n $name: the mutant does not build (see $dir/build.log)"
		failed=$((failed + 1))
		continue
	fi
	XYZ_TRACE_DIR=$dir/trace XYZ_TRACE_MODES=direct XYZ_TRACE_ROUNDS=1 \
		XYZ_TRACE_REPS=8 XYZ_TRACE_GATE_ARGS=--hooks=direct \
		scripts/trace/run.sh --check --no-page --ko "$dir/src/xyz.ko" "$kver" \
		>"$dir/gate.log" 2>&1
	rc=$?
	if ! grep -q '^ok 1 ' "$dir/gate.log"; then
		sed 's/^/# /' "$dir/gate.log" | tail -n 5
		echo "not ok $n $name: the trace itself failed (see $dir/gate.log)"
		failed=$((failed + 1))
	elif [ "$rc" = 0 ]; then
		echo "not ok $n $name: the gate did not notice"
		failed=$((failed + 1))
	elif ! grep -qE "step [^ ]*$step " "$dir/gate.log"; then
		grep '^not ok\|^#' "$dir/gate.log" | sed 's/^/# /'
		echo "not ok $n $name: the gate failed but did not name $step"
		failed=$((failed + 1))
	else
		echo "ok $n $name: caught: $(grep -m1 -E "step [^ ]*$step " "$dir/gate.log" | sed 's/^# *//')"
	fi
done
echo "1..$n"
[ "$failed" = 0 ]
