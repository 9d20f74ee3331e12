/*
 * Unit tests of src/core: the core reader on crafted cores (every field, then damaged and
 * hostile variants), process memory, finding the executable, and the committed fixtures
 * (testdata/cores/NAME/{core.zst,meta}) when present.
 */
#include <dirent.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/source.h"
#include "core/core.h"
#include "core/exe_locate.h"
#include "core/memory.h"
#include "core_builder.h"
#include "elf/exe.h"
#include "check_gopm.h"

enum {
	STACK = 0x7ffd0000,
	TEXT = 0x400000,
	HEAP = 0xc000000000,
};

static uint8_t stack_bytes[0x2000];
static uint8_t heap_bytes[0x2000];

/* The sample core: two threads, every note, a dumped stack, an undumped text mapping and two
 * adjacent heap segments. */
static uint8_t *sample_core(size_t *len, bool with_notes)
{
	memset(stack_bytes, 0, sizeof(stack_bytes));
	strcpy((char *)stack_bytes + 0x100, "/usr/bin/app");
	uint64_t word = 0x1122334455667788ULL;
	memcpy(stack_bytes + 0x800, &word, 8);
	for (size_t i = 0; i < sizeof(heap_bytes); i++)
		heap_bytes[i] = (uint8_t)i;
	struct cb_buf notes = {0};
	cb_prstatus(&notes, 100, 11, TEXT + 0x1234, STACK + 0x800, STACK + 0x900, HEAP + 0x100);
	cb_prstatus(&notes, 101, 0, TEXT + 0x2000, STACK + 0x1000, 0, HEAP + 0x200);
	cb_prpsinfo(&notes, 100, 1, "app", "app -flag value ");
	cb_siginfo(&notes, 11, 1, 0xdead);
	const uint64_t auxv[] = {AT_PHDR,  TEXT + 0x40,   AT_PAGESZ, 4096,
	                         AT_ENTRY, TEXT + 0x1000, AT_EXECFN, STACK + 0x100};
	cb_auxv(&notes, auxv, 4);
	const struct cb_file files[] = {
	    {TEXT, TEXT + 0x3000, 0, "/usr/bin/app"},
	    {0x7f0000000000, 0x7f0000001000, 2, "/lib/libc.so.6"},
	};
	cb_files(&notes, files, 2, 2);
	cb_note(&notes, "LINUX", 0x202, "xstate", 6); // ignored
	const struct cb_seg segs[] = {
	    {HEAP, 0x1000, PF_R | PF_W, heap_bytes, 0x1000},
	    {HEAP + 0x1000, 0x1000, PF_R | PF_W, heap_bytes + 0x1000, 0x1000},
	    {TEXT, 0x3000, PF_R | PF_X, NULL, 0},
	    {STACK, 0x2000, PF_R | PF_W, stack_bytes, 0x2000},
	};
	uint8_t *core = cb_core(EM_X86_64, with_notes ? &notes : NULL, segs, 4, len);
	free(notes.p);
	return core;
}

static struct gpm_error *open_bytes(const void *data, size_t size, struct gpm_core **out)
{
	struct gpm_source *src;
	struct gpm_error *err = gpm_source_from_memory(data, size, "test.core", &src);
	if (err)
		return err;
	return gpm_core_from_source(src, out);
}

static struct gpm_core *open_ok(const void *data, size_t size)
{
	struct gpm_core *core = NULL;
	struct gpm_error *err = open_bytes(data, size, &core);
	ck_assert_msg(!err, "%s", err ? err->message : "");
	return core;
}

static void expect_error(const void *data, size_t size, enum gpm_error_code code,
                         const char *substr)
{
	struct gpm_core *core = NULL;
	struct gpm_error *err = open_bytes(data, size, &core);
	ck_assert_msg(err, "expected an error containing '%s'", substr);
	ck_assert_int_eq(err->code, code);
	ck_assert_msg(strstr(err->message, substr), "'%s' lacks '%s'", err->message, substr);
	gpm_error_destroy(err);
}

static bool has_warning(const struct gpm_core *core, const char *substr)
{
	for (size_t i = 0; i < gpm_core_warning_count(core); i++)
		if (strstr(gpm_core_warning_at(core, i), substr))
			return true;
	return false;
}

START_TEST(core_parses_every_note)
{
	size_t len;
	uint8_t *bytes = sample_core(&len, true);
	struct gpm_core *core = open_ok(bytes, len);
	ck_assert_uint_eq(gpm_core_warning_count(core), 0);
	ck_assert_str_eq(gpm_core_arch(core)->name, "amd64");
	ck_assert_uint_eq(gpm_core_ptr_size(core), 8);

	ck_assert_uint_eq(gpm_core_thread_count(core), 2);
	const struct gpm_core_thread *t = gpm_core_thread_at(core, 0);
	ck_assert_uint_eq(t->tid, 100);
	ck_assert_int_eq(t->signal, 11);
	ck_assert_uint_eq(t->pc, TEXT + 0x1234);
	ck_assert_uint_eq(t->sp, STACK + 0x800);
	ck_assert_uint_eq(t->bp, STACK + 0x900);
	ck_assert_uint_eq(t->tls, HEAP + 0x100);
	const struct gpm_arch_ops *arch = gpm_core_arch(core);
	ck_assert_str_eq(arch->reg_names[0], "rax");
	ck_assert_uint_eq(t->regs.v[0], 0xaaaa);
	ck_assert_str_eq(arch->reg_names[arch->go_dump_count - 1], "gs");
	ck_assert_str_eq(arch->reg_names[arch->pc_reg], "rip");
	ck_assert_ptr_eq(gpm_core_signal_thread(core), t);
	ck_assert_uint_eq(gpm_core_thread_at(core, 1)->tid, 101);
	ck_assert_ptr_null(gpm_core_thread_at(core, 2));

	const struct gpm_core_siginfo *si = gpm_core_siginfo(core);
	ck_assert_ptr_nonnull(si);
	ck_assert_int_eq(si->signo, 11);
	ck_assert_int_eq(si->code, 1);
	ck_assert(si->has_addr);
	ck_assert_uint_eq(si->addr, 0xdead);
	ck_assert(!si->has_sender);

	const struct gpm_core_psinfo *ps = gpm_core_psinfo(core);
	ck_assert_ptr_nonnull(ps);
	ck_assert_uint_eq(ps->pid, 100);
	ck_assert_uint_eq(ps->ppid, 1);
	ck_assert_uint_eq(ps->uid, 1000);
	ck_assert_int_eq(ps->state, 'S');
	ck_assert_str_eq(ps->fname, "app");
	ck_assert_str_eq(ps->psargs, "app -flag value");

	uint64_t v;
	ck_assert_uint_eq(gpm_core_auxv_count(core), 4);
	ck_assert(gpm_core_auxv_get(core, AT_ENTRY, &v) && v == TEXT + 0x1000);
	ck_assert(!gpm_core_auxv_get(core, AT_BASE, &v));
	ck_assert_str_eq(gpm_core_execfn(core), "/usr/bin/app");

	ck_assert_uint_eq(gpm_core_file_count(core), 2);
	const struct gpm_core_file *f = gpm_core_file_at(core, 1);
	ck_assert_uint_eq(f->offset, 2 * 4096);
	ck_assert_str_eq(f->path, "/lib/libc.so.6");
	ck_assert_ptr_eq(gpm_core_file_for_addr(core, TEXT + 5), gpm_core_file_at(core, 0));
	uint64_t base;
	ck_assert_str_eq(gpm_core_exe_mapping(core, &base), "/usr/bin/app");
	ck_assert_uint_eq(base, TEXT);

	ck_assert_uint_eq(gpm_core_segment_count(core), 4);
	ck_assert_uint_eq(gpm_core_segment_at(core, 0)->vaddr, TEXT); // sorted
	const struct gpm_core_segment *s = gpm_core_segment_for_addr(core, STACK + 0x10);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->present, 0x2000);
	ck_assert_ptr_null(gpm_core_segment_for_addr(core, STACK + 0x2000));
	uint8_t buf[8];
	ck_assert_ptr_null(gpm_core_read(core, STACK + 0x800, buf, 8));
	ck_assert_uint_eq(buf[0], 0x88);
	struct gpm_error *err = gpm_core_read(core, TEXT, buf, 8); // not dumped
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, GPM_ERR_FAULT);
	gpm_error_destroy(err);
	gpm_core_destroy(core);
	free(bytes);
}
END_TEST

START_TEST(core_memory_reads)
{
	size_t len;
	uint8_t *bytes = sample_core(&len, true);
	struct gpm_core *core = open_ok(bytes, len);
	struct gpm_memory *mem;
	ck_assert_ptr_null(gpm_memory_create(core, NULL, 0, &mem));
	ck_assert_uint_eq(gpm_memory_ptr_size(mem), 8);
	uint64_t w;
	ck_assert_ptr_null(gpm_memory_u64(mem, STACK + 0x800, &w));
	ck_assert_uint_eq(w, 0x1122334455667788ULL);
	ck_assert_ptr_null(gpm_memory_word(mem, STACK + 0x800, &w));
	uint32_t u32;
	ck_assert_ptr_null(gpm_memory_u32(mem, STACK + 0x804, &u32));
	ck_assert_uint_eq(u32, 0x11223344);
	// The two adjacent heap segments are one range; a read across them works.
	uint8_t buf[32];
	ck_assert_ptr_null(gpm_memory_read(mem, HEAP + 0xff0, buf, 32));
	ck_assert_mem_eq(buf, heap_bytes + 0xff0, 32);
	const uint8_t *p;
	ck_assert_ptr_null(gpm_memory_ptr(mem, HEAP + 0xff0, 32, &p));
	ck_assert_mem_eq(p, heap_bytes + 0xff0, 32);
	ck_assert_ptr_eq(p, gpm_core_segment_for_addr(core, HEAP)->data + 0xff0); // no copy
	// Without the executable, the undumped text faults, naming its first address.
	struct gpm_error *err = gpm_memory_read(mem, TEXT + 0x10, buf, 4);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, GPM_ERR_FAULT);
	ck_assert_uint_eq(err->address, TEXT + 0x10);
	gpm_error_destroy(err);
	err = gpm_memory_read(mem, STACK + 0x1ffc, buf, 8); // runs off the end
	ck_assert_ptr_nonnull(err);
	ck_assert_uint_eq(err->address, STACK + 0x2000);
	gpm_error_destroy(err);
	err = gpm_memory_u64(mem, UINT64_MAX - 3, &w);
	ck_assert_ptr_nonnull(err);
	gpm_error_destroy(err);
	// The same reads tried without an error: what gpm_memory_word reads, nothing else.
	w = 0;
	ck_assert(gpm_memory_word_try(mem, STACK + 0x800, &w));
	ck_assert_uint_eq(w, 0x1122334455667788ULL);
	ck_assert(gpm_memory_word_try(mem, HEAP + 0xffc, &w));
	ck_assert_mem_eq(&w, heap_bytes + 0xffc, 8);
	w = 42;
	ck_assert(!gpm_memory_word_try(mem, TEXT + 0x10, &w));
	ck_assert(!gpm_memory_word_try(mem, STACK + 0x1ffc, &w));
	ck_assert(!gpm_memory_word_try(mem, UINT64_MAX - 3, &w));
	ck_assert(!gpm_memory_word_try(mem, 0, &w));
	ck_assert_uint_eq(w, 42);
	ck_assert(gpm_memory_readable(mem, STACK, 0x2000));
	ck_assert(!gpm_memory_readable(mem, STACK, 0x2001));
	ck_assert(!gpm_memory_readable(mem, UINT64_MAX, 2));
	ck_assert_uint_ge(gpm_memory_range_count(mem), 2);
	gpm_memory_destroy(mem);
	gpm_core_destroy(core);
	free(bytes);
}
END_TEST

/*
 * A core of one read-write segment of SIZE patterned bytes at SEG, written to a file of a
 * fresh directory (so that it is read through the block cache, not from memory).
 */
struct file_core {
	uint8_t *seg;   /* the segment's bytes as written */
	uint8_t *bytes; /* the whole core */
	size_t len;
	char dir[32], path[64];
};

enum { FILE_CORE_SEG = 0x7f0000000000ULL };

static void file_core_make(struct file_core *fc, size_t size, unsigned shift)
{
	fc->seg = malloc(size);
	ck_assert_ptr_nonnull(fc->seg);
	for (size_t i = 0; i < size; i++)
		fc->seg[i] = (uint8_t)(i * 2654435761u >> shift);
	const struct cb_seg segs[] = {{FILE_CORE_SEG, size, PF_R | PF_W, fc->seg, size}};
	struct cb_buf notes = {0};
	cb_prstatus(&notes, 100, 11, FILE_CORE_SEG, FILE_CORE_SEG + 0x800, 0, 0);
	fc->bytes = cb_core(EM_X86_64, &notes, segs, 1, &fc->len);
	free(notes.p);
	snprintf(fc->dir, sizeof(fc->dir), "/tmp/gopm-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(fc->dir));
	snprintf(fc->path, sizeof(fc->path), "%s/core", fc->dir);
	FILE *f = fopen(fc->path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(fc->bytes, 1, fc->len, f), fc->len);
	ck_assert_int_eq(fclose(f), 0);
}

static void file_core_free(struct file_core *fc)
{
	unlink(fc->path);
	rmdir(fc->dir);
	free(fc->bytes);
	free(fc->seg);
}

/*
 * An uncompressed core file is read through the memory's block cache (pread into 64 KiB
 * blocks), a core in memory through its bytes: both give the same bytes everywhere,
 * across block boundaries, in reads bigger than a block and at the end of the file.
 */
START_TEST(core_memory_block_cache_reads_files)
{
	enum { SEG = FILE_CORE_SEG, SIZE = 5 * 65536 + 123 };
	struct file_core fc;
	file_core_make(&fc, SIZE, 13);
	const uint8_t *seg = fc.seg;
	struct gpm_core *from_file, *in_memory = open_ok(fc.bytes, fc.len);
	ck_assert_ptr_null(gpm_core_open(fc.path, &from_file));
	ck_assert(gpm_source_reads_file(gpm_core_source(from_file)));
	ck_assert(!gpm_source_reads_file(gpm_core_source(in_memory)));
	struct gpm_memory *a, *b;
	ck_assert_ptr_null(gpm_memory_create(from_file, NULL, 0, &a));
	ck_assert_ptr_null(gpm_memory_create(in_memory, NULL, 0, &b));
	static uint8_t x[3 * 65536], y[3 * 65536];
	unsigned checked = 0;
	for (uint64_t off = 0; off < SIZE; off += 4093) {
		uint64_t w1, w2;
		uint32_t u1, u2;
		uint8_t c1;
		if (off + 8 <= SIZE) {
			ck_assert_ptr_null(gpm_memory_word(a, SEG + off, &w1));
			ck_assert_ptr_null(gpm_memory_word(b, SEG + off, &w2));
			ck_assert_uint_eq(w1, w2);
			ck_assert(gpm_memory_word_try(a, SEG + off, &w1));
			ck_assert_uint_eq(w1, w2);
			ck_assert_ptr_null(gpm_memory_u32(a, SEG + off, &u1));
			ck_assert_ptr_null(gpm_memory_u32(b, SEG + off, &u2));
			ck_assert_uint_eq(u1, u2);
		}
		ck_assert_ptr_null(gpm_memory_u8(a, SEG + off, &c1));
		ck_assert_uint_eq(c1, seg[off]);
		size_t n = (size_t)((off * 7919) % sizeof(x));
		if (n > SIZE - off)
			n = (size_t)(SIZE - off);
		ck_assert_ptr_null(gpm_memory_read(a, SEG + off, x, n));
		ck_assert_ptr_null(gpm_memory_read(b, SEG + off, y, n));
		ck_assert_mem_eq(x, seg + off, n);
		ck_assert_mem_eq(y, seg + off, n);
		checked++;
	}
	ck_assert_uint_gt(checked, 80);
	// Words across each block boundary, and the last bytes of the file.
	for (uint64_t k = 65536; k < SIZE; k += 65536) {
		uint64_t w;
		ck_assert_ptr_null(gpm_memory_u64(a, SEG + k - 3, &w));
		ck_assert_mem_eq(&w, seg + k - 3, 8);
	}
	ck_assert_ptr_null(gpm_memory_read(a, SEG + SIZE - 5, x, 5));
	ck_assert_mem_eq(x, seg + SIZE - 5, 5);
	struct gpm_error *err = gpm_memory_read(a, SEG + SIZE - 5, x, 6);
	ck_assert_ptr_nonnull(err);
	ck_assert_uint_eq(err->address, SEG + SIZE);
	gpm_error_destroy(err);
	gpm_memory_destroy(a);
	gpm_memory_destroy(b);
	gpm_core_destroy(from_file);
	gpm_core_destroy(in_memory);
	file_core_free(&fc);
}
END_TEST

/*
 * Ascending streams are read ahead (several blocks per preadv into their own sets): two
 * streams interleaved with random reads, and a stream that runs into blocks already cached
 * and off the end of the file, read every byte the file's. The segment starts at an odd
 * offset of the file, so reads straddle the blocks read ahead.
 */
START_TEST(core_memory_block_cache_reads_streams_ahead)
{
	enum { SEG = FILE_CORE_SEG, BLK = 65536, SIZE = 200 * BLK + 77 };
	struct file_core fc;
	file_core_make(&fc, SIZE, 9);
	const uint8_t *seg = fc.seg;
	struct gpm_core *core;
	ck_assert_ptr_null(gpm_core_open(fc.path, &core));
	ck_assert(gpm_source_reads_file(gpm_core_source(core)));
	struct gpm_memory *mem;
	ck_assert_ptr_null(gpm_memory_create(core, NULL, 0, &mem));
	static uint8_t x[5000];
	unsigned checked = 0;
	// More blocks than the cache holds (64): stream a (416-byte records) from the start,
	// stream b (2 KiB steps) over the second half, a random 8-byte read every third step.
	for (uint64_t i = 0;; i++) {
		uint64_t a = i * 416, b = 100 * (uint64_t)BLK + i * 2048;
		if (b + 700 > SIZE)
			break;
		ck_assert_ptr_null(gpm_memory_read(mem, SEG + a, x, 416));
		ck_assert_mem_eq(x, seg + a, 416);
		ck_assert_ptr_null(gpm_memory_read(mem, SEG + b, x, 700));
		ck_assert_mem_eq(x, seg + b, 700);
		if (i % 3 == 0) {
			uint64_t r = (i * 7919 * 65537) % (SIZE - 8), w;
			ck_assert_ptr_null(gpm_memory_u64(mem, SEG + r, &w));
			ck_assert_mem_eq(&w, seg + r, 8);
		}
		checked++;
	}
	ck_assert_uint_eq(checked, 3200);
	// Every byte from three quarters of the file to its end, in 4,999-byte steps.
	for (uint64_t off = 150 * (uint64_t)BLK; off < SIZE; off += 4999) {
		size_t n = SIZE - off < 4999 ? (size_t)(SIZE - off) : 4999;
		ck_assert_ptr_null(gpm_memory_read(mem, SEG + off, x, n));
		ck_assert_mem_eq(x, seg + off, n);
		checked++;
	}
	ck_assert_uint_eq(checked, 3200 + 656);
	gpm_memory_destroy(mem);
	gpm_core_destroy(core);
	file_core_free(&fc);
}
END_TEST

/*
 * Blocks that fall into one set of the block cache (GPM_MEMORY_BLOCK_SETS sets of 4 ways:
 * block numbers GPM_MEMORY_BLOCK_SETS apart) read one after another, more of them than the set
 * holds, with reads of other sets in between: every byte read is the file's, whichever block was
 * evicted for which.
 */
START_TEST(core_memory_block_cache_evicts_within_a_set)
{
	enum { SEG = FILE_CORE_SEG, BLK = 65536, S = GPM_MEMORY_BLOCK_SETS };
	const size_t SIZE = (6 * S + 16) * (size_t)BLK + 77;
	struct file_core fc;
	file_core_make(&fc, SIZE, 11);
	const uint8_t *seg = fc.seg;
	struct gpm_core *core;
	ck_assert_ptr_null(gpm_core_open(fc.path, &core));
	ck_assert(gpm_source_reads_file(gpm_core_source(core)));
	struct gpm_memory *mem;
	ck_assert_ptr_null(gpm_memory_create(core, NULL, 0, &mem));
	unsigned checked = 0;
	for (unsigned turn = 0; turn < 40; turn++) {
		// 6 blocks of one set (the set moves every 10 rounds), then one of another set.
		for (unsigned k = 0; k < 6; k++) {
			uint64_t off =
			    (uint64_t)(turn / 10 + S * k) * BLK + (turn * 4099 + k * 61) % BLK;
			uint64_t w;
			ck_assert_ptr_null(gpm_memory_u64(mem, SEG + off, &w));
			ck_assert_mem_eq(&w, seg + off, 8);
			checked++;
		}
		uint64_t other = (uint64_t)(5 + turn % 7) * BLK + turn * 13;
		uint8_t x[300];
		ck_assert_ptr_null(gpm_memory_read(mem, SEG + other, x, sizeof(x)));
		ck_assert_mem_eq(x, seg + other, sizeof(x));
		checked++;
	}
	ck_assert_uint_eq(checked, 40 * 7);
	gpm_memory_destroy(mem);
	gpm_core_destroy(core);
	file_core_free(&fc);
}
END_TEST

/*
 * gpm_memory_borrow lends bytes of a cached block without copying them, and a lent block
 * stays while other reads evict every other block of its set (more blocks of the set than
 * it has ways, and a stream read ahead across all sets): the lent bytes are the file's
 * until the next loan under the same pin. What is not in one block of the file's cache is
 * not lent (NULL: the caller copies it).
 */
START_TEST(core_memory_block_cache_lends_pinned_blocks)
{
	enum { SEG = FILE_CORE_SEG, BLK = 65536, N = 3000, S = GPM_MEMORY_BLOCK_SETS };
	const size_t SIZE = (6 * S + 16) * (size_t)BLK + 77;
	struct file_core fc;
	// Shifted by 16: blocks of one set (S * 64 KiB apart) hold different bytes.
	file_core_make(&fc, SIZE, 16);
	const uint8_t *seg = fc.seg;
	// The segment's offset in the file: where its first 64 bytes are.
	uint64_t base = 0;
	while (base + 64 <= fc.len && memcmp(fc.bytes + base, seg, 64) != 0)
		base++;
	ck_assert_uint_lt(base + 64, fc.len);
	ck_assert_uint_lt(base, BLK / 2);
	struct gpm_core *core, *in_memory = open_ok(fc.bytes, fc.len);
	ck_assert_ptr_null(gpm_core_open(fc.path, &core));
	struct gpm_memory *mem, *mem2;
	ck_assert_ptr_null(gpm_memory_create(core, NULL, 0, &mem));
	ck_assert_ptr_null(gpm_memory_create(in_memory, NULL, 0, &mem2));
	unsigned checked = 0;
	for (unsigned turn = 0; turn < 20; turn++) {
		// Two loans in file blocks of one set (block numbers S apart).
		unsigned set = (turn + 2) % S;
		uint64_t a = (uint64_t)(set + S) * BLK + 100 + turn - base;
		uint64_t b = (uint64_t)(set + 2 * S) * BLK + 4000 + turn - base;
		const uint8_t *pa = gpm_memory_borrow(mem, 0, SEG + a, N);
		const uint8_t *pb = gpm_memory_borrow(mem, 1, SEG + b, N);
		ck_assert_ptr_nonnull(pa);
		ck_assert_ptr_nonnull(pb);
		ck_assert_mem_eq(pa, seg + a, N);
		ck_assert_mem_eq(pb, seg + b, N);
		// The other blocks of the set (4 of them: with the 2 lent, more than its 4 ways),
		// twice, then a stream over 12 blocks.
		static const unsigned others[] = {0, 3, 4, 5};
		for (unsigned r = 0; r < 2; r++)
			for (unsigned k = 0; k < 4; k++) {
				uint64_t off =
				    (uint64_t)(set + S * others[k]) * BLK + BLK / 2 + r - base;
				uint64_t w;
				ck_assert_ptr_null(gpm_memory_u64(mem, SEG + off, &w));
				ck_assert_mem_eq(&w, seg + off, 8);
			}
		for (uint64_t at = (uint64_t)(turn % 5) * BLK; at < (turn % 5 + 12) * (uint64_t)BLK;
		     at += 2048) {
			uint8_t x[64];
			ck_assert_ptr_null(gpm_memory_read(mem, SEG + at, x, sizeof(x)));
			ck_assert_mem_eq(x, seg + at, sizeof(x));
		}
		ck_assert_mem_eq(pa, seg + a, N);
		ck_assert_mem_eq(pb, seg + b, N);
		checked++;
	}
	ck_assert_uint_eq(checked, 20);
	// Across a block boundary of the file, past the segment, under no pin, from memory.
	ck_assert_ptr_null(gpm_memory_borrow(mem, 0, SEG + 5 * BLK - base - 10, 20));
	ck_assert_ptr_null(gpm_memory_borrow(mem, 0, SEG + SIZE - 4, 8));
	ck_assert_ptr_null(gpm_memory_borrow(mem, GPM_MEMORY_PINS, SEG + BLK, 8));
	ck_assert_ptr_null(gpm_memory_borrow(mem2, 0, SEG + BLK, 8));
	const uint8_t *p = gpm_memory_borrow(mem, 0, SEG + SIZE - 8, 8);
	ck_assert_ptr_nonnull(p);
	ck_assert_mem_eq(p, seg + SIZE - 8, 8);
	gpm_memory_unpin(mem);
	gpm_memory_destroy(mem);
	gpm_memory_destroy(mem2);
	gpm_core_destroy(core);
	gpm_core_destroy(in_memory);
	file_core_free(&fc);
}
END_TEST

START_TEST(core_without_notes)
{
	size_t len;
	uint8_t *bytes = sample_core(&len, false);
	struct gpm_core *core = open_ok(bytes, len);
	ck_assert_uint_eq(gpm_core_thread_count(core), 0);
	ck_assert_ptr_null(gpm_core_signal_thread(core));
	ck_assert_ptr_null(gpm_core_siginfo(core));
	ck_assert_ptr_null(gpm_core_psinfo(core));
	ck_assert_ptr_null(gpm_core_exe_mapping(core, NULL));
	ck_assert(has_warning(core, "no notes"));
	ck_assert_uint_eq(gpm_core_segment_count(core), 4);
	gpm_core_destroy(core);
	free(bytes);
}
END_TEST

START_TEST(core_truncated_keeps_what_exists)
{
	size_t len;
	uint8_t *bytes = sample_core(&len, true);
	// Cut inside the last segment (the stack): its first 0x1000 bytes remain.
	struct gpm_core *core = open_ok(bytes, len - 0x1000);
	ck_assert(has_warning(core, "core truncated: 12288 of 16384 bytes of segments present"));
	ck_assert_uint_eq(gpm_core_thread_count(core), 2);
	struct gpm_memory *mem;
	ck_assert_ptr_null(gpm_memory_create(core, NULL, 0, &mem));
	uint64_t w;
	ck_assert_ptr_null(gpm_memory_u64(mem, STACK + 0x800, &w));
	struct gpm_error *err = gpm_memory_u64(mem, STACK + 0x1800, &w);
	ck_assert_ptr_nonnull(err);
	gpm_error_destroy(err);
	gpm_memory_destroy(mem);
	gpm_core_destroy(core);

	// Every cut point either fails cleanly or opens with warnings; nothing crashes.
	for (size_t cut = 0; cut < len; cut += (cut < 1024 ? 7 : 1021)) {
		struct gpm_core *c = NULL;
		struct gpm_error *e = open_bytes(bytes, cut, &c);
		if (e) {
			ck_assert_int_eq(e->code, GPM_ERR_FORMAT);
			gpm_error_destroy(e);
			continue;
		}
		ck_assert_msg(cut >= 64, "opened a core cut at %zu", cut);
		if (cut < len)
			ck_assert_uint_gt(gpm_core_warning_count(c), 0);
		ck_assert_ptr_null(gpm_memory_create(c, NULL, 0, &mem));
		gpm_memory_destroy(mem);
		gpm_core_destroy(c);
	}
	free(bytes);
}
END_TEST

START_TEST(core_refuses_non_cores)
{
	expect_error("", 0, GPM_ERR_FORMAT, "not an ELF file");
	expect_error("garbage garbage garbage", 23, GPM_ERR_FORMAT, "not an ELF file");
	uint8_t rnd[4096];
	srand(7);
	for (size_t i = 0; i < sizeof(rnd); i++)
		rnd[i] = (uint8_t)rand();
	expect_error(rnd, sizeof(rnd), GPM_ERR_FORMAT, "not an ELF file");
	expect_error("\x7f"
	             "ELF\x02",
	             5, GPM_ERR_FORMAT, "truncated ELF header");

	size_t len;
	uint8_t *bytes = sample_core(&len, true);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)(void *)bytes; // malloc'd: aligned
	expect_error(bytes, 40, GPM_ERR_FORMAT, "truncated ELF header");
	eh->e_type = ET_EXEC;
	expect_error(bytes, len, GPM_ERR_FORMAT, "not a core file");
	eh->e_type = ET_CORE;
	eh->e_machine = EM_RISCV;
	expect_error(bytes, len, GPM_ERR_UNSUPPORTED,
	             "core for riscv64: architecture not supported (amd64 and arm64 are)");
	eh->e_machine = EM_PPC64;
	expect_error(bytes, len, GPM_ERR_UNSUPPORTED, "core for ppc64: architecture not supported");
	eh->e_machine = 4242;
	expect_error(bytes, len, GPM_ERR_UNSUPPORTED,
	             "core for ELF machine 4242: architecture not supported");
	eh->e_machine = EM_X86_64;
	eh->e_ident[EI_CLASS] = ELFCLASS32;
	expect_error(bytes, len, GPM_ERR_UNSUPPORTED, "ELF class 1 not supported");
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2MSB;
	expect_error(bytes, len, GPM_ERR_UNSUPPORTED, "not supported");
	free(bytes);
}
END_TEST

/* An arm64 core as qemu-user writes it: NT_PRSTATUS per thread (user_pt_regs x0..x30, sp, pc,
 * pstate), the signal only on the dumping thread, which is not the first; NT_PRPSINFO and
 * NT_AUXV but no NT_SIGINFO or NT_FILE. Then a kernel's: NT_ARM_TLS after a thread. */
static void arm64_prstatus(struct cb_buf *b, uint32_t tid, uint16_t sig, uint64_t pc, uint64_t sp,
                           uint64_t lr, uint64_t g)
{
	uint8_t d[392] = {0};
	uint32_t signo = sig;
	memcpy(d, &signo, 4);
	memcpy(d + 12, &sig, 2);
	memcpy(d + 32, &tid, 4);
	uint64_t *regs = (uint64_t *)(void *)(d + 112);
	for (unsigned i = 0; i < 31; i++)
		regs[i] = 0x1000 + i;
	regs[28] = g;
	regs[30] = lr;
	regs[31] = sp;
	regs[32] = pc;
	regs[33] = 0x60000000;
	cb_note(b, "CORE", NT_PRSTATUS, d, sizeof(d));
}

START_TEST(core_arm64_qemu_notes)
{
	struct cb_buf notes = {0};
	arm64_prstatus(&notes, 7, 0, TEXT + 0x10, STACK + 0x100, TEXT + 0x20, HEAP);
	cb_prpsinfo(&notes, 7, 1, "app", "app");
	const uint64_t auxv[] = {AT_PHDR, TEXT + 0x40, AT_ENTRY, TEXT + 0x1000};
	cb_auxv(&notes, auxv, 2);
	arm64_prstatus(&notes, 9, 6, TEXT + 0x30, STACK + 0x200, TEXT + 0x40, HEAP + 0x100);
	uint64_t tls = 0x7f00001000;
	cb_note(&notes, "LINUX", 0x401, &tls, 8); // NT_ARM_TLS of thread 9
	const struct cb_seg segs[] = {
	    {TEXT, 0x3000, PF_R | PF_X, NULL, 0},
	    {STACK, 0x2000, PF_R | PF_W, stack_bytes, 0x2000},
	};
	size_t len;
	uint8_t *bytes = cb_core(EM_AARCH64, &notes, segs, 2, &len);
	free(notes.p);
	struct gpm_core *core = open_ok(bytes, len);
	const struct gpm_arch_ops *arch = gpm_core_arch(core);
	ck_assert_str_eq(arch->name, "arm64");
	ck_assert_str_eq(arch->reg_names[arch->go_dump_count - 1], "pc");
	ck_assert_str_eq(arch->reg_names[arch->lr_reg], "lr");
	ck_assert_uint_eq(gpm_core_thread_count(core), 2);
	const struct gpm_core_thread *t = gpm_core_thread_at(core, 0);
	ck_assert_uint_eq(t->tid, 7);
	ck_assert_uint_eq(t->pc, TEXT + 0x10);
	ck_assert_uint_eq(t->sp, STACK + 0x100);
	ck_assert_uint_eq(t->regs.v[arch->lr_reg], TEXT + 0x20);
	ck_assert_uint_eq(t->regs.v[arch->g_reg], HEAP);
	ck_assert_uint_eq(t->regs.v[5], 0x1005);
	ck_assert_uint_eq(t->tls, 0);
	// The dumping thread is the one with the signal, wherever it is among the notes.
	const struct gpm_core_thread *s = gpm_core_signal_thread(core);
	ck_assert_uint_eq(s->tid, 9);
	ck_assert_uint_eq(s->tls, tls);
	ck_assert_uint_eq(s->regs.v[arch->tls_reg], tls);
	// No NT_SIGINFO: the signal comes from the dumping thread's NT_PRSTATUS.
	const struct gpm_core_siginfo *si = gpm_core_siginfo(core);
	ck_assert_ptr_nonnull(si);
	ck_assert_int_eq(si->signo, 6);
	ck_assert(!si->has_addr && !si->has_sender);
	ck_assert_uint_eq(gpm_core_file_count(core), 0);
	ck_assert_ptr_null(gpm_core_exe_mapping(core, NULL));
	uint64_t entry;
	ck_assert(gpm_core_auxv_get(core, AT_ENTRY, &entry) && entry == TEXT + 0x1000);
	gpm_core_destroy(core);
	free(bytes);
}
END_TEST

// Two PT_LOADs that cover the same addresses (a damaged or crafted core): said once, and
// every address still reads from one of them.
START_TEST(core_overlapping_segments)
{
	size_t len;
	uint8_t *bytes = sample_core(&len, true);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)(void *)bytes; // malloc'd: aligned
	Elf64_Phdr *ph = (Elf64_Phdr *)(void *)(bytes + eh->e_phoff);
	int moved = 0;
	for (unsigned i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr == HEAP + 0x1000) {
			ph[i].p_vaddr = HEAP + 0x800; // into the first heap segment
			moved++;
		}
	ck_assert_int_eq(moved, 1);
	struct gpm_core *core = open_ok(bytes, len);
	ck_assert(has_warning(core, "1 PT_LOAD segments overlap"));
	ck_assert_uint_eq(gpm_core_segment_count(core), 4);
	struct gpm_memory *mem;
	ck_assert_ptr_null(gpm_memory_create(core, NULL, 0, &mem));
	uint8_t b;
	ck_assert_ptr_null(gpm_memory_read(mem, HEAP + 0x100, &b, 1));
	ck_assert_uint_eq(b, 0x00);
	ck_assert_ptr_null(gpm_memory_read(mem, HEAP + 0x900, &b, 1));
	gpm_memory_destroy(mem);
	gpm_core_destroy(core);
	free(bytes);
}
END_TEST

START_TEST(core_survives_absurd_counts)
{
	size_t len;
	uint8_t *bytes = sample_core(&len, true);
	Elf64_Ehdr *eh = (Elf64_Ehdr *)(void *)bytes; // malloc'd: aligned
	struct gpm_core *core;

	// e_phnum far beyond the file: only the program headers that fit are read.
	eh->e_phnum = 60000;
	core = open_ok(bytes, len);
	ck_assert(has_warning(core, "program headers present"));
	gpm_core_destroy(core);
	// PN_XNUM with a section header offset past the end.
	eh->e_phnum = PN_XNUM;
	eh->e_shoff = UINT64_MAX - 8;
	expect_error(bytes, len, GPM_ERR_FORMAT, "PN_XNUM");
	eh->e_phnum = 5;
	eh->e_phoff = UINT64_MAX - 100;
	expect_error(bytes, len, GPM_ERR_FORMAT, "past the end");
	eh->e_phoff = sizeof(*eh);
	eh->e_phentsize = 8;
	expect_error(bytes, len, GPM_ERR_FORMAT, "program header size");
	eh->e_phentsize = sizeof(Elf64_Phdr);

	// A PT_LOAD whose vaddr + memsz wraps, and one whose offset is past the end.
	Elf64_Phdr *ph = (Elf64_Phdr *)(void *)(bytes + sizeof(*eh));
	Elf64_Phdr save = ph[1];
	ph[1].p_vaddr = UINT64_MAX - 0x10;
	core = open_ok(bytes, len);
	ck_assert(has_warning(core, "wraps around"));
	ck_assert_uint_eq(gpm_core_segment_count(core), 3);
	gpm_core_destroy(core);
	ph[1] = save;
	ph[1].p_offset = UINT64_MAX - 0x10;
	core = open_ok(bytes, len);
	ck_assert(has_warning(core, "core truncated"));
	gpm_core_destroy(core);
	free(bytes);

	// Notes with lying sizes.
	struct cb_buf notes = {0};
	cb_prstatus(&notes, 1, 0, 1, 2, 3, 4);
	cb_note_raw(&notes, 0xfffffff0, 4, NT_PRSTATUS, "CORE", 5, "xxxx", 4);
	cb_prstatus(&notes, 2, 0, 1, 2, 3, 4); // after the bad one: not reached
	bytes = cb_core(EM_X86_64, &notes, NULL, 0, &len);
	core = open_ok(bytes, len);
	ck_assert_uint_eq(gpm_core_thread_count(core), 1);
	ck_assert(has_warning(core, "malformed note"));
	gpm_core_destroy(core);
	free(bytes);
	free(notes.p);

	memset(&notes, 0, sizeof(notes));
	cb_note_raw(&notes, 5, 0xfffffff0, NT_PRSTATUS, "CORE", 5, "", 0);
	cb_note(&notes, "CORE", NT_PRSTATUS, "short", 5); // too short for x86-64
	cb_note(&notes, "CORE", NT_SIGINFO, "short", 5);  // too short
	cb_note(&notes, "CORE", NT_PRPSINFO, "short", 5); // too short
	cb_note(&notes, "CORE", NT_FILE, "short", 5);     // too short
	bytes = cb_core(EM_X86_64, &notes, NULL, 0, &len);
	core = open_ok(bytes, len);
	ck_assert_uint_eq(gpm_core_thread_count(core), 0);
	ck_assert(has_warning(core, "malformed note"));
	gpm_core_destroy(core);
	free(bytes);
	free(notes.p);

	memset(&notes, 0, sizeof(notes));
	cb_prstatus(&notes, 1, 0, 1, 2, 3, 4);
	cb_note(&notes, "CORE", NT_PRSTATUS, "short", 5);
	cb_note(&notes, "CORE", NT_SIGINFO, "short", 5);
	cb_note(&notes, "CORE", NT_PRPSINFO, "short", 5);
	const struct cb_file files[] = {{0x1000, 0x2000, 0, "/a"}, {0x3000, 0x2000, 0, "/bad"}};
	cb_files(&notes, files, 2, UINT64_MAX / 2); // count far beyond the note
	bytes = cb_core(EM_X86_64, &notes, NULL, 0, &len);
	core = open_ok(bytes, len);
	ck_assert_uint_eq(gpm_core_thread_count(core), 1);
	ck_assert(has_warning(core, "thread note at offset"));
	ck_assert(has_warning(core, "NT_SIGINFO of 5 bytes"));
	ck_assert(has_warning(core, "NT_PRPSINFO of 5 bytes"));
	ck_assert(has_warning(core, "NT_FILE claims"));
	ck_assert(has_warning(core, "malformed")); // the end < start entry
	ck_assert_uint_eq(gpm_core_file_count(core), 1);
	gpm_core_destroy(core);
	free(bytes);
	free(notes.p);
}
END_TEST

/* ---- fixtures ---- */

static char *meta_get(const char *dir, const char *key)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/meta", dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char line[1024];
	char *val = NULL;
	size_t kl = strlen(key);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, kl) == 0 && line[kl] == '=') {
			line[strcspn(line, "\n")] = '\0';
			val = strdup(line + kl + 1);
			break;
		}
	}
	fclose(f);
	return val;
}

static int signal_number(const char *name)
{
	static const struct {
		const char *name;
		int num;
	} sigs[] = {{"SIGQUIT", 3}, {"SIGILL", 4},  {"SIGTRAP", 5},  {"SIGABRT", 6}, {"SIGBUS", 7},
	            {"SIGFPE", 8},  {"SIGKILL", 9}, {"SIGSEGV", 11}, {"SIGTERM", 15}};
	for (size_t i = 0; name && i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (strcmp(sigs[i].name, name) == 0)
			return sigs[i].num;
	return -1;
}

static void check_fixture(const char *dir, const char *name)
{
	char path[4096 + 512];
	snprintf(path, sizeof(path), "%s/core.zst", dir);
	char *exe_rel = meta_get(dir, "exe");
	if (access(path, R_OK) != 0 || !exe_rel) {
		free(exe_rel);
		return;
	}
	struct gpm_core *core;
	struct gpm_error *err = gpm_core_open(path, &core);
	ck_assert_msg(!err, "%s: %s", name, err ? err->message : "");
	ck_assert_msg(gpm_core_warning_count(core) == 0, "%s: %s", name,
	              gpm_core_warning_at(core, 0));

	char *threads = meta_get(dir, "threads");
	if (threads)
		ck_assert_msg(gpm_core_thread_count(core) == strtoul(threads, NULL, 10),
		              "%s: %zu threads, meta says %s", name, gpm_core_thread_count(core),
		              threads);
	free(threads);
	char *signame = meta_get(dir, "si_signo");
	const struct gpm_core_siginfo *si = gpm_core_siginfo(core);
	ck_assert_ptr_nonnull(si);
	if (signame)
		ck_assert_msg(si->signo == signal_number(signame), "%s: signal %d, meta %s", name,
		              si->signo, signame);
	free(signame);
	const struct gpm_core_thread *t = gpm_core_signal_thread(core);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_eq(t->signal, si->signo);
	char *psargs = meta_get(dir, "psargs");
	if (psargs)
		ck_assert_str_eq(gpm_core_psinfo(core)->psargs, psargs);
	free(psargs);

	// The executable named by meta matches (by build id) and its bias makes pc code.
	struct gpm_exe *exe;
	uint64_t bias;
	char *why = NULL;
	err = gpm_core_find_exe(core, gpm_test_data(exe_rel), false, &exe, &bias, &why);
	ck_assert_msg(!err, "%s: %s", name, err ? err->message : "");
	ck_assert_msg(strstr(why, "match"), "%s: %s", name, why);
	free(why);
	char *core_go = NULL;
	ck_assert_ptr_null(gpm_core_build_ids(core, NULL, &core_go));
	if (gpm_exe_go_build_id(exe) && strstr(gpm_exe_go_build_id(exe), "/")) {
		ck_assert_ptr_nonnull(core_go);
		ck_assert_str_eq(core_go, gpm_exe_go_build_id(exe));
	}
	free(core_go);
	if (!gpm_exe_is_pie(exe))
		ck_assert_uint_eq(bias, 0);
	const struct gpm_exe_section *sec = gpm_exe_section_for_addr(exe, t->pc - bias);
	ck_assert_msg(sec && strcmp(sec->name, ".text") == 0, "%s: pc 0x%llx not in .text", name,
	              (unsigned long long)t->pc);

	struct gpm_memory *mem;
	ck_assert_ptr_null(gpm_memory_create(core, exe, bias, &mem));
	uint8_t a[32], b[32];
	ck_assert_ptr_null(gpm_memory_read(mem, t->pc, a, sizeof(a)));
	ck_assert_ptr_null(gpm_exe_read(exe, t->pc - bias, b, sizeof(b)));
	ck_assert_msg(memcmp(a, b, sizeof(a)) == 0, "%s: code at pc differs", name);
	uint64_t w;
	for (size_t i = 0; i < gpm_core_thread_count(core); i++) {
		const struct gpm_core_thread *th = gpm_core_thread_at(core, i);
		err = gpm_memory_word(mem, th->sp, &w);
		ck_assert_msg(!err, "%s: thread %u sp: %s", name, th->tid, err ? err->message : "");
	}
	// Static data of the executable reads the same through the core (rodata is not dumped).
	const struct gpm_exe_section *rodata = gpm_exe_section(exe, ".rodata");
	if (rodata && rodata->data && rodata->size >= 32) {
		ck_assert_ptr_null(gpm_memory_read(mem, rodata->addr + bias, a, 32));
		ck_assert_mem_eq(a, rodata->data, 32);
	}
	gpm_memory_destroy(mem);
	gpm_exe_destroy(exe);
	gpm_core_destroy(core);
	free(exe_rel);
}

START_TEST(core_fixtures)
{
	const char *root = gpm_test_data("cores");
	DIR *d = opendir(root);
	if (!d)
		return;
	char rootcopy[4096];
	snprintf(rootcopy, sizeof(rootcopy), "%s", root);
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char dir[4096 + 256];
		snprintf(dir, sizeof(dir), "%s/%s", rootcopy, e->d_name);
		check_fixture(dir, e->d_name);
	}
	closedir(d);
}
END_TEST

static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	ck_assert(in && out);
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		ck_assert_uint_eq(fwrite(buf, 1, n, out), n);
	fclose(in);
	fclose(out);
}

/* The executable copied beside the core under its mapped name is found without --exe. */
START_TEST(core_finds_exe_beside_core)
{
	const char *fixture = "go1.19-hang-pie";
	char core_src[4096], exe_src[4096];
	snprintf(core_src, sizeof(core_src), "%s", gpm_test_data("cores/go1.19-hang-pie/core.zst"));
	snprintf(exe_src, sizeof(exe_src), "%s", gpm_test_data("exe/go1.19-hang-pie.zst"));
	if (access(core_src, R_OK) != 0 || access(exe_src, R_OK) != 0)
		return;
	char dir[] = "/tmp/gopm-test-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char core_path[4096], exe_path[4096];
	snprintf(core_path, sizeof(core_path), "%s/core.zst", dir);
	copy_file(core_src, core_path);
	struct gpm_core *core;
	ck_assert_ptr_null(gpm_core_open(core_path, &core));
	const char *mapped = gpm_core_exe_mapping(core, NULL);
	ck_assert_ptr_nonnull(mapped);
	const char *base = strrchr(mapped, '/') ? strrchr(mapped, '/') + 1 : mapped;
	snprintf(exe_path, sizeof(exe_path), "%s/%s.zst", dir, base);
	copy_file(exe_src, exe_path);
	struct gpm_exe *exe;
	uint64_t bias;
	char *why = NULL;
	struct gpm_error *err = gpm_core_find_exe(core, NULL, false, &exe, &bias, &why);
	ck_assert_msg(!err, "%s: %s", fixture, err ? err->message : "");
	ck_assert_msg(strstr(why, "Go build id matches"), "%s", why);
	ck_assert_uint_ne(bias, 0);
	free(why);
	gpm_exe_destroy(exe);

	// A wrong explicit executable is refused, and accepted when forced.
	const char *other = gpm_test_data("exe/go1.19-hang-stripped.zst");
	if (access(other, R_OK) == 0) {
		err = gpm_core_find_exe(core, other, false, &exe, &bias, &why);
		ck_assert_ptr_nonnull(err);
		ck_assert_int_eq(err->code, GPM_ERR_MISMATCH);
		ck_assert_msg(strstr(err->message, "does not match the core (build id "), "%s",
		              err->message);
		gpm_error_destroy(err);
		ck_assert_ptr_null(gpm_core_find_exe(core, other, true, &exe, &bias, &why));
		ck_assert(strstr(why, "forced"));
		free(why);
		gpm_exe_destroy(exe);
	}
	gpm_core_destroy(core);
	unlink(exe_path);
	unlink(core_path);
	rmdir(dir);
}
END_TEST

/*
 * A process whose executable was deleted or replaced while it ran (a deploy): the kernel
 * names the mapping "PATH (deleted)". The lookup tries PATH itself and the file's name
 * beside the core, never names with " (deleted)" in them, and says which it tried.
 */
START_TEST(core_exe_deleted_while_running)
{
	struct cb_buf notes = {0};
	cb_prstatus(&notes, 100, 11, TEXT + 0x1234, STACK + 0x800, 0, 0);
	const uint64_t auxv[] = {AT_PHDR, TEXT + 0x40, AT_ENTRY, TEXT + 0x1000};
	cb_auxv(&notes, auxv, 2);
	const struct cb_file files[] = {{TEXT, TEXT + 0x3000, 0, "/nonexistent/app/svc (deleted)"}};
	cb_files(&notes, files, 1, 1);
	const struct cb_seg segs[] = {{TEXT, 0x3000, PF_R | PF_X, NULL, 0},
	                              {STACK, 0x1000, PF_R | PF_W, NULL, 0}};
	size_t len;
	uint8_t *bytes = cb_core(EM_X86_64, &notes, segs, 2, &len);
	free(notes.p);
	struct gpm_core *core = open_ok(bytes, len);
	ck_assert_str_eq(gpm_core_exe_mapping(core, NULL), "/nonexistent/app/svc (deleted)");
	struct gpm_exe *exe = NULL;
	uint64_t bias;
	char *why = NULL;
	struct gpm_error *err = gpm_core_locate_exe(core, NULL, &exe, &bias, &why);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err->message, "/nonexistent/app/svc,") ||
	                  strstr(err->message, "/nonexistent/app/svc)"),
	              "%s", err->message);
	ck_assert_msg(strstr(err->message, "./svc"), "%s", err->message);
	ck_assert_msg(!strstr(err->message, "(deleted)"), "%s", err->message);
	gpm_error_destroy(err);
	ck_assert_ptr_null(exe);
	free(why);
	gpm_core_destroy(core);
	free(bytes);
}
END_TEST

/* Runs a search of dir for core's executable with the index kept in index; the stats out. */
static struct gpm_error *locate_indexed(struct gpm_core *core, const char *dir, const char *index,
                                        struct gpm_exe_locate_stats *st, char **why)
{
	struct gpm_exe_locate_options o = {.search_path = dir, .index_path = index, .stats = st};
	struct gpm_exe *exe = NULL;
	uint64_t bias;
	*st = (struct gpm_exe_locate_stats){0};
	*why = NULL;
	struct gpm_error *err = gpm_core_locate_exe(core, &o, &exe, &bias, why);
	gpm_exe_destroy(exe);
	return err;
}

static size_t index_lines(const char *index)
{
	FILE *f = fopen(index, "r");
	ck_assert_ptr_nonnull(f);
	size_t n = 0;
	int c;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n - 1; // the header
}

/*
 * A search directory of thousands of files is opened once: later searches take the build
 * ids from the index (no file opened), a new file alone is probed, a changed one is probed
 * again, and a removed one leaves the index.
 */
START_TEST(core_exe_index_spares_reads)
{
	enum { NJUNK = 3000 };
	char core_src[4096], exe_src[4096], other_src[4096]; // gpm_test_data's buffer is static
	snprintf(core_src, sizeof(core_src), "%s", gpm_test_data("cores/go1.19-hang-pie/core.zst"));
	snprintf(exe_src, sizeof(exe_src), "%s", gpm_test_data("exe/go1.19-hang-pie.zst"));
	snprintf(other_src, sizeof(other_src), "%s", gpm_test_data("exe/go1.19-hang-stripped.zst"));
	if (access(core_src, R_OK) != 0 || access(exe_src, R_OK) != 0 ||
	    access(other_src, R_OK) != 0)
		return;
	char tmp[] = "/tmp/gopm-test-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	char dir[4200], index[4200], path[4300];
	snprintf(dir, sizeof(dir), "%s/search", tmp);
	snprintf(index, sizeof(index), "%s/cache/gopm/exe-index", tmp);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	for (int i = 0; i < NJUNK; i++) {
		snprintf(path, sizeof(path), "%s/junk-%04d", dir, i);
		FILE *f = fopen(path, "w");
		ck_assert_ptr_nonnull(f);
		fprintf(f, "%0100d\n", i); // not ELF, bigger than an ELF header
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/other-program.zst", dir);
	copy_file(other_src, path);
	// The core alone in its directory (searched too, by build id, when nothing else
	// matched: the core itself is not probed there).
	char core_dir[4200], core_path[4300];
	snprintf(core_dir, sizeof(core_dir), "%s/core", tmp);
	ck_assert_int_eq(mkdir(core_dir, 0700), 0);
	snprintf(core_path, sizeof(core_path), "%s/core.zst", core_dir);
	copy_file(core_src, core_path);
	struct gpm_core *core;
	ck_assert_ptr_null(gpm_core_open(core_path, &core));
	struct gpm_exe_locate_stats st;
	char *why;

	// Not there: every file is probed once, then none.
	struct gpm_error *err = locate_indexed(core, dir, index, &st, &why);
	ck_assert_ptr_nonnull(err);
	gpm_error_destroy(err);
	ck_assert_uint_eq(st.probed, NJUNK + 1);
	ck_assert_uint_eq(st.indexed, 0);
	ck_assert_uint_eq(index_lines(index), NJUNK + 1);
	err = locate_indexed(core, dir, index, &st, &why);
	ck_assert_ptr_nonnull(err);
	gpm_error_destroy(err);
	ck_assert_uint_eq(st.probed, 0);
	ck_assert_uint_eq(st.indexed, NJUNK + 1);

	// Deployed under another name: only the new file is opened; next time it comes from
	// the index without listing the directory.
	char deployed[4300];
	snprintf(deployed, sizeof(deployed), "%s/service-v2.zst", dir);
	copy_file(exe_src, deployed);
	err = locate_indexed(core, dir, index, &st, &why);
	ck_assert_msg(!err, "%s", err ? err->message : "");
	ck_assert_msg(strstr(why, "service-v2.zst (from search directory, by build id)"), "%s",
	              why);
	free(why);
	ck_assert_uint_eq(st.probed, 1);
	err = locate_indexed(core, dir, index, &st, &why);
	ck_assert_msg(!err, "%s", err ? err->message : "");
	free(why);
	ck_assert_uint_eq(st.probed, 0);
	ck_assert_uint_eq(st.indexed, 1);

	// Replaced in place by another program: the stale entry is probed again, and the
	// rest comes from the index.
	copy_file(other_src, deployed);
	struct stat sb;
	ck_assert_int_eq(stat(deployed, &sb), 0);
	err = locate_indexed(core, dir, index, &st, &why);
	ck_assert_ptr_nonnull(err);
	gpm_error_destroy(err);
	ck_assert_uint_eq(st.probed, 1);
	// The listing meets the re-probed file again, now indexed: every file but it counted once.
	ck_assert_uint_eq(st.indexed, NJUNK + 2);

	// Removed files leave the index once the directory is listed whole.
	for (int i = 0; i < 10; i++) {
		snprintf(path, sizeof(path), "%s/junk-%04d", dir, i);
		ck_assert_int_eq(unlink(path), 0);
	}
	err = locate_indexed(core, dir, index, &st, &why);
	ck_assert_ptr_nonnull(err);
	gpm_error_destroy(err);
	ck_assert_uint_eq(st.probed, 0);
	ck_assert_uint_eq(index_lines(index), NJUNK - 10 + 2);

	// A damaged index is an empty one: everything probed again, nothing lost.
	FILE *f = fopen(index, "w");
	ck_assert_ptr_nonnull(f);
	fputs("gopm exe-index 1\n1 2 3 x\n\n4 5 6 7 8 62 - - \n", f);
	fclose(f);
	err = locate_indexed(core, dir, index, &st, &why);
	ck_assert_ptr_nonnull(err);
	gpm_error_destroy(err);
	ck_assert_uint_eq(st.probed, NJUNK - 10 + 2);

	gpm_core_destroy(core);
	char cmd[4300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/*
 * A core as gdb's gcore writes it: no segment at all for the executable's read-only ranges,
 * only NT_FILE entries (or nothing: then the executable's PT_LOADs). They read from the
 * executable; a writable range the core lacks and a range of another file stay unreadable.
 */
START_TEST(core_memory_serves_ranges_without_segments)
{
	struct gpm_exe *exe;
	const char *exe_path = gpm_test_data("exe/go1.19-hang-stripped.zst");
	if (access(exe_path, R_OK) != 0)
		return;
	ck_assert_ptr_null(gpm_exe_open(exe_path, &exe));
	const struct gpm_exe_section *rodata = gpm_exe_section(exe, ".rodata");
	const struct gpm_exe_section *data = gpm_exe_section(exe, ".data");
	ck_assert(rodata && rodata->data && data);
	for (int with_files = 0; with_files < 2; with_files++) {
		struct cb_buf notes = {0};
		cb_prstatus(&notes, 1, 19, 0x7f0000001000, 0x7f0000001800, 0, 0);
		const uint64_t auxv[] = {AT_ENTRY, gpm_exe_entry(exe)};
		cb_auxv(&notes, auxv, 1);
		struct cb_file files[8];
		size_t nf = 0;
		for (size_t i = 0; i < gpm_exe_segment_count(exe) && nf < 7; i++) {
			const struct gpm_exe_segment *s = gpm_exe_segment_at(exe, i);
			if (s->type != PT_LOAD)
				continue;
			uint64_t start = s->vaddr & ~(uint64_t)4095;
			files[nf++] =
			    (struct cb_file){start, (s->vaddr + s->memsz + 4095) & ~(uint64_t)4095,
			                     (s->offset & ~(uint64_t)4095) / 4096, "/x/app"};
		}
		// A hostile entry: another file, which must never be opened or served.
		files[nf++] = (struct cb_file){0x10000000, 0x10002000, 0, "/etc/passwd"};
		if (with_files)
			cb_files(&notes, files, nf, nf);
		const struct cb_seg segs[] = {{0x7f0000000000, 0x2000, PF_R | PF_W, NULL, 0x2000}};
		size_t len;
		uint8_t *bytes = cb_core(EM_X86_64, &notes, segs, 1, &len);
		free(notes.p);
		struct gpm_core *core = open_ok(bytes, len);
		int sig;
		ck_assert(gpm_core_is_snapshot(core, &sig));
		ck_assert_int_eq(sig, 19);
		struct gpm_memory *mem;
		ck_assert_ptr_null(gpm_memory_create(core, exe, 0, &mem));
		uint8_t a[64];
		ck_assert_ptr_null(gpm_memory_read(mem, rodata->addr + 100, a, sizeof(a)));
		ck_assert_mem_eq(a, rodata->data + 100, sizeof(a));
		ck_assert(!gpm_memory_readable(mem, data->addr, 8));
		ck_assert(!gpm_memory_readable(mem, 0x10000000, 8));
		ck_assert(gpm_memory_readable(mem, 0x7f0000000000, 0x2000));
		gpm_memory_destroy(mem);
		gpm_core_destroy(core);
		free(bytes);
	}
	gpm_exe_destroy(exe);
}
END_TEST

/* Which cores are snapshots of a live process and which record a death. */
START_TEST(core_tells_snapshots_from_deaths)
{
	static const struct {
		int siginfo; // -1: no NT_SIGINFO
		int cursig;
		bool snapshot;
	} cases[] = {
	    {6, 6, false},  {11, 11, false}, {3, 3, false},  {19, 19, true},
	    {-1, 19, true}, {-1, 0, true},   {-1, 6, false}, {0, 0, true},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cb_buf notes = {0};
		cb_prstatus(&notes, 1, cases[i].cursig, 0x401000, 0, 0, 0);
		if (cases[i].siginfo >= 0)
			cb_siginfo(&notes, cases[i].siginfo, 0, 0);
		size_t len;
		uint8_t *bytes = cb_core(EM_X86_64, &notes, NULL, 0, &len);
		free(notes.p);
		struct gpm_core *core = open_ok(bytes, len);
		ck_assert_msg(gpm_core_is_snapshot(core, NULL) == cases[i].snapshot,
		              "case %zu: siginfo %d, cursig %d", i, cases[i].siginfo,
		              cases[i].cursig);
		ck_assert(!gpm_core_by_gdb(core));
		gpm_core_destroy(core);
		free(bytes);
	}
}
END_TEST

/* A crafted core naming a fixture executable in NT_FILE: undumped text comes from the file. */
START_TEST(core_memory_fills_text_from_exe)
{
	struct gpm_exe *exe;
	const char *exe_path = gpm_test_data("exe/go1.19-hang-stripped.zst");
	if (access(exe_path, R_OK) != 0)
		return;
	ck_assert_ptr_null(gpm_exe_open(exe_path, &exe));
	for (int with_files = 0; with_files < 2; with_files++) {
		// With NT_FILE the text is mapped somewhere else entirely, at file offset 0x1000:
		// only the file offset can give the right bytes. Without it, the exe's PT_LOAD.
		uint64_t at = with_files ? 0x10001000 : TEXT + 0x1000;
		struct cb_buf notes = {0};
		cb_prstatus(&notes, 1, 6, at, 0, 0, 0);
		const uint64_t auxv[] = {AT_ENTRY, at + 0x100};
		cb_auxv(&notes, auxv, 1);
		const struct cb_file files[] = {{at, at + 0x2000, 1, "/x/app"}};
		if (with_files)
			cb_files(&notes, files, 1, 1);
		const struct cb_seg segs[] = {{at, 0x2000, PF_R | PF_X, NULL, 0}};
		size_t len;
		uint8_t *bytes = cb_core(EM_X86_64, &notes, segs, 1, &len);
		free(notes.p);
		struct gpm_core *core = open_ok(bytes, len);
		struct gpm_memory *mem;
		ck_assert_ptr_null(gpm_memory_create(core, exe, 0, &mem));
		uint8_t a[16], b[16];
		ck_assert_ptr_null(gpm_memory_read(mem, at + 0x800, a, sizeof(a)));
		ck_assert_ptr_null(gpm_exe_read(exe, TEXT + 0x1800, b, sizeof(b)));
		ck_assert_mem_eq(a, b, sizeof(a));
		ck_assert_int_eq(gpm_memory_range_at(mem, 0)->origin, GPM_MEM_EXE);
		gpm_memory_destroy(mem);
		gpm_core_destroy(core);
		free(bytes);
	}
	// The executable alone: its .bss reads as zeros, served from the zero page.
	struct gpm_memory *mem;
	ck_assert_ptr_null(gpm_memory_create_exe(exe, 0, &mem));
	const struct gpm_exe_section *bss = gpm_exe_section(exe, ".bss");
	ck_assert_ptr_nonnull(bss);
	const uint8_t *p;
	ck_assert_ptr_null(gpm_memory_ptr(mem, bss->addr, 64, &p));
	ck_assert_uint_eq(p[0] | p[63], 0);
	const struct gpm_exe_section *text = gpm_exe_section(exe, ".text");
	ck_assert_ptr_null(gpm_memory_ptr(mem, text->addr, 16, &p));
	ck_assert_ptr_eq(p, text->data);
	gpm_memory_destroy(mem);
	gpm_exe_destroy(exe);
}
END_TEST

Suite *core_suite(void)
{
	Suite *s = suite_create("core");
	TCase *tc = tcase_create("crafted");
	tcase_add_test(tc, core_parses_every_note);
	tcase_add_test(tc, core_memory_reads);
	tcase_add_test(tc, core_memory_block_cache_reads_files);
	tcase_add_test(tc, core_memory_block_cache_evicts_within_a_set);
	tcase_add_test(tc, core_memory_block_cache_reads_streams_ahead);
	tcase_add_test(tc, core_memory_block_cache_lends_pinned_blocks);
	tcase_add_test(tc, core_without_notes);
	tcase_add_test(tc, core_truncated_keeps_what_exists);
	tcase_add_test(tc, core_refuses_non_cores);
	tcase_add_test(tc, core_overlapping_segments);
	tcase_add_test(tc, core_survives_absurd_counts);
	tcase_add_test(tc, core_arm64_qemu_notes);
	suite_add_tcase(s, tc);
	tc = tcase_create("fixtures");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, core_fixtures);
	tcase_add_test(tc, core_finds_exe_beside_core);
	tcase_add_test(tc, core_exe_deleted_while_running);
	tcase_add_test(tc, core_exe_index_spares_reads);
	tcase_add_test(tc, core_memory_fills_text_from_exe);
	tcase_add_test(tc, core_memory_serves_ranges_without_segments);
	tcase_add_test(tc, core_tells_snapshots_from_deaths);
	suite_add_tcase(s, tc);
	return s;
}
