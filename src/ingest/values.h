/*
 * Values of a dumped Go process, by expression, for `gopm print` and the TUI's value view:
 * a core and its executable opened through the pipeline's options, then what an expression
 * names evaluated and printed in Go syntax (src/gort/value.h) — a global by name, a typed
 * value or pointer at an address, a frame's arguments and locals ("goroutine N frame K
 * [NAME]": by DWARF, src/gort/locals.h, or without it the argument words of the runtime's
 * layout, src/gort/arglayout.h), or a bare 0xADDR as the heap object holding it, typed by
 * the heap walk. The goroutines and the heap are read once, when first needed.
 *
 * It lives in ingest/ because it starts from a file name and the pipeline's options
 * (which executable, where to look for it) and drives the readers above process/
 * (goroutines, objects, heap); nothing here prints or knows the command line.
 */
#ifndef GPM_INGEST_VALUES_H
#define GPM_INGEST_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/strbuf.h"
#include "gort/value.h"
#include "heap/heap.h"
#include "ingest/ingest.h"

struct gpm_process;
struct gpm_values;

/* Opens the core at path (any compression the pipeline reads) and its executable, found as
 * o says (o->exe_path, GOPM_EXE_PATH, the build id ...). Errors as gpm_process_open's. */
struct gpm_error *gpm_values_open(const char *core_path, const struct gpm_ingest_options *o,
                                  struct gpm_values **out);
/* The same over a process already open (taken over: destroyed with vs, or on failure). */
struct gpm_error *gpm_values_from_process(struct gpm_process *p, struct gpm_values **out);
void gpm_values_destroy(struct gpm_values *vs);
/* The process (borrowed, as long as vs). */
struct gpm_process *gpm_values_process(struct gpm_values *vs);

/* Adds heap addresses to look up in the one heap walk (so several bare 0xADDR expressions
 * cost one walk); an address not added before its evaluation walks the heap again. */
struct gpm_error *gpm_values_want_heap(struct gpm_values *vs, const uint64_t *addrs, size_t n);

enum gpm_values_kind {
	GPM_VALUES_EXPR,  /* a global or a typed address: ref */
	GPM_VALUES_FRAME, /* "goroutine N frame K [NAME]" */
	GPM_VALUES_HEAP,  /* a bare 0xADDR: heap (the object holding it) */
};

/* What an evaluated expression was. */
struct gpm_values_result {
	enum gpm_values_kind kind;
	struct gpm_value_ref ref; /* EXPR */
	/* HEAP: borrowed until an address not added before is asked (gpm_values_want_heap or
	 * an evaluation of it), which may move the table. */
	const struct gpm_heap_object *heap;
};

/* Whether s is a bare heap address "0xADDR" (into *addr). */
bool gpm_values_heap_addr(const char *s, uint64_t *addr);

/*
 * Evaluates expr and appends its value (or a frame's listing: a header line, then one line
 * per argument and local or argument word; no final newline) to out. With header, a heap
 * object's value is preceded by a line "// 0xADDR: object ..." saying which object.
 * *unreadable counts what could not be read. Errors: GPM_ERR_USAGE (not an expression),
 * GPM_ERR_NOT_FOUND (no such name, type, goroutine, frame or heap object) and what reading
 * the goroutines or the heap failed with.
 */
struct gpm_error *gpm_values_eval(struct gpm_values *vs, const char *expr,
                                  const struct gpm_value_options *vo, bool header,
                                  struct gpm_strbuf *out, size_t *unreadable,
                                  struct gpm_values_result *res);

/* One line of a value opened one level: what it is, its value, and the expression that
 * opens it further (NULL when there is nothing to follow). Strings owned. */
struct gpm_values_item {
	char *label; /* "arg cfg *main.Config", ".Name string", "[2] *main.Peer", "" the value */
	char *text;  /* the value in Go syntax, or a line of a listing */
	char *expr;
};

struct gpm_values_list {
	char *title; /* owned: what was opened ("goroutine 7 frame 2: main.worker(...)", expr) */
	struct gpm_values_item *v;
	size_t len, cap;
	size_t unreadable; /* parts not read, as gpm_value_format counts them */
};

/* Items opened at most (struct fields and elements beyond are counted in a last item). */
#define GPM_VALUES_MAX_ITEMS 4096

/*
 * Opens expr one level for a browser: a frame ("goroutine N frame K") lists its arguments
 * and locals, each opening as "goroutine N frame K NAME" (without DWARF, its argument words,
 * opening nothing); any other expression gives its value as the first item (label ""),
 * then, for a struct or a pointer to one, one item per field (expr + ".Field"), and for an
 * array or slice (or a pointer to one) one per element up to vo->max_len (expr + "[i]").
 * A heap address opens as *(*T)(0xBASE) when the heap walk typed its object. Errors as
 * gpm_values_eval's.
 */
struct gpm_error *gpm_values_open_expr(struct gpm_values *vs, const char *expr,
                                       const struct gpm_value_options *vo,
                                       struct gpm_values_list *out);
void gpm_values_list_deinit(struct gpm_values_list *l);

/* A print expression of the incident's (outermost) panic value, read from the core; NULL
 * in *out (no error) when the process did not panic or the value has no address. Owned. */
struct gpm_error *gpm_values_panic_expr(struct gpm_values *vs, char **out);

#endif
