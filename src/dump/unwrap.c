/*
 * Text as people paste it, turned back into the runtime's own format before parsing.
 *
 * The runtime prints a goroutine dump in an exact shape (runtime/traceback.go): a frame is
 * "func(args)" on a line of its own, then its location indented by one tab. What users bring
 * has been through chat tools, issue trackers, terminals and log shippers: tabs turned into
 * spaces or dropped, the whole paste indented (a Markdown list, `go test -v`), a blank line
 * after every line, lines re-wrapped by a console at 80 or 120 columns, CRLF and stray CR,
 * a prefix before every line (timestamps, kubectl, docker-compose, GitHub Actions, klog,
 * syslog), one JSON record per line (docker json-file, journalctl -o json, go test -json,
 * zap, logrus; a logger's record inside a log driver's; quoted, numbered, wrapped or
 * pretty-printed by `jq .` on the way) or a whole dump inside one JSON string or array of
 * lines, the terminal's "^\"
 * echo, logs shown newest-first, long lines written in pieces (Android's logcat), mojibake,
 * and blanks a paste lost ("panic:V", "goroutine 1[running]:").
 *
 * A quick look at the first LOOK_LIMIT bytes decides whether any of that is there; clean
 * runtime text is parsed in place and never copied. Otherwise the text goes through stages
 * over an array of lines, each stage deciding from the whole paste (not line by line) what
 * was done to it: split (CR), re-join console wraps, decode JSON records (jansson), strip
 * the learned log prefix, undo newest-first order, undo double spacing, and re-indent the
 * location lines. Each output line remembers the input line it came from, so the parser's
 * warnings name the lines as the user sees them. Input detection lives here too.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/vec.h"
#include "dump/dump.h"
#include "dump/shapes.h"

enum {
	SCAN_LIMIT = 4 << 20,   /* input detection looks this far */
	LOOK_LIMIT = 256 << 10, /* the quick look at how a paste was treated: it treats all alike */
	MAX_PREFIX = 256,
	MAX_WRAP = 1024,      /* widest console wrap recognised */
	MIN_WRAP = 40,        /* narrowest */
	JSON_MAX_DEPTH = 6,   /* nested objects searched for the message */
	MAX_JOIN = 1 << 16,   /* chunks of one wrapped line */
	MAX_LINE = 64u << 20, /* a line longer than this is kept as it is */
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(char c)
{
	return is_digit(c) || is_alpha(c);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Length of the blank at s: a space or tab, or one of the Unicode spaces web pages and chat
 * tools put in place of indentation (U+00A0 no-break space, U+2000..U+200B, U+202F, U+3000,
 * and the byte-order mark U+FEFF at a file's start), in UTF-8; 0 when none.
 */
static size_t blank_at(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	if (n >= 1 && (u[0] == ' ' || u[0] == '\t'))
		return 1;
	if (n >= 2 && u[0] == 0xc2 && u[1] == 0xa0)
		return 2;
	if (n >= 3 && u[0] == 0xe2 && u[1] == 0x80 && (u[2] <= 0x8b || u[2] == 0xaf))
		return 3;
	if (n >= 3 && ((u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80) ||
	               (u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf)))
		return 3;
	return 0;
}

/* Length of the blank that ends s[0..n), as blank_at; 0 when none. */
static size_t blank_before(const char *s, size_t n)
{
	for (size_t k = 1; k <= 3 && k <= n; k++)
		if (blank_at(s + n - k, k) == k)
			return k;
	return 0;
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool starts(const char *s, size_t n, const char *lit)
{
	size_t l = strlen(lit);
	return n >= l && memcmp(s, lit, l) == 0;
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
		size_t ph =
		    q < end && !is_digit(*q) ? gpm_dump_placeholder_id(q, (size_t)(end - q)) : 0;
		if (ph && (g == s || g[-1] == '\n')) {
			return g - s; // "goroutine NNNNN [" at a line's start
		} else if (q < end && is_digit(*q)) {
			while (q < end && is_digit(*q))
				q++;
			if ((end - q >= 2 && q[0] == ' ' && q[1] == '[') ||
			    (end - q >= 4 && memcmp(q, " gp=", 4) == 0))
				return g - s;
		} else if ((size_t)(end - g) >= 25 &&
		           memcmp(g, "goroutine profile: total ", 25) == 0) {
			return g - s;
		} else if ((size_t)(end - g) >= 29 &&
		           memcmp(g, "goroutineleak profile: total ", 29) == 0) {
			return g - s; // Go 1.26+ /debug/pprof/goroutineleak?debug=1
		}
		p = g + 10;
	}
	return -1;
}

/* ---- what a line looks like ---- */

/* Strips " KEY0xHEX" (KEY one of pc= sp= fp=, or "+" for the offset) from the end of s[0..*n). */
static bool strip_field(const char *s, size_t *n)
{
	size_t e = *n, d = e;
	while (d > 0 && is_hex(s[d - 1]))
		d--;
	if (d == e || d < 3 || s[d - 1] != 'x' || s[d - 2] != '0')
		return false;
	d -= 2;
	if (d >= 2 && s[d - 1] == '+' && s[d - 2] == ' ') {
		*n = d - 2;
		return true;
	}
	if (d >= 4 && s[d - 1] == '=' && s[d - 4] == ' ' &&
	    (!memcmp(s + d - 3, "pc", 2) || !memcmp(s + d - 3, "sp", 2) ||
	     !memcmp(s + d - 3, "fp", 2))) {
		*n = d - 4;
		return true;
	}
	return false;
}

/*
 * A location line without its indentation: "FILE:LINE" followed by any of " +0xOFF",
 * " fp=0x…", " sp=0x…", " pc=0x…" (every Go release prints a subset), or a cgo
 * symbolizer's "pc=0x…" alone. FILE must look like a source file (an extension, or the
 * runtime's "<autogenerated>", or "??"), so that "10:00:00" in a log line is not taken.
 */
static bool loc_like(const char *s, size_t n)
{
	while (n && is_space(s[n - 1]))
		n--;
	if (starts(s, n, "pc=0x")) { // "non-Go function" + "\tpc=0x…" of the cgo symbolizer
		size_t i = 5;
		while (i < n && is_hex(s[i]))
			i++;
		return i == n && n > 5;
	}
	if (!n || s[0] == '#') // pprof debug=1 frames are read as they are
		return false;
	for (int i = 0; i < 4 && strip_field(s, &n); i++)
		;
	size_t d = n;
	while (d > 0 && is_digit(s[d - 1]))
		d--;
	if (d == n || d < 2 || s[d - 1] != ':')
		return false;
	size_t fe = d - 1; // file is s[0..fe)
	if (fe == 2 && !memcmp(s, "??", 2))
		return true;
	if (fe >= 15 && !memcmp(s + fe - 15, "<autogenerated>", 15))
		return true;
	// An extension of 1 to 4 letters or digits after the last '.' of the last component,
	// one of them a letter: digits alone end an address ("Host: 127.0.0.1:8080" of a
	// request a recover logged) or a version, not a source file.
	size_t x = fe;
	bool letter = false;
	while (x > 0 && is_alnum(s[x - 1]) && fe - x <= 4)
		letter |= !is_digit(s[--x]);
	if (x == fe || fe - x > 4 || x < 2 || s[x - 1] != '.' || !letter)
		return false;
	for (size_t i = 0; i < fe; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\t')
			return false;
	return true;
}

/* "func(args)": a Go frame's function line (also an inlined "(...)"). */
static bool func_like(const char *s, size_t n)
{
	while (n && is_space(s[n - 1]))
		n--;
	if (n < 3 || s[n - 1] != ')')
		return false;
	char c = s[0];
	if (!(is_alnum(c) || c == '_' || c == '.' || (unsigned char)c >= 0x80))
		return false;
	const char *lp = memchr(s, '(', n);
	return lp && lp > s;
}

/*
 * A frame on one line, its function and its location apart by blanks ("runtime.chansend(...)
 * runtime/chan.go:283", "created by main.main in goroutine 1 /app/main.go:12 +0x1d"): where
 * the location starts, 0 when s is not that. The location is the last word with its
 * " +0x…", " fp=0x…" fields.
 */
static size_t frame_loc(const char *s, size_t n)
{
	while (n && is_space(s[n - 1]))
		n--;
	size_t e = n;
	for (int i = 0; i < 4 && strip_field(s, &e); i++)
		;
	size_t t = e;
	while (t > 0 && !is_space(s[t - 1]))
		t--;
	if (!t || t == e)
		return 0;
	size_t b = t;
	while (b > 0 && is_space(s[b - 1]))
		b--;
	if (!b || !loc_like(s + t, n - t))
		return 0;
	return func_like(s, b) || (starts(s, b, "created by ") && b > 11) ? t : 0;
}

static bool header_like(const char *s, size_t n)
{
	return n > 11 && !memcmp(s, "goroutine ", 10) &&
	       (is_digit(s[10]) || gpm_dump_placeholder_id(s + 10, n - 10));
}

/* A goroutine header's start: "goroutine N [" or "goroutine N gp=" (not "goroutine N lock
 * 0x…" of a go-deadlock report, nor prose that names a goroutine). */
static bool header_opens(const char *s, size_t n)
{
	if (!header_like(s, n))
		return false;
	size_t i = 10 + gpm_dump_placeholder_id(s + 10, n - 10);
	while (i < n && is_digit(s[i]))
		i++;
	return starts(s + i, n - i, " [") || starts(s + i, n - i, " gp=");
}

/* A line of a pprof debug=1 record: "N @ 0x…" or "#\t0x…" (tabs maybe spaces, or deleted). */
static bool pprof_line(const char *s, size_t n)
{
	size_t i = 0;
	if (n >= 3 && s[0] == '#') {
		i = 1;
		while (i < n && is_space(s[i]))
			i++;
		return (n - i >= 3 && s[i] == '0' && s[i + 1] == 'x') ||
		       (i > 1 && starts(s + i, n - i, "labels:"));
	}
	while (i < n && is_digit(s[i]))
		i++;
	return i > 0 && starts(s + i, n - i, " @ 0x");
}

/* A pprof debug=1 record's first line: "N @ 0x…". */
static bool pprof_head(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && is_digit(s[i]))
		i++;
	return i > 0 && starts(s + i, n - i, " @ 0x");
}

/*
 * Whether a and b are a pprof record's first line and the frame or labels line under it
 * (+1), or that in newest-first order (-1), or neither (0).
 */
static int pprof_order(const char *a, size_t an, const char *b, size_t bn)
{
	if (pprof_head(a, an) && !pprof_head(b, bn) && pprof_line(b, bn))
		return 1;
	if (pprof_head(b, bn) && !pprof_head(a, an) && pprof_line(a, an))
		return -1;
	return 0;
}

/* A register of a crash's dump: "rax    0x0" (runtime/signal_amd64.go dumpregs). */
static bool reg_line(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && i <= 8 && ((s[i] >= 'a' && s[i] <= 'z') || is_digit(s[i])))
		i++;
	if (!i || i > 8 || i >= n || s[i] != ' ')
		return false;
	while (i < n && s[i] == ' ')
		i++;
	if (n - i < 3 || s[i] != '0' || s[i + 1] != 'x')
		return false;
	for (i += 2; i < n; i++)
		if (!is_hex(s[i]))
			return false;
	return true;
}

/* A tool's bucket of goroutines: panicparse's "12: chan receive [5 minutes] …",
 * gotraceanalyzer's "12 goroutines [chan receive]:" (dump.c reads them). */
static bool bucket_like(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && is_digit(s[i]))
		i++;
	if (!i || i + 2 >= n)
		return false;
	if (s[i] == ':' && s[i + 1] == ' ')
		return (s[i + 2] >= 'a' && s[i + 2] <= 'z') || (s[i + 2] >= 'A' && s[i + 2] <= 'Z');
	return starts(s + i, n - i, " goroutines [") || starts(s + i, n - i, " goroutine [");
}

/* A console continuation can't be any of these on its own. */
static bool starts_line(const char *s, size_t n)
{
	static const char *const heads[] = {
	    "created by ",
	    "panic: ",
	    "fatal error: ",
	    "[signal ",
	    "runtime stack:",
	    "SIG",
	    "PC=",
	    "-----",
	    "exit status ",
	    "...",
	    "[originating from goroutine ",
	};
	if (header_like(s, n) || func_like(s, n) || pprof_line(s, n) || reg_line(s, n) ||
	    bucket_like(s, n))
		return true;
	// Another writer's JSON record (the runtime never prints {" at a line's start).
	if (n > 3 && s[0] == '{' && s[1] == '"' && s[n - 1] == '}')
		return true;
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++)
		if (starts(s, n, heads[i]))
			return true;
	return false;
}

/* ---- lines ---- */

enum { MSG_WHOLE = 1, MSG_CUT = 2 /* the message of a record cut inside it (cut_record) */ };

struct ln {
	const char *s;
	size_t n;
	uint32_t orig; /* 1-based line of the input */
	int64_t stamp; /* unix seconds of the log prefix stripped from it; 0 none */
	uint8_t tabs;  /* tabs output before s */
	bool dropped;
	uint8_t src;     /* which process of an interleaved log (strip_prefix); 0 one or unknown */
	char sep;        /* the last character of the prefix strip_prefix removed; 0 none */
	uint8_t message; /* a JSON record's one-line message, maybe a record itself: MSG_* */
	bool whole;      /* the whole learned prefix was removed, not only its outer layer */
	uint16_t pre_cols; /* columns of the prefix strip_prefix removed (a wrap counted them) */
};

struct work {
	GPM_VEC(struct ln) l;
	GPM_VEC(char *) owned; /* buffers lines point into */
	const char *host;      /* in owned: the first host a JSON record named; NULL none */
	bool nomem;
	bool cut;            /* the input's last line has no line end: the cleaned text's neither */
	unsigned sources;    /* processes an interleaved log was separated into (strip_prefix) */
	size_t cut_records;  /* log records cut inside the string holding the dump (cut_record) */
	uint32_t cut_record; /* the input line of the first; 0 none */
	size_t logcat_cuts;  /* Android log messages cut at a record's limit (logcat_cuts) */
	size_t blind_joins;  /* wrap pieces joined with no blank on either side (unwrap_console) */
	uint32_t blind_join; /* the input line of the first */
	uint32_t logcat_cut; /* the input line of the first; 0 none */
};

static char *own(struct work *w, size_t n)
{
	char *p = malloc(n ? n : 1);
	char **slot = p ? gpm_vec_push(&w->owned) : NULL;
	if (!slot) {
		free(p);
		w->nomem = true;
		return NULL;
	}
	*slot = p;
	return p;
}

/* The lines from->l.v[i..j) joined as they are (total bytes, no separator) in memory w
 * owns; NULL out of memory. */
static char *own_joined(struct work *w, const struct work *from, size_t i, size_t j, size_t total)
{
	char *b = own(w, total);
	for (size_t k = i, o = 0; b && k < j; k++) {
		memcpy(b + o, from->l.v[k].s, from->l.v[k].n);
		o += from->l.v[k].n;
	}
	return b;
}

static void push_line(struct work *w, const char *s, size_t n, uint32_t orig)
{
	struct ln *l = gpm_vec_push(&w->l);
	if (!l) {
		w->nomem = true;
		return;
	}
	*l = (struct ln){s, n, orig, 0, false, false, 0, 0, 0, false, 0};
}

/* Splits data into lines: "\n", "\r\n", stray "\r" at line ends, or "\r" alone when the
 * text has no "\n" at all (old Mac line ends). */
static void split(struct work *w, const char *data, size_t len)
{
	char sep = memchr(data, '\n', len) ? '\n' : '\r';
	uint32_t no = 0;
	for (const char *s = data, *end = data + len; s < end && !w->nomem;) {
		const char *e = memchr(s, sep, (size_t)(end - s));
		size_t n = e ? (size_t)(e - s) : (size_t)(end - s);
		while (n && s[n - 1] == '\r')
			n--;
		if (no < UINT32_MAX)
			no++;
		push_line(w, s, n, no);
		s = e ? e + 1 : end;
	}
}

/* ---- log prefixes ---- */

static bool is_word(char c)
{
	return is_alnum(c) || c == '_';
}

/*
 * Length of the prefix of s that matches the learned prefix pre by shape, or -1: runs of
 * letters and digits may differ (timestamps, pids, file names), runs of blanks may differ
 * in width inside the prefix (syslog's "May  1"), and a number that starts it may be
 * right-aligned with padding or without (`cat -n`, `less -N`); everything else is literal.
 */
static long match_prefix(const char *pre, size_t pn, const char *s, size_t n)
{
	if (n >= pn && memcmp(pre, s, pn) == 0)
		return (long)pn;
	size_t i = 0, j = 0;
	if (pn && is_digit(pre[0])) // a right-aligned number learned at its widest
		while (j < n && s[j] == ' ')
			j++;
	while (i < pn) {
		if (is_word(pre[i])) {
			while (i < pn && is_word(pre[i]))
				i++;
			size_t st = j;
			while (j < n && is_word(s[j]))
				j++;
			if (j == st)
				return -1;
		} else if (pre[i] == ' ' && i + 1 < pn) {
			size_t from = i;
			while (i < pn && pre[i] == ' ')
				i++;
			size_t st = j;
			while (j < n && s[j] == ' ')
				j++;
			// Padding before a right-aligned number at the start (`cat -n`, `less -N`)
			// is gone once the number is wide enough.
			if (j == st && !(from == 0 && i < pn && is_word(pre[i])))
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

/* Where "FILE:LINE (0xPC)" ends s[0..n) (a frame of Go's first runtime/debug.Stack
 * format, as gin's Recovery logs it; FILE a .go or .s file without blanks): the offset of
 * FILE, -1 when the line does not end so. */
static long classic_loc_at(const char *s, size_t n)
{
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\r'))
		n--;
	if (n < 16 || s[n - 1] != ')')
		return -1;
	const char *lp = memrchr(s, '(', n);
	if (!lp || lp < s + 6 || lp[-1] != ' ' || lp + 4 > s + n || lp[1] != '0' || lp[2] != 'x')
		return -1;
	for (const char *h = lp + 3; h < s + n - 1; h++)
		if (!is_hex(*h))
			return -1;
	const char *c = lp - 1, *d = c;
	while (d > s && is_digit(d[-1]))
		d--;
	if (d == c || d - s < 4 || d[-1] != ':')
		return -1;
	const char *fe = d - 1, *f = fe;
	while (f > s && f[-1] != ' ' && f[-1] != '\t')
		f--;
	bool src =
	    (fe - f > 3 && !memcmp(fe - 3, ".go", 3)) || (fe - f > 2 && !memcmp(fe - 2, ".s", 2));
	return src ? (long)(f - s) : -1;
}

/* A header not at the start of its line ("… goroutine 1 [running]:", "… runtime stack:"), other
 * than in the runtime's own "… in goroutine N" and "running on other thread" texts. */
static long prefix_len(const char *s, size_t n)
{
	long k = find_header(s, n);
	if (k < 0 && n > 18) { // race and go-deadlock reports have no goroutine header
		const char *w = memmem(s, n, "WARNING: DATA RACE", 18);
		if (!w)
			w = memmem(s, n, "POTENTIAL DEADLOCK:", 19);
		k = w ? w - s : -1;
	}
	if (k < 0 && n > 14) { // a throw on the system stack: "runtime stack:" and no goroutine
		size_t e = n;
		while (e && (s[e - 1] == ' ' || s[e - 1] == '\r'))
			e--;
		if (e > 14 && !memcmp(s + e - 14, "runtime stack:", 14))
			k = (long)(e - 14);
	}
	if (k < 0 && n > 24) { // an excerpt from inside a stack: its "created by pkg.F" lines
		const char *w = memmem(s, n, " created by ", 12);
		if (w && (size_t)(w - s) + 12 < n) {
			const char *f = w + 12, *e = s + n;
			const char *sp = memchr(f, ' ', (size_t)(e - f));
			const char *dot = memchr(f, '.', (size_t)((sp ? sp : e) - f));
			if (dot && (!sp || (e - sp > 14 && !memcmp(sp, " in goroutine ", 14))))
				k = w - s + 1;
		}
	}
	if (k < 0 && n > 16) // a location of Go's first debug.Stack format (gin's Recovery)
		k = classic_loc_at(s, n);
	if (k <= 0 || k >= MAX_PREFIX || s[0] == '{')
		return -1;
	// The header glued to the crash's first line, its line end lost ("panic: V goroutine
	// 32 [running]:"), or to a recover's line naming the value (echo's "[PANIC RECOVER] V
	// goroutine 35 [running]:"): no prefix; the reader splits the line.
	if (n > 7 && !memcmp(s, "panic: ", 7))
		return -1;
	if (memmem(s, (size_t)k, "[PANIC RECOVER] ", 16) ||
	    memmem(s, (size_t)k, "anic recovered: ", 16) ||
	    memmem(s, (size_t)k, "ecovered from panic: ", 21) ||
	    memmem(s, (size_t)k, "Observed a panic", 16))
		return -1;
	if (k >= 4 && !memcmp(s + k - 4, " in ", 4))
		return -1;
	if (s[k - 1] == '"') // a quoted value (logfmt's msg="…"): the quote stays, unquote_lines
		k--;
	return k ? k : -1;
}

struct prefix {
	char s[MAX_PREFIX];
	size_t n;
};

/* The prefix of the first header line that has one; n = 0 when none. */
static void learn_prefix(const struct work *w, struct prefix *pre)
{
	pre->n = 0;
	for (size_t i = 0; i < w->l.len; i++) {
		long k = prefix_len(w->l.v[i].s, w->l.v[i].n);
		if (k > 0) {
			pre->n = (size_t)k;
			memcpy(pre->s, w->l.v[i].s, pre->n);
			return;
		}
	}
}

/* ---- console wraps ---- */

static bool layer_shape(const char *pre, size_t n);
static long bare_prefix(const char *pre, size_t pn, const char *s, size_t n);

/* Columns of s on a terminal. Tabs at the end, an editor's, are no width: a console's wrap
 * never leaves a tab (copied text has them as spaces). */
static size_t display_width(const char *s, size_t n)
{
	size_t w = 0;
	while (n && s[n - 1] == '\t')
		n--;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\t')
			w = (w / 8 + 1) * 8;
		else if ((c & 0xc0) != 0x80)
			w++;
	}
	return w;
}

static bool complete_line(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && is_space(s[i]))
		i++;
	s += i;
	n -= i;
	if (!n)
		return true;
	if (header_like(s, n))
		return s[n - 1] == ':';
	if (s[0] == '#') // a pprof frame: complete with its ":LINE"
		return n > 2 && is_digit(s[n - 1]) && memchr(s, ':', n);
	if (func_like(s, n) || loc_like(s, n))
		return true;
	// The start of a function line before its ')', or of an indented location before its
	// ":LINE": cut. Any other text may be whole.
	const char *lp = memchr(s, '(', n);
	if (lp && lp > s && memchr(s, '.', (size_t)(lp - s)) && !memchr(s, ' ', (size_t)(lp - s)))
		return false;
	return !(i > 0 && !memchr(s, ' ', n));
}

static size_t record_lead(const char *s, size_t n);
/* Words, not the runtime's: a function line or a location with a blank before its '(' or
 * its ':' ("e block (3833856 in use)", "http: panic serving 127.0.0.1:5", the rest of a
 * message a wrap cut), which no Go function name or file has. */
static bool worded(const char *s, size_t n)
{
	while (n && is_space(s[n - 1]))
		n--;
	const char *at = func_like(s, n) ? memchr(s, '(', n) : NULL;
	if (!at && loc_like(s, n) && !frame_loc(s, n)) // a frame on one line is the runtime's
		at = memchr(s, ':', n);
	return at && memchr(s, ' ', (size_t)(at - s));
}

/* Whether a console joined s[0..n) (exactly W wide) with nx[0..nn): it did unless s is a
 * complete line and nx starts a line of its own. */
static bool continues(const char *s, size_t n, const char *nx, size_t nn, const struct prefix *pre)
{
	// A JSON record's pieces are joined by join_record, which counts its braces; a record
	// starts a line of its own.
	if (record_lead(s, n) < n || record_lead(nx, nn) < nn)
		return false;
	size_t k = 0;
	while (k < nn && is_space(nx[k]))
		k++;
	if (k == nn) // an empty line, or blanks a copy left on one
		return false;
	if (pre && pre->n) {
		// A line with the log prefix is a new line; the cut line is judged without it.
		if (match_prefix(pre->s, pre->n, nx, nn) > 0)
			return false;
		long m = match_prefix(pre->s, pre->n, s, n);
		if (m > 0) {
			s += m;
			n -= (size_t)m;
		}
	}
	// A function line ends at its ')'; only a receiver's "(*T)" is followed by more
	// (".method(…)"), so another writer's line after a whole one is not its continuation.
	// Indented, it is a paste's or panicparse's ("    main  main.go:48    handler(…)").
	size_t b = 0;
	while (b < n && is_space(s[b]))
		b++;
	// A goroutine header cut after a wait reason's "(idle)" is none.
	if (n && s[n - 1] == ')' && func_like(s + b, n - b) && nx[0] != '.' &&
	    !header_opens(s + b, n - b))
		return false;
	// A location line goes on only with the rest of its number and its " +0x…", "fp=0x…",
	// "sp=0x…", "pc=0x…" fields: a line with any other character is another writer's.
	if (n && loc_like(s, n) && !worded(s + b, n - b)) {
		for (size_t i = 0; i < nn; i++)
			if (!is_hex(nx[i]) && !memchr("x+=ps ", nx[i], 6))
				return false;
	}
	// A log line that ends in a word and ':' ("[Recovery] … panic recovered:", "Caught
	// panic:"), then one that starts with a word: the value on a line of its own. A cut
	// after a colon leaves the blank that follows it at either side ("[signal SIGSEGV:"
	// then " segmentation violation"), a location its digits.
	if (k == 0 && n >= 2 && s[n - 1] == ':' && is_alpha(s[n - 2]) && is_alpha(nx[0]))
		return false;
	bool next_starts = (starts_line(nx + k, nn - k) && !worded(nx + k, nn - k)) ||
	                   (loc_like(nx + k, nn - k) && !loc_like(s, n));
	return !(complete_line(s, n) && next_starts);
}

/*
 * How the lines of a wrap are measured. A terminal shows a tab up to the next multiple of 8;
 * a viewer or a tool that cuts lines at W characters counts it as one. Blanks a terminal's
 * copy or an editor left at line ends (an old Windows console pads every line to its width)
 * are no part of the text a wrap cut: with trim, a line is measured to its last character
 * that is no blank, and one whose blanks reach W may be cut there too (a cut after a blank).
 */
struct measure {
	bool tab_one; /* a tab is one column, not up to the next multiple of 8 */
	bool trim;    /* blanks at the end are not measured */
	bool indent;  /* the blanks that indent a line (after its log prefix) were one tab when
	                 it was cut: a chat tool turned tabs into spaces after the wrap */
	const struct prefix *pre; /* with indent: the log prefix before the indentation */
	bool whole_starts;        /* a line the whole log prefix was removed from starts a line
	                             (the prefix was written before the wrap, its pieces have none) */
	bool pieces;              /* the lines without the prefix are the wrap's pieces, all of
	                             them (pieces_after): joined whatever they hold */
};

/* Where the indentation of s[0..n) starts when m counts it as one tab (after the log
 * prefix); SIZE_MAX when it does not. */
static size_t indent_at(const char *s, size_t n, struct measure m)
{
	if (!m.indent)
		return SIZE_MAX;
	long k = m.pre && m.pre->n ? match_prefix(m.pre->s, m.pre->n, s, n) : 0;
	return k > 0 ? (size_t)k : 0;
}

/* Columns of s[0..n) as m measures, starting at column start; *full: with the blanks at its
 * end (tabs at the end never count, as display_width). */
static size_t measure_cols(const char *s, size_t n, size_t start, struct measure m, size_t *full)
{
	size_t c = start, text = start, to_space = start, from = indent_at(s, n, m);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (i == from && is_space(s[i])) {
			while (i + 1 < n && is_space(s[i + 1]))
				i++;
			ch = '\t'; // the indentation: one tab
		}
		if (ch == '\t')
			c = m.tab_one ? c + 1 : (c / 8 + 1) * 8;
		else if ((ch & 0xc0) != 0x80)
			c++;
		if (ch != '\t')
			to_space = c;
		if (ch != '\t' && ch != ' ')
			text = c;
	}
	*full = to_space;
	return m.trim ? text : to_space;
}

/* Whether a line is as wide as a wrap at width leaves its cut pieces; measured without the
 * blanks at its end, one narrower with blanks after it may have been cut after a blank (the
 * runtime never prints two in a row but to indent). */
static bool at_width(const char *s, size_t n, size_t start, size_t width, struct measure m)
{
	size_t full, c = measure_cols(s, n, start, m, &full);
	return c == width || (m.trim && c + 1 == width && full >= width);
}

/* Bytes of s[0..n) within the first width columns: a cut piece without the blanks a copy
 * left after it. */
static size_t within(const char *s, size_t n, size_t start, size_t width, struct measure m)
{
	size_t c = start, i = 0, from = indent_at(s, n, m);
	while (i < n) {
		unsigned char ch = (unsigned char)s[i];
		size_t e = i + 1;
		if (i == from && is_space(s[i])) {
			while (e < n && is_space(s[e]))
				e++;
			ch = '\t';
		}
		size_t nc = ch == '\t' ? (m.tab_one ? c + 1 : (c / 8 + 1) * 8) : c + 1;
		if (nc > width)
			break;
		c = nc;
		i = e;
		while (i < n && ((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
	}
	return i;
}

/* Where l starts on the terminal as m measures: after the prefix strip_prefix removed when
 * it was written before the wrap (m.whole_starts), else at column 0. */
static size_t col0(const struct ln *l, struct measure m)
{
	return m.whole_starts ? l->pre_cols : 0;
}

/*
 * How many lines without the log prefix are the pieces of a wrap at width, 0 when they are
 * not: a prefix
 * written before the wrap is on every line but those, and each follows a line as wide as
 * the wrap. Then lines as wide by chance (a package's locations all one length behind a
 * fixed prefix) do not hide the few that were cut.
 */
static size_t pieces_after(const struct work *w, const struct prefix *pre, size_t width,
                           struct measure m)
{
	size_t bare = 0, after = 0;
	for (size_t i = 1; i < w->l.len; i++) {
		const struct ln *l = &w->l.v[i];
		size_t k = 0;
		while (k < l->n && is_space(l->s[k]))
			k++;
		if (k == l->n || (pre ? match_prefix(pre->s, pre->n, l->s, l->n) > 0 : l->whole))
			continue;
		bare++;
		const struct ln *a = &w->l.v[i - 1];
		after += at_width(a->s, a->n, col0(a, m), width, m);
	}
	return bare && after * 10 >= bare * 9 ? after : 0;
}

/* Whether nx is a piece of a wrap found by pieces_after: a line with text and without the
 * prefix. */
static bool bare_piece(const struct ln *nx, const struct prefix *pre)
{
	size_t k = 0;
	while (k < nx->n && is_space(nx->s[k]))
		k++;
	return k < nx->n &&
	       (pre && pre->n ? match_prefix(pre->s, pre->n, nx->s, nx->n) <= 0 : !nx->whole);
}

/*
 * The width a console wrapped the text at as m measures it, or 0: the widest line is W,
 * several lines are exactly W wide (every wrapped line leaves a chunk of W), and far more
 * than are W-1 or W-2 wide (natural line lengths thin out smoothly).
 */
static size_t wrap_width_as(const struct work *w, const struct prefix *pre, struct measure *m,
                            size_t *cuts)
{
	*cuts = 0;
	m->pieces = false;
	uint32_t hist[MAX_WRAP + 2] = {0};
	size_t maxw = 0, full;
	bool plain = !m->trim && !m->tab_one && !m->indent && !m->whole_starts;
	for (size_t i = 0; i < w->l.len; i++) {
		size_t dw =
		    plain ? display_width(w->l.v[i].s, w->l.v[i].n)
		          : measure_cols(w->l.v[i].s, w->l.v[i].n, col0(&w->l.v[i], *m), *m, &full);
		if (dw > MAX_WRAP)
			return 0;
		hist[dw]++;
		if (dw > maxw)
			maxw = dw;
	}
	const struct prefix *p = pre && pre->n ? pre : NULL;
	bool by_prefix = p || m->whole_starts;
	if (maxw < MIN_WRAP || hist[maxw] < (by_prefix ? 1u : 3u))
		return 0;
	uint32_t near = hist[maxw - 1] > hist[maxw - 2] ? hist[maxw - 1] : hist[maxw - 2];
	// Several lines exactly W wide also come from one long line repeated (goroutines on
	// the same stack): a wrap shows in lines that were really cut. In a short text (a
	// profile of a few records behind a log prefix) lines one or two narrower may be as
	// many: then two thirds of the widest must have been cut.
	// *cuts, which compares measures, counts the lines exactly W wide only.
	size_t cut = 0;
	for (size_t i = 0; i + 1 < w->l.len; i++) {
		const struct ln *a = &w->l.v[i], *b = &w->l.v[i + 1];
		size_t an = m->trim ? within(a->s, a->n, col0(a, *m), maxw, *m) : a->n;
		bool wide = plain ? display_width(a->s, a->n) == maxw
		                  : at_width(a->s, a->n, col0(a, *m), maxw, *m);
		if (wide && !(m->whole_starts && b->whole) &&
		    continues(a->s, an, b->s, b->n, pre)) {
			cut++;
			*cuts += plain || measure_cols(a->s, a->n, col0(a, *m), *m, &full) == maxw;
		}
	}
	// One piece alone is another writer's line as likely, unless it reads as a piece.
	size_t pieces = by_prefix ? pieces_after(w, p, maxw, *m) : 0;
	if (pieces >= 2 || (pieces == 1 && cut >= 1)) {
		m->pieces = true;
		return maxw;
	}
	// A tab counted as one column, or indentation as one tab, guesses at how the text was
	// measured: only where the prefix shows the pieces (a race report is indented by
	// blanks, some of its lines as wide by chance).
	if (hist[maxw] < 3 || m->tab_one || m->indent)
		return 0;
	if (hist[maxw] <= near)
		return cut >= 3 && cut * 3 >= hist[maxw] * 2 ? maxw : 0;
	return cut * 3 >= hist[maxw] ? maxw : 0;
}

/* Whether any line has a tab, or blanks at its end; *starts: lines the whole log prefix was
 * removed from start lines of their own (some lines with text had none: the pieces of a
 * wrap after the prefix was written). */
static void tabs_and_ends(const struct work *w, bool *tabs, bool *ends, bool *starts)
{
	*tabs = *ends = false;
	size_t whole = 0, text = 0;
	for (size_t i = 0; i < w->l.len; i++) {
		const struct ln *l = &w->l.v[i];
		*tabs = *tabs || memchr(l->s, '\t', l->n);
		*ends = *ends || (l->n && is_space(l->s[l->n - 1]));
		whole += l->whole;
		text += l->n > 0;
	}
	*starts = whole && whole * 10 < text * 9;
}

/*
 * The width of a console wrap and how its lines are measured, or 0: as a terminal shows
 * them, and, when the text has tabs or blanks at line ends, also without those blanks and
 * with a tab as one column; the measure that finds the most lines cut wins (a wrap counted
 * in characters leaves lines with a tab wider on a terminal, and those without narrower).
 */
static size_t wrap_width(const struct work *w, const struct prefix *pre, struct measure *m)
{
	bool tabs, ends, starts;
	tabs_and_ends(w, &tabs, &ends, &starts);
	// Blanks at line ends: measured without them (they may be a cut piece's own).
	static const unsigned order[2][8] = {{0, 1, 2, 3, 4, 5, 6, 7}, {2, 3, 6, 7}};
	size_t best_cuts = 0, width = 0;
	*m = (struct measure){false, false, false, pre, starts, false};
	for (unsigned o = 0; o < (ends ? 4u : 8u); o++) {
		unsigned v = order[ends][o];
		struct measure mv = {v & 1, v & 2, v & 4, pre, starts, false};
		// A tab counted as one needs tabs; tabs turned into blanks after the wrap, none.
		if ((mv.trim && !ends) || (mv.tab_one && !mv.indent && !tabs) ||
		    (mv.indent && tabs))
			continue;
		size_t cuts, wd = wrap_width_as(w, pre, &mv, &cuts);
		if (wd && (!width || cuts > best_cuts)) {
			width = wd;
			best_cuts = cuts;
			*m = mv;
		}
	}
	return width;
}

/* Whether s starts with a field of a location line: " +0x…", "fp=0x…", "sp=0x…", "pc=0x…"
 * without the blank before it. */
static bool loc_field(const char *s, size_t n)
{
	return n > 3 && (!memcmp(s, "+0x", 3) || !memcmp(s, "fp=", 3) || !memcmp(s, "sp=", 3) ||
	                 !memcmp(s, "pc=", 3));
}

/*
 * A layer of the learned prefix added after a console wrap (a Markdown quote, `cat -n`, a
 * chat tool's): the lines without the whole prefix (the wrap's pieces) have it, nine in ten
 * of them. It is removed from every line that has it (a line that is the
 * layer without its trailing blank is an empty line); false when there is none.
 */
static bool strip_later_layer(struct work *w, const struct prefix *pre)
{
	size_t cut[16], hits[16], ncut = 0, bare = 0;
	for (size_t k = 1; k < pre->n && ncut < 16; k++)
		if (is_space(pre->s[k - 1]) && !is_space(pre->s[k]) && layer_shape(pre->s, k))
			cut[ncut++] = k;
	if (!ncut)
		return false;
	memset(hits, 0, sizeof(hits));
	for (size_t i = 0; i < w->l.len; i++) {
		const struct ln *l = &w->l.v[i];
		size_t b = 0;
		while (b < l->n && is_space(l->s[b]))
			b++;
		if (b == l->n || match_prefix(pre->s, pre->n, l->s, l->n) > 0)
			continue;
		bare++;
		for (size_t c = 0; c < ncut; c++)
			hits[c] += match_prefix(pre->s, cut[c], l->s, l->n) > 0;
	}
	size_t c = ncut;
	while (c-- > 0 && !(bare && hits[c] * 10 >= bare * 9))
		;
	if (c >= ncut)
		return false;
	for (size_t i = 0; i < w->l.len; i++) {
		struct ln *l = &w->l.v[i];
		long k = match_prefix(pre->s, cut[c], l->s, l->n);
		if (k < 0)
			k = bare_prefix(pre->s, cut[c], l->s, l->n);
		if (k > 0) {
			l->s += k;
			l->n -= (size_t)k;
		}
	}
	return true;
}

/* Joins each line exactly W wide with the lines it was cut from. */
static void unwrap_console(struct work *w, size_t width, const struct prefix *pre, struct measure m)
{
	GPM_VEC(char) acc = {0};
	size_t out = 0;
	for (size_t i = 0; i < w->l.len && !w->nomem;) {
		struct ln cur = w->l.v[i];
		size_t j = i + 1;
		acc.len = 0;
		bool cut = at_width(cur.s, cur.n, col0(&cur, m), width, m);
		size_t cn = cut && m.trim ? within(cur.s, cur.n, col0(&cur, m), width, m) : cur.n;
		while (j < w->l.len && cut && j - i < MAX_JOIN) {
			const struct ln *nx = &w->l.v[j];
			const char *sofar = acc.len ? acc.v : cur.s;
			size_t sn = acc.len ? acc.len : cn;
			bool goes_on = m.pieces ? bare_piece(nx, pre)
			                        : !(m.whole_starts && nx->whole) &&
			                              continues(sofar, sn, nx->s, nx->n, pre);
			if (!goes_on || sn + nx->n > MAX_LINE)
				break;
			if (!acc.len) {
				if (!gpm_vec_reserve(&acc, cn + nx->n)) {
					w->nomem = true;
					break;
				}
				memcpy(acc.v, cur.s, cn);
				acc.len = cn;
			}
			if (!gpm_vec_reserve(&acc, acc.len + nx->n + 1)) {
				w->nomem = true;
				break;
			}
			// A word wrap at exactly W ate the blank after a ',' (Go prints ", "); a
			// paste that dropped indentation, the one before a location's field.
			if (acc.v[acc.len - 1] == ',' && nx->n && nx->s[0] != ' ')
				acc.v[acc.len++] = ' ';
			else if (!is_space(acc.v[acc.len - 1]) && loc_field(nx->s, nx->n) &&
			         loc_like(acc.v, acc.len))
				acc.v[acc.len++] = ' ';
			// Nothing tells whether a blank was at the cut when the paste dropped the
			// blanks that start lines: counted, said if it did (lost_indent).
			if (!is_space(acc.v[acc.len - 1]) && nx->n && !is_space(nx->s[0]) &&
			    !w->blind_joins++)
				w->blind_join = nx->orig;
			cut = at_width(nx->s, nx->n, col0(nx, m), width, m);
			size_t nn =
			    cut && m.trim ? within(nx->s, nx->n, col0(nx, m), width, m) : nx->n;
			memcpy(acc.v + acc.len, nx->s, nn);
			acc.len += nn;
			j++;
		}
		if (acc.len) {
			char *b = own(w, acc.len);
			if (!b)
				break;
			memcpy(b, acc.v, acc.len);
			cur.s = b;
			cur.n = acc.len;
		}
		w->l.v[out++] = cur;
		i = j;
	}
	gpm_vec_free(&acc);
	if (!w->nomem)
		w->l.len = out;
}

static bool line_func(const struct ln *l);
static bool line_loc(const struct ln *l);

/* Whether the paste dropped the blanks that start lines: two location lines or more after
 * their function lines, none of them indented. */
static bool lost_indent(const struct work *w)
{
	size_t locs = 0;
	for (size_t i = 1; i < w->l.len; i++) {
		const struct ln *l = &w->l.v[i];
		if (!l->n || !line_func(&w->l.v[i - 1]) || !line_loc(l))
			continue;
		if (blank_at(l->s, l->n))
			return false;
		locs++;
	}
	return locs >= 2;
}

/* ---- JSON ---- */

enum {
	MAX_LEAD = 16,  /* a paste layer's lead before a record: "> ", "    12\t" of cat -n */
	MAX_NESTED = 4, /* records inside a record's message decoded (docker's log of a zap line) */
};

/*
 * Where a JSON record starts on a line that a paste layer led in: a Markdown or mail quote
 * ("> ", "> > "), `cat -n` line numbers, blanks; only those characters, up to MAX_LEAD of them
 * (a log prefix of words or a "# labels: {" line is no lead). n when s[0..n) starts no record.
 */
static size_t record_lead(const char *s, size_t n)
{
	size_t b = 0;
	while (b < n && b <= MAX_LEAD && (is_space(s[b]) || is_digit(s[b]) || s[b] == '>'))
		b++;
	return b < n && b <= MAX_LEAD && s[b] == '{' ? b : n;
}

/*
 * The length of a later line's lead when it has the shape of the first line's (lead[0..ln)):
 * a run of digits stands for any run (cat -n numbers every line), the blanks before it for
 * any (cat -n right-aligns); the rest must be as it was. 0 when it does not have it.
 */
static size_t lead_again(const char *lead, size_t ln, const char *s, size_t n)
{
	size_t i = 0, j = 0;
	while (i < ln) {
		if (is_digit(lead[i])) {
			size_t d = j;
			while (j < n && is_digit(s[j]))
				j++;
			if (j == d)
				return 0;
			while (i < ln && is_digit(lead[i]))
				i++;
		} else if (lead[i] == ' ' && i + 1 < ln &&
		           (lead[i + 1] == ' ' || is_digit(lead[i + 1]))) {
			while (i < ln && lead[i] == ' ')
				i++;
			while (j < n && s[j] == ' ')
				j++;
		} else if (j < n && s[j] == lead[i]) {
			i++;
			j++;
		} else {
			return 0;
		}
	}
	return j;
}

/* The best message string of a JSON value: known keys first, then whatever holds a dump. */
struct pick {
	const char *s;
	size_t n;
	int score;
	json_t *bytes; /* journald's MESSAGE as an array of byte values */
	json_t *lines; /* a stack logged as an array of its lines ("stack": ["goroutine 1 …", …]) */
};

/* How much a message string looks like a dump: 2 when it holds a header, a tab or a panic. */
static int dump_score(const char *s, size_t n)
{
	return memmem(s, n, "goroutine ", 10) || memchr(s, '\t', n) || memmem(s, n, "panic: ", 7)
	           ? 2
	           : 0;
}

/* Whether key is one a logger puts its message or stack under. */
static int key_score(const char *key)
{
	// journald, docker, zap/logrus/slog, go test -json, GCP (textPayload), OpenTelemetry
	// (body), Loki (line), GELF (short_/full_message), CloudWatch (@message), Splunk (_raw).
	static const char *const keys[] = {
	    "MESSAGE",      "log",         "msg",   "message",    "Output", "output",
	    "error",        "err",         "stack", "stacktrace", "panic",  "trace",
	    "exception",    "textPayload", "body",  "Body",       "line",   "short_message",
	    "full_message", "@message",    "_raw",  "event"};
	for (size_t i = 0; key && i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(keys[i], key))
			return 1;
	return 0;
}

/*
 * An array of two strings or more whose lines hold a dump ("stack": ["goroutine 1
 * [running]:", "main.main()", "\t/app/main.go:12 +0x1d"], as some loggers split a stack):
 * its score as one message, -1 when it is not one. *len is the text's length, line ends
 * counted.
 */
static int lines_score(const char *key, json_t *v, size_t *len)
{
	size_t n = json_array_size(v), total = 0;
	if (n < 2)
		return -1;
	int dump = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *c = json_array_get(v, i);
		if (!json_is_string(c))
			return -1;
		size_t cn = json_string_length(c);
		total += cn + 1;
		if (!dump)
			dump = dump_score(json_string_value(c), cn);
	}
	*len = total;
	return dump ? key_score(key) + dump : -1;
}

static void pick_string(struct pick *p, const char *key, json_t *v, int depth)
{
	if (json_is_object(v) && depth < JSON_MAX_DEPTH) {
		const char *k;
		json_t *c;
		json_object_foreach(v, k, c) pick_string(p, k, c, depth + 1);
		return;
	}
	if (json_is_array(v) && depth < JSON_MAX_DEPTH) {
		if (key && !strcmp(key, "MESSAGE")) { // journald: bytes that are not UTF-8
			if (p->score < 3) {
				p->bytes = v;
				p->lines = NULL;
				p->s = NULL;
				p->score = 3;
			}
			return;
		}
		size_t n = 0;
		int score = lines_score(key, v, &n);
		if (score >= 0) {
			if (score > p->score ||
			    (score == p->score && (p->s || p->lines) && n > p->n)) {
				p->s = NULL;
				p->n = n;
				p->score = score;
				p->bytes = NULL;
				p->lines = v;
			}
			return;
		}
		size_t i;
		json_t *c;
		json_array_foreach(v, i, c) pick_string(p, key, c, depth + 1);
		return;
	}
	if (!json_is_string(v))
		return;
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	int score = key_score(key) + dump_score(s, n);
	if (score > p->score || (score == p->score && (p->s || p->lines) && n > p->n)) {
		p->s = s;
		p->n = n;
		p->score = score;
		p->bytes = NULL;
		p->lines = NULL;
	}
}

/* Adds the lines of text s[0..n) (a decoded message) as lines of input line orig. */
static void push_text(struct work *w, const char *s, size_t n, uint32_t orig)
{
	char *b = own(w, n);
	if (!b)
		return;
	memcpy(b, s, n);
	for (size_t i = 0; i < n && !w->nomem;) {
		const char *e = memchr(b + i, '\n', n - i);
		size_t len = e ? (size_t)(e - (b + i)) : n - i;
		size_t l2 = len;
		while (l2 && b[i + l2 - 1] == '\r')
			l2--;
		push_line(w, b + i, l2, orig);
		i += len + 1;
	}
}

/* Adds the picked message's lines as lines of input line orig; false when none was picked. */
static bool push_pick(struct work *w, const struct pick *p, uint32_t orig)
{
	if (p->lines) {
		size_t i;
		json_t *c;
		json_array_foreach(p->lines, i, c)
		{
			size_t cn = json_string_length(c);
			if (cn)
				push_text(w, json_string_value(c), cn, orig);
			else
				push_line(w, "", 0, orig);
		}
		return true;
	}
	if (!p->s)
		return false;
	push_text(w, p->s, p->n, orig);
	return true;
}

static int64_t prefix_stamp(const char *s, size_t n);

/*
 * The time and host a log record gives (NULL/0 when it does not): docker's and Go's
 * "time" (RFC 3339; go test -json's "Time"), zap's "ts" (unix seconds, a number), journald's
 * "__REALTIME_TIMESTAMP" (microseconds, a string) and "_HOSTNAME", "host"/"hostname".
 */
static void record_facts(json_t *root, int64_t *stamp, const char **host)
{
	static const char *const time_keys[] = {"time", "Time", "timestamp", "ts", "@timestamp"};
	for (size_t i = 0; i < sizeof(time_keys) / sizeof(time_keys[0]) && !*stamp; i++) {
		json_t *v = json_object_get(root, time_keys[i]);
		if (json_is_string(v))
			*stamp = prefix_stamp(json_string_value(v), json_string_length(v));
		else if (json_is_number(v) && json_number_value(v) > 0 &&
		         json_number_value(v) < 1e11)
			*stamp = (int64_t)json_number_value(v);
	}
	json_t *rt = json_object_get(root, "__REALTIME_TIMESTAMP");
	if (!*stamp && json_is_string(rt)) {
		const char *d = json_string_value(rt);
		int64_t us = 0;
		size_t n = strlen(d);
		if (n >= 10 && n <= 18 && strspn(d, "0123456789") == n) {
			for (size_t i = 0; i < n; i++)
				us = us * 10 + (d[i] - '0');
			*stamp = us / 1000000;
		}
	}
	static const char *const host_keys[] = {"_HOSTNAME", "hostname", "host"};
	for (size_t i = 0; i < sizeof(host_keys) / sizeof(host_keys[0]) && !*host; i++) {
		json_t *v = json_object_get(root, host_keys[i]);
		if (json_is_string(v) && json_string_length(v) && json_string_length(v) < 256)
			*host = json_string_value(v);
	}
}

/*
 * A long line a container's log driver wrote in pieces, one record each (dockerd's copier
 * cuts at 16 KiB; daemon/logger/copier.go): the stream a piece belongs to and whether the
 * line goes on in the stream's next record. docker's json-file driver ends a line's last
 * piece with "\n" and no other; its journald driver marks every piece but the last
 * CONTAINER_PARTIAL_MESSAGE=true (its CONTAINER_PARTIAL_LAST is not to be trusted: docker
 * wrote it false on last pieces too); its fluentd driver marks every piece partial_message
 * and the last one partial_last, older ones only the pieces before the last.
 */
struct piece {
	char key[128]; /* the stream: container, then stdout/stderr; "" none */
	bool open;     /* the line goes on in the stream's next record */
};

static bool truthy(json_t *v)
{
	return json_is_true(v) || (json_is_string(v) && !strcmp(json_string_value(v), "true"));
}

static void record_piece(json_t *root, const struct pick *p, struct piece *pc)
{
	static const char *const stream_keys[] = {
	    "CONTAINER_ID_FULL", "CONTAINER_ID", "container_id", "CONTAINER_NAME",
	    "container_name",    "stream",       "source",       "PRIORITY"};
	size_t o = 0;
	pc->open = false;
	pc->key[0] = 0;
	for (size_t i = 0; i < sizeof(stream_keys) / sizeof(stream_keys[0]); i++) {
		json_t *v = json_object_get(root, stream_keys[i]);
		const char *s = json_is_string(v) ? json_string_value(v) : NULL;
		size_t n = s ? strlen(s) : 0;
		if (!s || o + n + 2 > sizeof(pc->key))
			continue;
		memcpy(pc->key + o, s, n);
		o += n;
		pc->key[o++] = '\x1f';
		pc->key[o] = 0;
	}
	json_t *log = json_object_get(root, "log");
	if (p->s && json_is_string(log) && p->s == json_string_value(log) &&
	    json_is_string(json_object_get(root, "stream")))
		pc->open = p->n && p->s[p->n - 1] != '\n'; // json-file
	else if (truthy(json_object_get(root, "CONTAINER_PARTIAL_MESSAGE")) ||
	         truthy(json_object_get(root, "container_partial_message")))
		pc->open = true; // journald (as exported, or lower-cased by a shipper)
	else if (truthy(json_object_get(root, "partial_message")))
		pc->open = !truthy(json_object_get(root, "partial_last")); // fluentd
}

/* A line that is one JSON record: its message, as lines; *pc its piece (record_piece). */
static bool json_record(struct work *w, const struct ln *l, struct piece *pc)
{
	pc->open = false;
	pc->key[0] = 0;
	size_t e = l->n;
	while (e && is_space(l->s[e - 1]))
		e--;
	size_t b = record_lead(l->s, e);
	if (e - b < 2 || l->s[b] != '{' || l->s[e - 1] != '}')
		return false;
	json_t *root = json_loadb(l->s + b, e - b, JSON_DISABLE_EOF_CHECK, NULL);
	if (!root)
		return false;
	struct pick p = {NULL, 0, -1, NULL, NULL};
	pick_string(&p, NULL, root, 0);
	bool ok = p.s || p.bytes || p.lines;
	size_t first = w->l.len;
	if (p.bytes) {
		size_t nb = json_array_size(p.bytes);
		char *t = malloc(nb ? nb : 1);
		if (!t) {
			w->nomem = true;
		} else {
			for (size_t i = 0; i < nb; i++)
				t[i] = (char)json_integer_value(json_array_get(p.bytes, i));
			push_text(w, t, nb, l->orig);
			free(t);
		}
	} else if (p.lines) {
		push_pick(w, &p, l->orig);
	} else if (p.s) {
		push_text(w, p.s, p.n, l->orig);
		if (!p.n)
			push_line(w, "", 0, l->orig);
	}
	if (ok && w->l.len == first + 1) // one line: a record or logfmt line of an inner logger
		w->l.v[first].message = MSG_WHOLE;
	if (ok && json_is_object(root))
		record_piece(root, &p, pc);
	if (ok && json_is_object(root)) {
		int64_t stamp = 0;
		const char *host = NULL;
		record_facts(root, &stamp, &host);
		for (size_t i = first; i < w->l.len; i++)
			w->l.v[i].stamp = stamp;
		if (host && !w->host) {
			size_t hn = strlen(host);
			char *h = own(w, hn + 1);
			if (h) {
				memcpy(h, host, hn + 1);
				w->host = h;
			}
		}
	}
	json_decref(root);
	return ok;
}

/* A line holding a dump inside a JSON string ("…\ngoroutine 1 [running]:\n…"): the text
 * before the string, the string decoded, the text after. */
static bool json_string_in_line(struct work *w, const struct ln *l)
{
	const char *s = l->s;
	size_t n = l->n;
	const char *hit = memmem(s, n, "\\ngoroutine ", 12);
	if (!hit)
		hit = memmem(s, n, "\\n\\t", 4);
	if (!hit) // a race report indents by blanks
		hit = memmem(s, n, "\\nWARNING: DATA RACE", 20);
	if (!hit)
		return false;
	// The opening quote: the last unescaped '"' before the hit.
	size_t q = (size_t)(hit - s);
	for (;;) {
		while (q > 0 && s[q - 1] != '"')
			q--;
		if (!q)
			return false;
		size_t bs = 0;
		while (q - 1 >= bs + 1 && s[q - 2 - bs] == '\\')
			bs++;
		if (bs % 2 == 0)
			break;
		q--;
	}
	size_t st = q - 1, en = (size_t)(hit - s);
	while (en < n && s[en] != '"')
		en += s[en] == '\\' ? 2 : 1;
	if (en >= n)
		return false;
	json_t *v = json_loadb(s + st, en + 1 - st, JSON_DECODE_ANY, NULL);
	if (!v || !json_is_string(v)) {
		json_decref(v);
		return false;
	}
	// The record's other fields, before and after the string (logfmt's "caller=main.go:12"
	// after a stack= value), go on one line before the dump: after it they would read as a
	// line inside it.
	size_t rest = en + 1 < n ? n - en - 1 : 0;
	char *b = rest ? own(w, st + rest) : NULL;
	if (b) {
		memcpy(b, s, st);
		memcpy(b + st, s + en + 1, rest);
		push_line(w, b, st + rest, l->orig);
	} else if (st) {
		push_line(w, s, st, l->orig);
	}
	push_text(w, json_string_value(v), json_string_length(v), l->orig);
	json_decref(v);
	return true;
}

/*
 * A log record cut inside the string that holds the dump (a shipper's limit on a line, a
 * paste that stops mid-record): a JSON record ("{…\"stacktrace\":\"panic: …") or a logfmt
 * line ("time=… trace=\"panic: …") whose last string never closes and opens with the
 * runtime's first line ("panic: ", "fatal error: ", "SIGQUIT: ", "goroutine N [", a race
 * report) or holds one after an escaped line end. The index just past the string's opening
 * quote; 0 when s[0..n) is no such line.
 */
static bool crash_start(const char *s, size_t n);

static size_t cut_string(const char *s, size_t n)
{
	size_t b = 0;
	while (b < n && is_space(s[b]))
		b++;
	if (b == n)
		return 0;
	if (s[b] != '{') { // logfmt: a key and '=' first
		size_t k = b;
		while (k < n && k - b < 24 && (is_word(s[k]) || s[k] == '.' || s[k] == '-'))
			k++;
		if (k == b || k == n || s[k] != '=' || !(s[b] >= 'a' && s[b] <= 'z'))
			return 0;
	}
	bool open = false, esc = false;
	size_t q = 0;
	for (size_t i = b; i < n; i++) {
		if (esc)
			esc = false;
		else if (s[i] == '\\')
			esc = true;
		else if (s[i] == '"' && (open = !open))
			q = i + 1;
	}
	if (!open)
		return 0;
	const char *v = s + q;
	size_t vn = n - q;
	if (crash_start(v, vn) || header_opens(v, vn) || starts(v, vn, "WARNING: DATA RACE") ||
	    starts(v, vn, "goroutine ") || memmem(v, vn, "\\npanic: ", 9) ||
	    memmem(v, vn, "\\nfatal error: ", 15) || memmem(v, vn, "\\ngoroutine ", 12))
		return q;
	// An inner logger's record, cut with the outer one (docker's "log" of a zap record): its
	// own string is judged once this one is decoded (decode_nested).
	if (starts(v, vn, "{\\\"") && memmem(v, vn, "goroutine ", 10))
		return q;
	return 0;
}

/* Writes code point c as UTF-8 at b: its length. */
static size_t utf8_put(char *b, unsigned long c)
{
	if (c < 0x80) {
		b[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		b[0] = (char)(0xc0 | (c >> 6));
		b[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		b[0] = (char)(0xe0 | (c >> 12));
		b[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		b[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	b[0] = (char)(0xf0 | (c >> 18));
	b[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	b[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	b[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

static bool hex4(const char *s, size_t n, unsigned long *v)
{
	if (n < 4)
		return false;
	*v = 0;
	for (size_t i = 0; i < 4; i++) {
		if (!is_hex(s[i]))
			return false;
		*v = *v * 16 +
		     (unsigned long)(is_digit(s[i]) ? s[i] - '0' : (s[i] | 0x20) - 'a' + 10);
	}
	return true;
}

/*
 * The escapes of a dump escaped into a log line, decoded from s[0..n) into b (as long as s
 * at most): "\\n", "\\t", "\\"", "\\\\", "\\xNN" (go-logfmt's, slog's and a %q's), "\\r"
 * dropped; other escapes are kept as they are. json: a JSON string's too ("\\uXXXX" with
 * its surrogate pairs, "\\/", "\\b" and "\\f" dropped), and an escape cut by the text's
 * end is dropped (the string was cut there). Returns the length written.
 */
static size_t unescape(const char *s, size_t n, char *b, bool json)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\' || i + 1 == n) {
			if (s[i] != '\\' || !json)
				b[o++] = s[i];
			continue;
		}
		char e = s[i + 1];
		unsigned long c, lo;
		if (e == 'n' || e == 't' || e == '"' || e == '\\' || e == 'r' ||
		    (json && (e == '/' || e == 'b' || e == 'f'))) {
			if (e != 'r' && e != 'b' && e != 'f')
				b[o++] = e == 'n' ? '\n' : e == 't' ? '\t' : e;
			i++;
		} else if (e == 'x' && i + 3 < n && is_hex(s[i + 2]) && is_hex(s[i + 3])) {
			unsigned v = 0;
			for (size_t j = i + 2; j < i + 4; j++)
				v = v * 16 + (unsigned)(is_digit(s[j]) ? s[j] - '0'
				                                       : (s[j] | 0x20) - 'a' + 10);
			b[o++] = (char)v;
			i += 3;
		} else if (json && e == 'u' && hex4(s + i + 2, n - i - 2, &c)) {
			i += 5;
			if (c >= 0xd800 && c < 0xdc00 && i + 6 < n && s[i + 1] == '\\' &&
			    s[i + 2] == 'u' && hex4(s + i + 3, n - i - 3, &lo) && lo >= 0xdc00 &&
			    lo < 0xe000) {
				c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
				i += 6;
			} else if (c >= 0xd800 && c < 0xe000) {
				c = 0xfffd; // a lone surrogate
			}
			o += utf8_put(b + o, c);
		} else if (json && (e == 'u' || e == 'x') && n - i < 6) {
			break; // an escape cut by the end
		} else {
			b[o++] = s[i];
		}
	}
	return o;
}

/* A cut record (cut_string): the text before its string on a line of its own, the string
 * decoded as far as it goes (an escape cut by the end is dropped) as lines. */
static bool cut_record(struct work *w, const struct ln *l)
{
	size_t q = cut_string(l->s, l->n);
	if (!q)
		return false;
	const char *s = l->s + q;
	size_t n = l->n - q;
	char *b = own(w, n); // decoding never lengthens: "\\uXXXX" is 6 bytes for at most 4
	if (!b)
		return false;
	size_t o = unescape(s, n, b, true);
	size_t pre = q - 1;
	while (pre && is_space(l->s[pre - 1]))
		pre--;
	if (pre)
		push_line(w, l->s, pre, l->orig);
	size_t first = w->l.len;
	for (size_t i = 0; i < o && !w->nomem;) {
		const char *e = memchr(b + i, '\n', o - i);
		size_t len = e ? (size_t)(e - (b + i)) : o - i;
		push_line(w, b + i, len, l->orig);
		i += len + 1;
	}
	if (w->l.len == first + 1) // an inner logger's record, cut with the outer one
		w->l.v[first].message = MSG_CUT;
	return true;
}

/* A line holding a dump with its line ends escaped ("\\ngoroutine 1 [", "\\n\\t/app/x.go", a
 * race report's "\\n  main.f()\\n"). */
static bool escaped_dump(const char *s, size_t n)
{
	// Every escaped form below, and the line breaks counted last, hold a backslash: a line
	// without one (every line of a plain dump, asked by the quick look) is none.
	if (!memchr(s, '\\', n))
		return false;
	if (memmem(s, n, "\\ngoroutine ", 12) || memmem(s, n, "\\n\\t", 4) ||
	    memmem(s, n, "\\n#\\t0x", 7) || // a pprof debug=1 frame
	    memmem(s, n, "\\nWARNING: DATA RACE", 20))
		return true;
	if (!memmem(s, n, "goroutine ", 10) && !memmem(s, n, "DATA RACE", 9))
		return false;
	unsigned breaks = 0;
	for (const char *p = s, *end = s + n; breaks < 3;) {
		const char *q = memmem(p, (size_t)(end - p), "\\n", 2);
		if (!q)
			break;
		breaks++;
		p = q + 2;
	}
	return breaks >= 3;
}

/* Where the runtime's own first line starts in s ("panic: ", "fatal error: ", "SIGQUIT: ",
 * a goroutine header), after a logger's words; n when it does not. */
static size_t runtime_start(const char *s, size_t n)
{
	static const char *const heads[] = {"panic: ",
	                                    "fatal error: ",
	                                    "unexpected fault address ",
	                                    "goroutine profile: ",
	                                    "SIGQUIT: ",
	                                    "SIGABRT: ",
	                                    "SIGSEGV: ",
	                                    "SIGBUS: ",
	                                    "SIGILL: ",
	                                    "SIGFPE: ",
	                                    "SIGTRAP: ",
	                                    "==================",
	                                    "WARNING: DATA RACE"};
	size_t best = n;
	long h = find_header(s, n);
	if (h >= 0)
		best = (size_t)h;
	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		const char *p = memmem(s, best, heads[i], strlen(heads[i]));
		if (p && (p == s || p[-1] == ' '))
			best = (size_t)(p - s);
	}
	return best;
}

/*
 * A dump escaped into one line without quotes around it ("crash: goroutine 1
 * [running]:\nmain.main()\n\t/app/main.go:5 +0x1d"), as loggers print a stack with %v of an
 * escaped string: the whole line unescaped (\n, \t, \r, \", \\, \xNN; other escapes kept).
 */
static bool escaped_line(struct work *w, const struct ln *l)
{
	if (!escaped_dump(l->s, l->n))
		return false;
	char *b = own(w, l->n);
	if (!b)
		return false;
	size_t o = unescape(l->s, l->n, b, false);
	// The logger's words before the runtime's first line go on a line of their own.
	const char *nl = memchr(b, '\n', o);
	size_t first = nl ? (size_t)(nl - b) : o, at = runtime_start(b, first);
	if (at && at < first)
		push_line(w, b, at, l->orig);
	for (size_t i = at < first ? at : 0; i < o && !w->nomem;) {
		const char *e = memchr(b + i, '\n', o - i);
		size_t len = e ? (size_t)(e - (b + i)) : o - i;
		push_line(w, b + i, len, l->orig);
		i += len + 1;
	}
	return true;
}

/* A whole-file JSON document is decoded up to this size (its tree takes up to ~10x). */
enum { JSON_DOC_MAX = 16 << 20 };

/* The lines of one record of a JSON document: its message (pick_string), or the string. */
static bool doc_record(struct work *w, json_t *rec)
{
	if (json_is_string(rec)) {
		push_text(w, json_string_value(rec), json_string_length(rec), 1);
		return true;
	}
	struct pick p = {NULL, 0, -1, NULL, NULL};
	pick_string(&p, NULL, rec, 1);
	size_t first = w->l.len;
	bool ok = push_pick(w, &p, 1);
	if (ok && w->l.len == first + 1) // one line: maybe an inner logger's record
		w->l.v[first].message = MSG_WHOLE;
	return ok;
}

/* The array of records in a document: the top array, or the first array of objects found
 * in an export's envelope (Elasticsearch's hits.hits, {"events": [...]}, ...). */
static json_t *doc_records(json_t *v, int depth)
{
	if (json_is_array(v))
		return v;
	if (!json_is_object(v) || depth >= JSON_MAX_DEPTH)
		return NULL;
	const char *k;
	json_t *c;
	json_object_foreach(v, k, c)
	{
		if (json_is_array(c) && json_array_size(c) > 1 &&
		    json_is_object(json_array_get(c, 0)))
			return c;
		json_t *r = json_is_object(c) ? doc_records(c, depth + 1) : NULL;
		if (r)
			return r;
	}
	return NULL;
}

/*
 * The whole input as one JSON document, as log tools export it: an array of records
 * (Kibana, Grafana, `jq -s`), pretty-printed, or an object that holds them (Elasticsearch's
 * hits) or the dump itself. The lines of each record's message replace the input's; the
 * records' own lines are not known, so all count as line 1.
 */
static bool json_document(struct work *w, const char *data, size_t len)
{
	size_t b = 0;
	while (b < len && (is_space(data[b]) || data[b] == '\n' || data[b] == '\r'))
		b++;
	if (b == len || (data[b] != '[' && data[b] != '{') || len > JSON_DOC_MAX)
		return false;
	json_t *root = json_loadb(data + b, len - b, 0, NULL);
	if (!root)
		return false;
	struct work o = {0};
	json_t *recs = doc_records(root, 0);
	bool ok = false;
	if (recs) {
		size_t i;
		json_t *c;
		json_array_foreach(recs, i, c) ok |= doc_record(&o, c);
	}
	if (!ok)
		ok = doc_record(&o, root);
	json_decref(root);
	if (!ok || o.nomem) {
		for (size_t i = 0; i < o.owned.len; i++)
			free(o.owned.v[i]);
		gpm_vec_free(&o.owned);
		gpm_vec_free(&o.l);
		w->nomem |= o.nomem;
		return false;
	}
	gpm_vec_free(&w->l);
	w->l.v = o.l.v;
	w->l.len = o.l.len;
	w->l.cap = o.l.cap;
	for (size_t i = 0; i < o.owned.len; i++) {
		char **slot = w->nomem ? NULL : gpm_vec_push(&w->owned);
		if (!slot) {
			free(o.owned.v[i]);
			w->nomem = true;
			continue;
		}
		*slot = o.owned.v[i];
	}
	gpm_vec_free(&o.owned);
	return true;
}

/*
 * A logger that writes a long line in pieces of a fixed size, each a record with its own
 * prefix: the Go runtime on Android (runtime/write_err_android.go: 1008 bytes a record to
 * logd, 1019 to the older /dev/log), gomobile's GoLog (a 1024-byte bufio line reader),
 * Timber and Android apps that cut at 4000, CRI and docker at 16 KiB. Once the prefixes are
 * gone, a line exactly that long that the next line goes on (continues, as a console wrap is
 * told) is joined with it.
 */
static bool chunk_size(size_t n)
{
	static const size_t sizes[] = {1008, 1019, 1024, 4000, 16384};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (n == sizes[i])
			return true;
	return false;
}

static void rejoin_chunks(struct work *w)
{
	size_t out = 0;
	for (size_t i = 0; i < w->l.len && !w->nomem;) {
		struct ln cur = w->l.v[i];
		size_t j = i + 1, total = cur.n, piece = cur.n;
		while (
		    j < w->l.len && chunk_size(piece) && total + w->l.v[j].n <= MAX_LINE &&
		    j - i < MAX_JOIN &&
		    continues(w->l.v[j - 1].s, w->l.v[j - 1].n, w->l.v[j].s, w->l.v[j].n, NULL)) {
			piece = w->l.v[j].n;
			total += piece;
			j++;
		}
		if (j > i + 1) {
			char *b = own_joined(w, w, i, j, total);
			if (!b)
				break;
			cur.s = b;
			cur.n = total;
		}
		w->l.v[out++] = cur;
		i = j;
	}
	if (!w->nomem)
		w->l.len = out;
}

/*
 * A container runtime's log line (the CRI format containerd and CRI-O write under
 * /var/log/pods: "TIMESTAMP STREAM TAGS CONTENT", TAGS ':'-separated, the first "F" for a
 * full line or "P" for a piece the stream's next line goes on): where the content starts,
 * 0 when s[0..n) is no such line. *err is the stream (stderr), *partial the "P".
 */
static size_t cri_head(const char *s, size_t n, bool *err, bool *partial)
{
	if (n < 20 || !is_digit(s[0]) || !is_digit(s[3]) || s[4] != '-')
		return 0;
	const char *sp = memchr(s, ' ', n < 48 ? n : 48);
	if (!sp || !memchr(s, 'T', (size_t)(sp - s)))
		return 0;
	size_t i = (size_t)(sp - s) + 1;
	if (n - i < 8 || (memcmp(s + i, "stdout ", 7) && memcmp(s + i, "stderr ", 7)))
		return 0;
	*err = s[i + 3] == 'e';
	i += 7;
	if (s[i] != 'P' && s[i] != 'F')
		return 0;
	*partial = s[i] == 'P';
	size_t t = i + 1;
	if (t < n && s[t] == ':') // more tags
		while (t < n && s[t] != ' ')
			t++;
	if (t < n && s[t] != ' ')
		return 0;
	return t < n ? t + 1 : t; // an empty line's blank trimmed by a paste
}

/*
 * CRI pieces ("P") joined with the lines of the same stream after them up to the one
 * tagged "F": one line where the first piece was, the other stream's lines in between kept
 * in their order. True when the input's last line is a piece without its "F": cut.
 */
static bool join_cri(struct work *w)
{
	size_t i = 0;
	bool err, partial = false;
	for (; i < w->l.len; i++)
		if (cri_head(w->l.v[i].s, w->l.v[i].n, &err, &partial) && partial)
			break;
	if (i == w->l.len)
		return false;
	bool cut = false;
	size_t len = w->l.len;
	size_t *to = malloc(len * sizeof(*to)), *total = malloc(len * sizeof(*total));
	char **buf = calloc(len, sizeof(*buf));
	if (!to || !total || !buf) {
		w->nomem = true;
		goto out;
	}
	size_t open[2] = {SIZE_MAX, SIZE_MAX};
	for (i = 0; i < len; i++) {
		const struct ln *l = &w->l.v[i];
		size_t h = cri_head(l->s, l->n, &err, &partial);
		to[i] = total[i] = 0;
		size_t *o = &open[err];
		if (h && *o != SIZE_MAX && total[*o] + (l->n - h) <= MAX_LINE) {
			to[i] = *o;
			total[*o] += l->n - h;
			if (!partial)
				*o = SIZE_MAX;
			continue;
		}
		to[i] = i;
		total[i] = l->n;
		if (h)
			*o = partial ? i : SIZE_MAX;
	}
	size_t out = 0;
	for (i = 0; i < len && !w->nomem; i++) {
		struct ln *l = &w->l.v[i];
		if (to[i] == i) {
			if (total[i] != l->n && (buf[i] = own(w, total[i]))) {
				memcpy(buf[i], l->s, l->n);
				total[i] = l->n; // now: how much is filled
			}
			w->l.v[out++] = *l;
			to[i] = out - 1; // where it went
			continue;
		}
		size_t host = to[i], h = cri_head(l->s, l->n, &err, &partial);
		if (!buf[host]) // an empty piece ("F" alone) ends the line and adds nothing
			continue;
		memcpy(buf[host] + total[host], l->s + h, l->n - h);
		total[host] += l->n - h;
		w->l.v[to[host]].s = buf[host];
		w->l.v[to[host]].n = total[host];
	}
	if (!w->nomem) {
		w->l.len = out;
		cut = out && ((open[0] != SIZE_MAX && to[open[0]] == out - 1) ||
		              (open[1] != SIZE_MAX && to[open[1]] == out - 1));
	}
out:
	free(to);
	free(total);
	free(buf);
	return cut;
}

/*
 * Android's log: a message longer than a record holds is cut, the rest dropped, with no
 * mark (liblog's writer cuts the payload — priority, tag and its NUL, message and its NUL —
 * at LOGGER_ENTRY_MAX_PAYLOAD: 4068 bytes since logd, 4076 in the kernel logger before it).
 * logcat prints each line of a message behind the same header. The header's length at s
 * when it is logcat's (threadtime "05-01 10:00:00.123  1234  1250 E Go      : ", time
 * "05-01 10:00:00.123 E/Go      ( 1234): ", brief "E/Go      ( 1234): "), 0 when not; the
 * tag at s[*tag..*tag+*tn).
 */
static size_t logcat_head(const char *s, size_t n, size_t *tag, size_t *tn)
{
	size_t i = 0;
	bool thread = false;
	if (n > 19 && is_digit(s[0]) && is_digit(s[1]) && s[2] == '-' && s[5] == ' ' &&
	    s[8] == ':' && s[14] == '.' && is_digit(s[17]) && s[18] == ' ') {
		i = 19;
		while (i < n && s[i] == ' ')
			i++;
		thread = i < n && is_digit(s[i]);
		for (int k = 0; thread && k < 2; k++) { // pid, tid
			size_t d = i;
			while (i < n && is_digit(s[i]))
				i++;
			if (i == d || i == n || s[i] != ' ')
				return 0;
			while (i < n && s[i] == ' ')
				i++;
		}
	}
	if (i + 3 > n || !strchr("VDIWEFA", s[i]) || s[i] == 0)
		return 0;
	if (thread ? s[i + 1] != ' ' : s[i + 1] != '/')
		return 0;
	i += 2;
	*tag = i;
	const char *end = thread ? memmem(s + i, n - i, ": ", 2) : memchr(s + i, '(', n - i);
	if (!end && thread && s[n - 1] == ':') // an empty line, its blank trimmed by a paste
		end = s + n - 1;
	if (!end || end == s + i)
		return 0;
	size_t e = (size_t)(end - s);
	*tn = e - i;
	while (*tn && s[i + *tn - 1] == ' ')
		(*tn)--;
	if (thread)
		return e + 2 < n ? e + 2 : n;
	while (++e < n && (s[e] == ' ' || is_digit(s[e])))
		;
	if (e + 1 >= n || s[e] != ')' || s[e + 1] != ':')
		return 0;
	return e + 2 < n ? e + 3 : e + 2; // "): ", or "):" ending an empty line a paste trimmed
}

/*
 * Messages logcat shows cut at the record's limit: the lines of one message (one header,
 * byte for byte) whose text with its line ends is exactly as long as the limit leaves after
 * the tag. Their headers are removed here (a message cut inside a panic value shows no
 * goroutine header a prefix could be learned from). *last: the input line of the first such
 * cut; returns how many, *at_end whether the input's last line is one.
 */
static size_t logcat_cuts(struct work *w, uint32_t *last, bool *at_end)
{
	size_t cuts = 0, tag, tn, first = 0, h0 = 0, total = 0;
	*at_end = false;
	// An Android log: a header on one of its first lines (logcat starts with "---------
	// beginning of main").
	size_t look = 0;
	while (look < w->l.len && look < 4 &&
	       !logcat_head(w->l.v[look].s, w->l.v[look].n, &tag, &tn))
		look++;
	if (look == w->l.len || look == 4)
		return 0;
	for (size_t i = 0; i <= w->l.len; i++) {
		const struct ln *l = i < w->l.len ? &w->l.v[i] : NULL;
		size_t t2, n2, h = l ? logcat_head(l->s, l->n, &t2, &n2) : 0;
		const struct ln *f = &w->l.v[first];
		if (i > first && (!h || h != h0 || memcmp(l->s, f->s, h))) {
			// The message of lines first..i-1 ends: was it cut at the limit?
			if (h0 && (total == 4068 - 2 - tn || total == 4076 - 2 - tn)) {
				if (!cuts++)
					*last = w->l.v[i - 1].orig;
				*at_end = i == w->l.len;
				for (size_t k = first; k < i; k++) {
					struct ln *m = &w->l.v[k];
					m->s += h0 < m->n ? h0 : m->n;
					m->n -= h0 < m->n ? h0 : m->n;
				}
			}
			first = i;
			total = 0;
		}
		if (!l)
			break;
		if (i == first) {
			h0 = h;
			tn = h ? n2 : 0;
		} else {
			total++; // the line end between
		}
		total += h ? l->n - h : 0;
	}
	return cuts;
}

/* The quoting state after s[0..n) from *open: a quote not escaped by '\\' opens or closes a
 * string; *esc carries a '\\' that ended the text before into this one. */
static void scan_quotes(const char *s, size_t n, bool *open, bool *esc)
{
	for (size_t i = 0; i < n; i++) {
		if (*esc)
			*esc = false;
		else if (s[i] == '\\')
			*esc = true;
		else if (s[i] == '"')
			*open = !*open;
	}
}

/* Whether s[0..n) leaves a string open: an odd number of quotes not escaped by '\\'. */
static bool string_open(const char *s, size_t n)
{
	bool open = false, esc = false;
	scan_quotes(s, n, &open, &esc);
	return open;
}

/*
 * A line whose escaped dump ("…\\n\\tFILE:LINE…") runs on past the line's end: its string is
 * open and the next line goes on with escapes and no record of its own (a paste broke the
 * one-line record at an editor's or a terminal's width, mid-word). The lines, joined.
 */
static bool join_broken_record(struct work *out, const struct work *w, struct ln *l, size_t i,
                               size_t *used)
{
	*used = 0;
	if (!string_open(l->s, l->n) || i + 1 >= w->l.len)
		return false;
	const struct ln *second = &w->l.v[i + 1];
	// The escapes may start on a later piece: a record's fields and a panic value first.
	if (!memmem(l->s, l->n, "\\n", 2) && !memmem(second->s, second->n, "\\n", 2))
		return false;
	size_t total = l->n, j = i + 1;
	bool open = false, esc = false;
	scan_quotes(l->s, l->n, &open, &esc);
	for (; j < w->l.len; j++) {
		const struct ln *nx = &w->l.v[j];
		// A piece without escapes goes on only after one cut at the first one's width
		// (a console's: a long panic value or function line has none).
		bool escaped = memmem(nx->s, nx->n, "\\n", 2) || memmem(nx->s, nx->n, "\\t", 2);
		if (!nx->n || (!escaped && w->l.v[j - 1].n != l->n) || nx->s[0] == '{' ||
		    memmem(nx->s, nx->n, "msg=", 4) || total + nx->n > MAX_LINE)
			break;
		total += nx->n;
		scan_quotes(nx->s, nx->n, &open, &esc);
		if (!open) { // the string closes on it
			j++;
			break;
		}
	}
	if (j == i + 1)
		return false;
	char *b = own_joined(out, w, i, j, total);
	if (!b)
		return false;
	l->s = b;
	l->n = total;
	*used = j - i - 1;
	return true;
}

enum { MAX_OPEN_PIECES = 8 }; /* streams with a line in pieces at once */

struct open_pieces {
	struct piece p[MAX_OPEN_PIECES];
	size_t line[MAX_OPEN_PIECES]; /* the line of w the next piece goes on */
	char *buf[MAX_OPEN_PIECES];   /* in w's owned: that line's text, when joined already */
	size_t cap[MAX_OPEN_PIECES];  /* and its size: a line of many pieces grows by doubling */
	size_t n;
};

/*
 * The lines from first to the end of w are a record's (its piece pc): its first line goes
 * on the line its stream left open, and its last is left open when the line goes on.
 */
static void join_piece(struct work *w, struct open_pieces *op, const struct piece *pc, size_t first)
{
	if (!pc->key[0] && !pc->open)
		return;
	size_t k = 0;
	while (k < op->n && strcmp(op->p[k].key, pc->key))
		k++;
	if (k < op->n) {
		struct ln *a = &w->l.v[op->line[k]];
		if (first < w->l.len && a->n + w->l.v[first].n <= MAX_LINE) {
			const struct ln *b = &w->l.v[first];
			if (a->s != op->buf[k] || a->n + b->n > op->cap[k]) {
				size_t cap = 2 * (a->n + b->n);
				char *t = own(w, cap);
				if (!t)
					return;
				memcpy(t, a->s, a->n);
				op->buf[k] = t;
				op->cap[k] = cap;
				a->s = t;
			}
			memcpy(op->buf[k] + a->n, b->s, b->n);
			a->n += b->n;
			memmove(w->l.v + first, w->l.v + first + 1,
			        (w->l.len - first - 1) * sizeof(*w->l.v));
			w->l.len--;
			if (pc->open && first == w->l.len) // the record's one line: still open
				return;
		}
		op->n--;
		op->p[k] = op->p[op->n];
		op->line[k] = op->line[op->n];
		op->buf[k] = op->buf[op->n];
		op->cap[k] = op->cap[op->n];
	}
	if (!pc->open || first >= w->l.len)
		return;
	if (op->n == MAX_OPEN_PIECES) { // the oldest stream's line is left as it is
		memmove(op->p, op->p + 1, (op->n - 1) * sizeof(*op->p));
		memmove(op->line, op->line + 1, (op->n - 1) * sizeof(*op->line));
		memmove(op->buf, op->buf + 1, (op->n - 1) * sizeof(*op->buf));
		memmove(op->cap, op->cap + 1, (op->n - 1) * sizeof(*op->cap));
		op->n--;
	}
	op->p[op->n] = *pc;
	op->buf[op->n] = NULL;
	op->cap[op->n] = 0;
	op->line[op->n++] = w->l.len - 1;
}

/*
 * JSON records a paste broke over several lines: a console's wrap of each record at its
 * width (every piece as wide as the first but the last), or `jq .` of a log (each record
 * pretty-printed from a "{" alone on a line, one after another, no array). Braces and
 * brackets are counted outside strings, across pieces, until the record closes at a piece's
 * end; a paste layer's lead (a quote, cat -n numbers) on every pretty-printed line is dropped.
 */
struct brace_scan {
	size_t depth;
	bool str, esc, closed, bad;
};

static void scan_braces(struct brace_scan *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n && !b->bad; i++) {
		char c = s[i];
		if (b->str) {
			if (b->esc)
				b->esc = false;
			else if (c == '\\')
				b->esc = true;
			else if (c == '"')
				b->str = false;
		} else if (b->closed) {
			b->bad = !is_space(c);
		} else if (c == '"') {
			b->str = true;
		} else if (c == '{' || c == '[') {
			b->depth++;
		} else if (c == '}' || c == ']') {
			b->bad = !b->depth;
			b->closed = b->depth && !--b->depth;
		}
	}
}

/*
 * The record starting at line i of w joined from its pieces into *l (memory out owns); *used
 * the lines it took after i. *seen is the last line looked at, joined or not: a record that
 * never closes is not looked for again from the lines it spans (no quadratic time on
 * unbalanced braces).
 */
static bool join_record(struct work *out, const struct work *w, struct ln *l, size_t i,
                        size_t *used, size_t *seen)
{
	*used = 0;
	size_t e = l->n;
	while (e && is_space(l->s[e - 1]))
		e--;
	size_t lead = record_lead(l->s, e);
	if (lead >= e)
		return false;
	struct brace_scan b = {0};
	scan_braces(&b, l->s + lead, e - lead);
	if (b.closed || b.bad)
		return false;
	// jq's "{" alone, or a console's cut at the first piece's width.
	bool pretty = e - lead == 1;
	size_t width = pretty ? 0 : display_width(l->s, l->n);
	if (!pretty && (width < MIN_WRAP || width > MAX_WRAP))
		return false;
	size_t total = l->n - lead, j = i + 1; // a wrap may have cut after a blank: kept
	for (; j < w->l.len && j - i < MAX_JOIN; j++) {
		const struct ln *nx = &w->l.v[j];
		size_t skip = pretty && lead ? lead_again(l->s, lead, nx->s, nx->n) : 0;
		if (!nx->n || (pretty && lead && !skip) || total + nx->n > MAX_LINE)
			break;
		if (!pretty && (display_width(w->l.v[j - 1].s, w->l.v[j - 1].n) != width ||
		                display_width(nx->s, nx->n) > width))
			break;
		scan_braces(&b, nx->s + skip, nx->n - skip);
		total += nx->n - skip;
		if (b.bad || b.closed)
			break;
	}
	// A wrapped record still open at the input's end (blank lines aside) was cut there: its
	// pieces are joined all the same, and read as a cut record (cut_record).
	bool cut = false;
	if (!pretty && !b.bad && !b.closed && j > i + 1) {
		size_t rest = j;
		while (rest < w->l.len && !w->l.v[rest].n)
			rest++;
		cut = rest == w->l.len;
	}
	if (b.closed)
		j++;
	*seen = j;
	if (b.bad || !(b.closed || cut))
		return false;
	char *t = own(out, total);
	if (!t)
		return false;
	size_t o = 0;
	memcpy(t, l->s + lead, l->n - lead);
	o += l->n - lead;
	for (size_t k = i + 1; k < j; k++) {
		const struct ln *p = &w->l.v[k];
		size_t sk = pretty && lead ? lead_again(l->s, lead, p->s, p->n) : 0;
		memcpy(t + o, p->s + sk, p->n - sk);
		o += p->n - sk;
	}
	l->s = t;
	l->n = o;
	*used = j - i - 1;
	return true;
}

/*
 * Whether a JSON record in the first LOOK_LIMIT bytes is left open at its line's end: its
 * pieces are join_record's to join, by its braces, not the console unwrap's (which would
 * join the pieces after the first and leave the record in two).
 */
static bool open_record(const struct work *w)
{
	size_t seen = 0;
	for (size_t i = 0; i < w->l.len && seen < LOOK_LIMIT; i++) {
		const struct ln *l = &w->l.v[i];
		seen += l->n + 1;
		size_t lead = record_lead(l->s, l->n);
		if (lead == l->n)
			continue;
		struct brace_scan b = {0};
		scan_braces(&b, l->s + lead, l->n - lead);
		if (!b.closed && !b.bad)
			return true;
	}
	return false;
}

/*
 * A record's one-line message that is itself a log record to decode: a JSON record (zap's,
 * slog's inside docker's "log", journald's MESSAGE, Loki's "line"), a logfmt or JSON line
 * holding the dump in a string or escaped. Most messages are a runtime line: cheap tests
 * first.
 */
static bool nested_record(const struct ln *l)
{
	if (!l->message || l->n < 2 || (!memchr(l->s, '"', l->n) && !memchr(l->s, '\\', l->n)))
		return false;
	size_t b = 0, e = l->n;
	while (b < e && is_space(l->s[b]))
		b++;
	while (e > b && is_space(l->s[e - 1]))
		e--;
	return (e - b >= 2 && l->s[b] == '{' && l->s[e - 1] == '}') || escaped_dump(l->s, l->n) ||
	       cut_string(l->s, l->n);
}

/* The lines of o replace w's, o's memory becomes w's. */
static void take_lines(struct work *w, struct work *o)
{
	gpm_vec_free(&w->l);
	w->l.v = o->l.v;
	w->l.len = o->l.len;
	w->l.cap = o->l.cap;
	if (!w->host)
		w->host = o->host;
	for (size_t i = 0; i < o->owned.len; i++) {
		char **slot = w->nomem ? NULL : gpm_vec_push(&w->owned);
		if (!slot) {
			free(o->owned.v[i]);
			w->nomem = true;
			continue;
		}
		*slot = o->owned.v[i];
	}
	gpm_vec_free(&o->owned);
	w->nomem |= o->nomem;
}

/*
 * Records inside records: the message of a docker, journald, Loki, GELF or CloudWatch record
 * that is the line of a program's own JSON or logfmt logger holding the dump. Decoded as
 * the outer record was, up to MAX_NESTED layers; a layer's lines keep the outer record's
 * time when theirs gives none.
 */
static void decode_nested(struct work *w)
{
	for (int round = 0; round < MAX_NESTED && !w->nomem; round++) {
		size_t i = 0;
		while (i < w->l.len && !nested_record(&w->l.v[i]))
			i++;
		if (i == w->l.len)
			return;
		struct work o = {0};
		for (i = 0; i < w->l.len && !o.nomem; i++) {
			const struct ln *l = &w->l.v[i];
			size_t first = o.l.len;
			struct piece pc;
			bool cut = false;
			if (!nested_record(l) ||
			    !(json_record(&o, l, &pc) || json_string_in_line(&o, l) ||
			      (cut = cut_record(&o, l)) || escaped_line(&o, l))) {
				struct ln *d = gpm_vec_push(&o.l);
				if (!d) {
					o.nomem = true;
					break;
				}
				*d = *l;
				d->message = 0;
				continue;
			}
			// A record cut inside a cut record is one cut, counted already.
			if (cut && l->message != MSG_CUT && !w->cut_records++)
				w->cut_record = l->orig;
			for (size_t k = first; k < o.l.len; k++)
				if (!o.l.v[k].stamp)
					o.l.v[k].stamp = l->stamp;
		}
		take_lines(w, &o);
	}
}

static void decode_json(struct work *w)
{
	struct work o = {0};
	struct open_pieces op = {0};
	size_t seen = 0; // lines looked at by join_record
	for (size_t i = 0; i < w->l.len && !o.nomem; i++) {
		struct ln joined = w->l.v[i];
		size_t used;
		if ((i >= seen && join_record(&o, w, &joined, i, &used, &seen)) ||
		    join_broken_record(&o, w, &joined, i, &used)) {
			w->l.v[i + used] = joined;
			i += used;
		}
		const struct ln *l = &w->l.v[i];
		struct piece pc;
		size_t first = o.l.len;
		if (l->n && memchr(l->s, '"', l->n) && json_record(&o, l, &pc)) {
			join_piece(&o, &op, &pc, first);
			continue;
		}
		if (l->n && memchr(l->s, '"', l->n) && json_string_in_line(&o, l))
			continue;
		if (l->n && memchr(l->s, '"', l->n) && cut_record(&o, l)) {
			// Read as far as it goes; at the input's end, the dump was cut there.
			size_t rest = i + 1;
			while (rest < w->l.len && !w->l.v[rest].n)
				rest++;
			if (rest == w->l.len)
				o.cut = true;
			if (!w->cut_records++)
				w->cut_record = l->orig;
			continue;
		}
		if (l->n && escaped_line(&o, l)) {
			// A record whose string never closes, at the input's end, was cut there
			// (a log line cut at a size limit, a paste cut short): so was the dump.
			size_t rest = i + 1;
			while (rest < w->l.len && !w->l.v[rest].n)
				rest++;
			if (rest == w->l.len && string_open(l->s, l->n))
				o.cut = true;
			continue;
		}
		push_line(&o, l->s, l->n, l->orig);
	}
	w->cut |= o.cut;
	gpm_vec_free(&w->l);
	w->l.v = o.l.v;
	w->l.len = o.l.len;
	w->l.cap = o.l.cap;
	if (!w->host)
		w->host = o.host;
	for (size_t i = 0; i < o.owned.len && !w->nomem; i++) {
		char **slot = gpm_vec_push(&w->owned);
		if (!slot) {
			free(o.owned.v[i]);
			w->nomem = true;
			continue;
		}
		*slot = o.owned.v[i];
	}
	gpm_vec_free(&o.owned);
	w->nomem |= o.nomem;
}

enum { MAX_SOURCES = 16 }; /* processes told apart in one log; more are left as they are */

/*
 * The process a line's prefix names, when it names one: "etcd1" of "11:05:58  etcd1 | ",
 * "web_1" of "web_1  | " (docker-compose, Procfile runners), "pod/api-1/app" of kubectl's
 * "[pod/api-1/app] ". Timestamps and the like are not names: syslog and klog prefixes name
 * none here, so their logs are never split.
 */
/* stern's "POD CONTAINER " (its default template): a pod's name (lower-case letters,
 * digits, '-' and '.') and a container's, the prefix nothing else. */
static bool stern_source(const char *p, size_t n, const char **tag, size_t *tn)
{
	size_t i = 0, words = 0;
	while (i < n && words < 3) {
		if (!((p[i] >= 'a' && p[i] <= 'z') || is_digit(p[i])))
			return false;
		while (i < n && ((p[i] >= 'a' && p[i] <= 'z') || is_digit(p[i]) || p[i] == '-' ||
		                 (p[i] == '.' && !words)))
			i++;
		words++;
		if (i == n || p[i] != ' ')
			return false;
		*tn = i;
		while (i < n && p[i] == ' ')
			i++;
	}
	if (words != 2 || i != n)
		return false;
	*tag = p;
	return true;
}

static bool prefix_source(const char *p, size_t n, const char **tag, size_t *tn)
{
	if (n > 5 && !memcmp(p, "[pod/", 5)) {
		const char *e = memchr(p, ']', n);
		if (!e)
			return false;
		*tag = p + 1;
		*tn = (size_t)(e - p - 1);
		return true;
	}
	const char *bar = NULL;
	for (size_t i = n; i-- > 0 && !bar;)
		if (p[i] == '|')
			bar = p + i;
	if (!bar)
		return stern_source(p, n, tag, tn);
	const char *e = bar;
	while (e > p && is_space(e[-1]))
		e--;
	const char *s = e;
	while (s > p && !is_space(s[-1]))
		s--;
	if (s == e)
		return false;
	*tag = s;
	*tn = (size_t)(e - s);
	return true;
}

/*
 * Several processes logging into one stream (docker-compose, kubectl logs of several pods)
 * interleave their dumps line by line; read together they are garbage. When the prefixes
 * name two or more processes that each printed a goroutine header, the lines are regrouped
 * per process in order of first appearance (each keeps its own order and its input line
 * numbers), so each dump is read whole. Lines without a name go with the line before.
 */
static void separate_sources(struct work *w, unsigned ntags)
{
	bool header[MAX_SOURCES] = {0};
	unsigned with_header = 0;
	for (size_t i = 0; i < w->l.len; i++) {
		const struct ln *l = &w->l.v[i];
		if (!header[l->src] && header_opens(l->s, l->n)) {
			header[l->src] = true;
			with_header++;
		}
	}
	if (ntags < 2 || with_header < 2)
		return;
	struct ln *v = malloc(w->l.len * sizeof(*v));
	if (!v) {
		w->nomem = true;
		return;
	}
	size_t out = 0;
	for (unsigned t = 0; t < ntags; t++)
		for (size_t i = 0; i < w->l.len; i++)
			if (w->l.v[i].src == t)
				v[out++] = w->l.v[i];
	memcpy(w->l.v, v, out * sizeof(*v));
	free(v);
	w->sources = ntags;
}

static bool digits(const char *s, size_t n, int *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil).
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/*
 * The first timestamp with a year in a log prefix: RFC 3339 / ISO 8601
 * ("2024-05-01T10:00:01.123Z", "2024-05-01 10:00:01+02:00") or Go's log package
 * ("2024/05/01 10:00:01"). No zone means UTC. 0 when there is none (klog and syslog
 * prefixes carry no year).
 */
static int64_t prefix_stamp(const char *s, size_t n)
{
	for (size_t i = 0; i + 19 <= n; i++) {
		const char *p = s + i;
		int y, mo, d, h, mi, se;
		if ((i && is_digit(p[-1])) || !digits(p, 4, &y) || (p[4] != '-' && p[4] != '/') ||
		    p[7] != p[4] || !digits(p + 5, 2, &mo) || !digits(p + 8, 2, &d) ||
		    (p[10] != 'T' && p[10] != ' ') || !digits(p + 11, 2, &h) || p[13] != ':' ||
		    !digits(p + 14, 2, &mi) || p[16] != ':' || !digits(p + 17, 2, &se))
			continue;
		if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
		    se > 60)
			continue;
		int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
		size_t j = i + 19;
		if (j < n && (s[j] == '.' || s[j] == ','))
			for (j++; j < n && is_digit(s[j]); j++)
				;
		int zh, zm;
		if (j + 6 <= n && (s[j] == '+' || s[j] == '-') && digits(s + j + 1, 2, &zh) &&
		    s[j + 3] == ':' && digits(s + j + 4, 2, &zm))
			t -= (s[j] == '+' ? 1 : -1) * (int64_t)(zh * 3600 + zm * 60);
		return t;
	}
	return 0;
}

/*
 * An empty line of the log: its prefix alone, the blanks that ended the prefix trimmed by an
 * editor or a log shipper ("> " of a Markdown quote is ">" on an empty quoted line, a
 * timestamp without the space after it). Its length (all of s) when s is that, else -1.
 */
static long bare_prefix(const char *pre, size_t pn, const char *s, size_t n)
{
	size_t tn = pn;
	while (tn && (pre[tn - 1] == ' ' || pre[tn - 1] == '\t'))
		tn--;
	if (!tn || tn == pn)
		return -1;
	long m = match_prefix(pre, tn, s, n);
	return m > 0 && (size_t)m == n ? m : -1;
}

/* Whether a cut of a prefix has a shape of its own: a character other than a letter, a
 * digit, '_' or a space, or a line number padded as `cat -n` pads it. Words and blanks
 * ("May  ") are matched by most lines of any text ("eb8b0 sp=0x…", the rest of a wrapped
 * line). */
static bool layer_shape(const char *pre, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_word(pre[i]) && pre[i] != ' ')
			return true;
	// `cat -n`'s number, its tab turned into blanks: digits alone, then two blanks or more.
	size_t i = 0;
	while (i < n && pre[i] == ' ')
		i++;
	size_t d = i;
	while (i < n && is_digit(pre[i]))
		i++;
	return i > d && n - i >= 2 && i + 2 <= n && pre[i] == ' ' && pre[i + 1] == ' ';
}

/*
 * The outer layer of a learned prefix that is two: a shipper's or a pager's prefix on every
 * line ("api-1  | ", a kubectl timestamp, `cat -n`'s number) around a logger's that only the
 * line the dump was logged with has ("2024/05/01 10:00:01 " of log.Printf("%s", stack)). The
 * longest cut of pre after a blank that nine in ten of the first lines with text match, when
 * pre itself is not matched so; 0 when there is none.
 */
static size_t outer_prefix(const struct work *w, const char *pre, size_t pn)
{
	enum { LOOK_LINES = 2000 };
	size_t lines = 0, whole = 0, cut[16], hits[16], ncut = 0;
	for (size_t k = 1; k < pn && ncut < 16; k++)
		if (is_space(pre[k - 1]) && !is_space(pre[k]))
			cut[ncut++] = k;
	if (!ncut)
		return 0;
	memset(hits, 0, sizeof(hits));
	for (size_t i = 0; i < w->l.len && lines < LOOK_LINES; i++) {
		const struct ln *l = &w->l.v[i];
		if (!l->n)
			continue;
		lines++;
		if (match_prefix(pre, pn, l->s, l->n) > 0) {
			whole++;
			continue;
		}
		for (size_t c = 0; c < ncut; c++)
			hits[c] += match_prefix(pre, cut[c], l->s, l->n) > 0;
	}
	if (whole * 10 >= lines * 9)
		return 0;
	for (size_t c = ncut; c-- > 0;)
		if ((whole + hits[c]) * 10 >= lines * 9 && layer_shape(pre, cut[c]))
			return cut[c];
	return 0;
}

/* Strips the log prefix learned from the header lines (the latest one seen applies). */
static bool crash_start(const char *s, size_t n);

/*
 * A prefix cut at its start on the paste's first line, the selection begun inside it
 * ("3.6367390Z panic: …" under "2024-10-09T09:16:43.6370024Z "): the length of the tail of
 * pre (from a word of it on) that s starts with, when the runtime's first line or a header
 * follows; -1 when not.
 */
static long cut_prefix(const char *pre, size_t pn, const char *s, size_t n)
{
	for (size_t j = 1; j < pn; j++) {
		if (!is_word(pre[j]) || is_word(pre[j - 1]))
			continue;
		long m = match_prefix(pre + j, pn - j, s, n);
		if (m > 0 &&
		    (crash_start(s + m, n - (size_t)m) || header_like(s + m, n - (size_t)m)))
			return m;
	}
	return -1;
}

static void strip_prefix(struct work *w)
{
	char pre[MAX_PREFIX];
	size_t pre_len = 0;
	// The first prefix applies from the start, so the preamble is stripped too.
	for (size_t i = 0; i < w->l.len; i++) {
		long k = prefix_len(w->l.v[i].s, w->l.v[i].n);
		if (k > 0) {
			pre_len = (size_t)k;
			memcpy(pre, w->l.v[i].s, pre_len);
			break;
		}
	}
	if (!pre_len)
		return;
	char outer[MAX_PREFIX];
	size_t outer_len = outer_prefix(w, pre, pre_len);
	memcpy(outer, pre, outer_len);
	// The processes the prefixes name, in order of first appearance.
	const char *tags[MAX_SOURCES];
	size_t tlen[MAX_SOURCES];
	unsigned ntags = 0;
	bool too_many = false;
	uint8_t src = 0;
	bool matched = false;
	for (size_t i = 0; i < w->l.len; i++) {
		struct ln *l = &w->l.v[i];
		long k = prefix_len(l->s, l->n);
		if (k > 0) {
			pre_len = (size_t)k;
			memcpy(pre, l->s, pre_len);
		}
		long m = match_prefix(pre, pre_len, l->s, l->n);
		l->whole = m > 0;
		if (m < 0 && outer_len)
			m = match_prefix(outer, outer_len, l->s, l->n);
		if (m < 0)
			m = bare_prefix(outer_len ? outer : pre, outer_len ? outer_len : pre_len,
			                l->s, l->n);
		if (m < 0 && !matched && l->n)
			m = cut_prefix(pre, pre_len, l->s, l->n);
		matched = matched || m > 0;
		const char *tag;
		size_t tn;
		if (m > 0 && !too_many && prefix_source(l->s, (size_t)m, &tag, &tn)) {
			unsigned t = 0;
			while (t < ntags && (tlen[t] != tn || memcmp(tags[t], tag, tn)))
				t++;
			if (t == ntags) {
				if (ntags == MAX_SOURCES) {
					too_many = true;
				} else {
					tags[ntags] = tag;
					tlen[ntags++] = tn;
				}
			}
			src = (uint8_t)(t < MAX_SOURCES ? t : 0);
		}
		l->src = src;
		if (m > 0) {
			size_t pc = display_width(l->s, (size_t)m);
			l->pre_cols = (uint16_t)(pc < UINT16_MAX ? pc : UINT16_MAX);
			l->stamp = prefix_stamp(l->s, (size_t)m);
			l->sep = l->s[m - 1];
			l->s += m;
			l->n -= (size_t)m;
		}
	}
	if (!too_many)
		separate_sources(w, ntags);
}

/*
 * Every line a quoted string once its prefix is gone (logfmt's msg="goroutine 1 [running]:"
 * of a logger that printed the dump a line at a time): the strings, decoded. Go quotes as
 * JSON does for what a dump holds; a line that does not decode is kept as it is.
 */
static void unquote_lines(struct work *w)
{
	size_t lines = 0, quoted = 0, dumpish = 0;
	for (size_t i = 0; i < w->l.len; i++) {
		const struct ln *l = &w->l.v[i];
		lines += l->n > 0;
		bool q = l->n >= 2 && l->s[0] == '"' && l->s[l->n - 1] == '"';
		quoted += q;
		// A dump's own lines quoted: a location ("\tFILE:LINE …") or a goroutine header.
		dumpish += q && l->n > 4 &&
		           ((l->s[1] == '\\' && l->s[2] == 't' && memchr(l->s, ':', l->n)) ||
		            starts(l->s + 1, l->n - 1, "goroutine "));
	}
	// Most lines, or, among the words of a report or a log's other lines, three of a dump's
	// (a header and locations) quoted one a line.
	bool most = quoted >= 3 && (quoted * 4 >= lines * 3 || dumpish >= 3);
	for (size_t i = 0; i < w->l.len && !w->nomem; i++) {
		struct ln *l = &w->l.v[i];
		if (l->n < 2 || l->s[0] != '"' || l->s[l->n - 1] != '"')
			continue;
		if (l->sep == ',' || l->sep == ';') { // a CSV field: "" is a quote, nothing else
			char *b = own(w, l->n);
			if (!b)
				return;
			size_t o = 0;
			for (size_t j = 1; j + 1 < l->n; j++) {
				b[o++] = l->s[j];
				j += l->s[j] == '"' && l->s[j + 1] == '"';
			}
			l->s = b;
			l->n = o;
			continue;
		}
		if (!most)
			continue;
		json_t *v = json_loadb(l->s, l->n, JSON_DECODE_ANY, NULL);
		if (v && json_is_string(v) &&
		    !memchr(json_string_value(v), '\n', json_string_length(v))) {
			size_t n = json_string_length(v);
			char *b = own(w, n);
			if (b) {
				memcpy(b, json_string_value(v), n);
				l->s = b;
				l->n = n;
			}
		}
		json_decref(v);
	}
}

/* ---- layout ---- */

bool gpm_dump_joined_line(const char *s, size_t n)
{
	if (n < 160)
		return false;
	unsigned marks = 0;
	for (const char *p = s, *end = s + n; marks < 4;) {
		const char *g = memmem(p, (size_t)(end - p), ".go:", 4);
		if (!g)
			break;
		p = g + 4;
		marks += p < end && is_digit(*p);
	}
	for (const char *p = s, *end = s + n; marks < 4;) {
		const char *g = memmem(p, (size_t)(end - p), " \t", 2);
		if (!g)
			break;
		p = g + 2;
		marks += p < end && !is_space(*p);
	}
	return marks >= 4;
}

/* Lines of gpm_dump_joined_line set aside (counted in *joined): no stage may take them for
 * what they hold (a log prefix before a goroutine header in their middle). */
static void set_aside_joined(struct work *w, size_t *joined)
{
	size_t out = 0;
	for (size_t i = 0; i < w->l.len; i++) {
		if (gpm_dump_joined_line(w->l.v[i].s, w->l.v[i].n))
			++*joined;
		else
			w->l.v[out++] = w->l.v[i];
	}
	w->l.len = out;
}

static const char *trim(const struct ln *l, size_t *n)
{
	size_t i = 0, k;
	while ((k = blank_at(l->s + i, l->n - i)) != 0)
		i += k;
	*n = l->n - i;
	return l->s + i;
}

static bool line_func(const struct ln *l)
{
	size_t n;
	const char *s = trim(l, &n);
	return func_like(s, n);
}

static bool line_loc(const struct ln *l)
{
	size_t n;
	const char *s = trim(l, &n);
	return loc_like(s, n);
}

/* Newest-first: headers below their stacks (a function line just above a header) rather
 * than above them (a function line just below). */
static bool reversed(const struct work *w)
{
	size_t fwd = 0, rev = 0;
	for (size_t i = 0; i + 1 < w->l.len; i++) {
		const struct ln *a = &w->l.v[i], *b = &w->l.v[i + 1];
		size_t an, bn;
		const char *as = trim(a, &an), *bs = trim(b, &bn);
		int po = pprof_order(as, an, bs, bn);
		if ((header_like(a->s, a->n) && line_func(b)) || po > 0)
			fwd++;
		else if ((line_func(a) && header_like(b->s, b->n)) || po < 0)
			rev++;
		else if (header_like(a->s, a->n) && !memchr(b->s, '(', b->n) &&
		         (line_loc(b) || (!b->n && i + 2 < w->l.len && line_loc(&w->l.v[i + 2]))))
			rev++; // the location above it in the runtime's order is below it
		// "created by" is followed by its location and then a blank line or the next
		// goroutine; newest-first, by the location of the frame above it and that frame.
		if (i + 2 < w->l.len && starts(a->s, a->n, "created by ") &&
		    line_func(&w->l.v[i + 2]))
			rev++;
		else if (i + 2 < w->l.len && line_func(a) &&
		         starts(w->l.v[i + 2].s, w->l.v[i + 2].n, "created by "))
			fwd++;
	}
	return (rev >= 2 && rev > 2 * fwd) || (rev == 1 && fwd == 0);
}

static void reverse(struct work *w)
{
	for (size_t i = 0, j = w->l.len; i + 1 < j; i++, j--) {
		struct ln t = w->l.v[i];
		w->l.v[i] = w->l.v[j - 1];
		w->l.v[j - 1] = t;
	}
}

/* An empty line, or one of blanks only: a terminal's copy pads empty lines too (an old
 * Windows console to its width), an editor leaves its indentation there. */
static bool line_empty(const struct ln *l)
{
	size_t n;
	trim(l, &n);
	return n == 0;
}

/* A blank line after every line: functions and their locations apart. */
static bool double_spaced(const struct work *w)
{
	size_t apart = 0, together = 0;
	for (size_t i = 0; i + 1 < w->l.len; i++) {
		const struct ln *a = &w->l.v[i];
		if (!line_func(a))
			continue;
		if (line_loc(&w->l.v[i + 1]))
			together++;
		else if (line_empty(&w->l.v[i + 1]) && i + 2 < w->l.len && line_loc(&w->l.v[i + 2]))
			apart++;
	}
	return apart >= 2 && apart > together;
}

/* Runs of k blank lines (empty or of blanks only) were k/2 (rounded down) blank lines
 * before doubling. */
static void undouble(struct work *w)
{
	size_t out = 0;
	for (size_t i = 0; i < w->l.len;) {
		if (!line_empty(&w->l.v[i])) {
			w->l.v[out++] = w->l.v[i++];
			continue;
		}
		size_t j = i;
		while (j < w->l.len && line_empty(&w->l.v[j]))
			j++;
		for (size_t k = 0; k < (j - i) / 2; k++)
			w->l.v[out++] = w->l.v[i + k];
		i = j;
	}
	w->l.len = out;
}

/* Whether s starts a crash's first line: "panic: ", "fatal error: ", "SIGQUIT: "-like,
 * "unexpected fault address ", "runtime: ". */
static bool crash_start(const char *s, size_t n)
{
	if (starts(s, n, "panic: ") || starts(s, n, "fatal error: ") ||
	    starts(s, n, "unexpected fault address ") || starts(s, n, "runtime: "))
		return true;
	size_t j = 3;
	if (!starts(s, n, "SIG"))
		return false;
	while (j < n && s[j] >= 'A' && s[j] <= 'Z')
		j++;
	return j > 3 && j + 1 < n && s[j] == ':' && s[j + 1] == ' ';
}

/* A logger's level word ("ERROR", "E", "fatal", "eror"), as is or in brackets. */
static bool level_word(const char *s, size_t n)
{
	static const char *const levels[] = {
	    "ERROR", "ERRO",    "EROR",  "ERR",  "E",    "FATAL", "FATA",     "FTL",
	    "F",     "CRIT",    "PANIC", "PANI", "PNC",  "EMERG", "CRITICAL", "ALERT",
	    "WARN",  "WARNING", "WRN",   "W",    "INFO", "INF",   "I",        "NOTICE",
	    "DEBUG", "DBG",     "TRACE", "TRC",  "D",
	};
	if (n >= 2 && ((s[0] == '[' && s[n - 1] == ']') || (s[0] == '<' && s[n - 1] == '>'))) {
		s++;
		n -= 2;
	}
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (strlen(levels[i]) == n && strncasecmp(s, levels[i], n) == 0)
			return true;
	return false;
}

/* A timestamp or a number: digits and date/time punctuation, at least one digit; or a
 * month's name (syslog's "May  1 10:00:01"). */
static bool stamp_word(const char *s, size_t n, bool *sep)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	if (n == 3)
		for (size_t m = 0; m < 12; m++)
			if (memcmp(s, months + 3 * m, 3) == 0)
				return true;
	bool digit = false;
	for (size_t i = 0; i < n; i++) {
		if (is_digit(s[i]))
			digit = true;
		else if (!strchr("/-:.,+TZ", s[i]))
			return false;
		else if (s[i] == ':' || s[i] == '/')
			*sep = true;
	}
	return digit;
}

/* A source position as loggers print it: "main.go:42", "app/server.go:118]". */
static bool caller_word(const char *s, size_t n)
{
	const char *go = memmem(s, n, ".go:", 4);
	if (!go || go == s)
		return false;
	for (const char *p = s; p < go; p++)
		if (!is_alnum(*p) && !strchr("_./-@", *p))
			return false;
	size_t i = (size_t)(go - s) + 4, d = i;
	while (i < n && is_digit(s[i]))
		i++;
	return i > d && (i == n || (i + 1 == n && (s[i] == ']' || s[i] == ':')));
}

/* A line that is a log's timestamp and nothing else ("2025-04-28 12:18:42.448", blanks around
 * it): the line after it is its record's text (a Grafana/Loki export copied as shown). */
static bool stamp_only(const char *s, size_t n)
{
	size_t i = 0, words = 0;
	bool sep = false, digit = false;
	while (i < n) {
		while (i < n && is_space(s[i]))
			i++;
		if (i == n)
			break;
		size_t e = i;
		while (e < n && !is_space(s[e]))
			e++;
		if (!stamp_word(s + i, e - i, &sep) || ++words > 3)
			return false;
		digit = digit || is_digit(s[i]);
		i = e;
	}
	return sep && digit;
}

/* Whether the lines that are only a timestamp are a third of the text or more (a log viewer
 * put each record's time on a line of its own). */
static bool stamp_lines(const struct ln *v, size_t len)
{
	size_t stamps = 0, lines = 0;
	for (size_t i = 0; i < len; i++) {
		lines += v[i].n > 0;
		stamps += v[i].n > 0 && stamp_only(v[i].s, v[i].n);
	}
	return stamps >= 3 && stamps * 3 >= lines;
}

/* Each timestamp line gives its time to the record's text on the next line and goes; one
 * followed by another (an empty record) or by nothing is an empty line. */
static void unstamp(struct work *w)
{
	size_t out = 0;
	for (size_t i = 0; i < w->l.len; i++) {
		struct ln l = w->l.v[i];
		if (l.n && stamp_only(l.s, l.n)) {
			const struct ln *nx = i + 1 < w->l.len ? &w->l.v[i + 1] : NULL;
			int64_t t = prefix_stamp(l.s, l.n);
			if (nx && nx->n && !stamp_only(nx->s, nx->n)) {
				w->l.v[i + 1].stamp = t;
				continue;
			}
			l.n = 0;
			l.stamp = t;
		}
		w->l.v[out++] = l;
	}
	w->l.len = out;
}

/*
 * Length of a logger's preamble before a crash line that only that line has (the stack
 * after it printed bare: log.Printf("panic: %v\n%s", r, stack), a structured logger's
 * console line, klog): up to eight words, each a timestamp or number ("2024/05/01",
 * "10:00:01.123Z", klog's "E0501" and thread id), a level ("ERROR", "[error]", "<3>",
 * "level=error"), a caller ("main.go:42", "main.go:42]"), a bracketed tag ("[pod/x/app]",
 * "[worker]"), or after a timestamp a host or program name ("web01", "api[1234]:"); at
 * least one timestamp with a ':' or '/', level or klog header; then "panic: ",
 * "fatal error: ", "SIGQUIT: "-like, "unexpected fault address " or "runtime: ". 0 none.
 * A line that is all words and no preamble (a message of the program's own that happens to
 * hold "panic: ") never passes: free words are not preamble words.
 */
size_t gpm_dump_log_stamp(const char *s, size_t n)
{
	size_t i = 0, words = 0, names = 0;
	bool sep = false, anchor = false, month = false, cri = false;
	// Markup or a logger's marks glued to the crash line: Markdown's inline code or bold
	// ("`panic: …", "**fatal error: …"; the close is a line of its own after the stack),
	// a continuation's dots ("..panic: …").
	if (n > 1 && (s[0] == '`' || s[0] == '*' || s[0] == '.' || s[0] == '_' || s[0] == '>')) {
		if (s[0] == '>') // a mail's or Markdown's quote: "> fatal error: …"
			while (i < n && i < 8 && (s[i] == '>' || s[i] == ' '))
				i++;
		else
			while (i < n && i < 3 && s[i] == s[0])
				i++;
		if (crash_start(s + i, n - i))
			return i;
		// Markup around a whole log line ("**2023-05-15T00:29:00Z stderr F runtime: …").
		size_t k = i < n && is_digit(s[i]) ? gpm_dump_log_stamp(s + i, n - i) : 0;
		return k ? i + k : 0;
	}
	// Cheap for the lines of a dump (function lines start with a package's lower-case name).
	if (!n || !(is_digit(s[0]) || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '[' || s[0] == '<' ||
	            starts(s, n, "level=") || starts(s, n, "lvl=") || starts(s, n, "severity=")))
		return 0;
	if (n > 200)
		n = 200;
	while (i < n && words < 8) {
		size_t e = i;
		while (e < n && !is_space(s[e]))
			e++;
		const char *w = s + i;
		size_t wn = e - i;
		if (!wn)
			return 0;
		bool stamp = stamp_word(w, wn, &sep);
		month = month || (stamp && wn == 3 && !is_digit(w[0]));
		if (stamp) {
			anchor = anchor || sep;
		} else if (level_word(w, wn) ||
		           (wn == 5 && strchr("IWEF", w[0]) && is_digit(w[1]) && is_digit(w[2]) &&
		            is_digit(w[3]) && is_digit(w[4]))) {
			anchor = true;
		} else if ((starts(w, wn, "level=") && level_word(w + 6, wn - 6)) ||
		           (starts(w, wn, "lvl=") && level_word(w + 4, wn - 4)) ||
		           (starts(w, wn, "severity=") && level_word(w + 9, wn - 9))) {
			anchor = true;
		} else if (caller_word(w, wn)) {
		} else if (anchor && sep && words == 1 && wn == 6 &&
		           (!memcmp(w, "stderr", 6) || !memcmp(w, "stdout", 6))) {
			cri =
			    true; // a container runtime's log: "TIME stderr F " (F full, P partial)
		} else if (cri && words == 2 && wn == 1 && (w[0] == 'F' || w[0] == 'P')) {
		} else if (wn >= 3 && w[0] == '[' &&
		           (w[wn - 1] == ']' || (w[wn - 2] == ']' && w[wn - 1] == ':'))) {
		} else if (anchor && sep && names < 2 && is_alnum(w[0])) {
			// A syslog host and program: "May  1 10:00:01 web01 api[1234]: ", or after
			// another timestamp only with the program's pid ("web01 api[1234]:").
			for (size_t k = 0; k < wn; k++)
				if (!is_alnum(w[k]) && !strchr("_.-[]:", w[k]))
					return 0;
			if (!month && (wn < 4 || w[wn - 1] != ':' || w[wn - 2] != ']') &&
			    (names || w[wn - 1] == ':'))
				return 0;
			names++;
		} else {
			return 0;
		}
		words++;
		i = e;
		while (i < n && is_space(s[i]))
			i++;
		if (i == e) // the word ran to the end
			return 0;
		if (anchor && crash_start(s + i, n - i))
			return i;
	}
	return 0;
}

/* Each frame written on one line ("FUNC(ARGS) FILE:LINE"), as two: its location goes on a
 * line of its own (reindent indents it). */
static void split_frames(struct work *w)
{
	size_t extra = 0;
	for (size_t i = 0; i < w->l.len; i++) {
		size_t n;
		const char *s = trim(&w->l.v[i], &n);
		extra += frame_loc(s, n) != 0;
	}
	if (!extra || !gpm_vec_reserve(&w->l, w->l.len + extra)) {
		w->nomem = extra != 0;
		return;
	}
	size_t j = w->l.len + extra;
	for (size_t i = w->l.len; i-- > 0;) {
		struct ln l = w->l.v[i];
		size_t n;
		const char *s = trim(&l, &n);
		size_t at = frame_loc(s, n);
		if (at) {
			struct ln loc = l;
			loc.s = s + at;
			loc.n = n - at;
			w->l.v[--j] = loc;
			size_t fe = at;
			while (fe && is_space(s[fe - 1]))
				fe--;
			l.n = (size_t)(s + fe - l.s);
		}
		w->l.v[--j] = l;
	}
	w->l.len += extra;
}

/* A test in the list `go test` prints under "running tests:": "TestName (1m0s)", the name
 * possibly with subtests ("TestX/case_1"), or an example's or a fuzz target's. */
static bool test_entry(const char *s, size_t n)
{
	if (n < 5 || s[n - 1] != ')' || !(s[0] >= 'A' && s[0] <= 'Z'))
		return false;
	const char *sp = memchr(s, ' ', n);
	return sp && sp + 2 < s + n && sp[1] == '(' &&
	       !memchr(sp + 1, ' ', (size_t)(s + n - sp - 1));
}

/*
 * Indentation as the runtime prints it: none, except one tab before a location line (after
 * a function line or "created by"), before a continued panic value and nested "panic:",
 * before "goroutine running on other thread", and before the tests `go test` lists under
 * "running tests:" at a timeout. Whatever indentation the paste had
 * (spaces, several tabs, a whole indented block) is replaced.
 */
static void reindent(struct work *w)
{
	enum { K_OTHER, K_FRAME, K_LOC, K_PANIC, K_TESTS, K_BLANK } prev = K_BLANK;
	bool tests = false; // the panic value's "running tests:" was seen
	for (size_t i = 0; i < w->l.len; i++) {
		struct ln *l = &w->l.v[i];
		size_t n;
		const char *s = trim(l, &n);
		bool indented = s != l->s;
		for (size_t k; (k = blank_before(s, n)) != 0;)
			n -= k;
		size_t stamp = n ? gpm_dump_log_stamp(s, n) : 0;
		s += stamp;
		n -= stamp;
		l->s = s;
		l->n = n;
		l->tabs = 0;
		if (!n) {
			prev = K_BLANK;
			continue;
		}
		// A Markdown inline-code quote closed on the last location ("main.go:76
		// +0xb98`"): the backtick goes.
		if (prev == K_FRAME && n > 2 && s[n - 1] == '`' && loc_like(s, n - 1))
			l->n = --n;
		// The last line of an input cut inside a location ("\tgopm.test/fixtur"): no
		// ":LINE" tells it, its indentation after a frame does.
		if (prev == K_FRAME &&
		    (loc_like(s, n) || (indented && w->cut && i + 1 == w->l.len))) {
			l->tabs = 1;
			prev = K_LOC;
			continue;
		}
		// A test timeout's panic value goes on over lines, each under a tab since Go 1.24:
		// "panic: test timed out after 1m0s\n\trunning tests:\n\t\tTestX (1m0s)".
		if (prev == K_PANIC && tests && test_entry(s, n)) {
			l->tabs = 2;
			continue;
		}
		// A fatal error during a panic is printed under it with a tab ("panic: V\n\tfatal
		// error: …"), one after it without: the paste's own indentation tells them apart.
		if (prev == K_PANIC && (indented || starts(s, n, "panic: ")) &&
		    !header_like(s, n) && !starts(s, n, "[signal ") &&
		    (indented || !starts(s, n, "fatal error: "))) {
			l->tabs = 1;
			tests = tests || (n == 14 && starts(s, n, "running tests:"));
			continue;
		}
		// Before Go 1.24: "panic: test timed out after 1m0s\nrunning tests:\n\tTestX
		// (1m0s)".
		if (prev == K_TESTS && !header_like(s, n) && (indented || test_entry(s, n))) {
			l->tabs = 1;
			continue;
		}
		if (starts(s, n, "goroutine running on other thread")) {
			l->tabs = 1;
			prev = K_OTHER;
			continue;
		}
		tests = false;
		if (starts(s, n, "panic: "))
			prev = K_PANIC;
		else if (n == 14 && starts(s, n, "running tests:"))
			prev = K_TESTS;
		else if (func_like(s, n) || starts(s, n, "created by ") ||
		         (i + 1 < w->l.len && line_loc(&w->l.v[i + 1]) && !loc_like(s, n)))
			prev = K_FRAME; // also a cgo frame: a C function name without parentheses
		else
			prev = K_OTHER;
	}
}

/* ---- lines broken by word wrap (mail, chat, editors) ---- */

/* Only " +0x…", "fp=0x…", "sp=0x…", "pc=0x…" fields: the end of a location line. */
static bool loc_tail_only(const char *s, size_t n)
{
	size_t i = 0;
	bool any = false;
	while (i < n) {
		while (i < n && s[i] == ' ')
			i++;
		if (i >= n)
			break;
		if (s[i] == '+')
			i++;
		else if (n - i >= 3 && s[i + 2] == '=' &&
		         (!memcmp(s + i, "fp", 2) || !memcmp(s + i, "sp", 2) ||
		          !memcmp(s + i, "pc", 2)))
			i += 3;
		else
			return false;
		if (n - i < 3 || s[i] != '0' || s[i + 1] != 'x' || !is_hex(s[i + 2]))
			return false;
		i += 2;
		while (i < n && is_hex(s[i]))
			i++;
		any = true;
	}
	return any;
}

/* A pprof record's "# labels: {…}" line cut before its '}'. */
static bool pprof_labels_open(const char *s, size_t n)
{
	while (n && is_space(s[n - 1]))
		n--;
	return n > 11 && s[0] == '#' && memmem(s, n < 16 ? n : 16, "labels: {", 9) &&
	       s[n - 1] != '}';
}

/* "0x… 0x…": the rest of a pprof record's pc list. */
static bool pcs_only(const char *s, size_t n)
{
	if (n < 3 || s[0] != '0' || s[1] != 'x')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_hex(s[i]) && s[i] != 'x' && s[i] != ' ')
			return false;
	return true;
}

/* A pprof debug=1 frame line ("#\t0xPC\tNAME+0xOFF\tFILE:LINE") cut before its ":LINE". */
static bool pprof_frame_open(const char *s, size_t n)
{
	while (n && is_space(s[n - 1]))
		n--;
	if (!pprof_line(s, n) || pprof_head(s, n) || memmem(s, n, "labels:", 7))
		return false;
	size_t d = n;
	while (d && is_digit(s[d - 1]))
		d--;
	return !(d < n && d && s[d - 1] == ':');
}

/* "pkg.F(args" cut before its ')': a Go function line's start. */
static bool func_start(const char *s, size_t n)
{
	while (n && is_space(s[n - 1]))
		n--;
	if (n < 3 || s[n - 1] == ')' || !(is_alnum(s[0]) || s[0] == '_'))
		return false;
	const char *lp = memchr(s, '(', n);
	if (!lp || lp == s)
		return false;
	size_t nl = (size_t)(lp - s);
	return memchr(s, '.', nl) && !memchr(s, ' ', nl);
}

/*
 * Whether line b (trimmed) is the rest of line a (trimmed) cut by a word wrap: a function
 * line without its ')' continued by what can't start a line, a location continued by its
 * fp=/sp=/pc= fields, a header continued to its ':'.
 */
static bool word_wrapped(const char *a, size_t an, const char *b, size_t bn)
{
	if (!bn || !an || is_space(b[0]))
		return false;
	if (pprof_frame_open(a, an))
		return !starts_line(b, bn) && !header_like(b, bn);
	if (pprof_head(a, an))
		return pcs_only(b, bn);
	if (pprof_labels_open(a, an))
		return !starts_line(b, bn) && !header_like(b, bn);
	if (func_start(a, an))
		return !starts_line(b, bn) && !loc_like(b, bn) && !header_like(b, bn);
	if (loc_like(a, an))
		return loc_tail_only(b, bn);
	if (header_opens(a, an) && a[an - 1] != ':')
		return !starts_line(b, bn) && !loc_like(b, bn) && memchr(b, ':', bn);
	return false;
}

static void rejoin_words(struct work *w)
{
	size_t out = 0;
	for (size_t i = 0; i < w->l.len && !w->nomem;) {
		struct ln cur = w->l.v[i];
		size_t j = i + 1;
		size_t an;
		const char *a = trim(&cur, &an);
		for (; j < w->l.len && j - i < MAX_JOIN; j++) {
			size_t bn;
			const char *b = trim(&w->l.v[j], &bn);
			if (!bn && w->l.v[j].n && pprof_frame_open(a, an))
				continue; // the blanks a wrap left of a profile line's tab padding
			if (!word_wrapped(a, an, b, bn) || an + bn + 1 > MAX_LINE)
				break;
			// Blanks a terminal's copy left after the piece are not the text's.
			while (an && is_space(a[an - 1]))
				an--;
			// The wrap ate the blank at the break: Go separates arguments with ", " and
			// fields with " ".
			// A location cut before its line number ("main.go:" "75") or a pprof frame
			// inside its path ("pprofdump/" "main.go:75") was a console's cut, not at a
			// blank
			// ("#", its pc, its function, then the path: one word).
			size_t words = 0;
			for (size_t k = 0; k < an; k++)
				words += !is_space(a[k]) && (k == 0 || is_space(a[k - 1]));
			bool in_path = words >= 4 && pprof_frame_open(a, an);
			bool blank = !is_space(a[an - 1]) &&
			             !(a[an - 1] == ':' && is_digit(b[0])) && !in_path &&
			             (a[an - 1] == ',' || loc_like(a, an) || header_like(a, an) ||
			              pprof_frame_open(a, an) || pprof_head(a, an) ||
			              pprof_labels_open(a, an));
			char *nb = own(w, an + blank + bn);
			if (!nb)
				break;
			memcpy(nb, a, an);
			if (blank)
				nb[an] = ' ';
			memcpy(nb + an + blank, b, bn);
			a = nb;
			an += blank + bn;
		}
		if (j > i + 1) {
			cur.s = a;
			cur.n = an;
		}
		w->l.v[out++] = cur;
		i = j;
	}
	if (!w->nomem)
		w->l.len = out;
}

/* ---- the quick look ---- */

#define ELLIPSIS "\xe2\x80\xa6" /* U+2026 in UTF-8 */
/* U+2026's bytes shown as Windows-1252 ("\u00e2\u20ac\u00a6"), in UTF-8 */
#define ELLIPSIS_1252 "\xc3\xa2\xe2\x82\xac\xc2\xa6"

struct look {
	bool cr, json, prefixed, indent, doubled, echo, reversed, wrapped, words, trailing, html,
	    ublank, doc, ellipsis, ansi, qp, octal, stars, stamps, oneline, joined, mojibake,
	    respace;
};

static bool json_line(const char *s, size_t n)
{
	size_t e = n;
	while (e && (is_space(s[e - 1]) || s[e - 1] == '\r'))
		e--;
	size_t b = record_lead(s, e); // after a quote's or cat -n's lead too
	if (e - b >= 2 && s[b] == '{' && s[e - 1] == '}' && memchr(s + b, '"', e - b))
		return true;
	return escaped_dump(s, n);
}

/* The start of a JSON record whose end the quick look does not see (the record is longer
 * than the look, or starts near its end). */
static bool json_open(const char *s, size_t n)
{
	size_t b = record_lead(s, n);
	return n - b >= 2 && s[b] == '{' && memchr(s + b, '"', n - b);
}

/* A member line of a pretty-printed record (`jq .`): "key": "…", after a lead and blanks. */
static bool json_member(const char *s, size_t n)
{
	size_t b = 0;
	while (b < n && b <= MAX_LEAD && (is_space(s[b]) || is_digit(s[b]) || s[b] == '>'))
		b++;
	if (b >= n || s[b] != '"')
		return false;
	const char *q = memchr(s + b + 1, '"', n - b - 1);
	return q && (size_t)(s + n - q) > 4 && q[1] == ':' && q[2] == ' ' && q[3] == '"';
}

/* Whether the line shows a dump's words inside a record (or a record's member). */
static bool record_words(const char *s, size_t n)
{
	return memmem(s, n, "goroutine ", 10) || memmem(s, n, "\\t", 2) ||
	       memmem(s, n, "DATA RACE", 9);
}

/*
 * A JSON log that a paste layer hid from the quick look (HTML entities for its quotes,
 * colours of `jq -C` inside it): once that layer is gone, a record or a pretty-printed
 * record's member in the first LOOK_LIMIT bytes shows a dump's words.
 */
static bool json_relook(const struct work *w)
{
	size_t seen = 0;
	for (size_t i = 0; i < w->l.len && seen < LOOK_LIMIT; i++) {
		const struct ln *l = &w->l.v[i];
		seen += l->n + 1;
		if ((json_line(l->s, l->n) || json_member(l->s, l->n)) && record_words(l->s, l->n))
			return true;
	}
	return false;
}

/* A runtime line followed by blanks a terminal or an editor added ("goroutine 1 [running]:   "):
 * the parser reads the runtime's lines to their exact end. */
static bool trailing_blanks(const char *s, size_t n)
{
	while (n && s[n - 1] == '\r')
		n--;
	for (size_t k; (k = blank_before(s, n)) != 0;)
		n -= k;
	size_t b = 0;
	for (size_t k; (k = blank_at(s + b, n - b)) != 0;)
		b += k;
	return n > b &&
	       (header_like(s + b, n - b) || func_like(s + b, n - b) || loc_like(s + b, n - b) ||
	        starts(s + b, n - b, "created by ") || pprof_line(s + b, n - b));
}

/* The character an HTML entity at s stands for, and its length in *len; 0 when none. Only
 * what an escaped dump holds: &lt; &gt; &amp; &quot; &apos; &nbsp; and numeric ASCII. */
static char entity(const char *s, size_t n, size_t *len)
{
	static const struct {
		const char *name;
		char c;
	} named[] = {{"&lt;", '<'},   {"&gt;", '>'},    {"&amp;", '&'},
	             {"&quot;", '"'}, {"&apos;", '\''}, {"&nbsp;", ' '}};
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (starts(s, n, named[i].name)) {
			*len = strlen(named[i].name);
			return named[i].c;
		}
	if (n < 4 || s[0] != '&' || s[1] != '#')
		return 0;
	bool hex = s[2] == 'x' || s[2] == 'X';
	unsigned v = 0;
	size_t i = hex ? 3 : 2, st = i;
	while (i < n && i < st + 4 && (hex ? is_hex(s[i]) : is_digit(s[i]))) {
		char c = s[i++];
		v = v * (hex ? 16 : 10) + (unsigned)(is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	if (i == st || i >= n || s[i] != ';' || v < 0x20 || v > 0x7e)
		return 0;
	*len = i + 1;
	return (char)v;
}

/* Text escaped for HTML (a paste from a page's source or a ticket's export): entities for
 * '<', '>', '"' or '&', and none of those characters raw. */
static bool html_escaped(const char *s, size_t n)
{
	size_t entities = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '<' || s[i] == '>' || s[i] == '"')
			return false;
		size_t len;
		if (s[i] == '&') {
			if (!entity(s + i, n - i, &len))
				return false;
			entities++;
			i += len - 1;
		}
	}
	return entities > 0;
}

/* Unicode blanks (blank_at) as one ASCII space each, the byte-order mark dropped. */
static void plain_blanks(struct work *w)
{
	for (size_t i = 0; i < w->l.len && !w->nomem; i++) {
		struct ln *l = &w->l.v[i];
		size_t j = 0;
		while (j < l->n &&
		       !((unsigned char)l->s[j] >= 0xc2 && blank_at(l->s + j, l->n - j) > 1))
			j++;
		if (j == l->n)
			continue;
		char *b = own(w, l->n);
		if (!b)
			return;
		memcpy(b, l->s, j);
		size_t o = j, k;
		for (; j < l->n; j++) {
			if ((unsigned char)l->s[j] >= 0xc2 &&
			    (k = blank_at(l->s + j, l->n - j)) > 1) {
				if (l->s[j] != '\xef') // U+FEFF, the byte-order mark, is no blank
					b[o++] = ' ';
				j += k - 1;
			} else {
				b[o++] = l->s[j];
			}
		}
		l->s = b;
		l->n = o;
	}
}

/*
 * An editor's or chat tool's autocorrect turned "..." into "…" (U+2026), as an inlined
 * frame's "(...)" or the "...additional frames elided..." line show: every "…" goes back to
 * "..." (the same three bytes), panic values included, since the tool changed those too.
 */
static void plain_ellipses(struct work *w)
{
	for (size_t i = 0; i < w->l.len && !w->nomem; i++) {
		struct ln *l = &w->l.v[i];
		if (!memmem(l->s, l->n, ELLIPSIS, 3))
			continue;
		char *b = own(w, l->n);
		if (!b)
			return;
		memcpy(b, l->s, l->n);
		for (char *e; (e = memmem(b, l->n, ELLIPSIS, 3));)
			memcpy(e, "...", 3);
		l->s = b;
	}
}

/*
 * Length of the colour or erase sequence at s (ESC = s[0]), 0 when none: a control sequence
 * (CSI: ESC '[' parameters, intermediates) ending in 'm' (colours, bold, blink) or 'K'
 * (erase to the end of the line: progress output in CI logs). What logs keep from a
 * terminal. Anything else (cursor moves, clear screen, window titles) is not a log's: it is
 * left for the printers to show escaped (hostile text).
 */
static size_t escape_len(const char *s, size_t n)
{
	if (n < 3 || s[1] != '[')
		return 0;
	size_t i = 2;
	while (i < n && s[i] >= 0x20 && s[i] <= 0x3f)
		i++;
	return i < n && (s[i] == 'm' || s[i] == 'K') ? i + 1 : 0;
}

/*
 * What a sequence starting at s (s[0] its lead byte) stands for: its length, 0 when s starts
 * none; *c the byte it becomes, 0 when it goes.
 */
typedef size_t sequence_fn(const char *s, size_t n, char *c);

/* Every line holding lead with its sequences replaced (a copy of it; other lines stay). */
static void replace_sequences(struct work *w, char lead, sequence_fn *seq)
{
	for (size_t i = 0; i < w->l.len && !w->nomem; i++) {
		struct ln *l = &w->l.v[i];
		if (!memchr(l->s, lead, l->n))
			continue;
		char *b = own(w, l->n);
		if (!b)
			return;
		size_t o = 0, len;
		for (size_t j = 0; j < l->n; j++) {
			char c = 0;
			if (l->s[j] == lead && (len = seq(l->s + j, l->n - j, &c)) != 0) {
				if (c)
					b[o++] = c;
				j += len - 1;
			} else {
				b[o++] = l->s[j];
			}
		}
		l->s = b;
		l->n = o;
	}
}

static size_t escape_seq(const char *s, size_t n, char *c)
{
	*c = 0;
	return escape_len(s, n);
}

/* Colour and erase sequences removed: a log captured from a terminal or a CI runner keeps
 * the colours of a logger, of `go test` wrappers and of docker compose. No traceback has
 * an ESC in it. */
static void plain_escapes(struct work *w)
{
	replace_sequences(w, '\x1b', escape_seq);
}

static int hex_digit(char c)
{
	return is_digit(c) ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/*
 * Text in a mail's quoted-printable encoding (a bug report sent by mail, the raw message
 * pasted): every '=' starts "=XX" (a byte in upper-case hex: "=09" a tab, "=3D" '=') or ends
 * a line ("=" at the end: a soft break, the line goes on in the next). Runtime text never
 * passes: "fp=0x…", "m=0" have an '=' before no hex pair. At least one soft break or one
 * escape only an encoder writes (a tab "=09", a space "=20", '=' "=3D", a byte of UTF-8):
 * "errno=11" in "runtime: failed to create new OS thread (have 9 already; errno=11)" is
 * text, not the byte 0x11.
 */
static bool quoted_printable(const char *s, size_t n)
{
	size_t encoded = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '=')
			continue;
		int hi, lo;
		if (i + 1 == n || s[i + 1] == '\n' ||
		    (s[i + 1] == '\r' && i + 2 < n && s[i + 2] == '\n')) {
			encoded++;
		} else if (i + 2 < n && (hi = hex_digit(s[i + 1])) >= 0 &&
		           (lo = hex_digit(s[i + 2])) >= 0) {
			int b = hi << 4 | lo;
			encoded += b == 0x09 || b == 0x20 || b == 0x3d || b >= 0x80;
			i += 2;
		} else if (i + 2 >= n) { // cut at the end of the look
			break;
		} else {
			return false;
		}
	}
	return encoded > 0;
}

/* Quoted-printable decoded: soft breaks joined, "=XX" as its byte. */
static void decode_qp(struct work *w)
{
	size_t out = 0;
	for (size_t i = 0; i < w->l.len && !w->nomem;) {
		size_t j = i, total = 0;
		while (j + 1 < w->l.len && w->l.v[j].n && w->l.v[j].s[w->l.v[j].n - 1] == '=' &&
		       j - i < MAX_JOIN)
			total += w->l.v[j++].n;
		total += w->l.v[j].n;
		char *b = own(w, total);
		if (!b)
			return;
		size_t o = 0;
		for (size_t k = i; k <= j; k++) {
			const struct ln *l = &w->l.v[k];
			size_t n = l->n;
			if (n && l->s[n - 1] == '=') // a soft break (also one ending the text)
				n--;
			for (size_t c = 0; c < n; c++) {
				int hi, lo;
				if (l->s[c] == '=' && c + 2 < n &&
				    (hi = hex_digit(l->s[c + 1])) >= 0 &&
				    (lo = hex_digit(l->s[c + 2])) >= 0) {
					b[o++] = (char)(hi << 4 | lo);
					c += 2;
				} else {
					b[o++] = l->s[c];
				}
			}
		}
		struct ln joined = w->l.v[i];
		joined.s = b;
		joined.n = o;
		w->l.v[out++] = joined;
		i = j + 1;
	}
	w->l.len = out;
}

/*
 * rsyslog's escape of a control character ('#' and three octal digits: "#011" a tab,
 * "#033" ESC, "#015" CR), as /var/log/syslog and /var/log/messages show a program's stderr
 * by default ($EscapeControlCharactersOnReceive): every location line of a traceback
 * starts with "#011". The CR goes (a line end).
 */
static size_t octal_seq(const char *s, size_t n, char *c)
{
	if (n < 4 || s[1] != '0' || s[2] < '0' || s[2] > '3' || s[3] < '0' || s[3] > '7')
		return 0;
	int v = (s[2] - '0') * 8 + (s[3] - '0');
	if (v != '\t' && v != 0x1b && v != '\r')
		return 0;
	*c = v == '\r' ? 0 : (char)v;
	return 4;
}

/* Text whose tabs rsyslog turned into "#011": two or more, and no tab left. */
static bool syslog_octal(const char *s, size_t n)
{
	if (memchr(s, '\t', n))
		return false;
	const char *p = memmem(s, n, "#011", 4);
	return p && memmem(p + 4, (size_t)(s + n - p - 4), "#011", 4);
}

static size_t entity_seq(const char *s, size_t n, char *c)
{
	size_t len;
	*c = entity(s, n, &len);
	return *c ? len : 0;
}

static void unescape_html(struct work *w)
{
	replace_sequences(w, '&', entity_seq);
}

/*
 * The name of a function line s[0..n) (before its arguments), or of "created by F …" (F
 * and what follows): [*from, *to) of s; false when s is neither.
 */
static bool name_part(const char *s, size_t n, size_t *from, size_t *to)
{
	if (starts(s, n, "created by ")) {
		*from = 11;
		*to = n;
		return true;
	}
	const char *lp = n && s[n - 1] == ')' ? memrchr(s, '(', n - 1) : NULL;
	*from = 0;
	*to = lp ? (size_t)(lp - s) : 0;
	return lp != NULL;
}

/*
 * Whether the receiver type at p[0..n) (after ".(") lost its '*': it goes on to a ')' then
 * a '.', with no blank, and does not start with '*'. A rendered Markdown page (an issue or a
 * chat message copied from the screen, not from its source) takes the stars of
 * "main.(*Server).Serve" two by two as emphasis. The runtime prints a pointer receiver
 * "(*T)" and a value receiver without parentheses ("main.T.M"), so a parenthesized
 * receiver without '*' has lost it.
 */
static bool star_eaten(const char *p, size_t n)
{
	if (!n || *p == '*' || *p == '.' || *p == ')')
		return false;
	const char *rp = memchr(p, ')', n);
	return rp && rp + 1 < p + n && rp[1] == '.' && !memchr(p, ' ', (size_t)(rp - p));
}

/* Whether the trimmed line s[0..n) has a receiver that lost its '*'. */
static bool eaten_star(const char *s, size_t n)
{
	size_t from, to;
	if (!name_part(s, n, &from, &to))
		return false;
	for (size_t j = from + 1; j + 1 < to; j++)
		if (s[j] == '(' && s[j - 1] == '.' && star_eaten(s + j + 1, to - j - 1))
			return true;
	return false;
}

/* Every receiver that lost its '*' (star_eaten) gets it back, up to 16 in a line. */
static void restore_stars(struct work *w)
{
	enum { MAX_STARS = 16 };
	for (size_t i = 0; i < w->l.len && !w->nomem; i++) {
		struct ln *l = &w->l.v[i];
		size_t n, from, to;
		const char *s = trim(l, &n);
		if (!eaten_star(s, n) || !name_part(s, n, &from, &to))
			continue;
		char *b = own(w, l->n + MAX_STARS);
		if (!b)
			return;
		size_t lead = (size_t)(s - l->s), o = lead, added = 0;
		memcpy(b, l->s, lead);
		for (size_t j = 0; j < n; j++) {
			b[o++] = s[j];
			if (j > from && j + 1 < to && s[j] == '(' && s[j - 1] == '.' &&
			    added < MAX_STARS && star_eaten(s + j + 1, to - j - 1)) {
				b[o++] = '*';
				added++;
				// An HTML-to-text converter wrote the emphasis back as '_': "(_T)".
				if (s[j + 1] == '_' && j + 2 < to &&
				    ((s[j + 2] | 0x20) >= 'a' && (s[j + 2] | 0x20) <= 'z'))
					j++;
			}
		}
		l->s = b;
		l->n = o;
	}
}

/* ---- blanks lost or added inside the runtime's lines ---- */

/*
 * Where the blank after "panic:" or "fatal error:" goes when it was lost
 * ("panic:runtime error: …", a log shipper's or a chat tool's squeeze), past the line's
 * indentation; 0 when none was lost.
 */
static size_t lost_blank(const char *s, size_t n)
{
	size_t b = 0;
	while (b < n && s[b] == '\t')
		b++;
	static const char *const heads[] = {"panic:", "fatal error:"};
	for (size_t i = 0; i < 2; i++) {
		size_t l = strlen(heads[i]);
		if (n - b > l && !memcmp(s + b, heads[i], l) && !is_space(s[b + l]))
			return b + l;
	}
	return 0;
}

/*
 * A goroutine header typed with irregular blanks ("goroutine 1[running]:", "goroutine  1
 * [running] :"): the length of its "goroutine N" id part in *id_end and where its "[" is,
 * 0 when s is no such line (a regular header is none).
 */
static size_t irregular_header(const char *s, size_t n, size_t *id_end)
{
	if (n < 13 || memcmp(s, "goroutine", 9))
		return 0;
	size_t i = 9;
	while (i < n && is_space(s[i]))
		i++;
	size_t d = i;
	while (i < n && is_digit(s[i]))
		i++;
	if (i == d || i - d > 20)
		return 0;
	*id_end = i;
	size_t blanks = 0;
	while (i < n && is_space(s[i]))
		i++, blanks++;
	if (i >= n || s[i] != '[' || s[n - 1] != ':')
		return 0;
	size_t close = n - 1;
	while (close > i && is_space(s[close - 1]))
		close--;
	if (close <= i || s[close - 1] != ']')
		return 0;
	bool regular = d == 10 && s[9] == ' ' && blanks == 1 && close == n - 1;
	return regular ? 0 : i;
}

static bool respaced(const char *s, size_t n)
{
	size_t id;
	return lost_blank(s, n) || irregular_header(s, n, &id);
}

/* The lost blank put back, the header's blanks made the runtime's. */
static void respace(struct work *w)
{
	for (size_t i = 0; i < w->l.len && !w->nomem; i++) {
		struct ln *l = &w->l.v[i];
		size_t at = lost_blank(l->s, l->n), id = 0, open;
		if (at) {
			char *b = own(w, l->n + 1);
			if (!b)
				return;
			memcpy(b, l->s, at);
			b[at] = ' ';
			memcpy(b + at + 1, l->s + at, l->n - at);
			l->s = b;
			l->n++;
		} else if ((open = irregular_header(l->s, l->n, &id)) != 0) {
			size_t d = 9;
			while (is_space(l->s[d]))
				d++;
			size_t close = l->n - 1;
			while (is_space(l->s[close - 1]))
				close--;
			// "goroutine " id " " "[…]" ":"
			size_t len = 10 + (id - d) + 1 + (close - open) + 1;
			char *b = own(w, len);
			if (!b)
				return;
			memcpy(b, "goroutine ", 10);
			memcpy(b + 10, l->s + d, id - d);
			b[10 + id - d] = ' ';
			memcpy(b + 11 + id - d, l->s + open, close - open);
			b[len - 1] = ':';
			l->s = b;
			l->n = len;
		}
	}
}

/* ---- mojibake ---- */

/*
 * UTF-8 read as Windows-1252 (or Latin-1) and written out again as UTF-8, as a journal
 * viewer, a terminal or a ticket's export did it: the runtime's "runtime·unlock" (U+00B7,
 * C2 B7) shows as "runtime\u00c2\u00b7unlock", "…" as "\u00e2\u20ac\u00a6". Also the
 * escape "\u00b7" of an ASCII-only writer (Python's json.dumps, Go's %+q) left in the text.
 */

/* The byte Windows-1252 (Latin-1 where it leaves a hole) shows as the character at s: its
 * length, 0 when the character is no such byte ≥ 0x80. */
static size_t cp1252_byte(const char *s, size_t n, unsigned char *b)
{
	static const unsigned short high[32] = {
	    0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160,
	    0x2039, 0x0152, 0x008d, 0x017d, 0x008f, 0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022,
	    0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178};
	const unsigned char *u = (const unsigned char *)s;
	unsigned cp;
	size_t len;
	if (n >= 2 && u[0] >= 0xc2 && u[0] <= 0xdf && (u[1] & 0xc0) == 0x80) {
		cp = (u[0] & 0x1fu) << 6 | (u[1] & 0x3fu);
		len = 2;
	} else if (n >= 3 && (u[0] & 0xf0) == 0xe0 && (u[1] & 0xc0) == 0x80 &&
	           (u[2] & 0xc0) == 0x80) {
		cp = (u[0] & 0x0fu) << 12 | (u[1] & 0x3fu) << 6 | (u[2] & 0x3fu);
		len = 3;
	} else {
		return 0;
	}
	if (cp >= 0xa0 && cp <= 0xff) {
		*b = (unsigned char)cp;
		return len;
	}
	for (unsigned i = 0; i < 32; i++)
		if (high[i] == cp) {
			*b = (unsigned char)(0x80 + i);
			return len;
		}
	return 0;
}

/* The length of a UTF-8 character that was shown as Windows-1252 at s, its bytes in
 * b[0..*bn); 0 when s starts none. */
static size_t mojibake_at(const char *s, size_t n, unsigned char b[4], size_t *bn)
{
	unsigned char lead;
	size_t at = cp1252_byte(s, n, &lead);
	if (!at || lead < 0xc2 || lead > 0xf4)
		return 0;
	size_t need = lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : 1;
	b[0] = lead;
	for (size_t k = 1; k <= need; k++) {
		size_t l = cp1252_byte(s + at, n - at, &b[k]);
		if (!l || (b[k] & 0xc0) != 0x80)
			return 0;
		at += l;
	}
	if ((lead == 0xe0 && b[1] < 0xa0) || (lead == 0xf0 && b[1] < 0x90) ||
	    (lead == 0xed && b[1] >= 0xa0) || (lead == 0xf4 && b[1] >= 0x90))
		return 0; // overlong, a surrogate or past U+10FFFF: no UTF-8 would be written so
	*bn = need + 1;
	return at;
}

/* The character of an escape "\uXXXX" at s (not ASCII, not a surrogate) as UTF-8 in b: the
 * escape's length, 0 when s starts none. */
static size_t uescape_at(const char *s, size_t n, unsigned char b[4], size_t *bn)
{
	if (n < 6 || s[0] != '\\' || s[1] != 'u')
		return 0;
	unsigned cp = 0;
	for (size_t i = 2; i < 6; i++) {
		if (!is_hex(s[i]))
			return 0;
		cp = cp << 4 | (unsigned)(is_digit(s[i]) ? s[i] - '0' : (s[i] | 0x20) - 'a' + 10);
	}
	if (cp < 0x80 || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	if (cp < 0x800) {
		b[0] = (unsigned char)(0xc0 | cp >> 6);
		b[1] = (unsigned char)(0x80 | (cp & 0x3f));
		*bn = 2;
	} else {
		b[0] = (unsigned char)(0xe0 | cp >> 12);
		b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp & 0x3f));
		*bn = 3;
	}
	return 6;
}

/*
 * An escape inside a name ("runtime\u00b7unlock"): after a letter, digit, '_' or '.'. The
 * runtime writes "\u00e9" itself in a label's quoted value (labels:{"user": "\u00e9"}),
 * after a quote; a JSON record's own escapes are its decoder's.
 */
static bool name_escape(const char *line, const char *at)
{
	return at > line && (is_alnum(at[-1]) || at[-1] == '_' || at[-1] == '.');
}

/* Whether the text shows mojibake or "\uXXXX" escapes of characters beyond ASCII. */
static bool mojibake(const char *s, size_t n)
{
	unsigned char b[4];
	size_t bn;
	for (const char *p = s, *end = s + n; (p = memchr(p, 0xc3, (size_t)(end - p))); p++)
		if (mojibake_at(p, (size_t)(end - p), b, &bn))
			return true;
	for (const char *p = s, *end = s + n; (p = memmem(p, (size_t)(end - p), "\\u", 2)); p++)
		if (name_escape(s, p) && uescape_at(p, (size_t)(end - p), b, &bn))
			return true;
	return false;
}

static void plain_mojibake(struct work *w)
{
	for (size_t i = 0; i < w->l.len && !w->nomem; i++) {
		struct ln *l = &w->l.v[i];
		if (!mojibake(l->s, l->n))
			continue;
		bool json = json_line(l->s, l->n);
		char *o = own(w, l->n);
		if (!o)
			return;
		size_t on = 0;
		for (size_t j = 0; j < l->n;) {
			unsigned char b[4];
			size_t bn = 0, len = mojibake_at(l->s + j, l->n - j, b, &bn);
			if (!len && !json && name_escape(l->s, l->s + j))
				len = uescape_at(l->s + j, l->n - j, b, &bn);
			if (len) { // each form is longer than the bytes it stands for
				memcpy(o + on, b, bn);
				on += bn;
				j += len;
			} else {
				o[on++] = l->s[j++];
			}
		}
		l->s = o;
		l->n = on;
	}
}

/* What the first LOOK_LIMIT bytes show. Clean runtime text shows nothing. */
static void quick_look(const char *data, size_t len, struct look *k)
{
	size_t scan = len < LOOK_LIMIT ? len : LOOK_LIMIT;
	memset(k, 0, sizeof(*k));
	k->cr = memchr(data, '\r', scan) != NULL;
	size_t maxw = 0, at_max = 0, fwd = 0, rev = 0, stamps = 0, lines = 0, records = 0;
	struct ln prev2 = {0}, prev = {0};
	const char *end = data + scan;
	for (const char *s = data; s < end;) {
		const char *e = memchr(s, '\n', (size_t)(end - s));
		size_t n = e ? (size_t)(e - s) : (size_t)(end - s);
		struct ln cur = {s, n, 0, 0, false, false, 0, 0, 0, false, 0};
		// A record the look cuts (a stack of a few thousand goroutines in one record)
		// is judged by what it shows.
		bool record = n && (json_line(s, n) || (!e && scan < len && json_open(s, n)));
		if (!k->json && n > 8 && (s[0] == '{' || (s[0] >= 'a' && s[0] <= 'z')) &&
		    cut_string(s, n))
			k->json = true; // a record cut inside the dump's string
		records += record;
		// A record a console wrapped shows its start: its end is on later lines.
		if (!k->json && (record || (n > 6 && (json_member(s, n) || json_open(s, n)))) &&
		    record_words(s, n))
			k->json = true;
		if (n >= 2 && s[0] == '^' && (s[1] == '\\' || s[1] == 'C'))
			k->echo = true;
		if (n > 11 && !k->echo && memmem(s, n, "^\\SIGQUIT: ", 11))
			k->echo = true; // after a shell's prompt ("/ # ^\SIGQUIT: quit")
		if (!k->stars && n > 4 && func_like(cur.s, n)) {
			size_t tn;
			const char *t = trim(&cur, &tn);
			k->stars = eaten_star(t, tn);
		}
		if (!k->trailing && n && (blank_before(s, n) || s[n - 1] == '\r'))
			k->trailing = trailing_blanks(s, n);
		if (!k->prefixed && n > 10 && prefix_len(s, n) > 0)
			k->prefixed = true;
		size_t ltag, ltn; // an Android log, though no header shows (logcat_cuts)
		if (!k->prefixed && lines < 4 && n > 10 && logcat_head(s, n, &ltag, &ltn))
			k->prefixed = true;
		bool cerr, cpart = false; // a CRI piece: a header may be cut in two (join_cri)
		if (!k->prefixed && n >= 20 && is_digit(s[0]) && cri_head(s, n, &cerr, &cpart) &&
		    cpart)
			k->prefixed = true;
		if (!k->respace && n > 6 &&
		    (s[0] == 'g' || s[0] == 'p' || s[0] == 'f' || (s[0] == '\t' && s[1] == 'p')))
			k->respace = respaced(s, n);
		lines += n > 0;
		stamps += n > 0 && n < 64 && stamp_only(s, n);
		if (!k->joined && n >= 160 && !record)
			k->joined = gpm_dump_joined_line(s, n);
		if (!k->oneline && n > 8 && s[n - 1] != ':' && memmem(s, n, ".go:", 4)) {
			size_t tn;
			const char *t = trim(&cur, &tn);
			k->oneline = frame_loc(t, tn) != 0;
		}
		size_t dw = display_width(s, n);
		if (dw > maxw) {
			maxw = dw;
			at_max = 0;
		}
		at_max += dw == maxw;
		if (prev.s) {
			bool pf = line_func(&prev), cl = n && line_loc(&cur);
			if (pf && cl && !(n > 1 && s[0] == '\t' && !is_space(s[1])))
				k->indent = true; // a location not indented by exactly one tab
			int po = pprof_order(prev.s, prev.n, s, n);
			if ((header_like(prev.s, prev.n) && n && line_func(&cur)) || po > 0)
				fwd++;
			else if ((pf && header_like(s, n)) || po < 0)
				rev++;
			if (prev2.s && starts(prev2.s, prev2.n, "created by ") && n &&
			    line_func(&cur))
				rev++; // "created by" over its location over the next frame:
				       // reversed
			else if (prev2.s && line_func(&prev2) && starts(s, n, "created by "))
				fwd++;
			if ((!prev.n || (is_space(prev.s[0]) && line_empty(&prev))) && prev2.s &&
			    line_func(&prev2) && cl)
				k->doubled = true;
			if (!k->words && n && prev.n) {
				size_t an, bn;
				const char *a = trim(&prev, &an), *b = trim(&cur, &bn);
				k->words = word_wrapped(a, an, b, bn);
			}
		}
		prev2 = prev;
		prev = cur;
		s = e ? e + 1 : end;
	}
	if ((rev >= 2 && rev > 2 * fwd) || (rev == 1 && fwd == 0))
		k->reversed = true;
	// A JSON log that goes on past the look, every line a record so far: the crash's
	// record is later (a service logs for hours before it). Its records are decoded when
	// a dump's words come after the look at all.
	// A log of other lines whose dump, escaped in one record (logfmt's trace="…"), comes
	// after the look: looked for only when the look shows no goroutine at all (a plain
	// dump shows its first header long before).
	if (!k->json && scan < len) {
		const char *rest = data + scan;
		size_t rn = len - scan;
		if (lines >= 8 && records * 10 >= lines * 9)
			k->json =
			    memmem(rest, rn, "goroutine ", 10) || memmem(rest, rn, "DATA RACE", 9);
		else if (!memmem(data, scan, "goroutine ", 10))
			k->json = memmem(rest, rn, "\\ngoroutine ", 12) ||
			          memmem(rest, rn, "\"goroutine ", 11) ||
			          memmem(rest, rn, "\\nWARNING: DATA RACE", 20);
	}
	k->stamps = stamps >= 3 && stamps * 3 >= lines;
	k->html = html_escaped(data, scan);
	for (const char *esc = data;
	     !k->ansi && (esc = memchr(esc, '\x1b', (size_t)(data + scan - esc))); esc++)
		k->ansi = escape_len(esc, (size_t)(data + scan - esc)) != 0;
	k->qp = quoted_printable(data, scan);
	k->octal = syslog_octal(data, scan);
	if (k->octal && memmem(data, scan, "#033[", 5))
		k->ansi = true;
	size_t b = 0;
	while (b < scan && (is_space(data[b]) || data[b] == '\n' || data[b] == '\r'))
		b++;
	// A JSON document is decoded whole: only one that holds a dump near its start.
	size_t far = len < SCAN_LIMIT ? len : SCAN_LIMIT;
	k->doc = b < scan && (data[b] == '[' || data[b] == '{') &&
	         (memmem(data, far, "goroutine ", 10) || memmem(data, far, "DATA RACE", 9));
	for (size_t i = 0; i < scan && !k->ublank; i++)
		k->ublank = (unsigned char)data[i] >= 0xc2 && blank_at(data + i, scan - i) > 1;
	k->mojibake = mojibake(data, scan);
	k->ellipsis = memmem(data, scan, "(" ELLIPSIS ")", 5) ||
	              memmem(data, scan, ELLIPSIS "additional frames elided", 27) ||
	              memmem(data, scan, " frames elided" ELLIPSIS, 17) ||
	              (k->mojibake && (memmem(data, scan, "(" ELLIPSIS_1252 ")", 9) ||
	                               memmem(data, scan, ELLIPSIS_1252 "additional", 17)));
	if (maxw < MIN_WRAP || maxw > MAX_WRAP || at_max < 3)
		return;
	// Lines exactly as wide as the widest: a console wrap only if a third of them were cut
	// (as wrap_width will require: one long line repeated by goroutines on one stack is
	// as wide as the widest many times).
	size_t cut = 0;
	for (const char *s = data; s < end;) {
		const char *e = memchr(s, '\n', (size_t)(end - s));
		size_t n = e ? (size_t)(e - s) : (size_t)(end - s);
		if (e && display_width(s, n) == maxw) {
			const char *e2 = memchr(e + 1, '\n', (size_t)(end - e - 1));
			size_t n2 = e2 ? (size_t)(e2 - e - 1) : (size_t)(end - e - 1);
			cut += continues(s, n, e + 1, n2, NULL);
		}
		s = e ? e + 1 : end;
	}
	k->wrapped = cut && cut * 3 >= at_max;
}

static void strip_echo(struct work *w)
{
	for (size_t i = 0; i < w->l.len; i++) {
		struct ln *l = &w->l.v[i];
		// The terminal's echo of Ctrl-\ or Ctrl-C before the runtime's first line, and
		// the shell's prompt before it ("/ # ^\SIGQUIT: quit" of `docker run -t`).
		const char *q = l->n > 11 ? memmem(l->s, l->n, "^\\SIGQUIT: ", 11) : NULL;
		if (q) {
			l->n -= (size_t)(q - l->s);
			l->s = q;
		}
		while (l->n >= 2 && l->s[0] == '^' && (l->s[1] == '\\' || l->s[1] == 'C')) {
			l->s += 2;
			l->n -= 2;
		}
	}
}

void gpm_dump_clean_deinit(struct gpm_dump_clean *c)
{
	free(c->text);
	free(c->line_map);
	free(c->line_time);
	free(c->host);
	memset(c, 0, sizeof(*c));
}

/* Whether the lines are still the input's own, whole and in order: the quick look suspected
 * a treatment (a console wrap at the width many lines share) that no pass then found, and
 * a copy of the text would cost a pass over it for nothing. */
static bool unchanged(const struct work *w, const char *data, size_t len)
{
	const char *p = data, *end = data + len;
	for (size_t i = 0; i < w->l.len; i++) {
		const struct ln *l = &w->l.v[i];
		if (l->s != p || l->tabs || l->stamp || l->n > (size_t)(end - p))
			return false;
		p += l->n;
		if (p < end && *p++ != '\n')
			return false;
	}
	return p == end && !w->host;
}

static bool finish(struct work *w, struct gpm_dump_clean *out)
{
	size_t total = 0;
	for (size_t i = 0; i < w->l.len; i++)
		total += w->l.v[i].n + w->l.v[i].tabs + 1;
	char *t = malloc(total ? total : 1);
	uint32_t *map = malloc((w->l.len ? w->l.len : 1) * sizeof(*map));
	int64_t *times = calloc(w->l.len ? w->l.len : 1, sizeof(*times));
	if (!t || !map || !times) {
		free(t);
		free(map);
		free(times);
		w->nomem = true;
		return false;
	}
	size_t off = 0;
	for (size_t i = 0; i < w->l.len; i++) {
		const struct ln *l = &w->l.v[i];
		for (unsigned k = 0; k < l->tabs; k++)
			t[off++] = '\t';
		memcpy(t + off, l->s, l->n);
		off += l->n;
		if (!w->cut || i + 1 < w->l.len)
			t[off++] = '\n';
		map[i] = l->orig;
		times[i] = l->stamp;
		if (l->stamp && (!out->first_time || l->stamp < out->first_time))
			out->first_time = l->stamp;
		if (l->stamp > out->last_time)
			out->last_time = l->stamp;
	}
	out->line_time = times;
	if (w->host) {
		out->host = strdup(w->host);
		if (!out->host)
			w->nomem = true;
	}
	out->text = t;
	out->len = off;
	out->line_map = map;
	out->nlines = w->l.len;
	return true;
}

/*
 * UTF-16 text: a log saved by Windows PowerShell's '>' or Out-File, by Notepad "Unicode". With
 * a byte-order mark, or without one when the first KiB is text whose every other byte is 0.
 * *be says the byte order.
 */
static bool utf16_text(const uint8_t *d, size_t n, bool *be)
{
	if (n >= 2 && ((d[0] == 0xff && d[1] == 0xfe) || (d[0] == 0xfe && d[1] == 0xff))) {
		*be = d[0] == 0xfe;
		return true;
	}
	size_t scan = (n < 1024 ? n : 1024) & ~(size_t)1, zero[2] = {0, 0};
	if (scan < 32)
		return false;
	for (size_t i = 0; i < scan; i++)
		zero[i & 1] += d[i] == 0;
	size_t half = scan / 2;
	if (zero[1] * 10 >= half * 9 && zero[0] * 10 < half) {
		*be = false;
		return true;
	}
	if (zero[0] * 10 >= half * 9 && zero[1] * 10 < half) {
		*be = true;
		return true;
	}
	return false;
}

/* UTF-16 (after its byte-order mark, if any) as UTF-8; a lone surrogate becomes U+FFFD. */
static char *utf16_to_utf8(const uint8_t *d, size_t n, bool be, size_t *out_len)
{
	size_t i =
	    n >= 2 && ((d[0] == 0xff && d[1] == 0xfe) || (d[0] == 0xfe && d[1] == 0xff)) ? 2 : 0;
	char *o = malloc(n / 2 * 3 + 1);
	if (!o)
		return NULL;
	size_t k = 0;
	for (; i + 1 < n; i += 2) {
		uint32_t c = be ? (uint32_t)d[i] << 8 | d[i + 1] : (uint32_t)d[i + 1] << 8 | d[i];
		if (c >= 0xd800 && c < 0xdc00 && i + 3 < n) {
			uint32_t c2 = be ? (uint32_t)d[i + 2] << 8 | d[i + 3]
			                 : (uint32_t)d[i + 3] << 8 | d[i + 2];
			if (c2 >= 0xdc00 && c2 < 0xe000) {
				c = 0x10000 + ((c - 0xd800) << 10) + (c2 - 0xdc00);
				i += 2;
			}
		}
		if (c >= 0xd800 && c < 0xe000)
			c = 0xfffd;
		if (c < 0x80) {
			o[k++] = (char)c;
		} else if (c < 0x800) {
			o[k++] = (char)(0xc0 | c >> 6);
			o[k++] = (char)(0x80 | (c & 0x3f));
		} else if (c < 0x10000) {
			o[k++] = (char)(0xe0 | c >> 12);
			o[k++] = (char)(0x80 | (c >> 6 & 0x3f));
			o[k++] = (char)(0x80 | (c & 0x3f));
		} else { // four bytes from the two code units that held it
			o[k++] = (char)(0xf0 | c >> 18);
			o[k++] = (char)(0x80 | (c >> 12 & 0x3f));
			o[k++] = (char)(0x80 | (c >> 6 & 0x3f));
			o[k++] = (char)(0x80 | (c & 0x3f));
		}
	}
	*out_len = k;
	return o;
}

bool gpm_dump_unwrap(const char *data, size_t len, struct gpm_dump_clean *out, bool *nomem)
{
	memset(out, 0, sizeof(*out));
	*nomem = false;
	if (!data || !len)
		return false;
	bool be;
	char *wide = NULL;
	if (utf16_text((const uint8_t *)data, len, &be)) {
		wide = utf16_to_utf8((const uint8_t *)data, len, be, &len);
		if (!wide) {
			*nomem = true;
			return false;
		}
		data = wide;
		out->fixes |= GPM_UNWRAP_UTF16;
	}
	struct look k;
	quick_look(data, len, &k);
	if (!wide && !k.cr && !k.json && !k.prefixed && !k.indent && !k.doubled && !k.echo &&
	    !k.reversed && !k.wrapped && !k.words && !k.trailing && !k.html && !k.ublank &&
	    !k.doc && !k.ellipsis && !k.ansi && !k.qp && !k.octal && !k.stars && !k.stamps &&
	    !k.oneline && !k.mojibake && !k.respace)
		return false;

	struct work w = {0};
	char **slot = wide ? gpm_vec_push(&w.owned) : NULL;
	if (wide && !slot) {
		free(wide);
		*nomem = true;
		return false;
	}
	if (slot)
		*slot = wide;
	split(&w, data, len);
	bool ok = false;
	if (w.nomem)
		goto done;
	if (k.doc && json_document(&w, data, len)) {
		decode_nested(&w);
		k.json = false;
		out->fixes |= GPM_UNWRAP_JSON;
	}
	if (w.nomem)
		goto done;
	if (k.qp) {
		decode_qp(&w);
		out->fixes |= GPM_UNWRAP_QP;
	}
	if (k.octal) {
		replace_sequences(&w, '#', octal_seq);
		out->fixes |= GPM_UNWRAP_SYSLOG_OCTAL;
	}
	if (k.ansi) {
		plain_escapes(&w);
		out->fixes |= GPM_UNWRAP_ANSI;
	}
	if (k.mojibake)
		plain_mojibake(&w); // before the ellipses: "â€¦" is one
	if (k.ublank)
		plain_blanks(&w);
	if (k.ellipsis)
		plain_ellipses(&w);
	if (k.html) {
		unescape_html(&w);
		out->fixes |= GPM_UNWRAP_HTML;
	}
	if (!k.json && (k.html || k.ansi) && !w.nomem)
		k.json = json_relook(&w);
	strip_echo(&w);
	if (k.stamps && stamp_lines(w.l.v, w.l.len)) {
		unstamp(&w);
		out->fixes |= GPM_UNWRAP_PREFIX;
	}
	bool cri_cut = k.prefixed && join_cri(&w), logcat_end = false;
	if (k.prefixed && !w.nomem)
		w.logcat_cuts = logcat_cuts(&w, &w.logcat_cut, &logcat_end);
	struct prefix pre;
	learn_prefix(&w, &pre);
	// An outer layer of the prefix added after the wrap (a quote, `cat -n`) is on its pieces
	// too: it goes first, then the wrap shows behind the prefix written before it.
	if (pre.n && !w.nomem && strip_later_layer(&w, &pre))
		learn_prefix(&w, &pre);
	struct measure m;
	size_t width = wrap_width(&w, &pre, &m);
	if (width && k.json && open_record(&w))
		width = 0; // JSON records wrapped: join_record joins them
	if (width) {
		unwrap_console(&w, width, &pre, m);
		out->fixes |= GPM_UNWRAP_CONSOLE_WRAP;
	}
	// A paste cut short keeps its missing line end, so the parser sees the cut (a line end
	// inside a JSON string is the record's, not the input's).
	w.cut = (!k.json && len && data[len - 1] != '\n' && data[len - 1] != '\r') || cri_cut ||
	        logcat_end;
	if (k.json && !w.nomem) {
		decode_json(&w);
		decode_nested(&w);
		plain_escapes(&w); // a record's "\u001b[31m"
		out->fixes |= GPM_UNWRAP_JSON;
	}
	if (!w.nomem && k.joined)
		set_aside_joined(&w, &out->joined);
	if (!w.nomem) {
		size_t before = 0;
		for (size_t i = 0; i < w.l.len; i++)
			before += w.l.v[i].n;
		strip_prefix(&w);
		unquote_lines(&w);
		size_t after = 0;
		for (size_t i = 0; i < w.l.len; i++)
			after += w.l.v[i].n;
		if (after != before) {
			out->fixes |= GPM_UNWRAP_PREFIX;
			rejoin_chunks(&w);
		}
		if (w.sources > 1)
			out->fixes |= GPM_UNWRAP_INTERLEAVED;
		out->sources = w.sources;
	}
	if (!w.nomem) // once cleaned, every line: a prefix hid them from the quick look
		respace(&w);
	if (!w.nomem && k.oneline)
		split_frames(&w);
	if (!w.nomem && reversed(&w)) {
		reverse(&w);
		out->fixes |= GPM_UNWRAP_REVERSED;
	}
	if (!w.nomem && double_spaced(&w)) {
		undouble(&w);
		out->fixes |= GPM_UNWRAP_DOUBLE_SPACED;
	}
	// A wrap under a layer the paste added after it (a quote, `cat -n`, double spacing, a
	// chat tool's prefix) shows once that layer is gone; with none gone, nothing new shows.
	// (JSON records: their wrap is join_record's, before they were decoded.)
	if (!w.nomem && !width && !k.json &&
	    (out->fixes & (GPM_UNWRAP_PREFIX | GPM_UNWRAP_DOUBLE_SPACED))) {
		width = wrap_width(&w, NULL, &m);
		if (width) {
			unwrap_console(&w, width, NULL, m);
			out->fixes |= GPM_UNWRAP_CONSOLE_WRAP;
		}
	}
	if (!w.nomem)
		rejoin_words(&w);
	if (!w.nomem)
		restore_stars(&w);
	// The blanks that start lines dropped (the location lines tell; the pieces cannot:
	// a wrap at one column cuts a stack's lines at the same field).
	if (!w.nomem && w.blind_joins && !lost_indent(&w))
		w.blind_joins = 0;
	if (!w.nomem) {
		reindent(&w);
		ok = (wide || !unchanged(&w, data, len)) && finish(&w, out);
		if (ok) {
			out->cut_records = w.cut_records;
			out->cut_record = w.cut_record;
			out->logcat_cuts = w.logcat_cuts;
			out->logcat_cut = w.logcat_cut;
			out->blind_joins = w.blind_joins;
			out->blind_join = w.blind_join;
		}
	}
done:
	for (size_t i = 0; i < w.owned.len; i++)
		free(w.owned.v[i]);
	gpm_vec_free(&w.owned);
	gpm_vec_free(&w.l);
	*nomem = w.nomem;
	if (!ok)
		gpm_dump_clean_deinit(out);
	return ok;
}

/* The runtime's own crash lines, by kind (gpm_dump_crash_lines). */
enum {
	CL_FATAL = 1 << 0,   /* "fatal error: " */
	CL_PANIC = 1 << 1,   /* "panic: " (a program's log says that too: only with CL_BRACKET) */
	CL_RUNTIME = 1 << 2, /* "runtime: ", "runtime/cgo: " diagnostics */
	CL_SIGNAL = 1 << 3,  /* "SIGSEGV: segmentation violation" */
	CL_PC = 1 << 4,      /* "PC=0x… m=… sigcode=…" */
	CL_BRACKET = 1 << 5, /* "[signal SIGSEGV: … pc=0x…]" */
	CL_FRAME = 1 << 6,   /* "stack: frame={sp:…" of a traceback that went wrong */
	CL_FAULT = 1 << 7,   /* "unexpected fault address 0x…" */
};

static unsigned crash_line_kind(const char *s, size_t n)
{
	if (starts(s, n, "fatal error: ") && n > 13)
		return CL_FATAL;
	if (starts(s, n, "panic: ") && n > 7)
		return CL_PANIC;
	if ((starts(s, n, "runtime: ") && n > 9) || (starts(s, n, "runtime/cgo: ") && n > 13))
		return CL_RUNTIME;
	if (starts(s, n, "PC=0x"))
		return CL_PC;
	if (starts(s, n, "[signal ") && memmem(s, n, " pc=0x", 6))
		return CL_BRACKET;
	if (starts(s, n, "stack: frame={sp:0x"))
		return CL_FRAME;
	if (starts(s, n, "unexpected fault address 0x"))
		return CL_FAULT;
	if (starts(s, n, "SIG")) {
		size_t j = 3;
		while (j < n && s[j] >= 'A' && s[j] <= 'Z')
			j++;
		if (j > 4 && j + 2 < n && s[j] == ':' && s[j + 1] == ' ')
			return CL_SIGNAL;
	}
	return 0;
}

bool gpm_dump_crash_lines(const char *data, size_t len)
{
	size_t scan = len < SCAN_LIMIT ? len : SCAN_LIMIT;
	unsigned kinds = 0;
	struct prefix pre = {.n = 0};
	for (const char *p = data, *end = data + scan; p < end;) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		const char *s = p;
		size_t n = e ? (size_t)(e - p) : (size_t)(end - p);
		p = e ? e + 1 : end;
		while (n && s[n - 1] == '\r')
			n--;
		// A quote or list ("> ", "- "), Markdown's emphasis or code around the line.
		while (n && (s[0] == '>' || s[0] == '*' || s[0] == '`' || s[0] == '_' ||
		             is_space(s[0]))) {
			s++;
			n--;
		}
		size_t k = gpm_dump_log_stamp(s, n);
		if (k && !pre.n && k < MAX_PREFIX) { // the log prefix, for the lines after it
			memcpy(pre.s, s, k);
			pre.n = k;
		} else if (!k && pre.n) {
			long m = match_prefix(pre.s, pre.n, s, n);
			k = m > 0 ? (size_t)m : 0;
		}
		kinds |= crash_line_kind(s + k, n - k);
	}
	if (!(kinds & CL_BRACKET))
		kinds &= ~(unsigned)CL_PANIC;
	return __builtin_popcount(kinds) >= 2;
}

static enum gpm_input_kind detect(const uint8_t *data, size_t len);

enum gpm_input_kind gpm_input_detect(const uint8_t *data, size_t len)
{
	if (!data || !len)
		return GPM_INPUT_UNKNOWN;
	bool be;
	if (len >= 18 &&
	    memcmp(data,
	           "\x7f"
	           "ELF",
	           4) &&
	    utf16_text(data, len, &be)) {
		size_t n;
		char *t = utf16_to_utf8(data, len < 2 * SCAN_LIMIT ? len : 2 * SCAN_LIMIT, be, &n);
		if (!t)
			return GPM_INPUT_UNKNOWN;
		enum gpm_input_kind kind = detect((const uint8_t *)t, n); // as the parser sees it
		free(t);
		return kind;
	}
	return detect(data, len);
}

static enum gpm_input_kind detect(const uint8_t *data, size_t len)
{
	if (!len)
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
	if (gpm_goroutine_profile_detect(data, len))
		return GPM_INPUT_PPROF0;
	size_t scan = len < SCAN_LIMIT ? len : SCAN_LIMIT;
	const char *s = (const char *)data;
	long k = find_header(s, scan);
	if (k < 0)
		return memmem(s, scan, "WARNING: DATA RACE", 18) ||
		               memmem(s, scan, "POTENTIAL DEADLOCK:", 19) ||
		               gpm_dump_crash_lines(s, scan)
		           ? GPM_INPUT_DUMP
		           : GPM_INPUT_UNKNOWN;
	if (memmem(s, scan, "goroutine profile: total ", 25) ||
	    memmem(s, scan, "goroutineleak profile: total ", 29))
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
	case GPM_INPUT_PPROF0:
		return "pprof-debug0";
	case GPM_INPUT_UNKNOWN:
		break;
	}
	return "unknown";
}
