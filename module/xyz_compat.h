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

/*
 * The trampoline's address is stored as data (for register_ftrace_direct)
 * but ftrace calls it directly, never through a pointer: it needs no ENDBR.
 * 7.2's objtool checks module data relocations and wants that said; older
 * kernels either do not ask or spell it as an assembler macro.
 */
#ifdef ANNOTATE_NOENDBR
#define XYZ_ANNOTATE_NOENDBR	ANNOTATE_NOENDBR
#else
#define XYZ_ANNOTATE_NOENDBR
#endif

#else /* !__ASSEMBLY__ */

#include <linux/errno.h>
#include <linux/ftrace.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/srcu.h>
#include <linux/version.h>

/*
 * ftrace_free_filter() is exported to modules by Debian's 6.1 and later, not
 * by 5.10; there, resetting the filter to nothing does the same.
 */
static inline void xyz_ftrace_free_filter(struct ftrace_ops *ops)
{
#if KERNEL_VERSION(6, 1, 0) <= LINUX_VERSION_CODE
	ftrace_free_filter(ops);
#else
	ftrace_set_filter(ops, NULL, 0, 1);
#endif
}

/*
 * hook=direct needs an ftrace direct call on a shared ops (5.16,
 * register_ftrace_direct_multi()) whose ops_func lets an IPMODIFY user (a
 * livepatch) share the site (6.0). Older kernels (Debian's 5.10) have
 * neither, nor the x64_sys_call() it attaches to: there it refuses.
 */
#define XYZ_FTRACE_DIRECT_OPS \
	(KERNEL_VERSION(6, 0, 0) <= LINUX_VERSION_CODE)

/*
 * 6.7 moved struct io_uring_cmd to its own header; before, 6.1 needs
 * io_uring_types.h for cmd_to_io_kiocb() (xyz_uring_cmd_unused()).
 */
#if KERNEL_VERSION(6, 7, 0) <= LINUX_VERSION_CODE
#include <linux/io_uring/cmd.h>
#elif KERNEL_VERSION(5, 19, 0) <= LINUX_VERSION_CODE
#include <linux/io_uring.h>
#include <linux/io_uring_types.h>
#endif

/*
 * 6.5 renamed register_ftrace_direct_multi(ops, addr) to
 * register_ftrace_direct() and taught its unregister to free the filter.
 */
#define XYZ_FTRACE_DIRECT_OPS_RENAMED \
	(KERNEL_VERSION(6, 5, 0) <= LINUX_VERSION_CODE)

/*
 * An ops_func that always agrees: see xyz_hook_direct.c. It gained the ip
 * it is asked about after 6.12 (7.2's headers have it; 6.19 is assumed,
 * the kernels between are not tested).
 */
#if KERNEL_VERSION(6, 19, 0) <= LINUX_VERSION_CODE
static inline int xyz_ftrace_direct_agree(struct ftrace_ops *ops,
					  unsigned long ip,
					  enum ftrace_ops_cmd cmd)
{
	return 0;
}
#elif XYZ_FTRACE_DIRECT_OPS
static inline int xyz_ftrace_direct_agree(struct ftrace_ops *ops,
					  enum ftrace_ops_cmd cmd)
{
	return 0;
}
#endif

static inline void xyz_ftrace_direct_share(struct ftrace_ops *ops)
{
#if XYZ_FTRACE_DIRECT_OPS
	ops->ops_func = xyz_ftrace_direct_agree;
#endif
}

static inline int xyz_register_ftrace_direct(struct ftrace_ops *ops,
					     unsigned long addr)
{
#if !XYZ_FTRACE_DIRECT_OPS
	return -EOPNOTSUPP;
#elif !XYZ_FTRACE_DIRECT_OPS_RENAMED
	return register_ftrace_direct_multi(ops, addr);
#else
	return register_ftrace_direct(ops, addr);
#endif
}

static inline void xyz_unregister_ftrace_direct(struct ftrace_ops *ops,
						unsigned long addr)
{
#if !XYZ_FTRACE_DIRECT_OPS
#elif !XYZ_FTRACE_DIRECT_OPS_RENAMED
	unregister_ftrace_direct_multi(ops, addr);
	xyz_ftrace_free_filter(ops);
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
 * IORING_OP_URING_CMD reached drivers in 5.19: before, /dev/xyz has no
 * io_uring door (xyz_uring.c builds empty).
 */
#define XYZ_HAVE_URING_CMD	(KERNEL_VERSION(5, 19, 0) <= LINUX_VERSION_CODE)

#if XYZ_HAVE_URING_CMD
#define XYZ_URING_CMD_FOP	.uring_cmd = xyz_uring_cmd,

/*
 * The command area of a uring_cmd's SQE (sqe->cmd): 6.6 handed drivers the
 * whole SQE instead of a pointer to that area. Either may point into the
 * ring that user space can write: the driver copies it once, at the first
 * issue, and never reads it again.
 */
static inline const void *xyz_uring_cmd_area(const struct io_uring_cmd *ioucmd)
{
#if KERNEL_VERSION(6, 6, 0) <= LINUX_VERSION_CODE
	return ioucmd->sqe->cmd;
#else
	return ioucmd->cmd;
#endif
}

/* sqe->uring_cmd_flags a user may set (6.1 knows only FIXED). */
#ifdef IORING_URING_CMD_MASK
#define XYZ_URING_CMD_USER_FLAGS	IORING_URING_CMD_MASK
#else
#define XYZ_URING_CMD_USER_FLAGS	IORING_URING_CMD_FIXED
#endif

/*
 * The SQE fields IORING_OP_URING_CMD leaves to the driver, ORed: addr,
 * len, uring_cmd_flags (io_uring keeps those in ioucmd->flags). 6.1 hands
 * over only sqe->cmd, in the ring, or a copy of the command area alone for
 * a request it issues from io-wq (IOSQE_ASYNC) or links: addr and len are
 * gone then.
 */
static inline u64 xyz_uring_cmd_unused(const struct io_uring_cmd *ioucmd)
{
#if KERNEL_VERSION(6, 6, 0) <= LINUX_VERSION_CODE
	return (ioucmd->flags & XYZ_URING_CMD_USER_FLAGS) |
	       READ_ONCE(ioucmd->sqe->addr) | READ_ONCE(ioucmd->sqe->len);
#else
	const struct io_uring_sqe *sqe = (const void *)((const u8 *)ioucmd->cmd -
				offsetof(struct io_uring_sqe, cmd));

	if (cmd_to_io_kiocb(ioucmd)->flags & REQ_F_ASYNC_DATA)
		return ioucmd->flags & XYZ_URING_CMD_USER_FLAGS;
	return (ioucmd->flags & XYZ_URING_CMD_USER_FLAGS) |
	       READ_ONCE(sqe->addr) | READ_ONCE(sqe->len);
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

/*
 * Task work: io_uring_cmd_complete_in_task() runs a callback in the task
 * that submitted the request, and io_uring_cmd_done() posts its CQE. Their
 * signatures changed after 6.12: 7.2's callback gets a struct io_tw_req
 * and an io_tw_token_t that says whether the task is going away, and done()
 * lost res2 (6.19 is assumed, the kernels between are not tested). Before,
 * 6.12 says so with IO_URING_F_TASK_DEAD, and 6.1 not at all: there the
 * callback may run in an exiting task or a kworker (io_uring's fallback),
 * neither of which may touch the submitter's memory.
 *
 * XYZ_URING_TASK_WORK(name, fn) defines the callback @name, which calls
 * fn(ioucmd, issue_flags, dead).
 */
#if KERNEL_VERSION(6, 19, 0) <= LINUX_VERSION_CODE
#define XYZ_URING_TASK_WORK(name, fn)					\
static void name(struct io_tw_req tw_req, io_tw_token_t tw)		\
{									\
	fn(io_uring_cmd_from_tw(tw_req),				\
	   IO_URING_CMD_TASK_WORK_ISSUE_FLAGS, tw.cancel);		\
}

static inline void xyz_uring_cmd_done(struct io_uring_cmd *ioucmd, long ret,
				      unsigned int issue_flags)
{
	io_uring_cmd_done(ioucmd, ret, issue_flags);
}
#else
#if KERNEL_VERSION(6, 12, 0) <= LINUX_VERSION_CODE
#define XYZ_URING_F_TASK_DEAD	IO_URING_F_TASK_DEAD
#else
#define XYZ_URING_F_TASK_DEAD	0
#endif

static inline bool xyz_uring_task_dead(unsigned int issue_flags)
{
	return (issue_flags & XYZ_URING_F_TASK_DEAD) ||
	       (current->flags & (PF_EXITING | PF_KTHREAD));
}

#define XYZ_URING_TASK_WORK(name, fn)					\
static void name(struct io_uring_cmd *ioucmd, unsigned int issue_flags) \
{									\
	fn(ioucmd, issue_flags, xyz_uring_task_dead(issue_flags));	\
}

static inline void xyz_uring_cmd_done(struct io_uring_cmd *ioucmd, long ret,
				      unsigned int issue_flags)
{
	io_uring_cmd_done(ioucmd, ret, 0, issue_flags);
}
#endif
#else
#define XYZ_URING_CMD_FOP
#endif /* XYZ_HAVE_URING_CMD */

/*
 * 5.11 introduced struct ftrace_regs; before, an ftrace_ops callback got
 * the pt_regs themselves (hook=ftrace refuses there anyway: no
 * x64_sys_call(), but it must build).
 */
#if KERNEL_VERSION(5, 11, 0) <= LINUX_VERSION_CODE
#define xyz_ftrace_regs ftrace_regs
#define xyz_ftrace_get_regs ftrace_get_regs
#else
#define xyz_ftrace_regs pt_regs
static inline struct pt_regs *xyz_ftrace_get_regs(struct pt_regs *regs)
{
	return regs;
}
#endif

/*
 * 5.10's DEFINE_SRCU() in a module leaves a global pointer to the
 * srcu_struct that nothing declares (sparse says so); in 6.1 on it is
 * declared. Kernels between are refused by dkms.conf, untested.
 */
#if KERNEL_VERSION(5, 11, 0) > LINUX_VERSION_CODE && defined(MODULE)
#define XYZ_DEFINE_SRCU(name)						\
	extern struct srcu_struct * const __srcu_struct_##name;		\
	DEFINE_SRCU(name)
#else
#define XYZ_DEFINE_SRCU(name)	DEFINE_SRCU(name)
#endif

#endif /* __ASSEMBLY__ */
#endif /* _XYZ_COMPAT_H */
