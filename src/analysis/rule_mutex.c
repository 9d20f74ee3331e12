/*
 * Mutex rules: lock-order inversion and contention, with the holder candidates.
 */
#include "analysis/analysis.h"
#include "analysis/rules.h"
#include "base/u64map.h"
#include "model/frameclass.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- mutexes: lock-order inversion and contention ---- */

struct waiter {
	uint32_t g;       /* goroutine index */
	int caller;       /* frame index of the code that called Lock */
	uint64_t mutex;   /* address waited for */
	const char *func; /* caller's function (interned) */
	uint32_t line;
	uint32_t first_waiters; /* how many wait at first_held's Lock */
	uint64_t holds;         /* a contended mutex it probably holds, 0 none */
	/* The mutex every waiter at its function's first Lock waits for, when it is past that
	 * Lock and waits for another one: the one it took there (0 none). */
	uint64_t first_held;
	const char *name; /* the global mutex is in ("main.mu"), NULL unknown */
	/* The goroutine's, copied: the grading reads it by mutex, in no goroutine order, and
	 * each read of the goroutine was a cache miss. */
	int64_t wait_minutes;
	bool may_hold; /* past an earlier Lock in its function */
	bool by_first; /* holds was inferred from first_held, not from arguments */
};

/* The name of mutex m from the waiters idx[0..n) name, NULL when none knows it. */
static const char *mutex_name(const struct waiter *w, const size_t *idx, size_t n, uint64_t m)
{
	for (size_t k = 0; m && k < n; k++) {
		const struct waiter *x = &w[idx[k]];
		if (x->mutex == m && x->name)
			return x->name;
	}
	return NULL;
}

/* "main.mu (0x5bda50)" or "0xc000102000", in buf. */
static const char *mutex_text(const char *name, uint64_t m, char (*buf)[160])
{
	char *s = name ? gpm_rule_safe(name) : NULL;
	if (s)
		snprintf(*buf, sizeof(*buf), "%s (%#" PRIx64 ")", s, m);
	else
		snprintf(*buf, sizeof(*buf), "%#" PRIx64, m);
	free(s);
	return *buf;
}

/* A sync.Mutex Lock or lockSlow frame (model/frameclass.h keeps the list). */
static bool is_lock_frame(const char *fn)
{
	return gpm_sync_wait_is_mutex(gpm_frame_sync_wait(fn));
}

/* Where a stack's Lock frames are, worked out once per distinct stack (the rule asks for
 * every goroutine, and a dump's goroutines share a few hundred stacks). */
struct lock_frames {
	bool known;
	int8_t last;   /* the last of the first run of Lock frames in the top 16, -1 none */
	uint16_t slow; /* bit i: frame i of that run is a lockSlow */
};

static struct lock_frames stack_lock_frames(const struct gpm_incident *inc,
                                            const struct gpm_goroutine *g, struct lock_frames *memo)
{
	struct lock_frames lf = {true, -1, 0};
	struct lock_frames *slot = memo && g->stack < inc->stacks.len ? &memo[g->stack] : NULL;
	if (slot && slot->known)
		return *slot;
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	for (uint32_t i = 0; i < n && i < 16; i++) {
		if (is_lock_frame(f[i].func)) {
			lf.last = (int8_t)i;
			if (strstr(f[i].func, "lockSlow"))
				lf.slow |= (uint16_t)(1u << i);
		} else if (lf.last >= 0) {
			break;
		}
	}
	if (slot)
		*slot = lf;
	return lf;
}

/* If g is blocked in sync.(*Mutex).Lock: the mutex (0 unknown) and the caller frame. memo
 * (per stack, NULL none) keeps where each stack's Lock frames are. */
static bool mutex_wait(struct gpm_rule_ctx *c, const struct gpm_goroutine *g,
                       struct lock_frames *memo, uint64_t *mutex, int *caller)
{
	const struct gpm_incident *inc = c->inc;
	if (g->status != GPM_G_WAITING || !gpm_rule_counted(g))
		return false;
	uint32_t n;
	gpm_goroutine_frames(inc, g, &n);
	struct lock_frames lf = stack_lock_frames(inc, g, memo);
	int last = lf.last;
	uint64_t m = 0;
	for (uint32_t i = 0; lf.slow >> i && !m; i++)
		if (lf.slow & (1u << i))
			gpm_rule_arg_first(c, g, i, &m);
	if (last < 0 || (uint32_t)last + 1 >= n)
		return false;
	const struct gpm_goroutine_extra *x = gpm_goroutine_extra(inc, g);
	if (x->wait_object_kind == GPM_WAIT_OBJECT_MUTEX)
		m = x->wait_object;
	*mutex = m;
	*caller = last + 1;
	return true;
}

/* Arguments that point at most 64 bytes before a contended mutex refer to it (the mutex is
 * a field of the struct passed). targets are sorted. */
struct refs_ctx {
	const uint64_t *targets;
	size_t ntargets;
	uint64_t exclude, found;
};

static void ref_cb(void *arg, uint64_t v)
{
	struct refs_ctx *r = arg;
	// Most words are nowhere near a contended mutex: two compares, no search.
	if (r->found || v > r->targets[r->ntargets - 1] ||
	    (v < r->targets[0] && r->targets[0] - v >= 64))
		return;
	for (size_t i = gpm_u64_lower_bound(r->targets, r->ntargets, v);
	     i < r->ntargets && r->targets[i] - v < 64; i++)
		if (r->targets[i] != r->exclude) {
			r->found = r->targets[i];
			return;
		}
}

/* A contended mutex g's code refers to: in a core, from its stack words (held_object); in
 * text, from its printed arguments (frames from the caller on). targets are sorted. */
static uint64_t referenced_mutex(struct gpm_rule_ctx *c, const struct gpm_goroutine *g, int from,
                                 const uint64_t *targets, size_t nt, uint64_t exclude)
{
	const struct gpm_incident *inc = c->inc;
	struct refs_ctx r = {targets, nt, exclude, 0};
	// A core: the stack words were matched when it was read.
	uint64_t held = gpm_goroutine_extra(inc, g)->held_object;
	if (held && held != exclude) {
		size_t k = gpm_u64_lower_bound(targets, nt, held);
		if (k < nt && targets[k] == held)
			return held;
	}
	gpm_rule_arg_each(c, g, from > 0 ? (uint32_t)from : 0, false, ref_cb, &r);
	return r.found;
}

/* A waiter's Lock site, sorted apart from the waiters (16 bytes, not the waiter's 72): the
 * waiters stay in goroutine order and need no second sort back. */
struct site {
	const char *func;
	uint32_t line;
	uint32_t w; /* waiter index: in goroutine order, so ties go by goroutine */
};

static int cmp_site(const void *a, const void *b)
{
	const struct site *x = a, *y = b;
	if (x->func != y->func)
		return (uintptr_t)x->func < (uintptr_t)y->func ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->w < y->w ? -1 : x->w > y->w;
}

/* Waiter indices (gpm_rule_keyed) ordered by (key, waiter index), for runs of equal keys.
 * kv is built in waiter order by every caller, so gpm_rule_keyed_sort gives this order;
 * qsort with this callback was ~8 % of `gopm analyze` on 800,000 goroutines (four sorts of
 * ~40k waiters a snapshot), and is what is left when that sort declines. */
static int cmp_keyed(const void *a, const void *b)
{
	const struct gpm_rule_keyed *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->w < y->w ? -1 : x->w > y->w;
}

/* The waiters' Lock sites in st, sorted as cmp_site sorts them: by line, then stably by
 * function (two gpm_rule_keyed_sort passes over waiter order). */
static void sort_sites(const struct waiter *w, size_t n, struct site *st)
{
	struct gpm_rule_keyed *kv = n >= 256 ? malloc(n * sizeof(*kv)) : NULL;
	bool sorted = false;
	if (kv) {
		for (size_t i = 0; i < n; i++)
			kv[i] = (struct gpm_rule_keyed){w[i].line, (uint32_t)i};
		if (gpm_rule_keyed_sort(kv, n)) {
			for (size_t i = 0; i < n; i++)
				kv[i].key = (uintptr_t)w[kv[i].w].func;
			sorted = gpm_rule_keyed_sort(
			    kv, n); // stable: each function's sites stay by line
		}
	}
	if (sorted) {
		for (size_t i = 0; i < n; i++)
			st[i] = (struct site){w[kv[i].w].func, w[kv[i].w].line, kv[i].w};
	} else {
		for (size_t i = 0; i < n; i++)
			st[i] = (struct site){w[i].func, w[i].line, (uint32_t)i};
		qsort(st, n, sizeof(*st), cmp_site);
	}
	free(kv);
}

/* The first waiter (lowest index) other than cur whose key is k in sorted kv, SIZE_MAX none. */
static size_t keyed_find(const struct gpm_rule_keyed *kv, size_t n, uint64_t k, size_t cur)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (kv[mid].key < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n && kv[lo].key == k; lo++)
		if (kv[lo].w != cur)
			return kv[lo].w;
	return SIZE_MAX;
}

/* Holder candidates of one contended mutex, found in one pass over the goroutines. */
struct holders {
	uint64_t mutex;
	const char *cs;   /* the function its first waiter locks from */
	uint32_t minline; /* the earliest Lock line observed in cs */
	uint32_t likely[3], nlikely, weak[3], nweak, past[3], npast;
};

static int cmp_holders(const void *a, const void *b)
{
	const struct holders *x = a, *y = b;
	return x->mutex < y->mutex ? -1 : x->mutex > y->mutex;
}

struct holder_scan {
	struct holders *h;
	size_t nh;
	uint64_t *mutexes; /* the contended ones, sorted */
	const struct gpm_incident *inc;
	const struct gpm_goroutine *g;
	uint32_t gi;
	bool inside_any; /* g runs inside some waiters' function (checked per mutex) */
	uint64_t skip;   /* the mutex g itself waits for */
};

static void holder_cb(void *arg, uint64_t v)
{
	struct holder_scan *s = arg;
	// Most words are nowhere near a contended mutex: two compares, no search.
	if (v > s->mutexes[s->nh - 1] || (v < s->mutexes[0] && s->mutexes[0] - v >= 64))
		return;
	for (size_t i = gpm_u64_lower_bound(s->mutexes, s->nh, v);
	     i < s->nh && s->mutexes[i] - v < 64; i++) {
		struct holders *h = &s->h[i];
		if (h->mutex == s->skip)
			continue;
		uint32_t n;
		const struct gpm_frame *f = gpm_goroutine_frames(s->inc, s->g, &n);
		bool inside = false;
		for (uint32_t k = 0; k < n && !inside; k++)
			inside = f[k].func == h->cs;
		uint32_t *slot = inside ? h->likely : h->weak;
		uint32_t *cnt = inside ? &h->nlikely : &h->nweak;
		bool dup = false;
		for (uint32_t k = 0; k < *cnt; k++)
			dup |= slot[k] == s->gi;
		if (!dup && *cnt < 3)
			slot[(*cnt)++] = s->gi;
	}
}

/* Whether holder candidate h is making progress: on a CPU or runnable, or in a short
 * semacquire of the runtime's own (GC, a sync.Pool) rather than of a sync primitive. */
static bool holder_progressing(const struct gpm_incident *inc, const struct gpm_goroutine *h)
{
	if (h->status == GPM_G_RUNNING || h->status == GPM_G_RUNNABLE)
		return true;
	if (h->status != GPM_G_WAITING || h->wait_minutes > 0 || !h->state ||
	    !gpm_rule_starts(h->state, "semacquire"))
		return false;
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, h, &n);
	for (uint32_t k = 0; k < n && k < 16; k++)
		if (f[k].func && (gpm_rule_starts(f[k].func, "sync.") ||
		                  gpm_rule_starts(f[k].func, "internal/sync.")))
			return false;
	return true;
}

/*
 * Roll-up: a function that locks a mutex per object (a per-key or per-account lock) can
 * leave thousands of mutexes with a short queue each. One finding per mutex buries the
 * report (13,000 near-identical findings on one shape of dump); a person needs one per
 * place: how many mutexes, how many goroutines in all, the few with the most waiters as
 * examples and how many more there are (the JSON's `instances` and `count` keep the full
 * figures). Contention findings of one function, severity and confidence become one when
 * there are at least ROLLUP_MIN of them; fewer are kept as they are.
 */
enum { ROLLUP_MIN = 6, ROLLUP_SHOWN = 3 };

struct rolled {
	const char *site;
	uint64_t count, address;
	enum gpm_severity sev;
	enum gpm_confidence conf;
	size_t f; /* index of the finding */
};

/* By (site, severity, confidence), then most waiters first, then address. */
static int cmp_rolled(const void *a, const void *b)
{
	const struct rolled *x = a, *y = b;
	if (x->site != y->site)
		return (uintptr_t)x->site < (uintptr_t)y->site ? -1 : 1;
	if (x->sev != y->sev)
		return x->sev > y->sev ? -1 : 1;
	if (x->conf != y->conf)
		return x->conf < y->conf ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->address != y->address)
		return x->address < y->address ? -1 : 1;
	return x->f < y->f ? -1 : x->f > y->f;
}

/* A contended mutex the contention finding is about: its waiters (kv[from..to)), its holder
 * candidates and its grade, worked out before any text is written: most of them are rolled
 * up (see ROLLUP_MIN) and only the few a person reads are rendered. */
struct contended {
	uint64_t mutex, count;
	size_t from, to;
	const struct holders *hh;
	enum gpm_severity sev;
	enum gpm_confidence conf;
	bool busy;   /* a busy lock, not a stuck one (see contention_grade) */
	bool render; /* written out as a finding of its own (kept, or a roll-up's example) */
	size_t f;    /* its finding, from the contention findings' start; SIZE_MAX none */
	size_t into; /* the roll-up that replaces it, SIZE_MAX none */
	bool lead;   /* the first of its roll-up in mutex order (where the roll-up goes) */
};

/* The ids a contention finding of r lists (gpm_rule_add_id: each once, the first
 * GPM_FINDING_MAX_IDS), appended to out while it has fewer than GPM_FINDING_MAX_IDS. */
static void contended_ids(struct gpm_rule_ctx *c, const struct waiter *w,
                          const struct gpm_rule_keyed *kv, const struct contended *r,
                          struct gpm_finding *out)
{
	uint64_t ids[GPM_FINDING_MAX_IDS];
	size_t n = 0;
	for (size_t k = r->from; k < r->to && n < GPM_FINDING_MAX_IDS; k++) {
		uint64_t id = c->inc->goroutines.v[w[kv[k].w].g].id;
		size_t d = 0;
		while (d < n && ids[d] != id)
			d++;
		if (d == n)
			ids[n++] = id;
	}
	for (size_t i = 0; i < n && out->goroutines.len < GPM_FINDING_MAX_IDS; i++) {
		uint64_t *p = gpm_vec_push(&out->goroutines);
		if (!p) {
			c->oom = true;
			return;
		}
		*p = ids[i];
	}
}

/* One finding for the run r[0..n) (same site, severity, confidence; most waiters first;
 * r[k].f indexes cs) into *out; the rendered findings of the first ROLLUP_SHOWN are
 * fs[cs[r[k].f].f]. */
static void rollup_one(struct gpm_rule_ctx *c, const struct rolled *r, size_t n,
                       const struct contended *cs, const struct gpm_finding *fs,
                       const struct waiter *w, const struct gpm_rule_keyed *kv,
                       struct gpm_finding *out)
{
	const struct gpm_finding *top = &fs[cs[r[0].f].f];
	uint64_t total = 0, lo = UINT64_MAX, hi = 0;
	for (size_t k = 0; k < n; k++) {
		total += r[k].count;
		lo = r[k].count < lo ? r[k].count : lo;
		hi = r[k].count > hi ? r[k].count : hi;
	}
	*out = (struct gpm_finding){.rule = top->rule,
	                            .kind = top->kind,
	                            .severity = top->severity,
	                            .confidence = top->confidence,
	                            .count = total,
	                            .instances = n,
	                            .address = top->address,
	                            .group = top->group};
	char *site = gpm_rule_safe(r[0].site);
	char per[64];
	if (lo == hi)
		snprintf(per, sizeof(per), "%" PRIu64 " per mutex", lo);
	else
		snprintf(per, sizeof(per), "%" PRIu64 "-%" PRIu64 " per mutex", lo, hi);
	bool busy = top->severity == GPM_SEVERITY_LOW;
	if (busy)
		gpm_rule_text(
		    c, &out->title,
		    "busy mutexes: %zu mutexes locked in %s have goroutines waiting briefly "
		    "(%" PRIu64 " goroutines, %s)",
		    n, site ? site : "?", total, per);
	else
		gpm_rule_text(c, &out->title,
		              "lock contention: %zu mutexes locked in %s have waiters (%" PRIu64
		              " goroutines, %s)",
		              n, site ? site : "?", total, per);
	int shown = n < ROLLUP_SHOWN ? (int)n : ROLLUP_SHOWN;
	if (busy)
		gpm_rule_text(c, &out->explanation,
		              "The same code locks many mutexes (one per object) and each has "
		              "goroutines queued on it, but none has waited a minute and no holder "
		              "is seen stuck: hot locks under load at the instant of the snapshot. "
		              "One finding for all of them; the %d with the most waiters are the "
		              "examples.",
		              shown);
	else
		gpm_rule_text(c, &out->explanation,
		              "The same code locks many mutexes (one per object) and each has "
		              "goroutines queued on it: either their holders keep them for a long "
		              "time (slow work or I/O inside the critical section) or the holders "
		              "are themselves stuck. One finding for all of them; the %d with the "
		              "most waiters are the examples.",
		              shown);
	if (top->next)
		gpm_rule_text(c, &out->next, "%s", top->next);
	gpm_rule_evidence(c, out, "mutexes",
	                  "%zu locked in %s, %" PRIu64 " goroutines waiting in all (%s)", n,
	                  site ? site : "?", total, per);
	for (size_t k = 0; k < n && k < ROLLUP_SHOWN; k++) {
		const struct gpm_finding *m = &fs[cs[r[k].f].f];
		for (size_t e = 0; e < m->evidence.len; e++)
			gpm_rule_evidence(c, out, m->evidence.v[e].key, "%s",
			                  m->evidence.v[e].value);
	}
	if (n > ROLLUP_SHOWN) {
		uint64_t listed = 0;
		for (size_t k = 0; k < ROLLUP_SHOWN; k++)
			listed += r[k].count;
		gpm_rule_evidence(c, out, "more",
		                  "%zu more mutexes locked in %s, %" PRIu64
		                  " goroutines waiting for them (not listed)",
		                  n - ROLLUP_SHOWN, site ? site : "?", total - listed);
	}
	free(site);
	// The ids of the examples first, as many as a finding lists.
	for (size_t k = 0; k < n && out->goroutines.len < GPM_FINDING_MAX_IDS && !c->oom; k++)
		contended_ids(c, w, kv, &cs[r[k].f], out);
}

/*
 * The candidates of hh as a finding lists them: best evidence first, each goroutine once
 * (listed[0..*nl)); *kind the index of the first's kind (0 likely, 1 past, 2 weak), -1
 * none.
 */
static void holder_listing(const struct holders *hh, uint32_t listed[9], uint32_t *nl, int *kind)
{
	const uint32_t *lists[] = {hh->likely, hh->past, hh->weak};
	const uint32_t counts[] = {hh->nlikely, hh->npast, hh->nweak};
	*nl = 0;
	*kind = -1;
	for (int r = 0; r < 3; r++)
		for (uint32_t k = 0; k < counts[r]; k++) {
			uint32_t d = 0;
			while (d < *nl && listed[d] != lists[r][k])
				d++;
			if (d < *nl)
				continue;
			listed[(*nl)++] = lists[r][k];
			if (*kind < 0)
				*kind = r;
		}
}

/* Whether the runtime's deadlock check stopped the program: every goroutine was blocked, so
 * no queue on a mutex was going to move, however briefly its waiters had waited. */
/* The frame of h's write to a file or pipe when h is blocked in it (in the system call,
 * or parked on a non-blocking descriptor): os.(*File).Write where it shows, else the
 * lowest-level write frame; -1 when h is not writing. */
static int blocked_write(const struct gpm_incident *inc, const struct gpm_goroutine *h)
{
	const char *st = gpm_rule_state_of(h);
	if (h->status != GPM_G_SYSCALL && strcmp(st, "syscall") != 0 && strcmp(st, "IO wait") != 0)
		return -1;
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, h, &n);
	int low = -1;
	for (uint32_t i = 0; i < n && i < 16; i++) {
		const char *fn = f[i].func;
		if (!fn)
			continue;
		if (strcmp(fn, "os.(*File).Write") == 0 ||
		    strcmp(fn, "os.(*File).WriteString") == 0)
			return (int)i;
		if (low < 0 &&
		    (strcmp(fn, "syscall.write") == 0 || strcmp(fn, "syscall.Write") == 0 ||
		     strcmp(fn, "internal/poll.(*FD).Write") == 0))
			low = (int)i;
		if (low < 0 && !gpm_rule_is_runtime(fn) && !gpm_rule_starts(fn, "syscall.") &&
		    !gpm_rule_starts(fn, "internal/"))
			return -1; // the first frame above the runtime is not a write
	}
	return low;
}

static bool all_asleep(const struct gpm_incident *inc)
{
	return inc->crash.kind == GPM_FATAL_THROW && inc->crash.fatal_message &&
	       strstr(inc->crash.fatal_message, "all goroutines are asleep");
}

/* r's severity and confidence, and whether it is a busy lock, not a stuck one: nobody has
 * waited a minute and the best candidate is making progress (a hot lock under load at the
 * instant of the snapshot, as on a healthy server serving many requests) — never when
 * every goroutine was asleep. */
static void contention_grade(const struct gpm_incident *inc, const struct waiter *w,
                             const struct gpm_rule_keyed *kv, struct contended *r)
{
	uint32_t listed[9], nl;
	int kind;
	holder_listing(r->hh, listed, &nl, &kind);
	int64_t maxwait = -1;
	for (size_t k = r->from; k < r->to; k++) {
		int64_t wm = w[kv[k].w].wait_minutes;
		if (wm > maxwait)
			maxwait = wm;
	}
	r->busy = nl && maxwait < 1 && !all_asleep(inc) &&
	          (kind == 2 || holder_progressing(inc, &inc->goroutines.v[listed[0]]));
	r->sev =
	    r->busy ? GPM_SEVERITY_LOW : (r->count >= 10 ? GPM_SEVERITY_HIGH : GPM_SEVERITY_MEDIUM);
	r->conf = r->busy ? GPM_CONFIDENCE_HEURISTIC : GPM_CONFIDENCE_LIKELY;
}

/*
 * The contention findings of cs[0..n) (in mutex order), added to c's findings: those a
 * roll-up replaces are not rendered, save the few it shows as examples; the roll-up takes
 * the place of its first member.
 */
/* The contention finding of r, rendered (added to c's findings). */
static void contention_render(struct gpm_rule_ctx *c, const struct waiter *w,
                              const struct gpm_rule_keyed *kv, const struct contended *r)
{
	const struct gpm_incident *inc = c->inc;
	const struct holders *hh = r->hh;
	uint64_t m = r->mutex, n = r->count;
	size_t from = r->from, j = r->to, first = kv[from].w;
	struct gpm_finding *f = gpm_rule_finding_new_as(
	    c, GPM_RULE_CONTENTION, n >= 10 ? GPM_SEVERITY_HIGH : GPM_SEVERITY_MEDIUM,
	    GPM_CONFIDENCE_LIKELY);
	if (!f)
		return;
	const struct gpm_goroutine *g0 = &inc->goroutines.v[w[first].g];
	char *ft = gpm_rule_frame_text(inc, g0, w[first].caller);
	const char *mname = NULL;
	for (size_t k = from; k < j && !mname; k++)
		mname = w[kv[k].w].name;
	char *msafe = mname ? gpm_rule_safe(mname) : NULL;
	if (msafe)
		gpm_rule_text(c, &f->title,
		              "lock contention: %" PRIu64 " goroutines wait for mutex %s", n,
		              msafe);
	else
		gpm_rule_text(c, &f->title,
		              "lock contention: %" PRIu64 " goroutines wait for mutex %#" PRIx64, n,
		              m);
	gpm_rule_text(c, &f->explanation,
	              "Many goroutines are queued on one sync.Mutex. Either its holder keeps it "
	              "for a long time (slow work or I/O inside the critical section) or the "
	              "holder is itself stuck.");
	f->address = m;
	// A global is named by the symbol table; a field ("pkg.(*T).mu") by the
	// object a method of the waiters' stacks runs on (src/goroutines/corefacts.c).
	if (msafe)
		gpm_rule_evidence(c, f, "mutex", "%s at %#" PRIx64 " (%s)", msafe, m,
		                  strstr(msafe, ".(*")
		                      ? "a field of the object the waiters' method runs on"
		                      : "the executable's symbol table");
	else
		gpm_rule_evidence(c, f, "mutex", "%#" PRIx64, m);
	gpm_rule_evidence(c, f, "waiters", "%" PRIu64 ", first in %s", n, ft ? ft : "?");
	if (all_asleep(inc))
		gpm_rule_evidence(c, f, "checked",
		                  "every goroutine was asleep (the runtime's deadlock check): "
		                  "nothing was going to release the mutex");
	free(ft);
	for (size_t k = from; k < j; k++)
		gpm_rule_add_id(c, f, inc->goroutines.v[w[kv[k].w].g].id);
	if (c->group_of)
		f->group = c->group_of[w[first].g];
	// Holder candidates ranked by their evidence, best first: goroutines that refer
	// to the mutex and run inside the function the waiters lock from; then ones
	// past its Lock and blocked elsewhere; then ones that only refer to it (stale
	// words happen). A goroutine is listed once, under its best evidence.
	static const char *const kinds[] = {"likely holder", "holder?", "holder? (weak)"};
	static const char *const why[] = {
	    "it refers to the mutex and runs inside the function the waiters lock from",
	    ("it is past the Lock in the function the waiters lock from and blocked "
	     "elsewhere"),
	    "it refers to the mutex"};
	const uint32_t *lists[] = {hh->likely, hh->past, hh->weak};
	const uint32_t counts[] = {hh->nlikely, hh->npast, hh->nweak};
	const char *kind = NULL;
	uint32_t nl = 0, listed[9];
	char *csn = gpm_rule_safe(hh->cs);
	for (int t = 0; t < 3; t++)
		for (uint32_t k = 0; k < counts[t]; k++) {
			uint32_t d = 0;
			while (d < nl && listed[d] != lists[t][k])
				d++;
			if (d < nl)
				continue;
			listed[nl++] = lists[t][k];
			if (!kind)
				kind = kinds[t];
			const struct gpm_goroutine *h = &inc->goroutines.v[lists[t][k]];
			char *hf = gpm_rule_frame_text(inc, h, gpm_rule_user_frame(inc, h, false));
			gpm_rule_evidence(c, f, kinds[t], "%s [%s] in %s (heuristic: %s)",
			                  GPM_GOROUTINE_NAME(h), gpm_rule_state_of(h),
			                  hf ? hf : "?", why[t]);
			free(hf);
		}
	// A busy lock, not a stuck one: nobody has waited a minute and the best
	// candidate is making progress (a hot lock under load at the instant of the
	// snapshot, as on a healthy server serving many requests).
	bool weak_only = nl && kind == kinds[2];
	// The best candidate with real evidence (inside the critical section, or past its
	// Lock and blocked elsewhere) in the headline: who to look at, and where it waits.
	if (!r->busy && nl && !weak_only) {
		const struct gpm_goroutine *h = &inc->goroutines.v[listed[0]];
		char *hf = gpm_rule_frame_text(inc, h, gpm_rule_user_frame(inc, h, false));
		char *title = f->title ? strdup(f->title) : NULL;
		if (title && hf)
			gpm_rule_text(c, &f->title, "%s; %s, %s, is blocked [%s] in %s", title,
			              kind == kinds[0] ? "its likely holder" : "a holder candidate",
			              GPM_GOROUTINE_NAME(h), gpm_rule_state_of(h), hf);
		free(title);
		free(hf);
		int wf = blocked_write(inc, h);
		if (wf >= 0) {
			// The holder is stuck in a write, not slow under the lock: the root cause
			// is whatever stopped reading that file or pipe (a log nobody drains).
			gpm_rule_set_rule(f, GPM_RULE_CONTENTION_BLOCKED_WRITE);
			char *wt = gpm_rule_frame_text(inc, h, wf);
			char *lk = gpm_rule_safe(hh->cs);
			// The first waiter's own code (main.handleJob), past the logger.
			int uf = gpm_rule_user_frame(inc, g0, false);
			uint32_t gn;
			const struct gpm_frame *gf = gpm_goroutine_frames(inc, g0, &gn);
			for (uint32_t k = uf < 0 ? 0 : (uint32_t)uf; k < gn; k++) {
				enum gpm_frame_class fc = gf[k].func
				                              ? gpm_rule_frame_class(gf[k].func)
				                              : GPM_FRAME_CLASS_RUNTIME;
				if (fc == GPM_FRAME_CLASS_MAIN ||
				    fc == GPM_FRAME_CLASS_DEPENDENCY) {
					uf = (int)k;
					break;
				}
			}
			char *ut = gpm_rule_frame_text(inc, g0, uf);
			// The mutex by its symbol where a core names it (log.(*Logger).mu),
			// else by the function that locks it.
			char mbuf[600];
			if (msafe)
				snprintf(mbuf, sizeof(mbuf), "mutex %s (locked in %s)", msafe,
				         lk ? lk : "?");
			else
				snprintf(mbuf, sizeof(mbuf), "the mutex of %s", lk ? lk : "?");
			gpm_rule_text(
			    c, &f->title,
			    "writes blocked: %s holds %s while its write blocks [%s] in %s "
			    "(a file or pipe nobody reads: a full stdout/stderr pipe?); "
			    "%" PRIu64 " goroutines wait for it, first in %s",
			    GPM_GOROUTINE_NAME(h), mbuf, gpm_rule_state_of(h), wt ? wt : "?", n,
			    ut ? ut : "?");
			gpm_rule_text(
			    c, &f->explanation,
			    "The goroutine holding this mutex is inside a write(2) that does "
			    "not return: the file or pipe it writes to is not being read (a "
			    "full pipe to a log collector or terminal that stopped, a "
			    "container's stdout nobody drains). Everyone who logs, or takes "
			    "the same lock, queues behind it. The root cause is the blocked "
			    "write, not lock contention.");
			gpm_rule_evidence(c, f, "blocked write",
			                  "%s [%s, %" PRId64 " minutes] in %s",
			                  GPM_GOROUTINE_NAME(h), gpm_rule_state_of(h),
			                  h->wait_minutes < 0 ? 0 : h->wait_minutes, wt ? wt : "?");
			free(wt);
			free(lk);
			free(ut);
		}
	}
	if (f->kind == GPM_RULE_CONTENTION_BLOCKED_WRITE)
		gpm_rule_text(
		    c, &f->next,
		    "Find who should read the output the holder writes to (a log shipper, "
		    "a pipe's reader) and why it stopped; write logs asynchronously or "
		    "with a bounded buffer that drops rather than blocks.");
	else if (r->busy) {
		f->severity = GPM_SEVERITY_LOW;
		f->confidence = GPM_CONFIDENCE_HEURISTIC;
		if (msafe)
			gpm_rule_text(c, &f->title,
			              "busy mutex: %" PRIu64
			              " goroutines wait briefly for mutex %s%s",
			              n, msafe, weak_only ? "" : ", its holder is running");
		else
			gpm_rule_text(c, &f->title,
			              "busy mutex: %" PRIu64
			              " goroutines wait briefly for mutex %#" PRIx64 "%s",
			              n, m, weak_only ? "" : ", its holder is running");
		gpm_rule_text(c, &f->explanation,
		              "Many goroutines are queued on one sync.Mutex, but none has waited a "
		              "minute and no goroutine is seen stuck while holding it (the best "
		              "candidate is making progress, or none is inside the critical "
		              "section): a hot lock under load at the instant of the snapshot.");
		gpm_rule_evidence(c, f, "checked",
		                  "waits under a minute; the best candidate, %s (%s), is %s",
		                  GPM_GOROUTINE_NAME(&inc->goroutines.v[listed[0]]), kind,
		                  gpm_rule_state_of(&inc->goroutines.v[listed[0]]));
		gpm_rule_text(c, &f->next,
		              "If requests are slow, profile the lock (mutex profile) in %s; take "
		              "another snapshot to see whether the queue persists.",
		              csn ? csn : "?");
	} else if (nl)
		gpm_rule_text(c, &f->next,
		              "Start with the %s named below: what it waits for while it holds the "
		              "mutex (inside %s); move slow work out of the lock.",
		              kind, csn ? csn : "?");
	else
		gpm_rule_text(c, &f->next,
		              "Find the holder: a goroutine not waiting on this mutex whose stack "
		              "is inside the critical section guarded by it (%s); none in this "
		              "snapshot refers to the mutex or is past its Lock.",
		              csn ? csn : "?");
	free(csn);
	free(msafe);
}

static void contention_findings(struct gpm_rule_ctx *c, const struct waiter *w,
                                const struct gpm_rule_keyed *kv, struct contended *cs, size_t n)
{
	struct rolled *r = NULL;
	GPM_VEC(struct gpm_finding) merged = {0};
	GPM_VEC(struct gpm_finding) out = {0};
	size_t fstart = c->a->findings.len;
	for (size_t i = 0; i < n; i++) {
		cs[i].render = true;
		cs[i].into = cs[i].f = SIZE_MAX;
		cs[i].lead = false;
	}
	if (n >= ROLLUP_MIN) {
		if (!(r = malloc(n * sizeof(*r)))) {
			c->oom = true;
			goto done;
		}
		for (size_t i = 0; i < n; i++)
			r[i] = (struct rolled){cs[i].hh->cs, cs[i].count, cs[i].mutex,
			                       cs[i].sev,    cs[i].conf,  i};
		qsort(r, n, sizeof(*r), cmp_rolled);
		// Runs of at least ROLLUP_MIN: only their first ROLLUP_SHOWN are rendered.
		for (size_t i = 0; i < n;) {
			size_t j = i;
			while (j < n && r[j].site == r[i].site && r[j].sev == r[i].sev &&
			       r[j].conf == r[i].conf)
				j++;
			if (j - i >= ROLLUP_MIN) {
				size_t lead = SIZE_MAX;
				for (size_t k = i; k < j; k++) {
					cs[r[k].f].render = k - i < ROLLUP_SHOWN;
					cs[r[k].f].into = i; // the run, by where it starts in r
					lead = r[k].f < lead ? r[k].f : lead;
				}
				cs[lead].lead = true;
			}
			i = j;
		}
	}
	for (size_t i = 0; i < n && !c->oom; i++) {
		if (!cs[i].render)
			continue;
		size_t before = c->a->findings.len;
		contention_render(c, w, kv, &cs[i]);
		if (c->a->findings.len == before)
			goto done; // out of memory
		cs[i].f = before;
	}
	if (!r || c->oom)
		goto done;
	// The roll-ups (in the order of their first members), then the findings in mutex
	// order with each roll-up where its first member was.
	const struct gpm_finding *fs = c->a->findings.v;
	for (size_t i = 0; i < n; i++) {
		if (!cs[i].lead)
			continue;
		size_t s = cs[i].into, j = s;
		while (j < n && r[j].site == r[s].site && r[j].sev == r[s].sev &&
		       r[j].conf == r[s].conf)
			j++;
		struct gpm_finding *m = gpm_vec_push(&merged);
		if (!m) {
			c->oom = true;
			goto done;
		}
		rollup_one(c, &r[s], j - s, cs, fs, w, kv, m);
		if (c->oom)
			goto done;
	}
	if (!merged.len)
		goto done;
	size_t nm = 0;
	for (size_t i = 0; i < n; i++) {
		struct gpm_finding *f = NULL;
		if (cs[i].into == SIZE_MAX)
			f = &c->a->findings.v[cs[i].f];
		else if (cs[i].lead)
			f = &merged.v[nm++];
		if (!f)
			continue;
		struct gpm_finding *o = gpm_vec_push(&out);
		if (!o) {
			c->oom = true;
			goto done;
		}
		*o = *f;
	}
	// The kept findings and the roll-ups are moved into out; the examples go.
	for (size_t i = 0; i < n; i++)
		if (cs[i].into != SIZE_MAX && cs[i].f != SIZE_MAX)
			gpm_rule_finding_deinit(&c->a->findings.v[cs[i].f]);
	merged.len = 0;
	memcpy(c->a->findings.v + fstart, out.v, out.len * sizeof(*out.v));
	c->a->findings.len = fstart + out.len;
	out.len = 0;
done:
	for (size_t k = 0; k < merged.len; k++)
		gpm_rule_finding_deinit(&merged.v[k]);
	gpm_vec_free(&merged);
	gpm_vec_free(&out);
	free(r);
}

void gpm_rule_mutexes(struct gpm_rule_ctx *c)
{
	const struct gpm_incident *inc = c->inc;
	GPM_VEC(struct waiter) w = {0};
	uint64_t *addrs = NULL;
	uint8_t *in_cycle = NULL;
	struct gpm_rule_keyed *kv = NULL;
	struct holders *hs = NULL;
	struct lock_frames *memo = calloc(inc->stacks.len ? inc->stacks.len : 1, sizeof(*memo));
	if (!memo) {
		c->oom = true;
		return;
	}
	// Room for every goroutine up front: pages only the waiters touch, and no copying of a
	// growing vector (a snapshot of 100k goroutines has ~40k waiters in the bench's shape).
	if (!gpm_vec_reserve(&w, inc->goroutines.len ? inc->goroutines.len : 1)) {
		free(memo);
		c->oom = true;
		return;
	}
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		uint64_t m;
		int caller;
		if (!mutex_wait(c, &inc->goroutines.v[i], memo, &m, &caller))
			continue;
		uint32_t n;
		const struct gpm_frame *f = gpm_goroutine_frames(inc, &inc->goroutines.v[i], &n);
		struct waiter *x = gpm_vec_push(&w);
		if (!x) {
			c->oom = true;
			goto out;
		}
		const struct gpm_goroutine_extra *gx =
		    gpm_goroutine_extra(inc, &inc->goroutines.v[i]);
		*x = (struct waiter){.g = (uint32_t)i,
		                     .wait_minutes = inc->goroutines.v[i].wait_minutes,
		                     .mutex = m,
		                     .caller = caller,
		                     .func = f[caller].func,
		                     .line = f[caller].line,
		                     .name =
		                         m && gx->wait_object == m ? gx->wait_object_name : NULL};
	}
	if (!w.len)
		goto out;
	// Which waiters are past an earlier Lock in the same function: those not at the
	// earliest Lock line observed in that function. Sorted by (function, line): one pass.
	struct site *st = malloc(w.len * sizeof(*st));
	if (!st) {
		c->oom = true;
		goto out;
	}
	sort_sites(w.v, w.len, st);
	for (size_t i = 0; i < w.len;) {
		size_t j = i;
		while (j < w.len && st[j].func == st[i].func)
			j++;
		uint32_t minline = st[i].line;
		bool other_line = st[j - 1].line != minline;
		for (size_t k = i; k < j; k++)
			w.v[st[k].w].may_hold = !other_line || st[k].line > minline;
		// Lock order from text: the waiters at the function's first Lock all wait for
		// one mutex m1; a waiter at a later Lock of the same function waiting for
		// another mutex is past that first Lock, so it holds m1.
		uint64_t m1 = 0;
		uint32_t nfirst = 0;
		bool one = other_line;
		for (size_t k = i; k < j && st[k].line == minline && one; k++, nfirst++) {
			uint64_t mk = w.v[st[k].w].mutex;
			if (!mk || (m1 && mk != m1))
				one = false;
			m1 = mk;
		}
		for (size_t k = i; k < j && one; k++) {
			struct waiter *x = &w.v[st[k].w];
			if (x->line > minline && x->mutex && x->mutex != m1) {
				x->first_held = m1;
				x->first_waiters = nfirst;
			}
		}
		i = j;
	}
	free(st);
	// Contended mutex addresses.
	addrs = malloc(w.len * sizeof(*addrs));
	kv = malloc(w.len * sizeof(*kv));
	in_cycle = calloc(w.len, 1);
	if (!addrs || !kv || !in_cycle) {
		c->oom = true;
		goto out;
	}
	size_t na = 0;
	for (size_t i = 0; i < w.len; i++)
		if (w.v[i].mutex)
			kv[na++] = (struct gpm_rule_keyed){w.v[i].mutex, (uint32_t)i};
	size_t nu = 0;
	if (gpm_rule_keyed_sort(kv, na)) {
		for (size_t i = 0; i < na; i++)
			if (!nu || addrs[nu - 1] != kv[i].key)
				addrs[nu++] = kv[i].key;
	} else {
		for (size_t i = 0; i < na; i++)
			addrs[i] = kv[i].key;
		qsort(addrs, na, sizeof(*addrs), gpm_rule_cmp_u64);
		for (size_t i = 0; i < na; i++)
			if (!nu || addrs[nu - 1] != addrs[i])
				addrs[nu++] = addrs[i];
	}
	// Holders: a waiter past an earlier Lock whose own frames refer to another contended
	// mutex (its arguments in text, the words of its frames in a core).
	// Else, the mutex of its function's first Lock (see first_held).
	if (nu >= 2)
		for (size_t i = 0; i < w.len; i++) {
			if (w.v[i].may_hold && w.v[i].mutex)
				w.v[i].holds =
				    referenced_mutex(c, &inc->goroutines.v[w.v[i].g], w.v[i].caller,
				                     addrs, nu, w.v[i].mutex);
			if (!w.v[i].holds && w.v[i].first_held) {
				w.v[i].holds = w.v[i].first_held;
				w.v[i].by_first = true;
			}
		}
	// Cycles: follow "waits for m, m is held by h" from each waiter, with the holders
	// sorted by the mutex they hold (a lookup per step, not a scan).
	size_t nk = 0;
	for (size_t i = 0; i < w.len; i++)
		if (w.v[i].holds)
			kv[nk++] = (struct gpm_rule_keyed){w.v[i].holds, (uint32_t)i};
	if (!gpm_rule_keyed_sort(kv, nk))
		qsort(kv, nk, sizeof(*kv), cmp_keyed);
	bool found_cycle = false;
	// Each holder's next step, looked up once (a walk from every holder visits up to 16).
	size_t *next = nk ? malloc(w.len * sizeof(*next)) : NULL;
	if (nk && !next) {
		c->oom = true;
		goto out;
	}
	for (size_t i = 0; i < w.len && nk; i++)
		next[i] = w.v[i].holds ? keyed_find(kv, nk, w.v[i].mutex, i) : SIZE_MAX;
	for (size_t s = 0; s < w.len && !found_cycle && nk; s++) {
		if (!w.v[s].holds)
			continue;
		size_t path[16], np = 0, cur = s;
		for (;;) {
			path[np++] = cur;
			size_t nxt = next[cur];
			if (nxt == SIZE_MAX || np == 16)
				break;
			// Each waiter has one next step: a walk that comes back to s has met no
			// other waiter twice, and one that enters a cycle not through s never
			// comes back to s (that cycle is found from its own start). So only s is
			// looked for, not every waiter of the path.
			if (nxt == s) {
				found_cycle = true;
				break;
			}
			cur = nxt;
		}
		if (!found_cycle)
			continue;
		struct gpm_finding *f = gpm_rule_finding_new(c, GPM_RULE_DEADLOCK_LOCK_ORDER);
		if (!f)
			break;
		struct gpm_strbuf ids = GPM_STRBUF_INIT;
		for (size_t k = 0; k < np; k++) {
			in_cycle[path[k]] = 1;
			gpm_strbuf_printf(&ids, "%s%" PRIu64,
			                  k ? (k + 1 == np ? " and " : ", ") : "",
			                  inc->goroutines.v[w.v[path[k]].g].id);
		}
		gpm_rule_text(
		    c, &f->title,
		    "deadlock: goroutines %s each hold a mutex the other wants (lock-order "
		    "inversion)",
		    ids.buf ? ids.buf : "?");
		gpm_strbuf_deinit(&ids);
		// The functions of the cycle, each once (A then B in one, B then A in another).
		struct gpm_strbuf fns = GPM_STRBUF_INIT;
		for (size_t k = 0; k < np; k++) {
			size_t d = 0;
			while (d < k && w.v[path[d]].func != w.v[path[k]].func)
				d++;
			if (d < k)
				continue;
			char *one = gpm_rule_safe(w.v[path[k]].func);
			gpm_strbuf_printf(&fns, "%s%s", fns.len ? " and " : "", one ? one : "?");
			free(one);
		}
		char *fn = fns.buf;
		gpm_rule_text(
		    c, &f->explanation,
		    "These goroutines lock the same mutexes in opposite orders: each took one "
		    "and now waits for one another of them holds, so none can continue; the "
		    "runtime cannot see this while other goroutines still run. Heuristic: "
		    "who holds which mutex is inferred from their stacks (each is blocked on a "
		    "later Lock of its function, past a first Lock, and refers to the other "
		    "mutex or is past the Lock where others wait for it).");
		gpm_rule_text(
		    c, &f->next,
		    "Make every path lock these mutexes in one global order (e.g. by account "
		    "id) in %s, or take them under one lock.",
		    fn ? fn : "?");
		gpm_strbuf_deinit(&fns);
		for (size_t k = 0; k < np; k++) {
			const struct waiter *x = &w.v[path[k]];
			const struct gpm_goroutine *g = &inc->goroutines.v[x->g];
			char *ft = gpm_rule_frame_text(inc, g, x->caller);
			char key[48], hb[160], mb[160];
			snprintf(key, sizeof(key), "%s", GPM_GOROUTINE_NAME(g));
			const char *ht =
			    mutex_text(mutex_name(w.v, path, np, x->holds), x->holds, &hb);
			const char *mt = mutex_text(x->name, x->mutex, &mb);
			if (x->by_first)
				gpm_rule_evidence(c, f, key,
				                  "holds %s (inferred: past the first Lock of its "
				                  "function, where %" PRIu32
				                  " other goroutines wait for it), "
				                  "waits for %s in %s",
				                  ht, x->first_waiters, mt, ft ? ft : "?");
			else
				gpm_rule_evidence(c, f, key,
				                  "holds %s (inferred: its frames refer to it), "
				                  "waits for %s in %s",
				                  ht, mt, ft ? ft : "?");
			free(ft);
			gpm_rule_add_id(c, f, g->id);
			if (!f->address)
				f->address = x->mutex;
			if (f->group < 0 && c->group_of)
				f->group = c->group_of[x->g];
		}
		// Who piles up behind the cycle.
		uint64_t behind = 0;
		for (size_t j = 0; j < w.len; j++) {
			if (in_cycle[j])
				continue;
			for (size_t k = 0; k < np; k++)
				if (w.v[j].mutex == w.v[path[k]].mutex) {
					behind++;
					break;
				}
		}
		if (behind)
			gpm_rule_evidence(c, f, "blocked behind them",
			                  "%" PRIu64 " more goroutines wait for the same mutexes",
			                  behind);
	}
	free(next);
	// Contention: many waiters on one mutex (not already explained by a cycle). Waiters
	// sorted by mutex: each mutex is one run.
	uint32_t min = c->o->contention_min ? c->o->contention_min : 3;
	nk = 0;
	for (size_t i = 0; i < w.len; i++)
		if (w.v[i].mutex)
			kv[nk++] = (struct gpm_rule_keyed){w.v[i].mutex, (uint32_t)i};
	if (!gpm_rule_keyed_sort(kv, nk))
		qsort(kv, nk, sizeof(*kv), cmp_keyed);
	// The contended mutexes and their holder candidates, found in one pass below.
	size_t nh = 0;
	hs = calloc(nu ? nu : 1, sizeof(*hs));
	if (!hs) {
		c->oom = true;
		goto out;
	}
	for (size_t i = 0; i < nk;) {
		size_t j = i, cyc = 0;
		uint32_t minline = UINT32_MAX;
		for (; j < nk && kv[j].key == kv[i].key; j++) {
			cyc += in_cycle[kv[j].w];
			if (w.v[kv[j].w].func == w.v[kv[i].w].func && w.v[kv[j].w].line < minline)
				minline = w.v[kv[j].w].line;
		}
		if (j - i >= min && !cyc)
			hs[nh++] = (struct holders){
			    .mutex = kv[i].key, .cs = w.v[kv[i].w].func, .minline = minline};
		i = j;
	}
	if (nh) {
		// One pass: goroutines not waiting for a mutex that refer to a contended one
		// (likely holders when inside the function the waiters lock from, weak
		// otherwise), and goroutines past the Lock of that function, blocked elsewhere.
		uint64_t *hm = malloc(nh * sizeof(*hm));
		struct gpm_u64map by_cs = {0};
		// Per stack: its first frame in a function contended mutexes are locked from,
		// -1 none, -2 not looked up yet.
		int32_t *past_at =
		    malloc((inc->stacks.len ? inc->stacks.len : 1) * sizeof(*past_at));
		if (!hm || !past_at) {
			free(hm);
			free(past_at);
			c->oom = true;
			goto out;
		}
		for (size_t k = 0; k < inc->stacks.len; k++)
			past_at[k] = -2;
		for (size_t k = 0; k < nh; k++) {
			hm[k] = hs[k].mutex;
			uint32_t v;
			if (!gpm_u64map_get(&by_cs, (uint64_t)(uintptr_t)hs[k].cs, &v) &&
			    !gpm_u64map_put(&by_cs, (uint64_t)(uintptr_t)hs[k].cs, (uint32_t)k))
				c->oom = true;
		}
		for (size_t i = 0; i < inc->goroutines.len && !c->oom; i++) {
			const struct gpm_goroutine *h = &inc->goroutines.v[i];
			if (!gpm_rule_counted(h) || (h->flags & GPM_GOROUTINE_SYSTEM))
				continue;
			uint32_t hn;
			const struct gpm_frame *hfr = gpm_goroutine_frames(inc, h, &hn);
			if (stack_lock_frames(inc, h, memo).last >= 0)
				continue;
			const struct gpm_goroutine_extra *x = gpm_goroutine_extra(inc, h);
			struct holder_scan sc = {
			    hs,
			    nh,
			    hm,
			    inc,
			    h,
			    (uint32_t)i,
			    false,
			    x->wait_object_kind == GPM_WAIT_OBJECT_MUTEX ? x->wait_object : 0};
			if (x->held_object)
				holder_cb(&sc, x->held_object);
			gpm_rule_arg_each(c, h, 0, false, holder_cb, &sc);
			// Past the earliest Lock of a contended function and blocked elsewhere. The
			// first frame in such a function is the stack's: looked up once per stack.
			int32_t *at = h->stack < inc->stacks.len ? &past_at[h->stack] : NULL;
			int32_t k = at ? *at : -2;
			if (k == -2) {
				k = -1;
				for (uint32_t q = 0; q < hn && k < 0; q++)
					if (hfr[q].func &&
					    gpm_u64map_get(&by_cs, (uint64_t)(uintptr_t)hfr[q].func,
					                   &(uint32_t){0}))
						k = (int32_t)q;
				if (at)
					*at = k;
			}
			if (k >= 0) {
				uint32_t v = 0;
				gpm_u64map_get(&by_cs, (uint64_t)(uintptr_t)hfr[k].func, &v);
				struct holders *hh = &hs[v];
				if (hfr[k].line > hh->minline && hh->npast < 3 &&
				    h->status == GPM_G_WAITING)
					hh->past[hh->npast++] = (uint32_t)i;
			}
		}
		free(hm);
		free(past_at);
		gpm_u64map_free(&by_cs);
		// hs is in kv's order, by mutex, one entry each: sorted for the bsearch below.
	}
	// The contended mutexes' findings: graded first, rendered when a person reads them.
	GPM_VEC(struct contended) cs = {0};
	for (size_t i = 0; i < nk;) {
		size_t j = i;
		while (j < nk && kv[j].key == kv[i].key)
			j++;
		struct holders key = {.mutex = kv[i].key};
		struct holders *hh = nh ? bsearch(&key, hs, nh, sizeof(*hs), cmp_holders) : NULL;
		if (hh) {
			struct contended *r = gpm_vec_push(&cs);
			if (!r) {
				c->oom = true;
				break;
			}
			*r = (struct contended){
			    .mutex = kv[i].key, .count = j - i, .from = i, .to = j, .hh = hh};
			contention_grade(inc, w.v, kv, r);
		}
		i = j;
	}
	if (!c->oom)
		contention_findings(c, w.v, kv, cs.v, cs.len);
	gpm_vec_free(&cs);
	// Without addresses (arguments elided), group waiters by where they called Lock:
	// sorted by (function, line), one run each.
	if (!nu) {
		nk = 0;
		for (size_t i = 0; i < w.len; i++)
			if (w.v[i].func)
				kv[nk++] = (struct gpm_rule_keyed){
				    ((uint64_t)(uintptr_t)w.v[i].func * 31) ^ w.v[i].line,
				    (uint32_t)i};
		if (!gpm_rule_keyed_sort(kv, nk))
			qsort(kv, nk, sizeof(*kv), cmp_keyed);
		for (size_t i = 0; i < nk;) {
			size_t j = i;
			while (j < nk && kv[j].key == kv[i].key)
				j++;
			size_t from = i;
			uint64_t n = j - i;
			i = j;
			if (n < min)
				continue;
			struct gpm_finding *f = gpm_rule_finding_new_as(
			    c, GPM_RULE_CONTENTION, GPM_SEVERITY_MEDIUM, GPM_CONFIDENCE_HEURISTIC);
			if (!f)
				break;
			size_t w0 = kv[from].w;
			const struct gpm_goroutine *g0 = &inc->goroutines.v[w.v[w0].g];
			char *ft = gpm_rule_frame_text(inc, g0, w.v[w0].caller);
			gpm_rule_text(c, &f->title,
			              "lock contention: %" PRIu64 " goroutines wait in Lock at %s",
			              n, ft ? ft : "?");
			gpm_rule_text(
			    c, &f->explanation,
			    "Many goroutines wait in sync.(*Mutex).Lock called from the same "
			    "place. Heuristic: the dump does not show the mutex's address, so "
			    "they probably, not certainly, wait for the same mutex.");
			gpm_rule_text(c, &f->next,
			              "Find the goroutine inside the critical section of %s "
			              "and why it is slow.",
			              ft ? ft : "?");
			free(ft);
			for (size_t k = from; k < j; k++)
				gpm_rule_add_id(c, f, inc->goroutines.v[w.v[kv[k].w].g].id);
			f->count = n;
			if (c->group_of)
				f->group = c->group_of[w.v[w0].g];
		}
	}
out:
	free(memo);
	free(hs);
	free(kv);
	free(in_cycle);
	free(addrs);
	gpm_vec_free(&w);
}
