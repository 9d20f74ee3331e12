/*
 * Reading protocol buffers (the wire format of pprof's profile.proto) from untrusted bytes
 * through the bounds-checked cursor. Only what profiles use: varint, fixed64, fixed32 and
 * length-delimited fields; groups (wire types 3 and 4) and unknown wire types are errors.
 */
#ifndef GPM_BASE_PROTOBUF_H
#define GPM_BASE_PROTOBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/cursor.h"

struct gpm_pb_field {
	uint32_t num;
	uint8_t wire;         /* 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32 */
	uint64_t v;           /* a varint or fixed value */
	const uint8_t *bytes; /* a length-delimited value (borrowed from the cursor's data) */
	size_t len;
};

/* Reads the next field at the cursor; false (cursor unmoved) when the bytes are not one. */
bool gpm_pb_next(struct gpm_cursor *c, struct gpm_pb_field *f);

/* Calls fn for each integer of a repeated varint field, packed or one per field; false
 * when the field is of another wire type, a varint is cut, or fn returns false. */
bool gpm_pb_each_int(const struct gpm_pb_field *f, bool (*fn)(void *, uint64_t), void *ctx);

/* Whether data starts like a serialized message whose fields all have numbers up to
 * max_num, reading at most limit bytes of fields (a cut last field is allowed: data may be
 * the first bytes of a longer input). Text fails within a few bytes. */
bool gpm_pb_plausible(const uint8_t *data, size_t size, uint32_t max_num, size_t limit);

#endif
