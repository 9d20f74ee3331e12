/*
 * Goroutine grouping by hashed key. Stacks are first mapped to a class per level (stacks
 * equal at that level share a class; cost: the frames of distinct stacks), then every
 * goroutine is one probe of a table keyed by (state, class[, argument text]). See group.h.
 */
#include "model/group.h"

#include <stdlib.h>
#include <string.h>

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 33);
}

static uint64_t str_hash(const char *s, uint64_t h)
{
	return s ? gpm_hash_bytes(s, strlen(s), h) : mix(h, 0x5f5f);
}

static bool digits_at(const char *s)
{
	return *s >= '0' && *s <= '9';
}

size_t gpm_group_func_normalise(const char *name, char *out, size_t cap)
{
	size_t o = 0;
	if (!cap)
		return 0;
	for (const char *p = name ? name : ""; *p && o + 1 < cap;) {
		// ".funcN[.N...]" and ".gowrapN": the numbers change with unrelated edits.
		size_t kw = !strncmp(p, ".func", 5) && digits_at(p + 5)     ? 5
		            : !strncmp(p, ".gowrap", 7) && digits_at(p + 7) ? 7
		                                                            : 0;
		if (kw) {
			for (size_t k = 0; k < kw && o + 1 < cap; k++)
				out[o++] = p[k];
			p += kw;
			while (digits_at(p) || (*p == '.' && digits_at(p + 1)))
				p++;
			continue;
		}
		if (*p == '[') { // generic type arguments, nested brackets included
			int depth = 0;
			do {
				depth += *p == '[' ? 1 : *p == ']' ? -1 : 0;
				p++;
			} while (*p && depth > 0);
			for (const char *t = "[...]"; *t && o + 1 < cap; t++)
				out[o++] = *t;
			continue;
		}
		if (!strcmp(p, "-fm"))
			break;
		out[o++] = *p++;
	}
	out[o] = 0;
	return o;
}

/* At the loosest level names compare normalised, and inlining does not matter. */
#define LOOSE_FLAGS (GPM_FRAME_HAS_OFFSET | GPM_FRAME_INLINED)

static bool names_eq(const char *a, const char *b)
{
	char x[512], y[512];
	gpm_group_func_normalise(a, x, sizeof(x));
	gpm_group_func_normalise(b, y, sizeof(y));
	return !strcmp(x, y);
}

static bool frame_eq(const struct gpm_frame *a, const struct gpm_frame *b, int level)
{
	if (level >= GPM_GROUP_NO_LINES)
		return a->file == b->file &&
		       (a->flags & ~LOOSE_FLAGS) == (b->flags & ~LOOSE_FLAGS) &&
		       (a->func == b->func || names_eq(a->func, b->func));
	if (a->func != b->func || a->file != b->file ||
	    (a->flags & ~GPM_FRAME_HAS_OFFSET) != (b->flags & ~GPM_FRAME_HAS_OFFSET))
		return false;
	if (level < GPM_GROUP_NO_ARGS && a->args != b->args)
		return false;
	if (level < GPM_GROUP_NO_LINES &&
	    (a->line != b->line || a->offset != b->offset || a->flags != b->flags))
		return false;
	return true;
}

/* Pointer-based hash (strings are interned): for the in-incident tables. */
static uint64_t frame_key(const struct gpm_frame *f, int level, uint64_t h)
{
	if (level >= GPM_GROUP_NO_LINES) {
		char n[512];
		size_t len = gpm_group_func_normalise(f->func, n, sizeof(n));
		h = gpm_hash_bytes(n, len, h);
		h = mix(h, (uintptr_t)f->file);
		return mix(h, f->flags & ~(uint32_t)LOOSE_FLAGS);
	}
	h = mix(h, (uintptr_t)f->func);
	h = mix(h, (uintptr_t)f->file);
	h = mix(h, f->flags & ~(uint32_t)GPM_FRAME_HAS_OFFSET);
	if (level < GPM_GROUP_NO_ARGS)
		h = mix(h, (uintptr_t)f->args);
	if (level < GPM_GROUP_NO_LINES)
		h = mix(h, (uint64_t)f->line << 32 | f->offset);
	return h;
}

/* Content-based hash: for signatures compared across incidents. */
static uint64_t frame_sig(const struct gpm_frame *f, const char *args, size_t alen, int level,
                          uint64_t h)
{
	if (level >= GPM_GROUP_NO_LINES) {
		char n[512];
		size_t len = gpm_group_func_normalise(f->func, n, sizeof(n));
		h = gpm_hash_bytes(n, len, h);
		h = str_hash(f->file, h);
		return mix(h, f->flags & (GPM_FRAME_ELIDED | GPM_FRAME_NON_GO));
	}
	h = str_hash(f->func, h);
	h = str_hash(f->file, h);
	h = mix(h, f->flags & (GPM_FRAME_INLINED | GPM_FRAME_ELIDED | GPM_FRAME_NON_GO));
	if (level < GPM_GROUP_NO_ARGS)
		h = args ? gpm_hash_bytes(args, alen, h) : mix(h, 0x5f5f); // as str_hash
	if (level < GPM_GROUP_NO_LINES)
		h = mix(h, (uint64_t)f->line << 32 | f->offset);
	return h;
}

uint64_t gpm_group_signature(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                             enum gpm_group_level level)
{
	uint64_t h = mix(GPM_HASH_SEED, GPM_GROUP_SIGNATURE_VERSION);
	h = str_hash(g->state ? g->state : gpm_gstatus_name((enum gpm_gstatus)g->status), h);
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	struct gpm_args_iter it;
	bool own = gpm_goroutine_args_begin(inc, g, &it);
	for (uint32_t i = 0; i < n; i++) {
		const char *a = f[i].args;
		size_t an = a ? strlen(a) : 0;
		if (own && !gpm_args_iter_next(&it, &a, &an)) {
			own = false;
			a = f[i].args;
			an = a ? strlen(a) : 0;
		}
		h = frame_sig(&f[i], a, an, level, h);
	}
	return mix(h, n);
}

/* Mixes g's own argument texts into h; *has says whether it has any. */
static uint64_t own_args_hash(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                              uint64_t h, bool *has)
{
	struct gpm_args_iter it;
	*has = gpm_goroutine_args_begin(inc, g, &it);
	if (!*has)
		return h;
	uint32_t n;
	gpm_goroutine_frames(inc, g, &n);
	const char *s;
	size_t len;
	for (uint32_t i = 0; i < n && gpm_args_iter_next(&it, &s, &len); i++)
		h = gpm_hash_bytes(s, len, mix(h, len));
	return h;
}

/* Whether a and b have the same own argument texts, frame by frame. */
static bool own_args_eq(const struct gpm_incident *inc, const struct gpm_goroutine *a,
                        const struct gpm_goroutine *b)
{
	if (a->args == b->args && a->args_in_text == b->args_in_text)
		return true;
	struct gpm_args_iter x, y;
	bool hx = gpm_goroutine_args_begin(inc, a, &x), hy = gpm_goroutine_args_begin(inc, b, &y);
	if (hx != hy)
		return false;
	uint32_t na, nb;
	gpm_goroutine_frames(inc, a, &na);
	gpm_goroutine_frames(inc, b, &nb);
	if (!hx || na != nb)
		return !hx && na == nb;
	for (uint32_t i = 0; i < na; i++) {
		const char *s, *t;
		size_t sn, tn;
		bool ok = gpm_args_iter_next(&x, &s, &sn);
		if (ok != gpm_args_iter_next(&y, &t, &tn))
			return false;
		if (!ok)
			break;
		if (sn != tn || memcmp(s, t, sn) != 0)
			return false;
	}
	return true;
}

struct gkey {
	uint64_t hash;
	const char *state;
	uint32_t cls;
	uint32_t member; /* the first goroutine with this key (its own argument texts) */
	bool args;       /* keyed by its own argument texts too */
	uint32_t group;
	uint8_t status;
};

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Doubles the goroutine key table. */
static bool grow_keys(uint32_t **tab, size_t *cap, const struct gkey *keys, size_t nkeys)
{
	size_t ncap = *cap * 2;
	uint32_t *n = calloc(ncap, sizeof(*n));
	if (!n)
		return false;
	for (size_t i = 0; i < nkeys; i++) {
		size_t j = keys[i].hash & (ncap - 1);
		while (n[j])
			j = (j + 1) & (ncap - 1);
		n[j] = (uint32_t)i + 1;
	}
	free(*tab);
	*tab = n;
	*cap = ncap;
	return true;
}

struct gpm_error *gpm_group_goroutines(const struct gpm_incident *inc, enum gpm_group_level level,
                                       struct gpm_grouping *out)
{
	memset(out, 0, sizeof(*out));
	out->level = level;
	size_t ns = inc->stacks.len, ng = inc->goroutines.len;
	uint32_t *cls = NULL, *ctab = NULL, *gtab = NULL, *gof = NULL, *fill = NULL;
	struct gkey *keys = NULL;
	struct gpm_error *err = &gpm_error_nomem;

	// 1. stack classes
	size_t ccap = 16;
	while (ccap < ns * 2)
		ccap *= 2;
	cls = malloc((ns ? ns : 1) * sizeof(*cls));
	ctab = calloc(ccap, sizeof(*ctab));
	uint64_t *chash = malloc((ns ? ns : 1) * sizeof(*chash));
	if (!cls || !ctab || !chash)
		goto out;
	for (size_t s = 0; s < ns; s++) {
		const struct gpm_stack *st = &inc->stacks.v[s];
		const struct gpm_frame *f = &inc->frames.v[st->first];
		uint64_t h = mix(0, st->nframes);
		for (uint32_t i = 0; i < st->nframes; i++)
			h = frame_key(&f[i], level, h);
		chash[s] = h;
		size_t j = h & (ccap - 1);
		for (; ctab[j]; j = (j + 1) & (ccap - 1)) {
			size_t o = ctab[j] - 1;
			const struct gpm_stack *os = &inc->stacks.v[o];
			if (chash[o] != h || os->nframes != st->nframes)
				continue;
			const struct gpm_frame *of = &inc->frames.v[os->first];
			bool eq = true;
			for (uint32_t i = 0; eq && i < st->nframes; i++)
				eq = frame_eq(&f[i], &of[i], level);
			if (eq)
				break;
		}
		if (ctab[j]) {
			cls[s] = cls[ctab[j] - 1];
		} else {
			ctab[j] = (uint32_t)s + 1;
			cls[s] = (uint32_t)s;
		}
	}
	free(chash);
	chash = NULL;

	// 2. goroutines
	// The key table grows with the groups found, not with the goroutines: a big dump has
	// few groups, and every page of a table sized for all goroutines costs a fault.
	size_t gcap = 1024;
	gtab = calloc(gcap, sizeof(*gtab));
	gof = malloc((ng ? ng : 1) * sizeof(*gof));
	keys = malloc((ng ? ng : 1) * sizeof(*keys));
	if (!gtab || !gof || !keys)
		goto out;
	gpm_populate(gof, ng * sizeof(*gof));
	size_t nkeys = 0;
	for (size_t i = 0; i < ng; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		if (g->flags & GPM_GOROUTINE_REPEAT) {
			gof[i] = UINT32_MAX;
			out->skipped++;
			continue;
		}
		struct gkey k = {0};
		k.state = g->state;
		k.status = g->status;
		k.cls = g->stack == UINT32_MAX || g->stack >= ns ? UINT32_MAX : cls[g->stack];
		k.member = (uint32_t)i;
		uint64_t h = mix(mix((uintptr_t)k.state, g->status), k.cls);
		if (level == GPM_GROUP_EXACT)
			h = own_args_hash(inc, g, h, &k.args);
		k.hash = h;
		size_t j = h & (gcap - 1);
		for (; gtab[j]; j = (j + 1) & (gcap - 1)) {
			struct gkey *o = &keys[gtab[j] - 1];
			if (o->hash == h && o->state == k.state && o->cls == k.cls &&
			    o->args == k.args && o->status == k.status &&
			    (!k.args || own_args_eq(inc, &inc->goroutines.v[o->member], g)))
				break;
		}
		size_t ki = gtab[j] ? gtab[j] - 1 : nkeys;
		if (!gtab[j]) {
			k.group = (uint32_t)nkeys;
			keys[nkeys++] = k;
			gtab[j] = (uint32_t)nkeys;
			if (nkeys * 2 > gcap && !grow_keys(&gtab, &gcap, keys, nkeys))
				goto out;
		}
		gof[i] = keys[ki].group;
	}

	// 3. group records
	out->groups = calloc(nkeys ? nkeys : 1, sizeof(*out->groups));
	out->members = malloc((ng ? ng : 1) * sizeof(*out->members));
	fill = calloc(nkeys ? nkeys : 1, sizeof(*fill));
	if (!out->groups || !out->members || !fill)
		goto out;
	gpm_populate(out->members, ng * sizeof(*out->members));
	out->ngroups = nkeys;
	for (size_t i = 0; i < ng; i++) {
		if (gof[i] == UINT32_MAX)
			continue;
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		struct gpm_group *gr = &out->groups[gof[i]];
		if (!gr->count) {
			gr->representative = (uint32_t)i;
			gr->min_id = gr->max_id = g->id;
			gr->min_minutes = gr->max_minutes = -1;
			gr->state = g->state;
			gr->stack = g->stack;
		}
		gr->count++;
		if (g->id < gr->min_id)
			gr->min_id = g->id;
		if (g->id > gr->max_id)
			gr->max_id = g->id;
		if (g->wait_minutes >= 0) {
			if (gr->min_minutes < 0 || g->wait_minutes < gr->min_minutes)
				gr->min_minutes = g->wait_minutes;
			if (g->wait_minutes > gr->max_minutes)
				gr->max_minutes = g->wait_minutes;
		}
		if (g->created_by != UINT32_MAX && g->created_by < inc->frames.len) {
			const char *c = inc->frames.v[g->created_by].func;
			bool seen = false;
			uint32_t shown = gr->ncreators < 4 ? gr->ncreators : 4;
			for (uint32_t k = 0; k < shown && !seen; k++)
				seen = gr->creators[k] == c;
			// Beyond four creators the count is of first sightings among the
			// shown ones; "many" is what matters then.
			if (!seen) {
				if (gr->ncreators < 4)
					gr->creators[gr->ncreators] = c;
				gr->ncreators++;
			}
		}
	}
	// Most members first, ties in the order found: sorted as (~count, index) pairs.
	uint64_t *order = malloc((nkeys ? nkeys : 1) * sizeof(*order));
	if (!order)
		goto out;
	for (size_t i = 0; i < nkeys; i++)
		order[i] = (uint64_t)(UINT32_MAX - out->groups[i].count) << 32 | i;
	struct gpm_group *sorted = malloc((nkeys ? nkeys : 1) * sizeof(*sorted));
	if (!sorted) {
		free(order);
		goto out;
	}
	qsort(order, nkeys, sizeof(*order), u64_cmp);
	for (size_t i = 0; i < nkeys; i++)
		order[i] &= UINT32_MAX;
	uint32_t *rank = fill; // reuse: old group index -> new index
	for (size_t i = 0; i < nkeys; i++) {
		sorted[i] = out->groups[order[i]];
		rank[order[i]] = (uint32_t)i;
	}
	free(out->groups);
	out->groups = sorted;
	free(order);
	uint32_t pos = 0;
	for (size_t i = 0; i < nkeys; i++) {
		out->groups[i].first_member = pos;
		pos += out->groups[i].count;
		out->groups[i].signature = gpm_group_signature(
		    inc, &inc->goroutines.v[out->groups[i].representative], level);
	}
	uint32_t *cursor = calloc(nkeys ? nkeys : 1, sizeof(*cursor));
	if (!cursor)
		goto out;
	for (size_t i = 0; i < ng; i++) {
		if (gof[i] == UINT32_MAX)
			continue;
		uint32_t gi = rank[gof[i]];
		out->members[out->groups[gi].first_member + cursor[gi]++] = (uint32_t)i;
	}
	free(cursor);
	out->nmembers = pos;
	err = NULL;
out:
	free(chash);
	free(cls);
	free(ctab);
	free(gtab);
	free(gof);
	free(keys);
	free(fill);
	if (err)
		gpm_grouping_deinit(out);
	return err;
}

void gpm_grouping_deinit(struct gpm_grouping *g)
{
	free(g->groups);
	free(g->members);
	g->groups = NULL;
	g->members = NULL;
	g->ngroups = g->nmembers = 0;
}
