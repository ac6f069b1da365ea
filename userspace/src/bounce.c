// SPDX-License-Identifier: (LGPL-2.1-or-later OR MIT)
/*
 * Per-thread scratch below 4 GiB for the int $0x80 door of 64-bit programs:
 * the ia32 entry takes a 32-bit pointer. One mapping per thread, grown on
 * demand and unmapped when the thread exits, so calls need no lock.
 */
#ifdef __x86_64__
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

struct bounce {
	void	*base;
	size_t	len;
};

static _Thread_local struct bounce tls;
static pthread_key_t key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static int key_err;

static void bounce_free(void *arg)
{
	struct bounce *b = arg;

	munmap(b->base, b->len);
	b->base = NULL;
	b->len = 0;
}

static void key_init(void)
{
	key_err = pthread_key_create(&key, bounce_free);
}

void *xyz__bounce(size_t len)
{
	size_t page;
	void *p;

	if (len <= tls.len)
		return tls.base;
	page = (size_t)sysconf(_SC_PAGESIZE);
	pthread_once(&key_once, key_init);
	if (key_err) {
		errno = key_err;
		return NULL;
	}
	len = (len + page - 1) & ~(page - 1);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (p == MAP_FAILED) {
		errno = ENOMEM;
		return NULL;
	}
	if (tls.base)
		munmap(tls.base, tls.len);
	else if (pthread_setspecific(key, &tls)) {
		munmap(p, len);
		errno = ENOMEM;
		return NULL;
	}
	tls.base = p;
	tls.len = len;
	return p;
}
#endif /* __x86_64__ */
