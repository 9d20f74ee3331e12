/*
 * The rules that turn an incident into findings (see analysis.h). Each rule is a function
 * over the incident and its goroutine groups that adds zero or more findings; rules read
 * only the model. All passes are linear in goroutines (plus sorting), so 100,000
 * goroutines cost well under a second.
 */
#include "analysis/analysis.h"
#include "analysis/rules.h"
#include "base/u64map.h"
#include "model/frameclass.h"

#include <inttypes.h>
#include <limits.h>
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

/* Gives f the rule kind, its id and its default severity and confidence. */
static void set_rule(struct gpm_finding *f, enum gpm_rule_kind kind)
{
	f->kind = kind;
	f->rule = gpm_rules[kind].id;
	f->severity = gpm_rules[kind].severity;
	f->confidence = gpm_rules[kind].confidence;
}

static struct gpm_finding *finding_new(struct gpm_rule_ctx *c, enum gpm_rule_kind kind)
{
	struct gpm_finding *f = gpm_vec_push(&c->a->findings);
	if (!f) {
		c->oom = true;
		return NULL;
	}
	set_rule(f, kind);
	f->group = -1;
	return f;
}

/* A finding of kind with another severity or confidence than its default. */
static struct gpm_finding *finding_new_as(struct gpm_rule_ctx *c, enum gpm_rule_kind kind,
                                          enum gpm_severity sev, enum gpm_confidence conf)
{
	struct gpm_finding *f = finding_new(c, kind);
	if (f) {
		f->severity = sev;
		f->confidence = conf;
	}
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

/* Whose code fn is (model/frameclass.h, the one classifier). */
static enum gpm_frame_class frame_class(const char *fn)
{
	return gpm_frame_classify(fn, NULL);
}

/* Runtime and the standard library's plumbing a reader skips to find the code at fault:
 * the runtime, and the standard packages every blocked stack passes through (sync, time,
 * os, net, io...); the rest of the standard library (net/http, encoding/json, testing) is
 * where a goroutine can be said to be. */
static bool is_plumbing(const char *fn)
{
	switch (frame_class(fn)) {
	case GPM_FRAME_CLASS_RUNTIME:
		return true;
	case GPM_FRAME_CLASS_STDLIB:
		return starts(fn, "internal/") || starts(fn, "sync.") || starts(fn, "sync/") ||
		       starts(fn, "time.") || starts(fn, "syscall.") || starts(fn, "reflect.") ||
		       starts(fn, "fmt.") || starts(fn, "errors.") || starts(fn, "os.") ||
		       starts(fn, "net.") || starts(fn, "io.") || starts(fn, "bufio.") ||
		       starts(fn, "context.");
	case GPM_FRAME_CLASS_DEPENDENCY:
	case GPM_FRAME_CLASS_MAIN:
		break;
	}
	return false;
}

static bool is_runtime(const char *fn)
{
	return frame_class(fn) == GPM_FRAME_CLASS_RUNTIME;
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
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	for (uint32_t i = 0; i < n; i++) {
		if (f[i].flags & GPM_FRAME_ELIDED)
			continue;
		if (runtime_only ? !is_runtime(f[i].func) : !is_plumbing(f[i].func))
			return (int)i;
	}
	return -1;
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
	return !(g->flags & (GPM_GOROUTINE_REPEAT | GPM_GOROUTINE_RUNTIME_STACK)) &&
	       gpm_goroutine_is_real(g);
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

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch |= 0x20;
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/*
 * Every exact hexadecimal argument of the n bytes at args (n < 1024, no NUL among them),
 * via cb: each "0x" followed by a value as strtoull reads it (saturated when too long) and
 * not by '?', above 4096. The usual "0x" + hex digits is read here, in place (this runs
 * over every printed argument of every goroutine); anything else (a second "0x", a sign,
 * spaces) goes to strtoull over a copy, as it always did.
 */
static void each_arg(const char *args, size_t n, void (*cb)(void *, uint64_t), void *arg)
{
	const char *lim = args + n;
	for (const char *p = args; p < lim;) {
		const char *x = memchr(p, '0', (size_t)(lim - p));
		if (!x || lim - x < 2)
			break;
		if (x[1] != 'x') {
			p = x + 1;
			continue;
		}
		const char *q = x + 2, *end = q;
		unsigned long long v = 0;
		if (q < lim && hex_digit(*q) >= 0 &&
		    !(*q == '0' && q + 1 < lim && (q[1] | 0x20) == 'x')) {
			bool over = false;
			for (int d; end < lim && (d = hex_digit(*end)) >= 0; end++) {
				over |= v > (ULLONG_MAX >> 4);
				v = v << 4 | (unsigned)d;
			}
			if (over)
				v = ULLONG_MAX;
		} else if (q < lim) {
			char buf[1024];
			memcpy(buf, q, (size_t)(lim - q));
			buf[lim - q] = 0;
			char *e;
			v = strtoull(buf, &e, 16);
			end = q + (e - buf);
		}
		if (end != q && !(end < lim && *end == '?') && v > 4096)
			cb(arg, v);
		p = end > q ? end : q;
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
	       (fn && (!strcmp(fn, "runtime.sigpanic") || starts(fn, "runtime.panic") ||
	               starts(fn, "runtime.mapassign") || starts(fn, "runtime.goPanic")));
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
		else if (s->top < 0 && !is_runtime(fn))
			s->top = (int)i;
	}
	int from = s->panic >= 0 ? s->panic : lastcrash;
	for (uint32_t i = (uint32_t)(from + 1); i < n && i < 256; i++)
		if (!(f[i].flags & GPM_FRAME_ELIDED) && !is_runtime(f[i].func) &&
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
	return NULL;
}

/* Why the signal that killed the process came from outside, NULL when it did not. */
static const char *external_signal(const struct gpm_incident *inc, char (*name)[16])
{
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
			return NULL;
		}
	if (cr->exit_status == 137 || cr->exit_status == 143) {
		snprintf(*name, sizeof(*name), "%s",
		         cr->exit_status == 137 ? "SIGKILL" : "SIGTERM");
		return "exit status 128+signal: killed from outside";
	}
	return NULL;
}

static void rule_masked(struct gpm_rule_ctx *c, const struct gpm_goroutine *g,
                        const struct crash_site *cs, const char *fatal, const char *panic_msg,
                        bool nil_fault)
{
	const struct gpm_incident *inc = c->inc;
	struct gpm_finding *f = finding_new(c, GPM_RULE_PANIC_MASKED);
	if (!f)
		return;
	char *where = frame_text(inc, g, cs->site);
	char *fn = func_text(inc, g, cs->site);
	char *fatalfn = func_text(inc, g, cs->fatal + 1);
	char *fs = safe(fatal);
	char *pm = panic_msg ? safe(panic_msg) : NULL;
	bool nil = nil_fault || (panic_msg && strstr(panic_msg, "nil pointer dereference"));
	if (nil)
		set_text(c, &f->title, "nil pointer dereference in %s, masked by fatal error: %s",
		         fn ? fn : "?", fs ? fs : "?");
	else
		set_text(c, &f->title, "panic%s%s in %s, masked by fatal error: %s", pm ? ": " : "",
		         pm ? pm : "", fn ? fn : "?", fs ? fs : "?");
	set_text(c, &f->explanation,
	         "While a panic unwound, a deferred call raised a fatal error, which cannot be "
	         "recovered and is what the runtime printed; the panic underneath it, shown as "
	         "panic(...) in the stack, is the original failure. A deferred Unlock of a mutex "
	         "that was already unlocked is the usual cause (the fatal error is a second bug, "
	         "reached only because of the first).");
	set_text(c, &f->next,
	         "Look at %s, where the panic happened; then at why %s found the mutex (or "
	         "state) already released when the deferred call ran.",
	         where ? where : "?", fatalfn ? fatalfn : "?");
	evidence(c, f, "underlying panic", "%s%s",
	         pm ? pm : (nil ? "nil pointer dereference" : "?"),
	         nil && pm && !strstr(pm, "nil pointer") ? " (nil pointer dereference)" : "");
	evidence(c, f, "panic site", "%s", where ? where : "?");
	evidence(c, f, "fatal error", "%s (raised in %s, a deferred call during the panic)",
	         fs ? fs : "?", fatalfn ? fatalfn : "?");
	free(where);
	free(fn);
	free(fatalfn);
	free(fs);
	free(pm);
	add_id(c, f, g->id);
	if (c->group_of && g >= inc->goroutines.v)
		f->group = c->group_of[g - inc->goroutines.v];
}

/* The test function a goroutine of `go test` runs (the frame tRunner called), -1 none. */
static int test_frame(const struct gpm_incident *inc, const struct gpm_goroutine *g, bool *parent)
{
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	*parent = false;
	for (uint32_t i = 0; i < n; i++) {
		if (f[i].func && !strcmp(f[i].func, "testing.(*T).Run"))
			*parent = true; // waits for its subtests: not where the time goes
		if (f[i].func && !strcmp(f[i].func, "testing.tRunner"))
			return i ? (int)i - 1 : -1;
	}
	return -1;
}

static void rule_test_timeout(struct gpm_rule_ctx *c, const struct gpm_panic *p)
{
	const struct gpm_incident *inc = c->inc;
	struct gpm_finding *f = finding_new(c, GPM_RULE_TEST_TIMEOUT);
	if (!f)
		return;
	const char *m = p->message ? p->message : "";
	size_t first = strcspn(m, "\n");
	char *limit = gpm_safe_strndup(m, first > 200 ? 200 : first);
	const struct gpm_goroutine *stuck = NULL;
	int sframe = -1;
	unsigned shown = 0;
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		bool parent;
		int tf;
		if (!counted(g) || (tf = test_frame(inc, g, &parent)) < 0 || parent)
			continue;
		add_id(c, f, g->id);
		if (shown++ >= 6)
			continue;
		int uf = user_frame(inc, g, false);
		char *test = func_text(inc, g, tf);
		char *at = frame_text(inc, g, uf);
		evidence(c, f, "stuck test", "%s: goroutine %" PRIu64 " [%s] in %s",
		         test ? test : "?", g->id, state_of(g), at ? at : "?");
		free(test);
		free(at);
		if (!stuck) {
			stuck = g;
			sframe = tf;
		}
	}
	if (stuck) {
		char *test = func_text(inc, stuck, sframe);
		char *at = frame_text(inc, stuck, user_frame(inc, stuck, false));
		set_text(c, &f->title, "test timed out: %s blocked [%s] in %s%s", test ? test : "?",
		         state_of(stuck), at ? at : "?", shown > 1 ? " (and more tests)" : "");
		set_text(c, &f->next,
		         "Look at %s: what it waits for and who should have done it (a missing "
		         "send, close, Unlock or Done, or a call without a deadline).",
		         at ? at : "?");
		if (c->group_of && stuck >= inc->goroutines.v)
			f->group = c->group_of[stuck - inc->goroutines.v];
		free(test);
		free(at);
	} else {
		set_text(c, &f->title, "%s", limit ? limit : "test timed out");
		set_text(c, &f->next, "Read the running tests list and their goroutines below.");
	}
	set_text(c, &f->explanation,
	         "go test stopped the test binary after its -timeout. The goroutine that printed "
	         "the panic is the testing package's alarm (testing.(*M).startAlarm), not the "
	         "culprit: the stuck test is the one still running in its own goroutine under "
	         "testing.tRunner (tests waiting only for their subtests are skipped).");
	evidence(c, f, "timeout", "%s", limit ? limit : "?");
	// "running tests:" as printed, when the reader kept it with the message.
	const char *rt = strstr(m, "running tests:");
	if (rt) {
		rt += strlen("running tests:");
		while (*rt == '\n' || *rt == ' ' || *rt == '\t')
			rt++;
		size_t k = strcspn(rt, "\n");
		char *s = gpm_safe_strndup(rt, k > 200 ? 200 : k);
		evidence(c, f, "running tests", "%s", s ? s : "?");
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

/* A stack pasted without its "panic:"/"fatal error:" line: the first goroutine that died
 * in a runtime crash function. */
static void rule_stack_only(struct gpm_rule_ctx *c)
{
	const struct gpm_incident *inc = c->inc;
	// The verdict depends on the frames only: each distinct stack is looked at once.
	uint8_t *seen = calloc(inc->stacks.len / 8 + 1, 1);
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		if (!counted(g) || g->status == GPM_G_WAITING)
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
		struct gpm_finding *f = finding_new(c, GPM_RULE_CRASH_STACK_ONLY);
		if (!f)
			return;
		char *where = frame_text(inc, g, cs.site);
		char *fn = func_text(inc, g, cs.site);
		char *died = func_text(inc, g, cs.died_in);
		const char *how = is_panic_func(died) || starts(died, "runtime.panic") ||
		                          starts(died, "runtime.goPanic")
		                      ? "a panic"
		                  : starts(died, "runtime.mapassign")
		                      ? "a map write the runtime refused"
		                  : starts(died, "runtime.sigpanic") ? "a fault (signal)"
		                                                     : "a fatal error";
		bool plain = died && (!strcmp(died, "panic") || !strcmp(died, "runtime.gopanic"));
		set_text(c, &f->title,
		         "crash in %s: died in %s (%s%sthe message is not in the input)",
		         fn ? fn : "?", died ? died : "?", plain ? "" : how, plain ? "" : "; ");
		set_text(
		    c, &f->explanation,
		    "The input has goroutine stacks but not the lines the runtime prints before "
		    "them (\"panic: ...\", \"fatal error: ...\"), as when a stack is pasted from a "
		    "log. Goroutine %" PRIu64 " was in %s called from the program's own code, so "
		    "that is where it died; the message itself is in the log above the stacks.",
		    g->id, died ? died : "?");
		set_text(c, &f->next,
		         "Look at %s; find the panic or fatal error line printed just before these "
		         "stacks for the value.",
		         where ? where : "?");
		evidence(c, f, "goroutine", "%" PRIu64 " [%s]", g->id, state_of(g));
		evidence(c, f, "frame", "%s", where ? where : "?");
		evidence(c, f, "runtime function", "%s", died ? died : "?");
		if (cs.top >= 0 && cs.top < cs.site && cs.npanics) {
			char *later = frame_text(inc, g, cs.top);
			evidence(c, f, "panicked again", "in %s, while the first panic unwound",
			         later ? later : "?");
			free(later);
		}
		add_id(c, f, g->id);
		if (c->group_of)
			f->group = c->group_of[i];
		free(where);
		free(fn);
		free(died);
		return;
	}
	free(seen);
}

static void rule_crash(struct gpm_rule_ctx *c)
{
	const struct gpm_incident *inc = c->inc;
	const struct gpm_crash *cr = &inc->crash;
	const struct gpm_goroutine *g = crashing_goroutine(inc);
	struct crash_site cs;
	crash_site(inc, g, &cs);
	int uf = g ? (cs.site >= 0 ? cs.site : user_frame(inc, g, true)) : -1;
	char *where = g ? frame_text(inc, g, uf) : strdup("an unknown goroutine");
	char *fn = g ? func_text(inc, g, uf) : strdup("?");
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
	}
	// SI_KERNEL (0x80) on SIGSEGV: a general-protection fault, a non-canonical address the
	// kernel reports as 0 — not a nil pointer.
	const char *wild = !signame || !has_addr ? NULL
	                   : code == 0x80        ? "a non-canonical address (the kernel reports "
	                                           "0 with code 0x80, SI_KERNEL)"
	                                         : wild_address(addr);
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

	if (wild && g && !gpm_rule_cgo_fault(inc)) {
		f = finding_new(c, GPM_RULE_MEMORY_CORRUPTION);
		if (!f)
			goto out;
		if (code == 0x80)
			set_text(c, &f->title,
			         "memory corruption: %s at a non-canonical address in %s", signame,
			         fn);
		else
			set_text(c, &f->title,
			         "memory corruption: %s at wild address %#" PRIx64 " in %s",
			         signame, addr, fn);
		set_text(
		    c, &f->explanation,
		    "The fault address is %s: no Go pointer ever has that value, so the pointer "
		    "was read from memory that was freed, overwritten or never held a pointer "
		    "(a data race on an interface, slice or map; unsafe or cgo misuse; a bug in "
		    "the runtime or in C code). The frame named here is where the bad pointer was "
		    "used, not necessarily where it was made.",
		    wild);
		set_text(c, &f->next,
		         "Run the program under the race detector (-race) and check unsafe and cgo "
		         "code that feeds %s; GODEBUG=invalidptr=1 and cgocheck=2 catch some of it "
		         "earlier. Suspect the runtime or a C library only when the code path is "
		         "pure Go.",
		         where);
		f->address = addr;
		evidence(c, f, "fault address", "%#" PRIx64 ": %s", addr, wild);
		if (code != INT64_MIN)
			evidence(c, f, "signal code", "%#" PRIx64, (uint64_t)code);
		if (cr->kind == GPM_FATAL_THROW && cr->fatal_message) {
			char *fm = safe(cr->fatal_message);
			evidence(c, f, "fatal error", "%s", fm ? fm : "?");
			free(fm);
		}
	} else if (masked) {
		rule_masked(c, g, &cs, fatal_in_panic ? fatal_in_panic : cr->fatal_message,
		            first_buf[0] ? first_buf : NULL, signame && has_addr && addr < 4096);
		goto out;
	} else if (cr->kind == GPM_FATAL_PANIC && cr->panics.len && first_msg &&
	           starts(first_msg, "test timed out after")) {
		rule_test_timeout(c, &cr->panics.v[0]);
		goto out;
	} else if (cr->kind == GPM_FATAL_PANIC && cr->panics.len) {
		// A panic raised while another unwound: the first one is the failure, the
		// others happened in its deferred calls (the runtime prints the first first).
		const struct gpm_panic *p = &cr->panics.v[0];
		char *msg = safe(first_buf[0] ? first_buf : p->message);
		const char *m = p->message ? p->message : "";
		if (signame && has_addr && addr < 4096) {
			f = finding_new(c, GPM_RULE_SIGNAL_NIL);
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
			f = finding_new(c, GPM_RULE_PANIC_NIL_MAP);
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
			f = finding_new(c, GPM_RULE_PANIC);
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
		for (size_t i = 1; i < cr->panics.len; i++) {
			char *pm = safe(cr->panics.v[i].message);
			evidence(c, f, "then panicked",
			         "%s%s (raised while the first panic unwound)", pm ? pm : "?",
			         cr->panics.v[i].repanicked  ? " [recovered, repanicked]"
			         : cr->panics.v[i].recovered ? " [recovered]"
			                                     : "");
			free(pm);
		}
		if (cr->panics.len > 1 && g && cs.top >= 0 && cs.top != uf) {
			char *later = frame_text(inc, g, cs.top);
			evidence(c, f, "second site", "%s (a deferred call)", later ? later : "?");
			free(later);
		}
		if (inc->panics_dropped)
			evidence(c, f, "nested panics", "%" PRIu64 " more not shown",
			         inc->panics_dropped);
		free(msg);
	} else if (cr->kind == GPM_FATAL_THROW && cr->fatal_message && !gpm_rule_cgo_fault(inc)) {
		const char *m = cr->fatal_message;
		char *msg = safe(m);
		if (strstr(m, "all goroutines are asleep")) {
			f = finding_new(c, GPM_RULE_DEADLOCK_ALL);
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
			f = finding_new(c, GPM_RULE_MAP_CONCURRENT);
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
			f = finding_new(c, GPM_RULE_STACK_OVERFLOW);
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
			f = finding_new(c, GPM_RULE_OOM);
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
			f = finding_new(c, GPM_RULE_FATAL);
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
	} else if (gpm_rule_cgo_fault(inc)) {
		// A signal in C code: signal.cgo names the C function and its Go caller.
	} else if (signame) {
		f = finding_new(c, has_addr && addr < 4096 ? GPM_RULE_SIGNAL_NIL : GPM_RULE_SIGNAL);
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
	} else if (cr->kind == GPM_FATAL_NONE || cr->kind == GPM_FATAL_UNKNOWN) {
		rule_stack_only(c);
	}
	// A signal from outside (a supervisor, a test runner's timeout, a person) stopped it.
	char xname[16];
	const char *why =
	    cr->kind != GPM_FATAL_PANIC && cr->kind != GPM_FATAL_THROW && !gpm_rule_cgo_fault(inc)
	        ? external_signal(inc, &xname)
	        : NULL;
	if (why) {
		struct gpm_finding *x = finding_new(c, GPM_RULE_SIGNAL_EXTERNAL);
		if (x) {
			set_text(
			    c, &x->title,
			    "%s sent from outside: the process was stopped, it did not crash by "
			    "itself",
			    xname);
			set_text(
			    c, &x->explanation,
			    "Another process (a supervisor or watchdog, a test runner's timeout, "
			    "an OOM killer, a person) sent %s; a Go program prints every goroutine "
			    "on SIGABRT and exits. What the goroutines were doing is often why it "
			    "was stopped (stuck or too slow): read the other findings and groups.",
			    xname);
			set_text(
			    c, &x->next,
			    "Find who sent it (service manager logs, the test runner's timeout, "
			    "the kernel log for the OOM killer) and what it waited for.");
			evidence(c, x, "signal", "%s: %s", xname, why);
		}
	}
	if (f && signame) {
		if (has_addr)
			evidence(c, f, "signal", "%s, fault address %#" PRIx64 "%s", signame, addr,
			         addr < 4096 && !wild ? " (near nil)" : "");
		uint64_t pc = inc->kind == GPM_INPUT_CORE ? cr->go_sigpc : cr->pc;
		if (pc)
			evidence(c, f, "signal pc", "%#" PRIx64, pc);
	}
	if (f && g && f->kind != GPM_RULE_DEADLOCK_ALL) {
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
	/* The mutex every waiter at its function's first Lock waits for, when it is past that
	 * Lock and waits for another one: the one it took there (0 none). */
	uint64_t first_held;
	uint32_t first_waiters; /* how many wait at that first Lock */
	bool by_first;          /* holds was inferred from first_held, not from arguments */
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

/* Calls cb with every exact hexadecimal argument of g's frames from frame `from` on: one
 * walk over the goroutine's argument texts (its own, else its frames'). */
static void each_goroutine_arg(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                               int from, void (*cb)(void *, uint64_t), void *arg)
{
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	struct gpm_args_iter it;
	bool own = gpm_goroutine_args_begin(inc, g, &it);
	for (uint32_t i = 0; i < n; i++) {
		const char *a = NULL;
		size_t an = 0;
		if (own) {
			if (!gpm_args_iter_next(&it, &a, &an))
				break;
		} else if (f[i].args) {
			a = f[i].args;
			an = strlen(a);
		}
		if (!a || (int)i < from)
			continue;
		each_arg(a, an < 1024 ? an : 1023, cb, arg);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The first index of sorted v[0..n) whose value is >= x. */
static size_t lower_bound(const uint64_t *v, size_t n, uint64_t x)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
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
	if (r->found)
		return;
	for (size_t i = lower_bound(r->targets, r->ntargets, v);
	     i < r->ntargets && r->targets[i] - v < 64; i++)
		if (r->targets[i] != r->exclude) {
			r->found = r->targets[i];
			return;
		}
}

/* A contended mutex g's code refers to: in a core, from its stack words (held_object); in
 * text, from its printed arguments (frames from the caller on). targets are sorted. */
static uint64_t referenced_mutex(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                                 int from, const uint64_t *targets, size_t nt, uint64_t exclude)
{
	struct refs_ctx r = {targets, nt, exclude, 0};
	// A core: the stack words were matched when it was read.
	uint64_t held = gpm_goroutine_extra(inc, g)->held_object;
	if (held && held != exclude) {
		size_t k = lower_bound(targets, nt, held);
		if (k < nt && targets[k] == held)
			return held;
	}
	each_goroutine_arg(inc, g, from, ref_cb, &r);
	return r.found;
}

static int cmp_waiter_site(const void *a, const void *b)
{
	const struct waiter *x = a, *y = b;
	if (x->func != y->func)
		return (uintptr_t)x->func < (uintptr_t)y->func ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->g < y->g ? -1 : x->g > y->g;
}

static int cmp_waiter_g(const void *a, const void *b)
{
	const struct waiter *x = a, *y = b;
	return x->g < y->g ? -1 : x->g > y->g;
}

/* Waiter indices ordered by (key, waiter index), for runs of equal keys. */
struct keyed {
	uint64_t key;
	uint32_t w;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->w < y->w ? -1 : x->w > y->w;
}

/* The first waiter (lowest index) other than cur whose key is k in sorted kv, SIZE_MAX none. */
static size_t keyed_find(const struct keyed *kv, size_t n, uint64_t k, size_t cur)
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
	for (size_t i = lower_bound(s->mutexes, s->nh, v); i < s->nh && s->mutexes[i] - v < 64;
	     i++) {
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
	    !starts(h->state, "semacquire"))
		return false;
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, h, &n);
	for (uint32_t k = 0; k < n && k < 16; k++)
		if (f[k].func &&
		    (starts(f[k].func, "sync.") || starts(f[k].func, "internal/sync.")))
			return false;
	return true;
}

static void rule_mutexes(struct gpm_rule_ctx *c)
{
	const struct gpm_incident *inc = c->inc;
	GPM_VEC(struct waiter) w = {0};
	uint64_t *addrs = NULL;
	uint8_t *in_cycle = NULL;
	struct keyed *kv = NULL;
	struct holders *hs = NULL;
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
		*x = (struct waiter){.g = (uint32_t)i,
		                     .mutex = m,
		                     .caller = caller,
		                     .func = f[caller].func,
		                     .line = f[caller].line};
	}
	if (!w.len)
		goto out;
	// Which waiters are past an earlier Lock in the same function: those not at the
	// earliest Lock line observed in that function. Sorted by (function, line): one pass.
	qsort(w.v, w.len, sizeof(*w.v), cmp_waiter_site);
	for (size_t i = 0; i < w.len;) {
		size_t j = i;
		while (j < w.len && w.v[j].func == w.v[i].func)
			j++;
		uint32_t minline = w.v[i].line;
		bool other_line = w.v[j - 1].line != minline;
		for (size_t k = i; k < j; k++)
			w.v[k].may_hold = !other_line || w.v[k].line > minline;
		// Lock order from text: the waiters at the function's first Lock all wait for
		// one mutex m1; a waiter at a later Lock of the same function waiting for
		// another mutex is past that first Lock, so it holds m1.
		uint64_t m1 = 0;
		uint32_t nfirst = 0;
		bool one = other_line;
		for (size_t k = i; k < j && w.v[k].line == minline && one; k++, nfirst++) {
			if (!w.v[k].mutex || (m1 && w.v[k].mutex != m1))
				one = false;
			m1 = w.v[k].mutex;
		}
		for (size_t k = i; k < j && one; k++)
			if (w.v[k].line > minline && w.v[k].mutex && w.v[k].mutex != m1) {
				w.v[k].first_held = m1;
				w.v[k].first_waiters = nfirst;
			}
		i = j;
	}
	qsort(w.v, w.len, sizeof(*w.v), cmp_waiter_g);
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
			addrs[na++] = w.v[i].mutex;
	qsort(addrs, na, sizeof(*addrs), cmp_u64);
	size_t nu = 0;
	for (size_t i = 0; i < na; i++)
		if (!nu || addrs[nu - 1] != addrs[i])
			addrs[nu++] = addrs[i];
	// Holders: a waiter past an earlier Lock whose own frames refer to another contended
	// mutex (its arguments in text, the words of its frames in a core).
	// Else, the mutex of its function's first Lock (see first_held).
	if (nu >= 2)
		for (size_t i = 0; i < w.len; i++) {
			if (w.v[i].may_hold && w.v[i].mutex)
				w.v[i].holds =
				    referenced_mutex(inc, &inc->goroutines.v[w.v[i].g],
				                     w.v[i].caller, addrs, nu, w.v[i].mutex);
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
			kv[nk++] = (struct keyed){w.v[i].holds, (uint32_t)i};
	qsort(kv, nk, sizeof(*kv), cmp_keyed);
	bool found_cycle = false;
	for (size_t s = 0; s < w.len && !found_cycle && nk; s++) {
		if (!w.v[s].holds)
			continue;
		size_t path[16], np = 0, cur = s;
		for (;;) {
			path[np++] = cur;
			size_t nxt = keyed_find(kv, nk, w.v[cur].mutex, cur);
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
		struct gpm_finding *f = finding_new(c, GPM_RULE_DEADLOCK_LOCK_ORDER);
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
		// The functions of the cycle, each once (A then B in one, B then A in another).
		struct gpm_strbuf fns = GPM_STRBUF_INIT;
		for (size_t k = 0; k < np; k++) {
			size_t d = 0;
			while (d < k && w.v[path[d]].func != w.v[path[k]].func)
				d++;
			if (d < k)
				continue;
			char *one = safe(w.v[path[k]].func);
			gpm_strbuf_printf(&fns, "%s%s", fns.len ? " and " : "", one ? one : "?");
			free(one);
		}
		char *fn = fns.buf;
		set_text(
		    c, &f->explanation,
		    "These goroutines lock the same mutexes in opposite orders: each took one "
		    "and now waits for one another of them holds, so none can continue; the "
		    "runtime cannot see this while other goroutines still run. Heuristic: "
		    "who holds which mutex is inferred from their stacks (each is blocked on a "
		    "later Lock of its function, past a first Lock, and refers to the other "
		    "mutex or is past the Lock where others wait for it).");
		set_text(c, &f->next,
		         "Make every path lock these mutexes in one global order (e.g. by account "
		         "id) in %s, or take them under one lock.",
		         fn ? fn : "?");
		gpm_strbuf_deinit(&fns);
		for (size_t k = 0; k < np; k++) {
			const struct waiter *x = &w.v[path[k]];
			const struct gpm_goroutine *g = &inc->goroutines.v[x->g];
			char *ft = frame_text(inc, g, x->caller);
			char key[48];
			snprintf(key, sizeof(key), "goroutine %" PRIu64, g->id);
			if (x->by_first)
				evidence(c, f, key,
				         "holds %#" PRIx64 " (inferred: past the first Lock of its "
				         "function, where %" PRIu32
				         " other goroutines wait for it), "
				         "waits for %#" PRIx64 " in %s",
				         x->holds, x->first_waiters, x->mutex, ft ? ft : "?");
			else
				evidence(c, f, key,
				         "holds %#" PRIx64 " (inferred: its frames refer to it), "
				         "waits for %#" PRIx64 " in %s",
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
	// Contention: many waiters on one mutex (not already explained by a cycle). Waiters
	// sorted by mutex: each mutex is one run.
	uint32_t min = c->o->contention_min ? c->o->contention_min : 3;
	nk = 0;
	for (size_t i = 0; i < w.len; i++)
		if (w.v[i].mutex)
			kv[nk++] = (struct keyed){w.v[i].mutex, (uint32_t)i};
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
		if (!hm) {
			c->oom = true;
			goto out;
		}
		for (size_t k = 0; k < nh; k++) {
			hm[k] = hs[k].mutex;
			uint32_t v;
			if (!gpm_u64map_get(&by_cs, (uint64_t)(uintptr_t)hs[k].cs, &v) &&
			    !gpm_u64map_put(&by_cs, (uint64_t)(uintptr_t)hs[k].cs, (uint32_t)k))
				c->oom = true;
		}
		for (size_t i = 0; i < inc->goroutines.len && !c->oom; i++) {
			const struct gpm_goroutine *h = &inc->goroutines.v[i];
			if (!counted(h) || (h->flags & GPM_GOROUTINE_SYSTEM))
				continue;
			uint32_t hn;
			const struct gpm_frame *hfr = gpm_goroutine_frames(inc, h, &hn);
			bool waits = false;
			for (uint32_t k = 0; k < hn && k < 16 && !waits; k++)
				waits = is_lock_frame(hfr[k].func);
			if (waits)
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
			each_goroutine_arg(inc, h, 0, holder_cb, &sc);
			// Past the earliest Lock of a contended function and blocked elsewhere.
			for (uint32_t k = 0; k < hn; k++) {
				uint32_t v;
				if (!hfr[k].func ||
				    !gpm_u64map_get(&by_cs, (uint64_t)(uintptr_t)hfr[k].func, &v))
					continue;
				struct holders *hh = &hs[v];
				if (hfr[k].line > hh->minline && hh->npast < 3 &&
				    h->status == GPM_G_WAITING)
					hh->past[hh->npast++] = (uint32_t)i;
				break;
			}
		}
		free(hm);
		gpm_u64map_free(&by_cs);
		qsort(hs, nh, sizeof(*hs), cmp_holders);
	}
	for (size_t i = 0; i < nk;) {
		size_t j = i;
		while (j < nk && kv[j].key == kv[i].key)
			j++;
		uint64_t m = kv[i].key, n = j - i;
		size_t first = kv[i].w;
		struct holders key = {.mutex = m};
		struct holders *hh = nh ? bsearch(&key, hs, nh, sizeof(*hs), cmp_holders) : NULL;
		size_t from = i;
		i = j;
		if (!hh)
			continue;
		struct gpm_finding *f = finding_new_as(
		    c, GPM_RULE_CONTENTION, n >= 10 ? GPM_SEVERITY_HIGH : GPM_SEVERITY_MEDIUM,
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
		f->address = m;
		evidence(c, f, "mutex", "%#" PRIx64, m);
		evidence(c, f, "waiters", "%" PRIu64 ", first in %s", n, ft ? ft : "?");
		free(ft);
		for (size_t k = from; k < j; k++)
			add_id(c, f, inc->goroutines.v[w.v[kv[k].w].g].id);
		if (c->group_of)
			f->group = c->group_of[w.v[first].g];
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
		char *csn = safe(hh->cs);
		for (int r = 0; r < 3; r++)
			for (uint32_t k = 0; k < counts[r]; k++) {
				uint32_t d = 0;
				while (d < nl && listed[d] != lists[r][k])
					d++;
				if (d < nl)
					continue;
				listed[nl++] = lists[r][k];
				if (!kind)
					kind = kinds[r];
				const struct gpm_goroutine *h = &inc->goroutines.v[lists[r][k]];
				char *hf = frame_text(inc, h, user_frame(inc, h, false));
				evidence(c, f, kinds[r],
				         "goroutine %" PRIu64 " [%s] in %s (heuristic: %s)", h->id,
				         state_of(h), hf ? hf : "?", why[r]);
				free(hf);
			}
		// A busy lock, not a stuck one: nobody has waited a minute and the best
		// candidate is making progress (a hot lock under load at the instant of the
		// snapshot, as on a healthy server serving many requests).
		int64_t maxwait = -1;
		for (size_t k = from; k < j; k++) {
			int64_t wm = inc->goroutines.v[w.v[kv[k].w].g].wait_minutes;
			if (wm > maxwait)
				maxwait = wm;
		}
		bool weak_only = nl && kind == kinds[2];
		if (nl && maxwait < 1 &&
		    (weak_only || holder_progressing(inc, &inc->goroutines.v[listed[0]]))) {
			f->severity = GPM_SEVERITY_LOW;
			f->confidence = GPM_CONFIDENCE_HEURISTIC;
			set_text(c, &f->title,
			         "busy mutex: %" PRIu64
			         " goroutines wait briefly for mutex %#" PRIx64 "%s",
			         n, m, weak_only ? "" : ", its holder is running");
			set_text(
			    c, &f->explanation,
			    "Many goroutines are queued on one sync.Mutex, but none has waited a "
			    "minute and no goroutine is seen stuck while holding it (the best "
			    "candidate is making progress, or none is inside the critical "
			    "section): a hot lock under load at the instant of the snapshot.");
			evidence(c, f, "checked",
			         "waits under a minute; the best candidate, goroutine %" PRIu64
			         " (%s), is %s",
			         inc->goroutines.v[listed[0]].id, kind,
			         state_of(&inc->goroutines.v[listed[0]]));
			set_text(
			    c, &f->next,
			    "If requests are slow, profile the lock (mutex profile) in %s; take "
			    "another snapshot to see whether the queue persists.",
			    csn ? csn : "?");
		} else if (nl)
			set_text(
			    c, &f->next,
			    "Start with the %s named below: what it waits for while it holds the "
			    "mutex (inside %s); move slow work out of the lock.",
			    kind, csn ? csn : "?");
		else
			set_text(
			    c, &f->next,
			    "Find the holder: a goroutine not waiting on this mutex whose stack "
			    "is inside the critical section guarded by it (%s); none in this "
			    "snapshot refers to the mutex or is past its Lock.",
			    csn ? csn : "?");
		free(csn);
	}
	// Without addresses (arguments elided), group waiters by where they called Lock:
	// sorted by (function, line), one run each.
	if (!nu) {
		nk = 0;
		for (size_t i = 0; i < w.len; i++)
			if (w.v[i].func)
				kv[nk++] = (struct keyed){((uint64_t)(uintptr_t)w.v[i].func * 31) ^
				                              w.v[i].line,
				                          (uint32_t)i};
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
			struct gpm_finding *f = finding_new_as(
			    c, GPM_RULE_CONTENTION, GPM_SEVERITY_MEDIUM, GPM_CONFIDENCE_HEURISTIC);
			if (!f)
				break;
			size_t w0 = kv[from].w;
			const struct gpm_goroutine *g0 = &inc->goroutines.v[w.v[w0].g];
			char *ft = frame_text(inc, g0, w.v[w0].caller);
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
			for (size_t k = from; k < j; k++)
				add_id(c, f, inc->goroutines.v[w.v[kv[k].w].g].id);
			f->count = n;
			if (c->group_of)
				f->group = c->group_of[w.v[w0].g];
		}
	}
out:
	free(hs);
	free(kv);
	free(in_cycle);
	free(addrs);
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
	const char *st = state_of(g);
	if (!st || strncmp(st, "IO wait", 7))
		return false;
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	bool poll = false;
	for (uint32_t i = 0; i < n && i < 24; i++) {
		// A listener waiting for connections is not one.
		if (f[i].func && strstr(f[i].func, "Accept"))
			return false;
		poll |=
		    f[i].func && (starts(f[i].func, "internal/poll.") || starts(f[i].func, "net."));
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
	enum gpm_frame_class cl = frame_class(fn);
	if (cl == GPM_FRAME_CLASS_RUNTIME || is_plumbing(fn))
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

/* Frees what a finding owns. */
static void finding_deinit(struct gpm_finding *f)
{
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

/* Removes the finding added last (a rule that found a healthy shape after all). */
static void finding_drop(struct gpm_rule_ctx *c)
{
	finding_deinit(&c->a->findings.v[c->a->findings.len - 1]);
	c->a->findings.len--;
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
	uint32_t gi; /* the goroutine being read */
};

static int32_t group_of_index(const struct gpm_rule_ctx *c, uint32_t i)
{
	return c->group_of ? c->group_of[i] : -1;
}

static void arg_ref_cb(void *arg, uint64_t v)
{
	struct arg_refs *r = arg;
	uint32_t k;
	if (!gpm_u64map_get(&r->slot, v, &k))
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
		for (uint32_t k = 0; k < grp->count; k++) {
			uint64_t ch =
			    chan_of(inc, &inc->goroutines.v[gr->members[grp->first_member + k]]);
			uint32_t old;
			if (!ch || gpm_u64map_get(&r->slot, ch, &old))
				continue;
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
	for (size_t i = 0; i < inc->goroutines.len && i < UINT32_MAX && !c->oom; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		if (!counted(g))
			continue;
		struct gpm_args_iter it;
		const char *a;
		size_t an;
		uint32_t nf;
		gpm_goroutine_frames(inc, g, &nf);
		if (!gpm_goroutine_args_begin(inc, g, &it))
			continue;
		r->gi = (uint32_t)i;
		// One text per frame; the walk does not stop by itself at the goroutine's end.
		for (uint32_t k = 0; k < nf && gpm_args_iter_next(&it, &a, &an); k++) {
			each_arg(a, an < 1024 ? an : 1023, arg_ref_cb, r);
		}
	}
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
		if (!finding_new(c, GPM_RULE_LEAK_RULED_OUT))
			return;
		r->index = c->a->findings.len - 1;
	}
	r->goroutines += grp->count;
	char key[32];
	snprintf(key, sizeof(key), "%u goroutines", grp->count);
	evidence(c, &c->a->findings.v[r->index], key, "[%s] in %s: %s", grp->state, fn ? fn : "?",
	         why);
}

static void rule_leaks(struct gpm_rule_ctx *c)
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
		if (counted(rep) && is_netpoll_reader(inc, rep)) {
			readers += gr->groups[gi].count;
			each_family(inc, rep, family_put, &live);
		}
	}
	struct ruled_out ro = {SIZE_MAX, 0};
	for (size_t gi = 0; gi < gr->ngroups; gi++) {
		const struct gpm_group *grp = &gr->groups[gi];
		const struct gpm_goroutine *rep = &inc->goroutines.v[grp->representative];
		// Leaks the runtime proved are leak.detected's (rule_leaked.c).
		if (grp->count < min || !is_chan_state(grp->state) ||
		    (rep->flags & GPM_GOROUTINE_SYSTEM) || !counted(rep) ||
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
				int uf = user_frame(inc, rep, false);
				char *fn = func_text(inc, rep, uf);
				char *cs = conn ? safe(conn) : NULL;
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
		    finding_new_as(c, nil ? GPM_RULE_LEAK_NIL_CHAN : GPM_RULE_LEAK_CHAN, sev,
		                   GPM_CONFIDENCE_LIKELY);
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
		// Receivers idle on one shared channel: a worker pool waiting for work. And
		// without channel evidence, goroutines that waited less than a minute (the
		// runtime prints minutes from one on) are periodic or recently idle work.
		const char *healthy = NULL;
		char hbuf[160];
		bool recv = starts(grp->state, "chan receive");
		bool sel = starts(grp->state, "select");
		if (!nil && recv && nc && distinct == 1) {
			snprintf(hbuf, sizeof(hbuf),
			         "an idle pool: all receive from one channel %#" PRIx64
			         " (a leak only if nothing will ever send on or close it)",
			         topch);
			healthy = hbuf;
		} else if (!nil && (recv || sel) && !(nc && distinct * 10 >= nc * 9 && !sel) &&
		           grp->max_minutes < 1 && inc->kind != GPM_INPUT_CORE) {
			healthy = "none waited a minute or more: periodic loops or recently idle "
			          "workers, not evidence of a leak";
		}
		if (healthy) {
			finding_drop(c);
			f = NULL;
			rule_out(c, &ro, grp, fn, healthy);
			free(where);
			free(fn);
			continue;
		}
		uint64_t referenced = 0;
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
			set_rule(f, GPM_RULE_DEADLOCK_UNDRAINED);
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
		} else if (nc && distinct * 10 >= nc * 9 && (!sel || grp->min_minutes >= 1) &&
		           !(referenced = chans_referenced(c, &refs, gi, chans, nc))) {
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
			// No evidence that the other side is gone: a hint, not a claim — unless
			// many have waited long (the runtime's minutes), which growth leaves.
			if (grp->count >= 100 && grp->min_minutes >= 10 && !referenced) {
				f->severity = GPM_SEVERITY_MEDIUM;
				evidence(c, f, "checked",
				         "every one waited %" PRId64
				         "+ minutes; no goroutine of the same "
				         "family reads from a live connection",
				         grp->min_minutes);
			} else {
				f->severity = GPM_SEVERITY_LOW;
			}
			if (referenced)
				evidence(c, f, "other side",
				         "goroutine %" PRIu64 " refers to one of these channels",
				         referenced);
		}
		if (f->kind == GPM_RULE_LEAK_CHAN && f->confidence == GPM_CONFIDENCE_LIKELY && nc &&
		    distinct > 1)
			evidence(c, f, "checked",
			         "no other goroutine refers to these channels; no goroutine of the "
			         "same family reads from a live connection%s",
			         sel ? "; each waited a minute or more" : "");
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
	gpm_u64map_free(&live);
	arg_refs_free(&refs);
	if (ro.index != SIZE_MAX) {
		struct gpm_finding *rf = &c->a->findings.v[ro.index];
		set_text(c, &rf->title,
		         "%" PRIu64 " goroutines blocked on channels look healthy (not a leak)",
		         ro.goroutines);
		set_text(
		    c, &rf->explanation,
		    "Large groups blocked on channels are not leaks by themselves: a leak needs "
		    "evidence that the other side is gone. These are per-connection goroutines "
		    "of live connections (a reader of the same family blocked in the network "
		    "poller), idle pools on one shared channel, or loops that woke within the "
		    "last minute.");
		set_text(
		    c, &rf->next,
		    "Compare with a snapshot taken later: a group that keeps growing while its "
		    "connections or work do not is a leak after all.");
		rf->count = ro.goroutines;
	}
}

/* ---- process-wide rules ---- */

/*
 * A long system call that is the program's normal state, not a stuck one: the signal
 * handling goroutine (os/signal.loop waits in signal_recv for the next signal) and the main
 * goroutine locked to the main thread (GUI and C event loops wait there for good).
 */
static bool syscall_expected(const struct gpm_incident *inc, const struct gpm_goroutine *g)
{
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	bool main_fn = false;
	for (uint32_t i = 0; i < n; i++) {
		const char *fn = f[i].func;
		if (fn && (starts(fn, "os/signal.") || !strcmp(fn, "runtime.ensureSigM.func1")))
			return true;
		main_fn |= fn && (!strcmp(fn, "main.main") || !strcmp(fn, "runtime.main"));
	}
	return (g->flags & GPM_GOROUTINE_LOCKED) && (g->id == 1 || main_fn);
}

static void rule_population(struct gpm_rule_ctx *c)
{
	const struct gpm_incident *inc = c->inc;
	uint64_t too_many = c->o->too_many ? c->o->too_many : 10000;
	if (c->a->goroutines >= too_many) {
		struct gpm_finding *f = finding_new(c, GPM_RULE_TOO_MANY);
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
	// Syscalls, locked threads and stacks the runtime did not print.
	uint64_t sys = 0, locked = 0, sysmin = 0;
	const struct gpm_goroutine *sys1 = NULL, *lock1 = NULL;
	struct gpm_finding *unavail = NULL;
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		if (!counted(g) || (g->flags & GPM_GOROUTINE_SYSTEM))
			continue;
		if (g->flags & GPM_GOROUTINE_UNAVAILABLE) {
			if (!unavail && !(unavail = finding_new(c, GPM_RULE_UNAVAILABLE)))
				return;
			add_id(c, unavail, g->id);
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
		set_text(c, &unavail->title,
		         "%" PRIu64 " goroutine%s running on other threads: stack unavailable",
		         unavail->count, unavail->count == 1 ? "" : "s");
		set_text(
		    c, &unavail->explanation,
		    "When a goroutine crashes, the runtime prints the stacks of goroutines running "
		    "on other threads only with GOTRACEBACK=crash (or system); here it printed "
		    "\"goroutine running on other thread; stack unavailable\" instead. They were "
		    "busy, not blocked; what they ran is not known from this dump.");
		set_text(
		    c, &unavail->next,
		    "Run with GOTRACEBACK=crash (it also writes a core) to see them next time.");
		evidence(c, unavail, "goroutines", "%s%s", ids.buf ? ids.buf : "?",
		         unavail->count > unavail->goroutines.len ? ", ..." : "");
		gpm_strbuf_deinit(&ids);
	}
	if (sys) {
		struct gpm_finding *f = finding_new(c, GPM_RULE_SYSCALL_STUCK);
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
		struct gpm_finding *f = finding_new(c, GPM_RULE_THREAD_LOCKED);
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
		struct gpm_finding *f = finding_new(c, GPM_RULE_SNAPSHOT_SIGQUIT);
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

/* ---- helpers for rules in files of their own (rules.h) ---- */

struct gpm_finding *gpm_rule_finding_new(struct gpm_rule_ctx *c, enum gpm_rule_kind kind)
{
	return finding_new(c, kind);
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
	for (uint32_t i = 0; i < n; i++)
		if (f[i].func && !skip(f[i].func))
			return (int)i;
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
	gpm_rule_cgo(&c);
	rule_mutexes(&c);
	rule_leaks(&c);
	rule_population(&c);
	rule_snapshot(&c);
	gpm_rule_race(&c);
	gpm_rule_leaked(&c);
	gpm_rule_deadlock_reports(&c);
	gpm_rule_net_deadline(&c);
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
	for (size_t i = 0; i < a->findings.len; i++)
		finding_deinit(&a->findings.v[i]);
	gpm_vec_free(&a->findings);
	gpm_vec_free(&a->states);
	gpm_grouping_deinit(&a->grouping);
	free(a->order);
	free(a->group_flagged);
	free(a);
}
