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
#include <stdio.h>
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

/* "goroutine N", or "a goroutine" when the report gave no id (0); "Goroutine N" / "A
 * goroutine" with cap. */
static const char *gid(uint64_t id, bool cap, char (*buf)[40])
{
	if (id)
		snprintf(*buf, sizeof(*buf), "%soroutine %" PRIu64, cap ? "G" : "g", id);
	else
		snprintf(*buf, sizeof(*buf), "%s goroutine", cap ? "A" : "a");
	return *buf;
}

static void one_report(struct gpm_rule_ctx *c, const struct gpm_lock_report *r, uint64_t times)
{
	const struct gpm_incident *inc = c->inc;
	struct gpm_finding *f = gpm_rule_finding_new(c, GPM_RULE_DEADLOCK_REPORTED);
	if (!f)
		return;
	char *p[GPM_LOCK_REPORT_STACKS];
	char wb[40], hb[40];
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
		gpm_rule_text(c, &f->title, "%s locks a mutex it already holds in %s",
		              gid(r->waiter, false, &wb), P(0));
		gpm_rule_text(c, &f->explanation,
		              "go-deadlock saw %s lock %#" PRIx64
		              " again while holding it since %s. A sync.Mutex never lets it "
		              "continue; a second RLock of a sync.RWMutex blocks as soon as a "
		              "writer waits.",
		              gid(r->waiter, false, &wb), r->lock, P(1));
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
		gpm_rule_text(c, &f->title, "%s waited %s%s for a lock %s took in %s (go-deadlock)",
		              gid(r->waiter, false, &wb), r->timeout ? "more than " : "too long",
		              r->timeout ? r->timeout : "", gid(r->holder, false, &hb), P(0));
		const struct gpm_goroutine *h = goroutine_by_id(inc, r->holder);
		char *now = NULL;
		if (h) {
			int fi = gpm_rule_first_frame(inc, h, gpm_rule_is_plumbing);
			now = gpm_rule_frame_text(inc, h, fi);
		}
		char *state = h && h->state ? gpm_safe_strndup(h->state, strlen(h->state)) : NULL;
		gpm_rule_text(c, &f->explanation,
		              "%s tried to lock %#" PRIx64 " in %s; %s took it in %s and had not "
		              "released it%s%s%s%s.",
		              gid(r->waiter, true, &wb), r->lock, P(1), gid(r->holder, false, &hb),
		              P(0), now ? ": it is now " : "", now && state ? state : "",
		              now ? " in " : "", now ? now : "");
		gpm_rule_text(c, &f->next,
		              "See why %s holds the lock so long%s%s: a blocking "
		              "call under a lock is the usual cause.",
		              gid(r->holder, false, &hb), now ? " in " : "", now ? now : "");
		gpm_rule_evidence(c, f, "holder", "%s took it in %s", gid(r->holder, false, &hb),
		                  P(0));
		gpm_rule_evidence(c, f, "waiter", "%s waits in %s", gid(r->waiter, false, &wb),
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

/*
 * deadlock.stuck-lock and deadlock.stuck-wait: goroutines the runtime printed as waiting
 * minutes ("[semacquire, 448 minutes]", printed only after a minute) in a Lock or RLock of
 * a sync.Mutex or RWMutex, or in a WaitGroup.Wait or Cond.Wait. A healthy program holds a
 * mutex for microseconds, so a Lock waiting a minute means its holder is blocked while
 * holding it or never unlocked it; that is a finding whatever else the dump shows
 * (HIGH, LIKELY). A WaitGroup or Cond waited on for a long time is also how healthy
 * programs wait for the end of their workers (main waiting for a server's goroutines), so
 * that one is LOW, and only from 10 minutes on. Waiters are keyed by the mutex address
 * when their frames print it exactly (those without one are one finding); one finding per
 * key (at most five), linear in goroutines plus a sort of the waiters.
 */

enum { STUCK_LOCK, STUCK_WAIT };

struct stuck {
	uint32_t g;       /* goroutine index */
	int caller;       /* first frame past the lock or wait frames, -1 cut */
	uint64_t addr;    /* the mutex or WaitGroup, 0 unknown */
	const char *func; /* the caller's function (interned), NULL cut */
	const char *prim; /* the sync method it waits in (interned) */
	int kind;
	bool read;   /* an RWMutex's RLock: waits to read-lock it */
	bool rw;     /* an RWMutex (RLock or Lock) */
	bool merged; /* its address was taken from the RWMutex its callers' type locks */
};

/* The sync method a stack waits in, as STUCK_LOCK or STUCK_WAIT; -1 none
 * (gpm_frame_sync_wait, model/frameclass.h, is the one list of those frames). */
static int sync_wait_kind(const char *fn)
{
	enum gpm_sync_wait w = gpm_frame_sync_wait(fn);
	return gpm_sync_wait_is_lock(w) ? STUCK_LOCK : w != GPM_SYNC_NONE ? STUCK_WAIT : -1;
}

/* What stuck_waiter learns from a stack's frames, the same for every goroutine of the
 * stack: worked out once per distinct stack. */
struct stuck_shape {
	bool known, waits;
	bool read, rw;
	int kind;
	int caller;           /* as struct stuck */
	const char *func;     /* as struct stuck */
	const char *prim;     /* as struct stuck */
	uint16_t addr_frames; /* bit i: frame i is a sync method frame that prints the address */
};

static void stuck_shape_of(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                           struct stuck_shape *sh)
{
	*sh = (struct stuck_shape){.known = true};
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	uint32_t i = 0;
	// The runtime's parking frames and the semaphore calls under the sync method.
	while (i < n && i < 8 && f[i].func &&
	       (gpm_rule_is_runtime(f[i].func) || strstr(f[i].func, "runtime_") ||
	        !strcmp(f[i].func, "sync.runtime_notifyListWait")))
		i++;
	if (i >= n || (sh->kind = sync_wait_kind(f[i].func)) < 0)
		return;
	sh->waits = true;
	sh->prim = f[i].func;
	// The method frames (Lock over lockSlow, a wrapper's Lock) carry the address.
	for (; i < n && i < 16 && is_lock_wrapper(f[i].func); i++) {
		enum gpm_sync_wait w = gpm_frame_sync_wait(f[i].func);
		if (w == GPM_SYNC_NONE)
			continue;
		sh->read = w == GPM_SYNC_RW_RLOCK;
		sh->rw = sh->rw || sh->read || w == GPM_SYNC_RW_LOCK;
		sh->prim = f[i].func; // the outermost: RWMutex.Lock over Mutex.lockSlow
		sh->addr_frames |= (uint16_t)(1u << i);
	}
	sh->caller = i < n ? (int)i : -1;
	sh->func = i < n ? f[i].func : NULL;
}

/* Whether g waits in a sync primitive: fills s (but for s->g) and returns true. memo: per
 * stack (NULL none), what its frames say. */
static bool stuck_waiter(struct gpm_rule_ctx *c, const struct gpm_goroutine *g, struct stuck *s,
                         struct stuck_shape *memo)
{
	const struct gpm_incident *inc = c->inc;
	struct stuck_shape own = {0}, *sh = &own;
	if (memo && g->stack < inc->stacks.len)
		sh = &memo[g->stack];
	if (!sh->known)
		stuck_shape_of(inc, g, sh);
	if (!sh->waits)
		return false;
	s->kind = sh->kind;
	s->prim = sh->prim;
	s->read = sh->read;
	s->rw = sh->rw;
	s->merged = false;
	s->addr = 0;
	// The first method frame that prints the address exactly.
	for (uint32_t i = 0; sh->addr_frames >> i && !s->addr; i++)
		if (sh->addr_frames & (1u << i))
			gpm_rule_arg_first(c, g, i, &s->addr);
	const struct gpm_goroutine_extra *x = gpm_goroutine_extra(inc, g);
	if (s->kind == STUCK_LOCK && x && x->wait_object_kind == GPM_WAIT_OBJECT_MUTEX &&
	    x->wait_object)
		s->addr = x->wait_object;
	s->caller = sh->caller;
	s->func = sh->func;
	return true;
}

static int cmp_stuck(const void *a, const void *b)
{
	const struct stuck *x = a, *y = b;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->g < y->g ? -1 : x->g > y->g;
}

/* Whether a mutex or lock-order finding already names mutex m. */
static bool mutex_reported(const struct gpm_rule_ctx *c, uint64_t m)
{
	for (size_t i = 0; m && i < c->a->findings.len; i++) {
		const struct gpm_finding *f = &c->a->findings.v[i];
		if (f->address == m &&
		    (f->kind == GPM_RULE_CONTENTION || f->kind == GPM_RULE_DEADLOCK_LOCK_ORDER))
			return true;
	}
	return false;
}

/*
 * Holder candidates of a stuck lock whose longest waiter locks in a method
 * "pkg.(*T).m": goroutines blocked at least as long (or, without minutes, blocked) with a
 * method of the same type in their top frames, and not themselves waiting for a lock —
 * another method of the object that took its mutex and then blocked (heuristic). At most
 * two, listed as "holder?".
 */
static void holder_candidates(struct gpm_rule_ctx *c, struct gpm_finding *f, const struct stuck *lo,
                              int64_t most)
{
	const struct gpm_incident *inc = c->inc;
	const char *p = strstr(lo->func, ").");
	if (!p || !strstr(lo->func, "(*"))
		return;
	size_t plen = (size_t)(p - lo->func) + 2; // "pkg.(*T)."
	unsigned shown = 0;
	for (size_t i = 0; i < inc->goroutines.len && shown < 2; i++) {
		const struct gpm_goroutine *h = &inc->goroutines.v[i];
		struct stuck hs;
		if (i == lo->g || h->status != GPM_G_WAITING || !gpm_rule_counted(h) ||
		    h->wait_minutes < most || stuck_waiter(c, h, &hs, NULL))
			continue;
		uint32_t hn;
		const struct gpm_frame *hf = gpm_goroutine_frames(inc, h, &hn);
		for (uint32_t k = 0; k < hn && k < 16; k++) {
			if (!hf[k].func || strncmp(hf[k].func, lo->func, plen))
				continue;
			char *ht = gpm_rule_frame_text(inc, h, (int)k);
			gpm_rule_evidence(c, f, "holder?",
			                  "%s [%s] in %s: a method of the same type, blocked at "
			                  "least as long",
			                  GPM_GOROUTINE_NAME(h), gpm_rule_state_of(h),
			                  ht ? ht : "?");
			free(ht);
			shown++;
			break;
		}
	}
}

/* What a stuck WaitGroup.Wait waits for: goroutines its function started ("created by")
 * that are still blocked — one of them has not called Done. At most two. */
static void awaited(struct gpm_rule_ctx *c, struct gpm_finding *f, const struct stuck *lo)
{
	const struct gpm_incident *inc = c->inc;
	unsigned shown = 0;
	for (size_t i = 0; i < inc->goroutines.len && shown < 2; i++) {
		const struct gpm_goroutine *h = &inc->goroutines.v[i];
		if (i == lo->g || !gpm_rule_counted(h) || h->created_by == UINT32_MAX ||
		    h->created_by >= inc->frames.len ||
		    inc->frames.v[h->created_by].func != lo->func)
			continue;
		char *ht = gpm_rule_frame_text(inc, h, gpm_rule_user_frame(inc, h, false));
		gpm_rule_evidence(c, f, "started by it",
		                  "%s [%s] in %s, still there: has it called Done?",
		                  GPM_GOROUTINE_NAME(h), gpm_rule_state_of(h), ht ? ht : "?");
		free(ht);
		shown++;
	}
}

static void stuck_finding(struct gpm_rule_ctx *c, const struct stuck *v, size_t n)
{
	const struct gpm_incident *inc = c->inc;
	const struct stuck *lo = &v[0]; // the longest waiter
	int64_t most = -1;
	size_t sites = 0;
	for (size_t k = 0; k < n; k++) {
		int64_t wm = inc->goroutines.v[v[k].g].wait_minutes;
		if (wm > most) {
			most = wm;
			lo = &v[k];
		}
		bool seen = false;
		for (size_t j = 0; j < k && !seen; j++)
			seen = v[j].func == v[k].func;
		sites += !seen;
	}
	bool lock = lo->kind == STUCK_LOCK;
	if (lock && mutex_reported(c, lo->addr))
		return;
	size_t readers = 0, merged = 0;
	bool rw = false;
	for (size_t k = 0; k < n; k++) {
		readers += v[k].read;
		merged += v[k].merged;
		rw = rw || v[k].rw;
	}
	size_t writers = n - readers;
	// Three or more waiters on one sync.Mutex are contention.mutex's (which weighs their
	// minutes and rolls up many mutexes locked in one place into one finding).
	uint32_t cmin = c->o->contention_min ? c->o->contention_min : 3;
	if (lock && lo->addr && n >= cmin && !rw)
		return;
	struct gpm_finding *f = gpm_rule_finding_new(c, lock ? GPM_RULE_DEADLOCK_STUCK_LOCK
	                                                     : GPM_RULE_DEADLOCK_STUCK_WAIT);
	if (!f)
		return;
	const struct gpm_goroutine *g = &inc->goroutines.v[lo->g];
	char *at = lo->caller >= 0 ? gpm_rule_frame_text(inc, g, lo->caller) : NULL;
	// A wait's caller in the standard library: the program's frame further down names it.
	char *user = NULL;
	if (!lock && lo->caller >= 0 && gpm_rule_frame_class(lo->func) == GPM_FRAME_CLASS_STDLIB) {
		int u = gpm_rule_user_frame(inc, g, false);
		if (u > lo->caller)
			user = gpm_rule_frame_text(inc, g, u);
	}
	char *ufunc = user ? gpm_rule_safe(lo->func) : NULL;
	// The method: "sync.(*RWMutex).RLock and Lock" when readers and writers both wait.
	char *prim1 = gpm_rule_safe(lo->prim);
	char *prim = NULL;
	if (prim1 && readers && writers) {
		size_t len = strlen(prim1) + 16;
		prim = malloc(len);
		const char *dot = strrchr(prim1, '.');
		if (prim && dot)
			snprintf(prim, len, "%.*s.RLock and Lock", (int)(dot - prim1), prim1);
		free(prim1);
	} else {
		prim = prim1;
	}
	const char *unit = most == 1 ? "minute" : "minutes";
	char what[64];
	if (lo->addr)
		snprintf(what, sizeof(what), "%s %#" PRIx64,
		         !lock ? "object"
		         : rw  ? "RWMutex"
		               : "mutex",
		         lo->addr);
	else
		snprintf(what, sizeof(what), "%s", lock ? "a mutex" : "it");
	// Who waits, by how they lock: "3 goroutines wait for it (2 to read-lock, 1 to lock)",
	// "2 goroutines wait to read-lock it", "1 goroutine waits to lock it".
	char who[128];
	const char *it = lo->addr ? " it" : "";
	if (readers && writers)
		snprintf(who, sizeof(who),
		         "%zu goroutines wait for it (%zu to read-lock, %zu to lock)", n, readers,
		         writers);
	else
		snprintf(who, sizeof(who), "%zu goroutine%s wait%s to %s%s", n, n == 1 ? "" : "s",
		         n == 1 ? "s" : "", readers ? "read-lock" : "lock", it);
	const char *where = at ? at : "(the caller is cut from the paste)";
	// "the longest in F", or that the paste lost F.
	const char *longest =
	    at ? ", the longest in " : " (the longest waiter's caller is cut from the paste)";
	if (lock && lo->addr)
		gpm_rule_text(c, &f->title, "%s not released for %" PRId64 "+ %s: %s%s%s", what,
		              most, unit, who, longest, at ? at : "");
	else if (lock) // no address printed: perhaps several mutexes
		gpm_rule_text(c, &f->title, "lock not released for %" PRId64 "+ %s: %s%s%s", most,
		              unit, who, longest, at ? at : "");
	else if (user && user != at)
		// The program's frame under the standard library's that waits (io.Pipe's read
		// under a log copier): "F at f.go:N waiting … in sync.(*Cond).Wait (in io.f)".
		gpm_rule_text(c, &f->title, "%s waiting %" PRId64 " %s in %s (in %s)", user, most,
		              unit, prim ? prim : "?", ufunc ? ufunc : "?");
	else
		gpm_rule_text(c, &f->title, "%s waiting %" PRId64 " %s in %s",
		              at ? at : "a goroutine", most, unit, prim ? prim : "?");
	if (lock) {
		gpm_rule_text(
		    c, &f->explanation,
		    "The runtime printed these goroutines as waiting at least %" PRId64
		    " %s in %s (it prints minutes only after one). A healthy program holds "
		    "a mutex for microseconds: whoever holds this one is blocked while holding it "
		    "(on a channel, I/O without a deadline, another lock) or returned without "
		    "unlocking it. If the holder in turn waits for one of these goroutines, it is "
		    "a deadlock.%s",
		    most, unit, prim ? prim : "?",
		    readers && writers ? " Readers queue behind a waiting writer: the writer waits "
		                         "for a reader or "
		                         "writer that holds the lock."
		                       : "");
		gpm_rule_text(
		    c, &f->next,
		    "Find the holder: a goroutine that locked %s earlier (in the functions that "
		    "lock it%s%s) and now waits elsewhere, blocked about as long; check that "
		    "every return path of those functions unlocks it (defer mu.Unlock()).",
		    what, at ? ", e.g. " : "", at ? at : "");
	} else {
		gpm_rule_text(
		    c, &f->explanation,
		    "The runtime printed this goroutine as waiting %" PRId64
		    " %s in %s: the Done (or Signal, Broadcast) it waits for has not "
		    "come, so one of the goroutines it waits for is itself stuck or exited "
		    "without calling it. Heuristic: a process also waits this way for the "
		    "lifetime of its workers, which is healthy.",
		    most, unit, prim ? prim : "?");
		gpm_rule_text(c, &f->next,
		              "If %s should have finished, look for the goroutines it waits for "
		              "(blocked elsewhere, or gone without Done).",
		              at ? at : "it");
	}
	gpm_rule_evidence(c, f, "longest", "%s [%s] in %s", GPM_GOROUTINE_NAME(g),
	                  gpm_rule_state_of(g), where);
	if (n > 1)
		gpm_rule_evidence(c, f, "waiters",
		                  "%zu goroutines in %s, from %zu function%s, up to %" PRId64 " %s",
		                  n, prim ? prim : "?", sites, sites == 1 ? "" : "s", most, unit);
	if (merged)
		gpm_rule_evidence(c, f, "one lock",
		                  "%zu waiter%s print%s no address (an inlined RLock or Lock): "
		                  "counted with %s, the RWMutex its callers' type locks",
		                  merged, merged == 1 ? "" : "s", merged == 1 ? "s" : "", what);
	for (size_t k = 0, shown = 0; k < n && shown < 3; k++) {
		bool seen = v[k].func == lo->func;
		for (size_t j = 0; j < k && !seen; j++)
			seen = v[j].func == v[k].func;
		if (seen || v[k].caller < 0)
			continue;
		const struct gpm_goroutine *o = &inc->goroutines.v[v[k].g];
		char *ot = gpm_rule_frame_text(inc, o, v[k].caller);
		gpm_rule_evidence(c, f, "also", "%s [%s] in %s", GPM_GOROUTINE_NAME(o),
		                  gpm_rule_state_of(o), ot ? ot : "?");
		free(ot);
		shown++;
	}
	if (lock && lo->func)
		holder_candidates(c, f, lo, most);
	else if (lo->func)
		awaited(c, f, lo);
	for (size_t k = 0; k < n; k++)
		gpm_rule_add_id(c, f, inc->goroutines.v[v[k].g].id);
	f->address = lo->addr;
	if (c->group_of)
		f->group = c->group_of[lo->g];
	free(at);
	free(user);
	free(ufunc);
	free(prim);
}

/* Length of "pkg.(*T)." of a method name, 0 when fn is no pointer method. */
static size_t method_type_len(const char *fn)
{
	const char *p = fn ? strstr(fn, ").") : NULL;
	return p && strstr(fn, "(*") && strstr(fn, "(*") < p ? (size_t)(p - fn) + 2 : 0;
}

/*
 * One finding per RWMutex: Go 1.18+ prints an inlined RLock (or an RWMutex.Lock waiting
 * for readers) as "(...)", with no address, while a writer queued on the inner Mutex
 * prints it (lockSlow). Address-less RWMutex waiters join the RWMutex whose waiters lock
 * it from a method of the same type ("pkg.(*T)."), or the only RWMutex with an address
 * when there is one. Linear: at most 8 distinct RWMutexes are compared.
 */
static void rw_merge(struct stuck *v, size_t n)
{
	struct {
		uint64_t addr;
		const char *func;
	} known[8];
	size_t nk = 0, distinct = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i].kind != STUCK_LOCK || !v[i].rw || !v[i].addr)
			continue;
		size_t k = 0;
		while (k < nk && known[k].addr != v[i].addr)
			k++;
		if (k < nk)
			continue;
		distinct++;
		if (nk < 8) {
			known[nk].addr = v[i].addr;
			known[nk++].func = v[i].func;
		}
	}
	if (!nk)
		return;
	for (size_t i = 0; i < n; i++) {
		if (v[i].kind != STUCK_LOCK || !v[i].rw || v[i].addr)
			continue;
		size_t tl = method_type_len(v[i].func);
		uint64_t to = 0;
		for (size_t k = 0; k < nk && !to; k++)
			if (tl && method_type_len(known[k].func) == tl &&
			    !strncmp(known[k].func, v[i].func, tl))
				to = known[k].addr;
		if (!to && distinct == 1)
			to = known[0].addr;
		if (to) {
			v[i].addr = to;
			v[i].merged = true;
		}
	}
}

struct stuck_run {
	size_t start, end; /* the waiters v[start..end) of one lock */
	int64_t most;      /* their longest wait, minutes */
	int kind;
	bool named; /* a waiter's caller is in the input (not cut from the paste) */
};

/* Locks before WaitGroups, then the longest wait first, then one whose caller is in the
 * input, then the order of addresses. */
static int cmp_run(const void *a, const void *b)
{
	const struct stuck_run *x = a, *y = b;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->most != y->most)
		return x->most > y->most ? -1 : 1;
	if (x->named != y->named)
		return x->named ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * *v (n waiters, in goroutine order) as cmp_stuck orders it, without qsort's callback (~3 %
 * of `gopm analyze` of the bench's rules shape): stably by address, then stably by kind;
 * the goroutine order is the tie. False (*v untouched) when not worth it or no memory.
 */
static bool sort_stuck(struct stuck **v, size_t n)
{
	struct gpm_rule_keyed *kv = n >= 256 ? malloc(n * sizeof(*kv)) : NULL;
	struct stuck *out = kv ? malloc(n * sizeof(*out)) : NULL;
	if (!out) {
		free(kv);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		kv[i] = (struct gpm_rule_keyed){(*v)[i].addr, (uint32_t)i};
	if (!gpm_rule_keyed_sort(kv, n)) {
		free(kv);
		free(out);
		return false;
	}
	size_t k = 0;
	for (int kind = STUCK_LOCK; kind <= STUCK_WAIT; kind++)
		for (size_t i = 0; i < n; i++)
			if ((*v)[kv[i].w].kind == kind)
				out[k++] = (*v)[kv[i].w];
	free(kv);
	if (k != n) { // a kind neither (not made by stuck_waiter): as before
		free(out);
		return false;
	}
	free(*v);
	*v = out;
	return true;
}

/* runs (n, in address order) as cmp_run orders them, by one key: kind, the longest wait
 * (descending), named first; the start is the tie. False when not done. */
static bool sort_runs(struct stuck_run *runs, size_t n)
{
	const int64_t most_max = (int64_t)1 << 61;
	for (size_t i = 0; i < n; i++)
		if ((runs[i].kind != STUCK_LOCK && runs[i].kind != STUCK_WAIT) ||
		    runs[i].most < 0 || runs[i].most >= most_max)
			return false;
	struct gpm_rule_keyed *kv = n >= 256 ? malloc(n * sizeof(*kv)) : NULL;
	struct stuck_run *out = kv ? malloc(n * sizeof(*out)) : NULL;
	if (!out) {
		free(kv);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		kv[i] = (struct gpm_rule_keyed){(uint64_t)(runs[i].kind == STUCK_WAIT) << 62 |
		                                    (uint64_t)(most_max - 1 - runs[i].most) << 1 |
		                                    !runs[i].named,
		                                (uint32_t)i};
	bool done = gpm_rule_keyed_sort(kv, n);
	if (done) {
		for (size_t i = 0; i < n; i++)
			out[i] = runs[kv[i].w];
		memcpy(runs, out, n * sizeof(*runs));
	}
	free(kv);
	free(out);
	return done;
}

/*
 * A server's lifetime wait. A process that serves waits for its listeners in a WaitGroup
 * or errgroup as long as it runs (node_exporter and alertmanager 0.25: main in
 * exporter-toolkit's web.ServeMultiple, errgroup.(*Group).Wait, 13 minutes and more into
 * their life, their listeners in Accept). That is not a Done that never came: the
 * goroutines it waits for are alive and serving. Told by what the waiter started: the
 * creators (a function the waiter is in, or a method of the waiting group's type, such
 * as errgroup.(*Group).Go for its Wait) whose every goroutine is parked in a listener's
 * accept. A creator that also started other goroutines (workers that hang beside a debug
 * listener) is no such proof. Two linear passes over the goroutines, done only when a
 * wait of 10 minutes is found; at most 32 creators are kept.
 */
struct serving {
	bool done;
	size_t n;
	struct {
		const char *by;
		bool mixed; /* it also started goroutines that are not in accept */
	} v[32];
};

static bool in_accept(const struct gpm_incident *inc, const struct gpm_goroutine *g)
{
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	for (uint32_t k = 0; k < n && k < 12; k++)
		if (f[k].func && !strcmp(f[k].func, "net.(*netFD).accept"))
			return true;
	return false;
}

static const char *creator_of(const struct gpm_incident *inc, const struct gpm_goroutine *g)
{
	return g->created_by < inc->frames.len ? inc->frames.v[g->created_by].func : NULL;
}

static void serving_collect(const struct gpm_incident *inc, struct serving *sv)
{
	sv->done = true;
	for (size_t i = 0; i < inc->goroutines.len && sv->n < 32; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		const char *by = creator_of(inc, g);
		if (!by || !in_accept(inc, g))
			continue;
		size_t j = 0;
		while (j < sv->n && strcmp(sv->v[j].by, by))
			j++;
		if (j == sv->n)
			sv->v[sv->n++].by = by;
	}
	for (size_t i = 0; sv->n && i < inc->goroutines.len; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		const char *by = creator_of(inc, g);
		for (size_t j = 0; by && j < sv->n; j++)
			if (!sv->v[j].mixed && !strcmp(sv->v[j].by, by) && !in_accept(inc, g))
				sv->v[j].mixed = true;
	}
}

static bool waits_for_listeners(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                                const struct stuck *s, const struct serving *sv)
{
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	size_t tl = method_type_len(s->func);
	for (size_t j = 0; j < sv->n; j++) {
		if (sv->v[j].mixed)
			continue;
		if (tl && !strncmp(sv->v[j].by, s->func, tl))
			return true;
		for (uint32_t k = 0; k < n && k < 64; k++)
			if (f[k].func && !strcmp(f[k].func, sv->v[j].by))
				return true;
	}
	return false;
}

void gpm_rule_stuck_waits(struct gpm_rule_ctx *c)
{
	struct serving sv = {0};
	const struct gpm_incident *inc = c->inc;
	struct stuck *v = NULL;
	size_t n = 0, cap = 0;
	struct stuck_shape *memo = calloc(inc->stacks.len ? inc->stacks.len : 1, sizeof(*memo));
	if (!memo) {
		c->oom = true;
		return;
	}
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		struct stuck s;
		if (g->wait_minutes < 1 || !gpm_rule_counted(g) || !stuck_waiter(c, g, &s, memo))
			continue;
		if (s.kind == STUCK_WAIT && g->wait_minutes < 10)
			continue;
		if (s.kind == STUCK_WAIT && !sv.done)
			serving_collect(inc, &sv);
		if (s.kind == STUCK_WAIT && waits_for_listeners(inc, g, &s, &sv))
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			struct stuck *nv = realloc(v, nc * sizeof(*v));
			if (!nv) {
				c->oom = true;
				free(v);
				free(memo);
				return;
			}
			v = nv;
			cap = nc;
		}
		s.g = (uint32_t)i;
		v[n++] = s;
	}
	free(memo);
	rw_merge(v, n);
	if (n && !sort_stuck(&v, n))
		qsort(v, n, sizeof(*v), cmp_stuck);
	// One finding per lock (or WaitGroup), the longest wait first: the lock held longest
	// is the likeliest first cause when several are stuck.
	struct stuck_run *runs = NULL;
	size_t nr = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && v[j].kind == v[i].kind && v[j].addr == v[i].addr)
			j++;
		if (!nr || !(nr & (nr - 1))) { // grow at powers of two
			struct stuck_run *nrun = realloc(runs, (nr ? nr * 2 : 1) * sizeof(*runs));
			if (!nrun) {
				c->oom = true;
				break;
			}
			runs = nrun;
		}
		int64_t most = -1;
		bool named = false;
		for (size_t k = i; k < j; k++) {
			if (inc->goroutines.v[v[k].g].wait_minutes > most)
				most = inc->goroutines.v[v[k].g].wait_minutes;
			named = named || v[k].caller >= 0;
		}
		runs[nr++] = (struct stuck_run){i, j, most, v[i].kind, named};
		i = j;
	}
	if (nr && !sort_runs(runs, nr))
		qsort(runs, nr, sizeof(*runs), cmp_run);
	size_t made = 0;
	for (size_t r = 0; r < nr && made < 5 && !c->oom; r++) {
		size_t before = c->a->findings.len;
		stuck_finding(c, v + runs[r].start, runs[r].end - runs[r].start);
		made += c->a->findings.len > before;
	}
	free(runs);
	free(v);
}
