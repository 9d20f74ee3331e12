/*
 * Crash rules: what the runtime itself reported (panics, fatal errors, signals, test
 * timeouts, a stack pasted without its panic line), named at the site of the fault.
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

/* ---- crash rules: what the runtime itself reported ---- */

static const struct gpm_goroutine *goroutine_by_id(const struct gpm_incident *inc, uint64_t id)
{
	for (size_t i = 0; id && i < inc->goroutines.len; i++)
		if (inc->goroutines.v[i].id == id &&
		    !(inc->goroutines.v[i].flags &
		      (GPM_GOROUTINE_REPEAT | GPM_GOROUTINE_RUNTIME_STACK)))
			return &inc->goroutines.v[i];
	return NULL;
}

/* The "goroutine" evidence of a crash finding: "17 [running]", or, for a stack pasted
 * without its header (no id, no state), that it has none: never "0 [?]". */
static void goroutine_evidence(struct gpm_rule_ctx *c, struct gpm_finding *f,
                               const struct gpm_goroutine *g, const char *more)
{
	if (g->id)
		gpm_rule_evidence(c, f, "goroutine", "%" PRIu64 " [%s]%s", g->id,
		                  gpm_rule_state_of(g), more);
	else
		gpm_rule_evidence(c, f, "goroutine",
		                  "%s (its header, with the id and state, is not in the input)%s",
		                  GPM_GOROUTINE_NAME(g), more);
}

/* The goroutine that panicked or threw: the model's own notion first. */
static const struct gpm_goroutine *crashing_goroutine(const struct gpm_incident *inc)
{
	const struct gpm_goroutine *g = goroutine_by_id(inc, inc->crash.panic_goroutine);
	if (!g)
		g = goroutine_by_id(inc, inc->crash.current_goroutine);
	for (size_t i = 0; !g && i < inc->goroutines.len; i++) {
		const struct gpm_goroutine *h = &inc->goroutines.v[i];
		if ((h->flags & GPM_GOROUTINE_CURRENT) &&
		    !(h->flags & (GPM_GOROUTINE_REPEAT | GPM_GOROUTINE_RUNTIME_STACK)))
			g = h;
	}
	return g;
}

/* How often the most repeated function outside the runtime (the program's, a dependency's
 * or the standard library's: encoding/json marshalling a cycle) appears among g's frames
 * (0 when none does): the recursion of a stack overflow. */
static uint32_t visible_recursion(const struct gpm_incident *inc, const struct gpm_goroutine *g)
{
	uint32_t n, best = 0;
	const struct gpm_frame *fr = gpm_goroutine_frames(inc, g, &n);
	for (uint32_t i = 0; i < n && i < 64; i++) {
		if (!fr[i].func || gpm_rule_frame_class(fr[i].func) == GPM_FRAME_CLASS_RUNTIME)
			continue;
		uint32_t k = 0;
		for (uint32_t j = 0; j < n; j++)
			k += fr[j].func == fr[i].func;
		if (k > best)
			best = k;
	}
	return best;
}

/* Goroutines a stack overflow's recursion is looked for in, beyond the crashing one. */
enum { OVERFLOW_SCAN_MAX = 1024 };

/*
 * The goroutine of a stack overflow whose frames show the recursion, when the crashing one
 * does not (a paste that kept only "runtime stack:" (runtime.morestack, runtime.newstack)
 * in its place, its frames elided, or the goroutine printed further down or without its
 * header): the running (or headerless) goroutine whose frames repeat a function outside
 * the runtime most, at least twice. NULL when none does. *capped: more candidates than
 * OVERFLOW_SCAN_MAX, the rest not looked at.
 */
static const struct gpm_goroutine *overflow_goroutine(const struct gpm_incident *inc,
                                                      const struct gpm_goroutine *g, bool *capped)
{
	*capped = false;
	if (g && visible_recursion(inc, g) > 1)
		return g;
	const struct gpm_goroutine *best = NULL;
	uint32_t bestn = 1, seen = 0;
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		const struct gpm_goroutine *h = &inc->goroutines.v[i];
		if (h->flags & (GPM_GOROUTINE_REPEAT | GPM_GOROUTINE_RUNTIME_STACK) ||
		    (h->status != GPM_G_RUNNING && h->status != GPM_G_UNKNOWN))
			continue;
		if (++seen > OVERFLOW_SCAN_MAX) {
			*capped = true;
			break;
		}
		uint32_t k = visible_recursion(inc, h);
		if (k > bestn) {
			bestn = k;
			best = h;
		}
	}
	return best;
}

static void recursive_frames(struct gpm_rule_ctx *c, struct gpm_finding *f,
                             const struct gpm_goroutine *g)
{
	uint32_t n;
	const struct gpm_frame *fr = gpm_goroutine_frames(c->inc, g, &n);
	// The most frequent function among the frames (the recursion); of the program's own
	// code when one of its functions repeats too (a MarshalJSON that marshals itself
	// recurses through encoding/json, whose frames are the most frequent).
	const char *best = NULL, *bestu = NULL;
	uint32_t bestn = 0, bestun = 0, at = 0;
	for (uint32_t i = 0; i < n && i < 64; i++) {
		uint32_t k = 0;
		for (uint32_t j = 0; j < n; j++)
			k += fr[j].func == fr[i].func;
		if (k > bestn) {
			bestn = k;
			best = fr[i].func;
		}
		if (k > 1 && k > bestun && fr[i].func &&
		    gpm_frame_class_is_user(gpm_rule_frame_class(fr[i].func))) {
			bestun = k;
			bestu = fr[i].func;
			at = i;
		}
	}
	if (bestu) {
		best = bestu;
		bestn = bestun;
	}
	uint64_t elided = gpm_goroutine_extra(c->inc, g)->elided_frames;
	for (uint32_t i = 0; i < n; i++)
		if (fr[i].flags & GPM_FRAME_ELIDED)
			elided += fr[i].line;
	if (best && bestn > 1) {
		char *s = gpm_rule_safe(best);
		gpm_rule_evidence(c, f, "recursion", "%s appears %u times in %u frames shown%s",
		                  s ? s : "?", bestn, n, elided ? "" : "");
		if (elided)
			gpm_rule_evidence(c, f, "elided", "%" PRIu64 " more frames not printed",
			                  elided);
		// The cycle: the functions from one call of the recursing function to the next
		// (outermost first, as the calls were made), when it is not direct recursion.
		struct gpm_strbuf cyc = GPM_STRBUF_INIT;
		uint32_t first = UINT32_MAX, next = UINT32_MAX;
		for (uint32_t i = bestu ? at : 0; i < n && next == UINT32_MAX; i++)
			if (fr[i].func == best) {
				if (first == UINT32_MAX)
					first = i;
				else
					next = i;
			}
		if (next != UINT32_MAX && next - first > 1 && next - first <= 8) {
			for (uint32_t i = next + 1; i-- > first;) {
				char *fs = gpm_rule_safe(fr[i].func);
				gpm_strbuf_printf(&cyc, "%s%s", i == next ? "" : " -> ",
				                  fs ? fs : "?");
				free(fs);
			}
			gpm_rule_evidence(c, f, "cycle", "%s", gpm_strbuf_str(&cyc));
		}
		gpm_strbuf_deinit(&cyc);
		// Where to look: the recursing function's own frame (the site is the top frame,
		// often deep in what it calls).
		uint32_t fi = first != UINT32_MAX ? first : 0;
		char *rw = fi < n ? gpm_rule_frame_text(c->inc, g, (int)fi) : NULL;
		if (rw)
			gpm_rule_text(
			    c, &f->next,
			    "Find why the recursion in %s does not end: a cycle in the data, "
			    "a missing base case, or a method (MarshalJSON, String, Error) "
			    "that hands its own value back to the function that calls it.",
			    rw);
		free(rw);
		gpm_rule_text(c, &f->title, "stack overflow: runaway recursion in %s%s",
		              s ? s : "?",
		              next != UINT32_MAX && next - first > 1 && next - first <= 8
		                  ? " (a cycle through the functions it calls)"
		                  : "");
		free(s);
	}
	struct gpm_frame_regs lo = {0, 0}, hi = {0, 0};
	if (gpm_goroutine_has_regs(c->inc, g) && n > 1) {
		lo = gpm_goroutine_frame_regs(c->inc, g, 0);
		hi = gpm_goroutine_frame_regs(c->inc, g, n - 1);
	}
	if (hi.fp > lo.sp)
		gpm_rule_evidence(c, f, "stack used",
		                  "%" PRIu64 " bytes (sp %#" PRIx64 " to %#" PRIx64 ")",
		                  hi.fp - lo.sp, lo.sp, hi.fp);
}

static void other_map_writers(struct gpm_rule_ctx *c, struct gpm_finding *f,
                              const struct gpm_goroutine *cur, const char *fn)
{
	// The runtime names only the goroutine that noticed; the other side is usually a
	// goroutine running (or runnable) in the same function or in the map code.
	unsigned shown = 0;
	for (size_t i = 0; i < c->inc->goroutines.len && shown < 4; i++) {
		const struct gpm_goroutine *g = &c->inc->goroutines.v[i];
		if (g == cur || !gpm_rule_counted(g) || g->id == cur->id ||
		    (g->status != GPM_G_RUNNING && g->status != GPM_G_RUNNABLE &&
		     g->status != GPM_G_PREEMPTED))
			continue;
		uint32_t n;
		const struct gpm_frame *fr = gpm_goroutine_frames(c->inc, g, &n);
		bool hit = false;
		for (uint32_t k = 0; k < n && !hit; k++)
			hit = fr[k].func && (fr[k].func == fn || (fn && !strcmp(fr[k].func, fn)) ||
			                     gpm_rule_starts(fr[k].func, "runtime.mapassign") ||
			                     gpm_rule_starts(fr[k].func, "runtime.mapaccess") ||
			                     gpm_rule_starts(fr[k].func, "runtime.mapdelete") ||
			                     gpm_rule_starts(fr[k].func, "internal/runtime/maps."));
		if (!hit)
			continue;
		char *ft = gpm_rule_frame_text(c->inc, g, gpm_rule_user_frame(c->inc, g, false));
		gpm_rule_evidence(c, f, "other side",
		                  "%s [%s] in %s (heuristic: running in the same code)",
		                  GPM_GOROUTINE_NAME(g), gpm_rule_state_of(g), ft ? ft : "?");
		free(ft);
		gpm_rule_add_id(c, f, g->id);
		shown++;
	}
}

/* Runtime functions a goroutine dies in: panics, throws, fatal errors, the map checks. */
static bool is_panic_func(const char *fn)
{
	return fn && (!strcmp(fn, "panic") || !strcmp(fn, "runtime.gopanic"));
}

static bool is_fatal_func(const char *fn)
{
	return fn && (!strcmp(fn, "runtime.throw") || !strcmp(fn, "runtime.fatal") ||
	              !strcmp(fn, "runtime.fatalthrow") || !strcmp(fn, "runtime.fatalpanic") ||
	              !strcmp(fn, "sync.fatal") || !strcmp(fn, "sync.throw") ||
	              !strcmp(fn, "internal/sync.fatal") || !strcmp(fn, "internal/sync.throw") ||
	              !strcmp(fn, "internal/runtime/maps.fatal"));
}

static bool is_crash_func(const char *fn)
{
	return is_panic_func(fn) || is_fatal_func(fn) ||
	       (fn && (!strcmp(fn, "runtime.sigpanic") || gpm_rule_starts(fn, "runtime.panic") ||
	               gpm_rule_starts(fn, "runtime.mapassign") ||
	               gpm_rule_starts(fn, "runtime.goPanic")));
}

/*
 * Where a crashing goroutine failed, read from its frames (innermost first): a panic
 * raised while another unwinds shows as "panic(...)" between the two sites, a fatal error
 * raised by a deferred call during a panic shows the fatal above the panic.
 */
struct crash_site {
	int site;    /* where the first panic (or the fault) happened: the caller of the
	                deepest panic frame, else of the first crash function; -1 none */
	int died_in; /* the runtime function the site called, -1 none */
	int top;     /* the innermost frame outside the runtime (a later panic's site) */
	int fatal;   /* the first fatal/throw frame, -1 none */
	int panic;   /* the deepest panic frame, -1 none */
	int npanics; /* panic frames */
};

static void crash_site(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                       struct crash_site *s)
{
	*s = (struct crash_site){-1, -1, -1, -1, -1, 0};
	uint32_t n;
	const struct gpm_frame *f = g ? gpm_goroutine_frames(inc, g, &n) : NULL;
	if (!f)
		return;
	int lastcrash = -1;
	for (uint32_t i = 0; i < n && i < 256; i++) {
		const char *fn = f[i].func;
		if (f[i].flags & GPM_FRAME_ELIDED)
			continue;
		if (is_panic_func(fn)) {
			s->panic = (int)i;
			s->npanics++;
		}
		if (is_fatal_func(fn) && s->fatal < 0)
			s->fatal = (int)i;
		if (is_crash_func(fn))
			lastcrash = (int)i;
		else if (s->top < 0 && !gpm_rule_is_runtime(fn))
			s->top = (int)i;
	}
	int from = s->panic >= 0 ? s->panic : lastcrash;
	for (uint32_t i = (uint32_t)(from + 1); i < n && i < 256; i++)
		if (!(f[i].flags & GPM_FRAME_ELIDED) && !gpm_rule_is_runtime(f[i].func) &&
		    !is_crash_func(f[i].func)) {
			s->site = (int)i;
			break;
		}
	if (s->site < 0)
		s->site = s->top;
	// The runtime function the site called: the outermost crash frame above it.
	for (int i = s->site - 1; i >= 0 && s->site > 0; i--)
		if (is_crash_func(f[i].func)) {
			s->died_in = i;
			break;
		}
}

/*
 * The program's own frame that called into the standard library at frame i: a crash site
 * in os/exec.(*Cmd).Wait, sync.(*WaitGroup).Add or html/template.Must is the library doing
 * what its caller asked (a nil receiver, one Done too many, a template that does not
 * parse); the caller is the code to read. -1 when frame i is not the standard library's or
 * no frame of the program (main module or a dependency) follows within a few frames.
 */
static int program_caller(const struct gpm_incident *inc, const struct gpm_goroutine *g, int i)
{
	uint32_t n;
	const struct gpm_frame *f = g && i >= 0 ? gpm_goroutine_frames(inc, g, &n) : NULL;
	if (!f || (uint32_t)i >= n || gpm_rule_frame_class(f[i].func) != GPM_FRAME_CLASS_STDLIB)
		return -1;
	for (uint32_t j = (uint32_t)i + 1; j < n && j < (uint32_t)i + 12; j++) {
		if (f[j].flags & GPM_FRAME_ELIDED)
			continue;
		enum gpm_frame_class k = gpm_rule_frame_class(f[j].func);
		if (gpm_frame_class_is_user(k))
			return (int)j;
		if (k == GPM_FRAME_CLASS_RUNTIME && is_crash_func(f[j].func))
			return -1; // an earlier panic's frames: not this site's caller
	}
	return -1;
}

/* "fn" of frame i, or "fn called from prog" when fn is the standard library's and the
 * program's frame prog called it (program_caller); malloc'd, NULL when i is out of range. */
static char *site_name(const struct gpm_incident *inc, const struct gpm_goroutine *g, int i)
{
	uint32_t n;
	if (!g || i < 0 || (gpm_goroutine_frames(inc, g, &n), (uint32_t)i >= n))
		return NULL;
	char *fn = gpm_rule_func_text(inc, g, i);
	int p = program_caller(inc, g, i);
	if (!fn || p < 0)
		return fn;
	char *caller = gpm_rule_func_text(inc, g, p);
	size_t len = strlen(fn) + (caller ? strlen(caller) : 1) + 16;
	char *s = malloc(len);
	if (s)
		snprintf(s, len, "%s called from %s", fn, caller ? caller : "?");
	free(fn);
	free(caller);
	return s;
}

/* What a runtime panic function raises, for a panic whose message is not in the input. */
static const char *runtime_panic_kind(const char *fn)
{
	static const struct {
		const char *prefix, *what;
	} kinds[] = {
	    {"runtime.goPanicIndex", "index out of range"},
	    {"runtime.panicIndex", "index out of range"},
	    {"runtime.goPanicSlice", "slice bounds out of range"},
	    {"runtime.panicSlice", "slice bounds out of range"},
	    {"runtime.panicBounds", "index or slice bounds out of range"},
	    {"runtime.panicdivide", "integer divide by zero"},
	    {"runtime.panicshift", "negative shift amount"},
	    {"runtime.panicmem", "nil pointer dereference"},
	    {"runtime.panicnildottype", "interface conversion of a nil interface"},
	    {"runtime.panicdottype", "interface conversion"},
	    {"runtime.closechan", "close of a closed or nil channel"},
	    {"runtime.chansend", "send on a closed channel"},
	    {"runtime.mapassign", "assignment to entry in nil map"},
	    {"runtime.sigpanic", "a fault (nil pointer dereference or bad address)"},
	};
	for (size_t i = 0; fn && i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (gpm_rule_starts(fn, kinds[i].prefix))
			return kinds[i].what;
	return NULL;
}

/* What a standard-library function that panics or throws by itself says, for a stack
 * that died in it without its message in the input. */
static const char *library_crash_kind(const char *fn)
{
	if (!fn)
		return NULL;
	if (gpm_rule_starts(fn, "sync.(*WaitGroup).Add") ||
	    gpm_rule_starts(fn, "sync.(*WaitGroup).Done"))
		return "sync: negative WaitGroup counter";
	if (gpm_rule_starts(fn, "sync.(*RWMutex).Unlock") ||
	    gpm_rule_starts(fn, "sync.(*RWMutex).RUnlock") ||
	    gpm_rule_starts(fn, "sync.(*RWMutex).rUnlockSlow"))
		return "sync: unlock of unlocked RWMutex";
	if (gpm_rule_starts(fn, "sync.(*Mutex).Unlock") ||
	    gpm_rule_starts(fn, "sync.(*Mutex).unlockSlow"))
		return "sync: unlock of unlocked mutex";
	return NULL;
}

/*
 * What a panic or fatal error that the runtime or the standard library raises on misuse
 * means in the program's terms (the value alone says what was refused, not what the
 * program did), NULL for other messages.
 */
static const char *misuse_meaning(const char *m)
{
	static const struct {
		const char *msg, *meaning;
	} t[] = {
	    {"sync: negative WaitGroup counter",
	     "Done (or Add with a negative delta) ran more often than Add: a Done on two paths, "
	     "a deferred Done and an explicit one, or an Add that never ran"},
	    {"sync: WaitGroup is reused before previous Wait has returned",
	     "Add for a new round while a Wait of the previous one had not returned"},
	    {"nlock of unlocked",
	     "an Unlock of a mutex that was not locked: a second Unlock (a deferred one and an "
	     "explicit one), or an Unlock on a path that never locked it"},
	    {"close of nil channel",
	     "close of a channel that was never made (its make skipped, or the field left nil)"},
	    {"close of closed channel",
	     "a second close of the same channel: more than one path or goroutine closes it; "
	     "only its one sender should"},
	    {"send on closed channel",
	     "a send after the channel was closed: it was closed while senders still ran"},
	    {"assignment to entry in nil map", "a write to a map that was never made"},
	};
	for (size_t i = 0; m && i < sizeof(t) / sizeof(t[0]); i++)
		if (strstr(m, t[i].msg))
			return t[i].meaning;
	return NULL;
}

/* Whether message m (NULL: none) holds one of msgs[0..n). */
static bool mentions_any(const char *m, const char *const *msgs, size_t n)
{
	for (size_t i = 0; m && i < n; i++)
		if (strstr(m, msgs[i]))
			return true;
	return false;
}

/*
 * Fatal errors the runtime raises when its own data is not what it wrote: the heap, a
 * stack or the scheduler's state was overwritten (a data race on an interface, slice or
 * map; unsafe or cgo misuse; a runtime or C bug). Matched as substrings of the message.
 */
static bool corruption_throw(const char *m)
{
	static const char *const msgs[] = {
	    "found bad pointer", // "... in Go heap", also when a paste cut the line there
	    "bad pointer in unexpected span",
	    "pointer to unallocated span",
	    "marked free object in span",
	    "sweep increased allocation count",
	    "bad span state",
	    "span has no free",
	    "unexpected return pc",
	    "unknown caller pc",
	    "traceback stuck",
	    "traceback did not unwind completely",
	    "invalid p state",
	    "workbuf is empty",
	    "workbuf is not empty",
	    "bad g status",
	    "bad g->status",
	    "casgstatus: bad incoming values",
	    "syscall frame is no longer valid",
	    "unexpected signal during runtime execution",
	    "found pointer to free object",
	    "free list corrupted",
	};
	return mentions_any(m, msgs, sizeof(msgs) / sizeof(msgs[0]));
}

/*
 * Fatal errors that say the runtime could not get memory from the system: "out of memory"
 * (Go 1.11+, and Windows' "fatal error: out of memory"), and what older runtimes and
 * address-space limits (ulimit -v, a 32-bit process, Windows' commit limit) print instead.
 */
static bool oom_throw(const char *m)
{
	static const char *const msgs[] = {
	    "out of memory",
	    "cannot map pages in arena address space",
	    "cannot reserve arena virtual address space",
	    "cannot allocate memory",
	};
	return mentions_any(m, msgs, sizeof(msgs) / sizeof(msgs[0]));
}

/* A memory fault printed by number: Go before 1.5 wrote "[signal 0xb code=0x1 addr=0x0
 * pc=...]" (0xb SIGSEGV; 0xa SIGBUS on darwin, 0x7 on linux), Windows "[signal 0xc0000005
 * ...]" (an access violation). The signal's name, NULL when it is no memory fault. */
static const char *numbered_fault(const char *signame)
{
	if (!signame || !gpm_rule_starts(signame, "0x"))
		return NULL;
	unsigned long long v = strtoull(signame + 2, NULL, 16);
	return v == 0xb || v == 0xc0000005ULL ? "SIGSEGV" : v == 0xa || v == 0x7 ? "SIGBUS" : NULL;
}

/* An address no Go allocation, stack or mapping ever has: a poison pattern the runtime
 * or a C allocator writes, or a non-canonical amd64 address. */
static const char *wild_address(uint64_t a)
{
	static const uint32_t words[] = {0xdeaddead, 0xdeadbeef, 0xbaadf00d,
	                                 0xfeedface, 0xcafebabe, 0xdeadc0de};
	if (a == 0xb01dfacedebac1eULL)
		return "a poison value (0xb01dfacedebac1e, the runtime's bad pointer marker)";
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if ((uint32_t)a == words[i] || (uint32_t)(a >> 32) == words[i])
			return "a poison pattern (freed or never-initialised memory)";
	if (a >= 0x1000000) {
		uint8_t b = (uint8_t)a;
		bool same = true;
		for (int k = 1; k < 8 && same; k++)
			same = (uint8_t)(a >> (8 * k)) == b || (k >= 4 && !(a >> 32));
		if (same && b)
			return "a repeated-byte fill pattern (poisoned or uninitialised memory)";
	}
	if (a >= (1ULL << 47) && a < 0xffff800000000000ULL)
		return "a non-canonical address (no mapping can exist there)";
	// -1 or nil minus a small offset (0xfffffffffffffff8): the top page, which no user
	// mapping ever has on any 64-bit system Go runs on.
	if (a >= 0xfffffffffffff000ULL)
		return "a small negative number used as a pointer (-1, or nil minus an offset): "
		       "the top page of the address space, never mapped";
	return NULL;
}

/* A register value that can only be a poison: the runtime's bad pointer marker, or a
 * poison word repeated across the register (0xdeaddeaddeaddead, 0xdeadbeefdeadbeef). Other
 * patterns (-1, a repeated byte) are ordinary register contents. */
static bool register_poison(uint64_t v)
{
	static const uint32_t words[] = {0xdeaddead, 0xdeadbeef, 0xbaadf00d,
	                                 0xfeedface, 0xcafebabe, 0xdeadc0de};
	if (v == 0xb01dfacedebac1eULL)
		return true;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if ((uint32_t)v == words[i] && (uint32_t)(v >> 32) == words[i])
			return true;
	return false;
}

/*
 * The first general register of the faulting section's register dump that holds a poison
 * (register_poison): the address that was used when the text gives none (Go before 1.20
 * printed "PC=… sigcode=…" without addr=; a paste that lost the "[signal …]" line, as
 * macOS crash reports often are). Its name in *name; false when none.
 */
static bool poison_register(const struct gpm_incident *inc, uint64_t *v, const char **name)
{
	if (!inc->sections.len)
		return false;
	const struct gpm_signal_section *s = &inc->sections.v[0];
	for (uint32_t i = 0; i < s->nregs && i < 64 && s->first_reg + i < inc->regs.len; i++) {
		const struct gpm_reg *r = &inc->regs.v[s->first_reg + i];
		if (r->name && register_poison(r->value)) {
			*v = r->value;
			*name = r->name;
			return true;
		}
	}
	return false;
}

/*
 * The first frame of g that is on the path by which C calls Go (runtime/cgocall.go,
 * Go 1.19): the wrapper cgo generates for an exported (//export) function,
 * "_cgoexp_HASH_NAME" (Go 1.17+; "pkg._cgoexpwrap_HASH_NAME" before), under it
 * runtime.cgocallbackg1, runtime.cgocallbackg, runtime.cgocallback and C's crosscall2. -1
 * when g did not run in a callback from C.
 */
static int cgo_callback_frame(const struct gpm_incident *inc, const struct gpm_goroutine *g)
{
	uint32_t n;
	const struct gpm_frame *fr = gpm_goroutine_frames(inc, g, &n);
	for (uint32_t i = 0; i < n && i < 256; i++) {
		const char *fn = fr[i].func;
		if (fn && (gpm_rule_starts(fn, "_cgoexp_") || strstr(fn, "._cgoexpwrap_") ||
		           gpm_rule_starts(fn, "runtime.cgocallbackg") ||
		           !strcmp(fn, "runtime.cgocallback") || !strcmp(fn, "crosscall2")))
			return (int)i;
	}
	return -1;
}

/*
 * The goroutine that sent the process its own signal: one running (or in a system call)
 * whose innermost frames, before the program's code, are a kill call (syscall.Kill with
 * its own pid or 0, syscall.Tgkill, os.(*Process).Signal on itself; the pidfd path of Go
 * 1.23+). Its program frame in *prog. NULL when no goroutine of the input is one.
 */
static const struct gpm_goroutine *self_sender(const struct gpm_incident *inc, int *prog)
{
	static const char *const kills[] = {
	    "syscall.Kill",
	    "syscall.Tgkill",
	    "syscall.Tkill",
	    "os.(*Process).signal",
	    "os.(*Process).Signal",
	    "os.(*Process).Kill",
	    "os.(*Process).pidSignal",
	    "os.(*Process).pidfdSendSignal",
	    "internal/syscall/unix.PidFDSendSignal",
	};
	size_t seen = 0;
	for (size_t i = 0; i < inc->goroutines.len && seen < 4096; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		if (g->flags & (GPM_GOROUTINE_REPEAT | GPM_GOROUTINE_RUNTIME_STACK) ||
		    (g->status != GPM_G_RUNNING && g->status != GPM_G_SYSCALL &&
		     g->status != GPM_G_UNKNOWN))
			continue;
		seen++;
		uint32_t n;
		const struct gpm_frame *fr = gpm_goroutine_frames(inc, g, &n);
		bool kill = false;
		for (uint32_t k = 0; k < n && k < 12; k++) {
			const char *fn = fr[k].func;
			if (!fn)
				continue;
			for (size_t j = 0; j < sizeof(kills) / sizeof(kills[0]) && !kill; j++)
				kill = !strcmp(fn, kills[j]);
			if (gpm_frame_class_is_user(gpm_rule_frame_class(fn))) {
				if (kill) {
					*prog = (int)k;
					return g;
				}
				break;
			}
		}
	}
	return NULL;
}

/* Why the signal that killed the process came from outside, NULL when it did not. */
static const char *external_signal(const struct gpm_incident *inc, char (*name)[16], bool *likely)
{
	*likely = false;
	const struct gpm_crash *cr = &inc->crash;
	int signo = cr->signo;
	int64_t code = cr->sigcode;
	const char *sn = cr->signame;
	static const struct {
		int no;
		const char *name;
	} sigs[] = {{6, "SIGABRT"}, {15, "SIGTERM"}, {9, "SIGKILL"},
	            {2, "SIGINT"},  {1, "SIGHUP"},   {5, "SIGTRAP"}};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if ((sn && !strcmp(sn, sigs[i].name)) || (!sn && signo == sigs[i].no)) {
			snprintf(*name, sizeof(*name), "%s", sigs[i].name);
			// SI_USER (0): kill(2) from another process. The runtime's own crash
			// (GOTRACEBACK=crash) raises SIGABRT with tgkill: SI_TKILL (-6).
			if (code == 0)
				return "sigcode 0 (SI_USER): sent with kill(2) by another process";
			if (sigs[i].no == 9 || sigs[i].no == 15)
				return "the runtime never sends it to itself";
			// Go before 1.10 printed no sigcode ("SIGABRT: abort" and "PC=" alone).
			// The runtime raises SIGABRT itself only after printing a panic or a fatal
			// error, C code's abort() only under cgo (a cgo fault) or after
			// runtime/cgo's message (threads_exhausted): with none of them, someone
			// sent it. Text only: a core without NT_SIGINFO (qemu's) has no sigcode
			// either, and that says nothing about who sent the signal.
			if (sigs[i].no == 6 && code == INT64_MIN && inc->kind != GPM_INPUT_CORE &&
			    !(inc->preamble_text && strstr(inc->preamble_text, "runtime/cgo"))) {
				*likely = true;
				return "no sigcode printed (Go before 1.10), and no panic, fatal "
				       "error "
				       "or C code's message before it: most likely sent by another "
				       "process";
			}
			return NULL;
		}
	if (cr->exit_status == 137 || cr->exit_status == 143) {
		snprintf(*name, sizeof(*name), "%s",
		         cr->exit_status == 137 ? "SIGKILL" : "SIGTERM");
		return "exit status 128+signal: killed from outside";
	}
	return NULL;
}

/*
 * threads.exhausted: the runtime could not start another OS thread. It prints
 * "runtime: program exceeds N-thread limit" / "fatal error: thread exhaustion" past
 * debug.SetMaxThreads (10000 by default), "runtime: failed to create new OS thread" /
 * "fatal error: newosproc" when clone fails, and with cgo the C code's
 * "runtime/cgo: pthread_create failed: Resource temporarily unavailable" then abort():
 * a SIGABRT the process raised itself (SI_TKILL), not one sent from outside. The message
 * if one names it (NULL: not this).
 */
static const char *threads_exhausted(const struct gpm_incident *inc)
{
	const struct gpm_crash *cr = &inc->crash;
	const char *pre = inc->preamble_text;
	const char *m = cr->kind == GPM_FATAL_THROW ? cr->fatal_message : NULL;
	static const char *const marks[] = {"pthread_create failed", "-thread limit",
	                                    "failed to create new OS thread"};
	for (size_t i = 0; pre && i < sizeof(marks) / sizeof(marks[0]); i++) {
		const char *x = strstr(pre, marks[i]);
		if (!x)
			continue;
		while (x > pre && x[-1] != '\n') // the whole line: the message as printed
			x--;
		return x;
	}
	if (m && (gpm_rule_starts(m, "thread exhaustion") || gpm_rule_starts(m, "newosproc")))
		return m;
	return NULL;
}

static void rule_threads(struct gpm_rule_ctx *c, const char *msg)
{
	const struct gpm_incident *inc = c->inc;
	const struct gpm_crash *cr = &inc->crash;
	struct gpm_finding *f = gpm_rule_finding_new(c, GPM_RULE_THREADS_EXHAUSTED);
	if (!f)
		return;
	// What holds threads: goroutines in system calls or C calls, goroutines locked to
	// threads; the largest such place by its first frame of the program.
	uint64_t sys = 0, locked = 0, top_n = 0;
	struct {
		const char *func;
		const struct gpm_goroutine *g;
		int frame;
		uint64_t n;
	} cand[4];
	size_t nc = 0;
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		if (!gpm_rule_counted(g) || (g->flags & GPM_GOROUTINE_SYSTEM))
			continue;
		locked += (g->flags & GPM_GOROUTINE_LOCKED) != 0;
		if (g->status != GPM_G_SYSCALL)
			continue;
		sys++;
		int uf = gpm_rule_user_frame(inc, g, false);
		uint32_t n;
		const struct gpm_frame *fr = gpm_goroutine_frames(inc, g, &n);
		if (uf < 0 || (uint32_t)uf >= n || !fr[uf].func)
			continue;
		size_t k = 0; // the first four places seen, counted (names are interned)
		while (k < nc && cand[k].func != fr[uf].func)
			k++;
		if (k == nc && nc < 4) {
			cand[nc].func = fr[uf].func;
			cand[nc].g = g;
			cand[nc].frame = uf;
			cand[nc++].n = 0;
		}
		if (k < nc)
			cand[k].n++;
	}
	const struct gpm_goroutine *top_g = NULL;
	int top_i = -1;
	for (size_t k = 0; k < nc; k++)
		if (cand[k].n > top_n) {
			top_n = cand[k].n;
			top_g = cand[k].g;
			top_i = cand[k].frame;
		}
	bool abrt = cr->signame && !strcmp(cr->signame, "SIGABRT");
	char line[256];
	size_t ml = strcspn(msg, "\n");
	snprintf(line, sizeof(line), "%.*s", (int)(ml < 250 ? ml : 250), msg);
	// "(have N already; errno=11)": the count says it all (the errno is EAGAIN).
	const char *have = strstr(line, "(have ");
	char *semi = have ? strchr(have, ';') : NULL;
	if (semi && semi - line < 240 && strstr(line, "failed to create new OS thread"))
		snprintf(semi, sizeof(line) - (size_t)(semi - line), ")");
	char *m = gpm_rule_safe(line);
	char *where = top_g ? gpm_rule_frame_text(inc, top_g, top_i) : NULL;
	if (where && top_n > 1)
		gpm_rule_text(c, &f->title,
		              "out of OS threads (%s): %" PRIu64
		              " goroutines hold threads in system "
		              "calls in %s",
		              m ? m : "?", top_n, where);
	else
		gpm_rule_text(c, &f->title, "out of OS threads: %s%s", m ? m : "?",
		              abrt ? " (then abort(): the SIGABRT is the process's own, not sent "
		                     "from outside)"
		                   : "");
	gpm_rule_text(
	    c, &f->explanation,
	    "The runtime needed another OS thread and could not get one, so the process "
	    "died. Go starts a thread when a goroutine is ready to run and every thread is "
	    "busy in a blocking system call (file I/O, a blocking read of a non-pollable "
	    "file), a cgo call or locked to a goroutine (runtime.LockOSThread): thousands of "
	    "those hold thousands of threads. The other limits are the operating system's: "
	    "ulimit -u (RLIMIT_NPROC, counted per user), a container's pids limit, "
	    "kernel.threads-max, or memory for the threads' stacks. With cgo, "
	    "pthread_create's failure ends in abort(): the SIGABRT is the process's own.");
	gpm_rule_text(
	    c, &f->next,
	    "Bound the goroutines doing blocking system calls or cgo calls (a worker pool, a "
	    "semaphore)%s%s; compare the thread count (/proc/PID/status Threads:) with ulimit "
	    "-u and the container's pids.max; raise debug.SetMaxThreads only when the threads "
	    "are needed.",
	    where ? ", starting with " : "", where ? where : "");
	gpm_rule_evidence(c, f, "message", "%s", m ? m : "?");
	if (cr->m_id > 0)
		gpm_rule_evidence(c, f, "thread",
		                  "m=%" PRId64 " (the runtime's thread number "
		                  "when it died)",
		                  cr->m_id);
	if (sys)
		gpm_rule_evidence(c, f, "in system calls", "%" PRIu64 " goroutines", sys);
	if (locked)
		gpm_rule_evidence(c, f, "locked to threads", "%" PRIu64 " goroutines", locked);
	if (abrt)
		gpm_rule_evidence(c, f, "signal",
		                  "SIGABRT%s: abort() after the failure, not sent from outside",
		                  cr->sigcode == -6 ? " (SI_TKILL, raised by the process)" : "");
	free(m);
	free(where);
}

/*
 * What g waits on, in words: the sync method below the program's frame mf ("in
 * sync.(*WaitGroup).Wait", "to lock a sync.RWMutex") when its frames show one, else its
 * printed state ("[chan receive]"). Go before 1.20 prints every WaitGroup, Mutex and Cond
 * wait as "[semacquire]", which names none of them. *w: the method (GPM_SYNC_NONE none).
 */
static void wait_words(const struct gpm_incident *inc, const struct gpm_goroutine *g, int mf,
                       char *buf, size_t len, enum gpm_sync_wait *w)
{
	uint32_t n;
	const struct gpm_frame *fr = gpm_goroutine_frames(inc, g, &n);
	*w = GPM_SYNC_NONE;
	// The outermost sync method under the program's frame: RWMutex.Lock over lockSlow.
	for (uint32_t i = 0; i < n && i < 16 && (mf < 0 || i < (uint32_t)mf); i++) {
		enum gpm_sync_wait k = gpm_frame_sync_wait(fr[i].func);
		if (k != GPM_SYNC_NONE)
			*w = k;
	}
	switch (*w) {
	case GPM_SYNC_WAITGROUP:
		snprintf(buf, len, "in sync.(*WaitGroup).Wait");
		break;
	case GPM_SYNC_COND:
		snprintf(buf, len, "in sync.(*Cond).Wait");
		break;
	case GPM_SYNC_RW_LOCK:
		snprintf(buf, len, "to lock a sync.RWMutex");
		break;
	case GPM_SYNC_RW_RLOCK:
		snprintf(buf, len, "to read-lock a sync.RWMutex");
		break;
	case GPM_SYNC_MUTEX_LOCK:
	case GPM_SYNC_MUTEX_SLOW:
		snprintf(buf, len, "to lock a sync.Mutex");
		break;
	default:
		snprintf(buf, len, "[%s]", gpm_rule_state_of(g));
	}
}

/*
 * deadlock.all-asleep: what the main goroutine (or, when it is not in the input, the
 * first of the program's blocked goroutines) waits on, and the goroutines it waits for:
 * the blocked goroutines its waiting function started ("created by" that function), else
 * those any function of its stack started, else the other blocked goroutines.
 */
static void asleep_finding(struct gpm_rule_ctx *c, struct gpm_finding *f)
{
	const struct gpm_incident *inc = c->inc;
	const struct gpm_goroutine *m1 = goroutine_by_id(inc, 1);
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		const struct gpm_goroutine *h = &inc->goroutines.v[i];
		// Runtime helpers (GC workers, finalizers) sleep too; count the program's own
		// goroutines.
		if (gpm_rule_counted(h) && h->status == GPM_G_WAITING &&
		    !(h->flags & GPM_GOROUTINE_SYSTEM) && gpm_rule_user_frame(inc, h, false) >= 0) {
			gpm_rule_add_id(c, f, h->id);
			if (!m1 || !gpm_rule_counted(m1))
				m1 = h;
		}
	}
	uint64_t blocked = f->count;
	int mf = m1 ? gpm_rule_user_frame(inc, m1, false) : -1;
	uint32_t mn = 0;
	const struct gpm_frame *mfr = m1 ? gpm_goroutine_frames(inc, m1, &mn) : NULL;
	const char *mfunc = mf >= 0 && (uint32_t)mf < mn ? mfr[mf].func : NULL;
	// The goroutines it waits for: started by its waiting function (pass 0), by any
	// function of its stack (pass 1), or any other blocked one (pass 2).
	const struct gpm_goroutine *first = NULL;
	uint64_t awaited = 0;
	int pass = 0;
	for (; pass < 3 && !awaited && m1; pass++)
		for (size_t i = 0; i < inc->goroutines.len; i++) {
			const struct gpm_goroutine *h = &inc->goroutines.v[i];
			if (h == m1 || !gpm_rule_counted(h) || h->status != GPM_G_WAITING ||
			    (h->flags & GPM_GOROUTINE_SYSTEM) ||
			    gpm_rule_user_frame(inc, h, false) < 0)
				continue;
			const char *cb =
			    h->created_by != UINT32_MAX && h->created_by < inc->frames.len
			        ? inc->frames.v[h->created_by].func
			        : NULL;
			bool ok = pass == 2;
			if (pass == 0)
				ok = cb && cb == mfunc;
			for (uint32_t k = 0; pass == 1 && cb && k < mn && !ok; k++)
				ok = mfr[k].func == cb;
			if (!ok)
				continue;
			if (!awaited++)
				first = h;
		}
	pass--; // the pass that found them
	char *mname = m1 ? gpm_rule_func_text(inc, m1, mf) : NULL;
	char *mwhere = m1 ? gpm_rule_frame_text(inc, m1, mf) : NULL;
	char *fname =
	    first ? gpm_rule_func_text(inc, first, gpm_rule_user_frame(inc, first, false)) : NULL;
	char *fwhere =
	    first ? gpm_rule_frame_text(inc, first, gpm_rule_user_frame(inc, first, false)) : NULL;
	const char *mstate = m1 ? gpm_rule_state_of(m1) : "?";
	char mwait[96] = "[?]";
	enum gpm_sync_wait mw = GPM_SYNC_NONE;
	if (m1)
		wait_words(inc, m1, mf, mwait, sizeof(mwait), &mw);
	// Who could have woken it, had any goroutine been left.
	const char *waker = mw == GPM_SYNC_WAITGROUP    ? "call Done"
	                    : gpm_sync_wait_is_lock(mw) ? "unlock it"
	                    : mw == GPM_SYNC_COND       ? "signal it"
	                                                : "wake it";
	if (!m1 || !mname)
		gpm_rule_text(c, &f->title, "deadlock: all goroutines are asleep");
	else if (first && awaited == 1 && pass < 2)
		gpm_rule_text(c, &f->title,
		              "deadlock: all goroutines are asleep: %s waits %s for goroutine "
		              "%" PRIu64 " it started, blocked [%s] in %s",
		              mname, mwait, first->id, gpm_rule_state_of(first),
		              fname ? fname : "?");
	else if (first && pass < 2)
		gpm_rule_text(c, &f->title,
		              "deadlock: all goroutines are asleep: %s waits %s for %" PRIu64
		              " goroutines it started, blocked (the first [%s] in %s)",
		              mname, mwait, awaited, gpm_rule_state_of(first), fname ? fname : "?");
	else if (first)
		gpm_rule_text(c, &f->title,
		              "deadlock: all goroutines are asleep: %s waits %s; %" PRIu64
		              " other goroutine%s blocked (the first [%s] in %s)",
		              mname, mwait, awaited, awaited == 1 ? "" : "s",
		              gpm_rule_state_of(first), fname ? fname : "?");
	else
		gpm_rule_text(c, &f->title,
		              "deadlock: all goroutines are asleep: %s waits %s with no other "
		              "goroutine left to %s",
		              mname, mwait, waker);
	gpm_rule_text(c, &f->explanation,
	              "Every goroutine was blocked (on channels, mutexes, WaitGroups or "
	              "select) and no timer or network event could wake any of them, so "
	              "the runtime's deadlock check stopped the program.%s",
	              first && pass < 2 ? " The main goroutine waits for goroutines it started, "
	                                  "and they wait in turn: for a send, a receive or a "
	                                  "close that only the main goroutine, now blocked, "
	                                  "would have done (a channel never closed, a result "
	                                  "never read)."
	              : !first && gpm_sync_wait_is_lock(mw)
	                  ? " Nothing else runs, so nothing will unlock the mutex it waits for: "
	                    "it holds it itself (a second Lock in the same call chain; Go's "
	                    "mutexes are not reentrant), or a goroutine that has since ended "
	                    "returned without unlocking it."
	              : !first && mw == GPM_SYNC_WAITGROUP
	                  ? " Nothing else runs, so the WaitGroup's counter cannot reach zero: "
	                    "an Add has no matching Done (a path that returns or continues "
	                    "without it, or a goroutine never started)."
	              : !first ? " Nothing else runs: what it waits for (a send, a close, a "
	                         "Done, an Unlock) was never going to happen."
	                       : "");
	gpm_rule_text(c, &f->next,
	              "Start at %s: what should have woken it%s%s%s? Read the blocked groups "
	              "below: each waits for something only another blocked goroutine could do.",
	              mwhere ? mwhere : "the main goroutine", fwhere ? ", and at " : "",
	              fwhere ? fwhere : "", fwhere ? ", which waits in turn" : "");
	gpm_rule_evidence(c, f, "blocked", "%" PRIu64 " goroutines", blocked);
	if (m1)
		gpm_rule_evidence(c, f, m1->id == 1 ? "main goroutine" : "first blocked",
		                  "%" PRIu64 " [%s] in %s", m1->id, mstate, mwhere ? mwhere : "?");
	if (first)
		gpm_rule_evidence(c, f,
		                  pass == 0   ? "started by it"
		                  : pass == 1 ? "started by its callers"
		                              : "also blocked",
		                  "%s [%s] in %s%s", GPM_GOROUTINE_NAME(first),
		                  gpm_rule_state_of(first), fwhere ? fwhere : "?",
		                  awaited > 1 ? " (and others)" : "");
	if (c->group_of && m1)
		f->group = c->group_of[m1 - inc->goroutines.v];
	free(mname);
	free(mwhere);
	free(fname);
	free(fwhere);
}

static void rule_masked(struct gpm_rule_ctx *c, const struct gpm_goroutine *g,
                        const struct crash_site *cs, const char *fatal, const char *panic_msg,
                        bool nil_fault)
{
	const struct gpm_incident *inc = c->inc;
	struct gpm_finding *f = gpm_rule_finding_new(c, GPM_RULE_PANIC_MASKED);
	if (!f)
		return;
	// No frame of the program below panic(...): the input was cut there (a paste, a log
	// line limit), and the frame crash_site fell back to is the deferred call's.
	bool cut = cs->site < cs->panic;
	uint32_t nf;
	const struct gpm_frame *fr = gpm_goroutine_frames(inc, g, &nf);
	// What raised the panic when its value is not printed: the runtime function below
	// panic(...) (runtime.goPanicIndex: an index out of range).
	const char *kind = cs->panic >= 0 && (uint32_t)cs->panic + 1 < nf
	                       ? runtime_panic_kind(fr[cs->panic + 1].func)
	                       : NULL;
	char *where = cut ? strdup("the frames below panic(...), cut from this input")
	                  : gpm_rule_frame_text(inc, g, cs->site);
	char *fn = cut ? NULL : site_name(inc, g, cs->site);
	char *fatalfn = gpm_rule_func_text(inc, g, cs->fatal + 1);
	char *fs = gpm_rule_safe(fatal);
	// Go 1.27 prints a runtime error raised under a fatal error by its type and address,
	// "(runtime.boundsError) 0xc000012345": the runtime function's kind says more.
	if (panic_msg && kind && gpm_rule_starts(panic_msg, "(runtime."))
		panic_msg = NULL;
	char *pm = panic_msg ? gpm_rule_safe(panic_msg) : kind ? strdup(kind) : NULL;
	bool nil = nil_fault || (panic_msg && strstr(panic_msg, "nil pointer dereference"));
	if (cut)
		gpm_rule_text(c, &f->title,
		              "%s%s%s (its site is cut from the input), masked by fatal error: %s",
		              nil ? "nil pointer dereference" : "panic", !nil && pm ? ": " : "",
		              !nil && pm ? pm : "", fs ? fs : "?");
	else if (nil)
		gpm_rule_text(c, &f->title,
		              "nil pointer dereference in %s, masked by fatal error: %s",
		              fn ? fn : "?", fs ? fs : "?");
	else
		gpm_rule_text(c, &f->title, "panic%s%s in %s, masked by fatal error: %s",
		              pm ? ": " : "", pm ? pm : "", fn ? fn : "?", fs ? fs : "?");
	gpm_rule_text(
	    c, &f->explanation,
	    "While a panic unwound, a deferred call raised a fatal error, which cannot be "
	    "recovered and is what the runtime printed; the panic underneath it, shown as "
	    "panic(...) in the stack, is the original failure. A deferred Unlock of a mutex "
	    "that was already unlocked is the usual cause (the fatal error is a second bug, "
	    "reached only because of the first).");
	gpm_rule_text(c, &f->next,
	              "Look at %s, where the panic happened; then at why %s found the mutex (or "
	              "state) already released when the deferred call ran.",
	              where ? where : "?", fatalfn ? fatalfn : "?");
	gpm_rule_evidence(
	    c, f, "underlying panic", "%s%s", pm ? pm : (nil ? "nil pointer dereference" : "?"),
	    nil && pm && !strstr(pm, "nil pointer") ? " (nil pointer dereference)" : "");
	gpm_rule_evidence(c, f, "panic site", "%s", where ? where : "?");
	gpm_rule_evidence(c, f, "fatal error",
	                  "%s (raised in %s, a deferred call during the panic)", fs ? fs : "?",
	                  fatalfn ? fatalfn : "?");
	free(where);
	free(fn);
	free(fatalfn);
	free(fs);
	free(pm);
	gpm_rule_add_id(c, f, g->id);
	if (c->group_of && g >= inc->goroutines.v)
		f->group = c->group_of[g - inc->goroutines.v];
}

/* The test function a goroutine of `go test` runs (the frame tRunner called), -1 none. */
static int test_frame(const struct gpm_incident *inc, const struct gpm_goroutine *g, bool *parent)
{
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	*parent = false;
	int caller = -1; // the frame that called t.Run, for a stack cut before its tRunner
	for (uint32_t i = 0; i < n; i++) {
		if (f[i].func && !strcmp(f[i].func, "testing.(*T).Run")) {
			*parent = true; // waits for its subtests: not where the time goes
			if (caller < 0 && i + 1 < n && f[i + 1].func &&
			    !gpm_rule_starts(f[i + 1].func, "testing."))
				caller = (int)i + 1;
		}
		if (f[i].func && !strcmp(f[i].func, "testing.tRunner")) {
			// The frame tRunner called is the test, unless it is the testing
			// package's own (runTests.func1, tRunner.func1 waiting for parallel
			// subtests): no test of the program runs there.
			if (!i || (f[i - 1].func && gpm_rule_starts(f[i - 1].func, "testing.")))
				return -1;
			return (int)i - 1;
		}
	}
	return *parent && (!n || !f[n - 1].func || strcmp(f[n - 1].func, "main.main")) ? caller
	                                                                               : -1;
}

/* The innermost of tests go test -v started and never ended when they are one test and
 * the parents it runs in ("TestA", "TestA/sub"): its name; NULL when they are several. */
static const char *started_leaf(const char *list)
{
	const char *prev = list, *nl;
	while ((nl = strchr(prev, '\n'))) {
		const char *next = nl + 1;
		size_t pn = (size_t)(nl - prev);
		if (strncmp(next, prev, pn) || next[pn] != '/')
			return NULL;
		prev = next;
	}
	return prev;
}

/* The tests running at a timeout, one per line, into out: the panic's "running tests:"
 * list (names without their "(1s)"), else those go test -v started and never ended.
 * Returns whether there are any. */
static bool running_tests(const struct gpm_incident *inc, const char *m, char *out, size_t cap)
{
	size_t n = 0;
	const char *rt = strstr(m, "running tests:");
	if (rt) {
		rt += strlen("running tests:");
		for (;;) {
			while (*rt == '\n' || *rt == ' ' || *rt == '\t')
				rt++;
			if (!*rt)
				break;
			size_t k = strcspn(rt, " \n");
			if (n + k + 2 > cap)
				break;
			if (n)
				out[n++] = '\n';
			memcpy(out + n, rt, k);
			n += k;
			rt += k;
			rt += strcspn(rt, "\n");
		}
	} else if (inc->crash.tests_started) {
		size_t k = strlen(inc->crash.tests_started);
		if (k < cap) {
			memcpy(out, inc->crash.tests_started, k);
			n = k;
		}
	}
	out[n] = 0;
	return n > 0;
}

static void rule_test_timeout(struct gpm_rule_ctx *c, const struct gpm_panic *p)
{
	const struct gpm_incident *inc = c->inc;
	struct gpm_finding *f = gpm_rule_finding_new(c, GPM_RULE_TEST_TIMEOUT);
	if (!f)
		return;
	const char *m = p->message ? p->message : "";
	size_t first = strcspn(m, "\n");
	char *limit = gpm_safe_strndup(m, first > 200 ? 200 : first);
	char tests[512];
	const struct gpm_goroutine *stuck = NULL, *waiting = NULL;
	int sframe = -1, wframe = -1;
	unsigned shown = 0;
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		bool parent;
		int tf;
		if (!gpm_rule_counted(g) || (tf = test_frame(inc, g, &parent)) < 0)
			continue;
		if (parent) {
			// A test of the program waiting in t.Run for a subtest: named when
			// the subtest's own goroutine is not in the dump (a cut paste).
			if (!waiting) {
				waiting = g;
				wframe = tf;
			}
			continue;
		}
		gpm_rule_add_id(c, f, g->id);
		if (shown++ >= 6)
			continue;
		int uf = gpm_rule_user_frame(inc, g, false);
		char *test = gpm_rule_func_text(inc, g, tf);
		char *at = gpm_rule_frame_text(inc, g, uf);
		gpm_rule_evidence(c, f, "stuck test", "%s: %s [%s] in %s", test ? test : "?",
		                  GPM_GOROUTINE_NAME(g), gpm_rule_state_of(g), at ? at : "?");
		free(test);
		free(at);
		if (!stuck) {
			stuck = g;
			sframe = tf;
		}
	}
	if (stuck) {
		char *test = gpm_rule_func_text(inc, stuck, sframe);
		char *at = gpm_rule_frame_text(inc, stuck, gpm_rule_user_frame(inc, stuck, false));
		gpm_rule_text(c, &f->title, "test timed out: %s blocked [%s] in %s%s",
		              test ? test : "?", gpm_rule_state_of(stuck), at ? at : "?",
		              shown > 1 ? " (and more tests)" : "");
		gpm_rule_text(
		    c, &f->next,
		    "Look at %s: what it waits for and who should have done it (a missing "
		    "send, close, Unlock or Done, or a call without a deadline).",
		    at ? at : "?");
		if (c->group_of && stuck >= inc->goroutines.v)
			f->group = c->group_of[stuck - inc->goroutines.v];
		free(test);
		free(at);
	} else if (waiting) {
		char *test = gpm_rule_func_text(inc, waiting, wframe);
		char *at = gpm_rule_frame_text(inc, waiting, wframe);
		uint32_t wn;
		const struct gpm_frame *wf = gpm_goroutine_frames(inc, waiting, &wn);
		char *file = wf[wframe].file ? gpm_rule_safe(wf[wframe].file) : NULL;
		gpm_rule_text(c, &f->title,
		              "test timed out: %s waits for a subtest it started (%s:%u); the "
		              "subtest's goroutine is not in the dump",
		              test ? test : "?", file ? file : "?", wf[wframe].line);
		free(file);
		gpm_rule_text(c, &f->next,
		              "Look at the subtest %s starts at %s: its goroutine (under "
		              "testing.tRunner) shows where it waits; get the whole output if "
		              "it was cut.",
		              test ? test : "?", at ? at : "?");
		gpm_rule_evidence(c, f, "waiting test", "%s: %s [%s] in %s", test ? test : "?",
		                  GPM_GOROUTINE_NAME(waiting), gpm_rule_state_of(waiting),
		                  at ? at : "?");
		gpm_rule_add_id(c, f, waiting->id);
		if (c->group_of && waiting >= inc->goroutines.v)
			f->group = c->group_of[waiting - inc->goroutines.v];
		free(test);
		free(at);
	} else if (running_tests(inc, m, tests, sizeof(tests)) && started_leaf(tests)) {
		// One test still running (with the parents it runs in): the stuck one, its
		// goroutine cut from the input.
		const char *leaf = started_leaf(tests);
		char *t = gpm_safe_strndup(leaf, strnlen(leaf, 200));
		gpm_rule_text(c, &f->title,
		              "%s in %s (still running at the timeout; its goroutine is not in the "
		              "dump)",
		              limit ? limit : "test timed out", t ? t : "?");
		gpm_rule_text(c, &f->next,
		              "Look at %s: get the whole output of the timed-out run (every "
		              "goroutine) to see where it waits.",
		              t ? t : "?");
		free(t);
	} else {
		gpm_rule_text(c, &f->title, "%s", limit ? limit : "test timed out");
		gpm_rule_text(c, &f->next,
		              "Read the running tests list and their goroutines below.");
	}
	gpm_rule_text(
	    c, &f->explanation,
	    "go test stopped the test binary after its -timeout. The goroutine that printed "
	    "the panic is the testing package's alarm (testing.(*M).startAlarm), not the "
	    "culprit: the stuck test is the one still running in its own goroutine under "
	    "testing.tRunner (tests waiting only for their subtests are skipped).");
	gpm_rule_evidence(c, f, "timeout", "%s", limit ? limit : "?");
	// "running tests:" as printed, when the reader kept it with the message.
	const char *rt = strstr(m, "running tests:");
	if (rt) {
		// Each test of the list with its time: "TestA (1m0s), TestA/sub (1m0s)".
		char list[256];
		size_t n = 0;
		rt += strlen("running tests:");
		for (;;) {
			while (*rt == '\n' || *rt == ' ' || *rt == '\t')
				rt++;
			size_t k = strcspn(rt, "\n");
			if (!k || n + k + 3 > sizeof(list))
				break;
			if (n) {
				list[n++] = ',';
				list[n++] = ' ';
			}
			memcpy(list + n, rt, k);
			n += k;
			rt += k;
		}
		char *s = gpm_safe_strndup(list, n);
		gpm_rule_evidence(c, f, "running tests", "%s", s ? s : "?");
		free(s);
	} else if (inc->crash.tests_started) {
		// Go before 1.20 printed no list: go test -v's "=== RUN" lines without their end.
		char list[256];
		size_t n = 0;
		for (const char *q = inc->crash.tests_started; *q && n + 3 < sizeof(list); q++) {
			if (*q == '\n')
				list[n++] = ',';
			list[n++] = *q == '\n' ? ' ' : *q;
		}
		char *s = gpm_safe_strndup(list, n);
		gpm_rule_evidence(c, f, "running tests", "%s (=== RUN without --- PASS/FAIL)",
		                  s ? s : "?");
		free(s);
	}
	free(limit);
}

/* Whether one of g's first n frames is fn. */
static bool has_func_before(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                            const char *fn, int n)
{
	uint32_t nf;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &nf);
	for (uint32_t i = 0; i < nf && (int)i < n; i++)
		if (f[i].func && !strcmp(f[i].func, fn))
			return true;
	return false;
}

/* Whether g's stack starts at runtime/debug.Stack or PrintStack: printed by the program. */
static bool stack_printed(const struct gpm_incident *inc, const struct gpm_goroutine *g)
{
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	return n && f[0].func &&
	       (!strcmp(f[0].func, "runtime/debug.Stack") ||
	        !strcmp(f[0].func, "runtime/debug.PrintStack"));
}

/*
 * A panic being handled: one panic frame and, above it, the program's own deferred call
 * still running (no second panic, throw or fault) — a stack printed from a deferred recover
 * (runtime/debug.Stack in a defer, net/http's "http: panic serving"). The runtime's own crash
 * output shows the same when a deferred call panics again or faults (the runtime hides
 * the second panic's frames): only a logged recovery ("http: panic serving") or the same
 * stack more than once in the input (a goroutine dies once) tells them apart.
 */
static bool handled_panic(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                          const struct crash_site *cs)
{
	if (cs->npanics < 1 || cs->panic <= 0 || cs->fatal >= 0 || cs->top < 0 ||
	    cs->top >= cs->panic)
		return false;
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	for (int i = 0; i < cs->panic; i++) {
		// A recover wrapper that panicked again with what it caught (a middleware that
		// logs and re-panics, text/template's errRecover): a panic frame between two of
		// the program's deferred calls, the wrapper's below it, the recoverer's above.
		bool rethrown =
		    is_panic_func(f[i].func) && i > 0 && !is_crash_func(f[i - 1].func) &&
		    !gpm_rule_is_runtime(f[i - 1].func) && !is_crash_func(f[i + 1].func) &&
		    !gpm_rule_is_runtime(f[i + 1].func);
		if (is_crash_func(f[i].func) && !rethrown)
			return false;
	}
	return true;
}

/* The outermost panic frame of a handled panic (the one its recoverer caught). */
static int outer_panic(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                       const struct crash_site *cs)
{
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	for (int i = 0; i < cs->panic; i++)
		if (is_panic_func(f[i].func))
			return i;
	return cs->panic;
}

/* How many goroutines that count have g's stack. */
static size_t same_stack(const struct gpm_incident *inc, const struct gpm_goroutine *g)
{
	size_t n = 0;
	for (size_t i = 0; i < inc->goroutines.len; i++)
		n += inc->goroutines.v[i].stack == g->stack &&
		     gpm_rule_counted(&inc->goroutines.v[i]);
	return n;
}

/* The first three distinct values a recover logged, each with how often (linear: a log
 * may hold thousands), and how many more. */
static void logged_values(struct gpm_rule_ctx *c, struct gpm_finding *f, const struct gpm_crash *cr)
{
	const char *vals[3];
	size_t counts[3], nvals = 0, other = 0;
	for (size_t i = 0; i < cr->recovered.len; i++) {
		size_t k = 0;
		while (k < nvals && strcmp(vals[k], cr->recovered.v[i]))
			k++;
		if (k < nvals)
			counts[k]++;
		else if (nvals < 3)
			vals[nvals] = cr->recovered.v[i], counts[nvals++] = 1;
		else
			other++;
	}
	for (size_t k = 0; k < nvals; k++)
		if (counts[k] > 1)
			gpm_rule_evidence(c, f, "logged value", "%s (%zu times)", vals[k],
			                  counts[k]);
		else
			gpm_rule_evidence(c, f, "logged value", "%s", vals[k]);
	if (other)
		gpm_rule_evidence(c, f, "logged value", "... and %zu more with other values",
		                  other);
}

/* The recovered panic of handled_panic: where it happened, who recovered it, how often the
 * same stack was logged, and the values net/http printed. */
static void rule_recovered(struct gpm_rule_ctx *c, const struct gpm_goroutine *g,
                           const struct crash_site *cs, const char *printed)
{
	const struct gpm_incident *inc = c->inc;
	struct gpm_finding *f = gpm_rule_finding_new(c, GPM_RULE_CRASH_RECOVERED);
	if (!f)
		return;
	size_t times = 0;
	for (size_t i = 0; i < inc->goroutines.len; i++)
		if (inc->goroutines.v[i].stack == g->stack &&
		    gpm_rule_counted(&inc->goroutines.v[i])) {
			gpm_rule_add_id(c, f, inc->goroutines.v[i].id);
			times++;
		}
	char *where = gpm_rule_frame_text(inc, g, cs->site);
	char *fn = site_name(inc, g, cs->site);
	// The deferred call right above the outermost panic; its function without ".funcN"
	// recovered. A wrapper below it that panicked again re-raised the first panic.
	int outer = outer_panic(inc, g, cs);
	char *by = gpm_rule_func_text(inc, g, outer - 1);
	char *reraised = outer < cs->panic ? gpm_rule_func_text(inc, g, outer + 1) : NULL;
	char *recoverer = by ? strdup(by) : NULL;
	// Without its closures' suffixes: ".func1", and Go 1.21's nested ".func1.1".
	for (char *dot; recoverer && (dot = strrchr(recoverer, '.')) && dot > recoverer;) {
		const char *d = dot + 1 + (strncmp(dot + 1, "func", 4) ? 0 : 4);
		if (!*d || strspn(d, "0123456789") != strlen(d))
			break;
		*dot = 0;
	}
	const struct gpm_crash *cr = &inc->crash;
	const char *value = cr->recovered.len ? cr->recovered.v[0] : printed;
	bool http = recoverer && !strcmp(recoverer, "net/http.(*conn).serve");
	char often[48] = "";
	if (times > 1)
		snprintf(often, sizeof(often), "; %zu times in this input", times);
	gpm_rule_text(c, &f->title, "recovered panic in %s%s%s (%s recovered it%s)", fn ? fn : "?",
	              value ? ": " : "", value ? value : "",
	              http        ? "net/http"
	              : recoverer ? recoverer
	                          : "a deferred call",
	              often);
	gpm_rule_text(
	    c, &f->explanation,
	    "The stack was printed while a deferred call (%s) handled a panic: a panic frame, "
	    "and above it the deferred function still running, with no fault or fatal error "
	    "(a second panic frame only where a wrapper recovered and panicked again). "
	    "That is the shape of a recover that logs the stack%s; the process most likely "
	    "kept running, but every request or task that reaches %s fails the same way.",
	    by ? by : "?",
	    http ? " (net/http logs \"http: panic serving ADDR: VALUE\" and closes that "
	           "connection)"
	         : "",
	    where ? where : "?");
	gpm_rule_text(c, &f->next, "Fix the panic at %s%s%s.", where ? where : "?",
	              value ? ": " : "", value ? value : "");
	goroutine_evidence(c, f, g, "");
	gpm_rule_evidence(c, f, "frame", "%s", where ? where : "?");
	gpm_rule_evidence(c, f, "recovered by", "%s (deferred %s)", recoverer ? recoverer : "?",
	                  by ? by : "?");
	if (reraised)
		gpm_rule_evidence(c, f, "re-raised by",
		                  "%s, a deferred call that recovered the first panic and panicked "
		                  "again (%d panic frames)",
		                  reraised, cs->npanics);
	logged_values(c, f, cr);
	if (printed) {
		char *top = gpm_rule_func_text(inc, g, 0);
		gpm_rule_evidence(c, f, "printed by",
		                  "the program: the stack starts at %s, which the runtime's own "
		                  "crash output never shows, and the \"panic: \" line above it "
		                  "is the program's",
		                  top ? top : "?");
		free(top);
	}
	if (times > 1)
		gpm_rule_evidence(c, f, "same stack", "%zu goroutines", times);
	if (c->group_of && g >= inc->goroutines.v)
		f->group = c->group_of[g - inc->goroutines.v];
	free(where);
	free(fn);
	free(by);
	free(reraised);
	free(recoverer);
}

/*
 * A "runtime stack:" section pasted without the "fatal error:" line above it: runtime.throw
 * called from the code that grows the heap (runtime.sysMap, (*mheap).grow, sysAlloc,
 * (*mcache).refill) is the runtime running out of memory; from runtime.newstack, a stack
 * overflow. Only the function names decide; the finding says the message was not read.
 */
static void rule_runtime_stack_only(struct gpm_rule_ctx *c)
{
	const struct gpm_incident *inc = c->inc;
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		if (!(g->flags & GPM_GOROUTINE_RUNTIME_STACK))
			continue;
		uint32_t n;
		const struct gpm_frame *fr = gpm_goroutine_frames(inc, g, &n);
		bool thrown = false, oom = false, overflow = false;
		const char *from = NULL;
		for (uint32_t k = 0; k < n && k < 32; k++) {
			const char *fn = fr[k].func;
			if (!fn)
				continue;
			if (!strcmp(fn, "runtime.throw") || !strcmp(fn, "runtime.fatal"))
				thrown = true;
			else if (thrown && !from &&
			         (!strcmp(fn, "runtime.sysMap") || strstr(fn, "mheap).grow") ||
			          strstr(fn, "mheap).sysAlloc") || strstr(fn, "mcache).refill") ||
			          !strcmp(fn, "runtime.mHeap_Grow")))
				oom = true, from = fn;
			else if (thrown && !from && !strcmp(fn, "runtime.newstack"))
				overflow = true, from = fn;
		}
		if (!oom && !overflow)
			continue;
		struct gpm_finding *f =
		    gpm_rule_finding_new_as(c, oom ? GPM_RULE_OOM : GPM_RULE_STACK_OVERFLOW,
		                            GPM_SEVERITY_CRITICAL, GPM_CONFIDENCE_LIKELY);
		if (!f)
			return;
		char *src = gpm_rule_safe(from);
		gpm_rule_text(c, &f->title,
		              "%s: runtime.throw called from %s (the fatal error line is not in "
		              "the input)",
		              oom ? "out of memory" : "stack overflow", src ? src : "?");
		gpm_rule_text(
		    c, &f->explanation,
		    "The input starts at the runtime's own stack (\"runtime stack:\"); the "
		    "\"fatal error:\" line printed above it is missing. The runtime threw "
		    "from %s, which it does only when %s.",
		    src ? src : "?",
		    oom ? "the operating system refuses it more memory"
		        : "a goroutine's stack has passed its limit");
		gpm_rule_text(c, &f->next,
		              oom ? "Look at what grows without bound (a heap profile shows who "
		                    "holds the memory); the log above these lines has the message."
		                  : "Find the recursion in the goroutine printed after the runtime "
		                    "stack; the log above these lines has the message.");
		gpm_rule_evidence(c, f, "runtime stack", "runtime.throw from %s", src ? src : "?");
		free(src);
		return;
	}
}

/* net/http's "http: panic serving ADDR: VALUE" with no stack the reader could place (cut
 * from the paste, or printed in a shape it did not read): the value and how often. */
/* A goroutine whose stack starts in net/http's recoverer with no panic frame below it (a
 * paste that lost those lines; old runtimes): the first frame below it outside the
 * runtime is where the handler panicked. Its index in *site, -1 when none. */
static const struct gpm_goroutine *recoverer_stack(const struct gpm_incident *inc, int *site)
{
	*site = -1;
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		uint32_t n;
		const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
		if (!gpm_rule_counted(g) || n < 2 || !f[0].func ||
		    strcmp(f[0].func, "net/http.(*conn).serve.func1"))
			continue;
		for (uint32_t k = 1; k < n && k < 64; k++) {
			if (is_crash_func(f[k].func))
				return NULL; // a panic frame: handled_panic's shape, not this one
			if (!(f[k].flags & GPM_FRAME_ELIDED) && !gpm_rule_is_runtime(f[k].func)) {
				*site = (int)k;
				return g;
			}
		}
	}
	return NULL;
}

static void rule_recovered_logged(struct gpm_rule_ctx *c)
{
	const struct gpm_crash *cr = &c->inc->crash;
	int at;
	const struct gpm_goroutine *g = recoverer_stack(c->inc, &at);
	struct gpm_finding *f = gpm_rule_finding_new(c, GPM_RULE_CRASH_RECOVERED);
	if (!f)
		return;
	if (g) {
		char *v = gpm_rule_safe(cr->recovered.v[0]);
		char *name = site_name(c->inc, g, at);
		char *where = gpm_rule_frame_text(c->inc, g, at);
		gpm_rule_text(c, &f->title, "recovered panic in %s: %s (net/http recovered it)",
		              name ? name : "?", v ? v : "?");
		gpm_rule_text(
		    c, &f->explanation,
		    "net/http logged \"http: panic serving ADDR: VALUE\" and the stack of the "
		    "handler: it panicked, the server recovered it and closed that connection, and "
		    "the process went on. The stack starts at net/http's deferred recover with no "
		    "panic frame below it (left out of the paste, or an old runtime): the next "
		    "frame is where the handler panicked.");
		gpm_rule_text(c, &f->next, "Fix the panic at %s: %s.", where ? where : "?",
		              v ? v : "?");
		goroutine_evidence(c, f, g, "");
		gpm_rule_evidence(c, f, "frame", "%s", where ? where : "?");
		gpm_rule_evidence(c, f, "recovered by", "net/http.(*conn).serve.func1");
		gpm_rule_evidence(c, f, "logged value", "%s", v ? v : "?");
		gpm_rule_add_id(c, f, g->id);
		if (c->group_of)
			f->group = c->group_of[g - c->inc->goroutines.v];
		free(v);
		free(name);
		free(where);
		return;
	}
	char *v = gpm_rule_safe(cr->recovered.v[0]);
	size_t same = 0;
	for (size_t i = 0; i < cr->recovered.len; i++)
		same += !strcmp(cr->recovered.v[i], cr->recovered.v[0]);
	gpm_rule_text(c, &f->title,
	              "recovered panic in an HTTP handler: %s (net/http recovered it; the stack is "
	              "not in the input)",
	              v ? v : "?");
	gpm_rule_text(
	    c, &f->explanation,
	    "net/http logged \"http: panic serving ADDR: VALUE\": a handler panicked, the "
	    "server recovered it and closed that connection, and the process went on. "
	    "The stack it logs after that line is not in this input.");
	gpm_rule_text(c, &f->next,
	              "Find the stack logged right after the \"http: panic serving\" line: its "
	              "first frame of the program is where the handler panicked.");
	gpm_rule_evidence(c, f, "logged value", "%s%s", v ? v : "?", "");
	if (same > 1)
		gpm_rule_evidence(c, f, "times", "%zu", same);
	if (cr->recovered.len > same)
		gpm_rule_evidence(c, f, "other values", "%zu", cr->recovered.len - same);
	free(v);
}

/*
 * A crash pasted without its panic line, as most are from Go 1.17 on: the runtime does not
 * print the panic's own frames for the goroutine that panicked, so its stack starts in the
 * program's code ("goroutine 1 [running]:" then main.f). The input holds one goroutine,
 * running, whose innermost frame is the program's (or a library function that panics for
 * its caller, sync.(*WaitGroup).Add), with no signal and no message: the shape of a crash
 * at the default GOTRACEBACK=single with its first lines left out. runtime.Stack printed
 * on purpose looks the same, so the finding is MEDIUM and HEURISTIC and says so.
 */
static void rule_running_only(struct gpm_rule_ctx *c)
{
	const struct gpm_incident *inc = c->inc;
	const struct gpm_goroutine *g = NULL;
	size_t counted = 0, gi = 0;
	for (size_t i = 0; i < inc->goroutines.len && counted < 2; i++)
		if (gpm_rule_counted(&inc->goroutines.v[i]) && !counted++) {
			g = &inc->goroutines.v[i];
			gi = i;
		}
	if (counted != 1 || g->status != GPM_G_RUNNING || inc->crash.signo || inc->crash.signame ||
	    inc->crash.recovered.len)
		return;
	uint32_t n;
	const struct gpm_frame *fr = gpm_goroutine_frames(inc, g, &n);
	if (!n || (fr[0].flags & GPM_FRAME_ELIDED) || !fr[0].func ||
	    gpm_rule_is_runtime(fr[0].func))
		return;
	int site = gpm_frame_class_is_user(gpm_rule_frame_class(fr[0].func))
	               ? 0
	               : program_caller(inc, g, 0);
	if (site < 0)
		return;
	const char *lib = NULL;
	for (int i = 0; i < site && !lib; i++)
		lib = library_crash_kind(fr[i].func);
	struct gpm_finding *f = gpm_rule_finding_new_as(
	    c, GPM_RULE_CRASH_STACK_ONLY, GPM_SEVERITY_MEDIUM, GPM_CONFIDENCE_HEURISTIC);
	if (!f)
		return;
	char *where = gpm_rule_frame_text(inc, g, site);
	char *name = site_name(inc, g, 0);
	char *top = gpm_rule_func_text(inc, g, 0);
	gpm_rule_text(c, &f->title,
	              "crash in %s? %s was running there%s%s%s (no panic line in the input)",
	              name ? name : "?", GPM_GOROUTINE_NAME(g), lib ? " (likely \"" : "",
	              lib ? lib : "", lib ? "\")" : "");
	gpm_rule_text(
	    c, &f->explanation,
	    "The input is one running goroutine's stack with nothing before it: no \"panic:\" "
	    "or \"fatal error:\" line, no signal. A Go program that crashes prints just that "
	    "(GOTRACEBACK=single, the default), and from Go 1.17 the panicking goroutine's stack "
	    "starts at the code that panicked, so a paste that left out the first lines looks "
	    "like this; runtime.Stack printed on purpose looks the same, hence the question.%s",
	    lib ? " Its innermost frame is a library function that panics when its caller "
	          "misuses it."
	        : "");
	gpm_rule_text(c, &f->next,
	              "Look at %s; the panic value is on the lines printed just before this "
	              "stack in the log.",
	              where ? where : "?");
	goroutine_evidence(c, f, g, ", the only one in the input");
	gpm_rule_evidence(c, f, "frame", "%s", where ? where : "?");
	if (site > 0)
		gpm_rule_evidence(c, f, "innermost frame", "%s%s%s", top ? top : "?",
		                  lib ? ", which raises " : "", lib ? lib : "");
	gpm_rule_evidence(c, f, "checked",
	                  "no panic or fatal error line, no signal, no other "
	                  "goroutine");
	gpm_rule_add_id(c, f, g->id);
	if (c->group_of)
		f->group = c->group_of[gi];
	free(where);
	free(name);
	free(top);
}

/* Frame i of a stack read from the old debug.Stack format: its function, or its package
 * and file ("gorm.io/gorm (gorm.go:399)") when the name was not printed ("PKG.?");
 * malloc'd. */
static char *classic_where(const struct gpm_incident *inc, const struct gpm_goroutine *g, int i)
{
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	if (i < 0 || (uint32_t)i >= n)
		return NULL;
	size_t fl = f[i].func ? strlen(f[i].func) : 0;
	if (fl >= 2 && !strcmp(f[i].func + fl - 2, ".?") && f[i].file) {
		char *pkg = gpm_rule_safe(f[i].func), *r = NULL;
		const char *base = strrchr(f[i].file, '/');
		if (pkg)
			pkg[strlen(pkg) - 2] = 0;
		if (asprintf(&r, "%s (%s:%" PRIu32 ")", pkg ? pkg : "?",
		             base ? base + 1 : f[i].file, f[i].line) < 0)
			r = NULL;
		free(pkg);
		return r;
	}
	return gpm_rule_func_text(inc, g, i);
}

/* Whether a frame's file is the program's own: not GOROOT's, the module cache's (a path
 * with "@version") or a vendored copy. */
static bool classic_own(const struct gpm_frame *f)
{
	enum gpm_frame_class k = gpm_rule_frame_class(f->func);
	return gpm_frame_class_is_user(k) && f->file && !strchr(f->file, '@') &&
	       !strstr(f->file, "/vendor/");
}

/*
 * Stacks a recover logged in the format of Go's first runtime/debug.Stack, as gin's and
 * martini's Recovery middleware print them (GPM_GOROUTINE_RECOVER_LOG): the request
 * failed and the process went on. The stack starts at the panic's caller, after the
 * runtime's frames when the runtime raised it: the site is the first frame outside the
 * runtime, and the program's own first frame is named too when the site is a library's.
 * The recoverer is the frame of a recovery.go or of a function named Recover*. Whether a
 * finding was made.
 */
static bool rule_recovered_classic(struct gpm_rule_ctx *c)
{
	const struct gpm_incident *inc = c->inc;
	const struct gpm_goroutine *g = NULL;
	size_t logged = 0, same = 0;
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		const struct gpm_goroutine *h = &inc->goroutines.v[i];
		if (!(h->flags & GPM_GOROUTINE_RECOVER_LOG))
			continue;
		logged++;
		if (!g)
			g = h;
		same += h->stack == g->stack;
	}
	if (!g)
		return false;
	uint32_t n;
	const struct gpm_frame *fr = gpm_goroutine_frames(inc, g, &n);
	int site = -1, own = -1, by = -1;
	bool unnamed = false;
	for (uint32_t k = 0; k < n && k < 256; k++) {
		const char *fn = fr[k].func ? fr[k].func : "";
		size_t fl = strlen(fn);
		unnamed |= fl >= 2 && !strcmp(fn + fl - 2, ".?");
		if (site < 0 && gpm_rule_frame_class(fn) != GPM_FRAME_CLASS_RUNTIME)
			site = (int)k;
		if (site >= 0 && own < 0 && classic_own(&fr[k]))
			own = (int)k;
		const char *base = fr[k].file ? strrchr(fr[k].file, '/') : NULL;
		base = base ? base + 1 : fr[k].file;
		if (by < 0 && site >= 0 &&
		    ((base && (!strcmp(base, "recovery.go") || !strcmp(base, "recover.go"))) ||
		     strstr(fn, "Recover")))
			by = (int)k;
	}
	if (site < 0)
		return false;
	struct gpm_finding *f = gpm_rule_finding_new(c, GPM_RULE_CRASH_RECOVERED);
	if (!f)
		return true;
	char *where = classic_where(inc, g, site);
	char *caller = own > site ? classic_where(inc, g, own) : NULL;
	char *at = gpm_rule_frame_text(inc, g, site);
	char *mine = own > site ? gpm_rule_frame_text(inc, g, own) : NULL;
	char *rec = by >= 0 ? classic_where(inc, g, by) : NULL;
	char *pkg = NULL;
	if (by >= 0 && fr[by].func) {
		size_t pl = gpm_frame_package_len(fr[by].func);
		pkg = pl ? strndup(fr[by].func, pl) : NULL;
	}
	const struct gpm_crash *cr = &inc->crash;
	char *value = cr->recovered.len ? gpm_rule_safe(cr->recovered.v[0]) : NULL;
	char often[64] = "";
	if (logged > 1)
		snprintf(often, sizeof(often), "; %zu stacks logged in this input", logged);
	gpm_rule_text(c, &f->title, "recovered panic in %s%s%s%s%s (%s recovered it%s)",
	              where ? where : "?", caller ? " called from " : "", caller ? caller : "",
	              value ? ": " : "", value ? value : "", pkg ? pkg : "a recover", often);
	gpm_rule_text(
	    c, &f->explanation,
	    "A recover%s%s caught this panic and logged its stack in a recover middleware's "
	    "own format, not the runtime's (gin's and martini's Recovery print Go's first "
	    "runtime/debug.Stack format, \"FILE:LINE (0xPC)\" per frame; chi's Recoverer "
	    "marks the first frame \"->\"): the request or task that reached %s failed, and "
	    "the process most likely went on. The stack starts where the panic was raised%s.%s",
	    rec ? " in " : "", rec ? rec : "", where ? where : "?",
	    site > 0 ? ", after the runtime's own frames" : "",
	    unnamed ? " Function names were not printed (that format names a function only when "
	              "its source file can be read where the program runs): frames are named by "
	              "their package and file."
	            : "");
	gpm_rule_text(c, &f->next, "Fix the panic at %s%s%s%s.",
	              mine ? mine
	              : at ? at
	                   : "?",
	              mine ? " (the program's own frame under it)" : "", value ? ": " : "",
	              value ? value : "");
	goroutine_evidence(c, f, g, "");
	gpm_rule_evidence(c, f, "frame", "%s", at ? at : "?");
	if (mine)
		gpm_rule_evidence(c, f, "program frame", "%s", mine);
	if (rec)
		gpm_rule_evidence(c, f, "recovered by", "%s", rec);
	logged_values(c, f, cr);
	if (same > 1)
		gpm_rule_evidence(c, f, "same stack", "%zu times", same);
	if (c->group_of)
		f->group = c->group_of[g - inc->goroutines.v];
	free(where);
	free(caller);
	free(at);
	free(mine);
	free(rec);
	free(pkg);
	free(value);
	return true;
}

/* A stack pasted without its "panic:"/"fatal error:" line: the first goroutine that died
 * in a runtime crash function. */
static void rule_stack_only(struct gpm_rule_ctx *c)
{
	const struct gpm_incident *inc = c->inc;
	if (rule_recovered_classic(c))
		return;
	// The verdict depends on the frames only: each distinct stack is looked at once.
	uint8_t *seen = calloc(inc->stacks.len / 8 + 1, 1);
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		if (!gpm_rule_counted(g) || g->status == GPM_G_WAITING)
			continue;
		uint32_t st = g->stack;
		bool memo = seen && st < inc->stacks.len;
		if (memo && (seen[st / 8] & (1u << (st % 8))))
			continue;
		struct crash_site cs;
		crash_site(inc, g, &cs);
		// A goroutine merely running map code when a live process was snapshot is not
		// dying: a panic, a throw or a fault must be among its frames.
		if (cs.died_in < 0 || cs.site < 0 || cs.died_in > 16 ||
		    (cs.panic < 0 && cs.fatal < 0 &&
		     !has_func_before(inc, g, "runtime.sigpanic", cs.site))) {
			if (memo)
				seen[st / 8] |= (uint8_t)(1u << (st % 8));
			continue;
		}
		free(seen);
		if (handled_panic(inc, g, &cs) &&
		    (inc->crash.recovered.len || same_stack(inc, g) > 1 || stack_printed(inc, g))) {
			rule_recovered(c, g, &cs, NULL);
			return;
		}
		struct gpm_finding *f = gpm_rule_finding_new(c, GPM_RULE_CRASH_STACK_ONLY);
		if (!f)
			return;
		char *where = gpm_rule_frame_text(inc, g, cs.site);
		char *fn = gpm_rule_func_text(inc, g, cs.site);
		char *died = gpm_rule_func_text(inc, g, cs.died_in);
		const char *how = is_panic_func(died) || gpm_rule_starts(died, "runtime.panic") ||
		                          gpm_rule_starts(died, "runtime.goPanic")
		                      ? "a panic"
		                  : gpm_rule_starts(died, "runtime.mapassign")
		                      ? "a map write the runtime refused"
		                  : gpm_rule_starts(died, "runtime.sigpanic") ? "a fault (signal)"
		                                                              : "a fatal error";
		bool plain = died && (!strcmp(died, "panic") || !strcmp(died, "runtime.gopanic"));
		gpm_rule_text(
		    c, &f->title, "crash in %s: died in %s (%s%sthe message is not in the input)",
		    fn ? fn : "?", died ? died : "?", plain ? "" : how, plain ? "" : "; ");
		gpm_rule_text(
		    c, &f->explanation,
		    "The input has goroutine stacks but not the lines the runtime prints before "
		    "them (\"panic: ...\", \"fatal error: ...\"), as when a stack is pasted from a "
		    "log. Here %s was in %s called from the program's own code, so that is "
		    "where it died; the message itself is in the log above the stacks.",
		    GPM_GOROUTINE_NAME(g), died ? died : "?");
		gpm_rule_text(
		    c, &f->next,
		    "Look at %s; find the panic or fatal error line printed just before these "
		    "stacks for the value.",
		    where ? where : "?");
		goroutine_evidence(c, f, g, "");
		gpm_rule_evidence(c, f, "frame", "%s", where ? where : "?");
		gpm_rule_evidence(c, f, "runtime function", "%s", died ? died : "?");
		if (cs.top >= 0 && cs.top < cs.site && cs.npanics) {
			char *later = gpm_rule_frame_text(inc, g, cs.top);
			gpm_rule_evidence(c, f, "panicked again",
			                  "in %s, while the first panic unwound",
			                  later ? later : "?");
			free(later);
		}
		gpm_rule_add_id(c, f, g->id);
		if (c->group_of)
			f->group = c->group_of[i];
		free(where);
		free(fn);
		free(died);
		return;
	}
	free(seen);
	size_t before = c->a->findings.len;
	rule_running_only(c);
	if (c->a->findings.len == before && inc->crash.recovered.len)
		rule_recovered_logged(c);
	if (c->a->findings.len == before)
		rule_runtime_stack_only(c);
}

/*
 * SIGBUS at an address that is not nil and not a poison pattern: the address is mapped but
 * no page can back it. With BUS_ADRERR (code 2) that is a memory-mapped file accessed past
 * its end (truncated or replaced after mmap) or a read of the mapping that failed (an I/O
 * error, a full tmpfs); BUS_ADRALN (1) is a misaligned access. Not memory corruption: the
 * pointer is valid, what it maps is gone. The frames are searched for an mmap'd reader.
 */
/* Whether h contains n (lower case, ASCII) ignoring case; false for NULL. */
static bool has_ci(const char *h, const char *n)
{
	size_t ln = strlen(n);
	for (; h && *h; h++) {
		size_t k = 0;
		while (k < ln && h[k] && (h[k] | 0x20) == n[k])
			k++;
		if (k == ln)
			return true;
	}
	return false;
}

static struct gpm_finding *bus_error(struct gpm_rule_ctx *c, const struct gpm_goroutine *g, int uf,
                                     uint64_t addr, int64_t code, const char *site,
                                     const char *where)
{
	const struct gpm_incident *inc = c->inc;
	struct gpm_finding *f = gpm_rule_finding_new(c, GPM_RULE_SIGNAL_BUS);
	if (!f)
		return NULL;
	bool align = code == 1;
	// A frame whose function or file names a mapping (mmap_span.copyBytes, bbolt's mmap).
	char *mapped = NULL;
	uint32_t n = 0;
	const struct gpm_frame *fr = g ? gpm_goroutine_frames(inc, g, &n) : NULL;
	for (uint32_t i = 0; i < n && i < 32 && !mapped; i++) {
		const char *fn = fr[i].func, *file = fr[i].file;
		if (has_ci(fn, "mmap") || has_ci(fn, "mapped") || has_ci(file, "mmap"))
			mapped = gpm_rule_frame_text(inc, g, (int)i);
	}
	if (align)
		gpm_rule_text(c, &f->title,
		              "bus error (SIGBUS) in %s: a misaligned access at %#" PRIx64,
		              site ? site : "an unknown frame", addr);
	else
		gpm_rule_text(c, &f->title,
		              "bus error (SIGBUS) in %s: memory-mapped data whose file no longer "
		              "backs it (truncated after mmap, or an I/O error)",
		              site ? site : "code not in the input");
	if (align)
		gpm_rule_text(c, &f->explanation,
		              "The kernel sent SIGBUS with code 1 (BUS_ADRALN): an access the "
		              "processor cannot make at that alignment, usually through unsafe or "
		              "assembly code.");
	else
		gpm_rule_text(
		    c, &f->explanation,
		    "The kernel sent SIGBUS%s for %#" PRIx64
		    ", an address that is mapped (not nil, "
		    "not a poison value): the page lies in a mapping of a file that no longer "
		    "covers it (the file was truncated or replaced after mmap) or reading it "
		    "failed (an I/O error, a removed device, a full tmpfs or hugetlbfs). The "
		    "pointer is valid; the data it maps is gone. The runtime cannot turn this into "
		    "a panic (\"unexpected fault address\", \"fatal error: fault\").%s",
		    code == 2 ? " with code 2 (BUS_ADRERR)" : "", addr,
		    code == INT64_MIN || code == 2
		        ? ""
		        : " On macOS SIGBUS also reports an ordinary bad pointer.");
	gpm_rule_text(c, &f->next,
	              "Find the file mapped where %s reads (mmap in the program or a library: "
	              "bbolt, leveldb, maxminddb, a torrent or index file): never truncate or "
	              "rewrite a mapped file in place (write a new one, rename it, map it "
	              "again), and check the kernel log for I/O errors on its disk.",
	              where ? where : "the faulting frame");
	f->address = addr;
	if (code != INT64_MIN)
		gpm_rule_evidence(c, f, "signal code", "%#" PRIx64 "%s", (uint64_t)code,
		                  code == 2   ? " (BUS_ADRERR: no page behind a mapped address)"
		                  : code == 1 ? " (BUS_ADRALN)"
		                              : "");
	if (mapped)
		gpm_rule_evidence(c, f, "mapping", "%s reads a memory-mapped region", mapped);
	if (inc->crash.kind == GPM_FATAL_THROW && inc->crash.fatal_message) {
		char *fm = gpm_rule_safe(inc->crash.fatal_message);
		gpm_rule_evidence(c, f, "fatal error", "%s", fm ? fm : "?");
		free(fm);
	}
	gpm_rule_evidence(c, f, "checked",
	                  "the address is not nil, not a poison pattern and not "
	                  "non-canonical: not memory corruption");
	(void)uf;
	free(mapped);
	return f;
}

void gpm_rule_crash(struct gpm_rule_ctx *c)
{
	const struct gpm_incident *inc = c->inc;
	const struct gpm_crash *cr = &inc->crash;
	const struct gpm_goroutine *g = crashing_goroutine(inc);
	struct crash_site cs;
	crash_site(inc, g, &cs);
	// A "panic: V" line over a stack the program printed itself from a recover: its first
	// frame runtime/debug.Stack, which a dying goroutine's stack never starts with (fiber's
	// recover middleware writes "panic: %v\n%s" with debug.Stack()). The process went on.
	if (g && cr->kind == GPM_FATAL_PANIC && !cr->signame && cr->panics.len &&
	    stack_printed(inc, g) && handled_panic(inc, g, &cs)) {
		rule_recovered(c, g, &cs, cr->panics.v[0].message);
		return;
	}
	int uf = g ? (cs.site >= 0 ? cs.site : gpm_rule_user_frame(inc, g, true)) : -1;
	// A crash in Go code that C called back (an exported function): when the program's
	// frame found lies below the callback path, it is the C call's caller, not the site;
	// the frames above the callback were cut from the input (a paste that starts
	// mid-stack). The callback's own first frame is the site then.
	int cbf = g ? cgo_callback_frame(inc, g) : -1;
	bool cb_cut = cbf >= 0 && uf > cbf;
	if (cb_cut)
		uf = cbf;
	char *where = g ? gpm_rule_frame_text(inc, g, uf) : strdup("an unknown goroutine");
	char *fn = g ? gpm_rule_func_text(inc, g, uf) : strdup("?");
	// The site as the headline names it: "fn", or "fn called from prog" when fn is a
	// library function the program called (a nil receiver, html/template.Must); NULL when
	// the input has no frame outside the runtime.
	char *site = uf >= 0 ? site_name(inc, g, uf) : NULL;
	// Where to look: the program's frame that made the call when the site is a library
	// function ("main.waitChild at main.go:12, its call to os/exec.(*Cmd).Wait").
	int prog = program_caller(inc, g, uf);
	if (prog >= 0) {
		char *pw = gpm_rule_frame_text(inc, g, prog);
		size_t len = (pw ? strlen(pw) : 1) + (fn ? strlen(fn) : 1) + 24;
		char *w = pw && fn ? malloc(len) : NULL;
		if (w) {
			snprintf(w, len, "%s, its call to %s", pw, fn);
			free(where);
			where = w;
		}
		free(pw);
	}
	struct gpm_finding *f = NULL;

	// The original fault: text prints "[signal SIGSEGV ... addr=]"; a core keeps it in
	// the goroutine (the kernel only saw the runtime's SIGABRT).
	const char *signame = NULL;
	uint64_t addr = 0;
	int64_t code = INT64_MIN;
	bool has_addr = false;
	if (inc->kind == GPM_INPUT_CORE) {
		if (cr->go_signo == 11 || cr->go_signo == 7) {
			signame = cr->go_signo == 11 ? "SIGSEGV" : "SIGBUS";
			addr = cr->go_sigaddr;
			code = (int64_t)cr->go_sigcode;
			has_addr = true;
		}
	} else if (cr->signame &&
	           (!strcmp(cr->signame, "SIGSEGV") || !strcmp(cr->signame, "SIGBUS"))) {
		signame = cr->signame;
		addr = cr->fault_addr;
		code = cr->sigcode;
		has_addr = cr->has_fault_addr;
	} else if ((signame = numbered_fault(cr->signame))) {
		addr = cr->fault_addr;
		code = cr->sigcode;
		has_addr = cr->has_fault_addr;
	}
	// SI_KERNEL (0x80) on SIGSEGV: a general-protection fault, a non-canonical address the
	// kernel reports as 0 — not a nil pointer.
	const char *wild = !signame || !has_addr ? NULL
	                   : code == 0x80        ? "a non-canonical address (the kernel reports "
	                                           "0 with code 0x80, SI_KERNEL)"
	                                         : wild_address(addr);
	// "unexpected fault address A" / "fatal error: fault": the runtime's throw for a fault
	// in Go code at an address it could not call nil (4096 or more): nothing is mapped
	// there, which no pointer Go made can point to.
	// SIGBUS is not that: the kernel sends it for an address that is mapped but has no
	// page behind it (bus_error below).
	bool sigbus = signame && !strcmp(signame, "SIGBUS");
	// No fault address in the text, but the faulting thread's registers hold a poison:
	// that is the pointer that was used.
	const char *poison_reg = NULL;
	if (!wild && signame && !has_addr && inc->kind != GPM_INPUT_CORE &&
	    poison_register(inc, &addr, &poison_reg))
		wild = wild_address(addr);
	if (!wild && !sigbus && signame && has_addr && addr >= 4096 &&
	    cr->kind == GPM_FATAL_THROW && cr->fatal_message && !strcmp(cr->fatal_message, "fault"))
		wild = "an address nothing is mapped at (not nil): the pointer was never valid, or "
		       "its memory was unmapped";
	// A fatal error raised by a deferred call while a panic unwound: the panic frame lies
	// below the fatal one. The reader may keep "fatal error: ..." inside the panic value.
	const char *first_msg = cr->panics.len ? cr->panics.v[0].message : NULL;
	const char *fatal_in_panic = NULL;
	for (size_t i = 0; i < cr->panics.len && !fatal_in_panic; i++) {
		const char *pm = cr->panics.v[i].message;
		const char *x = pm ? strstr(pm, "fatal error: ") : NULL;
		if (x && (x == pm || x[-1] == '\n' || x[-1] == '\t'))
			fatal_in_panic = x + strlen("fatal error: ");
	}
	bool masked = g && cs.fatal >= 0 && cs.panic > cs.fatal &&
	              (cr->kind == GPM_FATAL_THROW || fatal_in_panic);
	char first_buf[512] = "";
	if (first_msg) {
		size_t k = strcspn(first_msg, "\n");
		snprintf(first_buf, sizeof(first_buf), "%.*s", (int)(k < 500 ? k : 500), first_msg);
		// The fatal error is not a panic value of its own.
		if (!strncmp(first_buf, "fatal error: ", 13))
			first_buf[0] = 0;
	}

	const char *threads = threads_exhausted(inc);
	if (threads) {
		rule_threads(c, threads);
		goto out;
	} else if (sigbus && !wild && has_addr && addr >= 4096 &&
	           (g || cr->kind == GPM_FATAL_THROW) && !gpm_rule_cgo_fault(inc)) {
		f = bus_error(c, g, uf, addr, code, site, g ? where : NULL);
		if (!f)
			goto out;
	} else if (wild && (g || cr->kind == GPM_FATAL_THROW) && !gpm_rule_cgo_fault(inc)) {
		f = gpm_rule_finding_new(c, GPM_RULE_MEMORY_CORRUPTION);
		if (!f)
			goto out;
		if (code == 0x80)
			gpm_rule_text(c, &f->title,
			              "memory corruption: %s at a non-canonical address%s%s",
			              signame, site ? " in " : "", site ? site : "");
		else if (poison_reg)
			gpm_rule_text(
			    c, &f->title,
			    "memory corruption: %s with poison %#" PRIx64 " in register %s%s%s",
			    signame, addr, poison_reg, site ? " in " : "", site ? site : "");
		else
			gpm_rule_text(c, &f->title,
			              "memory corruption: %s at wild address %#" PRIx64 "%s%s",
			              signame, addr, site ? " in " : "", site ? site : "");
		gpm_rule_text(
		    c, &f->explanation,
		    "The fault address is %s: no Go pointer ever has that value, so the pointer "
		    "was read from memory that was freed, overwritten or never held a pointer "
		    "(a data race on an interface, slice or map; unsafe or cgo misuse; a bug in "
		    "the runtime or in C code). The frame named here is where the bad pointer was "
		    "used, not necessarily where it was made.",
		    wild);
		gpm_rule_text(
		    c, &f->next,
		    "Run the program under the race detector (-race) and check unsafe and cgo "
		    "code that feeds %s; GODEBUG=invalidptr=1 and cgocheck=2 catch some of it "
		    "earlier. Suspect the runtime or a C library only when the code path is "
		    "pure Go.",
		    where);
		f->address = addr;
		if (poison_reg)
			gpm_rule_evidence(c, f, "register",
			                  "%s = %#" PRIx64 ": %s (the text gives no fault address)",
			                  poison_reg, addr, wild);
		else
			gpm_rule_evidence(c, f, "fault address", "%#" PRIx64 ": %s", addr, wild);
		if (code != INT64_MIN)
			gpm_rule_evidence(c, f, "signal code", "%#" PRIx64, (uint64_t)code);
		if (cr->kind == GPM_FATAL_THROW && cr->fatal_message) {
			char *fm = gpm_rule_safe(cr->fatal_message);
			gpm_rule_evidence(c, f, "fatal error", "%s", fm ? fm : "?");
			free(fm);
		}
	} else if (masked) {
		rule_masked(c, g, &cs, fatal_in_panic ? fatal_in_panic : cr->fatal_message,
		            first_buf[0] ? first_buf : NULL, signame && has_addr && addr < 4096);
		goto out;
	} else if (cr->kind == GPM_FATAL_PANIC && cr->panics.len && first_msg &&
	           gpm_rule_starts(first_msg, "test timed out after")) {
		rule_test_timeout(c, &cr->panics.v[0]);
		goto out;
	} else if (cr->kind == GPM_FATAL_PANIC && cr->panics.len) {
		// A panic raised while another unwound: the first one is the failure, the
		// others happened in its deferred calls (the runtime prints the first first).
		const struct gpm_panic *p = &cr->panics.v[0];
		char *msg = gpm_rule_safe(first_buf[0] ? first_buf : p->message);
		const char *m = p->message ? p->message : "";
		// The runtime raises this value only for a fault below 4096 (panicmem; above, it
		// throws "fault"): a nil dereference even when the "[signal ...]" line is cut or
		// numbered ("[signal 0xb ...]", Go before 1.5) and its address was not read.
		bool nilmsg = gpm_rule_starts(m, "runtime error: invalid memory address or nil "
		                                 "pointer dereference") &&
		              !(has_addr && addr >= 4096);
		if ((signame && has_addr && addr < 4096) || nilmsg) {
			f = gpm_rule_finding_new(c, GPM_RULE_SIGNAL_NIL);
			if (!f)
				goto out;
			gpm_rule_text(c, &f->title, "nil pointer dereference in %s",
			              site ? site : fn);
			if (has_addr)
				gpm_rule_text(
				    c, &f->explanation,
				    "The program read or wrote through a nil pointer: the fault "
				    "address %#" PRIx64
				    " is a small offset from zero, the field at "
				    "that offset of a struct reached through a nil pointer. The "
				    "runtime "
				    "turned the %s into a panic that nobody recovered.",
				    addr, signame ? signame : "fault");
			else
				gpm_rule_text(
				    c, &f->explanation,
				    "The program read or wrote through a nil pointer: the runtime "
				    "raises \"invalid memory address or nil pointer dereference\" "
				    "only "
				    "for a fault near address zero (the fault address itself was "
				    "not "
				    "read from this input). Nobody recovered the panic.");
			gpm_rule_text(
			    c, &f->next,
			    "Look at %s: which pointer can be nil there, and the callers below it "
			    "that built the value.",
			    where);
			f->address = has_addr ? addr : 0;
		} else if (strstr(m, "assignment to entry in nil map")) {
			f = gpm_rule_finding_new(c, GPM_RULE_PANIC_NIL_MAP);
			if (!f)
				goto out;
			gpm_rule_text(c, &f->title, "nil map write in %s", site ? site : fn);
			gpm_rule_text(
			    c, &f->explanation,
			    "A map that was never created (make or a literal) was written to. "
			    "Reading a nil map is allowed, writing panics.");
			gpm_rule_text(
			    c, &f->next,
			    "Find where the map field used in %s should have been initialised "
			    "(constructor, zero value of the struct).",
			    where);
		} else {
			f = gpm_rule_finding_new(c, GPM_RULE_PANIC);
			if (!f)
				goto out;
			if (site)
				gpm_rule_text(c, &f->title, "panic in %s: %s", site,
				              msg ? msg : "?");
			else
				gpm_rule_text(c, &f->title, "panic: %s", msg ? msg : "?");
			gpm_rule_text(
			    c, &f->explanation,
			    p->repanicked
			        ? "The program panicked%s; a deferred function recovered the "
			          "panic and panicked again with the same value, and nothing "
			          "recovered that, so the runtime printed the panic and exited. "
			          "The value was first raised where the stack shows the "
			          "first panic."
			    : p->recovered && cr->panics.len > 1
			        ? "The program panicked%s; a deferred function recovered the "
			          "panic and then panicked itself (below), and nothing recovered "
			          "that, so the runtime printed both and exited. The first "
			          "panic is the cause."
			        : "The program panicked%s and nothing recovered it, so the runtime "
			          "printed the panic and exited.",
			    p->is_error ? " with an error value" : "");
			gpm_rule_text(c, &f->next,
			              "Look at %s, where the panic was raised, and why its "
			              "caller got this value.",
			              where);
		}
		gpm_rule_evidence(c, f, "panic value", "%s%s", msg ? msg : "?",
		                  p->repanicked  ? " [recovered, repanicked]"
		                  : p->recovered ? " [recovered]"
		                                 : "");
		if (misuse_meaning(first_msg))
			gpm_rule_evidence(c, f, "meaning", "%s", misuse_meaning(first_msg));
		for (size_t i = 1; i < cr->panics.len; i++) {
			char *pm = gpm_rule_safe(cr->panics.v[i].message);
			gpm_rule_evidence(c, f, "then panicked",
			                  "%s%s (raised while the first panic unwound)",
			                  pm ? pm : "?",
			                  cr->panics.v[i].repanicked  ? " [recovered, repanicked]"
			                  : cr->panics.v[i].recovered ? " [recovered]"
			                                              : "");
			free(pm);
		}
		if ((cr->panics.len > 1 || p->repanicked) && g && cs.top >= 0 && cs.top != uf) {
			char *later = gpm_rule_frame_text(inc, g, cs.top);
			gpm_rule_evidence(c, f, p->repanicked ? "re-panicked in" : "second site",
			                  "%s (a deferred call)", later ? later : "?");
			free(later);
		}
		if (inc->panics_dropped)
			gpm_rule_evidence(c, f, "nested panics", "%" PRIu64 " more not shown",
			                  inc->panics_dropped);
		free(msg);
	} else if (cr->kind == GPM_FATAL_THROW && cr->fatal_message && !gpm_rule_cgo_fault(inc)) {
		const char *m = cr->fatal_message;
		char *msg = gpm_rule_safe(m);
		bool said = false; // the "fatal error" evidence is in already
		if (strstr(m, "all goroutines are asleep")) {
			f = gpm_rule_finding_new(c, GPM_RULE_DEADLOCK_ALL);
			if (!f)
				goto out;
			asleep_finding(c, f);
		} else if (strstr(m, "concurrent map")) {
			f = gpm_rule_finding_new(c, GPM_RULE_MAP_CONCURRENT);
			if (!f)
				goto out;
			int uf2 = g ? gpm_rule_user_frame(inc, g, false) : -1;
			char *fn2 = g ? gpm_rule_func_text(inc, g, uf2) : strdup("?");
			char *w2 = g ? gpm_rule_frame_text(inc, g, uf2) : strdup("?");
			// A paste cut after the runtime's frames names no code: say so.
			if (uf2 >= 0)
				gpm_rule_text(c, &f->title, "%s in %s", msg ? msg : "?",
				              fn2 ? fn2 : "?");
			else
				gpm_rule_text(c, &f->title,
				              "%s (the program's frame is not in the input)",
				              msg ? msg : "?");
			gpm_rule_text(
			    c, &f->explanation,
			    "Two goroutines used the same map at once, at least one of them "
			    "writing. Go maps are not safe for concurrent use; the runtime "
			    "detected it and stopped the program (this cannot be recovered).");
			gpm_rule_text(c, &f->next,
			              "Guard the map used in %s with a sync.Mutex/RWMutex (or use "
			              "sync.Map); run the tests with -race to find every access.",
			              w2 ? w2 : "?");
			if (g)
				other_map_writers(
				    c, f, g,
				    g && uf2 >= 0
				        ? gpm_goroutine_frames(inc, g, &(uint32_t){0})[uf2].func
				        : NULL);
			free(fn2);
			free(w2);
		} else if (strstr(m, "stack overflow")) {
			f = gpm_rule_finding_new(c, GPM_RULE_STACK_OVERFLOW);
			if (!f)
				goto out;
			// The recursion may be in another goroutine of the input than the one
			// the crash names (its frames printed further down, without its header,
			// or the crashing one shows only runtime.morestack/newstack): that one is
			// the goroutine of the finding.
			bool capped = false;
			const struct gpm_goroutine *rg = overflow_goroutine(inc, g, &capped);
			if (rg && rg != g) {
				g = rg;
				uf = gpm_rule_user_frame(inc, g, true);
				free(where);
				where = gpm_rule_frame_text(inc, g, uf);
				free(site);
				site = uf >= 0 ? site_name(inc, g, uf) : NULL;
			}
			if (site && rg)
				gpm_rule_text(c, &f->title, "stack overflow in %s", site);
			else
				gpm_rule_text(
				    c, &f->title,
				    "stack overflow: a goroutine's stack passed its limit (the "
				    "recursion is not in the input: the overflowing goroutine's "
				    "frames are cut or elided)");
			gpm_rule_text(
			    c, &f->explanation,
			    "A goroutine's stack grew past the limit (1 GB by default, or what "
			    "debug.SetMaxStack set), almost always endless recursion.");
			if (rg)
				gpm_rule_text(
				    c, &f->next,
				    "Find why the recursion in %s does not end (a cycle in "
				    "the data, a missing base case).",
				    where);
			else
				gpm_rule_text(
				    c, &f->next,
				    "Get the whole output: below \"runtime stack:\" (the runtime's "
				    "own morestack/newstack frames) the runtime prints the "
				    "overflowing goroutine's first 100 frames, where the recursing "
				    "function repeats.");
			if (inc->crash.stack_limit)
				gpm_rule_evidence(c, f, "limit", "%" PRIu64 " bytes",
				                  inc->crash.stack_limit);
			if (capped)
				gpm_rule_evidence(
				    c, f, "checked",
				    "the recursion looked for in the first %d running "
				    "goroutines only",
				    OVERFLOW_SCAN_MAX);
			if (rg)
				recursive_frames(c, f, g);
			else
				gpm_rule_evidence(
				    c, f, "recursion",
				    "not shown: no function outside the runtime repeats "
				    "in the frames of the input");
		} else if (oom_throw(m)) {
			f = gpm_rule_finding_new(c, GPM_RULE_OOM);
			if (!f)
				goto out;
			int uf2 = g ? gpm_rule_user_frame(inc, g, false) : -1;
			char *w2 = g ? gpm_rule_frame_text(inc, g, uf2) : strdup("?");
			if (uf2 >= 0)
				gpm_rule_text(c, &f->title, "out of memory while allocating in %s",
				              w2 ? w2 : "?");
			else
				gpm_rule_text(
				    c, &f->title,
				    "out of memory: the runtime could not get memory from the "
				    "system (the allocating frame is not in the input)");
			gpm_rule_text(
			    c, &f->explanation,
			    "The runtime could not get memory from the operating system (or hit "
			    "a limit) and stopped the program. The goroutine named here made the "
			    "last allocation; it is not necessarily the one holding the memory.");
			gpm_rule_text(
			    c, &f->next,
			    "Look at what grows without bound: large groups of goroutines below, "
			    "caches, queues; a heap profile or heap dump shows who holds the "
			    "memory.");
			if (inc->crash.oom_request)
				gpm_rule_evidence(c, f, "request", "%" PRIu64 " bytes",
				                  inc->crash.oom_request);
			if (inc->heap_known)
				gpm_rule_evidence(c, f, "heap",
				                  "%" PRIu64 " MiB in use, %" PRIu64
				                  " objects of %" PRIu64 " MiB allocated",
				                  inc->heap_inuse >> 20, inc->heap_objects,
				                  inc->heap_bytes >> 20);
			// What holds the memory, from the heap's dominator tree (cores).
			for (unsigned i = 0; i < inc->nheap_holders; i++) {
				const struct gpm_heap_holder *hd = &inc->heap_holders[i];
				unsigned pc = inc->heap_bytes
				                  ? (unsigned)(hd->bytes * 100 / inc->heap_bytes)
				                  : 0;
				bool mib = hd->bytes >= (1u << 20);
				gpm_rule_evidence(c, f, "held by",
				                  "%s retains %" PRIu64
				                  " %s (%u%% of the heap, %" PRIu64 " objects)%s%s",
				                  hd->what, mib ? hd->bytes >> 20 : hd->bytes >> 10,
				                  mib ? "MiB" : "KiB", pc, hd->objects,
				                  hd->path ? ", reached as " : "",
				                  hd->path ? hd->path : "");
			}
			if (inc->nheap_holders) {
				const struct gpm_heap_holder *hd = &inc->heap_holders[0];
				gpm_rule_text(
				    c, &f->next,
				    "Start with what holds the memory: %s retains %u%% of the heap "
				    "(gopm heap shows the paths and types). Bound it, or find why "
				    "it grows.",
				    hd->what,
				    inc->heap_bytes ? (unsigned)(hd->bytes * 100 / inc->heap_bytes)
				                    : 0);
			}
			free(w2);
		} else if (strstr(m, "unexpected signal during runtime execution") &&
		           inc->kind != GPM_INPUT_CORE && cr->pc >= 0x7f0000000000ULL &&
		           cr->pc < 0x800000000000ULL) {
			// The fault pc lies where Linux and macOS map shared libraries, not where a
			// Go executable's text is (0x400000, 0x55…/0x56… for PIE, 0x1000000 on
			// macOS): C code (cgo, purego, a library's callback) faulted, even when the
			// paste lost the goroutine's runtime.cgocall frame.
			f = gpm_rule_finding_new_as(c, GPM_RULE_SIGNAL, GPM_SEVERITY_CRITICAL,
			                            GPM_CONFIDENCE_LIKELY);
			if (!f)
				goto out;
			gpm_rule_text(c, &f->title,
			              "%s in C code: the fault pc %#" PRIx64
			              " is in a shared library, not in the Go executable%s",
			              signame ? signame : "a signal", cr->pc,
			              has_addr && addr < 4096 ? " (a nil pointer in C)" : "");
			gpm_rule_text(
			    c, &f->explanation,
			    "The runtime threw \"unexpected signal during runtime execution\": the "
			    "signal did not come from Go code it could turn into a panic. Its pc "
			    "is in "
			    "the address range where shared libraries are mapped, so C code was "
			    "running: a cgo call, a library called through purego or syscall, or a "
			    "C callback. Not memory corruption of Go's own data.");
			gpm_rule_text(
			    c, &f->next,
			    "Find the goroutine in [syscall] inside runtime.cgocall (or a "
			    "library call) and what it passed to C; run the C side under "
			    "a debugger or sanitizer.");
			gpm_rule_evidence(c, f, "fatal error", "%s", msg ? msg : "?");
			gpm_rule_evidence(c, f, "checked",
			                  "pc %#" PRIx64 " in [0x7f0000000000, 0x800000000000): "
			                  "shared libraries, not a Go executable's text",
			                  cr->pc);
			said = true;
		} else if (corruption_throw(m)) {
			f = gpm_rule_finding_new(c, GPM_RULE_MEMORY_CORRUPTION);
			if (!f)
				goto out;
			gpm_rule_text(c, &f->title, "memory corruption: fatal error: %s%s%s",
			              msg ? msg : "?", site ? " in " : "", site ? site : "");
			gpm_rule_text(
			    c, &f->explanation,
			    "The runtime stopped because its own data was not what it had written: "
			    "a "
			    "heap pointer to memory it never allocated, a return address or a "
			    "scheduler state that cannot be. Memory was overwritten: by a data "
			    "race "
			    "(on an interface, slice or map), by unsafe or cgo code breaking the "
			    "pointer rules, or by a bug in the runtime or in C code. The goroutine "
			    "that noticed is usually not the one that did it.");
			gpm_rule_text(
			    c, &f->next,
			    "Run the program under the race detector (-race) and with "
			    "GODEBUG=invalidptr=1,cgocheck=2; check unsafe.Pointer conversions and "
			    "memory passed to C. Try another Go version when the program is pure "
			    "Go.");
		} else {
			f = gpm_rule_finding_new(c, GPM_RULE_FATAL);
			if (!f)
				goto out;
			if (site)
				gpm_rule_text(c, &f->title, "fatal error in %s: %s", site,
				              msg ? msg : "?");
			else
				gpm_rule_text(c, &f->title, "fatal error: %s", msg ? msg : "?");
			gpm_rule_text(
			    c, &f->explanation,
			    "The runtime found an unrecoverable condition and stopped the "
			    "program.");
			if (g)
				gpm_rule_text(c, &f->next, "Look at %s and the runtime's message.",
				              where);
			else
				gpm_rule_text(
				    c, &f->next,
				    "Read the runtime's message and the lines printed before "
				    "it: no goroutine's stack is in the input.");
		}
		if (f && !said)
			gpm_rule_evidence(c, f, "fatal error", "%s", msg ? msg : "?");
		if (f && f->kind == GPM_RULE_FATAL && misuse_meaning(m))
			gpm_rule_evidence(c, f, "meaning", "%s", misuse_meaning(m));
		free(msg);
	} else if (gpm_rule_cgo_fault(inc)) {
		// A signal in C code: signal.cgo names the C function and its Go caller.
	} else if (signame) {
		f = gpm_rule_finding_new(c, has_addr && addr < 4096 ? GPM_RULE_SIGNAL_NIL
		                                                    : GPM_RULE_SIGNAL);
		if (!f)
			goto out;
		gpm_rule_text(c, &f->title, "%s in %s%s", signame, fn,
		              has_addr && addr < 4096 ? " (nil pointer dereference)" : "");
		gpm_rule_text(
		    c, &f->explanation,
		    "The program received %s at %#" PRIx64 " outside of code that could turn "
		    "it into a panic (cgo, the runtime, or a signal delivered from outside).",
		    signame, addr);
		gpm_rule_text(c, &f->next, "Look at %s.", where);
		f->address = addr;
	} else if (inc->kind != GPM_INPUT_CORE && cr->kind == GPM_FATAL_SIGNAL && cr->signame &&
	           !strcmp(cr->signame, "SIGABRT") && cr->sigcode == -6 && !cr->panics.len) {
		// SIGABRT by tgkill (SI_TKILL) with no Go message: abort() in C code, the
		// runtime's own crashes print "fatal error"/"panic" first.
		f = gpm_rule_finding_new_as(c, GPM_RULE_SIGNAL, GPM_SEVERITY_CRITICAL,
		                            GPM_CONFIDENCE_LIKELY);
		if (!f)
			goto out;
		gpm_rule_text(c, &f->title,
		              "the process aborted itself (SIGABRT from abort(), not sent from "
		              "outside): C code gave up; the line before \"SIGABRT: abort\" says "
		              "why (runtime/cgo: pthread_create failed: out of OS threads)");
		gpm_rule_text(
		    c, &f->explanation,
		    "The runtime printed SIGABRT with sigcode SI_TKILL (-6): the process raised it "
		    "on "
		    "itself. A Go crash prints \"fatal error:\" or \"panic:\" first; here there is "
		    "none, so C code called abort(): runtime/cgo when pthread_create fails "
		    "(\"Resource "
		    "temporarily unavailable\": too many threads, a ulimit or a container's pids "
		    "limit), or a C library's assertion.");
		gpm_rule_text(
		    c, &f->next,
		    "Read the log line just before \"SIGABRT: abort\". For pthread_create "
		    "failures, count the threads (blocking system calls, cgo calls) against "
		    "ulimit -u and pids.max.");
		gpm_rule_evidence(c, f, "signal",
		                  "SIGABRT, sigcode -6 (SI_TKILL): raised by the process");
		gpm_rule_evidence(c, f, "checked", "no panic, fatal error or fault before it");
		goto out;
	} else if (cr->kind == GPM_FATAL_NONE || cr->kind == GPM_FATAL_UNKNOWN) {
		rule_stack_only(c);
	}
	// A signal from outside (a supervisor, a test runner's timeout, a person) stopped it.
	char xname[16];
	bool xlikely = false;
	const char *why =
	    cr->kind != GPM_FATAL_PANIC && cr->kind != GPM_FATAL_THROW && !gpm_rule_cgo_fault(inc)
	        ? external_signal(inc, &xname, &xlikely)
	        : NULL;
	// SI_USER from the process itself: a goroutine of the input was in a kill call when
	// the signal came (syscall.Kill(os.Getpid(), syscall.SIGABRT)).
	int sprog = -1;
	const struct gpm_goroutine *sender =
	    why && !f && cr->sigcode == 0 ? self_sender(inc, &sprog) : NULL;
	if (sender) {
		char *sw = gpm_rule_frame_text(inc, sender, sprog);
		struct gpm_finding *x = gpm_rule_finding_new_as(
		    c, GPM_RULE_SIGNAL, GPM_SEVERITY_HIGH, GPM_CONFIDENCE_LIKELY);
		if (x) {
			gpm_rule_text(c, &x->title,
			              "%s sent by the program itself (%s): not from outside", xname,
			              sw ? sw : "?");
			gpm_rule_text(
			    c, &x->explanation,
			    "The signal came with sigcode 0 (SI_USER, kill(2)), and goroutine "
			    "%" PRIu64
			    " was in a kill call from the program's own code when it came: the "
			    "program signalled itself (its pid, or 0 for its process group). A Go "
			    "program prints every goroutine on SIGABRT and exits.",
			    sender->id);
			gpm_rule_text(c, &x->next,
			              "Look at %s: why it sends %s to its own process (a watchdog, "
			              "a deliberate crash for a dump, a wrong pid).",
			              sw ? sw : "?", xname);
			gpm_rule_evidence(c, x, "signal",
			                  "%s: sigcode 0 (SI_USER): sent with kill(2), by this "
			                  "process",
			                  xname);
			gpm_rule_add_id(c, x, sender->id);
			goroutine_evidence(c, x, sender, "");
			gpm_rule_evidence(c, x, "sender", "%s", sw ? sw : "?");
		}
		free(sw);
		why = NULL;
	}
	if (why) {
		struct gpm_finding *x =
		    xlikely ? gpm_rule_finding_new_as(c, GPM_RULE_SIGNAL_EXTERNAL, GPM_SEVERITY_LOW,
		                                      GPM_CONFIDENCE_LIKELY)
		            : gpm_rule_finding_new(c, GPM_RULE_SIGNAL_EXTERNAL);
		if (x) {
			gpm_rule_text(
			    c, &x->title,
			    "%s sent from outside: the process was stopped, it did not crash by "
			    "itself",
			    xname);
			gpm_rule_text(
			    c, &x->explanation,
			    "Another process (a supervisor or watchdog, a test runner's timeout, "
			    "an OOM killer, a person) sent %s; a Go program prints every goroutine "
			    "on SIGABRT and exits. What the goroutines were doing is often why it "
			    "was stopped (stuck or too slow): read the other findings and groups.",
			    xname);
			gpm_rule_text(
			    c, &x->next,
			    "Find who sent it (service manager logs, the test runner's timeout, "
			    "the kernel log for the OOM killer) and what it waited for.");
			gpm_rule_evidence(c, x, "signal", "%s: %s", xname, why);
		}
	}
	if (f && signame) {
		if (has_addr)
			gpm_rule_evidence(c, f, "signal", "%s, fault address %#" PRIx64 "%s",
			                  signame, addr, addr < 4096 && !wild ? " (near nil)" : "");
		uint64_t pc = inc->kind == GPM_INPUT_CORE ? cr->go_sigpc : cr->pc;
		if (pc)
			gpm_rule_evidence(c, f, "signal pc", "%#" PRIx64, pc);
	}
	if (f && g && cbf >= 0 && gpm_rules[f->kind].family == GPM_FAMILY_CRASH &&
	    f->kind != GPM_RULE_DEADLOCK_ALL) {
		char *cbs = gpm_rule_func_text(inc, g, cbf);
		gpm_rule_text(c, &f->title, "%s (in a callback from C%s)", f->title,
		              cb_cut ? "; the frames above the callback are not in the input" : "");
		gpm_rule_evidence(c, f, "callback",
		                  "ran in a callback from C: C called Go through %s; the frames "
		                  "below it are the C call's caller%s",
		                  cbs ? cbs : "?",
		                  cb_cut ? " (the Go function C called is cut from the input)"
		                         : "");
		free(cbs);
	}
	if (f && g && f->kind != GPM_RULE_DEADLOCK_ALL) {
		gpm_rule_add_id(c, f, g->id);
		goroutine_evidence(c, f, g, "");
		gpm_rule_evidence(c, f, "frame", "%s", where ? where : "?");
		if (g->created_by != UINT32_MAX && g->created_by < inc->frames.len) {
			const struct gpm_frame *cb = &inc->frames.v[g->created_by];
			char *s = gpm_rule_safe(cb->func);
			char *file = cb->file ? gpm_rule_safe(cb->file) : NULL;
			gpm_rule_evidence(c, f, "created by", "%s%s%s:%u", s ? s : "?",
			                  file ? " at " : "", file ? file : "", cb->line);
			free(s);
			free(file);
		}
		if (c->group_of && g >= inc->goroutines.v)
			f->group = c->group_of[g - inc->goroutines.v];
	}
out:
	free(where);
	free(fn);
	free(site);
}
