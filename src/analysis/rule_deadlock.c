/*
 * deadlock.reported: the potential deadlocks go-deadlock (github.com/sasha-s/go-deadlock
 * and its forks) printed, read by src/dump/deadlock.c. go-deadlock watches every Lock of
 * its drop-in mutexes, so what it reports it saw happen:
 *   - lock-order inversion: one goroutine took lock A then B, another B then A. Both
 *     orders ran; whether they can overlap is the question (HIGH, LIKELY);
 *   - recursive locking: a goroutine locked a mutex it already held. With sync.Mutex that
 *     goroutine never continues; with RWMutex.RLock it deadlocks as soon as a writer waits
 *     (CRITICAL, CERTAIN);
 *   - a Lock that waited past go-deadlock's timeout (30 s by default) for a lock another
 *     goroutine held, with where that goroutine took it and, when printed, what it does
 *     now (HIGH, LIKELY).
 * Each report is one finding, named by the program's own frames (the first frame of each
 * stack that is not a mutex wrapper). Identical reports (the same places) are one finding
 * whose count says how often it was printed.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/rules.h"

/* A Lock or RLock method, or go-deadlock's own frames: not where the program locked. */
static bool is_lock_wrapper(const char *fn)
{
	if (!fn)
		return true;
	size_t n = strlen(fn);
	static const char *const ends[] = {".Lock", ".RLock", ".lock", ".TryLock"};
	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		size_t k = strlen(ends[i]);
		if (n > k && !strcmp(fn + n - k, ends[i]) && (fn[n - k - 1] == ')' || k == 5))
			return true;
	}
	return strstr(fn, "go-deadlock.") || strstr(fn, "/deadlock.") ||
	       !strncmp(fn, "deadlock.", 9) || !strncmp(fn, "sync.", 5);
}

/* "func at file:line" of the first non-wrapper frame of stack s (NULL: none printed). */
static char *place(const struct gpm_incident *inc, uint32_t s)
{
	if (s == UINT32_MAX || s >= inc->stacks.len)
		return NULL;
	const struct gpm_stack *st = &inc->stacks.v[s];
	const struct gpm_frame *f = &inc->frames.v[st->first];
	uint32_t i = 0;
	while (i + 1 < st->nframes && is_lock_wrapper(f[i].func))
		i++;
	if (!st->nframes)
		return NULL;
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	const char *fn = f[i].func ? f[i].func : "?";
	gpm_strbuf_append_safe(&sb, fn, strlen(fn));
	if (f[i].file) {
		gpm_strbuf_puts(&sb, " at ");
		gpm_strbuf_append_safe(&sb, f[i].file, strlen(f[i].file));
		gpm_strbuf_printf(&sb, ":%u", f[i].line);
	}
	if (gpm_strbuf_error(&sb)) {
		gpm_strbuf_deinit(&sb);
		return NULL;
	}
	return sb.buf;
}

static const struct gpm_goroutine *goroutine_by_id(const struct gpm_incident *inc, uint64_t id)
{
	for (size_t i = 0; id && i < inc->goroutines.len; i++)
		if (inc->goroutines.v[i].id == id &&
		    !(inc->goroutines.v[i].flags & GPM_GOROUTINE_REPEAT))
			return &inc->goroutines.v[i];
	return NULL;
}

static bool same_report(const struct gpm_lock_report *a, const struct gpm_lock_report *b)
{
	if (a->kind != b->kind)
		return false;
	for (int i = 0; i < GPM_LOCK_REPORT_STACKS; i++)
		if (a->stacks[i] != b->stacks[i])
			return false;
	return true;
}

static void one_report(struct gpm_rule_ctx *c, const struct gpm_lock_report *r, uint64_t times)
{
	const struct gpm_incident *inc = c->inc;
	struct gpm_finding *f = gpm_rule_finding_new(c, GPM_RULE_DEADLOCK_REPORTED);
	if (!f)
		return;
	char *p[GPM_LOCK_REPORT_STACKS];
	for (int i = 0; i < GPM_LOCK_REPORT_STACKS; i++)
		p[i] = place(inc, r->stacks[i]);
#define P(i) (p[i] ? p[i] : "(no stack printed)")
	switch (r->kind) {
	case GPM_LOCK_REPORT_ORDER:
		gpm_rule_text(c, &f->title, "lock-order inversion between %s and %s (go-deadlock)",
		              P(0), P(2));
		gpm_rule_text(c, &f->explanation,
		              "go-deadlock saw one goroutine take a lock in %s and then another in "
		              "%s, and another goroutine take them in the opposite order. When "
		              "both run at once, each waits for the lock the other holds forever.",
		              P(0), P(1));
		gpm_rule_text(c, &f->next,
		              "Take the two locks in one order everywhere (or release the first "
		              "before taking the second) in %s or %s.",
		              P(0), P(2));
		gpm_rule_evidence(c, f, "one goroutine", "locks in %s, then in %s", P(0), P(1));
		gpm_rule_evidence(c, f, "another", "locks in %s, then in %s", P(2), P(3));
		f->count = 2; // two goroutines; go-deadlock does not print their ids
		break;
	case GPM_LOCK_REPORT_RECURSIVE:
		f->severity = GPM_SEVERITY_CRITICAL;
		f->confidence = GPM_CONFIDENCE_CERTAIN;
		gpm_rule_text(c, &f->title,
		              "goroutine %" PRIu64 " locks a mutex it already holds in %s",
		              r->waiter, P(0));
		gpm_rule_text(c, &f->explanation,
		              "go-deadlock saw goroutine %" PRIu64 " lock %#" PRIx64
		              " again while holding it since %s. A sync.Mutex never lets it "
		              "continue; a second RLock of a sync.RWMutex blocks as soon as a "
		              "writer waits.",
		              r->waiter, r->lock, P(1));
		gpm_rule_text(c, &f->next,
		              "Do not lock in %s what %s already holds: split the function into a "
		              "locked and an unlocked variant.",
		              P(0), P(1));
		gpm_rule_evidence(c, f, "locks again", "%s", P(0));
		gpm_rule_evidence(c, f, "holds since", "%s", P(1));
		gpm_rule_add_id(c, f, r->waiter);
		f->address = r->lock;
		break;
	case GPM_LOCK_REPORT_TIMEOUT: {
		gpm_rule_text(c, &f->title,
		              "goroutine %" PRIu64 " waited %s%s for a lock goroutine %" PRIu64
		              " took in %s (go-deadlock)",
		              r->waiter, r->timeout ? "more than " : "too long",
		              r->timeout ? r->timeout : "", r->holder, P(0));
		const struct gpm_goroutine *h = goroutine_by_id(inc, r->holder);
		char *now = NULL;
		if (h) {
			int fi = gpm_rule_first_frame(inc, h, gpm_rule_is_plumbing);
			now = gpm_rule_frame_text(inc, h, fi);
		}
		char *state = h && h->state ? gpm_safe_strndup(h->state, strlen(h->state)) : NULL;
		gpm_rule_text(c, &f->explanation,
		              "Goroutine %" PRIu64 " tried to lock %#" PRIx64 " in %s; goroutine "
		              "%" PRIu64 " took it in %s and had not released it%s%s%s%s.",
		              r->waiter, r->lock, P(1), r->holder, P(0), now ? ": it is now " : "",
		              now && state ? state : "", now ? " in " : "", now ? now : "");
		gpm_rule_text(c, &f->next,
		              "See why goroutine %" PRIu64
		              " holds the lock so long%s%s: a blocking "
		              "call under a lock is the usual cause.",
		              r->holder, now ? " in " : "", now ? now : "");
		gpm_rule_evidence(c, f, "holder", "goroutine %" PRIu64 " took it in %s", r->holder,
		                  P(0));
		gpm_rule_evidence(c, f, "waiter", "goroutine %" PRIu64 " waits in %s", r->waiter,
		                  P(1));
		if (now)
			gpm_rule_evidence(c, f, "holder now", "%s in %s", state ? state : "?", now);
		gpm_rule_add_id(c, f, r->holder);
		gpm_rule_add_id(c, f, r->waiter);
		f->address = r->lock;
		free(now);
		free(state);
		break;
	}
	}
#undef P
	if (r->others)
		gpm_rule_evidence(c, f, "other holders",
		                  "%" PRIu32 " other goroutine%s held locks at the time", r->others,
		                  r->others == 1 ? "" : "s");
	if (times > 1)
		gpm_rule_evidence(c, f, "reported", "%" PRIu64 " times", times);
	for (int i = 0; i < GPM_LOCK_REPORT_STACKS; i++)
		free(p[i]);
}

void gpm_rule_deadlock_reports(struct gpm_rule_ctx *c)
{
	const struct gpm_incident *inc = c->inc;
	for (size_t i = 0; i < inc->lock_reports.len && !c->oom; i++) {
		const struct gpm_lock_report *r = &inc->lock_reports.v[i];
		// The first of identical reports speaks for all (reports are few: quadratic is
		// bounded by the reader's cap).
		bool seen = false;
		for (size_t k = 0; k < i && !seen; k++)
			seen = same_report(&inc->lock_reports.v[k], r);
		if (seen)
			continue;
		uint64_t times = 1;
		for (size_t k = i + 1; k < inc->lock_reports.len; k++)
			times += same_report(&inc->lock_reports.v[k], r);
		one_report(c, r, times);
	}
}
