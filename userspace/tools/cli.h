/* SPDX-License-Identifier: MIT */
/*
 * The xyz command: xyz.c dispatches, one file per command, cli.c what they
 * share. Each command describes its options once (struct cli_cmd): the
 * parser and --help are made from the same table.
 */
#ifndef XYZ_CLI_H
#define XYZ_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <xyz.h>

#include "arch.h"

/* Exit statuses, see xyz(1). */
#define EXIT_RUNTIME	1
#define EXIT_USAGE	2

#define CLI_ARCH	XYZ_ARCH_NAME

/* One option: for getopt_long() and for one line of --help. */
struct cli_opt {
	const char	*name;		/* long name, without the dashes */
	int		key;		/* short letter */
	const char	*arg;		/* its argument's name, or NULL */
	const char	*help;		/* one line */
};

struct cli_cmd {
	const char		*name;
	const char		*synopsis;	/* what follows "xyz NAME" */
	const char		*summary;	/* one line, for xyz --help */
	const char		*about;		/* a paragraph, for its --help */
	const struct cli_opt	*opts;		/* ends with { NULL } */
	bool			stop_at_operand; /* TEXT may start with '-' */
	int			(*run)(int argc, char **argv);
};

extern const struct cli_cmd cli_info, cli_call, cli_bench, cli_doctor;

/* cli_getopt(): -h printed the help, or a bad option printed its error. */
#define CLI_OPT_HELP	(-2)
#define CLI_OPT_BAD	(-3)

void cli_usage(FILE *f);
void cli_help(const struct cli_cmd *cmd, FILE *f);
const struct cli_cmd *cli_find_command(const char *name);
void cli_set_command(const struct cli_cmd *cmd);
int cli_getopt(int argc, char **argv, const struct cli_cmd *cmd);
int cli_opt_exit(int key);
int cli_print_version(void);

/* One line on stderr, "xyz: [COMMAND: ]what", and EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
int cli_parse_door(const char *name, enum xyz_via *via);
int cli_parse_ulong(const char *opt, const char *s, unsigned long max,
		    unsigned long *val);
void cli_fail(enum xyz_via via, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
__u32 cli_expected_door(enum xyz_via via);
void cli_print_info(const struct xyz_info *info);
const char *cli_module_version(char *buf, size_t size);

struct json;
void cli_json_info(struct json *j, const char *key,
		   const struct xyz_info *info);

#endif /* XYZ_CLI_H */
