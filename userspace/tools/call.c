// SPDX-License-Identifier: MIT
/* xyz call: one operation through one door. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Without --door: the cheapest door first, the bouncing int80 late. */
static const enum xyz_via auto_order[] = {
	XYZ_VIA_SYSCALL, XYZ_VIA_IOCTL, XYZ_VIA_INT80, XYZ_VIA_ASM,
};	/* never mmap: it answers INFO only */

static int pick_door(enum xyz_via *via)
{
	size_t i;

	for (i = 0; i < sizeof(auto_order) / sizeof(auto_order[0]); i++) {
		if (xyz_door_usable(auto_order[i])) {
			*via = auto_order[i];
			return 0;
		}
	}
	cli_fail(XYZ_VIA_SYSCALL, ENOSYS, "no door is available");
	return -1;
}

static int echo(enum xyz_via via, const char *text)
{
	size_t len = strlen(text);
	char *out = malloc(len + 1);
	int ret;

	if (!out)
		return -1;
	ret = xyz_echo(via, text, len, out, len);
	if (ret >= 0) {
		fwrite(out, 1, (size_t)ret, stdout);
		putchar('\n');
	}
	free(out);
	return ret;
}

static int run(enum xyz_via via, int op, const char *text)
{
	struct xyz_info info;
	int ret = -1;

	switch (op) {
	case XYZ_OP_NOP:
		ret = xyz_nop(via);
		if (ret >= 0)
			printf("nop via %s: %d\n", xyz_via_name(via), ret);
		break;
	case XYZ_OP_ECHO:
		ret = echo(via, text);
		break;
	case XYZ_OP_INFO:
		ret = xyz_info(via, &info);
		if (ret >= 0)
			cli_print_info(&info);
		break;
	case XYZ_OP_RESET:
		ret = xyz_reset(via);
		if (ret >= 0)
			printf("reset via %s: ok\n", xyz_via_name(via));
		break;
	}
	return ret;
}

int cmd_call(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "door", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	enum xyz_via via = XYZ_VIA_SYSCALL;
	bool door_set = false;
	const char *text = NULL, *name;
	int c, op, nargs;

	/* '+': stop at the operation, so TEXT may start with '-'. */
	while ((c = getopt_long(argc, argv, "+d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (cli_parse_door(optarg, &via))
				return EXIT_USAGE;
			door_set = true;
			break;
		case 'h':
			cli_usage(stdout);
			return 0;
		default:
			return cli_usage_error("bad option for call");
		}
	}
	if (optind >= argc)
		return cli_usage_error("call: which operation? "
				       "(nop, echo TEXT, info, reset)");
	name = argv[optind];
	op = xyz_op_from_name(name);
	if (op < 0)
		return cli_usage_error("call: unknown operation '%s'", name);
	nargs = argc - optind - 1;
	if (op == XYZ_OP_ECHO) {
		if (nargs != 1)
			return cli_usage_error("call echo takes one TEXT");
		text = argv[optind + 1];
	} else if (nargs) {
		return cli_usage_error("call %s takes no argument", name);
	}

	if (!door_set && pick_door(&via))
		return EXIT_RUNTIME;
	if (run(via, op, text) < 0) {
		cli_fail(via, errno, "%s via %s", xyz_op_name(op),
			 xyz_via_name(via));
		return EXIT_RUNTIME;
	}
	return 0;
}
