/*
 * Goroutine profiles in protobuf form, and as `go tool pprof -traces` prints them (at the
 * end). /debug/pprof/goroutine and (Go 1.26+)
 * /debug/pprof/goroutineleak without ?debug, `curl -o goroutine.pb.gz`, or
 * pprof.Lookup("goroutine").WriteTo(w, 0). runtime/pprof writes them in printCountProfile
 * (pprof.go) with its profileBuilder (proto.go):
 *
 *   Profile   1 sample_type {"goroutine"|"goroutineleak", "count"}, 2 sample,
 *             3 mapping, 4 location, 5 function, 6 string_table, 9 time_nanos,
 *             11 period_type, 12 period
 *   Sample    1 location_id (leaf first), 2 value (one: the number of goroutines with
 *             this stack and these labels), 3 label {1 key, 2 str | 3 num, 4 num_unit}
 *   Location  1 id, 2 mapping_id, 3 address, 4 line {1 function_id, 2 line}: line[0] is
 *             the innermost function inlined at the address, the last the real frame
 *   Function  1 id, 2 name, 3 system_name, 4 filename
 *   Mapping   1 id, 5 filename, 6 build_id
 *
 * Each sample becomes as many goroutine records as it counts (flag PPROF_RECORD: no id,
 * no arguments), as the debug=1 text does. Unlike that text, the protobuf keeps the
 * runtime's frames on top of each stack (runtime.gopark, runtime.chanrecv, ...), so the
 * state the goroutine waits in is read from them (see wait_states), and the profile's
 * time (time_nanos) is the incident's time. runtime.goexit, which the runtime's own
 * tracebacks never print, is dropped.
 *
 * Untrusted input: every index is checked, ids are looked up in maps, counts are capped at
 * the dump reader's goroutine limit, and whatever cannot be placed is counted in a warning.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/protobuf.h"
#include "base/strbuf.h"
#include "base/u64map.h"
#include "base/vec.h"
#include "dump/dump.h"
#include "dump/plural.h"

enum {
	DEFAULT_MAX_GOROUTINES = 1 << 24, /* as the text reader (dump.h) */
	DEFAULT_MAX_COUNTED = 1 << 21,    /* every goroutine of a profile is made from a count */
	DEFAULT_MAX_FRAMES = 1000000,
	MAX_LABELS = 64, /* per sample; the runtime has no limit, but more is not a label set */
};

struct pstr {
	const char *p;
	size_t n;
};

struct pfunc {
	uint64_t name, file; /* string indexes */
};

struct pline {
	uint64_t func; /* function id */
	int64_t line;
};

struct ploc {
	uint64_t addr;
	uint32_t first_line, nlines; /* into reader.lines */
};

struct reader {
	const char *name;
	struct gpm_incident *inc;
	uint64_t max_goroutines;
	uint32_t max_frames;
	GPM_VEC(struct pstr) strs;
	GPM_VEC(struct pfunc) funcs;
	struct gpm_u64map func_ids; /* id -> index + 1 into funcs */
	GPM_VEC(struct pline) lines;
	GPM_VEC(struct ploc) locs;
	struct gpm_u64map loc_ids; /* id -> index + 1 into locs */
	GPM_VEC(struct gpm_pb_field) samples;
	uint64_t sample_types[2][2]; /* the first two {type, unit} */
	size_t nsample_types;
	uint64_t exe_name, exe_build_id; /* strings of the first mapping; 0 none */
	int64_t time_nanos;
	/* What could not be placed, said once each at the end. */
	uint64_t bad_samples, bad_locations, bad_functions, unknown_locations, capped,
	    labels_dropped;
	bool nomem;
	/* Per sample, while it is built. */
	GPM_VEC(uint64_t) loc_list;
};

static const struct pstr *str_at(const struct reader *r, uint64_t i)
{
	static const struct pstr empty = {"", 0};
	return i < r->strs.len ? &r->strs.v[i] : &empty;
}

static bool str_is(const struct reader *r, uint64_t i, const char *s)
{
	const struct pstr *p = str_at(r, i);
	return p->n == strlen(s) && !memcmp(p->p, s, p->n);
}

static const char *istr(struct reader *r, uint64_t i)
{
	const struct pstr *p = str_at(r, i);
	return gpm_incident_str(r->inc, p->p, p->n);
}

static struct gpm_error *bad(const struct reader *r, const char *what)
{
	return gpm_error_create(GPM_ERR_FORMAT, "%s: not a readable pprof profile: %s", r->name,
	                        what);
}

/* ---- pass 1: the tables ---- */

static bool read_function(struct reader *r, const struct gpm_pb_field *m)
{
	struct gpm_cursor c;
	struct gpm_pb_field f;
	uint64_t id = 0;
	struct pfunc fn = {0};
	gpm_cursor_init(&c, m->bytes, m->len);
	while (gpm_cursor_left(&c)) {
		if (!gpm_pb_next(&c, &f))
			return false;
		if (f.wire != 0)
			continue;
		if (f.num == 1)
			id = f.v;
		else if (f.num == 2)
			fn.name = f.v;
		else if (f.num == 4)
			fn.file = f.v;
	}
	if (!id || r->funcs.len >= UINT32_MAX - 1)
		return false;
	struct pfunc *p = gpm_vec_push(&r->funcs);
	if (!p || !gpm_u64map_put(&r->func_ids, id, (uint32_t)r->funcs.len))
		return false;
	*p = fn;
	return true;
}

/* false on out of memory; a malformed location is counted and left out. */
static bool read_location(struct reader *r, const struct gpm_pb_field *m)
{
	struct gpm_cursor c;
	struct gpm_pb_field f;
	uint64_t id = 0;
	struct ploc loc = {.first_line = (uint32_t)r->lines.len};
	size_t lines_before = r->lines.len;
	gpm_cursor_init(&c, m->bytes, m->len);
	while (gpm_cursor_left(&c)) {
		if (!gpm_pb_next(&c, &f))
			goto malformed;
		if (f.num == 1 && f.wire == 0) {
			id = f.v;
		} else if (f.num == 3 && f.wire == 0) {
			loc.addr = f.v;
		} else if (f.num == 4 && f.wire == 2) {
			struct gpm_cursor lc;
			struct gpm_pb_field lf;
			struct pline line = {0};
			gpm_cursor_init(&lc, f.bytes, f.len);
			while (gpm_cursor_left(&lc)) {
				if (!gpm_pb_next(&lc, &lf))
					goto malformed;
				if (lf.wire == 0 && lf.num == 1)
					line.func = lf.v;
				else if (lf.wire == 0 && lf.num == 2)
					line.line = (int64_t)lf.v;
			}
			if (r->lines.len >= UINT32_MAX - 1)
				goto malformed;
			struct pline *p = gpm_vec_push(&r->lines);
			if (!p)
				return false;
			*p = line;
		}
	}
	if (!id || r->locs.len >= UINT32_MAX - 1)
		goto malformed;
	loc.nlines = (uint32_t)(r->lines.len - lines_before);
	struct ploc *p = gpm_vec_push(&r->locs);
	if (!p || !gpm_u64map_put(&r->loc_ids, id, (uint32_t)r->locs.len))
		return false;
	*p = loc;
	return true;
malformed:
	r->lines.len = lines_before;
	r->bad_locations++;
	return true;
}

static void read_value_type(struct reader *r, const struct gpm_pb_field *m)
{
	struct gpm_cursor c;
	struct gpm_pb_field f;
	uint64_t tu[2] = {0, 0};
	gpm_cursor_init(&c, m->bytes, m->len);
	while (gpm_cursor_left(&c) && gpm_pb_next(&c, &f))
		if (f.wire == 0 && (f.num == 1 || f.num == 2))
			tu[f.num - 1] = f.v;
	if (r->nsample_types < 2)
		memcpy(r->sample_types[r->nsample_types], tu, sizeof(tu));
	r->nsample_types++;
}

static void read_mapping(struct reader *r, const struct gpm_pb_field *m)
{
	if (r->exe_name) // the first mapping is the executable's
		return;
	struct gpm_cursor c;
	struct gpm_pb_field f;
	gpm_cursor_init(&c, m->bytes, m->len);
	while (gpm_cursor_left(&c) && gpm_pb_next(&c, &f)) {
		if (f.wire == 0 && f.num == 5)
			r->exe_name = f.v;
		else if (f.wire == 0 && f.num == 6)
			r->exe_build_id = f.v;
	}
}

static struct gpm_error *pass1(struct reader *r, const uint8_t *data, size_t size)
{
	struct gpm_cursor c;
	struct gpm_pb_field f;
	gpm_cursor_init(&c, data, size);
	while (gpm_cursor_left(&c)) {
		if (!gpm_pb_next(&c, &f))
			return gpm_error_create(
			    GPM_ERR_FORMAT, "%s: pprof profile cut or damaged at byte %zu of %zu",
			    r->name, c.pos, size);
		bool ok = true;
		switch (f.wire == 2 ? f.num : f.wire == 0 && f.num == 9 ? 9 : 0) {
		case 1:
			read_value_type(r, &f);
			break;
		case 2: {
			struct gpm_pb_field *s = gpm_vec_push(&r->samples);
			ok = s != NULL;
			if (s)
				*s = f;
			break;
		}
		case 3:
			read_mapping(r, &f);
			break;
		case 4:
			ok = read_location(r, &f);
			break;
		case 5:
			if (!read_function(r, &f))
				r->bad_functions++;
			break;
		case 6: {
			struct pstr *s = gpm_vec_push(&r->strs);
			ok = s != NULL;
			if (s)
				*s = (struct pstr){(const char *)f.bytes, f.len};
			break;
		}
		case 9:
			r->time_nanos = (int64_t)f.v;
			break;
		}
		if (!ok)
			return &gpm_error_nomem;
	}
	return NULL;
}

/* ---- the state a stack waits in ---- */

/*
 * The runtime function a parked goroutine's stack passes through, and the wait reason the
 * runtime would print for it (runtime2.go waitReasonStrings). The first match from the
 * leaf wins; a stack that matches none keeps "unknown".
 */
static const struct {
	const char *func, *state;
} wait_states[] = {
    {"runtime.chanrecv", "chan receive"},
    {"runtime.chansend", "chan send"},
    {"runtime.selectgo", "select"},
    {"runtime.block", "select (no cases)"},
    {"sync.runtime_SemacquireMutex", "sync.Mutex.Lock"},
    {"internal/sync.runtime_SemacquireMutex", "sync.Mutex.Lock"},
    {"sync.runtime_SemacquireRWMutexR", "sync.RWMutex.RLock"},
    {"sync.runtime_SemacquireRWMutex", "sync.RWMutex.Lock"},
    {"sync.runtime_SemacquireWaitGroup", "sync.WaitGroup.Wait"},
    {"sync.runtime_Semacquire", "semacquire"},
    {"sync.runtime_notifyListWait", "sync.Cond.Wait"},
    {"time.Sleep", "sleep"},
    {"internal/poll.runtime_pollWait", "IO wait"},
    {"runtime.gcBgMarkWorker", "GC worker (idle)"},
    {"runtime.bgsweep", "GC sweep wait"},
    {"runtime.bgscavenge", "GC scavenge wait"},
    {"runtime.forcegchelper", "force gc (idle)"},
    {"runtime.runfinq", "finalizer wait"},
    {"runtime.runCleanups", "cleanup wait"},
    {"runtime.unique_runtime_registerUniqueMapCleanup.func2", "chan receive"},
    {"runtime.timerproc", "timer goroutine (idle)"},
    {"runtime.goroutineProfileWithLabels", "running"},
    {"runtime.pprof_goroutineProfileWithLabels", "running"},
    {"runtime/pprof.runtime_goroutineProfileWithLabels", "running"},
    {"runtime.pprof_goroutineLeakProfileWithLabels", "running"},
    {"syscall.Syscall", "syscall"},
    {"syscall.Syscall6", "syscall"},
    {"syscall.RawSyscall", "syscall"},
    {"syscall.RawSyscall6", "syscall"},
    {"internal/runtime/syscall.Syscall6", "syscall"},
    {"runtime.entersyscall", "syscall"},
    {"runtime.entersyscallblock", "syscall"},
    {"runtime.notetsleepg", "syscall"},
};

/* The state of a stack, from its frames (innermost first). */
static const char *stack_state(const struct gpm_frame *fr, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (!fr[i].func)
			continue;
		for (size_t k = 0; k < sizeof(wait_states) / sizeof(wait_states[0]); k++)
			if (!strcmp(fr[i].func, wait_states[k].func))
				return wait_states[k].state;
	}
	return "unknown";
}

/* ---- pass 2: the samples ---- */

static bool take_loc(void *ctx, uint64_t v)
{
	struct reader *r = ctx;
	uint64_t *p = gpm_vec_push(&r->loc_list);
	if (!p) {
		r->nomem = true;
		return false;
	}
	*p = v;
	return true;
}

static struct gpm_error *push_frames(struct reader *r, uint32_t *stack_out, bool *dropped)
{
	struct gpm_stack_builder b;
	gpm_incident_stack_begin(r->inc, &b);
	uint32_t nframes = 0;
	for (size_t i = 0; i < r->loc_list.len && nframes < r->max_frames; i++) {
		uint32_t li;
		if (!gpm_u64map_get(&r->loc_ids, r->loc_list.v[i], &li) || !li) {
			*dropped = true;
			continue;
		}
		const struct ploc *loc = &r->locs.v[li - 1];
		if (!loc->nlines) {
			// Not symbolized: the address alone, as the runtime prints an unknown pc.
			struct gpm_frame *f = gpm_incident_frame_push(r->inc);
			if (!f)
				return &gpm_error_nomem;
			f->func = gpm_incident_str(r->inc, "?", 1);
			f->pc = loc->addr;
			f->flags = GPM_FRAME_NO_ARGS | GPM_FRAME_UNKNOWN_PC;
			r->unknown_locations++;
			nframes++;
			continue;
		}
		for (uint32_t k = 0; k < loc->nlines && nframes < r->max_frames; k++) {
			const struct pline *pl = &r->lines.v[loc->first_line + k];
			uint32_t fi;
			const struct pfunc *fn = NULL;
			if (gpm_u64map_get(&r->func_ids, pl->func, &fi) && fi)
				fn = &r->funcs.v[fi - 1];
			else
				*dropped = true;
			const char *name = fn ? istr(r, fn->name) : NULL;
			// The runtime's tracebacks end above runtime.goexit; so do ours.
			if (name && !strcmp(name, "runtime.goexit") && k + 1 == loc->nlines)
				continue;
			struct gpm_frame *f = gpm_incident_frame_push(r->inc);
			if (!f)
				return &gpm_error_nomem;
			f->func = name && *name ? name : gpm_incident_str(r->inc, "?", 1);
			f->file = fn && str_at(r, fn->file)->n ? istr(r, fn->file) : NULL;
			f->line = pl->line > 0 && pl->line <= UINT32_MAX ? (uint32_t)pl->line : 0;
			f->pc = loc->addr;
			f->flags = GPM_FRAME_NO_ARGS;
			if (k + 1 < loc->nlines)
				f->flags |= GPM_FRAME_INLINED;
			if (!name || !*name)
				f->flags |= GPM_FRAME_UNKNOWN_PC;
			if (!f->func)
				return &gpm_error_nomem;
			nframes++;
		}
	}
	if (nframes >= r->max_frames)
		*dropped = true;
	if (!nframes) {
		r->inc->frames.len = b.first;
		*stack_out = UINT32_MAX;
		return NULL;
	}
	return gpm_incident_stack_commit(r->inc, &b, stack_out);
}

/* Reads one Label into key and value texts (a numeric label printed as its number and
 * unit). False when it is malformed. */
static bool read_label(struct reader *r, const struct gpm_pb_field *m, const char **key,
                       size_t *klen, char *num, size_t numsz, const char **val, size_t *vlen)
{
	struct gpm_cursor c;
	struct gpm_pb_field f;
	uint64_t k = 0, s = 0, unit = 0;
	int64_t n = 0;
	bool is_num = false;
	gpm_cursor_init(&c, m->bytes, m->len);
	while (gpm_cursor_left(&c)) {
		if (!gpm_pb_next(&c, &f))
			return false;
		if (f.wire != 0)
			continue;
		if (f.num == 1)
			k = f.v;
		else if (f.num == 2)
			s = f.v;
		else if (f.num == 3)
			n = (int64_t)f.v, is_num = true;
		else if (f.num == 4)
			unit = f.v;
	}
	if (!k)
		return false;
	*key = str_at(r, k)->p;
	*klen = str_at(r, k)->n;
	if (is_num) {
		const struct pstr *u = str_at(r, unit);
		snprintf(num, numsz, "%" PRId64 "%s%.*s", n, u->n ? " " : "", (int)u->n, u->p);
		*val = num;
		*vlen = strlen(num);
	} else {
		*val = str_at(r, s)->p;
		*vlen = str_at(r, s)->n;
	}
	return true;
}

struct label {
	const char *key, *val;
	size_t klen, vlen;
	char num[64]; /* a numeric label's text (val NULL) */
};

static int label_cmp(const void *a, const void *b)
{
	const struct label *x = a, *y = b;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c = memcmp(x->key, y->key, n);
	return c ? c : (x->klen > y->klen) - (x->klen < y->klen);
}

/*
 * count goroutines of one record (a sample): the stack (UINT32_MAX: none), the labels
 * decoded[0..ndecoded) (sorted here), the state read from the stack's runtime frames.
 */
static struct gpm_error *emit_record(struct reader *r, uint32_t stack, uint64_t count,
                                     struct label *decoded, size_t ndecoded, bool leak,
                                     const char **state_cache)
{
	struct gpm_error *err;
	struct gpm_incident *inc = r->inc;
	// Many samples near INT64_MAX must not wrap the total around to a small number.
	if (__builtin_add_overflow(r->inc->pprof_total, count, &r->inc->pprof_total))
		r->inc->pprof_total = UINT64_MAX;
	if (count > r->max_goroutines - inc->goroutines.len) {
		if (__builtin_add_overflow(
		        r->capped, count - (r->max_goroutines - inc->goroutines.len), &r->capped))
			r->capped = UINT64_MAX;
		count = r->max_goroutines - inc->goroutines.len;
	}
	const char *state = "unknown";
	bool system = false;
	if (stack != UINT32_MAX) {
		const struct gpm_stack *st = &inc->stacks.v[stack];
		const struct gpm_frame *fr = &inc->frames.v[st->first];
		state = stack_state(fr, st->nframes);
		// As the runtime's isSystemGoroutine: started in the runtime, not runtime.main.
		const char *start = fr[st->nframes - 1].func;
		system = start && !strncmp(start, "runtime.", 8) && strcmp(start, "runtime.main");
	}
	// Interned once per distinct state.
	size_t si = 0;
	while (si < sizeof(wait_states) / sizeof(wait_states[0]) &&
	       strcmp(wait_states[si].state, state))
		si++;
	const char **cached = &state_cache[si];
	if (!*cached && !(*cached = gpm_incident_str(inc, state, strlen(state))))
		return &gpm_error_nomem;
	qsort(decoded, ndecoded, sizeof(*decoded), label_cmp);
	uint32_t extra = UINT32_MAX;
	for (uint64_t i = 0; i < count; i++) {
		struct gpm_goroutine *g = gpm_incident_goroutine_push(inc);
		if (!g)
			return &gpm_error_nomem;
		g->flags |= GPM_GOROUTINE_PPROF_RECORD | (system ? GPM_GOROUTINE_SYSTEM : 0);
		g->state = *cached;
		bool waiting = strcmp(state, "unknown") && strcmp(state, "running") &&
		               strcmp(state, "syscall");
		if (waiting)
			g->wait_reason = *cached;
		g->status = leak                        ? GPM_G_LEAKED
		            : waiting                   ? GPM_G_WAITING
		            : !strcmp(state, "running") ? GPM_G_RUNNING
		            : !strcmp(state, "syscall") ? GPM_G_SYSCALL
		                                        : GPM_G_UNKNOWN;
		g->stack = stack;
		if (i > 0 && stack != UINT32_MAX)
			inc->stacks.v[stack].refs++;
		if (!ndecoded)
			continue;
		if (i > 0) { // the record's goroutines share one extra record: the labels
			g->extra = extra;
			continue;
		}
		for (size_t k = 0; k < ndecoded; k++)
			if ((err = gpm_incident_label_push(inc, g, decoded[k].key, decoded[k].klen,
			                                   decoded[k].val ? decoded[k].val
			                                                  : decoded[k].num,
			                                   decoded[k].vlen)))
				return err;
		extra = g->extra;
	}
	return NULL;
}

static struct gpm_error *read_sample(struct reader *r, const struct gpm_pb_field *m, bool leak,
                                     const char **state_cache)
{
	struct gpm_cursor c;
	struct gpm_pb_field f;
	uint64_t count = 0;
	size_t nvalues = 0;
	r->loc_list.len = 0;
	gpm_cursor_init(&c, m->bytes, m->len);
	// Labels are read after the goroutines exist: remember where they are.
	struct gpm_pb_field labels[MAX_LABELS];
	size_t nlabels = 0;
	while (gpm_cursor_left(&c)) {
		if (!gpm_pb_next(&c, &f)) {
			r->bad_samples++;
			return NULL;
		}
		if (f.num == 1) {
			if (!gpm_pb_each_int(&f, take_loc, r)) {
				if (r->nomem)
					return &gpm_error_nomem;
				r->bad_samples++;
				return NULL;
			}
		} else if (f.num == 2 && f.wire == 0) {
			if (nvalues++ == 0)
				count = f.v;
		} else if (f.num == 2 && f.wire == 2) {
			struct gpm_cursor vc;
			gpm_cursor_init(&vc, f.bytes, f.len);
			uint64_t v;
			while (gpm_cursor_left(&vc) && gpm_cursor_uvarint(&vc, &v))
				if (nvalues++ == 0)
					count = v;
		} else if (f.num == 3 && f.wire == 2) {
			if (nlabels < MAX_LABELS)
				labels[nlabels++] = f;
			else
				r->labels_dropped++;
		}
	}
	// A count is a positive int64; anything else is damage, not a number of goroutines.
	if (!nvalues || !count || count > INT64_MAX) {
		r->bad_samples++;
		return NULL;
	}
	bool dropped = false;
	uint32_t stack;
	struct gpm_error *err = push_frames(r, &stack, &dropped);
	if (err)
		return err;
	if (dropped)
		r->bad_locations++;
	// The labels in key order, as the runtime's text prints them (a label map's order in
	// the protobuf is the map's).
	struct label decoded[MAX_LABELS];
	size_t ndecoded = 0;
	for (size_t k = 0; k < nlabels; k++) {
		struct label *d = &decoded[ndecoded];
		if (!read_label(r, &labels[k], &d->key, &d->klen, d->num, sizeof(d->num), &d->val,
		                &d->vlen)) {
			r->bad_samples++;
			continue;
		}
		if (d->val == d->num) // a number: its text moves with the entry when sorted
			d->val = NULL;
		ndecoded++;
	}
	return emit_record(r, stack, count, decoded, ndecoded, leak, state_cache);
}

/* ---- entry points ---- */

/* A reader of either form: its name and limits (o may be NULL); no incident yet. */
static void reader_begin(struct reader *r, const char *name, const struct gpm_dump_options *o)
{
	*r = (struct reader){.name = name ? name : "input"};
	r->max_goroutines = o && o->max_goroutines ? o->max_goroutines : DEFAULT_MAX_GOROUTINES;
	uint64_t max_counted = o && o->max_counted ? o->max_counted : DEFAULT_MAX_COUNTED;
	if (max_counted < r->max_goroutines)
		r->max_goroutines = max_counted;
	r->max_frames = o && o->max_frames ? o->max_frames : DEFAULT_MAX_FRAMES;
}

/* The warnings of the limits either form's records may reach. */
static void warn_limits(struct reader *r)
{
	if (r->labels_dropped)
		gpm_incident_warn(r->inc, "%" PRIu64 " %s past %d per sample left out",
		                  r->labels_dropped,
		                  gpm_plural(r->labels_dropped, "label", "labels"), MAX_LABELS);
	if (r->capped)
		gpm_incident_warn(
		    r->inc, "%" PRIu64 " %s of the profile past the limit of %" PRIu64 " not kept",
		    r->capped, gpm_plural(r->capped, "goroutine", "goroutines"), r->max_goroutines);
}

bool gpm_goroutine_profile_detect(const uint8_t *data, size_t size)
{
	// profile.proto has fields 1-14; runtime/pprof writes period_type (11) or
	// sample_type (1) first. Text, even text starting with 'Z' (field 11), fails at once.
	if (size < 2 || (data[0] != 0x0a && data[0] != 0x5a))
		return false;
	return gpm_pb_plausible(data, size, 15, 64 << 10);
}

struct gpm_error *gpm_goroutine_profile_parse(const uint8_t *data, size_t size, const char *name,
                                              const struct gpm_dump_options *o,
                                              struct gpm_incident **out)
{
	*out = NULL;
	struct reader r;
	reader_begin(&r, name, o);
	struct gpm_error *err = NULL;
	if (!(r.inc = gpm_incident_create(GPM_INPUT_PPROF0)))
		return &gpm_error_nomem;
	if ((err = pass1(&r, data, size)))
		goto out;
	// Which profile: goroutines (or leaked goroutines), one value, a count.
	bool leak = r.nsample_types == 1 && str_is(&r, r.sample_types[0][0], "goroutineleak");
	if (r.nsample_types != 1 || (!leak && !str_is(&r, r.sample_types[0][0], "goroutine"))) {
		struct gpm_strbuf types = GPM_STRBUF_INIT;
		for (size_t i = 0; i < r.nsample_types && i < 2; i++) {
			const struct pstr *t = str_at(&r, r.sample_types[i][0]);
			gpm_strbuf_printf(&types, "%s%.*s", i ? ", " : "",
			                  (int)(t->n < 40 ? t->n : 40), t->p);
		}
		if (r.nsample_types > 2)
			gpm_strbuf_puts(&types, ", ...");
		char *safe = gpm_safe_strndup(types.buf ? types.buf : "", types.len);
		err = r.nsample_types
		          ? gpm_error_create(GPM_ERR_UNSUPPORTED,
		                             "%s: a pprof profile of %s, not of goroutines (heap "
		                             "profiles: gopm heap)",
		                             r.name, safe ? safe : "?")
		          : bad(&r, "no sample type");
		free(safe);
		gpm_strbuf_deinit(&types);
		goto out;
	}
	r.inc->leak_profile = leak;
	if (r.exe_name && str_at(&r, r.exe_name)->n && !(r.inc->exe_path = istr(&r, r.exe_name))) {
		err = &gpm_error_nomem;
		goto out;
	}
	if (r.exe_build_id && str_at(&r, r.exe_build_id)->n &&
	    !(r.inc->build_id = istr(&r, r.exe_build_id))) {
		err = &gpm_error_nomem;
		goto out;
	}
	if (name && !(r.inc->source_name = gpm_incident_str(r.inc, name, strlen(name)))) {
		err = &gpm_error_nomem;
		goto out;
	}
	if (r.time_nanos > 0)
		r.inc->time = r.time_nanos / 1000000000;
	const char *state_cache[sizeof(wait_states) / sizeof(wait_states[0]) + 1] = {0};
	for (size_t i = 0; i < r.samples.len; i++)
		if ((err = read_sample(&r, &r.samples.v[i], leak, state_cache)))
			goto out;
	if (!r.inc->goroutines.len && !r.bad_samples && !r.samples.len) {
		// The runtime writes a sample for every goroutine, its own writer included.
		err = bad(&r, "no samples");
		goto out;
	}
	if (r.bad_samples)
		gpm_incident_warn(r.inc, "%" PRIu64 " profile sample%s unreadable (left out)",
		                  r.bad_samples, r.bad_samples == 1 ? "" : "s");
	if (r.bad_locations || r.bad_functions)
		gpm_incident_warn(r.inc,
		                  "%" PRIu64
		                  " stack%s with locations or functions the profile does "
		                  "not define (frames left out)",
		                  r.bad_locations + r.bad_functions,
		                  r.bad_locations + r.bad_functions == 1 ? "" : "s");
	if (r.unknown_locations)
		gpm_incident_warn(r.inc, "%" PRIu64 " frame%s not symbolized (address only)",
		                  r.unknown_locations, r.unknown_locations == 1 ? "" : "s");
	warn_limits(&r);
out:
	gpm_vec_free(&r.strs);
	gpm_vec_free(&r.funcs);
	gpm_vec_free(&r.lines);
	gpm_vec_free(&r.locs);
	gpm_vec_free(&r.samples);
	gpm_vec_free(&r.loc_list);
	gpm_u64map_free(&r.func_ids);
	gpm_u64map_free(&r.loc_ids);
	if (err) {
		gpm_incident_destroy(r.inc);
		return err;
	}
	*out = r.inc;
	return NULL;
}

/* ---- the same profile as `go tool pprof -traces` prints it ---- */

/*
 * pprof's report.printTraces writes the profile's header lines (File:, Build ID:, Type:,
 * Time:, Duration: …), then for each sample the separator line below, its string labels
 * and then its numeric ones as "%10s:  %s" (a label's values joined by blanks; each group
 * sorted), then its frames innermost first as "%10s   %s%s": the sample's value in the
 * first frame's ten columns only, the node's name — "ADDRESS NAME FILE:LINE" with those
 * options (-addresses: 16 hex digits; -lines: the location), the name alone by default —
 * and " (inline)" on a frame inlined into the next; a last separator ends the listing.
 * Pasted text may have lost the leading blanks: lines are read without them.
 */
static const char traces_separator[] =
    "-----------+-------------------------------------------------------";
enum { TRACES_HEAD_LINES = 64 };

/* The next line of [*p, end) without its line end and leading blanks; false at the end. */
static bool traces_line(const char **p, const char *end, const char **s, size_t *n)
{
	if (*p >= end)
		return false;
	const char *e = memchr(*p, '\n', (size_t)(end - *p));
	const char *le = e ? e : end;
	const char *b = *p;
	while (b < le && (*b == ' ' || *b == '\t'))
		b++;
	while (le > b && (le[-1] == '\r' || le[-1] == ' '))
		le--;
	*s = b;
	*n = (size_t)(le - b);
	*p = e ? e + 1 : end;
	return true;
}

static bool traces_is_separator(const char *s, size_t n)
{
	return n == sizeof(traces_separator) - 1 && !memcmp(s, traces_separator, n);
}

int gpm_pprof_traces_detect(const char *data, size_t len)
{
	const char *p = data, *end = data + (len < 16384 ? len : 16384), *s;
	size_t n;
	int type = 0;
	for (int i = 0; i < TRACES_HEAD_LINES && traces_line(&p, end, &s, &n); i++) {
		if (traces_is_separator(s, n))
			return type;
		if (n > 6 && !memcmp(s, "Type: ", 6))
			type = (n == 15 && !memcmp(s + 6, "goroutine", 9)) ||
			               (n == 19 && !memcmp(s + 6, "goroutineleak", 13))
			           ? 1
			           : -1;
	}
	return 0;
}

/* "Dec 4, 2026 at 5:32pm (UTC)" as unix seconds; 0 when it is not that or not UTC. */
static int64_t traces_time(const char *s, size_t n)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char buf[64], mon[4], ampm[3], zone[8];
	int day, year, hour, min;
	if (n >= sizeof(buf))
		return 0;
	memcpy(buf, s, n);
	buf[n] = 0;
	if (sscanf(buf, "%3s %d, %d at %d:%d%2s (%7[^)])", mon, &day, &year, &hour, &min, ampm,
	           zone) != 7 ||
	    (strcmp(zone, "UTC") && strcmp(zone, "GMT")) || hour < 1 || hour > 12 || min < 0 ||
	    min > 59 || day < 1 || day > 31 || year < 1970 || year > 9999)
		return 0;
	const char *m = strstr(months, mon);
	if (!m || (m - months) % 3)
		return 0;
	struct tm tm = {.tm_year = year - 1900,
	                .tm_mon = (int)((m - months) / 3),
	                .tm_mday = day,
	                .tm_hour = hour % 12 + (!strcmp(ampm, "pm") ? 12 : 0),
	                .tm_min = min};
	if (strcmp(ampm, "am") && strcmp(ampm, "pm"))
		return 0;
	return (int64_t)timegm(&tm);
}

/* A decimal number (a sample's value as printed, a line): 0 when it is not one. */
static uint64_t traces_count(const char *s, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - 9) / 10)
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	return v;
}

/* One frame line's text (without its count): pushed as a frame of the stack being built. */
static struct gpm_error *traces_frame(struct reader *r, const char *s, size_t n, bool *bad)
{
	bool inlined = false;
	static const char inl[] = " (inline)";
	if (n >= sizeof(inl) - 1 && !memcmp(s + n - (sizeof(inl) - 1), inl, sizeof(inl) - 1)) {
		inlined = true;
		n -= sizeof(inl) - 1;
	}
	uint64_t pc = 0;
	// -addresses: the location's address first, 16 hex digits.
	if (n > 17 && s[16] == ' ') {
		size_t k = 0;
		for (; k < 16; k++) {
			char c = s[k];
			int d = c >= '0' && c <= '9'   ? c - '0'
			        : c >= 'a' && c <= 'f' ? c - 'a' + 10
			                               : -1;
			if (d < 0)
				break;
			pc = pc << 4 | (uint64_t)d;
		}
		if (k == 16) {
			s += 17;
			n -= 17;
		} else {
			pc = 0;
		}
	}
	const char *sp = memchr(s, ' ', n);
	size_t fn = sp ? (size_t)(sp - s) : n;
	const char *file = NULL;
	size_t filen = 0;
	uint32_t line = 0;
	if (sp) { // -lines: FILE:LINE after the name (a file may hold blanks)
		const char *f = sp + 1, *colon = NULL;
		for (const char *q = s + n; q > f; q--)
			if (q[-1] == ':') {
				colon = q - 1;
				break;
			}
		// pprof prints FILE:LINE only for a line number: 0 is none.
		uint64_t v = colon ? traces_count(colon + 1, (size_t)(s + n - colon - 1)) : 0;
		if (v && v <= UINT32_MAX) {
			file = f;
			filen = (size_t)(colon - f);
			line = (uint32_t)v;
		} else {
			*bad = true; // words after the name that are no location
		}
	}
	if (!fn) {
		*bad = true;
		return NULL;
	}
	// The runtime's tracebacks end above runtime.goexit; so do ours.
	if (fn == 14 && !memcmp(s, "runtime.goexit", 14))
		return NULL;
	struct gpm_frame *f = gpm_incident_frame_push(r->inc);
	if (!f)
		return &gpm_error_nomem;
	f->func = gpm_incident_str(r->inc, s, fn);
	f->file = filen ? gpm_incident_str(r->inc, file, filen) : NULL;
	if (!f->func || (filen && !f->file))
		return &gpm_error_nomem;
	f->line = line;
	f->pc = pc;
	f->flags = GPM_FRAME_NO_ARGS | (inlined ? GPM_FRAME_INLINED : 0);
	return NULL;
}

struct gpm_error *gpm_pprof_traces_parse(const char *data, size_t len, const char *name,
                                         const struct gpm_dump_options *o,
                                         struct gpm_incident **out)
{
	*out = NULL;
	struct reader r;
	reader_begin(&r, name, o);
	if (!(r.inc = gpm_incident_create(GPM_INPUT_PPROF0)))
		return &gpm_error_nomem;
	r.inc->pprof_traces = true;
	struct gpm_error *err = NULL;
	const char *p = data, *end = data + len, *s;
	size_t n;
	bool leak = false, typed = false;
	uint64_t bad_counts = 0;
	// The header, up to the first separator.
	while (traces_line(&p, end, &s, &n) && !traces_is_separator(s, n)) {
		if (n > 6 && !memcmp(s, "Type: ", 6)) {
			typed = true;
			leak = n == 19 && !memcmp(s + 6, "goroutineleak", 13);
			if (!leak && (n != 15 || memcmp(s + 6, "goroutine", 9))) {
				char *t = gpm_safe_strndup(s + 6, n - 6 < 40 ? n - 6 : 40);
				err = gpm_error_create(
				    GPM_ERR_UNSUPPORTED,
				    "%s: a pprof -traces listing of a %s profile, not of "
				    "goroutines (heap profiles: gopm heap)",
				    r.name, t ? t : "?");
				free(t);
				goto out;
			}
		} else if (n > 6 && !memcmp(s, "Time: ", 6)) {
			r.inc->time = traces_time(s + 6, n - 6);
		} else if (n > 6 && !memcmp(s, "File: ", 6)) {
			if (!(r.inc->exe_path = gpm_incident_str(r.inc, s + 6, n - 6)))
				goto nomem;
		} else if (n > 10 && !memcmp(s, "Build ID: ", 10)) {
			if (!(r.inc->build_id = gpm_incident_str(r.inc, s + 10, n - 10)))
				goto nomem;
		}
	}
	if (!typed) {
		err =
		    bad(&r, "not a pprof -traces listing (no Type: line before its first sample)");
		goto out;
	}
	r.inc->leak_profile = leak;
	if (name && !(r.inc->source_name = gpm_incident_str(r.inc, name, strlen(name))))
		goto nomem;
	const char *state_cache[sizeof(wait_states) / sizeof(wait_states[0]) + 1] = {0};
	struct label labels[MAX_LABELS];
	size_t nlabels = 0;
	uint64_t count = 0;
	bool in_frames = false, bad_sample = false, long_sample = false;
	uint64_t long_samples = 0;
	struct gpm_stack_builder b;
	uint32_t nframes = 0;
	for (bool more = true; more;) {
		more = traces_line(&p, end, &s, &n);
		if (!more || traces_is_separator(s, n)) { // the sample read so far ends
			if (in_frames) {
				uint32_t stack = UINT32_MAX;
				if (nframes && (err = gpm_incident_stack_commit(r.inc, &b, &stack)))
					goto out;
				if (!nframes)
					r.inc->frames.len = b.first;
				if (!count) {
					bad_counts++;
					count = 1;
				}
				long_samples += long_sample;
				if (bad_sample)
					r.bad_samples++;
				if ((err = emit_record(&r, stack, count, labels, nlabels, leak,
				                       state_cache)))
					goto out;
			}
			nlabels = 0;
			in_frames = bad_sample = long_sample = false;
			continue;
		}
		if (!n)
			continue;
		if (!in_frames) {
			// A label ("key:  value") or the first frame ("COUNT   name").
			const char *colon = memchr(s, ':', n);
			const char *blank = memchr(s, ' ', n);
			if (colon && colon + 2 < s + n && colon[1] == ' ' && colon[2] == ' ' &&
			    (!blank || colon < blank)) {
				if (nlabels < MAX_LABELS) {
					struct label *l = &labels[nlabels++];
					l->key = gpm_incident_str(r.inc, s, (size_t)(colon - s));
					l->klen = (size_t)(colon - s);
					l->val = gpm_incident_str(r.inc, colon + 3,
					                          (size_t)(s + n - colon - 3));
					l->vlen = (size_t)(s + n - colon - 3);
					if (!l->key || !l->val)
						goto nomem;
				} else {
					r.labels_dropped++;
				}
				continue;
			}
			in_frames = true;
			nframes = 0;
			gpm_incident_stack_begin(r.inc, &b);
			// No count that reads: the line is a frame, the sample one goroutine
			// (said).
			count = blank ? traces_count(s, (size_t)(blank - s)) : 0;
			if (count) {
				while (blank < s + n && *blank == ' ')
					blank++;
				n -= (size_t)(blank - s);
				s = blank;
			}
		}
		if (nframes >= r.max_frames) {
			long_sample = true;
			continue;
		}
		size_t before = r.inc->frames.len;
		if ((err = traces_frame(&r, s, n, &bad_sample)))
			goto out;
		nframes += (uint32_t)(r.inc->frames.len - before);
	}
	if (!r.inc->goroutines.len) {
		err = bad(&r, "no samples");
		goto out;
	}
	if (r.bad_samples)
		gpm_incident_warn(r.inc,
		                  "%" PRIu64 " pprof -traces %s frame lines that could not be read "
		                  "(left out or kept without a location)",
		                  r.bad_samples,
		                  gpm_plural(r.bad_samples, "sample has", "samples have"));
	if (long_samples)
		gpm_incident_warn(
		    r.inc,
		    "%" PRIu64 " pprof -traces %s more than %" PRIu32 " frames: the rest left out",
		    long_samples, gpm_plural(long_samples, "sample has", "samples have"),
		    r.max_frames);
	if (bad_counts)
		gpm_incident_warn(r.inc,
		                  "%" PRIu64
		                  " pprof -traces %s no count of goroutines that could be "
		                  "read (each read as one goroutine)",
		                  bad_counts, gpm_plural(bad_counts, "sample has", "samples have"));
	warn_limits(&r);
	goto out;
nomem:
	err = &gpm_error_nomem;
out:
	if (err) {
		gpm_incident_destroy(r.inc);
		return err;
	}
	*out = r.inc;
	return NULL;
}
