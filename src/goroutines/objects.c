/*
 * Core-only facts about goroutines (see objects.h).
 *
 * Mirrored structures, read by field name (Go 1.19-1.27):
 *   runtime/runtime2.go g: _panic *_panic, waiting *sudog, sig uint32, sigcode0, sigcode1,
 *     sigpc uintptr; _panic: arg any, link *_panic, recovered bool (+ repanicked, Go 1.23+);
 *     sudog: g *g, elem unsafe.Pointer, c *hchan, waitlink *sudog.
 *   runtime/runtime2.go eface: {_type *_type, data unsafe.Pointer} (an `any` is two words).
 *   runtime/error.go: errorString and plainError are strings, boundsError {x int64, y int,
 *     signed bool, code uint8} with boundsErrorFmt; errors/errors.go errorString {s string};
 *     fmt/errors.go wrapError {msg string, err error}.
 *   runtime/sema.go semacquire1: the sudog's elem is the semaphore's address; the sudog and
 *     the address stay in semacquire1's frame while it is parked (Go keeps no value in
 *     registers across a call), and sync.(*Mutex).lockSlow keeps its receiver in its frame.
 *   runtime/panic.go throw(s string) and fatal(s string): systemstack(func() { print(s) })
 *     leaves the closure {fn, s.ptr, s.len} in the thrower's frame.
 */
#include "goroutines/objects.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "base/strbuf.h"
#include "base/u64map.h"
#include "core/core.h"
#include "elf/exe.h"
#include "gort/gotype.h"
#include "gort/image.h"
#include "gort/layout.h"

#define NONE UINT64_MAX

enum { FN_MEMO = 64, MARK_SEMA = 1, MARK_LOCK = 2 };

struct octx {
	struct gpm_process *p;
	struct gpm_incident *inc;
	unsigned ps;
	uint64_t g_panic, g_waiting, g_sig, g_sigcode0, g_sigcode1, g_sigpc;
	uint64_t p_arg, p_link, p_recovered, p_repanicked, p_goexit;
	uint64_t s_g, s_elem, s_elem_vu, s_c, s_waitlink, s_size;
	/* During the goroutine pass (gpm_objects_scan_goroutine): the used part of the stack
	 * being read, a copy of the core's bytes at [win_lo, win_lo + win_len) */
	const uint8_t *win;
	uint64_t win_lo, win_len;
	/* wait_object's tests of a frame's function (frame_marks), by the name's address */
	struct {
		const char *fn;
		uint8_t marks;
	} fn_memo[FN_MEMO];
};

static bool word(struct octx *c, uint64_t addr, uint64_t *out)
{
	uint64_t at = addr - c->win_lo;
	if (c->win_len && at < c->win_len && c->win_len - at >= c->ps) {
		*out = gpm_le_word(c->win + at, c->ps);
		return true;
	}
	return gpm_memory_word_try(c->p->mem, addr, out);
}

static bool byte_at(struct octx *c, uint64_t addr, uint8_t *out)
{
	struct gpm_error *err = gpm_memory_u8(c->p->mem, addr, out);
	if (err) {
		gpm_error_destroy(err);
		return false;
	}
	return true;
}

static bool field_word(struct octx *c, uint64_t base, uint64_t off, uint64_t *out)
{
	uint64_t a;
	if (off == NONE || __builtin_add_overflow(base, off, &a))
		return false;
	return word(c, a, out);
}

static uint64_t off_of(struct gpm_goimage *img, const char *type, const char *path)
{
	const struct gpm_layout *l;
	struct gpm_error *err = gpm_goimage_layout(img, type, &l);
	if (err) {
		gpm_error_destroy(err);
		return NONE;
	}
	return gpm_layout_offset(l, path);
}

/* ---- type names ---- */

bool gpm_objects_type_name(struct gpm_goimage *img, uint64_t type, char *buf, size_t cap,
                           uint8_t *kind)
{
	// Decoded by the one type-descriptor reader (gort/gotype.h); only printable names
	// are taken (the descriptor may be garbage).
	if (!gpm_gotype_name(img, type, buf, cap > 1025 ? 1025 : cap, kind))
		return false;
	for (size_t i = 0; buf[i]; i++)
		if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] >= 0x7f)
			return false;
	return true;
}

/* ---- panic values ---- */

/* Appends the Go string at (ptr, len), capped; false when unreadable. */
static bool append_gostring(struct octx *c, uint64_t ptr, uint64_t len, struct gpm_strbuf *sb)
{
	if (len > GPM_OBJECTS_MAX_STRING)
		len = GPM_OBJECTS_MAX_STRING;
	if (!len)
		return true;
	const uint8_t *b;
	struct gpm_error *err = gpm_memory_ptr(c->p->mem, ptr, (size_t)len, &b);
	if (err) {
		gpm_error_destroy(err);
		return false;
	}
	gpm_strbuf_append(sb, (const char *)b, (size_t)len);
	return true;
}

/* A string header at addr. */
static bool append_string_at(struct octx *c, uint64_t addr, struct gpm_strbuf *sb)
{
	uint64_t ptr, len;
	return word(c, addr, &ptr) && word(c, addr + c->ps, &len) &&
	       append_gostring(c, ptr, len, sb);
}

static const char *const bounds_fmt[] = {
    // runtime/error.go boundsErrorFmt (Go 1.19-1.27)
    "index out of range [%x] with length %y",
    "slice bounds out of range [:%x] with length %y",
    "slice bounds out of range [:%x] with capacity %y",
    "slice bounds out of range [%x:%y]",
    "slice bounds out of range [::%x] with length %y",
    "slice bounds out of range [::%x] with capacity %y",
    "slice bounds out of range [:%x:%y]",
    "slice bounds out of range [%x:%y:]",
    "cannot convert slice with length %x to array or pointer to array with length %y",
};

static bool bounds_error(struct octx *c, uint64_t data, struct gpm_strbuf *sb)
{
	struct gpm_goimage *img = c->p->img;
	uint64_t ox = off_of(img, "runtime.boundsError", "x");
	uint64_t oy = off_of(img, "runtime.boundsError", "y");
	uint64_t os = off_of(img, "runtime.boundsError", "signed");
	uint64_t oc = off_of(img, "runtime.boundsError", "code");
	uint64_t x, y;
	uint8_t sg = 1, code;
	if (ox == NONE || oy == NONE || oc == NONE || !word(c, data + ox, &x) ||
	    !word(c, data + oy, &y) || !byte_at(c, data + oc, &code) ||
	    code >= sizeof(bounds_fmt) / sizeof(bounds_fmt[0]))
		return false;
	if (os != NONE)
		byte_at(c, data + os, &sg);
	gpm_strbuf_puts(sb, "runtime error: ");
	for (const char *f = bounds_fmt[code]; *f; f++) {
		if (*f == '%' && (f[1] == 'x' || f[1] == 'y')) {
			if (f[1] == 'x' && sg)
				gpm_strbuf_printf(sb, "%" PRId64, (int64_t)x);
			else
				gpm_strbuf_printf(sb, "%" PRIu64, f[1] == 'x' ? x : y);
			f++;
		} else {
			gpm_strbuf_putc(sb, *f);
		}
	}
	return true;
}

/* runtime/error.go printpanicval, for the values a core lets us format. */
static void panic_value(struct octx *c, uint64_t type, uint64_t data, struct gpm_panic *out,
                        struct gpm_strbuf *sb)
{
	char name[256];
	uint8_t kind = 0;
	if (!type) {
		gpm_strbuf_puts(sb, "nil");
		return;
	}
	if (!gpm_objects_type_name(c->p->img, type, name, sizeof(name), &kind)) {
		gpm_strbuf_printf(sb, "(type at %#" PRIx64 ") %#" PRIx64, type, data);
		return;
	}
	size_t mark = sb->len;
	if (!strcmp(name, "runtime.errorString") || !strcmp(name, "runtime.plainError")) {
		out->is_error = true;
		if (name[8] == 'e')
			gpm_strbuf_puts(sb, "runtime error: ");
		if (append_string_at(c, data, sb))
			return;
	} else if (!strcmp(name, "runtime.boundsError")) {
		out->is_error = true;
		if (bounds_error(c, data, sb))
			return;
	} else if (!strcmp(name, "*errors.errorString")) {
		out->is_error = true;
		uint64_t o = off_of(c->p->img, "errors.errorString", "s");
		if (o != NONE && append_string_at(c, data + o, sb))
			return;
	} else if (!strcmp(name, "*fmt.wrapError") || !strcmp(name, "*fmt.wrapErrors")) {
		out->is_error = true;
		uint64_t o = off_of(c->p->img, name + 1, "msg");
		if (o != NONE && append_string_at(c, data + o, sb))
			return;
	} else if (kind == GPM_KIND_STRING) {
		// A string (or a named string type: the runtime prints its value, Go 1.18+).
		if (append_string_at(c, data, sb)) {
			if (strcmp(name, "string"))
				gpm_strbuf_printf(sb, " (%s)", name);
			return;
		}
	} else if (kind >= GPM_KIND_INT && kind <= GPM_KIND_UINTPTR) {
		static const uint8_t sizes[] = {0, 0, 8, 1, 2, 4, 8, 8, 1, 2, 4, 8, 8};
		uint64_t v = 0;
		uint8_t b;
		for (unsigned i = 0; i < sizes[kind]; i++) {
			if (!byte_at(c, data + i, &b))
				goto opaque;
			v |= (uint64_t)b << (8 * i);
		}
		bool sgn = kind <= GPM_KIND_INT64;
		if (sgn && sizes[kind] < 8 && (v >> (8 * sizes[kind] - 1)) & 1)
			v |= ~0ULL << (8 * sizes[kind]);
		if (sgn)
			gpm_strbuf_printf(sb, "%" PRId64, (int64_t)v);
		else
			gpm_strbuf_printf(sb, "%" PRIu64, v);
		if (strcmp(name, "int") && strcmp(name, "uint"))
			gpm_strbuf_printf(sb, " (%s)", name);
		return;
	}
opaque:
	// What the runtime prints for other values: "(T) 0xADDR"; an error's own message
	// would need its Error method run, which a core cannot do.
	sb->len = mark;
	if (sb->buf)
		sb->buf[mark] = 0;
	gpm_strbuf_printf(sb, "(%s) %#" PRIx64, name, data);
}

/* A `gopm print` expression of a panic value (interned; "" when none applies, NULL out of
 * memory): a pointer as (*T)(0xADDR), a value the interface points at as *(*T)(0xADDR). */
static const char *panic_print(struct octx *c, uint64_t type, uint64_t data)
{
	struct gpm_gotype t;
	char buf[600];
	buf[0] = 0;
	struct gpm_error *err = type && data ? gpm_gotype_read(c->p->img, type, &t) : NULL;
	if (err) {
		gpm_error_destroy(err);
	} else if (type && data) {
		if (t.kind == GPM_KIND_POINTER && t.name && strlen(t.name) < 512)
			snprintf(buf, sizeof(buf), "(%s)(%#" PRIx64 ")", t.name, data);
		else if (!t.direct_iface && t.name && strlen(t.name) < 512)
			snprintf(buf, sizeof(buf), "*(*%s)(%#" PRIx64 ")", t.name, data);
		gpm_gotype_deinit(&t);
	}
	// Names with spaces (struct literals, interface {}) are quoted by whoever prints it.
	return gpm_incident_str(c->inc, buf, strlen(buf));
}

/* Whether the goroutine reader saw g's word (GPM_G_WORDS_PANIC, _WAITING) nil: then it
 * need not be read again (a million g's are a pass over most of a core). */
static bool g_word_nil(const struct octx *c, const struct gpm_goroutine *g, unsigned word)
{
	uint8_t w = gpm_goroutine_extra(c->inc, g)->g_words;
	return (w & GPM_G_WORDS_KNOWN) && !(w & word);
}

static struct gpm_error *read_panics(struct octx *c, const struct gpm_goroutine *g)
{
	uint64_t pa;
	if (g_word_nil(c, g, GPM_G_WORDS_PANIC))
		return NULL;
	if (!field_word(c, gpm_goroutine_extra(c->inc, g)->gaddr, c->g_panic, &pa) || !pa ||
	    c->p_arg == NONE)
		return NULL;
	struct gpm_panic chain[GPM_OBJECTS_MAX_PANICS];
	size_t n = 0;
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	struct gpm_incident *inc = c->inc;
	for (; pa && n < GPM_OBJECTS_MAX_PANICS; n++) {
		struct gpm_panic pv = {0};
		uint64_t type = 0, data = 0;
		if (!field_word(c, pa, c->p_arg, &type) ||
		    !field_word(c, pa, c->p_arg + c->ps, &data))
			break;
		uint8_t b;
		if (c->p_recovered != NONE && byte_at(c, pa + c->p_recovered, &b))
			pv.recovered = b != 0;
		if (c->p_repanicked != NONE && byte_at(c, pa + c->p_repanicked, &b))
			pv.repanicked = b != 0;
		if (c->p_goexit != NONE && byte_at(c, pa + c->p_goexit, &b) && b) {
			// runtime.Goexit's pseudo-panic: not a panic value.
			if (!field_word(c, pa, c->p_link, &pa))
				break;
			n--;
			continue;
		}
		gpm_strbuf_reset(&sb);
		pv.arg_type = type;
		pv.arg_data = data;
		if (!(pv.print = panic_print(c, type, data))) {
			gpm_strbuf_deinit(&sb);
			return &gpm_error_nomem;
		}
		if (!*pv.print)
			pv.print = NULL;
		panic_value(c, type, data, &pv, &sb);
		if (sb.oom) {
			gpm_strbuf_deinit(&sb);
			return &gpm_error_nomem;
		}
		pv.message = gpm_incident_str(inc, sb.buf ? sb.buf : "", sb.len);
		if (!pv.message) {
			gpm_strbuf_deinit(&sb);
			return &gpm_error_nomem;
		}
		chain[n] = pv;
		if (!field_word(c, pa, c->p_link, &pa))
			pa = 0;
	}
	gpm_strbuf_deinit(&sb);
	if (!n)
		return NULL;
	if (pa)
		inc->panics_dropped++;
	// g._panic is the newest; the runtime prints the oldest first.
	for (size_t i = n; i-- > 0;) {
		struct gpm_panic *slot = gpm_vec_push(&inc->crash.panics);
		if (!slot)
			return &gpm_error_nomem;
		*slot = chain[i];
	}
	inc->crash.panic_goroutine = g->id;
	if (inc->crash.kind == GPM_FATAL_NONE || inc->crash.kind == GPM_FATAL_UNKNOWN)
		inc->crash.kind = GPM_FATAL_PANIC;
	return NULL;
}

static void read_signal(struct octx *c, const struct gpm_goroutine *g)
{
	uint64_t sig = 0, code = 0, addr = 0, pc = 0;
	if (c->g_sig == NONE)
		return;
	uint8_t b[4];
	uint64_t gaddr = gpm_goroutine_extra(c->inc, g)->gaddr;
	struct gpm_error *err = gpm_memory_read(c->p->mem, gaddr + c->g_sig, b, 4);
	if (err) {
		gpm_error_destroy(err);
		return;
	}
	sig = (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 | (uint64_t)b[3] << 24;
	if (!sig || sig > 64)
		return;
	field_word(c, gaddr, c->g_sigcode0, &code);
	field_word(c, gaddr, c->g_sigcode1, &addr);
	field_word(c, gaddr, c->g_sigpc, &pc);
	c->inc->crash.go_signo = (int)sig;
	c->inc->crash.go_sigcode = code;
	c->inc->crash.go_sigaddr = addr;
	c->inc->crash.go_sigpc = pc;
	c->inc->crash.go_sig_goroutine = g->id;
}

/* ---- throw messages ---- */

static bool in_rodata(struct octx *c, uint64_t a)
{
	const struct gpm_moduledata *md = &c->p->img->moduledata;
	if (!c->p->img->has_moduledata)
		return false;
	uint64_t lo = md->etext, hi = md->noptrdata ? md->noptrdata : md->data;
	return lo && hi > lo && a >= lo && a < hi;
}

/* The first (ptr, len) in [lo, hi) naming a printable string in read-only data. */
static const char *find_message(struct octx *c, uint64_t lo, uint64_t hi)
{
	for (uint64_t a = lo; a + 2 * c->ps <= hi; a += c->ps) {
		uint64_t ptr, len;
		if (!word(c, a, &ptr) || !in_rodata(c, ptr) || !word(c, a + c->ps, &len) ||
		    len < 4 || len > 256)
			continue;
		const uint8_t *b;
		struct gpm_error *err = gpm_memory_ptr(c->p->mem, ptr, (size_t)len, &b);
		if (err) {
			gpm_error_destroy(err);
			continue;
		}
		bool ok = true, letter = false;
		for (uint64_t i = 0; i < len && ok; i++) {
			ok = b[i] >= 0x20 && b[i] < 0x7f;
			letter |= b[i] >= 'a' && b[i] <= 'z';
		}
		if (ok && letter)
			return gpm_incident_str(c->inc, (const char *)b, (size_t)len);
	}
	return NULL;
}

static bool is_thrower(const char *f)
{
	return f && (!strcmp(f, "runtime.throw") || !strcmp(f, "runtime.fatal"));
}

/*
 * A return address into throw/fatal on the stack [lo, hi): the thrower's frame follows.
 * The aborting thread is often on its signal stack (the runtime's handler saw the SIGABRT
 * it raised): the interrupted stack pointer is then one of the words of the signal frame
 * after the return address into sigreturn, so those are followed once (depth 1).
 */
static const char *scan_thread_stack(struct octx *c, uint64_t lo, uint64_t hi, int depth)
{
	struct gpm_pclntab *tab = c->p->img->pclntab;
	const struct gpm_arch_ops *arch = gpm_core_arch(c->p->core);
	for (uint64_t a = lo; a + c->ps <= hi; a += c->ps) {
		uint64_t w;
		struct gpm_func fn;
		if (!word(c, a, &w))
			return NULL; // the end of the mapped stack
		// The signal frame's return address is sigreturn's entry (the restorer, amd64) or
		// the rt_sigreturn code of a trampoline outside Go's text (vdso, qemu: arm64).
		bool sigret = depth > 0 && gpm_arch_is_sigreturn(arch, c->p->mem, w);
		if (!sigret &&
		    (w < c->p->img->moduledata.text || w >= c->p->img->moduledata.etext ||
		     !gpm_pclntab_func_for_pc(tab, w, &fn)))
			continue;
		if (depth > 0 && (sigret || (fn.name && strstr(fn.name, "runtime.sigreturn")))) {
			// The interrupted sp is in the signal frame, at most the handler's frame
			// and the frame's sp offset away.
			for (uint64_t k = 1; k < 48 + arch->sigframe.sp / c->ps; k++) {
				uint64_t sp;
				if (!word(c, a + k * c->ps, &sp) || sp % c->ps ||
				    (sp >= lo && sp < hi) ||
				    !gpm_memory_readable(c->p->mem, sp, c->ps))
					continue;
				const char *m = scan_thread_stack(c, sp, sp + 8192, depth - 1);
				if (m)
					return m;
			}
			continue;
		}
		if (w == fn.entry || !is_thrower(fn.name))
			continue;
		const char *m = find_message(c, a + c->ps, a + c->ps + 32 * c->ps);
		if (m)
			return m;
	}
	return NULL;
}

static void read_throw(struct octx *c)
{
	struct gpm_incident *inc = c->inc;
	if (inc->crash.kind != GPM_FATAL_NONE || !c->p->img->has_moduledata)
		return;
	const char *msg = NULL;
	// A throw on a goroutine's own stack: the thrower's frame is known.
	for (size_t i = 0; i < inc->goroutines.len && !msg; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		if (!(g->flags & GPM_GOROUTINE_CURRENT) || !gpm_goroutine_has_regs(inc, g))
			continue;
		uint32_t n;
		const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
		for (uint32_t k = 0; k < n && k < 8 && !msg; k++) {
			struct gpm_frame_regs r = gpm_goroutine_frame_regs(inc, g, k);
			if (is_thrower(f[k].func) && r.fp > r.sp)
				msg = find_message(c, r.sp, r.fp + 4 * c->ps);
		}
	}
	// A throw on the system stack (the scheduler's deadlock check, newstack): scan the
	// stack of the thread that aborted.
	const struct gpm_core_thread *t = gpm_core_signal_thread(c->p->core);
	if (!msg && t && t->sp)
		msg = scan_thread_stack(c, t->sp, t->sp + GPM_OBJECTS_MAX_SCAN, 1);
	if (msg) {
		inc->crash.kind = GPM_FATAL_THROW;
		inc->crash.fatal_message = msg;
	}
}

/*
 * Every 2,048 goroutines, gives the core's file pages back (the bytes stay valid and are
 * read again on access): the goroutines' g structs, sudogs and stacks are scattered over
 * the whole core, and a pass over all of them would otherwise leave it all resident.
 */
static void ease(struct octx *c, size_t i)
{
	if (i % 2048 == 2047)
		gpm_core_release_pages(c->p->core);
}

/* ---- wait objects ---- */

static bool sudog_of(struct octx *c, uint64_t s, uint64_t gaddr)
{
	uint64_t sg;
	return s && (s % c->ps) == 0 && field_word(c, s, c->s_g, &sg) && sg == gaddr;
}

/*
 * MARK_SEMA when fn is runtime.semacquire1, MARK_LOCK when it is (internal/)sync.(*Mutex)
 * .lockSlow. The names are the incident's interned strings, a few distinct ones for a
 * million goroutines: each is tested once and remembered by its address (the strstr of
 * every frame of every waiting goroutine was ~2 % of analysing a million of them).
 */
static unsigned frame_marks(struct octx *c, const char *fn)
{
	size_t i = (size_t)(((uintptr_t)fn >> 3 ^ (uintptr_t)fn >> 11) % FN_MEMO);
	if (c->fn_memo[i].fn == fn)
		return c->fn_memo[i].marks;
	unsigned m = 0;
	if (!strcmp(fn, "runtime.semacquire1"))
		m |= MARK_SEMA;
	const char *ls = strstr(fn, "sync.(*Mutex).lockSlow");
	if (ls && (ls == fn || (ls - fn == 9 && !strncmp(fn, "internal/", 9))))
		m |= MARK_LOCK;
	c->fn_memo[i].fn = fn;
	c->fn_memo[i].marks = (uint8_t)m;
	return m;
}

static void wait_object(struct octx *c, struct gpm_goroutine *g)
{
	struct gpm_incident *inc = c->inc;
	struct gpm_goroutine_extra *x = gpm_incident_goroutine_extra(inc, g);
	if (!x)
		return;
	uint64_t s = 0;
	const char *why = g->wait_reason ? g->wait_reason : "";
	if (!g_word_nil(c, g, GPM_G_WORDS_WAITING) && field_word(c, x->gaddr, c->g_waiting, &s) &&
	    sudog_of(c, s, x->gaddr)) {
		uint64_t ch = 0;
		if (field_word(c, s, c->s_c, &ch) && ch) {
			x->wait_object = ch;
			x->wait_object_kind =
			    strstr(why, "select") ? GPM_WAIT_OBJECT_SELECT : GPM_WAIT_OBJECT_CHAN;
			return;
		}
		// No channel: Go 1.26+ also sets g.waiting for semaphores; go on below.
	}
	if (!gpm_goroutine_has_regs(inc, g))
		return;
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	int sema = -1, lock = -1;
	for (uint32_t k = 0; k < n && k < 16; k++) {
		unsigned m = frame_marks(c, f[k].func ? f[k].func : "");
		if (sema < 0 && (m & MARK_SEMA))
			sema = (int)k;
		if (lock < 0 && (m & MARK_LOCK))
			lock = (int)k;
	}
	if (sema < 0)
		return;
	// Up to a few words past semacquire1's frame: its spill slots are in its caller's.
	uint64_t lo = gpm_goroutine_frame_regs(inc, g, 0).sp,
	         hi = gpm_goroutine_frame_regs(inc, g, (uint32_t)sema).fp + 8 * c->ps;
	if (hi <= lo || hi - lo > GPM_OBJECTS_MAX_SCAN)
		return;
	uint64_t addr = 0;
	for (uint64_t a = lo; a + c->ps <= hi && !addr; a += c->ps) {
		uint64_t w, e;
		if (word(c, a, &w) && sudog_of(c, w, x->gaddr) && field_word(c, w, c->s_elem, &e)) {
			// Go 1.26: elem is a maybeTraceablePtr {vp unsafe.Pointer; vu uintptr}
			// whose vp is nil when the pointer is hidden from the GC.
			if (!e)
				field_word(c, w, c->s_elem_vu, &e);
			addr = e;
		}
	}
	if (!addr)
		return;
	x->wait_object = addr;
	x->wait_object_kind = GPM_WAIT_OBJECT_SEMA;
	if (lock < 0)
		return;
	// The mutex: lockSlow's receiver, kept in its frame or in its register-argument spill
	// slot just above it (in the caller's frame), a few bytes below &m.sema. Strictly
	// below: &m.sema itself is often spilled there too (the semacquire argument; seen in
	// Go 1.19), and the mutex's state word comes before its sema (sync/mutex.go).
	uint64_t best = 0;
	struct gpm_frame_regs lr = gpm_goroutine_frame_regs(inc, g, (uint32_t)lock);
	for (uint64_t a = lr.sp; a + c->ps <= lr.fp + 4 * c->ps; a += c->ps) {
		uint64_t w;
		if (word(c, a, &w) && w < addr && addr - w < 32 && w > best)
			best = w;
	}
	if (best) {
		x->wait_object = best;
		x->wait_object_kind = GPM_WAIT_OBJECT_MUTEX;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/*
 * Which contended mutex each goroutine's frames refer to: a word of its stack (outside
 * the Lock it may be blocked in) pointing at the mutex or a little before it (the struct
 * that embeds it). A goroutine that locked a mutex and still runs inside the critical
 * section usually keeps such a pointer (for the deferred Unlock at least).
 */

/* The part of g's stack the held-mutex scan reads, [*lo, *hi): its frames below the
 * runtime and sync frames at the top (the Lock being waited in), capped; false when g is
 * not scanned (no frame registers; blocked on something else; a system goroutine). */
static bool held_range(const struct octx *c, const struct gpm_goroutine *g, uint64_t *lo,
                       uint64_t *hi)
{
	const struct gpm_incident *inc = c->inc;
	if (g->extra >= inc->extras.len)
		return false;
	const struct gpm_goroutine_extra *x = &inc->extras.v[g->extra];
	if (!gpm_goroutine_has_regs(inc, g) ||
	    (x->wait_object_kind != GPM_WAIT_OBJECT_MUTEX &&
	     (x->wait_object_kind || (g->flags & GPM_GOROUTINE_SYSTEM))))
		return false;
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	if (!n)
		return false;
	uint32_t k = 0;
	while (k < n && f[k].func &&
	       (!strncmp(f[k].func, "runtime.", 8) || !strncmp(f[k].func, "sync.", 5) ||
	        !strncmp(f[k].func, "internal/sync.", 14)))
		k++;
	if (k >= n)
		return false;
	*lo = gpm_goroutine_frame_regs(inc, g, k).sp;
	*hi = gpm_goroutine_frame_regs(inc, g, n - 1).fp;
	if (*hi <= *lo)
		return false;
	if (*hi - *lo > GPM_OBJECTS_MAX_SCAN)
		*hi = *lo + GPM_OBJECTS_MAX_SCAN;
	return true;
}

/* The words of g's own frames, [*lo, *hi) from its first sp to its last frame's fp (empty
 * when not known): pointers into them (saved frame pointers, pointers to locals) are left
 * out of what the goroutine pass keeps for the held-mutex scan. */
static void own_frames(const struct octx *c, const struct gpm_goroutine *g, uint64_t *lo,
                       uint64_t *hi)
{
	uint32_t n;
	gpm_goroutine_frames(c->inc, g, &n);
	*lo = *hi = 0;
	if (!n)
		return;
	uint64_t l = gpm_goroutine_frame_regs(c->inc, g, 0).sp,
	         h = gpm_goroutine_frame_regs(c->inc, g, n - 1).fp;
	if (h > l) {
		*lo = l;
		*hi = h;
	}
}

/* Whether a mutex of m[0..nu) (sorted) lies in [lo, hi + 64): a word in [lo, hi) could
 * name it. */
static bool mutex_near(const uint64_t *m, size_t nu, uint64_t lo, uint64_t hi)
{
	if (hi <= lo)
		return false;
	if (hi - lo > UINT64_MAX - 64)
		return true;
	size_t l = gpm_u64_lower_bound(m, nu, lo);
	return l < nu && m[l] - lo < hi - lo + 64;
}

/* Whether word w of x's stack names a mutex of m[0..nu) (sorted): then held_object is set. */
static bool held_word(struct gpm_goroutine_extra *x, uint64_t w, const uint64_t *m, size_t nu)
{
	if (w < 4096)
		return false;
	// The smallest mutex >= w, within 64 bytes.
	size_t l = gpm_u64_lower_bound(m, nu, w);
	// A waiter (the lock-order case) may point at the struct embedding the mutex; for
	// anyone else only a pointer to the mutex itself counts (words near a global mutex
	// are too often just other globals).
	bool waiter = x->wait_object_kind == GPM_WAIT_OBJECT_MUTEX;
	for (size_t q = l; q < nu && m[q] - w < (waiter ? 64u : 1u); q++)
		if (m[q] != x->wait_object || !waiter) {
			x->held_object = m[q];
			return true;
		}
	return false;
}

/*
 * What the goroutine pass keeps of the goroutines it reads (gpm_objects_scan_goroutine),
 * so that the stacks of a million goroutines are not read from the core again: whether
 * g's wait object was read, and the words of its held-mutex scan range, less those that
 * cannot name a mutex (below 4096, the code's return addresses, pointers into its own
 * frames). A goroutine without them is read from the core as before; so is one whose
 * left-out words could name a contended mutex after all (mutex_near).
 */
enum { REC_WAIT = 1u << 31, REC_HELD = 1u << 30, REC_COUNT = REC_HELD - 1 };

struct scan_rec {
	uint32_t first; /* into words */
	uint32_t n;     /* REC_WAIT | REC_HELD | the count of words */
};

struct gpm_objects_scan {
	struct octx c;
	bool waits;                /* the sudog's fields are known: wait objects are read */
	uint64_t text_lo, text_hi; /* the executable's code: return addresses */
	struct scan_rec *recs;     /* by goroutine extra index */
	size_t nrecs;
	GPM_VEC(uint64_t) words;
	uint64_t budget; /* bytes of scan ranges still kept, as held_objects' own budget */
	uint8_t *buf;    /* a scan range the stack window does not hold */
};

static const struct scan_rec *scan_rec(const struct gpm_objects_scan *s, uint32_t extra)
{
	return s && extra < s->nrecs ? &s->recs[extra] : NULL;
}

static struct gpm_error *held_objects(struct octx *c, const struct gpm_objects_scan *s)
{
	struct gpm_incident *inc = c->inc;
	GPM_VEC(uint64_t) m = {0};
	for (size_t i = 0; i < inc->extras.len; i++)
		if (inc->extras.v[i].wait_object_kind == GPM_WAIT_OBJECT_MUTEX) {
			uint64_t *p = gpm_vec_push(&m);
			if (!p) {
				gpm_vec_free(&m);
				return &gpm_error_nomem;
			}
			*p = inc->extras.v[i].wait_object;
		}
	if (!m.len) {
		gpm_vec_free(&m);
		return NULL;
	}
	qsort(m.v, m.len, sizeof(*m.v), cmp_u64);
	size_t nu = 0;
	for (size_t i = 0; i < m.len; i++)
		if (!nu || m.v[nu - 1] != m.v[i])
			m.v[nu++] = m.v[i];
	// A mutex in the executable's code is no mutex, but then the kept words are not used.
	if (s && mutex_near(m.v, nu, s->text_lo, s->text_hi))
		s = NULL;
	uint64_t budget = 64ull << 20; // bytes scanned in all
	uint8_t *b = malloc(GPM_OBJECTS_MAX_SCAN);
	if (!b) {
		gpm_vec_free(&m);
		return &gpm_error_nomem;
	}
	for (size_t i = 0; i < inc->goroutines.len && budget; i++) {
		ease(c, i);
		struct gpm_goroutine *g = &inc->goroutines.v[i];
		uint64_t lo, hi, olo, ohi;
		if (!held_range(c, g, &lo, &hi))
			continue;
		struct gpm_goroutine_extra *x = &inc->extras.v[g->extra];
		const struct scan_rec *r = scan_rec(s, g->extra);
		if (r && (r->n & REC_HELD)) {
			own_frames(c, g, &olo, &ohi);
			if (!mutex_near(m.v, nu, olo, ohi)) {
				budget = budget > hi - lo ? budget - (hi - lo) : 0;
				const uint64_t *w = s->words.v + r->first;
				for (uint32_t j = 0;
				     j < (r->n & REC_COUNT) && !held_word(x, w[j], m.v, nu); j++)
					;
				continue;
			}
		}
		// A copy through the memory's block cache: no page of the core's mapping per
		// stack (250,000 goroutines blocked on one mutex, say).
		struct gpm_error *err = gpm_memory_read(c->p->mem, lo, b, (size_t)(hi - lo));
		if (err) {
			gpm_error_destroy(err);
			continue;
		}
		budget = budget > hi - lo ? budget - (hi - lo) : 0;
		for (uint64_t o = 0; o + 8 <= hi - lo; o += c->ps) {
			uint64_t w = gpm_le_word(b + o, c->ps);
			if (held_word(x, w, m.v, nu))
				break;
		}
	}
	free(b);
	gpm_vec_free(&m);
	return NULL;
}

/* ---- wait objects named by the global they lie in ---- */

/*
 * Names every goroutine's wait object that lies in a global variable ("main.mu", or
 * "main.state+8" inside one) from the executable's symbol table (gpm_exe_data_for_addr: a
 * binary search per goroutine). Nothing when the executable is stripped.
 */
static struct gpm_error *name_wait_objects(struct gpm_process *p, struct gpm_incident *inc)
{
	if (!p->exe || !gpm_exe_has_symbols(p->exe))
		return NULL;
	for (size_t i = 0; i < inc->extras.len; i++) {
		struct gpm_goroutine_extra *x = &inc->extras.v[i];
		uint64_t a = x->wait_object - p->bias, start;
		const char *sym;
		if (!x->wait_object || x->wait_object < p->bias ||
		    !gpm_exe_data_for_addr(p->exe, a, &sym, &start))
			continue;
		char buf[512];
		uint64_t off = a - start;
		int len = off ? snprintf(buf, sizeof(buf), "%s+%" PRIu64, sym, off)
		              : snprintf(buf, sizeof(buf), "%s", sym);
		if (len < 0 || (size_t)len >= sizeof(buf))
			continue;
		if (!(x->wait_object_name = gpm_incident_str(inc, buf, (size_t)len)))
			return &gpm_error_nomem;
	}
	return NULL;
}

static void octx_init(struct octx *c, struct gpm_process *p, struct gpm_incident *inc)
{
	struct gpm_goimage *img = p->img;
	*c = (struct octx){.p = p, .inc = inc, .ps = img->ptr_size};
	c->g_panic = off_of(img, "runtime.g", "_panic");
	c->g_waiting = off_of(img, "runtime.g", "waiting");
	c->g_sig = off_of(img, "runtime.g", "sig");
	c->g_sigcode0 = off_of(img, "runtime.g", "sigcode0");
	c->g_sigcode1 = off_of(img, "runtime.g", "sigcode1");
	c->g_sigpc = off_of(img, "runtime.g", "sigpc");
	c->p_arg = off_of(img, "runtime._panic", "arg");
	c->p_link = off_of(img, "runtime._panic", "link");
	c->p_recovered = off_of(img, "runtime._panic", "recovered");
	c->p_repanicked = off_of(img, "runtime._panic", "repanicked");
	c->p_goexit = off_of(img, "runtime._panic", "goexit");
	c->s_g = off_of(img, "runtime.sudog", "g");
	c->s_elem = off_of(img, "runtime.sudog", "elem");
	c->s_elem_vu = off_of(img, "runtime.sudog", "elem.vu");
	c->s_c = off_of(img, "runtime.sudog", "c");
	c->s_waitlink = off_of(img, "runtime.sudog", "waitlink");
}

/* ---- during the goroutine pass ---- */

struct gpm_error *gpm_objects_scan_create(struct gpm_process *p, struct gpm_objects_scan **out)
{
	struct gpm_objects_scan *s = calloc(1, sizeof(*s));
	if (!s)
		return &gpm_error_nomem;
	octx_init(&s->c, p, NULL);
	s->waits = s->c.s_g != NONE && s->c.s_elem != NONE;
	const struct gpm_moduledata *md = &p->img->moduledata;
	if (p->img->has_moduledata && md->etext > md->text) {
		s->text_lo = md->text;
		s->text_hi = md->etext;
	}
	s->budget = 64ull << 20;
	*out = s;
	return NULL;
}

void gpm_objects_scan_destroy(struct gpm_objects_scan *s)
{
	if (!s)
		return;
	free(s->recs);
	gpm_vec_free(&s->words);
	free(s->buf);
	free(s);
}

/* Keeps the words of g's held-mutex scan range [lo, hi) that could name a mutex. */
static struct gpm_error *scan_keep(struct gpm_objects_scan *s, const struct gpm_goroutine *g,
                                   struct scan_rec *r, uint64_t lo, uint64_t hi)
{
	struct octx *c = &s->c;
	const uint8_t *b;
	uint64_t at = lo - c->win_lo;
	if (c->win_len && at < c->win_len && c->win_len - at >= hi - lo) {
		b = c->win + at;
	} else {
		if (!s->buf && !(s->buf = malloc(GPM_OBJECTS_MAX_SCAN)))
			return &gpm_error_nomem;
		struct gpm_error *err = gpm_memory_read(c->p->mem, lo, s->buf, (size_t)(hi - lo));
		if (err) {
			// Not kept: the scan reads it (and fails) again.
			gpm_error_destroy(err);
			return NULL;
		}
		b = s->buf;
	}
	uint64_t olo, ohi;
	own_frames(c, g, &olo, &ohi);
	size_t first = s->words.len;
	if (first > UINT32_MAX - (GPM_OBJECTS_MAX_SCAN / 4))
		return NULL;
	for (uint64_t o = 0; o + 8 <= hi - lo; o += c->ps) {
		uint64_t w = gpm_le_word(b + o, c->ps);
		if (w < 4096 || (w >= olo && w < ohi) || (w >= s->text_lo && w < s->text_hi))
			continue;
		uint64_t *d = gpm_vec_push(&s->words);
		if (!d)
			return &gpm_error_nomem;
		*d = w;
	}
	s->budget = s->budget > hi - lo ? s->budget - (hi - lo) : 0;
	r->first = (uint32_t)first;
	r->n |= REC_HELD | (uint32_t)(s->words.len - first);
	return NULL;
}

struct gpm_error *gpm_objects_scan_goroutine(struct gpm_objects_scan *s, struct gpm_incident *inc,
                                             struct gpm_goroutine *g, uint64_t win_lo,
                                             const uint8_t *win, size_t win_len)
{
	if (g->extra >= inc->extras.len)
		return NULL;
	if (g->extra >= s->nrecs) {
		size_t n = s->nrecs ? s->nrecs : 1024;
		while (n <= g->extra)
			n *= 2;
		struct scan_rec *r = reallocarray(s->recs, n, sizeof(*r));
		if (!r)
			return &gpm_error_nomem;
		memset(r + s->nrecs, 0, (n - s->nrecs) * sizeof(*r));
		s->recs = r;
		s->nrecs = n;
	}
	struct octx *c = &s->c;
	if (c->inc != inc) { // the memo's names are an incident's strings
		memset(c->fn_memo, 0, sizeof(c->fn_memo));
		c->inc = inc;
	}
	c->win = win;
	c->win_lo = win_lo;
	c->win_len = win ? win_len : 0;
	struct scan_rec *r = &s->recs[g->extra];
	r->n = 0;
	// gpm_objects_read's own test, on what the goroutine reader just set.
	if (s->waits) {
		if (gpm_goroutine_extra(inc, g)->gaddr && g->status == GPM_G_WAITING)
			wait_object(c, g);
		r->n |= REC_WAIT;
	}
	uint64_t lo, hi;
	struct gpm_error *err = NULL;
	if (s->budget && held_range(c, g, &lo, &hi))
		err = scan_keep(s, g, r, lo, hi);
	c->win_len = 0;
	return err;
}

struct gpm_error *gpm_objects_read(struct gpm_process *p, struct gpm_incident *inc)
{
	return gpm_objects_read_scan(p, inc, NULL);
}

struct gpm_error *gpm_objects_read_scan(struct gpm_process *p, struct gpm_incident *inc,
                                        const struct gpm_objects_scan *s)
{
	struct octx c;
	octx_init(&c, p, inc);

	// The panicking goroutine: the one on the aborting thread first, else any other
	// goroutine with a panic in flight.
	struct gpm_error *err = NULL;
	const struct gpm_goroutine *pg = NULL;
	for (size_t i = 0; i < inc->goroutines.len && !pg; i++)
		if (inc->goroutines.v[i].flags & GPM_GOROUTINE_CURRENT)
			pg = &inc->goroutines.v[i];
	if (!inc->crash.panics.len && c.g_panic != NONE) {
		if (pg)
			err = read_panics(&c, pg);
		for (size_t i = 0; !err && !inc->crash.panics.len && i < inc->goroutines.len; i++) {
			err = read_panics(&c, &inc->goroutines.v[i]);
			ease(&c, i);
		}
		if (err)
			return err;
	}
	if (pg)
		read_signal(&c, pg);
	if (!c.inc->crash.go_signo && inc->crash.panic_goroutine)
		for (size_t i = 0; i < inc->goroutines.len; i++)
			if (inc->goroutines.v[i].id == inc->crash.panic_goroutine)
				read_signal(&c, &inc->goroutines.v[i]);
	read_throw(&c);
	if (c.s_g != NONE && c.s_elem != NONE)
		for (size_t i = 0; i < inc->goroutines.len; i++) {
			struct gpm_goroutine *g = &inc->goroutines.v[i];
			const struct scan_rec *r = scan_rec(s, g->extra);
			if (r && (r->n & REC_WAIT))
				continue; // read during the goroutine pass
			if (gpm_goroutine_extra(inc, g)->gaddr && g->status == GPM_G_WAITING)
				wait_object(&c, g);
			ease(&c, i);
		}
	err = held_objects(&c, s);
	if (!err)
		err = name_wait_objects(p, inc);
	gpm_core_release_pages(p->core);
	return err;
}
