// SPDX-License-Identifier: MIT
/*
 * xyz doctor: why xyz cannot load, or a door does not work, on this
 * machine. It reads what the kernel and the system show without loading
 * anything (the release, its headers, Secure Boot, lockdown, the DKMS key
 * and whether MOK holds it, the installed module and its signature, which
 * hook modes the kernel's symbols allow), asks libxyz about the loaded
 * module and its doors, and exits 1 when something blocks loading or using
 * xyz. Every path is read under $XYZ_DOCTOR_ROOT, and mokutil and modinfo
 * are found in $PATH, so that tests can build a machine of their own.
 */
#include <dirent.h>
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cli.h"
#include "doctor.h"
#include "json.h"

static const struct cli_opt doctor_opts[] = {
	{ "json", 'j', NULL, "print one JSON object instead of text" },
	{ NULL }
};

static int cmd_doctor(int argc, char **argv);

const struct cli_cmd cli_doctor = {
	.name		= "doctor",
	.synopsis	= "[-j]",
	.summary	= "why xyz cannot load, or a door does not work, here",
	.about		= "Checks what stands between this machine and a working\n"
			  "xyz: the kernel (tested or not, its headers), Secure Boot,\n"
			  "lockdown and module signatures (the DKMS key, whether MOK\n"
			  "holds it, who signed the installed module), the module and\n"
			  "its doors, and which hook modes this kernel allows. Exits 1\n"
			  "when something blocks loading or using xyz.",
	.opts		= doctor_opts,
	.run		= cmd_doctor,
};

enum status { ST_OK, ST_INFO, ST_NO, ST_UNKNOWN, ST_WARN, ST_FAIL };

static const char *const status_ids[] = {
	[ST_OK] = "ok", [ST_INFO] = "info", [ST_NO] = "no",
	[ST_UNKNOWN] = "unknown", [ST_WARN] = "warn", [ST_FAIL] = "fail",
};

static const char *const status_text[] = {
	[ST_OK] = "ok", [ST_INFO] = "info", [ST_NO] = "no",
	[ST_UNKNOWN] = "?", [ST_WARN] = "WARN", [ST_FAIL] = "FAIL",
};

struct check {
	const char	*group;
	const char	*id;		/* stable, for scripts */
	const char	*label;
	enum status	status;
	char		value[320];
	char		hint[320];	/* what to do, or "" */
};

#define MAX_CHECKS	40

/* The kernel's symbols doctor looks for in /proc/kallsyms. */
enum {
	K_X64_SYS_CALL, K_SYS_CALL_TABLE, K_X64_NI, K_KPROBE, K_DIRECT,
	K_DIRECT_MULTI, K_INVOKE, K_ARM64_NI, K_IO_URING_CMD, K_COUNT
};

static const char *const ksym_names[K_COUNT] = {
	"x64_sys_call", "sys_call_table", "__x64_sys_ni_syscall",
	"register_kprobe", "register_ftrace_direct",
	"register_ftrace_direct_multi", "invoke_syscall",
	"__arm64_sys_ni_syscall", "io_uring_cmd",
};

/* ... and in ftrace's available_filter_functions: the dispatchers. */
enum { T_X64_SYS_CALL, T_INVOKE, T_COUNT };

static const char *const trace_names[T_COUNT] = {
	"x64_sys_call", "invoke_syscall",
};

enum arch { ARCH_X86, ARCH_ARM64, ARCH_OTHER };
enum enrolled { EN_NA, EN_YES, EN_NO, EN_PENDING, EN_UNKNOWN };

/* One hook mode, in the order auto tries them (module/xyz_main.c). */
struct hook {
	const char	*name;
	int		routes;		/* 1, 0, -1: cannot tell */
	char		why[240];
};

enum { H_DIRECT, H_TABLE, H_KPROBE, H_FTRACE, H_COUNT };

struct doctor {
	struct check	checks[MAX_CHECKS];
	size_t		n;
	char		release[128];
	char		machine[65];
	const char	*tested;	/* the line's label, or NULL */
	enum arch	arch;
	int		ksym_err;	/* 0: /proc/kallsyms was read */
	bool		ksym[K_COUNT];
	int		trace_err;	/* 0: available_filter_functions */
	bool		trace[T_COUNT];
	int		kprobes_on;	/* 1, 0, -1 */
	int		kprobes_err;
	int		blacklisted;	/* the stub, on kprobes' list */
	int		ftrace_on;	/* kernel.ftrace_enabled */
	char		lockdown[32];	/* "" when unknown */
	int		secure_boot;	/* 1, 0, -1 */
	int		sig_enforce;	/* 1, 0, -1 */
	int		sig_required;	/* 1, 0, -1 (probably) */
	bool		headers;
	char		cert_path[256];	/* "" when no DKMS key */
	struct dp_cert	cert;
	int		cert_err;
	enum enrolled	enrolled;
	bool		have_module;
	struct dp_module module;
	struct xyz_module mod;		/* what libxyz sees */
	struct hook	hooks[H_COUNT];
	const char	*auto_pick;	/* NULL: no mode routes */
	bool		auto_sure;
	int		doors_ok, doors;
};

static struct check *add(struct doctor *d, const char *group,
			 const char *id, const char *label, enum status st,
			 const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static struct check *add(struct doctor *d, const char *group,
			 const char *id, const char *label, enum status st,
			 const char *fmt, ...)
{
	static struct check spare;
	struct check *c = d->n < MAX_CHECKS ? &d->checks[d->n++] : &spare;
	va_list ap;

	*c = (struct check){ .group = group, .id = id, .label = label,
			     .status = st };
	va_start(ap, fmt);
	vsnprintf(c->value, sizeof(c->value), fmt, ap);
	va_end(ap);
	return c;
}

static void hint(struct check *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void hint(struct check *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->hint, sizeof(c->hint), fmt, ap);
	va_end(ap);
}

/* "Y", "1", "N", "0" of a sysfs or procfs file: 1, 0, or -1. */
static int read_flag(const char *path, int *err)
{
	char v[16];

	if (dp_read_line(path, v, sizeof(v))) {
		if (err)
			*err = errno;
		return -1;
	}
	return v[0] == 'Y' || v[0] == 'y' || v[0] == '1' ? 1 :
	       v[0] == 'N' || v[0] == 'n' || v[0] == '0' ? 0 : -1;
}

/* --- the kernel --- */

static void kernel_facts(struct doctor *d)
{
	static const char *const tracefs[] = {
		"/sys/kernel/tracing/available_filter_functions",
		"/sys/kernel/debug/tracing/available_filter_functions",
	};
	char path[PATH_MAX];
	struct utsname u;
	size_t i;

	uname(&u);
	if (dp_read_line("/proc/sys/kernel/osrelease", d->release,
			 sizeof(d->release)) || !d->release[0])
		snprintf(d->release, sizeof(d->release), "%s", u.release);
	if (dp_read_line("/proc/sys/kernel/arch", d->machine,
			 sizeof(d->machine)) || !d->machine[0])
		snprintf(d->machine, sizeof(d->machine), "%s", u.machine);
	d->arch = !strcmp(d->machine, "x86_64") ? ARCH_X86 :
		  !strcmp(d->machine, "aarch64") ? ARCH_ARM64 : ARCH_OTHER;

	d->ksym_err = dp_find_names("/proc/kallsyms", 3, ksym_names, d->ksym,
				    K_COUNT) ? errno : 0;
	d->trace_err = ENOENT;
	for (i = 0; i < sizeof(tracefs) / sizeof(tracefs[0]); i++) {
		if (!dp_find_names(tracefs[i], 1, trace_names, d->trace,
				   T_COUNT)) {
			d->trace_err = 0;
			break;
		}
		if (errno != ENOENT)
			d->trace_err = errno;
	}
	d->kprobes_on = read_flag("/sys/kernel/debug/kprobes/enabled",
				  &d->kprobes_err);
	d->ftrace_on = read_flag("/proc/sys/kernel/ftrace_enabled", NULL);
	d->blacklisted = -1;
	if (d->ksym_err == 0) {
		const char *stub = d->arch == ARCH_ARM64 ?
				   ksym_names[K_ARM64_NI] : ksym_names[K_X64_NI];
		bool hit;

		if (!dp_find_names("/sys/kernel/debug/kprobes/blacklist", 2,
				   &stub, &hit, 1))
			d->blacklisted = hit;
	}
	snprintf(path, sizeof(path), "/lib/modules/%s/build/Makefile",
		 d->release);
	d->headers = dp_exists(path);

	/* the module: loaded (libxyz), installed (modprobe's places) */
	xyz_module_state(&d->mod);
	d->have_module = !dp_find_module(d->release, &d->module);
	if (d->have_module)
		dp_module_facts(&d->module);
}

static void check_kernel(struct doctor *d)
{
	struct check *c;
	regex_t re;
	size_t i;

	add(d, "kernel", "kernel_release", "kernel", ST_INFO, "%s (%s)",
	    d->release, d->machine);
	for (i = 0; i < dr_ntested && !d->tested; i++) {
		if (strcmp(dr_tested[i].machine, d->machine) ||
		    regcomp(&re, dr_tested[i].pattern, REG_EXTENDED | REG_NOSUB))
			continue;
		if (!regexec(&re, d->release, 0, NULL, 0))
			d->tested = dr_tested[i].label;
		regfree(&re);
	}
	if (d->tested) {
		add(d, "kernel", "kernel_tested", "tested line", ST_OK, "%s",
		    d->tested);
	} else {
		c = add(d, "kernel", "kernel_tested", "tested line", ST_WARN,
			"no: it may work, but xyz is not tested on it");
		snprintf(c->hint, sizeof(c->hint), "tested:");
		for (i = 0; i < dr_ntested; i++)
			snprintf(c->hint + strlen(c->hint),
				 sizeof(c->hint) - strlen(c->hint), "%s %s",
				 i ? "," : "", dr_tested[i].label);
	}
	/* headers matter while there is nothing to load */
	c = add(d, "kernel", "kernel_headers", "headers",
		d->headers ? ST_OK : d->mod.loaded || d->have_module ?
		ST_INFO : ST_FAIL, "%s: /lib/modules/%s/build",
		d->headers ? "present" : "missing", d->release);
	if (c->status == ST_FAIL)
		hint(c, "sudo apt install linux-headers-%s", d->release);
}

/* --- Secure Boot, lockdown, signatures, the DKMS key --- */

#define SECURE_BOOT_VAR \
	"/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c"

static bool has(const char *text, const char *what)
{
	return strstr(text, what) != NULL;
}

static void secure_boot(struct doctor *d, char *how, size_t size)
{
	static const char *const argv[] = { "mokutil", "--sb-state", NULL };
	unsigned char var[5];
	char out[512];

	d->secure_boot = -1;
	if (!dp_is_dir("/sys/firmware/efi")) {
		d->secure_boot = 0;
		snprintf(how, size, "not booted through EFI");
		return;
	}
	if (dp_read_file(SECURE_BOOT_VAR, var, sizeof(var)) == sizeof(var)) {
		d->secure_boot = var[4] == 1;
		snprintf(how, size, "EFI variable SecureBoot = %u", var[4]);
		return;
	}
	if (dp_run(out, sizeof(out), argv) < 0) {
		snprintf(how, size, "cannot read the SecureBoot variable, "
			 "and mokutil is not installed");
		return;
	}
	if (has(out, "SecureBoot enabled"))
		d->secure_boot = 1;
	else if (has(out, "SecureBoot disabled") || has(out, "support"))
		d->secure_boot = 0;
	snprintf(how, size, "mokutil --sb-state: %.*s",
		 (int)strcspn(out, "\n"), out);
}

/* mok_certificate= of one dkms configuration file, into @path. */
static void mok_certificate(const char *conf, char *path, size_t size)
{
	char text[4096], *line, *save, *v;
	long n = dp_read_file(conf, text, sizeof(text) - 1);

	if (n < 0)
		return;
	text[n] = '\0';
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		line += strspn(line, " \t");
		if (strncmp(line, "mok_certificate=", 16))
			continue;
		v = line + 16;
		v += strspn(v, "\"'");
		v[strcspn(v, "\"' \t")] = '\0';
		snprintf(path, size, "%s", v);
	}
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/*
 * Where dkms keeps its certificate: as its configuration says (the last
 * word wins, framework.conf.d after framework.conf), or its defaults.
 */
static void dkms_cert_path(struct doctor *d)
{
	static const char *const defaults[] = {
		"/var/lib/dkms/mok.pub",		/* Debian's dkms */
		"/var/lib/shim-signed/mok/MOK.der",	/* Ubuntu's */
	};
	char dir[PATH_MAX], conf[PATH_MAX];
	struct dirent **names;
	size_t i;
	int n, k;

	mok_certificate("/etc/dkms/framework.conf", d->cert_path,
			sizeof(d->cert_path));
	dp_path(dir, sizeof(dir), "/etc/dkms/framework.conf.d");
	n = scandir(dir, &names, NULL, by_name);
	for (k = 0; k < n; k++) {
		size_t len = strlen(names[k]->d_name);

		if (len > 5 && !strcmp(names[k]->d_name + len - 5, ".conf")) {
			snprintf(conf, sizeof(conf),
				 "/etc/dkms/framework.conf.d/%s",
				 names[k]->d_name);
			mok_certificate(conf, d->cert_path,
					sizeof(d->cert_path));
		}
		free(names[k]);
	}
	if (n >= 0)
		free(names);
	if (d->cert_path[0])
		return;
	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		if (dp_exists(defaults[i])) {
			snprintf(d->cert_path, sizeof(d->cert_path), "%s",
				 defaults[i]);
			return;
		}
	}
}

static void enrolment(struct doctor *d, struct check *c)
{
	char path[PATH_MAX], out[1024];
	const char *argv[] = { "mokutil", "--test-key", path, NULL };
	int rc;

	dp_path(path, sizeof(path), d->cert_path);
	rc = dp_run(out, sizeof(out), argv);
	d->enrolled = EN_UNKNOWN;
	if (rc < 0) {
		snprintf(c->value, sizeof(c->value),
			 "cannot tell: mokutil is not installed");
		hint(c, "sudo apt install mokutil");
		return;
	}
	if (has(out, "is already enrolled")) {
		d->enrolled = EN_YES;
		snprintf(c->value, sizeof(c->value), "yes (MokList)");
	} else if (has(out, "enrollment request")) {
		d->enrolled = EN_PENDING;
		snprintf(c->value, sizeof(c->value),
			 "pending: asked for, not confirmed yet");
		hint(c, "reboot and confirm it in MokManager");
	} else if (has(out, "is not enrolled")) {
		d->enrolled = EN_NO;
		snprintf(c->value, sizeof(c->value), "no");
		hint(c, "sudo mokutil --import %s; reboot and enrol it in "
		     "MokManager with the password given", d->cert_path);
	} else {
		snprintf(c->value, sizeof(c->value),
			 "cannot tell: mokutil --test-key says: %.*s",
			 (int)strcspn(out, "\n"), out);
	}
}

static void check_signing(struct doctor *d)
{
	char how[160], lock[128];
	struct check *c;
	const char *open_, *close_;

	secure_boot(d, how, sizeof(how));
	add(d, "signing", "secure_boot", "Secure Boot",
	    d->secure_boot < 0 ? ST_UNKNOWN : ST_INFO, "%s (%s)",
	    d->secure_boot > 0 ? "enabled" : d->secure_boot == 0 ? "disabled" :
	    "unknown", how);

	if (!dp_read_line("/sys/kernel/security/lockdown", lock,
			  sizeof(lock)) &&
	    (open_ = strchr(lock, '[')) && (close_ = strchr(open_, ']')))
		snprintf(d->lockdown, sizeof(d->lockdown), "%.*s",
			 (int)(close_ - open_ - 1), open_ + 1);
	c = add(d, "signing", "lockdown", "lockdown",
		d->lockdown[0] ? ST_INFO : ST_UNKNOWN, "%s",
		d->lockdown[0] ? d->lockdown :
		"unknown (no /sys/kernel/security/lockdown)");
	if (d->lockdown[0] && strcmp(d->lockdown, "none"))
		hint(c, "modules must be signed; kprobes and ftrace from a "
		     "module still work%s",
		     strcmp(d->lockdown, "confidentiality") ? "" :
		     ", but tracefs is closed to xyz doctor");

	d->sig_enforce = read_flag("/sys/module/module/parameters/sig_enforce",
				   NULL);
	add(d, "signing", "sig_enforce", "module.sig_enforce", ST_INFO, "%s",
	    d->sig_enforce > 0 ? "Y" : d->sig_enforce == 0 ? "N" :
	    "absent (a kernel without module signing)");

	if (d->sig_enforce > 0)
		d->sig_required = 1;
	else if (d->lockdown[0] && strcmp(d->lockdown, "none"))
		d->sig_required = 1;
	else if (d->lockdown[0] || d->secure_boot <= 0)
		d->sig_required = 0;
	else
		d->sig_required = -1;	/* Secure Boot on, lockdown unknown */
	add(d, "signing", "signatures", "signatures", ST_INFO, "%s",
	    d->sig_required > 0 ? "required: an unsigned module, or one "
	    "signed by a key the kernel does not trust, is refused" :
	    d->sig_required == 0 ? "not required" :
	    "probably required (Secure Boot is on)");

	dkms_cert_path(d);
	if (!d->cert_path[0]) {
		c = add(d, "signing", "dkms_key", "DKMS key",
			d->sig_required ? ST_WARN : ST_INFO,
			"none (/var/lib/dkms/mok.pub, "
			"/var/lib/shim-signed/mok/MOK.der)");
		if (d->sig_required)
			hint(c, "dkms makes one on its first build "
			     "(sudo apt install xyz-dkms); then enrol it");
		d->enrolled = EN_NA;
		return;
	}
	d->cert_err = dp_read_cert(d->cert_path, &d->cert) ? errno : 0;
	if (d->cert_err)
		c = add(d, "signing", "dkms_key", "DKMS key", ST_WARN,
			"%s: %s", d->cert_path, d->cert_err == EBADMSG ?
			"not a DER certificate" : strerror(d->cert_err));
	else
		add(d, "signing", "dkms_key", "DKMS key", ST_OK,
		    "%s (\"%s\", serial %s)", d->cert_path, d->cert.cn,
		    d->cert.serial);
	c = add(d, "signing", "dkms_key_enrolled", "DKMS key enrolled",
		ST_INFO, "%s", "");
	if (d->secure_boot == 0) {
		d->enrolled = EN_NA;
		if (d->sig_required > 0)
			c->status = ST_WARN;
		snprintf(c->value, sizeof(c->value), "%s",
			 d->sig_required > 0 ? "does not apply: without "
			 "Secure Boot the kernel trusts its own keys only" :
			 "not needed: Secure Boot is off");
		return;
	}
	enrolment(d, c);
	if (d->enrolled == EN_YES)
		c->status = ST_OK;
	else if (d->enrolled == EN_UNKNOWN)
		c->status = ST_WARN;
	else if (d->sig_required)
		c->status = ST_WARN;	/* fail once the module needs it */
}

/* --- the module: installed, signed, loaded --- */

static bool signed_by_dkms(const struct doctor *d)
{
	const struct dp_module *m = &d->module;

	if (d->cert_err || !d->cert_path[0] || m->sig != 1)
		return false;
	if (m->key[0] && d->cert.serial[0])
		return dp_same_serial(m->key, d->cert.serial) &&
		       (!m->signer[0] || !strcmp(m->signer, d->cert.cn));
	return m->signer[0] && !strcmp(m->signer, d->cert.cn);
}

/* Whether the installed module will load, as far as signatures go. */
static void check_signature(struct doctor *d, bool loaded)
{
	const struct dp_module *m = &d->module;
	enum status st = ST_INFO;
	char who[320];
	struct check *c;
	bool dkms = signed_by_dkms(d);

	if (m->sig == 1)
		snprintf(who, sizeof(who), "signed by \"%s\"%s%s%s",
			 m->signer[0] ? m->signer : "an unknown signer",
			 m->key[0] ? " (key " : "", m->key, m->key[0] ? ")" : "");
	if (m->sig < 0) {
		c = add(d, "module", "module_signature", "signature",
			ST_UNKNOWN, "cannot tell (a compressed module, and no "
			"modinfo to read it)");
		hint(c, "sudo apt install kmod");
		return;
	}
	if (m->sig == 0) {
		if (d->sig_required && !loaded)
			st = d->sig_required > 0 ? ST_FAIL : ST_WARN;
		c = add(d, "module", "module_signature", "signature", st,
			"unsigned%s", d->sig_required > 0 ?
			": this kernel refuses it" : "");
		if (st != ST_INFO)
			hint(c, "have dkms build and sign it (sudo dkms install "
			     "xyz/%s -k %s), or sign it with an enrolled key",
			     LIBXYZ_VERSION, d->release);
		return;
	}
	if (dkms && d->enrolled == EN_YES) {
		add(d, "module", "module_signature", "signature", ST_OK,
		    "%s: the DKMS key, enrolled", who);
		return;
	}
	if (dkms) {
		if (d->sig_required && !loaded && d->enrolled != EN_NA)
			st = d->enrolled == EN_UNKNOWN ? ST_WARN :
			     d->sig_required > 0 ? ST_FAIL : ST_WARN;
		c = add(d, "module", "module_signature", "signature", st,
			"%s: the DKMS key%s", who,
			d->enrolled == EN_NO ? ", which MOK does not hold" :
			d->enrolled == EN_PENDING ? ", enrolment pending" : "");
		if (st != ST_INFO && d->enrolled != EN_UNKNOWN)
			hint(c, "enrol the DKMS key: see \"DKMS key "
			     "enrolled\" above");
		return;
	}
	if (d->sig_required && !loaded)
		st = ST_WARN;
	c = add(d, "module", "module_signature", "signature", st,
		"%s, not by the DKMS key", who);
	if (st != ST_INFO)
		hint(c, "it loads only if the kernel trusts that key");
}

static void check_module(struct doctor *d)
{
	const struct dp_module *m = &d->module;
	bool loaded = d->mod.loaded;
	size_t rlen = strlen(d->release);
	struct check *c;
	char ver[64];

	if (!d->have_module) {
		/* without headers, that is the failure: one is enough */
		c = add(d, "module", "module_installed", "installed",
			loaded ? ST_INFO : ST_WARN, "no xyz.ko for %s",
			d->release);
		if (!loaded)
			hint(c, "sudo apt install xyz-dkms, or make && sudo "
			     "make modules_install");
	} else {
		c = add(d, "module", "module_installed", "installed", ST_OK,
			"%s%s%s", m->path, m->version[0] ? ", version " : "",
			m->version);
		/* vermagic starts with the release it was built for */
		if (m->vermagic[0] &&
		    (strncmp(m->vermagic, d->release, rlen) ||
		     (m->vermagic[rlen] != ' ' && m->vermagic[rlen] != '\0'))) {
			c->status = loaded ? ST_WARN : ST_FAIL;
			snprintf(c->value + strlen(c->value),
				 sizeof(c->value) - strlen(c->value),
				 ", built for %.*s",
				 (int)strcspn(m->vermagic, " "), m->vermagic);
			hint(c, "rebuild it for %s", d->release);
		} else if (m->version[0] && strcmp(m->version, LIBXYZ_VERSION)) {
			c->status = ST_WARN;
			hint(c, "this xyz is %s: install the module of the same "
			     "version", LIBXYZ_VERSION);
		}
		check_signature(d, loaded);
	}

	if (!loaded) {
		c = add(d, "module", "module_loaded", "loaded", ST_WARN, "no");
		hint(c, "sudo modprobe xyz");
		return;
	}
	cli_module_version(ver, sizeof(ver));
	c = add(d, "module", "module_loaded", "loaded", ST_OK,
		"yes%s%s, hook %s, nr %d, compat_nr %d",
		ver[0] ? ", version " : "", ver,
		d->mod.hook >= 0 ? xyz_hook_name(d->mod.hook) : "unknown",
		d->mod.nr, d->mod.compat_nr);
	if (ver[0] && strcmp(ver, LIBXYZ_VERSION)) {
		c->status = ST_WARN;
		hint(c, "this xyz is %s: load the module of the same version",
		     LIBXYZ_VERSION);
	}
}

/* --- hook modes: what the kernel's own lists tell, without loading --- */

static void hook_set(struct hook *h, int routes, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void hook_set(struct hook *h, int routes, const char *fmt, ...)
{
	va_list ap;

	h->routes = routes;
	va_start(ap, fmt);
	vsnprintf(h->why, sizeof(h->why), fmt, ap);
	va_end(ap);
}

static const char *trace_why(int err)
{
	switch (err) {
	case ENOENT:
		return "tracefs is not mounted";
	case EACCES:
		return "only root may read available_filter_functions";
	case EPERM:
		return "lockdown closes tracefs";
	case ENODEV:
		return "ftrace is disabled (an earlier failure)";
	default:
		return strerror(err);
	}
}

/* direct and ftrace: an ftrace site on the dispatcher @fn. */
static void ftrace_mode(const struct doctor *d, struct hook *h, int sym,
			int traced, bool direct)
{
	const char *fn = trace_names[traced];

	if (!d->ksym[sym])
		hook_set(h, 0, "%s() is not in this kernel", fn);
	else if (direct && !d->ksym[K_DIRECT] && !d->ksym[K_DIRECT_MULTI])
		hook_set(h, 0, "no ftrace direct calls in this kernel");
	else if (d->ftrace_on == 0)
		hook_set(h, 0, "ftrace is switched off "
			 "(kernel.ftrace_enabled=0)");
	else if (d->trace_err)
		hook_set(h, -1, "%s() is there; whether ftrace can attach to "
			 "it is in available_filter_functions: %s", fn,
			 trace_why(d->trace_err));
	else if (d->trace[traced])
		hook_set(h, 1, "%s() is ftrace-able", fn);
	else
		hook_set(h, 0, "%s() is not ftrace-able on this kernel", fn);
}

static void kprobe_mode(const struct doctor *d, struct hook *h, int stub)
{
	if (!d->ksym[K_KPROBE])
		hook_set(h, 0, "no kprobes in this kernel");
	else if (!d->ksym[stub])
		hook_set(h, 0, "%s is not in this kernel", ksym_names[stub]);
	else if (d->blacklisted > 0)
		hook_set(h, 0, "%s is on the kprobe blacklist",
			 ksym_names[stub]);
	else if (d->kprobes_on == 0)
		hook_set(h, 0, "kprobes are disarmed (debug/kprobes/enabled "
			 "is 0): the probe would load and route nothing");
	else if (d->kprobes_on < 0)
		hook_set(h, 1, "%s can be probed (whether kprobes are armed "
			 "is in debug/kprobes/enabled: %s; they are unless "
			 "someone disarmed them)", ksym_names[stub],
			 d->kprobes_err == ENOENT ? "debugfs is not mounted" :
			 d->kprobes_err == EACCES ? "only root may read it" :
			 d->kprobes_err == EPERM ? "lockdown closes it" :
			 strerror(d->kprobes_err));
	else
		hook_set(h, 1, "%s can be probed", ksym_names[stub]);
}

static void hook_modes(struct doctor *d)
{
	struct hook *h = d->hooks;
	size_t i;

	h[H_DIRECT].name = "direct";
	h[H_TABLE].name = "table";
	h[H_KPROBE].name = "kprobe";
	h[H_FTRACE].name = "ftrace";
	if (d->ksym_err) {
		for (i = 0; i < H_COUNT; i++)
			hook_set(&h[i], -1, "cannot read /proc/kallsyms: %s",
				 strerror(d->ksym_err));
	} else if (d->arch == ARCH_X86) {
		ftrace_mode(d, &h[H_DIRECT], K_X64_SYS_CALL, T_X64_SYS_CALL,
			    true);
		ftrace_mode(d, &h[H_FTRACE], K_X64_SYS_CALL, T_X64_SYS_CALL,
			    false);
		if (d->ksym[K_X64_SYS_CALL])
			hook_set(&h[H_TABLE], 0, "system calls are dispatched "
				 "by x64_sys_call(), a switch: a table entry "
				 "routes nothing");
		else if (d->ksym[K_SYS_CALL_TABLE])
			hook_set(&h[H_TABLE], 1, "do_syscall_64() calls "
				 "through sys_call_table");
		else
			hook_set(&h[H_TABLE], -1, "no sys_call_table in "
				 "/proc/kallsyms");
		kprobe_mode(d, &h[H_KPROBE], K_X64_NI);
	} else if (d->arch == ARCH_ARM64) {
		hook_set(&h[H_DIRECT], 0, "no direct-call trampoline on arm64");
		ftrace_mode(d, &h[H_FTRACE], K_INVOKE, T_INVOKE, false);
		if (d->ksym[K_INVOKE] && d->ksym[K_SYS_CALL_TABLE])
			hook_set(&h[H_TABLE], 1, "invoke_syscall() calls "
				 "through sys_call_table");
		else
			hook_set(&h[H_TABLE], -1, "no invoke_syscall() or "
				 "sys_call_table in /proc/kallsyms");
		kprobe_mode(d, &h[H_KPROBE], K_ARM64_NI);
	} else {
		for (i = 0; i < H_COUNT; i++)
			hook_set(&h[i], 0, "xyz hooks x86-64 and arm64 "
				 "kernels only");
	}

	d->auto_sure = true;
	for (i = 0; i < H_COUNT && !d->auto_pick; i++) {
		if (h[i].routes < 0)
			d->auto_sure = false;
		else if (h[i].routes)
			d->auto_pick = h[i].name;
	}
}

/* "kprobe, unless direct routes": auto's pick, and what may come first. */
static void auto_text(const struct doctor *d, char *buf, size_t size)
{
	size_t i, k;

	k = (size_t)snprintf(buf, size, "%s", d->auto_pick);
	for (i = 0; i < H_COUNT && d->hooks[i].name != d->auto_pick; i++)
		if (d->hooks[i].routes < 0 && k < size)
			k += (size_t)snprintf(buf + k, size - k, "%s %s",
					      k == strlen(d->auto_pick) ?
					      ", unless" : " or",
					      d->hooks[i].name);
	if (!d->auto_sure && k < size)
		snprintf(buf + k, size - k, " routes");
}

static void check_hooks(struct doctor *d)
{
	static const char *const ids[H_COUNT] = {
		"hook_direct", "hook_table", "hook_kprobe", "hook_ftrace",
	};
	struct check *c;
	size_t i;

	hook_modes(d);
	for (i = 0; i < H_COUNT; i++) {
		const struct hook *h = &d->hooks[i];

		add(d, "hooks", ids[i], h->name,
		    h->routes > 0 ? ST_OK : h->routes == 0 ? ST_NO : ST_UNKNOWN,
		    "%s: %s", h->routes > 0 ? "routes" : h->routes == 0 ?
		    "refuses" : "cannot tell", h->why);
	}
	if (d->auto_pick) {
		c = add(d, "hooks", "hook_auto", "auto", ST_INFO, "%s", "");
		auto_text(d, c->value, sizeof(c->value));
	} else {
		c = add(d, "hooks", "hook_auto", "auto",
			d->auto_sure ? ST_WARN : ST_UNKNOWN, "%s",
			d->auto_sure ? "no mode routes here: the numbered "
			"doors (syscall, asm, int80) cannot work" :
			"cannot tell");
		if (d->auto_sure)
			hint(c, "ioctl, mmap and uring need no hook");
	}
}

/* --- the doors, through libxyz --- */

static void check_doors(struct doctor *d)
{
	static const char *const ids[XYZ_VIA_COUNT] = {
		"door_syscall", "door_asm", "door_int80", "door_ioctl",
		"door_mmap", "door_uring",
	};
	struct xyz_info info;
	const char *why;
	struct check *c;
	int via, ring;
	char v[8];

	/* 6.6 and later: 0 all, 1 root and io_uring_group, 2 nobody */
	if (!dp_read_line("/proc/sys/kernel/io_uring_disabled", v, sizeof(v))) {
		ring = atoi(v);
		c = add(d, "doors", "io_uring", "io_uring",
			ring == 2 ? ST_WARN : ring == 1 ? ST_INFO : ST_OK,
			"%s (kernel.io_uring_disabled=%d)",
			ring == 2 ? "disabled: the uring door cannot work" :
			ring == 1 ? "root and kernel.io_uring_group only" :
			"allowed", ring);
		if (ring)
			hint(c, "sudo sysctl kernel.io_uring_disabled=0");
	} else if (!d->ksym_err && !d->ksym[K_IO_URING_CMD]) {
		add(d, "doors", "io_uring", "io_uring", ST_INFO, "%s",
		    "no io_uring commands in this kernel (5.19 and later): "
		    "the uring door cannot work");
	}

	if (!d->mod.loaded)
		return;
	for (via = 0; via < XYZ_VIA_COUNT; via++) {
		if (!xyz_via_name(via))
			continue;
		d->doors++;
		if (xyz_info(via, &info) >= 0) {
			d->doors_ok++;
			add(d, "doors", ids[via], xyz_via_name(via), ST_OK,
			    "answers");
			continue;
		}
		why = xyz_hint(via, errno);
		c = add(d, "doors", ids[via], xyz_via_name(via), ST_WARN,
			"%s", strerror(errno));
		if (why)
			hint(c, "%s", why);
	}
	if (!d->doors_ok)
		add(d, "doors", "doors", "doors", ST_FAIL,
		    "the module is loaded, and no door answers");
}

/* --- the verdict and the report --- */

/* The first failure, or NULL: what blocks xyz. */
static const struct check *blocker(const struct doctor *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->checks[i].status == ST_FAIL)
			return &d->checks[i];
	return NULL;
}

/*
 * A pending or missing enrolment blocks only a module that needs it:
 * one DKMS will build (none installed yet) or one it signed.
 */
static void settle_enrolment(struct doctor *d)
{
	size_t i;

	if (d->mod.loaded || d->sig_required <= 0 ||
	    (d->enrolled != EN_NO && d->enrolled != EN_PENDING))
		return;
	if (d->have_module && !signed_by_dkms(d))
		return;
	for (i = 0; i < d->n; i++)
		if (!strcmp(d->checks[i].id, "dkms_key_enrolled"))
			d->checks[i].status = ST_FAIL;
}

static void verdict(const struct doctor *d, char *buf, size_t size)
{
	const struct check *b = blocker(d);

	if (b)
		snprintf(buf, size, "blocked: %s: %s", b->label, b->value);
	else if (d->mod.loaded)
		snprintf(buf, size, "xyz works here: %d of %d doors answer",
			 d->doors_ok, d->doors);
	else
		snprintf(buf, size, "nothing blocks xyz: sudo modprobe xyz");
}

static void print_text(const struct doctor *d, const char *verdict_)
{
	const char *group = NULL;
	size_t i;

	printf("xyz doctor %s (" CLI_ARCH ")\n", LIBXYZ_VERSION);
	for (i = 0; i < d->n; i++) {
		const struct check *c = &d->checks[i];

		if (!group || strcmp(group, c->group)) {
			group = c->group;
			printf("%s\n", group);
		}
		printf("  %-4s  %-18s %s\n", status_text[c->status], c->label,
		       c->value);
		if (c->hint[0])
			printf("  %-4s  %-18s -> %s\n", "", "", c->hint);
	}
	printf("verdict: %s\n", verdict_);
}

static void print_json(const struct doctor *d, const char *verdict_)
{
	struct json j;
	size_t i;

	json_begin(&j, stdout, "doctor");
	json_string(&j, "root", dp_root()[0] ? dp_root() : NULL);
	json_object(&j, "kernel");
	json_string(&j, "release", d->release);
	json_string(&j, "machine", d->machine);
	json_string(&j, "tested", d->tested);
	json_close(&j);
	json_array(&j, "checks");
	for (i = 0; i < d->n; i++) {
		const struct check *c = &d->checks[i];

		json_object(&j, NULL);
		json_string(&j, "id", c->id);
		json_string(&j, "group", c->group);
		json_string(&j, "label", c->label);
		json_string(&j, "status", status_ids[c->status]);
		json_string(&j, "value", c->value);
		json_string(&j, "hint", c->hint[0] ? c->hint : NULL);
		json_close(&j);
	}
	json_close(&j);
	json_array(&j, "hooks");
	for (i = 0; i < H_COUNT; i++) {
		json_object(&j, NULL);
		json_string(&j, "id", d->hooks[i].name);
		if (d->hooks[i].routes < 0)
			json_null(&j, "routes");
		else
			json_bool(&j, "routes", d->hooks[i].routes);
		json_string(&j, "why", d->hooks[i].why);
		json_close(&j);
	}
	json_close(&j);
	json_string(&j, "auto", d->auto_pick);
	json_bool(&j, "auto_certain", d->auto_pick && d->auto_sure);
	json_bool(&j, "loaded", d->mod.loaded);
	json_string(&j, "hook", d->mod.loaded ? xyz_hook_name(d->mod.hook) :
		    NULL);
	json_bool(&j, "blocked", blocker(d) != NULL);
	json_string(&j, "verdict", verdict_);
	json_end(&j);
}

static int cmd_doctor(int argc, char **argv)
{
	static struct doctor d;
	bool json = false;
	char v[400];
	int c;

	while ((c = cli_getopt(argc, argv, &cli_doctor)) != -1) {
		switch (c) {
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
	dp_set_root(secure_getenv("XYZ_DOCTOR_ROOT"));
	kernel_facts(&d);
	check_kernel(&d);
	check_signing(&d);
	check_module(&d);
	settle_enrolment(&d);
	check_hooks(&d);
	check_doors(&d);
	verdict(&d, v, sizeof(v));
	if (json)
		print_json(&d, v);
	else
		print_text(&d, v);
	return blocker(&d) ? EXIT_RUNTIME : 0;
}
