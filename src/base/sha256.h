/*
 * SHA-256: the archive identifies artifacts by the SHA-256 of their bytes so that
 * re-ingesting the same input is a no-op and kept copies are content-addressed. The
 * compression function is nettle's (small messages) or libcrypto's (big inputs, below),
 * both of which use the CPU's SHA extensions (SHA-NI on x86-64, the ARMv8 crypto
 * extensions) where present: 1.4-1.55 GB/s here against 180 MB/s for the portable C this
 * replaced (doc/performance.md). Not constant-time; nothing here is secret.
 */
#ifndef GPM_BASE_SHA256_H
#define GPM_BASE_SHA256_H

#include <nettle/sha2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { GPM_SHA256_SIZE = 32, GPM_SHA256_HEX_SIZE = 65 };

/* Caller storage; nothing to release. */
struct gpm_sha256 {
	struct sha256_ctx ctx;
};

void gpm_sha256_init(struct gpm_sha256 *s);
void gpm_sha256_update(struct gpm_sha256 *s, const void *data, size_t n);
/* Writes the digest; s must be initialised again before another use. */
void gpm_sha256_final(struct gpm_sha256 *s, uint8_t out[GPM_SHA256_SIZE]);
/*
 * A hasher for big inputs (the archive's identity, src/base/identity.c): libcrypto's EVP
 * SHA-256, whose SHA-NI code hashes about 10% faster here than nettle's (1.55 against
 * 1.40 GB/s a thread, doc/performance.md), while its per-message setup costs more than
 * nettle's caller storage, so the many small digests (stacks, signatures) stay on nettle.
 * Where libcrypto cannot give SHA-256 (a restricted provider configuration), nettle hashes
 * instead: the digest is the same. Heap object; one thread at a time.
 */
struct gpm_sha256_bulk;
/* NULL when out of memory. */
struct gpm_sha256_bulk *gpm_sha256_bulk_create(void);
void gpm_sha256_bulk_destroy(struct gpm_sha256_bulk *b);
/* Starts a new message (also after a final). */
void gpm_sha256_bulk_init(struct gpm_sha256_bulk *b);
void gpm_sha256_bulk_update(struct gpm_sha256_bulk *b, const void *data, size_t n);
/* Writes the digest; false when libcrypto failed on the way (out is then unset). */
bool gpm_sha256_bulk_final(struct gpm_sha256_bulk *b, uint8_t out[GPM_SHA256_SIZE]);

/* One-shot digest as 64 lowercase hex digits plus NUL. */
void gpm_sha256_hex(const void *data, size_t n, char out[GPM_SHA256_HEX_SIZE]);
void gpm_sha256_to_hex(const uint8_t digest[GPM_SHA256_SIZE], char out[GPM_SHA256_HEX_SIZE]);

#endif
