// SPDX-License-Identifier: GPL-2.0
/*
 * With hook=none (or no module at all), the default numbers must still be
 * what they were: "no such system call". Proves the hooks really go away.
 */
#include "xyz_test.h"
#include "kselftest_harness.h"

TEST(unhooked_numbers_are_enosys)
{
	struct xyz_args a = { .size = sizeof(a), .op = XYZ_OP_NOP };

	/* loaded with hook=none: the parameters say so; unloaded: none */
	if (access("/sys/module/xyz", F_OK) == 0) {
		EXPECT_EQ(-1, xyz_param_long("nr"));
		EXPECT_EQ(-1, xyz_param_long("compat_nr"));
	}
	EXPECT_EQ(-ENOSYS, xyz_door_glibc(400, -1, &a));
#if XYZ_HAVE_ASM_DOOR
	EXPECT_EQ(-ENOSYS, xyz_door_asm(400, -1, &a));
#endif
	if (XYZ_HAVE_INT80)
		EXPECT_EQ(-ENOSYS, xyz_door_int80(223, -1, &a));
}

TEST_HARNESS_MAIN
