/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The doors of xyz, called the rawest way each can be, for the selftests:
 * no libxyz here, so a library bug cannot hide a kernel bug.
 */
#ifndef XYZ_TEST_H
#define XYZ_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/xyz.h>

#include "xyz_arch.h"
#include "xyz_uring.h"

#define XYZ_SYSFS	"/sys/module/xyz/parameters/"

/* A module parameter as a string, "" when absent. */
static inline const char *xyz_param(const char *name, char *buf, size_t len)
{
	char path[128];
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), XYZ_SYSFS "%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, buf, len - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static inline long xyz_param_long(const char *name)
{
	char buf[32];

	return strtol(xyz_param(name, buf, sizeof(buf)), NULL, 10);
}

/* Each door returns a result or -errno, as the kernel does. */
typedef long (*xyz_door_fn)(long nr, int fd, void *args);

static inline long xyz_door_ioctl(long nr, int fd, void *args)
{
	long ret = ioctl(fd, XYZ_IOC_CALL, args);

	(void)nr;
	return ret < 0 ? -errno : ret;
}

static inline long xyz_door_glibc(long nr, int fd, void *args)
{
	long ret = syscall(nr, args);

	(void)fd;
	return ret < 0 ? -errno : ret;
}

/*
 * One call through the io_uring door: one SQE on a ring of this thread
 * (made on first use, never freed; a forked child makes its own), one
 * io_uring_enter(), the CQE's res. -ENOSYS and a message when io_uring
 * itself fails.
 */
static inline long xyz_door_uring(long nr, int fd, void *args)
{
	static __thread struct xyz_ring ring = { .fd = -1 };
	static __thread pid_t owner;
	struct io_uring_cqe cqe = { 0 };
	static __thread uint64_t seq;
	int ret;

	(void)nr;
	if (owner != (pid_t)syscall(SYS_gettid)) {
		if (ring.fd >= 0)
			xyz_ring_exit(&ring);	/* the parent's, not ours */
		ret = xyz_ring_init(&ring, 8, 0);
		if (ret) {
			fprintf(stderr, "io_uring_setup: %s\n", strerror(-ret));
			return -ENOSYS;
		}
		owner = (pid_t)syscall(SYS_gettid);
	}
	xyz_prep_call(xyz_ring_get_sqe(&ring), fd, args, ++seq);
	ret = xyz_ring_submit(&ring, 1);
	if (ret != 1 || xyz_ring_wait(&ring, &cqe, 1) != 1 ||
	    cqe.user_data != seq) {
		fprintf(stderr, "io_uring: submitted %d, user_data %llu\n",
			ret, (unsigned long long)cqe.user_data);
		return -ENOSYS;
	}
	return cqe.res;
}

/*
 * The shared page, read as the spec says: copy the header, retry while seq
 * was odd or changed meanwhile. Returns the retries, or -1 after @max_tries.
 */
static inline long xyz_page_header(const volatile struct xyz_page *page,
				   struct xyz_page *copy, long max_tries)
{
	long tries;

	for (tries = 0; tries < max_tries; tries++) {
		__u32 seq = page->seq;

		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		copy->size = page->size;
		copy->abi_version = page->abi_version;
		copy->hook = page->hook;
		copy->nr = page->nr;
		copy->compat_nr = page->compat_nr;
		copy->ncpus = page->ncpus;
		copy->stride = page->stride;
		copy->counters_offset = page->counters_offset;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (!(seq & 1) && page->seq == seq) {
			copy->seq = seq;
			return tries;
		}
	}
	return -1;
}

/* CPU @cpu's counter: one load on 64-bit, two that agree on i386. */
static inline uint64_t xyz_page_counter(const volatile void *page,
					const struct xyz_page *hdr,
					unsigned int cpu)
{
	const volatile uint64_t *c = (const volatile uint64_t *)
		((const volatile char *)page + hdr->counters_offset +
		 (size_t)cpu * hdr->stride);
#if __SIZEOF_POINTER__ == 8	/* one aligned 64-bit load */
	return *c;
#else
	uint64_t a, b;

	do {
		a = *c;
		b = *c;
	} while (a != b);
	return a;
#endif
}

static inline uint64_t xyz_page_sum(const volatile void *page,
				    const struct xyz_page *hdr)
{
	uint64_t sum = 0;
	unsigned int cpu;

	for (cpu = 0; cpu < hdr->ncpus; cpu++)
		sum += xyz_page_counter(page, hdr, cpu);
	return sum;
}

#endif /* XYZ_TEST_H */
