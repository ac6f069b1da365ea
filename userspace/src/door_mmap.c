// SPDX-License-Identifier: (LGPL-2.1-or-later OR MIT)
/*
 * The vDSO door: /dev/xyz's shared page, mapped read-only on first use and
 * kept until xyz_close(). INFO is answered from it without entering the
 * kernel; every other op is EOPNOTSUPP. Threads racing to map it keep the
 * first mapping published and unmap their own.
 */
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

struct page_map {
	const volatile struct xyz_page	*page;
	size_t				len;
};

static _Atomic(struct page_map *) page_map;

/* Map the whole region: one page first, to read its size. */
static struct page_map *page_open(void)
{
	char path[PATH_MAX];
	long pagesz = sysconf(_SC_PAGESIZE);
	struct page_map *m, *old = NULL;
	const volatile struct xyz_page *p;
	struct stat st;
	size_t len;
	int fd, err;

	if (xyz__path(path, sizeof(path), "dev/xyz"))
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENXIO || errno == ENODEV)
			errno = ENODEV;
		return NULL;
	}
	/* Not the device (a test's stand-in file, say): no page to read. */
	if (fstat(fd, &st) || (S_ISREG(st.st_mode) && st.st_size < pagesz)) {
		errno = ENODEV;
		goto fail;
	}
	p = mmap(NULL, pagesz, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	len = ((size_t)p->size + pagesz - 1) / pagesz * pagesz;
	if (len > (size_t)pagesz) {
		munmap((void *)p, pagesz);
		p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			goto fail;
	} else {
		len = pagesz;
	}
	close(fd);	/* the mapping keeps the file, and the module, held */

	m = malloc(sizeof(*m));
	if (!m) {
		munmap((void *)p, len);
		return NULL;
	}
	m->page = p;
	m->len = len;
	if (!atomic_compare_exchange_strong(&page_map, &old, m)) {
		munmap((void *)p, len);
		free(m);
		m = old;
	}
	return m;
fail:
	err = errno;
	close(fd);
	errno = err;
	return NULL;
}

static struct page_map *page_get(void)
{
	struct page_map *m = atomic_load_explicit(&page_map,
						  memory_order_acquire);

	return m ? m : page_open();
}

int xyz__page_available(void)
{
	return page_get() ? 0 : -1;
}

/* CPU @cpu's counter; a 32-bit load pair is re-read until it agrees. */
static uint64_t counter(const volatile char *base, const struct xyz_page *h,
			unsigned int cpu)
{
	const volatile uint64_t *c = (const volatile uint64_t *)
		(base + h->counters_offset + (size_t)cpu * h->stride);
	uint64_t a;

#if __SIZEOF_POINTER__ == 8	/* one aligned 64-bit load */
	a = *c;
#else
	uint64_t b;

	do {
		a = *c;
		b = *c;
	} while (a != b);
#endif
	return a;
}

/* The header under its seqcount, then the counters (not under it). */
static void page_info(const struct page_map *m, struct xyz_info *info)
{
	const volatile struct xyz_page *p = m->page;
	struct xyz_page h;
	unsigned int cpu;
	uint64_t calls = 0;
	__u32 seq;

	for (;;) {
		seq = p->seq;
		atomic_thread_fence(memory_order_acquire);
		h.size = p->size;
		h.abi_version = p->abi_version;
		h.hook = p->hook;
		h.nr = p->nr;
		h.compat_nr = p->compat_nr;
		h.ncpus = p->ncpus;
		h.stride = p->stride;
		h.counters_offset = p->counters_offset;
		atomic_thread_fence(memory_order_acquire);
		if (!(seq & 1) && p->seq == seq)
			break;
		sched_yield();	/* the module is publishing: let it finish */
	}
	/* Never read past the mapping, whatever the header says. */
	for (cpu = 0; cpu < h.ncpus &&
	     h.counters_offset + (size_t)(cpu + 1) * h.stride <= m->len; cpu++)
		calls += counter((const volatile char *)p, &h, cpu);

	/* Every member, no memset: struct xyz_info has no padding. */
	info->size = h.size;
	info->abi_version = h.abi_version;
	info->door = XYZ_DOOR_MMAP;
	info->hook = h.hook;
	info->nr = h.nr;
	info->compat_nr = h.compat_nr;
	info->cpu = (__u32)sched_getcpu();	/* the vDSO's getcpu */
	/* Only a kernel entry can tell who is calling. */
	info->uid = (__u32)-1;
	info->pid = (__u32)-1;
	info->tgid = (__u32)-1;
	info->calls = calls;
}

/* xyz_info()'s road: nothing to check, straight into the caller's struct. */
int xyz__page_info(struct xyz_info *info)
{
	struct page_map *m;

	if (!info)
		return xyz__fail(EFAULT);
	m = page_get();
	if (!m)
		return -1;
	page_info(m, info);
	return (int)sizeof(*info);
}

/* The same argument checks as the kernel's, then INFO from the page. */
int xyz_mmap(struct xyz_args *args)
{
	static long page_size;	/* sysconf() is no load: ask once */
	struct xyz_info info;
	struct page_map *m;
	size_t i, n;

	if (!args)
		return xyz__fail(EFAULT);
	if (!page_size)
		page_size = sysconf(_SC_PAGESIZE);
	if (args->size < XYZ_ARGS_SIZE_VER0)
		return xyz__fail(EINVAL);
	if (args->size > (size_t)page_size)
		return xyz__fail(E2BIG);
	for (i = sizeof(*args); i < args->size; i++)
		if (((const unsigned char *)args)[i])
			return xyz__fail(E2BIG);
	if (args->flags || args->op > XYZ_OP_RESET)
		return xyz__fail(EINVAL);
	if (args->op != XYZ_OP_INFO)
		return xyz__fail(EOPNOTSUPP);

	n = args->out_len < sizeof(info) ? (size_t)args->out_len : sizeof(info);
	if (n && !args->out)
		return xyz__fail(EFAULT);
	if (n == sizeof(info))
		return xyz__page_info((struct xyz_info *)(uintptr_t)args->out);
	m = page_get();
	if (!m)
		return -1;
	page_info(m, &info);
	memcpy((void *)(uintptr_t)args->out, &info, n);
	return (int)n;
}

void xyz__page_close(void)
{
	struct page_map *m = atomic_exchange(&page_map, NULL);

	if (m) {
		munmap((void *)m->page, m->len);
		free(m);
	}
}
