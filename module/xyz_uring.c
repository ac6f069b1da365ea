// SPDX-License-Identifier: GPL-2.0
/*
 * The io_uring door: IORING_OP_URING_CMD on /dev/xyz, sqe->cmd_op =
 * XYZ_URING_CMD_CALL, struct xyz_uring_cmd in the SQE's command area. Any
 * number of calls share one io_uring_enter(); each completes with its own
 * CQE, whose res is what sys_xyz returned.
 *
 * A call completes inline, in the submitting task, when it can run without
 * sleeping. io_uring first issues a request with IO_URING_F_NONBLOCK: then a
 * call whose user memory is not resident (or a large ECHO) returns -EAGAIN,
 * and io_uring issues it again from an io-wq worker, a thread of the same
 * process with the submitter's credentials, where it may fault and sleep.
 * Nothing is left in flight in the driver: a closing ring cancels or waits
 * for its io-wq work, and the ring's reference on the file pins the module.
 *
 * security_uring_cmd() has run before io_uring calls us.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "xyz_compat.h"
#include "xyz_internal.h"

#if XYZ_HAVE_URING_CMD

/* The command area: 16 bytes of a 64-byte SQE, 64 more in a 128-byte one. */
#define XYZ_URING_AREA		16
#define XYZ_URING_AREA_EXTRA	64

int xyz_uring_cmd(struct io_uring_cmd *ioucmd, unsigned int issue_flags)
{
	const u8 *area = xyz_uring_cmd_area(ioucmd);
	struct xyz_uring_cmd cmd;
	struct xyz_args __user *uargs;
	long ret;

	BUILD_BUG_ON(sizeof(cmd) != XYZ_URING_AREA);

	if (ioucmd->cmd_op != XYZ_URING_CMD_CALL)
		return xyz_uring_cmd_complete(ioucmd, -ENOTTY, issue_flags);

	/*
	 * One copy, then checks on the copy: the ring is user memory. An
	 * SQE128's further bytes are never used, only required to be zero:
	 * one pass over them is enough, and the common SQE has none.
	 */
	memcpy(&cmd, area, sizeof(cmd));
	if (cmd.reserved ||
	    ((issue_flags & IO_URING_F_SQE128) &&
	     memchr_inv(area + XYZ_URING_AREA, 0, XYZ_URING_AREA_EXTRA)))
		return xyz_uring_cmd_complete(ioucmd, -EINVAL, issue_flags);

	uargs = u64_to_user_ptr(cmd.args);
	if (issue_flags & IO_URING_F_NONBLOCK) {
		ret = sys_xyz_nowait(uargs, XYZ_DOOR_URING);
		if (ret == -EAGAIN)
			return -EAGAIN;	/* io_uring issues it again from io-wq */
	} else {
		ret = sys_xyz(uargs, XYZ_DOOR_URING);
	}
	return xyz_uring_cmd_complete(ioucmd, ret, issue_flags);
}

#endif /* XYZ_HAVE_URING_CMD */
