/* SPDX-License-Identifier: MIT */
/*
 * One JSON object per run, on one line (scripts read it line by line):
 * what --json prints. Keys and values are written as they come; a NULL
 * string, a NaN and json_null() are null. The object carries "schema"
 * (CLI_JSON_SCHEMA), bumped when a member changes meaning or goes away.
 */
#ifndef XYZ_JSON_H
#define XYZ_JSON_H

#include <stdbool.h>
#include <stdio.h>

#define CLI_JSON_SCHEMA	1
#define JSON_MAX_DEPTH	8

struct json {
	FILE		*f;
	unsigned int	depth;
	bool		more[JSON_MAX_DEPTH];	/* a member came before */
	char		close[JSON_MAX_DEPTH];	/* '}' or ']' */
};

/* Inside an object @key names the member; inside an array it is NULL. */
void json_begin(struct json *j, FILE *f, const char *command);
void json_end(struct json *j);
void json_object(struct json *j, const char *key);
void json_array(struct json *j, const char *key);
void json_close(struct json *j);	/* the innermost object or array */
void json_null(struct json *j, const char *key);
void json_bool(struct json *j, const char *key, bool v);
void json_int(struct json *j, const char *key, long long v);
void json_uint(struct json *j, const char *key, unsigned long long v);
void json_real(struct json *j, const char *key, int decimals, double v);
void json_string(struct json *j, const char *key, const char *s);
/* An error member: null, or { "name", "code", "message", "hint" }. */
void json_error(struct json *j, const char *key, int err, const char *hint);

#endif /* XYZ_JSON_H */
