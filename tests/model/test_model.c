/* Unit tests of src/model: stack deduplication, labels, the argument words of text dumps. */
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_gopm.h"
#include "base/source.h"
#include "dump/dump.h"
#include "model/argwords.h"
#include "model/incident.h"

static uint32_t add_stack(struct gpm_incident *inc, const char *const *funcs, int n, uint32_t line)
{
	struct gpm_stack_builder b;
	gpm_incident_stack_begin(inc, &b);
	for (int i = 0; i < n; i++) {
		struct gpm_frame *f = gpm_incident_frame_push(inc);
		f->func = gpm_incident_str(inc, funcs[i], strlen(funcs[i]));
		f->file = gpm_incident_str(inc, "main.go", 7);
		f->line = line + (uint32_t)i;
	}
	uint32_t idx;
	ck_assert_ptr_null(gpm_incident_stack_commit(inc, &b, &idx));
	return idx;
}

START_TEST(stacks_are_deduplicated)
{
	struct gpm_incident *inc = gpm_incident_create(GPM_INPUT_DUMP);
	const char *const a[] = {"runtime.gopark", "runtime.chanrecv", "main.worker"};
	for (int i = 0; i < 1000; i++) {
		struct gpm_goroutine *g = gpm_incident_goroutine_push(inc);
		g->id = (uint64_t)i + 1;
		g->stack = add_stack(inc, a, 3, i % 2 ? 10 : 20);
	}
	ck_assert_uint_eq(inc->stacks.len, 2);
	ck_assert_uint_eq(inc->frames.len, 6);
	ck_assert_uint_eq(inc->stacks.v[0].refs, 500);
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, &inc->goroutines.v[1], &n);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(f[2].func, "main.worker");
	ck_assert_uint_eq(f[2].line, 12);
	gpm_incident_destroy(inc);
}
END_TEST

START_TEST(labels_belong_to_their_goroutine)
{
	struct gpm_incident *inc = gpm_incident_create(GPM_INPUT_DUMP);
	struct gpm_goroutine *g = gpm_incident_goroutine_push(inc);
	ck_assert_ptr_null(gpm_incident_label_push(inc, g, "k", 1, "v", 1));
	ck_assert_ptr_null(gpm_incident_label_push(inc, g, "k2", 2, "v2", 2));
	g = gpm_incident_goroutine_push(inc);
	ck_assert_uint_eq(gpm_goroutine_extra(inc, g)->nlabels, 0);
	ck_assert_uint_eq(gpm_goroutine_extra(inc, &inc->goroutines.v[0])->nlabels, 2);
	ck_assert_str_eq(
	    inc->labels.v[gpm_goroutine_extra(inc, &inc->goroutines.v[0])->first_label + 1].value,
	    "v2");
	ck_assert_ptr_null(gpm_incident_warn(inc, "stack of goroutine %d truncated", 7));
	ck_assert_str_eq(inc->warnings.v[0].text, "stack of goroutine 7 truncated");
	gpm_incident_destroy(inc);
}
END_TEST

/* Goroutines of one stack keep their first sp only when their frames sit at the stack's
 * offsets; the others keep their own regs. */
START_TEST(frame_regs_are_shared_by_offsets)
{
	struct gpm_incident *inc = gpm_incident_create(GPM_INPUT_CORE);
	const char *const a[] = {"runtime.gopark", "runtime.chanrecv", "main.worker"};
	const uint64_t sp0[5] = {0xc000100000, 0xc000200000, 0xc000300000, 0xc000380000,
	                         0xc000400000};
	for (int i = 0; i < 5; i++) {
		struct gpm_goroutine *g = gpm_incident_goroutine_push(inc);
		g->id = (uint64_t)i + 1;
		g->stack = add_stack(inc, a, 3, 10);
		uint64_t s = sp0[i];
		// The third goroutine's middle frame is bigger, the fourth's outermost fp far off,
		// the fifth's unknown.
		struct gpm_frame_regs r[3] = {
		    {s, s + 0x20}, {s + 0x20, s + (i == 2 ? 0x98 : 0x90)}, {s + 0x90, s + 0x100}};
		if (i == 2)
			r[2] = (struct gpm_frame_regs){s + 0x98, s + 0x108};
		if (i == 3)
			r[2].fp = s + (1ULL << 40); // too far for an offset
		if (i == 4)
			r[2].fp = 0;
		ck_assert_ptr_null(gpm_incident_goroutine_set_regs(inc, g, r, 3));
	}
	ck_assert_uint_eq(inc->stacks.len, 1);
	ck_assert_uint_eq(inc->stack_regs.len, 3);
	const bool derived[5] = {true, true, false, false, false};
	for (int i = 0; i < 5; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		const struct gpm_goroutine_extra *x = gpm_goroutine_extra(inc, g);
		ck_assert_int_eq(x->regs_derived, derived[i]);
		ck_assert_int_eq(x->regs == NULL, derived[i]);
		ck_assert(gpm_goroutine_has_regs(inc, g));
		uint64_t s = sp0[i];
		struct gpm_frame_regs r = gpm_goroutine_frame_regs(inc, g, 1);
		ck_assert_uint_eq(r.sp, s + 0x20);
		ck_assert_uint_eq(r.fp, s + (i == 2 ? 0x98 : 0x90));
		r = gpm_goroutine_frame_regs(inc, g, 2);
		ck_assert_uint_eq(r.fp, i == 4   ? 0
		                        : i == 3 ? s + (1ULL << 40)
		                                 : s + (i == 2 ? 0x108 : 0x100));
	}
	// Out of range, and a goroutine without regs: zero.
	ck_assert_uint_eq(gpm_goroutine_frame_regs(inc, &inc->goroutines.v[0], 3).sp, 0);
	struct gpm_goroutine *g = gpm_incident_goroutine_push(inc);
	ck_assert(!gpm_goroutine_has_regs(inc, g));
	ck_assert_uint_eq(gpm_goroutine_frame_regs(inc, g, 0).fp, 0);
	gpm_incident_destroy(inc);
}
END_TEST

/* ---- argument words: the parser's table says what the text says ---- */

struct word {
	uint64_t v;
	uint32_t frame;
};

struct words {
	struct word w[4096];
	size_t n;
	uint32_t frame;
};

static void word_cb(void *arg, uint64_t v, size_t at)
{
	(void)at;
	struct words *ws = arg;
	ck_assert_uint_lt(ws->n, 4096);
	ws->w[ws->n++] = (struct word){v, ws->frame};
}

static struct {
	size_t files, recorded, words, firsts;
} aw;

/* Every goroutine of every snapshot of path: a recorded one's words and first words equal
 * what its argument texts give (the walk the rules made before the table: g's own texts,
 * then its frames', each cut at GPM_ARG_TEXT_MAX). */
static void check_arg_words_file(const char *path)
{
	struct gpm_source *src;
	struct gpm_error *err = gpm_source_open(path, &src);
	ck_assert_msg(!err, "%s: %s", path, err ? err->message : "");
	struct gpm_incident **v = NULL;
	size_t n = 0;
	struct gpm_dump_options o = {.borrow_text = true};
	err = gpm_dump_parse_all((const char *)src->data, src->size, path, &o, &v, &n);
	if (err) { // not a dump (a fixture of another kind): nothing to compare
		gpm_error_destroy(err);
		gpm_source_destroy(src);
		return;
	}
	aw.files++;
	for (size_t s = 0; s < n; s++) {
		const struct gpm_incident *inc = v[s];
		for (size_t i = 0; i < inc->goroutines.len; i++) {
			const struct gpm_goroutine *g = &inc->goroutines.v[i];
			const uint64_t *wv;
			const uint32_t *wm;
			size_t wn;
			if (!gpm_goroutine_arg_words(inc, g, &wv, &wm, &wn))
				continue;
			aw.recorded++;
			static struct words want;
			want.n = 0;
			uint64_t first[256];
			uint32_t nf = 0;
			struct gpm_frame_args_iter it;
			gpm_goroutine_frame_args_begin(inc, g, &it);
			const char *a;
			size_t an;
			while (gpm_frame_args_next(&it, &a, &an)) {
				want.frame = it.i - 1;
				ck_assert_msg(it.own,
				              "%s: goroutine %" PRIu64 " recorded, texts short",
				              path, g->id);
				size_t cut = an < GPM_ARG_TEXT_MAX ? an : GPM_ARG_TEXT_MAX;
				char buf[GPM_ARG_TEXT_MAX + 1];
				if (a)
					memcpy(buf, a, cut);
				buf[a ? cut : 0] = 0;
				if (a)
					gpm_arg_text_words(a, cut, word_cb, &want);
				uint64_t fw = 0;
				if (nf < 256)
					first[nf++] = gpm_arg_text_first_word(buf, &fw) ? fw : 0;
			}
			size_t got = 0;
			uint64_t gotfirst[256] = {0};
			for (size_t k = 0; k < wn; k++) {
				uint32_t f = wm[k] >> GPM_ARG_WORD_FRAME_SHIFT;
				ck_assert_uint_lt(f, nf);
				if (wm[k] & GPM_ARG_WORD_FIRST) {
					ck_assert_msg(!gotfirst[f], "%s: two first words", path);
					gotfirst[f] = wv[k];
					aw.firsts++;
				}
				if (!(wm[k] & GPM_ARG_WORD_ANY))
					continue;
				ck_assert_msg(got < want.n && want.w[got].v == wv[k] &&
				                  want.w[got].frame == f,
				              "%s: goroutine %" PRIu64 ": word %zu differs", path,
				              g->id, got);
				got++;
				aw.words++;
			}
			ck_assert_msg(got == want.n,
			              "%s: goroutine %" PRIu64 ": %zu words, text %zu", path, g->id,
			              got, want.n);
			for (uint32_t f = 0; f < nf; f++)
				ck_assert_msg(gotfirst[f] == first[f],
				              "%s: goroutine %" PRIu64
				              " frame %u: first word %#" PRIx64 ", text %#" PRIx64,
				              path, g->id, f, gotfirst[f], first[f]);
		}
		gpm_incident_destroy(v[s]);
	}
	free(v);
	gpm_source_destroy(src);
}

static int each_text_fixture(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)f;
	size_t n = strlen(path);
	if (type == FTW_F &&
	    ((n > 4 && !strcmp(path + n - 4, ".txt")) || (n > 4 && !strcmp(path + n - 4, ".log"))))
		check_arg_words_file(path);
	return 0;
}

START_TEST(arg_words_match_the_text)
{
	memset(&aw, 0, sizeof(aw));
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", gpm_test_data("dumps"));
	ck_assert_int_eq(nftw(dir, each_text_fixture, 16, FTW_PHYS), 0);
	snprintf(dir, sizeof(dir), "%s", gpm_test_data("pprof"));
	ck_assert_int_eq(nftw(dir, each_text_fixture, 16, FTW_PHYS), 0);
	// What was checked: the fixtures of testdata/dumps and testdata/pprof in plain text.
	ck_assert_msg(aw.files >= 200 && aw.recorded >= 3000 && aw.words >= 8000 &&
	                  aw.firsts >= 5000,
	              "checked %zu files, %zu goroutines, %zu words, %zu first words", aw.files,
	              aw.recorded, aw.words, aw.firsts);
}
END_TEST

/* A frame's first argument is a word of its own even when it is no pointer (0x1), and a
 * word followed by '?' is none. */
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
	const uint64_t *wv;
	const uint32_t *wm;
	size_t wn;
	ck_assert(gpm_goroutine_arg_words(v[0], &v[0]->goroutines.v[0], &wv, &wm, &wn));
	ck_assert_uint_eq(wn, 3);
	ck_assert_uint_eq(wv[0], 0xc000100000);
	ck_assert_uint_eq(wm[0], 1u << GPM_ARG_WORD_FRAME_SHIFT | GPM_ARG_WORD_ANY);
	ck_assert_uint_eq(wv[1], 1);
	ck_assert_uint_eq(wm[1], 1u << GPM_ARG_WORD_FRAME_SHIFT | GPM_ARG_WORD_FIRST);
	ck_assert_uint_eq(wv[2], 0xc000200000);
	ck_assert_uint_eq(wm[2],
	                  2u << GPM_ARG_WORD_FRAME_SHIFT | GPM_ARG_WORD_ANY | GPM_ARG_WORD_FIRST);
	gpm_incident_destroy(v[0]);
	free(v);
}
END_TEST

Suite *model_suite(void)
{
	Suite *s = suite_create("model");
	TCase *tc = tcase_create("model");
	tcase_add_test(tc, stacks_are_deduplicated);
	tcase_add_test(tc, labels_belong_to_their_goroutine);
	tcase_add_test(tc, frame_regs_are_shared_by_offsets);
	// Every text fixture parsed: more than the default timeout under the sanitizers.
	TCase *tw = tcase_create("argwords");
	tcase_set_timeout(tw, 120);
	tcase_add_test(tw, arg_words_match_the_text);
	tcase_add_test(tw, arg_words_firsts_and_inexact);
	suite_add_tcase(s, tw);
	suite_add_tcase(s, tc);
	return s;
}
