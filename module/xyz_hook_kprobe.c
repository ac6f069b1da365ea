// SPDX-License-Identifier: GPL-2.0
/*
 * hook=kprobe: a kprobe on the "no such system call" stub that an unused
 * number reaches (__x64_sys_ni_syscall, which __ia32_sys_ni_syscall aliases;
 * __arm64_sys_ni_syscall). When the number is ours, the pre-handler moves the
 * instruction pointer to our entry point, which then runs in plain syscall
 * context (never inside the handler, where faulting on user memory is not
 * allowed), with the stub's argument, and returns where the stub would have.
 *
 * Only unused numbers pay for it: other system calls are untouched. Each xyz
 * call takes a trap (int3, brk), though.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/printk.h>
#include <asm/ptrace.h>

#include "xyz_internal.h"

struct xyz_kprobe_hook {
	struct kprobe kp;
	unsigned int nr;
	enum xyz_abi abi;
	unsigned long entry;
};

static struct xyz_kprobe_hook xyz_kprobe_hooks[XYZ_ABI_COUNT];

static int xyz_kprobe_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct xyz_kprobe_hook *hook = container_of(kp, struct xyz_kprobe_hook,
						    kp);

	if (!xyz_arch_ni_call_is(regs, hook->abi, hook->nr))
		return 0;
	instruction_pointer_set(regs, hook->entry);
	return 1;	/* ip changed: do not single-step the probed insn */
}

/*
 * Never called for our numbers (the pre-handler returns 1), but a kprobe
 * with a post-handler is never jump-optimized, and an optimized probe would
 * silently ignore the ip change (as kernel/fail_function.c notes). arm64
 * optimizes no kprobe today: harmless there.
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
	hook->abi = abi;
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
