/* SPDX-License-Identifier: MIT */
/* The xyz command: one file per subcommand, this header between them. */
#ifndef XYZ_CLI_H
#define XYZ_CLI_H

#include <stdio.h>
#include <xyz.h>

#include "arch.h"

/* Exit statuses, see xyz(1). */
#define EXIT_RUNTIME	1
#define EXIT_USAGE	2

#define CLI_ARCH	XYZ_ARCH_NAME

void cli_usage(FILE *f);
int cli_print_version(void);
int cli_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
int cli_parse_door(const char *name, enum xyz_via *via);
int cli_parse_ulong(const char *opt, const char *s, unsigned long max,
		    unsigned long *val);
void cli_fail(enum xyz_via via, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
__u32 cli_expected_door(enum xyz_via via);
void cli_print_info(const struct xyz_info *info);

int cmd_info(int argc, char **argv);
int cmd_call(int argc, char **argv);
int cmd_bench(int argc, char **argv);

#endif /* XYZ_CLI_H */
