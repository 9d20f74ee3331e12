/*
 * What keeps the heap alive: the object graph of a core, reachability from the roots, a
 * shortest reference path to instances of the top types, and retained sizes from the
 * dominator tree.
 *
 * Nodes are the slots of the in-use spans (walk.c hands them over; free slots stay
 * isolated), then one node per root, then a virtual super-root pointing at every root.
 *
 * Pointers (how the runtime finds them, and what gopm does instead):
 *   - globals: the runtime scans .data and .bss with the module's pointer masks, which it
 *     builds at start-up by running the GC programs moduledata.gcdata / gcbss
 *     (runtime/symtab.go modulesinit, runtime/mbitmap.go progToPointerMask and runGCProg,
 *     the same in Go 1.17-1.27). gopm runs the same programs, so global roots are exact.
 *     Roots are named by the symbol holding the word (unnamed in stripped binaries).
 *   - goroutine stacks: every word from each frame's stack pointer up to the next frame's
 *     (the outermost frame: up to g.stack.hi) is a candidate, and the frame is the root.
 *     The runtime uses stack maps here; scanning every word is conservative (dead slots
 *     can keep an object that the runtime would free).
 *   - heap objects: every word of the objects of pointer-bearing spans (the span class's
 *     noscan bit says which spans hold no pointers at all, in every version) except the
 *     allocation header. Conservative too: a scalar that happens to hold a heap address is
 *     taken for a pointer. Interior pointers count, as they do for the runtime.
 *   A word is a pointer to an object when it falls inside an allocated slot (arena page
 *   table -> span -> slot), which is also how the runtime resolves it (spanOf,
 *   findObject).
 *
 * Reachability is one breadth-first search from the super-root, so the parent links give
 * a shortest path (in pointers) from a root to every reachable object. Dominators use the
 * Lengauer-Tarjan algorithm with path compression (semidominators), then the semi-NCA
 * step for immediate dominators ("Finding Dominators in Practice", Georgiadis, Tarjan,
 * Werneck, 2004); all loops are iterative, as a linked list of millions of objects is a
 * path of that depth. An object's retained size is the bytes of the objects it dominates:
 * what the collector would free if it died.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "base/strbuf.h"
#include "base/u64map.h"
#include "core/memory.h"
#include "elf/exe.h"
#include "gort/gotype.h"
#include "gort/image.h"
#include "gort/locals.h"
#include "gort/pclntab.h"
#include "heap/graph.h"
#include "heap/shape.h"
#include "model/incident.h"

#define NONE32       UINT32_MAX
#define ARENA_SHIFT  26 /* 64 MiB: heapArenaBytes on 64-bit Linux */
#define PAGE_SHIFT   13 /* runtime._PageShift */
#define ARENA_PAGES  (1u << (ARENA_SHIFT - PAGE_SHIFT))
#define MAX_EDGES    ((uint64_t)UINT32_MAX - 1)
#define MAX_ROOTS    (1u << 20)
#define MAX_STACK    ((uint64_t)1 << 30) /* runtime.maxstacksize on 64-bit */
#define MAX_PATH     24                  /* hops kept of one path (head + tail) */
#define MAX_GCPROG   ((size_t)64 << 20)
#define TOP_ROOTS    10
#define TYPED_PASSES 32 /* types given a retained size */

struct gspan {
	uint64_t base;
	uint64_t es;
	uint64_t heap_bits; /* GPM_HEAP_SPAN_HEAPBITS: address of the pointer bitmap */
	uint64_t mspan;     /* the runtime's mspan describing it */
	uint32_t first, nelems;
	uint8_t flags; /* enum gpm_heap_span_flags */
};

/* A type's pointer mask, read once per type. */
struct tmask {
	uint8_t state; /* 0 not read, 1 usable, 2 unusable */
	uint64_t size, ptrwords;
	uint8_t *mask;
};

struct arena {
	uint64_t key;    /* address >> ARENA_SHIFT */
	uint32_t *pages; /* ARENA_PAGES entries: span index + 1, 0 none */
};

struct root {
	char *name;
	enum gpm_heap_root_kind kind;
	uint64_t addr, size, goid;
	bool word_by_word; /* a frame scanned without its stack maps */
};

struct gpm_heap_graph {
	uint64_t max_nodes;
	bool capped, nomem;
	struct gspan *spans;
	size_t nspans, spans_cap;
	uint8_t *alloc; /* bit per slot */
	uint32_t *type; /* per slot: index into gpm_heap.types, NONE32 untyped */
	size_t slots_cap;
	uint32_t nslots;
	struct arena *arenas;
	size_t narenas, arenas_cap, last_arena;
	uint64_t lo, hi; /* bounds of the recorded slots */
	GPM_VEC(struct root) roots;
	/* Edges in compressed rows: the successors of node n are succ[off[n] .. off[n+1]). */
	uint32_t *off;
	GPM_VEC(uint32_t) succ;
	uint32_t nnodes; /* slots + roots + 1 */
	uint64_t precise_objects, conservative_objects;
	/* Objects at the top of the dominator tree that several roots share (retained()),
	 * explained with a path by reach(). */
	uint32_t shared[TOP_ROOTS];
	size_t nshared;
	/* The runtime's Ps, scanned by the layout of runtime.p (see runtime_ps). */
	struct tmask p_mask;
	uint32_t ps[1024];
	size_t nps;
};

/* ---- building ---- */

struct gpm_heap_graph *gpm_heap_graph_create(uint64_t max_nodes)
{
	struct gpm_heap_graph *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->max_nodes = max_nodes ? max_nodes : GPM_HEAP_MAX_NODES;
	if (g->max_nodes > (uint64_t)UINT32_MAX - MAX_ROOTS - 2)
		g->max_nodes = (uint64_t)UINT32_MAX - MAX_ROOTS - 2;
	g->lo = UINT64_MAX;
	return g;
}

void gpm_heap_graph_destroy(struct gpm_heap_graph *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->narenas; i++)
		free(g->arenas[i].pages);
	free(g->arenas);
	free(g->spans);
	free(g->alloc);
	free(g->type);
	for (size_t i = 0; i < g->roots.len; i++)
		free(g->roots.v[i].name);
	gpm_vec_free(&g->roots);
	free(g->off);
	gpm_vec_free(&g->succ);
	free(g->p_mask.mask);
	free(g);
}

static struct arena *arena_find(struct gpm_heap_graph *g, uint64_t key, bool create)
{
	if (g->last_arena < g->narenas && g->arenas[g->last_arena].key == key)
		return &g->arenas[g->last_arena];
	size_t lo = 0, hi = g->narenas;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (g->arenas[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < g->narenas && g->arenas[lo].key == key) {
		g->last_arena = lo;
		return &g->arenas[lo];
	}
	if (!create)
		return NULL;
	if (!gpm_array_reserve((void **)&g->arenas, &g->arenas_cap, g->narenas + 1,
	                       sizeof(*g->arenas)))
		return NULL;
	uint32_t *pages = calloc(ARENA_PAGES, sizeof(*pages));
	if (!pages)
		return NULL;
	memmove(&g->arenas[lo + 1], &g->arenas[lo], (g->narenas - lo) * sizeof(*g->arenas));
	g->arenas[lo] = (struct arena){key, pages};
	g->narenas++;
	g->last_arena = lo;
	return &g->arenas[lo];
}

uint32_t gpm_heap_graph_add_span(struct gpm_heap_graph *g, uint64_t base, uint64_t elemsize,
                                 uint64_t nelems, const uint8_t *allocbits, uint64_t freeindex,
                                 unsigned flags, uint64_t heap_bits, uint64_t mspan)
{
	if (g->capped || g->nomem || !elemsize || !nelems)
		return NONE32;
	uint64_t bytes, end;
	if (__builtin_mul_overflow(elemsize, nelems, &bytes) ||
	    __builtin_add_overflow(base, bytes, &end) || end > ((uint64_t)1 << 48)) {
		return NONE32;
	}
	if ((uint64_t)g->nslots + nelems > g->max_nodes) {
		g->capped = true;
		return NONE32;
	}
	if (!gpm_array_reserve((void **)&g->spans, &g->spans_cap, g->nspans + 1,
	                       sizeof(*g->spans)) ||
	    g->nspans >= UINT32_MAX - 1) {
		g->nomem = true;
		return NONE32;
	}
	size_t need = (size_t)(g->nslots + nelems);
	if (need > g->slots_cap) {
		size_t ncap = g->slots_cap ? g->slots_cap : 1 << 16;
		while (ncap < need)
			ncap *= 2;
		uint8_t *a = realloc(g->alloc, (ncap + 7) / 8);
		if (!a) {
			g->nomem = true;
			return NONE32;
		}
		g->alloc = a;
		uint32_t *t = realloc(g->type, ncap * sizeof(*t));
		if (!t) {
			g->nomem = true;
			return NONE32;
		}
		g->type = t;
		memset(g->alloc + (g->slots_cap + 7) / 8, 0,
		       (ncap + 7) / 8 - (g->slots_cap + 7) / 8);
		g->slots_cap = ncap;
	}
	uint32_t first = g->nslots;
	for (uint64_t i = 0; i < nelems; i++) {
		uint32_t id = first + (uint32_t)i;
		bool a = i < freeindex || (allocbits && ((allocbits[i >> 3] >> (i & 7)) & 1));
		if (a)
			g->alloc[id >> 3] |= (uint8_t)(1u << (id & 7));
		else
			g->alloc[id >> 3] &= (uint8_t) ~(1u << (id & 7));
		g->type[id] = NONE32;
	}
	// Page table: every page the objects cover points at this span.
	size_t si = g->nspans;
	for (uint64_t a = base & ~(((uint64_t)1 << PAGE_SHIFT) - 1); a < end;
	     a += (uint64_t)1 << PAGE_SHIFT) {
		struct arena *ar = arena_find(g, a >> ARENA_SHIFT, true);
		if (!ar) {
			g->nomem = true;
			return NONE32;
		}
		ar->pages[(a >> PAGE_SHIFT) & (ARENA_PAGES - 1)] = (uint32_t)si + 1;
	}
	g->spans[g->nspans++] = (struct gspan){
	    .base = base,
	    .es = elemsize,
	    .first = first,
	    .nelems = (uint32_t)nelems,
	    .flags = (uint8_t)flags,
	    .heap_bits = heap_bits,
	    .mspan = mspan,
	};
	g->nslots += (uint32_t)nelems;
	if (base < g->lo)
		g->lo = base;
	if (end > g->hi)
		g->hi = end;
	return first;
}

void gpm_heap_graph_set_type(struct gpm_heap_graph *g, uint32_t id, uint32_t t)
{
	if (id < g->nslots)
		g->type[id] = t;
}

static inline bool allocated(const struct gpm_heap_graph *g, uint32_t id)
{
	return (g->alloc[id >> 3] >> (id & 7)) & 1;
}

/* The span holding addr, NULL when none. */
static const struct gspan *span_of(struct gpm_heap_graph *g, uint64_t addr)
{
	if (addr < g->lo || addr >= g->hi)
		return NULL;
	struct arena *ar = arena_find(g, addr >> ARENA_SHIFT, false);
	if (!ar)
		return NULL;
	uint32_t si = ar->pages[(addr >> PAGE_SHIFT) & (ARENA_PAGES - 1)];
	return si ? &g->spans[si - 1] : NULL;
}

/* The allocated object containing addr: its node id, NONE32 when none. */
static inline uint32_t object_at(struct gpm_heap_graph *g, uint64_t addr)
{
	const struct gspan *s = span_of(g, addr);
	if (!s || addr < s->base)
		return NONE32;
	uint64_t i = (addr - s->base) / s->es;
	if (i >= s->nelems)
		return NONE32;
	uint32_t id = s->first + (uint32_t)i;
	return allocated(g, id) ? id : NONE32;
}

/* The span of a slot (binary search over first ids). */
static const struct gspan *span_of_slot(const struct gpm_heap_graph *g, uint32_t id)
{
	size_t lo = 0, hi = g->nspans;
	while (lo + 1 < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (g->spans[mid].first <= id)
			lo = mid;
		else
			hi = mid;
	}
	return &g->spans[lo];
}

static uint64_t slot_addr(const struct gpm_heap_graph *g, uint32_t id, uint64_t *size)
{
	const struct gspan *s = span_of_slot(g, id);
	*size = s->es;
	return s->base + (uint64_t)(id - s->first) * s->es;
}

/* ---- edges ---- */

static bool edge(struct gpm_heap_graph *g, uint32_t to)
{
	if (g->succ.len >= MAX_EDGES)
		return false;
	uint32_t *e = gpm_vec_push(&g->succ);
	if (!e)
		return false;
	*e = to;
	return true;
}

/* Why a uvarint of a GC program at b[0, n) did not read: -1 when it runs off the end
 * (read more), 0 when it is malformed (overlong). */
static int gcprog_varint_end(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n && i < 10; i++)
		if (!(b[i] & 0x80))
			return 0;
	return n < 10 ? -1 : 0;
}

/* Adds an edge per word of [words, words+n) that points at an object (not at self),
 * dropping repeats of the previous target. false when the edge store is full. */
static bool scan_words(struct gpm_heap_graph *g, const uint8_t *words, uint64_t n, uint32_t self)
{
	uint32_t last = NONE32;
	for (uint64_t k = 0; k < n; k++) {
		uint64_t v;
		memcpy(&v, words + k * 8, 8);
		if (v < g->lo || v >= g->hi)
			continue;
		uint32_t t = object_at(g, v);
		if (t == NONE32 || t == self || t == last)
			continue;
		if (!edge(g, t))
			return false;
		last = t;
	}
	return true;
}

static int run_gcprog(const uint8_t *prog, size_t plen, uint8_t *out, uint64_t nbits);
static uint8_t *pointer_mask(struct gpm_goimage *img, uint64_t prog, uint64_t nwords);

/*
 * The pointer mask of type descriptor t (internal/abi/type.go Type: PtrBytes at +8, TFlag
 * at +20, Kind_ at +23, GCData at +32, Go 1.17-1.27): GCData is a bitmap, except that
 * before Go 1.24 a kind with KindGCProg (0x40) and without TFlagUnrolledBitmap (1<<4) has
 * a GC program there (after a 4-byte length), and from Go 1.24 TFlagGCMaskOnDemand (1<<4)
 * makes GCData point at the word holding the bitmap's address, nil until the runtime
 * needed it.
 */
static const struct tmask *type_mask(struct tmask *cache, struct gpm_process *p,
                                     const struct gpm_heap *h, uint32_t t)
{
	struct tmask *m = &cache[t];
	if (m->state)
		return m->state == 1 ? m : NULL;
	m->state = 2;
	struct gpm_gotype ty;
	struct gpm_error *err = gpm_gotype_decode(p->img, h->types[t].type, GPM_GOTYPE_HEADER, &ty);
	if (err) {
		gpm_error_destroy(err);
		return NULL;
	}
	uint64_t size = ty.size, ptrbytes = ty.ptrdata, gcdata = ty.gcdata;
	if (!size || ptrbytes > size || ptrbytes % 8 || size > ((uint64_t)1 << 40))
		return NULL;
	m->size = size;
	m->ptrwords = ptrbytes / 8;
	if (!m->ptrwords) {
		m->state = 1;
		return m;
	}
	if (ty.gcdata_indirect) {
		if ((err = gpm_goimage_word(p->img, gcdata, &gcdata)) || !gcdata) {
			gpm_error_destroy(err);
			return NULL;
		}
	} else if (ty.gcprog) {
		m->mask = pointer_mask(p->img, gcdata + 4, m->ptrwords);
		if (m->mask)
			m->state = 1;
		return m->mask ? m : NULL;
	}
	size_t nbytes = (size_t)(m->ptrwords + 7) / 8;
	if (!(m->mask = malloc(nbytes)))
		return NULL;
	if ((err = gpm_goimage_read(p->img, gcdata, m->mask, nbytes))) {
		gpm_error_destroy(err);
		free(m->mask);
		m->mask = NULL;
		return NULL;
	}
	m->state = 1;
	return m;
}

struct obj_scan {
	struct gpm_heap_graph *g;
	uint32_t self, last;
};

static bool obj_word(struct obj_scan *os, const uint8_t *word)
{
	uint64_t v;
	memcpy(&v, word, 8);
	if (v < os->g->lo || v >= os->g->hi)
		return true;
	uint32_t t = object_at(os->g, v);
	if (t == NONE32 || t == os->self || t == os->last)
		return true;
	os->last = t;
	return edge(os->g, t);
}

/* The words of data[0, len) that the type mask says are pointers, element after element. */
static bool scan_typed(struct obj_scan *os, const uint8_t *data, uint64_t len,
                       const struct tmask *m)
{
	for (uint64_t off = 0; off + m->size <= len; off += m->size)
		for (uint64_t j = 0; j < m->ptrwords; j++)
			if ((m->mask[j >> 3] >> (j & 7)) & 1)
				if (!obj_word(os, data + off + j * 8))
					return false;
	return true;
}

/* Sets the mask bits of the pointer words of a struct at base by its layout's field
 * kinds (arrays of pointers by their element type's name). */
static void layout_bits(const struct gpm_layout *l, uint64_t base, uint8_t *mask, uint64_t nwords,
                        unsigned depth)
{
	for (size_t i = 0; i < l->nfields && depth < GPM_LAYOUT_MAX_DEPTH; i++) {
		const struct gpm_layout_field *f = &l->fields[i];
		uint64_t at = base + f->offset, first = at, n = 0;
		switch (f->kind) {
		case GPM_KIND_POINTER:
		case GPM_KIND_UNSAFE_POINTER:
		case GPM_KIND_MAP:
		case GPM_KIND_CHAN:
		case GPM_KIND_FUNC:
		case GPM_KIND_SLICE:
		case GPM_KIND_STRING:
			n = 1;
			break;
		case GPM_KIND_INTERFACE:
			first = at + 8;
			n = 1;
			break;
		case GPM_KIND_STRUCT:
			if (f->type)
				layout_bits(f->type, at, mask, nwords, depth + 1);
			break;
		case GPM_KIND_ARRAY:
			if (f->type_name && f->type_name[0] == '[' && strstr(f->type_name, "]*"))
				n = f->size / 8;
			break;
		default:
			break;
		}
		for (uint64_t k = 0; k < n; k++) {
			uint64_t w = first / 8 + k;
			if (first % 8 == 0 && w < nwords)
				mask[w >> 3] |= (uint8_t)(1u << (w & 7));
		}
	}
}

/*
 * Heaps before Go 1.22 record no types, so objects are scanned word by word. The worst
 * source of false pointers is then the runtime's Ps: page caches, run queues and each
 * write-barrier buffer (runtime/mwbbuf.go, kept after it was flushed) are full of
 * uintptrs that hold heap addresses. The Ps found through runtime.allp are scanned by the
 * layout of runtime.p instead (its pointer-typed fields).
 */
static void runtime_ps(struct gpm_heap_graph *g, struct gpm_process *p)
{
	uint64_t allp, size, ptr, len;
	const struct gpm_layout *pl;
	struct gpm_error *err;
	if (!gpm_goimage_symbol(p->img, "runtime.allp", &allp, &size))
		return;
	if ((err = gpm_goimage_layout(p->img, "runtime.p", &pl))) {
		gpm_error_destroy(err);
		return;
	}
	if (!pl->size || pl->size % 8 || pl->size > (1 << 20))
		return;
	if ((err = gpm_memory_word(p->mem, allp, &ptr)) ||
	    (err = gpm_memory_word(p->mem, allp + 8, &len))) {
		gpm_error_destroy(err);
		return;
	}
	g->p_mask.size = pl->size;
	g->p_mask.ptrwords = pl->size / 8;
	if (!(g->p_mask.mask = calloc((size_t)g->p_mask.ptrwords / 8 + 1, 1)))
		return;
	layout_bits(pl, 0, g->p_mask.mask, g->p_mask.ptrwords, 0);
	g->p_mask.state = 1;
	for (uint64_t i = 0; i < len && g->nps < sizeof(g->ps) / sizeof(g->ps[0]); i++) {
		uint64_t pp, osize;
		if ((err = gpm_memory_word(p->mem, ptr + i * 8, &pp))) {
			gpm_error_destroy(err);
			return;
		}
		uint32_t id = object_at(g, pp);
		if (id != NONE32 && slot_addr(g, id, &osize) == pp && osize >= pl->size)
			g->ps[g->nps++] = id;
	}
}

static const struct tmask *runtime_p_mask(const struct gpm_heap_graph *g, uint32_t id)
{
	for (size_t k = 0; k < g->nps; k++)
		if (g->ps[k] == id)
			return &g->p_mask;
	return NULL;
}

/* The out-edges of every slot, in slot order: by the type's mask or the span's heap bits
 * where the heap records them (Go 1.22+), else every word. */
static struct gpm_error *object_edges(struct gpm_heap_graph *g, struct gpm_process *p,
                                      struct gpm_heap *h)
{
	uint8_t *buf = NULL;
	size_t buf_cap = 0;
	uint32_t next = 0; /* next slot whose row starts */
	struct tmask *masks = calloc(h->ntypes ? h->ntypes : 1, sizeof(*masks));
	if (!masks)
		return &gpm_error_nomem;
	struct gpm_error *ret = NULL;
	for (size_t si = 0; si < g->nspans && !ret; si++) {
		const struct gspan *s = &g->spans[si];
		const uint8_t *mem = NULL, *bits = NULL;
		struct gpm_error *err;
		if (!(s->flags & GPM_HEAP_SPAN_NOSCAN)) {
			if ((err = gpm_memory_ptr(p->mem, s->base, (size_t)(s->es * s->nelems),
			                          &mem))) {
				gpm_error_destroy(err);
				mem = NULL;
			}
			if ((s->flags & GPM_HEAP_SPAN_HEAPBITS) &&
			    (err = gpm_memory_ptr(p->mem, s->heap_bits,
			                          (size_t)(s->es * s->nelems / 64 + 1), &bits))) {
				gpm_error_destroy(err);
				bits = NULL;
			}
		}
		for (uint32_t i = 0; i < s->nelems; i++) {
			uint32_t id = s->first + i;
			for (; next <= id; next++)
				g->off[next] = (uint32_t)g->succ.len;
			if ((s->flags & GPM_HEAP_SPAN_NOSCAN) || !allocated(g, id))
				continue;
			const uint8_t *obj;
			if (mem) {
				obj = mem + (uint64_t)i * s->es;
			} else {
				if (s->es > buf_cap) {
					uint8_t *nb = realloc(buf, (size_t)s->es);
					if (!nb) {
						ret = &gpm_error_nomem;
						break;
					}
					buf = nb;
					buf_cap = (size_t)s->es;
				}
				err = gpm_memory_read(p->mem, s->base + (uint64_t)i * s->es, buf,
				                      (size_t)s->es);
				if (err) {
					gpm_error_destroy(err);
					continue;
				}
				obj = buf;
			}
			struct obj_scan os = {g, id, NONE32};
			uint64_t skip = (s->flags & GPM_HEAP_SPAN_HEADER) ? 8 : 0;
			const struct tmask *m = NULL;
			if ((s->flags & (GPM_HEAP_SPAN_HEADER | GPM_HEAP_SPAN_LARGE_TYPED)) &&
			    g->type[id] != NONE32)
				m = type_mask(masks, p, h, g->type[id]);
			else if (g->nps)
				m = runtime_p_mask(g, id);
			bool ok;
			if (m) {
				g->precise_objects++;
				ok = scan_typed(&os, obj + skip, s->es - skip, m);
			} else if (bits) {
				// One bit per word of the span from its base (mbitmap.go
				// heapBitsSmallForAddr).
				g->precise_objects++;
				ok = true;
				uint64_t w0 = (uint64_t)i * s->es / 8;
				for (uint64_t j = 0; j < s->es / 8 && ok; j++)
					if ((bits[(w0 + j) >> 3] >> ((w0 + j) & 7)) & 1)
						ok = obj_word(&os, obj + j * 8);
			} else {
				g->conservative_objects++;
				ok = scan_words(g, obj + skip, (s->es - skip) / 8, id);
			}
			if (!ok)
				ret = gpm_error_create(GPM_ERR_LIMIT,
				                       "more than %" PRIu64 " pointers in the heap",
				                       MAX_EDGES);
			if (ret)
				break;
		}
		// Pointer-bearing objects touch every page: give the core's pages back.
		if ((si & 1023) == 1023)
			gpm_core_release_pages(p->core);
	}
	for (; next <= g->nslots; next++)
		g->off[next] = (uint32_t)g->succ.len;
	for (size_t t = 0; t < h->ntypes; t++)
		free(masks[t].mask);
	free(masks);
	free(buf);
	gpm_core_release_pages(p->core);
	return ret;
}

/* ---- roots: globals ---- */

/*
 * Runs a GC program (runtime/mbitmap.go runGCProg, unchanged Go 1.17-1.27) into out, a
 * zeroed bitmap of nbits bits. 1: done; 0: malformed or overflowing; -1: prog ended
 * before the program did (read more).
 */
static int run_gcprog(const uint8_t *prog, size_t plen, uint8_t *out, uint64_t nbits)
{
	uint64_t pos = 0;
	size_t p = 0;
	for (;;) {
		if (p >= plen)
			return -1;
		uint8_t inst = prog[p++];
		uint64_t n = inst & 0x7f;
		if (!(inst & 0x80)) {
			if (n == 0)
				return 1;
			if (p + (n + 7) / 8 > plen)
				return -1;
			if (pos + n > nbits)
				return 0;
			for (uint64_t i = 0; i < n; i++, pos++)
				if ((prog[p + i / 8] >> (i % 8)) & 1)
					out[pos >> 3] |= (uint8_t)(1u << (pos & 7));
			p += (size_t)((n + 7) / 8);
			continue;
		}
		uint64_t c = 0;
		for (int which = n ? 1 : 0; which < 2; which++) {
			uint64_t x;
			struct gpm_cursor cur;
			gpm_cursor_init(&cur, prog, plen);
			if (!gpm_cursor_seek(&cur, p) || !gpm_cursor_uvarint(&cur, &x))
				return gcprog_varint_end(prog + p, plen - p);
			p = cur.pos;
			if (which == 0)
				n = x;
			else
				c = x;
		}
		uint64_t total;
		if (!n || n > pos || __builtin_mul_overflow(n, c, &total) || total > nbits - pos)
			return 0;
		for (uint64_t k = 0; k < total; k++, pos++) {
			uint64_t from = pos - n;
			if ((out[from >> 3] >> (from & 7)) & 1)
				out[pos >> 3] |= (uint8_t)(1u << (pos & 7));
		}
	}
}

/* The pointer mask of [lo, hi) from the GC program at prog; NULL when it cannot be run. */
static uint8_t *pointer_mask(struct gpm_goimage *img, uint64_t prog, uint64_t nwords)
{
	uint8_t *mask = calloc((size_t)(nwords + 7) / 8 + 1, 1);
	uint8_t *code = NULL;
	size_t len = 0, cap = 0;
	if (!mask)
		return NULL;
	for (;;) {
		size_t want = cap ? cap * 2 : 4096;
		if (want > MAX_GCPROG)
			break;
		uint8_t *n = realloc(code, want);
		if (!n)
			break;
		code = n;
		cap = want;
		// Read in 4 KiB pieces so that the end of the readable data does not fail the
		// whole read.
		while (len < cap) {
			struct gpm_error *err = gpm_goimage_read(img, prog + len, code + len, 4096);
			if (err) {
				gpm_error_destroy(err);
				break;
			}
			len += 4096;
		}
		memset(mask, 0, (size_t)(nwords + 7) / 8 + 1);
		int r = run_gcprog(code, len, mask, nwords);
		if (r == 1) {
			free(code);
			return mask;
		}
		if (r == 0 || len < cap)
			break;
	}
	free(code);
	free(mask);
	return NULL;
}

struct gsym {
	const char *name;
	uint64_t addr, size;
};

static int gsym_cmp(const void *a, const void *b)
{
	const struct gsym *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Symbols of [lo, hi), by address. */
static struct gsym *data_symbols(struct gpm_process *p, uint64_t lo, uint64_t hi, size_t *n)
{
	*n = 0;
	size_t count = gpm_exe_symbol_count(p->exe), cap = 0;
	struct gsym *v = NULL;
	for (size_t i = 0; i < count; i++) {
		const char *name;
		uint64_t a, sz;
		if (!gpm_exe_symbol_at(p->exe, i, &name, &a, &sz))
			break;
		a += p->bias;
		// Section markers (runtime.bss, runtime.edata...) have no size.
		if (a < lo || a >= hi || !name[0] || !sz)
			continue;
		if (!gpm_array_reserve((void **)&v, &cap, *n + 1, sizeof(*v)))
			break;
		v[(*n)++] = (struct gsym){name, a, sz};
	}
	if (*n)
		qsort(v, *n, sizeof(*v), gsym_cmp);
	return v;
}

static const struct gsym *symbol_for(const struct gsym *v, size_t n, uint64_t addr)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	const struct gsym *s = &v[lo - 1];
	return addr < s->addr + s->size ? s : NULL;
}

static struct root *root_add(struct gpm_heap_graph *g, enum gpm_heap_root_kind kind,
                             const char *name, uint64_t addr, uint64_t size, uint64_t goid)
{
	if (g->roots.len >= MAX_ROOTS)
		return NULL;
	char *copy = gpm_safe_strndup(name, strlen(name));
	struct root *r = copy ? gpm_vec_push(&g->roots) : NULL;
	if (!r) {
		free(copy);
		return NULL;
	}
	*r = (struct root){copy, kind, addr, size, goid, false};
	return r;
}

/* Starts the row of the next root (rows of roots follow the slots' rows). */
static void root_row(struct gpm_heap_graph *g)
{
	g->off[g->nslots + g->roots.len] = (uint32_t)g->succ.len;
}

static void global_roots(struct gpm_heap_graph *g, struct gpm_process *p, struct gpm_heap *h,
                         uint64_t *pointers)
{
	struct gpm_goimage *img = p->img;
	if (!img->has_moduledata)
		return;
	const struct {
		uint64_t lo, hi, prog;
		const char *section;
	} secs[] = {
	    {img->moduledata.data, img->moduledata.edata, img->moduledata.gcdata, ".data"},
	    {img->moduledata.bss, img->moduledata.ebss, img->moduledata.gcbss, ".bss"},
	};
	bool any = false;
	for (size_t k = 0; k < 2; k++) {
		uint64_t lo = secs[k].lo, hi = secs[k].hi;
		if (!lo || hi <= lo || (hi - lo) > ((uint64_t)1 << 32) || lo % 8)
			continue;
		uint64_t nwords = (hi - lo) / 8;
		uint8_t *mask = pointer_mask(img, secs[k].prog, nwords);
		if (!mask) {
			h->ret.have_globals = false;
			return;
		}
		any = true;
		size_t nsyms;
		struct gsym *syms = data_symbols(p, lo, hi, &nsyms);
		const uint8_t *mem = NULL;
		struct gpm_error *err = gpm_memory_ptr(p->mem, lo, (size_t)(hi - lo), &mem);
		gpm_error_destroy(err);
		const struct gsym *cur = NULL;
		bool open = false; /* a root row for cur is open */
		for (uint64_t w = 0; w < nwords; w++) {
			if (!((mask[w >> 3] >> (w & 7)) & 1))
				continue;
			uint64_t addr = lo + w * 8, v;
			if (mem) {
				memcpy(&v, mem + w * 8, 8);
			} else if ((err = gpm_memory_word(p->mem, addr, &v))) {
				gpm_error_destroy(err);
				continue;
			}
			uint32_t t = object_at(g, v);
			if (t == NONE32)
				continue;
			const struct gsym *s = symbol_for(syms, nsyms, addr);
			if (!open || !s || s != cur) {
				char name[256];
				if (s)
					snprintf(name, sizeof(name), "%s", s->name);
				else
					snprintf(name, sizeof(name), "0x%" PRIx64 " (%s)", addr,
					         secs[k].section);
				root_row(g);
				if (!root_add(g, GPM_HEAP_ROOT_GLOBAL, name, s ? s->addr : addr,
				              s ? s->size : 8, 0)) {
					open = false;
					continue;
				}
				h->ret.global_roots++;
				cur = s;
				open = s != NULL;
			}
			// Repeated pointers from one global to one object add nothing.
			size_t row = g->off[g->nslots + g->roots.len - 1];
			if (g->succ.len > row && g->succ.v[g->succ.len - 1] == t)
				continue;
			if (!edge(g, t))
				break;
			(*pointers)++;
		}
		free(syms);
		free(mask);
	}
	h->ret.have_globals = any;
}

/* ---- roots: goroutine stacks ---- */

/*
 * Frames are scanned as the runtime scans them (runtime/stkframe.go getStackMap, Go
 * 1.21-1.27; the same code in runtime/mgcmark.go scanframeworker before): the locals
 * bitmap of FUNCDATA_LocalsPointerMaps covers the words below varp (fp minus the return
 * address and the saved frame pointer), the arguments bitmap of
 * FUNCDATA_ArgsPointerMaps the words from argp (= fp), both indexed by
 * PCDATA_StackMapIndex at the call (pc-1); the frame's stack objects (address-taken
 * locals, FUNCDATA_StackObjects: {off, size, ptrdata, gcdataoff} records) are scanned
 * whole. A frame without maps, the innermost frame (stopped at any instruction) and a
 * frame interrupted by a signal or an asynchronous preemption are scanned word by word,
 * as the runtime does for asynchronously preempted frames.
 */
struct stackmap {
	int32_t n, nbit;
	uint64_t bits; /* address of bitmap 0 */
};

struct frame_scan {
	struct gpm_heap_graph *g;
	struct gpm_process *p;
	const uint8_t *mem; /* the stack [lo, hi) */
	uint64_t lo, hi;
	uint64_t gofunc;
	bool funcdata_offsets; /* Go 1.18+: funcdata are offsets from gofunc */
};

static bool funcdata_addr(struct frame_scan *fs, const struct gpm_func *fn, uint32_t i,
                          uint64_t *out)
{
	uint64_t raw;
	struct gpm_error *err = gpm_pclntab_funcdata(fs->p->img->pclntab, fn, i, &raw);
	if (err) {
		gpm_error_destroy(err);
		return false;
	}
	if (fs->funcdata_offsets) {
		if (raw == 0xffffffffu || !fs->gofunc)
			return false;
		*out = fs->gofunc + raw;
	} else {
		if (!raw)
			return false;
		*out = raw;
	}
	return true;
}

static bool read_stackmap(struct frame_scan *fs, uint64_t addr, struct stackmap *m)
{
	int32_t hdr[2];
	struct gpm_error *err = gpm_goimage_read(fs->p->img, addr, hdr, sizeof(hdr));
	if (err) {
		gpm_error_destroy(err);
		return false;
	}
	*m = (struct stackmap){hdr[0], hdr[1], addr + 8};
	return m->n > 0 && m->nbit >= 0 && m->nbit <= (1 << 20);
}

/* The stack word at addr, when inside the stack. */
static bool stack_word(const struct frame_scan *fs, uint64_t addr, uint64_t *v)
{
	if (addr < fs->lo || addr + 8 > fs->hi || addr % 8)
		return false;
	memcpy(v, fs->mem + (addr - fs->lo), 8);
	return true;
}

static bool push_word(struct frame_scan *fs, uint64_t addr, uint32_t *last)
{
	uint64_t v;
	if (!stack_word(fs, addr, &v))
		return true;
	uint32_t t = object_at(fs->g, v);
	if (t == NONE32 || t == *last)
		return true;
	*last = t;
	return edge(fs->g, t);
}

/* Words [base, base + nbit*8) selected by bitmap idx of m. */
static bool scan_bitmap(struct frame_scan *fs, const struct stackmap *m, int32_t idx, uint64_t base,
                        uint32_t *last)
{
	if (!m->nbit)
		return true;
	size_t nbytes = ((size_t)m->nbit + 7) / 8;
	uint8_t bits[4096];
	if (nbytes > sizeof(bits))
		return false;
	struct gpm_error *err =
	    gpm_goimage_read(fs->p->img, m->bits + (uint64_t)idx * nbytes, bits, nbytes);
	if (err) {
		gpm_error_destroy(err);
		return false;
	}
	for (int32_t i = 0; i < m->nbit; i++)
		if ((bits[i >> 3] >> (i & 7)) & 1)
			if (!push_word(fs, base + (uint64_t)i * 8, last))
				return false;
	return true;
}

/* Scans the frame of pc at [sp, fp) by its stack maps; false when it has none usable
 * (the caller then scans it word by word). */
static bool frame_precise(struct frame_scan *fs, uint64_t pc, uint64_t sp, uint64_t fp)
{
	struct gpm_pclntab *tab = fs->p->img->pclntab;
	struct gpm_func fn;
	if (!tab || !gpm_pclntab_func_for_pc(tab, pc, &fn))
		return false;
	int32_t idx = -1;
	if (pc != fn.entry) {
		struct gpm_error *err =
		    gpm_pclntab_pcdata(tab, &fn, GPM_PCDATA_STACK_MAP_INDEX, pc - 1, &idx);
		if (err) {
			gpm_error_destroy(err);
			idx = -1;
		}
	}
	if (idx == -1)
		idx = 0;
	// runtime/traceback.go resolveInternal: locals end below the return address on amd64,
	// at fp on link register machines (arm64), whose arguments start MinFrameSize above fp;
	// both save the frame pointer just below.
	const struct gpm_arch_ops *arch = gpm_core_arch(fs->p->core);
	uint64_t varp = arch->lr_reg >= 0 ? fp : fp - 8;
	uint64_t argp = fp + arch->min_frame_size;
	if (varp > sp)
		varp -= 8; // the saved frame pointer
	uint64_t a;
	struct stackmap m;
	uint32_t last = NONE32;
	size_t mark = fs->g->succ.len;
	if (varp > sp) {
		if (!funcdata_addr(fs, &fn, GPM_FUNCDATA_LOCALS_POINTER_MAPS, &a) ||
		    !read_stackmap(fs, a, &m) || idx < 0 || (m.nbit && idx >= m.n) ||
		    (uint64_t)m.nbit * 8 > varp - sp)
			goto fail;
		if (!scan_bitmap(fs, &m, idx, varp - (uint64_t)m.nbit * 8, &last))
			goto fail;
	}
	if (funcdata_addr(fs, &fn, GPM_FUNCDATA_ARGS_POINTER_MAPS, &a)) {
		if (!read_stackmap(fs, a, &m) || idx < 0 || (m.nbit && idx >= m.n) ||
		    !scan_bitmap(fs, &m, idx, argp, &last))
			goto fail;
	}
	if (funcdata_addr(fs, &fn, GPM_FUNCDATA_STACK_OBJECTS, &a)) {
		uint64_t n;
		struct gpm_error *err = gpm_goimage_word(fs->p->img, a, &n);
		if (err) {
			gpm_error_destroy(err);
			goto fail;
		}
		for (uint64_t i = 0; i < n && i < 1024; i++) {
			int32_t rec[4];
			if ((err =
			         gpm_goimage_read(fs->p->img, a + 8 + i * 16, rec, sizeof(rec)))) {
				gpm_error_destroy(err);
				goto fail;
			}
			uint64_t base = rec[0] < 0 ? varp - (uint64_t)(-(int64_t)rec[0])
			                           : argp + (uint64_t)rec[0];
			int64_t ptrdata = rec[2] < 0 ? -(int64_t)rec[2] : rec[2];
			for (int64_t o = 0; o < ptrdata && o < rec[1]; o += 8)
				if (!push_word(fs, base + (uint64_t)o, &last))
					goto fail;
		}
	}
	return true;
fail:
	fs->g->succ.len = mark;
	return false;
}

static bool frame_conservative(struct frame_scan *fs, uint64_t from, uint64_t to)
{
	if (from < fs->lo || to > fs->hi || to < from)
		return true;
	return scan_words(fs->g, fs->mem + (from - fs->lo), (to - from) / 8, NONE32);
}

static bool interrupts(const char *func)
{
	return func &&
	       (!strcmp(func, "runtime.asyncPreempt") || !strcmp(func, "runtime.sigpanic") ||
	        !strcmp(func, "runtime.sigtramp") || !strcmp(func, "runtime.sigreturn"));
}

static void frame_roots(struct gpm_heap_graph *g, struct gpm_process *p, struct gpm_heap *h,
                        const struct gpm_incident *inc, uint64_t *pointers)
{
	const struct gpm_layout *gl = NULL;
	struct gpm_error *err = gpm_goimage_layout(p->img, "runtime.g", &gl);
	gpm_error_destroy(err);
	uint64_t o_hi = gl ? gpm_layout_offset(gl, "stack.hi") : UINT64_MAX;
	struct frame_scan fs = {.g = g, .p = p};
	if (p->img->pclntab) {
		fs.funcdata_offsets = p->img->facts.funcdata_gofunc;
		if (p->img->has_moduledata)
			fs.gofunc = p->img->moduledata.gofunc;
		else if (!gpm_goimage_symbol(p->img, "go:func.*", &fs.gofunc, NULL))
			gpm_goimage_symbol(p->img, "go.func.*", &fs.gofunc, NULL);
	}
	uint8_t *buf = NULL;
	size_t buf_cap = 0;
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		const struct gpm_goroutine *gr = &inc->goroutines.v[i];
		const struct gpm_goroutine_extra *gx = gpm_goroutine_extra(inc, gr);
		uint64_t hi;
		if (!gpm_goroutine_has_regs(inc, gr) || gr->stack == UINT32_MAX || !gx->gaddr ||
		    o_hi == UINT64_MAX || (err = gpm_memory_word(p->mem, gx->gaddr + o_hi, &hi))) {
			gpm_error_destroy(err);
			err = NULL;
			h->ret.stacks_skipped++;
			continue;
		}
		const struct gpm_stack *st = &inc->stacks.v[gr->stack];
		uint64_t lo = st->nframes ? gpm_goroutine_frame_regs(inc, gr, 0).sp : 0;
		if (!st->nframes || !lo || hi <= lo || hi - lo > MAX_STACK || lo % 8) {
			h->ret.stacks_skipped++;
			continue;
		}
		size_t n = (size_t)(hi - lo);
		const uint8_t *mem = NULL;
		if ((err = gpm_memory_ptr(p->mem, lo, n, &mem))) {
			gpm_error_destroy(err);
			if (n > buf_cap) {
				uint8_t *nb = realloc(buf, n);
				if (!nb) {
					h->ret.stacks_skipped++;
					continue;
				}
				buf = nb;
				buf_cap = n;
			}
			if ((err = gpm_memory_read(p->mem, lo, buf, n))) {
				gpm_error_destroy(err);
				h->ret.stacks_skipped++;
				continue;
			}
			mem = buf;
		}
		fs.mem = mem;
		fs.lo = lo;
		fs.hi = hi;
		h->ret.stacks_scanned++;
		const struct gpm_frame *frames = &inc->frames.v[st->first];
		bool first_physical = true;
		for (uint32_t f = 0; f < st->nframes; f++) {
			struct gpm_frame_regs r = gpm_goroutine_frame_regs(inc, gr, f);
			uint64_t sp = r.sp, fp = r.fp, next = hi;
			// Inlined frames share their caller's sp: the words belong to the last
			// frame of the group, the function that owns the physical frame.
			if (f + 1 < st->nframes) {
				next = gpm_goroutine_frame_regs(inc, gr, f + 1).sp;
				if (next == sp)
					continue;
			}
			size_t row_start = g->succ.len;
			root_row(g);
			bool ok;
			bool precise = !first_physical &&
			               !(f > 0 && interrupts(frames[f - 1].func)) && fp > sp &&
			               fp <= next && frames[f].pc;
			first_physical = false;
			bool precise_ok = precise && frame_precise(&fs, frames[f].pc, sp, fp);
			if (precise_ok) {
				h->ret.frames_precise++;
				// Frames the traceback elided leave a gap up to the next frame.
				ok = next <= fp || frame_conservative(&fs, fp, next);
			} else {
				h->ret.frames_conservative++;
				ok = frame_conservative(&fs, sp, next);
			}
			if (!ok)
				break;
			if (g->succ.len == row_start)
				continue;
			char name[512];
			snprintf(name, sizeof(name), "goroutine %" PRIu64 ": %s", gr->id,
			         frames[f].func ? frames[f].func : "?");
			struct root *rt =
			    root_add(g, GPM_HEAP_ROOT_FRAME, name, sp, next - sp, gr->id);
			if (!rt) {
				g->succ.len = row_start;
				continue;
			}
			rt->word_by_word = !precise_ok;
			h->ret.frame_roots++;
			*pointers += g->succ.len - row_start;
		}
	}
	free(buf);
}

/* ---- reachability and paths ---- */

static uint64_t node_size(const struct gpm_heap_graph *g, uint32_t v)
{
	uint64_t size = 0;
	if (v < g->nslots)
		slot_addr(g, v, &size);
	return size;
}

static uint64_t node_addr(const struct gpm_heap_graph *g, uint32_t v)
{
	uint64_t size;
	return slot_addr(g, v, &size);
}

/* Where in the memory [addr, addr+size) a word points into object `to`. */
static uint64_t pointer_offset(struct gpm_heap_graph *g, struct gpm_process *p, uint64_t addr,
                               uint64_t size, uint32_t to)
{
	for (uint64_t o = 0; o + 8 <= size && o < MAX_STACK; o += 8) {
		uint64_t v;
		struct gpm_error *err = gpm_memory_word(p->mem, addr + o, &v);
		if (err) {
			gpm_error_destroy(err);
			return UINT64_MAX;
		}
		if (object_at(g, v) == to)
			return o;
	}
	return UINT64_MAX;
}

static char *hop_name(const struct gpm_heap_graph *g, const struct gpm_heap *h, uint32_t v)
{
	if (v >= g->nslots)
		return strdup(g->roots.v[v - g->nslots].name);
	uint64_t size;
	slot_addr(g, v, &size);
	char buf[512];
	if (g->type[v] != NONE32)
		snprintf(buf, sizeof(buf), "%s", h->types[g->type[v]].name);
	else
		snprintf(buf, sizeof(buf), "object (%" PRIu64 " B, untyped)", size);
	return strdup(buf);
}

static void path_to(struct gpm_heap_graph *g, struct gpm_process *p, struct gpm_heap *h,
                    const uint32_t *parent, uint32_t target, const char *why)
{
	uint32_t chain[MAX_PATH];
	size_t n = 0;
	uint64_t len = 0;
	// Walk up to the root; keep the last MAX_PATH/2 hops and the first MAX_PATH/2.
	uint32_t tail[MAX_PATH / 2];
	size_t ntail = 0;
	for (uint32_t v = target; v != NONE32 && v < g->nslots + g->roots.len; v = parent[v]) {
		if (len < MAX_PATH / 2)
			tail[ntail++] = v;
		else
			chain[n++ % (MAX_PATH / 2)] = v;
		len++;
		if (len > g->nnodes)
			break;
	}
	struct gpm_heap_path *path, *np = realloc(h->ret.paths, (h->ret.npaths + 1) * sizeof(*np));
	if (!np)
		return;
	h->ret.paths = np;
	path = &np[h->ret.npaths];
	memset(path, 0, sizeof(*path));
	size_t head = n < MAX_PATH / 2 ? n : MAX_PATH / 2;
	path->elided = len > MAX_PATH ? len - MAX_PATH : 0;
	path->hops = calloc(head + ntail, sizeof(*path->hops));
	path->why = strdup(why);
	if (!path->hops || !path->why) {
		free(path->hops);
		free(path->why);
		return;
	}
	h->ret.npaths++;
	// Order root first: the head ring holds the hops nearest the root (the last ones
	// walked), the tail the hops nearest the target.
	uint32_t order[MAX_PATH];
	size_t k = 0;
	for (size_t i = 0; i < head; i++)
		order[k++] = chain[(n - 1 - i) % (MAX_PATH / 2)];
	for (size_t i = ntail; i-- > 0;)
		order[k++] = tail[i];
	for (size_t i = 0; i < k; i++) {
		uint32_t v = order[i];
		struct gpm_heap_hop *hop = &path->hops[path->nhops++];
		hop->root = v >= g->nslots;
		hop->what = hop_name(g, h, v);
		if (hop->root) {
			hop->addr = g->roots.v[v - g->nslots].addr;
			hop->size = g->roots.v[v - g->nslots].size;
		} else {
			hop->addr = slot_addr(g, v, &hop->size);
		}
		hop->offset = UINT64_MAX;
		bool adjacent = i + 1 < k && !(path->elided && i + 1 == head);
		if (adjacent)
			hop->offset = pointer_offset(g, p, hop->addr, hop->size, order[i + 1]);
	}
}

static bool internal_type(const char *name)
{
	if (name[0] == '[' && name[1] == ']')
		name += 2;
	while (*name == '*')
		name++;
	return !strncmp(name, "runtime.", 8) || !strncmp(name, "internal/", 9);
}

static int u64_desc(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? 1 : x > y ? -1 : 0;
}

/* Breadth-first from every root: reachability, per-type counts, and paths. */
static struct gpm_error *reach(struct gpm_heap_graph *g, struct gpm_process *p, struct gpm_heap *h,
                               size_t want_paths)
{
	uint32_t nreal = g->nslots + (uint32_t)g->roots.len;
	uint32_t *parent = malloc((size_t)nreal * sizeof(*parent));
	uint32_t *queue = malloc((size_t)nreal * sizeof(*queue));
	if (!parent || !queue) {
		free(parent);
		free(queue);
		return &gpm_error_nomem;
	}
	for (uint32_t v = 0; v < nreal; v++)
		parent[v] = NONE32;
	// Roots scanned exactly first, then the frames scanned word by word: a path is the
	// shortest from a root the collector itself would use, when there is one.
	size_t qh = 0, qt = 0;
	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t r = g->nslots; r < nreal; r++)
			if (g->roots.v[r - g->nslots].word_by_word == (pass == 1))
				queue[qt++] = r;
		while (qh < qt) {
			uint32_t v = queue[qh++];
			for (uint32_t e = g->off[v]; e < g->off[v + 1]; e++) {
				uint32_t t = g->succ.v[e];
				if (t < g->nslots && parent[t] == NONE32) {
					parent[t] = v;
					queue[qt++] = t;
				}
			}
		}
	}
	// Counts (the queue holds the roots too).
	for (size_t i = 0; i < qt; i++) {
		uint32_t v = queue[i];
		if (v >= g->nslots)
			continue;
		uint64_t size = node_size(g, v);
		h->ret.reachable_objects++;
		h->ret.reachable_bytes += size;
		if (g->type[v] != NONE32)
			h->types[g->type[v]].reachable++;
	}
	for (uint32_t v = 0; v < g->nslots; v++) {
		if (allocated(g, v) && parent[v] == NONE32) {
			h->ret.unreachable_objects++;
			h->ret.unreachable_bytes += node_size(g, v);
		}
	}
	// Paths: the first instance reached (fewest pointers from a root) of each of the
	// types with the most bytes, then the largest reachable object.
	size_t ntop = h->ntypes < want_paths ? h->ntypes : want_paths;
	uint64_t *keys = calloc(h->ntypes ? h->ntypes : 1, sizeof(*keys));
	if (keys) {
		// bytes in the high bits, index in the low 20 (types are capped at 2^20).
		for (size_t t = 0; t < h->ntypes; t++)
			keys[t] = (h->types[t].bytes << 20) | t;
		qsort(keys, h->ntypes, sizeof(*keys), u64_desc);
		for (size_t k = 0, shown = 0; k < h->ntypes && shown < ntop; k++) {
			uint32_t t = (uint32_t)(keys[k] & ((1u << 20) - 1));
			// The runtime's own structures (its Ps, Ms, timers) explain nothing about
			// the program's memory.
			if (internal_type(h->types[t].name))
				continue;
			shown++;
			for (size_t i = 0; i < qt; i++) {
				if (queue[i] >= g->nslots || g->type[queue[i]] != t)
					continue;
				char why[600];
				snprintf(why, sizeof(why), "%s", h->types[t].name);
				path_to(g, p, h, parent, queue[i], why);
				break;
			}
		}
		free(keys);
	}
	uint32_t big = NONE32;
	uint64_t big_size = 0;
	for (size_t i = 0; i < qt; i++) {
		if (queue[i] >= g->nslots)
			continue;
		uint64_t size = node_size(g, queue[i]);
		if (size > big_size) {
			big_size = size;
			big = queue[i];
		}
	}
	// The objects several roots share that retain most (not the runtime's own Ms and
	// Ps, nor what keeps less than 1% of the heap).
	for (size_t j = 0; j < g->nshared; j++) {
		uint32_t v = g->shared[j];
		uint64_t kept = 0;
		for (size_t i = 0; i < h->ret.nroots; i++)
			if (h->ret.roots[i].kind == GPM_HEAP_ROOT_OBJECT &&
			    h->ret.roots[i].addr == node_addr(g, v))
				kept = h->ret.roots[i].retained_bytes;
		char *name = parent[v] == NONE32 ? NULL : hop_name(g, h, v);
		if (name && !internal_type(name) && kept * 100 >= h->bytes) {
			size_t before = h->ret.npaths;
			path_to(g, p, h, parent, v, name);
			if (h->ret.npaths > before)
				h->ret.paths[before].retained = kept;
		}
		free(name);
	}
	// The largest object, unless a path above already explains its type.
	bool explained = false;
	for (size_t i = 0; big != NONE32 && g->type[big] != NONE32 && i < h->ret.npaths; i++)
		explained |= !strcmp(h->ret.paths[i].why, h->types[g->type[big]].name);
	if (big != NONE32 && !explained)
		path_to(g, p, h, parent, big, "the largest object");
	free(parent);
	free(queue);
	return NULL;
}

/* ---- dominators ---- */

/*
 * Immediate dominators of the nodes reachable from the super-root s. Returns, in
 * preorder numbering (1 = s), idom[] and the preorder -> node map vertex[]; n = count.
 */
static struct gpm_error *dominators(struct gpm_heap_graph *g, uint32_t s, uint32_t **idom_out,
                                    uint32_t **vertex_out, uint32_t *n_out)
{
	uint32_t nn = g->nnodes;
	struct gpm_error *err = &gpm_error_nomem;
	uint32_t *dfn = calloc(nn, sizeof(*dfn));
	uint32_t *vertex = malloc(((size_t)nn + 1) * sizeof(*vertex));
	uint32_t *parent = malloc(((size_t)nn + 1) * sizeof(*parent));
	uint32_t *stack = malloc(((size_t)nn + 1) * 2 * sizeof(*stack));
	uint32_t *poff = NULL, *pred = NULL, *semi = NULL, *label = NULL, *anc = NULL;
	if (!dfn || !vertex || !parent || !stack)
		goto out;
	// Depth-first preorder (iterative: stack of (node, next edge)).
	uint32_t n = 0, sp = 0;
	dfn[s] = ++n;
	vertex[n] = s;
	parent[n] = 0;
	stack[0] = s;
	stack[1] = g->off[s];
	sp = 1;
	while (sp) {
		uint32_t v = stack[2 * (sp - 1)], *e = &stack[2 * (sp - 1) + 1];
		if (*e >= g->off[v + 1]) {
			sp--;
			continue;
		}
		uint32_t t = g->succ.v[(*e)++];
		if (dfn[t])
			continue;
		dfn[t] = ++n;
		vertex[n] = t;
		parent[n] = dfn[v];
		stack[2 * sp] = t;
		stack[2 * sp + 1] = g->off[t];
		sp++;
	}
	// Predecessors of the reachable nodes, in preorder numbers.
	poff = calloc((size_t)n + 2, sizeof(*poff));
	if (!poff)
		goto out;
	uint64_t m = 0;
	for (uint32_t i = 1; i <= n; i++) {
		uint32_t v = vertex[i];
		for (uint32_t e = g->off[v]; e < g->off[v + 1]; e++)
			poff[dfn[g->succ.v[e]] + 1]++, m++;
	}
	for (uint32_t i = 1; i <= n + 1; i++)
		poff[i] += poff[i - 1];
	pred = malloc((m ? m : 1) * sizeof(*pred));
	if (!pred)
		goto out;
	for (uint32_t i = 1; i <= n; i++) {
		uint32_t v = vertex[i];
		for (uint32_t e = g->off[v]; e < g->off[v + 1]; e++)
			pred[poff[dfn[g->succ.v[e]]]++] = i;
	}
	for (uint32_t i = n + 1; i > 0; i--)
		poff[i] = poff[i - 1];
	poff[0] = 0;
	free(dfn);
	dfn = NULL;
	semi = malloc(((size_t)n + 1) * sizeof(*semi));
	label = malloc(((size_t)n + 1) * sizeof(*label));
	anc = calloc((size_t)n + 1, sizeof(*anc));
	if (!semi || !label || !anc)
		goto out;
	for (uint32_t i = 0; i <= n; i++)
		semi[i] = label[i] = i;
	for (uint32_t w = n; w >= 2; w--) {
		for (uint32_t e = poff[w]; e < poff[w + 1]; e++) {
			uint32_t v = pred[e], u = v;
			if (anc[v]) {
				// eval(v) with path compression, iteratively.
				uint32_t top = 0, x = v;
				while (anc[anc[x]]) {
					stack[top++] = x;
					x = anc[x];
				}
				while (top) {
					x = stack[--top];
					uint32_t a = anc[x];
					if (semi[label[a]] < semi[label[x]])
						label[x] = label[a];
					anc[x] = anc[a];
				}
				u = label[v];
			}
			if (semi[u] < semi[w])
				semi[w] = semi[u];
		}
		anc[w] = parent[w];
	}
	// Semi-NCA: the immediate dominator is the nearest common ancestor of the parent
	// and the semidominator in the tree being built.
	uint32_t *idom = anc;
	idom[1] = 0;
	for (uint32_t w = 2; w <= n; w++) {
		uint32_t d = parent[w];
		while (d > semi[w])
			d = idom[d];
		idom[w] = d;
	}
	anc = NULL;
	*idom_out = idom;
	*vertex_out = vertex;
	vertex = NULL;
	*n_out = n;
	err = NULL;
out:
	free(dfn);
	free(vertex);
	free(parent);
	free(stack);
	free(poff);
	free(pred);
	free(semi);
	free(label);
	free(anc);
	return err;
}

/* An entry at the top of the dominator tree: its node and preorder number. */
struct top {
	uint32_t node, i;
};

/*
 * What each top entry mostly holds: the child in the dominator tree that retains most,
 * followed down while it is untyped and keeps at least 90% (a map's header to its
 * buckets, a struct to its slice's array), so that "object (32 B, untyped)" can say it
 * holds "[]main.Entry". One pass over the tree per level.
 */
static void holdings(struct gpm_heap_graph *g, struct gpm_heap *h, const uint32_t *idom,
                     const uint32_t *vertex, const uint64_t *bytes, uint32_t n,
                     const struct top *best, size_t keep)
{
	uint32_t cur[TOP_ROOTS], pick[TOP_ROOTS];
	for (size_t j = 0; j < keep; j++)
		cur[j] = best[j].i;
	for (int level = 0; level < 4; level++) {
		bool any = false;
		for (size_t j = 0; j < keep; j++)
			pick[j] = 0;
		for (uint32_t i = 2; i <= n; i++)
			for (size_t j = 0; j < keep; j++)
				if (idom[i] == cur[j] && cur[j] &&
				    (!pick[j] || bytes[i] > bytes[pick[j]]))
					pick[j] = i;
		for (size_t j = 0; j < keep && j < h->ret.nroots; j++) {
			struct gpm_heap_root *x = &h->ret.roots[j];
			uint32_t c = pick[j], v = c ? vertex[c] : NONE32;
			if (!c || v >= g->nslots || bytes[c] * 10 < bytes[cur[j]] * 9) {
				cur[j] = 0;
				continue;
			}
			// An untyped object says little: look one level further down for a
			// typed one.
			if (g->type[v] == NONE32) {
				cur[j] = c;
				any = true;
				continue;
			}
			x->holds = hop_name(g, h, v);
			x->holds_bytes = bytes[c];
			cur[j] = 0;
		}
		if (!any)
			break;
	}
}

/*
 * The dominator tree folded into chains (gpm_heap_retention.chains): each object in
 * preorder (its dominator comes before it) goes to the trie node of its dominator's chain
 * extended by its own label - a root, a type, or untyped - found in a map keyed by (parent,
 * label). A run of one label stays one node, so a linked list is one frame, not a chain per
 * element; chains deeper than GPM_HEAP_CHAIN_DEPTH, and nodes over GPM_HEAP_CHAIN_NODES,
 * count at their parent.
 */
#define CHAIN_UNTYPED (NONE32 - 1)
#define CHAIN_SHARED  (NONE32 - 2)

static uint32_t chain_label(const struct gpm_heap_graph *g, uint32_t v)
{
	if (v >= g->nslots)
		return CHAIN_SHARED - 1 - (v - g->nslots); // roots count down from below
	return g->type[v] != NONE32 ? g->type[v] : CHAIN_UNTYPED;
}

static char *chain_name(const struct gpm_heap_graph *g, const struct gpm_heap *h, uint32_t v,
                        uint32_t label)
{
	if (label == CHAIN_SHARED)
		return strdup("(several roots)");
	if (label == CHAIN_UNTYPED)
		return strdup("(untyped)");
	if (v >= g->nslots)
		return strdup(g->roots.v[v - g->nslots].name);
	return strdup(h->types[label].name);
}

struct chainer {
	const struct gpm_heap_graph *g;
	struct gpm_heap *h;
	struct gpm_u64map kids; /* (parent + 1) << 32 | label -> node */
	uint32_t *labels;       /* per node */
	uint8_t *depths;        /* per node */
	size_t cap, lcap, dcap;
};

static bool chain_node(struct chainer *c, uint32_t parent, uint32_t v, uint32_t label,
                       uint32_t *out)
{
	struct gpm_heap_retention *r = &c->h->ret;
	uint64_t key = ((uint64_t)(parent + 1) << 32) | label;
	if (gpm_u64map_get(&c->kids, key, out))
		return true;
	if (r->nchains >= GPM_HEAP_CHAIN_NODES || c->depths[parent] >= GPM_HEAP_CHAIN_DEPTH) {
		r->chains_capped = r->chains_capped || r->nchains >= GPM_HEAP_CHAIN_NODES;
		*out = parent;
		return true;
	}
	size_t need = r->nchains + 1;
	if (!gpm_array_reserve((void **)&r->chains, &c->cap, need, sizeof(*r->chains)) ||
	    !gpm_array_reserve((void **)&c->labels, &c->lcap, need, sizeof(*c->labels)) ||
	    !gpm_array_reserve((void **)&c->depths, &c->dcap, need, sizeof(*c->depths)))
		return false;
	uint32_t id = (uint32_t)r->nchains;
	char *name = chain_name(c->g, c->h, v, label);
	if (!name || !gpm_u64map_put(&c->kids, key, id)) {
		free(name);
		return false;
	}
	r->chains[id] = (struct gpm_heap_chain){parent, name, 0, 0};
	c->labels[id] = label;
	c->depths[id] = (uint8_t)(c->depths[parent] + 1);
	r->nchains++;
	*out = id;
	return true;
}

static struct gpm_error *chains(const struct gpm_heap_graph *g, struct gpm_heap *h,
                                const uint32_t *idom, const uint32_t *vertex, uint32_t n)
{
	struct gpm_heap_retention *r = &h->ret;
	struct chainer c = {.g = g, .h = h};
	uint32_t *at = calloc((size_t)n + 1, sizeof(*at));
	char *all = strdup("(roots)");
	bool ok = at && all &&
	          gpm_array_reserve((void **)&r->chains, &c.cap, 1, sizeof(*r->chains)) &&
	          gpm_array_reserve((void **)&c.labels, &c.lcap, 1, sizeof(*c.labels)) &&
	          gpm_array_reserve((void **)&c.depths, &c.dcap, 1, sizeof(*c.depths));
	if (ok) {
		r->chains[0] = (struct gpm_heap_chain){0, all, 0, 0};
		r->nchains = 1;
		c.labels[0] = NONE32;
		c.depths[0] = 0;
	} else {
		free(all);
	}
	// Node 1 of the preorder is the super-root: node 0 of the trie.
	for (uint32_t i = 2; ok && i <= n; i++) {
		uint32_t v = vertex[i], p = at[idom[i]], label = chain_label(g, v), node;
		// An object no single root keeps: under "(several roots)".
		if (p == 0 && v < g->nslots && !(ok = chain_node(&c, 0, v, CHAIN_SHARED, &p)))
			break;
		if (p && c.labels[p] == label)
			node = p;
		else if (!(ok = chain_node(&c, p, v, label, &node)))
			break;
		at[i] = node;
		if (v < g->nslots) {
			r->chains[node].objects++;
			r->chains[node].bytes += node_size(g, v);
		}
	}
	free(at);
	free(c.labels);
	free(c.depths);
	gpm_u64map_free(&c.kids);
	return ok ? NULL : &gpm_error_nomem;
}

static struct gpm_error *retained(struct gpm_heap_graph *g, struct gpm_heap *h)
{
	uint32_t s = g->nnodes - 1, *idom = NULL, *vertex = NULL, n = 0;
	struct gpm_error *err = dominators(g, s, &idom, &vertex, &n);
	if (err)
		return err;
	uint64_t *bytes = calloc((size_t)n + 1, sizeof(*bytes));
	uint32_t *objs = calloc((size_t)n + 1, sizeof(*objs));
	uint8_t *mark = calloc((size_t)n / 8 + 1, 1);
	if (!bytes || !objs || !mark) {
		err = &gpm_error_nomem;
		goto out;
	}
	for (uint32_t i = 1; i <= n; i++) {
		uint32_t v = vertex[i];
		if (v < g->nslots) {
			bytes[i] = node_size(g, v);
			objs[i] = 1;
		}
	}
	for (uint32_t i = n; i >= 2; i--) {
		bytes[idom[i]] += bytes[i];
		objs[idom[i]] += objs[i];
	}
	// The top of the dominator tree: the roots by what they alone keep alive, and the
	// objects several roots share (their immediate dominator is the super-root), by what
	// they keep alive once they are reached.
	size_t nr = 0;
	for (uint32_t i = 2; i <= n; i++)
		nr += idom[i] == 1;
	struct top *all = calloc(nr ? nr : 1, sizeof(*all));
	if (!all) {
		err = &gpm_error_nomem;
		goto out;
	}
	size_t k = 0;
	for (uint32_t i = 2; i <= n; i++)
		if (idom[i] == 1)
			all[k++] = (struct top){vertex[i], i};
	// Partial selection of the TOP_ROOTS largest (k can be millions).
	size_t keep = 0;
	struct top best[TOP_ROOTS];
	for (size_t j = 0; j < k; j++) {
		size_t at = keep;
		while (at > 0 && bytes[best[at - 1].i] < bytes[all[j].i])
			at--;
		if (at >= TOP_ROOTS)
			continue;
		size_t last = keep < TOP_ROOTS ? keep : TOP_ROOTS - 1;
		memmove(&best[at + 1], &best[at], (last - at) * sizeof(best[0]));
		best[at] = all[j];
		if (keep < TOP_ROOTS)
			keep++;
	}
	free(all);
	h->ret.roots = calloc(keep ? keep : 1, sizeof(*h->ret.roots));
	for (size_t j = 0; h->ret.roots && j < keep; j++) {
		uint32_t v = best[j].node;
		struct gpm_heap_root *x = &h->ret.roots[h->ret.nroots];
		x->retained_objects = objs[best[j].i];
		x->retained_bytes = bytes[best[j].i];
		if (v >= g->nslots) {
			const struct root *r = &g->roots.v[v - g->nslots];
			x->name = strdup(r->name);
			x->kind = r->kind;
			x->addr = r->addr;
			x->size = r->size;
			x->goid = r->goid;
		} else {
			x->name = hop_name(g, h, v);
			x->kind = GPM_HEAP_ROOT_OBJECT;
			x->addr = slot_addr(g, v, &x->size);
			if (g->nshared < TOP_ROOTS)
				g->shared[g->nshared++] = v;
		}
		if (!x->name)
			break;
		h->ret.nroots++;
	}
	holdings(g, h, idom, vertex, bytes, n, best, keep);
	// Per type: the bytes dominated by instances that no other instance dominates. One
	// pass per type over the preorder (a node's dominator comes before it).
	uint64_t *keys = calloc(h->ntypes ? h->ntypes : 1, sizeof(*keys));
	if (!keys) {
		err = &gpm_error_nomem;
		goto out;
	}
	for (size_t t = 0; t < h->ntypes; t++)
		keys[t] = (h->types[t].bytes << 20) | t;
	qsort(keys, h->ntypes, sizeof(*keys), u64_desc);
	size_t passes = h->ntypes < TYPED_PASSES ? h->ntypes : TYPED_PASSES;
	for (size_t k2 = 0; k2 < passes; k2++) {
		uint32_t t = (uint32_t)(keys[k2] & ((1u << 20) - 1));
		uint64_t sum = 0;
		memset(mark, 0, (size_t)n / 8 + 1);
		for (uint32_t i = 2; i <= n; i++) {
			uint32_t d = idom[i], dv = vertex[d];
			bool under =
			    ((mark[d >> 3] >> (d & 7)) & 1) || (dv < g->nslots && g->type[dv] == t);
			if (under)
				mark[i >> 3] |= (uint8_t)(1u << (i & 7));
			uint32_t v = vertex[i];
			if (v < g->nslots && g->type[v] == t && !under)
				sum += bytes[i];
		}
		h->types[t].retained_bytes = sum;
	}
	free(keys);
	if ((err = chains(g, h, idom, vertex, n)))
		goto out;
	h->ret.dominators = true;
out:
	free(bytes);
	free(objs);
	free(mark);
	free(idom);
	free(vertex);
	return err;
}

/* ---- types along pointers ---- */

/*
 * Go 1.22+ heaps record the type of objects over 512 bytes only. The rest is typed by
 * following pointers out of typed objects with the static types of their fields, as read
 * from the type descriptors (internal/abi/type.go, Go 1.22-1.27): a *U field types its
 * target U, a []U field its backing array, an interface its data by the dynamic type
 * (the itab's type at +8 for non-empty interfaces), a map its buckets (hmap.buckets at
 * +16, maptype.Bucket at +64, Go 1.22-1.23) or groups (maps.Map.dirPtr at +16, dirLen at
 * +24, table.groups.data at +16, MapType.Group at +64, Go 1.24+). A target is typed only
 * when the pointer is to its start and the type fits its slot; newly typed objects are
 * followed in turn.
 */
#define MAX_PROP_DEPTH 16
#define MAX_PROP_ELEMS ((uint64_t)1 << 16)

struct tdesc {
	uint8_t kind;
	bool direct; /* stored directly in an interface word */
	bool ok;
	uint64_t size, ptrdata, elem, len, bucket;
	uint32_t nfields, nmethods;
	struct tfield {
		uint64_t off, type;
	} * fields;
};

struct prop {
	struct gpm_heap_graph *g;
	struct gpm_process *p;
	struct gpm_heap *h;
	gpm_heap_type_intern_fn *intern;
	void *ctx;
	GPM_VEC(struct tdesc) descs; /* decoded once each (ok false: unusable) */
	struct gpm_u64map desc_ids;  /* descriptor address -> index in descs */
	GPM_VEC(uint32_t) work;
	bool swiss;
	const uint8_t *obj; /* the object being walked */
	uint64_t obj_size;
	bool strict; /* shape_target: an untyped *T target must be of T's size class */
	/* The closure structs of the binary (prop_closure), looked up once. */
	uint64_t *closures;
	size_t nclosures;
	bool closures_read;
	/* Closure functions already looked up (entry -> index in closure_of + 1). */
	struct gpm_u64map closure_fns;
	GPM_VEC(uint64_t) closure_of; /* the struct found for each, 0 none */
};

static bool img_word(struct prop *pr, uint64_t addr, uint64_t *v)
{
	struct gpm_error *err = gpm_memory_word(pr->p->mem, addr, v);
	gpm_error_destroy(err);
	return !err;
}

/* Decodes the descriptor at addr into *d (fields: NULL unless a struct); false when it is
 * not usable. */
static bool desc_decode(struct prop *pr, uint64_t addr, struct tdesc *d)
{
	struct gpm_gotype t;
	struct gpm_error *err = gpm_gotype_decode(pr->p->img, addr, GPM_GOTYPE_SHAPE, &t);
	if (err) {
		gpm_error_destroy(err);
		return false;
	}
	bool ok = t.ptrdata <= t.size && t.size <= ((uint64_t)1 << 40);
	d->size = t.size;
	d->ptrdata = t.ptrdata;
	d->kind = t.kind;
	d->direct = t.direct_iface;
	d->elem = t.elem;
	d->len = t.len;
	d->bucket = t.bucket;
	d->nmethods = t.nmethods > 0xffff ? 0xffff : (uint32_t)t.nmethods;
	if (ok && t.kind == GPM_KIND_STRUCT) {
		d->fields = calloc(t.nfields ? t.nfields : 1, sizeof(*d->fields));
		ok = d->fields != NULL;
		for (size_t i = 0; ok && i < t.nfields; i++)
			d->fields[i] = (struct tfield){t.fields[i].offset, t.fields[i].type};
		d->nfields = (uint32_t)t.nfields;
	}
	gpm_gotype_deinit(&t);
	return ok;
}

/* The descriptor at addr, decoded on first use, copied into *out (its fields stay owned
 * by the cache); false when it is not usable. */
static bool desc_of(struct prop *pr, uint64_t addr, struct tdesc *out)
{
	uint32_t i;
	if (!addr || addr % 8)
		return false;
	if (!gpm_u64map_get(&pr->desc_ids, addr, &i)) {
		if (pr->descs.len >= (1u << 20))
			return false;
		struct tdesc *d = gpm_vec_push(&pr->descs);
		if (!d)
			return false;
		i = (uint32_t)(pr->descs.len - 1);
		d->ok = desc_decode(pr, addr, d);
		if (!gpm_u64map_put(&pr->desc_ids, addr, i))
			return false;
	}
	*out = pr->descs.v[i];
	return out->ok;
}

static void prop_target(struct prop *pr, uint64_t v, uint64_t type)
{
	struct gpm_heap_graph *g = pr->g;
	// The object must start at v (object_at, with the span kept).
	const struct gspan *sp = span_of(g, v);
	if (!sp || v < sp->base || (v - sp->base) % sp->es)
		return;
	uint64_t k = (v - sp->base) / sp->es, size = sp->es;
	uint32_t t = sp->first + (uint32_t)k;
	if (k >= sp->nelems || !allocated(g, t) || g->type[t] != NONE32)
		return;
	struct tdesc d;
	if (!desc_of(pr, type, &d) || !d.size || d.size > size)
		return;
	// A pointer-free type in a pointer-bearing span (or the reverse) is not it.
	if (((sp->flags & GPM_HEAP_SPAN_NOSCAN) != 0) != (d.ptrdata == 0))
		return;
	uint32_t i = pr->intern(pr->ctx, type, size, NULL);
	if (i == NONE32)
		return;
	g->type[t] = i;
	pr->h->types[i].count++;
	pr->h->types[i].bytes += size;
	pr->h->inferred_objects++;
	pr->h->inferred_bytes += size;
	uint32_t *w = d.ptrdata ? gpm_vec_push(&pr->work) : NULL;
	if (w)
		*w = t;
}

static bool obj_word_at(struct prop *pr, uint64_t off, uint64_t *v)
{
	if (off + 8 > pr->obj_size)
		return false;
	memcpy(v, pr->obj + off, 8);
	return true;
}

static void prop_map(struct prop *pr, uint64_t m, uint64_t bucket)
{
	uint64_t a, n;
	if (!m || !bucket)
		return;
	if (!pr->swiss) {
		if (img_word(pr, m + 16, &a))
			prop_target(pr, a, bucket);
		if (img_word(pr, m + 24, &a))
			prop_target(pr, a, bucket);
		return;
	}
	if (!img_word(pr, m + 16, &a) || !img_word(pr, m + 24, &n))
		return;
	if (n == 0) {
		prop_target(pr, a, bucket);
		return;
	}
	for (uint64_t i = 0; i < n && i < MAX_PROP_ELEMS; i++) {
		uint64_t tab, groups;
		if (img_word(pr, a + i * 8, &tab) && img_word(pr, tab + 16, &groups))
			prop_target(pr, groups, bucket);
	}
}

static void prop_value(struct prop *pr, uint64_t type, uint64_t off, unsigned depth)
{
	struct tdesc d, dd, e;
	uint64_t v, tw, dyn;
	if (!desc_of(pr, type, &d) || !d.ptrdata || depth > MAX_PROP_DEPTH || off >= pr->obj_size)
		return;
	switch (d.kind) {
	case GPM_KIND_POINTER:
	case GPM_KIND_SLICE:
		if (obj_word_at(pr, off, &v))
			prop_target(pr, v, d.elem);
		break;
	case GPM_KIND_MAP:
		if (obj_word_at(pr, off, &v))
			prop_map(pr, v, d.bucket);
		break;
	case GPM_KIND_INTERFACE:
		if (!obj_word_at(pr, off, &tw) || !tw || !obj_word_at(pr, off + 8, &v))
			break;
		if (d.nmethods ? !img_word(pr, tw + 8, &dyn) : !(dyn = tw, 1))
			break;
		if (!desc_of(pr, dyn, &dd))
			break;
		if (!dd.direct)
			prop_target(pr, v, dyn);
		else if (dd.kind == GPM_KIND_POINTER)
			prop_target(pr, v, dd.elem);
		break;
	case GPM_KIND_ARRAY:
		if (!desc_of(pr, d.elem, &e) || !e.size || !e.ptrdata)
			break;
		// The descriptor's length is bounded by the object read, not trusted alone.
		for (uint64_t k = 0; k < d.len && off + k * e.size < pr->obj_size; k++)
			prop_value(pr, d.elem, off + k * e.size, depth + 1);
		break;
	case GPM_KIND_STRUCT:
		for (uint32_t i = 0; i < d.nfields; i++)
			prop_value(pr, d.fields[i].type, off + d.fields[i].off, depth + 1);
		break;
	default:
		break;
	}
}

/* A global variable typed by DWARF: what it points to is typed from its type. */
static void prop_global(void *ctx, const struct gpm_goimage_global *gv)
{
	struct prop *pr = ctx;
	if (gv->size > ((uint64_t)64 << 20) || gv->size < 8)
		return;
	uint8_t *buf = malloc((size_t)gv->size);
	if (!buf)
		return;
	struct gpm_error *err = gpm_memory_read(pr->p->mem, gv->addr, buf, (size_t)gv->size);
	if (err) {
		gpm_error_destroy(err);
		free(buf);
		return;
	}
	pr->obj = buf;
	pr->obj_size = gv->size;
	if (gv->type) {
		prop_value(pr, gv->type, 0, 0);
	} else {
		uint64_t v;
		if (obj_word_at(pr, 0, &v))
			prop_target(pr, v, gv->slice_elem_type);
	}
	pr->obj = NULL;
	pr->obj_size = 0;
	free(buf);
	pr->h->dwarf_globals++;
}

/* Walks one typed value held outside the heap (a global, a frame's variable). */
static void prop_outside(struct prop *pr, uint64_t type, const uint8_t *buf, uint64_t size)
{
	pr->obj = buf;
	pr->obj_size = size;
	prop_value(pr, type, 0, 0);
	pr->obj = NULL;
	pr->obj_size = 0;
}

/* The goroutines' arguments and locals typed by DWARF (locals.c): what they point to is
 * typed from their types. A program's cache is often a local of main.main, which no global
 * reaches: before Go 1.22 (no allocation headers) nothing else types it. */
static void prop_frames(struct prop *pr, const struct gpm_incident *inc)
{
	struct gpm_goimage *img = pr->p->img;
	uint64_t frames = 0;
	// pcs (and inline depths) whose scope holds no typed variable: goroutines that share
	// a stack look each up once.
	struct gpm_u64map barren = {0};
	if (!inc || !img->has_dwarf)
		return;
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		const struct gpm_goroutine *gr = &inc->goroutines.v[i];
		uint32_t n;
		const struct gpm_frame *fr = gpm_goroutine_frames(inc, gr, &n);
		for (uint32_t k = 0; k < n; k++) {
			struct gpm_locals_frame w;
			struct gpm_locals l;
			uint32_t unused;
			// The runtime's frames hold its own structures, typed from its globals.
			if (!fr[k].func || !strncmp(fr[k].func, "runtime.", 8) ||
			    !gpm_locals_frame_where(inc, gr, k, &w) || !w.cfa)
				continue;
			uint64_t key = w.lookup_pc ^ (uint64_t)w.inline_depth << 56;
			if (gpm_u64map_get(&barren, key, &unused))
				continue;
			if (++frames > GPM_HEAP_MAX_PROP_FRAMES) {
				pr->h->frames_capped = true;
				gpm_u64map_free(&barren);
				return;
			}
			struct gpm_error *err =
			    gpm_locals_read(img, w.lookup_pc, w.inline_depth, w.cfa, &l);
			if (err) {
				gpm_error_destroy(err);
				gpm_u64map_put(&barren, key, 1);
				continue;
			}
			bool typed = false;
			for (size_t v = 0; v < l.len; v++) {
				const struct gpm_local *x = &l.v[v];
				uint8_t buf[512];
				if (!x->type || x->size < 8)
					continue;
				typed = true;
				if (x->why)
					continue;
				if (!x->bytes) {
					if (x->size > sizeof(buf))
						continue; // a large array on the stack: rare
					struct gpm_error *e = gpm_memory_read(pr->p->mem, x->addr,
					                                      buf, (size_t)x->size);
					if (e) {
						gpm_error_destroy(e);
						continue;
					}
				}
				prop_outside(pr, x->type, x->bytes ? x->bytes : buf, x->size);
				pr->h->dwarf_locals++;
			}
			if (!typed)
				gpm_u64map_put(&barren, key, 1);
			gpm_locals_deinit(&l);
		}
	}
	gpm_u64map_free(&barren);
}

/*
 * A deferred call's closure (_defer.fn, a funcval: the closure function's entry, then the
 * captured variables, laid out by cmd/compile's closure struct: typecheck.NewClosureStructIter,
 * Go 1.19-1.27). The compiler allocates a heap closure with runtime.newobject of a struct
 * type "struct { F uintptr; <captures> }" (fields named after the variables up to Go 1.21,
 * X0, X1... from 1.22), so the binary carries that descriptor but nothing that ties it to
 * the function. With DWARF, the closure function's variables include the captured ones
 * (by reference as "&x", with DW_AT_go_closure_offset from Go 1.23): the closure struct is
 * the one of the object's size class whose captured fields all have the type (and, where
 * named, the name) of one of the function's variables, and it is used only when exactly
 * one fits. Otherwise the object is named by its function alone ("closure of main.f.func1"),
 * which types nothing beyond it: a wrong name would be worse than none.
 */
#define MAX_CLOSURE_FIELDS 64

static bool closure_fits(struct prop *pr, uint64_t st, uint64_t es, const struct gpm_locals *l,
                         bool *named)
{
	struct tdesc d;
	char name[256];
	if (!desc_of(pr, st, &d) || d.kind != GPM_KIND_STRUCT || d.nfields < 2 ||
	    d.nfields > MAX_CLOSURE_FIELDS || d.size > es || gpm_heap_shapes_class(d.size) != es ||
	    d.fields[0].off != 0)
		return false;
	// The field names, for the check by name: "struct { F uintptr; p *main.T; ... }".
	bool have_names = gpm_gotype_name(pr->p->img, st, name, sizeof(name), NULL);
	const char *np = have_names ? strstr(name, "F uintptr; ") : NULL;
	if (np)
		np += strlen("F uintptr; ");
	*named = np != NULL;
	for (uint32_t f = 1; f < d.nfields; f++) {
		size_t fl = 0;
		if (np) {
			fl = strcspn(np, " ");
			if (!np[fl])
				np = NULL, *named = false;
		}
		bool typed = false, by_name = false;
		for (size_t v = 0; v < l->len; v++) {
			const struct gpm_local *x = &l->v[v];
			if (x->is_arg || x->type != d.fields[f].type)
				continue;
			typed = true;
			// By value "x", by reference "&x" (the field's name drops the "&").
			const char *vn = x->name[0] == '&' ? x->name + 1 : x->name;
			if (np && strlen(vn) == fl && !strncmp(vn, np, fl))
				by_name = true;
		}
		if (!typed)
			return false;
		if (!by_name)
			*named = false;
		if (np) {
			const char *semi = strchr(np, ';');
			np = semi ? semi + 2 : NULL;
		}
	}
	return true;
}

/* The closure struct of the heap closure of function fn in a slot of es bytes, 0 when not
 * exactly one fits (see above). */
static uint64_t closure_struct(struct prop *pr, const struct gpm_func *fn, uint64_t es)
{
	struct gpm_goimage *img = pr->p->img;
	if (!img->has_dwarf)
		return 0;
	if (!pr->closures_read) {
		pr->closures_read = true;
		struct gpm_error *err = gpm_gotype_find_prefix(img, "*struct { F uintptr; ",
		                                               &pr->closures, &pr->nclosures);
		gpm_error_destroy(err);
	}
	if (!pr->nclosures)
		return 0;
	// Goroutines that run one function share its closures' answer.
	uint32_t known;
	if (gpm_u64map_get(&pr->closure_fns, fn->entry ^ es << 48, &known))
		return known ? pr->closure_of.v[known - 1] : 0;
	uint64_t *slot = pr->closure_fns.len < (1u << 20) ? gpm_vec_push(&pr->closure_of) : NULL;
	if (slot) {
		*slot = 0;
		if (!gpm_u64map_put(&pr->closure_fns, fn->entry ^ es << 48,
		                    (uint32_t)pr->closure_of.len))
			pr->closure_of.len--, slot = NULL;
	}
	struct gpm_locals l;
	struct gpm_error *err = gpm_locals_read(img, fn->entry, 0, 0, &l);
	if (err) {
		gpm_error_destroy(err);
		return 0;
	}
	uint64_t typed = 0, named = 0;
	size_t ntyped = 0, nnamed = 0;
	for (size_t i = 0; i < pr->nclosures; i++) {
		bool by_name;
		if (!closure_fits(pr, pr->closures[i], es, &l, &by_name))
			continue;
		typed = pr->closures[i], ntyped++;
		if (by_name)
			named = pr->closures[i], nnamed++;
	}
	gpm_locals_deinit(&l);
	uint64_t st = nnamed == 1 ? named : ntyped == 1 ? typed : 0;
	if (slot)
		*slot = st;
	return st;
}

static void prop_closure(struct prop *pr, uint64_t fv)
{
	struct gpm_heap_graph *g = pr->g;
	struct gpm_goimage *img = pr->p->img;
	struct gpm_func fn;
	uint64_t pc;
	// A closure that captures nothing is a static funcval: not a heap object.
	const struct gspan *sp = span_of(g, fv);
	if (!sp || fv < sp->base || (fv - sp->base) % sp->es)
		return;
	uint64_t k = (fv - sp->base) / sp->es;
	uint32_t t = sp->first + (uint32_t)k;
	if (k >= sp->nelems || !allocated(g, t) || g->type[t] != NONE32 || !img_word(pr, fv, &pc) ||
	    !img->pclntab || !gpm_pclntab_func_for_pc(img->pclntab, pc, &fn) || fn.entry != pc)
		return;
	uint64_t st = closure_struct(pr, &fn, sp->es);
	if (st) {
		prop_target(pr, fv, st);
		if (g->type[t] != NONE32) {
			pr->h->closures_typed++;
			return;
		}
	}
	char name[300];
	snprintf(name, sizeof(name), "closure of %s", fn.name);
	uint32_t i = pr->intern(pr->ctx, fn.entry, sp->es, name);
	if (i == NONE32)
		return;
	g->type[t] = i;
	pr->h->types[i].count++;
	pr->h->types[i].bytes += sp->es;
	pr->h->inferred_objects++;
	pr->h->inferred_bytes += sp->es;
	pr->h->closures_named++;
}

/* The panic and defer records (runtime/runtime2.go _panic, _defer): the value of each panic
 * (its interface words, read by src/goroutines/objects.c) types what it points at by its
 * dynamic type; the heap-allocated _defer records of every goroutine (g._defer, then
 * _defer.link) are typed runtime._defer, whose fields are followed in turn; and the closure
 * of every record on the chain (heap or stack record: deferproc and deferprocStack) is
 * typed by prop_closure. Open-coded defers (Go 1.14+, a defer outside loops) keep their
 * closures in stack slots that _FUNCDATA_OpenCodedDeferInfo describes: not read yet. */
#define MAX_DEFERS 64

static void prop_records(struct prop *pr, const struct gpm_incident *inc)
{
	struct gpm_goimage *img = pr->p->img;
	struct tdesc d;
	if (!inc)
		return;
	for (size_t i = 0; i < inc->crash.panics.len; i++) {
		const struct gpm_panic *pv = &inc->crash.panics.v[i];
		if (!pv->arg_type || !pv->arg_data || !desc_of(pr, pv->arg_type, &d))
			continue;
		if (!d.direct)
			prop_target(pr, pv->arg_data, pv->arg_type);
		else if (d.kind == GPM_KIND_POINTER)
			prop_target(pr, pv->arg_data, d.elem);
		pr->h->record_seeds++;
	}
	const struct gpm_layout *gl, *dl;
	uint64_t g_defer, d_link, d_fn, dtype = 0;
	struct gpm_error *err = gpm_goimage_layout(img, "runtime.g", &gl);
	if (!err)
		err = gpm_goimage_layout(img, "runtime._defer", &dl);
	if (err) {
		gpm_error_destroy(err);
		return;
	}
	// Without the descriptor of runtime._defer the records are walked all the same.
	gpm_error_destroy(gpm_gotype_find(img, "runtime._defer", &dtype));
	if (!gpm_layout_field(gl, "_defer", &g_defer) || !gpm_layout_field(dl, "link", &d_link))
		return;
	bool has_fn = gpm_layout_field(dl, "fn", &d_fn) != NULL;
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		uint64_t gaddr = gpm_goroutine_extra(inc, &inc->goroutines.v[i])->gaddr, dp, fv;
		if (!gaddr || !img_word(pr, gaddr + g_defer, &dp))
			continue;
		for (unsigned k = 0; dp && k < MAX_DEFERS; k++) {
			// Only records in the heap are typed (stack defers are not objects);
			// prop_target checks the slot.
			uint32_t before = (uint32_t)pr->h->inferred_objects;
			if (dtype)
				prop_target(pr, dp, dtype);
			if ((uint32_t)pr->h->inferred_objects != before)
				pr->h->record_seeds++;
			if (has_fn && img_word(pr, dp + d_fn, &fv) && fv)
				prop_closure(pr, fv);
			if (!img_word(pr, dp + d_link, &dp))
				break;
		}
	}
}

/* Counts the typed objects of each size class (class by element size; large objects, one a
 * span, class 0): what is left of a class is its untyped bytes, listed with the types. */
static void typed_by_class(const struct gpm_heap_graph *g, struct gpm_heap *h)
{
	for (size_t s = 0; s < g->nspans; s++) {
		const struct gspan *sp = &g->spans[s];
		unsigned ci = 0;
		for (unsigned i = 1; i < h->nclasses && !ci; i++)
			if (h->classes[i].elemsize == sp->es)
				ci = i;
		struct gpm_heap_class *c = &h->classes[ci];
		for (uint32_t k = 0; k < sp->nelems; k++) {
			uint32_t id = sp->first + k;
			if (allocated(g, id) && g->type[id] != NONE32) {
				c->typed_objects++;
				c->typed_bytes += sp->es;
			}
		}
	}
	h->typed_known = true;
}

struct prop_buf {
	uint8_t *buf;
	size_t cap;
};

/* Follows the typed objects of the work list (and those they type) to the end. */
static void prop_drain(struct prop *pr, struct prop_buf *pb)
{
	struct gpm_heap_graph *g = pr->g;
	struct gpm_process *p = pr->p;
	struct gpm_heap *h = pr->h;
	for (uint64_t done = 0; pr->work.len; done++) {
		// Objects are read all over the core: give its pages back now and then.
		if ((done & 0xffff) == 0xffff)
			gpm_core_release_pages(p->core);
		uint32_t id = pr->work.v[--pr->work.len];
		uint64_t size, addr = slot_addr(g, id, &size);
		const struct gspan *sp = span_of_slot(g, id);
		uint64_t skip = (sp->flags & GPM_HEAP_SPAN_HEADER) ? 8 : 0;
		// Borrowed from the core when contiguous there, else copied.
		const uint8_t *mem;
		struct gpm_error *err = gpm_memory_ptr(p->mem, addr, (size_t)size, &mem);
		if (err) {
			gpm_error_destroy(err);
			if (size > pb->cap) {
				uint8_t *nb = realloc(pb->buf, (size_t)size);
				if (!nb)
					break;
				pb->buf = nb;
				pb->cap = (size_t)size;
			}
			if ((err = gpm_memory_read(p->mem, addr, pb->buf, (size_t)size))) {
				gpm_error_destroy(err);
				continue;
			}
			mem = pb->buf;
		}
		uint64_t type = h->types[g->type[id]].type;
		struct tdesc d;
		if (!desc_of(pr, type, &d) || !d.size)
			continue;
		pr->obj = mem + skip;
		pr->obj_size = size - skip;
		uint64_t tsize = d.size;
		for (uint64_t off = 0; off + tsize <= size - skip; off += tsize)
			prop_value(pr, type, off, 0);
	}
}

/* ---- types by shape ---- */

/*
 * Before Go 1.22 nothing records a heap object's type; without DWARF nothing seeds the
 * propagation either (stack object records carry no type since Go 1.17). What the heap
 * does record is each object's pointer mask (the heap bitmap), and the binary has the mask
 * of every type it allocates: shape.c matches the two. An object is typed when one type
 * fits and no array of another type could have its shape, or when several fit and what its
 * pointer fields point at confirms exactly one of the user packages' types and contradicts
 * none of its fields. Otherwise it stays untyped and is counted as ambiguous: a wrong name
 * would be worse than none.
 */
#define SHAPE_CANDS       16
#define SHAPE_MAX_OBJECTS ((uint64_t)1 << 24)
#define SHAPE_MAX_DEPTH   4

/* What a pointer into the heap at v says of an element type of n elements there: -1 it
 * cannot be one, 1 it fits, 0 nothing known (outside the heap, inside an object). */
static int shape_target(struct prop *pr, uint64_t v, uint64_t elem, uint64_t n)
{
	struct gpm_heap_graph *g = pr->g;
	struct tdesc e;
	const struct gspan *sp = span_of(g, v);
	if (!sp || v < sp->base)
		return 0;
	uint64_t k = (v - sp->base) / sp->es;
	if ((v - sp->base) % sp->es || k >= sp->nelems)
		return 0;
	uint32_t t = sp->first + (uint32_t)k;
	if (!allocated(g, t) || !desc_of(pr, elem, &e))
		return -1;
	if (!e.size || !n)
		return 0;
	if (e.size > sp->es || n > sp->es / e.size)
		return -1;
	if (((sp->flags & GPM_HEAP_SPAN_NOSCAN) != 0) != (e.ptrdata == 0))
		return -1;
	if (g->type[t] != NONE32)
		return pr->h->types[g->type[t]].type == elem ? 1 : -1;
	// Checking an array of pointers: new(T) is of T's size class.
	uint64_t cls = gpm_heap_shapes_class(e.size);
	if (pr->strict && n == 1 && cls && sp->es != cls)
		return -1;
	return 1;
}

/* What the pointer words of a value of type `type` at off in pr->obj say of that type: -1
 * one cannot hold what it holds, else how many point where a value of their type fits. */
static int shape_check(struct prop *pr, uint64_t type, uint64_t off, unsigned depth)
{
	struct tdesc d;
	uint64_t v, len, cap;
	int score = 0, r;
	if (!desc_of(pr, type, &d))
		return -1;
	if (!d.ptrdata || depth > SHAPE_MAX_DEPTH || off + d.size > pr->obj_size)
		return 0;
	switch (d.kind) {
	case GPM_KIND_POINTER:
		return obj_word_at(pr, off, &v) && v ? shape_target(pr, v, d.elem, 1) : 0;
	case GPM_KIND_SLICE:
		if (!obj_word_at(pr, off, &v) || !obj_word_at(pr, off + 8, &len) ||
		    !obj_word_at(pr, off + 16, &cap) || len > cap)
			return -1;
		if (!v)
			return cap ? -1 : 0;
		return shape_target(pr, v, d.elem, cap);
	case GPM_KIND_STRING: {
		if (!obj_word_at(pr, off, &v) || !obj_word_at(pr, off + 8, &len) ||
		    len > ((uint64_t)1 << 40))
			return -1;
		if (!v)
			return len ? -1 : 0;
		const struct gspan *sp = span_of(pr->g, v);
		if (!sp || v < sp->base)
			return 0;
		// String bytes are never in a span of objects with pointers.
		uint64_t end = sp->base + ((v - sp->base) / sp->es + 1) * sp->es;
		return (sp->flags & GPM_HEAP_SPAN_NOSCAN) && v + len <= end ? 1 : -1;
	}
	case GPM_KIND_MAP: {
		// An hmap (runtime/map.go before Go 1.24: count, flags, B at +9, hash0, buckets
		// at +16): 48 bytes with pointers, its buckets an array of 2^B buckets.
		uint64_t b, buckets;
		if (!obj_word_at(pr, off, &v) || !v)
			return 0;
		const struct gspan *sp = span_of(pr->g, v);
		if (!sp || v < sp->base)
			return 0;
		if (sp->es != 48 || (sp->flags & GPM_HEAP_SPAN_NOSCAN) || (v - sp->base) % sp->es ||
		    !img_word(pr, v + 8, &b) || !img_word(pr, v + 16, &buckets))
			return -1;
		b = (b >> 8) & 0xff;
		if (pr->swiss || !d.bucket || b > 40)
			return pr->swiss ? 0 : -1;
		if (!buckets)
			return 0;
		struct tdesc bd;
		if (!desc_of(pr, d.bucket, &bd))
			return -1;
		return shape_target(pr, buckets, d.bucket, (uint64_t)1 << b) > 0 ? 1 : -1;
	}
	case GPM_KIND_INTERFACE: {
		uint64_t tw;
		if (!obj_word_at(pr, off, &tw) || !obj_word_at(pr, off + 8, &v))
			return -1;
		if (!tw)
			return v ? -1 : 0;
		// The type word is an itab or a type descriptor of the binary.
		return img_word(pr, tw, &v) && !span_of(pr->g, tw) ? 0 : -1;
	}
	case GPM_KIND_ARRAY: {
		struct tdesc e;
		if (!desc_of(pr, d.elem, &e) || !e.size)
			return 0;
		for (uint64_t k = 0; k < d.len && k < SHAPE_CANDS; k++) {
			if ((r = shape_check(pr, d.elem, off + k * e.size, depth + 1)) < 0)
				return -1;
			score += r;
		}
		return score;
	}
	case GPM_KIND_STRUCT:
		// d.fields stays where it is: the cache owns it apart from its entries.
		for (uint32_t i = 0; i < d.nfields; i++) {
			if ((r = shape_check(pr, d.fields[i].type, off + d.fields[i].off,
			                     depth + 1)) < 0)
				return -1;
			score += r;
		}
		return score;
	default:
		return 0;
	}
}

/* What the pointer words of the object say of candidate c: shape_check of the value, or
 * of every element of an array (its pointers must then point at objects of their type's
 * size class: a slice of *T holds what new(T) made). */
static int shape_cand_check(struct prop *pr, const struct gpm_shape_cand *c)
{
	if (!c->elem_size)
		return shape_check(pr, c->type, 0, 0);
	int score = 0;
	pr->strict = true;
	for (uint64_t off = 0; off + c->elem_size <= pr->obj_size; off += c->elem_size) {
		int r = shape_check(pr, c->type, off, 0);
		if (r < 0) {
			score = -1;
			break;
		}
		score += r > 0;
	}
	pr->strict = false;
	return score;
}

/* Types the object in slot id (es bytes at addr, of memory mem) by shape, if it decides:
 * as one value of a type, or as an array of an element type ("[]T", interned by its
 * element). */
static void shape_object(struct prop *pr, struct gpm_heap_shapes *sh, uint32_t id, uint64_t addr,
                         uint64_t es, const uint8_t *mem)
{
	struct gpm_heap *h = pr->h;
	struct gpm_shape_cand c[SHAPE_CANDS];
	h->shape_checked++;
	long n = gpm_heap_shapes_match(sh, addr, es, c, SHAPE_CANDS);
	if (n <= 0) {
		h->shape_unmatched++;
		h->shape_unmatched_bytes += es;
		return;
	}
	pr->obj = mem;
	pr->obj_size = es;
	uint64_t viable = n > SHAPE_CANDS ? (uint64_t)(n - SHAPE_CANDS) : 0;
	const struct gpm_shape_cand *pick = NULL, *user_pick = NULL;
	unsigned user_confirmed = 0;
	for (long i = 0; i < n && i < SHAPE_CANDS; i++) {
		int r = shape_cand_check(pr, &c[i]);
		if (r < 0)
			continue;
		viable++;
		pick = &c[i];
		if (c[i].user && r > 0) {
			user_confirmed++;
			user_pick = &c[i];
		}
	}
	pr->obj = NULL;
	pr->obj_size = 0;
	const struct gpm_shape_cand *chosen = NULL;
	bool confirmed = false;
	if (viable == 1) {
		chosen = pick;
	} else if (user_confirmed == 1) {
		chosen = user_pick;
		confirmed = true;
	}
	uint32_t ti = chosen ? pr->intern(pr->ctx, chosen->type, es, NULL) : NONE32;
	// An array is named "[]T" by its element's size; a single value must not be.
	if (ti != NONE32 && h->types[ti].several != (chosen->elem_size != 0))
		ti = NONE32;
	if (ti == NONE32) {
		if (viable) {
			h->shape_ambiguous++;
			h->shape_ambiguous_bytes += es;
		} else {
			h->shape_unmatched++;
			h->shape_unmatched_bytes += es;
		}
		return;
	}
	pr->g->type[id] = ti;
	h->types[ti].count++;
	h->types[ti].bytes += es;
	h->inferred_objects++;
	h->inferred_bytes += es;
	h->shape_objects++;
	h->shape_bytes += es;
	h->shape_confirmed += confirmed;
	if (chosen->elem_size) {
		h->shape_arrays++;
		h->shape_array_bytes += es;
	}
	uint32_t *w = gpm_vec_push(&pr->work);
	if (w)
		*w = id;
}

/* Matches every untyped object with pointers of the small size classes by shape. */
static void shape_types(struct prop *pr)
{
	struct gpm_heap_graph *g = pr->g;
	struct gpm_heap *h = pr->h;
	struct gpm_heap_shapes *sh;
	struct gpm_error *err = gpm_heap_shapes_create(pr->p, &sh);
	if (err) {
		h->shape_skipped = strdup(err->message);
		gpm_error_destroy(err);
		return;
	}
	h->shape_ran = true;
	h->shape_types = gpm_heap_shapes_types(sh);
	for (size_t s = 0; s < g->nspans; s++)
		gpm_heap_shapes_add_span(sh, g->spans[s].base, g->spans[s].mspan);
	uint8_t *buf = malloc(GPM_SHAPE_MAX_SIZE);
	for (size_t s = 0; s < g->nspans && buf; s++) {
		const struct gspan *sp = &g->spans[s];
		// One-word objects are any pointer; large objects have no size class to match.
		if ((sp->flags & GPM_HEAP_SPAN_NOSCAN) || sp->es <= 8 ||
		    sp->es > GPM_SHAPE_MAX_SIZE)
			continue;
		for (uint32_t k = 0; k < sp->nelems; k++) {
			uint32_t id = sp->first + k;
			if (!allocated(g, id) || g->type[id] != NONE32)
				continue;
			if (h->shape_checked >= SHAPE_MAX_OBJECTS)
				goto done;
			uint64_t addr = sp->base + (uint64_t)k * sp->es;
			err = gpm_memory_read(pr->p->mem, addr, buf, (size_t)sp->es);
			if (err) {
				gpm_error_destroy(err);
				continue;
			}
			shape_object(pr, sh, id, addr, sp->es, buf);
		}
	}
done:
	free(buf);
	gpm_heap_shapes_destroy(sh);
}

static void propagate_types(struct gpm_heap_graph *g, struct gpm_process *p, struct gpm_heap *h,
                            const struct gpm_incident *inc, gpm_heap_type_intern_fn *intern,
                            void *ctx)
{
	const struct gpm_go_facts *f = &p->img->facts;
	struct prop pr = {
	    .g = g,
	    .p = p,
	    .h = h,
	    .intern = intern,
	    .ctx = ctx,
	    .swiss = f->swiss_maps,
	};
	for (uint32_t id = 0; id < g->nslots; id++)
		if (g->type[id] != NONE32 && allocated(g, id)) {
			uint32_t *w = gpm_vec_push(&pr.work);
			if (!w)
				break;
			*w = id;
		}
	// Seeds: the typed objects (allocation headers), and with DWARF the globals and the
	// frames' variables.
	gpm_goimage_dwarf_globals(p->img, prop_global, &pr);
	prop_frames(&pr, inc);
	prop_records(&pr, inc);
	struct prop_buf pb = {0};
	prop_drain(&pr, &pb);
	// Before Go 1.22, what is still untyped is matched by shape, and followed in turn.
	if (!h->headers) {
		shape_types(&pr);
		prop_drain(&pr, &pb);
	}
	free(pb.buf);
	gpm_core_release_pages(p->core);
	typed_by_class(g, h);
	gpm_vec_free(&pr.work);
	free(pr.closures);
	gpm_u64map_free(&pr.closure_fns);
	gpm_vec_free(&pr.closure_of);
	for (size_t i = 0; i < pr.descs.len; i++)
		free(pr.descs.v[i].fields);
	gpm_vec_free(&pr.descs);
	gpm_u64map_free(&pr.desc_ids);
}

/* ---- entry point ---- */

/* Fills o->found for the addresses of o->find. */
static void find_objects(struct gpm_heap_graph *g, const struct gpm_heap *h,
                         const struct gpm_heap_options *o)
{
	for (size_t i = 0; i < o->nfind && o->found; i++) {
		struct gpm_heap_object *f = &o->found[i];
		*f = (struct gpm_heap_object){.addr = o->find[i]};
		uint32_t id = object_at(g, o->find[i]);
		if (id == NONE32)
			continue;
		f->found = true;
		f->base = slot_addr(g, id, &f->size);
		if (g->type[id] != NONE32) {
			const struct gpm_heap_type *t = &h->types[g->type[id]];
			f->type = t->type;
			f->several = t->several;
		}
	}
}

void gpm_heap_graph_retention(struct gpm_heap_graph *g, struct gpm_process *p, struct gpm_heap *h,
                              const struct gpm_heap_options *o, gpm_heap_type_intern_fn *intern,
                              void *ctx)
{
	struct gpm_heap_retention *r = &h->ret;
	char msg[256];
	if (g->capped || g->nomem) {
		snprintf(msg, sizeof(msg),
		         g->capped ? "more than %" PRIu64 " objects"
		                   : "out of memory (%" PRIu64 " objects)",
		         g->capped ? g->max_nodes : (uint64_t)g->nslots);
		r->skipped = strdup(msg);
		return;
	}
	uint64_t pointers = 0;
	// Rows: slots, then roots (at most MAX_ROOTS), then the super-root.
	size_t rows = (size_t)g->nslots + MAX_ROOTS + 2;
	g->off = calloc(rows + 1, sizeof(*g->off));
	if (!h->headers)
		runtime_ps(g, p);
	struct gpm_error *err = g->off ? object_edges(g, p, h) : &gpm_error_nomem;
	if (!err) {
		global_roots(g, p, h, &pointers);
		if (o->goroutines)
			frame_roots(g, p, h, o->goroutines, &pointers);
		// The super-root points at every root.
		uint32_t sroot = g->nslots + (uint32_t)g->roots.len;
		g->off[sroot] = (uint32_t)g->succ.len;
		for (uint32_t i = 0; i < g->roots.len; i++)
			if (!edge(g, g->nslots + i))
				break;
		g->off[sroot + 1] = (uint32_t)g->succ.len;
		g->nnodes = sroot + 1;
		r->nodes = g->nslots;
		r->edges = g->succ.len;
		r->root_pointers = pointers;
		r->objects_precise = g->precise_objects;
		r->objects_conservative = g->conservative_objects;
		if (g->succ.len >= MAX_EDGES)
			err = gpm_error_create(GPM_ERR_LIMIT, "more than %" PRIu64 " pointers",
			                       MAX_EDGES);
	}
	if (!err && intern)
		propagate_types(g, p, h, o->goroutines, intern, ctx);
	if (!err)
		find_objects(g, h, o);
	// Dominators first: reach() explains the shared objects they find with a path.
	struct gpm_error *derr = err ? NULL : retained(g, h);
	if (derr) {
		snprintf(msg, sizeof(msg), "%s", derr->message);
		gpm_error_destroy(derr);
		r->dominators_skipped = strdup(msg);
	}
	if (!err)
		err = reach(g, p, h, o->paths ? o->paths : 5);
	if (err) {
		snprintf(msg, sizeof(msg), "%s", err->message);
		gpm_error_destroy(err);
		r->skipped = strdup(msg);
		return;
	}
	r->done = true;
}

void gpm_heap_retention_free(struct gpm_heap_retention *r)
{
	free(r->skipped);
	free(r->dominators_skipped);
	for (size_t i = 0; i < r->nroots; i++) {
		free(r->roots[i].name);
		free(r->roots[i].holds);
	}
	free(r->roots);
	for (size_t i = 0; i < r->npaths; i++) {
		for (size_t k = 0; k < r->paths[i].nhops; k++)
			free(r->paths[i].hops[k].what);
		free(r->paths[i].hops);
		free(r->paths[i].why);
	}
	free(r->paths);
	for (size_t i = 0; i < r->nchains; i++)
		free(r->chains[i].name);
	free(r->chains);
	memset(r, 0, sizeof(*r));
}
