/*
 * gopm print CORE EXPR... [--depth N] [--max-len N] [--json]
 *
 * Values of the crashed program in Go syntax, as fmt's %#v prints them: a global by name
 * (DWARF), or a value of a named type at an address, *(*T)(0xADDR), or a pointer to one,
 * (*T)(0xADDR) (any binary: the types come from its runtime type descriptors). The
 * evaluation and printing are src/gort/value.c's. A bare 0xADDR is the heap object holding
 * it, typed by the heap walk (src/heap). A frame's arguments and locals,
 * "goroutine N frame K|FUNC [NAME]", are found here: the frame in the goroutines read from
 * the core, its variables by DWARF (src/gort/locals.c) or, without DWARF, its argument
 * words by the runtime's argument layout (src/gort/arglayout.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/strbuf.h"
#include "cli/cli.h"
#include "ingest/ingest.h"
#include "cli/options.h"
#include "core/core.h"
#include "core/arch.h"
#include "goroutines/goroutines.h"
#include "goroutines/objects.h"
#include "gort/arglayout.h"
#include "process/process.h"
#include "gort/gotype.h"
#include "gort/image.h"
#include "gort/locals.h"
#include "gort/value.h"
#include "heap/heap.h"

enum { OPT_JSON = 1, OPT_DEPTH, OPT_MAX_LEN };

static const struct gpm_option options[] = {
    {"depth", 'd', "N",
     "pointer levels to follow, the value's own included (default 2; 1 prints what %#v\n"
     "prints)",
     OPT_DEPTH, NULL},
    {"max-len", 0, "N",
     "elements of a slice, array or map and bytes of a string shown (default 64)", OPT_MAX_LEN,
     NULL},
    {"json", 0, NULL, "one JSON document: each expression with its type, address and value",
     OPT_JSON, NULL},
    {NULL, 0, NULL, NULL, 0, NULL},
};

const struct gpm_command_spec gpm_spec_print = {
    .name = "print",
    .operands = "CORE EXPR...",
    .about = "Prints values of the program in Go syntax, as fmt's %#v prints them, from the\n"
             "runtime type descriptors (stripped binaries too). EXPR is a global by name\n"
             "(main.config; needs DWARF), *(*T)(0xADDR) for a value of type T at an address,\n"
             "or (*T)(0xADDR) for a pointer to one; 'goroutine N frame K' lists a frame's\n"
             "arguments and locals (K counts from 0, the innermost, or names the function),\n"
             "'goroutine N frame K NAME' prints one (names need DWARF; without, the frame's\n"
             "argument words are listed). A bare 0xADDR prints the heap object holding\n"
             "that address, typed as gopm heap types it. What cannot be read prints as\n"
             "<unreadable 0x...> and the exit status is 1; an unknown name or type is exit 6.",
    .options = options,
    .core = true,
    .operand_complete = "file",
};

static bool parse_count(const char *v, uint64_t max, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	if (errno || *end || end == v || n == 0 || n > max)
		return false;
	*out = n;
	return true;
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

/* What print needs of the frames: the goroutines, read once for all expressions. */
struct frames {
	struct gpm_process *p;
	struct gpm_incident *inc; /* NULL until the first frame expression */
};

/* The frame an expression names: g, its index k, and the physical frame j it is in
 * (j >= k: the inlined calls come first). */
struct frame_at {
	const struct gpm_goroutine *g;
	const struct gpm_frame *frames;
	uint32_t n, k, j;
	uint64_t cfa, lookup_pc;
};

static struct gpm_error *find_frame(struct frames *fr, const struct frame_expr *fe,
                                    struct frame_at *out)
{
	struct gpm_error *err;
	if (!fr->inc && (err = gpm_goroutines_read(fr->p, NULL, &fr->inc)))
		return err;
	const struct gpm_incident *inc = fr->inc;
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

static void frame_header(const struct frames *fr, const struct frame_expr *fe,
                         const struct frame_at *f, struct gpm_strbuf *out)
{
	size_t alen = 0;
	const char *args = gpm_goroutine_frame_args(fr->inc, f->g, f->k, &alen);
	const struct gpm_frame *fk = &f->frames[f->k];
	gpm_strbuf_printf(out, "goroutine %" PRIu64 " frame %" PRIu32 ": %s(%.*s)\n", fe->gid, f->k,
	                  fk->func, (int)(args ? alen : 0), args ? args : "");
}

static bool read_mem(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct gpm_error *err = gpm_goimage_read(ctx, addr, buf, len);
	gpm_error_destroy(err);
	return !err;
}

/* Without DWARF: the runtime's argument text and the words of the argument layout. */
static struct gpm_error *frame_words(struct frames *fr, const struct frame_at *f,
                                     struct gpm_strbuf *out, size_t *bad)
{
	struct gpm_goimage *img = fr->p->img;
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
	uint64_t argp = f->cfa + gpm_core_arch(fr->p->core)->min_frame_size;
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

/* One variable's value: ref from v, selectors sel applied. */
static struct gpm_error *local_value(struct gpm_goimage *img, const struct gpm_local *v,
                                     const char *sel, const struct gpm_value_options *vo,
                                     struct gpm_strbuf *out, size_t *bad)
{
	if (v->why) {
		(*bad)++;
		gpm_strbuf_printf(out, "<%s>", v->why);
		return NULL;
	}
	if (!v->type) {
		(*bad)++;
		gpm_strbuf_printf(out, "<%s: the executable has no runtime type descriptor of it>",
		                  v->type_name);
		return NULL;
	}
	struct gpm_value_ref ref = {.type = v->type, .addr = v->addr};
	if (v->bytes)
		ref = (struct gpm_value_ref){.type = v->type,
		                             .addr = GPM_VALUE_PIECES_ADDR,
		                             .bytes = v->bytes,
		                             .nbytes = v->size};
	size_t n = 0;
	struct gpm_error *err = gpm_value_select(img, &ref, sel);
	if (!err)
		err = gpm_value_format(img, &ref, vo, out, &n);
	*bad += n;
	return err;
}

/* Evaluates a frame expression into out (a value, or the frame's listing). */
static struct gpm_error *frame_eval(struct frames *fr, const struct frame_expr *fe,
                                    const struct gpm_value_options *vo, struct gpm_strbuf *out,
                                    size_t *bad)
{
	struct frame_at f;
	struct gpm_error *err = find_frame(fr, fe, &f);
	if (err)
		return err;
	struct gpm_goimage *img = fr->p->img;
	if (!img->has_dwarf) {
		if (fe->name)
			return gpm_error_create(
			    GPM_ERR_NOT_FOUND,
			    "%s: names of arguments and locals come from DWARF, "
			    "which this executable lacks; 'goroutine %" PRIu64
			    " frame %s' lists the frame's argument words",
			    fe->name, fe->gid, fe->frame);
		frame_header(fr, fe, &f, out);
		err = frame_words(fr, &f, out, bad);
		if (!err && out->len && out->buf[out->len - 1] == '\n')
			out->buf[--out->len] = 0; // the caller ends the line
		return err;
	}
	struct gpm_locals l;
	if ((err = gpm_locals_read(img, f.lookup_pc, f.j - f.k, f.cfa, &l)))
		return err;
	if (fe->name) {
		size_t n = strcspn(fe->name, ".[");
		size_t i = 0;
		while (i < l.len && (strlen(l.v[i].name) != n || strncmp(l.v[i].name, fe->name, n)))
			i++;
		if (i == l.len)
			err = gpm_error_create(GPM_ERR_NOT_FOUND,
			                       "%.*s: no argument or local of that name in %s",
			                       (int)n, fe->name, f.frames[f.k].func);
		else
			err = local_value(img, &l.v[i], fe->name + n, vo, out, bad);
	} else {
		frame_header(fr, fe, &f, out);
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

/* A bare "0xADDR": a heap object by an address in it. */
static bool parse_heap_addr(const char *s, uint64_t *out)
{
	char *end;
	if (strncmp(s, "0x", 2) || !s[2])
		return false;
	errno = 0;
	unsigned long long v = strtoull(s + 2, &end, 16);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

/* The heap, walked once for every address asked (with the goroutines, whose frames type
 * objects too), and what it says of each. */
struct heap_objects {
	uint64_t *addrs;
	struct gpm_heap_object *found;
	size_t n;
	bool walked;
	struct gpm_error *err; /* why the walk failed (owned) */
};

static struct gpm_error *heap_walk(struct frames *fr, struct heap_objects *ho)
{
	struct gpm_error *err = NULL;
	struct gpm_heap *h = NULL;
	ho->walked = true;
	if (!fr->inc && (err = gpm_goroutines_read(fr->p, NULL, &fr->inc)))
		return err;
	// The panic values seed the types too.
	if ((err = gpm_objects_read(fr->p, fr->inc)))
		return err;
	struct gpm_heap_options o = {
	    .retention = true,
	    .goroutines = fr->inc,
	    .find = ho->addrs,
	    .found = ho->found,
	    .nfind = ho->n,
	};
	if ((err = gpm_heap_read(fr->p, &o, &h)))
		return err;
	if (!h->ret.done)
		err = gpm_error_create(GPM_ERR_LIMIT, "heap: objects not typed: %s",
		                       h->ret.skipped ? h->ret.skipped : "no object graph");
	gpm_heap_destroy(h);
	return err;
}

/*
 * Prints the heap object holding addr with the type the heap walk gave it: T{...}, or for
 * a slice's backing array []T{...} (bounded by max_len); an untyped object as its words.
 * With header, a first line says which object it is (JSON has its own fields).
 */
static struct gpm_error *heap_eval(struct frames *fr, struct heap_objects *ho, uint64_t addr,
                                   const struct gpm_value_options *vo, bool header,
                                   struct gpm_strbuf *sb, size_t *bad)
{
	if (!ho->walked)
		ho->err = heap_walk(fr, ho);
	if (ho->err)
		return gpm_error_create(ho->err->code, "%s", ho->err->message);
	const struct gpm_heap_object *f = NULL;
	for (size_t i = 0; i < ho->n && !f; i++)
		if (ho->found[i].addr == addr)
			f = &ho->found[i];
	if (!f || !f->found)
		return gpm_error_create(GPM_ERR_NOT_FOUND,
		                        "0x%" PRIx64 ": not in an allocated heap object", addr);
	struct gpm_goimage *img = fr->p->img;
	struct gpm_gotype t = {0};
	if (f->type && gpm_gotype_read(img, f->type, &t))
		memset(&t, 0, sizeof(t));
	if (header)
		gpm_strbuf_printf(sb,
		                  "// 0x%" PRIx64 ": object 0x%" PRIx64 " +%" PRIu64 ", %" PRIu64
		                  " bytes, %s%s\n",
		                  addr, f->base, addr - f->base, f->size,
		                  t.name && f->several ? "[]" : "", t.name ? t.name : "untyped");
	struct gpm_error *err = NULL;
	if (!t.name || !t.size) {
		// Untyped: its words, as many as max_len allows.
		uint64_t words = f->size / 8, shown = words < vo->max_len ? words : vo->max_len;
		for (uint64_t k = 0; k < shown; k++) {
			uint64_t w;
			struct gpm_error *e = gpm_memory_word(fr->p->mem, f->base + k * 8, &w);
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

int gpm_cmd_print(int argc, char **argv)
{
	struct gpm_value_options vo = {GPM_VALUE_DEFAULT_DEPTH, GPM_VALUE_DEFAULT_MAX_LEN};
	bool json = false;
	struct gpm_opts o;
	const char *v;
	int opt;
	uint64_t n;
	gpm_opts_begin(&o, &gpm_spec_print, argc, argv);
	while ((opt = gpm_opts_next(&o, &v)) > 0) {
		switch (opt) {
		case OPT_JSON:
			json = true;
			break;
		case OPT_DEPTH:
			if (!parse_count(v, 64, &n))
				return gpm_cli_usage("print", "bad --depth '%s' (1 to 64)", v);
			vo.depth = (unsigned)n;
			break;
		case OPT_MAX_LEN:
			if (!parse_count(v, 1u << 24, &n))
				return gpm_cli_usage("print", "bad --max-len '%s' (1 to 16777216)",
				                     v);
			vo.max_len = n;
			break;
		}
	}
	if (opt < 0)
		return o.status;
	if (gpm_opts_noperands(&o) < 2)
		return gpm_cli_usage("print", "missing %s",
		                     gpm_opts_noperands(&o) ? "EXPR" : "CORE");
	char **ops = gpm_opts_operands(&o);
	int nexpr = gpm_opts_noperands(&o) - 1;
	struct gpm_process_options po = gpm_ingest_process_options(&o.ingest);
	struct gpm_process *p;
	struct gpm_error *err = gpm_process_open(ops[0], &po, &p);
	if (err)
		return gpm_cli_fail(err);
	struct frames fr = {.p = p};
	struct heap_objects ho = {0};
	ho.addrs = calloc((size_t)nexpr, sizeof(*ho.addrs));
	ho.found = calloc((size_t)nexpr, sizeof(*ho.found));
	if (!ho.addrs || !ho.found) {
		free(ho.addrs);
		free(ho.found);
		gpm_process_destroy(p);
		return gpm_cli_fail(&gpm_error_nomem);
	}
	for (int i = 0; i < nexpr; i++)
		if (parse_heap_addr(ops[1 + i], &ho.addrs[ho.n]))
			ho.n++;
	int status = GPM_EXIT_OK;
	struct gpm_strbuf sb = GPM_STRBUF_INIT, val = GPM_STRBUF_INIT;
	struct gpm_json j;
	if (json) {
		gpm_json_init(&j, &sb, true);
		gpm_json_document_begin(&j, "print");
		gpm_json_key(&j, "values");
		gpm_json_array_begin(&j);
	}
	for (int i = 0; i < nexpr; i++) {
		const char *expr = ops[1 + i];
		struct gpm_value_ref ref;
		size_t bad = 0;
		gpm_strbuf_reset(&val);
		struct frame_expr fe;
		bool is_frame = !strncmp(expr, "goroutine", 9);
		uint64_t haddr;
		bool is_heap = parse_heap_addr(expr, &haddr);
		if (is_heap) {
			err = heap_eval(&fr, &ho, haddr, &vo, !json, &val, &bad);
		} else if (is_frame && !parse_frame_expr(expr, &fe)) {
			err = gpm_error_create(
			    GPM_ERR_USAGE,
			    "%s: not a frame expression ('goroutine N frame K', "
			    "'goroutine N frame K NAME'; K a number or a function)",
			    expr);
		} else if (is_frame) {
			err = frame_eval(&fr, &fe, &vo, &val, &bad);
			free(fe.frame);
			free(fe.name);
		} else {
			err = gpm_value_eval(p->img, expr, &ref);
			if (!err)
				err = gpm_value_format(p->img, &ref, &vo, &val, &bad);
		}
		if (!err)
			err = gpm_strbuf_error(&val);
		if (err) {
			// Each expression on its own: the others still print.
			int s = err->code == GPM_ERR_USAGE ? GPM_EXIT_USAGE : gpm_cli_exit_for(err);
			char *m = gpm_safe_strndup(err->message, strlen(err->message));
			fprintf(stderr, "gopm: %s\n", m ? m : "out of memory");
			free(m);
			gpm_error_destroy(err);
			if (s > status)
				status = s;
			continue;
		}
		if (bad && status == GPM_EXIT_OK)
			status = GPM_EXIT_PARTIAL;
		if (json) {
			struct gpm_gotype t;
			gpm_json_object_begin(&j);
			gpm_json_kv_string(&j, "expr", expr);
			if (is_heap) {
				const struct gpm_heap_object *f = NULL;
				for (size_t k = 0; k < ho.n && !f; k++)
					if (ho.found[k].addr == haddr)
						f = &ho.found[k];
				if (f && f->type && !gpm_gotype_read(p->img, f->type, &t)) {
					gpm_json_kv_string(&j, "type", t.name);
					gpm_gotype_deinit(&t);
				}
				gpm_json_kv_bool(&j, "several", f && f->several);
				gpm_json_key(&j, "address");
				gpm_json_hex(&j, f ? f->base : haddr);
			} else if (!is_frame && !gpm_gotype_read(p->img, ref.type, &t)) {
				gpm_json_kv_string(&j, "type", t.name);
				gpm_gotype_deinit(&t);
			}
			if (!is_frame && !is_heap) {
				gpm_json_key(&j, ref.is_pointer ? "pointer" : "address");
				gpm_json_hex(&j, ref.addr);
			}
			gpm_json_kv_string(&j, "value", gpm_strbuf_str(&val));
			gpm_json_kv_uint(&j, "unreadable", bad);
			gpm_json_object_end(&j);
		} else {
			// A frame's listing is lines of its own: each made safe on its own.
			const char *q = gpm_strbuf_str(&val), *e = q + val.len;
			while (q <= e) {
				const char *nl = memchr(q, '\n', (size_t)(e - q));
				size_t k = nl ? (size_t)(nl - q) : (size_t)(e - q);
				gpm_strbuf_append_safe(&sb, q, k);
				gpm_strbuf_putc(&sb, '\n');
				q += k + 1;
			}
		}
	}
	if (json) {
		gpm_json_array_end(&j);
		gpm_json_object_end(&j);
		gpm_strbuf_putc(&sb, '\n');
	}
	if ((err = gpm_strbuf_error(&sb)))
		status = gpm_cli_fail(err);
	else
		gpm_cli_write(gpm_strbuf_str(&sb), sb.len);
	gpm_strbuf_deinit(&sb);
	gpm_strbuf_deinit(&val);
	gpm_incident_destroy(fr.inc);
	gpm_error_destroy(ho.err);
	free(ho.addrs);
	free(ho.found);
	gpm_process_destroy(p);
	return status;
}
