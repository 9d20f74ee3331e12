/* See u64map.h. */
#include "base/u64map.h"

#include <stdlib.h>

// Half of murmur3's finalizer: every bit of the key reaches the low bits that pick the slot
// (addresses differ in their middle bits; a dump may choose any bits at all).
static size_t slot(uint64_t key, size_t cap)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL;
	key ^= key >> 33;
	return (size_t)key & (cap - 1);
}

bool gpm_u64map_get(const struct gpm_u64map *m, uint64_t key, uint32_t *val)
{
	if (!m->cap || !key)
		return false;
	const struct gpm_u64map_slot *s = m->slots;
	for (size_t j = slot(key, m->cap); s[j].key; j = (j + 1) & (m->cap - 1))
		if (s[j].key == key) {
			*val = s[j].val;
			return true;
		}
	return false;
}

static bool resize(struct gpm_u64map *m, size_t ncap)
{
	struct gpm_u64map_slot *s = calloc(ncap, sizeof(*s));
	if (!s)
		return false;
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->slots[i].key)
			continue;
		size_t j = slot(m->slots[i].key, ncap);
		while (s[j].key)
			j = (j + 1) & (ncap - 1);
		s[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = s;
	m->cap = ncap;
	return true;
}

bool gpm_u64map_reserve(struct gpm_u64map *m, size_t n)
{
	size_t ncap = m->cap ? m->cap : 1024;
	while (ncap / 2 < n) {
		if (ncap > SIZE_MAX / 2 / sizeof(struct gpm_u64map_slot))
			return false;
		ncap *= 2;
	}
	return ncap == m->cap || resize(m, ncap);
}

bool gpm_u64map_put(struct gpm_u64map *m, uint64_t key, uint32_t val)
{
	if (!key || ((m->len + 1) * 2 > m->cap && !gpm_u64map_reserve(m, m->len + 1)))
		return false;
	size_t j = slot(key, m->cap);
	while (m->slots[j].key && m->slots[j].key != key)
		j = (j + 1) & (m->cap - 1);
	if (!m->slots[j].key) {
		m->slots[j].key = key;
		m->len++;
	}
	m->slots[j].val = val;
	return true;
}

void gpm_u64map_free(struct gpm_u64map *m)
{
	free(m->slots);
	*m = (struct gpm_u64map){0};
}

size_t gpm_u64_lower_bound(const uint64_t *v, size_t n, uint64_t key)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
