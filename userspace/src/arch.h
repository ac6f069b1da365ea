/* SPDX-License-Identifier: (LGPL-2.1-or-later OR MIT) */
/*
 * The raw instructions into the kernel. Shared by the library's doors and
 * the CLI's native baselines, so both time the same code.
 *
 * What each architecture has:
 *   XYZ_ARCH_NAME          how the CLI names it
 *   XYZ_ARCH_HAS_SYSCALL   1: xyz_arch_syscall1/3(), the native 64-bit entry
 *                          with the 64-bit numbering (x86-64: syscall,
 *                          arm64: svc #0); i386 has the ia32 numbering only
 *   XYZ_ARCH_HAS_INT80     1: xyz_arch_int80_1(), the ia32 entry (x86 only);
 *                          else XYZ_ARCH_NO_INT80 says why, and the int80
 *                          door fails with EOPNOTSUPP
 */
#ifndef XYZ_ARCH_H
#define XYZ_ARCH_H

/* ia32 getppid, the native baseline of the compat entry. */
#define XYZ_IA32_NR_GETPPID	64

#if defined(__x86_64__)
#define XYZ_ARCH_NAME		"x86-64"
#define XYZ_ARCH_HAS_SYSCALL	1
#define XYZ_ARCH_HAS_INT80	1

/* The syscall instruction clobbers rcx (return ip) and r11 (flags). */
static inline long xyz_arch_syscall1(long nr, unsigned long a1)
{
	long ret;

	asm volatile ("syscall"
		      : "=a" (ret)
		      : "0" (nr), "D" (a1)
		      : "rcx", "r11", "memory");
	return ret;
}

static inline long xyz_arch_syscall3(long nr, unsigned long a1,
				     unsigned long a2, unsigned long a3)
{
	long ret;

	asm volatile ("syscall"
		      : "=a" (ret)
		      : "0" (nr), "D" (a1), "S" (a2), "d" (a3)
		      : "rcx", "r11", "memory");
	return ret;
}

#elif defined(__i386__)
#define XYZ_ARCH_NAME		"i386"
#define XYZ_ARCH_HAS_SYSCALL	0
#define XYZ_ARCH_HAS_INT80	1

#elif defined(__aarch64__)
#define XYZ_ARCH_NAME		"arm64"
#define XYZ_ARCH_HAS_SYSCALL	1
#define XYZ_ARCH_HAS_INT80	0
#define XYZ_ARCH_NO_INT80	"int $0x80 has no arm64 counterpart"

/* svc #0: the number in x8, arguments from x0, the result in x0. */
static inline long xyz_arch_syscall3(long nr, unsigned long a1,
				     unsigned long a2, unsigned long a3)
{
	register long x8 asm ("x8") = nr;
	register unsigned long x0 asm ("x0") = a1;
	register unsigned long x1 asm ("x1") = a2;
	register unsigned long x2 asm ("x2") = a3;

	asm volatile ("svc #0"
		      : "+r" (x0)
		      : "r" (x8), "r" (x1), "r" (x2)
		      : "memory");
	return (long)x0;
}

static inline long xyz_arch_syscall1(long nr, unsigned long a1)
{
	register long x8 asm ("x8") = nr;
	register unsigned long x0 asm ("x0") = a1;

	asm volatile ("svc #0" : "+r" (x0) : "r" (x8) : "memory");
	return (long)x0;
}

#else
#error "libxyz supports x86-64, i386 and arm64 only"
#endif

#if XYZ_ARCH_HAS_INT80
/*
 * int $0x80 takes 32-bit values only. From 64-bit code, kernels before 4.16
 * zeroed r8-r11 on the way out, so they are clobbered here too.
 */
static inline int xyz_arch_int80_1(int nr, unsigned int a1)
{
	int ret;

	asm volatile ("int $0x80"
		      : "=a" (ret)
		      : "0" (nr), "b" (a1)
#ifdef __x86_64__
		      : "r8", "r9", "r10", "r11", "memory");
#else
		      : "memory");
#endif
	return ret;
}
#endif

#endif /* XYZ_ARCH_H */
