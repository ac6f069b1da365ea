// SPDX-License-Identifier: MIT
/*
 * What the xyz commands share: usage and per-command help from one table of
 * options, one-line errors, parsing, the version.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "json.h"

static const struct cli_cmd *const commands[] = {
	&cli_info, &cli_call, &cli_bench, &cli_doctor,
};

/* Every command takes -h; --help lists it last. */
static const struct cli_opt help_opt = {
	"help", 'h', NULL, "print this help and exit",
};

/* The command being parsed: its name prefixes usage errors. */
static const struct cli_cmd *current;

void cli_set_command(const struct cli_cmd *cmd)
{
	current = cmd;
}

void cli_usage(FILE *f)
{
	size_t i;

	fputs("usage: xyz COMMAND [OPTION]... [ARG]...\n"
	      "       xyz -h|--help | -V|--version | help [COMMAND]\n"
	      "\n"
	      "Look at the xyz module, call it, time its doors, and tell what\n"
	      "stands in the way.\n"
	      "\n"
	      "commands:\n", f);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i]->name,
			commands[i]->summary);
	fputs("\n"
	      "options:\n"
	      "  -h, --help     print this help, or with a command its options\n"
	      "  -V, --version  print the version of xyz and of the loaded module\n"
	      "\n"
	      "DOOR is syscall, asm, int80, ioctl, mmap (the shared page: INFO\n"
	      "only, no kernel entry) or uring. 'xyz COMMAND --help' lists the\n"
	      "options of COMMAND; xyz(1) tells the rest.\n"
	      "Exit status: 0 ok, 1 runtime failure (doctor: something blocks\n"
	      "xyz), 2 usage error.\n", f);
}

static void help_line(FILE *f, const struct cli_opt *o)
{
	char head[40];

	snprintf(head, sizeof(head), "-%c, --%s%s%s", o->key, o->name,
		 o->arg ? " " : "", o->arg ? o->arg : "");
	fprintf(f, "  %-22s %s\n", head, o->help);
}

void cli_help(const struct cli_cmd *cmd, FILE *f)
{
	const struct cli_opt *o;

	fprintf(f, "usage: xyz %s %s\n\n%s\n\noptions:\n", cmd->name,
		cmd->synopsis, cmd->about);
	for (o = cmd->opts; o->name; o++)
		help_line(f, o);
	help_line(f, &help_opt);
}

const struct cli_cmd *cli_find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("xyz: ", stderr);
	if (current)
		fprintf(stderr, "%s: ", current->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (current)
		fprintf(stderr, " (try 'xyz %s --help')\n", current->name);
	else
		fputs(" (try 'xyz --help')\n", stderr);
	return EXIT_USAGE;
}

#define CLI_MAX_OPTS	16

struct opt_tables {
	struct option	longs[CLI_MAX_OPTS + 1];
	char		shorts[3 * CLI_MAX_OPTS + 3];
	size_t		n, k;
};

static void add_opt(struct opt_tables *t, const struct cli_opt *o)
{
	if (t->n == CLI_MAX_OPTS)
		return;
	t->longs[t->n++] = (struct option){
		o->name, o->arg ? required_argument : no_argument, NULL, o->key,
	};
	t->shorts[t->k++] = (char)o->key;
	if (o->arg)
		t->shorts[t->k++] = ':';
}

/* getopt_long()'s tables, made from @cmd's options and -h. */
static const struct opt_tables *opt_tables(const struct cli_cmd *cmd)
{
	static struct opt_tables t;
	static const struct cli_cmd *made;
	const struct cli_opt *o;

	if (made == cmd)
		return &t;
	memset(&t, 0, sizeof(t));
	if (cmd->stop_at_operand)
		t.shorts[t.k++] = '+';
	t.shorts[t.k++] = ':';	/* a missing argument is ':', not '?' */
	for (o = cmd->opts; o->name; o++)
		add_opt(&t, o);
	add_opt(&t, &help_opt);
	made = cmd;
	return &t;
}

/* @text is --NAME[=...] where NAME (or a prefix of it) has @key. */
static bool is_long(const struct cli_cmd *cmd, const char *text, int key)
{
	const struct cli_opt *o = cmd->opts;
	size_t len;

	if (strncmp(text, "--", 2))
		return false;
	len = strcspn(text + 2, "=");
	if (!key)
		return true;	/* getopt_long() knew no such name */
	for (;; o++) {
		if (!o->name)
			o = &help_opt;
		if (o->key == key && !strncmp(o->name, text + 2, len))
			return true;
		if (o == &help_opt)
			return false;
	}
}

/* How many of @cmd's long names begin with what --@text gives. */
static int prefix_of(const struct cli_cmd *cmd, const char *text)
{
	size_t len = strcspn(text + 2, "=");
	const struct cli_opt *o;
	int n = 0;

	for (o = cmd->opts; o->name; o++)
		n += !strncmp(o->name, text + 2, len);
	return n + !strncmp(help_opt.name, text + 2, len);
}

/*
 * getopt_long() with @cmd's options, without getopt's own messages: one
 * line per mistake. Returns the option's letter, -1 at the first operand,
 * CLI_OPT_HELP after printing the help, CLI_OPT_BAD after an error.
 */
int cli_getopt(int argc, char **argv, const struct cli_cmd *cmd)
{
	const struct opt_tables *t = opt_tables(cmd);
	char letter[3] = "-";
	const char *text;
	int c;

	cli_set_command(cmd);
	opterr = 0;
	c = getopt_long(argc, argv, t->shorts, t->longs, NULL);
	if (c == 'h') {
		cli_help(cmd, stdout);
		return CLI_OPT_HELP;
	}
	if (c != ':' && c != '?')
		return c;
	/* a long option is the word it came in; a short one is optopt */
	text = optind > 0 && optind <= argc ? argv[optind - 1] : "";
	if (!is_long(cmd, text, optopt)) {
		letter[1] = (char)optopt;
		text = letter;
	}
	if (c == ':')
		cli_usage_error("option '%s' needs an argument", text);
	else if (optopt && text != letter)
		cli_usage_error("option '%.*s' takes no argument",
				(int)strcspn(text, "="), text);
	else if (text != letter && prefix_of(cmd, text) > 1)
		cli_usage_error("ambiguous option '%.*s'",
				(int)strcspn(text, "="), text);
	else
		cli_usage_error("unknown option '%.*s'",
				(int)strcspn(text, "="), text);
	return CLI_OPT_BAD;
}

/* What a command returns for CLI_OPT_HELP, CLI_OPT_BAD or a stray key. */
int cli_opt_exit(int key)
{
	return key == CLI_OPT_HELP ? 0 : EXIT_USAGE;
}

int cli_parse_door(const char *name, enum xyz_via *via)
{
	int v = xyz_via_from_name(name);

	if (v < 0)
		return cli_usage_error("unknown door '%s' "
				       "(syscall, asm, int80, ioctl, mmap, uring)",
				       name);
	*via = (enum xyz_via)v;
	return 0;
}

int cli_parse_ulong(const char *opt, const char *s, unsigned long max,
		    unsigned long *val)
{
	char *end;

	errno = 0;
	*val = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || *val > max)
		return cli_usage_error("%s wants a number up to %lu, not '%s'",
				       opt, max, s);
	return 0;
}

/* "xyz: WHAT: strerror" and, when the library has one, what to do. */
void cli_fail(enum xyz_via via, int err, const char *fmt, ...)
{
	const char *hint = xyz_hint(via, err);
	va_list ap;

	fputs("xyz: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	if (hint)
		fprintf(stderr, "xyz: hint: %s\n", hint);
}

/* The door INFO should report for a call through @via from this program. */
__u32 cli_expected_door(enum xyz_via via)
{
	if (via == XYZ_VIA_IOCTL)
		return XYZ_DOOR_IOCTL;
	if (via == XYZ_VIA_MMAP)
		return XYZ_DOOR_MMAP;
	if (via == XYZ_VIA_URING)
		return XYZ_DOOR_URING;
#if XYZ_ARCH_HAS_SYSCALL
	if (via != XYZ_VIA_INT80)
		return XYZ_DOOR_SYSCALL;
#endif
	return XYZ_DOOR_COMPAT;
}

/*
 * The loaded module's version from sysfs, under $XYZ_ROOT like libxyz's
 * discovery: NULL when it is not loaded, "" when it has no version.
 */
const char *cli_module_version(char *buf, size_t size)
{
	const char *root = secure_getenv("XYZ_ROOT");
	char path[PATH_MAX];
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/sys/module/xyz", root ? root : "");
	if (access(path, F_OK))
		return NULL;
	strncat(path, "/version", sizeof(path) - strlen(path) - 1);
	f = fopen(path, "re");
	if (f) {
		if (!fgets(buf, (int)size, f))
			buf[0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
	return buf;
}

/* The tool's version and the loaded module's: another build shows. */
int cli_print_version(void)
{
	char ver[64];
	const char *mod = cli_module_version(ver, sizeof(ver));

	printf("xyz %s (" CLI_ARCH ", ABI %d)\n", LIBXYZ_VERSION,
	       XYZ_ABI_VERSION);
	if (!mod)
		printf("module xyz: not loaded\n");
	else
		printf("module xyz: %s\n", mod[0] ? mod : "loaded, no version");
	return 0;
}
