// SPDX-License-Identifier: MIT
/* xyz info: what sysfs says, and what each door answers to INFO. */
#include <errno.h>
#include <string.h>

#include "cli.h"
#include "json.h"

static const struct cli_opt info_opts[] = {
	{ "door", 'd', "DOOR",
	  "INFO through DOOR only, every member of struct xyz_info" },
	{ "json", 'j', NULL, "print one JSON object instead of text" },
	{ NULL }
};

static int cmd_info(int argc, char **argv);

const struct cli_cmd cli_info = {
	.name		= "info",
	.synopsis	= "[-d DOOR] [-j]",
	.summary	= "what is loaded, and what each door answers",
	.about		= "Prints what sysfs says about the module (hook, numbers),\n"
			  "then asks INFO through every door: the ABI, the call\n"
			  "counter, and for each door ok or why not. Exits 1 when\n"
			  "the module is not loaded or no door answers.",
	.opts		= info_opts,
	.run		= cmd_info,
};

static const char *or_unknown(const char *name)
{
	return name ? name : "unknown";
}

/* uid, pid and tgid read (__u32)-1 where only a kernel entry can tell. */
static void print_id(const char *name, __u32 id)
{
	if (id == (__u32)-1)
		printf("%-12s n/a\n", name);
	else
		printf("%-12s %u\n", name, id);
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
	print_id("uid", info->uid);
	print_id("pid", info->pid);
	print_id("tgid", info->tgid);
	printf("calls        %llu\n", (unsigned long long)info->calls);
}

static void json_id(struct json *j, const char *key, __u32 id)
{
	if (id == (__u32)-1)
		json_null(j, key);
	else
		json_uint(j, key, id);
}

static void json_nr(struct json *j, const char *key, int nr)
{
	if (nr < 0)
		json_null(j, key);	/* not hooked */
	else
		json_int(j, key, nr);
}

/* struct xyz_info as an object; what it cannot tell is null. */
void cli_json_info(struct json *j, const char *key,
		   const struct xyz_info *info)
{
	if (!info) {
		json_null(j, key);
		return;
	}
	json_object(j, key);
	json_uint(j, "size", info->size);
	json_uint(j, "abi_version", info->abi_version);
	json_string(j, "door", xyz_door_name(info->door));
	json_string(j, "hook", xyz_hook_name(info->hook));
	json_nr(j, "nr", info->nr);
	json_nr(j, "compat_nr", info->compat_nr);
	json_uint(j, "cpu", info->cpu);
	json_id(j, "uid", info->uid);
	json_id(j, "pid", info->pid);
	json_id(j, "tgid", info->tgid);
	json_uint(j, "calls", info->calls);
	json_close(j);
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
static int info_one(enum xyz_via via, bool json)
{
	struct xyz_info info;
	int err = 0;
	struct json j;

	if (xyz_info(via, &info) < 0)
		err = errno;
	if (json) {
		json_begin(&j, stdout, "info");
		json_string(&j, "door", xyz_via_name(via));
		cli_json_info(&j, "info", err ? NULL : &info);
		json_error(&j, "error", err, err ? xyz_hint(via, err) : NULL);
		json_end(&j);
	} else if (!err) {
		cli_print_info(&info);
	}
	if (err) {
		cli_fail(via, err, "info via %s", xyz_via_name(via));
		return EXIT_RUNTIME;
	}
	return 0;
}

static void json_module(struct json *j, const struct xyz_module *mod)
{
	char ver[64];
	const char *v = cli_module_version(ver, sizeof(ver));

	json_object(j, "module");
	json_bool(j, "loaded", mod->loaded);
	json_string(j, "version", mod->loaded && v && v[0] ? v : NULL);
	json_string(j, "hook", mod->loaded ? xyz_hook_name(mod->hook) : NULL);
	json_nr(j, "nr", mod->nr);
	json_nr(j, "compat_nr", mod->compat_nr);
	json_close(j);
}

static void json_doors(struct json *j, const struct door_result *res)
{
	int via;

	json_array(j, "doors");
	for (via = 0; via < XYZ_VIA_COUNT; via++) {
		const struct door_result *r = &res[via];

		if (!xyz_via_name(via))
			continue;
		json_object(j, NULL);
		json_string(j, "id", xyz_via_name(via));
		json_string(j, "label", xyz_via_name(via));
		json_bool(j, "available", !r->err);
		json_string(j, "door",
			    r->err ? NULL : xyz_door_name(r->info.door));
		json_string(j, "expected",
			    xyz_door_name(cli_expected_door(via)));
		json_error(j, "error", r->err,
			   r->err ? xyz_hint(via, r->err) : NULL);
		json_close(j);
	}
	json_close(j);
}

static void print_json(const struct xyz_module *mod,
		       const struct door_result *res,
		       const struct xyz_info *last)
{
	struct json j;

	json_begin(&j, stdout, "info");
	json_int(&j, "library_abi", XYZ_ABI_VERSION);
	json_module(&j, mod);
	if (last) {
		json_uint(&j, "abi_version", last->abi_version);
		json_uint(&j, "calls", last->calls);
	} else {
		json_null(&j, "abi_version");
		json_null(&j, "calls");
	}
	json_doors(&j, res);
	json_end(&j);
}

static void print_text(const struct xyz_module *mod,
		       const struct door_result *res,
		       const struct xyz_info *last)
{
	int via;

	printf("module       loaded\n");
	printf("hook         %s\n", or_unknown(xyz_hook_name(mod->hook)));
	printf("nr           %d\n", mod->nr);
	printf("compat_nr    %d\n", mod->compat_nr);
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
}

static int cmd_info(int argc, char **argv)
{
	struct door_result res[XYZ_VIA_COUNT];
	const struct xyz_info *last = NULL;
	bool door_set = false, json = false;
	struct xyz_module mod;
	enum xyz_via one;
	int c, via;

	while ((c = cli_getopt(argc, argv, &cli_info)) != -1) {
		switch (c) {
		case 'd':
			if (cli_parse_door(optarg, &one))
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
	if (optind != argc)
		return cli_usage_error("takes no arguments, not '%s'",
				       argv[optind]);
	if (door_set)
		return info_one(one, json);

	xyz_module_state(&mod);
	if (!mod.loaded && !json) {
		printf("module       not loaded\n");
		fprintf(stderr, "xyz: %s\n", xyz_hint(XYZ_VIA_SYSCALL, ENOSYS));
		return EXIT_RUNTIME;
	}

	/*
	 * INFO through every door: the last answer has the freshest count.
	 * Without the module no door enters the kernel: each says why not.
	 */
	for (via = 0; via < XYZ_VIA_COUNT; via++) {
		res[via].err = 0;
		if (!xyz_via_name(via))
			continue;	/* unknown to this build */
		if (xyz_info(via, &res[via].info) < 0)
			res[via].err = errno;
		else
			last = &res[via].info;
	}

	if (json)
		print_json(&mod, res, last);
	else
		print_text(&mod, res, last);
	if (!mod.loaded) {
		fprintf(stderr, "xyz: %s\n", xyz_hint(XYZ_VIA_SYSCALL, ENOSYS));
		return EXIT_RUNTIME;
	}
	if (!last) {
		fprintf(stderr, "xyz: module xyz is loaded, no door answers\n");
		return EXIT_RUNTIME;
	}
	return 0;
}
