/*
 * Unit tests of src/analysis/argwords.c: the argument words the rules read once per run
 * (gpm_rule_arg_first, gpm_rule_arg_each) are what walking the argument texts gives, the
 * way the rules walked them before, on every plain-text fixture.
 */
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/rules.h"
#include "base/source.h"
#include "check_gopm.h"
#include "dump/dump.h"

struct seen {
	uint64_t v[4096];
	size_t n;
};

static void seen_cb(void *arg, uint64_t v)
{
	struct seen *s = arg;
	ck_assert_uint_lt(s->n, 4096);
	s->v[s->n++] = v;
}

/* What the rules did before the cache: g's own texts (own_only), else its own texts while
 * they last and then its frames' args, frames from `from` on, each cut at 1023 bytes. */
static void each_by_text(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                         uint32_t from, bool own_only, struct seen *out)
{
	const char *a;
	size_t an;
	if (own_only) {
		struct gpm_args_iter it;
		uint32_t nf;
		gpm_goroutine_frames(inc, g, &nf);
		if (!gpm_goroutine_args_begin(inc, g, &it))
			return;
		for (uint32_t k = 0; k < nf && gpm_args_iter_next(&it, &a, &an); k++)
			if (k >= from)
				gpm_rule_each_arg(a, an < 1024 ? an : 1023, seen_cb, out);
		return;
	}
	struct gpm_frame_args_iter it;
	gpm_goroutine_frame_args_begin(inc, g, &it);
	while (gpm_frame_args_next(&it, &a, &an))
		if (a && it.i - 1 >= from)
			gpm_rule_each_arg(a, an < 1024 ? an : 1023, seen_cb, out);
}

static struct {
	size_t files, goroutines, firsts, words;
} st;

static void check_file(const char *path)
{
	struct gpm_source *src;
	struct gpm_error *err = gpm_source_open(path, &src);
	ck_assert_msg(!err, "%s: %s", path, err ? err->message : "");
	struct gpm_incident **v = NULL;
	size_t n = 0;
	err = gpm_dump_parse_all((const char *)src->data, src->size, path, NULL, &v, &n);
	if (err) { // not a dump (a fixture of another kind): nothing to compare
		gpm_error_destroy(err);
		gpm_source_destroy(src);
		return;
	}
	st.files++;
	static struct seen want, got;
	for (size_t s = 0; s < n; s++) {
		const struct gpm_incident *inc = v[s];
		struct gpm_rule_ctx c = {.inc = inc};
		for (size_t i = 0; i < inc->goroutines.len; i++) {
			const struct gpm_goroutine *g = &inc->goroutines.v[i];
			uint32_t nf;
			gpm_goroutine_frames(inc, g, &nf);
			st.goroutines++;
			for (uint32_t f = 0; f <= nf && f < 64; f++) {
				char abuf[1024];
				uint64_t x = 0, y = 0;
				bool bx =
				    gpm_rule_first_arg(gpm_rule_frame_args(inc, g, f, &abuf), &x);
				bool by = gpm_rule_arg_first(&c, g, f, &y);
				ck_assert_msg(bx == by && x == y,
				              "%s: goroutine %" PRIu64 " frame %u: first %#" PRIx64
				              " (%d), cached %#" PRIx64 " (%d)",
				              path, g->id, f, x, bx, y, by);
				st.firsts += bx;
			}
			for (int own = 0; own < 2; own++)
				for (uint32_t from = 0; from < 4; from++) {
					want.n = got.n = 0;
					each_by_text(inc, g, from, own, &want);
					gpm_rule_arg_each(&c, g, from, own, seen_cb, &got);
					ck_assert_msg(
					    want.n == got.n &&
					        !memcmp(want.v, got.v, want.n * sizeof(*want.v)),
					    "%s: goroutine %" PRIu64
					    " from %u own %d: %zu words, cached %zu",
					    path, g->id, from, own, want.n, got.n);
					st.words += from == 0 && !own ? want.n : 0;
				}
		}
		gpm_arg_words_destroy(c.words);
		gpm_incident_destroy(v[s]);
	}
	free(v);
	gpm_source_destroy(src);
}

static int each_text_fixture(const char *path, const struct stat *sb, int type, struct FTW *f)
{
	(void)sb;
	(void)f;
	size_t n = strlen(path);
	if (type == FTW_F && n > 4 &&
	    (!strcmp(path + n - 4, ".txt") || !strcmp(path + n - 4, ".log")))
		check_file(path);
	return 0;
}

START_TEST(arg_words_as_the_text_says)
{
	memset(&st, 0, sizeof(st));
	static const char *const dirs[] = {"dumps", "pprof"};
	for (size_t k = 0; k < 2; k++) {
		char dir[4096];
		snprintf(dir, sizeof(dir), "%s", gpm_test_data(dirs[k]));
		ck_assert_int_eq(nftw(dir, each_text_fixture, 16, FTW_PHYS), 0);
	}
	// What was checked: the plain-text fixtures of testdata/dumps and testdata/pprof.
	ck_assert_msg(st.files >= 200 && st.goroutines >= 3000 && st.firsts >= 5000 &&
	                  st.words >= 8000,
	              "checked %zu files, %zu goroutines, %zu first words, %zu words", st.files,
	              st.goroutines, st.firsts, st.words);
}
END_TEST

/* A frame's first argument counts even when it is no pointer (0x1) and the frame's other
 * words do not; a word followed by '?' is none; own texts that stop before the frames end
 * give no first word past them, but each-walks go on with the frames' own args. */
START_TEST(arg_words_firsts_and_inexact)
{
	static const char dump[] = "goroutine 7 [semacquire]:\n"
	                           "sync.runtime_SemacquireMutex(0xc000012345?, 0x0?, 0x1?)\n"
	                           "\t/usr/lib/go/src/runtime/sema.go:77 +0x25\n"
	                           "main.f(0x1, {0xc000100000, 0x5}, 0x0)\n"
	                           "\t/app/main.go:10 +0x1d\n"
	                           "main.g(0xc000200000)\n"
	                           "\t/app/main.go:20 +0x1d\n";
	struct gpm_incident **v = NULL;
	size_t n = 0;
	ck_assert_ptr_null(gpm_dump_parse_all(dump, sizeof(dump) - 1, "t", NULL, &v, &n));
	ck_assert_uint_eq(n, 1);
	struct gpm_rule_ctx c = {.inc = v[0]};
	const struct gpm_goroutine *g = &v[0]->goroutines.v[0];
	uint64_t x = 0;
	ck_assert(!gpm_rule_arg_first(&c, g, 0, &x));
	ck_assert(gpm_rule_arg_first(&c, g, 1, &x));
	ck_assert_uint_eq(x, 1);
	ck_assert(gpm_rule_arg_first(&c, g, 2, &x));
	ck_assert_uint_eq(x, 0xc000200000);
	ck_assert(!gpm_rule_arg_first(&c, g, 3, &x));
	static struct seen got;
	got.n = 0;
	gpm_rule_arg_each(&c, g, 0, false, seen_cb, &got);
	ck_assert_uint_eq(got.n, 2);
	ck_assert_uint_eq(got.v[0], 0xc000100000);
	ck_assert_uint_eq(got.v[1], 0xc000200000);
	got.n = 0;
	gpm_rule_arg_each(&c, g, 2, true, seen_cb, &got);
	ck_assert_uint_eq(got.n, 1);
	ck_assert_uint_eq(got.v[0], 0xc000200000);
	gpm_arg_words_destroy(c.words);
	gpm_incident_destroy(v[0]);
	free(v);
}
END_TEST

/* First words as strtoull reads them, in place or not: upper-case digits, a value that
 * overflows (saturated), digits stopped by a letter or '?', a second "0x", a sign, a space,
 * zero. Each frame's cached first word is the one of its text. */
START_TEST(arg_words_firsts_as_strtoull)
{
	static const char *const args[] = {"0xC0FFEE, 0x1",
	                                   "0xffffffffffffffffff0",
	                                   "0x12abcdefg",
	                                   "0x12?",
	                                   "0x0x1234",
	                                   "0x0X1234",
	                                   "0x-12",
	                                   "0x 12",
	                                   "0x+12",
	                                   "0x0",
	                                   "0x00000000000000012",
	                                   "0x",
	                                   "0xg",
	                                   "0x1234)",
	                                   "0xffffffffffffffff",
	                                   "0x0ffffffffffffffff",
	                                   "0x00000000000000000"};
	enum { N = sizeof(args) / sizeof(*args) };
	static char dump[4096];
	size_t len = (size_t)snprintf(dump, sizeof(dump), "goroutine 9 [select]:\n");
	for (size_t i = 0; i < N; i++)
		len += (size_t)snprintf(dump + len, sizeof(dump) - len,
		                        "main.f%zu(%s)\n\t/app/main.go:%zu +0x1d\n", i, args[i],
		                        i + 1);
	ck_assert_uint_lt(len, sizeof(dump));
	struct gpm_incident **v = NULL;
	size_t n = 0;
	ck_assert_ptr_null(gpm_dump_parse_all(dump, len, "t", NULL, &v, &n));
	ck_assert_uint_eq(n, 1);
	const struct gpm_goroutine *g = &v[0]->goroutines.v[0];
	uint32_t nf;
	gpm_goroutine_frames(v[0], g, &nf);
	ck_assert_uint_eq(nf, N);
	struct gpm_rule_ctx c = {.inc = v[0]};
	size_t firsts = 0;
	uint64_t got[N] = {0};
	for (uint32_t f = 0; f < nf; f++) {
		char abuf[1024];
		uint64_t x = 0, y = 0;
		bool bx = gpm_rule_first_arg(gpm_rule_frame_args(v[0], g, f, &abuf), &x);
		bool by = gpm_rule_arg_first(&c, g, f, &y);
		ck_assert_msg(bx == by && x == y,
		              "frame %u (%s): first %#" PRIx64 " (%d), cached %#" PRIx64 " (%d)", f,
		              args[f], x, bx, y, by);
		firsts += bx;
		got[f] = y;
	}
	// strtoull after "0x": skips a space and a sign, reads a second "0x" as its prefix.
	ck_assert_uint_eq(firsts, 12);
	ck_assert_uint_eq(got[0], 0xc0ffee);
	ck_assert_uint_eq(got[1], UINT64_MAX);
	ck_assert_uint_eq(got[2], 0x12abcdef);
	ck_assert_uint_eq(got[4], 0x1234);
	ck_assert_uint_eq(got[10], 0x12);
	ck_assert_uint_eq(got[14], UINT64_MAX);
	ck_assert_uint_eq(got[15], UINT64_MAX);
	gpm_arg_words_destroy(c.words);
	gpm_incident_destroy(v[0]);
	free(v);
}
END_TEST

static void last_cb(void *arg, uint64_t v)
{
	*(uint64_t *)arg = v;
}

/* Every word as strtoull reads it: past 16 significant digits saturated, leading zeros not
 * counted, a run of zeros at the very end of the text read without going past it. */
START_TEST(arg_words_each_saturates_as_strtoull)
{
	static const struct {
		const char *text;
		uint64_t want; /* 0: no word */
	} cases[] = {
	    {"0xffffffffffffffffff0", UINT64_MAX},      {"0xffffffffffffffff", UINT64_MAX},
	    {"0x0ffffffffffffffff", UINT64_MAX},        {"0x10000000000000000", UINT64_MAX},
	    {"0x000000000000000001234", 0x1234},        {"0x00000000000000000", 0},
	    {"0x1000000000000000", 0x1000000000000000},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		size_t n = strlen(cases[i].text);
		char *t = malloc(n); // no NUL after it: a read past the end is caught
		ck_assert_ptr_nonnull(t);
		memcpy(t, cases[i].text, n);
		uint64_t got = 0;
		gpm_rule_each_arg(t, n, last_cb, &got);
		ck_assert_msg(got == cases[i].want, "%s: %#" PRIx64, cases[i].text, got);
		free(t);
	}
}
END_TEST

Suite *argwords_suite(void)
{
	Suite *s = suite_create("argwords");
	// Every text fixture parsed: more than the default timeout under the sanitizers.
	TCase *tc = tcase_create("argwords");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, arg_words_as_the_text_says);
	tcase_add_test(tc, arg_words_firsts_and_inexact);
	tcase_add_test(tc, arg_words_firsts_as_strtoull);
	tcase_add_test(tc, arg_words_each_saturates_as_strtoull);
	suite_add_tcase(s, tc);
	return s;
}
