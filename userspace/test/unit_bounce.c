// SPDX-License-Identifier: MIT
/*
 * The int $0x80 bounce of 64-bit programs, without the kernel: what would
 * reach ebx must lie below 4 GiB, carry the same call, and bring the output
 * back. The internal functions come from libxyz.a.
 */
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <xyz.h>

#include "harness.h"

#ifdef __x86_64__
#include "internal.h"

#define LOW(p)	((uintptr_t)(p) + 0 < (1ULL << 32))

/* An ordinary mapping: above 4 GiB in a 64-bit process. */
static void *high_map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED || LOW(p) ? NULL : p;
}

static void pass_through(void)
{
	struct xyz__bounced b;
	struct xyz_args *low;

	low = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (low == MAP_FAILED) {
		CHECK(!"MAP_32BIT mapping");
		return;
	}
	xyz_args_init(low, XYZ_OP_ECHO);
	low->in = 16;		/* bogus but low: for the kernel's EFAULT */
	low->in_len = 8;
	low->out_len = 8;
	CHECK_INT(xyz__bounce_in(low, &b), 0);
	CHECK(b.args == low);
	CHECK(!b.out);
	munmap(low, 4096);
}

static void nop_on_stack(void)
{
	struct xyz__bounced b;
	struct xyz_args a;

	xyz_args_init(&a, XYZ_OP_NOP);
	CHECK(!LOW(&a));
	CHECK_INT(xyz__bounce_in(&a, &b), 0);
	CHECK(b.args != &a && LOW(b.args));
	CHECK(!memcmp(b.args, &a, sizeof(a)));
	CHECK(!b.out);
}

static void echo_high(void)
{
	char *in = high_map(8192), *out = in ? in + 4096 : NULL;
	struct xyz__bounced b;
	struct xyz_args a;
	int i;

	if (!in) {
		CHECK(!"high mapping");
		return;
	}
	for (i = 0; i < 100; i++)
		in[i] = (char)('a' + i % 26);
	xyz_args_init(&a, XYZ_OP_ECHO);
	a.in = (uintptr_t)in;
	a.in_len = 100;
	a.out = (uintptr_t)out;
	a.out_len = 60;
	CHECK_INT(xyz__bounce_in(&a, &b), 0);
	CHECK(LOW(b.args) && LOW(b.args->in) && LOW(b.args->out));
	CHECK(LOW(b.args->in + 60) && LOW(b.args->out + 60));
	CHECK_INT(b.args->in_len, 100);		/* the kernel sees the call */
	CHECK_INT(b.args->out_len, 60);
	CHECK_INT(b.out_len, 60);
	CHECK(!memcmp((void *)(uintptr_t)b.args->in, in, 60));

	/* Play the kernel, then copy back what it says it wrote. */
	memcpy(b.out, (void *)(uintptr_t)b.args->in, 60);
	xyz__bounce_out(&a, &b, 60);
	CHECK(!memcmp(out, in, 60));
	CHECK_INT(out[60], 0);

	/* A bogus low out stays as it is, for the kernel's EFAULT. */
	a.out = 16;
	CHECK_INT(xyz__bounce_in(&a, &b), 0);
	CHECK_INT(b.args->out, 16);
	CHECK(!b.out);

	/* Over the ECHO limit: nothing copied, the kernel says E2BIG. */
	a.out = (uintptr_t)out;
	a.in_len = XYZ_ECHO_MAX + 1;
	a.out_len = XYZ_ECHO_MAX + 1;
	CHECK_INT(xyz__bounce_in(&a, &b), 0);
	CHECK(LOW(b.args->in) && LOW(b.args->out));
	CHECK_INT(b.args->in_len, XYZ_ECHO_MAX + 1);
	CHECK_INT(b.out_len, 0);
	munmap(in, 8192);
}

static void info_high(void)
{
	struct xyz__bounced b;
	struct xyz_info info;
	struct xyz_args a;

	xyz_args_init(&a, XYZ_OP_INFO);
	a.out = (uintptr_t)&info;
	a.out_len = sizeof(info);
	CHECK_INT(xyz__bounce_in(&a, &b), 0);
	CHECK(LOW(b.args->out) && b.out_len == sizeof(info));
	/* A huge out_len is bounded by a page, more than any info. */
	a.out_len = 1ULL << 40;
	CHECK_INT(xyz__bounce_in(&a, &b), 0);
	CHECK_INT(b.out_len, 4096);
	CHECK_INT(b.args->out_len, 1ULL << 40);
}

static void sizes(void)
{
	struct {
		struct xyz_args a;
		unsigned char tail[16];
	} big;
	struct xyz__bounced b;

	/* A grown struct is copied whole, tail included. */
	xyz_args_init(&big.a, XYZ_OP_NOP);
	big.a.size = sizeof(big);
	memset(big.tail, 0x7e, sizeof(big.tail));
	CHECK_INT(xyz__bounce_in(&big.a, &b), 0);
	CHECK(!memcmp(b.args, &big, sizeof(big)));

	/* Beyond a page the kernel refuses unread: the size alone goes. */
	big.a.size = 1 << 20;
	CHECK_INT(xyz__bounce_in(&big.a, &b), 0);
	CHECK_INT(b.args->size, 1 << 20);

	big.a.size = 8;
	CHECK_INT(xyz__bounce_in(&big.a, &b), 0);
	CHECK_INT(b.args->size, 8);
}

static void *thread_bounce(void *arg)
{
	(void)arg;
	return xyz__bounce(16);
}

static void per_thread(void)
{
	void *mine = xyz__bounce(16), *theirs;
	pthread_t t;
	char *big;

	pthread_create(&t, NULL, thread_bounce, NULL);
	pthread_join(t, &theirs);
	CHECK(mine && theirs && mine != theirs);
	big = xyz__bounce(2u << 20);
	CHECK(big && LOW(big + (2u << 20) - 1));
	if (big)
		big[(2u << 20) - 1] = 1;	/* writable to the end */
	CHECK(xyz__bounce(16) == big);		/* kept, not shrunk */
}

void test_bounce(void)
{
	printf("# bounce\n");
	pass_through();
	nop_on_stack();
	echo_high();
	info_high();
	sizes();
	per_thread();
}

#else /* i386 has nothing to bounce */

void test_bounce(void)
{
}
#endif
