/* SPDX-License-Identifier: (LGPL-2.1-or-later OR MIT) */
/*
 * The raw instructions into the kernel, one argument each. Shared by the
 * library's doors and the CLI's native baselines, so both time the same code.
 */
#ifndef XYZ_ARCH_H
#define XYZ_ARCH_H

#if !defined(__x86_64__) && !defined(__i386__)
#error "libxyz supports x86-64 and i386 only"
#endif

/* ia32 getppid, the native baseline of the compat entry. */
#define XYZ_IA32_NR_GETPPID	64

#ifdef __x86_64__
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
#endif

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

#endif /* XYZ_ARCH_H */
