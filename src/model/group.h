/*
 * Grouping goroutines that wait in the same place: each goroutine gets a key (its state or
 * wait reason and its stack of normalised frames), keys are hashed into one table, so
 * grouping is linear in goroutines (no pairwise comparison). Three levels of similarity:
 * exact (arguments and lines too), ignoring arguments, and also ignoring line numbers and
 * offsets (so a rebuilt binary groups with its predecessor). Each group carries counts,
 * goroutine id and wait-minute ranges and its distinct creators.
 */
#ifndef GPM_MODEL_GROUP_H
#define GPM_MODEL_GROUP_H

#include <stdint.h>

#include "base/error.h"
#include "model/incident.h"

enum gpm_group_level {
	GPM_GROUP_EXACT = 0,    /* state + frames with arguments, lines and offsets */
	GPM_GROUP_NO_ARGS = 1,  /* ignore argument values */
	GPM_GROUP_NO_LINES = 2, /* ignore arguments, line numbers and offsets, and compare
	                           function names Go-aware (gpm_group_func_normalise) */
};

struct gpm_group {
	uint64_t signature;      /* content hash (stable across incidents) at the level */
	uint32_t representative; /* index of the first goroutine in incident->goroutines */
	uint32_t count;
	uint32_t first_member; /* into gpm_grouping.members */
	uint64_t min_id, max_id;
	int64_t min_minutes, max_minutes; /* -1 when no member printed minutes */
	const char *state;                /* the representative's (interned in the incident) */
	uint32_t stack;                   /* the representative's stack, UINT32_MAX none */
	uint32_t ncreators;               /* distinct "created by" functions among members */
	const char *creators[4];          /* the first few of them (interned) */
};

struct gpm_grouping {
	enum gpm_group_level level;
	struct gpm_group *groups; /* owned; most members first */
	size_t ngroups;
	uint32_t *members; /* owned; goroutine indices, group by group */
	size_t nmembers;
	uint64_t skipped; /* goroutines not grouped (repeats in per-thread crash sections) */
};

/* Groups inc's goroutines; out is overwritten (release with gpm_grouping_deinit). */
struct gpm_error *gpm_group_goroutines(const struct gpm_incident *inc, enum gpm_group_level level,
                                       struct gpm_grouping *out);
void gpm_grouping_deinit(struct gpm_grouping *g);
/* The content signature of one goroutine at a level (what groups are keyed by). */
uint64_t gpm_group_signature(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                             enum gpm_group_level level);
/*
 * The function name as the loosest level compares it: closure numbers dropped
 * ("main.f.func1.2" -> "main.f.func"), go-statement wrappers ("main.f.gowrap3" ->
 * "main.f.gowrap"), method-value wrappers ("-fm" dropped) and generic type arguments
 * ("main.Map[go.shape.int]" -> "main.Map[...]"). Writes at most cap-1 bytes and a NUL;
 * returns the length written.
 */
size_t gpm_group_func_normalise(const char *name, char *out, size_t cap);

/* Signature algorithm version, stored with signatures in the archive. */
#define GPM_GROUP_SIGNATURE_VERSION 1

#endif
