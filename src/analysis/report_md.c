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

#include "analysis/report_doc.h"
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

/* A group's stack as the runtime prints it (terminal-safe), in code block text. */
static void stack_text(const struct gpm_report_doc *doc, const struct gpm_report_dgroup *g,
                       struct gpm_strbuf *t)
{
	const struct gpm_report_dframe *f = g->nframes ? doc->frames.v + g->frame : NULL;
	for (size_t i = 0; i < g->nframes; i++) {
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
	if (g->more_frames)
		gpm_strbuf_printf(t, "... %" PRIu64 " more frames\n", g->more_frames);
	if (g->has_creator) {
		const char *fn = g->creator ? g->creator : "?";
		gpm_strbuf_puts(t, "created by ");
		gpm_strbuf_append_safe(t, fn, strlen(fn));
		gpm_strbuf_putc(t, '\n');
		if (g->creator_file) {
			gpm_strbuf_putc(t, '\t');
			gpm_strbuf_append_safe(t, g->creator_file, strlen(g->creator_file));
			gpm_strbuf_printf(t, ":%u\n", g->creator_line);
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

void gpm_report_doc_markdown(const struct gpm_report_doc *doc, const char *archive,
                             struct gpm_strbuf *out)
{
	gpm_strbuf_puts(out, "# ");
	if (doc->findings.len)
		md(out, doc->findings.v[0].title);
	else
		gpm_strbuf_puts(out, "Nothing stands out");
	gpm_strbuf_puts(out, "\n\n## Findings\n\n");
	if (!doc->findings.len)
		gpm_strbuf_printf(out, "N%s.\n\n", gpm_report_doc_quiet(doc) + 1);
	for (size_t i = 0; i < doc->findings.len; i++) {
		const struct gpm_report_dfinding *f = &doc->findings.v[i];
		char sev[16];
		const char *sn = gpm_severity_name(f->severity);
		size_t k = 0;
		for (; sn[k] && k < sizeof(sev) - 1; k++)
			sev[k] = (char)(sn[k] >= 'a' && sn[k] <= 'z' ? sn[k] - 32 : sn[k]);
		sev[k] = 0;
		gpm_strbuf_printf(out, "### %s: ", sev);
		md(out, f->title);
		gpm_strbuf_puts(out, "\n\n*rule `");
		gpm_strbuf_append_safe(out, f->rule ? f->rule : "?",
		                       strlen(f->rule ? f->rule : "?"));
		gpm_strbuf_printf(out, "`, %s*\n\n", f->source);
		if (f->explanation) {
			md(out, f->explanation);
			gpm_strbuf_puts(out, "\n\n");
		}
		if (f->nevidence) {
			const struct gpm_report_kv *ev = doc->evidence.v + f->evidence;
			gpm_strbuf_puts(out, "| evidence | |\n|---|---|\n");
			for (size_t e = 0; e < f->nevidence; e++) {
				gpm_strbuf_puts(out, "| ");
				md(out, ev[e].key);
				gpm_strbuf_puts(out, " | ");
				md(out, ev[e].value);
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
	for (size_t i = 0; i < doc->facts.len; i++)
		fact(out, doc->facts.v[i].key, doc->facts.v[i].value);
	gpm_strbuf_putc(out, '\n');

	if (doc->heap_known) {
		gpm_strbuf_printf(out,
		                  "## Heap\n\n%" PRIu64 " bytes in %" PRIu64
		                  " allocated objects; %" PRIu64 " bytes of in-use heap spans.\n\n",
		                  doc->heap_bytes, doc->heap_objects, doc->heap_inuse);
		if (doc->holders.len) {
			gpm_strbuf_puts(out, "| retains | objects | what |\n|---|---|---|\n");
			for (size_t i = 0; i < doc->holders.len; i++) {
				const struct gpm_report_dholder *h = &doc->holders.v[i];
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

	gpm_strbuf_printf(out, "## Goroutine groups (%" PRIu64 "; suspicious first)\n\n",
	                  doc->ngroups);
	struct gpm_strbuf t = GPM_STRBUF_INIT;
	for (size_t i = 0; i < doc->groups.len; i++) {
		const struct gpm_report_dgroup *g = &doc->groups.v[i];
		gpm_strbuf_printf(out, "<details%s><summary><b>%" PRIu64 " goroutine%s</b> [",
		                  g->flagged ? " open" : "", g->count, g->count == 1 ? "" : "s");
		gpm_html_escape(out, g->state);
		gpm_strbuf_puts(out, "] ");
		if (g->top)
			gpm_html_escape(out, g->top);
		if (g->rule) {
			gpm_strbuf_puts(out, " &larr; <code>");
			gpm_html_escape(out, g->rule);
			gpm_strbuf_puts(out, "</code>");
		}
		gpm_strbuf_puts(out, "</summary>\n\n");
		if (g->ids) {
			gpm_strbuf_puts(out, g->count > 1 ? "goroutines " : "goroutine ");
			md(out, g->ids);
			gpm_strbuf_puts(out, "\n\n");
		} else if (!g->no_ids) {
			gpm_strbuf_printf(out, "ids %" PRIu64 "..%" PRIu64 "\n\n", g->min_id,
			                  g->max_id);
		}
		gpm_strbuf_reset(&t);
		stack_text(doc, g, &t);
		code_block(out, &t);
		gpm_strbuf_puts(out, "\n</details>\n\n");
	}
	gpm_strbuf_deinit(&t);
	if (doc->ngroups > doc->groups.len)
		gpm_strbuf_printf(
		    out, "... %" PRIu64 " more groups (gopm goroutines shows them all)\n\n",
		    doc->ngroups - doc->groups.len);
	gpm_strbuf_puts(out, "## States\n\n| goroutines | state |\n|---|---|\n");
	for (size_t i = 0; i < doc->states.len; i++) {
		gpm_strbuf_printf(out, "| %" PRIu64 " | ", doc->states.v[i].count);
		md(out, doc->states.v[i].state);
		gpm_strbuf_puts(out, " |\n");
	}
	if (archive) {
		gpm_strbuf_puts(out, "\n## Archive\n\n");
		md(out, archive);
		gpm_strbuf_putc(out, '\n');
	}
}

void gpm_report_markdown(const struct gpm_incident *inc, const struct gpm_analysis *a,
                         const struct gpm_report_options *o, const char *archive,
                         struct gpm_strbuf *out)
{
	struct gpm_report_doc doc;
	if (gpm_report_doc_build(&doc, inc, a, o))
		gpm_strbuf_puts(out, "(out of memory: the report is incomplete)\n\n");
	gpm_report_doc_markdown(&doc, archive, out);
	gpm_report_doc_deinit(&doc);
}
