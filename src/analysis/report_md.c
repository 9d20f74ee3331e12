/*
 * The Markdown report (report_share.h), for a ticket, a wiki or a post-mortem document:
 * CommonMark with GitHub's tables, each goroutine group's stack in a <details> element
 * (collapsed, open for groups a finding names) around a fenced code block. Input-derived
 * text outside code blocks is escaped: HTML's & < > as entities, Markdown's emphasis, code,
 * link and table punctuation with backslashes (links cannot form without brackets); code blocks use
 * a fence longer than any run of backticks they hold.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/report_share.h"

/* Text made terminal-safe, then safe as Markdown inline text (and in a table cell). */
static void md(struct gpm_strbuf *out, const char *s)
{
	if (!s) {
		gpm_strbuf_puts(out, "?");
		return;
	}
	char *safe = gpm_safe_strndup(s, strlen(s));
	if (!safe) {
		gpm_strbuf_puts(out, "?");
		return;
	}
	for (const char *p = safe; *p; p++) {
		switch (*p) {
		case '&':
			gpm_strbuf_puts(out, "&amp;");
			break;
		case '<':
			gpm_strbuf_puts(out, "&lt;");
			break;
		case '>':
			gpm_strbuf_puts(out, "&gt;");
			break;
		case '\n':
		case '\r':
			gpm_strbuf_putc(out, ' ');
			break;
		case '\\':
		case '`':
		case '*':
		case '_':
		case '[':
		case ']':
		case '|':
		case '~':
			gpm_strbuf_putc(out, '\\');
			gpm_strbuf_putc(out, *p);
			break;
		case '#':
		case '+':
		case '-':
			// Headings and list items only begin a line.
			if (p == safe)
				gpm_strbuf_putc(out, '\\');
			gpm_strbuf_putc(out, *p);
			break;
		default:
			gpm_strbuf_putc(out, *p);
		}
	}
	free(safe);
}

static void fact(struct gpm_strbuf *out, const char *key, const char *value)
{
	if (!value)
		return;
	gpm_strbuf_printf(out, "| %s | ", key);
	md(out, value);
	gpm_strbuf_puts(out, " |\n");
}

/* The stack of rep as the runtime prints it (terminal-safe), in code block text. */
static void stack_text(const struct gpm_incident *inc, const struct gpm_goroutine *rep,
                       unsigned maxf, struct gpm_strbuf *t)
{
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, rep, &n);
	for (uint32_t i = 0; i < n && i < maxf; i++) {
		if (f[i].flags & GPM_FRAME_ELIDED) {
			gpm_strbuf_printf(t, "...%u frames elided...\n", f[i].line);
			continue;
		}
		const char *fn = f[i].func ? f[i].func : "?";
		gpm_strbuf_append_safe(t, fn, strlen(fn));
		gpm_strbuf_puts(t, (f[i].flags & GPM_FRAME_INLINED) ? " (inlined)\n" : "\n");
		if (f[i].file) {
			gpm_strbuf_putc(t, '\t');
			gpm_strbuf_append_safe(t, f[i].file, strlen(f[i].file));
			gpm_strbuf_printf(t, ":%u\n", f[i].line);
		}
	}
	if (n > maxf)
		gpm_strbuf_printf(t, "... %u more frames\n", n - maxf);
	if (rep->created_by != UINT32_MAX && rep->created_by < inc->frames.len) {
		const struct gpm_frame *cb = &inc->frames.v[rep->created_by];
		gpm_strbuf_puts(t, "created by ");
		if (cb->func)
			gpm_strbuf_append_safe(t, cb->func, strlen(cb->func));
		gpm_strbuf_putc(t, '\n');
		if (cb->file) {
			gpm_strbuf_putc(t, '\t');
			gpm_strbuf_append_safe(t, cb->file, strlen(cb->file));
			gpm_strbuf_printf(t, ":%u\n", cb->line);
		}
	}
}

/* A fenced code block around t: the fence is longer than any run of backticks in it. */
static void code_block(struct gpm_strbuf *out, const struct gpm_strbuf *t)
{
	size_t run = 0, longest = 0;
	for (size_t i = 0; i < t->len; i++) {
		run = t->buf[i] == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	size_t fence = longest >= 3 ? longest + 1 : 3;
	for (size_t i = 0; i < fence; i++)
		gpm_strbuf_putc(out, '`');
	gpm_strbuf_puts(out, "text\n");
	gpm_strbuf_append(out, t->buf ? t->buf : "", t->len);
	for (size_t i = 0; i < fence; i++)
		gpm_strbuf_putc(out, '`');
	gpm_strbuf_putc(out, '\n');
}

void gpm_report_markdown(const struct gpm_incident *inc, const struct gpm_analysis *a,
                         const struct gpm_report_options *o, const char *archive,
                         struct gpm_strbuf *out)
{
	static const struct gpm_report_options defaults;
	o = o ? o : &defaults;
	gpm_strbuf_puts(out, "# ");
	if (a->findings.len)
		md(out, a->findings.v[0].title);
	else
		gpm_strbuf_puts(out, "Nothing stands out");
	gpm_strbuf_puts(out, "\n\n## Findings\n\n");
	if (!a->findings.len)
		gpm_strbuf_puts(out, "Nothing stands out: no crash reported, no large blocked "
		                     "groups, no lock cycles.\n\n");
	for (size_t i = 0; i < a->findings.len; i++) {
		const struct gpm_finding *f = &a->findings.v[i];
		char sev[16];
		const char *sn = gpm_severity_name(f->severity);
		size_t k = 0;
		for (; sn[k] && k < sizeof(sev) - 1; k++)
			sev[k] = (char)(sn[k] >= 'a' && sn[k] <= 'z' ? sn[k] - 32 : sn[k]);
		sev[k] = 0;
		gpm_strbuf_printf(out, "### %s: ", sev);
		md(out, f->title);
		gpm_strbuf_printf(out, "\n\n*rule `%s`, %s*\n\n", f->rule,
		                  gpm_report_finding_source(f));
		if (f->explanation) {
			md(out, f->explanation);
			gpm_strbuf_puts(out, "\n\n");
		}
		if (f->evidence.len) {
			gpm_strbuf_puts(out, "| evidence | |\n|---|---|\n");
			for (size_t e = 0; e < f->evidence.len; e++) {
				gpm_strbuf_puts(out, "| ");
				md(out, f->evidence.v[e].key);
				gpm_strbuf_puts(out, " | ");
				md(out, f->evidence.v[e].value);
				gpm_strbuf_puts(out, " |\n");
			}
			gpm_strbuf_putc(out, '\n');
		}
		if (f->next) {
			gpm_strbuf_puts(out, "**Next:** ");
			md(out, f->next);
			gpm_strbuf_puts(out, "\n\n");
		}
	}

	gpm_strbuf_puts(out, "## Process\n\n| | |\n|---|---|\n");
	fact(out, "input", gpm_report_input_kind(inc->kind));
	fact(out, "file", inc->source_name);
	fact(out, "go", inc->go_version);
	fact(out, "module", inc->main_module);
	const char *exe_read;
	fact(out, "executable", gpm_report_executable(inc, &exe_read));
	fact(out, "read from", exe_read);
	fact(out, "command", inc->cmdline);
	if (inc->pid >= 0)
		gpm_strbuf_printf(out, "| pid | %" PRId64 " |\n", inc->pid);
	gpm_strbuf_printf(out,
	                  "| goroutines | %" PRIu64 " (%" PRIu64
	                  " of them runtime-internal), %zu groups |\n",
	                  a->goroutines, a->system, a->grouping.ngroups);
	for (size_t i = 0; i < inc->warnings.len && i < 5; i++)
		fact(out, "warning", inc->warnings.v[i].text);
	gpm_strbuf_putc(out, '\n');

	if (inc->heap_known) {
		gpm_strbuf_printf(out,
		                  "## Heap\n\n%" PRIu64 " bytes in %" PRIu64
		                  " allocated objects; %" PRIu64 " bytes of in-use heap spans.\n\n",
		                  inc->heap_bytes, inc->heap_objects, inc->heap_inuse);
		if (inc->nheap_holders) {
			gpm_strbuf_puts(out, "| retains | objects | what |\n|---|---|---|\n");
			for (unsigned i = 0; i < inc->nheap_holders; i++) {
				const struct gpm_heap_holder *h = &inc->heap_holders[i];
				gpm_strbuf_printf(out, "| %" PRIu64 " B | %" PRIu64 " | ", h->bytes,
				                  h->objects);
				md(out, h->what);
				if (h->path) {
					gpm_strbuf_puts(out, " (");
					md(out, h->path);
					gpm_strbuf_putc(out, ')');
				}
				gpm_strbuf_puts(out, " |\n");
			}
			gpm_strbuf_putc(out, '\n');
		}
	}

	unsigned maxg = o->max_groups ? o->max_groups : 12;
	unsigned maxf = o->max_frames ? o->max_frames : 16;
	gpm_strbuf_printf(out, "## Goroutine groups (%zu; suspicious first)\n\n",
	                  a->grouping.ngroups);
	size_t shown = 0;
	struct gpm_strbuf t = GPM_STRBUF_INIT;
	for (size_t i = 0; i < a->grouping.ngroups && shown < maxg; i++) {
		uint32_t gi = a->order[i];
		const struct gpm_group *g = &a->grouping.groups[gi];
		const struct gpm_goroutine *rep = &inc->goroutines.v[g->representative];
		if ((rep->flags & GPM_GOROUTINE_RUNTIME_STACK) || !rep->id)
			continue;
		const struct gpm_frame *top = gpm_goroutine_user_frame(inc, rep);
		gpm_strbuf_printf(out, "<details%s><summary><b>%u goroutine%s</b> [",
		                  a->group_flagged && a->group_flagged[gi] ? " open" : "", g->count,
		                  g->count == 1 ? "" : "s");
		gpm_html_escape(out, g->state);
		gpm_strbuf_puts(out, "] ");
		if (top)
			gpm_html_escape(out, top->func);
		for (size_t k = 0; k < a->findings.len; k++)
			if (a->findings.v[k].group == (int32_t)gi) {
				gpm_strbuf_printf(out, " &larr; <code>%s</code>",
				                  a->findings.v[k].rule);
				break;
			}
		gpm_strbuf_puts(out, "</summary>\n\n");
		if (g->count <= 6) {
			gpm_strbuf_puts(out, g->count > 1 ? "goroutines " : "goroutine ");
			for (uint32_t k = 0; k < g->count; k++)
				gpm_strbuf_printf(
				    out, "%s%" PRIu64, k ? ", " : "",
				    inc->goroutines.v[a->grouping.members[g->first_member + k]].id);
			gpm_strbuf_puts(out, "\n\n");
		} else {
			gpm_strbuf_printf(out, "ids %" PRIu64 "..%" PRIu64 "\n\n", g->min_id,
			                  g->max_id);
		}
		gpm_strbuf_reset(&t);
		stack_text(inc, rep, maxf, &t);
		code_block(out, &t);
		gpm_strbuf_puts(out, "\n</details>\n\n");
		shown++;
	}
	gpm_strbuf_deinit(&t);
	if (a->grouping.ngroups > shown)
		gpm_strbuf_printf(out, "... %zu more groups (gopm goroutines shows them all)\n\n",
		                  a->grouping.ngroups - shown);
	gpm_strbuf_puts(out, "## States\n\n| goroutines | state |\n|---|---|\n");
	for (size_t i = 0; i < a->states.len; i++) {
		gpm_strbuf_printf(out, "| %" PRIu64 " | ", a->states.v[i].count);
		md(out, a->states.v[i].state);
		gpm_strbuf_puts(out, " |\n");
	}
	if (archive) {
		gpm_strbuf_puts(out, "\n## Archive\n\n");
		md(out, archive);
		gpm_strbuf_putc(out, '\n');
	}
}
