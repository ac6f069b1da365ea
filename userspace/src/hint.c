// SPDX-License-Identifier: (LGPL-2.1-or-later OR MIT)
/* What a user can do about a failed call: the module's state explains it. */
#include "internal.h"

#define RELOAD \
	"reload it with `sudo rmmod xyz && sudo insmod xyz.ko hook=auto`"

static const char *not_hooked(bool compat, int hook)
{
	if (hook == XYZ_HOOK_NONE)
		return compat ?
		"the int $0x80 door is not hooked (hook=none): " RELOAD :
		"the syscall door is not hooked (hook=none): " RELOAD;
	return compat ?
	"module xyz hooked no ia32 number (compat_nr=-1): see dmesg, " RELOAD :
	"module xyz hooked no 64-bit number (nr=-1): see dmesg, " RELOAD;
}

static const char *enosys(enum xyz_via via, const struct xyz_module *mod)
{
	bool compat = via == XYZ_VIA_INT80;

#ifdef __i386__
	compat = true;
#endif
	if ((compat ? mod->compat_nr : mod->nr) < 0)
		return not_hooked(compat, mod->hook);
	return "the kernel answered ENOSYS for the hooked number, so the hook "
	       "did not fire: see dmesg";
}

const char *xyz_hint(enum xyz_via via, int err)
{
	struct xyz_module mod;

	if ((unsigned int)via >= XYZ_VIA_COUNT)
		return NULL;
	xyz_module_state(&mod);
	if (!mod.loaded && (err == ENOSYS || err == ENODEV))
		return "module xyz is not loaded: run `sudo insmod xyz.ko` "
		       "or `sudo modprobe xyz`";

	if (via == XYZ_VIA_MMAP && err == EOPNOTSUPP)
		return "the shared page answers INFO only: NOP, ECHO and RESET "
		       "need a door into the kernel";
	if (via == XYZ_VIA_MMAP && err == EACCES)
		return "/dev/xyz is not readable for you: the module creates "
		       "it with mode 0666, check udev rules";

	switch (err) {
	case ENOSYS:
		if (via == XYZ_VIA_IOCTL || via == XYZ_VIA_MMAP)
			return NULL;
		return enosys(via, &mod);
	case ENODEV:
		return "module xyz is loaded but /dev/xyz is missing: is "
		       "devtmpfs mounted? (the device number is in "
		       "/sys/class/misc/xyz/dev)";
	case EACCES:
		return "/dev/xyz is not readable and writable for you: the "
		       "module creates it with mode 0666, check udev rules";
	case ENOTTY:
		return "/dev/xyz does not answer XYZ_IOC_CALL: is it the xyz "
		       "device?";
	case EPERM:
		return "RESET needs CAP_SYS_ADMIN: run it as root";
	case EINVAL:
		return "the kernel refused the arguments: size under 48, "
		       "unknown op or non-zero flags";
	case E2BIG:
		return "the kernel refused the size: args.size over the page "
		       "size or with a non-zero tail, or ECHO in_len over 1 MiB";
	case EFAULT:
		return "a pointer (args, in or out) is not valid memory";
	}
	return NULL;
}
