/*
 * Reader of pprof heap profiles: the profile.proto form runtime/pprof writes by default
 * (github.com/google/pprof/proto/profile.proto, usually gzip-compressed) and the legacy
 * text form of ?debug=1 ("heap profile: N: B [N: B] @ heap/RATE", records with their
 * "#\t0xPC\tfunc+0xOFF\tfile:line" frames, then "# runtime.MemStats"). Samples are summed
 * by allocation site (the innermost frame: function, file, line): in-use and allocated
 * objects and bytes. The protobuf decoder is a minimal varint / length-delimited reader
 * over a bounds-checked cursor.
 */
#ifndef GPM_HEAP_PPROF_H
#define GPM_HEAP_PPROF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/strbuf.h"

#define GPM_PPROF_MAX_ITEMS  ((uint64_t)1 << 24) /* strings, functions, locations, samples */
#define GPM_PPROF_MAX_VALUES 16                  /* sample types */

struct gpm_pprof_site {
	char *func, *file; /* owned, terminal-safe */
	int64_t line;
	int64_t inuse_objects, inuse_bytes, alloc_objects, alloc_bytes;
};

/* Which of the four columns a profile has (gpm_pprof.present): a profile.proto names its
 * sample types, and a debug=1 text has the allocation columns only when they differ from
 * the in-use ones (pprof's rule). An absent column's values are 0 and must not be shown. */
enum {
	GPM_PPROF_INUSE_OBJECTS = 1 << 0,
	GPM_PPROF_INUSE_SPACE = 1 << 1,
	GPM_PPROF_ALLOC_OBJECTS = 1 << 2,
	GPM_PPROF_ALLOC_SPACE = 1 << 3,
};

struct gpm_pprof {
	bool text;              /* read from the ?debug=1 text */
	uint8_t present;        /* GPM_PPROF_* bits */
	char sample_types[256]; /* "alloc_objects/count,alloc_space/bytes,..." (terminal-safe) */
	uint64_t samples;
	int64_t inuse_objects, inuse_bytes, alloc_objects, alloc_bytes; /* totals */
	int64_t rate; /* sampling period in bytes: profile.proto's period, or MemProfileRate
	                 of a debug=1 text ("@ heap/N" is twice it); its records are unsampled
	                 with it as pprof does, so every count and total is an estimate of
	                 all allocations, as profile.proto's already are */
	struct gpm_pprof_site *sites; /* nsites, owned, by in-use bytes descending */
	size_t nsites;
	bool has_memstats; /* text form only */
	uint64_t heap_alloc, heap_objects, heap_inuse;
};

/* Whether data looks like a heap profile (gzip, profile.proto, or the debug=1 text). */
bool gpm_pprof_detect(const void *data, size_t size);
/* Reads a profile (gzip-compressed or not). GPM_ERR_FORMAT names what is wrong;
 * GPM_ERR_UNSUPPORTED: a C++ (tcmalloc/gperftools) heap profile, not a Go program's. */
struct gpm_error *gpm_pprof_parse(const void *data, size_t size, struct gpm_pprof **out);
void gpm_pprof_destroy(struct gpm_pprof *p);

void gpm_pprof_format_text(const struct gpm_pprof *p, size_t top, struct gpm_strbuf *sb);
void gpm_pprof_format_json(const struct gpm_pprof *p, size_t top, struct gpm_strbuf *sb);

#endif
