/*
 * Reader of runtime/debug.WriteHeapDump files: the "go1.7 heap dump" format of
 * runtime/heapdump.go (unchanged from Go 1.7 to 1.27). A dump is a header line and then
 * records, each a uvarint tag followed by uvarints, length-prefixed byte strings and
 * field lists (kind, offset pairs ending with kind 0): params, itabs and types, every
 * allocated object with its contents and pointer offsets, goroutines with their stack
 * frames, defers and panics, OS threads, the data and bss roots, finalizers, memstats and
 * the memory profile. The reader summarises it (objects by size, roots, goroutines,
 * memstats, allocation sites) in one pass without keeping object contents; objects' types
 * are not in the format, so with an executable given the allocation header of Go 1.22+
 * objects over 512 bytes names them.
 */
#ifndef GPM_HEAP_HEAPDUMP_H
#define GPM_HEAP_HEAPDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/strbuf.h"

struct gpm_goimage;

#define GPM_HEAPDUMP_MAX_RECORDS ((uint64_t)1 << 32) /* records read */
#define GPM_HEAPDUMP_MAX_SIZES   4096                /* distinct object sizes kept */
#define GPM_HEAPDUMP_MAX_SITES   65536               /* memory-profile buckets kept */
#define GPM_HEAPDUMP_MAX_STACK   1024                /* frames of one profile bucket */
#define GPM_HEAPDUMP_MAX_TYPES   65536               /* distinct types kept */

/* Objects of one size (the size class the runtime recorded). */
struct gpm_heapdump_size {
	uint64_t size, count;
};

/* Objects of one type (named through an executable's type descriptors). */
struct gpm_heapdump_type {
	char *name;    /* owned, terminal-safe */
	uint64_t type; /* descriptor address | 1 when an array of it */
	uint64_t count, bytes;
};

/* A memory-profile bucket: the innermost function of its stack and its counters. */
struct gpm_heapdump_site {
	char *func; /* owned, terminal-safe */
	char *file; /* owned, terminal-safe */
	uint64_t line, size, allocs, frees;
};

struct gpm_heapdump {
	bool big_endian;
	uint64_t ptr_size, arena_start, arena_end, ncpu;
	char arch[32], go_version[64]; /* terminal-safe */

	uint64_t objects, object_bytes, pointer_fields;
	uint64_t goroutines, frames, defers, panics, threads, itabs, types, finalizers, other_roots,
	    alloc_samples;
	uint64_t data_bytes, bss_bytes, data_pointers, bss_pointers;

	struct gpm_heapdump_size *sizes; /* nsizes, owned, by bytes descending */
	size_t nsizes;
	struct gpm_heapdump_type *otypes; /* notypes, owned, by bytes descending */
	size_t notypes;
	uint64_t typed_objects, typed_bytes;
	struct gpm_heapdump_site *sites; /* nsites, owned, by in-use bytes descending */
	size_t nsites;

	bool has_memstats;
	uint64_t memstats[24]; /* Alloc ... PauseTotalNs, in runtime.MemStats order */
	uint64_t numgc;

	char **warnings; /* owned */
	size_t nwarnings;
};

/* Index of MemStats fields in memstats[]. */
enum {
	GPM_MS_ALLOC = 0,
	GPM_MS_TOTAL_ALLOC = 1,
	GPM_MS_SYS = 2,
	GPM_MS_MALLOCS = 4,
	GPM_MS_FREES = 5,
	GPM_MS_HEAP_ALLOC = 6,
	GPM_MS_HEAP_SYS = 7,
	GPM_MS_HEAP_INUSE = 9,
	GPM_MS_HEAP_OBJECTS = 11,
	GPM_MS_STACK_INUSE = 12,
};

/* Whether data starts like a heap dump. */
bool gpm_heapdump_detect(const void *data, size_t size);

/*
 * Reads a dump. img (may be NULL) is the program's image, to name the types of objects
 * carrying an allocation header. Errors: GPM_ERR_FORMAT naming the offset of the first bad
 * record (a truncated dump that has its objects still gives a result with a warning),
 * GPM_ERR_UNSUPPORTED for another dump version, GPM_ERR_NOMEM.
 */
struct gpm_error *gpm_heapdump_parse(const void *data, size_t size, struct gpm_goimage *img,
                                     struct gpm_heapdump **out);
void gpm_heapdump_destroy(struct gpm_heapdump *d);

void gpm_heapdump_format_text(const struct gpm_heapdump *d, size_t top, struct gpm_strbuf *sb);
void gpm_heapdump_format_json(const struct gpm_heapdump *d, size_t top, struct gpm_strbuf *sb);

#endif
