/*
 * Unwrapping dumps pasted through loggers: CRLF line ends, a prefix before every line
 * (timestamps, `kubectl logs --prefix/--timestamps`, CRI "… stderr F "), and JSON records
 * whose string values carry the dump with "\n" escapes (docker json-file, zap, logrus).
 * The prefix is learned from the first goroutine header that does not start its line and
 * then stripped from every line that has it, literally or by shape (runs of letters and
 * digits may differ: timestamps change). Lines without it are kept as they are (loggers
 * often prefix only the first line of a multi-line message). Input detection lives here too.
 */
#include <stdlib.h>
#include <string.h>

#include "base/vec.h"
#include "dump/dump.h"

enum { SCAN_LIMIT = 4 << 20, MAX_PREFIX = 256 };

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Position of a goroutine header ("goroutine N [" / "goroutine N gp=") in s, or -1. */
static long find_header(const char *s, size_t n)
{
	const char *p = s, *end = s + n;
	while (p < end) {
		const char *g = memmem(p, (size_t)(end - p), "goroutine ", 10);
		if (!g)
			return -1;
		const char *q = g + 10;
		if (q < end && is_digit(*q)) {
			while (q < end && is_digit(*q))
				q++;
			if ((end - q >= 2 && q[0] == ' ' && q[1] == '[') ||
			    (end - q >= 4 && memcmp(q, " gp=", 4) == 0))
				return g - s;
		} else if ((size_t)(end - g) >= 25 &&
		           memcmp(g, "goroutine profile: total ", 25) == 0) {
			return g - s;
		}
		p = g + 10;
	}
	return -1;
}

/* Length of the prefix of s that matches pattern pre (shape-wise), or -1. */
static long match_prefix(const char *pre, size_t pn, const char *s, size_t n)
{
	if (n >= pn && memcmp(pre, s, pn) == 0)
		return (long)pn;
	size_t i = 0, j = 0;
	while (i < pn) {
		if (is_alnum(pre[i])) {
			while (i < pn && is_alnum(pre[i]))
				i++;
			size_t st = j;
			while (j < n && is_alnum(s[j]))
				j++;
			if (j == st)
				return -1;
		} else {
			if (j >= n || s[j] != pre[i])
				return -1;
			i++;
			j++;
		}
	}
	return (long)j;
}

struct out {
	GPM_VEC(char) b;
	bool nomem;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->nomem)
		return;
	if (!gpm_vec_reserve(&o->b, o->b.len + n + 1)) {
		o->nomem = true;
		return;
	}
	memcpy(o->b.v + o->b.len, s, n);
	o->b.len += n;
}

static int hexv(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes the JSON string body s[0..n) (without quotes) into o. */
static void json_decode(struct out *o, const char *s, size_t n)
{
	size_t run = 0, i = 0;
	while (i < n) {
		if (s[i] != '\\') {
			i++;
			continue;
		}
		put(o, s + run, i - run);
		if (i + 1 >= n) {
			run = i = n;
			break;
		}
		char e = s[i + 1];
		i += 2;
		char c;
		switch (e) {
		case 'n':
			c = '\n';
			break;
		case 't':
			c = '\t';
			break;
		case 'r':
			c = '\r';
			break;
		case 'b':
			c = '\b';
			break;
		case 'f':
			c = '\f';
			break;
		case 'u': {
			unsigned v = 0;
			int k = 0;
			for (; k < 4 && i < n && hexv(s[i]) >= 0; k++)
				v = v << 4 | (unsigned)hexv(s[i++]);
			char buf[3];
			size_t bl;
			if (v < 0x80) {
				buf[0] = (char)v;
				bl = 1;
			} else if (v < 0x800) {
				buf[0] = (char)(0xc0 | v >> 6);
				buf[1] = (char)(0x80 | (v & 0x3f));
				bl = 2;
			} else {
				buf[0] = (char)(0xe0 | v >> 12);
				buf[1] = (char)(0x80 | ((v >> 6) & 0x3f));
				buf[2] = (char)(0x80 | (v & 0x3f));
				bl = 3;
			}
			put(o, buf, bl);
			run = i;
			continue;
		}
		default:
			c = e;
			break;
		}
		put(o, &c, 1);
		run = i;
	}
	put(o, s + run, n - run);
}

/* Picks the string value of a JSON record that carries the message; false if none. */
static bool json_line(struct out *o, const char *s, size_t n)
{
	static const char *const keys[] = {"log",   "msg",        "message", "error", "err",
	                                   "stack", "stacktrace", "panic",   "output"};
	const char *best = NULL;
	size_t best_len = 0;
	int best_score = -1;
	size_t i = 0;
	const char *key = NULL;
	size_t key_len = 0;
	while (i < n) {
		if (s[i] != '"') {
			i++;
			continue;
		}
		size_t st = ++i;
		while (i < n && s[i] != '"')
			i += s[i] == '\\' ? 2 : 1;
		if (i > n)
			i = n;
		size_t en = i++;
		size_t k = i;
		while (k < n && s[k] == ' ')
			k++;
		if (k < n && s[k] == ':') { // a key
			key = s + st;
			key_len = en - st;
			continue;
		}
		int score = 0;
		for (size_t j = 0; key && j < sizeof(keys) / sizeof(keys[0]); j++)
			if (strlen(keys[j]) == key_len && !memcmp(keys[j], key, key_len))
				score = 1;
		if (memmem(s + st, en - st, "goroutine ", 10) || memmem(s + st, en - st, "\\t", 2))
			score += 2;
		if (score > best_score || (score == best_score && en - st > best_len)) {
			best = s + st;
			best_len = en - st;
			best_score = score;
		}
		key = NULL;
	}
	if (!best)
		return false;
	size_t before = o->b.len;
	json_decode(o, best, best_len);
	if (o->b.len == before || o->b.v[o->b.len - 1] != '\n')
		put(o, "\n", 1);
	return true;
}

/* Whether text holds a dump escaped inside JSON strings ("\\ngoroutine " or "\\n\\t"): one
 * memchr pass over the backslashes, which plain dumps hardly have. */
static bool json_escaped_dump(const char *s, size_t n)
{
	for (const char *p = s, *end = s + n; (p = memchr(p, '\\', (size_t)(end - p)));) {
		size_t left = (size_t)(end - p);
		if (left >= 12 && !memcmp(p, "\\ngoroutine ", 12))
			return true;
		if (left >= 4 && !memcmp(p, "\\n\\t", 4))
			return true;
		p++;
	}
	return false;
}

bool gpm_dump_unwrap(const char *data, size_t len, char **out, size_t *out_len, bool *nomem)
{
	*out = NULL;
	*out_len = 0;
	*nomem = false;
	if (!data || !len)
		return false;
	size_t scan = len < SCAN_LIMIT ? len : SCAN_LIMIT;
	bool cr = memchr(data, '\r', len) != NULL;
	bool json = json_escaped_dump(data, scan);
	bool prefixed = false;
	// Prefix: is some early header not at the start of its line?
	const char *p = data, *end = data + scan;
	for (int hits = 0; !prefixed && p < end && hits < 64; hits++) {
		long k = find_header(p, (size_t)(end - p));
		if (k < 0)
			break;
		const char *h = p + k;
		if (h > data && h[-1] != '\n' && !(h - data >= 4 && !memcmp(h - 4, " in ", 4))) {
			prefixed = true;
			// "…":"goroutine 1 [running]:\n" – one JSON record per line (docker)
			if (h[-1] == '"' || (h - data >= 2 && h[-2] == '\\' && h[-1] == 'n'))
				json = true;
		}
		p = h + 10;
	}
	if (!cr && !json && !prefixed)
		return false;

	struct out o = {0};
	char pre[MAX_PREFIX];
	size_t pre_len = 0;
	// Pass 1: the first prefix, so the preamble before the first header is stripped too.
	if (prefixed) {
		for (const char *s = data; s < data + len;) {
			const char *e = memchr(s, '\n', (size_t)(data + len - s));
			size_t n = e ? (size_t)(e - s) : (size_t)(data + len - s);
			long k = find_header(s, n);
			if (k > 0 && k < MAX_PREFIX && s[0] != '{') {
				pre_len = (size_t)k;
				memcpy(pre, s, pre_len);
				break;
			}
			if (!e || s - data > SCAN_LIMIT)
				break;
			s = e + 1;
		}
	}
	for (const char *s = data; s < data + len && !o.nomem;) {
		const char *e = memchr(s, '\n', (size_t)(data + len - s));
		size_t n = e ? (size_t)(e - s) : (size_t)(data + len - s);
		const char *next = e ? e + 1 : data + len;
		if (n && s[n - 1] == '\r')
			n--;
		if (json) {
			size_t b = 0;
			while (b < n && (s[b] == ' ' || s[b] == '\t'))
				b++;
			if (b < n && s[b] == '{' && s[n - 1] == '}' &&
			    json_line(&o, s + b, n - b)) {
				s = next;
				continue;
			}
		}
		if (prefixed) {
			long k = find_header(s, n);
			if (k > 0 && k < MAX_PREFIX && s[0] != '{' &&
			    !(k >= 4 && !memcmp(s + k - 4, " in ", 4))) {
				pre_len = (size_t)k;
				memcpy(pre, s, pre_len);
			}
			if (pre_len) {
				long m = match_prefix(pre, pre_len, s, n);
				if (m > 0) {
					s += m;
					n -= (size_t)m;
				}
			}
		}
		put(&o, s, n);
		if (e)
			put(&o, "\n", 1);
		s = next;
	}
	if (o.nomem) {
		gpm_vec_free(&o.b);
		*nomem = true;
		return false;
	}
	if (!o.b.v) {
		o.b.v = malloc(1);
		if (!o.b.v) {
			*nomem = true;
			return false;
		}
	}
	*out = o.b.v;
	*out_len = o.b.len;
	return true;
}

enum gpm_input_kind gpm_input_detect(const uint8_t *data, size_t len)
{
	if (!data || !len)
		return GPM_INPUT_UNKNOWN;
	if (len >= 18 && !memcmp(data,
	                         "\x7f"
	                         "ELF",
	                         4)) {
		unsigned type = data[5] == 2 ? (unsigned)data[16] << 8 | data[17]
		                             : (unsigned)data[17] << 8 | data[16];
		return type == 4 ? GPM_INPUT_CORE : GPM_INPUT_UNKNOWN;
	}
	if (len >= 16 && !memcmp(data, "go1.7 heap dump\n", 16))
		return GPM_INPUT_HEAPDUMP;
	size_t scan = len < SCAN_LIMIT ? len : SCAN_LIMIT;
	const char *s = (const char *)data;
	long k = find_header(s, scan);
	if (k < 0)
		return GPM_INPUT_UNKNOWN;
	if (memmem(s, scan, "goroutine profile: total ", 25))
		return GPM_INPUT_PPROF1;
	// debug=2 is runtime.Stack from the profile writer: its first frame says so.
	const char *nl = memchr(s + k, '\n', scan - (size_t)k);
	if ((k == 0 || s[k - 1] == '\n') && nl && (size_t)(s + scan - nl) > 36 &&
	    !memcmp(nl + 1, "runtime/pprof.writeGoroutineStacks(", 35))
		return GPM_INPUT_PPROF2;
	return GPM_INPUT_DUMP;
}

const char *gpm_input_kind_name(enum gpm_input_kind kind)
{
	switch (kind) {
	case GPM_INPUT_CORE:
		return "core";
	case GPM_INPUT_DUMP:
		return "dump";
	case GPM_INPUT_PPROF1:
		return "pprof-debug1";
	case GPM_INPUT_PPROF2:
		return "pprof-debug2";
	case GPM_INPUT_HEAPDUMP:
		return "heapdump";
	case GPM_INPUT_UNKNOWN:
		break;
	}
	return "unknown";
}
