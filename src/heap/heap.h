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
#include "process/process.h"

/* Caps on what a core controls (reported in warnings when hit). */
#define GPM_HEAP_MAX_SPANS   ((uint64_t)1 << 26) /* entries of allspans walked */
#define GPM_HEAP_MAX_TYPES   (1 << 20)           /* distinct type descriptors named */
#define GPM_HEAP_MAX_CLASSES 256                 /* size classes (Go has 68) */
#define GPM_HEAP_PAGE_SIZE   8192                /* runtime._PageSize, all versions */
#define GPM_HEAP_ARENA_SHIFT 26 /* runtime.logHeapArenaBytes, 64-bit Linux (64 MiB arenas) */

/* One size class (class 0 = large objects, one per span). */
struct gpm_heap_class {
	uint64_t elemsize; /* of the spans seen (large: 0) */
	uint64_t spans, objects, bytes;
	uint64_t free_slots; /* unallocated slots in its in-use spans */
	/* Its objects given a type (headers, or propagation with retention), when typed_known:
	 * the rest are its untyped bytes. */
	uint64_t typed_objects, typed_bytes;
};

/* Objects of one type as recorded by the heap (allocation header or span.largeType). */
struct gpm_heap_type {
	const char *name; /* owned by the heap; terminal-safe; "[]T" for arrays of T */
	uint64_t type;    /* address of the type descriptor */
	bool several;     /* "[]T": objects holding several values of type */
	uint64_t count, bytes;
	/* With retention (gpm_heap_options.retention): */
	uint64_t reachable;      /* instances reachable from the roots */
	uint64_t retained_bytes; /* freed if every instance died: the bytes dominated by its
	                            instances (not counting instances under another instance) */
};

/* What keeps objects alive: a global variable or a goroutine's stack frame (and, in the
 * list of what retains most, the objects several of them share). */
enum gpm_heap_root_kind {
	GPM_HEAP_ROOT_GLOBAL,
	GPM_HEAP_ROOT_FRAME,
	GPM_HEAP_ROOT_OBJECT, /* not a root: an object several roots share, at the top of the
	                         dominator tree (listed with the roots, explained by a path) */
};

struct gpm_heap_root {
	char *name; /* owned, terminal-safe: "main.cache", "0x5a3f20 (.bss)",
	               "goroutine 7 main.worker" */
	enum gpm_heap_root_kind kind;
	uint64_t addr, size; /* the global; for a frame the stack words scanned [addr, addr+size) */
	uint64_t goid;       /* frames */
	uint64_t retained_objects, retained_bytes; /* dominated by this root alone */
	char *holds;          /* owned: the type it mostly keeps (its largest dominated
	                         object, followed through untyped ones), NULL when none */
	uint64_t holds_bytes; /* that object's retained bytes */
};

/* One step of a reference path: a root or a heap object. */
struct gpm_heap_hop {
	char *what; /* owned, terminal-safe: the root's name, the object's type, or
	               "object (64 B, untyped)" */
	bool root;
	uint64_t addr;   /* the object (or the global / the frame's words) */
	uint64_t size;   /* of the object */
	uint64_t offset; /* where in it the pointer to the next hop is (UINT64_MAX: last hop or
	                    not found again) */
};

/* A shortest reference path from a root to one object. */
struct gpm_heap_path {
	char *why; /* owned: what the path explains ("type main.entry", "largest object") */
	struct gpm_heap_hop *hops; /* owned, root first */
	size_t nhops;
	uint64_t elided;   /* hops left out of the middle of a very long path */
	uint64_t retained; /* a shared object's retained bytes (0: not one) */
};

/* Reachability and retention (see graph.c). */
struct gpm_heap_retention {
	bool done;
	char *skipped;         /* owned: why retention was not computed, NULL when done */
	uint64_t nodes, edges; /* allocated objects and pointers between them / from roots */
	uint64_t global_roots, frame_roots, root_pointers;
	uint64_t stacks_scanned, stacks_skipped;        /* goroutines */
	uint64_t frames_precise, frames_conservative;   /* by stack maps / word by word */
	uint64_t objects_precise, objects_conservative; /* by type masks or heap bits / every
	                                                   word (heaps before Go 1.22) */
	bool have_globals;                              /* data/bss pointer masks were read */
	uint64_t reachable_objects, reachable_bytes;
	uint64_t unreachable_objects, unreachable_bytes;
	uint64_t outside_objects;    /* in spans the graph could not take (damaged, not in the
	                                core, over the cap): neither reachable nor unreachable */
	bool dominators;             /* retained sizes computed */
	char *dominators_skipped;    /* owned: why not */
	struct gpm_heap_root *roots; /* owned: the roots retaining most, by retained bytes */
	size_t nroots;
	struct gpm_heap_path *paths; /* owned: why the top types and the largest objects live */
	size_t npaths;
	/* The dominator tree folded into reference chains, for the retention profile: node 0
	 * stands for all roots; every other node is a root, a type or "(several roots)" under
	 * its parent (an earlier node). A reachable object counts at the node that ends its
	 * chain: the root, the types of the objects that dominate it (a run of one type is
	 * one node; chains are cut at GPM_HEAP_CHAIN_DEPTH), its own type. */
	struct gpm_heap_chain *chains; /* owned; nchains, empty without dominators */
	size_t nchains;
	bool chains_capped; /* over GPM_HEAP_CHAIN_NODES: objects counted at their parent */
};

#define GPM_HEAP_CHAIN_DEPTH 32
#define GPM_HEAP_CHAIN_NODES 200000

struct gpm_heap_chain {
	uint32_t parent;         /* an earlier node; 0 under node 0 itself */
	char *name;              /* owned, terminal-safe */
	uint64_t objects, bytes; /* the objects whose chain ends here */
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
	uint64_t bad_headers; /* header words that were not a type descriptor */
	/* Typed by following typed pointers (with retention, Go 1.22+): also counted in the
	 * types' count/bytes, not in typed_objects/typed_bytes. */
	uint64_t inferred_objects, inferred_bytes;
	uint64_t dwarf_globals;  /* globals whose DWARF type started the propagation */
	uint64_t dwarf_locals;   /* frames' arguments and locals (DWARF) that did */
	bool frames_capped;      /* frames past GPM_HEAP_MAX_PROP_FRAMES not looked at */
	uint64_t record_seeds;   /* panic values and heap _defer records that did */
	uint64_t closures_typed; /* deferred closures typed by their closure struct (DWARF) */
	uint64_t closures_named; /* deferred closures named by their function alone */
	/* Typed by shape (before Go 1.22, shape.c): objects left untyped whose size class and
	 * pointer mask (heap bitmap) fit exactly one type descriptor of the binary, or one
	 * type of a user package that what its pointer fields point at confirms. Also counted
	 * in inferred_*; what they point to is typed in turn (inferred_* too). */
	bool shape_ran;
	char *shape_skipped;    /* owned: why shape typing did not run, NULL when it ran */
	uint64_t shape_types;   /* type descriptors indexed by shape */
	uint64_t shape_checked; /* untyped objects with pointers matched */
	uint64_t shape_objects, shape_bytes;      /* typed by shape */
	uint64_t shape_confirmed;                 /* of those, a user type chosen by its pointers */
	uint64_t shape_arrays, shape_array_bytes; /* of those, arrays of an element type */
	uint64_t shape_ambiguous, shape_ambiguous_bytes; /* fit several: left untyped */
	uint64_t shape_unmatched, shape_unmatched_bytes; /* fit none, or no heap bits */
	bool typed_known;            /* classes[].typed_* are counted (the type propagation ran) */
	struct gpm_heap_type *types; /* ntypes, owned, sorted by bytes descending */
	size_t ntypes;

	struct gpm_heap_class classes[GPM_HEAP_MAX_CLASSES];
	unsigned nclasses; /* highest class seen + 1 */

	struct gpm_heap_runtime rt;

	struct gpm_heap_retention ret;

	char **warnings; /* owned, terminal-safe */
	size_t nwarnings;
};

struct gpm_incident;

/* An object looked up by address (gpm_heap_options.find), with the type the walk gave it
 * (allocation header, DWARF-seeded propagation, shape). */
struct gpm_heap_object {
	uint64_t addr;       /* the address asked */
	bool found;          /* an allocated heap object holds it */
	uint64_t base, size; /* that object (size: its slot) */
	uint64_t type;       /* its type descriptor, 0 when untyped */
	bool several;        /* it holds several values of type (a slice's backing array) */
};

struct gpm_heap_options {
	uint64_t max_spans; /* 0 = GPM_HEAP_MAX_SPANS */
	/* Reachability from the roots, reference paths and retained sizes (graph.c). */
	bool retention;
	/* The goroutines read from the same core (their frames' stack pointers): their stacks
	 * are roots. NULL: globals only, and the report says so. */
	const struct gpm_incident *goroutines;
	uint64_t max_nodes; /* objects in the graph; 0 = GPM_HEAP_MAX_NODES */
	size_t paths;       /* types to explain with a path; 0 = 5 */
	/* Objects to look up once typed (with retention): found[i] for find[i]. */
	const uint64_t *find;
	struct gpm_heap_object *found;
	size_t nfind;
};

#define GPM_HEAP_MAX_NODES ((uint64_t)1 << 28)
/* Goroutine frames whose DWARF variables seed the type propagation, at most. */
#define GPM_HEAP_MAX_PROP_FRAMES 100000

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
/* A reference path's hops, one a line after indent, root first, as the text report shows
 * them (the archive keeps them so: gopm tui shows why a type is alive). */
void gpm_heap_format_path(const struct gpm_heap_path *pa, const char *indent,
                          struct gpm_strbuf *sb);
/* The same as one JSON document. */
void gpm_heap_format_json(const struct gpm_heap *h, size_t top, struct gpm_strbuf *sb);

#endif
