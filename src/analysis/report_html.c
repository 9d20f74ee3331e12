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

/* Whether the report shows group gi (as the text report: no g0 stacks, no id 0). */
static bool shown_group(const struct gpm_incident *inc, const struct gpm_analysis *a, uint32_t gi)
{
	const struct gpm_goroutine *rep = &inc->goroutines.v[a->grouping.groups[gi].representative];
	return !(rep->flags & GPM_GOROUTINE_RUNTIME_STACK) && rep->id;
}

static void stack_pre(const struct gpm_incident *inc, const struct gpm_goroutine *rep,
                      unsigned maxf, struct gpm_strbuf *out)
{
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, rep, &n);
	gpm_strbuf_puts(out, "<pre>");
	for (uint32_t i = 0; i < n && i < maxf; i++) {
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
	if (n > maxf)
		gpm_strbuf_printf(out, "... %u more frames\n", n - maxf);
	if (rep->created_by != UINT32_MAX && rep->created_by < inc->frames.len) {
		const struct gpm_frame *cb = &inc->frames.v[rep->created_by];
		gpm_strbuf_puts(out, "created by ");
		gpm_html_escape(out, cb->func);
		gpm_strbuf_putc(out, '\n');
		if (cb->file) {
			gpm_strbuf_puts(out, "\t");
			gpm_html_escape(out, cb->file);
			gpm_strbuf_printf(out, ":%u\n", cb->line);
		}
	}
	gpm_strbuf_puts(out, "</pre>\n");
}

void gpm_report_html_section(const struct gpm_incident *inc, const struct gpm_analysis *a,
                             const struct gpm_report_options *o, const char *archive,
                             struct gpm_strbuf *out)
{
	static const struct gpm_report_options defaults;
	o = o ? o : &defaults;
	gpm_strbuf_puts(out, "<section>\n<h1>");
	if (a->findings.len)
		gpm_html_escape(out, a->findings.v[0].title);
	else
		gpm_strbuf_puts(out, "Nothing stands out");
	gpm_strbuf_puts(out, "</h1>\n<p class=\"muted\">");
	gpm_html_escape(out, inc->source_name ? inc->source_name : "(input)");
	gpm_strbuf_puts(out, "</p>\n<h2>Findings</h2>\n");
	if (!a->findings.len)
		gpm_strbuf_puts(out, "<p>Nothing stands out: no crash reported, no large blocked "
		                     "groups, no lock cycles.</p>\n");
	for (size_t i = 0; i < a->findings.len; i++) {
		const struct gpm_finding *f = &a->findings.v[i];
		const char *sev = gpm_severity_name(f->severity);
		gpm_strbuf_printf(out, "<h3><span class=\"sev %s\">%s</span> ", sev, sev);
		gpm_html_escape(out, f->title);
		gpm_strbuf_printf(out, "</h3>\n<p class=\"muted\">rule <code>%s</code>, %s</p>\n",
		                  f->rule, gpm_report_finding_source(f));
		if (f->explanation) {
			gpm_strbuf_puts(out, "<p>");
			gpm_html_escape(out, f->explanation);
			gpm_strbuf_puts(out, "</p>\n");
		}
		if (f->evidence.len) {
			gpm_strbuf_puts(out, "<table>\n");
			for (size_t k = 0; k < f->evidence.len; k++) {
				gpm_strbuf_puts(out, "<tr><th>");
				gpm_html_escape(out, f->evidence.v[k].key);
				gpm_strbuf_puts(out, "</th><td>");
				gpm_html_escape(out, f->evidence.v[k].value);
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
	fact(out, "input", gpm_report_input_kind(inc->kind));
	fact(out, "file", inc->source_name);
	fact(out, "go", inc->go_version);
	fact(out, "module", inc->main_module);
	const char *exe_read;
	fact(out, "executable", gpm_report_executable(inc, &exe_read));
	fact(out, "read from", exe_read);
	fact(out, "command", inc->cmdline);
	if (inc->pid >= 0)
		gpm_strbuf_printf(out, "<tr><th>pid</th><td>%" PRId64 "</td></tr>\n", inc->pid);
	gpm_strbuf_printf(out,
	                  "<tr><th>goroutines</th><td>%" PRIu64 " (%" PRIu64
	                  " of them runtime-internal), %zu groups</td></tr>\n",
	                  a->goroutines, a->system, a->grouping.ngroups);
	for (size_t i = 0; i < inc->warnings.len && i < 5; i++)
		fact(out, "warning", inc->warnings.v[i].text);
	gpm_strbuf_puts(out, "</table>\n");

	if (inc->heap_known) {
		gpm_strbuf_printf(out,
		                  "<h2>Heap</h2>\n<p>%" PRIu64 " bytes in %" PRIu64
		                  " allocated objects; %" PRIu64
		                  " bytes of in-use heap spans.</p>\n",
		                  inc->heap_bytes, inc->heap_objects, inc->heap_inuse);
		if (inc->nheap_holders) {
			gpm_strbuf_puts(out, "<table>\n<tr><th>retains</th><th>objects</th><th>what"
			                     "</th></tr>\n");
			for (unsigned i = 0; i < inc->nheap_holders; i++) {
				const struct gpm_heap_holder *h = &inc->heap_holders[i];
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
	gpm_report_flamegraph_svg(inc, a, 1100, out);
	unsigned maxg = o->max_groups ? o->max_groups : 12;
	unsigned maxf = o->max_frames ? o->max_frames : 16;
	gpm_strbuf_printf(out, "<h2>Goroutine groups (%zu; suspicious first)</h2>\n",
	                  a->grouping.ngroups);
	size_t shown = 0;
	for (size_t i = 0; i < a->grouping.ngroups && shown < maxg; i++) {
		uint32_t gi = a->order[i];
		if (!shown_group(inc, a, gi))
			continue;
		const struct gpm_group *g = &a->grouping.groups[gi];
		const struct gpm_goroutine *rep = &inc->goroutines.v[g->representative];
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
		gpm_strbuf_puts(out, "</summary>\n");
		if (g->count <= 6) {
			gpm_strbuf_puts(out, "<p class=\"muted\">goroutine");
			gpm_strbuf_puts(out, g->count > 1 ? "s " : " ");
			for (uint32_t k = 0; k < g->count; k++)
				gpm_strbuf_printf(
				    out, "%s%" PRIu64, k ? ", " : "",
				    inc->goroutines.v[a->grouping.members[g->first_member + k]].id);
			gpm_strbuf_puts(out, "</p>\n");
		} else {
			gpm_strbuf_printf(out,
			                  "<p class=\"muted\">ids %" PRIu64 "..%" PRIu64 "</p>\n",
			                  g->min_id, g->max_id);
		}
		stack_pre(inc, rep, maxf, out);
		gpm_strbuf_puts(out, "</details>\n");
		shown++;
	}
	if (a->grouping.ngroups > shown)
		gpm_strbuf_printf(
		    out,
		    "<p class=\"muted\">... %zu more groups (gopm goroutines shows them "
		    "all)</p>\n",
		    a->grouping.ngroups - shown);
	gpm_strbuf_puts(out, "<h2>States</h2>\n<table>\n");
	for (size_t i = 0; i < a->states.len; i++) {
		gpm_strbuf_printf(out, "<tr><td>%" PRIu64 "</td><td>", a->states.v[i].count);
		gpm_html_escape(out, a->states.v[i].state);
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

/* ---- flame graph ---- */

#define FLAME_MAX_NODES 50000
#define FLAME_MAX_DEPTH 64
#define FLAME_ROW       17

struct fnode {
	const char *func; /* interned in the incident (pointer-comparable); NULL: the root */
	uint64_t count;
	uint32_t child, sibling; /* 0: none (node 0 is the root) */
	uint32_t depth;
};

struct flame {
	struct fnode *v;
	size_t len, cap;
	bool capped;
};

static uint32_t child_of(struct flame *fl, uint32_t parent, const char *func)
{
	for (uint32_t c = fl->v[parent].child; c; c = fl->v[c].sibling)
		if (fl->v[c].func == func)
			return c;
	if (fl->len >= FLAME_MAX_NODES ||
	    !gpm_array_reserve((void **)&fl->v, &fl->cap, fl->len + 1, sizeof(*fl->v))) {
		fl->capped = true;
		return 0;
	}
	uint32_t c = (uint32_t)fl->len++;
	fl->v[c] = (struct fnode){func, 0, 0, fl->v[parent].child, fl->v[parent].depth + 1};
	fl->v[parent].child = c;
	return c;
}

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

void gpm_report_flamegraph_svg(const struct gpm_incident *inc, const struct gpm_analysis *a,
                               unsigned width, struct gpm_strbuf *out)
{
	struct flame fl = {0};
	if (!gpm_array_reserve((void **)&fl.v, &fl.cap, 1, sizeof(*fl.v)))
		return;
	fl.v[0] = (struct fnode){0};
	fl.len = 1;
	uint32_t maxdepth = 0;
	for (size_t gi = 0; gi < a->grouping.ngroups; gi++) {
		if (!shown_group(inc, a, (uint32_t)gi))
			continue;
		const struct gpm_group *g = &a->grouping.groups[gi];
		uint32_t n;
		const struct gpm_frame *f =
		    gpm_goroutine_frames(inc, &inc->goroutines.v[g->representative], &n);
		uint32_t node = 0;
		fl.v[0].count += g->count;
		// Root first: the outermost frame is the last.
		for (uint32_t i = n; i-- > 0;) {
			if (f[i].flags & GPM_FRAME_ELIDED || !f[i].func)
				continue;
			if (fl.v[node].depth >= FLAME_MAX_DEPTH) {
				fl.capped = true;
				break;
			}
			uint32_t c = child_of(&fl, node, f[i].func);
			if (!c)
				break;
			fl.v[c].count += g->count;
			node = c;
			if (fl.v[c].depth > maxdepth)
				maxdepth = fl.v[c].depth;
		}
	}
	if (!fl.v[0].count) {
		free(fl.v);
		return;
	}
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
	} *stack = calloc(fl.len, sizeof(*stack));
	size_t sp = 0;
	double scale = (double)width / (double)fl.v[0].count;
	if (stack)
		stack[sp++] = (struct item){0, 0};
	while (sp) {
		struct item it = stack[--sp];
		const struct fnode *nd = &fl.v[it.node];
		double w = (double)nd->count * scale;
		if (w < 0.5) // too narrow to see; its tooltip would be unreachable
			continue;
		double y = (double)height - 2 - (double)(nd->depth + 1) * FLAME_ROW;
		const char *name = nd->func ? nd->func : "all goroutines";
		gpm_strbuf_puts(out, "<g><title>");
		gpm_html_escape(out, name);
		gpm_strbuf_printf(out, " (%" PRIu64 " goroutine%s, %.1f%%)</title>", nd->count,
		                  nd->count == 1 ? "" : "s",
		                  100.0 * (double)nd->count / (double)fl.v[0].count);
		gpm_strbuf_printf(out,
		                  "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" "
		                  "fill=\"%s\" stroke=\"#fff\" stroke-width=\"0.5\"/>",
		                  it.x, y, w, FLAME_ROW - 1,
		                  nd->func ? class_fill(nd->func) : "#eee");
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
		for (uint32_t c = nd->child; c; c = fl.v[c].sibling) {
			stack[sp++] = (struct item){c, cx};
			cx += (double)fl.v[c].count * scale;
		}
	}
	gpm_strbuf_puts(out, "</svg>\n");
	gpm_strbuf_printf(out,
	                  "<p class=\"muted\">Flame graph: each box is a function, callers "
	                  "below callees; its width is the goroutines whose stacks pass through "
	                  "it (%" PRIu64 " in all). Hover for names and counts.%s</p>\n",
	                  fl.v[0].count,
	                  fl.capped ? " Very deep or very many stacks were cut." : "");
	free(stack);
	free(fl.v);
}
