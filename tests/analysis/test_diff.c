/* Unit tests of src/analysis/diff.c (matching, the leak rule), src/analysis/profile.c
 * (folded stacks) and src/base/pbwrite.c (varints, gzip). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "analysis/diff.h"
#include "analysis/profile.h"
#include "base/pbwrite.h"
#include "check_gopm.h"
#include "dump/dump.h"

/* A dump with n goroutines blocked in main.(*S).wait and one in main.main, in the runtime's
 * default form (no runtime frames) or the "system" form (gopark, a go-statement wrapper and
 * goexit around the same user frames). */
static char *leak_dump(unsigned n, bool system)
{
	size_t cap = 256 + (size_t)n * 400;
	char *s = malloc(cap);
	ck_assert_ptr_nonnull(s);
	size_t o = (size_t)snprintf(s, cap,
	                            "goroutine 1 [select]:\nmain.main()\n"
	                            "\t/src/main.go:50 +0x10\n");
	for (unsigned i = 0; i < n; i++) {
		o += (size_t)snprintf(s + o, cap - o, "\ngoroutine %u [chan receive]:\n", 100 + i);
		if (system)
			o += (size_t)snprintf(s + o, cap - o,
			                      "runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)\n"
			                      "\truntime/proc.go:402 +0xce\n"
			                      "runtime.chanrecv1(0xc000010000?, 0x0?)\n"
			                      "\truntime/chan.go:442 +0x12\n");
		o += (size_t)snprintf(s + o, cap - o,
		                      "main.(*S).wait(0xc000%06x)\n\t/src/main.go:40 +0x1d\n", i);
		if (system)
			o += (size_t)snprintf(
			    s + o, cap - o,
			    "main.handle.gowrap1()\n\t/src/main.go:45 +0x25\n"
			    "runtime.goexit({})\n\truntime/asm_amd64.s:1695 +0x1\n");
		o += (size_t)snprintf(
		    s + o, cap - o,
		    "created by main.handle in goroutine 1\n\t/src/main.go:45 +0x20\n");
	}
	return s;
}

struct snap {
	char *text;
	struct gpm_incident *inc;
};

static void snap_load(struct snap *s, unsigned n, bool system)
{
	s->text = leak_dump(n, system);
	struct gpm_incident **v;
	size_t k;
	ck_assert(!gpm_dump_parse_all(s->text, strlen(s->text), "t", NULL, &v, &k));
	ck_assert_uint_eq(k, 1);
	s->inc = v[0];
	free(v);
}

static void snap_free(struct snap *s)
{
	gpm_incident_destroy(s->inc);
	free(s->text);
}

/* Diffs snapshots with these counts (system form for odd indices when mixed). */
static struct gpm_diff *diff_of(const unsigned *counts, size_t n, bool mixed)
{
	struct snap s[8];
	struct gpm_diff_input in[8];
	for (size_t i = 0; i < n; i++) {
		snap_load(&s[i], counts[i], mixed && (i & 1));
		in[i] = (struct gpm_diff_input){.label = "t", .inc = s[i].inc};
	}
	struct gpm_diff *d;
	ck_assert(!gpm_diff_run(in, n, &d));
	// The diff owns copies of what it reports: the inputs can go.
	for (size_t i = 0; i < n; i++)
		snap_free(&s[i]);
	return d;
}

START_TEST(test_diff_core_and_text_agree)
{
	// The same goroutines printed with and without runtime frames and wrappers: nothing
	// changed.
	const unsigned counts[] = {7, 7};
	struct gpm_diff *d = diff_of(counts, 2, true);
	ck_assert_uint_eq(d->ngroups, 0);
	ck_assert_uint_eq(d->unchanged_groups, 2);
	ck_assert_uint_eq(d->nevidence, 0);
	gpm_diff_destroy(d);
}
END_TEST

START_TEST(test_diff_leak_rule)
{
	// Growth at every step over three snapshots: evidence, the group first.
	const unsigned grow[] = {3, 15, 30};
	struct gpm_diff *d = diff_of(grow, 3, true);
	ck_assert_uint_eq(d->ngroups, 1);
	ck_assert(d->groups[0].leak);
	ck_assert_int_eq(d->groups[0].delta, 27);
	ck_assert_uint_eq(d->nevidence, 1);
	ck_assert_ptr_nonnull(strstr(d->evidence[0], "main.(*S).wait [chan receive] grew 3 "));
	gpm_diff_destroy(d);
	// Grew, then shrank: listed, no verdict.
	const unsigned wobble[] = {20, 40, 30};
	d = diff_of(wobble, 3, false);
	ck_assert_uint_eq(d->ngroups, 1);
	ck_assert(!d->groups[0].leak);
	ck_assert_uint_eq(d->nevidence, 0);
	gpm_diff_destroy(d);
	// Growth by less than GPM_DIFF_LEAK_MIN_STEP in all.
	const unsigned small[] = {1, 2, 3};
	d = diff_of(small, 3, false);
	ck_assert(!d->groups[0].leak);
	gpm_diff_destroy(d);
	// Two snapshots: +100 and at least doubled, or not.
	const unsigned pair[] = {10, 200}, pair_small[] = {100, 150};
	d = diff_of(pair, 2, false);
	ck_assert(d->groups[0].leak);
	gpm_diff_destroy(d);
	d = diff_of(pair_small, 2, false);
	ck_assert(!d->groups[0].leak);
	ck_assert(d->groups[0].change == GPM_DIFF_GROWN);
	gpm_diff_destroy(d);
}
END_TEST

START_TEST(test_diff_heap_rows)
{
	const struct gpm_diff_heap_row a[] = {{"main.T", 10, 1000, 0}, {"[]byte", 5, 500, 0}},
	                               b[] = {{"main.T", 30, 3000, 0}, {"main.U", 1, 8, 0}},
	                               c[] = {{"main.T", 90, 9000, 0}, {"[]byte", 5, 500, 0}};
	struct gpm_diff_input in[3] = {
	    {.label = "a", .heap = a, .nheap = 2, .has_heap = true, .heap_unit = "type"},
	    {.label = "b", .heap = b, .nheap = 2, .has_heap = true, .heap_unit = "type"},
	    {.label = "c", .heap = c, .nheap = 2, .has_heap = true, .heap_unit = "type"},
	};
	struct gpm_diff *d;
	ck_assert(!gpm_diff_run(in, 3, &d));
	ck_assert(d->heap_compared);
	ck_assert_uint_ge(d->ntypes, 1);
	ck_assert_str_eq(d->types[0].name, "main.T");
	ck_assert(d->types[0].leak);
	ck_assert_int_eq(d->types[0].delta_bytes, 8000);
	ck_assert_uint_eq(d->snapshots[2].heap_bytes, 9500);
	gpm_diff_destroy(d);
	struct gpm_error *err = gpm_diff_run(in, 1, &d); // one snapshot is no diff
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, GPM_ERR_USAGE);
	gpm_error_destroy(err);
}
END_TEST

// Retained bytes and retainers compare when both ends worked retention out: a type whose
// bytes stay while what it keeps alive grows is a changed row; a retainer is matched by
// its description.
START_TEST(test_diff_retained)
{
	const struct gpm_diff_heap_row a[] = {{"main.T", 10, 1000, 1000},
	                                      {"main.Cache", 1, 64, 500}},
	                               b[] = {{"main.T", 10, 1000, 1000},
	                                      {"main.Cache", 1, 64, 90000}};
	const struct gpm_diff_retainer ra[] = {{"main.cache (global)", 3, 600}},
	                               rb[] = {{"main.cache (global)", 900, 90100},
	                                       {"goroutine 7 main.work (stack frame)", 2, 100}};
	struct gpm_diff_input in[2] = {
	    {.label = "a",
	     .heap = a,
	     .nheap = 2,
	     .has_heap = true,
	     .has_retained = true,
	     .heap_unit = "type",
	     .retainers = ra,
	     .nretainers = 1},
	    {.label = "b",
	     .heap = b,
	     .nheap = 2,
	     .has_heap = true,
	     .has_retained = true,
	     .heap_unit = "type",
	     .retainers = rb,
	     .nretainers = 2},
	};
	struct gpm_diff *d;
	ck_assert(!gpm_diff_run(in, 2, &d));
	ck_assert(d->retained_compared);
	ck_assert_uint_eq(d->ntypes, 1);
	ck_assert_uint_eq(d->unchanged_types, 1);
	ck_assert_str_eq(d->types[0].name, "main.Cache");
	ck_assert_int_eq(d->types[0].delta_bytes, 0);
	ck_assert_int_eq(d->types[0].delta_retained, 89500);
	ck_assert_uint_eq(d->nretainers, 2);
	ck_assert_str_eq(d->retainers[0].what, "main.cache (global)");
	ck_assert_int_eq(d->retainers[0].delta_bytes, 89500);
	ck_assert(d->retainers[1].change == GPM_DIFF_NEW);
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	gpm_diff_format_text(d, 0, &sb);
	ck_assert_ptr_nonnull(strstr(gpm_strbuf_str(&sb), "retained 500 B \u2192 88 KiB"));
	ck_assert_ptr_nonnull(strstr(gpm_strbuf_str(&sb), "retainers (what keeps most of the heap "
	                                                  "alive): 2 changed, 0 unchanged"));
	ck_assert_ptr_null(strstr(gpm_strbuf_str(&sb), "nothing grew"));
	gpm_strbuf_deinit(&sb);
	gpm_diff_destroy(d);
	// One end without retention: bytes and objects only, and a note says why.
	in[0].has_retained = false;
	ck_assert(!gpm_diff_run(in, 2, &d));
	ck_assert(!d->retained_compared);
	ck_assert_uint_eq(d->ntypes, 0);
	ck_assert_uint_eq(d->nretainers, 0);
	ck_assert_uint_eq(d->nnotes, 1);
	ck_assert_ptr_nonnull(strstr(d->notes[0], "retained bytes are not compared"));
	gpm_diff_destroy(d);
}
END_TEST

START_TEST(test_profile_folded)
{
	struct snap s;
	snap_load(&s, 3, true);
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	struct gpm_profile_totals t;
	ck_assert(!gpm_profile_goroutines_folded(s.inc, &sb, &t));
	ck_assert_str_eq(gpm_strbuf_str(&sb),
	                 "main.main 1\n"
	                 "runtime.goexit;main.handle.gowrap1;main.(*S).wait;runtime.chanrecv1;"
	                 "runtime.gopark 3\n");
	ck_assert_uint_eq(t.samples, 2);
	ck_assert_uint_eq(t.value, 4);
	gpm_strbuf_reset(&sb);
	ck_assert(!gpm_profile_goroutines_pprof(s.inc, &sb, &t));
	ck_assert_uint_eq(t.samples, 2);
	ck_assert_uint_eq(t.locations, 6);
	ck_assert(sb.len > 18 && (uint8_t)sb.buf[0] == 0x1f && (uint8_t)sb.buf[1] == 0x8b);
	gpm_strbuf_deinit(&sb);
	snap_free(&s);
}
END_TEST

START_TEST(test_pbwrite)
{
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	gpm_pb_varint(&sb, 300);
	gpm_pb_uint(&sb, 1, 150);
	gpm_pb_bytes(&sb, 2, "testing", 7);
	const uint64_t v[] = {3, 270};
	gpm_pb_packed(&sb, 4, v, 2);
	// The examples of the protocol-buffers encoding guide.
	const uint8_t want[] = {0xac, 0x02, 0x08, 0x96, 0x01, 0x12, 0x07, 't',  'e', 's',
	                        't',  'i',  'n',  'g',  0x22, 0x03, 0x03, 0x8e, 0x02};
	ck_assert_uint_eq(sb.len, sizeof(want));
	ck_assert(!memcmp(sb.buf, want, sizeof(want)));
	// gzip: zlib reads it back.
	struct gpm_strbuf gz = GPM_STRBUF_INIT;
	ck_assert(!gpm_gzip(sb.buf, sb.len, &gz));
	z_stream z;
	memset(&z, 0, sizeof(z));
	ck_assert_int_eq(inflateInit2(&z, 15 + 16), Z_OK);
	uint8_t back[64];
	z.next_in = (Bytef *)gz.buf;
	z.avail_in = (uInt)gz.len;
	z.next_out = back;
	z.avail_out = sizeof(back);
	ck_assert_int_eq(inflate(&z, Z_FINISH), Z_STREAM_END);
	ck_assert_uint_eq(sizeof(back) - z.avail_out, sizeof(want));
	ck_assert(!memcmp(back, want, sizeof(want)));
	inflateEnd(&z);
	gpm_strbuf_deinit(&gz);
	gpm_strbuf_deinit(&sb);
}
END_TEST

Suite *diff_suite(void)
{
	Suite *s = suite_create("diff");
	TCase *tc = tcase_create("diff");
	tcase_add_test(tc, test_diff_core_and_text_agree);
	tcase_add_test(tc, test_diff_leak_rule);
	tcase_add_test(tc, test_diff_heap_rows);
	tcase_add_test(tc, test_diff_retained);
	tcase_add_test(tc, test_profile_folded);
	tcase_add_test(tc, test_pbwrite);
	suite_add_tcase(s, tc);
	return s;
}
