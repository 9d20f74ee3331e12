/*
 * pprof heap profiles (see pprof.h).
 *
 * profile.proto fields read (github.com/google/pprof/proto/profile.proto):
 *   Profile   1 sample_type (ValueType), 2 sample, 4 location, 5 function,
 *             6 string_table, 12 period
 *   ValueType 1 type, 2 unit (string indexes)
 *   Sample    1 location_id (packed or not), 2 value (packed or not)
 *   Location  1 id, 4 line (Line: 1 function_id, 2 line); line[0] is the innermost frame
 *   Function  1 id, 2 name, 4 filename (string indexes)
 * Wire types: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32 (others are errors).
 */
#include "heap/pprof.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "base/protobuf.h"
#include "base/json.h"
#include "base/source.h"

/* ---- the profile's tables (fields read with base/protobuf.h) ---- */

struct str {
	const uint8_t *p;
	size_t n;
};
struct func {
	uint64_t id, name, file;
};
struct loc {
	uint64_t id, func, line;
};

struct pb {
	struct str *strs;
	size_t nstrs, cap_strs;
	struct func *funcs;
	size_t nfuncs, cap_funcs;
	struct loc *locs;
	size_t nlocs, cap_locs;
	uint64_t types[GPM_PPROF_MAX_VALUES][2];
	size_t ntypes;
	int64_t period;
};

#define PUSH(arr, n, cap)                                                                          \
	((n) < (cap) || grow((void **)&(arr), &(cap), sizeof(*(arr))) ? &(arr)[(n)++] : NULL)

static bool grow(void **arr, size_t *cap, size_t el)
{
	size_t ncap = *cap ? *cap * 2 : 64;
	if (ncap > GPM_PPROF_MAX_ITEMS)
		return false;
	void *n = realloc(*arr, ncap * el);
	if (!n)
		return false;
	*arr = n;
	*cap = ncap;
	return true;
}

static int func_cmp(const void *a, const void *b)
{
	const struct func *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}
static int loc_cmp(const void *a, const void *b)
{
	const struct loc *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* First pass: strings, functions, locations, sample types, period. */
static struct gpm_error *pass1(const uint8_t *data, size_t size, struct pb *pb)
{
	struct gpm_cursor c;
	gpm_cursor_init(&c, data, size);
	struct gpm_pb_field f;
	while (gpm_cursor_left(&c)) {
		size_t at = c.pos;
		if (!gpm_pb_next(&c, &f))
			return gpm_error_create(GPM_ERR_FORMAT, "profile: bad field at offset %zu",
			                        at);
		if (f.num == 6 && f.wire == 2) {
			struct str *s = PUSH(pb->strs, pb->nstrs, pb->cap_strs);
			if (!s)
				return gpm_error_create(GPM_ERR_LIMIT, "profile: too many strings");
			s->p = f.bytes;
			s->n = f.len;
		} else if ((f.num == 5 || f.num == 4 || f.num == 1) && f.wire == 2) {
			struct gpm_cursor m;
			struct gpm_pb_field g;
			gpm_cursor_init(&m, f.bytes, f.len);
			struct func fn = {0};
			struct loc lc = {0};
			uint64_t vt[2] = {0, 0};
			while (gpm_cursor_left(&m)) {
				if (!gpm_pb_next(&m, &g))
					return gpm_error_create(
					    GPM_ERR_FORMAT, "profile: bad message at offset %zu",
					    at);
				if (f.num == 5 && g.wire == 0) {
					if (g.num == 1)
						fn.id = g.v;
					else if (g.num == 2)
						fn.name = g.v;
					else if (g.num == 4)
						fn.file = g.v;
				} else if (f.num == 4 && g.num == 1 && g.wire == 0) {
					lc.id = g.v;
				} else if (f.num == 4 && g.num == 4 && g.wire == 2 && !lc.func) {
					// The first Line is the innermost (inlined) frame.
					struct gpm_cursor l;
					struct gpm_pb_field h;
					gpm_cursor_init(&l, g.bytes, g.len);
					while (gpm_cursor_left(&l) && gpm_pb_next(&l, &h))
						if (h.wire == 0 && h.num == 1)
							lc.func = h.v;
						else if (h.wire == 0 && h.num == 2)
							lc.line = h.v;
				} else if (f.num == 1 && g.wire == 0 &&
				           (g.num == 1 || g.num == 2)) {
					vt[g.num - 1] = g.v;
				}
			}
			if (f.num == 5) {
				struct func *p = PUSH(pb->funcs, pb->nfuncs, pb->cap_funcs);
				if (!p)
					return gpm_error_create(GPM_ERR_LIMIT,
					                        "profile: too many functions");
				*p = fn;
			} else if (f.num == 4) {
				struct loc *p = PUSH(pb->locs, pb->nlocs, pb->cap_locs);
				if (!p)
					return gpm_error_create(GPM_ERR_LIMIT,
					                        "profile: too many locations");
				*p = lc;
			} else if (pb->ntypes < GPM_PPROF_MAX_VALUES) {
				pb->types[pb->ntypes][0] = vt[0];
				pb->types[pb->ntypes][1] = vt[1];
				pb->ntypes++;
			}
		} else if (f.num == 12 && f.wire == 0) {
			pb->period = (int64_t)f.v;
		}
	}
	if (pb->nfuncs)
		qsort(pb->funcs, pb->nfuncs, sizeof(*pb->funcs), func_cmp);
	if (pb->nlocs)
		qsort(pb->locs, pb->nlocs, sizeof(*pb->locs), loc_cmp);
	return NULL;
}

static const struct str *str_at(const struct pb *pb, uint64_t i)
{
	static const struct str empty = {(const uint8_t *)"", 0};
	return i < pb->nstrs ? &pb->strs[i] : &empty;
}

static bool str_is(const struct pb *pb, uint64_t i, const char *s)
{
	const struct str *x = str_at(pb, i);
	return x->n == strlen(s) && !memcmp(x->p, s, x->n);
}

/* ---- sites ---- */

struct site_key {
	uint64_t hash;
	size_t index;
};

struct builder {
	struct gpm_pprof *prof;
	size_t cap;
	struct site_key *slots;
	size_t slots_cap;
};

static uint64_t hash3(const char *a, size_t an, const char *b, size_t bn, int64_t line)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < an; i++)
		h = (h ^ (uint8_t)a[i]) * 0x100000001b3ULL;
	h = (h ^ 0xff) * 0x100000001b3ULL;
	for (size_t i = 0; i < bn; i++)
		h = (h ^ (uint8_t)b[i]) * 0x100000001b3ULL;
	h = (h ^ (uint64_t)line) * 0x100000001b3ULL;
	return h ? h : 1;
}

/* The site for (func, file, line), created on first use; NULL on out of memory. */
static struct gpm_pprof_site *site(struct builder *b, const char *fn, size_t fnn, const char *file,
                                   size_t filen, int64_t line)
{
	struct gpm_pprof *p = b->prof;
	uint64_t h = hash3(fn, fnn, file, filen, line);
	if ((p->nsites + 1) * 2 > b->slots_cap) {
		size_t ncap = b->slots_cap ? b->slots_cap * 2 : 256;
		struct site_key *n = calloc(ncap, sizeof(*n));
		if (!n)
			return NULL;
		for (size_t i = 0; i < b->slots_cap; i++) {
			if (!b->slots[i].hash)
				continue;
			size_t j = b->slots[i].hash & (ncap - 1);
			while (n[j].hash)
				j = (j + 1) & (ncap - 1);
			n[j] = b->slots[i];
		}
		free(b->slots);
		b->slots = n;
		b->slots_cap = ncap;
	}
	char *sfn = gpm_safe_strndup(fn, fnn), *sfile = gpm_safe_strndup(file, filen);
	if (!sfn || !sfile) {
		free(sfn);
		free(sfile);
		return NULL;
	}
	size_t j = h & (b->slots_cap - 1);
	while (b->slots[j].hash) {
		struct gpm_pprof_site *s = &p->sites[b->slots[j].index];
		if (b->slots[j].hash == h && s->line == line && !strcmp(s->func, sfn) &&
		    !strcmp(s->file, sfile)) {
			free(sfn);
			free(sfile);
			return s;
		}
		j = (j + 1) & (b->slots_cap - 1);
	}
	if (p->nsites == b->cap && !grow((void **)&p->sites, &b->cap, sizeof(*p->sites))) {
		free(sfn);
		free(sfile);
		return NULL;
	}
	struct gpm_pprof_site *s = &p->sites[p->nsites];
	memset(s, 0, sizeof(*s));
	s->func = sfn;
	s->file = sfile;
	s->line = line;
	b->slots[j].hash = h;
	b->slots[j].index = p->nsites++;
	return s;
}

struct sample_ctx {
	uint64_t first_loc;
	bool have_loc;
	int64_t values[GPM_PPROF_MAX_VALUES];
	size_t nvalues;
};

static bool take_loc(void *ctx, uint64_t v)
{
	struct sample_ctx *s = ctx;
	if (!s->have_loc) {
		s->first_loc = v;
		s->have_loc = true;
	}
	return true;
}

static bool take_value(void *ctx, uint64_t v)
{
	struct sample_ctx *s = ctx;
	if (s->nvalues < GPM_PPROF_MAX_VALUES)
		s->values[s->nvalues++] = (int64_t)v;
	return true;
}

/* Counts add up saturating: a hostile profile's huge values must not overflow int64. */
static void add_counts(int64_t *objects, int64_t *bytes, int64_t *alloc_objects,
                       int64_t *alloc_bytes, const int64_t v[4])
{
	int64_t *acc[4] = {objects, bytes, alloc_objects, alloc_bytes};
	for (int k = 0; k < 4; k++)
		if (__builtin_add_overflow(*acc[k], v[k], acc[k]))
			*acc[k] = v[k] < 0 ? INT64_MIN : INT64_MAX;
}

static struct gpm_error *pass2(const uint8_t *data, size_t size, const struct pb *pb,
                               struct builder *b)
{
	struct gpm_pprof *p = b->prof;
	// Which value is which: the heap profile's four sample types.
	int idx[4] = {-1, -1, -1, -1};
	static const char *const names[4] = {"inuse_objects", "inuse_space", "alloc_objects",
	                                     "alloc_space"};
	struct gpm_strbuf st = GPM_STRBUF_INIT;
	for (size_t i = 0; i < pb->ntypes; i++) {
		for (int k = 0; k < 4; k++)
			if (str_is(pb, pb->types[i][0], names[k]))
				idx[k] = (int)i;
		const struct str *t = str_at(pb, pb->types[i][0]), *u = str_at(pb, pb->types[i][1]);
		if (i)
			gpm_strbuf_putc(&st, ',');
		gpm_strbuf_append_safe(&st, (const char *)t->p, t->n);
		gpm_strbuf_putc(&st, '/');
		gpm_strbuf_append_safe(&st, (const char *)u->p, u->n);
	}
	snprintf(p->sample_types, sizeof(p->sample_types), "%s", gpm_strbuf_str(&st));
	gpm_strbuf_deinit(&st);
	for (int k = 0; k < 4; k++)
		if (idx[k] >= 0)
			p->present |= 1u << k;
	if (idx[1] < 0 && idx[3] < 0)
		return gpm_error_create(GPM_ERR_FORMAT,
		                        "profile: not a heap profile (sample types: %s)",
		                        p->sample_types[0] ? p->sample_types : "none");
	struct gpm_cursor c;
	gpm_cursor_init(&c, data, size);
	struct gpm_pb_field f;
	while (gpm_cursor_left(&c) && gpm_pb_next(&c, &f)) {
		if (f.num != 2 || f.wire != 2)
			continue;
		struct sample_ctx s = {0};
		struct gpm_cursor m;
		struct gpm_pb_field g;
		gpm_cursor_init(&m, f.bytes, f.len);
		while (gpm_cursor_left(&m)) {
			if (!gpm_pb_next(&m, &g))
				return gpm_error_create(GPM_ERR_FORMAT, "profile: bad sample");
			if (g.num == 1 && !gpm_pb_each_int(&g, take_loc, &s))
				return gpm_error_create(GPM_ERR_FORMAT,
				                        "profile: bad location ids");
			if (g.num == 2 && !gpm_pb_each_int(&g, take_value, &s))
				return gpm_error_create(GPM_ERR_FORMAT, "profile: bad values");
		}
		if (p->samples++ >= GPM_PPROF_MAX_ITEMS)
			return gpm_error_create(GPM_ERR_LIMIT,
			                        "profile: more than %" PRIu64 " samples",
			                        GPM_PPROF_MAX_ITEMS);
		const char *fn = "?", *file = "";
		size_t fnn = 1, filen = 0;
		int64_t line = 0;
		if (s.have_loc) {
			struct loc key = {.id = s.first_loc};
			const struct loc *l =
			    pb->nlocs ? bsearch(&key, pb->locs, pb->nlocs, sizeof(key), loc_cmp)
			              : NULL;
			struct func fkey = {.id = l ? l->func : 0};
			const struct func *fu =
			    l && pb->nfuncs
			        ? bsearch(&fkey, pb->funcs, pb->nfuncs, sizeof(fkey), func_cmp)
			        : NULL;
			if (fu) {
				const struct str *a = str_at(pb, fu->name),
				                 *bb = str_at(pb, fu->file);
				fn = (const char *)a->p, fnn = a->n, file = (const char *)bb->p,
				filen = bb->n;
				line = (int64_t)l->line;
			}
		}
		struct gpm_pprof_site *x = site(b, fn, fnn, file, filen, line);
		if (!x)
			return &gpm_error_nomem;
		int64_t v[4];
		for (int k = 0; k < 4; k++)
			v[k] = idx[k] >= 0 && (size_t)idx[k] < s.nvalues ? s.values[idx[k]] : 0;
		add_counts(&x->inuse_objects, &x->inuse_bytes, &x->alloc_objects, &x->alloc_bytes,
		           v);
		add_counts(&p->inuse_objects, &p->inuse_bytes, &p->alloc_objects, &p->alloc_bytes,
		           v);
	}
	p->rate = pb->period;
	return NULL;
}

static struct gpm_error *parse_proto(const uint8_t *data, size_t size, struct builder *b)
{
	struct pb pb = {0};
	struct gpm_error *err = pass1(data, size, &pb);
	if (!err)
		err = pass2(data, size, &pb, b);
	free(pb.strs);
	free(pb.funcs);
	free(pb.locs);
	return err;
}

/* ---- debug=1 text ---- */

static const char *line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	return nl ? nl : end;
}

static bool parse_i64(const char **p, const char *end, int64_t *out)
{
	const char *s = *p;
	while (s < end && *s == ' ')
		s++;
	if (s >= end || !isdigit((unsigned char)*s))
		return false;
	uint64_t v = 0;
	while (s < end && isdigit((unsigned char)*s)) {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s++ - '0');
	}
	*out = (int64_t)(v > INT64_MAX ? INT64_MAX : v);
	*p = s;
	return true;
}

static bool expect(const char **p, const char *end, const char *lit)
{
	size_t n = strlen(lit);
	if ((size_t)(end - *p) < n || memcmp(*p, lit, n))
		return false;
	*p += n;
	return true;
}

static void skip_spaces(const char **p, const char *end)
{
	while (*p < end && **p == ' ')
		(*p)++;
}

/* "N: B [N: B]" at *p, spaced as pprof's heapHeaderRE / heapSampleRE allow:
 * `(\d+): *(\d+) *\[ *(\d+): *(\d+) *\]`. */
static bool counts(const char **p, const char *end, int64_t v[4])
{
	if (!parse_i64(p, end, &v[0]) || !expect(p, end, ":") || !parse_i64(p, end, &v[1]))
		return false;
	skip_spaces(p, end);
	if (!expect(p, end, "[") || !parse_i64(p, end, &v[2]) || !expect(p, end, ":") ||
	    !parse_i64(p, end, &v[3]))
		return false;
	skip_spaces(p, end);
	return expect(p, end, "]");
}

/*
 * Undoes the sampling of one record's count and bytes, as pprof reads a legacy profile
 * (github.com/google/pprof/profile/legacy_profile.go scaleHeapSample) and runtime/pprof
 * writes profile.proto (protomem.go scaleHeapSample): an allocation of size S is sampled
 * with probability 1-exp(-S/rate), so divide by that, S being the record's average size.
 */
static void unsample(int64_t *count, int64_t *bytes, int64_t rate)
{
	if (*count == 0 || *bytes == 0) {
		*count = *bytes = 0;
		return;
	}
	if (rate <= 1)
		return; // all sampled (1), or unknown: left as they are
	double avg = (double)*bytes / (double)*count;
	double scale = 1 / (1 - exp(-avg / (double)rate));
	double c = (double)*count * scale, b = (double)*bytes * scale;
	// Go's int64(float64) conversion truncates; beyond int64 it is undefined in C.
	*count = c < 9.2e18 ? (int64_t)c : INT64_MAX;
	*bytes = b < 9.2e18 ? (int64_t)b : INT64_MAX;
}

static struct gpm_error *parse_text(const char *s, size_t size, struct builder *b)
{
	struct gpm_pprof *p = b->prof;
	const char *end = s + size, *q = s;
	const char *le = line_end(q, end);
	int64_t tot[4];
	if (!expect(&q, le, "heap profile:"))
		return gpm_error_create(GPM_ERR_FORMAT, "profile: bad \"heap profile:\" line");
	skip_spaces(&q, le);
	if (!counts(&q, le, tot))
		return gpm_error_create(GPM_ERR_FORMAT, "profile: bad \"heap profile:\" line");
	p->text = true;
	// "@ heap/N": the Go runtime's (runtime/pprof writeHeapInternal), N being twice
	// MemProfileRate, which pprof halves (parseHeapHeader). gperftools' tcmalloc writes
	// "@ heapprofile" or "@ heap_v2/N", Google's heapz "@ heapz_v2/N": not Go's, refused.
	skip_spaces(&q, le);
	const char *kind = q;
	if (expect(&q, le, "@")) {
		skip_spaces(&q, le);
		kind = q;
		while (q < le &&
		       (*q == '_' || isdigit((unsigned char)*q) || (*q >= 'a' && *q <= 'z')))
			q++;
	}
	size_t kn = (size_t)(q - kind);
	if (kn != 4 || memcmp(kind, "heap", 4)) {
		if (kn >= 4 && !memcmp(kind, "heap", 4))
			return gpm_error_create(GPM_ERR_UNSUPPORTED,
			                        "profile: a C++ heap profile (\"@ %.*s\": tcmalloc/"
			                        "gperftools), not a Go one",
			                        (int)(kn > 32 ? 32 : kn), kind);
		return gpm_error_create(GPM_ERR_FORMAT,
		                        "profile: \"heap profile:\" line without \"@ heap/RATE\"");
	}
	int64_t r = 0;
	if (expect(&q, le, "/"))
		parse_i64(&q, le, &r);
	p->rate = r / 2;
	// pprof's rule: the allocation columns are there when they differ from the in-use
	// ones and are not 0; else the profile has only objects and space.
	bool alloc = (tot[2] != tot[0] && tot[2] != 0) || (tot[3] != tot[1] && tot[3] != 0);
	p->present = GPM_PPROF_INUSE_OBJECTS | GPM_PPROF_INUSE_SPACE |
	             (alloc ? GPM_PPROF_ALLOC_OBJECTS | GPM_PPROF_ALLOC_SPACE : 0);
	snprintf(p->sample_types, sizeof(p->sample_types), "%s",
	         alloc
	             ? "inuse_objects/count,inuse_space/bytes,alloc_objects/count,alloc_space/bytes"
	             : "inuse_objects/count,inuse_space/bytes");
	int64_t cur[4];
	bool in_record = false, have_frame = false;
	for (q = le < end ? le + 1 : end; q < end; q = le < end ? le + 1 : end) {
		le = line_end(q, end);
		const char *x = q;
		if (in_record && !have_frame && expect(&x, le, "#\t")) {
			// "#\t0xPC\tfunc+0xOFF\t\tfile:line"
			const char *t1 = memchr(x, '\t', (size_t)(le - x));
			if (!t1)
				continue;
			const char *fn = t1 + 1;
			const char *fe = memchr(fn, '\t', (size_t)(le - fn));
			if (!fe)
				continue;
			const char *plus = fn;
			while (plus < fe && *plus != '+')
				plus++;
			const char *file = fe;
			while (file < le && *file == '\t')
				file++;
			const char *colon = le;
			while (colon > file && colon[-1] != ':')
				colon--;
			int64_t line = 0;
			const char *lp = colon;
			if (colon > file && parse_i64(&lp, le, &line))
				colon--;
			else
				colon = le;
			struct gpm_pprof_site *si =
			    site(b, fn, (size_t)(plus - fn), file, (size_t)(colon - file), line);
			if (!si)
				return &gpm_error_nomem;
			add_counts(&si->inuse_objects, &si->inuse_bytes, &si->alloc_objects,
			           &si->alloc_bytes, cur);
			have_frame = true;
			continue;
		}
		if (expect(&x, le, "# runtime.MemStats")) {
			p->has_memstats = true;
			continue;
		}
		int64_t v;
		x = q;
		if (expect(&x, le, "# HeapAlloc = ") && parse_i64(&x, le, &v))
			p->heap_alloc = (uint64_t)v;
		x = q;
		if (expect(&x, le, "# HeapObjects = ") && parse_i64(&x, le, &v))
			p->heap_objects = (uint64_t)v;
		x = q;
		if (expect(&x, le, "# HeapInuse = ") && parse_i64(&x, le, &v))
			p->heap_inuse = (uint64_t)v;
		x = q;
		if (isdigit((unsigned char)*x) && counts(&x, le, cur)) {
			unsample(&cur[0], &cur[1], p->rate);
			unsample(&cur[2], &cur[3], p->rate);
			if (!alloc)
				cur[2] = cur[3] = 0;
			if (in_record && !have_frame) {
				struct gpm_pprof_site *si = site(b, "?", 1, "", 0, 0);
				if (!si)
					return &gpm_error_nomem;
				add_counts(&si->inuse_objects, &si->inuse_bytes, &si->alloc_objects,
				           &si->alloc_bytes, cur);
			}
			if (p->samples++ >= GPM_PPROF_MAX_ITEMS)
				return gpm_error_create(GPM_ERR_LIMIT, "profile: too many records");
			in_record = true;
			have_frame = false;
			add_counts(&p->inuse_objects, &p->inuse_bytes, &p->alloc_objects,
			           &p->alloc_bytes, cur);
		}
	}
	return NULL;
}

/* ---- entry points ---- */

bool gpm_pprof_detect(const void *data, size_t size)
{
	const uint8_t *d = data;
	if (size >= 2 && d[0] == 0x1f && d[1] == 0x8b)
		return true;
	if (size >= 14 && !memcmp(d, "heap profile: ", 14))
		return true;
	// profile.proto: the first fields parse, with Profile's field numbers (1-14), and
	// include sample_type (1) or period_type (11), which runtime/pprof writes first.
	struct gpm_cursor c;
	struct gpm_pb_field f;
	gpm_cursor_init(&c, d, size);
	for (int k = 0; k < 8 && gpm_cursor_left(&c); k++) {
		if (!gpm_pb_next(&c, &f) || f.num > 14)
			return false;
		if ((f.num == 1 || f.num == 11) && f.wire == 2)
			return true;
	}
	return false;
}

static int site_cmp(const void *a, const void *b)
{
	const struct gpm_pprof_site *x = a, *y = b;
	if (x->inuse_bytes != y->inuse_bytes)
		return x->inuse_bytes < y->inuse_bytes ? 1 : -1;
	if (x->alloc_bytes != y->alloc_bytes)
		return x->alloc_bytes < y->alloc_bytes ? 1 : -1;
	int r = strcmp(x->func, y->func);
	return r ? r : (x->line > y->line) - (x->line < y->line);
}

struct gpm_error *gpm_pprof_parse(const void *data, size_t size, struct gpm_pprof **out)
{
	struct gpm_source *src = NULL;
	const uint8_t *d = data;
	struct gpm_error *err;
	if (size >= 2 && d[0] == 0x1f && d[1] == 0x8b) {
		if ((err = gpm_source_from_memory(data, size, "profile", &src)))
			return gpm_error_wrap(err, "profile");
		d = src->data;
		size = src->size;
	}
	struct gpm_pprof *p = calloc(1, sizeof(*p));
	if (!p) {
		gpm_source_destroy(src);
		return &gpm_error_nomem;
	}
	struct builder b = {.prof = p};
	if (size >= 14 && !memcmp(d, "heap profile: ", 14))
		err = parse_text((const char *)d, size, &b);
	else
		err = parse_proto(d, size, &b);
	free(b.slots);
	gpm_source_destroy(src);
	if (err) {
		gpm_pprof_destroy(p);
		return err;
	}
	if (p->nsites)
		qsort(p->sites, p->nsites, sizeof(*p->sites), site_cmp);
	*out = p;
	return NULL;
}

void gpm_pprof_destroy(struct gpm_pprof *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nsites; i++) {
		free(p->sites[i].func);
		free(p->sites[i].file);
	}
	free(p->sites);
	free(p);
}

/* A column's value, or "-" when the profile has no such column. */
static void put_col(struct gpm_strbuf *sb, const struct gpm_pprof *p, unsigned col, int width,
                    int64_t v)
{
	if (p->present & col)
		gpm_strbuf_printf(sb, "%*" PRId64, width, v);
	else
		gpm_strbuf_printf(sb, "%*s", width, "-");
}

static void put_pair(struct gpm_strbuf *sb, const struct gpm_pprof *p, const char *what,
                     unsigned ocol, int64_t objects, unsigned bcol, int64_t bytes)
{
	gpm_strbuf_puts(sb, what);
	if (!(p->present & (ocol | bcol))) {
		gpm_strbuf_puts(sb, "not in the profile\n");
		return;
	}
	put_col(sb, p, ocol, 0, objects);
	gpm_strbuf_puts(sb, " objects, ");
	put_col(sb, p, bcol, 0, bytes);
	gpm_strbuf_puts(sb, " bytes\n");
}

void gpm_pprof_format_text(const struct gpm_pprof *p, size_t top, struct gpm_strbuf *sb)
{
	gpm_strbuf_printf(sb, "heap profile: %s, %" PRIu64 " samples, rate %" PRId64 "\n",
	                  p->text ? "debug=1 text" : "profile.proto", p->samples, p->rate);
	gpm_strbuf_printf(sb, "sample types: %s\n", p->sample_types);
	put_pair(sb, p, "in use:       ", GPM_PPROF_INUSE_OBJECTS, p->inuse_objects,
	         GPM_PPROF_INUSE_SPACE, p->inuse_bytes);
	put_pair(sb, p, "allocated:    ", GPM_PPROF_ALLOC_OBJECTS, p->alloc_objects,
	         GPM_PPROF_ALLOC_SPACE, p->alloc_bytes);
	if (p->has_memstats)
		gpm_strbuf_printf(sb,
		                  "memstats:     HeapAlloc %" PRIu64 ", HeapObjects %" PRIu64
		                  ", HeapInuse %" PRIu64 "\n",
		                  p->heap_alloc, p->heap_objects, p->heap_inuse);
	gpm_strbuf_printf(sb, "\nallocation sites by in-use bytes:\n  %12s %10s %12s %10s  %s\n",
	                  "inuse B", "inuse N", "alloc B", "alloc N", "site");
	for (size_t i = 0; i < p->nsites && i < top; i++) {
		const struct gpm_pprof_site *s = &p->sites[i];
		gpm_strbuf_puts(sb, "  ");
		put_col(sb, p, GPM_PPROF_INUSE_SPACE, 12, s->inuse_bytes);
		gpm_strbuf_putc(sb, ' ');
		put_col(sb, p, GPM_PPROF_INUSE_OBJECTS, 10, s->inuse_objects);
		gpm_strbuf_putc(sb, ' ');
		put_col(sb, p, GPM_PPROF_ALLOC_SPACE, 12, s->alloc_bytes);
		gpm_strbuf_putc(sb, ' ');
		put_col(sb, p, GPM_PPROF_ALLOC_OBJECTS, 10, s->alloc_objects);
		gpm_strbuf_printf(sb, "  %s %s:%" PRId64 "\n", s->func, s->file, s->line);
	}
}

/* "key": value, or null when the profile has no such column. */
static void kv_col(struct gpm_json *j, const struct gpm_pprof *p, const char *key, unsigned col,
                   int64_t v)
{
	if (p->present & col) {
		gpm_json_kv_int(j, key, v);
	} else {
		gpm_json_key(j, key);
		gpm_json_null(j);
	}
}

void gpm_pprof_format_json(const struct gpm_pprof *p, size_t top, struct gpm_strbuf *sb)
{
	struct gpm_json j;
	gpm_json_init(&j, sb, true);
	gpm_json_document_begin(&j, "heap");
	gpm_json_kv_string(&j, "source", "profile");
	gpm_json_kv_string(&j, "format", p->text ? "pprof-debug1" : "profile.proto");
	gpm_json_kv_string(&j, "sample_types", p->sample_types);
	gpm_json_kv_uint(&j, "samples", p->samples);
	gpm_json_kv_int(&j, "rate", p->rate);
	kv_col(&j, p, "inuse_objects", GPM_PPROF_INUSE_OBJECTS, p->inuse_objects);
	kv_col(&j, p, "inuse_bytes", GPM_PPROF_INUSE_SPACE, p->inuse_bytes);
	kv_col(&j, p, "alloc_objects", GPM_PPROF_ALLOC_OBJECTS, p->alloc_objects);
	kv_col(&j, p, "alloc_bytes", GPM_PPROF_ALLOC_SPACE, p->alloc_bytes);
	if (p->has_memstats) {
		gpm_json_kv_uint(&j, "memstats_heap_alloc", p->heap_alloc);
		gpm_json_kv_uint(&j, "memstats_heap_objects", p->heap_objects);
	}
	gpm_json_key(&j, "sites");
	gpm_json_array_begin(&j);
	for (size_t i = 0; i < p->nsites && i < top; i++) {
		const struct gpm_pprof_site *s = &p->sites[i];
		gpm_json_object_begin(&j);
		gpm_json_kv_string(&j, "function", s->func);
		gpm_json_kv_string(&j, "file", s->file);
		gpm_json_kv_int(&j, "line", s->line);
		kv_col(&j, p, "inuse_objects", GPM_PPROF_INUSE_OBJECTS, s->inuse_objects);
		kv_col(&j, p, "inuse_bytes", GPM_PPROF_INUSE_SPACE, s->inuse_bytes);
		kv_col(&j, p, "alloc_objects", GPM_PPROF_ALLOC_OBJECTS, s->alloc_objects);
		kv_col(&j, p, "alloc_bytes", GPM_PPROF_ALLOC_SPACE, s->alloc_bytes);
		gpm_json_object_end(&j);
	}
	gpm_json_array_end(&j);
	gpm_json_object_end(&j);
	gpm_strbuf_putc(sb, '\n');
}
