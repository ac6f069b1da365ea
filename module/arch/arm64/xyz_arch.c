// SPDX-License-Identifier: GPL-2.0
/*
 * arm64: one system call ABI (svc from AArch64), where its calls land, and
 * how a hook reads the call's number from the registers.
 *
 *	el0_svc() -> do_el0_svc() -> el0_svc_common() ->
 *		invoke_syscall(regs, nr, __NR_syscalls, sys_call_table) ->
 *		sys_call_table[nr](regs)
 *
 * Every entry of the table is long __arm64_sys_*(const struct pt_regs *),
 * arguments in regs->regs[0..5]. AArch32 tasks (do_el0_svc_compat(),
 * compat_sys_call_table) are out of scope: compat_nr reads -1.
 */
#include <linux/compat.h>
#include <linux/ftrace.h>
#include <linux/kernel.h>
#include <linux/sched.h>
#include <asm/ptrace.h>
#include <asm/syscall.h>
#include <asm/unistd.h>

#include "xyz_compat.h"
#include "xyz_internal.h"

/*
 * 400 is a hole of the generic table arm64 uses: nothing between
 * kexec_file_load (294) and the 32-bit-only time64 calls (403..423).
 */
int xyz_nr = 400;
int xyz_compat_nr = -1;

/* Called like a table entry by invoke_syscall(). */
long xyz_arm64_entry(const struct pt_regs *regs)
{
	return xyz_syscall((struct xyz_args __user *)regs->regs[0],
			   XYZ_DOOR_SYSCALL);
}

/*
 * hook=ftrace enters this instead of invoke_syscall(regs, nr, ...), which
 * stores the result in the user's x0 itself.
 */
void xyz_arm64_invoke(struct pt_regs *regs, unsigned int nr)
{
	syscall_set_return_value(current, regs, 0, xyz_arm64_entry(regs));
}

/*
 * The stub's argument is the user's registers; el0_svc_common() put the
 * number in syscallno. AArch32 tasks reach the same stub for their own
 * numbers: not ours.
 */
bool xyz_arch_ni_call_is(const struct pt_regs *regs, enum xyz_abi abi,
			 unsigned int nr)
{
	const struct pt_regs *user = (const struct pt_regs *)regs->regs[0];

	return abi == XYZ_ABI_NATIVE && !is_compat_task() &&
	       (u32)user->syscallno == nr;
}

/*
 * arm64 has ftrace with arguments, not with the full regs: the callback
 * reads the arguments and sets the pc that ftrace_caller returns to (with
 * the caller's lr restored, so the stand-in returns to el0_svc_common()).
 */
const unsigned long xyz_arch_ftrace_flags = FTRACE_OPS_FL_IPMODIFY;

/*
 * The prot the caller of mmap() asked for, from the system call's own
 * arguments: f_op->mmap() sees only the vma's flags, which already hold the
 * PROT_EXEC that a READ_IMPLIES_EXEC personality adds to PROT_READ. False
 * when the call is not mmap() (AArch32 tasks are out of scope).
 */
bool xyz_arch_mmap_prot(unsigned long *prot)
{
	struct pt_regs *regs = current_pt_regs();
	unsigned long args[6];

	if (is_compat_task() || syscall_get_nr(current, regs) != __NR_mmap)
		return false;
	syscall_get_arguments(current, regs, args);
	*prot = args[2];
	return true;
}

/* Calls nothing traceable: no recursion protection needed (see x86's). */
void notrace xyz_ftrace_func(unsigned long ip, unsigned long parent_ip,
			     struct ftrace_ops *op,
			     struct xyz_ftrace_regs *fregs)
{
	struct xyz_ftrace_hook *hook = container_of(op, struct xyz_ftrace_hook,
						    ops);

	/* invoke_syscall(regs, nr, ...): nr is the second argument */
	if ((unsigned int)ftrace_regs_get_argument(fregs, 1) == hook->nr &&
	    !is_compat_task())
		ftrace_regs_set_instruction_pointer(fregs, hook->entry);
}

/*
 * The syscall table this very kernel was built from (kbuild generates it).
 * sys.c takes the native entry of a slot with a compat one; its name says
 * both, and such a slot is never free.
 */
#define __SYSCALL(nr, sym)	{ nr, #sym },
#define __SYSCALL_NORETURN(nr, sym)	__SYSCALL(nr, sym)
#define __SYSCALL_WITH_COMPAT(nr, native, compat) \
	{ nr, #native " (compat " #compat ")" },
#define __SYSCALL_COMPAT_NORETURN(nr, native, compat) \
	__SYSCALL_WITH_COMPAT(nr, native, compat)

static const struct xyz_slot xyz_arm64_slots[] = {
#include <asm/syscall_table_64.h>
};

#undef __SYSCALL
#undef __SYSCALL_NORETURN
#undef __SYSCALL_WITH_COMPAT
#undef __SYSCALL_COMPAT_NORETURN

const struct xyz_abi_desc xyz_abis[XYZ_ABI_COUNT] = {
	[XYZ_ABI_NATIVE] = {
		.param		= "nr",
		.dispatch	= "invoke_syscall",
		.dispatch_entry	= xyz_arm64_invoke,
		.ni_syscall	= "__arm64_sys_ni_syscall",
		.entry		= xyz_arm64_entry,
		.slots		= xyz_arm64_slots,
		.nslots		= ARRAY_SIZE(xyz_arm64_slots),
	},
	[XYZ_ABI_COMPAT] = {
		.param		= "compat_nr",
		.absent		= "AArch32 tasks are out of scope",
	},
};
