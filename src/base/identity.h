/*
 * The identity of an input in the archive: XXH3-128 of its bytes as given (a .zst stays a
 * .zst), written as 32 lowercase hex digits in XXH128's canonical (big-endian) order, the
 * digest `xxhsum -H2 FILE` prints. It is read at memory speed (one thread reads a 700 MB core
 * in about a tenth of a second), so storing an input costs little more than analysing it
 * (doc/performance.md).
 *
 * It recognises the same bytes again; it is not an integrity check. XXH3 is not
 * cryptographic: two accidental inputs share an identity with odds of about n²/2¹²⁹ for n
 * inputs, but someone who can hand gopm a file can craft one with the identity of another,
 * and gopm would then call the new input "already stored" (doc/archive.md).
 *
 * Artifacts stored before keep their kind (schema 7's `identity` column), and an input is
 * still recognised by them:
 *  - "sha256-4m" (gopm of schema 7 to 11): SHA-256 over the concatenation of the SHA-256
 *    digests of the input's 4 MiB chunks, the scheme of Dropbox's content hash;
 *  - "sha256" (before schema 7): SHA-256 of the whole input.
 * These are computed only when the archive holds an artifact of that kind and the input's
 * size (src/store/artifact.c): a new archive never pays for SHA-256.
 */
#ifndef GPM_BASE_IDENTITY_H
#define GPM_BASE_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/sha256.h"

enum {
	GPM_IDENTITY_HEX_LEN = 32, /* hex digits of an identity of the current kind */
	GPM_IDENTITY_CHUNK = 4 << 20,
	GPM_IDENTITY_MAX_THREADS = 8,
};

/* The kinds of identity the archive holds: XXH3-128 of new artifacts, and the tree and
 * whole-file SHA-256 of those stored before. Buffers of GPM_SHA256_HEX_SIZE hold any. */
#define GPM_IDENTITY_KIND  "xxh3-128"
#define GPM_IDENTITY_TREE  "sha256-4m"
#define GPM_IDENTITY_WHOLE "sha256"

struct XXH3_state_s;

/* The identity fed sequentially (standard input, compressed inputs, small files). */
struct gpm_identity {
	struct XXH3_state_s *state; /* NULL without memory: the identity is then "" */
};

void gpm_identity_init(struct gpm_identity *t);
void gpm_identity_update(struct gpm_identity *t, const void *data, size_t n);
/* The identity as 32 lowercase hex digits plus NUL ("" when init had no memory); releases t,
 * which must be initialised again to reuse. */
void gpm_identity_final(struct gpm_identity *t, char out[GPM_SHA256_HEX_SIZE]);
/* Releases t without a digest (a read that failed); a no-op after final. */
void gpm_identity_deinit(struct gpm_identity *t);
/* One-shot identity of memory. */
void gpm_identity_hex(const void *data, size_t n, char out[GPM_SHA256_HEX_SIZE]);

/*
 * The identity of fd's first n bytes, read with pread by this thread (never mapped: a
 * mapped core faults in its holes page by page), the holes (SEEK_DATA/SEEK_HOLE) hashed as
 * the zeros they read as without reading them. False when the file could not be read whole
 * or is shorter than n when done (it shrank), or without memory: out is then "".
 */
bool gpm_identity_fd(int fd, uint64_t n, char out[GPM_SHA256_HEX_SIZE]);
/* The identity of kind GPM_IDENTITY_TREE of fd's first n bytes, read the same way, its chunks
 * by up to `threads` threads (0: one per online CPU, at most GPM_IDENTITY_MAX_THREADS). */
bool gpm_identity_fd_tree(int fd, uint64_t n, unsigned threads, char out[GPM_SHA256_HEX_SIZE]);
/* The identity of kind GPM_IDENTITY_WHOLE of fd's first n bytes (one thread). */
bool gpm_identity_fd_whole(int fd, uint64_t n, char out[GPM_SHA256_HEX_SIZE]);

#endif
