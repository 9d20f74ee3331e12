/* The incident model: construction, interning and stack deduplication. See incident.h. */
#include "model/incident.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

const char *gpm_gstatus_name(enum gpm_gstatus s)
{
	// runtime/traceback.go: gStatusStrings
	switch (s) {
	case GPM_G_IDLE:
		return "idle";
	case GPM_G_RUNNABLE:
		return "runnable";
	case GPM_G_RUNNING:
		return "running";
	case GPM_G_SYSCALL:
		return "syscall";
	case GPM_G_WAITING:
		return "waiting";
	case GPM_G_MORIBUND:
		return "moribund";
	case GPM_G_DEAD:
		return "dead";
	case GPM_G_ENQUEUE:
		return "enqueue";
	case GPM_G_COPYSTACK:
		return "copystack";
	case GPM_G_PREEMPTED:
		return "preempted";
	case GPM_G_LEAKED:
		return "leaked";
	case GPM_G_DEADEXTRA:
		return "deadextra";
	case GPM_G_UNKNOWN:
		break;
	}
	return "???";
}

struct gpm_incident *gpm_incident_create(enum gpm_input_kind kind)
{
	struct gpm_incident *inc = calloc(1, sizeof(*inc));
	if (!inc)
		return NULL;
	inc->strings = gpm_intern_create();
	if (!inc->strings) {
		free(inc);
		return NULL;
	}
	inc->kind = kind;
	inc->pid = -1;
	inc->crash.sigcode = INT64_MIN;
	inc->crash.m_id = -1;
	inc->crash.exit_status = -1;
	return inc;
}

/* gpm_incident_regs_alloc's blocks: 2 MiB each, advised as a huge page. */
enum { REGS_BLOCK_BYTES = 2 << 20, REGS_BLOCK = REGS_BLOCK_BYTES / sizeof(struct gpm_frame_regs) };

static int ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (struct gpm_frame_regs *const *)a,
	          y = (uintptr_t) * (struct gpm_frame_regs *const *)b;
	return x < y ? -1 : x > y;
}

/* Whether r lies in one of the (sorted) blocks. */
static bool in_regs_block(const struct gpm_incident *inc, const struct gpm_frame_regs *r)
{
	size_t lo = 0, hi = inc->regs_blocks.len;
	if (!r || !hi)
		return false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((uintptr_t)inc->regs_blocks.v[mid] <= (uintptr_t)r)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && (uintptr_t)r < (uintptr_t)(inc->regs_blocks.v[lo - 1] + REGS_BLOCK);
}

struct gpm_frame_regs *gpm_incident_regs_alloc(struct gpm_incident *inc, size_t n)
{
	if (!n)
		n = 1; // a pointer inside its block, as every one handed out
	if (n > REGS_BLOCK / 4)
		return calloc(n, sizeof(struct gpm_frame_regs));
	if (!inc->regs_blocks.len || inc->regs_block_used + n > REGS_BLOCK) {
		struct gpm_frame_regs **slot = gpm_vec_push(&inc->regs_blocks);
		if (!slot)
			return NULL;
		void *b = aligned_alloc(REGS_BLOCK_BYTES, REGS_BLOCK_BYTES);
		if (!b) {
			inc->regs_blocks.len--;
			return NULL;
		}
		madvise(b, REGS_BLOCK_BYTES, MADV_HUGEPAGE); // advice: one fault per block
		memset(b, 0, REGS_BLOCK_BYTES);
		*slot = b;
		inc->regs_block_used = 0;
	}
	struct gpm_frame_regs *r =
	    inc->regs_blocks.v[inc->regs_blocks.len - 1] + inc->regs_block_used;
	inc->regs_block_used += n;
	return r;
}

/* Frame regs value v as an offset from sp0 into *out; false when it does not fit. */
static bool frame_offset(uint64_t v, uint64_t sp0, int32_t *out)
{
	if (!v) {
		*out = GPM_FRAME_REGS_ZERO;
		return true;
	}
	int64_t d = (int64_t)(v - sp0);
	if (d <= GPM_FRAME_REGS_ZERO || d > INT32_MAX)
		return false;
	*out = (int32_t)d;
	return true;
}

/* Gives stack s the frame offsets of regs (n of them) when they can be written so. */
static struct gpm_error *stack_regs_set(struct gpm_incident *inc, struct gpm_stack *s,
                                        const struct gpm_frame_regs *regs, size_t n)
{
	size_t first = inc->stack_regs.len;
	if (first + n >= UINT32_MAX)
		return NULL;
	if (!gpm_vec_reserve(&inc->stack_regs, first + n))
		return &gpm_error_nomem;
	struct gpm_frame_offsets *o = inc->stack_regs.v + first;
	for (size_t i = 0; i < n; i++)
		if (!frame_offset(regs[i].sp, regs[0].sp, &o[i].sp) ||
		    !frame_offset(regs[i].fp, regs[0].sp, &o[i].fp))
			return NULL;
	inc->stack_regs.len = first + n;
	s->regs_first = (uint32_t)first;
	return NULL;
}

struct gpm_error *gpm_incident_goroutine_set_regs(struct gpm_incident *inc, struct gpm_goroutine *g,
                                                  const struct gpm_frame_regs *regs, size_t n)
{
	struct gpm_goroutine_extra *x = gpm_incident_goroutine_extra(inc, g);
	if (!x)
		return &gpm_error_nomem;
	if (n && g->stack < inc->stacks.len && inc->stacks.v[g->stack].nframes == n) {
		struct gpm_stack *s = &inc->stacks.v[g->stack];
		if (s->regs_first == UINT32_MAX && s->refs == 1) {
			struct gpm_error *err = stack_regs_set(inc, s, regs, n);
			if (err)
				return err;
		}
		bool same = s->regs_first != UINT32_MAX;
		const struct gpm_frame_offsets *o = same ? inc->stack_regs.v + s->regs_first : NULL;
		for (size_t i = 0; same && i < n; i++)
			same = gpm_frame_offset_apply(regs[0].sp, o[i].sp) == regs[i].sp &&
			       gpm_frame_offset_apply(regs[0].sp, o[i].fp) == regs[i].fp;
		if (same) {
			x->regs_derived = true;
			x->regs_sp0 = regs[0].sp;
			return NULL;
		}
	}
	struct gpm_frame_regs *r = gpm_incident_regs_alloc(inc, n);
	if (!r)
		return &gpm_error_nomem;
	if (n)
		memcpy(r, regs, n * sizeof(*r));
	x->regs = r;
	return NULL;
}

void gpm_incident_destroy(struct gpm_incident *inc)
{
	if (!inc)
		return;
	if (inc->regs_blocks.len > 1)
		qsort(inc->regs_blocks.v, inc->regs_blocks.len, sizeof(*inc->regs_blocks.v),
		      ptr_cmp);
	for (size_t i = 0; i < inc->extras.len; i++) {
		struct gpm_frame_regs *r = inc->extras.v[i].regs;
		if (!in_regs_block(inc, r))
			free(r);
	}
	for (size_t i = 0; i < inc->regs_blocks.len; i++)
		free(inc->regs_blocks.v[i]);
	gpm_vec_free(&inc->regs_blocks);
	gpm_vec_free(&inc->stack_regs);
	gpm_vec_free(&inc->extras);
	gpm_vec_free(&inc->select_cases);
	gpm_vec_free(&inc->timers);
	gpm_vec_free(&inc->goroutines);
	gpm_vec_free(&inc->frames);
	gpm_vec_free(&inc->stacks);
	gpm_vec_free(&inc->labels);
	gpm_vec_free(&inc->warnings);
	gpm_vec_free(&inc->crash.panics);
	gpm_vec_free(&inc->crash.recovered);
	gpm_vec_free(&inc->ancestors);
	gpm_vec_free(&inc->races);
	gpm_vec_free(&inc->lock_reports);
	gpm_vec_free(&inc->race_tests);
	gpm_vec_free(&inc->sections);
	gpm_vec_free(&inc->regs);
	gpm_vec_free(&inc->threads);
	gpm_vec_free(&inc->arg_text);
	free(inc->stack_index);
	gpm_intern_destroy(inc->strings);
	free(inc);
}

const char *gpm_incident_str(struct gpm_incident *inc, const char *s, size_t n)
{
	return gpm_intern_n(inc->strings, s, n);
}

void gpm_incident_stack_begin(struct gpm_incident *inc, struct gpm_stack_builder *b)
{
	b->first = (uint32_t)inc->frames.len;
}

struct gpm_frame *gpm_incident_frame_push(struct gpm_incident *inc)
{
	if (inc->frames.len >= UINT32_MAX - 1)
		return NULL;
	return gpm_vec_push(&inc->frames);
}

/* Mixes one word into h (a multiply-xorshift step; frames hash on every goroutine). */
static inline uint64_t mix(uint64_t h, uint64_t w)
{
	h ^= w + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 32);
}

static uint64_t frame_hash(const struct gpm_frame *f, uint64_t h)
{
	h = mix(h, (uintptr_t)f->func);
	h = mix(h, (uintptr_t)f->file);
	h = mix(h, (uintptr_t)f->args);
	h = mix(h, f->pc);
	return mix(h, (uint64_t)f->line << 32 ^ (uint64_t)f->offset << 8 ^ f->flags);
}

static bool frame_equal(const struct gpm_frame *a, const struct gpm_frame *b)
{
	return a->func == b->func && a->file == b->file && a->args == b->args && a->pc == b->pc &&
	       a->line == b->line && a->offset == b->offset && a->flags == b->flags;
}

/* The stack index: open addressing over stack numbers + 1 (0 = empty). */
static bool stack_index_grow(struct gpm_incident *inc)
{
	size_t ncap = inc->stack_index_cap ? inc->stack_index_cap * 2 : 256;
	uint32_t *idx = calloc(ncap, sizeof(*idx));
	if (!idx)
		return false;
	for (size_t i = 0; i < inc->stacks.len; i++) {
		size_t j = inc->stacks.v[i].hash & (ncap - 1);
		while (idx[j])
			j = (j + 1) & (ncap - 1);
		idx[j] = (uint32_t)i + 1;
	}
	free(inc->stack_index);
	inc->stack_index = idx;
	inc->stack_index_cap = ncap;
	return true;
}

struct gpm_error *gpm_incident_stack_commit(struct gpm_incident *inc, struct gpm_stack_builder *b,
                                            uint32_t *stack_out)
{
	uint32_t first = b->first;
	uint32_t n = (uint32_t)inc->frames.len - first;
	uint64_t h = GPM_HASH_SEED ^ n;
	for (uint32_t i = 0; i < n; i++)
		h = frame_hash(&inc->frames.v[first + i], h);
	if ((inc->stacks.len + 1) * 2 > inc->stack_index_cap && !stack_index_grow(inc))
		return &gpm_error_nomem;
	uint32_t *idx = inc->stack_index;
	size_t mask = inc->stack_index_cap - 1;
	size_t j = h & mask;
	for (; idx[j]; j = (j + 1) & mask) {
		struct gpm_stack *s = &inc->stacks.v[idx[j] - 1];
		if (s->hash != h || s->nframes != n)
			continue;
		bool same = true;
		for (uint32_t i = 0; same && i < n; i++)
			same = frame_equal(&inc->frames.v[s->first + i], &inc->frames.v[first + i]);
		if (same) {
			inc->frames.len = first; // drop the duplicate frames
			s->refs++;
			*stack_out = idx[j] - 1;
			return NULL;
		}
	}
	struct gpm_stack *s = gpm_vec_push(&inc->stacks);
	if (!s)
		return &gpm_error_nomem;
	s->hash = h;
	s->first = first;
	s->nframes = n;
	s->refs = 1;
	s->regs_first = UINT32_MAX;
	idx[j] = (uint32_t)inc->stacks.len;
	*stack_out = (uint32_t)inc->stacks.len - 1;
	return NULL;
}

struct gpm_goroutine *gpm_incident_goroutine_push(struct gpm_incident *inc)
{
	struct gpm_goroutine *g = gpm_vec_push(&inc->goroutines);
	if (!g)
		return NULL;
	gpm_prefault(&inc->prefault_goroutines, inc->goroutines.v, inc->goroutines.len * sizeof(*g),
	             inc->goroutines.cap * sizeof(*g));
	g->status = GPM_G_UNKNOWN;
	g->wait_minutes = -1;
	g->stack = UINT32_MAX;
	g->created_by = UINT32_MAX;
	g->args = UINT32_MAX;
	g->extra = UINT32_MAX;
	return g;
}

const struct gpm_goroutine_extra gpm_goroutine_extra_none = {.m_id = -1, .thread_id = -1};

struct gpm_goroutine_extra *gpm_incident_goroutine_extra(struct gpm_incident *inc,
                                                         struct gpm_goroutine *g)
{
	if (g->extra < inc->extras.len)
		return &inc->extras.v[g->extra];
	if (inc->extras.len >= UINT32_MAX - 1)
		return NULL;
	struct gpm_goroutine_extra *x = gpm_vec_push(&inc->extras);
	if (!x)
		return NULL;
	gpm_prefault(&inc->prefault_extras, inc->extras.v, inc->extras.len * sizeof(*x),
	             inc->extras.cap * sizeof(*x));
	*x = gpm_goroutine_extra_none;
	g->extra = (uint32_t)inc->extras.len - 1;
	return x;
}

struct gpm_error *gpm_incident_lone_frame(struct gpm_incident *inc, const struct gpm_frame *f,
                                          uint32_t *index_out)
{
	struct gpm_frame *nf = gpm_incident_frame_push(inc);
	if (!nf)
		return &gpm_error_nomem;
	*nf = *f;
	*index_out = (uint32_t)inc->frames.len - 1;
	return NULL;
}

struct gpm_error *gpm_incident_label_push(struct gpm_incident *inc, struct gpm_goroutine *g,
                                          const char *key, size_t klen, const char *value,
                                          size_t vlen)
{
	struct gpm_goroutine_extra *x = gpm_incident_goroutine_extra(inc, g);
	if (!x)
		return &gpm_error_nomem;
	if (x->nlabels == 0)
		x->first_label = (uint32_t)inc->labels.len;
	struct gpm_label *l = gpm_vec_push(&inc->labels);
	if (!l)
		return &gpm_error_nomem;
	l->key = gpm_incident_str(inc, key, klen);
	l->value = gpm_incident_str(inc, value, vlen);
	if (!l->key || !l->value)
		return &gpm_error_nomem;
	x->nlabels++;
	return NULL;
}

struct gpm_error *gpm_incident_warn(struct gpm_incident *inc, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	// A flood of identical warnings says nothing more than the first few.
	if (inc->warnings.len >= 1000)
		return NULL;
	struct gpm_warning *w = gpm_vec_push(&inc->warnings);
	if (!w)
		return &gpm_error_nomem;
	w->text = gpm_incident_str(inc, buf, strlen(buf));
	return w->text ? NULL : &gpm_error_nomem;
}

bool gpm_goroutine_args_begin(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                              struct gpm_args_iter *it)
{
	if (g->args == UINT32_MAX)
		return false;
	if (g->args_in_text) {
		if (!inc->text || g->args >= inc->text_len)
			return false;
		*it = (struct gpm_args_iter){inc->text + g->args, inc->text + inc->text_len, true,
		                             NULL};
		return true;
	}
	if (g->args >= inc->arg_text.len)
		return false;
	*it = (struct gpm_args_iter){inc->arg_text.v + g->args, inc->arg_text.v + inc->arg_text.len,
	                             false, inc->kind == GPM_INPUT_CORE ? inc->arg_text.v : NULL};
	return true;
}

bool gpm_args_iter_ref(struct gpm_args_iter *it, const char **s, size_t *n)
{
	// A reference to the same text stored earlier (plain, NUL-terminated).
	uint32_t off;
	memcpy(&off, it->p + 1, 4);
	it->p += GPM_ARGS_REF_SIZE + 1;
	const char *t = it->base + off;
	const char *z = t < it->p ? memchr(t, 0, (size_t)(it->p - t)) : NULL;
	if (!z)
		return false;
	*s = t;
	*n = (size_t)(z - t);
	return true;
}

void gpm_goroutine_frame_args_begin(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                                    struct gpm_frame_args_iter *it)
{
	it->frames = gpm_goroutine_frames(inc, g, &it->n);
	it->i = 0;
	it->own = gpm_goroutine_args_begin(inc, g, &it->it);
}

const char *gpm_goroutine_frame_args(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                                     uint32_t i, size_t *n)
{
	uint32_t nf;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &nf);
	if (i >= nf)
		return NULL;
	struct gpm_args_iter it;
	if (!gpm_goroutine_args_begin(inc, g, &it)) {
		*n = f[i].args ? strlen(f[i].args) : 0;
		return f[i].args;
	}
	const char *s;
	for (uint32_t k = 0; k <= i; k++)
		if (!gpm_args_iter_next(&it, &s, n))
			return NULL;
	return s;
}

const char *gpm_goroutine_name(const struct gpm_goroutine *g, char *buf)
{
	if (!g->id && (g->flags & (GPM_GOROUTINE_PPROF_RECORD | GPM_GOROUTINE_NO_HEADER |
	                           GPM_GOROUTINE_NO_ID)))
		return "a goroutine";
	snprintf(buf, GPM_GOROUTINE_NAME_MAX, "goroutine %llu", (unsigned long long)g->id);
	return buf;
}

const struct gpm_frame *gpm_goroutine_user_frame(const struct gpm_incident *inc,
                                                 const struct gpm_goroutine *g)
{
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	for (uint32_t i = 0; i < n; i++)
		if (f[i].func && f[i].file && !(f[i].flags & GPM_FRAME_ELIDED) &&
		    strncmp(f[i].func, "runtime.", 8) && strcmp(f[i].func, "panic"))
			return &f[i];
	return NULL;
}

// A dump can list millions of goroutines: keep the per-goroutine record one cache line.
_Static_assert(sizeof(struct gpm_goroutine) <= 64, "struct gpm_goroutine grew past 64 bytes");

const char *gpm_thread_unwind_name(enum gpm_thread_unwind how)
{
	switch (how) {
	case GPM_THREAD_UNWIND_CFI:
		return "call frame information";
	case GPM_THREAD_UNWIND_FP:
		return "frame pointers";
	case GPM_THREAD_UNWIND_CFI_SCAN:
		return "stack scan, then call frame information";
	}
	return "?";
}
