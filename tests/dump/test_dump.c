/*
 * Tests of the goroutine-dump reader (src/dump/) and grouping (src/model/group.c): one
 * test per format variant with field-level checks, the real-world corpus with goroutine
 * counts found independently (grep), round trips over every runtime-produced fixture,
 * and hostile inputs (junk, huge lines, deep panic chains).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/source.h"
#include "base/strbuf.h"
#include "check_gopm.h"
#include "dump/dump.h"
#include "model/group.h"
#include "model/traceback.h"

struct snaps {
	struct gpm_incident **v;
	size_t n;
};

static struct snaps parse_mem_opts(const char *data, size_t len, const struct gpm_dump_options *o)
{
	struct snaps s = {0};
	struct gpm_error *err = gpm_dump_parse_all(data, len, "test", o, &s.v, &s.n);
	ck_assert_msg(!err, "parse: %s", err ? err->message : "");
	return s;
}

static struct snaps parse_mem(const char *data, size_t len)
{
	return parse_mem_opts(data, len, NULL);
}

static struct snaps parse_file(const char *rel)
{
	struct gpm_source *src;
	struct gpm_error *err = gpm_source_open(gpm_test_data(rel), &src);
	ck_assert_msg(!err, "%s: %s", rel, err ? err->message : "");
	struct snaps s = parse_mem((const char *)src->data, src->size);
	gpm_source_destroy(src);
	return s;
}

static void snaps_free(struct snaps *s)
{
	for (size_t i = 0; i < s->n; i++)
		gpm_incident_destroy(s->v[i]);
	free(s->v);
}

static const struct gpm_goroutine *find_g(const struct gpm_incident *inc, uint64_t id)
{
	for (size_t i = 0; i < inc->goroutines.len; i++)
		if (inc->goroutines.v[i].id == id &&
		    !(inc->goroutines.v[i].flags & GPM_GOROUTINE_RUNTIME_STACK))
			return &inc->goroutines.v[i];
	return NULL;
}

/* Frame i's argument text as a C string (a buffer reused by the next call). */
static const char *args_at(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                           uint32_t i)
{
	static char buf[4096];
	size_t n;
	const char *a = gpm_goroutine_frame_args(inc, g, i, &n);
	if (!a)
		return NULL;
	ck_assert_uint_lt(n, sizeof(buf));
	memcpy(buf, a, n);
	buf[n] = 0;
	return buf;
}

static const struct gpm_frame *frame_at(const struct gpm_incident *inc,
                                        const struct gpm_goroutine *g, uint32_t i)
{
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	ck_assert_uint_lt(i, n);
	return &f[i];
}

static size_t count_not(const struct gpm_incident *inc, uint32_t flags)
{
	size_t n = 0;
	for (size_t i = 0; i < inc->goroutines.len; i++)
		n += !(inc->goroutines.v[i].flags & flags);
	return n;
}

/* ---- corpus: counts from `grep -c '^goroutine [0-9]* \['` and the debug=1 records ---- */

START_TEST(test_corpus_counts)
{
	static const struct {
		const char *file;
		size_t goroutines; /* goroutine headers (grep) */
		size_t runtime_stacks;
		enum gpm_input_kind kind;
	} c[] = {
	    {"dumps/corpus/combinestacks-debug2.txt", 154, 0, GPM_INPUT_PPROF2},
	    {"dumps/corpus/combinestacks-oom-panic.txt", 620, 1, GPM_INPUT_DUMP},
	    {"dumps/corpus/gostackparse-waitsince-go1.15.txt", 9, 0, GPM_INPUT_PPROF2},
	    {"dumps/corpus/syncthing-go1.12-nil-deref-panic.log", 73, 0, GPM_INPUT_DUMP},
	    {"dumps/corpus/syncthing-go1.26-gc-found-pointer-to-free-object.log", 1, 1,
	     GPM_INPUT_DUMP},
	    // debug=1: 100 + 50 + 1 + 1 + 1 + 1 = "total 154"
	    {"dumps/corpus/combinestacks-debug1.txt", 154, 0, GPM_INPUT_PPROF1},
	};
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct snaps s = parse_file(c[i].file);
		ck_assert_uint_eq(s.n, 1);
		ck_assert_msg(count_not(s.v[0], GPM_GOROUTINE_RUNTIME_STACK) == c[i].goroutines,
		              "%s: %zu goroutines", c[i].file,
		              count_not(s.v[0], GPM_GOROUTINE_RUNTIME_STACK));
		ck_assert_uint_eq(s.v[0]->goroutines.len, c[i].goroutines + c[i].runtime_stacks);
		ck_assert_int_eq(s.v[0]->kind, c[i].kind);
		snaps_free(&s);
	}
}
END_TEST

START_TEST(test_corpus_fields)
{
	struct snaps s = parse_file("dumps/corpus/syncthing-go1.12-nil-deref-panic.log");
	const struct gpm_incident *inc = s.v[0];
	ck_assert_int_eq(inc->crash.kind, GPM_FATAL_PANIC);
	ck_assert_str_eq(inc->crash.panics.v[0].message,
	                 "runtime error: invalid memory address or nil pointer dereference");
	ck_assert_str_eq(inc->crash.signame, "SIGSEGV");
	ck_assert_int_eq(inc->crash.signo, 11);
	ck_assert_uint_eq(inc->crash.fault_addr, 0x18);
	ck_assert_uint_eq(inc->crash.pc, 0x457922a);
	ck_assert_int_eq(inc->crash.sigcode, 1);
	ck_assert_uint_eq(inc->crash.current_goroutine, 171);
	const struct gpm_goroutine *g = &inc->goroutines.v[0];
	ck_assert_uint_eq(g->id, 171);
	ck_assert(g->flags & GPM_GOROUTINE_CURRENT);
	ck_assert_int_eq(g->status, GPM_G_RUNNING);
	const struct gpm_frame *f = frame_at(inc, g, 0);
	ck_assert_str_eq(
	    f->func,
	    "github.com/syncthing/syncthing/lib/connections.(*service).setConnectionStatus");
	ck_assert_uint_eq(f->line, 689);
	ck_assert_uint_eq(f->offset, 0x3a);
	ck_assert_str_eq(args_at(inc, g, 0),
	                 "0xc0001a80e0, 0xc001b01020, 0x1a, 0x4b2b0a0, 0xc000021270");
	g = find_g(inc, 21);
	ck_assert(g && (g->flags & GPM_GOROUTINE_LOCKED));
	ck_assert_str_eq(g->state, "syscall");
	g = find_g(inc, 1);
	ck_assert(frame_at(inc, g, 0)->flags & GPM_FRAME_INLINED);
	snaps_free(&s);

	s = parse_file("dumps/corpus/combinestacks-oom-panic.txt");
	ck_assert_int_eq(s.v[0]->crash.kind, GPM_FATAL_THROW);
	ck_assert_str_eq(s.v[0]->crash.fatal_message, "runtime: out of memory");
	ck_assert(s.v[0]->goroutines.v[0].flags & GPM_GOROUTINE_RUNTIME_STACK);
	snaps_free(&s);

	s = parse_file("dumps/corpus/gostackparse-waitsince-go1.15.txt");
	g = find_g(s.v[0], 22);
	ck_assert_str_eq(g->wait_reason, "sleep");
	ck_assert_int_eq(g->wait_minutes, 1);
	snaps_free(&s);

	s = parse_file("dumps/corpus/syncthing-go1.26-gc-found-pointer-to-free-object.log");
	g = find_g(s.v[0], 84);
	ck_assert_uint_eq(gpm_goroutine_extra(s.v[0], g)->gaddr, 0xee9de45c1e0);
	ck_assert_int_eq(gpm_goroutine_extra(s.v[0], g)->m_id, 3);
	ck_assert_uint_eq(gpm_goroutine_extra(s.v[0], g)->mp, 0xee9de019008);
	ck_assert_str_eq(g->wait_reason, "flushing proc caches");
	ck_assert(gpm_goroutine_extra(s.v[0], g)->regs != NULL);
	ck_assert_uint_eq(gpm_goroutine_extra(s.v[0], g)->regs[0].fp, 0xee9de805c40);
	ck_assert_uint_eq(frame_at(s.v[0], g, 0)->pc, 0x104f12808);
	ck_assert_uint_eq(g->parent_id, 1);
	snaps_free(&s);
}
END_TEST

/* ---- variants ---- */

START_TEST(test_headers)
{
	struct snaps s = parse_file("dumps/variants/headers.txt");
	const struct gpm_incident *inc = s.v[0];
	ck_assert_uint_eq(inc->goroutines.len, 15);
	const struct gpm_goroutine *g = find_g(inc, 7);
	ck_assert_str_eq(g->wait_reason, "chan receive");
	ck_assert_int_eq(g->wait_minutes, 12);
	ck_assert_uint_eq(g->parent_id, 1);
	ck_assert_str_eq(inc->frames.v[g->created_by].func, "main.NewPool");
	ck_assert_str_eq(frame_at(inc, g, 0)->func, "main.worker[...]");
	ck_assert_str_eq(args_at(inc, g, 0), "0xc000012345, {0x4f13ae?, 0x0?}");
	ck_assert(frame_at(inc, g, 1)->flags & GPM_FRAME_INLINED);
	ck_assert(!(frame_at(inc, g, 1)->flags & GPM_FRAME_HAS_OFFSET));
	g = find_g(inc, 8);
	ck_assert(g->flags & GPM_GOROUTINE_LOCKED);
	ck_assert_int_eq(g->status, GPM_G_SYSCALL);
	ck_assert_int_eq(g->wait_minutes, 3);
	g = find_g(inc, 10);
	ck_assert_int_eq(gpm_goroutine_extra(inc, g)->m_id, -1);
	ck_assert_uint_eq(gpm_goroutine_extra(inc, g)->gaddr, 0xc000008000);
	ck_assert(g->flags & GPM_GOROUTINE_SCAN);
	ck_assert_str_eq(g->wait_reason, "GC worker (idle)");
	g = find_g(inc, 11);
	ck_assert(g->flags & GPM_GOROUTINE_DURABLE);
	ck_assert_uint_eq(gpm_goroutine_extra(inc, g)->synctest_bubble, 4);
	g = find_g(inc, 12);
	ck_assert(g->flags & GPM_GOROUTINE_SYNCTEST_GROUP);
	ck_assert_uint_eq(gpm_goroutine_extra(inc, g)->synctest_bubble, 11);
	g = find_g(inc, 13);
	ck_assert_int_eq(g->status, GPM_G_LEAKED);
	ck_assert_str_eq(g->wait_reason, "sync.WaitGroup.Wait");
	g = find_g(inc, 14);
	ck_assert(g->flags & GPM_GOROUTINE_LABELS_INSIDE);
	ck_assert_uint_eq(gpm_goroutine_extra(inc, g)->nlabels, 2);
	ck_assert_str_eq(inc->labels.v[gpm_goroutine_extra(inc, g)->first_label].value, "a b");
	ck_assert_str_eq(inc->labels.v[gpm_goroutine_extra(inc, g)->first_label + 1].value,
	                 "\xc3\xa9\\\\x");
	g = find_g(inc, 15);
	ck_assert(!(g->flags & GPM_GOROUTINE_LABELS_INSIDE));
	ck_assert_uint_eq(gpm_goroutine_extra(inc, g)->nlabels, 3);
	ck_assert_str_eq(inc->labels.v[gpm_goroutine_extra(inc, g)->first_label + 1].key, "span");
	ck_assert_str_eq(inc->labels.v[gpm_goroutine_extra(inc, g)->first_label + 1].value, "ab12");
	g = find_g(inc, 16);
	ck_assert(g->flags & GPM_GOROUTINE_UNAVAILABLE);
	g = find_g(inc, 17);
	ck_assert_uint_eq(gpm_goroutine_extra(inc, g)->elided_frames, 2147);
	ck_assert(frame_at(inc, g, 1)->flags & GPM_FRAME_ELIDED);
	g = find_g(inc, 18);
	ck_assert(g->flags & GPM_GOROUTINE_MORE_FRAMES);
	ck_assert_uint_eq(gpm_goroutine_extra(inc, g)->nancestors, 2);
	ck_assert_uint_eq(inc->ancestors.v[gpm_goroutine_extra(inc, g)->first_ancestor].id, 5);
	ck_assert_uint_eq(inc->ancestors.v[gpm_goroutine_extra(inc, g)->first_ancestor + 1].id, 1);
	g = find_g(inc, 19);
	ck_assert(frame_at(inc, g, 0)->flags & GPM_FRAME_NON_GO);
	ck_assert_uint_eq(frame_at(inc, g, 0)->pc, 0x7f0012345678);
	g = find_g(inc, 20);
	ck_assert_str_eq(frame_at(inc, g, 0)->func, "panic");
	ck_assert_str_eq(frame_at(inc, g, 0)->file, "C:/Program Files/Go/src/runtime/panic.go");
	ck_assert_str_eq(frame_at(inc, g, 2)->file, "C:/Users/Jane Doe/app/main.go");
	ck_assert_uint_eq(frame_at(inc, g, 2)->line, 99);
	ck_assert_str_eq(args_at(inc, g, 3),
	                 "0xc0001a80e0, 0xc001b01020, 0x1a, 0x4b2b0a0, 0xc000021270, ...");
	snaps_free(&s);
}
END_TEST

START_TEST(test_preambles)
{
	struct snaps s = parse_file("dumps/variants/panic-chain.txt");
	struct gpm_crash *c = &s.v[0]->crash;
	ck_assert_uint_eq(c->panics.len, 2);
	ck_assert(c->panics.v[0].recovered);
	ck_assert_str_eq(c->panics.v[1].message, "second\nline two of second");
	ck_assert_str_eq(c->sigdesc, "segmentation violation");
	ck_assert_int_eq(c->exit_status, 2);
	snaps_free(&s);

	// go test's timeout before Go 1.24: the running tests are part of the panic's value.
	s = parse_file("dumps/field/go1.22-testtimeout.txt");
	ck_assert_str_eq(
	    s.v[0]->crash.panics.v[0].message,
	    "test timed out after 1s\nrunning tests:\nTestStuck (1s)\nTestStuck/sub (1s)");
	snaps_free(&s);
	const char *other = "panic: boom\nrunning tests:\n\tTestX (1s)\n\n"
	                    "goroutine 1 [running]:\nmain.main()\n\t/a.go:1 +0x1\n";
	s = parse_mem(other, strlen(other));
	ck_assert_str_eq(s.v[0]->crash.panics.v[0].message, "boom");
	snaps_free(&s);

	s = parse_file("dumps/variants/oom.txt");
	ck_assert_uint_eq(s.v[0]->crash.oom_request, 1073741824);
	ck_assert_str_eq(s.v[0]->crash.fatal_message, "out of memory");
	snaps_free(&s);

	s = parse_file("dumps/variants/overflow.txt");
	ck_assert_uint_eq(s.v[0]->crash.stack_limit, 1000000000);
	ck_assert_uint_eq(s.v[0]->goroutines.len, 2);
	snaps_free(&s);

	s = parse_file("dumps/variants/race.log");
	ck_assert_int_eq(s.v[0]->crash.kind, GPM_FATAL_RACE);
	ck_assert_int_eq(s.v[0]->crash.exit_status, 66);
	snaps_free(&s);
}
END_TEST

/* gccgo's libgo traceback: frames without argument lists or +0x offsets, read as frames
 * (nothing skipped) and printed back as they were. */
START_TEST(test_gccgo)
{
	static const char *const files[] = {"dumps/field/gccgo12-nilderef.txt",
	                                    "dumps/field/gccgo12-index.txt"};
	for (size_t k = 0; k < 2; k++) {
		struct gpm_source *src;
		ck_assert(!gpm_source_open(gpm_test_data(files[k]), &src));
		struct snaps s = parse_mem((const char *)src->data, src->size);
		ck_assert_uint_eq(s.n, 1);
		const struct gpm_incident *inc = s.v[0];
		ck_assert_msg(!inc->warnings.len, "%s: %s", files[k], inc->warnings.v[0].text);
		const struct gpm_goroutine *g = find_g(inc, 1);
		ck_assert(g);
		uint32_t n;
		const struct gpm_frame *fr = gpm_goroutine_frames(inc, g, &n);
		uint32_t i = 0;
		while (i < n && strncmp(fr[i].func, "main.", 5))
			i++;
		ck_assert_uint_lt(i, n);
		ck_assert_str_eq(fr[i].func, k ? "main.pick" : "main.process");
		ck_assert_str_eq(fr[i].file, "./main.go");
		ck_assert_uint_eq(fr[i].line, k ? 22 : 17);
		ck_assert(fr[i].flags & GPM_FRAME_GCCGO);
		if (k)
			ck_assert_str_eq(fr[i - 1].func, "runtime.goPanicIndex");
		// Printed back: the input's goroutine blocks, byte for byte.
		struct gpm_strbuf out = GPM_STRBUF_INIT;
		struct gpm_traceback_options o = {.preamble = true};
		gpm_traceback_incident(&out, inc, &o);
		const char *want = memmem(src->data, src->size, "goroutine 1 ", 12);
		const char *got = strstr(gpm_strbuf_str(&out), "goroutine 1 ");
		ck_assert(want && got);
		size_t wn = src->size - (size_t)(want - (const char *)src->data);
		ck_assert_msg(strlen(got) >= wn - 1 && !memcmp(got, want, wn - 1),
		              "%s: printed back differently:\n%s", files[k], got);
		gpm_strbuf_deinit(&out);
		gpm_source_destroy(src);
		snaps_free(&s);
	}
	// Pasted without its goroutine header: a headerless stack of gccgo frames.
	const char *cut = "panic: boom\n\nmain.pick\n\t./main.go:22\nmain.main\n\t./main.go:27\n";
	struct snaps s = parse_mem(cut, strlen(cut));
	ck_assert_uint_eq(s.n, 1);
	ck_assert_uint_eq(s.v[0]->goroutines.len, 1);
	uint32_t n;
	const struct gpm_frame *fr = gpm_goroutine_frames(s.v[0], &s.v[0]->goroutines.v[0], &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(fr[0].func, "main.pick");
	ck_assert_uint_eq(fr[0].line, 22);
	ck_assert(fr[1].flags & GPM_FRAME_GCCGO);
	snaps_free(&s);
}
END_TEST

START_TEST(test_crash_sections)
{
	// GOTRACEBACK=crash: a section per thread, separated by "-----", with registers.
	struct snaps s = parse_file("cores/go1.19-hang-dwarf/stderr.txt");
	ck_assert_uint_eq(s.n, 1);
	const struct gpm_incident *inc = s.v[0];
	ck_assert_int_eq(inc->crash.kind, GPM_FATAL_QUIT);
	ck_assert_uint_ge(inc->sections.len, 2);
	ck_assert(!inc->sections.v[0].separator);
	ck_assert(inc->sections.v[1].separator);
	ck_assert_int_ge(inc->sections.v[1].m_id, 0);
	ck_assert_int_ne(inc->sections.v[1].m_id, inc->sections.v[0].m_id);
	ck_assert_uint_eq(inc->crash.nregs, 21);
	ck_assert_str_eq(inc->crash.regs[0].name, "rax");
	size_t repeats = 0;
	for (size_t i = 0; i < inc->goroutines.len; i++)
		repeats += !!(inc->goroutines.v[i].flags & GPM_GOROUTINE_REPEAT);
	ck_assert_uint_ge(repeats, 1);
	snaps_free(&s);
}
END_TEST

START_TEST(test_pprof1)
{
	struct snaps s = parse_file("dumps/variants/pprof1-labels.log");
	const struct gpm_incident *inc = s.v[0];
	ck_assert_int_eq(inc->kind, GPM_INPUT_PPROF1);
	ck_assert_uint_eq(inc->pprof_total, 5);
	ck_assert_uint_eq(inc->goroutines.len, 5);
	const struct gpm_goroutine *g = &inc->goroutines.v[0];
	ck_assert(g->flags & GPM_GOROUTINE_PPROF_RECORD);
	ck_assert_uint_eq(gpm_goroutine_extra(inc, g)->nlabels, 2);
	ck_assert_str_eq(inc->labels.v[gpm_goroutine_extra(inc, g)->first_label].key, "request");
	ck_assert_str_eq(inc->labels.v[gpm_goroutine_extra(inc, g)->first_label].value, "a b");
	ck_assert_str_eq(frame_at(inc, g, 0)->func, "sync.runtime_SemacquireMutex");
	ck_assert_uint_eq(frame_at(inc, g, 0)->offset, 0x24);
	ck_assert_uint_eq(frame_at(inc, g, 0)->pc, 0x44f2a4);
	ck_assert_str_eq(frame_at(inc, g, 1)->file, "/app/main.go");
	ck_assert(frame_at(inc, g, 1)->flags & GPM_FRAME_INLINED); // same pc as the next
	ck_assert_uint_eq(inc->goroutines.v[3].stack, inc->goroutines.v[4].stack);
	ck_assert_uint_eq(gpm_goroutine_extra(inc, &inc->goroutines.v[3])->nlabels, 0);
	snaps_free(&s);
}
END_TEST

/* The same 15 goroutines of headers.txt behind every kind of log wrapping. */
START_TEST(test_wrapped)
{
	static const char *files[] = {"dumps/variants/crlf.log",
	                              "dumps/variants/kubectl-timestamps.log",
	                              "dumps/variants/docker-json.log"};
	struct snaps ref = parse_file("dumps/variants/headers.txt");
	struct gpm_strbuf a = GPM_STRBUF_INIT, b = GPM_STRBUF_INIT;
	struct gpm_traceback_options o = {0};
	gpm_traceback_incident(&a, ref.v[0], &o);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct snaps s = parse_file(files[i]);
		ck_assert_uint_eq(s.n, 1);
		gpm_strbuf_reset(&b);
		gpm_traceback_incident(&b, s.v[0], &o);
		ck_assert_msg(!strcmp(gpm_strbuf_str(&a), gpm_strbuf_str(&b)), "%s differs",
		              files[i]);
		snaps_free(&s);
	}
	snaps_free(&ref);
	gpm_strbuf_deinit(&a);
	gpm_strbuf_deinit(&b);

	static const char *panics[] = {"dumps/variants/kubectl-prefix.log",
	                               "dumps/variants/zap-json.log"};
	for (size_t i = 0; i < 2; i++) {
		struct snaps s = parse_file(panics[i]);
		ck_assert_uint_eq(s.v[0]->crash.panics.len, 2);
		ck_assert_str_eq(s.v[0]->crash.panics.v[1].message, "second\nline two of second");
		ck_assert_uint_eq(s.v[0]->goroutines.len, 1);
		ck_assert_uint_eq(s.v[0]->goroutines.v[0].id, 1);
		snaps_free(&s);
	}
	struct snaps s = parse_file("dumps/variants/logprintf.log");
	ck_assert_uint_eq(s.v[0]->goroutines.len, 2);
	ck_assert_uint_eq(s.v[0]->goroutines.v[1].id, 22);
	snaps_free(&s);
}
END_TEST

START_TEST(test_concat_and_truncated)
{
	struct snaps s = parse_file("dumps/variants/concat.log");
	ck_assert_uint_eq(s.n, 2);
	ck_assert_uint_eq(s.v[0]->goroutines.len, 9);
	ck_assert_uint_eq(s.v[1]->goroutines.len, 9);
	ck_assert_uint_eq(s.v[1]->snapshot, 1);
	snaps_free(&s);

	s = parse_file("dumps/variants/truncated.log");
	const struct gpm_incident *inc = s.v[0];
	const struct gpm_goroutine *last = &inc->goroutines.v[inc->goroutines.len - 1];
	ck_assert(last->flags & GPM_GOROUTINE_TRUNCATED);
	ck_assert(gpm_goroutine_extra(inc, last)->problem != NULL);
	for (size_t i = 0; i + 1 < inc->goroutines.len; i++)
		ck_assert(!(inc->goroutines.v[i].flags & GPM_GOROUTINE_TRUNCATED));
	snaps_free(&s);

	// A header cut in the middle, and a header without frames.
	const char *cut =
	    "goroutine 1 [running]:\nmain.main()\n\t/a.go:1 +0x1\n\ngoroutine 2 [chan rec";
	s = parse_mem(cut, strlen(cut));
	ck_assert_uint_eq(s.v[0]->goroutines.len, 2);
	ck_assert(s.v[0]->goroutines.v[1].flags & GPM_GOROUTINE_TRUNCATED);
	ck_assert(s.v[0]->goroutines.v[1].flags & GPM_GOROUTINE_NO_STACK);
	snaps_free(&s);
	// The input ends inside a location's line number ("x.go:56" of "x.go:569"), with no
	// line end: cut, unless the frame ends a stack; also through the paste stages
	// (trailing blanks on the lines before).
	static const struct {
		const char *text;
		bool cut;
	} ends[] = {
	    {"goroutine 7 [chan receive]:\nmain.recv()\n\t/a.go:12 +0x1\nmain.work()\n\t/a.go:5",
	     true},
	    {"goroutine 7 [chan receive]:  \nmain.recv()  \n\t/a.go:12 "
	     "+0x1\nmain.work()\n\t/a.go:5",
	     true},
	    // With its line end the location is whole, but goroutine 7 ends with no "created
	    // by" (the runtime prints one for every goroutine but the first): cut.
	    {"goroutine 7 [chan receive]:\nmain.recv()\n\t/a.go:12 +0x1\nmain.work()\n\t/a.go:5\n",
	     true},
	    {"goroutine 7 [chan receive]:\nmain.recv()\n\t/a.go:12 +0x1\nmain.work()\n\t/a.go:5\n"
	     "created by main.main\n\t/a.go:3 +0x1\n",
	     false},
	    // The created by's location cut ("+0" of "+0x1c"; no "+0x" at all), or missing.
	    {"goroutine 7 [chan receive]:\nmain.recv()\n\t/a.go:12 +0x1\n"
	     "created by main.main\n\t/a.go:3 +0",
	     true},
	    {"goroutine 7 [chan receive]:\nmain.recv()\n\t/a.go:12 +0x1\n"
	     "created by main.main\n\t/a.go:3",
	     true},
	    {"goroutine 7 [chan receive]:\nmain.recv()\n\t/a.go:12 +0x1\ncreated by main.main\n",
	     true},
	    // A system traceback's location cut inside its registers.
	    {"goroutine 1 [running]:\nmain.main()\n\t/a.go:5 +0x1 fp=0xc000012345 sp=0xc0000",
	     true},
	    // The first goroutine in an init function; a goroutine of a C thread's callback
	    // (locked to its thread, no "created by").
	    {"goroutine 1 [running]:\nmain.init.0()\n\t/a.go:5 +0x1\n", false},
	    {"goroutine 9 [running, locked to thread]:\nmain.callback()\n\t/a.go:5 +0x1\n", false},

	    {"goroutine 1 [chan receive]:\nmain.recv()\n\t/a.go:12 +0x1\nmain.main()\n\t/a.go:5",
	     false},
	};
	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		s = parse_mem(ends[i].text, strlen(ends[i].text));
		ck_assert_uint_eq(s.v[0]->goroutines.len, 1);
		ck_assert_msg(!!(s.v[0]->goroutines.v[0].flags & GPM_GOROUTINE_TRUNCATED) ==
		                  ends[i].cut,
		              "end %zu", i);
		snaps_free(&s);
	}
	const char *bare = "goroutine 5 [select]:\n\ngoroutine 6 [select]:\n";
	s = parse_mem(bare, strlen(bare));
	ck_assert_uint_eq(s.v[0]->goroutines.len, 2);
	ck_assert(s.v[0]->goroutines.v[0].flags & GPM_GOROUTINE_NO_STACK);
	snaps_free(&s);
}
END_TEST

/* ---- round trips: parse -> print -> identical goroutine blocks ---- */

static bool is_reg_line(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
		i++;
	if (!i || i > 8 || i >= n || s[i] != ' ')
		return false;
	while (i < n && s[i] == ' ')
		i++;
	return i + 2 < n && s[i] == '0' && s[i + 1] == 'x';
}

static bool is_block_start(const char *s, size_t n)
{
	if (n == 14 && !memcmp(s, "runtime stack:", 14))
		return true;
	if (n < 11 || memcmp(s, "goroutine ", 10) || s[10] < '0' || s[10] > '9')
		return false;
	size_t i = 10;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	return i + 1 < n && s[i] == ' ' && (s[i + 1] == '[' || s[i + 1] == 'g');
}

/* The goroutine blocks of a text, each ended by "\n\n" (CR dropped). */
static void blocks(const char *t, size_t len, struct gpm_strbuf *out)
{
	bool in = false;
	for (const char *p = t; p < t + len;) {
		const char *e = memchr(p, '\n', (size_t)(t + len - p));
		size_t n = e ? (size_t)(e - p) : (size_t)(t + len - p);
		if (n && p[n - 1] == '\r')
			n--;
		if (is_block_start(p, n)) {
			if (in)
				gpm_strbuf_putc(out, '\n');
			in = true;
		} else if (in && (n == 0 || is_reg_line(p, n))) {
			gpm_strbuf_putc(out, '\n');
			in = false;
		}
		if (in) {
			gpm_strbuf_append(out, p, n);
			gpm_strbuf_putc(out, '\n');
		}
		p = e ? e + 1 : t + len;
	}
	if (in)
		gpm_strbuf_putc(out, '\n');
}

/* Parses, prints and compares one file; borrow: argument texts read in place. */
static size_t roundtrip_mode(const char *path, const struct gpm_source *src, bool borrow,
                             bool *full)
{
	struct gpm_dump_options opts = {.borrow_text = borrow};
	struct snaps s = parse_mem_opts((const char *)src->data, src->size, &opts);
	if (s.n && s.v[0]->kind == GPM_INPUT_PPROF1) { // not the traceback format
		snaps_free(&s);
		*full = false;
		return 0;
	}
	struct gpm_strbuf printed = GPM_STRBUF_INIT, a = GPM_STRBUF_INIT, b = GPM_STRBUF_INIT;
	struct gpm_traceback_options o = {.preamble = true, .sections = true};
	for (size_t i = 0; i < s.n; i++) {
		if (i)
			gpm_strbuf_putc(&printed, '\n');
		gpm_traceback_incident(&printed, s.v[i], &o);
	}
	blocks((const char *)src->data, src->size, &a);
	blocks(printed.buf ? printed.buf : "", printed.len, &b);
	ck_assert_msg(a.len > 0, "%s: no goroutine blocks", path);
	if (strcmp(gpm_strbuf_str(&a), gpm_strbuf_str(&b))) {
		const char *x = gpm_strbuf_str(&a), *y = gpm_strbuf_str(&b);
		size_t k = 0;
		while (x[k] && x[k] == y[k])
			k++;
		size_t st = k > 80 ? k - 80 : 0;
		ck_abort_msg("%s%s: round trip differs at byte %zu:\n--- dump\n%.160s\n--- "
		             "printed\n%.160s",
		             path, borrow ? " (arguments in place)" : "", k, x + st, y + st);
	}
	*full = printed.len == src->size && !memcmp(printed.buf, src->data, src->size);
	size_t n = 0;
	for (size_t i = 0; i < s.n; i++)
		n += s.v[i]->goroutines.len;
	gpm_strbuf_deinit(&printed);
	gpm_strbuf_deinit(&a);
	gpm_strbuf_deinit(&b);
	snaps_free(&s);
	return n;
}

/* Round trip with argument texts copied and read in place: the same output both ways. */
static size_t roundtrip_file(const char *path, bool *full)
{
	struct gpm_source *src;
	struct gpm_error *err = gpm_source_open(path, &src);
	ck_assert_msg(!err, "%s", path);
	bool full_borrowed;
	size_t n = roundtrip_mode(path, src, false, full);
	ck_assert_uint_eq(roundtrip_mode(path, src, true, &full_borrowed), n);
	ck_assert_int_eq(full_borrowed, *full);
	// Exact signatures and groups do not depend on where argument texts are kept.
	struct gpm_dump_options borrow = {.borrow_text = true};
	struct snaps c = parse_mem((const char *)src->data, src->size),
	             t = parse_mem_opts((const char *)src->data, src->size, &borrow);
	ck_assert_uint_eq(c.n, t.n);
	for (size_t i = 0; i < c.n; i++) {
		ck_assert_uint_eq(c.v[i]->goroutines.len, t.v[i]->goroutines.len);
		for (size_t k = 0; k < c.v[i]->goroutines.len; k++)
			ck_assert_uint_eq(
			    gpm_group_signature(c.v[i], &c.v[i]->goroutines.v[k], GPM_GROUP_EXACT),
			    gpm_group_signature(t.v[i], &t.v[i]->goroutines.v[k], GPM_GROUP_EXACT));
		struct gpm_grouping gc, gt;
		ck_assert(!gpm_group_goroutines(c.v[i], GPM_GROUP_EXACT, &gc));
		ck_assert(!gpm_group_goroutines(t.v[i], GPM_GROUP_EXACT, &gt));
		ck_assert_uint_eq(gc.ngroups, gt.ngroups);
		gpm_grouping_deinit(&gc);
		gpm_grouping_deinit(&gt);
	}
	snaps_free(&c);
	snaps_free(&t);
	gpm_source_destroy(src);
	return n;
}

struct roundtrip_tally {
	size_t goroutines, full;
};

static void roundtrip_one(const char *path, void *arg)
{
	struct roundtrip_tally *t = arg;
	bool same;
	t->goroutines += roundtrip_file(path, &same);
	t->full += same;
}

/* Every file under testdata/DIR matching suffix (or each subdirectory's stderr.txt). */
static size_t roundtrip_dir(const char *dir, const char *suffix, bool nested, size_t *files,
                            size_t *full)
{
	struct roundtrip_tally t = {0, 0};
	*files += gpm_test_each_file(dir, suffix, nested, roundtrip_one, &t);
	*full += t.full;
	return t.goroutines;
}

START_TEST(test_roundtrip)
{
	size_t files = 0, full = 0, n = 0;
	n += roundtrip_dir("dumps", ".txt", false, &files, &full);
	n += roundtrip_dir("dumps/variants", ".txt", false, &files, &full);
	n += roundtrip_dir("cores", NULL, true, &files, &full);
	size_t cf = files;
	n += roundtrip_dir("dumps/corpus", "debug2.txt", false, &files, &full);
	n += roundtrip_dir("dumps/corpus", "oom-panic.txt", false, &files, &full);
	n += roundtrip_dir("dumps/corpus", "go1.15.txt", false, &files, &full);
	n += roundtrip_dir("dumps/corpus", ".log", false, &files, &full);
	ck_assert_uint_ge(files, 10);
	ck_assert_uint_ge(files - cf, 5);
	ck_assert_uint_gt(n, 500);
	// Most fixtures are nothing but runtime output: those must match in full.
	ck_assert_uint_ge(full, files / 2);
}
END_TEST

/* ---- hostile input ---- */

START_TEST(test_junk)
{
	unsigned seed = 12345;
	size_t len = 1 << 20;
	char *buf = malloc(len);
	for (size_t i = 0; i < len; i++) {
		seed = seed * 1103515245 + 12345;
		buf[i] = (char)(seed >> 16);
	}
	struct snaps s = {0};
	struct gpm_error *err = gpm_dump_parse_all(buf, len, "junk", NULL, &s.v, &s.n);
	ck_assert(err && err->code == GPM_ERR_FORMAT);
	gpm_error_destroy(err);
	// Junk with headers sprinkled in.
	static const char lit[] = "\ngoroutine 7 [running]:\nmain.f(\x01)\n\t/a.go:1 +0x\n";
	for (size_t i = 0; i + 64 < len; i += 4099)
		memcpy(buf + i, lit, sizeof(lit) - 1);
	err = gpm_dump_parse_all(buf, len, "junk", NULL, &s.v, &s.n);
	ck_assert(!err);
	ck_assert_uint_ge(s.n, 1);
	snaps_free(&s);
	free(buf);
}
END_TEST

START_TEST(test_huge_line)
{
	// One 64 MiB line (the 2 GiB case is the same code path: linear, no copy).
	size_t len = 64 << 20;
	char *buf = malloc(len + 64);
	memcpy(buf, "goroutine 1 [running]:\n", 23);
	memset(buf + 23, 'a', len - 23);
	memcpy(buf + len - 3, "()\n", 3);
	clock_t t0 = clock();
	struct snaps s = parse_mem(buf, len);
	ck_assert_uint_eq(s.v[0]->goroutines.len, 1);
	ck_assert((double)(clock() - t0) / CLOCKS_PER_SEC < 5.0);
	snaps_free(&s);
	// The same without any newline.
	memset(buf, 'g', len);
	struct gpm_error *err = gpm_dump_parse_all(buf, len, "line", NULL, &s.v, &s.n);
	ck_assert(err);
	gpm_error_destroy(err);
	free(buf);
}
END_TEST

START_TEST(test_nested_recovered)
{
	size_t n = 1000000;
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	gpm_strbuf_puts(&sb, "panic: p [recovered]\n");
	for (size_t i = 0; i < n; i++)
		gpm_strbuf_puts(&sb, "\tpanic: p [recovered]\n");
	gpm_strbuf_puts(&sb, "\ngoroutine 1 [running]:\nmain.main()\n\t/a.go:1 +0x1\n");
	clock_t t0 = clock();
	struct snaps s = parse_mem(sb.buf, sb.len);
	ck_assert((double)(clock() - t0) / CLOCKS_PER_SEC < 5.0);
	ck_assert_uint_eq(s.v[0]->crash.panics.len, 1000);
	ck_assert_uint_eq(s.v[0]->panics_dropped, n + 1 - 1000);
	ck_assert_uint_eq(s.v[0]->goroutines.len, 1);
	snaps_free(&s);

	s = parse_file("dumps/variants/nested-recovered.log");
	ck_assert_uint_eq(s.v[0]->crash.panics.len, 1000);
	snaps_free(&s);

	// Another writer's line inside the chain (stderr shared with a logger): the chain goes
	// on after it, and the cap is said once.
	sb.len = 0;
	gpm_strbuf_puts(&sb, "panic: p0 [recovered]\n");
	for (size_t i = 1; i < 1500; i++) {
		if (i % 10 == 0)
			gpm_strbuf_puts(&sb,
			                "2024/05/01 10:00:01 INFO request served status=200\n");
		gpm_strbuf_printf(&sb, "\tpanic: p%zu [recovered]\n", i);
	}
	gpm_strbuf_puts(&sb,
	                "\tpanic: last\n\ngoroutine 1 [running]:\nmain.main()\n\t/a.go:1 +0x1\n");
	s = parse_mem(sb.buf, sb.len);
	ck_assert_uint_eq(s.v[0]->crash.panics.len, 1000);
	ck_assert_str_eq(s.v[0]->crash.panics.v[0].message, "p0");
	ck_assert_str_eq(s.v[0]->crash.panics.v[999].message, "p999");
	ck_assert_uint_eq(s.v[0]->panics_dropped, 501);
	size_t said = 0;
	for (size_t i = 0; i < s.v[0]->warnings.len; i++)
		said += strstr(s.v[0]->warnings.v[i].text, "nested panics") != NULL;
	ck_assert_uint_eq(said, 1);
	snaps_free(&s);
	sb.len = 0;
	gpm_strbuf_puts(&sb, "panic: a [recovered]\n\tpanic: b [recovered]\n"
	                     "2024/05/01 10:00:01 INFO request served\n\tpanic: c\n\n"
	                     "goroutine 1 [running]:\nmain.main()\n\t/a.go:1 +0x1\n");
	s = parse_mem(sb.buf, sb.len);
	ck_assert_uint_eq(s.v[0]->crash.panics.len, 3);
	ck_assert_str_eq(s.v[0]->crash.panics.v[2].message, "c");
	ck_assert(!s.v[0]->crash.panics.v[2].recovered);
	snaps_free(&s);
	gpm_strbuf_deinit(&sb);
}
END_TEST

START_TEST(test_detect)
{
	const char *core = "\x7f"
	                   "ELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04\x00";
	ck_assert_int_eq(gpm_input_detect((const uint8_t *)core, 18), GPM_INPUT_CORE);
	const char *exe = "\x7f"
	                  "ELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00";
	ck_assert_int_eq(gpm_input_detect((const uint8_t *)exe, 18), GPM_INPUT_UNKNOWN);
	const char *hd = "go1.7 heap dump\n\x01";
	ck_assert_int_eq(gpm_input_detect((const uint8_t *)hd, 17), GPM_INPUT_HEAPDUMP);
	const char *d = "panic: x\n\ngoroutine 1 [running]:\nmain.main()\n";
	ck_assert_int_eq(gpm_input_detect((const uint8_t *)d, strlen(d)), GPM_INPUT_DUMP);
	const char *p1 = "goroutine profile: total 1\n1 @ 0x1\n";
	ck_assert_int_eq(gpm_input_detect((const uint8_t *)p1, strlen(p1)), GPM_INPUT_PPROF1);
	const char *p2 = "goroutine 1 [running]:\nruntime/pprof.writeGoroutineStacks({0x1, 0x2})\n";
	ck_assert_int_eq(gpm_input_detect((const uint8_t *)p2, strlen(p2)), GPM_INPUT_PPROF2);
	ck_assert_int_eq(gpm_input_detect((const uint8_t *)"hello", 5), GPM_INPUT_UNKNOWN);
	ck_assert_int_eq(gpm_input_detect(NULL, 0), GPM_INPUT_UNKNOWN);
}
END_TEST

/* The preamble printed back as it was read: order, runtime: lines, nothing invented. */
START_TEST(test_preamble_as_read)
{
	static const char *const texts[] = {
	    "unexpected fault address 0xdeadbeef\nfatal error: fault\n"
	    "[signal SIGSEGV: segmentation violation code=0x1 addr=0xdeadbeef pc=0x45]\n\n"
	    "goroutine 1 [running]:\nmain.main()\n\t/a/main.go:5 +0x1d\n",
	    "runtime: program exceeds 10000-thread limit\nfatal error: thread exhaustion\n\n"
	    "goroutine 1 [running]:\nmain.main()\n\t/a/main.go:5 +0x1d\n",
	    "panic: boom\n\tsecond line\n[signal SIGSEGV: segmentation violation code=0x1 "
	    "addr=0x0 pc=0x1]\n\ngoroutine 1 [running]:\nmain.main()\n\t/a/main.go:5 +0x1d\n",
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct snaps s = parse_mem(texts[i], strlen(texts[i]));
		ck_assert_uint_eq(s.n, 1);
		struct gpm_strbuf sb = GPM_STRBUF_INIT;
		struct gpm_traceback_options o = {.preamble = true};
		gpm_traceback_incident(&sb, s.v[0], &o);
		ck_assert_str_eq(gpm_strbuf_str(&sb), texts[i]);
		ck_assert_uint_eq(s.v[0]->warnings.len, 0);
		gpm_strbuf_deinit(&sb);
		snaps_free(&s);
	}
}
END_TEST

/* ---- grouping ---- */

/* A logger's preamble before a crash's first line, and lines that only look like one. */
/* First lines as real pastes mangle them: a prefix on every line of a throw that printed
 * no goroutine; the "fatal " of "fatal error: unexpected signal" cut off. */
START_TEST(test_mangled_starts)
{
	const char *oom = "Environment: GOARCH=386\n\n"
	                  "[00:11:11] fatal error: out of memory\n"
	                  "[00:11:11] \n"
	                  "[00:11:11] runtime stack:\n"
	                  "[00:11:11] runtime.throw(0x7b8c10, 0xd)\n"
	                  "[00:11:11] \tC:/go/src/runtime/panic.go:605 +0x7c\n"
	                  "[00:11:11] runtime.mstart()\n"
	                  "[00:11:11] \tC:/go/src/runtime/proc.go:1125\n";
	struct snaps s = parse_mem(oom, strlen(oom));
	ck_assert_uint_eq(s.n, 1);
	ck_assert_str_eq(s.v[0]->crash.fatal_message, "out of memory");
	snaps_free(&s);

	const char *sig =
	    "error: unexpected signal during runtime execution\n"
	    "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x7fff8238]\n"
	    "\ngoroutine 1 [syscall, locked to thread]:\n"
	    "main._Cfunc_tap(0x1)\n\t_cgo_gotypes.go:40 +0x4e\n"
	    "main.main()\n\t/app/main.go:24 +0x6\n";
	s = parse_mem(sig, strlen(sig));
	ck_assert_uint_eq(s.n, 1);
	ck_assert_str_eq(s.v[0]->crash.signame, "SIGSEGV");
	ck_assert_uint_eq(s.v[0]->goroutines.len, 1);
	snaps_free(&s);

	// A terminal's progress line before the signal, its '\r' lost.
	const char *progress = "2017/12/23 23:15:01 started\n"
	                       "0-53.4 1-0.0 Total: 53.4 MH/s  SIGABRT: abort\n"
	                       "PC=0x501dd42 m=3\nsignal arrived during cgo execution\n"
	                       "\ngoroutine 6 [syscall, locked to thread]:\n"
	                       "main._Cfunc_tap(0x1)\n\t_cgo_gotypes.go:40 +0x4e\n"
	                       "created by main.main\n\t/app/main.go:24 +0x6\n";
	s = parse_mem(progress, strlen(progress));
	ck_assert_uint_eq(s.n, 1);
	ck_assert_str_eq(s.v[0]->crash.signame, "SIGABRT");
	ck_assert_uint_eq(s.v[0]->sections.len, 1);
	snaps_free(&s);

	// Go before 1.5 printed the signal's number.
	const char *old =
	    "panic: runtime error: invalid memory address or nil pointer dereference\n"
	    "[signal 0xb code=0x1 addr=0x20 pc=0x4f2c3a]\n"
	    "\ngoroutine 1 [running]:\nmain.main()\n\t/app/main.go:24 +0x6\n";
	s = parse_mem(old, strlen(old));
	const struct gpm_crash *c = &s.v[0]->crash;
	ck_assert_str_eq(c->signame, "SIGSEGV");
	ck_assert_int_eq(c->signo, 11);
	ck_assert_int_eq(c->sigcode, 1);
	ck_assert(c->has_fault_addr);
	ck_assert_uint_eq(c->fault_addr, 0x20);
	ck_assert_uint_eq(c->pc, 0x4f2c3a);
	snaps_free(&s);
}
END_TEST

/* Frames pasted without their goroutine header (debug.Stack() logged with its first line
 * cut, a bug report's excerpt): one goroutine, its id and state unknown, said. */
START_TEST(test_headerless)
{
	const char *bare = "the stack:\n"
	                   "        main.(*Peer).update(0xc42028a0c0)\n"
	                   "                /src/lmd/peer.go:2754 +0x12f\n"
	                   "        panic(0x8b9ce0, 0x9a4dd0)\n"
	                   "                /usr/go/src/runtime/panic.go:491 +0x283\n"
	                   "        main.(*DataTable).AddItem(...)\n"
	                   "                /src/lmd/peer.go:153\n"
	                   "        main.main()\n"
	                   "                /src/lmd/main.go:10 +0x1\n";
	struct snaps s = parse_mem(bare, strlen(bare));
	ck_assert_uint_eq(s.n, 1);
	const struct gpm_incident *inc = s.v[0];
	ck_assert_uint_eq(inc->goroutines.len, 1);
	const struct gpm_goroutine *g = &inc->goroutines.v[0];
	ck_assert(g->flags & GPM_GOROUTINE_NO_HEADER);
	ck_assert(gpm_goroutine_is_real(g));
	ck_assert_str_eq(frame_at(inc, g, 0)->func, "main.(*Peer).update");
	ck_assert_str_eq(frame_at(inc, g, 3)->func, "main.main");
	size_t said = 0;
	for (size_t i = 0; i < inc->warnings.len; i++)
		said += strstr(inc->warnings.v[i].text, "no goroutine header") != NULL;
	ck_assert_uint_eq(said, 1);
	snaps_free(&s);

	// With the panic line: the goroutine that panicked.
	const char *pan = "panic: assignment to entry in nil map\n\n"
	                  "main.(*DataTable).AddItem(...)\n\t/src/lmd/peer.go:153\n"
	                  "main.main()\n\t/src/lmd/main.go:10 +0x1\n";
	s = parse_mem(pan, strlen(pan));
	ck_assert_uint_eq(s.v[0]->goroutines.len, 1);
	ck_assert(s.v[0]->goroutines.v[0].flags & GPM_GOROUTINE_CURRENT);
	ck_assert_str_eq(s.v[0]->crash.panics.v[0].message, "assignment to entry in nil map");
	snaps_free(&s);

	// Frames after a goroutine header are that goroutine's, another writer's line
	// between them or not: no headerless goroutine.
	const char *mixed = "goroutine 1 [running]:\nmain.a()\n\t/a.go:1 +0x1\n"
	                    "2024/05/01 10:00:01 INFO served\n"
	                    "main.main()\n\t/a.go:2 +0x1\n";
	s = parse_mem(mixed, strlen(mixed));
	ck_assert_uint_eq(s.v[0]->goroutines.len, 1);
	ck_assert(!(s.v[0]->goroutines.v[0].flags & GPM_GOROUTINE_NO_HEADER));
	snaps_free(&s);
}
END_TEST

/* The runtime's lines before the crash as printed: runtime/cgo's, and "errno=11" kept as
 * text (an '=' before two hex digits is no quoted-printable escape on its own). */
START_TEST(test_runtime_lines)
{
	const char *t = "runtime/cgo: pthread_create failed: Resource temporarily unavailable\n"
	                "SIGABRT: abort\nPC=0x7f3a m=12 sigcode=18446744073709551610\n\n"
	                "goroutine 1 [syscall]:\nmain.main()\n\t/app/main.go:9 +0x1\n";
	struct snaps s = parse_mem(t, strlen(t));
	ck_assert_uint_eq(s.n, 1);
	ck_assert_ptr_nonnull(s.v[0]->preamble_text);
	ck_assert(strstr(s.v[0]->preamble_text, "runtime/cgo: pthread_create failed"));
	snaps_free(&s);
	const char *e = "runtime: failed to create new OS thread (have 9 already; errno=11)\n"
	                "fatal error: newosproc\n\n"
	                "goroutine 1 [running]:\nmain.main()\n\t/app/main.go:9 +0x1\n";
	s = parse_mem(e, strlen(e));
	ck_assert(strstr(s.v[0]->preamble_text, "(have 9 already; errno=11)"));
	snaps_free(&s);
}
END_TEST

/* The first n lines of the fixture rel, each behind prefix. */
static void first_lines(struct gpm_strbuf *out, const char *rel, size_t n, const char *prefix)
{
	struct gpm_source *src;
	ck_assert_ptr_null(gpm_source_open(gpm_test_data(rel), &src));
	const char *p = (const char *)src->data, *end = p + src->size;
	for (size_t i = 0; i < n && p < end; i++) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		size_t len = e ? (size_t)(e - p) : (size_t)(end - p);
		gpm_strbuf_printf(out, "%s%.*s\n", prefix, (int)len, p);
		p = e ? e + 1 : end;
	}
	gpm_source_destroy(src);
}

static bool has_warning(const struct gpm_incident *inc, const char *what)
{
	for (size_t i = 0; i < inc->warnings.len; i++)
		if (strstr(inc->warnings.v[i].text, what))
			return true;
	return false;
}

/* A crash's first lines quoted alone (no goroutine), behind a Markdown quote or a container
 * runtime's log prefix: an incident with a warning; a log that only mentions one is none. */
START_TEST(test_crash_lines_only)
{
	static const char *const prefixes[] = {"", "> ",
	                                       "2023-05-15T00:29:00.036892142Z stderr F "};
	for (size_t k = 0; k < sizeof(prefixes) / sizeof(prefixes[0]); k++) {
		struct gpm_strbuf t = GPM_STRBUF_INIT;
		first_lines(&t, "dumps/field/go1.27-threads.txt", 2, prefixes[k]);
		ck_assert_int_eq(gpm_input_detect((const uint8_t *)t.buf, t.len), GPM_INPUT_DUMP);
		struct snaps s = parse_mem(t.buf, t.len);
		ck_assert_uint_eq(s.n, 1);
		ck_assert_uint_eq(s.v[0]->goroutines.len, 0);
		ck_assert_str_eq(s.v[0]->crash.fatal_message, "thread exhaustion");
		ck_assert(
		    strstr(s.v[0]->preamble_text, "runtime: program exceeds 16-thread limit"));
		// Every line's log prefix goes, not only the first's.
		ck_assert_msg(!strstr(s.v[0]->preamble_text, "stderr F"), "%s",
		              s.v[0]->preamble_text);
		ck_assert(has_warning(s.v[0], "no goroutine was in the input"));
		snaps_free(&s);
		gpm_strbuf_deinit(&t);
	}
	// "runtime: " diagnostics and the traceback's "stack: frame={…" with no fatal error.
	const char *d = "2023-05-15T00:29:00.036892142Z stderr F runtime: g 28: unexpected "
	                "return pc for runtime.gopark called from 0x1\n"
	                "2023-05-15T00:29:00.03694504Z stderr F stack: frame={sp:0xc0013eadb8, "
	                "fp:0xc0013eadd8} stack=[0xc0013ea000,0xc0013eb000)\n";
	ck_assert_int_eq(gpm_input_detect((const uint8_t *)d, strlen(d)), GPM_INPUT_DUMP);
	struct snaps s = parse_mem(d, strlen(d));
	ck_assert_uint_eq(s.n, 1);
	ck_assert(strstr(s.v[0]->preamble_text, "unexpected return pc"));
	snaps_free(&s);
	// One line of the runtime's shape in a program's log, or two of one kind: not a crash.
	static const char *const logs[] = {
	    "2024-05-01 10:00:00 starting\nfatal error: config.yaml not found\nexiting\n",
	    "fatal error: a\nfatal error: b\n",
	    "panic: not a signal\nruntime: stats ok\n[signal handler installed]\n", // one kind

	};
	for (size_t k = 0; k < sizeof(logs) / sizeof(logs[0]); k++)
		ck_assert_int_eq(gpm_input_detect((const uint8_t *)logs[k], strlen(logs[k])),
		                 GPM_INPUT_UNKNOWN);
}
END_TEST

/* Hand-shortened stacks: "goroutine NNNNN [state]:" and each frame on one line. */
START_TEST(test_placeholder_ids)
{
	struct snaps ref = parse_file("dumps/go1.27-hang-single.txt");
	struct gpm_source *src;
	ck_assert_ptr_null(gpm_source_open(gpm_test_data("dumps/go1.27-hang-single.txt"), &src));
	struct gpm_strbuf t = GPM_STRBUF_INIT;
	bool frame = false;
	for (const char *p = (const char *)src->data, *end = p + src->size; p < end;) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		size_t n = e ? (size_t)(e - p) : (size_t)(end - p);
		if (n > 10 && !memcmp(p, "goroutine ", 10) && p[10] >= '0' && p[10] <= '9') {
			const char *b = memchr(p, '[', n);
			gpm_strbuf_printf(&t, "goroutine NNNNN %.*s\n", (int)(p + n - b), b);
		} else if (frame && n > 1 && p[0] == '\t') {
			t.len--; // the location after its function, by a space
			gpm_strbuf_printf(&t, " %.*s\n", (int)n - 1, p + 1);
		} else {
			gpm_strbuf_printf(&t, "%.*s\n", (int)n, p);
		}
		frame = n && p[n - 1] == ')';
		p = e ? e + 1 : end;
	}
	gpm_source_destroy(src);
	struct snaps s = parse_mem(t.buf, t.len);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_uint_eq(s.v[0]->goroutines.len, ref.v[0]->goroutines.len);
	ck_assert_uint_eq(s.v[0]->warnings.len, ref.v[0]->warnings.len);
	for (size_t i = 0; i < s.v[0]->goroutines.len; i++) {
		const struct gpm_goroutine *g = &s.v[0]->goroutines.v[i];
		const struct gpm_goroutine *r = &ref.v[0]->goroutines.v[i];
		ck_assert(g->flags & GPM_GOROUTINE_NO_ID);
		ck_assert_uint_eq(g->id, 0);
		ck_assert_str_eq(g->state, r->state);
		uint32_t nf, rf;
		const struct gpm_frame *f = gpm_goroutine_frames(s.v[0], g, &nf);
		const struct gpm_frame *rr = gpm_goroutine_frames(ref.v[0], r, &rf);
		ck_assert_uint_eq(nf, rf);
		for (uint32_t k = 0; k < nf; k++) {
			ck_assert_str_eq(f[k].func, rr[k].func);
			ck_assert_uint_eq(f[k].line, rr[k].line);
		}
	}
	snaps_free(&s);
	snaps_free(&ref);
	gpm_strbuf_deinit(&t);
}
END_TEST

/* A logrus line whose msg holds the dump escaped, broken once mid-word by the paste: the
 * continuation is joined back, every frame read. */
START_TEST(test_broken_escaped_record)
{
	struct snaps ref = parse_file("dumps/go1.27-hang-all.txt");
	struct gpm_source *src;
	ck_assert_ptr_null(gpm_source_open(gpm_test_data("dumps/go1.27-hang-all.txt"), &src));
	struct gpm_strbuf t = GPM_STRBUF_INIT;
	gpm_strbuf_puts(&t, "time=\"2016-08-22T20:49:00+02:00\" level=info msg=\"=== BEGIN "
	                    "goroutine stack dump ===\\n");
	bool broken = false;
	for (size_t i = 0; i < src->size; i++) {
		char c = (char)src->data[i];
		if (c == '\n')
			gpm_strbuf_puts(&t, "\\n");
		else if (c == '\t')
			gpm_strbuf_puts(&t, "\\t");
		else if (c == '"' || c == '\\')
			gpm_strbuf_printf(&t, "\\%c", c);
		else
			gpm_strbuf_putc(&t, c);
		if (!broken && t.len >= 1000 && c >= 'a' && c <= 'z' && t.buf[t.len - 2] == '/') {
			gpm_strbuf_putc(&t, '\n'); // the paste's break, mid-path
			broken = true;
		}
	}
	gpm_strbuf_puts(&t, "=== END goroutine stack dump ===\"\n");
	gpm_source_destroy(src);
	ck_assert(broken);
	struct snaps s = parse_mem(t.buf, t.len);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_uint_eq(s.v[0]->goroutines.len, ref.v[0]->goroutines.len);
	ck_assert_uint_eq(s.v[0]->warnings.len, 0);
	ck_assert_uint_eq(s.v[0]->stacks.len, ref.v[0]->stacks.len);
	snaps_free(&s);
	snaps_free(&ref);
	gpm_strbuf_deinit(&t);
}
END_TEST

/* A dump whose line ends all became spaces: not read, and said so (never a silent partial). */
START_TEST(test_joined_lines)
{
	static const char *const rels[] = {"dumps/variants/overflow.txt",
	                                   "dumps/go1.27-hang-all.txt"};
	for (size_t k = 0; k < 2; k++) {
		struct gpm_source *src;
		ck_assert_ptr_null(gpm_source_open(gpm_test_data(rels[k]), &src));
		char *t = malloc(src->size + 1);
		ck_assert_ptr_nonnull(t);
		for (size_t i = 0; i < src->size; i++)
			t[i] = src->data[i] == '\n' ? ' ' : (char)src->data[i];
		struct gpm_incident **v = NULL;
		size_t n = 0;
		struct gpm_error *err = gpm_dump_parse_all(t, src->size, "test", NULL, &v, &n);
		ck_assert_ptr_nonnull(err);
		ck_assert_msg(strstr(err->message, "line ends were lost"), "%s", err->message);
		gpm_error_destroy(err);
		// Behind a dump read whole, the joined line is a warning of that dump's.
		struct gpm_strbuf b = GPM_STRBUF_INIT;
		gpm_strbuf_puts(&b,
		                "goroutine 1 [running]:\nmain.main()\n\t/app/main.go:5 +0x1\n\n");
		gpm_strbuf_append(&b, t, src->size);
		gpm_strbuf_putc(&b, '\n');
		struct snaps s = parse_mem(b.buf, b.len);
		ck_assert_uint_ge(s.n, 1);
		ck_assert(has_warning(s.v[0], "joined (their line ends lost)"));
		snaps_free(&s);
		gpm_strbuf_deinit(&b);
		free(t);
		gpm_source_destroy(src);
	}
}
END_TEST

/* A paste whose selection began inside the first line's log prefix, the stack after a
 * "created by" alone (the excerpt began after its goroutine's frames), a shell's prompt
 * before the terminal's echo of Ctrl-\: read as the rest is. */
START_TEST(test_cut_starts)
{
	struct snaps ref = parse_file("dumps/go1.27-panic-single.txt");
	struct gpm_strbuf t = GPM_STRBUF_INIT;
	first_lines(&t, "dumps/go1.27-panic-single.txt", 1000, "2024-10-09T09:16:43.6370024Z ");
	struct snaps s = parse_mem(t.buf + 20, t.len - 20); // "3.6370024Z panic: …"
	ck_assert_uint_eq(s.n, 1);
	ck_assert_uint_eq(s.v[0]->crash.panics.len, ref.v[0]->crash.panics.len);
	ck_assert_str_eq(s.v[0]->crash.panics.v[0].message, ref.v[0]->crash.panics.v[0].message);
	ck_assert_uint_eq(s.v[0]->goroutines.len, ref.v[0]->goroutines.len);
	ck_assert_uint_eq(s.v[0]->warnings.len, ref.v[0]->warnings.len);
	snaps_free(&s);
	snaps_free(&ref);
	gpm_strbuf_deinit(&t);
	const char *c = "created by main.startWorkers in goroutine 1\n"
	                "\t/app/main.go:20 +0x85\n\n"
	                "goroutine 7 [chan receive]:\nmain.worker()\n\t/app/main.go:30 +0x1d\n"
	                "created by main.startWorkers in goroutine 1\n\t/app/main.go:20 +0x85\n";
	s = parse_mem(c, strlen(c));
	ck_assert_uint_eq(s.v[0]->goroutines.len, 2);
	ck_assert(s.v[0]->goroutines.v[0].flags & GPM_GOROUTINE_NO_HEADER);
	ck_assert_uint_eq(s.v[0]->warnings.len, 1); // the headerless stack's, nothing else
	snaps_free(&s);
	const char *q = "/ # ^\\SIGQUIT: quit\nPC=0x474443 m=2 sigcode=0\n\n"
	                "goroutine 1 [chan receive]:\nmain.main()\n\t/app/main.go:9 +0x1d\n";
	s = parse_mem(q, strlen(q));
	ck_assert_int_eq(s.v[0]->crash.kind, GPM_FATAL_QUIT);
	ck_assert_uint_eq(s.v[0]->warnings.len, 0);
	snaps_free(&s);
}
END_TEST

/*
 * Numbers too large to be real (a goroutine id or wait past 2^64, a line past 2^32, an
 * offset of 17 hex digits, the creator's id) are read as unknown and counted, the rest of
 * their line as it is; a location line that is no FILE:LINE keeps its frame and is
 * counted. Before, the header or location was dropped without a word.
 */
/*
 * An excerpt cut inside a line, then a line end, a Markdown fence and the reporter's words
 * (a selection copied out of a terminal or a log viewer, a paste cut by an issue's size):
 * cut inside a function's name ("runtime.g"), a location's file ("\truntime/pr"), the next
 * header after its first word ("goroutine"), or, in a system traceback, an "sp=0x…" value. Each
 * must say the goroutine was cut short; the same dump whole, fenced the same way, must read as it
 * does bare (no false cut).
 */
struct fenced_cuts {
	size_t files, cuts, said, fenced_differ;
};

static const char fence_after[] = "\n```\n\nany idea what is going on?\n";

static int warns_cut(const struct snaps *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (has_warning(s->v[i], "cut short by the end of the input") ||
		    has_warning(s->v[i], "cut inside its arguments"))
			return 1;
	return 0;
}

static size_t warnings_of(const struct snaps *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		n += s->v[i]->warnings.len;
	return n;
}

static void fenced_cut_file(const char *path, void *arg)
{
	struct fenced_cuts *fc = arg;
	if (strstr(path, "pprof") || strstr(path, "gccgo"))
		return; // no frames of this shape (gccgo's: doc/dumps.md)
	struct gpm_source *src;
	ck_assert_ptr_null(gpm_source_open(path, &src));
	const char *t = (const char *)src->data;
	size_t n = src->size;
	fc->files++;
	struct gpm_strbuf b = GPM_STRBUF_INIT;
	// Whole, then fenced: the same goroutines and warnings.
	struct snaps ref = parse_mem(t, n);
	gpm_strbuf_append(&b, t, n);
	gpm_strbuf_printf(&b, "%s", fence_after);
	struct snaps got = parse_mem(b.buf, b.len);
	if (got.n != ref.n || warnings_of(&got) != warnings_of(&ref)) {
		fc->fenced_differ++;
		fprintf(stderr, "%s: fenced: %zu warnings, bare %zu\n", path, warnings_of(&got),
		        warnings_of(&ref));
	}
	snaps_free(&got);
	snaps_free(&ref);
	// From 60 % of the text on: the first function line, location line and "sp=0x".
	const char *from = memchr(t + n * 3 / 5, '\n', n - n * 3 / 5);
	size_t at[4] = {0, 0, 0, 0};
	for (const char *p = from ? from + 1 : t + n; p < t + n;) {
		const char *e = memchr(p, '\n', (size_t)(t + n - p));
		if (!e)
			break;
		size_t ln = (size_t)(e - p);
		const char *lp = ln ? memchr(p, '(', ln) : NULL;
		if (!at[0] && ln > 2 && p[0] != '\t' && p[ln - 1] == ')' && lp &&
		    strncmp(p, "created by ", 11) && strncmp(p, "goroutine ", 10)) {
			const char *dot = NULL;
			for (const char *c = p; c < lp; c++)
				dot = *c == '.' ? c : dot;
			if (dot && dot + 2 < lp)
				at[0] = (size_t)(dot + 2 - t);
		}
		if (!at[1] && ln > 2 && p[0] == '\t' && memchr(p, ':', ln)) {
			const char *colon = memchr(p, ':', ln), *sl = p + 1;
			for (const char *c = p; c < colon; c++)
				sl = *c == '/' ? c + 1 : sl;
			if (sl + 2 < colon)
				at[1] = (size_t)(sl + 2 - t);
		}
		const char *sp = ln ? memmem(p, ln, " sp=0x", 6) : NULL;
		if (!at[2] && sp && sp + 7 < e)
			at[2] = (size_t)(sp + 7 - t);
		// (After a blank line, between two goroutines: one after a logger's line,
		// net/http's "http: panic serving", starts a dump of its own that is not looked at:
		// a gap.)
		if (!at[3] && ln > 12 && !strncmp(p, "goroutine ", 10) && p >= t + 2 &&
		    p[-2] == '\n')
			at[3] = (size_t)(p + 9 - t);
		p = e + 1;
	}
	for (int k = 0; k < 4; k++) {
		if (!at[k])
			continue;
		b.len = 0;
		gpm_strbuf_append(&b, t, at[k]);
		gpm_strbuf_printf(&b, "%s", fence_after);
		struct snaps s = parse_mem(b.buf, b.len);
		fc->cuts++;
		fc->said += (size_t)warns_cut(&s);
		if (!warns_cut(&s))
			fprintf(stderr, "%s: cut %d at byte %zu (\"%.40s\"): not said\n", path, k,
			        at[k], t + at[k] - 20);
		snaps_free(&s);
	}
	gpm_strbuf_deinit(&b);
	gpm_source_destroy(src);
}

START_TEST(test_excerpt_cut_fenced)
{
	struct fenced_cuts fc = {0};
	gpm_test_each_file("dumps", ".txt", false, fenced_cut_file, &fc);
	gpm_test_each_file("dumps/field", ".txt", false, fenced_cut_file, &fc);
	fprintf(stderr,
	        "fenced excerpt cuts: %zu dumps, %zu cuts, %zu said; %zu whole read otherwise\n",
	        fc.files, fc.cuts, fc.said, fc.fenced_differ);
	// Each of the runtime's dumps (pprof listings aside) was cut in two places or more.
	ck_assert_uint_ge(fc.files, 100);
	ck_assert_uint_ge(fc.cuts, 3 * fc.files - 16);
	ck_assert_uint_eq(fc.said, fc.cuts);
	ck_assert_uint_eq(fc.fenced_differ, 0);
}
END_TEST

/*
 * The runtime's unwinder complaining inside a stack ("runtime: g 18: unexpected return pc
 * for …", "stack: frame={…}" and its hexdump, "<" and ">" marking the frame's words): its
 * own words, not lines lost; the frames after them are the goroutine's.
 */
START_TEST(test_unwinder_lines)
{
	struct snaps s = parse_file("dumps/variants/unwinder-badpc.log");
	ck_assert_uint_eq(s.n, 1);
	ck_assert_uint_eq(s.v[0]->warnings.len, 0);
	const struct gpm_goroutine *g = find_g(s.v[0], 18);
	ck_assert_ptr_nonnull(g);
	uint32_t nf;
	const struct gpm_frame *f = gpm_goroutine_frames(s.v[0], g, &nf);
	ck_assert_uint_eq(nf, 3);
	ck_assert_str_eq(f[2].func, "main.(*conn).decode");
	ck_assert_uint_ne(g->created_by, UINT32_MAX);
	snaps_free(&s);
}
END_TEST

START_TEST(test_huge_numbers)
{
	static const char text[] =
	    "goroutine 1 [running]:\n"
	    "main.main()\n"
	    "\t/app/main.go:10 +0x1d\n"
	    "\n"
	    "goroutine 18446744073709551616 gp=0x1111111111111111111 m=99999999999999999999 "
	    "mp=0xc000 [chan receive, 99999999999999999999999 minutes]:\n"
	    "main.wait(0x1)\n"
	    "\t/app/main.go:99999999999999999 +0x1\n"
	    "main.loop()\n"
	    "\t/app/main.go:20 +0xfffffffffffffffffffff\n"
	    "main.other()\n"
	    "\t/app/main.go:x +0x2\n"
	    "created by main.main in goroutine 123456789012345678901234567890\n"
	    "\t/app/main.go:5 +0x3\n"
	    "\n";
	struct snaps s = parse_mem(text, sizeof(text) - 1);
	ck_assert_uint_eq(s.n, 1);
	const struct gpm_incident *inc = s.v[0];
	ck_assert_uint_eq(inc->goroutines.len, 2);
	const struct gpm_goroutine *g = &inc->goroutines.v[1];
	ck_assert_uint_eq(g->id, 0);
	ck_assert(g->flags & GPM_GOROUTINE_NO_ID);
	ck_assert(!(g->flags & GPM_GOROUTINE_DAMAGED));
	ck_assert_int_eq(g->wait_minutes, -1);
	ck_assert_uint_eq(g->parent_id, 0);
	uint32_t nf;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &nf);
	ck_assert_uint_eq(nf, 3);
	ck_assert_str_eq(f[0].func, "main.wait");
	ck_assert_str_eq(f[0].file, "/app/main.go");
	ck_assert_uint_eq(f[0].line, 0);
	ck_assert_str_eq(f[1].file, "/app/main.go");
	ck_assert_uint_eq(f[1].line, 20);
	ck_assert(!(f[1].flags & GPM_FRAME_HAS_OFFSET));
	ck_assert_str_eq(f[2].func, "main.other");
	ck_assert(!f[2].file || !strcmp(f[2].file, "?"));
	ck_assert(has_warning(inc, "4 numbers were too large to be real"));
	ck_assert(has_warning(inc, "1 frame location line could not be read as FILE:LINE"));
	ck_assert_uint_eq(inc->warnings.len, 2);
	snaps_free(&s);

	// A goroutine profile's total and a record's count: the record is read (one
	// goroutine), the total not compared with what was read.
	static const char prof[] = "goroutine profile: total 99999999999999999999999\n"
	                           "123456789012345678901234567 @ 0x1 0x2\n"
	                           "#\t0x1\tmain.f+0x1\t/app/a.go:3\n"
	                           "#\t0x2\tmain.g+0x1\t/app/a.go:4\n"
	                           "\n"
	                           "2 @ 0x1\n"
	                           "#\t0x1\tmain.f+0x1\t/app/a.go:3\n"
	                           "\n";
	s = parse_mem(prof, sizeof(prof) - 1);
	ck_assert_uint_eq(s.n, 1);
	inc = s.v[0];
	ck_assert_uint_eq(inc->goroutines.len, 3);
	ck_assert(has_warning(inc, "2 numbers were too large to be real"));
	ck_assert_uint_eq(inc->warnings.len, 1);
	snaps_free(&s);
}
END_TEST

/*
 * The ends of excerpts: a last frame line cut inside its arguments (kept, without
 * location), a goroutine header with nothing after it (cut, not "no frames"), a stack that
 * starts after a lone location line (counted), one input of more dumps than the limit (the
 * first read, the rest said), and a `go run` / `go test` tail without a dump.
 */
START_TEST(test_excerpt_ends)
{
	struct gpm_strbuf t = GPM_STRBUF_INIT;
	first_lines(&t, "dumps/go1.27-panic-single.txt", 3, "");
	gpm_strbuf_printf(&t, "main.mustLoad({0x4eb2\n"); // was "main.mustLoad({0x4eb256?, 0x0?})"
	struct snaps s = parse_mem(t.buf, t.len);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_uint_eq(s.v[0]->goroutines.len, 1);
	const struct gpm_goroutine *g = &s.v[0]->goroutines.v[0];
	uint32_t nf;
	const struct gpm_frame *f = gpm_goroutine_frames(s.v[0], g, &nf);
	ck_assert_uint_eq(nf, 1);
	ck_assert_str_eq(f[0].func, "main.mustLoad");
	ck_assert(f[0].flags & GPM_FRAME_NO_LOC);
	ck_assert(g->flags & GPM_GOROUTINE_TRUNCATED);
	ck_assert(has_warning(s.v[0], "1 frame line was cut inside its arguments"));
	ck_assert(!has_warning(s.v[0], "no frames"));
	snaps_free(&s);
	// Cut right after its header, another goroutine after it (a paste that dropped lines).
	t.len = 0;
	gpm_strbuf_printf(&t, "goroutine 117 [syscall]:\nruntime.cgocall(0xa691e0, 0xc00021e0b\n\n"
	                      "goroutine 33 [running]:\nmain.f()\n\t/a/main.go:3 +0x1\n"
	                      "created by main.g in goroutine 1\n\t/a/main.go:9 +0x2\n");
	s = parse_mem(t.buf, t.len);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_uint_eq(s.v[0]->goroutines.len, 2);
	f = gpm_goroutine_frames(s.v[0], &s.v[0]->goroutines.v[0], &nf);
	ck_assert_uint_eq(nf, 1);
	ck_assert_str_eq(f[0].func, "runtime.cgocall");
	f = gpm_goroutine_frames(s.v[0], &s.v[0]->goroutines.v[1], &nf);
	ck_assert_uint_eq(nf, 1);
	ck_assert_uint_eq(s.v[0]->warnings.len, 1);
	snaps_free(&s);
	// The last location cut mid-path, or a header cut before its "]:", a line end after
	// each: the goroutine was cut, not "a frame without location" or "a line not placed".
	static const char *const cuts[] = {
	    "\tgopm.test/fixture/crash/main.go:82 +0x2c\nmain.doPanic.func1()\n"
	    "gopm.test/fixture/cra\n",
	    "\tgopm.test/fixture/crash/main.go:82 +0x2c\nmain.doPanic.func1()\n"
	    "May 04 00:34:05 localhost.localdomain\n",
	    "\tgopm.test/fixture/crash/main.go:89 +0x76\n\ngoroutine 17 [syscall,\n",
	};
	for (size_t k = 0; k < sizeof(cuts) / sizeof(cuts[0]); k++) {
		t.len = 0;
		first_lines(&t, "dumps/go1.27-panic-single.txt", 4, "");
		gpm_strbuf_printf(&t, "%s", cuts[k]);
		s = parse_mem(t.buf, t.len);
		ck_assert_msg(s.v[0]->warnings.len == 1 &&
		                  has_warning(s.v[0], "1 goroutine was cut short by the end"),
		              "cut %zu: %s", k,
		              s.v[0]->warnings.len ? s.v[0]->warnings.v[0].text : "no warning");
		snaps_free(&s);
	}
	// An excerpt that begins with the end of another goroutine's stack (its last location
	// before the first header): counted. The previous dump's last frame is not.
	t.len = 0;
	gpm_strbuf_printf(&t, "```\n\tgopm.test/fixture/crash/main.go:89 +0x76\n\n");
	first_lines(&t, "dumps/go1.27-panic-single.txt", 100, "");
	char *hdr = strdup(strstr(t.buf, "goroutine 33"));
	s = parse_mem(hdr, strlen(hdr));
	ck_assert_uint_eq(s.v[0]->warnings.len, 0);
	snaps_free(&s);
	s = parse_mem(t.buf, t.len); // (the panic line starts the dump: from it on)
	snaps_free(&s);
	t.len = 0;
	gpm_strbuf_printf(&t, "```\n\tgopm.test/fixture/crash/main.go:89 +0x76\n\n%s", hdr);
	s = parse_mem(t.buf, t.len);
	ck_assert(has_warning(s.v[0], "could not be placed and was skipped (line 2)"));
	snaps_free(&s);
	t.len = 0;
	gpm_strbuf_printf(&t, "main.g()\n\tgopm.test/fixture/crash/main.go:89 +0x76\n\n%s", hdr);
	s = parse_mem(t.buf, t.len);
	ck_assert(!has_warning(s.v[0], "could not be placed"));
	snaps_free(&s);
	free(hdr);
	// Markdown's inline code closed on the last location, the paste indented by spaces.
	t.len = 0;
	gpm_strbuf_printf(&t, "`panic: boom\n\ngoroutine 1 [running]:\nmain.report()\n"
	                      "        /a/main.go:105 +0x15c\nmain.main()\n"
	                      "        /a/main.go:76 +0xb98`\n");
	s = parse_mem(t.buf, t.len);
	ck_assert_uint_eq(s.v[0]->warnings.len, 0);
	f = gpm_goroutine_frames(s.v[0], &s.v[0]->goroutines.v[0], &nf);
	ck_assert_uint_eq(nf, 2);
	ck_assert_uint_eq(f[1].line, 76);
	snaps_free(&s);
	// Words that are not arguments after "f(": not a frame.
	const char *w = "goroutine 1 [running]:\nmain.f(see the log\n";
	s = parse_mem(w, strlen(w));
	ck_assert_uint_eq(s.v[0]->goroutines.v[0].stack == UINT32_MAX ? 0 : 1, 0);
	snaps_free(&s);

	// A header as the last dump line, a fence and words after it.
	t.len = 0;
	first_lines(&t, "dumps/go1.27-panic-single.txt", 100, "");
	gpm_strbuf_printf(&t, "\ngoroutine 40 [select]:\n```\nany idea?\n");
	s = parse_mem(t.buf, t.len);
	ck_assert_uint_eq(s.v[0]->goroutines.len, 2);
	ck_assert(s.v[0]->goroutines.v[1].flags & GPM_GOROUTINE_TRUNCATED);
	ck_assert(has_warning(s.v[0], "1 goroutine was cut short by the end of the input"));
	ck_assert(!has_warning(s.v[0], "no frames"));
	snaps_free(&s);

	// A stack without its header after a location line cut by the export ("\t/usr/l").
	t.len = 0;
	first_lines(&t, "dumps/go1.27-panic-single.txt", 100, "");
	const char *stack = strstr(t.buf, "main.mustLoad");
	s = parse_mem(stack, strlen(stack)); // no line before it: nothing lost
	ck_assert(!has_warning(s.v[0], "could not be placed"));
	snaps_free(&s);
	struct gpm_strbuf u = GPM_STRBUF_INIT;
	gpm_strbuf_printf(&u, "\t/usr/l\n%s", stack);
	s = parse_mem(u.buf, u.len);
	ck_assert(has_warning(s.v[0], "1 line inside the dump could not be placed"));
	snaps_free(&s);
	gpm_strbuf_deinit(&u);
	// The same stack from a journal, no header nor crash line to learn the prefix from:
	// learnt from its "created by" line.
	struct snaps ref = parse_mem(stack, strlen(stack));
	u.len = 0;
	for (const char *p = stack; *p;) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		gpm_strbuf_printf(&u, "Jan 30 12:52:04 ip-10-1-2-11 dockerd[16426]: %s%.*s\n",
		                  p[0] == '\t' ? "        " : "", (int)(n - (p[0] == '\t')),
		                  p + (p[0] == '\t'));
		p = e ? e + 1 : p + n;
	}
	s = parse_mem(u.buf, u.len);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_uint_eq(s.v[0]->goroutines.len, 1);
	uint32_t rn;
	const struct gpm_frame *rf =
	    gpm_goroutine_frames(ref.v[0], &ref.v[0]->goroutines.v[0], &rn);
	f = gpm_goroutine_frames(s.v[0], &s.v[0]->goroutines.v[0], &nf);
	ck_assert_uint_eq(nf, rn);
	for (uint32_t i = 0; i < nf; i++) {
		ck_assert_str_eq(f[i].func, rf[i].func);
		ck_assert_str_eq(f[i].file, rf[i].file);
		ck_assert_uint_eq(f[i].line, rf[i].line);
	}
	ck_assert_uint_eq(s.v[0]->warnings.len, ref.v[0]->warnings.len);
	snaps_free(&s);
	snaps_free(&ref);
	gpm_strbuf_deinit(&u);

	// Three dumps, a limit of two: two read, the last says the rest was not.
	t.len = 0;
	for (int k = 0; k < 3; k++)
		first_lines(&t, "dumps/go1.27-panic-single.txt", 100, "");
	struct gpm_dump_options o = {.max_snapshots = 2};
	s = parse_mem_opts(t.buf, t.len, &o);
	ck_assert_uint_eq(s.n, 2);
	ck_assert(!has_warning(s.v[0], "more than"));
	ck_assert(has_warning(s.v[1], "more than 2 dumps in one input: the first 2 were read; "
	                              "the rest, from line 19 on"));
	snaps_free(&s);
	gpm_strbuf_deinit(&t);

	// How a child process ended, and nothing else: said; the same words in prose: not.
	static const struct {
		const char *text, *says;
	} tails[] = {
	    {"=== RUN   TestX\nsignal: killed\nFAIL\tpkg\t600.1s\n", "SIGKILL"},
	    {"$ go run .\nserving\nsignal: terminated\n", "SIGTERM"},
	    {"exit status 2\r\n", "status 2, as a Go program does after a panic"},
	    {"> exit status 1\n", "this was not one"},
	    {"output:\nexit status 0x40010004\n", "Windows status"},
	    {"the job said signal: killed and stopped\n", NULL},
	    {"signal: killed by whom\nexit status two\n", NULL},
	};
	for (size_t k = 0; k < sizeof(tails) / sizeof(tails[0]); k++) {
		struct gpm_incident **v = NULL;
		size_t n = 0;
		struct gpm_error *err =
		    gpm_dump_parse_all(tails[k].text, strlen(tails[k].text), "x", NULL, &v, &n);
		ck_assert_ptr_nonnull(err);
		ck_assert_uint_eq(n, 0);
		if (tails[k].says) {
			ck_assert_int_eq(err->code, GPM_ERR_UNSUPPORTED);
			ck_assert_msg(strstr(err->message, tails[k].says), "%s", err->message);
		} else {
			ck_assert_int_eq(err->code, GPM_ERR_FORMAT);
		}
		gpm_error_destroy(err);
		free(v);
	}
}
END_TEST

/* go test -v's "=== RUN" lines before a timeout without a "running tests:" list: the
 * tests started and never ended, subtests that passed left out. */
START_TEST(test_gotest_v)
{
	const char *t = "=== RUN   TestA\n--- PASS: TestA (0.00s)\n"
	                "=== RUN   TestB\n=== RUN   TestB/one\n"
	                "    --- PASS: TestB/one (0.01s)\n=== RUN   TestB/two\n"
	                "=== PAUSE TestB/two\n=== CONT  TestB/two\n"
	                "panic: test timed out after 10m0s\n\n"
	                "goroutine 17 [running]:\ntesting.(*M).startAlarm.func1()\n"
	                "\ttesting/testing.go:2036 +0x8e\n";
	struct snaps s = parse_mem(t, strlen(t));
	ck_assert_uint_eq(s.n, 1);
	ck_assert_ptr_nonnull(s.v[0]->crash.tests_started);
	ck_assert_str_eq(s.v[0]->crash.tests_started, "TestB\nTestB/two");
	snaps_free(&s);
	// With the runtime's own list, the list is the evidence: nothing kept beside it.
	const char *l = "=== RUN   TestB\npanic: test timed out after 1s\nrunning tests:\n"
	                "\tTestB (1s)\n\ngoroutine 17 [running]:\nmain.main()\n\t/a.go:1 +0x1\n";
	s = parse_mem(l, strlen(l));
	ck_assert_ptr_null(s.v[0]->crash.tests_started);
	snaps_free(&s);
}
END_TEST

/* Buckets of goroutines a tool folded (panicparse, gotraceanalyzer): COUNT goroutines of
 * one stack each, their ids not printed, the packages' import paths found again. */
START_TEST(test_buckets)
{
	const char *pp =
	    "SIGQUIT: quit\nPC=0x466101 m=0 sigcode=0\n\n"
	    "1: idle\n"
	    "    runtime proc.go:3363               park_m(0xc000006b60)\n"
	    "    runtime asm_amd64.s:448            mcall()\n"
	    "3: semacquire [2~7 minutes] [Created by http.(*Server).Serve @ server.go:3086]\n"
	    "    sync    sema.go:77                 runtime_SemacquireMutex(0, 0, 0)\n"
	    "    sync    mutex.go:171               (*Mutex).lockSlow(#11)\n"
	    "    sync    mutex.go:90                (*Mutex).Lock(...)\n"
	    "    store   store.go:52                (*DB).Get(#11, {#3, 0x4})\n"
	    "    http    server.go:2122             HandlerFunc.ServeHTTP(#2, {#5, #6}, #7)\n"
	    "    (...)\n"
	    "1: chan receive [locked] [Created by main.main @ main.go:30]\n"
	    "    transport github.com/x/grpc@v1.50.0/internal/transport/t.go:9 (*T).loop()\n"
	    "             panic.go:884                panic({0x48dc60, 0x524fc0})\n"
	    "    main    main.go:31                 main.func1()\n";
	struct snaps s = parse_mem(pp, strlen(pp));
	ck_assert_uint_eq(s.n, 1);
	const struct gpm_incident *inc = s.v[0];
	ck_assert_uint_eq(inc->goroutines.len, 5);
	// "1: idle" is an M's g0, not a goroutine of the program.
	ck_assert(!gpm_goroutine_is_real(&inc->goroutines.v[0]));
	for (size_t i = 1; i < 5; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		ck_assert(g->flags & GPM_GOROUTINE_NO_ID);
		ck_assert(gpm_goroutine_is_real(g));
		ck_assert_uint_eq(g->id, 0);
	}
	const struct gpm_goroutine *w = &inc->goroutines.v[1];
	ck_assert_str_eq(w->state, "semacquire");
	ck_assert_int_eq(w->wait_minutes, 2); // a range: what holds for every goroutine of it
	ck_assert(w->flags & GPM_GOROUTINE_MORE_FRAMES);
	ck_assert_uint_eq(w->stack, inc->goroutines.v[3].stack);
	ck_assert_str_eq(frame_at(inc, w, 1)->func, "sync.(*Mutex).lockSlow");
	ck_assert(frame_at(inc, w, 2)->flags & GPM_FRAME_INLINED);
	ck_assert_str_eq(frame_at(inc, w, 3)->func, "store.(*DB).Get");
	ck_assert_str_eq(frame_at(inc, w, 3)->file, "store.go");
	ck_assert_uint_eq(frame_at(inc, w, 3)->line, 52);
	ck_assert_str_eq(frame_at(inc, w, 4)->func, "net/http.HandlerFunc.ServeHTTP");
	ck_assert_str_eq(inc->frames.v[w->created_by].func, "net/http.(*Server).Serve");
	ck_assert(!(inc->goroutines.v[2].flags & GPM_GOROUTINE_CURRENT));
	const struct gpm_goroutine *l = &inc->goroutines.v[4];
	ck_assert(l->flags & GPM_GOROUTINE_LOCKED);
	ck_assert_int_eq(l->wait_minutes, -1);
	// A module cache path gives the import path; a blank package column is "panic".
	ck_assert_str_eq(frame_at(inc, l, 0)->func,
	                 "github.com/x/grpc/internal/transport.(*T).loop");
	ck_assert_str_eq(frame_at(inc, l, 1)->func, "panic");
	ck_assert_str_eq(frame_at(inc, l, 2)->func, "main.main.func1");
	ck_assert_uint_eq(inc->warnings.len, 0);
	snaps_free(&s);

	// The same with the call lines' indentation taken off and every line padded to one
	// width (a console wrap must not be guessed from the columns).
	const char *flat = "1: running\n"
	                   "main  main.go:80    main()                          \n"
	                   "2: chan receive [Created by main.main @ main.go:68]\n"
	                   "main  main.go:28    recvLeaf(#9)                    \n"
	                   "main  main.go:48    handler({#6, #13}, {#3, 0}, {#1})\n"
	                   "1: chan receive [Created by main.main @ main.go:69]\n"
	                   "main  main.go:28    recvLeaf(#9)                    \n"
	                   "main  main.go:48    handler({#6, #13}, {#3, 0}, {#1})\n"
	                   "1: select [Created by main.main @ main.go:66]\n"
	                   "main  main.go:38    selectLeaf(0, 0)                \n";
	s = parse_mem(flat, strlen(flat));
	ck_assert_uint_eq(s.n, 1);
	ck_assert_uint_eq(s.v[0]->goroutines.len, 5);
	ck_assert_str_eq(s.v[0]->goroutines.v[4].state, "select");
	snaps_free(&s);

	// gotraceanalyzer: the runtime's frames under "COUNT goroutines [state]:"; its total
	// checked against what was read.
	const char *ga = "Showing 2 unique goroutines out of 5 total:\n\n"
	                 "3 goroutines [chan receive, 12 minutes]:\n"
	                 "main.worker(0xc000010000)\n\t/app/main.go:20 +0x2a\n"
	                 "created by main.main\n\t/app/main.go:9 +0x44\n\n"
	                 "1 goroutines [running]:\n"
	                 "main.main()\n\t/app/main.go:12 +0x10\n";
	s = parse_mem(ga, strlen(ga));
	ck_assert_uint_eq(s.n, 1);
	inc = s.v[0];
	ck_assert_uint_eq(inc->goroutines.len, 4);
	ck_assert_int_eq(inc->goroutines.v[2].wait_minutes, 12);
	ck_assert(inc->goroutines.v[2].flags & GPM_GOROUTINE_NO_ID);
	ck_assert_str_eq(frame_at(inc, &inc->goroutines.v[2], 0)->func, "main.worker");
	size_t said = 0;
	for (size_t i = 0; i < inc->warnings.len; i++)
		said += strstr(inc->warnings.v[i].text, "counts 5 goroutines but 4") != NULL;
	ck_assert_uint_eq(said, 1);
	snaps_free(&s);

	// A numbered list in prose is not a bucket.
	const char *prose = "1: restart the pods\n2: check the logs\n";
	struct gpm_incident **v = NULL;
	size_t n = 0;
	struct gpm_error *err = gpm_dump_parse_all(prose, strlen(prose), "test", NULL, &v, &n);
	ck_assert(err && err->code == GPM_ERR_FORMAT);
	gpm_error_destroy(err);
	free(v);
}
END_TEST

/* Stacks a recover logged in the format of Go's first debug.Stack (gin's Recovery, run by
 * testdata/gen/make-recover-fixtures.sh): each one goroutine, its functions named from the
 * file's directory and the name line, "PKG.?" without one; the values logged before them. */
static void check_gin(const struct gpm_incident *inc, bool named)
{
	ck_assert_uint_eq(inc->goroutines.len, 4);
	ck_assert_uint_eq(inc->warnings.len, 0);
	for (size_t i = 0; i < 4; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		ck_assert(g->flags & GPM_GOROUTINE_RECOVER_LOG);
		ck_assert(g->flags & GPM_GOROUTINE_NO_HEADER);
		ck_assert_int_eq(g->status, GPM_G_RUNNING);
	}
	// Index out of range twice (the same stack), a nil pointer, a string value.
	ck_assert_uint_eq(inc->goroutines.v[0].stack, inc->goroutines.v[3].stack);
	ck_assert_uint_ne(inc->goroutines.v[0].stack, inc->goroutines.v[1].stack);
	const struct gpm_goroutine *g = &inc->goroutines.v[0];
	uint32_t n;
	gpm_goroutine_frames(inc, g, &n);
	ck_assert_uint_eq(n, 13);
	ck_assert_str_eq(frame_at(inc, g, 0)->func, named ? "runtime.goPanicIndex" : "runtime.?");
	ck_assert_str_eq(frame_at(inc, g, 1)->func, named ? "ginapp.(*store).item" : "ginapp.?");
	ck_assert_str_eq(frame_at(inc, g, 1)->file, "ginapp/main.go");
	ck_assert_uint_eq(frame_at(inc, g, 1)->line, 20);
	ck_assert(frame_at(inc, g, 1)->pc > 0x400000);
	ck_assert_str_eq(frame_at(inc, g, 4)->func,
	                 named ? "github.com/gin-gonic/gin.CustomRecoveryWithWriter.func1"
	                       : "github.com/gin-gonic/gin.?");
	ck_assert_str_eq(frame_at(inc, g, 12)->file, "runtime/asm_amd64.s");
	ck_assert_uint_eq(inc->crash.recovered.len, 4);
	ck_assert_str_eq(inc->crash.recovered.v[0],
	                 "runtime error: index out of range [7] with length 3");
	ck_assert_str_eq(inc->crash.recovered.v[1],
	                 "runtime error: invalid memory address or nil pointer dereference");
	ck_assert_str_eq(inc->crash.recovered.v[2], "inventory out of sync");
}

START_TEST(test_recover_logs)
{
	// Debug mode: the request's headers (CRLF, "Host: 127.0.0.1:18301" is no location)
	// between gin's line and the value; colours around; a name line under each location.
	struct snaps s = parse_file("dumps/variants/recover/gin-debug.log");
	ck_assert_uint_eq(s.n, 1);
	check_gin(s.v[0], true);
	snaps_free(&s);
	// Release mode from a container without the sources: locations alone. Four lines of
	// gin's ("… panic recovered:") as wide, each before its value, are no console wrap.
	s = parse_file("dumps/variants/recover/gin-release.log");
	ck_assert_uint_eq(s.n, 1);
	check_gin(s.v[0], false);
	snaps_free(&s);

	// Cut by the end of the input before runtime.goexit's frame: said so.
	{
		struct gpm_source *cs;
		ck_assert(
		    !gpm_source_open(gpm_test_data("dumps/variants/recover/gin-release.log"), &cs));
		const char *t = (const char *)cs->data;
		size_t len = 0;
		for (int k = 0; k < 12 && len < cs->size; len++)
			k += t[len] == '\n';
		s = parse_mem(t, len);
		ck_assert_uint_eq(s.v[0]->goroutines.len, 1);
		ck_assert(s.v[0]->goroutines.v[0].flags & GPM_GOROUTINE_TRUNCATED);
		ck_assert_uint_eq(s.v[0]->warnings.len, 1);
		ck_assert(strstr(s.v[0]->warnings.v[0].text, "cut short by the end of the input"));
		snaps_free(&s);
		gpm_source_destroy(cs);
	}
	// Pasted again: tabs as spaces, a quote, a log prefix, CRLF.
	struct gpm_source *src;
	ck_assert(!gpm_source_open(gpm_test_data("dumps/variants/recover/gin-debug.log"), &src));
	struct gpm_strbuf sp = GPM_STRBUF_INIT, q = GPM_STRBUF_INIT, pre = GPM_STRBUF_INIT;
	const char *t = (const char *)src->data, *end = t + src->size;
	while (t < end) {
		const char *e = memchr(t, '\n', (size_t)(end - t));
		size_t len = e ? (size_t)(e - t) : (size_t)(end - t);
		for (size_t i = 0; i < len; i++)
			if (t[i] == '\t')
				gpm_strbuf_puts(&sp, "    ");
			else
				gpm_strbuf_putc(&sp, t[i]);
		gpm_strbuf_puts(&sp, "\n");
		gpm_strbuf_printf(&q, "> %.*s\r\n", (int)len, t);
		gpm_strbuf_printf(&pre, "2026-12-06T10:00:00.000Z stderr F %.*s\n", (int)len, t);
		t = e ? e + 1 : end;
	}
	gpm_source_destroy(src);
	const struct gpm_strbuf *forms[] = {&sp, &q, &pre};
	for (size_t k = 0; k < 3; k++) {
		s = parse_mem(forms[k]->buf, forms[k]->len);
		ck_assert_msg(s.n == 1, "form %zu: %zu snapshots", k, s.n);
		check_gin(s.v[0], true);
		snaps_free(&s);
	}
	gpm_strbuf_deinit(&sp);
	gpm_strbuf_deinit(&q);
	gpm_strbuf_deinit(&pre);

	// A recover's line naming the value before the runtime's stack it logged: Kubernetes'
	// HandleCrash (klog's "Observed a panic: %#v (%v)", and structured from v0.30 with the
	// stack under a tab), then the crash it raised again.
	const char *k8s[] = {"dumps/variants/recover/k8s.log", "dumps/variants/recover/klog.log"};
	for (size_t k = 0; k < 2; k++) {
		s = parse_file(k8s[k]);
		ck_assert_uint_eq(s.n, 2);
		ck_assert_uint_eq(s.v[0]->crash.recovered.len, 1);
		ck_assert_str_eq(
		    s.v[0]->crash.recovered.v[0],
		    "runtime error: invalid memory address or nil pointer dereference");
		ck_assert_uint_eq(s.v[0]->goroutines.len, 1);
		ck_assert_uint_eq(s.v[0]->warnings.len, 0);
		ck_assert_uint_eq(s.v[1]->crash.panics.len, 2);
		snaps_free(&s);
	}
	// chi's Recoverer, twice: " panic: V" (a value, not a crash), " -> FUNC", " ->   LOC",
	// the other frames indented, "created by"; colours around.
	s = parse_file("dumps/variants/recover/chi.log");
	ck_assert_uint_eq(s.n, 2);
	for (size_t k = 0; k < 2; k++) {
		const struct gpm_incident *ci = s.v[k];
		ck_assert_uint_eq(ci->goroutines.len, 1);
		ck_assert_uint_eq(ci->warnings.len, 0);
		ck_assert_uint_eq(ci->crash.panics.len, 0);
		ck_assert_uint_eq(ci->crash.recovered.len, 1);
		ck_assert_str_eq(ci->crash.recovered.v[0], "checkout: the cart is empty");
		const struct gpm_goroutine *g = &ci->goroutines.v[0];
		ck_assert(g->flags & GPM_GOROUTINE_RECOVER_LOG);
		ck_assert_str_eq(frame_at(ci, g, 0)->func, "main.(*cart).checkout");
		ck_assert_str_eq(frame_at(ci, g, 0)->file, "chiapp/main.go");
		ck_assert_uint_eq(frame_at(ci, g, 0)->line, 20);
		ck_assert_str_eq(frame_at(ci, g, 1)->func, "main.main.func1");
		ck_assert_str_eq(ci->frames.v[g->created_by].func, "net/http.(*Server).Serve");
	}
	snaps_free(&s);
	// echo's "[PANIC RECOVER] V goroutine 18 [running]:" in its JSON record: the value,
	// then every goroutine of runtime.Stack(buf, true).
	s = parse_file("dumps/variants/recover/echo.log");
	ck_assert_uint_eq(s.n, 1);
	ck_assert_uint_eq(s.v[0]->goroutines.len, 2);
	ck_assert_uint_eq(s.v[0]->warnings.len, 0);
	ck_assert_uint_eq(s.v[0]->crash.recovered.len, 1);
	ck_assert_str_eq(s.v[0]->crash.recovered.v[0],
	                 "runtime error: invalid memory address or nil pointer dereference");
	ck_assert_uint_ne(s.v[0]->goroutines.v[0].id, 0);
	snaps_free(&s);
	// The value on a klog line is the %v: "%#v (%v)" of an error with parentheses in it.
	const char *paren = "E1206 10:00:00.123456 1 runtime.go:79] Observed a panic: "
	                    "&errors.errorString{s:\"bad (very)\"} (bad (very))\n"
	                    "goroutine 5 [running]:\nmain.f()\n\tmain.go:3 +0x1\n";
	s = parse_mem(paren, strlen(paren));
	ck_assert_uint_eq(s.v[0]->crash.recovered.len, 1);
	ck_assert_str_eq(s.v[0]->crash.recovered.v[0], "bad (very)");
	snaps_free(&s);
	// A line of prose naming a panic is no value when no stack follows.
	const char *prose = "we saw panic recovered: twice\n\n\n\n\n\n\n\ngoroutine 1 [running]:\n"
	                    "main.main()\n\tmain.go:3 +0x1\n";
	s = parse_mem(prose, strlen(prose));
	ck_assert_uint_eq(s.v[0]->crash.recovered.len, 0);
	snaps_free(&s);
}
END_TEST

/* Goroutines made from a count (a debug=1 record's "N @", a tool's bucket) are bounded over
 * the whole input, not per snapshot: a few bytes may claim billions. */
START_TEST(test_counted_limit)
{
	const char *rec = "goroutine profile: total 16777216\n16777216 @ 0x1\n"
	                  "#\t0x1\tmain.f+0x1\t/a.go:1\n\n";
	char buf[512];
	snprintf(buf, sizeof(buf), "%s%s%s", rec, rec, rec);
	struct gpm_dump_options o = {.max_counted = 1000};
	struct snaps s = parse_mem_opts(buf, strlen(buf), &o);
	// (A profile left with no goroutine does not end its snapshot: the last two merge.)
	ck_assert_uint_ge(s.n, 2);
	size_t total = 0;
	for (size_t i = 0; i < s.n; i++) {
		total += s.v[i]->goroutines.len;
		// Each snapshot says how many of its records' goroutines were not made, and none
		// says only that the profile's total differs.
		size_t said = 0;
		for (size_t w = 0; w < s.v[i]->warnings.len; w++) {
			const char *t = s.v[i]->warnings.v[w].text;
			said += strstr(t, "were not made") != NULL;
			ck_assert_ptr_null(strstr(t, "but"));
		}
		ck_assert_uint_eq(said, 1);
	}
	ck_assert_uint_eq(total, 1000);
	ck_assert_uint_eq(s.v[0]->goroutines.len, 1000);
	snaps_free(&s);

	// A tool's buckets: the bucket's own goroutine and its copies, within the same bound.
	const char *b = "4000000000 goroutines [semacquire, 4 minutes]:\n"
	                "main.f()\n\t/a.go:5 +0x1\n\n"
	                "2 goroutines [running]:\nmain.g()\n\t/a.go:9 +0x1\n";
	s = parse_mem_opts(b, strlen(b), &o);
	ck_assert_uint_eq(s.n, 1);
	// Each bucket's first goroutine is read from the text; only copies are counted.
	ck_assert_uint_eq(s.v[0]->goroutines.len, 1 + 1000 + 1);
	ck_assert_uint_eq(s.v[0]->warnings.len, 1);
	ck_assert_ptr_nonnull(strstr(s.v[0]->warnings.v[0].text, "3999999000 goroutines"));
	snaps_free(&s);
}
END_TEST

/* debug=1 profiles as pasted: without their first line, a record's "#" indented or eaten
 * by a Markdown renderer. */
START_TEST(test_pprof_pasted)
{
	const char *t = "The readLoop waits forever:\n"
	                "426 @ 0x4416ea 0x450c79 0x4c72e9 0x472411\n"
	                " #       0x4c72e8        net/http.(*persistConn).readLoop+0x9c8  "
	                "/go/src/net/http/transport.go:1536\n\n"
	                "12 @ 0x4416ea 0x4c866d 0x472411\n"
	                "        0x4c866c\tnet/http.(*persistConn).writeLoop+0x3bc\t"
	                "/go/src/net/http/transport.go:1600\n";
	struct snaps s = parse_mem(t, strlen(t));
	ck_assert_uint_eq(s.n, 1);
	const struct gpm_incident *inc = s.v[0];
	ck_assert_int_eq(inc->kind, GPM_INPUT_PPROF1);
	ck_assert_uint_eq(inc->goroutines.len, 438);
	ck_assert_str_eq(frame_at(inc, &inc->goroutines.v[0], 0)->func,
	                 "net/http.(*persistConn).readLoop");
	ck_assert_uint_eq(frame_at(inc, &inc->goroutines.v[0], 0)->line, 1536);
	ck_assert_str_eq(frame_at(inc, &inc->goroutines.v[437], 0)->func,
	                 "net/http.(*persistConn).writeLoop");
	size_t said = 0;
	for (size_t i = 0; i < inc->warnings.len; i++)
		said += strstr(inc->warnings.v[i].text, "first line") != NULL;
	ck_assert_uint_eq(said, 1);
	snaps_free(&s);
}
END_TEST

START_TEST(test_log_stamp)
{
	static const struct {
		const char *line, *rest; // rest NULL: no preamble
	} cases[] = {
	    {"2024/05/01 10:00:01 panic: boom", "panic: boom"},
	    {"2024-05-01T10:00:01.123Z ERROR SIGABRT: abort", "SIGABRT: abort"},
	    {"2024-05-01T10:00:01.000Z\tERROR\tapp/main.go:42\tpanic: x", "panic: x"},
	    {"E0501 10:00:01.123456    4242 main.go:123] fatal error: all goroutines are asleep",
	     "fatal error: all goroutines are asleep"},
	    {"2024-05-01 10:00:01,123 [ERROR] unexpected fault address 0x0",
	     "unexpected fault address 0x0"},
	    {"May  1 10:00:01 web01 api[1234]: runtime: out of memory", "runtime: out of memory"},
	    {"2024-05-01T10:00:01+02:00 web01 api[1234]: panic: x", "panic: x"},
	    {"time=2024-05-01T10:00:01Z level=error panic: x", NULL}, // logfmt: its own reader
	    {"level=error 10:00:01 panic: x", "panic: x"},
	    {"ERROR [pod/web-1/app] SIGQUIT: quit", "SIGQUIT: quit"},
	    {"panic: x", NULL},
	    {"2024/05/01 10:00:01 worker crashed: panic: x", NULL},
	    {"2024/05/01 10:00:01 crashed: panic: x", NULL},
	    {"worker 12 panic: x", NULL},
	    {"12 panic: x", NULL}, // a number alone is no timestamp
	    {"main.main()", NULL},
	    {"1 @ 0x43a1b6 0x4071d2", NULL},
	    {"2024/05/01 10:00:01 SIG: x", NULL},
	    {"2024/05/01 10:00:01 ", NULL},
	    {"`panic: sync: negative WaitGroup counter", "panic: sync: negative WaitGroup counter"},
	    {"```fatal error: concurrent map writes", "fatal error: concurrent map writes"},
	    {"`main.main()`", NULL},
	    {"`", NULL},
	    {"..panic: runtime error: index out of range",
	     "panic: runtime error: index out of range"},
	    {"**fatal error: concurrent map writes", "fatal error: concurrent map writes"},
	    {"...additional frames elided...", NULL},
	    {"*main.T", NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *l = cases[i].line;
		size_t n = gpm_dump_log_stamp(l, strlen(l));
		if (cases[i].rest)
			ck_assert_msg(n && !strcmp(l + n, cases[i].rest), "%s: got %zu", l, n);
		else
			ck_assert_msg(n == 0, "%s: got %zu", l, n);
	}
}
END_TEST

START_TEST(test_group)
{
	struct snaps s = parse_file("dumps/corpus/combinestacks-debug2.txt");
	const struct gpm_incident *inc = s.v[0];
	struct gpm_grouping gr;
	ck_assert(!gpm_group_goroutines(inc, GPM_GROUP_NO_ARGS, &gr));
	// 100 in main.a2 and 50 in main.b2, blocked in sync.(*Mutex).Lock
	ck_assert_uint_ge(gr.ngroups, 3);
	ck_assert_uint_eq(gr.groups[0].count, 100);
	ck_assert_uint_eq(gr.groups[1].count, 50);
	ck_assert_str_eq(gr.groups[0].state, "semacquire");
	ck_assert_uint_eq(gr.nmembers, 154);
	size_t total = 0;
	for (size_t i = 0; i < gr.ngroups; i++) {
		total += gr.groups[i].count;
		ck_assert_uint_le(gr.groups[i].min_id, gr.groups[i].max_id);
	}
	ck_assert_uint_eq(total, 154);
	const struct gpm_goroutine *rep = &inc->goroutines.v[gr.groups[0].representative];
	ck_assert_uint_eq(gr.groups[0].signature, gpm_group_signature(inc, rep, GPM_GROUP_NO_ARGS));
	ck_assert_uint_ge(gr.groups[0].ncreators, 1);
	size_t no_args = gr.ngroups;
	gpm_grouping_deinit(&gr);
	ck_assert(!gpm_group_goroutines(inc, GPM_GROUP_EXACT, &gr));
	ck_assert_uint_ge(gr.ngroups, no_args);
	gpm_grouping_deinit(&gr);
	ck_assert(!gpm_group_goroutines(inc, GPM_GROUP_NO_LINES, &gr));
	ck_assert_uint_le(gr.ngroups, no_args);
	gpm_grouping_deinit(&gr);
	snaps_free(&s);

	// Minutes ranges and repeats in crash sections.
	s = parse_file("cores/go1.19-hang-dwarf/stderr.txt");
	ck_assert(!gpm_group_goroutines(s.v[0], GPM_GROUP_NO_ARGS, &gr));
	ck_assert_uint_ge(gr.skipped, 1);
	ck_assert_uint_eq(gr.nmembers + gr.skipped, s.v[0]->goroutines.len);
	gpm_grouping_deinit(&gr);
	snaps_free(&s);
}
END_TEST

/*
 * Goroutines on one stack created at different places: each keeps its own "created by"
 * (the parser remembers the last one per stack and must compare all of it).
 */
START_TEST(test_created_by_per_goroutine)
{
	static const char text[] =
	    "goroutine 2 [chan receive]:\n"
	    "main.worker()\n\t/app/w.go:10 +0x1d\n"
	    "created by main.start in goroutine 1\n\t/app/s.go:20 +0x25\n\n"
	    "goroutine 3 [chan receive]:\n"
	    "main.worker()\n\t/app/w.go:10 +0x1d\n"
	    "created by main.start in goroutine 7\n\t/app/s.go:20 +0x25\n\n"
	    "goroutine 4 [chan receive]:\n"
	    "main.worker()\n\t/app/w.go:10 +0x1d\n"
	    "created by main.start in goroutine 1\n\t/app/s.go:21 +0x25\n\n"
	    "goroutine 5 [chan receive]:\n"
	    "main.worker()\n\t/app/w.go:10 +0x1d\n"
	    "created by main.startAll in goroutine 1\n\t/app/s.go:21 +0x25\n\n"
	    "goroutine 6 [chan receive]:\n"
	    "main.worker()\n\t/app/w.go:10 +0x1d\n"
	    "created by main.start in goroutine 1\n\t/app/s.go:20 +0x26\n\n"
	    "goroutine 7 [chan receive]:\n"
	    "main.worker()\n\t/app/w.go:10 +0x1d\n"
	    "created by main.start in goroutine 1\n\t/app/s.go:20 +0x25\n\n";
	static const struct {
		uint64_t id, parent;
		const char *func;
		uint32_t line, offset;
	} want[] = {
	    {2, 1, "main.start", 20, 0x25}, {3, 7, "main.start", 20, 0x25},
	    {4, 1, "main.start", 21, 0x25}, {5, 1, "main.startAll", 21, 0x25},
	    {6, 1, "main.start", 20, 0x26}, {7, 1, "main.start", 20, 0x25},
	};
	struct snaps s = parse_mem(text, sizeof(text) - 1);
	ck_assert_uint_eq(s.n, 1);
	const struct gpm_incident *inc = s.v[0];
	ck_assert_uint_eq(inc->goroutines.len, 6);
	ck_assert_uint_eq(inc->stacks.len, 1);
	size_t checked = 0;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct gpm_goroutine *g = find_g(inc, want[i].id);
		ck_assert_ptr_nonnull(g);
		ck_assert_uint_eq(g->parent_id, want[i].parent);
		ck_assert_uint_ne(g->created_by, UINT32_MAX);
		const struct gpm_frame *f = &inc->frames.v[g->created_by];
		ck_assert_str_eq(f->func, want[i].func);
		ck_assert_str_eq(f->file, "/app/s.go");
		ck_assert_uint_eq(f->line, want[i].line);
		ck_assert_uint_eq(f->offset, want[i].offset);
		checked++;
	}
	ck_assert_uint_eq(checked, 6);
	// The same place is one frame.
	ck_assert_uint_eq(find_g(inc, 2)->created_by, find_g(inc, 7)->created_by);
	ck_assert_uint_eq(find_g(inc, 2)->created_by, find_g(inc, 3)->created_by);
	snaps_free(&s);
}
END_TEST

Suite *dump_suite(void)
{
	Suite *s = suite_create("dump");
	TCase *tc = tcase_create("dump");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_corpus_counts);
	tcase_add_test(tc, test_corpus_fields);
	tcase_add_test(tc, test_headers);
	tcase_add_test(tc, test_created_by_per_goroutine);
	tcase_add_test(tc, test_preambles);
	tcase_add_test(tc, test_crash_sections);
	tcase_add_test(tc, test_gccgo);
	tcase_add_test(tc, test_pprof1);
	tcase_add_test(tc, test_wrapped);
	tcase_add_test(tc, test_concat_and_truncated);
	tcase_add_test(tc, test_roundtrip);
	tcase_add_test(tc, test_junk);
	tcase_add_test(tc, test_huge_line);
	tcase_add_test(tc, test_nested_recovered);
	tcase_add_test(tc, test_detect);
	tcase_add_test(tc, test_preamble_as_read);
	tcase_add_test(tc, test_group);
	tcase_add_test(tc, test_log_stamp);
	tcase_add_test(tc, test_mangled_starts);
	tcase_add_test(tc, test_headerless);
	tcase_add_test(tc, test_buckets);
	tcase_add_test(tc, test_recover_logs);
	tcase_add_test(tc, test_counted_limit);
	tcase_add_test(tc, test_gotest_v);
	tcase_add_test(tc, test_runtime_lines);
	tcase_add_test(tc, test_pprof_pasted);
	tcase_add_test(tc, test_crash_lines_only);
	tcase_add_test(tc, test_placeholder_ids);
	tcase_add_test(tc, test_broken_escaped_record);
	tcase_add_test(tc, test_joined_lines);
	tcase_add_test(tc, test_cut_starts);
	tcase_add_test(tc, test_excerpt_ends);
	tcase_add_test(tc, test_excerpt_cut_fenced);
	tcase_add_test(tc, test_unwinder_lines);
	tcase_add_test(tc, test_huge_numbers);
	suite_add_tcase(s, tc);
	return s;
}
