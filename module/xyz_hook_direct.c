// SPDX-License-Identifier: GPL-2.0
/*
 * hook=direct: an ftrace direct call (the mechanism of BPF trampolines) on
 * the dispatcher. The fentry site calls our few instructions of assembly
 * (module/arch/<arch>/xyz_hook_direct_tramp.S) without ftrace's register
 * save: the fast door, at a fraction of hook=ftrace's tax on every other
 * system call.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ftrace.h>
#include <linux/errno.h>
#include <linux/printk.h>

#include "xyz_compat.h"
#include "xyz_internal.h"

struct xyz_direct_hook {
	struct ftrace_ops ops;
};

static struct xyz_direct_hook xyz_direct_hooks[XYZ_ABI_COUNT];

int xyz_direct_attach(enum xyz_abi abi, int nr)
{
	const struct xyz_abi_desc *desc = &xyz_abis[abi];
	const char *func = desc->dispatch;
	struct xyz_direct_hook *hook = &xyz_direct_hooks[abi];
	unsigned long addr;
	int err;

	if (!desc->direct_tramp) {
		pr_err("hook=direct: no trampoline for %s() on this architecture: use hook=table, kprobe or ftrace\n",
		       func);
		return -EOPNOTSUPP;
	}
	addr = xyz_function_site(func);
	if (!addr) {
		pr_err("hook=direct: %s() is not in this kernel, or cannot be probed\n",
		       func);
		return -ENOENT;
	}
	*desc->direct_nr = nr;
	/*
	 * A livepatch (an IPMODIFY ftrace_ops) may share the dispatcher with
	 * us, as with a BPF trampoline: ftrace then calls the livepatch first
	 * and enters our trampoline with the ip it chose on the stack. The
	 * trampoline returns into that ip when the number is not ours, so
	 * sharing needs no change in either direction; without an ops_func
	 * that agrees, ftrace refuses the livepatch (EBUSY).
	 */
	xyz_ftrace_direct_share(&hook->ops);
	err = ftrace_set_filter_ip(&hook->ops, addr, 0, 0);
	if (err) {
		/* 7.2 builds x64_sys_call() without an ftrace site */
		pr_err("hook=direct: %s() is not ftrace-able on this kernel (%d): use hook=kprobe\n",
		       func, err);
		xyz_ftrace_free_filter(&hook->ops);
		return err;
	}
	err = xyz_register_ftrace_direct(&hook->ops,
					 (unsigned long)desc->direct_tramp);
	if (err == -EBUSY)
		pr_err("hook=direct: %s() already has a direct call (a BPF trampoline?), and ftrace allows one: use hook=ftrace or kprobe\n",
		       func);
	else if (err)
		pr_err("hook=direct: cannot attach to %s(): %d\n", func, err);
	if (err)
		xyz_ftrace_free_filter(&hook->ops);
	return err;
}

void xyz_direct_detach(enum xyz_abi abi)
{
	struct xyz_direct_hook *hook = &xyz_direct_hooks[abi];

	xyz_unregister_ftrace_direct(&hook->ops,
				     (unsigned long)xyz_abis[abi].direct_tramp);
}
