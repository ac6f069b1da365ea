// SPDX-License-Identifier: MIT
/* The cases run through each door, in the order of abi.md. */
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arch.h"
#include "doors.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define BOGUS		((uintptr_t)16)	/* below 4 GiB, never mapped */

static int want_ret(struct ctx *c, const char *what, int ret, int want)
{
	if (ret == want)
		return PASS;
	return verdict(c, FAIL, "%s returned %d (%s), want %d", what, ret,
		       ret < 0 ? strerror(errno) : "no error", want);
}

static int want_err(struct ctx *c, const char *what, int ret, int err)
{
	if (ret == -1 && errno == err)
		return PASS;
	return verdict(c, FAIL, "%s returned %d (%s), want -1 (%s)", what,
		       ret, ret < 0 ? strerror(errno) : "no error",
		       strerror(err));
}

static void fill(unsigned char *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(seed + i * 7 + (i >> 8));
}

/* ECHO of @len bytes from @in to @out; the bytes must come back equal. */
static int echo_check(struct ctx *c, unsigned char *in, unsigned char *out,
		      size_t len, unsigned int seed)
{
	int ret;

	fill(in, len, seed);
	memset(out, 0, len);
	ret = xyz_echo(c->via, in, len, out, len);
	if (ret != (int)len)
		return want_ret(c, "echo", ret, (int)len);
	if (memcmp(in, out, len))
		return verdict(c, FAIL, "echo of %zu bytes came back different",
			       len);
	return PASS;
}

static int t_nop(struct ctx *c)
{
	return want_ret(c, "nop", xyz_nop(c->via), 0);
}

static int echo_len(struct ctx *c, size_t len)
{
	unsigned char *in = malloc(len), *out = malloc(len);
	int res = verdict(c, FAIL, "out of memory");

	if (in && out)
		res = echo_check(c, in, out, len, (unsigned int)len);
	free(in);
	free(out);
	return res;
}

static int t_echo(struct ctx *c)
{
	return echo_len(c, 4096);
}

static int t_echo_max(struct ctx *c)
{
	return echo_len(c, XYZ_ECHO_MAX);
}

static int t_echo_trunc(struct ctx *c)
{
	unsigned char in[100], out[32];
	size_t i;
	int ret;

	fill(in, sizeof(in), 3);
	memset(out, 0xee, sizeof(out));
	ret = xyz_echo(c->via, in, sizeof(in), out, 10);
	if (ret != 10)
		return want_ret(c, "echo out_len=10", ret, 10);
	for (i = 10; i < sizeof(out); i++)
		if (out[i] != 0xee)
			return verdict(c, FAIL, "echo wrote past out_len");
	memset(out, 0xee, sizeof(out));
	ret = xyz_echo(c->via, in, 5, out, sizeof(out));
	if (ret != 5 || memcmp(in, out, 5) || out[5] != 0xee)
		return verdict(c, FAIL, "echo in_len=5 into 32 bytes gave %d",
			       ret);
	return PASS;
}

/* Everything below 4 GiB: the int80 door of 64-bit programs bounces none. */
static int t_echo_low(struct ctx *c)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	struct xyz_args *args;
	unsigned char *buf;
	int res;

#ifdef MAP_32BIT
	flags |= MAP_32BIT;
#endif
	buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (buf == MAP_FAILED)
		return verdict(c, FAIL, "mmap: %s", strerror(errno));
	args = (struct xyz_args *)buf;
	xyz_args_init(args, XYZ_OP_ECHO);
	args->in = (uintptr_t)(buf + 1024);
	args->in_len = 1024;
	args->out = (uintptr_t)(buf + 2048);
	args->out_len = 1024;
	fill(buf + 1024, 1024, 9);
	res = want_ret(c, "echo", xyz_call(c->via, args), 1024);
	if (res == PASS && memcmp(buf + 1024, buf + 2048, 1024))
		res = verdict(c, FAIL, "echo came back different");
	munmap(buf, 4096);
	return res;
}

static __u32 expected_door(enum xyz_via via)
{
	if (via == XYZ_VIA_IOCTL)
		return XYZ_DOOR_IOCTL;
	if (via == XYZ_VIA_URING)
		return XYZ_DOOR_URING;
#if XYZ_ARCH_HAS_SYSCALL
	if (via != XYZ_VIA_INT80)
		return XYZ_DOOR_SYSCALL;
#endif
	return XYZ_DOOR_COMPAT;
}

static int t_info(struct ctx *c)
{
	struct xyz_info i;
	int ret = xyz_info(c->via, &i);

	if (ret != (int)sizeof(i))
		return want_ret(c, "info", ret, (int)sizeof(i));
	if (i.size < XYZ_INFO_SIZE_VER0 || i.abi_version != XYZ_ABI_VERSION)
		return verdict(c, FAIL, "size %u abi_version %u", i.size,
			       i.abi_version);
	if (i.door != expected_door(c->via))
		return verdict(c, FAIL, "door %u (%s), want %s", i.door,
			       xyz_door_name(i.door),
			       xyz_door_name(expected_door(c->via)));
	if ((int)i.hook != c->mod.hook || i.nr != c->mod.nr ||
	    i.compat_nr != c->mod.compat_nr)
		return verdict(c, FAIL, "hook %u nr %d compat_nr %d, sysfs "
			       "says %d %d %d", i.hook, i.nr, i.compat_nr,
			       c->mod.hook, c->mod.nr, c->mod.compat_nr);
	if (i.uid != getuid() || i.pid != (__u32)gettid() ||
	    i.tgid != (__u32)getpid())
		return verdict(c, FAIL, "uid %u pid %u tgid %u, want %u %d %d",
			       i.uid, i.pid, i.tgid, getuid(), gettid(),
			       getpid());
	if (i.cpu >= (__u32)sysconf(_SC_NPROCESSORS_CONF))
		return verdict(c, FAIL, "cpu %u", i.cpu);
	return PASS;
}

static int t_info_trunc(struct ctx *c)
{
	unsigned char out[sizeof(struct xyz_info)];
	struct xyz_args a;
	__u32 head[2];
	size_t i;
	int ret;

	memset(out, 0xee, sizeof(out));
	xyz_args_init(&a, XYZ_OP_INFO);
	a.out = (uintptr_t)out;
	a.out_len = 8;
	ret = xyz_call(c->via, &a);
	if (ret != 8)
		return want_ret(c, "info out_len=8", ret, 8);
	for (i = 8; i < sizeof(out); i++)
		if (out[i] != 0xee)
			return verdict(c, FAIL, "info wrote past out_len");
	memcpy(head, out, sizeof(head));
	if (head[0] < XYZ_INFO_SIZE_VER0 || head[1] != XYZ_ABI_VERSION)
		return verdict(c, FAIL, "size %u abi_version %u", head[0],
			       head[1]);
	return PASS;
}

static int t_calls(struct ctx *c)
{
	struct xyz_info a, b;

	if (xyz_info(c->via, &a) < 0 || xyz_nop(c->via) < 0 ||
	    xyz_info(c->via, &b) < 0)
		return verdict(c, FAIL, "info/nop: %s", strerror(errno));
	if (b.calls < a.calls + 2)
		return verdict(c, FAIL, "calls went from %llu to %llu over "
			       "nop and info", (unsigned long long)a.calls,
			       (unsigned long long)b.calls);
	return PASS;
}

static int t_einval(struct ctx *c)
{
	struct xyz_args a;
	int res;

	xyz_args_init(&a, XYZ_OP_NOP);
	a.flags = 1;
	res = want_err(c, "nop flags=1", xyz_call(c->via, &a), EINVAL);
	if (res != PASS)
		return res;
	xyz_args_init(&a, 99);
	res = want_err(c, "op 99", xyz_call(c->via, &a), EINVAL);
	if (res != PASS)
		return res;
	xyz_args_init(&a, XYZ_OP_NOP);
	a.size = XYZ_ARGS_SIZE_VER0 - 1;
	res = want_err(c, "size 47", xyz_call(c->via, &a), EINVAL);
	if (res != PASS)
		return res;
	a.size = 0;
	return want_err(c, "size 0", xyz_call(c->via, &a), EINVAL);
}

static int t_size_grown(struct ctx *c)
{
	struct {
		struct xyz_args	a;
		unsigned char	tail[16];
	} big;
	int res;

	memset(&big, 0, sizeof(big));
	xyz_args_init(&big.a, XYZ_OP_NOP);
	big.a.size = sizeof(big);
	res = want_ret(c, "nop size 64, zero tail", xyz_call(c->via, &big.a),
		       0);
	if (res != PASS)
		return res;
	big.tail[15] = 1;
	return want_err(c, "nop size 64, tail set", xyz_call(c->via, &big.a),
			E2BIG);
}

static int t_size_page(struct ctx *c)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct xyz_args *a = calloc(2, page);
	int res;

	if (!a)
		return verdict(c, FAIL, "out of memory");
	xyz_args_init(a, XYZ_OP_NOP);
	a->size = (__u32)page + 1;
	res = want_err(c, "nop size page+1", xyz_call(c->via, a), E2BIG);
	free(a);
	return res;
}

static int t_echo_2big(struct ctx *c)
{
	unsigned char in[16] = { 1 }, out[16];

	return want_err(c, "echo in_len 1 MiB + 1",
			xyz_echo(c->via, in, XYZ_ECHO_MAX + 1, out,
				 sizeof(out)), E2BIG);
}

static int t_efault(struct ctx *c)
{
	unsigned char buf[16] = { 1 };
	struct xyz_args a;
	int res;

	res = want_err(c, "echo to a bad out",
		       xyz_echo(c->via, buf, 16, (void *)BOGUS, 16), EFAULT);
	if (res != PASS)
		return res;
	res = want_err(c, "echo from a bad in",
		       xyz_echo(c->via, (void *)BOGUS, 16, buf, 16), EFAULT);
	if (res != PASS)
		return res;
	xyz_args_init(&a, XYZ_OP_INFO);
	a.out = BOGUS;
	a.out_len = sizeof(struct xyz_info);
	return want_err(c, "info to a bad out", xyz_call(c->via, &a), EFAULT);
}

static int t_efault_args(struct ctx *c)
{
#ifdef __x86_64__
	if (c->via == XYZ_VIA_INT80)
		return verdict(c, SKIP, "a 64-bit int80 call reads *args in "
			       "user space to bounce it (libxyz(3))");
#endif
	return want_err(c, "call with a bad args pointer",
			xyz_call(c->via, (struct xyz_args *)BOGUS), EFAULT);
}

static int t_reset(struct ctx *c)
{
	struct xyz_info a, b;

	if (geteuid())
		return verdict(c, SKIP, "RESET needs root");
	if (xyz_nop(c->via) < 0 || xyz_nop(c->via) < 0 ||
	    xyz_info(c->via, &a) < 0)
		return verdict(c, FAIL, "nop/info: %s", strerror(errno));
	if (xyz_reset(c->via))
		return want_ret(c, "reset", -1, 0);
	if (xyz_info(c->via, &b) < 0)
		return verdict(c, FAIL, "info: %s", strerror(errno));
	if (a.calls < 3 || b.calls >= a.calls)
		return verdict(c, FAIL, "calls %llu before reset, %llu after",
			       (unsigned long long)a.calls,
			       (unsigned long long)b.calls);
	return PASS;
}

/* RESET without CAP_SYS_ADMIN: in a child that gave up root, if need be. */
static int t_eperm(struct ctx *c)
{
	int status;
	pid_t pid;

	if (geteuid())
		return want_err(c, "reset as a user", xyz_reset(c->via), EPERM);
	pid = fork();
	if (pid < 0)
		return verdict(c, FAIL, "fork: %s", strerror(errno));
	if (!pid) {
		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(2);
		_exit(xyz_reset(c->via) == -1 && errno == EPERM ? 0 : 1);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return verdict(c, FAIL, "child did not exit");
	if (WEXITSTATUS(status) == 2)
		return verdict(c, FAIL, "child could not drop root");
	if (WEXITSTATUS(status))
		return verdict(c, FAIL, "reset as uid 65534 did not fail "
			       "with EPERM");
	return PASS;
}

#define N_THREADS	4
#define N_CALLS		300

struct worker {
	enum xyz_via	via;
	unsigned int	id;
	unsigned int	bad;
};

static void *work(void *arg)
{
	unsigned char in[1024], out[1024];
	struct worker *w = arg;
	unsigned int i;
	size_t len;

	for (i = 0; i < N_CALLS; i++) {
		len = 64 + (i * 37 + w->id * 101) % (sizeof(in) - 64);
		fill(in, len, w->id * 1000 + i);
		if (xyz_echo(w->via, in, len, out, len) != (int)len ||
		    memcmp(in, out, len))
			w->bad++;
	}
	return NULL;
}

/*
 * The uring door's batch: good and bad calls in one io_uring_enter(), each
 * result with its user_data; a full batch says ENOSPC.
 */
#define N_BATCH	64

int door_batch_case(struct ctx *c)
{
	static struct xyz_args a[N_BATCH];
	struct xyz_result res[N_BATCH];
	unsigned char in[N_BATCH], out[N_BATCH];
	unsigned int i, seen = 0;
	struct xyz_batch *b;
	int ret;

	b = xyz_batch_open(N_BATCH, 0);
	if (!b)
		return verdict(c, FAIL, "xyz_batch_open: %s", strerror(errno));
	for (i = 0; i < N_BATCH; i++) {
		xyz_args_init(&a[i], i % 3 == 0 ? XYZ_OP_NOP :
				     i % 3 == 1 ? XYZ_OP_ECHO : 99);
		in[i] = (unsigned char)(i + 1);
		out[i] = 0;
		a[i].in = (uintptr_t)&in[i];
		a[i].out = (uintptr_t)&out[i];
		a[i].in_len = a[i].out_len = a[i].op == XYZ_OP_ECHO;
		if (xyz_batch_add(b, &a[i], 1000 + i)) {
			xyz_batch_close(b);
			return verdict(c, FAIL, "add %u: %s", i, strerror(errno));
		}
	}
	if (xyz_batch_add(b, &a[0], 0) != -1 || errno != ENOSPC) {
		xyz_batch_close(b);
		return verdict(c, FAIL, "adding to a full batch did not say ENOSPC");
	}
	ret = xyz_batch_run(b, res);
	xyz_batch_close(b);
	if (ret != N_BATCH)
		return want_ret(c, "xyz_batch_run", ret, N_BATCH);
	for (i = 0; i < N_BATCH; i++) {
		unsigned int k = (unsigned int)(res[i].user_data - 1000);
		int want = k % 3 == 0 ? 0 : k % 3 == 1 ? 1 : -EINVAL;

		if (k >= N_BATCH || res[i].res != want)
			return verdict(c, FAIL, "result %u: user_data %llu res %d, want %d",
				       i, (unsigned long long)res[i].user_data,
				       res[i].res, want);
		if (k % 3 == 1 && out[k] != in[k])
			return verdict(c, FAIL, "echo %u came back different", k);
		seen++;
	}
	return PASS;
}

/* Racing threads: the lazy /dev/xyz open and the per-thread bounce. */
static int t_threads(struct ctx *c)
{
	struct worker w[N_THREADS];
	pthread_t t[N_THREADS];
	unsigned int i, n = 0, bad = 0;

	if (c->via == XYZ_VIA_IOCTL)
		xyz_close();	/* so the threads race to open it */
	for (i = 0; i < N_THREADS; i++) {
		w[i] = (struct worker){ .via = c->via, .id = i };
		if (pthread_create(&t[i], NULL, work, &w[i]))
			break;
	}
	n = i;
	for (i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		bad += w[i].bad;
	}
	if (n != N_THREADS)
		return verdict(c, FAIL, "started %u threads of %u", n,
			       N_THREADS);
	if (bad)
		return verdict(c, FAIL, "%u of %u echo calls went wrong", bad,
			       N_THREADS * N_CALLS);
	return PASS;
}

const struct door_case door_cases[] = {
	{ "nop returns 0", t_nop },
	{ "echo 4096 bytes comes back equal", t_echo },
	{ "echo 1 MiB (the limit) comes back equal", t_echo_max },
	{ "echo copies min(in_len, out_len)", t_echo_trunc },
	{ "echo with args and buffers below 4 GiB", t_echo_low },
	{ "info names this door, sysfs numbers, our ids", t_info },
	{ "info truncated to out_len", t_info_trunc },
	{ "calls counts every call", t_calls },
	{ "EINVAL for flags, unknown op, size < 48", t_einval },
	{ "size 64: zero tail ok, non-zero tail E2BIG", t_size_grown },
	{ "E2BIG for size over a page", t_size_page },
	{ "E2BIG for echo in_len over 1 MiB", t_echo_2big },
	{ "EFAULT for bad in or out", t_efault },
	{ "EFAULT for a bad args pointer", t_efault_args },
	{ "reset as root zeroes calls", t_reset },
	{ "EPERM for reset without CAP_SYS_ADMIN", t_eperm },
	{ "4 threads echo at once", t_threads },
};

const unsigned int n_door_cases = ARRAY_SIZE(door_cases);
