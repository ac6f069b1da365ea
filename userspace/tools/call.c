// SPDX-License-Identifier: MIT
/* xyz call: one operation through one door. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"

static const struct cli_opt call_opts[] = {
	{ "door", 'd', "DOOR", "call through DOOR (default: the first usable)" },
	{ "json", 'j', NULL, "print one JSON object instead of text" },
	{ NULL }
};

static int cmd_call(int argc, char **argv);

const struct cli_cmd cli_call = {
	.name		= "call",
	.synopsis	= "[-d DOOR] [-j] nop|echo TEXT|info|reset",
	.summary	= "one operation through one door: nop, echo, info, reset",
	.about		= "Runs one operation and prints its result: nop its return\n"
			  "value, echo TEXT what came back, info every member of\n"
			  "struct xyz_info, reset (as root) zeroes the counters.\n"
			  "Without --door the first usable door of syscall, ioctl,\n"
			  "int80, asm is used. Options end at the operation, so\n"
			  "TEXT may start with a dash.",
	.opts		= call_opts,
	.stop_at_operand = true,
	.run		= cmd_call,
};

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
	errno = ENOSYS;
	return -1;
}

struct outcome {
	int		ret;		/* what the call returned */
	int		err;		/* its errno when ret < 0 */
	char		*echo;		/* ECHO: what came back */
	struct xyz_info	info;		/* INFO */
};

static void run(enum xyz_via via, int op, const char *text,
		struct outcome *o)
{
	size_t len;

	switch (op) {
	case XYZ_OP_NOP:
		o->ret = xyz_nop(via);
		break;
	case XYZ_OP_ECHO:
		len = strlen(text);
		o->echo = calloc(1, len + 1);
		if (!o->echo) {
			o->ret = -1;
			break;
		}
		o->ret = xyz_echo(via, text, len, o->echo, len);
		break;
	case XYZ_OP_INFO:
		o->ret = xyz_info(via, &o->info);
		break;
	case XYZ_OP_RESET:
		o->ret = xyz_reset(via);
		break;
	}
	o->err = o->ret < 0 ? errno : 0;
}

static void print_text(enum xyz_via via, int op, const struct outcome *o)
{
	switch (op) {
	case XYZ_OP_NOP:
		printf("nop via %s: %d\n", xyz_via_name(via), o->ret);
		break;
	case XYZ_OP_ECHO:
		fwrite(o->echo, 1, (size_t)o->ret, stdout);
		putchar('\n');
		break;
	case XYZ_OP_INFO:
		cli_print_info(&o->info);
		break;
	case XYZ_OP_RESET:
		printf("reset via %s: ok\n", xyz_via_name(via));
		break;
	}
}

/* @via NULL: no door could be picked. */
static void print_json(const enum xyz_via *via, int op,
		       const struct outcome *o)
{
	bool ok = via && o->ret >= 0;
	struct json j;

	json_begin(&j, stdout, "call");
	json_string(&j, "door", via ? xyz_via_name(*via) : NULL);
	json_string(&j, "op", xyz_op_name(op));
	if (ok)
		json_int(&j, "result", o->ret);
	else
		json_null(&j, "result");
	/* calloc()ed one byte longer than TEXT: a string */
	json_string(&j, "echo", ok && op == XYZ_OP_ECHO ? o->echo : NULL);
	cli_json_info(&j, "info", ok && op == XYZ_OP_INFO ? &o->info : NULL);
	json_error(&j, "error", o->err,
		   o->err ? xyz_hint(via ? *via : XYZ_VIA_SYSCALL, o->err) :
		   NULL);
	json_end(&j);
}

static int cmd_call(int argc, char **argv)
{
	enum xyz_via via = XYZ_VIA_SYSCALL;
	struct outcome o = { 0 };
	bool door_set = false, json = false;
	const char *text = NULL, *name;
	int c, op, nargs;

	while ((c = cli_getopt(argc, argv, &cli_call)) != -1) {
		switch (c) {
		case 'd':
			if (cli_parse_door(optarg, &via))
				return EXIT_USAGE;
			door_set = true;
			break;
		case 'j':
			json = true;
			break;
		default:
			return cli_opt_exit(c);
		}
	}
	if (optind >= argc)
		return cli_usage_error("which operation? "
				       "(nop, echo TEXT, info, reset)");
	name = argv[optind];
	op = xyz_op_from_name(name);
	if (op < 0)
		return cli_usage_error("unknown operation '%s' "
				       "(nop, echo TEXT, info, reset)", name);
	nargs = argc - optind - 1;
	if (op == XYZ_OP_ECHO) {
		if (nargs != 1)
			return cli_usage_error("echo takes one TEXT");
		text = argv[optind + 1];
	} else if (nargs) {
		return cli_usage_error("%s takes no argument", name);
	}

	if (!door_set && pick_door(&via)) {
		o.err = errno;
		if (json)
			print_json(NULL, op, &o);
		cli_fail(XYZ_VIA_SYSCALL, o.err, "no door is available");
		return EXIT_RUNTIME;
	}
	run(via, op, text, &o);
	if (json)
		print_json(&via, op, &o);
	else if (o.ret >= 0)
		print_text(via, op, &o);
	free(o.echo);
	if (o.ret < 0) {
		cli_fail(via, o.err, "%s via %s", xyz_op_name(op),
			 xyz_via_name(via));
		return EXIT_RUNTIME;
	}
	return 0;
}
