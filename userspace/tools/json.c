// SPDX-License-Identifier: MIT
/* The JSON that --json prints: compact, one line, null for what is absent. */
#include <math.h>
#include <string.h>
#include <xyz.h>

#include "arch.h"
#include "json.h"

/* Bytes of the UTF-8 sequence at @s, or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	n = s[0] < 0xc2 ? 0 : s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 :
	    s[0] < 0xf5 ? 4 : 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* A JSON string: escaped, and what is not UTF-8 replaced by U+FFFD. */
static void quoted(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	putc('"', f);
	while (*s) {
		n = utf8_len(s);
		if (!n) {
			fputs("\\ufffd", f);
			s++;
		} else if (*s == '"' || *s == '\\') {
			fprintf(f, "\\%c", *s++);
		} else if (*s == '\n') {
			fputs("\\n", f);
			s++;
		} else if (*s == '\t') {
			fputs("\\t", f);
			s++;
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(f, "\\u%04x", *s++);
		} else {
			fwrite(s, 1, n, f);
			s += n;
		}
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
