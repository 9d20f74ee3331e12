/*
 * The HTML report (report_share.h): one self-contained page, readable without JavaScript
 * and holding none. A Content-Security-Policy meta element forbids scripts and fetches as a
 * second line of defence; the first is that every input-derived string goes through
 * gpm_html_escape, in text, attributes and the SVG alike. The flame graph merges the
 * goroutine groups' stacks (root at the bottom; a box's width is the goroutines under it)
 * and names each box in a <title> tooltip.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/report_doc.h"
#include "analysis/report_share.h"
#include "model/frameclass.h"

void gpm_html_escape(struct gpm_strbuf *out, const char *s)
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
		case '"':
			gpm_strbuf_puts(out, "&quot;");
			break;
		case '\'':
			gpm_strbuf_puts(out, "&#39;");
			break;
		default:
			gpm_strbuf_putc(out, *p);
		}
	}
	free(safe);
}

static const char style[] =
    "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;color:#222;"
    "padding:0 1em}"
    "h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:1.6em}"
    "pre{background:#f6f6f6;padding:.6em;overflow-x:auto;font-size:12px}"
    "table{border-collapse:collapse}td,th{padding:.15em .8em .15em 0;text-align:left;"
    "vertical-align:top}"
    ".sev{font-weight:bold;padding:0 .4em;border-radius:3px;color:#fff;background:#888}"
    ".critical{background:#a00}.high{background:#d33}.medium{background:#c80}"
    ".low{background:#38a}.muted{color:#777}"
    "details{margin:.4em 0}summary{cursor:pointer}"
    "svg text{font:11px monospace;fill:#000}";

void gpm_report_html_begin(const char *title, struct gpm_strbuf *out)
{
	gpm_strbuf_puts(out,
	                "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	                "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
	                "'none'; style-src 'unsafe-inline'\">\n"
	                "<meta name=\"viewport\" content=\"width=device-width\">\n<title>");
	gpm_html_escape(out, title);
	gpm_strbuf_printf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n", style);
}

void gpm_report_html_end(struct gpm_strbuf *out)
{
	gpm_strbuf_puts(out, "<p class=\"muted\">Written by gopm. Self-contained: no script, no "
	                     "external resource.</p>\n</body>\n</html>\n");
}

static void fact(struct gpm_strbuf *out, const char *key, const char *value)
{
	if (!value)
		return;
	gpm_strbuf_printf(out, "<tr><th>%s</th><td>", key);
	gpm_html_escape(out, value);
	gpm_strbuf_puts(out, "</td></tr>\n");
}

static void stack_pre(const struct gpm_report_doc *doc, const struct gpm_report_dgroup *g,
                      struct gpm_strbuf *out)
{
	const struct gpm_report_dframe *f = g->nframes ? doc->frames.v + g->frame : NULL;
	gpm_strbuf_puts(out, "<pre>");
	for (size_t i = 0; i < g->nframes; i++) {
		if (f[i].flags & GPM_FRAME_ELIDED) {
			gpm_strbuf_printf(out, "...%u frames elided...\n", f[i].line);
			continue;
		}
		gpm_html_escape(out, f[i].func);
		gpm_strbuf_puts(out, (f[i].flags & GPM_FRAME_INLINED) ? " (inlined)\n" : "\n");
		if (f[i].file) {
			gpm_strbuf_puts(out, "\t");
			gpm_html_escape(out, f[i].file);
			gpm_strbuf_printf(out, ":%u\n", f[i].line);
		}
	}
	if (g->more_frames)
		gpm_strbuf_printf(out, "... %" PRIu64 " more frames\n", g->more_frames);
	if (g->has_creator) {
		gpm_strbuf_puts(out, "created by ");
		gpm_html_escape(out, g->creator);
		gpm_strbuf_putc(out, '\n');
		if (g->creator_file) {
			gpm_strbuf_puts(out, "\t");
			gpm_html_escape(out, g->creator_file);
			gpm_strbuf_printf(out, ":%u\n", g->creator_line);
		}
	}
	gpm_strbuf_puts(out, "</pre>\n");
}

void gpm_report_doc_html(const struct gpm_report_doc *doc, const char *archive,
                         struct gpm_strbuf *out)
{
	gpm_strbuf_puts(out, "<section>\n<h1>");
	if (doc->findings.len)
		gpm_html_escape(out, doc->findings.v[0].title);
	else
		gpm_strbuf_puts(out, "Nothing stands out");
	gpm_strbuf_puts(out, "</h1>\n<p class=\"muted\">");
	gpm_html_escape(out, doc->source_name ? doc->source_name : "(input)");
	gpm_strbuf_puts(out, "</p>\n<h2>Findings</h2>\n");
	if (!doc->findings.len)
		gpm_strbuf_printf(out, "<p>N%s.</p>\n", gpm_report_doc_quiet(doc) + 1);
	for (size_t i = 0; i < doc->findings.len; i++) {
		const struct gpm_report_dfinding *f = &doc->findings.v[i];
		const char *sev = gpm_severity_name(f->severity);
		gpm_strbuf_printf(out, "<h3><span class=\"sev %s\">%s</span> ", sev, sev);
		gpm_html_escape(out, f->title);
		gpm_strbuf_puts(out, "</h3>\n<p class=\"muted\">rule <code>");
		gpm_html_escape(out, f->rule);
		gpm_strbuf_printf(out, "</code>, %s</p>\n", f->source);
		if (f->explanation) {
			gpm_strbuf_puts(out, "<p>");
			gpm_html_escape(out, f->explanation);
			gpm_strbuf_puts(out, "</p>\n");
		}
		if (f->nevidence) {
			const struct gpm_report_kv *ev = doc->evidence.v + f->evidence;
			gpm_strbuf_puts(out, "<table>\n");
			for (size_t k = 0; k < f->nevidence; k++) {
				gpm_strbuf_puts(out, "<tr><th>");
				gpm_html_escape(out, ev[k].key);
				gpm_strbuf_puts(out, "</th><td>");
				gpm_html_escape(out, ev[k].value);
				gpm_strbuf_puts(out, "</td></tr>\n");
			}
			gpm_strbuf_puts(out, "</table>\n");
		}
		if (f->next) {
			gpm_strbuf_puts(out, "<p><b>Next:</b> ");
			gpm_html_escape(out, f->next);
			gpm_strbuf_puts(out, "</p>\n");
		}
	}

	gpm_strbuf_puts(out, "<h2>Process</h2>\n<table>\n");
	for (size_t i = 0; i < doc->facts.len; i++)
		fact(out, doc->facts.v[i].key, doc->facts.v[i].value);
	gpm_strbuf_puts(out, "</table>\n");

	if (doc->heap_known) {
		gpm_strbuf_printf(out,
		                  "<h2>Heap</h2>\n<p>%" PRIu64 " bytes in %" PRIu64
		                  " allocated objects; %" PRIu64
		                  " bytes of in-use heap spans.</p>\n",
		                  doc->heap_bytes, doc->heap_objects, doc->heap_inuse);
		if (doc->holders.len) {
			gpm_strbuf_puts(out, "<table>\n<tr><th>retains</th><th>objects</th><th>what"
			                     "</th></tr>\n");
			for (size_t i = 0; i < doc->holders.len; i++) {
				const struct gpm_report_dholder *h = &doc->holders.v[i];
				gpm_strbuf_printf(
				    out, "<tr><td>%" PRIu64 " B</td><td>%" PRIu64 "</td><td>",
				    h->bytes, h->objects);
				gpm_html_escape(out, h->what);
				if (h->path) {
					gpm_strbuf_puts(out, "<br><span class=\"muted\">");
					gpm_html_escape(out, h->path);
					gpm_strbuf_puts(out, "</span>");
				}
				gpm_strbuf_puts(out, "</td></tr>\n");
			}
			gpm_strbuf_puts(out, "</table>\n");
		}
	}

	gpm_strbuf_puts(out, "<h2>Goroutines</h2>\n");
	gpm_report_doc_flame_svg(doc, 1100, out);
	gpm_strbuf_printf(out, "<h2>Goroutine groups (%" PRIu64 "; suspicious first)</h2>\n",
	                  doc->ngroups);
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
		gpm_strbuf_puts(out, "</summary>\n");
		if (g->ids) {
			gpm_strbuf_puts(out, "<p class=\"muted\">goroutine");
			gpm_strbuf_puts(out, g->count > 1 ? "s " : " ");
			gpm_html_escape(out, g->ids);
			gpm_strbuf_puts(out, "</p>\n");
		} else if (!g->no_ids) {
			gpm_strbuf_printf(out,
			                  "<p class=\"muted\">ids %" PRIu64 "..%" PRIu64 "</p>\n",
			                  g->min_id, g->max_id);
		}
		stack_pre(doc, g, out);
		gpm_strbuf_puts(out, "</details>\n");
	}
	if (doc->ngroups > doc->groups.len)
		gpm_strbuf_printf(out,
		                  "<p class=\"muted\">... %" PRIu64
		                  " more groups (gopm goroutines shows them "
		                  "all)</p>\n",
		                  doc->ngroups - doc->groups.len);
	gpm_strbuf_puts(out, "<h2>States</h2>\n<table>\n");
	for (size_t i = 0; i < doc->states.len; i++) {
		gpm_strbuf_printf(out, "<tr><td>%" PRIu64 "</td><td>", doc->states.v[i].count);
		gpm_html_escape(out, doc->states.v[i].state);
		gpm_strbuf_puts(out, "</td></tr>\n");
	}
	gpm_strbuf_puts(out, "</table>\n");
	if (archive) {
		gpm_strbuf_puts(out, "<h2>Archive</h2>\n<p>");
		gpm_html_escape(out, archive);
		gpm_strbuf_puts(out, "</p>\n");
	}
	gpm_strbuf_puts(out, "</section>\n");
}

void gpm_report_html_section(const struct gpm_incident *inc, const struct gpm_analysis *a,
                             const struct gpm_report_options *o, const char *archive,
                             struct gpm_strbuf *out)
{
	struct gpm_report_doc doc;
	if (gpm_report_doc_build(&doc, inc, a, o))
		gpm_strbuf_puts(out, "<p>(out of memory: the report is incomplete)</p>\n");
	gpm_report_doc_html(&doc, archive, out);
	gpm_report_doc_deinit(&doc);
}

/* ---- flame graph ---- */

#define FLAME_ROW 17

static const char *class_fill(const char *func)
{
	switch (gpm_frame_classify(func, NULL)) {
	case GPM_FRAME_CLASS_RUNTIME:
		return "#d8d8d8";
	case GPM_FRAME_CLASS_STDLIB:
		return "#a8c8e8";
	case GPM_FRAME_CLASS_DEPENDENCY:
		return "#b8dca0";
	case GPM_FRAME_CLASS_MAIN:
		return "#f4b470";
	}
	return "#ddd";
}

void gpm_report_doc_flame_svg(const struct gpm_report_doc *doc, unsigned width,
                              struct gpm_strbuf *out)
{
	const struct gpm_report_fnode *fl = doc->flame.v;
	if (!doc->flame.len || !fl[0].count)
		return;
	uint32_t maxdepth = 0;
	for (size_t i = 0; i < doc->flame.len; i++)
		if (fl[i].depth > maxdepth)
			maxdepth = fl[i].depth;
	unsigned height = (maxdepth + 1) * FLAME_ROW + 4;
	gpm_strbuf_printf(out,
	                  "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" height=\"%u\" "
	                  "viewBox=\"0 0 %u %u\" style=\"max-width:100%%;height:auto\" "
	                  "role=\"img\" aria-label=\"flame graph of the "
	                  "goroutines' stacks\">\n",
	                  width, height, width, height);
	// Depth-first with an explicit stack of (node, x); children laid out left to right.
	struct item {
		uint32_t node;
		double x;
	} *stack = calloc(doc->flame.len, sizeof(*stack));
	size_t sp = 0;
	double scale = (double)width / (double)fl[0].count;
	if (stack)
		stack[sp++] = (struct item){0, 0};
	while (sp) {
		struct item it = stack[--sp];
		const struct gpm_report_fnode *nd = &fl[it.node];
		double w = (double)nd->count * scale;
		if (w < 0.5) // too narrow to see; its tooltip would be unreachable
			continue;
		double y = (double)height - 2 - (double)(nd->depth + 1) * FLAME_ROW;
		const char *name = it.node ? (nd->func ? nd->func : "?") : "all goroutines";
		gpm_strbuf_puts(out, "<g><title>");
		gpm_html_escape(out, name);
		gpm_strbuf_printf(out, " (%" PRIu64 " goroutine%s, %.1f%%)</title>", nd->count,
		                  nd->count == 1 ? "" : "s",
		                  100.0 * (double)nd->count / (double)fl[0].count);
		gpm_strbuf_printf(out,
		                  "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" "
		                  "fill=\"%s\" stroke=\"#fff\" stroke-width=\"0.5\"/>",
		                  it.x, y, w, FLAME_ROW - 1, it.node ? class_fill(name) : "#eee");
		size_t chars = w > 12 ? (size_t)((w - 6) / 6.7) : 0;
		if (chars >= 3) {
			size_t len = strlen(name);
			gpm_strbuf_printf(out, "<text x=\"%.1f\" y=\"%.1f\">", it.x + 3, y + 12);
			if (len <= chars) {
				gpm_html_escape(out, name);
			} else {
				char *cut = malloc(chars);
				if (cut) {
					memcpy(cut, name, chars - 2);
					cut[chars - 2] = 0;
					gpm_html_escape(out, cut);
					free(cut);
				}
				gpm_strbuf_puts(out, "..");
			}
			gpm_strbuf_puts(out, "</text>");
		}
		gpm_strbuf_puts(out, "</g>\n");
		double cx = it.x;
		for (uint32_t c = nd->child; c && c < doc->flame.len && sp < doc->flame.len;
		     c = fl[c].sibling) {
			stack[sp++] = (struct item){c, cx};
			cx += (double)fl[c].count * scale;
		}
	}
	gpm_strbuf_puts(out, "</svg>\n");
	gpm_strbuf_printf(out,
	                  "<p class=\"muted\">Flame graph: each box is a function, callers "
	                  "below callees; its width is the goroutines whose stacks pass through "
	                  "it (%" PRIu64 " in all). Hover for names and counts.%s</p>\n",
	                  fl[0].count,
	                  doc->flame_capped ? " Very deep or very many stacks were cut." : "");
	free(stack);
}

void gpm_report_flamegraph_svg(const struct gpm_incident *inc, const struct gpm_analysis *a,
                               unsigned width, struct gpm_strbuf *out)
{
	struct gpm_report_doc doc;
	if (!gpm_report_doc_build(&doc, inc, a, NULL))
		gpm_report_doc_flame_svg(&doc, width, out);
	gpm_report_doc_deinit(&doc);
}
