// SPDX-License-Identifier: GPL-2.0
/*
 * sys_xyz: the service routine. Every door (syscall, int $0x80, ioctl) ends
 * here with a user pointer to struct xyz_args and the door it came through.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/gfp.h>
#include <linux/minmax.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>

#include "xyz_internal.h"

/* ECHO bounces through the stack for small copies, a page for large ones. */
#define XYZ_ECHO_STACK_BUF	256

static long xyz_echo(const struct xyz_args *args)
{
	void __user *in = u64_to_user_ptr(args->in);
	void __user *out = u64_to_user_ptr(args->out);
	u8 stack_buf[XYZ_ECHO_STACK_BUF];
	size_t len, done, chunk, buf_size;
	u8 *buf = stack_buf;
	long ret;

	if (args->in_len > XYZ_ECHO_MAX)
		return -E2BIG;
	len = min(args->in_len, args->out_len);
	buf_size = sizeof(stack_buf);
	if (len > buf_size) {
		buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
		buf_size = PAGE_SIZE;
	}

	ret = len;
	for (done = 0; done < len; done += chunk) {
		chunk = min(len - done, buf_size);
		if (copy_from_user(buf, in + done, chunk) ||
		    copy_to_user(out + done, buf, chunk)) {
			ret = -EFAULT;
			break;
		}
	}

	if (buf != stack_buf)
		kfree(buf);
	return ret;
}

static long xyz_info(const struct xyz_args *args, enum xyz_door door)
{
	struct xyz_info info = {
		.size		= sizeof(info),
		.abi_version	= XYZ_ABI_VERSION,
		.door		= door,
		.hook		= xyz_hook,
		.nr		= xyz_nr,
		.compat_nr	= xyz_compat_nr,
		.cpu		= raw_smp_processor_id(),
		.uid		= from_kuid_munged(current_user_ns(), current_uid()),
		.pid		= task_pid_vnr(current),
		.tgid		= task_tgid_vnr(current),
		.calls		= xyz_calls_sum(),
	};
	size_t len = min_t(u64, args->out_len, sizeof(info));

	if (copy_to_user(u64_to_user_ptr(args->out), &info, len))
		return -EFAULT;
	return len;
}

static long xyz_reset(void)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	xyz_calls_reset();
	return 0;
}

long sys_xyz(struct xyz_args __user *uargs, enum xyz_door door)
{
	struct xyz_args args;
	u32 usize;
	int err;

	if (get_user(usize, &uargs->size))
		return -EFAULT;
	if (usize < XYZ_ARGS_SIZE_VER0)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	err = copy_struct_from_user(&args, sizeof(args), uargs, usize);
	if (err)
		return err;
	if (args.flags || args.op > XYZ_OP_RESET)
		return -EINVAL;

	/* Counted once the call is valid, before the op: INFO sees itself. */
	xyz_calls_inc();

	switch (args.op) {
	case XYZ_OP_ECHO:
		return xyz_echo(&args);
	case XYZ_OP_INFO:
		return xyz_info(&args, door);
	case XYZ_OP_RESET:
		return xyz_reset();
	default:
		return 0;	/* XYZ_OP_NOP */
	}
}
