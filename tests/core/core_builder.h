/*
 * Builds small x86-64 ELF cores in memory for the tests and fuzz seeds: notes (prstatus,
 * prpsinfo, siginfo, auxv, NT_FILE, raw) and PT_LOAD segments, laid out as the kernel does
 * (ELF header, program headers, the note segment, then segment bytes).
 */
#ifndef GPM_TESTS_CORE_BUILDER_H
#define GPM_TESTS_CORE_BUILDER_H

#include <elf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef NT_FILE
#define NT_FILE 0x46494c45
#endif
#ifndef NT_SIGINFO
#define NT_SIGINFO 0x53494749
#endif

struct cb_buf {
	uint8_t *p;
	size_t len, cap;
};

static inline void cb_put(struct cb_buf *b, const void *data, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (!b->p)
			abort();
		b->cap = cap;
	}
	if (data)
		memcpy(b->p + b->len, data, n);
	else
		memset(b->p + b->len, 0, n);
	b->len += n;
}

static inline void cb_align(struct cb_buf *b, size_t a)
{
	while (b->len % a)
		cb_put(b, NULL, 1);
}

static inline void cb_u32(struct cb_buf *b, uint32_t v)
{
	cb_put(b, &v, 4);
}

static inline void cb_u64(struct cb_buf *b, uint64_t v)
{
	cb_put(b, &v, 8);
}

/* A raw note with explicit sizes (for hostile ones, namesz/descsz may lie). */
static inline void cb_note_raw(struct cb_buf *b, uint32_t namesz, uint32_t descsz, uint32_t type,
                               const char *name, size_t name_len, const void *desc, size_t desc_len)
{
	cb_u32(b, namesz);
	cb_u32(b, descsz);
	cb_u32(b, type);
	cb_put(b, name, name_len);
	cb_align(b, 4);
	cb_put(b, desc, desc_len);
	cb_align(b, 4);
}

static inline void cb_note(struct cb_buf *b, const char *name, uint32_t type, const void *desc,
                           size_t n)
{
	size_t nl = strlen(name) + 1;
	cb_note_raw(b, (uint32_t)nl, (uint32_t)n, type, name, nl, desc, n);
}

/* NT_PRSTATUS for x86-64: user_regs_struct indices rbp 4, rip 16, rsp 19, fs_base 21. */
static inline void cb_prstatus(struct cb_buf *b, uint32_t tid, int cursig, uint64_t pc, uint64_t sp,
                               uint64_t bp, uint64_t fs_base)
{
	uint8_t d[336] = {0};
	uint32_t signo = (uint32_t)cursig;
	uint16_t cs = (uint16_t)cursig;
	memcpy(d + 0, &signo, 4);
	memcpy(d + 12, &cs, 2);
	memcpy(d + 32, &tid, 4);
	uint64_t regs[27];
	for (unsigned i = 0; i < 27; i++)
		regs[i] = 0x1000 + i; // recognisable values for the other registers
	regs[4] = bp;
	regs[10] = 0xaaaa; // rax
	regs[16] = pc;
	regs[19] = sp;
	regs[21] = fs_base;
	memcpy(d + 112, regs, sizeof(regs));
	cb_note(b, "CORE", NT_PRSTATUS, d, sizeof(d));
}

static inline void cb_prpsinfo(struct cb_buf *b, uint32_t pid, uint32_t ppid, const char *fname,
                               const char *psargs)
{
	uint8_t d[136] = {0};
	d[0] = 2;
	d[1] = 'S';
	uint32_t uid = 1000;
	memcpy(d + 16, &uid, 4);
	memcpy(d + 24, &pid, 4);
	memcpy(d + 28, &ppid, 4);
	strncpy((char *)d + 40, fname, 16);
	strncpy((char *)d + 56, psargs, 80);
	cb_note(b, "CORE", NT_PRPSINFO, d, sizeof(d));
}

static inline void cb_siginfo(struct cb_buf *b, int signo, int code, uint64_t addr)
{
	uint8_t d[128] = {0};
	memcpy(d + 0, &signo, 4);
	memcpy(d + 8, &code, 4);
	memcpy(d + 16, &addr, 8);
	cb_note(b, "CORE", NT_SIGINFO, d, sizeof(d));
}

/* pairs: n (type, value) pairs; AT_NULL is appended. */
static inline void cb_auxv(struct cb_buf *b, const uint64_t *pairs, size_t n)
{
	struct cb_buf d = {0};
	for (size_t i = 0; i < 2 * n; i++)
		cb_u64(&d, pairs[i]);
	cb_u64(&d, AT_NULL);
	cb_u64(&d, 0);
	cb_note(b, "CORE", NT_AUXV, d.p, d.len);
	free(d.p);
}

struct cb_file {
	uint64_t start, end, pgoff;
	const char *path;
};

static inline void cb_files(struct cb_buf *b, const struct cb_file *f, size_t n, uint64_t count)
{
	struct cb_buf d = {0};
	cb_u64(&d, count);
	cb_u64(&d, 4096);
	for (size_t i = 0; i < n; i++) {
		cb_u64(&d, f[i].start);
		cb_u64(&d, f[i].end);
		cb_u64(&d, f[i].pgoff);
	}
	for (size_t i = 0; i < n; i++)
		cb_put(&d, f[i].path, strlen(f[i].path) + 1);
	cb_note(b, "CORE", NT_FILE, d.p, d.len);
	free(d.p);
}

struct cb_seg {
	uint64_t vaddr, memsz;
	uint32_t flags;
	const void *data; /* filesz bytes; NULL: zeros */
	uint64_t filesz;
};

/* The whole core: header, program headers (PT_NOTE first when notes), notes, segments. */
static inline uint8_t *cb_core(uint16_t machine, const struct cb_buf *notes,
                               const struct cb_seg *segs, size_t nsegs, size_t *len)
{
	struct cb_buf b = {0};
	size_t nph = nsegs + (notes ? 1 : 0);
	Elf64_Ehdr eh = {0};
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_CORE;
	eh.e_machine = machine;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = (uint16_t)nph;
	cb_put(&b, &eh, sizeof(eh));
	uint64_t off = sizeof(eh) + nph * sizeof(Elf64_Phdr);
	if (notes) {
		Elf64_Phdr ph = {
		    .p_type = PT_NOTE, .p_offset = off, .p_filesz = notes->len, .p_align = 4};
		cb_put(&b, &ph, sizeof(ph));
		off += notes->len;
	}
	off = (off + 4095) & ~(uint64_t)4095;
	for (size_t i = 0; i < nsegs; i++) {
		Elf64_Phdr ph = {.p_type = PT_LOAD,
		                 .p_flags = segs[i].flags,
		                 .p_offset = segs[i].filesz ? off : 0,
		                 .p_vaddr = segs[i].vaddr,
		                 .p_filesz = segs[i].filesz,
		                 .p_memsz = segs[i].memsz,
		                 .p_align = 4096};
		cb_put(&b, &ph, sizeof(ph));
		off += segs[i].filesz;
	}
	if (notes)
		cb_put(&b, notes->p, notes->len);
	cb_align(&b, 4096);
	for (size_t i = 0; i < nsegs; i++)
		cb_put(&b, segs[i].data, segs[i].filesz);
	*len = b.len;
	return b.p;
}

#endif
