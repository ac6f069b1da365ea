// SPDX-License-Identifier: MIT
/*
 * Discovery against a fake sysfs. The fake numbers are never called: with
 * them hooked, only xyz_door_available() and xyz_door_usable() are used,
 * which do not trap.
 */
#include <pthread.h>
#include <stdlib.h>
#include <xyz.h>

#include "fakesys.h"
#include "harness.h"

static struct xyz_module state(void)
{
	struct xyz_module m;

	memset(&m, 0x5a, sizeof(m));
	CHECK_INT(xyz_module_state(&m), 0);
	return m;
}

/* The predicate reads 0 with @err in errno. */
#define CHECK_UNUSABLE(via, err) do {					\
	errno = 0;							\
	CHECK_INT(xyz_door_usable(via), 0);				\
	CHECK_INT(errno, (err));					\
} while (0)

/* 1, and errno untouched. */
#define CHECK_USABLE(via) do {						\
	errno = EXDEV;							\
	CHECK_INT(xyz_door_usable(via), 1);				\
	CHECK_INT(errno, EXDEV);					\
} while (0)

static void absent(struct fakesys *f)
{
	struct xyz_module m;
	int via;

	fake_unload(f);
	m = state();
	CHECK(!m.loaded);
	CHECK_INT(m.nr, -1);
	CHECK_INT(m.compat_nr, -1);
	CHECK_INT(m.hook, -1);
	for (via = 0; via < XYZ_VIA_IOCTL; via++) {
		CHECK_ERR(xyz_door_available(via), ENOSYS);
		CHECK_UNUSABLE(via, ENOSYS);
		CHECK_ERR(xyz_nop(via), ENOSYS);
	}
	CHECK_ERR(xyz_door_available(XYZ_VIA_IOCTL), ENODEV);
	CHECK_UNUSABLE(XYZ_VIA_IOCTL, ENODEV);
	CHECK_ERR(xyz_nop(XYZ_VIA_IOCTL), ENODEV);
}

static void hooked(struct fakesys *f)
{
	struct xyz_module m;

	fake_module(f, "400\n", "223\n", "ftrace\n");
	m = state();
	CHECK(m.loaded);
	CHECK_INT(m.nr, 400);
	CHECK_INT(m.compat_nr, 223);
	CHECK_INT(m.hook, XYZ_HOOK_FTRACE);
	CHECK_INT(xyz_door_available(XYZ_VIA_SYSCALL), 0);
	CHECK_INT(xyz_door_available(XYZ_VIA_ASM), 0);
	CHECK_INT(xyz_door_available(XYZ_VIA_INT80), 0);
	CHECK_USABLE(XYZ_VIA_SYSCALL);
	CHECK_USABLE(XYZ_VIA_ASM);
	CHECK_USABLE(XYZ_VIA_INT80);
	/* Loaded, but no /dev/xyz under this root. */
	CHECK_ERR(xyz_door_available(XYZ_VIA_IOCTL), ENODEV);
	CHECK_UNUSABLE(XYZ_VIA_IOCTL, ENODEV);
}

static void not_hooked(struct fakesys *f)
{
	struct xyz_module m;

	fake_module(f, "-1\n", "-1\n", "none\n");
	m = state();
	CHECK(m.loaded);
	CHECK_INT(m.nr, -1);
	CHECK_INT(m.compat_nr, -1);
	CHECK_INT(m.hook, XYZ_HOOK_NONE);
	CHECK_ERR(xyz_nop(XYZ_VIA_SYSCALL), ENOSYS);
	CHECK_ERR(xyz_nop(XYZ_VIA_ASM), ENOSYS);
	CHECK_ERR(xyz_nop(XYZ_VIA_INT80), ENOSYS);

	/* Only the 64-bit number: i386 programs have no syscall door. */
	fake_module(f, "400\n", "-1\n", "kprobe\n");
#ifdef __x86_64__
	CHECK_INT(xyz_door_available(XYZ_VIA_SYSCALL), 0);
	CHECK_INT(xyz_door_available(XYZ_VIA_ASM), 0);
#else
	CHECK_ERR(xyz_door_available(XYZ_VIA_SYSCALL), ENOSYS);
	CHECK_ERR(xyz_nop(XYZ_VIA_ASM), ENOSYS);
#endif
	CHECK_ERR(xyz_door_available(XYZ_VIA_INT80), ENOSYS);
	CHECK_ERR(xyz_int80(&(struct xyz_args){ .size = 48 }), ENOSYS);
}

static void hooks(struct fakesys *f)
{
	static const char *const names[] = {
		"none", "table", "ftrace", "kprobe", "direct",
	};
	int hook;

	for (hook = 0; hook <= XYZ_HOOK_DIRECT; hook++) {
		fake_module(f, "400", "223", names[hook]);
		CHECK_INT(state().hook, hook);
	}
	fake_module(f, "400", "223", "auto\n");
	CHECK_INT(state().hook, -1);
	fake_module(f, "400", "223", NULL);
	CHECK_INT(state().hook, -1);
	CHECK(state().loaded);
}

static void bad_numbers(struct fakesys *f)
{
	static const char *const bad[] = {
		"", "\n", "abc", "12abc", "99999999999", "-2", "4 00",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fake_module(f, bad[i], bad[i], "ftrace");
		CHECK_INT(state().nr, -1);
		CHECK_INT(state().compat_nr, -1);
	}
	fake_module(f, NULL, NULL, "ftrace");
	CHECK(state().loaded);
	CHECK_INT(state().nr, -1);
	CHECK_ERR(xyz_nop(XYZ_VIA_SYSCALL), ENOSYS);
}

static void cache(struct fakesys *f)
{
	fake_module(f, "400", "223", "ftrace");
	CHECK_INT(state().nr, 400);
	fake_param(f, "nr", "401\n");
	CHECK_INT(state().nr, 400);		/* cached */
	xyz_refresh();
	CHECK_INT(state().nr, 401);
	fake_unload(f);				/* refreshes */
	CHECK(!state().loaded);
}

static void roots(struct fakesys *f)
{
	char *long_root = malloc(5000);

	fake_module(f, "400", "223", "ftrace");
	/* XYZ_ROOT is read when no root is set. */
	setenv("XYZ_ROOT", f->root, 1);
	xyz_set_root(NULL);
	CHECK_INT(state().nr, 400);
	setenv("XYZ_ROOT", "/nonexistent-xyz-root", 1);
	xyz_refresh();
	CHECK(!state().loaded);
	/* A root set by call wins over the environment. */
	xyz_set_root(f->root);
	CHECK(state().loaded);
	unsetenv("XYZ_ROOT");

	/* A path too long for PATH_MAX reads as "not loaded". */
	if (long_root) {
		memset(long_root, 'a', 4999);
		long_root[4999] = '\0';
		long_root[0] = '/';
		CHECK_INT(xyz_set_root(long_root), 0);
		CHECK(!state().loaded);
		CHECK_ERR(xyz_nop(XYZ_VIA_IOCTL), ENAMETOOLONG);
		free(long_root);
	}
	xyz_set_root(f->root);
	CHECK(state().loaded);
}

static void device(struct fakesys *f)
{
	fake_module(f, "400", "223", "ftrace");
	fake_dev(f);
	/* A regular file opens but knows no XYZ_IOC_CALL. */
	CHECK_INT(xyz_door_available(XYZ_VIA_IOCTL), 0);
	CHECK_USABLE(XYZ_VIA_IOCTL);
	CHECK_ERR(xyz_nop(XYZ_VIA_IOCTL), ENOTTY);
	fake_unload(f);
	CHECK_ERR(xyz_nop(XYZ_VIA_IOCTL), ENODEV);
}

/* Readers never see a torn or stale-mixed state while another refreshes. */
static void *reader(void *arg)
{
	struct xyz_module m;
	long bad = 0;
	int i;

	(void)arg;
	for (i = 0; i < 20000; i++) {
		xyz_module_state(&m);
		bad += !m.loaded || m.nr != 400 || m.compat_nr != 223;
		bad += xyz_door_available(XYZ_VIA_INT80) != 0;
		bad += xyz_door_usable(XYZ_VIA_INT80) != 1;
	}
	return (void *)bad;
}

static void threads(struct fakesys *f)
{
	pthread_t t[4];
	void *bad;
	long total = 0;
	int i;

	fake_module(f, "400", "223", "ftrace");
	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, reader, NULL);
	for (i = 0; i < 2000; i++)
		xyz_refresh();
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], &bad);
		total += (long)bad;
	}
	CHECK_INT(total, 0);
}

void test_sysfs(void)
{
	struct fakesys f;

	printf("# sysfs\n");
	if (fake_init(&f)) {
		CHECK(!"fake sysfs");
		return;
	}
	absent(&f);
	hooked(&f);
	not_hooked(&f);
	hooks(&f);
	bad_numbers(&f);
	cache(&f);
	roots(&f);
	device(&f);
	threads(&f);
	fake_cleanup(&f);
}
