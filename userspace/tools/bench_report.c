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

void bench_print_table(const struct bench *b)
{
	const struct bench_row *r;
	size_t i;

	printf("xyz bench: " CLI_ARCH ", hook %s, cpu %d, %lu rounds x %lu "
	       "batches x %lu calls\n", b->hook, b->cpu, b->rounds,
	       b->batches, b->iterations);
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

	printf("{\"arch\":\"" CLI_ARCH "\",\"hook\":");
	json_string(b->hook);
	printf(",\"cpu\":%d,\"iterations\":%lu,\"rounds\":%lu,"
	       "\"batches\":%lu,\"base\":", b->cpu, b->iterations, b->rounds,
	       b->batches);
	json_string(b->rows[0].name);
	printf(",\"rows\":[");
	for (i = 0; i < b->nrows; i++) {
		r = &b->rows[i];
		printf("%s{\"door\":", i ? "," : "");
		json_string(r->name);
		printf(",\"kind\":\"%s\",\"available\":%s",
		       r->door ? "xyz" : "baseline",
		       r->avail ? "true" : "false");
		if (r->avail)
			printf(",\"median_ns\":%.1f,\"p99_ns\":%.1f,"
			       "\"ratio\":%.3f,\"failed_calls\":%lu",
			       r->median, r->p99, ratio(b, r), r->fails);
		if (!r->avail || r->fails) {
			printf(",\"reason\":");
			json_string(r->reason);
		}
		putchar('}');
	}
	printf("]}\n");
}
