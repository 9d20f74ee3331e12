/*
 * Comparing snapshots of one service: what grew between two or more goroutine dumps,
 * cores, heap dumps or heap profiles (`gopm diff`, doc/diff.md).
 *
 * Goroutines are matched across snapshots by a signature that a core and a text dump of
 * the same program agree on: the goroutine's state and its frames outside the Go runtime
 * (function, file, line), without arguments or addresses. Runtime frames are dropped
 * wherever they are, because a dump printed with the default GOTRACEBACK hides them and a
 * core or a "system" dump shows them; a goroutine with nothing but runtime frames keeps
 * them all. Heap rows (types, or allocation sites of a profile) are matched by name,
 * findings by rule id and the signature of the group they name. Everything is hashed:
 * the cost is linear in goroutines, groups and types (plus sorting the result).
 *
 * With three or more snapshots every group and type has a series, and the diff states as
 * evidence (doc/diff.md gives the exact rule) that a group or a type grew at every step.
 */
#ifndef GPM_ANALYSIS_DIFF_H
#define GPM_ANALYSIS_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/analysis.h"
#include "base/error.h"
#include "base/strbuf.h"
#include "model/incident.h"

/* The most snapshots one diff compares. */
#define GPM_DIFF_MAX_SNAPSHOTS 64
/* Growth that is called a leak: at every step over >= 3 snapshots and by at least
 * GPM_DIFF_LEAK_MIN_STEP in total; over 2 snapshots by at least GPM_DIFF_LEAK_MIN_PAIR and
 * to at least twice the count. */
#define GPM_DIFF_LEAK_MIN_STEP 10
#define GPM_DIFF_LEAK_MIN_PAIR 100

/* One row of a heap histogram (a type, or an allocation site of a heap profile). */
struct gpm_diff_heap_row {
	const char *name; /* borrowed */
	uint64_t objects, bytes;
	uint64_t retained; /* bytes its instances keep alive, when the input's has_retained */
};

/* What keeps much of a heap alive (a global, a stack frame, an object several roots share:
 * gpm_incident.heap_holders), matched across snapshots by its description. */
struct gpm_diff_retainer {
	const char *what; /* borrowed */
	uint64_t objects, bytes;
};

/* A finding as the archive stored it: an archive incident's findings are compared as they
 * were found, not as an analysis of the incident the archive rebuilds would name them. */
struct gpm_diff_given_finding {
	const char *rule, *title; /* borrowed */
	uint64_t goroutine;       /* the id of a goroutine of the group it names; 0 none */
};

/* One snapshot to compare; everything borrowed for the life of the diff. */
struct gpm_diff_input {
	const char *label;                   /* a file name or "#12" */
	const struct gpm_incident *inc;      /* NULL: no goroutines (a heap dump or profile) */
	const struct gpm_analysis *analysis; /* NULL: its findings are not compared */
	const struct gpm_diff_heap_row *heap;
	size_t nheap;
	bool has_heap;         /* heap rows are known (even if there are none) */
	bool has_retained;     /* retention was worked out: rows' retained and the retainers */
	const char *heap_unit; /* what a heap row is: "type" or "allocation site" */
	const struct gpm_diff_retainer *retainers;
	size_t nretainers;
	const struct gpm_diff_given_finding *findings; /* non-NULL: compared, not analysis's */
	size_t nfindings;
};

enum gpm_diff_change {
	GPM_DIFF_SAME,
	GPM_DIFF_NEW,  /* absent from the first snapshot */
	GPM_DIFF_GONE, /* absent from the last */
	GPM_DIFF_GROWN,
	GPM_DIFF_SHRUNK,
};
const char *gpm_diff_change_name(enum gpm_diff_change c);

struct gpm_diff_frame {
	char *func, *file; /* owned, terminal-safe; file NULL when unknown */
	uint32_t line;
};

/* A goroutine group across the snapshots. */
struct gpm_diff_group {
	uint64_t signature;
	char *state;                   /* owned, terminal-safe */
	struct gpm_diff_frame *frames; /* owned, innermost first (runtime frames dropped) */
	size_t nframes;
	uint64_t *counts; /* owned: goroutines per snapshot */
	enum gpm_diff_change change;
	int64_t delta; /* last - first */
	bool leak;     /* the growth is evidence of a leak (see GPM_DIFF_LEAK_*) */
};

/* A heap row across the snapshots. */
struct gpm_diff_type {
	char *name;                           /* owned, terminal-safe */
	uint64_t *objects, *bytes, *retained; /* owned: per snapshot (0 where absent or unknown) */
	enum gpm_diff_change change;
	int64_t delta_bytes, delta_objects, delta_retained;
	bool leak;
};

/* A retainer across the snapshots (retainers_compared). */
struct gpm_diff_retainer_row {
	char *what;                /* owned, terminal-safe */
	uint64_t *objects, *bytes; /* owned: retained per snapshot (0 where absent) */
	enum gpm_diff_change change;
	int64_t delta_bytes;
};

/* A finding present in the last snapshot and not the first (new) or the reverse (gone). */
struct gpm_diff_finding {
	const char *rule; /* static */
	char *title;      /* owned, terminal-safe: as the snapshot that has it says */
	bool added;       /* new; else gone */
};

struct gpm_diff_snapshot {
	char *label;                 /* owned, terminal-safe */
	uint64_t goroutines;         /* in groups: counted (no repeats, no g0 stacks) with a frame
	                                outside the runtime; 0 without goroutines */
	uint64_t runtime_goroutines; /* counted, but with only runtime frames (not grouped: a
	                                dump with the default GOTRACEBACK omits them) */
	bool has_goroutines;
	bool has_heap;
	uint64_t heap_objects, heap_bytes;               /* sums of its rows */
	int64_t time;                                    /* unix seconds, 0 unknown */
	const char *go_version, *main_module, *build_id; /* borrowed from the incident; NULL */
	enum gpm_input_kind kind;
};

struct gpm_diff {
	size_t n; /* snapshots */
	struct gpm_diff_snapshot *snapshots;
	struct gpm_diff_group *groups; /* changed groups, most growth first */
	size_t ngroups;
	uint64_t unchanged_groups;
	struct gpm_diff_type *types; /* changed rows, most growth in bytes first */
	size_t ntypes;
	uint64_t unchanged_types;
	bool heap_compared;     /* the first and the last snapshot have heap rows */
	bool retained_compared; /* ... and retention: retained bytes and retainers compared */
	const char *heap_unit;
	struct gpm_diff_retainer_row *retainers; /* changed, most growth in bytes first */
	size_t nretainers;
	uint64_t unchanged_retainers;
	struct gpm_diff_finding *findings;
	size_t nfindings;
	char **evidence; /* owned lines: "goroutine leak: ... grew 120 → 600 → 1,500 over 3
	                    snapshots (...)", the growth proven, most growth first */
	size_t nevidence;
	char **notes; /* owned lines: what limits the comparison (different programs, no heap) */
	size_t nnotes;
};

/* Compares n snapshots (2 <= n <= GPM_DIFF_MAX_SNAPSHOTS) in the order given (oldest first). */
struct gpm_error *gpm_diff_run(const struct gpm_diff_input *in, size_t n, struct gpm_diff **out);
void gpm_diff_destroy(struct gpm_diff *d);

/* The person-readable comparison; at most max_groups groups and types (0: 20). */
void gpm_diff_format_text(const struct gpm_diff *d, size_t max_groups, struct gpm_strbuf *sb);
/* The same as one JSON document ("schema":"gopm/1" first), every group and type. */
void gpm_diff_format_json(const struct gpm_diff *d, struct gpm_strbuf *sb);

/* The signature gpm_diff matches g by (nonzero). */
uint64_t gpm_diff_goroutine_signature(const struct gpm_incident *inc,
                                      const struct gpm_goroutine *g);

#endif
