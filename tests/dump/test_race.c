/*
 * Tests of the race report reader (src/dump/race.c) and the race rule
 * (src/analysis/rule_race.c): the real reports of testdata/dumps/race/ field by field
 * (accesses, frames, addresses, creators, trailers), the same reports re-indented the
 * ways pastes and log pre-passes leave them, the shapes no fixture has (a stack that
 * could not be restored, memory locations, a missing closing line, lines that fit
 * nowhere), the report cap, and the findings with their pairing by source lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "base/source.h"
#include "base/strbuf.h"
#include "check_gopm.h"
#include "dump/dump.h"

struct snaps {
	struct gpm_incident **v;
	size_t n;
};

static struct snaps parse_mem(const char *data, size_t len)
{
	struct snaps s = {0};
	struct gpm_error *err = gpm_dump_parse_all(data, len, "test", NULL, &s.v, &s.n);
	ck_assert_msg(!err, "parse: %s", err ? err->message : "");
	return s;
}

static char *read_fixture(const char *rel, size_t *len)
{
	struct gpm_source *src;
	struct gpm_error *err = gpm_source_open(gpm_test_data(rel), &src);
	ck_assert_msg(!err, "%s: %s", rel, err ? err->message : "");
	char *buf = malloc(src->size + 1);
	ck_assert_ptr_nonnull(buf);
	memcpy(buf, src->data, src->size);
	buf[src->size] = 0;
	*len = src->size;
	gpm_source_destroy(src);
	return buf;
}

/* The one incident of a fixture. */
static struct gpm_incident *parse_one(const char *rel)
{
	size_t len;
	char *buf = read_fixture(rel, &len);
	struct snaps s = parse_mem(buf, len);
	free(buf);
	ck_assert_uint_eq(s.n, 1);
	struct gpm_incident *inc = s.v[0];
	free(s.v);
	return inc;
}

static const struct gpm_goroutine *access_g(const struct gpm_incident *inc,
                                            const struct gpm_race_access *a)
{
	ck_assert_uint_lt(a->goroutine, inc->goroutines.len);
	return &inc->goroutines.v[a->goroutine];
}

static void check_frame(const struct gpm_incident *inc, const struct gpm_goroutine *g, uint32_t i,
                        const char *func, const char *file, uint32_t line, uint32_t off)
{
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	ck_assert_uint_lt(i, n);
	ck_assert_str_eq(f[i].func, func);
	ck_assert_ptr_nonnull(f[i].file);
	ck_assert_str_eq(f[i].file, file);
	ck_assert_uint_eq(f[i].line, line);
	ck_assert(f[i].flags & GPM_FRAME_HAS_OFFSET);
	ck_assert_uint_eq(f[i].offset, off);
}

static uint32_t nframes(const struct gpm_incident *inc, const struct gpm_goroutine *g)
{
	uint32_t n;
	gpm_goroutine_frames(inc, g, &n);
	return n;
}

static const struct gpm_frame *creator(const struct gpm_incident *inc,
                                       const struct gpm_goroutine *g)
{
	ck_assert_uint_lt(g->created_by, inc->frames.len);
	return &inc->frames.v[g->created_by];
}

#define MAIN_GO  "gopm.test/fixture/race/main.go"
#define CACHE_GO "gopm.test/fixture/racetest/cache_test.go"

START_TEST(test_plain)
{
	struct gpm_incident *inc = parse_one("dumps/race/go1.27-plain.txt");
	ck_assert_int_eq(inc->kind, GPM_INPUT_DUMP);
	ck_assert_int_eq(inc->crash.kind, GPM_FATAL_RACE);
	ck_assert_uint_eq(inc->races.len, 1);
	ck_assert_uint_eq(inc->races_found, 1);
	ck_assert_uint_eq(inc->goroutines.len, 2);
	ck_assert_uint_eq(inc->warnings.len, 0);
	const struct gpm_race *r = &inc->races.v[0];
	ck_assert(r->access.has_addr && !r->access.write);
	ck_assert_uint_eq(r->access.addr, 0xc000124028);
	ck_assert(r->previous.has_addr && r->previous.write);
	ck_assert_uint_eq(r->previous.addr, 0xc000124028);
	ck_assert_ptr_null(r->location);

	const struct gpm_goroutine *a = access_g(inc, &r->access);
	ck_assert_uint_eq(a->id, 7);
	ck_assert_str_eq(a->state, "race: read at 0x00c000124028");
	ck_assert_int_eq(a->status, GPM_G_RUNNING);
	ck_assert(a->flags & GPM_GOROUTINE_RACE_ACCESS);
	ck_assert_uint_eq(nframes(inc, a), 2);
	check_frame(inc, a, 0, "main.(*account).deposit", MAIN_GO, 22, 0x36);
	check_frame(inc, a, 1, "main.plain.func1", MAIN_GO, 30, 0x31);
	// Its creator: the creation stack's top frame, and the whole stack as the ancestor.
	const struct gpm_frame *cb = creator(inc, a);
	ck_assert_str_eq(cb->func, "main.plain");
	ck_assert_str_eq(cb->file, MAIN_GO);
	ck_assert_uint_eq(cb->line, 29);
	const struct gpm_goroutine_extra *x = gpm_goroutine_extra(inc, a);
	ck_assert_uint_eq(x->nancestors, 1);
	const struct gpm_ancestor *an = &inc->ancestors.v[x->first_ancestor];
	ck_assert_uint_eq(an->id, 0);
	ck_assert_uint_eq(inc->stacks.v[an->stack].nframes, 2);
	ck_assert_str_eq(inc->frames.v[inc->stacks.v[an->stack].first + 1].func, "main.main");

	const struct gpm_goroutine *p = access_g(inc, &r->previous);
	ck_assert_uint_eq(p->id, 1); // "main goroutine"
	ck_assert_str_eq(p->state, "race: previous write at 0x00c000124028");
	ck_assert_int_eq(p->status, GPM_G_UNKNOWN);
	ck_assert_uint_eq(p->created_by, UINT32_MAX);
	ck_assert_uint_eq(nframes(inc, p), 3);
	check_frame(inc, p, 0, "main.(*account).deposit", MAIN_GO, 22, 0x116);
	check_frame(inc, p, 2, "main.main", MAIN_GO, 80, 0xae);
	gpm_incident_destroy(inc);
}
END_TEST

START_TEST(test_multi)
{
	struct gpm_incident *inc = parse_one("dumps/race/go1.19-multi.txt");
	ck_assert_uint_eq(inc->races.len, 3);
	ck_assert_uint_eq(inc->races_found, 3);
	ck_assert_uint_eq(inc->goroutines.len, 6);
	ck_assert_uint_eq(inc->warnings.len, 0);
	static const uint64_t addr[] = {0x5db860, 0x5db868, 0x5ac890};
	static const uint64_t prev_id[] = {7, 8, 9};
	for (size_t i = 0; i < 3; i++) {
		const struct gpm_race *r = &inc->races.v[i];
		ck_assert_uint_eq(r->access.addr, addr[i]);
		ck_assert_uint_eq(r->previous.addr, addr[i]);
		ck_assert_uint_eq(access_g(inc, &r->access)->id, 1);
		const struct gpm_goroutine *p = access_g(inc, &r->previous);
		ck_assert_uint_eq(p->id, prev_id[i]);
		ck_assert_str_eq(creator(inc, p)->func, "main.multi");
	}
	// The third writer had finished by the time main read.
	const struct gpm_goroutine *w = access_g(inc, &inc->races.v[2].previous);
	ck_assert_int_eq(w->status, GPM_G_DEAD);
	ck_assert_uint_eq(nframes(inc, w), 1);
	check_frame(inc, w, 0, "main.setStatus", MAIN_GO, 57, 0x29);
	ck_assert_uint_eq(creator(inc, w)->line, 68);
	// Go 1.19 wraps "go viaA(p, done)" in a closure.
	const struct gpm_goroutine *a = access_g(inc, &inc->races.v[0].previous);
	check_frame(inc, a, 2, "main.multi.func1", MAIN_GO, 62, 0x47);
	gpm_incident_destroy(inc);
}
END_TEST

START_TEST(test_go_test)
{
	struct gpm_incident *inc = parse_one("dumps/race/go1.27-test.txt");
	ck_assert_uint_eq(inc->races.len, 1);
	ck_assert_uint_eq(inc->races_found, 0); // go test prints no "Found N"
	ck_assert_uint_eq(inc->race_tests.len, 1);
	ck_assert_str_eq(inc->race_tests.v[0], "TestCache");
	ck_assert_uint_eq(inc->warnings.len, 0);
	const struct gpm_race *r = &inc->races.v[0];
	ck_assert(r->access.write && !r->previous.write);
	const struct gpm_goroutine *a = access_g(inc, &r->access);
	ck_assert_uint_eq(a->id, 8);
	check_frame(inc, a, 0, "runtime.mapassign_faststr",
	            "internal/runtime/maps/runtime_faststr.go", 261, 0);
	check_frame(inc, a, 1, "gopm.test/fixture/racetest.(*cache).put", CACHE_GO, 15, 0xa5);
	ck_assert_str_eq(creator(inc, a)->func, "gopm.test/fixture/racetest.TestCache");
	const struct gpm_goroutine *p = access_g(inc, &r->previous);
	ck_assert_uint_eq(p->id, 7);
	ck_assert_str_eq(creator(inc, p)->func, "testing.(*T).Run");
	const struct gpm_goroutine_extra *x = gpm_goroutine_extra(inc, p);
	ck_assert_uint_eq(inc->stacks.v[inc->ancestors.v[x->first_ancestor].stack].nframes, 6);
	gpm_incident_destroy(inc);

	// Go 1.19 reports the same race twice (map header and bucket).
	inc = parse_one("dumps/race/go1.19-test.txt");
	ck_assert_uint_eq(inc->races.len, 2);
	ck_assert_uint_eq(inc->race_tests.len, 1);
	ck_assert_uint_eq(inc->warnings.len, 0);
	gpm_incident_destroy(inc);
}
END_TEST

START_TEST(test_old_format)
{
	struct gpm_incident *inc = parse_one("dumps/race/old-format.txt");
	ck_assert_uint_eq(inc->races.len, 1);
	ck_assert_uint_eq(inc->warnings.len, 0);
	const struct gpm_race *r = &inc->races.v[0];
	ck_assert(!r->access.has_addr && !r->previous.has_addr);
	ck_assert(!r->access.write && r->previous.write);
	const struct gpm_goroutine *a = access_g(inc, &r->access);
	ck_assert_uint_eq(a->id, 7);
	ck_assert_str_eq(a->state, "race: read");
	ck_assert_str_eq(access_g(inc, &r->previous)->state, "race: previous write");
	ck_assert_str_eq(creator(inc, a)->func, "main.plain");
	gpm_incident_destroy(inc);
}
END_TEST

/* ---- indentation ---- */

enum reindent {
	TABS,  /* location lines tab-indented, function lines flush (a pre-pass's output) */
	NONE,  /* no indentation at all */
	BLOCK, /* the whole report indented by four spaces (a paste) */
	MIXED, /* frames one space, locations two tabs, headers one tab */
	RE_COUNT,
};

static char *reindent(const char *s, size_t len, enum reindent how, size_t *out_len)
{
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	for (const char *p = s, *end = s + len; p < end;) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		if (!e)
			e = end;
		const char *t = p;
		while (t < e && *t == ' ')
			t++;
		size_t indent = (size_t)(t - p), n = (size_t)(e - t);
		bool loc = indent >= 4, frame = indent == 2;
		switch (how) {
		case TABS:
			if (loc)
				gpm_strbuf_putc(&sb, '\t');
			break;
		case NONE:
			break;
		case BLOCK:
			gpm_strbuf_puts(&sb, "    ");
			for (size_t i = 0; i < indent; i++)
				gpm_strbuf_putc(&sb, ' ');
			break;
		case MIXED:
			gpm_strbuf_puts(&sb, loc ? "\t\t" : frame ? " " : n ? "\t" : "");
			break;
		case RE_COUNT:
			break;
		}
		gpm_strbuf_append(&sb, t, n);
		gpm_strbuf_putc(&sb, '\n');
		p = e + 1;
	}
	*out_len = sb.len;
	return gpm_strbuf_detach(&sb);
}

static bool same_frames(const struct gpm_incident *x, uint32_t sx, const struct gpm_incident *y,
                        uint32_t sy)
{
	if ((sx == UINT32_MAX) != (sy == UINT32_MAX))
		return false;
	if (sx == UINT32_MAX)
		return true;
	const struct gpm_stack *a = &x->stacks.v[sx], *b = &y->stacks.v[sy];
	if (a->nframes != b->nframes)
		return false;
	for (uint32_t i = 0; i < a->nframes; i++) {
		const struct gpm_frame *f = &x->frames.v[a->first + i],
		                       *g = &y->frames.v[b->first + i];
		if (strcmp(f->func, g->func) || !f->file != !g->file ||
		    (f->file && strcmp(f->file, g->file)) || f->line != g->line ||
		    f->offset != g->offset || f->flags != g->flags)
			return false;
	}
	return true;
}

static void assert_same(const struct gpm_incident *x, const struct gpm_incident *y)
{
	ck_assert_uint_eq(x->races.len, y->races.len);
	ck_assert_uint_eq(x->races_found, y->races_found);
	ck_assert_uint_eq(x->race_tests.len, y->race_tests.len);
	ck_assert_uint_eq(x->warnings.len, y->warnings.len);
	ck_assert_uint_eq(x->goroutines.len, y->goroutines.len);
	for (size_t i = 0; i < x->goroutines.len; i++) {
		const struct gpm_goroutine *a = &x->goroutines.v[i], *b = &y->goroutines.v[i];
		ck_assert_uint_eq(a->id, b->id);
		ck_assert_str_eq(a->state, b->state);
		ck_assert_uint_eq(a->status, b->status);
		ck_assert_uint_eq(a->flags, b->flags);
		ck_assert(same_frames(x, a->stack, y, b->stack));
		ck_assert((a->created_by == UINT32_MAX) == (b->created_by == UINT32_MAX));
		if (a->created_by != UINT32_MAX) {
			ck_assert_str_eq(x->frames.v[a->created_by].func,
			                 y->frames.v[b->created_by].func);
			ck_assert_uint_eq(x->frames.v[a->created_by].line,
			                  y->frames.v[b->created_by].line);
		}
		const struct gpm_goroutine_extra *ea = gpm_goroutine_extra(x, a),
		                                 *eb = gpm_goroutine_extra(y, b);
		ck_assert_uint_eq(ea->nancestors, eb->nancestors);
		if (ea->nancestors)
			ck_assert(same_frames(x, x->ancestors.v[ea->first_ancestor].stack, y,
			                      y->ancestors.v[eb->first_ancestor].stack));
	}
	for (size_t i = 0; i < x->races.len; i++) {
		const struct gpm_race *a = &x->races.v[i], *b = &y->races.v[i];
		ck_assert_uint_eq(a->access.goroutine, b->access.goroutine);
		ck_assert_uint_eq(a->access.addr, b->access.addr);
		ck_assert_uint_eq(a->previous.goroutine, b->previous.goroutine);
		ck_assert_uint_eq(a->previous.addr, b->previous.addr);
		ck_assert_int_eq(a->access.write, b->access.write);
		ck_assert_int_eq(a->previous.write, b->previous.write);
	}
}

START_TEST(test_reindented)
{
	static const char *const files[] = {
	    "dumps/race/go1.19-plain.txt", "dumps/race/go1.27-plain.txt",
	    "dumps/race/go1.19-multi.txt", "dumps/race/go1.27-multi.txt",
	    "dumps/race/go1.19-test.txt",  "dumps/race/go1.27-test.txt",
	    "dumps/race/old-format.txt",
	};
	size_t checked = 0;
	for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
		size_t len;
		char *buf = read_fixture(files[k], &len);
		struct snaps base = parse_mem(buf, len);
		ck_assert_uint_eq(base.n, 1);
		ck_assert_uint_gt(base.v[0]->races.len, 0);
		for (int how = 0; how < RE_COUNT; how++) {
			size_t n;
			char *re = reindent(buf, len, (enum reindent)how, &n);
			ck_assert_ptr_nonnull(re);
			struct snaps s = parse_mem(re, n);
			ck_assert_msg(s.n == 1, "%s, indentation %d: %zu snapshots", files[k], how,
			              s.n);
			assert_same(base.v[0], s.v[0]);
			checked++;
			for (size_t i = 0; i < s.n; i++)
				gpm_incident_destroy(s.v[i]);
			free(s.v);
			free(re);
		}
		for (size_t i = 0; i < base.n; i++)
			gpm_incident_destroy(base.v[i]);
		free(base.v);
		free(buf);
	}
	ck_assert_uint_eq(checked, 7 * RE_COUNT);
}
END_TEST

/* ---- shapes without a fixture ---- */

static struct gpm_incident *parse_str(const char *text)
{
	struct snaps s = parse_mem(text, strlen(text));
	ck_assert_uint_ge(s.n, 1);
	struct gpm_incident *inc = s.v[0];
	for (size_t i = 1; i < s.n; i++)
		gpm_incident_destroy(s.v[i]);
	free(s.v);
	return inc;
}

START_TEST(test_shapes)
{
	// A stack the runtime could not restore; a heap block location with its stack.
	struct gpm_incident *inc = parse_str("==================\n"
	                                     "WARNING: DATA RACE\n"
	                                     "Write at 0x00c000010000 by goroutine 6:\n"
	                                     "  main.f()\n"
	                                     "      /src/a.go:3 +0x1\n"
	                                     "\n"
	                                     "Previous read at 0x00c000010000 by goroutine 5:\n"
	                                     "  [failed to restore the stack]\n"
	                                     "\n"
	                                     "Heap block of size 8 at 0x00c000010000 allocated "
	                                     "by main goroutine:\n"
	                                     "  main.newT()\n"
	                                     "      /src/a.go:9 +0x2\n"
	                                     "\n"
	                                     "Goroutine 6 (running) created at:\n"
	                                     "  main.main()\n"
	                                     "      /src/a.go:12 +0x3\n"
	                                     "\n"
	                                     "Goroutine 5 (finished) created at:\n"
	                                     "  main.main()\n"
	                                     "      /src/a.go:11 +0x4\n"
	                                     "==================\n");
	ck_assert_uint_eq(inc->races.len, 1);
	ck_assert_uint_eq(inc->warnings.len, 0);
	const struct gpm_race *r = &inc->races.v[0];
	const struct gpm_goroutine *p = access_g(inc, &r->previous);
	ck_assert(p->flags & GPM_GOROUTINE_NO_STACK);
	ck_assert_uint_eq(p->stack, UINT32_MAX);
	ck_assert_int_eq(p->status, GPM_G_DEAD);
	ck_assert_uint_eq(creator(inc, p)->line, 11);
	ck_assert_str_eq(r->location, "Heap block of size 8 at 0x00c000010000 allocated by main "
	                              "goroutine");
	ck_assert_uint_lt(r->location_stack, inc->stacks.len);
	ck_assert_str_eq(inc->frames.v[inc->stacks.v[r->location_stack].first].func, "main.newT");
	gpm_incident_destroy(inc);

	// A global; lines that fit nowhere are counted; the report ends without its
	// closing line at a goroutine dump, which is still read.
	inc = parse_str("WARNING: DATA RACE\n"
	                "Read at 0x0000005db860 by main goroutine:\n"
	                "  main.main()\n"
	                "      /src/a.go:3 +0x1\n"
	                "this line means nothing\n"
	                "      /src/a.go:4 +0x1\n"
	                "\n"
	                "Previous write at 0x0000005db860 by goroutine 5:\n"
	                "  main.g()\n"
	                "      /src/a.go:7 +0x1\n"
	                "\n"
	                "Global var x of size 8 at 0x0000005db860 declared at /src/a.go:1\n"
	                "goroutine 1 [running]:\n"
	                "main.main()\n"
	                "\t/src/a.go:20 +0x1d\n");
	ck_assert_uint_eq(inc->races.len, 1);
	r = &inc->races.v[0];
	ck_assert_str_eq(r->location, "Global var x of size 8 at 0x0000005db860 declared at "
	                              "/src/a.go:1");
	ck_assert_uint_eq(inc->warnings.len, 1);
	ck_assert_ptr_nonnull(strstr(inc->warnings.v[0].text, "2 lines not understood"));
	ck_assert_uint_eq(inc->goroutines.len, 3);
	ck_assert_str_eq(inc->goroutines.v[2].state, "running");
	// A function line without a location keeps its frame (no file).
	gpm_incident_destroy(inc);
	inc = parse_str("WARNING: DATA RACE\n"
	                "Write by goroutine 5:\n"
	                "  main.g()\n"
	                "  main.F[go.shape.struct { X int }]()\n"
	                "      /src/a.go:5 +0x1\n"
	                "  main.h()\n"
	                "      /src/a.go:9 +0x1\n"
	                "==================\n");
	const struct gpm_goroutine *a = access_g(inc, &inc->races.v[0].access);
	ck_assert_uint_eq(nframes(inc, a), 3);
	check_frame(inc, a, 1, "main.F[go.shape.struct { X int }]", "/src/a.go", 5, 1);
	ck_assert_ptr_null(gpm_goroutine_frames(inc, a, &(uint32_t){0})[0].file);
	ck_assert_uint_eq(inc->races.v[0].previous.goroutine, UINT32_MAX);
	gpm_incident_destroy(inc);
}
END_TEST

/* Each section header broken in two by a paste, before its goroutine's number ("Write at
 * 0x… by goroutine" / "7:"): read as whole. One line left that means nothing: "1 line". */
START_TEST(test_split_headers)
{
	static const char *const files[] = {
	    "dumps/race/go1.19-plain.txt", "dumps/race/go1.27-plain.txt",
	    "dumps/race/go1.19-multi.txt", "dumps/race/go1.27-multi.txt",
	    "dumps/race/go1.19-test.txt",  "dumps/race/go1.27-test.txt",
	};
	size_t checked = 0, split = 0;
	for (size_t k = 0; k < sizeof(files) / sizeof(files[0]); k++) {
		size_t len;
		char *buf = read_fixture(files[k], &len);
		struct snaps base = parse_mem(buf, len);
		// "by goroutine N:" -> "by goroutine\nN:"; "created at:" lines stay.
		char *re = malloc(len * 2 + 1);
		ck_assert_ptr_nonnull(re);
		size_t o = 0;
		for (size_t i = 0; i < len; i++) {
			re[o++] = buf[i];
			if (i >= 12 && !memcmp(buf + i - 12, " by goroutine", 13) &&
			    buf[i + 1] == ' ') {
				re[o++] = '\n';
				i++; // the blank before the number
				split++;
			}
		}
		struct snaps s = parse_mem(re, o);
		ck_assert_uint_eq(s.n, 1);
		assert_same(base.v[0], s.v[0]);
		checked++;
		for (size_t i = 0; i < s.n; i++)
			gpm_incident_destroy(s.v[i]);
		free(s.v);
		for (size_t i = 0; i < base.n; i++)
			gpm_incident_destroy(base.v[i]);
		free(base.v);
		free(re);
		free(buf);
	}
	ck_assert_uint_eq(checked, 6);
	ck_assert_uint_ge(split, 12);
	// One line not understood: said in the singular.
	struct gpm_incident *inc = parse_str("WARNING: DATA RACE\n"
	                                     "Write at 0x00c000012345 by goroutine 7:\n"
	                                     "  main.f()\n      /a/main.go:10 +0x44\n"
	                                     "  !! a line of something else\n"
	                                     "Previous read at 0x00c000012345 by main goroutine:\n"
	                                     "  main.main()\n      /a/main.go:20 +0x88\n"
	                                     "==================\n");
	ck_assert_uint_eq(inc->warnings.len, 1);
	ck_assert_msg(strstr(inc->warnings.v[0].text, ": 1 line not understood"), "%s",
	              inc->warnings.v[0].text);
	gpm_incident_destroy(inc);
}
END_TEST

START_TEST(test_cap)
{
	static const char rep[] = "==================\n"
	                          "WARNING: DATA RACE\n"
	                          "Write at 0x00c000010000 by goroutine 6:\n"
	                          "  main.f()\n"
	                          "      /src/a.go:3 +0x1\n"
	                          "\n"
	                          "Previous write at 0x00c000010000 by goroutine 5:\n"
	                          "  main.f()\n"
	                          "      /src/a.go:3 +0x1\n"
	                          "==================\n";
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	for (int i = 0; i < 2100; i++)
		gpm_strbuf_puts(&sb, rep);
	gpm_strbuf_puts(&sb, "Found 2100 data race(s)\n");
	struct snaps s = parse_mem(sb.buf, sb.len);
	ck_assert_uint_eq(s.n, 1);
	struct gpm_incident *inc = s.v[0];
	ck_assert_uint_eq(inc->races.len, 2000);
	ck_assert_uint_eq(inc->races_dropped, 100);
	ck_assert_uint_eq(inc->races_found, 2100);
	ck_assert_uint_eq(inc->warnings.len, 1);
	// Identical stacks are stored once.
	ck_assert_uint_le(inc->stacks.len, 2);
	struct gpm_analysis *a;
	ck_assert(!gpm_analysis_run(inc, NULL, &a));
	ck_assert_uint_eq(a->findings.len, 1);
	ck_assert_ptr_nonnull(strstr(a->findings.v[0].title, "(2000 reports)"));
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	free(s.v);
	gpm_strbuf_deinit(&sb);
}
END_TEST

/* ---- findings ---- */

static const char *evidence_of(const struct gpm_finding *f, const char *key)
{
	for (size_t i = 0; i < f->evidence.len; i++)
		if (!strcmp(f->evidence.v[i].key, key))
			return f->evidence.v[i].value;
	return NULL;
}

START_TEST(test_findings)
{
	struct gpm_incident *inc = parse_one("dumps/race/go1.19-multi.txt");
	struct gpm_analysis *a;
	ck_assert(!gpm_analysis_run(inc, NULL, &a));
	ck_assert_uint_eq(a->findings.len, 2);
	// Two reports of main.go:41 against itself, then the status race.
	const struct gpm_finding *f = &a->findings.v[0];
	ck_assert_str_eq(f->rule, "race.data");
	ck_assert_int_eq(f->confidence, GPM_CONFIDENCE_CERTAIN);
	ck_assert_str_eq(f->title, "data race between main.bump at " MAIN_GO
	                           ":41 and main.bump at " MAIN_GO ":41 (2 reports)");
	ck_assert_uint_eq(f->address, 0x5db860);
	ck_assert_str_eq(evidence_of(f, "reports"), "2, on 0x5db860, 0x5db868");
	ck_assert_str_eq(evidence_of(f, "goroutine 7"), "created by main.multi at " MAIN_GO ":62");
	ck_assert_uint_eq(f->goroutines.len, 3); // 1, 7, 8
	f = &a->findings.v[1];
	ck_assert_str_eq(f->title, "data race between main.multi at " MAIN_GO
	                           ":70 and main.setStatus at " MAIN_GO ":57");
	ck_assert_str_eq(evidence_of(f, "goroutine 9"),
	                 "created by main.multi at " MAIN_GO ":68 (finished before the report)");
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);

	// go test: the previous access lost its test frame (inlined); the testing package is
	// named, and said to be so.
	inc = parse_one("dumps/race/go1.27-test.txt");
	ck_assert(!gpm_analysis_run(inc, NULL, &a));
	ck_assert_uint_eq(a->findings.len, 1);
	f = &a->findings.v[0];
	ck_assert_str_eq(f->title,
	                 "data race between gopm.test/fixture/racetest.(*cache).put at " CACHE_GO
	                 ":15 and testing.tRunner at testing/testing.go:2195");
	ck_assert_str_eq(evidence_of(f, "failed test"), "TestCache");
	ck_assert_ptr_nonnull(strstr(evidence_of(f, "previous access"), "no frame of the program"));
	ck_assert_ptr_null(strstr(evidence_of(f, "access"), "no frame of the program"));
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);

	// Go 1.19's two reports of the same test race pair up in either order of the lines.
	inc = parse_one("dumps/race/go1.19-test.txt");
	ck_assert(!gpm_analysis_run(inc, NULL, &a));
	ck_assert_uint_eq(a->findings.len, 1);
	ck_assert_ptr_nonnull(
	    strstr(a->findings.v[0].title, "(*cache).get at " CACHE_GO ":19 and"));
	ck_assert_ptr_nonnull(strstr(a->findings.v[0].title, "(2 reports)"));
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);

	// The same two lines with the roles swapped are one pair; another line is another.
	inc = parse_str(
	    "WARNING: DATA RACE\n"
	    "Write at 0x10 by goroutine 6:\n  main.f()\n      /src/a.go:3 +0x1\n"
	    "Previous read at 0x10 by main goroutine:\n  main.g()\n      /src/a.go:7 +0x2\n"
	    "==================\n"
	    "WARNING: DATA RACE\n"
	    "Read at 0x20 by main goroutine:\n  main.g()\n      /src/a.go:7 +0x5\n"
	    "Previous write at 0x20 by goroutine 8:\n  main.f()\n      /src/a.go:3 +0x1\n"
	    "==================\n"
	    "WARNING: DATA RACE\n"
	    "Read at 0x20 by main goroutine:\n  main.g()\n      /src/a.go:8 +0x5\n"
	    "Previous write at 0x20 by goroutine 8:\n  main.f()\n      /src/a.go:3 +0x1\n"
	    "==================\n");
	ck_assert_uint_eq(inc->races.len, 3);
	ck_assert(!gpm_analysis_run(inc, NULL, &a));
	ck_assert_uint_eq(a->findings.len, 2);
	ck_assert_str_eq(
	    a->findings.v[0].title,
	    "data race between main.f at /src/a.go:3 and main.g at /src/a.go:7 (2 reports)");
	ck_assert_str_eq(a->findings.v[1].title,
	                 "data race between main.g at /src/a.go:8 and main.f at /src/a.go:3");
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
}
END_TEST

Suite *race_suite(void)
{
	Suite *s = suite_create("race");
	TCase *tc = tcase_create("race");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_plain);
	tcase_add_test(tc, test_multi);
	tcase_add_test(tc, test_go_test);
	tcase_add_test(tc, test_old_format);
	tcase_add_test(tc, test_reindented);
	tcase_add_test(tc, test_split_headers);
	tcase_add_test(tc, test_shapes);
	tcase_add_test(tc, test_cap);
	tcase_add_test(tc, test_findings);
	suite_add_tcase(s, tc);
	return s;
}
