// SPDX-License-Identifier: (LGPL-2.1-or-later OR MIT)
/* The door selector, the per-op wrappers and the availability checks. */
#include "arch.h"
#include "internal.h"

typedef int (*xyz_door_fn)(struct xyz_args *args);

static const xyz_door_fn doors[XYZ_VIA_COUNT] = {
	[XYZ_VIA_SYSCALL]	= xyz_syscall,
	[XYZ_VIA_ASM]		= xyz_syscall_asm,
	[XYZ_VIA_INT80]		= xyz_int80,
	[XYZ_VIA_IOCTL]		= xyz_ioctl,
	[XYZ_VIA_MMAP]		= xyz_mmap,
	[XYZ_VIA_URING]		= xyz_uring,
};

int xyz_call(enum xyz_via via, struct xyz_args *args)
{
	if ((unsigned int)via >= XYZ_VIA_COUNT || !doors[via])
		return xyz__fail(EINVAL);
	return doors[via](args);
}

int xyz_nop(enum xyz_via via)
{
	struct xyz_args args;

	xyz_args_init(&args, XYZ_OP_NOP);
	return xyz_call(via, &args);
}

int xyz_echo(enum xyz_via via, const void *in, size_t in_len,
	     void *out, size_t out_len)
{
	struct xyz_args args;

	xyz_args_init(&args, XYZ_OP_ECHO);
	args.in = (uintptr_t)in;
	args.in_len = in_len;
	args.out = (uintptr_t)out;
	args.out_len = out_len;
	return xyz_call(via, &args);
}

int xyz_info(enum xyz_via via, struct xyz_info *info)
{
	struct xyz_args args;

	/* The vDSO door's whole point is its cost: no args, no copies. */
	if (via == XYZ_VIA_MMAP)
		return xyz__page_info(info);
	/* A kernel that knows a shorter struct leaves the tail zero. */
	if (info)
		memset(info, 0, sizeof(*info));
	xyz_args_init(&args, XYZ_OP_INFO);
	args.out = (uintptr_t)info;
	args.out_len = sizeof(*info);
	return xyz_call(via, &args);
}

int xyz_reset(enum xyz_via via)
{
	struct xyz_args args;

	xyz_args_init(&args, XYZ_OP_RESET);
	return xyz_call(via, &args);
}

int xyz_door_available(enum xyz_via via)
{
	int nr;

	switch (via) {
	case XYZ_VIA_SYSCALL:
	case XYZ_VIA_ASM:
#if XYZ_ARCH_HAS_SYSCALL
		nr = xyz__nr();
		break;
#endif
		/* i386 knows only the ia32 numbering. */
	case XYZ_VIA_INT80:
#if !XYZ_ARCH_HAS_INT80
		if (via == XYZ_VIA_INT80)
			return xyz__fail(EOPNOTSUPP);
#endif
		nr = xyz__compat_nr();
		break;
	case XYZ_VIA_IOCTL:
		return xyz__dev_fd() < 0 ? -1 : 0;
	case XYZ_VIA_MMAP:
		return xyz__page_available();
	case XYZ_VIA_URING:
		return xyz__uring_available();
	default:
		return xyz__fail(EINVAL);
	}
	return nr < 0 ? xyz__fail(ENOSYS) : 0;
}

/*
 * The predicate, for if (xyz_door_usable(via)): 1 or 0, as liburing's are.
 * errno says why not, as xyz_door_available() would; it is left alone on 1.
 */
int xyz_door_usable(enum xyz_via via)
{
	int saved = errno;

	if (xyz_door_available(via))
		return 0;
	errno = saved;
	return 1;
}
