/* String interning: open addressing over a bump allocator of string blocks. */
#include "base/intern.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* A table starts small and its first block too: a log of thousands of small dumps creates
 * one per snapshot (24 KB of slots and a 64 KB block each made 20,000 dumps 766 MB). */
enum { BLOCK = 64 * 1024, FIRST_BLOCK = 4096 - 64, FIRST_SLOTS = 64 };

struct block {
	struct block *next;
	size_t used, cap;
	char data[];
};

struct slot {
	const char *s;
	uint64_t hash;
	size_t len;
};

struct gpm_intern {
	struct slot *slots;
	size_t nslots, count;
	struct block *blocks;
};

uint64_t gpm_hash_bytes(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *s = p;
	uint64_t h = seed;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

struct gpm_intern *gpm_intern_create(void)
{
	struct gpm_intern *in = calloc(1, sizeof(*in));
	if (!in)
		return NULL;
	in->nslots = FIRST_SLOTS;
	in->slots = calloc(in->nslots, sizeof(*in->slots));
	if (!in->slots) {
		free(in);
		return NULL;
	}
	return in;
}

void gpm_intern_destroy(struct gpm_intern *in)
{
	if (!in)
		return;
	for (struct block *b = in->blocks, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	free(in->slots);
	free(in);
}

static char *intern_store(struct gpm_intern *in, const char *s, size_t n)
{
	struct block *b = in->blocks;
	if (!b || b->cap - b->used < n + 1) {
		size_t want = b ? BLOCK : FIRST_BLOCK;
		size_t cap = n + 1 > want ? n + 1 : want;
		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->used = 0;
		b->cap = cap;
		// Keep a partly used block first when the new one is a one-off big string.
		if (in->blocks && cap > BLOCK) {
			b->next = in->blocks->next;
			in->blocks->next = b;
		} else {
			b->next = in->blocks;
			in->blocks = b;
		}
	}
	char *p = b->data + b->used;
	memcpy(p, s, n);
	p[n] = 0;
	b->used += n + 1;
	return p;
}

static bool intern_grow(struct gpm_intern *in)
{
	size_t n = in->nslots * 2;
	struct slot *slots = calloc(n, sizeof(*slots));
	if (!slots)
		return false;
	for (size_t i = 0; i < in->nslots; i++) {
		if (!in->slots[i].s)
			continue;
		size_t j = in->slots[i].hash & (n - 1);
		while (slots[j].s)
			j = (j + 1) & (n - 1);
		slots[j] = in->slots[i];
	}
	free(in->slots);
	in->slots = slots;
	in->nslots = n;
	return true;
}

const char *gpm_intern_n(struct gpm_intern *in, const char *s, size_t n)
{
	uint64_t h = gpm_hash_bytes(s, n, GPM_HASH_SEED);
	size_t mask = in->nslots - 1;
	size_t i = h & mask;
	while (in->slots[i].s) {
		struct slot *sl = &in->slots[i];
		if (sl->hash == h && sl->len == n && !memcmp(sl->s, s, n))
			return sl->s;
		i = (i + 1) & mask;
	}
	if ((in->count + 1) * 4 > in->nslots * 3) {
		if (!intern_grow(in))
			return NULL;
		return gpm_intern_n(in, s, n);
	}
	char *p = intern_store(in, s, n);
	if (!p)
		return NULL;
	in->slots[i] = (struct slot){p, h, n};
	in->count++;
	return p;
}

const char *gpm_intern(struct gpm_intern *in, const char *s)
{
	return gpm_intern_n(in, s, strlen(s));
}

size_t gpm_intern_count(const struct gpm_intern *in)
{
	return in->count;
}
