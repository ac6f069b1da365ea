// SPDX-License-Identifier: MIT
/*
 * xyz bench's rows: what one call of each row is. The native baselines,
 * the doors through libxyz, the shared page's INFO against INFO through the
 * kernel, the io_uring door in batches next to io_uring's own OP_NOP, and
 * (--raw) the bare instruction of each door. Every row call has the shape
 * int call(enum xyz_via), so that all rows pay one call; bench_engine.c
 * times them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
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

/* @id: for scripts, stable; @name: the label the table shows. */
static struct bench_row *add_row(struct bench *b, const char *id,
				 const char *name, int (*call)(enum xyz_via))
{
	struct bench_row *r = &b->rows[b->nrows++];

	r->id = id;
	r->name = name;
	r->call = call;
	return r;
}

static void add_baselines(struct bench *b)
{
#if XYZ_ARCH_HAS_SYSCALL
	add_row(b, "getppid_syscall", "getppid (syscall)", getppid_syscall);
#endif
#if XYZ_ARCH_HAS_INT80
	/* On i386 this is the native path, and so the base. */
	add_row(b, "getppid_int80", "getppid (int80)", getppid_int80);
#endif
#ifdef __i386__
	add_row(b, "getppid_libc", "getppid (libc)", getppid_libc);
#endif
	add_row(b, "clock_gettime_vdso", "clock_gettime (vdso)",
		vdso_clock);
	add_row(b, "user_loop", "user loop (no kernel)", user_loop);
	zero_fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	zero_errno = errno;
#if XYZ_ARCH_HAS_SYSCALL
	add_row(b, "read_syscall", "read 1 B (syscall)", read_zero);
	add_row(b, "enosys_syscall", "ENOSYS (syscall)", enosys_syscall);
#else
	add_row(b, "read_libc", "read 1 B (libc)", read_zero);
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
	static const char *const xyz_ids[BENCH_URING_SIZES] = {
		"uring_batch1", "uring_batch8", "uring_batch32",
		"uring_batch128",
	};
	static const char *const nop_ids[BENCH_URING_SIZES] = {
		"io_uring_nop_batch1", "io_uring_nop_batch8",
		"io_uring_nop_batch32", "io_uring_nop_batch128",
	};
	static const char *const nop_names[BENCH_URING_SIZES] = {
		"OP_NOP, batch 1", "OP_NOP, batch 8", "OP_NOP, batch 32",
		"OP_NOP, batch 128",
	};
	struct bench_row *r;
	int i;

	for (i = 0; i < BENCH_URING_SIZES; i++) {
		r = add_row(b, xyz_ids[i], xyz_names[i], xyz_fns[i]);
		r->via = XYZ_VIA_URING;
		r->door = true;
		r->per_call = uring_sizes[i];
	}
	for (i = 0; i < BENCH_URING_SIZES; i++) {
		r = add_row(b, nop_ids[i], nop_names[i], nop_fns[i]);
		r->via = XYZ_VIA_URING;
		r->per_call = uring_sizes[i];
	}
}

static void add_door(struct bench *b, enum xyz_via via)
{
	struct bench_row *r = add_row(b, xyz_via_name(via), xyz_via_name(via),
				      door_call);

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
	static const struct {
		const char *id, *name;
		enum xyz_via via;
	} rows[] = {
		{ "mmap_info", "mmap (INFO)", XYZ_VIA_MMAP },
		{ "info_syscall", "INFO via syscall", XYZ_VIA_SYSCALL },
		{ "info_ioctl", "INFO via ioctl", XYZ_VIA_IOCTL },
	};
	struct bench_row *r;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		r = add_row(b, rows[i].id, rows[i].name, info_call);
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
		r = add_row(b, "raw_syscall", "raw syscall", raw_syscall);
		r->via = XYZ_VIA_ASM;
		r->door = true;
	}
#endif
#if XYZ_ARCH_HAS_INT80
	if (want[XYZ_VIA_INT80]) {
		r = add_row(b, "raw_int80", "raw int80", raw_int80);
		r->via = XYZ_VIA_INT80;
		r->door = true;
	}
#endif
	if (want[XYZ_VIA_IOCTL]) {
		r = add_row(b, "raw_ioctl", "raw ioctl", raw_ioctl);
		r->via = XYZ_VIA_IOCTL;
		r->door = true;
	}
	if (want[XYZ_VIA_MMAP]) {
		r = add_row(b, "raw_mmap_info", "raw mmap (INFO)",
			    raw_mmap);
		r->via = XYZ_VIA_MMAP;
		r->door = true;
	}
}

void bench_rows_init(int op, size_t size)
{
	bench_op = op;
	echo_size = size;
}

/*
 * The baselines, then each door asked for (@want; every door the build
 * knows when @any_door is false, none with @no_doors), then with @raw the
 * bare instruction of each. @want is filled in with the doors added.
 */
void bench_rows_add(struct bench *b, const struct xyz_module *mod, bool *want,
		    bool any_door, bool no_doors, bool raw)
{
	int via;

	add_baselines(b);
#if XYZ_ARCH_HAS_SYSCALL
	while (mod->loaded && enosys_nr == mod->nr)
		enosys_nr++;
#endif
	for (via = 0; via < XYZ_VIA_COUNT && !no_doors; via++) {
		if ((any_door && !want[via]) || !xyz_via_name(via))
			continue;
		want[via] = true;
		if (via == XYZ_VIA_MMAP)
			add_info_rows(b);	/* INFO is all it answers */
		else if (via == XYZ_VIA_URING)
			add_uring(b);
		else
			add_door(b, via);
	}
	if (raw && !no_doors) {
		raw_open(mod);
		add_raw(b, want);
	}
}

/* What a worker thread made for itself (--threads). */
void bench_rows_thread_done(void)
{
	uring_rows_free();
	door_args_free();
}

void bench_rows_close(void)
{
	if (zero_fd >= 0)
		close(zero_fd);
	if (raw_fd >= 0)
		close(raw_fd);
	if (raw_page)
		munmap((void *)raw_page, raw_page_len);
	bench_rows_thread_done();
}
