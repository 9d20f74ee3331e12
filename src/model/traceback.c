/*
 * The runtime's traceback format, printed from the incident model. Mirrors
 * runtime/traceback.go (Go 1.27: goroutineheader, traceback2, printcreatedby1,
 * printAncestorTraceback, tracebackStringNeedsQuoting), runtime/print.go (printquoted),
 * runtime/panic.go (printpanics) and runtime/signal_unix.go / defs (dumpregs) for the
 * variants older runtimes printed (Go 1.24 "synctest group", Go 1.26 " labels:{…}").
 */
#include "model/traceback.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static void put_str(struct gpm_strbuf *sb, const char *s, const struct gpm_traceback_options *o)
{
	if (!s)
		return;
	if (o && o->safe)
		gpm_strbuf_append_safe(sb, s, strlen(s));
	else
		gpm_strbuf_puts(sb, s);
}

static void put_strn(struct gpm_strbuf *sb, const char *s, size_t n,
                     const struct gpm_traceback_options *o)
{
	if (o && o->safe)
		gpm_strbuf_append_safe(sb, s, n);
	else
		gpm_strbuf_append(sb, s, n);
}

static void put_hex(struct gpm_strbuf *sb, uint64_t v)
{
	// By hand, a byte at a time: a core's traceback prints three of these per frame.
	static const char digits[] = "0123456789abcdef";
	char buf[20];
	size_t i = sizeof(buf);
	do {
		buf[--i] = digits[v & 15];
		buf[--i] = digits[(v >> 4) & 15];
		v >>= 8;
	} while (v);
	if (buf[i] == '0' && i + 1 < sizeof(buf))
		i++;
	buf[--i] = 'x';
	buf[--i] = '0';
	gpm_strbuf_append(sb, buf + i, sizeof(buf) - i);
}

/* Writes v as printhex does ("0x" and lowercase digits, no leading zeros) at p; returns
 * the end. */
static char *hex_at(char *p, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	int n = v ? (67 - __builtin_clzll(v)) / 4 : 1;
	*p++ = '0';
	*p++ = 'x';
	for (int i = n - 1; i >= 0; i--, v >>= 4)
		p[i] = digits[v & 15];
	return p + n;
}

/* " fp=0x… sp=0x… pc=0x…\n" of a frame of a core's goroutine, in one append: three
 * numbers on each of a million goroutines' ten lines. */
static void put_regs(struct gpm_strbuf *sb, struct gpm_frame_regs r, uint64_t pc)
{
	char buf[80], *p = buf;
	memcpy(p, " fp=", 4);
	p = hex_at(p + 4, r.fp);
	memcpy(p, " sp=", 4);
	p = hex_at(p + 4, r.sp);
	memcpy(p, " pc=", 4);
	p = hex_at(p + 4, pc);
	*p++ = '\n';
	gpm_strbuf_append(sb, buf, (size_t)(p - buf));
}

/* Decodes one UTF-8 rune at s (n bytes left); *len = bytes used; -1 when invalid. */
static int32_t utf8_rune(const unsigned char *s, size_t n, size_t *len)
{
	unsigned char c = s[0];
	*len = 1;
	if (c < 0x80)
		return c;
	int need;
	int32_t r, min;
	if ((c & 0xe0) == 0xc0) {
		need = 1;
		r = c & 0x1f;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		need = 2;
		r = c & 0x0f;
		min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		need = 3;
		r = c & 0x07;
		min = 0x10000;
	} else {
		return -1;
	}
	if ((size_t)need >= n)
		return -1;
	for (int i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		r = r << 6 | (s[i] & 0x3f);
	}
	if (r < min || r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff))
		return -1;
	*len = (size_t)need + 1;
	return r;
}

void gpm_traceback_quote(struct gpm_strbuf *sb, const char *s)
{
	// runtime/print.go (Go 1.26): printquoted
	gpm_strbuf_putc(sb, '"');
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		size_t len;
		int32_t r = utf8_rune(p + i, n - i, &len);
		if (r < 0) {
			gpm_strbuf_printf(sb, "\\x%02x", p[i]);
			i++;
			continue;
		}
		i += len;
		switch (r) {
		case '\n':
			gpm_strbuf_puts(sb, "\\n");
			continue;
		case '\r':
			gpm_strbuf_puts(sb, "\\r");
			continue;
		case '\t':
			gpm_strbuf_puts(sb, "\\t");
			continue;
		case '\\':
		case '"':
			gpm_strbuf_putc(sb, '\\');
			gpm_strbuf_putc(sb, (char)r);
			continue;
		}
		if (r >= ' ' && r <= '~')
			gpm_strbuf_putc(sb, (char)r);
		else if (r < 127)
			gpm_strbuf_printf(sb, "\\x%02x", (unsigned)r);
		else if (r < 0x10000)
			gpm_strbuf_printf(sb, "\\u%04x", (unsigned)r);
		else
			gpm_strbuf_printf(sb, "\\U%08x", (unsigned)r);
	}
	gpm_strbuf_putc(sb, '"');
}

static bool needs_quoting(const char *s)
{
	// runtime/traceback.go (Go 1.27): tracebackStringNeedsQuoting
	if (!*s)
		return false;
	for (; *s; s++) {
		char c = *s;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '/' || c == '_'))
			return true;
	}
	return false;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !memcmp(s + n - m, suffix, m);
}

void gpm_traceback_header(struct gpm_strbuf *sb, const struct gpm_incident *inc,
                          const struct gpm_goroutine *g, const struct gpm_traceback_options *o)
{
	if (g->flags & GPM_GOROUTINE_RUNTIME_STACK) {
		gpm_strbuf_puts(sb, "runtime stack:\n");
		return;
	}
	gpm_strbuf_puts(sb, "goroutine ");
	if (g->flags & (GPM_GOROUTINE_NO_HEADER | GPM_GOROUTINE_NO_ID)) // no id was printed
		gpm_strbuf_putc(sb, '?');
	else
		gpm_strbuf_put_u64(sb, g->id);
	const struct gpm_goroutine_extra *x = gpm_goroutine_extra(inc, g);
	if (x->gaddr) {
		gpm_strbuf_puts(sb, " gp=");
		put_hex(sb, x->gaddr);
		if (x->m_id >= 0) {
			gpm_strbuf_printf(sb, " m=%" PRId64 " mp=", x->m_id);
			put_hex(sb, x->mp);
		} else {
			gpm_strbuf_puts(sb, " m=nil");
		}
	}
	gpm_strbuf_puts(sb, " [");
	const char *state = g->state;
	if (state) {
		put_str(sb, state, o);
	} else if ((g->status == GPM_G_WAITING || g->status == GPM_G_LEAKED) && g->wait_reason) {
		put_str(sb, g->wait_reason, o);
		if (g->status == GPM_G_LEAKED)
			gpm_strbuf_puts(sb, " (leaked)");
		state = g->wait_reason;
	} else {
		state = gpm_gstatus_name((enum gpm_gstatus)g->status);
		gpm_strbuf_puts(sb, state);
	}
	if (g->flags & GPM_GOROUTINE_SCAN)
		gpm_strbuf_puts(sb, " (scan)");
	if ((g->flags & GPM_GOROUTINE_DURABLE) && !ends_with(state, "(durable)"))
		gpm_strbuf_puts(sb, " (durable)");
	if (g->wait_minutes >= 1)
		gpm_strbuf_printf(sb, ", %" PRId64 " minutes", g->wait_minutes);
	if (g->flags & GPM_GOROUTINE_LOCKED)
		gpm_strbuf_puts(sb, ", locked to thread");
	if (x->synctest_bubble)
		gpm_strbuf_printf(sb, ", synctest %s %" PRIu64,
		                  (g->flags & GPM_GOROUTINE_SYNCTEST_GROUP) ? "group" : "bubble",
		                  x->synctest_bubble);
	bool inside = g->flags & GPM_GOROUTINE_LABELS_INSIDE;
	if (x->nlabels && inside) {
		gpm_strbuf_puts(sb, " labels:{");
		for (uint32_t i = 0; i < x->nlabels; i++) {
			const struct gpm_label *l = &inc->labels.v[x->first_label + i];
			gpm_traceback_quote(sb, l->key);
			gpm_strbuf_puts(sb, ": ");
			gpm_traceback_quote(sb, l->value);
			if (i + 1 < x->nlabels)
				gpm_strbuf_puts(sb, ", ");
		}
		gpm_strbuf_putc(sb, '}');
	}
	gpm_strbuf_putc(sb, ']');
	if (x->nlabels && !inside) {
		gpm_strbuf_puts(sb, " {");
		for (uint32_t i = 0; i < x->nlabels; i++) {
			const struct gpm_label *l = &inc->labels.v[x->first_label + i];
			if (needs_quoting(l->key))
				gpm_traceback_quote(sb, l->key);
			else
				gpm_strbuf_puts(sb, l->key);
			gpm_strbuf_puts(sb, ": ");
			if (needs_quoting(l->value))
				gpm_traceback_quote(sb, l->value);
			else
				gpm_strbuf_puts(sb, l->value);
			if (i + 1 < x->nlabels)
				gpm_strbuf_puts(sb, ", ");
		}
		gpm_strbuf_putc(sb, '}');
	}
	gpm_strbuf_puts(sb, ":\n");
}

static void put_location(struct gpm_strbuf *sb, const struct gpm_frame *f,
                         const struct gpm_traceback_options *o)
{
	gpm_strbuf_putc(sb, '\t');
	put_str(sb, f->file ? f->file : "?", o);
	gpm_strbuf_putc(sb, ':');
	gpm_strbuf_put_u64(sb, f->line);
	if (f->flags & GPM_FRAME_HAS_OFFSET) {
		gpm_strbuf_puts(sb, " +");
		put_hex(sb, f->offset);
	}
}

/*
 * Pieces of frames rendered once (gpm_traceback_incident): a core's million goroutines
 * share a few hundred frames, and every line of a frame but its values (arguments, fp and
 * sp) is the same text each time. A piece is rendered into the cache the second time its
 * frame is printed (frames printed once cost a mark only), then copied.
 */
struct piece {
	uint32_t off, len; /* in text; len 0: not rendered */
};
enum { PIECE_HEAD, PIECE_LOC, PIECES };
struct frame_text {
	size_t n;        /* frames of the incident the cache covers */
	struct piece *p; /* n * PIECES */
	uint8_t *seen;   /* n: bit per piece printed once */
	struct gpm_strbuf text;
};

static void put_head(struct gpm_strbuf *sb, const struct gpm_frame *f,
                     const struct gpm_traceback_options *o)
{
	put_str(sb, f->func ? f->func : "?", o);
	gpm_strbuf_putc(sb, '(');
}

static void put_piece_now(struct gpm_strbuf *sb, const struct gpm_frame *f, int which,
                          const struct gpm_traceback_options *o)
{
	if (which == PIECE_HEAD)
		put_head(sb, f, o);
	else
		put_location(sb, f, o);
}

/* Piece `which` of frame fi (f, of inc->frames) through the cache ft (NULL: none). */
static void put_piece(struct gpm_strbuf *sb, struct frame_text *ft, size_t fi,
                      const struct gpm_frame *f, int which, const struct gpm_traceback_options *o)
{
	if (!ft || fi >= ft->n) {
		put_piece_now(sb, f, which, o);
		return;
	}
	struct piece *p = &ft->p[fi * PIECES + (size_t)which];
	if (!p->len) {
		uint8_t bit = (uint8_t)(1u << which);
		size_t start = ft->text.len;
		if (!(ft->seen[fi] & bit) || start >= UINT32_MAX / 2) {
			ft->seen[fi] |= bit;
			put_piece_now(sb, f, which, o);
			return;
		}
		put_piece_now(&ft->text, f, which, o);
		if (ft->text.oom) {
			put_piece_now(sb, f, which, o);
			return;
		}
		p->off = (uint32_t)start;
		p->len = (uint32_t)(ft->text.len - start);
	}
	gpm_strbuf_append(sb, ft->text.buf + p->off, p->len);
}

static void put_created_by(struct gpm_strbuf *sb, const struct gpm_incident *inc, uint32_t fi,
                           uint64_t parent, const struct gpm_traceback_options *o)
{
	if (fi == UINT32_MAX || fi >= inc->frames.len)
		return;
	const struct gpm_frame *f = &inc->frames.v[fi];
	gpm_strbuf_puts(sb, "created by ");
	put_str(sb, f->func ? f->func : "?", o);
	if (parent)
		gpm_strbuf_printf(sb, " in goroutine %" PRIu64, parent);
	gpm_strbuf_putc(sb, '\n');
	put_location(sb, f, o);
	gpm_strbuf_putc(sb, '\n');
}

static void put_frames(struct gpm_strbuf *sb, const struct gpm_incident *inc,
                       const struct gpm_goroutine *g, uint32_t stack, bool ancestor,
                       const struct gpm_traceback_options *o, struct frame_text *ft)
{
	if (stack == UINT32_MAX || stack >= inc->stacks.len)
		return;
	const struct gpm_stack *s = &inc->stacks.v[stack];
	const struct gpm_frame *fr = &inc->frames.v[s->first];
	struct gpm_args_iter args;
	bool own_args = g && gpm_goroutine_args_begin(inc, g, &args);
	bool regs = g && gpm_goroutine_has_regs(inc, g);
	for (uint32_t i = 0; i < s->nframes; i++) {
		const struct gpm_frame *f = &fr[i];
		const char *a = f->args;
		size_t an = a ? strlen(a) : 0;
		if (own_args && !gpm_args_iter_next(&args, &a, &an))
			a = NULL;
		if (f->flags & GPM_FRAME_ELIDED) {
			gpm_strbuf_printf(sb, "...%" PRIu32 " frames elided...\n", f->line);
			continue;
		}
		if (f->flags & GPM_FRAME_NON_GO) {
			gpm_strbuf_puts(sb, "non-Go function at pc=");
			put_hex(sb, f->pc);
			gpm_strbuf_putc(sb, '\n');
			continue;
		}
		if (f->flags & GPM_FRAME_C) {
			// runtime/traceback.go printOneCgoTraceback: the symbolizer's name as it
			// is, then "\tFILE:LINE pc=0x…" or "\tpc=0x…".
			put_str(sb, f->func ? f->func : "non-Go function", o);
			gpm_strbuf_puts(sb, "\n\t");
			if (f->file) {
				put_str(sb, f->file, o);
				if (f->line) { // else a native frame's module ("libc.so.6")
					gpm_strbuf_putc(sb, ':');
					gpm_strbuf_put_u64(sb, f->line);
				}
				gpm_strbuf_putc(sb, ' ');
			}
			gpm_strbuf_puts(sb, "pc=");
			put_hex(sb, f->pc);
			gpm_strbuf_putc(sb, '\n');
			continue;
		}
		if (f->flags & GPM_FRAME_GCCGO) {
			// libgo's printtrace: the name alone, then "\tFILE:LINE".
			put_str(sb, f->func ? f->func : "?", o);
			gpm_strbuf_puts(sb, "\n\t");
			put_str(sb, f->file ? f->file : "?", o);
			gpm_strbuf_putc(sb, ':');
			gpm_strbuf_put_u64(sb, f->line);
			gpm_strbuf_putc(sb, '\n');
			continue;
		}
		put_piece(sb, ft, s->first + i, f, PIECE_HEAD, o);
		if (ancestor || (f->flags & (GPM_FRAME_INLINED | GPM_FRAME_NO_ARGS)))
			gpm_strbuf_puts(sb, "...");
		else if (a)
			put_strn(sb, a, an, o);
		gpm_strbuf_puts(sb, ")\n");
		if (f->flags & GPM_FRAME_NO_LOC)
			continue;
		put_piece(sb, ft, s->first + i, f, PIECE_LOC, o);
		if (regs && !ancestor && !(f->flags & GPM_FRAME_INLINED))
			put_regs(sb, gpm_goroutine_frame_regs(inc, g, i), f->pc);
		else
			gpm_strbuf_putc(sb, '\n');
	}
}

static void put_goroutine(struct gpm_strbuf *sb, const struct gpm_incident *inc,
                          const struct gpm_goroutine *g, const struct gpm_traceback_options *o,
                          struct frame_text *ft)
{
	gpm_traceback_header(sb, inc, g, o);
	if (g->flags & GPM_GOROUTINE_UNAVAILABLE)
		gpm_strbuf_puts(sb, "\tgoroutine running on other thread; stack unavailable\n");
	put_frames(sb, inc, g, g->stack, false, o, ft);
	if (g->flags & GPM_GOROUTINE_MORE_FRAMES)
		gpm_strbuf_puts(sb, "...additional frames elided...\n");
	put_created_by(sb, inc, g->created_by, g->parent_id, o);
	const struct gpm_goroutine_extra *x = gpm_goroutine_extra(inc, g);
	for (uint32_t i = 0; i < x->nancestors && x->first_ancestor + i < inc->ancestors.len; i++) {
		const struct gpm_ancestor *a = &inc->ancestors.v[x->first_ancestor + i];
		gpm_strbuf_printf(sb, "[originating from goroutine %" PRIu64 "]:\n", a->id);
		put_frames(sb, inc, NULL, a->stack, true, o, ft);
		if (a->flags & GPM_GOROUTINE_MORE_FRAMES)
			gpm_strbuf_puts(sb, "...additional frames elided...\n");
		put_created_by(sb, inc, a->created_by, 0, o);
	}
}

void gpm_traceback_goroutine(struct gpm_strbuf *sb, const struct gpm_incident *inc,
                             const struct gpm_goroutine *g, const struct gpm_traceback_options *o)
{
	put_goroutine(sb, inc, g, o, NULL);
}

static void put_preamble(struct gpm_strbuf *sb, const struct gpm_incident *inc,
                         const struct gpm_traceback_options *o)
{
	const struct gpm_crash *c = &inc->crash;
	if (inc->preamble_text) { // a dump's own lines, as they were read
		for (const char *p = inc->preamble_text;;) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			size_t t = 0;
			while (t < n && p[t] == '\t') // nested panics, continued values
				gpm_strbuf_putc(sb, p[t++]);
			put_strn(sb, p + t, n - t, o);
			gpm_strbuf_putc(sb, '\n');
			if (!nl)
				break;
			p = nl + 1;
		}
		return;
	}
	for (size_t i = 0; i < c->panics.len; i++) {
		const struct gpm_panic *p = &c->panics.v[i];
		if (i)
			gpm_strbuf_putc(sb, '\t');
		gpm_strbuf_puts(sb, "panic: ");
		// runtime/error.go: printindented
		for (const char *m = p->message ? p->message : ""; *m; m++) {
			const char *nl = strchr(m, '\n');
			size_t n = nl ? (size_t)(nl - m) : strlen(m);
			if (o && o->safe)
				gpm_strbuf_append_safe(sb, m, n);
			else
				gpm_strbuf_append(sb, m, n);
			if (!nl)
				break;
			gpm_strbuf_puts(sb, "\n\t");
			m = nl;
		}
		if (p->repanicked)
			gpm_strbuf_puts(sb, " [recovered, repanicked]");
		else if (p->recovered)
			gpm_strbuf_puts(sb, " [recovered]");
		gpm_strbuf_putc(sb, '\n');
	}
	if (c->signame && !inc->sections.len) {
		gpm_strbuf_puts(sb, "[signal ");
		put_str(sb, c->signame, o);
		gpm_strbuf_puts(sb, ": ");
		put_str(sb, c->sigdesc, o);
		if (c->sigcode != INT64_MIN)
			gpm_strbuf_printf(sb, " code=%#" PRIx64, (uint64_t)c->sigcode);
		if (c->has_fault_addr) {
			gpm_strbuf_puts(sb, " addr=");
			put_hex(sb, c->fault_addr);
		}
		gpm_strbuf_puts(sb, " pc=");
		put_hex(sb, c->pc);
		gpm_strbuf_puts(sb, "]\n");
	}
	if (c->oom_request)
		gpm_strbuf_printf(
		    sb, "runtime: out of memory: cannot allocate %" PRIu64 "-byte block\n",
		    c->oom_request);
	if (c->stack_limit)
		gpm_strbuf_printf(sb, "runtime: goroutine stack exceeds %" PRIu64 "-byte limit\n",
		                  c->stack_limit);
	if (c->fatal_message && c->kind != GPM_FATAL_RACE) {
		gpm_strbuf_puts(sb, "fatal error: ");
		put_str(sb, c->fatal_message, o);
		gpm_strbuf_putc(sb, '\n');
	}
}

static void put_section_head(struct gpm_strbuf *sb, const struct gpm_signal_section *s,
                             const struct gpm_traceback_options *o)
{
	// runtime/signal_unix.go (Go 1.27): crash prints "\n-----\n\n" between threads,
	// fatalsignal the signal name, "PC=… m=… sigcode=…[ addr=…]" and a blank line.
	if (s->separator)
		gpm_strbuf_puts(sb, "\n-----\n\n");
	put_str(sb, s->signal, o);
	gpm_strbuf_puts(sb, "\nPC=");
	put_hex(sb, s->pc);
	if (s->m_id >= 0)
		gpm_strbuf_printf(sb, " m=%" PRId64, s->m_id);
	if (s->sigcode != INT64_MIN)
		gpm_strbuf_printf(sb, " sigcode=%" PRId64, s->sigcode);
	if (s->has_addr) {
		gpm_strbuf_puts(sb, " addr=");
		put_hex(sb, s->addr);
	}
	gpm_strbuf_putc(sb, '\n');
	if (s->extra) {
		put_str(sb, s->extra, o);
		gpm_strbuf_putc(sb, '\n');
	}
}

static void put_section_tail(struct gpm_strbuf *sb, const struct gpm_incident *inc,
                             const struct gpm_signal_section *s,
                             const struct gpm_traceback_options *o)
{
	if (!s->nregs)
		return;
	// sighandler: the first thread prints "\n" after tracebackothers, the others go
	// straight to dumpregs, which pads names to 7 columns (amd64) or 8 (arm64).
	if (!s->separator)
		gpm_strbuf_putc(sb, '\n');
	int width = strcmp(inc->regs.v[s->first_reg].name, "r0") ? 7 : 8;
	for (uint32_t i = 0; i < s->nregs && s->first_reg + i < inc->regs.len; i++) {
		const struct gpm_reg *r = &inc->regs.v[s->first_reg + i];
		size_t n = strlen(r->name);
		put_str(sb, r->name, o);
		for (size_t k = n; k < (size_t)width; k++)
			gpm_strbuf_putc(sb, ' ');
		put_hex(sb, r->value);
		gpm_strbuf_putc(sb, '\n');
	}
}

void gpm_traceback_incident(struct gpm_strbuf *sb, const struct gpm_incident *inc,
                            const struct gpm_traceback_options *o)
{
	bool any = false;
	if (o && o->preamble) {
		size_t before = sb->len;
		put_preamble(sb, inc, o);
		any = sb->len != before;
	}
	size_t nsec = o && o->sections ? inc->sections.len : 0;
	size_t next = 0;
	const struct gpm_signal_section *cur = NULL;
	bool first_in_section = false;
	// The cache of frame pieces, when goroutines share frames (fewer frames than
	// goroutines: its size is then small beside the goroutines'); without memory, none.
	struct frame_text cache = {0}, *ft = NULL;
	bool stopped = false;
	if (inc->frames.len && inc->frames.len < inc->goroutines.len) {
		cache.n = inc->frames.len;
		cache.p = calloc(cache.n * PIECES, sizeof(*cache.p));
		cache.seen = calloc(cache.n, 1);
		ft = cache.p && cache.seen ? &cache : NULL;
	}
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		while (next < nsec && inc->sections.v[next].first_goroutine <= i) {
			if (cur)
				put_section_tail(sb, inc, cur, o);
			cur = &inc->sections.v[next++];
			put_section_head(sb, cur, o);
			any = true;
			first_in_section = true;
		}
		// Goroutines of a later thread's section follow each other without a blank line.
		if (any && (first_in_section || !cur || !cur->separator))
			gpm_strbuf_putc(sb, '\n');
		first_in_section = false;
		put_goroutine(sb, inc, &inc->goroutines.v[i], o, ft);
		any = true;
		if (o && o->flush && sb->len >= (1u << 20) && !o->flush(sb, o->flush_arg)) {
			stopped = true;
			break;
		}
	}
	free(cache.p);
	free(cache.seen);
	gpm_strbuf_deinit(&cache.text);
	if (stopped)
		return;
	for (; next < nsec; next++) {
		if (cur)
			put_section_tail(sb, inc, cur, o);
		cur = &inc->sections.v[next];
		put_section_head(sb, cur, o);
	}
	if (cur)
		put_section_tail(sb, inc, cur, o);
	if (o && o->preamble && inc->crash.exit_status >= 0)
		gpm_strbuf_printf(sb, "exit status %d\n", inc->crash.exit_status);
}

void gpm_traceback_thread(struct gpm_strbuf *sb, const struct gpm_incident *inc,
                          const struct gpm_thread *t, const struct gpm_traceback_options *o)
{
	gpm_strbuf_printf(sb, "thread %" PRId64, t->tid);
	if (t->m_id >= 0)
		gpm_strbuf_printf(sb, " m=%" PRId64, t->m_id);
	if (t->goroutine)
		gpm_strbuf_printf(sb, " goroutine %" PRIu64, t->goroutine);
	gpm_strbuf_printf(sb, " [%s, unwound by %s]:\n",
	                  t->m_id < 0    ? "C thread"
	                  : t->goroutine ? "in C for its goroutine"
	                                 : "in C",
	                  gpm_thread_unwind_name((enum gpm_thread_unwind)t->how));
	put_frames(sb, inc, NULL, t->stack, false, o, NULL);
	if (t->problem) {
		gpm_strbuf_puts(sb, "...native stack ends: ");
		put_str(sb, t->problem, o);
		gpm_strbuf_putc(sb, '\n');
	}
}
