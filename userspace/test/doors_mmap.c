// SPDX-License-Identifier: MIT
/* The cases of the vDSO door (XYZ_VIA_MMAP): INFO from the page, and no more. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "doors.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static int info_of(struct ctx *c, enum xyz_via via, struct xyz_info *i)
{
	int ret = xyz_info(via, i);

	if (ret == (int)sizeof(*i))
		return PASS;
	return verdict(c, FAIL, "info via %s returned %d (%s)",
		       xyz_via_name(via), ret, ret < 0 ? strerror(errno) : "");
}

static int t_info(struct ctx *c)
{
	struct xyz_info i;

	if (info_of(c, XYZ_VIA_MMAP, &i))
		return FAIL;
	if (i.door != XYZ_DOOR_MMAP || i.abi_version != XYZ_ABI_VERSION)
		return verdict(c, FAIL, "door %u abi_version %u", i.door,
			       i.abi_version);
	/* size is the page's: its header and every counter */
	if (i.size < 64 + 64)
		return verdict(c, FAIL, "size %u", i.size);
	if ((int)i.hook != c->mod.hook || i.nr != c->mod.nr ||
	    i.compat_nr != c->mod.compat_nr)
		return verdict(c, FAIL, "hook %u nr %d compat_nr %d, sysfs "
			       "says %d %d %d", i.hook, i.nr, i.compat_nr,
			       c->mod.hook, c->mod.nr, c->mod.compat_nr);
	if (i.uid != (__u32)-1 || i.pid != (__u32)-1 || i.tgid != (__u32)-1)
		return verdict(c, FAIL, "uid %u pid %u tgid %u, want all -1",
			       i.uid, i.pid, i.tgid);
	if (i.cpu >= (__u32)sysconf(_SC_NPROCESSORS_CONF))
		return verdict(c, FAIL, "cpu %u", i.cpu);
	return PASS;
}

/* Reading the page counts nothing; a call through the kernel counts one. */
static int t_calls(struct ctx *c)
{
	struct xyz_info a, b, k;

	if (info_of(c, XYZ_VIA_MMAP, &a) || info_of(c, XYZ_VIA_MMAP, &b))
		return FAIL;
	if (a.calls != b.calls)
		return verdict(c, FAIL, "reading the page counted: %llu, %llu",
			       (unsigned long long)a.calls,
			       (unsigned long long)b.calls);
	if (info_of(c, XYZ_VIA_IOCTL, &k) || info_of(c, XYZ_VIA_MMAP, &b))
		return FAIL;
	if (k.calls != a.calls + 1 || b.calls != k.calls)
		return verdict(c, FAIL, "page %llu, INFO via ioctl %llu, page "
			       "%llu", (unsigned long long)a.calls,
			       (unsigned long long)k.calls,
			       (unsigned long long)b.calls);
	return PASS;
}

static int t_same_as_ioctl(struct ctx *c)
{
	struct xyz_info m, k;

	if (info_of(c, XYZ_VIA_IOCTL, &k) || info_of(c, XYZ_VIA_MMAP, &m))
		return FAIL;
	if (m.abi_version != k.abi_version || m.hook != k.hook ||
	    m.nr != k.nr || m.compat_nr != k.compat_nr)
		return verdict(c, FAIL, "page: abi %u hook %u nr %d compat %d; "
			       "ioctl: %u %u %d %d", m.abi_version, m.hook,
			       m.nr, m.compat_nr, k.abi_version, k.hook, k.nr,
			       k.compat_nr);
	return PASS;
}

static int t_eopnotsupp(struct ctx *c)
{
	char buf[8] = "abc";
	int ret;

	if ((ret = xyz_nop(XYZ_VIA_MMAP)) != -1 || errno != EOPNOTSUPP)
		return verdict(c, FAIL, "nop returned %d (%s)", ret,
			       strerror(errno));
	if ((ret = xyz_echo(XYZ_VIA_MMAP, buf, 3, buf + 4, 3)) != -1 ||
	    errno != EOPNOTSUPP)
		return verdict(c, FAIL, "echo returned %d (%s)", ret,
			       strerror(errno));
	if ((ret = xyz_reset(XYZ_VIA_MMAP)) != -1 || errno != EOPNOTSUPP)
		return verdict(c, FAIL, "reset returned %d (%s)", ret,
			       strerror(errno));
	return PASS;
}

static int t_info_trunc(struct ctx *c)
{
	unsigned char out[sizeof(struct xyz_info)];
	struct xyz_args a;
	size_t i;
	int ret;

	memset(out, 0xee, sizeof(out));
	xyz_args_init(&a, XYZ_OP_INFO);
	a.out = (uintptr_t)out;
	a.out_len = 8;
	ret = xyz_call(XYZ_VIA_MMAP, &a);
	if (ret != 8)
		return verdict(c, FAIL, "out_len 8: %d (%s)", ret,
			       strerror(errno));
	for (i = 8; i < sizeof(out); i++)
		if (out[i] != 0xee)
			return verdict(c, FAIL, "info wrote past out_len");
	return PASS;
}

static int t_einval(struct ctx *c)
{
	struct xyz_args a;

	xyz_args_init(&a, XYZ_OP_INFO);
	a.flags = 1;
	if (xyz_call(XYZ_VIA_MMAP, &a) != -1 || errno != EINVAL)
		return verdict(c, FAIL, "flags 1: not EINVAL");
	xyz_args_init(&a, 9);
	if (xyz_call(XYZ_VIA_MMAP, &a) != -1 || errno != EINVAL)
		return verdict(c, FAIL, "op 9: not EINVAL");
	xyz_args_init(&a, XYZ_OP_INFO);
	a.size = 40;
	if (xyz_call(XYZ_VIA_MMAP, &a) != -1 || errno != EINVAL)
		return verdict(c, FAIL, "size 40: not EINVAL");
	if (xyz_call(XYZ_VIA_MMAP, NULL) != -1 || errno != EFAULT)
		return verdict(c, FAIL, "NULL args: not EFAULT");
	return PASS;
}

static void *reader(void *arg)
{
	struct xyz_info i;
	long *bad = arg;
	int n;

	for (n = 0; n < 1000; n++)
		if (xyz_info(XYZ_VIA_MMAP, &i) != (int)sizeof(i) ||
		    i.door != XYZ_DOOR_MMAP)
			(*bad)++;
	return NULL;
}

/* Threads race to map the page lazily; xyz_close() unmaps, the next maps. */
static int t_threads(struct ctx *c)
{
	long bad[4] = { 0 };
	pthread_t t[4];
	unsigned int i, n;

	xyz_close();
	for (n = 0; n < 4; n++)
		if (pthread_create(&t[n], NULL, reader, &bad[n]))
			break;
	for (i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		if (bad[i])
			return verdict(c, FAIL, "thread %u: %ld bad reads", i,
				       bad[i]);
	}
	if (n != 4)
		return verdict(c, FAIL, "started %u threads of 4", n);
	return PASS;
}

const struct door_case mmap_cases[] = {
	{ "info from the page: door mmap, sysfs numbers, no ids", t_info },
	{ "info matches INFO via ioctl", t_same_as_ioctl },
	{ "reading counts no call, a kernel call counts one", t_calls },
	{ "info truncated to out_len", t_info_trunc },
	{ "EOPNOTSUPP for nop, echo, reset", t_eopnotsupp },
	{ "EINVAL for flags, unknown op, size < 48; EFAULT for NULL", t_einval },
	{ "4 threads map and read at once", t_threads },
};

const unsigned int n_mmap_cases = ARRAY_SIZE(mmap_cases);
