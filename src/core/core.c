/*
 * ELF core reader: parses the ELF header and program headers of a core with the cursor (no
 * libelf: a core is just headers, notes and raw segment bytes), keeps the PT_LOAD segments as
 * borrowed slices of the source and decodes the notes in one pass. Layouts are the Linux
 * kernel's (include/uapi/linux/elfcore.h, include/uapi/asm-generic/siginfo.h,
 * fs/binfmt_elf.c fill_files_note) for 64-bit little-endian targets; the per-thread register
 * set comes from the architecture's ops table (arch.h).
 */
#include "core/core.h"

#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "base/vec.h"
#include "elf/note.h"

#ifndef NT_FILE
#define NT_FILE 0x46494c45
#endif
#ifndef NT_SIGINFO
#define NT_SIGINFO 0x53494749
#endif

// Caps on counts the core controls. Above them the rest is dropped with a warning.
enum {
	CORE_MAX_SEGMENTS = 1 << 22, // Linux allows 65530 mappings by default (vm.max_map_count)
	CORE_MAX_THREADS = 1 << 20,
	CORE_MAX_FILES = 1 << 22,
	CORE_MAX_AUXV = 1024,
	CORE_MAX_NOTES = 1 << 23, // note records over all PT_NOTE segments
	CORE_MAX_WARNINGS = 64,
	CORE_MAX_EXECFN = 4096,
};

// Offsets in the kernel's 64-bit struct elf_prpsinfo and siginfo_t.
enum {
	PRPSINFO_SIZE = 136,
	PRPSINFO_SNAME = 1,
	PRPSINFO_FLAG = 8,
	PRPSINFO_UID = 16,
	PRPSINFO_FNAME = 40,
	PRPSINFO_PSARGS = 56,
	SIGINFO_MIN_SIZE = 24,
};

struct gpm_core {
	struct gpm_source *src;
	const struct gpm_arch_ops *arch;
	uint16_t machine;
	GPM_VEC(struct gpm_core_segment) segments;
	GPM_VEC(struct gpm_core_thread) threads;
	GPM_VEC(struct gpm_core_file) files;
	GPM_VEC(struct gpm_core_auxv) auxv;
	GPM_VEC(char *) warnings;
	size_t warnings_dropped;
	bool have_siginfo, have_psinfo;
	bool by_gdb; // a "GDB" note (gdb's target description): written by gcore
	struct gpm_core_siginfo siginfo;
	struct gpm_core_psinfo psinfo;
	char *execfn;
	const char *exe_path; // borrowed from files
	uint64_t exe_base;
	size_t notes_seen;
	bool threads_capped, files_capped;
};

static const char *core_name(const struct gpm_core *core)
{
	return core->src->path ? core->src->path : "core";
}

static void core_warn(struct gpm_core *core, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void core_warn(struct gpm_core *core, const char *fmt, ...)
{
	if (core->warnings.len >= CORE_MAX_WARNINGS) {
		core->warnings_dropped++;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	char *msg;
	int r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	char **slot = gpm_vec_push(&core->warnings);
	if (!slot) {
		free(msg);
		return;
	}
	*slot = msg;
}

static struct gpm_error *core_check_ident(const struct gpm_source *src)
{
	const char *name = src->path ? src->path : "core";
	const uint8_t *d = src->data;
	if (src->size < SELFMAG || memcmp(d, ELFMAG, SELFMAG) != 0)
		return gpm_error_create(GPM_ERR_FORMAT, "%s: not an ELF file", name);
	if (src->size < EI_NIDENT)
		return gpm_error_create(GPM_ERR_FORMAT, "%s: truncated ELF header", name);
	if (d[EI_CLASS] != ELFCLASS64)
		return gpm_error_create(GPM_ERR_UNSUPPORTED, "%s: ELF class %u not supported", name,
		                        d[EI_CLASS]);
	if (d[EI_DATA] != ELFDATA2LSB)
		return gpm_error_create(
		    GPM_ERR_UNSUPPORTED,
		    "%s: ELF data encoding %u not supported (little-endian only)", name,
		    d[EI_DATA]);
	if (src->size < sizeof(Elf64_Ehdr))
		return gpm_error_create(GPM_ERR_FORMAT, "%s: truncated ELF header", name);
	return NULL;
}

static void parse_prstatus(struct gpm_core *core, const struct gpm_elf_note *n)
{
	if (core->threads.len >= CORE_MAX_THREADS) {
		if (!core->threads_capped)
			core_warn(core, "more than %d threads: the rest are ignored",
			          CORE_MAX_THREADS);
		core->threads_capped = true;
		return;
	}
	struct gpm_arch_prstatus st;
	memset(&st, 0, sizeof(st));
	struct gpm_error *err = core->arch->parse_prstatus(n->desc, n->descsz, &st);
	if (err) {
		core_warn(core, "thread note at offset 0x%zx skipped: %s", n->offset, err->message);
		gpm_error_destroy(err);
		return;
	}
	struct gpm_core_thread *t = gpm_vec_push(&core->threads);
	if (!t)
		return;
	t->tid = st.tid;
	t->signal = st.cursig;
	t->regs = st.regs;
	t->status = st;
	const struct gpm_arch_ops *a = core->arch;
	t->pc = st.regs.v[a->pc_reg];
	t->sp = st.regs.v[a->sp_reg];
	t->bp = st.regs.v[a->fp_reg];
	t->tls = a->tls_reg >= 0 ? st.regs.v[a->tls_reg] : 0;
}

/* The thread pointer of the thread whose NT_PRSTATUS came last (NT_ARM_TLS on arm64). */
static void parse_tls_note(struct gpm_core *core, const struct gpm_elf_note *n)
{
	const struct gpm_arch_ops *a = core->arch;
	uint64_t tp;
	struct gpm_cursor c;
	gpm_cursor_init(&c, n->desc, n->descsz);
	if (!core->threads.len || a->tls_reg < 0 || !gpm_cursor_u64(&c, &tp))
		return;
	struct gpm_core_thread *t = &core->threads.v[core->threads.len - 1];
	t->regs.v[a->tls_reg] = t->status.regs.v[a->tls_reg] = t->tls = tp;
}

static bool is_fault_signal(int32_t signo)
{
	// Linux x86/arm64 numbers: SIGILL 4, SIGBUS 7, SIGFPE 8, SIGSEGV 11.
	return signo == 4 || signo == 7 || signo == 8 || signo == 11;
}

static void parse_siginfo(struct gpm_core *core, const struct gpm_elf_note *n)
{
	if (core->have_siginfo)
		return;
	if (n->descsz < SIGINFO_MIN_SIZE) {
		core_warn(core, "NT_SIGINFO of %u bytes is too short", n->descsz);
		return;
	}
	struct gpm_cursor c;
	gpm_cursor_init(&c, n->desc, n->descsz);
	uint32_t signo, err, code, pid, uid;
	uint64_t addr;
	gpm_cursor_u32(&c, &signo);
	gpm_cursor_u32(&c, &err);
	gpm_cursor_u32(&c, &code);
	gpm_cursor_seek(&c, 16);
	gpm_cursor_u64(&c, &addr);
	gpm_cursor_seek(&c, 16);
	gpm_cursor_u32(&c, &pid);
	gpm_cursor_u32(&c, &uid);
	struct gpm_core_siginfo *si = &core->siginfo;
	si->signo = (int32_t)signo;
	si->errno_value = (int32_t)err;
	si->code = (int32_t)code;
	// A kernel-generated fault (si_code > 0) carries si_addr; a sent signal carries the sender.
	if (is_fault_signal(si->signo) && si->code > 0) {
		si->has_addr = true;
		si->addr = addr;
	} else if (si->code <= 0) {
		si->has_sender = true;
		si->sender_pid = pid;
		si->sender_uid = uid;
	}
	core->have_siginfo = true;
}

static void copy_cstr(char *dst, size_t dstsize, const uint8_t *src, size_t n)
{
	size_t len = strnlen((const char *)src, n);
	if (len >= dstsize)
		len = dstsize - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

static void parse_prpsinfo(struct gpm_core *core, const struct gpm_elf_note *n)
{
	if (core->have_psinfo)
		return;
	if (n->descsz < PRPSINFO_SIZE) {
		core_warn(core, "NT_PRPSINFO of %u bytes is too short", n->descsz);
		return;
	}
	struct gpm_core_psinfo *ps = &core->psinfo;
	struct gpm_cursor c;
	gpm_cursor_init(&c, n->desc, n->descsz);
	uint8_t sname;
	gpm_cursor_seek(&c, PRPSINFO_SNAME);
	gpm_cursor_u8(&c, &sname);
	gpm_cursor_seek(&c, PRPSINFO_FLAG);
	gpm_cursor_u64(&c, &ps->flags);
	gpm_cursor_seek(&c, PRPSINFO_UID);
	gpm_cursor_u32(&c, &ps->uid);
	gpm_cursor_u32(&c, &ps->gid);
	gpm_cursor_u32(&c, &ps->pid);
	gpm_cursor_u32(&c, &ps->ppid);
	gpm_cursor_u32(&c, &ps->pgrp);
	gpm_cursor_u32(&c, &ps->sid);
	ps->state = (char)sname;
	copy_cstr(ps->fname, sizeof(ps->fname), n->desc + PRPSINFO_FNAME, 16);
	copy_cstr(ps->psargs, sizeof(ps->psargs), n->desc + PRPSINFO_PSARGS, 80);
	// The kernel separates arguments with NULs replaced by spaces; drop trailing spaces.
	size_t len = strlen(ps->psargs);
	while (len > 0 && ps->psargs[len - 1] == ' ')
		ps->psargs[--len] = '\0';
	core->have_psinfo = true;
}

static void parse_auxv(struct gpm_core *core, const struct gpm_elf_note *n)
{
	if (core->auxv.len > 0)
		return;
	struct gpm_cursor c;
	gpm_cursor_init(&c, n->desc, n->descsz);
	uint64_t type, value;
	while (gpm_cursor_u64(&c, &type) && gpm_cursor_u64(&c, &value)) {
		if (type == AT_NULL)
			return;
		if (core->auxv.len >= CORE_MAX_AUXV) {
			core_warn(core, "more than %d auxv entries: the rest are ignored",
			          CORE_MAX_AUXV);
			return;
		}
		struct gpm_core_auxv *a = gpm_vec_push(&core->auxv);
		if (!a)
			return;
		a->type = type;
		a->value = value;
	}
}

static void parse_file_note(struct gpm_core *core, const struct gpm_elf_note *n)
{
	if (core->files.len > 0)
		return;
	struct gpm_cursor c;
	gpm_cursor_init(&c, n->desc, n->descsz);
	uint64_t count, page_size;
	if (!gpm_cursor_u64(&c, &count) || !gpm_cursor_u64(&c, &page_size)) {
		core_warn(core, "NT_FILE of %u bytes is too short", n->descsz);
		return;
	}
	uint64_t fit = gpm_cursor_left(&c) / 24;
	if (count > fit) {
		core_warn(core, "NT_FILE claims %llu files, only %llu fit in the note",
		          (unsigned long long)count, (unsigned long long)fit);
		count = fit;
	}
	if (count > CORE_MAX_FILES) {
		core_warn(core, "NT_FILE lists %llu files: only the first %d are used",
		          (unsigned long long)count, CORE_MAX_FILES);
		count = CORE_MAX_FILES;
	}
	struct gpm_cursor names = c;
	if (!gpm_cursor_skip(&names, (size_t)count * 24))
		return;
	if (!gpm_vec_reserve(&core->files, (size_t)count))
		return;
	for (uint64_t i = 0; i < count; i++) {
		uint64_t start, end, pgoff, offset;
		gpm_cursor_u64(&c, &start);
		gpm_cursor_u64(&c, &end);
		gpm_cursor_u64(&c, &pgoff);
		const char *path;
		if (!gpm_cursor_cstr(&names, &path, NULL)) {
			core_warn(core, "NT_FILE names end after %llu of %llu files",
			          (unsigned long long)i, (unsigned long long)count);
			return;
		}
		if (end < start || __builtin_mul_overflow(pgoff, page_size, &offset)) {
			core_warn(core, "NT_FILE entry %llu is malformed", (unsigned long long)i);
			continue;
		}
		struct gpm_core_file *f = gpm_vec_push(&core->files);
		f->start = start;
		f->end = end;
		f->offset = offset;
		f->path = path;
	}
}

static void parse_notes(struct gpm_core *core, const uint8_t *data, size_t size, uint64_t align,
                        uint64_t file_offset)
{
	struct gpm_elf_note_iter it;
	struct gpm_elf_note n;
	gpm_elf_note_iter_init(&it, data, size, align);
	while (gpm_elf_note_next(&it, &n)) {
		if (++core->notes_seen > CORE_MAX_NOTES) {
			core_warn(core, "more than %d notes: the rest are ignored", CORE_MAX_NOTES);
			return;
		}
		if (gpm_elf_note_named(&n, "GDB"))
			core->by_gdb = true;
		if (!gpm_elf_note_named(&n, "CORE") && !gpm_elf_note_named(&n, "LINUX"))
			continue;
		bool linux_note = n.name[0] == 'L';
		if (core->arch->tls_note && n.type == core->arch->tls_note && linux_note) {
			parse_tls_note(core, &n);
			continue;
		}
		switch (n.type) {
		case NT_PRSTATUS:
			if (!linux_note)
				parse_prstatus(core, &n);
			break;
		case NT_PRPSINFO:
			if (!linux_note)
				parse_prpsinfo(core, &n);
			break;
		case NT_AUXV:
			parse_auxv(core, &n);
			break;
		case NT_SIGINFO:
			parse_siginfo(core, &n);
			break;
		case NT_FILE:
			parse_file_note(core, &n);
			break;
		default:
			break;
		}
	}
	if (it.bad)
		core_warn(core,
		          "malformed note at file offset 0x%llx: the rest of the segment is "
		          "ignored",
		          (unsigned long long)(file_offset + it.c.pos));
}

static int segment_cmp(const void *a, const void *b)
{
	const struct gpm_core_segment *x = a, *y = b;
	return x->vaddr < y->vaddr ? -1 : x->vaddr > y->vaddr;
}

static struct gpm_error *core_parse(struct gpm_core *core)
{
	const struct gpm_source *src = core->src;
	struct gpm_cursor c;
	gpm_cursor_init(&c, src->data, src->size);
	uint16_t type, machine, phentsize, phnum;
	uint64_t phoff, shoff;
	gpm_cursor_seek(&c, EI_NIDENT);
	gpm_cursor_u16(&c, &type);
	gpm_cursor_u16(&c, &machine);
	gpm_cursor_seek(&c, 32);
	gpm_cursor_u64(&c, &phoff);
	gpm_cursor_u64(&c, &shoff);
	gpm_cursor_seek(&c, 54);
	gpm_cursor_u16(&c, &phentsize);
	gpm_cursor_u16(&c, &phnum);
	if (type != ET_CORE)
		return gpm_error_create(GPM_ERR_FORMAT, "%s: not a core file (ELF type %u)",
		                        core_name(core), type);
	core->machine = machine;
	struct gpm_error *err = gpm_arch_select(machine, &core->arch);
	if (err)
		return gpm_error_wrap(err, "%s", core_name(core));

	uint64_t count = phnum;
	if (phnum == PN_XNUM) {
		// More than 65534 program headers: the count is in section header 0's sh_info.
		struct gpm_cursor sc;
		uint32_t info;
		gpm_cursor_init(&sc, src->data, src->size);
		// Section header 0 lies past the ELF header; e_shoff 0 means there is none (a
		// damaged e_phnum, not extended numbering).
		if (shoff < sizeof(Elf64_Ehdr) || shoff > SIZE_MAX - 44 ||
		    !gpm_cursor_seek(&sc, (size_t)shoff + 44) || !gpm_cursor_u32(&sc, &info))
			return gpm_error_create(GPM_ERR_FORMAT,
			                        "%s: program header count missing (e_phnum PN_XNUM "
			                        "without a section header)",
			                        core_name(core));
		count = info;
	}
	if (count > 0 && phentsize < sizeof(Elf64_Phdr))
		return gpm_error_create(GPM_ERR_FORMAT, "%s: program header size %u too small",
		                        core_name(core), phentsize);
	if (phoff > src->size)
		return gpm_error_create(
		    GPM_ERR_FORMAT, "%s: program headers at 0x%llx are past the end of the file",
		    core_name(core), (unsigned long long)phoff);
	uint64_t fit = phentsize ? (src->size - phoff) / phentsize : 0;
	if (count > fit) {
		core_warn(core, "core truncated: %llu of %llu program headers present",
		          (unsigned long long)fit, (unsigned long long)count);
		count = fit;
	}
	if (count > CORE_MAX_SEGMENTS) {
		core_warn(core, "%llu program headers: only the first %d are used",
		          (unsigned long long)count, CORE_MAX_SEGMENTS);
		count = CORE_MAX_SEGMENTS;
	}

	uint64_t want = 0, have = 0;
	bool sorted = true, any_note = false;
	for (uint64_t i = 0; i < count; i++) {
		struct gpm_cursor pc;
		gpm_cursor_init(&pc, src->data + phoff + i * phentsize, phentsize);
		uint32_t p_type, p_flags;
		uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
		gpm_cursor_u32(&pc, &p_type);
		gpm_cursor_u32(&pc, &p_flags);
		gpm_cursor_u64(&pc, &p_offset);
		gpm_cursor_u64(&pc, &p_vaddr);
		gpm_cursor_u64(&pc, &p_paddr);
		gpm_cursor_u64(&pc, &p_filesz);
		gpm_cursor_u64(&pc, &p_memsz);
		gpm_cursor_u64(&pc, &p_align);
		uint64_t present = 0;
		if (p_offset < src->size)
			present = src->size - p_offset < p_filesz ? src->size - p_offset : p_filesz;
		if (p_type == PT_NOTE) {
			any_note = true;
			if (present < p_filesz)
				core_warn(core,
				          "core truncated: note segment %llu has %llu of %llu "
				          "bytes",
				          (unsigned long long)i, (unsigned long long)present,
				          (unsigned long long)p_filesz);
			parse_notes(core, src->data + (present ? p_offset : 0), (size_t)present,
			            p_align, p_offset);
			continue;
		}
		if (p_type != PT_LOAD)
			continue;
		uint64_t end;
		if (__builtin_add_overflow(p_vaddr, p_memsz, &end)) {
			core_warn(core, "segment at 0x%llx of 0x%llx bytes wraps around: ignored",
			          (unsigned long long)p_vaddr, (unsigned long long)p_memsz);
			continue;
		}
		if (p_filesz > p_memsz) {
			// Never more bytes than the mapping: clamp what is read to memsz.
			p_filesz = p_memsz;
			if (present > p_filesz)
				present = p_filesz;
		}
		struct gpm_core_segment *s = gpm_vec_push(&core->segments);
		if (!s)
			return &gpm_error_nomem;
		s->vaddr = p_vaddr;
		s->memsz = p_memsz;
		s->offset = p_offset;
		s->filesz = p_filesz;
		s->present = present;
		s->data = present ? src->data + p_offset : NULL;
		s->flags = p_flags;
		want += p_filesz;
		have += present;
		if (core->segments.len > 1 && s[-1].vaddr > s->vaddr)
			sorted = false;
	}
	if (have < want)
		core_warn(core, "core truncated: %llu of %llu bytes of segments present",
		          (unsigned long long)have, (unsigned long long)want);
	if (!sorted)
		qsort(core->segments.v, core->segments.len, sizeof(*core->segments.v), segment_cmp);
	// A kernel's core never maps an address twice; overlapping PT_LOADs are a damaged or
	// crafted core, and an address in both is read from the segment that starts later.
	size_t overlaps = 0, first = 0;
	for (size_t i = 1; i < core->segments.len; i++) {
		const struct gpm_core_segment *a = &core->segments.v[i - 1], *b = a + 1;
		if (b->vaddr - a->vaddr < a->memsz && !overlaps++)
			first = i;
	}
	if (overlaps)
		core_warn(
		    core,
		    "%zu PT_LOAD segments overlap the one before (first at 0x%llx, inside the "
		    "segment at 0x%llx): the core is damaged; addresses in both are read from "
		    "the later one",
		    overlaps, (unsigned long long)core->segments.v[first].vaddr,
		    (unsigned long long)core->segments.v[first - 1].vaddr);
	if (!any_note)
		core_warn(core, "core has no notes: no threads, registers, signal or mapped files");
	else if (core->threads.len == 0)
		core_warn(core, "core has no thread notes (NT_PRSTATUS)");
	return NULL;
}

static void core_find_exe_mapping(struct gpm_core *core)
{
	uint64_t at;
	const struct gpm_core_file *f = NULL;
	if (gpm_core_auxv_get(core, AT_ENTRY, &at))
		f = gpm_core_file_for_addr(core, at);
	if (!f && gpm_core_auxv_get(core, AT_PHDR, &at))
		f = gpm_core_file_for_addr(core, at);
	if (!f)
		return;
	core->exe_path = f->path;
	core->exe_base = f->start;
	// The mapping of file offset 0 (or the lowest one) of the same file is the image base.
	for (size_t i = 0; i < core->files.len; i++) {
		const struct gpm_core_file *g = &core->files.v[i];
		if (strcmp(g->path, f->path) != 0)
			continue;
		if (g->offset <= f->offset && g->start < core->exe_base) {
			core->exe_base = g->start;
		}
		if (g->offset == 0) {
			core->exe_base = g->start;
			break;
		}
	}
}

/* Cores without NT_SIGINFO (qemu-user's, old kernels'): the signal from the dumping thread's
 * NT_PRSTATUS (pr_cursig, pr_info), without an address or a sender. */
static void core_siginfo_from_prstatus(struct gpm_core *core)
{
	const struct gpm_core_thread *t = gpm_core_signal_thread(core);
	if (core->have_siginfo || !t || !t->signal)
		return;
	core->siginfo.signo = t->signal;
	core->siginfo.code = t->status.info_signo == t->signal ? t->status.info_code : 0;
	core->siginfo.code_unknown = t->status.info_signo != t->signal || !t->status.info_code;
	core->have_siginfo = true;
}

static void core_read_execfn(struct gpm_core *core)
{
	uint64_t addr;
	if (!gpm_core_auxv_get(core, AT_EXECFN, &addr))
		return;
	const struct gpm_core_segment *s = gpm_core_segment_for_addr(core, addr);
	if (!s || addr - s->vaddr >= s->present)
		return;
	const uint8_t *p = s->data + (addr - s->vaddr);
	size_t avail = (size_t)(s->present - (addr - s->vaddr));
	if (avail > CORE_MAX_EXECFN)
		avail = CORE_MAX_EXECFN;
	const uint8_t *nul = memchr(p, 0, avail);
	if (!nul)
		return;
	core->execfn = strndup((const char *)p, (size_t)(nul - p));
}

struct gpm_error *gpm_core_from_source(struct gpm_source *src, struct gpm_core **out)
{
	struct gpm_error *err = core_check_ident(src);
	if (err) {
		gpm_source_destroy(src);
		return err;
	}
	struct gpm_core *core = calloc(1, sizeof(*core));
	if (!core) {
		gpm_source_destroy(src);
		return &gpm_error_nomem;
	}
	core->src = src;
	if (src->cut)
		core_warn(
		    core,
		    "%s: the core is read as far as it was decoded (%zu bytes; its end is lost)",
		    src->cut, src->size);
	if ((err = core_parse(core))) {
		gpm_core_destroy(core);
		return err;
	}
	core_find_exe_mapping(core);
	core_read_execfn(core);
	core_siginfo_from_prstatus(core);
	if (core->warnings_dropped) {
		char *msg, **slot;
		if (asprintf(&msg, "%zu more warnings", core->warnings_dropped) >= 0) {
			if ((slot = gpm_vec_push(&core->warnings)))
				*slot = msg;
			else
				free(msg);
		}
	}
	*out = core;
	return NULL;
}

struct gpm_error *gpm_core_open(const char *path, struct gpm_core **out)
{
	struct gpm_source *src;
	struct gpm_error *err = gpm_source_open(path, &src);
	if (err)
		return err;
	return gpm_core_from_source(src, out);
}

void gpm_core_destroy(struct gpm_core *core)
{
	if (!core)
		return;
	for (size_t i = 0; i < core->warnings.len; i++)
		free(core->warnings.v[i]);
	gpm_vec_free(&core->warnings);
	gpm_vec_free(&core->segments);
	gpm_vec_free(&core->threads);
	gpm_vec_free(&core->files);
	gpm_vec_free(&core->auxv);
	free(core->execfn);
	gpm_source_destroy(core->src);
	free(core);
}

const char *gpm_core_path(const struct gpm_core *core)
{
	return core->src->path;
}

const uint8_t *gpm_core_bytes(const struct gpm_core *core, size_t *size)
{
	if (size)
		*size = core->src->size;
	return core->src->data;
}

const struct gpm_arch_ops *gpm_core_arch(const struct gpm_core *core)
{
	return core->arch;
}

uint16_t gpm_core_machine(const struct gpm_core *core)
{
	return core->machine;
}

unsigned gpm_core_ptr_size(const struct gpm_core *core)
{
	return core->arch->ptr_size;
}

size_t gpm_core_segment_count(const struct gpm_core *core)
{
	return core->segments.len;
}

const struct gpm_core_segment *gpm_core_segment_at(const struct gpm_core *core, size_t i)
{
	return i < core->segments.len ? &core->segments.v[i] : NULL;
}

const struct gpm_core_segment *gpm_core_segment_for_addr(const struct gpm_core *core, uint64_t addr)
{
	// The last segment starting at or before addr (segments are sorted by vaddr).
	size_t lo = 0, hi = core->segments.len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (core->segments.v[mid].vaddr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const struct gpm_core_segment *s = &core->segments.v[lo - 1];
	return addr - s->vaddr < s->memsz ? s : NULL;
}

size_t gpm_core_thread_count(const struct gpm_core *core)
{
	return core->threads.len;
}

const struct gpm_core_thread *gpm_core_thread_at(const struct gpm_core *core, size_t i)
{
	return i < core->threads.len ? &core->threads.v[i] : NULL;
}

const struct gpm_core_thread *gpm_core_signal_thread(const struct gpm_core *core)
{
	for (size_t i = 0; i < core->threads.len; i++)
		if (core->threads.v[i].signal != 0)
			return &core->threads.v[i];
	return core->threads.len ? &core->threads.v[0] : NULL;
}

/* The signals whose default action dumps core (signal(7)); Linux x86/arm64 numbers. */
static bool is_core_signal(int32_t signo)
{
	switch (signo) {
	case 3:  // SIGQUIT
	case 4:  // SIGILL
	case 5:  // SIGTRAP
	case 6:  // SIGABRT
	case 7:  // SIGBUS
	case 8:  // SIGFPE
	case 11: // SIGSEGV
	case 24: // SIGXCPU
	case 25: // SIGXFSZ
	case 31: // SIGSYS
		return true;
	default:
		return false;
	}
}

bool gpm_core_is_snapshot(const struct gpm_core *core, int *signo)
{
	int32_t sig = core->have_siginfo ? core->siginfo.signo : 0;
	for (size_t i = 0; !sig && i < core->threads.len; i++)
		sig = core->threads.v[i].signal;
	if (signo)
		*signo = sig;
	// The kernel writes a core only for a signal that dumps core. gdb records whatever
	// stopped the process: the SIGSTOP of its attach, a breakpoint's SIGTRAP, or nothing.
	return !is_core_signal(sig) || (core->by_gdb && sig == 5);
}

bool gpm_core_by_gdb(const struct gpm_core *core)
{
	return core->by_gdb;
}

const struct gpm_core_siginfo *gpm_core_siginfo(const struct gpm_core *core)
{
	return core->have_siginfo ? &core->siginfo : NULL;
}

const struct gpm_core_psinfo *gpm_core_psinfo(const struct gpm_core *core)
{
	return core->have_psinfo ? &core->psinfo : NULL;
}

size_t gpm_core_file_count(const struct gpm_core *core)
{
	return core->files.len;
}

const struct gpm_core_file *gpm_core_file_at(const struct gpm_core *core, size_t i)
{
	return i < core->files.len ? &core->files.v[i] : NULL;
}

const struct gpm_core_file *gpm_core_file_for_addr(const struct gpm_core *core, uint64_t addr)
{
	for (size_t i = 0; i < core->files.len; i++)
		if (addr >= core->files.v[i].start && addr < core->files.v[i].end)
			return &core->files.v[i];
	return NULL;
}

size_t gpm_core_auxv_count(const struct gpm_core *core)
{
	return core->auxv.len;
}

const struct gpm_core_auxv *gpm_core_auxv_at(const struct gpm_core *core, size_t i)
{
	return i < core->auxv.len ? &core->auxv.v[i] : NULL;
}

bool gpm_core_auxv_get(const struct gpm_core *core, uint64_t type, uint64_t *value)
{
	for (size_t i = 0; i < core->auxv.len; i++) {
		if (core->auxv.v[i].type == type) {
			*value = core->auxv.v[i].value;
			return true;
		}
	}
	return false;
}

const char *gpm_core_execfn(const struct gpm_core *core)
{
	return core->execfn;
}

const char *gpm_core_exe_mapping(const struct gpm_core *core, uint64_t *base)
{
	if (core->exe_path && base)
		*base = core->exe_base;
	return core->exe_path;
}

struct gpm_error *gpm_core_read(const struct gpm_core *core, uint64_t addr, void *buf, size_t len)
{
	uint8_t *out = buf;
	uint64_t cur = addr, end;
	if (__builtin_add_overflow(addr, (uint64_t)len, &end))
		return gpm_error_fault(addr, len);
	while (cur < end) {
		const struct gpm_core_segment *s = gpm_core_segment_for_addr(core, cur);
		if (!s || cur - s->vaddr >= s->present)
			return gpm_error_fault(cur, end - cur);
		uint64_t off = cur - s->vaddr;
		uint64_t n = s->present - off;
		if (n > end - cur)
			n = end - cur;
		memcpy(out, s->data + off, (size_t)n);
		out += n;
		cur += n;
	}
	return NULL;
}

size_t gpm_core_warning_count(const struct gpm_core *core)
{
	return core->warnings.len;
}

const char *gpm_core_warning_at(const struct gpm_core *core, size_t i)
{
	return i < core->warnings.len ? core->warnings.v[i] : NULL;
}

const struct gpm_source *gpm_core_source(const struct gpm_core *core)
{
	return core->src;
}

void gpm_core_release_pages(struct gpm_core *core)
{
	if (core)
		gpm_source_release_pages(core->src);
}
