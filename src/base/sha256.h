/*
 * SHA-256 (FIPS 180-4), small and dependency-free: the archive identifies artifacts by the
 * SHA-256 of their bytes so that re-ingesting the same input is a no-op and kept copies are
 * content-addressed. Not constant-time; nothing here is secret.
 */
#ifndef GPM_BASE_SHA256_H
#define GPM_BASE_SHA256_H

#include <stddef.h>
#include <stdint.h>

enum { GPM_SHA256_SIZE = 32, GPM_SHA256_HEX_SIZE = 65 };

struct gpm_sha256 {
	uint32_t h[8];
	uint64_t total; /* bytes hashed so far */
	uint8_t block[64];
	size_t used; /* bytes in block */
};

void gpm_sha256_init(struct gpm_sha256 *s);
void gpm_sha256_update(struct gpm_sha256 *s, const void *data, size_t n);
void gpm_sha256_final(struct gpm_sha256 *s, uint8_t out[GPM_SHA256_SIZE]);
/* One-shot digest as 64 lowercase hex digits plus NUL. */
void gpm_sha256_hex(const void *data, size_t n, char out[GPM_SHA256_HEX_SIZE]);
void gpm_sha256_to_hex(const uint8_t digest[GPM_SHA256_SIZE], char out[GPM_SHA256_HEX_SIZE]);

#endif
