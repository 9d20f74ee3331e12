/*
 * A map from nonzero 64-bit keys to 32-bit values (an address to an index, mostly): open
 * addressing with linear probing, doubled when half full. Zero-initialise to start.
 * A key and its value share one 16-byte slot: a probe that finds the key has its value in
 * the same cache line (the maps built over every argument of a million goroutines miss
 * the cache on most probes).
 */
#ifndef GPM_BASE_U64MAP_H
#define GPM_BASE_U64MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gpm_u64map_slot {
	uint64_t key; /* 0 = empty */
	uint32_t val;
};

struct gpm_u64map {
	struct gpm_u64map_slot *slots;
	size_t cap, len;
};

/* The value of key in *val; false when absent. */
bool gpm_u64map_get(const struct gpm_u64map *m, uint64_t key, uint32_t *val);
/* Sets key (nonzero) to val; false when out of memory (the map is unchanged then). */
bool gpm_u64map_put(struct gpm_u64map *m, uint64_t key, uint32_t val);
/* Makes room for n keys in all without growing again; false when out of memory. */
bool gpm_u64map_reserve(struct gpm_u64map *m, size_t n);
void gpm_u64map_free(struct gpm_u64map *m);

/* Sorted arrays of 64-bit keys: the index of the first of v[0..n) that is >= key; n when
 * there is none. */
size_t gpm_u64_lower_bound(const uint64_t *v, size_t n, uint64_t key);

#endif
