// SPDX-License-Identifier: (LGPL-2.1-or-later OR MIT)
/*
 * The io_uring door: IORING_OP_URING_CMD on /dev/xyz. A batch is a ring of
 * its own: xyz_batch_add() fills SQEs, xyz_batch_run() submits them all and
 * waits for all their CQEs in one io_uring_enter(). XYZ_VIA_URING is a batch
 * of one per thread, made on first use.
 *
 * liburing (Debian's 2.3) does the ring; a build without it (the i386 half:
 * Debian has no i386 liburing for amd64) keeps the symbols and fails them
 * with EOPNOTSUPP.
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"

#ifdef XYZ_HAVE_LIBURING
#include <liburing.h>

struct xyz_batch {
	struct io_uring	ring;
	pid_t		pid;		/* whose ring: a forked child's is not */
	unsigned int	entries;
	unsigned int	queued;		/* added, not yet submitted */
	unsigned int	inflight;	/* submitted, CQE not yet reaped */
};

struct xyz_batch *xyz_batch_open(unsigned int entries, unsigned int flags)
{
	struct xyz_batch *b;
	int ret;

	if (flags || !entries || entries > XYZ_BATCH_MAX) {
		errno = EINVAL;
		return NULL;
	}
	/* the door's file: fails with ENODEV before io_uring is tried */
	if (xyz__dev_fd() < 0)
		return NULL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	ret = io_uring_queue_init(entries, &b->ring, 0);
	if (ret < 0) {
		free(b);
		errno = -ret;	/* EPERM: kernel.io_uring_disabled */
		return NULL;
	}
	b->entries = entries;
	b->pid = getpid();
	return b;
}

static pid_t xyz__batch_pid(const struct xyz_batch *b)
{
	return b->pid;
}

void xyz_batch_close(struct xyz_batch *b)
{
	if (!b)
		return;
	io_uring_queue_exit(&b->ring);
	free(b);
}

int xyz_batch_add(struct xyz_batch *b, struct xyz_args *args,
		  __u64 user_data)
{
	struct xyz_uring_cmd *cmd;
	struct io_uring_sqe *sqe;
	int fd;

	if (!b)
		return xyz__fail(EINVAL);
	/*
	 * Not while calls are in flight: their SQ slots would be reused. The
	 * module reads an SQE once, when first issued, but io_uring itself
	 * issues a linked or drained request later (on 6.12 from its slot).
	 */
	if (b->inflight)
		return xyz__fail(EBUSY);
	if (b->queued >= b->entries)
		return xyz__fail(ENOSPC);	/* a CQE for each, always */
	fd = xyz__dev_fd();
	if (fd < 0)
		return -1;
	sqe = io_uring_get_sqe(&b->ring);
	if (!sqe)
		return xyz__fail(ENOSPC);
	/* io_uring_prep_rw() zeroes what a URING_CMD must have zero */
	io_uring_prep_rw(IORING_OP_URING_CMD, sqe, fd, NULL, 0, 0);
	sqe->cmd_op = XYZ_URING_CMD_CALL;
	sqe->user_data = user_data;
	cmd = (struct xyz_uring_cmd *)sqe->cmd;
	cmd->args = (uintptr_t)args;
	cmd->reserved = 0;
	b->queued++;
	return 0;
}

int xyz_batch_submit(struct xyz_batch *b)
{
	int ret;

	if (!b)
		return xyz__fail(EINVAL);
	ret = io_uring_submit(&b->ring);
	if (ret < 0)
		return xyz__fail(-ret);
	b->queued -= ret;
	b->inflight += ret;
	return ret;
}

static void reap(struct xyz_batch *b, struct xyz_result *res, unsigned int n)
{
	struct io_uring_cqe *cqe;
	unsigned int head, i = 0;

	io_uring_for_each_cqe(&b->ring, head, cqe) {
		if (i == n)
			break;
		res[i].user_data = cqe->user_data;
		res[i].res = cqe->res;
		i++;
	}
	io_uring_cq_advance(&b->ring, i);
	b->inflight -= i;
}

int xyz_batch_wait(struct xyz_batch *b, struct xyz_result *res,
		   unsigned int n)
{
	struct io_uring_cqe *cqe;
	int ret;

	if (!b || (n && !res) || n > b->inflight)
		return xyz__fail(EINVAL);
	if (!n)
		return 0;
	ret = io_uring_wait_cqes(&b->ring, &cqe, n, NULL, NULL);
	if (ret < 0)
		return xyz__fail(-ret);
	reap(b, res, n);
	return (int)n;
}

int xyz_batch_run(struct xyz_batch *b, struct xyz_result *res)
{
	unsigned int n;
	int ret;

	if (!b || !res || b->inflight)
		return xyz__fail(EINVAL);
	n = b->queued;
	if (!n)
		return 0;
	/* one io_uring_enter(): submit n, wait for n */
	ret = io_uring_submit_and_wait(&b->ring, n);
	if (ret < 0)
		return xyz__fail(-ret);
	b->queued -= ret;
	b->inflight += ret;
	if ((unsigned int)ret != n)
		return xyz__fail(EAGAIN);	/* the rest stays queued */
	return xyz_batch_wait(b, res, n);
}

#else /* !XYZ_HAVE_LIBURING */

struct xyz_batch *xyz_batch_open(unsigned int entries, unsigned int flags)
{
	errno = flags || !entries || entries > XYZ_BATCH_MAX ? EINVAL :
								EOPNOTSUPP;
	return NULL;
}

static pid_t xyz__batch_pid(const struct xyz_batch *b)
{
	(void)b;
	return 0;
}

void xyz_batch_close(struct xyz_batch *b)
{
	(void)b;
}

int xyz_batch_add(struct xyz_batch *b, struct xyz_args *args,
		  __u64 user_data)
{
	(void)b;
	(void)args;
	(void)user_data;
	return xyz__fail(EOPNOTSUPP);
}

int xyz_batch_submit(struct xyz_batch *b)
{
	(void)b;
	return xyz__fail(EOPNOTSUPP);
}

int xyz_batch_wait(struct xyz_batch *b, struct xyz_result *res,
		   unsigned int n)
{
	(void)b;
	(void)res;
	(void)n;
	return xyz__fail(EOPNOTSUPP);
}

int xyz_batch_run(struct xyz_batch *b, struct xyz_result *res)
{
	(void)b;
	(void)res;
	return xyz__fail(EOPNOTSUPP);
}

#endif /* XYZ_HAVE_LIBURING */

/* XYZ_VIA_URING: a batch of one per thread, closed when the thread ends. */
static pthread_key_t thread_batch_key;
static pthread_once_t thread_batch_once = PTHREAD_ONCE_INIT;
static int thread_batch_key_err;

static void thread_batch_free(void *b)
{
	xyz_batch_close(b);
}

static void thread_batch_key_init(void)
{
	thread_batch_key_err = pthread_key_create(&thread_batch_key,
						  thread_batch_free);
}

static struct xyz_batch *thread_batch(void)
{
	struct xyz_batch *b;

	pthread_once(&thread_batch_once, thread_batch_key_init);
	if (thread_batch_key_err) {
		errno = thread_batch_key_err;
		return NULL;
	}
	b = pthread_getspecific(thread_batch_key);
	if (b && xyz__batch_pid(b) == getpid())
		return b;
	if (b) {
		/* the parent's ring, mapped shared: leave it to the parent */
		xyz_batch_close(b);
		pthread_setspecific(thread_batch_key, NULL);
	}
	b = xyz_batch_open(1, 0);
	if (b && pthread_setspecific(thread_batch_key, b)) {
		xyz_batch_close(b);
		return NULL;
	}
	return b;
}

int xyz_uring(struct xyz_args *args)
{
	struct xyz_result r;
	struct xyz_batch *b;

	if (!args)
		return xyz__fail(EFAULT);
	b = thread_batch();
	if (!b)
		return -1;
	if (xyz_batch_add(b, args, 0) || xyz_batch_run(b, &r) != 1)
		return -1;
	return xyz__ret(r.res);
}

/*
 * The door works when a NOP goes through it: io_uring may be disabled
 * (EPERM), missing (ENOSYS), or the module may predate the door
 * (EOPNOTSUPP from io_uring: the file has no uring_cmd).
 */
int xyz__uring_available(void)
{
	struct xyz_args args;

	xyz_args_init(&args, XYZ_OP_NOP);
	return xyz_uring(&args) < 0 ? -1 : 0;
}
