/*
 * A growable string. Appends never fail loudly: on out of memory the buffer is marked
 * and gpm_strbuf_error() reports it once at the end, which keeps formatting code linear.
 */
#ifndef GPM_BASE_STRBUF_H
#define GPM_BASE_STRBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <stdint.h>

#include "base/error.h"

struct gpm_strbuf {
	char *buf; /* always NUL-terminated when len > 0 or after any append */
	size_t len, cap;
	bool oom;
};

#define GPM_STRBUF_INIT                                                                            \
	{                                                                                          \
		0                                                                                  \
	}

void gpm_strbuf_deinit(struct gpm_strbuf *sb);
void gpm_strbuf_reset(struct gpm_strbuf *sb);
/* The slow path of gpm_strbuf_append: grows the buffer first. */
void gpm_strbuf_append_grow(struct gpm_strbuf *sb, const char *s, size_t n);
static inline void gpm_strbuf_append(struct gpm_strbuf *sb, const char *s, size_t n)
{
	// Inline when it fits: tracebacks append millions of small pieces.
	if (sb->cap - sb->len > n && !sb->oom) {
		memcpy(sb->buf + sb->len, s, n);
		sb->len += n;
		sb->buf[sb->len] = 0;
		return;
	}
	gpm_strbuf_append_grow(sb, s, n);
}
void gpm_strbuf_puts(struct gpm_strbuf *sb, const char *s);
void gpm_strbuf_putc(struct gpm_strbuf *sb, char c);
/* Appends v in decimal (faster than printf for the millions of numbers of a traceback). */
void gpm_strbuf_put_u64(struct gpm_strbuf *sb, uint64_t v);
void gpm_strbuf_printf(struct gpm_strbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * Appends untrusted text made terminal-safe: control bytes, DEL, C1 controls and invalid
 * UTF-8 become \xNN escapes, so names and messages from a dump cannot move the cursor or
 * change colours.
 */
void gpm_strbuf_append_safe(struct gpm_strbuf *sb, const char *s, size_t n);
/*
 * Appends untrusted text as one field of a CSV (sep ',') or TSV (sep '\t') row, the one
 * path every such output takes: terminal-safe as above (CR and LF become \x escapes); a
 * field beginning with = + - @ or a TAB gets a leading ' so that a spreadsheet does not
 * run it as a formula (OWASP, "CSV Injection"), except a plain decimal number ("-1",
 * "+2.5e3"), which no spreadsheet reads as a formula; quoted as RFC 4180 says when it
 * holds sep or a quote.
 */
void gpm_strbuf_append_field(struct gpm_strbuf *sb, const char *s, size_t n, char sep);
/* The string (never NULL; "" when empty). */
const char *gpm_strbuf_str(const struct gpm_strbuf *sb);
/* Detaches the buffer: the caller owns it (NULL on out of memory). */
char *gpm_strbuf_detach(struct gpm_strbuf *sb);
struct gpm_error *gpm_strbuf_error(const struct gpm_strbuf *sb);

/* Returns p[0..n) as malloc'd lowercase hex (build ids), or NULL on out of memory. */
char *gpm_hex_dup(const uint8_t *p, size_t n);
/* Returns a malloc'd terminal-safe copy of s[0..n), or NULL on out of memory. */
char *gpm_safe_strndup(const char *s, size_t n);

#endif
