// SPDX-License-Identifier: MIT
/* xyz bench output: a table for people, one JSON object for scripts. */
#include <math.h>
#include <stdio.h>

#include "bench.h"
#include "cli.h"
#include "json.h"

static double ratio(const struct bench *b, const struct bench_row *r)
{
	const struct bench_row *base = &b->rows[0];

	return base->avail && base->median > 0 ? r->median / base->median : 0;
}

static const char *op_label(const struct bench *b, char *buf, size_t len)
{
	if (b->op == XYZ_OP_ECHO)
		snprintf(buf, len, "ECHO of %lu B", b->size);
	else
		snprintf(buf, len, "NOP");
	return buf;
}

static void print_threads_table(const struct bench *b)
{
	const struct bench_row *r;
	char op[32];
	size_t i;

	printf("xyz bench: " CLI_ARCH ", hook %s, %s, 1 vs %lu threads on "
	       "%d cpu(s), %lu rounds x ", b->hook,
	       op_label(b, op, sizeof(op)), b->threads, b->ncpus, b->rounds);
	if (b->batch_us)
		printf("%lu us per thread\n", b->batches * b->batch_us);
	else
		printf("%lu calls per thread\n", b->batches * b->iterations);
	snprintf(op, sizeof(op), "%lu threads/s", b->threads);
	printf("%-22s %12s %14s %8s %15s\n", "door", "1 thread/s", op,
	       "scaling", "min..max");
	for (i = 0; i < b->nrows; i++) {
		r = &b->rows[i];
		if (!r->avail) {
			printf("%-22s unavailable: %s\n", r->name, r->reason);
			continue;
		}
		printf("%-22s %12.0f %14.0f %8.2f %7.2f..%-7.2f", r->name,
		       r->tput1_med, r->tputn_med, r->scale_med, r->scale_min,
		       r->scale_max);
		if (r->fails)
			printf("  %s", r->reason);
		putchar('\n');
	}
	printf("scaling: median over rounds of (calls/s with %lu threads) / "
	       "(calls/s with 1)\n", b->threads);
}

void bench_print_table(const struct bench *b)
{
	const struct bench_row *r;
	char op[32];
	size_t i;

	if (b->threads) {
		print_threads_table(b);
		return;
	}
	printf("xyz bench: " CLI_ARCH ", hook %s, %s, cpu %d, %lu rounds x "
	       "%lu batches x ", b->hook, op_label(b, op, sizeof(op)), b->cpu,
	       b->rounds, b->batches);
	if (b->batch_us)
		printf("%lu us\n", b->batch_us);
	else
		printf("%lu calls\n", b->iterations);
	printf("%-22s %10s %10s %7s\n", "door", "median ns", "p99 ns",
	       "ratio");
	for (i = 0; i < b->nrows; i++) {
		r = &b->rows[i];
		if (!r->avail) {
			printf("%-22s unavailable: %s\n", r->name, r->reason);
			continue;
		}
		printf("%-22s %10.1f %10.1f %7.2f", r->name, r->median, r->p99,
		       ratio(b, r));
		if (r->fails)
			printf("  %s", r->reason);
		putchar('\n');
	}
	printf("ratio: median / median of %s; p99 over batch means\n",
	       b->rows[0].name);
}

/* A measurement, or null when the row has none. */
static void json_ns(struct json *j, const char *key, bool have, double v)
{
	json_real(j, key, 1, have ? v : NAN);
}

static void json_row(struct json *j, const struct bench *b,
		     const struct bench_row *r)
{
	bool m = r->avail, t = r->avail && b->threads;

	json_object(j, NULL);
	json_string(j, "id", r->id);
	json_string(j, "label", r->name);
	json_string(j, "door", r->name);	/* = label, which scripts read */
	json_string(j, "via", r->door ? xyz_via_name(r->via) : NULL);
	json_string(j, "kind", r->door ? "xyz" : "baseline");
	if (r->per_call)
		json_uint(j, "batch", r->per_call);
	else
		json_null(j, "batch");
	json_bool(j, "available", r->avail);
	json_ns(j, "median_ns", m, r->median);
	json_ns(j, "p99_ns", m, r->p99);
	json_real(j, "ratio", 3, m && ratio(b, r) > 0 ? ratio(b, r) : NAN);
	if (m)
		json_uint(j, "failed_calls", r->fails);
	else
		json_null(j, "failed_calls");
	if (m)
		json_uint(j, "iterations", r->iterations);
	else
		json_null(j, "iterations");
	json_ns(j, "q1_ns", m, r->q1);
	json_ns(j, "q3_ns", m, r->q3);
	json_ns(j, "min_ns", m, r->min);
	json_ns(j, "max_ns", m, r->max);
	json_real(j, "tput1_per_s", 0, t ? r->tput1_med : NAN);
	json_real(j, "tputn_per_s", 0, t ? r->tputn_med : NAN);
	json_real(j, "scaling", 3, t ? r->scale_med : NAN);
	json_real(j, "scaling_min", 3, t ? r->scale_min : NAN);
	json_real(j, "scaling_max", 3, t ? r->scale_max : NAN);
	json_string(j, "reason", !r->avail || r->fails ? r->reason : NULL);
	json_close(j);
}

void bench_print_json(const struct bench *b)
{
	struct json j;
	size_t i;
	int k;

	json_begin(&j, stdout, "bench");
	json_bool(&j, "module_loaded", b->loaded);
	json_string(&j, "hook", b->loaded ? xyz_hook_name(b->hook_id) : NULL);
	json_string(&j, "op", b->op == XYZ_OP_ECHO ? "echo" : "nop");
	json_uint(&j, "size", b->size);
	if (b->cpu >= 0)
		json_int(&j, "cpu", b->cpu);
	else
		json_null(&j, "cpu");
	if (b->batch_us) {
		json_null(&j, "iterations");
		json_uint(&j, "batch_us", b->batch_us);
	} else {
		json_uint(&j, "iterations", b->iterations);
		json_null(&j, "batch_us");
	}
	json_uint(&j, "rounds", b->rounds);
	json_uint(&j, "batches", b->batches);
	json_real(&j, "clock_res_ns", 0,
		  b->clock_res_ns > 0 ? b->clock_res_ns : NAN);
	if (b->threads) {
		json_uint(&j, "threads", b->threads);
		json_array(&j, "cpus");
		for (k = 0; k < b->ncpus; k++)
			json_int(&j, NULL, b->cpus[k]);
		json_close(&j);
	} else {
		json_null(&j, "threads");
		json_null(&j, "cpus");
	}
	json_string(&j, "base", b->rows[0].id);
	json_string(&j, "base_label", b->rows[0].name);
	json_array(&j, "rows");
	for (i = 0; i < b->nrows; i++)
		json_row(&j, b, &b->rows[i]);
	json_close(&j);
	json_end(&j);
}
