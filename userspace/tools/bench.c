// SPDX-License-Identifier: MIT
/* xyz bench: the command, its options and its flow; see xyz(1). */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "cli.h"

int cmd_bench(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "door", required_argument, NULL, 'd' },
		{ "op", required_argument, NULL, 'o' },
		{ "size", required_argument, NULL, 's' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "batch-us", required_argument, NULL, 'u' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "batches", required_argument, NULL, 'b' },
		{ "threads", required_argument, NULL, 't' },
		{ "raw", no_argument, NULL, 'R' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
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
	int c, ret = 0, cpu;
	size_t i;

	while ((c = getopt_long(argc, argv, "d:o:s:n:u:r:b:t:c:Rjh", opts,
				NULL)) != -1) {
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
				return cli_usage_error("bench times nop or "
						       "echo, not '%s'",
						       optarg);
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
		case 'h':
			cli_usage(stdout);
			return 0;
		default:
			return cli_usage_error("bad option for bench");
		}
	}
	if (optind != argc)
		return cli_usage_error("bench takes no arguments");
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
	bench_rows_add(&b, &mod, want, any_door, no_doors, raw);

	for (i = 0; i < b.nrows; i++) {
		if (bench_alloc_row(&b, &b.rows[i])) {
			fprintf(stderr, "xyz: out of memory\n");
			return EXIT_RUNTIME;
		}
		bench_probe(&b.rows[i]);
	}
	bench_measure(&b, isatty(STDERR_FILENO));
	if (bench_stats(&b))
		ret = EXIT_RUNTIME;	/* a row worked, then stopped */

	if (json)
		bench_print_json(&b);
	else
		bench_print_table(&b);
	for (i = 0; i < b.nrows; i++)
		bench_free_row(&b.rows[i]);
	bench_rows_close();
	return ret;
}
