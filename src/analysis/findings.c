/*
 * The analysis run (see analysis.h) and the helpers every rule file shares (rules.h):
 * findings, evidence, frame text, the plumbing test. The rules live one family per file
 * (rule_crash.c, rule_mutex.c, rule_leaks.c, rule_population.c and the other rule_*.c);
 * each is a function over the incident and its goroutine groups that adds zero or more
 * findings, reads only the model, and is linear in goroutines (plus sorting).
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
char *gpm_rule_safe(const char *s)
{
	if (!s)
		return strdup("?");
	size_t n = strlen(s);
	return gpm_safe_strndup(s, n > 512 ? 512 : n);
}

/* Gives f the rule kind, its id and its default severity and confidence. */
void gpm_rule_set_rule(struct gpm_finding *f, enum gpm_rule_kind kind)
{
	f->kind = kind;
	f->rule = gpm_rules[kind].id;
	f->severity = gpm_rules[kind].severity;
	f->confidence = gpm_rules[kind].confidence;
}

struct gpm_finding *gpm_rule_finding_new(struct gpm_rule_ctx *c, enum gpm_rule_kind kind)
{
	struct gpm_finding *f = gpm_vec_push(&c->a->findings);
	if (!f) {
		c->oom = true;
		return NULL;
	}
	gpm_rule_set_rule(f, kind);
	f->group = -1;
	return f;
}

/* A finding of kind with another severity or confidence than its default. */
struct gpm_finding *gpm_rule_finding_new_as(struct gpm_rule_ctx *c, enum gpm_rule_kind kind,
                                            enum gpm_severity sev, enum gpm_confidence conf)
{
	struct gpm_finding *f = gpm_rule_finding_new(c, kind);
	if (f) {
		f->severity = sev;
		f->confidence = conf;
	}
	return f;
}

/* A finding of kind about group gi: the group marked, all its goroutines counted. */
struct gpm_finding *gpm_rule_group_finding(struct gpm_rule_ctx *c, enum gpm_rule_kind kind,
                                           size_t gi)
{
	struct gpm_finding *f = gpm_rule_finding_new(c, kind);
	if (!f)
		return NULL;
	const struct gpm_grouping *gr = &c->a->grouping;
	const struct gpm_group *grp = &gr->groups[gi];
	f->group = (int32_t)gi;
	for (uint32_t k = 0; k < grp->count; k++)
		gpm_rule_add_id(c, f, c->inc->goroutines.v[gr->members[grp->first_member + k]].id);
	return f;
}

void gpm_rule_add_id(struct gpm_rule_ctx *c, struct gpm_finding *f, uint64_t id)
{
	f->count++;
	// Id 0: no id was printed (a profile's record, a tool's bucket): counted, not listed.
	if (!id || f->goroutines.len >= GPM_FINDING_MAX_IDS)
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

bool gpm_rule_starts(const char *s, const char *p)
{
	return s && !strncmp(s, p, strlen(p));
}

/* Whose code fn is (model/frameclass.h, the one classifier). */
enum gpm_frame_class gpm_rule_frame_class(const char *fn)
{
	return gpm_frame_classify(fn, NULL);
}

/* Runtime and the standard library's plumbing a reader skips to find the code at fault:
 * the runtime, and the standard packages every blocked stack passes through (sync, time,
 * os, net, io...); the rest of the standard library (net/http, encoding/json, testing) is
 * where a goroutine can be said to be. */
bool gpm_rule_is_plumbing(const char *fn)
{
	switch (gpm_rule_frame_class(fn)) {
	case GPM_FRAME_CLASS_RUNTIME:
		return true;
	case GPM_FRAME_CLASS_STDLIB:
		return gpm_rule_starts(fn, "internal/") || gpm_rule_starts(fn, "sync.") ||
		       gpm_rule_starts(fn, "sync/") || gpm_rule_starts(fn, "time.") ||
		       gpm_rule_starts(fn, "syscall.") || gpm_rule_starts(fn, "reflect.") ||
		       gpm_rule_starts(fn, "fmt.") || gpm_rule_starts(fn, "errors.") ||
		       gpm_rule_starts(fn, "os.") || gpm_rule_starts(fn, "net.") ||
		       gpm_rule_starts(fn, "io.") || gpm_rule_starts(fn, "bufio.") ||
		       gpm_rule_starts(fn, "context.");
	case GPM_FRAME_CLASS_DEPENDENCY:
	case GPM_FRAME_CLASS_MAIN:
		break;
	}
	return false;
}

bool gpm_rule_is_runtime(const char *fn)
{
	return gpm_rule_frame_class(fn) == GPM_FRAME_CLASS_RUNTIME;
}

/* The first frame of g that is not runtime/std plumbing (index), or -1. */
int gpm_rule_user_frame(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                        bool runtime_only)
{
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	for (uint32_t i = 0; i < n; i++) {
		if (f[i].flags & GPM_FRAME_ELIDED)
			continue;
		if (runtime_only ? !gpm_rule_is_runtime(f[i].func)
		                 : !gpm_rule_is_plumbing(f[i].func))
			return (int)i;
	}
	return -1;
}

/* "main.(*T).f at file.go:12" of frame i, malloc'd and safe. */
char *gpm_rule_frame_text(const struct gpm_incident *inc, const struct gpm_goroutine *g, int i)
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

char *gpm_rule_func_text(const struct gpm_incident *inc, const struct gpm_goroutine *g, int i)
{
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	if (i < 0 || (uint32_t)i >= n)
		return strdup("?");
	return gpm_rule_safe(f[i].func);
}

bool gpm_rule_counted(const struct gpm_goroutine *g)
{
	return !(g->flags & (GPM_GOROUTINE_REPEAT | GPM_GOROUTINE_RUNTIME_STACK)) &&
	       gpm_goroutine_is_real(g);
}

const char *gpm_rule_state_of(const struct gpm_goroutine *g)
{
	return g->state ? g->state : gpm_gstatus_name((enum gpm_gstatus)g->status);
}

/* Frame i's argument text as a C string in buf (cut at its size; the runtime prints at
 * most a few hundred bytes), NULL when none is known. */
const char *gpm_rule_frame_args(const struct gpm_incident *inc, const struct gpm_goroutine *g,
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
bool gpm_rule_first_arg(const char *args, uint64_t *out)
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

const uint8_t gpm_rule_hex1[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
    ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/* gpm_rule_each_arg's rare word (a second "0x", a sign, spaces): strtoull over a copy, as it
 * always read them. */
uint64_t gpm_rule_odd_word(const char *q, const char *lim, const char **end)
{
	char buf[1024];
	size_t n = (size_t)(lim - q) < sizeof(buf) ? (size_t)(lim - q) : sizeof(buf) - 1;
	memcpy(buf, q, n);
	buf[n] = 0;
	char *e;
	unsigned long long v = strtoull(buf, &e, 16);
	*end = q + (e - buf);
	return v;
}

/* "created by" of g as "main.f at file.go:12" (malloc'd, safe), or NULL. */
char *gpm_rule_creator_text(const struct gpm_incident *inc, const struct gpm_goroutine *g)
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

/* Frees what a finding owns. */
void gpm_rule_finding_deinit(struct gpm_finding *f)
{
	free(f->title);
	free(f->explanation);
	free(f->next);
	free(f->print);
	for (size_t k = 0; k < f->evidence.len; k++) {
		free(f->evidence.v[k].key);
		free(f->evidence.v[k].value);
	}
	gpm_vec_free(&f->evidence);
	gpm_vec_free(&f->goroutines);
}

/* Removes the finding added last (a rule that found a healthy shape after all). */
void gpm_rule_finding_drop(struct gpm_rule_ctx *c)
{
	gpm_rule_finding_deinit(&c->a->findings.v[c->a->findings.len - 1]);
	c->a->findings.len--;
}

int gpm_rule_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/*
 * A stable radix sort by key, by bytes from the lowest: one pass per byte in which the keys
 * differ (a snapshot's mutex addresses differ in two or three).
 */
bool gpm_rule_keyed_sort(struct gpm_rule_keyed *kv, size_t n)
{
	if (n < 256 || n > UINT32_MAX)
		return false;
	struct gpm_rule_keyed *tmp = malloc(n * sizeof(*tmp));
	if (!tmp)
		return false;
	_Static_assert(sizeof(((struct gpm_rule_keyed *)0)->key) == 8, "up to eight byte passes");
	// The bytes in which the keys differ, found first: only those are counted and passed
	// over (a snapshot's addresses differ in two or three of eight).
	uint64_t all_or = 0, all_and = UINT64_MAX;
	for (size_t i = 0; i < n; i++) {
		all_or |= kv[i].key;
		all_and &= kv[i].key;
	}
	uint64_t differ = all_or ^ all_and;
	uint32_t count[8][256];
	unsigned bytes[8], nb = 0;
	for (unsigned b = 0; b < 8; b++)
		if ((differ >> (8 * b)) & 0xff) {
			memset(count[nb], 0, sizeof(count[nb]));
			bytes[nb++] = b;
		}
	for (size_t i = 0; i < n; i++)
		for (unsigned j = 0; j < nb; j++)
			count[j][(kv[i].key >> (8 * bytes[j])) & 0xff]++;
	struct gpm_rule_keyed *src = kv, *dst = tmp;
	for (unsigned j = 0; j < nb; j++) {
		unsigned b = bytes[j];
		uint32_t *c = count[j];
		uint32_t at = 0;
		for (unsigned d = 0; d < 256; d++) {
			uint32_t k = c[d];
			c[d] = at;
			at += k;
		}
		for (size_t i = 0; i < n; i++)
			dst[c[(src[i].key >> (8 * b)) & 0xff]++] = src[i];
		struct gpm_rule_keyed *t = src;
		src = dst;
		dst = t;
	}
	if (src != kv)
		memcpy(kv, src, n * sizeof(*kv));
	free(tmp);
	return true;
}

/* ---- helpers for rules in files of their own (rules.h) ---- */

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
		if (!gpm_rule_counted(g))
			continue;
		a->goroutines++;
		if (g->flags & GPM_GOROUTINE_SYSTEM)
			a->system++;
		const char *st = gpm_rule_state_of(g);
		size_t k = 0;
		// States are few (tens): linear search is fine. By pointer first (a snapshot's
		// states are interned: a strcmp with every state before a goroutine's own was
		// 2 % of analyze on the pprof 100k), then by text; the entries' texts are
		// distinct, so both find the same entry.
		while (k < a->states.len && a->states.v[k].state != st)
			k++;
		if (k == a->states.len)
			for (k = 0; k < a->states.len; k++)
				if (!strcmp(a->states.v[k].state, st))
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
	gpm_rule_crash(&c);
	gpm_rule_cgo(&c);
	gpm_rule_mutexes(&c);
	gpm_rule_leaks(&c);
	gpm_rule_population(&c);
	gpm_rule_snapshot(&c);
	gpm_rule_race(&c);
	gpm_rule_leaked(&c);
	gpm_rule_deadlock_reports(&c);
	gpm_rule_stuck_waits(&c);
	gpm_rule_net_deadline(&c);
	gpm_rule_net_client_conns(&c);
	gpm_rule_timers(&c);
	gpm_rule_context(&c);
	gpm_rule_gc_stall(&c);
	gpm_rule_sync(&c);
	gpm_rule_links(&c);
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
			bool sys = (rep->flags & GPM_GOROUTINE_SYSTEM) ||
			           gpm_rule_user_frame(inc, rep, true) < 0;
			if (!a->group_flagged[gi] && sys == (system == 1))
				a->order[pos++] = (uint32_t)gi;
		}
	free(c.group_of);
	gpm_arg_words_destroy(c.words);
	*out = a;
	return NULL;
fail:
	free(c.group_of);
	gpm_arg_words_destroy(c.words);
	gpm_analysis_destroy(a);
	return err;
}

void gpm_analysis_destroy(struct gpm_analysis *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->findings.len; i++)
		gpm_rule_finding_deinit(&a->findings.v[i]);
	gpm_vec_free(&a->findings);
	gpm_vec_free(&a->states);
	gpm_grouping_deinit(&a->grouping);
	free(a->order);
	free(a->group_flagged);
	free(a);
}
