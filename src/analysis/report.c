/*
 * The report of `gopm analyze`: findings first (what a person on call needs), then the
 * process facts, then goroutine groups (those named by findings first, then by size; each
 * stack printed once), then how many goroutines are in each state. Text wraps at the given
 * width and uses ANSI colours only when asked; the JSON form carries the same content.
 * Everything that came from the dump is made terminal-safe before it is printed.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "analysis/report_doc.h"
#include "base/json.h"

#define C_RESET "\033[0m"
#define C_BOLD  "\033[1m"
#define C_DIM   "\033[2m"
#define C_RED   "\033[31m"
#define C_YEL   "\033[33m"
#define C_CYAN  "\033[36m"

struct rep {
	struct gpm_strbuf *out;
	const struct gpm_report_options *o;
	unsigned width;
};

static void col(struct rep *r, const char *c)
{
	if (r->o->color)
		gpm_strbuf_puts(r->out, c);
}

static void puts_safe(struct rep *r, const char *s)
{
	if (s)
		gpm_strbuf_append_safe(r->out, s, strlen(s));
	else
		gpm_strbuf_puts(r->out, "?");
}

/* Words of s wrapped at the width, each line starting with indent spaces. */
static void wrap(struct rep *r, const char *s, unsigned indent, unsigned first_used)
{
	unsigned pos = first_used;
	if (!s)
		return;
	bool line_start = true;
	while (*s) {
		while (*s == ' ')
			s++;
		size_t n = strcspn(s, " ");
		if (!n)
			break;
		if (!line_start && pos + 1 + n > r->width) {
			gpm_strbuf_putc(r->out, '\n');
			for (unsigned i = 0; i < indent; i++)
				gpm_strbuf_putc(r->out, ' ');
			pos = indent;
			line_start = true;
		}
		if (!line_start) {
			gpm_strbuf_putc(r->out, ' ');
			pos++;
		}
		gpm_strbuf_append_safe(r->out, s, n);
		pos += (unsigned)n;
		line_start = false;
		s += n;
	}
	gpm_strbuf_putc(r->out, '\n');
}

static const char *sev_color(enum gpm_severity s)
{
	switch (s) {
	case GPM_SEVERITY_CRITICAL:
		return C_BOLD C_RED;
	case GPM_SEVERITY_HIGH:
		return C_RED;
	case GPM_SEVERITY_MEDIUM:
		return C_YEL;
	case GPM_SEVERITY_LOW:
		return C_CYAN;
	case GPM_SEVERITY_INFO:
		break;
	}
	return C_DIM;
}

static void heading(struct rep *r, const char *title)
{
	gpm_strbuf_putc(r->out, '\n');
	col(r, C_BOLD);
	gpm_strbuf_puts(r->out, title);
	col(r, C_RESET);
	gpm_strbuf_putc(r->out, '\n');
}

static void finding_text(struct rep *r, const struct gpm_report_doc *doc,
                         const struct gpm_report_dfinding *f, bool full)
{
	char sev[16];
	size_t n = strlen(gpm_severity_name(f->severity));
	for (size_t i = 0; i < n && i < sizeof(sev) - 1; i++)
		sev[i] = (char)(gpm_severity_name(f->severity)[i] - 32);
	sev[n < sizeof(sev) - 1 ? n : sizeof(sev) - 1] = 0;
	col(r, sev_color(f->severity));
	gpm_strbuf_printf(r->out, "%-8s ", sev);
	col(r, C_RESET);
	col(r, C_BOLD);
	puts_safe(r, f->title);
	col(r, C_RESET);
	gpm_strbuf_putc(r->out, '\n');
	col(r, C_DIM);
	gpm_strbuf_puts(r->out, "         rule ");
	puts_safe(r, f->rule);
	gpm_strbuf_printf(r->out, ", %s\n", f->source);
	col(r, C_RESET);
	if (!full)
		return;
	gpm_strbuf_puts(r->out, "         ");
	wrap(r, f->explanation, 9, 9);
	const struct gpm_report_kv *ev = f->nevidence ? doc->evidence.v + f->evidence : NULL;
	size_t kw = 0;
	for (size_t i = 0; i < f->nevidence; i++) {
		size_t l = ev[i].key ? strlen(ev[i].key) : 1;
		if (l > kw)
			kw = l;
	}
	if (kw > 20)
		kw = 20;
	for (size_t i = 0; i < f->nevidence; i++) {
		gpm_strbuf_puts(r->out, "         ");
		col(r, C_DIM);
		gpm_strbuf_printf(r->out, "%-*s", (int)kw, ev[i].key ? ev[i].key : "?");
		col(r, C_RESET);
		gpm_strbuf_puts(r->out, "  ");
		wrap(r, ev[i].value, 11 + (unsigned)kw, 11 + (unsigned)kw);
	}
	if (f->next) {
		gpm_strbuf_puts(r->out, "         ");
		col(r, C_BOLD);
		gpm_strbuf_puts(r->out, "next:");
		col(r, C_RESET);
		gpm_strbuf_putc(r->out, ' ');
		wrap(r, f->next, 15, 15);
	}
}

const char *gpm_report_finding_source(const struct gpm_finding *f)
{
	// A tool that watched the program, the runtime, or gopm's own reading.
	return f->kind == GPM_RULE_DEADLOCK_REPORTED ? "reported by go-deadlock"
	       : f->kind == GPM_RULE_RACE_DATA       ? "reported by the race detector"
	       : f->kind == GPM_RULE_LEAK_DETECTED   ? "reported by the runtime's leak detection"
	       : f->confidence == GPM_CONFIDENCE_CERTAIN ? "reported by the runtime"
	       : f->confidence == GPM_CONFIDENCE_LIKELY  ? "inferred from the process state"
	                                                 : "heuristic";
}

const char *gpm_report_executable(const struct gpm_incident *inc, const char **read)
{
	// The service is the path the process ran from; the file read may be a copy of it.
	bool other = inc->process_exe && inc->exe_path && strcmp(inc->process_exe, inc->exe_path);
	*read = other ? inc->exe_path : NULL;
	return inc->process_exe ? inc->process_exe : inc->exe_path;
}

const char *gpm_report_incident_input(const struct gpm_incident *inc)
{
	return inc->pprof_traces ? "goroutine profile (go tool pprof -traces)"
	                         : gpm_report_input_kind(inc->kind);
}

const char *gpm_report_input_kind(enum gpm_input_kind k)
{
	switch (k) {
	case GPM_INPUT_CORE:
		return "core dump";
	case GPM_INPUT_DUMP:
		return "goroutine dump (text)";
	case GPM_INPUT_PPROF1:
		return "goroutine profile (debug=1)";
	case GPM_INPUT_PPROF2:
		return "goroutine profile (debug=2)";
	case GPM_INPUT_HEAPDUMP:
		return "heap dump";
	case GPM_INPUT_PPROF0:
		return "goroutine profile (protobuf)";
	case GPM_INPUT_UNKNOWN:
		break;
	}
	return "unknown";
}

static void fact(struct rep *r, const char *key, const char *value)
{
	if (!value)
		return;
	gpm_strbuf_printf(r->out, "  %-12s", key);
	puts_safe(r, value);
	gpm_strbuf_putc(r->out, '\n');
}

static void group_text(struct rep *r, const struct gpm_report_doc *doc,
                       const struct gpm_report_dgroup *g)
{
	col(r, C_BOLD);
	gpm_strbuf_printf(r->out, "%" PRIu64 " goroutine%s ", g->count, g->count == 1 ? "" : "s");
	col(r, C_RESET);
	gpm_strbuf_putc(r->out, '[');
	puts_safe(r, g->state);
	if (g->max_minutes >= 0) {
		if (g->min_minutes == g->max_minutes)
			gpm_strbuf_printf(r->out, ", %" PRId64 " minutes", g->max_minutes);
		else
			gpm_strbuf_printf(r->out, ", %" PRId64 "-%" PRId64 " minutes",
			                  g->min_minutes, g->max_minutes);
	}
	gpm_strbuf_puts(r->out, "]");
	if (g->no_ids) {
		// A profile counts goroutines by stack: it has no ids to list.
	} else if (g->ids) {
		gpm_strbuf_puts(r->out, g->count > 1 ? " goroutines " : " goroutine ");
		puts_safe(r, g->ids);
	} else {
		gpm_strbuf_printf(r->out, " ids %" PRIu64 "..%" PRIu64, g->min_id, g->max_id);
	}
	if (g->rule) {
		col(r, sev_color(g->rule_severity));
		gpm_strbuf_puts(r->out, "  <- ");
		puts_safe(r, g->rule);
		col(r, C_RESET);
	}
	gpm_strbuf_putc(r->out, '\n');
	// The object waited on, when a core told (one line for the group).
	if (g->wait) {
		col(r, C_DIM);
		gpm_strbuf_puts(r->out, "    ");
		puts_safe(r, g->wait);
		gpm_strbuf_putc(r->out, '\n');
		col(r, C_RESET);
	}
	const struct gpm_report_dframe *f = g->nframes ? doc->frames.v + g->frame : NULL;
	for (size_t i = 0; i < g->nframes; i++) {
		bool rt = f[i].func && (!strncmp(f[i].func, "runtime.", 8) ||
		                        !strncmp(f[i].func, "internal/", 9));
		gpm_strbuf_puts(r->out, "    ");
		if (f[i].flags & GPM_FRAME_ELIDED) {
			col(r, C_DIM);
			gpm_strbuf_printf(r->out, "...%u frames elided...\n", f[i].line);
			col(r, C_RESET);
			continue;
		}
		if (rt)
			col(r, C_DIM);
		puts_safe(r, f[i].func);
		if (f[i].flags & GPM_FRAME_INLINED)
			gpm_strbuf_puts(r->out, " (inlined)");
		col(r, C_RESET);
		col(r, C_DIM);
		gpm_strbuf_puts(r->out, "\n        ");
		if (f[i].file) {
			puts_safe(r, f[i].file);
			gpm_strbuf_printf(r->out, ":%u", f[i].line);
		}
		col(r, C_RESET);
		gpm_strbuf_putc(r->out, '\n');
	}
	if (g->more_frames)
		gpm_strbuf_printf(r->out, "    ... %" PRIu64 " more frames\n", g->more_frames);
	if (g->has_creator) {
		gpm_strbuf_puts(r->out, "    created by ");
		puts_safe(r, g->creator);
		if (g->ncreators > 1)
			gpm_strbuf_printf(r->out, " (and %u other creators)", g->ncreators - 1);
		col(r, C_DIM);
		if (g->creator_file) {
			gpm_strbuf_puts(r->out, "\n        ");
			puts_safe(r, g->creator_file);
			gpm_strbuf_printf(r->out, ":%u", g->creator_line);
		}
		col(r, C_RESET);
		gpm_strbuf_putc(r->out, '\n');
	}
}

void gpm_report_doc_text(const struct gpm_report_doc *doc, const struct gpm_report_options *o,
                         struct gpm_strbuf *out)
{
	static const struct gpm_report_options defaults;
	struct rep r = {out, o ? o : &defaults, 0};
	r.width = r.o->width >= 40 ? r.o->width : 100;

	// Findings, headline first: the most severe in full, minor ones in one line each.
	col(&r, C_BOLD);
	gpm_strbuf_puts(out, "FINDINGS");
	col(&r, C_RESET);
	gpm_strbuf_putc(out, '\n');
	if (!doc->findings.len)
		gpm_strbuf_printf(out, "  %s\n", gpm_report_doc_quiet(doc));
	for (size_t i = 0; i < doc->findings.len; i++) {
		const struct gpm_report_dfinding *f = &doc->findings.v[i];
		bool full = f->severity >= GPM_SEVERITY_MEDIUM || i == 0;
		if (i && full)
			gpm_strbuf_putc(out, '\n');
		finding_text(&r, doc, f, full);
	}

	heading(&r, "PROCESS");
	for (size_t i = 0; i < doc->facts.len; i++)
		fact(&r, doc->facts.v[i].key, doc->facts.v[i].value);

	gpm_strbuf_putc(out, '\n');
	col(&r, C_BOLD);
	gpm_strbuf_printf(out, "GOROUTINE GROUPS");
	col(&r, C_RESET);
	gpm_strbuf_printf(out, " (%" PRIu64 ", stacks compared %s; suspicious first)\n",
	                  doc->ngroups, doc->level ? doc->level : "?");
	for (size_t i = 0; i < doc->groups.len; i++) {
		gpm_strbuf_putc(out, '\n');
		group_text(&r, doc, &doc->groups.v[i]);
	}
	if (doc->ngroups > doc->groups.len)
		gpm_strbuf_printf(
		    out, "\n  ... %" PRIu64 " more groups (gopm goroutines shows them all)\n",
		    doc->ngroups - doc->groups.len);

	heading(&r, "STATES");
	for (size_t i = 0; i < doc->states.len; i++) {
		gpm_strbuf_printf(out, "  %8" PRIu64 "  ", doc->states.v[i].count);
		puts_safe(&r, doc->states.v[i].state);
		gpm_strbuf_putc(out, '\n');
	}
}

void gpm_report_text(const struct gpm_incident *inc, const struct gpm_analysis *a,
                     const struct gpm_report_options *o, struct gpm_strbuf *out)
{
	struct gpm_report_doc doc;
	if (gpm_report_doc_build(&doc, inc, a, o))
		gpm_strbuf_puts(out, "(out of memory: the report is incomplete)\n");
	gpm_report_doc_text(&doc, o, out);
	gpm_report_doc_deinit(&doc);
}

/* ---- JSON ---- */

static void json_group(struct gpm_json *j, const struct gpm_incident *inc,
                       const struct gpm_analysis *a, uint32_t gi, unsigned maxf)
{
	const struct gpm_group *g = &a->grouping.groups[gi];
	const struct gpm_goroutine *rep = &inc->goroutines.v[g->representative];
	gpm_json_object_begin(j);
	gpm_json_kv_uint(j, "index", gi);
	gpm_json_kv_hex(j, "signature", g->signature);
	gpm_json_kv_uint(j, "count", g->count);
	gpm_json_kv_string(j, "state", g->state);
	gpm_json_kv_uint(j, "min_id", g->min_id);
	gpm_json_kv_uint(j, "max_id", g->max_id);
	if (g->max_minutes >= 0) {
		gpm_json_kv_int(j, "min_minutes", g->min_minutes);
		gpm_json_kv_int(j, "max_minutes", g->max_minutes);
	}
	if (gpm_goroutine_extra(inc, rep)->wait_object)
		gpm_json_kv_hex(j, "wait_object", gpm_goroutine_extra(inc, rep)->wait_object);
	gpm_json_key(j, "ids");
	gpm_json_array_begin(j);
	for (uint32_t k = 0; k < g->count && k < GPM_FINDING_MAX_IDS &&
	                     !(rep->flags & (GPM_GOROUTINE_PPROF_RECORD | GPM_GOROUTINE_NO_ID));
	     k++)
		gpm_json_uint(j, inc->goroutines.v[a->grouping.members[g->first_member + k]].id);
	gpm_json_array_end(j);
	gpm_json_key(j, "creators");
	gpm_json_array_begin(j);
	for (uint32_t k = 0; k < g->ncreators && k < 4; k++)
		gpm_json_string(j, g->creators[k]);
	gpm_json_array_end(j);
	gpm_json_key(j, "frames");
	gpm_json_array_begin(j);
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, rep, &n);
	for (uint32_t i = 0; i < n && i < maxf; i++) {
		gpm_json_object_begin(j);
		if (f[i].flags & GPM_FRAME_ELIDED) {
			gpm_json_kv_uint(j, "elided", f[i].line);
		} else {
			gpm_json_kv_string(j, "func", f[i].func);
			if (f[i].file) {
				gpm_json_kv_string(j, "file", f[i].file);
				gpm_json_kv_uint(j, "line", f[i].line);
			}
			if (f[i].flags & GPM_FRAME_INLINED)
				gpm_json_kv_bool(j, "inlined", true);
		}
		gpm_json_object_end(j);
	}
	gpm_json_array_end(j);
	gpm_json_object_end(j);
}

void gpm_report_json_finding(struct gpm_json *j, const struct gpm_finding *f)
{
	gpm_json_object_begin(j);
	gpm_json_kv_string(j, "rule", f->rule);
	gpm_json_kv_string(j, "family", gpm_rule_family_name(gpm_rules[f->kind].family));
	gpm_json_kv_string(j, "severity", gpm_severity_name(f->severity));
	gpm_json_kv_string(j, "confidence", gpm_confidence_name(f->confidence));
	gpm_json_kv_string(j, "title", f->title);
	gpm_json_kv_string(j, "explanation", f->explanation);
	gpm_json_kv_string(j, "next", f->next);
	gpm_json_key(j, "evidence");
	gpm_json_array_begin(j);
	for (size_t k = 0; k < f->evidence.len; k++) {
		gpm_json_object_begin(j);
		gpm_json_kv_string(j, "key", f->evidence.v[k].key);
		gpm_json_kv_string(j, "value", f->evidence.v[k].value);
		gpm_json_object_end(j);
	}
	gpm_json_array_end(j);
	gpm_json_key(j, "goroutines");
	gpm_json_array_begin(j);
	for (size_t k = 0; k < f->goroutines.len; k++)
		gpm_json_uint(j, f->goroutines.v[k]);
	gpm_json_array_end(j);
	gpm_json_kv_uint(j, "count", f->count);
	if (f->instances > 1)
		gpm_json_kv_uint(j, "instances", f->instances);
	if (f->address)
		gpm_json_kv_hex(j, "address", f->address);
	if (f->print)
		gpm_json_kv_string(j, "print", f->print);
	if (f->group >= 0)
		gpm_json_kv_int(j, "group", f->group);
	gpm_json_object_end(j);
}

void gpm_report_threads_text(const struct gpm_incident *inc, struct gpm_strbuf *sb)
{
	if (!inc->threads.len)
		return;
	gpm_strbuf_puts(sb, "\nTHREADS IN C\n");
	for (size_t i = 0; i < inc->threads.len; i++) {
		const struct gpm_thread *t = &inc->threads.v[i];
		gpm_strbuf_printf(sb, "%sthread %" PRId64, i ? "\n" : "", t->tid);
		if (t->m_id < 0)
			gpm_strbuf_puts(sb, ", created by C code (no Go m)");
		else if (t->goroutine)
			gpm_strbuf_printf(sb, ", m %" PRId64 ", in C for goroutine %" PRIu64,
			                  t->m_id, t->goroutine);
		else
			gpm_strbuf_printf(sb, ", m %" PRId64 ", in C", t->m_id);
		gpm_strbuf_printf(sb, "; unwound by %s\n",
		                  gpm_thread_unwind_name((enum gpm_thread_unwind)t->how));
		const struct gpm_stack *st =
		    t->stack < inc->stacks.len ? &inc->stacks.v[t->stack] : NULL;
		for (uint32_t k = 0; st && k < st->nframes; k++) {
			const struct gpm_frame *f = &inc->frames.v[st->first + k];
			const char *func = f->func ? f->func : "?";
			gpm_strbuf_puts(sb, "    ");
			gpm_strbuf_append_safe(sb, func, strlen(func));
			gpm_strbuf_puts(sb, "\n");
			if (f->file) {
				gpm_strbuf_puts(sb, "        ");
				gpm_strbuf_append_safe(sb, f->file, strlen(f->file));
				if (f->line)
					gpm_strbuf_printf(sb, ":%" PRIu32, f->line);
				gpm_strbuf_puts(sb, "\n");
			}
		}
		if (t->problem) {
			gpm_strbuf_puts(sb, "    (stack ends: ");
			gpm_strbuf_append_safe(sb, t->problem, strlen(t->problem));
			gpm_strbuf_puts(sb, ")\n");
		}
	}
}

/* A native frame as the archive keeps it: function, file, line (no pc). */
static void json_archived_frame(struct gpm_json *j, const struct gpm_frame *f)
{
	gpm_json_object_begin(j);
	gpm_json_kv_string(j, "func", f->func ? f->func : "?");
	if (f->file) {
		gpm_json_kv_string(j, "file", f->file);
		gpm_json_kv_uint(j, "line", f->line);
	}
	gpm_json_object_end(j);
}

void gpm_report_json_threads(struct gpm_json *j, const struct gpm_incident *inc,
                             void (*frame)(struct gpm_json *j, const struct gpm_frame *f))
{
	if (!frame)
		frame = json_archived_frame;
	gpm_json_key(j, "threads");
	gpm_json_array_begin(j);
	for (size_t i = 0; i < inc->threads.len; i++) {
		const struct gpm_thread *t = &inc->threads.v[i];
		gpm_json_object_begin(j);
		gpm_json_kv_int(j, "tid", t->tid);
		if (t->m_id >= 0)
			gpm_json_kv_int(j, "m", t->m_id);
		if (t->goroutine)
			gpm_json_kv_uint(j, "goroutine", t->goroutine);
		gpm_json_kv_string(j, "unwound_by",
		                   gpm_thread_unwind_name((enum gpm_thread_unwind)t->how));
		if (t->problem)
			gpm_json_kv_string(j, "problem", t->problem);
		gpm_json_key(j, "frames");
		gpm_json_array_begin(j);
		const struct gpm_stack *st =
		    t->stack < inc->stacks.len ? &inc->stacks.v[t->stack] : NULL;
		for (uint32_t k = 0; st && k < st->nframes; k++)
			frame(j, &inc->frames.v[st->first + k]);
		gpm_json_array_end(j);
		gpm_json_object_end(j);
	}
	gpm_json_array_end(j);
}

void gpm_report_json(const struct gpm_incident *inc, const struct gpm_analysis *a,
                     const struct gpm_report_options *o, struct gpm_strbuf *out)
{
	struct gpm_json j;
	gpm_json_init(&j, out, true);
	gpm_report_json_snapshot(&j, inc, a, o, -1);
}

void gpm_report_json_snapshot(struct gpm_json *jp, const struct gpm_incident *inc,
                              const struct gpm_analysis *a, const struct gpm_report_options *o,
                              int64_t snapshot)
{
	static const struct gpm_report_options defaults;
	o = o ? o : &defaults;
	struct gpm_json j = *jp;
	gpm_json_object_begin(&j);
	if (snapshot >= 0)
		gpm_json_kv_int(&j, "snapshot", snapshot);
	gpm_json_key(&j, "findings");
	gpm_json_array_begin(&j);
	for (size_t i = 0; i < a->findings.len; i++)
		gpm_report_json_finding(&j, &a->findings.v[i]);
	gpm_json_array_end(&j);

	gpm_report_json_facts(&j, inc, a, o);
	gpm_json_object_end(&j);
	*jp = j;
}

void gpm_report_json_facts(struct gpm_json *jp, const struct gpm_incident *inc,
                           const struct gpm_analysis *a, const struct gpm_report_options *o)
{
	static const struct gpm_report_options defaults;
	o = o ? o : &defaults;
	struct gpm_json j = *jp;
	gpm_json_key(&j, "process");
	gpm_json_object_begin(&j);
	gpm_json_kv_string(&j, "input", gpm_report_incident_input(inc));
	if (inc->arch)
		gpm_json_kv_string(&j, "arch", inc->arch);
	if (inc->source_name)
		gpm_json_kv_string(&j, "file", inc->source_name);
	if (inc->go_version)
		gpm_json_kv_string(&j, "go", inc->go_version);
	if (inc->main_module)
		gpm_json_kv_string(&j, "module", inc->main_module);
	const char *exe_read, *exe = gpm_report_executable(inc, &exe_read);
	if (exe)
		gpm_json_kv_string(&j, "executable", exe);
	if (exe_read)
		gpm_json_kv_string(&j, "executable_read", exe_read);
	if (inc->cmdline)
		gpm_json_kv_string(&j, "command", inc->cmdline);
	if (inc->pid >= 0)
		gpm_json_kv_int(&j, "pid", inc->pid);
	if (inc->crash.signo)
		gpm_json_kv_int(&j, "signal", inc->crash.signo);
	if (inc->crash.live_snapshot) {
		gpm_json_kv_bool(&j, "live_snapshot", true);
		gpm_json_kv_int(&j, "stop_signal", inc->crash.stop_signo);
	}
	gpm_json_kv_uint(&j, "goroutines", a->goroutines);
	gpm_json_kv_uint(&j, "system_goroutines", a->system);
	gpm_json_object_end(&j);

	unsigned maxg = o->max_groups ? o->max_groups : 12;
	gpm_json_kv_uint(&j, "ngroups", a->grouping.ngroups);
	gpm_json_key(&j, "groups");
	gpm_json_array_begin(&j);
	for (size_t i = 0; i < a->grouping.ngroups && i < maxg; i++)
		json_group(&j, inc, a, a->order[i], o->max_frames ? o->max_frames : 64);
	gpm_json_array_end(&j);

	gpm_json_key(&j, "states");
	gpm_json_object_begin(&j);
	for (size_t i = 0; i < a->states.len; i++)
		gpm_json_kv_uint(&j, a->states.v[i].state, a->states.v[i].count);
	gpm_json_object_end(&j);
	if (inc->threads.len)
		gpm_report_json_threads(&j, inc, NULL);
	// What could not be read is said in the document too, not only on stderr.
	if (inc->warnings.len) {
		gpm_json_key(&j, "warnings");
		gpm_json_array_begin(&j);
		for (size_t i = 0; i < inc->warnings.len; i++)
			gpm_json_string(&j, inc->warnings.v[i].text);
		gpm_json_array_end(&j);
	}
	*jp = j;
}
