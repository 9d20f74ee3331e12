/*
 * Profiles for the pprof ecosystem (`gopm goroutines|heap --format pprof|folded`): a
 * snapshot's goroutines as a goroutine profile in profile.proto (gzip'd, as
 * /debug/pprof/goroutine serves it: sample type goroutine/count, one sample per distinct
 * stack and label set with its goroutine count, the goroutines' pprof labels as sample
 * labels, a function and a location per frame, innermost first), a heap histogram as an
 * in-use profile (inuse_objects/count, inuse_space/bytes; each type is a one-frame
 * "stack"), and both as folded stacks ("root;...;leaf COUNT", one line per stack) for
 * flame graph tools. Encoded with src/base/pbwrite.c.
 */
#ifndef GPM_ANALYSIS_PROFILE_H
#define GPM_ANALYSIS_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/strbuf.h"
#include "model/incident.h"

/* What an export holds, to check it against what a reader of it says. */
struct gpm_profile_totals {
	uint64_t samples;   /* samples (pprof) or lines (folded) */
	uint64_t value;     /* goroutines; heap: in-use bytes */
	uint64_t objects;   /* heap: in-use objects */
	uint64_t functions; /* pprof functions */
	uint64_t locations; /* pprof locations */
};

/* The goroutines that a profile counts: not a second view of a goroutine, not a g0's
 * runtime stack, not a race report's access, not an idle "goroutine 0". */
bool gpm_profile_counts_goroutine(const struct gpm_goroutine *g);

/* inc's goroutines as a gzip'd profile.proto goroutine profile, appended to out. totals may
 * be NULL. */
struct gpm_error *gpm_profile_goroutines_pprof(const struct gpm_incident *inc,
                                               struct gpm_strbuf *out,
                                               struct gpm_profile_totals *totals);
/* inc's goroutines as folded stacks (root first, function names, ';'-separated). */
struct gpm_error *gpm_profile_goroutines_folded(const struct gpm_incident *inc,
                                                struct gpm_strbuf *out,
                                                struct gpm_profile_totals *totals);

struct gpm_profile_heap_row {
	const char *name; /* a type name (or a root); borrowed */
	uint64_t objects, bytes;
	size_t parent; /* 1 + the index of an earlier row this one hangs under (its caller in
	                  the sample's stack), 0 none: rows so chained are reference chains,
	                  root first in folded stacks, leaf first in a profile's samples */
};

/* The most frames of one chained row's stack. */
#define GPM_PROFILE_MAX_CHAIN 64

/* A heap histogram (or reference chains) as a gzip'd in-use profile (default sample type
 * inuse_space). Rows of no objects and no bytes that others hang under are no samples. */
struct gpm_error *gpm_profile_heap_pprof(const struct gpm_profile_heap_row *rows, size_t n,
                                         int64_t time, struct gpm_strbuf *out,
                                         struct gpm_profile_totals *totals);
/* The same as folded stacks weighted by bytes ("main.T 4096"). */
struct gpm_error *gpm_profile_heap_folded(const struct gpm_profile_heap_row *rows, size_t n,
                                          struct gpm_strbuf *out,
                                          struct gpm_profile_totals *totals);

#endif
