/*
 * gopm print CORE EXPR... [--depth N] [--max-len N] [--json]
 *
 * Values of the crashed program in Go syntax, as fmt's %#v prints them: a global by name
 * (DWARF), or a value of a named type at an address, *(*T)(0xADDR), or a pointer to one,
 * (*T)(0xADDR) (any binary: the types come from its runtime type descriptors). The
 * evaluation and printing are src/gort/value.c's.
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
#include "process/process.h"
#include "gort/gotype.h"
#include "gort/value.h"

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
             "or (*T)(0xADDR) for a pointer to one. What cannot be read prints as\n"
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
	struct gpm_process_options po = gpm_ingest_process_options(&o.ingest);
	struct gpm_process *p;
	struct gpm_error *err = gpm_process_open(ops[0], &po, &p);
	if (err)
		return gpm_cli_fail(err);
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
		err = gpm_value_eval(p->img, expr, &ref);
		if (!err)
			err = gpm_value_format(p->img, &ref, &vo, &val, &bad);
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
			if (!gpm_gotype_read(p->img, ref.type, &t)) {
				gpm_json_kv_string(&j, "type", t.name);
				gpm_gotype_deinit(&t);
			}
			gpm_json_key(&j, ref.is_pointer ? "pointer" : "address");
			gpm_json_hex(&j, ref.addr);
			gpm_json_kv_string(&j, "value", gpm_strbuf_str(&val));
			gpm_json_kv_uint(&j, "unreadable", bad);
			gpm_json_object_end(&j);
		} else {
			gpm_strbuf_append_safe(&sb, gpm_strbuf_str(&val), val.len);
			gpm_strbuf_putc(&sb, '\n');
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
	gpm_process_destroy(p);
	return status;
}
