/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The smallest io_uring the selftests need: io_uring_setup(), the three
 * mappings, io_uring_enter(). Raw system calls, not liburing, for two
 * reasons: Debian ships no i386 liburing for amd64's multilib, and the
 * 32-bit program must test the door too; and, like xyz_test.h, no library
 * sits between a test and the kernel.
 */
#ifndef XYZ_URING_H
#define XYZ_URING_H

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/io_uring.h>
#include <linux/xyz.h>

struct xyz_ring {
	int fd;
	unsigned int flags;		/* IORING_SETUP_* */
	unsigned int sqe_size;		/* 64, or 128 with IORING_SETUP_SQE128 */
	unsigned int *sq_head, *sq_tail, *sq_mask, *sq_array;
	unsigned int *cq_head, *cq_tail, *cq_mask;
	struct io_uring_cqe *cqes;
	uint8_t *sqes;
	void *sq_map, *cq_map;
	size_t sq_len, cq_len, sqes_len;
	unsigned int pending;		/* SQEs filled, not yet submitted */
};

static inline void xyz_ring_exit(struct xyz_ring *r)
{
	if (r->sqes)
		munmap(r->sqes, r->sqes_len);
	if (r->cq_map && r->cq_map != r->sq_map)
		munmap(r->cq_map, r->cq_len);
	if (r->sq_map)
		munmap(r->sq_map, r->sq_len);
	if (r->fd >= 0)
		close(r->fd);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}

/* 0, or -errno of what failed (io_uring_setup's EPERM when disabled). */
static inline int xyz_ring_init(struct xyz_ring *r, unsigned int entries,
				unsigned int flags)
{
	struct io_uring_params p;
	uint8_t *sq, *cq;
	int err;

	memset(r, 0, sizeof(*r));
	memset(&p, 0, sizeof(p));
	p.flags = flags;
	r->fd = syscall(__NR_io_uring_setup, entries, &p);
	if (r->fd < 0)
		return -errno;
	r->flags = flags;
	r->sqe_size = flags & IORING_SETUP_SQE128 ? 128 : 64;
	r->sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	r->cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if (p.features & IORING_FEAT_SINGLE_MMAP) {
		if (r->cq_len > r->sq_len)
			r->sq_len = r->cq_len;
		r->cq_len = r->sq_len;
	}
	r->sq_map = mmap(NULL, r->sq_len, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
	if (r->sq_map == MAP_FAILED)
		goto fail;
	r->cq_map = r->sq_map;
	if (!(p.features & IORING_FEAT_SINGLE_MMAP)) {
		r->cq_map = mmap(NULL, r->cq_len, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_POPULATE, r->fd,
				 IORING_OFF_CQ_RING);
		if (r->cq_map == MAP_FAILED)
			goto fail;
	}
	r->sqes_len = (size_t)p.sq_entries * r->sqe_size;
	r->sqes = mmap(NULL, r->sqes_len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
	if (r->sqes == MAP_FAILED)
		goto fail;
	sq = r->sq_map;
	cq = r->cq_map;
	r->sq_head = (unsigned int *)(sq + p.sq_off.head);
	r->sq_tail = (unsigned int *)(sq + p.sq_off.tail);
	r->sq_mask = (unsigned int *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned int *)(sq + p.sq_off.array);
	r->cq_head = (unsigned int *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned int *)(cq + p.cq_off.tail);
	r->cq_mask = (unsigned int *)(cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	return 0;
fail:
	err = -errno;
	if (r->sq_map == MAP_FAILED)
		r->sq_map = NULL;
	if (r->cq_map == MAP_FAILED)
		r->cq_map = NULL;
	if (r->sqes == MAP_FAILED)
		r->sqes = NULL;
	xyz_ring_exit(r);
	return err;
}

/* The next free SQE, zeroed (all 64 or 128 bytes). The caller fills it. */
static inline struct io_uring_sqe *xyz_ring_get_sqe(struct xyz_ring *r)
{
	unsigned int tail = *r->sq_tail + r->pending;
	unsigned int idx = tail & *r->sq_mask;
	struct io_uring_sqe *sqe = (struct io_uring_sqe *)
		(r->sqes + (size_t)idx * r->sqe_size);

	memset(sqe, 0, r->sqe_size);
	r->sq_array[idx] = idx;
	r->pending++;
	return sqe;
}

/* An xyz call: IORING_OP_URING_CMD on @fd with @args in the command area. */
static inline struct io_uring_sqe *xyz_prep_call(struct io_uring_sqe *sqe,
						 int fd, const void *args,
						 uint64_t user_data)
{
	struct xyz_uring_cmd *cmd = (struct xyz_uring_cmd *)sqe->cmd;

	sqe->opcode = IORING_OP_URING_CMD;
	sqe->fd = fd;
	sqe->cmd_op = XYZ_URING_CMD_CALL;
	sqe->user_data = user_data;
	cmd->args = (uintptr_t)args;
	return sqe;
}

/*
 * Submit what was filled, in one io_uring_enter(), and wait for @wait
 * completions: the number submitted, or -errno.
 */
static inline int xyz_ring_submit(struct xyz_ring *r, unsigned int wait)
{
	unsigned int n = r->pending;
	int ret;

	__atomic_store_n(r->sq_tail, *r->sq_tail + n, __ATOMIC_RELEASE);
	r->pending = 0;
	ret = syscall(__NR_io_uring_enter, r->fd, n, wait,
		      wait ? IORING_ENTER_GETEVENTS : 0, NULL, 0);
	return ret < 0 ? -errno : ret;
}

/* Copy up to @max completions to @out and consume them: how many. */
static inline unsigned int xyz_ring_reap(struct xyz_ring *r,
					 struct io_uring_cqe *out,
					 unsigned int max)
{
	unsigned int head = *r->cq_head;
	unsigned int tail = __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE);
	unsigned int n = 0;

	while (head != tail && n < max) {
		out[n++] = r->cqes[head & *r->cq_mask];
		head++;
	}
	__atomic_store_n(r->cq_head, head, __ATOMIC_RELEASE);
	return n;
}

/* Wait for and reap exactly @n completions: @n, or -errno. */
static inline int xyz_ring_wait(struct xyz_ring *r, struct io_uring_cqe *out,
				unsigned int n)
{
	unsigned int got = 0;

	while (got < n) {
		got += xyz_ring_reap(r, out + got, n - got);
		if (got < n && syscall(__NR_io_uring_enter, r->fd, 0, n - got,
				       IORING_ENTER_GETEVENTS, NULL, 0) < 0 &&
		    errno != EINTR)
			return -errno;
	}
	return n;
}

/*
 * Is there an io_uring door on @fd? Only two answers mean no: a kernel
 * without IORING_OP_URING_CMD (before 5.19) says EINVAL for the opcode, a
 * device without ->uring_cmd EOPNOTSUPP. Anything else (ENOTTY for the
 * unknown command it is sent, or a wrong answer the tests then catch) is a
 * door. 0 when there is one, else a negative errno; @why says what it means.
 */
static inline int xyz_uring_door_probe(int fd, const char **why)
{
	struct io_uring_cqe cqe;
	struct xyz_ring r;
	int err = xyz_ring_init(&r, 1, 0);

	*why = "io_uring_setup() failed";
	if (err)
		return err;
	xyz_prep_call(xyz_ring_get_sqe(&r), fd, NULL, 0)->cmd_op = 0;
	err = xyz_ring_submit(&r, 1);
	if (err >= 0)
		err = xyz_ring_wait(&r, &cqe, 1);
	xyz_ring_exit(&r);
	if (err < 0)
		return err;
	if (cqe.res == -EINVAL) {
		*why = "this kernel has no IORING_OP_URING_CMD (5.19 and later do)";
		return cqe.res;
	}
	if (cqe.res == -EOPNOTSUPP) {
		*why = "/dev/xyz has no io_uring door";
		return cqe.res;
	}
	return 0;
}

/* In a kselftest: skip, and say why, unless @fd has an io_uring door. */
#define XYZ_SKIP_WITHOUT_URING_DOOR(fd) do {				\
	const char *why_;						\
	int err_ = xyz_uring_door_probe(fd, &why_);			\
									\
	if (err_)							\
		SKIP(return, "%s: %s", why_, strerror(-err_));		\
} while (0)

#endif /* XYZ_URING_H */
