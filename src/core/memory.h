/*
 * Process memory: the one reader through which every byte of the dumped process is read.
 * It maps address ranges to their bytes: segments the kernel dumped (from the core),
 * file-backed segments it did not dump (text, rodata: from the executable, with the PIE load
 * bias; also where the core has no segment at all, as in gdb's gcore), and .bss-style zero
 * fill. A read that is not fully covered fails with GPM_ERR_FAULT
 * naming the first missing address. Ranges are kept sorted; lookup is a binary search with a
 * one-entry cache, since reads cluster.
 *
 * Copying reads (gpm_memory_read, _u8 ... _word) of an uncompressed core file's bytes go
 * through a small cache of 64 KiB blocks read with pread(2) (gpm_source_copy; ascending
 * streams of blocks read ahead, several per preadv(2)), not
 * through the file's mapping: walking a million goroutines touches gigabytes of a core
 * once each, and a block copied into a buffer that stays mapped costs a fraction of the
 * page faults and none of the resident pages that touching the mapping would.
 * gpm_memory_ptr still borrows from the mapping; gpm_memory_borrow lends a cached block's
 * bytes (a stack, a runtime.g) without copying them.
 *
 * A memory can also be built over an executable alone (no core), to read its static data.
 */
#ifndef GPM_CORE_MEMORY_H
#define GPM_CORE_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct gpm_core;
struct gpm_exe;
struct gpm_memory;

enum gpm_memory_origin {
	GPM_MEM_CORE,
	GPM_MEM_EXE,
	GPM_MEM_ZERO,
};

struct gpm_memory_range {
	uint64_t start, end; /* [start, end) */
	const uint8_t *data; /* NULL for zero fill */
	enum gpm_memory_origin origin;
	uint32_t prot; /* PF_R | PF_W | PF_X */
};

/* core: the dumped process; exe may be NULL (then unread file-backed ranges fault).
 * Both are borrowed and must outlive the memory. */
struct gpm_error *gpm_memory_create(const struct gpm_core *core, const struct gpm_exe *exe,
                                    uint64_t exe_bias, struct gpm_memory **out);
/* The executable's own image at load bias (0 for non-PIE). */
struct gpm_error *gpm_memory_create_exe(const struct gpm_exe *exe, uint64_t exe_bias,
                                        struct gpm_memory **out);
void gpm_memory_destroy(struct gpm_memory *mem);

struct gpm_error *gpm_memory_read(struct gpm_memory *mem, uint64_t addr, void *buf, size_t len);
/* Borrows len contiguous bytes at addr without copying (zero-filled ranges are served from a
 * shared zero page when len <= 4096). */
struct gpm_error *gpm_memory_ptr(struct gpm_memory *mem, uint64_t addr, size_t len,
                                 const uint8_t **out);
/*
 * Lends len bytes at addr from the block cache without copying them, when they lie in one
 * 64 KiB block of an uncompressed core file (read into the cache on a miss); NULL when they
 * are not the cache's to lend (another origin, across two blocks or two ranges, a
 * compressed core, a failed read): copy them with gpm_memory_read instead. The block is
 * held under pin (< GPM_MEMORY_PINS): the bytes stay valid until the next borrow under the
 * same pin, gpm_memory_unpin or the memory's destruction, whatever else is read meanwhile.
 */
enum { GPM_MEMORY_PINS = 2 };
/* The block cache's sets of 4 ways (16 MiB in all): file blocks GPM_MEMORY_BLOCK_SETS apart
 * share a set (what the tests of eviction and loans need to know). */
enum { GPM_MEMORY_BLOCK_SETS = 64 };
const uint8_t *gpm_memory_borrow(struct gpm_memory *mem, unsigned pin, uint64_t addr, size_t len);
/* Ends every loan of gpm_memory_borrow (their blocks may be evicted again). */
void gpm_memory_unpin(struct gpm_memory *mem);
struct gpm_error *gpm_memory_u8(struct gpm_memory *mem, uint64_t addr, uint8_t *out);
struct gpm_error *gpm_memory_u32(struct gpm_memory *mem, uint64_t addr, uint32_t *out);
struct gpm_error *gpm_memory_u64(struct gpm_memory *mem, uint64_t addr, uint64_t *out);
/* A pointer-sized word (the memory knows the pointer size: 8 on amd64/arm64). */
struct gpm_error *gpm_memory_word(struct gpm_memory *mem, uint64_t addr, uint64_t *out);
/* gpm_memory_word for reads that are expected to fail (a word of a stack tried as a pointer):
 * false when addr is not readable, without making the error gpm_memory_word would (a
 * formatted message each: 2 % of analysing a million goroutines, half of them blocked on
 * mutexes or channels). */
bool gpm_memory_word_try(struct gpm_memory *mem, uint64_t addr, uint64_t *out);
unsigned gpm_memory_ptr_size(const struct gpm_memory *mem);
bool gpm_memory_readable(struct gpm_memory *mem, uint64_t addr, size_t len);

size_t gpm_memory_range_count(const struct gpm_memory *mem);
const struct gpm_memory_range *gpm_memory_range_at(const struct gpm_memory *mem, size_t i);

#endif
