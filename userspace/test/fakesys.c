// SPDX-License-Identifier: MIT
/* A fake sysfs and /dev under a temporary directory. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xyz.h>

#include "fakesys.h"

#define PARAMS	"sys/module/xyz/parameters"

static int mkdirs(const char *root, const char *rel)
{
	char path[PATH_MAX], *p;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(path, 0755) && errno != EEXIST ? -1 : 0;
}

static int write_file(const char *root, const char *rel, const char *val)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(val, f);
	return fclose(f);
}

int fake_init(struct fakesys *f)
{
	strcpy(f->root, "/tmp/libxyz-unit.XXXXXX");
	if (!mkdtemp(f->root))
		return -1;
	return xyz_set_root(f->root);
}

int fake_param(struct fakesys *f, const char *name, const char *val)
{
	char rel[128];

	snprintf(rel, sizeof(rel), PARAMS "/%s", name);
	return write_file(f->root, rel, val);
}

int fake_module(struct fakesys *f, const char *nr, const char *compat_nr,
		const char *hook)
{
	fake_unload(f);
	if (mkdirs(f->root, PARAMS))
		return -1;
	if (nr && fake_param(f, "nr", nr))
		return -1;
	if (compat_nr && fake_param(f, "compat_nr", compat_nr))
		return -1;
	if (hook && fake_param(f, "hook", hook))
		return -1;
	xyz_refresh();
	return 0;
}

int fake_dev(struct fakesys *f)
{
	return mkdirs(f->root, "dev") ? -1 : write_file(f->root, "dev/xyz", "");
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rm_tree(const char *root, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	nftw(path, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

void fake_unload(struct fakesys *f)
{
	xyz_close();
	rm_tree(f->root, "sys");
	rm_tree(f->root, "dev");
	xyz_refresh();
}

void fake_cleanup(struct fakesys *f)
{
	rm_tree(f->root, "");
	xyz_set_root(NULL);
}
