/*
 * Hangs the runtime's deadlock check cannot see because other goroutines still run: a
 * sync.Once re-entered from its own function, a read lock taken twice on one path while a
 * writer waits, a sync.Cond nobody is left to signal, and a limited resource — a
 * database/sql pool, an http.Transport's connections per host, a channel semaphore, a
 * single-flight call — whose holders are all stuck elsewhere. Each reads only the stacks
 * (frames, states, wait minutes, argument words), so cores and text dumps alike; each
 * walks the goroutines a bounded number of times (distinct sites are capped).
 */
#include "analysis/analysis.h"
#include "analysis/rules.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SITES_MAX = 32, LISTED_MAX = 5 };

/* Whether g is one of the program's goroutines and parked (not on a CPU, not runnable). */
static bool parked(const struct gpm_goroutine *g)
{
	if (!gpm_rule_counted(g) || g->status == GPM_G_RUNNING || g->status == GPM_G_RUNNABLE)
		return false;
	const char *st = gpm_rule_state_of(g);
	return st[0] != 'r' || (strcmp(st, "running") != 0 && strcmp(st, "runnable") != 0);
}

static bool fn_is(const struct gpm_frame *f, const char *name)
{
	return f->func && strcmp(f->func, name) == 0;
}

/* The first frame above the runtime's parking and the sync package's semaphore plumbing
 * (runtime.*, sync.runtime_*, internal/sync.* of Go 1.24+, Mutex.lockSlow): where a
 * blocked goroutine's wait is named, e.g. sync.(*RWMutex).RLock; -1 when none. */
static int wait_site(const struct gpm_frame *f, uint32_t n)
{
	for (uint32_t i = 0; i < n && i < 16; i++) {
		const char *fn = f[i].func;
		if (!fn || (f[i].flags & GPM_FRAME_ELIDED))
			continue;
		if (gpm_rule_is_runtime(fn) || gpm_rule_starts(fn, "sync.runtime_") ||
		    gpm_rule_starts(fn, "internal/sync.") ||
		    strcmp(fn, "sync.(*Mutex).lockSlow") == 0)
			continue;
		return (int)i;
	}
	return -1;
}

/*
 * Each distinct stack's wait site, found once: every rule here asks it of every goroutine,
 * and most share a few stacks (a 100,000-goroutine dump has hundreds). sites[stack] is
 * the wait site, -1 none; sites is NULL when there was no memory for it (asked each time).
 */
struct wait_sites {
	const struct gpm_incident *inc;
	int16_t *at;
	uint8_t *kind; /* by stack: the WAIT_* of its wait site's function, 0 none */
};

/* The wait sites the rules ask for, one bit each; WAIT_LIMIT: a site lim_waiter may take. */
enum {
	WAIT_MUTEX = 1,
	WAIT_RWLOCK = 2,
	WAIT_RLOCK = 4,
	WAIT_COND = 8,
	WAIT_LIMIT = 16,
};
static const char *const wait_names[] = {"sync.(*Mutex).Lock", "sync.(*RWMutex).Lock",
                                         "sync.(*RWMutex).RLock", "sync.(*Cond).Wait"};

static uint8_t wait_kind(const struct gpm_frame *f, uint32_t n, int s);

static void wait_sites_init(struct wait_sites *ws, const struct gpm_incident *inc)
{
	ws->inc = inc;
	ws->at = malloc((inc->stacks.len ? inc->stacks.len : 1) * sizeof(*ws->at));
	ws->kind = ws->at ? malloc(inc->stacks.len ? inc->stacks.len : 1) : NULL;
	if (!ws->kind) {
		free(ws->at);
		ws->at = NULL;
	}
	for (size_t i = 0; ws->at && i < inc->stacks.len; i++) {
		const struct gpm_stack *st = &inc->stacks.v[i];
		const struct gpm_frame *f = &inc->frames.v[st->first];
		int s = wait_site(f, st->nframes);
		ws->at[i] = (int16_t)s;
		ws->kind[i] = wait_kind(f, st->nframes, s);
	}
}

/* The kind of g's wait site (WAIT_*), all of them when not known by stack. */
static uint8_t kind_of(const struct wait_sites *ws, const struct gpm_goroutine *g)
{
	return ws->kind && g->stack < ws->inc->stacks.len ? ws->kind[g->stack] : 0xff;
}

/* g's wait site, its frames in *f and *n. */
static int site_of(const struct wait_sites *ws, const struct gpm_goroutine *g,
                   const struct gpm_frame **f, uint32_t *n)
{
	*f = gpm_goroutine_frames(ws->inc, g, n);
	if (!*f)
		return -1;
	return ws->at ? ws->at[g->stack] : wait_site(*f, *n);
}

/* The first frame from `from` on in the program's own code (main module or a
 * dependency), or -1. */
static int own_frame(const struct gpm_frame *f, uint32_t n, int from)
{
	for (uint32_t i = from < 0 ? 0 : (uint32_t)from; i < n; i++) {
		if (!f[i].func || (f[i].flags & GPM_FRAME_ELIDED))
			continue;
		enum gpm_frame_class k = gpm_rule_frame_class(f[i].func);
		if (k == GPM_FRAME_CLASS_MAIN || k == GPM_FRAME_CLASS_DEPENDENCY)
			return (int)i;
	}
	return -1;
}

/* The length of fn's receiver prefix "pkg.(*T)." (0 when fn is not a method). */
static size_t receiver_len(const char *fn)
{
	const char *p = fn ? strstr(fn, ").") : NULL;
	if (!p || !strstr(fn, ".(") || strstr(fn, ".(") > p)
		return 0;
	return (size_t)(p - fn) + 2;
}

static bool same_receiver(const char *a, const char *b)
{
	size_t n = receiver_len(a);
	return n && n == receiver_len(b) && strncmp(a, b, n) == 0;
}

/* "goroutine N [state] in F at file:line" pieces of holder h at its frame i. */
static char *where(const struct gpm_incident *inc, const struct gpm_goroutine *h, int i)
{
	return gpm_rule_frame_text(inc, h, i);
}

/* The wait site of g (wait_site) when g is parked there in fn, its frames in *f and *n;
 * -1 when it is not. */
static int parked_site(const struct wait_sites *ws, const struct gpm_goroutine *g, uint8_t kind,
                       const struct gpm_frame **f, uint32_t *n)
{
	*f = NULL;
	*n = 0;
	if (!(kind_of(ws, g) & kind))
		return -1;
	int s = site_of(ws, g, f, n);
	if (s < 0 || !parked(g))
		return -1;
	if (ws->kind) // the stack's kind is its site's function, compared once
		return s;
	size_t k = 0;
	while (k < 4 && !(kind & (1u << k)))
		k++;
	return k < 4 && fn_is(&(*f)[s], wait_names[k]) ? s : -1;
}

/* ---- deadlock.once-reentered ---- */

static void once_reentered(struct gpm_rule_ctx *c, const struct wait_sites *ws)
{
	const struct gpm_incident *inc = c->inc;
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		uint32_t n;
		const struct gpm_frame *f;
		int s = parked_site(ws, g, WAIT_MUTEX, &f, &n);
		if (s < 0)
			continue;
		int d1 = -1, d2 = -1;
		for (uint32_t k = (uint32_t)s + 1; k < n && d2 < 0; k++)
			if (fn_is(&f[k], "sync.(*Once).doSlow")) {
				if (d1 < 0) {
					if (k > (uint32_t)s + 2)
						break; // the Lock is not the Once's own
					d1 = (int)k;
				} else
					d2 = (int)k;
			}
		if (d2 < 0)
			continue;
		int inner = own_frame(f, n, d1 + 1); // who calls Do the second time
		int fnidx = d2 - 1;                  // the function the outer Do runs
		while (fnidx > d1 && f[fnidx].func &&
		       (strstr(f[fnidx].func, "-fm") || f[fnidx].flags & GPM_FRAME_INLINED))
			fnidx--;
		if (inner < 0 || inner > d2)
			continue;
		uint64_t m = 0, om;
		bool mknown = gpm_rule_arg_first(c, g, (uint32_t)s - (s > 0), &m);
		struct gpm_finding *fd = gpm_rule_finding_new(c, GPM_RULE_ONCE_REENTERED);
		if (!fd)
			return;
		gpm_rule_add_id(c, fd, g->id);
		// The others wait for the same Once: Lock under one doSlow, called from the same
		// function (or on the same mutex when both words are printed).
		size_t others = 0;
		for (size_t j = 0; j < inc->goroutines.len; j++) {
			const struct gpm_goroutine *o = &inc->goroutines.v[j];
			if (j == i)
				continue;
			uint32_t on;
			const struct gpm_frame *of;
			int os = parked_site(ws, o, WAIT_MUTEX, &of, &on);
			if (os < 0 || (uint32_t)os + 1 >= on ||
			    !fn_is(&of[os + 1], "sync.(*Once).doSlow"))
				continue;
			int oi = own_frame(of, on, os + 1);
			bool same = oi >= 0 && of[oi].func == f[inner].func;
			if (mknown && gpm_rule_arg_first(c, o, (uint32_t)os - (os > 0), &om))
				same = om == m;
			if (same) {
				others++;
				gpm_rule_add_id(c, fd, o->id);
			}
		}
		char *in = gpm_rule_func_text(inc, g, inner);
		char *fnn = gpm_rule_func_text(inc, g, fnidx);
		char *it = where(inc, g, inner);
		if (others)
			gpm_rule_text(
			    c, &fd->title,
			    "deadlock: sync.Once re-entered: %s calls its Do from inside %s, "
			    "the function that Once is running (goroutine %" PRIu64
			    " waits for itself); %zu more goroutines wait for that Once",
			    in ? in : "?", fnn ? fnn : "?", g->id, others);
		else
			gpm_rule_text(
			    c, &fd->title,
			    "deadlock: sync.Once re-entered: %s calls its Do from inside %s, "
			    "the function that Once is running (goroutine %" PRIu64
			    " waits for itself)",
			    in ? in : "?", fnn ? fnn : "?", g->id);
		gpm_rule_text(c, &fd->explanation,
		              "sync.Once.Do holds the Once's mutex while its function runs. A call "
		              "of Do on the same Once from inside that function waits for the "
		              "mutex its own goroutine holds: it never returns, and every later "
		              "caller of Do waits behind it. The runtime's deadlock check does not "
		              "see it while other goroutines run.");
		gpm_rule_evidence(c, fd, "re-entry", "goroutine %" PRIu64 " [%s]: %s, inside %s",
		                  g->id, gpm_rule_state_of(g), it ? it : "?", fnn ? fnn : "?");
		gpm_rule_evidence(c, fd, "stack",
		                  "sync.(*Once).doSlow twice on one stack, the "
		                  "inner one waiting in sync.(*Mutex).Lock");
		if (mknown)
			gpm_rule_evidence(c, fd, "mutex", "%#" PRIx64 " (the Once's)", m);
		if (others)
			gpm_rule_evidence(
			    c, fd, "waiters",
			    "%zu more goroutines in sync.(*Once).doSlow for the same Once", others);
		gpm_rule_text(c, &fd->next,
		              "Make %s not need the Once it is run by: pass what it needs instead "
		              "of calling %s, or split the initialisation in two.",
		              fnn ? fnn : "?", in ? in : "?");
		if (c->group_of)
			fd->group = c->group_of[i];
		free(in);
		free(fnn);
		free(it);
		return; // one is the incident
	}
}

/* ---- deadlock.recursive-rlock ---- */

/* A writer waiting for the readers to leave: RWMutex.Lock itself at its wait site (on the
 * reader count, not on the writers' mutex), called by a method (own frame wu). */
struct rl_writer {
	size_t g;
	int wu;
};

static void recursive_rlock(struct gpm_rule_ctx *c, const struct wait_sites *ws)
{
	const struct gpm_incident *inc = c->inc;
	// The writers first, in one pass (at most SITES_MAX): the readers are then matched
	// against them, never against every goroutine.
	struct rl_writer wr[SITES_MAX];
	size_t nwr = 0;
	for (size_t j = 0; j < inc->goroutines.len && nwr < SITES_MAX; j++) {
		const struct gpm_goroutine *o = &inc->goroutines.v[j];
		uint32_t on;
		const struct gpm_frame *of;
		int os = parked_site(ws, o, WAIT_RWLOCK, &of, &on);
		if (os < 0)
			continue;
		int ou = own_frame(of, on, os + 1);
		if (ou >= 0 && receiver_len(of[ou].func))
			wr[nwr++] = (struct rl_writer){j, ou};
	}
	if (!nwr)
		return;
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		uint32_t n;
		const struct gpm_frame *f;
		int s = parked_site(ws, g, WAIT_RLOCK, &f, &n);
		if (s < 0)
			continue;
		int u = own_frame(f, n, s + 1);
		if (u < 0 || !receiver_len(f[u].func))
			continue;
		// An outer frame of a method on the same type: it read-locked before calling.
		int outer = -1;
		for (uint32_t k = (uint32_t)u + 1; k < n && outer < 0; k++)
			if (same_receiver(f[k].func, f[u].func))
				outer = (int)k;
		if (outer < 0)
			continue;
		uint64_t ru, ro = 0;
		bool outer_known = gpm_rule_arg_first(c, g, (uint32_t)outer, &ro);
		if (outer_known && gpm_rule_arg_first(c, g, (uint32_t)u, &ru) && ru != ro)
			continue; // two objects of one type
		// The writer: in a method of the same type, on the same object where printed.
		const struct gpm_goroutine *w = NULL;
		int wu = -1;
		for (size_t k = 0; k < nwr && !w; k++) {
			const struct gpm_goroutine *o = &inc->goroutines.v[wr[k].g];
			uint32_t on;
			const struct gpm_frame *of = gpm_goroutine_frames(inc, o, &on);
			uint64_t rw;
			if (!same_receiver(of[wr[k].wu].func, f[u].func) ||
			    (outer_known && gpm_rule_arg_first(c, o, (uint32_t)wr[k].wu, &rw) &&
			     rw != ro))
				continue; // another type, or another object of the type
			w = o;
			wu = wr[k].wu;
		}
		if (!w)
			continue;
		// The readers queued on methods of that type (one pass, once: the finding).
		size_t readers = 0;
		for (size_t j = 0; j < inc->goroutines.len; j++) {
			const struct gpm_goroutine *o = &inc->goroutines.v[j];
			uint32_t on;
			const struct gpm_frame *of;
			int os = parked_site(ws, o, WAIT_RLOCK, &of, &on);
			int ou = os >= 0 ? own_frame(of, on, os + 1) : -1;
			readers += ou >= 0 && same_receiver(of[ou].func, f[u].func);
		}
		struct gpm_finding *fd = gpm_rule_finding_new(c, GPM_RULE_RECURSIVE_RLOCK);
		if (!fd)
			return;
		gpm_rule_add_id(c, fd, g->id);
		gpm_rule_add_id(c, fd, w->id);
		char *in = gpm_rule_func_text(inc, g, u), *on = gpm_rule_func_text(inc, g, outer);
		char *it = where(inc, g, u), *ot = where(inc, g, outer), *wt = where(inc, w, wu);
		gpm_rule_text(c, &fd->title,
		              "deadlock: recursive read lock: %s read-locks the RWMutex its caller "
		              "%s already holds (goroutine %" PRIu64 "), and goroutine %" PRIu64
		              " waits to write-lock it in %s",
		              in ? in : "?", on ? on : "?", g->id, w->id, wt ? wt : "?");
		gpm_rule_text(c, &fd->explanation,
		              "A pending Lock blocks new read locks, so a goroutine that holds the "
		              "read lock and takes it again waits for the writer, which waits for "
		              "that goroutine's first read lock to be released: neither can go on. "
		              "sync.RWMutex read locks are not reentrant; the runtime's deadlock "
		              "check does not see this while other goroutines run.");
		gpm_rule_evidence(c, fd, "second RLock", "goroutine %" PRIu64 " [%s] in %s", g->id,
		                  gpm_rule_state_of(g), it ? it : "?");
		gpm_rule_evidence(c, fd, "first RLock",
		                  "held by its caller %s (a method of the same "
		                  "type, on the same object where printed)",
		                  ot ? ot : "?");
		gpm_rule_evidence(c, fd, "writer",
		                  "goroutine %" PRIu64 " [%s] in %s, waiting for the "
		                  "readers to leave",
		                  w->id, gpm_rule_state_of(w), wt ? wt : "?");
		gpm_rule_evidence(c, fd, "queued",
		                  "%zu goroutines in RWMutex.RLock from methods of "
		                  "the same type",
		                  readers);
		gpm_rule_text(c, &fd->next,
		              "Do not read-lock again in %s when called from %s: give it a variant "
		              "that expects the lock held.",
		              in ? in : "?", on ? on : "?");
		if (c->group_of)
			fd->group = c->group_of[i];
		free(in);
		free(on);
		free(it);
		free(ot);
		free(wt);
		return;
	}
}

/* ---- deadlock.cond-no-signaller ---- */

/* The Cond objects waited on (the waiters' receivers, at most SITES_MAX) and, for each,
 * its waiters and whether any other goroutine's argument words name it. */
struct cond_objs {
	uint64_t obj[SITES_MAX];
	size_t n, waiters[SITES_MAX], first[SITES_MAX];
	int64_t least[SITES_MAX];
	bool referred[SITES_MAX];
};

static void cond_ref_cb(void *arg, uint64_t v)
{
	struct cond_objs *co = arg;
	for (size_t k = 0; k < co->n; k++)
		if (co->obj[k] == v)
			co->referred[k] = true;
}

/* The object g waits on in sync.(*Cond).Wait called directly by the program's code (not
 * a Cond inside the standard library: io.Pipe's reader waits on one of its own). */
static bool cond_waiter(struct gpm_rule_ctx *c, const struct wait_sites *ws,
                        const struct gpm_goroutine *g, uint64_t *obj)
{
	uint32_t n;
	const struct gpm_frame *f;
	int s = parked_site(ws, g, WAIT_COND, &f, &n);
	if (s < 0 || own_frame(f, n, s + 1) != s + 1)
		return false;
	return gpm_rule_arg_first(c, g, (uint32_t)s + 1, obj);
}

static void cond_orphaned(struct gpm_rule_ctx *c, const struct wait_sites *ws)
{
	const struct gpm_incident *inc = c->inc;
	struct cond_objs co = {.n = 0};
	for (size_t i = 0; i < inc->goroutines.len && co.n < SITES_MAX; i++) {
		uint64_t r;
		if (!cond_waiter(c, ws, &inc->goroutines.v[i], &r))
			continue;
		size_t k = 0;
		while (k < co.n && co.obj[k] != r)
			k++;
		if (k == co.n) {
			co.obj[co.n] = r;
			co.least[co.n] = INT64_MAX;
			co.first[co.n++] = i;
		}
	}
	if (!co.n)
		return;
	// Each goroutine's object (an index into co.obj), found once.
	uint8_t *obj_of = malloc(inc->goroutines.len ? inc->goroutines.len : 1);
	if (!obj_of) {
		c->oom = true;
		return;
	}
	memset(obj_of, 0xff, inc->goroutines.len);
	// One pass: each waiter counted, every other goroutine's words looked up.
	for (size_t i = 0; i < inc->goroutines.len && !c->oom; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		if (!gpm_rule_counted(g))
			continue;
		uint64_t r;
		size_t k = co.n;
		if (cond_waiter(c, ws, g, &r))
			for (k = 0; k < co.n && co.obj[k] != r; k++)
				;
		if (k < co.n) {
			obj_of[i] = (uint8_t)k;
			co.waiters[k]++;
			if (g->wait_minutes < co.least[k])
				co.least[k] = g->wait_minutes;
		} else
			gpm_rule_arg_each(c, g, 0, false, cond_ref_cb, &co);
	}
	// At most a few findings: many objects with a lone waiter each are idle event loops
	// rather than many stranded queues.
	size_t made = 0;
	for (size_t k = 0; k < co.n && !c->oom && made < 3; k++) {
		size_t nw = co.waiters[k];
		int64_t least = co.least[k];
		if (co.referred[k] || !nw || least < 1)
			continue;
		const struct gpm_goroutine *g0 = &inc->goroutines.v[co.first[k]];
		uint32_t n;
		const struct gpm_frame *f = gpm_goroutine_frames(inc, g0, &n);
		int u = own_frame(f, n, wait_site(f, n) + 1);
		// One goroutine waiting on a Cond of its own is also how an idle event loop
		// looks (a queue whose producers come and go): LOW. A group of consumers all
		// stranded on one object is the claim.
		struct gpm_finding *fd = gpm_rule_finding_new(c, GPM_RULE_COND_NO_SIGNALLER);
		if (!fd)
			break;
		made++;
		if (nw < 2)
			fd->severity = GPM_SEVERITY_LOW;
		char *ut = where(inc, g0, u);
		gpm_rule_text(c, &fd->title,
		              "sync.Cond with no one left to signal: %zu goroutines wait %" PRId64
		              "+ minutes in sync.(*Cond).Wait in %s and no other goroutine refers "
		              "to %#" PRIx64,
		              nw, least, ut ? ut : "?", co.obj[k]);
		gpm_rule_text(
		    c, &fd->explanation,
		    "Cond.Wait returns only after a Signal or Broadcast. These goroutines "
		    "have waited for minutes and no other goroutine has the object they "
		    "wait on among its arguments: the producer that would signal has "
		    "returned (an error path that skips the Broadcast, a close never "
		    "called). A signaller reaching it through a global or a closure is not "
		    "seen in the stacks, hence heuristic.");
		gpm_rule_evidence(c, fd, "waiters", "%zu, each %" PRId64 "+ minutes, first %s", nw,
		                  least, ut ? ut : "?");
		gpm_rule_evidence(c, fd, "object", "%#" PRIx64 " (the waiters' receiver)",
		                  co.obj[k]);
		gpm_rule_evidence(c, fd, "checked",
		                  "the argument words of every other goroutine's frames: none is "
		                  "%#" PRIx64,
		                  co.obj[k]);
		gpm_rule_text(
		    c, &fd->next,
		    "Find what should Signal or Broadcast the Cond waited on in %s: every "
		    "path by which its producer stops must wake the waiters (close and "
		    "Broadcast).",
		    ut ? ut : "?");
		fd->address = co.obj[k];
		for (size_t i = co.first[k]; i < inc->goroutines.len; i++)
			if (obj_of[i] == k)
				gpm_rule_add_id(c, fd, inc->goroutines.v[i].id);
		if (c->group_of)
			fd->group = c->group_of[co.first[k]];
		free(ut);
	}
	free(obj_of);
}

/* ---- limit.exhausted ---- */

enum lim_kind { LIM_SQL, LIM_HTTP, LIM_SEM, LIM_FLIGHT };

struct lim_site {
	enum lim_kind kind;
	const char *anchor; /* interned function name of the waiters' own frame */
	uint32_t line;      /* its line (SEM, FLIGHT: where they wait in it) */
	const char *caller; /* SEM: the anchor's caller (an inlined acquire's user) */
	uint32_t caller_line;
	size_t count, first;
	int64_t most;
};

/* Whether g waits at a limit, and where (its site without counts). */
static bool lim_waiter(const struct wait_sites *ws, const struct gpm_goroutine *g,
                       struct lim_site *out)
{
	uint32_t n;
	const struct gpm_frame *f;
	int s = site_of(ws, g, &f, &n);
	if (s < 0)
		return false;
	const char *st = gpm_rule_state_of(g);
	int u = -1;
	memset(out, 0, sizeof(*out));
	for (uint32_t k = (uint32_t)s; k < n && k < (uint32_t)s + 8; k++)
		if (fn_is(&f[k], "database/sql.(*DB).conn")) {
			out->kind = LIM_SQL;
			u = own_frame(f, n, (int)k + 1);
			break;
		}
	if (u < 0 && fn_is(&f[s], "net/http.(*Transport).getConn")) {
		out->kind = LIM_HTTP;
		u = own_frame(f, n, s + 1);
	}
	if (u < 0 && strcmp(st, "chan send") == 0) {
		enum gpm_frame_class k = gpm_rule_frame_class(f[s].func);
		if (k == GPM_FRAME_CLASS_MAIN || k == GPM_FRAME_CLASS_DEPENDENCY) {
			out->kind = LIM_SEM;
			u = s;
		}
	}
	if (u < 0 && fn_is(&f[s], "sync.(*WaitGroup).Wait") && (uint32_t)s + 1 < n) {
		enum gpm_frame_class k = gpm_rule_frame_class(f[s + 1].func);
		if (k == GPM_FRAME_CLASS_MAIN || k == GPM_FRAME_CLASS_DEPENDENCY) {
			out->kind = LIM_FLIGHT;
			u = s + 1;
		}
	}
	if (u < 0 || !f[u].func)
		return false;
	out->anchor = f[u].func;
	out->line = out->kind == LIM_SEM || out->kind == LIM_FLIGHT ? f[u].line : 0;
	if (out->kind == LIM_SEM && (uint32_t)u + 1 < n) {
		out->caller = f[u + 1].func;
		out->caller_line = f[u + 1].line;
	}
	return true;
}

/* Whether g, not waiting at site s, holds what s's waiters wait for: blocked further on
 * in the same code. *at: the frame to name it by. */
static bool lim_holder(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                       const struct lim_site *s, int *at)
{
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	bool in_flight = false;
	// A semaphore acquired before starting a goroutine that releases it when done
	// (errgroup's SetLimit): the goroutines the acquiring function started hold it.
	if (s->kind == LIM_SEM && g->created_by < inc->frames.len &&
	    inc->frames.v[g->created_by].func && s->anchor &&
	    strcmp(inc->frames.v[g->created_by].func, s->anchor) == 0) {
		*at = gpm_rule_user_frame(inc, g, false);
		return true;
	}
	for (uint32_t k = 0; k < n; k++) {
		const char *fn = f[k].func;
		if (!fn)
			continue;
		switch (s->kind) {
		case LIM_HTTP:
			if (strcmp(fn, "net/http.(*persistConn).roundTrip") == 0)
				in_flight = true;
			else if (in_flight && fn == s->anchor) {
				*at = gpm_rule_user_frame(inc, g, true);
				return true;
			}
			break;
		case LIM_SQL:
			if (fn == s->anchor || same_receiver(fn, s->anchor)) {
				*at = gpm_rule_user_frame(inc, g, false);
				return true;
			}
			break;
		case LIM_SEM:
			if ((fn == s->anchor && f[k].line != s->line) ||
			    (s->caller && fn == s->caller && f[k].line != s->caller_line &&
			     (k == 0 || f[k - 1].func != s->anchor))) {
				*at = gpm_rule_user_frame(inc, g, false);
				return true;
			}
			break;
		case LIM_FLIGHT:
			if (fn == s->anchor && f[k].line != s->line) {
				*at = gpm_rule_user_frame(inc, g, false);
				return true;
			}
			break;
		}
	}
	return false;
}

static bool lim_same(const struct lim_site *a, const struct lim_site *b)
{
	return a->kind == b->kind && a->anchor == b->anchor && a->line == b->line;
}

/* site_of[i]: the index of the site goroutine i waits at, SITE_NONE when none counted. */
enum { SITE_NONE = 0xff };

static void limit_finding(struct gpm_rule_ctx *c, const struct lim_site *s, uint8_t site,
                          const uint8_t *site_of)
{
	const struct gpm_incident *inc = c->inc;
	size_t nh = 0, hfirst = SIZE_MAX;
	int hat = -1;
	int64_t hmost = -1;
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		int at = -1;
		if (site_of[i] == site || !parked(g) || !lim_holder(inc, g, s, &at))
			continue;
		if (hfirst == SIZE_MAX) {
			hfirst = i;
			hat = at;
		}
		if (g->wait_minutes > hmost)
			hmost = g->wait_minutes;
		nh++;
	}
	if (!nh)
		return;
	struct gpm_finding *fd = gpm_rule_finding_new(c, GPM_RULE_LIMIT_EXHAUSTED);
	if (!fd)
		return;
	const struct gpm_goroutine *g0 = &inc->goroutines.v[s->first];
	const struct gpm_goroutine *h = &inc->goroutines.v[hfirst];
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g0, &n);
	int u = -1;
	for (uint32_t k = 0; k < n && u < 0; k++)
		if (f[k].func == s->anchor)
			u = (int)k;
	if (s->kind == LIM_SEM && s->caller && u >= 0 && (f[u].flags & GPM_FRAME_INLINED) &&
	    (uint32_t)u + 1 < n)
		u++; // an inlined acquire: name the function it is inlined in
	char *wt = where(inc, g0, u), *ht = where(inc, h, hat);
	bool net = strcmp(gpm_rule_state_of(h), "IO wait") == 0 || s->kind == LIM_HTTP;
	const char *nd = net && hmost >= 1 ? " (network I/O without a deadline)" : "";
	static const char *const what[] = {
	    [LIM_SQL] = "database/sql connection pool exhausted",
	    [LIM_HTTP] = "HTTP client at its connection limit per host (Transport.MaxConnsPerHost)",
	    [LIM_SEM] = "limit exhausted",
	    [LIM_FLIGHT] = "single-flight call stuck"};
	switch (s->kind) {
	case LIM_SQL:
		gpm_rule_text(
		    c, &fd->title,
		    "%s: %zu goroutines wait for a connection in %s; %zu holder candidates "
		    "are blocked elsewhere, the first, goroutine %" PRIu64 ", [%s] in %s%s",
		    what[s->kind], s->count, wt ? wt : "?", nh, h->id, gpm_rule_state_of(h),
		    ht ? ht : "?", nd);
		break;
	case LIM_HTTP:
		gpm_rule_text(c, &fd->title,
		              "%s: %zu requests wait for a connection in %s behind %zu in flight, "
		              "waiting for their responses [%s] in %s%s",
		              what[s->kind], s->count, wt ? wt : "?", nh, gpm_rule_state_of(h),
		              ht ? ht : "?", nd);
		break;
	case LIM_SEM:
		gpm_rule_text(
		    c, &fd->title,
		    "%s: %zu goroutines wait [chan send] to acquire a slot in %s; its %zu "
		    "holders, past that point, are blocked, the first, goroutine %" PRIu64
		    ", [%s] in %s%s",
		    what[s->kind], s->count, wt ? wt : "?", nh, h->id, gpm_rule_state_of(h),
		    ht ? ht : "?", nd);
		break;
	case LIM_FLIGHT:
		gpm_rule_text(c, &fd->title,
		              "%s: %zu goroutines wait in %s for a call in flight; its leader, "
		              "goroutine %" PRIu64 ", is blocked [%s] in %s%s",
		              what[s->kind], s->count, wt ? wt : "?", h->id, gpm_rule_state_of(h),
		              ht ? ht : "?", nd);
		break;
	}
	gpm_rule_text(c, &fd->explanation,
	              "A bounded resource — connections of a pool, slots of a semaphore, one call "
	              "shared by many callers — is held by goroutines that are themselves stuck, "
	              "so every other user queues for it. The root cause is where the holders "
	              "wait, not the queue: usually a call without a deadline made while "
	              "holding the resource.");
	gpm_rule_evidence(c, fd, "waiters", "%zu, the longest %" PRId64 "+ minutes, first %s",
	                  s->count, s->most, wt ? wt : "?");
	gpm_rule_evidence(c, fd, "holders",
	                  "%zu blocked in the same code past where the waiters wait (heuristic: "
	                  "%s), the first, goroutine %" PRIu64 " [%s] in %s",
	                  nh,
	                  s->kind == LIM_SQL    ? "methods on the same type as the waiters'"
	                  : s->kind == LIM_HTTP ? "requests of the same function in flight"
	                                        : "the same function at a later line",
	                  h->id, gpm_rule_state_of(h), ht ? ht : "?");
	gpm_rule_text(c, &fd->next,
	              "Look at what the holders wait for in %s: give that call a deadline (a "
	              "context with a timeout), or release the resource before it.",
	              ht ? ht : "?");
	for (size_t i = s->first; i < inc->goroutines.len; i++)
		if (site_of[i] == site)
			gpm_rule_add_id(c, fd, inc->goroutines.v[i].id);
	if (c->group_of)
		fd->group = c->group_of[s->first];
	free(wt);
	free(ht);
}

static void limits(struct gpm_rule_ctx *c, const struct wait_sites *ws)
{
	const struct gpm_incident *inc = c->inc;
	struct lim_site sites[SITES_MAX];
	size_t ns = 0;
	_Static_assert((int)SITES_MAX < (int)SITE_NONE, "a site index fits a byte");
	// Each goroutine's site, found once: the findings' passes only compare it.
	uint8_t *site_of = malloc(inc->goroutines.len ? inc->goroutines.len : 1);
	if (!site_of) {
		c->oom = true;
		return;
	}
	memset(site_of, SITE_NONE, inc->goroutines.len);
	// Whether a stack is no limit's waiter, known once per stack and state class (lim_waiter
	// reads the frames and whether the state is "chan send"): bit 1 known, bit 2 none, for
	// other states; bits 4 and 8 for "chan send".
	uint8_t *none = calloc(inc->stacks.len ? inc->stacks.len : 1, 1);
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		struct lim_site ls;
		if (!(kind_of(ws, g) & WAIT_LIMIT) || !parked(g))
			continue;
		const char *st = gpm_rule_state_of(g);
		uint8_t sh = st[0] == 'c' && !strcmp(st, "chan send") ? 2 : 0;
		uint8_t *m = none && g->stack < inc->stacks.len ? &none[g->stack] : NULL;
		if (m && (*m >> sh & 1) && (*m >> sh & 2))
			continue;
		bool waits = lim_waiter(ws, g, &ls);
		if (m)
			*m |= (uint8_t)((1u | (waits ? 0u : 2u)) << sh);
		if (!waits)
			continue;
		size_t k = 0;
		while (k < ns && !lim_same(&sites[k], &ls))
			k++;
		if (k == ns) {
			if (ns == SITES_MAX)
				continue; // capped: the first sites are the ones reported
			ls.first = i;
			ls.most = -1;
			sites[ns++] = ls;
		}
		site_of[i] = (uint8_t)k;
		sites[k].count++;
		if (g->wait_minutes > sites[k].most)
			sites[k].most = g->wait_minutes;
	}
	// Queued for a minute or more: a queue of an instant is load, not a stuck holder.
	for (size_t k = 0; k < ns && !c->oom; k++)
		if (sites[k].count >= 3 && sites[k].most >= 1)
			limit_finding(c, &sites[k], (uint8_t)k, site_of);
	free(none);
	free(site_of);
}

/* The WAIT_* of a stack whose wait site is s: one of the sync waits the rules look for,
 * and WAIT_LIMIT where lim_waiter may find a limit (a database/sql pool's or an
 * http.Transport's wait, the program's own code, or a WaitGroup.Wait). */
static uint8_t wait_kind(const struct gpm_frame *f, uint32_t n, int s)
{
	if (s < 0)
		return 0;
	uint8_t k = 0;
	for (size_t i = 0; i < 4; i++)
		if (fn_is(&f[s], wait_names[i]))
			k |= (uint8_t)(1u << i);
	bool lim = false;
	for (uint32_t i = (uint32_t)s; i < n && i < (uint32_t)s + 8 && !lim; i++)
		lim = fn_is(&f[i], "database/sql.(*DB).conn");
	enum gpm_frame_class c = gpm_rule_frame_class(f[s].func);
	lim = lim || fn_is(&f[s], "net/http.(*Transport).getConn") || c == GPM_FRAME_CLASS_MAIN ||
	      c == GPM_FRAME_CLASS_DEPENDENCY || fn_is(&f[s], "sync.(*WaitGroup).Wait");
	return (uint8_t)(k | (lim ? WAIT_LIMIT : 0));
}

void gpm_rule_sync(struct gpm_rule_ctx *c)
{
	struct wait_sites ws;
	wait_sites_init(&ws, c->inc);
	once_reentered(c, &ws);
	recursive_rlock(c, &ws);
	cond_orphaned(c, &ws);
	limits(c, &ws);
	free(ws.at);
	free(ws.kind);
}
