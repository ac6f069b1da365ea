/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The raw entries into the kernel, per architecture, for xyz_test.h:
 *   XYZ_HAVE_ASM_DOOR  xyz_door_asm(): the bare 64-bit system call
 *                      instruction (x86-64 syscall, arm64 svc #0)
 *   XYZ_HAVE_INT80     xyz_door_int80(): int $0x80, the ia32 entry (x86);
 *                      elsewhere 0, XYZ_NO_INT80 is the reason its tests skip,
 *                      and xyz_door_int80() answers -EOPNOTSUPP
 *   XYZ_KERNEL_ADDR    an address in the kernel's half (EFAULT from any door)
 */
#ifndef XYZ_ARCH_H
#define XYZ_ARCH_H

#include <errno.h>

#if defined(__x86_64__) || defined(__i386__)
#define XYZ_HAVE_INT80		1

static inline long xyz_door_int80(long nr, int fd, void *args)
{
	long ret;

	(void)fd;
#ifdef __x86_64__
	/* The ia32 entry zeroes r8-r11 on the way out. */
	asm volatile ("int $0x80"
		      : "=a" (ret)
		      : "0" (nr), "b" ((long)(unsigned long)args)
		      : "r8", "r9", "r10", "r11", "memory");
#else
	asm volatile ("int $0x80" : "=a" (ret) : "0" (nr), "b" (args)
		      : "memory");
#endif
	return ret;
}
#else
#define XYZ_HAVE_INT80		0
#define XYZ_NO_INT80		"int $0x80 has no arm64 counterpart"

static inline long xyz_door_int80(long nr, int fd, void *args)
{
	(void)nr;
	(void)fd;
	(void)args;
	return -EOPNOTSUPP;
}
#endif

#if defined(__x86_64__)
#define XYZ_HAVE_ASM_DOOR	1
#define XYZ_KERNEL_ADDR		0xffffffff81000000UL

static inline long xyz_door_asm(long nr, int fd, void *args)
{
	long ret;

	(void)fd;
	asm volatile ("syscall"
		      : "=a" (ret)
		      : "0" (nr), "D" (args)
		      : "rcx", "r11", "memory");
	return ret;
}
#elif defined(__aarch64__)
#define XYZ_HAVE_ASM_DOOR	1
#define XYZ_KERNEL_ADDR		0xffff800080000000UL

/* svc #0: the number in x8, the argument and the result in x0. */
static inline long xyz_door_asm(long nr, int fd, void *args)
{
	register long x8 asm ("x8") = nr;
	register long x0 asm ("x0") = (long)args;

	(void)fd;
	asm volatile ("svc #0" : "+r" (x0) : "r" (x8) : "memory");
	return x0;
}
#else
#define XYZ_HAVE_ASM_DOOR	0
#endif

#endif /* XYZ_ARCH_H */
