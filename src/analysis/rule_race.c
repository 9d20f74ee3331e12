/*
 * The data race rule: one finding per pair of racing source lines. The race detector
 * prints one report per race it finds (src/dump/race.c keeps them in incident->races);
 * reports of the same two lines (the first frame of each access that is the program's
 * own code, in either order) are one bug reached on different memory or from different
 * callers, so they become one finding that counts them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/rules.h"

enum {
	MAX_ADDRESSES = 8,     /* addresses listed per finding */
	MAX_TESTS_LISTED = 10, /* failed tests listed */
};

/*
 * A package of the standard library: the first element of its import path has no dot
 * ("testing", "internal/runtime/maps", "encoding/json"), while modules' have one
 * ("github.com/x/y", "gopm.test/fixture"). "main" is the program. A module whose path has
 * no dot ("example/app") looks like the standard library here; race_frame falls back
 * to the plumbing list for it.
 */
static bool is_std(const char *fn)
{
	if (!fn)
		return true;
	const char *slash = strchr(fn, '/'), *dot = strchr(fn, '.');
	if (!dot)
		return false;
	if (slash)
		return slash < dot; // "encoding/json.F"; "gopm.test/x.F" is a module's
	// One element: "testing.tRunner" (std) or "main.f" (the program).
	return !(dot - fn == 4 && !memcmp(fn, "main", 4));
}

static bool skip_std(const char *fn)
{
	return gpm_rule_is_plumbing(fn) || is_std(fn);
}

/* The frame of g that names the access: the program's own first, then the first that is
 * not plumbing (the race runtime can lose an inlined caller: all that is left may be the
 * testing package), then the top. -1 without a stack. */
static int race_frame(const struct gpm_incident *inc, const struct gpm_goroutine *g)
{
	int i = gpm_rule_first_frame(inc, g, skip_std);
	if (i < 0)
		i = gpm_rule_first_frame(inc, g, gpm_rule_is_plumbing);
	uint32_t n;
	gpm_goroutine_frames(inc, g, &n);
	if (i < 0 && n)
		i = 0;
	return i;
}

/* One side of a race as the rule sees it. */
struct side {
	const struct gpm_goroutine *g; /* NULL: not printed */
	int frame;
	const char *file; /* interned (compared by pointer); NULL unknown */
	uint32_t line;
	const struct gpm_race_access *a;
};

static struct side side_of(const struct gpm_incident *inc, const struct gpm_race_access *a)
{
	struct side s = {.frame = -1, .a = a};
	if (a->goroutine >= inc->goroutines.len)
		return s;
	s.g = &inc->goroutines.v[a->goroutine];
	s.frame = race_frame(inc, s.g);
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, s.g, &n);
	if (s.frame >= 0 && (uint32_t)s.frame < n) {
		s.file = f[s.frame].file;
		s.line = f[s.frame].line;
	}
	return s;
}

/* Whether two sides are at the same source line (both unknown counts as the same). */
static bool same_place(const struct side *x, const struct side *y)
{
	return x->file == y->file && x->line == y->line && (x->file || x->g == y->g || !x->g);
}

/* A distinct pair of racing lines: its first report and how many there are. */
struct pair {
	struct side x, y; /* as in the first report: access, previous */
	uint32_t first;   /* index into incident->races */
	uint32_t reports;
};

static bool same_pair(const struct pair *p, const struct side *x, const struct side *y)
{
	return (same_place(&p->x, x) && same_place(&p->y, y)) ||
	       (same_place(&p->x, y) && same_place(&p->y, x));
}

static const char *op_name(const struct gpm_race_access *a)
{
	return a->write ? "write" : "read";
}

/* "goroutine 7" / "main goroutine" (the race runtime's words for goroutine 1). */
static void who(const struct side *s, char (*buf)[40])
{
	if (!s->g)
		snprintf(*buf, sizeof(*buf), "an unknown goroutine");
	else if (s->g->id == 1)
		snprintf(*buf, sizeof(*buf), "the main goroutine");
	else
		snprintf(*buf, sizeof(*buf), "%s", GPM_GOROUTINE_NAME(s->g));
}

static void side_evidence(struct gpm_rule_ctx *c, struct gpm_finding *f, const char *key,
                          const struct side *s, const char *where)
{
	char w[40];
	who(s, &w);
	char addr[32] = "";
	if (s->a->has_addr)
		snprintf(addr, sizeof(addr), " at %#" PRIx64, s->a->addr);
	const char *note = "";
	if (s->g && (s->g->flags & GPM_GOROUTINE_NO_STACK))
		note = " (the race runtime failed to restore the stack)";
	else if (s->g && s->frame >= 0 && s->frame != gpm_rule_first_frame(c->inc, s->g, skip_std))
		note =
		    " (no frame of the program itself: the race runtime can lose inlined callers)";
	gpm_rule_evidence(c, f, key, "%s%s by %s in %s%s", op_name(s->a), addr, w, where, note);
	if (!s->g || s->g->id == 1)
		return;
	char *cb = gpm_rule_creator_text(c->inc, s->g);
	if (cb) {
		char key2[40];
		snprintf(key2, sizeof(key2), "%s", GPM_GOROUTINE_NAME(s->g));
		gpm_rule_evidence(c, f, key2, "created by %s%s", cb,
		                  s->g->status == GPM_G_DEAD ? " (finished before the report)"
		                                             : "");
		free(cb);
	}
}

/* The finding of pair p; the first one also says how the log's reports add up. */
static void pair_finding(struct gpm_rule_ctx *c, const struct pair *p, bool first)
{
	const struct gpm_incident *inc = c->inc;
	struct gpm_finding *f = gpm_rule_finding_new(c, GPM_RULE_RACE_DATA);
	if (!f)
		return;
	const struct side *x = &p->x, *y = &p->y;
	char *xw = x->g ? gpm_rule_frame_text(inc, x->g, x->frame) : strdup("(not printed)");
	char *yw = y->g ? gpm_rule_frame_text(inc, y->g, y->frame) : strdup("(not printed)");
	if (!xw || !yw) {
		c->oom = true;
		goto out;
	}
	char xs[40], ys[40];
	who(x, &xs);
	who(y, &ys);
	// "[failed to restore the stack]": the headline says so rather than "(no frame)".
	bool xlost = x->g && (x->g->flags & GPM_GOROUTINE_NO_STACK);
	bool ylost = y->g && (y->g->flags & GPM_GOROUTINE_NO_STACK);
	const char *lost = "an access whose stack the race runtime could not restore";
	if (p->reports > 1)
		gpm_rule_text(c, &f->title, "data race between %s and %s (%u reports)",
		              xlost ? lost : xw, ylost ? lost : yw, p->reports);
	else
		gpm_rule_text(c, &f->title, "data race between %s and %s", xlost ? lost : xw,
		              ylost ? lost : yw);
	char addr[40] = "the same memory";
	if (x->a->has_addr)
		snprintf(addr, sizeof(addr), "%#" PRIx64, x->a->addr);
	gpm_rule_text(c, &f->explanation,
	              "The race detector saw %s %s %s in %s and %s %s it earlier in %s, with "
	              "nothing ordering the two accesses (no mutex, channel or other "
	              "synchronisation between them). A read can see a stale or half-written "
	              "value; a map or slice header written concurrently can be corrupted.",
	              xs, x->a->write ? "write" : "read", addr, xw, ys,
	              y->a->write ? "wrote" : "read", yw);
	gpm_rule_text(c, &f->next,
	              "Decide who owns the memory and order both places: one mutex held around "
	              "each access, or hand the value over through a channel; then run the "
	              "program or test with -race again.");
	side_evidence(c, f, "access", x, xw);
	side_evidence(c, f, "previous access", y, yw);
	const struct gpm_race *r = &inc->races.v[p->first];
	if (r->location)
		gpm_rule_evidence(c, f, "memory", "%s", r->location);
	if (p->reports > 1) {
		// The addresses of the other reports of the pair.
		struct gpm_strbuf sb = GPM_STRBUF_INIT;
		unsigned listed = 0;
		for (size_t i = p->first; i < inc->races.len && listed < MAX_ADDRESSES; i++) {
			struct side a = side_of(inc, &inc->races.v[i].access),
			            b = side_of(inc, &inc->races.v[i].previous);
			if (!same_pair(p, &a, &b) || !a.a->has_addr)
				continue;
			gpm_strbuf_printf(&sb, "%s%#" PRIx64, listed ? ", " : "", a.a->addr);
			listed++;
		}
		char *s = gpm_strbuf_detach(&sb);
		gpm_rule_evidence(c, f, "reports", "%u, on %s%s", p->reports, s ? s : "?",
		                  p->reports > listed ? ", ..." : "");
		free(s);
	}
	if (inc->race_tests.len) {
		struct gpm_strbuf sb = GPM_STRBUF_INIT;
		for (size_t i = 0; i < inc->race_tests.len && i < MAX_TESTS_LISTED; i++) {
			const char *t = inc->race_tests.v[i];
			if (i)
				gpm_strbuf_puts(&sb, ", ");
			gpm_strbuf_append_safe(&sb, t, strlen(t));
		}
		if (inc->race_tests.len > MAX_TESTS_LISTED)
			gpm_strbuf_puts(&sb, ", ...");
		char *s = gpm_strbuf_detach(&sb);
		gpm_rule_evidence(c, f, inc->race_tests.len > 1 ? "failed tests" : "failed test",
		                  "%s", s ? s : "?");
		free(s);
	}
	uint64_t held = inc->races.len + inc->races_dropped;
	if (first && inc->races_found && inc->races_found != held)
		gpm_rule_evidence(c, f, "race detector count",
		                  "\"Found %" PRIu64 " data race(s)\", but the log holds %" PRIu64
		                  " reports",
		                  inc->races_found, held);
	if (first && inc->races_dropped)
		gpm_rule_evidence(c, f, "not read",
		                  "%" PRIu64 " reports beyond the reader's limit (not paired)",
		                  inc->races_dropped);
	f->address = x->a->has_addr ? x->a->addr : 0;
	if (x->g && c->group_of)
		f->group = c->group_of[x->g - inc->goroutines.v];
	for (size_t i = p->first; i < inc->races.len; i++) {
		struct side a = side_of(inc, &inc->races.v[i].access),
		            b = side_of(inc, &inc->races.v[i].previous);
		if (!same_pair(p, &a, &b))
			continue;
		if (a.g)
			gpm_rule_add_id(c, f, a.g->id);
		if (b.g)
			gpm_rule_add_id(c, f, b.g->id);
	}
out:
	free(xw);
	free(yw);
}

void gpm_rule_race(struct gpm_rule_ctx *c)
{
	const struct gpm_incident *inc = c->inc;
	if (!inc->races.len)
		return;
	// Reports are few (src/dump/race.c keeps at most 2,000): pairs by linear search.
	GPM_VEC(struct pair) pairs = {0};
	for (size_t i = 0; i < inc->races.len; i++) {
		struct side x = side_of(inc, &inc->races.v[i].access),
		            y = side_of(inc, &inc->races.v[i].previous);
		size_t k = 0;
		while (k < pairs.len && !same_pair(&pairs.v[k], &x, &y))
			k++;
		if (k < pairs.len) {
			pairs.v[k].reports++;
			continue;
		}
		struct pair *p = gpm_vec_push(&pairs);
		if (!p) {
			c->oom = true;
			break;
		}
		*p = (struct pair){x, y, (uint32_t)i, 1};
	}
	for (size_t k = 0; k < pairs.len && !c->oom; k++)
		pair_finding(c, &pairs.v[k], k == 0);
	gpm_vec_free(&pairs);
}
