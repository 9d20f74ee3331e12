/*
 * The heap walk (see heap.h).
 *
 * Finding mheap_.allspans ("a slice of all mspans ever created. Each mspan appears exactly
 * once", runtime/mheap.go 1.19-1.27):
 *   1. the symbol runtime.mheap_ with the layout of runtime.mheap (DWARF builds);
 *   2. otherwise (stripped binaries carry no type descriptor of runtime.mheap, which is
 *      never allocated with new) a scan of .bss and .noptrbss for a slice {ptr, len, cap}
 *      whose elements are valid mspans (read with the mspan layout, which every binary
 *      carries), the longest one winning. The words next to it are then read by the field
 *      order mheap.go has kept in every release from 1.19 to 1.27 — `sweepgen uint32;
 *      allspans []*mspan; pagesInUse atomic.Uintptr` — and sweepgen is only used when the
 *      spans' own sweepgens agree with it.
 *
 * An in-use span's object i is allocated when i < freeindex (the allocator advances
 * freeindex without touching allocBits) or allocBits has bit i (runtime/mheap.go, the
 * comment on mspan.freeindex); the count must equal mspan.allocCount. A span is cached by
 * an mcache when its sweepgen is mheap_.sweepgen+1 or +3, and unswept when it is
 * mheap_.sweepgen-2 (mheap.go, the comment on mspan.sweepgen).
 *
 * Types (runtime/mbitmap.go, Go 1.22-1.27): in a scan span of objects over 512 bytes
 * (minSizeForMallocHeader = ptrSize*ptrBits) the first word of each object is its *_type;
 * a large object's type is mspan.largeType. Earlier heaps record no types at all.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/u64map.h"
#include "elf/exe.h"
#include "goroutines/objects.h"
#include "heap/graph.h"
#include "heap/heap.h"

#define NONE                       UINT64_MAX
#define MIN_SIZE_FOR_MALLOC_HEADER 512 /* 64-bit: goarch.PtrSize * goarch.PtrBits */
#define MAX_SCAN_REGION            ((uint64_t)64 << 20)
#define MAX_ALLOCBITS              8192 /* bytes of allocBits per span: nelems is at most 1024 */

enum { SPAN_DEAD = 0, SPAN_INUSE = 1, SPAN_MANUAL = 2 };

struct fld {
	uint64_t off;
	unsigned size;
};

struct span_layout {
	uint64_t size;
	struct fld start, npages, freeindex, nelems, allocbits, sweepgen, alloccount, spanclass,
	    state, elemsize, largetype, acbc;
};

struct walk {
	struct gpm_process *p;
	struct gpm_heap *h;
	struct span_layout sl;
	unsigned ps;
	uint64_t types_lo, types_hi; /* [moduledata.types, etypes) */
	struct gpm_u64map type_ids;  /* type address | 1 for "[]T" -> index in h->types */
	size_t types_cap;
	bool types_capped;
	struct gpm_heap_graph *graph; /* with retention */
	bool greentea;                /* the green tea collector (Go 1.25 experiment, 1.26+) */
	/* Heap arenas holding spans: arena number + 1 -> ARENA_* flags. */
	struct gpm_u64map arenas;
	uint64_t narenas, arenas_unreadable;
	uint64_t spans_unreadable, spans_seen;         /* in-use and manual spans */
	uint64_t objects_unreadable, bytes_unreadable; /* allocated, in unreadable spans */
};

enum { ARENA_SEEN = 1, ARENA_UNREADABLE = 2 };

static void warn(struct gpm_heap *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct gpm_heap *h, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (h->nwarnings >= 64)
		return;
	char **n = realloc(h->warnings, (h->nwarnings + 1) * sizeof(*n));
	if (!n)
		return;
	h->warnings = n;
	char *s = gpm_safe_strndup(buf, strlen(buf));
	if (s)
		h->warnings[h->nwarnings++] = s;
}

static inline uint64_t get(const uint8_t *b, struct fld f)
{
	uint64_t v = 0;
	if (f.off == NONE)
		return 0;
	for (unsigned i = 0; i < f.size && i < 8; i++)
		v |= (uint64_t)b[f.off + i] << (8 * i);
	return v;
}

static bool word(struct walk *w, uint64_t addr, uint64_t *out)
{
	struct gpm_error *err = gpm_memory_word(w->p->mem, addr, out);
	gpm_error_destroy(err);
	return !err;
}

/* ---- layouts ---- */

static struct fld field_of(const struct gpm_layout *l, const char *name)
{
	uint64_t off;
	const struct gpm_layout_field *f = gpm_layout_field(l, name, &off);
	if (!f || !f->size || f->size > 8 || off + f->size > l->size)
		return (struct fld){NONE, 0};
	return (struct fld){off, (unsigned)f->size};
}

static struct gpm_error *span_layout(struct walk *w)
{
	const struct gpm_layout *l;
	struct gpm_error *err = gpm_goimage_layout(w->p->img, "runtime.mspan", &l);
	if (err)
		return gpm_error_wrap(err, "cannot read the heap");
	struct span_layout *s = &w->sl;
	s->size = l->size;
	s->start = field_of(l, "startAddr");
	s->npages = field_of(l, "npages");
	s->freeindex = field_of(l, "freeindex");
	s->nelems = field_of(l, "nelems");
	s->allocbits = field_of(l, "allocBits");
	s->sweepgen = field_of(l, "sweepgen");
	s->alloccount = field_of(l, "allocCount");
	s->spanclass = field_of(l, "spanclass");
	s->state = field_of(l, "state");
	s->elemsize = field_of(l, "elemsize");
	s->largetype = field_of(l, "largeType");
	s->acbc = field_of(l, "allocCountBeforeCache");
	// mSpanStateBox is a struct holding one byte (an atomic.Uint8 from 1.20).
	if (s->state.off != NONE)
		s->state.size = 1;
	const struct {
		struct fld f;
		const char *name;
	} req[] = {
	    {s->start, "startAddr"},     {s->npages, "npages"},       {s->freeindex, "freeindex"},
	    {s->nelems, "nelems"},       {s->allocbits, "allocBits"}, {s->alloccount, "allocCount"},
	    {s->spanclass, "spanclass"}, {s->state, "state"},         {s->elemsize, "elemsize"}};
	for (size_t i = 0; i < sizeof(req) / sizeof(req[0]); i++)
		if (req[i].f.off == NONE)
			return gpm_error_create(
			    GPM_ERR_UNSUPPORTED,
			    "cannot read the heap: runtime.mspan has no field %s", req[i].name);
	if (s->size > 4096)
		return gpm_error_create(GPM_ERR_UNSUPPORTED, "runtime.mspan of %" PRIu64 " bytes",
		                        s->size);
	return NULL;
}

/* ---- finding allspans ---- */

/* Whether the mspan at addr looks like one; *state gets its state. */
static bool span_valid(struct walk *w, uint64_t addr, uint8_t *state)
{
	const uint8_t *b;
	if (!addr || addr % w->ps)
		return false;
	struct gpm_error *err = gpm_memory_ptr(w->p->mem, addr, (size_t)w->sl.size, &b);
	if (err) {
		gpm_error_destroy(err);
		return false;
	}
	uint64_t st = get(b, w->sl.state);
	if (st > SPAN_MANUAL)
		return false;
	*state = (uint8_t)st;
	if (st == SPAN_DEAD)
		return true;
	uint64_t start = get(b, w->sl.start), npages = get(b, w->sl.npages);
	if (!start || start % GPM_HEAP_PAGE_SIZE || !npages || npages > ((uint64_t)1 << 35))
		return false;
	if (st == SPAN_INUSE) {
		uint64_t es = get(b, w->sl.elemsize), ne = get(b, w->sl.nelems);
		uint64_t fi = get(b, w->sl.freeindex), ac = get(b, w->sl.alloccount);
		if (!es || !ne || fi > ne || ac > ne || es > npages * GPM_HEAP_PAGE_SIZE ||
		    ne > npages * GPM_HEAP_PAGE_SIZE / es)
			return false;
	}
	return true;
}

/* How many of up to 32 sampled elements of the slice are valid live spans; 0 if any is
 * not an mspan at all. */
static unsigned slice_score(struct walk *w, uint64_t ptr, uint64_t len)
{
	unsigned live = 0, n = len < 32 ? (unsigned)len : 32;
	for (unsigned i = 0; i < n; i++) {
		uint64_t idx = len <= 32 ? i : i * (len - 1) / 31, e;
		uint8_t st;
		if (!word(w, ptr + idx * w->ps, &e) || !span_valid(w, e, &st))
			return 0;
		live += st != SPAN_DEAD;
	}
	// Freed (dead) spans stay in allspans and can be the majority after the heap shrank.
	return live && live * 8 >= n ? live : 0;
}

static void scan_region(struct walk *w, uint64_t lo, uint64_t hi, uint64_t *best_addr,
                        uint64_t *best_len)
{
	if (!lo || hi <= lo)
		return;
	if (hi - lo > MAX_SCAN_REGION) {
		warn(w->h, "data region of %" PRIu64 " bytes: only the first %" PRIu64 " scanned",
		     hi - lo, MAX_SCAN_REGION);
		hi = lo + MAX_SCAN_REGION;
	}
	lo = (lo + w->ps - 1) / w->ps * w->ps;
	size_t n = (size_t)(hi - lo);
	uint8_t *buf = malloc(n);
	if (!buf)
		return;
	struct gpm_error *err = gpm_memory_read(w->p->mem, lo, buf, n);
	if (err) {
		gpm_error_destroy(err);
		free(buf);
		return;
	}
	unsigned ps = w->ps;
	for (size_t off = 0; off + 3 * ps <= n; off += ps) {
		uint64_t ptr = 0, len = 0, cap = 0;
		memcpy(&ptr, buf + off, ps);
		if (!ptr || ptr % ps)
			continue;
		memcpy(&len, buf + off + ps, ps);
		memcpy(&cap, buf + off + 2 * ps, ps);
		if (!len || len > cap || cap > GPM_HEAP_MAX_SPANS * 4 || len <= *best_len)
			continue;
		if (slice_score(w, ptr, len)) {
			*best_addr = lo + off;
			*best_len = len;
		}
	}
	free(buf);
}

static struct gpm_error *find_allspans(struct walk *w)
{
	struct gpm_heap *h = w->h;
	struct gpm_goimage *img = w->p->img;
	uint64_t addr, size;
	const struct gpm_layout *ml = NULL;
	if (gpm_goimage_symbol(img, "runtime.mheap_", &addr, &size)) {
		struct gpm_error *err = gpm_goimage_layout(img, "runtime.mheap", &ml);
		gpm_error_destroy(err);
		uint64_t off = ml ? gpm_layout_offset(ml, "allspans") : NONE;
		if (off != NONE) {
			uint64_t sg = 0, piu;
			h->mheap_addr = addr;
			h->allspans = addr + off;
			h->allspans_how = "symbol runtime.mheap_, layout of runtime.mheap";
			uint64_t o = gpm_layout_offset(ml, "sweepgen");
			if (o != NONE && word(w, addr + o, &sg)) {
				h->sweepgen = (uint32_t)sg;
				h->has_sweepgen = true;
			}
			o = gpm_layout_offset(ml, "pagesInUse");
			if (o != NONE && word(w, addr + o, &piu)) {
				h->rt.has_pages_in_use = true;
				h->rt.pages_in_use = piu;
				h->rt.pages_how = "mheap_.pagesInUse (layout)";
			}
		}
	}
	if (!h->allspans) {
		uint64_t best = 0, best_len = 0;
		if (img->has_moduledata) {
			scan_region(w, img->moduledata.bss, img->moduledata.ebss, &best, &best_len);
			scan_region(w, img->moduledata.noptrbss, img->moduledata.enoptrbss, &best,
			            &best_len);
		} else {
			static const char *const names[] = {".bss", ".noptrbss"};
			for (size_t i = 0; i < 2; i++) {
				const struct gpm_exe_section *s =
				    gpm_exe_section(w->p->exe, names[i]);
				if (s)
					scan_region(w, s->addr + w->p->bias,
					            s->addr + w->p->bias + s->size, &best,
					            &best_len);
			}
		}
		if (!best)
			return gpm_error_create(
			    GPM_ERR_NOT_FOUND,
			    "cannot find the heap's span list (mheap_.allspans)");
		h->allspans = best;
		h->allspans_how = "scan of .bss/.noptrbss for the slice of mspans";
		// Neighbours by mheap's field order (mheap.go 1.19-1.27), validated later.
		uint32_t sg;
		struct gpm_error *err = gpm_memory_u32(w->p->mem, best - w->ps, &sg);
		if (!err) {
			h->sweepgen = sg;
			h->has_sweepgen = !(sg & 1);
		}
		gpm_error_destroy(err);
		uint64_t piu;
		if (word(w, best + 3 * w->ps, &piu)) {
			h->rt.has_pages_in_use = true;
			h->rt.pages_in_use = piu;
			h->rt.pages_how =
			    "word after mheap_.allspans (field order of mheap.go 1.19-1.27)";
		}
	}
	uint64_t ptr, len;
	if (!word(w, h->allspans, &ptr) || !word(w, h->allspans + w->ps, &len))
		return gpm_error_create(GPM_ERR_FAULT,
		                        "mheap_.allspans at 0x%" PRIx64 " unreadable", h->allspans);
	h->nallspans = len;
	return NULL;
}

/* ---- types ---- */

/* named: a type without a descriptor (a closure named by its function, graph.c), keyed by
 * the code address `type` with the top bit set (no descriptor address has it). */
static size_t type_index(struct walk *w, uint64_t type, uint64_t usable, const char *named)
{
	struct gpm_heap *h = w->h;
	uint64_t tsize;
	bool array = false;
	if (named) {
		if (!type || type >> 63)
			return SIZE_MAX;
	} else {
		if (type < w->types_lo || type >= w->types_hi || type % w->ps)
			return SIZE_MAX;
		if (!word(w, type, &tsize) || !tsize)
			return SIZE_MAX;
		array = tsize * 2 <= usable;
	}
	uint64_t key = named ? type | (uint64_t)1 << 63 : type | array;
	uint32_t known;
	if (gpm_u64map_get(&w->type_ids, key, &known))
		return known;
	if (h->ntypes >= GPM_HEAP_MAX_TYPES) {
		if (!w->types_capped)
			warn(h, "more than %d distinct types: the rest are untyped",
			     GPM_HEAP_MAX_TYPES);
		w->types_capped = true;
		return SIZE_MAX;
	}
	char name[512];
	if (named)
		snprintf(name + 2, sizeof(name) - 2, "%s", named);
	else if (!gpm_objects_type_name(w->p->img, type, name + 2, sizeof(name) - 2, NULL))
		return SIZE_MAX;
	const char *s = name + 2;
	if (array) {
		name[0] = '[';
		name[1] = ']';
		s = name;
	}
	if (h->ntypes == w->types_cap) {
		size_t ncap = w->types_cap ? w->types_cap * 2 : 256;
		struct gpm_heap_type *n = realloc(h->types, ncap * sizeof(*n));
		if (!n)
			return SIZE_MAX;
		h->types = n;
		w->types_cap = ncap;
	}
	char *copy = gpm_safe_strndup(s, strlen(s));
	if (!copy || !gpm_u64map_put(&w->type_ids, key, (uint32_t)h->ntypes)) {
		free(copy);
		return SIZE_MAX;
	}
	struct gpm_heap_type *t = &h->types[h->ntypes];
	memset(t, 0, sizeof(*t));
	t->name = copy;
	t->type = type;
	t->several = array;
	return h->ntypes++;
}

static uint32_t intern_type(void *ctx, uint64_t type, uint64_t usable, const char *name)
{
	size_t i = type_index(ctx, type, usable, name);
	return i == SIZE_MAX || i >= UINT32_MAX ? UINT32_MAX : (uint32_t)i;
}

static void count_typed(struct walk *w, uint64_t type, uint64_t usable, uint64_t bytes,
                        uint32_t slot)
{
	size_t i = type_index(w, type, usable, NULL);
	if (i == SIZE_MAX) {
		w->h->bad_headers += type != 0;
		return;
	}
	if (w->graph && slot != UINT32_MAX)
		gpm_heap_graph_set_type(w->graph, slot, (uint32_t)i);
	w->h->types[i].count++;
	w->h->types[i].bytes += bytes;
	w->h->typed_objects++;
	w->h->typed_bytes += bytes;
}

/* ---- spans ---- */

/*
 * Records that the span [start, start+bytes) lives in its heap arena (heapArenaBytes,
 * runtime/malloc.go: 64 MiB on 64-bit Linux, Go 1.19-1.27) and whether its memory is in
 * the core. Returns whether it is: a core can lack a heap segment (a filtered or damaged
 * dump), and the counts the span's header promises then describe memory nobody can read.
 */
static bool arena_span(struct walk *w, uint64_t start, uint64_t bytes)
{
	bool ok = bytes && gpm_memory_readable(w->p->mem, start, (size_t)bytes);
	uint64_t key = (start >> GPM_HEAP_ARENA_SHIFT) + 1;
	uint32_t flags = 0;
	bool known = gpm_u64map_get(&w->arenas, key, &flags);
	uint32_t now = flags | ARENA_SEEN | (ok ? 0 : ARENA_UNREADABLE);
	w->spans_seen++;
	w->spans_unreadable += !ok;
	if (!known)
		w->narenas++;
	if (!ok && !(flags & ARENA_UNREADABLE))
		w->arenas_unreadable++;
	if (now != flags)
		(void)gpm_u64map_put(&w->arenas, key, now); // out of memory: counted again
	return ok;
}

static void inuse_span(struct walk *w, const uint8_t *b, uint64_t addr)
{
	struct gpm_heap *h = w->h;
	const struct span_layout *sl = &w->sl;
	uint64_t start = get(b, sl->start), npages = get(b, sl->npages);
	uint64_t es = get(b, sl->elemsize), ne = get(b, sl->nelems), fi = get(b, sl->freeindex);
	uint64_t ac = get(b, sl->alloccount), bits = get(b, sl->allocbits);
	uint8_t spc = (uint8_t)get(b, sl->spanclass);
	unsigned cls = spc >> 1;
	bool noscan = spc & 1;
	uint64_t span_bytes = npages * GPM_HEAP_PAGE_SIZE;
	// Real spans hold at most a few thousand objects (1024 per page of the 8-byte class):
	// a larger count is damage, and would make the loops below run for ever.
	if (ne > (uint64_t)MAX_ALLOCBITS * 8) {
		if (h->spans_bad < 8)
			warn(h, "span 0x%" PRIx64 ": %" PRIu64 " objects claimed", addr, ne);
		h->spans_bad++;
		return;
	}
	h->spans_inuse++;
	h->pages_inuse += npages;
	h->inuse_bytes += span_bytes;
	bool readable = arena_span(w, start, span_bytes);
	if (h->has_sweepgen && sl->sweepgen.off != NONE) {
		uint32_t sg = (uint32_t)get(b, sl->sweepgen);
		if (sg == h->sweepgen + 1 || sg == h->sweepgen + 3) {
			h->spans_cached++;
			uint64_t before = get(b, sl->acbc);
			if (sl->acbc.off != NONE && ac >= before) {
				h->rt.cached_adjust_objects += ac - before;
				h->rt.cached_adjust_bytes += (ac - before) * es;
			}
		} else if (sg == h->sweepgen - 2) {
			h->spans_unswept++;
		}
	}
	// Count the allocated objects: i < freeindex, or allocBits bit i.
	const uint8_t *ab = NULL;
	uint64_t nbytes = (ne + 7) / 8;
	if (nbytes <= MAX_ALLOCBITS && fi < ne) {
		struct gpm_error *err = gpm_memory_ptr(w->p->mem, bits, (size_t)nbytes, &ab);
		if (err) {
			if (h->spans_bad < 8)
				warn(h, "span 0x%" PRIx64 ": allocBits unreadable: %s", addr,
				     err->message);
			gpm_error_destroy(err);
			h->spans_bad++;
			ab = NULL;
		}
	}
	bool headers =
	    w->h->headers && !noscan && (cls == 0 ? true : es > MIN_SIZE_FOR_MALLOC_HEADER);
	uint64_t n = 0;
	if (fi >= ne) {
		n = ne;
	} else if (ab) {
		n = fi;
		for (uint64_t i = fi; i < ne; i++)
			n += (ab[i >> 3] >> (i & 7)) & 1;
	} else {
		n = ac; // no bits: trust the span's own count
	}
	if (n != ac)
		h->count_mismatch++;
	if (!readable) {
		w->objects_unreadable += n;
		w->bytes_unreadable += n * es;
	}
	uint32_t first = UINT32_MAX;
	if (w->graph) {
		// Where the pointers are (runtime/mbitmap.go, Go 1.22-1.27): headers and
		// largeType, or for objects up to 512 bytes a bitmap at the end of the span,
		// before the span's inline mark bits when the green tea collector has them
		// (mgcmark_greenteagc.go gcUsesSpanInlineMarkBits, spanInlineMarkBits: 128
		// bytes).
		unsigned flags = noscan ? GPM_HEAP_SPAN_NOSCAN : 0;
		uint64_t hb = 0;
		if (headers && cls != 0)
			flags |= GPM_HEAP_SPAN_HEADER;
		else if (headers && cls == 0)
			flags |= GPM_HEAP_SPAN_LARGE_TYPED;
		else if (w->h->headers && !noscan && cls != 0) {
			flags |= GPM_HEAP_SPAN_HEAPBITS;
			hb = start + span_bytes - span_bytes / 64;
			if (w->greentea && es >= 16)
				hb -= 128;
		}
		// Only spans whose objects are in the core: a damaged span could claim
		// terabytes, which the graph's page table would have to cover.
		if (gpm_memory_readable(w->p->mem, start, 1) &&
		    gpm_memory_readable(w->p->mem, start + es * ne - 1, 1))
			first = gpm_heap_graph_add_span(w->graph, start, es, ne, ab,
			                                fi >= ne ? ne : fi, flags, hb, addr);
		if (first == UINT32_MAX)
			h->ret.outside_objects += n;
	}
	if (headers && cls != 0) {
		for (uint64_t i = 0; i < ne; i++) {
			bool alloc = i < fi || (ab && ((ab[i >> 3] >> (i & 7)) & 1));
			if (!alloc)
				continue;
			uint64_t t;
			if (word(w, start + i * es, &t))
				count_typed(w, t, es - 8, es,
				            first == UINT32_MAX ? UINT32_MAX : first + (uint32_t)i);
		}
	} else if (headers && cls == 0 && n && sl->largetype.off != NONE) {
		count_typed(w, get(b, sl->largetype), es, es, first);
	}
	unsigned ci = cls < GPM_HEAP_MAX_CLASSES ? cls : GPM_HEAP_MAX_CLASSES - 1;
	struct gpm_heap_class *c = &h->classes[ci];
	if (ci + 1 > h->nclasses)
		h->nclasses = ci + 1;
	c->spans++;
	c->objects += n;
	c->bytes += n * es;
	c->free_slots += ne - n;
	if (cls)
		c->elemsize = es;
	h->objects += n;
	h->bytes += n * es;
	if (cls == 0) {
		h->large_objects += n;
		h->large_bytes += n * es;
	} else {
		h->small_objects += n;
		h->small_bytes += n * es;
	}
	if (noscan) {
		h->noscan_objects += n;
		h->noscan_bytes += n * es;
		if (es == 16)
			h->tiny_blocks += n;
	}
}

static struct gpm_error *walk_spans(struct walk *w, uint64_t max)
{
	struct gpm_heap *h = w->h;
	uint64_t ptr, n = h->nallspans;
	if (!word(w, h->allspans, &ptr))
		return gpm_error_create(GPM_ERR_FAULT, "mheap_.allspans unreadable");
	if (n > max) {
		warn(h, "allspans holds %" PRIu64 " spans: only the first %" PRIu64 " read", n,
		     max);
		n = max;
	}
	// Whether the sweepgen found beside allspans agrees with the spans (a scan only).
	uint64_t agree = 0, seen = 0;
	enum { CHUNK = 1024 };
	uint64_t chunk[CHUNK];
	for (uint64_t i = 0; i < n; i += CHUNK) {
		uint64_t m = n - i < CHUNK ? n - i : CHUNK;
		struct gpm_error *err =
		    gpm_memory_read(w->p->mem, ptr + i * w->ps, chunk, (size_t)(m * w->ps));
		if (err) {
			warn(h, "allspans[%" PRIu64 "...] unreadable: %s", i, err->message);
			gpm_error_destroy(err);
			h->spans_bad += n - i;
			break;
		}
		for (uint64_t k = 0; k < m; k++) {
			const uint8_t *b;
			uint8_t st;
			uint64_t a = chunk[k];
			if (!span_valid(w, a, &st) ||
			    (err = gpm_memory_ptr(w->p->mem, a, (size_t)w->sl.size, &b))) {
				gpm_error_destroy(err);
				if (h->spans_bad < 8)
					warn(h,
					     "allspans[%" PRIu64 "] = 0x%" PRIx64
					     " is not a valid span",
					     i + k, a);
				h->spans_bad++;
				continue;
			}
			if (st == SPAN_DEAD) {
				h->spans_dead++;
			} else if (st == SPAN_MANUAL) {
				uint64_t bytes = get(b, w->sl.npages) * GPM_HEAP_PAGE_SIZE;
				h->spans_manual++;
				h->manual_bytes += bytes;
				arena_span(w, get(b, w->sl.start), bytes);
			} else {
				if (!strcmp(h->allspans_how,
				            "scan of .bss/.noptrbss for the slice of mspans") &&
				    seen < 4096 && h->has_sweepgen) {
					uint32_t sg = (uint32_t)get(b, w->sl.sweepgen),
					         g = h->sweepgen;
					seen++;
					agree += sg == g || sg == g - 2 || sg == g - 1 ||
					         sg == g + 1 || sg == g + 3;
				}
				inuse_span(w, b, a);
			}
		}
		// Objects' headers touch every page of the spans that have them: give the
		// core's pages back now and then so resident memory stays small.
		gpm_core_release_pages(w->p->core);
	}
	if (w->arenas_unreadable)
		warn(h,
		     "%" PRIu64 " of %" PRIu64 " heap arenas unreadable: %" PRIu64 " of %" PRIu64
		     " spans not (wholly) in the core, %" PRIu64 " allocated objects (%" PRIu64
		     " bytes) counted from their spans' bits but not read",
		     w->arenas_unreadable, w->narenas, w->spans_unreadable, w->spans_seen,
		     w->objects_unreadable, w->bytes_unreadable);
	if (seen && agree * 10 < seen * 9) {
		warn(h,
		     "mheap_.sweepgen not recognised (%" PRIu64 " of %" PRIu64
		     " spans agree): cached and unswept spans not told apart",
		     agree, seen);
		h->has_sweepgen = false;
		h->spans_cached = h->spans_unswept = 0;
		h->rt.cached_adjust_bytes = h->rt.cached_adjust_objects = 0;
	}
	return NULL;
}

/* ---- the runtime's counters (memstats.heapStats, DWARF builds) ---- */

static void read_memstats(struct walk *w)
{
	struct gpm_goimage *img = w->p->img;
	struct gpm_heap *h = w->h;
	uint64_t ms, size, cts, ctsz;
	const struct gpm_layout *lm, *lc, *ld;
	struct gpm_error *err;
	if (!gpm_goimage_symbol(img, "runtime.memstats", &ms, &size))
		return;
	// The size of each class: runtime.class_to_size (sizeclasses.go), moved to
	// internal/runtime/gc.SizeClassToSize in Go 1.26; else the spans' element sizes.
	if (!gpm_goimage_symbol(img, "runtime.class_to_size", &cts, &ctsz) &&
	    !gpm_goimage_symbol(img, "internal/runtime/gc.SizeClassToSize", &cts, &ctsz))
		cts = ctsz = 0;
	if ((err = gpm_goimage_layout(img, "runtime.mstats", &lm)) ||
	    (err = gpm_goimage_layout(img, "runtime.consistentHeapStats", &lc)) ||
	    (err = gpm_goimage_layout(img, "runtime.heapStatsDelta", &ld))) {
		gpm_error_destroy(err);
		return;
	}
	uint64_t o_hs = gpm_layout_offset(lm, "heapStats"), o_st = gpm_layout_offset(lc, "stats");
	uint64_t off_sa, off_sf;
	const struct gpm_layout_field *fsa = gpm_layout_field(ld, "smallAllocCount", &off_sa);
	const struct gpm_layout_field *fsf = gpm_layout_field(ld, "smallFreeCount", &off_sf);
	if (o_hs == NONE || o_st == NONE || !fsa || !fsf || fsa->size != fsf->size ||
	    ld->size > 1 << 16 || fsa->size / 8 > GPM_HEAP_MAX_CLASSES)
		return;
	size_t ncls = (size_t)(fsa->size / 8);
	uint16_t class_size[GPM_HEAP_MAX_CLASSES];
	if (!cts || ctsz < ncls * 2 || (err = gpm_goimage_read(img, cts, class_size, ncls * 2))) {
		gpm_error_destroy(err);
		for (size_t c = 0; c < ncls; c++)
			class_size[c] = c < h->nclasses ? (uint16_t)h->classes[c].elemsize : 0;
	}
	uint8_t *d = malloc((size_t)ld->size);
	if (!d)
		return;
	// The shards hold signed deltas; summed modulo 2^64 their total is the stat (words
	// of a damaged core or of another build's layout must not overflow a signed sum).
	uint64_t in_heap = 0, in_stacks = 0, in_wb = 0, in_ps = 0;
	uint64_t lalloc = 0, lfree = 0, lallocn = 0, lfreen = 0, sbytes = 0, sobj = 0;
	bool ok = true;
	for (unsigned k = 0; k < 3 && ok; k++) {
		uint64_t a = ms + o_hs + o_st + k * ld->size;
		if ((err = gpm_goimage_read(img, a, d, (size_t)ld->size))) {
			gpm_error_destroy(err);
			ok = false;
			break;
		}
		struct fld f;
#define ADD(var, name)                                                                             \
	f = field_of(ld, name);                                                                    \
	if (f.off != NONE)                                                                         \
		var += get(d, f);
		ADD(in_heap, "inHeap");
		ADD(in_stacks, "inStacks");
		ADD(in_wb, "inWorkBufs");
		ADD(in_ps, "inPtrScalarBits");
#undef ADD
		lalloc += get(d, field_of(ld, "largeAlloc"));
		lfree += get(d, field_of(ld, "largeFree"));
		lallocn += get(d, field_of(ld, "largeAllocCount"));
		lfreen += get(d, field_of(ld, "largeFreeCount"));
		for (size_t c = 0; c < ncls; c++) {
			uint64_t a8 = get(d, (struct fld){off_sa + c * 8, 8});
			uint64_t f8 = get(d, (struct fld){off_sf + c * 8, 8});
			sobj += a8 - f8;
			sbytes += (a8 - f8) * class_size[c];
		}
	}
	free(d);
	if (!ok)
		return;
	h->rt.has_stats = true;
	h->rt.in_heap = in_heap;
	h->rt.in_stacks = in_stacks;
	h->rt.in_workbufs = in_wb;
	h->rt.in_ptrscalar = in_ps;
	h->rt.heap_alloc = lalloc - lfree + sbytes;
	h->rt.heap_objects = lallocn - lfreen + sobj;
}

/* ---- entry points ---- */

static int type_cmp(const void *a, const void *b)
{
	const struct gpm_heap_type *x = a, *y = b;
	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	return strcmp(x->name, y->name);
}

struct gpm_error *gpm_heap_read(struct gpm_process *p, const struct gpm_heap_options *o,
                                struct gpm_heap **out)
{
	struct gpm_heap *h = calloc(1, sizeof(*h));
	if (!h)
		return &gpm_error_nomem;
	struct walk w = {.p = p, .h = h, .ps = p->img->ptr_size ? p->img->ptr_size : 8};
	snprintf(h->go_version, sizeof(h->go_version), "%s", p->img->go_version);
	if (p->img->has_moduledata) {
		w.types_lo = p->img->moduledata.types;
		w.types_hi = p->img->moduledata.etypes;
	}
	struct gpm_error *err = NULL;
	if (w.ps != 8) {
		err = gpm_error_create(GPM_ERR_UNSUPPORTED, "heap: only 64-bit programs are read");
		goto fail;
	}
	if ((err = span_layout(&w)) || (err = find_allspans(&w)))
		goto fail;
	// Allocation headers came with Go 1.22, together with mspan.largeType.
	h->headers = w.sl.largetype.off != NONE;
	struct gpm_func gt;
	w.greentea = p->img->pclntab &&
	             gpm_pclntab_func_by_name(p->img->pclntab, "runtime.tryDeferToSpanScan", &gt);
	if (o && o->retention && !(w.graph = gpm_heap_graph_create(o->max_nodes))) {
		err = &gpm_error_nomem;
		goto fail;
	}
	if ((err = walk_spans(&w, o && o->max_spans ? o->max_spans : GPM_HEAP_MAX_SPANS)))
		goto fail;
	read_memstats(&w);
	if (w.graph) {
		gpm_heap_graph_retention(w.graph, p, h, o, intern_type, &w);
		gpm_heap_graph_destroy(w.graph);
		w.graph = NULL;
	}
	if (h->ntypes)
		qsort(h->types, h->ntypes, sizeof(*h->types), type_cmp);
	gpm_u64map_free(&w.type_ids);
	gpm_u64map_free(&w.arenas);
	*out = h;
	return NULL;
fail:
	gpm_u64map_free(&w.type_ids);
	gpm_u64map_free(&w.arenas);
	gpm_heap_graph_destroy(w.graph);
	gpm_heap_destroy(h);
	return err;
}

void gpm_heap_destroy(struct gpm_heap *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->ntypes; i++)
		free((char *)h->types[i].name);
	free(h->types);
	free(h->shape_skipped);
	for (size_t i = 0; i < h->nwarnings; i++)
		free(h->warnings[i]);
	free(h->warnings);
	gpm_heap_retention_free(&h->ret);
	free(h);
}
