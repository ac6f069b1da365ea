/* SPDX-License-Identifier: MIT */
/* A fake root with sys/module/xyz/parameters and dev/xyz for the library. */
#ifndef XYZ_FAKESYS_H
#define XYZ_FAKESYS_H

struct fakesys {
	char root[64];
};

/* Make an empty root and point the library at it (xyz_set_root). */
int fake_init(struct fakesys *f);
/* The module with these parameters; NULL leaves a file out. */
int fake_module(struct fakesys *f, const char *nr, const char *compat_nr,
		const char *hook);
/* One parameter file, rewritten. */
int fake_param(struct fakesys *f, const char *name, const char *val);
/* A regular file at dev/xyz: it opens, but answers no ioctl. */
int fake_dev(struct fakesys *f);
/* Unload: remove sys/module/xyz and dev/xyz. */
void fake_unload(struct fakesys *f);
/* Remove everything and point the library back at "/". */
void fake_cleanup(struct fakesys *f);

#endif /* XYZ_FAKESYS_H */
