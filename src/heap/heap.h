/*
 * The Go heap of a dumped process, as the runtime sees it: every span of mheap_.allspans
 * (state, size class, element size, allocation bits, free index), the objects allocated in
 * the in-use spans, and what the heap itself records about their types (the allocation
 * header of objects over 512 bytes and span.largeType of large objects, Go 1.22+). Stack
 * and other manually managed spans are accounted separately. The totals are reconciled
 * with the runtime's own accounting in the same core (mheap_.pagesInUse always; with DWARF
 * also memstats.heapStats: bytes in heap spans, stacks, work buffers and the allocation
 * counters).
 *
 * Mirrors runtime/mheap.go (mheap, mspan, mSpanState), runtime/mbitmap.go (allocation
 * headers, Go 1.22-1.27), runtime/mcache.go (cached spans' allocation counts) and
 * runtime/mstats.go (heapStatsDelta), Go 1.19-1.27. Struct offsets come from the binary's
 * layouts (gpm_goimage_layout "runtime.mspan"); see walk.c for how mheap_ is found when
 * the binary has neither symbols nor a layout of runtime.mheap.
 */
#ifndef GPM_HEAP_HEAP_H
#define GPM_HEAP_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/strbuf.h"
#include "goroutines/process.h"

/* Caps on what a core controls (reported in warnings when hit). */
#define GPM_HEAP_MAX_SPANS   ((uint64_t)1 << 26) /* entries of allspans walked */
#define GPM_HEAP_MAX_TYPES   (1 << 20)           /* distinct type descriptors named */
#define GPM_HEAP_MAX_CLASSES 256                 /* size classes (Go has 68) */
#define GPM_HEAP_PAGE_SIZE   8192                /* runtime._PageSize, all versions */

/* One size class (class 0 = large objects, one per span). */
struct gpm_heap_class {
	uint64_t elemsize; /* of the spans seen (large: 0) */
	uint64_t spans, objects, bytes;
	uint64_t free_slots; /* unallocated slots in its in-use spans */
};

/* Objects of one type as recorded by the heap (allocation header or span.largeType). */
struct gpm_heap_type {
	const char *name; /* owned by the heap; terminal-safe; "[]T" for arrays of T */
	uint64_t type;    /* address of the type descriptor */
	uint64_t count, bytes;
};

/* The runtime's own accounting, read from the same core. */
struct gpm_heap_runtime {
	bool has_pages_in_use;
	uint64_t pages_in_use; /* mheap_.pagesInUse */
	const char *pages_how; /* how it was found (static string) */
	bool has_stats;        /* memstats.heapStats (needs runtime.mstats' layout: DWARF) */
	uint64_t in_heap, in_stacks, in_workbufs, in_ptrscalar; /* bytes */
	uint64_t heap_alloc;   /* HeapAlloc: allocated bytes, as ReadMemStats computes it */
	uint64_t heap_objects; /* HeapObjects */
	uint64_t cached_adjust_objects, cached_adjust_bytes; /* allocations in spans cached
	                                                        by an mcache, not yet in the
	                                                        counters (see walk.c) */
};

struct gpm_heap {
	char go_version[64];
	const char *allspans_how; /* static string: how mheap_.allspans was found */
	uint64_t mheap_addr;      /* 0 when only allspans was found */
	uint64_t allspans, nallspans;
	uint32_t sweepgen;
	bool has_sweepgen;

	/* Spans by state. */
	uint64_t spans_inuse, spans_manual, spans_dead, spans_bad;
	uint64_t pages_inuse;    /* pages of in-use (heap) spans */
	uint64_t inuse_bytes;    /* their bytes: HeapInuse */
	uint64_t manual_bytes;   /* stacks, work buffers (and GC program bits before 1.22) */
	uint64_t spans_cached;   /* in-use spans held by an mcache */
	uint64_t spans_unswept;  /* in-use spans not swept since the last GC */
	uint64_t count_mismatch; /* spans whose allocCount differs from the bits counted */

	/* Allocated objects (in-use spans; unswept spans count as allocated, as the runtime
	 * does). */
	uint64_t objects, bytes;
	uint64_t small_objects, small_bytes, large_objects, large_bytes;
	uint64_t tiny_blocks; /* 16-byte noscan blocks of the tiny allocator */
	uint64_t noscan_objects, noscan_bytes;

	/* Types the heap records (Go 1.22+): typed = from a header or largeType. */
	bool headers; /* this heap has allocation headers */
	uint64_t typed_objects, typed_bytes;
	uint64_t bad_headers;        /* header words that were not a type descriptor */
	struct gpm_heap_type *types; /* ntypes, owned, sorted by bytes descending */
	size_t ntypes;

	struct gpm_heap_class classes[GPM_HEAP_MAX_CLASSES];
	unsigned nclasses; /* highest class seen + 1 */

	struct gpm_heap_runtime rt;

	char **warnings; /* owned, terminal-safe */
	size_t nwarnings;
};

struct gpm_heap_options {
	uint64_t max_spans; /* 0 = GPM_HEAP_MAX_SPANS */
};

/*
 * Walks the heap of p. Errors: GPM_ERR_UNSUPPORTED when the binary has no layout of
 * runtime.mspan, GPM_ERR_NOT_FOUND when allspans cannot be found, GPM_ERR_NOMEM. Damage in
 * single spans becomes warnings and counts (spans_bad).
 */
struct gpm_error *gpm_heap_read(struct gpm_process *p, const struct gpm_heap_options *o,
                                struct gpm_heap **out);
void gpm_heap_destroy(struct gpm_heap *h);

/* Whether a runtime total matches ours within 1% (and how far off, in per mille). */
struct gpm_heap_check {
	const char *what; /* "heap spans (mheap_.pagesInUse)" */
	uint64_t ours, runtime;
	bool ok;
};
/* The reconciliation lines that can be made for h (up to cap); returns their number. */
size_t gpm_heap_checks(const struct gpm_heap *h, struct gpm_heap_check *out, size_t cap);

/* Text report: totals, reconciliation, top types by bytes and count, size classes. */
void gpm_heap_format_text(const struct gpm_heap *h, size_t top, struct gpm_strbuf *sb);
/* The same as one JSON document. */
void gpm_heap_format_json(const struct gpm_heap *h, size_t top, struct gpm_strbuf *sb);

#endif
