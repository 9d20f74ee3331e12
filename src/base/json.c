/* Streaming JSON writer. See json.h. */
#include "base/json.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

void gpm_json_init(struct gpm_json *j, struct gpm_strbuf *out, bool pretty)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
	j->pretty = pretty;
	j->first[0] = true;
}

static void json_newline(struct gpm_json *j)
{
	if (!j->pretty)
		return;
	gpm_strbuf_putc(j->out, '\n');
	for (int i = 0; i < j->depth; i++)
		gpm_strbuf_append(j->out, "  ", 2);
}

/* Emits the separator before a value or key. */
static void json_value_prefix(struct gpm_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth > 0) {
		if (!j->first[j->depth])
			gpm_strbuf_putc(j->out, ',');
		json_newline(j);
	}
	j->first[j->depth] = false;
}

static void json_open(struct gpm_json *j, char c)
{
	json_value_prefix(j);
	gpm_strbuf_putc(j->out, c);
	if (j->depth + 1 < GPM_JSON_MAX_DEPTH)
		j->depth++;
	j->first[j->depth] = true;
}

static void json_close(struct gpm_json *j, char c)
{
	bool empty = j->first[j->depth];
	if (j->depth > 0)
		j->depth--;
	if (!empty)
		json_newline(j);
	gpm_strbuf_putc(j->out, c);
	if (j->depth == 0 && j->pretty)
		gpm_strbuf_putc(j->out, '\n');
}

void gpm_json_object_begin(struct gpm_json *j)
{
	json_open(j, '{');
}

void gpm_json_object_end(struct gpm_json *j)
{
	json_close(j, '}');
}

void gpm_json_array_begin(struct gpm_json *j)
{
	json_open(j, '[');
}

void gpm_json_array_end(struct gpm_json *j)
{
	json_close(j, ']');
}

static void json_escape(struct gpm_strbuf *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	gpm_strbuf_putc(out, '"');
	size_t run = 0, i = 0;
	while (i < n) {
		unsigned char c = p[i];
		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0x80) {
			// Accept well-formed UTF-8; replace anything else by U+FFFD.
			size_t len = (c & 0xe0) == 0xc0   ? 2
			             : (c & 0xf0) == 0xe0 ? 3
			             : (c & 0xf8) == 0xf0 ? 4
			                                  : 0;
			bool ok = len && i + len <= n && !(c == 0xc0 || c == 0xc1 || c > 0xf4);
			for (size_t k = 1; ok && k < len; k++)
				ok = (p[i + k] & 0xc0) == 0x80;
			if (ok) {
				i += len;
				continue;
			}
			gpm_strbuf_append(out, s + run, i - run);
			gpm_strbuf_puts(out, "\xef\xbf\xbd");
			run = ++i;
			continue;
		}
		gpm_strbuf_append(out, s + run, i - run);
		switch (c) {
		case '"':
			gpm_strbuf_puts(out, "\\\"");
			break;
		case '\\':
			gpm_strbuf_puts(out, "\\\\");
			break;
		case '\n':
			gpm_strbuf_puts(out, "\\n");
			break;
		case '\t':
			gpm_strbuf_puts(out, "\\t");
			break;
		case '\r':
			gpm_strbuf_puts(out, "\\r");
			break;
		default:
			gpm_strbuf_printf(out, "\\u%04x", c);
		}
		run = ++i;
	}
	gpm_strbuf_append(out, s + run, n - run);
	gpm_strbuf_putc(out, '"');
}

void gpm_json_key(struct gpm_json *j, const char *key)
{
	json_value_prefix(j);
	json_escape(j->out, key, strlen(key));
	gpm_strbuf_puts(j->out, j->pretty ? ": " : ":");
	j->after_key = true;
}

void gpm_json_string_n(struct gpm_json *j, const char *s, size_t n)
{
	json_value_prefix(j);
	json_escape(j->out, s, n);
}

void gpm_json_string(struct gpm_json *j, const char *s)
{
	if (!s) {
		gpm_json_null(j);
		return;
	}
	gpm_json_string_n(j, s, strlen(s));
}

void gpm_json_int(struct gpm_json *j, int64_t v)
{
	json_value_prefix(j);
	gpm_strbuf_printf(j->out, "%" PRId64, v);
}

void gpm_json_uint(struct gpm_json *j, uint64_t v)
{
	json_value_prefix(j);
	gpm_strbuf_printf(j->out, "%" PRIu64, v);
}

void gpm_json_hex(struct gpm_json *j, uint64_t v)
{
	json_value_prefix(j);
	gpm_strbuf_printf(j->out, "\"0x%" PRIx64 "\"", v);
}

void gpm_json_bool(struct gpm_json *j, bool v)
{
	json_value_prefix(j);
	gpm_strbuf_puts(j->out, v ? "true" : "false");
}

void gpm_json_null(struct gpm_json *j)
{
	json_value_prefix(j);
	gpm_strbuf_puts(j->out, "null");
}

void gpm_json_kv_string(struct gpm_json *j, const char *key, const char *s)
{
	gpm_json_key(j, key);
	gpm_json_string(j, s);
}

void gpm_json_kv_int(struct gpm_json *j, const char *key, int64_t v)
{
	gpm_json_key(j, key);
	gpm_json_int(j, v);
}

void gpm_json_kv_uint(struct gpm_json *j, const char *key, uint64_t v)
{
	gpm_json_key(j, key);
	gpm_json_uint(j, v);
}

void gpm_json_kv_hex(struct gpm_json *j, const char *key, uint64_t v)
{
	gpm_json_key(j, key);
	gpm_json_hex(j, v);
}

void gpm_json_kv_bool(struct gpm_json *j, const char *key, bool v)
{
	gpm_json_key(j, key);
	gpm_json_bool(j, v);
}

void gpm_json_document_begin(struct gpm_json *j, const char *command)
{
	gpm_json_object_begin(j);
	gpm_json_kv_string(j, "schema", GPM_JSON_SCHEMA);
	gpm_json_kv_string(j, "command", command);
}

void gpm_json_time(struct gpm_json *j, int64_t unix_seconds)
{
	time_t t = (time_t)unix_seconds;
	struct tm tm;
	char buf[64];
	if (!gmtime_r(&t, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm)) {
		gpm_json_null(j);
		return;
	}
	gpm_json_string(j, buf);
}
