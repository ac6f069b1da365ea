// SPDX-License-Identifier: MIT
/*
 * xyz bench: ns per call of each door against native baselines.
 *
 * Pinned to one CPU, every row warmed up, then R rounds in which each row
 * runs B batches of N calls, timed with CLOCK_MONOTONIC around the batch.
 * The row order rotates from round to round so that drift (frequency, cache,
 * the host under a VM) is spread over all rows instead of biasing one.
 *
 * With --threads N it measures throughput instead: in each round every row
 * runs once with one thread and once with N threads (each pinned to its own
 * CPU, all released together by a barrier), and the ratio of the two is the
 * scaling of that round.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifdef XYZ_HAVE_LIBURING
#include <liburing.h>
#endif

#include "arch.h"
#include "bench.h"
#include "cli.h"

/* Baselines: the same shape as xyz_nop() so all rows pay one call. */
#if XYZ_ARCH_HAS_SYSCALL
static int getppid_syscall(enum xyz_via via)
{
	(void)via;
	return (int)xyz_arch_syscall1(__NR_getppid, 0);
}
#endif

#ifdef __i386__
/* glibc's syscall() enters through the vDSO, with sysenter on most CPUs. */
static int getppid_libc(enum xyz_via via)
{
	(void)via;
	return (int)syscall(SYS_getppid);
}
#endif

#if XYZ_ARCH_HAS_INT80
static int getppid_int80(enum xyz_via via)
{
	(void)via;
	return xyz_arch_int80_1(XYZ_IA32_NR_GETPPID, 0);
}
#endif

static int vdso_clock(enum xyz_via via)
{
	struct timespec ts;

	(void)via;
	return clock_gettime(CLOCK_MONOTONIC, &ts);
}

/*
 * Work that never enters the kernel: the yardstick of the machine's own
 * speed in this run. Under an emulator whose host is busy, every row of a
 * run slows down alike, this one included, and no hook can touch it.
 */
static volatile unsigned int user_sink;

static int user_loop(enum xyz_via via)
{
	unsigned int x = user_sink, i;

	(void)via;
	for (i = 0; i < 64; i++)
		x = x * 1103515245U + 12345U;
	user_sink = x;
	return 0;
}

/*
 * An ordinary system call that does some work (a file descriptor, the VFS,
 * a copy to the user): what the hooks' tax looks like on real programs.
 */
static int zero_fd = -1, zero_errno;

static int read_zero(enum xyz_via via)
{
#if XYZ_ARCH_HAS_SYSCALL
	long ret;
#endif
	char c;

	(void)via;
	if (zero_fd < 0) {
		errno = zero_errno;
		return -1;
	}
#if XYZ_ARCH_HAS_SYSCALL
	ret = xyz_arch_syscall3(__NR_read, (unsigned long)zero_fd,
				(unsigned long)&c, 1);
	if (ret < 0) {
		errno = (int)-ret;
		return -1;
	}
	return (int)ret;
#else
	return (int)read(zero_fd, &c, 1);
#endif
}

/*
 * The door rows call xyz_call() with a struct xyz_args built once per thread
 * (NOP: the kernel never writes it) in memory below 4 GiB on x86-64, next to
 * the ECHO buffers: so the int $0x80 door of a 64-bit program times the
 * door, not libxyz's copy of the arguments to a 32-bit address (what
 * xyz_nop() with its arguments on the stack pays, see libxyz(3)).
 */
static int bench_op;
static size_t echo_size;
static _Thread_local struct xyz_args *door_args;
static _Thread_local size_t door_args_mapped;	/* else malloc()ed */

static struct xyz_args *door_args_init(void)
{
	size_t len = 4096 + 2 * echo_size;
	struct xyz_args *args;
	void *p = MAP_FAILED;
	char *buf;

#ifdef __x86_64__
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
#endif
	if (p != MAP_FAILED)
		door_args_mapped = len;
	else
		p = malloc(len);
	if (!p)
		return NULL;
	memset(p, 'x', len);
	args = p;
	buf = (char *)p + 4096;
	xyz_args_init(args, bench_op);
	if (bench_op == XYZ_OP_ECHO) {
		args->in = (uintptr_t)buf;
		args->in_len = echo_size;
		args->out = (uintptr_t)(buf + echo_size);
		args->out_len = echo_size;
	}
	return args;
}

static void door_args_free(void)
{
	if (door_args_mapped)
		munmap(door_args, door_args_mapped);
	else
		free(door_args);
	door_args = NULL;
	door_args_mapped = 0;
}

/* XYZ_VIA_COUNT: only make this thread's args (for the --raw rows). */
static int door_call(enum xyz_via via)
{
	if (!door_args) {
		door_args = door_args_init();
		if (!door_args)
			return -1;
	}
	if (via == XYZ_VIA_COUNT)
		return 0;
	return xyz_call(via, door_args);
}

/*
 * --raw: the bare instruction of each door, with the numbers read once and
 * the same struct xyz_args, so that a door is timed exactly like the
 * baselines (no libxyz between the loop and the kernel). What libxyz adds on
 * top is the difference to the door's own row.
 */
static int raw_nr = -1, raw_compat_nr = -1, raw_fd = -1, raw_fd_errno;

static int raw_ret(long ret)
{
	if (ret < 0 && ret >= -4095) {
		errno = (int)-ret;
		return -1;
	}
	return (int)ret;
}

#if XYZ_ARCH_HAS_SYSCALL
static int raw_syscall(enum xyz_via via)
{
	(void)via;
	if (!door_args && door_call(XYZ_VIA_COUNT) < 0)
		return -1;
	if (raw_nr < 0) {
		errno = ENOSYS;
		return -1;
	}
	return raw_ret(xyz_arch_syscall1(raw_nr, (uintptr_t)door_args));
}
#endif

#if XYZ_ARCH_HAS_INT80
static int raw_int80(enum xyz_via via)
{
	(void)via;
	if (!door_args && door_call(XYZ_VIA_COUNT) < 0)
		return -1;
	if (raw_compat_nr < 0) {
		errno = ENOSYS;
		return -1;
	}
	return raw_ret(xyz_arch_int80_1(raw_compat_nr,
					(unsigned int)(uintptr_t)door_args));
}
#endif

static int raw_ioctl(enum xyz_via via)
{
	long ret;

	(void)via;
	if (!door_args && door_call(XYZ_VIA_COUNT) < 0)
		return -1;
	if (raw_fd < 0) {
		errno = raw_fd_errno;
		return -1;
	}
#if XYZ_ARCH_HAS_SYSCALL
	ret = xyz_arch_syscall3(__NR_ioctl, (unsigned long)raw_fd,
				(unsigned long)XYZ_IOC_CALL,
				(unsigned long)door_args);
#else
	asm volatile ("int $0x80"
		      : "=a" (ret)
		      : "0" ((long)__NR_ioctl), "b" (raw_fd),
			"c" ((unsigned long)XYZ_IOC_CALL), "d" (door_args)
		      : "memory");
#endif
	return raw_ret(ret);
}

/*
 * The shared page read in place: the header under its seqcount and every
 * counter, what the vDSO door is without libxyz's struct xyz_info around it
 * (no getcpu, no calls).
 */
static const volatile struct xyz_page *raw_page;
static size_t raw_page_len;
static int raw_page_errno;
static volatile uint64_t raw_sink;

static uint64_t raw_counter(const volatile char *c)
{
	const volatile uint64_t *p = (const volatile uint64_t *)c;
	uint64_t v = *p;

#ifdef __i386__
	/* two 32-bit loads: again until two reads agree */
	uint64_t w;

	while ((w = *p) != v)
		v = w;
#endif
	return v;
}

static int raw_mmap(enum xyz_via via)
{
	const volatile struct xyz_page *p = raw_page;
	__u32 seq, n, off, stride, i;
	uint64_t sum = 0;

	(void)via;
	if (!p) {
		errno = raw_page_errno;
		return -1;
	}
	do {
		seq = p->seq;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		sum = (uint64_t)p->hook + (__u32)p->nr + (__u32)p->compat_nr;
		n = p->ncpus;
		stride = p->stride;
		off = p->counters_offset;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((seq & 1) || seq != p->seq);
	for (i = 0; i < n && off + (size_t)(i + 1) * stride <= raw_page_len;
	     i++)
		sum += raw_counter((const volatile char *)p + off +
				   (size_t)i * stride);
	raw_sink = sum;
	return 0;
}

static void raw_map(const char *path)
{
	long pagesz = sysconf(_SC_PAGESIZE);
	const volatile struct xyz_page *p;
	struct stat st;
	size_t len;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) ||
	    (S_ISREG(st.st_mode) && st.st_size < pagesz)) {
		raw_page_errno = fd < 0 ? errno : ENODEV;
		goto out;
	}
	p = mmap(NULL, pagesz, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		raw_page_errno = errno;
		goto out;
	}
	len = ((size_t)p->size + pagesz - 1) / pagesz * pagesz;
	if (len > (size_t)pagesz) {
		munmap((void *)p, pagesz);
		p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED) {
			raw_page_errno = errno;
			goto out;
		}
	} else {
		len = pagesz;
	}
	raw_page = p;
	raw_page_len = len;
out:
	if (fd >= 0)
		close(fd);
}

static void raw_open(const struct xyz_module *mod)
{
	const char *root = getenv("XYZ_ROOT");
	char path[4096];

	raw_nr = mod->loaded ? mod->nr : -1;
	raw_compat_nr = mod->loaded ? mod->compat_nr : -1;
	snprintf(path, sizeof(path), "%s/dev/xyz", root ? root : "");
	raw_fd = open(path, O_RDWR | O_CLOEXEC);
	raw_fd_errno = errno;
	raw_map(path);
}

#if XYZ_ARCH_HAS_SYSCALL
/*
 * An unused number: what a program probing for a system call the kernel
 * lacks pays (the road hook=kprobe sits on). The first free one of 401..423
 * that is not ours; 387..423 are reserved forever.
 */
static long enosys_nr = 401;

static int enosys_syscall(enum xyz_via via)
{
	long ret;

	(void)via;
	ret = xyz_arch_syscall1(enosys_nr, 0);
	if (ret == -ENOSYS)
		return 0;
	errno = ret < 0 ? (int)-ret : EEXIST;
	return -1;
}
#endif

static struct bench_row *add_row(struct bench *b, const char *name,
				 int (*call)(enum xyz_via))
{
	struct bench_row *r = &b->rows[b->nrows++];

	r->name = name;
	r->call = call;
	return r;
}

static void add_baselines(struct bench *b)
{
#if XYZ_ARCH_HAS_SYSCALL
	add_row(b, "getppid (syscall)", getppid_syscall);
#endif
#if XYZ_ARCH_HAS_INT80
	/* On i386 this is the native path, and so the base. */
	add_row(b, "getppid (int80)", getppid_int80);
#endif
#ifdef __i386__
	add_row(b, "getppid (libc)", getppid_libc);
#endif
	add_row(b, "clock_gettime (vdso)", vdso_clock);
	add_row(b, "user loop (no kernel)", user_loop);
	zero_fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	zero_errno = errno;
#if XYZ_ARCH_HAS_SYSCALL
	add_row(b, "read 1 B (syscall)", read_zero);
	add_row(b, "ENOSYS (syscall)", enosys_syscall);
#else
	add_row(b, "read 1 B (libc)", read_zero);
#endif
}

/*
 * The io_uring door in batches: one row call submits a batch of K calls
 * and waits for their K results in one io_uring_enter(); the row reports
 * the time per call (per_call = K). IORING_OP_NOP in the same batches is
 * io_uring's own floor. Each thread has its own batches.
 */
static const unsigned int uring_sizes[BENCH_URING_SIZES] = { 1, 8, 32, 128 };
static _Thread_local struct xyz_batch *uring_batch[BENCH_URING_SIZES];
static _Thread_local struct xyz_result *uring_res;

static int uring_size_index(unsigned int k)
{
	int i;

	for (i = 0; i < BENCH_URING_SIZES; i++)
		if (uring_sizes[i] == k)
			return i;
	return 0;
}

static int uring_batch_call(unsigned int k)
{
	int i = uring_size_index(k);
	unsigned int j;
	struct xyz_batch *bt = uring_batch[i];

	if (!door_args && door_call(XYZ_VIA_COUNT) < 0)
		return -1;
	if (!uring_res) {
		uring_res = calloc(128, sizeof(*uring_res));
		if (!uring_res)
			return -1;
	}
	if (!bt) {
		bt = xyz_batch_open(k, 0);
		if (!bt)
			return -1;
		uring_batch[i] = bt;
	}
	for (j = 0; j < k; j++)
		if (xyz_batch_add(bt, door_args, j))
			return -1;
	if (xyz_batch_run(bt, uring_res) != (int)k)
		return -1;
	for (j = 0; j < k; j++) {
		if (uring_res[j].res < 0) {
			errno = -uring_res[j].res;
			return -1;
		}
	}
	return 0;
}

#define URING_ROW_FN(k)							\
static int uring_batch_##k(enum xyz_via via)				\
{									\
	(void)via;							\
	return uring_batch_call(k);					\
}
URING_ROW_FN(1)
URING_ROW_FN(8)
URING_ROW_FN(32)
URING_ROW_FN(128)

#ifdef XYZ_HAVE_LIBURING
static _Thread_local struct io_uring *nop_ring[BENCH_URING_SIZES];

static int nop_batch_call(unsigned int k)
{
	int i = uring_size_index(k), ret;
	struct io_uring *ring = nop_ring[i];
	struct io_uring_cqe *cqe;
	unsigned int j, head, seen = 0;

	if (!ring) {
		ring = calloc(1, sizeof(*ring));
		if (!ring)
			return -1;
		ret = io_uring_queue_init(k, ring, 0);
		if (ret < 0) {
			free(ring);
			errno = -ret;
			return -1;
		}
		nop_ring[i] = ring;
	}
	for (j = 0; j < k; j++)
		io_uring_prep_nop(io_uring_get_sqe(ring));
	ret = io_uring_submit_and_wait(ring, k);
	if (ret < 0) {
		errno = -ret;
		return -1;
	}
	io_uring_for_each_cqe(ring, head, cqe)
		seen++;
	io_uring_cq_advance(ring, seen);
	return seen == k ? 0 : (errno = EIO, -1);
}
#else
static int nop_batch_call(unsigned int k)
{
	(void)k;
	errno = EOPNOTSUPP;	/* built without liburing */
	return -1;
}
#endif

#define NOP_ROW_FN(k)							\
static int nop_batch_##k(enum xyz_via via)				\
{									\
	(void)via;							\
	return nop_batch_call(k);					\
}
NOP_ROW_FN(1)
NOP_ROW_FN(8)
NOP_ROW_FN(32)
NOP_ROW_FN(128)

static void uring_rows_free(void)
{
	int i;

	for (i = 0; i < BENCH_URING_SIZES; i++) {
		xyz_batch_close(uring_batch[i]);
		uring_batch[i] = NULL;
#ifdef XYZ_HAVE_LIBURING
		if (nop_ring[i]) {
			io_uring_queue_exit(nop_ring[i]);
			free(nop_ring[i]);
			nop_ring[i] = NULL;
		}
#endif
	}
	free(uring_res);
	uring_res = NULL;
}

static void add_uring(struct bench *b)
{
	static int (*const xyz_fns[BENCH_URING_SIZES])(enum xyz_via) = {
		uring_batch_1, uring_batch_8, uring_batch_32, uring_batch_128,
	};
	static int (*const nop_fns[BENCH_URING_SIZES])(enum xyz_via) = {
		nop_batch_1, nop_batch_8, nop_batch_32, nop_batch_128,
	};
	static const char *const xyz_names[BENCH_URING_SIZES] = {
		"uring, batch 1", "uring, batch 8", "uring, batch 32",
		"uring, batch 128",
	};
	static const char *const nop_names[BENCH_URING_SIZES] = {
		"OP_NOP, batch 1", "OP_NOP, batch 8", "OP_NOP, batch 32",
		"OP_NOP, batch 128",
	};
	struct bench_row *r;
	int i;

	for (i = 0; i < BENCH_URING_SIZES; i++) {
		r = add_row(b, xyz_names[i], xyz_fns[i]);
		r->via = XYZ_VIA_URING;
		r->door = true;
		r->per_call = uring_sizes[i];
	}
	for (i = 0; i < BENCH_URING_SIZES; i++) {
		r = add_row(b, nop_names[i], nop_fns[i]);
		r->via = XYZ_VIA_URING;
		r->per_call = uring_sizes[i];
	}
}

static void add_door(struct bench *b, enum xyz_via via)
{
	struct bench_row *r = add_row(b, xyz_via_name(via), door_call);

	r->via = via;
	r->door = true;
}

static int info_call(enum xyz_via via)
{
	struct xyz_info info;

	return xyz_info(via, &info);
}

/*
 * The shared page answers INFO only: time it against INFO through the
 * kernel (the syscall door, or int $0x80 on i386, and ioctl), and next to
 * the vDSO's clock_gettime, its model.
 */
static void add_info_rows(struct bench *b)
{
	static const struct { const char *name; enum xyz_via via; } rows[] = {
		{ "mmap (INFO)", XYZ_VIA_MMAP },
		{ "INFO via syscall", XYZ_VIA_SYSCALL },
		{ "INFO via ioctl", XYZ_VIA_IOCTL },
	};
	struct bench_row *r;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		r = add_row(b, rows[i].name, info_call);
		r->via = rows[i].via;
		r->door = true;
	}
}

/* After the doors: the bare instruction of each door asked for. */
static void add_raw(struct bench *b, const bool *want)
{
	struct bench_row *r = NULL;

#if XYZ_ARCH_HAS_SYSCALL
	if (want[XYZ_VIA_SYSCALL] || want[XYZ_VIA_ASM]) {
		r = add_row(b, "raw syscall", raw_syscall);
		r->via = XYZ_VIA_ASM;
		r->door = true;
	}
#endif
#if XYZ_ARCH_HAS_INT80
	if (want[XYZ_VIA_INT80]) {
		r = add_row(b, "raw int80", raw_int80);
		r->via = XYZ_VIA_INT80;
		r->door = true;
	}
#endif
	if (want[XYZ_VIA_IOCTL]) {
		r = add_row(b, "raw ioctl", raw_ioctl);
		r->via = XYZ_VIA_IOCTL;
		r->door = true;
	}
	if (want[XYZ_VIA_MMAP]) {
		r = add_row(b, "raw mmap (INFO)", raw_mmap);
		r->via = XYZ_VIA_MMAP;
		r->door = true;
	}
}

/*
 * The first call of each row runs under a fault guard: int $0x80 from a
 * 64-bit process is a #GP on kernels booted without IA32 emulation.
 */
static sigjmp_buf probe_env;

static void probe_fault(int sig)
{
	siglongjmp(probe_env, sig);
}

static void probe(struct bench_row *r)
{
	struct sigaction sa = { .sa_handler = probe_fault }, osegv, oill;
	const char *hint;
	int sig, err;

	sigaction(SIGSEGV, &sa, &osegv);
	sigaction(SIGILL, &sa, &oill);
	sig = sigsetjmp(probe_env, 1);
	if (sig) {
		snprintf(r->reason, sizeof(r->reason),
			 "%s on the first call (kernel without IA32 emulation?)",
			 strsignal(sig));
	} else if (r->call(r->via) < 0) {
		err = errno;
		hint = r->door ? xyz_hint(r->via, err) : NULL;
		snprintf(r->reason, sizeof(r->reason), "%s%s%s", strerror(err),
			 hint ? ": " : "", hint ? hint : "");
	} else {
		r->avail = true;
	}
	sigaction(SIGSEGV, &osegv, NULL);
	sigaction(SIGILL, &oill, NULL);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static unsigned long run_calls(struct bench_row *r, unsigned long n)
{
	unsigned long i, fails = 0;

	for (i = 0; i < n; i++)
		fails += r->call(r->via) < 0;
	return fails;
}

static double batch(struct bench_row *r, unsigned long n)
{
	double t0 = now_ns();

	r->fails += run_calls(r, n);
	return (now_ns() - t0) / n / (r->per_call ? r->per_call : 1);
}

/*
 * --batch-us: grow the batch until it takes a quarter of the target, then
 * size it from the time per call seen there; and again from a batch of that
 * size, until two estimates agree within 25 %: a first batch that paid for a
 * page fault or, under an emulator, for translating new code, would make the
 * batches far too short. The last batch is the warm-up.
 */
#define MAX_ITERATIONS	1000000000UL

static unsigned long batch_size(double target, double per)
{
	double n = per > 0 ? target / per : MAX_ITERATIONS;

	return n < 1 ? 1 : n > MAX_ITERATIONS ? MAX_ITERATIONS :
	       (unsigned long)n;
}

static void calibrate(struct bench *b, struct bench_row *r)
{
	double target = b->batch_us * 1e3, per;
	/* batch() gives the time per call; a row call makes per_call calls */
	double calls = r->per_call ? r->per_call : 1;
	unsigned long n = 1, next;
	int tries;

	if (!b->batch_us) {
		r->iterations = b->iterations;
		batch(r, r->iterations);	/* warm-up */
		return;
	}
	for (;;) {
		per = batch(r, n) * calls;
		if (per * n >= target / 4 || n >= MAX_ITERATIONS / 4)
			break;
		n *= 4;
	}
	n = batch_size(target, per);
	for (tries = 0; tries < 4; tries++) {
		next = batch_size(target, batch(r, n) * calls);
		if (next * 4 >= n * 3 && next * 3 <= n * 4)
			break;
		n = next;
	}
	r->iterations = next;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Sorts @v; the @q quantile by nearest rank, the median as the mean of two. */
static double quantile(double *v, size_t n, double q)
{
	size_t k;

	if (q == 0.5)
		return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	k = (size_t)(q * n + 0.999999);
	return v[(k ? k : 1) - 1];
}

static void stats(struct bench_row *r)
{
	size_t n = r->n;

	qsort(r->samples, n, sizeof(double), cmp_double);
	r->median = quantile(r->samples, n, 0.5);
	r->p99 = quantile(r->samples, n, 0.99);
	r->q1 = quantile(r->samples, n, 0.25);
	r->q3 = quantile(r->samples, n, 0.75);
	r->min = r->samples[0];
	r->max = r->samples[n - 1];
	if (r->fails)
		snprintf(r->reason, sizeof(r->reason),
			 "(%lu calls failed)", r->fails);
}

static int pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* Pin to @cpu, or to the CPU we run on when @cpu is -1. */
static int pin(int cpu)
{
	if (cpu < 0)
		cpu = sched_getcpu();
	if (cpu < 0 || cpu >= CPU_SETSIZE)
		return -1;
	return pin_to(cpu) ? -1 : cpu;
}

/* Calibrate every available row; failures count from the rounds on. */
static void prepare(struct bench *b)
{
	size_t i;

	for (i = 0; i < b->nrows; i++)
		if (b->rows[i].avail)
			calibrate(b, &b->rows[i]);
	for (i = 0; i < b->nrows; i++)
		b->rows[i].fails = 0;
}

static void show_round(const struct bench *b, unsigned long round,
		       bool progress)
{
	if (progress)
		fprintf(stderr, "\rxyz bench: round %lu/%lu", round + 1,
			b->rounds);
}

static void measure(struct bench *b, bool progress)
{
	struct bench_row *r;
	unsigned long round, k;
	size_t i;

	prepare(b);
	for (round = 0; round < b->rounds; round++) {
		show_round(b, round, progress);
		for (i = 0; i < b->nrows; i++) {
			r = &b->rows[(round + i) % b->nrows];
			if (!r->avail)
				continue;
			for (k = 0; k < b->batches; k++)
				r->samples[r->n++] = batch(r, r->iterations);
		}
	}
	if (progress)
		fputs("\r\033[K", stderr);
}

/* --threads: one worker per thread, released together. */
struct worker {
	pthread_t		tid;
	struct bench_row	*r;
	pthread_barrier_t	*start;
	unsigned long		calls, fails;
	int			cpu;
	double			t0, t1;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	if (w->cpu >= 0)
		pin_to(w->cpu);
	w->fails = run_calls(w->r, 1);	/* per-thread buffers, warm */
	pthread_barrier_wait(w->start);
	w->t0 = now_ns();
	w->fails += run_calls(w->r, w->calls);
	w->t1 = now_ns();
	uring_rows_free();
	door_args_free();
	return NULL;
}

/* Calls per second of @nthreads threads calling @r at once, or -1. */
static double throughput(struct bench *b, struct bench_row *r,
			 unsigned long nthreads)
{
	struct worker w[BENCH_MAX_CPUS];
	pthread_barrier_t start;
	double t0 = 0, t1 = 0, calls = 0;
	unsigned long i, made = 0;

	if (pthread_barrier_init(&start, NULL, nthreads))
		return -1;
	for (i = 0; i < nthreads; i++) {
		w[i] = (struct worker){
			.r = r, .start = &start,
			.calls = r->iterations * b->batches,
			.cpu = b->ncpus ? b->cpus[i % b->ncpus] : -1,
		};
		if (pthread_create(&w[i].tid, NULL, worker_main, &w[i]))
			break;
		made++;
	}
	if (made < nthreads) {
		/* the barrier cannot open: nothing to join safely */
		fprintf(stderr, "xyz: cannot start %lu threads\n", nthreads);
		exit(EXIT_RUNTIME);
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(w[i].tid, NULL);
		r->fails += w[i].fails;
		calls += (double)w[i].calls * (r->per_call ? r->per_call : 1);
		if (!i || w[i].t0 < t0)
			t0 = w[i].t0;
		if (!i || w[i].t1 > t1)
			t1 = w[i].t1;
	}
	pthread_barrier_destroy(&start);
	return t1 > t0 ? calls * 1e9 / (t1 - t0) : -1;
}

static void measure_threads(struct bench *b, bool progress)
{
	struct bench_row *r;
	unsigned long round;
	double one, many;
	size_t i;

	prepare(b);
	for (round = 0; round < b->rounds; round++) {
		show_round(b, round, progress);
		for (i = 0; i < b->nrows; i++) {
			r = &b->rows[(round + i) % b->nrows];
			if (!r->avail)
				continue;
			/* alternate which goes first */
			if (round % 2) {
				many = throughput(b, r, b->threads);
				one = throughput(b, r, 1);
			} else {
				one = throughput(b, r, 1);
				many = throughput(b, r, b->threads);
			}
			r->tput1[r->n] = one;
			r->tputn[r->n] = many;
			r->scale[r->n] = one > 0 ? many / one : 0;
			r->samples[r->n++] = one > 0 ? 1e9 / one : 0;
		}
	}
	if (progress)
		fputs("\r\033[K", stderr);
}

static void stats_threads(struct bench_row *r)
{
	size_t n = r->n;

	stats(r);
	qsort(r->tput1, n, sizeof(double), cmp_double);
	qsort(r->tputn, n, sizeof(double), cmp_double);
	qsort(r->scale, n, sizeof(double), cmp_double);
	r->tput1_med = quantile(r->tput1, n, 0.5);
	r->tputn_med = quantile(r->tputn, n, 0.5);
	r->scale_med = quantile(r->scale, n, 0.5);
	r->scale_min = r->scale[0];
	r->scale_max = r->scale[n - 1];
}

/* The CPUs we may run on, before pinning: where --threads puts workers. */
static void allowed_cpus(struct bench *b)
{
	cpu_set_t set;
	int cpu;

	b->ncpus = 0;
	if (sched_getaffinity(0, sizeof(set), &set))
		return;
	for (cpu = 0; cpu < CPU_SETSIZE && b->ncpus < BENCH_MAX_CPUS; cpu++)
		if (CPU_ISSET(cpu, &set))
			b->cpus[b->ncpus++] = cpu;
}

static int alloc_row(struct bench *b, struct bench_row *r)
{
	size_t n = b->threads ? b->rounds : b->rounds * b->batches;

	r->samples = calloc(n, sizeof(double));
	if (b->threads) {
		r->tput1 = calloc(n, sizeof(double));
		r->tputn = calloc(n, sizeof(double));
		r->scale = calloc(n, sizeof(double));
		if (!r->tput1 || !r->tputn || !r->scale)
			return -1;
	}
	return r->samples ? 0 : -1;
}

static void free_row(struct bench_row *r)
{
	free(r->samples);
	free(r->tput1);
	free(r->tputn);
	free(r->scale);
}

int cmd_bench(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "door", required_argument, NULL, 'd' },
		{ "op", required_argument, NULL, 'o' },
		{ "size", required_argument, NULL, 's' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "batch-us", required_argument, NULL, 'u' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "batches", required_argument, NULL, 'b' },
		{ "threads", required_argument, NULL, 't' },
		{ "raw", no_argument, NULL, 'R' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct bench b = {
		.iterations = 1000, .rounds = 15, .batches = 10, .cpu = -1,
		.op = XYZ_OP_NOP,
	};
	bool want[XYZ_VIA_COUNT] = { false }, any_door = false, json = false;
	bool no_doors = false, raw = false;
	unsigned long val, *field;
	struct xyz_module mod;
	struct timespec res;
	enum xyz_via door;
	const char *name;
	int c, ret = 0, via, cpu;
	size_t i;

	while ((c = getopt_long(argc, argv, "d:o:s:n:u:r:b:t:c:Rjh", opts,
				NULL)) != -1) {
		switch (c) {
		case 'd':
			if (!strcmp(optarg, "none")) {
				no_doors = true;
				break;
			}
			if (cli_parse_door(optarg, &door))
				return EXIT_USAGE;
			want[door] = any_door = true;
			break;
		case 'o':
			if (!strcmp(optarg, "nop"))
				b.op = XYZ_OP_NOP;
			else if (!strcmp(optarg, "echo"))
				b.op = XYZ_OP_ECHO;
			else
				return cli_usage_error("bench times nop or "
						       "echo, not '%s'",
						       optarg);
			break;
		case 's':
			if (cli_parse_ulong("--size", optarg, XYZ_ECHO_MAX,
					    &val))
				return EXIT_USAGE;
			b.size = val;
			break;
		case 'n':
		case 'r':
		case 'b':
		case 'u':
		case 't':
			name = c == 'n' ? "--iterations" :
			       c == 'r' ? "--rounds" :
			       c == 'b' ? "--batches" :
			       c == 'u' ? "--batch-us" : "--threads";
			field = c == 'n' ? &b.iterations :
				c == 'r' ? &b.rounds :
				c == 'b' ? &b.batches :
				c == 'u' ? &b.batch_us : &b.threads;
			/* rounds x batches samples must fit a 32-bit size */
			if (cli_parse_ulong(name, optarg,
					    c == 'n' ? MAX_ITERATIONS :
					    c == 'u' ? 10000000UL :
					    c == 't' ? BENCH_MAX_CPUS : 10000UL,
					    &val))
				return EXIT_USAGE;
			if (!val)
				return cli_usage_error("%s must be at least 1",
						       name);
			*field = val;
			break;
		case 'c':
			if (cli_parse_ulong("--cpu", optarg, CPU_SETSIZE - 1,
					    &val))
				return EXIT_USAGE;
			b.cpu = (int)val;
			break;
		case 'R':
			raw = true;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			cli_usage(stdout);
			return 0;
		default:
			return cli_usage_error("bad option for bench");
		}
	}
	if (optind != argc)
		return cli_usage_error("bench takes no arguments");
	if (no_doors && any_door)
		return cli_usage_error("--door none times the baselines only");
	if (b.size && b.op != XYZ_OP_ECHO)
		return cli_usage_error("--size is for --op echo");
	echo_size = b.size;
	bench_op = b.op;

	if (b.threads) {
		/* workers are pinned, one per CPU we may use */
		allowed_cpus(&b);
		if (b.cpu >= 0) {
			b.cpus[0] = b.cpu;
			b.ncpus = 1;
		}
	} else {
		cpu = pin(b.cpu);
		if (cpu < 0) {
			if (b.cpu >= 0) {
				fprintf(stderr,
					"xyz: cannot pin to cpu %d: %s\n",
					b.cpu, strerror(errno));
				return EXIT_RUNTIME;
			}
			fprintf(stderr, "xyz: warning: not pinned to a cpu: %s\n",
				strerror(errno));
		}
		b.cpu = cpu;
	}
	if (!clock_getres(CLOCK_MONOTONIC, &res))
		b.clock_res_ns = res.tv_sec * 1e9 + res.tv_nsec;

	xyz_module_state(&mod);
	b.hook = !mod.loaded ? "(module not loaded)" :
		 mod.hook >= 0 ? xyz_hook_name(mod.hook) : "unknown";
	add_baselines(&b);
#if XYZ_ARCH_HAS_SYSCALL
	while (mod.loaded && enosys_nr == mod.nr)
		enosys_nr++;
#endif
	for (via = 0; via < XYZ_VIA_COUNT && !no_doors; via++) {
		if ((any_door && !want[via]) || !xyz_via_name(via))
			continue;
		want[via] = true;
		if (via == XYZ_VIA_MMAP)
			add_info_rows(&b);	/* INFO is all it answers */
		else if (via == XYZ_VIA_URING)
			add_uring(&b);
		else
			add_door(&b, via);
	}
	if (raw && !no_doors) {
		raw_open(&mod);
		add_raw(&b, want);
	}

	for (i = 0; i < b.nrows; i++) {
		if (alloc_row(&b, &b.rows[i])) {
			fprintf(stderr, "xyz: out of memory\n");
			return EXIT_RUNTIME;
		}
		probe(&b.rows[i]);
	}
	if (b.threads)
		measure_threads(&b, isatty(STDERR_FILENO));
	else
		measure(&b, isatty(STDERR_FILENO));
	for (i = 0; i < b.nrows; i++) {
		if (b.rows[i].avail) {
			if (b.threads)
				stats_threads(&b.rows[i]);
			else
				stats(&b.rows[i]);
		}
		if (b.rows[i].fails)
			ret = EXIT_RUNTIME;	/* it worked, then stopped */
	}

	if (json)
		bench_print_json(&b);
	else
		bench_print_table(&b);
	for (i = 0; i < b.nrows; i++)
		free_row(&b.rows[i]);
	if (zero_fd >= 0)
		close(zero_fd);
	if (raw_fd >= 0)
		close(raw_fd);
	if (raw_page)
		munmap((void *)raw_page, raw_page_len);
	uring_rows_free();
	door_args_free();
	return ret;
}
