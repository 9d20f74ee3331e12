/*
 * runtime/debug.WriteHeapDump reader (see heapdump.h). Record layouts from
 * runtime/heapdump.go (Go 1.19 and 1.27 write the same records):
 *
 *   1 object      addr, contents (len, bytes), fields
 *   2 other root  description (string), addr
 *   3 type        addr, size, name (string), indirect (bool)
 *   4 goroutine   g, sp, goid, gopc, status, system, background, waitsince, waitreason
 *                 (string), ctxt, m, defer, panic
 *   5 stack frame sp, depth, child sp, contents, entry, pc, continpc, name, fields
 *   6 params      big-endian (bool), ptr size, arena start, arena end, arch, version, ncpu
 *   7 finalizer   obj, fn, fn.fn, fint, ot         11 queued finalizer: the same
 *   8 itab        itab, type
 *   9 OS thread   m, id, procid
 *  10 memstats    24 MemStats fields (Alloc .. PauseTotalNs), PauseNs[256], NumGC
 *  12 data, 13 bss: addr, contents, fields
 *  14 defer       d, g, sp, pc, fn, fn.fn, link    15 panic: p, g, type, data, 0, link
 *  16 memprof     bucket, size, nstk, nstk x (func, file, line), allocs, frees
 *  17 alloc sample obj, bucket                      0 EOF
 *
 * "fields" is a list of (kind, offset) ending with kind 0 (fieldKindEol).
 */
#include "heap/heapdump.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "base/json.h"
#include "goroutines/objects.h"
#include "gort/image.h"

static const char magic[] = "go1.7 heap dump\n";
#define MAGIC_LEN 16

bool gpm_heapdump_detect(const void *data, size_t size)
{
	return size >= MAGIC_LEN && !memcmp(data, magic, MAGIC_LEN);
}

struct pctx {
	struct gpm_cursor c;
	struct gpm_heapdump *d;
	struct gpm_goimage *img;
	size_t sizes_cap, types_cap, sites_cap;
	bool sizes_capped, types_capped, sites_capped;
};

static void warn(struct gpm_heapdump *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void warn(struct gpm_heapdump *d, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (d->nwarnings >= 32)
		return;
	char **n = realloc(d->warnings, (d->nwarnings + 1) * sizeof(*n));
	if (!n)
		return;
	d->warnings = n;
	char *s = gpm_safe_strndup(buf, strlen(buf));
	if (s)
		d->warnings[d->nwarnings++] = s;
}

static bool uv(struct pctx *p, uint64_t *v)
{
	return gpm_cursor_uvarint(&p->c, v);
}

static bool skip_ints(struct pctx *p, unsigned n)
{
	uint64_t v;
	for (unsigned i = 0; i < n; i++)
		if (!uv(p, &v))
			return false;
	return true;
}

/* A length-prefixed byte string, borrowed. */
static bool bytes(struct pctx *p, const uint8_t **s, uint64_t *n)
{
	size_t save = p->c.pos;
	if (!uv(p, n) || *n > gpm_cursor_left(&p->c) || !gpm_cursor_bytes(&p->c, (size_t)*n, s)) {
		p->c.pos = save;
		return false;
	}
	return true;
}

static bool fields(struct pctx *p, uint64_t *npointers)
{
	// Each field takes at least two bytes, so the loop ends within the input.
	for (;;) {
		uint64_t kind, off;
		if (!uv(p, &kind))
			return false;
		if (kind == 0)
			return true;
		if (!uv(p, &off))
			return false;
		if (npointers)
			(*npointers)++;
	}
}

static void copy_safe(char *dst, size_t cap, const uint8_t *s, uint64_t n)
{
	char *safe = gpm_safe_strndup((const char *)s, n > 1024 ? 1024 : (size_t)n);
	snprintf(dst, cap, "%s", safe ? safe : "");
	free(safe);
}

static void add_size(struct pctx *p, uint64_t size)
{
	struct gpm_heapdump *d = p->d;
	// Sizes repeat in runs (the dump walks span by span): check the last one first.
	if (d->nsizes && d->sizes[d->nsizes - 1].size == size) {
		d->sizes[d->nsizes - 1].count++;
		return;
	}
	for (size_t i = 0; i < d->nsizes; i++)
		if (d->sizes[i].size == size) {
			d->sizes[i].count++;
			return;
		}
	if (d->nsizes >= GPM_HEAPDUMP_MAX_SIZES) {
		if (!p->sizes_capped)
			warn(d, "more than %d distinct object sizes: the rest not counted by size",
			     GPM_HEAPDUMP_MAX_SIZES);
		p->sizes_capped = true;
		return;
	}
	if (d->nsizes == p->sizes_cap) {
		size_t ncap = p->sizes_cap ? p->sizes_cap * 2 : 64;
		void *n = realloc(d->sizes, ncap * sizeof(*d->sizes));
		if (!n)
			return;
		d->sizes = n;
		p->sizes_cap = ncap;
	}
	d->sizes[d->nsizes++] = (struct gpm_heapdump_size){size, 1};
}

/* Types of objects over 512 bytes whose first word is a type descriptor of img. */
static void add_typed(struct pctx *p, const uint8_t *obj, uint64_t size)
{
	struct gpm_heapdump *d = p->d;
	if (!p->img || !p->img->has_moduledata || size <= 512 || d->ptr_size != 8)
		return;
	uint64_t t = 0;
	for (int i = 7; i >= 0; i--)
		t = t << 8 | obj[i];
	if (t < p->img->moduledata.types || t >= p->img->moduledata.etypes || t % 8)
		return;
	// An array of T (a slice's backing store) has T's header: "[]T" when two fit.
	uint64_t tsize = 0;
	struct gpm_error *err = gpm_goimage_word(p->img, t, &tsize);
	gpm_error_destroy(err);
	bool array = !err && tsize && tsize * 2 <= size - 8;
	uint64_t key = t | array;
	for (size_t i = 0; i < d->notypes; i++)
		if (d->otypes[i].type == key) {
			d->otypes[i].count++;
			d->otypes[i].bytes += size;
			d->typed_objects++;
			d->typed_bytes += size;
			return;
		}
	if (d->notypes >= GPM_HEAPDUMP_MAX_TYPES) {
		p->types_capped = true;
		return;
	}
	char name[512];
	if (!gpm_objects_type_name(p->img, t, name + 2, sizeof(name) - 2, NULL))
		return;
	if (array) {
		name[0] = '[';
		name[1] = ']';
	}
	if (d->notypes == p->types_cap) {
		size_t ncap = p->types_cap ? p->types_cap * 2 : 64;
		void *n = realloc(d->otypes, ncap * sizeof(*d->otypes));
		if (!n)
			return;
		d->otypes = n;
		p->types_cap = ncap;
	}
	const char *nm = array ? name : name + 2;
	char *s = gpm_safe_strndup(nm, strlen(nm));
	if (!s)
		return;
	d->otypes[d->notypes++] = (struct gpm_heapdump_type){s, key, 1, size};
	d->typed_objects++;
	d->typed_bytes += size;
}

static bool memprof(struct pctx *p)
{
	struct gpm_heapdump *d = p->d;
	uint64_t bucket, size, nstk;
	if (!uv(p, &bucket) || !uv(p, &size) || !uv(p, &nstk))
		return false;
	const uint8_t *fn = NULL, *file = NULL;
	uint64_t fnlen = 0, filelen = 0, line = 0;
	bool fn_rt = false;
	for (uint64_t i = 0; i < nstk; i++) {
		const uint8_t *f, *fl;
		uint64_t n1, n2, ln;
		// Each frame takes at least 3 bytes: the loop ends within the input.
		if (!bytes(p, &f, &n1) || !bytes(p, &fl, &n2) || !uv(p, &ln))
			return false;
		// The site is the innermost frame outside the runtime (Go 1.27 records
		// runtime.mallocgc itself).
		bool rt = n1 >= 8 && !memcmp(f, "runtime.", 8);
		if (!fn || (fn_rt && !rt)) {
			fn = f, fnlen = n1, file = fl, filelen = n2, line = ln;
			fn_rt = rt;
		}
	}
	uint64_t allocs, frees;
	if (!uv(p, &allocs) || !uv(p, &frees))
		return false;
	if (d->nsites >= GPM_HEAPDUMP_MAX_SITES) {
		p->sites_capped = true;
		return true;
	}
	if (d->nsites == p->sites_cap) {
		size_t ncap = p->sites_cap ? p->sites_cap * 2 : 64;
		void *n = realloc(d->sites, ncap * sizeof(*d->sites));
		if (!n)
			return true;
		d->sites = n;
		p->sites_cap = ncap;
	}
	struct gpm_heapdump_site *s = &d->sites[d->nsites];
	s->func = gpm_safe_strndup(fn ? (const char *)fn : "?", fn ? (size_t)fnlen : 1);
	s->file = gpm_safe_strndup(file ? (const char *)file : "", file ? (size_t)filelen : 0);
	if (!s->func || !s->file) {
		free(s->func);
		free(s->file);
		return true;
	}
	s->line = line;
	s->size = size;
	s->allocs = allocs;
	s->frees = frees;
	d->nsites++;
	return true;
}

static bool record(struct pctx *p, uint64_t tag, bool *eof)
{
	struct gpm_heapdump *d = p->d;
	const uint8_t *s;
	uint64_t n, v, a;
	switch (tag) {
	case 0:
		*eof = true;
		return true;
	case 1: // object
		if (!uv(p, &a) || !bytes(p, &s, &n) || !fields(p, &d->pointer_fields))
			return false;
		d->objects++;
		d->object_bytes += n;
		add_size(p, n);
		add_typed(p, s, n);
		return true;
	case 2:
		d->other_roots++;
		return bytes(p, &s, &n) && uv(p, &v);
	case 3:
		d->types++;
		return uv(p, &a) && uv(p, &v) && bytes(p, &s, &n) && uv(p, &v);
	case 4:
		d->goroutines++;
		return skip_ints(p, 8) && bytes(p, &s, &n) && skip_ints(p, 4);
	case 5:
		d->frames++;
		return skip_ints(p, 3) && bytes(p, &s, &n) && skip_ints(p, 3) && bytes(p, &s, &n) &&
		       fields(p, NULL);
	case 6: {
		uint64_t be;
		if (!uv(p, &be) || !uv(p, &d->ptr_size) || !uv(p, &d->arena_start) ||
		    !uv(p, &d->arena_end) || !bytes(p, &s, &n))
			return false;
		d->big_endian = be != 0;
		copy_safe(d->arch, sizeof(d->arch), s, n);
		if (!bytes(p, &s, &n))
			return false;
		copy_safe(d->go_version, sizeof(d->go_version), s, n);
		return uv(p, &d->ncpu);
	}
	case 7:
	case 11:
		d->finalizers++;
		return skip_ints(p, 5);
	case 8:
		d->itabs++;
		return skip_ints(p, 2);
	case 9:
		d->threads++;
		return skip_ints(p, 3);
	case 10:
		for (unsigned i = 0; i < 24; i++)
			if (!uv(p, &d->memstats[i]))
				return false;
		if (!skip_ints(p, 256) || !uv(p, &d->numgc))
			return false;
		d->has_memstats = true;
		return true;
	case 12:
	case 13: {
		uint64_t np = 0;
		if (!uv(p, &a) || !bytes(p, &s, &n) || !fields(p, &np))
			return false;
		if (tag == 12) {
			d->data_bytes += n;
			d->data_pointers += np;
		} else {
			d->bss_bytes += n;
			d->bss_pointers += np;
		}
		return true;
	}
	case 14:
		d->defers++;
		return skip_ints(p, 7);
	case 15:
		d->panics++;
		return skip_ints(p, 6);
	case 16:
		return memprof(p);
	case 17:
		d->alloc_samples++;
		return skip_ints(p, 2);
	}
	return false;
}

static int size_cmp(const void *a, const void *b)
{
	const struct gpm_heapdump_size *x = a, *y = b;
	uint64_t bx = x->size * x->count, by = y->size * y->count;
	if (bx != by)
		return bx < by ? 1 : -1;
	return x->size < y->size ? -1 : x->size > y->size;
}

static int type_cmp(const void *a, const void *b)
{
	const struct gpm_heapdump_type *x = a, *y = b;
	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int site_cmp(const void *a, const void *b)
{
	const struct gpm_heapdump_site *x = a, *y = b;
	uint64_t ix = x->allocs >= x->frees ? (x->allocs - x->frees) * x->size : 0;
	uint64_t iy = y->allocs >= y->frees ? (y->allocs - y->frees) * y->size : 0;
	if (ix != iy)
		return ix < iy ? 1 : -1;
	return strcmp(x->func, y->func);
}

struct gpm_error *gpm_heapdump_parse(const void *data, size_t size, struct gpm_goimage *img,
                                     struct gpm_heapdump **out)
{
	if (size >= 8 && !memcmp(data, "go1.", 4) && !gpm_heapdump_detect(data, size)) {
		const char *nl = memchr(data, '\n', size < 64 ? size : 64);
		char *v = gpm_safe_strndup(data, nl ? (size_t)(nl - (const char *)data) : 16);
		struct gpm_error *e = gpm_error_create(
		    GPM_ERR_UNSUPPORTED, "heap dump format '%s' is not the go1.7 format gopm reads",
		    v ? v : "?");
		free(v);
		return e;
	}
	if (!gpm_heapdump_detect(data, size))
		return gpm_error_create(GPM_ERR_FORMAT,
		                        "not a Go heap dump (no \"go1.7 heap dump\" header)");
	struct gpm_heapdump *d = calloc(1, sizeof(*d));
	if (!d)
		return &gpm_error_nomem;
	struct pctx p = {.d = d, .img = img};
	gpm_cursor_init(&p.c, data, size);
	gpm_cursor_skip(&p.c, MAGIC_LEN);
	bool eof = false;
	uint64_t nrec = 0;
	while (!eof) {
		size_t at = p.c.pos;
		uint64_t tag;
		if (gpm_cursor_left(&p.c) == 0) {
			warn(d, "truncated: no EOF record after %" PRIu64 " records", nrec);
			break;
		}
		if (nrec++ >= GPM_HEAPDUMP_MAX_RECORDS) {
			warn(d, "more than %" PRIu64 " records: stopped", GPM_HEAPDUMP_MAX_RECORDS);
			break;
		}
		if (!uv(&p, &tag) || !record(&p, tag, &eof)) {
			if (!d->objects) {
				gpm_heapdump_destroy(d);
				return gpm_error_create(GPM_ERR_FORMAT,
				                        "heap dump: bad record (tag %" PRIu64
				                        ") at offset %zu",
				                        tag, at);
			}
			warn(d, "bad or truncated record at offset %zu: the rest is ignored", at);
			break;
		}
	}
	if (eof && gpm_cursor_left(&p.c))
		warn(d, "%zu bytes after the EOF record", gpm_cursor_left(&p.c));
	if (p.sites_capped)
		warn(d, "more than %d profile buckets: the rest ignored", GPM_HEAPDUMP_MAX_SITES);
	if (p.types_capped)
		warn(d, "more than %d types: the rest untyped", GPM_HEAPDUMP_MAX_TYPES);
	if (d->nsizes)
		qsort(d->sizes, d->nsizes, sizeof(*d->sizes), size_cmp);
	if (d->notypes)
		qsort(d->otypes, d->notypes, sizeof(*d->otypes), type_cmp);
	if (d->nsites)
		qsort(d->sites, d->nsites, sizeof(*d->sites), site_cmp);
	*out = d;
	return NULL;
}

void gpm_heapdump_destroy(struct gpm_heapdump *d)
{
	if (!d)
		return;
	free(d->sizes);
	for (size_t i = 0; i < d->notypes; i++)
		free(d->otypes[i].name);
	free(d->otypes);
	for (size_t i = 0; i < d->nsites; i++) {
		free(d->sites[i].func);
		free(d->sites[i].file);
	}
	free(d->sites);
	for (size_t i = 0; i < d->nwarnings; i++)
		free(d->warnings[i]);
	free(d->warnings);
	free(d);
}

/* ---- report ---- */

static uint64_t inuse(const struct gpm_heapdump_site *s)
{
	return s->allocs >= s->frees ? (s->allocs - s->frees) * s->size : 0;
}

void gpm_heapdump_format_text(const struct gpm_heapdump *d, size_t top, struct gpm_strbuf *sb)
{
	gpm_strbuf_printf(sb, "heap dump:   %s %s, %" PRIu64 "-byte pointers, %" PRIu64 " CPUs\n",
	                  d->go_version[0] ? d->go_version : "?", d->arch, d->ptr_size, d->ncpu);
	gpm_strbuf_printf(
	    sb, "objects:     %" PRIu64 " (%" PRIu64 " bytes, %" PRIu64 " pointer fields)\n",
	    d->objects, d->object_bytes, d->pointer_fields);
	gpm_strbuf_printf(sb,
	                  "roots:       data %" PRIu64 " bytes (%" PRIu64 " pointers), bss %" PRIu64
	                  " bytes (%" PRIu64 " pointers), %" PRIu64 " other, %" PRIu64
	                  " finalizers\n",
	                  d->data_bytes, d->data_pointers, d->bss_bytes, d->bss_pointers,
	                  d->other_roots, d->finalizers);
	gpm_strbuf_printf(sb,
	                  "goroutines:  %" PRIu64 " (%" PRIu64 " frames, %" PRIu64
	                  " defers, %" PRIu64 " panics), %" PRIu64 " threads\n",
	                  d->goroutines, d->frames, d->defers, d->panics, d->threads);
	if (d->has_memstats) {
		const uint64_t *m = d->memstats;
		gpm_strbuf_printf(sb,
		                  "memstats:    HeapAlloc %" PRIu64 ", HeapObjects %" PRIu64
		                  ", HeapInuse %" PRIu64 ", StackInuse %" PRIu64 ", Sys %" PRIu64
		                  "\n",
		                  m[GPM_MS_HEAP_ALLOC], m[GPM_MS_HEAP_OBJECTS],
		                  m[GPM_MS_HEAP_INUSE], m[GPM_MS_STACK_INUSE], m[GPM_MS_SYS]);
		bool ok =
		    d->objects == m[GPM_MS_HEAP_OBJECTS] && d->object_bytes == m[GPM_MS_HEAP_ALLOC];
		gpm_strbuf_printf(sb,
		                  "             %s: %" PRIu64 " objects and %" PRIu64
		                  " bytes dumped vs the runtime's HeapObjects/HeapAlloc\n",
		                  ok ? "equal" : "differ", d->objects, d->object_bytes);
		if (!ok && d->objects > m[GPM_MS_HEAP_OBJECTS])
			gpm_strbuf_puts(
			    sb, "             (Go 1.22+ dumpobjs also writes the slots past "
			        "mspan.nelems of spans that keep\n"
			        "             their pointer bits at the end, which are not "
			        "objects)\n");
	}
	if (d->notypes) {
		gpm_strbuf_printf(sb,
		                  "\ntypes from allocation headers (%" PRIu64 " objects, %" PRIu64
		                  " bytes):\n  %14s %10s  %s\n",
		                  d->typed_objects, d->typed_bytes, "bytes", "count", "type");
		for (size_t i = 0; i < d->notypes && i < top; i++)
			gpm_strbuf_printf(sb, "  %14" PRIu64 " %10" PRIu64 "  %s\n",
			                  d->otypes[i].bytes, d->otypes[i].count,
			                  d->otypes[i].name);
	}
	gpm_strbuf_printf(sb, "\nobjects by size:\n  %10s %10s %14s\n", "size", "count", "bytes");
	for (size_t i = 0; i < d->nsizes && i < top; i++)
		gpm_strbuf_printf(sb, "  %10" PRIu64 " %10" PRIu64 " %14" PRIu64 "\n",
		                  d->sizes[i].size, d->sizes[i].count,
		                  d->sizes[i].size * d->sizes[i].count);
	if (d->nsites) {
		gpm_strbuf_printf(sb,
		                  "\nallocation sites (memory profile, in use):\n  %14s %10s  %s\n",
		                  "bytes", "objects", "function");
		for (size_t i = 0; i < d->nsites && i < top; i++) {
			const struct gpm_heapdump_site *s = &d->sites[i];
			if (!inuse(s))
				break;
			gpm_strbuf_printf(sb, "  %14" PRIu64 " %10" PRIu64 "  %s %s:%" PRIu64 "\n",
			                  inuse(s), s->allocs - s->frees, s->func, s->file,
			                  s->line);
		}
	}
	for (size_t i = 0; i < d->nwarnings; i++)
		gpm_strbuf_printf(sb, "warning: %s\n", d->warnings[i]);
}

void gpm_heapdump_format_json(const struct gpm_heapdump *d, size_t top, struct gpm_strbuf *sb)
{
	struct gpm_json j;
	gpm_json_init(&j, sb, true);
	gpm_json_document_begin(&j, "heap");
	gpm_json_kv_string(&j, "source", "heapdump");
	gpm_json_kv_string(&j, "format", "go1.7 heap dump");
	gpm_json_kv_string(&j, "go_version", d->go_version);
	gpm_json_kv_string(&j, "arch", d->arch);
	gpm_json_kv_uint(&j, "ptr_size", d->ptr_size);
	gpm_json_kv_uint(&j, "objects", d->objects);
	gpm_json_kv_uint(&j, "object_bytes", d->object_bytes);
	gpm_json_kv_uint(&j, "pointer_fields", d->pointer_fields);
	gpm_json_kv_uint(&j, "goroutines", d->goroutines);
	gpm_json_kv_uint(&j, "frames", d->frames);
	gpm_json_kv_uint(&j, "threads", d->threads);
	gpm_json_kv_uint(&j, "finalizers", d->finalizers);
	gpm_json_kv_uint(&j, "data_bytes", d->data_bytes);
	gpm_json_kv_uint(&j, "bss_bytes", d->bss_bytes);
	if (d->has_memstats) {
		gpm_json_key(&j, "memstats");
		gpm_json_object_begin(&j);
		gpm_json_kv_uint(&j, "HeapAlloc", d->memstats[GPM_MS_HEAP_ALLOC]);
		gpm_json_kv_uint(&j, "HeapObjects", d->memstats[GPM_MS_HEAP_OBJECTS]);
		gpm_json_kv_uint(&j, "HeapInuse", d->memstats[GPM_MS_HEAP_INUSE]);
		gpm_json_kv_uint(&j, "StackInuse", d->memstats[GPM_MS_STACK_INUSE]);
		gpm_json_kv_uint(&j, "Mallocs", d->memstats[GPM_MS_MALLOCS]);
		gpm_json_kv_uint(&j, "Frees", d->memstats[GPM_MS_FREES]);
		gpm_json_kv_uint(&j, "Sys", d->memstats[GPM_MS_SYS]);
		gpm_json_kv_uint(&j, "NumGC", d->numgc);
		gpm_json_object_end(&j);
	}
	gpm_json_key(&j, "types");
	gpm_json_array_begin(&j);
	for (size_t i = 0; i < d->notypes && i < top; i++) {
		gpm_json_object_begin(&j);
		gpm_json_kv_string(&j, "type", d->otypes[i].name);
		gpm_json_kv_uint(&j, "count", d->otypes[i].count);
		gpm_json_kv_uint(&j, "bytes", d->otypes[i].bytes);
		gpm_json_object_end(&j);
	}
	gpm_json_array_end(&j);
	gpm_json_key(&j, "sizes");
	gpm_json_array_begin(&j);
	for (size_t i = 0; i < d->nsizes && i < top; i++) {
		gpm_json_object_begin(&j);
		gpm_json_kv_uint(&j, "size", d->sizes[i].size);
		gpm_json_kv_uint(&j, "count", d->sizes[i].count);
		gpm_json_object_end(&j);
	}
	gpm_json_array_end(&j);
	gpm_json_key(&j, "sites");
	gpm_json_array_begin(&j);
	for (size_t i = 0; i < d->nsites && i < top; i++) {
		const struct gpm_heapdump_site *s = &d->sites[i];
		gpm_json_object_begin(&j);
		gpm_json_kv_string(&j, "function", s->func);
		gpm_json_kv_string(&j, "file", s->file);
		gpm_json_kv_uint(&j, "line", s->line);
		gpm_json_kv_uint(&j, "size", s->size);
		gpm_json_kv_uint(&j, "allocs", s->allocs);
		gpm_json_kv_uint(&j, "frees", s->frees);
		gpm_json_object_end(&j);
	}
	gpm_json_array_end(&j);
	gpm_json_key(&j, "warnings");
	gpm_json_array_begin(&j);
	for (size_t i = 0; i < d->nwarnings; i++)
		gpm_json_string(&j, d->warnings[i]);
	gpm_json_array_end(&j);
	gpm_json_object_end(&j);
	gpm_strbuf_putc(sb, '\n');
}
