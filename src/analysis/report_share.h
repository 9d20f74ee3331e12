/*
 * Reports to share: the content of the terminal report (findings with evidence, process
 * facts, goroutine groups with their stacks, states, the heap's size and holders when a
 * core told them, the archive line) as Markdown for a ticket or a post-mortem document,
 * and as one self-contained HTML page (inline CSS, an inline SVG flame graph of the
 * goroutines' stacks; no script, no external asset, nothing fetched). Every string that
 * came from the input is escaped for where it lands (Markdown, HTML text, HTML attribute,
 * SVG), after being made terminal-safe.
 */
#ifndef GPM_ANALYSIS_REPORT_SHARE_H
#define GPM_ANALYSIS_REPORT_SHARE_H

#include "analysis/analysis.h"
#include "base/strbuf.h"
#include "model/incident.h"

/* The report as Markdown (CommonMark/GFM; stacks in <details>). archive: the archive's
 * line about the incident ("stored in the archive as incident 3 ..."), NULL none. */
void gpm_report_markdown(const struct gpm_incident *inc, const struct gpm_analysis *a,
                         const struct gpm_report_options *o, const char *archive,
                         struct gpm_strbuf *out);

/* One HTML document: begin, one section per snapshot, end. title is escaped. */
void gpm_report_html_begin(const char *title, struct gpm_strbuf *out);
void gpm_report_html_section(const struct gpm_incident *inc, const struct gpm_analysis *a,
                             const struct gpm_report_options *o, const char *archive,
                             struct gpm_strbuf *out);
void gpm_report_html_end(struct gpm_strbuf *out);

/* An SVG flame graph of inc's goroutine stacks (root at the bottom, width = goroutines),
 * as an inline <svg> element; nothing when there are no stacks. */
void gpm_report_flamegraph_svg(const struct gpm_incident *inc, const struct gpm_analysis *a,
                               unsigned width, struct gpm_strbuf *out);

/* s made terminal-safe and HTML-escaped (text and attribute values alike). */
void gpm_html_escape(struct gpm_strbuf *out, const char *s);

#endif
