// SPDX-License-Identifier: MIT
/*
 * What the library checks itself, before any door: a door out of range is
 * EINVAL, a NULL args pointer EFAULT (as the kernel would say), both ahead
 * of the module's state. Everything else is left to the kernel.
 */
#include <xyz.h>

#include "fakesys.h"
#include "harness.h"

_Static_assert(sizeof(struct xyz_args) == XYZ_ARGS_SIZE_VER0,
	       "struct xyz_args is 48 bytes in ABI 1");
_Static_assert(sizeof(struct xyz_info) == XYZ_INFO_SIZE_VER0,
	       "struct xyz_info is 48 bytes in ABI 1");

static int (*const door_fns[XYZ_VIA_COUNT])(struct xyz_args *) = {
	[XYZ_VIA_SYSCALL] = xyz_syscall, [XYZ_VIA_ASM] = xyz_syscall_asm,
	[XYZ_VIA_INT80] = xyz_int80, [XYZ_VIA_IOCTL] = xyz_ioctl,
	[XYZ_VIA_MMAP] = xyz_mmap, [XYZ_VIA_URING] = xyz_uring,
};

static void null_args(void)
{
	int via;

	for (via = 0; via < XYZ_VIA_COUNT; via++) {
		if (!door_fns[via]) {	/* a value this build does not know */
			CHECK_ERR(xyz_call(via, NULL), EINVAL);
			continue;
		}
		CHECK_ERR(xyz_call(via, NULL), EFAULT);
		CHECK_ERR(door_fns[via](NULL), EFAULT);
	}
}

static void bad_via(void)
{
	struct xyz_args a;

	xyz_args_init(&a, XYZ_OP_NOP);
	CHECK_ERR(xyz_call(XYZ_VIA_COUNT, &a), EINVAL);
	CHECK_ERR(xyz_call((enum xyz_via)-1, &a), EINVAL);
	CHECK_ERR(xyz_call(XYZ_VIA_COUNT, NULL), EINVAL);
	CHECK_ERR(xyz_nop(XYZ_VIA_COUNT), EINVAL);
	CHECK_ERR(xyz_reset(XYZ_VIA_COUNT), EINVAL);
	CHECK_ERR(xyz_door_available(XYZ_VIA_COUNT), EINVAL);
	errno = 0;
	CHECK_INT(xyz_door_usable(XYZ_VIA_COUNT), 0);
	CHECK_INT(errno, EINVAL);
	errno = 0;
	CHECK_INT(xyz_door_usable((enum xyz_via)-1), 0);
	CHECK_INT(errno, EINVAL);
	CHECK_ERR(xyz_module_state(NULL), EFAULT);
}

/* The batch API refuses what it cannot do before touching the kernel. */
static void batch_args(void)
{
	struct xyz_result r;
	struct xyz_args a;

	xyz_args_init(&a, XYZ_OP_NOP);
	errno = 0;
	CHECK(!xyz_batch_open(0, 0) && errno == EINVAL);
	CHECK(!xyz_batch_open(8, 1) && errno == EINVAL);
	CHECK(!xyz_batch_open(XYZ_BATCH_MAX + 1, 0) && errno == EINVAL);
#ifdef XYZ_HAVE_LIBURING
	CHECK_ERR(xyz_batch_add(NULL, &a, 0), EINVAL);
	CHECK_ERR(xyz_batch_submit(NULL), EINVAL);
	CHECK_ERR(xyz_batch_wait(NULL, &r, 1), EINVAL);
	CHECK_ERR(xyz_batch_run(NULL, &r), EINVAL);
#else
	CHECK_ERR(xyz_batch_add(NULL, &a, 0), EOPNOTSUPP);
	CHECK_ERR(xyz_batch_run(NULL, &r), EOPNOTSUPP);
#endif
	xyz_batch_close(NULL);
}

static void args_init(void)
{
	static const unsigned char zero[sizeof(struct xyz_args)];
	struct xyz_args a;

	memset(&a, 0xa5, sizeof(a));
	xyz_args_init(&a, XYZ_OP_ECHO);
	CHECK_INT(a.size, 48);
	CHECK_INT(a.op, XYZ_OP_ECHO);
	CHECK(!memcmp((char *)&a + 8, zero, sizeof(a) - 8));
}

void test_args(void)
{
	struct fakesys f;
	struct xyz_info info;

	printf("# args\n");
	if (fake_init(&f)) {
		CHECK(!"fake sysfs");
		return;
	}
	bad_via();
	batch_args();
	args_init();
	/* Absent module and hooked module alike: the check comes first. */
	null_args();
	fake_module(&f, "400", "223", "ftrace");
	null_args();
	/* No module: a NULL info is the door's business, not a crash. */
	fake_unload(&f);
	CHECK_ERR(xyz_info(XYZ_VIA_SYSCALL, NULL), ENOSYS);
	CHECK_ERR(xyz_info(XYZ_VIA_IOCTL, &info), ENODEV);
	fake_cleanup(&f);
}
