// SPDX-License-Identifier: MIT
/* The JSON that --json prints: compact, one line, null for what is absent. */
#include <math.h>
#include <string.h>
#include <xyz.h>

#include "arch.h"
#include "json.h"

static void quoted(FILE *f, const char *s)
{
	putc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			putc(c, f);	/* UTF-8 passes through */
	}
	putc('"', f);
}

static void member(struct json *j, const char *key)
{
	if (j->more[j->depth])
		putc(',', j->f);
	j->more[j->depth] = true;
	if (key) {
		quoted(j->f, key);
		putc(':', j->f);
	}
}

static void open_nested(struct json *j, const char *key, char open, char close)
{
	member(j, key);
	putc(open, j->f);
	if (j->depth + 1 < JSON_MAX_DEPTH)
		j->depth++;
	j->more[j->depth] = false;
	j->close[j->depth] = close;
}

void json_object(struct json *j, const char *key)
{
	open_nested(j, key, '{', '}');
}

void json_array(struct json *j, const char *key)
{
	open_nested(j, key, '[', ']');
}

void json_close(struct json *j)
{
	putc(j->close[j->depth], j->f);
	if (j->depth)
		j->depth--;
}

/* The object and the members every command's JSON starts with. */
void json_begin(struct json *j, FILE *f, const char *command)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->close[0] = '}';
	putc('{', f);
	json_int(j, "schema", CLI_JSON_SCHEMA);
	json_string(j, "command", command);
	json_string(j, "version", LIBXYZ_VERSION);
	json_string(j, "arch", XYZ_ARCH_NAME);
}

void json_end(struct json *j)
{
	while (j->depth)
		json_close(j);
	fputs("}\n", j->f);
	fflush(j->f);
}

void json_null(struct json *j, const char *key)
{
	member(j, key);
	fputs("null", j->f);
}

void json_bool(struct json *j, const char *key, bool v)
{
	member(j, key);
	fputs(v ? "true" : "false", j->f);
}

void json_int(struct json *j, const char *key, long long v)
{
	member(j, key);
	fprintf(j->f, "%lld", v);
}

void json_uint(struct json *j, const char *key, unsigned long long v)
{
	member(j, key);
	fprintf(j->f, "%llu", v);
}

void json_real(struct json *j, const char *key, int decimals, double v)
{
	if (!isfinite(v)) {
		json_null(j, key);
		return;
	}
	member(j, key);
	fprintf(j->f, "%.*f", decimals, v);
}

void json_string(struct json *j, const char *key, const char *s)
{
	if (!s) {
		json_null(j, key);
		return;
	}
	member(j, key);
	quoted(j->f, s);
}

void json_error(struct json *j, const char *key, int err, const char *hint)
{
	if (!err) {
		json_null(j, key);
		return;
	}
	json_object(j, key);
	json_string(j, "name", strerrorname_np(err));
	json_int(j, "code", err);
	json_string(j, "message", strerror(err));
	json_string(j, "hint", hint);
	json_close(j);
}
