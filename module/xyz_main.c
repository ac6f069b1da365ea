// SPDX-License-Identifier: GPL-2.0
/*
 * xyz: one demonstration service routine, sys_xyz, reachable through every
 * door a process has into the kernel: a system call number (by hooking the
 * dispatch of an unused slot), int $0x80 (x86), ioctl and io_uring on
 * /dev/xyz, and a shared page.
 *
 * Load time parameters:
 *	hook=auto|direct|ftrace|kprobe|table|tracepoint|none[,...]
 *			how to route the numbers
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

/* xyz_nr and xyz_compat_nr: their defaults are the architecture's. */
enum xyz_hook xyz_hook = XYZ_HOOK_NONE;

module_param_named(nr, xyz_nr, int, 0444);
MODULE_PARM_DESC(nr, "64-bit system call number to route to sys_xyz (-1: none); reads -1 when not hooked");
module_param_named(compat_nr, xyz_compat_nr, int, 0444);
MODULE_PARM_DESC(compat_nr, "ia32 (int $0x80) system call number (-1: none; x86 only); reads -1 when not hooked");

struct xyz_backend {
	const char *name;
	enum xyz_hook id;
};

static const struct xyz_backend xyz_backends[] = {
	{ "direct", XYZ_HOOK_DIRECT },
	{ "table", XYZ_HOOK_TABLE },
	{ "kprobe", XYZ_HOOK_KPROBE },
	{ "ftrace", XYZ_HOOK_FTRACE },
	{ "tracepoint", XYZ_HOOK_TRACEPOINT },
	{ "none", XYZ_HOOK_NONE },
};

/*
 * hook= names one mechanism, or several, comma-separated, tried in order;
 * "none" ends such a list with no hook at all (the ioctl, mmap and io_uring
 * doors still work). auto is this list, ordered by what each costs the
 * machine's other system calls, then its own (docs/hooks.md, counted
 * instructions per call):
 *
 *	direct: nothing where the unused-number stub has an ftrace site
 *		(7.x), a call, a compare and a return (3 to 4) where it sits
 *		on the dispatcher (6.1 to 6.14); the door as cheap as getppid;
 *	table: only where the kernel still calls through sys_call_table
 *		(5.10, arm64), so never where direct works: nothing but the
 *		indirect call the kernel makes anyway;
 *	kprobe: nothing on used numbers, but every xyz call and every other
 *		unused number goes through the kprobe handler, after an int3
 *		trap or, where the stub has an ftrace site, ftrace's register
 *		save (hundreds);
 *	ftrace: ftrace's register save on every system call (67 to 71);
 *	tracepoint: the entry code's slow path on every system call (79 to
 *		84), where nothing else routes.
 *
 * On arm64 direct refuses and table always applies (invoke_syscall()
 * calls through sys_call_table on every kernel), so auto picks table
 * there. On a kernel where nothing routes, auto still loads, without a
 * hook; a list without "none" refuses to load instead.
 */
static const char xyz_hook_auto[] = "direct,table,kprobe,ftrace,tracepoint,none";

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
	case XYZ_HOOK_TRACEPOINT:
		return xyz_tracepoint_attach(abi, nr);
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
	case XYZ_HOOK_TRACEPOINT:
		xyz_tracepoint_detach(abi);
		break;
	default:
		break;
	}
}

#define XYZ_HOOK_REQUEST_LEN	48
static char xyz_hook_request[XYZ_HOOK_REQUEST_LEN] = "auto";
static const struct xyz_backend *xyz_hook_active;

/* The mechanism named by the first @len bytes of @name, or NULL. */
static const struct xyz_backend *xyz_backend_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(xyz_backends); i++)
		if (len == strlen(xyz_backends[i].name) &&
		    !strncmp(name, xyz_backends[i].name, len))
			return &xyz_backends[i];
	return NULL;
}

/* "auto", or a list of mechanisms: each one known. */
static bool xyz_hook_request_valid(const char *val, size_t len)
{
	size_t n;

	if (len == 4 && !strncmp(val, "auto", 4))
		return true;
	do {
		n = strcspn(val, ",");
		if (n > len)
			n = len;
		if (!xyz_backend_find(val, n))
			return false;
		val += n + 1;
		len -= min(len, n + 1);
	} while (len);
	return val[-1] != ',';
}

static int xyz_hook_param_set(const char *val, const struct kernel_param *kp)
{
	size_t len = strcspn(val, "\n");

	if (len >= XYZ_HOOK_REQUEST_LEN || !xyz_hook_request_valid(val, len)) {
		pr_err("hook=%.*s: expected auto, or one or more of direct, table, kprobe, ftrace, tracepoint and none, comma-separated\n",
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
MODULE_PARM_DESC(hook, "auto, or direct|table|kprobe|ftrace|tracepoint|none, or a comma-separated list of them tried in order (default auto: direct,table,kprobe,ftrace,tracepoint,none); reads the mechanism in effect");

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
		err = xyz_attach(id, XYZ_ABI_NATIVE, xyz_nr);
	if (!err && xyz_compat_nr >= 0) {
		err = xyz_attach(id, XYZ_ABI_COMPAT, xyz_compat_nr);
		if (err && xyz_nr >= 0) {
			xyz_detach(id, XYZ_ABI_NATIVE);
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
		xyz_detach(id, XYZ_ABI_COMPAT);
	if (xyz_nr >= 0)
		xyz_detach(id, XYZ_ABI_NATIVE);
	xyz_wait_for_callers();
}

/*
 * Try the mechanisms of the request in order: the first that routes both
 * numbers wins. Each one that cannot says why in dmesg (its attach does).
 */
static int xyz_hook_select(void)
{
	const char *list = xyz_hook_request;
	const struct xyz_backend *backend;
	int err;
	size_t n;

	if (!strcmp(list, "auto"))
		list = xyz_hook_auto;
	/* nothing to route: no hook, and no number to check */
	if (xyz_backend_find(list, strcspn(list, ","))->id == XYZ_HOOK_NONE ||
	    (xyz_nr < 0 && xyz_compat_nr < 0))
		return 0;
	err = xyz_check_numbers(xyz_nr, xyz_compat_nr);
	if (err)
		return err;
	for (; *list; list += n + !!list[n]) {
		n = strcspn(list, ",");
		backend = xyz_backend_find(list, n);
		if (backend->id == XYZ_HOOK_NONE) {
			pr_warn("hook=%s: no mechanism routes system calls on this kernel (see above): loaded without a hook; the ioctl, mmap and io_uring doors work\n",
				xyz_hook_request);
			return 0;
		}
		err = xyz_hook_install(backend->id);
		if (!err) {
			xyz_hook_active = backend;
			return 0;
		}
		if (list[n])
			pr_info("hook=%s unavailable (%d), trying the next\n",
				backend->name, err);
	}
	return err;
}

static int __init xyz_init(void)
{
	int err;

	/* The call counters live in the shared page: before any door opens. */
	err = xyz_page_alloc();
	if (err)
		return err;
	err = xyz_hook_select();
	if (err) {
		xyz_page_free();
		return err;
	}
	if (!xyz_hook_active) {
		xyz_nr = -1;
		xyz_compat_nr = -1;
	}
	/* Nobody can map the page before the device exists, just below. */
	xyz_page_publish();

	err = xyz_dev_register();
	if (err) {
		if (xyz_hook_active)
			xyz_hook_remove(xyz_hook_active->id);
		xyz_page_free();
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
	xyz_page_free();
}

module_init(xyz_init);
module_exit(xyz_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("One service routine behind every door into the kernel");
MODULE_AUTHOR("The xyz developers");
MODULE_VERSION(XYZ_VERSION);
