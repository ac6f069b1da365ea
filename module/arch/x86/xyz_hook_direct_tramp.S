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
 */
#include <linux/linkage.h>
#include <asm/nospec-branch.h>
#include <asm/unwind_hints.h>

#include "xyz_compat.h"

.macro XYZ_DIRECT_TRAMP name, nr, entry
SYM_FUNC_START(\name)
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
SYM_FUNC_END(\name)
.endm

	.text
XYZ_DIRECT_TRAMP xyz_direct_tramp_x64, xyz_direct_nr_x64, xyz_x64_entry
XYZ_DIRECT_TRAMP xyz_direct_tramp_ia32, xyz_direct_nr_ia32, xyz_ia32_entry
