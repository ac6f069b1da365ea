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

static struct xyz_direct_hook xyz_direct_hooks[XYZ_ABI_COUNT] = {
	[XYZ_ABI_X64] = {
		.nr	= &xyz_direct_nr_x64,
		.tramp	= xyz_direct_tramp_x64,
	},
	[XYZ_ABI_IA32] = {
		.nr	= &xyz_direct_nr_ia32,
		.tramp	= xyz_direct_tramp_ia32,
	},
};

static int xyz_direct_attach(enum xyz_abi abi, int nr)
{
	const char *func = xyz_abis[abi].dispatch;
	struct xyz_direct_hook *hook = &xyz_direct_hooks[abi];
	unsigned long addr = xyz_lookup_name(func);
	int err;

	if (!addr) {
		pr_err("hook=direct: %s() not found in this kernel\n", func);
		return -ENOENT;
	}
	*hook->nr = nr;
	err = ftrace_set_filter_ip(&hook->ops, addr, 0, 0);
	if (!err)
		err = xyz_register_ftrace_direct(&hook->ops,
						 (unsigned long)hook->tramp);
	if (err) {
		pr_err("hook=direct: cannot attach to %s(): %d\n", func, err);
		ftrace_free_filter(&hook->ops);
	}
	return err;
}

static void xyz_direct_detach(enum xyz_abi abi)
{
	struct xyz_direct_hook *hook = &xyz_direct_hooks[abi];

	xyz_unregister_ftrace_direct(&hook->ops, (unsigned long)hook->tramp);
}

const struct xyz_hook_ops xyz_hook_direct_ops = {
	.name	= "direct",
	.id	= XYZ_HOOK_DIRECT,
	.attach	= xyz_direct_attach,
	.detach	= xyz_direct_detach,
};
