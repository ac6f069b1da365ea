// SPDX-License-Identifier: GPL-2.0
/*
 * What only the io_uring door has: cmd_op and the command area, 64- and
 * 128-byte SQEs, plain and registered files, many calls (good and bad) in
 * one io_uring_enter() with a CQE each, user_data, calls whose user memory
 * is not yet faulted in (io_uring retries them from an io-wq worker), RESET
 * from an unprivileged submitter, and kernel.io_uring_disabled. Every op and
 * errno through this door: xyz_doors_test's "uring" variant. Built 64- and
 * 32-bit; needs the module loaded (any hook).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "xyz_test.h"
#include "kselftest_harness.h"

#define BATCH		128
#define DISABLED_SYSCTL	"/proc/sys/kernel/io_uring_disabled"
/* user_data of call i of a batch: all 64 bits carry something */
#define UD(i)		(0x8000000000000000ULL | (uint64_t)(i) << 32 | (i))

FIXTURE(ring) {
	long page;
	int devfd;
	int fd;			/* what SQEs name: devfd, or index 0 */
	struct xyz_ring ring;
	uint8_t *mem;		/* 4 pages: args, buffers; page 3 PROT_NONE */
	struct xyz_args *args;
	uint8_t *hole;
};

FIXTURE_VARIANT(ring) {
	unsigned int setup_flags;
	int registered;		/* IORING_REGISTER_FILES, IOSQE_FIXED_FILE */
};

FIXTURE_VARIANT_ADD(ring, sqe64) { .setup_flags = 0 };
FIXTURE_VARIANT_ADD(ring, sqe128) { .setup_flags = IORING_SETUP_SQE128 };
FIXTURE_VARIANT_ADD(ring, registered) { .registered = 1 };

FIXTURE_SETUP(ring)
{
	int err;

	self->page = sysconf(_SC_PAGESIZE);
	self->devfd = open("/dev/" XYZ_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->devfd) TH_LOG("/dev/xyz: %s (module loaded?)",
					 strerror(errno));
	XYZ_SKIP_WITHOUT_URING_DOOR(self->devfd);
	err = xyz_ring_init(&self->ring, BATCH, variant->setup_flags);
	if (err)
		SKIP(return, "io_uring_setup: %s", strerror(-err));
	self->fd = self->devfd;
	if (variant->registered) {
		ASSERT_EQ(0, syscall(__NR_io_uring_register, self->ring.fd,
				     IORING_REGISTER_FILES, &self->devfd, 1));
		self->fd = 0;
	}
	self->mem = mmap(NULL, 4 * self->page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(self->mem != MAP_FAILED);
	self->hole = self->mem + 3 * self->page;
	ASSERT_EQ(0, mprotect(self->hole, self->page, PROT_NONE));
	memset(self->mem, 0, 3 * self->page);
	self->args = (struct xyz_args *)self->mem;
	self->args->size = sizeof(*self->args);
}

FIXTURE_TEARDOWN(ring)
{
	if (self->ring.sq_map)
		xyz_ring_exit(&self->ring);
	if (self->mem && self->mem != MAP_FAILED)
		munmap(self->mem, 4 * self->page);
	if (self->devfd >= 0)
		close(self->devfd);
}

static struct io_uring_sqe *call_sqe(FIXTURE_DATA(ring) *self,
				     const FIXTURE_VARIANT(ring) *variant,
				     const void *args, uint64_t user_data)
{
	struct io_uring_sqe *sqe = xyz_ring_get_sqe(&self->ring);

	xyz_prep_call(sqe, self->fd, args, user_data);
	if (variant->registered)
		sqe->flags |= IOSQE_FIXED_FILE;
	return sqe;
}

/* Submit the SQEs filled so far in one enter, wait for all: their CQEs. */
static int submit_all(FIXTURE_DATA(ring) *self, struct io_uring_cqe *cqes)
{
	unsigned int n = self->ring.pending;
	int ret = xyz_ring_submit(&self->ring, n);

	if (ret != (int)n)
		return ret < 0 ? ret : -EIO;
	return xyz_ring_wait(&self->ring, cqes, n);
}

/* One SQE as prepared by call_sqe() and maybe changed: its CQE's res. */
static int one(FIXTURE_DATA(ring) *self, uint64_t user_data)
{
	struct io_uring_cqe cqe;

	if (submit_all(self, &cqe) != 1 || cqe.user_data != user_data)
		return -ENOSYS;
	return cqe.res;
}

TEST_F(ring, nop_and_info)
{
	struct xyz_info *inf = (struct xyz_info *)(self->mem + self->page);

	call_sqe(self, variant, self->args, 1);
	EXPECT_EQ(0, one(self, 1));
	self->args->op = XYZ_OP_INFO;
	self->args->out = (uintptr_t)inf;
	self->args->out_len = sizeof(*inf);
	call_sqe(self, variant, self->args, 2);
	EXPECT_EQ(sizeof(*inf), one(self, 2));
	EXPECT_EQ(XYZ_DOOR_URING, inf->door);
	/* resident memory: served inline, by the submitting thread */
	EXPECT_EQ(gettid(), inf->pid);
	EXPECT_EQ(getpid(), inf->tgid);
	EXPECT_EQ(getuid(), inf->uid);
}

TEST_F(ring, unknown_cmd_op_is_enotty)
{
	static const uint32_t ops[] = {
		0, XYZ_IOC_CALL, _IOWR('y', 2, struct xyz_args),
		_IOWR('x', 3, struct xyz_args), _IO('x', 2), UINT32_MAX,
	};
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		call_sqe(self, variant, self->args, i)->cmd_op = ops[i];
		EXPECT_EQ(-ENOTTY, one(self, i)) TH_LOG("cmd_op %#x", ops[i]);
	}
}

/* Every byte of the command area past args must be zero: 8, or 72. */
TEST_F(ring, reserved_bytes_are_einval)
{
	size_t area = self->ring.sqe_size == 128 ? 80 : 16;
	size_t i;

	for (i = 8; i < area; i++) {
		call_sqe(self, variant, self->args, i)->cmd[i] = 0x01;
		EXPECT_EQ(-EINVAL, one(self, i)) TH_LOG("byte %zu of the area", i);
	}
	/* and nothing was served: a clean call still works */
	call_sqe(self, variant, self->args, 1000);
	EXPECT_EQ(0, one(self, 1000));
}

TEST_F(ring, bad_args_pointer_is_efault_in_res)
{
	static const uintptr_t bad[] = { 0, 1, 0xfffff000u };
	struct io_uring_cqe cqes[5];
	size_t i;

	for (i = 0; i < 3; i++)
		call_sqe(self, variant, (void *)bad[i], i);
	call_sqe(self, variant, self->hole, 3);
	*(uint32_t *)(self->hole - 4) = 48;
	call_sqe(self, variant, self->hole - 4, 4);
	/* the submission itself succeeds; each call fails in its CQE */
	ASSERT_EQ(5, submit_all(self, cqes));
	for (i = 0; i < 5; i++) {
		EXPECT_EQ(-EFAULT, cqes[i].res) TH_LOG("user_data %llu",
			(unsigned long long)cqes[i].user_data);
	}
}

/*
 * BATCH calls, good and bad, in one io_uring_enter(): each CQE carries its
 * own user_data and result, whatever order they complete in.
 */
TEST_F(ring, mixed_batch)
{
	struct xyz_args a[BATCH];
	uint8_t *in = self->mem + self->page, *out = in + 1024;
	struct io_uring_cqe cqes[BATCH];
	int want[BATCH], seen[BATCH] = { 0 };
	unsigned int i;

	for (i = 0; i < 1024; i++)
		in[i] = (uint8_t)i;
	for (i = 0; i < BATCH; i++) {
		struct io_uring_sqe *sqe;

		memset(&a[i], 0, sizeof(a[i]));
		a[i].size = sizeof(a[i]);
		sqe = call_sqe(self, variant, &a[i], 0);
		sqe->user_data = UD(i);
		switch (i % 6) {
		case 0:
			want[i] = 0;				/* NOP */
			break;
		case 1:					/* ECHO */
			a[i].op = XYZ_OP_ECHO;
			a[i].in = (uintptr_t)(in + i);
			a[i].in_len = 7;
			a[i].out = (uintptr_t)(out + i * 7);
			a[i].out_len = 7;
			want[i] = 7;
			break;
		case 2:
			a[i].flags = 1;			/* EINVAL */
			want[i] = -EINVAL;
			break;
		case 3:
			xyz_prep_call(sqe, self->fd, self->hole, sqe->user_data);
			if (variant->registered)
				sqe->flags |= IOSQE_FIXED_FILE;
			want[i] = -EFAULT;
			break;
		case 4:
			sqe->cmd_op = 0;
			want[i] = -ENOTTY;
			break;
		default:
			sqe->cmd[8] = 1;			/* reserved */
			want[i] = -EINVAL;
			break;
		}
	}
	ASSERT_EQ(BATCH, submit_all(self, cqes));
	for (i = 0; i < BATCH; i++) {
		unsigned int k = cqes[i].user_data & 0xff;

		ASSERT_GT(BATCH, k);
		ASSERT_EQ(UD(k), cqes[i].user_data);
		EXPECT_EQ(0, seen[k]++);
		EXPECT_EQ(want[k], cqes[i].res) TH_LOG("call %u", k);
	}
	for (i = 1; i < BATCH; i += 6)
		EXPECT_EQ(0, memcmp(in + i, out + i * 7, 7)) TH_LOG("ECHO %u", i);
}

/*
 * Resident memory: every call of a batch is served inline, in the
 * submitting thread (no io-wq round trip), which is what makes batches
 * cheap. INFO's pid tells.
 */
TEST_F(ring, batch_served_inline)
{
	struct xyz_info *inf = (struct xyz_info *)(self->mem + self->page);
	struct xyz_args a[32];
	struct io_uring_cqe cqes[32];
	unsigned int i;

	for (i = 0; i < 32; i++) {
		memset(&a[i], 0, sizeof(a[i]));
		a[i].size = sizeof(a[i]);
		a[i].op = XYZ_OP_INFO;
		a[i].out = (uintptr_t)&inf[i];
		a[i].out_len = sizeof(inf[i]);
		inf[i].pid = 0;
		call_sqe(self, variant, &a[i], i);
	}
	ASSERT_EQ(32, submit_all(self, cqes));
	for (i = 0; i < 32; i++) {
		EXPECT_EQ(sizeof(*inf), cqes[i].res);
		EXPECT_EQ(gettid(), inf[i].pid) TH_LOG("call %u", i);
	}
}

/* IOSQE_ASYNC: issued first from an io-wq worker, where it may sleep. */
TEST_F(ring, forced_async)
{
	struct xyz_info *inf = (struct xyz_info *)(self->mem + self->page);

	self->args->op = XYZ_OP_INFO;
	self->args->out = (uintptr_t)inf;
	self->args->out_len = sizeof(*inf);
	call_sqe(self, variant, self->args, 5)->flags |= IOSQE_ASYNC;
	EXPECT_EQ(sizeof(*inf), one(self, 5));
	EXPECT_EQ(XYZ_DOOR_URING, inf->door);
	EXPECT_EQ(getpid(), inf->tgid);
	EXPECT_NE(gettid(), inf->pid);
}

/*
 * A positive result is a success: the call linked after it runs. (6.1's
 * io_uring fails a request whose handler returns a positive value, which
 * would cancel the rest of the chain with ECANCELED.) A failure does
 * cancel it, as io_uring documents for IOSQE_IO_LINK.
 */
TEST_F(ring, linked_calls)
{
	uint8_t *in = self->mem + self->page, *out = in + 64;
	struct xyz_args a[2], bad = { .size = sizeof(bad), .flags = 1 };
	struct io_uring_cqe cqes[2];
	unsigned int i;

	memset(a, 0, sizeof(a));
	a[0].size = a[1].size = sizeof(a[0]);
	a[0].op = XYZ_OP_ECHO;
	a[0].in = (uintptr_t)in;
	a[0].out = (uintptr_t)out;
	a[0].in_len = a[0].out_len = 5;
	call_sqe(self, variant, &a[0], 0)->flags |= IOSQE_IO_LINK;
	call_sqe(self, variant, &a[1], 1);
	ASSERT_EQ(2, submit_all(self, cqes));
	for (i = 0; i < 2; i++) {
		int res = cqes[i].res, want = cqes[i].user_data ? 0 : 5;

		EXPECT_EQ(want, res);
	}

	call_sqe(self, variant, &bad, 0)->flags |= IOSQE_IO_LINK;
	call_sqe(self, variant, &a[1], 1);
	ASSERT_EQ(2, submit_all(self, cqes));
	for (i = 0; i < 2; i++) {
		int res = cqes[i].res;
		int want = cqes[i].user_data ? -ECANCELED : -EINVAL;

		EXPECT_EQ(want, res);
	}
}

TEST_F(ring, user_data_extremes)
{
	static const uint64_t uds[] = { 0, 1, 1ULL << 63, UINT64_MAX };
	struct io_uring_cqe cqes[4];
	size_t i;

	for (i = 0; i < 4; i++)
		call_sqe(self, variant, self->args, uds[i]);
	ASSERT_EQ(4, submit_all(self, cqes));
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(uds[i], cqes[i].user_data);
		EXPECT_EQ(0, cqes[i].res);
	}
}

/*
 * A tmpfs file mapped MAP_SHARED and never touched: the kernel finds no
 * page table entry, so the first, non-blocking issue cannot read it without
 * sleeping. io_uring must retry the call from an io-wq worker (a thread of
 * this process: INFO's pid is not ours, its tgid is), and the result and
 * the call count must be those of one call.
 */
static void *fresh_args(struct __test_metadata *_metadata,
			const void *args, size_t len)
{
	char path[] = "/tmp/xyz_uring.XXXXXX";
	int fd = mkstemp(path);
	void *map;

	ASSERT_LE(0, fd);
	unlink(path);
	ASSERT_EQ(len, write(fd, args, len));
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	ASSERT_TRUE(map != MAP_FAILED);
	return map;
}

TEST_F(ring, fresh_pages_are_served_from_a_worker)
{
	size_t len = self->page;
	struct xyz_args a = { .size = sizeof(a) };
	uint8_t *buf = malloc(len);
	uint8_t *out;
	struct xyz_info *inf;
	void *fresh;
	size_t i;

	ASSERT_TRUE(buf != NULL);
	memset(buf, 0, len);
	/* RESET, then a NOP whose args are not faulted in */
	a.op = XYZ_OP_RESET;
	call_sqe(self, variant, &a, 1);
	ASSERT_EQ(0, one(self, 1));
	memcpy(buf, &(struct xyz_args){ .size = sizeof(a) }, sizeof(a));
	fresh = fresh_args(_metadata, buf, len);
	call_sqe(self, variant, fresh, 2);
	EXPECT_EQ(0, one(self, 2));
	munmap(fresh, len);

	/* ECHO into an untouched anonymous page */
	out = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(out != MAP_FAILED);
	for (i = 0; i < 100; i++)
		buf[512 + i] = (uint8_t)(i * 3);
	a.op = XYZ_OP_ECHO;
	a.in = (uintptr_t)(buf + 512);
	a.in_len = 100;
	a.out = (uintptr_t)out;
	a.out_len = 100;
	call_sqe(self, variant, &a, 3);
	EXPECT_EQ(100, one(self, 3));
	EXPECT_EQ(0, memcmp(buf + 512, out, 100));
	munmap(out, len);

	/* INFO into an untouched page: served by an io-wq worker */
	inf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(inf != MAP_FAILED);
	a.op = XYZ_OP_INFO;
	a.in = a.in_len = 0;
	a.out = (uintptr_t)inf;
	a.out_len = sizeof(*inf);
	call_sqe(self, variant, &a, 4);
	EXPECT_EQ(sizeof(*inf), one(self, 4));
	EXPECT_EQ(XYZ_DOOR_URING, inf->door);
	EXPECT_EQ(getpid(), inf->tgid);
	EXPECT_NE(gettid(), inf->pid) TH_LOG("not retried from a worker?");
	/* RESET leaves 0; NOP, ECHO, INFO: one each, retries not counted */
	EXPECT_EQ(3, inf->calls);
	munmap(inf, len);
	free(buf);
}

/* An ECHO larger than the inline bounce buffer is a worker's job too. */
TEST_F(ring, large_echo)
{
	size_t len = 1 << 20;
	uint8_t *in = malloc(len), *out = malloc(len);
	struct xyz_args a = { .size = sizeof(a), .op = XYZ_OP_ECHO };
	size_t i;

	ASSERT_TRUE(in != NULL);
	ASSERT_TRUE(out != NULL);
	for (i = 0; i < len; i++)
		in[i] = (uint8_t)(i * 13 + 5);
	memset(out, 0, len);
	a.in = (uintptr_t)in;
	a.in_len = len;
	a.out = (uintptr_t)out;
	a.out_len = len;
	call_sqe(self, variant, &a, 7);
	EXPECT_EQ((int)len, one(self, 7));
	EXPECT_EQ(0, memcmp(in, out, len));
	free(in);
	free(out);
}

/*
 * RESET needs CAP_SYS_ADMIN of the submitter, inline and from a worker
 * (args not faulted in): the ring is made after dropping privileges.
 */
TEST_F(ring, unprivileged_reset_is_eperm)
{
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct xyz_args a = { .size = sizeof(a), .op = XYZ_OP_RESET };
		struct xyz_args *fresh;

		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(10);
		xyz_ring_exit(&self->ring);
		if (xyz_ring_init(&self->ring, 4, variant->setup_flags))
			_exit(11);
		if (variant->registered &&
		    syscall(__NR_io_uring_register, self->ring.fd,
			    IORING_REGISTER_FILES, &self->devfd, 1))
			_exit(12);
		call_sqe(self, variant, &a, 1);
		if (one(self, 1) != -EPERM)
			_exit(13);
		fresh = fresh_args(_metadata, &a, sizeof(a));
		call_sqe(self, variant, fresh, 2);
		if (one(self, 2) != -EPERM)
			_exit(14);
		a.op = XYZ_OP_NOP;
		call_sqe(self, variant, &a, 3);
		_exit(one(self, 3) == 0 ? 0 : 15);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* A ring of 64-byte SQEs and one of 128 in the same process. */
TEST(both_sqe_sizes)
{
	int fd = open("/dev/" XYZ_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	struct xyz_args a = { .size = sizeof(a) };
	struct io_uring_cqe cqe;
	struct xyz_ring r64, r128;

	ASSERT_LE(0, fd);
	XYZ_SKIP_WITHOUT_URING_DOOR(fd);
	if (xyz_ring_init(&r64, 2, 0))
		SKIP(return, "no io_uring");
	ASSERT_EQ(0, xyz_ring_init(&r128, 2, IORING_SETUP_SQE128));
	xyz_prep_call(xyz_ring_get_sqe(&r64), fd, &a, 64);
	xyz_prep_call(xyz_ring_get_sqe(&r128), fd, &a, 128);
	ASSERT_EQ(1, xyz_ring_submit(&r64, 1));
	ASSERT_EQ(1, xyz_ring_submit(&r128, 1));
	ASSERT_EQ(1, xyz_ring_wait(&r64, &cqe, 1));
	EXPECT_EQ(64, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
	ASSERT_EQ(1, xyz_ring_wait(&r128, &cqe, 1));
	EXPECT_EQ(128, cqe.user_data);
	EXPECT_EQ(0, cqe.res);
	xyz_ring_exit(&r64);
	xyz_ring_exit(&r128);
	close(fd);
}

static int write_sysctl(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

/*
 * kernel.io_uring_disabled=2 (6.6+): io_uring_setup() fails with EPERM for
 * everyone; the door is gone, the other doors are not.
 */
TEST(io_uring_disabled_sysctl)
{
	char old[8] = "";
	struct xyz_ring r;
	struct xyz_args a = { .size = sizeof(a) };
	int fd, err;

	fd = open(DISABLED_SYSCTL, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		SKIP(return, "%s: %s (the sysctl came in 6.6)", DISABLED_SYSCTL,
		     strerror(errno));
	ASSERT_LT(0, read(fd, old, sizeof(old) - 1));
	close(fd);
	if (getuid() != 0)
		SKIP(return, "needs root to set %s", DISABLED_SYSCTL);
	ASSERT_EQ(0, write_sysctl(DISABLED_SYSCTL, "2"));
	err = xyz_ring_init(&r, 2, 0);
	if (!err)
		xyz_ring_exit(&r);
	EXPECT_EQ(0, write_sysctl(DISABLED_SYSCTL, old));
	EXPECT_EQ(-EPERM, err);
	fd = open("/dev/" XYZ_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, xyz_door_ioctl(0, fd, &a));
	close(fd);
	/* and back on */
	ASSERT_EQ(0, xyz_ring_init(&r, 2, 0));
	xyz_ring_exit(&r);
}

TEST_HARNESS_MAIN
