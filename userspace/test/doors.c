// SPDX-License-Identifier: MIT
/*
 * libxyz_doors: with the module loaded, call every door through libxyz and
 * check what comes back. Prints TAP version 13; exit 0 when nothing failed.
 * A door the module did not hook (nr or compat_nr -1) is skipped with the
 * reason; a loaded module without /dev/xyz is a failure.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "arch.h"
#include "doors.h"

int verdict(struct ctx *c, int res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
	return res;
}

static unsigned int n_test, n_fail;

static void report(int res, const char *why, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void report(int res, const char *why, const char *fmt, ...)
{
	va_list ap;

	printf("%s %u - ", res == FAIL ? "not ok" : "ok", ++n_test);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (res == SKIP)
		printf(" # SKIP %s", why);
	putchar('\n');
	if (res == FAIL) {
		n_fail++;
		if (why && *why)
			printf("# %s\n", why);
	}
	fflush(stdout);
}

/* Why every case of a door is skipped, or NULL to run them. */
static const char *door_skip(const struct ctx *c, char *buf, size_t size)
{
	const char *hint;

	if (!c->mod.loaded)
		return "module xyz is not loaded";
#if !XYZ_ARCH_HAS_INT80
	if (c->via == XYZ_VIA_INT80)
		return XYZ_ARCH_NO_INT80;
#endif
	if (c->via == XYZ_VIA_URING) {
		if (xyz_door_usable(c->via))
			return NULL;
		hint = xyz_hint(c->via, errno);
		snprintf(buf, size, "door not available (%s)%s%s",
			 strerror(errno), hint ? ": " : "", hint ? hint : "");
		return buf;
	}
	if (c->via == XYZ_VIA_IOCTL || xyz_door_usable(c->via) ||
	    errno != ENOSYS)
		return NULL;
	hint = xyz_hint(c->via, ENOSYS);
	snprintf(buf, size, "door not hooked (nr=%d compat_nr=%d): %s",
		 c->mod.nr, c->mod.compat_nr, hint ? hint : "");
	return buf;
}

int main(void)
{
	struct ctx c = { .via = XYZ_VIA_SYSCALL };
	const char *skip, *hook;
	char skip_buf[256];
	unsigned int i, n_cases = 0;
	int via;

	xyz_module_state(&c.mod);
	hook = xyz_hook_name(c.mod.hook);

	printf("TAP version 13\n");
	/* values of enum xyz_via without a name are not doors of this build */
	for (via = 0; via < XYZ_VIA_COUNT; via++)
		if (xyz_via_name(via))
			n_cases += via == XYZ_VIA_MMAP ? n_mmap_cases :
							 n_door_cases;
	printf("1..%u\n", 3 + n_cases);
	printf("# libxyz_doors (%s): hook=%s nr=%d compat_nr=%d\n",
	       sizeof(long) == 8 ? "64-bit" : "32-bit", hook ? hook : "?",
	       c.mod.nr, c.mod.compat_nr);

	report(c.mod.loaded ? PASS : FAIL, xyz_hint(XYZ_VIA_SYSCALL, ENOSYS),
	       "module xyz is loaded");
	report(!c.mod.loaded ? SKIP : hook ? PASS : FAIL,
	       "module xyz is not loaded",
	       "sysfs hook reads a known mechanism");

	for (via = 0; via < XYZ_VIA_COUNT; via++) {
		const struct door_case *cases = door_cases;
		unsigned int n = n_door_cases;

		if (!xyz_via_name(via))
			continue;
		if (via == XYZ_VIA_MMAP) {
			cases = mmap_cases;
			n = n_mmap_cases;
		}
		c.via = via;
		skip = door_skip(&c, skip_buf, sizeof(skip_buf));
		for (i = 0; i < n; i++) {
			int res = SKIP;

			c.why[0] = '\0';
			if (!skip)
				res = cases[i].run(&c);
			report(res, skip ? skip : c.why, "%s: %s",
			       xyz_via_name(via), cases[i].desc);
		}
	}
	c.via = XYZ_VIA_URING;
	c.why[0] = '\0';
	skip = door_skip(&c, skip_buf, sizeof(skip_buf));
	report(skip ? SKIP : door_batch_case(&c), skip ? skip : c.why,
	       "uring: a batch of 64 good and bad calls, one result each");
	printf("# %u tests, %u failed\n", n_test, n_fail);
	return n_fail ? 1 : 0;
}
