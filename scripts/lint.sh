#!/usr/bin/env bash
# The kernel's own checkers on the module: checkpatch.pl --strict (from
# Debian's linux-source) and sparse (make C=2), against every kernel of the
# matrix; and a look at the object code for what no VM can show (IBT).
# Prints TAP; exits non-zero on any finding.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$XYZ_TOP" || exit 1

command -v sparse >/dev/null || xyz_die "sparse is not installed (apt-get install sparse)"
checkpatch=$(xyz_kselftest_dir)/scripts/checkpatch.pl
n=0 failed=0
result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; failed=$((failed + 1)); fi
}

# One deliberate exception, in one place: xyz_compat.h exists to hold the
# LINUX_VERSION_CODE checks.
out=$(perl "$checkpatch" --strict --no-tree --terse --show-types \
	-f module/*.c module/xyz_internal.h module/arch/*/*.c \
	module/arch/*/*.S include/uapi/linux/xyz.h 2>&1;
      perl "$checkpatch" --strict --no-tree --terse --show-types \
	--ignore LINUX_VERSION_CODE -f module/xyz_compat.h 2>&1)
# And the ENOSYS of a call that would fault once rmmod began (xyz_core.c):
# the spec makes it fail as if the number were already unhooked, which is
# what ENOSYS means.
out=$(sed '/^module\/xyz_core.c:[0-9]*: WARNING:ENOSYS:/d;
	s/^total: 0 errors, 1 warnings, 0 checks, \([0-9]* lines checked\)$/total: 0 errors, 0 warnings, 0 checks, \1/' <<<"$out")
findings=$(grep -v '^total: 0 errors, 0 warnings, 0 checks' <<<"$out")
[ -z "$findings" ] || echo "$findings" | sed 's/^/# /'
result "$([ -z "$findings" ]; echo $?)" "checkpatch --strict: module and uapi header"

kernels=$(xyz_matrix) || xyz_die "cannot resolve the kernel matrix"
# every kernel, in CI's reduced run too: a build can fail on one line only
for kver in $kernels; do
	kdir=$(xyz_kernel_headers "$kver")
	log=$XYZ_BUILD/$kver/sparse.log
	mkdir -p "$XYZ_BUILD/$kver"
	scripts/build-module.sh "$kdir" "$XYZ_BUILD/$kver/sparse" C=2 >"$log" 2>&1
	rc=$?
	# anything but kbuild's own progress lines is a finding; but a sparse
	# that the kernel's own check finds wanting (sid's 0.6.4 for 7.2) is
	# not the module's fault: kbuild then builds without it, say so
	old_sparse='C=2 specified, but .* is not available or not up to date'
	findings=$(grep -vE "^  (CC|AS|LD|CHECK|MODPOST|BTF) |^make|^Skipping BTF|$old_sparse" "$log")
	[ -z "$findings" ] || echo "$findings" | sed 's/^/# /'
	what="sparse and -Werror build against $kver"
	if grep -qE "$old_sparse" "$log"; then
		what="-Werror build against $kver # SKIP sparse: this kernel's kbuild finds its release's sparse too old"
	fi
	result "$([ "$rc" = 0 ] && [ -z "$findings" ]; echo $?)" "$what"
	ko=$XYZ_BUILD/$kver/sparse/xyz.ko
	[ -f "$ko" ] || continue
	# An indirect call to an address the module looked up (the old
	# kallsyms_lookup_name trick) lands past a sealed ENDBR on CPUs with
	# IBT and BUG()s, or on an instruction that is no BTI landing pad on
	# arm64; TCG enforces neither. So the module makes no indirect call at
	# all: no `call *`/`jmp *` or retpoline thunk (x86), no blr/br (arm64,
	# pointer-authenticated forms too), and no kallsyms name. An arm64
	# module is read by the cross binutils of its build root.
	case $(xyz_kernel_arch "$kver") in
	arm64) dis() { xyz_in_root "${kdir%%/usr/src/*}" \
		aarch64-linux-gnu-objdump -dr --no-show-raw-insn "$ko"; } ;;
	*) dis() { objdump -dr --no-show-raw-insn "$ko"; } ;;
	esac
	findings=$(dis | awk '
		/^[0-9a-f]+ <.*>:$/ { fn = $2 }
		/(call|jmp)[a-z]* +\*|__x86_indirect_(call_|jump_)?thunk/ ||
		/\t(blr|br)(a[ab]z?)?\t/ { print fn " " $0 }'
		   strings "$ko" | grep -x 'kallsyms_lookup_name')
	[ -z "$findings" ] || echo "$findings" | sed 's/^/# /'
	result "$([ -z "$findings" ]; echo $?)" "no indirect call in xyz.ko for $kver (IBT, BTI)"
	# A RESET racing an increment on another CPU is lost when the reset
	# stores into that CPU's counter from afar; the test VM's TCG never
	# runs two vCPUs at once, so no test there can show it. The module
	# zeroes each counter on its own CPU (xyz_calls_reset()): it must call
	# on_each_cpu() (an inline of on_each_cpu_cond_mask() since 5.11).
	strings "$ko" | grep -xE 'on_each_cpu(_cond_mask)?' >/dev/null
	result $? "xyz.ko for $kver resets each CPU's counter on that CPU (on_each_cpu)"
done
echo "1..$n"
[ "$failed" = 0 ]
