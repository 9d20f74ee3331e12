/*
 * A map from nonzero 64-bit keys to 32-bit values (an address to an index, mostly): open
 * addressing with linear probing, doubled when half full. Zero-initialise to start.
 */
#ifndef GPM_BASE_U64MAP_H
#define GPM_BASE_U64MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gpm_u64map {
	uint64_t *keys; /* 0 = empty slot */
	uint32_t *vals;
	size_t cap, len;
};

/* The value of key in *val; false when absent. */
bool gpm_u64map_get(const struct gpm_u64map *m, uint64_t key, uint32_t *val);
/* Sets key (nonzero) to val; false when out of memory (the map is unchanged then). */
bool gpm_u64map_put(struct gpm_u64map *m, uint64_t key, uint32_t val);
void gpm_u64map_free(struct gpm_u64map *m);

#endif
