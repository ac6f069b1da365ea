// SPDX-License-Identifier: GPL-2.0
/*
 * xyz: one demonstration service routine, sys_xyz, reachable through every
 * door a process has into the kernel: a system call number (by hooking the
 * dispatch of an unused slot), int $0x80, and ioctl on /dev/xyz.
 *
 * Load time parameters:
 *	hook=auto|direct|ftrace|kprobe|table|none	how to route the numbers
 *	nr=N		64-bit syscall number (-1: none)
 *	compat_nr=N	ia32 syscall number for int $0x80 (-1: none)
 * Once loaded they read back what is in effect.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

#include "xyz_internal.h"

/*
 * 400 sits in 387..423, which syscall_64.tbl reserves forever (x32 clash);
 * 223 is a hole of the i386 table on every kernel we know.
 */
int xyz_nr = 400;
int xyz_compat_nr = 223;
enum xyz_hook xyz_hook = XYZ_HOOK_NONE;

module_param_named(nr, xyz_nr, int, 0444);
MODULE_PARM_DESC(nr, "64-bit system call number to route to sys_xyz (-1: none); reads -1 when not hooked");
module_param_named(compat_nr, xyz_compat_nr, int, 0444);
MODULE_PARM_DESC(compat_nr, "ia32 (int $0x80) system call number (-1: none); reads -1 when not hooked");

struct xyz_backend {
	const char *name;
	enum xyz_hook id;
};

/*
 * auto tries these in order (docs/performance.md): direct is fast and taxes
 * other system calls by a few percent; kprobe makes only xyz calls (and
 * other unused numbers) slow; ftrace taxes every system call by 20-50 %.
 */
static const struct xyz_backend xyz_backends[] = {
	{ "direct", XYZ_HOOK_DIRECT },
	{ "kprobe", XYZ_HOOK_KPROBE },
	{ "ftrace", XYZ_HOOK_FTRACE },
	{ "table", XYZ_HOOK_TABLE },
};

/* A switch, not a table of function pointers: see xyz_internal.h. */
static int xyz_attach(enum xyz_hook id, enum xyz_abi abi, int nr)
{
	switch (id) {
	case XYZ_HOOK_DIRECT:
		return xyz_direct_attach(abi, nr);
	case XYZ_HOOK_FTRACE:
		return xyz_ftrace_attach(abi, nr);
	case XYZ_HOOK_KPROBE:
		return xyz_kprobe_attach(abi, nr);
	case XYZ_HOOK_TABLE:
		return xyz_table_attach(abi, nr);
	default:
		return -EINVAL;
	}
}

static void xyz_detach(enum xyz_hook id, enum xyz_abi abi)
{
	switch (id) {
	case XYZ_HOOK_DIRECT:
		xyz_direct_detach(abi);
		break;
	case XYZ_HOOK_FTRACE:
		xyz_ftrace_detach(abi);
		break;
	case XYZ_HOOK_KPROBE:
		xyz_kprobe_detach(abi);
		break;
	case XYZ_HOOK_TABLE:
		xyz_table_detach(abi);
		break;
	default:
		break;
	}
}

#define XYZ_HOOK_REQUEST_LEN	8
static char xyz_hook_request[XYZ_HOOK_REQUEST_LEN] = "auto";
static const struct xyz_backend *xyz_hook_active;

static bool xyz_hook_name_valid(const char *val, size_t len)
{
	static const char *const names[] = {
		"auto", "direct", "ftrace", "kprobe", "table", "none",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (len == strlen(names[i]) && !strncmp(val, names[i], len))
			return true;
	return false;
}

static int xyz_hook_param_set(const char *val, const struct kernel_param *kp)
{
	size_t len = strcspn(val, "\n");

	if (!xyz_hook_name_valid(val, len)) {
		pr_err("hook=%.*s: expected auto, direct, ftrace, kprobe, table or none\n",
		       (int)len, val);
		return -EINVAL;
	}
	strscpy(xyz_hook_request, val, len + 1);
	return 0;
}

/* Reads back the mechanism in effect, never "auto". */
static int xyz_hook_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n",
			  xyz_hook_active ? xyz_hook_active->name : "none");
}

static const struct kernel_param_ops xyz_hook_param_ops = {
	.set	= xyz_hook_param_set,
	.get	= xyz_hook_param_get,
};

module_param_cb(hook, &xyz_hook_param_ops, NULL, 0444);
MODULE_PARM_DESC(hook, "auto|direct|ftrace|kprobe|table|none (default auto); reads the mechanism in effect");

/*
 * Both numbers or neither: when the second attach fails, the first comes off
 * again, and a caller that already went through it may be asleep in sys_xyz
 * (a user page that takes its time): wait for it before the failed load
 * frees our text. INFO reports the mechanism from the moment calls can come.
 */
static int xyz_hook_install(enum xyz_hook id)
{
	int err = 0;

	xyz_hook = id;
	if (xyz_nr >= 0)
		err = xyz_attach(id, XYZ_ABI_X64, xyz_nr);
	if (!err && xyz_compat_nr >= 0) {
		err = xyz_attach(id, XYZ_ABI_IA32, xyz_compat_nr);
		if (err && xyz_nr >= 0) {
			xyz_detach(id, XYZ_ABI_X64);
			xyz_wait_for_callers();
		}
	}
	if (err)
		xyz_hook = XYZ_HOOK_NONE;
	return err;
}

static void xyz_hook_remove(enum xyz_hook id)
{
	if (xyz_compat_nr >= 0)
		xyz_detach(id, XYZ_ABI_IA32);
	if (xyz_nr >= 0)
		xyz_detach(id, XYZ_ABI_X64);
	xyz_wait_for_callers();
}

static int xyz_hook_select(void)
{
	bool any = !strcmp(xyz_hook_request, "auto");
	int err;
	size_t i;

	if (!strcmp(xyz_hook_request, "none") ||
	    (xyz_nr < 0 && xyz_compat_nr < 0))
		return 0;
	err = xyz_check_numbers(xyz_nr, xyz_compat_nr);
	if (err)
		return err;
	err = -ENOENT;
	for (i = 0; i < ARRAY_SIZE(xyz_backends); i++) {
		const struct xyz_backend *backend = &xyz_backends[i];

		if (!any && strcmp(xyz_hook_request, backend->name))
			continue;
		/* auto never picks the table: it cannot route here */
		if (any && backend->id == XYZ_HOOK_TABLE)
			continue;
		err = xyz_hook_install(backend->id);
		if (!err) {
			xyz_hook_active = backend;
			return 0;
		}
		if (any)
			pr_info("hook=%s unavailable (%d), trying the next\n",
				backend->name, err);
	}
	return err;
}

static int __init xyz_init(void)
{
	int err;

	err = xyz_hook_select();
	if (err)
		return err;
	if (!xyz_hook_active) {
		xyz_nr = -1;
		xyz_compat_nr = -1;
	}

	err = xyz_dev_register();
	if (err) {
		if (xyz_hook_active)
			xyz_hook_remove(xyz_hook_active->id);
		return err;
	}
	pr_info("loaded: hook=%s nr=%d compat_nr=%d, /dev/%s\n",
		xyz_hook_active ? xyz_hook_active->name : "none",
		xyz_nr, xyz_compat_nr, XYZ_DEVICE_NAME);
	return 0;
}

static void __exit xyz_exit(void)
{
	xyz_dev_unregister();
	if (xyz_hook_active)
		xyz_hook_remove(xyz_hook_active->id);
}

module_init(xyz_init);
module_exit(xyz_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("One service routine behind every door into the kernel");
MODULE_AUTHOR("The xyz developers");
MODULE_VERSION(XYZ_VERSION);
