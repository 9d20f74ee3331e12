/*
 * Tests of the runtime-format printer (src/model/traceback.c) from incidents built by
 * hand, the way the core reader fills them: status and wait reason without a state
 * string, frames with args in the stack, registers per frame.
 */
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "check_gopm.h"
#include "model/traceback.h"

static const char *S(struct gpm_incident *inc, const char *s)
{
	return gpm_incident_str(inc, s, strlen(s));
}

static uint32_t stack2(struct gpm_incident *inc)
{
	struct gpm_stack_builder b;
	gpm_incident_stack_begin(inc, &b);
	struct gpm_frame *f = gpm_incident_frame_push(inc);
	f->func = S(inc, "main.(*T).wait");
	f->file = S(inc, "/app/t.go");
	f->line = 12;
	f->flags = GPM_FRAME_INLINED;
	f->pc = 0x401010;
	f = gpm_incident_frame_push(inc);
	f->func = S(inc, "main.main");
	f->file = S(inc, "/app/main.go");
	f->args = S(inc, "0xc000010000, {0x1?, 0x2}");
	f->line = 30;
	f->offset = 0x2f;
	f->flags = GPM_FRAME_HAS_OFFSET;
	f->pc = 0x401010;
	uint32_t st;
	ck_assert(!gpm_incident_stack_commit(inc, &b, &st));
	return st;
}

START_TEST(test_header_from_model)
{
	struct gpm_incident *inc = gpm_incident_create(GPM_INPUT_CORE);
	struct gpm_goroutine *g = gpm_incident_goroutine_push(inc);
	g->id = 42;
	g->status = GPM_G_WAITING;
	g->wait_reason = S(inc, "chan receive");
	g->wait_minutes = 7;
	g->flags = GPM_GOROUTINE_LOCKED;
	g->stack = stack2(inc);
	ck_assert(!gpm_incident_label_push(inc, g, "user", 4, "a b", 3));
	ck_assert(!gpm_incident_label_push(inc, g, "id", 2, "x1", 2));
	struct gpm_frame cf = {.func = S(inc, "main.start"),
	                       .file = S(inc, "/app/main.go"),
	                       .line = 5,
	                       .offset = 0x10,
	                       .flags = GPM_FRAME_HAS_OFFSET};
	ck_assert(!gpm_incident_lone_frame(inc, &cf, &g->created_by));
	g->parent_id = 1;

	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	gpm_traceback_goroutine(&sb, inc, g, NULL);
	ck_assert_str_eq(
	    gpm_strbuf_str(&sb),
	    "goroutine 42 [chan receive, 7 minutes, locked to thread] {user: \"a b\", id: x1}:\n"
	    "main.(*T).wait(...)\n"
	    "\t/app/t.go:12\n"
	    "main.main(0xc000010000, {0x1?, 0x2})\n"
	    "\t/app/main.go:30 +0x2f\n"
	    "created by main.start in goroutine 1\n"
	    "\t/app/main.go:5 +0x10\n");

	// The "system" form: gp/m in the header, fp/sp/pc on every physical frame.
	struct gpm_goroutine_extra *x = gpm_incident_goroutine_extra(inc, g);
	x->gaddr = 0xc000007c00;
	x->m_id = 3;
	x->mp = 0xc000100008;
	g->flags |= GPM_GOROUTINE_LABELS_INSIDE;
	x->regs = calloc(2, sizeof(*x->regs));
	x->regs[1].fp = 0xc000051f70;
	x->regs[1].sp = 0xc000051f60;
	g->wait_minutes = 0;
	gpm_strbuf_reset(&sb);
	gpm_traceback_goroutine(&sb, inc, g, NULL);
	ck_assert_str_eq(
	    gpm_strbuf_str(&sb),
	    "goroutine 42 gp=0xc000007c00 m=3 mp=0xc000100008 [chan receive, locked to "
	    "thread labels:{\"user\": \"a b\", \"id\": \"x1\"}]:\n"
	    "main.(*T).wait(...)\n"
	    "\t/app/t.go:12\n"
	    "main.main(0xc000010000, {0x1?, 0x2})\n"
	    "\t/app/main.go:30 +0x2f fp=0xc000051f70 sp=0xc000051f60 pc=0x401010\n"
	    "created by main.start in goroutine 1\n"
	    "\t/app/main.go:5 +0x10\n");

	// Status names, leaked, durable, m=nil.
	struct gpm_goroutine *h = gpm_incident_goroutine_push(inc);
	h->id = 7;
	h->status = GPM_G_LEAKED;
	h->wait_reason = S(inc, "select");
	x = gpm_incident_goroutine_extra(inc, h);
	x->gaddr = 0xc000001000;
	h->flags = GPM_GOROUTINE_DURABLE;
	x->synctest_bubble = 9;
	gpm_strbuf_reset(&sb);
	gpm_traceback_header(&sb, inc, h, NULL);
	ck_assert_str_eq(gpm_strbuf_str(&sb), "goroutine 7 gp=0xc000001000 m=nil [select (leaked) "
	                                      "(durable), synctest bubble 9]:\n");
	h->status = GPM_G_RUNNABLE;
	x->gaddr = 0;
	h->flags = 0;
	x->synctest_bubble = 0;
	gpm_strbuf_reset(&sb);
	gpm_traceback_header(&sb, inc, h, NULL);
	ck_assert_str_eq(gpm_strbuf_str(&sb), "goroutine 7 [runnable]:\n");
	gpm_strbuf_deinit(&sb);
	gpm_incident_destroy(inc);
}
END_TEST

START_TEST(test_quote)
{
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	gpm_traceback_quote(&sb, "a\"b\\c\n\t\x01\xc3\xa9\xf0\x9f\x98\x80\xff");
	ck_assert_str_eq(gpm_strbuf_str(&sb), "\"a\\\"b\\\\c\\n\\t\\x01\\u00e9\\U0001f600\\xff\"");
	gpm_strbuf_deinit(&sb);
}
END_TEST

START_TEST(test_incident_preamble)
{
	struct gpm_incident *inc = gpm_incident_create(GPM_INPUT_DUMP);
	struct gpm_panic *p = gpm_vec_push(&inc->crash.panics);
	p->message = S(inc, "boom\nsecond line");
	p->recovered = true;
	p = gpm_vec_push(&inc->crash.panics);
	p->message = S(inc, "again");
	inc->crash.kind = GPM_FATAL_PANIC;
	struct gpm_goroutine *g = gpm_incident_goroutine_push(inc);
	g->id = 1;
	g->status = GPM_G_RUNNING;
	g->flags = GPM_GOROUTINE_UNAVAILABLE;
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	struct gpm_traceback_options o = {.preamble = true, .safe = true};
	gpm_traceback_incident(&sb, inc, &o);
	ck_assert_str_eq(gpm_strbuf_str(&sb),
	                 "panic: boom\n\tsecond line [recovered]\n\tpanic: again\n\n"
	                 "goroutine 1 [running]:\n"
	                 "\tgoroutine running on other thread; stack unavailable\n");
	gpm_strbuf_deinit(&sb);
	gpm_incident_destroy(inc);
}
END_TEST

/*
 * A whole incident prints each frame's name and location from a cache once frames repeat
 * (fewer frames than goroutines): the text must be what printing each goroutine on its own
 * gives, registers, terminal-unsafe names and zero values included.
 */
START_TEST(test_incident_shared_frames)
{
	struct gpm_incident *inc = gpm_incident_create(GPM_INPUT_CORE);
	uint32_t st = stack2(inc), odd;
	struct gpm_stack_builder b;
	gpm_incident_stack_begin(inc, &b);
	struct gpm_frame *f = gpm_incident_frame_push(inc);
	f->func = S(inc, "main.\x1b[31mred\x07");
	f->file = S(inc, "/app/\tbell.go");
	f->line = 7;
	f->offset = 0x0;
	f->flags = GPM_FRAME_HAS_OFFSET;
	f->pc = 0xabc;
	ck_assert(!gpm_incident_stack_commit(inc, &b, &odd));
	enum { N = 7 };
	static const uint64_t fps[N] = {0, 1, 0xf, 0x10, 0xc000051f70, UINT64_MAX, 0x7fff0};
	for (int i = 0; i < N; i++) {
		struct gpm_goroutine *g = gpm_incident_goroutine_push(inc);
		g->id = (uint64_t)i + 1;
		g->status = GPM_G_WAITING;
		g->wait_reason = S(inc, "chan receive");
		g->stack = i % 3 == 2 ? odd : st;
		struct gpm_goroutine_extra *x = gpm_incident_goroutine_extra(inc, g);
		x->gaddr = 0xc000007c00 + (uint64_t)i * 0x1a0;
		if (i % 2) {
			x->regs = calloc(2, sizeof(*x->regs));
			x->regs[0].fp = fps[i];
			x->regs[0].sp = fps[N - 1 - i];
			x->regs[1].fp = fps[(i + 1) % N];
			x->regs[1].sp = fps[i - 1];
		}
	}
	ck_assert_uint_lt(inc->frames.len, inc->goroutines.len); // the cache is on
	struct gpm_traceback_options o = {.safe = true};
	struct gpm_strbuf all = GPM_STRBUF_INIT, one = GPM_STRBUF_INIT;
	gpm_traceback_incident(&all, inc, &o);
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		if (i)
			gpm_strbuf_putc(&one, '\n');
		gpm_traceback_goroutine(&one, inc, &inc->goroutines.v[i], &o);
	}
	ck_assert_str_eq(gpm_strbuf_str(&all), gpm_strbuf_str(&one));
	ck_assert_ptr_nonnull(strstr(gpm_strbuf_str(&all), "main.\\x1b[31mred\\x07()\n"));
	ck_assert_ptr_nonnull(
	    strstr(gpm_strbuf_str(&all), "fp=0xffffffffffffffff sp=0x1 pc=0xabc\n"));
	ck_assert_ptr_nonnull(strstr(gpm_strbuf_str(&all), "fp=0xf sp=0x0 pc=0x401010\n"));
	gpm_strbuf_deinit(&all);
	gpm_strbuf_deinit(&one);
	gpm_incident_destroy(inc);
}
END_TEST

Suite *traceback_suite(void)
{
	Suite *s = suite_create("traceback");
	TCase *tc = tcase_create("traceback");
	tcase_add_test(tc, test_header_from_model);
	tcase_add_test(tc, test_quote);
	tcase_add_test(tc, test_incident_preamble);
	tcase_add_test(tc, test_incident_shared_frames);
	suite_add_tcase(s, tc);
	return s;
}
