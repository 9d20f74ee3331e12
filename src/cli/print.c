/*
 * gopm print CORE EXPR... [--depth N] [--max-len N] [--json]
 *
 * Values of the crashed program in Go syntax, as fmt's %#v prints them: a global by name
 * (DWARF), or a value of a named type at an address, *(*T)(0xADDR), or a pointer to one,
 * (*T)(0xADDR) (any binary: the types come from its runtime type descriptors). The
 * evaluation is src/ingest/values.c's (shared with the TUI's value view), the printing
 * src/gort/value.c's: a bare 0xADDR is the heap object holding it, typed by the heap walk,
 * "goroutine N frame K|FUNC [NAME]" a frame's arguments and locals. Here: the options, the
 * JSON document and the lines written.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/strbuf.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "gort/gotype.h"
#include "gort/image.h"
#include "gort/value.h"
#include "ingest/ingest.h"
#include "ingest/values.h"
#include "process/process.h"

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
	struct gpm_values *vs;
	struct gpm_error *err = gpm_values_open(ops[0], &o.ingest, &vs);
	if (err)
		return gpm_cli_fail(err);
	struct gpm_process *p = gpm_values_process(vs);
	// Every bare address found in one heap walk.
	for (int i = 0; i < nexpr && !err; i++) {
		uint64_t a;
		if (gpm_values_heap_addr(ops[1 + i], &a))
			err = gpm_values_want_heap(vs, &a, 1);
	}
	if (err) {
		gpm_values_destroy(vs);
		return gpm_cli_fail(err);
	}
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
		size_t bad = 0;
		gpm_strbuf_reset(&val);
		struct gpm_values_result res;
		err = gpm_values_eval(vs, expr, &vo, !json, &val, &bad, &res);
		bool is_frame = !err && res.kind == GPM_VALUES_FRAME;
		bool is_heap = !err && res.kind == GPM_VALUES_HEAP;
		const struct gpm_value_ref ref = err ? (struct gpm_value_ref){0} : res.ref;
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
				const struct gpm_heap_object *f = res.heap;
				if (f->type && !gpm_gotype_read(p->img, f->type, &t)) {
					gpm_json_kv_string(&j, "type", t.name);
					gpm_gotype_deinit(&t);
				}
				gpm_json_kv_bool(&j, "several", f->several);
				gpm_json_key(&j, "address");
				gpm_json_hex(&j, f->base);
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
	gpm_values_destroy(vs);
	return status;
}
