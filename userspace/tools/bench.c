// SPDX-License-Identifier: MIT
/*
 * xyz bench: ns per call of each door against native baselines.
 *
 * Pinned to one CPU, every row warmed up, then R rounds in which each row
 * runs B batches of N calls, timed with CLOCK_MONOTONIC around the batch.
 * The row order rotates from round to round so that drift (frequency, cache,
 * the host under a VM) is spread over all rows instead of biasing one.
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "arch.h"
#include "bench.h"
#include "cli.h"

/* Baselines: the same shape as xyz_nop() so all rows pay one call. */
#ifdef __x86_64__
static int getppid_syscall(enum xyz_via via)
{
	(void)via;
	return (int)xyz_arch_syscall1(__NR_getppid, 0);
}
#endif

#ifdef __i386__
/* glibc's syscall() enters through the vDSO, with sysenter on most CPUs. */
static int getppid_libc(enum xyz_via via)
{
	(void)via;
	return (int)syscall(SYS_getppid);
}
#endif

static int getppid_int80(enum xyz_via via)
{
	(void)via;
	return xyz_arch_int80_1(XYZ_IA32_NR_GETPPID, 0);
}

static int vdso_clock(enum xyz_via via)
{
	struct timespec ts;

	(void)via;
	return clock_gettime(CLOCK_MONOTONIC, &ts);
}

static struct bench_row *add_row(struct bench *b, const char *name,
				 int (*call)(enum xyz_via))
{
	struct bench_row *r = &b->rows[b->nrows++];

	r->name = name;
	r->call = call;
	return r;
}

static void add_baselines(struct bench *b)
{
#ifdef __x86_64__
	add_row(b, "getppid (syscall)", getppid_syscall);
#endif
	/* On i386 this is the native path, and so the base. */
	add_row(b, "getppid (int80)", getppid_int80);
#ifdef __i386__
	add_row(b, "getppid (libc)", getppid_libc);
#endif
	add_row(b, "clock_gettime (vdso)", vdso_clock);
}

static void add_door(struct bench *b, enum xyz_via via)
{
	struct bench_row *r = add_row(b, xyz_via_name(via), xyz_nop);

	r->via = via;
	r->door = true;
}

/*
 * The first call of each row runs under a fault guard: int $0x80 from a
 * 64-bit process is a #GP on kernels booted without IA32 emulation.
 */
static sigjmp_buf probe_env;

static void probe_fault(int sig)
{
	siglongjmp(probe_env, sig);
}

static void probe(struct bench_row *r)
{
	struct sigaction sa = { .sa_handler = probe_fault }, osegv, oill;
	const char *hint;
	int sig, err;

	sigaction(SIGSEGV, &sa, &osegv);
	sigaction(SIGILL, &sa, &oill);
	sig = sigsetjmp(probe_env, 1);
	if (sig) {
		snprintf(r->reason, sizeof(r->reason),
			 "%s on the first call (kernel without IA32 emulation?)",
			 strsignal(sig));
	} else if (r->call(r->via) < 0) {
		err = errno;
		hint = r->door ? xyz_hint(r->via, err) : NULL;
		snprintf(r->reason, sizeof(r->reason), "%s%s%s", strerror(err),
			 hint ? ": " : "", hint ? hint : "");
	} else {
		r->avail = true;
	}
	sigaction(SIGSEGV, &osegv, NULL);
	sigaction(SIGILL, &oill, NULL);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double batch(struct bench_row *r, unsigned long n)
{
	unsigned long i, fails = 0;
	double t0 = now_ns();

	for (i = 0; i < n; i++)
		fails += r->call(r->via) < 0;
	r->fails += fails;
	return (now_ns() - t0) / n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void stats(struct bench_row *r)
{
	size_t n = r->n, k;

	qsort(r->samples, n, sizeof(double), cmp_double);
	r->median = n % 2 ? r->samples[n / 2] :
		(r->samples[n / 2 - 1] + r->samples[n / 2]) / 2;
	k = (99 * n + 99) / 100;	/* nearest rank */
	r->p99 = r->samples[k - 1];
	if (r->fails)
		snprintf(r->reason, sizeof(r->reason),
			 "(%lu calls failed)", r->fails);
}

/* Pin to @cpu, or to the CPU we run on when @cpu is -1. */
static int pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		cpu = sched_getcpu();
	if (cpu < 0 || cpu >= CPU_SETSIZE)
		return -1;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -1 : cpu;
}

static void measure(struct bench *b, bool progress)
{
	struct bench_row *r;
	unsigned long round, k;
	size_t i;

	for (i = 0; i < b->nrows; i++)
		if (b->rows[i].avail)
			batch(&b->rows[i], b->iterations);	/* warm-up */
	for (i = 0; i < b->nrows; i++)
		b->rows[i].fails = 0;

	for (round = 0; round < b->rounds; round++) {
		if (progress)
			fprintf(stderr, "\rxyz bench: round %lu/%lu",
				round + 1, b->rounds);
		for (i = 0; i < b->nrows; i++) {
			r = &b->rows[(round + i) % b->nrows];
			if (!r->avail)
				continue;
			for (k = 0; k < b->batches; k++)
				r->samples[r->n++] = batch(r, b->iterations);
		}
	}
	if (progress)
		fputs("\r\033[K", stderr);
}

int cmd_bench(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "door", required_argument, NULL, 'd' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "batches", required_argument, NULL, 'b' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct bench b = {
		.iterations = 1000, .rounds = 15, .batches = 10, .cpu = -1,
	};
	bool want[XYZ_VIA_COUNT] = { false }, any_door = false, json = false;
	unsigned long val, *field;
	struct xyz_module mod;
	enum xyz_via door;
	const char *name;
	int c, ret = 0, via, cpu;
	size_t i;

	while ((c = getopt_long(argc, argv, "d:n:r:b:c:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (cli_parse_door(optarg, &door))
				return EXIT_USAGE;
			want[door] = any_door = true;
			break;
		case 'n':
		case 'r':
		case 'b':
			name = c == 'n' ? "--iterations" :
			       c == 'r' ? "--rounds" : "--batches";
			field = c == 'n' ? &b.iterations :
				c == 'r' ? &b.rounds : &b.batches;
			/* rounds x batches samples must fit a 32-bit size */
			if (cli_parse_ulong(name, optarg,
					    c == 'n' ? 1000000000UL : 10000UL,
					    &val))
				return EXIT_USAGE;
			if (!val)
				return cli_usage_error("%s must be at least 1",
						       name);
			*field = val;
			break;
		case 'c':
			if (cli_parse_ulong("--cpu", optarg, CPU_SETSIZE - 1,
					    &val))
				return EXIT_USAGE;
			b.cpu = (int)val;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			cli_usage(stdout);
			return 0;
		default:
			return cli_usage_error("bad option for bench");
		}
	}
	if (optind != argc)
		return cli_usage_error("bench takes no arguments");

	cpu = pin(b.cpu);
	if (cpu < 0) {
		if (b.cpu >= 0) {
			fprintf(stderr, "xyz: cannot pin to cpu %d: %s\n",
				b.cpu, strerror(errno));
			return EXIT_RUNTIME;
		}
		fprintf(stderr, "xyz: warning: not pinned to a cpu: %s\n",
			strerror(errno));
	}
	b.cpu = cpu;

	xyz_module_state(&mod);
	b.hook = !mod.loaded ? "(module not loaded)" :
		 mod.hook >= 0 ? xyz_hook_name(mod.hook) : "unknown";
	add_baselines(&b);
	for (via = 0; via < XYZ_VIA_COUNT; via++)
		if (!any_door || want[via])
			add_door(&b, via);

	for (i = 0; i < b.nrows; i++) {
		b.rows[i].samples = calloc(b.rounds * b.batches,
					   sizeof(double));
		if (!b.rows[i].samples) {
			fprintf(stderr, "xyz: out of memory\n");
			return EXIT_RUNTIME;
		}
		probe(&b.rows[i]);
	}
	measure(&b, isatty(STDERR_FILENO));
	for (i = 0; i < b.nrows; i++) {
		if (b.rows[i].avail)
			stats(&b.rows[i]);
		if (b.rows[i].fails)
			ret = EXIT_RUNTIME;	/* it worked, then stopped */
	}

	if (json)
		bench_print_json(&b);
	else
		bench_print_table(&b);
	for (i = 0; i < b.nrows; i++)
		free(b.rows[i].samples);
	return ret;
}
