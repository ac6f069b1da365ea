// SPDX-License-Identifier: (LGPL-2.1-or-later OR MIT)
/*
 * The ioctl door. /dev/xyz is opened on first use and kept for the life of
 * the process (or until xyz_close()); threads racing to open it keep the
 * first descriptor published and close their own.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "internal.h"

static atomic_int dev_fd = -1;

static int dev_open(void)
{
	char path[PATH_MAX];
	int fd, old = -1;

	if (xyz__path(path, sizeof(path), "dev/xyz"))
		return -1;
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		/* No node, or a stale one with no driver: no ioctl door. */
		if (errno == ENOENT || errno == ENXIO || errno == ENODEV)
			errno = ENODEV;
		return -1;
	}
	if (!atomic_compare_exchange_strong(&dev_fd, &old, fd)) {
		close(fd);
		fd = old;
	}
	return fd;
}

int xyz__dev_fd(void)
{
	int fd = atomic_load_explicit(&dev_fd, memory_order_acquire);

	return fd >= 0 ? fd : dev_open();
}

int xyz_ioctl(struct xyz_args *args)
{
	int fd;

	if (!args)
		return xyz__fail(EFAULT);
	fd = xyz__dev_fd();
	if (fd < 0)
		return -1;
	return ioctl(fd, XYZ_IOC_CALL, args);
}

void xyz_close(void)
{
	int fd = atomic_exchange(&dev_fd, -1);

	if (fd >= 0)
		close(fd);
	xyz__page_close();
	xyz__uring_close();
}
