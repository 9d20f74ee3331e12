/* Protocol-buffers encoding and gzip (see pbwrite.h). */
#include "base/pbwrite.h"

#include <string.h>
#include <zlib.h>

void gpm_pb_varint(struct gpm_strbuf *sb, uint64_t v)
{
	char b[10];
	size_t n = 0;
	do {
		b[n++] = (char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	gpm_strbuf_append(sb, b, n);
}

static void tag(struct gpm_strbuf *sb, uint32_t field, enum gpm_pb_wire wire)
{
	gpm_pb_varint(sb, (uint64_t)field << 3 | (uint64_t)wire);
}

void gpm_pb_uint(struct gpm_strbuf *sb, uint32_t field, uint64_t v)
{
	tag(sb, field, GPM_PB_VARINT);
	gpm_pb_varint(sb, v);
}

void gpm_pb_bytes(struct gpm_strbuf *sb, uint32_t field, const void *p, size_t n)
{
	tag(sb, field, GPM_PB_BYTES);
	gpm_pb_varint(sb, n);
	if (n)
		gpm_strbuf_append(sb, p, n);
}

void gpm_pb_message(struct gpm_strbuf *sb, uint32_t field, const struct gpm_strbuf *msg)
{
	gpm_pb_bytes(sb, field, msg->buf, msg->len);
}

void gpm_pb_packed(struct gpm_strbuf *sb, uint32_t field, const uint64_t *v, size_t n)
{
	if (!n)
		return;
	struct gpm_strbuf t = GPM_STRBUF_INIT;
	for (size_t i = 0; i < n; i++)
		gpm_pb_varint(&t, v[i]);
	gpm_pb_message(sb, field, &t);
	gpm_strbuf_deinit(&t);
}

struct gpm_error *gpm_gzip(const void *p, size_t n, struct gpm_strbuf *out)
{
	z_stream z;
	memset(&z, 0, sizeof(z));
	// windowBits 15 + 16: a gzip header and trailer instead of zlib's.
	if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return &gpm_error_nomem;
	z.next_in = (Bytef *)(uintptr_t)p;
	char buf[65536];
	int rc;
	size_t left = n;
	do {
		// zlib counts in uInt: feed a big input in pieces.
		uInt chunk = left > (1u << 30) ? (1u << 30) : (uInt)left;
		z.avail_in = chunk;
		left -= chunk;
		int flush = left ? Z_NO_FLUSH : Z_FINISH;
		do {
			z.next_out = (Bytef *)buf;
			z.avail_out = sizeof(buf);
			rc = deflate(&z, flush);
			if (rc == Z_STREAM_ERROR) {
				deflateEnd(&z);
				return gpm_error_create(GPM_ERR_FORMAT, "gzip: deflate failed");
			}
			gpm_strbuf_append(out, buf, sizeof(buf) - z.avail_out);
		} while (z.avail_out == 0);
	} while (left);
	deflateEnd(&z);
	return rc == Z_STREAM_END ? gpm_strbuf_error(out)
	                          : gpm_error_create(GPM_ERR_FORMAT, "gzip: stream not ended");
}
