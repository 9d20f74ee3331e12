/*
 * gopm goroutines INPUT [--json] [--state S] [--wait REGEX] [--func REGEX]
 * gopm stack INPUT GOID
 *
 * Print goroutines in the Go runtime's own traceback format (or JSON). The input is loaded
 * into incident snapshots by gpm_ingest_load (the one place that knows input kinds); the
 * commands only print incidents.
 */
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/profile.h"
#include "base/json.h"
#include "base/source.h"
#include "base/strbuf.h"
#include "cli/cli.h"
#include "ingest/ingest.h"
#include "cli/options.h"
#include "dump/dump.h"
#include "model/traceback.h"

static bool flush(struct gpm_strbuf *sb)
{
	bool ok = gpm_cli_write(sb->buf ? sb->buf : "", sb->len);
	gpm_strbuf_reset(sb);
	return ok;
}

static bool flush_cb(struct gpm_strbuf *sb, void *arg)
{
	return flush(sb);
}

/* Warnings to stderr; returns whether the snapshot is partial. */
static bool report_problems(const struct gpm_incident *inc)
{
	bool partial = false;
	for (size_t i = 0; i < inc->warnings.len; i++) {
		char *safe =
		    gpm_safe_strndup(inc->warnings.v[i].text, strlen(inc->warnings.v[i].text));
		fprintf(stderr, "gopm: warning: %s\n", safe ? safe : "?");
		free(safe);
		partial = true;
	}
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		// A dump's reader counts its cut goroutines in one warning (with line numbers).
		bool text = inc->kind != GPM_INPUT_CORE;
		if (g->flags & (GPM_GOROUTINE_TRUNCATED | GPM_GOROUTINE_DAMAGED) &&
		    !(text && (g->flags & GPM_GOROUTINE_TRUNCATED))) {
			fprintf(stderr, "gopm: warning: goroutine %llu: %s\n",
			        (unsigned long long)g->id,
			        gpm_goroutine_extra(inc, g)->problem
			            ? gpm_goroutine_extra(inc, g)->problem
			            : "incomplete");
			partial = true;
		}
	}
	return partial;
}

struct filter {
	const char *state;
	regex_t wait, func;
	bool has_wait, has_func;
};

static bool matches(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                    const struct filter *f)
{
	if (f->state) {
		const char *st =
		    g->state ? g->state : gpm_gstatus_name((enum gpm_gstatus)g->status);
		if (strcmp(st, f->state) &&
		    strcmp(gpm_gstatus_name((enum gpm_gstatus)g->status), f->state))
			return false;
	}
	if (f->has_wait && (!g->wait_reason || regexec(&f->wait, g->wait_reason, 0, NULL, 0)))
		return false;
	if (f->has_func) {
		uint32_t n;
		const struct gpm_frame *fr = gpm_goroutine_frames(inc, g, &n);
		bool any = false;
		for (uint32_t i = 0; i < n && !any; i++)
			any = fr[i].func && !regexec(&f->func, fr[i].func, 0, NULL, 0);
		if (!any)
			return false;
	}
	return true;
}

static void json_frame(struct gpm_json *j, const struct gpm_frame *f, const char *args, size_t alen)
{
	gpm_json_object_begin(j);
	if (f->flags & GPM_FRAME_ELIDED) {
		gpm_json_kv_uint(j, "elided", f->line);
		gpm_json_object_end(j);
		return;
	}
	gpm_json_kv_string(j, "func", f->func);
	gpm_json_kv_string(j, "file", f->file);
	gpm_json_kv_uint(j, "line", f->line);
	if (f->flags & GPM_FRAME_HAS_OFFSET)
		gpm_json_kv_hex(j, "offset", f->offset);
	if (f->pc)
		gpm_json_kv_hex(j, "pc", f->pc);
	if (args && !(f->flags & GPM_FRAME_INLINED)) {
		gpm_json_key(j, "args");
		gpm_json_string_n(j, args, alen);
	}
	if (f->flags & GPM_FRAME_INLINED)
		gpm_json_kv_bool(j, "inlined", true);
	if (f->flags & GPM_FRAME_NON_GO)
		gpm_json_kv_bool(j, "non_go", true);
	gpm_json_object_end(j);
}

static void json_goroutine(struct gpm_json *j, const struct gpm_incident *inc,
                           const struct gpm_goroutine *g)
{
	gpm_json_object_begin(j);
	if (g->flags & GPM_GOROUTINE_RUNTIME_STACK)
		gpm_json_kv_bool(j, "runtime_stack", true);
	else
		gpm_json_kv_uint(j, "id", g->id);
	gpm_json_kv_string(j, "status", gpm_gstatus_name((enum gpm_gstatus)g->status));
	if (g->state)
		gpm_json_kv_string(j, "state", g->state);
	if (g->wait_reason)
		gpm_json_kv_string(j, "wait_reason", g->wait_reason);
	if (g->wait_minutes >= 0)
		gpm_json_kv_int(j, "wait_minutes", g->wait_minutes);
	if (g->flags & GPM_GOROUTINE_LOCKED)
		gpm_json_kv_bool(j, "locked", true);
	if (g->flags & GPM_GOROUTINE_CURRENT)
		gpm_json_kv_bool(j, "current", true);
	if (g->flags & GPM_GOROUTINE_TRUNCATED)
		gpm_json_kv_bool(j, "truncated", true);
	if (g->flags & GPM_GOROUTINE_REPEAT)
		gpm_json_kv_bool(j, "repeat", true);
	if (g->flags & GPM_GOROUTINE_NO_HEADER)
		gpm_json_kv_bool(j, "no_header", true);
	if (g->flags & GPM_GOROUTINE_NO_ID)
		gpm_json_kv_bool(j, "no_id", true);
	if (g->flags & GPM_GOROUTINE_RECOVER_LOG)
		gpm_json_kv_bool(j, "recover_log", true);
	const struct gpm_goroutine_extra *x = gpm_goroutine_extra(inc, g);
	if (x->gaddr)
		gpm_json_kv_hex(j, "gp", x->gaddr);
	if (x->m_id >= 0)
		gpm_json_kv_int(j, "m", x->m_id);
	if (x->synctest_bubble)
		gpm_json_kv_uint(j, "synctest_bubble", x->synctest_bubble);
	if (x->problem)
		gpm_json_kv_string(j, "problem", x->problem);
	if (x->nlabels) {
		gpm_json_key(j, "labels");
		gpm_json_object_begin(j);
		for (uint32_t i = 0; i < x->nlabels; i++) {
			const struct gpm_label *l = &inc->labels.v[x->first_label + i];
			gpm_json_kv_string(j, l->key, l->value);
		}
		gpm_json_object_end(j);
	}
	gpm_json_key(j, "frames");
	gpm_json_array_begin(j);
	struct gpm_frame_args_iter it;
	gpm_goroutine_frame_args_begin(inc, g, &it);
	const char *a;
	size_t an;
	while (gpm_frame_args_next(&it, &a, &an))
		json_frame(j, &it.frames[it.i - 1], a, an);
	gpm_json_array_end(j);
	if (g->created_by != UINT32_MAX) {
		gpm_json_key(j, "created_by");
		json_frame(j, &inc->frames.v[g->created_by], NULL, 0);
		if (g->parent_id)
			gpm_json_kv_uint(j, "parent_id", g->parent_id);
	}
	if (x->nancestors)
		gpm_json_kv_uint(j, "ancestors", x->nancestors);
	gpm_json_object_end(j);
}

/* A native frame of a thread in C, with its pc and offset (gpm_report_json_threads). */
static void json_native_frame(struct gpm_json *j, const struct gpm_frame *f)
{
	json_frame(j, f, NULL, 0);
}

static const char *fatal_name(enum gpm_fatal_kind k)
{
	switch (k) {
	case GPM_FATAL_NONE:
		return "none";
	case GPM_FATAL_PANIC:
		return "panic";
	case GPM_FATAL_THROW:
		return "fatal";
	case GPM_FATAL_SIGNAL:
		return "signal";
	case GPM_FATAL_QUIT:
		return "quit";
	case GPM_FATAL_RACE:
		return "race";
	case GPM_FATAL_UNKNOWN:
		break;
	}
	return "unknown";
}

static void json_crash(struct gpm_json *j, const struct gpm_crash *c)
{
	gpm_json_key(j, "crash");
	gpm_json_object_begin(j);
	gpm_json_kv_string(j, "kind", fatal_name(c->kind));
	if (c->fatal_message)
		gpm_json_kv_string(j, "fatal_error", c->fatal_message);
	if (c->panics.len) {
		gpm_json_key(j, "panics");
		gpm_json_array_begin(j);
		for (size_t i = 0; i < c->panics.len; i++) {
			gpm_json_object_begin(j);
			gpm_json_kv_string(j, "value", c->panics.v[i].message);
			if (c->panics.v[i].recovered)
				gpm_json_kv_bool(j, "recovered", true);
			if (c->panics.v[i].repanicked)
				gpm_json_kv_bool(j, "repanicked", true);
			gpm_json_object_end(j);
		}
		gpm_json_array_end(j);
	}
	if (c->signame)
		gpm_json_kv_string(j, "signal", c->signame);
	if (c->sigcode != INT64_MIN)
		gpm_json_kv_int(j, "sigcode", c->sigcode);
	if (c->has_fault_addr)
		gpm_json_kv_hex(j, "addr", c->fault_addr);
	if (c->pc)
		gpm_json_kv_hex(j, "pc", c->pc);
	if (c->oom_request)
		gpm_json_kv_uint(j, "oom_request", c->oom_request);
	if (c->stack_limit)
		gpm_json_kv_uint(j, "stack_limit", c->stack_limit);
	if (c->current_goroutine)
		gpm_json_kv_uint(j, "current_goroutine", c->current_goroutine);
	if (c->exit_status >= 0)
		gpm_json_kv_int(j, "exit_status", c->exit_status);
	if (c->tests_started) {
		gpm_json_key(j, "tests_started");
		gpm_json_array_begin(j);
		for (const char *t = c->tests_started; *t;) {
			size_t k = strcspn(t, "\n");
			gpm_json_string_n(j, t, k);
			t += k + (t[k] == '\n');
		}
		gpm_json_array_end(j);
	}
	gpm_json_object_end(j);
}

enum { OPT_JSON = 1, OPT_STATE, OPT_WAIT, OPT_FUNC, OPT_FORMAT };

static const struct gpm_option goroutines_options[] = {
    {"json", 0, NULL, "one JSON document: snapshots, crash facts, goroutines, frames", OPT_JSON,
     NULL},
    {"state", 0, "STATE", "only goroutines whose state or status is STATE (\"chan receive\")",
     OPT_STATE, NULL},
    {"wait", 0, "REGEX", "only goroutines whose wait reason matches REGEX (POSIX ERE)", OPT_WAIT,
     NULL},
    {"func", 0, "REGEX", "only goroutines with a frame whose function matches REGEX", OPT_FUNC,
     NULL},
    {"format", 0, "F",
     "text (default), json, pprof (a gzip'd profile.proto goroutine profile for\ngo tool pprof, "
     "with goroutine labels) or folded (folded stacks for flame\ngraph tools); pprof and folded "
     "take the last snapshot and no filters",
     OPT_FORMAT, "text json pprof folded"},
    {NULL, 0, NULL, NULL, 0, NULL},
};

const struct gpm_command_spec gpm_spec_goroutines = {
    .name = "goroutines",
    .operands = "[INPUT]",
    .about = "Print the goroutines of a core or a goroutine dump (panic/fatal/SIGQUIT output,\n"
             "pprof goroutine profile at debug=1 or 2, runtime.Stack in a log) in the Go\n"
             "runtime's traceback format, or as JSON. INPUT '-' (or none, from a pipe) is\n"
             "standard input.",
    .options = goroutines_options,
    .core = true,
    .operand_complete = "file",
};

/* --format pprof|folded: the last snapshot as a profile on stdout. */
static int export_profile(struct gpm_ingest_loaded *l, bool pprof)
{
	const struct gpm_incident *inc = l->snapshots[l->n - 1];
	bool partial = report_problems(inc);
	if (l->n > 1)
		fprintf(stderr, "gopm: the input holds %zu snapshots: the last one is exported\n",
		        l->n);
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	struct gpm_profile_totals t;
	struct gpm_error *err = pprof ? gpm_profile_goroutines_pprof(inc, &sb, &t)
	                              : gpm_profile_goroutines_folded(inc, &sb, &t);
	int status = partial ? GPM_EXIT_PARTIAL : GPM_EXIT_OK;
	if (err)
		status = gpm_cli_fail(err);
	else if (pprof)
		fprintf(stderr,
		        "gopm: goroutine profile: %llu samples, %llu goroutines, %llu functions, "
		        "%llu locations\n",
		        (unsigned long long)t.samples, (unsigned long long)t.value,
		        (unsigned long long)t.functions, (unsigned long long)t.locations);
	else
		fprintf(stderr, "gopm: folded stacks: %llu lines, %llu goroutines\n",
		        (unsigned long long)t.samples, (unsigned long long)t.value);
	if (!err && !gpm_cli_write(sb.buf ? sb.buf : "", sb.len))
		status = GPM_EXIT_INTERNAL;
	gpm_strbuf_deinit(&sb);
	return status;
}

int gpm_cmd_goroutines(int argc, char **argv)
{
	const char *input = NULL;
	bool json = false;
	const char *format = NULL; // pprof or folded
	struct filter f = {0};
	int status = GPM_EXIT_OK;
	struct gpm_opts op;
	const char *v;
	int opt;
	gpm_opts_begin(&op, &gpm_spec_goroutines, argc, argv);
	while ((opt = gpm_opts_next(&op, &v)) > 0) {
		if (opt == OPT_JSON) {
			json = true;
			continue;
		}
		if (opt == OPT_FORMAT) {
			if (!strcmp(v, "json"))
				json = true;
			else if (!strcmp(v, "pprof") || !strcmp(v, "folded"))
				format = v;
			else if (strcmp(v, "text")) {
				status = gpm_cli_usage("goroutines",
				                       "--format is text, json, pprof or folded");
				goto out;
			}
			continue;
		}
		if (opt == OPT_STATE) {
			f.state = v;
			continue;
		}
		regex_t *re = opt == OPT_WAIT ? &f.wait : &f.func;
		bool *has = opt == OPT_WAIT ? &f.has_wait : &f.has_func;
		if (*has)
			regfree(re);
		if (regcomp(re, v, REG_EXTENDED | REG_NOSUB)) {
			*has = false;
			status = gpm_cli_usage("goroutines", "bad regular expression '%s'", v);
			goto out;
		}
		*has = true;
	}
	if (opt < 0) {
		status = op.status;
		goto out;
	}
	if (gpm_opts_noperands(&op) > 1) {
		status = gpm_cli_usage("goroutines", "one input only");
		goto out;
	}
	if (gpm_opts_noperands(&op))
		input = gpm_opts_operands(&op)[0];
	if (!input && !(input = gpm_ingest_default_input())) {
		status = gpm_cli_usage("goroutines", "missing INPUT (or '-' for standard input)");
		goto out;
	}
	if (format && (json || f.state || f.has_wait || f.has_func)) {
		status = gpm_cli_usage("goroutines", "--format %s goes with no --json or filter",
		                       format);
		goto out;
	}
	if (format && !strcmp(format, "pprof") && isatty(STDOUT_FILENO)) {
		status = gpm_cli_usage("goroutines", "--format pprof writes a binary profile: "
		                                     "redirect standard output to a file");
		goto out;
	}
	struct gpm_ingest_loaded l;
	struct gpm_error *err = gpm_ingest_load(input, &op.ingest, &l);
	if (err) {
		status = gpm_cli_fail(err);
		goto out;
	}
	if (format) {
		status = export_profile(&l, !strcmp(format, "pprof"));
		gpm_ingest_loaded_deinit(&l);
		goto out;
	}
	bool filtered = f.state || f.has_wait || f.has_func;
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	struct gpm_json j;
	if (json) {
		gpm_json_init(&j, &sb, true);
		gpm_json_document_begin(&j, "goroutines");
		gpm_json_kv_string(&j, "input",
		                   gpm_ingest_is_stdin(input) ? GPM_INGEST_STDIN_NAME : input);
		gpm_json_key(&j, "snapshots");
		gpm_json_array_begin(&j);
	}
	bool partial = false;
	for (size_t s = 0; s < l.n; s++) {
		const struct gpm_incident *inc = l.snapshots[s];
		partial |= report_problems(inc);
		if (json) {
			gpm_json_object_begin(&j);
			gpm_json_kv_uint(&j, "snapshot", s);
			gpm_json_kv_string(&j, "kind", gpm_input_kind_name(inc->kind));
			if (inc->arch)
				gpm_json_kv_string(&j, "arch", inc->arch);
			json_crash(&j, &inc->crash);
			gpm_json_key(&j, "goroutines");
			gpm_json_array_begin(&j);
			for (size_t i = 0; i < inc->goroutines.len; i++) {
				if (!filtered || matches(inc, &inc->goroutines.v[i], &f))
					json_goroutine(&j, inc, &inc->goroutines.v[i]);
				if (sb.len > (1 << 20) && !flush(&sb))
					break;
			}
			gpm_json_array_end(&j);
			if (inc->threads.len)
				gpm_report_json_threads(&j, inc, json_native_frame);
			if (inc->warnings.len) {
				gpm_json_key(&j, "warnings");
				gpm_json_array_begin(&j);
				for (size_t w = 0; w < inc->warnings.len; w++)
					gpm_json_string(&j, inc->warnings.v[w].text);
				gpm_json_array_end(&j);
			}
			gpm_json_object_end(&j);
			continue;
		}
		if (l.n > 1)
			gpm_strbuf_printf(&sb, "%s# snapshot %zu of %zu\n", s ? "\n" : "", s + 1,
			                  l.n);
		struct gpm_traceback_options o = {
		    .preamble = true, .sections = true, .safe = true, .flush = flush_cb};
		if (!filtered) {
			gpm_traceback_incident(&sb, inc, &o);
			// Then the threads in code that is not Go, with their native stacks.
			for (size_t i = 0; i < inc->threads.len; i++) {
				gpm_strbuf_putc(&sb, '\n');
				gpm_traceback_thread(&sb, inc, &inc->threads.v[i], &o);
			}
		} else {
			bool first = true;
			for (size_t i = 0; i < inc->goroutines.len; i++) {
				const struct gpm_goroutine *g = &inc->goroutines.v[i];
				if (!matches(inc, g, &f))
					continue;
				if (!first)
					gpm_strbuf_putc(&sb, '\n');
				first = false;
				gpm_traceback_goroutine(&sb, inc, g, &o);
				if (sb.len > (1 << 20) && !flush(&sb))
					break;
			}
		}
	}
	if (json) {
		gpm_json_array_end(&j);
		gpm_json_object_end(&j);
	}
	if ((err = gpm_strbuf_error(&sb)))
		status = gpm_cli_fail(err);
	else if (!flush(&sb))
		; // main reports the write error
	else if (partial)
		status = GPM_EXIT_PARTIAL;
	gpm_strbuf_deinit(&sb);
	gpm_ingest_loaded_deinit(&l);
out:
	if (f.has_wait)
		regfree(&f.wait);
	if (f.has_func)
		regfree(&f.func);
	return status;
}

const struct gpm_command_spec gpm_spec_stack = {
    .name = "stack",
    .operands = "INPUT GOID",
    .about = "Print one goroutine in the Go runtime's traceback format (from every snapshot\n"
             "of INPUT that has it). INPUT '-' is standard input.",
    .options = NULL,
    .core = true,
    .operand_complete = "file",
};

int gpm_cmd_stack(int argc, char **argv)
{
	struct gpm_opts op;
	const char *v;
	int opt;
	gpm_opts_begin(&op, &gpm_spec_stack, argc, argv);
	while ((opt = gpm_opts_next(&op, &v)) > 0)
		; // only the shared core options, applied by the parser
	if (opt < 0)
		return op.status;
	if (gpm_opts_noperands(&op) != 2)
		return gpm_cli_usage("stack", "expected INPUT GOID");
	const char *pos[2] = {gpm_opts_operands(&op)[0], gpm_opts_operands(&op)[1]};
	char *end;
	errno = 0;
	unsigned long long id = strtoull(pos[1], &end, 10);
	if (errno || !*pos[1] || *end)
		return gpm_cli_usage("stack", "bad goroutine id '%s'", pos[1]);
	struct gpm_ingest_loaded l;
	struct gpm_error *err = gpm_ingest_load(pos[0], &op.ingest, &l);
	if (err)
		return gpm_cli_fail(err);
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	struct gpm_traceback_options o = {.safe = true};
	size_t found = 0;
	for (size_t s = 0; s < l.n; s++) {
		const struct gpm_incident *inc = l.snapshots[s];
		for (size_t i = 0; i < inc->goroutines.len; i++) {
			const struct gpm_goroutine *g = &inc->goroutines.v[i];
			if (g->id != id ||
			    (g->flags & (GPM_GOROUTINE_REPEAT | GPM_GOROUTINE_RUNTIME_STACK |
			                 GPM_GOROUTINE_PPROF_RECORD)))
				continue;
			if (found++)
				gpm_strbuf_putc(&sb, '\n');
			gpm_traceback_goroutine(&sb, inc, g, &o);
			break;
		}
	}
	int status = GPM_EXIT_OK;
	if (!found) {
		fprintf(stderr, "gopm: %s: no goroutine %llu\n", pos[0], id);
		status = GPM_EXIT_NOTFOUND;
	} else if ((err = gpm_strbuf_error(&sb))) {
		status = gpm_cli_fail(err);
	} else {
		flush(&sb); // a write error is reported by main
	}
	gpm_strbuf_deinit(&sb);
	gpm_ingest_loaded_deinit(&l);
	return status;
}
