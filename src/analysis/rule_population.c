/*
 * Process-wide rules: how many goroutines, locked threads, long system calls, and how
 * the snapshot was taken.
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

/* ---- process-wide rules ---- */

/*
 * A long system call that is the program's normal state, not a stuck one: the signal
 * handling goroutine (os/signal.loop waits in signal_recv for the next signal), the main
 * goroutine locked to the main thread (GUI and C event loops wait there for good), and a
 * goroutine with no frame outside the runtime (Go before 1.6 printed a cgo program's
 * "goroutine 17 [syscall, N minutes, locked to thread]: runtime.goexit()", the thread
 * kept for callbacks from C).
 */
static bool syscall_expected(const struct gpm_incident *inc, const struct gpm_goroutine *g)
{
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	bool main_fn = false, program = false;
	for (uint32_t i = 0; i < n; i++) {
		const char *fn = f[i].func;
		if (fn &&
		    (gpm_rule_starts(fn, "os/signal.") || !strcmp(fn, "runtime.ensureSigM.func1")))
			return true;
		main_fn |= fn && (!strcmp(fn, "main.main") || !strcmp(fn, "runtime.main"));
		program |= fn && !(f[i].flags & GPM_FRAME_ELIDED) && !gpm_rule_is_runtime(fn);
	}
	if (n && !program)
		return true;
	return (g->flags & GPM_GOROUTINE_LOCKED) && (g->id == 1 || main_fn);
}

/* What a goroutine waits for in its system call, when its frames say: a child process
 * (os.(*Process).Wait, syscall.Wait4), else NULL. */
static const char *syscall_what(const struct gpm_incident *inc, const struct gpm_goroutine *g)
{
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	for (uint32_t i = 0; i < n && i < 12; i++)
		if (f[i].func && (gpm_rule_starts(f[i].func, "os.(*Process).wait") ||
		                  gpm_rule_starts(f[i].func, "os.(*Process).Wait") ||
		                  gpm_rule_starts(f[i].func, "syscall.Wait4") ||
		                  gpm_rule_starts(f[i].func, "syscall.wait4") ||
		                  gpm_rule_starts(f[i].func, "os.(*Process).blockUntilWaitable")))
			return "for a child process to exit";
	return NULL;
}

void gpm_rule_population(struct gpm_rule_ctx *c)
{
	const struct gpm_incident *inc = c->inc;
	uint64_t too_many = c->o->too_many ? c->o->too_many : 10000;
	if (c->a->goroutines >= too_many) {
		struct gpm_finding *f = gpm_rule_finding_new(c, GPM_RULE_TOO_MANY);
		if (!f)
			return;
		gpm_rule_text(c, &f->title, "%" PRIu64 " goroutines", c->a->goroutines);
		gpm_rule_text(
		    c, &f->explanation,
		    "An unusually large number of goroutines: each costs at least a few KB of "
		    "stack, and a growing count usually means goroutines are started faster "
		    "than they finish.");
		gpm_rule_text(c, &f->next,
		              "Look at the largest groups below and where they were "
		              "created.");
		f->count = c->a->goroutines;
		if (c->a->grouping.ngroups)
			f->group = (int32_t)c->a->order[0];
	}
	// Syscalls, locked threads and stacks the runtime did not print.
	uint64_t sys = 0, locked = 0, sysmin = 0;
	const struct gpm_goroutine *sys1 = NULL, *lock1 = NULL;
	struct gpm_finding *unavail = NULL;
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		if (!gpm_rule_counted(g) || (g->flags & GPM_GOROUTINE_SYSTEM))
			continue;
		if (g->flags & GPM_GOROUTINE_UNAVAILABLE) {
			if (!unavail && !(unavail = gpm_rule_finding_new(c, GPM_RULE_UNAVAILABLE)))
				return;
			gpm_rule_add_id(c, unavail, g->id);
		}
		if (g->status == GPM_G_SYSCALL && g->wait_minutes >= 5 &&
		    !syscall_expected(inc, g)) {
			sys++;
			if (!sys1 || (uint64_t)g->wait_minutes > sysmin) {
				sys1 = g;
				sysmin = (uint64_t)g->wait_minutes;
			}
		}
		if ((g->flags & GPM_GOROUTINE_LOCKED) && g->status == GPM_G_WAITING && g->id != 1) {
			locked++;
			if (!lock1)
				lock1 = g;
		}
	}
	if (unavail) {
		struct gpm_strbuf ids = GPM_STRBUF_INIT;
		for (size_t k = 0; k < unavail->goroutines.len; k++)
			gpm_strbuf_printf(&ids, "%s%" PRIu64, k ? ", " : "",
			                  unavail->goroutines.v[k]);
		gpm_rule_text(c, &unavail->title,
		              "%" PRIu64 " goroutine%s running on other threads: stack unavailable",
		              unavail->count, unavail->count == 1 ? "" : "s");
		gpm_rule_text(
		    c, &unavail->explanation,
		    "When a goroutine crashes, the runtime prints the stacks of goroutines running "
		    "on other threads only with GOTRACEBACK=crash (or system); here it printed "
		    "\"goroutine running on other thread; stack unavailable\" instead. They were "
		    "busy, not blocked; what they ran is not known from this dump.");
		gpm_rule_text(
		    c, &unavail->next,
		    "Run with GOTRACEBACK=crash (it also writes a core) to see them next time.");
		gpm_rule_evidence(c, unavail, "goroutines", "%s%s", ids.buf ? ids.buf : "?",
		                  unavail->count > unavail->goroutines.len ? ", ..." : "");
		gpm_strbuf_deinit(&ids);
	}
	if (sys) {
		struct gpm_finding *f = gpm_rule_finding_new(c, GPM_RULE_SYSCALL_STUCK);
		if (!f)
			return;
		// The program's own frame (main module or a dependency) over os/exec's.
		int uf = -1;
		uint32_t nf;
		const struct gpm_frame *sf = gpm_goroutine_frames(inc, sys1, &nf);
		for (uint32_t i = 0; i < nf && uf < 0; i++)
			if (sf[i].func && !(sf[i].flags & GPM_FRAME_ELIDED) &&
			    gpm_frame_class_is_user(gpm_rule_frame_class(sf[i].func)))
				uf = (int)i;
		if (uf < 0)
			uf = gpm_rule_user_frame(inc, sys1, false);
		char *ft = gpm_rule_frame_text(inc, sys1, uf);
		char *fn = uf >= 0 ? gpm_rule_func_text(inc, sys1, uf) : NULL;
		const char *what = syscall_what(inc, sys1);
		// The longest wait and where: the program's frame that made the call.
		if (sys == 1)
			gpm_rule_text(c, &f->title,
			              "%s in a system call for %" PRIu64 " minutes%s%s%s%s",
			              GPM_GOROUTINE_NAME(sys1), sysmin, what ? ", waiting " : "",
			              what ? what : "", fn ? ", in " : "", fn ? fn : "");
		else
			gpm_rule_text(c, &f->title,
			              "%" PRIu64 " goroutines in system calls for 5+ minutes, the "
			              "longest %" PRIu64 " minutes%s%s%s%s",
			              sys, sysmin, what ? ", waiting " : "", what ? what : "",
			              fn ? ", in " : "", fn ? fn : "");
		gpm_rule_text(
		    c, &f->explanation,
		    "Each holds an OS thread while it waits in the kernel (a blocking read, "
		    "a file lock, cgo). That is normal for idle network servers only when the "
		    "poller is not used.%s",
		    what ? " Waiting for a child process is normal for a supervisor while the "
		           "child runs; when the child should have exited, it is hung (or stopped) "
		           "and whatever waits for this call waits with it."
		         : "");
		gpm_rule_text(c, &f->next, "Look at %s.", ft ? ft : "?");
		free(fn);
		gpm_rule_evidence(c, f, "longest", "goroutine %" PRIu64 ", %" PRIu64 " minutes",
		                  sys1->id, sysmin);
		gpm_rule_add_id(c, f, sys1->id);
		f->count = sys;
		free(ft);
	}
	if (locked >= 2) {
		struct gpm_finding *f = gpm_rule_finding_new(c, GPM_RULE_THREAD_LOCKED);
		if (!f)
			return;
		char *ft = gpm_rule_frame_text(inc, lock1, gpm_rule_user_frame(inc, lock1, false));
		gpm_rule_text(c, &f->title,
		              "%" PRIu64 " goroutines locked to OS threads are blocked", locked);
		gpm_rule_text(
		    c, &f->explanation,
		    "runtime.LockOSThread pins a goroutine to its thread: while it blocks, the "
		    "thread can run nothing else, and one that exits while locked takes the "
		    "thread with it. Heuristic: many blocked locked goroutines suggest a "
		    "missing UnlockOSThread.");
		gpm_rule_text(c, &f->next, "Look at %s and where LockOSThread is called.",
		              ft ? ft : "?");
		gpm_rule_add_id(c, f, lock1->id);
		f->count = locked;
		free(ft);
	}
}

void gpm_rule_snapshot(struct gpm_rule_ctx *c)
{
	const struct gpm_incident *inc = c->inc;
	if (inc->crash.kind == GPM_FATAL_QUIT) {
		struct gpm_finding *f = gpm_rule_finding_new(c, GPM_RULE_SNAPSHOT_SIGQUIT);
		if (!f)
			return;
		// Goroutines of the program's own code running at that instant: in a hung
		// process that does not wait, the loop it spins in.
		const struct gpm_goroutine *run = NULL;
		uint64_t running = 0;
		int rf = -1;
		for (size_t i = 0; i < inc->goroutines.len; i++) {
			const struct gpm_goroutine *g = &inc->goroutines.v[i];
			int uf;
			if (g->status != GPM_G_RUNNING || !gpm_rule_counted(g) ||
			    (g->flags & GPM_GOROUTINE_SYSTEM) ||
			    (uf = gpm_rule_user_frame(inc, g, false)) < 0)
				continue;
			// Running in a system call (one that sent the signal itself, a read) is
			// not a loop of the program's own.
			uint32_t nf;
			const struct gpm_frame *fr = gpm_goroutine_frames(inc, g, &nf);
			bool sys = false;
			for (int k = 0; k < uf && (uint32_t)k < nf && !sys; k++)
				sys = fr[k].func && strstr(fr[k].func, "syscall");
			if (sys)
				continue;
			if (!running++) {
				run = g;
				rf = uf;
			}
		}
		char *at = run ? gpm_rule_frame_text(inc, run, rf) : NULL;
		char name[GPM_GOROUTINE_NAME_MAX];
		if (at)
			gpm_rule_text(c, &f->title,
			              "dump taken on request (SIGQUIT): %s was running %s",
			              gpm_goroutine_name(run, name), at);
		else
			gpm_rule_text(c, &f->title,
			              "dump taken on request (SIGQUIT): the process was not "
			              "crashing");
		gpm_rule_text(
		    c, &f->explanation,
		    "Someone sent SIGQUIT (or pressed Ctrl-\\) to get this dump; look at the "
		    "other findings for why.%s",
		    at ? " A goroutine running the program's own code when a hung process is "
		         "dumped is often the loop it is stuck in."
		       : "");
		gpm_rule_text(c, &f->next, "%s",
		              at ? "Take a second dump: if the same goroutine runs the same "
		                   "code again, that loop does not end."
		                 : "Compare with a second dump taken later to see what grows.");
		if (at) {
			gpm_rule_evidence(c, f, "running",
			                  "%" PRIu64 " goroutine%s of the program, first %s in %s",
			                  running, running == 1 ? "" : "s",
			                  gpm_goroutine_name(run, name), at);
			gpm_rule_add_id(c, f, run->id);
			if (c->group_of)
				f->group = c->group_of[run - inc->goroutines.v];
		}
		free(at);
	}
}
