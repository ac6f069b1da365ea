/* SPDX-License-Identifier: MIT */
/*
 * xyz doctor: doctor.c decides and reports, doctor_probe.c reads the
 * machine (every path under $XYZ_DOCTOR_ROOT, for tests), doctor_kernels.c
 * holds the kernel lines the project tests.
 */
#ifndef XYZ_DOCTOR_H
#define XYZ_DOCTOR_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

/* doctor_kernels.c */
struct dr_tested {
	const char	*machine;	/* uname -m */
	const char	*pattern;	/* extended regex over uname -r */
	const char	*label;
};

extern const struct dr_tested dr_tested[];
extern const size_t dr_ntested;

/* doctor_probe.c: paths are the machine's, the root is prefixed here. */
void dp_set_root(const char *root);
const char *dp_root(void);
void dp_path(char *buf, size_t size, const char *path);
int dp_read_line(const char *path, char *buf, size_t size);
long dp_read_file(const char *path, void *buf, size_t size);
bool dp_exists(const char *path);
bool dp_is_dir(const char *path);
int dp_find_names(const char *path, int field, const char *const *names,
		  bool *found, size_t n);
int dp_run(char *out, size_t size, const char *const *argv);

struct dp_cert {
	char	cn[128];	/* the subject's common name */
	char	serial[160];	/* hex bytes, "4E:1B:...", as modinfo prints */
};

int dp_read_cert(const char *path, struct dp_cert *cert);

struct dp_module {
	char	path[PATH_MAX];	/* the machine's path, without the root */
	bool	compressed;
	int	sig;		/* 1 signed, 0 not, -1 cannot tell */
	char	signer[128];	/* "" when unknown */
	char	key[160];	/* the signing key's serial, "" when unknown */
	char	version[64];
	char	vermagic[160];
};

int dp_find_module(const char *release, struct dp_module *m);
void dp_module_facts(struct dp_module *m);
bool dp_same_serial(const char *a, const char *b);

#endif /* XYZ_DOCTOR_H */
