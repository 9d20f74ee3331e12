/*
 * timers.accumulation: timers that pile up. The runtime starts one goroutine per fired
 * time.AfterFunc timer ("created by time.goFunc"); a callback that cannot finish (it sends
 * to a channel nobody reads any more, takes a lock that is held) stays blocked, and one per
 * scheduled timer accumulates: many blocked callback goroutines at one site are that shape.
 * A group the leak rule already named (leak.chan) becomes this finding, its channel
 * evidence kept: the cause is the timers, the channel is where they stop.
 *
 * Runtime timers that never become goroutines (time.After or time.NewTicker created in a
 * loop and never stopped) live in the Ps' timer heaps of a core (src/goroutines/corefacts.c
 * counts them by callback): many pending timers with one callback are that shape too. The
 * network poller's deadline timers (one per connection with a deadline) are not counted.
 * From Go 1.23 a channel timer is in a heap only while a goroutine waits on its channel
 * (the rest are collected as garbage once unreferenced), so there it counts AfterFunc
 * timers and waited-on channel timers. Works over goroutine groups and the core's counts:
 * linear in goroutines and timers. *
 * What piles up is told from what churns by when the timers are due. A one-shot timer
 * started per request and never stopped stays pending only until it fires: with a short
 * delay (rclone 1.60 starts a one-minute time.AfterFunc per finished transfer; 53,000
 * pending under 900 transfers a second), all of them fire within that delay of the
 * snapshot, the count is the rate times the delay and it drains as soon as the load stops.
 * A pile is due far ahead (a timer of an hour per iteration, the corerules fixtures) or a
 * ticker, which never fires out. So a callback whose timers are all due within
 * SHORT_AHEAD of the core's newest recorded time (a lower bound of the snapshot's instant,
 * so "due within" is an upper bound) is said LOW, with the rate it implies; tickers and
 * timers of unknown or later due times keep MEDIUM.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/rules.h"

enum { TIMER_MIN = 10 };                 /* blocked callbacks at one site called an accumulation */
enum { PENDING_MIN = 5000 };             /* pending runtime timers of one callback called one */
#define SHORT_AHEAD (120 * 1000000000LL) /* ns: one-shot timers all due within it churn */

/* Whether the group's goroutines are blocked timer callbacks (time.AfterFunc). */
static bool blocked_callback(const struct gpm_incident *inc, const struct gpm_group *grp)
{
	const struct gpm_goroutine *g = &inc->goroutines.v[grp->representative];
	if (g->status != GPM_G_WAITING || g->created_by == UINT32_MAX || !gpm_rule_counted(g))
		return false;
	const char *cr = inc->frames.v[g->created_by].func;
	return cr && !strcmp(cr, "time.goFunc");
}

/* The leak finding already raised on group gi, or NULL. */
static struct gpm_finding *leak_of_group(struct gpm_rule_ctx *c, size_t gi)
{
	for (size_t i = 0; i < c->a->findings.len; i++) {
		struct gpm_finding *f = &c->a->findings.v[i];
		if (f->group == (int32_t)gi && f->kind == GPM_RULE_LEAK_CHAN)
			return f;
	}
	return NULL;
}

/* Whether a timer callback is the runtime's own (the network poller's deadlines, the
 * scheduler's), not the program's timers. */
static bool runtime_timer(const char *fn)
{
	return gpm_rule_starts(fn, "runtime.") || gpm_rule_starts(fn, "internal/poll.");
}

/* Many pending runtime timers with one callback (a core's timer heaps). */
static void pending_timers(struct gpm_rule_ctx *c)
{
	const struct gpm_incident *inc = c->inc;
	for (size_t i = 0; inc->timers_known && i < inc->timers.len && !c->oom; i++) {
		const struct gpm_timer_count *t = &inc->timers.v[i];
		// The rest of the callbacks past the kept ones are not one callback.
		if (t->count < PENDING_MIN || t->rest || runtime_timer(t->func))
			continue;
		// How far ahead of the snapshot the latest is due (an upper bound: core_now is
		// a lower bound of the snapshot's instant); -1 unknown.
		// (All from the dump: a core_now past int64 or a soonest after the latest is
		// no time at all.)
		int64_t ahead = -1;
		if (inc->core_now && inc->core_now <= INT64_MAX && t->when_min > 0 &&
		    t->when_max >= t->when_min)
			ahead = t->when_max > (int64_t)inc->core_now
			            ? t->when_max - (int64_t)inc->core_now
			            : 0;
		// whole seconds, rounded up
		int64_t ahead_s = ahead / 1000000000 + (ahead % 1000000000 > 0);
		bool churn = !t->period && ahead >= 0 && ahead <= SHORT_AHEAD;
		// Started over this spread of time (one-shot timers of one delay): the rate.
		int64_t spread = ahead >= 0 ? t->when_max - t->when_min : 0;
		if (spread < 1000000000)
			spread = 1000000000;
		struct gpm_finding *f = gpm_rule_finding_new(c, GPM_RULE_TIMERS_ACCUMULATION);
		if (!f)
			return;
		if (churn)
			f->severity = GPM_SEVERITY_LOW;
		char *fn = gpm_rule_safe(t->func);
		bool chan = !strcmp(t->func, "time.sendTime");
		const char *what =
		    chan ? (t->period ? "time.NewTicker" : "time.After or time.NewTimer")
		    : fn ? fn
		         : "?";
		f->count = 0;
		gpm_rule_text(c, &f->title, "%" PRIu64 " pending runtime timers of %s", t->count,
		              what);
		if (churn)
			gpm_rule_text(c, &f->explanation,
			              "The runtime's timer heaps hold %" PRIu64
			              " timers that will call %s, all due within %" PRId64
			              " s of the snapshot: short one-shot timers started per event "
			              "and not stopped, about %" PRIu64
			              " a second. They fire and go by themselves: a churn "
			              "that costs their memory while the load lasts, not a pile "
			              "that grows.",
			              t->count, fn ? fn : "?", ahead_s,
			              t->count * UINT64_C(1000000000) / (uint64_t)spread);
		else
			gpm_rule_text(
			    c, &f->explanation,
			    "The runtime's timer heaps hold %" PRIu64 " timers that will call %s: "
			    "a timer %s in a loop (per request, per message) and never "
			    "stopped piles up, with the memory it holds, until it fires%s.",
			    t->count, fn ? fn : "?", chan ? "or ticker created" : "scheduled",
			    t->period ? " (a ticker never does: it fires until stopped)" : "");
		gpm_rule_text(
		    c, &f->next,
		    "Find where %s is called in a loop: stop the timer when it is no longer "
		    "needed (defer t.Stop()), or reuse one timer (Reset) instead of "
		    "creating one per iteration.",
		    what);
		gpm_rule_evidence(c, f, "timers",
		                  "%" PRIu64 " of the %" PRIu64 " pending timers in the Ps' heaps "
		                  "call %s",
		                  t->count, inc->timers_total, fn ? fn : "?");
		if (t->period)
			gpm_rule_evidence(c, f, "period", "%" PRIu64 " ms (a ticker)",
			                  t->period / 1000000);
		if (ahead >= 0)
			gpm_rule_evidence(
			    c, f, "due",
			    "the latest within %" PRId64 " s of the core's newest recorded time, "
			    "%" PRId64 " s after the soonest%s",
			    ahead_s, spread / 1000000000,
			    churn
			        ? ""
			        : " (one-shot timers due more than 2 minutes ahead, or a ticker)");
		gpm_rule_evidence(
		    c, f, "checked",
		    "every P's timer heap in the core (runtime.allp: %s), timers "
		    "counted by callback; the network poller's deadline timers are not "
		    "counted",
		    inc->sched.allp_how ? inc->sched.allp_how : "?");
		free(fn);
	}
}

void gpm_rule_timers(struct gpm_rule_ctx *c)
{
	const struct gpm_incident *inc = c->inc;
	const struct gpm_grouping *gr = &c->a->grouping;
	uint32_t min = c->o->leak_min ? c->o->leak_min : TIMER_MIN;
	for (size_t gi = 0; gi < gr->ngroups && !c->oom; gi++) {
		const struct gpm_group *grp = &gr->groups[gi];
		if (grp->count < min || !blocked_callback(inc, grp))
			continue;
		const struct gpm_goroutine *rep = &inc->goroutines.v[grp->representative];
		struct gpm_finding *f = leak_of_group(c, gi);
		bool was_leak = f != NULL;
		if (f) {
			// The same goroutines, named by their cause; a leak's severity stays.
			enum gpm_severity sev = f->severity;
			gpm_rule_set_rule(f, GPM_RULE_TIMERS_ACCUMULATION);
			if (sev > f->severity)
				f->severity = sev;
		} else {
			if (!(f = gpm_rule_finding_new(c, GPM_RULE_TIMERS_ACCUMULATION)))
				return;
			f->group = (int32_t)gi;
			for (uint32_t k = 0; k < grp->count; k++)
				gpm_rule_add_id(
				    c, f, inc->goroutines.v[gr->members[grp->first_member + k]].id);
		}
		int uf = gpm_rule_first_frame(inc, rep, gpm_rule_is_plumbing);
		char *where = gpm_rule_frame_text(inc, rep, uf);
		const char *state = gpm_rule_state_of(rep);
		gpm_rule_text(c, &f->title, "%u time.AfterFunc callbacks blocked [%s] in %s",
		              grp->count, state, where ? where : "?");
		gpm_rule_text(c, &f->explanation,
		              "The runtime starts a goroutine for every time.AfterFunc timer that "
		              "fires; these callbacks cannot finish, so each timer the program "
		              "schedules leaves one more goroutine behind. They accumulate as long "
		              "as timers are scheduled.");
		gpm_rule_text(
		    c, &f->next,
		    "Make the callback at %s unable to block (a select with a default or "
		    "a done channel, a buffered channel), or stop scheduling timers whose "
		    "callbacks cannot complete.",
		    where ? where : "the callback");
		gpm_rule_evidence(c, f, "callbacks",
		                  "%u goroutines created by time.goFunc (one per fired timer) "
		                  "blocked at one site",
		                  grp->count);
		if (grp->max_minutes >= 0)
			gpm_rule_evidence(c, f, "blocked for",
			                  "%" PRId64 " to %" PRId64
			                  " minutes (timers fired over time, not at once)",
			                  grp->min_minutes, grp->max_minutes);
		gpm_rule_evidence(c, f, "checked",
		                  "%s; runtime timers that are not goroutines (time.After, "
		                  "time.NewTicker) are not counted",
		                  was_leak
		                      ? "the leak rule found their channel unreferenced elsewhere"
		                      : "the creator is the runtime's timer callback starter");
		free(where);
	}
	pending_timers(c);
}
