#!/usr/bin/env bash
# Tests that cannot fail prove nothing: break the module on purpose, one
# known bug at a time, and check that the selftests catch every one of them.
# Each mutant is built from a patched copy of module/ and booted in the test
# VM on one kernel (default: the newest of the matrix), XYZ_JOBS (the number
# of cores) at a time. Prints TAP.
# usage: scripts/checks/mutants.sh [KERNEL_RELEASE]
#        XYZ_MUTANTS="8 10" scripts/checks/mutants.sh   only these (by number)
set -uo pipefail
source "$(dirname "$0")/../lib.sh"
cd "$XYZ_TOP" || exit 1

kernels=$(xyz_matrix amd64) || xyz_die "cannot resolve the kernel matrix"
# Mutants of a mechanism run where it works: sharing x64_sys_call() with a
# livepatch needs one ftrace can attach to (not 7.2's): the default kernel
# (lib.sh: xyz_default_kernel, a 6.12), which is also where every door is; the
# table swap needs a kernel that calls through the table: the oldest line
# (5.10), which is also the one whose entry code does not re-read a number a
# sys_enter probe changed; hook=direct on the "no such system call" stub
# needs the newest (7.2), whose stub has an ftrace site. On 7.2 the probe on
# __x64_sys_ni_syscall stayed an int3 even without a post-handler
# (measured), so that mutant is harmless there. The kprobe optimizer puts
# its jump in from a worker, after an RCU-tasks grace period: seconds under
# a busy TCG, and kprobes/list says OPTIMIZED as soon as it is queued. So
# that mutant's run calls again, round after round (up to 30), until a test
# fails.
ftrace_kver=${XYZ_MUTANTS_FTRACE_KVER:-$(xyz_default_kernel)}
table_kver=${XYZ_MUTANTS_TABLE_KVER:-$(head -n 1 <<<"$kernels")}
newest_kver=${XYZ_MUTANTS_NEWEST_KVER:-$(tail -n 1 <<<"$kernels")}
kver=${1:-$ftrace_kver}

# name ~ file ~ sed expression ~ what to run in the VM [~ where: table, newest]
mutants=(
"ECHO copies one byte short~xyz_core.c~s/len = min(args->in_len, args->out_len);/len = min(args->in_len, args->out_len); len -= len > 0;/~insmod /lib/modules/xyz.ko hook=none && ./xyz_doors_test -v ioctl"
"the flags check is gone~xyz_core.c~s/if (args.flags || args.op > XYZ_OP_RESET)/if (args.op > XYZ_OP_RESET)/~insmod /lib/modules/xyz.ko hook=none && ./xyz_doors_test -v ioctl"
"size < 48 is accepted~xyz_core.c~s/if (usize < XYZ_ARGS_SIZE_VER0)/if (usize < 8)/~insmod /lib/modules/xyz.ko hook=none && ./xyz_doors_test -v ioctl"
"INFO ignores out_len~xyz_core.c~s/size_t len = min_t(u64, args->out_len, sizeof(info));/size_t len = sizeof(info);/~insmod /lib/modules/xyz.ko hook=none && ./xyz_doors_test -v ioctl"
"RESET without CAP_SYS_ADMIN~xyz_core.c~s/if (!capable(CAP_SYS_ADMIN))/if (!capable(CAP_SYS_ADMIN) \&\& 0)/~insmod /lib/modules/xyz.ko hook=none && ./xyz_doors_test -v ioctl"
"the compat door reports the wrong door~arch/x86/xyz_arch.c~s/XYZ_DOOR_COMPAT)/XYZ_DOOR_SYSCALL)/~insmod /lib/modules/xyz.ko hook=kprobe && ./xyz_doors_test_32 -v int80"
"a kprobe without post-handler gets optimized~xyz_hook_kprobe.c~s/.post_handler\t= xyz_kprobe_post,/.post_handler\t= NULL,/~insmod /lib/modules/xyz.ko hook=kprobe && i=0 && while [ \$i -lt 30 ]; do ./xyz_doors_test -v glibc_syscall || exit 1; sleep 1; i=\$((i + 1)); done"
"a failed load does not wait for its callers~xyz_main.c~/^\t\t\txyz_detach(id, XYZ_ABI_NATIVE);/{n;s/xyz_wait_for_callers();//}~insmod /lib/modules/xyz_ipmodify.ko func=ia32_sys_call && ./xyz_sleeper_test failed-load /lib/modules/xyz.ko hook=ftrace"
"the fast path takes any size~xyz_core.c~s/ok = args->size == sizeof(\*args);/ok = true;/~insmod /lib/modules/xyz.ko hook=none && ./xyz_doors_test -v ioctl"
"a sleeping caller does not hold the module~xyz_core.c~s/call->pinned = true;/module_put(THIS_MODULE);/~insmod /lib/modules/xyz.ko hook=kprobe && ./xyz_sleeper_test unload"
"hook=direct refuses to share with a livepatch~xyz_hook_direct.c~/xyz_ftrace_direct_share(ops);/d~insmod /lib/modules/xyz_ipmodify.ko && insmod /lib/modules/xyz.ko hook=direct || { echo 'not ok 1 hook=direct refused a livepatch on x64_sys_call'; exit 1; }"
"the shared page maps with PROT_WRITE~xyz_mmap.c~s/if (vma->vm_flags \& VM_WRITE)/if (0)/~insmod /lib/modules/xyz.ko hook=none && ./xyz_mmap_test -t refusals"
"VM_MAYWRITE is not cleared: mprotect() can add PROT_WRITE~xyz_mmap.c~s/VM_MAYWRITE | VM_MAYEXEC);/VM_MAYEXEC);/~insmod /lib/modules/xyz.ko hook=none && ./xyz_mmap_test -t mprotect_cannot_add_write_or_exec"
"an offset other than 0 is accepted~xyz_mmap.c~s/if (vma->vm_pgoff)/if (0)/~insmod /lib/modules/xyz.ko hook=none && ./xyz_mmap_test -t refusals"
"a mapping longer than the region is accepted~xyz_mmap.c~s/if (vma->vm_end - vma->vm_start > xyz_region_len)/if (0)/~insmod /lib/modules/xyz.ko hook=none && ./xyz_mmap_test -t refusals"
"the counters are not where the page says~xyz_mmap.c~s/offset + cpu \* stride);/offset + cpu * stride + 8);/~insmod /lib/modules/xyz.ko hook=none && ./xyz_mmap_test -t equals_info"
"the header's seq is left odd after publishing~xyz_mmap.c~/members complete before seq is even again/{n;d}~insmod /lib/modules/xyz.ko hook=none && ./xyz_mmap_test -t layout"
"the uring door serves unknown cmd_ops~xyz_uring.c~s/if (XYZ_URING_CMD_ID(ioucmd->cmd_op) !=/if (0 \&\& XYZ_URING_CMD_ID(ioucmd->cmd_op) !=/~insmod /lib/modules/xyz.ko hook=none && ./xyz_uring_test"
"the uring door ignores the reserved bytes~xyz_uring.c~s/unused = READ_ONCE(area\[1\]) | /unused = /~insmod /lib/modules/xyz.ko hook=none && ./xyz_uring_test"
"the uring door ignores an SQE128's further 64 bytes~xyz_uring.c~s/unused |= xyz_uring_area_extra(area + 2);/unused |= 0;/~insmod /lib/modules/xyz.ko hook=none && ./xyz_uring_test -v sqe128"
"the uring door reports the ioctl door~xyz_uring.c~s/XYZ_DOOR_URING\([,)]\)/XYZ_DOOR_IOCTL\1/g~insmod /lib/modules/xyz.ko hook=none && ./xyz_doors_test -v uring"
"a call that must sleep is retried from io-wq, which reads the SQE again~xyz_uring.c~s/^\t\tif (ret != -EAGAIN)$/\t\tif (1)/~insmod /lib/modules/xyz.ko hook=none && ./xyz_uring_test"
"a call that must sleep is counted twice~xyz_core.c~s/if (ret != -EAGAIN)/if (1)/~insmod /lib/modules/xyz.ko hook=none && ./xyz_uring_test"
"a call that gets in after rmmod began faults anyway~xyz_core.c~s/\*err = -ENOSYS;/call->may_fault = true; return true;/~./xyz_sleeper_test rmmod-race /lib/modules/xyz.ko hook=kprobe"
"the uring door compares cmd_op whole, size bits too~xyz_uring.c~s/if (XYZ_URING_CMD_ID(ioucmd->cmd_op) !=/if (ioucmd->cmd_op != XYZ_URING_CMD_CALL || XYZ_URING_CMD_ID(ioucmd->cmd_op) !=/~insmod /lib/modules/xyz.ko hook=none && ./xyz_uring_test -t cmd_op_size_and_direction_bits_are_ignored"
"the uring door ignores sqe->addr and sqe->len~xyz_compat.h~s/READ_ONCE(ioucmd->sqe->addr) | READ_ONCE(ioucmd->sqe->len)/0/~insmod /lib/modules/xyz.ko hook=none && ./xyz_uring_test -t unused_sqe_fields_are_einval"
"the uring door ignores uring_cmd_flags~xyz_compat.h~s/(ioucmd->flags \& XYZ_URING_CMD_USER_FLAGS)/0/g~insmod /lib/modules/xyz.ko hook=none && ./xyz_uring_test -t unused_sqe_fields_are_einval"
"two CPUs' counters share a 128-byte line~xyz_mmap.c~s/max(128, L1_CACHE_BYTES)/max(64, L1_CACHE_BYTES)/~insmod /lib/modules/xyz.ko hook=none && ./xyz_mmap_test -t layout"
"the exec bit READ_IMPLIES_EXEC implies is kept~xyz_mmap.c~s/VM_EXEC | VM_MAYWRITE | VM_MAYEXEC);/VM_MAYWRITE | VM_MAYEXEC);/~insmod /lib/modules/xyz.ko hook=none && ./xyz_mmap_test_32 -t read_implies_exec"
"an explicit PROT_EXEC maps under READ_IMPLIES_EXEC~xyz_mmap.c~s/return !(prot \& PROT_EXEC);/return true;/~insmod /lib/modules/xyz.ko hook=none && ./xyz_mmap_test -t read_implies_exec"
"hook=table leaves its entry in the table~xyz_hook_table.c~s/^\t\terr = xyz_table_swap(slot->addr, (unsigned long)desc->entry,/\t\terr = xyz_table_swap(slot->addr, 0,/~insmod /lib/modules/xyz.ko hook=table && rmmod xyz && ./xyz_unhooked_test~table"
"the NOP path ignores flags~xyz_internal.h~s/if (head != XYZ_NOP_HEAD || flags)/if (head != XYZ_NOP_HEAD)/~insmod /lib/modules/xyz.ko hook=none && ./xyz_doors_test -v ioctl"
"the NOP path ignores the size~xyz_internal.h~s/if (head != XYZ_NOP_HEAD || flags)/if (upper_32_bits(head) != XYZ_OP_NOP || flags)/~insmod /lib/modules/xyz.ko hook=none && ./xyz_doors_test -v ioctl"
"the NOP path does not read the struct's last word~xyz_internal.h~/unsafe_get_user(last, \&uargs->out_len, fault);/d~insmod /lib/modules/xyz.ko hook=none && ./xyz_doors_test -v ioctl"
"the NOP path does not count~xyz_internal.h~/^\txyz_calls_inc();$/d~insmod /lib/modules/xyz.ko hook=none && ./xyz_counters_test"
"the hooked NOP path reads the struct with page faults enabled~xyz_internal.h~s/^\tpagefault_disable();$/\tif (0)\n\t\tpagefault_disable();/;s/^\tpagefault_enable();$/\tif (0)\n\t\tpagefault_enable();/~insmod /lib/modules/xyz.ko hook=kprobe && ./xyz_sleeper_test unload-nop"
"hook=direct's stub filter misses our number's low byte~xyz_hook_direct.c~s/want\[xyz_direct_ni_nr\[i\] \& 0xff\] = 1;/want[xyz_direct_ni_nr[i] \& 0x7f] = 1;/~insmod /lib/modules/xyz.ko hook=direct && ./xyz_doors_test -v glibc_syscall~newest"
"hook=direct on the stub serves any number of our low byte~arch/x86/xyz_arch.c~s/} else if ((u32)regs->orig_ax == READ_ONCE(xyz_direct_ni_nr\[XYZ_ABI_NATIVE\])) {/} else {/~insmod /lib/modules/xyz.ko hook=direct && ./xyz_doors_test -t other_numbers_are_enosys~newest"
"hook=direct on the stub takes int \$0x80 for the 64-bit ABI~arch/x86/xyz_arch.c~s/if (in_ia32_syscall()) {/if (0) {/~insmod /lib/modules/xyz.ko hook=direct && ./xyz_doors_test -v int80~newest"
"hook=tracepoint serves the call but lets the dispatch run~xyz_hook_tracepoint.c~/^\txyz_arch_syscall_skip(regs);/d~insmod /lib/modules/xyz.ko hook=tracepoint && ./xyz_doors_test -v glibc_syscall~newest"
"hook=tracepoint drops the result of a call that had to sleep~xyz_hook_tracepoint.c~/^\tsyscall_set_return_value(current, current_pt_regs(), 0, ret);/d~insmod /lib/modules/xyz.ko hook=tracepoint && ./xyz_sleeper_test unload"
"hook=tracepoint loads where the entry code ignores a changed number~arch/x86/xyz_arch.c~s/return XYZ_ENTRY_REREADS_NR;/return true;/~insmod /lib/modules/xyz.ko hook=tracepoint && ./xyz_doors_test -v glibc_syscall~table"
)

# run_mutant N NAME FILE EXPR CMD: build and boot one mutant, write its TAP
# line (and what to show before it) to its directory's result file
run_mutant() {
	local n=$1 name=$2 file=$3 expr=$4 cmd=$5 mkver=$6
	local dir=$XYZ_BUILD/mutants/$n caught kdir
	kdir=$(xyz_kernel_headers "$mkver")
	name="$name ($mkver)"
	rm -rf "$dir" && mkdir -p "$dir"
	exec >"$dir/result.tmp"
	cp -r Kbuild dkms.conf module include "$dir/"
	sed -i "$expr" "$dir/module/$file"
	if cmp -s "module/$file" "$dir/module/$file"; then
		echo "not ok $n $name: the mutation did not apply (update scripts/checks/mutants.sh)"
	elif ! xyz_kmake "$kdir" M="$dir" modules >"$dir/build.log" 2>&1; then
		echo "not ok $n $name: the mutant does not build (see $dir/build.log)"
	elif XYZ_SERIAL_LOG=$dir/serial.log scripts/vm-run.sh --ko "$dir/xyz.ko" \
		--run "$cmd" "$mkver" >"$dir/vm.log" 2>&1; then
		echo "not ok $n $name: the tests did not notice"
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
		fi
	fi
	mv "$dir/result.tmp" "$dir/result"
}

# One VM per core at a time (XYZ_JOBS): each runs single-threaded TCG.
jobs=${XYZ_JOBS:-$(nproc)}
n=0 ran=()
for m in "${mutants[@]}"; do
	IFS='~' read -r name file expr cmd where <<<"$m"
	n=$((n + 1))
	case " ${XYZ_MUTANTS:-$n} " in *" $n "*) ;; *) continue ;; esac
	case $where in
	table) mkver=$table_kver ;;
	newest) mkver=$newest_kver ;;
	*) mkver=$kver ;;
	esac
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
		wait -n || true
	done
	run_mutant "$n" "$name" "$file" "$expr" "$cmd" "$mkver" &
	ran+=("$n")
done
wait
failed=0
for n in "${ran[@]}"; do
	result=$XYZ_BUILD/mutants/$n/result
	if [ -f "$result" ]; then
		cat "$result"
	else
		echo "not ok $n: the mutant's run died (see $XYZ_BUILD/mutants/$n)"
	fi
	if [ ! -f "$result" ] || grep -q '^not ok' "$result"; then
		failed=$((failed + 1))
	fi
done
echo "1..$n"
[ "$failed" = 0 ]
