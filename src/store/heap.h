/*
 * The heap summary of a stored incident (tables heap_summaries and heap_types of schema
 * 002): totals and the per-type histogram, so that two incidents of the same service can be
 * compared (`gopm sql` over heap_types: the growth of a type between two cores). Plain data
 * in, so the store does not depend on the heap reader.
 */
#ifndef GPM_STORE_HEAP_H
#define GPM_STORE_HEAP_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "store/store.h"

struct gpm_store_heap_type {
	const char *type; /* borrowed */
	uint64_t count, bytes;
};

/*
 * Replaces the heap summary of incident_id (bytes and objects allocated, heap spans) and its
 * types in one transaction. Types with the same name are summed. NOT_FOUND when the
 * incident does not exist.
 */
struct gpm_error *gpm_store_heap_summary(struct gpm_store *st, int64_t incident_id, uint64_t bytes,
                                         uint64_t objects, uint64_t spans,
                                         const struct gpm_store_heap_type *types, size_t ntypes);

#endif
