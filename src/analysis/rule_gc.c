/*
 * gc.stw-stall: a stop-the-world that does not complete, and the goroutine that keeps it
 * from completing. The runtime stops the world (runtime/proc.go stopTheWorldWithSema) to
 * start and to end every collection; it waits until every running goroutine reaches a safe
 * point. A goroutine that spins in a loop without a call (asynchronous preemption off, or
 * code the signal cannot preempt) never does, and then:
 *
 *   - the stopper: a goroutine in stopTheWorldWithSema / forEachP (on its system stack:
 *     a core shows it running at systemstack_switch under runtime.gcStart; a
 *     GOTRACEBACK=crash dump prints the thread's g0 stack), or waiting "stopping the world";
 *   - the waiters: goroutines blocked in runtime.gcStart (another collection is starting),
 *     in runtime.GC's wait for the cycle, or in GC assist wait;
 *   - the candidates: goroutines running with the program's own code as their innermost
 *     frame (no call in progress: a tight loop), ranked first; running goroutines whose
 *     stacks the dump did not print are counted.
 *
 * A stall needs the stopper or gcStart waiters: GC assist waits alone are a busy heap, not a
 * stall (LOW). Works over goroutine groups plus one pass over the goroutines' flags for
 * the threads' system stacks: linear.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/rules.h"
#include "model/frameclass.h"

enum { MAX_CANDIDATES = 4 };
/* runtime/proc.go freezeStopWait: the stopwait freezetheworld sets as the process dies. */
enum { FREEZE_STOPWAIT = 0x7fffffff };

static bool is_stopping(const char *fn)
{
	return fn && (!strcmp(fn, "runtime.stopTheWorldWithSema") ||
	              !strcmp(fn, "runtime.stopTheWorld") ||
	              !strcmp(fn, "runtime.stopTheWorldGC") || !strcmp(fn, "runtime.forEachP"));
}

/* A collection's start or end, which stops the world on the system stack. */
static bool is_gc_transition(const char *fn)
{
	return fn && (!strcmp(fn, "runtime.gcStart") || !strcmp(fn, "runtime.gcMarkDone") ||
	              !strcmp(fn, "runtime.gcMarkTermination"));
}

enum gc_role { ROLE_NONE, ROLE_STOPPER, ROLE_WAITER, ROLE_ASSIST, ROLE_CANDIDATE };

/* What goroutine g (of stack frames fr[0..n)) is to a stall. */
static enum gc_role role_of(const struct gpm_incident *inc, const struct gpm_goroutine *g)
{
	uint32_t n;
	const struct gpm_frame *fr = gpm_goroutine_frames(inc, g, &n);
	if (g->state && !strcmp(g->state, "stopping the world"))
		return ROLE_STOPPER;
	bool transition = false;
	for (uint32_t i = 0; i < n; i++) {
		if (is_stopping(fr[i].func))
			return ROLE_STOPPER;
		transition |= is_gc_transition(fr[i].func);
	}
	if (g->status == GPM_G_RUNNING) {
		// On the system stack inside a collection's start or end: the stopper's own g.
		if (transition && n && fr[0].func &&
		    !strcmp(fr[0].func, "runtime.systemstack_switch"))
			return ROLE_STOPPER;
		if (n && fr[0].func && !(fr[0].flags & GPM_FRAME_ELIDED) &&
		    !gpm_rule_is_runtime(fr[0].func))
			return ROLE_CANDIDATE;
		return ROLE_NONE;
	}
	if (g->status != GPM_G_WAITING)
		return ROLE_NONE;
	if (g->state && !strcmp(g->state, "GC assist wait"))
		return ROLE_ASSIST;
	if (g->state && !strcmp(g->state, "wait for GC cycle"))
		return ROLE_WAITER;
	for (uint32_t i = 0; i < n; i++)
		if (is_gc_transition(fr[i].func) ||
		    (fr[i].func && !strcmp(fr[i].func, "runtime.GC")))
			return ROLE_WAITER;
	return ROLE_NONE;
}

struct stall {
	uint64_t stoppers, waiters, assists, unavailable;
	int64_t minutes;             /* the longest wait printed, -1 none */
	uint64_t stopper_id;         /* a goroutine stopping the world (0: a thread's g0 or none) */
	size_t cand[MAX_CANDIDATES]; /* goroutine indices */
	size_t ncand;
	uint64_t candidates;
};

void gpm_rule_gc_stall(struct gpm_rule_ctx *c)
{
	const struct gpm_incident *inc = c->inc;
	const struct gpm_grouping *gr = &c->a->grouping;
	struct stall s = {.minutes = -1};
	for (size_t gi = 0; gi < gr->ngroups; gi++) {
		const struct gpm_group *grp = &gr->groups[gi];
		const struct gpm_goroutine *rep = &inc->goroutines.v[grp->representative];
		enum gc_role r = role_of(inc, rep);
		if (r == ROLE_NONE) {
			if (rep->status == GPM_G_RUNNING &&
			    (rep->flags & GPM_GOROUTINE_UNAVAILABLE))
				s.unavailable += grp->count;
			continue;
		}
		if (r == ROLE_STOPPER) {
			s.stoppers += grp->count;
			if (!s.stopper_id)
				s.stopper_id = rep->id;
		} else if (r == ROLE_WAITER || r == ROLE_ASSIST) {
			*(r == ROLE_WAITER ? &s.waiters : &s.assists) += grp->count;
			if (grp->max_minutes > s.minutes)
				s.minutes = grp->max_minutes;
		} else {
			s.candidates += grp->count;
			for (uint32_t k = 0; k < grp->count && s.ncand < MAX_CANDIDATES; k++)
				s.cand[s.ncand++] = gr->members[grp->first_member + k];
		}
	}
	// The threads' sections of a GOTRACEBACK=crash dump: their system stacks ("goroutine
	// 0") and the running goroutines printed in full there (repeats of the ones the main
	// section listed as "stack unavailable").
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		if (g->id && !(g->flags & GPM_GOROUTINE_REPEAT))
			continue;
		if (!g->id) {
			uint32_t n;
			const struct gpm_frame *fr = gpm_goroutine_frames(inc, g, &n);
			for (uint32_t k = 0; k < n && !s.stoppers; k++)
				s.stoppers += is_stopping(fr[k].func);
			continue;
		}
		if (role_of(inc, g) != ROLE_CANDIDATE)
			continue;
		bool seen = false;
		for (size_t k = 0; k < s.ncand && !seen; k++)
			seen = inc->goroutines.v[s.cand[k]].id == g->id;
		if (seen)
			continue;
		s.candidates++;
		if (s.unavailable)
			s.unavailable--;
		if (s.ncand < MAX_CANDIDATES)
			s.cand[s.ncand++] = i;
	}
	// A stopper alone (nobody waiting, no goroutine to blame) is a collection's start or
	// end caught in passing (gdb's gcore stops a live process anywhere): nothing to say.
	if ((!s.stoppers && !s.waiters && s.assists < 2) ||
	    (!s.waiters && !s.assists && !s.candidates))
		return;
	bool stall = s.stoppers || s.waiters;
	enum gpm_severity sev = GPM_SEVERITY_LOW;
	enum gpm_confidence conf = GPM_CONFIDENCE_HEURISTIC;
	uint64_t waiting = s.waiters + s.assists;
	// A stall is seen in how long the waiters have waited, in goroutines waiting for a
	// collection while one runs, or in a stopper while the program's own code runs (a
	// loop without a call). Waiters of an instant with nobody to blame, or a standard
	// library function running with nobody waiting (a live process caught by gcore as a
	// collection starts), are a collection in progress: LOW.
	bool own = false;
	for (size_t k = 0; k < s.ncand && !own; k++) {
		uint32_t n;
		const struct gpm_frame *fr =
		    gpm_goroutine_frames(inc, &inc->goroutines.v[s.cand[k]], &n);
		enum gpm_frame_class fc =
		    n && fr[0].func ? gpm_rule_frame_class(fr[0].func) : GPM_FRAME_CLASS_RUNTIME;
		own = fc == GPM_FRAME_CLASS_MAIN || fc == GPM_FRAME_CLASS_DEPENDENCY;
	}
	if (stall && (s.minutes >= 1 || (s.candidates && (waiting || own)))) {
		sev = GPM_SEVERITY_HIGH;
		conf = GPM_CONFIDENCE_LIKELY;
	} else if (stall && s.unavailable && waiting) {
		sev = GPM_SEVERITY_MEDIUM;
		conf = GPM_CONFIDENCE_LIKELY;
	}
	struct gpm_finding *f = gpm_rule_finding_new_as(c, GPM_RULE_GC_STW_STALL, sev, conf);
	if (!f)
		return;
	char *top = NULL;
	if (s.ncand) {
		const struct gpm_goroutine *g = &inc->goroutines.v[s.cand[0]];
		top = gpm_rule_frame_text(inc, g, 0);
		f->group = c->group_of[s.cand[0]]; // -1 for a thread section's repeat
		for (size_t k = 0; k < s.ncand; k++)
			gpm_rule_add_id(c, f, inc->goroutines.v[s.cand[k]].id);
		char name[GPM_GOROUTINE_NAME_MAX];
		gpm_rule_text(c, &f->title,
		              "%s: %" PRIu64 " goroutine%s wait%s while %s runs in %s without "
		              "reaching a safe point",
		              !stall ? "garbage collection assists wait"
		              : sev == GPM_SEVERITY_LOW
		                  ? "a stop-the-world in progress"
		                  : "the world cannot stop for garbage collection",
		              waiting, waiting == 1 ? "" : "s", waiting == 1 ? "s" : "",
		              gpm_goroutine_name(g, name), top ? top : "?");
	} else {
		gpm_rule_text(c, &f->title, "%s: %" PRIu64 " goroutine%s wait%s for the collector",
		              !stall ? "goroutines wait in GC assist"
		              : sev == GPM_SEVERITY_LOW
		                  ? "a garbage collection starting or ending"
		                  : "garbage collection stalled at a stop-the-world",
		              waiting, waiting == 1 ? "" : "s", waiting == 1 ? "s" : "");
	}
	gpm_rule_text(c, &f->explanation,
	              stall ? "The runtime stops every goroutine at a safe point to start and "
	                      "to finish a garbage collection. Here it is waiting for that stop "
	                      "and the goroutines that allocate or asked for a collection wait "
	                      "with it. A goroutine that runs a loop without a function call "
	                      "(with asynchronous preemption off, or in code the preemption "
	                      "signal cannot interrupt) never reaches a safe point and holds "
	                      "the whole program."
	                    : "Goroutines that allocate faster than the collector marks are "
	                      "made to help it (GC assist) and wait when there is no work left "
	                      "to help with: a heap under pressure. Not a stall by itself.");
	gpm_rule_text(c, &f->next,
	              s.ncand ? "Look at the loop in %s: add a call, a runtime.Gosched() or a "
	                        "channel operation in it, and check GODEBUG for asyncpreemptoff."
	                      : "%s",
	              s.ncand ? (top ? top : "the running goroutine")
	                      : "Take a core or a dump with GOTRACEBACK=crash to see what the "
	                        "running goroutines execute.");
	if (s.stoppers && s.stopper_id)
		gpm_rule_evidence(c, f, "stopping",
		                  "goroutine %" PRIu64 " is stopping the world "
		                  "(runtime.stopTheWorldWithSema or a collection's start on the "
		                  "system stack)",
		                  s.stopper_id);
	else if (s.stoppers)
		gpm_rule_evidence(c, f, "stopping", "a thread is in runtime.stopTheWorldWithSema");
	if (s.waiters)
		gpm_rule_evidence(c, f, "waiting",
		                  "%" PRIu64
		                  " goroutines in runtime.gcStart or runtime.GC, waiting "
		                  "for a collection to start or finish",
		                  s.waiters);
	if (s.assists)
		gpm_rule_evidence(c, f, "GC assist", "%" PRIu64 " goroutines in GC assist wait",
		                  s.assists);
	if (s.minutes >= 1)
		gpm_rule_evidence(c, f, "for", "%" PRId64 "+ minutes", s.minutes);
	for (size_t k = 0; k < s.ncand; k++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[s.cand[k]];
		char *t = gpm_rule_frame_text(inc, g, 0);
		char name[GPM_GOROUTINE_NAME_MAX];
		gpm_rule_evidence(c, f, k ? "also running" : "running",
		                  "%s in %s (its innermost frame is the program's code: no call in "
		                  "progress)",
		                  gpm_goroutine_name(g, name), t ? t : "?");
		free(t);
	}
	if (s.candidates > s.ncand)
		gpm_rule_evidence(c, f, "more", "%" PRIu64 " more running goroutines",
		                  s.candidates - s.ncand);
	if (s.unavailable)
		gpm_rule_evidence(c, f, "unavailable",
		                  "%" PRIu64 " running goroutines whose stacks the dump did not "
		                  "print (GOTRACEBACK=crash or a core shows them)",
		                  s.unavailable);
	const struct gpm_sched_state *ss = &inc->sched;
	if (ss->known && ss->gcwaiting && ss->stopwait == FREEZE_STOPWAIT)
		gpm_rule_evidence(c, f, "scheduler",
		                  "sched.gcwaiting is set; stopwait is freezeStopWait: the runtime "
		                  "froze the world to crash (GOTRACEBACK=crash, SIGQUIT), over the "
		                  "stop that was waiting");
	else if (ss->known && ss->gcwaiting && ss->stopwait > 0)
		gpm_rule_evidence(c, f, "scheduler",
		                  "sched.gcwaiting is set and stopwait is %" PRId32
		                  ": the world is being stopped and %" PRId32
		                  " P%s not stopped yet; the stopper %s on sched.stopnote",
		                  ss->stopwait, ss->stopwait, ss->stopwait == 1 ? " has" : "s have",
		                  ss->stopnote_set ? "was woken" : "still sleeps");
	else if (ss->known)
		gpm_rule_evidence(c, f, "scheduler",
		                  "sched.gcwaiting %s, stopwait %" PRId32
		                  ": no stop-the-world was waiting when the core was taken",
		                  ss->gcwaiting ? "set" : "clear", ss->stopwait);
	if (ss->nprocs)
		gpm_rule_evidence(c, f, "Ps",
		                  "%" PRIu32 " of %" PRIu32
		                  " stopped for the collection (_Pgcstop), "
		                  "%" PRIu32 " running",
		                  ss->gcstopped, ss->nprocs, ss->running);
	// Why the scheduler's own state is not read, and how the Ps were found without it.
	const char *why = ss->why_not ? ss->why_not : "the executable has no symbol table";
	char ps[160] = "";
	if (!ss->known && ss->nprocs)
		snprintf(ps, sizeof(ps), " and the Ps' status (runtime.allp: %s)",
		         ss->allp_how ? ss->allp_how : "?");
	if (ss->known)
		gpm_rule_evidence(c, f, "checked",
		                  "the goroutines' stacks and wait reasons in the core and the "
		                  "scheduler's state (sched.gcwaiting, stopwait, stopnote, the Ps' "
		                  "status)");
	else if (inc->kind == GPM_INPUT_CORE)
		gpm_rule_evidence(
		    c, f, "checked",
		    "the goroutines' stacks and wait reasons in the core%s; the "
		    "scheduler's own state (sched.gcwaiting, stopwait) is not read: %s",
		    ps, why);
	else
		gpm_rule_evidence(
		    c, f, "checked",
		    "the goroutines' stacks and wait reasons; the scheduler's own state "
		    "(sched.gcwaiting, stopwait) is only in a core");
	free(top);
}
