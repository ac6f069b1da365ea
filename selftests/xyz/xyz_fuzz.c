// SPDX-License-Identifier: GPL-2.0
/*
 * A seeded, time-bounded fuzzer with an oracle: random op, flags, size,
 * pointers and lengths through every door (io_uring: one ring per thread)
 * from several threads, half of them unprivileged; and, one time in eight,
 * mmap(), mprotect() and munmap() of the shared page with random lengths,
 * offsets, protections. For every call it computes what the ABI says must come
 * back and fails on any other result. The kernel log is checked by the
 * caller (xyz_modes.sh and the VM runner fail on any oops or WARN).
 *
 * usage: xyz_fuzz [seconds] [threads] [seed]
 * Prints TAP; exit 0 when every call matched the oracle.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "xyz_test.h"

#ifndef MAP_32BIT
#define MAP_32BIT 0
#endif

#define PAGE		4096UL
#define MIB		(1UL << 20)
/* per thread: [args page][args page][hole][in: 1 MiB + 2 pages][hole][out...] */
#define BUF_SIZE	(MIB + 2 * PAGE)
#define AREA_SIZE	(3 * PAGE + 2 * (BUF_SIZE + PAGE))

struct door {
	const char *name;
	xyz_door_fn call;
	int compat;
};

static struct door doors[] = {
	{ "ioctl", xyz_door_ioctl, 0 },
#if XYZ_HAVE_ASM_DOOR
	{ "glibc", xyz_door_glibc, 0 },
	{ "asm", xyz_door_asm, 0 },
#else
	{ "glibc", xyz_door_glibc, 1 },
#endif
#if XYZ_HAVE_INT80
	{ "int80", xyz_door_int80, 1 },
#endif
	{ "uring", xyz_door_uring, 0 },
};
#define NDOORS	(sizeof(doors) / sizeof(doors[0]))
static unsigned int ndoors = NDOORS;	/* less the uring door where absent */

static long nr, compat_nr;
static uint64_t region_len;	/* the shared page's size in whole pages */
static atomic_long calls, mismatches;
static atomic_int stop;

struct fuzzer {
	pthread_t thread;
	uint64_t seed;
	int privileged;
	int fd;
	uint8_t *area, *args_page, *hole1, *in, *hole2, *out;
};

static uint64_t rnd(struct fuzzer *f)
{
	/* xorshift64*: reproducible from the seed */
	f->seed ^= f->seed >> 12;
	f->seed ^= f->seed << 25;
	f->seed ^= f->seed >> 27;
	return f->seed * 2685821657736338717ULL;
}

static uint64_t pick(struct fuzzer *f, const uint64_t *v, size_t n)
{
	return v[rnd(f) % n];
}

/* Is [p, p + len) inside memory the caller may touch? */
static int readable(struct fuzzer *f, uint64_t p, uint64_t len)
{
	uint64_t a = (uintptr_t)f->args_page, in = (uintptr_t)f->in,
		 out = (uintptr_t)f->out;

	if (!len)
		return 1;
	if (p >= a && p + len <= a + 2 * PAGE)
		return 1;
	if (p >= in && p + len <= in + BUF_SIZE)
		return 1;
	if (p >= out && p + len <= out + BUF_SIZE)
		return 1;
	return 0;
}

/* A pointer into a buffer, near its end, into a hole, or plain bad. */
static uint64_t buffer_ptr(struct fuzzer *f, uint8_t *buf, int compat)
{
	switch (rnd(f) % 8) {
	case 0:
		return 0;
	case 1:
		return (uintptr_t)buf + BUF_SIZE - rnd(f) % 64;	/* crosses */
	case 2:
		return (uintptr_t)f->hole1 + rnd(f) % PAGE;
	case 3:
		return compat ? 0xfffff000u : 0xffffffff81000000ULL;
	default:
		return (uintptr_t)buf + rnd(f) % 64;
	}
}

static long oracle(struct fuzzer *f, uint64_t ap, const struct door *d)
{
	struct xyz_args a;
	uint32_t size;

	if (!readable(f, ap, 4))
		return -EFAULT;
	memcpy(&size, (void *)(uintptr_t)ap, 4);
	if (size < 48)
		return -EINVAL;
	if (size > PAGE)
		return -E2BIG;
	if (!readable(f, ap, size < 48 ? 48 : size)) {
		/* the known part faults first, else the tail check does */
		return -EFAULT;
	}
	for (uint32_t i = 48; i < size; i++)
		if (((uint8_t *)(uintptr_t)ap)[i])
			return -E2BIG;
	memcpy(&a, (void *)(uintptr_t)ap, sizeof(a));
	if (a.flags || a.op > XYZ_OP_RESET)
		return -EINVAL;
	switch (a.op) {
	case XYZ_OP_NOP:
		return 0;
	case XYZ_OP_ECHO: {
		uint64_t n = a.in_len < a.out_len ? a.in_len : a.out_len;

		if (a.in_len > MIB)
			return -E2BIG;
		if (!readable(f, a.in, n) || !readable(f, a.out, n))
			return -EFAULT;
		return n;
	}
	case XYZ_OP_INFO: {
		uint64_t n = a.out_len < 48 ? a.out_len : 48;

		return readable(f, a.out, n) ? (long)n : -EFAULT;
	}
	default:
		return f->privileged ? 0 : -EPERM;
	}
	(void)d;
}

static void mismatch(const char *what, long got, long want)
{
	if (atomic_fetch_add(&mismatches, 1) < 10)
		printf("# %s: got %ld, want %ld\n", what, got, want);
}

/* The shared page: what the spec says mmap() and mprotect() must answer. */
static void mmap_one(struct fuzzer *f)
{
	static const int prots[] = {
		PROT_READ, PROT_READ, PROT_NONE, PROT_WRITE, PROT_EXEC,
		PROT_READ | PROT_WRITE, PROT_READ | PROT_EXEC,
		PROT_READ | PROT_WRITE | PROT_EXEC,
	};
	uint64_t lens[] = { 1, PAGE, region_len, region_len + 1,
			    region_len + PAGE, 16 * PAGE };
	static const uint64_t offs[] = { 0, 0, 0, PAGE, 2 * PAGE, 1 };
	uint64_t len = pick(f, lens, sizeof(lens) / sizeof(lens[0]));
	uint64_t off = pick(f, offs, sizeof(offs) / sizeof(offs[0]));
	int prot = prots[rnd(f) % (sizeof(prots) / sizeof(prots[0]))];
	int flags = rnd(f) % 2 ? MAP_SHARED : MAP_PRIVATE;
	long want = 0, got;
	char what[96];
	uint8_t *p;

	if (off)
		want = -EINVAL;
	else if ((len + PAGE - 1) / PAGE * PAGE > region_len)
		want = -EINVAL;
	else if (prot & (PROT_WRITE | PROT_EXEC))
		want = -EACCES;
	p = mmap(NULL, len, prot, flags, f->fd, off);
	got = p == MAP_FAILED ? -errno : 0;
	atomic_fetch_add(&calls, 1);
	snprintf(what, sizeof(what), "mmap len %llu off %llu prot %d %s",
		 (unsigned long long)len, (unsigned long long)off, prot,
		 flags == MAP_SHARED ? "shared" : "private");
	if (got != want)
		mismatch(what, got, want);
	if (p == MAP_FAILED)
		return;
	if (prot & PROT_READ && ((struct xyz_page *)p)->abi_version !=
	    XYZ_ABI_VERSION)
		mismatch("abi_version in the page", -1, XYZ_ABI_VERSION);
	got = mprotect(p, len, rnd(f) % 2 ? PROT_READ | PROT_WRITE :
			       PROT_READ | PROT_EXEC) ? -errno : 0;
	if (got != -EACCES)
		mismatch("mprotect adding write or exec", got, -EACCES);
	got = mprotect(p, len, rnd(f) % 2 ? PROT_NONE : PROT_READ) ?
	      -errno : 0;
	if (got)
		mismatch("mprotect to none or read", got, 0);
	/* a partial munmap splits the mapping first, sometimes */
	if (len > PAGE && rnd(f) % 2)
		munmap(p + PAGE, len - PAGE);
	munmap(p, len);
}

static void one(struct fuzzer *f)
{
	static const uint64_t sizes[] = { 0, 1, 47, 48, 48, 48, 49, 56, 64,
					  PAGE, PAGE + 1, 0xffffffff };
	static const uint64_t lens[] = { 0, 1, 7, 48, 100, 4096, 65536, MIB,
					 MIB + 1, ~0ULL };
	const struct door *d = &doors[rnd(f) % ndoors];
	struct xyz_args *a = (struct xyz_args *)f->args_page;
	uint64_t ap;
	long want, got;
	uint32_t size = pick(f, sizes, sizeof(sizes) / sizeof(sizes[0]));

	if (rnd(f) % 8 == 0) {
		mmap_one(f);
		return;
	}

	/* args: usually good, sometimes misaligned, crossing or bad */
	switch (rnd(f) % 10) {
	case 0:
		ap = 0;
		break;
	case 1:
		ap = (uintptr_t)f->hole1 - rnd(f) % 64;		/* crosses */
		break;
	case 2:
		ap = (uintptr_t)f->args_page + 1 + rnd(f) % 7;	/* misaligned */
		break;
	default:
		ap = (uintptr_t)f->args_page;
	}
	if (ap >= (uintptr_t)f->args_page && ap < (uintptr_t)f->hole1) {
		size_t room = (uintptr_t)f->hole1 - ap;

		memset((void *)(uintptr_t)ap, 0, room < PAGE ? room : PAGE);
		a = (struct xyz_args *)(uintptr_t)ap;
		if (room >= 4)
			a->size = size;
		if (room >= 48) {
			a->op = rnd(f) % 8 ? rnd(f) % 4 : (uint32_t)rnd(f);
			a->flags = rnd(f) % 16 ? 0 : rnd(f) | 1;
			a->in = buffer_ptr(f, f->in, d->compat);
			a->out = buffer_ptr(f, f->out, d->compat);
			a->in_len = pick(f, lens, sizeof(lens) / sizeof(lens[0]));
			a->out_len = pick(f, lens, sizeof(lens) / sizeof(lens[0]));
		}
		if (room > 48 && size > 48 && size <= room && rnd(f) % 4 == 0)
			((uint8_t *)a)[48 + rnd(f) % (size - 48)] = 1;
	}
	if (d->compat && ap > 0xffffffffULL)
		ap = 0;

	want = oracle(f, ap, d);
	got = d->call(d->compat ? compat_nr : nr, f->fd, (void *)(uintptr_t)ap);
	atomic_fetch_add(&calls, 1);
	if (got != want && atomic_fetch_add(&mismatches, 1) < 10)
		printf("# %s%s: args %#llx size %u op %u in %#llx/%llu out %#llx/%llu: got %ld, want %ld\n",
		       d->name, f->privileged ? "" : " (unprivileged)",
		       (unsigned long long)ap, size, a->op,
		       (unsigned long long)a->in, (unsigned long long)a->in_len,
		       (unsigned long long)a->out,
		       (unsigned long long)a->out_len, got, want);
}

static void *fuzz_main(void *arg)
{
	struct fuzzer *f = arg;

	while (!atomic_load(&stop))
		one(f);
	return NULL;
}

static int setup(struct fuzzer *f, uint64_t seed, int privileged)
{
	f->seed = seed * 0x9e3779b97f4a7c15ULL + 1;
	f->privileged = privileged;
	f->fd = open("/dev/" XYZ_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	f->area = mmap(NULL, AREA_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (f->fd < 0 || f->area == MAP_FAILED)
		return -1;
	f->args_page = f->area;
	f->hole1 = f->area + 2 * PAGE;
	f->in = f->hole1 + PAGE;
	f->hole2 = f->in + BUF_SIZE;
	f->out = f->hole2 + PAGE;
	/* PROT_NONE, not munmap: a later mmap must not fill the holes */
	return mprotect(f->hole1, PAGE, PROT_NONE) ||
	       mprotect(f->hole2, PAGE, PROT_NONE) ||
	       mprotect(f->out + BUF_SIZE, PAGE, PROT_NONE);
}

/* Run @threads fuzzers for @seconds; returns the number of mismatches. */
static long run(int seconds, int threads, uint64_t seed, int privileged)
{
	struct fuzzer *f = calloc(threads, sizeof(*f));
	int i;

	for (i = 0; i < threads; i++) {
		if (setup(&f[i], seed + i, privileged) ||
		    pthread_create(&f[i].thread, NULL, fuzz_main, &f[i])) {
			printf("# setup failed: %s\n", strerror(errno));
			return 1;
		}
	}
	sleep(seconds);
	atomic_store(&stop, 1);
	for (i = 0; i < threads; i++)
		pthread_join(f[i].thread, NULL);
	printf("# %s: %ld calls, %ld not as the ABI says (seed %llu)\n",
	       privileged ? "root" : "unprivileged", atomic_load(&calls),
	       atomic_load(&mismatches), (unsigned long long)seed);
	return atomic_load(&mismatches) || !atomic_load(&calls);
}

/* Does /dev/xyz answer through io_uring on this kernel? */
static bool uring_door_present(void)
{
	int fd = open("/dev/" XYZ_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	const char *why;
	bool present;

	if (fd < 0)
		return false;
	present = !xyz_uring_door_probe(fd, &why);
	if (!present)
		printf("# no io_uring door: %s\n", why);
	close(fd);
	return present;
}

static uint64_t page_region_len(void)
{
	int fd = open("/dev/" XYZ_DEVICE_NAME, O_RDONLY | O_CLOEXEC);
	struct xyz_page *p;
	uint64_t len = PAGE;

	if (fd < 0)
		return len;
	p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	if (p != MAP_FAILED) {
		len = (p->size + PAGE - 1) / PAGE * PAGE;
		munmap(p, PAGE);
	}
	close(fd);
	return len;
}

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 10;
	int threads = argc > 2 ? atoi(argv[2]) : 4;
	uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 0) : (uint64_t)time(NULL);
	int status, bad;
	pid_t pid;

	nr = xyz_param_long("nr");
	compat_nr = xyz_param_long("compat_nr");
	region_len = page_region_len();
	if (!uring_door_present())
		ndoors--;	/* the last door: no io_uring door before 5.19 */
	printf("TAP version 13\n1..2\n");
	/* no compat door where there is no int $0x80 (XYZ_NO_INT80) */
	if (nr < 0 || (XYZ_HAVE_INT80 && compat_nr < 0)) {
		printf("ok 1 # SKIP syscall doors not hooked\nok 2 # SKIP\n");
		return 4;
	}
	/* the unprivileged half runs in a child, at the same time */
	pid = fork();
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(2);
		_exit(run(seconds, threads / 2 + 1, seed + 1000, 0));
	}
	bad = run(seconds, threads, seed, 1);
	printf("%sok 1 fuzz every door as root, seed %llu\n", bad ? "not " : "",
	       (unsigned long long)seed);
	waitpid(pid, &status, 0);
	bad = !WIFEXITED(status) || WEXITSTATUS(status);
	printf("%sok 2 fuzz every door unprivileged, seed %llu\n",
	       bad ? "not " : "", (unsigned long long)seed + 1000);
	return bad;
}
