/* Reading protocol buffers (see protobuf.h). */
#include "base/protobuf.h"

bool gpm_pb_next(struct gpm_cursor *c, struct gpm_pb_field *f)
{
	uint64_t key;
	size_t save = c->pos;
	if (!gpm_cursor_uvarint(c, &key) || key >> 3 == 0 || key >> 3 > UINT32_MAX)
		goto bad;
	f->num = (uint32_t)(key >> 3);
	f->wire = key & 7;
	f->bytes = NULL;
	f->len = 0;
	f->v = 0;
	switch (f->wire) {
	case 0:
		if (!gpm_cursor_uvarint(c, &f->v))
			goto bad;
		return true;
	case 1:
		if (!gpm_cursor_u64(c, &f->v))
			goto bad;
		return true;
	case 5: {
		uint32_t v;
		if (!gpm_cursor_u32(c, &v))
			goto bad;
		f->v = v;
		return true;
	}
	case 2: {
		uint64_t n;
		if (!gpm_cursor_uvarint(c, &n) || n > gpm_cursor_left(c) ||
		    !gpm_cursor_bytes(c, (size_t)n, &f->bytes))
			goto bad;
		f->len = (size_t)n;
		return true;
	}
	}
bad:
	c->pos = save;
	return false;
}

bool gpm_pb_each_int(const struct gpm_pb_field *f, bool (*fn)(void *, uint64_t), void *ctx)
{
	if (f->wire == 0)
		return fn(ctx, f->v);
	if (f->wire != 2)
		return false;
	struct gpm_cursor c;
	gpm_cursor_init(&c, f->bytes, f->len);
	while (gpm_cursor_left(&c)) {
		uint64_t v;
		if (!gpm_cursor_uvarint(&c, &v) || !fn(ctx, v))
			return false;
	}
	return true;
}

bool gpm_pb_plausible(const uint8_t *data, size_t size, uint32_t max_num, size_t limit)
{
	struct gpm_cursor c;
	gpm_cursor_init(&c, data, size);
	size_t nfields = 0;
	while (gpm_cursor_left(&c) && c.pos < limit) {
		struct gpm_pb_field f;
		if (!gpm_pb_next(&c, &f)) {
			// A length-delimited field cut by the end of what we were given.
			uint64_t key, n;
			struct gpm_cursor k = c;
			return nfields && gpm_cursor_uvarint(&k, &key) && (key & 7) == 2 &&
			       key >> 3 >= 1 && key >> 3 <= max_num && gpm_cursor_uvarint(&k, &n) &&
			       n > gpm_cursor_left(&k);
		}
		if (f.num > max_num)
			return false;
		nfields++;
	}
	return nfields > 0;
}
