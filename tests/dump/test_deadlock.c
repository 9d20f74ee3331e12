/*
 * Tests of go-deadlock reports (src/dump/deadlock.c) and their rule
 * (src/analysis/rule_deadlock.c): the fixtures of testdata/dumps/deadlock/ field by field
 * (kinds, goroutines, the lock, the stacks and their first frames), every fixture re-read
 * with tabs for indentation and with a log prefix, a report whose holder's goroutine the
 * dump prints, a report cut in the middle, and the findings with the program's own frames.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "base/source.h"
#include "base/strbuf.h"
#include "check_gopm.h"
#include "dump/dump.h"

static struct gpm_incident *parse_text(const char *text, size_t len)
{
	struct gpm_incident **v;
	size_t n;
	struct gpm_error *err = gpm_dump_parse_all(text, len, "test", NULL, &v, &n);
	ck_assert_msg(!err, "parse: %s", err ? err->message : "");
	ck_assert_uint_ge(n, 1);
	struct gpm_incident *inc = v[0];
	for (size_t i = 1; i < n; i++)
		gpm_incident_destroy(v[i]);
	free(v);
	return inc;
}

static struct gpm_incident *parse_fixture(const char *name)
{
	char rel[256];
	snprintf(rel, sizeof(rel), "dumps/deadlock/%s", name);
	struct gpm_source *src;
	struct gpm_error *err = gpm_source_open(gpm_test_data(rel), &src);
	ck_assert_msg(!err, "%s: %s", rel, err ? err->message : "");
	struct gpm_incident *inc = parse_text((const char *)src->data, src->size);
	gpm_source_destroy(src);
	return inc;
}

/* The first frame's function of stack s of report r. */
static const char *top(const struct gpm_incident *inc, const struct gpm_lock_report *r, int s)
{
	ck_assert_uint_ne(r->stacks[s], UINT32_MAX);
	const struct gpm_stack *st = &inc->stacks.v[r->stacks[s]];
	ck_assert_uint_gt(st->nframes, 0);
	return inc->frames.v[st->first].func;
}

static uint32_t depth(const struct gpm_incident *inc, const struct gpm_lock_report *r, int s)
{
	return r->stacks[s] == UINT32_MAX ? 0 : inc->stacks.v[r->stacks[s]].nframes;
}

static const struct gpm_finding *finding(const struct gpm_analysis *a, const char *rule)
{
	for (size_t i = 0; i < a->findings.len; i++)
		if (!strcmp(a->findings.v[i].rule, rule))
			return &a->findings.v[i];
	return NULL;
}

START_TEST(test_deadlock_order)
{
	struct gpm_incident *inc = parse_fixture("order.txt");
	ck_assert_uint_eq(inc->lock_reports.len, 1);
	ck_assert_uint_eq(inc->warnings.len, 0);
	const struct gpm_lock_report *r = &inc->lock_reports.v[0];
	ck_assert_int_eq(r->kind, GPM_LOCK_REPORT_ORDER);
	ck_assert_str_eq(top(inc, r, 0), "ledger.(*Account).Lock");
	for (int s = 0; s < 4; s++)
		ck_assert_uint_eq(depth(inc, r, s), 3);
	ck_assert_uint_eq(r->others, 1);
	const struct gpm_stack *st = &inc->stacks.v[r->stacks[2]];
	ck_assert_str_eq(inc->frames.v[st->first + 1].func, "ledger.(*Auditor).reconcile");
	ck_assert_str_eq(inc->frames.v[st->first + 1].file, "ledger/audit.go");
	ck_assert_uint_eq(inc->frames.v[st->first + 1].line, 73);
	struct gpm_analysis *a;
	ck_assert_ptr_null(gpm_analysis_run(inc, NULL, &a));
	const struct gpm_finding *f = finding(a, "deadlock.reported");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_eq(f, &a->findings.v[0]);
	// Named by the program's frames, not the Lock wrapper every stack starts with.
	ck_assert_ptr_nonnull(strstr(f->title, "ledger.Transfer at ledger/transfer.go:27"));
	ck_assert_ptr_nonnull(
	    strstr(f->title, "ledger.(*Auditor).reconcile at ledger/audit.go:73"));
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
}
END_TEST

START_TEST(test_deadlock_fork_format)
{
	// Forks print the runtime's two-line frames; their own Lock frames come first.
	struct gpm_incident *inc = parse_fixture("order-fork.txt");
	ck_assert_uint_eq(inc->lock_reports.len, 1);
	ck_assert_uint_eq(inc->warnings.len, 0);
	const struct gpm_lock_report *r = &inc->lock_reports.v[0];
	ck_assert_int_eq(r->kind, GPM_LOCK_REPORT_ORDER);
	ck_assert_str_eq(top(inc, r, 0), "github.com/linkdata/deadlock.(*DeadlockMutex).Lock");
	ck_assert_uint_eq(depth(inc, r, 3), 2);
	struct gpm_analysis *a;
	ck_assert_ptr_null(gpm_analysis_run(inc, NULL, &a));
	const struct gpm_finding *f = finding(a, "deadlock.reported");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->title, "example.com/shop/cart.(*Cart).Merge"));
	ck_assert_ptr_nonnull(strstr(f->title, "example.com/shop/inventory.(*Store).Reserve"));
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
}
END_TEST

START_TEST(test_deadlock_recursive)
{
	struct gpm_incident *inc = parse_fixture("recursive.txt");
	ck_assert_uint_eq(inc->lock_reports.len, 1);
	const struct gpm_lock_report *r = &inc->lock_reports.v[0];
	ck_assert_int_eq(r->kind, GPM_LOCK_REPORT_RECURSIVE);
	ck_assert_uint_eq(r->waiter, 18);
	ck_assert_uint_eq(r->holder, 18);
	ck_assert_uint_eq(r->lock, 0xc000124030);
	ck_assert_str_eq(top(inc, r, 0), "cache.(*LRU).evict");
	ck_assert_str_eq(top(inc, r, 1), "cache.(*LRU).Add");
	struct gpm_analysis *a;
	ck_assert_ptr_null(gpm_analysis_run(inc, NULL, &a));
	const struct gpm_finding *f = finding(a, "deadlock.reported");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->severity, GPM_SEVERITY_CRITICAL);
	ck_assert_uint_eq(f->address, 0xc000124030);
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
}
END_TEST

START_TEST(test_deadlock_timeout)
{
	struct gpm_incident *inc = parse_fixture("timeout.txt");
	ck_assert_uint_eq(inc->warnings.len, 0);
	ck_assert_uint_eq(inc->lock_reports.len, 1);
	const struct gpm_lock_report *r = &inc->lock_reports.v[0];
	ck_assert_int_eq(r->kind, GPM_LOCK_REPORT_TIMEOUT);
	ck_assert_uint_eq(r->holder, 240);
	ck_assert_uint_eq(r->waiter, 68);
	ck_assert_str_eq(r->timeout, "30s");
	ck_assert_uint_eq(depth(inc, r, 1), 3);
	ck_assert_uint_eq(r->others, 1);
	// The holder's goroutine as the runtime printed it, read by the dump reader.
	ck_assert_uint_eq(inc->goroutines.len, 1);
	ck_assert_uint_eq(inc->goroutines.v[0].id, 240);
	struct gpm_analysis *a;
	ck_assert_ptr_null(gpm_analysis_run(inc, NULL, &a));
	const struct gpm_finding *f = finding(a, "deadlock.reported");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(strstr(f->explanation, "example.com/kv/store.(*Table).flush"));
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
}
END_TEST

/* The fixture with each line transformed by fn (into out, '\n' ended). */
static void transform(const char *name, void (*fn)(const char *s, size_t n, struct gpm_strbuf *o),
                      struct gpm_strbuf *out)
{
	char rel[256];
	snprintf(rel, sizeof(rel), "dumps/deadlock/%s", name);
	struct gpm_source *src;
	ck_assert_ptr_null(gpm_source_open(gpm_test_data(rel), &src));
	const char *p = (const char *)src->data, *end = p + src->size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		fn(p, n, out);
		p += n + 1;
	}
	gpm_source_destroy(src);
}

static void indent_tab(const char *s, size_t n, struct gpm_strbuf *o)
{
	if (n)
		gpm_strbuf_putc(o, '\t');
	gpm_strbuf_append(o, s, n);
	gpm_strbuf_putc(o, '\n');
}

static void log_prefix(const char *s, size_t n, struct gpm_strbuf *o)
{
	gpm_strbuf_puts(o, "2026-11-30T10:02:12.123456Z ");
	gpm_strbuf_append(o, s, n);
	gpm_strbuf_putc(o, '\n');
}

static void same_reports(const struct gpm_incident *a, const struct gpm_incident *b)
{
	ck_assert_uint_eq(a->lock_reports.len, b->lock_reports.len);
	for (size_t i = 0; i < a->lock_reports.len; i++) {
		const struct gpm_lock_report *x = &a->lock_reports.v[i], *y = &b->lock_reports.v[i];
		ck_assert_int_eq(x->kind, y->kind);
		ck_assert_uint_eq(x->holder, y->holder);
		ck_assert_uint_eq(x->waiter, y->waiter);
		ck_assert_uint_eq(x->lock, y->lock);
		for (int s = 0; s < GPM_LOCK_REPORT_STACKS; s++) {
			ck_assert_uint_eq(depth(a, x, s), depth(b, y, s));
			if (depth(a, x, s))
				ck_assert_str_eq(top(a, x, s), top(b, y, s));
		}
	}
}

START_TEST(test_deadlock_pasted)
{
	static const char *const names[] = {"order.txt", "order-fork.txt", "recursive.txt",
	                                    "timeout.txt"};
	size_t checked = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct gpm_incident *clean = parse_fixture(names[i]);
		void (*fns[])(const char *, size_t, struct gpm_strbuf *) = {indent_tab, log_prefix};
		for (size_t k = 0; k < 2; k++) {
			struct gpm_strbuf t = GPM_STRBUF_INIT;
			transform(names[i], fns[k], &t);
			struct gpm_incident *inc = parse_text(t.buf, t.len);
			same_reports(clean, inc);
			gpm_incident_destroy(inc);
			gpm_strbuf_deinit(&t);
			checked++;
		}
		gpm_incident_destroy(clean);
	}
	ck_assert_uint_eq(checked, 8);
}
END_TEST

START_TEST(test_deadlock_cut_and_junk)
{
	// Cut anywhere: a report with what was read, never a crash; stray lines are counted.
	struct gpm_source *src;
	ck_assert_ptr_null(gpm_source_open(gpm_test_data("dumps/deadlock/timeout.txt"), &src));
	for (size_t cut = 20; cut < src->size; cut += 7) {
		struct gpm_incident **v;
		size_t n;
		struct gpm_error *err =
		    gpm_dump_parse_all((const char *)src->data, cut, "t", NULL, &v, &n);
		ck_assert_msg(!err, "cut %zu: %s", cut, err ? err->message : "");
		ck_assert_uint_ge(v[0]->lock_reports.len, 1);
		for (size_t i = 0; i < n; i++)
			gpm_incident_destroy(v[i]);
		free(v);
	}
	gpm_source_destroy(src);
	const char *stray = "POTENTIAL DEADLOCK: Recursive locking:\n"
	                    "current goroutine 5 lock 0xc000010000\n"
	                    "a.go:3 main.f { mu.Lock() } <<<<<\n"
	                    "\n"
	                    "b.go:9 main.g { mu.Lock() }\n"
	                    "Previous place where the lock was grabbed (same goroutine)\n"
	                    "a.go:2 main.f { mu.Lock() } <<<<<\n";
	struct gpm_incident *inc = parse_text(stray, strlen(stray));
	ck_assert_uint_eq(inc->lock_reports.len, 1);
	ck_assert_uint_eq(inc->warnings.len, 1);
	ck_assert_ptr_nonnull(strstr(inc->warnings.v[0].text, "main.g"));
	gpm_incident_destroy(inc);
}
END_TEST

Suite *deadlock_suite(void)
{
	Suite *s = suite_create("deadlock");
	TCase *tc = tcase_create("deadlock");
	tcase_add_test(tc, test_deadlock_order);
	tcase_add_test(tc, test_deadlock_fork_format);
	tcase_add_test(tc, test_deadlock_recursive);
	tcase_add_test(tc, test_deadlock_timeout);
	tcase_add_test(tc, test_deadlock_pasted);
	tcase_add_test(tc, test_deadlock_cut_and_junk);
	suite_add_tcase(s, tc);
	return s;
}
