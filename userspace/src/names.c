// SPDX-License-Identifier: (LGPL-2.1-or-later OR MIT)
/* Names of the enums, as sysfs and the command line spell them. */
#include "internal.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char *const via_names[] = {
	[XYZ_VIA_SYSCALL]	= "syscall",
	[XYZ_VIA_ASM]		= "asm",
	[XYZ_VIA_INT80]		= "int80",
	[XYZ_VIA_IOCTL]		= "ioctl",
	[XYZ_VIA_MMAP]		= "mmap",
	[XYZ_VIA_URING]		= "uring",
};

static const char *const hook_names[] = {
	[XYZ_HOOK_NONE]		= "none",
	[XYZ_HOOK_TABLE]	= "table",
	[XYZ_HOOK_FTRACE]	= "ftrace",
	[XYZ_HOOK_KPROBE]	= "kprobe",
	[XYZ_HOOK_DIRECT]	= "direct",
	[XYZ_HOOK_TRACEPOINT]	= "tracepoint",
};

static const char *const door_names[] = {
	[XYZ_DOOR_SYSCALL]	= "syscall",
	[XYZ_DOOR_COMPAT]	= "compat",
	[XYZ_DOOR_IOCTL]	= "ioctl",
	[XYZ_DOOR_URING]	= "uring",
	[XYZ_DOOR_MMAP]		= "mmap",
};

static const char *const op_names[] = {
	[XYZ_OP_NOP]		= "nop",
	[XYZ_OP_ECHO]		= "echo",
	[XYZ_OP_INFO]		= "info",
	[XYZ_OP_RESET]		= "reset",
};

static const char *name_of(const char *const *tab, size_t n, long val)
{
	if (val < 0 || (size_t)val >= n || !tab[val]) {
		errno = EINVAL;
		return NULL;
	}
	return tab[val];
}

static int value_of(const char *const *tab, size_t n, const char *name)
{
	size_t i;

	for (i = 0; name && i < n; i++)
		if (tab[i] && !strcmp(tab[i], name))
			return (int)i;
	return xyz__fail(EINVAL);
}

const char *xyz_via_name(enum xyz_via via)
{
	return name_of(via_names, ARRAY_SIZE(via_names), via);
}

int xyz_via_from_name(const char *name)
{
	return value_of(via_names, ARRAY_SIZE(via_names), name);
}

const char *xyz_hook_name(int hook)
{
	return name_of(hook_names, ARRAY_SIZE(hook_names), hook);
}

int xyz_hook_from_name(const char *name)
{
	return value_of(hook_names, ARRAY_SIZE(hook_names), name);
}

const char *xyz_door_name(int door)
{
	return name_of(door_names, ARRAY_SIZE(door_names), door);
}

const char *xyz_op_name(int op)
{
	return name_of(op_names, ARRAY_SIZE(op_names), op);
}

int xyz_op_from_name(const char *name)
{
	return value_of(op_names, ARRAY_SIZE(op_names), name);
}
