/*
 * Finding the executable of a core (see exe_locate.h). The core's own copy of the
 * executable's first page holds the ELF and program headers and the build-id notes (Go's
 * internal linker puts .note.go.buildid there; external links put .note.gnu.build-id there);
 * comparing those with a candidate file tells a stale or wrong binary from the right one.
 */
#include "core/exe_locate.h"

#include <dirent.h>
#include <elf.h>
#include <elfutils/debuginfod.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

#include "base/cursor.h"
#include "base/strbuf.h"
#include "core/core.h"
#include "core/exe_index.h"
#include "elf/exe.h"
#include "elf/note.h"

enum {
	LOCATE_MAX_PHNUM = 512,     // program headers read from the core's copy
	LOCATE_MAX_NOTE = 64 << 10, // bytes of one PT_NOTE read from the core
	LOCATE_MAX_BUILD_ID = 1024, // bytes of a build-id note desc
	LOCATE_MAX_CANDIDATES = 16,
	LOCATE_HEADER_PAGE = 4096,      // bytes of the dumped header page compared
	LOCATE_READONLY_MAX = 64 << 20, // bytes of dumped read-only data compared
	// Go's linker puts .note.gnu.build-id right after .note.go.buildid, outside the PT_NOTE
	// (Go 1.24+): notes are read this many bytes past the segment when they are there.
	LOCATE_NOTE_SLACK = 64,
	LOCATE_PROBE_HEAD = 4096,        // bytes read first from a file in a search directory
	LOCATE_PROBE_ZST = 64 << 10,     // bytes of a .zst file decompressed to find its notes
	LOCATE_MAX_DIR_ENTRIES = 100000, // entries of one search directory looked at
	LOCATE_MAX_SEARCH_DIRS = 64,
	LOCATE_MAX_SUBDIRS = 256,       // subdirectories of one search directory looked into
	LOCATE_SEARCH_DEPTH = 1,        // levels of subdirectories below a search directory
	LOCATE_DEBUGINFOD_TIMEOUT = 90, // seconds, libdebuginfod's own default
};

/* Where the executable's file offset 0 is in the process; false when unknown. */
static bool core_exe_header(const struct gpm_core *core, uint64_t *base)
{
	uint64_t b;
	if (gpm_core_exe_mapping(core, &b)) {
		const struct gpm_core_file *f = gpm_core_file_for_addr(core, b);
		if (f && f->offset == 0) {
			*base = b;
			return true;
		}
	}
	// No NT_FILE: the program headers usually sit in the first page, right after the header.
	uint64_t phdr;
	uint8_t magic[SELFMAG];
	if (gpm_core_auxv_get(core, AT_PHDR, &phdr)) {
		b = phdr & ~(uint64_t)0xfff;
		struct gpm_error *err = gpm_core_read(core, b, magic, sizeof(magic));
		if (!err && memcmp(magic, ELFMAG, SELFMAG) == 0) {
			*base = b;
			return true;
		}
		gpm_error_destroy(err);
	}
	return false;
}

static struct gpm_error *scan_notes(const uint8_t *data, size_t size, uint64_t align, char **gnu,
                                    char **go)
{
	struct gpm_elf_note_iter it;
	struct gpm_elf_note n;
	gpm_elf_note_iter_init(&it, data, size, align);
	for (unsigned i = 0; i < 256 && gpm_elf_note_next(&it, &n); i++) {
		if (n.descsz == 0 || n.descsz > LOCATE_MAX_BUILD_ID)
			continue;
		if (!*gnu && n.type == NT_GNU_BUILD_ID && gpm_elf_note_named(&n, "GNU")) {
			if (!(*gnu = gpm_hex_dup(n.desc, n.descsz)))
				return &gpm_error_nomem;
		} else if (!*go && n.type == 4 && gpm_elf_note_named(&n, "Go")) {
			if (!(*go = strndup((const char *)n.desc,
			                    strnlen((const char *)n.desc, n.descsz))))
				return &gpm_error_nomem;
		}
	}
	return NULL;
}

struct gpm_error *gpm_core_build_ids(const struct gpm_core *core, char **gnu_hex, char **go_id)
{
	char *gnu = NULL, *go = NULL;
	struct gpm_error *err = NULL;
	uint64_t base;
	uint8_t eh[sizeof(Elf64_Ehdr)];
	if (!core_exe_header(core, &base))
		goto out;
	if ((err = gpm_core_read(core, base, eh, sizeof(eh)))) {
		gpm_error_destroy(err); // header page not dumped: no ids, not an error
		err = NULL;
		goto out;
	}
	struct gpm_cursor c;
	gpm_cursor_init(&c, eh, sizeof(eh));
	uint64_t phoff;
	uint16_t phentsize, phnum;
	if (memcmp(eh, ELFMAG, SELFMAG) != 0 || eh[EI_CLASS] != ELFCLASS64)
		goto out;
	gpm_cursor_seek(&c, 32);
	gpm_cursor_u64(&c, &phoff);
	gpm_cursor_seek(&c, 54);
	gpm_cursor_u16(&c, &phentsize);
	gpm_cursor_u16(&c, &phnum);
	if (phentsize < sizeof(Elf64_Phdr) || phnum > LOCATE_MAX_PHNUM)
		goto out;
	for (unsigned i = 0; i < phnum && !(gnu && go); i++) {
		uint8_t ph[sizeof(Elf64_Phdr)];
		uint64_t addr, note_addr;
		if (__builtin_add_overflow(base, phoff + (uint64_t)i * phentsize, &addr))
			break;
		struct gpm_error *e = gpm_core_read(core, addr, ph, sizeof(ph));
		if (e) {
			gpm_error_destroy(e);
			break;
		}
		uint32_t type;
		uint64_t offset, filesz, align;
		gpm_cursor_init(&c, ph, sizeof(ph));
		gpm_cursor_u32(&c, &type);
		gpm_cursor_seek(&c, 8);
		gpm_cursor_u64(&c, &offset);
		gpm_cursor_seek(&c, 32);
		gpm_cursor_u64(&c, &filesz);
		gpm_cursor_seek(&c, 48);
		gpm_cursor_u64(&c, &align);
		if (type != PT_NOTE || filesz == 0 || filesz > LOCATE_MAX_NOTE ||
		    __builtin_add_overflow(base, offset, &note_addr))
			continue;
		uint8_t *buf = malloc((size_t)filesz + LOCATE_NOTE_SLACK);
		if (!buf) {
			err = &gpm_error_nomem;
			goto out;
		}
		// The slack may run past the dumped page: a GNU build-id note of 20 bytes (36 in
		// all) ends exactly there in Go's layout.
		static const size_t slack[] = {LOCATE_NOTE_SLACK, 36, 0};
		size_t len = 0;
		for (size_t k = 0; k < 3; k++) {
			gpm_error_destroy(e);
			len = (size_t)filesz + slack[k];
			if (!(e = gpm_core_read(core, note_addr, buf, len)))
				break;
		}
		if (!e)
			err = scan_notes(buf, len, align, &gnu, &go);
		gpm_error_destroy(e);
		free(buf);
		if (err)
			goto out;
	}
out:
	if (err) {
		free(gnu);
		free(go);
		return err;
	}
	if (gnu_hex)
		*gnu_hex = gnu;
	else
		free(gnu);
	if (go_id)
		*go_id = go;
	else
		free(go);
	return NULL;
}

bool gpm_core_exe_bias(const struct gpm_core *core, const struct gpm_exe *exe, uint64_t *bias)
{
	// The mapping of file offset 0 against the link address of file offset 0.
	uint64_t base;
	const struct gpm_exe_segment *first = NULL;
	for (size_t i = 0; i < gpm_exe_segment_count(exe); i++) {
		const struct gpm_exe_segment *s = gpm_exe_segment_at(exe, i);
		if (s->type == PT_LOAD && (!first || s->offset < first->offset))
			first = s;
	}
	if (first && first->vaddr >= first->offset && core_exe_header(core, &base)) {
		*bias = base - (first->vaddr - first->offset);
		return true;
	}
	uint64_t at;
	if (gpm_core_auxv_get(core, AT_ENTRY, &at) && gpm_exe_entry(exe) != 0) {
		*bias = at - gpm_exe_entry(exe);
		return true;
	}
	for (size_t i = 0; i < gpm_exe_segment_count(exe); i++) {
		const struct gpm_exe_segment *s = gpm_exe_segment_at(exe, i);
		if (s->type == PT_PHDR && gpm_core_auxv_get(core, AT_PHDR, &at)) {
			*bias = at - s->vaddr;
			return true;
		}
	}
	if (!gpm_exe_is_pie(exe)) {
		*bias = 0;
		return true;
	}
	return false;
}

/* True when a PT_GNU_RELRO range of exe (relocated, then made read-only) overlaps s. */
static bool relro_overlaps(const struct gpm_exe *exe, const struct gpm_exe_segment *s)
{
	for (size_t i = 0; i < gpm_exe_segment_count(exe); i++) {
		const struct gpm_exe_segment *r = gpm_exe_segment_at(exe, i);
		if (r->type == PT_GNU_RELRO && r->vaddr < s->vaddr + s->memsz &&
		    s->vaddr < r->vaddr + r->memsz)
			return true;
	}
	return false;
}

/*
 * Compares the bytes the core holds of exe's read-only, non-executable PT_LOAD segments
 * (rodata: never written, not relocated outside a PT_GNU_RELRO range) with the file. True
 * when none differ; *same counts the bytes compared, *diff_at is the first address that
 * differs. Reads at most LOCATE_READONLY_MAX bytes.
 */
static bool readonly_match(const struct gpm_core *core, const struct gpm_exe *exe, uint64_t bias,
                           uint64_t *same, uint64_t *diff_at)
{
	size_t exe_size;
	const uint8_t *bytes = gpm_exe_bytes(exe, &exe_size);
	uint64_t budget = LOCATE_READONLY_MAX;
	*same = 0;
	for (size_t i = 0; i < gpm_exe_segment_count(exe); i++) {
		const struct gpm_exe_segment *s = gpm_exe_segment_at(exe, i);
		if (s->type != PT_LOAD || (s->flags & (PF_W | PF_X)) || s->filesz == 0 ||
		    s->offset > exe_size || s->filesz > exe_size - s->offset)
			continue;
		if (gpm_exe_is_pie(exe) && relro_overlaps(exe, s))
			continue;
		uint64_t addr;
		if (__builtin_add_overflow(s->vaddr, bias, &addr))
			continue;
		const struct gpm_core_segment *c = gpm_core_segment_for_addr(core, addr);
		if (!c || !c->data || addr - c->vaddr >= c->present)
			continue;
		uint64_t n = c->present - (addr - c->vaddr);
		if (n > s->filesz)
			n = s->filesz;
		if (n > budget)
			n = budget;
		const uint8_t *a = c->data + (addr - c->vaddr), *b = bytes + s->offset;
		if (memcmp(a, b, (size_t)n) != 0) {
			uint64_t k = 0;
			while (k < n && a[k] == b[k])
				k++;
			*diff_at = addr + k;
			return false;
		}
		*same += n;
		budget -= n;
		if (!budget)
			break;
	}
	return true;
}

enum verdict {
	VERDICT_MATCH,
	VERDICT_UNVERIFIED,
	VERDICT_MISMATCH,
};

/* Compares exe with the core; *detail (malloc'd) says why. */
static struct gpm_error *check_exe(const struct gpm_core *core, const struct gpm_exe *exe,
                                   const char *core_gnu, const char *core_go, uint64_t bias,
                                   enum verdict *verdict, char **detail)
{
	const char *exe_gnu = gpm_exe_gnu_build_id(exe);
	const char *exe_go = gpm_exe_go_build_id(exe);
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	if (core_gnu && exe_gnu) {
		*verdict = strcmp(core_gnu, exe_gnu) == 0 ? VERDICT_MATCH : VERDICT_MISMATCH;
		if (*verdict == VERDICT_MATCH)
			gpm_strbuf_puts(&sb, "GNU build id matches");
		else
			gpm_strbuf_printf(&sb, "build id %s, core has %s", exe_gnu, core_gnu);
	} else if (core_go && exe_go) {
		*verdict = strcmp(core_go, exe_go) == 0 ? VERDICT_MATCH : VERDICT_MISMATCH;
		if (*verdict == VERDICT_MATCH) {
			gpm_strbuf_puts(&sb, "Go build id matches");
		} else {
			gpm_strbuf_puts(&sb, "build id ");
			gpm_strbuf_append_safe(&sb, exe_go, strlen(exe_go));
			gpm_strbuf_puts(&sb, ", core has ");
			gpm_strbuf_append_safe(&sb, core_go, strlen(core_go));
		}
	} else if (core_gnu || core_go) {
		*verdict = VERDICT_MISMATCH;
		gpm_strbuf_puts(&sb, "build id none, core has ");
		const char *id = core_gnu ? core_gnu : core_go;
		gpm_strbuf_append_safe(&sb, id, strlen(id));
	} else {
		// No build id on either side (e.g. linked with -buildid=): compare the core's copy
		// of the header page (ELF and program headers: entry, segment sizes) with the file.
		uint64_t base, at;
		size_t exe_size;
		const uint8_t *exe_bytes = gpm_exe_bytes(exe, &exe_size);
		const struct gpm_core_segment *seg = NULL;
		if (core_exe_header(core, &base))
			seg = gpm_core_segment_for_addr(core, base);
		uint64_t n = seg && seg->vaddr == base ? seg->present : 0;
		if (n > LOCATE_HEADER_PAGE)
			n = LOCATE_HEADER_PAGE;
		// The header page names nothing of another build made with the same layout; the
		// read-only data the core holds (qemu dumps rodata) do.
		bool header = n >= sizeof(Elf64_Ehdr) && n <= exe_size;
		bool header_same = header && memcmp(seg->data, exe_bytes, (size_t)n) == 0;
		uint64_t same = 0, diff_at = 0;
		bool ro_differ =
		    (!header || header_same) &&
		    !readonly_match(core, exe, gpm_exe_is_pie(exe) ? bias : 0, &same, &diff_at);
		if (header && !header_same) {
			*verdict = VERDICT_MISMATCH;
			gpm_strbuf_printf(&sb,
			                  "no build id; the first %llu bytes differ from the "
			                  "core's copy",
			                  (unsigned long long)n);
		} else if (ro_differ) {
			*verdict = VERDICT_MISMATCH;
			gpm_strbuf_printf(
			    &sb,
			    "no build id; its read-only data at 0x%llx differ from the "
			    "core's copy",
			    (unsigned long long)diff_at);
		} else if (same) {
			*verdict = VERDICT_MATCH;
			gpm_strbuf_printf(
			    &sb,
			    "no build id; %llu bytes of read-only data match the core's "
			    "copy",
			    (unsigned long long)same);
		} else if (header) {
			*verdict = VERDICT_MATCH;
			gpm_strbuf_printf(&sb,
			                  "no build id; the first %llu bytes match the core's copy",
			                  (unsigned long long)n);
		} else if (gpm_core_auxv_get(core, AT_ENTRY, &at) &&
		           gpm_exe_entry(exe) + (gpm_exe_is_pie(exe) ? bias : 0) != at) {
			// The bias of a PIE may come from AT_ENTRY itself; an ET_EXEC has none.
			*verdict = VERDICT_MISMATCH;
			gpm_strbuf_printf(&sb, "entry point 0x%llx, core has 0x%llx",
			                  (unsigned long long)(gpm_exe_entry(exe) + bias),
			                  (unsigned long long)at);
		} else {
			*verdict = VERDICT_UNVERIFIED;
			gpm_strbuf_puts(&sb, "not verified: the core holds no build id");
		}
	}
	struct gpm_error *err = gpm_strbuf_error(&sb);
	if (err) {
		gpm_strbuf_deinit(&sb);
		return err;
	}
	*detail = gpm_strbuf_detach(&sb);
	return *detail ? NULL : &gpm_error_nomem;
}

struct candidate {
	char *path;
	const char *source; // "NT_FILE", "AT_EXECFN", ...
};

struct candidates {
	struct candidate v[LOCATE_MAX_CANDIDATES];
	size_t n;
};

static void add_candidate(struct candidates *cs, const char *path, const char *source)
{
	if (!path || !*path || cs->n == LOCATE_MAX_CANDIDATES)
		return;
	for (size_t i = 0; i < cs->n; i++)
		if (strcmp(cs->v[i].path, path) == 0)
			return;
	char *copy = strdup(path);
	if (!copy)
		return;
	cs->v[cs->n].path = copy;
	cs->v[cs->n].source = source;
	cs->n++;
}

/* Adds dir/base(path) and the same with .zst: the executable copied next to the core. */
static void add_beside(struct candidates *cs, const char *dir, const char *path, const char *source)
{
	if (!path || !*path)
		return;
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return;
	char *p;
	if (asprintf(&p, "%s/%s", dir, base) >= 0) {
		add_candidate(cs, p, source);
		free(p);
	}
	if (asprintf(&p, "%s/%s.zst", dir, base) >= 0) {
		add_candidate(cs, p, source);
		free(p);
	}
}

/*
 * The path the core maps its executable from, without the " (deleted)" the kernel appends
 * when the file was removed or replaced while the process ran (a deploy): in *buf, NULL when
 * there is none. *deleted: the suffix was there.
 */
static const char *mapped_path(const struct gpm_core *core, char *buf, size_t cap, bool *deleted)
{
	static const char suffix[] = " (deleted)";
	const char *mapped = gpm_core_exe_mapping(core, NULL);
	*deleted = false;
	if (!mapped)
		return NULL;
	size_t n = strlen(mapped), k = sizeof(suffix) - 1;
	if (n > k && n - k < cap && !strcmp(mapped + n - k, suffix)) {
		memcpy(buf, mapped, n - k);
		buf[n - k] = 0;
		*deleted = true;
		return buf;
	}
	return mapped;
}

/* The core's directory, allocated (the current directory for a core without a path); its
 * file name in *base when base is not NULL. NULL when out of memory. */
static char *core_dir(const struct gpm_core *core, const char **base)
{
	const char *cp = gpm_core_path(core) ? gpm_core_path(core) : ".";
	if (base)
		*base = strrchr(cp, '/') ? strrchr(cp, '/') + 1 : cp;
	char *copy = strdup(cp);
	if (!copy)
		return NULL;
	char *dir = strdup(dirname(copy));
	free(copy);
	return dir;
}

static void collect_candidates(const struct gpm_core *core, struct candidates *cs)
{
	char buf[PATH_MAX];
	bool deleted;
	const char *mapped = mapped_path(core, buf, sizeof(buf), &deleted);
	const char *execfn = gpm_core_execfn(core);
	const struct gpm_core_psinfo *ps = gpm_core_psinfo(core);
	const char *fname = ps ? ps->fname : NULL;
	add_candidate(cs, mapped, deleted ? "NT_FILE, deleted while the process ran" : "NT_FILE");
	if (execfn && execfn[0] == '/')
		add_candidate(cs, execfn, "AT_EXECFN");
	char *dir = core_dir(core, NULL);
	if (!dir)
		return;
	add_beside(cs, dir, mapped, "NT_FILE, beside the core");
	add_beside(cs, dir, execfn, "AT_EXECFN, beside the core");
	add_beside(cs, dir, fname, "psinfo, beside the core");
	free(dir);
}

/*
 * Build ids of a file in a search directory, read cheaply: the ELF header, the program
 * headers and the PT_NOTE segments only (a .zst file: its first LOCATE_PROBE_ZST bytes
 * decompressed). Anything that is not a 64-bit little-endian ELF file of the machine is
 * skipped after reading its first page. False when the file has no build id to compare.
 */
struct probe {
	uint8_t *buf;
	size_t len;
	int fd; // plain files: notes beyond buf are read from here; -1 for .zst
};

static bool probe_zst(int fd, struct probe *pr)
{
	uint8_t *in = malloc(LOCATE_PROBE_ZST);
	uint8_t *out = malloc(LOCATE_PROBE_ZST);
	ZSTD_DStream *ds = ZSTD_createDStream();
	ssize_t n = in ? pread(fd, in, LOCATE_PROBE_ZST, 0) : -1;
	bool ok = false;
	if (out && ds && n > 0) {
		ZSTD_DCtx_setParameter(ds, ZSTD_d_windowLogMax, 31);
		ZSTD_inBuffer ib = {in, (size_t)n, 0};
		ZSTD_outBuffer ob = {out, LOCATE_PROBE_ZST, 0};
		while (ob.pos < ob.size && ib.pos < ib.size) {
			size_t r = ZSTD_decompressStream(ds, &ob, &ib);
			if (ZSTD_isError(r) || r == 0)
				break;
		}
		pr->buf = out;
		pr->len = ob.pos;
		pr->fd = -1;
		ok = ob.pos > 0;
	}
	ZSTD_freeDStream(ds);
	free(in);
	if (!ok)
		free(out);
	return ok;
}

static bool probe_ids(const char *path, uint16_t machine, char **gnu, char **go)
{
	*gnu = *go = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return false;
	struct stat st;
	struct probe pr = {.fd = fd};
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(Elf64_Ehdr))
		goto out;
	pr.buf = malloc(LOCATE_PROBE_HEAD);
	ssize_t n = pr.buf ? pread(fd, pr.buf, LOCATE_PROBE_HEAD, 0) : -1;
	if (n < (ssize_t)sizeof(Elf64_Ehdr))
		goto out;
	pr.len = (size_t)n;
	static const uint8_t zstd_magic[4] = {0x28, 0xb5, 0x2f, 0xfd};
	if (memcmp(pr.buf, zstd_magic, 4) == 0) {
		free(pr.buf);
		pr.buf = NULL;
		if (!probe_zst(fd, &pr))
			goto out;
	}
	const uint8_t *b = pr.buf;
	if (pr.len < sizeof(Elf64_Ehdr) || memcmp(b, ELFMAG, SELFMAG) != 0 ||
	    b[EI_CLASS] != ELFCLASS64 || b[EI_DATA] != ELFDATA2LSB)
		goto out;
	struct gpm_cursor c;
	gpm_cursor_init(&c, b, pr.len);
	uint16_t mach, phentsize, phnum;
	uint64_t phoff;
	gpm_cursor_seek(&c, 18);
	gpm_cursor_u16(&c, &mach);
	gpm_cursor_seek(&c, 32);
	gpm_cursor_u64(&c, &phoff);
	gpm_cursor_seek(&c, 54);
	gpm_cursor_u16(&c, &phentsize);
	gpm_cursor_u16(&c, &phnum);
	if (mach != machine || phentsize < sizeof(Elf64_Phdr) || phnum > LOCATE_MAX_PHNUM)
		goto out;
	for (unsigned i = 0; i < phnum && !(*gnu && *go); i++) {
		uint64_t at;
		if (__builtin_add_overflow(phoff, (uint64_t)i * phentsize, &at) || at > pr.len ||
		    pr.len - at < sizeof(Elf64_Phdr))
			break; // program headers beyond the head: not worth more reads
		uint32_t type;
		uint64_t offset, filesz, align;
		gpm_cursor_init(&c, b + at, sizeof(Elf64_Phdr));
		gpm_cursor_u32(&c, &type);
		gpm_cursor_seek(&c, 8);
		gpm_cursor_u64(&c, &offset);
		gpm_cursor_seek(&c, 32);
		gpm_cursor_u64(&c, &filesz);
		gpm_cursor_seek(&c, 48);
		gpm_cursor_u64(&c, &align);
		if (type != PT_NOTE || filesz == 0 || filesz > LOCATE_MAX_NOTE)
			continue;
		if (offset <= pr.len && pr.len - offset >= filesz) {
			uint64_t len = filesz + LOCATE_NOTE_SLACK;
			if (len > pr.len - offset)
				len = pr.len - offset;
			if (scan_notes(b + offset, (size_t)len, align, gnu, go))
				break;
		} else if (pr.fd >= 0) {
			uint8_t *nb = malloc((size_t)filesz);
			if (nb && pread(fd, nb, (size_t)filesz, (off_t)offset) == (ssize_t)filesz &&
			    scan_notes(nb, (size_t)filesz, align, gnu, go)) {
				free(nb);
				break;
			}
			free(nb);
		}
	}
out:
	free(pr.buf);
	close(fd);
	if (*gnu || *go)
		return true;
	return false;
}

/* Whether the build ids of a probed file are those of the core. */
static bool ids_match(const char *core_gnu, const char *core_go, const char *gnu, const char *go)
{
	if (core_gnu && gnu)
		return strcmp(core_gnu, gnu) == 0;
	if (core_go && go)
		return strcmp(core_go, go) == 0;
	return false;
}

static bool is_dir(const char *path)
{
	struct stat st;
	return path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static char *safe(const char *s)
{
	return gpm_safe_strndup(s, strlen(s));
}

/*
 * The executable given, or the only candidate found, is another build. Found (at the path the
 * core names, beside it, in a search directory), it was most often rebuilt or redeployed
 * after the core was taken: the message says so and what to do.
 */
static struct gpm_error *mismatch_error(const char *path, const char *detail, bool given)
{
	char *p = safe(path);
	struct gpm_error *err = gpm_error_create(
	    GPM_ERR_MISMATCH, "executable %s does not match the core (%s); %s", p ? p : path,
	    detail,
	    given ? "--force reads the core with it anyway (names and frames may be wrong)"
	          : "it was rebuilt or replaced since the process started? give the build that "
	            "ran with --exe FILE or DIR (or GOPM_EXE_PATH), or --force to use this one");
	free(p);
	return err;
}

/* Opens path and checks it; *verdict and *detail on success. */
static struct gpm_error *try_exe(const struct gpm_core *core, const char *path, const char *gnu,
                                 const char *go, struct gpm_exe **exe_out, uint64_t *bias_out,
                                 enum verdict *verdict, char **detail)
{
	struct gpm_exe *exe;
	struct gpm_error *err = gpm_exe_open(path, &exe);
	if (err)
		return err;
	uint64_t bias = 0;
	if (gpm_exe_machine(exe) != gpm_core_machine(core)) {
		*verdict = VERDICT_MISMATCH;
		char eb[32], cb[32];
		if (asprintf(detail, "an %s executable, the core is of an %s process",
		             gpm_arch_machine_name(gpm_exe_machine(exe), eb, sizeof(eb)),
		             gpm_arch_machine_name(gpm_core_machine(core), cb, sizeof(cb))) < 0) {
			gpm_exe_destroy(exe);
			return &gpm_error_nomem;
		}
	} else {
		if (!gpm_core_exe_bias(core, exe, &bias))
			bias = 0;
		if ((err = check_exe(core, exe, gnu, go, bias, verdict, detail))) {
			gpm_exe_destroy(exe);
			return err;
		}
	}
	*exe_out = exe;
	*bias_out = bias;
	return NULL;
}

static struct gpm_error *set_why(char **why, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static struct gpm_error *set_why(char **why, const char *fmt, ...)
{
	if (!why)
		return NULL;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(why, fmt, ap);
	va_end(ap);
	return r < 0 ? &gpm_error_nomem : NULL;
}

/* What the search has found so far: the match, else the first unverified candidate (kept
 * open), else the first mismatch (its detail); and the names tried, for the error. */
struct search {
	const struct gpm_core *core;
	const char *gnu, *go; // the core's build ids
	struct gpm_exe *exe;
	uint64_t bias;
	char *detail;
	const char *source;
	char *path;
	struct gpm_exe *fallback;
	uint64_t fallback_bias;
	char *fallback_detail, *fallback_path;
	const char *fallback_source;
	char *mismatch_detail, *mismatch_path;
	struct gpm_strbuf tried;
	size_t ntried;
	char *debuginfod_note;       // what debuginfod answered, when it did not help
	const char *index_path;      // where the build-id index is kept; NULL none
	struct gpm_exe_index *index; // loaded at the first search directory
	struct gpm_exe_locate_stats stats;
	bool core_dir;         // searching the core's own directory, not a search directory
	const char *skip;      // a file not to probe there (the core itself); NULL none
	struct gpm_error *err; // out of memory only
};

/* How a file found in a directory was found, for "read from … (from …)". */
static const char *dir_source(const struct search *s, bool by_id)
{
	if (s->core_dir)
		return by_id ? "the core's directory, by build id"
		             : "the core's directory, by name";
	return by_id ? "search directory, by build id" : "search directory, by name";
}

/* Opens and checks one candidate; true when the search is over (a match, or no memory). */
static bool consider(struct search *s, const char *path, const char *source)
{
	if (s->ntried++ < 24) {
		char *p = safe(path);
		if (s->tried.len)
			gpm_strbuf_puts(&s->tried, ", ");
		gpm_strbuf_puts(&s->tried, p ? p : "?");
		free(p);
	} else if (s->ntried == 25) {
		gpm_strbuf_puts(&s->tried, ", ...");
	}
	struct gpm_exe *cand;
	uint64_t cand_bias;
	char *cand_detail = NULL;
	enum verdict verdict;
	struct gpm_error *e =
	    try_exe(s->core, path, s->gnu, s->go, &cand, &cand_bias, &verdict, &cand_detail);
	if (e) {
		if (e->code == GPM_ERR_NOMEM) {
			s->err = e;
			return true;
		}
		gpm_error_destroy(e);
		return false;
	}
	if (verdict == VERDICT_MATCH) {
		s->exe = cand;
		s->bias = cand_bias;
		s->detail = cand_detail;
		s->source = source;
		if (!(s->path = strdup(path)))
			s->err = &gpm_error_nomem;
		return true;
	}
	if (verdict == VERDICT_UNVERIFIED && !s->fallback) {
		s->fallback = cand;
		s->fallback_bias = cand_bias;
		s->fallback_detail = cand_detail;
		s->fallback_source = source;
		if (!(s->fallback_path = strdup(path)))
			s->err = &gpm_error_nomem;
		return s->err != NULL;
	}
	if (verdict == VERDICT_MISMATCH && !s->mismatch_detail) {
		s->mismatch_detail = cand_detail;
		if (!(s->mismatch_path = strdup(path)))
			s->err = &gpm_error_nomem;
	} else {
		free(cand_detail);
	}
	gpm_exe_destroy(cand);
	return s->err != NULL;
}

/*
 * Build ids of a file in a search directory, from the index while stat says the file is
 * the one indexed, else probed (and the index updated). False when it carries none.
 */
static bool probe_indexed(struct search *s, const char *path, char **gnu, char **go)
{
	*gnu = *go = NULL;
	uint16_t machine = gpm_core_machine(s->core);
	struct stat st;
	if (!s->index || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
		s->stats.probed++;
		return probe_ids(path, machine, gnu, go);
	}
	struct gpm_exe_file_key key;
	gpm_exe_file_key_of(&st, machine, &key);
	struct gpm_exe_index_entry *e = gpm_exe_index_get(s->index, path);
	if (e && gpm_exe_file_key_equal(&e->key, &key)) {
		e->seen = true;
		s->stats.indexed++;
		if ((e->gnu && !(*gnu = strdup(e->gnu))) || (e->go && !(*go = strdup(e->go)))) {
			free(*gnu);
			*gnu = NULL;
			s->err = &gpm_error_nomem;
			return false;
		}
		return *gnu || *go;
	}
	s->stats.probed++;
	bool found = probe_ids(path, machine, gnu, go);
	struct gpm_error *err = gpm_exe_index_put(s->index, path, &key, *gnu, *go);
	if (err)
		s->err = err;
	return found;
}

/* Whether path lies in dir or at most depth directories below it. */
static bool path_below(const char *path, const char *dir, unsigned depth)
{
	size_t n = strlen(dir);
	if (strncmp(path, dir, n) != 0 || path[n] != '/')
		return false;
	unsigned slashes = 0;
	for (const char *p = path + n + 1; *p; p++)
		if (*p == '/' && ++slashes > depth)
			return false;
	return true;
}

/*
 * The indexed files under dir that carried the core's build id, checked with stat (a
 * changed file is probed again, a vanished one dropped) and considered without listing the
 * directory. True when the search is over.
 */
static bool search_index(struct search *s, const char *dir, unsigned depth)
{
	for (size_t i = 0; i < s->index->n && !s->err; i++) {
		const struct gpm_exe_index_entry *e = &s->index->v[i];
		if (e->dead || !ids_match(s->gnu, s->go, e->gnu, e->go) ||
		    !path_below(e->path, dir, depth))
			continue;
		char *path = strdup(e->path);
		if (!path) {
			s->err = &gpm_error_nomem;
			break;
		}
		struct stat st;
		char *gnu = NULL, *go = NULL;
		bool done = false;
		if (stat(path, &st) != 0)
			gpm_exe_index_remove(s->index, path);
		else if (probe_indexed(s, path, &gnu, &go) && ids_match(s->gnu, s->go, gnu, go))
			done = consider(s, path, dir_source(s, true));
		free(gnu);
		free(go);
		free(path);
		if (done)
			return true;
	}
	return s->err != NULL;
}

/*
 * Searches one directory: first the names the core gives (the executable's base name, the
 * command), then, when the core holds a build id, every regular file whose ELF notes carry
 * the same id, then its subdirectories down to depth levels. Only headers and notes are
 * read, so a directory of thousands of files (or of anything) costs one small read per file.
 */
static bool search_dir(struct search *s, const char *dir, unsigned depth)
{
	struct candidates cs = {.n = 0};
	const struct gpm_core_psinfo *ps = gpm_core_psinfo(s->core);
	add_beside(&cs, dir, gpm_core_exe_mapping(s->core, NULL), "search directory");
	add_beside(&cs, dir, gpm_core_execfn(s->core), "search directory");
	add_beside(&cs, dir, ps ? ps->fname : NULL, "search directory");
	bool done = false;
	for (size_t i = 0; i < cs.n && !done; i++)
		if (access(cs.v[i].path, F_OK) == 0)
			done = consider(s, cs.v[i].path, dir_source(s, false));
	for (size_t i = 0; i < cs.n; i++)
		free(cs.v[i].path);
	if (done || (!s->gnu && !s->go))
		return done;
	if (s->index_path && !s->index) {
		struct gpm_error *err = gpm_exe_index_create(s->index_path, &s->index);
		if (err) {
			s->err = err;
			return true;
		}
	}
	if (s->index && search_index(s, dir, depth))
		return true;
	DIR *d = opendir(dir);
	if (!d)
		return false;
	struct dirent *e = NULL;
	size_t seen = 0, nsub = 0;
	char *subdirs[LOCATE_MAX_SUBDIRS];
	while (!done && (e = readdir(d)) && seen++ < LOCATE_MAX_DIR_ENTRIES) {
		bool maybe_dir = e->d_type == DT_DIR || e->d_type == DT_UNKNOWN;
		if (e->d_name[0] == '.' || (e->d_type != DT_REG && e->d_type != DT_LNK &&
		                            e->d_type != DT_UNKNOWN && e->d_type != DT_DIR))
			continue;
		char *path;
		if (asprintf(&path, "%s/%s", dir, e->d_name) < 0) {
			s->err = &gpm_error_nomem;
			break;
		}
		if (s->skip && !strcmp(e->d_name, s->skip)) {
			free(path);
			continue;
		}
		// Subdirectories (releases/v1.2/...) are searched after this directory's files.
		if (maybe_dir && depth > 0 && nsub < LOCATE_MAX_SUBDIRS && is_dir(path)) {
			subdirs[nsub++] = path;
			continue;
		}
		char *gnu = NULL, *go = NULL;
		if (e->d_type != DT_DIR && probe_indexed(s, path, &gnu, &go) &&
		    ids_match(s->gnu, s->go, gnu, go))
			done = consider(s, path, dir_source(s, true));
		free(gnu);
		free(go);
		free(path);
		done = done || s->err;
	}
	// Listed whole: the index forgets the files of this directory that are gone.
	if (!done && !e && s->index)
		gpm_exe_index_prune(s->index, dir);
	closedir(d);
	for (size_t i = 0; i < nsub; i++) {
		if (!done && !s->err)
			done = search_dir(s, subdirs[i], depth - 1);
		free(subdirs[i]);
	}
	return done || s->err;
}

/* root/.build-id/xx/yyyy and yyyy.debug, for the core's GNU build id. */
static bool search_build_id_tree(struct search *s, const char *root)
{
	size_t n = s->gnu ? strlen(s->gnu) : 0;
	if (n < 4 || !root)
		return false;
	static const char *const suffixes[] = {"", ".debug"};
	for (size_t i = 0; i < 2; i++) {
		char *path;
		if (asprintf(&path, "%s/.build-id/%.2s/%s%s", root, s->gnu, s->gnu + 2,
		             suffixes[i]) < 0) {
			s->err = &gpm_error_nomem;
			return true;
		}
		bool done = access(path, F_OK) == 0 && consider(s, path, ".build-id tree");
		free(path);
		if (done)
			return true;
	}
	return false;
}

/* A deadline over the whole debuginfod query: libdebuginfod calls this between waits. */
struct debuginfod_deadline {
	struct timespec start;
	unsigned seconds;
	bool expired;
};

static int debuginfod_progress(debuginfod_client *client, long a, long b)
{
	struct debuginfod_deadline *d = debuginfod_get_user_data(client);
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec - d->start.tv_sec >= (time_t)d->seconds)
		d->expired = true;
	return d->expired;
}

static bool debuginfod_note(struct search *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static bool debuginfod_note(struct search *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(s->debuginfod_note);
	if (vasprintf(&s->debuginfod_note, fmt, ap) < 0) {
		s->debuginfod_note = NULL;
		s->err = &gpm_error_nomem;
	}
	va_end(ap);
	return s->err != NULL;
}

/*
 * Asks the servers of DEBUGINFOD_URLS for the executable of the core's GNU build id (the
 * file lands in libdebuginfod's cache, $XDG_CACHE_HOME/debuginfod_client). Go's internal
 * linker writes only a Go build id, which debuginfod does not index: then it is not asked.
 */
static bool search_debuginfod(struct search *s, unsigned timeout)
{
	if (!s->gnu)
		return debuginfod_note(s, "debuginfod not asked: the core has no GNU build id "
		                          "(Go's internal linker writes only a Go build id)");
	debuginfod_client *client = debuginfod_begin();
	if (!client)
		return debuginfod_note(s, "debuginfod: cannot start a client");
	struct debuginfod_deadline d = {.seconds = timeout ? timeout : LOCATE_DEBUGINFOD_TIMEOUT};
	clock_gettime(CLOCK_MONOTONIC, &d.start);
	debuginfod_set_user_data(client, &d);
	debuginfod_set_progressfn(client, debuginfod_progress);
	char *path = NULL;
	int fd = debuginfod_find_executable(client, (const unsigned char *)s->gnu, 0, &path);
	debuginfod_end(client);
	bool done = false;
	if (fd >= 0) {
		close(fd);
		done = consider(s, path, "debuginfod");
		if (!done && !s->err)
			debuginfod_note(s,
			                "debuginfod's executable for build id %s does not "
			                "match the core",
			                s->gnu);
	} else if (d.expired || fd == -ETIME || fd == -ETIMEDOUT) {
		// Our deadline or the library's own (the same DEBUGINFOD_TIMEOUT), whichever first.
		debuginfod_note(s, "debuginfod: no answer within %u s (DEBUGINFOD_TIMEOUT)",
		                d.seconds);
	} else if (fd == -ENOENT) {
		debuginfod_note(s, "debuginfod: no server has build id %s", s->gnu);
	} else {
		debuginfod_note(s, "debuginfod: %s", strerror(-fd));
	}
	free(path);
	return done || s->err;
}

/* Splits a colon-separated list into at most LOCATE_MAX_SEARCH_DIRS directories. */
static size_t split_path(char *list, char **dirs)
{
	size_t n = 0;
	for (char *save = NULL, *t = strtok_r(list, ":", &save); t && n < LOCATE_MAX_SEARCH_DIRS;
	     t = strtok_r(NULL, ":", &save))
		if (*t)
			dirs[n++] = t;
	return n;
}

static void search_deinit(struct search *s)
{
	gpm_exe_destroy(s->exe);
	gpm_exe_destroy(s->fallback);
	free(s->detail);
	free(s->path);
	free(s->fallback_detail);
	free(s->fallback_path);
	free(s->mismatch_detail);
	free(s->mismatch_path);
	free(s->debuginfod_note);
	gpm_exe_index_destroy(s->index);
	gpm_strbuf_deinit(&s->tried);
}

/* The error when nothing matched: what was tried and the build ids to look for. */
static struct gpm_error *not_found_error(const struct search *s)
{
	const char *core_path = gpm_core_path(s->core) ? gpm_core_path(s->core) : "core";
	char *cp = safe(core_path);
	struct gpm_strbuf ids = GPM_STRBUF_INIT;
	if (s->gnu)
		gpm_strbuf_printf(&ids, "; the core's GNU build id is %s", s->gnu);
	if (s->go) {
		gpm_strbuf_puts(&ids,
		                s->gnu ? ", its Go build id " : "; the core's Go build id is ");
		gpm_strbuf_append_safe(&ids, s->go, strlen(s->go));
	}
	if (!s->gnu && !s->go)
		gpm_strbuf_puts(&ids, "; the core holds no build id");
	if (s->debuginfod_note)
		gpm_strbuf_printf(&ids, "; %s", s->debuginfod_note);
	struct gpm_error *err = gpm_error_create(
	    GPM_ERR_NOT_FOUND,
	    "no executable found for %s (tried: %s)%s; give it with --exe FILE or DIR, or "
	    "GOPM_EXE_PATH",
	    cp ? cp : "core", s->tried.len ? gpm_strbuf_str(&s->tried) : "none",
	    ids.len ? gpm_strbuf_str(&ids) : "");
	gpm_strbuf_deinit(&ids);
	free(cp);
	return err;
}

struct gpm_error *gpm_core_locate_exe(const struct gpm_core *core,
                                      const struct gpm_exe_locate_options *o,
                                      struct gpm_exe **exe_out, uint64_t *bias_out, char **why)
{
	static const struct gpm_exe_locate_options none;
	if (!o)
		o = &none;
	char *gnu = NULL, *go = NULL;
	struct gpm_error *err = gpm_core_build_ids(core, &gnu, &go);
	if (err)
		return err;
	struct search s = {.core = core,
	                   .gnu = gnu,
	                   .go = go,
	                   .tried = GPM_STRBUF_INIT,
	                   .index_path = o->index_path};
	bool exe_dir = is_dir(o->exe_path);

	if (o->exe_path && !exe_dir) {
		enum verdict verdict;
		char *detail = NULL, *safe_path = NULL;
		struct gpm_exe *exe = NULL;
		uint64_t bias = 0;
		err = try_exe(core, o->exe_path, gnu, go, &exe, &bias, &verdict, &detail);
		if (!err && verdict == VERDICT_MISMATCH && !o->force)
			err = mismatch_error(o->exe_path, detail, true);
		if (!err && verdict == VERDICT_MISMATCH && o->forced)
			*o->forced = true;
		if (!err) {
			safe_path = safe(o->exe_path);
			err = set_why(why, "%s (given%s): %s", safe_path ? safe_path : "executable",
			              verdict == VERDICT_MISMATCH ? ", forced despite a mismatch"
			                                          : "",
			              detail);
		}
		free(detail);
		free(safe_path);
		if (!err) {
			*exe_out = exe;
			*bias_out = bias;
		} else {
			gpm_exe_destroy(exe);
		}
		goto out;
	}

	// The core's own candidates, then the search directories, then the .build-id tree.
	struct candidates cs = {.n = 0};
	collect_candidates(core, &cs);
	bool done = false;
	for (size_t i = 0; i < cs.n && !done; i++)
		done = consider(&s, cs.v[i].path, cs.v[i].source);
	for (size_t i = 0; i < cs.n; i++)
		free(cs.v[i].path);
	if (!done && exe_dir)
		done = search_dir(&s, o->exe_path, LOCATE_SEARCH_DEPTH);
	if (!done && o->search_path) {
		char *list = strdup(o->search_path);
		char *dirs[LOCATE_MAX_SEARCH_DIRS];
		if (!list) {
			s.err = &gpm_error_nomem;
			done = true;
		}
		size_t nd = list ? split_path(list, dirs) : 0;
		for (size_t i = 0; i < nd && !done; i++)
			done = search_dir(&s, dirs[i], LOCATE_SEARCH_DEPTH);
		free(list);
	}
	// The core's own directory, by build id: the build that ran is often kept beside the
	// core under another name (svc.old, svc-1.4.2) once a deploy replaced it.
	if (!done && (gnu || go)) {
		char *dir = core_dir(core, &s.skip);
		if (dir) {
			s.core_dir = true;
			done = search_dir(&s, dir, 0);
			s.core_dir = false;
			free(dir);
		}
		s.skip = NULL;
	}
	if (!done && o->debug_root)
		done = search_build_id_tree(&s, o->debug_root);
	if (!done && o->debuginfod)
		done = search_debuginfod(&s, o->debuginfod_timeout);
	// A cache: failing to write it loses nothing.
	gpm_error_destroy(gpm_exe_index_save(s.index));
	if (o->stats)
		*o->stats = s.stats;

	if ((err = s.err)) {
		s.err = NULL;
	} else if (s.exe) {
		char *p = safe(s.path);
		err = set_why(why, "%s (from %s): %s", p ? p : "executable", s.source, s.detail);
		free(p);
		if (!err) {
			*exe_out = s.exe;
			*bias_out = s.bias;
			s.exe = NULL;
		}
	} else if (s.fallback) {
		char *p = safe(s.fallback_path);
		err = set_why(why, "%s (from %s): %s", p ? p : "executable", s.fallback_source,
		              s.fallback_detail);
		free(p);
		if (!err) {
			*exe_out = s.fallback;
			*bias_out = s.fallback_bias;
			s.fallback = NULL;
		}
	} else if (s.mismatch_detail) {
		err = mismatch_error(s.mismatch_path, s.mismatch_detail, false);
	} else {
		err = not_found_error(&s);
	}
out:
	search_deinit(&s);
	free(gnu);
	free(go);
	return err;
}

struct gpm_error *gpm_core_find_exe(const struct gpm_core *core, const char *explicit_path,
                                    bool force, struct gpm_exe **exe_out, uint64_t *bias_out,
                                    char **why)
{
	struct gpm_exe_locate_options o = {.exe_path = explicit_path, .force = force};
	return gpm_core_locate_exe(core, &o, exe_out, bias_out, why);
}
