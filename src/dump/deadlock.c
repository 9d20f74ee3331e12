/*
 * go-deadlock reports in text (see deadlock.h). The format is go-deadlock's deadlock.go
 * (lock, preLock, other: the headers and markers) and stacktraces.go (printStack: one
 * line per frame, "file:line pkg.func { source line }", " <<<<<" after the first, a blank
 * line after the stack); forks print the runtime's two-line frames instead. Old releases
 * spell "happend after". Lines are read by their words, never by their indentation.
 */
#include "dump/deadlock.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "dump/plural.h"

enum {
	MAX_REPORTS = 2000, /* per incident; more are counted in lock_reports_dropped */
	MAX_FRAMES = 1024,  /* per stack; more are counted in a warning */
	MAX_LINES = 100000, /* per report: then it is cut with a warning */
};

struct line {
	const char *s; /* without leading blanks and the line end */
	size_t n;
	const char *raw; /* the line as it is */
	size_t raw_n;
};

struct reader {
	struct gpm_incident *inc;
	const char *p, *end;
	struct gpm_lock_report *rep; /* the report being read */
	int slot;                    /* the stack being read: index into rep->stacks, -1 none */
	struct gpm_stack_builder b;
	uint32_t nframes;
	uint64_t lost, cut_frames;
	const char *first_lost;
};

static bool next_line(struct reader *r, struct line *l)
{
	if (r->p >= r->end)
		return false;
	const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
	const char *e = nl ? nl : r->end;
	l->raw = r->p;
	l->raw_n = (size_t)(e - r->p);
	r->p = nl ? nl + 1 : r->end;
	while (e > l->raw && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
		e--;
	l->s = l->raw;
	while (l->s < e && (*l->s == ' ' || *l->s == '\t'))
		l->s++;
	l->n = (size_t)(e - l->s);
	return true;
}

static bool starts(const struct line *l, const char *lit)
{
	size_t n = strlen(lit);
	return l->n >= n && !memcmp(l->s, lit, n);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool gpm_lock_report_is_start(const char *line, size_t n)
{
	while (n && (*line == ' ' || *line == '\t')) {
		line++;
		n--;
	}
	struct line l = {line, n, line, n};
	return starts(&l, "POTENTIAL DEADLOCK:") || starts(&l, "Other goroutines holding locks:") ||
	       starts(&l, "All current goroutines:");
}

/* "goroutine N lock 0xP" or "current goroutine N lock 0xP". */
static bool goroutine_lock(const struct line *l, uint64_t *gid, uint64_t *lock)
{
	const char *s = l->s, *e = l->s + l->n;
	if (l->n > 8 && !memcmp(s, "current ", 8))
		s += 8;
	if (e - s < 10 || memcmp(s, "goroutine ", 10))
		return false;
	s += 10;
	uint64_t g = 0;
	if (s >= e || !is_digit(*s))
		return false;
	while (s < e && is_digit(*s))
		g = g * 10 + (uint64_t)(*s++ - '0');
	if (e - s < 8 || memcmp(s, " lock 0x", 8))
		return false;
	s += 8;
	uint64_t v = 0;
	int digits = 0;
	for (; s < e && digits < 17; s++, digits++) {
		char c = *s;
		int d = is_digit(c) ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (d < 0)
			break;
		v = v << 4 | (uint64_t)d;
	}
	if (!digits || digits > 16 || s != e)
		return false;
	*gid = g;
	*lock = v;
	return true;
}

/* "file.go:123" at s[0..n): the colon's offset and the line, or false. */
static bool file_line(const char *s, size_t n, size_t *colon, uint32_t *line)
{
	size_t c = n;
	while (c > 0 && is_digit(s[c - 1]))
		c--;
	if (c == n || c < 2 || s[c - 1] != ':' || n - c > 9)
		return false;
	uint32_t v = 0;
	for (size_t i = c; i < n; i++)
		v = v * 10 + (uint32_t)(s[i] - '0');
	*colon = c - 1;
	*line = v;
	return true;
}

static struct gpm_error *stack_end(struct reader *r)
{
	if (r->slot < 0) {
		r->slot = -1;
		return NULL;
	}
	uint32_t stack = UINT32_MAX;
	if (r->nframes) {
		struct gpm_error *err = gpm_incident_stack_commit(r->inc, &r->b, &stack);
		if (err)
			return err;
	}
	r->rep->stacks[r->slot] = stack;
	r->slot = -1;
	return NULL;
}

static struct gpm_error *stack_begin(struct reader *r, int slot)
{
	struct gpm_error *err = stack_end(r);
	if (err)
		return err;
	r->slot = slot;
	r->nframes = 0;
	gpm_incident_stack_begin(r->inc, &r->b);
	return NULL;
}

static struct gpm_error *push_frame(struct reader *r, const char *fn, size_t fnn, const char *file,
                                    size_t filen, uint32_t line)
{
	if (r->nframes >= MAX_FRAMES) {
		r->cut_frames++;
		return NULL;
	}
	struct gpm_frame *f = gpm_incident_frame_push(r->inc);
	if (!f || !(f->func = gpm_incident_str(r->inc, fn, fnn)) ||
	    (filen && !(f->file = gpm_incident_str(r->inc, file, filen))))
		return &gpm_error_nomem;
	f->line = line;
	f->flags = GPM_FRAME_NO_ARGS;
	r->nframes++;
	return NULL;
}

/*
 * A frame line of go-deadlock: "file:line pkg.func { source } <<<<<" (the source part may
 * be missing when the file could not be read). False when the line is not one.
 */
static bool frame_line(const struct line *l, const char **file, size_t *filen, uint32_t *line,
                       const char **fn, size_t *fnn)
{
	const char *sp = memchr(l->s, ' ', l->n);
	size_t first = sp ? (size_t)(sp - l->s) : l->n;
	size_t colon;
	if (!file_line(l->s, first, &colon, line) || !sp)
		return false;
	const char *f = sp + 1, *e = l->s + l->n;
	const char *fe = f;
	while (fe < e && *fe != ' ')
		fe++;
	// A function name has a '.' (package.name) and no braces.
	if (fe == f || !memchr(f, '.', (size_t)(fe - f)) || *f == '{')
		return false;
	*file = l->s;
	*filen = colon;
	*fn = f;
	*fnn = (size_t)(fe - f);
	return true;
}

/* The runtime's frame form of the forks: "pkg.func(...)" then "\tfile:line +0x1f". */
static bool runtime_frame(struct reader *r, const struct line *l, const char **fn, size_t *fnn,
                          struct line *loc, uint32_t *line, size_t *colon)
{
	if (!l->n || l->s[l->n - 1] != ')' || !memchr(l->s, '.', l->n) || l->s[0] == '{')
		return false;
	const char *paren = memchr(l->s, '(', l->n);
	// "main.(*T).f()" has its first '(' inside the name: take the last "(" that opens the
	// argument list, at the end.
	const char *open = l->s + l->n - 1;
	int depth = 0;
	for (; open >= l->s; open--) {
		if (*open == ')')
			depth++;
		else if (*open == '(' && --depth == 0)
			break;
	}
	if (!paren || open < l->s || open == l->s)
		return false;
	const char *save = r->p;
	if (!next_line(r, loc)) {
		r->p = save;
		return false;
	}
	size_t n = loc->n;
	const char *plus = memchr(loc->s, ' ', loc->n);
	if (plus)
		n = (size_t)(plus - loc->s);
	if (!file_line(loc->s, n, colon, line)) {
		r->p = save;
		return false;
	}
	*fn = l->s;
	*fnn = (size_t)(open - l->s);
	return true;
}

static void lost(struct reader *r, const struct line *l)
{
	if (!r->lost++)
		r->first_lost = l->s;
}

/* Reads the lines of a report until one that belongs to something else. */
static struct gpm_error *read_report(struct reader *r)
{
	struct gpm_error *err;
	struct line l;
	uint64_t gid, lock;
	bool want_goroutine_lock = false; /* the line after a marker names goroutine and lock */
	int after_lock_slot = -1;
	for (size_t count = 0;; count++) {
		const char *save = r->p;
		if (!next_line(r, &l))
			break;
		if (count >= MAX_LINES) {
			r->p = save;
			gpm_incident_warn(r->inc, "a go-deadlock report of more than %d lines cut",
			                  MAX_LINES);
			break;
		}
		if (!l.n) {
			if ((err = stack_end(r)))
				return err;
			continue;
		}
		struct gpm_lock_report *rep = r->rep;
		if (starts(&l, "POTENTIAL DEADLOCK:") ||
		    starts(&l, "Other goroutines holding locks:") ||
		    starts(&l, "All current goroutines:")) {
			if (count) { // the next report, or a section the dump reader hands back
				r->p = save;
				break;
			}
			if (starts(&l, "All current goroutines:"))
				break; // the runtime's dump follows: the dump reader's
			if (starts(&l, "Other goroutines holding locks:")) {
				if (!rep) // nothing to attach it to: a stray line
					lost(r, &l);
				continue;
			}
			if (r->inc->lock_reports.len >= MAX_REPORTS) {
				r->inc->lock_reports_dropped++;
				r->rep = NULL;
				continue;
			}
			if (!(rep = r->rep = gpm_vec_push(&r->inc->lock_reports)))
				return &gpm_error_nomem;
			memset(rep, 0, sizeof(*rep));
			for (int i = 0; i < GPM_LOCK_REPORT_STACKS; i++)
				rep->stacks[i] = UINT32_MAX;
			rep->kind = memmem(l.s, l.n, "Recursive", 9) && l.n < 64
			                ? GPM_LOCK_REPORT_RECURSIVE
			            : l.n > 19 ? GPM_LOCK_REPORT_ORDER
			                       : GPM_LOCK_REPORT_TIMEOUT;
			continue;
		}
		if (!rep) { // a dropped report's lines (over the cap): skip them by shape
			if (starts(&l, "happen") || starts(&l, "in ") || starts(&l, "Previous") ||
			    starts(&l, "Have been") || starts(&l, "goroutine ") ||
			    starts(&l, "current") || memchr(l.s, ':', l.n))
				continue;
			r->p = save;
			break;
		}
		if (starts(&l, "happened before") ||
		    starts(&l, "in one goroutine: happened before")) {
			rep->kind = GPM_LOCK_REPORT_ORDER;
			if ((err = stack_begin(r, 0)))
				return err;
			continue;
		}
		if (starts(&l, "in another goroutine: happened before")) {
			if ((err = stack_begin(r, 2)))
				return err;
			continue;
		}
		if (starts(&l, "happened after") || starts(&l, "happend after")) {
			bool second = rep->stacks[2] != UINT32_MAX || r->slot == 2;
			if ((err = stack_begin(r, second ? 3 : 1)))
				return err;
			continue;
		}
		if (starts(&l, "Previous place where the lock was grabbed (same goroutine)")) {
			if ((err = stack_begin(r, 1)))
				return err;
			continue;
		}
		if (starts(&l, "Previous place where the lock was grabbed")) {
			rep->kind = GPM_LOCK_REPORT_TIMEOUT;
			if ((err = stack_end(r)))
				return err;
			want_goroutine_lock = true;
			after_lock_slot = 0;
			continue;
		}
		if (starts(&l, "Have been trying to lock it again for more than ")) {
			if ((err = stack_end(r)))
				return err;
			const char *d = l.s + 48;
			if (!(rep->timeout = gpm_incident_str(r->inc, d, l.n - 48)))
				return &gpm_error_nomem;
			want_goroutine_lock = true;
			after_lock_slot = 1;
			continue;
		}
		if (starts(&l, "Here is what goroutine ")) {
			// The runtime's traceback of the holder follows: the dump reader's.
			if ((err = stack_end(r)))
				return err;
			break;
		}
		if (goroutine_lock(&l, &gid, &lock)) {
			if (starts(&l, "current ")) { // recursive: the goroutine holds and wants it
				rep->kind = GPM_LOCK_REPORT_RECURSIVE;
				rep->holder = rep->waiter = gid;
				rep->lock = lock;
				if ((err = stack_begin(r, 0)))
					return err;
			} else if (want_goroutine_lock) {
				if (after_lock_slot == 0)
					rep->holder = gid;
				else
					rep->waiter = gid;
				rep->lock = lock;
				if ((err = stack_begin(r, after_lock_slot)))
					return err;
			} else { // under "Other goroutines holding locks:": counted, stack skipped
				rep->others++;
				if ((err = stack_end(r)))
					return err;
				r->slot = -2;
			}
			want_goroutine_lock = false;
			continue;
		}
		want_goroutine_lock = false;
		const char *file, *fn;
		size_t filen, fnn, colon;
		uint32_t line;
		struct line loc;
		if (frame_line(&l, &file, &filen, &line, &fn, &fnn)) {
			if (r->slot >= 0 && (err = push_frame(r, fn, fnn, file, filen, line)))
				return err;
			if (r->slot == -1)
				lost(r, &l);
			continue;
		}
		if (runtime_frame(r, &l, &fn, &fnn, &loc, &line, &colon)) {
			if (r->slot >= 0 && (err = push_frame(r, fn, fnn, loc.s, colon, line)))
				return err;
			if (r->slot == -1)
				lost(r, &l);
			continue;
		}
		// Something else: the report is over.
		r->p = save;
		break;
	}
	return stack_end(r);
}

struct gpm_error *gpm_lock_report_parse(struct gpm_incident *inc, const char *text, size_t len,
                                        size_t *consumed)
{
	struct reader r = {.inc = inc, .p = text, .end = text + len, .slot = -1};
	// A continuation ("Other goroutines holding locks:") belongs to the last report.
	if (inc->lock_reports.len)
		r.rep = &inc->lock_reports.v[inc->lock_reports.len - 1];
	struct gpm_error *err = read_report(&r);
	*consumed = (size_t)(r.p - text);
	if (err)
		return err;
	if (r.lost) {
		const char *e = memchr(r.first_lost, '\n', (size_t)(r.end - r.first_lost));
		size_t n = e ? (size_t)(e - r.first_lost) : (size_t)(r.end - r.first_lost);
		char *safe = gpm_safe_strndup(r.first_lost, n < 80 ? n : 80);
		gpm_incident_warn(inc,
		                  "%" PRIu64 " %s of a go-deadlock report not placed (first: %s)",
		                  r.lost, gpm_plural(r.lost, "line", "lines"), safe ? safe : "?");
		free(safe);
	}
	if (r.cut_frames)
		gpm_incident_warn(inc, "%" PRIu64 " %s of go-deadlock stacks past %d cut",
		                  r.cut_frames, gpm_plural(r.cut_frames, "frame", "frames"),
		                  MAX_FRAMES);
	return NULL;
}
