// SPDX-License-Identifier: GPL-2.0
/*
 * Every door of xyz against the ABI, op by op and errno by errno. Built
 * 64-bit (ioctl, glibc syscall(), raw syscall, int $0x80 from a 64-bit
 * process, io_uring) and 32-bit (ioctl through compat_ioctl, glibc
 * syscall(), raw int $0x80, io_uring from a compat task). Needs the module loaded; the syscall doors are skipped, with
 * the reason, when it was loaded with hook=none.
 *
 * All memory handed to the kernel comes from one arena below 4 GiB, so the
 * same test runs through int $0x80, which carries 32-bit pointers only.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "xyz_test.h"
#include "kselftest_harness.h"

#ifndef MAP_32BIT
#define MAP_32BIT 0
#endif

#define MIB		(1UL << 20)
/* args area, guard page, 2 MiB + 2 pages for in and out, guard page */
#define ARENA_SIZE	(4 * MIB + 16 * 4096)

enum door_kind { DOOR_IOCTL, DOOR_SYSCALL, DOOR_COMPAT, DOOR_URING };

FIXTURE(door) {
	long page;
	int fd;
	long nr;
	uint8_t *arena;		/* below 4 GiB */
	uint8_t *hole;		/* an inaccessible page inside the arena */
	struct xyz_args *args;
	uint8_t *in, *out;	/* 2 MiB + 1 page each */
};

FIXTURE_VARIANT(door) {
	xyz_door_fn call;
	enum door_kind kind;
	unsigned int door;	/* what INFO must report */
};

FIXTURE_VARIANT_ADD(door, ioctl) {
	.call = xyz_door_ioctl, .kind = DOOR_IOCTL, .door = XYZ_DOOR_IOCTL,
};

#if XYZ_HAVE_ASM_DOOR
FIXTURE_VARIANT_ADD(door, glibc_syscall) {
	.call = xyz_door_glibc, .kind = DOOR_SYSCALL, .door = XYZ_DOOR_SYSCALL,
};

FIXTURE_VARIANT_ADD(door, asm_syscall) {
	.call = xyz_door_asm, .kind = DOOR_SYSCALL, .door = XYZ_DOOR_SYSCALL,
};
#else
FIXTURE_VARIANT_ADD(door, glibc_syscall) {
	.call = xyz_door_glibc, .kind = DOOR_COMPAT, .door = XYZ_DOOR_COMPAT,
};
#endif

FIXTURE_VARIANT_ADD(door, int80) {
	.call = xyz_door_int80, .kind = DOOR_COMPAT, .door = XYZ_DOOR_COMPAT,
};

FIXTURE_VARIANT_ADD(door, uring) {
	.call = xyz_door_uring, .kind = DOOR_URING, .door = XYZ_DOOR_URING,
};

FIXTURE_SETUP(door)
{
	char hook[16];

	self->page = sysconf(_SC_PAGESIZE);
	self->fd = open("/dev/" XYZ_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("/dev/xyz: %s (module loaded?)",
				      strerror(errno));

#if !XYZ_HAVE_INT80
	if (variant->kind == DOOR_COMPAT)
		SKIP(return, "%s", XYZ_NO_INT80);
#endif
	self->nr = variant->kind == DOOR_SYSCALL ? xyz_param_long("nr") :
		   variant->kind == DOOR_COMPAT ? xyz_param_long("compat_nr") : 0;
	if ((variant->kind == DOOR_SYSCALL || variant->kind == DOOR_COMPAT) &&
	    self->nr < 0)
		SKIP(return, "module loaded with hook=%s: no syscall number",
		     xyz_param("hook", hook, sizeof(hook)));
	if (variant->kind == DOOR_URING) {
		const char *why;
		int err = xyz_uring_door_probe(self->fd, &why);

		if (err)
			SKIP(return, "%s: %s", why, strerror(-err));
	}

	self->arena = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	ASSERT_TRUE(self->arena != MAP_FAILED);
	if (XYZ_HAVE_INT80)	/* where int $0x80 needs it */
		ASSERT_GE(1ULL << 32, (uintptr_t)self->arena + ARENA_SIZE);
	self->args = (struct xyz_args *)self->arena;
	self->hole = self->arena + 2 * self->page;
	ASSERT_EQ(0, mprotect(self->hole, self->page, PROT_NONE));
	self->in = self->hole + self->page;
	self->out = self->in + 2 * MIB + self->page;
	memset(self->args, 0, 2 * self->page);
	self->args->size = sizeof(*self->args);
}

FIXTURE_TEARDOWN(door)
{
	if (self->arena && self->arena != MAP_FAILED)
		munmap(self->arena, ARENA_SIZE);
	if (self->fd >= 0)
		close(self->fd);
}

static long call(FIXTURE_DATA(door) *self,
		 const FIXTURE_VARIANT(door) *variant, void *args)
{
	return variant->call(self->nr, self->fd, args);
}

static void set_op(struct xyz_args *a, unsigned int op, const void *in,
		   uint64_t in_len, void *out, uint64_t out_len)
{
	a->op = op;
	a->in = (uintptr_t)in;
	a->in_len = in_len;
	a->out = (uintptr_t)out;
	a->out_len = out_len;
}

static long info(FIXTURE_DATA(door) *self,
		 const FIXTURE_VARIANT(door) *variant, struct xyz_info *inf)
{
	struct xyz_info *kinf = (struct xyz_info *)self->out;

	set_op(self->args, XYZ_OP_INFO, NULL, 0, kinf, sizeof(*kinf));
	memset(kinf, 0, sizeof(*kinf));
	if (call(self, variant, self->args) != sizeof(*kinf))
		return -1;
	*inf = *kinf;
	return 0;
}

TEST_F(door, nop)
{
	set_op(self->args, XYZ_OP_NOP, NULL, 0, NULL, 0);
	EXPECT_EQ(0, call(self, variant, self->args));
}

TEST_F(door, nop_misaligned_args)
{
	struct xyz_args *a = (struct xyz_args *)(self->arena + 1);

	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	EXPECT_EQ(0, call(self, variant, a));
}

static void echo_len(struct __test_metadata *_metadata,
		     FIXTURE_DATA(door) *self,
		     const FIXTURE_VARIANT(door) *variant, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		self->in[i] = (uint8_t)(i * 7 + 1);
	memset(self->out, 0xa5, len + 1);
	set_op(self->args, XYZ_OP_ECHO, self->in, len, self->out, len + 1);
	ASSERT_EQ((long)len, call(self, variant, self->args));
	ASSERT_EQ(0, memcmp(self->in, self->out, len));
	ASSERT_EQ(0xa5, self->out[len]) TH_LOG("wrote past in_len");
}

TEST_F(door, echo_lengths)
{
	static const size_t lens[] = { 0, 1, 255, 256, 257, 4095, 4096, 4097,
				       65536, MIB };
	size_t i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		echo_len(_metadata, self, variant, lens[i]);
}

TEST_F(door, echo_copies_min_of_lengths)
{
	memcpy(self->in, "abcdef", 6);
	memset(self->out, 0, 8);
	set_op(self->args, XYZ_OP_ECHO, self->in, 6, self->out, 3);
	EXPECT_EQ(3, call(self, variant, self->args));
	EXPECT_EQ(0, memcmp(self->out, "abc\0", 4));
	set_op(self->args, XYZ_OP_ECHO, self->in, 2, self->out, 8);
	EXPECT_EQ(2, call(self, variant, self->args));
}

TEST_F(door, echo_too_big)
{
	set_op(self->args, XYZ_OP_ECHO, self->in, MIB + 1, self->out, 1);
	EXPECT_EQ(-E2BIG, call(self, variant, self->args));
	set_op(self->args, XYZ_OP_ECHO, self->in, UINT64_MAX, self->out, 0);
	EXPECT_EQ(-E2BIG, call(self, variant, self->args));
}

TEST_F(door, echo_bad_pointers)
{
	/* NULL, an unmapped page, and buffers running into it */
	set_op(self->args, XYZ_OP_ECHO, NULL, 8, self->out, 8);
	EXPECT_EQ(-EFAULT, call(self, variant, self->args));
	set_op(self->args, XYZ_OP_ECHO, self->in, 8, NULL, 8);
	EXPECT_EQ(-EFAULT, call(self, variant, self->args));
	set_op(self->args, XYZ_OP_ECHO, self->hole, 8, self->out, 8);
	EXPECT_EQ(-EFAULT, call(self, variant, self->args));
	set_op(self->args, XYZ_OP_ECHO, self->hole - 4, 8, self->out, 8);
	EXPECT_EQ(-EFAULT, call(self, variant, self->args));
	set_op(self->args, XYZ_OP_ECHO, self->in, 8, self->hole - 4, 8);
	EXPECT_EQ(-EFAULT, call(self, variant, self->args));
	/* a zero-length copy touches nothing */
	set_op(self->args, XYZ_OP_ECHO, NULL, 0, NULL, 0);
	EXPECT_EQ(0, call(self, variant, self->args));
}

TEST_F(door, info_fields)
{
	struct xyz_info inf;
	char hook[16];
	static const char *const hooks[] = {
		[XYZ_HOOK_NONE] = "none", [XYZ_HOOK_TABLE] = "table",
		[XYZ_HOOK_FTRACE] = "ftrace", [XYZ_HOOK_KPROBE] = "kprobe",
		[XYZ_HOOK_DIRECT] = "direct", [XYZ_HOOK_TRACEPOINT] = "tracepoint",
	};

	ASSERT_EQ(0, info(self, variant, &inf));
	EXPECT_EQ(sizeof(struct xyz_info), inf.size);
	EXPECT_EQ(XYZ_ABI_VERSION, inf.abi_version);
	EXPECT_EQ(variant->door, inf.door);
	ASSERT_GT(sizeof(hooks) / sizeof(hooks[0]), inf.hook);
	EXPECT_STREQ(xyz_param("hook", hook, sizeof(hook)), hooks[inf.hook]);
	EXPECT_EQ(xyz_param_long("nr"), inf.nr);
	EXPECT_EQ(xyz_param_long("compat_nr"), inf.compat_nr);
	EXPECT_GT(sysconf(_SC_NPROCESSORS_CONF), inf.cpu);
	EXPECT_EQ(getuid(), inf.uid);
	EXPECT_EQ(gettid(), inf.pid);
	EXPECT_EQ(getpid(), inf.tgid);
	EXPECT_LE(1, inf.calls);
}

TEST_F(door, info_cpu_follows_affinity)
{
	struct xyz_info inf;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
	ASSERT_EQ(0, info(self, variant, &inf));
	EXPECT_EQ(0, inf.cpu);
}

/* INFO writes min(out_len, size) bytes and not one more. */
TEST_F(door, info_truncates)
{
	static const uint64_t lens[] = { 0, 1, 47, 48, 4096 };
	size_t i, j;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		uint64_t want = lens[i] < 48 ? lens[i] : 48;

		memset(self->out, 0xa5, 4096);
		set_op(self->args, XYZ_OP_INFO, NULL, 0, self->out, lens[i]);
		ASSERT_EQ((long)want, call(self, variant, self->args));
		for (j = want; j < 4096; j++)
			ASSERT_EQ(0xa5, self->out[j]) TH_LOG("out_len %llu: byte %zu written",
				(unsigned long long)lens[i], j);
		if (want >= 4)
			EXPECT_EQ(48, *(uint32_t *)self->out);
	}
}

/* Every byte INFO writes has a known value: no kernel stack leaks out. */
TEST_F(door, info_no_uninitialised_bytes)
{
	struct xyz_info a, b;

	memset(self->out, 0x00, 48);
	ASSERT_EQ(0, info(self, variant, &a));
	memset(self->out, 0xff, 48);
	ASSERT_EQ(0, info(self, variant, &b));
	a.calls = b.calls = 0;
	EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)));
}

TEST_F(door, info_bad_out)
{
	set_op(self->args, XYZ_OP_INFO, NULL, 0, self->hole, 48);
	EXPECT_EQ(-EFAULT, call(self, variant, self->args));
	set_op(self->args, XYZ_OP_INFO, NULL, 0, self->hole - 8, 48);
	EXPECT_EQ(-EFAULT, call(self, variant, self->args));
	set_op(self->args, XYZ_OP_INFO, NULL, 0, NULL, 0);
	EXPECT_EQ(0, call(self, variant, self->args));
}

/* RESET zeroes, then every valid call counts: INFO counts itself. */
TEST_F(door, reset_and_count)
{
	struct xyz_info inf;
	int i;

	set_op(self->args, XYZ_OP_RESET, NULL, 0, NULL, 0);
	ASSERT_EQ(0, call(self, variant, self->args));
	for (i = 0; i < 10; i++) {
		set_op(self->args, XYZ_OP_NOP, NULL, 0, NULL, 0);
		ASSERT_EQ(0, call(self, variant, self->args));
	}
	/* failed calls are not served calls */
	self->args->flags = 1;
	ASSERT_EQ(-EINVAL, call(self, variant, self->args));
	self->args->flags = 0;
	ASSERT_EQ(0, info(self, variant, &inf));
	EXPECT_EQ(11, inf.calls);
}

TEST_F(door, reset_needs_cap_sys_admin)
{
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct xyz_info inf;

		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(10);
		set_op(self->args, XYZ_OP_RESET, NULL, 0, NULL, 0);
		if (call(self, variant, self->args) != -EPERM)
			_exit(11);
		/* everything else works unprivileged */
		if (info(self, variant, &inf) || inf.uid != 65534)
			_exit(12);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(door, size_boundaries)
{
	struct xyz_args *a = self->args;
	uint8_t *tail = (uint8_t *)a;

	a->op = XYZ_OP_NOP;
	a->size = 0;
	EXPECT_EQ(-EINVAL, call(self, variant, a));
	a->size = 47;
	EXPECT_EQ(-EINVAL, call(self, variant, a));
	a->size = 48;
	EXPECT_EQ(0, call(self, variant, a));
	a->size = 49;			/* zero tail: a newer caller */
	EXPECT_EQ(0, call(self, variant, a));
	tail[48] = 1;			/* it asks for something unknown */
	EXPECT_EQ(-E2BIG, call(self, variant, a));
	tail[48] = 0;
	a->size = self->page;
	EXPECT_EQ(0, call(self, variant, a));
	tail[self->page - 1] = 1;
	EXPECT_EQ(-E2BIG, call(self, variant, a));
	tail[self->page - 1] = 0;
	a->size = self->page + 1;
	EXPECT_EQ(-E2BIG, call(self, variant, a));
	a->size = UINT32_MAX;
	EXPECT_EQ(-E2BIG, call(self, variant, a));
}

TEST_F(door, size_tail_unmapped)
{
	/* the struct claims a tail that runs into the unmapped page */
	struct xyz_args *a = (struct xyz_args *)(self->hole - 48);

	memset(a, 0, 48);
	a->size = 64;
	EXPECT_EQ(-EFAULT, call(self, variant, a));
}

/*
 * A NOP whose struct runs into an unmapped page, however little of it is
 * missing: the whole struct is the argument, so EFAULT.
 */
TEST_F(door, nop_struct_runs_into_unmapped_page)
{
	static const size_t mapped[] = { 8, 16, 24, 40, 47 };
	size_t i;

	for (i = 0; i < sizeof(mapped) / sizeof(mapped[0]); i++) {
		struct xyz_args *a = (struct xyz_args *)(self->hole - mapped[i]);

		memset(a, 0, mapped[i]);
		*(uint32_t *)a = sizeof(*a);		/* size; op NOP */
		EXPECT_EQ(-EFAULT, call(self, variant, a))
			TH_LOG("%zu bytes mapped", mapped[i]);
	}
}

TEST_F(door, bad_op_and_flags)
{
	static const uint32_t ops[] = { 4, 5, 0x80000000u, UINT32_MAX };
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		self->args->op = ops[i];
		EXPECT_EQ(-EINVAL, call(self, variant, self->args));
	}
	self->args->op = XYZ_OP_NOP;
	self->args->flags = 1;
	EXPECT_EQ(-EINVAL, call(self, variant, self->args));
	self->args->flags = 1ULL << 63;
	EXPECT_EQ(-EINVAL, call(self, variant, self->args));
}

TEST_F(door, bad_args_pointer)
{
	EXPECT_EQ(-EFAULT, call(self, variant, NULL));
	EXPECT_EQ(-EFAULT, call(self, variant, self->hole));
	/* size readable, the rest in the unmapped page */
	*(uint32_t *)(self->hole - 4) = 48;
	EXPECT_EQ(-EFAULT, call(self, variant, self->hole - 4));
#ifdef XYZ_KERNEL_ADDR
	if (variant->kind != DOOR_COMPAT)
		EXPECT_EQ(-EFAULT, call(self, variant, (void *)XYZ_KERNEL_ADDR));
#endif
}

/*
 * Every other unused number stays "no such system call" while ours are
 * hooked, those that share the low byte with ours too (hook=direct on the
 * stub looks that byte up first, then the whole number and its ABI).
 */
TEST(other_numbers_are_enosys)
{
	struct xyz_args a = { .size = sizeof(a), .op = XYZ_OP_NOP };
	long nr = xyz_param_long("nr"), compat_nr = xyz_param_long("compat_nr");

#ifndef __i386__	/* the 64-bit numbers: not a 32-bit program's */
	if (nr >= 0)
		EXPECT_EQ(-ENOSYS, xyz_door_glibc(nr + 256, -1, &a));
#else
	(void)nr;
#endif
	if (XYZ_HAVE_INT80 && compat_nr >= 0)
		EXPECT_EQ(-ENOSYS, xyz_door_int80(compat_nr + 256, -1, &a));
}

/* The ioctl door decodes type and number, not the size bits. */
TEST(ioctl_numbers)
{
	struct xyz_args a = { .size = sizeof(a), .op = XYZ_OP_NOP };
	struct { char c[64]; } big;
	int fd = open("/dev/" XYZ_DEVICE_NAME, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd);
	(void)big;
	EXPECT_EQ(-1, ioctl(fd, _IOWR('y', 1, struct xyz_args), &a));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(fd, _IOWR('x', 2, struct xyz_args), &a));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(0, ioctl(fd, _IOWR('x', 1, big), &a));
	EXPECT_EQ(0, ioctl(fd, _IO('x', 1), &a));
	close(fd);
}

TEST(dev_node_mode)
{
	struct stat st;

	ASSERT_EQ(0, stat("/dev/" XYZ_DEVICE_NAME, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0666, st.st_mode & 07777);
}

TEST_HARNESS_MAIN
