// SPDX-License-Identifier: GPL-2.0
/*
 * What only the io_uring door has: cmd_op (type and number, not size) and
 * the command area, the SQE fields it leaves unused, 64- and 128-byte SQEs,
 * plain and registered files, many calls (good and bad) in one
 * io_uring_enter() with a CQE each, user_data, calls whose user memory is
 * not yet faulted in (served in the submitting task's task work), a slot
 * reused while its call still waits, SQPOLL, RESET from an unprivileged
 * submitter, and kernel.io_uring_disabled. Every op and errno through this
 * door: xyz_doors_test's "uring" variant. Built 64- and 32-bit; needs the
 * module loaded (any hook).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
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
		_IOWR('x', 3, struct xyz_args), _IO('y', 2), UINT32_MAX,
	};
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		call_sqe(self, variant, self->args, i)->cmd_op = ops[i];
		EXPECT_EQ(-ENOTTY, one(self, i)) TH_LOG("cmd_op %#x", ops[i]);
	}
}

/*
 * cmd_op is matched by type and number, as the ioctl door's: a grown (or
 * shrunk) struct xyz_args changes the size bits, and args.size decides.
 */
TEST_F(ring, cmd_op_size_and_direction_bits_are_ignored)
{
	static const uint32_t ops[] = {
		_IOWR('x', 2, char[64]), _IOWR('x', 2, char[4]),
		_IOR('x', 2, struct xyz_args), _IOW('x', 2, struct xyz_args),
		_IO('x', 2),
	};
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		call_sqe(self, variant, self->args, i)->cmd_op = ops[i];
		EXPECT_EQ(0, one(self, i)) TH_LOG("cmd_op %#x", ops[i]);
	}
}

/*
 * The SQE fields IORING_OP_URING_CMD leaves to the driver must be zero, so
 * that they can be given a meaning later: addr, len, uring_cmd_flags (with
 * IORING_URING_CMD_FIXED io_uring wants a registered buffer first).
 */
TEST_F(ring, unused_sqe_fields_are_einval)
{
	struct iovec iov = { .iov_base = self->mem + self->page,
			     .iov_len = self->page };

	call_sqe(self, variant, self->args, 1)->addr = 1;
	EXPECT_EQ(-EINVAL, one(self, 1)) TH_LOG("sqe->addr");
	call_sqe(self, variant, self->args, 2)->addr = 1ULL << 63;
	EXPECT_EQ(-EINVAL, one(self, 2)) TH_LOG("sqe->addr's top bit");
	call_sqe(self, variant, self->args, 3)->len = 1;
	EXPECT_EQ(-EINVAL, one(self, 3)) TH_LOG("sqe->len");
	call_sqe(self, variant, self->args, 4)->len = 1U << 31;
	EXPECT_EQ(-EINVAL, one(self, 4)) TH_LOG("sqe->len's top bit");
	ASSERT_EQ(0, syscall(__NR_io_uring_register, self->ring.fd,
			     IORING_REGISTER_BUFFERS, &iov, 1));
	call_sqe(self, variant, self->args, 5)->uring_cmd_flags =
		IORING_URING_CMD_FIXED;
	EXPECT_EQ(-EINVAL, one(self, 5)) TH_LOG("IORING_URING_CMD_FIXED");
	/* and nothing was served: a clean call still works */
	call_sqe(self, variant, self->args, 6);
	EXPECT_EQ(0, one(self, 6));
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

/*
 * IOSQE_ASYNC: issued first from an io-wq worker; the call itself runs in
 * the submitting task (task work), which INFO reports.
 */
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
	EXPECT_EQ(gettid(), inf->pid);
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
 * sleeping. The call must then run where it may sleep, in the submitting
 * task's task work (INFO's pid and tgid are ours), and the result and the
 * call count must be those of one call.
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

TEST_F(ring, fresh_pages_are_served_in_the_submitter)
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

	/* INFO into an untouched page: served where it may sleep */
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
	EXPECT_EQ(gettid(), inf->pid) TH_LOG("served by another thread");
	/* RESET leaves 0; NOP, ECHO, INFO: one each, retries not counted */
	EXPECT_EQ(3, inf->calls);
	munmap(inf, len);
	free(buf);
}

/* An ECHO larger than the inline bounce buffer must sleep too. */
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
 * A page of userfaultfd: every access sleeps until the supplier thread
 * fills it, when told to or after a grace period, whichever comes first
 * (nothing here waits for a kernel that waits for us).
 */
struct slow_page {
	int uffd;
	long size;
	uint8_t *page, *src;
	pthread_t thread;
	volatile int go;
	volatile int stop;
};

static void *slow_page_supplier(void *arg)
{
	struct slow_page *sp = arg;
	struct pollfd pfd = { .fd = sp->uffd, .events = POLLIN };
	struct uffdio_copy copy = {
		.dst = (uintptr_t)sp->page,
		.src = (uintptr_t)sp->src,
		.len = sp->size,
	};
	struct uffd_msg msg;
	int ms;

	/*
	 * However slow the machine, the fault comes or the test ends: a
	 * supplier that gave up first would leave the faulting call asleep
	 * for good. A fault can be withdrawn between poll() and read()
	 * (EAGAIN): the faulting task was woken, by task work io_uring queued
	 * for it (TIF_NOTIFY_SIGNAL) among others, and faults again at once;
	 * measured with two vCPUs really in parallel. Wait for that fault.
	 */
	for (;;) {
		while (!sp->stop && poll(&pfd, 1, 100) <= 0)
			;
		if (sp->stop)
			return NULL;
		if (read(sp->uffd, &msg, sizeof(msg)) == sizeof(msg))
			break;
		if (errno != EAGAIN)
			return NULL;
	}
	for (ms = 0; !sp->go && ms < 1000; ms += 10)
		usleep(10 * 1000);
	ioctl(sp->uffd, UFFDIO_COPY, &copy);
	return NULL;
}

/* 0, or why not (no userfaultfd for us): then the test skips. */
static const char *slow_page_start(struct slow_page *sp, long size)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	long i;

	memset(sp, 0, sizeof(*sp));
	sp->size = size;
	sp->uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (sp->uffd < 0)
		return "no userfaultfd";
	if (ioctl(sp->uffd, UFFDIO_API, &api))
		return "UFFDIO_API failed";
	sp->page = mmap(NULL, size, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	sp->src = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sp->page == MAP_FAILED || sp->src == MAP_FAILED)
		return "mmap failed";
	for (i = 0; i < size; i++)
		sp->src[i] = (uint8_t)(i * 7 + 3);
	reg.range.start = (uintptr_t)sp->page;
	reg.range.len = size;
	if (ioctl(sp->uffd, UFFDIO_REGISTER, &reg))
		return "UFFDIO_REGISTER failed";
	pthread_create(&sp->thread, NULL, slow_page_supplier, sp);
	return NULL;
}

static void slow_page_stop(struct slow_page *sp)
{
	sp->go = 1;
	sp->stop = 1;
	pthread_join(sp->thread, NULL);
	close(sp->uffd);
	munmap(sp->page, sp->size);
	munmap(sp->src, sp->size);
}

/*
 * The command area is read once, at the first issue: an application may
 * reuse the SQ slot as soon as io_uring_enter() returns, and a call that
 * had to wait still runs its own args. A large ECHO must wait (it cannot
 * run under IO_URING_F_NONBLOCK); it is queued behind a call that sleeps
 * on a userfaultfd page in the ring's only io-wq worker, so whatever
 * would read its SQE again does so after the slot was overwritten with
 * another call. Its CQE must carry its own result, and the other call's
 * output must stay untouched.
 */
TEST_F(ring, slot_reused_while_its_call_waits)
{
	size_t len = 2 * self->page;
	uint8_t *in = malloc(len), *out = malloc(len);
	uint8_t decoy_in[8] = "decoy!!", decoy_out[8] = { 0 };
	struct xyz_args blocker = { .size = sizeof(blocker),
				    .op = XYZ_OP_ECHO };
	struct xyz_args big = { .size = sizeof(big), .op = XYZ_OP_ECHO };
	struct xyz_args decoy = { .size = sizeof(decoy), .op = XYZ_OP_ECHO };
	unsigned int workers[2] = { 1, 1 };
	struct io_uring_sqe *sqe;
	struct io_uring_cqe cqes[2];
	uint8_t blocker_out[64];
	struct slow_page sp;
	const char *why;
	size_t i;

	ASSERT_TRUE(in != NULL && out != NULL);
	why = slow_page_start(&sp, self->page);
	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, syscall(__NR_io_uring_register, self->ring.fd,
			     IORING_REGISTER_IOWQ_MAX_WORKERS, workers, 2));
	for (i = 0; i < len; i++)
		in[i] = (uint8_t)(i * 13 + 5);
	memset(out, 0, len);
	blocker.in = (uintptr_t)sp.page;
	blocker.out = (uintptr_t)blocker_out;
	blocker.in_len = blocker.out_len = sizeof(blocker_out);
	big.in = (uintptr_t)in;
	big.out = (uintptr_t)out;
	big.in_len = big.out_len = len;
	decoy.in = (uintptr_t)decoy_in;
	decoy.out = (uintptr_t)decoy_out;
	decoy.in_len = decoy.out_len = sizeof(decoy_in);

	call_sqe(self, variant, &blocker, 1)->flags |= IOSQE_ASYNC;
	sqe = call_sqe(self, variant, &big, 2);
	ASSERT_EQ(2, xyz_ring_submit(&self->ring, 0));
	/* at once: the same slot, another call, the same user_data */
	memset(sqe, 0, self->ring.sqe_size);
	xyz_prep_call(sqe, self->fd, &decoy, 2);
	if (variant->registered)
		sqe->flags |= IOSQE_FIXED_FILE;
	sp.go = 1;
	ASSERT_EQ(2, xyz_ring_wait(&self->ring, cqes, 2));
	for (i = 0; i < 2; i++) {
		if (cqes[i].user_data == 1) {
			EXPECT_EQ(sizeof(blocker_out), cqes[i].res);
		} else {
			EXPECT_EQ(len, cqes[i].res)
				TH_LOG("the ECHO's CQE carries another call's result");
		}
	}
	EXPECT_EQ(0, memcmp(in, out, len));
	EXPECT_EQ(0, memcmp(sp.src, blocker_out, sizeof(blocker_out)));
	EXPECT_EQ(0, decoy_out[0]) TH_LOG("the decoy in the reused slot ran");
	slow_page_stop(&sp);
	free(in);
	free(out);
}

/* The tid of this process's SQPOLL thread (its comm: iou-sqp-<pid>), or 0. */
static pid_t sqpoll_tid(void)
{
	DIR *dir = opendir("/proc/self/task");
	struct dirent *de;
	pid_t tid = 0;

	while (dir && !tid && (de = readdir(dir))) {
		char path[300], comm[32] = "";
		FILE *f;

		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
			 de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strncmp(comm, "iou-sqp-", 8))
			tid = atoi(de->d_name);
		fclose(f);
	}
	if (dir)
		closedir(dir);
	return tid;
}

/*
 * With IORING_SETUP_SQPOLL the ring's polling thread submits: INFO's pid is
 * that thread's, its tgid this process's, inline and for a call that must
 * sleep (its output page untouched) alike.
 */
TEST(sqpoll_info)
{
	int fd = open("/dev/" XYZ_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	long page = sysconf(_SC_PAGESIZE);
	struct xyz_args a[2];
	struct xyz_info *inf[2];
	struct io_uring_cqe cqes[2];
	struct xyz_ring r;
	pid_t sqp;
	int i, err;

	ASSERT_LE(0, fd);
	XYZ_SKIP_WITHOUT_URING_DOOR(fd);
	err = xyz_ring_init(&r, 4, IORING_SETUP_SQPOLL);
	if (err)
		SKIP(return, "IORING_SETUP_SQPOLL: %s", strerror(-err));
	/* it names itself once it first runs */
	for (i = 0; i < 1000 && !(sqp = sqpoll_tid()); i++)
		usleep(10 * 1000);
	ASSERT_NE(0, sqp) TH_LOG("no iou-sqp- thread");
	inf[0] = malloc(sizeof(*inf[0]));
	inf[1] = mmap(NULL, page, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(inf[0] != NULL && inf[1] != MAP_FAILED);
	memset(inf[0], 0, sizeof(*inf[0]));
	for (i = 0; i < 2; i++) {
		memset(&a[i], 0, sizeof(a[i]));
		a[i].size = sizeof(a[i]);
		a[i].op = XYZ_OP_INFO;
		a[i].out = (uintptr_t)inf[i];
		a[i].out_len = sizeof(*inf[i]);
		xyz_prep_call(xyz_ring_get_sqe(&r), fd, &a[i], i);
	}
	/* the polling thread may be asleep: wake it */
	__atomic_store_n(r.sq_tail, *r.sq_tail + r.pending, __ATOMIC_RELEASE);
	r.pending = 0;
	ASSERT_LE(0, syscall(__NR_io_uring_enter, r.fd, 2, 0,
			     IORING_ENTER_SQ_WAKEUP, NULL, 0));
	ASSERT_EQ(2, xyz_ring_wait(&r, cqes, 2));
	for (i = 0; i < 2; i++) {
		int k = cqes[i].user_data;

		EXPECT_EQ(sizeof(*inf[k]), cqes[i].res);
		EXPECT_EQ(XYZ_DOOR_URING, inf[k]->door);
		EXPECT_EQ(sqp, inf[k]->pid) TH_LOG("call %d (%s)", k,
			k ? "must sleep" : "inline");
		EXPECT_EQ(getpid(), inf[k]->tgid);
	}
	xyz_ring_exit(&r);
	munmap(inf[1], page);
	free(inf[0]);
	close(fd);
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
