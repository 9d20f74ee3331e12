/*
 * Values of a dumped Go process by expression (values.h): what `gopm print` evaluates and
 * the TUI's value view browses. The frame of "goroutine N frame K" is found among the
 * goroutines read from the core; its variables come from DWARF (src/gort/locals.c) or,
 * without DWARF, its argument words from the runtime's argument layout
 * (src/gort/arglayout.c). A bare 0xADDR is the heap object holding it, typed by the heap
 * walk (src/heap), every address asked found in one walk.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arch.h"
#include "core/core.h"
#include "goroutines/goroutines.h"
#include "goroutines/objects.h"
#include "gort/arglayout.h"
#include "gort/gotype.h"
#include "gort/image.h"
#include "gort/locals.h"
#include "gort/value.h"
#include "heap/heap.h"
#include "ingest/values.h"
#include "process/process.h"

struct gpm_values {
	struct gpm_process *p;    /* owned */
	struct gpm_incident *inc; /* owned; NULL until a frame or the heap is asked */
	bool objects_read;        /* gpm_objects_read ran on inc */
	/* Heap addresses asked and what the walk says of each (found[i] for addrs[i]). */
	uint64_t *addrs;
	struct gpm_heap_object *found;
	size_t n, cap;
	bool walked;
	struct gpm_error *walk_err; /* why the walk failed (owned) */
};

struct gpm_error *gpm_values_from_process(struct gpm_process *p, struct gpm_values **out)
{
	struct gpm_values *vs = calloc(1, sizeof(*vs));
	if (!vs) {
		gpm_process_destroy(p);
		return &gpm_error_nomem;
	}
	vs->p = p;
	*out = vs;
	return NULL;
}

struct gpm_error *gpm_values_open(const char *core_path, const struct gpm_ingest_options *o,
                                  struct gpm_values **out)
{
	struct gpm_ingest_options none = {0};
	struct gpm_process_options po = gpm_ingest_process_options(o ? o : &none);
	struct gpm_process *p;
	struct gpm_error *err = gpm_process_open(core_path, &po, &p);
	if (err)
		return err;
	return gpm_values_from_process(p, out);
}

void gpm_values_destroy(struct gpm_values *vs)
{
	if (!vs)
		return;
	gpm_incident_destroy(vs->inc);
	gpm_error_destroy(vs->walk_err);
	free(vs->addrs);
	free(vs->found);
	gpm_process_destroy(vs->p);
	free(vs);
}

struct gpm_process *gpm_values_process(struct gpm_values *vs)
{
	return vs->p;
}

static struct gpm_error *goroutines(struct gpm_values *vs)
{
	if (vs->inc)
		return NULL;
	return gpm_goroutines_read(vs->p, NULL, &vs->inc);
}

// The panic values and waited-on objects (they seed the heap's types too).
static struct gpm_error *objects(struct gpm_values *vs)
{
	struct gpm_error *err = goroutines(vs);
	if (err || vs->objects_read)
		return err;
	if (!(err = gpm_objects_read(vs->p, vs->inc)))
		vs->objects_read = true;
	return err;
}

/* ---- frames ---- */

/* "goroutine N frame K|FUNC [NAME[selectors]]", split; false: not of that form. */
struct frame_expr {
	uint64_t gid;
	char *frame; /* owned: a number or a function name */
	char *name;  /* owned: NAME and its selectors; NULL: list the frame */
};

static bool parse_frame_expr(const char *s, struct frame_expr *out)
{
	char w[5][512];
	int n = 0;
	for (;;) {
		s += strspn(s, " \t");
		size_t k = strcspn(s, " \t");
		if (!k)
			break;
		if (n == 5 || k >= sizeof(w[0]))
			return false;
		memcpy(w[n], s, k);
		w[n++][k] = 0;
		s += k;
	}
	char *end;
	errno = 0;
	unsigned long long id = n >= 4 ? strtoull(w[1], &end, 10) : 0;
	if (n < 4 || strcmp(w[0], "goroutine") || errno || *end || end == w[1] ||
	    strcmp(w[2], "frame"))
		return false;
	*out = (struct frame_expr){.gid = id, .frame = strdup(w[3])};
	if (n == 5)
		out->name = strdup(w[4]);
	if (!out->frame || (n == 5 && !out->name)) {
		free(out->frame);
		free(out->name);
		return false;
	}
	return true;
}

static void frame_expr_deinit(struct frame_expr *fe)
{
	free(fe->frame);
	free(fe->name);
}

/* The frame an expression names: g, its index k, and the physical frame j it is in
 * (j >= k: the inlined calls come first). */
struct frame_at {
	const struct gpm_goroutine *g;
	const struct gpm_frame *frames;
	uint32_t n, k, j;
	uint64_t cfa, lookup_pc;
};

static struct gpm_error *find_frame(struct gpm_values *vs, const struct frame_expr *fe,
                                    struct frame_at *out)
{
	struct gpm_error *err;
	if ((err = goroutines(vs)))
		return err;
	const struct gpm_incident *inc = vs->inc;
	const struct gpm_goroutine *g = NULL;
	for (size_t i = 0; i < inc->goroutines.len && !g; i++)
		if (inc->goroutines.v[i].id == fe->gid)
			g = &inc->goroutines.v[i];
	if (!g)
		return gpm_error_create(GPM_ERR_NOT_FOUND, "no goroutine %" PRIu64, fe->gid);
	struct frame_at f = {.g = g};
	f.frames = gpm_goroutine_frames(inc, g, &f.n);
	char *end;
	errno = 0;
	unsigned long long k = strtoull(fe->frame, &end, 10);
	if (errno || *end || end == fe->frame) {
		for (k = 0; k < f.n && (!f.frames[k].func || strcmp(f.frames[k].func, fe->frame));
		     k++)
			;
		if (k == f.n)
			return gpm_error_create(GPM_ERR_NOT_FOUND,
			                        "goroutine %" PRIu64 " has no frame of %s", fe->gid,
			                        fe->frame);
	} else if (k >= f.n) {
		return gpm_error_create(GPM_ERR_NOT_FOUND,
		                        "goroutine %" PRIu64 " has %" PRIu32
		                        " frames (0 to %" PRIu32 "), not %llu",
		                        fe->gid, f.n, f.n ? f.n - 1 : 0, k);
	}
	f.k = (uint32_t)k;
	struct gpm_locals_frame w;
	if (!gpm_locals_frame_where(inc, g, f.k, &w))
		return gpm_error_create(
		    GPM_ERR_NOT_FOUND, "frame %llu of goroutine %" PRIu64 " is not a Go function's",
		    k, fe->gid);
	f.j = w.j;
	f.cfa = w.cfa;
	f.lookup_pc = w.lookup_pc;
	*out = f;
	return NULL;
}

// "goroutine N frame K: FUNC(ARGS)", the runtime's argument text, without a newline.
static void frame_header(const struct gpm_values *vs, const struct frame_expr *fe,
                         const struct frame_at *f, struct gpm_strbuf *out)
{
	size_t alen = 0;
	const char *args = gpm_goroutine_frame_args(vs->inc, f->g, f->k, &alen);
	const struct gpm_frame *fk = &f->frames[f->k];
	gpm_strbuf_printf(out, "goroutine %" PRIu64 " frame %" PRIu32 ": %s(%.*s)", fe->gid, f->k,
	                  fk->func, (int)(args ? alen : 0), args ? args : "");
}

static bool read_mem(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct gpm_error *err = gpm_goimage_read(ctx, addr, buf, len);
	gpm_error_destroy(err);
	return !err;
}

/* Without DWARF: the words of the argument layout, a line each (ending in newlines). */
static struct gpm_error *frame_words(struct gpm_values *vs, const struct frame_at *f,
                                     struct gpm_strbuf *out, size_t *bad)
{
	struct gpm_goimage *img = vs->p->img;
	struct gpm_func fn;
	if (f->j != f->k) {
		gpm_strbuf_puts(out,
		                "  (an inlined call: its arguments are its caller's values)\n");
		return NULL;
	}
	if (!gpm_pclntab_func_for_pc(img->pclntab, f->lookup_pc, &fn))
		return gpm_error_create(GPM_ERR_NOT_FOUND, "no function at pc 0x%" PRIx64,
		                        f->lookup_pc);
	struct gpm_arglayout al;
	bool has;
	struct gpm_error *err = gpm_arglayout_read(img->pclntab, &fn, f->lookup_pc, &al, &has);
	if (err)
		return err;
	if (!has) {
		gpm_strbuf_puts(out, "  (no argument layout: an assembly function)\n");
		return NULL;
	}
	if (!f->cfa) {
		(*bad)++;
		gpm_strbuf_puts(out, "  <the frame's address is unknown>\n");
		return NULL;
	}
	uint64_t argp = f->cfa + gpm_core_arch(vs->p->core)->min_frame_size;
	gpm_strbuf_printf(out, "  argument words at 0x%" PRIx64 " (offset, bytes, value):\n", argp);
	err = gpm_arglayout_words(&al, argp, read_mem, img, out);
	if (err && err->code == GPM_ERR_FAULT) {
		(*bad)++;
		gpm_strbuf_printf(out, "  <unreadable: %s>\n", err->message);
		gpm_error_destroy(err);
		err = NULL;
	}
	return err;
}

/* The reference to a variable, or why there is none (*why: static text or the type's name,
 * borrowed from v). */
static bool local_ref(const struct gpm_local *v, struct gpm_value_ref *ref, const char **why)
{
	if (v->why) {
		*why = v->why;
		return false;
	}
	if (!v->type) {
		*why = NULL;
		return false;
	}
	*ref = (struct gpm_value_ref){.type = v->type, .addr = v->addr};
	if (v->bytes)
		*ref = (struct gpm_value_ref){.type = v->type,
		                              .addr = GPM_VALUE_PIECES_ADDR,
		                              .bytes = v->bytes,
		                              .nbytes = v->size};
	return true;
}

/* One variable's value: ref from v, selectors sel applied. */
static struct gpm_error *local_value(struct gpm_goimage *img, const struct gpm_local *v,
                                     const char *sel, const struct gpm_value_options *vo,
                                     struct gpm_strbuf *out, size_t *bad)
{
	struct gpm_value_ref ref;
	const char *why;
	if (!local_ref(v, &ref, &why)) {
		(*bad)++;
		if (why)
			gpm_strbuf_printf(out, "<%s>", why);
		else
			gpm_strbuf_printf(
			    out, "<%s: the executable has no runtime type descriptor of it>",
			    v->type_name);
		return NULL;
	}
	size_t n = 0;
	struct gpm_error *err = gpm_value_select(img, &ref, sel);
	if (!err)
		err = gpm_value_format(img, &ref, vo, out, &n);
	*bad += n;
	return err;
}

/* The variables of a frame (DWARF), or the error that the binary has none when a name is
 * asked. *has_dwarf false: l is left empty. */
static struct gpm_error *frame_locals(struct gpm_values *vs, const struct frame_expr *fe,
                                      const struct frame_at *f, struct gpm_locals *l)
{
	struct gpm_goimage *img = vs->p->img;
	if (!img->has_dwarf) {
		if (fe->name)
			return gpm_error_create(
			    GPM_ERR_NOT_FOUND,
			    "%s: names of arguments and locals come from DWARF, "
			    "which this executable lacks; 'goroutine %" PRIu64
			    " frame %s' lists the frame's argument words",
			    fe->name, fe->gid, fe->frame);
		*l = (struct gpm_locals){0};
		return NULL;
	}
	return gpm_locals_read(img, f->lookup_pc, f->j - f->k, f->cfa, l);
}

/* The variable a frame expression's name names (its length n before the selectors). */
static struct gpm_error *find_local(const struct gpm_locals *l, const struct frame_expr *fe,
                                    const struct frame_at *f, size_t *i_out, size_t *n_out)
{
	size_t n = strcspn(fe->name, ".[");
	size_t i = 0;
	while (i < l->len && (strlen(l->v[i].name) != n || strncmp(l->v[i].name, fe->name, n)))
		i++;
	if (i == l->len)
		return gpm_error_create(GPM_ERR_NOT_FOUND,
		                        "%.*s: no argument or local of that name in %s", (int)n,
		                        fe->name, f->frames[f->k].func);
	*i_out = i;
	*n_out = n;
	return NULL;
}

/* Evaluates a frame expression into out (a value, or the frame's listing). */
static struct gpm_error *frame_eval(struct gpm_values *vs, const struct frame_expr *fe,
                                    const struct gpm_value_options *vo, struct gpm_strbuf *out,
                                    size_t *bad)
{
	struct frame_at f;
	struct gpm_locals l;
	struct gpm_error *err = find_frame(vs, fe, &f);
	if (err || (err = frame_locals(vs, fe, &f, &l)))
		return err;
	struct gpm_goimage *img = vs->p->img;
	if (!img->has_dwarf) {
		frame_header(vs, fe, &f, out);
		gpm_strbuf_putc(out, '\n');
		err = frame_words(vs, &f, out, bad);
	} else if (fe->name) {
		size_t i, n;
		if (!(err = find_local(&l, fe, &f, &i, &n)))
			err = local_value(img, &l.v[i], fe->name + n, vo, out, bad);
	} else {
		frame_header(vs, fe, &f, out);
		gpm_strbuf_putc(out, '\n');
		for (size_t i = 0; i < l.len && !err; i++) {
			gpm_strbuf_printf(out, "  %s %s %s = ", l.v[i].is_arg ? "arg" : "local",
			                  l.v[i].name, l.v[i].type_name);
			err = local_value(img, &l.v[i], "", vo, out, bad);
			gpm_strbuf_putc(out, '\n');
		}
		if (!l.len)
			gpm_strbuf_puts(out, "  (no arguments or locals)\n");
	}
	gpm_locals_deinit(&l);
	if (!err && out->len && out->buf[out->len - 1] == '\n')
		out->buf[--out->len] = 0; // the caller ends the line
	return err;
}

/* ---- heap objects by address ---- */

bool gpm_values_heap_addr(const char *s, uint64_t *addr)
{
	char *end;
	if (strncmp(s, "0x", 2) || !s[2])
		return false;
	errno = 0;
	unsigned long long v = strtoull(s + 2, &end, 16);
	if (errno || *end)
		return false;
	*addr = v;
	return true;
}

struct gpm_error *gpm_values_want_heap(struct gpm_values *vs, const uint64_t *addrs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;
		while (k < vs->n && vs->addrs[k] != addrs[i])
			k++;
		if (k < vs->n)
			continue;
		if (vs->n == vs->cap) {
			size_t cap = vs->cap ? 2 * vs->cap : 8;
			uint64_t *a = realloc(vs->addrs, cap * sizeof(*a));
			if (!a)
				return &gpm_error_nomem;
			vs->addrs = a;
			struct gpm_heap_object *f = realloc(vs->found, cap * sizeof(*f));
			if (!f)
				return &gpm_error_nomem;
			vs->found = f;
			vs->cap = cap;
		}
		vs->addrs[vs->n] = addrs[i];
		vs->found[vs->n++] = (struct gpm_heap_object){0};
		// A new address needs a walk of its own (what was found stays).
		if (vs->walked) {
			vs->walked = false;
			gpm_error_destroy(vs->walk_err);
			vs->walk_err = NULL;
		}
	}
	return NULL;
}

static struct gpm_error *heap_walk(struct gpm_values *vs)
{
	struct gpm_error *err;
	struct gpm_heap *h = NULL;
	vs->walked = true;
	if ((err = objects(vs)))
		return err;
	struct gpm_heap_options o = {
	    .retention = true,
	    .goroutines = vs->inc,
	    .find = vs->addrs,
	    .found = vs->found,
	    .nfind = vs->n,
	};
	if ((err = gpm_heap_read(vs->p, &o, &h)))
		return err;
	if (!h->ret.done)
		err = gpm_error_create(GPM_ERR_LIMIT, "heap: objects not typed: %s",
		                       h->ret.skipped ? h->ret.skipped : "no object graph");
	gpm_heap_destroy(h);
	return err;
}

/* What the heap walk says of addr (walking when needed). */
static struct gpm_error *heap_object(struct gpm_values *vs, uint64_t addr,
                                     const struct gpm_heap_object **out)
{
	struct gpm_error *err = gpm_values_want_heap(vs, &addr, 1);
	if (err)
		return err;
	if (!vs->walked)
		vs->walk_err = heap_walk(vs);
	if (vs->walk_err)
		return gpm_error_create(vs->walk_err->code, "%s", vs->walk_err->message);
	const struct gpm_heap_object *f = NULL;
	for (size_t i = 0; i < vs->n && !f; i++)
		if (vs->addrs[i] == addr)
			f = &vs->found[i];
	if (!f || !f->found)
		return gpm_error_create(GPM_ERR_NOT_FOUND,
		                        "0x%" PRIx64 ": not in an allocated heap object", addr);
	*out = f;
	return NULL;
}

/*
 * Prints the heap object f (holding addr) with the type the heap walk gave it: T{...}, or
 * for a slice's backing array []T{...} (bounded by max_len); an untyped object as its
 * words. With header, a first line says which object it is (JSON has its own fields).
 */
static struct gpm_error *heap_format(struct gpm_values *vs, const struct gpm_heap_object *f,
                                     const struct gpm_value_options *vo, bool header,
                                     struct gpm_strbuf *sb, size_t *bad)
{
	struct gpm_goimage *img = vs->p->img;
	struct gpm_gotype t = {0};
	if (f->type && gpm_gotype_read(img, f->type, &t))
		memset(&t, 0, sizeof(t));
	if (header)
		gpm_strbuf_printf(sb,
		                  "// 0x%" PRIx64 ": object 0x%" PRIx64 " +%" PRIu64 ", %" PRIu64
		                  " bytes, %s%s\n",
		                  f->addr, f->base, f->addr - f->base, f->size,
		                  t.name && f->several ? "[]" : "", t.name ? t.name : "untyped");
	struct gpm_error *err = NULL;
	if (!t.name || !t.size) {
		// Untyped: its words, as many as max_len allows.
		uint64_t words = f->size / 8, shown = words < vo->max_len ? words : vo->max_len;
		for (uint64_t k = 0; k < shown; k++) {
			uint64_t w;
			struct gpm_error *e = gpm_memory_word(vs->p->mem, f->base + k * 8, &w);
			if (e) {
				gpm_error_destroy(e);
				gpm_strbuf_printf(sb, "+%-6" PRIu64 " <unreadable 0x%" PRIx64 ">\n",
				                  k * 8, f->base + k * 8);
				++*bad;
			} else {
				gpm_strbuf_printf(sb, "+%-6" PRIu64 " 0x%016" PRIx64 "\n", k * 8,
				                  w);
			}
		}
		if (shown < words)
			gpm_strbuf_printf(sb, "/* %" PRIu64 " more words */\n", words - shown);
	} else if (!f->several) {
		struct gpm_value_ref ref = {.type = f->type, .addr = f->base};
		err = gpm_value_format(img, &ref, vo, sb, bad);
	} else {
		uint64_t n = f->size / t.size, shown = n < vo->max_len ? n : vo->max_len;
		gpm_strbuf_printf(sb, "[]%s{", t.name);
		for (uint64_t k = 0; k < shown && !err; k++) {
			struct gpm_value_ref ref = {.type = f->type, .addr = f->base + k * t.size};
			if (k)
				gpm_strbuf_puts(sb, ", ");
			err = gpm_value_format(img, &ref, vo, sb, bad);
		}
		if (shown < n)
			gpm_strbuf_printf(sb, ", /* %" PRIu64 " more */", n - shown);
		gpm_strbuf_putc(sb, '}');
	}
	gpm_gotype_deinit(&t);
	return err;
}

/* ---- expressions ---- */

struct gpm_error *gpm_values_eval(struct gpm_values *vs, const char *expr,
                                  const struct gpm_value_options *vo, bool header,
                                  struct gpm_strbuf *out, size_t *unreadable,
                                  struct gpm_values_result *res)
{
	struct gpm_values_result r = {.kind = GPM_VALUES_EXPR};
	struct gpm_error *err;
	uint64_t addr;
	struct frame_expr fe;
	if (gpm_values_heap_addr(expr, &addr)) {
		r.kind = GPM_VALUES_HEAP;
		if (!(err = heap_object(vs, addr, &r.heap)))
			err = heap_format(vs, r.heap, vo, header, out, unreadable);
	} else if (!strncmp(expr, "goroutine", 9)) {
		r.kind = GPM_VALUES_FRAME;
		if (!parse_frame_expr(expr, &fe))
			return gpm_error_create(
			    GPM_ERR_USAGE,
			    "%s: not a frame expression ('goroutine N frame K', "
			    "'goroutine N frame K NAME'; K a number or a function)",
			    expr);
		err = frame_eval(vs, &fe, vo, out, unreadable);
		frame_expr_deinit(&fe);
	} else {
		err = gpm_value_eval(vs->p->img, expr, &r.ref);
		if (!err)
			err = gpm_value_format(vs->p->img, &r.ref, vo, out, unreadable);
	}
	if (!err && res)
		*res = r;
	return err;
}

/* ---- opening a value one level ---- */

static struct gpm_error *push(struct gpm_values_list *l, const char *label, const char *text,
                              const char *expr)
{
	if (l->len == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct gpm_values_item *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return &gpm_error_nomem;
		l->v = v;
		l->cap = cap;
	}
	struct gpm_values_item *it = &l->v[l->len];
	*it = (struct gpm_values_item){strdup(label), strdup(text), expr ? strdup(expr) : NULL};
	if (!it->label || !it->text || (expr && !it->expr)) {
		free(it->label);
		free(it->text);
		free(it->expr);
		return &gpm_error_nomem;
	}
	l->len++;
	return NULL;
}

void gpm_values_list_deinit(struct gpm_values_list *l)
{
	for (size_t i = 0; i < l->len; i++) {
		free(l->v[i].label);
		free(l->v[i].text);
		free(l->v[i].expr);
	}
	free(l->v);
	free(l->title);
	*l = (struct gpm_values_list){0};
}

// Each line of text an item of its own (a listing: nothing to open).
static struct gpm_error *push_lines(struct gpm_values_list *l, const struct gpm_strbuf *sb)
{
	struct gpm_error *err = gpm_strbuf_error(sb);
	const char *s = gpm_strbuf_str(sb);
	while (!err && *s) {
		size_t n = strcspn(s, "\n");
		char *line = strndup(s, n);
		if (!line)
			return &gpm_error_nomem;
		err = push(l, "", line, NULL);
		free(line);
		s += n + (s[n] == '\n');
	}
	return err;
}

/* One item: label, ref's value, expr. */
static struct gpm_error *push_value(struct gpm_values *vs, struct gpm_values_list *l,
                                    const char *label, const struct gpm_value_ref *ref,
                                    const struct gpm_value_options *vo, const char *expr)
{
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	struct gpm_error *err = gpm_value_format(vs->p->img, ref, vo, &sb, &l->unreadable);
	if (!err && !(err = gpm_strbuf_error(&sb)))
		err = push(l, label, gpm_strbuf_str(&sb), expr);
	gpm_strbuf_deinit(&sb);
	return err;
}

/* What the pointer-free type of ref is (through one pointer, as selectors see): its kind
 * and, for a struct, its fields (t owned by the caller: gpm_gotype_deinit). false: nothing
 * to open (a nil pointer, an unreadable descriptor, a kind without parts). */
static bool parts_type(struct gpm_values *vs, const struct gpm_value_ref *ref, struct gpm_gotype *t)
{
	struct gpm_goimage *img = vs->p->img;
	if (gpm_gotype_read(img, ref->type, t))
		return false;
	if (ref->is_pointer || t->kind == GPM_KIND_POINTER) {
		uint64_t elem = t->elem;
		gpm_gotype_deinit(t);
		if (gpm_gotype_read(img, elem, t))
			return false;
	}
	if (t->kind == GPM_KIND_STRUCT || t->kind == GPM_KIND_ARRAY || t->kind == GPM_KIND_SLICE)
		return true;
	gpm_gotype_deinit(t);
	return false;
}

/* Whether opening ref shows more than its value: a struct, array or slice, or a pointer to
 * one that is not nil (as selectors see through it). */
static bool has_parts(struct gpm_values *vs, const struct gpm_value_ref *ref)
{
	struct gpm_gotype t;
	if (!parts_type(vs, ref, &t))
		return false;
	// A first part to select: not a nil pointer, an empty struct or array, a nil slice.
	char sel[600] = "[0]";
	bool empty = (t.kind == GPM_KIND_STRUCT && (!t.nfields || !t.fields[0].name)) ||
	             (t.kind == GPM_KIND_ARRAY && !t.len);
	if (!empty && t.kind == GPM_KIND_STRUCT)
		snprintf(sel, sizeof(sel), ".%s", t.fields[0].name);
	gpm_gotype_deinit(&t);
	if (empty)
		return false;
	struct gpm_value_ref r = *ref;
	struct gpm_error *e = gpm_value_select(vs->p->img, &r, sel);
	gpm_error_destroy(e);
	return !e;
}

/* The fields or elements of ref (expr names it), an item each. */
static struct gpm_error *push_parts(struct gpm_values *vs, struct gpm_values_list *l,
                                    const struct gpm_value_ref *ref, const char *expr,
                                    const struct gpm_value_options *vo)
{
	struct gpm_goimage *img = vs->p->img;
	struct gpm_gotype t;
	if (!parts_type(vs, ref, &t))
		return NULL;
	struct gpm_strbuf sel = GPM_STRBUF_INIT, label = GPM_STRBUF_INIT, sub = GPM_STRBUF_INIT;
	struct gpm_error *err = NULL;
	uint64_t n = t.kind == GPM_KIND_STRUCT ? t.nfields : vo->max_len;
	if (n > GPM_VALUES_MAX_ITEMS)
		n = GPM_VALUES_MAX_ITEMS;
	uint64_t i;
	for (i = 0; i < n && !err; i++) {
		gpm_strbuf_reset(&sel);
		gpm_strbuf_reset(&label);
		gpm_strbuf_reset(&sub);
		if (t.kind == GPM_KIND_STRUCT && !t.fields[i].name)
			continue;
		if (t.kind == GPM_KIND_STRUCT)
			gpm_strbuf_printf(&sel, ".%s", t.fields[i].name);
		else
			gpm_strbuf_printf(&sel, "[%" PRIu64 "]", i);
		struct gpm_value_ref r = *ref;
		struct gpm_error *e = gpm_value_select(img, &r, gpm_strbuf_str(&sel));
		if (e) {
			// Past a slice's length, or a nil pointer: nothing more to open.
			gpm_error_destroy(e);
			break;
		}
		char tn[256];
		if (!gpm_gotype_name(img, r.type, tn, sizeof(tn), NULL))
			snprintf(tn, sizeof(tn), "?");
		gpm_strbuf_printf(&label, "%s %s", gpm_strbuf_str(&sel), tn);
		gpm_strbuf_printf(&sub, "%s%s", expr, gpm_strbuf_str(&sel));
		if (!(err = gpm_strbuf_error(&label)) && !(err = gpm_strbuf_error(&sub)))
			err = push_value(vs, l, gpm_strbuf_str(&label), &r, vo,
			                 has_parts(vs, &r) ? gpm_strbuf_str(&sub) : NULL);
	}
	if (!err && i == n && t.kind != GPM_KIND_STRUCT) {
		// Elements beyond max_len: said, not listed.
		struct gpm_value_ref r = *ref;
		gpm_strbuf_reset(&sel);
		gpm_strbuf_printf(&sel, "[%" PRIu64 "]", n);
		struct gpm_error *e = gpm_value_select(img, &r, gpm_strbuf_str(&sel));
		if (!e)
			err = push(l, "", "/* more elements: --max-len shows more */", NULL);
		gpm_error_destroy(e);
	}
	gpm_strbuf_deinit(&sel);
	gpm_strbuf_deinit(&label);
	gpm_strbuf_deinit(&sub);
	gpm_gotype_deinit(&t);
	return err;
}

/* A frame: its header as the title, then its variables (or argument words). */
static struct gpm_error *open_frame(struct gpm_values *vs, const char *expr,
                                    const struct gpm_value_options *vo, struct gpm_values_list *out)
{
	struct frame_expr fe;
	if (!parse_frame_expr(expr, &fe))
		return gpm_error_create(GPM_ERR_USAGE,
		                        "%s: not a frame expression ('goroutine N frame K', "
		                        "'goroutine N frame K NAME'; K a number or a function)",
		                        expr);
	struct frame_at f;
	struct gpm_locals l = {0};
	struct gpm_strbuf sb = GPM_STRBUF_INIT, label = GPM_STRBUF_INIT;
	struct gpm_error *err = find_frame(vs, &fe, &f);
	if (!err)
		err = frame_locals(vs, &fe, &f, &l);
	struct gpm_goimage *img = vs->p->img;
	if (err) {
		// Nothing read: no title.
	} else if (fe.name) {
		size_t i, n;
		struct gpm_value_ref ref;
		const char *why;
		out->title = strdup(expr);
		if (!out->title)
			err = &gpm_error_nomem;
		else if ((err = find_local(&l, &fe, &f, &i, &n)))
			;
		else if (!local_ref(&l.v[i], &ref, &why)) {
			err = local_value(img, &l.v[i], "", vo, &sb, &out->unreadable);
			if (!err && !(err = gpm_strbuf_error(&sb)))
				err = push(out, "", gpm_strbuf_str(&sb), NULL);
		} else if (!(err = gpm_value_select(img, &ref, fe.name + n)) &&
		           !(err = push_value(vs, out, "", &ref, vo, NULL))) {
			err = push_parts(vs, out, &ref, expr, vo);
		}
	} else {
		frame_header(vs, &fe, &f, &sb);
		if (!(err = gpm_strbuf_error(&sb)) && !(out->title = gpm_strbuf_detach(&sb)))
			err = &gpm_error_nomem;
		gpm_strbuf_reset(&sb);
		if (!err && !img->has_dwarf) {
			if (!(err = frame_words(vs, &f, &sb, &out->unreadable)))
				err = push_lines(out, &sb);
		}
		for (size_t i = 0; !err && i < l.len; i++) {
			gpm_strbuf_reset(&sb);
			gpm_strbuf_reset(&label);
			gpm_strbuf_printf(&label, "%s %s %s", l.v[i].is_arg ? "arg" : "local",
			                  l.v[i].name, l.v[i].type_name);
			err = local_value(img, &l.v[i], "", vo, &sb, &out->unreadable);
			char *sub = NULL;
			struct gpm_value_ref ref;
			const char *why;
			if (!err && local_ref(&l.v[i], &ref, &why) && has_parts(vs, &ref)) {
				size_t len = strlen(expr) + strlen(l.v[i].name) + 2;
				if (!(sub = malloc(len)))
					err = &gpm_error_nomem;
				else
					snprintf(sub, len, "%s %s", expr, l.v[i].name);
			}
			if (!err && !(err = gpm_strbuf_error(&sb)) &&
			    !(err = gpm_strbuf_error(&label)))
				err = push(out, gpm_strbuf_str(&label), gpm_strbuf_str(&sb), sub);
			free(sub);
		}
		if (!err && img->has_dwarf && !l.len)
			err = push(out, "", "(no arguments or locals)", NULL);
	}
	gpm_locals_deinit(&l);
	gpm_strbuf_deinit(&sb);
	gpm_strbuf_deinit(&label);
	frame_expr_deinit(&fe);
	return err;
}

/* A heap object: typed, as *(*T)(0xBASE) (its elements for a backing array); else words. */
static struct gpm_error *open_heap(struct gpm_values *vs, uint64_t addr,
                                   const struct gpm_value_options *vo, struct gpm_values_list *out)
{
	const struct gpm_heap_object *f;
	struct gpm_error *err = heap_object(vs, addr, &f);
	if (err)
		return err;
	struct gpm_goimage *img = vs->p->img;
	struct gpm_strbuf sb = GPM_STRBUF_INIT, label = GPM_STRBUF_INIT;
	struct gpm_gotype t = {0};
	if (f->type && gpm_gotype_read(img, f->type, &t))
		memset(&t, 0, sizeof(t));
	gpm_strbuf_printf(
	    &sb, "0x%" PRIx64 ": object 0x%" PRIx64 " +%" PRIu64 ", %" PRIu64 " bytes, %s%s",
	    f->addr, f->base, f->addr - f->base, f->size, t.name && f->several ? "[]" : "",
	    t.name ? t.name : "untyped");
	if (!(err = gpm_strbuf_error(&sb)) && !(out->title = gpm_strbuf_detach(&sb)))
		err = &gpm_error_nomem;
	gpm_strbuf_reset(&sb);
	if (err) {
	} else if (!t.name || !t.size) {
		if (!(err = heap_format(vs, f, vo, false, &sb, &out->unreadable)))
			err = push_lines(out, &sb);
	} else {
		uint64_t n = f->several ? f->size / t.size : 1;
		uint64_t shown = n < vo->max_len ? n : vo->max_len;
		for (uint64_t k = 0; k < shown && !err; k++) {
			struct gpm_value_ref ref = {.type = f->type, .addr = f->base + k * t.size};
			gpm_strbuf_reset(&sb);
			gpm_strbuf_reset(&label);
			gpm_strbuf_printf(&sb, "*(*%s)(0x%" PRIx64 ")", t.name, ref.addr);
			if (f->several)
				gpm_strbuf_printf(&label, "[%" PRIu64 "] %s", k, t.name);
			if (!(err = gpm_strbuf_error(&sb)) && !(err = gpm_strbuf_error(&label)))
				err = push_value(vs, out, gpm_strbuf_str(&label), &ref, vo,
				                 f->several ? gpm_strbuf_str(&sb) : NULL);
			if (!err && !f->several)
				err = push_parts(vs, out, &ref, gpm_strbuf_str(&sb), vo);
		}
		if (!err && shown < n) {
			gpm_strbuf_reset(&sb);
			gpm_strbuf_printf(&sb, "/* %" PRIu64 " more */", n - shown);
			if (!(err = gpm_strbuf_error(&sb)))
				err = push(out, "", gpm_strbuf_str(&sb), NULL);
		}
	}
	gpm_gotype_deinit(&t);
	gpm_strbuf_deinit(&sb);
	gpm_strbuf_deinit(&label);
	return err;
}

struct gpm_error *gpm_values_open_expr(struct gpm_values *vs, const char *expr,
                                       const struct gpm_value_options *vo,
                                       struct gpm_values_list *out)
{
	*out = (struct gpm_values_list){0};
	struct gpm_error *err;
	uint64_t addr;
	struct gpm_value_ref ref;
	if (gpm_values_heap_addr(expr, &addr))
		err = open_heap(vs, addr, vo, out);
	else if (!strncmp(expr, "goroutine", 9))
		err = open_frame(vs, expr, vo, out);
	else if (!(err = gpm_value_eval(vs->p->img, expr, &ref))) {
		if (!(out->title = strdup(expr)))
			err = &gpm_error_nomem;
		else if (!(err = push_value(vs, out, "", &ref, vo, NULL)))
			err = push_parts(vs, out, &ref, expr, vo);
	}
	if (err)
		gpm_values_list_deinit(out);
	return err;
}

struct gpm_error *gpm_values_panic_expr(struct gpm_values *vs, char **out)
{
	*out = NULL;
	struct gpm_error *err = objects(vs);
	if (err)
		return err;
	const struct gpm_incident *inc = vs->inc;
	if (!inc->crash.panics.len || !inc->crash.panics.v[0].print)
		return NULL;
	if (!(*out = strdup(inc->crash.panics.v[0].print)))
		return &gpm_error_nomem;
	return NULL;
}
