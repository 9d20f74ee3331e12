/*
 * The object graph of a heap (internal to src/heap): the heap walk (walk.c) hands every
 * in-use span to a builder, which numbers the span's slots; graph.c then finds the
 * pointers between allocated objects and from the roots, and answers what keeps the heap
 * alive (struct gpm_heap_retention in heap.h).
 */
#ifndef GPM_HEAP_GRAPH_H
#define GPM_HEAP_GRAPH_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "heap/heap.h"

struct gpm_heap_graph;

/* NULL on out of memory. max_nodes caps the slots numbered (then retention is skipped). */
struct gpm_heap_graph *gpm_heap_graph_create(uint64_t max_nodes);
void gpm_heap_graph_destroy(struct gpm_heap_graph *g);

/* How the pointers of a span's objects are known (runtime/mbitmap.go, Go 1.22-1.27). */
enum gpm_heap_span_flags {
	GPM_HEAP_SPAN_NOSCAN = 1,   /* no pointers at all (span class noscan bit, every version) */
	GPM_HEAP_SPAN_HEADER = 2,   /* objects start with an allocation header (*_type) */
	GPM_HEAP_SPAN_HEAPBITS = 4, /* a pointer bitmap at heap_bits (objects <= 512 bytes) */
	GPM_HEAP_SPAN_LARGE_TYPED = 8, /* one object, typed by span.largeType */
};

/*
 * Records an in-use span of nelems slots of elemsize bytes at base; slot i is allocated
 * when i < freeindex or bit i of allocbits is set (allocbits may be NULL). heap_bits is
 * the address of the span's pointer bitmap (GPM_HEAP_SPAN_HEAPBITS), mspan the address of
 * the runtime's mspan (shape.c finds heap arenas' metadata by it). Returns the id of
 * slot 0, or UINT32_MAX when the span was not recorded (cap, memory).
 */
uint32_t gpm_heap_graph_add_span(struct gpm_heap_graph *g, uint64_t base, uint64_t elemsize,
                                 uint64_t nelems, const uint8_t *allocbits, uint64_t freeindex,
                                 unsigned flags, uint64_t heap_bits, uint64_t mspan);
/* The object in slot id has type index t (into gpm_heap.types). */
void gpm_heap_graph_set_type(struct gpm_heap_graph *g, uint32_t id, uint32_t t);

/* The index in h->types of type descriptor `type` for an object of `usable` bytes ("[]T"
 * when it holds several), adding it when new; UINT32_MAX when it cannot be named. With
 * name (not NULL): a type without a descriptor (a closure named by its function), `type`
 * then the code address that identifies it. */
typedef uint32_t gpm_heap_type_intern_fn(void *ctx, uint64_t type, uint64_t usable,
                                         const char *name);

/* Builds the graph, types objects along typed pointers (Go 1.22+, through intern) and
 * fills h->ret (and the types' reachable / retained_bytes). */
void gpm_heap_graph_retention(struct gpm_heap_graph *g, struct gpm_process *p, struct gpm_heap *h,
                              const struct gpm_heap_options *o, gpm_heap_type_intern_fn *intern,
                              void *ctx);

/* Frees what h->ret owns. */
void gpm_heap_retention_free(struct gpm_heap_retention *r);

#endif
