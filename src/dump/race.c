/*
 * The race detector's reports in text (see race.h). The format is compiler-rt's
 * ThreadSanitizer report printer as built for Go (tsan_report.cpp under SANITIZER_GO:
 * PrintReport, PrintMop, PrintLocation, PrintThread, PrintStack), unchanged in substance
 * from Go 1.1 to 1.27; src/runtime/race/output_test.go in the Go source holds examples:
 *
 *	==================
 *	WARNING: DATA RACE
 *	Write at 0x00c0000a0010 by goroutine 7:
 *	  main.main.func1()
 *	      /tmp/race.go:10 +0x44
 *
 *	Previous read at 0x00c0000a0010 by main goroutine:
 *	  main.main()
 *	      /tmp/race.go:13 +0x88
 *
 *	Goroutine 7 (running) created at:
 *	  main.main()
 *	      /tmp/race.go:9 +0x7a
 *	==================
 *
 * Race runtimes before 2013 printed no address ("Previous write by goroutine 6:"); an
 * access whose stack could not be restored prints "[failed to restore the stack]"; a
 * report may name the memory ("Heap block of size N at 0x… allocated by goroutine N:"
 * with a stack, or "Global var x of size N at 0x… declared at f.go:3"). Lines are read
 * by their words, never by their indentation: pastes and log pre-passes re-indent them.
 */
#include "dump/race.h"

#include "dump/plural.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum {
	MAX_REPORTS = 2000,        /* per incident; more are counted in races_dropped */
	MAX_FRAMES = 1024,         /* per stack; more are counted in a warning */
	MAX_REPORT_LINES = 100000, /* per report: then it is cut with a warning */
	MAX_SECTIONS = 16,         /* per report: two accesses, their goroutines, a location */
	MAX_TESTS = 1000,          /* failed tests recorded per incident */
};

struct rline {
	const char *s; /* trimmed of blanks at both ends */
	size_t n;
	const char *next; /* where the next line starts */
};

enum section_kind {
	SECTION_ACCESS,   /* "Read at" / "Write at" */
	SECTION_PREVIOUS, /* "Previous read at" / "Previous write at" */
	SECTION_THREAD,   /* "Goroutine N (running) created at:" */
	SECTION_LOCATION, /* "Heap block of size N at 0x… allocated by …:" */
};

struct section {
	enum section_kind kind;
	uint64_t gid; /* the goroutine (1: "main goroutine") */
	uint64_t addr;
	bool has_addr, write, main, finished;
	bool failed;    /* "[failed to restore the stack]" */
	bool open;      /* a stack builder is running for it */
	bool truncated; /* frames beyond MAX_FRAMES */
	struct gpm_stack_builder b;
	uint32_t nframes;
	uint32_t stack;   /* UINT32_MAX none */
	const char *text; /* SECTION_LOCATION: interned description */
};

struct report {
	struct gpm_incident *inc;
	struct section s[MAX_SECTIONS];
	unsigned ns;
	uint64_t unplaced;   /* lines not understood */
	uint64_t frames_cut; /* frames beyond MAX_FRAMES */
	uint64_t sections_cut;
	const char *global; /* interned "Global var …" line; NULL none */
	bool pending_func;  /* the last frame has a function line and no location yet */
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "==================": the line that frames a report (at least 10 '='). */
static bool is_bar(const struct rline *l)
{
	if (l->n < 10)
		return false;
	for (size_t i = 0; i < l->n; i++)
		if (l->s[i] != '=')
			return false;
	return true;
}

/* The line at p, blanks trimmed; false at the end. */
static bool next_line(const char *p, const char *end, struct rline *l)
{
	if (p >= end)
		return false;
	const char *e = memchr(p, '\n', (size_t)(end - p));
	l->next = e ? e + 1 : end;
	if (!e)
		e = end;
	while (p < e && is_blank(*p))
		p++;
	while (e > p && is_blank(e[-1]))
		e--;
	l->s = p;
	l->n = (size_t)(e - p);
	return true;
}

static bool starts(const struct rline *l, size_t at, const char *lit)
{
	size_t n = strlen(lit);
	return at <= l->n && l->n - at >= n && memcmp(l->s + at, lit, n) == 0;
}

/* Reads a decimal number at *i (at most 19 digits). */
static bool read_dec(const struct rline *l, size_t *i, uint64_t *out)
{
	size_t j = *i;
	uint64_t v = 0;
	while (j < l->n && is_digit(l->s[j]) && j - *i < 19)
		v = v * 10 + (uint64_t)(l->s[j++] - '0');
	if (j == *i || (j < l->n && is_digit(l->s[j])))
		return false;
	*out = v;
	*i = j;
	return true;
}

/* Reads "0x" and at most 16 hex digits at *i. */
static bool read_hex(const struct rline *l, size_t *i, uint64_t *out)
{
	size_t j = *i;
	if (!starts(l, j, "0x"))
		return false;
	j += 2;
	size_t d = j;
	uint64_t v = 0;
	for (int h; j < l->n && (h = hexval(l->s[j])) >= 0 && j - d < 16; j++)
		v = v << 4 | (uint64_t)h;
	if (j == d || (j < l->n && hexval(l->s[j]) >= 0))
		return false;
	*out = v;
	*i = j;
	return true;
}

bool gpm_race_is_start(const char *line, size_t n)
{
	struct rline l;
	return next_line(line, line + n, &l) && starts(&l, 0, "WARNING: DATA RACE");
}

/* "main goroutine:" or "goroutine N:" at i, to the end of the line. */
static bool read_who(const struct rline *l, size_t i, struct section *s)
{
	if (starts(l, i, "main goroutine:") && l->n == i + 15) {
		s->main = true;
		s->gid = 1;
		return true;
	}
	if (!starts(l, i, "goroutine "))
		return false;
	i += 10;
	return read_dec(l, &i, &s->gid) && i + 1 == l->n && l->s[i] == ':';
}

/*
 * "[Previous ](read|write)[ at 0xADDR] by (main goroutine|goroutine N):", the first word
 * capitalised ("Read", "Previous write").
 */
static bool parse_access(const struct rline *l, struct section *s)
{
	size_t i = 0;
	bool prev = false;
	if (starts(l, 0, "Previous ")) {
		prev = true;
		i = 9;
	}
	if (starts(l, i, prev ? "read" : "Read")) {
		i += 4;
	} else if (starts(l, i, prev ? "write" : "Write")) {
		s->write = true;
		i += 5;
	} else {
		return false;
	}
	s->kind = prev ? SECTION_PREVIOUS : SECTION_ACCESS;
	if (starts(l, i, " at ")) {
		i += 4;
		if (!read_hex(l, &i, &s->addr))
			return false;
		s->has_addr = true;
	}
	if (!starts(l, i, " by "))
		return false;
	return read_who(l, i + 4, s);
}

/* "Goroutine N (running|finished) created at:" */
static bool parse_thread(const struct rline *l, struct section *s)
{
	size_t i = 10;
	if (!starts(l, 0, "Goroutine ") || !read_dec(l, &i, &s->gid))
		return false;
	if (starts(l, i, " (finished)"))
		s->finished = true;
	else if (!starts(l, i, " (running)"))
		return false;
	i = l->n - 12;
	if (l->n < 12 || memcmp(l->s + i, " created at:", 12) != 0)
		return false;
	s->kind = SECTION_THREAD;
	return true;
}

/* "Heap block of size N at 0xADDR allocated by (main goroutine|goroutine N):" */
static bool parse_heap_block(const struct rline *l, struct section *s)
{
	size_t i = 19;
	uint64_t size;
	if (!starts(l, 0, "Heap block of size ") || !read_dec(l, &i, &size) ||
	    !starts(l, i, " at "))
		return false;
	i += 4;
	if (!read_hex(l, &i, &s->addr) || !starts(l, i, " allocated by "))
		return false;
	s->has_addr = true;
	s->kind = SECTION_LOCATION;
	return read_who(l, i + 14, s);
}

/* A frame's location line: "FILE:LINE[ +0xOFF]", read from the end (names may hold
 * spaces and colons). */
static bool parse_location(const struct rline *l, struct gpm_frame *f, const char **file,
                           size_t *file_len)
{
	size_t e = l->n;
	// " +0xOFF"
	size_t d = e;
	while (d > 0 && hexval(l->s[d - 1]) >= 0)
		d--;
	if (d < e && d >= 4 && e - d <= 16 && memcmp(l->s + d - 4, " +0x", 4) == 0) {
		uint64_t off = 0;
		for (size_t k = d; k < e; k++)
			off = off << 4 | (uint64_t)hexval(l->s[k]);
		if (off <= UINT32_MAX) {
			f->offset = (uint32_t)off;
			f->flags |= GPM_FRAME_HAS_OFFSET;
		}
		e = d - 4;
	}
	d = e;
	while (d > 0 && is_digit(l->s[d - 1]))
		d--;
	if (d == e || e - d > 10 || d < 2 || l->s[d - 1] != ':')
		return false;
	uint64_t line = 0;
	for (size_t k = d; k < e; k++)
		line = line * 10 + (uint64_t)(l->s[k] - '0');
	if (line > UINT32_MAX)
		return false;
	f->line = (uint32_t)line;
	*file = l->s;
	*file_len = d - 1;
	return true;
}

/* A frame's function line: "NAME()" (the race runtime prints no arguments). NAME has no
 * blank outside brackets (a generic shape may: "main.F[go.shape.struct { X int }]"). */
static bool parse_function(const struct rline *l, size_t *name_len)
{
	if (l->n < 3 || l->s[l->n - 1] != ')')
		return false;
	const char *open = NULL;
	for (size_t i = l->n - 1; i > 0; i--)
		if (l->s[i - 1] == '(') {
			open = l->s + i - 1;
			break;
		}
	if (!open || open == l->s)
		return false;
	unsigned depth = 0;
	for (const char *c = l->s; c < open; c++) {
		if (*c == '[')
			depth++;
		else if (*c == ']' && depth)
			depth--;
		else if (is_blank(*c) && !depth)
			return false;
	}
	*name_len = (size_t)(open - l->s);
	return true;
}

static struct section *current(struct report *R)
{
	return R->ns ? &R->s[R->ns - 1] : NULL;
}

static struct gpm_error *close_section(struct report *R)
{
	struct section *s = current(R);
	if (!s || !s->open)
		return NULL;
	s->open = false;
	if (!s->nframes) {
		// Nothing pushed: drop the builder without a stack.
		return NULL;
	}
	return gpm_incident_stack_commit(R->inc, &s->b, &s->stack);
}

static struct gpm_error *open_section(struct report *R, const struct section *proto)
{
	struct gpm_error *err = close_section(R);
	if (err)
		return err;
	if (R->ns == MAX_SECTIONS) {
		R->sections_cut++;
		return NULL;
	}
	struct section *s = &R->s[R->ns++];
	*s = *proto;
	s->stack = UINT32_MAX;
	s->open = true;
	gpm_incident_stack_begin(R->inc, &s->b);
	return NULL;
}

/* A line that starts something else: the report ended without its closing line. */
static bool ends_report(const struct rline *l)
{
	static const char *const words[] = {
	    "WARNING: ", "goroutine ",   "panic: ", "fatal error: ", "Found ",    "--- ",
	    "=== ",      "exit status ", "FAIL",    "PASS",          "SIGQUIT: ", "runtime stack:",
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (starts(l, 0, words[i]))
			return true;
	return false;
}

static struct gpm_error *frame_line(struct report *R, const struct rline *l, bool *placed)
{
	struct section *s = current(R);
	*placed = false;
	if (!s || !s->open)
		return NULL;
	struct gpm_incident *inc = R->inc;
	struct gpm_frame loc = {0};
	const char *file;
	size_t file_len, name_len;
	if (R->pending_func && parse_location(l, &loc, &file, &file_len)) {
		struct gpm_frame *f = &inc->frames.v[inc->frames.len - 1];
		f->file = gpm_incident_str(inc, file, file_len);
		if (!f->file)
			return &gpm_error_nomem;
		f->line = loc.line;
		f->offset = loc.offset;
		f->flags |= loc.flags;
		R->pending_func = false;
		*placed = true;
		return NULL;
	}
	if (!parse_function(l, &name_len))
		return NULL;
	*placed = true;
	R->pending_func = false;
	if (s->nframes >= MAX_FRAMES) {
		s->truncated = true;
		R->frames_cut++;
		return NULL;
	}
	struct gpm_frame *f = gpm_incident_frame_push(inc);
	if (!f || !(f->func = gpm_incident_str(inc, l->s, name_len)))
		return &gpm_error_nomem;
	s->nframes++;
	R->pending_func = true;
	return NULL;
}

/*
 * A section header's words broken over two lines by a paste: l ends in " by", " by
 * goroutine" or similar and the line after it (*next) is short. Writes the two joined by
 * a blank into buf (256 bytes) as *out; false when they are not of that shape.
 */
static bool join_split_header(const struct rline *l, const char *end, char *buf, struct rline *out,
                              struct rline *next)
{
	if (!(starts(l, 0, "Read ") || starts(l, 0, "Write ") || starts(l, 0, "Previous ") ||
	      starts(l, 0, "Goroutine ") || starts(l, 0, "Heap block ")) ||
	    l->s[l->n - 1] == ':' || !next_line(l->next, end, next) || !next->n || next->n > 32 ||
	    next->s[next->n - 1] != ':' || l->n + 1 + next->n > 255)
		return false;
	memcpy(buf, l->s, l->n);
	buf[l->n] = ' ';
	memcpy(buf + l->n + 1, next->s, next->n);
	*out = (struct rline){buf, l->n + 1 + next->n, next->next};
	return true;
}

/* Reads the report's lines into R; *used gets the bytes read. */
static struct gpm_error *read_report(struct report *R, const char *text, size_t len, size_t *used)
{
	const char *p = text, *end = text + len;
	struct rline l;
	struct gpm_error *err;
	for (uint64_t nl = 0; next_line(p, end, &l); nl++) {
		if (nl == MAX_REPORT_LINES) {
			gpm_incident_warn(R->inc, "race report cut after %d lines",
			                  MAX_REPORT_LINES);
			break;
		}
		if (is_bar(&l)) {
			p = l.next;
			break;
		}
		if (ends_report(&l))
			break;
		p = l.next;
		if (l.n == 0)
			continue;
		struct section proto = {0};
		bool placed = false;
		// A section's header broken in two by a paste ("Write at 0x… by goroutine" /
		// "25:"): read joined when the two make one.
		char joined[256];
		struct rline jl, nx;
		bool hdr = parse_access(&l, &proto) || parse_thread(&l, &proto) ||
		           parse_heap_block(&l, &proto);
		if (!hdr && join_split_header(&l, end, joined, &jl, &nx)) {
			struct section jp = {0};
			if (parse_access(&jl, &jp) || parse_thread(&jl, &jp) ||
			    parse_heap_block(&jl, &jp)) {
				proto = jp;
				hdr = true;
				l = jl;
				p = nx.next;
				nl++;
			}
		}
		if (hdr) {
			if (proto.kind == SECTION_LOCATION &&
			    !(proto.text = gpm_incident_str(R->inc, l.s, l.n - 1)))
				return &gpm_error_nomem;
			if ((err = open_section(R, &proto)))
				return err;
			R->pending_func = false;
			continue;
		}
		if (starts(&l, 0, "[failed to restore the stack]")) {
			struct section *s = current(R);
			if (s && s->open && !s->nframes) {
				s->failed = true;
				continue;
			}
		} else if (starts(&l, 0, "Global var ") && !R->global) {
			if ((err = close_section(R)))
				return err;
			if (!(R->global = gpm_incident_str(R->inc, l.s, l.n)))
				return &gpm_error_nomem;
			continue;
		} else if ((err = frame_line(R, &l, &placed))) {
			return err;
		}
		if (!placed)
			R->unplaced++;
	}
	*used = (size_t)(p - text);
	return close_section(R);
}

/* The "Goroutine N … created at:" section of goroutine gid, NULL none. */
static const struct section *thread_of(const struct report *R, uint64_t gid)
{
	for (unsigned i = 0; i < R->ns; i++)
		if (R->s[i].kind == SECTION_THREAD && R->s[i].gid == gid)
			return &R->s[i];
	return NULL;
}

/* Adds the goroutine of access section s and fills *a. */
static struct gpm_error *add_access(struct report *R, const struct section *s,
                                    struct gpm_race_access *a)
{
	struct gpm_incident *inc = R->inc;
	char state[64];
	const char *op = s->kind == SECTION_PREVIOUS
	                     ? (s->write ? "previous write" : "previous read")
	                     : (s->write ? "write" : "read");
	if (s->has_addr)
		snprintf(state, sizeof(state), "race: %s at 0x%012" PRIx64, op, s->addr);
	else
		snprintf(state, sizeof(state), "race: %s", op);
	const struct section *t = s->main ? NULL : thread_of(R, s->gid);
	uint32_t created_by = UINT32_MAX;
	if (t && t->stack != UINT32_MAX) {
		// The creator is the creation stack's top frame, as "created by" prints it.
		struct gpm_frame top = inc->frames.v[inc->stacks.v[t->stack].first];
		struct gpm_error *err = gpm_incident_lone_frame(inc, &top, &created_by);
		if (err)
			return err;
	}
	struct gpm_goroutine *g = gpm_incident_goroutine_push(inc);
	if (!g || !(g->state = gpm_incident_str(inc, state, strlen(state))))
		return &gpm_error_nomem;
	g->id = s->gid;
	// The access that found the race runs; a previous one's goroutine is known to run
	// or to have finished only from its creation section.
	if (t)
		g->status = t->finished ? GPM_G_DEAD : GPM_G_RUNNING;
	else if (s->kind == SECTION_ACCESS)
		g->status = GPM_G_RUNNING;
	g->flags = GPM_GOROUTINE_RACE_ACCESS;
	if (s->failed || s->stack == UINT32_MAX)
		g->flags |= GPM_GOROUTINE_NO_STACK;
	if (s->truncated)
		g->flags |= GPM_GOROUTINE_MORE_FRAMES;
	g->stack = s->stack;
	g->created_by = created_by;
	uint32_t gi = (uint32_t)inc->goroutines.len - 1;
	if (t && (t->stack != UINT32_MAX || t->truncated)) {
		struct gpm_ancestor *an = gpm_vec_push(&inc->ancestors);
		if (!an)
			return &gpm_error_nomem;
		an->id = 0;
		an->stack = t->stack;
		an->created_by = UINT32_MAX;
		an->flags = t->truncated ? GPM_GOROUTINE_MORE_FRAMES : 0;
		struct gpm_goroutine_extra *x =
		    gpm_incident_goroutine_extra(inc, &inc->goroutines.v[gi]);
		if (!x)
			return &gpm_error_nomem;
		x->first_ancestor = (uint32_t)inc->ancestors.len - 1;
		x->nancestors = 1;
	}
	a->goroutine = gi;
	a->addr = s->addr;
	a->has_addr = s->has_addr;
	a->write = s->write;
	return NULL;
}

/* Turns the sections read into goroutines and a gpm_race record. */
static struct gpm_error *add_report(struct report *R)
{
	struct gpm_incident *inc = R->inc;
	const struct section *acc = NULL, *prev = NULL, *loc = NULL;
	unsigned extra = 0;
	for (unsigned i = 0; i < R->ns; i++) {
		const struct section *s = &R->s[i];
		const struct section **slot = s->kind == SECTION_ACCESS     ? &acc
		                              : s->kind == SECTION_PREVIOUS ? &prev
		                              : s->kind == SECTION_LOCATION ? &loc
		                                                            : NULL;
		if (slot && *slot)
			extra++;
		else if (slot)
			*slot = s;
	}
	size_t nr = inc->races.len + 1;
	if (!acc && !prev)
		return gpm_incident_warn(inc, "race report %zu names no access; skipped", nr);
	struct gpm_race r = {.access.goroutine = UINT32_MAX,
	                     .previous.goroutine = UINT32_MAX,
	                     .location_stack = UINT32_MAX};
	struct gpm_error *err;
	if ((acc && (err = add_access(R, acc, &r.access))) ||
	    (prev && (err = add_access(R, prev, &r.previous))))
		return err;
	if (loc) {
		r.location = loc->text;
		r.location_stack = loc->stack;
	} else {
		r.location = R->global;
	}
	struct gpm_race *slot = gpm_vec_push(&inc->races);
	if (!slot)
		return &gpm_error_nomem;
	*slot = r;
	if (extra || R->sections_cut)
		err = gpm_incident_warn(inc,
		                        "race report %zu: %u %s beyond the two accesses "
		                        "and one location %s left out",
		                        nr, extra + (unsigned)R->sections_cut,
		                        gpm_plural(extra + R->sections_cut, "section", "sections"),
		                        gpm_plural(extra + R->sections_cut, "was", "were"));
	if (!err && R->frames_cut)
		err = gpm_incident_warn(inc,
		                        "race report %zu: %" PRIu64 " %s beyond %d per stack "
		                        "%s left out",
		                        nr, R->frames_cut,
		                        gpm_plural(R->frames_cut, "frame", "frames"), MAX_FRAMES,
		                        gpm_plural(R->frames_cut, "was", "were"));
	if (!err && R->unplaced)
		err = gpm_incident_warn(inc,
		                        "race report %zu: %" PRIu64 " %s not understood and "
		                        "skipped",
		                        nr, R->unplaced, gpm_plural(R->unplaced, "line", "lines"));
	return err;
}

/* Skips a report past the cap: up to its closing line. */
static size_t skip_report(const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	struct rline l;
	for (uint64_t nl = 0; nl < MAX_REPORT_LINES && next_line(p, end, &l); nl++) {
		if (is_bar(&l))
			return (size_t)(l.next - text);
		if (ends_report(&l))
			break;
		p = l.next;
	}
	return (size_t)(p - text);
}

struct gpm_error *gpm_race_parse(struct gpm_incident *inc, const char *text, size_t len,
                                 size_t *consumed)
{
	if (inc->races.len >= MAX_REPORTS) {
		*consumed = skip_report(text, len);
		if (inc->races_dropped++ == 0)
			return gpm_incident_warn(inc,
			                         "more than %d race reports: the rest are counted, "
			                         "not read",
			                         MAX_REPORTS);
		return NULL;
	}
	struct report R = {.inc = inc};
	size_t used = 0;
	struct gpm_error *err = read_report(&R, text, len, &used);
	if (!err)
		err = add_report(&R);
	if (err)
		return err;
	*consumed = used;
	return NULL;
}

/* "[    ]testing.go:N: race detected during execution of test" */
static bool is_race_detected(const struct rline *l)
{
	static const char tail[] = ": race detected during execution of test";
	size_t n = sizeof(tail) - 1;
	return l->n > n && memcmp(l->s + l->n - n, tail, n) == 0;
}

/* "--- FAIL: NAME (0.01s)": the name. */
static bool failed_test(const struct rline *l, const char **name, size_t *n)
{
	if (!starts(l, 0, "--- FAIL: "))
		return false;
	size_t e = l->n;
	while (e > 10 && l->s[e - 1] != '(')
		e--;
	if (e <= 11 || l->s[e - 2] != ' ')
		return false;
	*name = l->s + 10;
	*n = e - 2 - 10;
	return *n > 0 && *n <= 1024;
}

struct gpm_error *gpm_race_trailer(struct gpm_incident *inc, const char *text, size_t len,
                                   size_t *consumed)
{
	const char *end = text + len;
	struct rline l, l2;
	*consumed = 0;
	if (!next_line(text, end, &l))
		return NULL;
	size_t i = 6;
	uint64_t v;
	if (starts(&l, 0, "Found ") && read_dec(&l, &i, &v) && starts(&l, i, " data race(s)") &&
	    i + 13 == l.n) {
		// One per test binary; a log of several packages has several.
		inc->races_found += v;
		*consumed = (size_t)(l.next - text);
		return NULL;
	}
	// go test prints the test's result line before its output, go test -v after it.
	const char *name;
	size_t n;
	bool first_fail = failed_test(&l, &name, &n);
	if (!first_fail && !is_race_detected(&l))
		return NULL;
	if (!next_line(l.next, end, &l2) ||
	    !(first_fail ? is_race_detected(&l2) : failed_test(&l2, &name, &n))) {
		if (first_fail)
			return NULL;
		*consumed = (size_t)(l.next - text); // the test is not named
		return NULL;
	}
	*consumed = (size_t)(l2.next - text);
	if (inc->race_tests.len >= MAX_TESTS)
		return NULL;
	const char **t = gpm_vec_push(&inc->race_tests);
	if (!t || !(*t = gpm_incident_str(inc, name, n)))
		return &gpm_error_nomem;
	return NULL;
}
