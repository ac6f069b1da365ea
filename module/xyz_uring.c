// SPDX-License-Identifier: GPL-2.0
/*
 * The io_uring door: IORING_OP_URING_CMD on /dev/xyz, sqe->cmd_op =
 * XYZ_URING_CMD_CALL, struct xyz_uring_cmd in the SQE's command area. Any
 * number of calls share one io_uring_enter(); each completes with its own
 * CQE, whose res is what sys_xyz returned.
 *
 * The SQE is read once, at the first issue, and never again: user space may
 * reuse its ring slot as soon as io_uring_enter() returns, and 6.12 leaves
 * ioucmd->sqe on that slot when a handler asks for a retry (-EAGAIN). So
 * this door never asks for one. A call that can run without sleeping
 * completes inline, in the submitting task: io_uring's first issue comes
 * with IO_URING_F_NONBLOCK. One that must sleep (user memory not resident,
 * a large ECHO) goes to the submitting task's task work with the args
 * pointer it was submitted with, and runs there, where it may fault; so
 * does a first issue from io-wq (IOSQE_ASYNC), whose SQE io_uring copied.
 * Every call thus runs in the task that submitted it (with SQPOLL, the
 * ring's polling thread): INFO reports it, and its credentials apply.
 *
 * Nothing is left in flight in the driver that the ring does not know of:
 * a closing ring runs or cancels its task work, and the ring's reference on
 * the file pins the module. security_uring_cmd() has run before io_uring
 * calls us.
 */
#include <linux/errno.h>
#include <linux/ioctl.h>
#include <linux/kernel.h>
#include <linux/stddef.h>

#include "xyz_compat.h"
#include "xyz_internal.h"

#if XYZ_HAVE_URING_CMD

/* The command area: 16 bytes of a 64-byte SQE, 64 more in a 128-byte one. */
#define XYZ_URING_AREA		16
#define XYZ_URING_AREA_EXTRA	64

/* cmd_op's type and number; its size and direction bits are not read. */
#define XYZ_URING_CMD_ID(op)	((op) & (_IOC_TYPEMASK << _IOC_TYPESHIFT | \
					 _IOC_NRMASK << _IOC_NRSHIFT))

/* What a call that goes to task work keeps of its SQE. */
struct xyz_uring_pdu {
	struct xyz_args __user *args;
};

static struct xyz_uring_pdu *xyz_uring_pdu(struct io_uring_cmd *ioucmd)
{
	BUILD_BUG_ON(sizeof(struct xyz_uring_pdu) > sizeof(ioucmd->pdu));
	return (struct xyz_uring_pdu *)ioucmd->pdu;
}

static void xyz_uring_run(struct io_uring_cmd *ioucmd,
			  unsigned int issue_flags, bool dead)
{
	struct xyz_uring_pdu *pdu = xyz_uring_pdu(ioucmd);
	long ret = -ECANCELED;

	/* An exiting task, or a kworker: not the submitter's memory. */
	if (!dead)
		ret = sys_xyz(pdu->args, XYZ_DOOR_URING);
	xyz_uring_cmd_done(ioucmd, ret, issue_flags);
}

XYZ_URING_TASK_WORK(xyz_uring_task_work, xyz_uring_run)

/* The ORed words of an SQE128's further 64 bytes of command area. */
static u64 xyz_uring_area_extra(const u64 *extra)
{
	u64 any = 0;
	unsigned int i;

	for (i = 0; i < XYZ_URING_AREA_EXTRA / sizeof(u64); i++)
		any |= READ_ONCE(extra[i]);
	return any;
}

/*
 * The one read of the SQE, at the first issue: cmd_op, the fields the door
 * leaves unused, the command area, each word read once and the checks made
 * on what was read (the ring is user memory). An SQE128's further bytes are
 * never used, only required to be zero; the common SQE has none. What the
 * call needs later, its args pointer, goes to the pdu at once: a call that
 * must sleep finds it there, and it need not be kept across the call below.
 */
int xyz_uring_cmd(struct io_uring_cmd *ioucmd, unsigned int issue_flags)
{
	const u64 *area = xyz_uring_cmd_area(ioucmd);
	struct xyz_args __user *uargs;
	u64 unused;
	long ret;

	BUILD_BUG_ON(sizeof(struct xyz_uring_cmd) != XYZ_URING_AREA);
	BUILD_BUG_ON(offsetof(struct xyz_uring_cmd, reserved) != sizeof(u64));

	if (XYZ_URING_CMD_ID(ioucmd->cmd_op) !=
	    XYZ_URING_CMD_ID(XYZ_URING_CMD_CALL))
		return xyz_uring_cmd_complete(ioucmd, -ENOTTY, issue_flags);
	uargs = u64_to_user_ptr(READ_ONCE(area[0]));
	unused = READ_ONCE(area[1]) | xyz_uring_cmd_unused(ioucmd);
	if (issue_flags & IO_URING_F_SQE128)
		unused |= xyz_uring_area_extra(area + 2);
	if (unused)
		return xyz_uring_cmd_complete(ioucmd, -EINVAL, issue_flags);
	xyz_uring_pdu(ioucmd)->args = uargs;

	if (issue_flags & IO_URING_F_NONBLOCK) {
		ret = sys_xyz_nowait(uargs, XYZ_DOOR_URING);
		if (ret != -EAGAIN)
			return xyz_uring_cmd_complete(ioucmd, ret, issue_flags);
	}
	/* It must sleep: in the submitter's task, with the args read here. */
	io_uring_cmd_complete_in_task(ioucmd, xyz_uring_task_work);
	return -EIOCBQUEUED;
}

#endif /* XYZ_HAVE_URING_CMD */
