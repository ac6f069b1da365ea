// SPDX-License-Identifier: GPL-2.0
/*
 * hook=direct: an ftrace direct call (the mechanism of BPF trampolines).
 * The fentry site calls our few instructions of assembly
 * (module/arch/<arch>/xyz_hook_direct_tramp.S) without ftrace's register
 * save. Two sites, the first that has one:
 *
 *	the "no such system call" stub (__x64_sys_ni_syscall; 7.x builds it
 *		with an fentry site): only unused numbers ever get there, so
 *		every used system call pays nothing at all. One stub, one
 *		trampoline, for both ABIs: it tells them apart itself.
 *	the dispatcher (x64_sys_call(), ia32_sys_call(); 6.1 to 6.14):
 *		every system call pays a call, a compare and a return.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ftrace.h>
#include <linux/errno.h>
#include <linux/limits.h>
#include <linux/printk.h>

#include "xyz_compat.h"
#include "xyz_internal.h"

enum xyz_direct_site {
	XYZ_DIRECT_NOWHERE,
	XYZ_DIRECT_DISPATCHER,
	XYZ_DIRECT_STUB,
};

static struct ftrace_ops xyz_direct_ops[XYZ_ABI_COUNT];
static enum xyz_direct_site xyz_direct_site[XYZ_ABI_COUNT];

/* The stub's one ftrace_ops, shared by the ABIs routed through it. */
static struct ftrace_ops xyz_direct_ni_ops;
static unsigned long xyz_direct_ni_site;
static unsigned int xyz_direct_ni_users;

/*
 * Read by xyz_direct_tramp_ni (a byte per low byte of a number routed) and
 * by xyz_direct_ni_entry() (the numbers in full; U32_MAX: none, which no
 * call reaching the stub has).
 */
u8 xyz_direct_ni_filter[256];
u32 xyz_direct_ni_nr[XYZ_ABI_COUNT] = { [0 ... XYZ_ABI_COUNT - 1] = U32_MAX };

/* A filter byte for each number routed: set before, cleared after use. */
static void xyz_direct_ni_filter_update(void)
{
	u8 want[ARRAY_SIZE(xyz_direct_ni_filter)] = { 0 };
	size_t i;

	for (i = 0; i < XYZ_ABI_COUNT; i++)
		if (xyz_direct_ni_nr[i] != U32_MAX)
			want[xyz_direct_ni_nr[i] & 0xff] = 1;
	for (i = 0; i < ARRAY_SIZE(want); i++)
		WRITE_ONCE(xyz_direct_ni_filter[i], want[i]);
}

/*
 * The trampoline's ftrace_ops on the site at @addr: -ENOENT when the
 * function has no ftrace site. A livepatch (an IPMODIFY ftrace_ops) may
 * share the site with us, as with a BPF trampoline: ftrace then calls the
 * livepatch first and enters our trampoline with the ip it chose on the
 * stack. The trampoline returns into that ip when the number is not ours,
 * so sharing needs no change in either direction; without an ops_func that
 * agrees, ftrace refuses the livepatch (EBUSY).
 */
static int xyz_direct_register(struct ftrace_ops *ops, unsigned long addr,
			       void (*tramp)(void), const char *func)
{
	int err;

	xyz_ftrace_direct_share(ops);
	err = ftrace_set_filter_ip(ops, addr, 0, 0);
	if (err) {
		xyz_ftrace_free_filter(ops);
		if (err == -EINVAL)
			return -ENOENT;	/* no ftrace site at that address */
		pr_err("hook=direct: cannot trace %s(): %d\n", func, err);
		return err;
	}
	err = xyz_register_ftrace_direct(ops, (unsigned long)tramp);
	if (err == -EBUSY)
		pr_err("hook=direct: %s() already has a direct call (a BPF trampoline?), and ftrace allows one: use hook=ftrace or kprobe\n",
		       func);
	else if (err)
		pr_err("hook=direct: cannot attach to %s(): %d\n", func, err);
	if (err) {
		xyz_ftrace_free_filter(ops);
		/* never mistaken for "no site": that error is the filter's */
		if (err == -ENOENT)
			err = -EINVAL;
	}
	return err;
}

/*
 * The stub's site, if it has one (-ENOENT if not). ftrace may know the
 * address under another name (7.2 lists __do_sys_ni_syscall): it is found
 * by address, never by name.
 */
static int xyz_direct_ni_attach(enum xyz_abi abi, int nr)
{
	const struct xyz_abi_desc *desc = &xyz_abis[abi];
	unsigned long addr;
	int err;

	if (!desc->direct_ni_tramp)
		return -ENOENT;
	addr = xyz_function_site(desc->ni_syscall);
	if (!addr)
		return -ENOENT;
	if (xyz_direct_ni_users) {
		/* both ABIs' stubs are one function wherever it has a site */
		if (addr != xyz_direct_ni_site)
			return -ENOENT;
		WRITE_ONCE(xyz_direct_ni_nr[abi], nr);
		xyz_direct_ni_filter_update();
		xyz_direct_ni_users++;
		return 0;
	}
	xyz_direct_ni_nr[abi] = nr;
	xyz_direct_ni_filter_update();
	err = xyz_direct_register(&xyz_direct_ni_ops, addr,
				  desc->direct_ni_tramp, desc->ni_syscall);
	if (err) {
		xyz_direct_ni_nr[abi] = U32_MAX;
		xyz_direct_ni_filter_update();
		/* -ENOENT, no site there (5.10 to 6.14): the dispatcher's, then */
		return err;
	}
	xyz_direct_ni_site = addr;
	xyz_direct_ni_users = 1;
	pr_info("hook=direct: on the ftrace site of %s(), which only unused numbers reach: no other system call pays\n",
		desc->ni_syscall);
	return 0;
}

static void xyz_direct_ni_detach(enum xyz_abi abi)
{
	WRITE_ONCE(xyz_direct_ni_nr[abi], U32_MAX);
	xyz_direct_ni_filter_update();
	if (--xyz_direct_ni_users)
		return;
	xyz_unregister_ftrace_direct(&xyz_direct_ni_ops,
				     (unsigned long)xyz_abis[abi].direct_ni_tramp);
}

int xyz_direct_attach(enum xyz_abi abi, int nr)
{
	const struct xyz_abi_desc *desc = &xyz_abis[abi];
	const char *func = desc->dispatch;
	unsigned long addr;
	int err;

	if (!desc->direct_tramp) {
		pr_err("hook=direct: no trampoline for %s() on this architecture: use hook=table, kprobe or ftrace\n",
		       func);
		return -EOPNOTSUPP;
	}
	err = xyz_direct_ni_attach(abi, nr);
	if (err != -ENOENT) {
		if (!err)
			xyz_direct_site[abi] = XYZ_DIRECT_STUB;
		return err;
	}
	addr = xyz_function_site(func);
	if (!addr) {
		pr_err("hook=direct: %s() is not in this kernel, or cannot be probed (and %s() has no ftrace site)\n",
		       func, desc->ni_syscall);
		return -ENOENT;
	}
	*desc->direct_nr = nr;
	err = xyz_direct_register(&xyz_direct_ops[abi], addr,
				  desc->direct_tramp, func);
	if (err == -ENOENT) {
		/* 7.x builds x64_sys_call() without an ftrace site */
		pr_err("hook=direct: %s() is not ftrace-able on this kernel, nor is %s(): use hook=kprobe\n",
		       func, desc->ni_syscall);
		err = -EINVAL;
	}
	if (!err)
		xyz_direct_site[abi] = XYZ_DIRECT_DISPATCHER;
	return err;
}

void xyz_direct_detach(enum xyz_abi abi)
{
	switch (xyz_direct_site[abi]) {
	case XYZ_DIRECT_STUB:
		xyz_direct_ni_detach(abi);
		break;
	case XYZ_DIRECT_DISPATCHER:
		xyz_unregister_ftrace_direct(&xyz_direct_ops[abi],
					     (unsigned long)xyz_abis[abi].direct_tramp);
		break;
	default:
		break;
	}
	xyz_direct_site[abi] = XYZ_DIRECT_NOWHERE;
}
