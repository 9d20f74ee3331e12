/*
 * Finding the executable of a core (see exe_locate.h). The core's own copy of the
 * executable's first page holds the ELF and program headers and the build-id notes (Go's
 * internal linker puts .note.go.buildid there; external links put .note.gnu.build-id there);
 * comparing those with a candidate file tells a stale or wrong binary from the right one.
 */
#include "core/exe_locate.h"

#include <elf.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cursor.h"
#include "base/strbuf.h"
#include "core/core.h"
#include "elf/exe.h"
#include "elf/note.h"

enum {
	LOCATE_MAX_PHNUM = 512,     // program headers read from the core's copy
	LOCATE_MAX_NOTE = 64 << 10, // bytes of one PT_NOTE read from the core
	LOCATE_MAX_BUILD_ID = 1024, // bytes of a build-id note desc
	LOCATE_MAX_CANDIDATES = 16,
	LOCATE_HEADER_PAGE = 4096, // bytes of the dumped header page compared
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
		uint8_t *buf = malloc((size_t)filesz);
		if (!buf) {
			err = &gpm_error_nomem;
			goto out;
		}
		e = gpm_core_read(core, note_addr, buf, (size_t)filesz);
		if (!e)
			err = scan_notes(buf, (size_t)filesz, align, &gnu, &go);
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
		if (n >= sizeof(Elf64_Ehdr) && n <= exe_size) {
			*verdict = memcmp(seg->data, exe_bytes, (size_t)n) == 0 ? VERDICT_MATCH
			                                                        : VERDICT_MISMATCH;
			gpm_strbuf_printf(&sb,
			                  *verdict == VERDICT_MATCH
			                      ? "no build id; the first %llu bytes match the "
			                        "core's copy"
			                      : "no build id; the first %llu bytes differ from the "
			                        "core's copy",
			                  (unsigned long long)n);
		} else if (gpm_core_auxv_get(core, AT_ENTRY, &at) &&
		           gpm_exe_entry(exe) + bias != at) {
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

static void collect_candidates(const struct gpm_core *core, struct candidates *cs)
{
	const char *mapped = gpm_core_exe_mapping(core, NULL);
	const char *execfn = gpm_core_execfn(core);
	const struct gpm_core_psinfo *ps = gpm_core_psinfo(core);
	const char *fname = ps ? ps->fname : NULL;
	add_candidate(cs, mapped, "NT_FILE");
	if (execfn && execfn[0] == '/')
		add_candidate(cs, execfn, "AT_EXECFN");
	char *core_path = strdup(gpm_core_path(core) ? gpm_core_path(core) : ".");
	if (!core_path)
		return;
	const char *dir = dirname(core_path);
	add_beside(cs, dir, mapped, "NT_FILE, beside the core");
	add_beside(cs, dir, execfn, "AT_EXECFN, beside the core");
	add_beside(cs, dir, fname, "psinfo, beside the core");
	free(core_path);
}

static char *safe(const char *s)
{
	return gpm_safe_strndup(s, strlen(s));
}

static struct gpm_error *mismatch_error(const char *path, const char *detail)
{
	char *p = safe(path);
	struct gpm_error *err = gpm_error_create(
	    GPM_ERR_MISMATCH, "executable %s does not match the core (%s)", p ? p : path, detail);
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

struct gpm_error *gpm_core_find_exe(const struct gpm_core *core, const char *explicit_path,
                                    bool force, struct gpm_exe **exe_out, uint64_t *bias_out,
                                    char **why)
{
	char *gnu = NULL, *go = NULL, *detail = NULL, *safe_path = NULL;
	struct gpm_exe *exe = NULL;
	uint64_t bias = 0;
	enum verdict verdict;
	struct candidates cs = {.n = 0};
	struct gpm_strbuf tried = GPM_STRBUF_INIT;
	struct gpm_error *err = gpm_core_build_ids(core, &gnu, &go);
	if (err)
		return err;

	if (explicit_path) {
		if ((err = try_exe(core, explicit_path, gnu, go, &exe, &bias, &verdict, &detail)))
			goto out;
		if (verdict == VERDICT_MISMATCH && !force) {
			err = mismatch_error(explicit_path, detail);
			goto out;
		}
		safe_path = safe(explicit_path);
		err = set_why(why, "%s (given%s): %s", safe_path ? safe_path : "executable",
		              verdict == VERDICT_MISMATCH ? ", forced despite a mismatch" : "",
		              detail);
		goto out;
	}

	collect_candidates(core, &cs);
	struct gpm_exe *fallback = NULL;
	uint64_t fallback_bias = 0;
	size_t fallback_i = 0;
	char *fallback_detail = NULL, *mismatch_detail = NULL;
	size_t mismatch_i = 0;
	for (size_t i = 0; i < cs.n; i++) {
		struct gpm_exe *cand;
		uint64_t cand_bias;
		char *cand_detail = NULL;
		char *p = safe(cs.v[i].path);
		if (tried.len)
			gpm_strbuf_puts(&tried, ", ");
		gpm_strbuf_puts(&tried, p ? p : "?");
		free(p);
		struct gpm_error *e =
		    try_exe(core, cs.v[i].path, gnu, go, &cand, &cand_bias, &verdict, &cand_detail);
		if (e) {
			if (e->code == GPM_ERR_NOMEM) {
				err = e;
				break;
			}
			gpm_error_destroy(e);
			continue;
		}
		if (verdict == VERDICT_MATCH) {
			exe = cand;
			bias = cand_bias;
			detail = cand_detail;
			safe_path = safe(cs.v[i].path);
			err = set_why(why, "%s (from %s): %s", safe_path ? safe_path : "executable",
			              cs.v[i].source, detail);
			break;
		}
		if (verdict == VERDICT_UNVERIFIED && !fallback) {
			fallback = cand;
			fallback_bias = cand_bias;
			fallback_detail = cand_detail;
			fallback_i = i;
			continue;
		}
		if (!mismatch_detail) {
			mismatch_detail = cand_detail;
			mismatch_i = i;
		} else {
			free(cand_detail);
		}
		gpm_exe_destroy(cand);
	}
	if (!exe && !err && fallback) {
		exe = fallback;
		bias = fallback_bias;
		fallback = NULL;
		safe_path = safe(cs.v[fallback_i].path);
		err = set_why(why, "%s (from %s): %s", safe_path ? safe_path : "executable",
		              cs.v[fallback_i].source, fallback_detail);
	} else if (!exe && !err && mismatch_detail) {
		err = mismatch_error(cs.v[mismatch_i].path, mismatch_detail);
	} else if (!exe && !err) {
		const char *core_path = gpm_core_path(core) ? gpm_core_path(core) : "core";
		char *cp = safe(core_path);
		err = gpm_error_create(
		    GPM_ERR_NOT_FOUND, "no executable found for %s (tried: %s); give it with --exe",
		    cp ? cp : "core", tried.len ? gpm_strbuf_str(&tried) : "none");
		free(cp);
	}
	gpm_exe_destroy(fallback);
	free(fallback_detail);
	free(mismatch_detail);
out:
	for (size_t i = 0; i < cs.n; i++)
		free(cs.v[i].path);
	gpm_strbuf_deinit(&tried);
	free(gnu);
	free(go);
	free(detail);
	free(safe_path);
	if (err) {
		gpm_exe_destroy(exe);
		return err;
	}
	*exe_out = exe;
	*bias_out = bias;
	return NULL;
}
