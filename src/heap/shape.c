/*
 * Heap objects typed by shape (see shape.h).
 *
 * The shape of an object is its size class and its pointer mask. Before Go 1.22 the heap
 * records the mask of every object in the heap bitmap of its arena (runtime/mbitmap.go),
 * whose layout is the facts' heap_bitmap (gort/facts.h):
 *  - Go 1.17-1.19: two bits a word, four words a byte, the pointer bit in the low nibble
 *    and the "more pointers" bit in the high one; heapBitsSetType writes the element's
 *    mask, repeated for arrays, and zeroes the rest of the object's bits. The bitmap
 *    (bitmap [2 MiB]byte) is the first field of runtime.heapArena, spans [8192]*mspan
 *    (one entry a page) the second.
 *  - Go 1.20-1.21: a bit a word, in little-endian uintptr words (so bit w%8 of byte w/8);
 *    heapBitsSetType writes the element's mask, repeated for arrays, and flush() zeroes
 *    the rest of the object's bits (one-word objects are set to pointer for the whole
 *    span by initHeapBits). heapArena: bitmap [131072]uintptr, noMorePtrs [16384]uint8,
 *    then spans.
 * Stripped binaries carry neither mheap_.arenas'
 * layout nor a symbol, so the heapArena of an arena is found by its page table: it is a
 * page-aligned allocation of its own (persistentalloc of a size over 64 KiB is sysAlloc)
 * whose spans entries hold the addresses of the arena's in-use mspans, which the span walk
 * knows.
 *
 * A type's mask is its gcdata (a bit a word up to ptrdata; types built from a GC program
 * are not indexed), its size class its size rounded up by runtime/sizeclasses.go (the same
 * table in Go 1.17-1.27). The types are those reachable from moduledata.typelinks and
 * itablinks through element, key, field and pointer-to types. An object matches a type
 * when both size class and mask are equal; the decision (unique, or one user type
 * confirmed by what its pointer fields point at) is graph.c's.
 */
#include <stdlib.h>
#include <string.h>

#include <elf.h>

#include "base/u64map.h"
#include "base/vec.h"
#include "core/memory.h"
#include "gort/image.h"
#include "gort/layout.h"
#include "heap/shape.h"

#define ARENA_SHIFT     26
#define ARENA_BYTES     ((uint64_t)1 << ARENA_SHIFT)
#define PAGE_SHIFT      13
#define BITMAP2_BYTES   (ARENA_BYTES / 32) /* Go 1.17-1.19 heapArenaBitmapBytes: 2 bits a word */
#define BITMAP1_BYTES   (ARENA_BYTES / 64) /* Go 1.20-1.21: a bit a word */
#define NOMOREPTRS      (BITMAP1_BYTES / 8 / 8) /* Go 1.20-1.21: a bit a bitmap word */
#define MAX_TYPES       (1u << 18)
#define MAX_FIELDS      4096
#define SAMPLES         4 /* spans of an arena checked against its page table */
#define KIND_GCPROG     0x40
#define KIND_MASK       0x1f
#define NONE32          UINT32_MAX
#define ARENA_UNKNOWN   0
#define ARENA_NOT_FOUND 1

/* runtime/sizeclasses.go class_to_size (unchanged in Go 1.17-1.27). */
static const uint16_t class_sizes[] = {
    8,     16,    24,    32,    48,    64,    80,    96,    112,   128,   144,   160,
    176,   192,   208,   224,   240,   256,   288,   320,   352,   384,   416,   448,
    480,   512,   576,   640,   704,   768,   896,   1024,  1152,  1280,  1408,  1536,
    1792,  2048,  2304,  2688,  3072,  3200,  3456,  4096,  4864,  5376,  6144,  6528,
    6784,  6912,  8192,  9472,  9728,  10240, 10880, 12288, 13568, 14336, 16384, 18432,
    19072, 20480, 21760, 24576, 27264, 28672, 32768,
};

static uint64_t roundup_class(uint64_t size)
{
	for (size_t i = 0; i < sizeof(class_sizes) / sizeof(class_sizes[0]); i++)
		if (size <= class_sizes[i])
			return class_sizes[i];
	return 0;
}

uint64_t gpm_heap_shapes_class(uint64_t size)
{
	return roundup_class(size);
}

static uint64_t class_below(uint64_t es)
{
	uint64_t prev = 0;
	for (size_t i = 0; i < sizeof(class_sizes) / sizeof(class_sizes[0]); i++) {
		if (class_sizes[i] >= es)
			return prev;
		prev = class_sizes[i];
	}
	return prev;
}

struct cand {
	uint64_t type;
	uint64_t key_size; /* size class (single objects) or exact size (array elements) */
	uint32_t pw;       /* pointer words: ptrdata / 8 */
	uint32_t mask_off; /* into masks */
	uint32_t next;     /* next candidate of the same hash, NONE32 */
	bool user;
};

struct sarena {
	uint64_t key;
	uint64_t meta; /* its heapArena, ARENA_UNKNOWN or ARENA_NOT_FOUND */
	uint64_t pages[SAMPLES], spans[SAMPLES];
	unsigned nsamples;
};

struct tqueue {
	uint64_t *v;
	size_t len, cap;
};

struct gpm_heap_shapes {
	struct gpm_process *p;
	unsigned words_per_byte; /* of the heap bitmap: 4 (two bits a word) or 8 */
	uint64_t bitmap_bytes;   /* of heapArena.bitmap */
	uint64_t spans_off;      /* of heapArena.spans */
	GPM_VEC(struct cand) cands;
	GPM_VEC(uint8_t) masks;
	struct gpm_u64map single; /* hash -> first candidate by size class */
	struct gpm_u64map exact;  /* hash -> first candidate by exact size (array elements) */
	uint64_t ntypes;
	GPM_VEC(struct sarena) arenas;
	struct gpm_u64map arena_ids; /* arena key -> index */
	uint8_t bits[GPM_SHAPE_MAX_SIZE / 8 / 4 + 2];
	uint8_t mask[GPM_SHAPE_MAX_SIZE / 8 / 8 + 1];
	uint16_t border[GPM_SHAPE_MAX_SIZE / 8]; /* array_cands: the mask's prefix function */
};

static uint64_t hash_shape(uint64_t size, uint32_t pw, const uint8_t *mask, bool exact)
{
	uint64_t h = 1469598103934665603ull ^ (exact ? 0x9e37u : 0);
	uint64_t words[2] = {size, pw};
	const uint8_t *w = (const uint8_t *)words;
	for (size_t i = 0; i < sizeof(words); i++)
		h = (h ^ w[i]) * 1099511628211ull;
	for (uint32_t i = 0; i < (pw + 7) / 8; i++)
		h = (h ^ mask[i]) * 1099511628211ull;
	return h;
}

static bool mask_bit(const uint8_t *m, uint64_t i)
{
	return (m[i >> 3] >> (i & 7)) & 1;
}

static bool img_read(struct gpm_heap_shapes *s, uint64_t addr, void *buf, size_t len)
{
	struct gpm_error *err = gpm_goimage_read(s->p->img, addr, buf, len);
	gpm_error_destroy(err);
	return !err;
}

/* The package path of a struct type (structType.pkgPath, a name: flag byte, varint
 * length, bytes): whether it is main or has a dot in its first element. */
static bool user_struct(struct gpm_heap_shapes *s, uint64_t name)
{
	uint8_t b[80];
	if (!name || !img_read(s, name, b, 2))
		return false;
	uint64_t n = 0, at = 1;
	for (unsigned shift = 0; at < 4; shift += 7) {
		if (!img_read(s, name + at, b, 1))
			return false;
		n |= (uint64_t)(b[0] & 0x7f) << shift;
		at++;
		if (!(b[0] & 0x80))
			break;
	}
	if (n == 0 || n >= sizeof(b) || !img_read(s, name + at, b, (size_t)n))
		return false;
	if (n == 4 && !memcmp(b, "main", 4))
		return true;
	for (uint64_t i = 0; i < n && b[i] != '/'; i++)
		if (b[i] == '.')
			return true;
	return false;
}

static bool add_cand(struct gpm_heap_shapes *s, struct gpm_u64map *index, uint64_t type,
                     uint64_t key_size, uint32_t pw, const uint8_t *mask, bool user)
{
	uint64_t h = hash_shape(key_size, pw, mask, index == &s->exact);
	uint32_t first;
	if (!gpm_u64map_get(index, h, &first))
		first = NONE32;
	size_t mlen = (pw + 7) / 8;
	if (s->masks.len + mlen > UINT32_MAX || s->cands.len >= NONE32)
		return false;
	uint32_t off = (uint32_t)s->masks.len;
	for (size_t i = 0; i < mlen; i++) {
		uint8_t *m = gpm_vec_push(&s->masks);
		if (!m)
			return false;
		*m = mask[i];
	}
	struct cand *c = gpm_vec_push(&s->cands);
	if (!c)
		return false;
	*c = (struct cand){type, key_size, pw, off, first, user};
	return gpm_u64map_put(index, h, (uint32_t)(s->cands.len - 1));
}

/* Decodes the descriptor at t, indexes it, and queues the types it refers to. */
static bool index_type(struct gpm_heap_shapes *s, uint64_t t, struct tqueue *queue)
{
	uint8_t b[96];
	if (!img_read(s, t, b, sizeof(b)))
		return true;
	uint64_t size, ptrdata, gcdata, refs[3] = {0};
	memcpy(&size, b, 8);
	memcpy(&ptrdata, b + 8, 8);
	memcpy(&gcdata, b + 32, 8);
	uint8_t kind = b[23] & KIND_MASK;
	if (ptrdata > size || size > ((uint64_t)1 << 40))
		return true;
	s->ntypes++;
	bool user = false;
	switch (kind) {
	case GPM_KIND_POINTER: {
		// A pointer to a user struct counts as a user type (arrays of them by shape).
		uint8_t e[56];
		memcpy(&refs[0], b + 48, 8);
		if (refs[0] && img_read(s, refs[0], e, sizeof(e)) &&
		    (e[23] & KIND_MASK) == GPM_KIND_STRUCT) {
			uint64_t pkg;
			memcpy(&pkg, e + 48, 8);
			user = user_struct(s, pkg);
		}
		break;
	}
	case GPM_KIND_SLICE:
	case GPM_KIND_ARRAY:
	case GPM_KIND_CHAN:
		memcpy(&refs[0], b + 48, 8);
		break;
	case GPM_KIND_MAP:
		memcpy(&refs[0], b + 48, 8);
		memcpy(&refs[1], b + 56, 8);
		memcpy(&refs[2], b + 64, 8);
		break;
	case GPM_KIND_STRUCT: {
		uint64_t pkg, fp, n;
		memcpy(&pkg, b + 48, 8);
		memcpy(&fp, b + 56, 8);
		memcpy(&n, b + 64, 8);
		user = user_struct(s, pkg);
		for (uint64_t i = 0; i < n && i < MAX_FIELDS; i++) {
			uint64_t ft;
			if (img_read(s, fp + i * 24 + 8, &ft, 8)) {
				uint64_t *q = gpm_vec_push(queue);
				if (!q)
					return false;
				*q = ft;
			}
		}
		break;
	}
	default:
		break;
	}
	for (size_t i = 0; i < 3; i++)
		if (refs[i]) {
			uint64_t *q = gpm_vec_push(queue);
			if (!q)
				return false;
			*q = refs[i];
		}
	if (!ptrdata || (b[23] & KIND_GCPROG) || size > GPM_SHAPE_MAX_SIZE || ptrdata % 8)
		return true;
	uint32_t pw = (uint32_t)(ptrdata / 8);
	uint8_t mask[GPM_SHAPE_MAX_SIZE / 64 + 1] = {0};
	if (!img_read(s, gcdata, mask, (pw + 7) / 8))
		return true;
	// A mask must end at a pointer (ptrdata is the end of the last one).
	if (!mask_bit(mask, pw - 1))
		return true;
	if (pw % 8)
		mask[pw / 8] &= (uint8_t)((1u << (pw % 8)) - 1);
	return add_cand(s, &s->single, t, roundup_class(size), pw, mask, user) &&
	       add_cand(s, &s->exact, t, size, pw, mask, user);
}

static struct gpm_error *index_types(struct gpm_heap_shapes *s)
{
	const struct gpm_moduledata *md = &s->p->img->moduledata;
	struct gpm_u64map seen = {0};
	struct tqueue queue = {0};
	bool ok = true;
	for (uint64_t i = 0; i < md->ntypelinks && ok; i++) {
		int32_t off;
		uint64_t *q;
		if (!img_read(s, md->typelinks + i * 4, &off, 4))
			continue;
		if (!(q = gpm_vec_push(&queue)))
			ok = false;
		else
			*q = md->types + (uint64_t)(int64_t)off;
	}
	for (uint64_t i = 0; i < md->nitablinks && ok; i++) {
		uint64_t itab, t, *q;
		if (!img_read(s, md->itablinks + i * 8, &itab, 8) || !img_read(s, itab + 8, &t, 8))
			continue;
		if (!(q = gpm_vec_push(&queue)))
			ok = false;
		else
			*q = t;
	}
	while (ok && queue.len) {
		uint64_t t = queue.v[--queue.len];
		uint32_t unused;
		if (!t || t % 8 || t < md->types || t >= md->etypes ||
		    gpm_u64map_get(&seen, t, &unused))
			continue;
		if (seen.len >= MAX_TYPES)
			break;
		ok = gpm_u64map_put(&seen, t, 1) && index_type(s, t, &queue);
	}
	gpm_u64map_free(&seen);
	gpm_vec_free(&queue);
	return ok ? NULL : &gpm_error_nomem;
}

struct gpm_error *gpm_heap_shapes_create(struct gpm_process *p, struct gpm_heap_shapes **out)
{
	const struct gpm_go_facts *f = &p->img->facts;
	*out = NULL;
	if (f->heap_bitmap == GPM_HEAP_BITMAP_NONE)
		return gpm_error_create(GPM_ERR_UNSUPPORTED,
		                        "no heap bitmap (allocation headers, Go 1.22+)");
	// user_struct() reads the names of Go 1.17+ (a uvarint length).
	if (!f->name_varint)
		return gpm_error_create(GPM_ERR_UNSUPPORTED,
		                        "type names before Go 1.17 are not read by shape");
	if (!p->img->has_moduledata || !p->img->moduledata.ntypelinks)
		return gpm_error_create(GPM_ERR_UNSUPPORTED, "no typelinks in the binary");
	struct gpm_heap_shapes *s = calloc(1, sizeof(*s));
	if (!s)
		return &gpm_error_nomem;
	s->p = p;
	if (f->heap_bitmap == GPM_HEAP_BITMAP_1BIT) {
		s->words_per_byte = 8;
		s->bitmap_bytes = BITMAP1_BYTES;
		s->spans_off = BITMAP1_BYTES + NOMOREPTRS;
	} else {
		s->words_per_byte = 4;
		s->bitmap_bytes = BITMAP2_BYTES;
		s->spans_off = BITMAP2_BYTES;
	}
	struct gpm_error *err = index_types(s);
	if (err) {
		gpm_heap_shapes_destroy(s);
		return err;
	}
	*out = s;
	return NULL;
}

void gpm_heap_shapes_destroy(struct gpm_heap_shapes *s)
{
	if (!s)
		return;
	gpm_vec_free(&s->cands);
	gpm_vec_free(&s->masks);
	gpm_u64map_free(&s->single);
	gpm_u64map_free(&s->exact);
	gpm_vec_free(&s->arenas);
	gpm_u64map_free(&s->arena_ids);
	free(s);
}

uint64_t gpm_heap_shapes_types(const struct gpm_heap_shapes *s)
{
	return s ? s->ntypes : 0;
}

void gpm_heap_shapes_add_span(struct gpm_heap_shapes *s, uint64_t base, uint64_t span)
{
	uint64_t key = base >> ARENA_SHIFT;
	uint32_t i;
	if (!gpm_u64map_get(&s->arena_ids, key, &i)) {
		struct sarena *a = gpm_vec_push(&s->arenas);
		if (!a)
			return;
		*a = (struct sarena){.key = key};
		i = (uint32_t)(s->arenas.len - 1);
		if (!gpm_u64map_put(&s->arena_ids, key, i)) {
			s->arenas.len--;
			return;
		}
	}
	struct sarena *a = &s->arenas.v[i];
	if (a->nsamples < SAMPLES) {
		a->pages[a->nsamples] = (base & (ARENA_BYTES - 1)) >> PAGE_SHIFT;
		a->spans[a->nsamples++] = span;
	}
}

/* Whether the heapArena at x has the arena's sample spans in its page table. */
static bool arena_meta_fits(struct gpm_heap_shapes *s, const struct sarena *a, uint64_t x)
{
	for (unsigned k = 0; k < a->nsamples; k++) {
		uint64_t w;
		struct gpm_error *err =
		    gpm_memory_word(s->p->mem, x + s->spans_off + a->pages[k] * 8, &w);
		gpm_error_destroy(err);
		if (err || w != a->spans[k])
			return false;
	}
	return gpm_memory_readable(s->p->mem, x, s->bitmap_bytes);
}

/* Finds the heapArena of a: one word a page of the writable memory outside the heap
 * arenas is compared with the first sample span. */
static uint64_t arena_meta(struct gpm_heap_shapes *s, struct sarena *a)
{
	if (a->meta != ARENA_UNKNOWN)
		return a->meta;
	a->meta = ARENA_NOT_FOUND;
	if (!a->nsamples)
		return a->meta;
	uint64_t at = a->pages[0] * 8; // of the word in the heapArena
	size_t n = gpm_memory_range_count(s->p->mem);
	for (size_t r = 0; r < n; r++) {
		const struct gpm_memory_range *mr = gpm_memory_range_at(s->p->mem, r);
		if (!mr->data || !(mr->prot & PF_W))
			continue;
		uint64_t first = (mr->start + 4095) & ~(uint64_t)4095;
		for (uint64_t pg = first; pg + 4096 <= mr->end; pg += 4096) {
			uint32_t unused;
			if (gpm_u64map_get(&s->arena_ids, pg >> ARENA_SHIFT, &unused)) {
				// Inside a heap arena: go to its end.
				pg = ((pg >> ARENA_SHIFT) + 1) * ARENA_BYTES - 4096;
				continue;
			}
			uint64_t pos = pg + at % 4096, w;
			if (pos + 8 > mr->end)
				continue;
			memcpy(&w, mr->data + (pos - mr->start), 8);
			if (w != a->spans[0] || pos < s->spans_off + at)
				continue;
			uint64_t x = pos - s->spans_off - at;
			if (arena_meta_fits(s, a, x)) {
				a->meta = x;
				return x;
			}
		}
	}
	return a->meta;
}

/* The pointer mask of the object [addr, addr+es) from the heap bitmap into s->mask;
 * its pointer words (up to the last pointer) in *pw. */
static bool object_mask(struct gpm_heap_shapes *s, uint64_t addr, uint64_t es, uint32_t *pw)
{
	uint32_t i;
	uint64_t key = addr >> ARENA_SHIFT;
	if (es > GPM_SHAPE_MAX_SIZE || es % 8 || ((addr + es - 1) >> ARENA_SHIFT) != key ||
	    !gpm_u64map_get(&s->arena_ids, key, &i))
		return false;
	uint64_t meta = arena_meta(s, &s->arenas.v[i]);
	if (meta == ARENA_NOT_FOUND)
		return false;
	uint64_t w0 = (addr & (ARENA_BYTES - 1)) / 8, nw = es / 8, wpb = s->words_per_byte;
	uint64_t b0 = w0 / wpb, b1 = (w0 + nw - 1) / wpb;
	struct gpm_error *err =
	    gpm_memory_read(s->p->mem, meta + b0, s->bits, (size_t)(b1 - b0 + 1));
	if (err) {
		gpm_error_destroy(err);
		return false;
	}
	memset(s->mask, 0, (size_t)(nw + 7) / 8);
	*pw = 0;
	for (uint64_t k = 0; k < nw; k++) {
		uint64_t w = w0 + k;
		// The pointer bit: bit w%8 (one bit a word) or w%4 (the low nibble).
		if ((s->bits[w / wpb - b0] >> (w % wpb)) & 1) {
			s->mask[k / 8] |= (uint8_t)(1u << (k % 8));
			*pw = (uint32_t)(k + 1);
		}
	}
	return true;
}

static bool cand_is(const struct gpm_heap_shapes *s, const struct cand *c, uint64_t key_size,
                    uint32_t pw, const uint8_t *mask)
{
	return c->key_size == key_size && c->pw == pw &&
	       !memcmp(s->masks.v + c->mask_off, mask, (pw + 7) / 8);
}

/* Puts candidate k into out[*n] if there is room, user types first (*users of them). */
static void put_cand(struct gpm_shape_cand *out, size_t cap, long *n, size_t *users,
                     const struct cand *k, uint64_t elem_size)
{
	struct gpm_shape_cand c = {k->type, k->user, elem_size};
	if ((size_t)*n < cap) {
		if (k->user && *users < (size_t)*n) {
			out[*n] = out[*users];
			out[(*users)++] = c;
		} else {
			out[*n] = c;
			*users += k->user;
		}
	} else if (k->user && *users < cap) {
		out[(*users)++] = c; // in place of a type of the standard library
	}
	(*n)++;
}

/* The element types of the binary of which an array of n > 1 elements has the object's
 * mask (s->mask, pw pointer words, es bytes): for each element size of sw words that
 * repeats the mask, n = ceil(pw / sw) elements must end past the size class below es and
 * fit in es, and the element type's mask is the first element's (the scalar tail of each
 * element but the last has no pointer bit). */
static void array_cands(struct gpm_heap_shapes *s, uint64_t es, uint32_t pw,
                        struct gpm_shape_cand *out, size_t cap, long *n, size_t *users)
{
	uint64_t below = class_below(es);
	uint8_t em[GPM_SHAPE_MAX_SIZE / 64 + 1];
	// The periods of the mask (as a string of pw bits) are pw - b for its borders b: the
	// prefix function finds them all in O(pw), however many there are.
	uint16_t *pi = s->border;
	pi[0] = 0;
	for (uint32_t i = 1; i < pw; i++) {
		uint32_t k = pi[i - 1];
		while (k && mask_bit(s->mask, i) != mask_bit(s->mask, k))
			k = pi[k - 1];
		pi[i] = (uint16_t)(k + (mask_bit(s->mask, i) == mask_bit(s->mask, k)));
	}
	for (uint32_t b = pi[pw - 1]; b; b = pi[b - 1]) {
		uint32_t sw = pw - b;
		uint32_t ne = (pw + sw - 1) / sw, ew = pw - (ne - 1) * sw;
		uint64_t total = (uint64_t)ne * sw * 8;
		if (ne < 2 || total <= below || total > es)
			continue;
		// The mask repeats every sw words; the first element's scalar tail has no
		// pointer (the last element's tail is past pw).
		bool tail_clear = true;
		for (uint32_t k = ew; k < sw && tail_clear; k++)
			tail_clear = !mask_bit(s->mask, k);
		if (!tail_clear)
			continue;
		memset(em, 0, (ew + 7) / 8);
		for (uint32_t k = 0; k < ew; k++)
			if (mask_bit(s->mask, k))
				em[k / 8] |= (uint8_t)(1u << (k % 8));
		uint32_t c;
		if (!gpm_u64map_get(&s->exact, hash_shape((uint64_t)sw * 8, ew, em, true), &c))
			continue;
		for (; c != NONE32; c = s->cands.v[c].next)
			if (cand_is(s, &s->cands.v[c], (uint64_t)sw * 8, ew, em))
				put_cand(out, cap, n, users, &s->cands.v[c], (uint64_t)sw * 8);
	}
}

long gpm_heap_shapes_match(struct gpm_heap_shapes *s, uint64_t addr, uint64_t es,
                           struct gpm_shape_cand *out, size_t cap)
{
	uint32_t pw, c;
	if (!object_mask(s, addr, es, &pw))
		return -1;
	if (!pw)
		return 0;
	long n = 0;
	size_t users = 0;
	if (gpm_u64map_get(&s->single, hash_shape(es, pw, s->mask, false), &c))
		for (; c != NONE32; c = s->cands.v[c].next)
			if (cand_is(s, &s->cands.v[c], es, pw, s->mask))
				put_cand(out, cap, &n, &users, &s->cands.v[c], 0);
	array_cands(s, es, pw, out, cap, &n, &users);
	return n;
}
