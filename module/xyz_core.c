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
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <linux/uidgid.h>

#include "xyz_internal.h"

/* One call on its way through sys_xyz. */
struct xyz_call {
	enum xyz_door door;
	bool nowait;	/* must not sleep: -EAGAIN instead (io_uring) */
	bool may_fault;	/* may sleep on user pages */
	bool pinned;	/* holds a module reference */
};

/*
 * User memory is touched first with page faults disabled: a page that is not
 * there fails at once instead of sleeping. Only then does the call take a
 * module reference and fault for real. A caller asleep on a page that never
 * comes (userfaultfd, FUSE) thus makes rmmod fail (the module is in use)
 * instead of hanging it, and the common case pays no shared atomic. Once
 * rmmod has begun, no reference can be had, and the module's exit waits for
 * every caller (xyz_wait_for_callers()): one that faulted then could keep it
 * waiting as long as a userfaultfd or FUSE server likes, so it fails with
 * ENOSYS instead, as if it had come after the unload. Every access below is
 * safe to repeat: it reads, or writes the same bytes again. A caller that
 * must not sleep gets -EAGAIN instead, and calls again where it may
 * (io_uring's first, IO_URING_F_NONBLOCK issue, then its task work).
 *
 *	do {
 *		xyz_access_begin(call);
 *		err = <access>;
 *	} while (xyz_access_retry(call, &err));
 */
static void xyz_access_begin(struct xyz_call *call)
{
	if (!call->may_fault)
		pagefault_disable();
}

static bool xyz_access_retry(struct xyz_call *call, int *err)
{
	if (call->may_fault)
		return false;
	pagefault_enable();
	if (*err != -EFAULT)
		return false;
	if (call->nowait) {
		*err = -EAGAIN;
		return false;
	}
	if (!try_module_get(THIS_MODULE)) {
		*err = -ENOSYS;
		return false;
	}
	call->pinned = true;
	call->may_fault = true;
	return true;
}

static int xyz_copy_from(struct xyz_call *call, void *to,
			 const void __user *from, size_t len)
{
	int err;

	do {
		xyz_access_begin(call);
		err = copy_from_user(to, from, len) ? -EFAULT : 0;
	} while (xyz_access_retry(call, &err));
	return err;
}

static int xyz_copy_to(struct xyz_call *call, void __user *to,
		       const void *from, size_t len)
{
	int err;

	do {
		xyz_access_begin(call);
		err = copy_to_user(to, from, len) ? -EFAULT : 0;
	} while (xyz_access_retry(call, &err));
	return err;
}

/* ECHO bounces through the stack for small copies, a page for large ones. */
#define XYZ_ECHO_STACK_BUF	256

static long xyz_echo(struct xyz_call *call, const struct xyz_args *args)
{
	void __user *in = u64_to_user_ptr(args->in);
	void __user *out = u64_to_user_ptr(args->out);
	u8 stack_buf[XYZ_ECHO_STACK_BUF];
	size_t len, done, chunk, buf_size;
	u8 *buf = stack_buf;
	int err = 0;

	if (args->in_len > XYZ_ECHO_MAX)
		return -E2BIG;
	len = min(args->in_len, args->out_len);
	buf_size = sizeof(stack_buf);
	if (len > buf_size && call->nowait)
		return -EAGAIN;		/* kmalloc and long copies may sleep */
	if (len > buf_size) {
		buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
		buf_size = PAGE_SIZE;
	}

	for (done = 0; done < len; done += chunk) {
		chunk = min(len - done, buf_size);
		err = xyz_copy_from(call, buf, in + done, chunk);
		if (!err)
			err = xyz_copy_to(call, out + done, buf, chunk);
		if (err)
			break;
	}

	if (buf != stack_buf)
		kfree(buf);
	return err ?: len;
}

/* Counts itself: called before this call is counted. */
static long xyz_info(struct xyz_call *call, const struct xyz_args *args)
{
	struct xyz_info info = {
		.size		= sizeof(info),
		.abi_version	= XYZ_ABI_VERSION,
		.door		= call->door,
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
	int err;

	err = xyz_copy_to(call, u64_to_user_ptr(args->out), &info, len);
	return err ?: len;
}

/* Counted, allowed or not. Zeroing the counters may wait for CPU hotplug. */
static long xyz_reset(struct xyz_call *call)
{
	if (call->nowait)
		return -EAGAIN;
	xyz_calls_inc();
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	xyz_calls_reset();
	return 0;
}

/*
 * The common case, a caller built with this very struct, in one pass: the
 * members read with page faults disabled and nothing of the general path's
 * cost (the size's own get_user(), copy_struct_from_user()'s hardened
 * usercopy checks of a stack object, a string copy). Any other size, and any
 * fault, goes the general path, which decides the errno.
 */
static bool xyz_get_args_fast(struct xyz_args *args,
			      const struct xyz_args __user *uargs)
{
	bool ok = false;

	pagefault_disable();
	if (!user_read_access_begin(uargs, sizeof(*uargs)))
		goto out;
	unsafe_get_user(args->size, &uargs->size, end);
	unsafe_get_user(args->op, &uargs->op, end);
	unsafe_get_user(args->flags, &uargs->flags, end);
	unsafe_get_user(args->in, &uargs->in, end);
	unsafe_get_user(args->in_len, &uargs->in_len, end);
	unsafe_get_user(args->out, &uargs->out, end);
	unsafe_get_user(args->out_len, &uargs->out_len, end);
	ok = args->size == sizeof(*args);
end:
	user_read_access_end();
out:
	pagefault_enable();
	return ok;
}

/* The struct the caller passed, of whatever size it was built with. */
static int xyz_get_args(struct xyz_call *call, struct xyz_args *args,
			struct xyz_args __user *uargs)
{
	u32 usize;
	int err;

	if (likely(xyz_get_args_fast(args, uargs)))
		return 0;
	do {
		xyz_access_begin(call);
		err = get_user(usize, &uargs->size);
	} while (xyz_access_retry(call, &err));
	if (err)
		return err;
	if (usize < XYZ_ARGS_SIZE_VER0)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	do {
		xyz_access_begin(call);
		err = copy_struct_from_user(args, sizeof(*args), uargs, usize);
	} while (xyz_access_retry(call, &err));
	return err;
}

static long xyz_serve(struct xyz_call *call, struct xyz_args __user *uargs)
{
	struct xyz_args args;
	long ret;
	int err;

	err = xyz_get_args(call, &args, uargs);
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
		ret = xyz_echo(call, &args);
		break;
	case XYZ_OP_INFO:
		ret = xyz_info(call, &args);
		break;
	case XYZ_OP_RESET:
		return xyz_reset(call);
	default:
		ret = 0;	/* XYZ_OP_NOP */
		break;
	}
	if (ret != -EAGAIN)
		xyz_calls_inc();
	return ret;
}

static long xyz_call(struct xyz_args __user *uargs, enum xyz_door door,
		     bool nowait)
{
	struct xyz_call call = { .door = door, .nowait = nowait };
	long ret;

	ret = xyz_serve(&call, uargs);
	if (call.pinned)
		module_put(THIS_MODULE);
	return ret;
}

long sys_xyz(struct xyz_args __user *uargs, enum xyz_door door)
{
	return xyz_call(uargs, door, false);
}

/*
 * sys_xyz() for a caller that must not sleep (io_uring's IO_URING_F_NONBLOCK
 * issue): anything that would fault on a user page or allocate is -EAGAIN,
 * nothing counted, for the caller to retry with sys_xyz() where sleeping is
 * allowed.
 */
long sys_xyz_nowait(struct xyz_args __user *uargs, enum xyz_door door)
{
	return xyz_call(uargs, door, true);
}
