/*
 * Channel rules: goroutine leaks on channels nobody else can reach, undrained result
 * channels, and the large blocked groups ruled out as healthy.
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

/* ---- channels: leaks ---- */

static bool is_chan_state(const char *s)
{
	return s && (gpm_rule_starts(s, "chan send") || gpm_rule_starts(s, "chan receive") ||
	             gpm_rule_starts(s, "select"));
}

/* The channel g is blocked on: the core's object, else the printed argument. */
/* The frame of g's stack that is a channel operation (runtime.chansend1 ...), -1 none. The
 * same for every goroutine of a group (one stack, arguments aside): asked once a group. */
static int chan_frame(const struct gpm_incident *inc, const struct gpm_goroutine *g)
{
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	for (uint32_t i = 0; i < n && i < 6; i++) {
		const char *fn = f[i].func;
		if (fn && (!strcmp(fn, "runtime.chansend1") || !strcmp(fn, "runtime.chanrecv1") ||
		           !strcmp(fn, "runtime.chanrecv2") || !strcmp(fn, "runtime.chansend") ||
		           !strcmp(fn, "runtime.chanrecv")))
			return (int)i;
	}
	return -1;
}

/* The channel g waits on: a core's wait object, else the first argument of its channel
 * frame: ci, that of its group's representative rep (-1 none), when g has rep's stack;
 * 0 unknown. */
static uint64_t chan_at(struct gpm_rule_ctx *c, const struct gpm_goroutine *g,
                        const struct gpm_goroutine *rep, int ci)
{
	const struct gpm_incident *inc = c->inc;
	const struct gpm_goroutine_extra *x = gpm_goroutine_extra(inc, g);
	if (x->wait_object_kind == GPM_WAIT_OBJECT_CHAN ||
	    x->wait_object_kind == GPM_WAIT_OBJECT_SELECT)
		return x->wait_object;
	// One stack (frames shared): the same frame; another (a group that ignores lines and
	// compares names normalised): look again.
	if (g != rep && gpm_goroutine_frames(inc, g, &(uint32_t){0}) !=
	                    gpm_goroutine_frames(inc, rep, &(uint32_t){0}))
		ci = chan_frame(inc, g);
	uint64_t v;
	if (ci >= 0 && gpm_rule_arg_first(c, g, (uint32_t)ci, &v))
		return v;
	return 0;
}

/*
 * The goroutine that started a group of senders and now waits for them in
 * sync.(*WaitGroup).Wait, inside the function named in their "created by" (the classic
 * worker pool that waits for its workers before draining their results). *frame gets the
 * waiter's frame in that function. NULL when there is none.
 */
static const struct gpm_goroutine *wait_group_waiter(const struct gpm_incident *inc,
                                                     const struct gpm_goroutine *rep, int *frame,
                                                     uint64_t *wg)
{
	char abuf[1024];
	if (rep->created_by == UINT32_MAX || rep->created_by >= inc->frames.len)
		return NULL;
	const char *creator = inc->frames.v[rep->created_by].func;
	if (!creator)
		return NULL;
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		if (!gpm_rule_counted(g) || g->status != GPM_G_WAITING)
			continue;
		uint32_t n;
		const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
		int w = -1;
		for (uint32_t k = 0; k < n && k < 16; k++) {
			if (w < 0 && f[k].func && !strcmp(f[k].func, "sync.(*WaitGroup).Wait")) {
				w = (int)k;
				continue;
			}
			if (w >= 0 && !(f[k].flags & GPM_FRAME_ELIDED) && f[k].func &&
			    (f[k].func == creator || !strcmp(f[k].func, creator))) {
				*frame = (int)k;
				*wg = 0;
				// The WaitGroup from Wait's printed receiver (text); a core knows
				// the semaphore inside it instead (wait_object, kind SEMA).
				gpm_rule_first_arg(gpm_rule_frame_args(inc, g, (uint32_t)w, &abuf),
				                   wg);
				return g;
			}
		}
	}
	return NULL;
}

/*
 * Per-connection goroutines: a server or client runs a few goroutines for each live
 * connection (a reader blocked in netpoll, a writer and a keepalive loop blocked on
 * channels). They are healthy as long as the connection is open, whatever their number.
 */
static bool is_per_connection_func(const char *fn)
{
	static const char *const known[] = {
	    "(*http2Server).keepalive",    "(*controlBuffer).get", "(*http2Client).reader",
	    "(*http2Client).keepalive",    "(*loopyWriter).run",   "(*persistConn).readLoop",
	    "(*persistConn).writeLoop",    "(*conn).serve",        "(*http2serverConn).serve",
	    "(*http2ClientConn).readLoop", "(*serverConn).serve",  "(*ClientConn).readLoop",
	};
	if (!fn)
		return false;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		const char *x = strstr(fn, known[i]);
		if (x && x[strlen(known[i])] == 0)
			return true;
	}
	return false;
}

/* Blocked reading from the network poller: a live connection's reader. */
static bool is_netpoll_reader(const struct gpm_incident *inc, const struct gpm_goroutine *g)
{
	const char *st = gpm_rule_state_of(g);
	if (!st || strncmp(st, "IO wait", 7))
		return false;
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	bool poll = false;
	for (uint32_t i = 0; i < n && i < 24; i++) {
		// A listener waiting for connections is not one.
		if (f[i].func && strstr(f[i].func, "Accept"))
			return false;
		poll |= f[i].func && (gpm_rule_starts(f[i].func, "internal/poll.") ||
		                      gpm_rule_starts(f[i].func, "net."));
	}
	return poll;
}

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 1099511628211ULL;
	return h ? h : 1;
}

/* The "family" of a function for telling a connection's goroutines apart from others: its
 * package, and in the main module its receiver type or function too ("main.(*conn)"). */
static uint64_t family_key(const char *fn)
{
	enum gpm_frame_class cl = gpm_rule_frame_class(fn);
	if (cl == GPM_FRAME_CLASS_RUNTIME || gpm_rule_is_plumbing(fn))
		return 0;
	size_t n = gpm_frame_package_len(fn);
	if (!n)
		return 0;
	if (cl == GPM_FRAME_CLASS_MAIN) {
		size_t k = n + 1 + strcspn(fn + n + 1, ".");
		n = k;
	}
	return hash_bytes(fn, n);
}

/* Calls cb with the family keys of g's frames (not its creator: main.main starts
 * everything). */
static void each_family(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                        bool (*cb)(void *, uint64_t), void *arg)
{
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	for (uint32_t i = 0; i < n && i < 32; i++) {
		uint64_t k = family_key(f[i].func);
		if (k && !cb(arg, k))
			return;
	}
}

static bool family_put(void *arg, uint64_t k)
{
	struct gpm_u64map *m = arg;
	uint32_t v;
	return gpm_u64map_get(m, k, &v) || gpm_u64map_put(m, k, 1);
}

struct family_probe {
	const struct gpm_u64map *m;
	bool hit;
};

static bool family_has(void *arg, uint64_t k)
{
	struct family_probe *p = arg;
	uint32_t v;
	p->hit = gpm_u64map_get(p->m, k, &v);
	return !p->hit;
}

/*
 * Who names which value in its printed arguments, built once per analysis on first use:
 * value -> the first goroutine naming it and the first one of another group than that
 * one. Enough to find, for any group, the first goroutine outside it naming a value.
 */
struct ref_pair {
	uint32_t first, other; /* goroutine indices; UINT32_MAX none */
};

struct arg_refs {
	bool built;
	struct gpm_u64map slot; /* value -> index into pairs */
	GPM_VEC(struct ref_pair) pairs;
	struct gpm_rule_ctx *c;
	uint32_t gi;     /* the goroutine being read */
	uint64_t lo, hi; /* the least and greatest key: most words fall outside, unhashed */
};

static int32_t group_of_index(const struct gpm_rule_ctx *c, uint32_t i)
{
	return c->group_of ? c->group_of[i] : -1;
}

static void arg_ref_cb(void *arg, uint64_t v)
{
	struct arg_refs *r = arg;
	uint32_t k;
	if (v < r->lo || v > r->hi || !gpm_u64map_get(&r->slot, v, &k))
		return; // not a channel anyone waits on: never asked about
	struct ref_pair *p = &r->pairs.v[k];
	if (p->first == UINT32_MAX)
		p->first = r->gi;
	else if (p->other == UINT32_MAX && p->first != r->gi &&
	         group_of_index(r->c, p->first) != group_of_index(r->c, r->gi))
		p->other = r->gi;
}

/*
 * Only the channels of goroutines in channel-blocked groups are ever asked about
 * (chans_referenced gets chan_of of such a group's members): they are the keys, made
 * first, and the pass over every printed argument only looks values up. A table of every
 * value printed was most of rule_leaks' time on a million goroutines (and 64 MB).
 */
static bool arg_refs_keys(struct gpm_rule_ctx *c, struct arg_refs *r)
{
	const struct gpm_incident *inc = c->inc;
	const struct gpm_grouping *gr = &c->a->grouping;
	for (size_t gi = 0; gi < gr->ngroups; gi++) {
		const struct gpm_group *grp = &gr->groups[gi];
		if (!is_chan_state(grp->state))
			continue;
		const struct gpm_goroutine *rep = &inc->goroutines.v[grp->representative];
		int ci = chan_frame(inc, rep);
		for (uint32_t k = 0; k < grp->count; k++) {
			uint64_t ch = chan_at(
			    c, &inc->goroutines.v[gr->members[grp->first_member + k]], rep, ci);
			uint32_t old;
			if (!ch || gpm_u64map_get(&r->slot, ch, &old))
				continue;
			if (!r->slot.len || ch < r->lo)
				r->lo = ch;
			if (!r->slot.len || ch > r->hi)
				r->hi = ch;
			struct ref_pair *p = gpm_vec_push(&r->pairs);
			if (!p || r->pairs.len > UINT32_MAX ||
			    !gpm_u64map_put(&r->slot, ch, (uint32_t)(r->pairs.len - 1)))
				return false;
			*p = (struct ref_pair){UINT32_MAX, UINT32_MAX};
		}
	}
	return true;
}

/* One pass over every goroutine's printed arguments. */
static bool arg_refs_build(struct gpm_rule_ctx *c, struct arg_refs *r)
{
	const struct gpm_incident *inc = c->inc;
	r->built = true;
	r->c = c;
	if (!arg_refs_keys(c, r)) {
		c->oom = true;
		return false;
	}
	if (!r->slot.len)
		return true;
	// Whether each distinct stack has a frame outside the runtime: 0 not asked yet, 1 it
	// has, 2 it has none (asked of every goroutine when there is no memory for it).
	uint8_t *user = calloc(inc->stacks.len ? inc->stacks.len : 1, 1);
	for (size_t i = 0; i < inc->goroutines.len && i < UINT32_MAX && !c->oom; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		if (!gpm_rule_counted(g))
			continue;
		// The runtime's own goroutines (GC workers, the sweeper) are no channel's other
		// side: a word of theirs equal to a channel's address is a reused heap address.
		uint8_t *u = user && g->stack < inc->stacks.len ? &user[g->stack] : NULL;
		if (u && !*u)
			*u = gpm_rule_user_frame(inc, g, true) >= 0 ? 1 : 2;
		if (u ? *u == 2 : gpm_rule_user_frame(inc, g, true) < 0)
			continue;
		r->gi = (uint32_t)i;
		gpm_rule_arg_each(c, g, 0, true, arg_ref_cb, r);
	}
	free(user);
	return !c->oom;
}

static void arg_refs_free(struct arg_refs *r)
{
	gpm_u64map_free(&r->slot);
	gpm_vec_free(&r->pairs);
}

/*
 * A goroutine outside group gi whose printed arguments name one of its channels (the other
 * side still holds it), or 0: the first such goroutine in the dump's order.
 */
static uint64_t chans_referenced(struct gpm_rule_ctx *c, struct arg_refs *r, size_t gi,
                                 const uint64_t *chans, size_t nc)
{
	if (!r->built && !arg_refs_build(c, r))
		return 0;
	uint32_t best = UINT32_MAX;
	for (size_t k = 0; k < nc; k++) {
		uint32_t s;
		if (!gpm_u64map_get(&r->slot, chans[k], &s))
			continue;
		const struct ref_pair *p = &r->pairs.v[s];
		if (p->first == UINT32_MAX)
			continue;
		uint32_t who = group_of_index(c, p->first) != (int32_t)gi ? p->first : p->other;
		if (who < best)
			best = who;
	}
	return best == UINT32_MAX ? 0 : c->inc->goroutines.v[best].id;
}

/* What rule_leaks ruled out, for one INFO finding that says what was checked (an index:
 * findings added later may move the array). */
struct ruled_out {
	size_t index; /* into c->a->findings; SIZE_MAX none yet */
	uint64_t goroutines;
};

static void rule_out(struct gpm_rule_ctx *c, struct ruled_out *r, const struct gpm_group *grp,
                     const char *fn, const char *why)
{
	if (r->index == SIZE_MAX) {
		if (!gpm_rule_finding_new(c, GPM_RULE_LEAK_RULED_OUT))
			return;
		r->index = c->a->findings.len - 1;
	}
	r->goroutines += grp->count;
	char key[32];
	snprintf(key, sizeof(key), "%u goroutines", grp->count);
	gpm_rule_evidence(c, &c->a->findings.v[r->index], key, "[%s] in %s: %s", grp->state,
	                  fn ? fn : "?", why);
}

void gpm_rule_leaks(struct gpm_rule_ctx *c)
{
	const struct gpm_incident *inc = c->inc;
	const struct gpm_grouping *gr = &c->a->grouping;
	uint32_t min = c->o->leak_min ? c->o->leak_min : 10;
	uint64_t *chans = NULL;
	struct arg_refs refs = {0};
	// The families of live connections: the packages (types in the main module) of
	// goroutines blocked reading from the network poller. One pass over the groups.
	struct gpm_u64map live = {0};
	uint64_t readers = 0;
	for (size_t gi = 0; gi < gr->ngroups; gi++) {
		const struct gpm_goroutine *rep = &inc->goroutines.v[gr->groups[gi].representative];
		if (gpm_rule_counted(rep) && is_netpoll_reader(inc, rep)) {
			readers += gr->groups[gi].count;
			each_family(inc, rep, family_put, &live);
		}
	}
	// Whether some goroutine of the snapshot printed minutes of waiting: the process has
	// run (and collected) long enough for a wait of a minute to show.
	bool minutes_shown = false;
	for (size_t gi = 0; gi < gr->ngroups && !minutes_shown; gi++)
		minutes_shown = gr->groups[gi].max_minutes >= 1;
	struct ruled_out ro = {SIZE_MAX, 0};
	for (size_t gi = 0; gi < gr->ngroups; gi++) {
		const struct gpm_group *grp = &gr->groups[gi];
		const struct gpm_goroutine *rep = &inc->goroutines.v[grp->representative];
		// Leaks the runtime proved are leak.detected's (rule_leaked.c).
		if (grp->count < min || !is_chan_state(grp->state) ||
		    (rep->flags & GPM_GOROUTINE_SYSTEM) || !gpm_rule_counted(rep) ||
		    rep->status == GPM_G_LEAKED)
			continue;
		bool nil = strstr(grp->state, "nil chan") || strstr(grp->state, "no cases");
		if (!nil) {
			// Healthy shapes first: per-connection goroutines of live connections.
			uint32_t rn;
			const struct gpm_frame *rf = gpm_goroutine_frames(inc, rep, &rn);
			const char *conn = NULL;
			for (uint32_t k = 0; k < rn && k < 32 && !conn; k++)
				if (is_per_connection_func(rf[k].func))
					conn = rf[k].func;
			struct family_probe probe = {&live, false};
			if (!conn && live.len)
				each_family(inc, rep, family_has, &probe);
			if (conn || probe.hit) {
				int uf = gpm_rule_user_frame(inc, rep, false);
				char *fn = gpm_rule_func_text(inc, rep, uf);
				char *cs = conn ? gpm_rule_safe(conn) : NULL;
				char why[256];
				if (conn)
					snprintf(
					    why, sizeof(why),
					    "per-connection goroutines (%s) of live connections",
					    cs);
				else
					snprintf(why, sizeof(why),
					         "per-connection goroutines: %" PRIu64
					         " goroutines of the "
					         "same family read from open connections (IO wait)",
					         readers);
				rule_out(c, &ro, grp, fn, why);
				free(fn);
				free(cs);
				continue;
			}
		}
		enum gpm_severity sev = grp->count >= 100 ? GPM_SEVERITY_HIGH : GPM_SEVERITY_MEDIUM;
		struct gpm_finding *f =
		    gpm_rule_finding_new_as(c, nil ? GPM_RULE_LEAK_NIL_CHAN : GPM_RULE_LEAK_CHAN,
		                            sev, GPM_CONFIDENCE_LIKELY);
		if (!f)
			break;
		f->group = (int32_t)gi;
		int uf = gpm_rule_user_frame(inc, rep, false);
		char *where = gpm_rule_frame_text(inc, rep, uf);
		char *fn = gpm_rule_func_text(inc, rep, uf);
		// One shared channel or many: count distinct channels among members.
		free(chans);
		chans = malloc(grp->count * sizeof(*chans));
		if (!chans) {
			c->oom = true;
			free(where);
			free(fn);
			break;
		}
		size_t nc = 0;
		int ci = chan_frame(inc, rep);
		for (uint32_t k = 0; k < grp->count; k++) {
			const struct gpm_goroutine *g =
			    &inc->goroutines.v[gr->members[grp->first_member + k]];
			uint64_t ch = chan_at(c, g, rep, ci);
			if (ch)
				chans[nc++] = ch;
			gpm_rule_add_id(c, f, g->id);
		}
		f->count = grp->count;
		qsort(chans, nc, sizeof(*chans), gpm_rule_cmp_u64);
		size_t distinct = 0, top = 0, run = 0;
		uint64_t topch = 0;
		for (size_t k = 0; k < nc; k++) {
			if (!k || chans[k] != chans[k - 1]) {
				distinct++;
				run = 0;
			}
			if (++run > top) {
				top = run;
				topch = chans[k];
			}
		}
		const struct gpm_goroutine *waiter = NULL;
		int wframe = -1;
		uint64_t wg = 0;
		const char *op = gpm_rule_starts(grp->state, "chan send")      ? "sending on"
		                 : gpm_rule_starts(grp->state, "chan receive") ? "receiving from"
		                                                               : "in select on";
		// Receivers idle on one shared channel: a worker pool waiting for work. And
		// without channel evidence, goroutines that waited less than a minute (the
		// runtime prints minutes from one on) are periodic or recently idle work.
		const char *healthy = NULL;
		char hbuf[160];
		bool recv = gpm_rule_starts(grp->state, "chan receive");
		bool sel = gpm_rule_starts(grp->state, "select");
		const struct gpm_goroutine_extra *tx =
		    sel && !nil ? gpm_rule_select_cases(c, gi) : NULL;
		bool timed = false;
		for (uint32_t k = 0; tx && k < tx->ncases && !timed; k++)
			timed = inc->select_cases.v[tx->first_case + k].timer;
		if (timed) {
			// The core shows a case on the channel of a pending timer (a ticker,
			// time.After): the select wakes by itself. A core has no clock to say the
			// wait was short, which is how text rules such loops out.
			healthy =
			    "a case of their select is the channel of a pending timer (a "
			    "ticker or time.After): they wake by themselves, periodic loops or "
			    "waits with a deadline, not evidence of a leak";
		} else if (!nil && recv && nc && distinct == 1) {
			snprintf(hbuf, sizeof(hbuf),
			         "an idle pool: all receive from one channel %#" PRIx64
			         " (a leak only if nothing will ever send on or close it)",
			         topch);
			healthy = hbuf;
		} else if (!nil && (recv || sel) && !(nc && distinct * 10 >= nc * 9 && !sel) &&
		           grp->max_minutes < 1 && inc->kind != GPM_INPUT_CORE) {
			healthy = "none waited a minute or more: periodic loops or recently idle "
			          "workers, not evidence of a leak";
		} else if (!nil && recv && grp->max_minutes < 1 && minutes_shown &&
		           inc->kind != GPM_INPUT_CORE) {
			// Each on its own channel, yet none waited the minute other goroutines of
			// this snapshot did: they woke within the last minute (a ticker per
			// worker).
			healthy =
			    "each receives on its own channel and none waited a minute while "
			    "others of this snapshot did: periodic wake-ups (a ticker or timer "
			    "per goroutine), not evidence of a leak";
		}
		if (healthy) {
			gpm_rule_finding_drop(c);
			f = NULL;
			rule_out(c, &ro, grp, fn, healthy);
			free(where);
			free(fn);
			continue;
		}
		uint64_t referenced = 0;
		if (nil) {
			gpm_rule_text(c, &f->title, "%u goroutines blocked forever (%s) in %s",
			              grp->count, grp->state, fn ? fn : "?");
			gpm_rule_text(
			    c, &f->explanation,
			    "Operations on a nil channel, and a select with no cases, block "
			    "forever: these goroutines can never continue.");
		} else if (nc && distinct == 1 && grp->count > 1 &&
		           gpm_rule_starts(grp->state, "chan send") &&
		           (waiter = wait_group_waiter(inc, rep, &wframe, &wg))) {
			// A worker pool: the senders' creator waits for them before it drains
			// their results, and they cannot finish before someone does.
			gpm_rule_set_rule(f, GPM_RULE_DEADLOCK_UNDRAINED);
			f->severity = GPM_SEVERITY_CRITICAL;
			char *wt = gpm_rule_frame_text(inc, waiter, wframe);
			char *ct = gpm_rule_creator_text(inc, rep);
			gpm_rule_text(
			    c, &f->title,
			    "deadlock: %u workers blocked sending on result channel %#" PRIx64
			    " that nobody drains; %s waits for them in sync.WaitGroup.Wait",
			    grp->count, topch, GPM_GOROUTINE_NAME(waiter));
			gpm_rule_text(
			    c, &f->explanation,
			    "The goroutine that started these workers waits for all of them to "
			    "finish (WaitGroup.Wait) before it reads their results, but each "
			    "worker "
			    "is blocked handing its result over on an unbuffered (or full) channel "
			    "that only that goroutine would read: neither side can move. The "
			    "runtime cannot see this while other goroutines run.");
			gpm_rule_text(
			    c, &f->next,
			    "In %s: receive the results while the workers run (close the "
			    "channel from a goroutine that does wg.Wait()), or give the channel "
			    "room for every result.",
			    wt ? wt : "?");
			f->address = topch;
			gpm_rule_evidence(c, f, "result channel",
			                  "%#" PRIx64 " shared by %u senders in %s", topch,
			                  grp->count, where ? where : "?");
			if (ct)
				gpm_rule_evidence(c, f, "workers created", "by %s", ct);
			gpm_rule_evidence(c, f, "waiter", "%s [%s] in %s",
			                  GPM_GOROUTINE_NAME(waiter), gpm_rule_state_of(waiter),
			                  wt ? wt : "?");
			if (wg)
				gpm_rule_evidence(c, f, "WaitGroup", "%#" PRIx64, wg);
			else if (gpm_goroutine_extra(inc, waiter)->wait_object_kind ==
			         GPM_WAIT_OBJECT_SEMA)
				gpm_rule_evidence(c, f, "WaitGroup", "its semaphore at %#" PRIx64,
				                  gpm_goroutine_extra(inc, waiter)->wait_object);
			gpm_rule_add_id(c, f, waiter->id);
			free(wt);
			free(ct);
		} else if (nc && distinct == 1 && grp->count > 1) {
			gpm_rule_text(c, &f->title,
			              "%u goroutines blocked %s one channel %#" PRIx64 " in %s",
			              grp->count, op, topch, fn ? fn : "?");
			gpm_rule_text(
			    c, &f->explanation,
			    "They all wait on the same channel, so the goroutine that should %s it "
			    "has stopped or is stuck (e.g. workers sending results to a channel "
			    "nobody drains any more, or a consumer that returned early).",
			    gpm_rule_starts(grp->state, "chan send") ? "receive from"
			                                             : "send on or close");
			f->address = topch;
		} else if (nc && distinct * 10 >= nc * 9 && (!sel || grp->min_minutes >= 1) &&
		           !(referenced = chans_referenced(c, &refs, gi, chans, nc))) {
			gpm_rule_text(
			    c, &f->title,
			    "goroutine leak: %u goroutines blocked %s abandoned channels in %s",
			    grp->count, op, fn ? fn : "?");
			gpm_rule_text(
			    c, &f->explanation,
			    "Each goroutine waits on a channel of its own (%zu distinct channels) "
			    "that nobody will use again: typically a request that timed out and "
			    "stopped listening, leaving its helper goroutine blocked for good. "
			    "They are never collected.",
			    distinct);
		} else {
			gpm_rule_text(c, &f->title,
			              "goroutine leak? %u goroutines blocked %s channels in %s",
			              grp->count, op, fn ? fn : "?");
			gpm_rule_text(
			    c, &f->explanation,
			    "A large group of goroutines waits on channel operations at the same "
			    "place. If the number grows over time, they leak. Heuristic: a big "
			    "group of blocked goroutines is not by itself a bug (worker pools "
			    "idle this way).");
			f->confidence = GPM_CONFIDENCE_HEURISTIC;
			// No evidence that the other side is gone: a hint, not a claim — unless
			// many have waited long (the runtime's minutes), which growth leaves.
			if (grp->count >= 100 && grp->min_minutes >= 10 && !referenced) {
				f->severity = GPM_SEVERITY_MEDIUM;
				gpm_rule_evidence(c, f, "checked",
				                  "every one waited %" PRId64
				                  "+ minutes; no goroutine of the same "
				                  "family reads from a live connection",
				                  grp->min_minutes);
			} else {
				f->severity = GPM_SEVERITY_LOW;
			}
			if (referenced)
				gpm_rule_evidence(c, f, "other side",
				                  "goroutine %" PRIu64
				                  " refers to one of these channels",
				                  referenced);
		}
		if (f->kind == GPM_RULE_LEAK_CHAN && f->confidence == GPM_CONFIDENCE_LIKELY && nc &&
		    distinct > 1)
			gpm_rule_evidence(
			    c, f, "checked",
			    "no other goroutine refers to these channels; no goroutine of the "
			    "same family reads from a live connection%s",
			    sel ? "; each waited a minute or more" : "");
		if (!waiter)
			gpm_rule_text(
			    c, &f->next,
			    "Look at %s and at who should be on the other side of the channel; "
			    "make "
			    "the send/receive select on a context or done channel, or buffer the "
			    "channel so the sender can finish.",
			    where ? where : "?");
		gpm_rule_evidence(c, f, "goroutines", "%u (ids %" PRIu64 "..%" PRIu64 ")",
		                  grp->count, grp->min_id, grp->max_id);
		gpm_rule_evidence(c, f, "blocked in", "%s", where ? where : "?");
		const struct gpm_goroutine_extra *sx = sel ? gpm_rule_select_cases(c, gi) : NULL;
		if (sx) {
			// What the select waits on, as the core showed one of them.
			char *cases = gpm_rule_cases_text(inc, sx);
			gpm_rule_evidence(c, f, "select cases", "%s", cases ? cases : "?");
			free(cases);
		}
		// A core holds no clock: its minutes count to the newest time in it (lower bounds).
		if (grp->max_minutes >= 0)
			gpm_rule_evidence(c, f, "waiting", "%" PRId64 "-%" PRId64 " minutes%s",
			                  grp->min_minutes, grp->max_minutes,
			                  inc->kind == GPM_INPUT_CORE
			                      ? " or more (a core holds no clock: counted to the "
			                        "newest time in it)"
			                      : "");
		for (uint32_t k = 0; k < grp->ncreators && k < 4; k++) {
			char *s = gpm_rule_safe(grp->creators[k]);
			gpm_rule_evidence(c, f, "created by", "%s", s ? s : "?");
			free(s);
		}
		if (nc)
			gpm_rule_evidence(c, f, "channels", "%zu distinct among %zu known%s",
			                  distinct, nc, top > 1 ? "" : " (one goroutine each)");
		if (nc && top > 1)
			gpm_rule_evidence(c, f, "busiest channel", "%#" PRIx64 " with %zu waiters",
			                  topch, top);
		free(where);
		free(fn);
	}
	free(chans);
	gpm_u64map_free(&live);
	arg_refs_free(&refs);
	if (ro.index != SIZE_MAX) {
		struct gpm_finding *rf = &c->a->findings.v[ro.index];
		gpm_rule_text(c, &rf->title,
		              "%" PRIu64
		              " goroutines blocked on channels look healthy (not a leak)",
		              ro.goroutines);
		gpm_rule_text(
		    c, &rf->explanation,
		    "Large groups blocked on channels are not leaks by themselves: a leak needs "
		    "evidence that the other side is gone. These are per-connection goroutines "
		    "of live connections (a reader of the same family blocked in the network "
		    "poller), idle pools on one shared channel, or loops that woke within the "
		    "last minute.");
		gpm_rule_text(
		    c, &rf->next,
		    "Compare with a snapshot taken later: a group that keeps growing while its "
		    "connections or work do not is a leak after all.");
		rf->count = ro.goroutines;
	}
}
