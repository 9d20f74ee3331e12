/*
 * SHA-256 through nettle, and for big inputs through libcrypto's EVP (FIPS 180-4). Checked
 * against the NIST example vectors in tests/store/test_store.c, the bulk hasher against
 * nettle in tests/base/test_base.c.
 */
#include "base/sha256.h"

#include <openssl/evp.h>
#include <stdlib.h>

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

struct gpm_sha256_bulk {
	EVP_MD_CTX *evp;          /* NULL: nettle's (libcrypto gave no SHA-256) */
	struct gpm_sha256 nettle; /* when evp is NULL */
	bool failed;              /* an EVP call failed in this message */
};

struct gpm_sha256_bulk *gpm_sha256_bulk_create(void)
{
	struct gpm_sha256_bulk *b = calloc(1, sizeof(*b));
	if (b && !(b->evp = EVP_MD_CTX_new())) {
		free(b);
		return NULL;
	}
	if (b)
		gpm_sha256_bulk_init(b);
	return b;
}

void gpm_sha256_bulk_destroy(struct gpm_sha256_bulk *b)
{
	if (!b)
		return;
	EVP_MD_CTX_free(b->evp);
	free(b);
}

void gpm_sha256_bulk_init(struct gpm_sha256_bulk *b)
{
	b->failed = false;
	if (b->evp && !EVP_DigestInit_ex(b->evp, EVP_sha256(), NULL)) {
		// No SHA-256 from libcrypto here (never on Debian's default configuration).
		EVP_MD_CTX_free(b->evp);
		b->evp = NULL;
	}
	if (!b->evp)
		gpm_sha256_init(&b->nettle);
}

void gpm_sha256_bulk_update(struct gpm_sha256_bulk *b, const void *data, size_t n)
{
	if (!n)
		return;
	if (!b->evp)
		gpm_sha256_update(&b->nettle, data, n);
	else if (!EVP_DigestUpdate(b->evp, data, n))
		b->failed = true;
}

bool gpm_sha256_bulk_final(struct gpm_sha256_bulk *b, uint8_t out[GPM_SHA256_SIZE])
{
	if (!b->evp) {
		gpm_sha256_final(&b->nettle, out);
		return true;
	}
	unsigned len = 0;
	return EVP_DigestFinal_ex(b->evp, out, &len) && len == GPM_SHA256_SIZE && !b->failed;
}
