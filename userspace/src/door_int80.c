// SPDX-License-Identifier: (LGPL-2.1-or-later OR MIT)
/*
 * The int $0x80 door: the ia32 entry, with the ia32 number (compat_nr).
 *
 * A 32-bit program calls it natively. A 64-bit one can only pass a 32-bit
 * pointer in ebx, so whatever lies above 4 GiB (the args, or the bytes the
 * op reads and writes) is copied into a per-thread MAP_32BIT buffer first
 * and the output copied back. Pointers already below 4 GiB, NULL or bogus
 * ones included, go to the kernel unchanged, so it still reports EFAULT.
 */
#include <string.h>

#include "arch.h"
#include "internal.h"

#ifdef __x86_64__
#define LOW_LIMIT	(1ULL << 32)
#define PAGE		4096U	/* the kernel's limit on args->size (x86) */
#define ALIGN16(x)	(((x) + 15) & ~(size_t)15)

static bool is_low(uint64_t p, uint64_t len)
{
	return p < LOW_LIMIT && len <= LOW_LIMIT - p;
}

static size_t min_len(uint64_t a, uint64_t b)
{
	return (size_t)(a < b ? a : b);
}

/* Bytes of *args the kernel may read: @size, unless it refuses it unread. */
static size_t args_len(const struct xyz_args *args)
{
	if (args->size > sizeof(*args) && args->size <= PAGE)
		return args->size;
	return sizeof(*args);
}

/* Bytes at in and out the op touches (abi.md); other ops touch neither. */
static void op_lens(const struct xyz_args *args, size_t *n_in, size_t *n_out)
{
	*n_in = *n_out = 0;
	if (args->size < XYZ_ARGS_SIZE_VER0)
		return;
	switch (args->op) {
	case XYZ_OP_ECHO:
		/* Above the limit the kernel says E2BIG before reading. */
		if (args->in_len <= XYZ_ECHO_MAX)
			*n_in = *n_out = min_len(args->in_len, args->out_len);
		break;
	case XYZ_OP_INFO:
		*n_out = min_len(args->out_len, PAGE);
		break;
	}
}

int xyz__bounce_in(struct xyz_args *args, struct xyz__bounced *b)
{
	size_t alen = args_len(args), n_in, n_out;
	bool in_high, out_high;
	char *p;

	op_lens(args, &n_in, &n_out);
	in_high = args->in && !is_low(args->in, n_in);
	out_high = args->out && !is_low(args->out, n_out);
	b->args = args;
	b->out = NULL;
	b->out_len = 0;
	if (is_low((uintptr_t)args, alen) && !in_high && !out_high)
		return 0;

	p = xyz__bounce(ALIGN16(alen) + ALIGN16(n_in) + n_out);
	if (!p)
		return -1;
	memcpy(p, args, alen);
	b->args = (struct xyz_args *)p;
	p += ALIGN16(alen);
	if (in_high) {
		memcpy(p, (const void *)(uintptr_t)args->in, n_in);
		b->args->in = (uintptr_t)p;
	}
	p += ALIGN16(n_in);
	if (out_high) {
		b->args->out = (uintptr_t)p;
		b->out = p;
		b->out_len = n_out;
	}
	return 0;
}

void xyz__bounce_out(const struct xyz_args *args,
		     const struct xyz__bounced *b, int ret)
{
	if (b->out && ret > 0)
		memcpy((void *)(uintptr_t)args->out, b->out,
		       min_len((uint64_t)ret, b->out_len));
}

int xyz_int80(struct xyz_args *args)
{
	struct xyz__bounced b;
	int nr, ret;

	if (!args)
		return xyz__fail(EFAULT);
	nr = xyz__compat_nr();
	if (nr < 0)
		return xyz__fail(ENOSYS);
	if (xyz__bounce_in(args, &b))
		return -1;
	ret = xyz__ret(xyz_arch_int80_1(nr, (unsigned int)(uintptr_t)b.args));
	xyz__bounce_out(args, &b, ret);
	return ret;
}

#elif XYZ_ARCH_HAS_INT80 /* i386: the native entry, pointers are 32-bit already */

int xyz_int80(struct xyz_args *args)
{
	int nr;

	if (!args)
		return xyz__fail(EFAULT);
	nr = xyz__compat_nr();
	if (nr < 0)
		return xyz__fail(ENOSYS);
	return xyz__ret(xyz_arch_int80_1(nr, (unsigned int)args));
}
#else /* no ia32 entry at all: XYZ_ARCH_NO_INT80 */

int xyz_int80(struct xyz_args *args)
{
	(void)args;
	return xyz__fail(EOPNOTSUPP);
}
#endif
