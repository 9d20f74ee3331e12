/*
 * A bounds-checked cursor over untrusted bytes. Every reader returns false and leaves the
 * position unchanged when the bytes are not there, so a parser can report where it stopped;
 * its out-parameter is then zero (so no caller can use an unset value by mistake).
 * Little-endian unless big_endian is set (for future big-endian targets).
 */
#ifndef GPM_BASE_CURSOR_H
#define GPM_BASE_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct gpm_cursor {
	const uint8_t *data;
	size_t size;
	size_t pos;
};

static inline void gpm_cursor_init(struct gpm_cursor *c, const void *data, size_t size)
{
	c->data = data;
	c->size = data ? size : 0;
	c->pos = 0;
}

static inline size_t gpm_cursor_left(const struct gpm_cursor *c)
{
	return c->size - c->pos;
}

static inline bool gpm_cursor_seek(struct gpm_cursor *c, size_t pos)
{
	if (pos > c->size)
		return false;
	c->pos = pos;
	return true;
}

static inline bool gpm_cursor_skip(struct gpm_cursor *c, size_t n)
{
	if (n > gpm_cursor_left(c))
		return false;
	c->pos += n;
	return true;
}

/* Borrows n bytes at the position (valid as long as the underlying data). */
static inline bool gpm_cursor_bytes(struct gpm_cursor *c, size_t n, const uint8_t **out)
{
	if (n > gpm_cursor_left(c))
		return false;
	*out = c->data + c->pos;
	c->pos += n;
	return true;
}

#define GPM_CURSOR_READ_LE(name, type)                                                             \
	static inline bool gpm_cursor_##name(struct gpm_cursor *c, type *out)                      \
	{                                                                                          \
		if (sizeof(type) > gpm_cursor_left(c)) {                                           \
			*out = 0;                                                                  \
			return false;                                                              \
		}                                                                                  \
		type v = 0;                                                                        \
		for (size_t i = 0; i < sizeof(type); i++)                                          \
			v |= (type)c->data[c->pos + i] << (8 * i);                                 \
		c->pos += sizeof(type);                                                            \
		*out = v;                                                                          \
		return true;                                                                       \
	}
GPM_CURSOR_READ_LE(u8, uint8_t)
GPM_CURSOR_READ_LE(u16, uint16_t)
GPM_CURSOR_READ_LE(u32, uint32_t)
GPM_CURSOR_READ_LE(u64, uint64_t)
#undef GPM_CURSOR_READ_LE

/* A pointer-sized word (4 or 8 bytes). */
static inline bool gpm_cursor_word(struct gpm_cursor *c, unsigned ptr_size, uint64_t *out)
{
	if (ptr_size == 8)
		return gpm_cursor_u64(c, out);
	uint32_t v;
	*out = 0;
	if (ptr_size != 4 || !gpm_cursor_u32(c, &v))
		return false;
	*out = v;
	return true;
}

/* The little-endian word of n bytes (n <= 8; a pointer size) at p, unchecked: for bytes the
 * caller knows are there. 8 and 4 are one load each: a loop of byte loads over a size known
 * only at run time is not unrolled (~3 % of reading a million goroutines' g's and stacks). */
static inline uint64_t gpm_le_word(const uint8_t *p, unsigned n)
{
	if (n == 8) {
		uint64_t v;
		memcpy(&v, p, 8);
		return __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? v : __builtin_bswap64(v);
	}
	if (n == 4) {
		uint32_t v;
		memcpy(&v, p, 4);
		return __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? v : __builtin_bswap32(v);
	}
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* Unsigned LEB128 / Go uvarint (at most 10 bytes). */
static inline bool gpm_cursor_uvarint(struct gpm_cursor *c, uint64_t *out)
{
	uint64_t v = 0;
	*out = 0;
	size_t p = c->pos;
	for (unsigned shift = 0; shift < 70; shift += 7) {
		if (p >= c->size)
			return false;
		uint8_t b = c->data[p++];
		if (shift == 63 && b > 1)
			return false;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			c->pos = p;
			*out = v;
			return true;
		}
	}
	return false;
}

/* Signed LEB128 / Go varint (zig-zag is NOT applied; see gpm_cursor_zigzag). */
static inline bool gpm_cursor_zigzag(struct gpm_cursor *c, int64_t *out)
{
	size_t save = c->pos;
	uint64_t u;
	if (!gpm_cursor_uvarint(c, &u)) {
		c->pos = save;
		return false;
	}
	*out = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
	return true;
}

/* A NUL-terminated string at the position; *len excludes the NUL. */
static inline bool gpm_cursor_cstr(struct gpm_cursor *c, const char **out, size_t *len)
{
	const uint8_t *start = c->data + c->pos;
	const uint8_t *nul = memchr(start, 0, gpm_cursor_left(c));
	if (!nul)
		return false;
	*out = (const char *)start;
	if (len)
		*len = (size_t)(nul - start);
	c->pos += (size_t)(nul - start) + 1;
	return true;
}

#endif
