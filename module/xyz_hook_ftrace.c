// SPDX-License-Identifier: GPL-2.0
/*
 * hook=ftrace: an IPMODIFY ftrace_ops on the dispatcher (x64_sys_call(),
 * ia32_sys_call()) whose callback moves the instruction pointer to our entry
 * point when the number is ours. It is the livepatch mechanism, so it routes
 * wherever DYNAMIC_FTRACE_WITH_REGS exists; the price is that every system
 * call on the machine now passes through the ftrace trampoline.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/container_of.h>
#include <linux/ftrace.h>
#include <linux/errno.h>
#include <linux/printk.h>
#include <asm/ptrace.h>

#include "xyz_internal.h"

struct xyz_ftrace_hook {
	struct ftrace_ops ops;
	unsigned int nr;
	unsigned long entry;
};

static struct xyz_ftrace_hook xyz_ftrace_hooks[XYZ_ABI_COUNT];

/*
 * The callback calls nothing that can be traced, so it needs no recursion
 * protection: without FTRACE_OPS_FL_RECURSION ftrace calls it straight from
 * the trampoline instead of through ftrace_ops_assist_func(), on every system
 * call of the machine.
 */
static void notrace xyz_ftrace_func(unsigned long ip, unsigned long parent_ip,
				    struct ftrace_ops *op,
				    struct ftrace_regs *fregs)
{
	struct xyz_ftrace_hook *hook = container_of(op, struct xyz_ftrace_hook,
						    ops);
	struct pt_regs *regs = ftrace_get_regs(fregs);

	/* dispatcher(regs, nr): nr is the second argument */
	if ((unsigned int)regs->si == hook->nr)
		regs->ip = hook->entry;
}

int xyz_ftrace_attach(enum xyz_abi abi, int nr)
{
	const char *func = xyz_abis[abi].dispatch;
	struct xyz_ftrace_hook *hook = &xyz_ftrace_hooks[abi];
	unsigned long addr = xyz_function_site(func);
	int err;

	if (!addr) {
		pr_err("hook=ftrace: %s() is not in this kernel, or cannot be probed\n",
		       func);
		return -ENOENT;
	}
	hook->nr = nr;
	hook->entry = (unsigned long)xyz_abis[abi].entry;
	hook->ops.func = xyz_ftrace_func;
	hook->ops.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY;
	err = ftrace_set_filter_ip(&hook->ops, addr, 0, 0);
	if (!err)
		err = register_ftrace_function(&hook->ops);
	if (err == -EBUSY)
		pr_err("hook=ftrace: %s() already has a user that moves the instruction pointer (a livepatch?), and ftrace allows one: use hook=direct or kprobe\n",
		       func);
	else if (err)
		pr_err("hook=ftrace: cannot attach to %s(): %d\n", func, err);
	if (err)
		ftrace_free_filter(&hook->ops);
	return err;
}

void xyz_ftrace_detach(enum xyz_abi abi)
{
	struct xyz_ftrace_hook *hook = &xyz_ftrace_hooks[abi];

	/* Returns once no CPU can be in the callback any more. */
	unregister_ftrace_function(&hook->ops);
	ftrace_free_filter(&hook->ops);
}
