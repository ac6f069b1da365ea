// SPDX-License-Identifier: (LGPL-2.1-or-later OR MIT)
/*
 * Discovery: read /sys/module/xyz once and keep it. The numbers the doors
 * need on every call sit in atomics, so the hot path is one relaxed load;
 * the rest is a snapshot under a mutex, refreshed on demand.
 */
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define NR_UNKNOWN	INT_MIN		/* not read yet */
#define PARAMS		"sys/module/xyz/parameters/"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *root;			/* xyz_set_root(), under @lock */
static struct xyz_module snap;		/* under @lock */
static bool snap_valid;			/* under @lock */
static atomic_int fast_nr = NR_UNKNOWN;
static atomic_int fast_compat_nr = NR_UNKNOWN;

/* The prefix: xyz_set_root(), else $XYZ_ROOT, else "". Under @lock. */
static const char *root_locked(void)
{
	const char *r = root;

	if (!r)
		r = secure_getenv("XYZ_ROOT");
	return r ? r : "";
}

static int path_locked(char *buf, size_t size, const char *rel)
{
	int n = snprintf(buf, size, "%s/%s", root_locked(), rel);

	if (n < 0 || (size_t)n >= size)
		return xyz__fail(ENAMETOOLONG);
	return 0;
}

int xyz__path(char *buf, size_t size, const char *rel)
{
	int ret;

	pthread_mutex_lock(&lock);
	ret = path_locked(buf, size, rel);
	pthread_mutex_unlock(&lock);
	return ret;
}

/* One sysfs value without its newline; "" when missing or unreadable. */
static void read_param(const char *name, char *val, size_t size)
{
	char path[PATH_MAX];
	ssize_t n = -1;
	int fd;

	val[0] = '\0';
	if (path_locked(path, sizeof(path), name))
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, val, size - 1);
	close(fd);
	if (n <= 0)
		return;
	val[n] = '\0';
	val[strcspn(val, "\n")] = '\0';
}

/* A syscall number, or -1 for "-1", missing or garbage. */
static int read_nr(const char *name)
{
	char val[32], *end;
	long nr;

	read_param(name, val, sizeof(val));
	errno = 0;
	nr = strtol(val, &end, 10);
	if (errno || end == val || *end || nr < 0 || nr > INT_MAX)
		return -1;
	return (int)nr;
}

static void load_locked(void)
{
	char path[PATH_MAX], hook[32];
	struct stat st;

	memset(&snap, 0, sizeof(snap));
	snap.nr = snap.compat_nr = snap.hook = -1;
	if (!path_locked(path, sizeof(path), "sys/module/xyz") &&
	    !stat(path, &st) && S_ISDIR(st.st_mode)) {
		snap.loaded = true;
		snap.nr = read_nr(PARAMS "nr");
		snap.compat_nr = read_nr(PARAMS "compat_nr");
		read_param(PARAMS "hook", hook, sizeof(hook));
		snap.hook = xyz_hook_from_name(hook);
	}
	snap_valid = true;
	atomic_store_explicit(&fast_nr, snap.nr, memory_order_relaxed);
	atomic_store_explicit(&fast_compat_nr, snap.compat_nr,
			      memory_order_relaxed);
}

int xyz_module_state(struct xyz_module *mod)
{
	int saved = errno;	/* discovery failures are states, not errors */

	if (!mod)
		return xyz__fail(EFAULT);
	pthread_mutex_lock(&lock);
	if (!snap_valid)
		load_locked();
	*mod = snap;
	pthread_mutex_unlock(&lock);
	errno = saved;
	return 0;
}

static int slow_nr(bool compat)
{
	struct xyz_module mod;

	xyz_module_state(&mod);
	return compat ? mod.compat_nr : mod.nr;
}

int xyz__nr(void)
{
	int nr = atomic_load_explicit(&fast_nr, memory_order_relaxed);

	return nr != NR_UNKNOWN ? nr : slow_nr(false);
}

int xyz__compat_nr(void)
{
	int nr = atomic_load_explicit(&fast_compat_nr, memory_order_relaxed);

	return nr != NR_UNKNOWN ? nr : slow_nr(true);
}

static void invalidate_locked(void)
{
	snap_valid = false;
	atomic_store_explicit(&fast_nr, NR_UNKNOWN, memory_order_relaxed);
	atomic_store_explicit(&fast_compat_nr, NR_UNKNOWN,
			      memory_order_relaxed);
}

void xyz_refresh(void)
{
	pthread_mutex_lock(&lock);
	invalidate_locked();
	pthread_mutex_unlock(&lock);
}

int xyz_set_root(const char *new_root)
{
	char *copy = NULL;

	if (new_root && !(copy = strdup(new_root)))
		return xyz__fail(ENOMEM);
	/* /dev/xyz may live elsewhere under the new root. */
	xyz_close();
	pthread_mutex_lock(&lock);
	free(root);
	root = copy;
	invalidate_locked();
	pthread_mutex_unlock(&lock);
	return 0;
}
