// SPDX-License-Identifier: GPL-2.0
/*
 * sys_xyz: the service routine. Every door (syscall, int $0x80, ioctl,
 * io_uring) ends here with a user pointer to struct xyz_args and the door it
 * came through.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/gfp.h>
#include <linux/minmax.h>
#include <linux/percpu.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>

#include "xyz_internal.h"

/* Per-CPU so that callers on different CPUs never share a cache line. */
static DEFINE_PER_CPU(u64, xyz_calls);

/* ECHO bounces through the stack for small copies, a page for large ones. */
#define XYZ_ECHO_STACK_BUF	256

/*
 * With @nowait (page faults disabled, see sys_xyz_nowait()), a copy that
 * faults is -EAGAIN: the caller retries where it may sleep and learns then
 * whether the fault was a missing page or a bad pointer.
 */
static long xyz_fault(bool nowait)
{
	return nowait ? -EAGAIN : -EFAULT;
}

static long xyz_echo(const struct xyz_args *args, bool nowait)
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
	if (len > buf_size && nowait)
		return -EAGAIN;		/* kmalloc and long copies may sleep */
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
			ret = xyz_fault(nowait);
			break;
		}
	}

	if (buf != stack_buf)
		kfree(buf);
	return ret;
}

static u64 xyz_calls_sum(void)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(xyz_calls, cpu);
	return sum;
}

/* Counts itself: called before this call is counted. */
static long xyz_info(const struct xyz_args *args, enum xyz_door door,
		     bool nowait)
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
		.calls		= xyz_calls_sum() + 1,
	};
	size_t len = min_t(u64, args->out_len, sizeof(info));

	if (copy_to_user(u64_to_user_ptr(args->out), &info, len))
		return xyz_fault(nowait);
	return len;
}

static long xyz_reset(void)
{
	int cpu;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	/* Racing increments on other CPUs may survive: that is a reset too. */
	for_each_possible_cpu(cpu)
		per_cpu(xyz_calls, cpu) = 0;
	return 0;
}

static long xyz_call(struct xyz_args __user *uargs, enum xyz_door door,
		     bool nowait)
{
	struct xyz_args args;
	u32 usize;
	long ret;
	int err;

	if (get_user(usize, &uargs->size))
		return xyz_fault(nowait);
	if (usize < XYZ_ARGS_SIZE_VER0)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	err = copy_struct_from_user(&args, sizeof(args), uargs, usize);
	if (err == -EFAULT)
		return xyz_fault(nowait);
	if (err)
		return err;
	if (args.flags || args.op > XYZ_OP_RESET)
		return -EINVAL;

	/*
	 * Served calls are counted; INFO counts itself. ECHO and INFO are
	 * counted once they ran, so that an -EAGAIN retry counts once.
	 */
	switch (args.op) {
	case XYZ_OP_ECHO:
		ret = xyz_echo(&args, nowait);
		break;
	case XYZ_OP_INFO:
		ret = xyz_info(&args, door, nowait);
		break;
	case XYZ_OP_RESET:
		this_cpu_inc(xyz_calls);
		return xyz_reset();
	default:
		ret = 0;	/* XYZ_OP_NOP */
		break;
	}
	if (ret != -EAGAIN)
		this_cpu_inc(xyz_calls);
	return ret;
}

long sys_xyz(struct xyz_args __user *uargs, enum xyz_door door)
{
	return xyz_call(uargs, door, false);
}

/*
 * sys_xyz() for a caller that must not sleep (io_uring's IO_URING_F_NONBLOCK
 * issue): user memory is read and written with page faults disabled, and
 * anything that would fault or allocate is -EAGAIN, nothing counted, for
 * the caller to retry with sys_xyz() where sleeping is allowed.
 */
long sys_xyz_nowait(struct xyz_args __user *uargs, enum xyz_door door)
{
	long ret;

	pagefault_disable();
	ret = xyz_call(uargs, door, true);
	pagefault_enable();
	return ret;
}
