/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The service routine's common case, inline in every door: a NOP from a
 * caller built with this very struct. Everything else goes to xyz_call()
 * (xyz_core.c).
 */
#ifndef _XYZ_CORE_H
#define _XYZ_CORE_H

#include <linux/compiler.h>
#include <linux/stddef.h>
#include <linux/types.h>
#include <linux/uaccess.h>
#include <asm/byteorder.h>

#include "xyz_internal.h"

/*
 * Every call xyz_nop() did not serve. @nowait: the caller must not sleep
 * (io_uring's IO_URING_F_NONBLOCK issue): anything that would fault on a
 * user page or allocate is -EAGAIN, nothing counted, for the caller to
 * retry where sleeping is allowed.
 */
long xyz_call(struct xyz_args __user *uargs, enum xyz_door door, bool nowait);

/*
 * The first 8 bytes of struct xyz_args, size and op, read as one word: what
 * they hold for a NOP of this very struct size.
 */
#ifdef __LITTLE_ENDIAN
#define XYZ_NOP_HEAD	((u64)XYZ_OP_NOP << 32 | sizeof(struct xyz_args))
#else
#define XYZ_NOP_HEAD	((u64)sizeof(struct xyz_args) << 32 | XYZ_OP_NOP)
#endif

/*
 * Serve the call if it is that NOP: true when it was, and counted. Three
 * words are read in one user access block with page faults disabled: the
 * header, flags, and the struct's last word, read only so that a struct
 * that runs into an unmapped page fails as it does on the general path.
 * Any other call, and any fault, is left to xyz_call(), which reads the
 * struct again and decides the errno. This never sleeps and takes no
 * reference (see xyz_syscall()).
 */
static __always_inline bool xyz_nop(const struct xyz_args __user *uargs)
{
	u64 head, flags, last __maybe_unused;

	BUILD_BUG_ON(offsetof(struct xyz_args, op) != sizeof(u32));
	pagefault_disable();
	if (!user_read_access_begin(uargs, sizeof(*uargs)))
		goto out;
	unsafe_get_user(head, (const u64 __user *)uargs, fault);
	unsafe_get_user(flags, &uargs->flags, fault);
	unsafe_get_user(last, &uargs->out_len, fault);
	user_read_access_end();
	pagefault_enable();
	if (head != XYZ_NOP_HEAD || flags)
		return false;
	xyz_calls_inc();
	return true;
fault:
	user_read_access_end();
out:
	pagefault_enable();
	return false;
}

/* The service routine, for a door whose open file pins the module. */
static inline long sys_xyz(struct xyz_args __user *uargs, enum xyz_door door)
{
	if (likely(xyz_nop(uargs)))
		return 0;
	return xyz_call(uargs, door, false);
}

#endif /* _XYZ_CORE_H */
