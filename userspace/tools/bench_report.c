// SPDX-License-Identifier: MIT
/* xyz bench output: a table for people, one JSON object for scripts. */
#include <stdio.h>

#include "bench.h"
#include "cli.h"

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

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

void bench_print_json(const struct bench *b)
{
	const struct bench_row *r;
	size_t i;
	int k;

	printf("{\"arch\":\"" CLI_ARCH "\",\"hook\":");
	json_string(b->hook);
	printf(",\"op\":\"%s\",\"size\":%lu,\"cpu\":%d,\"iterations\":%lu,"
	       "\"batch_us\":%lu,\"rounds\":%lu,\"batches\":%lu,"
	       "\"clock_res_ns\":%.0f,\"threads\":%lu",
	       b->op == XYZ_OP_ECHO ? "echo" : "nop", b->size, b->cpu,
	       b->iterations, b->batch_us, b->rounds, b->batches,
	       b->clock_res_ns, b->threads);
	if (b->threads) {
		printf(",\"cpus\":[");
		for (k = 0; k < b->ncpus; k++)
			printf("%s%d", k ? "," : "", b->cpus[k]);
		putchar(']');
	}
	printf(",\"base\":");
	json_string(b->rows[0].name);
	printf(",\"rows\":[");
	for (i = 0; i < b->nrows; i++) {
		r = &b->rows[i];
		printf("%s{\"door\":", i ? "," : "");
		json_string(r->name);
		printf(",\"kind\":\"%s\",\"available\":%s",
		       r->door ? "xyz" : "baseline",
		       r->avail ? "true" : "false");
		if (r->avail) {
			printf(",\"median_ns\":%.1f,\"p99_ns\":%.1f,"
			       "\"ratio\":%.3f,\"failed_calls\":%lu,"
			       "\"iterations\":%lu,\"q1_ns\":%.1f,"
			       "\"q3_ns\":%.1f,\"min_ns\":%.1f,\"max_ns\":%.1f",
			       r->median, r->p99, ratio(b, r), r->fails,
			       r->iterations, r->q1, r->q3, r->min, r->max);
			if (b->threads)
				printf(",\"tput1_per_s\":%.0f,"
				       "\"tputn_per_s\":%.0f,\"scaling\":%.3f,"
				       "\"scaling_min\":%.3f,"
				       "\"scaling_max\":%.3f",
				       r->tput1_med, r->tputn_med,
				       r->scale_med, r->scale_min,
				       r->scale_max);
		}
		if (!r->avail || r->fails) {
			printf(",\"reason\":");
			json_string(r->reason);
		}
		putchar('}');
	}
	printf("]}\n");
}
