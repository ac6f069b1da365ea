// SPDX-License-Identifier: GPL-2.0
/*
 * hook=ftrace: an IPMODIFY ftrace_ops on the dispatcher (x64_sys_call(),
 * ia32_sys_call(); arm64: invoke_syscall()) whose callback moves the
 * instruction pointer to our entry point when the number is ours. It is the
 * livepatch mechanism, so it routes wherever DYNAMIC_FTRACE_WITH_REGS
 * exists; the price is that every system call on the machine now passes
 * through the ftrace trampoline.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ftrace.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/printk.h>
#include <asm/ptrace.h>

#include "xyz_compat.h"
#include "xyz_internal.h"

/* The callback, xyz_ftrace_func(), reads the registers: module/arch/<arch>. */
static struct xyz_ftrace_hook xyz_ftrace_hooks[XYZ_ABI_COUNT];

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
	hook->entry = (unsigned long)xyz_abis[abi].dispatch_entry;
	hook->ops.func = xyz_ftrace_func;
	hook->ops.flags = xyz_arch_ftrace_flags;
	err = ftrace_set_filter_ip(&hook->ops, addr, 0, 0);
	if (err) {
		/* 7.2 builds x64_sys_call() without an ftrace site */
		pr_err("hook=ftrace: %s() is not ftrace-able on this kernel (%d): use hook=kprobe\n",
		       func, err);
		xyz_ftrace_free_filter(&hook->ops);
		return err;
	}
	err = register_ftrace_function(&hook->ops);
	if (err == -EBUSY)
		pr_err("hook=ftrace: %s() already has a user that moves the instruction pointer (a livepatch?), and ftrace allows one: use hook=direct or kprobe\n",
		       func);
	else if (err)
		pr_err("hook=ftrace: cannot attach to %s(): %d\n", func, err);
	if (err)
		xyz_ftrace_free_filter(&hook->ops);
	return err;
}

void xyz_ftrace_detach(enum xyz_abi abi)
{
	struct xyz_ftrace_hook *hook = &xyz_ftrace_hooks[abi];

	/* Returns once no CPU can be in the callback any more. */
	unregister_ftrace_function(&hook->ops);
	xyz_ftrace_free_filter(&hook->ops);
}
