/*
 * Dumps as people paste them: every runtime-produced fixture (the .txt dumps of
 * testdata/dumps, the oracle cores' tracebacks, the real-world corpus) is transformed the ways chat
 * tools, issue trackers, terminals and log shippers transform text — tabs to spaces, indentation
 * dropped or added, double spacing, console wraps at 80 and 120 columns, word wraps, CRLF
 * and stray CR, log prefixes, JSON records, a dump inside one JSON string, newest-first
 * order, the terminal's "^\" echo — and each variant is parsed and printed again. The
 * printed goroutines, frames, files and lines must equal those of the pristine text, and
 * no variant may lose a goroutine or a frame with no warning (the exit status 1 contract).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/source.h"
#include "base/strbuf.h"
#include "check_gopm.h"
#include "dump/dump.h"
#include "model/traceback.h"

/* ---- the generator ---- */

struct text {
	const char *s;
	size_t n;
};

typedef void transform_fn(struct gpm_strbuf *out, const char *s, size_t n, size_t no, void *arg);

/* Applies fn to each line (without its '\n'); no counts from 0. */
static void each_line(struct gpm_strbuf *out, struct text t, transform_fn *fn, void *arg)
{
	size_t no = 0;
	for (const char *p = t.s, *end = t.s + t.n; p < end; no++) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		size_t n = e ? (size_t)(e - p) : (size_t)(end - p);
		fn(out, p, n, no, arg);
		p = e ? e + 1 : end;
	}
}

static void put_expanded(struct gpm_strbuf *out, const char *s, size_t n, const char *tab)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\t')
			gpm_strbuf_puts(out, tab);
		else
			gpm_strbuf_putc(out, s[i]);
	}
}

static void t_spaces(struct gpm_strbuf *out, const char *s, size_t n, size_t no, void *arg)
{
	put_expanded(out, s, n, arg);
	gpm_strbuf_putc(out, '\n');
}

static void t_noindent(struct gpm_strbuf *out, const char *s, size_t n, size_t no, void *arg)
{
	while (n && (*s == '\t' || *s == ' '))
		s++, n--;
	gpm_strbuf_append(out, s, n);
	gpm_strbuf_putc(out, '\n');
}

/* The whole paste indented (a Markdown list, a quoted test log); arg: tabs replaced. */
static void t_indent(struct gpm_strbuf *out, const char *s, size_t n, size_t no, void *arg)
{
	gpm_strbuf_puts(out, "    ");
	if (arg)
		put_expanded(out, s, n, arg);
	else
		gpm_strbuf_append(out, s, n);
	gpm_strbuf_putc(out, '\n');
}

static void t_double(struct gpm_strbuf *out, const char *s, size_t n, size_t no, void *arg)
{
	gpm_strbuf_append(out, s, n);
	gpm_strbuf_puts(out, "\n\n");
}

/* A terminal: tabs shown as spaces to the next multiple of 8, lines cut every W columns. */
static void t_console(struct gpm_strbuf *out, const char *s, size_t n, size_t no, void *arg)
{
	size_t w = *(const size_t *)arg, col = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\t') {
			size_t to = (col / 8 + 1) * 8;
			while (col < to) {
				if (col && col % w == 0)
					gpm_strbuf_putc(out, '\n');
				gpm_strbuf_putc(out, ' ');
				col++;
			}
			continue;
		}
		if ((s[i] & 0xc0) == 0x80) { // a UTF-8 continuation byte takes no column
			gpm_strbuf_putc(out, s[i]);
			continue;
		}
		if (col && col % w == 0)
			gpm_strbuf_putc(out, '\n');
		gpm_strbuf_putc(out, s[i]);
		col++;
	}
	gpm_strbuf_putc(out, '\n');
}

/* A mail or chat client: tabs as 4 spaces, lines broken at the last blank before W. */
static void t_words(struct gpm_strbuf *out, const char *s, size_t n, size_t no, void *arg)
{
	size_t w = *(const size_t *)arg;
	struct gpm_strbuf line = GPM_STRBUF_INIT;
	put_expanded(&line, s, n, "    ");
	const char *p = line.buf ? line.buf : "";
	size_t left = line.len;
	while (left > w) {
		size_t cut = w;
		while (cut > 0 && p[cut] != ' ')
			cut--;
		if (cut == 0 || p[cut - 1] == ' ') { // no blank, or only indentation: keep it
			break;
		}
		gpm_strbuf_append(out, p, cut);
		gpm_strbuf_putc(out, '\n');
		p += cut + 1; // the blank at the break is eaten
		left -= cut + 1;
	}
	gpm_strbuf_append(out, p, left);
	gpm_strbuf_putc(out, '\n');
	gpm_strbuf_deinit(&line);
}

static void t_crlf(struct gpm_strbuf *out, const char *s, size_t n, size_t no, void *arg)
{
	gpm_strbuf_append(out, s, n);
	gpm_strbuf_puts(out, arg && no % 3 ? "\n" : "\r\n");
}

/* Log prefixes, by name; the line number makes timestamps and counters vary. */
static void t_prefix(struct gpm_strbuf *out, const char *s, size_t n, size_t no, void *arg)
{
	const char *kind = arg;
	unsigned k = (unsigned)(no % 60);
	if (!strcmp(kind, "actions"))
		gpm_strbuf_printf(out, "2024-05-01T10:00:%02u.1234567Z ", k);
	else if (!strcmp(kind, "compose"))
		gpm_strbuf_puts(out, "web_1     | ");
	else if (!strcmp(kind, "etcd"))
		gpm_strbuf_printf(out, "11:05:%02u      etcd1 | ", k);
	else if (!strcmp(kind, "bracket"))
		gpm_strbuf_printf(out, "[00:11:%02u] ", k);
	else if (!strcmp(kind, "syslog"))
		gpm_strbuf_printf(out, "May %2u 10:00:00 host app[4242]: ", k % 28 + 1);
	else if (!strcmp(kind, "quote")) // a Markdown or mail quote; "> " on an empty line is ">"
		gpm_strbuf_puts(out, n ? "> " : ">");
	else if (!strcmp(kind, "catn")) // `cat -n`, `less -N`: a right-aligned number
		gpm_strbuf_printf(out, "%6zu\t", no + 1);
	else if (!strcmp(kind, "kubectl")) // kubectl logs --timestamps
		gpm_strbuf_printf(out, "2024-05-01T10:00:%02u.%09zuZ ", k, no * 7919 % 1000000000);
	else if (!strcmp(kind, "colour")) // docker compose on a terminal
		gpm_strbuf_puts(out, "\x1b[36mweb-1  |\x1b[0m ");
	else if (!strcmp(kind, "layered")) // a shipper's prefix; a logger's on the first line
		gpm_strbuf_printf(out, "web-1  | %s", no ? "" : "2024/05/01 10:00:01 ");
	else if (!strcmp(kind, "zap")) // a structured logger's console line, the stack bare
		gpm_strbuf_puts(out, no ? "" : "2024-05-01T10:00:01.000Z\tERROR\tapp/main.go:42\t");
	else if (!strcmp(kind, "klog1")) // klog's header on the logged line only
		gpm_strbuf_puts(out, no ? "" : "E0501 10:00:01.123456    4242 main.go:123] ");
	else if (!strcmp(kind, "level")) // a timestamp and a bracketed level, first line only
		gpm_strbuf_puts(out, no ? "" : "2024-05-01 10:00:01,123 [ERROR] ");
	else if (!strcmp(kind, "stampline")) // a log explorer's copy: the time on its own line
		gpm_strbuf_printf(out, "2024-05-01 10:00:%02u.%03zu\n", k, no * 37 % 1000);
	else if (!strcmp(kind, "loki")) // Grafana's "download logs": a time column, a tab
		gpm_strbuf_printf(out, "2024-05-01 10:00:%02u.%03zu\t", k, no * 37 % 1000);
	else if (!strcmp(kind, "logcli")) // logcli's default output: time, labels, line
		gpm_strbuf_printf(out,
		                  "2024-05-01T10:00:%02u.%03zuZ {app=\"api\", pod=\"api-7d9f\"} ",
		                  k, no * 37 % 1000);
	else if (!strcmp(kind, "logcat")) // adb logcat's threadtime: pid, tid, level, tag
		gpm_strbuf_printf(out, "05-01 10:00:%02u.%03zu  1234  %4zu E GoLog   : ", k,
		                  no * 37 % 1000, 1250 + no % 3);
	else if (!strcmp(kind, "logcat-brief")) // adb logcat -v brief
		gpm_strbuf_puts(out, "E/Go      ( 1234): ");
	else if (!strcmp(kind, "kodi")) // a thread and a level that differ from line to line
		gpm_strbuf_printf(out, "2024-05-01 10:00:%02u.%03zu T:%-5zu %7s <general>: ", k,
		                  no * 37 % 1000, 12345 + no % 7 * 1111,
		                  (const char *[]){"error", "info", "warning", "debug"}[no % 4]);
	else
		gpm_strbuf_printf(out, "E0501 10:00:%02u.123456    4242 main.go:123] ", k);
	gpm_strbuf_append(out, s, n);
	gpm_strbuf_putc(out, '\n');
}

/* Copied from a rendered Markdown page: the receivers' stars eaten as emphasis
 * ("main.(Server).Serve"), the indentation gone. */
static void t_rendered(struct gpm_strbuf *out, const char *s, size_t n, size_t no, void *arg)
{
	(void)no;
	while (n && (*s == '\t' || *s == ' '))
		s++, n--;
	for (size_t i = 0; i < n; i++) {
		if (!(s[i] == '*' && i >= 2 && s[i - 1] == '(' && s[i - 2] == '.'))
			gpm_strbuf_putc(out, s[i]);
		else if (arg) // an HTML-to-text converter's emphasis: "main.(_Server).Serve"
			gpm_strbuf_putc(out, '_');
	}
	gpm_strbuf_putc(out, '\n');
}

/* rsyslog's /var/log/syslog: its prefix, and every tab as "#011". */
static void t_octal(struct gpm_strbuf *out, const char *s, size_t n, size_t no, void *arg)
{
	if (arg)
		gpm_strbuf_printf(out,
		                  "May %2u 10:00:%02u web01 app[4242]: ", (unsigned)(no % 28 + 1),
		                  (unsigned)(no % 60));
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\t')
			gpm_strbuf_puts(out, "#011");
		else
			gpm_strbuf_putc(out, s[i]);
	}
	gpm_strbuf_putc(out, '\n');
}

/* A logger colouring whole lines (every third in red), as a terminal or a CI log keeps. */
static void t_colour(struct gpm_strbuf *out, const char *s, size_t n, size_t no, void *arg)
{
	(void)arg;
	if (no % 3 == 0)
		gpm_strbuf_puts(out, "\x1b[31m");
	gpm_strbuf_append(out, s, n);
	if (no % 3 == 0)
		gpm_strbuf_puts(out, "\x1b[0m");
	gpm_strbuf_putc(out, '\n');
}

/* A mail's quoted-printable body: '=' and tabs escaped, lines over 76 soft-broken. */
static void t_qp(struct gpm_strbuf *out, const char *s, size_t n, size_t no, void *arg)
{
	(void)no;
	(void)arg;
	size_t col = 0;
	for (size_t i = 0; i < n; i++) {
		char e[4];
		unsigned char c = (unsigned char)s[i];
		if (c == '=' || c == '\t')
			snprintf(e, sizeof(e), "=%02X", c);
		else
			e[0] = (char)c, e[1] = 0;
		size_t el = strlen(e);
		if (col + el > 75) {
			gpm_strbuf_puts(out, "=\n");
			col = 0;
		}
		gpm_strbuf_puts(out, e);
		col += el;
	}
	gpm_strbuf_putc(out, '\n');
}

static void json_string(struct gpm_strbuf *out, const char *s, size_t n)
{
	gpm_strbuf_putc(out, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			gpm_strbuf_printf(out, "\\%c", c);
		else if (c == '\n')
			gpm_strbuf_puts(out, "\\n");
		else if (c == '\t')
			gpm_strbuf_puts(out, "\\t");
		else if (c < 0x20)
			gpm_strbuf_printf(out, "\\u%04x", c);
		else
			gpm_strbuf_putc(out, (char)c);
	}
	gpm_strbuf_putc(out, '"');
}

/* One JSON record per line; arg: "journal", "docker" or "gotest". */
static void t_json(struct gpm_strbuf *out, const char *s, size_t n, size_t no, void *arg)
{
	const char *kind = arg;
	if (!strcmp(kind, "journal")) {
		gpm_strbuf_printf(out,
		                  "{\"__REALTIME_TIMESTAMP\":\"17000000%05zu\",\"MESSAGE\":", no);
		json_string(out, s, n);
		gpm_strbuf_puts(out, ",\"_PID\":\"4242\",\"SYSLOG_IDENTIFIER\":\"app\"}\n");
	} else if (!strcmp(kind, "gcp")) { // Cloud Logging, the message after other strings
		gpm_strbuf_puts(out, "{\"severity\":\"ERROR\",\"textPayload\":");
		json_string(out, s, n);
		gpm_strbuf_puts(out, ",\"timestamp\":\"2024-05-01T10:00:00Z\"}\n");
	} else if (!strcmp(kind, "docker")) {
		gpm_strbuf_puts(out, "{\"log\":");
		struct gpm_strbuf l = GPM_STRBUF_INIT;
		gpm_strbuf_append(&l, s, n);
		gpm_strbuf_putc(&l, '\n');
		json_string(out, l.buf, l.len);
		gpm_strbuf_deinit(&l);
		gpm_strbuf_puts(out, ",\"stream\":\"stderr\",\"time\":\"2024-05-01T10:00:00Z\"}\n");
	} else {
		gpm_strbuf_puts(out, "{\"Time\":\"2024-05-01T10:00:00Z\",\"Action\":\"output\","
		                     "\"Package\":\"example.com/p\",\"Output\":");
		struct gpm_strbuf l = GPM_STRBUF_INIT;
		gpm_strbuf_append(&l, s, n);
		gpm_strbuf_putc(&l, '\n');
		json_string(out, l.buf, l.len);
		gpm_strbuf_deinit(&l);
		gpm_strbuf_puts(out, "}\n");
	}
}

/* Blanks a terminal or an editor left at line ends; arg NULL: spaces on every line, "tab": a
 * tab on every line, "some": a space on every third line. */
static void t_trailing(struct gpm_strbuf *out, const char *s, size_t n, size_t no, void *arg)
{
	gpm_strbuf_append(out, s, n);
	if (!arg)
		gpm_strbuf_puts(out, "   ");
	else if (!strcmp(arg, "tab"))
		gpm_strbuf_putc(out, '\t');
	else if (no % 3 == 0)
		gpm_strbuf_putc(out, ' ');
	gpm_strbuf_putc(out, '\n');
}

/* A web page or chat tool: indentation as no-break spaces (U+00A0), the first line after a
 * byte-order mark. */
static void t_nbsp(struct gpm_strbuf *out, const char *s, size_t n, size_t no, void *arg)
{
	if (!no)
		gpm_strbuf_puts(out, "\xef\xbb\xbf");
	put_expanded(out, s, n, "\xc2\xa0\xc2\xa0\xc2\xa0\xc2\xa0");
	gpm_strbuf_putc(out, '\n');
}

/* The page source of a ticket or a wiki: HTML entities for <, >, &, " and '. */
static void t_html(struct gpm_strbuf *out, const char *s, size_t n, size_t no, void *arg)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '<':
			gpm_strbuf_puts(out, "&lt;");
			break;
		case '>':
			gpm_strbuf_puts(out, "&gt;");
			break;
		case '&':
			gpm_strbuf_puts(out, "&amp;");
			break;
		case '"':
			gpm_strbuf_puts(out, "&quot;");
			break;
		case '\'':
			gpm_strbuf_puts(out, "&#39;");
			break;
		default:
			gpm_strbuf_putc(out, s[i]);
		}
	}
	gpm_strbuf_putc(out, '\n');
}

/* A log tool's CSV export: time, service, message; arg "all" quotes every field, else only
 * fields with a comma, a quote or a leading blank are (as spreadsheets write them). */
static void t_csv(struct gpm_strbuf *out, const char *s, size_t n, size_t no, void *arg)
{
	bool all = arg != NULL;
	if (!no)
		gpm_strbuf_puts(out, all ? "\"time\",\"service\",\"message\"\n"
		                         : "time,service,message\n");
	gpm_strbuf_printf(out,
	                  all ? "\"2024-05-01 10:00:%02u\",\"api\"," : "2024-05-01 10:00:%02u,api,",
	                  (unsigned)(no % 60));
	bool quote =
	    all || memchr(s, ',', n) || memchr(s, '"', n) || (n && (s[0] == ' ' || s[0] == '\t'));
	if (quote)
		gpm_strbuf_putc(out, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			gpm_strbuf_putc(out, '"');
		gpm_strbuf_putc(out, s[i]);
	}
	if (quote)
		gpm_strbuf_putc(out, '"');
	gpm_strbuf_putc(out, '\n');
}

/* logfmt, a record per line with the line as a quoted value (msg="…"). */
static void t_logfmt(struct gpm_strbuf *out, const char *s, size_t n, size_t no, void *arg)
{
	gpm_strbuf_printf(out, "time=2024-05-01T10:00:%02uZ level=error msg=", (unsigned)(no % 60));
	json_string(out, s, n);
	gpm_strbuf_putc(out, '\n');
}

/*
 * Another writer's lines in the same log (a sidecar, stdout flushed into stderr, two
 * processes on one terminal): one every seven lines, anywhere, even between a function
 * line and its location.
 */
static void t_foreign(struct gpm_strbuf *out, const char *s, size_t n, size_t no, void *arg)
{
	static const char *const foreign[] = {
	    "2024/05/01 10:00:00 http: TLS handshake error from 10.0.0.1:5555: EOF",
	    "{\"level\":\"info\",\"ts\":1714557600.1,\"msg\":\"request done\",\"status\":200}",
	    "level=warn msg=\"slow query\" took=2.1s",
	    "I0501 10:00:00.123456       1 controller.go:123] Syncing pod default/api-1",
	    "    at com.example.Foo.bar(Foo.java:12)",
	    "Error: connection reset by peer (retrying)",
	};
	if (no % 7 == 5)
		gpm_strbuf_printf(out, "%s\n",
		                  foreign[no / 7 % (sizeof(foreign) / sizeof(*foreign))]);
	gpm_strbuf_append(out, s, n);
	gpm_strbuf_putc(out, '\n');
}

/* A word processor's or chat tool's autocorrect: "..." became "…" (U+2026). */
static void t_ellipsis(struct gpm_strbuf *out, const char *s, size_t n, size_t no, void *arg)
{
	for (size_t i = 0; i < n; i++) {
		if (i + 3 <= n && !memcmp(s + i, "...", 3)) {
			gpm_strbuf_puts(out, "\xe2\x80\xa6");
			i += 2;
		} else {
			gpm_strbuf_putc(out, s[i]);
		}
	}
	gpm_strbuf_putc(out, '\n');
}

/* UTF-8 shown as Windows-1252 and saved again as UTF-8 (a journal viewer, a terminal, a
 * ticket's export): each byte ≥ 0x80 becomes the character that code page shows for it;
 * arg "ellipsis": "..." autocorrected to "…" first. */
static void put_cp1252(struct gpm_strbuf *out, unsigned char c)
{
	static const unsigned short high[32] = {
	    0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160,
	    0x2039, 0x0152, 0x008d, 0x017d, 0x008f, 0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022,
	    0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178};
	unsigned cp = c < 0xa0 ? high[c - 0x80] : c;
	if (cp < 0x800) {
		gpm_strbuf_putc(out, (char)(0xc0 | cp >> 6));
		gpm_strbuf_putc(out, (char)(0x80 | (cp & 0x3f)));
	} else {
		gpm_strbuf_putc(out, (char)(0xe0 | cp >> 12));
		gpm_strbuf_putc(out, (char)(0x80 | (cp >> 6 & 0x3f)));
		gpm_strbuf_putc(out, (char)(0x80 | (cp & 0x3f)));
	}
}

static void t_mojibake(struct gpm_strbuf *out, const char *s, size_t n, size_t no, void *arg)
{
	struct gpm_strbuf l = GPM_STRBUF_INIT;
	if (arg)
		t_ellipsis(&l, s, n, no, NULL);
	else
		gpm_strbuf_append(&l, s, n);
	for (size_t i = 0; i < l.len; i++) {
		unsigned char c = (unsigned char)l.buf[i];
		if (c < 0x80)
			gpm_strbuf_putc(out, (char)c);
		else
			put_cp1252(out, c);
	}
	gpm_strbuf_deinit(&l);
	if (!arg)
		gpm_strbuf_putc(out, '\n');
}

/* Blanks a shipper or a hand squeezed: "panic:V" for "panic: V" (arg NULL), a goroutine
 * header as "goroutine 1[running]:" or "goroutine  1 [running] :" (arg "wide"). */
static void t_squeeze(struct gpm_strbuf *out, const char *s, size_t n, size_t no, void *arg)
{
	size_t d = 10;
	while (d < n && s[d] >= '0' && s[d] <= '9')
		d++;
	if (!arg && n > 7 && !memcmp(s, "panic: ", 7) && s[7] != ' ') {
		gpm_strbuf_puts(out, "panic:");
		gpm_strbuf_append(out, s + 7, n - 7);
	} else if (n > 13 && !memcmp(s, "goroutine ", 10) && d > 10 && d + 1 < n && s[d] == ' ' &&
	           s[d + 1] == '[' && s[n - 1] == ':') {
		if (arg) {
			gpm_strbuf_puts(out, "goroutine  ");
			gpm_strbuf_append(out, s + 10, n - 11);
			gpm_strbuf_puts(out, " :");
		} else {
			gpm_strbuf_append(out, s, d);
			gpm_strbuf_append(out, s + d + 1, n - d - 1);
		}
	} else {
		gpm_strbuf_append(out, s, n);
	}
	gpm_strbuf_putc(out, '\n');
}

static void t_echo(struct gpm_strbuf *out, const char *s, size_t n, size_t no, void *arg)
{
	if (n >= 3 && !memcmp(s, "SIG", 3))
		gpm_strbuf_puts(out, "^\\");
	gpm_strbuf_append(out, s, n);
	gpm_strbuf_putc(out, '\n');
}

enum variant_kind {
	V_LINES,
	V_JSON_STRING,
	V_JSON_LINES,
	V_LOGFMT_VALUE,
	V_JSON_WRAPPED,
	V_JSON_DOC,
	V_ESCAPED,
	V_UTF16,
	V_REVERSED,
	V_ONE_LINE_FRAMES,
};

struct variant {
	const char *name;
	enum variant_kind kind;
	transform_fn *fn;
	void *arg;
	bool debug1;    /* applies to pprof debug=1 text too */
	bool foreign;   /* lines added that are no part of the dump: the same reading, with
	                   warnings that they were skipped (a race log warns per report) */
	unsigned field; /* the class of field incidents it stands for (FIELD_CLASSES), 0: none */
};

/* Classes of inputs found in public bug reports that gopm once could not read whole; each
 * must be checked on every fixture. */
enum { FIELD_CLASSES = 9, FIELD_CHECKED = 8 /* classes 1 to this one have variants */ };

static size_t w80 = 80, w120 = 120, w72 = 72;

static const struct variant variants[] = {
    {"tabs as 2 spaces", V_LINES, t_spaces, "  ", true, false, 0},
    {"tabs as 4 spaces", V_LINES, t_spaces, "    ", true, false, 0},
    {"tabs as 8 spaces", V_LINES, t_spaces, "        ", true, false, 0},
    {"tabs deleted", V_LINES, t_spaces, "", true, false, 0},
    {"no indentation", V_LINES, t_noindent, NULL, false, false, 0},
    {"indented block", V_LINES, t_indent, NULL, true, false, 0},
    {"indented block, tabs as spaces", V_LINES, t_indent, "    ", true, false, 0},
    {"double spaced", V_LINES, t_double, NULL, false, false, 0},
    {"console 80 columns", V_LINES, t_console, &w80, true, false, 0},
    {"console 120 columns", V_LINES, t_console, &w120, true, false, 0},
    {"word wrap 72", V_LINES, t_words, &w72, true, false, 0},
    {"CRLF", V_LINES, t_crlf, NULL, true, false, 0},
    {"stray CR", V_LINES, t_crlf, "", true, false, 0},
    {"GitHub Actions", V_LINES, t_prefix, "actions", true, false, 0},
    {"docker-compose", V_LINES, t_prefix, "compose", true, false, 0},
    {"etcd cluster", V_LINES, t_prefix, "etcd", true, false, 0},
    {"bracket time", V_LINES, t_prefix, "bracket", true, false, 0},
    {"syslog", V_LINES, t_prefix, "syslog", true, false, 0},
    {"klog", V_LINES, t_prefix, "klog", true, false, 0},
    {"journalctl -o json", V_LINES, t_json, "journal", true, false, 0},
    {"docker json-file", V_LINES, t_json, "docker", true, false, 0},
    {"go test -json", V_LINES, t_json, "gotest", true, false, 0},
    {"terminal echo", V_LINES, t_echo, NULL, true, false, 0},
    {"one JSON string", V_JSON_STRING, NULL, NULL, true, false, 0},
    {"a JSON array of lines", V_JSON_LINES, NULL, NULL, true, false, 5},
    {"a JSON array of lines, pretty-printed", V_JSON_LINES, NULL, "pretty", true, false, 5},
    {"logfmt, the dump in trace=", V_LOGFMT_VALUE, NULL, "trace", true, false, 1},
    {"logfmt, the dump in stacktrace=", V_LOGFMT_VALUE, NULL, "stacktrace", true, false, 1},
    {"Grafana's download: a time column", V_LINES, t_prefix, "loki", true, false, 2},
    {"a log explorer's copy: each time on a line of its own", V_LINES, t_prefix, "stampline", true,
     false, 2},
    {"logcli, newest first", V_REVERSED, NULL, "logcli", true, false, 2},
    {"Android logcat threadtime", V_LINES, t_prefix, "logcat", true, false, 3},
    {"Android logcat brief", V_LINES, t_prefix, "logcat-brief", true, false, 3},
    {"Kodi's thread and level", V_LINES, t_prefix, "kodi", true, false, 4},
    {"mojibake", V_LINES, t_mojibake, NULL, true, false, 6},
    {"panic: without its blank", V_LINES, t_squeeze, NULL, true, false, 7},
    {"goroutine headers with irregular blanks", V_LINES, t_squeeze, "wide", true, false, 7},
    {"a JSON record console-wrapped", V_JSON_WRAPPED, NULL, NULL, true, false, 8},
    {"a JSON record cut mid-line and console-wrapped", V_JSON_WRAPPED, NULL, "cut", true, false, 8},
    {"autocorrected ellipses as mojibake", V_LINES, t_mojibake, "ellipsis", true, false, 6},
    {"escaped in a log line", V_ESCAPED, NULL, NULL, true, false, 0},
    {"trailing spaces", V_LINES, t_trailing, NULL, true, false, 0},
    {"trailing tabs", V_LINES, t_trailing, "tab", true, false, 0},
    {"trailing space on some lines", V_LINES, t_trailing, "some", true, false, 0},
    {"no-break spaces", V_LINES, t_nbsp, NULL, true, false, 0},
    {"HTML entities", V_LINES, t_html, NULL, true, false, 0},
    {"logfmt", V_LINES, t_logfmt, NULL, true, false, 0},
    {"Cloud Logging JSON", V_LINES, t_json, "gcp", true, false, 0},
    {"CSV export", V_LINES, t_csv, NULL, true, false, 0},
    {"CSV export, all quoted", V_LINES, t_csv, "all", true, false, 0},
    {"JSON array export", V_JSON_DOC, NULL, NULL, true, false, 0},
    {"Elasticsearch hits", V_JSON_DOC, NULL, "hits", true, false, 0},
    {"UTF-16LE with a byte-order mark", V_UTF16, NULL, "le", true, false, 0},
    {"UTF-16BE without a byte-order mark", V_UTF16, NULL, "be", true, false, 0},
    {"newest first", V_REVERSED, NULL, NULL, true, false, 0},
    {"a log viewer's export: each time on a line of its own, newest first", V_REVERSED, NULL,
     "stamps", true, false, 0},
    {"each frame on one line", V_ONE_LINE_FRAMES, NULL, NULL, false, false, 0},
    {"another writer's lines", V_LINES, t_foreign, NULL, true, true, 0},
    {"autocorrected ellipses", V_LINES, t_ellipsis, NULL, true, false, 0},
    {"Markdown quote", V_LINES, t_prefix, "quote", true, false, 0},
    {"cat -n", V_LINES, t_prefix, "catn", true, false, 0},
    {"kubectl --timestamps", V_LINES, t_prefix, "kubectl", true, false, 0},
    {"docker compose in colour", V_LINES, t_prefix, "colour", true, false, 0},
    {"coloured lines", V_LINES, t_colour, NULL, true, false, 0},
    {"quoted-printable mail", V_LINES, t_qp, NULL, true, false, 0},
    {"a logger's prefix on the first line", V_LINES, t_prefix, "layered", true, false, 0},
    {"a structured logger's console line", V_LINES, t_prefix, "zap", true, false, 0},
    {"klog's header on the first line", V_LINES, t_prefix, "klog1", true, false, 0},
    {"a timestamp and a level on the first line", V_LINES, t_prefix, "level", true, false, 0},
    {"rsyslog's #011 for tabs", V_LINES, t_octal, "prefix", true, false, 0},
    {"#011 for tabs, no prefix", V_LINES, t_octal, NULL, true, false, 0},
    {"a rendered Markdown page", V_LINES, t_rendered, NULL, false, false, 0},
    {"a rendered page converted back to text", V_LINES, t_rendered, "_", false, false, 0},
};

/* A viewer or a tool that cuts lines every W characters, a tab one (not as a terminal
 * shows it): the pieces keep their tabs. */
static void t_cut_chars(struct gpm_strbuf *out, const char *s, size_t n, size_t no, void *arg)
{
	size_t w = *(const size_t *)arg, col = 0;
	for (size_t i = 0; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			if (col && col % w == 0)
				gpm_strbuf_putc(out, '\n');
			col++;
		}
		gpm_strbuf_putc(out, s[i]);
	}
	gpm_strbuf_putc(out, '\n');
}

/*
 * Several hands, one after the other, in the order the field applies them: the producer's
 * log prefix, the terminal's wrap (its continuation pieces have no prefix) or a viewer's
 * cut, then what pastes add (tabs to spaces, no-break spaces, a quote, `cat -n`, double
 * spacing, blanks at line ends, also on empty lines), CRLF last.
 */
enum { MAX_STEPS = 5 };

struct step {
	transform_fn *fn;
	void *arg;
};

struct composition {
	const char *name;
	struct step steps[MAX_STEPS]; /* until fn is NULL */
	bool debug1;                  /* applies to pprof debug=1 text too */
};

static size_t w100 = 100;

#define P_(kind)                                                                                   \
	{                                                                                          \
		t_prefix, kind                                                                     \
	}
#define CONSOLE_(w)                                                                                \
	{                                                                                          \
		t_console, &w                                                                      \
	}
#define CHARS_(w)                                                                                  \
	{                                                                                          \
		t_cut_chars, &w                                                                    \
	}
#define SPACES4_                                                                                   \
	{                                                                                          \
		t_spaces, "    "                                                                   \
	}
#define NBSP_                                                                                      \
	{                                                                                          \
		t_nbsp, NULL                                                                       \
	}
#define QUOTE_                                                                                     \
	{                                                                                          \
		t_prefix, "quote"                                                                  \
	}
#define CATN_                                                                                      \
	{                                                                                          \
		t_prefix, "catn"                                                                   \
	}
#define DOUBLE_                                                                                    \
	{                                                                                          \
		t_double, NULL                                                                     \
	}
#define TRAIL_                                                                                     \
	{                                                                                          \
		t_trailing, NULL                                                                   \
	}
#define CRLF_                                                                                      \
	{                                                                                          \
		t_crlf, NULL                                                                       \
	}

static const struct composition compositions[] = {
    {"timestamps, console 80", {P_("actions"), CONSOLE_(w80)}, true},
    {"kubectl --timestamps, console 120", {P_("kubectl"), CONSOLE_(w120)}, true},
    {"docker-compose, console 100", {P_("compose"), CONSOLE_(w100)}, true},
    {"syslog, console 80, trailing blanks", {P_("syslog"), CONSOLE_(w80), TRAIL_}, true},
    {"klog, console 100, CRLF", {P_("klog"), CONSOLE_(w100), CRLF_}, true},
    {"bracket time, console 120, HTML entities",
     {P_("bracket"), CONSOLE_(w120), {t_html, NULL}},
     true},
    {"timestamps, cut at 80 characters", {P_("actions"), CHARS_(w80)}, true},
    {"kubectl, cut at 100 characters, tabs as 4 spaces",
     {P_("kubectl"), CHARS_(w100), SPACES4_},
     true},
    {"docker-compose, cut at 120 characters, no-break spaces",
     {P_("compose"), CHARS_(w120), NBSP_},
     true},
    // Not a profile's debug=1 frames: their inner tabs, as spaces, no longer tell the
    // columns the cut counted (doc/dumps.md).
    {"syslog, cut at 80 characters, tabs as 4 spaces, trailing blanks",
     {P_("syslog"), CHARS_(w80), SPACES4_, TRAIL_},
     false},
    {"docker-compose, console 80, Markdown quote", {P_("compose"), CONSOLE_(w80), QUOTE_}, true},
    {"kubectl, console 80, cat -n", {P_("kubectl"), CONSOLE_(w80), CATN_}, true},
    {"console 100, Markdown quote", {CONSOLE_(w100), QUOTE_}, true},
    {"timestamps, console 120, double spaced", {P_("actions"), CONSOLE_(w120), DOUBLE_}, false},
    {"syslog, console 80, double spaced, trailing blanks",
     {P_("syslog"), CONSOLE_(w80), DOUBLE_, TRAIL_},
     false},
    {"console 80, double spaced, trailing blanks", {CONSOLE_(w80), DOUBLE_, TRAIL_}, false},
    {"double spaced, trailing blanks", {DOUBLE_, TRAIL_}, false},
    {"double spaced, trailing blanks, CRLF", {DOUBLE_, TRAIL_, CRLF_}, false},
    {"bracket time, tabs as 4 spaces, double spaced, trailing blanks",
     {P_("bracket"), SPACES4_, DOUBLE_, TRAIL_},
     false},
    {"no-break spaces, double spaced, trailing blanks", {NBSP_, DOUBLE_, TRAIL_}, false},
    {"kubectl, console 100, Markdown quote, double spaced",
     {P_("kubectl"), CONSOLE_(w100), QUOTE_, DOUBLE_},
     false},
    {"timestamps, cut at 100 characters, Markdown quote, trailing blanks",
     {P_("actions"), CHARS_(w100), QUOTE_, TRAIL_},
     true},
    {"docker-compose, console 120, trailing blanks, CRLF",
     {P_("compose"), CONSOLE_(w120), TRAIL_, CRLF_},
     true},
    {"klog, no indentation, double spaced", {P_("klog"), {t_noindent, NULL}, DOUBLE_}, false},
};

#undef P_
#undef CONSOLE_
#undef CHARS_
#undef SPACES4_
#undef NBSP_
#undef QUOTE_
#undef CATN_
#undef DOUBLE_
#undef TRAIL_
#undef CRLF_

enum { COMPOSITIONS = sizeof(compositions) / sizeof(compositions[0]) };

/* The text of composition c: each step applied to what the one before left. */
static void make_composed(const struct composition *c, struct text t, struct gpm_strbuf *out)
{
	struct gpm_strbuf a = GPM_STRBUF_INIT;
	gpm_strbuf_reset(out);
	gpm_strbuf_append(out, t.s, t.n);
	for (size_t i = 0; i < MAX_STEPS && c->steps[i].fn; i++) {
		gpm_strbuf_reset(&a);
		struct text in = {out->buf ? out->buf : "", out->len};
		each_line(&a, in, c->steps[i].fn, c->steps[i].arg);
		struct gpm_strbuf tmp = *out;
		*out = a;
		a = tmp;
	}
	gpm_strbuf_deinit(&a);
}

static void put_unit(struct gpm_strbuf *out, unsigned u, bool be)
{
	gpm_strbuf_putc(out, (char)(be ? u >> 8 : u & 0xff));
	gpm_strbuf_putc(out, (char)(be ? u & 0xff : u >> 8));
}

/* Windows PowerShell's '>': the text as UTF-16 (invalid UTF-8 bytes as U+FFFD). */
static void utf16(struct gpm_strbuf *out, struct text t, bool be, bool bom)
{
	if (bom)
		put_unit(out, 0xfeff, be);
	const unsigned char *u = (const unsigned char *)t.s;
	for (size_t i = 0; i < t.n;) {
		unsigned c = u[i], len = c < 0x80       ? 1
		                         : c >> 5 == 6  ? 2
		                         : c >> 4 == 14 ? 3
		                         : c >> 3 == 30 ? 4
		                                        : 0;
		if (!len || i + len > t.n) {
			put_unit(out, 0xfffd, be);
			i++;
			continue;
		}
		unsigned cp = len == 1 ? c : c & (0x7f >> len);
		for (unsigned j = 1; j < len; j++)
			cp = cp << 6 | (u[i + j] & 0x3f);
		i += len;
		if (cp >= 0x10000) {
			put_unit(out, 0xd800 + ((cp - 0x10000) >> 10), be);
			put_unit(out, 0xdc00 + ((cp - 0x10000) & 0x3ff), be);
		} else {
			put_unit(out, cp, be);
		}
	}
}

/* The JSON record of V_JSON_WRAPPED, whole. */
static void zap_record(struct gpm_strbuf *r, struct text t)
{
	gpm_strbuf_puts(r, "{\"level\":\"error\",\"ts\":1714557600.1,\"msg\":\"panic\","
	                   "\"stacktrace\":");
	json_string(r, t.s, t.n);
	gpm_strbuf_puts(r, "}");
}

static void make_variant(const struct variant *v, struct text t, struct gpm_strbuf *out)
{
	gpm_strbuf_reset(out);
	switch (v->kind) {
	case V_LINES:
		each_line(out, t, v->fn, v->arg);
		break;
	case V_JSON_STRING:
		gpm_strbuf_puts(out, "{\"level\":\"error\",\"msg\":\"crashed\",\"stack\":");
		json_string(out, t.s, t.n);
		gpm_strbuf_puts(out, "}\n");
		break;
	case V_LOGFMT_VALUE: // the whole dump one quoted value of a logfmt line (go-logfmt)
		gpm_strbuf_printf(out,
		                  "time=2024-05-01T10:00:00Z level=error msg=\"panic recovered\" "
		                  "%s=",
		                  (const char *)v->arg);
		json_string(out, t.s, t.n);
		gpm_strbuf_puts(out, " caller=main.go:12\n");
		break;
	case V_JSON_WRAPPED: { // a zap record shown at 120 columns; arg: cut at 3/5 of its bytes
		struct gpm_strbuf r = GPM_STRBUF_INIT;
		zap_record(&r, t);
		size_t len = v->arg ? r.len * 3 / 5 : r.len;
		for (size_t i = 0; i < len; i += 120) {
			gpm_strbuf_append(out, r.buf + i, len - i < 120 ? len - i : 120);
			gpm_strbuf_putc(out, '\n');
		}
		gpm_strbuf_deinit(&r);
		break;
	}
	case V_JSON_LINES: { // the stack as an array of its lines; arg: pretty-printed
		bool pretty = v->arg != NULL;
		gpm_strbuf_puts(out, pretty ? "{\n  \"level\": \"error\",\n  \"stack\": ["
		                            : "{\"level\":\"error\",\"stack\":[");
		size_t end = t.n && t.s[t.n - 1] == '\n' ? t.n - 1 : t.n;
		for (const char *p = t.s, *e = t.s + end; p <= e;) {
			const char *nl = memchr(p, '\n', (size_t)(e - p));
			size_t n = nl ? (size_t)(nl - p) : (size_t)(e - p);
			gpm_strbuf_puts(out, pretty ? (p > t.s ? ",\n    " : "\n    ")
			                            : (p > t.s ? "," : ""));
			json_string(out, p, n);
			p += n + 1;
		}
		gpm_strbuf_puts(out, pretty ? "\n  ]\n}\n" : "]}\n");
		break;
	}
	case V_JSON_DOC: { // pretty-printed, a record per line of the text
		if (v->arg)
			gpm_strbuf_puts(out, "{\n  \"took\": 3,\n  \"hits\": {\n    \"total\": "
			                     "1,\n    \"hits\": [\n");
		else
			gpm_strbuf_puts(out, "[\n");
		size_t no = 0;
		for (const char *p = t.s, *end = t.s + t.n; p < end; no++) {
			const char *e = memchr(p, '\n', (size_t)(end - p));
			size_t n = e ? (size_t)(e - p) : (size_t)(end - p);
			gpm_strbuf_puts(out, no ? ",\n" : "");
			if (v->arg)
				gpm_strbuf_printf(
				    out,
				    "      {\"_index\": \"logs\", \"_source\": {\"@timestamp\": "
				    "\"2024-05-01T10:00:%02zuZ\", \"message\": ",
				    no % 60);
			else
				gpm_strbuf_printf(out,
				                  "  {\n    \"time\": "
				                  "\"2024-05-01T10:00:%02zuZ\",\n    \"msg\": ",
				                  no % 60);
			json_string(out, p, n);
			gpm_strbuf_puts(out, v->arg ? "}}" : "\n  }");
			p = e ? e + 1 : end;
		}
		gpm_strbuf_puts(out, v->arg ? "\n    ]\n  }\n}\n" : "\n]\n");
		break;
	}
	case V_UTF16:
		utf16(out, t, !strcmp(v->arg, "be"), strcmp(v->arg, "be") != 0);
		break;
	case V_ESCAPED: { // a logger's words, then the dump escaped as %q would, no quotes
		gpm_strbuf_puts(out, "2024/05/01 10:00:00 worker crashed: ");
		struct gpm_strbuf q = GPM_STRBUF_INIT;
		json_string(&q, t.s, t.n);
		gpm_strbuf_append(out, q.buf + 1, q.len - 2);
		gpm_strbuf_deinit(&q);
		gpm_strbuf_putc(out, '\n');
		break;
	}
	case V_ONE_LINE_FRAMES: { // "main.f(…) /app/main.go:5 +0x1d": a location after its frame
		bool frame = false;
		for (const char *p = t.s, *end = t.s + t.n; p < end;) {
			const char *e = memchr(p, '\n', (size_t)(end - p));
			size_t n = e ? (size_t)(e - p) : (size_t)(end - p);
			bool loc = n > 2 && p[0] == '\t' && p[1] != ' ' && memmem(p, n, ".go:", 4);
			if (frame && loc) {
				gpm_strbuf_putc(out, ' ');
				gpm_strbuf_append(out, p + 1, n - 1);
			} else {
				if (p > t.s)
					gpm_strbuf_putc(out, '\n');
				gpm_strbuf_append(out, p, n);
			}
			frame =
			    !loc && n > 1 && (p[n - 1] == ')' || !strncmp(p, "created by ", 11));
			p = e ? e + 1 : end;
		}
		gpm_strbuf_putc(out, '\n');
		break;
	}
	case V_REVERSED: {
		size_t end = t.n;
		if (end && t.s[end - 1] == '\n')
			end--;
		for (;;) {
			size_t st = end;
			while (st > 0 && t.s[st - 1] != '\n')
				st--;
			if (v->arg && !strcmp(v->arg, "logcli"))
				gpm_strbuf_printf(out, "2024-05-01T10:00:00.%03zuZ {app=\"api\"} ",
				                  st % 1000);
			else if (v->arg) // Grafana's Loki table copied: the record's time, then its
			                 // text
				gpm_strbuf_puts(out, "2025-04-28 12:18:42.448\t\n");
			gpm_strbuf_append(out, t.s + st, end - st);
			gpm_strbuf_putc(out, '\n');
			if (!st)
				break;
			end = st - 1;
		}
		break;
	}
	}
}

/* ---- the comparison ---- */

struct parsed {
	struct gpm_incident **v;
	size_t n;
	size_t goroutines, frames, warnings;
	struct gpm_strbuf printed;
};

static void parse(const char *s, size_t n, struct parsed *p)
{
	memset(p, 0, sizeof(*p));
	struct gpm_error *err = gpm_dump_parse_all(s, n, "pasted", NULL, &p->v, &p->n);
	ck_assert_msg(!err, "parse: %s", err ? err->message : "");
	struct gpm_traceback_options o = {0};
	for (size_t i = 0; i < p->n; i++) {
		const struct gpm_incident *inc = p->v[i];
		p->goroutines += inc->goroutines.len;
		p->warnings += inc->warnings.len;
		for (size_t k = 0; k < inc->goroutines.len; k++) {
			uint32_t nf = 0;
			gpm_goroutine_frames(inc, &inc->goroutines.v[k], &nf);
			p->frames += nf;
		}
		gpm_traceback_incident(&p->printed, inc, &o);
	}
}

static void parsed_deinit(struct parsed *p)
{
	for (size_t i = 0; i < p->n; i++)
		gpm_incident_destroy(p->v[i]);
	free(p->v);
	gpm_strbuf_deinit(&p->printed);
}

struct tally {
	size_t files, variants, goroutines, failed, inexact;
	size_t field[FIELD_CLASSES];    /* variants checked per field class */
	size_t cut_warned, cut_between; /* cut variants said to be cut; cuts no text shows */
};

/* A failing variant is reported and counted, so one run shows them all. */
static void failure(struct tally *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void failure(struct tally *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (t->failed < 40) {
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
	va_end(ap);
	t->failed++;
}

/* The text the cut record's string held up to the cut (a cut escape left out). */
static void cut_plain(struct gpm_strbuf *out, struct text t)
{
	struct gpm_strbuf r = GPM_STRBUF_INIT;
	zap_record(&r, t);
	const char *p = strstr(r.buf, "\"stacktrace\":\"") + 15, *end = r.buf + r.len * 3 / 5;
	while (p < end) {
		if (*p != '\\') {
			gpm_strbuf_putc(out, *p++);
			continue;
		}
		if (end - p < 2 || (p[1] == 'u' && end - p < 6))
			break;
		if (p[1] == 'u') {
			gpm_strbuf_putc(out, (char)strtol((char[]){p[4], p[5], 0}, NULL, 16));
			p += 6;
			continue;
		}
		gpm_strbuf_putc(out, p[1] == 'n' ? '\n' : p[1] == 't' ? '\t' : p[1]);
		p += 2;
	}
	gpm_strbuf_deinit(&r);
}

/*
 * A record cut short must say so, or read as the runtime's text cut at the same byte does
 * with no more said (a cut between goroutines, or right before a location's "+0x", no
 * text can show). Counted: the cuts said, the others.
 */
static void check_cut(struct tally *t, const char *path, const struct variant *v,
                      struct text pristine, const struct parsed *whole, const struct parsed *got)
{
	t->field[v->field]++;
	t->variants++;
	if (got->warnings > whole->warnings) {
		t->cut_warned++;
		return;
	}
	struct gpm_strbuf plain = GPM_STRBUF_INIT;
	cut_plain(&plain, pristine);
	struct parsed ref;
	parse(plain.buf ? plain.buf : "", plain.len, &ref);
	const char *a = gpm_strbuf_str(&ref.printed), *b = gpm_strbuf_str(&got->printed);
	if (strcmp(a, b) || ref.warnings > whole->warnings)
		failure(t,
		        "%s, %s: SILENT CUT: %zu of %zu goroutines; the text cut there: %zu, %zu "
		        "warnings",
		        path, v->name, got->goroutines, whole->goroutines, ref.goroutines,
		        ref.warnings);
	else
		t->cut_between++;
	parsed_deinit(&ref);
	gpm_strbuf_deinit(&plain);
}

/* A fixture as it is (the source holding it) and what it reads as, with goroutines. */
static struct gpm_source *open_pristine(const char *path, struct text *pristine, struct parsed *ref)
{
	struct gpm_source *src;
	struct gpm_error *err = gpm_source_open(path, &src);
	ck_assert_msg(!err, "%s", path);
	*pristine = (struct text){(const char *)src->data, src->size};
	parse(pristine->s, pristine->n, ref);
	ck_assert_msg(ref->goroutines > 0, "%s: no goroutines", path);
	return src;
}

static void check_file(const char *path, struct tally *t)
{
	struct text pristine;
	struct parsed ref;
	struct gpm_source *src = open_pristine(path, &pristine, &ref);
	bool debug1 = ref.v[0]->kind == GPM_INPUT_PPROF1;
	struct gpm_strbuf text = GPM_STRBUF_INIT;
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		const struct variant *v = &variants[i];
		if (debug1 && !v->debug1)
			continue;
		make_variant(v, pristine, &text);
		struct parsed got;
		parse(text.buf, text.len, &got);
		if (v->kind == V_JSON_WRAPPED && v->arg) {
			check_cut(t, path, v, pristine, &ref, &got);
			parsed_deinit(&got);
			continue;
		}
		// Nothing lost silently: fewer goroutines or frames must come with a warning.
		if (!(got.warnings > 0 ||
		      (got.goroutines >= ref.goroutines && got.frames >= ref.frames)))
			failure(
			    t, "%s, %s: SILENT LOSS: %zu of %zu goroutines and %zu of %zu frames",
			    path, v->name, got.goroutines, ref.goroutines, got.frames, ref.frames);
		const char *a = gpm_strbuf_str(&ref.printed), *b = gpm_strbuf_str(&got.printed);
		if (strcmp(a, b)) {
			size_t k = 0;
			while (a[k] && a[k] == b[k])
				k++;
			size_t st = k > 100 ? k - 100 : 0;
			// A variant read differently must say so; the few known gaps (doc/dumps.md)
			// are counted below.
			if (got.warnings > ref.warnings) {
				t->inexact++;
				if (getenv("GPM_PASTED_VERBOSE"))
					fprintf(stderr,
					        "inexact: %s, %s at byte %zu:\n--- "
					        "pristine\n%.200s\n--- "
					        "pasted\n%.200s\n",
					        path, v->name, k, a + st, b + st);
			} else
				failure(t,
				        "%s, %s: SILENTLY DIFFERENT at byte %zu:\n--- "
				        "pristine\n%.200s\n"
				        "--- pasted\n%.200s",
				        path, v->name, k, a + st, b + st);
		} else if (v->foreign ? got.warnings < ref.warnings
		                      : got.warnings != ref.warnings + (v->kind == V_REVERSED)) {
			// The same warnings as the pristine text, but for the newest-first notice.
			failure(t, "%s, %s: %zu warnings, want %zu (first: %s)", path, v->name,
			        got.warnings, ref.warnings + (v->kind == V_REVERSED),
			        got.n && got.v[0]->warnings.len ? got.v[0]->warnings.v[0].text
			                                        : "");
		}
		parsed_deinit(&got);
		t->variants++;
		t->field[v->field]++;
	}
	t->files++;
	t->goroutines += ref.goroutines;
	gpm_strbuf_deinit(&text);
	parsed_deinit(&ref);
	gpm_source_destroy(src);
}

/* Every field class is checked on every file, as many times as it has variants. */
static void check_field_classes(const struct tally *t)
{
	for (unsigned c = 1; c < FIELD_CLASSES; c++) {
		size_t want = 0;
		for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
			want += variants[i].field == c;
		fprintf(stderr, "field class %u: %zu variants checked\n", c, t->field[c]);
		if (c == 8)
			fprintf(stderr,
			        "  cut mid-line: %zu said so, %zu where no text can show it\n",
			        t->cut_warned, t->cut_between);
		if (c <= FIELD_CHECKED)
			ck_assert_msg(want > 0, "field class %u has no variant", c);
		ck_assert_uint_eq(t->field[c], want * t->files);
	}
	ck_assert_uint_eq(t->cut_warned + t->cut_between, t->files);
}

static void check_one(const char *path, void *arg)
{
	check_file(path, arg);
}

static void check_dir(const char *dir, const char *suffix, bool nested, struct tally *t)
{
	gpm_test_each_file(dir, suffix, nested, check_one, t);
}

/* ---- several hands: compositions ---- */

struct composed_tally {
	size_t files, checked, failed, inexact;
	size_t per[COMPOSITIONS]; /* fixtures checked per composition */
	size_t per_failed[COMPOSITIONS], per_inexact[COMPOSITIONS];
};

/* A composition, like a variant, reads as the pristine text or says what it lost. */
static void check_composed_file(const char *path, void *arg)
{
	struct composed_tally *t = arg;
	struct gpm_source *src;
	ck_assert_msg(!gpm_source_open(path, &src), "%s", path);
	struct text pristine = {(const char *)src->data, src->size};
	struct parsed ref;
	parse(pristine.s, pristine.n, &ref);
	ck_assert_msg(ref.goroutines > 0, "%s: no goroutines", path);
	bool debug1 = ref.v[0]->kind == GPM_INPUT_PPROF1;
	struct gpm_strbuf text = GPM_STRBUF_INIT;
	for (size_t i = 0; i < COMPOSITIONS; i++) {
		const struct composition *c = &compositions[i];
		if (debug1 && !c->debug1)
			continue;
		make_composed(c, pristine, &text);
		struct parsed got;
		parse(text.buf, text.len, &got);
		const char *a = gpm_strbuf_str(&ref.printed), *b = gpm_strbuf_str(&got.printed);
		bool lost = got.goroutines < ref.goroutines || got.frames < ref.frames;
		if (strcmp(a, b) || got.warnings != ref.warnings) {
			size_t k = 0;
			while (a[k] && a[k] == b[k])
				k++;
			size_t st = k > 100 ? k - 100 : 0;
			if (got.warnings > ref.warnings && strcmp(a, b)) {
				t->inexact++; // said: counted, as the variants' known gaps
				t->per_inexact[i]++;
			} else {
				t->failed++;
				t->per_failed[i]++;
				if (t->failed <= 20)
					fprintf(
					    stderr,
					    "%s, %s: %s%s (%zu of %zu goroutines, %zu of %zu "
					    "frames, "
					    "%zu warnings, want %zu)\n--- pristine\n%.200s\n--- "
					    "pasted\n%.200s\n",
					    path, c->name,
					    lost ? "SILENT LOSS" : "SILENTLY DIFFERENT",
					    strcmp(a, b) ? "" : " (warnings only)", got.goroutines,
					    ref.goroutines, got.frames, ref.frames, got.warnings,
					    ref.warnings, a + st, b + st);
			}
		}
		parsed_deinit(&got);
		t->checked++;
		t->per[i]++;
	}
	t->files++;
	gpm_strbuf_deinit(&text);
	parsed_deinit(&ref);
	gpm_source_destroy(src);
}

/*
 * Every composition on every fixture (pprof debug=1 text only where it applies): the same
 * contract as the variants, each composition checked on every fixture of its kind.
 */
START_TEST(test_pasted_compositions)
{
	struct composed_tally t = {0};
	size_t dumps = gpm_test_each_file("dumps", ".txt", false, check_composed_file, &t);
	size_t cores = gpm_test_each_file("cores", NULL, true, check_composed_file, &t);
	size_t races = gpm_test_each_file("dumps/race", ".txt", false, check_composed_file, &t);
	size_t field = gpm_test_each_file("dumps/field", ".txt", false, check_composed_file, &t);
	size_t corpus = gpm_test_each_file("dumps/corpus", ".txt", false, check_composed_file, &t);
	corpus += gpm_test_each_file("dumps/corpus", ".log", false, check_composed_file, &t);
	fprintf(stderr,
	        "pasted compositions: %zu compositions on %zu files (%zu dumps, %zu core "
	        "tracebacks, %zu race logs, %zu field, %zu corpus): %zu checked, %zu read "
	        "inexactly (warned)\n",
	        (size_t)COMPOSITIONS, t.files, dumps, cores, races, field, corpus, t.checked,
	        t.inexact);
	for (size_t i = 0; i < COMPOSITIONS; i++)
		if (t.per_failed[i] || t.per_inexact[i])
			fprintf(stderr, "  %s: %zu wrong, %zu inexact (warned) of %zu\n",
			        compositions[i].name, t.per_failed[i], t.per_inexact[i], t.per[i]);
	ck_assert_uint_eq(t.files, dumps + cores + races + field + corpus);
	ck_assert_uint_ge(dumps, 70);
	ck_assert_uint_ge(cores, 70);
	ck_assert_uint_ge(races, 7);
	ck_assert_uint_ge(field, 4);
	ck_assert_uint_eq(corpus, 6);
	for (size_t i = 0; i < COMPOSITIONS; i++)
		ck_assert_msg(t.per[i] * 10 >= t.files * 9, "%s: checked on %zu of %zu files",
		              compositions[i].name, t.per[i], t.files);
	ck_assert_msg(!t.failed, "%zu of %zu compositions read wrongly without a warning", t.failed,
	              t.checked);
	ck_assert_msg(t.inexact * 100 <= t.checked * 2, "%zu of %zu compositions inexact",
	              t.inexact, t.checked);
}
END_TEST

/* ---- two processes in one log ---- */

static bool warned(const struct gpm_incident *inc, const char *what)
{
	for (size_t i = 0; i < inc->warnings.len; i++)
		if (strstr(inc->warnings.v[i].text, what))
			return true;
	return false;
}

/* The prefixes that name two processes: docker-compose v1, v2 as on a terminal (its name
 * coloured), kubectl logs --prefix, stern's default template plain and coloured. */
static const char *const mixes[][2] = {
    {"api_1     | ", "worker_1  | "},
    {"\x1b[36mapi-1     |\x1b[0m ", "\x1b[33mworker-1  |\x1b[0m "},
    {"[pod/api-7d9f8/app] ", "[pod/api-5c2b1/app] "},
    {"api-7d9f8-xk2p4 app ", "api-7d9f8-q9z7m app "},
    {"\x1b[32mapi-7d9f8-xk2p4\x1b[0m \x1b[36mapp\x1b[0m ",
     "\x1b[33mapi-7d9f8-q9z7m\x1b[0m \x1b[36mapp\x1b[0m "},
};
enum { MIXES = sizeof(mixes) / sizeof(mixes[0]) };

struct pair {
	const char *first; /* the previous file of the walk */
	size_t checked;
	size_t styles[MIXES]; /* pairs checked per prefix style */
};

/*
 * Two processes' dumps interleaved line by line in chunks of 1-4 lines, each line behind
 * its prefix (mixes[style]), must read as the two dumps, each exactly as alone, and say so.
 */
static void check_interleaved(const char *a_path, const char *b_path, size_t style)
{
	struct gpm_source *sa, *sb;
	ck_assert_ptr_null(gpm_source_open(a_path, &sa));
	ck_assert_ptr_null(gpm_source_open(b_path, &sb));
	struct parsed ra, rb;
	parse((const char *)sa->data, sa->size, &ra);
	parse((const char *)sb->data, sb->size, &rb);
	struct gpm_strbuf mix = GPM_STRBUF_INIT;
	const char *p[2] = {(const char *)sa->data, (const char *)sb->data};
	const char *end[2] = {p[0] + sa->size, p[1] + sb->size};
	const char *const *pre = mixes[style];
	unsigned seed = 12345;
	while (p[0] < end[0] || p[1] < end[1]) {
		seed = seed * 1103515245 + 12345;
		int s = p[0] < end[0] && p[1] < end[1] ? (int)((seed >> 16) & 1)
		        : p[0] < end[0]                ? 0
		                                       : 1;
		for (unsigned k = 1 + ((seed >> 8) & 3); k > 0 && p[s] < end[s]; k--) {
			const char *nl = memchr(p[s], '\n', (size_t)(end[s] - p[s]));
			size_t n = nl ? (size_t)(nl - p[s]) : (size_t)(end[s] - p[s]);
			gpm_strbuf_puts(&mix, pre[s]);
			gpm_strbuf_append(&mix, p[s], n);
			gpm_strbuf_putc(&mix, '\n');
			p[s] += n + 1;
		}
	}
	struct parsed got;
	parse(mix.buf, mix.len, &got);
	ck_assert_msg(got.n == ra.n + rb.n, "%s + %s: %zu snapshots, want %zu", a_path, b_path,
	              got.n, ra.n + rb.n);
	struct gpm_strbuf want = GPM_STRBUF_INIT;
	gpm_strbuf_append(&want, ra.printed.buf, ra.printed.len);
	gpm_strbuf_append(&want, rb.printed.buf, rb.printed.len);
	ck_assert_msg(!strcmp(gpm_strbuf_str(&want), gpm_strbuf_str(&got.printed)),
	              "%s + %s behind %s: read differently than apart", a_path, b_path, pre[0]);
	for (size_t i = 0; i < got.n; i++)
		ck_assert(warned(got.v[i], "interleaves the output of 2 processes"));
	gpm_strbuf_deinit(&want);
	gpm_strbuf_deinit(&mix);
	parsed_deinit(&got);
	parsed_deinit(&ra);
	parsed_deinit(&rb);
	gpm_source_destroy(sa);
	gpm_source_destroy(sb);
}

static void interleave_one(const char *path, void *arg)
{
	struct pair *pr = arg;
	if (pr->first) {
		check_interleaved(pr->first, path, pr->checked % MIXES);
		pr->styles[pr->checked % MIXES]++;
		pr->checked++;
	}
	free((char *)pr->first);
	pr->first = strdup(path);
}

START_TEST(test_pasted_interleaved)
{
	struct pair pr = {0};
	size_t n = gpm_test_each_file("dumps", "-hang-all.txt", false, interleave_one, &pr);
	n += gpm_test_each_file("dumps", "-panic-all.txt", false, interleave_one, &pr);
	free((char *)pr.first);
	ck_assert_uint_ge(n, 10);
	ck_assert_uint_eq(pr.checked, n - 1);
	for (size_t i = 0; i < MIXES; i++)
		ck_assert_uint_ge(pr.styles[i], 2);
	// One process behind its prefix, or prefixes that name no process: never split.
	const char *one = "web_1  | goroutine 1 [running]:\n"
	                  "web_1  | main.main()\n"
	                  "web_1  | \tmain.go:3 +0x1\n"
	                  "web_1  | \n"
	                  "web_1  | goroutine 2 [select]:\n"
	                  "web_1  | main.f()\n"
	                  "web_1  | \tmain.go:9 +0x1\n";
	struct parsed got;
	parse(one, strlen(one), &got);
	ck_assert_uint_eq(got.n, 1);
	ck_assert_uint_eq(got.goroutines, 2);
	ck_assert(!warned(got.v[0], "interleaves"));
	parsed_deinit(&got);
}
END_TEST

START_TEST(test_pasted_fixtures)
{
	struct tally t = {0};
	check_dir("dumps", ".txt", false, &t);
	size_t dumps = t.files;
	check_dir("cores", NULL, true, &t);
	size_t cores = t.files - dumps;
	check_dir("dumps/race", ".txt", false, &t);
	size_t races = t.files - dumps - cores;
	fprintf(stderr,
	        "pasted fixtures: %zu files (%zu dumps, %zu core tracebacks, %zu race logs), %zu "
	        "variants, %zu read inexactly (warned)\n",
	        t.files, dumps, cores, races, t.variants, t.inexact);
	// Every fixture is checked: an empty or missing set fails.
	ck_assert_uint_ge(dumps, 70);
	ck_assert_uint_ge(cores, 70);
	ck_assert_uint_ge(races, 7);
	ck_assert_uint_ge(t.variants, t.files * 20);
	ck_assert_uint_gt(t.goroutines, 3000);
	ck_assert_msg(!t.failed, "%zu of %zu pasted variants read wrongly without a warning",
	              t.failed, t.variants);
	// Read exactly: all but a few percent (the gaps named in doc/dumps.md), each of which
	// was reported with a warning above.
	ck_assert_msg(t.inexact * 100 <= t.variants * 2, "%zu of %zu variants inexact", t.inexact,
	              t.variants);
	check_field_classes(&t);
}
END_TEST

START_TEST(test_pasted_corpus)
{
	struct tally t = {0};
	check_dir("dumps/corpus", ".txt", false, &t);
	check_dir("dumps/corpus", ".log", false, &t);
	fprintf(stderr, "pasted corpus: %zu files, %zu variants, %zu read inexactly (warned)\n",
	        t.files, t.variants, t.inexact);
	ck_assert_uint_eq(t.files, 6);
	ck_assert_uint_gt(t.goroutines, 1000);
	ck_assert_msg(!t.failed, "%zu of %zu pasted variants read wrongly without a warning",
	              t.failed, t.variants);
	ck_assert_msg(t.inexact * 100 <= t.variants * 5, "%zu of %zu variants inexact", t.inexact,
	              t.variants);
	check_field_classes(&t);
}
END_TEST

/*
 * Real runtime text wrapped by log shippers (testdata/dumps/gen/wrap-shippers.py): each
 * NAME.SHIPPER.log reads as NAME.txt does, the same goroutines, frames, files, lines and
 * warnings; one cut short ("-cut") says so.
 */
static void check_shipped(const char *path, void *arg)
{
	size_t *n = arg;
	char pristine[4096];
	const char *base = strrchr(path, '/');
	const char *dot = strchr(base ? base : path, '.');
	ck_assert(dot);
	size_t pn = strlen(path);
	bool gz = pn > 3 && !strcmp(path + pn - 3, ".gz"); // the pristine text compressed too
	snprintf(pristine, sizeof(pristine), "%.*s.txt%s", (int)(dot - path), path,
	         gz ? ".gz" : "");
	struct gpm_source *a, *b;
	ck_assert_msg(!gpm_source_open(pristine, &a), "%s", pristine);
	ck_assert_msg(!gpm_source_open(path, &b), "%s", path);
	struct parsed ref, got;
	parse((const char *)a->data, a->size, &ref);
	parse((const char *)b->data, b->size, &got);
	ck_assert_uint_gt(ref.goroutines, 0);
	if (strstr(path, "-cut.")) {
		ck_assert_msg(got.warnings > ref.warnings, "%s: cut without a warning", path);
		ck_assert_uint_le(got.goroutines, ref.goroutines);
		// What is there is read: the panic value as far as it goes, said to be cut.
		ck_assert_msg(got.n >= 1, "%s: nothing read", path);
		const struct gpm_incident *r = ref.v[0], *g = got.v[0];
		ck_assert_uint_eq(g->crash.kind, r->crash.kind);
		ck_assert_uint_ge(r->crash.panics.len, 1);
		ck_assert_msg(g->crash.panics.len, "%s: the panic value was not read", path);
		const char *rv = r->crash.panics.v[0].message, *gv = g->crash.panics.v[0].message;
		ck_assert_msg(*gv && !strncmp(rv, gv, strlen(gv)), "%s: value %.40s", path, gv);
		bool said = false;
		for (size_t i = 0; i < g->warnings.len; i++)
			said |= strstr(g->warnings.v[i].text, "cut") != NULL;
		ck_assert_msg(said, "%s: no warning says it was cut", path);
	} else {
		ck_assert_msg(!strcmp(gpm_strbuf_str(&ref.printed), gpm_strbuf_str(&got.printed)),
		              "%s: read differently:\n%s\n---\n%s", path,
		              gpm_strbuf_str(&ref.printed), gpm_strbuf_str(&got.printed));
		ck_assert_uint_eq(got.warnings, ref.warnings);
	}
	parsed_deinit(&ref);
	parsed_deinit(&got);
	gpm_source_destroy(a);
	gpm_source_destroy(b);
	(*n)++;
}

START_TEST(test_pasted_shippers)
{
	size_t n = 0;
	gpm_test_each_file("dumps/variants/shippers", ".log", false, check_shipped, &n);
	ck_assert_uint_eq(n, 11);
}
END_TEST

/*
 * Long lines a container runtime's log driver cut into pieces (testdata/dumps/gen/
 * wrap-split.py): docker's json-file, journald and fluentd records, containerd's and
 * CRI-O's CRI lines, stdout's pieces between stderr's; each reads as the runtime's text.
 * And one cut, not split: Android's log drops what is past 4 KiB of a message.
 */
START_TEST(test_pasted_split)
{
	size_t n = 0;
	gpm_test_each_file("dumps/variants/split", ".log.gz", false, check_shipped, &n);
	ck_assert_uint_eq(n, 7);
}
END_TEST

/* ---- JSON log records inside other layers ---- */

/*
 * The common case of a Go service that logs JSON: its logger's record (zap, slog, a logfmt
 * line) holding the dump inside a log driver's or shipper's record; and a docker json-file
 * log of the runtime's lines (one record per line) pasted through another layer. Each form
 * of every fixture reads as the pristine text does: the same goroutines, frames, files and
 * lines, and the same warnings.
 */
enum layer_kind {
	L_NESTED,  /* the logger's one record inside an outer record; arg: the outer shape */
	L_AMONG,   /* docker json-file of the logger's record among records of other shapes */
	L_LINES,   /* docker json-file, a record a line, each line through fn(arg) */
	L_RECORDS, /* a zap record a line inside journald's (arg) or docker's records */
	L_PRETTY,  /* jq . of a docker json-file log; arg: jq -C colours */
	L_WRAPPED, /* docker json-file of a zap record, console-wrapped at *arg columns */
	L_CUT,     /* docker json-file of a zap record cut at 3/5 of its bytes (arg: wrapped) */
};

struct layer {
	const char *name;
	enum layer_kind kind;
	transform_fn *fn;
	void *arg;
};

static const struct layer layers[] = {
    {"docker json-file of a zap record", L_NESTED, NULL, "docker"},
    {"docker json-file of a slog record", L_NESTED, NULL, "docker-slog"},
    {"docker json-file of a logfmt line", L_NESTED, NULL, "docker-logfmt"},
    {"journald of a zap record", L_NESTED, NULL, "journal"},
    {"Loki of a zap record", L_NESTED, NULL, "loki"},
    {"GELF of a zap record", L_NESTED, NULL, "gelf"},
    {"CloudWatch of a zap record", L_NESTED, NULL, "cloudwatch"},
    {"journald of docker json-file of a zap record", L_NESTED, NULL, "journal-docker"},
    {"a zap record among records of other shapes", L_AMONG, NULL, NULL},
    {"journald of zap records, one a line", L_RECORDS, NULL, "journal"},
    {"docker json-file of zap records, one a line", L_RECORDS, NULL, "docker"},
    {"docker json-file of a zap record, console-wrapped", L_WRAPPED, NULL, &w120},
    {"docker json-file of a zap record, cut", L_CUT, NULL, NULL},
    {"docker json-file of a zap record, console-wrapped and cut", L_CUT, NULL, &w120},
    {"JSON lines quoted", L_LINES, t_prefix, "quote"},
    {"JSON lines numbered (cat -n)", L_LINES, t_prefix, "catn"},
    {"JSON lines as HTML entities", L_LINES, t_html, NULL},
    {"JSON lines console-wrapped at 80", L_LINES, t_console, &w80},
    {"JSON lines console-wrapped at 120", L_LINES, t_console, &w120},
    {"JSON lines with CRLF", L_LINES, t_crlf, NULL},
    {"jq . of a docker log", L_PRETTY, NULL, NULL},
    {"jq -C of a docker log", L_PRETTY, NULL, "colour"},
    {"jq . of a docker log, quoted", L_PRETTY, NULL, "quote"},
};

/* The record of a program's own logger, on one line, holding the whole dump. */
static void inner_record(struct gpm_strbuf *r, struct text t, const char *shape)
{
	if (strstr(shape, "slog")) {
		gpm_strbuf_puts(r, "{\"time\":\"2024-05-01T10:00:00Z\",\"level\":\"ERROR\","
		                   "\"msg\":\"panic\",\"stack\":");
		json_string(r, t.s, t.n);
		gpm_strbuf_puts(r, "}");
	} else if (strstr(shape, "logfmt")) {
		gpm_strbuf_puts(r, "time=2024-05-01T10:00:00Z level=error msg=\"panic recovered\" "
		                   "trace=");
		json_string(r, t.s, t.n);
		gpm_strbuf_puts(r, " caller=main.go:12");
	} else {
		zap_record(r, t);
	}
}

/* An outer record of the shape given whose message is msg[0..n). */
static void outer_record(struct gpm_strbuf *out, const char *shape, const char *msg, size_t n)
{
	if (!strncmp(shape, "docker", 6)) {
		struct gpm_strbuf l = GPM_STRBUF_INIT;
		gpm_strbuf_append(&l, msg, n);
		gpm_strbuf_putc(&l, '\n');
		gpm_strbuf_puts(out, "{\"log\":");
		json_string(out, l.buf, l.len);
		gpm_strbuf_puts(out, ",\"stream\":\"stderr\",\"time\":\"2024-05-01T10:00:00.1Z\"}");
		gpm_strbuf_deinit(&l);
		return;
	}
	if (!strncmp(shape, "journal", 7))
		gpm_strbuf_puts(out, "{\"__REALTIME_TIMESTAMP\":\"1714557600100000\",\"MESSAGE\":");
	else if (!strcmp(shape, "loki"))
		gpm_strbuf_puts(out, "{\"timestamp\":\"1714557600100000000\",\"labels\":{\"app\":"
		                     "\"api\"},\"line\":");
	else if (!strcmp(shape, "gelf"))
		gpm_strbuf_puts(out, "{\"version\":\"1.1\",\"host\":\"web01\",\"level\":3,"
		                     "\"short_message\":");
	else
		gpm_strbuf_puts(out, "{\"@timestamp\":\"2024-05-01 10:00:00.100\",\"@message\":");
	json_string(out, msg, n);
	gpm_strbuf_puts(out, !strncmp(shape, "journal", 7)
	                         ? ",\"_PID\":\"4242\",\"SYSLOG_IDENTIFIER\":\"app\"}"
	                         : "}");
}

/* One line logged by zap (its msg) inside an outer record of the shape arg. */
static void t_zap_line(struct gpm_strbuf *out, const char *s, size_t n, size_t no, void *arg)
{
	struct gpm_strbuf r = GPM_STRBUF_INIT;
	gpm_strbuf_printf(&r, "{\"level\":\"error\",\"ts\":1714557600.%03zu,\"msg\":", no % 1000);
	json_string(&r, s, n);
	gpm_strbuf_putc(&r, '}');
	outer_record(out, arg, r.buf, r.len);
	gpm_strbuf_putc(out, '\n');
	gpm_strbuf_deinit(&r);
}

/* A docker json-file record of one runtime line, as `jq .` prints it (jq -C: coloured). */
static void t_jq(struct gpm_strbuf *out, const char *s, size_t n, size_t no, void *arg)
{
	const char *how = arg ? arg : "";
	bool colour = !strcmp(how, "colour");
	const char *lead = !strcmp(how, "quote") ? "> " : "";
	const char *obj = colour ? "\x1b[1;39m" : "", *key = colour ? "\x1b[34;1m" : "",
	           *str = colour ? "\x1b[0;32m" : "", *off = colour ? "\x1b[0m" : "";
	struct gpm_strbuf l = GPM_STRBUF_INIT;
	gpm_strbuf_append(&l, s, n);
	gpm_strbuf_putc(&l, '\n');
	gpm_strbuf_printf(out, "%s%s{\n", lead, obj);
	gpm_strbuf_printf(out, "%s  %s%s\"log\"%s%s:%s %s", lead, off, key, off, obj, off, str);
	json_string(out, l.buf, l.len);
	gpm_strbuf_printf(out, "%s%s,\n", off, obj);
	gpm_strbuf_printf(out, "%s  %s%s\"stream\"%s%s:%s %s\"stderr\"%s%s,\n", lead, off, key, off,
	                  obj, off, str, off, obj);
	gpm_strbuf_printf(out, "%s  %s%s\"time\"%s%s:%s %s\"2024-05-01T10:00:00.%06zuZ\"%s%s\n",
	                  lead, off, key, off, obj, off, str, no, off, obj);
	gpm_strbuf_printf(out, "%s%s}%s\n", lead, obj, off);
	gpm_strbuf_deinit(&l);
}

static void make_layer(const struct layer *v, struct text t, struct gpm_strbuf *out)
{
	gpm_strbuf_reset(out);
	struct gpm_strbuf a = GPM_STRBUF_INIT, b = GPM_STRBUF_INIT;
	switch (v->kind) {
	case L_NESTED: {
		const char *shape = v->arg;
		inner_record(&a, t, shape);
		if (!strcmp(shape, "journal-docker")) { // docker's journald driver of a json-file
			outer_record(&b, "docker", a.buf, a.len);
			outer_record(out, "journal", b.buf, b.len);
		} else {
			outer_record(out, shape, a.buf, a.len);
		}
		gpm_strbuf_putc(out, '\n');
		break;
	}
	case L_AMONG: // a service's other records around its crash record
		for (unsigned i = 0; i < 5; i++) {
			if (i == 3) {
				inner_record(&a, t, "zap");
				outer_record(out, "docker", a.buf, a.len);
				gpm_strbuf_putc(out, '\n');
			}
			gpm_strbuf_printf(
			    out,
			    "{\"log\":\"{\\\"level\\\":\\\"info\\\",\\\"ts\\\":1714557590.%u,"
			    "\\\"msg\\\":\\\"request served\\\",\\\"status\\\":200,"
			    "\\\"attrs\\\":{\\\"path\\\":\\\"/x\\\"}}\\n\",\"stream\":"
			    "\"stdout\",\"time\":\"2024-05-01T09:59:5%uZ\"}\n",
			    i, i);
		}
		break;
	case L_LINES:
		each_line(&a, t, t_json, "docker");
		each_line(out, (struct text){a.buf ? a.buf : "", a.len}, v->fn, v->arg);
		break;
	case L_PRETTY:
		each_line(out, t, t_jq, v->arg);
		break;
	case L_RECORDS:
		each_line(out, t, t_zap_line, v->arg);
		break;
	case L_WRAPPED:
		inner_record(&a, t, "zap");
		outer_record(&b, "docker", a.buf, a.len);
		t_console(out, b.buf, b.len, 0, v->arg);
		break;
	case L_CUT: // a shipper's limit on a line, a paste that stops mid-record
		inner_record(&a, t, "zap");
		outer_record(&b, "docker", a.buf, a.len);
		if (v->arg)
			t_console(out, b.buf, b.len * 3 / 5, 0, v->arg);
		else
			gpm_strbuf_append(out, b.buf, b.len * 3 / 5);
		break;
	}
	gpm_strbuf_deinit(&a);
	gpm_strbuf_deinit(&b);
}

static void check_layers(const char *path, void *arg)
{
	struct tally *t = arg;
	struct text pristine;
	struct parsed ref;
	struct gpm_source *src = open_pristine(path, &pristine, &ref);
	struct gpm_strbuf text = GPM_STRBUF_INIT;
	for (size_t i = 0; i < sizeof(layers) / sizeof(layers[0]); i++) {
		const struct layer *v = &layers[i];
		make_layer(v, pristine, &text);
		if (getenv("GPM_PASTED_VERBOSE"))
			fprintf(stderr, "%s, %s\n", path, v->name);
		struct parsed got;
		parse(text.buf, text.len, &got);
		const char *a = gpm_strbuf_str(&ref.printed), *b = gpm_strbuf_str(&got.printed);
		if (v->kind == L_CUT) {
			// Read as far as it goes, and said to be cut.
			if (!got.n || !warned(got.v[0], "was cut inside its text") ||
			    got.goroutines > ref.goroutines)
				failure(t,
				        "%s, %s: %zu incidents, %zu of %zu goroutines, no cut said",
				        path, v->name, got.n, got.goroutines, ref.goroutines);
		} else if (strcmp(a, b)) {
			size_t k = 0;
			while (a[k] && a[k] == b[k])
				k++;
			size_t st = k > 100 ? k - 100 : 0;
			failure(
			    t,
			    "%s, %s: read differently (%zu of %zu goroutines, %zu of %zu frames) "
			    "at byte %zu:\n--- pristine\n%.200s\n--- pasted\n%.200s",
			    path, v->name, got.goroutines, ref.goroutines, got.frames, ref.frames,
			    k, a + st, b + st);
		} else if (got.warnings != ref.warnings) {
			failure(t, "%s, %s: %zu warnings, want %zu (first: %s)", path, v->name,
			        got.warnings, ref.warnings,
			        got.n && got.v[0]->warnings.len ? got.v[0]->warnings.v[0].text
			                                        : "");
		}
		t->goroutines += got.goroutines;
		parsed_deinit(&got);
		t->variants++;
	}
	t->files++;
	gpm_strbuf_deinit(&text);
	parsed_deinit(&ref);
	gpm_source_destroy(src);
}

START_TEST(test_pasted_json_layers)
{
	struct tally t = {0};
	gpm_test_each_file("dumps", ".txt", false, check_layers, &t);
	gpm_test_each_file("cores", NULL, true, check_layers, &t);
	gpm_test_each_file("dumps/race", ".txt", false, check_layers, &t);
	gpm_test_each_file("dumps/corpus", ".txt", false, check_layers, &t);
	enum { LAYERS = sizeof(layers) / sizeof(layers[0]) };
	fprintf(stderr, "JSON layers: %zu files, %zu forms, %zu goroutines read\n", t.files,
	        t.variants, t.goroutines);
	ck_assert_uint_ge(t.files, 170);
	ck_assert_uint_eq(t.variants, t.files * LAYERS);
	ck_assert_uint_gt(t.goroutines, 3000 * LAYERS);
	ck_assert_msg(!t.failed, "%zu of %zu JSON-layered forms read wrongly", t.failed,
	              t.variants);
}
END_TEST

/* Parses s[0..n) whatever it holds: the incidents read (an error is none). */
static size_t parse_any(const char *s, size_t n, size_t *goroutines)
{
	struct gpm_incident **v = NULL;
	size_t nv = 0;
	*goroutines = 0;
	struct gpm_error *err = gpm_dump_parse_all(s, n, "hostile", NULL, &v, &nv);
	gpm_error_destroy(err);
	for (size_t i = 0; i < nv; i++) {
		*goroutines += v[i]->goroutines.len;
		gpm_incident_destroy(v[i]);
	}
	free(v);
	return nv;
}

/*
 * Hostile JSON logs stay bounded: records nested 1000 deep as objects and 12 deep as
 * strings, unbalanced braces on every line (a record opened on each of 200,000 lines, as
 * jq's "{" or as a wrap's pieces of one width), a record of 8 MiB: no crash, and linear
 * time (join_record never looks again inside lines a record that never closed spanned).
 */
START_TEST(test_pasted_json_hostile)
{
	struct gpm_strbuf b = GPM_STRBUF_INIT;
	size_t g;
	for (int i = 0; i < 1000; i++)
		gpm_strbuf_puts(&b, "{\"a\":");
	gpm_strbuf_puts(&b, "\"goroutine 1 [running]:\\n\\tmain.go:1\"");
	for (int i = 0; i < 1000; i++)
		gpm_strbuf_putc(&b, '}');
	gpm_strbuf_putc(&b, '\n');
	parse_any(b.buf, b.len, &g);

	// Each layer escapes the one inside it again: 12 deep is far past what is decoded.
	gpm_strbuf_reset(&b);
	gpm_strbuf_puts(&b, "{\"stacktrace\":\"goroutine 1 [running]:\\nmain.main()\\n\\t/app/"
	                    "main.go:5 +0x1d\\n\"}");
	for (int i = 0; i < 12; i++) {
		struct gpm_strbuf o = GPM_STRBUF_INIT;
		gpm_strbuf_puts(&o, "{\"log\":");
		json_string(&o, b.buf, b.len);
		gpm_strbuf_puts(&o, "}");
		gpm_strbuf_reset(&b);
		gpm_strbuf_append(&b, o.buf, o.len);
		gpm_strbuf_deinit(&o);
	}
	gpm_strbuf_putc(&b, '\n');
	parse_any(b.buf, b.len, &g);

	clock_t t0 = clock();
	gpm_strbuf_reset(&b);
	for (int i = 0; i < 200000; i++)
		gpm_strbuf_puts(&b, "{\n");
	gpm_strbuf_puts(&b, "  \"log\": \"goroutine 1 [running]:\\n\",\n");
	parse_any(b.buf, b.len, &g);
	gpm_strbuf_reset(&b);
	for (int i = 0; i < 200000; i++)
		gpm_strbuf_puts(&b,
		                "{\"log\":\"goroutine 1 [running]:\\n\", \"a\":[[[[[[[[[[[[[[[\n");
	parse_any(b.buf, b.len, &g);
	double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	fprintf(stderr, "JSON hostile: unbalanced braces on 400,000 lines read in %.2f s\n", secs);
	ck_assert(secs < 10.0);

	// A record of 8 MiB holding a dump is read whole.
	gpm_strbuf_reset(&b);
	gpm_strbuf_puts(&b, "{\"log\":\"{\\\"level\\\":\\\"error\\\",\\\"msg\\\":\\\"");
	for (int i = 0; i < 8 << 20; i++)
		gpm_strbuf_putc(&b, 'x');
	gpm_strbuf_puts(&b,
	                "\\\",\\\"stacktrace\\\":\\\"goroutine 1 [running]:\\\\nmain.main()"
	                "\\\\n\\\\t/app/main.go:5 +0x1d\\\\n\\\"}\\n\",\"stream\":\"stderr\"}\n");
	ck_assert_uint_eq(parse_any(b.buf, b.len, &g), 1);
	ck_assert_uint_eq(g, 1);
	gpm_strbuf_deinit(&b);
}
END_TEST

Suite *pasted_suite(void)
{
	Suite *s = suite_create("pasted");
	TCase *tc = tcase_create("pasted");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_pasted_fixtures);
	tcase_add_test(tc, test_pasted_corpus);
	tcase_add_test(tc, test_pasted_compositions);
	tcase_add_test(tc, test_pasted_interleaved);
	tcase_add_test(tc, test_pasted_shippers);
	tcase_add_test(tc, test_pasted_split);
	tcase_add_test(tc, test_pasted_json_layers);
	tcase_add_test(tc, test_pasted_json_hostile);
	suite_add_tcase(s, tc);
	return s;
}
