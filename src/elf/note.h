/*
 * ELF notes: a bounds-checked iterator over the records of a SHT_NOTE section or PT_NOTE
 * segment (namesz, descsz, type, name, desc; name and desc padded to 4 bytes, or to 8 when
 * the segment says so). Shared by the executable reader (build ids) and the core reader
 * (threads, siginfo, auxv, mapped files). A record that does not fit stops the iteration and
 * sets `bad` so the caller can report where.
 */
#ifndef GPM_ELF_NOTE_H
#define GPM_ELF_NOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/cursor.h"

struct gpm_elf_note {
	const char *name; /* namesz bytes, not necessarily NUL-terminated */
	uint32_t namesz;  /* without padding, as stored (includes the NUL when present) */
	uint32_t type;
	const uint8_t *desc;
	uint32_t descsz;
	size_t offset; /* of the record inside the note area */
};

struct gpm_elf_note_iter {
	struct gpm_cursor c;
	unsigned align; /* 4 or 8 */
	bool bad;       /* stopped on a malformed record */
};

static inline void gpm_elf_note_iter_init(struct gpm_elf_note_iter *it, const void *data,
                                          size_t size, uint64_t align)
{
	gpm_cursor_init(&it->c, data, size);
	it->align = align == 8 ? 8 : 4;
	it->bad = false;
}

static inline bool gpm_elf_note_pad_skip(struct gpm_cursor *c, uint32_t n, unsigned align)
{
	uint64_t padded = ((uint64_t)n + align - 1) & ~(uint64_t)(align - 1);
	if (padded > gpm_cursor_left(c)) {
		// The last record's padding may be missing; accept the unpadded tail.
		if (n <= gpm_cursor_left(c)) {
			c->pos = c->size;
			return true;
		}
		return false;
	}
	c->pos += (size_t)padded;
	return true;
}

/* The next note, false at the end or on a malformed record (then it->bad is set). */
static inline bool gpm_elf_note_next(struct gpm_elf_note_iter *it, struct gpm_elf_note *out)
{
	struct gpm_cursor *c = &it->c;
	if (gpm_cursor_left(c) == 0)
		return false;
	size_t start = c->pos;
	uint32_t namesz, descsz, type;
	if (!gpm_cursor_u32(c, &namesz) || !gpm_cursor_u32(c, &descsz) ||
	    !gpm_cursor_u32(c, &type)) {
		c->pos = start;
		it->bad = true;
		return false;
	}
	const uint8_t *name = c->data + c->pos;
	if (!gpm_elf_note_pad_skip(c, namesz, it->align)) {
		c->pos = start;
		it->bad = true;
		return false;
	}
	const uint8_t *desc = c->data + c->pos;
	if (!gpm_elf_note_pad_skip(c, descsz, it->align)) {
		c->pos = start;
		it->bad = true;
		return false;
	}
	out->name = (const char *)name;
	out->namesz = namesz;
	out->type = type;
	out->desc = desc;
	out->descsz = descsz;
	out->offset = start;
	return true;
}

/* Whether the note's name equals s; trailing NUL padding inside namesz is allowed (Go writes
 * "Go\0\0" with namesz 4). */
static inline bool gpm_elf_note_named(const struct gpm_elf_note *n, const char *s)
{
	size_t len = strlen(s);
	if (n->namesz < len || memcmp(n->name, s, len) != 0)
		return false;
	for (size_t i = len; i < n->namesz; i++)
		if (n->name[i] != '\0')
			return false;
	return true;
}

#endif
