// SPDX-License-Identifier: MIT
/* xyz info: what sysfs says, and what each door answers to INFO. */
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "cli.h"

static const char *or_unknown(const char *name)
{
	return name ? name : "unknown";
}

void cli_print_info(const struct xyz_info *info)
{
	printf("size         %u\n", info->size);
	printf("abi_version  %u\n", info->abi_version);
	printf("door         %s\n", or_unknown(xyz_door_name(info->door)));
	printf("hook         %s\n", or_unknown(xyz_hook_name(info->hook)));
	printf("nr           %d\n", info->nr);
	printf("compat_nr    %d\n", info->compat_nr);
	printf("cpu          %u\n", info->cpu);
	printf("uid          %u\n", info->uid);
	printf("pid          %u\n", info->pid);
	printf("tgid         %u\n", info->tgid);
	printf("calls        %llu\n", (unsigned long long)info->calls);
}

struct door_result {
	int		err;		/* 0 when INFO answered */
	struct xyz_info	info;
};

static void print_door(enum xyz_via via, const struct door_result *r)
{
	const char *hint;

	printf("  %-8s ", xyz_via_name(via));
	if (r->err) {
		hint = xyz_hint(via, r->err);
		printf("unavailable: %s%s%s\n", strerror(r->err),
		       hint ? ": " : "", hint ? hint : "");
		return;
	}
	printf("ok (door=%s", or_unknown(xyz_door_name(r->info.door)));
	if (r->info.door != cli_expected_door(via))
		printf(", expected %s",
		       xyz_door_name(cli_expected_door(via)));
	printf(")\n");
}

/* --door: INFO through that door only, every member. */
static int info_one(enum xyz_via via)
{
	struct xyz_info info;

	if (xyz_info(via, &info) < 0) {
		cli_fail(via, errno, "info via %s", xyz_via_name(via));
		return EXIT_RUNTIME;
	}
	cli_print_info(&info);
	return 0;
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "door", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct door_result res[XYZ_VIA_COUNT];
	const struct xyz_info *last = NULL;
	struct xyz_module mod;
	enum xyz_via one;
	bool door_set = false;
	int c, via;

	while ((c = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (cli_parse_door(optarg, &one))
				return EXIT_USAGE;
			door_set = true;
			break;
		case 'h':
			cli_usage(stdout);
			return 0;
		default:
			return cli_usage_error("bad option for info");
		}
	}
	if (optind != argc)
		return cli_usage_error("info takes no arguments");
	if (door_set)
		return info_one(one);

	xyz_module_state(&mod);
	if (!mod.loaded) {
		printf("module       not loaded\n");
		fprintf(stderr, "xyz: %s\n", xyz_hint(XYZ_VIA_SYSCALL, ENOSYS));
		return EXIT_RUNTIME;
	}

	/* INFO through every door: the last answer has the freshest count. */
	for (via = 0; via < XYZ_VIA_COUNT; via++) {
		res[via].err = 0;
		if (!xyz_via_name(via))
			continue;	/* unknown to this build */
		if (xyz_info(via, &res[via].info) < 0)
			res[via].err = errno;
		else
			last = &res[via].info;
	}

	printf("module       loaded\n");
	printf("hook         %s\n", or_unknown(xyz_hook_name(mod.hook)));
	printf("nr           %d\n", mod.nr);
	printf("compat_nr    %d\n", mod.compat_nr);
	if (last) {
		printf("abi          %u (library %d)\n", last->abi_version,
		       XYZ_ABI_VERSION);
		printf("calls        %llu\n",
		       (unsigned long long)last->calls);
	} else {
		printf("abi          unknown (no door answers)\n");
		printf("calls        unknown (no door answers)\n");
	}
	printf("doors (" CLI_ARCH ")\n");
	for (via = 0; via < XYZ_VIA_COUNT; via++)
		if (xyz_via_name(via))
			print_door(via, &res[via]);

	if (!last) {
		fprintf(stderr, "xyz: module xyz is loaded, no door answers\n");
		return EXIT_RUNTIME;
	}
	return 0;
}
