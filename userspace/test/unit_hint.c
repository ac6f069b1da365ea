// SPDX-License-Identifier: MIT
/* Hints: each failure names its cause and the command that fixes it. */
#include <xyz.h>

#include "fakesys.h"
#include "harness.h"

static void absent(struct fakesys *f)
{
	fake_unload(f);
	CHECK_STR_HAS(xyz_hint(XYZ_VIA_SYSCALL, ENOSYS), "not loaded");
	CHECK_STR_HAS(xyz_hint(XYZ_VIA_INT80, ENOSYS), "sudo insmod xyz.ko");
	CHECK_STR_HAS(xyz_hint(XYZ_VIA_IOCTL, ENODEV), "sudo modprobe xyz");
}

static void not_hooked(struct fakesys *f)
{
	fake_module(f, "-1", "-1", "none");
	CHECK_STR_HAS(xyz_hint(XYZ_VIA_SYSCALL, ENOSYS), "hook=none");
	CHECK_STR_HAS(xyz_hint(XYZ_VIA_ASM, ENOSYS), "hook=auto");
	CHECK_STR_HAS(xyz_hint(XYZ_VIA_INT80, ENOSYS), "int $0x80");

	fake_module(f, "-1", "223", "kprobe");
#ifdef __x86_64__
	CHECK_STR_HAS(xyz_hint(XYZ_VIA_SYSCALL, ENOSYS), "nr=-1");
#else
	/* i386 uses compat_nr for every system call door. */
	CHECK_STR_HAS(xyz_hint(XYZ_VIA_SYSCALL, ENOSYS), "did not fire");
#endif
	CHECK_STR_HAS(xyz_hint(XYZ_VIA_INT80, ENOSYS), "did not fire");

	fake_module(f, "400", "-1", "kprobe");
	CHECK_STR_HAS(xyz_hint(XYZ_VIA_INT80, ENOSYS), "compat_nr=-1");
}

static void kernel_errors(struct fakesys *f)
{
	fake_module(f, "400", "223", "ftrace");
	CHECK_STR_HAS(xyz_hint(XYZ_VIA_SYSCALL, ENOSYS), "did not fire");
	CHECK_STR_HAS(xyz_hint(XYZ_VIA_IOCTL, ENODEV), "/dev/xyz is missing");
	CHECK_STR_HAS(xyz_hint(XYZ_VIA_IOCTL, EACCES), "0666");
	CHECK_STR_HAS(xyz_hint(XYZ_VIA_IOCTL, ENOTTY), "XYZ_IOC_CALL");
	CHECK_STR_HAS(xyz_hint(XYZ_VIA_ASM, EPERM), "CAP_SYS_ADMIN");
	CHECK_STR_HAS(xyz_hint(XYZ_VIA_SYSCALL, EINVAL), "flags");
	CHECK_STR_HAS(xyz_hint(XYZ_VIA_SYSCALL, E2BIG), "1 MiB");
	CHECK_STR_HAS(xyz_hint(XYZ_VIA_INT80, EFAULT), "pointer");
	CHECK(!xyz_hint(XYZ_VIA_SYSCALL, EIO));
	CHECK(!xyz_hint(XYZ_VIA_IOCTL, ENOSYS));
	CHECK(!xyz_hint(XYZ_VIA_COUNT, ENOSYS));
	errno = EMFILE;
	xyz_hint(XYZ_VIA_SYSCALL, ENOSYS);
	CHECK_INT(errno, EMFILE);		/* callers print errno after */
}

void test_hint(void)
{
	struct fakesys f;

	printf("# hint\n");
	if (fake_init(&f)) {
		CHECK(!"fake sysfs");
		return;
	}
	absent(&f);
	not_hooked(&f);
	kernel_errors(&f);
	fake_cleanup(&f);
}
