// SPDX-License-Identifier: MIT
/* xyz bench: the command, its options and its flow; see xyz(1). */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "cli.h"

static const struct cli_opt bench_opts[] = {
	{ "door", 'd', "DOOR", "time DOOR (repeat for more; none: baselines only)" },
	{ "op", 'o', "OP", "nop (default) or echo" },
	{ "size", 's', "N", "bytes to echo with --op echo (up to 1048576)" },
	{ "iterations", 'n', "N", "calls per batch (default 1000)" },
	{ "batch-us", 'u', "N", "size each row's batches to take N us instead" },
	{ "rounds", 'r', "N", "rounds (default 15)" },
	{ "batches", 'b', "N", "batches per row and round (default 10)" },
	{ "threads", 't', "N", "calls/s of 1 against N threads, not latency" },
	{ "raw", 'R', NULL, "also time the bare instruction of each door" },
	{ "cpu", 'c', "N", "pin to CPU N (default: the one it starts on)" },
	{ "json", 'j', NULL, "print one JSON object instead of the table" },
	{ NULL }
};

static int cmd_bench(int argc, char **argv);

const struct cli_cmd cli_bench = {
	.name		= "bench",
	.synopsis	= "[-d DOOR|none]... [-o nop|echo] [-s N] [-n N|-u N] [-r N]\n"
			  "                 [-b N] [-t N] [-R] [-c N] [-j]",
	.summary	= "ns per call of each door against native baselines",
	.about		= "Times a NOP (or an ECHO of --size bytes) through each door\n"
			  "against native baselines measured in the same run: median\n"
			  "and p99 per call, and the ratio to getppid. Without\n"
			  "--door every door, uring in batches of 1, 8, 32 and 128\n"
			  "next to io_uring's OP_NOP. A door that does not work is\n"
			  "listed as unavailable; when no door could be measured\n"
			  "(or nothing at all) it exits 1.",
	.opts		= bench_opts,
	.run		= cmd_bench,
};

/* A row ran and failed later, or nothing could be measured: 1. */
static int bench_status(const struct bench *b, bool no_doors)
{
	const struct bench_row *why = NULL;
	size_t i, avail = 0, doors = 0, doors_avail = 0;

	for (i = 0; i < b->nrows; i++) {
		const struct bench_row *r = &b->rows[i];

		avail += r->avail;
		if (!r->door)
			continue;
		doors++;
		doors_avail += r->avail;
		if (!r->avail && !why)
			why = r;
	}
	if (!avail) {
		fprintf(stderr, "xyz: bench: nothing could be measured\n");
		return EXIT_RUNTIME;
	}
	if (!no_doors && doors && !doors_avail) {
		fprintf(stderr, "xyz: bench: no door could be measured: %s\n",
			why->reason);
		return EXIT_RUNTIME;
	}
	for (i = 0; i < b->nrows; i++)
		if (b->rows[i].fails)
			return EXIT_RUNTIME;	/* it worked, then stopped */
	return 0;
}

static int cmd_bench(int argc, char **argv)
{
	struct bench b = {
		.iterations = 1000, .rounds = 15, .batches = 10, .cpu = -1,
		.op = XYZ_OP_NOP,
	};
	bool want[XYZ_VIA_COUNT] = { false }, any_door = false, json = false;
	bool no_doors = false, raw = false;
	unsigned long val, *field;
	struct xyz_module mod;
	struct timespec res;
	enum xyz_via door;
	const char *name;
	int c, ret, cpu;
	size_t i;

	while ((c = cli_getopt(argc, argv, &cli_bench)) != -1) {
		switch (c) {
		case 'd':
			if (!strcmp(optarg, "none")) {
				no_doors = true;
				break;
			}
			if (cli_parse_door(optarg, &door))
				return EXIT_USAGE;
			want[door] = any_door = true;
			break;
		case 'o':
			if (!strcmp(optarg, "nop"))
				b.op = XYZ_OP_NOP;
			else if (!strcmp(optarg, "echo"))
				b.op = XYZ_OP_ECHO;
			else
				return cli_usage_error("--op is nop or echo, "
						       "not '%s'", optarg);
			break;
		case 's':
			if (cli_parse_ulong("--size", optarg, XYZ_ECHO_MAX,
					    &val))
				return EXIT_USAGE;
			b.size = val;
			break;
		case 'n':
		case 'r':
		case 'b':
		case 'u':
		case 't':
			name = c == 'n' ? "--iterations" :
			       c == 'r' ? "--rounds" :
			       c == 'b' ? "--batches" :
			       c == 'u' ? "--batch-us" : "--threads";
			field = c == 'n' ? &b.iterations :
				c == 'r' ? &b.rounds :
				c == 'b' ? &b.batches :
				c == 'u' ? &b.batch_us : &b.threads;
			/* rounds x batches samples must fit a 32-bit size */
			if (cli_parse_ulong(name, optarg,
					    c == 'n' ? BENCH_MAX_ITERATIONS :
					    c == 'u' ? 10000000UL :
					    c == 't' ? BENCH_MAX_CPUS : 10000UL,
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
		case 'R':
			raw = true;
			break;
		case 'j':
			json = true;
			break;
		default:
			return cli_opt_exit(c);
		}
	}
	if (optind != argc)
		return cli_usage_error("takes no arguments, not '%s'",
				       argv[optind]);
	if (no_doors && any_door)
		return cli_usage_error("--door none times the baselines only");
	if (b.size && b.op != XYZ_OP_ECHO)
		return cli_usage_error("--size is for --op echo");
	bench_rows_init(b.op, b.size);

	if (b.threads) {
		/* workers are pinned, one per CPU we may use */
		bench_allowed_cpus(&b);
		if (b.cpu >= 0) {
			b.cpus[0] = b.cpu;
			b.ncpus = 1;
		}
	} else {
		cpu = bench_pin(b.cpu);
		if (cpu < 0) {
			if (b.cpu >= 0) {
				fprintf(stderr,
					"xyz: cannot pin to cpu %d: %s\n",
					b.cpu, strerror(errno));
				return EXIT_RUNTIME;
			}
			fprintf(stderr, "xyz: warning: not pinned to a cpu: %s\n",
				strerror(errno));
		}
		b.cpu = cpu;
	}
	if (!clock_getres(CLOCK_MONOTONIC, &res))
		b.clock_res_ns = res.tv_sec * 1e9 + res.tv_nsec;

	xyz_module_state(&mod);
	b.hook = !mod.loaded ? "(module not loaded)" :
		 mod.hook >= 0 ? xyz_hook_name(mod.hook) : "unknown";
	b.loaded = mod.loaded;
	b.hook_id = mod.loaded ? mod.hook : -1;
	bench_rows_add(&b, &mod, want, any_door, no_doors, raw);

	for (i = 0; i < b.nrows; i++) {
		if (bench_alloc_row(&b, &b.rows[i])) {
			fprintf(stderr, "xyz: out of memory\n");
			return EXIT_RUNTIME;
		}
		bench_probe(&b.rows[i]);
	}
	bench_measure(&b, isatty(STDERR_FILENO));
	bench_stats(&b);

	if (json)
		bench_print_json(&b);
	else
		bench_print_table(&b);
	ret = bench_status(&b, no_doors);
	for (i = 0; i < b.nrows; i++)
		bench_free_row(&b.rows[i]);
	bench_rows_close();
	return ret;
}
