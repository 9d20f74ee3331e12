/*
 * Goroutines from a core. See goroutines.h.
 *
 * Mirrors runtime/traceback.go (Go 1.21+ unwinder: initAt, resolveInternal, next; Go 1.19
 * gentraceback behaves the same for these cases) and runtime/proc.go (allgs). Struct
 * offsets come from the binary's own layouts (gpm_goimage_layout): runtime.g, runtime.m.
 * What differs per architecture (how a frame keeps its return address, where the g of a
 * thread is, the signal frame) comes from the core's ops table (core/arch.h).
 */
#include "goroutines/goroutines.h"
#include "goroutines/objects.h"
#include "goroutines/threads.h"

#include <elf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/cursor.h"
#include "base/intern.h"
#include "base/u64map.h"
#include "base/vec.h"
#include "gort/arglayout.h"
#include "process/native.h"

#define NONE UINT64_MAX

enum {
	ARGS_SEEN = 1 << 16,
	FRAME_SEEN = 1 << 16,
	FRAME_NEW = 64,
	WINDOW = 4096,
	RAW_SEEN = 1 << 14,
	RAW_MAX = 48,
	RAW_COLD = 16,  /* new texts in a row after which a pc's frames skip the tables */
	RAW_RETRY = 64, /* ... but for one frame in RAW_RETRY, to see whether they repeat now */
	PIN_WINDOW = 0, /* gpm_memory_borrow's pins: the stack window's block and the g's */
	PIN_G = 1
};

/*
 * A slot of the tables of argument texts already stored (args_seen, frame_seen): the
 * text's offset + 1 in incident->arg_text (0: empty), and the low half of its hash. The
 * tag is compared first: a million goroutines' texts share 65,536 slots, and comparing
 * a slot's text (somewhere in ~100 MB of texts, cold) with a different one was a cache
 * miss per goroutine and per frame.
 */
struct seen {
	uint32_t at, tag;
};

/*
 * A slot of the table of frame argument texts by the bytes they were printed from
 * (raw_seen): a frame's text is a function of its argument layout and of the span of
 * stack bytes the layout reads (printArgs prints the words as they are; the liveness bits
 * come from the executable), so a frame whose layout and bytes an earlier frame had gets
 * that frame's text without printing it. Only texts that were seen twice are kept (a
 * reference to the stored text, or a text as short as one): the many frames whose
 * arguments differ in every goroutine (pointers) cost no memory here.
 */
struct raw_seen {
	uint32_t tag;    /* low half of the hash */
	uint32_t layout; /* into ctx.layouts */
	uint8_t span;    /* bytes of raw */
	uint8_t n;       /* bytes of text + 1; 0: empty slot */
	char text[GPM_ARGS_REF_SIZE];
	uint8_t raw[RAW_MAX];
};

/* Field offsets of runtime.g and runtime.m in this binary (NONE when absent). */
struct rt_layout {
	uint64_t g_size, m_size;
	uint64_t g_stack_lo, g_stack_hi, g_sched_sp, g_sched_pc, g_sched_bp, g_sched_g, g_sched_lr;
	uint64_t g_syscallsp, g_syscallpc, g_m, g_status, g_goid, g_waitsince, g_waitreason;
	uint64_t g_lockedm, g_gopc, g_startpc, g_parent_goid, g_labels;
	uint64_t g_panic, g_waiting; /* both NONE unless both are in the g */
	uint64_t m_g0, m_curg, m_gsignal, m_id, m_procid;
};

/* A cached decode of one pc: its function and the logical frames it expands to. */
struct pc_entry {
	uint64_t key; /* pc << 1 | trap; 0 = empty */
	uint64_t entry;
	int32_t spdelta;
	uint8_t ok, sp_ok, flag, kind;
	uint32_t first, n; /* into ctx.lframes */
	uint32_t layout;   /* into ctx.layouts: its argument layout; UINT32_MAX none ("()") */
	bool layout_bad;   /* the layout is there but could not be read */
	uint8_t raw_miss;  /* its frames in a row whose texts were new (at most 255) */
	uint8_t raw_skip;  /* its frames since, when cold (frame_args_cold) */
};

struct thread_map {
	const struct gpm_core_thread *t;
	uint64_t g;    /* the g in its TLS slot */
	uint64_t m;    /* its runtime.m */
	uint64_t curg; /* m.curg */
	int role;      /* ROLE_* of g */
};
enum { ROLE_UNKNOWN, ROLE_CURG, ROLE_G0, ROLE_GSIGNAL };

/* One logical frame while a stack is being unwound. */
struct lframe {
	struct gpm_frame f;
	struct gpm_frame_regs r;
	bool trap; /* its pc was decoded as exact (interrupted), not as a return address */
};

struct ctx {
	struct gpm_process *p;
	struct gpm_incident *inc;
	struct gpm_pclntab *tab;
	const struct gpm_goroutines_options *o;
	struct rt_layout rt;
	unsigned ptr;
	bool go121;                            /* 1.21+: elide the middle of deep stacks */
	GPM_VEC(struct gpm_frame) lframes;     /* cached logical frames of pcs */
	GPM_VEC(struct gpm_arglayout) layouts; /* argument layouts of cached pcs */
	GPM_VEC(uint16_t) layout_spans;        /* bytes from argp each layout reads */
	struct raw_seen *raw_seen;             /* RAW_SEEN slots; NULL: every frame printed */
	struct gpm_strbuf args;                /* the argument texts of the stack being built */
	struct seen *args_seen;  /* ARGS_SEEN slots: a goroutine's argument texts by their hash */
	struct seen *frame_seen; /* FRAME_SEEN slots: one frame's argument text by its hash */
	struct frame_new {
		uint64_t hash;
		uint32_t at;    /* in c->args */
	} frame_new[FRAME_NEW]; /* frame texts of the stack being built not shared yet */
	size_t frame_new_len;
	bool args_cold; /* a frame of the stack being built skipped the tables (frame_args_cold) */
	uint64_t args_unread; /* frames whose arguments could not be read */
	uint64_t g_unread;    /* allgs entries whose g is not in the core (a truncated core) */
	uint64_t g_unread_first;
	uint64_t g_zero; /* allgs entries nil, or whose g reads as idle with id 0 (zeroed) */
	uint64_t g_zero_first;
	const char *args_why; /* interned: the first reason */
	struct pc_entry *cache;
	size_t cache_cap, cache_len;
	GPM_VEC(struct lframe) stack;        /* the stack being built */
	GPM_VEC(struct lframe) tail;         /* ring of the outermost frames */
	GPM_VEC(struct gpm_frame_regs) regs; /* the regs of the stack being built */
	GPM_VEC(struct thread_map) threads;
	const char *state_str[256 + GPM_G_UNKNOWN + 1]; /* interned: wait reasons, then statuses */
	uint64_t newest;                                /* the newest waitsince seen */
	struct gpm_u64map creators;                     /* gopc -> created_by frame index */
	const struct gpm_arch_ops *arch;
	bool uses_lr;         /* arch has a link register: runtime/traceback.go's usesLR */
	uint64_t sigtramp[2]; /* entries of runtime.sigtramp and runtime.cgoSigtramp */
	bool follow_signals;  /* unwinding a system stack: go on through signal frames */
	char name_buf[1024];
	uint8_t *gbuf, *mbuf; /* read_g's and read_m's copies */
	/* The stack being unwound from its sp up (at most WINDOW bytes): its return addresses
	 * and argument words are read from here, not word by word through the memory. winp is
	 * the memory's cached block (lent under PIN_WINDOW) or, when it cannot lend it, win. */
	uint64_t win_lo, win_len;
	const uint8_t *winp;
	uint8_t win[WINDOW];
	struct gpm_native *native; /* C functions of a stripped executable (its debug file) */
	bool native_tried;
};

static inline uint64_t rd(const uint8_t *b, uint64_t off, unsigned n)
{
	return gpm_le_word(b + off, n);
}

/* Reads a field of a struct already in memory; 0 when the field is absent. */
static inline uint64_t field(const uint8_t *b, uint64_t off, unsigned n)
{
	return off == NONE ? 0 : rd(b, off, n);
}

static bool read_word(struct ctx *c, uint64_t addr, uint64_t *out)
{
	uint64_t at = addr - c->win_lo;
	if (at < c->win_len && c->win_len - at >= c->ptr) {
		*out = rd(c->winp, at, c->ptr);
		return true;
	}
	struct gpm_error *err = gpm_memory_word(c->p->mem, addr, out);
	gpm_error_destroy(err);
	return !err;
}

static bool mem_read_cb(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct gpm_error *err = gpm_memory_read(ctx, addr, buf, len);
	gpm_error_destroy(err);
	return !err;
}

/* mem_read_cb for the stack being unwound: from its window when that holds the bytes. */
static bool stack_read_cb(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct ctx *c = ctx;
	uint64_t at = addr - c->win_lo;
	if (at < c->win_len && c->win_len - at >= len) {
		memcpy(buf, c->winp + at, len);
		return true;
	}
	return mem_read_cb(c->p->mem, addr, buf, len);
}

/* Makes the used part of a stack [sp, hi) (its first WINDOW bytes) the window: borrowed
 * from the memory's block cache when it lies in one block (most stacks: a copy of every
 * stack was 3-4 % of reading a million goroutines), else copied; none when it cannot be
 * read whole (then each word is read on its own, as without). */
static void stack_window(struct ctx *c, uint64_t sp, uint64_t lo, uint64_t hi)
{
	c->win_len = 0;
	if (!(lo || hi) || sp < lo || sp >= hi)
		return;
	uint64_t n = hi - sp < WINDOW ? hi - sp : WINDOW;
	c->winp = gpm_memory_borrow(c->p->mem, PIN_WINDOW, sp, (size_t)n);
	if (c->winp) {
		c->win_lo = sp;
		c->win_len = n;
		return;
	}
	c->winp = c->win;
	struct gpm_error *err = gpm_memory_read(c->p->mem, sp, c->win, (size_t)n);
	if (err) {
		gpm_error_destroy(err);
		return;
	}
	c->win_lo = sp;
	c->win_len = n;
}

/* ---- layouts ---- */

static struct gpm_error *need(const struct gpm_layout *l, const char *path, uint64_t *out)
{
	*out = gpm_layout_offset(l, path);
	if (*out == NONE)
		return gpm_error_create(GPM_ERR_UNSUPPORTED, "%s has no field %s in this binary",
		                        l->name, path);
	return NULL;
}

static struct gpm_error *load_layout(struct ctx *c)
{
	struct rt_layout *rt = &c->rt;
	const struct gpm_layout *g, *m;
	struct gpm_error *err = gpm_goimage_layout(c->p->img, "runtime.g", &g);
	if (err)
		return gpm_error_wrap(err, "cannot read goroutines");
	if ((err = gpm_goimage_layout(c->p->img, "runtime.m", &m)))
		return gpm_error_wrap(err, "cannot read goroutines");
	rt->g_size = g->size;
	rt->m_size = m->size;
	if ((err = need(g, "stack.lo", &rt->g_stack_lo)) ||
	    (err = need(g, "stack.hi", &rt->g_stack_hi)) ||
	    (err = need(g, "sched.sp", &rt->g_sched_sp)) ||
	    (err = need(g, "sched.pc", &rt->g_sched_pc)) || (err = need(g, "goid", &rt->g_goid)) ||
	    (err = need(g, "atomicstatus", &rt->g_status)) || (err = need(g, "m", &rt->g_m)) ||
	    (err = need(m, "curg", &rt->m_curg)))
		return err;
	rt->g_sched_bp = gpm_layout_offset(g, "sched.bp");
	rt->g_sched_g = gpm_layout_offset(g, "sched.g");
	rt->g_sched_lr = gpm_layout_offset(g, "sched.lr");
	rt->g_syscallsp = gpm_layout_offset(g, "syscallsp");
	rt->g_syscallpc = gpm_layout_offset(g, "syscallpc");
	rt->g_waitsince = gpm_layout_offset(g, "waitsince");
	rt->g_waitreason = gpm_layout_offset(g, "waitreason");
	rt->g_lockedm = gpm_layout_offset(g, "lockedm");
	rt->g_gopc = gpm_layout_offset(g, "gopc");
	rt->g_startpc = gpm_layout_offset(g, "startpc");
	rt->g_parent_goid = gpm_layout_offset(g, "parentGoid");
	rt->g_labels = gpm_layout_offset(g, "labels");
	rt->g_panic = gpm_layout_offset(g, "_panic");
	rt->g_waiting = gpm_layout_offset(g, "waiting");
	if (rt->g_panic == NONE || rt->g_waiting == NONE || g->size < c->ptr ||
	    rt->g_panic > g->size - c->ptr || rt->g_waiting > g->size - c->ptr)
		rt->g_panic = rt->g_waiting = NONE;
	rt->m_g0 = gpm_layout_offset(m, "g0");
	rt->m_gsignal = gpm_layout_offset(m, "gsignal");
	rt->m_id = gpm_layout_offset(m, "id");
	rt->m_procid = gpm_layout_offset(m, "procid");
	uint64_t last = rt->g_goid + 8;
	if (rt->g_size < last || rt->g_size > (1 << 16))
		return gpm_error_create(GPM_ERR_FORMAT,
		                        "runtime.g layout is implausible (size %" PRIu64 ")",
		                        rt->g_size);
	// An m of implausible size is never read (read_m gives NULL), as before.
	c->gbuf = malloc(rt->g_size);
	c->mbuf = rt->m_size && rt->m_size <= (1 << 20) ? malloc(rt->m_size) : NULL;
	if (!c->gbuf || (!c->mbuf && rt->m_size && rt->m_size <= (1 << 20)))
		return &gpm_error_nomem;
	return NULL;
}

/* Borrows size bytes of a runtime struct at addr (NULL when not all readable). */
static const uint8_t *borrow(struct ctx *c, uint64_t addr, uint64_t size)
{
	const uint8_t *b;
	struct gpm_error *err = gpm_memory_ptr(c->p->mem, addr, size, &b);
	if (err) {
		gpm_error_destroy(err);
		return NULL;
	}
	return b;
}

/* Copies size bytes of a runtime struct at addr into buf (NULL when not all readable): a
 * copy through the memory's block cache, not a page of the core's mapping per g. */
static const uint8_t *copy_struct(struct ctx *c, uint64_t addr, uint64_t size, uint8_t *buf)
{
	struct gpm_error *err = gpm_memory_read(c->p->mem, addr, buf, size);
	if (err) {
		gpm_error_destroy(err);
		return NULL;
	}
	return buf;
}

/* The g at addr, valid until the next read_g: lent by the memory's block cache (under
 * PIN_G) when it can, else copied. */
static const uint8_t *read_g(struct ctx *c, uint64_t addr)
{
	const uint8_t *b = gpm_memory_borrow(c->p->mem, PIN_G, addr, (size_t)c->rt.g_size);
	return b ? b : copy_struct(c, addr, c->rt.g_size, c->gbuf);
}

/* The m at addr, valid until the next read_m. */
static const uint8_t *read_m(struct ctx *c, uint64_t addr)
{
	return c->mbuf ? copy_struct(c, addr, c->rt.m_size, c->mbuf) : NULL;
}

/* ---- allgs ---- */

/* Whether the g at addr looks like a g: readable, a sane status, and (when alive) its
 * gobuf's self pointer; *goid is its id. */
static bool plausible_g(struct ctx *c, uint64_t addr, bool *self, uint64_t *goid)
{
	if (!addr || addr % c->ptr)
		return false;
	const uint8_t *b = read_g(c, addr);
	if (!b)
		return false;
	uint32_t st = (uint32_t)rd(b, c->rt.g_status, 4) & ~0x1000u;
	if (st > GPM_G_DEADEXTRA)
		return false;
	uint64_t lo = rd(b, c->rt.g_stack_lo, c->ptr), hi = rd(b, c->rt.g_stack_hi, c->ptr);
	if (lo > hi || hi - lo > ((uint64_t)1 << 32))
		return false;
	*self = c->rt.g_sched_g != NONE && rd(b, c->rt.g_sched_g, c->ptr) == addr;
	*goid = rd(b, c->rt.g_goid, 8);
	return true;
}

/* Scores a candidate slice {ptr, len, cap} as allgs: the number of sampled elements that are
 * g's, or 0 when any sampled element is not, or none has an id. The system g's (g0,
 * gsignal: id 0) are in no allgs but in other lists (a core whose allgs was zeroed gave a
 * "goroutine list" of m0's g0 and nothing said). */
static unsigned score_allgs(struct ctx *c, uint64_t ptr, uint64_t len, uint64_t cap)
{
	if (!len || len > cap || cap > GPM_GOROUTINES_MAX || !ptr || ptr % c->ptr)
		return 0;
	uint64_t bytes;
	if (__builtin_mul_overflow(len, c->ptr, &bytes) ||
	    !gpm_memory_readable(c->p->mem, ptr, bytes))
		return 0;
	unsigned good = 0, selfs = 0, ids = 0;
	uint64_t step = len > 16 ? len / 16 : 1;
	for (uint64_t i = 0; i < len; i += step) {
		uint64_t g, goid;
		bool self;
		if (!read_word(c, ptr + i * c->ptr, &g) || !plausible_g(c, g, &self, &goid))
			return 0;
		good++;
		selfs += self;
		ids += goid != 0;
	}
	return selfs && ids ? good : 0;
}

static void scan_region(struct ctx *c, uint64_t start, uint64_t end, uint64_t *best_ptr,
                        uint64_t *best_len, unsigned *best)
{
	const uint8_t *b;
	if (end <= start || end - start > ((uint64_t)1 << 30))
		return;
	struct gpm_error *err = gpm_memory_ptr(c->p->mem, start, end - start, &b);
	if (err) {
		gpm_error_destroy(err);
		return;
	}
	for (uint64_t off = 0; off + 3 * c->ptr <= end - start; off += c->ptr) {
		uint64_t ptr = rd(b, off, c->ptr), len = rd(b, off + c->ptr, c->ptr);
		if (!len || len > GPM_GOROUTINES_MAX || ptr < 4096 || ptr % c->ptr)
			continue;
		uint64_t cap = rd(b, off + 2 * c->ptr, c->ptr);
		if (cap < len || cap > GPM_GOROUTINES_MAX)
			continue;
		unsigned s = score_allgs(c, ptr, len, cap);
		// Prefer more goroutines: allgs holds every g ever made.
		if (s && (len > *best_len || (len == *best_len && s > *best))) {
			*best = s;
			*best_ptr = ptr;
			*best_len = len;
		}
	}
}

static struct gpm_error *find_allgs(struct ctx *c, uint64_t *ptr, uint64_t *len, const char **how)
{
	uint64_t addr, size;
	if (gpm_goimage_symbol(c->p->img, "runtime.allgs", &addr, &size)) {
		uint64_t p, l, cap;
		if (read_word(c, addr, &p) && read_word(c, addr + c->ptr, &l) &&
		    read_word(c, addr + 2 * c->ptr, &cap) && l <= cap && l <= GPM_GOROUTINES_MAX) {
			*ptr = p;
			*len = l;
			*how = "symbol runtime.allgs";
			return NULL;
		}
		gpm_incident_warn(c->inc,
		                  "runtime.allgs symbol holds no valid slice; scanning instead");
	}
	uint64_t best_ptr = 0, best_len = 0;
	unsigned best = 0;
	const struct gpm_goimage *img = c->p->img;
	if (img->has_moduledata) {
		const struct gpm_moduledata *md = &img->moduledata;
		scan_region(c, md->bss, md->ebss, &best_ptr, &best_len, &best);
		if (!best)
			scan_region(c, md->data, md->edata, &best_ptr, &best_len, &best);
	} else {
		static const char *const names[] = {".bss", ".data"};
		for (size_t i = 0; i < 2 && !best; i++) {
			const struct gpm_exe_section *s = gpm_exe_section(c->p->exe, names[i]);
			if (s)
				scan_region(c, s->addr + c->p->bias, s->addr + c->p->bias + s->size,
				            &best_ptr, &best_len, &best);
		}
	}
	if (!best)
		return gpm_error_create(
		    GPM_ERR_NOT_FOUND,
		    "cannot find the goroutine list (runtime.allgs) in the core");
	*ptr = best_ptr;
	*len = best_len;
	*how = "scan of the data segments";
	return NULL;
}

/* Sorts a[0..n) (LSD radix, bytes, skipping bytes all keys share) with tmp as scratch. */
static void sort_u64(uint64_t *a, uint64_t *tmp, size_t n)
{
	for (unsigned shift = 0; shift < 64; shift += 8) {
		size_t count[256] = {0};
		for (size_t i = 0; i < n; i++)
			count[(a[i] >> shift) & 0xff]++;
		if (count[(a[0] >> shift) & 0xff] == n)
			continue;
		size_t pos = 0;
		for (unsigned b = 0; b < 256; b++) {
			size_t k = count[b];
			count[b] = pos;
			pos += k;
		}
		for (size_t i = 0; i < n; i++)
			tmp[count[(a[i] >> shift) & 0xff]++] = a[i];
		memcpy(a, tmp, n * sizeof(*a));
	}
}

/*
 * The g's that appear more than once in allgs (a damaged core), as keys of *dups: found by
 * sorting a copy of allgs, so a million goroutines need no map of a million entries to
 * tell that none repeats. Entries that cannot be read are left out.
 */
static struct gpm_error *allgs_dups(struct ctx *c, uint64_t allgs, uint64_t n,
                                    struct gpm_u64map *dups)
{
	*dups = (struct gpm_u64map){0};
	if (n < 2)
		return NULL;
	uint64_t *g = malloc(2 * n * sizeof(uint64_t)); // the copy, and the sort's scratch
	if (!g)
		return &gpm_error_nomem;
	if (c->ptr == 8) {
		struct gpm_error *err = gpm_memory_read(c->p->mem, allgs, g, n * 8);
		if (err) {
			gpm_error_destroy(err);
			for (uint64_t i = 0; i < n; i++)
				if (!read_word(c, allgs + i * 8, &g[i]))
					g[i] = 0;
		}
	} else {
		for (uint64_t i = 0; i < n; i++)
			if (!read_word(c, allgs + i * c->ptr, &g[i]))
				g[i] = 0;
	}
	sort_u64(g, g + n, n);
	for (size_t i = 1; i < n; i++) {
		if (g[i] && g[i] == g[i - 1] && !gpm_u64map_put(dups, g[i], 0)) {
			free(g);
			gpm_u64map_free(dups);
			return &gpm_error_nomem;
		}
	}
	free(g);
	// Room for one more key, so marking one met (allgs_repeat) never grows the map.
	if (dups->len && !gpm_u64map_reserve(dups, dups->len + 1)) {
		gpm_u64map_free(dups);
		return &gpm_error_nomem;
	}
	return NULL;
}

/* Whether g (one of dups) was met before; marks it met. */
static bool allgs_repeat(struct gpm_u64map *dups, uint64_t g)
{
	uint32_t met;
	if (!gpm_u64map_get(dups, g, &met))
		return false;
	if (met)
		return true;
	gpm_u64map_put(dups, g, 1); // an existing key, room reserved: cannot fail
	return false;
}

/* ---- pc cache ---- */

static struct gpm_error *intern_frame(struct ctx *c, struct gpm_frame *f, const char *name,
                                      const char *file)
{
	const char *n = gpm_func_print_name(name, true, c->name_buf, sizeof(c->name_buf));
	f->func = gpm_incident_str(c->inc, n, strlen(n));
	f->file = file ? gpm_incident_str(c->inc, file, strlen(file)) : NULL;
	return f->func && (!file || f->file) ? NULL : &gpm_error_nomem;
}

static bool cache_grow(struct ctx *c)
{
	size_t ncap = c->cache_cap ? c->cache_cap * 2 : 4096;
	struct pc_entry *n = calloc(ncap, sizeof(*n));
	if (!n)
		return false;
	for (size_t i = 0; i < c->cache_cap; i++) {
		if (!c->cache[i].key)
			continue;
		size_t j = (c->cache[i].key * 0x9e3779b97f4a7c15ULL >> 20) & (ncap - 1);
		while (n[j].key)
			j = (j + 1) & (ncap - 1);
		n[j] = c->cache[i];
	}
	free(c->cache);
	c->cache = n;
	c->cache_cap = ncap;
	return true;
}

/* The decoded pc (function, sp delta, logical frames); NULL on out of memory. A pc outside
 * every function gives an entry with ok == 0. */
static struct pc_entry *decode_pc(struct ctx *c, uint64_t pc, bool trap)
{
	uint64_t key = pc << 1 | trap;
	if (!key)
		key = 1ULL << 63;
	if ((c->cache_len + 1) * 2 > c->cache_cap && !cache_grow(c))
		return NULL;
	size_t j = (key * 0x9e3779b97f4a7c15ULL >> 20) & (c->cache_cap - 1);
	while (c->cache[j].key) {
		if (c->cache[j].key == key)
			return &c->cache[j];
		j = (j + 1) & (c->cache_cap - 1);
	}
	struct pc_entry e = {.key = key, .layout = UINT32_MAX};
	struct gpm_func fn;
	if (gpm_pclntab_func_for_pc(c->tab, pc, &fn)) {
		e.ok = 1;
		e.entry = fn.entry;
		e.flag = fn.flag;
		e.kind = (uint8_t)fn.kind;
		struct gpm_error *err = gpm_pclntab_sp_delta(c->tab, &fn, pc, &e.spdelta);
		e.sp_ok = !err;
		gpm_error_destroy(err);
		// A return address points after the call: look up the call itself (pc-1), unless
		// the frame was interrupted (trap) or is at the entry.
		uint64_t tracepc = (!trap && pc > fn.entry) ? pc - 1 : pc;
		struct gpm_inline_frame inl[64];
		size_t n = 0;
		err = gpm_pclntab_frames(c->tab, &fn, tracepc, inl, 64, &n);
		if (err || n == 0) {
			gpm_error_destroy(err);
			const char *file = NULL;
			int32_t line = 0;
			err = gpm_pclntab_file_line(c->tab, &fn, tracepc, &file, &line);
			gpm_error_destroy(err);
			inl[0] = (struct gpm_inline_frame){
			    fn.name, file ? file : "?", line, fn.kind, false, tracepc};
			n = 1;
		}
		// Go before 1.21 gave printArgs the outermost frame's pc (see below).
		uint64_t outer_pc = n <= 64 ? inl[n - 1].pc : tracepc;
		if (n > 64)
			n = 64;
		e.first = (uint32_t)c->lframes.len;
		for (size_t i = 0; i < n; i++) {
			struct gpm_frame *f = gpm_vec_push(&c->lframes);
			if (!f || intern_frame(c, f, inl[i].name, inl[i].file))
				return NULL;
			f->line = inl[i].line > 0 ? (uint32_t)inl[i].line : 0;
			f->pc = pc;
			if (inl[i].inlined) {
				f->flags = GPM_FRAME_INLINED;
			} else {
				f->offset = (uint32_t)(pc - fn.entry);
				f->flags = pc > fn.entry ? GPM_FRAME_HAS_OFFSET : 0;
			}
		}
		e.n = (uint32_t)n;
		// The argument layout at the pc printArgs is given: Go 1.21+ u.symPC() (the
		// trace pc); before, gentraceback's tracepc after its walk of the inline tree
		// had moved it to the outermost call (entry + parentPc).
		uint64_t argpc = c->go121 ? tracepc : outer_pc;
		struct gpm_arglayout al;
		bool has;
		err = gpm_arglayout_read(c->tab, &fn, argpc, &al, &has);
		if (err) {
			e.layout_bad = true;
			gpm_error_destroy(err);
		} else if (has) {
			struct gpm_arglayout *d = gpm_vec_push(&c->layouts);
			uint16_t *sp = gpm_vec_push(&c->layout_spans);
			if (!d || !sp)
				return NULL;
			*d = al;
			e.layout = (uint32_t)(c->layouts.len - 1);
			// What gpm_arglayout_print reads in one go: up to the last value's 8 bytes.
			*sp = 0;
			for (size_t pi = 0; pi < al.len && al.prog[pi] != GPM_ARGINFO_END_SEQ; pi++)
				if (al.prog[pi] < GPM_ARGINFO_OFFSET_TOO_LARGE) {
					if (al.prog[pi] + 8 > *sp)
						*sp = (uint16_t)(al.prog[pi] + 8);
					pi++;
				}
		}
	}
	c->cache[j] = e;
	c->cache_len++;
	return &c->cache[j];
}

/* ---- unwinding ---- */

struct start {
	uint64_t pc, sp;
	bool trap;   /* pc is exact (interrupted), not a return address */
	uint64_t lr; /* link register machines: the LR of the innermost frame (0: read it) */
};

/* The frame pointer of a frame at sp (runtime/traceback.go resolveInternal): the caller's sp,
 * plus the return address a call pushed on amd64. */
static inline uint64_t frame_fp(const struct ctx *c, uint64_t sp, int32_t spdelta)
{
	return sp + (uint64_t)spdelta + (c->uses_lr ? 0 : c->ptr);
}

/* Where the return address of a frame is: above the frame on amd64; on link register
 * machines in the register (flr) for a leaf or a frame not set up yet, else saved at the
 * bottom of the frame. NONE: it is flr. */
static inline uint64_t frame_lr_slot(const struct ctx *c, bool innermost, uint64_t sp, uint64_t fp,
                                     uint64_t flr)
{
	if (!c->uses_lr)
		return fp - c->ptr;
	return (innermost && sp < fp) || flr == 0 ? sp : NONE;
}

static bool is_sigreturn(struct ctx *c, uint64_t pc)
{
	return gpm_arch_is_sigreturn(c->arch, c->p->mem, pc);
}

static inline uint64_t injected_frame_size(const struct ctx *c)
{
	uint64_t a = c->arch->stack_align ? c->arch->stack_align : 1;
	return (c->arch->min_frame_size + a - 1) / a * a;
}

/* Keeps a logical frame: the first `keep` frames in c->stack, the rest in the tail ring. */
static bool keep_frame(struct ctx *c, const struct gpm_frame *f, uint64_t sp, uint64_t fp,
                       bool trap, uint64_t *count, size_t inner, size_t outer)
{
	struct lframe lf = {*f, {sp, fp}, trap};
	(*count)++;
	if (c->stack.len < inner) {
		struct lframe *d = gpm_vec_push(&c->stack);
		if (!d)
			return false;
		*d = lf;
		return true;
	}
	if (!outer)
		return true;
	if (c->tail.len < outer) {
		struct lframe *d = gpm_vec_push(&c->tail);
		if (!d)
			return false;
		*d = lf;
	} else {
		c->tail.v[(*count - inner - 1) % outer] = lf;
	}
	return true;
}

/*
 * Unwinds from st and stores the stack into g (stack, regs, flags, problem).
 * runtime/traceback.go: unwinder.initAt / resolveInternal / next.
 */
/* g's extra record: every goroutine read from a core has one (created when it is pushed). */
static inline struct gpm_goroutine_extra *xg(struct ctx *c, const struct gpm_goroutine *g)
{
	return &c->inc->extras.v[g->extra];
}

/*
 * Appends the argument text of one kept frame to c->args and its NUL: what printArgs
 * prints between the parentheses (runtime/traceback.go traceback2), reading the frame's
 * argument words and spill slots at argp = fp + the minimum frame size (frame.argp).
 * Inlined frames print "(...)" and markers nothing: their text is empty.
 */
/*
 * The hash of the tables of argument texts (args_seen, frame_seen, raw_seen): eight bytes
 * a step (a million goroutines' texts, ~100 bytes each, went through a byte-a-step FNV
 * hash: 6 % of reading the 10^6-goroutine core). Both halves are used (slot, tag).
 */
static uint64_t hash_words(const void *p, size_t n, uint64_t seed)
{
	const uint8_t *b = p;
	uint64_t h = seed ^ ((uint64_t)n * 0x9e3779b97f4a7c15ull), w;
	for (; n >= 8; b += 8, n -= 8) {
		memcpy(&w, b, 8);
		h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, b, n);
	h = (h ^ w) * 0x94d049bb133111ebull;
	h ^= h >> 32;
	h *= 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 29);
}

/*
 * A frame's argument text (c->args from start) that an earlier goroutine's frame had too
 * becomes a reference to that one (true; also for a text too short to be one) (GPM_ARGS_REF, see
 * gpm_goroutine_args_begin): most frames of a million goroutines print the same "0x0?, 0x0?" and
 * only a few differ, so the texts cost a fraction of their bytes. A new text is remembered
 * (store_args) once the goroutine's texts have their place in the incident.
 */
static bool share_frame_args(struct ctx *c, size_t start)
{
	size_t n = c->args.len - start;
	if (n <= GPM_ARGS_REF_SIZE || c->args.oom)
		return true;
	const char *t = c->args.buf + start;
	uint64_t h = hash_words(t, n, 0x66726d61);
	const struct seen *slot = &c->frame_seen[(h >> 32) & (FRAME_SEEN - 1)];
	const struct gpm_incident *inc = c->inc;
	uint32_t off = slot->at - 1;
	if (slot->at && slot->tag == (uint32_t)h && off < inc->arg_text.len &&
	    inc->arg_text.len - off > n && !memcmp(inc->arg_text.v + off, t, n) &&
	    !inc->arg_text.v[off + n]) {
		char ref[GPM_ARGS_REF_SIZE] = {GPM_ARGS_REF};
		memcpy(ref + 1, &off, 4);
		c->args.len = start;
		gpm_strbuf_append(&c->args, ref, sizeof(ref));
		return true;
	}
	if (c->frame_new_len < FRAME_NEW)
		c->frame_new[c->frame_new_len++] = (struct frame_new){h, (uint32_t)start};
	return false;
}

/*
 * Whether the argument texts of e's frames skip the sharing tables (raw_seen, frame_seen,
 * and args_seen for their goroutine): a pc whose last RAW_COLD frames printed texts that
 * no frame had before (pointers that differ in every goroutine) finds nothing in them, and
 * each look was a cache miss in a table of half a megabyte or more (~10 % of reading a
 * million goroutines). One frame in RAW_RETRY looks again; a text found makes the pc warm.
 * The texts are the same either way; only their sharing differs.
 */
static bool frame_args_cold(struct pc_entry *e)
{
	return e->raw_miss >= RAW_COLD && ++e->raw_skip % RAW_RETRY != 0;
}

static bool frame_args(struct ctx *c, const struct lframe *lf)
{
	const struct gpm_frame *f = &lf->f;
	size_t start = c->args.len;
	bool cold = false;
	if (!(f->flags &
	      (GPM_FRAME_INLINED | GPM_FRAME_ELIDED | GPM_FRAME_NON_GO | GPM_FRAME_UNKNOWN_PC)) &&
	    f->func) {
		struct pc_entry *e = decode_pc(c, f->pc, lf->trap);
		if (!e)
			return false;
		const char *why = NULL;
		char buf[120];
		if (e->layout_bad) {
			why = "its argument layout (funcdata) is unreadable";
		} else if (e->layout != UINT32_MAX && !lf->r.fp) {
			why = "its frame size is unknown";
		} else if (e->layout != UINT32_MAX) {
			uint64_t argp = lf->r.fp + c->arch->min_frame_size;
			uint8_t raw[RAW_MAX];
			uint16_t span = c->layout_spans.v[e->layout];
			struct raw_seen *slot = NULL;
			uint64_t h = 0;
			cold = frame_args_cold(e);
			if (!cold && span <= RAW_MAX && c->raw_seen &&
			    stack_read_cb(c, argp, raw, span)) {
				h = hash_words(raw, span, 0x72617700u ^ e->layout);
				slot = &c->raw_seen[(h >> 32) & (RAW_SEEN - 1)];
				if (slot->n && slot->tag == (uint32_t)h &&
				    slot->layout == e->layout && slot->span == span &&
				    !memcmp(slot->raw, raw, span)) {
					e->raw_miss = 0;
					gpm_strbuf_append(&c->args, slot->text, slot->n - 1u);
					gpm_strbuf_append(&c->args, "", 1);
					return !c->args.oom;
				}
			}
			struct gpm_error *err = gpm_arglayout_print(&c->layouts.v[e->layout], argp,
			                                            stack_read_cb, c, &c->args);
			if (err) {
				snprintf(buf, sizeof(buf), "%s", err->message);
				why = buf;
			}
			gpm_error_destroy(err);
			if (!err && slot) {
				// Kept once it is stored and seen again (a reference) or when
				// short. A text new again counts towards making its pc cold.
				if (share_frame_args(c, start))
					e->raw_miss = 0;
				else if (e->raw_miss < UINT8_MAX)
					e->raw_miss++;
				size_t n = c->args.len - start;
				if (n <= GPM_ARGS_REF_SIZE && !c->args.oom) {
					*slot = (struct raw_seen){.tag = (uint32_t)h,
					                          .layout = e->layout,
					                          .span = (uint8_t)span,
					                          .n = (uint8_t)(n + 1)};
					if (n) // an empty text may have no buffer yet
						memcpy(slot->text, c->args.buf + start, n);
					memcpy(slot->raw, raw, span);
				}
				gpm_strbuf_append(&c->args, "", 1);
				return !c->args.oom;
			}
		}
		if (why) {
			if (!c->args_unread++) {
				char msg[400];
				snprintf(msg, sizeof(msg), "%s: %s", f->func, why);
				c->args_why = gpm_incident_str(c->inc, msg, strlen(msg));
			}
			gpm_strbuf_putc(&c->args, '?'); // not a value the runtime would print
		}
	}
	if (cold)
		c->args_cold = true;
	else
		share_frame_args(c, start);
	gpm_strbuf_append(&c->args, "", 1);
	return !c->args.oom;
}

/* Makes the new frame texts of the goroutine whose texts are at off findable. */
static void remember_frame_args(struct ctx *c, uint32_t off)
{
	for (size_t i = 0; i < c->frame_new_len; i++) {
		const struct frame_new *fn = &c->frame_new[i];
		c->frame_seen[(fn->hash >> 32) & (FRAME_SEEN - 1)] =
		    (struct seen){off + fn->at + 1, (uint32_t)fn->hash};
	}
	c->frame_new_len = 0;
}

/* Stores the argument texts of g's frames (c->args) in the incident, once for goroutines
 * whose texts are the same. */
static struct gpm_error *store_args(struct ctx *c, struct gpm_goroutine *g, size_t nframes)
{
	size_t n = c->args.len;
	if (n <= nframes) { // every frame printed "()" or "(...)"
		c->frame_new_len = 0;
		return NULL;
	}
	struct gpm_incident *inc = c->inc;
	// A fixed table, a slot per hash, the newest text wins: goroutines with the same
	// texts share them (most often they come in runs), without a map of a million entries.
	// Texts with a frame's that differs in every goroutine (args_cold) are not looked up.
	uint64_t h = c->args_cold ? 0 : hash_words(c->args.buf, n, 0x61726773);
	struct seen *slot = c->args_cold ? NULL : &c->args_seen[(h >> 32) & (ARGS_SEEN - 1)];
	uint32_t off = slot ? slot->at - 1 : 0;
	if (slot && slot->at && slot->tag == (uint32_t)h && off <= inc->arg_text.len &&
	    inc->arg_text.len - off >= n && !memcmp(inc->arg_text.v + off, c->args.buf, n)) {
		g->args = off;
		remember_frame_args(c, off);
		return NULL;
	}
	if (inc->arg_text.len + n >= UINT32_MAX) {
		c->args_unread += nframes;
		c->frame_new_len = 0;
		return NULL;
	}
	if (!gpm_vec_reserve(&inc->arg_text, inc->arg_text.len + n))
		return &gpm_error_nomem;
	off = (uint32_t)inc->arg_text.len;
	gpm_prefault(&inc->prefault_args, inc->arg_text.v, off + n, inc->arg_text.cap);
	memcpy(inc->arg_text.v + off, c->args.buf, n);
	inc->arg_text.len += n;
	g->args = off;
	if (slot)
		*slot = (struct seen){off + 1, (uint32_t)h};
	remember_frame_args(c, off);
	return NULL;
}

static bool c_frame(struct ctx *c, uint64_t pc, struct gpm_frame *out);
static bool is_sigtramp(struct ctx *c, uint64_t entry);

enum { C_MAX_FRAMES = 256, C_SCAN_WORDS = 512 };

/* Whether ret follows a call instruction (call rel32, call *r/m) in the executable's code. */
static bool after_call(struct ctx *c, uint64_t ret)
{
	uint8_t b[7];
	if (ret < sizeof(b) || !mem_read_cb(c->p->mem, ret - sizeof(b), b, sizeof(b)))
		return false;
	return b[2] == 0xe8 || (b[5] == 0xff && (b[6] & 0x38) == 0x10) ||
	       (b[4] == 0xff && (b[5] & 0x38) == 0x10) || (b[1] == 0xff && (b[2] & 0x38) == 0x10);
}

/*
 * C frames (cgo), amd64: from pc and sp in code outside Go, names each frame from the
 * executable's symbols (GPM_FRAME_C, file:line from DWARF) and finds its caller by the
 * executable's call frame information (.eh_frame). Code the executable does not hold (a
 * shared library: libc's sleep) is one unnamed frame; the walk then goes on from the first
 * word above it on the stack that is a return address into the executable's C code (a stack
 * scan, as debuggers do without the library's unwind tables). Returns 1 with the pc and sp
 * where Go code resumes, 0 when the walk ended in C, -1 out of memory.
 */
static int c_walk(struct ctx *c, uint64_t pc, uint64_t sp, bool exact, uint64_t *count,
                  size_t inner, size_t outer, uint64_t *npc, uint64_t *nsp)
{
	bool scanned = false;
	for (int n = 0; n < C_MAX_FRAMES; n++) {
		struct gpm_frame f;
		uint64_t look = exact || !pc ? pc : pc - 1; // a return address: the call's line
		if (!c_frame(c, look, &f)) {
			struct gpm_frame u = {.pc = pc, .flags = GPM_FRAME_NON_GO};
			u.func = gpm_incident_str(c->inc, "?", 1);
			if (!u.func || !keep_frame(c, &u, sp, 0, exact, count, inner, outer))
				return -1;
			if (scanned || c->arch->machine != EM_X86_64)
				return 0;
			scanned = true;
			uint64_t w, found = 0;
			for (unsigned k = 0; k < C_SCAN_WORDS && !found; k++) {
				struct gpm_frame t;
				if (!read_word(c, sp + k * 8, &w))
					break;
				if (w > 0x1000 && c_frame(c, w - 1, &t) && after_call(c, w))
					found = sp + k * 8;
			}
			if (!found)
				return 0;
			pc = w;
			sp = found + 8;
			exact = false;
			continue;
		}
		f.pc = pc;
		if (!keep_frame(c, &f, sp, 0, exact, count, inner, outer))
			return -1;
		struct gpm_exe_cfi_rule r;
		uint64_t cfa, ra, lpc = look - c->p->bias;
		if (!gpm_exe_cfi_rule(c->p->exe, lpc, &r) || r.cfa_reg != GPM_EXE_DWARF_RSP ||
		    __builtin_add_overflow(sp, (uint64_t)r.cfa_offset, &cfa) ||
		    !read_word(c, cfa + (uint64_t)r.ra_offset, &ra) || !ra)
			return 0;
		const struct pc_entry *e = decode_pc(c, ra, false);
		if (!e)
			return -1;
		if (e->ok) {
			*npc = ra;
			*nsp = cfa;
			return 1;
		}
		pc = ra;
		sp = cfa;
		exact = false;
	}
	return 0;
}

static struct gpm_error *unwind(struct ctx *c, struct gpm_goroutine *g, struct start st,
                                uint64_t lo, uint64_t hi)
{
	c->stack.len = 0;
	c->tail.len = 0;
	size_t inner = c->o->all_frames ? 100000 : (c->go121 ? 50 : 100);
	size_t outer = c->o->all_frames ? 0 : (c->go121 ? 50 : 0);
	uint64_t count = 0;
	const char *problem = NULL;
	char pbuf[160];
	uint64_t pc = st.pc, sp = st.sp, flr = c->uses_lr ? st.lr : 0;
	bool trap = st.trap;
	stack_window(c, st.sp, lo, hi);
	if (pc == 0 && sp) {
		// A nil function call: start in the caller's frame.
		if (!read_word(c, sp, &pc))
			pc = 0;
		if (c->uses_lr)
			flr = 0;
		else
			sp += c->ptr;
	}
	for (uint32_t n = 0;; n++) {
		if (n >= GPM_GOROUTINES_MAX_FRAMES) {
			problem = "stack deeper than gopm's frame limit";
			break;
		}
		const struct pc_entry *e = decode_pc(c, pc, trap);
		if (!e)
			return &gpm_error_nomem;
		struct gpm_frame cf;
		if (!e->ok && c->p->exe &&
		    (n == 0 || trap || c_frame(c, trap ? pc : pc - 1, &cf))) {
			// C code (cgo): named frames and, through its unwind tables, back into Go.
			uint64_t gpc, gsp;
			int r = c_walk(c, pc, sp, trap, &count, inner, outer, &gpc, &gsp);
			if (r < 0)
				return &gpm_error_nomem;
			if (r > 0) {
				pc = gpc;
				sp = gsp;
				trap = false;
				flr = 0;
				continue;
			}
			snprintf(pbuf, sizeof(pbuf), "stack ends in C code below pc 0x%" PRIx64,
			         pc);
			problem = pbuf;
			break;
		}
		if (!e->ok) {
			struct gpm_frame f = {
			    .pc = pc, .flags = n == 0 ? GPM_FRAME_UNKNOWN_PC : GPM_FRAME_NON_GO};
			f.func = gpm_incident_str(c->inc, "?", 1);
			if (!keep_frame(c, &f, sp, 0, trap, &count, inner, outer))
				return &gpm_error_nomem;
			snprintf(pbuf, sizeof(pbuf),
			         "unknown pc 0x%" PRIx64 " (not in any Go function)", pc);
			problem = pbuf;
			break;
		}
		uint64_t fp = 0;
		if (e->sp_ok && e->spdelta >= 0)
			fp = frame_fp(c, sp, e->spdelta);
		for (uint32_t i = 0; i < e->n; i++) {
			const struct gpm_frame *lf = &c->lframes.v[e->first + i];
			if (!keep_frame(c, lf, sp, fp, trap, &count, inner, outer))
				return &gpm_error_nomem;
		}
		if (!fp) {
			snprintf(pbuf, sizeof(pbuf), "no stack-pointer delta for pc 0x%" PRIx64,
			         pc);
			problem = pbuf;
			break;
		}
		// A system stack goes on through a signal handler into the code the signal
		// interrupted (C code under cgo, the runtime); the runtime's traceback stops here.
		if (c->follow_signals && is_sigtramp(c, e->entry)) {
			const struct gpm_arch_sigframe *sf = &c->arch->sigframe;
			uint64_t rpc, rsp, rlr = 0;
			if (read_word(c, fp + sf->pc, &rpc) && read_word(c, fp + sf->sp, &rsp) &&
			    (sf->lr == GPM_ARCH_NO_REG || read_word(c, fp + sf->lr, &rlr)) && rpc) {
				pc = rpc;
				sp = rsp;
				flr = c->uses_lr ? rlr : 0;
				trap = true;
				continue;
			}
		}
		if (e->flag & GPM_FUNC_FLAG_TOPFRAME || e->kind == GPM_FUNC_GOEXIT)
			break;
		// A function that writes SP arbitrarily ends the traceback (as the runtime does).
		if (e->flag & GPM_FUNC_FLAG_SPWRITE)
			break;
		uint64_t lr = flr, slot = frame_lr_slot(c, n == 0, sp, fp, flr);
		if (slot != NONE && !read_word(c, slot, &lr)) {
			snprintf(pbuf, sizeof(pbuf),
			         "return address at 0x%" PRIx64 " not in the core", slot);
			problem = pbuf;
			break;
		}
		if (lr == 0)
			break;
		if ((lo || hi) && (fp < lo || fp > hi)) {
			snprintf(pbuf, sizeof(pbuf),
			         "frame at 0x%" PRIx64 " outside the stack [0x%" PRIx64
			         ", 0x%" PRIx64 ")",
			         fp, lo, hi);
			problem = pbuf;
			break;
		}
		if (lr == pc && fp == sp) {
			problem = "traceback stuck";
			break;
		}
		// The caller of an injected call was interrupted, not calling: look up its exact
		// pc. Go 1.21+ treats asyncPreempt and debugCallV2 so too (isInjectedCall);
		// before, only sigpanic (gentraceback's waspanic).
		bool injected = e->kind == GPM_FUNC_SIGPANIC || e->kind == GPM_FUNC_ASYNC_PREEMPT ||
		                e->kind == GPM_FUNC_DEBUGCALLV2;
		trap = e->kind == GPM_FUNC_SIGPANIC || (c->go121 && injected);
		pc = lr;
		sp = fp;
		flr = 0;
		const struct pc_entry *next = decode_pc(c, pc, trap);
		if (!next)
			return &gpm_error_nomem;
		if (c->uses_lr && injected) {
			// The signal handler that injected the call saved the interrupted LR below
			// the caller's frame (runtime/signal_arm64.go pushCall): a frame not set up
			// yet returns through it.
			uint64_t x;
			if (!read_word(c, sp, &x)) {
				snprintf(pbuf, sizeof(pbuf),
				         "saved link register at 0x%" PRIx64 " not in the core",
				         sp);
				problem = pbuf;
				break;
			}
			sp += injected_frame_size(c);
			if (!next->ok) {
				pc = x;
				if (!(next = decode_pc(c, pc, trap)))
					return &gpm_error_nomem;
			} else if (next->sp_ok && next->spdelta == 0) {
				flr = x;
			}
		}
		struct gpm_frame cf2;
		if (!next->ok && c->p->exe && (trap || c_frame(c, pc - 1, &cf2)))
			continue; // C code (cgo) below a Go frame or a signal: the loop's C walk
		if (!next->ok) {
			snprintf(pbuf, sizeof(pbuf), "unexpected return pc 0x%" PRIx64, pc);
			problem = pbuf;
			struct gpm_frame f = {.pc = pc, .flags = GPM_FRAME_NON_GO};
			f.func = gpm_incident_str(c->inc, "?", 1);
			if (!keep_frame(c, &f, sp, 0, trap, &count, inner, outer))
				return &gpm_error_nomem;
			break;
		}
	}

	// Assemble: inner frames, then (Go 1.21+) an elision marker and the outer ring in order.
	uint64_t kept = c->stack.len + c->tail.len;
	uint64_t elided = count - kept;
	size_t total = c->stack.len + c->tail.len + (elided && outer ? 1 : 0);
	struct gpm_stack_builder b;
	gpm_incident_stack_begin(c->inc, &b);
	if (!gpm_vec_reserve(&c->regs, total ? total : 1))
		return &gpm_error_nomem;
	struct gpm_frame_regs *regs = c->regs.v;
	memset(regs, 0, total * sizeof(*regs));
	gpm_strbuf_reset(&c->args);
	c->args_cold = false;
	size_t k = 0;
	for (size_t i = 0; i < c->stack.len; i++, k++) {
		struct gpm_frame *f = gpm_incident_frame_push(c->inc);
		if (!f || !frame_args(c, &c->stack.v[i]))
			return &gpm_error_nomem;
		*f = c->stack.v[i].f;
		regs[k] = c->stack.v[i].r;
	}
	if (elided && outer) {
		struct gpm_frame *f = gpm_incident_frame_push(c->inc);
		if (!f)
			return &gpm_error_nomem;
		f->flags = GPM_FRAME_ELIDED;
		f->line = elided > UINT32_MAX ? UINT32_MAX : (uint32_t)elided;
		xg(c, g)->elided_frames = f->line;
		gpm_strbuf_append(&c->args, "", 1);
		k++;
	} else if (elided) {
		g->flags |= GPM_GOROUTINE_MORE_FRAMES;
		xg(c, g)->elided_frames = elided > UINT32_MAX ? UINT32_MAX : (uint32_t)elided;
	}
	size_t nt = c->tail.len;
	size_t start =
	    nt && (count - c->stack.len) > nt ? (size_t)((count - c->stack.len) % nt) : 0;
	for (size_t i = 0; i < nt; i++, k++) {
		const struct lframe *lf = &c->tail.v[(start + i) % nt];
		struct gpm_frame *f = gpm_incident_frame_push(c->inc);
		if (!f || !frame_args(c, lf))
			return &gpm_error_nomem;
		*f = lf->f;
		regs[k] = lf->r;
	}
	struct gpm_error *err = gpm_incident_stack_commit(c->inc, &b, &g->stack);
	if (!err)
		err = gpm_incident_goroutine_set_regs(c->inc, g, regs, k);
	if (!err)
		err = store_args(c, g, k);
	if (err)
		return err;
	if (problem) {
		g->flags |= GPM_GOROUTINE_TRUNCATED;
		xg(c, g)->problem = gpm_incident_str(c->inc, problem, strlen(problem));
	}
	return NULL;
}

/* ---- threads ---- */

static void map_threads(struct ctx *c)
{
	const struct gpm_core *core = c->p->core;
	size_t n = gpm_core_thread_count(core);
	for (size_t i = 0; i < n; i++) {
		const struct gpm_core_thread *t = gpm_core_thread_at(core, i);
		struct thread_map *tm = gpm_vec_push(&c->threads);
		if (!tm)
			return;
		tm->t = t;
		// arm64: the g is in R28. linux/amd64 without cgo: in the TLS slot at fs_base - 8.
		uint64_t g = 0;
		bool have = false;
		if (c->arch->g_reg >= 0)
			have = (g = t->regs.v[c->arch->g_reg]) != 0;
		else
			have = t->tls >= (uint64_t)c->ptr && read_word(c, t->tls - c->ptr, &g) && g;
		if (have) {
			const uint8_t *gb = read_g(c, g);
			const uint8_t *mb = gb ? read_m(c, rd(gb, c->rt.g_m, c->ptr)) : NULL;
			if (mb) {
				uint64_t m = rd(gb, c->rt.g_m, c->ptr);
				bool ours =
				    c->rt.m_procid == NONE || rd(mb, c->rt.m_procid, 8) == t->tid;
				if (ours) {
					tm->g = g;
					tm->m = m;
					tm->curg = rd(mb, c->rt.m_curg, c->ptr);
					tm->role = g == tm->curg                        ? ROLE_CURG
					           : g == field(mb, c->rt.m_g0, c->ptr) ? ROLE_G0
					           : g == field(mb, c->rt.m_gsignal, c->ptr)
					               ? ROLE_GSIGNAL
					               : ROLE_UNKNOWN;
				}
			}
		}
	}
}

/* Thread running m, found by TLS or else by m.procid. */
static struct thread_map *thread_of_m(struct ctx *c, uint64_t m)
{
	for (size_t i = 0; i < c->threads.len; i++)
		if (c->threads.v[i].m == m)
			return &c->threads.v[i];
	const uint8_t *mb = read_m(c, m);
	if (!mb || c->rt.m_procid == NONE)
		return NULL;
	uint64_t tid = rd(mb, c->rt.m_procid, 8);
	for (size_t i = 0; i < c->threads.len; i++) {
		struct thread_map *tm = &c->threads.v[i];
		if (tm->t->tid == tid && !tm->m) {
			tm->m = m;
			tm->curg = rd(mb, c->rt.m_curg, c->ptr);
			return tm;
		}
	}
	return NULL;
}

static uint64_t thread_lr(const struct ctx *c, const struct gpm_core_thread *t)
{
	return c->uses_lr ? t->regs.v[c->arch->lr_reg] : 0;
}

static bool is_sigtramp(struct ctx *c, uint64_t entry)
{
	return entry && (entry == c->sigtramp[0] || entry == c->sigtramp[1]);
}

/*
 * The registers a signal interrupted on the goroutine stack [lo, hi) (with frame: in code
 * outside Go, and *frame the signal frame's base): unwinds the thread's own
 * (signal) stack from its registers to runtime.sigtramp, whose frame sits on the kernel's
 * signal frame. Signals nest (the crash raises SIGABRT inside the SIGQUIT handler), so when
 * the interrupted code is itself on the signal stack, the walk goes on from there.
 */
static bool signal_context(struct ctx *c, const struct gpm_core_thread *t, uint64_t lo, uint64_t hi,
                           struct start *out, uint64_t *frame)
{
	const struct gpm_arch_sigframe *sf = &c->arch->sigframe;
	if (!(c->sigtramp[0] || c->sigtramp[1] || c->arch->sigreturn))
		return false;
	uint64_t pc = t->pc, sp = t->sp;
	uint64_t flr = c->uses_lr ? t->regs.v[c->arch->lr_reg] : 0;
	bool trap = true, innermost = true;
	for (int n = 0; n < 1024; n++) {
		const struct pc_entry *e = decode_pc(c, pc, trap);
		if (!e || !e->ok || !e->sp_ok || e->spdelta < 0)
			return false;
		uint64_t fp = frame_fp(c, sp, e->spdelta), lr = flr;
		// A signal frame: the handler is runtime.sigtramp, or the frame returns to the
		// rt_sigreturn instructions (a handler of another name, cgo's, a future one).
		bool handler = is_sigtramp(c, e->entry);
		if (!handler) {
			if (e->flag & GPM_FUNC_FLAG_TOPFRAME)
				return false;
			uint64_t slot = frame_lr_slot(c, innermost, sp, fp, flr);
			if ((slot != NONE && !read_word(c, slot, &lr)) || !lr)
				return false;
			handler = is_sigreturn(c, lr);
		}
		if (handler) {
			uint64_t rpc, rsp, rlr = 0;
			if (!read_word(c, fp + sf->pc, &rpc) || !read_word(c, fp + sf->sp, &rsp) ||
			    (sf->lr != GPM_ARCH_NO_REG && !read_word(c, fp + sf->lr, &rlr)))
				return false;
			// frame: the interrupted code's pc outside Go (C code) is what is asked.
			const struct pc_entry *re = frame ? decode_pc(c, rpc, true) : NULL;
			if (frame ? re && !re->ok : rsp >= lo && rsp < hi) {
				*out = (struct start){rpc, rsp, true, rlr};
				if (frame)
					*frame = fp;
				return true;
			}
			pc = rpc;
			sp = rsp;
			flr = rlr;
			trap = innermost = true;
			continue;
		}
		pc = lr;
		sp = fp;
		flr = 0;
		trap = innermost = false;
	}
	return false;
}

/* ---- C code (cgo) ---- */

/* Names a pc in C code from the executable's symbols and DWARF; false when none names it. */
static bool c_frame(struct ctx *c, uint64_t pc, struct gpm_frame *out)
{
	const char *name = NULL, *file = NULL;
	uint64_t start, lpc;
	uint32_t line = 0;
	if (__builtin_sub_overflow(pc, c->p->bias, &lpc))
		return false;
	if (!gpm_exe_func_for_addr(c->p->exe, lpc, &name, &start) ||
	    !gpm_exe_source_line(c->p->exe, lpc, &file, &line)) {
		// No symbol (stripped) or no DWARF: the separate debug file found by build id
		// under the debug root, as the C threads' frames are named (process/native.c).
		struct gpm_native_frame nf;
		if (!c->native_tried && c->p->debug_root) {
			c->native_tried = true;
			struct gpm_error *err = gpm_native_create(c->p, &c->native);
			if (err) {
				gpm_error_destroy(err);
				c->native = NULL;
			}
		}
		if (c->native && gpm_native_name_exe(c->native, pc, &nf)) {
			name = nf.symbol;
			file = nf.file;
			line = nf.line;
		} else if (!name) {
			return false;
		}
	}
	struct gpm_frame f = {.pc = pc, .line = line, .flags = GPM_FRAME_C};
	f.func = gpm_incident_str(c->inc, name, strlen(name));
	f.file = file ? gpm_incident_str(c->inc, file, strlen(file)) : NULL;
	if (!f.func)
		return false;
	*out = f;
	return true;
}

/* The signal a g took (g.sig, g.sigcode1: the address, g.sigpc); false when none. */
static bool g0_signal(struct ctx *c, uint64_t g, int32_t *signo, uint64_t *addr, uint64_t *pc)
{
	const struct gpm_layout *l;
	struct gpm_error *err = gpm_goimage_layout(c->p->img, "runtime.g", &l);
	if (err) {
		gpm_error_destroy(err);
		return false;
	}
	uint64_t osig = gpm_layout_offset(l, "sig"), oaddr = gpm_layout_offset(l, "sigcode1"),
	         opc = gpm_layout_offset(l, "sigpc"), sig;
	if (osig == NONE || oaddr == NONE || opc == NONE || !read_word(c, g + osig, &sig) ||
	    !read_word(c, g + oaddr, addr) || !read_word(c, g + opc, pc))
		return false;
	*signo = (int32_t)(uint32_t)sig;
	return *signo > 0;
}

/*
 * A signal taken in C code (cgo): the signal thread's registers are in the runtime's crash
 * path on its signal stack; the kernel's signal frame of the first handler holds the
 * interrupted pc and the siginfo. When that pc is in no Go function and the thread's m was
 * in a C call (its curg in a syscall), the original signal, the pc and the C function are
 * recorded in crash.c_* for the analysis (rule signal.cgo).
 */
static void read_c_fault(struct ctx *c, const struct gpm_core_thread *sig)
{
	const struct gpm_arch_sigframe *sf = &c->arch->sigframe;
	const struct thread_map *tm = NULL;
	for (size_t i = 0; sig && i < c->threads.len; i++)
		if (c->threads.v[i].t == sig)
			tm = &c->threads.v[i];
	if (!tm || !tm->curg || sf->siginfo == GPM_ARCH_NO_REG)
		return;
	// The m's goroutine must be inside a C call (entersyscall in cgocall).
	const uint8_t *gb = read_g(c, tm->curg);
	if (!gb || (rd(gb, c->rt.g_status, 4) & ~0x1000u) != GPM_G_SYSCALL)
		return;
	struct start st;
	uint64_t frame, addr = 0, pc;
	int32_t signo, code;
	if (signal_context(c, tm->t, 0, 0, &st, &frame)) {
		uint8_t si[32];
		if (!mem_read_cb(c->p->mem, frame + sf->siginfo, si, sizeof(si)))
			return;
		signo = (int32_t)rd(si, 0, 4);
		code = (int32_t)rd(si, 8, 4);
		addr = rd(si, 16, 8);
		pc = st.pc;
	} else if (tm->role == ROLE_G0 && g0_signal(c, tm->g, &signo, &addr, &pc)) {
		// Go 1.19 and older: the handler injected runtime.sigpanic on g0, which threw;
		// preparePanic left the signal in g0's own fields.
		const struct pc_entry *e = decode_pc(c, pc, true);
		if (!e || e->ok)
			return;
		code = 0;
	} else {
		return; // no signal in C: a signal in Go is in the goroutine's own fields
	}
	// Faults, and abort() (SIGABRT the process sent itself, SI_TKILL); a SIGQUIT or a
	// signal from outside that found the thread in C is not a crash in C.
	if (signo != 11 && signo != 7 && signo != 4 && signo != 8 && !(signo == 6 && code == -6))
		return;
	struct gpm_crash *cr = &c->inc->crash;
	cr->c_signo = signo;
	cr->c_pc = pc;
	// SIGSEGV, SIGBUS, SIGILL, SIGFPE carry the fault address (si_addr at offset 16).
	if (signo != 6) {
		cr->c_has_addr = true;
		cr->c_sigaddr = addr;
	}
	struct gpm_frame f;
	if (c_frame(c, pc, &f)) {
		cr->c_func = f.func;
		cr->c_file = f.file;
		cr->c_line = f.line;
	}
	cr->c_goroutine = rd(gb, c->rt.g_goid, 8);
}

/* ---- goroutines ---- */

static struct gpm_error *creator_frame(struct ctx *c, uint64_t gopc, uint32_t *out)
{
	struct gpm_func fn;
	if (!gpm_pclntab_func_for_pc(c->tab, gopc, &fn)) {
		*out = UINT32_MAX;
		return NULL;
	}
	// runtime/traceback.go printcreatedby1: the physical function's name, the line at the
	// go statement (gopc - 1), the offset of gopc.
	uint64_t tracepc = gopc > fn.entry ? gopc - 1 : gopc;
	const char *file = NULL;
	int32_t line = 0;
	struct gpm_error *err = gpm_pclntab_file_line(c->tab, &fn, tracepc, &file, &line);
	gpm_error_destroy(err);
	struct gpm_frame f = {.pc = gopc, .line = line > 0 ? (uint32_t)line : 0};
	f.offset = (uint32_t)(gopc - fn.entry);
	f.flags = gopc > fn.entry ? GPM_FRAME_HAS_OFFSET : 0;
	if ((err = intern_frame(c, &f, fn.name, file ? file : "?")))
		return err;
	return gpm_incident_lone_frame(c->inc, &f, out);
}

/* The "created by" frame of g; goroutines started by the same go statement share one. */
static struct gpm_error *created_by(struct ctx *c, struct gpm_goroutine *g, uint64_t gopc)
{
	if (!gopc || g->id == 1)
		return NULL;
	uint32_t idx;
	if (!gpm_u64map_get(&c->creators, gopc, &idx)) {
		struct gpm_error *err = creator_frame(c, gopc, &idx);
		if (err)
			return err;
		if (!gpm_u64map_put(&c->creators, gopc, idx))
			return &gpm_error_nomem;
	}
	g->created_by = idx;
	return NULL;
}

/* Reads a Go string header {ptr, len} at addr into the incident; NULL when unreadable. */
static const char *read_gostring(struct ctx *c, uint64_t addr)
{
	uint64_t p, n;
	const uint8_t *b;
	if (!read_word(c, addr, &p) || !read_word(c, addr + c->ptr, &n) || n > 4096)
		return NULL;
	if (!n)
		return gpm_incident_str(c->inc, "", 0);
	if (!(b = borrow(c, p, n)))
		return NULL;
	return gpm_incident_str(c->inc, (const char *)b, n);
}

static void add_label(struct ctx *c, struct gpm_goroutine *g, uint64_t key, uint64_t value)
{
	const char *k = read_gostring(c, key), *v = read_gostring(c, value);
	if (k && v)
		gpm_error_destroy(gpm_incident_label_push(c->inc, g, k, strlen(k), v, strlen(v)));
}

enum { MAX_LABELS = 64 };

static int label_cmp(const void *a, const void *b)
{
	return strcmp(((const struct gpm_label *)a)->key, ((const struct gpm_label *)b)->key);
}

/*
 * pprof labels: g.labels points at runtime/pprof's labelMap. From Go 1.24 that is a struct
 * whose first field is a sorted slice of {key, value string} (label.go: LabelSet.list);
 * before, a map[string]string, so g.labels points at the map variable (runtime/map.go hmap with
 * 8-slot buckets of string keys and values, Go 1.19-1.23).
 */
static void read_labels(struct ctx *c, struct gpm_goroutine *g, uint64_t labels)
{
	unsigned w = c->ptr, str = 2 * w;
	if (!labels)
		return;
	if (c->p->img->facts.labels_slice) {
		uint64_t list, n;
		if (!read_word(c, labels, &list) || !read_word(c, labels + w, &n))
			return;
		for (uint64_t i = 0; i < n && i < MAX_LABELS; i++)
			add_label(c, g, list + i * 2 * str, list + i * 2 * str + str);
		return;
	}
	// g.labels is a *labelMap, and a map value is itself a pointer to the hmap: count int,
	// flags, B uint8, noverflow uint16, hash0 uint32, buckets, oldbuckets.
	uint64_t count, buckets;
	if (!read_word(c, labels, &labels) || !labels)
		return;
	uint8_t B;
	struct gpm_error *err = gpm_memory_u8(c->p->mem, labels + w + 1, &B);
	gpm_error_destroy(err);
	if (err || !read_word(c, labels, &count) || !read_word(c, labels + w + 8, &buckets) ||
	    B > 8 || !count)
		return;
	// bmap: tophash [8]uint8, keys [8]string, elems [8]string, overflow *bmap.
	uint64_t keys = 8, elems = keys + 8 * str, overflow = elems + 8 * str;
	unsigned found = 0;
	for (uint64_t bi = 0; bi < (1u << B) && found < count && found < MAX_LABELS; bi++) {
		uint64_t b = buckets + bi * (overflow + w);
		for (int chain = 0; b && chain < 16 && found < MAX_LABELS; chain++) {
			const uint8_t *top = borrow(c, b, 8);
			if (!top)
				break;
			uint8_t tophash[8];
			memcpy(tophash, top, 8);
			for (unsigned i = 0; i < 8 && found < MAX_LABELS; i++) {
				if (tophash[i] < 5) // empty or evacuated (minTopHash)
					continue;
				add_label(c, g, b + keys + i * str, b + elems + i * str);
				found++;
			}
			if (!read_word(c, b + overflow, &b))
				break;
		}
	}
	// Map order is random; print them sorted as later Go versions do.
	const struct gpm_goroutine_extra *x = xg(c, g);
	if (x->nlabels > 1)
		qsort(&c->inc->labels.v[x->first_label], x->nlabels, sizeof(struct gpm_label),
		      label_cmp);
}

static const char *func_name(struct ctx *c, uint64_t pc)
{
	struct gpm_func fn;
	return pc && gpm_pclntab_func_for_pc(c->tab, pc, &fn) ? fn.name : NULL;
}

/* Decodes one g into a new goroutine of the incident; dead g's are skipped. */
static struct gpm_error *read_goroutine(struct ctx *c, uint64_t gaddr, uint64_t signal_m)
{
	const struct rt_layout *rt = &c->rt;
	if (!gaddr) {
		// allgs never holds nil: its page was zeroed.
		if (!c->g_zero++)
			c->g_zero_first = gaddr;
		return NULL;
	}
	const uint8_t *b = read_g(c, gaddr);
	if (!b) {
		// Said once with the count after the walk: a core cut short loses thousands.
		if (!c->g_unread++)
			c->g_unread_first = gaddr;
		return NULL;
	}
	uint32_t raw = (uint32_t)rd(b, rt->g_status, 4);
	uint32_t status = raw & ~0x1000u;
	if (status == GPM_G_DEAD || status == GPM_G_DEADEXTRA)
		return NULL;
	// The g's bytes may move if the incident allocates; copy what we need first.
	uint64_t goid = rd(b, rt->g_goid, 8);
	// allgadd takes a g already _Gdead (runtime/proc.go newproc1, oneNewExtraM): one in
	// allgs that is idle with no id reads as zeros, a page of the core lost.
	if (status == GPM_G_IDLE && goid == 0) {
		if (!c->g_zero++)
			c->g_zero_first = gaddr;
		return NULL;
	}
	uint64_t lo = rd(b, rt->g_stack_lo, c->ptr), hi = rd(b, rt->g_stack_hi, c->ptr);
	uint64_t sched_pc = rd(b, rt->g_sched_pc, c->ptr), sched_sp = rd(b, rt->g_sched_sp, c->ptr);
	uint64_t sched_lr = field(b, rt->g_sched_lr, c->ptr);
	uint64_t syscallsp = field(b, rt->g_syscallsp, c->ptr),
	         syscallpc = field(b, rt->g_syscallpc, c->ptr);
	uint64_t m = rd(b, rt->g_m, c->ptr);
	uint64_t waitsince = field(b, rt->g_waitsince, 8);
	uint8_t reason = (uint8_t)field(b, rt->g_waitreason, 1);
	uint64_t lockedm = field(b, rt->g_lockedm, c->ptr);
	uint64_t gopc = field(b, rt->g_gopc, c->ptr), startpc = field(b, rt->g_startpc, c->ptr);
	uint64_t parent = field(b, rt->g_parent_goid, 8);
	uint64_t labels = field(b, rt->g_labels, c->ptr);
	uint8_t words = 0;
	if (rt->g_panic != NONE)
		words = GPM_G_WORDS_KNOWN | (rd(b, rt->g_panic, c->ptr) ? GPM_G_WORDS_PANIC : 0) |
		        (rd(b, rt->g_waiting, c->ptr) ? GPM_G_WORDS_WAITING : 0);

	struct gpm_goroutine *g = gpm_incident_goroutine_push(c->inc);
	if (!g)
		return &gpm_error_nomem;
	if (!gpm_incident_goroutine_extra(c->inc, g))
		return &gpm_error_nomem;
	g->id = goid;
	xg(c, g)->gaddr = gaddr;
	xg(c, g)->g_words = words;
	g->status = status <= GPM_G_DEADEXTRA ? (uint8_t)status : GPM_G_UNKNOWN;
	g->parent_id = parent;
	xg(c, g)->start_pc = startpc;
	read_labels(c, g, labels);
	// Go 1.26 prints labels inside the brackets, 1.27 after them (runtime/traceback.go).
	if (xg(c, g)->nlabels && c->p->img->facts.labels_inside)
		g->flags |= GPM_GOROUTINE_LABELS_INSIDE;
	xg(c, g)->mp = m;
	if (lockedm)
		g->flags |= GPM_GOROUTINE_LOCKED;
	// What the runtime prints in brackets: the wait reason, else the status.
	if ((status == GPM_G_WAITING || status == GPM_G_LEAKED) && reason) {
		if (!c->state_str[reason]) {
			const char *r = gpm_goimage_waitreason(c->p->img, reason);
			if (r)
				c->state_str[reason] = gpm_incident_str(c->inc, r, strlen(r));
		}
		g->wait_reason = c->state_str[reason];
	}
	if (!g->wait_reason) {
		const char **st = &c->state_str[256 + g->status];
		if (!*st) {
			const char *name = gpm_gstatus_name(g->status);
			*st = gpm_incident_str(c->inc, name, strlen(name));
		}
		g->state = *st;
	} else {
		g->state = g->wait_reason;
	}
	if (!g->state)
		return &gpm_error_nomem;
	// Minutes need the newest time of all goroutines: waitsince waits in wait_minutes
	// until the end (set_wait_minutes).
	g->wait_minutes =
	    (int64_t)((status == GPM_G_WAITING || status == GPM_G_SYSCALL) ? waitsince : 0);
	if (waitsince > c->newest)
		c->newest = waitsince;
	const char *start = func_name(c, startpc);
	if (start && !strncmp(start, "runtime.", 8) && strcmp(start, "runtime.main"))
		g->flags |= GPM_GOROUTINE_SYSTEM;

	// Where to unwind from: a running goroutine from its thread, else the saved state.
	struct start st = {sched_pc, sched_sp, false, sched_lr};
	if (syscallsp)
		st = (struct start){syscallpc, syscallsp, false, 0};
	struct thread_map *tm = m ? thread_of_m(c, m) : NULL;
	if (tm) {
		const uint8_t *mb = read_m(c, m);
		xg(c, g)->m_id = mb ? (int64_t)field(mb, rt->m_id, 8) : -1;
		xg(c, g)->thread_id = tm->t->tid;
		if (tm->curg == gaddr && status == GPM_G_RUNNING) {
			// The thread may be on this goroutine's stack, or in a signal handler (on
			// gsignal's stack, possibly with the TLS g not switched yet) that
			// interrupted it; otherwise it is on g0 and g.sched holds the switch.
			struct start sig;
			if (tm->t->sp >= lo && tm->t->sp < hi)
				st =
				    (struct start){tm->t->pc, tm->t->sp, true, thread_lr(c, tm->t)};
			else if (signal_context(c, tm->t, lo, hi, &sig, NULL))
				st = sig;
		}
		if (m == signal_m && tm->curg == gaddr)
			g->flags |= GPM_GOROUTINE_CURRENT;
	} else if (m) {
		const uint8_t *mb = read_m(c, m);
		xg(c, g)->m_id = mb ? (int64_t)field(mb, rt->m_id, 8) : -1;
	}
	bool stale = status == GPM_G_RUNNING && !st.trap;
	uint32_t gi = (uint32_t)(g - c->inc->goroutines.v);
	struct gpm_error *err = unwind(c, g, st, lo, hi);
	g = &c->inc->goroutines.v[gi];
	// The objects' reads of this stack, while it is in the window.
	if (!err && c->o->objects)
		err = gpm_objects_scan_goroutine(c->o->objects, c->inc, g, c->win_lo,
		                                 c->win_len ? c->winp : NULL, (size_t)c->win_len);
	c->win_len = 0; // the window is this stack's only
	if (err)
		return err;
	if (stale && !xg(c, g)->problem) {
		// Its thread's registers were not found: the saved state may predate what it ran.
		xg(c, g)->problem = gpm_incident_str(c->inc,
		                                     "running, but its thread was not found: stack "
		                                     "from its last saved state",
		                                     66);
	}
	return created_by(c, g, gopc);
}

/*
 * The system stack a thread is on (its M's g0 or gsignal), as the runtime prints it for each
 * M in a crash ("goroutine 0 gp=... m=N mp=... [idle]:"): unwound from the thread's
 * registers to the stack's top frame, without crossing to the user goroutine.
 */
static struct gpm_error *read_system_stack(struct ctx *c, const struct thread_map *tm)
{
	const uint8_t *gb = read_g(c, tm->g);
	const uint8_t *mb = read_m(c, tm->m);
	if (!gb || !mb)
		return NULL;
	struct gpm_goroutine *g = gpm_incident_goroutine_push(c->inc);
	if (!g)
		return &gpm_error_nomem;
	struct gpm_goroutine_extra *x = gpm_incident_goroutine_extra(c->inc, g);
	if (!x)
		return &gpm_error_nomem;
	g->id = 0;
	x->gaddr = tm->g;
	x->mp = tm->m;
	x->m_id = (int64_t)field(mb, c->rt.m_id, 8);
	x->thread_id = tm->t->tid;
	g->status = GPM_G_IDLE;
	g->flags = GPM_GOROUTINE_SYSTEM;
	g->state = gpm_incident_str(c->inc, "idle", 4);
	if (!g->state)
		return &gpm_error_nomem;
	uint32_t gi = (uint32_t)(g - c->inc->goroutines.v);
	struct start st = {tm->t->pc, tm->t->sp, true, thread_lr(c, tm->t)};
	// The signal stack and the C code it interrupted are not within g0's bounds.
	c->follow_signals = true;
	struct gpm_error *err = unwind(c, g, st, 0, 0);
	c->follow_signals = false;
	g = &c->inc->goroutines.v[gi];
	if (!err && xg(c, g)->problem && (g->flags & GPM_GOROUTINE_TRUNCATED)) {
		// The end of a system stack is often C or assembly without a frame: not damage.
		g->flags &= ~GPM_GOROUTINE_TRUNCATED;
	}
	return err;
}

/* Threads in code that is not Go (threads.c), told which m and goroutine each one runs. */
static struct gpm_error *read_threads(struct ctx *c)
{
	struct gpm_thread_hint *h = calloc(c->threads.len ? c->threads.len : 1, sizeof(*h));
	if (!h)
		return &gpm_error_nomem;
	for (size_t i = 0; i < c->threads.len; i++) {
		const struct thread_map *tm = &c->threads.v[i];
		h[i] = (struct gpm_thread_hint){.tid = tm->t->tid, .m_id = -1};
		const uint8_t *mb = tm->m ? read_m(c, tm->m) : NULL;
		if (mb)
			h[i].m_id = (int64_t)field(mb, c->rt.m_id, 8);
		const uint8_t *gb = tm->curg ? read_g(c, tm->curg) : NULL;
		if (gb)
			h[i].goroutine = rd(gb, c->rt.g_goid, 8);
	}
	struct gpm_error *err = gpm_goroutines_read_threads(c->p, h, c->threads.len, c->inc);
	free(h);
	return err;
}

/*
 * Wait minutes, as the runtime prints them ((nanotime() - waitsince) / 1 minute). A core
 * holds no clock, so "now" is the newest time the runtime recorded: the newest wait start
 * of any goroutine and the scheduler's last poll. The minutes are lower bounds.
 */
static void set_wait_minutes(struct ctx *c)
{
	uint64_t now = c->newest, addr, size;
	const struct gpm_layout *sched;
	struct gpm_error *err = gpm_goimage_layout(c->p->img, "runtime.schedt", &sched);
	if (!err && gpm_goimage_symbol(c->p->img, "runtime.sched", &addr, &size)) {
		uint64_t off = gpm_layout_offset(sched, "lastpoll"), v;
		if (off != NONE && read_word(c, addr + off, &v) && v > now)
			now = v;
	}
	gpm_error_destroy(err);
	c->inc->core_now = now;
	for (size_t i = 0; i < c->inc->goroutines.len; i++) {
		struct gpm_goroutine *g = &c->inc->goroutines.v[i];
		uint64_t since = (uint64_t)g->wait_minutes; // read_goroutine's waitsince
		g->wait_minutes =
		    since && now > since ? (int64_t)((now - since) / 60000000000ULL) : -1;
	}
}

void gpm_incident_set_exe_facts(struct gpm_incident *inc, const struct gpm_exe *exe,
                                const struct gpm_goimage *img)
{
	if (img && img->go_version[0])
		inc->go_version = gpm_incident_str(inc, img->go_version, strlen(img->go_version));
	const char *mod =
	    img && img->has_buildinfo
	        ? (img->buildinfo.main.path ? img->buildinfo.main.path : img->buildinfo.path)
	        : NULL;
	if (mod)
		inc->main_module = gpm_incident_str(inc, mod, strlen(mod));
	const char *path = gpm_exe_path(exe);
	inc->exe_path = gpm_incident_str(inc, path, strlen(path));
	if (img && img->has_buildinfo) {
		const char *rev = gpm_buildinfo_setting(&img->buildinfo, "vcs.revision");
		const char *modified = gpm_buildinfo_setting(&img->buildinfo, "vcs.modified");
		if (rev && *rev) {
			char buf[128];
			snprintf(buf, sizeof(buf), "%s%s", rev,
			         modified && !strcmp(modified, "true") ? "+dirty" : "");
			inc->vcs_revision = gpm_incident_str(inc, buf, strlen(buf));
		}
		const char *vt = gpm_buildinfo_setting(&img->buildinfo, "vcs.time");
		int y, mo, d, h, mi, se;
		// vcs.time is RFC 3339 in UTC ("2024-05-01T10:00:00Z"), as cmd/go writes it.
		if (vt && sscanf(vt, "%4d-%2d-%2dT%2d:%2d:%2dZ", &y, &mo, &d, &h, &mi, &se) == 6 &&
		    y >= 1970 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31) {
			struct tm tm = {.tm_year = y - 1900,
			                .tm_mon = mo - 1,
			                .tm_mday = d,
			                .tm_hour = h,
			                .tm_min = mi,
			                .tm_sec = se};
			inc->vcs_time = (int64_t)timegm(&tm);
		}
	}
	const char *bid = gpm_exe_gnu_build_id(exe);
	if (!bid)
		bid = gpm_exe_go_build_id(exe);
	if (bid)
		inc->build_id = gpm_incident_str(inc, bid, strlen(bid));
}

static void fill_process_facts(struct ctx *c)
{
	struct gpm_incident *inc = c->inc;
	const struct gpm_goimage *img = c->p->img;
	gpm_incident_set_exe_facts(inc, c->p->exe, img);
	inc->arch = c->arch->name;
	uint64_t base;
	const char *pexe = gpm_core_exe_mapping(c->p->core, &base);
	if (!pexe)
		pexe = gpm_core_execfn(c->p->core);
	if (pexe && *pexe)
		inc->process_exe = gpm_incident_str(inc, pexe, strlen(pexe));
	const struct gpm_core_psinfo *ps = gpm_core_psinfo(c->p->core);
	if (ps) {
		inc->pid = ps->pid;
		inc->cmdline = gpm_incident_str(inc, ps->psargs, strlen(ps->psargs));
	}
	// What the readers below could not read is part of the result too.
	for (size_t i = 0; i < gpm_core_warning_count(c->p->core); i++)
		gpm_incident_warn(inc, "%s", gpm_core_warning_at(c->p->core, i));
	for (size_t i = 0; i < gpm_goimage_warning_count(img); i++)
		gpm_incident_warn(inc, "%s", gpm_goimage_warning(img, i));
	const struct gpm_core_siginfo *si = gpm_core_siginfo(c->p->core);
	int stop;
	if (gpm_core_is_snapshot(c->p->core, &stop)) {
		inc->crash.live_snapshot = true;
		inc->crash.stop_signo = stop;
	} else if (si && si->signo) {
		inc->crash.signo = si->signo;
		inc->crash.sigcode = si->code_unknown ? INT64_MIN : si->code;
		inc->crash.has_fault_addr = si->has_addr;
		inc->crash.fault_addr = si->addr;
	}
}

/* A runtime structure the goroutines cannot be read without is missing from the core: bad
 * input (exit 4), not an object the user asked for (exit 6), and named with the damage the
 * core reader already saw (the first "core truncated: ..." or the like), which is the likely
 * cause; a core with no such damage says nothing more. */
static struct gpm_error *input_error(const struct gpm_core *core, struct gpm_error *err)
{
	if (err == &gpm_error_nomem ||
	    (err->code != GPM_ERR_NOT_FOUND && err->code != GPM_ERR_FAULT))
		return err;
	err->code = GPM_ERR_FORMAT;
	if (gpm_core_warning_count(core))
		err = gpm_error_wrap(err, "%s", gpm_core_warning_at(core, 0));
	return err;
}

struct gpm_error *gpm_goroutines_read(struct gpm_process *p, const struct gpm_goroutines_options *o,
                                      struct gpm_incident **out)
{
	static const struct gpm_goroutines_options defaults;
	struct ctx c = {.p = p, .o = o ? o : &defaults, .ptr = p->img->ptr_size};
	c.tab = p->img->pclntab;
	c.go121 = p->img->facts.unwinder;
	c.arch = gpm_core_arch(p->core);
	c.uses_lr = c.arch->lr_reg >= 0;
	struct gpm_func fn;
	if (gpm_pclntab_func_by_name(c.tab, "runtime.sigtramp", &fn))
		c.sigtramp[0] = fn.entry;
	if (gpm_pclntab_func_by_name(c.tab, "runtime.cgoSigtramp", &fn))
		c.sigtramp[1] = fn.entry;
	c.inc = gpm_incident_create(GPM_INPUT_CORE);
	c.args_seen = calloc(ARGS_SEEN, sizeof(*c.args_seen));
	c.frame_seen = calloc(FRAME_SEEN, sizeof(*c.frame_seen));
	c.raw_seen = calloc(RAW_SEEN, sizeof(*c.raw_seen));
	if (!c.inc || !c.args_seen || !c.frame_seen) {
		gpm_incident_destroy(c.inc);
		free(c.args_seen);
		free(c.frame_seen);
		return &gpm_error_nomem;
	}
	struct gpm_error *err = load_layout(&c);
	uint64_t allgs = 0, n = 0;
	const char *how = NULL;
	if (!err)
		err = find_allgs(&c, &allgs, &n, &how);
	if (err)
		goto fail;
	fill_process_facts(&c);
	map_threads(&c);
	// A snapshot of a live process (gcore) has no thread that took a fatal signal, so no
	// goroutine that crashed.
	const struct gpm_core_thread *sig =
	    gpm_core_is_snapshot(p->core, NULL) ? NULL : gpm_core_signal_thread(p->core);
	uint64_t signal_m = 0;
	for (size_t i = 0; sig && i < c.threads.len; i++)
		if (c.threads.v[i].t == sig)
			signal_m = c.threads.v[i].m;
	read_c_fault(&c, sig);
	// allgs holds each g once (runtime/proc.go allgadd); a core where two entries are the
	// same g is damaged: each g is read once and the repeats are said, not counted twice.
	struct gpm_u64map dups;
	if ((err = allgs_dups(&c, allgs, n, &dups)))
		goto fail;
	// Room for them all at once: no copying of a growing array of a million records
	// (advice: without the room they grow as pushed).
	(void)gpm_vec_reserve(&c.inc->goroutines, n + c.threads.len);
	(void)gpm_vec_reserve(&c.inc->extras, n + c.threads.len);
	uint64_t repeats = 0, first_repeat = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t g;
		if (!read_word(&c, allgs + i * c.ptr, &g)) {
			gpm_incident_warn(c.inc,
			                  "allgs[%" PRIu64 "] at 0x%" PRIx64 " is not in the core",
			                  i, allgs + i * c.ptr);
			continue;
		}
		if (dups.len && g && allgs_repeat(&dups, g)) {
			if (!repeats++)
				first_repeat = i;
			continue;
		}
		if ((err = read_goroutine(&c, g, signal_m)))
			break;
		// Stacks are scattered over the core: don't let its pages pile up in memory.
		if (i % 2048 == 2047)
			gpm_core_release_pages(p->core);
	}
	gpm_u64map_free(&dups);
	if (err)
		goto fail;
	if (c.g_unread &&
	    (err = gpm_incident_warn(c.inc,
	                             "%" PRIu64 " of %" PRIu64
	                             " goroutines (allgs entries) are not in the core (first "
	                             "g at 0x%" PRIx64 "): they are not listed",
	                             c.g_unread, n, c.g_unread_first)))
		goto fail;
	if (c.g_zero && (err = gpm_incident_warn(
	                     c.inc,
	                     "%" PRIu64 " goroutines (allgs entries) read as zeros (first g "
	                     "at 0x%" PRIx64 "): the core is damaged; they are not listed",
	                     c.g_zero, c.g_zero_first)))
		goto fail;
	if (repeats)
		gpm_incident_warn(c.inc,
		                  "allgs repeats a goroutine %" PRIu64
		                  " times (first allgs[%" PRIu64
		                  "]): the core is damaged; each goroutine is listed once",
		                  repeats, first_repeat);
	set_wait_minutes(&c);
	if (c.args_unread)
		gpm_incident_warn(c.inc,
		                  "arguments of %" PRIu64
		                  " frames could not be read (printed \"?\"); "
		                  "first: %s",
		                  c.args_unread, c.args_why ? c.args_why : "?");
	// On request, the system stacks of the threads that are on one (g0, gsignal).
	for (size_t i = 0; c.o->system_stacks && i < c.threads.len; i++) {
		const struct thread_map *tm = &c.threads.v[i];
		if (tm->m && (tm->role == ROLE_G0 || tm->role == ROLE_GSIGNAL) &&
		    (err = read_system_stack(&c, tm)))
			goto fail;
	}
	// The threads in code that is not Go, with their native stacks.
	if ((err = read_threads(&c)))
		goto fail;
	// The runtime prints the goroutine that crashed first.
	for (size_t i = 1; i < c.inc->goroutines.len; i++) {
		if (!(c.inc->goroutines.v[i].flags & GPM_GOROUTINE_CURRENT))
			continue;
		struct gpm_goroutine cur = c.inc->goroutines.v[i];
		memmove(&c.inc->goroutines.v[1], &c.inc->goroutines.v[0], i * sizeof(cur));
		c.inc->goroutines.v[0] = cur;
		break;
	}
	(void)how;
	if (p->mem)
		gpm_memory_unpin(p->mem); // read_g's and the windows' loans end here
	gpm_vec_free(&c.lframes);
	gpm_vec_free(&c.stack);
	gpm_vec_free(&c.tail);
	gpm_vec_free(&c.regs);
	gpm_vec_free(&c.threads);
	free(c.cache);
	gpm_u64map_free(&c.creators);
	gpm_vec_free(&c.layouts);
	gpm_vec_free(&c.layout_spans);
	free(c.raw_seen);
	gpm_strbuf_deinit(&c.args);
	free(c.args_seen);
	free(c.frame_seen);
	free(c.gbuf);
	free(c.mbuf);
	gpm_native_destroy(c.native);
	*out = c.inc;
	return NULL;
fail:
	if (p->mem)
		gpm_memory_unpin(p->mem);
	gpm_vec_free(&c.lframes);
	gpm_vec_free(&c.stack);
	gpm_vec_free(&c.tail);
	gpm_vec_free(&c.regs);
	gpm_vec_free(&c.threads);
	free(c.cache);
	gpm_u64map_free(&c.creators);
	gpm_vec_free(&c.layouts);
	gpm_vec_free(&c.layout_spans);
	free(c.raw_seen);
	gpm_strbuf_deinit(&c.args);
	free(c.args_seen);
	free(c.frame_seen);
	free(c.gbuf);
	free(c.mbuf);
	gpm_native_destroy(c.native);
	gpm_incident_destroy(c.inc);
	return input_error(p->core, err);
}
