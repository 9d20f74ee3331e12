/*
 * The goroutine-dump text reader: a line-driven state machine over the runtime's
 * traceback format (runtime/traceback.go: goroutineheader, traceback2, printcreatedby1,
 * printAncestorTraceback; runtime/panic.go: printpanics; runtime/signal_unix.go:
 * sighandler and dumpregs, Go 1.12 to 1.27) and the pprof goroutine profile's text
 * forms (runtime/pprof/pprof.go: printCountProfile, printStackRecord; debug=2 is
 * runtime.Stack). See dump.h for the API and the speed notes.
 */
#include "dump/dump.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/vec.h"
#include "dump/deadlock.h"
#include "dump/plural.h"
#include "dump/shapes.h"
#include "dump/race.h"

enum {
	DEFAULT_MAX_GOROUTINES = 1 << 24,
	DEFAULT_MAX_COUNTED = 1 << 21,
	DEFAULT_MAX_FRAMES = 1000000,
	DEFAULT_MAX_PANICS = 1000,
	DEFAULT_MAX_LINE = 1 << 20,
	DEFAULT_MAX_SNAPSHOTS = 100000,
	MAX_LABELS = 10000,   /* per goroutine */
	MAX_ANCESTORS = 1000, /* per goroutine */
	RESERVE_AFTER = 1024, /* goroutines of a snapshot before room for the rest is reserved */
};

struct line {
	const char *s;
	size_t n;
	bool nl; /* ended by a newline (false only for the input's last, cut line) */
};

/* A frame seen before in this snapshot, keyed by its bytes in the text. */
struct fentry {
	uint64_t hash;
	const char *name, *loc; /* borrowed from the text */
	uint32_t name_len, loc_len;
	struct gpm_frame frame; /* interned in the current incident */
	uint32_t lone;          /* its "created by" copy in incident->frames; UINT32_MAX none */
};

/*
 * A stack seen before, keyed by its bytes: the frame block as printed minus what differs
 * between goroutines on the same stack (arguments, fp= and sp=), see stack_key_frame. A
 * goroutine whose stack was seen costs one hash of its block and one comparison; frames
 * are only decoded (fentry) for a new distinct stack.
 */
struct sentry {
	uint64_t hash;
	size_t key_off; /* into parser.keys */
	uint32_t key_len;
	uint32_t stack;              /* model stack index */
	uint32_t args_off, args_len; /* first goroutine's argument texts; UINT32_MAX none yet */
	/*
	 * The "created by" frame of the last goroutine on this stack, by its bytes in the text
	 * (the function without " in goroutine N", the whole location line): goroutines on one
	 * stack were nearly always created at one place, so theirs is found with one
	 * comparison instead of a parse of the location and a frame lookup. cb_lone is
	 * UINT32_MAX until one is known.
	 */
	const char *cb_name, *cb_loc; /* borrowed from the text */
	uint32_t cb_name_len, cb_loc_len, cb_lone;
};

/*
 * The location line: "\tFILE:LINE[ +0xOFF][ fp=0x… sp=0x… pc=0x…]". Parsed from the end,
 * because file names may hold spaces and colons.
 */
struct loc {
	const char *file;
	size_t file_len;
	uint64_t line, off, fp, sp, pc;
	bool has_off, has_regs, ok;
	bool huge; /* a number too large to be real (a line past 2^32, a 17-digit hex): unknown */
	size_t key_len; /* bytes of the line (after the tab) before the fp= sp= pc= suffix */
};

/* A frame of the current block as found in the text, decoded only for a new stack. */
struct rawframe {
	const char *name, *loc; /* borrowed from the text */
	uint32_t name_len, loc_len;
	uint32_t flags;
	uint64_t elided;
	struct loc L;
	bool has_loc; /* L is known (a location line, or the pc of a non-Go frame) */
	bool lazy;    /* has_loc, but L is read from loc[0..loc_len) only when decoded */
};

/* Kinds of loss, each reported in one warning with the first line numbers. */
enum lost_kind {
	LOST_LINE,     /* a line inside or between goroutine blocks that could not be placed */
	LOST_LOC,      /* a frame without its location line */
	LOST_CUT,      /* a goroutine cut short by the end of the input */
	LOST_FRAMES,   /* a goroutine header with no frames */
	LOST_JOINED,   /* a line that holds many of a dump's lines, their line ends lost */
	LOST_CUT_FUNC, /* a function line cut inside its arguments: kept without location */
	LOST_PACKED,   /* a pprof frame line without its tabs, where its fields end guessed */
	LOST_CUT_ARGS, /* a function line cut inside its arguments, its location after it */
	LOST_BAD_LOC,  /* a location line whose FILE:LINE could not be read */
	LOST_HUGE,     /* a number too large to be real (id, count, minutes, line, offset) */
	LOST_KINDS
};

enum { MAX_VTESTS = 64 }; /* go test -v tests followed at once (the rest: not named) */

/* Ambiguous profile frame lines without tabs resolved by a look over the whole text (each
 * look reads the text; the rest are read greedily and said). */
enum { MAX_PACKED_SCANS = 64 };

/* A frame's argument text in the input (push_args). */
struct argspan {
	const char *s;
	uint32_t n;
};

struct parser {
	const char *p, *end;
	/* The start of the input's last line of a dump (dump_line), found when first asked
	 * (last_dump_known): no excerpt ends before it. */
	const char *last_dump;
	bool last_dump_known;
	const char *read_at;      /* next_line calls o.reading here (end: never) */
	const char *base;         /* the text parsed (line numbers count from here) */
	const uint32_t *line_map; /* cleaned text's line -> input line; NULL: the same */
	const int64_t *line_time; /* cleaned text's line -> its log prefix's time; NULL: none */
	const char *host;         /* the host the log records name; NULL none */
	size_t nlines;
	/* line_index's cursor: lc_line line ends lie before lc_at in lc_base. */
	const char *lc_base, *lc_at;
	size_t lc_line;
	uint32_t packed_scans; /* looks over the text by unpack_frame (MAX_PACKED_SCANS) */
	const char *name;
	struct gpm_dump_options o;
	gpm_dump_snapshot_fn *fn;
	void *arg;
	struct gpm_incident *inc;
	uint32_t nsnapshots;
	bool any;            /* saw anything dump-like */
	bool reversed;       /* the text was newest-first and was read bottom to top */
	size_t cut_records;  /* log records cut inside the dump's string (unwrap.c) */
	uint32_t cut_record; /* the input line of the first */
	size_t logcat_cuts;  /* Android log messages cut at a record's limit (unwrap.c) */
	uint32_t logcat_cut; /* the input line of the first one's last line */
	size_t blind_joins;  /* console-wrap pieces joined where a blank may be lost (unwrap.c) */
	uint32_t blind_join; /* the input line of the first */
	bool panics_cut;     /* a panic value of this snapshot was cut at max_line */
	unsigned headerless; /* stacks of this snapshot read without a goroutine header */
	unsigned joined; /* lines of gpm_dump_joined_line not yet told in a snapshot's warnings */
	bool pprof_headerless; /* a debug=1 profile without its "goroutine profile:" line */
	uint64_t bucket_total; /* "Showing N unique goroutines out of M total": M; 0 none */
	uint64_t counted;      /* goroutines made from counts so far, in the whole input */
	uint64_t counted_lost; /* this snapshot's counted goroutines past the limits */
	/* go test -v's tests started ("=== RUN   TestX") and not ended ("--- PASS: TestX"), in
	 * the text: names borrowed from it. */
	struct vtest {
		const char *s;
		size_t n;
	} vtests[MAX_VTESTS];
	unsigned nvtests;
	uint64_t bucket_next; /* the same, read before the snapshot it belongs to began */
	unsigned sources;     /* processes an interleaved log was regrouped into; 0 none */
	/* The runtime's lines before the first goroutine of the coming snapshot, as read. */
	const char *pre_start, *pre_end;
	/* The last snapshot the limit allows, held back until the input tells whether more
	 * follow (then it says so in a warning); NULL none. */
	struct gpm_incident *held;

	/* snapshot state */
	bool have_preamble; /* panic / fatal error / signal lines seen */
	bool in_separator;  /* after "-----": per-thread sections of a crash dump */
	bool first_goroutine_done;
	uint32_t cur_section; /* UINT32_MAX none */
	bool end_snapshot;    /* "exit status" seen: the next dump line starts a new one */
	bool warned_args, warned_lines;
	/* What could not be read, counted, with where the first few were (in the text). */
	struct lost {
		uint64_t n;
		const char *at[5];
	} lost[LOST_KINDS];

	GPM_VEC(struct fentry) fents;
	uint32_t *fidx;
	size_t fidx_cap;
	GPM_VEC(struct sentry) sents;
	uint32_t *sidx;
	size_t sidx_cap;
	GPM_VEC(char) keys; /* the sentries' keys */
	/* Goroutine ids of this snapshot: a bitmap for small ids (dumps number goroutines
	 * densely from 1), a hash set (id + 1; 0 empty) for the rest. */
	uint64_t *idbits;
	size_t idbits_words;
	uint64_t *idset;
	size_t idset_cap, idset_len;

	/* per goroutine scratch: the current stack as raw frames (text) or fentry ids (pprof
	 * debug=1), its key, argument texts and registers */
	uint32_t nframes;
	GPM_VEC(struct rawframe) raw;
	GPM_VEC(char) key;
	GPM_VEC(uint32_t) gids;
	GPM_VEC(char) gargs; /* the argument texts copied (args_commit), NUL-terminated */
	/* The frames' argument texts where they are (push_args): copied into gargs only for a
	 * goroutine whose texts cannot be read in place; any: one of them has a byte. */
	GPM_VEC(struct argspan) spans;
	bool spans_any;
	GPM_VEC(struct gpm_frame_regs) gregs; /* with gregs_any: one per push_regs */
	size_t nregs;                         /* push_regs calls for the goroutine */
	bool gregs_any;
	/* With borrow_text: the caller's text, and where the current block's frame lines are.
	 * A block whose frames are nothing but consecutive "func(args)" + location line pairs
	 * ("plain") keeps its argument texts in the text. */
	const char *text;
	size_t text_len;
	const char *block_start, *block_next;
	bool block_plain;
	/* States seen lately in this snapshot (a dump has a few dozen), by their bytes in the
	 * text: the interned state and wait reason and the status, decided once. */
	struct state_memo {
		const char *s; /* in the text */
		size_t n;
		const char *state, *wait_reason;
		uint8_t status;
	} states[64];
	GPM_VEC(char) tmp;
};

/* ---- small helpers ---- */

static inline uint64_t rd64(const char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static inline uint64_t mum(uint64_t a, uint64_t b)
{
	unsigned __int128 r = (unsigned __int128)a * b;
	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/*
 * A fast non-cryptographic hash (the cache keys, not a stored signature; every hit is
 * confirmed by comparing the bytes): 32 bytes a step in two independent multiply chains.
 */
static uint64_t fast_hash(const void *vp, size_t n, uint64_t h)
{
	const char *p = vp;
	const uint64_t k0 = 0xa0761d6478bd642fULL, k1 = 0xe7037ed1a0b428dbULL,
	               k2 = 0x8ebc6af09c88c6e3ULL;
	h ^= (uint64_t)n * 0x9e3779b97f4a7c15ULL;
	if (n >= 32) {
		// (Joined only when the loop ran: h ^ (h ^ k2) would drop the seed and the length,
		// and the last step's b ^ h ^ k2 would then be b — every key under 9 bytes hashed
		// to one value, which made a snapshot of 100,000 large goroutine ids quadratic.)
		uint64_t g = h ^ k2;
		while (n >= 32) {
			h = mum(rd64(p) ^ k0, rd64(p + 8) ^ h);
			g = mum(rd64(p + 16) ^ k1, rd64(p + 24) ^ g);
			p += 32;
			n -= 32;
		}
		h ^= g;
	}
	while (n >= 16) {
		h = mum(rd64(p) ^ k0, rd64(p + 8) ^ h);
		p += 16;
		n -= 16;
	}
	uint64_t a = 0, b = 0;
	if (n >= 8) {
		a = rd64(p);
		memcpy(&b, p + 8, n - 8);
	} else {
		memcpy(&a, p, n);
	}
	return mum(a ^ k1 ^ n, b ^ h ^ k2) ^ h;
}

static inline bool starts(const char *s, size_t n, const char *lit, size_t ln)
{
	return n >= ln && memcmp(s, lit, ln) == 0;
}
#define STARTS(l, lit) starts((l)->s, (l)->n, lit, sizeof(lit) - 1)

static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Hex digit values + 1, 0 for anything else: one load and no branch a digit. */
static const uint8_t hex_digit1[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
    ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/* A hex digit's value, -1 for anything else. */
static inline int hexval(char c)
{
	return (int)hex_digit1[(unsigned char)c] - 1;
}

/* Parses decimal digits at s[*i..n); false when none or on overflow. */
static bool parse_dec(const char *s, size_t n, size_t *i, uint64_t *out)
{
	size_t j = *i;
	uint64_t v = 0;
	while (j < n && is_digit(s[j])) {
		if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, s[j] - '0', &v))
			return false;
		j++;
	}
	if (j == *i)
		return false;
	*i = j;
	*out = v;
	return true;
}

/* parse_dec_sat's rare case, out of line: no digits, or a number past 2^64 - 1. */
static __attribute__((noinline)) bool parse_dec_huge(const char *s, size_t n, size_t *i,
                                                     uint64_t *out, bool *huge)
{
	size_t j = *i;
	while (j < n && is_digit(s[j]))
		j++;
	if (j == *i)
		return false;
	*i = j;
	*out = UINT64_MAX;
	*huge = true;
	return true;
}

/*
 * As parse_dec, but a number past 2^64 - 1 is read whole, as UINT64_MAX with *huge set
 * (not a failure): the line it is on is still what it looks like. The usual number costs
 * what parse_dec costs (a goroutine id on every header).
 */
static inline bool parse_dec_sat(const char *s, size_t n, size_t *i, uint64_t *out, bool *huge)
{
	return parse_dec(s, n, i, out) || parse_dec_huge(s, n, i, out, huge);
}

/* Parses "0x" + hex digits at s[*i..n). */
static bool parse_hex(const char *s, size_t n, size_t *i, uint64_t *out)
{
	size_t j = *i;
	if (j + 2 > n || s[j] != '0' || s[j + 1] != 'x')
		return false;
	j += 2;
	uint64_t v = 0;
	size_t start = j;
	int d;
	while (j < n && (d = hexval(s[j])) >= 0) {
		if (v >> 60)
			return false;
		v = v << 4 | (uint64_t)d;
		j++;
	}
	if (j == start)
		return false;
	*i = j;
	*out = v;
	return true;
}

/* As parse_hex, saturating as parse_dec_sat. */
static bool parse_hex_sat(const char *s, size_t n, size_t *i, uint64_t *out, bool *huge)
{
	size_t j = *i;
	if (parse_hex(s, n, &j, out)) {
		*i = j;
		return true;
	}
	if (j + 2 > n || s[j] != '0' || s[j + 1] != 'x' || j + 2 == n || hexval(s[j + 2]) < 0)
		return false;
	for (j += 2; j < n && hexval(s[j]) >= 0; j++)
		;
	*i = j;
	*out = UINT64_MAX;
	*huge = true;
	return true;
}

/* The input's next window made ready (gpm_dump_options.reading): once per window, kept out
 * of next_line so that the line scan, run for every line, stays a small leaf. */
static __attribute__((noinline)) void reading_at(struct parser *P)
{
	P->read_at = P->o.reading(P->o.reading_arg, P->p);
}

static inline bool next_line(struct parser *P, struct line *l)
{
	if (P->p >= P->end)
		return false;
	if (P->p >= P->read_at)
		reading_at(P);
	const char *e = memchr(P->p, '\n', (size_t)(P->end - P->p));
	l->s = P->p;
	if (e) {
		l->n = (size_t)(e - P->p);
		l->nl = true;
		P->p = e + 1;
	} else {
		l->n = (size_t)(P->end - P->p);
		l->nl = false;
		P->p = P->end;
	}
	return true;
}

static const char *istr(struct parser *P, const char *s, size_t n)
{
	return gpm_incident_str(P->inc, s, n);
}

/* ---- what could not be read ---- */

static void note_lost(struct parser *P, enum lost_kind k, const char *at)
{
	struct lost *l = &P->lost[k];
	if (l->n < sizeof(l->at) / sizeof(l->at[0]))
		l->at[l->n] = at;
	l->n++;
}

static int cmp_ptr(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	return (x > y) - (x < y);
}

/* The input line numbers of positions at[0..n) (sorted in place), as "12, 40, 41". */
/*
 * The 0-based line of the text at p (base <= p <= end), counted on from where the last call
 * stopped: the readers ask in input order, and counting from the start each time made a log
 * of thousands of small dumps quadratic. A position before the cursor counts from the start.
 */
static size_t line_index(struct parser *P, const char *p)
{
	if (P->lc_base != P->base || !P->lc_at || p < P->lc_at) {
		P->lc_base = P->base;
		P->lc_at = P->base;
		P->lc_line = 0;
	}
	for (const char *q; (q = memchr(P->lc_at, '\n', (size_t)(p - P->lc_at)));) {
		P->lc_line++;
		P->lc_at = q + 1;
	}
	return P->lc_line;
}

static void line_numbers(struct parser *P, const char **at, size_t n, char *buf, size_t size)
{
	qsort(at, n, sizeof(*at), cmp_ptr);
	size_t off = 0;
	buf[0] = 0;
	for (size_t i = 0; i < n; i++) {
		if (at[i] < P->base || at[i] > P->end)
			continue;
		size_t line = line_index(P, at[i]);
		size_t shown = line + 1;
		if (P->line_map && line < P->nlines)
			shown = P->line_map[line];
		int w = snprintf(buf + off, size - off, "%s%zu", off ? ", " : "", shown);
		if (w < 0 || (size_t)w >= size - off)
			break;
		off += (size_t)w;
	}
}

static void report_lost(struct parser *P, struct gpm_incident *inc)
{
	static const char *const what[LOST_KINDS][2] = {
	    [LOST_LINE] = {"line inside the dump could not be placed and was skipped",
	                   "lines inside the dump could not be placed and were skipped"},
	    [LOST_LOC] = {"frame has no location line", "frames have no location line"},
	    [LOST_CUT] = {"goroutine was cut short by the end of the input",
	                  "goroutines were cut short by the end of the input"},
	    [LOST_FRAMES] = {"goroutine header has no frames", "goroutine headers have no frames"},
	    [LOST_JOINED] = {"line holds many lines of a dump joined (their line ends lost) and "
	                     "was not read",
	                     "lines hold many lines of a dump joined (their line ends lost) and "
	                     "were not read"},
	    [LOST_CUT_FUNC] = {"frame line was cut inside its arguments, kept without its location",
	                       "frame lines were cut inside their arguments, kept without their "
	                       "locations"},
	    [LOST_PACKED] = {"profile frame line had lost the tabs between its fields; where its "
	                     "pc, offset or file ends was guessed",
	                     "profile frame lines had lost the tabs between their fields; where "
	                     "their pcs, offsets or files end was guessed"},
	    [LOST_CUT_ARGS] = {"frame line was cut inside its arguments (its location was read)",
	                       "frame lines were cut inside their arguments (their locations were "
	                       "read)"},
	    [LOST_BAD_LOC] = {"frame location line could not be read as FILE:LINE; its file and "
	                      "line are unknown",
	                      "frame location lines could not be read as FILE:LINE; their files "
	                      "and lines are unknown"},
	    [LOST_HUGE] = {"number was too large to be real (a goroutine id or count, wait, line "
	                   "or offset) and was read as unknown",
	                   "numbers were too large to be real (goroutine ids or counts, waits, "
	                   "lines or offsets) and were read as unknown"},
	};
	for (int k = 0; k < LOST_KINDS; k++) {
		struct lost *l = &P->lost[k];
		if (!l->n)
			continue;
		size_t shown = l->n < 5 ? (size_t)l->n : 5;
		char lines[128];
		line_numbers(P, l->at, shown, lines, sizeof(lines));
		gpm_incident_warn(inc, "%llu %s (line%s %s%s)", (unsigned long long)l->n,
		                  what[k][l->n != 1], shown == 1 ? "" : "s", lines,
		                  l->n > shown ? ", ..." : "");
	}
}

/* ---- snapshots ---- */

static void snapshot_reset_state(struct parser *P)
{
	P->have_preamble = false;
	P->in_separator = false;
	P->first_goroutine_done = false;
	P->cur_section = UINT32_MAX;
	P->end_snapshot = false;
	P->warned_args = P->warned_lines = false;
	memset(P->lost, 0, sizeof(P->lost));
	P->fents.len = 0;
	if (P->fidx)
		memset(P->fidx, 0, P->fidx_cap * sizeof(*P->fidx));
	P->sents.len = 0;
	if (P->sidx)
		memset(P->sidx, 0, P->sidx_cap * sizeof(*P->sidx));
	P->keys.len = 0;
	if (P->idbits)
		memset(P->idbits, 0, P->idbits_words * sizeof(*P->idbits));
	if (P->idset)
		memset(P->idset, 0, P->idset_cap * sizeof(*P->idset));
	P->idset_len = 0;
	memset(P->states, 0, sizeof(P->states));
}

/*
 * Room for the goroutines and argument texts the rest of the input can hold, reserved once
 * a snapshot has shown it is large (RESERVE_AFTER goroutines): growing 20 MB arrays by
 * doubling costs more in copies than the parse itself, and pages never written are never
 * resident. Not at every snapshot's start: a log of 20,000 small dumps reserved (and
 * prefaulted) the rest of the input for each, 37 s and 766 MB for 460 KB.
 */
static bool reserve_rest(struct parser *P)
{
	size_t left = (size_t)(P->end - P->p);
	size_t est = left / 160 + 16;
	if (est > P->o.max_goroutines)
		est = P->o.max_goroutines;
	return gpm_vec_reserve(&P->inc->goroutines, P->inc->goroutines.len + est) &&
	       gpm_vec_reserve(&P->inc->arg_text, P->inc->arg_text.len + left / 4 + 64);
}

/* Returned inside the parser when the snapshot limit ends the reading (not an error). */
static struct gpm_error limit_stop = {GPM_ERR_STOP, 0, 0, (char *)"snapshot limit"};

static struct gpm_error *ensure_incident(struct parser *P, enum gpm_input_kind kind)
{
	if (P->inc)
		return NULL;
	if (P->nsnapshots >= P->o.max_snapshots) {
		// The first max_snapshots are read; the last of them says where reading ended.
		const char *at = P->p > P->base ? P->p - 1 : P->base;
		while (at > P->base && at[-1] != '\n')
			at--;
		char line[32];
		line_numbers(P, &at, 1, line, sizeof(line));
		if (P->held &&
		    gpm_incident_warn(P->held,
		                      "more than %u dumps in one input: the first %u were read; "
		                      "the rest, from line %s on (%zu bytes), was not",
		                      P->o.max_snapshots, P->o.max_snapshots, line,
		                      (size_t)(P->end - at)))
			return &gpm_error_nomem;
		return &limit_stop;
	}
	P->inc = gpm_incident_create(kind);
	if (!P->inc)
		return &gpm_error_nomem;
	P->inc->snapshot = P->nsnapshots;
	// The time of a dump in a log: the log prefix of its first line (the one just read),
	// else of the next line that has one.
	if (P->line_time && P->p > P->base && P->p <= P->end) {
		size_t line = line_index(P, P->p - 1); // the end of the line just read
		// (A log prefix is near when there is one: not the rest of the input each time.)
		for (size_t i = line; i < P->nlines && i - line < 1024 && !P->inc->time; i++)
			P->inc->time = P->line_time[i];
	}
	if (P->host)
		P->inc->host = gpm_incident_str(P->inc, P->host, strlen(P->host));
	if (P->name && !(P->inc->source_name = istr(P, P->name, strlen(P->name))))
		return &gpm_error_nomem;
	P->inc->text = P->text;
	P->inc->text_len = P->text_len;
	snapshot_reset_state(P);
	return NULL;
}

static bool stack_end_func(const char *name, size_t n);
static bool dump_line(const struct line *l);
static void parse_loc(const char *s, size_t n, struct loc *L);
static bool go_func_shape(const struct line *l);
static struct gpm_error *set_problem(struct parser *P, struct gpm_goroutine *g, const char *why);

/*
 * Whether the input's last line (l, without its line end; prev the line before it, NULL
 * none) was cut where the readers took it as whole: a "created by" without its location, a
 * location without ":LINE" or cut inside "+0x…" or its "fp= sp= pc=" fields, or a created
 * by's location without "+0x…" (the runtime prints it for every one), a goroutine header
 * cut before its "]:", a "[signal …" line before its ']'.
 */
static bool cut_line(const struct line *l, const struct line *prev, const struct line *prevloc)
{
	if (STARTS(l, "created by ") || (STARTS(l, "[signal ") && l->s[l->n - 1] != ']'))
		return true;
	if (l->s[0] == '\t' && prev && (STARTS(prev, "created by ") || go_func_shape(prev))) {
		struct loc L;
		parse_loc(l->s + 1, l->n - 1, &L);
		if (!L.ok)
			return true;
		const char *b = memrchr(l->s, ' ', l->n);
		size_t tn = b ? (size_t)(l->s + l->n - b - 1) : 0;
		if (b && ((tn < 3 && !memcmp(b + 1, "+0x", tn)) ||
		          (tn < 5 && (!memcmp(b + 1, "fp=0x", tn) || !memcmp(b + 1, "sp=0x", tn) ||
		                      !memcmp(b + 1, "pc=0x", tn)))))
			return true;
		// "fp= sp=" without "pc=": Go 1.10 and older print no more, so a line with its
		// line end is taken as cut only when the location before it has "pc=".
		if (memmem(l->s, l->n, " fp=", 4) && !memmem(l->s, l->n, " pc=0x", 6) &&
		    (!l->nl || (prevloc && memmem(prevloc->s, prevloc->n, " pc=0x", 6))))
			return true;
		return STARTS(prev, "created by ") && !memmem(l->s, l->n, " +0x", 4);
	}
	if (l->n < 10)
		return !memcmp(l->s, "goroutine ", l->n);
	return STARTS(l, "goroutine ") && !(l->s[l->n - 2] == ']' && l->s[l->n - 1] == ':');
}

/* The line before the one at s (which starts a line after base), NULL none. */
static bool line_before(const char *base, const char *s, struct line *prev)
{
	if (s <= base)
		return false;
	const char *e = s - 1; // its '\n'
	const char *b = memrchr(base, '\n', (size_t)(e - base));
	b = b ? b + 1 : base;
	*prev = (struct line){b, (size_t)(e - b), true};
	return true;
}

/* The nearest location line with "fp=" fields before the line at s, within 64 lines (the
 * frame before, or the previous stack's last past its thread's registers). */
static bool regs_loc_before(const char *base, const char *s, struct line *loc)
{
	for (int k = 0; k < 64 && line_before(base, s, loc); k++, s = loc->s)
		if (loc->n && loc->s[0] == '\t' && memmem(loc->s, loc->n, " fp=", 4))
			return true;
	return false;
}

/*
 * The end of the input inside the last goroutine where no line said so (a paste or a log
 * cut short at a line end, or inside a line that reads as whole): the last line cut as
 * cut_line says, or a stack whose last frame is one after which the runtime would have
 * printed more — every goroutine ends with "created by", or (the first) with main.main, an
 * init function or a frame that ends stacks (runtime.goexit, runtime.mstart). The last
 * goroutine is marked truncated and the cut counted with the others; a cut before any
 * goroutine is a warning of its own.
 */
static struct gpm_error *check_cut_end(struct parser *P)
{
	struct gpm_incident *inc = P->inc;
	if (P->p < P->end || P->lost[LOST_CUT].n ||
	    (inc->kind != GPM_INPUT_DUMP && inc->kind != GPM_INPUT_PPROF2))
		return NULL;
	// A go-deadlock report ends with its own sections ("goroutine 12 lock 0x…" and the
	// lines of the lock's holder), no runtime text.
	if (inc->lock_reports.len)
		return NULL;
	// A stack a recover logged in a format of its own (gin's, chi's) has no offsets to miss:
	// whole, it ends at runtime.goexit's assembly file (gin's, every caller printed) or
	// with "created by" (chi's).
	struct gpm_goroutine *lg =
	    inc->goroutines.len ? &inc->goroutines.v[inc->goroutines.len - 1] : NULL;
	if (lg && (lg->flags & GPM_GOROUTINE_RECOVER_LOG)) {
		uint32_t nf;
		const struct gpm_frame *f = gpm_goroutine_frames(inc, lg, &nf);
		const char *file = nf ? f[nf - 1].file : NULL;
		size_t fl = file ? strlen(file) : 0;
		if (lg->created_by != UINT32_MAX || (fl > 2 && !strcmp(file + fl - 2, ".s")))
			return NULL;
		const char *e = P->end;
		while (e > P->base && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' '))
			e--;
		const char *ls = e > P->base ? memrchr(P->base, '\n', (size_t)(e - P->base)) : NULL;
		note_lost(P, LOST_CUT, ls ? ls + 1 : P->base);
		lg->flags |= GPM_GOROUTINE_TRUNCATED;
		return set_problem(P, lg, "stack cut by the end of the input");
	}
	const char *e = P->end;
	bool nl = e > P->base && e[-1] == '\n';
	while (e > P->base && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e == P->base)
		return NULL;
	const char *s = memrchr(P->base, '\n', (size_t)(e - P->base));
	s = s ? s + 1 : P->base;
	struct line last = {s, (size_t)(e - s), nl}, prev, prevloc;
	bool has_prev = line_before(P->base, s, &prev);
	// Past what a paste puts after the dump (a Markdown fence, the reporter's words): its
	// last line. A few lines only: a log's other lines after a dump are no paste's end.
	// A header cut before its id ("goroutine", "gorout") is a dump's line too.
#define HEADER_START(l) ((l)->n >= 4 && (l)->n < 10 && !memcmp((l)->s, "goroutine ", (l)->n))
	for (int k = 0; k < 8 && has_prev && !dump_line(&last) && !HEADER_START(&last); k++) {
		last = prev;
		last.nl = true;
		has_prev = line_before(P->base, last.s, &prev);
	}
	if (!dump_line(&last) && !HEADER_START(&last))
		return NULL;
	// The next goroutine's header cut: that goroutine was cut, not the one before it.
	if (HEADER_START(&last)) {
		note_lost(P, LOST_CUT, last.s);
		return NULL;
	}
#undef HEADER_START
	bool has_prevloc = has_prev && regs_loc_before(P->base, last.s, &prevloc);
	// A "created by" or "[signal" line is never the last of a whole dump, line end or not;
	// the rest of what cut_line looks for, with a line end after it (an editor's, a
	// paste's), only where the line cannot be whole.
	bool cut = cut_line(&last, has_prev ? &prev : NULL, has_prevloc ? &prevloc : NULL) ||
	           STARTS(&last, "created by ") ||
	           (STARTS(&last, "[signal ") && last.s[last.n - 1] != ']');
	struct gpm_goroutine *g =
	    inc->goroutines.len ? &inc->goroutines.v[inc->goroutines.len - 1] : NULL;
	// A C thread's call into Go (cgo callbacks) has no "created by"; it is locked to its
	// thread.
	if (!cut && g && (last.s[0] == '\t' || STARTS(&last, "...additional frames elided")) &&
	    g->id != 0 && g->created_by == UINT32_MAX &&
	    !(g->flags &
	      (GPM_GOROUTINE_TRUNCATED | GPM_GOROUTINE_UNAVAILABLE | GPM_GOROUTINE_NO_STACK |
	       GPM_GOROUTINE_LOCKED | GPM_GOROUTINE_REPEAT | GPM_GOROUTINE_RUNTIME_STACK))) {
		uint32_t nf;
		const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &nf);
		const char *fn = nf ? f[nf - 1].func : NULL;
		// Frames elided: the first goroutine's stack ends there, any other's goes on
		// with its "created by".
		if (g->flags & GPM_GOROUTINE_MORE_FRAMES)
			cut = g->id != 1;
		else
			cut = fn && !stack_end_func(fn, strlen(fn)) && !strstr(fn, ".init");
	}
	if (!cut)
		return NULL;
	if (!g) {
		gpm_incident_warn(inc, "the input ends inside its last line: it was cut short");
		return NULL;
	}
	note_lost(P, LOST_CUT, last.s);
	g->flags |= GPM_GOROUTINE_TRUNCATED;
	return set_problem(P, g, "stack cut by the end of the input");
}

static struct gpm_error *preamble_commit(struct parser *P);

static struct gpm_error *finish_snapshot(struct parser *P)
{
	if (!P->inc)
		return NULL;
	struct gpm_error *err = check_cut_end(P);
	if (err)
		return err;
	// A crash without goroutines: its first lines are all there is (its preamble).
	if (!P->inc->goroutines.len && !P->inc->races.len && !P->inc->lock_reports.len &&
	    P->inc->kind == GPM_INPUT_DUMP && (err = preamble_commit(P)))
		return err;
	struct gpm_incident *inc = P->inc;
	P->inc = NULL;
	report_lost(P, inc);
	if (P->panics_cut)
		gpm_incident_warn(inc, "panic values longer than %u bytes were cut", P->o.max_line);
	P->panics_cut = false;
	if (P->headerless)
		gpm_incident_warn(inc,
		                  "%u stack%s had no goroutine header (pasted without it): its "
		                  "goroutine's id and state are unknown",
		                  P->headerless, P->headerless == 1 ? "" : "s");
	P->headerless = 0;
	if (P->joined)
		gpm_incident_warn(
		    inc,
		    "%u line%s held many lines of a dump joined (their line ends lost) "
		    "and %s not read",
		    P->joined, P->joined == 1 ? "" : "s", P->joined == 1 ? "was" : "were");
	P->joined = 0;
	if (inc->panics_dropped)
		gpm_incident_warn(inc, "%llu nested %s beyond the first %u not kept",
		                  (unsigned long long)inc->panics_dropped,
		                  gpm_plural(inc->panics_dropped, "panic", "panics"),
		                  P->o.max_panics);
	if (P->pprof_headerless)
		gpm_incident_warn(inc,
		                  "the profile's first line (\"goroutine profile: total N\") is "
		                  "missing: whether records before the first one read were lost "
		                  "cannot be told");
	else if (inc->kind == GPM_INPUT_PPROF1 && inc->pprof_total != inc->goroutines.len &&
	         inc->pprof_total != UINT64_MAX && inc->goroutines.len < P->o.max_goroutines &&
	         !P->counted_lost)
		gpm_incident_warn(inc, "the profile counts %llu goroutines but %zu were read",
		                  (unsigned long long)inc->pprof_total, inc->goroutines.len);
	P->pprof_headerless = false;
	if (P->bucket_total && P->bucket_total != inc->goroutines.len &&
	    inc->goroutines.len < P->o.max_goroutines && !P->counted_lost)
		gpm_incident_warn(inc, "the summary counts %llu goroutines but %zu were read",
		                  (unsigned long long)P->bucket_total, inc->goroutines.len);
	P->bucket_total = 0;
	if (P->counted_lost)
		gpm_incident_warn(inc,
		                  "%llu %s that records or buckets count %s not made: "
		                  "past the limit of %llu goroutines made from counts in one input "
		                  "(the counts shown are of the %zu kept)",
		                  (unsigned long long)P->counted_lost,
		                  gpm_plural(P->counted_lost, "goroutine", "goroutines"),
		                  gpm_plural(P->counted_lost, "was", "were"),
		                  (unsigned long long)P->o.max_counted, inc->goroutines.len);
	P->counted_lost = 0;
	if (P->nvtests && inc->crash.panics.len && !inc->crash.tests_started) {
		const char *m = inc->crash.panics.v[0].message;
		if (m && !strncmp(m, "test timed out after ", 21) && !strstr(m, "running tests:")) {
			P->tmp.len = 0;
			for (unsigned k = 0; k < P->nvtests; k++) {
				const struct vtest *t = &P->vtests[k];
				if (!gpm_vec_reserve(&P->tmp, P->tmp.len + t->n + 1)) {
					gpm_incident_destroy(inc);
					return &gpm_error_nomem;
				}
				if (k)
					P->tmp.v[P->tmp.len++] = '\n';
				memcpy(P->tmp.v + P->tmp.len, t->s, t->n);
				P->tmp.len += t->n;
			}
			if (!(inc->crash.tests_started =
			          gpm_incident_str(inc, P->tmp.v, P->tmp.len))) {
				gpm_incident_destroy(inc);
				return &gpm_error_nomem;
			}
		}
	}
	P->nvtests = 0;
	if (P->sources)
		gpm_incident_warn(
		    inc,
		    "the log interleaves the output of %u processes (named by its log "
		    "prefixes): their lines were read apart, one dump each",
		    P->sources);
	if (!inc->goroutines.len && !inc->races.len && !inc->lock_reports.len &&
	    inc->kind == GPM_INPUT_DUMP)
		gpm_incident_warn(inc, "no goroutine was in the input: the crash is read from its "
		                       "first lines only");
	if (P->reversed)
		gpm_incident_warn(inc, "the log was newest-first (lines in reverse order): read "
		                       "bottom to top");
	if (P->cut_records) // said once, by the snapshot that read them
		gpm_incident_warn(inc,
		                  "%zu log record%s holding the dump %s cut inside %s text (line "
		                  "%u): read as far as %s",
		                  P->cut_records, P->cut_records == 1 ? "" : "s",
		                  P->cut_records == 1 ? "was" : "were",
		                  P->cut_records == 1 ? "its" : "their", (unsigned)P->cut_record,
		                  P->cut_records == 1 ? "it goes" : "they go");
	inc->dump_cut = P->cut_records || P->logcat_cuts;
	P->cut_records = 0;
	if (P->logcat_cuts)
		gpm_incident_warn(inc,
		                  "%zu Android log message%s %s cut at the log's limit of 4 KiB a "
		                  "message (line %u): read as far as %s, the rest of %s text was "
		                  "lost",
		                  P->logcat_cuts, P->logcat_cuts == 1 ? "" : "s",
		                  P->logcat_cuts == 1 ? "was" : "were", (unsigned)P->logcat_cut,
		                  P->logcat_cuts == 1 ? "it goes" : "they go",
		                  P->logcat_cuts == 1 ? "its" : "their");
	P->logcat_cuts = 0;
	if (P->blind_joins) // said once, by the snapshot that read them
		gpm_incident_warn(
		    inc,
		    "%zu line%s cut by a console %s joined where the paste had dropped "
		    "the blanks that start lines (line %u): a blank at %s cut may be "
		    "missing",
		    P->blind_joins, P->blind_joins == 1 ? "" : "s",
		    P->blind_joins == 1 ? "was" : "were", (unsigned)P->blind_join,
		    P->blind_joins == 1 ? "its" : "a");
	P->blind_joins = 0;
	if (inc->crash.kind == GPM_FATAL_NONE && inc->crash.panics.len)
		inc->crash.kind = GPM_FATAL_PANIC;
	P->nsnapshots++;
	if (P->nsnapshots == P->o.max_snapshots) {
		P->held = inc;
		return NULL;
	}
	return P->fn(inc, P->arg);
}

enum { IDBITS_MAX_WORDS = 1 << 17 }; /* ids below 8,388,608: at most 1 MiB of bitmap */

static bool idset_has(const struct parser *P, uint64_t id)
{
	if (id / 64 < P->idbits_words)
		return P->idbits[id / 64] >> (id % 64) & 1;
	if (!P->idset_cap)
		return false;
	uint64_t key = id + 1;
	size_t mask = P->idset_cap - 1;
	for (size_t j = fast_hash(&key, 8, 0) & mask; P->idset[j]; j = (j + 1) & mask)
		if (P->idset[j] == key)
			return true;
	return false;
}

/* Whether this goroutine id was already listed in this snapshot (and records it). */
static bool idset_seen(struct parser *P, uint64_t id, bool *nomem)
{
	if (id / 64 < IDBITS_MAX_WORDS) {
		size_t w = (size_t)(id / 64);
		if (w >= P->idbits_words) {
			size_t nw = P->idbits_words ? P->idbits_words : 64;
			while (nw <= w)
				nw *= 2;
			uint64_t *n = realloc(P->idbits, nw * sizeof(*n));
			if (!n) {
				*nomem = true;
				return false;
			}
			memset(n + P->idbits_words, 0, (nw - P->idbits_words) * sizeof(*n));
			P->idbits = n;
			P->idbits_words = nw;
		}
		uint64_t bit = 1ULL << (id % 64);
		bool seen = P->idbits[w] & bit;
		P->idbits[w] |= bit;
		return seen;
	}
	if ((P->idset_len + 1) * 2 > P->idset_cap) {
		size_t ncap = P->idset_cap ? P->idset_cap * 2 : 1024;
		uint64_t *n = calloc(ncap, sizeof(*n));
		if (!n) {
			*nomem = true;
			return false;
		}
		for (size_t i = 0; i < P->idset_cap; i++) {
			if (!P->idset[i])
				continue;
			size_t j = fast_hash(&P->idset[i], 8, 0) & (ncap - 1);
			while (n[j])
				j = (j + 1) & (ncap - 1);
			n[j] = P->idset[i];
		}
		free(P->idset);
		P->idset = n;
		P->idset_cap = ncap;
	}
	uint64_t key = id + 1;
	size_t mask = P->idset_cap - 1;
	size_t j = fast_hash(&key, 8, 0) & mask;
	for (; P->idset[j]; j = (j + 1) & mask)
		if (P->idset[j] == key)
			return true;
	P->idset[j] = key;
	P->idset_len++;
	return false;
}

/* ---- the frame cache ---- */

static bool fidx_grow(struct parser *P)
{
	size_t ncap = P->fidx_cap ? P->fidx_cap * 2 : 1024;
	uint32_t *n = calloc(ncap, sizeof(*n));
	if (!n)
		return false;
	for (size_t i = 0; i < P->fents.len; i++) {
		size_t j = P->fents.v[i].hash & (ncap - 1);
		while (n[j])
			j = (j + 1) & (ncap - 1);
		n[j] = (uint32_t)i + 1;
	}
	free(P->fidx);
	P->fidx = n;
	P->fidx_cap = ncap;
	return true;
}

/*
 * Reads "0xHEX" ending at e (exclusive), backwards, in one pass: *start is where "0x" is.
 * More than 16 significant digits read as UINT64_MAX with *huge set.
 */
static bool rhex(const char *s, size_t e, size_t *start, uint64_t *out, bool *huge)
{
	size_t d = e;
	uint64_t v = 0;
	unsigned shift = 0;
	bool over = false;
	for (int h; d > 0 && (h = hexval(s[d - 1])) >= 0; d--, shift += 4) {
		if (shift >= 64) {
			over |= h != 0;
			continue;
		}
		v |= (uint64_t)h << shift;
	}
	if (d == e || d < 2 || s[d - 1] != 'x' || s[d - 2] != '0')
		return false;
	*start = d - 2;
	*out = over ? UINT64_MAX : v;
	*huge |= over;
	return true;
}

/*
 * Whether the location line s[0..n) may end in " fp=0x… sp=0x… pc=0x…" (any of them):
 * it ends in "=0xHEX". When not, parse_loc finds no registers and no pc, and the key
 * length is the whole line.
 */
static bool loc_has_regs(const char *s, size_t n)
{
	size_t d = n;
	while (d > 0 && hex_digit1[(unsigned char)s[d - 1]])
		d--;
	return d < n && d >= 3 && s[d - 1] == 'x' && s[d - 2] == '0' && s[d - 3] == '=';
}

static void parse_loc(const char *s, size_t n, struct loc *L)
{
	memset(L, 0, sizeof(*L));
	size_t e = n, st;
	uint64_t v;
	// Trailing " fp=0x… sp=0x… pc=0x…" of a system traceback, " fp=… sp=…" of Go 1.10 and
	// older, or " pc=…" alone: any subset in any order, read from the end; then "+0x…".
	bool hex = rhex(s, e, &st, &v, &L->huge), fp = false, sp = false;
	for (int k = 0; k < 3 && hex && st >= 4 && s[st - 1] == '=' && s[st - 4] == ' '; k++) {
		const char *key = s + st - 3;
		if (key[0] == 'p' && key[1] == 'c')
			L->pc = v;
		else if (key[0] == 's' && key[1] == 'p')
			L->sp = v, sp = true;
		else if (key[0] == 'f' && key[1] == 'p')
			L->fp = v, fp = true;
		else
			break;
		e = st - 4;
		hex = rhex(s, e, &st, &v, &L->huge);
	}
	L->has_regs = fp && sp;
	L->key_len = e;
	if (hex && st >= 2 && s[st - 1] == '+' && s[st - 2] == ' ') {
		L->has_off = true;
		L->off = v;
		e = st - 2;
	}
	size_t d = e;
	while (d > 0 && is_digit(s[d - 1]))
		d--;
	if (d == e || d == 0 || s[d - 1] != ':')
		return;
	size_t i = d;
	bool huge = false;
	if (!parse_dec_sat(s, e, &i, &L->line, &huge))
		return;
	if (huge || L->line > UINT32_MAX) { // the file is still known
		L->line = 0;
		L->huge = true;
	}
	L->file = s;
	L->file_len = d - 1;
	L->ok = true;
}

/*
 * Looks up (or parses and adds) the frame "name(args)" + location line. flags are extra
 * frame flags (inlined) that are part of the key via the name/args shape. Returns the
 * fentry id or UINT32_MAX on out of memory.
 */
static uint32_t frame_lookup(struct parser *P, const char *name, size_t name_len, const char *loc,
                             size_t loc_len, uint32_t flags, const struct loc *L, uint64_t elided)
{
	uint64_t h = fast_hash(name, name_len, flags);
	h = fast_hash(loc, loc_len, h) ^ (L ? L->pc * 0x9e3779b97f4a7c15ULL : 0) ^ elided;
	if ((P->fents.len + 1) * 2 > P->fidx_cap && !fidx_grow(P))
		return UINT32_MAX;
	size_t mask = P->fidx_cap - 1;
	size_t j = h & mask;
	for (; P->fidx[j]; j = (j + 1) & mask) {
		struct fentry *f = &P->fents.v[P->fidx[j] - 1];
		if (f->hash == h && f->name_len == name_len && f->loc_len == loc_len &&
		    (f->frame.flags & GPM_FRAME_INLINED) == (flags & GPM_FRAME_INLINED) &&
		    memcmp(f->name, name, name_len) == 0 && memcmp(f->loc, loc, loc_len) == 0 &&
		    (!L || f->frame.pc == L->pc) && (!elided || f->frame.line == elided))
			return P->fidx[j] - 1;
	}
	if (P->fents.len >= UINT32_MAX - 2)
		return UINT32_MAX;
	struct fentry *f = gpm_vec_push(&P->fents);
	if (!f)
		return UINT32_MAX;
	f->hash = h;
	f->name = name;
	f->name_len = (uint32_t)name_len;
	f->loc = loc;
	f->loc_len = (uint32_t)loc_len;
	f->lone = UINT32_MAX;
	f->frame.flags = flags;
	if (name_len && !(f->frame.func = istr(P, name, name_len)))
		goto nomem;
	if (L) {
		if (L->ok) {
			if (!(f->frame.file = istr(P, L->file, L->file_len)))
				goto nomem;
			f->frame.line = (uint32_t)L->line;
		}
		if (L->has_off && L->off != UINT64_MAX) { // UINT64_MAX: too large, unknown
			f->frame.flags |= GPM_FRAME_HAS_OFFSET;
			f->frame.offset = L->off > UINT32_MAX ? UINT32_MAX : (uint32_t)L->off;
		}
		f->frame.pc = L->pc;
	}
	if (elided)
		f->frame.line = elided > UINT32_MAX ? UINT32_MAX : (uint32_t)elided;
	P->fidx[j] = (uint32_t)P->fents.len;
	return (uint32_t)P->fents.len - 1;
nomem:
	P->fents.len--;
	return UINT32_MAX;
}

/* ---- stacks ---- */

static bool sidx_grow(struct parser *P)
{
	size_t ncap = P->sidx_cap ? P->sidx_cap * 2 : 1024;
	uint32_t *n = calloc(ncap, sizeof(*n));
	if (!n)
		return false;
	for (size_t i = 0; i < P->sents.len; i++) {
		size_t j = P->sents.v[i].hash & (ncap - 1);
		while (n[j])
			j = (j + 1) & (ncap - 1);
		n[j] = (uint32_t)i + 1;
	}
	free(P->sidx);
	P->sidx = n;
	P->sidx_cap = ncap;
	return true;
}

/* Appends n bytes to the current stack key. */
static inline bool key_put(struct parser *P, const void *p, size_t n)
{
	if (P->key.cap - P->key.len < n && !gpm_vec_reserve(&P->key, P->key.len + n))
		return false;
	if (n)
		memcpy(P->key.v + P->key.len, p, n);
	P->key.len += n;
	return true;
}

/*
 * One frame's part of the stack key: a header (flags, lengths, pc or elided count) and then
 * the function name and the location line up to its fp=/sp=/pc= suffix. The lengths up
 * front keep the key unambiguous whatever bytes the text holds. The usual frame (no pc,
 * short lines) has an 8-byte header, the rest 32 bytes; the first word says which.
 */
static bool stack_key_frame(struct parser *P, const struct rawframe *f)
{
	uint32_t tag = f->flags | (uint32_t)f->has_loc << 16;
	if (!f->L.pc && !f->elided && f->name_len <= UINT16_MAX && f->loc_len <= UINT16_MAX) {
		struct {
			uint32_t tag;
			uint16_t name_len, loc_len;
		} h = {tag | 1u << 17, (uint16_t)f->name_len, (uint16_t)f->loc_len};
		if (!key_put(P, &h, sizeof(h)))
			return false;
	} else {
		struct {
			uint32_t tag, name_len, loc_len, pad;
			uint64_t pc, elided;
		} h = {tag, f->name_len, f->loc_len, 0, f->L.pc, f->elided};
		if (!key_put(P, &h, sizeof(h)))
			return false;
	}
	return key_put(P, f->name, f->name_len) && key_put(P, f->loc, f->loc_len);
}

/* A new distinct stack from text: its frames through the frame cache into P->gids. */
static bool decode_raw_frames(struct parser *P)
{
	P->gids.len = 0;
	for (size_t i = 0; i < P->raw.len; i++) {
		const struct rawframe *f = &P->raw.v[i];
		struct loc L;
		if (f->lazy)
			parse_loc(f->loc, f->loc_len, &L);
		// What a location line said that could not be read: once per distinct stack
		// (a stack seen again is not decoded again). A line cut by the end of the input
		// is counted as cut instead.
		const struct loc *fl = f->lazy ? &L : f->has_loc ? &f->L : NULL;
		if (fl && f->loc_len && f->loc + f->loc_len < P->end &&
		    !(f->flags & (GPM_FRAME_NON_GO | GPM_FRAME_C | GPM_FRAME_ELIDED))) {
			if (!fl->ok)
				note_lost(P, LOST_BAD_LOC, f->loc);
			else if (fl->huge)
				note_lost(P, LOST_HUGE, f->loc);
		}
		uint32_t id = frame_lookup(P, f->name, f->name_len, f->loc, f->loc_len, f->flags,
		                           f->lazy      ? &L
		                           : f->has_loc ? &f->L
		                                        : NULL,
		                           f->elided);
		uint32_t *v = gpm_vec_push(&P->gids);
		if (id == UINT32_MAX || !v)
			return false;
		*v = id;
	}
	return true;
}

/*
 * Finds or creates the model stack of the current block: by its key (P->key) for text,
 * by its fentry ids (P->gids) for pprof debug=1. *sent_out is the parser's entry.
 */
static struct gpm_error *stack_commit(struct parser *P, uint32_t *stack_out, uint32_t *sent_out)
{
	bool text = P->raw.len > 0;
	if (!text) {
		P->key.len = 0;
		if (!key_put(P, "I", 1) || !key_put(P, P->gids.v, P->gids.len * sizeof(uint32_t)))
			return &gpm_error_nomem;
	}
	if (P->key.len >= UINT32_MAX)
		return gpm_error_create(GPM_ERR_LIMIT, "a stack of more than 4 GiB");
	uint32_t klen = (uint32_t)P->key.len;
	uint64_t h = fast_hash(P->key.v, klen, 0x5bd1e995);
	if ((P->sents.len + 1) * 2 > P->sidx_cap && !sidx_grow(P))
		return &gpm_error_nomem;
	size_t mask = P->sidx_cap - 1;
	size_t j = h & mask;
	for (; P->sidx[j]; j = (j + 1) & mask) {
		struct sentry *s = &P->sents.v[P->sidx[j] - 1];
		if (s->hash == h && s->key_len == klen &&
		    memcmp(P->keys.v + s->key_off, P->key.v, klen) == 0) {
			P->inc->stacks.v[s->stack].refs++;
			*stack_out = s->stack;
			*sent_out = P->sidx[j] - 1;
			return NULL;
		}
	}
	if (P->sents.len >= UINT32_MAX - 2)
		return gpm_error_create(GPM_ERR_LIMIT, "too many distinct stacks");
	if (text && !decode_raw_frames(P))
		return &gpm_error_nomem;
	uint32_t n = (uint32_t)P->gids.len;
	struct gpm_stack_builder b;
	gpm_incident_stack_begin(P->inc, &b);
	for (uint32_t i = 0; i < n; i++) {
		struct gpm_frame *f = gpm_incident_frame_push(P->inc);
		if (!f)
			return &gpm_error_nomem;
		*f = P->fents.v[P->gids.v[i]].frame;
	}
	uint32_t stack;
	struct gpm_error *err = gpm_incident_stack_commit(P->inc, &b, &stack);
	if (err)
		return err;
	if (!gpm_vec_reserve(&P->keys, P->keys.len + klen))
		return &gpm_error_nomem;
	struct sentry *s = gpm_vec_push(&P->sents);
	if (!s)
		return &gpm_error_nomem;
	s->hash = h;
	s->key_off = P->keys.len;
	s->key_len = klen;
	s->stack = stack;
	s->args_off = s->args_len = UINT32_MAX;
	s->cb_lone = UINT32_MAX;
	memcpy(P->keys.v + P->keys.len, P->key.v, klen);
	P->keys.len += klen;
	P->sidx[j] = (uint32_t)P->sents.len;
	*stack_out = stack;
	*sent_out = (uint32_t)P->sents.len - 1;
	return NULL;
}

/* Stores the goroutine's argument texts (P->gargs), shared with the stack's first user
 * when they are the same. */
static struct gpm_error *args_commit(struct parser *P, struct gpm_goroutine *g, uint32_t sent)
{
	// Every frame printed "()" or "(...)": nothing to keep.
	if (!P->spans_any && P->spans.len == P->nframes)
		return NULL;
	if (P->text && P->block_plain && P->raw.len == P->nframes &&
	    (size_t)(P->block_start - P->text) < UINT32_MAX) {
		// Read in place when printed (gpm_args_iter_next): nothing to copy.
		g->args = (uint32_t)(P->block_start - P->text);
		g->args_in_text = true;
		return NULL;
	}
	// Kept NUL-terminated: an argument text ends at a NUL byte (the runtime prints none;
	// gpm_args_iter_next cuts texts read in place the same way).
	size_t total = 0;
	for (size_t k = 0; k < P->spans.len; k++)
		total += P->spans.v[k].n + 1;
	if (!gpm_vec_reserve(&P->gargs, total))
		return &gpm_error_nomem;
	P->gargs.len = 0;
	for (size_t k = 0; k < P->spans.len; k++) {
		const char *t = P->spans.v[k].s;
		size_t tn = P->spans.v[k].n;
		const char *z = tn ? memchr(t, 0, tn) : NULL;
		if (z)
			tn = (size_t)(z - t);
		memcpy(P->gargs.v + P->gargs.len, t, tn);
		P->gargs.v[P->gargs.len + tn] = 0;
		P->gargs.len += tn + 1;
	}
	size_t n = P->gargs.len;
	if (n == P->nframes)
		return NULL;
	struct sentry *s = &P->sents.v[sent];
	if (s->args_len == n && memcmp(P->inc->arg_text.v + s->args_off, P->gargs.v, n) == 0) {
		g->args = s->args_off;
		return NULL;
	}
	struct gpm_incident *inc = P->inc;
	if (inc->arg_text.len + n >= UINT32_MAX) {
		if (!P->warned_args) {
			P->warned_args = true;
			gpm_incident_warn(inc, "argument texts beyond 4 GiB were not kept");
		}
		return NULL;
	}
	if (!gpm_vec_reserve(&inc->arg_text, inc->arg_text.len + n))
		return &gpm_error_nomem;
	uint32_t off = (uint32_t)inc->arg_text.len;
	gpm_prefault(&inc->prefault_args, inc->arg_text.v, off + n, inc->arg_text.cap);
	memcpy(inc->arg_text.v + off, P->gargs.v, n);
	inc->arg_text.len += n;
	g->args = off;
	if (s->args_len == UINT32_MAX) {
		s->args_off = off;
		s->args_len = (uint32_t)n;
	}
	return NULL;
}

/* ---- headers ---- */

struct header {
	uint64_t id;
	uint64_t gaddr, mp;
	int64_t m_id;
	bool has_gp, m_nil;
	const char *state;
	size_t state_len;
	uint32_t flags;
	int64_t minutes;
	uint64_t bubble;
	const char *labels; /* text of the label list without braces */
	size_t labels_len;
	bool labels_inside, complete;
	bool huge; /* a number too large to be real, read as unknown (LOST_HUGE) */
};

static bool is_header(const struct line *l)
{
	return l->n > 10 && l->s[0] == 'g' && memcmp(l->s, "goroutine ", 10) == 0 &&
	       (is_digit(l->s[10]) || gpm_dump_placeholder_id(l->s + 10, l->n - 10));
}

/* Finds the closing '}' of a label list starting after '{', skipping quoted strings. */
static size_t labels_end(const char *s, size_t n, size_t i)
{
	bool q = false;
	for (; i < n; i++) {
		char c = s[i];
		if (q) {
			if (c == '\\')
				i++;
			else if (c == '"')
				q = false;
		} else if (c == '"') {
			q = true;
		} else if (c == '}') {
			return i;
		}
	}
	return n;
}

static bool parse_header_rest(const struct line *l, size_t i, struct header *h);

/* runtime/traceback.go (Go 1.27): goroutineheader. Accepts a header cut at the end. */
static bool parse_header(const struct line *l, struct header *h)
{
	size_t i = 10;
	memset(h, 0, sizeof(*h));
	h->m_id = -1;
	h->minutes = -1;
	size_t ph = gpm_dump_placeholder_id(l->s + i, l->n - i);
	if (ph) { // no id printed: the goroutine is one without, as a tool's bucket's
		h->flags |= GPM_GOROUTINE_NO_ID;
		i += ph;
	} else if (!parse_dec_sat(l->s, l->n, &i, &h->id, &h->huge)) {
		return false;
	} else if (h->id == UINT64_MAX && h->huge) { // no real id: read as one without
		h->id = 0;
		h->flags |= GPM_GOROUTINE_NO_ID;
	}
	return parse_header_rest(l, i, h);
}

/* The header from after the goroutine id: " gp=… [state, N minutes]:" */
static bool parse_header_rest(const struct line *l, size_t i, struct header *h)
{
	const char *s = l->s;
	size_t n = l->n;
	if (starts(s + i, n - i, " gp=", 4)) {
		i += 4;
		if (!parse_hex_sat(s, n, &i, &h->gaddr, &h->huge))
			return false;
		// A 17-digit g address is no address: as if not printed.
		h->has_gp = h->gaddr != UINT64_MAX;
		if (!h->has_gp)
			h->gaddr = 0;
		if (starts(s + i, n - i, " m=nil", 6)) {
			i += 6;
			h->m_nil = true;
		} else if (starts(s + i, n - i, " m=", 3)) {
			i += 3;
			uint64_t m;
			if (!parse_dec_sat(s, n, &i, &m, &h->huge))
				return false;
			if (m > INT64_MAX)
				h->huge = true;
			else
				h->m_id = (int64_t)m;
			if (!starts(s + i, n - i, " mp=", 4))
				return false;
			i += 4;
			if (!parse_hex_sat(s, n, &i, &h->mp, &h->huge))
				return false;
			if (h->mp == UINT64_MAX)
				h->mp = 0;
		}
	}
	if (i == n && !l->nl) // cut right after the id
		return true;
	if (!starts(s + i, n - i, " [", 2))
		return false;
	i += 2;
	size_t st = i;
	// The state runs to the first ',' or ']' or " labels:{" (wait reasons hold neither):
	// one table load a byte, the blanks looked at closer.
	static const bool stop[256] = {[','] = true, [']'] = true, [' '] = true};
	for (; i < n; i++)
		if (stop[(unsigned char)s[i]] &&
		    (s[i] != ' ' || starts(s + i, n - i, " labels:{", 9)))
			break;
	size_t se = i;
	// Suffixes the runtime appends to the status, in reverse order of printing.
	if (se - st >= 10 && memcmp(s + se - 10, " (durable)", 10) == 0)
		h->flags |= GPM_GOROUTINE_DURABLE; // kept in the state text (some reasons hold it)
	if (se - st >= 7 && memcmp(s + se - 7, " (scan)", 7) == 0) {
		h->flags |= GPM_GOROUTINE_SCAN;
		se -= 7;
	}
	h->state = s + st;
	h->state_len = se - st;
	while (i < n && s[i] == ',') {
		i++;
		uint64_t v;
		if (starts(s + i, n - i, " locked to thread", 17)) {
			i += 17;
			h->flags |= GPM_GOROUTINE_LOCKED;
		} else if (starts(s + i, n - i, " synctest bubble ", 17)) {
			i += 17;
			if (!parse_dec_sat(s, n, &i, &h->bubble, &h->huge))
				return false;
		} else if (starts(s + i, n - i, " synctest group ", 16)) {
			i += 16;
			if (!parse_dec_sat(s, n, &i, &h->bubble, &h->huge))
				return false;
			h->flags |= GPM_GOROUTINE_SYNCTEST_GROUP;
		} else {
			size_t j = i + 1;
			bool huge = false;
			if (i < n && s[i] == ' ' && parse_dec_sat(s, n, &j, &v, &huge) &&
			    starts(s + j, n - j, " minutes", 8)) {
				i = j + 8;
				// Past 2^63 minutes is no wait at all: unknown, and said.
				h->huge |= huge || v > INT64_MAX;
				h->minutes = huge || v > INT64_MAX ? -1 : (int64_t)v;
			} else if (i >= n && !l->nl) {
				return true;
			} else {
				return false;
			}
		}
	}
	if (starts(s + i, n - i, " labels:{", 9)) {
		i += 9;
		size_t e = labels_end(s, n, i);
		h->labels = s + i;
		h->labels_len = e - i;
		h->labels_inside = true;
		i = e < n ? e + 1 : n;
	}
	if (i >= n)
		return !l->nl;
	if (s[i] != ']')
		return false;
	i++;
	if (starts(s + i, n - i, " {", 2)) {
		i += 2;
		size_t e = labels_end(s, n, i);
		h->labels = s + i;
		h->labels_len = e - i;
		i = e < n ? e + 1 : n;
	}
	if (i < n && s[i] == ':' && i + 1 == n) {
		h->complete = true;
		return true;
	}
	return i >= n && !l->nl;
}

/* Decodes one label token (quoted per runtime printquoted / Go %q, or bare). */
static bool label_token(struct parser *P, const char *s, size_t n, size_t *i, char stop)
{
	P->tmp.len = 0;
	size_t j = *i;
	if (j < n && s[j] == '"') {
		j++;
		while (j < n && s[j] != '"') {
			char c = s[j++];
			if (c != '\\' || j >= n) {
				if (!gpm_vec_push(&P->tmp))
					return false;
				P->tmp.v[P->tmp.len - 1] = c;
				continue;
			}
			char e = s[j++];
			uint32_t r = 0;
			int digits = 0;
			switch (e) {
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case 't':
				c = '\t';
				break;
			case 'a':
				c = '\a';
				break;
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case 'v':
				c = '\v';
				break;
			case 'x':
				digits = 2;
				break;
			case 'u':
				digits = 4;
				break;
			case 'U':
				digits = 8;
				break;
			default:
				c = e;
				break;
			}
			if (digits) {
				for (int k = 0; k < digits && j < n && hexval(s[j]) >= 0; k++)
					r = r << 4 | (uint32_t)hexval(s[j++]);
				char buf[4];
				size_t bl;
				if (e == 'x' || r < 0x80) {
					buf[0] = (char)r;
					bl = 1;
				} else if (r < 0x800) {
					buf[0] = (char)(0xc0 | r >> 6);
					buf[1] = (char)(0x80 | (r & 0x3f));
					bl = 2;
				} else if (r < 0x10000) {
					buf[0] = (char)(0xe0 | r >> 12);
					buf[1] = (char)(0x80 | ((r >> 6) & 0x3f));
					buf[2] = (char)(0x80 | (r & 0x3f));
					bl = 3;
				} else {
					buf[0] = (char)(0xf0 | (r >> 18 & 7));
					buf[1] = (char)(0x80 | ((r >> 12) & 0x3f));
					buf[2] = (char)(0x80 | ((r >> 6) & 0x3f));
					buf[3] = (char)(0x80 | (r & 0x3f));
					bl = 4;
				}
				if (!gpm_vec_reserve(&P->tmp, P->tmp.len + bl))
					return false;
				memcpy(P->tmp.v + P->tmp.len, buf, bl);
				P->tmp.len += bl;
				continue;
			}
			if (!gpm_vec_push(&P->tmp))
				return false;
			P->tmp.v[P->tmp.len - 1] = c;
		}
		if (j < n)
			j++;
	} else {
		size_t st = j;
		while (j < n && s[j] != stop && s[j] != ',' && s[j] != '}')
			j++;
		if (!gpm_vec_reserve(&P->tmp, P->tmp.len + (j - st)))
			return false;
		if (j > st)
			memcpy(P->tmp.v, s + st, j - st);
		P->tmp.len = j - st;
	}
	*i = j;
	return true;
}

/* Label lists: `k: v, k2: "v 2"` (Go 1.27), `"k": "v"` (1.26), `"k":"v", …` (pprof). */
static struct gpm_error *parse_labels(struct parser *P, struct gpm_goroutine *g, const char *s,
                                      size_t n)
{
	size_t i = 0;
	uint32_t count = 0;
	while (i < n) {
		while (i < n && s[i] == ' ')
			i++;
		if (i >= n)
			break;
		if (count >= MAX_LABELS) {
			gpm_incident_warn(P->inc,
			                  "goroutine %llu: more than %u labels, rest dropped",
			                  (unsigned long long)g->id, MAX_LABELS);
			break;
		}
		if (!label_token(P, s, n, &i, ':'))
			return &gpm_error_nomem;
		char *key = malloc(P->tmp.len + 1);
		if (!key)
			return &gpm_error_nomem;
		if (P->tmp.len) // tmp.v is NULL until the first non-empty token
			memcpy(key, P->tmp.v, P->tmp.len);
		size_t klen = P->tmp.len;
		if (i < n && s[i] == ':')
			i++;
		while (i < n && s[i] == ' ')
			i++;
		if (!label_token(P, s, n, &i, ',')) {
			free(key);
			return &gpm_error_nomem;
		}
		struct gpm_error *err = gpm_incident_label_push(
		    P->inc, g, key, klen, P->tmp.v ? P->tmp.v : "", P->tmp.len);
		free(key);
		if (err)
			return err;
		count++;
		size_t before = i;
		while (i < n && s[i] != ',')
			i++;
		if (i < n)
			i++;
		if (i == before && i < n)
			i++;
	}
	return NULL;
}

static void set_state(struct parser *P, struct gpm_goroutine *g, const char *s, size_t n)
{
	static const struct {
		const char *name;
		enum gpm_gstatus st;
	} plain[] = {
	    {"running", GPM_G_RUNNING},     {"runnable", GPM_G_RUNNABLE},
	    {"syscall", GPM_G_SYSCALL},     {"idle", GPM_G_IDLE},
	    {"dead", GPM_G_DEAD},           {"copystack", GPM_G_COPYSTACK},
	    {"preempted", GPM_G_PREEMPTED}, {"moribund", GPM_G_MORIBUND},
	    {"enqueue", GPM_G_ENQUEUE},     {"waiting", GPM_G_WAITING},
	    {"leaked", GPM_G_LEAKED},       {"deadextra", GPM_G_DEADEXTRA},
	    {"???", GPM_G_UNKNOWN},
	};
	struct state_memo *m = &P->states[fast_hash(s, n, 0) & 63];
	if (m->state && m->n == n && memcmp(m->s, s, n) == 0) {
		g->state = m->state;
		g->wait_reason = m->wait_reason;
		g->status = m->status;
		return;
	}
	g->state = istr(P, s, n);
	g->status = GPM_G_WAITING;
	g->wait_reason = g->state;
	bool found = false;
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]) && !found; i++) {
		if (strlen(plain[i].name) == n && memcmp(plain[i].name, s, n) == 0) {
			g->status = (uint8_t)plain[i].st;
			g->wait_reason = NULL;
			found = true;
		}
	}
	if (!found && n >= 9 && memcmp(s + n - 9, " (leaked)", 9) == 0) {
		g->status = GPM_G_LEAKED;
		g->wait_reason = istr(P, s, n - 9);
		if (!g->wait_reason)
			return;
	}
	if (g->state)
		*m = (struct state_memo){s, n, g->state, g->wait_reason, g->status};
}

/* ---- goroutine blocks ---- */

static struct gpm_error *set_problem(struct parser *P, struct gpm_goroutine *g, const char *why)
{
	struct gpm_goroutine_extra *x = gpm_incident_goroutine_extra(P->inc, g);
	if (!x || !(x->problem = istr(P, why, strlen(why))))
		return &gpm_error_nomem;
	return NULL;
}

/* Parses "created by F[ in goroutine N]" + location. */
static bool loc_after_foreign(struct parser *P, struct line *loc);

/*
 * "created by f[ in goroutine N]" and its location line: *frame_out is the frame in
 * incident->frames. sent is the parser's entry of the goroutine's stack (its memo of the
 * last "created by"), UINT32_MAX for none.
 */
static struct gpm_error *created_by(struct parser *P, const struct line *l, uint32_t *frame_out,
                                    uint64_t *parent, uint32_t sent)
{
	const char *name = l->s + 11;
	size_t nlen = l->n - 11;
	// " in goroutine N" at the end (Go 1.21+)
	size_t d = nlen;
	while (d > 0 && is_digit(name[d - 1]))
		d--;
	if (d < nlen && d >= 14 && memcmp(name + d - 14, " in goroutine ", 14) == 0) {
		size_t i = d;
		bool huge = false;
		parse_dec_sat(name, nlen, &i, parent, &huge);
		if (huge) { // no real goroutine: the creator is unknown
			*parent = 0;
			note_lost(P, LOST_HUGE, l->s);
		}
		nlen = d - 14;
	}
	struct line loc = {0};
	const char *save = P->p;
	struct loc L;
	bool have_loc = next_line(P, &loc) && loc.n > 0 && loc.s[0] == '\t';
	struct sentry *s = NULL;
	if (have_loc && sent != UINT32_MAX) {
		s = &P->sents.v[sent];
		if (s->cb_lone != UINT32_MAX && s->cb_name_len == nlen &&
		    s->cb_loc_len == loc.n - 1 && memcmp(s->cb_name, name, nlen) == 0 &&
		    memcmp(s->cb_loc, loc.s + 1, loc.n - 1) == 0) {
			*frame_out = s->cb_lone;
			return NULL;
		}
	}
	if (!have_loc) {
		P->p = save;
		have_loc = loc_after_foreign(P, &loc);
	}
	if (!have_loc) {
		loc.s = "";
		loc.n = 0;
		memset(&L, 0, sizeof(L));
	} else {
		parse_loc(loc.s + 1, loc.n - 1, &L);
		L.key_len = loc.n - 1;
	}
	uint32_t id = frame_lookup(P, name, nlen, have_loc ? loc.s + 1 : "", L.key_len, 0, &L, 0);
	if (id == UINT32_MAX)
		return &gpm_error_nomem;
	struct fentry *f = &P->fents.v[id];
	if (f->lone == UINT32_MAX) {
		struct gpm_error *err = gpm_incident_lone_frame(P->inc, &f->frame, &f->lone);
		if (err)
			return err;
	}
	if (s && loc.n - 1 <= UINT32_MAX && nlen <= UINT32_MAX) {
		s->cb_name = name;
		s->cb_name_len = (uint32_t)nlen;
		s->cb_loc = loc.s + 1;
		s->cb_loc_len = (uint32_t)(loc.n - 1);
		s->cb_lone = f->lone;
	}
	*frame_out = f->lone;
	return NULL;
}

static bool push_gid(struct parser *P, uint32_t id)
{
	uint32_t *v = gpm_vec_push(&P->gids);
	if (!v)
		return false;
	*v = id;
	P->nframes++;
	return true;
}

/*
 * A text frame: kept raw and added to the stack key; decoded only for a new stack. lazy: L
 * holds only what a location line without fp=/sp=/pc= gives the key (see loc_has_regs); the
 * rest is read when the frame is decoded.
 */
static bool push_frame(struct parser *P, const char *name, size_t name_len, const char *loc,
                       size_t loc_len, uint32_t flags, const struct loc *L, uint64_t elided,
                       bool lazy)
{
	// Every field set here, none zeroed first (the element is 120 bytes, one per frame line).
	if (!gpm_vec_reserve(&P->raw, P->raw.len + 1))
		return false;
	struct rawframe *f = &P->raw.v[P->raw.len++];
	f->lazy = lazy;
	// Lines are at most max_line bytes (longer ones end the block), so these fit.
	f->name = name;
	f->name_len = (uint32_t)name_len;
	f->loc = loc;
	f->loc_len = (uint32_t)loc_len;
	f->flags = flags;
	f->elided = elided;
	f->has_loc = L != NULL;
	if (lazy && L)
		f->L.pc = 0; // all of L a lazy frame's key reads (stack_key_frame); decoded later
	else if (L)
		f->L = *L;
	else
		memset(&f->L, 0, sizeof(f->L));
	P->nframes++;
	return stack_key_frame(P, f);
}

static inline bool push_args(struct parser *P, const char *s, size_t n)
{
	// Where the text is, for args_commit: most goroutines' texts are read in place, and
	// copying them here was work thrown away.
	struct argspan *a = gpm_vec_push(&P->spans);
	if (!a)
		return false;
	a->s = s;
	a->n = (uint32_t)n; // a line's part: lines are at most max_line bytes
	P->spans_any |= n && *s;
	return true;
}

static bool push_regs(struct parser *P, const struct loc *L)
{
	// Kept only once a frame of the goroutine has them (a text dump's rarely do): the frames
	// before it get zeros then, as each did before.
	P->nregs++;
	bool has = L && L->has_regs;
	if (!has && !P->gregs_any)
		return true;
	if (!P->gregs_any) {
		if (!gpm_vec_reserve(&P->gregs, P->nregs))
			return false;
		memset(P->gregs.v, 0, (P->nregs - 1) * sizeof(*P->gregs.v));
		P->gregs.len = P->nregs - 1;
		P->gregs_any = true;
	}
	struct gpm_frame_regs *r = gpm_vec_push(&P->gregs);
	if (!r)
		return false;
	if (has) {
		r->fp = L->fp;
		r->sp = L->sp;
	}
	return true;
}

enum block_end {
	END_BLANK,    /* a blank line (consumed) */
	END_OTHER,    /* a line that is not part of the block (not consumed) */
	END_EOF,      /* end of input */
	END_CUT,      /* end of input inside a frame or line: truncated */
	END_CUT_FUNC, /* after a function line cut inside its arguments (the stack goes no
	               * further in the text): truncated */
};

/* A function whose frame ends a goroutine's stack as the runtime prints it. */
static bool stack_end_func(const char *name, size_t n)
{
	static const char *const ends[] = {"main.main", "runtime.goexit", "runtime.main",
	                                   "runtime.mstart", "runtime.rt0_go"};
	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
		if (n == strlen(ends[i]) && !memcmp(name, ends[i], n))
			return true;
	return false;
}

/*
 * Reads frames into P->gids / gargs / gregs until the end of a stack. Stops before
 * "created by", "[originating from", headers and foreign lines (not consumed) and
 * reports which it was.
 */
struct frames_result {
	enum block_end end;
	bool more;        /* "...additional frames elided..." */
	bool unavailable; /* "goroutine running on other thread; stack unavailable" */
	bool badpc;       /* the runtime's "unexpected return pc" inside the stack */
	uint32_t elided;
};

/*
 * What the runtime's unwinder prints inside a stack when a return pc is not in any function
 * (runtime/traceback.go, tracebackHexdump; Go 1.11 to 1.27): "runtime: unexpected return pc
 * for F called from 0x…" (from Go 1.12 "runtime: g N: unexpected return pc …"), "stack:
 * frame={sp:…, fp:…} stack=[…,…)", then the stack's words, "ADDR:  WORD  WORD" (0x-prefixed
 * from Go 1.12, "<" before the frame's, a symbol after a code address).
 */
static bool unwinder_line(const struct line *l)
{
	if (STARTS(l, "runtime: ") && memmem(l->s, l->n, "unexpected return pc for ", 25))
		return true;
	if (STARTS(l, "stack: frame={sp:"))
		return true;
	size_t i = STARTS(l, "0x") ? 2 : 0, d = 0;
	while (i < l->n && hexval(l->s[i]) >= 0)
		i++, d++;
	return d >= 8 && i + 3 < l->n && l->s[i] == ':' && l->s[i + 1] == ' ' &&
	       (l->s[i + 2] == ' ' || l->s[i + 2] == '<' || l->s[i + 2] == '>');
}

/* Lines that start something of their own in parse_text: never junk inside a block. */
static bool structural(const struct line *l)
{
	return STARTS(l, "runtime stack:") || STARTS(l, "panic: ") || STARTS(l, "fatal error: ") ||
	       STARTS(l, "[signal ") || STARTS(l, "-----") || STARTS(l, "goroutine ") ||
	       STARTS(l, "exit status ") || STARTS(l, "WARNING: DATA RACE") ||
	       STARTS(l, "==================") || STARTS(l, "SIG") || STARTS(l, "PC=");
}

/* "pkg.Func(args)": a Go function line, by shape (the name has a '.' and no blank, or is
 * the "panic" the runtime prints for gopanic, or the wrapper cgo generates for a function
 * exported to C, "_cgoexp_HASH_NAME", which has no package). */
static bool go_func_shape(const struct line *l)
{
	if (l->n < 4 || l->s[l->n - 1] != ')' || l->s[0] == '\t' || l->s[0] == ' ')
		return false;
	const char *lp = memrchr(l->s, '(', l->n - 1);
	if (!lp || lp == l->s)
		return false;
	size_t nl = (size_t)(lp - l->s);
	return (memchr(l->s, '.', nl) || (nl == 5 && !memcmp(l->s, "panic", 5)) ||
	        starts(l->s, nl, "_cgoexp_", 8)) &&
	       !memchr(l->s, ' ', nl);
}

/* The line at *p (before end), advancing *p past it. */
static bool line_at(const char **p, const char *end, struct line *l)
{
	if (*p >= end)
		return false;
	const char *e = memchr(*p, '\n', (size_t)(end - *p));
	l->s = *p;
	l->n = e ? (size_t)(e - *p) : (size_t)(end - *p);
	l->nl = e != NULL;
	*p = e ? e + 1 : end;
	return true;
}

/* A line no traceback prints: another writer's, between the lines of a stack. */
static bool foreign_line(const struct line *l)
{
	return l->n > 0 && l->s[0] != '\t' && !go_func_shape(l) && !structural(l) &&
	       !STARTS(l, "created by ") && !STARTS(l, "...") && !is_header(l);
}

/*
 * From p: up to four lines of another writer (two processes sharing a log, stdout flushed
 * into stderr), then a location line "\tFILE:LINE". Returns how many foreign lines came
 * first, with *loc the location line; -1 when the lines are not of that shape.
 */
static int foreign_then_loc(const char *p, const char *end, struct line *loc)
{
	struct line l;
	for (int n = 0; line_at(&p, end, &l) && l.nl; n++) {
		if (l.n > 1 && l.s[0] == '\t') {
			struct loc L;
			parse_loc(l.s + 1, l.n - 1, &L);
			if (!L.ok)
				return -1;
			*loc = l;
			return n;
		}
		if (n == 4 || !foreign_line(&l))
			return -1;
	}
	return -1;
}

/* Whether a frame follows the current position: "f(…)" or the "created by f" that ends a
 * stack, then its "\tFILE:LINE" (maybe after another writer's lines). */
static bool frame_follows(const struct parser *P)
{
	const char *p = P->p;
	struct line a, loc;
	return line_at(&p, P->end, &a) && (go_func_shape(&a) || STARTS(&a, "created by ")) &&
	       foreign_then_loc(p, P->end, &loc) >= 0;
}

/*
 * Another writer's lines between a function line and its location line: on success *loc is
 * the location, P->p is past it and the foreign lines are counted as skipped; else P->p is
 * unchanged.
 */
static bool loc_after_foreign(struct parser *P, struct line *loc)
{
	int n = foreign_then_loc(P->p, P->end, loc);
	if (n <= 0)
		return false;
	struct line l;
	while (n-- > 0 && next_line(P, &l))
		note_lost(P, LOST_LINE, l.s);
	P->p = loc->s + loc->n + 1;
	return true;
}

/*
 * A C frame of the cgo symbolizer (runtime/traceback.go printOneCgoTraceback): the function
 * name as the symbolizer gives it, no parentheses, then "\tFILE:LINE pc=0x…" or "\tpc=0x…"
 * ("non-Go function" when it has no name). Returns 1 when l was one (consumed), 0 when not.
 */
static int c_frame(struct parser *P, const struct line *l)
{
	const char *save = P->p;
	struct line loc;
	if (!next_line(P, &loc) || loc.n < 6 || loc.s[0] != '\t' ||
	    !memmem(loc.s, loc.n, "pc=0x", 5)) {
		P->p = save;
		return 0;
	}
	struct loc L;
	const char *ls = loc.s + 1;
	size_t ln = loc.n - 1;
	if (starts(ls, ln, "pc=0x", 5)) {
		size_t i = 3;
		memset(&L, 0, sizeof(L));
		if (!parse_hex(ls, ln, &i, &L.pc) || i != ln) {
			P->p = save;
			return 0;
		}
		L.key_len = ln;
	} else {
		parse_loc(ls, ln, &L);
		if (!L.ok || !L.pc) {
			P->p = save;
			return 0;
		}
	}
	P->block_plain = false;
	if (!push_frame(P, l->s, l->n, ls, ln, GPM_FRAME_C, &L, 0, false) || !push_args(P, "", 0) ||
	    !push_regs(P, NULL))
		return -1;
	return 1;
}

/* The function line of a gccgo frame (gccgo_frame) by its shape: a name with a '.' (or
 * libgo's "panic", old "__go_…"), no blank, no argument list. */
static bool gccgo_name_shape(const struct line *l)
{
	return l->n >= 4 && l->s[0] != '\t' && l->s[0] != ' ' && !memchr(l->s, ' ', l->n) &&
	       !memchr(l->s, '\t', l->n) && l->s[l->n - 1] != ')' &&
	       (memchr(l->s, '.', l->n) || starts(l->s, l->n, "__go_", 5) ||
	        (l->n == 5 && !memcmp(l->s, "panic", 5)));
}

/*
 * A frame of gccgo's libgo (libgo/go/runtime/traceback_gccgo.go printtrace): the function
 * name alone, no argument list ("main.process", "panic", "runtime.kickoff", "__go_panic"
 * of old libgo), then "\tFILE:LINE" with no +0x offset and no pc. Returns 1 when l was
 * one (consumed), 0 when not, -1 out of memory.
 */
static int gccgo_frame(struct parser *P, const struct line *l)
{
	if (!gccgo_name_shape(l))
		return 0;
	const char *save = P->p;
	struct line loc;
	struct loc L;
	if (!next_line(P, &loc) || loc.n < 4 || loc.s[0] != '\t') {
		P->p = save;
		return 0;
	}
	parse_loc(loc.s + 1, loc.n - 1, &L);
	if (!L.ok || L.has_off || L.has_regs || L.pc) {
		P->p = save;
		return 0;
	}
	P->block_plain = false;
	if (!push_frame(P, l->s, l->n, loc.s + 1, L.key_len, GPM_FRAME_GCCGO, &L, 0, false) ||
	    !push_args(P, "", 0) || !push_regs(P, &L))
		return -1;
	return 1;
}

/*
 * A function line cut inside its arguments by a paste or a log ("main.f(0x3ac478, 0x109b1f",
 * no ')'): a Go name (a '.', no blank) then '(' and only what argument lists hold (hex and
 * decimal words, ", ", "?", "{}", "..."). Returns the length of the name, 0 when not one.
 */
static size_t cut_func_line(const struct line *l)
{
	if (l->n < 4 || l->s[0] == '\t' || l->s[0] == ' ')
		return 0;
	const char *lp = memchr(l->s, '(', l->n);
	// A method's receiver "pkg.(*T).M(": the argument list's '(' follows the last ").".
	const char *rp = memrchr(l->s, ')', l->n);
	if (rp && rp + 1 < l->s + l->n && rp[1] == '.')
		lp = memchr(rp, '(', (size_t)(l->s + l->n - rp));
	else if (rp)
		return 0;
	if (!lp || lp == l->s)
		return 0;
	size_t nl = (size_t)(lp - l->s);
	if (!memchr(l->s, '.', nl) || memchr(l->s, ' ', nl))
		return 0;
	for (const char *c = lp + 1; c < l->s + l->n; c++)
		if (!*c || (hexval(*c) < 0 && !strchr("x, ?{}.", *c)))
			return 0;
	return nl;
}

static bool nothing_after(const struct parser *P);
static bool cut_name_line(const struct line *l);
static bool loc_cut_at_end(struct parser *P, const struct line *fl, const struct line *loc,
                           bool *lost_loc);

static struct gpm_error *read_frames(struct parser *P, bool ancestor, struct frames_result *r)
{
	memset(r, 0, sizeof(*r));
	P->nframes = 0;
	P->raw.len = P->gids.len = P->gargs.len = P->spans.len = P->gregs.len = P->nregs = 0;
	P->spans_any = false;
	P->key.len = 0;
	P->gregs_any = false;
	P->block_plain = true;
	P->block_start = P->block_next = NULL;
	if (!key_put(P, "T", 1))
		return &gpm_error_nomem;
	for (;;) {
		const char *save = P->p;
		struct line l;
		if (!next_line(P, &l)) {
			r->end = END_EOF;
			return NULL;
		}
		if (l.n == 0) {
			r->end = l.nl ? END_BLANK : END_EOF;
			return NULL;
		}
		if (P->nframes >= P->o.max_frames) {
			// Keep reading to the end of the block, but store no more frames.
			if (l.s[0] == '\t' || (l.n && l.s[l.n - 1] == ')'))
				continue;
		}
		char c0 = l.s[0];
		// The unwinder's complaint and its hexdump of the stack: the runtime's own words
		// about the frames it could not unwind, not lost lines.
		// (Tested by shape first: this runs for every frame line, which ends with ')'.)
		if (((c0 == 'r' && l.n > 9 && l.s[7] == ':') ||
		     (c0 == 's' && l.n > 6 && l.s[5] == ':') ||
		     (hexval(c0) >= 0 && l.s[l.n - 1] != ')')) &&
		    unwinder_line(&l)) {
			r->badpc = true;
			continue;
		}
		if (c0 == 'c' && STARTS(&l, "created by ")) {
			P->p = save;
			r->end = END_OTHER;
			return NULL;
		}
		if (c0 == '[' && STARTS(&l, "[originating from goroutine ")) {
			P->p = save;
			r->end = END_OTHER;
			return NULL;
		}
		if (c0 == '.' && STARTS(&l, "...")) {
			if (STARTS(&l, "...additional frames elided...")) {
				r->more = true;
				continue;
			}
			size_t i = 3;
			uint64_t nel;
			if (parse_dec(l.s, l.n, &i, &nel) &&
			    starts(l.s + i, l.n - i, " frames elided...", 17)) {
				P->block_plain = false;
				if (!push_frame(P, "", 0, l.s, l.n, GPM_FRAME_ELIDED, NULL,
				                nel ? nel : 1, false) ||
				    !push_args(P, "", 0) || !push_regs(P, NULL))
					return &gpm_error_nomem;
				r->elided += nel > UINT32_MAX ? UINT32_MAX : (uint32_t)nel;
				continue;
			}
		}
		if (c0 == '\t') {
			if (STARTS(&l, "\tgoroutine running on other thread; stack unavailable")) {
				r->unavailable = true;
				continue;
			}
			note_lost(P, LOST_LINE, l.s); // a location line without its function line
			continue;
		}
		if (c0 == 'g' && is_header(&l)) {
			P->p = save;
			r->end = END_OTHER;
			return NULL;
		}
		if (c0 == 'n' && STARTS(&l, "non-Go function at pc=")) {
			size_t i = 22;
			uint64_t pc = 0;
			parse_hex(l.s, l.n, &i, &pc);
			struct loc L = {.pc = pc};
			P->block_plain = false;
			if (!push_frame(P, "", 0, l.s, l.n, GPM_FRAME_NON_GO, &L, 0, false) ||
			    !push_args(P, "", 0) || !push_regs(P, NULL))
				return &gpm_error_nomem;
			continue;
		}
		// A function line "name(args)" followed by its "\tfile:line" line.
		if (l.n > P->o.max_line || l.s[l.n - 1] != ')' || l.n < 3) {
			// A last frame line cut inside its arguments, the stack's end after it:
			// kept as a frame without location, so rules see the function.
			size_t cn = l.n <= P->o.max_line ? cut_func_line(&l) : 0;
			const char *save2 = P->p;
			struct line nx = {0};
			if (cn && !(next_line(P, &nx) && nx.n && nx.s[0] == '\t')) {
				P->p = save2;
				struct loc L;
				memset(&L, 0, sizeof(L));
				P->block_plain = false;
				note_lost(P, LOST_CUT_FUNC, l.s);
				if (!push_frame(P, l.s, cn, "", 0, GPM_FRAME_NO_LOC, &L, 0,
				                false) ||
				    !push_args(P, l.s + cn + 1, l.n - cn - 1) || !push_regs(P, &L))
					return &gpm_error_nomem;
				r->end = END_CUT_FUNC;
				return NULL;
			}
			// Cut inside its arguments with its location after it (a terminal or
			// journalctl cut the long line at its width): a frame, its arguments
			// partly lost.
			if (cn && nx.n > 1 && nx.s[0] == '\t') {
				struct loc L;
				parse_loc(nx.s + 1, nx.n - 1, &L);
				if (L.ok && nx.n - 1 <= P->o.max_line) {
					P->block_plain = false;
					note_lost(P, LOST_CUT_ARGS, l.s);
					if (!push_frame(P, l.s, cn, nx.s + 1, L.key_len, 0, &L, 0,
					                false) ||
					    !push_args(P, l.s + cn + 1, l.n - cn - 1) ||
					    !push_regs(P, &L))
						return &gpm_error_nomem;
					continue;
				}
			}
			P->p = save2;
			// Cut by the input's end, or a line end put after the cut (an editor's, a
			// paste's) and nothing of a dump after it.
			if (!l.nl ||
			    (l.n <= P->o.max_line && cut_name_line(&l) && nothing_after(P))) {
				r->end = END_CUT;
				return NULL;
			}
			if (l.n <= P->o.max_line && !structural(&l)) {
				int c = c_frame(P, &l);
				if (c == 0)
					c = gccgo_frame(P, &l);
				if (c < 0)
					return &gpm_error_nomem;
				if (c > 0)
					continue;
				// Junk between frames (an interleaved log line): skipped, counted.
				if (frame_follows(P)) {
					note_lost(P, LOST_LINE, l.s);
					P->block_plain = false;
					continue;
				}
			}
			// Not a frame: the end of the block.
			P->p = save;
			r->end = END_OTHER;
			return NULL;
		}
		const char *lp = memrchr(l.s, '(', l.n - 1);
		if (!lp) {
			P->p = save;
			r->end = END_OTHER;
			return NULL;
		}
		const char *save2 = P->p;
		struct line loc;
		bool have_loc = next_line(P, &loc) && loc.n > 0 && loc.s[0] == '\t';
		if (!have_loc) {
			P->p = save2;
			have_loc = go_func_shape(&l) && loc_after_foreign(P, &loc);
			if (have_loc)
				P->block_plain = false;
		}
		if (!have_loc) {
			if (P->p < P->end && !go_func_shape(&l)) {
				// A line ending in ')' without a location: not a frame. Another
				// writer's line between frames is skipped, counted.
				if (frame_follows(P)) {
					note_lost(P, LOST_LINE, l.s);
					P->block_plain = false;
					continue;
				}
				P->p = save;
				r->end = END_OTHER;
				return NULL;
			}
		}

		size_t name_len = (size_t)(lp - l.s);
		const char *args = lp + 1;
		size_t args_len = l.n - 1 - name_len - 1;
		uint32_t flags = 0;
		if (args_len == 3 && memcmp(args, "...", 3) == 0) {
			flags |= GPM_FRAME_INLINED;
			args_len = 0;
		}
		struct loc L;
		bool ok;
		bool lazy = false;
		bool cut_here = false;
		// The last location cut by the excerpt's end, a line end after it: the stack was
		// cut there (a location without ":LINE" is dropped, not counted as unreadable).
		bool lost_loc = false;
		if (have_loc && loc.nl && loc.n - 1 <= P->o.max_line &&
		    loc_cut_at_end(P, &l, &loc, &lost_loc)) {
			cut_here = true;
			have_loc = !lost_loc;
		}
		if (have_loc) {
			// The usual location line "FILE:LINE +0xOFF": all a goroutine on a stack
			// seen before needs of it is its bytes (the key); its line and offset are
			// read only when a new stack's frames are decoded.
			lazy = loc.nl && loc.n - 1 <= P->o.max_line &&
			       !loc_has_regs(loc.s + 1, loc.n - 1);
			if (lazy) {
				memset(&L, 0, sizeof(L));
				L.key_len = loc.n - 1;
			} else {
				parse_loc(loc.s + 1, loc.n - 1, &L);
			}
			// The input's last line without its newline (the runtime ends every line):
			// complete when it reads as a location ("FILE:LINE") of a frame that ends a
			// stack (main.main, runtime.goexit, runtime.main), else cut by the end of
			// the input, maybe inside its line number (keep what it says).
			if (cut_here ||
			    (!loc.nl && (!L.ok || !stack_end_func(l.s, (size_t)(lp - l.s)))))
				r->end = END_CUT;
			if (!L.ok && loc.n - 1 > P->o.max_line) {
				note_lost(P, LOST_LINE, loc.s);
				continue;
			}
			// Plain so far when this pair follows the previous one directly.
			if (!P->block_start)
				P->block_start = P->block_next = l.s;
			if (l.s != P->block_next)
				P->block_plain = false;
			P->block_next = P->p;
			ok = push_frame(P, l.s, name_len, loc.s + 1, L.key_len, flags, &L, 0, lazy);
		} else {
			// A function line with no location: kept as a frame, counted. With nothing
			// of a dump after it (the input ends, or a fragment of its location cut
			// mid-path, a fence, the reporter's words): the stack was cut there.
			memset(&L, 0, sizeof(L));
			P->block_plain = false;
			bool at_end = cut_here || P->p >= P->end || nothing_after(P);
			if (!at_end)
				note_lost(P, LOST_LOC, l.s);
			ok = push_frame(P, l.s, name_len, "", 0,
			                flags | (at_end ? 0 : GPM_FRAME_NO_LOC), &L, 0, false);
			if (at_end)
				r->end = END_CUT;
		}
		if (!ok || !push_args(P, args, args_len) || !push_regs(P, &L))
			return &gpm_error_nomem;
		(void)ancestor;
		if (r->end == END_CUT)
			return NULL;
	}
}

/* A line of a dump's: a location, a frame, a header, a runtime message (not a fence, the
 * reporter's words, another writer's line). */
static bool dump_line(const struct line *l)
{
	return l->n && (l->s[0] == '\t' || go_func_shape(l) || structural(l) ||
	                STARTS(l, "created by ") || is_header(l));
}

/* The start of the input's last line of a dump's (the input's end when it has none). */
static const char *last_dump_line(struct parser *P)
{
	if (P->last_dump_known)
		return P->last_dump;
	P->last_dump_known = true;
	P->last_dump = P->end;
	const char *e = P->end;
	while (e > P->base) {
		const char *b = memrchr(P->base, '\n', (size_t)(e - P->base) - (e[-1] == '\n'));
		b = b ? b + 1 : P->base;
		size_t n = (size_t)(e - b);
		if (n && b[n - 1] == '\n')
			n--;
		struct line l = {b, n, true};
		if (dump_line(&l)) {
			P->last_dump = b;
			break;
		}
		e = b;
	}
	return P->last_dump;
}

/* Whether no line from P->p to the end of the input is one of a dump's. */
static bool nothing_after(const struct parser *P)
{
	const char *p = P->p;
	struct line l;
	while (line_at(&p, P->end, &l)) {
		if (dump_line(&l))
			return false;
	}
	return true;
}

/*
 * The start of a function line cut inside its name by the end of an excerpt ("github.com/
 * x/rpc.(*Ha", "pkg.(*Server).Hand"): a Go name's characters only, no blank, a '.' before
 * a letter, no ')' at its end. Only with nothing of a dump after it is it taken as one.
 */
static bool cut_name_line(const struct line *l)
{
#define ALPHA(c) ((((unsigned char)(c) | 0x20) >= 'a' && ((unsigned char)(c) | 0x20) <= 'z'))
	if (l->n < 3 || !(ALPHA(l->s[0]) || l->s[0] == '_') || l->s[l->n - 1] == ')')
		return false;
	bool dot = false;
	for (size_t i = 0; i < l->n; i++) {
		unsigned char c = (unsigned char)l->s[i];
		if (!(ALPHA(c) || (c >= '0' && c <= '9') || c >= 0x80 ||
		      (c && strchr("_./-()*[]~%$,", c))))
			return false;
		if (c == '.' && i + 1 < l->n &&
		    (ALPHA(l->s[i + 1]) || l->s[i + 1] == '(' || l->s[i + 1] == '_'))
			dot = true;
	}
	return dot;
#undef ALPHA
}

/*
 * A location line with its line end that the end of an excerpt cut (a fence or the
 * reporter's words after it, no more of a dump): no ":LINE" in it (*lost_loc), or cut
 * inside its "+0x…" or "fp= sp= pc=" fields (cut_line's tests; the location with "fp="
 * before it tells whether this traceback prints "pc=").
 */
static bool loc_cut_at_end(struct parser *P, const struct line *fl, const struct line *loc,
                           bool *lost_loc)
{
	// A line of a dump after this one: not the end of the excerpt (nothing_after below),
	// known without looking at the next line (this runs for every frame).
	if (P->p <= last_dump_line(P))
		return false;
	const char *p = P->p;
	struct line nx, prevloc;
	if (line_at(&p, P->end, &nx) && dump_line(&nx))
		return false;
	struct loc L;
	parse_loc(loc->s + 1, loc->n - 1, &L);
	*lost_loc = !L.ok;
	bool has_prevloc = regs_loc_before(P->base, fl->s, &prevloc);
	return (*lost_loc || cut_line(loc, fl, has_prevloc ? &prevloc : NULL)) && nothing_after(P);
}

static struct gpm_error *parse_block(struct parser *P, const struct line *hl,
                                     const struct header *h, bool runtime_stack)
{
	struct gpm_error *err;
	struct gpm_incident *inc = P->inc;
	if (inc->goroutines.len >= P->o.max_goroutines) {
		if (inc->goroutines.len == P->o.max_goroutines)
			gpm_incident_warn(inc, "more than %llu goroutines: the rest are not read",
			                  (unsigned long long)P->o.max_goroutines);
		struct frames_result r;
		return read_frames(P, false, &r);
	}
	bool repeat = false;
	if (!runtime_stack && h->id != 0) {
		bool nomem = false;
		repeat = idset_seen(P, h->id, &nomem);
		if (nomem)
			return &gpm_error_nomem;
	}
	if (inc->goroutines.len == RESERVE_AFTER && !reserve_rest(P))
		return &gpm_error_nomem;
	struct gpm_goroutine *g = gpm_incident_goroutine_push(inc);
	if (!g)
		return &gpm_error_nomem;
	uint32_t gi = (uint32_t)inc->goroutines.len - 1;
	if (runtime_stack) {
		g->flags |= GPM_GOROUTINE_RUNTIME_STACK | GPM_GOROUTINE_SYSTEM;
		g->state = NULL;
	} else {
		g->id = h->id;
		g->flags |= h->flags;
		g->wait_minutes = h->minutes;
		if (h->has_gp || h->bubble) {
			struct gpm_goroutine_extra *x = gpm_incident_goroutine_extra(inc, g);
			if (!x)
				return &gpm_error_nomem;
			x->gaddr = h->gaddr;
			x->mp = h->mp;
			x->m_id = h->m_id;
			x->synctest_bubble = h->bubble;
		}
		if (h->has_gp && !h->gaddr)
			g->flags |= GPM_GOROUTINE_DAMAGED;
		set_state(P, g, h->state ? h->state : "", h->state_len);
		if (!g->state)
			return &gpm_error_nomem;
		if (repeat)
			g->flags |= GPM_GOROUTINE_REPEAT;
		if (h->labels) {
			if (h->labels_inside)
				g->flags |= GPM_GOROUTINE_LABELS_INSIDE;
			if ((err = parse_labels(P, g, h->labels, h->labels_len)))
				return err;
		}
		if (!h->complete) {
			note_lost(P, LOST_CUT, hl->s);
			g->flags |= GPM_GOROUTINE_TRUNCATED | GPM_GOROUTINE_NO_STACK;
			return set_problem(P, g, "header cut by the end of the input");
		}
		if (!P->first_goroutine_done) {
			P->first_goroutine_done = true;
			if (P->have_preamble && !P->in_separator) {
				g->flags |= GPM_GOROUTINE_CURRENT;
				inc->crash.current_goroutine = g->id;
			}
		}
	}
	if (P->cur_section != UINT32_MAX) {
		struct gpm_signal_section *sec = &inc->sections.v[P->cur_section];
		if (!sec->ngoroutines)
			sec->first_goroutine = gi;
		sec->ngoroutines = gi - sec->first_goroutine + 1;
	}

	struct frames_result r;
	if ((err = read_frames(P, false, &r)))
		return err;
	g = &inc->goroutines.v[gi];
	if (r.unavailable)
		g->flags |= GPM_GOROUTINE_UNAVAILABLE;
	if (r.more)
		g->flags |= GPM_GOROUTINE_MORE_FRAMES;
	if (r.badpc && (err = set_problem(P, g,
	                                  "the runtime could not unwind its stack (unexpected "
	                                  "return pc): frames past it are not shown")))
		return err;
	if (r.elided) {
		struct gpm_goroutine_extra *x = gpm_incident_goroutine_extra(inc, g);
		if (!x)
			return &gpm_error_nomem;
		x->elided_frames = r.elided;
	}
	uint32_t gsent = UINT32_MAX; /* the parser's entry of the goroutine's stack */
	if (P->nframes) {
		uint32_t stack, sent;
		if ((err = stack_commit(P, &stack, &sent)))
			return err;
		gsent = sent;
		g = &inc->goroutines.v[gi];
		g->stack = stack;
		if ((err = args_commit(P, g, sent)))
			return err;
		if (P->gregs_any) {
			struct gpm_goroutine_extra *x = gpm_incident_goroutine_extra(inc, g);
			if (!x || !(x->regs = malloc(P->gregs.len * sizeof(*x->regs))))
				return &gpm_error_nomem;
			memcpy(x->regs, P->gregs.v, P->gregs.len * sizeof(*x->regs));
		}
	} else if (!r.unavailable) {
		g->flags |= GPM_GOROUTINE_NO_STACK;
		// A header with nothing of a dump after it to the end of the input (blank lines,
		// a Markdown fence, the reporter's words): its stack was cut off (the runtime
		// prints none without frames). The scan stops at the next dump line.
		if (!runtime_stack && r.end != END_CUT && !STARTS(hl, "created by ") &&
		    nothing_after(P)) {
			note_lost(P, LOST_CUT, hl->s);
			g->flags |= GPM_GOROUTINE_TRUNCATED;
			return set_problem(P, g, "stack cut by the end of the input");
		}
		// A headerless stack that is only its "created by" has no header to warn about
		// (the headerless warning says it).
		if (r.end != END_CUT && !STARTS(hl, "created by "))
			note_lost(P, LOST_FRAMES, hl->s);
	}
	if (P->nframes >= P->o.max_frames)
		gpm_incident_warn(inc, "goroutine %llu: more than %u frames, rest not read",
		                  (unsigned long long)g->id, P->o.max_frames);
	if (r.end == END_CUT) {
		note_lost(P, LOST_CUT, hl->s);
		g->flags |= GPM_GOROUTINE_TRUNCATED;
		return set_problem(P, g, "stack cut by the end of the input");
	}
	if (r.end == END_CUT_FUNC) {
		g->flags |= GPM_GOROUTINE_TRUNCATED;
		return set_problem(P, g, "stack cut inside a frame line");
	}
	if (r.end != END_OTHER)
		return NULL;
	// created by, then ancestors
	struct line l;
	const char *save = P->p;
	if (next_line(P, &l) && STARTS(&l, "created by ")) {
		uint32_t fi;
		uint64_t parent = 0;
		if ((err = created_by(P, &l, &fi, &parent, gsent)))
			return err;
		g = &inc->goroutines.v[gi];
		g->created_by = fi;
		g->parent_id = parent;
		save = P->p;
	} else {
		P->p = save;
	}
	uint32_t nanc = 0;
	while (next_line(P, &l) && STARTS(&l, "[originating from goroutine ")) {
		size_t i = 28;
		uint64_t aid = 0;
		bool huge = false;
		parse_dec_sat(l.s, l.n, &i, &aid, &huge);
		if (huge) {
			aid = 0;
			note_lost(P, LOST_HUGE, l.s);
		}
		if ((err = read_frames(P, true, &r)))
			return err;
		uint32_t stack = UINT32_MAX, sent;
		if (P->nframes && (err = stack_commit(P, &stack, &sent)))
			return err;
		uint32_t cb = UINT32_MAX;
		save = P->p;
		if (r.end == END_OTHER && next_line(P, &l) && STARTS(&l, "created by ")) {
			uint64_t dummy = 0;
			if ((err = created_by(P, &l, &cb, &dummy, UINT32_MAX)))
				return err;
			save = P->p;
		} else {
			P->p = save;
		}
		if (nanc < MAX_ANCESTORS) {
			struct gpm_ancestor *a = gpm_vec_push(&inc->ancestors);
			if (!a)
				return &gpm_error_nomem;
			a->id = aid;
			a->stack = stack;
			a->created_by = cb;
			a->flags = r.more ? GPM_GOROUTINE_MORE_FRAMES : 0;
			struct gpm_goroutine_extra *x =
			    gpm_incident_goroutine_extra(inc, &inc->goroutines.v[gi]);
			if (!x)
				return &gpm_error_nomem;
			if (!x->nancestors)
				x->first_ancestor = (uint32_t)inc->ancestors.len - 1;
			x->nancestors++;
		}
		nanc++;
		if (r.end == END_BLANK || r.end == END_EOF || r.end == END_CUT ||
		    r.end == END_CUT_FUNC)
			return NULL;
	}
	P->p = save;
	// Swallow the blank line that ends the block.
	if (next_line(P, &l) && l.n != 0)
		P->p = save;
	return NULL;
}

/* ---- pprof debug=1 ---- */

/* Hex words only: the rest of a record's pc list that a console wrapped. */
static bool hex_words(const struct line *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (hexval(l->s[i]) < 0 && l->s[i] != 'x' && l->s[i] != ' ')
			return false;
	return true;
}

/* Where the pc of a debug=1 frame line starts ("#\t0xPC\t…", its "#" indented by a paste or
 * eaten by a Markdown renderer), or SIZE_MAX when l is no such line. */
static size_t pprof_frame_pc(const struct line *l)
{
	size_t k = 0;
	while (k < l->n && (l->s[k] == '\t' || l->s[k] == ' '))
		k++;
	if (k < l->n && l->s[k] == '#')
		k++;
	while (k < l->n && (l->s[k] == '\t' || l->s[k] == ' '))
		k++;
	return k + 2 < l->n && l->s[k] == '0' && l->s[k + 1] == 'x' ? k : SIZE_MAX;
}

/*
 * How many of the count goroutines a pprof record or a tool's bucket claims are made:
 * no more than the snapshot's limit nor, over the whole input, max_counted (a few bytes
 * of text can claim billions, and each goroutine made costs memory and analysis time).
 * The rest is counted in counted_lost and said once at the snapshot's end.
 */
static uint64_t counted_room(struct parser *P, uint64_t count)
{
	uint64_t room = P->o.max_goroutines - P->inc->goroutines.len;
	if (P->o.max_counted - P->counted < room)
		room = P->o.max_counted - P->counted;
	if (count > room) {
		if (__builtin_add_overflow(P->counted_lost, count - room, &P->counted_lost))
			P->counted_lost = UINT64_MAX;
		count = room;
	}
	P->counted += count;
	return count;
}

static struct gpm_error *push_copies(struct parser *P, uint32_t gi, uint64_t copies);

/* A debug=1 frame line's fields: "#\t0xPC\tNAME+0xOFF\tFILE:LINE". */
struct pprof_fields {
	uint64_t pc, off;
	const char *name, *loc;
	size_t name_len, loc_len;
	bool has_off;
	bool guessed; /* packed, and where a field ends could not be told for sure */
};

/* The value of the first n hex digits at s. */
static uint64_t hex_prefix(const char *s, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v << 4 | (uint64_t)hexval(s[i]);
	return v;
}

/* Whether pc + 1 is one of the record header's "@ 0x…" pcs (a frame's pc is its return
 * address less one, as runtime.CallersFrames gives it). */
static bool record_has_pc(const struct line *hl, uint64_t pc)
{
	size_t n = hl->n < 4096 ? hl->n : 4096; // a record holds at most 128 pcs
	const char *at = memmem(hl->s, n, " @ ", 3);
	if (!at)
		return false;
	for (size_t i = (size_t)(at - hl->s) + 3; i < n;) {
		uint64_t v;
		if (!parse_hex(hl->s, n, &i, &v))
			return false;
		if (v == pc + 1)
			return true;
		while (i < n && hl->s[i] == ' ')
			i++;
	}
	return false;
}

/*
 * How many different characters come right before the path f[0..fn) in text (0, 1 or 2:
 * counting stops at 2). A path's true start follows offsets of many values; a start one
 * character too late always follows that same character.
 */
static int preceding_variety(const char *text, const char *end, const char *f, size_t fn)
{
	int seen = 0;
	char first = 0;
	size_t looked = 0;
	for (const char *q = text; q < end && looked < 4096; q++, looked++) {
		q = memmem(q, (size_t)(end - q), f, fn);
		if (!q)
			break;
		if (q == text)
			continue;
		if (!seen) {
			first = q[-1];
			seen = 1;
		} else if (q[-1] != first) {
			return 2;
		}
	}
	return seen;
}

/*
 * A frame line whose tabs a paste deleted, from just after its "0x":
 * "4b7ba4main.recvLeaf+0x24gopm.test/x/main.go:28". Hex digits run on into a name or a
 * path that starts with a-f ("fmt.", "example.com/"), so where the pc and the offset end
 * is read back from what the runtime guarantees: the pc is one less than a pc of the
 * record's "@" list, and a function's entry (pc less offset) is aligned to 16 bytes
 * (cmd/link's funcAlign: 16 on arm64, 32 on amd64). A path beginning with the function's
 * package directory breaks a tie; what is still ambiguous is read greedily and said.
 */
static bool unpack_frame(const struct line *hl, const char *s, size_t n, const char *text,
                         const char *text_end, uint32_t *scans, struct pprof_fields *f)
{
	memset(f, 0, sizeof(*f));
	size_t run = 0;
	while (run < n && run < 16 && hexval(s[run]) >= 0)
		run++;
	if (!run)
		return false;
	size_t pcl = run;
	while (pcl > 0 && !record_has_pc(hl, hex_prefix(s, pcl)))
		pcl--;
	if (!pcl) {
		pcl = run;
		f->guessed = hexval(s[run - 1]) >= 10; // a-f: maybe the name's first letters
	}
	f->pc = hex_prefix(s, pcl);
	const char *rest = s + pcl, *end = s + n;
	const char *plus = NULL;
	for (const char *q = rest; (q = memmem(q, (size_t)(end - q), "+0x", 3)); q += 3)
		plus = q;
	if (!plus || plus == rest)
		return false;
	f->name = rest;
	f->name_len = (size_t)(plus - rest);
	const char *o = plus + 3;
	size_t orun = 0;
	while (o + orun < end && orun < 16 && hexval(o[orun]) >= 0)
		orun++;
	if (!orun)
		return false;
	// The name's package directory: "crypto/tls" of "crypto/tls.(*Conn).Read".
	const char *slash = memrchr(f->name, '/', f->name_len);
	const char *from = slash ? slash + 1 : f->name;
	const char *dot = memchr(from, '.', f->name_len - (size_t)(from - f->name));
	size_t pkg = dot ? (size_t)(dot - f->name) : 0;
	size_t best = 0, aligned = 0, cand[16];
	bool best_pkg = false;
	for (size_t j = orun; j >= 1; j--) {
		const char *file = o + j;
		if (file >= end || (j < orun && is_digit(*file)))
			continue; // a path does not start with a digit
		uint64_t off = hex_prefix(o, j);
		if (off > f->pc || ((f->pc - off) & 15))
			continue;
		bool in_pkg = pkg && (size_t)(end - file) > pkg && !memcmp(file, f->name, pkg) &&
		              file[pkg] == '/';
		cand[aligned++] = j;
		if (!best || (in_pkg && !best_pkg)) {
			best = j;
			best_pkg = in_pkg;
		}
	}
	if (!best) {
		best = orun;
		f->guessed = f->guessed || hexval(o[orun - 1]) >= 10;
	} else if (aligned > 1 && !best_pkg && *scans >= MAX_PACKED_SCANS) {
		f->guessed = true;
	} else if (aligned > 1 && !best_pkg) {
		++*scans;
		// Still two places the path may start: the one other lines of the text show
		// after offsets of different values, if exactly one does.
		size_t varied = 0, pick = 0;
		for (size_t c = 0; c < aligned; c++) {
			const char *file = o + cand[c];
			const char *colon = memchr(file, ':', (size_t)(end - file));
			size_t fn = colon ? (size_t)(colon - file) : (size_t)(end - file);
			if (fn && preceding_variety(text, text_end, file, fn) > 1) {
				varied++;
				pick = cand[c];
			}
		}
		if (varied == 1)
			best = pick;
		else
			f->guessed = true;
	}
	if (o + orun == end || o[orun] == '/')
		best = orun, f->guessed = false; // a path from the root, or no path
	f->off = hex_prefix(o, best);
	f->has_off = true;
	f->loc = o + best;
	f->loc_len = (size_t)(end - f->loc);
	return true;
}

static struct gpm_error *parse_pprof_record(struct parser *P, const struct line *hl)
{
	size_t i = 0;
	uint64_t count = 0;
	bool huge = false;
	parse_dec_sat(hl->s, hl->n, &i, &count, &huge);
	if (huge) { // no real count: one goroutine at least, said
		count = 1;
		note_lost(P, LOST_HUGE, hl->s);
	}
	struct gpm_error *err;
	P->nframes = 0;
	P->raw.len = P->gids.len = P->gargs.len = P->spans.len = P->gregs.len = P->nregs = 0;
	P->spans_any = false;
	const char *labels = NULL;
	size_t labels_len = 0;
	struct line l;
	uint64_t prev_pc = 0;
	for (;;) {
		const char *save = P->p;
		if (!next_line(P, &l))
			break;
		if (l.n == 0)
			break;
		if (STARTS(&l, "# labels: {")) {
			labels = l.s + 11;
			labels_len = labels_end(l.s, l.n, 11) - 11;
			continue;
		}
		// A frame line indented by the paste, or whose '#' a Markdown renderer took for a
		// heading mark:
		// "        0x822124\tnet/http.(*persistConn).writeLoop+0x164\tFILE:LINE".
		size_t k = 1;
		if (!(l.n >= 2 && l.s[0] == '#' && (l.s[1] == '\t' || l.s[1] == ' '))) {
			k = pprof_frame_pc(&l);
			if (k != SIZE_MAX && !memmem(l.s + k, l.n - k, "+0x", 3))
				k = SIZE_MAX;
		}
		if (k == SIZE_MAX) {
			// Another writer's line inside the record, the record going on after it:
			// skipped, counted.
			struct line n;
			const char *q = P->p;
			if (!memmem(l.s, l.n, " @ 0x", 5) && !hex_words(&l) &&
			    line_at(&q, P->end, &n) && n.n > 3 && n.s[0] == '#' &&
			    (n.s[1] == '\t' || n.s[1] == ' ') &&
			    (memmem(n.s, n.n < 16 ? n.n : 16, "0x", 2) ||
			     STARTS(&n, "# labels: {"))) {
				note_lost(P, LOST_LINE, l.s);
				continue;
			}
			P->p = save;
			break;
		}
		// "#\t0xPC\tfunc+0xOFF\tfile:line" with tab padding (text/tabwriter); pasted,
		// the tabs may have become spaces.
		size_t key_at = k == 1 ? 2 : k; // what the frame is keyed by: from "0x"
		uint64_t pc = 0;
		while (k < l.n && (l.s[k] == '\t' || l.s[k] == ' '))
			k++;
		size_t hex_at = k;
		if (!parse_hex(l.s, l.n, &k, &pc)) {
			note_lost(P, LOST_LINE, l.s);
			continue;
		}
		struct loc L;
		memset(&L, 0, sizeof(L));
		const char *name, *loc;
		size_t name_len, loc_len;
		if (k < l.n && l.s[k] != '\t' && l.s[k] != ' ') {
			// No blank after the pc: a paste deleted the tabs.
			struct pprof_fields f;
			if (!unpack_frame(hl, l.s + hex_at + 2, l.n - hex_at - 2, P->base, P->end,
			                  &P->packed_scans, &f)) {
				note_lost(P, LOST_LINE, l.s);
				continue;
			}
			if (f.guessed)
				note_lost(P, LOST_PACKED, l.s);
			pc = f.pc;
			name = f.name;
			name_len = f.name_len;
			L.has_off = f.has_off;
			L.off = f.off;
			loc = f.loc;
			loc_len = f.loc_len;
		} else {
			while (k < l.n && (l.s[k] == '\t' || l.s[k] == ' '))
				k++;
			name = l.s + k;
			size_t ne = k;
			while (ne < l.n && l.s[ne] != '\t' && l.s[ne] != ' ')
				ne++;
			name_len = ne - k;
			// "+0xOFF" at the end of the name
			const char *plus = name_len ? memrchr(name, '+', name_len) : NULL;
			if (plus) {
				size_t pi = (size_t)(plus - name) + 1;
				uint64_t off;
				if (parse_hex(name, name_len, &pi, &off) && pi == name_len) {
					L.has_off = true;
					L.off = off;
					name_len = (size_t)(plus - name);
				}
			}
			while (ne < l.n && (l.s[ne] == '\t' || l.s[ne] == ' '))
				ne++;
			loc = l.s + ne;
			loc_len = l.n - ne;
		}
		L.pc = pc;
		struct loc L2;
		parse_loc(loc, loc_len, &L2);
		L.file = L2.file;
		L.file_len = L2.file_len;
		L.line = L2.line;
		L.ok = L2.ok;
		uint32_t flags = GPM_FRAME_NO_ARGS;
		if (name_len == 0)
			flags |= GPM_FRAME_UNKNOWN_PC;
		// Frames of one pc: all but the last are inlined into it.
		if (P->gids.len && prev_pc == pc) {
			struct fentry *pf = &P->fents.v[P->gids.v[P->gids.len - 1]];
			if (!(pf->frame.flags & GPM_FRAME_INLINED)) {
				uint32_t id =
				    frame_lookup(P, pf->name, pf->name_len, pf->loc, pf->loc_len,
				                 pf->frame.flags | GPM_FRAME_INLINED, NULL, 0);
				if (id == UINT32_MAX)
					return &gpm_error_nomem;
				P->fents.v[id].frame = P->fents.v[P->gids.v[P->gids.len - 1]].frame;
				P->fents.v[id].frame.flags |= GPM_FRAME_INLINED;
				P->fents.v[id].frame.flags &= ~(uint32_t)GPM_FRAME_HAS_OFFSET;
				P->gids.v[P->gids.len - 1] = id;
			}
		}
		prev_pc = pc;
		uint32_t id =
		    frame_lookup(P, name, name_len, l.s + key_at, l.n - key_at, flags, &L, 0);
		if (id == UINT32_MAX || !push_gid(P, id) || !push_args(P, "", 0) ||
		    !push_regs(P, NULL))
			return &gpm_error_nomem;
	}
	uint32_t stack = UINT32_MAX, sent;
	if (P->nframes && (err = stack_commit(P, &stack, &sent)))
		return err;
	struct gpm_incident *inc = P->inc;
	count = counted_room(P, count);
	if (!count)
		return NULL;
	const char *state = istr(P, "unknown", 7);
	if (!state)
		return &gpm_error_nomem;
	uint32_t gi = (uint32_t)inc->goroutines.len;
	struct gpm_goroutine *g = gpm_incident_goroutine_push(inc);
	if (!g)
		return &gpm_error_nomem;
	g->flags |= GPM_GOROUTINE_PPROF_RECORD;
	g->state = state;
	if (inc->leak_profile)
		g->status = GPM_G_LEAKED;
	g->stack = stack;
	// The record's goroutines share one extra record, the labels, as they share the stack.
	if (labels && (err = parse_labels(P, g, labels, labels_len)))
		return err;
	return push_copies(P, gi, count - 1);
}

/* ---- aggregated summaries: panicparse, gotraceanalyzer ---- */

/*
 * Tools that fold goroutines with one stack into a bucket print the bucket's size where the
 * runtime prints a goroutine id. Their output is pasted into bug reports as often as the
 * runtime's. Each bucket becomes COUNT goroutines of one stack, flagged NO_ID (their ids
 * were not printed).
 *
 * panicparse (cmd panicparse / pp, v1 and v2, internal/ui.go):
 *   "COUNT: STATE [N minutes] [locked] [Created by DIR.NAME @ FILE:LINE]"
 *   "    DIR  FILE:LINE  NAME(ARGS)"   one per call, columns padded with spaces
 *   "    (...)"                         the stack was elided
 * DIR is the package's directory name ("http" for net/http), FILE the base name unless
 * -full-path or -rel-path, minutes a range "N~M minutes" ("N-M" before v2), ARGS its own
 * rendering (#N for a pointer, * for values that differ): not kept.
 *
 * gotraceanalyzer: "Showing N unique goroutines out of M total:", then per bucket
 * "COUNT goroutines [STATE]:" and the runtime's own frame lines.
 */

/* Standard packages whose directory name is not their import path, as panicparse names
 * them (the most used one where two share a name: pprof, rand, template). */
static const char *const pp_std[][2] = {
    {"atomic", "sync/atomic"},
    {"base64", "encoding/base64"},
    {"big", "math/big"},
    {"binary", "encoding/binary"},
    {"bits", "math/bits"},
    {"cgo", "runtime/cgo"},
    {"csv", "encoding/csv"},
    {"debug", "runtime/debug"},
    {"driver", "database/sql/driver"},
    {"exec", "os/exec"},
    {"filepath", "path/filepath"},
    {"flate", "compress/flate"},
    {"fs", "io/fs"},
    {"gob", "encoding/gob"},
    {"gzip", "compress/gzip"},
    {"heap", "container/heap"},
    {"hex", "encoding/hex"},
    {"http", "net/http"},
    {"httptest", "net/http/httptest"},
    {"httptrace", "net/http/httptrace"},
    {"httputil", "net/http/httputil"},
    {"ioutil", "io/ioutil"},
    {"json", "encoding/json"},
    {"list", "container/list"},
    {"mail", "net/mail"},
    {"netip", "net/netip"},
    {"pem", "encoding/pem"},
    {"poll", "internal/poll"},
    {"pprof", "runtime/pprof"},
    {"rand", "math/rand"},
    {"rpc", "net/rpc"},
    {"scanner", "text/scanner"},
    {"signal", "os/signal"},
    {"slog", "log/slog"},
    {"smtp", "net/smtp"},
    {"sql", "database/sql"},
    {"syslog", "log/syslog"},
    {"tabwriter", "text/tabwriter"},
    {"tar", "archive/tar"},
    {"template", "text/template"},
    {"textproto", "net/textproto"},
    {"tls", "crypto/tls"},
    {"trace", "runtime/trace"},
    {"url", "net/url"},
    {"user", "os/user"},
    {"utf16", "unicode/utf16"},
    {"utf8", "unicode/utf8"},
    {"x509", "crypto/x509"},
    {"xml", "encoding/xml"},
    {"zip", "archive/zip"},
    {"zlib", "compress/zlib"},
};

/* The directory d..e as an import path into out (cap bytes): without the "@version" of a
 * module cache's element ("grpc@v1.50.0"); its length, 0 when it does not fit. */
static size_t import_path(const char *d, const char *e, char *out, size_t cap)
{
	size_t n = 0;
	for (const char *q = d; q < e; q++) {
		if (*q == '@')
			while (q + 1 < e && q[1] != '/')
				q++;
		else if (n < cap)
			out[n++] = *q;
		else
			return 0;
	}
	return n;
}

/*
 * The import path of a panicparse call's package: from FILE's directory when it has one
 * (GOROOT/src/..., GOPATH/src/..., the module cache's path@version/..., a path -trimpath
 * wrote) and its last
 * element is DIR, else the standard package DIR names, else DIR itself. Written to out
 * (cap bytes); returns its length, 0 when it does not fit.
 */
static size_t pp_package(const char *dir, size_t dir_len, const char *file, size_t file_len,
                         char *out, size_t cap)
{
	const char *slash = memrchr(file, '/', file_len);
	if (slash && !(dir_len == 4 && !memcmp(dir, "main", 4))) {
		const char *d = file, *e = slash;
		for (const char *m = file; m + 5 <= e; m++)
			if (!memcmp(m, "/src/", 5))
				d = m + 5;
		for (const char *m = file; m + 9 <= e; m++)
			if (!memcmp(m, "/pkg/mod/", 9))
				d = m + 9;
		size_t n = import_path(d, e, out, cap);
		// An absolute path outside GOROOT, GOPATH and the module cache does not tell the
		// import path; a relative one (-trimpath, -rel-path) is it.
		if ((d != file || file[0] != '/') && n >= dir_len &&
		    !memcmp(out + n - dir_len, dir, dir_len) &&
		    (n == dir_len || out[n - dir_len - 1] == '/'))
			return n;
	}
	const char *name = NULL;
	for (size_t k = 0; k < sizeof(pp_std) / sizeof(pp_std[0]) && !name; k++)
		if (strlen(pp_std[k][0]) == dir_len && !memcmp(pp_std[k][0], dir, dir_len))
			name = pp_std[k][1];
	size_t n = name ? strlen(name) : dir_len;
	if (n > cap)
		return 0;
	memcpy(out, name ? name : dir, n);
	return n;
}

/* The function "PKG.NAME" of a panicparse call (interned); NULL when out of memory. */
static const char *pp_func(struct parser *P, const char *dir, size_t dir_len, const char *file,
                           size_t file_len, const char *name, size_t name_len)
{
	if (!dir_len) // "panic": a name the runtime prints without a package
		return istr(P, name, name_len);
	char buf[1024];
	size_t n = pp_package(dir, dir_len, file, file_len, buf, sizeof(buf) / 2);
	if (!n) { // too long to be a real path: the directory name alone
		n = dir_len < sizeof(buf) / 2 ? dir_len : sizeof(buf) / 2;
		memcpy(buf, dir, n);
	}
	if (name_len > sizeof(buf) - n - 1)
		name_len = sizeof(buf) - n - 1;
	buf[n++] = '.';
	memcpy(buf + n, name, name_len);
	return istr(P, buf, n + name_len);
}

struct pp_call {
	const char *dir, *file, *name; /* file: FILE:LINE */
	size_t dir_len, file_len, loc_len, name_len;
	uint64_t line;
	bool inlined; /* printed "(...)" */
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* "    DIR  FILE:LINE  NAME(ARGS)": three columns, the arguments last. */
static bool pp_call_line(const struct line *l, struct pp_call *c)
{
	const char *s = l->s;
	size_t n = l->n, i = 0;
	if (n && s[n - 1] == '\r')
		n--;
	while (i < n && is_blank(s[i])) // indented, unless a paste's indentation was taken off
		i++;
	if (i >= n || s[n - 1] != ')')
		return false;
	size_t d = i;
	while (i < n && !is_blank(s[i]) && s[i] != '(' && s[i] != ':')
		i++;
	if (i < n && s[i] == ':') {
		// No package column: a function without one ("panic", "goexit"), its column
		// left blank.
		i = d;
	} else if (i == d || i >= n || !is_blank(s[i])) {
		return false;
	}
	c->dir = s + d;
	c->dir_len = i - d;
	while (i < n && is_blank(s[i]))
		i++;
	size_t f = i;
	while (i < n && !is_blank(s[i]))
		i++;
	size_t k = i;
	while (k > f && is_digit(s[k - 1]))
		k--;
	if (k == i || k < f + 2 || s[k - 1] != ':')
		return false;
	size_t j = k;
	if (!parse_dec(s, i, &j, &c->line) || c->line > UINT32_MAX)
		return false;
	c->file = s + f;
	c->file_len = k - 1 - f;
	c->loc_len = i - f;
	while (i < n && is_blank(s[i]))
		i++;
	// The argument list is the parenthesis that closes the line; the name may hold its
	// own ("(*Mutex).Lock").
	size_t depth = 0, a = n;
	while (a > i) {
		a--;
		if (s[a] == ')')
			depth++;
		else if (s[a] == '(' && --depth == 0)
			break;
	}
	if (depth || a <= i || memchr(s + i, ' ', a - i))
		return false;
	c->name = s + i;
	c->name_len = a - i;
	c->inlined = n - a == 5 && !memcmp(s + a, "(...)", 5);
	return true;
}

struct pp_header {
	uint64_t count;
	struct header h;
	const char *cb, *cb_loc; /* "Created by" function and FILE:LINE; NULL none */
	size_t cb_len, cb_loc_len;
};

/* "COUNT: STATE [N minutes] [locked] [Created by DIR.NAME @ FILE:LINE]" */
static bool pp_header(const struct line *l, struct pp_header *ph)
{
	const char *s = l->s;
	size_t n = l->n, i = 0;
	if (n && s[n - 1] == '\r')
		n--;
	memset(ph, 0, sizeof(*ph));
	ph->h.m_id = -1;
	ph->h.minutes = -1;
	if (!parse_dec(s, n, &i, &ph->count) || !ph->count || !starts(s + i, n - i, ": ", 2))
		return false;
	i += 2;
	const char *br = memmem(s + i, n - i, " [", 2);
	size_t se = br ? (size_t)(br - s) : n;
	if (se == i || memchr(s + i, ']', se - i))
		return false;
	ph->h.state = s + i;
	ph->h.state_len = se - i;
	i = se;
	while (i < n) {
		if (!starts(s + i, n - i, " [", 2))
			return false;
		i += 2;
		if (starts(s + i, n - i, "Created by ", 11) && s[n - 1] == ']') {
			const char *at = memmem(s + i + 11, n - 1 - (i + 11), " @ ", 3);
			if (!at)
				return false;
			ph->cb = s + i + 11;
			ph->cb_len = (size_t)(at - ph->cb);
			ph->cb_loc = at + 3;
			ph->cb_loc_len = (size_t)(s + n - 1 - ph->cb_loc);
			i = n;
			break;
		}
		if (starts(s + i, n - i, "locked]", 7)) {
			ph->h.flags |= GPM_GOROUTINE_LOCKED;
			i += 7;
			continue;
		}
		uint64_t lo, hi;
		if (!parse_dec(s, n, &i, &lo))
			return false;
		hi = lo;
		if (i < n && (s[i] == '~' || s[i] == '-')) {
			i++;
			if (!parse_dec(s, n, &i, &hi))
				return false;
		}
		if (!starts(s + i, n - i, " minutes]", 9))
			return false;
		i += 9;
		// A bucket's range: its shortest wait is what holds for every goroutine of it.
		ph->h.minutes = lo > INT64_MAX ? INT64_MAX : (int64_t)(lo < hi ? lo : hi);
	}
	ph->h.complete = true;
	return true;
}

/* Whether l is a panicparse bucket header followed by one of its call lines. */
static bool pp_start(const struct parser *P, const struct line *l, struct pp_header *ph)
{
	const char *q = P->p;
	struct line nx;
	struct pp_call c;
	return pp_header(l, ph) && line_at(&q, P->end, &nx) && pp_call_line(&nx, &c);
}

/* Adds copies of goroutine gi, the other goroutines of a profile's record or a tool's
 * bucket (as many as counted_room allowed): they share its stack (counted in its refs) and
 * its extra record (labels). */
static struct gpm_error *push_copies(struct parser *P, uint32_t gi, uint64_t copies)
{
	struct gpm_incident *inc = P->inc;
	for (uint64_t c = 0; c < copies; c++) {
		struct gpm_goroutine *g = gpm_incident_goroutine_push(inc);
		if (!g)
			return &gpm_error_nomem;
		*g = inc->goroutines.v[gi];
		g->flags &= ~(uint32_t)GPM_GOROUTINE_CURRENT;
		if (g->stack != UINT32_MAX)
			inc->stacks.v[g->stack].refs++;
	}
	if (P->cur_section != UINT32_MAX) {
		struct gpm_signal_section *sec = &inc->sections.v[P->cur_section];
		sec->ngoroutines = (uint32_t)inc->goroutines.len - sec->first_goroutine;
	}
	return NULL;
}

/* "48 goroutines [semacquire, 4 minutes]:" (gotraceanalyzer): a bucket whose frames are
 * the runtime's. Returns its count, 0 when l is not one. */
static uint64_t group_header(const struct line *l, struct header *h)
{
	size_t i = 0;
	uint64_t count;
	if (!parse_dec(l->s, l->n, &i, &count) || !count)
		return 0;
	if (starts(l->s + i, l->n - i, " goroutines [", 13))
		i += 11;
	else if (starts(l->s + i, l->n - i, " goroutine [", 12))
		i += 10;
	else
		return 0;
	memset(h, 0, sizeof(*h));
	h->m_id = -1;
	h->minutes = -1;
	if (!parse_header_rest(l, i, h) || !h->complete || h->has_gp)
		return 0;
	h->flags |= GPM_GOROUTINE_NO_ID;
	return count;
}

/* A panicparse bucket: its header (ph, line hl) read, its call lines next. */
static struct gpm_error *parse_pp_bucket(struct parser *P, const struct line *hl,
                                         const struct pp_header *ph)
{
	struct gpm_error *err;
	struct gpm_incident *inc = P->inc;
	if (inc->goroutines.len >= P->o.max_goroutines)
		return parse_block(P, hl, &ph->h, false); // counts and skips, as for any header
	P->nframes = 0;
	P->raw.len = P->gids.len = P->gargs.len = P->spans.len = P->gregs.len = P->nregs = 0;
	P->spans_any = false;
	bool elided = false;
	struct line l;
	for (;;) {
		const char *save = P->p;
		if (!next_line(P, &l))
			break;
		struct pp_call c;
		if (!pp_call_line(&l, &c)) {
			size_t k = 0;
			while (k < l.n && is_blank(l.s[k]))
				k++;
			if (l.n - k >= 5 && !memcmp(l.s + k, "(...)", 5)) {
				elided = true;
				continue;
			}
			P->p = save;
			break;
		}
		if (P->nframes >= P->o.max_frames) {
			note_lost(P, LOST_LINE, l.s);
			continue;
		}
		const char *fn =
		    pp_func(P, c.dir, c.dir_len, c.file, c.file_len, c.name, c.name_len);
		if (!fn)
			return &gpm_error_nomem;
		struct loc L;
		memset(&L, 0, sizeof(L));
		L.file = c.file;
		L.file_len = c.file_len;
		L.line = c.line;
		L.ok = true;
		uint32_t flags = GPM_FRAME_NO_ARGS | (c.inlined ? GPM_FRAME_INLINED : 0);
		uint32_t id = frame_lookup(P, fn, strlen(fn), c.file, c.loc_len, flags, &L, 0);
		if (id == UINT32_MAX || !push_gid(P, id) || !push_args(P, "", 0) ||
		    !push_regs(P, NULL))
			return &gpm_error_nomem;
	}
	struct gpm_goroutine *g = gpm_incident_goroutine_push(inc);
	if (!g)
		return &gpm_error_nomem;
	uint32_t gi = (uint32_t)inc->goroutines.len - 1;
	// "1: idle": an M's g0 (the runtime's "goroutine 0 [idle]"), not a goroutine.
	bool g0 = ph->h.state_len == 4 && !memcmp(ph->h.state, "idle", 4);
	g->flags |= ph->h.flags | (g0 ? 0 : GPM_GOROUTINE_NO_ID);
	g->wait_minutes = ph->h.minutes;
	set_state(P, g, ph->h.state, ph->h.state_len);
	if (!g->state)
		return &gpm_error_nomem;
	if (!P->first_goroutine_done) {
		P->first_goroutine_done = true;
		if (P->have_preamble && !P->in_separator)
			g->flags |= GPM_GOROUTINE_CURRENT;
	}
	if (P->cur_section != UINT32_MAX && !inc->sections.v[P->cur_section].ngoroutines)
		inc->sections.v[P->cur_section].first_goroutine = gi;
	if (elided)
		g->flags |= GPM_GOROUTINE_MORE_FRAMES;
	if (P->nframes) {
		uint32_t stack, sent;
		if ((err = stack_commit(P, &stack, &sent)))
			return err;
		inc->goroutines.v[gi].stack = stack;
	} else {
		inc->goroutines.v[gi].flags |= GPM_GOROUTINE_NO_STACK;
		note_lost(P, LOST_FRAMES, hl->s);
	}
	if (ph->cb) {
		// "DIR.NAME": the package is read as a call's is.
		const char *dot = memchr(ph->cb, '.', ph->cb_len);
		struct loc L;
		parse_loc(ph->cb_loc, ph->cb_loc_len, &L);
		const char *fn =
		    dot ? pp_func(P, ph->cb, (size_t)(dot - ph->cb), L.file, L.ok ? L.file_len : 0,
		                  dot + 1, ph->cb_len - (size_t)(dot + 1 - ph->cb))
		        : istr(P, ph->cb, ph->cb_len);
		if (!fn)
			return &gpm_error_nomem;
		uint32_t id = frame_lookup(P, fn, strlen(fn), ph->cb_loc, ph->cb_loc_len, 0, &L, 0);
		if (id == UINT32_MAX)
			return &gpm_error_nomem;
		struct fentry *f = &P->fents.v[id];
		if (f->lone == UINT32_MAX &&
		    (err = gpm_incident_lone_frame(inc, &f->frame, &f->lone)))
			return err;
		inc->goroutines.v[gi].created_by = f->lone;
	}
	if ((err = push_copies(P, gi, counted_room(P, ph->count - 1))))
		return err;
	// Swallow the blank line between buckets.
	const char *save = P->p;
	if (next_line(P, &l) && l.n != 0)
		P->p = save;
	return NULL;
}

/* ---- the value a recover logged before a stack ---- */

/* A Go-quoted string at s (its opening quote) decoded: the common escapes (\" \\ \n \t),
 * others kept as written; malloc'd, NULL when it does not close on the line or is empty. */
static char *go_unquote(const char *s, size_t n)
{
	char *buf = malloc(n ? n : 1);
	if (!buf)
		return NULL;
	size_t k = 0, i = 1;
	for (; i < n && s[i] != '"'; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			char e = s[++i];
			buf[k++] = e == 'n' ? '\n' : e == 't' ? '\t' : e;
		} else {
			buf[k++] = s[i];
		}
	}
	if (i >= n || !k) {
		free(buf);
		return NULL;
	}
	buf[k] = 0; // k < n: the closing quote was not copied
	return buf;
}

/*
 * A line a recover logged before the stack of the panic it caught, naming the panic's value
 * (malloc'd; NULL when l is not one, or out of memory):
 *   Kubernetes' HandleCrash (k8s.io/apimachinery util/runtime) up to v0.29:
 *     "Observed a panic: %#v (%v)" ("Observed a panic: V" for a string value), the %v kept;
 *   from v0.30, structured: "\"Observed a panic\" panic=\"V\" … stacktrace=<";
 *   controller-runtime: "Observed a panic in reconciler: V";
 *   echo's Recover middleware: "[PANIC RECOVER] V", the stack's header often glued after;
 *   loggers of recover middleware: "panic recovered: V", "recovered from panic: V", and a
 *   program's own "recovered: V" (log.Printf before debug.PrintStack()).
 */
static char *recover_value(const struct line *l)
{
	static const char *const lead[] = {
	    "Observed a panic in reconciler: ",
	    "Observed a panic: ",
	    "[PANIC RECOVER] ",
	    "panic recovered: ",
	    "Panic recovered: ",
	    "recovered from panic: ",
	    "Recovered from panic: ",
	    "recovered panic: ",
	    "Recovered panic: ",
	    "recovered: ",
	    "Recovered: ",
	};
	const char *s = l->s;
	size_t n = l->n;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\r'))
		n--;
	const char *q = memmem(s, n, "\"Observed a panic\" ", 19);
	if (q) {
		const char *pv = memmem(q, n - (size_t)(q - s), " panic=\"", 8);
		return pv ? go_unquote(pv + 7, n - (size_t)(pv + 7 - s)) : NULL;
	}
	for (size_t k = 0; k < sizeof(lead) / sizeof(lead[0]); k++) {
		size_t ln = strlen(lead[k]);
		const char *m = memmem(s, n, lead[k], ln);
		if (!m || (m > s && m[-1] != ' ' && m[-1] != ']' && m[-1] != '\t'))
			continue;
		const char *b = m + ln, *e = s + n;
		// "%#v (%v)": the Go syntax of the value, then its text in parentheses.
		if (e - b > 3 && e[-1] == ')' &&
		    (*b == '"' || *b == '&' || memchr(b, '{', (size_t)(e - b)))) {
			int depth = 0;
			const char *p = e - 1;
			for (; p > b; p--) {
				depth += *p == ')' ? 1 : *p == '(' ? -1 : 0;
				if (!depth)
					break;
			}
			if (p > b + 1 && p[-1] == ' ' && p + 1 < e - 1)
				b = p + 1, e--;
		}
		return e > b ? strndup(b, (size_t)(e - b)) : NULL;
	}
	return NULL;
}

/* ---- stacks in the format of Go's first runtime/debug.Stack (gin, martini) ---- */

/*
 * gin's and martini's Recovery middleware log a recovered panic's stack in the format
 * runtime/debug.Stack had before Go 1.6 (gin's recovery.go keeps a copy of it): per frame
 * from runtime.Caller,
 *   "FILE:LINE (0xPC)"
 *   "\tNAME: SOURCE"      only when FILE could be read (never in a container without the
 *                          sources, nor with -trimpath), NAME the function without its
 *                          package ("(*Context).Next", "main.func1" for main.main.func1)
 * preceded by the panic's value: gin's "[Recovery] DATE panic recovered:" line, the
 * request's headers in debug mode, then the value on the line before the stack; martini's
 * "PANIC: VALUE". The stack starts at the panic's caller (the runtime's frames first when
 * the runtime raised it). Each becomes one goroutine, flagged GPM_GOROUTINE_RECOVER_LOG
 * and NO_HEADER, whose functions are "PKG.NAME", PKG read from FILE's directory (after
 * GOROOT's or GOPATH's "/src/", the module cache's "/pkg/mod/" without the version, a
 * -trimpath path as it is, else the directory's last element), "PKG.?" without a NAME line.
 */
struct classic_loc {
	const char *file, *loc; /* loc: "FILE:LINE" */
	size_t file_len, loc_len;
	uint64_t line, pc;
};

static bool classic_loc_line(const struct line *l, struct classic_loc *c)
{
	const char *s = l->s;
	size_t n = l->n, b = 0;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	while (b < n && (s[b] == ' ' || s[b] == '\t'))
		b++;
	if (n < b + 12 || s[n - 1] != ')')
		return false;
	const char *lp = memrchr(s + b, '(', n - b);
	if (!lp || lp < s + b + 4 || lp[-1] != ' ' || lp + 3 >= s + n || lp[1] != '0' ||
	    lp[2] != 'x')
		return false;
	size_t j = (size_t)(lp - s) + 1;
	uint64_t pc;
	if (!parse_hex(s, n - 1, &j, &pc) || j != n - 1)
		return false;
	size_t e = (size_t)(lp - s) - 1; // the blank
	size_t d = e;
	while (d > b && is_digit(s[d - 1]))
		d--;
	if (d == e || d < b + 2 || s[d - 1] != ':')
		return false;
	size_t k = d;
	uint64_t line;
	if (!parse_dec(s, e, &k, &line) || line > UINT32_MAX)
		return false;
	size_t fe = d - 1; // the colon
	bool go = fe >= b + 3 && !memcmp(s + fe - 3, ".go", 3);
	bool as = fe >= b + 2 && !memcmp(s + fe - 2, ".s", 2);
	bool gen = fe - b == 15 && !memcmp(s + b, "<autogenerated>", 15);
	if (!go && !as && !gen)
		return false;
	for (size_t q = b; q < fe; q++)
		if (s[q] == '\t' || (s[q] == ' ' && !(q > b + 1 && s[q - 1] != ' ')))
			return false; // a blank may be inside a path ("Program Files"), not a gap
	c->file = s + b;
	c->file_len = fe - b;
	c->loc = s + b;
	c->loc_len = e - b;
	c->line = line;
	c->pc = pc;
	return true;
}

/* "\tNAME: SOURCE" after a location line (its indentation may be gone); *name, *nlen. */
static bool classic_name_line(const struct line *l, const char **name, size_t *nlen)
{
	const char *s = l->s;
	size_t n = l->n, b = 0;
	while (b < n && (s[b] == ' ' || s[b] == '\t'))
		b++;
	size_t i = b;
	while (i < n && s[i] != ':' && s[i] != ' ' && s[i] != '\t')
		i++;
	if (i == b || i >= n || s[i] != ':' || (i + 1 < n && s[i + 1] != ' ') ||
	    !(s[b] == '(' || s[b] == '_' || ((s[b] | 0x20) >= 'a' && (s[b] | 0x20) <= 'z')))
		return false;
	*name = s + b;
	*nlen = i - b;
	return true;
}

/* Whether l starts such a stack: a location line, then another or a name line and one. */
static bool classic_start(const struct parser *P, const struct line *l)
{
	struct classic_loc c;
	if (!classic_loc_line(l, &c))
		return false;
	const char *q = P->p, *nm;
	size_t nn;
	struct line nx;
	if (!line_at(&q, P->end, &nx))
		return false;
	if (classic_name_line(&nx, &nm, &nn) && !classic_loc_line(&nx, &c) &&
	    !line_at(&q, P->end, &nx))
		return false;
	return classic_loc_line(&nx, &c);
}

/* The package of a frame at file (see above) into out (cap bytes); its length. */
static size_t classic_package(const char *file, size_t n, char *out, size_t cap)
{
	const char *slash = memrchr(file, '/', n);
	if (!slash)
		return 0;
	const char *d = file, *e = slash;
	bool rooted = false;
	for (const char *m = file; m + 5 <= e; m++)
		if (!memcmp(m, "/src/", 5))
			d = m + 5, rooted = true;
	for (const char *m = file; m + 9 <= e; m++)
		if (!memcmp(m, "/pkg/mod/", 9))
			d = m + 9, rooted = true;
	if (!rooted && (file[0] == '/' || (n > 2 && file[1] == ':'))) {
		// An absolute path outside GOROOT, GOPATH and the module cache: its last element.
		const char *p = memrchr(file, '/', (size_t)(e - file));
		d = p ? p + 1 : file;
	}
	return import_path(d, e, out, cap);
}

/* The panic's value a recover printed before the stack at first: martini's "PANIC: V" on
 * that line, gin's the line itself when a "panic recovered:" line is up to 64 lines above
 * (the request's headers between them in debug mode); NULL when none reads as one. */
static const char *classic_value(struct parser *P, const char *first)
{
	struct line prev, up;
	if (!line_before(P->base, first, &prev))
		return NULL;
	const char *s = prev.s;
	size_t n = prev.n;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	const char *mp = n > 7 ? memmem(s, n, "PANIC: ", 7) : NULL;
	if (mp)
		return n > (size_t)(mp + 7 - s) ? istr(P, mp + 7, n - (size_t)(mp + 7 - s)) : NULL;
	if (!n || memmem(s, n, "panic recovered:", 16))
		return NULL;
	up = prev;
	for (int k = 0; k < 64 && line_before(P->base, up.s, &up);)
		if (up.n) {
			if (memmem(up.s, up.n, "panic recovered:", 16))
				return istr(P, s, n);
			k++;
		}
	return NULL;
}

static struct gpm_error *begin_dump_line(struct parser *P, bool starts_snapshot);

static struct gpm_error *recover_log_commit(struct parser *P, bool keep, const char *value);

static struct gpm_error *parse_classic_stack(struct parser *P, const struct line *first)
{
	struct gpm_error *err;
	if ((err = begin_dump_line(P, false)) || (err = preamble_commit(P)))
		return err;
	struct gpm_incident *inc = P->inc;
	const char *value = classic_value(P, first->s);
	bool keep = inc->goroutines.len < P->o.max_goroutines;
	P->nframes = 0;
	P->raw.len = P->gids.len = P->gargs.len = P->spans.len = P->gregs.len = P->nregs = 0;
	P->spans_any = false;
	struct line l = *first;
	for (;;) {
		struct classic_loc c;
		classic_loc_line(&l, &c);
		const char *name = NULL, *save = P->p;
		size_t nlen = 0;
		struct line nx;
		if (!line_at(&P->p, P->end, &nx) ||
		    classic_loc_line(&nx, &(struct classic_loc){0}) ||
		    !classic_name_line(&nx, &name, &nlen)) {
			P->p = save;
			name = NULL;
		}
		if (keep && P->nframes >= P->o.max_frames) {
			note_lost(P, LOST_LINE, l.s);
		} else if (keep) {
			char buf[1024];
			size_t k = classic_package(c.file, c.file_len, buf, sizeof(buf) / 2);
			if (!k) {
				memcpy(buf, "main", 4);
				k = 4;
			}
			buf[k++] = '.';
			if (!name) {
				name = "?";
				nlen = 1;
			}
			if (nlen > sizeof(buf) - k)
				nlen = sizeof(buf) - k;
			memcpy(buf + k, name, nlen);
			const char *fn = istr(P, buf, k + nlen);
			struct loc L;
			memset(&L, 0, sizeof(L));
			L.file = c.file;
			L.file_len = c.file_len;
			L.line = c.line;
			L.pc = c.pc;
			L.ok = true;
			uint32_t id = fn ? frame_lookup(P, fn, strlen(fn), c.loc, c.loc_len,
			                                GPM_FRAME_NO_ARGS, &L, 0)
			                 : UINT32_MAX;
			if (id == UINT32_MAX || !push_gid(P, id) || !push_args(P, "", 0) ||
			    !push_regs(P, NULL))
				return &gpm_error_nomem;
		}
		save = P->p;
		if (!line_at(&P->p, P->end, &l) || !classic_loc_line(&l, &c)) {
			P->p = save;
			break;
		}
	}
	return recover_log_commit(P, keep, value);
}

/* The goroutine of a stack a recover logged, its frames pushed (keep: within the limit on
 * goroutines), and the value logged with it (interned, NULL none). */
static struct gpm_error *recover_log_commit(struct parser *P, bool keep, const char *value)
{
	struct gpm_error *err;
	struct gpm_incident *inc = P->inc;
	if (!keep) {
		if (inc->goroutines.len == P->o.max_goroutines)
			gpm_incident_warn(inc, "more than %llu goroutines: the rest are not read",
			                  (unsigned long long)P->o.max_goroutines);
		return NULL;
	}
	struct gpm_goroutine *g = gpm_incident_goroutine_push(inc);
	if (!g)
		return &gpm_error_nomem;
	uint32_t gi = (uint32_t)inc->goroutines.len - 1;
	g->flags |= GPM_GOROUTINE_NO_HEADER | GPM_GOROUTINE_RECOVER_LOG;
	set_state(P, g, "running", 7);
	if (!g->state)
		return &gpm_error_nomem;
	g->status = GPM_G_RUNNING;
	if (P->cur_section != UINT32_MAX && !inc->sections.v[P->cur_section].ngoroutines)
		inc->sections.v[P->cur_section].first_goroutine = gi;
	uint32_t stack, sent;
	if ((err = stack_commit(P, &stack, &sent)))
		return err;
	inc->goroutines.v[gi].stack = stack;
	if (value) {
		const char **slot = gpm_vec_push(&inc->crash.recovered);
		if (!slot)
			return &gpm_error_nomem;
		*slot = value;
	}
	return NULL;
}

/* ---- chi's Recoverer: its "pretty" stack ---- */

/*
 * go-chi's middleware.Recoverer prints a recovered panic as " panic: V", then the stack of
 * runtime/debug.Stack re-printed from the panic's caller on, in colours: the first frame
 * marked " -> FUNC" and " ->   FILE:LINE", then a blank line, the others "    FUNC" and
 * "      FILE:LINE" (no arguments, no offsets). The request failed and the process went on:
 * one goroutine flagged GPM_GOROUTINE_RECOVER_LOG, the value the "panic: " line's (read as
 * a panic by then, and taken back from the crash).
 */
static bool chi_arrow(const struct line *l, const char **s, size_t *n)
{
	size_t b = 0, e = l->n;
	while (b < e && (l->s[b] == ' ' || l->s[b] == '\t'))
		b++;
	while (e > b && (l->s[e - 1] == ' ' || l->s[e - 1] == '\r'))
		e--;
	if (e - b < 4 || l->s[b] != '-' || l->s[b + 1] != '>' || l->s[b + 2] != ' ')
		return false;
	b += 3;
	while (b < e && l->s[b] == ' ')
		b++;
	*s = l->s + b;
	*n = e - b;
	return *n > 0;
}

/* A function name alone on its line: a dot, no blank. */
static bool chi_func(const char *s, size_t n)
{
	return n > 2 && memchr(s, '.', n) && !memchr(s, ' ', n) && !memchr(s, '\t', n) &&
	       s[n - 1] != ':';
}

/* A location alone on its line (indented or not): "FILE:LINE". */
static bool chi_loc(const char *s, size_t n, struct loc *L)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\r'))
		n--;
	if (!n || memchr(s, ' ', n))
		return false;
	parse_loc(s, n, L);
	return L->ok;
}

static bool chi_start(const struct parser *P, const struct line *l)
{
	const char *f, *a;
	size_t fn, an;
	struct line nx;
	struct loc L;
	const char *q = P->p;
	return chi_arrow(l, &f, &fn) && chi_func(f, fn) && line_at(&q, P->end, &nx) &&
	       chi_arrow(&nx, &a, &an) && chi_loc(a, an, &L);
}

/* Frame fn at the location line loc, which chi_loc read into L. */
static struct gpm_error *chi_frame(struct parser *P, const char *fn, size_t fnn, const char *loc,
                                   size_t locn, const struct loc *L)
{
	while (locn && (*loc == ' ' || *loc == '\t'))
		loc++, locn--;
	while (locn && (loc[locn - 1] == ' ' || loc[locn - 1] == '\r'))
		locn--;
	uint32_t id = frame_lookup(P, fn, fnn, loc, locn, GPM_FRAME_NO_ARGS, L, 0);
	if (id == UINT32_MAX || !push_gid(P, id) || !push_args(P, "", 0) || !push_regs(P, NULL))
		return &gpm_error_nomem;
	return NULL;
}

static struct gpm_error *parse_chi_stack(struct parser *P, const struct line *first)
{
	struct gpm_error *err;
	const char *value = NULL;
	struct gpm_incident *inc = P->inc;
	if (inc && inc->crash.panics.len && !inc->goroutines.len && inc->kind == GPM_INPUT_DUMP) {
		// Its " panic: V" line, read as a crash's: the value of a recovered panic.
		value = inc->crash.panics.v[0].message;
		inc->crash.panics.len = 0;
		inc->crash.kind = GPM_FATAL_NONE;
		P->have_preamble = false;
	} else if ((err = begin_dump_line(P, false))) {
		return err;
	}
	if ((err = preamble_commit(P)))
		return err;
	inc = P->inc;
	bool keep = inc->goroutines.len < P->o.max_goroutines;
	P->nframes = 0;
	P->raw.len = P->gids.len = P->gargs.len = P->spans.len = P->gregs.len = P->nregs = 0;
	P->spans_any = false;
	const char *f, *a;
	size_t fn, an;
	struct line nx = {0};
	chi_arrow(first, &f, &fn);
	line_at(&P->p, P->end, &nx);
	chi_arrow(&nx, &a, &an);
	struct loc first_loc;
	chi_loc(a, an, &first_loc); // chi_start read it
	if (keep && (err = chi_frame(P, f, fn, a, an, &first_loc)))
		return err;
	const char *creator = NULL;
	struct line creator_loc = {0};
	for (;;) {
		const char *save = P->p;
		struct line l = {0};
		while (line_at(&P->p, P->end, &l) && !l.n)
			;
		size_t b = 0, e = l.n;
		while (b < e && (l.s[b] == ' ' || l.s[b] == '\t'))
			b++;
		while (e > b && (l.s[e - 1] == ' ' || l.s[e - 1] == '\r'))
			e--;
		struct loc L;
		bool cb = e - b > 11 && !memcmp(l.s + b, "created by ", 11);
		if (cb) // the last: "created by FUNC[ in goroutine N]"
			b += 11;
		const char *in = cb ? memmem(l.s + b, e - b, " in goroutine ", 14) : NULL;
		if (in)
			e = (size_t)(in - l.s);
		if (P->p == save || !chi_func(l.s + b, e - b) || !line_at(&P->p, P->end, &nx) ||
		    !chi_loc(nx.s, nx.n, &L)) {
			P->p = save;
			break;
		}
		if (cb) {
			creator = istr(P, l.s + b, e - b);
			creator_loc = nx;
			if (!creator)
				return &gpm_error_nomem;
			break;
		}
		if (keep && P->nframes >= P->o.max_frames)
			note_lost(P, LOST_LINE, l.s);
		else if (keep && (err = chi_frame(P, l.s + b, e - b, nx.s, nx.n, &L)))
			return err;
	}
	if ((err = recover_log_commit(P, keep, value)) || !keep || !creator)
		return err;
	struct loc L;
	chi_loc(creator_loc.s, creator_loc.n, &L);
	uint32_t id = frame_lookup(P, creator, strlen(creator), L.file, L.file_len, 0, &L, 0);
	if (id == UINT32_MAX)
		return &gpm_error_nomem;
	struct fentry *fe = &P->fents.v[id];
	if (fe->lone == UINT32_MAX &&
	    (err = gpm_incident_lone_frame(P->inc, &fe->frame, &fe->lone)))
		return err;
	P->inc->goroutines.v[P->inc->goroutines.len - 1].created_by = fe->lone;
	return NULL;
}

/* ---- preambles ---- */

static bool is_signal_line(const struct line *l)
{
	// "SIGQUIT: quit", "SIGSEGV: segmentation violation", "signal 42: …"?
	// (runtime/signal_unix.go)
	if (l->n < 6 || memcmp(l->s, "SIG", 3) != 0)
		return false;
	size_t i = 3;
	while (i < l->n && l->s[i] >= 'A' && l->s[i] <= 'Z')
		i++;
	return i + 1 < l->n && l->s[i] == ':' && l->s[i + 1] == ' ';
}

static bool parse_reg_line(const struct line *l, const char **name, size_t *nlen, uint64_t *v)
{
	size_t i = 0;
	while (i < l->n && ((l->s[i] >= 'a' && l->s[i] <= 'z') || is_digit(l->s[i])))
		i++;
	if (i == 0 || i > 8 || i >= l->n || l->s[i] != ' ')
		return false;
	*name = l->s;
	*nlen = i;
	while (i < l->n && l->s[i] == ' ')
		i++;
	return parse_hex(l->s, l->n, &i, v) && i == l->n;
}

/* "[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x457922a]" */
static void parse_signal_bracket(struct parser *P, const struct line *l)
{
	struct gpm_crash *c = &P->inc->crash;
	size_t i = 8, n = l->n;
	const char *s = l->s;
	size_t st = i;
	while (i < n && s[i] != ':' && s[i] != ' ')
		i++;
	c->signame = istr(P, s + st, i - st);
	size_t after_name = i;
	if (i < n && s[i] == ':')
		i++;
	while (i < n && s[i] == ' ')
		i++;
	size_t ds = i;
	// Go before 1.5 printed the number: "[signal 0xb code=0x1 addr=0x1 pc=0x…]".
	const char *code = memmem(s + after_name, n - after_name, " code=", 6);
	if (code && code < s + ds)
		ds = (size_t)(code - s);
	size_t de = code ? (size_t)(code - s) : n - 1;
	c->sigdesc = istr(P, s + ds, de > ds ? de - ds : 0);
	for (i = de; i < n; i++) {
		uint64_t v;
		size_t j;
		if (starts(s + i, n - i, " code=", 6)) {
			j = i + 6;
			if (parse_hex(s, n, &j, &v)) {
				c->sigcode = (int64_t)v;
			} else if (j < n && s[j] == '-') {
				j++;
				if (parse_hex(s, n, &j, &v) || parse_dec(s, n, &j, &v))
					c->sigcode = -(int64_t)v;
			} else if (parse_dec(s, n, &j, &v)) {
				c->sigcode = (int64_t)v;
			}
		} else if (starts(s + i, n - i, " addr=", 6)) {
			j = i + 6;
			if (parse_hex(s, n, &j, &v)) {
				c->fault_addr = v;
				c->has_fault_addr = true;
			}
		} else if (starts(s + i, n - i, " pc=", 4)) {
			j = i + 4;
			if (parse_hex(s, n, &j, &v))
				c->pc = v;
		}
	}
	if (c->kind == GPM_FATAL_NONE || c->kind == GPM_FATAL_PANIC)
		c->kind = c->panics.len ? GPM_FATAL_PANIC : GPM_FATAL_SIGNAL;
	static const struct {
		const char *name;
		int no;
	} sigs[] = {{"SIGSEGV", 11}, {"SIGBUS", 7},  {"SIGFPE", 8},  {"SIGILL", 4},
	            {"SIGABRT", 6},  {"SIGQUIT", 3}, {"SIGTRAP", 5}, {"SIGSYS", 31}};
	uint64_t num;
	size_t j = 8;
	if (starts(s + 8, n - 8, "0x", 2) && parse_hex(s, n, &j, &num) && j == after_name) {
		for (size_t k = 0; k < sizeof(sigs) / sizeof(sigs[0]); k++)
			if ((uint64_t)sigs[k].no == num)
				c->signame = istr(P, sigs[k].name, strlen(sigs[k].name));
	}
	for (size_t k = 0; c->signame && k < sizeof(sigs) / sizeof(sigs[0]); k++)
		if (!strcmp(c->signame, sigs[k].name))
			c->signo = sigs[k].no;
}

/* "panic: V[ [recovered]]" then "\tpanic: …" lines, values continued on "\t" lines. */
enum { VALUE_LINES = 64 }; /* lines of a value that starts with a line end, at most */

/*
 * The lines of a panic value printed after an empty "panic: " (the value began with a line
 * end) into P->tmp, up to a nested "panic: ", a goroutine header (or a blank line before
 * one) or a fatal or signal line; " [recovered]" alone on a line marks it recovered.
 */
static struct gpm_error *panic_value_lines(struct parser *P, bool *recovered, bool *more,
                                           struct line *l, bool *cut)
{
	struct line nx;
	const char *save = P->p;
	for (int k = 0; k < VALUE_LINES && next_line(P, &nx); k++) {
		if (is_header(&nx) || STARTS(&nx, "goroutine ") || STARTS(&nx, "[signal ") ||
		    STARTS(&nx, "fatal error: ") || is_signal_line(&nx))
			break;
		if (STARTS(&nx, "panic: ") || STARTS(&nx, "\tpanic: ")) {
			*more = true;
			*l = nx;
			return NULL;
		}
		size_t b = 0;
		while (b < nx.n && (nx.s[b] == ' ' || nx.s[b] == '\t'))
			b++;
		if (nx.n - b == 11 && !memcmp(nx.s + b, "[recovered]", 11)) {
			*recovered = true;
			save = P->p;
			continue;
		}
		if (nx.n == 0) {
			const char *q = P->p;
			struct line pk = {0};
			int blanks = 0; // a value holds a few: no pass over a hostile run of them
			while (line_at(&q, P->end, &pk) && pk.n == 0 && ++blanks < VALUE_LINES)
				;
			if (pk.s && (is_header(&pk) || STARTS(&pk, "goroutine ")))
				break;
		}
		size_t t = nx.n && nx.s[0] == '\t';
		if (P->tmp.len + nx.n > P->o.max_line) {
			*cut = true;
			save = P->p;
			continue;
		}
		if (!gpm_vec_reserve(&P->tmp, P->tmp.len + nx.n + 1))
			return &gpm_error_nomem;
		if (P->tmp.len)
			P->tmp.v[P->tmp.len++] = '\n';
		memcpy(P->tmp.v + P->tmp.len, nx.s + t, nx.n - t);
		P->tmp.len += nx.n - t;
		save = P->p;
	}
	P->p = save;
	return NULL;
}

static struct gpm_error *parse_panics(struct parser *P, struct line l, size_t skip)
{
	struct gpm_crash *c = &P->inc->crash;
	bool first = true, cut = false;
	for (;;) {
		const char *s = l.s;
		size_t n = l.n;
		if (!first) {
			if (n && s[0] == '\t') {
				s++;
				n--;
			}
		}
		size_t k = first ? skip : 7;
		first = false;
		s += k;
		n -= k;
		bool recovered = false, repanicked = false;
		if (n >= 24 && memcmp(s + n - 24, " [recovered, repanicked]", 24) == 0) {
			recovered = repanicked = true;
			n -= 24;
		} else if (n >= 12 && memcmp(s + n - 12, " [recovered]", 12) == 0) {
			recovered = true;
			n -= 12;
		}
		// A value is kept up to max_line bytes (a hostile 2 GB line is not copied).
		if (n > P->o.max_line) {
			n = P->o.max_line;
			cut = true;
		}
		// Continuation lines of a multi-line value.
		P->tmp.len = 0;
		if (!gpm_vec_reserve(&P->tmp, n + 1))
			return &gpm_error_nomem;
		memcpy(P->tmp.v, s, n);
		P->tmp.len = n;
		struct line nx;
		const char *save = P->p;
		bool more = false;
		if (n == 0) {
			// "panic: " and nothing: a value that starts with a line end, its lines as
			// they were (Ginkgo's "\nYour test failed.\n…" of an assertion in a
			// goroutine without GinkgoRecover), blank ones among them.
			struct gpm_error *e = panic_value_lines(P, &recovered, &more, &l, &cut);
			if (e)
				return e;
			goto store;
		}
		while (next_line(P, &nx)) {
			if (nx.n == 0 || is_header(&nx) || STARTS(&nx, "[signal ") ||
			    STARTS(&nx, "panic: ") || STARTS(&nx, "\tpanic: ") ||
			    STARTS(&nx, "fatal error: ") || STARTS(&nx, "goroutine ") ||
			    is_signal_line(&nx)) {
				more = STARTS(&nx, "panic: ") || STARTS(&nx, "\tpanic: ");
				if (more)
					l = nx;
				else
					P->p = save;
				break;
			}
			// go test's timeout before Go 1.24 (the runtime did not indent a value's
			// lines yet): "panic: test timed out after 1m0s\nrunning tests:\n\tTestX
			// (1m0s)".
			bool tests = nx.n == 14 && !memcmp(nx.s, "running tests:", 14) &&
			             P->tmp.len >= 21 &&
			             !memcmp(P->tmp.v, "test timed out after ", 21);
			if (nx.s[0] != '\t' && !tests) {
				P->p = save;
				break;
			}
			if (tests) {
				if (!gpm_vec_reserve(&P->tmp, P->tmp.len + 16))
					return &gpm_error_nomem;
				memcpy(P->tmp.v + P->tmp.len, "\nrunning tests:", 15);
				P->tmp.len += 15;
				save = P->p;
				continue;
			}
			if (P->tmp.len + nx.n > P->o.max_line) {
				cut = true;
				save = P->p;
				continue;
			}
			if (!gpm_vec_reserve(&P->tmp, P->tmp.len + nx.n + 1))
				return &gpm_error_nomem;
			P->tmp.v[P->tmp.len++] = '\n';
			memcpy(P->tmp.v + P->tmp.len, nx.s + 1, nx.n - 1);
			P->tmp.len += nx.n - 1;
			save = P->p;
		}
	store:
		if (c->panics.len < P->o.max_panics) {
			struct gpm_panic *p = gpm_vec_push(&c->panics);
			if (!p)
				return &gpm_error_nomem;
			p->message = istr(P, P->tmp.v, P->tmp.len);
			if (!p->message)
				return &gpm_error_nomem;
			p->recovered = recovered;
			p->repanicked = repanicked;
		} else {
			P->inc->panics_dropped++;
		}
		if (!more)
			break;
	}
	// Said once per snapshot, in finish_snapshot: the chain may go on after a foreign line.
	P->panics_cut |= cut;
	if (c->kind == GPM_FATAL_NONE)
		c->kind = GPM_FATAL_PANIC;
	return NULL;
}

/* Windows: "Exception 0xc0000005 0x0 0x18 0x7ff6a1b2c3d4": the exception code, its two
 * parameters (for an access violation: 0 read, 1 write, 8 execute; the address) and the pc
 * (runtime/signal_windows.go winthrow). The code stands for the signal name, as in the
 * "[signal 0xc0000005 ...]" line a Windows panic prints. */
static void parse_exception_line(struct parser *P, const struct line *l, struct gpm_crash *c)
{
	uint64_t v[4];
	size_t i = 9, k = 0;
	while (k < 4 && i < l->n && l->s[i] == ' ') {
		i++;
		if (!parse_hex(l->s, l->n, &i, &v[k]))
			break;
		k++;
	}
	c->kind = GPM_FATAL_SIGNAL;
	size_t cs = 10, ce = cs;
	while (ce < l->n && l->s[ce] != ' ')
		ce++;
	c->signame = istr(P, l->s + cs, ce - cs);
	bool av = k >= 1 && v[0] == 0xc0000005;
	const char *desc = av                             ? "access violation"
	                   : k >= 1 && v[0] == 0xc00000fd ? "stack overflow"
	                   : k >= 1 && v[0] == 0xc000001d ? "illegal instruction"
	                   : k >= 1 && v[0] == 0xc0000094 ? "integer divide by zero"
	                   : k >= 1 && v[0] == 0x80000003 ? "breakpoint"
	                   : k >= 1 && v[0] == 0xc0000409 ? "fail fast"
	                                                  : "exception";
	c->sigdesc = istr(P, desc, strlen(desc));
	if (av && k >= 3) {
		c->fault_addr = v[2];
		c->has_fault_addr = true;
	}
	if (k >= 4 && !c->pc)
		c->pc = v[3];
}

/* "PC=0x497d06 m=0 sigcode=0[ addr=0x0]" */
static void parse_pc_line(const struct line *l, struct gpm_signal_section *sec)
{
	const char *s = l->s;
	size_t n = l->n, i = 3;
	uint64_t v;
	if (parse_hex(s, n, &i, &v))
		sec->pc = v;
	while (i < n) {
		if (starts(s + i, n - i, " m=", 3)) {
			i += 3;
			if (parse_dec(s, n, &i, &v))
				sec->m_id = v > INT64_MAX ? -1 : (int64_t)v;
		} else if (starts(s + i, n - i, " sigcode=", 9)) {
			i += 9;
			bool neg = i < n && s[i] == '-';
			if (neg)
				i++;
			if (parse_dec(s, n, &i, &v))
				sec->sigcode = neg ? -(int64_t)v : (int64_t)v;
		} else if (starts(s + i, n - i, " addr=", 6)) {
			i += 6;
			if (parse_hex(s, n, &i, &v)) {
				sec->addr = v;
				sec->has_addr = true;
			}
		} else {
			i++;
		}
	}
}

static struct gpm_error *begin_dump_line(struct parser *P, bool starts_snapshot)
{
	// A preamble line after goroutines starts the next dump (unless it is the next
	// thread's section of a crash dump, announced by "-----").
	if (P->inc && starts_snapshot && !P->in_separator &&
	    (P->inc->goroutines.len || P->end_snapshot)) {
		struct gpm_error *err = finish_snapshot(P);
		if (err)
			return err;
	}
	P->any = true;
	return ensure_incident(P, GPM_INPUT_DUMP);
}

/* A preamble line from l up to the current position (what its reader consumed). */
static void preamble_line(struct parser *P, const struct line *l)
{
	if (!P->pre_start)
		P->pre_start = l->s;
	const char *e = P->p > l->s + l->n ? P->p : l->s + l->n;
	while (e > l->s && (e[-1] == '\n' || e[-1] == '\r'))
		e--;
	P->pre_end = e;
}

/*
 * The preamble's text as kept: when its first line came after a log prefix (stripped by
 * strip_log_stamp, so pre_start is inside its line), each later line's prefix goes too —
 * the prefixes of a log the unwrapper left alone (crash lines without a goroutine).
 */
static const char *preamble_text(struct parser *P, const char *s, size_t n)
{
	if (s == P->base || s[-1] == '\n' || !memchr(s, '\n', n))
		return istr(P, s, n);
	char *buf = malloc(n);
	if (!buf)
		return NULL;
	size_t o = 0;
	for (const char *p = s, *end = s + n; p < end;) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		size_t ln = e ? (size_t)(e - p) : (size_t)(end - p);
		size_t k = p == s ? 0 : gpm_dump_log_stamp(p, ln);
		memcpy(buf + o, p + k, ln - k);
		o += ln - k;
		if (e)
			buf[o++] = '\n';
		p = e ? e + 1 : end;
	}
	const char *t = istr(P, buf, o);
	free(buf);
	return t;
}

/* Before the first goroutine block of a snapshot: the preamble read since is its own. */
static struct gpm_error *preamble_commit(struct parser *P)
{
	if (P->pre_start && P->inc && !P->inc->goroutines.len && !P->inc->preamble_text &&
	    P->pre_end > P->pre_start && (size_t)(P->pre_end - P->pre_start) <= P->o.max_line &&
	    !(P->inc->preamble_text =
	          preamble_text(P, P->pre_start, (size_t)(P->pre_end - P->pre_start))))
		return &gpm_error_nomem;
	P->pre_start = P->pre_end = NULL;
	return NULL;
}

/*
 * A logger's preamble before a crash line that only that line has (the stack after it
 * printed bare): "2024/05/01 10:00:01 panic: …" of log.Printf("panic: %v\n%s", r, stack),
 * "2024-05-01T10:00:01Z ERROR fatal error: …", klog's "E0501 10:00:01.123456 1 main.go:42]
 * SIGQUIT: quit" (gpm_dump_log_stamp, unwrap.c) is dropped from l.
 */
static void strip_log_stamp(struct line *l)
{
	size_t i = gpm_dump_log_stamp(l->s, l->n);
	l->s += i;
	l->n -= i;
}

/* Whether l is "N @ 0xPC 0xPC …" followed by a frame line ("#\t0xPC\tfunc+0xOFF\t…"). */
static bool pprof_record_start(const struct parser *P, const struct line *l)
{
	size_t i = 0;
	uint64_t count;
	bool huge = false;
	const char *q = P->p;
	struct line nx;
	return parse_dec_sat(l->s, l->n, &i, &count, &huge) && l->n - i >= 5 &&
	       !memcmp(l->s + i, " @ 0x", 5) && line_at(&q, P->end, &nx) &&
	       pprof_frame_pc(&nx) != SIZE_MAX;
}

/* go test -v's progress lines: "=== RUN   TestX" (and CONT, NAME) starts following TestX,
 * "--- PASS: TestX (0.01s)" (FAIL, SKIP; indented for a subtest) ends it. */
static void follow_vtest(struct parser *P, const struct line *l)
{
	size_t i = 0;
	while (i < l->n && l->s[i] == ' ')
		i++;
	const char *s = l->s + i;
	size_t n = l->n - i;
	bool start =
	    n > 8 && s[0] == '=' &&
	    (!memcmp(s, "=== RUN ", 8) || !memcmp(s, "=== CONT ", 9) || !memcmp(s, "=== NAME ", 9));
	bool end = n > 10 && s[0] == '-' &&
	           (!memcmp(s, "--- PASS: ", 10) || !memcmp(s, "--- FAIL: ", 10) ||
	            !memcmp(s, "--- SKIP: ", 10));
	if (!start && !end)
		return;
	size_t k = start ? 8 : 10;
	while (k < n && s[k] == ' ')
		k++;
	size_t e = k;
	while (e < n && s[e] != ' ' && s[e] != '\t' && s[e] != '\r')
		e++;
	if (e == k || e - k > 256)
		return;
	unsigned f = 0;
	while (f < P->nvtests &&
	       !(P->vtests[f].n == e - k && !memcmp(P->vtests[f].s, s + k, e - k)))
		f++;
	if (end && f < P->nvtests) {
		memmove(&P->vtests[f], &P->vtests[f + 1],
		        (P->nvtests - f - 1) * sizeof(P->vtests[0]));
		P->nvtests--;
	} else if (start && f == P->nvtests && P->nvtests < MAX_VTESTS) {
		P->vtests[P->nvtests++] = (struct vtest){s + k, e - k};
	}
}

/* Whether inc holds no goroutine but the runtime's own stacks ("runtime stack:" of a fatal
 * error): a stack after them without its header is the excerpt's first goroutine (a stack
 * overflow's recursing goroutine pasted with its header cut). */
static bool only_runtime_stacks(const struct gpm_incident *inc)
{
	for (size_t i = 0; i < inc->goroutines.len; i++)
		if (!(inc->goroutines.v[i].flags & GPM_GOROUTINE_RUNTIME_STACK))
			return false;
	return true;
}

/* Whether l is a function line whose next line is its location ("\tFILE:LINE"). */
static bool headerless_start(const struct parser *P, const struct line *l)
{
	const char *q = P->p;
	struct line nx;
	// Its "created by" alone: the excerpt began after the goroutine's last frame.
	// Or a gccgo frame (gccgo_frame): a bare name, a location without offset or pc.
	bool gccgo = !go_func_shape(l) && gccgo_name_shape(l);
	if (!(go_func_shape(l) || gccgo || (STARTS(l, "created by ") && l->n > 11)) ||
	    !line_at(&q, P->end, &nx) || !nx.n || nx.s[0] != '\t')
		return false;
	if (nx.s[nx.n - 1] == '\r')
		nx.n--;
	struct loc L;
	parse_loc(nx.s + 1, nx.n - 1, &L);
	return L.ok && !(gccgo && (L.has_off || L.has_regs || L.pc));
}

/*
 * An excerpt that begins inside the stack before its first header: a location line (after
 * which maybe blank lines) whose function line is not in the input, the rest of another
 * goroutine's stack. Counted as a line not placed; a location after its function line (the
 * previous dump's last frame) is not this.
 */
static struct gpm_error *lone_location_before(struct parser *P, const struct line *hl)
{
	struct line prev, pp;
	const char *at = hl->s;
	do {
		if (!line_before(P->base, at, &prev))
			return NULL;
		at = prev.s;
	} while (!prev.n);
	if (prev.n < 2 || prev.s[0] != '\t')
		return NULL;
	struct loc L;
	parse_loc(prev.s + 1, prev.n - 1, &L);
	if (!L.ok)
		return NULL;
	if (line_before(P->base, prev.s, &pp) && (go_func_shape(&pp) || STARTS(&pp, "created by ")))
		return NULL;
	note_lost(P, LOST_LINE, prev.s);
	return NULL;
}

/* Whether a goroutine header is among the next n lines. */
static bool header_within(const struct parser *P, int n)
{
	const char *q = P->p;
	struct line nx;
	while (n-- > 0 && line_at(&q, P->end, &nx))
		if (is_header(&nx))
			return true;
	return false;
}

static struct gpm_error *parse_text(struct parser *P)
{
	struct gpm_error *err;
	struct line l;
	bool pending_sep = false;
	while (next_line(P, &l)) {
		if (l.n == 0)
			continue;
		if (l.n >= 160 && gpm_dump_joined_line(l.s, l.n)) {
			if (P->inc)
				note_lost(P, LOST_JOINED, l.s);
			else
				P->joined++;
			continue;
		}
		strip_log_stamp(&l);
		char c0 = l.s[0];
		if ((c0 == 'P' || c0 == 'O' || c0 == 'A' || c0 == ' ' || c0 == '\t') &&
		    gpm_lock_report_is_start(l.s, l.n)) {
			// A go-deadlock report opens with "POTENTIAL DEADLOCK:"; its later
			// sections come back here after the goroutines they introduce.
			const char *t = l.s;
			while (*t == ' ' || *t == '\t')
				t++;
			bool opens = *t == 'P';
			bool ours = opens || (P->inc && P->inc->lock_reports.len);
			if (ours) {
				// Several reports in one log are one incident, as races are.
				if (opens && (err = begin_dump_line(
				                  P, !P->inc || !P->inc->lock_reports.len)))
					return err;
				size_t used;
				if ((err = gpm_lock_report_parse(P->inc, l.s,
				                                 (size_t)(P->end - l.s), &used)))
					return err;
				P->p = l.s + (used ? used : l.n);
				continue;
			}
		}
		if (c0 == 'g' && is_header(&l)) {
			struct header h;
			if (!parse_header(&l, &h)) {
				// A header cut before its "]:" by the end of the excerpt (a line
				// end after it, maybe the reporter's words): a goroutine cut short.
				if (P->inc)
					note_lost(P, nothing_after(P) ? LOST_CUT : LOST_LINE, l.s);
				continue;
			}
			// The same goroutine twice outside crash sections: the next dump.
			if (P->inc && !P->in_separator && h.id != 0 && idset_has(P, h.id) &&
			    (err = finish_snapshot(P)))
				return err;
			if (P->end_snapshot && P->inc && (err = finish_snapshot(P)))
				return err;
			P->any = true;
			if ((err = ensure_incident(P, GPM_INPUT_DUMP)) ||
			    (err = preamble_commit(P)))
				return err;
			if (!P->inc->goroutines.len && (err = lone_location_before(P, &l)))
				return err;
			if (h.huge)
				note_lost(P, LOST_HUGE, l.s);
			if ((err = parse_block(P, &l, &h, false)))
				return err;
			if (P->inc->goroutines.len == 1 && P->inc->kind == GPM_INPUT_DUMP &&
			    !P->have_preamble) {
				uint32_t nf;
				const struct gpm_frame *f =
				    gpm_goroutine_frames(P->inc, &P->inc->goroutines.v[0], &nf);
				if (nf && f[0].func &&
				    !strcmp(f[0].func, "runtime/pprof.writeGoroutineStacks"))
					P->inc->kind = GPM_INPUT_PPROF2;
			}
			continue;
		}
		if (c0 == 'r' && STARTS(&l, "runtime stack:")) {
			if ((err = begin_dump_line(P, false)) || (err = preamble_commit(P)))
				return err;
			struct header h = {0};
			if ((err = parse_block(P, &l, &h, true)))
				return err;
			continue;
		}
		if (c0 == 'p' && STARTS(&l, "panic: ")) {
			// The goroutine header glued to the panic line (its line end lost in the
			// paste): "panic: V goroutine 32 [running]:". The header is read next.
			// (After "panic: ": the value is what comes before the header.)
			const char *gh = memmem(l.s + 7, l.n - 7, " goroutine ", 11);
			if (gh) {
				struct line hl = {gh + 1, (size_t)(l.s + l.n - (gh + 1)), l.nl};
				if (is_header(&hl) && hl.s[hl.n - 1] == ':') {
					l.n = (size_t)(gh - l.s);
					P->p = hl.s;
				}
			}
			if ((err = begin_dump_line(P, true)))
				return err;
			P->have_preamble = true;
			if ((err = parse_panics(P, l, 7)))
				return err;
			preamble_line(P, &l);
			continue;
		}
		// The chain of nested panics goes on after a line another writer put into it
		// (a log line between two "\tpanic: " lines of the same stderr).
		if (c0 == '\t' && STARTS(&l, "\tpanic: ") && P->inc && P->inc->crash.panics.len &&
		    !P->inc->goroutines.len) {
			if ((err = parse_panics(P, l, 8)))
				return err;
			preamble_line(P, &l);
			continue;
		}
		if ((c0 == 'u' && STARTS(&l, "unexpected fault address ")) ||
		    (c0 == 'r' && (STARTS(&l, "runtime: ") || STARTS(&l, "runtime/cgo: ")) &&
		     (!P->inc || !P->inc->goroutines.len || P->pre_start || P->end_snapshot))) {
			// Kept with the preamble; "runtime: out of memory …" is read below too.
			if (!STARTS(&l, "runtime: out of memory: cannot allocate ") &&
			    !STARTS(&l, "runtime: goroutine stack exceeds ")) {
				preamble_line(P, &l);
				continue;
			}
		}
		if (c0 == 'f' && STARTS(&l, "fatal error: ")) {
			bool after_panic =
			    P->inc && P->inc->crash.panics.len && !P->inc->goroutines.len;
			if ((err = begin_dump_line(P, !after_panic)))
				return err;
			P->have_preamble = true;
			struct gpm_crash *c = &P->inc->crash;
			if (!c->fatal_message) {
				c->fatal_message = istr(P, l.s + 13, l.n - 13);
				if (!c->fatal_message)
					return &gpm_error_nomem;
			}
			if (c->kind == GPM_FATAL_NONE || c->kind == GPM_FATAL_PANIC)
				c->kind = GPM_FATAL_THROW;
			preamble_line(P, &l);
			continue;
		}
		bool leak_profile = c0 == 'g' && STARTS(&l, "goroutineleak profile: total ");
		if (c0 == 'g' && (leak_profile || STARTS(&l, "goroutine profile: total "))) {
			if ((err = begin_dump_line(P, true)))
				return err;
			P->inc->kind = GPM_INPUT_PPROF1;
			// Go 1.26+: the goroutines the garbage collector found leaked, only them.
			P->inc->leak_profile = leak_profile;
			size_t i = leak_profile ? 29 : 25;
			bool huge = false;
			parse_dec_sat(l.s, l.n, &i, &P->inc->pprof_total, &huge);
			if (huge) // no real total: not compared with what was read
				note_lost(P, LOST_HUGE, l.s);
			continue;
		}
		if (c0 == 'S' && STARTS(&l, "Showing ")) {
			// gotraceanalyzer's summary line: the total its buckets add up to.
			const char *o = memmem(l.s, l.n, " unique goroutines out of ", 26);
			size_t i = o ? (size_t)(o - l.s) + 26 : 0;
			uint64_t total;
			if (o && parse_dec(l.s, l.n, &i, &total) &&
			    starts(l.s + i, l.n - i, " total", 6))
				P->bucket_next = total;
			continue;
		}
		if (is_digit(c0)) {
			// A tool's bucket of goroutines: panicparse's or gotraceanalyzer's.
			struct pp_header ph;
			struct header gh;
			uint64_t count = 0;
			bool pp = pp_start(P, &l, &ph);
			if (!pp)
				count = group_header(&l, &gh);
			if (pp || count) {
				if ((err = ensure_incident(P, GPM_INPUT_DUMP)) ||
				    (err = preamble_commit(P)))
					return err;
				P->any = true;
				if (P->bucket_next) {
					P->bucket_total = P->bucket_next;
					P->bucket_next = 0;
				}
				if (pp) {
					if ((err = parse_pp_bucket(P, &l, &ph)))
						return err;
					continue;
				}
				uint32_t gi = (uint32_t)P->inc->goroutines.len;
				if ((err = parse_block(P, &l, &gh, false)))
					return err;
				if (P->inc->goroutines.len > gi &&
				    (err = push_copies(P, gi, counted_room(P, count - 1))))
					return err;
				continue;
			}
		}
		// Records of a debug=1 profile pasted without its first line: the first record
		// starts the profile, its total unknown.
		if (is_digit(c0) &&
		    (!P->inc || (!P->inc->goroutines.len && P->inc->kind == GPM_INPUT_DUMP &&
		                 !P->inc->crash.panics.len)) &&
		    pprof_record_start(P, &l)) {
			if ((err = begin_dump_line(P, true)))
				return err;
			P->inc->kind = GPM_INPUT_PPROF1;
			P->pprof_headerless = true;
		}
		if (is_digit(c0) && P->inc && P->inc->kind == GPM_INPUT_PPROF1) {
			// The count's digits, " @": within 64 bytes (a count past 64 bits too).
			const char *at = memchr(l.s, '@', l.n < 64 ? l.n : 64);
			if (at && at > l.s && at[-1] == ' ') {
				if ((err = parse_pprof_record(P, &l)))
					return err;
				continue;
			}
		}
		if (c0 != 'S' && c0 != '\t' && P->p < P->end && P->end - P->p > 3 &&
		    !memcmp(P->p, "PC=", 3)) {
			// A terminal's progress line the signal was printed after (its '\r' lost in
			// the paste): "… Total: 53.4 MH/s  SIGABRT: abort", then "PC=…".
			const char *sg = memmem(l.s, l.n, " SIG", 4);
			struct line t = {sg ? sg + 1 : NULL, sg ? l.n - (size_t)(sg + 1 - l.s) : 0,
			                 l.nl};
			if (sg && is_signal_line(&t)) {
				l = t;
				c0 = 'S';
			}
		}
		bool win = c0 == 'E' && STARTS(&l, "Exception 0x");
		if ((c0 == 'S' && is_signal_line(&l)) || win) {
			// "SIGQUIT: quit" + "PC=… m=… sigcode=…": a signal section. Windows prints
			// "Exception CODE INFO0 INFO1 PC" + "PC=…" instead (runtime.winthrow).
			const char *save = P->p;
			struct line pcl = {0};
			bool has_pc = next_line(P, &pcl) && STARTS(&pcl, "PC=");
			if (!has_pc)
				P->p = save;
			if ((!has_pc && !pending_sep) || (win && !has_pc))
				continue;
			if ((err = begin_dump_line(P, !pending_sep)))
				return err;
			if (pending_sep)
				P->in_separator = true;
			P->have_preamble = true;
			struct gpm_signal_section *sec = gpm_vec_push(&P->inc->sections);
			if (!sec)
				return &gpm_error_nomem;
			sec->signal = istr(P, l.s, l.n);
			sec->m_id = -1;
			sec->sigcode = INT64_MIN;
			sec->separator = pending_sep;
			sec->first_goroutine = (uint32_t)P->inc->goroutines.len;
			sec->first_reg = (uint32_t)P->inc->regs.len;
			if (has_pc)
				parse_pc_line(&pcl, sec);
			pending_sep = false;
			P->cur_section = (uint32_t)P->inc->sections.len - 1;
			if ((err = preamble_commit(P)))
				return err;
			// An explanatory line may follow ("signal arrived during cgo execution").
			save = P->p;
			struct line ex;
			if (next_line(P, &ex) && ex.n && !is_header(&ex) &&
			    !STARTS(&ex, "runtime stack:") && !STARTS(&ex, "-----") &&
			    (!win || STARTS(&ex, "signal arrived")))
				sec->extra = istr(P, ex.s, ex.n);
			else
				P->p = save;
			struct gpm_crash *c = &P->inc->crash;
			if (P->cur_section == 0) {
				c->m_id = sec->m_id;
				if (!c->pc)
					c->pc = sec->pc;
				if (c->kind == GPM_FATAL_NONE && win) {
					parse_exception_line(P, &l, c);
				} else if (c->kind == GPM_FATAL_NONE) {
					c->kind = STARTS(&l, "SIGQUIT:") ? GPM_FATAL_QUIT
					                                 : GPM_FATAL_SIGNAL;
					size_t colon =
					    (size_t)((const char *)memchr(l.s, ':', l.n) - l.s);
					c->signame = istr(P, l.s, colon);
					c->sigdesc = istr(P, l.s + colon + 2, l.n - colon - 2);
					c->sigcode = sec->sigcode;
					if (sec->has_addr) {
						c->fault_addr = sec->addr;
						c->has_fault_addr = true;
					}
				}
			}
			continue;
		}
		if ((c0 == 'W' || c0 == ' ' || c0 == '\t') && gpm_race_is_start(l.s, l.n)) {
			if ((err = begin_dump_line(P, !P->inc ||
			                                  P->inc->crash.kind != GPM_FATAL_RACE)))
				return err;
			struct gpm_crash *c = &P->inc->crash;
			if (c->kind == GPM_FATAL_NONE) {
				c->kind = GPM_FATAL_RACE;
				c->fatal_message = istr(P, "DATA RACE", 9);
			}
			size_t used;
			if ((err = gpm_race_parse(P->inc, P->p, (size_t)(P->end - P->p), &used)))
				return err;
			P->p += used;
			continue;
		}
		if (P->inc && P->inc->crash.kind == GPM_FATAL_RACE) {
			// "Found N data race(s)", "--- FAIL: TestX" + "race detected ..."
			size_t used;
			if ((err = gpm_race_trailer(P->inc, l.s, (size_t)(P->end - l.s), &used)))
				return err;
			if (used) {
				P->p = l.s + used;
				continue;
			}
		}
		if (c0 == 'r' && STARTS(&l, "runtime: out of memory: cannot allocate ")) {
			if ((err = begin_dump_line(P, true)))
				return err;
			preamble_line(P, &l);
			size_t i = 40;
			parse_dec(l.s, l.n, &i, &P->inc->crash.oom_request);
			continue;
		}
		if (c0 == 'r' && STARTS(&l, "runtime: goroutine stack exceeds ")) {
			if ((err = begin_dump_line(P, true)))
				return err;
			preamble_line(P, &l);
			size_t i = 33;
			parse_dec(l.s, l.n, &i, &P->inc->crash.stack_limit);
			continue;
		}
		if (c0 != '\t' && l.n > 15) {
			// testify's suite: "test panicked: V" (after go test's "file.go:N: ").
			const char *tp = memmem(l.s, l.n, "test panicked: ", 15);
			if (tp &&
			    (tp == l.s || (tp - l.s >= 2 && tp[-2] == ':' && tp[-1] == ' '))) {
				struct line pl = {tp, l.n - (size_t)(tp - l.s), l.nl};
				if ((err = begin_dump_line(P, true)))
					return err;
				P->have_preamble = true;
				if ((err = parse_panics(P, pl, 15)))
					return err;
				continue;
			}
		}
		if (c0 != '\t' && l.n > 21) {
			// net/http recovered a handler's panic and logged it, the stack next:
			// "2024/05/01 10:00:01 http: panic serving 10.0.0.7:51234: V".
			const char *hp = memmem(l.s, l.n, "http: panic serving ", 20);
			const char *v =
			    hp ? memmem(hp + 20, l.n - (size_t)(hp + 20 - l.s), ": ", 2) : NULL;
			if (v && (hp == l.s || hp[-1] == ' ')) {
				v += 2;
				if ((err = begin_dump_line(P, false)))
					return err;
				const char **slot = gpm_vec_push(&P->inc->crash.recovered);
				if (!slot || !(*slot = istr(P, v, (size_t)(l.s + l.n - v))))
					return &gpm_error_nomem;
				continue;
			}
		}
		if (l.n > 16 && c0 != '\t' &&
		    (memmem(l.s, l.n, "anic", 4) || memmem(l.s, l.n, "PANIC", 5) ||
		     memmem(l.s, l.n, "ecovered: ", 10))) {
			// A recover's log line naming the value of the panic whose stack it logs
			// next, maybe with the stack's header glued to it (echo's "[PANIC RECOVER]
			// V goroutine 35 [running]:", the value's line end lost).
			struct line vl = l, hl = {0};
			const char *gh = memmem(l.s, l.n, " goroutine ", 11);
			if (gh) {
				hl = (struct line){gh + 1, (size_t)(l.s + l.n - (gh + 1)), l.nl};
				if (is_header(&hl) && hl.s[hl.n - 1] == ':')
					vl.n = (size_t)(gh - l.s);
				else
					hl.s = NULL;
			}
			char *v = hl.s || header_within(P, 6) ? recover_value(&vl) : NULL;
			if (v && hl.s)
				P->p = hl.s; // the header is read next
			if (v) {
				if ((err = begin_dump_line(P, false))) {
					free(v);
					return err;
				}
				const char **slot = gpm_vec_push(&P->inc->crash.recovered);
				if (!slot || !(*slot = istr(P, v, strlen(v)))) {
					free(v);
					return &gpm_error_nomem;
				}
				free(v);
				continue;
			}
		}
		if (c0 == 'r' && l.n > 15 && STARTS(&l, "runtime error: ") &&
		    (!P->inc || (!P->inc->goroutines.len && !P->inc->crash.panics.len &&
		                 !P->inc->crash.recovered.len)) &&
		    header_within(P, 6)) {
			// A runtime error a recover printed before the stack it logged
			// (debug.PrintStack), without "panic: ": bubbletea's "Caught panic:",
			// a CLI's handler. The value of the panic that stack recovered.
			if ((err = begin_dump_line(P, false)))
				return err;
			const char **slot = gpm_vec_push(&P->inc->crash.recovered);
			if (!slot || !(*slot = istr(P, l.s, l.n)))
				return &gpm_error_nomem;
			continue;
		}
		// chi's Recoverer: " -> FUNC", " ->   FILE:LINE", then the other frames.
		if (l.n > 3 && (c0 == '-' || c0 == ' ' || c0 == '\t') && chi_start(P, &l)) {
			if ((err = parse_chi_stack(P, &l)))
				return err;
			continue;
		}
		// A stack a recover logged in the format of Go's first debug.Stack (gin, martini).
		if (c0 != '\t' && l.n > 12 && classic_start(P, &l)) {
			if ((err = parse_classic_stack(P, &l)))
				return err;
			continue;
		}
		// Frames before any goroutine header: a stack pasted without its header
		// (debug.Stack() logged with its first line cut, a bug report's excerpt).
		if ((!P->inc || (only_runtime_stacks(P->inc) && P->inc->kind == GPM_INPUT_DUMP &&
		                 !P->inc->lock_reports.len)) &&
		    headerless_start(P, &l)) {
			if ((err = ensure_incident(P, GPM_INPUT_DUMP)) ||
			    (err = preamble_commit(P)))
				return err;
			P->any = true;
			// Windows prints the faulting goroutine's stack right after its "Exception
			// …" section, without a header (runtime.winthrow's tracebacktrap): nothing
			// was lost, and it was running.
			const struct gpm_signal_section *ws =
			    P->cur_section != UINT32_MAX ? &P->inc->sections.v[P->cur_section]
			                                 : NULL;
			bool winstack = ws && ws->signal &&
			                !strncmp(ws->signal, "Exception ", 10) &&
			                P->inc->goroutines.len == ws->first_goroutine;
			if (!winstack)
				P->headerless++;
			// The excerpt began inside a stack: a location line (maybe cut, "\t/usr/l")
			// of a frame whose function line is not in the input is a loss.
			struct line prev;
			if (line_before(P->base, l.s, &prev) && prev.n > 1 &&
			    (prev.s[0] == '\t' || prev.s[0] == '/') && prev.s[1] != '\t' &&
			    prev.s[1] != ' ') {
				struct loc L;
				size_t t = prev.s[0] == '\t';
				parse_loc(prev.s + t, prev.n - t, &L);
				if (L.ok ||
				    (!memchr(prev.s, ' ', prev.n) && memchr(prev.s, '/', prev.n)))
					note_lost(P, LOST_LINE, prev.s);
			}
			P->p = l.s; // the frames from this line on
			struct header h = {.state = winstack ? "running" : "unknown",
			                   .state_len = 7,
			                   .minutes = -1,
			                   .complete = true};
			if ((err = parse_block(P, &l, &h, false)))
				return err;
			struct gpm_goroutine *hg =
			    &P->inc->goroutines.v[P->inc->goroutines.len - 1];
			hg->flags |= GPM_GOROUTINE_NO_HEADER;
			hg->status = winstack ? GPM_G_RUNNING : GPM_G_UNKNOWN; // else: nothing says
			hg->wait_reason = NULL;                                // what it was doing
			continue;
		}
		if ((c0 == '=' || c0 == '-' || c0 == ' ') && (!P->inc || !P->inc->goroutines.len))
			follow_vtest(P, &l);
		// The signal of a crash whose first line was cut or mangled ("error: unexpected
		// signal …" without its "fatal "): the signal line starts the dump.
		if (!P->inc && c0 == '[' && STARTS(&l, "[signal ") && l.s[l.n - 1] == ']' &&
		    memmem(l.s, l.n, " pc=", 4)) {
			if ((err = begin_dump_line(P, true)))
				return err;
			P->have_preamble = true;
		}
		if (!P->inc)
			continue;
		if (c0 == 'F' && (STARTS(&l, "FAIL\t") || STARTS(&l, "FAIL "))) {
			P->end_snapshot = true; // go test's verdict after the dump of a test binary
			continue;
		}
		if (c0 == '-' && l.n == 5 && memcmp(l.s, "-----", 5) == 0) {
			pending_sep = true;
			continue;
		}
		if (c0 == '[' && STARTS(&l, "[signal ")) {
			parse_signal_bracket(P, &l);
			if (!P->inc->goroutines.len)
				preamble_line(P, &l);
			continue;
		}
		if (c0 == 'e' && STARTS(&l, "exit status ")) {
			size_t i = 12;
			uint64_t v;
			if (parse_dec(l.s, l.n, &i, &v) && v < 1000)
				P->inc->crash.exit_status = (int)v;
			P->end_snapshot = true;
			continue;
		}
		if (P->cur_section != UINT32_MAX) {
			const char *rn;
			size_t rl;
			uint64_t v;
			if (parse_reg_line(&l, &rn, &rl, &v)) {
				struct gpm_signal_section *sec =
				    &P->inc->sections.v[P->cur_section];
				if (sec->nregs < 256) {
					struct gpm_reg *r = gpm_vec_push(&P->inc->regs);
					if (!r || !(r->name = istr(P, rn, rl)))
						return &gpm_error_nomem;
					r->value = v;
					sec->nregs++;
					struct gpm_crash *c = &P->inc->crash;
					if (P->cur_section == 0 && c->nregs < 32) {
						c->regs[c->nregs].name = r->name;
						c->regs[c->nregs].value = v;
						c->nregs++;
					}
				}
				continue;
			}
		}
		// A stack line nothing above took, after the dump began: a loss, not log text.
		if (P->inc->kind == GPM_INPUT_PPROF1 && c0 == '#' && l.n > 3 &&
		    (l.s[1] == '\t' || l.s[1] == ' ')) {
			note_lost(P, LOST_LINE, l.s);
			continue;
		}
		if (P->inc->goroutines.len && (go_func_shape(&l) || (c0 == '\t' && l.n > 1))) {
			struct loc L;
			if (c0 != '\t' || (parse_loc(l.s + 1, l.n - 1, &L), L.ok))
				note_lost(P, LOST_LINE, l.s);
		}
	}
	return NULL;
}

/*
 * An input without a dump whose last word is how a child process ended, as `go run`, `go
 * test` and os/exec's ExitError print it on a line of its own: "signal: killed", "signal:
 * terminated", "exit status 2". The error says what that line means (no goroutine dump was
 * printed, or it went to a stream not in the input); NULL when there is none.
 */
static struct gpm_error *exit_line_error(const char *data, size_t len, const char *name)
{
	const char *s = NULL;
	size_t sn = 0, line = 0, at = 0;
	for (const char *p = data, *end = data + len; p < end; line++) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		const char *le = e ? e : end, *b = p;
		p = e ? e + 1 : end;
		while (b < le && (*b == ' ' || *b == '\t' || *b == '>'))
			b++;
		while (le > b && (le[-1] == ' ' || le[-1] == '\t' || le[-1] == '\r'))
			le--;
		size_t n = (size_t)(le - b);
		if ((n > 8 && n < 64 && !memcmp(b, "signal: ", 8)) ||
		    (n > 12 && n < 24 && !memcmp(b, "exit status ", 12))) {
			s = b;
			sn = n;
			at = line + 1;
		}
	}
	if (!s)
		return NULL;
	const char *nm = name ? name : "input", *why;
	if (sn == 14 && !memcmp(s, "signal: killed", 14)) {
		why = "the process was killed by SIGKILL from outside (the kernel's out-of-memory "
		      "killer, a container's memory limit, a time limit's kill -9): a killed "
		      "process prints nothing";
	} else if (sn == 18 && !memcmp(s, "signal: terminated", 18)) {
		why = "the process was stopped by SIGTERM from outside (a service manager, a pod's "
		      "or container's stop, a CI job cancelled): Go exits on it without a dump";
	} else if (sn == 17 && !memcmp(s, "signal: interrupt", 17)) {
		why = "the process was interrupted (SIGINT, Ctrl-C): Go exits on it without a dump";
	} else if (s[0] == 'e') {
		size_t i = 12;
		uint64_t code;
		if (sn > 14 && s[12] == '0' && s[13] == 'x') {
			// Windows: an NTSTATUS ("exit status 0xc0000005", 0x40010004 a process
			// ended by another, 0xc000013a Ctrl-C).
			if (!parse_hex(s, sn, &i, &code) || i != sn)
				return NULL;
			why =
			    "the process ended with that Windows status (an exception the runtime "
			    "did not handle, or termination by another process or the system): "
			    "a Go crash exits with 2 after printing its goroutines, and none are "
			    "in "
			    "the input";
			return gpm_error_create(
			    GPM_ERR_UNSUPPORTED,
			    "%s: \"%.*s\" (line %zu): %s: not a goroutine dump, "
			    "profile or core",
			    nm, (int)sn, s, at, why);
		}
		if (!parse_dec(s, sn, &i, &code) || i != sn)
			return NULL;
		why = code == 2 ? "the process exited with status 2, as a Go program does after a "
		                  "panic or fatal error: its panic and goroutines went to standard "
		                  "error, which is not in the input (capture it with 2>&1)"
		                : "the process exited with that status: a Go crash exits with 2 "
		                  "after printing its goroutines, so this was not one";
	} else {
		why = "the process died of that signal: a Go program prints its goroutines only "
		      "on a fault it catches or on SIGQUIT, and none are in the input";
	}
	return gpm_error_create(GPM_ERR_UNSUPPORTED,
	                        "%s: \"%.*s\" (line %zu): %s: not a goroutine dump, profile or "
	                        "core",
	                        nm, (int)sn, s, at, why);
}

static void parser_deinit(struct parser *P)
{
	gpm_incident_destroy(P->inc);
	gpm_incident_destroy(P->held);
	gpm_vec_free(&P->fents);
	free(P->fidx);
	gpm_vec_free(&P->sents);
	free(P->sidx);
	gpm_vec_free(&P->keys);
	free(P->idbits);
	free(P->idset);
	gpm_vec_free(&P->raw);
	gpm_vec_free(&P->key);
	gpm_vec_free(&P->gids);
	gpm_vec_free(&P->gargs);
	gpm_vec_free(&P->spans);
	gpm_vec_free(&P->gregs);
	gpm_vec_free(&P->tmp);
}

struct gpm_error *gpm_dump_parse(const char *data, size_t len, const char *name,
                                 const struct gpm_dump_options *opts, gpm_dump_snapshot_fn *fn,
                                 void *arg)
{
	struct parser P;
	memset(&P, 0, sizeof(P));
	if (opts)
		P.o = *opts;
	if (!P.o.max_goroutines)
		P.o.max_goroutines = DEFAULT_MAX_GOROUTINES;
	if (!P.o.max_counted)
		P.o.max_counted = DEFAULT_MAX_COUNTED;
	if (!P.o.max_frames)
		P.o.max_frames = DEFAULT_MAX_FRAMES;
	if (!P.o.max_panics)
		P.o.max_panics = DEFAULT_MAX_PANICS;
	if (!P.o.max_line)
		P.o.max_line = DEFAULT_MAX_LINE;
	if (!P.o.max_snapshots)
		P.o.max_snapshots = DEFAULT_MAX_SNAPSHOTS;
	P.name = name;
	P.fn = fn;
	P.arg = arg;
	P.cur_section = UINT32_MAX;

	// A goroutine profile as `go tool pprof -traces` printed it: no runtime text at all.
	if (gpm_pprof_traces_detect(data, len)) {
		struct gpm_incident *inc;
		struct gpm_error *err = gpm_pprof_traces_parse(data, len, name, &P.o, &inc);
		return err ? err : fn(inc, arg);
	}

	struct gpm_dump_clean clean;
	bool nomem = false;
	bool cleaned = gpm_dump_unwrap(data, len, &clean, &nomem);
	if (cleaned) {
		data = clean.text;
		len = clean.len;
		P.line_map = clean.line_map;
		P.line_time = clean.last_time ? clean.line_time : NULL;
		P.host = clean.host;
		P.nlines = clean.nlines;
	} else if (nomem) {
		return &gpm_error_nomem;
	}
	P.p = P.base = data;
	P.end = data + len;
	P.read_at = P.o.reading && !cleaned ? data : P.end;
	if (P.o.borrow_text && !cleaned) {
		P.text = data;
		P.text_len = len;
	}
	P.reversed = cleaned && (clean.fixes & GPM_UNWRAP_REVERSED);
	P.joined = cleaned ? clean.joined : 0; // set aside by unwrap.c
	P.cut_records = cleaned ? clean.cut_records : 0;
	P.cut_record = cleaned ? clean.cut_record : 0;
	P.logcat_cuts = cleaned ? clean.logcat_cuts : 0;
	P.logcat_cut = cleaned ? clean.logcat_cut : 0;
	P.blind_joins = cleaned ? clean.blind_joins : 0;
	P.blind_join = cleaned ? clean.blind_join : 0;
	P.sources = cleaned && (clean.fixes & GPM_UNWRAP_INTERLEAVED) ? clean.sources : 0;
	struct gpm_error *err = parse_text(&P);
	// The runtime's own crash lines and no goroutine (a throw's first lines quoted alone,
	// "runtime: …" diagnostics before a hexdump): an incident all the same.
	if (!err && !P.any && P.pre_start && gpm_dump_crash_lines(data, len)) {
		P.any = true;
		err = ensure_incident(&P, GPM_INPUT_DUMP);
		if (!err)
			err = preamble_commit(&P);
	}
	if (err == &limit_stop)
		err = NULL;
	else if (!err)
		err = finish_snapshot(&P);
	if (!err && P.held) {
		struct gpm_incident *held = P.held;
		P.held = NULL;
		err = P.fn(held, P.arg);
	}
	if (!err && !P.any && P.joined)
		err = gpm_error_create(GPM_ERR_FORMAT,
		                       "%s: a goroutine dump whose line ends were lost (its lines "
		                       "joined into one by spaces): not read",
		                       name ? name : "input");
	else if (!err && !P.any && !(err = exit_line_error(data, len, name)))
		err = gpm_error_create(GPM_ERR_FORMAT, "%s: no goroutine dump found",
		                       name ? name : "input");
	parser_deinit(&P);
	if (cleaned)
		gpm_dump_clean_deinit(&clean);
	return err;
}

struct collect {
	GPM_VEC(struct gpm_incident *) v;
};

static struct gpm_error *collect_one(struct gpm_incident *inc, void *arg)
{
	struct collect *c = arg;
	struct gpm_incident **slot = gpm_vec_push(&c->v);
	if (!slot) {
		gpm_incident_destroy(inc);
		return &gpm_error_nomem;
	}
	*slot = inc;
	return NULL;
}

struct gpm_error *gpm_dump_parse_all(const char *data, size_t len, const char *name,
                                     const struct gpm_dump_options *opts,
                                     struct gpm_incident ***incidents_out, size_t *n_out)
{
	struct collect c = {0};
	struct gpm_error *err = gpm_dump_parse(data, len, name, opts, collect_one, &c);
	if (err) {
		for (size_t i = 0; i < c.v.len; i++)
			gpm_incident_destroy(c.v.v[i]);
		gpm_vec_free(&c.v);
		return err;
	}
	*incidents_out = c.v.v;
	*n_out = c.v.len;
	return NULL;
}
