// SPDX-License-Identifier: MIT
/* Names <-> enums, both ways, and what is not a name. */
#include <xyz.h>

#include "harness.h"

static void via_names(void)
{
	static const char *const want[XYZ_VIA_COUNT] = {
		[XYZ_VIA_SYSCALL] = "syscall", [XYZ_VIA_ASM] = "asm",
		[XYZ_VIA_INT80] = "int80", [XYZ_VIA_IOCTL] = "ioctl",
		[XYZ_VIA_MMAP] = "mmap", [XYZ_VIA_URING] = "uring",
	};
	int via;

	for (via = 0; via < XYZ_VIA_COUNT; via++) {
		if (!want[via]) {	/* a value this build does not know */
			CHECK(!xyz_via_name(via) && errno == EINVAL);
			continue;
		}
		CHECK_STR_HAS(xyz_via_name(via), want[via]);
		CHECK_INT(xyz_via_from_name(want[via]), via);
	}
	errno = 0;
	CHECK(!xyz_via_name(XYZ_VIA_COUNT) && errno == EINVAL);
	CHECK(!xyz_via_name((enum xyz_via)-1));
	CHECK_ERR(xyz_via_from_name("bogus"), EINVAL);
	CHECK_ERR(xyz_via_from_name("SYSCALL"), EINVAL);
	CHECK_ERR(xyz_via_from_name(""), EINVAL);
	CHECK_ERR(xyz_via_from_name(NULL), EINVAL);
}

static void hook_names(void)
{
	static const struct { const char *name; int hook; } want[] = {
		{ "none", XYZ_HOOK_NONE }, { "table", XYZ_HOOK_TABLE },
		{ "ftrace", XYZ_HOOK_FTRACE }, { "kprobe", XYZ_HOOK_KPROBE },
		{ "direct", XYZ_HOOK_DIRECT },
		{ "tracepoint", XYZ_HOOK_TRACEPOINT },
	};
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		CHECK_STR_HAS(xyz_hook_name(want[i].hook), want[i].name);
		CHECK_INT(xyz_hook_from_name(want[i].name), want[i].hook);
	}
	/* "auto" is a load parameter value, never what sysfs reads. */
	CHECK_ERR(xyz_hook_from_name("auto"), EINVAL);
	CHECK(!xyz_hook_name(-1));
	CHECK(!xyz_hook_name(XYZ_HOOK_TRACEPOINT + 1));
}

static void door_and_op_names(void)
{
	CHECK_STR_HAS(xyz_door_name(XYZ_DOOR_SYSCALL), "syscall");
	CHECK_STR_HAS(xyz_door_name(XYZ_DOOR_COMPAT), "compat");
	CHECK_STR_HAS(xyz_door_name(XYZ_DOOR_IOCTL), "ioctl");
	CHECK_STR_HAS(xyz_door_name(XYZ_DOOR_URING), "uring");
	CHECK_STR_HAS(xyz_door_name(XYZ_DOOR_MMAP), "mmap");
	CHECK(!xyz_door_name(0));
	CHECK(!xyz_door_name(XYZ_DOOR_MMAP + 1));

	CHECK_INT(xyz_op_from_name("nop"), XYZ_OP_NOP);
	CHECK_INT(xyz_op_from_name("echo"), XYZ_OP_ECHO);
	CHECK_INT(xyz_op_from_name("info"), XYZ_OP_INFO);
	CHECK_INT(xyz_op_from_name("reset"), XYZ_OP_RESET);
	CHECK_STR_HAS(xyz_op_name(XYZ_OP_RESET), "reset");
	CHECK_ERR(xyz_op_from_name("nope"), EINVAL);
	CHECK(!xyz_op_name(XYZ_OP_RESET + 1));
}

void test_names(void)
{
	printf("# names\n");
	via_names();
	hook_names();
	door_and_op_names();
}
