// SPDX-License-Identifier: GPL-2.0
/*
 * A ring that holds /dev/xyz keeps the module loaded; once the ring is
 * closed, with calls still in flight, the module unloads cleanly. Unloads
 * the module (xyz_modes.sh loads it again): needs root and the module
 * loaded with nothing else holding it.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>

#include "xyz_test.h"
#include "kselftest_harness.h"

#define INFLIGHT	64
#define ECHO_LEN	(1 << 20)

static int module_loaded(void)
{
	struct stat st;

	return stat("/sys/module/xyz", &st) == 0;
}

static int delete_module(void)
{
	return syscall(__NR_delete_module, "xyz", O_NONBLOCK);
}

/*
 * A fixture only for TEST_F_TIMEOUT: the teardown is waited for with a
 * bound far above any stall of a busy emulator (whose guest clock runs on
 * while the host makes it wait), past the harness's default 30 s.
 */
FIXTURE(ring) {};
FIXTURE_SETUP(ring) {}
FIXTURE_TEARDOWN(ring) {}

TEST_F_TIMEOUT(ring, pins_module_until_closed, 300)
{
	struct xyz_args a[INFLIGHT];
	struct io_uring_cqe cqe;
	struct xyz_ring ring;
	uint8_t *in, *out;
	int fd, err, i;
	struct timespec start, now;

	if (getuid() != 0)
		SKIP(return, "needs root to unload the module");
	ASSERT_TRUE(module_loaded());
	fd = open("/dev/" XYZ_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	XYZ_SKIP_WITHOUT_URING_DOOR(fd);
	err = xyz_ring_init(&ring, INFLIGHT, 0);
	if (err)
		SKIP(return, "io_uring_setup: %s", strerror(-err));
	/* only the ring holds the file from now on */
	ASSERT_EQ(0, syscall(__NR_io_uring_register, ring.fd,
			     IORING_REGISTER_FILES, &fd, 1));
	close(fd);

	memset(&a[0], 0, sizeof(a[0]));
	a[0].size = sizeof(a[0]);
	xyz_prep_call(xyz_ring_get_sqe(&ring), 0, &a[0], 1)->flags |=
		IOSQE_FIXED_FILE;
	ASSERT_EQ(1, xyz_ring_submit(&ring, 1));
	ASSERT_EQ(1, xyz_ring_wait(&ring, &cqe, 1));
	EXPECT_EQ(0, cqe.res);

	/* rmmod refuses while the ring holds /dev/xyz */
	EXPECT_EQ(-1, delete_module());
	EXPECT_EQ(EWOULDBLOCK, errno) TH_LOG("delete_module: %s",
					     strerror(errno));
	EXPECT_TRUE(module_loaded());

	/* large ECHOs go to io-wq workers; close the ring under them */
	in = mmap(NULL, 2 * ECHO_LEN, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(in != MAP_FAILED);
	out = in + ECHO_LEN;
	for (i = 0; i < INFLIGHT; i++) {
		memset(&a[i], 0, sizeof(a[i]));
		a[i].size = sizeof(a[i]);
		a[i].op = XYZ_OP_ECHO;
		a[i].in = (uintptr_t)in;
		a[i].in_len = ECHO_LEN;
		a[i].out = (uintptr_t)out;
		a[i].out_len = ECHO_LEN;
		xyz_prep_call(xyz_ring_get_sqe(&ring), 0, &a[i], i)->flags |=
			IOSQE_FIXED_FILE;
	}
	ASSERT_EQ(INFLIGHT, xyz_ring_submit(&ring, 0));
	xyz_ring_exit(&ring);

	/* the ring's teardown is asynchronous: allow it 240 s */
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (delete_module()) {
		ASSERT_EQ(EWOULDBLOCK, errno) TH_LOG("delete_module: %s",
						     strerror(errno));
		clock_gettime(CLOCK_MONOTONIC, &now);
		ASSERT_GT(240, now.tv_sec - start.tv_sec)
			TH_LOG("still in use 240 s after the ring was closed");
		usleep(10000);
	}
	EXPECT_FALSE(module_loaded());
	munmap(in, 2 * ECHO_LEN);
}

TEST_HARNESS_MAIN
