/*
 * Goroutine dumps in text: what the Go runtime prints on a panic, a fatal error or a
 * signal (GOTRACEBACK=all/system/crash), runtime.Stack / debug.Stack output, and the
 * /debug/pprof/goroutine profiles at debug=1 and debug=2. The reader fills the same
 * incident model as the core reader (src/model/incident.h).
 *
 * One input may hold several dumps one after the other (a log with two crashes, two
 * profiles concatenated): each becomes its own incident, a "snapshot", handed to the
 * caller's callback in order. Lines wrapped by loggers (timestamps, kubectl prefixes,
 * JSON records with "\n" escapes) and CRLF line ends are unwrapped first
 * (gpm_dump_unwrap); clean text is parsed in place without copying.
 *
 * Speed: lines are found with memchr; a goroutine's frame block is looked up by its bytes
 * (function names and location lines, without the argument values and fp=/sp= that differ
 * between goroutines on the same stack) in one hash probe, and frames are decoded and
 * interned only for a new distinct stack; argument texts stay in the input when the caller
 * lends it (borrow_text). Every step is linear in the input; long lines,
 * deep stacks and nested panics are capped (options below). doc/performance.md has figures.
 */
#ifndef GPM_DUMP_DUMP_H
#define GPM_DUMP_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "model/incident.h"

struct gpm_dump_options {
	uint64_t max_goroutines; /* per snapshot; 0 = 16,777,216 */
	/* Goroutines made from a count rather than read one by one (a pprof debug=1 record's
	 * "N @", a panicparse or gotraceanalyzer bucket, a profile's sample), over the whole
	 * input: a few bytes can claim billions. 0 = 2,097,152. */
	uint64_t max_counted;
	uint32_t max_frames;    /* per goroutine; 0 = 1,000,000 */
	uint32_t max_panics;    /* nested panics stored per snapshot; 0 = 1000 */
	uint32_t max_line;      /* longer lines are skipped (with a warning); 0 = 1 MiB */
	uint32_t max_snapshots; /* 0 = 100,000 */
	/* The caller keeps data unchanged for as long as any incident lives: a goroutine's
	 * argument texts are then read from its frame lines in data (incident->text) instead
	 * of being copied. Without it (or when the input had to be unwrapped) they are
	 * copied into incident->arg_text. */
	bool borrow_text;
	/* When set, called with the parser's position in data as it reads on: first at data,
	 * then each time it reaches the position the last call returned (data + len: no more
	 * calls). A source that copies the input in ahead of the reader hooks in here
	 * (gpm_source_reading). Not called when the text had to be unwrapped. */
	const char *(*reading)(void *arg, const char *at);
	void *reading_arg;
};

/*
 * Called once per snapshot, in input order. The callback takes ownership of inc (it must
 * gpm_incident_destroy it). Returning an error stops parsing and is returned by
 * gpm_dump_parse (return a GPM_ERR_STOP error to stop quietly).
 */
typedef struct gpm_error *gpm_dump_snapshot_fn(struct gpm_incident *inc, void *arg);

/*
 * Parses data[0..len). name is recorded as the incidents' source_name (may be NULL).
 * opts may be NULL. An input without anything that looks like a dump yields no snapshot
 * and a GPM_ERR_FORMAT error; malformed pieces inside a dump only produce warnings in the
 * incident (and DAMAGED/TRUNCATED goroutines).
 */
struct gpm_error *gpm_dump_parse(const char *data, size_t len, const char *name,
                                 const struct gpm_dump_options *opts, gpm_dump_snapshot_fn *fn,
                                 void *arg);

/* Convenience: collects every snapshot into a malloc'd array (free each, then the array). */
struct gpm_error *gpm_dump_parse_all(const char *data, size_t len, const char *name,
                                     const struct gpm_dump_options *opts,
                                     struct gpm_incident ***incidents_out, size_t *n_out);

/*
 * Text as pasted, back in the runtime's format (unwrap.c): CRLF and stray CR, console wraps,
 * JSON records and dumps inside JSON strings, log prefixes, newest-first order, double
 * spacing, indentation with spaces or none, terminal colours. What was done is in fixes.
 */
enum gpm_unwrap_fix {
	GPM_UNWRAP_CONSOLE_WRAP = 1 << 0,
	GPM_UNWRAP_JSON = 1 << 1,
	GPM_UNWRAP_PREFIX = 1 << 2,
	GPM_UNWRAP_REVERSED = 1 << 3,
	GPM_UNWRAP_DOUBLE_SPACED = 1 << 4,
	GPM_UNWRAP_INTERLEAVED = 1 << 5, /* several processes' lines, regrouped per process */
	GPM_UNWRAP_HTML = 1 << 6,        /* HTML entities (&lt; &quot; …) decoded */
	GPM_UNWRAP_UTF16 = 1 << 7,       /* UTF-16 text (Windows PowerShell's '>') read as UTF-8 */
	GPM_UNWRAP_ANSI = 1 << 8,        /* terminal escape sequences (colours) removed */
	GPM_UNWRAP_QP = 1 << 9,          /* a mail's quoted-printable encoding decoded */
	GPM_UNWRAP_SYSLOG_OCTAL = 1 << 10, /* rsyslog's "#011" for a tab decoded */
};

struct gpm_dump_clean {
	char *text; /* owned; every line ends with '\n' */
	size_t len;
	uint32_t *line_map; /* owned: output line i (0-based) came from input line line_map[i] */
	size_t nlines;
	uint32_t fixes;   /* enum gpm_unwrap_fix */
	unsigned sources; /* with GPM_UNWRAP_INTERLEAVED: how many processes */
	/* owned: unix seconds of the log prefix stripped from output line i, 0 none; and the
	 * earliest and latest of them (0 none). Prefixes with a year only (RFC 3339, Go's log),
	 * and the time fields of JSON log records (docker, zap, journald). */
	int64_t *line_time;
	int64_t first_time, last_time;
	char *host;    /* owned: the host the first JSON log record naming one names; NULL */
	size_t joined; /* lines set aside: gpm_dump_joined_line */
	/* log records cut inside the string that holds the dump (read as far as they go), and
	 * the input line of the first */
	size_t cut_records;
	uint32_t cut_record;
	/* Android log messages logcat shows cut at a record's limit, the rest of their text
	 * lost, and the input line of the first one's last line */
	size_t logcat_cuts;
	uint32_t logcat_cut;
	/* pieces of a console wrap joined where the paste had dropped the blanks that start
	 * lines: a blank at such a cut cannot be told (unwrap.c), and the input line of the
	 * first */
	size_t blind_joins;
	uint32_t blind_join;
};

/*
 * Whether s[0..n) holds many lines of a dump, its line ends turned into spaces by a paste:
 * four marks or more of lines in one, source locations ("file.go:12") and indentations after
 * a line end (" \t" then text), which no line of the runtime's has. Such lines are not read
 * (counted in a warning): where each line ended cannot be told for sure.
 */
bool gpm_dump_joined_line(const char *s, size_t n);

/*
 * Returns true with *out filled (gpm_dump_clean_deinit it) when the text needed cleaning;
 * false when it is clean already, or on out of memory (*nomem set).
 */
bool gpm_dump_unwrap(const char *data, size_t len, struct gpm_dump_clean *out, bool *nomem);
void gpm_dump_clean_deinit(struct gpm_dump_clean *c);

/*
 * Length of a logger's preamble (timestamp, level, caller, tags) before a crash's first
 * line ("panic: ", "fatal error: ", "SIGQUIT: ", …) at s; 0 when s holds none.
 */
size_t gpm_dump_log_stamp(const char *s, size_t n);

/*
 * Whether text holds a crash's own lines though no goroutine: two kinds or more of the
 * runtime's "fatal error: ", "runtime: " diagnostics, "SIGxxx: " and "PC=0x…", "[signal …
 * pc=0x…]" (with which "panic: " counts too), "stack: frame={…", "unexpected fault address",
 * each at a line's start once a quote, Markdown or a log prefix is removed. A log that only
 * mentions one of them is not a crash.
 */
bool gpm_dump_crash_lines(const char *data, size_t len);

/*
 * A goroutine profile in protobuf form (debug=0; profile.c): one incident whose goroutines
 * are the profile's records, each sample as many times as it counts. A protobuf profile of
 * something else (heap, CPU) is a GPM_ERR_UNSUPPORTED error naming its sample types. Only
 * max_goroutines and max_frames of opts apply; opts may be NULL.
 */
struct gpm_error *gpm_goroutine_profile_parse(const uint8_t *data, size_t size, const char *name,
                                              const struct gpm_dump_options *opts,
                                              struct gpm_incident **out);
/* Whether data (perhaps only the first bytes of an input) starts like a protobuf profile. */
bool gpm_goroutine_profile_detect(const uint8_t *data, size_t size);
/*
 * The same profile as `go tool pprof -traces` prints it (profile.c): its header (`Type:
 * goroutine`), then per sample a separator line, its labels, its count and frames. 1 when
 * the first lines of data are such a listing of a goroutine profile, -1 of another
 * profile (heap, CPU), 0 when they are not one.
 */
int gpm_pprof_traces_detect(const char *data, size_t len);
/* Reads such a listing as gpm_goroutine_profile_parse reads the protobuf; a listing of
 * another profile is a GPM_ERR_UNSUPPORTED error naming its type. */
struct gpm_error *gpm_pprof_traces_parse(const char *data, size_t len, const char *name,
                                         const struct gpm_dump_options *opts,
                                         struct gpm_incident **out);

/* Classifies an input by its first bytes: core, dump text, pprof text or protobuf, heap
 * dump. */
enum gpm_input_kind gpm_input_detect(const uint8_t *data, size_t len);
const char *gpm_input_kind_name(enum gpm_input_kind kind);

#endif
