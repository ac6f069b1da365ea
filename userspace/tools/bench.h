/* SPDX-License-Identifier: MIT */
/*
 * xyz bench, in four files: bench.c (the command: options, flow),
 * bench_rows.c (what each row calls), bench_engine.c (calibration,
 * measurement, threads, statistics), bench_report.c (table, JSON).
 */
#ifndef XYZ_BENCH_H
#define XYZ_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <xyz.h>

/* the io_uring rows: batches of 1, 8, 32 and 128, xyz and IORING_OP_NOP */
#define BENCH_URING_SIZES	4
#define BENCH_MAX_ROWS	(10 + 2 * XYZ_VIA_COUNT + 2 * BENCH_URING_SIZES)
#define BENCH_MAX_CPUS	64
#define BENCH_MAX_ITERATIONS	1000000000UL

struct bench_row {
	const char	*id;		/* stable, for scripts: "uring_batch8" */
	const char	*name;		/* the label: "uring, batch 8" */
	int		(*call)(enum xyz_via via);
	enum xyz_via	via;		/* for door rows */
	bool		door;		/* an xyz door, not a baseline */
	unsigned int	per_call;	/* calls one call of @call makes (0: 1) */
	bool		avail;
	char		reason[320];	/* why not available, or failed */
	unsigned long	iterations;	/* calls per batch (--batch-us) */
	double		*samples;	/* ns per call, one per batch */
	size_t		n;
	unsigned long	fails;		/* calls that returned -1 */
	double		median, p99, q1, q3, min, max;
	/* --threads: calls per second with 1 and with N threads, per round */
	double		*tput1, *tputn, *scale;
	double		tput1_med, tputn_med, scale_med, scale_min, scale_max;
};

struct bench {
	struct bench_row	rows[BENCH_MAX_ROWS];	/* rows[0]: the base */
	size_t			nrows;
	unsigned long		iterations, rounds, batches;
	unsigned long		batch_us;	/* 0: fixed iterations */
	int			cpu;		/* pinned to, or -1 */
	const char		*hook;		/* for the table */
	bool			loaded;		/* the module */
	int			hook_id;	/* enum xyz_hook, or -1 */
	int			op;		/* XYZ_OP_NOP or XYZ_OP_ECHO */
	unsigned long		size;		/* ECHO bytes */
	unsigned long		threads;	/* 0: latency, else 1 vs N */
	int			cpus[BENCH_MAX_CPUS];	/* --threads: workers' */
	int			ncpus;
	double			clock_res_ns;
};

/* bench_rows.c */
void bench_rows_init(int op, size_t size);
void bench_rows_add(struct bench *b, const struct xyz_module *mod, bool *want,
		    bool any_door, bool no_doors, bool raw);
void bench_rows_thread_done(void);
void bench_rows_close(void);

/* bench_engine.c */
int bench_pin(int cpu);
void bench_allowed_cpus(struct bench *b);
int bench_alloc_row(struct bench *b, struct bench_row *r);
void bench_free_row(struct bench_row *r);
void bench_probe(struct bench_row *r);
void bench_measure(struct bench *b, bool progress);
void bench_stats(struct bench *b);

/* bench_report.c */
void bench_print_table(const struct bench *b);
void bench_print_json(const struct bench *b);

#endif /* XYZ_BENCH_H */
