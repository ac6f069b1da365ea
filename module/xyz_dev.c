// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/xyz: the ioctl door, and the io_uring door (xyz_uring.c). Need no hook
 * at all, so they work whatever the kernel's syscall dispatch looks like.
 */
#include <linux/fs.h>
#include <linux/ioctl.h>
#include <linux/miscdevice.h>
#include <linux/module.h>

#include "xyz_compat.h"
#include "xyz_internal.h"

static long xyz_dev_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	/* Type and number only: a grown struct xyz_args changes the size bits. */
	if (_IOC_TYPE(cmd) != XYZ_IOC_MAGIC ||
	    _IOC_NR(cmd) != _IOC_NR(XYZ_IOC_CALL))
		return -ENOTTY;
	return sys_xyz((struct xyz_args __user *)arg, XYZ_DOOR_IOCTL);
}

static const struct file_operations xyz_dev_fops = {
	.owner		= THIS_MODULE,	/* an open fd pins the module */
	.unlocked_ioctl	= xyz_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= xyz_page_mmap,	/* the shared page: xyz_mmap.c */
	XYZ_URING_CMD_FOP		/* the io_uring door: xyz_uring.c */
};

static struct miscdevice xyz_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= XYZ_DEVICE_NAME,
	.fops	= &xyz_dev_fops,
	.mode	= 0666,
};

int xyz_dev_register(void)
{
	return misc_register(&xyz_misc);
}

void xyz_dev_unregister(void)
{
	misc_deregister(&xyz_misc);
}
