/* Growable strings and terminal-safe text. See strbuf.h. */
#include "base/strbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/vec.h"

static bool strbuf_reserve(struct gpm_strbuf *sb, size_t extra)
{
	// The common case, checked first: tracebacks append millions of small pieces.
	if (sb->cap - sb->len > extra && !sb->oom)
		return true;
	size_t need;
	if (sb->oom || __builtin_add_overflow(sb->len, extra + 1, &need)) {
		sb->oom = true;
		return false;
	}
	if (!gpm_array_reserve((void **)&sb->buf, &sb->cap, need, 1)) {
		sb->oom = true;
		return false;
	}
	return true;
}

void gpm_strbuf_deinit(struct gpm_strbuf *sb)
{
	free(sb->buf);
	*sb = (struct gpm_strbuf)GPM_STRBUF_INIT;
}

void gpm_strbuf_reset(struct gpm_strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = 0;
}

void gpm_strbuf_append_grow(struct gpm_strbuf *sb, const char *s, size_t n)
{
	if (!strbuf_reserve(sb, n))
		return;
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = 0;
}

void gpm_strbuf_puts(struct gpm_strbuf *sb, const char *s)
{
	gpm_strbuf_append(sb, s, strlen(s));
}

void gpm_strbuf_putc(struct gpm_strbuf *sb, char c)
{
	if (!strbuf_reserve(sb, 1))
		return;
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = 0;
}

void gpm_strbuf_put_u64(struct gpm_strbuf *sb, uint64_t v)
{
	char buf[20];
	size_t i = sizeof(buf);
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	gpm_strbuf_append(sb, buf + i, sizeof(buf) - i);
}

void gpm_strbuf_printf(struct gpm_strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char small[256];
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		sb->oom = true;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		gpm_strbuf_append(sb, small, (size_t)n);
		return;
	}
	if (!strbuf_reserve(sb, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

/* Length of a valid UTF-8 sequence at s (at most n bytes), or 0 if invalid. */
static size_t utf8_valid_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	else if ((c & 0xe0) == 0xc0)
		len = 2, cp = c & 0x1f;
	else if ((c & 0xf0) == 0xe0)
		len = 3, cp = c & 0x0f;
	else if ((c & 0xf8) == 0xf0)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
	if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	if (cp >= 0x80 && cp < 0xa0) // C1 controls
		return 0;
	return len;
}

void gpm_strbuf_append_safe(struct gpm_strbuf *sb, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0;
	while (i < n) {
		// Runs of printable ASCII, the usual case, go through in one test per byte.
		while (i < n && p[i] >= 0x20 && p[i] < 0x7f)
			i++;
		if (i == n)
			break;
		unsigned char c = p[i];
		size_t len = c == '\t' ? 1 : 0;
		if (!len && c >= 0x80)
			len = utf8_valid_len(p + i, n - i);
		if (len) {
			i += len;
			continue;
		}
		gpm_strbuf_append(sb, s + run, i - run);
		gpm_strbuf_printf(sb, "\\x%02x", c);
		i++;
		run = i;
	}
	gpm_strbuf_append(sb, s + run, n - run);
}

/* Whether s[0..n) is a decimal number: [+-]digits[.digits][(e|E)[+-]digits]. */
static bool plain_number(const char *s, size_t n)
{
	size_t i = 0, d = 0;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		d++;
	if (i < n && s[i] == '.')
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			d++;
	if (!d)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t e = 0;
		if (++i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			e++;
		if (!e)
			return false;
	}
	return i == n;
}

void gpm_strbuf_append_field(struct gpm_strbuf *sb, const char *s, size_t n, char sep)
{
	struct gpm_strbuf safe = GPM_STRBUF_INIT;
	gpm_strbuf_append(&safe, "", 0);
	gpm_strbuf_append_safe(&safe, s, n);
	if (safe.oom) {
		gpm_strbuf_deinit(&safe);
		sb->oom = true;
		return;
	}
	const char *t = safe.buf;
	size_t len = safe.len;
	// CR and LF are \x escapes by now (a field cannot begin with them any more); TAB is
	// kept (it is text), and defused in front.
	bool formula = len && memchr("=+-@\t\r", t[0], 6) && !plain_number(t, len);
	bool quote = false;
	for (size_t i = 0; i < len && !quote; i++)
		quote = t[i] == sep || t[i] == '"' || t[i] == '\r' || t[i] == '\n';
	if (quote)
		gpm_strbuf_putc(sb, '"');
	if (formula)
		gpm_strbuf_putc(sb, '\'');
	for (size_t i = 0, run = 0; i <= len; i++) {
		if (i == len || t[i] == '"') {
			gpm_strbuf_append(sb, t + run, i - run + (i < len)); // a quote: doubled
			run = i;
		}
	}
	if (quote)
		gpm_strbuf_putc(sb, '"');
	gpm_strbuf_deinit(&safe);
}

const char *gpm_strbuf_str(const struct gpm_strbuf *sb)
{
	return sb->buf && !sb->oom ? sb->buf : "";
}

char *gpm_strbuf_detach(struct gpm_strbuf *sb)
{
	char *s = NULL;
	if (!sb->oom)
		s = sb->buf ? sb->buf : strdup("");
	else
		free(sb->buf);
	*sb = (struct gpm_strbuf)GPM_STRBUF_INIT;
	return s;
}

struct gpm_error *gpm_strbuf_error(const struct gpm_strbuf *sb)
{
	return sb->oom ? &gpm_error_nomem : NULL;
}

char *gpm_safe_strndup(const char *s, size_t n)
{
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	gpm_strbuf_append(&sb, "", 0);
	gpm_strbuf_append_safe(&sb, s, n);
	return gpm_strbuf_detach(&sb);
}

char *gpm_hex_dup(const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char *s = malloc(n * 2 + 1);
	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		s[2 * i] = digits[p[i] >> 4];
		s[2 * i + 1] = digits[p[i] & 15];
	}
	s[n * 2] = '\0';
	return s;
}
