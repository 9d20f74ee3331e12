/*
 * The identity of an input in the archive: a tree hash, SHA-256 over the concatenation of
 * the SHA-256 digests of the input's 4 MiB chunks (the last one shorter; an empty input has
 * no chunk, so its identity is the SHA-256 of nothing) — the scheme of Dropbox's content
 * hash. Unlike one SHA-256 over the whole file, its chunks are hashed in parallel: a big
 * plain file is hashed by as many threads as there are CPUs (capped), so that storing a
 * 700 MB core costs little more than analysing it (doc/performance.md). It is computed over
 * the bytes as given (a .zst stays a .zst), like the whole-file SHA-256 that identified
 * inputs until schema 7, whose rows keep their kind (gpm_identity_kind names both).
 *
 * The value can be checked with coreutils alone:
 *   split -b 4M FILE c. && for f in c.*; do sha256sum <"$f" | cut -c1-64; done \
 *     | xxd -r -p | sha256sum
 */
#ifndef GPM_BASE_IDENTITY_H
#define GPM_BASE_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/sha256.h"

enum { GPM_IDENTITY_CHUNK = 4 << 20, GPM_IDENTITY_MAX_THREADS = 8 };

/* The kinds of identity the archive holds: the tree hash above, and the whole-file SHA-256
 * of the artifacts stored before it. */
#define GPM_IDENTITY_TREE  "sha256-4m"
#define GPM_IDENTITY_WHOLE "sha256"

/* A tree hash fed sequentially (standard input, compressed inputs, small files). */
struct gpm_identity {
	struct gpm_sha256 top;   /* over the chunks' digests */
	struct gpm_sha256 chunk; /* the chunk being read */
	size_t in_chunk;         /* its bytes so far */
};

void gpm_identity_init(struct gpm_identity *t);
void gpm_identity_update(struct gpm_identity *t, const void *data, size_t n);
/* The identity as 64 lowercase hex digits plus NUL; t must be initialised again to reuse. */
void gpm_identity_final(struct gpm_identity *t, char out[GPM_SHA256_HEX_SIZE]);
/* One-shot identity of memory. */
void gpm_identity_hex(const void *data, size_t n, char out[GPM_SHA256_HEX_SIZE]);

/*
 * The identity of fd's first n bytes, read with pread (never mapped), its chunks by up to
 * `threads` threads (0: one per online CPU, at most GPM_IDENTITY_MAX_THREADS), the holes
 * (SEEK_DATA/SEEK_HOLE) hashed as the zeros they read as without reading them. False when
 * the file could not be read whole or is shorter than n when done (it shrank), or without
 * memory: out is then "".
 */
bool gpm_identity_fd(int fd, uint64_t n, unsigned threads, char out[GPM_SHA256_HEX_SIZE]);
/* The whole-file SHA-256 of fd's first n bytes, read the same way (one thread): the identity
 * of kind GPM_IDENTITY_WHOLE, asked for only to recognise an artifact stored before schema 7.
 */
bool gpm_identity_fd_whole(int fd, uint64_t n, char out[GPM_SHA256_HEX_SIZE]);

#endif
