// SPDX-License-Identifier: (LGPL-2.1-or-later OR MIT)
/* What a user can do about a failed call: the module's state explains it. */
#include <fcntl.h>
#include <limits.h>
#include <linux/io_uring.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef XYZ_HAVE_LIBURING
#include <liburing.h>
#endif

#include "arch.h"
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
	bool compat = via == XYZ_VIA_INT80 || !XYZ_ARCH_HAS_SYSCALL;

	if ((compat ? mod->compat_nr : mod->nr) < 0)
		return not_hooked(compat, mod->hook);
	return "the kernel answered ENOSYS for the hooked number, so the hook "
	       "did not fire: see dmesg";
}

/* kernel.io_uring_disabled (6.6+): 0, 1 (io_uring_group only), 2; -1 absent */
static int io_uring_disabled(void)
{
	char path[PATH_MAX], buf[8] = "";
	ssize_t n = -1;
	int fd;

	if (xyz__path(path, sizeof(path), "proc/sys/kernel/io_uring_disabled"))
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atoi(buf) : -1;
}

/* Does io_uring_setup() refuse this process (seccomp, an LSM, the sysctl)? */
static bool io_uring_setup_refused(void)
{
	struct io_uring_params p;
	int fd;

	memset(&p, 0, sizeof(p));
	fd = (int)syscall(__NR_io_uring_setup, 1, &p);
	if (fd >= 0) {
		close(fd);
		return false;
	}
	return errno == EPERM || errno == EACCES;
}

/*
 * Does this kernel's io_uring know IORING_OP_URING_CMD (5.19 and later)?
 * Before it, the door's request comes back EINVAL like a bad argument.
 */
static bool uring_cmd_known(void)
{
#ifdef XYZ_HAVE_LIBURING
	int saved = errno;
	struct io_uring_probe *p = io_uring_get_probe();
	bool known = !p || io_uring_opcode_supported(p, IORING_OP_URING_CMD);

	if (p)
		io_uring_free_probe(p);
	errno = saved;
	return known;
#else
	return true;
#endif
}

static const char *uring_hint(int err)
{
	int saved = errno;
	bool refused;

	switch (err) {
	case EPERM:
		switch (io_uring_disabled()) {
		case 2:
			return "io_uring is disabled (sysctl "
			       "kernel.io_uring_disabled=2): `sudo sysctl "
			       "kernel.io_uring_disabled=0`, or use another door";
		case 1:
			return "io_uring is limited to root and "
			       "kernel.io_uring_group (sysctl "
			       "kernel.io_uring_disabled=1): join that group, "
			       "or use another door";
		}
		refused = io_uring_setup_refused();
		errno = saved;
		if (refused)
			return "io_uring_setup() is refused: a seccomp filter "
			       "(containers) or an LSM blocks io_uring; use "
			       "another door";
		return "RESET needs CAP_SYS_ADMIN: run it as root";
	case ENOSYS:
		return "io_uring_setup() is not there: a kernel without "
		       "CONFIG_IO_URING, or a seccomp filter (containers) "
		       "blocks it; use another door";
	case EOPNOTSUPP:
#ifdef XYZ_HAVE_LIBURING
		return "/dev/xyz does not take io_uring commands: the module "
		       "loaded predates the uring door";
#else
		return "this libxyz was built without liburing (as its i386 "
		       "build is on Debian): use another door";
#endif
	case ENOTTY:
		return "/dev/xyz does not know XYZ_URING_CMD_CALL: the module "
		       "loaded predates the uring door";
	case ENOMEM:
		return "io_uring could not lock its ring's memory: raise "
		       "RLIMIT_MEMLOCK (ulimit -l) on kernels before 5.12";
	case EINVAL:
		if (!uring_cmd_known())
			return "this kernel's io_uring has no "
			       "IORING_OP_URING_CMD (5.19 and later): use "
			       "another door";
		break;
	}
	return NULL;
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

	if (via == XYZ_VIA_URING && uring_hint(err))
		return uring_hint(err);
#if !XYZ_ARCH_HAS_INT80
	if (via == XYZ_VIA_INT80 && err == EOPNOTSUPP)
		return XYZ_ARCH_NO_INT80 ": use the syscall door";
#endif
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
