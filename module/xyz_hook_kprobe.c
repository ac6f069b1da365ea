// SPDX-License-Identifier: GPL-2.0
/*
 * hook=kprobe: a kprobe on the "no such system call" stub that an unused
 * number reaches (__x64_sys_ni_syscall, which __ia32_sys_ni_syscall aliases).
 * When the number is ours, the pre-handler moves the instruction pointer to
 * our entry point, which then runs in plain syscall context (never inside the
 * handler, where faulting on user memory is not allowed).
 *
 * Only unused numbers pay for it: other system calls are untouched. Each xyz
 * call takes an int3 trap, though.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/container_of.h>
#include <linux/kprobes.h>
#include <linux/printk.h>
#include <asm/ptrace.h>
#include <asm/syscall.h>

#include "xyz_internal.h"

struct xyz_kprobe_hook {
	struct kprobe kp;
	unsigned int nr;
	bool ia32;
	unsigned long entry;
};

static struct xyz_kprobe_hook xyz_kprobe_hooks[XYZ_ABI_COUNT];

static int xyz_kprobe_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct xyz_kprobe_hook *hook = container_of(kp, struct xyz_kprobe_hook,
						    kp);
	/*
	 * The stub's argument is the user's registers; the dispatcher took
	 * the low 32 bits of orig_ax as the number.
	 */
	const struct pt_regs *user = (const struct pt_regs *)regs->di;

	if (in_ia32_syscall() != hook->ia32 || (u32)user->orig_ax != hook->nr)
		return 0;
	regs->ip = hook->entry;
	return 1;	/* ip changed: do not single-step the probed insn */
}

/*
 * Never called for our numbers (the pre-handler returns 1), but a kprobe
 * with a post-handler is never jump-optimized, and an optimized probe would
 * silently ignore the ip change (as kernel/fail_function.c notes).
 */
static void xyz_kprobe_post(struct kprobe *kp, struct pt_regs *regs,
			    unsigned long flags)
{
}

int xyz_kprobe_attach(enum xyz_abi abi, int nr)
{
	struct xyz_kprobe_hook *hook = &xyz_kprobe_hooks[abi];
	int err;

	hook->nr = nr;
	hook->ia32 = abi == XYZ_ABI_IA32;
	hook->entry = (unsigned long)xyz_abis[abi].entry;
	hook->kp = (struct kprobe) {
		.symbol_name	= xyz_abis[abi].ni_syscall,
		.pre_handler	= xyz_kprobe_pre,
		.post_handler	= xyz_kprobe_post,
	};
	err = register_kprobe(&hook->kp);
	if (err)
		pr_err("hook=kprobe: cannot probe %s: %d\n",
		       xyz_abis[abi].ni_syscall, err);
	return err;
}

void xyz_kprobe_detach(enum xyz_abi abi)
{
	/* Returns after a grace period: no CPU is in the handler any more. */
	unregister_kprobe(&xyz_kprobe_hooks[abi].kp);
}
