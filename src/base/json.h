/*
 * A streaming JSON writer over a strbuf. It tracks nesting so callers never place commas
 * by hand; strings are escaped per RFC 8259 and invalid UTF-8 is replaced by U+FFFD, so
 * output from hostile dumps stays valid JSON.
 */
#ifndef GPM_BASE_JSON_H
#define GPM_BASE_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include "base/strbuf.h"

enum { GPM_JSON_MAX_DEPTH = 64 };

/* The version of gopm's JSON documents (doc/json.md, doc/gopm.schema.json). */
#define GPM_JSON_SCHEMA "gopm/1"

struct gpm_json {
	struct gpm_strbuf *out; /* borrowed */
	int depth;
	bool first[GPM_JSON_MAX_DEPTH];
	bool after_key;
	bool pretty;
};

void gpm_json_init(struct gpm_json *j, struct gpm_strbuf *out, bool pretty);
void gpm_json_object_begin(struct gpm_json *j);
void gpm_json_object_end(struct gpm_json *j);
void gpm_json_array_begin(struct gpm_json *j);
void gpm_json_array_end(struct gpm_json *j);
void gpm_json_key(struct gpm_json *j, const char *key);
void gpm_json_string(struct gpm_json *j, const char *s);
void gpm_json_string_n(struct gpm_json *j, const char *s, size_t n);
void gpm_json_int(struct gpm_json *j, int64_t v);
void gpm_json_uint(struct gpm_json *j, uint64_t v);
/* An address as a "0x..." string (JSON numbers lose precision above 2^53). */
void gpm_json_hex(struct gpm_json *j, uint64_t v);
void gpm_json_bool(struct gpm_json *j, bool v);
void gpm_json_null(struct gpm_json *j);

/* Begins a document of gopm's JSON contract: an object whose first members are
 * "schema": GPM_JSON_SCHEMA and "command": command. End it with gpm_json_object_end. */
void gpm_json_document_begin(struct gpm_json *j, const char *command);
/* A time (unix seconds) as RFC 3339 in UTC: "2026-12-04T17:30:00Z". */
void gpm_json_time(struct gpm_json *j, int64_t unix_seconds);

/* key + value shorthands */
void gpm_json_kv_string(struct gpm_json *j, const char *key, const char *s);
void gpm_json_kv_int(struct gpm_json *j, const char *key, int64_t v);
void gpm_json_kv_uint(struct gpm_json *j, const char *key, uint64_t v);
void gpm_json_kv_hex(struct gpm_json *j, const char *key, uint64_t v);
void gpm_json_kv_bool(struct gpm_json *j, const char *key, bool v);

#endif
