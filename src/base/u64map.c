/* See u64map.h. */
#include "base/u64map.h"

#include <stdlib.h>

static size_t slot(uint64_t key, size_t cap)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 20) & (cap - 1);
}

bool gpm_u64map_get(const struct gpm_u64map *m, uint64_t key, uint32_t *val)
{
	if (!m->cap || !key)
		return false;
	for (size_t j = slot(key, m->cap); m->keys[j]; j = (j + 1) & (m->cap - 1))
		if (m->keys[j] == key) {
			*val = m->vals[j];
			return true;
		}
	return false;
}

static bool grow(struct gpm_u64map *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 1024;
	uint64_t *keys = calloc(ncap, sizeof(*keys));
	uint32_t *vals = calloc(ncap, sizeof(*vals));
	if (!keys || !vals) {
		free(keys);
		free(vals);
		return false;
	}
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->keys[i])
			continue;
		size_t j = slot(m->keys[i], ncap);
		while (keys[j])
			j = (j + 1) & (ncap - 1);
		keys[j] = m->keys[i];
		vals[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->cap = ncap;
	return true;
}

bool gpm_u64map_put(struct gpm_u64map *m, uint64_t key, uint32_t val)
{
	if (!key || ((m->len + 1) * 2 > m->cap && !grow(m)))
		return false;
	size_t j = slot(key, m->cap);
	while (m->keys[j] && m->keys[j] != key)
		j = (j + 1) & (m->cap - 1);
	if (!m->keys[j]) {
		m->keys[j] = key;
		m->len++;
	}
	m->vals[j] = val;
	return true;
}

void gpm_u64map_free(struct gpm_u64map *m)
{
	free(m->keys);
	free(m->vals);
	*m = (struct gpm_u64map){0};
}
