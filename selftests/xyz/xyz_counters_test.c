// SPDX-License-Identifier: GPL-2.0
/*
 * The per-CPU call counters under concurrency: threads on every CPU call
 * every door with NOP, ECHO and INFO for a bounded time; afterwards the
 * kernel's count must equal exactly the calls the threads made. Must run
 * alone (nothing else calling xyz meanwhile).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>

#include "xyz_test.h"
#include "kselftest_harness.h"

#ifndef MAP_32BIT
#define MAP_32BIT 0
#endif

struct door {
	xyz_door_fn call;
	long nr;
};

struct caller {
	pthread_t thread;
	int cpu;
	int fd;
	struct door *doors;
	int ndoors;
	uint8_t *mem;		/* below 4 GiB for int $0x80 */
	long made, failed;
};

static atomic_int stop;

static void *caller_main(void *arg)
{
	struct caller *c = arg;
	struct xyz_args *a = (struct xyz_args *)c->mem;
	unsigned int seed = c->cpu + 1;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(c->cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	while (!atomic_load(&stop)) {
		struct door *d = &c->doors[rand_r(&seed) % c->ndoors];

		memset(a, 0, sizeof(*a));
		a->size = sizeof(*a);
		a->op = rand_r(&seed) % 3;	/* NOP, ECHO, INFO */
		a->in = (uintptr_t)(c->mem + 256);
		a->out = (uintptr_t)(c->mem + 1024);
		a->in_len = a->out_len = a->op == XYZ_OP_INFO ? 48 : 64;
		if (d->call(d->nr, c->fd, a) >= 0)
			c->made++;
		else
			c->failed++;
	}
	return NULL;
}

TEST(counters_add_up)
{
	int ncpu = sysconf(_SC_NPROCESSORS_ONLN), nthreads = 2 * ncpu, i;
	struct door doors[4];
	struct xyz_info *info;
	struct xyz_args *a;
	struct caller *c;
	long total = 0;
	uint8_t *mem;
	int ndoors = 0, fd;

	fd = open("/dev/" XYZ_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	doors[ndoors++] = (struct door){ xyz_door_ioctl, 0 };
	if (xyz_param_long("nr") >= 0) {
#if XYZ_HAVE_ASM_DOOR
		doors[ndoors++] = (struct door){ xyz_door_asm, xyz_param_long("nr") };
#endif
	}
	if (XYZ_HAVE_INT80 && xyz_param_long("compat_nr") >= 0)
		doors[ndoors++] = (struct door){ xyz_door_int80,
						 xyz_param_long("compat_nr") };

	mem = mmap(NULL, (nthreads + 1) * 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	ASSERT_TRUE(mem != MAP_FAILED);
	c = calloc(nthreads, sizeof(*c));
	ASSERT_TRUE(c != NULL);

	a = (struct xyz_args *)mem;
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->op = XYZ_OP_RESET;
	ASSERT_EQ(0, xyz_door_ioctl(0, fd, a));

	for (i = 0; i < nthreads; i++) {
		c[i] = (struct caller){ .cpu = i % ncpu, .fd = fd,
					.doors = doors, .ndoors = ndoors,
					.mem = mem + (i + 1) * 4096 };
		ASSERT_EQ(0, pthread_create(&c[i].thread, NULL, caller_main,
					    &c[i]));
	}
	sleep(3);
	atomic_store(&stop, 1);
	for (i = 0; i < nthreads; i++) {
		pthread_join(c[i].thread, NULL);
		EXPECT_EQ(0, c[i].failed);
		total += c[i].made;
	}

	info = (struct xyz_info *)(mem + 2048);
	a->op = XYZ_OP_INFO;
	a->out = (uintptr_t)info;
	a->out_len = sizeof(*info);
	ASSERT_EQ(sizeof(*info), xyz_door_ioctl(0, fd, a));
	TH_LOG("%d threads, %d doors: %ld calls", nthreads, ndoors, total);
	/* every call the threads made, plus this INFO itself */
	EXPECT_EQ(total + 1, info->calls);
	close(fd);
}

TEST_HARNESS_MAIN
