/*
 * Tests of the Go image (src/gort) on the committed fixture executables. The strongest
 * oracle is the Go runtime's own traceback in each core fixture's stderr.txt: every printed
 * frame "name(args)\n\tfile:line +0xOFF fp=.. sp=.. pc=0x.." must come back from the pclntab
 * (function at pc, entry + OFF == pc, inline expansion of the trace pc giving exactly the
 * printed logical frames, and fp - sp equal to the sp delta plus the return address).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_gopm.h"
#include "base/source.h"
#include "base/vec.h"
#include "elf/exe.h"
#include "gort/gotype.h"
#include "gort/image.h"

static struct gpm_exe *open_exe(const char *rel)
{
	struct gpm_exe *exe = NULL;
	struct gpm_error *err = gpm_exe_open(gpm_test_data(rel), &exe);
	ck_assert_msg(!err, "%s: %s", rel, err ? err->message : "");
	return exe;
}

/* Names of the .zst files under testdata/exe. */
enum { FIXTURE_EXES_MAX = 256 };

static size_t fixture_exes(char names[][128], size_t max)
{
	DIR *d = opendir(gpm_test_data("exe"));
	size_t n = 0;
	if (!d)
		return 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l > 4 && strcmp(e->d_name + l - 4, ".zst") == 0 && l < 100) {
			// Every fixture is walked: a directory grown past the array fails loudly.
			ck_assert_msg(n < max, "more than %zu fixture executables: raise the bound",
			              max);
			snprintf(names[n++], 128, "exe/%s", e->d_name);
		}
	}
	closedir(d);
	return n;
}

/* One of our own fixture executables (whichever exists). */
static struct gpm_exe *open_some_fixture(void)
{
	char names[FIXTURE_EXES_MAX][128];
	size_t n = fixture_exes(names, FIXTURE_EXES_MAX);
	for (size_t i = 0; i < n; i++) {
		if (strncmp(names[i], "exe/go1.", 8) == 0)
			return open_exe(names[i]);
	}
	ck_abort_msg("no go1.* fixture executable");
	return NULL;
}

/* The closure structs of the deferseed program, found by their name prefix: each found is a
 * struct whose name has the prefix, and the one its deferred closure was allocated with is
 * among them; a prefix nothing has finds nothing. */
START_TEST(test_types_by_prefix)
{
	struct gpm_exe *exe = open_exe("exe/go1.22-deferseed-stripped.zst");
	struct gpm_goimage *img;
	ck_assert(!gpm_goimage_open(exe, NULL, 0, &img));
	uint64_t *found = NULL;
	size_t n = 0;
	ck_assert_ptr_null(gpm_gotype_find_prefix(img, "*struct { F uintptr; ", &found, &n));
	bool payload = false;
	for (size_t i = 0; i < n; i++) {
		char name[256];
		uint8_t kind;
		ck_assert(gpm_gotype_name(img, found[i], name, sizeof(name), &kind));
		ck_assert_msg(!strncmp(name, "struct { F uintptr; ", 20), "%s", name);
		ck_assert_uint_eq(kind, GPM_KIND_STRUCT);
		payload |= !strcmp(name, "struct { F uintptr; X0 *main.Payload }");
	}
	fprintf(stderr, "types by prefix: %zu closure structs\n", n);
	ck_assert_uint_ge(n, 3);
	ck_assert(payload);
	free(found);
	ck_assert_ptr_null(gpm_gotype_find_prefix(img, "*struct { Nope ", &found, &n));
	ck_assert_uint_eq(n, 0);
	free(found);
	gpm_goimage_destroy(img);
	gpm_exe_destroy(exe);
}
END_TEST

START_TEST(test_fixture_images)
{
	char names[FIXTURE_EXES_MAX][128];
	size_t n = fixture_exes(names, FIXTURE_EXES_MAX);
	ck_assert_uint_gt(n, 0);
	for (size_t i = 0; i < n; i++) {
		struct gpm_exe *exe = open_exe(names[i]);
		struct gpm_goimage *img;
		struct gpm_error *err = gpm_goimage_open(exe, NULL, 0, &img);
		ck_assert_msg(!err, "%s: %s", names[i], err ? err->message : "");
		ck_assert_msg(strncmp(img->go_version, "go1.", 4) == 0, "%s: version %s", names[i],
		              img->go_version);
		const char *base = strrchr(names[i], '/') + 1;
		// arm64 fixtures (testdata/gen/make-arm64-fixtures.sh): arm64-go1.22-...
		bool arm64 = strncmp(base, "arm64-", 6) == 0;
		if (arm64)
			base += 6;
		if (strncmp(base, "go1.", 4) == 0) {
			ck_assert_msg(img->has_buildinfo, "%s", names[i]);
			// Our fixtures: named after the Go version (go1.19-..., go1.27-...).
			ck_assert_msg(strncmp(img->go_version, base, strcspn(base, "-")) == 0,
			              "%s: version %s", names[i], img->go_version);
			ck_assert_msg(strncmp(img->buildinfo.path, "gopm.test/fixture", 17) == 0,
			              "%s", img->buildinfo.path);
		}
		if (img->has_buildinfo)
			ck_assert_str_eq(gpm_buildinfo_setting(&img->buildinfo, "GOARCH"),
			                 arm64 ? "arm64" : "amd64");
		else // esbuild 0.28 ships without build info: the version comes from rodata
			ck_assert_int_eq(img->version_how, GPM_HOW_SCAN);
		ck_assert(img->has_moduledata);
		struct gpm_func f;
		ck_assert(gpm_pclntab_func_by_name(img->pclntab, "main.main", &f));
		struct gpm_func g;
		ck_assert(gpm_pclntab_func_for_pc(img->pclntab, f.entry + 1, &g));
		ck_assert_str_eq(g.name, "main.main");
		ck_assert(gpm_pclntab_func_by_name(img->pclntab, "runtime.goexit", &f));
		ck_assert_int_eq(f.kind, GPM_FUNC_GOEXIT);
		ck_assert(gpm_pclntab_func_by_name(img->pclntab, "runtime.mcall", &f));
		ck_assert_int_eq(f.kind, GPM_FUNC_MCALL);
		ck_assert(gpm_pclntab_func_by_name(img->pclntab, "runtime.allgadd", &f));

		const struct gpm_layout *l;
		err = gpm_goimage_layout(img, "runtime.g", &l);
		ck_assert_msg(!err, "%s: %s", names[i], err ? err->message : "");
		ck_assert_uint_ne(gpm_layout_offset(l, "goid"), UINT64_MAX);
		ck_assert_uint_ne(gpm_layout_offset(l, "atomicstatus"), UINT64_MAX);
		ck_assert_uint_ne(gpm_layout_offset(l, "waitreason"), UINT64_MAX);
		ck_assert_uint_eq(gpm_layout_offset(l, "sched.sp"),
		                  gpm_layout_offset(l, "sched") + 0);
		ck_assert_uint_eq(gpm_layout_offset(l, "sched.pc"),
		                  gpm_layout_offset(l, "sched") + 8);
		ck_assert_uint_eq(gpm_layout_offset(l, "stack.hi"), 8);
		ck_assert_uint_eq(gpm_layout_offset(l, "nosuchfield"), UINT64_MAX);
		ck_assert_uint_eq(gpm_layout_offset(l, "sched.nosuch"), UINT64_MAX);
		static const char *const more[] = {
		    "runtime.m",     "runtime.gobuf", "runtime._panic", "runtime._defer",
		    "runtime.sudog", "runtime.hchan", "runtime.mspan",  "runtime.p"};
		for (size_t k = 0; k < sizeof(more) / sizeof(more[0]); k++) {
			err = gpm_goimage_layout(img, more[k], &l);
			ck_assert_msg(!err, "%s: %s: %s", names[i], more[k],
			              err ? err->message : "");
			ck_assert_uint_gt(l->nfields, 1);
		}
		ck_assert_str_eq(gpm_goimage_waitreason(img, 1), "GC assist marking");
		ck_assert_str_eq(gpm_goimage_waitreason(img, 0), "");
		ck_assert_uint_gt(gpm_goimage_waitreason_count(img), 20);
		gpm_goimage_destroy(img);
		gpm_exe_destroy(exe);
	}
}
END_TEST

/* Drops package paths ("internal/runtime/atomic.Uint32" -> "atomic.Uint32"), also inside
 * type arguments, since type descriptors name packages by their last element only. */
static void short_pkg(const char *s, char *out, size_t cap)
{
	size_t o = 0, tok = 0;
	for (; *s && o + 1 < cap; s++) {
		if (*s == '/') {
			o = tok;
			continue;
		}
		out[o++] = *s;
		if (strchr("*[], ()", *s))
			tok = o;
	}
	out[o] = 0;
}

/* DWARF and type descriptors must agree on every field of the runtime structs. */
START_TEST(test_dwarf_vs_types)
{
	char names[FIXTURE_EXES_MAX][128];
	size_t n = fixture_exes(names, FIXTURE_EXES_MAX), checked = 0;
	for (size_t i = 0; i < n; i++) {
		struct gpm_exe *exe = open_exe(names[i]);
		struct gpm_goimage *img;
		ck_assert(!gpm_goimage_open(exe, NULL, 0, &img));
		if (img->has_dwarf) {
			static const char *const ts[] = {"runtime.g", "runtime.m", "runtime.gobuf",
			                                 "runtime._defer", "runtime.sudog"};
			for (size_t k = 0; k < 5; k++) {
				struct gpm_layout *a, *b;
				ck_assert(
				    !gpm_goimage_layout_from(img, ts[k], GPM_LAYOUT_DWARF, &a));
				ck_assert(
				    !gpm_goimage_layout_from(img, ts[k], GPM_LAYOUT_TYPES, &b));
				ck_assert_uint_eq(a->size, b->size);
				ck_assert_uint_eq(a->nfields, b->nfields);
				for (size_t f = 0; f < a->nfields; f++) {
					ck_assert_str_eq(a->fields[f].name, b->fields[f].name);
					ck_assert_uint_eq(a->fields[f].offset, b->fields[f].offset);
					ck_assert_uint_eq(a->fields[f].size, b->fields[f].size);
					// DWARF names carry the full package path,
					// descriptors the package name only.
					const char *ta = a->fields[f].type_name;
					const char *tb = b->fields[f].type_name;
					char sa[512];
					short_pkg(ta, sa, sizeof(sa));
					ck_assert_msg(strcmp(sa, tb) == 0, "%s.%s: %s vs %s", ts[k],
					              a->fields[f].name, ta, tb);
				}
				gpm_layout_destroy(a);
				gpm_layout_destroy(b);
			}
			checked++;
		}
		gpm_goimage_destroy(img);
		gpm_exe_destroy(exe);
	}
	ck_assert_uint_gt(checked, 0);
}
END_TEST

/* ---- traceback oracle ---- */

struct tb_line {
	char name[512];
	char file[512];
	int line;
	bool has_pc;
	uint64_t off, fp, sp, pc;
};

/* Printed names elide generic shapes as "[...]" and call gopanic "panic" (Go 1.21+). */
static bool name_matches(const char *ours, const char *printed)
{
	char buf[1024];
	return strcmp(ours, printed) == 0 ||
	       strcmp(gpm_func_print_name(ours, true, buf, sizeof(buf)), printed) == 0;
}

static bool parse_func_line(const char *s, char *name, size_t cap)
{
	size_t l = strlen(s);
	if (l < 3 || s[l - 1] != ')')
		return false;
	int depth = 0;
	for (size_t i = l; i-- > 0;) {
		if (s[i] == ')')
			depth++;
		else if (s[i] == '(' && --depth == 0) {
			if (i == 0 || i >= cap)
				return false;
			memcpy(name, s, i);
			name[i] = 0;
			return true;
		}
	}
	return false;
}

static bool parse_pos_line(const char *s, struct tb_line *t)
{
	if (s[0] != '\t')
		return false;
	const char *colon = NULL;
	for (const char *p = s + 1; *p && *p != ' '; p++)
		if (*p == ':')
			colon = p;
	if (!colon || (size_t)(colon - s - 1) >= sizeof(t->file))
		return false;
	memcpy(t->file, s + 1, (size_t)(colon - s - 1));
	t->file[colon - s - 1] = 0;
	t->line = atoi(colon + 1);
	t->has_pc = false;
	const char *plus = strstr(colon, " +0x");
	if (plus)
		t->off = strtoull(plus + 2, NULL, 16);
	const char *pc = strstr(colon, " pc=0x");
	const char *fp = strstr(colon, " fp=0x");
	const char *sp = strstr(colon, " sp=0x");
	// The offset is omitted when pc is the entry (asm functions entered by injection).
	if (pc && fp && sp) {
		if (!plus)
			t->off = 0;
		t->has_pc = true;
		t->pc = strtoull(pc + 4, NULL, 16);
		t->fp = strtoull(fp + 4, NULL, 16);
		t->sp = strtoull(sp + 4, NULL, 16);
	}
	return true;
}

struct oracle_stats {
	size_t physical, logical, created_by;
};

static void check_group(struct gpm_goimage *img, struct tb_line *g, size_t n, bool first,
                        bool after_sigpanic, const char *where, struct oracle_stats *st)
{
	struct tb_line *phys = &g[n - 1];
	struct gpm_func f;
	ck_assert_msg(gpm_pclntab_func_for_pc(img->pclntab, phys->pc, &f), "%s: pc 0x%llx", where,
	              (unsigned long long)phys->pc);
	ck_assert_msg(name_matches(f.name, phys->name), "%s: %s != %s", where, f.name, phys->name);
	ck_assert_uint_eq(phys->pc - f.entry, phys->off);
	int32_t spd;
	ck_assert(!gpm_pclntab_sp_delta(img->pclntab, &f, phys->pc, &spd));
	ck_assert_msg(phys->fp - phys->sp == (uint64_t)spd + img->ptr_size,
	              "%s: %s fp-sp %llu, sp delta %d", where, f.name,
	              (unsigned long long)(phys->fp - phys->sp), spd);
	// The runtime looks up pc-1 for calling frames (traceback.go tracepc), pc itself for
	// the innermost frame of a trap and for the frame interrupted by sigpanic.
	uint64_t cands[2] = {phys->pc > f.entry ? phys->pc - 1 : phys->pc, phys->pc};
	size_t ncand = first || after_sigpanic ? 2 : 1;
	if (after_sigpanic)
		cands[0] = phys->pc;
	bool ok = false;
	char msg[1024] = "";
	for (size_t c = 0; c < ncand && !ok; c++) {
		struct gpm_inline_frame fr[64];
		size_t nf;
		ck_assert(!gpm_pclntab_frames(img->pclntab, &f, cands[c], fr, 64, &nf));
		if (nf != n) {
			snprintf(msg, sizeof(msg), "%zu frames, printed %zu", nf, n);
			continue;
		}
		ok = true;
		for (size_t k = 0; k < n && ok; k++) {
			if (!name_matches(fr[k].name, g[k].name) ||
			    strcmp(fr[k].file, g[k].file) != 0 || fr[k].line != g[k].line) {
				snprintf(msg, sizeof(msg), "frame %zu: %s %s:%d, printed %s %s:%d",
				         k, fr[k].name, fr[k].file, fr[k].line, g[k].name,
				         g[k].file, g[k].line);
				ok = false;
			}
			ck_assert_int_eq(fr[k].inlined, k + 1 < n);
		}
	}
	ck_assert_msg(ok, "%s: pc 0x%llx: %s", where, (unsigned long long)phys->pc, msg);
	st->physical++;
	st->logical += n;
}

static void check_created_by(struct gpm_goimage *img, const char *name, const struct tb_line *t,
                             const char *where, struct oracle_stats *st)
{
	struct gpm_func f;
	if (!gpm_pclntab_func_by_name(img->pclntab, name, &f))
		return; // generic names are printed elided; skip those
	uint64_t pc = f.entry + t->off;
	struct gpm_inline_frame fr[64];
	size_t nf;
	ck_assert(!gpm_pclntab_frames(img->pclntab, &f, pc > f.entry ? pc - 1 : pc, fr, 64, &nf));
	ck_assert_uint_gt(nf, 0);
	ck_assert_msg(strcmp(fr[0].file, t->file) == 0 && fr[0].line == t->line,
	              "%s: created by %s: %s:%d, printed %s:%d", where, name, fr[0].file,
	              fr[0].line, t->file, t->line);
	st->created_by++;
}

static void oracle_core(const char *dir, struct oracle_stats *st)
{
	char rel[512], exe_rel[512] = "";
	snprintf(rel, sizeof(rel), "cores/%s/meta", dir);
	FILE *m = fopen(gpm_test_data(rel), "r");
	if (!m)
		return;
	char line[4096];
	while (fgets(line, sizeof(line), m)) {
		if (strncmp(line, "exe=", 4) == 0) {
			line[strcspn(line, "\n")] = 0;
			size_t l = strlen(line + 4);
			if (l < sizeof(exe_rel)) {
				memcpy(exe_rel, line + 4, l + 1);
			}
		}
	}
	fclose(m);
	if (!exe_rel[0])
		return;
	snprintf(rel, sizeof(rel), "%s", exe_rel);
	FILE *probe = fopen(gpm_test_data(rel), "r");
	if (!probe)
		return;
	fclose(probe);
	struct gpm_exe *exe = open_exe(rel);
	snprintf(rel, sizeof(rel), "cores/%s/stderr.txt", dir);
	FILE *tb = fopen(gpm_test_data(rel), "r");
	if (!tb) {
		gpm_exe_destroy(exe);
		return;
	}

	// Read everything first: the load bias of PIE fixtures comes from the first frame.
	GPM_VEC(struct tb_line) lines = {0};
	GPM_VEC(char *) raw = {0};
	while (fgets(line, sizeof(line), tb)) {
		line[strcspn(line, "\n")] = 0;
		char **r = gpm_vec_push(&raw);
		ck_assert_ptr_nonnull(r);
		*r = strdup(line);
	}
	fclose(tb);
	struct gpm_goimage *img;
	ck_assert(!gpm_goimage_open(exe, NULL, 0, &img));
	uint64_t bias = 0;
	for (size_t i = 0; i + 1 < raw.len; i++) {
		struct tb_line t = {0};
		struct gpm_func f;
		if (parse_func_line(raw.v[i], t.name, sizeof(t.name)) &&
		    parse_pos_line(raw.v[i + 1], &t) && t.has_pc &&
		    gpm_pclntab_func_by_name(img->pclntab, t.name, &f)) {
			bias = t.pc - t.off - f.entry;
			break;
		}
	}
	if (bias) {
		gpm_goimage_destroy(img);
		ck_assert(!gpm_goimage_open(exe, NULL, bias, &img));
	}
	size_t gstart = 0;
	bool first = true, after_sigpanic = false;
	for (size_t i = 0; i < raw.len; i++) {
		const char *s = raw.v[i];
		char where[256];
		snprintf(where, sizeof(where), "%s/stderr.txt:%zu", dir, i + 1);
		if (strncmp(s, "goroutine ", 10) == 0 || s[0] == 0) {
			lines.len = 0;
			gstart = 0;
			first = true;
			after_sigpanic = false;
			continue;
		}
		if (strncmp(s, "created by ", 11) == 0 && i + 1 < raw.len) {
			char name[512];
			snprintf(name, sizeof(name), "%s", s + 11);
			char *in = strstr(name, " in goroutine ");
			if (in)
				*in = 0;
			struct tb_line t = {0};
			if (parse_pos_line(raw.v[i + 1], &t))
				check_created_by(img, name, &t, where, st);
			i++;
			continue;
		}
		struct tb_line t = {0};
		if (i + 1 < raw.len && parse_func_line(s, t.name, sizeof(t.name)) &&
		    parse_pos_line(raw.v[i + 1], &t)) {
			struct tb_line *slot = gpm_vec_push(&lines);
			ck_assert_ptr_nonnull(slot);
			*slot = t;
			i++;
			if (t.has_pc) {
				check_group(img, lines.v + gstart, lines.len - gstart, first,
				            after_sigpanic, where, st);
				// Injected calls: the caller's pc is not a return address
				// (runtime/traceback.go unwindTrap after sigpanic, asyncPreempt,
				// debugCallV2 from Go 1.21; before, gentraceback's waspanic knew
				// only sigpanic).
				bool go121 = gpm_go_version_cmp(&img->version, 1, 21) >= 0;
				after_sigpanic =
				    strcmp(t.name, "runtime.sigpanic") == 0 ||
				    (go121 && (strcmp(t.name, "runtime.asyncPreempt") == 0 ||
				               strcmp(t.name, "runtime.debugCallV2") == 0));
				first = false;
				gstart = lines.len;
			}
		}
	}
	for (size_t i = 0; i < raw.len; i++)
		free(raw.v[i]);
	gpm_vec_free(&raw);
	gpm_vec_free(&lines);
	gpm_goimage_destroy(img);
	gpm_exe_destroy(exe);
}

START_TEST(test_traceback_oracle)
{
	DIR *d = opendir(gpm_test_data("cores"));
	ck_assert_ptr_nonnull(d);
	struct oracle_stats st = {0};
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		oracle_core(e->d_name, &st);
	}
	closedir(d);
	ck_assert_uint_gt(st.physical, 100);
	ck_assert_uint_gt(st.created_by, 10);
}
END_TEST

/* ---- bad input ---- */

START_TEST(test_not_go)
{
	// A minimal ELF64 executable header without sections or segments.
	static uint8_t elf[64] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
	elf[16] = 2;  // ET_EXEC
	elf[18] = 62; // EM_X86_64
	elf[20] = 1;  // EV_CURRENT
	elf[52] = 64; // e_ehsize
	struct gpm_source *src;
	ck_assert(!gpm_source_from_memory(elf, sizeof(elf), "tiny", &src));
	struct gpm_exe *exe;
	struct gpm_error *err = gpm_exe_from_source(src, &exe);
	ck_assert_msg(!err, "%s", err ? err->message : "");
	struct gpm_goimage *img;
	err = gpm_goimage_open(exe, NULL, 0, &img);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, GPM_ERR_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(err->message, "is not a Go program"));
	gpm_error_destroy(err);
	gpm_exe_destroy(exe);
}
END_TEST

static const struct gpm_exe_section *pclntab_section(struct gpm_exe *exe)
{
	const struct gpm_exe_section *s = gpm_exe_section(exe, ".gopclntab");
	if (!s)
		s = gpm_exe_section(exe, ".data.rel.ro.gopclntab");
	ck_assert_ptr_nonnull(s);
	return s;
}

/* A Go program older than gopm reads (pclntab magic 0xfffffffb, Go 1.2-1.15) is named as
 * such, not "not a Go program". The fixture's pclntab magic is patched to the old one. */
START_TEST(test_old_go_release)
{
	struct gpm_exe *exe = open_some_fixture();
	const struct gpm_exe_section *s = pclntab_section(exe);
	size_t size;
	const uint8_t *bytes = gpm_exe_bytes(exe, &size);
	uint8_t *copy = malloc(size);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, bytes, size);
	ck_assert_uint_lt(s->offset + 4, size);
	static const uint8_t old_magic[4] = {0xfb, 0xff, 0xff, 0xff};
	memcpy(copy + s->offset, old_magic, 4);
	gpm_exe_destroy(exe);
	struct gpm_source *src;
	ck_assert(!gpm_source_from_memory(copy, size, "old-go", &src));
	struct gpm_error *err = gpm_exe_from_source(src, &exe);
	ck_assert_msg(!err, "%s", err ? err->message : "");
	struct gpm_goimage *img;
	err = gpm_goimage_open(exe, NULL, 0, &img);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, GPM_ERR_UNSUPPORTED);
	ck_assert_msg(strstr(err->message, "pclntab of Go 1.2-1.15 (magic 0xfffffffb)") &&
	                  strstr(err->message, "unsupported") && strstr(err->message, "uses the") &&
	                  !strstr(err->message, "not a Go"),
	              "%s", err->message);
	gpm_error_destroy(err);
	gpm_exe_destroy(exe);
	free(copy);
}
END_TEST

/* Exercises every lookup of a table; must not crash whatever the bytes. */
static void exercise(struct gpm_pclntab *t)
{
	uint64_t lo, hi;
	gpm_pclntab_pc_range(t, &lo, &hi);
	size_t n = gpm_pclntab_func_count(t);
	for (size_t i = 0; i < n; i += 7) {
		struct gpm_func f;
		struct gpm_error *err = gpm_pclntab_func_at(t, i, &f);
		if (err) {
			gpm_error_destroy(err);
			continue;
		}
		struct gpm_inline_frame fr[8];
		size_t nf;
		gpm_error_destroy(gpm_pclntab_frames(t, &f, f.entry + 3, fr, 8, &nf));
		int32_t v;
		gpm_error_destroy(gpm_pclntab_sp_delta(t, &f, f.entry + 5, &v));
		struct gpm_func g;
		gpm_pclntab_func_for_pc(t, f.entry + 1, &g);
	}
	struct gpm_func f;
	gpm_pclntab_func_by_name(t, "main.main", &f);
}

START_TEST(test_pclntab_corrupt)
{
	struct gpm_exe *exe = open_some_fixture();
	const struct gpm_exe_section *s = pclntab_section(exe);
	size_t size = (size_t)s->size;
	uint8_t *copy = malloc(size);
	ck_assert_ptr_nonnull(copy);
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	for (int round = 0; round < 40; round++) {
		memcpy(copy, s->data, size);
		for (int k = 0; k < 64; k++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			// Concentrate on the header, the functab and the _func records.
			size_t pos = (size_t)(seed >> 33) % (round < 20 ? 4096 : size);
			copy[pos] ^= (uint8_t)(seed >> 24);
		}
		struct gpm_pclntab *t;
		struct gpm_error *err = gpm_pclntab_create(copy, size, s->addr, 0, &t);
		if (err) {
			gpm_error_destroy(err);
			continue;
		}
		exercise(t);
		gpm_pclntab_destroy(t);
	}
	// Truncations.
	static const size_t cuts[] = {0, 7, 8, 40, 63, 64, 100, 4096, 100000};
	for (size_t c = 0; c < sizeof(cuts) / sizeof(cuts[0]); c++) {
		struct gpm_pclntab *t;
		struct gpm_error *err = gpm_pclntab_create(s->data, cuts[c], s->addr, 0, &t);
		if (err) {
			gpm_error_destroy(err);
			continue;
		}
		exercise(t);
		gpm_pclntab_destroy(t);
	}
	// Absurd function count.
	memcpy(copy, s->data, size);
	memset(copy + 8, 0xff, 8);
	struct gpm_pclntab *t;
	struct gpm_error *err = gpm_pclntab_create(copy, size, s->addr, 0, &t);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, GPM_ERR_LIMIT);
	gpm_error_destroy(err);
	copy[8] = 0xff, copy[9] = 0xff, copy[10] = 0x7f;
	memset(copy + 11, 0, 5);
	err = gpm_pclntab_create(copy, size, s->addr, 0, &t);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, GPM_ERR_FORMAT);
	gpm_error_destroy(err);
	// Old magic.
	memcpy(copy, s->data, size);
	copy[0] = 0xfb;
	err = gpm_pclntab_create(copy, size, s->addr, 0, &t);
	ck_assert_int_eq(err->code, GPM_ERR_UNSUPPORTED);
	gpm_error_destroy(err);
	free(copy);
	gpm_exe_destroy(exe);
}
END_TEST

START_TEST(test_buildinfo_text)
{
	static const char text[] = "path\texample.com/cmd/x\n"
	                           "mod\texample.com\tv1.2.3\th1:abc=\n"
	                           "dep\tgolang.org/x/sys\tv0.1.0\th1:def=\n"
	                           "=>\t../sys\t(devel)\t\n"
	                           "dep\tgithub.com/a/b\tv2.0.0\n"
	                           "build\t-buildmode=exe\n"
	                           "build\t-ldflags=\"-s -w\"\n"
	                           "build\tCGO_ENABLED=0\n"
	                           "build\tGOARCH=amd64\n"
	                           "build\tvcs.revision=0123abcd\n"
	                           "garbage line\n"
	                           "build\tnoequals\n";
	struct gpm_buildinfo bi = {0};
	ck_assert(!gpm_buildinfo_parse_modinfo(&bi, text, sizeof(text) - 1));
	ck_assert_str_eq(bi.path, "example.com/cmd/x");
	ck_assert_str_eq(bi.main.path, "example.com");
	ck_assert_str_eq(bi.main.version, "v1.2.3");
	ck_assert_uint_eq(bi.ndeps, 2);
	ck_assert_str_eq(bi.deps[0].replace_path, "../sys");
	ck_assert_ptr_null(bi.deps[1].replace_path);
	ck_assert_str_eq(gpm_buildinfo_setting(&bi, "-ldflags"), "-s -w");
	ck_assert_str_eq(gpm_buildinfo_setting(&bi, "CGO_ENABLED"), "0");
	ck_assert_str_eq(gpm_buildinfo_setting(&bi, "vcs.revision"), "0123abcd");
	ck_assert_ptr_null(gpm_buildinfo_setting(&bi, "GOOS"));
	gpm_buildinfo_deinit(&bi);

	// A blob with inline strings, and truncated versions of it.
	uint8_t blob[128] = GPM_BUILDINFO_MAGIC;
	blob[14] = 8;
	blob[15] = 2;
	size_t p = 32;
	blob[p++] = 8;
	memcpy(blob + p, "go1.22.1", 8);
	p += 8;
	blob[p++] = 12;
	memcpy(blob + p, "path\tx/y\nmod", 12);
	p += 12;
	ck_assert(!gpm_buildinfo_parse(blob, p, NULL, NULL, &bi));
	ck_assert_str_eq(bi.go_version, "go1.22.1");
	ck_assert_str_eq(bi.path, "x/y");
	gpm_buildinfo_deinit(&bi);
	for (size_t cut = 0; cut < p; cut++) {
		struct gpm_error *err = gpm_buildinfo_parse(blob, cut, NULL, NULL, &bi);
		ck_assert_ptr_nonnull(err);
		gpm_error_destroy(err);
	}
	blob[15] = 0; // pointer form needs a reader
	struct gpm_error *err = gpm_buildinfo_parse(blob, p, NULL, NULL, &bi);
	ck_assert_int_eq(err->code, GPM_ERR_UNSUPPORTED);
	gpm_error_destroy(err);
}
END_TEST

START_TEST(test_go_version)
{
	struct gpm_go_version v;
	ck_assert(gpm_go_version_parse("go1.21.3", &v));
	ck_assert_uint_eq(v.minor, 21);
	ck_assert_uint_eq(v.patch, 3);
	ck_assert(gpm_go_version_parse("devel go1.23-abcdef Tue", &v));
	ck_assert(v.devel);
	ck_assert_uint_eq(v.minor, 23);
	ck_assert(gpm_go_version_parse("go1.22rc1", &v));
	ck_assert_int_eq(gpm_go_version_cmp(&v, 1, 22), 0);
	ck_assert_int_eq(gpm_go_version_cmp(&v, 1, 23), -1);
	ck_assert(!gpm_go_version_parse("gopher", &v));
	char buf[32];
	static const uint8_t ro[] = "xxgo1.xx\0go1.19.8runtime error\0";
	ck_assert(gpm_go_version_scan(ro, sizeof(ro) - 1, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "go1.19.8");
	static const uint8_t ro2[] = "abc go1.27rc2beta";
	ck_assert(gpm_go_version_scan(ro2, sizeof(ro2) - 1, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "go1.27rc2");
	ck_assert(!gpm_go_version_scan((const uint8_t *)"go1.", 4, buf, sizeof(buf)));
}
END_TEST

/* Lookup speed: 1M pc lookups with file:line (the 100k-goroutine case). */
START_TEST(test_lookup_speed)
{
	struct gpm_exe *exe = open_some_fixture();
	struct gpm_goimage *img;
	ck_assert(!gpm_goimage_open(exe, NULL, 0, &img));
	uint64_t lo, hi;
	gpm_pclntab_pc_range(img->pclntab, &lo, &hi);
	uint64_t seed = 1;
	size_t found = 0;
	for (int i = 0; i < 200000; i++) {
		seed = seed * 6364136223846793005ull + 1;
		uint64_t pc = lo + (seed >> 20) % (hi - lo);
		struct gpm_func f;
		if (!gpm_pclntab_func_for_pc(img->pclntab, pc, &f))
			continue;
		const char *file;
		int32_t line;
		struct gpm_error *err = gpm_pclntab_file_line(img->pclntab, &f, pc, &file, &line);
		found += !err;
		gpm_error_destroy(err);
	}
	ck_assert_uint_gt(found, 190000);
	gpm_goimage_destroy(img);
	gpm_exe_destroy(exe);
}
END_TEST

/*
 * The facts chosen by version equal those found by probing the binary, on every fixture
 * executable (each core's, amd64 and arm64, our own and the real programs', Go 1.19-1.27).
 * The probe is what an image without a known version gets, so it must not be shaped by the
 * version: it reads only the pclntab, the type descriptors and function names.
 */
START_TEST(test_facts_version_vs_probe)
{
	char names[FIXTURE_EXES_MAX][128];
	size_t n = fixture_exes(names, FIXTURE_EXES_MAX), checked = 0;
	unsigned minors[64] = {0};
	size_t nminors = 0;
	for (size_t i = 0; i < n; i++) {
		struct gpm_exe *exe = open_exe(names[i]);
		struct gpm_goimage *img;
		struct gpm_error *err = gpm_goimage_open(exe, NULL, 0, &img);
		ck_assert_msg(!err, "%s: %s", names[i], err ? err->message : "");
		ck_assert_msg(img->version.major == 1, "%s: no version", names[i]);
		ck_assert_int_eq(img->facts.how, GPM_FACTS_VERSION);
		struct gpm_go_facts probed;
		gpm_go_facts_probe(img, &probed);
		ck_assert_int_eq(probed.how, GPM_FACTS_PROBE);
		char a[512], b[512];
		gpm_go_facts_format(&img->facts, a, sizeof(a));
		gpm_go_facts_format(&probed, b, sizeof(b));
		ck_assert_msg(gpm_go_facts_equal(&img->facts, &probed),
		              "%s (%s): by version %s, by probe %s", names[i], img->go_version, a,
		              b);
		bool seen = false;
		for (size_t k = 0; k < nminors; k++)
			seen |= minors[k] == img->version.minor;
		if (!seen && nminors < 64)
			minors[nminors++] = img->version.minor;
		checked++;
		gpm_goimage_destroy(img);
		gpm_exe_destroy(exe);
	}
	// Every fixture executable, of Go 1.19, 1.21, 1.22, 1.23, 1.24, 1.26 and 1.27.
	ck_assert_uint_eq(checked, n);
	ck_assert_uint_ge(checked, 75);
	ck_assert_uint_ge(nminors, 7);
}
END_TEST

/* The facts of each release, and what an unknown version gets. */
START_TEST(test_facts_by_version)
{
	struct gpm_go_facts f;
	struct gpm_go_version v = {.major = 1, .minor = 16};
	gpm_go_facts_from_version(&v, &f);
	ck_assert(!f.name_varint && f.field_offset_anon && !f.funcdata_gofunc && !f.unwinder);
	v.minor = 18;
	gpm_go_facts_from_version(&v, &f);
	ck_assert(f.name_varint && f.field_offset_anon && f.funcdata_gofunc);
	ck_assert_int_eq(f.heap_bitmap, GPM_HEAP_BITMAP_2BIT);
	v.minor = 20;
	gpm_go_facts_from_version(&v, &f);
	ck_assert_int_eq(f.heap_bitmap, GPM_HEAP_BITMAP_1BIT);
	v.minor = 21;
	gpm_go_facts_from_version(&v, &f);
	ck_assert(!f.field_offset_anon && f.unwinder && !f.swiss_maps && !f.labels_slice);
	ck_assert_int_eq(f.heap_bitmap, GPM_HEAP_BITMAP_1BIT);
	v.minor = 22;
	gpm_go_facts_from_version(&v, &f);
	ck_assert_int_eq(f.heap_bitmap, GPM_HEAP_BITMAP_NONE);
	v.minor = 24;
	gpm_go_facts_from_version(&v, &f);
	ck_assert(f.swiss_maps && f.labels_slice && f.gcmask_on_demand && !f.labels_inside &&
	          !f.direct_iface_tflag && !f.map_group_offsets);
	v.minor = 26;
	gpm_go_facts_from_version(&v, &f);
	ck_assert(f.labels_inside && f.direct_iface_tflag && !f.map_group_offsets);
	v.minor = 27;
	gpm_go_facts_from_version(&v, &f);
	ck_assert(!f.labels_inside && f.direct_iface_tflag && f.map_group_offsets);
	ck_assert_int_eq(f.how, GPM_FACTS_VERSION);
}
END_TEST

Suite *gort_suite(void)
{
	Suite *s = suite_create("gort");
	TCase *tc = tcase_create("gort");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_fixture_images);
	tcase_add_test(tc, test_types_by_prefix);
	tcase_add_test(tc, test_dwarf_vs_types);
	tcase_add_test(tc, test_traceback_oracle);
	tcase_add_test(tc, test_not_go);
	tcase_add_test(tc, test_old_go_release);
	tcase_add_test(tc, test_pclntab_corrupt);
	tcase_add_test(tc, test_buildinfo_text);
	tcase_add_test(tc, test_go_version);
	tcase_add_test(tc, test_lookup_speed);
	tcase_add_test(tc, test_facts_version_vs_probe);
	tcase_add_test(tc, test_facts_by_version);
	suite_add_tcase(s, tc);
	return s;
}
