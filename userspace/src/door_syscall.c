// SPDX-License-Identifier: (LGPL-2.1-or-later OR MIT)
/*
 * The system call doors: glibc's syscall() and the bare instruction.
 *
 * A 32-bit program only has the ia32 numbering, so on i386 both use
 * compat_nr: syscall() goes through the vDSO's __kernel_vsyscall (sysenter),
 * and the "asm" door is a bare int $0x80, the i386 system call instruction.
 * On arm64 the "asm" door is a bare svc #0, with the 64-bit number.
 */
#include <unistd.h>

#include "arch.h"
#include "internal.h"

static int door_nr(void)
{
#if XYZ_ARCH_HAS_SYSCALL
	return xyz__nr();
#else
	return xyz__compat_nr();
#endif
}

int xyz_syscall(struct xyz_args *args)
{
	int nr;

	if (!args)
		return xyz__fail(EFAULT);
	nr = door_nr();
	if (nr < 0)
		return xyz__fail(ENOSYS);
	return (int)syscall(nr, args);
}

int xyz_syscall_asm(struct xyz_args *args)
{
	int nr;

	if (!args)
		return xyz__fail(EFAULT);
	nr = door_nr();
	if (nr < 0)
		return xyz__fail(ENOSYS);
#if XYZ_ARCH_HAS_SYSCALL
	return xyz__ret(xyz_arch_syscall1(nr, (unsigned long)args));
#else
	return xyz__ret(xyz_arch_int80_1(nr, (unsigned int)args));
#endif
}
