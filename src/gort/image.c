/*
 * The Go image: finds each part of a Go program's self-description and ties them together.
 * Order matters: the pclntab first (it must exist for anything else to make sense), then the
 * build info and the Go version, then the moduledata (which points at the pclntab and gives
 * text, gofunc and the type region), then layouts and wait reasons on demand. Any part but
 * the pclntab may be missing: that leaves a warning, not a failure.
 */
#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "base/vec.h"
#include "core/memory.h"
#include "elf/exe.h"
#include "gort/internal.h"

#define MAX_WARNINGS 256
#define SCAN_CHUNK   (1u << 16)

struct priv {
	GPM_VEC(char *) warnings;
	size_t dropped_warnings;
	GPM_VEC(struct gpm_layout *) layouts;
	bool wr_done;
	char **wr;
	size_t nwr;
	void *types;
};

static struct priv *P(const struct gpm_goimage *img)
{
	return img->priv;
}

void **gpm_gort_types_slot(struct gpm_goimage *img)
{
	return &P(img)->types;
}

void gpm_gort_warn(struct gpm_goimage *img, const char *fmt, ...)
{
	struct priv *p = P(img);
	if (p->warnings.len >= MAX_WARNINGS) {
		p->dropped_warnings++;
		return;
	}
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	char *s = strdup(buf);
	char **slot = s ? gpm_vec_push(&p->warnings) : NULL;
	if (!slot) {
		free(s);
		return;
	}
	*slot = s;
}

size_t gpm_goimage_warning_count(const struct gpm_goimage *img)
{
	return P(img)->warnings.len;
}

const char *gpm_goimage_warning(const struct gpm_goimage *img, size_t i)
{
	return i < P(img)->warnings.len ? P(img)->warnings.v[i] : NULL;
}

const char *gpm_goimage_how_name(enum gpm_goimage_how how)
{
	switch (how) {
	case GPM_HOW_NONE:
		return "none";
	case GPM_HOW_SECTION:
		return "section";
	case GPM_HOW_SYMBOL:
		return "symbol";
	case GPM_HOW_SCAN:
		return "scan";
	case GPM_HOW_DWARF:
		return "dwarf";
	case GPM_HOW_TYPES:
		return "type descriptors";
	}
	return "?";
}

struct gpm_error *gpm_goimage_read(struct gpm_goimage *img, uint64_t addr, void *buf, size_t len)
{
	if (img->mem)
		return gpm_memory_read(img->mem, addr, buf, len);
	if (addr < img->bias)
		return gpm_error_fault(addr, len);
	return gpm_exe_read(img->exe, addr - img->bias, buf, len);
}

struct gpm_error *gpm_goimage_word(struct gpm_goimage *img, uint64_t addr, uint64_t *out)
{
	uint8_t b[8];
	struct gpm_error *err = gpm_goimage_read(img, addr, b, img->ptr_size);
	if (err)
		return err;
	uint64_t v = 0;
	for (unsigned i = 0; i < img->ptr_size; i++)
		v |= (uint64_t)b[i] << (8 * i);
	*out = v;
	return NULL;
}

static bool img_read_cb(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct gpm_error *err = gpm_goimage_read(ctx, addr, buf, len);
	gpm_error_destroy(err);
	return err == NULL;
}

/* Link-time reads of the executable file (build info pointers are link-time in the file). */
static bool exe_read_cb(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct gpm_error *err = gpm_exe_read(ctx, addr, buf, len);
	gpm_error_destroy(err);
	return err == NULL;
}

bool gpm_goimage_symbol(struct gpm_goimage *img, const char *name, uint64_t *addr, uint64_t *size)
{
	uint64_t a, s;
	if (!gpm_exe_has_symbols(img->exe) || !gpm_exe_symbol(img->exe, name, &a, &s))
		return false;
	*addr = a + img->bias;
	if (size)
		*size = s;
	return true;
}

/* ---- pclntab ---- */

static bool pclntab_try(struct gpm_goimage *img, const uint8_t *data, size_t size,
                        uint64_t link_addr, bool scanning)
{
	struct gpm_pclntab *tab;
	struct gpm_error *err = gpm_pclntab_create(data, size, link_addr + img->bias, 0, &tab);
	if (err) {
		if (!scanning)
			gpm_gort_warn(img, "%s", err->message);
		gpm_error_destroy(err);
		return false;
	}
	if (scanning && gpm_pclntab_func_count(tab) == 0) {
		gpm_pclntab_destroy(tab);
		return false;
	}
	img->pclntab = tab;
	return true;
}

static void pclntab_find(struct gpm_goimage *img)
{
	static const char *const names[] = {".gopclntab", ".data.rel.ro.gopclntab"};
	for (size_t i = 0; i < 2; i++) {
		const struct gpm_exe_section *s = gpm_exe_section(img->exe, names[i]);
		if (s && s->data && pclntab_try(img, s->data, s->size, s->addr, false)) {
			img->pclntab_how = GPM_HOW_SECTION;
			return;
		}
	}
	// External linkers may merge the section: scan the file-backed segments for the magic
	// at 8-byte alignment; the header and the function table must parse.
	size_t fsize;
	const uint8_t *file = gpm_exe_bytes(img->exe, &fsize);
	for (size_t i = 0; i < gpm_exe_segment_count(img->exe); i++) {
		const struct gpm_exe_segment *seg = gpm_exe_segment_at(img->exe, i);
		if (seg->type != PT_LOAD || seg->offset > fsize ||
		    fsize - seg->offset < seg->filesz)
			continue;
		const uint8_t *d = file + seg->offset;
		for (uint64_t o = (8 - (seg->vaddr & 7)) & 7; o + 64 <= seg->filesz; o += 8) {
			if (d[o] < 0xf0 || d[o + 1] != 0xff || d[o + 2] != 0xff || d[o + 3] != 0xff)
				continue;
			if (!gpm_pclntab_header_ok(d + o, (size_t)(seg->filesz - o)))
				continue;
			if (pclntab_try(img, d + o, (size_t)(seg->filesz - o), seg->vaddr + o,
			                true)) {
				img->pclntab_how = GPM_HOW_SCAN;
				return;
			}
		}
	}
}

/* Whether the executable's pclntab section is of a Go release older than gopm reads. */
static bool old_pclntab(const struct gpm_goimage *img)
{
	static const char *const names[] = {".gopclntab", ".data.rel.ro.gopclntab"};
	for (size_t i = 0; i < 2; i++) {
		const struct gpm_exe_section *s = gpm_exe_section(img->exe, names[i]);
		if (s && s->data && s->size >= 8 &&
		    gpm_pclntab_header_ok(s->data, (size_t)s->size) && s->data[0] == 0xfb &&
		    s->data[1] == 0xff && s->data[2] == 0xff && s->data[3] == 0xff)
			return true;
	}
	return false;
}

/* ---- build info and version ---- */

static void buildinfo_find(struct gpm_goimage *img)
{
	const struct gpm_exe_section *s = gpm_exe_section(img->exe, ".go.buildinfo");
	const uint8_t *data = NULL;
	size_t size = 0;
	if (s && s->data) {
		data = s->data;
		size = (size_t)s->size;
		img->buildinfo_how = GPM_HOW_SECTION;
	} else {
		size_t fsize;
		const uint8_t *file = gpm_exe_bytes(img->exe, &fsize);
		for (size_t i = 0; i < gpm_exe_segment_count(img->exe) && !data; i++) {
			const struct gpm_exe_segment *seg = gpm_exe_segment_at(img->exe, i);
			if (seg->type != PT_LOAD || !(seg->flags & PF_W) || seg->offset > fsize ||
			    fsize - seg->offset < seg->filesz)
				continue;
			const uint8_t *d = file + seg->offset;
			for (uint64_t o = 0; o + 32 <= seg->filesz; o += 16) {
				if (memcmp(d + o, GPM_BUILDINFO_MAGIC, GPM_BUILDINFO_MAGIC_LEN) ==
				    0) {
					data = d + o;
					size = (size_t)(seg->filesz - o);
					img->buildinfo_how = GPM_HOW_SCAN;
					break;
				}
			}
		}
	}
	if (!data)
		return;
	struct gpm_error *err =
	    gpm_buildinfo_parse(data, size, exe_read_cb, img->exe, &img->buildinfo);
	if (err) {
		gpm_gort_warn(img, "%s", err->message);
		gpm_error_destroy(err);
		img->buildinfo_how = GPM_HOW_NONE;
		return;
	}
	img->has_buildinfo = true;
}

static void version_find(struct gpm_goimage *img)
{
	if (img->has_buildinfo && img->buildinfo.go_version &&
	    gpm_go_version_parse(img->buildinfo.go_version, &img->version)) {
		snprintf(img->go_version, sizeof(img->go_version), "%s", img->buildinfo.go_version);
		img->version_how = img->buildinfo_how;
		return;
	}
	// runtime.buildVersion is a string header.
	uint64_t a, sz;
	if (gpm_exe_has_symbols(img->exe) &&
	    gpm_exe_symbol(img->exe, "runtime.buildVersion", &a, &sz)) {
		uint8_t hdr[16];
		char buf[64];
		unsigned ps = img->ptr_size;
		if (!gpm_exe_read(img->exe, a, hdr, 2 * ps)) {
			uint64_t p = 0, n = 0;
			for (unsigned k = 0; k < ps; k++) {
				p |= (uint64_t)hdr[k] << (8 * k);
				n |= (uint64_t)hdr[ps + k] << (8 * k);
			}
			struct gpm_error *err = NULL;
			if (n > 0 && n < sizeof(buf) &&
			    !(err = gpm_exe_read(img->exe, p, buf, (size_t)n))) {
				buf[n] = 0;
				if (gpm_go_version_parse(buf, &img->version)) {
					snprintf(img->go_version, sizeof(img->go_version), "%s",
					         buf);
					img->version_how = GPM_HOW_SYMBOL;
					return;
				}
			}
			gpm_error_destroy(err);
		}
	}
	// Scan read-only data for "go1.N".
	const struct gpm_exe_section *ro = gpm_exe_section(img->exe, ".rodata");
	if (ro && ro->data &&
	    gpm_go_version_scan(ro->data, (size_t)ro->size, img->go_version,
	                        sizeof(img->go_version)) &&
	    gpm_go_version_parse(img->go_version, &img->version)) {
		img->version_how = GPM_HOW_SCAN;
		return;
	}
	img->go_version[0] = 0;
	gpm_gort_warn(img, "Go version not found");
}

/* ---- moduledata ---- */

static bool moduledata_try(struct gpm_goimage *img, uint64_t addr)
{
	enum gpm_pclntab_format fmt = gpm_pclntab_format(img->pclntab);
	struct gpm_error *err = gpm_moduledata_decode(
	    img_read_cb, img, addr, img->ptr_size, fmt, gpm_pclntab_addr(img->pclntab),
	    gpm_pclntab_size(img->pclntab), img->mem ? 0 : img->bias, &img->moduledata);
	if (err) {
		gpm_error_destroy(err);
		return false;
	}
	img->has_moduledata = true;
	return true;
}

static bool moduledata_scan_range(struct gpm_goimage *img, uint64_t start, uint64_t size)
{
	uint64_t want = gpm_pclntab_addr(img->pclntab);
	unsigned ps = img->ptr_size;
	uint8_t *buf = malloc(SCAN_CHUNK);
	if (!buf)
		return false;
	bool found = false;
	start = (start + ps - 1) & ~(uint64_t)(ps - 1);
	for (uint64_t off = 0; off < size && !found; off += SCAN_CHUNK) {
		size_t n = (size_t)(size - off < SCAN_CHUNK ? size - off : SCAN_CHUNK);
		n &= ~(size_t)(ps - 1);
		struct gpm_error *err = gpm_goimage_read(img, start + off, buf, n);
		if (err) {
			gpm_error_destroy(err);
			continue;
		}
		for (size_t i = 0; i + ps <= n; i += ps) {
			uint64_t v = 0;
			for (unsigned k = 0; k < ps; k++)
				v |= (uint64_t)buf[i + k] << (8 * k);
			if (v == want && moduledata_try(img, start + off + i)) {
				found = true;
				break;
			}
		}
	}
	free(buf);
	return found;
}

static void moduledata_find(struct gpm_goimage *img)
{
	uint64_t a;
	if (gpm_goimage_symbol(img, "runtime.firstmoduledata", &a, NULL) &&
	    moduledata_try(img, a)) {
		img->moduledata_how = GPM_HOW_SYMBOL;
		return;
	}
	const struct gpm_exe_section *s = gpm_exe_section(img->exe, ".go.module");
	if (s && moduledata_try(img, s->addr + img->bias)) {
		img->moduledata_how = GPM_HOW_SECTION;
		return;
	}
	static const char *const names[] = {".noptrdata", ".data", ".go.module"};
	bool any = false;
	for (size_t i = 0; i < 3; i++) {
		s = gpm_exe_section(img->exe, names[i]);
		if (!s)
			continue;
		any = true;
		if (moduledata_scan_range(img, s->addr + img->bias, s->size)) {
			img->moduledata_how = GPM_HOW_SCAN;
			return;
		}
	}
	if (!any) {
		for (size_t i = 0; i < gpm_exe_segment_count(img->exe); i++) {
			const struct gpm_exe_segment *seg = gpm_exe_segment_at(img->exe, i);
			if (seg->type == PT_LOAD && (seg->flags & PF_W) &&
			    moduledata_scan_range(img, seg->vaddr + img->bias, seg->filesz)) {
				img->moduledata_how = GPM_HOW_SCAN;
				return;
			}
		}
	}
	gpm_gort_warn(img, "runtime.firstmoduledata not found");
}

/* ---- facts ---- */

static void facts_find(struct gpm_goimage *img)
{
	if (img->version.major) {
		gpm_go_facts_from_version(&img->version, &img->facts);
		return;
	}
	gpm_go_facts_probe(img, &img->facts);
}

static void pclntab_finish(struct gpm_goimage *img)
{
	struct gpm_pclntab *tab = img->pclntab;
	uint64_t gofunc = 0;
	if (img->has_moduledata) {
		gpm_pclntab_set_text(tab, img->moduledata.text);
		gofunc = img->moduledata.gofunc;
	} else {
		uint64_t ht = gpm_pclntab_header_text(tab);
		if (ht) {
			gpm_pclntab_set_text(tab, ht + img->bias);
		} else if (img->facts.funcdata_gofunc) {
			const struct gpm_exe_section *t = gpm_exe_section(img->exe, ".text");
			if (t) {
				gpm_pclntab_set_text(tab, t->addr + img->bias);
				gpm_gort_warn(img, "text start taken from the .text section");
			} else {
				gpm_gort_warn(img, "text start unknown: pcs will not resolve");
			}
		}
		if (!gpm_goimage_symbol(img, "go:func.*", &gofunc, NULL))
			gpm_goimage_symbol(img, "go.func.*", &gofunc, NULL);
		if (!gofunc && img->facts.funcdata_gofunc)
			gpm_gort_warn(img, "gofunc unknown: inlined frames are not expanded");
	}
	gpm_pclntab_set_reader(tab, gofunc, img_read_cb, img);
}

struct gpm_error *gpm_goimage_open(struct gpm_exe *exe, struct gpm_memory *mem, uint64_t bias,
                                   struct gpm_goimage **out)
{
	struct gpm_goimage *img = calloc(1, sizeof(*img));
	struct priv *p = calloc(1, sizeof(*p));
	if (!img || !p) {
		free(img);
		free(p);
		return &gpm_error_nomem;
	}
	img->priv = p;
	img->exe = exe;
	img->mem = mem;
	img->bias = bias;
	img->ptr_size = gpm_exe_ptr_size(exe);
	if (img->ptr_size != 4 && img->ptr_size != 8)
		img->ptr_size = 8;
	pclntab_find(img);
	buildinfo_find(img);
	if (!img->pclntab && old_pclntab(img)) {
		// A Go program all the same: say which release, and that it is too old.
		version_find(img);
		struct gpm_error *err = gpm_error_create(
		    GPM_ERR_UNSUPPORTED,
		    "%s: %s%s uses the pclntab of Go 1.2-1.15 (magic 0xfffffffb); gopm reads Go "
		    "1.16 and later: unsupported",
		    gpm_exe_path(exe), img->go_version[0] ? "Go " : "a Go 1.2-1.15 program",
		    img->go_version[0] ? img->go_version + 2 : "");
		gpm_goimage_destroy(img);
		return err;
	}
	if (!img->pclntab) {
		struct gpm_error *err = gpm_error_create(
		    GPM_ERR_UNSUPPORTED,
		    img->has_buildinfo ? "%s: Go program without a readable pclntab"
		                       : "%s is not a Go program (no pclntab or build info)",
		    gpm_exe_path(exe));
		gpm_goimage_destroy(img);
		return err;
	}
	img->ptr_size = gpm_pclntab_ptr_size(img->pclntab);
	version_find(img);
	moduledata_find(img);
	facts_find(img);
	pclntab_finish(img);
	img->has_dwarf = gpm_exe_dwarf(exe) != NULL;
	*out = img;
	return NULL;
}

struct gpm_error *gpm_gort_image_fake(struct gpm_exe *exe, const struct gpm_moduledata *md,
                                      const char *go_version, struct gpm_goimage **out)
{
	struct gpm_goimage *img = calloc(1, sizeof(*img));
	struct priv *p = calloc(1, sizeof(*p));
	if (!img || !p) {
		free(img);
		free(p);
		return &gpm_error_nomem;
	}
	img->priv = p;
	img->exe = exe;
	img->ptr_size = 8;
	img->has_moduledata = true;
	img->moduledata = *md;
	snprintf(img->go_version, sizeof(img->go_version), "%s", go_version);
	if (gpm_go_version_parse(go_version, &img->version))
		gpm_go_facts_from_version(&img->version, &img->facts);
	else
		gpm_go_facts_probe(img, &img->facts);
	*out = img;
	return NULL;
}

void gpm_layout_destroy(struct gpm_layout *layout)
{
	if (!layout)
		return;
	for (size_t i = 0; i < layout->nfields; i++) {
		free((char *)layout->fields[i].name);
		free((char *)layout->fields[i].type_name);
		gpm_layout_destroy((struct gpm_layout *)layout->fields[i].type);
	}
	free(layout->fields);
	free((char *)layout->name);
	free(layout);
}

void gpm_goimage_destroy(struct gpm_goimage *img)
{
	if (!img)
		return;
	struct priv *p = P(img);
	for (size_t i = 0; i < p->warnings.len; i++)
		free(p->warnings.v[i]);
	gpm_vec_free(&p->warnings);
	for (size_t i = 0; i < p->layouts.len; i++)
		gpm_layout_destroy(p->layouts.v[i]);
	gpm_vec_free(&p->layouts);
	for (size_t i = 0; i < p->nwr; i++)
		free(p->wr[i]);
	free(p->wr);
	gpm_gort_types_release(img);
	free(p);
	gpm_pclntab_destroy(img->pclntab);
	gpm_buildinfo_deinit(&img->buildinfo);
	free(img);
}

/* ---- layouts ---- */

struct gpm_error *gpm_goimage_layout_from(struct gpm_goimage *img, const char *name,
                                          enum gpm_layout_source source, struct gpm_layout **out)
{
	if (source == GPM_LAYOUT_DWARF)
		return gpm_gort_dwarf_layout(img, name, out);
	return gpm_gort_types_layout(img, name, out);
}

struct gpm_error *gpm_goimage_layout(struct gpm_goimage *img, const char *name,
                                     const struct gpm_layout **out)
{
	struct priv *p = P(img);
	for (size_t i = 0; i < p->layouts.len; i++) {
		if (strcmp(p->layouts.v[i]->name, name) == 0) {
			*out = p->layouts.v[i];
			return NULL;
		}
	}
	struct gpm_layout *l = NULL;
	struct gpm_error *err = NULL;
	if (img->has_dwarf) {
		err = gpm_gort_dwarf_layout(img, name, &l);
		if (err) {
			gpm_error_destroy(err);
			l = NULL;
		}
	}
	if (!l) {
		err = gpm_gort_types_layout(img, name, &l);
		if (err)
			return err;
	}
	struct gpm_layout **slot = gpm_vec_push(&p->layouts);
	if (!slot) {
		gpm_layout_destroy(l);
		return &gpm_error_nomem;
	}
	*slot = l;
	*out = l;
	return NULL;
}

const struct gpm_layout_field *gpm_layout_field(const struct gpm_layout *layout, const char *path,
                                                uint64_t *offset)
{
	uint64_t off = 0;
	const struct gpm_layout *cur = layout;
	const char *p = path;
	for (unsigned depth = 0; cur && depth < GPM_LAYOUT_MAX_DEPTH; depth++) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		const struct gpm_layout_field *f = NULL;
		for (size_t i = 0; i < cur->nfields; i++) {
			if (strlen(cur->fields[i].name) == n &&
			    memcmp(cur->fields[i].name, p, n) == 0) {
				f = &cur->fields[i];
				break;
			}
		}
		if (!f)
			return NULL;
		off += f->offset;
		if (!dot) {
			if (offset)
				*offset = off;
			return f;
		}
		cur = f->type;
		p = dot + 1;
	}
	return NULL;
}

uint64_t gpm_layout_offset(const struct gpm_layout *layout, const char *path)
{
	uint64_t off;
	return gpm_layout_field(layout, path, &off) ? off : UINT64_MAX;
}

/* ---- wait reasons ---- */

// runtime/runtime2.go waitReasonStrings: [...]string indexed by waitReason, entry 0 "" and
// entry 1 "GC assist marking" in every version 1.16-1.27; the rest of the order changes
// (1.26 reordered it), so the table is read from the binary. Without symbols: find the
// bytes "GC assist marking", then a string header {ptr, 17} pointing at them whose previous
// header is {_, 0}.
static bool wr_read_table(struct gpm_goimage *img, uint64_t table, size_t max)
{
	struct priv *p = P(img);
	unsigned ps = img->ptr_size;
	char **v = calloc(max, sizeof(*v));
	if (!v)
		return false;
	size_t n = 0;
	for (; n < max; n++) {
		uint64_t sp, sl;
		if (gpm_goimage_word(img, table + n * 2 * ps, &sp) ||
		    gpm_goimage_word(img, table + n * 2 * ps + ps, &sl))
			break;
		if (n > 0 && (sl == 0 || sl > 128))
			break;
		char buf[129];
		struct gpm_error *err =
		    sl ? gpm_goimage_read(img, gpm_gort_ptr(img, sp), buf, (size_t)sl) : NULL;
		if (err) {
			gpm_error_destroy(err);
			break;
		}
		buf[sl] = 0;
		v[n] = strdup(buf);
		if (!v[n])
			break;
	}
	if (n < 2 || !v[1] || strcmp(v[1], "GC assist marking") != 0) {
		for (size_t i = 0; i < n; i++)
			free(v[i]);
		free(v);
		return false;
	}
	p->wr = v;
	p->nwr = n;
	return true;
}

static void wr_find(struct gpm_goimage *img)
{
	struct priv *p = P(img);
	p->wr_done = true;
	uint64_t a, sz;
	if (gpm_goimage_symbol(img, "runtime.waitReasonStrings", &a, &sz)) {
		size_t max = (size_t)(sz / (2 * img->ptr_size));
		if (max > GPM_GOIMAGE_MAX_WAITREASONS)
			max = GPM_GOIMAGE_MAX_WAITREASONS;
		if (wr_read_table(img, a, max))
			return;
	}
	static const char needle[] = "GC assist marking";
	const size_t nl = sizeof(needle) - 1;
	const struct gpm_exe_section *ro = gpm_exe_section(img->exe, ".rodata");
	GPM_VEC(uint64_t) hits = {0};
	size_t fsize;
	const uint8_t *file = gpm_exe_bytes(img->exe, &fsize);
	for (size_t i = 0; i < gpm_exe_segment_count(img->exe); i++) {
		const struct gpm_exe_segment *seg = gpm_exe_segment_at(img->exe, i);
		if (seg->type != PT_LOAD || (seg->flags & PF_X) || seg->offset > fsize ||
		    fsize - seg->offset < seg->filesz)
			continue;
		if (ro && !(ro->addr >= seg->vaddr && ro->addr < seg->vaddr + seg->memsz))
			continue;
		const uint8_t *d = file + seg->offset;
		for (size_t o = 0; o + nl <= seg->filesz && hits.len < 64;) {
			const uint8_t *h = memmem(d + o, (size_t)(seg->filesz - o), needle, nl);
			if (!h)
				break;
			uint64_t *slot = gpm_vec_push(&hits);
			if (slot)
				*slot = seg->vaddr + (uint64_t)(h - d) + img->bias;
			o = (size_t)(h - d) + 1;
		}
	}
	// The table lives in .data (a [...]string of string headers).
	static const char *const secs[] = {".data", ".noptrdata", ".data.rel.ro"};
	unsigned ps = img->ptr_size;
	for (size_t si = 0; si < 3 && hits.len; si++) {
		const struct gpm_exe_section *s = gpm_exe_section(img->exe, secs[si]);
		if (!s)
			continue;
		uint64_t start = s->addr + img->bias;
		uint8_t *buf = malloc(s->size);
		if (!buf)
			break;
		if (gpm_goimage_read(img, start, buf, s->size) == NULL) {
			for (uint64_t o = 2 * ps; o + 2 * ps <= s->size; o += ps) {
				uint64_t ptr = 0, len = 0, plen = 0;
				for (unsigned k = 0; k < ps; k++) {
					ptr |= (uint64_t)buf[o + k] << (8 * k);
					len |= (uint64_t)buf[o + ps + k] << (8 * k);
					plen |= (uint64_t)buf[o - ps + k] << (8 * k);
				}
				ptr = gpm_gort_ptr(img, ptr);
				if (len != nl || plen != 0)
					continue;
				bool match = false;
				for (size_t h = 0; h < hits.len; h++)
					match |= hits.v[h] == ptr;
				if (match && wr_read_table(img, start + o - 2 * ps,
				                           GPM_GOIMAGE_MAX_WAITREASONS)) {
					free(buf);
					gpm_vec_free(&hits);
					return;
				}
			}
		}
		free(buf);
	}
	gpm_vec_free(&hits);
	gpm_gort_warn(img, "wait reason strings not found");
}

const char *gpm_goimage_waitreason(struct gpm_goimage *img, uint64_t index)
{
	struct priv *p = P(img);
	if (!p->wr_done)
		wr_find(img);
	return index < p->nwr ? p->wr[index] : NULL;
}

size_t gpm_goimage_waitreason_count(struct gpm_goimage *img)
{
	struct priv *p = P(img);
	if (!p->wr_done)
		wr_find(img);
	return p->nwr;
}
