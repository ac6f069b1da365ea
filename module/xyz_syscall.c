// SPDX-License-Identifier: GPL-2.0
/*
 * Where a hooked system call lands. Every hook backend but one routes the
 * chosen number to its architecture's entry point
 * (module/arch/<arch>/xyz_arch.c), in ordinary syscall context (never inside
 * a probe handler), so sys_xyz may fault on user memory and sleep; the entry
 * takes the user's arguments from the registers and calls xyz_syscall().
 * hook=tracepoint serves a call in its probe only as far as it needs no
 * sleep (xyz_nop(), xyz_call() with nowait), and the rest from task work,
 * through xyz_syscall() too (xyz_hook_tracepoint.c).
 *
 * Unload discipline: a call that may sleep is an SRCU reader from before it
 * can, and the module waits for its readers on the way out
 * (xyz_wait_for_callers()); one that never sleeps (a NOP) needs no more than
 * the RCU-tasks wait there. The per-CPU SRCU counters keep callers on
 * different CPUs apart, where a module reference would bounce one cache line
 * between them on every call.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/printk.h>
#include <linux/rcupdate.h>
#include <linux/srcu.h>
#include <linux/string.h>

#include "xyz_compat.h"
#include "xyz_internal.h"

XYZ_DEFINE_SRCU(xyz_callers);

/*
 * Called once the hooks are gone: afterwards no task is, or will be, on
 * module text it reached through them.
 */
void xyz_wait_for_callers(void)
{
	/*
	 * A task between a hook and srcu_read_lock() cannot sleep on the way,
	 * nor can one that is served without it (a NOP): once every task
	 * switched voluntarily (RCU-tasks), each such task has left module
	 * text or is a reader. A preempted task has not switched voluntarily.
	 */
	synchronize_rcu_tasks();
	/* Readers may sleep (page faults): wait for them all. */
	synchronize_srcu(&xyz_callers);
	/* And for the few instructions after srcu_read_unlock(). */
	synchronize_rcu_tasks();
}

/*
 * The address of a kernel function, as data only: never call it. A disabled
 * kprobe resolves the name without arming anything; its address is the
 * function's ftrace site (past the ENDBR on IBT kernels), which is what
 * ftrace_set_filter_ip() wants. Calling through it would land where IBT has
 * sealed the ENDBR and BUG() on real hardware (scripts/checks/lint.sh checks
 * that the module makes no such call).
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
 * Is @addr exactly the start of the symbol @name? Then *@size is its size
 * (sprint_symbol() prints "name+0x0/0xsize"). A check against the kernel's
 * own symbol table for addresses found as data (hook=table).
 */
bool xyz_symbol_is(unsigned long addr, const char *name, unsigned long *size)
{
	char buf[KSYM_SYMBOL_LEN];
	size_t len = strlen(name);

	sprint_symbol(buf, addr);
	if (strncmp(buf, name, len) || strncmp(buf + len, "+0x0/", 5))
		return false;
	return !size || sscanf(buf + len + 5, "%lx", size) == 1;
}

/*
 * A number is checked against the syscall table this very kernel was built
 * from (kbuild generates it into the headers every module builds against,
 * the architecture's xyz_arch.c includes it): a slot is free when it holds
 * sys_ni_syscall.
 */
static int xyz_check_number(const char *what, int nr,
			    const struct xyz_slot *slots, size_t count)
{
	int max = 0;
	size_t i;

	if (nr == -1)
		return 0;
	for (i = 0; i < count; i++)
		max = max(max, slots[i].nr);
	if (nr < 0 || nr > max) {
		pr_err("%s=%d is outside this kernel's table (0..%d)\n",
		       what, nr, max);
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

static int xyz_check_abi(enum xyz_abi abi, int nr)
{
	const struct xyz_abi_desc *desc = &xyz_abis[abi];

	if (nr != -1 && !desc->entry) {
		pr_err("%s=%d: no such door on this architecture (%s): use %s=-1\n",
		       desc->param, nr, desc->absent, desc->param);
		return -EINVAL;
	}
	return xyz_check_number(desc->param, nr, desc->slots, desc->nslots);
}

int xyz_check_numbers(int nr, int compat_nr)
{
	int err;

	err = xyz_check_abi(XYZ_ABI_NATIVE, nr);
	if (err)
		return err;
	return xyz_check_abi(XYZ_ABI_COMPAT, compat_nr);
}
