/*
 * cgo: C code called from Go. A goroutine inside a C call shows, in the runtime's traceback
 * and in a core, runtime.cgocall under the wrapper cgo generates for the C function
 * (main._Cfunc_foo, or _C2func_foo when errno is returned: cmd/cgo/out.go) under the Go
 * code that called it; the C frames themselves run on the thread's system stack.
 *
 * signal.cgo: a fatal signal taken in C code. The runtime cannot turn it into a panic and
 * prints "signal arrived during cgo execution" (runtime/signal_unix.go sighandler, Go
 * 1.19-1.27); a core records the runtime's SIGABRT, and the goroutine reader takes the
 * original signal and the C pc from the kernel's signal frame (crash.c_*). The finding names
 * the C function (from the executable's symbols and DWARF when a core has them, else the
 * C function the wrapper calls) and the Go caller.
 *
 * cgo.blocked: goroutines inside C calls in a snapshot of a process that did not crash in
 * C: a program hanging in C code (sleep(), a blocking read in a C library) shows exactly
 * this, and the runtime's wait reasons say nothing about it (the status is "syscall"). A
 * busy cgo program shows the same for calls that return within microseconds, so the
 * finding is LOW unless one of them has been in C for minutes (the runtime's "[syscall,
 * N minutes]", the bar syscall.stuck sets), then MEDIUM.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/rules.h"
#include "base/strbuf.h"

/* How many frames from the top runtime.cgocall may be (asmcgocall, a signal frame). */
enum { CGOCALL_DEPTH = 4 };
/* Minutes in C that make cgo.blocked MEDIUM: the bar of syscall.stuck. */
enum { STUCK_MINUTES = 5 };

/* The C function name a cgo wrapper calls ("main._Cfunc_foo" -> "foo"), or NULL. */
static const char *wrapped_c_name(const char *fn)
{
	if (!fn)
		return NULL;
	const char *p = strstr(fn, "._Cfunc_");
	if (p)
		return p + strlen("._Cfunc_");
	p = strstr(fn, "._C2func_");
	return p ? p + strlen("._C2func_") : NULL;
}

static bool callers_of(const struct gpm_frame *f, uint32_t n, uint32_t w, int *wrapper,
                       int *caller);

/* The index of runtime.cgocall among the top CGOCALL_DEPTH frames, or n or more: none. */
static uint32_t cgocall_at(const struct gpm_frame *f, uint32_t n)
{
	uint32_t i = 0;
	while (i < n && i < CGOCALL_DEPTH && !(f[i].func && !strcmp(f[i].func, "runtime.cgocall")))
		i++;
	return i;
}

/*
 * Whether g is inside a C call: the frame index of its cgo wrapper and of the Go function
 * that called the wrapper (-1 when none is outside the runtime).
 */
static bool cgo_call(const struct gpm_incident *inc, const struct gpm_goroutine *g, int *wrapper,
                     int *caller)
{
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	uint32_t i = cgocall_at(f, n);
	if (i >= n || i >= CGOCALL_DEPTH || i + 1 >= n || !wrapped_c_name(f[i + 1].func))
		return false;
	return callers_of(f, n, i + 1, wrapper, caller);
}

/* The wrapper at frame w and the first Go function that called it (-1 none). */
static bool callers_of(const struct gpm_frame *f, uint32_t n, uint32_t w, int *wrapper, int *caller)
{
	*wrapper = (int)w;
	*caller = -1;
	for (uint32_t k = w + 1; k < n; k++) {
		if (f[k].flags & GPM_FRAME_ELIDED)
			continue;
		if (f[k].func && !wrapped_c_name(f[k].func) && !gpm_rule_is_plumbing(f[k].func)) {
			*caller = (int)k;
			break;
		}
	}
	return true;
}

static bool counted(const struct gpm_goroutine *g)
{
	return !(g->flags & (GPM_GOROUTINE_REPEAT | GPM_GOROUTINE_RUNTIME_STACK)) &&
	       gpm_goroutine_is_real(g);
}

static const struct gpm_goroutine *by_id(const struct gpm_incident *inc, uint64_t id)
{
	for (size_t i = 0; id && i < inc->goroutines.len; i++)
		if (inc->goroutines.v[i].id == id && counted(&inc->goroutines.v[i]))
			return &inc->goroutines.v[i];
	return NULL;
}

/* The text's signal section says the signal came during a C call. */
static bool text_says_cgo(const struct gpm_incident *inc)
{
	// Windows: "signal arrived during external code execution" (runtime.winthrow), a
	// C function or a DLL's called through syscall.SyscallN.
	const char *x = inc->sections.len ? inc->sections.v[0].extra : NULL;
	return inc->kind != GPM_INPUT_CORE && x &&
	       (strstr(x, "cgo execution") || strstr(x, "external code execution")) &&
	       inc->crash.signame && strcmp(inc->crash.signame, "SIGQUIT") != 0;
}

/* Go 1.19 and older print no such line: the handler injected sigpanic on the system stack,
 * which threw "unexpected signal during runtime execution"; the goroutine printed first is
 * the m's own, inside its C call. */
static bool text_throw_in_cgo(const struct gpm_incident *inc)
{
	const struct gpm_crash *cr = &inc->crash;
	// A paste that starts at the "[signal ...]" line has no fatal error line: a fault
	// signal with the first goroutine inside its C call is the same crash.
	bool fault =
	    cr->signame && (!strcmp(cr->signame, "SIGSEGV") || !strcmp(cr->signame, "SIGBUS") ||
	                    !strcmp(cr->signame, "0xb") || !strcmp(cr->signame, "0xa") ||
	                    !strcmp(cr->signame, "0x7") || !strcmp(cr->signame, "0xc0000005"));
	if (inc->kind == GPM_INPUT_CORE)
		return false;
	if (cr->kind == GPM_FATAL_THROW && cr->fatal_message) {
		if (!strstr(cr->fatal_message, "unexpected signal during runtime execution"))
			return false;
	} else if (!fault || cr->kind == GPM_FATAL_PANIC) {
		return false;
	}
	const struct gpm_goroutine *g = by_id(inc, cr->current_goroutine);
	for (size_t i = 0; !g && i < inc->goroutines.len; i++)
		if (counted(&inc->goroutines.v[i]))
			g = &inc->goroutines.v[i];
	int w, k;
	return g && cgo_call(inc, g, &w, &k);
}

bool gpm_rule_cgo_fault(const struct gpm_incident *inc)
{
	return inc->crash.c_signo != 0 || text_says_cgo(inc) || text_throw_in_cgo(inc);
}

static const char *signal_name(int signo)
{
	switch (signo) {
	case 4:
		return "SIGILL";
	case 6:
		return "SIGABRT";
	case 7:
		return "SIGBUS";
	case 8:
		return "SIGFPE";
	case 11:
		return "SIGSEGV";
	default:
		return "a signal";
	}
}

/* A Windows DLL call: runtime.cgocall under syscall.SyscallN (or Syscall6, …), which the
 * syscall or x/sys/windows package's procedure call wraps; the caller is the first frame
 * outside them. */
static bool dll_call(const struct gpm_incident *inc, const struct gpm_goroutine *g, int *wrapper,
                     int *caller)
{
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	uint32_t i = cgocall_at(f, n);
	if (i + 1 >= n || i >= CGOCALL_DEPTH || !f[i + 1].func ||
	    strncmp(f[i + 1].func, "syscall.Syscall", 15) != 0)
		return false;
	*wrapper = (int)i + 1;
	*caller = -1;
	for (uint32_t k = i + 2; k < n; k++)
		if (f[k].func && strncmp(f[k].func, "syscall.", 8) != 0 &&
		    strncmp(f[k].func, "golang.org/x/sys/windows.", 25) != 0 &&
		    !gpm_rule_is_plumbing(f[k].func)) {
			*caller = (int)k;
			break;
		}
	return true;
}

/* A Windows exception code ("0xc0000005"): the signal name of a Windows crash. */
static bool windows_code(const char *sig)
{
	return sig && strlen(sig) == 10 && sig[0] == '0' && sig[1] == 'x';
}

/* The goroutine whose C call faulted: the core's, the one printed first, else the first in C. */
static const struct gpm_goroutine *faulting(const struct gpm_incident *inc, int *wrapper,
                                            int *caller)
{
	const struct gpm_goroutine *g = by_id(inc, inc->crash.c_goroutine);
	if (!g)
		g = by_id(inc, inc->crash.current_goroutine);
	if (!g && inc->sections.len && inc->sections.v[0].ngoroutines &&
	    inc->sections.v[0].first_goroutine < inc->goroutines.len)
		g = &inc->goroutines.v[inc->sections.v[0].first_goroutine];
	if (g && cgo_call(inc, g, wrapper, caller))
		return g;
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		g = &inc->goroutines.v[i];
		if (counted(g) && cgo_call(inc, g, wrapper, caller))
			return g;
	}
	// Windows: the stack printed first, traced from the faulting pc (runtime.winthrow's
	// tracebacktrap): the cgo wrapper is its first frame, with no runtime.cgocall above
	// it; or external code reached through syscall.SyscallN.
	if (windows_code(inc->crash.signame) && inc->sections.len &&
	    inc->sections.v[0].ngoroutines &&
	    inc->sections.v[0].first_goroutine < inc->goroutines.len) {
		g = &inc->goroutines.v[inc->sections.v[0].first_goroutine];
		uint32_t n;
		const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
		if (n && wrapped_c_name(f[0].func) && callers_of(f, n, 0, wrapper, caller))
			return g;
		if (dll_call(inc, g, wrapper, caller))
			return g;
	}
	return NULL;
}

static void rule_fault(struct gpm_rule_ctx *c)
{
	const struct gpm_incident *inc = c->inc;
	const struct gpm_crash *cr = &inc->crash;
	int wrapper = -1, caller = -1;
	const struct gpm_goroutine *g = faulting(inc, &wrapper, &caller);
	uint32_t n = 0;
	const struct gpm_frame *f = g ? gpm_goroutine_frames(inc, g, &n) : NULL;
	const char *entry = g ? wrapped_c_name(f[wrapper].func) : NULL;
	bool core = cr->c_signo != 0;
	const char *sig = core ? signal_name(cr->c_signo) : cr->signame;
	// Printed by number before Go 1.5: "[signal 0xb ...]" (0xa SIGBUS on darwin).
	if (sig && !strcmp(sig, "0xb"))
		sig = "SIGSEGV";
	else if (sig && (!strcmp(sig, "0xa") || !strcmp(sig, "0x7")))
		sig = "SIGBUS";
	// Windows: "Exception 0xc0000005 ..." (an access violation), a DLL's code or C's.
	char wsig[96];
	bool win = !core && windows_code(sig);
	if (win) {
		snprintf(wsig, sizeof(wsig), "exception %s (%s)", sig,
		         cr->sigdesc ? cr->sigdesc : "exception");
		sig = wsig;
	}
	const char *ccode = win ? "external code" : "C code";
	uint64_t addr = core ? cr->c_sigaddr : cr->fault_addr;
	bool has_addr = core ? cr->c_has_addr : cr->has_fault_addr;
	uint64_t pc = core ? cr->c_pc : cr->pc;
	// The C function: the one the pc is in (cores with symbols), else the one cgo called.
	const char *cfn = cr->c_func ? cr->c_func : entry;
	char *csafe = cfn ? gpm_safe_strndup(cfn, strlen(cfn)) : NULL;
	char *cfile = cr->c_file ? gpm_safe_strndup(cr->c_file, strlen(cr->c_file)) : NULL;
	char *gocaller = g && caller >= 0 ? gpm_rule_frame_text(inc, g, caller) : NULL;
	char *wtext = g ? gpm_rule_frame_text(inc, g, wrapper) : NULL;
	struct gpm_finding *fd = gpm_rule_finding_new(c, GPM_RULE_SIGNAL_CGO);
	if (!fd)
		goto out;
	char loc[600] = "";
	if (cfile)
		snprintf(loc, sizeof(loc), " at %s:%" PRIu32, cfile, cr->c_line);
	const char *callname = g && caller >= 0 && f[caller].func ? f[caller].func : NULL;
	char *callsafe = callname ? gpm_safe_strndup(callname, strlen(callname)) : NULL;
	// A paste cut inside the cgo call names neither the C function nor its caller: say so
	// rather than print "(unknown)".
	const char *nil = has_addr && addr < 4096 ? " (nil pointer)" : "";
	if (csafe && callsafe)
		gpm_rule_text(c, &fd->title, "%s in C function %s%s, called from Go %s",
		              sig ? sig : "?", csafe, nil, callsafe);
	else if (csafe)
		gpm_rule_text(c, &fd->title,
		              "%s in C function %s%s (its Go caller is not in the input)",
		              sig ? sig : "?", csafe, nil);
	else if (callsafe)
		gpm_rule_text(c, &fd->title, "%s in %s%s, called from Go %s", sig ? sig : "?",
		              ccode, nil, callsafe);
	else
		gpm_rule_text(c, &fd->title,
		              "%s in %s%s; the C function and its Go caller are not in the "
		              "input",
		              sig ? sig : "?", ccode, nil);
	free(callsafe);
	gpm_rule_text(c, &fd->explanation,
	              "The program received %s while a goroutine ran C code called through cgo. "
	              "The Go runtime cannot turn a fault in C into a panic: it printed the "
	              "goroutines and stopped the program. The fault is in the C code%s; the Go "
	              "frames only say who called it.",
	              sig ? sig : "a signal",
	              cr->c_func && entry && strcmp(cr->c_func, entry)
	                  ? " (in a function the called C function calls)"
	                  : "");
	gpm_rule_text(c, &fd->next,
	              "Look at the C function %s%s and at what %s passes to it (pointers to Go "
	              "memory kept by C, lengths, NULL); run the C code under AddressSanitizer or "
	              "valgrind, or the program with GODEBUG=cgocheck=1.",
	              csafe ? csafe : "that ran (not named in the input)", loc,
	              gocaller ? gocaller : "its Go caller");
	gpm_rule_evidence(c, fd, "C function", "%s%s", csafe ? csafe : "(not named: no symbols)",
	                  loc);
	if (entry) {
		char *e = gpm_safe_strndup(entry, strlen(entry));
		gpm_rule_evidence(c, fd, "called through", "%s (cgo calls the C function %s)",
		                  wtext ? wtext : "?", e ? e : "?");
		free(e);
	}
	if (gocaller)
		gpm_rule_evidence(c, fd, "Go caller", "%s", gocaller);
	if (has_addr)
		gpm_rule_evidence(c, fd, "signal", "%s, fault address %#" PRIx64 "%s",
		                  sig ? sig : "?", addr, addr < 4096 ? " (near nil)" : "");
	else
		gpm_rule_evidence(c, fd, "signal", "%s", sig ? sig : "?");
	if (pc)
		gpm_rule_evidence(c, fd, "signal pc", "%#" PRIx64 " (in C code)", pc);
	fd->address = addr;
	if (g) {
		gpm_rule_add_id(c, fd, g->id);
		if (g->id) // a stack printed without its header has none
			gpm_rule_evidence(c, fd, "goroutine", "%" PRIu64, g->id);
		if (c->group_of)
			fd->group = c->group_of[g - inc->goroutines.v];
	}
out:
	free(csafe);
	free(cfile);
	free(gocaller);
	free(wtext);
}

static void rule_blocked(struct gpm_rule_ctx *c)
{
	const struct gpm_incident *inc = c->inc;
	const struct gpm_goroutine *first = NULL;
	int fw = -1, fc = -1;
	uint64_t count = 0, stuck = 0;
	int64_t longest = -1;
	// Whether a stack is in a C call, and where, depends on its frames only: worked out once
	// per distinct stack (a dump's goroutines share a few hundred), not per goroutine.
	struct cgo_memo {
		bool known, in_c;
		int w, k;
	} *memo = calloc(inc->stacks.len ? inc->stacks.len : 1, sizeof(*memo));
	// The representative: the one in C longest, else the first.
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		int w, k;
		if (!counted(g))
			continue;
		struct cgo_memo *m = memo && g->stack < inc->stacks.len ? &memo[g->stack] : NULL;
		if (m && !m->known) {
			m->known = true;
			m->in_c = cgo_call(inc, g, &m->w, &m->k);
		}
		if (m ? !m->in_c : !cgo_call(inc, g, &w, &k))
			continue;
		if (m) {
			w = m->w;
			k = m->k;
		}
		count++;
		if (g->wait_minutes >= STUCK_MINUTES)
			stuck++;
		if (!first || g->wait_minutes > longest) {
			first = g;
			fw = w;
			fc = k;
			longest = g->wait_minutes;
		}
	}
	free(memo);
	if (!first)
		return;
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, first, &n);
	const char *entry = wrapped_c_name(f[fw].func);
	char *csafe = gpm_safe_strndup(entry, strlen(entry));
	const char *callname = fc >= 0 ? f[fc].func : NULL;
	char *callsafe = callname ? gpm_safe_strndup(callname, strlen(callname)) : NULL;
	char *gocaller = fc >= 0 ? gpm_rule_frame_text(inc, first, fc) : NULL;
	struct gpm_finding *fd = gpm_rule_finding_new(c, GPM_RULE_CGO_BLOCKED);
	if (!fd)
		goto out;
	if (stuck)
		fd->severity = GPM_SEVERITY_MEDIUM;
	char name[GPM_GOROUTINE_NAME_MAX];
	if (count == 1)
		gpm_rule_text(c, &fd->title, "%s is in C code: C function %s, called from Go %s",
		              gpm_goroutine_name(first, name), csafe ? csafe : "?",
		              callsafe ? callsafe : "(unknown)");
	else
		gpm_rule_text(c, &fd->title,
		              "%" PRIu64 " goroutines are in C code; %s in C function %s, called "
		              "from Go %s",
		              count, gpm_goroutine_name(first, name), csafe ? csafe : "?",
		              callsafe ? callsafe : "(unknown)");
	gpm_rule_text(c, &fd->explanation,
	              "A goroutine inside a C call holds its OS thread until the C function "
	              "returns; the runtime shows it as \"syscall\" and knows nothing of what it "
	              "waits for. A program that hangs in C (sleep, a blocking read or lock in a C "
	              "library) looks exactly like this.");
	gpm_rule_text(c, &fd->next,
	              "Look at what the C function %s waits for (the thread's native stack in "
	              "gopm goroutines --system), and at %s, which called it.",
	              csafe ? csafe : "?", gocaller ? gocaller : "its Go caller");
	gpm_rule_evidence(c, fd, "C function", "%s", csafe ? csafe : "?");
	if (gocaller)
		gpm_rule_evidence(c, fd, "Go caller", "%s", gocaller);
	gpm_rule_evidence(c, fd, "goroutine", "%" PRIu64 " [%s]", first->id,
	                  first->state ? first->state : "syscall");
	if (stuck)
		gpm_rule_evidence(c, fd, "in C for",
		                  "%" PRIu64 " of %" PRIu64
		                  " goroutines %d+ minutes, the longest %" PRId64 " minutes",
		                  stuck, count, STUCK_MINUTES, longest);
	else
		gpm_rule_evidence(c, fd, "in C for",
		                  "%s: calls in progress, not known to be stuck (LOW; MEDIUM "
		                  "from %d minutes)",
		                  longest >= 0 ? "under the bar"
		                               : "less than a minute (no wait "
		                                 "time printed)",
		                  STUCK_MINUTES);
	gpm_rule_add_id(c, fd, first->id);
	fd->count = count;
	if (c->group_of)
		fd->group = c->group_of[first - inc->goroutines.v];
out:
	free(csafe);
	free(callsafe);
	free(gocaller);
}

void gpm_rule_cgo(struct gpm_rule_ctx *c)
{
	const struct gpm_incident *inc = c->inc;
	if (gpm_rule_cgo_fault(inc)) {
		rule_fault(c);
		return;
	}
	// A crash elsewhere is the story; a goroutine in C then is a bystander.
	if (inc->crash.kind == GPM_FATAL_PANIC || inc->crash.kind == GPM_FATAL_THROW)
		return;
	rule_blocked(c);
}
