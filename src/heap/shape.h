/*
 * Heap objects typed by their shape (internal to src/heap), for heaps that record no types
 * (before Go 1.22) in binaries without DWARF: an object's size class and pointer mask, read
 * from the heap bitmap, are matched against the pointer masks of the binary's type
 * descriptors. graph.c decides with the candidates (see shape.c for the rule).
 */
#ifndef GPM_HEAP_SHAPE_H
#define GPM_HEAP_SHAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "process/process.h"

/* Objects larger than this are not matched (the largest small size class). */
#define GPM_SHAPE_MAX_SIZE 32768

struct gpm_heap_shapes;

/* One type an object's shape fits. */
struct gpm_shape_cand {
	uint64_t type;      /* its descriptor */
	bool user;          /* a user struct (package main or a module outside the standard
	                     * library), or a pointer to one */
	uint64_t elem_size; /* 0: one value of the type; else the object is an array of the
	                     * type (its size) of as many elements as the mask covers */
};

/*
 * Indexes the type descriptors reachable from the binary's typelinks by (size class,
 * pointer mask). GPM_ERR_UNSUPPORTED (with the reason) when the heap bitmap of this Go
 * version is not read (Go 1.17-1.19 only) or the binary has no typelinks.
 */
struct gpm_error *gpm_heap_shapes_create(struct gpm_process *p, struct gpm_heap_shapes **out);
void gpm_heap_shapes_destroy(struct gpm_heap_shapes *s);
/* The size class of an allocation of size bytes (runtime/sizeclasses.go), 0 when over
 * GPM_SHAPE_MAX_SIZE. */
uint64_t gpm_heap_shapes_class(uint64_t size);
/* Type descriptors indexed. */
uint64_t gpm_heap_shapes_types(const struct gpm_heap_shapes *s);

/* Tells the reader that the in-use span at base is described by the mspan at span (the
 * heap arena's metadata is found through its page table). */
void gpm_heap_shapes_add_span(struct gpm_heap_shapes *s, uint64_t base, uint64_t span);

/*
 * The types whose shape the object of es bytes at addr has, up to cap in out (user types
 * first): single values, then arrays of n > 1 elements (the backing array of a slice).
 * Returns the number of candidates (which may exceed cap), or -1 when the object's heap
 * bits could not be read.
 */
long gpm_heap_shapes_match(struct gpm_heap_shapes *s, uint64_t addr, uint64_t es,
                           struct gpm_shape_cand *out, size_t cap);

#endif
