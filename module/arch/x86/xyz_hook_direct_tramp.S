/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ftrace direct-call trampolines for hook=direct. The fentry site of the
 * dispatcher, dispatcher(regs, nr), calls straight into one of these:
 *
 *	nr is not ours: return into the dispatcher, which goes on as if
 *		nothing happened (a call, a compare and a return: the whole
 *		tax every other system call pays);
 *	nr is ours: drop the return address into the dispatcher and jump to
 *		our entry point with the dispatcher's own arguments, so that it
 *		returns straight to the dispatcher's caller (as a BPF
 *		trampoline does when it skips the traced function).
 *
 * Where the dispatcher has no fentry site (7.x), the "no such system call"
 * stub, stub(regs), may have one: xyz_direct_tramp_ni sits there, and only
 * unused numbers ever reach it. The one stub serves both ABIs, and the
 * number is in regs->orig_ax: the trampoline looks its low byte up in
 * xyz_direct_ni_filter (a load and a compare, whatever numbers are routed)
 * and, on a hit, leaves the full check of number and ABI to
 * xyz_direct_ni_entry(), which returns in the stub's stead.
 *
 * The fentry site calls a trampoline directly, and ftrace's own trampoline
 * enters it with a return: nothing ever calls it indirectly, so it starts
 * without an ENDBR (one instruction less on every system call it sees).
 * %rax and the flags are free at a function's first instruction.
 */
#include <linux/linkage.h>
#include <asm/nospec-branch.h>
#include <asm/ptrace-abi.h>
#include <asm/unwind_hints.h>

#include "xyz_compat.h"

.macro XYZ_DIRECT_TRAMP name, nr, entry
SYM_CODE_START(\name)
	UNWIND_HINT_FUNC
	XYZ_ANNOTATE_NOENDBR
	cmpl	\nr(%rip), %esi
	je	.Lxyz_route_\@
	XYZ_CALL_DEPTH_ACCOUNT
	RET
.Lxyz_route_\@:
	addq	$8, %rsp
	/* the stack is now exactly what the dispatcher was entered with */
	UNWIND_HINT_FUNC
	jmp	\entry
SYM_CODE_END(\name)
.endm

	.text
XYZ_DIRECT_TRAMP xyz_direct_tramp_x64, xyz_direct_nr_x64, xyz_x64_entry
XYZ_DIRECT_TRAMP xyz_direct_tramp_ia32, xyz_direct_nr_ia32, xyz_ia32_entry

SYM_CODE_START(xyz_direct_tramp_ni)
	UNWIND_HINT_FUNC
	XYZ_ANNOTATE_NOENDBR
	movzbl	ORIG_RAX(%rdi), %eax
	/* a 32-bit absolute address: modules live in the top 2 GiB */
	cmpb	$0, xyz_direct_ni_filter(%rax)
	jne	.Lxyz_ni_hit
	XYZ_CALL_DEPTH_ACCOUNT
	RET
.Lxyz_ni_hit:
	addq	$8, %rsp
	/* the stack is now exactly what the stub was entered with */
	UNWIND_HINT_FUNC
	jmp	xyz_direct_ni_entry
SYM_CODE_END(xyz_direct_tramp_ni)
