/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * xyz: one demonstration service routine, sys_xyz, reachable through every
 * door a process has into the kernel. This header is the whole ABI shared by
 * the module, libxyz and the tests; see docs/abi.md.
 *
 * Every structure has the same layout on i386 and x86-64, so the compat doors
 * need no translation.
 */
#ifndef _UAPI_LINUX_XYZ_H
#define _UAPI_LINUX_XYZ_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define XYZ_ABI_VERSION		1
#define XYZ_DEVICE_NAME		"xyz"

/* Largest ECHO input the kernel accepts (E2BIG above). */
#define XYZ_ECHO_MAX		(1U << 20)

enum xyz_op {
	XYZ_OP_NOP	= 0,
	XYZ_OP_ECHO	= 1,
	XYZ_OP_INFO	= 2,
	XYZ_OP_RESET	= 3,
};

enum xyz_door {
	XYZ_DOOR_SYSCALL	= 1,	/* 64-bit syscall instruction */
	XYZ_DOOR_COMPAT		= 2,	/* int $0x80 / ia32 entry */
	XYZ_DOOR_IOCTL		= 3,
	XYZ_DOOR_URING		= 4,	/* IORING_OP_URING_CMD on /dev/xyz */
	XYZ_DOOR_MMAP		= 5,	/* the shared page (libxyz only) */
};

enum xyz_hook {
	XYZ_HOOK_NONE	= 0,
	XYZ_HOOK_TABLE	= 1,
	XYZ_HOOK_FTRACE	= 2,
	XYZ_HOOK_KPROBE	= 3,
	XYZ_HOOK_DIRECT	= 4,
};

/*
 * Arguments of every call, extensible like struct clone_args: the caller sets
 * @size to the sizeof() it was built with; a larger struct is accepted when
 * every byte the kernel does not know is zero.
 */
struct xyz_args {
	__u32		size;		/* sizeof(struct xyz_args) of the caller */
	__u32		op;		/* enum xyz_op */
	__u64		flags;		/* none defined yet: must be 0 */
	__aligned_u64	in;		/* user pointer to input, or 0 */
	__u64		in_len;		/* bytes at @in */
	__aligned_u64	out;		/* user pointer to output, or 0 */
	__u64		out_len;	/* bytes available at @out */
};

#define XYZ_ARGS_SIZE_VER0	48	/* sizeof first published struct */

/* What XYZ_OP_INFO writes to @out, truncated to @out_len. */
struct xyz_info {
	__u32		size;		/* bytes of this struct the kernel knows */
	__u32		abi_version;	/* XYZ_ABI_VERSION */
	__u32		door;		/* enum xyz_door of this very call */
	__u32		hook;		/* enum xyz_hook in effect */
	__s32		nr;		/* 64-bit syscall number, -1 if not hooked */
	__s32		compat_nr;	/* ia32 syscall number, -1 if not hooked */
	__u32		cpu;		/* CPU that served the call */
	__u32		uid;		/* caller's uid */
	__u32		pid;		/* caller's thread id */
	__u32		tgid;		/* caller's process id */
	__u64		calls;		/* calls served since load or RESET */
};

#define XYZ_INFO_SIZE_VER0	48

#define XYZ_IOC_MAGIC		'x'
#define XYZ_IOC_CALL		_IOWR(XYZ_IOC_MAGIC, 1, struct xyz_args)

/*
 * The shared page (mmap of /dev/xyz, PROT_READ only, offset 0): what INFO
 * reports that does not depend on the caller, readable without entering
 * the kernel. The header members up to @counters_offset are protected by
 * @seq (odd while the module changes them). CPU i's call counter is the
 * __u64 at @counters_offset + i * @stride from the start of the region.
 */
struct xyz_page {
	__u32		seq;		/* even: stable; odd: being changed */
	__u32		size;		/* bytes the kernel fills: header and counters */
	__u32		abi_version;	/* XYZ_ABI_VERSION */
	__u32		hook;		/* enum xyz_hook in effect */
	__s32		nr;		/* 64-bit syscall number, -1 if not hooked */
	__s32		compat_nr;	/* ia32 syscall number, -1 if not hooked */
	__u32		ncpus;		/* counters: one per possible CPU */
	__u32		stride;		/* bytes between two CPUs' counters (>= 64) */
	__u32		counters_offset; /* CPU 0's counter (a multiple of @stride) */
};

/*
 * The io_uring door: IORING_OP_URING_CMD on /dev/xyz with sqe->cmd_op =
 * XYZ_URING_CMD_CALL (its type and number; the size bits are not read) and
 * this in the SQE's command area. Every byte of the command area past @args
 * (the rest of an SQE128's too), sqe->addr, sqe->len and
 * sqe->uring_cmd_flags must be zero. The SQE is read once, when first issued.
 */
struct xyz_uring_cmd {
	__aligned_u64	args;		/* user pointer to struct xyz_args */
	__u64		reserved;	/* must be 0 */
};

#define XYZ_URING_CMD_CALL	_IOWR(XYZ_IOC_MAGIC, 2, struct xyz_args)

#endif /* _UAPI_LINUX_XYZ_H */
