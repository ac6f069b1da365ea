/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel version differences, each behind one small helper, so the hook code
 * reads the same on every kernel of the matrix.
 */
#ifndef _XYZ_COMPAT_H
#define _XYZ_COMPAT_H

#ifdef __ASSEMBLY__

/*
 * A direct trampoline is entered by a plain call from the ftrace site, not
 * through a call thunk: account for it where returning-thunk depth tracking
 * exists (6.2+, renamed in 6.9).
 */
#if defined(CONFIG_MITIGATION_CALL_DEPTH_TRACKING) || \
	defined(CONFIG_CALL_DEPTH_TRACKING)
#define XYZ_CALL_DEPTH_ACCOUNT	CALL_DEPTH_ACCOUNT
#else
#define XYZ_CALL_DEPTH_ACCOUNT
#endif

#else /* !__ASSEMBLY__ */

#include <linux/ftrace.h>
#include <linux/mm.h>
#include <linux/version.h>

/* 6.7 moved struct io_uring_cmd to its own header. */
#if KERNEL_VERSION(6, 7, 0) <= LINUX_VERSION_CODE
#include <linux/io_uring/cmd.h>
#else
#include <linux/io_uring.h>
#endif

/*
 * 6.5 renamed register_ftrace_direct_multi(ops, addr) to
 * register_ftrace_direct() and taught its unregister to free the filter.
 */
#define XYZ_FTRACE_DIRECT_OPS_RENAMED \
	(KERNEL_VERSION(6, 5, 0) <= LINUX_VERSION_CODE)

static inline int xyz_register_ftrace_direct(struct ftrace_ops *ops,
					     unsigned long addr)
{
#if !XYZ_FTRACE_DIRECT_OPS_RENAMED
	return register_ftrace_direct_multi(ops, addr);
#else
	return register_ftrace_direct(ops, addr);
#endif
}

static inline void xyz_unregister_ftrace_direct(struct ftrace_ops *ops,
						unsigned long addr)
{
#if !XYZ_FTRACE_DIRECT_OPS_RENAMED
	unregister_ftrace_direct_multi(ops, addr);
	ftrace_free_filter(ops);
#else
	unregister_ftrace_direct(ops, addr, true);
#endif
}

/* 6.3 made vm_flags read-only outside the vm_flags_*() helpers. */
static inline void xyz_vm_flags_mod(struct vm_area_struct *vma,
				    vm_flags_t set, vm_flags_t clear)
{
#if KERNEL_VERSION(6, 3, 0) <= LINUX_VERSION_CODE
	vm_flags_mod(vma, set, clear);
#else
	vma->vm_flags = (vma->vm_flags | set) & ~clear;
#endif
}

/*
 * The command area of a uring_cmd's SQE (sqe->cmd): 6.6 handed drivers the
 * whole SQE instead of a pointer to that area. Either may point into the
 * ring that user space can write: copy it once before checking it.
 */
static inline const void *xyz_uring_cmd_area(const struct io_uring_cmd *ioucmd)
{
#if KERNEL_VERSION(6, 6, 0) <= LINUX_VERSION_CODE
	return io_uring_sqe_cmd(ioucmd->sqe);
#else
	return ioucmd->cmd;
#endif
}

/*
 * Complete a uring_cmd from its ->uring_cmd() handler with @ret. 6.12's
 * io_uring_cmd() posts whatever the handler returns, inline through the
 * batched (deferred) completion path. 6.1's passes a non-zero return on as
 * the issue's status: 0 and errors are posted right (0 batched), but a
 * positive result would fail the request inline (breaking IOSQE_IO_LINK
 * chains) and never be posted from an io-wq worker (measured: such calls
 * hung). Those go through io_uring_cmd_done(), which posts one CQE at a
 * time; it takes issue_flags since 6.3, and Debian's 6.1 has that backport.
 */
static inline int xyz_uring_cmd_complete(struct io_uring_cmd *ioucmd,
					 long ret, unsigned int issue_flags)
{
#if KERNEL_VERSION(6, 12, 0) <= LINUX_VERSION_CODE
	return ret;
#else
	if (ret <= 0)
		return ret;
	io_uring_cmd_done(ioucmd, ret, 0, issue_flags);
	return -EIOCBQUEUED;
#endif
}

#endif /* __ASSEMBLY__ */
#endif /* _XYZ_COMPAT_H */
