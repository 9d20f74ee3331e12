/*
 * Process memory (see memory.h): a sorted array of disjoint address ranges, each pointing at
 * bytes of the core, bytes of the executable, or zero fill. Built once from the core's
 * PT_LOAD segments, completing what the kernel did not dump of read-only or untouched
 * file-backed mappings of the executable from the executable itself (at the file offset
 * NT_FILE gives, so PIE and odd layouts work). Nothing is copied; lookups are a binary search
 * behind a one-entry cache.
 */
#include "core/memory.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "base/source.h"
#include "core/core.h"
#include "elf/exe.h"

enum { ZERO_PAGE_SIZE = 65536 };
static const uint8_t zero_page[ZERO_PAGE_SIZE];

/* The block cache of copying reads from a core file (see memory.h): 256 slots of 64 KiB,
 * 4-way set associative (64 sets by block number), least recently used out. A million
 * goroutines' g's and stacks are two or three streams of ascending addresses; with one
 * slot per block number two streams whose blocks share a slot evicted each other at every
 * goroutine (the 10^6-goroutine core read 2.3x its distinct blocks); four ways keep each
 * stream's current block. With 64 slots (4 MiB) that core still read 3.7 GB of its 3.6 GB
 * for `gopm goroutines` (4.8 GB for `gopm analyze`), a quarter of it blocks read again after
 * a median of ~230 other blocks (the streams' order is not quite the file's, the sudogs and
 * timers of analyze are random reads); 16 MiB: 3.1 GB (3.9 GB), 32 MiB: 3.0 GB (3.75 GB),
 * 64 MiB: 3.0 GB (3.6 GB). */
/*
 * A miss on the block after the blocks an earlier miss read (a stream of ascending
 * addresses: the g's, the stacks) reads up to READ_AHEAD blocks, each into its own set, in
 * one preadv: on this VM a 64 KiB pread costs about as much again in the call as in the
 * copy (the whole 3.4 GB core: 0.63 s of system time in 64 KiB preads, 0.43-0.45 s in
 * preadv of 8 blocks). The last STREAMS misses are remembered, so interleaved streams are
 * each recognised; a lone random read (a heap object) reads one block as before.
 */
enum {
	BLOCK_SHIFT = 16,
	BLOCK_SIZE = 1 << BLOCK_SHIFT,
	BLOCK_WAYS = 4,
	BLOCK_SETS = GPM_MEMORY_BLOCK_SETS,
	BLOCK_SLOTS = BLOCK_WAYS * BLOCK_SETS,
	READ_AHEAD = 8,
	STREAMS = 4
};
_Static_assert((int)GPM_MEMORY_PINS < (int)BLOCK_WAYS, "a set must keep a slot that is not lent");

struct block_cache {
	const struct gpm_source *src;
	const uint8_t *base, *end;  /* the source's bytes */
	uint8_t *buf;               /* BLOCK_SLOTS blocks; NULL: cache off */
	uint64_t tag[BLOCK_SLOTS];  /* file block number + 1; 0 empty; set s is slots 4s..4s+3 */
	uint32_t len[BLOCK_SLOTS];  /* valid bytes (the file's last block is short) */
	uint64_t used[BLOCK_SLOTS]; /* clock of the slot's last use: the least is evicted */
	uint64_t clock;
	uint64_t stream_next[STREAMS];  /* the block after what a recent miss read, + 1; 0 none */
	unsigned stream_at;             /* the entry the next lone miss replaces */
	size_t pinned[GPM_MEMORY_PINS]; /* slot + 1 lent by gpm_memory_borrow, never evicted; 0 */
};

struct gpm_memory {
	struct gpm_memory_range *ranges;
	size_t n, cap;
	size_t last; // index of the range that served the last lookup
	unsigned ptr_size;
	struct block_cache blocks;
};

static struct gpm_error *mem_add(struct gpm_memory *mem, uint64_t start, uint64_t end,
                                 const uint8_t *data, enum gpm_memory_origin origin, uint32_t prot)
{
	if (start >= end)
		return NULL;
	if (mem->n == mem->cap) {
		size_t cap = mem->cap ? mem->cap * 2 : 64;
		struct gpm_memory_range *r = reallocarray(mem->ranges, cap, sizeof(*r));
		if (!r)
			return &gpm_error_nomem;
		mem->ranges = r;
		mem->cap = cap;
	}
	mem->ranges[mem->n++] = (struct gpm_memory_range){
	    .start = start, .end = end, .data = data, .origin = origin, .prot = prot};
	return NULL;
}

static int range_cmp(const void *a, const void *b)
{
	const struct gpm_memory_range *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	// Same start: core bytes win over the executable, which wins over zero fill.
	return (int)x->origin - (int)y->origin;
}

/* Sorts, trims overlaps (the earlier range wins) and merges ranges that continue each other. */
static void mem_finish(struct gpm_memory *mem)
{
	if (mem->n > 1)
		qsort(mem->ranges, mem->n, sizeof(*mem->ranges), range_cmp);
	size_t out = 0;
	for (size_t i = 0; i < mem->n; i++) {
		struct gpm_memory_range r = mem->ranges[i];
		if (out > 0) {
			struct gpm_memory_range *p = &mem->ranges[out - 1];
			if (r.end <= p->end)
				continue;
			if (r.start < p->end) {
				if (r.data)
					r.data += p->end - r.start;
				r.start = p->end;
			}
			bool contiguous =
			    r.data ? p->data && p->data + (p->end - p->start) == r.data : !p->data;
			if (r.start == p->end && r.origin == p->origin && r.prot == p->prot &&
			    contiguous) {
				p->end = r.end;
				continue;
			}
		}
		mem->ranges[out++] = r;
	}
	mem->n = out;
	mem->last = 0;
}

static uint32_t prot_of(uint32_t p_flags)
{
	return p_flags & (PF_R | PF_W | PF_X);
}

/* Adds [start, end) of the executable's file bytes at file offset foff (clipped to the file). */
static struct gpm_error *mem_add_exe_bytes(struct gpm_memory *mem, const struct gpm_exe *exe,
                                           uint64_t start, uint64_t end, uint64_t foff,
                                           uint32_t prot)
{
	size_t size;
	const uint8_t *bytes = gpm_exe_bytes(exe, &size);
	if (foff >= size)
		return NULL;
	uint64_t avail = size - foff;
	if (end - start > avail)
		end = start + avail;
	return mem_add(mem, start, end, bytes + foff, GPM_MEM_EXE, prot);
}

/*
 * Fills [start, end) of a core segment the kernel did not dump, from the executable: through
 * the NT_FILE mappings of the executable when the core has them, else through the
 * executable's PT_LOAD segments at the load bias.
 */
static struct gpm_error *mem_fill_from_exe(struct gpm_memory *mem, const struct gpm_core *core,
                                           const struct gpm_exe *exe, uint64_t bias, uint64_t start,
                                           uint64_t end, uint32_t prot)
{
	struct gpm_error *err;
	const char *exe_path = gpm_core_exe_mapping(core, NULL);
	if (exe_path) {
		for (size_t i = 0; i < gpm_core_file_count(core); i++) {
			const struct gpm_core_file *f = gpm_core_file_at(core, i);
			if (f->end <= start || f->start >= end || strcmp(f->path, exe_path) != 0)
				continue;
			uint64_t s = f->start > start ? f->start : start;
			uint64_t e = f->end < end ? f->end : end;
			uint64_t foff;
			if (__builtin_add_overflow(f->offset, s - f->start, &foff))
				continue;
			if ((err = mem_add_exe_bytes(mem, exe, s, e, foff, prot)))
				return err;
		}
		return NULL;
	}
	for (size_t i = 0; i < gpm_exe_segment_count(exe); i++) {
		const struct gpm_exe_segment *p = gpm_exe_segment_at(exe, i);
		uint64_t ps, pe;
		if (p->type != PT_LOAD || __builtin_add_overflow(p->vaddr, bias, &ps) ||
		    __builtin_add_overflow(ps, p->filesz < p->memsz ? p->filesz : p->memsz, &pe))
			continue;
		if (pe <= start || ps >= end)
			continue;
		uint64_t s = ps > start ? ps : start;
		uint64_t e = pe < end ? pe : end;
		uint64_t foff;
		if (__builtin_add_overflow(p->offset, s - ps, &foff))
			continue;
		if ((err = mem_add_exe_bytes(mem, exe, s, e, foff, prot)))
			return err;
	}
	return NULL;
}

/*
 * Adds the parts of [start, end) that no core segment covers, from the executable's bytes at
 * file offset foff (for start) onwards. The core's segments are sorted by vaddr.
 */
static struct gpm_error *mem_add_exe_gaps(struct gpm_memory *mem, const struct gpm_core *core,
                                          const struct gpm_exe *exe, uint64_t start, uint64_t end,
                                          uint64_t foff, uint32_t prot)
{
	struct gpm_error *err;
	uint64_t cur = start;
	for (size_t i = 0; i < gpm_core_segment_count(core) && cur < end; i++) {
		const struct gpm_core_segment *s = gpm_core_segment_at(core, i);
		uint64_t se = s->vaddr + s->memsz; // no overflow: checked by the core reader
		if (se <= cur)
			continue;
		if (s->vaddr >= end)
			break;
		if (s->vaddr > cur &&
		    (err = mem_add_exe_bytes(mem, exe, cur, s->vaddr, foff + (cur - start), prot)))
			return err;
		cur = se;
	}
	if (cur < end)
		return mem_add_exe_bytes(mem, exe, cur, end, foff + (cur - start), prot);
	return NULL;
}

/*
 * Serves what the core holds no segment for at all from the executable: gdb's gcore writes
 * no PT_LOAD for read-only file-backed mappings (the executable's rodata, a PIE's headers),
 * only their NT_FILE entries. Ranges come from the NT_FILE entries of the executable's own
 * path (the mapping the core says holds AT_ENTRY; no other file a core names is ever opened:
 * a hostile core could name any path), else from the executable's PT_LOADs at the load bias.
 * Only bytes of non-writable PT_LOADs are served: a writable mapping the core does not hold
 * may have changed since it was read from the file.
 */
static struct gpm_error *mem_fill_unmapped(struct gpm_memory *mem, const struct gpm_core *core,
                                           const struct gpm_exe *exe, uint64_t bias)
{
	struct gpm_error *err;
	const char *exe_path = gpm_core_exe_mapping(core, NULL);
	bool by_file = false;
	for (size_t i = 0; exe_path && i < gpm_core_file_count(core); i++) {
		const struct gpm_core_file *f = gpm_core_file_at(core, i);
		if (strcmp(f->path, exe_path) != 0 || f->end <= f->start)
			continue;
		by_file = true;
		uint64_t fend;
		if (__builtin_add_overflow(f->offset, f->end - f->start, &fend))
			continue;
		for (size_t k = 0; k < gpm_exe_segment_count(exe); k++) {
			const struct gpm_exe_segment *p = gpm_exe_segment_at(exe, k);
			uint64_t pend;
			if (p->type != PT_LOAD || (p->flags & PF_W) ||
			    __builtin_add_overflow(p->offset, p->filesz, &pend))
				continue;
			uint64_t lo = p->offset > f->offset ? p->offset : f->offset;
			uint64_t hi = pend < fend ? pend : fend;
			if (lo >= hi)
				continue;
			uint64_t start = f->start + (lo - f->offset);
			if ((err = mem_add_exe_gaps(mem, core, exe, start, start + (hi - lo), lo,
			                            prot_of(p->flags))))
				return err;
		}
	}
	if (by_file)
		return NULL;
	for (size_t k = 0; k < gpm_exe_segment_count(exe); k++) {
		const struct gpm_exe_segment *p = gpm_exe_segment_at(exe, k);
		uint64_t start, end, fend;
		uint64_t n = p->filesz < p->memsz ? p->filesz : p->memsz;
		if (p->type != PT_LOAD || (p->flags & PF_W) ||
		    __builtin_add_overflow(p->vaddr, bias, &start) ||
		    __builtin_add_overflow(start, n, &end) ||
		    __builtin_add_overflow(p->offset, n, &fend))
			continue;
		if ((err = mem_add_exe_gaps(mem, core, exe, start, end, p->offset,
		                            prot_of(p->flags))))
			return err;
	}
	return NULL;
}

struct gpm_error *gpm_memory_create(const struct gpm_core *core, const struct gpm_exe *exe,
                                    uint64_t exe_bias, struct gpm_memory **out)
{
	struct gpm_memory *mem = calloc(1, sizeof(*mem));
	if (!mem)
		return &gpm_error_nomem;
	mem->ptr_size = gpm_core_ptr_size(core);
	struct gpm_error *err = NULL;
	for (size_t i = 0; i < gpm_core_segment_count(core); i++) {
		const struct gpm_core_segment *s = gpm_core_segment_at(core, i);
		uint32_t prot = prot_of(s->flags);
		uint64_t end = s->vaddr + s->memsz; // no overflow: checked by the core reader
		if ((err = mem_add(mem, s->vaddr, s->vaddr + s->present, s->data, GPM_MEM_CORE,
		                   prot)))
			goto fail;
		// What the kernel skipped is the file's content when the mapping was never written
		// (filesz 0: no private pages) or cannot be written; a writable mapping's missing
		// tail (a truncated core) may differ from the file, so it stays unreadable.
		if (exe && s->present < s->memsz && (s->filesz == 0 || !(s->flags & PF_W)) &&
		    (err = mem_fill_from_exe(mem, core, exe, exe_bias, s->vaddr + s->present, end,
		                             prot)))
			goto fail;
	}
	if (exe && (err = mem_fill_unmapped(mem, core, exe, exe_bias)))
		goto fail;
	mem_finish(mem);
	const struct gpm_source *src = gpm_core_source(core);
	if (gpm_source_reads_file(src) && src->size) {
		mem->blocks.src = src;
		mem->blocks.base = src->data;
		mem->blocks.end = src->data + src->size;
		// Without the buffer the mapping serves: slower, never wrong.
		mem->blocks.buf = malloc((size_t)BLOCK_SLOTS * BLOCK_SIZE);
	}
	*out = mem;
	return NULL;
fail:
	gpm_memory_destroy(mem);
	return err;
}

struct gpm_error *gpm_memory_create_exe(const struct gpm_exe *exe, uint64_t exe_bias,
                                        struct gpm_memory **out)
{
	struct gpm_memory *mem = calloc(1, sizeof(*mem));
	if (!mem)
		return &gpm_error_nomem;
	mem->ptr_size = gpm_exe_ptr_size(exe);
	struct gpm_error *err = NULL;
	for (size_t i = 0; i < gpm_exe_segment_count(exe); i++) {
		const struct gpm_exe_segment *p = gpm_exe_segment_at(exe, i);
		uint64_t start, fend, end;
		if (p->type != PT_LOAD)
			continue;
		if (__builtin_add_overflow(p->vaddr, exe_bias, &start) ||
		    __builtin_add_overflow(start, p->memsz, &end))
			continue;
		fend = start + (p->filesz < p->memsz ? p->filesz : p->memsz);
		uint32_t prot = prot_of(p->flags);
		if ((err = mem_add_exe_bytes(mem, exe, start, fend, p->offset, prot)) ||
		    (err = mem_add(mem, fend, end, NULL, GPM_MEM_ZERO, prot)))
			goto fail;
	}
	mem_finish(mem);
	*out = mem;
	return NULL;
fail:
	gpm_memory_destroy(mem);
	return err;
}

void gpm_memory_destroy(struct gpm_memory *mem)
{
	if (!mem)
		return;
	free(mem->blocks.buf);
	free(mem->ranges);
	free(mem);
}

/* The range containing addr, or NULL. */
static inline const struct gpm_memory_range *mem_find(struct gpm_memory *mem, uint64_t addr)
{
	if (mem->n == 0)
		return NULL;
	const struct gpm_memory_range *r = &mem->ranges[mem->last];
	if (addr >= r->start && addr < r->end)
		return r;
	size_t lo = 0, hi = mem->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (mem->ranges[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	r = &mem->ranges[lo - 1];
	if (addr >= r->end)
		return NULL;
	mem->last = lo - 1;
	return r;
}

static inline bool block_pinned(const struct block_cache *bc, size_t slot)
{
	for (size_t i = 0; i < GPM_MEMORY_PINS; i++)
		if (bc->pinned[i] == slot + 1)
			return true;
	return false;
}

/* The slot of blk's set that holds blk (*hit), else the least recently used one that is
 * not lent (GPM_MEMORY_PINS < BLOCK_WAYS: a set always has one). */
static size_t block_slot(const struct block_cache *bc, uint64_t blk, bool *hit)
{
	size_t set = (size_t)(blk % BLOCK_SETS) * BLOCK_WAYS, slot = SIZE_MAX;
	for (size_t w = 0; w < BLOCK_WAYS; w++) {
		if (bc->tag[set + w] == blk + 1) {
			*hit = true;
			return set + w;
		}
		if (!block_pinned(bc, set + w) &&
		    (slot == SIZE_MAX || bc->used[set + w] < bc->used[slot]))
			slot = set + w;
	}
	*hit = false;
	return slot;
}

/* Reads block blk into slot (a miss), and the blocks after it when it continues a stream. */
static bool block_fill(struct block_cache *bc, uint64_t blk, size_t slot)
{
	uint64_t size = (uint64_t)(bc->end - bc->base);
	uint64_t nblocks = (size + BLOCK_SIZE - 1) >> BLOCK_SHIFT;
	size_t slots[READ_AHEAD] = {slot}, k = 1;
	unsigned stream = STREAMS;
	for (unsigned i = 0; i < STREAMS; i++)
		if (bc->stream_next[i] == blk + 1)
			stream = i;
	if (stream < STREAMS) {
		// Up to the first block already here (a read is contiguous in the file).
		while (k < READ_AHEAD && blk + k < nblocks) {
			bool hit;
			size_t s = block_slot(bc, blk + k, &hit);
			if (hit)
				break;
			slots[k++] = s;
		}
	} else {
		stream = bc->stream_at;
		bc->stream_at = (bc->stream_at + 1) % STREAMS;
	}
	bc->stream_next[stream] = blk + k + 1;
	struct iovec iov[READ_AHEAD];
	for (size_t i = 0; i < k; i++) {
		uint64_t start = (blk + i) << BLOCK_SHIFT;
		size_t len = size - start < BLOCK_SIZE ? (size_t)(size - start) : BLOCK_SIZE;
		bc->tag[slots[i]] = 0;
		iov[i] = (struct iovec){bc->buf + slots[i] * (size_t)BLOCK_SIZE, len};
	}
	if (!gpm_source_copyv(bc->src, bc->base + (blk << BLOCK_SHIFT), iov, (int)k))
		return false;
	for (size_t i = 0; i < k; i++) {
		bc->tag[slots[i]] = blk + i + 1;
		bc->len[slots[i]] = (uint32_t)iov[i].iov_len;
		bc->used[slots[i]] = ++bc->clock;
	}
	return true;
}

/*
 * Copies n bytes at p (inside the core file's bytes) through the block cache; false when
 * they are not the cache's to serve (no cache, outside the file) or the file could not
 * be read, and the caller copies from the mapping.
 */
static bool block_copy(struct block_cache *bc, const uint8_t *p, uint8_t *out, size_t n)
{
	if (!bc->buf || p < bc->base || p >= bc->end || n > (size_t)(bc->end - p))
		return false;
	uint64_t off = (uint64_t)(p - bc->base);
	if (n >= BLOCK_SIZE) // big reads go straight to the caller's buffer
		return gpm_source_copy(bc->src, p, out, n);
	while (n) {
		uint64_t blk = off >> BLOCK_SHIFT;
		bool hit;
		size_t slot = block_slot(bc, blk, &hit);
		if (!hit && !block_fill(bc, blk, slot))
			return false;
		uint8_t *b = bc->buf + slot * (size_t)BLOCK_SIZE;
		bc->used[slot] = ++bc->clock;
		size_t in = (size_t)(off & (BLOCK_SIZE - 1));
		size_t k = bc->len[slot] - in < n ? bc->len[slot] - in : n;
		memcpy(out, b + in, k);
		out += k;
		off += k;
		n -= k;
	}
	return true;
}

/* Copies n bytes of range r at addr (r covers them). */
static inline void range_copy(struct gpm_memory *mem, const struct gpm_memory_range *r,
                              uint64_t addr, uint8_t *out, size_t n)
{
	const uint8_t *p = r->data + (addr - r->start);
	if (r->origin != GPM_MEM_CORE || !block_copy(&mem->blocks, p, out, n))
		memcpy(out, p, n);
}

struct gpm_error *gpm_memory_read(struct gpm_memory *mem, uint64_t addr, void *buf, size_t len)
{
	uint8_t *out = buf;
	uint64_t cur = addr, end;
	if (__builtin_add_overflow(addr, (uint64_t)len, &end))
		return gpm_error_fault(addr, len);
	while (cur < end) {
		const struct gpm_memory_range *r = mem_find(mem, cur);
		if (!r)
			return gpm_error_fault(cur, end - cur);
		uint64_t n = r->end - cur;
		if (n > end - cur)
			n = end - cur;
		if (r->data)
			range_copy(mem, r, cur, out, (size_t)n);
		else
			memset(out, 0, (size_t)n);
		out += n;
		cur += n;
	}
	return NULL;
}

struct gpm_error *gpm_memory_ptr(struct gpm_memory *mem, uint64_t addr, size_t len,
                                 const uint8_t **out)
{
	uint64_t end;
	if (__builtin_add_overflow(addr, (uint64_t)len, &end))
		return gpm_error_fault(addr, len);
	const struct gpm_memory_range *r = mem_find(mem, addr);
	if (!r)
		return gpm_error_fault(addr, len);
	if (end > r->end) {
		if (!gpm_memory_readable(mem, r->end, (size_t)(end - r->end)))
			return gpm_error_fault(r->end, end - r->end);
		return gpm_error_create(GPM_ERR_LIMIT,
		                        "%zu bytes at 0x%llx span two mappings: read them instead",
		                        len, (unsigned long long)addr);
	}
	if (r->data) {
		*out = r->data + (addr - r->start);
		return NULL;
	}
	if (len > ZERO_PAGE_SIZE)
		return gpm_error_create(GPM_ERR_LIMIT,
		                        "%zu zero-filled bytes at 0x%llx: more than %d, read them "
		                        "instead",
		                        len, (unsigned long long)addr, ZERO_PAGE_SIZE);
	*out = zero_page;
	return NULL;
}

const uint8_t *gpm_memory_borrow(struct gpm_memory *mem, unsigned pin, uint64_t addr, size_t len)
{
	struct block_cache *bc = &mem->blocks;
	uint64_t end;
	if (pin >= GPM_MEMORY_PINS)
		return NULL;
	bc->pinned[pin] = 0; // what it lent before may go
	if (!bc->buf || !len || __builtin_add_overflow(addr, (uint64_t)len, &end))
		return NULL;
	const struct gpm_memory_range *r = mem_find(mem, addr);
	if (!r || end > r->end || r->origin != GPM_MEM_CORE || !r->data)
		return NULL;
	const uint8_t *p = r->data + (addr - r->start);
	if (p < bc->base || p >= bc->end || len > (size_t)(bc->end - p))
		return NULL;
	uint64_t off = (uint64_t)(p - bc->base), blk = off >> BLOCK_SHIFT;
	size_t in = (size_t)(off & (BLOCK_SIZE - 1));
	if (len > BLOCK_SIZE - in) // not in one block
		return NULL;
	bool hit;
	size_t slot = block_slot(bc, blk, &hit);
	if (!hit && !block_fill(bc, blk, slot))
		return NULL;
	if (bc->len[slot] - in < len)
		return NULL;
	bc->used[slot] = ++bc->clock;
	bc->pinned[pin] = slot + 1;
	return bc->buf + slot * (size_t)BLOCK_SIZE + in;
}

void gpm_memory_unpin(struct gpm_memory *mem)
{
	for (size_t i = 0; i < GPM_MEMORY_PINS; i++)
		mem->blocks.pinned[i] = 0;
}

/* Fast path for small reads inside one range, else the general read. */
static inline struct gpm_error *mem_read_le(struct gpm_memory *mem, uint64_t addr, unsigned n,
                                            uint64_t *out)
{
	const struct gpm_memory_range *r = mem_find(mem, addr);
	uint8_t buf[8];
	if (r && r->end - addr >= n) {
		if (!r->data) {
			*out = 0;
		} else if (r->origin == GPM_MEM_CORE && mem->blocks.buf) {
			range_copy(mem, r, addr, buf, n);
			*out = gpm_le_word(buf, n);
		} else {
			*out = gpm_le_word(r->data + (addr - r->start), n);
		}
		return NULL;
	}
	struct gpm_error *err = gpm_memory_read(mem, addr, buf, n);
	if (err)
		return err;
	*out = gpm_le_word(buf, n);
	return NULL;
}

struct gpm_error *gpm_memory_u8(struct gpm_memory *mem, uint64_t addr, uint8_t *out)
{
	uint64_t v;
	struct gpm_error *err = mem_read_le(mem, addr, 1, &v);
	if (!err)
		*out = (uint8_t)v;
	return err;
}

struct gpm_error *gpm_memory_u32(struct gpm_memory *mem, uint64_t addr, uint32_t *out)
{
	uint64_t v;
	struct gpm_error *err = mem_read_le(mem, addr, 4, &v);
	if (!err)
		*out = (uint32_t)v;
	return err;
}

struct gpm_error *gpm_memory_u64(struct gpm_memory *mem, uint64_t addr, uint64_t *out)
{
	return mem_read_le(mem, addr, 8, out);
}

struct gpm_error *gpm_memory_word(struct gpm_memory *mem, uint64_t addr, uint64_t *out)
{
	return mem_read_le(mem, addr, mem->ptr_size == 4 ? 4 : 8, out);
}

bool gpm_memory_word_try(struct gpm_memory *mem, uint64_t addr, uint64_t *out)
{
	unsigned n = mem->ptr_size == 4 ? 4 : 8;
	const struct gpm_memory_range *r = mem_find(mem, addr);
	// Within one range: mem_read_le's fast path, which makes no error. Across ranges (or
	// none): readable first, so that the general read cannot fail.
	if (!(r && r->end - addr >= n) && !gpm_memory_readable(mem, addr, n))
		return false;
	struct gpm_error *err = mem_read_le(mem, addr, n, out);
	if (err) { // not reached: the bytes are readable
		gpm_error_destroy(err);
		return false;
	}
	return true;
}

unsigned gpm_memory_ptr_size(const struct gpm_memory *mem)
{
	return mem->ptr_size;
}

bool gpm_memory_readable(struct gpm_memory *mem, uint64_t addr, size_t len)
{
	uint64_t cur = addr, end;
	if (__builtin_add_overflow(addr, (uint64_t)len, &end))
		return false;
	while (cur < end) {
		const struct gpm_memory_range *r = mem_find(mem, cur);
		if (!r)
			return false;
		cur = r->end;
	}
	return true;
}

size_t gpm_memory_range_count(const struct gpm_memory *mem)
{
	return mem->n;
}

const struct gpm_memory_range *gpm_memory_range_at(const struct gpm_memory *mem, size_t i)
{
	return i < mem->n ? &mem->ranges[i] : NULL;
}
