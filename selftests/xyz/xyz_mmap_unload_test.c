// SPDX-License-Identifier: GPL-2.0
/*
 * A mapping of the shared page pins the module: rmmod is refused while one
 * exists, even with its file descriptor closed, and the page stays readable;
 * after munmap() the module unloads. Unloads the module: run it last, as
 * root, with nothing else holding /dev/xyz.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/stat.h>

#include "xyz_test.h"
#include "kselftest_harness.h"

static long delete_module(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK);
}

static int loaded(void)
{
	struct stat st;

	return !stat("/sys/module/xyz", &st);
}

TEST(rmmod_refused_while_mapped_then_unloads)
{
	volatile struct xyz_page *page;
	struct xyz_page hdr, again;
	long len = sysconf(_SC_PAGESIZE);
	int fd;

	if (geteuid())
		SKIP(return, "unloading needs root");
	fd = open("/dev/" XYZ_DEVICE_NAME, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("/dev/xyz: %s", strerror(errno));
	page = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_TRUE(page != MAP_FAILED);
	ASSERT_LE(0, xyz_page_header(page, &hdr, 1000000));
	close(fd);

	/* the kernel's word for "in use" is EWOULDBLOCK; kmod's rmmod says EBUSY */
	EXPECT_EQ(-1, delete_module("xyz"));
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_TRUE(loaded());
	EXPECT_LE(1, xyz_param_long("../refcnt"));
	ASSERT_LE(0, xyz_page_header(page, &again, 1000000));
	EXPECT_EQ(0, memcmp(&hdr, &again, sizeof(hdr)));
	xyz_page_sum(page, &hdr);

	ASSERT_EQ(0, munmap((void *)page, len));
	EXPECT_EQ(0, delete_module("xyz")) TH_LOG("%s", strerror(errno));
	EXPECT_FALSE(loaded());
}

TEST_HARNESS_MAIN
