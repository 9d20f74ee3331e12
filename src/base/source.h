/*
 * Input files. A source is the whole content of one input as bytes in memory: plain files
 * are mmapped; zstd (.zst, systemd-coredump's core.*.zst), gzip, xz and lz4 (older systemd,
 * RHEL 8) inputs, recognised by their magic bytes, are decompressed once, streaming, into
 * an anonymous mapping, and so is standard input. Pages of zeros in the decompressed stream
 * are never written, so the sparse parts of a core cost no memory.
 *
 * Inputs may be hostile (a shared incident service), so reading is bounded while it
 * streams, never after: a hard cap on the decompressed size, a cap on the bytes a
 * decompressor may materialise per compressed byte (decompression bombs), and a check of
 * the first bytes of the content before the rest is read (an input of an unknown kind
 * fails at once instead of after gigabytes). Non-regular files (FIFOs, devices) are
 * refused before they can block; a file descriptor is read only when the caller asks.
 */
#ifndef GPM_BASE_SOURCE_H
#define GPM_BASE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "base/error.h"
#include "base/sha256.h"

enum gpm_compression {
	GPM_COMPRESSION_NONE,
	GPM_COMPRESSION_ZSTD,
	GPM_COMPRESSION_GZIP,
	GPM_COMPRESSION_XZ,
	GPM_COMPRESSION_LZ4,
	/* an apport crash report (Ubuntu's .crash files in /var/crash): its CoreDump field, base64
	   lines of a gzip stream, is the content */
	GPM_COMPRESSION_APPORT,
};

struct gpm_source_hash;

struct gpm_source {
	char *path;          /* owned; as given by the caller */
	const uint8_t *data; /* size bytes; NULL when size is 0 */
	size_t size;
	enum gpm_compression compression;
	uint64_t file_size;               /* bytes read or on disk (compressed) */
	int64_t mtime;                    /* the file's mtime; the time of reading for a pipe */
	char sha256[GPM_SHA256_HEX_SIZE]; /* identity (base/identity.h) of the file_size bytes; ""
	                                     unless asked for */
	void *map;                        /* private */
	size_t map_len;                   /* private */
	int owns_map;                     /* private */
	int file_backed;                  /* private: map is the file's */
	int fd;                           /* private: the mapped file (file_backed), else -1 */
	struct gpm_source_hash *hash_pending; /* private: see gpm_source_hash_take */
	struct gpm_source_stream *stream;     /* private: see gpm_source_reading */
	/* owned: why the compressed stream stopped early (the option partial), the bytes decoded
	   before it being the content; NULL when it was read whole */
	char *cut;
};

/*
 * Bounds on what reading one input may cost. Zero fields take the defaults, which the
 * environment can change (documented in gopm(1)):
 *   GOPM_MAX_INPUT  hard cap on an input's size after decompression, in bytes with an
 *                   optional K, M, G or T (binary) suffix; default 64G
 *   GOPM_MAX_RATIO  non-zero bytes a compressed input may expand to per compressed byte
 *                   (above the first 256 MiB); default 256. Real cores and dumps stay
 *                   below 30: their zero pages, which cost nothing, are not counted.
 */
struct gpm_source_limits {
	uint64_t max_size;
	uint64_t max_ratio;
	uint64_t ratio_floor; /* non-zero bytes always allowed; default 256 MiB */
};

enum { GPM_SOURCE_HEAD = 64 << 10 };

struct gpm_source_options {
	struct gpm_source_limits limits;
	bool hash; /* compute the identity of the input's bytes (before decompression) while reading
	            */
	/*
	 * With hash: a big plain file may be hashed in a thread of its own while the caller
	 * goes on; sha256 stays "" until gpm_source_hash_take + gpm_source_hash_finish.
	 */
	bool hash_async;
	/*
	 * When set, called once with the first GPM_SOURCE_HEAD bytes of the content (fewer
	 * when the content is shorter; n may be 0) as soon as they are known, before the rest
	 * is read or decompressed; an error it returns ends reading and is returned.
	 */
	struct gpm_error *(*check_head)(const uint8_t *p, size_t n, const char *name, void *arg);
	void *arg;
	/*
	 * The caller reads the content front to back and calls gpm_source_reading as it goes:
	 * a big plain file (not ELF) is then not populated at open; the parts being read are
	 * copied in with pread(2) into a few recycled windows of memory mapped over the file's
	 * mapping instead. Other inputs ignore it.
	 */
	bool sequential;
	/*
	 * A compressed input that ends early (a file cut by a full disk, a size limit, an upload
	 * or download that stopped) or turns corrupt keeps what was decoded before that point,
	 * when that is anything: src->cut says why it stopped. Otherwise such an input is an
	 * error (GPM_ERR_FORMAT). For inputs read as far as they go (cores, dumps), not for an
	 * executable.
	 */
	bool partial;
};

/* The defaults above, after the environment; GPM_ERR_USAGE for a malformed variable. */
struct gpm_error *gpm_source_limits_default(struct gpm_source_limits *out);

/*
 * Opens a regular file (o may be NULL: default limits, no hash). A FIFO, device, socket or
 * directory is refused (GPM_ERR_OS) without blocking. An apport crash report is opened as
 * the core it holds (GPM_ERR_UNSUPPORTED when it holds none). Errors: GPM_ERR_OS, GPM_ERR_FORMAT
 * (corrupt compressed data), GPM_ERR_LIMIT (a limit above), or what check_head returns.
 */
struct gpm_error *gpm_source_open(const char *path, struct gpm_source **out);
struct gpm_error *gpm_source_open_opts(const char *path, const struct gpm_source_options *o,
                                       struct gpm_source **out);
/* Reads fd (a pipe, say standard input) to its end under the same rules; fd stays open. */
struct gpm_error *gpm_source_read_fd(int fd, const char *name, const struct gpm_source_options *o,
                                     struct gpm_source **out);
/* Wraps caller memory (borrowed; it must outlive the source); decompresses if compressed. */
struct gpm_error *gpm_source_from_memory(const void *data, size_t size, const char *name,
                                         struct gpm_source **out);
struct gpm_error *gpm_source_from_memory_opts(const void *data, size_t size, const char *name,
                                              const struct gpm_source_options *o,
                                              struct gpm_source **out);
void gpm_source_destroy(struct gpm_source *src);
/*
 * Lets the kernel take back the pages of a file-backed (uncompressed) source that have been
 * read; the bytes stay valid and are read again on the next access. Long walks over a big
 * core call it now and then so gopm's resident memory does not grow with the core. No-op
 * for decompressed sources, whose pages hold the only copy.
 */
void gpm_source_release_pages(struct gpm_source *src);
/*
 * For a source opened with sequential: the reader is at at (in src->data) and reads on
 * from there. Returns where to call again (src->data + src->size: no more calls are
 * needed; that too for any other source). The bytes at every address of src->data stay
 * the file's throughout: the windows ahead of at hold copies read with pread(2), the rest
 * is the file's mapping. On this VM touching a page of a file mapping for the first time
 * costs several times what copying it into memory already mapped does
 * (doc/performance.md, twelfth text round).
 */
const uint8_t *gpm_source_reading(struct gpm_source *src, const uint8_t *at);
/*
 * Says that what the reader has passed (before the window it reads) will not be read again
 * soon: a source read through windows reuses those windows' copies first rather than
 * making more (each new one is fresh memory to zero). Called once a dump snapshot has been
 * parsed and analysed, the copies held are about the largest snapshot's text. Advice only:
 * every byte stays readable. No-op for any other source.
 */
void gpm_source_read_done(struct gpm_source *src);
/*
 * Copies len bytes at p (a pointer into src->data) into buf. A file-backed source reads
 * them with pread(2) instead of through its mapping: a walk that visits scattered bytes
 * of a big core once (a million goroutines' g's and stacks) then costs one copy per
 * block read instead of a page fault and a page of resident memory per page touched.
 * Others copy from memory. False when the file could not be read (p..p+len must lie in
 * src->data).
 */
bool gpm_source_copy(const struct gpm_source *src, const uint8_t *p, void *buf, size_t len);
/* gpm_source_copy of the contiguous bytes at p into n buffers, one after the other: one
 * preadv(2) where gpm_source_copy would make n preads. */
bool gpm_source_copyv(const struct gpm_source *src, const uint8_t *p, const struct iovec *iov,
                      int n);
/* Whether gpm_source_copy reads the file (rather than memory). */
bool gpm_source_reads_file(const struct gpm_source *src);
const char *gpm_compression_name(enum gpm_compression c);

/* A hash still being computed (hash_async): owned by whoever takes it. */
struct gpm_source_hash;
/* Takes the pending hash out of src (NULL when none: src->sha256 is final). */
struct gpm_source_hash *gpm_source_hash_take(struct gpm_source *src);
/*
 * Waits for h, writes its digest to out (may be NULL; "" when the file shrank while it was
 * hashed) and frees h; h may be NULL.
 */
void gpm_source_hash_finish(struct gpm_source_hash *h, char out[GPM_SHA256_HEX_SIZE]);

#endif
