// SPDX-License-Identifier: GPL-2.0
/*
 * hook=direct: an ftrace direct call (the mechanism of BPF trampolines) on
 * the dispatcher. The fentry site calls our few instructions of assembly
 * (xyz_hook_direct_tramp.S) without ftrace's register save: the fast door,
 * at a fraction of hook=ftrace's tax on every other system call.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ftrace.h>
#include <linux/errno.h>
#include <linux/printk.h>

#include "xyz_compat.h"
#include "xyz_internal.h"

/* Read by the trampolines; written only before they are attached. */
u32 xyz_direct_nr_x64;
u32 xyz_direct_nr_ia32;

struct xyz_direct_hook {
	struct ftrace_ops ops;
	u32 *nr;
	void (*tramp)(void);
};

/*
 * A livepatch (an IPMODIFY ftrace_ops) may share the dispatcher with us, as
 * with a BPF trampoline: ftrace then calls the livepatch first and enters
 * our trampoline with the ip it chose on the stack. The trampoline returns
 * into that ip when the number is not ours, so sharing needs no change in
 * either direction; without this answer ftrace refuses the livepatch (EBUSY).
 */
static int xyz_direct_share(struct ftrace_ops *ops, enum ftrace_ops_cmd cmd)
{
	return 0;
}

static struct xyz_direct_hook xyz_direct_hooks[XYZ_ABI_COUNT] = {
	[XYZ_ABI_X64] = {
		.ops.ops_func	= xyz_direct_share,
		.nr		= &xyz_direct_nr_x64,
		.tramp		= xyz_direct_tramp_x64,
	},
	[XYZ_ABI_IA32] = {
		.ops.ops_func	= xyz_direct_share,
		.nr		= &xyz_direct_nr_ia32,
		.tramp		= xyz_direct_tramp_ia32,
	},
};

int xyz_direct_attach(enum xyz_abi abi, int nr)
{
	const char *func = xyz_abis[abi].dispatch;
	struct xyz_direct_hook *hook = &xyz_direct_hooks[abi];
	unsigned long addr = xyz_function_site(func);
	int err;

	if (!addr) {
		pr_err("hook=direct: %s() is not in this kernel, or cannot be probed\n",
		       func);
		return -ENOENT;
	}
	*hook->nr = nr;
	err = ftrace_set_filter_ip(&hook->ops, addr, 0, 0);
	if (!err)
		err = xyz_register_ftrace_direct(&hook->ops,
						 (unsigned long)hook->tramp);
	if (err == -EBUSY)
		pr_err("hook=direct: %s() already has a direct call (a BPF trampoline?), and ftrace allows one: use hook=ftrace or kprobe\n",
		       func);
	else if (err)
		pr_err("hook=direct: cannot attach to %s(): %d\n", func, err);
	if (err)
		ftrace_free_filter(&hook->ops);
	return err;
}

void xyz_direct_detach(enum xyz_abi abi)
{
	struct xyz_direct_hook *hook = &xyz_direct_hooks[abi];

	xyz_unregister_ftrace_direct(&hook->ops, (unsigned long)hook->tramp);
}
