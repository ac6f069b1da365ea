/* SPDX-License-Identifier: MIT */
/*
 * hello-xyz-syscall: sys_xyz through the syscall instruction, x86-64, no libc.
 *
 *	as --64 -o hello-xyz-syscall.o hello-xyz-syscall.S
 *	ld -static -o hello-xyz-syscall hello-xyz-syscall.o
 *
 * The x86-64 system call convention: the number in rax, the arguments in
 * rdi, rsi, rdx, r10, r8, r9; the result comes back in rax, a negative
 * errno on failure. The syscall instruction itself clobbers rcx and r11.
 *
 * The number is 400, xyz.ko's default (nr=400): a program without libc has
 * no easy way to read /sys/module/xyz/parameters/nr (hello-xyz.c does).
 */
	.equ	NR_XYZ, 400
	.equ	NR_WRITE, 1
	.equ	NR_EXIT, 60
	.equ	XYZ_OP_ECHO, 1
	.equ	XYZ_OP_INFO, 2
	.equ	XYZ_INFO_DOOR, 8	/* offsetof(struct xyz_info, door) */

	.data
hello:	.ascii	"hello\n"
	.equ	hello_len, . - hello

/* struct xyz_args (include/uapi/linux/xyz.h), 48 bytes */
echo_args:
	.long	48			/* size */
	.long	XYZ_OP_ECHO		/* op */
	.quad	0			/* flags */
	.quad	hello			/* in */
	.quad	hello_len		/* in_len */
	.quad	reply			/* out: sys_xyz copies "hello\n" here */
	.quad	64			/* out_len */
info_args:
	.long	48
	.long	XYZ_OP_INFO
	.quad	0
	.quad	0
	.quad	0
	.quad	info			/* out: sys_xyz writes struct xyz_info */
	.quad	48

echoed:	.ascii	"sys_xyz echoed: "
	.equ	echoed_len, . - echoed
door:	.ascii	"sys_xyz says: door "
door_digit:
	.ascii	"?\n"			/* 1: XYZ_DOOR_SYSCALL */
	.equ	door_len, . - door
failed:	.ascii	"hello-xyz-syscall: sys_xyz failed (the exit status is the errno)\n"
	.equ	failed_len, . - failed

	.bss
reply:	.skip	64
info:	.skip	48

	.text
	.globl	_start
_start:
	/* ECHO: sys_xyz(&echo_args) */
	mov	$NR_XYZ, %eax
	lea	echo_args(%rip), %rdi
	syscall
	test	%rax, %rax
	js	fail
	mov	%rax, %rbx		/* bytes echoed: rbx survives syscall */

	mov	$NR_WRITE, %eax		/* write(1, echoed, echoed_len) */
	mov	$1, %edi
	lea	echoed(%rip), %rsi
	mov	$echoed_len, %edx
	syscall
	mov	$NR_WRITE, %eax		/* write(1, reply, what sys_xyz wrote) */
	mov	$1, %edi
	lea	reply(%rip), %rsi
	mov	%rbx, %rdx
	syscall

	/* INFO: which door did this call come through? */
	mov	$NR_XYZ, %eax
	lea	info_args(%rip), %rdi
	syscall
	test	%rax, %rax
	js	fail
	mov	info+XYZ_INFO_DOOR(%rip), %eax
	add	$'0', %eax		/* a door is one digit */
	mov	%al, door_digit(%rip)
	mov	$NR_WRITE, %eax
	mov	$1, %edi
	lea	door(%rip), %rsi
	mov	$door_len, %edx
	syscall

	mov	$NR_EXIT, %eax		/* exit(0) */
	xor	%edi, %edi
	syscall

fail:
	neg	%rax			/* -errno -> errno */
	mov	%rax, %rbx
	mov	$NR_WRITE, %eax		/* write(2, failed, failed_len) */
	mov	$2, %edi
	lea	failed(%rip), %rsi
	mov	$failed_len, %edx
	syscall
	mov	$NR_EXIT, %eax		/* exit(errno) */
	mov	%ebx, %edi
	syscall
