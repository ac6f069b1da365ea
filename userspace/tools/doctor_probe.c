// SPDX-License-Identifier: MIT
/*
 * xyz doctor's eyes: files of the machine, read under a root prefix
 * ($XYZ_DOCTOR_ROOT, so that tests can build a fake machine), the helper
 * programs it asks (mokutil, modinfo: found in $PATH, like a user would),
 * the installed module and the certificates, read as DER.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "doctor.h"

static const char *root = "";

void dp_set_root(const char *r)
{
	root = r ? r : "";
}

const char *dp_root(void)
{
	return root;
}

void dp_path(char *buf, size_t size, const char *path)
{
	snprintf(buf, size, "%s%s", root, path);
}

long dp_read_file(const char *path, void *buf, size_t size)
{
	char full[PATH_MAX];
	size_t got = 0;
	ssize_t n = 0;
	int fd, err;

	dp_path(full, sizeof(full), path);
	fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (got < size && (n = read(fd, (char *)buf + got, size - got)) > 0)
		got += (size_t)n;
	err = errno;
	close(fd);
	if (n < 0) {
		errno = err;
		return -1;
	}
	return (long)got;
}

/* All of @path in a malloc()ed buffer, its size in @len; NULL and errno. */
static char *read_all(const char *path, size_t *len)
{
	char full[PATH_MAX];
	struct stat st;
	char *buf;
	long n;

	dp_path(full, sizeof(full), path);
	if (stat(full, &st))
		return NULL;
	if (st.st_size <= 0 || st.st_size > (256 << 20)) {
		errno = EFBIG;
		return NULL;
	}
	buf = malloc((size_t)st.st_size);
	if (!buf)
		return NULL;
	n = dp_read_file(path, buf, (size_t)st.st_size);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	*len = (size_t)n;
	return buf;
}

/* The first line of @path without its newline: 0, or -1 and errno. */
int dp_read_line(const char *path, char *buf, size_t size)
{
	long n = dp_read_file(path, buf, size - 1);

	if (n < 0) {
		buf[0] = '\0';
		return -1;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/*
 * stat() under the root: an absolute symbolic link (/lib/modules/R/build
 * -> /usr/src/linux-headers-R) is followed inside the root too.
 */
static int root_stat(const char *path, struct stat *st)
{
	char full[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	dp_path(full, sizeof(full), path);
	if (lstat(full, st))
		return -1;
	if (!S_ISLNK(st->st_mode) || !root[0])
		return stat(full, st);
	n = readlink(full, target, sizeof(target) - 1);
	if (n < 0)
		return -1;
	target[n] = '\0';
	if (target[0] != '/')
		return stat(full, st);
	dp_path(full, sizeof(full), target);
	return stat(full, st);
}

bool dp_exists(const char *path)
{
	struct stat st;

	return !root_stat(path, &st);
}

bool dp_is_dir(const char *path)
{
	struct stat st;

	return !root_stat(path, &st) && S_ISDIR(st.st_mode);
}

/*
 * Which of @names appear as the @field-th (from 1) blank-separated word of
 * a line of @path: /proc/kallsyms (field 3) or ftrace's
 * available_filter_functions (field 1). 0, or -1 and errno.
 */
int dp_find_names(const char *path, int field, const char *const *names,
		  bool *found, size_t n)
{
	char full[PATH_MAX], line[512], *w, *save;
	size_t i;
	FILE *f;
	int k;

	memset(found, 0, n * sizeof(*found));
	dp_path(full, sizeof(full), path);
	f = fopen(full, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		w = strtok_r(line, " \t\n", &save);
		for (k = 1; w && k < field; k++)
			w = strtok_r(NULL, " \t\n", &save);
		if (!w)
			continue;
		for (i = 0; i < n; i++)
			if (!found[i] && !strcmp(w, names[i]))
				found[i] = true;
	}
	k = ferror(f) ? errno ? errno : EIO : 0;
	fclose(f);
	if (k) {
		errno = k;
		return -1;
	}
	return 0;
}

/*
 * Run @argv[0] from $PATH with LC_ALL=C; its stdout and stderr go to @out.
 * Returns its exit status, or -1 with errno (ENOENT: not installed).
 */
int dp_run(char *out, size_t size, const char *const *argv)
{
	size_t got = 0;
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	out[0] = '\0';
	if (pipe2(fds, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (!pid) {
		dup2(fds[1], STDOUT_FILENO);
		dup2(fds[1], STDERR_FILENO);
		setenv("LC_ALL", "C", 1);
		execvp(argv[0], (char *const *)argv);
		_exit(127);	/* not found, or not runnable: as a shell says */
	}
	close(fds[1]);
	while (got + 1 < size &&
	       (n = read(fds[0], out + got, size - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	if (WEXITSTATUS(status) == 127 && !got) {
		errno = ENOENT;
		return -1;
	}
	return WEXITSTATUS(status);
}

/* --- DER, as much as a certificate and a module's PKCS#7 need --- */

struct der {
	const uint8_t	*p;
	size_t		len;
};

/* One TLV from @in into @tag and @val; @in moves past it. 0 or -1. */
static int der_next(struct der *in, uint8_t *tag, struct der *val)
{
	size_t len, i, nlen;

	if (in->len < 2)
		return -1;
	*tag = in->p[0];
	len = in->p[1];
	i = 2;
	if (len & 0x80) {
		nlen = len & 0x7f;
		if (!nlen || nlen > sizeof(size_t) || in->len < 2 + nlen)
			return -1;
		for (len = 0; i < 2 + nlen; i++)
			len = len << 8 | in->p[i];
	}
	if (len > in->len - i)
		return -1;
	val->p = in->p + i;
	val->len = len;
	in->p += i + len;
	in->len -= i + len;
	return 0;
}

/* Into the value of the next TLV, which must have @tag. */
static int der_enter(struct der *in, uint8_t tag, struct der *val)
{
	uint8_t t;

	return der_next(in, &t, val) || t != tag ? -1 : 0;
}

#define DER_INT		0x02
#define DER_OID		0x06
#define DER_SEQ		0x30
#define DER_SET		0x31
#define DER_CTX0	0xa0

/* "4E:1B:..." of an INTEGER, without the sign's leading zero bytes. */
static void der_serial(const struct der *v, char *buf, size_t size)
{
	size_t i = 0, k = 0;

	buf[0] = '\0';
	while (i + 1 < v->len && !v->p[i])
		i++;
	for (; i < v->len && k + 4 < size; i++)
		k += (size_t)snprintf(buf + k, size - k, "%s%02X",
				      k ? ":" : "", v->p[i]);
}

/* The commonName (2.5.4.3) of a Name. */
static void der_cn(struct der name, char *buf, size_t size)
{
	static const uint8_t cn_oid[] = { 0x55, 0x04, 0x03 };
	struct der rdn, atv, oid, val;
	uint8_t tag;

	buf[0] = '\0';
	while (!der_enter(&name, DER_SET, &rdn)) {
		while (!der_enter(&rdn, DER_SEQ, &atv)) {
			if (der_enter(&atv, DER_OID, &oid) ||
			    der_next(&atv, &tag, &val))
				continue;
			if (oid.len == sizeof(cn_oid) &&
			    !memcmp(oid.p, cn_oid, sizeof(cn_oid))) {
				snprintf(buf, size, "%.*s", (int)val.len,
					 (const char *)val.p);
				return;
			}
		}
	}
}

/* An X.509 certificate: its subject's CN and its serial number. */
static int der_cert(struct der in, char *cn, size_t cn_size, char *serial,
		    size_t serial_size)
{
	struct der cert, tbs, v, name;
	uint8_t tag;

	if (der_enter(&in, DER_SEQ, &cert) || der_enter(&cert, DER_SEQ, &tbs))
		return -1;
	if (tbs.len && tbs.p[0] == DER_CTX0 && der_next(&tbs, &tag, &v))
		return -1;	/* [0] version */
	if (der_enter(&tbs, DER_INT, &v))
		return -1;
	der_serial(&v, serial, serial_size);
	/* signature algorithm, issuer, validity, then the subject */
	if (der_next(&tbs, &tag, &v) || der_next(&tbs, &tag, &v) ||
	    der_next(&tbs, &tag, &v) || der_enter(&tbs, DER_SEQ, &name))
		return -1;
	der_cn(name, cn, cn_size);
	return 0;
}

int dp_read_cert(const char *path, struct dp_cert *c)
{
	static uint8_t buf[16384];
	long n = dp_read_file(path, buf, sizeof(buf));

	memset(c, 0, sizeof(*c));
	if (n < 0)
		return -1;
	if (der_cert((struct der){ buf, (size_t)n }, c->cn, sizeof(c->cn),
		     c->serial, sizeof(c->serial))) {
		errno = EBADMSG;	/* not DER (PEM?) */
		return -1;
	}
	return 0;
}

/*
 * A module's PKCS#7 signature (what sign-file appends): the first signer's
 * issuer CN and serial, from its issuerAndSerialNumber.
 */
static int der_pkcs7_signer(struct der in, struct dp_module *m)
{
	struct der ci, content, sd, infos, si, ias, issuer, serial, skip;
	uint8_t tag;

	if (der_enter(&in, DER_SEQ, &ci) || der_enter(&ci, DER_OID, &skip) ||
	    der_enter(&ci, DER_CTX0, &content) ||
	    der_enter(&content, DER_SEQ, &sd))
		return -1;
	/* version, digest algorithms, content, then [0] certs, [1] crls */
	if (der_next(&sd, &tag, &skip) || der_next(&sd, &tag, &skip) ||
	    der_next(&sd, &tag, &skip))
		return -1;
	do {
		if (der_next(&sd, &tag, &infos))
			return -1;
	} while (tag != DER_SET);
	if (der_enter(&infos, DER_SEQ, &si) || der_next(&si, &tag, &skip) ||
	    der_enter(&si, DER_SEQ, &ias))
		return -1;	/* a subjectKeyIdentifier tells no name */
	if (der_enter(&ias, DER_SEQ, &issuer) ||
	    der_enter(&ias, DER_INT, &serial))
		return -1;
	der_cn(issuer, m->signer, sizeof(m->signer));
	der_serial(&serial, m->key, sizeof(m->key));
	return 0;
}

/* 01:AB and 1ab are the same serial. */
bool dp_same_serial(const char *a, const char *b)
{
	char x[160], y[160];
	const char *s[2] = { a, b };
	char *d[2] = { x, y };
	int i;

	for (i = 0; i < 2; i++) {
		size_t k = 0;

		for (; *s[i] && k + 1 < sizeof(x); s[i]++) {
			if (*s[i] == ':' || (!k && *s[i] == '0'))
				continue;
			d[i][k++] = (char)(*s[i] | 0x20);	/* lower */
		}
		d[i][k] = '\0';
	}
	return x[0] && !strcmp(x, y);
}

/* --- the installed module --- */

static bool is_xyz_ko(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return !strcmp(base, "xyz.ko") || !strncmp(base, "xyz.ko.", 7);
}

/*
 * Where modprobe would find xyz for @release: modules.dep, else where DKMS
 * and make modules_install put it. 0, or -1 when there is none.
 */
int dp_find_module(const char *release, struct dp_module *m)
{
	static const char *const places[] = {
		"updates/dkms/xyz.ko", "updates/dkms/xyz.ko.xz",
		"updates/dkms/xyz.ko.zst", "updates/xyz.ko", "extra/xyz.ko",
		"extra/xyz.ko.xz", "extra/xyz.ko.zst",
	};
	char dir[256], full[PATH_MAX], line[1024], *colon;
	size_t i;
	FILE *f;

	memset(m, 0, sizeof(*m));
	m->sig = -1;
	snprintf(dir, sizeof(dir), "/lib/modules/%s", release);
	snprintf(line, sizeof(line), "%s/modules.dep", dir);
	dp_path(full, sizeof(full), line);
	f = fopen(full, "re");
	while (f && fgets(line, sizeof(line), f)) {
		colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		if (!is_xyz_ko(line))
			continue;
		if (line[0] == '/')
			snprintf(m->path, sizeof(m->path), "%s", line);
		else
			snprintf(m->path, sizeof(m->path), "%s/%s", dir, line);
		if (dp_exists(m->path))
			break;
		m->path[0] = '\0';
	}
	if (f)
		fclose(f);
	for (i = 0; !m->path[0] && i < sizeof(places) / sizeof(places[0]);
	     i++) {
		snprintf(line, sizeof(line), "%s/%s", dir, places[i]);
		if (dp_exists(line))
			snprintf(m->path, sizeof(m->path), "%s", line);
	}
	if (!m->path[0])
		return -1;
	m->compressed = strcmp(m->path + strlen(m->path) - 3, ".ko") != 0;
	return 0;
}

#define SIG_MAGIC	"~Module signature appended~\n"
#define SIG_INFO_LEN	12	/* struct module_signature */
#define PKEY_ID_PKCS7	2

/* "key=value" from the .modinfo strings of an uncompressed module. */
static void modinfo_string(const char *ko, size_t len, const char *key,
			   char *buf, size_t size)
{
	size_t klen = strlen(key);
	const char *p = ko, *end = ko + len;

	for (; (p = memmem(p, (size_t)(end - p), key, klen)); p += klen) {
		if (p > ko && p[-1] != '\0')
			continue;	/* "srcversion=" is not "version=" */
		snprintf(buf, size, "%.*s", (int)strnlen(p + klen,
			 (size_t)(end - p - klen)), p + klen);
		return;
	}
}

/* The signature and .modinfo of an uncompressed module, read here. */
static void read_ko(struct dp_module *m)
{
	static const size_t magic = sizeof(SIG_MAGIC) - 1;
	const uint8_t *info;
	uint32_t sig_len;
	size_t len;
	char *ko = read_all(m->path, &len);

	if (!ko)
		return;
	modinfo_string(ko, len, "version=", m->version, sizeof(m->version));
	modinfo_string(ko, len, "vermagic=", m->vermagic, sizeof(m->vermagic));
	m->sig = 0;
	if (len >= magic + SIG_INFO_LEN &&
	    !memcmp(ko + len - magic, SIG_MAGIC, magic)) {
		m->sig = 1;
		info = (const uint8_t *)ko + len - magic - SIG_INFO_LEN;
		sig_len = (uint32_t)info[8] << 24 | (uint32_t)info[9] << 16 |
			  (uint32_t)info[10] << 8 | info[11];
		if (info[2] == PKEY_ID_PKCS7 &&
		    sig_len <= len - magic - SIG_INFO_LEN)
			der_pkcs7_signer((struct der){ info - sig_len, sig_len },
					 m);
	}
	free(ko);
}

/* "FIELD:   value" of modinfo's output into @buf, unless @buf has one. */
static void modinfo_field(const char *out, const char *field, char *buf,
			  size_t size)
{
	size_t len = strlen(field);
	const char *p, *v;

	if (buf[0])
		return;
	for (p = out; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != 0)) {
		if (strncmp(p, field, len) || p[len] != ':')
			continue;
		v = p + len + 1 + strspn(p + len + 1, " \t");
		snprintf(buf, size, "%.*s", (int)strcspn(v, "\n"), v);
		return;
	}
}

/*
 * Version, vermagic and signature: read from the file where it is plain;
 * what is still unknown (a compressed module; a signer given by key id)
 * from modinfo(8), when it is there.
 */
void dp_module_facts(struct dp_module *m)
{
	char full[PATH_MAX], out[8192], sig_id[64] = "";
	const char *argv[] = { "modinfo", full, NULL };

	if (!m->compressed)
		read_ko(m);
	if (m->sig == 0 || (m->signer[0] && m->version[0]))
		return;
	dp_path(full, sizeof(full), m->path);
	if (dp_run(out, sizeof(out), argv) != 0)
		return;
	modinfo_field(out, "version", m->version, sizeof(m->version));
	modinfo_field(out, "vermagic", m->vermagic, sizeof(m->vermagic));
	modinfo_field(out, "signer", m->signer, sizeof(m->signer));
	modinfo_field(out, "sig_key", m->key, sizeof(m->key));
	modinfo_field(out, "sig_id", sig_id, sizeof(sig_id));
	if (m->sig < 0)
		m->sig = sig_id[0] || m->signer[0] ? 1 : 0;
}
