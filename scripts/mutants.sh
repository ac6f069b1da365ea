#!/usr/bin/env bash
# Tests that cannot fail prove nothing: break the module on purpose, one
# known bug at a time, and check that the selftests catch every one of them.
# Each mutant is built from a patched copy of module/ and booted in the test
# VM on one kernel (default: the newest of the matrix). Prints TAP.
# usage: scripts/mutants.sh [KERNEL_RELEASE]
#        XYZ_MUTANTS="8 10" scripts/mutants.sh   only these (by number)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$XYZ_TOP" || exit 1

kver=${1:-$(xyz_matrix | tail -n 1)}
kdir=$(xyz_kernel_headers "$kver")

# name ~ file ~ sed expression ~ what to run in the VM
mutants=(
"ECHO copies one byte short~xyz_core.c~s/len = min(args->in_len, args->out_len);/len = min(args->in_len, args->out_len); len -= len > 0;/~insmod /lib/modules/xyz.ko hook=none && ./xyz_doors_test -v ioctl"
"the flags check is gone~xyz_core.c~s/if (args.flags || args.op > XYZ_OP_RESET)/if (args.op > XYZ_OP_RESET)/~insmod /lib/modules/xyz.ko hook=none && ./xyz_doors_test -v ioctl"
"size < 48 is accepted~xyz_core.c~s/if (usize < XYZ_ARGS_SIZE_VER0)/if (usize < 8)/~insmod /lib/modules/xyz.ko hook=none && ./xyz_doors_test -v ioctl"
"INFO ignores out_len~xyz_core.c~s/size_t len = min_t(u64, args->out_len, sizeof(info));/size_t len = sizeof(info);/~insmod /lib/modules/xyz.ko hook=none && ./xyz_doors_test -v ioctl"
"RESET without CAP_SYS_ADMIN~xyz_core.c~s/if (!capable(CAP_SYS_ADMIN))/if (!capable(CAP_SYS_ADMIN) \&\& 0)/~insmod /lib/modules/xyz.ko hook=none && ./xyz_doors_test -v ioctl"
"the compat door reports the wrong door~xyz_syscall.c~s/XYZ_DOOR_COMPAT)/XYZ_DOOR_SYSCALL)/~insmod /lib/modules/xyz.ko hook=ftrace && ./xyz_doors_test_32 -v int80"
"a kprobe without post-handler gets optimized~xyz_hook_kprobe.c~s/.post_handler\t= xyz_kprobe_post,/.post_handler\t= NULL,/~insmod /lib/modules/xyz.ko hook=kprobe && sleep 2 && ./xyz_doors_test -v glibc_syscall"
"a failed load does not wait for its callers~xyz_main.c~/^\t\t\txyz_detach(id, XYZ_ABI_X64);/{n;s/xyz_wait_for_callers();//}~insmod /lib/modules/xyz_ipmodify.ko func=ia32_sys_call && ./xyz_sleeper_test failed-load /lib/modules/xyz.ko hook=ftrace"
"a sleeping caller does not hold the module~xyz_core.c~s/call->pinned = try_module_get(THIS_MODULE);/call->pinned = false;/~insmod /lib/modules/xyz.ko hook=kprobe && ./xyz_sleeper_test unload"
"hook=direct refuses to share with a livepatch~xyz_hook_direct.c~/\.ops\.ops_func/d~insmod /lib/modules/xyz_ipmodify.ko && insmod /lib/modules/xyz.ko hook=direct || { echo 'not ok 1 hook=direct refused a livepatch on x64_sys_call'; exit 1; }"
)

n=0 failed=0
for m in "${mutants[@]}"; do
	IFS='~' read -r name file expr cmd <<<"$m"
	n=$((n + 1))
	case " ${XYZ_MUTANTS:-$n} " in *" $n "*) ;; *) continue ;; esac
	dir=$XYZ_BUILD/mutants/$n
	rm -rf "$dir" && mkdir -p "$dir"
	cp -r Kbuild dkms.conf module include "$dir/"
	sed -i "$expr" "$dir/module/$file"
	if cmp -s "module/$file" "$dir/module/$file"; then
		echo "not ok $n $name: the mutation did not apply (update scripts/mutants.sh)"
		failed=$((failed + 1))
		continue
	fi
	if ! make -C "$kdir" M="$dir" modules >"$dir/build.log" 2>&1; then
		echo "not ok $n $name: the mutant does not build (see $dir/build.log)"
		failed=$((failed + 1))
		continue
	fi
	if XYZ_SERIAL_LOG=$dir/serial.log scripts/vm-run.sh --ko "$dir/xyz.ko" \
		--run "$cmd" "$kver" >"$dir/vm.log" 2>&1; then
		echo "not ok $n $name: the tests did not notice"
		failed=$((failed + 1))
	else
		caught=$(grep -m1 -E '^(# )?not ok' "$dir/vm.log" | sed 's/^# //')
		# or the kernel's own checkers, once the test had started (a
		# freed module with SRCU readers WARNs before any test can say so)
		[ -n "$caught" ] || caught=$(sed -n '/^TAP version/,$p' \
			"$dir/serial.log" | grep -oE \
			'(WARNING|BUG): .*|Kernel panic - not syncing: .*|RIP: 0010:[^ ]*' |
			head -n 2 | tr '\n' ' ' | sed 's/^./the kernel: &/')
		if [ -n "$caught" ]; then
			echo "ok $n $name: caught by $caught"
		else
			# a build or boot problem is not a test catching the bug
			sed 's/^/# /' "$dir/vm.log" | tail -n 5
			echo "not ok $n $name: the VM run failed without a failing test"
			failed=$((failed + 1))
		fi
	fi
done
echo "1..$n"
[ "$failed" = 0 ]
