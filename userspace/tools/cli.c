// SPDX-License-Identifier: MIT
/* What the xyz commands share: usage, errors, parsing, the version. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

void cli_usage(FILE *f)
{
	fputs("usage: xyz info [--door DOOR]\n"
	      "       xyz call [--door DOOR] nop|echo TEXT|info|reset\n"
	      "       xyz bench [--door DOOR|none]... [--op nop|echo] [--size N]\n"
	      "                 [--iterations N | --batch-us N] [--rounds N]\n"
	      "                 [--batches N] [--threads N] [--raw] [--cpu N] [--json]\n"
	      "       xyz --help | --version\n"
	      "\n"
	      "DOOR is syscall, asm, int80, ioctl, mmap (the shared page: INFO\n"
	      "only, no kernel entry) or uring. Without --door, info asks every\n"
	      "door, call uses the first door that is hooked and bench times them\n"
	      "all, uring in batches of 1, 8, 32 and 128 next to io_uring's OP_NOP\n"
	      "(--door none: the native baselines only).\n"
	      "Exit status: 0 ok, 1 runtime failure, 2 usage error.\n", f);
}

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("xyz: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'xyz --help'.\n", stderr);
	return EXIT_USAGE;
}

int cli_parse_door(const char *name, enum xyz_via *via)
{
	int v = xyz_via_from_name(name);

	if (v < 0)
		return cli_usage_error("unknown door '%s' "
				       "(syscall, asm, int80, ioctl, mmap, uring)",
				       name);
	*via = (enum xyz_via)v;
	return 0;
}

int cli_parse_ulong(const char *opt, const char *s, unsigned long max,
		    unsigned long *val)
{
	char *end;

	errno = 0;
	*val = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || *val > max)
		return cli_usage_error("%s wants a number up to %lu, not '%s'",
				       opt, max, s);
	return 0;
}

/* "xyz: WHAT: strerror" and, when the library has one, what to do. */
void cli_fail(enum xyz_via via, int err, const char *fmt, ...)
{
	const char *hint = xyz_hint(via, err);
	va_list ap;

	fputs("xyz: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	if (hint)
		fprintf(stderr, "xyz: hint: %s\n", hint);
}

/* The door INFO should report for a call through @via from this program. */
__u32 cli_expected_door(enum xyz_via via)
{
	if (via == XYZ_VIA_IOCTL)
		return XYZ_DOOR_IOCTL;
	if (via == XYZ_VIA_MMAP)
		return XYZ_DOOR_MMAP;
	if (via == XYZ_VIA_URING)
		return XYZ_DOOR_URING;
#if XYZ_ARCH_HAS_SYSCALL
	if (via != XYZ_VIA_INT80)
		return XYZ_DOOR_SYSCALL;
#endif
	return XYZ_DOOR_COMPAT;
}

/*
 * The tool's version and the loaded module's (from sysfs, under $XYZ_ROOT
 * like libxyz's discovery): a module from another checkout or DKMS shows.
 */
int cli_print_version(void)
{
	const char *root = secure_getenv("XYZ_ROOT");
	char path[PATH_MAX], ver[64] = "";
	FILE *f;

	printf("xyz %s (" CLI_ARCH ", ABI %d)\n", LIBXYZ_VERSION,
	       XYZ_ABI_VERSION);
	snprintf(path, sizeof(path), "%s/sys/module/xyz", root ? root : "");
	if (access(path, F_OK)) {
		printf("module xyz: not loaded\n");
		return 0;
	}
	strncat(path, "/version", sizeof(path) - strlen(path) - 1);
	f = fopen(path, "re");
	if (f) {
		if (!fgets(ver, sizeof(ver), f))
			ver[0] = '\0';
		ver[strcspn(ver, "\n")] = '\0';
		fclose(f);
	}
	printf("module xyz: %s\n", ver[0] ? ver : "loaded, no version");
	return 0;
}
