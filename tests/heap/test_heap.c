/*
 * The heap reader against the heapfix fixtures (testdata/go/heapfix): cores taken right
 * after the program printed runtime.ReadMemStats (nothing allocated in between), so the
 * runtime's own totals are known exactly; heap dumps and pprof profiles of the same heap.
 * Known contents: 300 main.bigRecord (640-byte class), 5 main.blob (40 KiB large objects),
 * 2000 *main.entry with 100-byte values, one 1 MiB []byte.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/source.h"
#include "check_gopm.h"
#include "elf/exe.h"
#include "gort/image.h"
#include "heap/heap.h"
#include "heap/heapdump.h"
#include "heap/pprof.h"
#include "goroutines/goroutines.h"
#include "model/incident.h"

static const char *const cores[] = {
    "go1.19-heapfix-dwarf",    "go1.19-heapfix-stripped", "go1.21-heapfix-stripped",
    "go1.22-heapfix-dwarf",    "go1.22-heapfix-stripped", "go1.24-heapfix-stripped",
    "go1.26-heapfix-stripped", "go1.27-heapfix-dwarf",    "go1.27-heapfix-stripped",
};
#define NCORES (sizeof(cores) / sizeof(cores[0]))

struct memstats {
	uint64_t heap_alloc, heap_objects, heap_inuse, stack_inuse;
};

/* The "memstats: HeapAlloc N HeapObjects N HeapInuse N StackInuse N ..." line the fixture
 * printed before it crashed. */
static bool read_memstats(const char *dir, struct memstats *m)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/stderr.txt", dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	char line[1024];
	bool ok = false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line,
		           "memstats: HeapAlloc %" SCNu64 " HeapObjects %" SCNu64
		           " HeapInuse %" SCNu64 " StackInuse %" SCNu64,
		           &m->heap_alloc, &m->heap_objects, &m->heap_inuse,
		           &m->stack_inuse) == 4) {
			ok = true;
			break;
		}
	fclose(f);
	return ok;
}

static const struct gpm_heap_type *find_type(const struct gpm_heap *h, const char *name)
{
	for (size_t i = 0; i < h->ntypes; i++)
		if (!strcmp(h->types[i].name, name))
			return &h->types[i];
	return NULL;
}

static const struct gpm_heap_class *class_of_size(const struct gpm_heap *h, uint64_t size)
{
	for (unsigned i = 1; i < h->nclasses; i++)
		if (h->classes[i].elemsize == size)
			return &h->classes[i];
	return NULL;
}

static struct gpm_heap *open_heap(const char *name, struct gpm_process **pp)
{
	char dir[512], exe[512], rel[256];
	snprintf(rel, sizeof(rel), "cores/%s", name);
	snprintf(dir, sizeof(dir), "%s", gpm_test_data(rel));
	// Executables are named like the core: exe/<name without "-heapfix">.
	char ver[16];
	snprintf(ver, sizeof(ver), "%.*s", (int)(strchr(name, '-') - name), name);
	const char *variant = strrchr(name, '-') + 1;
	snprintf(rel, sizeof(rel), "exe/%s-heapfix-%s.zst", ver, variant);
	snprintf(exe, sizeof(exe), "%s", gpm_test_data(rel));
	char core[600];
	snprintf(core, sizeof(core), "%s/core.zst", dir);
	struct gpm_process_options o = {.exe_path = exe};
	struct gpm_process *p;
	struct gpm_error *err = gpm_process_open(core, &o, &p);
	ck_assert_msg(!err, "%s: %s", name, err ? err->message : "");
	struct gpm_heap *h;
	err = gpm_heap_read(p, NULL, &h);
	ck_assert_msg(!err, "%s: %s", name, err ? err->message : "");
	*pp = p;
	return h;
}

START_TEST(heap_totals_equal_the_runtime)
{
	const char *name = cores[_i];
	struct gpm_process *p;
	struct gpm_heap *h = open_heap(name, &p);
	char rel[256], dir[512];
	snprintf(rel, sizeof(rel), "cores/%s", name);
	snprintf(dir, sizeof(dir), "%s", gpm_test_data(rel));
	struct memstats m;
	ck_assert_msg(read_memstats(dir, &m), "%s: no memstats line", name);
	// ReadMemStats flushed every mcache and nothing was allocated after it: exact.
	ck_assert_uint_eq(h->spans_cached, 0);
	ck_assert_msg(h->objects == m.heap_objects, "%s: objects %" PRIu64 " vs %" PRIu64, name,
	              h->objects, m.heap_objects);
	ck_assert_msg(h->bytes == m.heap_alloc, "%s: bytes %" PRIu64 " vs %" PRIu64, name, h->bytes,
	              m.heap_alloc);
	ck_assert_msg(h->inuse_bytes == m.heap_inuse, "%s: inuse %" PRIu64 " vs %" PRIu64, name,
	              h->inuse_bytes, m.heap_inuse);
	// Manual spans are stacks plus GC work buffers.
	ck_assert_msg(h->manual_bytes >= m.stack_inuse, "%s: manual %" PRIu64 " < stacks %" PRIu64,
	              name, h->manual_bytes, m.stack_inuse);
	ck_assert_uint_eq(h->count_mismatch, 0);
	ck_assert_uint_eq(h->spans_bad, 0);
	ck_assert_uint_eq(h->nwarnings, 0);
	// The runtime's accounting in the core agrees too.
	struct gpm_heap_check checks[8];
	size_t nc = gpm_heap_checks(h, checks, 8);
	bool dwarf = strstr(name, "dwarf") != NULL;
	ck_assert_uint_eq(nc, dwarf ? 5 : 1);
	for (size_t i = 0; i < nc; i++)
		ck_assert_msg(checks[i].ok && checks[i].ours == checks[i].runtime,
		              "%s: %s: %" PRIu64 " vs %" PRIu64, name, checks[i].what,
		              checks[i].ours, checks[i].runtime);
	if (dwarf)
		ck_assert_uint_eq(h->rt.in_stacks, m.stack_inuse);
	ck_assert_ptr_nonnull(strstr(h->allspans_how, dwarf ? "symbol" : "scan"));
	gpm_heap_destroy(h);
	gpm_process_destroy(p);
}
END_TEST

START_TEST(heap_known_contents)
{
	const char *name = cores[_i];
	struct gpm_process *p;
	struct gpm_heap *h = open_heap(name, &p);
	// 300 bigRecords (616 bytes) in the 640-byte class; 2000 values of 100 bytes (112).
	const struct gpm_heap_class *c640 = class_of_size(h, 640), *c112 = class_of_size(h, 112);
	ck_assert_ptr_nonnull(c640);
	ck_assert_ptr_nonnull(c112);
	ck_assert_uint_ge(c640->objects, 300); // Go 1.19's runtime has one of its own
	ck_assert_uint_le(c640->objects, 302);
	ck_assert_uint_ge(c112->objects, 2000);
	ck_assert_uint_le(c112->objects, 2050);
	// Large: the 5 blobs (40,016 bytes -> 5 pages) and the 1 MiB buffer.
	ck_assert_uint_ge(h->large_objects, 6);
	ck_assert_uint_ge(h->large_bytes, 5 * 40960 + (1 << 20));
	if (h->headers) {
		const struct gpm_heap_type *br = find_type(h, "main.bigRecord");
		const struct gpm_heap_type *bl = find_type(h, "main.blob");
		const struct gpm_heap_type *sl = find_type(h, "[]*main.bigRecord");
		ck_assert_msg(br && bl && sl, "%s: types missing", name);
		ck_assert_uint_eq(br->count, 300);
		ck_assert_uint_eq(br->bytes, 300 * 640);
		ck_assert_uint_eq(bl->count, 5);
		ck_assert_uint_eq(bl->bytes, 5 * 40960);
		ck_assert_uint_eq(sl->count, 1);
		ck_assert_uint_eq(h->bad_headers, 0);
		ck_assert_uint_ge(h->typed_objects, 306);
	} else {
		ck_assert_uint_eq(h->ntypes, 0);
		ck_assert_ptr_nonnull(strstr(name, "go1.19") ? name : strstr(name, "go1.21"));
	}
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	gpm_heap_format_text(h, 10, &sb);
	ck_assert_ptr_nonnull(strstr(gpm_strbuf_str(&sb), "ok   heap span pages"));
	gpm_strbuf_reset(&sb);
	gpm_heap_format_json(h, 10, &sb);
	ck_assert_ptr_nonnull(strstr(gpm_strbuf_str(&sb), "\"within_1_percent\": true"));
	gpm_strbuf_deinit(&sb);
	gpm_heap_destroy(h);
	gpm_process_destroy(p);
}
END_TEST

/* Every other fixture core (crashes and hangs with busy mcaches): the reconciliation holds
 * with the cached-span correction. */
/* The heap with retention, the goroutines' frames as roots. */
static struct gpm_heap *retention_of(struct gpm_process *p, const char *name)
{
	struct gpm_incident *inc;
	struct gpm_error *err = gpm_goroutines_read(p, NULL, &inc);
	ck_assert_msg(!err, "%s: %s", name, err ? err->message : "");
	struct gpm_heap_options o = {.retention = true, .goroutines = inc};
	struct gpm_heap *h;
	err = gpm_heap_read(p, &o, &h);
	ck_assert_msg(!err, "%s: %s", name, err ? err->message : "");
	gpm_incident_destroy(inc);
	ck_assert_msg(h->ret.done, "%s: %s", name, h->ret.skipped ? h->ret.skipped : "");
	ck_assert_msg(h->ret.dominators, "%s: %s", name,
	              h->ret.dominators_skipped ? h->ret.dominators_skipped : "");
	ck_assert_uint_eq(h->ret.reachable_objects + h->ret.unreachable_objects, h->objects);
	ck_assert_uint_eq(h->ret.reachable_bytes + h->ret.unreachable_bytes, h->bytes);
	return h;
}

static const struct gpm_heap_root *root_retaining(const struct gpm_heap *h, uint64_t objects,
                                                  uint64_t bytes)
{
	for (size_t i = 0; i < h->ret.nroots; i++)
		if (h->ret.roots[i].retained_objects == objects &&
		    h->ret.roots[i].retained_bytes == bytes)
			return &h->ret.roots[i];
	return NULL;
}

/*
 * What keeps the heapfix heap alive, known from its source: main.buf alone holds the
 * 1 MiB buffer; main.records holds its backing array (2,400 bytes -> class 2688) and the
 * 295 records no blob points to (640 bytes each); main.blobs its backing array (48) and
 * the 5 blobs (40,016 bytes -> 40,960-byte spans). Entries are shared by the map, the
 * records and the blobs' list, so no single root retains them. The core was taken right
 * after runtime.GC(): everything allocated is reachable.
 */
START_TEST(heap_retention_known_roots)
{
	const char *name = cores[_i];
	struct gpm_process *p;
	struct gpm_heap *h0 = open_heap(name, &p);
	gpm_heap_destroy(h0);
	struct gpm_heap *h = retention_of(p, name);
	bool dwarf = strstr(name, "dwarf") != NULL;
	// Go 1.22+ heaps record where pointers are: nothing is scanned word by word there.
	if (h->headers)
		ck_assert_msg(h->ret.objects_conservative == 0, "%s: %" PRIu64 " objects by words",
		              name, h->ret.objects_conservative);
	ck_assert_msg(h->ret.unreachable_objects <= 2, "%s: %" PRIu64 " unreachable", name,
	              h->ret.unreachable_objects);
	ck_assert_uint_gt(h->ret.frames_precise, 0);
	ck_assert_uint_gt(h->ret.global_roots, 10);
	const struct gpm_heap_root *buf = root_retaining(h, 1, 1 << 20);
	ck_assert_msg(buf != NULL, "%s: no root retains the 1 MiB buffer alone", name);
	ck_assert_int_eq(buf->kind, GPM_HEAP_ROOT_GLOBAL);
	ck_assert_str_eq(buf->name, dwarf ? "main.buf" : buf->name);
	if (!dwarf)
		ck_assert_ptr_nonnull(strstr(buf->name, "(.bss)"));
	// The stripped 1.19/1.21 heaps are scanned word by word: a stray word can hold a
	// record or a blob too. From 1.22 the figures are exact.
	if (h->headers) {
		const struct gpm_heap_root *rec = root_retaining(h, 296, 295 * 640 + 2688);
		const struct gpm_heap_root *blobs = root_retaining(h, 6, 5 * 40960 + 48);
		ck_assert_msg(rec && blobs, "%s: records %p blobs %p", name, (void *)rec,
		              (void *)blobs);
		if (dwarf) {
			ck_assert_str_eq(rec->name, "main.records");
			ck_assert_str_eq(blobs->name, "main.blobs");
		}
		const struct gpm_heap_type *br = find_type(h, "main.bigRecord");
		ck_assert_ptr_nonnull(br);
		ck_assert_uint_eq(br->reachable, 300);
		ck_assert_uint_eq(br->retained_bytes, 300 * 640); // each record holds only itself
		// The 2,000 entries (56 bytes -> class 64) have no header: typed by following
		// the records' and blobs' *entry fields and the map's buckets / groups. Each
		// retains itself and its 100-byte value (class 112), typed by the []byte field.
		const struct gpm_heap_type *en = find_type(h, "main.entry");
		ck_assert_msg(en != NULL, "%s: main.entry not typed", name);
		ck_assert_uint_eq(en->count, 2000);
		ck_assert_uint_eq(en->bytes, 2000 * 64);
		ck_assert_uint_eq(en->retained_bytes, 2000 * (64 + 112));
		ck_assert_uint_ge(h->inferred_objects, 4000);
		// A shortest path: the global, the slice's backing array, a record.
		bool found = false;
		for (size_t i = 0; i < h->ret.npaths; i++) {
			const struct gpm_heap_path *pa = &h->ret.paths[i];
			if (strcmp(pa->why, "main.bigRecord"))
				continue;
			found = true;
			ck_assert_uint_eq(pa->nhops, 3);
			ck_assert(pa->hops[0].root);
			ck_assert_str_eq(pa->hops[0].what, rec->name);
			ck_assert_str_eq(pa->hops[1].what, "[]*main.bigRecord");
			ck_assert_uint_eq(pa->hops[0].offset, 0);
			ck_assert_uint_eq(pa->hops[1].offset % 8, 0);
			ck_assert_str_eq(pa->hops[2].what, "main.bigRecord");
		}
		ck_assert_msg(found, "%s: no path to main.bigRecord", name);
	}
	// With DWARF the globals' types start the propagation too, in every version: the
	// known types are counted exactly even in heaps that record none (before 1.22).
	if (dwarf) {
		const char *const known[] = {"main.entry", "main.bigRecord", "main.blob"};
		const uint64_t counts[] = {2000, 300, 5};
		for (size_t i = 0; i < 3; i++) {
			const struct gpm_heap_type *t = find_type(h, known[i]);
			ck_assert_msg(t && t->count == counts[i], "%s: %s: %" PRIu64, name,
			              known[i], t ? t->count : 0);
		}
		ck_assert_uint_gt(h->dwarf_globals, 20);
	} else if (!h->headers) {
		// Stripped, before 1.22: the heap bitmap (two bits a word in Go 1.19, one in
		// 1.21) types objects by shape (src/heap/shape.c), and never with a wrong name:
		// the records, entries and blobs are counted exactly, and the backing arrays of
		// the two slices of pointers (300 *bigRecord in class 2688, 5 *blob in class
		// 48) are typed as arrays by shape, what they point at confirming them.
		const char *const known[] = {"main.entry", "main.bigRecord", "main.blob",
		                             "[]*main.bigRecord", "[]*main.blob"};
		const uint64_t counts[] = {2000, 300, 5, 1, 1};
		for (size_t i = 0; i < 5; i++) {
			const struct gpm_heap_type *t = find_type(h, known[i]);
			ck_assert_msg(t && t->count == counts[i], "%s: %s: %" PRIu64, name,
			              known[i], t ? t->count : 0);
		}
		ck_assert_uint_ge(h->shape_arrays, 2);
	}
	gpm_heap_destroy(h);
	gpm_process_destroy(p);
}
END_TEST

START_TEST(heap_every_fixture_reconciles)
{
	const char *root = gpm_test_data("cores");
	char rootcopy[512];
	snprintf(rootcopy, sizeof(rootcopy), "%s", root);
	DIR *d = opendir(rootcopy);
	ck_assert_ptr_nonnull(d);
	struct dirent *e;
	unsigned n = 0, checks_ok = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || strncmp(e->d_name, "go1.", 4))
			continue;
		char meta[800], exe[600], line[1024], core[800];
		snprintf(meta, sizeof(meta), "%s/%s/meta", rootcopy, e->d_name);
		FILE *f = fopen(meta, "r");
		if (!f)
			continue;
		exe[0] = 0;
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "exe=", 4)) {
				line[strcspn(line, "\n")] = 0;
				snprintf(exe, sizeof(exe), "%s", gpm_test_data(line + 4));
			}
		fclose(f);
		snprintf(core, sizeof(core), "%s/%s/core.zst", rootcopy, e->d_name);
		struct gpm_process_options o = {.exe_path = exe};
		struct gpm_process *p;
		struct gpm_error *err = gpm_process_open(core, &o, &p);
		ck_assert_msg(!err, "%s: %s", e->d_name, err ? err->message : "");
		struct gpm_heap *h = retention_of(p, e->d_name);
		struct gpm_heap_check c[8];
		size_t nc = gpm_heap_checks(h, c, 8);
		ck_assert_msg(nc >= 1, "%s: no runtime counter", e->d_name);
		for (size_t i = 0; i < nc; i++) {
			ck_assert_msg(c[i].ours == c[i].runtime, "%s: %s: %" PRIu64 " vs %" PRIu64,
			              e->d_name, c[i].what, c[i].ours, c[i].runtime);
			checks_ok++;
		}
		ck_assert_uint_eq(h->count_mismatch, 0);
		gpm_heap_destroy(h);
		gpm_process_destroy(p);
		n++;
	}
	closedir(d);
	ck_assert_uint_ge(n, 60);
	ck_assert_uint_ge(checks_ok, n);
}
END_TEST

static struct gpm_source *open_data(const char *rel)
{
	struct gpm_source *src;
	struct gpm_error *err = gpm_source_open(gpm_test_data(rel), &src);
	ck_assert_msg(!err, "%s: %s", rel, err ? err->message : "");
	return src;
}

START_TEST(heapdump_matches_memstats)
{
	static const char *const dumps[] = {"heapdumps/go1.19-heapfix.dump.zst",
	                                    "heapdumps/go1.22-heapfix.dump.zst",
	                                    "heapdumps/go1.27-heapfix.dump.zst"};
	struct gpm_source *src = open_data(dumps[_i]);
	ck_assert(gpm_heapdump_detect(src->data, src->size));
	struct gpm_heapdump *d;
	struct gpm_error *err = gpm_heapdump_parse(src->data, src->size, NULL, &d);
	ck_assert_msg(!err, "%s", err ? err->message : "");
	ck_assert_uint_eq(d->nwarnings, 0);
	ck_assert(d->has_memstats);
	ck_assert_uint_eq(d->ptr_size, 8);
	ck_assert_str_eq(d->arch, "amd64");
	ck_assert_uint_ge(d->goroutines, 1);
	ck_assert_uint_ge(d->frames, d->goroutines);
	if (_i == 0) {
		// Go 1.19 dumps exactly the allocated objects.
		ck_assert_uint_eq(d->objects, d->memstats[GPM_MS_HEAP_OBJECTS]);
		ck_assert_uint_eq(d->object_bytes, d->memstats[GPM_MS_HEAP_ALLOC]);
	} else {
		// 1.22+ adds the slots past nelems of header-less scan spans (see heapdump.c).
		ck_assert_uint_ge(d->objects, d->memstats[GPM_MS_HEAP_OBJECTS]);
		ck_assert_uint_le(d->objects, d->memstats[GPM_MS_HEAP_OBJECTS] * 105 / 100);
	}
	// 300 records of 640 bytes and the 1 MiB buffer, by size.
	bool s640 = false, s1m = false;
	for (size_t i = 0; i < d->nsizes; i++) {
		s640 |=
		    d->sizes[i].size == 640 && d->sizes[i].count >= 300 && d->sizes[i].count <= 302;
		s1m |= d->sizes[i].size == 1 << 20 && d->sizes[i].count == 1;
	}
	ck_assert(s640 && s1m);
	// The memory profile: the 1 MiB allocation site is main.build.
	ck_assert_uint_ge(d->nsites, 1);
	ck_assert_str_eq(d->sites[0].func, "main.build");
	ck_assert_uint_eq(d->sites[0].size, 1 << 20);
	gpm_heapdump_destroy(d);
	gpm_source_destroy(src);
}
END_TEST

START_TEST(heapdump_types_with_the_executable)
{
	struct gpm_source *src = open_data("heapdumps/go1.27-heapfix.dump.zst");
	struct gpm_exe *exe;
	struct gpm_error *err = gpm_exe_open(gpm_test_data("exe/go1.27-heapfix-dwarf.zst"), &exe);
	ck_assert_msg(!err, "%s", err ? err->message : "");
	struct gpm_goimage *img;
	err = gpm_goimage_open(exe, NULL, 0, &img);
	ck_assert_msg(!err, "%s", err ? err->message : "");
	struct gpm_heapdump *d;
	err = gpm_heapdump_parse(src->data, src->size, img, &d);
	ck_assert_msg(!err, "%s", err ? err->message : "");
	bool found = false;
	for (size_t i = 0; i < d->notypes; i++)
		if (!strcmp(d->otypes[i].name, "main.bigRecord")) {
			ck_assert_uint_eq(d->otypes[i].count, 300);
			found = true;
		}
	ck_assert(found);
	gpm_heapdump_destroy(d);
	gpm_goimage_destroy(img);
	gpm_exe_destroy(exe);
	gpm_source_destroy(src);
}
END_TEST

START_TEST(heapdump_bad_inputs)
{
	struct gpm_heapdump *d = NULL;
	struct gpm_error *err = gpm_heapdump_parse("hello", 5, NULL, &d);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, GPM_ERR_FORMAT);
	gpm_error_destroy(err);
	err = gpm_heapdump_parse("go1.5 heap dump\n\x00", 17, NULL, &d);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, GPM_ERR_UNSUPPORTED);
	gpm_error_destroy(err);
	// Truncated at every 997th byte: an error or a result with a warning, never a crash.
	struct gpm_source *src = open_data("heapdumps/go1.22-heapfix.dump.zst");
	for (size_t n = 16; n < src->size; n += 997) {
		err = gpm_heapdump_parse(src->data, n, NULL, &d);
		if (err) {
			gpm_error_destroy(err);
			continue;
		}
		ck_assert_uint_ge(d->nwarnings, 1);
		gpm_heapdump_destroy(d);
	}
	gpm_source_destroy(src);
}
END_TEST

static const struct gpm_pprof_site *find_site(const struct gpm_pprof *p, const char *func,
                                              int64_t line)
{
	for (size_t i = 0; i < p->nsites; i++)
		if (!strcmp(p->sites[i].func, func) && p->sites[i].line == line)
			return &p->sites[i];
	return NULL;
}

START_TEST(pprof_proto_and_text_agree)
{
	static const char *const vers[] = {"go1.19", "go1.22", "go1.27"};
	char rel[128];
	snprintf(rel, sizeof(rel), "pprof/%s-heapfix.pb.gz", vers[_i]);
	struct gpm_source *src = open_data(rel);
	struct gpm_pprof *pb, *txt;
	// The source is already gunzipped; the parser takes the gzip'd bytes too.
	ck_assert(gpm_pprof_detect(src->data, src->size));
	struct gpm_error *err = gpm_pprof_parse(src->data, src->size, &pb);
	ck_assert_msg(!err, "%s", err ? err->message : "");
	gpm_source_destroy(src);
	snprintf(rel, sizeof(rel), "pprof/%s-heapfix.debug1.txt.zst", vers[_i]);
	src = open_data(rel);
	ck_assert(gpm_pprof_detect(src->data, src->size));
	err = gpm_pprof_parse(src->data, src->size, &txt);
	ck_assert_msg(!err, "%s", err ? err->message : "");
	gpm_source_destroy(src);
	ck_assert(txt->text && !pb->text);
	ck_assert(txt->has_memstats);
	// The 1 MiB buffer (heapfix/main.go:86) and the 5 blobs (main.go:82).
	const struct gpm_pprof_site *a = find_site(pb, "main.build", 86);
	const struct gpm_pprof_site *b = find_site(txt, "main.build", 86);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(a->inuse_bytes, 1 << 20);
	ck_assert_int_eq(b->inuse_bytes, 1 << 20);
	a = find_site(pb, "main.build", 82);
	b = find_site(txt, "main.build", 82);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(a->inuse_objects, 5);
	ck_assert_int_eq(b->inuse_objects, 5);
	// Two profiles of the same heap, a moment apart: totals within 1%.
	int64_t d = pb->inuse_bytes - txt->inuse_bytes;
	ck_assert_int_le(d < 0 ? -d : d, txt->inuse_bytes / 100);
	gpm_pprof_destroy(pb);
	gpm_pprof_destroy(txt);
}
END_TEST

/*
 * Totals as pprof computes them: for each testdata/pprof/NAME.expected (written by
 * testdata/gen/make-pprof-fixtures.sh from `go tool pprof -raw`), the profile.proto and the
 * debug=1 text of the same snapshot, taken at the default and at a custom MemProfileRate,
 * must give the sums of pprof's samples exactly: the text's records unsampled as pprof does.
 */
static void check_expected(const char *path, void *arg)
{
	size_t *checked = arg;
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	char line[512], base[512];
	snprintf(base, sizeof(base), "%.*s", (int)(strlen(path) - strlen(".expected")), path);
	size_t forms = 0;
	while (fgets(line, sizeof(line), f)) {
		char form[16];
		unsigned long long n;
		long long ao, as, io, is;
		if (sscanf(
		        line,
		        "%15s samples=%llu alloc_objects=%lld alloc_space=%lld inuse_objects=%lld "
		        "inuse_space=%lld",
		        form, &n, &ao, &as, &io, &is) != 6)
			continue;
		char file[600];
		snprintf(file, sizeof(file), "%s.%s", base,
		         !strcmp(form, "pb") ? "pb.gz" : "debug1.txt.zst");
		struct gpm_source *src;
		struct gpm_error *err = gpm_source_open(file, &src);
		ck_assert_msg(!err, "%s: %s", file, err ? err->message : "");
		struct gpm_pprof *p;
		err = gpm_pprof_parse(src->data, src->size, &p);
		ck_assert_msg(!err, "%s: %s", file, err ? err->message : "");
		fprintf(stderr,
		        "pprof: %s: in use %" PRId64 " objects %" PRId64 " B (pprof %lld %lld), "
		        "allocated %" PRId64 " %" PRId64 " (pprof %lld %lld), rate %" PRId64 "\n",
		        file, p->inuse_objects, p->inuse_bytes, io, is, p->alloc_objects,
		        p->alloc_bytes, ao, as, p->rate);
		ck_assert_uint_eq(p->present, 15);
		ck_assert_int_eq(p->inuse_objects, io);
		ck_assert_int_eq(p->inuse_bytes, is);
		ck_assert_int_eq(p->alloc_objects, ao);
		ck_assert_int_eq(p->alloc_bytes, as);
		ck_assert_msg(p->text == !strcmp(form, "debug1"), "%s: form", file);
		gpm_pprof_destroy(p);
		gpm_source_destroy(src);
		forms++;
	}
	fclose(f);
	ck_assert_msg(forms == 2, "%s: %zu forms, want pb and debug1", path, forms);
	(*checked)++;
}

START_TEST(pprof_totals_equal_pprof)
{
	size_t checked = 0;
	size_t n = gpm_test_each_file("pprof", ".expected", false, check_expected, &checked);
	fprintf(stderr, "pprof: %zu profiles checked against go tool pprof -raw\n", checked * 2);
	// Go 1.19 and 1.27, each at the default and at a custom rate.
	ck_assert_uint_ge(n, 4);
	ck_assert_uint_eq(checked, n);
}
END_TEST

/* A C++ (tcmalloc / gperftools) heap profile is refused as not Go's: it must not read as
 * an empty or a Go profile. */
START_TEST(pprof_cxx_profiles_refused)
{
	static const char *const cxx[] = {
	    "heap profile:    1:   262144 [     1:   262144] @ heapprofile\n"
	    "     1:   262144 [     1:   262144] @ 0x4005d6 0x7f3a2b\n",
	    "heap profile: 3: 3072 [ 10: 10240] @ heap_v2/524288\n"
	    "     3:     3072 [    10:    10240] @ 0x4005d6\n",
	    "heap profile: 3: 3072 [ 10: 10240] @ heapz_v2/524288\n",
	};
	for (size_t i = 0; i < sizeof(cxx) / sizeof(cxx[0]); i++) {
		struct gpm_pprof *p = NULL;
		ck_assert(gpm_pprof_detect(cxx[i], strlen(cxx[i])));
		struct gpm_error *err = gpm_pprof_parse(cxx[i], strlen(cxx[i]), &p);
		ck_assert_ptr_nonnull(err);
		ck_assert_int_eq(err->code, GPM_ERR_UNSUPPORTED);
		ck_assert_ptr_nonnull(strstr(err->message, "C++"));
		gpm_error_destroy(err);
	}
}
END_TEST

/* Absent columns: a debug=1 text whose allocation totals equal the in-use ones has only
 * objects and space (pprof's rule); they print as absent, not as 0. Records are unsampled
 * with half of "heap/N". */
START_TEST(pprof_absent_columns_shown_absent)
{
	static const char text[] = "heap profile: 2: 2048 [2: 2048] @ heap/2048\n"
	                           "2: 2048 [2: 2048] @ 0x401001\n"
	                           "#\t0x401000\tmain.f+0x0\t\tmain.go:3\n";
	struct gpm_pprof *p;
	struct gpm_error *err = gpm_pprof_parse(text, strlen(text), &p);
	ck_assert_msg(!err, "%s", err ? err->message : "");
	ck_assert_int_eq(p->rate, 1024);
	ck_assert_uint_eq(p->present, GPM_PPROF_INUSE_OBJECTS | GPM_PPROF_INUSE_SPACE);
	// 2 objects of 1024 B at rate 1024: 1/(1-e^-1) = 1.58198: 3 objects, 3239 bytes.
	ck_assert_int_eq(p->inuse_objects, 3);
	ck_assert_int_eq(p->inuse_bytes, 3239);
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	gpm_pprof_format_text(p, 10, &sb);
	ck_assert_msg(strstr(gpm_strbuf_str(&sb), "allocated:    not in the profile\n"), "%s",
	              gpm_strbuf_str(&sb));
	ck_assert_msg(strstr(gpm_strbuf_str(&sb), "          -          -  main.f main.go:3\n"),
	              "%s", gpm_strbuf_str(&sb));
	gpm_strbuf_reset(&sb);
	gpm_pprof_format_json(p, 10, &sb);
	ck_assert_msg(strstr(gpm_strbuf_str(&sb), "\"alloc_bytes\": null"), "%s",
	              gpm_strbuf_str(&sb));
	ck_assert_msg(strstr(gpm_strbuf_str(&sb), "\"inuse_bytes\": 3239"), "%s",
	              gpm_strbuf_str(&sb));
	gpm_strbuf_deinit(&sb);
	gpm_pprof_destroy(p);
}
END_TEST

START_TEST(pprof_bad_inputs)
{
	struct gpm_pprof *p;
	static const char *const bad[] = {"heap profile: x", "\x0a\x05\x08", "\x1f\x8b\x08\x00",
	                                  "\x0a\x02\x08\x01"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct gpm_error *err = gpm_pprof_parse(bad[i], strlen(bad[i]), &p);
		ck_assert_ptr_nonnull(err);
		gpm_error_destroy(err);
	}
	ck_assert(!gpm_pprof_detect("\x7f"
	                            "ELF",
	                            4));
}
END_TEST

Suite *heap_suite(void)
{
	Suite *s = suite_create("heap");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, heap_totals_equal_the_runtime, 0, NCORES);
	tcase_add_loop_test(tc, heap_known_contents, 0, NCORES);
	tcase_add_test(tc, heap_every_fixture_reconciles);
	tcase_add_loop_test(tc, heap_retention_known_roots, 0, NCORES);
	suite_add_tcase(s, tc);
	tc = tcase_create("files");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, heapdump_matches_memstats, 0, 3);
	tcase_add_test(tc, heapdump_types_with_the_executable);
	tcase_add_test(tc, heapdump_bad_inputs);
	tcase_add_loop_test(tc, pprof_proto_and_text_agree, 0, 3);
	tcase_add_test(tc, pprof_bad_inputs);
	tcase_add_test(tc, pprof_totals_equal_pprof);
	tcase_add_test(tc, pprof_cxx_profiles_refused);
	tcase_add_test(tc, pprof_absent_columns_shown_absent);
	suite_add_tcase(s, tc);
	return s;
}
