/*
 * A small protocol-buffers encoder (the writing half of the varint / length-delimited
 * reader in src/heap/pprof.c): varints, tagged integers, bytes, nested messages built in a
 * strbuf of their own, packed repeated integers. And gzip, which profile.proto files are
 * wrapped in. Enough for pprof's profile.proto; no reflection, no schema.
 */
#ifndef GPM_BASE_PBWRITE_H
#define GPM_BASE_PBWRITE_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/strbuf.h"

enum gpm_pb_wire {
	GPM_PB_VARINT = 0,
	GPM_PB_BYTES = 2,
};

void gpm_pb_varint(struct gpm_strbuf *sb, uint64_t v);
/* Field `field` as a varint (int64 values are written as their two's complement). */
void gpm_pb_uint(struct gpm_strbuf *sb, uint32_t field, uint64_t v);
/* Field `field` as length-delimited bytes (a string, or an encoded message). */
void gpm_pb_bytes(struct gpm_strbuf *sb, uint32_t field, const void *p, size_t n);
/* Field `field` as an embedded message already encoded in msg. */
void gpm_pb_message(struct gpm_strbuf *sb, uint32_t field, const struct gpm_strbuf *msg);
/* Field `field` as packed repeated varints; nothing when n is 0. */
void gpm_pb_packed(struct gpm_strbuf *sb, uint32_t field, const uint64_t *v, size_t n);

/* p[0..n) gzip-compressed (RFC 1952) into out. */
struct gpm_error *gpm_gzip(const void *p, size_t n, struct gpm_strbuf *out);

#endif
