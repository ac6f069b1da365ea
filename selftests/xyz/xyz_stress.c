// SPDX-License-Identifier: GPL-2.0
/*
 * Calls every door from several threads for a bounded time while something
 * else (xyz_modes.sh) loads and unloads the module. Every call must return
 * either the right answer or the "not there" errors: ENOSYS for a syscall
 * number nobody hooks, ENOENT/ENODEV/ENXIO when /dev/xyz is gone. Anything
 * else (a wrong count, garbage, another errno) fails the run.
 *
 * usage: xyz_stress [seconds] [threads per door]
 * Stops after @seconds, or earlier on SIGUSR1 (the caller's "enough cycles").
 * Prints one TAP line; exit 0 on success, 1 on failure.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>

#include "xyz_test.h"

#ifndef MAP_32BIT
#define MAP_32BIT 0
#endif

/* The numbers xyz_modes.sh loads the module with. */
#define NR		400
#define COMPAT_NR	223

struct door {
	const char *name;
	xyz_door_fn call;
	long nr;
};

static const struct door doors[] = {
	{ "ioctl", xyz_door_ioctl, 0 },
#if XYZ_HAVE_ASM_DOOR
	{ "glibc", xyz_door_glibc, NR },
	{ "asm", xyz_door_asm, NR },
#else
	{ "glibc", xyz_door_glibc, COMPAT_NR },
#endif
#if XYZ_HAVE_INT80
	{ "int80", xyz_door_int80, COMPAT_NR },
#endif
};

static atomic_long served, absent, bad;
static atomic_int stop;

struct worker {
	pthread_t thread;
	const struct door *door;
	unsigned int seed;
	uint8_t *mem;		/* below 4 GiB for int $0x80 */
};

static void fail(const struct worker *w, const char *what, long ret)
{
	if (atomic_fetch_add(&bad, 1) < 5)
		printf("# %s: %s returned %ld\n", w->door->name, what, ret);
}

static long one_call(struct worker *w, int fd)
{
	struct xyz_args *a = (struct xyz_args *)w->mem;
	uint8_t *in = w->mem + 256, *out = w->mem + 512;
	size_t len = rand_r(&w->seed) % 200;
	size_t i;
	long ret;

	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->op = XYZ_OP_ECHO;
	a->in = (uintptr_t)in;
	a->in_len = len;
	a->out = (uintptr_t)out;
	a->out_len = len;
	for (i = 0; i < len; i++)
		in[i] = rand_r(&w->seed);
	memset(out, 0, len);

	ret = w->door->call(w->door->nr, fd, a);
	if (ret == (long)len && !memcmp(in, out, len))
		atomic_fetch_add(&served, 1);
	else if (ret == -ENOSYS && w->door->call != xyz_door_ioctl)
		atomic_fetch_add(&absent, 1);
	else
		fail(w, "ECHO", ret);
	return ret;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	while (!atomic_load(&stop)) {
		int fd = -1, i;

		if (w->door->call == xyz_door_ioctl) {
			/* a held fd pins the module: reopen every few calls */
			fd = open("/dev/" XYZ_DEVICE_NAME, O_RDWR | O_CLOEXEC);
			if (fd < 0) {
				if (errno == ENOENT || errno == ENODEV ||
				    errno == ENXIO)
					atomic_fetch_add(&absent, 1);
				else
					fail(w, "open", -errno);
				usleep(1000);
				continue;
			}
		}
		for (i = 0; i < 16; i++)
			one_call(w, fd);
		if (fd >= 0)
			close(fd);
		/*
		 * An open /dev/xyz pins the module, and rmmod rightly fails
		 * with EBUSY then: leave it some gaps.
		 */
		usleep(rand_r(&w->seed) % 2000);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 10;
	int per_door = argc > 2 ? atoi(argv[2]) : 1;
	int n = per_door * (int)(sizeof(doors) / sizeof(doors[0]));
	struct worker *w = calloc(n, sizeof(*w));
	struct timespec limit = { .tv_sec = seconds };
	uint8_t *mem;
	sigset_t usr1;
	int i;

	mem = mmap(NULL, n * 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (!w || mem == MAP_FAILED) {
		printf("not ok 1 xyz_stress: no memory\n");
		return 1;
	}
	printf("TAP version 13\n1..1\n");
	/* blocked in every thread, so that main can wait for it */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &usr1, NULL);
	for (i = 0; i < n; i++) {
		w[i].door = &doors[i % (sizeof(doors) / sizeof(doors[0]))];
		w[i].seed = i + 1;
		w[i].mem = mem + i * 4096;
		if (pthread_create(&w[i].thread, NULL, worker_main, &w[i])) {
			printf("not ok 1 xyz_stress: pthread_create\n");
			return 1;
		}
	}
	sigtimedwait(&usr1, NULL, &limit);
	atomic_store(&stop, 1);
	for (i = 0; i < n; i++)
		pthread_join(w[i].thread, NULL);

	printf("# %ld calls served, %ld found nothing there, %ld wrong\n",
	       atomic_load(&served), atomic_load(&absent), atomic_load(&bad));
	if (atomic_load(&bad) || !atomic_load(&served)) {
		printf("not ok 1 xyz_stress %d threads\n", n);
		return 1;
	}
	printf("ok 1 xyz_stress %d threads\n", n);
	return 0;
}
