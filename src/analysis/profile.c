/*
 * Writing profile.proto (github.com/google/pprof/proto/profile.proto) and folded stacks
 * from the incident model (see profile.h). Field numbers are profile.proto's: Profile
 * 1 sample_type, 2 sample, 4 location, 5 function, 6 string_table, 9 time_nanos,
 * 11 period_type, 12 period, 14 default_sample_type; ValueType 1 type, 2 unit; Sample
 * 1 location_id, 2 value, 3 label; Label 1 key, 2 str; Location 1 id, 4 line; Line
 * 1 function_id, 2 line; Function 1 id, 2 name, 3 system_name, 4 filename.
 *
 * Strings, functions, locations and samples are each deduplicated through one hash table,
 * so the cost is linear in goroutines plus the frames of distinct stacks.
 */
#include "analysis/profile.h"

#include <stdlib.h>
#include <string.h>

#include "base/intern.h"
#include "base/pbwrite.h"
#include "base/u64map.h"

bool gpm_profile_counts_goroutine(const struct gpm_goroutine *g)
{
	if (g->flags &
	    (GPM_GOROUTINE_REPEAT | GPM_GOROUTINE_RUNTIME_STACK | GPM_GOROUTINE_RACE_ACCESS))
		return false;
	return gpm_goroutine_is_real(g);
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 33);
}

/* The string table: index 0 is "". Strings are matched by content. */
struct strtab {
	GPM_VEC(char *) v; /* owned copies (terminal-safe) */
	struct gpm_u64map index;
	bool nomem;
};

static uint64_t strtab_add(struct strtab *t, const char *s)
{
	if (!s || !*s)
		return 0;
	for (uint64_t seed = GPM_HASH_SEED;; seed++) {
		uint64_t key = gpm_hash_bytes(s, strlen(s), seed);
		key = key ? key : 1;
		uint32_t i;
		if (gpm_u64map_get(&t->index, key, &i)) {
			if (!strcmp(t->v.v[i], s))
				return i;
			continue;
		}
		char *copy = strdup(s);
		if (!copy || !gpm_vec_reserve(&t->v, t->v.len + 1) ||
		    !gpm_u64map_put(&t->index, key, (uint32_t)t->v.len)) {
			free(copy);
			t->nomem = true;
			return 0;
		}
		t->v.v[t->v.len] = copy;
		return t->v.len++;
	}
}

static bool strtab_init(struct strtab *t)
{
	memset(t, 0, sizeof(*t));
	char *empty = strdup("");
	if (!empty || !gpm_vec_reserve(&t->v, 1)) {
		free(empty);
		return false;
	}
	t->v.v[t->v.len++] = empty;
	return true;
}

static void strtab_deinit(struct strtab *t)
{
	for (size_t i = 0; i < t->v.len; i++)
		free(t->v.v[i]);
	free(t->v.v);
	gpm_u64map_free(&t->index);
}

static void put_strings(struct gpm_strbuf *sb, const struct strtab *t)
{
	for (size_t i = 0; i < t->v.len; i++) {
		// profile.proto strings are UTF-8: made terminal-safe (invalid bytes replaced).
		char *s = gpm_safe_strndup(t->v.v[i], strlen(t->v.v[i]));
		gpm_pb_bytes(sb, 6, s ? s : "", s ? strlen(s) : 0);
		free(s);
	}
}

static void value_type(struct gpm_strbuf *sb, uint32_t field, uint64_t type, uint64_t unit)
{
	struct gpm_strbuf m = GPM_STRBUF_INIT;
	gpm_pb_uint(&m, 1, type);
	gpm_pb_uint(&m, 2, unit);
	gpm_pb_message(sb, field, &m);
	gpm_strbuf_deinit(&m);
}

/* One function (name, file) and one location per (function, line); ids from 1. */
struct symtab {
	struct gpm_u64map functions, locations;
	struct gpm_strbuf fn_msgs, loc_msgs; /* encoded Function / Location fields */
	uint64_t nfunctions, nlocations;
	bool nomem;
};

static uint64_t symtab_location(struct symtab *s, struct strtab *st, const char *func,
                                const char *file, uint64_t line)
{
	uint64_t fname = strtab_add(st, func ? func : "?"), ffile = strtab_add(st, file);
	// String-table indices fit 32 bits (the table is indexed by uint32_t): exact keys.
	uint64_t fkey = (fname << 32 | ffile) + 1;
	uint32_t fid;
	if (!gpm_u64map_get(&s->functions, fkey, &fid)) {
		fid = (uint32_t)++s->nfunctions;
		if (!gpm_u64map_put(&s->functions, fkey, fid)) {
			s->nomem = true;
			return 0;
		}
		struct gpm_strbuf m = GPM_STRBUF_INIT;
		gpm_pb_uint(&m, 1, fid);
		gpm_pb_uint(&m, 2, fname);
		gpm_pb_uint(&m, 3, fname);
		if (ffile)
			gpm_pb_uint(&m, 4, ffile);
		gpm_pb_message(&s->fn_msgs, 5, &m);
		gpm_strbuf_deinit(&m);
	}
	uint64_t lkey = ((uint64_t)fid << 32 | (line & 0xffffffffu)) + 1;
	uint32_t lid;
	if (!gpm_u64map_get(&s->locations, lkey, &lid)) {
		lid = (uint32_t)++s->nlocations;
		if (!gpm_u64map_put(&s->locations, lkey, lid)) {
			s->nomem = true;
			return 0;
		}
		struct gpm_strbuf ln = GPM_STRBUF_INIT, m = GPM_STRBUF_INIT;
		gpm_pb_uint(&ln, 1, fid);
		gpm_pb_uint(&ln, 2, line);
		gpm_pb_uint(&m, 1, lid);
		gpm_pb_message(&m, 4, &ln);
		gpm_pb_message(&s->loc_msgs, 4, &m);
		gpm_strbuf_deinit(&ln);
		gpm_strbuf_deinit(&m);
	}
	return lid;
}

static void symtab_deinit(struct symtab *s)
{
	gpm_u64map_free(&s->functions);
	gpm_u64map_free(&s->locations);
	gpm_strbuf_deinit(&s->fn_msgs);
	gpm_strbuf_deinit(&s->loc_msgs);
}

/* A distinct (stack, label set) and its goroutines. */
struct sample {
	uint32_t goroutine; /* the first one: its stack and labels stand for all */
	uint64_t count;
};

static uint64_t labels_hash(const struct gpm_incident *inc, const struct gpm_goroutine *g)
{
	const struct gpm_goroutine_extra *x = gpm_goroutine_extra(inc, g);
	uint64_t h = GPM_HASH_SEED;
	for (uint32_t i = 0; i < x->nlabels && x->first_label + i < inc->labels.len; i++) {
		const struct gpm_label *l = &inc->labels.v[x->first_label + i];
		// Interned strings: pointers identify contents within one incident.
		h = mix(mix(h, (uintptr_t)l->key), (uintptr_t)l->value);
	}
	return h;
}

static bool same_labels(const struct gpm_incident *inc, const struct gpm_goroutine *a,
                        const struct gpm_goroutine *b)
{
	const struct gpm_goroutine_extra *x = gpm_goroutine_extra(inc, a),
	                                 *y = gpm_goroutine_extra(inc, b);
	if (x->nlabels != y->nlabels)
		return false;
	for (uint32_t i = 0; i < x->nlabels; i++) {
		if (x->first_label + i >= inc->labels.len || y->first_label + i >= inc->labels.len)
			return false;
		const struct gpm_label *l = &inc->labels.v[x->first_label + i],
		                       *m = &inc->labels.v[y->first_label + i];
		if (l->key != m->key || l->value != m->value)
			return false;
	}
	return true;
}

/* The samples of inc: goroutines with the same stack and labels. */
static struct gpm_error *collect(const struct gpm_incident *inc, bool by_labels,
                                 struct sample **out, size_t *n)
{
	struct gpm_u64map index = {0};
	struct sample *v = NULL;
	size_t len = 0, cap = 0;
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		if (!gpm_profile_counts_goroutine(g))
			continue;
		uint64_t lh = by_labels ? labels_hash(inc, g) : 0;
		uint64_t key = 0;
		uint32_t si = 0;
		bool found = false;
		// Keyed by a hash of (stack, labels); a colliding entry probes the next seed.
		for (uint64_t seed = GPM_HASH_SEED;; seed++) {
			key = mix(mix(seed, g->stack), lh);
			key = key ? key : 1;
			if (!gpm_u64map_get(&index, key, &si))
				break;
			const struct gpm_goroutine *o = &inc->goroutines.v[v[si].goroutine];
			if (o->stack == g->stack && (!by_labels || same_labels(inc, o, g))) {
				found = true;
				break;
			}
		}
		if (found) {
			v[si].count++;
			continue;
		}
		if (!gpm_array_reserve((void **)&v, &cap, len + 1, sizeof(*v)) ||
		    !gpm_u64map_put(&index, key, (uint32_t)len)) {
			free(v);
			gpm_u64map_free(&index);
			return &gpm_error_nomem;
		}
		v[len++] = (struct sample){(uint32_t)i, 1};
	}
	gpm_u64map_free(&index);
	*out = v;
	*n = len;
	return NULL;
}

struct gpm_error *gpm_profile_goroutines_pprof(const struct gpm_incident *inc,
                                               struct gpm_strbuf *out,
                                               struct gpm_profile_totals *totals)
{
	struct sample *samples;
	size_t ns;
	struct gpm_error *err = collect(inc, true, &samples, &ns);
	if (err)
		return err;
	struct strtab st;
	if (!strtab_init(&st)) {
		free(samples);
		return &gpm_error_nomem;
	}
	struct symtab sy = {0};
	struct gpm_strbuf p = GPM_STRBUF_INIT, smsgs = GPM_STRBUF_INIT;
	uint64_t goroutine = strtab_add(&st, "goroutine"), count = strtab_add(&st, "count");
	uint64_t *locs = NULL;
	size_t locs_cap = 0;
	struct gpm_profile_totals t = {0};
	for (size_t i = 0; i < ns && !err; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[samples[i].goroutine];
		uint32_t n;
		const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
		if (!gpm_array_reserve((void **)&locs, &locs_cap, n + 1, sizeof(*locs))) {
			err = &gpm_error_nomem;
			break;
		}
		size_t k = 0;
		for (uint32_t j = 0; j < n; j++) {
			if (f[j].flags & GPM_FRAME_ELIDED)
				continue;
			locs[k++] = symtab_location(&sy, &st, f[j].func, f[j].file, f[j].line);
		}
		// A goroutine printed without frames is still counted, under a frame saying so.
		if (!k)
			locs[k++] = symtab_location(&sy, &st, "(no stack recorded)", NULL, 0);
		struct gpm_strbuf m = GPM_STRBUF_INIT;
		gpm_pb_packed(&m, 1, locs, k);
		gpm_pb_packed(&m, 2, &samples[i].count, 1);
		const struct gpm_goroutine_extra *x = gpm_goroutine_extra(inc, g);
		for (uint32_t l = 0; l < x->nlabels && x->first_label + l < inc->labels.len; l++) {
			const struct gpm_label *lab = &inc->labels.v[x->first_label + l];
			struct gpm_strbuf lm = GPM_STRBUF_INIT;
			gpm_pb_uint(&lm, 1, strtab_add(&st, lab->key));
			gpm_pb_uint(&lm, 2, strtab_add(&st, lab->value));
			gpm_pb_message(&m, 3, &lm);
			gpm_strbuf_deinit(&lm);
		}
		gpm_pb_message(&smsgs, 2, &m);
		gpm_strbuf_deinit(&m);
		t.samples++;
		t.value += samples[i].count;
	}
	if (!err && (st.nomem || sy.nomem))
		err = &gpm_error_nomem;
	if (!err) {
		value_type(&p, 1, goroutine, count);
		gpm_strbuf_append(&p, smsgs.buf ? smsgs.buf : "", smsgs.len);
		gpm_strbuf_append(&p, sy.loc_msgs.buf ? sy.loc_msgs.buf : "", sy.loc_msgs.len);
		gpm_strbuf_append(&p, sy.fn_msgs.buf ? sy.fn_msgs.buf : "", sy.fn_msgs.len);
		put_strings(&p, &st);
		if (inc->time > 0)
			gpm_pb_uint(&p, 9, (uint64_t)inc->time * 1000000000u);
		value_type(&p, 11, goroutine, count);
		gpm_pb_uint(&p, 12, 1);
		if (!(err = gpm_strbuf_error(&p)))
			err = gpm_gzip(p.buf, p.len, out);
	}
	t.functions = sy.nfunctions;
	t.locations = sy.nlocations;
	if (!err && totals)
		*totals = t;
	free(locs);
	free(samples);
	gpm_strbuf_deinit(&p);
	gpm_strbuf_deinit(&smsgs);
	symtab_deinit(&sy);
	strtab_deinit(&st);
	return err;
}

/* A function name as one folded frame: terminal-safe, no ';' (the separator). */
static void folded_frame(struct gpm_strbuf *sb, const char *name)
{
	char *s = gpm_safe_strndup(name ? name : "?", name ? strlen(name) : 1);
	if (!s) {
		gpm_strbuf_puts(sb, "?");
		return;
	}
	for (char *p = s; *p; p++)
		if (*p == ';')
			*p = ':';
	gpm_strbuf_puts(sb, s);
	free(s);
}

struct gpm_error *gpm_profile_goroutines_folded(const struct gpm_incident *inc,
                                                struct gpm_strbuf *out,
                                                struct gpm_profile_totals *totals)
{
	struct sample *samples;
	size_t ns;
	struct gpm_error *err = collect(inc, false, &samples, &ns);
	if (err)
		return err;
	struct gpm_profile_totals t = {0};
	for (size_t i = 0; i < ns; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[samples[i].goroutine];
		uint32_t n;
		const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
		bool any = false;
		for (uint32_t j = n; j-- > 0;) {
			if (f[j].flags & GPM_FRAME_ELIDED)
				continue;
			if (any)
				gpm_strbuf_putc(out, ';');
			folded_frame(out, f[j].func);
			any = true;
		}
		if (!any)
			gpm_strbuf_puts(out, "(no stack recorded)");
		gpm_strbuf_printf(out, " %llu\n", (unsigned long long)samples[i].count);
		t.samples++;
		t.value += samples[i].count;
	}
	free(samples);
	if ((err = gpm_strbuf_error(out)))
		return err;
	if (totals)
		*totals = t;
	return NULL;
}

/* Whether the rows are reference chains (some row hangs under another). */
static bool chained(const struct gpm_profile_heap_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (rows[i].parent)
			return true;
	return false;
}

struct gpm_error *gpm_profile_heap_pprof(const struct gpm_profile_heap_row *rows, size_t n,
                                         int64_t time, struct gpm_strbuf *out,
                                         struct gpm_profile_totals *totals)
{
	struct strtab st;
	if (!strtab_init(&st))
		return &gpm_error_nomem;
	struct symtab sy = {0};
	struct gpm_strbuf p = GPM_STRBUF_INIT;
	struct gpm_profile_totals t = {0};
	uint64_t inuse_objects = strtab_add(&st, "inuse_objects"),
	         inuse_space = strtab_add(&st, "inuse_space"), count = strtab_add(&st, "count"),
	         bytes = strtab_add(&st, "bytes"), space = strtab_add(&st, "space");
	value_type(&p, 1, inuse_objects, count);
	value_type(&p, 1, inuse_space, bytes);
	bool chains = chained(rows, n);
	for (size_t i = 0; i < n; i++) {
		if (!rows[i].objects && !rows[i].bytes && chains)
			continue;
		uint64_t loc[GPM_PROFILE_MAX_CHAIN];
		size_t nloc = 0;
		for (size_t r = i + 1; r && r <= n && nloc < GPM_PROFILE_MAX_CHAIN;
		     r = rows[r - 1].parent < r ? rows[r - 1].parent : 0)
			loc[nloc++] = symtab_location(&sy, &st, rows[r - 1].name, NULL, 0);
		uint64_t v[2] = {rows[i].objects, rows[i].bytes};
		struct gpm_strbuf m = GPM_STRBUF_INIT;
		gpm_pb_packed(&m, 1, loc, nloc);
		gpm_pb_packed(&m, 2, v, 2);
		gpm_pb_message(&p, 2, &m);
		gpm_strbuf_deinit(&m);
		t.samples++;
		t.objects += rows[i].objects;
		t.value += rows[i].bytes;
	}
	gpm_strbuf_append(&p, sy.loc_msgs.buf ? sy.loc_msgs.buf : "", sy.loc_msgs.len);
	gpm_strbuf_append(&p, sy.fn_msgs.buf ? sy.fn_msgs.buf : "", sy.fn_msgs.len);
	put_strings(&p, &st);
	if (time > 0)
		gpm_pb_uint(&p, 9, (uint64_t)time * 1000000000u);
	value_type(&p, 11, space, bytes);
	gpm_pb_uint(&p, 14, inuse_space);
	struct gpm_error *err = st.nomem || sy.nomem ? &gpm_error_nomem : gpm_strbuf_error(&p);
	if (!err)
		err = gpm_gzip(p.buf, p.len, out);
	t.functions = sy.nfunctions;
	t.locations = sy.nlocations;
	if (!err && totals)
		*totals = t;
	gpm_strbuf_deinit(&p);
	symtab_deinit(&sy);
	strtab_deinit(&st);
	return err;
}

struct gpm_error *gpm_profile_heap_folded(const struct gpm_profile_heap_row *rows, size_t n,
                                          struct gpm_strbuf *out, struct gpm_profile_totals *totals)
{
	struct gpm_profile_totals t = {0};
	for (size_t i = 0; i < n; i++) {
		if (!rows[i].bytes)
			continue;
		// Root first: the chain from this row up, written backwards.
		size_t chain[GPM_PROFILE_MAX_CHAIN], k = 0;
		for (size_t r = i + 1; r && r <= n && k < GPM_PROFILE_MAX_CHAIN;
		     r = rows[r - 1].parent < r ? rows[r - 1].parent : 0)
			chain[k++] = r - 1;
		while (k--) {
			folded_frame(out, rows[chain[k]].name);
			if (k)
				gpm_strbuf_putc(out, ';');
		}
		gpm_strbuf_printf(out, " %llu\n", (unsigned long long)rows[i].bytes);
		t.samples++;
		t.objects += rows[i].objects;
		t.value += rows[i].bytes;
	}
	struct gpm_error *err = gpm_strbuf_error(out);
	if (!err && totals)
		*totals = t;
	return err;
}
