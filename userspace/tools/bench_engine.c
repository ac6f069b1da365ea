// SPDX-License-Identifier: MIT
/*
 * xyz bench's engine: ns per call of each row, or calls per second.
 *
 * Pinned to one CPU, every row warmed up, then R rounds in which each row
 * runs B batches of N calls, timed with CLOCK_MONOTONIC around the batch.
 * The row order rotates from round to round so that drift (frequency, cache,
 * the host under a VM) is spread over all rows instead of biasing one.
 *
 * With --threads N it measures throughput instead: in each round every row
 * runs once with one thread and once with N threads (each pinned to its own
 * CPU, all released together by a barrier), and the ratio of the two is the
 * scaling of that round.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "cli.h"

/*
 * The first call of each row runs under a fault guard: int $0x80 from a
 * 64-bit process is a #GP on kernels booted without IA32 emulation.
 */
static sigjmp_buf probe_env;

static void probe_fault(int sig)
{
	siglongjmp(probe_env, sig);
}

void bench_probe(struct bench_row *r)
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

static unsigned long run_calls(struct bench_row *r, unsigned long n)
{
	unsigned long i, fails = 0;

	for (i = 0; i < n; i++)
		fails += r->call(r->via) < 0;
	return fails;
}

static double batch(struct bench_row *r, unsigned long n)
{
	double t0 = now_ns();

	r->fails += run_calls(r, n);
	return (now_ns() - t0) / n / (r->per_call ? r->per_call : 1);
}

/*
 * --batch-us: grow the batch until it takes a quarter of the target, then
 * size it from the time per call seen there; and again from a batch of that
 * size, until two estimates agree within 25 %: a first batch that paid for a
 * page fault or, under an emulator, for translating new code, would make the
 * batches far too short. The last batch is the warm-up.
 */
static unsigned long batch_size(double target, double per)
{
	double n = per > 0 ? target / per : BENCH_MAX_ITERATIONS;

	return n < 1 ? 1 : n > BENCH_MAX_ITERATIONS ? BENCH_MAX_ITERATIONS :
	       (unsigned long)n;
}

static void calibrate(struct bench *b, struct bench_row *r)
{
	double target = b->batch_us * 1e3, per;
	/* batch() gives the time per call; a row call makes per_call calls */
	double calls = r->per_call ? r->per_call : 1;
	unsigned long n = 1, next;
	int tries;

	if (!b->batch_us) {
		r->iterations = b->iterations;
		batch(r, r->iterations);	/* warm-up */
		return;
	}
	for (;;) {
		per = batch(r, n) * calls;
		if (per * n >= target / 4 || n >= BENCH_MAX_ITERATIONS / 4)
			break;
		n *= 4;
	}
	n = batch_size(target, per);
	for (tries = 0; tries < 4; tries++) {
		next = batch_size(target, batch(r, n) * calls);
		if (next * 4 >= n * 3 && next * 3 <= n * 4)
			break;
		n = next;
	}
	r->iterations = next;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Sorts @v; the @q quantile by nearest rank, the median as the mean of two. */
static double quantile(double *v, size_t n, double q)
{
	size_t k;

	if (q == 0.5)
		return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	k = (size_t)(q * n + 0.999999);
	return v[(k ? k : 1) - 1];
}

static void stats(struct bench_row *r)
{
	size_t n = r->n;

	qsort(r->samples, n, sizeof(double), cmp_double);
	r->median = quantile(r->samples, n, 0.5);
	r->p99 = quantile(r->samples, n, 0.99);
	r->q1 = quantile(r->samples, n, 0.25);
	r->q3 = quantile(r->samples, n, 0.75);
	r->min = r->samples[0];
	r->max = r->samples[n - 1];
	if (r->fails)
		snprintf(r->reason, sizeof(r->reason),
			 "(%lu calls failed)", r->fails);
}

static int pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* Pin to @cpu, or to the CPU we run on when @cpu is -1. */
int bench_pin(int cpu)
{
	if (cpu < 0)
		cpu = sched_getcpu();
	if (cpu < 0 || cpu >= CPU_SETSIZE)
		return -1;
	return pin_to(cpu) ? -1 : cpu;
}

/* Calibrate every available row; failures count from the rounds on. */
static void prepare(struct bench *b)
{
	size_t i;

	for (i = 0; i < b->nrows; i++)
		if (b->rows[i].avail)
			calibrate(b, &b->rows[i]);
	for (i = 0; i < b->nrows; i++)
		b->rows[i].fails = 0;
}

static void show_round(const struct bench *b, unsigned long round,
		       bool progress)
{
	if (progress)
		fprintf(stderr, "\rxyz bench: round %lu/%lu", round + 1,
			b->rounds);
}

static void measure(struct bench *b, bool progress)
{
	struct bench_row *r;
	unsigned long round, k;
	size_t i;

	prepare(b);
	for (round = 0; round < b->rounds; round++) {
		show_round(b, round, progress);
		for (i = 0; i < b->nrows; i++) {
			r = &b->rows[(round + i) % b->nrows];
			if (!r->avail)
				continue;
			for (k = 0; k < b->batches; k++)
				r->samples[r->n++] = batch(r, r->iterations);
		}
	}
	if (progress)
		fputs("\r\033[K", stderr);
}

/* --threads: one worker per thread, released together. */
struct worker {
	pthread_t		tid;
	struct bench_row	*r;
	pthread_barrier_t	*start;
	unsigned long		calls, fails;
	int			cpu;
	double			t0, t1;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	if (w->cpu >= 0)
		pin_to(w->cpu);
	w->fails = run_calls(w->r, 1);	/* per-thread buffers, warm */
	pthread_barrier_wait(w->start);
	w->t0 = now_ns();
	w->fails += run_calls(w->r, w->calls);
	w->t1 = now_ns();
	bench_rows_thread_done();
	return NULL;
}

/* Calls per second of @nthreads threads calling @r at once, or -1. */
static double throughput(struct bench *b, struct bench_row *r,
			 unsigned long nthreads)
{
	struct worker w[BENCH_MAX_CPUS];
	pthread_barrier_t start;
	double t0 = 0, t1 = 0, calls = 0;
	unsigned long i, made = 0;

	if (pthread_barrier_init(&start, NULL, nthreads))
		return -1;
	for (i = 0; i < nthreads; i++) {
		w[i] = (struct worker){
			.r = r, .start = &start,
			.calls = r->iterations * b->batches,
			.cpu = b->ncpus ? b->cpus[i % b->ncpus] : -1,
		};
		if (pthread_create(&w[i].tid, NULL, worker_main, &w[i]))
			break;
		made++;
	}
	if (made < nthreads) {
		/* the barrier cannot open: nothing to join safely */
		fprintf(stderr, "xyz: cannot start %lu threads\n", nthreads);
		exit(EXIT_RUNTIME);
	}
	for (i = 0; i < nthreads; i++) {
		pthread_join(w[i].tid, NULL);
		r->fails += w[i].fails;
		calls += (double)w[i].calls * (r->per_call ? r->per_call : 1);
		if (!i || w[i].t0 < t0)
			t0 = w[i].t0;
		if (!i || w[i].t1 > t1)
			t1 = w[i].t1;
	}
	pthread_barrier_destroy(&start);
	return t1 > t0 ? calls * 1e9 / (t1 - t0) : -1;
}

static void measure_threads(struct bench *b, bool progress)
{
	struct bench_row *r;
	unsigned long round;
	double one, many;
	size_t i;

	prepare(b);
	for (round = 0; round < b->rounds; round++) {
		show_round(b, round, progress);
		for (i = 0; i < b->nrows; i++) {
			r = &b->rows[(round + i) % b->nrows];
			if (!r->avail)
				continue;
			/* alternate which goes first */
			if (round % 2) {
				many = throughput(b, r, b->threads);
				one = throughput(b, r, 1);
			} else {
				one = throughput(b, r, 1);
				many = throughput(b, r, b->threads);
			}
			r->tput1[r->n] = one;
			r->tputn[r->n] = many;
			r->scale[r->n] = one > 0 ? many / one : 0;
			r->samples[r->n++] = one > 0 ? 1e9 / one : 0;
		}
	}
	if (progress)
		fputs("\r\033[K", stderr);
}

static void stats_threads(struct bench_row *r)
{
	size_t n = r->n;

	stats(r);
	qsort(r->tput1, n, sizeof(double), cmp_double);
	qsort(r->tputn, n, sizeof(double), cmp_double);
	qsort(r->scale, n, sizeof(double), cmp_double);
	r->tput1_med = quantile(r->tput1, n, 0.5);
	r->tputn_med = quantile(r->tputn, n, 0.5);
	r->scale_med = quantile(r->scale, n, 0.5);
	r->scale_min = r->scale[0];
	r->scale_max = r->scale[n - 1];
}

/* The CPUs we may run on, before pinning: where --threads puts workers. */
void bench_allowed_cpus(struct bench *b)
{
	cpu_set_t set;
	int cpu;

	b->ncpus = 0;
	if (sched_getaffinity(0, sizeof(set), &set))
		return;
	for (cpu = 0; cpu < CPU_SETSIZE && b->ncpus < BENCH_MAX_CPUS; cpu++)
		if (CPU_ISSET(cpu, &set))
			b->cpus[b->ncpus++] = cpu;
}

int bench_alloc_row(struct bench *b, struct bench_row *r)
{
	size_t n = b->threads ? b->rounds : b->rounds * b->batches;

	r->samples = calloc(n, sizeof(double));
	if (b->threads) {
		r->tput1 = calloc(n, sizeof(double));
		r->tputn = calloc(n, sizeof(double));
		r->scale = calloc(n, sizeof(double));
		if (!r->tput1 || !r->tputn || !r->scale)
			return -1;
	}
	return r->samples ? 0 : -1;
}

void bench_free_row(struct bench_row *r)
{
	free(r->samples);
	free(r->tput1);
	free(r->tputn);
	free(r->scale);
}
void bench_measure(struct bench *b, bool progress)
{
	if (b->threads)
		measure_threads(b, progress);
	else
		measure(b, progress);
}

/* The statistics of every row measured. */
void bench_stats(struct bench *b)
{
	size_t i;

	for (i = 0; i < b->nrows; i++) {
		if (!b->rows[i].avail)
			continue;
		if (b->threads)
			stats_threads(&b->rows[i]);
		else
			stats(&b->rows[i]);
	}
}
