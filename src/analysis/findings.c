/*
 * The rules that turn an incident into findings (see analysis.h). Each rule is a function
 * over the incident and its goroutine groups that adds zero or more findings; rules read
 * only the model. All passes are linear in goroutines (plus sorting), so 100,000
 * goroutines cost well under a second.
 */
#include "analysis/analysis.h"
#include "analysis/rules.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers ---- */

const char *gpm_severity_name(enum gpm_severity s)
{
	static const char *const n[] = {"info", "low", "medium", "high", "critical"};
	return s <= GPM_SEVERITY_CRITICAL ? n[s] : "?";
}

const char *gpm_confidence_name(enum gpm_confidence c)
{
	static const char *const n[] = {"certain", "likely", "heuristic"};
	return c <= GPM_CONFIDENCE_HEURISTIC ? n[c] : "?";
}

static char *vfmt(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static char *vfmt(const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	return s;
}

/* A string from the dump, made terminal-safe and bounded. */
static char *safe(const char *s)
{
	if (!s)
		return strdup("?");
	size_t n = strlen(s);
	return gpm_safe_strndup(s, n > 512 ? 512 : n);
}

static struct gpm_finding *finding_new(struct gpm_rule_ctx *c, const char *rule,
                                       enum gpm_severity sev, enum gpm_confidence conf)
{
	struct gpm_finding *f = gpm_vec_push(&c->a->findings);
	if (!f) {
		c->oom = true;
		return NULL;
	}
	f->rule = rule;
	f->severity = sev;
	f->confidence = conf;
	f->group = -1;
	return f;
}

static void set_text(struct gpm_rule_ctx *c, char **slot, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_text(struct gpm_rule_ctx *c, char **slot, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	gpm_rule_vtext(c, slot, fmt, ap);
	va_end(ap);
}

static void evidence(struct gpm_rule_ctx *c, struct gpm_finding *f, const char *key,
                     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void evidence(struct gpm_rule_ctx *c, struct gpm_finding *f, const char *key,
                     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	gpm_rule_vevidence(c, f, key, fmt, ap);
	va_end(ap);
}

static void add_id(struct gpm_rule_ctx *c, struct gpm_finding *f, uint64_t id)
{
	f->count++;
	if (f->goroutines.len >= GPM_FINDING_MAX_IDS)
		return;
	for (size_t i = 0; i < f->goroutines.len; i++)
		if (f->goroutines.v[i] == id)
			return;
	uint64_t *p = gpm_vec_push(&f->goroutines);
	if (!p)
		c->oom = true;
	else
		*p = id;
}

static bool starts(const char *s, const char *p)
{
	return s && !strncmp(s, p, strlen(p));
}

/* Runtime and standard-library plumbing a reader skips to find the code at fault. */
static bool is_plumbing(const char *fn)
{
	if (!fn)
		return true;
	return starts(fn, "runtime.") || starts(fn, "runtime/") || starts(fn, "internal/") ||
	       starts(fn, "sync.") || starts(fn, "sync/") || !strcmp(fn, "panic") ||
	       starts(fn, "time.Sleep") || starts(fn, "syscall.") || starts(fn, "reflect.") ||
	       starts(fn, "fmt.") || starts(fn, "errors.") || starts(fn, "os.") ||
	       starts(fn, "net.") || starts(fn, "internal/poll.");
}

static bool is_runtime(const char *fn)
{
	return !fn || starts(fn, "runtime.") || starts(fn, "runtime/") || !strcmp(fn, "panic");
}

static const struct gpm_goroutine *goroutine_by_id(const struct gpm_incident *inc, uint64_t id)
{
	for (size_t i = 0; id && i < inc->goroutines.len; i++)
		if (inc->goroutines.v[i].id == id &&
		    !(inc->goroutines.v[i].flags &
		      (GPM_GOROUTINE_REPEAT | GPM_GOROUTINE_RUNTIME_STACK)))
			return &inc->goroutines.v[i];
	return NULL;
}

/* The first frame of g that is not runtime/std plumbing (index), or -1. */
static int user_frame(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                      bool runtime_only)
{
	return gpm_rule_first_frame(inc, g, runtime_only ? is_runtime : is_plumbing);
}

/* "main.(*T).f at file.go:12" of frame i, malloc'd and safe. */
static char *frame_text(const struct gpm_incident *inc, const struct gpm_goroutine *g, int i)
{
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	if (i < 0 || (uint32_t)i >= n)
		return strdup("(no frame)");
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	const char *fn = f[i].func ? f[i].func : "?";
	gpm_strbuf_append_safe(&sb, fn, strlen(fn));
	if (f[i].file) {
		gpm_strbuf_puts(&sb, " at ");
		gpm_strbuf_append_safe(&sb, f[i].file, strlen(f[i].file));
		gpm_strbuf_printf(&sb, ":%u", f[i].line);
	}
	return gpm_strbuf_detach(&sb);
}

static char *func_text(const struct gpm_incident *inc, const struct gpm_goroutine *g, int i)
{
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	if (i < 0 || (uint32_t)i >= n)
		return strdup("?");
	return safe(f[i].func);
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

static bool counted(const struct gpm_goroutine *g)
{
	return !(g->flags & (GPM_GOROUTINE_REPEAT | GPM_GOROUTINE_RUNTIME_STACK)) && g->id;
}

static const char *state_of(const struct gpm_goroutine *g)
{
	return g->state ? g->state : gpm_gstatus_name((enum gpm_gstatus)g->status);
}

/* Frame i's argument text as a C string in buf (cut at its size; the runtime prints at
 * most a few hundred bytes), NULL when none is known. */
static const char *frame_args(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                              uint32_t i, char (*buf)[1024])
{
	size_t n;
	const char *a = gpm_goroutine_frame_args(inc, g, i, &n);
	if (!a)
		return NULL;
	if (n >= sizeof(*buf))
		n = sizeof(*buf) - 1;
	memcpy(*buf, a, n);
	(*buf)[n] = 0;
	return *buf;
}

/* The first hexadecimal argument of an argument text, when printed exactly (no '?'). */
static bool first_arg(const char *args, uint64_t *out)
{
	if (!args || strncmp(args, "0x", 2))
		return false;
	char *end;
	unsigned long long v = strtoull(args + 2, &end, 16);
	if (end == args + 2 || *end == '?' || v == 0)
		return false;
	*out = v;
	return true;
}

/* Every exact hexadecimal argument of an argument text, via cb. */
static void each_arg(const char *args, void (*cb)(void *, uint64_t), void *arg)
{
	for (const char *p = args; p && *p;) {
		const char *x = strstr(p, "0x");
		if (!x)
			break;
		char *end;
		unsigned long long v = strtoull(x + 2, &end, 16);
		if (end != x + 2 && *end != '?' && v > 4096)
			cb(arg, v);
		p = end > x + 2 ? end : x + 2;
	}
}

/* ---- crash rules: what the runtime itself reported ---- */

static void recursive_frames(struct gpm_rule_ctx *c, struct gpm_finding *f,
                             const struct gpm_goroutine *g)
{
	uint32_t n;
	const struct gpm_frame *fr = gpm_goroutine_frames(c->inc, g, &n);
	// The most frequent function among the frames (the recursion).
	const char *best = NULL;
	uint32_t bestn = 0;
	for (uint32_t i = 0; i < n && i < 64; i++) {
		uint32_t k = 0;
		for (uint32_t j = 0; j < n; j++)
			k += fr[j].func == fr[i].func;
		if (k > bestn) {
			bestn = k;
			best = fr[i].func;
		}
	}
	uint64_t elided = gpm_goroutine_extra(c->inc, g)->elided_frames;
	for (uint32_t i = 0; i < n; i++)
		if (fr[i].flags & GPM_FRAME_ELIDED)
			elided += fr[i].line;
	if (best && bestn > 1) {
		char *s = safe(best);
		evidence(c, f, "recursion", "%s appears %u times in %u frames shown%s", s ? s : "?",
		         bestn, n, elided ? "" : "");
		if (elided)
			evidence(c, f, "elided", "%" PRIu64 " more frames not printed", elided);
		set_text(c, &f->title, "stack overflow: runaway recursion in %s", s ? s : "?");
		free(s);
	}
	const struct gpm_frame_regs *regs = gpm_goroutine_regs(c->inc, g);
	if (regs && n > 1 && regs[n - 1].fp > regs[0].sp)
		evidence(c, f, "stack used", "%" PRIu64 " bytes (sp %#" PRIx64 " to %#" PRIx64 ")",
		         regs[n - 1].fp - regs[0].sp, regs[0].sp, regs[n - 1].fp);
}

static void other_map_writers(struct gpm_rule_ctx *c, struct gpm_finding *f,
                              const struct gpm_goroutine *cur, const char *fn)
{
	// The runtime names only the goroutine that noticed; the other side is usually a
	// goroutine running (or runnable) in the same function or in the map code.
	unsigned shown = 0;
	for (size_t i = 0; i < c->inc->goroutines.len && shown < 4; i++) {
		const struct gpm_goroutine *g = &c->inc->goroutines.v[i];
		if (g == cur || !counted(g) || g->id == cur->id ||
		    (g->status != GPM_G_RUNNING && g->status != GPM_G_RUNNABLE &&
		     g->status != GPM_G_PREEMPTED))
			continue;
		uint32_t n;
		const struct gpm_frame *fr = gpm_goroutine_frames(c->inc, g, &n);
		bool hit = false;
		for (uint32_t k = 0; k < n && !hit; k++)
			hit = fr[k].func && (fr[k].func == fn || (fn && !strcmp(fr[k].func, fn)) ||
			                     starts(fr[k].func, "runtime.mapassign") ||
			                     starts(fr[k].func, "runtime.mapaccess") ||
			                     starts(fr[k].func, "runtime.mapdelete") ||
			                     starts(fr[k].func, "internal/runtime/maps."));
		if (!hit)
			continue;
		char *ft = frame_text(c->inc, g, user_frame(c->inc, g, false));
		evidence(c, f, "other side",
		         "goroutine %" PRIu64 " [%s] in %s (heuristic: running in the same code)",
		         g->id, state_of(g), ft ? ft : "?");
		free(ft);
		add_id(c, f, g->id);
		shown++;
	}
}

static void rule_crash(struct gpm_rule_ctx *c)
{
	const struct gpm_incident *inc = c->inc;
	const struct gpm_crash *cr = &inc->crash;
	const struct gpm_goroutine *g = crashing_goroutine(inc);
	int uf = g ? user_frame(inc, g, true) : -1;
	char *where = g ? frame_text(inc, g, uf) : strdup("an unknown goroutine");
	char *fn = g ? func_text(inc, g, uf) : strdup("?");
	struct gpm_finding *f = NULL;

	// The original fault: text prints "[signal SIGSEGV ... addr=]"; a core keeps it in
	// the goroutine (the kernel only saw the runtime's SIGABRT).
	const char *signame = NULL;
	uint64_t addr = 0;
	bool has_addr = false;
	if (inc->kind == GPM_INPUT_CORE) {
		if (cr->go_signo == 11 || cr->go_signo == 7) {
			signame = cr->go_signo == 11 ? "SIGSEGV" : "SIGBUS";
			addr = cr->go_sigaddr;
			has_addr = true;
		}
	} else if (cr->signame &&
	           (!strcmp(cr->signame, "SIGSEGV") || !strcmp(cr->signame, "SIGBUS"))) {
		signame = cr->signame;
		addr = cr->fault_addr;
		has_addr = cr->has_fault_addr;
	}

	if (cr->kind == GPM_FATAL_PANIC && cr->panics.len) {
		const struct gpm_panic *p = &cr->panics.v[cr->panics.len - 1];
		char *msg = safe(p->message);
		const char *m = p->message ? p->message : "";
		if (signame && has_addr && addr < 4096) {
			f = finding_new(c, "signal.nil-dereference", GPM_SEVERITY_CRITICAL,
			                GPM_CONFIDENCE_CERTAIN);
			if (!f)
				goto out;
			set_text(c, &f->title, "nil pointer dereference in %s", fn);
			set_text(
			    c, &f->explanation,
			    "The program read or wrote through a nil pointer: the fault "
			    "address %#" PRIx64 " is a small offset from zero, the field at "
			    "that offset of a struct reached through a nil pointer. The runtime "
			    "turned the %s into a panic that nobody recovered.",
			    addr, signame);
			set_text(
			    c, &f->next,
			    "Look at %s: which pointer can be nil there, and the callers below it "
			    "that built the value.",
			    where);
			f->address = addr;
		} else if (strstr(m, "assignment to entry in nil map")) {
			f = finding_new(c, "panic.nil-map", GPM_SEVERITY_CRITICAL,
			                GPM_CONFIDENCE_CERTAIN);
			if (!f)
				goto out;
			set_text(c, &f->title, "nil map write in %s", fn);
			set_text(c, &f->explanation,
			         "A map that was never created (make or a literal) was written to. "
			         "Reading a nil map is allowed, writing panics.");
			set_text(c, &f->next,
			         "Find where the map field used in %s should have been initialised "
			         "(constructor, zero value of the struct).",
			         where);
		} else {
			f = finding_new(c, "panic", GPM_SEVERITY_CRITICAL, GPM_CONFIDENCE_CERTAIN);
			if (!f)
				goto out;
			set_text(c, &f->title, "panic: %s", msg ? msg : "?");
			set_text(c, &f->explanation,
			         "The program panicked%s and nothing recovered it, so the runtime "
			         "printed the panic and exited.",
			         p->is_error ? " with an error value" : "");
			set_text(c, &f->next,
			         "Look at %s, where the panic was raised, and why its "
			         "caller got this value.",
			         where);
		}
		evidence(c, f, "panic value", "%s%s", msg ? msg : "?",
		         p->repanicked  ? " [recovered, repanicked]"
		         : p->recovered ? " [recovered]"
		                        : "");
		for (size_t i = cr->panics.len - 1; i-- > 0;) {
			char *pm = safe(cr->panics.v[i].message);
			evidence(c, f, "earlier panic", "%s%s", pm ? pm : "?",
			         cr->panics.v[i].repanicked  ? " [recovered, repanicked]"
			         : cr->panics.v[i].recovered ? " [recovered]"
			                                     : "");
			free(pm);
		}
		if (inc->panics_dropped)
			evidence(c, f, "nested panics", "%" PRIu64 " more not shown",
			         inc->panics_dropped);
		free(msg);
	} else if (cr->kind == GPM_FATAL_THROW && cr->fatal_message) {
		const char *m = cr->fatal_message;
		char *msg = safe(m);
		if (strstr(m, "all goroutines are asleep")) {
			f = finding_new(c, "deadlock.all-asleep", GPM_SEVERITY_CRITICAL,
			                GPM_CONFIDENCE_CERTAIN);
			if (!f)
				goto out;
			set_text(c, &f->title, "deadlock: all goroutines are asleep");
			set_text(c, &f->explanation,
			         "Every goroutine was blocked (on channels, mutexes, WaitGroups or "
			         "select) and no timer or network event could wake any of them, so "
			         "the runtime's deadlock check stopped the program.");
			set_text(
			    c, &f->next,
			    "Read the blocked groups below: each waits for something only another "
			    "blocked goroutine could do. Start with the main goroutine.");
			uint64_t blocked = 0;
			for (size_t i = 0; i < inc->goroutines.len; i++) {
				const struct gpm_goroutine *h = &inc->goroutines.v[i];
				// Runtime helpers (GC workers, finalizers) sleep too; count the
				// program's own goroutines.
				if (counted(h) && h->status == GPM_G_WAITING &&
				    !(h->flags & GPM_GOROUTINE_SYSTEM) &&
				    user_frame(inc, h, false) >= 0)
					add_id(c, f, h->id);
			}
			blocked = f->count;
			evidence(c, f, "blocked", "%" PRIu64 " goroutines", blocked);
			const struct gpm_goroutine *m1 = goroutine_by_id(inc, 1);
			if (m1) {
				char *ft = frame_text(inc, m1, user_frame(inc, m1, false));
				evidence(c, f, "main goroutine", "[%s] in %s", state_of(m1),
				         ft ? ft : "?");
				free(ft);
			}
		} else if (strstr(m, "concurrent map")) {
			f = finding_new(c, "map.concurrent-access", GPM_SEVERITY_CRITICAL,
			                GPM_CONFIDENCE_CERTAIN);
			if (!f)
				goto out;
			int uf2 = g ? user_frame(inc, g, false) : -1;
			char *fn2 = g ? func_text(inc, g, uf2) : strdup("?");
			char *w2 = g ? frame_text(inc, g, uf2) : strdup("?");
			set_text(c, &f->title, "%s in %s", msg ? msg : "?", fn2 ? fn2 : "?");
			set_text(c, &f->explanation,
			         "Two goroutines used the same map at once, at least one of them "
			         "writing. Go maps are not safe for concurrent use; the runtime "
			         "detected it and stopped the program (this cannot be recovered).");
			set_text(c, &f->next,
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
			f = finding_new(c, "stack-overflow", GPM_SEVERITY_CRITICAL,
			                GPM_CONFIDENCE_CERTAIN);
			if (!f)
				goto out;
			set_text(c, &f->title, "stack overflow in %s", fn);
			set_text(
			    c, &f->explanation,
			    "A goroutine's stack grew past the limit (1 GB by default, or what "
			    "debug.SetMaxStack set), almost always endless recursion.");
			set_text(
			    c, &f->next,
			    "Find why the recursion in %s does not end (a cycle in the data, a "
			    "missing base case).",
			    where);
			if (inc->crash.stack_limit)
				evidence(c, f, "limit", "%" PRIu64 " bytes",
				         inc->crash.stack_limit);
			if (g)
				recursive_frames(c, f, g);
		} else if (strstr(m, "out of memory")) {
			f = finding_new(c, "oom", GPM_SEVERITY_CRITICAL, GPM_CONFIDENCE_CERTAIN);
			if (!f)
				goto out;
			int uf2 = g ? user_frame(inc, g, false) : -1;
			char *w2 = g ? frame_text(inc, g, uf2) : strdup("?");
			set_text(c, &f->title, "out of memory while allocating in %s",
			         w2 ? w2 : "?");
			set_text(
			    c, &f->explanation,
			    "The runtime could not get memory from the operating system (or hit "
			    "a limit) and stopped the program. The goroutine named here made the "
			    "last allocation; it is not necessarily the one holding the memory.");
			set_text(
			    c, &f->next,
			    "Look at what grows without bound: large groups of goroutines below, "
			    "caches, queues; a heap profile or heap dump shows who holds the "
			    "memory.");
			if (inc->crash.oom_request)
				evidence(c, f, "request", "%" PRIu64 " bytes",
				         inc->crash.oom_request);
			if (inc->heap_known)
				evidence(c, f, "heap",
				         "%" PRIu64 " MiB in use, %" PRIu64 " objects of %" PRIu64
				         " MiB allocated",
				         inc->heap_inuse >> 20, inc->heap_objects,
				         inc->heap_bytes >> 20);
			// What holds the memory, from the heap's dominator tree (cores).
			for (unsigned i = 0; i < inc->nheap_holders; i++) {
				const struct gpm_heap_holder *hd = &inc->heap_holders[i];
				unsigned pc = inc->heap_bytes
				                  ? (unsigned)(hd->bytes * 100 / inc->heap_bytes)
				                  : 0;
				bool mib = hd->bytes >= (1u << 20);
				evidence(c, f, "held by",
				         "%s retains %" PRIu64 " %s (%u%% of the heap, %" PRIu64
				         " objects)%s%s",
				         hd->what, mib ? hd->bytes >> 20 : hd->bytes >> 10,
				         mib ? "MiB" : "KiB", pc, hd->objects,
				         hd->path ? ", reached as " : "", hd->path ? hd->path : "");
			}
			if (inc->nheap_holders) {
				const struct gpm_heap_holder *hd = &inc->heap_holders[0];
				set_text(
				    c, &f->next,
				    "Start with what holds the memory: %s retains %u%% of the heap "
				    "(gopm heap shows the paths and types). Bound it, or find why "
				    "it grows.",
				    hd->what,
				    inc->heap_bytes ? (unsigned)(hd->bytes * 100 / inc->heap_bytes)
				                    : 0);
			}
			free(w2);
		} else {
			f = finding_new(c, "fatal", GPM_SEVERITY_CRITICAL, GPM_CONFIDENCE_CERTAIN);
			if (!f)
				goto out;
			set_text(c, &f->title, "fatal error: %s", msg ? msg : "?");
			set_text(c, &f->explanation,
			         "The runtime found an unrecoverable condition and stopped the "
			         "program.");
			set_text(c, &f->next, "Look at %s and the runtime's message.", where);
		}
		if (f)
			evidence(c, f, "fatal error", "%s", msg ? msg : "?");
		free(msg);
	} else if (signame) {
		f = finding_new(c, has_addr && addr < 4096 ? "signal.nil-dereference" : "signal",
		                GPM_SEVERITY_CRITICAL, GPM_CONFIDENCE_CERTAIN);
		if (!f)
			goto out;
		set_text(c, &f->title, "%s in %s%s", signame, fn,
		         has_addr && addr < 4096 ? " (nil pointer dereference)" : "");
		set_text(c, &f->explanation,
		         "The program received %s at %#" PRIx64 " outside of code that could turn "
		         "it into a panic (cgo, the runtime, or a signal delivered from outside).",
		         signame, addr);
		set_text(c, &f->next, "Look at %s.", where);
		f->address = addr;
	}
	if (f && signame) {
		if (has_addr)
			evidence(c, f, "signal", "%s, fault address %#" PRIx64 "%s", signame, addr,
			         addr < 4096 ? " (near nil)" : "");
		uint64_t pc = inc->kind == GPM_INPUT_CORE ? cr->go_sigpc : cr->pc;
		if (pc)
			evidence(c, f, "signal pc", "%#" PRIx64, pc);
	}
	if (f && g && strcmp(f->rule, "deadlock.all-asleep")) {
		add_id(c, f, g->id);
		evidence(c, f, "goroutine", "%" PRIu64 " [%s]", g->id, state_of(g));
		evidence(c, f, "frame", "%s", where ? where : "?");
		if (g->created_by != UINT32_MAX && g->created_by < inc->frames.len) {
			const struct gpm_frame *cb = &inc->frames.v[g->created_by];
			char *s = safe(cb->func);
			char *file = cb->file ? safe(cb->file) : NULL;
			evidence(c, f, "created by", "%s%s%s:%u", s ? s : "?", file ? " at " : "",
			         file ? file : "", cb->line);
			free(s);
			free(file);
		}
		if (c->group_of && g >= inc->goroutines.v)
			f->group = c->group_of[g - inc->goroutines.v];
	}
out:
	free(where);
	free(fn);
}

/* ---- mutexes: lock-order inversion and contention ---- */

struct waiter {
	uint32_t g;       /* goroutine index */
	uint64_t mutex;   /* address waited for */
	int caller;       /* frame index of the code that called Lock */
	const char *func; /* caller's function (interned) */
	uint32_t line;
	bool may_hold;  /* past an earlier Lock in its function */
	uint64_t holds; /* a contended mutex it probably holds, 0 none */
};

static bool is_lock_frame(const char *fn)
{
	return fn && (!strcmp(fn, "sync.(*Mutex).Lock") || !strcmp(fn, "sync.(*Mutex).lockSlow") ||
	              !strcmp(fn, "internal/sync.(*Mutex).Lock") ||
	              !strcmp(fn, "internal/sync.(*Mutex).lockSlow"));
}

/* If g is blocked in sync.(*Mutex).Lock: the mutex (0 unknown) and the caller frame. */
static bool mutex_wait(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                       uint64_t *mutex, int *caller)
{
	char abuf[1024];
	if (g->status != GPM_G_WAITING || !counted(g))
		return false;
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	int last = -1;
	uint64_t m = 0;
	for (uint32_t i = 0; i < n && i < 16; i++) {
		if (is_lock_frame(f[i].func)) {
			last = (int)i;
			if (!m && strstr(f[i].func, "lockSlow"))
				first_arg(frame_args(inc, g, i, &abuf), &m);
		} else if (last >= 0) {
			break;
		}
	}
	if (last < 0 || (uint32_t)last + 1 >= n)
		return false;
	const struct gpm_goroutine_extra *x = gpm_goroutine_extra(inc, g);
	if (x->wait_object_kind == GPM_WAIT_OBJECT_MUTEX)
		m = x->wait_object;
	*mutex = m;
	*caller = last + 1;
	return true;
}

struct refs_ctx {
	uint64_t *targets;
	size_t ntargets;
	uint64_t exclude, found;
};

static void ref_cb(void *arg, uint64_t v)
{
	struct refs_ctx *r = arg;
	for (size_t i = 0; i < r->ntargets && !r->found; i++)
		if (r->targets[i] != r->exclude && r->targets[i] >= v && r->targets[i] - v < 64)
			r->found = r->targets[i];
}

/* A contended mutex g's code refers to: in a core, from its stack words (held_object); in
 * text, from its printed arguments (frames from the caller on). */
static uint64_t referenced_mutex(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                                 int from, uint64_t *targets, size_t nt, uint64_t exclude)
{
	char abuf[1024];
	struct refs_ctx r = {targets, nt, exclude, 0};
	// A core: the stack words were matched when it was read.
	uint64_t held = gpm_goroutine_extra(inc, g)->held_object;
	if (held && held != exclude) {
		for (size_t i = 0; i < nt; i++)
			if (targets[i] == held)
				return held;
	}
	uint32_t n;
	gpm_goroutine_frames(inc, g, &n);
	for (uint32_t i = (uint32_t)(from < 0 ? 0 : from); i < n && !r.found; i++)
		each_arg(frame_args(inc, g, i, &abuf), ref_cb, &r);
	return r.found;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void rule_mutexes(struct gpm_rule_ctx *c)
{
	const struct gpm_incident *inc = c->inc;
	GPM_VEC(struct waiter) w = {0};
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		uint64_t m;
		int caller;
		if (!mutex_wait(inc, &inc->goroutines.v[i], &m, &caller))
			continue;
		uint32_t n;
		const struct gpm_frame *f = gpm_goroutine_frames(inc, &inc->goroutines.v[i], &n);
		struct waiter *x = gpm_vec_push(&w);
		if (!x) {
			c->oom = true;
			goto out;
		}
		*x = (struct waiter){(uint32_t)i,    m,     caller, f[caller].func,
		                     f[caller].line, false, 0};
	}
	if (!w.len)
		goto out;
	// Which waiters are past an earlier Lock in the same function: those not at the
	// earliest Lock line observed in that function.
	for (size_t i = 0; i < w.len; i++) {
		uint32_t minline = w.v[i].line;
		bool other_line = false;
		for (size_t j = 0; j < w.len && j < 4096; j++)
			if (w.v[j].func == w.v[i].func) {
				if (w.v[j].line < minline)
					minline = w.v[j].line;
				other_line |= w.v[j].line != w.v[i].line;
			}
		w.v[i].may_hold = !other_line || w.v[i].line > minline;
	}
	// Contended mutex addresses.
	uint64_t *addrs = malloc(w.len * sizeof(*addrs));
	if (!addrs) {
		c->oom = true;
		goto out;
	}
	size_t na = 0;
	for (size_t i = 0; i < w.len; i++)
		if (w.v[i].mutex)
			addrs[na++] = w.v[i].mutex;
	qsort(addrs, na, sizeof(*addrs), cmp_u64);
	size_t nu = 0;
	for (size_t i = 0; i < na; i++)
		if (!nu || addrs[nu - 1] != addrs[i])
			addrs[nu++] = addrs[i];
	// Holders: a waiter past an earlier Lock whose own frames refer to another contended
	// mutex (its arguments in text, the words of its frames in a core are not read here).
	if (nu >= 2 && nu <= 4096)
		for (size_t i = 0; i < w.len; i++)
			if (w.v[i].may_hold && w.v[i].mutex)
				w.v[i].holds =
				    referenced_mutex(inc, &inc->goroutines.v[w.v[i].g],
				                     w.v[i].caller, addrs, nu, w.v[i].mutex);
	// Cycles: follow "waits for m, m is held by h" from each waiter.
	uint8_t *in_cycle = calloc(w.len, 1);
	if (!in_cycle) {
		free(addrs);
		c->oom = true;
		goto out;
	}
	bool found_cycle = false;
	for (size_t s = 0; s < w.len && !found_cycle; s++) {
		if (!w.v[s].holds)
			continue;
		size_t path[16], np = 0, cur = s;
		for (;;) {
			path[np++] = cur;
			size_t nxt = SIZE_MAX;
			for (size_t j = 0; j < w.len; j++)
				if (j != cur && w.v[j].holds == w.v[cur].mutex) {
					nxt = j;
					break;
				}
			if (nxt == SIZE_MAX || np == 16)
				break;
			size_t k = 0;
			while (k < np && path[k] != nxt)
				k++;
			if (k < np) {
				if (k != 0)
					break; // a cycle not through s: found from its own start
				found_cycle = true;
				break;
			}
			cur = nxt;
		}
		if (!found_cycle)
			continue;
		struct gpm_finding *f = finding_new(c, "deadlock.lock-order", GPM_SEVERITY_CRITICAL,
		                                    GPM_CONFIDENCE_HEURISTIC);
		if (!f)
			break;
		struct gpm_strbuf ids = GPM_STRBUF_INIT;
		for (size_t k = 0; k < np; k++) {
			in_cycle[path[k]] = 1;
			gpm_strbuf_printf(&ids, "%s%" PRIu64,
			                  k ? (k + 1 == np ? " and " : ", ") : "",
			                  inc->goroutines.v[w.v[path[k]].g].id);
		}
		set_text(c, &f->title,
		         "deadlock: goroutines %s each hold a mutex the other wants (lock-order "
		         "inversion)",
		         ids.buf ? ids.buf : "?");
		gpm_strbuf_deinit(&ids);
		char *fn = safe(w.v[s].func);
		set_text(
		    c, &f->explanation,
		    "These goroutines lock the same mutexes in opposite orders: each took one "
		    "and now waits for one another of them holds, so none can continue; the "
		    "runtime cannot see this while other goroutines still run. Heuristic: "
		    "who holds which mutex is inferred from their stacks (each is blocked on a "
		    "later Lock in %s and refers to the other mutex).",
		    fn ? fn : "?");
		set_text(c, &f->next,
		         "Make every path lock these mutexes in one global order (e.g. by account "
		         "id) in %s, or take them under one lock.",
		         fn ? fn : "?");
		free(fn);
		for (size_t k = 0; k < np; k++) {
			const struct waiter *x = &w.v[path[k]];
			const struct gpm_goroutine *g = &inc->goroutines.v[x->g];
			char *ft = frame_text(inc, g, x->caller);
			char key[48];
			snprintf(key, sizeof(key), "goroutine %" PRIu64, g->id);
			evidence(c, f, key,
			         "holds %#" PRIx64 " (inferred), waits for %#" PRIx64 " in %s",
			         x->holds, x->mutex, ft ? ft : "?");
			free(ft);
			add_id(c, f, g->id);
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
			evidence(c, f, "blocked behind them",
			         "%" PRIu64 " more goroutines wait for the same mutexes", behind);
	}
	// Contention: many waiters on one mutex (not already explained by a cycle).
	uint32_t min = c->o->contention_min ? c->o->contention_min : 3;
	for (size_t u = 0; u < nu; u++) {
		uint64_t m = addrs[u], n = 0, cyc = 0;
		size_t first = SIZE_MAX;
		for (size_t j = 0; j < w.len; j++)
			if (w.v[j].mutex == m) {
				n++;
				cyc += in_cycle[j];
				if (first == SIZE_MAX)
					first = j;
			}
		if (n < min || cyc)
			continue;
		struct gpm_finding *f = finding_new(
		    c, "contention.mutex", n >= 10 ? GPM_SEVERITY_HIGH : GPM_SEVERITY_MEDIUM,
		    GPM_CONFIDENCE_LIKELY);
		if (!f)
			break;
		const struct gpm_goroutine *g0 = &inc->goroutines.v[w.v[first].g];
		char *ft = frame_text(inc, g0, w.v[first].caller);
		set_text(c, &f->title,
		         "lock contention: %" PRIu64 " goroutines wait for mutex %#" PRIx64, n, m);
		set_text(c, &f->explanation,
		         "Many goroutines are queued on one sync.Mutex. Either its holder keeps it "
		         "for a long time (slow work or I/O inside the critical section) or the "
		         "holder is itself stuck.");
		set_text(
		    c, &f->next,
		    "Find the holder: a goroutine not waiting on this mutex whose stack is "
		    "inside the critical section guarded by it (see the candidates); move slow "
		    "work out of the lock.");
		f->address = m;
		evidence(c, f, "mutex", "%#" PRIx64, m);
		evidence(c, f, "waiters", "%" PRIu64 ", first in %s", n, ft ? ft : "?");
		free(ft);
		for (size_t j = 0; j < w.len; j++)
			if (w.v[j].mutex == m)
				add_id(c, f, inc->goroutines.v[w.v[j].g].id);
		if (c->group_of)
			f->group = c->group_of[w.v[first].g];
		// Holder candidates: goroutines not waiting for it that refer to it (its
		// address among their printed arguments, or on their stack in a core). Those
		// inside the same function the waiters called Lock from are likely holders (a
		// slow critical section); others are weak hints (stale stack words happen).
		const char *cs = w.v[first].func;
		for (int pass = 0; pass < 2; pass++) {
			unsigned shown = 0;
			for (size_t i = 0; i < inc->goroutines.len && shown < 3; i++) {
				const struct gpm_goroutine *h = &inc->goroutines.v[i];
				uint64_t one[1] = {m};
				if (!counted(h) || (h->flags & GPM_GOROUTINE_SYSTEM) ||
				    (gpm_goroutine_extra(inc, h)->wait_object == m &&
				     gpm_goroutine_extra(inc, h)->wait_object_kind ==
				         GPM_WAIT_OBJECT_MUTEX) ||
				    !referenced_mutex(inc, h, 0, one, 1, 0))
					continue;
				uint32_t hn;
				const struct gpm_frame *hfr = gpm_goroutine_frames(inc, h, &hn);
				bool inside = false, waits = false;
				for (uint32_t k = 0; k < hn; k++) {
					inside |= hfr[k].func == cs;
					waits |= is_lock_frame(hfr[k].func);
				}
				if (waits || inside != (pass == 0))
					continue;
				char *hf = frame_text(inc, h, user_frame(inc, h, false));
				evidence(
				    c, f, pass ? "holder? (weak)" : "likely holder",
				    "goroutine %" PRIu64 " [%s] in %s (heuristic: it refers to the "
				    "mutex%s)",
				    h->id, state_of(h), hf ? hf : "?",
				    pass ? ""
				         : " and runs inside the function the waiters lock from");
				free(hf);
				shown++;
			}
			if (shown)
				break;
		}
	}
	// Without addresses (arguments elided), group waiters by where they called Lock.
	if (!nu) {
		for (size_t i = 0; i < w.len; i++) {
			if (!w.v[i].func)
				continue;
			uint64_t n = 0;
			bool earlier = false;
			for (size_t j = 0; j < w.len; j++)
				if (w.v[j].func == w.v[i].func && w.v[j].line == w.v[i].line) {
					n++;
					earlier |= j < i;
				}
			if (earlier || n < min)
				continue;
			struct gpm_finding *f = finding_new(
			    c, "contention.mutex", GPM_SEVERITY_MEDIUM, GPM_CONFIDENCE_HEURISTIC);
			if (!f)
				break;
			const struct gpm_goroutine *g0 = &inc->goroutines.v[w.v[i].g];
			char *ft = frame_text(inc, g0, w.v[i].caller);
			set_text(c, &f->title,
			         "lock contention: %" PRIu64 " goroutines wait in Lock at %s", n,
			         ft ? ft : "?");
			set_text(c, &f->explanation,
			         "Many goroutines wait in sync.(*Mutex).Lock called from the same "
			         "place. Heuristic: the dump does not show the mutex's address, so "
			         "they probably, not certainly, wait for the same mutex.");
			set_text(c, &f->next,
			         "Find the goroutine inside the critical section of %s "
			         "and why it is slow.",
			         ft ? ft : "?");
			free(ft);
			for (size_t j = 0; j < w.len; j++)
				if (w.v[j].func == w.v[i].func && w.v[j].line == w.v[i].line)
					add_id(c, f, inc->goroutines.v[w.v[j].g].id);
			f->count = n;
			if (c->group_of)
				f->group = c->group_of[w.v[i].g];
		}
	}
	free(in_cycle);
	free(addrs);
out:
	gpm_vec_free(&w);
}

/* ---- channels: leaks ---- */

static bool is_chan_state(const char *s)
{
	return s && (starts(s, "chan send") || starts(s, "chan receive") || starts(s, "select"));
}

/* The channel g is blocked on: the core's object, else the printed argument. */
static uint64_t chan_of(const struct gpm_incident *inc, const struct gpm_goroutine *g)
{
	char abuf[1024];
	const struct gpm_goroutine_extra *x = gpm_goroutine_extra(inc, g);
	if (x->wait_object_kind == GPM_WAIT_OBJECT_CHAN ||
	    x->wait_object_kind == GPM_WAIT_OBJECT_SELECT)
		return x->wait_object;
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	for (uint32_t i = 0; i < n && i < 6; i++) {
		const char *fn = f[i].func;
		uint64_t v;
		if (fn &&
		    (!strcmp(fn, "runtime.chansend1") || !strcmp(fn, "runtime.chanrecv1") ||
		     !strcmp(fn, "runtime.chanrecv2") || !strcmp(fn, "runtime.chansend") ||
		     !strcmp(fn, "runtime.chanrecv")) &&
		    first_arg(frame_args(inc, g, i, &abuf), &v))
			return v;
	}
	return 0;
}

/* "created by" of g as "main.f at file.go:12" (malloc'd, safe), or NULL. */
static char *creator_text(const struct gpm_incident *inc, const struct gpm_goroutine *g)
{
	if (g->created_by == UINT32_MAX || g->created_by >= inc->frames.len)
		return NULL;
	const struct gpm_frame *cb = &inc->frames.v[g->created_by];
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	const char *fn = cb->func ? cb->func : "?";
	gpm_strbuf_append_safe(&sb, fn, strlen(fn));
	if (cb->file) {
		gpm_strbuf_puts(&sb, " at ");
		gpm_strbuf_append_safe(&sb, cb->file, strlen(cb->file));
		gpm_strbuf_printf(&sb, ":%u", cb->line);
	}
	return gpm_strbuf_detach(&sb);
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
		if (!counted(g) || g->status != GPM_G_WAITING)
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
				first_arg(frame_args(inc, g, (uint32_t)w, &abuf), wg);
				return g;
			}
		}
	}
	return NULL;
}

static void rule_leaks(struct gpm_rule_ctx *c)
{
	const struct gpm_incident *inc = c->inc;
	const struct gpm_grouping *gr = &c->a->grouping;
	uint32_t min = c->o->leak_min ? c->o->leak_min : 10;
	uint64_t *chans = NULL;
	for (size_t gi = 0; gi < gr->ngroups; gi++) {
		const struct gpm_group *grp = &gr->groups[gi];
		const struct gpm_goroutine *rep = &inc->goroutines.v[grp->representative];
		if (grp->count < min || !is_chan_state(grp->state) ||
		    (rep->flags & GPM_GOROUTINE_SYSTEM) || !counted(rep))
			continue;
		bool nil = strstr(grp->state, "nil chan") || strstr(grp->state, "no cases");
		enum gpm_severity sev = grp->count >= 100 ? GPM_SEVERITY_HIGH : GPM_SEVERITY_MEDIUM;
		struct gpm_finding *f =
		    finding_new(c, nil ? "leak.nil-chan" : "leak.chan", sev, GPM_CONFIDENCE_LIKELY);
		if (!f)
			break;
		f->group = (int32_t)gi;
		int uf = user_frame(inc, rep, false);
		char *where = frame_text(inc, rep, uf);
		char *fn = func_text(inc, rep, uf);
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
		for (uint32_t k = 0; k < grp->count; k++) {
			const struct gpm_goroutine *g =
			    &inc->goroutines.v[gr->members[grp->first_member + k]];
			uint64_t ch = chan_of(inc, g);
			if (ch)
				chans[nc++] = ch;
			add_id(c, f, g->id);
		}
		f->count = grp->count;
		qsort(chans, nc, sizeof(*chans), cmp_u64);
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
		const char *op = starts(grp->state, "chan send")      ? "sending on"
		                 : starts(grp->state, "chan receive") ? "receiving from"
		                                                      : "in select on";
		if (nil) {
			set_text(c, &f->title, "%u goroutines blocked forever (%s) in %s",
			         grp->count, grp->state, fn ? fn : "?");
			set_text(c, &f->explanation,
			         "Operations on a nil channel, and a select with no cases, block "
			         "forever: these goroutines can never continue.");
		} else if (nc && distinct == 1 && grp->count > 1 &&
		           starts(grp->state, "chan send") &&
		           (waiter = wait_group_waiter(inc, rep, &wframe, &wg))) {
			// A worker pool: the senders' creator waits for them before it drains
			// their results, and they cannot finish before someone does.
			f->rule = "deadlock.undrained-channel";
			f->severity = GPM_SEVERITY_CRITICAL;
			char *wt = frame_text(inc, waiter, wframe);
			char *ct = creator_text(inc, rep);
			set_text(c, &f->title,
			         "deadlock: %u workers blocked sending on result channel %#" PRIx64
			         " that nobody drains; goroutine %" PRIu64
			         " waits for them in sync.WaitGroup.Wait",
			         grp->count, topch, waiter->id);
			set_text(
			    c, &f->explanation,
			    "The goroutine that started these workers waits for all of them to "
			    "finish (WaitGroup.Wait) before it reads their results, but each "
			    "worker "
			    "is blocked handing its result over on an unbuffered (or full) channel "
			    "that only that goroutine would read: neither side can move. The "
			    "runtime cannot see this while other goroutines run.");
			set_text(
			    c, &f->next,
			    "In %s: receive the results while the workers run (close the "
			    "channel from a goroutine that does wg.Wait()), or give the channel "
			    "room for every result.",
			    wt ? wt : "?");
			f->address = topch;
			evidence(c, f, "result channel", "%#" PRIx64 " shared by %u senders in %s",
			         topch, grp->count, where ? where : "?");
			if (ct)
				evidence(c, f, "workers created", "by %s", ct);
			evidence(c, f, "waiter", "goroutine %" PRIu64 " [%s] in %s", waiter->id,
			         state_of(waiter), wt ? wt : "?");
			if (wg)
				evidence(c, f, "WaitGroup", "%#" PRIx64, wg);
			else if (gpm_goroutine_extra(inc, waiter)->wait_object_kind ==
			         GPM_WAIT_OBJECT_SEMA)
				evidence(c, f, "WaitGroup", "its semaphore at %#" PRIx64,
				         gpm_goroutine_extra(inc, waiter)->wait_object);
			add_id(c, f, waiter->id);
			free(wt);
			free(ct);
		} else if (nc && distinct == 1 && grp->count > 1) {
			set_text(c, &f->title,
			         "%u goroutines blocked %s one channel %#" PRIx64 " in %s",
			         grp->count, op, topch, fn ? fn : "?");
			set_text(
			    c, &f->explanation,
			    "They all wait on the same channel, so the goroutine that should %s it "
			    "has stopped or is stuck (e.g. workers sending results to a channel "
			    "nobody drains any more, or a consumer that returned early).",
			    starts(grp->state, "chan send") ? "receive from" : "send on or close");
			f->address = topch;
		} else if (nc && distinct * 10 >= nc * 9) {
			set_text(
			    c, &f->title,
			    "goroutine leak: %u goroutines blocked %s abandoned channels in %s",
			    grp->count, op, fn ? fn : "?");
			set_text(
			    c, &f->explanation,
			    "Each goroutine waits on a channel of its own (%zu distinct channels) "
			    "that nobody will use again: typically a request that timed out and "
			    "stopped listening, leaving its helper goroutine blocked for good. "
			    "They are never collected.",
			    distinct);
		} else {
			set_text(c, &f->title,
			         "goroutine leak? %u goroutines blocked %s channels in %s",
			         grp->count, op, fn ? fn : "?");
			set_text(
			    c, &f->explanation,
			    "A large group of goroutines waits on channel operations at the same "
			    "place. If the number grows over time, they leak. Heuristic: a big "
			    "group of blocked goroutines is not by itself a bug (worker pools "
			    "idle this way).");
			f->confidence = GPM_CONFIDENCE_HEURISTIC;
		}
		if (!waiter)
			set_text(
			    c, &f->next,
			    "Look at %s and at who should be on the other side of the channel; "
			    "make "
			    "the send/receive select on a context or done channel, or buffer the "
			    "channel so the sender can finish.",
			    where ? where : "?");
		evidence(c, f, "goroutines", "%u (ids %" PRIu64 "..%" PRIu64 ")", grp->count,
		         grp->min_id, grp->max_id);
		evidence(c, f, "blocked in", "%s", where ? where : "?");
		if (grp->max_minutes >= 0)
			evidence(c, f, "waiting", "%" PRId64 "-%" PRId64 " minutes",
			         grp->min_minutes, grp->max_minutes);
		for (uint32_t k = 0; k < grp->ncreators && k < 4; k++) {
			char *s = safe(grp->creators[k]);
			evidence(c, f, "created by", "%s", s ? s : "?");
			free(s);
		}
		if (nc)
			evidence(c, f, "channels", "%zu distinct among %zu known%s", distinct, nc,
			         top > 1 ? "" : " (one goroutine each)");
		if (nc && top > 1)
			evidence(c, f, "busiest channel", "%#" PRIx64 " with %zu waiters", topch,
			         top);
		free(where);
		free(fn);
	}
	free(chans);
}

/* ---- process-wide rules ---- */

static void rule_population(struct gpm_rule_ctx *c)
{
	const struct gpm_incident *inc = c->inc;
	uint64_t too_many = c->o->too_many ? c->o->too_many : 10000;
	if (c->a->goroutines >= too_many) {
		struct gpm_finding *f = finding_new(c, "goroutines.too-many", GPM_SEVERITY_MEDIUM,
		                                    GPM_CONFIDENCE_LIKELY);
		if (!f)
			return;
		set_text(c, &f->title, "%" PRIu64 " goroutines", c->a->goroutines);
		set_text(c, &f->explanation,
		         "An unusually large number of goroutines: each costs at least a few KB of "
		         "stack, and a growing count usually means goroutines are started faster "
		         "than they finish.");
		set_text(c, &f->next,
		         "Look at the largest groups below and where they were "
		         "created.");
		f->count = c->a->goroutines;
		if (c->a->grouping.ngroups)
			f->group = (int32_t)c->a->order[0];
	}
	// Syscalls and locked threads.
	uint64_t sys = 0, locked = 0, sysmin = 0;
	const struct gpm_goroutine *sys1 = NULL, *lock1 = NULL;
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		if (!counted(g) || (g->flags & GPM_GOROUTINE_SYSTEM))
			continue;
		if (g->status == GPM_G_SYSCALL && g->wait_minutes >= 5) {
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
	if (sys) {
		struct gpm_finding *f =
		    finding_new(c, "syscall.stuck", GPM_SEVERITY_LOW, GPM_CONFIDENCE_LIKELY);
		if (!f)
			return;
		char *ft = frame_text(inc, sys1, user_frame(inc, sys1, false));
		set_text(c, &f->title, "%" PRIu64 " goroutines in system calls for 5+ minutes",
		         sys);
		set_text(c, &f->explanation,
		         "Each holds an OS thread while it waits in the kernel (a blocking read, "
		         "a file lock, cgo). That is normal for idle network servers only when the "
		         "poller is not used.");
		set_text(c, &f->next, "Look at %s.", ft ? ft : "?");
		evidence(c, f, "longest", "goroutine %" PRIu64 ", %" PRIu64 " minutes", sys1->id,
		         sysmin);
		add_id(c, f, sys1->id);
		f->count = sys;
		free(ft);
	}
	if (locked >= 2) {
		struct gpm_finding *f =
		    finding_new(c, "thread.locked", GPM_SEVERITY_LOW, GPM_CONFIDENCE_HEURISTIC);
		if (!f)
			return;
		char *ft = frame_text(inc, lock1, user_frame(inc, lock1, false));
		set_text(c, &f->title, "%" PRIu64 " goroutines locked to OS threads are blocked",
		         locked);
		set_text(
		    c, &f->explanation,
		    "runtime.LockOSThread pins a goroutine to its thread: while it blocks, the "
		    "thread can run nothing else, and one that exits while locked takes the "
		    "thread with it. Heuristic: many blocked locked goroutines suggest a "
		    "missing UnlockOSThread.");
		set_text(c, &f->next, "Look at %s and where LockOSThread is called.",
		         ft ? ft : "?");
		add_id(c, f, lock1->id);
		f->count = locked;
		free(ft);
	}
}

static void rule_snapshot(struct gpm_rule_ctx *c)
{
	const struct gpm_incident *inc = c->inc;
	if (inc->crash.kind == GPM_FATAL_QUIT) {
		struct gpm_finding *f =
		    finding_new(c, "snapshot.sigquit", GPM_SEVERITY_INFO, GPM_CONFIDENCE_CERTAIN);
		if (!f)
			return;
		set_text(c, &f->title,
		         "dump taken on request (SIGQUIT): the process was not "
		         "crashing");
		set_text(c, &f->explanation,
		         "Someone sent SIGQUIT (or pressed Ctrl-\\) to get this dump; look at the "
		         "other findings for why.");
		set_text(c, &f->next, "Compare with a second dump taken later to see what grows.");
	}
}

/* ---- ordering ---- */

static int cmp_finding(const void *a, const void *b)
{
	const struct gpm_finding *x = a, *y = b;
	if (x->severity != y->severity)
		return x->severity > y->severity ? -1 : 1;
	if (x->confidence != y->confidence)
		return x->confidence < y->confidence ? -1 : 1;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->rule, y->rule);
}

static struct gpm_error *summarise(struct gpm_rule_ctx *c)
{
	const struct gpm_incident *inc = c->inc;
	struct gpm_analysis *a = c->a;
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		if (!counted(g))
			continue;
		a->goroutines++;
		if (g->flags & GPM_GOROUTINE_SYSTEM)
			a->system++;
		const char *st = state_of(g);
		size_t k = 0;
		// States are few (tens): linear search is fine.
		for (; k < a->states.len; k++)
			if (a->states.v[k].state == st || !strcmp(a->states.v[k].state, st))
				break;
		if (k == a->states.len) {
			struct gpm_state_count *s = gpm_vec_push(&a->states);
			if (!s)
				return &gpm_error_nomem;
			s->state = st;
		}
		a->states.v[k].count++;
	}
	// Most first (insertion sort: few states).
	for (size_t i = 1; i < a->states.len; i++)
		for (size_t j = i; j > 0 && a->states.v[j].count > a->states.v[j - 1].count; j--) {
			struct gpm_state_count t = a->states.v[j];
			a->states.v[j] = a->states.v[j - 1];
			a->states.v[j - 1] = t;
		}
	return NULL;
}

/* ---- the helpers for rules in their own files (rules.h) ---- */

struct gpm_finding *gpm_rule_finding_new(struct gpm_rule_ctx *c, const char *rule,
                                         enum gpm_severity sev, enum gpm_confidence conf)
{
	return finding_new(c, rule, sev, conf);
}

void gpm_rule_vtext(struct gpm_rule_ctx *c, char **slot, const char *fmt, va_list ap)
{
	char *s = vfmt(fmt, ap);
	if (!s)
		c->oom = true;
	free(*slot);
	*slot = s;
}

void gpm_rule_text(struct gpm_rule_ctx *c, char **slot, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	gpm_rule_vtext(c, slot, fmt, ap);
	va_end(ap);
}

void gpm_rule_vevidence(struct gpm_rule_ctx *c, struct gpm_finding *f, const char *key,
                        const char *fmt, va_list ap)
{
	char *v = vfmt(fmt, ap);
	char *k = strdup(key);
	struct gpm_evidence *e = (v && k) ? gpm_vec_push(&f->evidence) : NULL;
	if (!e) {
		free(v);
		free(k);
		c->oom = true;
		return;
	}
	e->key = k;
	e->value = v;
}

void gpm_rule_evidence(struct gpm_rule_ctx *c, struct gpm_finding *f, const char *key,
                       const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	gpm_rule_vevidence(c, f, key, fmt, ap);
	va_end(ap);
}

void gpm_rule_add_id(struct gpm_rule_ctx *c, struct gpm_finding *f, uint64_t id)
{
	add_id(c, f, id);
}

bool gpm_rule_is_plumbing(const char *func)
{
	return is_plumbing(func);
}

int gpm_rule_first_frame(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                         bool (*skip)(const char *func))
{
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	for (uint32_t i = 0; i < n; i++) {
		if (f[i].flags & GPM_FRAME_ELIDED)
			continue;
		if (!skip(f[i].func))
			return (int)i;
	}
	return -1;
}

char *gpm_rule_frame_text(const struct gpm_incident *inc, const struct gpm_goroutine *g, int i)
{
	return frame_text(inc, g, i);
}

char *gpm_rule_creator_text(const struct gpm_incident *inc, const struct gpm_goroutine *g)
{
	return creator_text(inc, g);
}

struct gpm_error *gpm_analysis_run(const struct gpm_incident *inc,
                                   const struct gpm_analysis_options *o, struct gpm_analysis **out)
{
	static const struct gpm_analysis_options defaults = {.level = GPM_GROUP_NO_ARGS};
	struct gpm_analysis *a = calloc(1, sizeof(*a));
	if (!a)
		return &gpm_error_nomem;
	struct gpm_rule_ctx c = {.inc = inc, .a = a, .o = o ? o : &defaults};
	struct gpm_error *err = gpm_group_goroutines(inc, c.o->level, &a->grouping);
	if (err)
		goto fail;
	err = &gpm_error_nomem;
	size_t ng = a->grouping.ngroups;
	a->order = malloc((ng ? ng : 1) * sizeof(*a->order));
	a->group_flagged = calloc(ng ? ng : 1, 1);
	c.group_of = malloc((inc->goroutines.len ? inc->goroutines.len : 1) * sizeof(*c.group_of));
	if (!a->order || !a->group_flagged || !c.group_of)
		goto fail;
	for (size_t i = 0; i < inc->goroutines.len; i++)
		c.group_of[i] = -1;
	for (size_t gi = 0; gi < ng; gi++) {
		const struct gpm_group *g = &a->grouping.groups[gi];
		for (uint32_t k = 0; k < g->count; k++)
			c.group_of[a->grouping.members[g->first_member + k]] = (int32_t)gi;
		a->order[gi] = (uint32_t)gi;
	}
	if ((err = summarise(&c)))
		goto fail;
	rule_crash(&c);
	rule_mutexes(&c);
	rule_leaks(&c);
	rule_population(&c);
	rule_snapshot(&c);
	gpm_rule_race(&c);
	if (c.oom) {
		err = &gpm_error_nomem;
		goto fail;
	}
	if (a->findings.len)
		qsort(a->findings.v, a->findings.len, sizeof(*a->findings.v), cmp_finding);
	// Groups named by findings first (in finding order), then the rest by size.
	size_t pos = 0;
	for (size_t i = 0; i < a->findings.len; i++) {
		int32_t gi = a->findings.v[i].group;
		if (gi >= 0 && (size_t)gi < ng && !a->group_flagged[gi]) {
			a->group_flagged[gi] = 1;
			a->order[pos++] = (uint32_t)gi;
		}
	}
	// Then the program's own groups by size, the runtime's helpers (GC workers,
	// finalizers) last.
	for (int system = 0; system < 2; system++)
		for (size_t gi = 0; gi < ng; gi++) {
			const struct gpm_goroutine *rep =
			    &inc->goroutines.v[a->grouping.groups[gi].representative];
			bool sys =
			    (rep->flags & GPM_GOROUTINE_SYSTEM) || user_frame(inc, rep, true) < 0;
			if (!a->group_flagged[gi] && sys == (system == 1))
				a->order[pos++] = (uint32_t)gi;
		}
	free(c.group_of);
	*out = a;
	return NULL;
fail:
	free(c.group_of);
	gpm_analysis_destroy(a);
	return err;
}

void gpm_analysis_destroy(struct gpm_analysis *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->findings.len; i++) {
		struct gpm_finding *f = &a->findings.v[i];
		free(f->title);
		free(f->explanation);
		free(f->next);
		for (size_t k = 0; k < f->evidence.len; k++) {
			free(f->evidence.v[k].key);
			free(f->evidence.v[k].value);
		}
		gpm_vec_free(&f->evidence);
		gpm_vec_free(&f->goroutines);
	}
	gpm_vec_free(&a->findings);
	gpm_vec_free(&a->states);
	gpm_grouping_deinit(&a->grouping);
	free(a->order);
	free(a->group_flagged);
	free(a);
}
