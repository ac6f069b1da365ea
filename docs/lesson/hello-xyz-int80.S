/* SPDX-License-Identifier: MIT */
/*
 * hello-xyz-int80: sys_xyz through int $0x80, no libc. One source, two
 * programs:
 *
 *	as --32 -o hello-xyz-int80-32.o hello-xyz-int80.S	(i386)
 *	ld -m elf_i386 -static -o hello-xyz-int80-32 hello-xyz-int80-32.o
 *
 *	as --64 -o hello-xyz-int80.o hello-xyz-int80.S		(x86-64)
 *	ld -static -o hello-xyz-int80 hello-xyz-int80.o
 *
 * The i386 system call convention: the number in eax, the arguments in
 * ebx, ecx, edx, esi, edi, ebp; the result comes back in eax, a negative
 * errno on failure. A 64-bit program may use it too, and then gets the
 * i386 system calls with the i386 numbers (write is 4, exit is 1), and
 * only the low 32 bits of each register: every address it passes must lie
 * below 4 GiB. Here they are in .data and .bss of a static, non-PIE
 * program, which ld places at 4 MiB; the "movl $symbol" below would not
 * link if they were not below 4 GiB. Only 32-bit registers are used, so
 * the same instructions assemble for both.
 *
 * The number is 223, xyz.ko's default (compat_nr=223): a program without
 * libc has no easy way to read /sys/module/xyz/parameters/compat_nr.
 */
	.equ	NR_XYZ, 223
	.equ	NR_WRITE, 4
	.equ	NR_EXIT, 1
	.equ	XYZ_OP_ECHO, 1
	.equ	XYZ_OP_INFO, 2
	.equ	XYZ_INFO_DOOR, 8	/* offsetof(struct xyz_info, door) */

	.data
hello:	.ascii	"hello\n"
	.equ	hello_len, . - hello

/* struct xyz_args: the same 48 bytes for both; a pointer is its low half */
echo_args:
	.long	48			/* size */
	.long	XYZ_OP_ECHO		/* op */
	.long	0, 0			/* flags */
	.long	hello, 0		/* in */
	.long	hello_len, 0		/* in_len */
	.long	reply, 0		/* out: sys_xyz copies "hello\n" here */
	.long	64, 0			/* out_len */
info_args:
	.long	48
	.long	XYZ_OP_INFO
	.long	0, 0
	.long	0, 0
	.long	0, 0
	.long	info, 0			/* out: sys_xyz writes struct xyz_info */
	.long	48, 0

echoed:	.ascii	"sys_xyz echoed: "
	.equ	echoed_len, . - echoed
door:	.ascii	"sys_xyz says: door "
door_digit:
	.ascii	"?\n"			/* 2: XYZ_DOOR_COMPAT */
	.equ	door_len, . - door
failed:	.ascii	"hello-xyz-int80: sys_xyz failed (the exit status is the errno)\n"
	.equ	failed_len, . - failed

	.bss
reply:	.skip	64
info:	.skip	48

	.text
	.globl	_start
_start:
	/* ECHO: sys_xyz(&echo_args) */
	movl	$NR_XYZ, %eax
	movl	$echo_args, %ebx
	int	$0x80
	testl	%eax, %eax
	js	fail
	movl	%eax, %esi		/* bytes echoed: esi survives int $0x80 */

	movl	$NR_WRITE, %eax		/* write(1, echoed, echoed_len) */
	movl	$1, %ebx
	movl	$echoed, %ecx
	movl	$echoed_len, %edx
	int	$0x80
	movl	$NR_WRITE, %eax		/* write(1, reply, what sys_xyz wrote) */
	movl	$1, %ebx
	movl	$reply, %ecx
	movl	%esi, %edx
	int	$0x80

	/* INFO: which door did this call come through? */
	movl	$NR_XYZ, %eax
	movl	$info_args, %ebx
	int	$0x80
	testl	%eax, %eax
	js	fail
	movl	info+XYZ_INFO_DOOR, %eax
	addl	$'0', %eax		/* a door is one digit */
	movb	%al, door_digit
	movl	$NR_WRITE, %eax
	movl	$1, %ebx
	movl	$door, %ecx
	movl	$door_len, %edx
	int	$0x80

	movl	$NR_EXIT, %eax		/* exit(0) */
	xorl	%ebx, %ebx
	int	$0x80

fail:
	negl	%eax			/* -errno -> errno */
	movl	%eax, %esi
	movl	$NR_WRITE, %eax		/* write(2, failed, failed_len) */
	movl	$2, %ebx
	movl	$failed, %ecx
	movl	$failed_len, %edx
	int	$0x80
	movl	$NR_EXIT, %eax		/* exit(errno) */
	movl	%esi, %ebx
	int	$0x80
