// SPDX-License-Identifier: MIT
/* xyz: look at the module, call it, time its doors. See xyz(1). */
#include <string.h>

#include "cli.h"

static bool is(const char *arg, const char *a, const char *b)
{
	return !strcmp(arg, a) || !strcmp(arg, b);
}

int main(int argc, char **argv)
{
	const char *arg = argc > 1 ? argv[1] : NULL;
	const struct cli_cmd *cmd;

	if (!arg)
		return cli_usage_error("missing command");
	if (is(arg, "-h", "--help") || (!strcmp(arg, "help") && argc == 2)) {
		cli_usage(stdout);
		return 0;
	}
	if (is(arg, "-V", "--version")) {
		if (argc > 2)
			return cli_usage_error("%s takes no arguments", arg);
		return cli_print_version();
	}
	if (!strcmp(arg, "help")) {
		if (argc > 3)
			return cli_usage_error("help takes one command");
		cmd = cli_find_command(argv[2]);
		if (!cmd)
			return cli_usage_error("no command '%s' to help with",
					       argv[2]);
		cli_help(cmd, stdout);
		return 0;
	}
	cmd = cli_find_command(arg);
	if (!cmd)
		return cli_usage_error(arg[0] == '-' ? "unknown option '%s'" :
				       "unknown command '%s'", arg);
	cli_set_command(cmd);
	return cmd->run(argc - 1, argv + 1);
}
