/*
 * Input files. A source is the whole content of one input as bytes in memory: plain files
 * are mmapped, zstd (.zst, systemd-coredump's core.*.zst) and gzip files are decompressed
 * once into an anonymous mapping. Pages of zeros in the decompressed stream are never
 * written, so the sparse parts of a core cost no memory.
 */
#ifndef GPM_BASE_SOURCE_H
#define GPM_BASE_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

enum gpm_compression {
	GPM_COMPRESSION_NONE,
	GPM_COMPRESSION_ZSTD,
	GPM_COMPRESSION_GZIP,
};

struct gpm_source {
	char *path;          /* owned; as given by the caller */
	const uint8_t *data; /* size bytes; NULL when size is 0 */
	size_t size;
	enum gpm_compression compression;
	uint64_t file_size; /* bytes on disk */
	void *map;          /* private */
	size_t map_len;     /* private */
	int owns_map;       /* private */
};

/* Decompressed inputs above this size are refused (GPM_ERR_LIMIT). */
#define GPM_SOURCE_MAX_SIZE ((uint64_t)256 << 30)

struct gpm_error *gpm_source_open(const char *path, struct gpm_source **out);
/* Wraps caller memory (borrowed; it must outlive the source); decompresses if compressed. */
struct gpm_error *gpm_source_from_memory(const void *data, size_t size, const char *name,
                                         struct gpm_source **out);
void gpm_source_destroy(struct gpm_source *src);
/*
 * Lets the kernel take back the pages of a file-backed (uncompressed) source that have been
 * read; the bytes stay valid and are read again on the next access. Long walks over a big
 * core call it now and then so gopm's resident memory does not grow with the core. No-op
 * for decompressed sources, whose pages hold the only copy.
 */
void gpm_source_release_pages(struct gpm_source *src);
const char *gpm_compression_name(enum gpm_compression c);

#endif
