/* SPDX-License-Identifier: MIT */
/* xyz bench: the rows it times, shared by measuring and reporting. */
#ifndef XYZ_BENCH_H
#define XYZ_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <xyz.h>

#define BENCH_MAX_ROWS	(3 + XYZ_VIA_COUNT)

struct bench_row {
	const char	*name;
	int		(*call)(enum xyz_via via);
	enum xyz_via	via;		/* for door rows */
	bool		door;		/* an xyz door, not a baseline */
	bool		avail;
	char		reason[320];	/* why not available, or failed */
	double		*samples;	/* ns per call, one per batch */
	size_t		n;
	unsigned long	fails;		/* calls that returned -1 */
	double		median, p99;
};

struct bench {
	struct bench_row	rows[BENCH_MAX_ROWS];	/* rows[0]: the base */
	size_t			nrows;
	unsigned long		iterations, rounds, batches;
	int			cpu;		/* pinned to, or -1 */
	const char		*hook;
};

void bench_print_table(const struct bench *b);
void bench_print_json(const struct bench *b);

#endif /* XYZ_BENCH_H */
