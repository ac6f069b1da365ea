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

kernels=$(xyz_matrix) || xyz_die "cannot resolve the kernel matrix"
kver=${1:-$(tail -n 1 <<<"$kernels")}
# Mutants of a mechanism run where it works: sharing x64_sys_call() with a
# livepatch needs one ftrace can attach to (not 7.2's): the newest of the
# machine's suite; the table swap needs a kernel that calls through the
# table: the oldest line (5.10). The optimized kprobe runs there too: on
# 7.2 the probe on __x64_sys_ni_syscall stayed an int3 even without a
# post-handler (measured: the redirect kept working), so the bug is
# harmless there and only 6.12 shows it.
ftrace_kver=${XYZ_MUTANTS_FTRACE_KVER:-$(for k in $kernels; do
	[ "$(xyz_kernel_suite "$k")" != "$XYZ_HOST_SUITE" ] || echo "$k"; done | tail -n 1)}
table_kver=${XYZ_MUTANTS_TABLE_KVER:-$(head -n 1 <<<"$kernels")}

# name ~ file ~ sed expression ~ what to run in the VM [~ ftrace|table: where]
mutants=(
"ECHO copies one byte short~xyz_core.c~s/len = min(args->in_len, args->out_len);/len = min(args->in_len, args->out_len); len -= len > 0;/~insmod /lib/modules/xyz.ko hook=none && ./xyz_doors_test -v ioctl"
"the flags check is gone~xyz_core.c~s/if (args.flags || args.op > XYZ_OP_RESET)/if (args.op > XYZ_OP_RESET)/~insmod /lib/modules/xyz.ko hook=none && ./xyz_doors_test -v ioctl"
"size < 48 is accepted~xyz_core.c~s/if (usize < XYZ_ARGS_SIZE_VER0)/if (usize < 8)/~insmod /lib/modules/xyz.ko hook=none && ./xyz_doors_test -v ioctl"
"INFO ignores out_len~xyz_core.c~s/size_t len = min_t(u64, args->out_len, sizeof(info));/size_t len = sizeof(info);/~insmod /lib/modules/xyz.ko hook=none && ./xyz_doors_test -v ioctl"
"RESET without CAP_SYS_ADMIN~xyz_core.c~s/if (!capable(CAP_SYS_ADMIN))/if (!capable(CAP_SYS_ADMIN) \&\& 0)/~insmod /lib/modules/xyz.ko hook=none && ./xyz_doors_test -v ioctl"
"the compat door reports the wrong door~xyz_syscall.c~s/XYZ_DOOR_COMPAT)/XYZ_DOOR_SYSCALL)/~insmod /lib/modules/xyz.ko hook=kprobe && ./xyz_doors_test_32 -v int80"
"a kprobe without post-handler gets optimized~xyz_hook_kprobe.c~s/.post_handler\t= xyz_kprobe_post,/.post_handler\t= NULL,/~insmod /lib/modules/xyz.ko hook=kprobe && sleep 2 && ./xyz_doors_test -v glibc_syscall~ftrace"
"a failed load does not wait for its callers~xyz_main.c~/^\t\t\txyz_detach(id, XYZ_ABI_X64);/{n;s/xyz_wait_for_callers();//}~insmod /lib/modules/xyz_ipmodify.ko func=ia32_sys_call && ./xyz_sleeper_test failed-load /lib/modules/xyz.ko hook=ftrace~ftrace"
"a sleeping caller does not hold the module~xyz_core.c~s/call->pinned = try_module_get(THIS_MODULE);/call->pinned = false;/~insmod /lib/modules/xyz.ko hook=kprobe && ./xyz_sleeper_test unload"
"hook=direct refuses to share with a livepatch~xyz_hook_direct.c~/xyz_ftrace_direct_share(&hook->ops);/d~insmod /lib/modules/xyz_ipmodify.ko && insmod /lib/modules/xyz.ko hook=direct || { echo 'not ok 1 hook=direct refused a livepatch on x64_sys_call'; exit 1; }~ftrace"
"hook=table leaves its entry in the table~xyz_hook_table.c~s/while (xyz_table_write(slot->addr, slot->saved)) {/while (0) {/~insmod /lib/modules/xyz.ko hook=table && rmmod xyz && ./xyz_unhooked_test~table"
)

n=0 failed=0
for m in "${mutants[@]}"; do
	IFS='~' read -r name file expr cmd where <<<"$m"
	n=$((n + 1))
	case " ${XYZ_MUTANTS:-$n} " in *" $n "*) ;; *) continue ;; esac
	case "$where" in
	ftrace) mkver=$ftrace_kver ;;
	table) mkver=$table_kver ;;
	*) mkver=$kver ;;
	esac
	kdir=$(xyz_kernel_headers "$mkver")
	name="$name ($mkver)"
	dir=$XYZ_BUILD/mutants/$n
	rm -rf "$dir" && mkdir -p "$dir"
	cp -r Kbuild dkms.conf module include "$dir/"
	sed -i "$expr" "$dir/module/$file"
	if cmp -s "module/$file" "$dir/module/$file"; then
		echo "not ok $n $name: the mutation did not apply (update scripts/mutants.sh)"
		failed=$((failed + 1))
		continue
	fi
	if ! xyz_kmake "$kdir" M="$dir" modules >"$dir/build.log" 2>&1; then
		echo "not ok $n $name: the mutant does not build (see $dir/build.log)"
		failed=$((failed + 1))
		continue
	fi
	if XYZ_SERIAL_LOG=$dir/serial.log scripts/vm-run.sh --ko "$dir/xyz.ko" \
		--run "$cmd" "$mkver" >"$dir/vm.log" 2>&1; then
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
