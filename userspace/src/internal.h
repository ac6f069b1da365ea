/* SPDX-License-Identifier: (LGPL-2.1-or-later OR MIT) */
/* Shared by the library's files only; none of this is exported. */
#ifndef XYZ_INTERNAL_H
#define XYZ_INTERNAL_H

#include <errno.h>
#include <stdint.h>
#include <xyz.h>

/* Raw results in [-4095, -1] are negative errnos (the kernel's convention). */
#define XYZ_MAX_ERRNO	4095

static inline int xyz__fail(int err)
{
	errno = err;
	return -1;
}

static inline int xyz__ret(long ret)
{
	if (ret < 0 && ret >= -XYZ_MAX_ERRNO)
		return xyz__fail((int)-ret);
	return (int)ret;
}

/* sysfs.c: cached numbers (-1 when absent or not hooked) and paths. */
int xyz__nr(void);
int xyz__compat_nr(void);
int xyz__path(char *buf, size_t size, const char *rel);

/* door_ioctl.c */
int xyz__dev_fd(void);

/* door_mmap.c: map the shared page (0, or -1 and errno), unmap it. */
int xyz__page_available(void);
int xyz__page_info(struct xyz_info *info);
void xyz__page_close(void);
/*
 * door_uring.c: 0 when a NOP goes through the door, else -1 and errno;
 * close the calling thread's ring of XYZ_VIA_URING.
 */
int xyz__uring_available(void);
void xyz__uring_close(void);

#ifdef __x86_64__
/* bounce.c: per-thread MAP_32BIT scratch of at least @len bytes. */
void *xyz__bounce(size_t len);

/* door_int80.c: copy of a call that a 32-bit register can point at. */
struct xyz__bounced {
	struct xyz_args	*args;		/* what ebx carries */
	void		*out;		/* low copy of args->out, or NULL */
	size_t		out_len;	/* bytes reserved at @out */
};

int xyz__bounce_in(struct xyz_args *args, struct xyz__bounced *b);
void xyz__bounce_out(const struct xyz_args *args,
		     const struct xyz__bounced *b, int ret);
#endif

#endif /* XYZ_INTERNAL_H */
