/*
 * Select cases, pending timers and the scheduler's stop state of a core (see corefacts.h).
 *
 * Mirrored structures, read by field name (Go 1.19-1.27):
 *   runtime/runtime2.go g.waiting *sudog: a goroutine parked in select has one sudog per
 *     case on a channel (selectgo links them through sudog.waitlink; nil-channel cases have
 *     none); sudog {g *g, c *hchan, waitlink *sudog}.
 *   runtime/chan.go hchan {elemtype *_type}: ctx.Done() returns a chan struct{}.
 *   context/context.go cancelCtx {Context; mu; done atomic.Value (any: {type, data}); ...},
 *     timerCtx {cancelCtx; ...}, valueCtx {Context; key, val any}: an interface on a stack
 *     is {itab, data} and itab {inter, _type, ...}. net/http/request.go Request {ctx
 *     context.Context}: a handler's frames hold the *Request, r.Context() is its ctx.
 *   runtime/runtime2.go schedt {gcwaiting (uint32, atomic.Bool from 1.20), stopwait int32,
 *     stopnote note {key uintptr}}; p {status uint32} with _Prunning 1, _Pgcstop 3; allp.
 *   runtime/time.go timers of each P: Go 1.19-1.22 p.timers []*timer; 1.23+ p.timers
 *     {heap []timerWhen{timer *timer, when int64}}; timer {period int64, f func(...), arg
 *     any}. From 1.23 a channel timer (time.After, NewTimer, NewTicker) is in a heap only
 *     while a goroutine is blocked on its channel; the rest are plain garbage-collected
 *     objects. time.AfterFunc's callback is time.goFunc with the user's func as arg.
 */
#include "goroutines/corefacts.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/u64map.h"
#include "core/core.h"
#include "elf/exe.h"
#include "goroutines/objects.h"
#include "gort/gotype.h"
#include "gort/image.h"
#include "gort/layout.h"

#define NONE UINT64_MAX

enum { P_RUNNING = 1, P_GCSTOP = 3 }; /* runtime/runtime2.go _Prunning, _Pgcstop */

struct fctx {
	struct gpm_process *p;
	struct gpm_incident *inc;
	unsigned ps;
	uint64_t g_waiting, s_g, s_c, s_waitlink, h_elemtype;
	/* context types (*T descriptors) and the fields followed */
	uint64_t t_cancel, t_timer, t_value;
	uint64_t cancel_done, timer_cancel, value_ctx;
	uint64_t request_ctx;      /* net/http.Request's ctx field */
	struct gpm_u64map globals; /* pointer-sized globals' values -> index into gnames */
	GPM_VEC(const char *) gnames;
	bool globals_read;
};

static bool word(struct fctx *c, uint64_t addr, uint64_t *out)
{
	return gpm_memory_word_try(c->p->mem, addr, out);
}

static bool u32_at(struct fctx *c, uint64_t addr, uint32_t *out)
{
	struct gpm_error *err = gpm_memory_u32(c->p->mem, addr, out);
	if (err) {
		gpm_error_destroy(err);
		return false;
	}
	return true;
}

static bool field_word(struct fctx *c, uint64_t base, uint64_t off, uint64_t *out)
{
	uint64_t a;
	if (off == NONE || __builtin_add_overflow(base, off, &a))
		return false;
	return word(c, a, out);
}

static const struct gpm_layout *layout_of(struct gpm_goimage *img, const char *type)
{
	const struct gpm_layout *l;
	struct gpm_error *err = gpm_goimage_layout(img, type, &l);
	if (err) {
		gpm_error_destroy(err);
		return NULL;
	}
	return l;
}

static uint64_t off_of(struct gpm_goimage *img, const char *type, const char *path)
{
	const struct gpm_layout *l = layout_of(img, type);
	return l ? gpm_layout_offset(l, path) : NONE;
}

static uint64_t type_addr(struct gpm_goimage *img, const char *name)
{
	uint64_t a = 0;
	struct gpm_error *err = gpm_gotype_find(img, name, &a);
	if (err) {
		gpm_error_destroy(err);
		return 0;
	}
	return a;
}

/* ---- channels held by globals ---- */

/* The global variable holding channel ch ("main.upstream"), from the executable's symbol
 * table: every pointer-sized symbol is read once, the first time a name is wanted. NULL
 * none (or stripped). */
static const char *global_of(struct fctx *c, uint64_t ch, bool *oom)
{
	if (!c->globals_read) {
		c->globals_read = true;
		struct gpm_exe *exe = c->p->exe;
		size_t n = exe && gpm_exe_has_symbols(exe) ? gpm_exe_symbol_count(exe) : 0;
		for (size_t i = 0; i < n; i++) {
			const char *name;
			uint64_t addr, size, v;
			if (!gpm_exe_symbol_at(exe, i, &name, &addr, &size) || size != c->ps ||
			    !strncmp(name, "go:", 3) || !strncmp(name, "type:", 5) ||
			    !strncmp(name, "runtime.", 8) || !word(c, addr + c->p->bias, &v) ||
			    v < 4096 || v % c->ps)
				continue;
			const char *in = gpm_incident_str(c->inc, name, strlen(name));
			const char **slot = in ? gpm_vec_push(&c->gnames) : NULL;
			if (!slot ||
			    !gpm_u64map_put(&c->globals, v, (uint32_t)(c->gnames.len - 1))) {
				*oom = true;
				return NULL;
			}
			*slot = in;
		}
	}
	uint32_t i;
	return gpm_u64map_get(&c->globals, ch, &i) && i < c->gnames.len ? c->gnames.v[i] : NULL;
}

/* ---- contexts in a goroutine's frames ---- */

/* The done channel of the context (an interface's itab, data): through valueCtx parents
 * to the nearest cancelCtx or timerCtx. False when no such context is found; *done 0
 * when it has no done channel yet (Done() was never called on it). */
static bool context_done(struct fctx *c, uint64_t itab, uint64_t data, uint64_t *done)
{
	for (int depth = 0; depth < GPM_COREFACTS_MAX_CONTEXT && itab && data; depth++) {
		uint64_t t;
		if (!field_word(c, itab, c->ps, &t) || !t)
			return false;
		uint64_t cc = 0;
		if (t == c->t_cancel)
			cc = data;
		else if (t == c->t_timer && c->timer_cancel != NONE)
			cc = data + c->timer_cancel;
		else if (t == c->t_value && c->value_ctx != NONE) {
			if (!field_word(c, data, c->value_ctx, &itab) ||
			    !field_word(c, data, c->value_ctx + c->ps, &data))
				return false;
			continue;
		} else
			return false;
		// done is an atomic.Value: an `any` whose data word is the channel.
		*done = 0;
		return c->cancel_done != NONE && field_word(c, cc, c->cancel_done + c->ps, done);
	}
	return false;
}

/* Contexts held by g's frames (interfaces {itab, data} on its stack, and the ctx of an
 * *http.Request it points at): their done channels into done[] (0 for none yet); returns
 * how many. */
static size_t frame_contexts(struct fctx *c, const struct gpm_goroutine *g, uint64_t *done,
                             size_t cap, uint8_t *buf)
{
	uint32_t n;
	gpm_goroutine_frames(c->inc, g, &n);
	if (!gpm_goroutine_has_regs(c->inc, g) || !n ||
	    (!c->t_cancel && !c->t_timer && !c->t_value))
		return 0;
	uint64_t lo = gpm_goroutine_frame_regs(c->inc, g, 0).sp,
	         hi = gpm_goroutine_frame_regs(c->inc, g, n - 1).fp;
	if (hi <= lo)
		return 0;
	if (hi - lo > GPM_COREFACTS_MAX_SCAN)
		hi = lo + GPM_COREFACTS_MAX_SCAN;
	struct gpm_error *err = gpm_memory_read(c->p->mem, lo, buf, (size_t)(hi - lo));
	if (err) {
		gpm_error_destroy(err);
		return 0;
	}
	size_t nd = 0;
	uint64_t seen[16];
	size_t ns = 0;
	for (uint64_t o = 0; o + 2 * c->ps <= hi - lo && nd < cap; o += c->ps) {
		uint64_t w = 0, d = 0;
		for (unsigned j = 0; j < c->ps; j++) {
			w |= (uint64_t)buf[o + j] << (8 * j);
			d |= (uint64_t)buf[o + c->ps + j] << (8 * j);
		}
		if (w < 4096 || w % c->ps)
			continue;
		bool dup = false;
		for (size_t k = 0; k < ns && !dup; k++)
			dup = seen[k] == d;
		uint64_t ch, itab, data;
		// A handler's frames hold its *http.Request rather than the request's context:
		// a word pointing at a Request whose ctx field is a context.
		if (!dup && c->request_ctx != NONE && field_word(c, w, c->request_ctx, &itab) &&
		    field_word(c, w, c->request_ctx + c->ps, &data) && data >= 4096 &&
		    context_done(c, itab, data, &ch)) {
			for (size_t k = 0; k < ns && !dup; k++)
				dup = seen[k] == data;
			if (!dup) {
				if (ns < sizeof(seen) / sizeof(seen[0]))
					seen[ns++] = data;
				done[nd++] = ch;
			}
			continue;
		}
		if (dup || d < 4096 || !context_done(c, w, d, &ch))
			continue;
		if (ns < sizeof(seen) / sizeof(seen[0]))
			seen[ns++] = d;
		done[nd++] = ch;
		o += c->ps; // the data word is not an itab
	}
	return nd;
}

/* ---- select cases ---- */

static struct gpm_error *read_cases(struct fctx *c, struct gpm_goroutine *g, uint8_t *buf)
{
	struct gpm_incident *inc = c->inc;
	uint64_t gaddr = gpm_goroutine_extra(inc, g)->gaddr, s = 0;
	if (!field_word(c, gaddr, c->g_waiting, &s))
		return NULL;
	size_t first = inc->select_cases.len, k = 0;
	bool complete = false, oom = false, maybe_ctx = false;
	for (; k < GPM_COREFACTS_MAX_CASES; k++) {
		uint64_t sg, ch, et;
		if (!s) {
			complete = true;
			break;
		}
		if (s % c->ps || !field_word(c, s, c->s_g, &sg) || sg != gaddr ||
		    !field_word(c, s, c->s_c, &ch))
			break;
		struct gpm_select_case *cs = gpm_vec_push(&inc->select_cases);
		if (!cs)
			return &gpm_error_nomem;
		*cs = (struct gpm_select_case){.chan = ch};
		char name[256];
		if (ch && field_word(c, ch, c->h_elemtype, &et) && et &&
		    gpm_objects_type_name(c->p->img, et, name, sizeof(name), NULL) &&
		    !(cs->elem_type = gpm_incident_str(inc, name, strlen(name))))
			return &gpm_error_nomem;
		maybe_ctx |= !cs->elem_type || !strcmp(cs->elem_type, "struct {}");
		cs->global = global_of(c, ch, &oom);
		if (oom)
			return &gpm_error_nomem;
		if (!field_word(c, s, c->s_waitlink, &s))
			break;
	}
	// Contexts matter only when a case may be one's done channel (ctx.Done() is a chan
	// struct{}): the frames are scanned only then.
	uint64_t done[8];
	size_t nd = maybe_ctx ? frame_contexts(c, g, done, sizeof(done) / sizeof(done[0]), buf) : 0;
	for (size_t i = first; i < inc->select_cases.len; i++)
		for (size_t j = 0; j < nd; j++)
			if (done[j] && done[j] == inc->select_cases.v[i].chan)
				inc->select_cases.v[i].ctx_done = true;
	struct gpm_goroutine_extra *x = gpm_incident_goroutine_extra(inc, g);
	if (!x)
		return &gpm_error_nomem;
	x->first_case = (uint32_t)first;
	x->ncases = (uint32_t)(inc->select_cases.len - first);
	x->cases_complete = complete;
	x->contexts = (uint8_t)nd;
	for (size_t i = 0; i < nd; i++)
		x->contexts_without_done += !done[i];
	return NULL;
}

static struct gpm_error *select_cases(struct fctx *c)
{
	struct gpm_incident *inc = c->inc;
	struct gpm_goimage *img = c->p->img;
	c->g_waiting = off_of(img, "runtime.g", "waiting");
	c->s_g = off_of(img, "runtime.sudog", "g");
	c->s_c = off_of(img, "runtime.sudog", "c");
	c->s_waitlink = off_of(img, "runtime.sudog", "waitlink");
	c->h_elemtype = off_of(img, "runtime.hchan", "elemtype");
	if (c->g_waiting == NONE || c->s_g == NONE || c->s_c == NONE || c->s_waitlink == NONE)
		return NULL;
	c->t_cancel = type_addr(img, "*context.cancelCtx");
	c->t_timer = type_addr(img, "*context.timerCtx");
	c->t_value = type_addr(img, "*context.valueCtx");
	c->cancel_done = off_of(img, "context.cancelCtx", "done");
	c->timer_cancel = off_of(img, "context.timerCtx", "cancelCtx");
	c->value_ctx = off_of(img, "context.valueCtx", "Context");
	c->request_ctx = off_of(img, "net/http.Request", "ctx");
	// One goroutine of each distinct stack: linear in the goroutines.
	uint8_t *seen = calloc(inc->stacks.len / 8 + 1, 1);
	uint8_t *buf = malloc(GPM_COREFACTS_MAX_SCAN);
	struct gpm_error *err = NULL;
	if (!seen || !buf)
		err = &gpm_error_nomem;
	for (size_t i = 0; !err && i < inc->goroutines.len; i++) {
		struct gpm_goroutine *g = &inc->goroutines.v[i];
		const struct gpm_goroutine_extra *x = gpm_goroutine_extra(inc, g);
		if (g->status != GPM_G_WAITING || x->wait_object_kind != GPM_WAIT_OBJECT_SELECT ||
		    g->stack >= inc->stacks.len || (seen[g->stack / 8] & (1u << (g->stack % 8))))
			continue;
		seen[g->stack / 8] |= (uint8_t)(1u << (g->stack % 8));
		err = read_cases(c, g, buf);
	}
	free(seen);
	free(buf);
	return err;
}

/* ---- runtime.allp ---- */

enum { P_STATUS_MAX = 4 }; /* _Pdead: _Pidle 0 ... _Pdead 4 in Go 1.19-1.27 */

struct pcheck {
	uint64_t size, id, status, mcache, runqhead, runqtail; /* runtime.p */
	uint64_t wb_next, wb_end, wb_buf, wb_size;             /* p.wbBuf.{next,end,buf} */
};

/* Whether pp is the p with id i: readable, p.id == i, a sane status, an mcache (procresize
 * gives every P of allp one), a run queue of at most its 256 slots, and its write barrier
 * buffer's next and end pointing into its own buf (p.init resets it so): a self pointer,
 * as g.sched.g is for a g. */
static bool plausible_p(struct fctx *c, const struct pcheck *k, uint64_t pp, uint64_t i)
{
	uint32_t id, st, head, tail;
	uint64_t mc;
	if (pp < 4096 || pp % c->ps || !gpm_memory_readable(c->p->mem, pp, (size_t)k->size) ||
	    !u32_at(c, pp + k->id, &id) || id != i || !u32_at(c, pp + k->status, &st) ||
	    st > P_STATUS_MAX || !field_word(c, pp, k->mcache, &mc) || mc < 4096 || mc % c->ps ||
	    !gpm_memory_readable(c->p->mem, mc, c->ps))
		return false;
	if (k->runqhead != NONE && k->runqtail != NONE &&
	    (!u32_at(c, pp + k->runqhead, &head) || !u32_at(c, pp + k->runqtail, &tail) ||
	     tail - head > 256))
		return false;
	uint64_t next, end, lo = pp + k->wb_buf, hi = lo + k->wb_size;
	return field_word(c, pp, k->wb_next, &next) && field_word(c, pp, k->wb_end, &end) &&
	       lo <= next && next <= end && lo < end && end <= hi;
}

/* Whether {ptr, len, cap} is a slice of Ps: every element the p of its index (all read:
 * len is at most 1 << 16). */
static bool plausible_allp(struct fctx *c, const struct pcheck *k, uint64_t ptr, uint64_t len,
                           uint64_t cap)
{
	if (!len || len > GPM_COREFACTS_MAX_PS || cap < len || cap > GPM_COREFACTS_MAX_PS ||
	    ptr < 4096 || ptr % c->ps ||
	    !gpm_memory_readable(c->p->mem, ptr, (size_t)(len * c->ps)))
		return false;
	for (uint64_t i = 0; i < len; i++) {
		uint64_t pp;
		if (!word(c, ptr + i * c->ps, &pp) || !plausible_p(c, k, pp, i))
			return false;
	}
	return true;
}

/* Whether the slice {ptr, len} holds pp. */
static bool allp_holds(struct fctx *c, uint64_t ptr, uint64_t len, uint64_t pp)
{
	for (uint64_t i = 0; i < len; i++) {
		uint64_t v;
		if (word(c, ptr + i * c->ps, &v) && v == pp)
			return true;
	}
	return false;
}

struct allp_scan {
	uint64_t addr, ptr, len; /* the first candidate */
	unsigned distinct;       /* candidates with a different {ptr, len} */
};

/* The slice headers of region [start, end) that are slices of Ps holding every p of
 * mps[0..nmps). */
static void scan_allp(struct fctx *c, const struct pcheck *k, uint64_t start, uint64_t end,
                      const uint64_t *mps, size_t nmps, struct allp_scan *s)
{
	const uint8_t *b;
	if (end <= start || end - start > ((uint64_t)1 << 30))
		return;
	struct gpm_error *err = gpm_memory_ptr(c->p->mem, start, (size_t)(end - start), &b);
	if (err) {
		gpm_error_destroy(err);
		return;
	}
	for (uint64_t off = 0; off + 3 * 8 <= end - start; off += 8) {
		uint64_t ptr, len, cap;
		memcpy(&ptr, b + off, 8);
		memcpy(&len, b + off + 8, 8);
		memcpy(&cap, b + off + 16, 8);
		if (!len || len > GPM_COREFACTS_MAX_PS || cap < len || cap > GPM_COREFACTS_MAX_PS ||
		    ptr < 4096 || ptr % 8 || (s->addr && ptr == s->ptr && len == s->len) ||
		    !plausible_allp(c, k, ptr, len, cap))
			continue;
		bool all = true;
		for (size_t j = 0; j < nmps && all; j++)
			all = allp_holds(c, ptr, len, mps[j]);
		if (!all)
			continue;
		if (!s->addr) {
			s->addr = start + off;
			s->ptr = ptr;
			s->len = len;
		} else
			s->distinct++;
	}
}

/*
 * The Ps the running goroutines' Ms hold (g.m.p): allp must hold each. Returns how many
 * were put in mps (at most cap).
 */
static size_t running_ps(struct fctx *c, uint64_t *mps, size_t cap)
{
	struct gpm_goimage *img = c->p->img;
	uint64_t g_m = off_of(img, "runtime.g", "m"), m_p = off_of(img, "runtime.m", "p");
	size_t n = 0;
	for (size_t i = 0; g_m != NONE && m_p != NONE && i < c->inc->goroutines.len && n < cap;
	     i++) {
		const struct gpm_goroutine *g = &c->inc->goroutines.v[i];
		uint64_t m, pp;
		if (g->status != GPM_G_RUNNING ||
		    !field_word(c, gpm_goroutine_extra(c->inc, g)->gaddr, g_m, &m) || !m ||
		    !field_word(c, m, m_p, &pp) || !pp)
			continue;
		bool dup = false;
		for (size_t j = 0; j < n && !dup; j++)
			dup = mps[j] == pp;
		if (!dup)
			mps[n++] = pp;
	}
	return n;
}

/*
 * runtime.allp ([]*p, every P by id): the symbol, else (a stripped executable) the one
 * slice header in the module's .bss, else .data, whose every element is the p of its
 * index (plausible_p) and which holds the P of every running goroutine's M. Two
 * different such slices are ambiguous: none is taken, and a warning says so.
 */
static bool find_allp(struct fctx *c, uint64_t *ptr, uint64_t *len)
{
	c->inc->sched.allp = 0;
	c->inc->sched.allp_how = NULL;
	struct gpm_goimage *img = c->p->img;
	const struct gpm_layout *pl = layout_of(img, "runtime.p");
	uint64_t addr, size;
	if (c->ps != 8 || !pl)
		return false;
	if (gpm_goimage_symbol(img, "runtime.allp", &addr, &size)) {
		if (!word(c, addr, ptr) || !word(c, addr + c->ps, len) ||
		    *len > GPM_COREFACTS_MAX_PS) {
			gpm_incident_warn(c->inc,
			                  "runtime.allp holds no valid slice in the core; the "
			                  "Ps and their timers are not read");
			return false;
		}
		c->inc->sched.allp = addr;
		c->inc->sched.allp_how = "symbol runtime.allp";
		return true;
	}
	struct pcheck k = {.size = pl->size,
	                   .id = gpm_layout_offset(pl, "id"),
	                   .status = gpm_layout_offset(pl, "status"),
	                   .mcache = gpm_layout_offset(pl, "mcache"),
	                   .runqhead = gpm_layout_offset(pl, "runqhead"),
	                   .runqtail = gpm_layout_offset(pl, "runqtail")};
	const struct gpm_layout_field *buf = gpm_layout_field(pl, "wbBuf.buf", &k.wb_buf);
	k.wb_next = gpm_layout_offset(pl, "wbBuf.next");
	k.wb_end = gpm_layout_offset(pl, "wbBuf.end");
	if (!k.size || k.size > (1u << 20) || k.id == NONE || k.status == NONE ||
	    k.mcache == NONE || !buf || k.wb_next == NONE || k.wb_end == NONE || !buf->size ||
	    k.wb_buf + buf->size > k.size)
		return false;
	k.wb_size = buf->size;
	uint64_t mps[64];
	size_t nmps = running_ps(c, mps, sizeof(mps) / sizeof(mps[0]));
	struct allp_scan s = {0};
	if (img->has_moduledata) {
		scan_allp(c, &k, img->moduledata.bss, img->moduledata.ebss, mps, nmps, &s);
		if (!s.addr)
			scan_allp(c, &k, img->moduledata.data, img->moduledata.edata, mps, nmps,
			          &s);
	} else {
		static const char *const names[] = {".bss", ".data"};
		for (size_t i = 0; i < 2 && !s.addr; i++) {
			const struct gpm_exe_section *sec = gpm_exe_section(c->p->exe, names[i]);
			if (sec)
				scan_allp(c, &k, sec->addr + c->p->bias,
				          sec->addr + c->p->bias + sec->size, mps, nmps, &s);
		}
	}
	if (!s.addr) {
		// Every stripped core of Go 1.19-1.27 tested has it: a damaged core, or a runtime
		// whose p differs.
		gpm_incident_warn(c->inc, "cannot find runtime.allp in the core (no symbol table); "
		                          "the Ps and their timers are not read");
		return false;
	}
	if (s.distinct) {
		gpm_incident_warn(c->inc,
		                  "%u slices of the data segments look like runtime.allp; the Ps "
		                  "and their timers are not read",
		                  s.distinct + 1);
		return false;
	}
	*ptr = s.ptr;
	*len = s.len;
	c->inc->sched.allp = s.addr;
	c->inc->sched.allp_how = "scan of the data segments";
	return true;
}

/* ---- the scheduler ---- */

/* The Ps' states (allp, found by find_allp) and, with the symbol runtime.sched (a stripped
 * binary has no type descriptor of runtime.schedt either: the variable is never
 * allocated), the stop-the-world state. */
static void sched_state(struct fctx *c, bool have_allp, uint64_t ptr, uint64_t len)
{
	struct gpm_incident *inc = c->inc;
	struct gpm_goimage *img = c->p->img;
	uint32_t v;
	uint64_t st = off_of(img, "runtime.p", "status");
	for (uint64_t i = 0; have_allp && st != NONE && i < len; i++) {
		uint64_t pp;
		if (!word(c, ptr + i * c->ps, &pp) || !pp || !u32_at(c, pp + st, &v))
			continue;
		inc->sched.nprocs++;
		inc->sched.running += v == P_RUNNING;
		inc->sched.gcstopped += v == P_GCSTOP;
	}
	uint64_t sched, size;
	if (!gpm_goimage_symbol(img, "runtime.sched", &sched, &size)) {
		inc->sched.why_not = "the executable has no symbol table";
		return;
	}
	const struct gpm_layout *sl = layout_of(img, "runtime.schedt");
	if (!sl) {
		inc->sched.why_not =
		    "the layout of runtime.schedt is only in DWARF (the binary has "
		    "no type descriptor of it)";
		return;
	}
	uint64_t gw = gpm_layout_offset(sl, "gcwaiting"), sw = gpm_layout_offset(sl, "stopwait"),
	         sn = gpm_layout_offset(sl, "stopnote");
	if (gw == NONE || sw == NONE || !u32_at(c, sched + gw, &v))
		return;
	// uint32 before Go 1.20, atomic.Bool after: its value is the first byte either way.
	inc->sched.gcwaiting = (v & 0xff) != 0;
	if (!u32_at(c, sched + sw, &v))
		return;
	inc->sched.stopwait = (int32_t)v;
	uint64_t key;
	inc->sched.stopnote_set = sn != NONE && field_word(c, sched, sn, &key) && key;
	inc->sched.known = true;
}

/* ---- timers ---- */

struct tcount {
	uint64_t pc; /* the callback's entry; for time.goFunc the user's function's */
	uint64_t count, period;
	int64_t when_min, when_max;
	bool gofunc;
};

static int cmp_count(const void *a, const void *b)
{
	const struct tcount *x = a, *y = b;
	return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

static struct gpm_error *timers(struct fctx *c, bool have_allp, uint64_t ptr, uint64_t len)
{
	struct gpm_incident *inc = c->inc;
	struct gpm_goimage *img = c->p->img;
	const struct gpm_layout *pl = layout_of(img, "runtime.p");
	const struct gpm_layout *tl = layout_of(img, "runtime.timer");
	if (!have_allp || !pl || !tl || !img->pclntab)
		return NULL;
	// Go 1.23+: p.timers.heap of timerWhen {timer, when}; before, p.timers of *timer.
	uint64_t heap = gpm_layout_offset(pl, "timers.heap"), stride = 2 * c->ps;
	if (heap == NONE) {
		const struct gpm_layout_field *f = gpm_layout_field(pl, "timers", &heap);
		if (!f || f->kind != GPM_KIND_SLICE)
			return NULL;
		stride = c->ps;
	} else {
		const struct gpm_layout *wl = layout_of(img, "runtime.timerWhen");
		if (wl && wl->size)
			stride = wl->size;
	}
	uint64_t t_f = gpm_layout_offset(tl, "f"), t_arg = gpm_layout_offset(tl, "arg"),
	         t_period = gpm_layout_offset(tl, "period"), t_when = gpm_layout_offset(tl, "when");
	if (t_f == NONE)
		return NULL;
	struct gpm_func gofunc, sendtime;
	uint64_t gofunc_entry =
	    gpm_pclntab_func_by_name(img->pclntab, "time.goFunc", &gofunc) ? gofunc.entry : 0;
	uint64_t sendtime_entry =
	    gpm_pclntab_func_by_name(img->pclntab, "time.sendTime", &sendtime) ? sendtime.entry : 0;
	// The select cases' channels (one goroutine per distinct stack: few), to mark those a
	// pending time.sendTime timer will send on: its arg's data word is the channel.
	struct gpm_u64map cases = {0}, fired = {0};
	for (size_t i = 0; sendtime_entry && t_arg != NONE && i < inc->select_cases.len; i++)
		if (inc->select_cases.v[i].chan &&
		    !gpm_u64map_put(&cases, inc->select_cases.v[i].chan, 1)) {
			gpm_u64map_free(&cases);
			return &gpm_error_nomem;
		}
	struct tcount tc[GPM_COREFACTS_TIMER_FUNCS + 1] = {{0}};
	size_t ntc = 0;
	uint64_t total = 0;
	for (uint64_t i = 0; i < len && total < GPM_COREFACTS_MAX_TIMERS; i++) {
		uint64_t pp, hp, hn;
		if (!word(c, ptr + i * c->ps, &pp) || !pp || !word(c, pp + heap, &hp) ||
		    !word(c, pp + heap + c->ps, &hn) || hn > GPM_COREFACTS_MAX_TIMERS)
			continue;
		for (uint64_t k = 0; k < hn && total < GPM_COREFACTS_MAX_TIMERS; k++) {
			uint64_t t, fv, pc = 0, period = 0;
			if (!word(c, hp + k * stride, &t) || !t || !field_word(c, t, t_f, &fv) ||
			    !fv)
				continue;
			bool gf = false;
			if (word(c, fv, &pc) && pc == gofunc_entry && gofunc_entry &&
			    t_arg != NONE) {
				// AfterFunc: the user's func is the arg's data word (a funcval).
				uint64_t ufv, upc;
				if (field_word(c, t, t_arg + c->ps, &ufv) && ufv &&
				    word(c, ufv, &upc)) {
					fv = ufv;
					pc = upc;
					gf = true;
				}
			}
			field_word(c, t, t_period, &period);
			uint64_t when = 0;
			if (t_when != NONE)
				field_word(c, t, t_when, &when);
			uint64_t ch;
			uint32_t one;
			if (cases.len && pc == sendtime_entry && !gf &&
			    field_word(c, t, t_arg + c->ps, &ch) && ch &&
			    gpm_u64map_get(&cases, ch, &one) && !gpm_u64map_put(&fired, ch, 1)) {
				gpm_u64map_free(&cases);
				gpm_u64map_free(&fired);
				return &gpm_error_nomem;
			}
			total++;
			// Counted by function, not by funcval: the closures of one callback (a
			// method value or closure per AfterFunc call) are one callback.
			size_t j = 0;
			while (j < ntc && (tc[j].pc != pc || tc[j].gofunc != gf))
				j++;
			if (j == ntc) {
				if (ntc == GPM_COREFACTS_TIMER_FUNCS)
					j = GPM_COREFACTS_TIMER_FUNCS; // the rest, unnamed
				else
					tc[ntc++] = (struct tcount){
					    .pc = pc, .gofunc = gf, .period = period};
			}
			tc[j].count++;
			int64_t w = (int64_t)when;
			if (w > 0 && (!tc[j].when_min || w < tc[j].when_min))
				tc[j].when_min = w;
			if (w > 0 && w > tc[j].when_max)
				tc[j].when_max = w;
		}
	}
	for (size_t i = 0; fired.len && i < inc->select_cases.len; i++) {
		uint32_t one;
		inc->select_cases.v[i].timer =
		    gpm_u64map_get(&fired, inc->select_cases.v[i].chan, &one);
	}
	gpm_u64map_free(&cases);
	gpm_u64map_free(&fired);
	inc->timers_known = true;
	inc->timers_total = total;
	qsort(tc, ntc, sizeof(tc[0]), cmp_count);
	size_t kept = ntc;
	if (tc[GPM_COREFACTS_TIMER_FUNCS].count)
		tc[ntc++] = tc[GPM_COREFACTS_TIMER_FUNCS];
	for (size_t j = 0; j < ntc; j++) {
		struct gpm_func fn;
		char buf[600];
		const char *name = tc[j].pc && gpm_pclntab_func_for_pc(img->pclntab, tc[j].pc, &fn)
		                       ? fn.name
		                       : "?";
		int n = tc[j].gofunc ? snprintf(buf, sizeof(buf), "time.AfterFunc(%.500s)", name)
		                     : snprintf(buf, sizeof(buf), "%.500s", name);
		struct gpm_timer_count *out = gpm_vec_push(&inc->timers);
		if (n < 0 || !out || !(out->func = gpm_incident_str(inc, buf, (size_t)n)))
			return &gpm_error_nomem;
		out->count = tc[j].count;
		out->period = tc[j].period;
		out->when_min = tc[j].when_min;
		out->when_max = tc[j].when_max;
		out->rest = j >= kept;
	}
	return NULL;
}

/* ---- mutexes inside objects ---- */

/*
 * The sync.Mutex fields of layout l (nested structs followed), with their dotted paths:
 * calls back for each; stops when cb returns true.
 */
static bool mutex_fields(const struct gpm_layout *l, uint64_t base, const char *prefix, int depth,
                         bool (*cb)(void *, uint64_t off, const char *path), void *arg)
{
	for (size_t i = 0; l && depth < 4 && i < l->nfields; i++) {
		const struct gpm_layout_field *f = &l->fields[i];
		char path[256];
		int n = snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", f->name);
		if (n < 0 || (size_t)n >= sizeof(path))
			continue;
		if (!strcmp(f->type_name, "sync.Mutex")) {
			if (cb(arg, base + f->offset, path))
				return true;
		} else if (f->type && f->kind == GPM_KIND_STRUCT &&
		           mutex_fields(f->type, base + f->offset, path, depth + 1, cb, arg)) {
			return true;
		}
	}
	return false;
}

struct mfind {
	struct fctx *c;
	uint64_t mutex, lo, hi; /* the frame's words [lo, hi) */
	char path[256];
	bool found;
};

/* Whether the frame holds a pointer to the object whose field at off is the mutex. */
static bool mutex_field_cb(void *arg, uint64_t off, const char *path)
{
	struct mfind *mf = arg;
	if (mf->mutex < off)
		return false;
	uint64_t obj = mf->mutex - off;
	for (uint64_t a = mf->lo; a + mf->c->ps <= mf->hi; a += mf->c->ps) {
		uint64_t w;
		if (word(mf->c, a, &w) && w == obj) {
			snprintf(mf->path, sizeof(mf->path), "%s", path);
			mf->found = true;
			return true;
		}
	}
	return false;
}

/*
 * The mutex a goroutine waits for named as a field of the object a method of its stack
 * runs on ("main.(*Cache).mu"): the first method "pkg.(*T).m" above the Lock, T's layout
 * (DWARF, else its type descriptor) and a word of that frame pointing at the object
 * whose sync.Mutex field is the mutex. NULL when none fits.
 */
static const char *object_mutex_name(struct fctx *c, const struct gpm_goroutine *g, uint64_t m,
                                     bool *oom)
{
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(c->inc, g, &n);
	if (!gpm_goroutine_has_regs(c->inc, g))
		return NULL;
	for (uint32_t k = 0; k < n && k < 24; k++) {
		const char *fn = f[k].func ? f[k].func : "";
		if (!strncmp(fn, "sync.", 5) || !strncmp(fn, "internal/sync.", 14) ||
		    !strncmp(fn, "runtime.", 8))
			continue;
		// "pkg/path.(*T).method": T's name is "pkg/path.T".
		const char *open = strstr(fn, ".(*"), *close = open ? strstr(open, ").") : NULL;
		if (!open || !close || memchr(open, '[', (size_t)(close - open)))
			return NULL;
		char tname[256];
		int tn = snprintf(tname, sizeof(tname), "%.*s.%.*s", (int)(open - fn), fn,
		                  (int)(close - open - 3), open + 3);
		if (tn < 0 || (size_t)tn >= sizeof(tname))
			return NULL;
		const struct gpm_layout *l = layout_of(c->p->img, tname);
		// Its frame, and the spill slots of its register arguments just above it.
		struct mfind mf = {.c = c,
		                   .mutex = m,
		                   .lo = gpm_goroutine_frame_regs(c->inc, g, k).sp,
		                   .hi = gpm_goroutine_frame_regs(c->inc, g, k).fp + 4 * c->ps};
		if (!l || mf.hi <= mf.lo || mf.hi - mf.lo > GPM_COREFACTS_MAX_SCAN ||
		    !mutex_fields(l, 0, "", 0, mutex_field_cb, &mf))
			return NULL;
		char name[600];
		int nn = snprintf(name, sizeof(name), "%.*s.(*%.*s).%s", (int)(open - fn), fn,
		                  (int)(close - open - 3), open + 3, mf.path);
		if (nn < 0 || (size_t)nn >= sizeof(name))
			return NULL;
		const char *s = gpm_incident_str(c->inc, name, (size_t)nn);
		*oom = !s;
		return s;
	}
	return NULL;
}

/* Names the mutexes inside objects that goroutines wait for (one look per mutex). */
static struct gpm_error *object_mutexes(struct fctx *c)
{
	struct gpm_incident *inc = c->inc;
	struct gpm_u64map done = {0}; /* mutex -> 1 + index into names, 0 unnamed */
	GPM_VEC(const char *) names = {0};
	struct gpm_error *err = NULL;
	for (size_t i = 0; i < inc->goroutines.len && !err; i++) {
		struct gpm_goroutine *g = &inc->goroutines.v[i];
		if (g->extra >= inc->extras.len)
			continue;
		struct gpm_goroutine_extra *x = &inc->extras.v[g->extra];
		if (x->wait_object_kind != GPM_WAIT_OBJECT_MUTEX || x->wait_object_name ||
		    !x->wait_object)
			continue;
		uint32_t v;
		if (!gpm_u64map_get(&done, x->wait_object, &v)) {
			bool oom = false;
			const char *name = object_mutex_name(c, g, x->wait_object, &oom);
			const char **slot = name ? gpm_vec_push(&names) : NULL;
			if (oom || (name && !slot)) {
				err = &gpm_error_nomem;
				break;
			}
			if (slot)
				*slot = name;
			v = name ? (uint32_t)names.len : 0;
			// An unnamed first waiter: the others of the same mutex stay unnamed too
			// (one look per mutex keeps this linear).
			if (!gpm_u64map_put(&done, x->wait_object, v)) {
				err = &gpm_error_nomem;
				break;
			}
		}
		if (v && v <= names.len)
			x->wait_object_name = names.v[v - 1];
	}
	gpm_u64map_free(&done);
	gpm_vec_free(&names);
	return err;
}

bool gpm_corefacts_find_allp(struct gpm_process *p, struct gpm_incident *inc, uint64_t *ptr,
                             uint64_t *len)
{
	struct fctx c = {.p = p, .inc = inc, .ps = p->img->ptr_size};
	return find_allp(&c, ptr, len);
}

struct gpm_error *gpm_corefacts_read(struct gpm_process *p, struct gpm_incident *inc)
{
	struct fctx c = {.p = p, .inc = inc, .ps = p->img->ptr_size};
	struct gpm_error *err = select_cases(&c);
	if (!err) {
		uint64_t ptr = 0, len = 0;
		bool have = find_allp(&c, &ptr, &len);
		sched_state(&c, have, ptr, len);
		err = timers(&c, have, ptr, len);
	}
	if (!err)
		err = object_mutexes(&c);
	gpm_u64map_free(&c.globals);
	gpm_vec_free(&c.gnames);
	gpm_core_release_pages(p->core);
	return err;
}
