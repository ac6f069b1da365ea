// SPDX-License-Identifier: GPL-2.0
/*
 * Where a hooked system call lands. Every hook backend routes the chosen
 * number here, in ordinary syscall context (never inside a probe handler), so
 * sys_xyz may fault on user memory and sleep.
 *
 * Unload discipline: a call inside sys_xyz is an SRCU reader, and the
 * module waits for its readers on the way out (xyz_wait_for_callers()). The
 * per-CPU SRCU counters keep callers on different CPUs apart, where a module
 * reference would bounce one cache line between them on every call.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compat.h>
#include <linux/errno.h>
#include <linux/kprobes.h>
#include <linux/printk.h>
#include <linux/rcupdate.h>
#include <linux/srcu.h>
#include <linux/string.h>
#include <asm/ptrace.h>

#include "xyz_internal.h"

DEFINE_STATIC_SRCU(xyz_callers);

long xyz_x64_entry(const struct pt_regs *regs)
{
	int idx = srcu_read_lock(&xyz_callers);
	long ret;

	ret = sys_xyz((struct xyz_args __user *)regs->di, XYZ_DOOR_SYSCALL);
	srcu_read_unlock(&xyz_callers, idx);
	return ret;
}

long xyz_ia32_entry(const struct pt_regs *regs)
{
	int idx = srcu_read_lock(&xyz_callers);
	long ret;

	ret = sys_xyz(compat_ptr((u32)regs->bx), XYZ_DOOR_COMPAT);
	srcu_read_unlock(&xyz_callers, idx);
	return ret;
}

/*
 * Called once the hooks are gone: afterwards no task is, or will be, on
 * module text it reached through them.
 */
void xyz_wait_for_callers(void)
{
	/*
	 * A task between a hook and srcu_read_lock() cannot sleep on the way:
	 * once every task switched voluntarily (RCU-tasks), it is a reader.
	 */
	synchronize_rcu_tasks();
	/* Readers may sleep in sys_xyz (page faults): wait for them all. */
	synchronize_srcu(&xyz_callers);
	/* And for the few instructions after srcu_read_unlock(). */
	synchronize_rcu_tasks();
}

/*
 * The address of a kernel function, as data only: never call it. A disabled
 * kprobe resolves the name without arming anything; its address is the
 * function's ftrace site (past the ENDBR on IBT kernels), which is what
 * ftrace_set_filter_ip() wants. Calling through it would land where IBT has
 * sealed the ENDBR and BUG() on real hardware (scripts/lint.sh checks that
 * the module makes no such call).
 */
unsigned long xyz_function_site(const char *name)
{
	struct kprobe kp = {
		.symbol_name	= name,
		.flags		= KPROBE_FLAG_DISABLED,
	};
	unsigned long addr;

	if (register_kprobe(&kp) < 0)
		return 0;
	addr = (unsigned long)kp.addr;
	unregister_kprobe(&kp);
	return addr;
}

/*
 * The syscall tables this very kernel was built from (kbuild generates them
 * into the headers every module builds against): a slot is free when it holds
 * sys_ni_syscall.
 */
struct xyz_slot {
	int nr;
	const char *name;
};

#define __SYSCALL(nr, sym)		{ nr, #sym },
#define __SYSCALL_NORETURN(nr, sym)	{ nr, #sym },
#define __SYSCALL_WITH_COMPAT(nr, native, compat) \
	{ nr, #compat " (native " #native ")" },

static const struct xyz_slot xyz_x64_slots[] = {
#include <asm/syscalls_64.h>
};

static const struct xyz_slot xyz_ia32_slots[] = {
#include <asm/syscalls_32.h>
};

#undef __SYSCALL
#undef __SYSCALL_NORETURN
#undef __SYSCALL_WITH_COMPAT

static int xyz_check_number(const char *what, int nr,
			    const struct xyz_slot *slots, size_t count)
{
	size_t i;

	if (nr == -1)
		return 0;
	if (nr < 0 || nr > slots[count - 1].nr) {
		pr_err("%s=%d is outside this kernel's table (0..%d)\n",
		       what, nr, slots[count - 1].nr);
		return -EINVAL;
	}
	for (i = 0; i < count; i++) {
		if (slots[i].nr == nr && strcmp(slots[i].name, "sys_ni_syscall")) {
			pr_err("%s=%d belongs to %s: choose a free slot\n",
			       what, nr, slots[i].name);
			return -EBUSY;
		}
	}
	return 0;
}

int xyz_check_numbers(int nr, int compat_nr)
{
	int err;

	err = xyz_check_number("nr", nr, xyz_x64_slots,
			       ARRAY_SIZE(xyz_x64_slots));
	if (err)
		return err;
	return xyz_check_number("compat_nr", compat_nr, xyz_ia32_slots,
				ARRAY_SIZE(xyz_ia32_slots));
}

const struct xyz_abi_desc xyz_abis[XYZ_ABI_COUNT] = {
	[XYZ_ABI_X64] = {
		.dispatch	= "x64_sys_call",
		.ni_syscall	= "__x64_sys_ni_syscall",
		.entry		= xyz_x64_entry,
	},
	[XYZ_ABI_IA32] = {
		.dispatch	= "ia32_sys_call",
		.ni_syscall	= "__ia32_sys_ni_syscall",
		.entry		= xyz_ia32_entry,
	},
};
