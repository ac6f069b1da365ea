// SPDX-License-Identifier: MIT
/* Hints: each failure names its cause and the command that fixes it. */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
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

/* kernel.io_uring_disabled under the fake root; NULL removes it. */
static void fake_uring_disabled(struct fakesys *f, const char *val)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/proc", f->root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/proc/sys", f->root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/proc/sys/kernel", f->root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/proc/sys/kernel/io_uring_disabled",
		 f->root);
	if (!val) {
		unlink(path);
		return;
	}
	fp = fopen(path, "w");
	if (fp) {
		fputs(val, fp);
		fclose(fp);
	}
}

static void uring_errors(struct fakesys *f)
{
	fake_module(f, "400", "223", "direct");
	fake_uring_disabled(f, "2\n");
	CHECK_STR_HAS(xyz_hint(XYZ_VIA_URING, EPERM),
		      "kernel.io_uring_disabled=2");
	fake_uring_disabled(f, "1\n");
	CHECK_STR_HAS(xyz_hint(XYZ_VIA_URING, EPERM), "io_uring_group");
	fake_uring_disabled(f, NULL);
	/* io_uring works on this host (else: "refused") and RESET is EPERM */
	CHECK(xyz_hint(XYZ_VIA_URING, EPERM) != NULL);
	CHECK_STR_HAS(xyz_hint(XYZ_VIA_ASM, EPERM), "CAP_SYS_ADMIN");
	CHECK_STR_HAS(xyz_hint(XYZ_VIA_URING, ENOSYS), "CONFIG_IO_URING");
	CHECK_STR_HAS(xyz_hint(XYZ_VIA_URING, ENOTTY), "predates");
	CHECK_STR_HAS(xyz_hint(XYZ_VIA_URING, EOPNOTSUPP), "uring");
	errno = EMFILE;
	xyz_hint(XYZ_VIA_URING, EPERM);
	CHECK_INT(errno, EMFILE);
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
	uring_errors(&f);
	fake_cleanup(&f);
}
