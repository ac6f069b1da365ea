// SPDX-License-Identifier: GPL-2.0
/*
 * x86-64: the two system call ABIs, where their calls land, and how a hook
 * reads the call's number from the registers.
 *
 *	syscall instruction: do_syscall_64() -> x64_sys_call(regs, nr), or
 *		sys_call_table[nr](regs) before the BHI fix (5.10)
 *	int $0x80, 32-bit programs: do_int80_syscall_32() -> ia32_sys_call(),
 *		or ia32_sys_call_table[nr](regs)
 */
#include <linux/compat.h>
#include <linux/ftrace.h>
#include <linux/kernel.h>
#include <asm/ptrace.h>
#include <asm/syscall.h>
#include <asm/unistd.h>

#include "xyz_compat.h"
#include "xyz_internal.h"

/*
 * 400 sits in 387..423, which syscall_64.tbl reserves forever (x32 clash);
 * 223 is a hole of the i386 table on every kernel we know.
 */
int xyz_nr = 400;
int xyz_compat_nr = 223;

/* Called like a table entry: long (*)(const struct pt_regs *). */
long xyz_x64_entry(const struct pt_regs *regs)
{
	return xyz_syscall((struct xyz_args __user *)regs->di,
			   XYZ_DOOR_SYSCALL);
}

long xyz_ia32_entry(const struct pt_regs *regs)
{
	return xyz_syscall(compat_ptr((u32)regs->bx), XYZ_DOOR_COMPAT);
}

/*
 * The stub's argument is the user's registers; the dispatcher took the low
 * 32 bits of orig_ax as the number. One stub serves both ABIs
 * (__ia32_sys_ni_syscall aliases __x64_sys_ni_syscall).
 */
bool xyz_arch_ni_call_is(const struct pt_regs *regs, enum xyz_abi abi,
			 unsigned int nr)
{
	const struct pt_regs *user = (const struct pt_regs *)regs->di;

	return in_ia32_syscall() == (abi == XYZ_ABI_COMPAT) &&
	       (u32)user->orig_ax == nr;
}

/*
 * The prot the caller of mmap() asked for, from the system call's own
 * arguments: f_op->mmap() sees only the vma's flags, which already hold the
 * PROT_EXEC that a READ_IMPLIES_EXEC personality adds to PROT_READ. False
 * when the call is not mmap() or ia32's mmap2() (i386's old mmap() passes
 * a struct in user memory; x32 has numbers of its own).
 */
bool xyz_arch_mmap_prot(unsigned long *prot)
{
	struct pt_regs *regs = current_pt_regs();
	unsigned long args[6];
	int nr = syscall_get_nr(current, regs);

	if (in_ia32_syscall() ? nr != __NR_ia32_mmap2 : nr != __NR_mmap)
		return false;
	syscall_get_arguments(current, regs, args);
	*prot = args[2];
	return true;
}

/* ftrace with regs: the livepatch mechanism. */
const unsigned long xyz_arch_ftrace_flags = FTRACE_OPS_FL_SAVE_REGS |
					    FTRACE_OPS_FL_IPMODIFY;

/*
 * The callback calls nothing that can be traced, so it needs no recursion
 * protection: without FTRACE_OPS_FL_RECURSION ftrace calls it straight from
 * the trampoline instead of through ftrace_ops_assist_func(), on every system
 * call of the machine.
 */
void notrace xyz_ftrace_func(unsigned long ip, unsigned long parent_ip,
			     struct ftrace_ops *op,
			     struct xyz_ftrace_regs *fregs)
{
	struct xyz_ftrace_hook *hook = container_of(op, struct xyz_ftrace_hook,
						    ops);
	struct pt_regs *regs = xyz_ftrace_get_regs(fregs);

	/* dispatcher(regs, nr): nr is the second argument */
	if ((unsigned int)regs->si == hook->nr)
		regs->ip = hook->entry;
}

/* Read by xyz_hook_direct_tramp.S; written only before it is attached. */
u32 xyz_direct_nr_x64;
u32 xyz_direct_nr_ia32;

/*
 * The syscall tables this very kernel was built from: kbuild generates
 * them into the headers every module builds against.
 */
#define __SYSCALL(nr, sym)		{ nr, #sym },
#define __SYSCALL_NORETURN(nr, sym)	{ nr, #sym },
#define __SYSCALL_WITH_COMPAT(nr, native, compat) \
	{ nr, #compat " (native " #native ")" },
/*
 * Before 5.11 the generated tables named the ABI in the macro, and listed
 * x32's own numbers (512 on) with the 64-bit ones: those are not in this
 * table, so they go in negative, never matched nor counted.
 */
#define __SYSCALL_COMMON(nr, sym)	__SYSCALL(nr, sym)
#define __SYSCALL_64(nr, sym)		__SYSCALL(nr, sym)
#define __SYSCALL_X32(nr, sym)		{ -(nr), #sym },
#define __SYSCALL_I386(nr, sym)		__SYSCALL(nr, sym)

static const struct xyz_slot xyz_x64_slots[] = {
#include <asm/syscalls_64.h>
};

static const struct xyz_slot xyz_ia32_slots[] = {
#include <asm/syscalls_32.h>
};

#undef __SYSCALL
#undef __SYSCALL_NORETURN
#undef __SYSCALL_WITH_COMPAT
#undef __SYSCALL_COMMON
#undef __SYSCALL_64
#undef __SYSCALL_X32
#undef __SYSCALL_I386

const struct xyz_abi_desc xyz_abis[XYZ_ABI_COUNT] = {
	[XYZ_ABI_NATIVE] = {
		.param		= "nr",
		.dispatch	= "x64_sys_call",
		/* x64_sys_call(regs, nr): the entry takes the same regs */
		.dispatch_entry	= xyz_x64_entry,
		.ni_syscall	= "__x64_sys_ni_syscall",
		.entry		= xyz_x64_entry,
		.direct_tramp	= xyz_direct_tramp_x64,
		.direct_nr	= &xyz_direct_nr_x64,
		.slots		= xyz_x64_slots,
		.nslots		= ARRAY_SIZE(xyz_x64_slots),
	},
	[XYZ_ABI_COMPAT] = {
		.param		= "compat_nr",
		.dispatch	= "ia32_sys_call",
		.dispatch_entry	= xyz_ia32_entry,
		.ni_syscall	= "__ia32_sys_ni_syscall",
		.entry		= xyz_ia32_entry,
		.direct_tramp	= xyz_direct_tramp_ia32,
		.direct_nr	= &xyz_direct_nr_ia32,
		.slots		= xyz_ia32_slots,
		.nslots		= ARRAY_SIZE(xyz_ia32_slots),
	},
};
