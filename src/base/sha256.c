/*
 * SHA-256 through nettle (FIPS 180-4). Checked against the NIST example vectors in
 * tests/store/test_store.c.
 */
#include "base/sha256.h"

void gpm_sha256_init(struct gpm_sha256 *s)
{
	sha256_init(&s->ctx);
}

void gpm_sha256_update(struct gpm_sha256 *s, const void *data, size_t n)
{
	// An empty input may come with a NULL pointer; nettle would hand it to memcpy.
	if (n)
		sha256_update(&s->ctx, n, data);
}

void gpm_sha256_final(struct gpm_sha256 *s, uint8_t out[GPM_SHA256_SIZE])
{
	sha256_digest(&s->ctx, GPM_SHA256_SIZE, out);
}

void gpm_sha256_to_hex(const uint8_t digest[GPM_SHA256_SIZE], char out[GPM_SHA256_HEX_SIZE])
{
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < GPM_SHA256_SIZE; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[64] = 0;
}

void gpm_sha256_hex(const void *data, size_t n, char out[GPM_SHA256_HEX_SIZE])
{
	struct gpm_sha256 s;
	uint8_t d[GPM_SHA256_SIZE];
	gpm_sha256_init(&s);
	gpm_sha256_update(&s, data, n);
	gpm_sha256_final(&s, d);
	gpm_sha256_to_hex(d, out);
}
