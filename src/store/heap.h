/*
 * The heap summary of a stored incident (tables heap_summaries and heap_types of schema
 * 002): totals and the per-type histogram, so that two incidents of the same service can be
 * compared (`gopm sql` over heap_types: the growth of a type between two cores). Plain data
 * in, so the store does not depend on the heap reader.
 */
#ifndef GPM_STORE_HEAP_H
#define GPM_STORE_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "store/store.h"

struct gpm_store_heap_type {
	const char *type; /* borrowed */
	uint64_t count, bytes;
	bool has_retained;
	uint64_t retained; /* bytes its instances keep alive (when retention was worked out) */
};

/*
 * Replaces the heap summary of incident_id (bytes and objects allocated, heap spans) and its
 * types in one transaction. Types with the same name are summed. NOT_FOUND when the
 * incident does not exist.
 */
struct gpm_error *gpm_store_heap_summary(struct gpm_store *st, int64_t incident_id, uint64_t bytes,
                                         uint64_t objects, uint64_t spans,
                                         const struct gpm_store_heap_type *types, size_t ntypes);

/* A shortest reference path from a root, as the heap walk explains a type (or an object). */
struct gpm_store_heap_path {
	const char *why;   /* borrowed: the type, or what the path explains */
	uint64_t retained; /* a shared object's retained bytes; 0: not one */
	const char *hops;  /* borrowed: one hop a line, root first (gpm_heap_format_path) */
};

/*
 * Replaces the reference paths of incident_id's heap (table heap_paths of schema 11) in one
 * transaction; an archive below schema 11 keeps none (not an error). NOT_FOUND when the
 * incident does not exist.
 */
struct gpm_error *gpm_store_heap_paths(struct gpm_store *st, int64_t incident_id,
                                       const struct gpm_store_heap_path *paths, size_t npaths);

/*
 * The heap summary of incident id: *known false when none was stored; else its types, most
 * bytes first: type, count, bytes, retained (NULL unknown).
 */
struct gpm_error *gpm_store_incident_heap_types(struct gpm_store *st, int64_t id, bool *known,
                                                struct gpm_store_table *out);

/*
 * What holds most of incident id's heap, as its stored report keeps it (report_holders:
 * only when the heap's retention was worked out): what, objects, bytes, in order.
 */
struct gpm_error *gpm_store_incident_heap_holders(struct gpm_store *st, int64_t id,
                                                  struct gpm_store_table *out);

#endif
