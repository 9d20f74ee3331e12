/*
 * The report as data: what `gopm analyze` shows of one snapshot — findings with their
 * evidence, process facts, the heap's size and holders, the goroutine groups a person sees
 * (in the report's order, with their stacks cut as the report cuts them), the flame graph's
 * tree and the states — walked once from the incident and its analysis. The text, Markdown
 * and HTML reports are emitters of this one document, and the archive stores it (schema
 * 005), so `gopm show ID --format text|markdown|html` renders a stored incident as analyze
 * rendered it without the incident (an archive keeps no argument words, creator lines or
 * signal facts to analyse again).
 *
 * Strings are owned by the document (copied in), except the fixed words of the rule table.
 */
#ifndef GPM_ANALYSIS_REPORT_DOC_H
#define GPM_ANALYSIS_REPORT_DOC_H

#include <stdbool.h>
#include <stdint.h>

#include "analysis/analysis.h"
#include "base/error.h"
#include "base/strbuf.h"
#include "base/vec.h"
#include "model/incident.h"

struct gpm_report_kv {
	const char *key, *value;
};

struct gpm_report_dfinding {
	const char *rule;
	enum gpm_severity severity;
	const char *source; /* "reported by the runtime", gpm_report_finding_source */
	const char *title;
	const char *explanation;    /* NULL none */
	const char *next;           /* NULL none */
	size_t evidence, nevidence; /* range in gpm_report_doc.evidence */
};

struct gpm_report_dframe {
	const char *func; /* NULL unknown */
	const char *file; /* NULL none */
	uint32_t line;    /* for an elided run: how many frames */
	uint32_t flags;   /* GPM_FRAME_ELIDED, GPM_FRAME_INLINED */
};

struct gpm_report_dgroup {
	uint64_t count;
	const char *state;
	int64_t min_minutes, max_minutes; /* max < 0: unknown */
	uint64_t min_id, max_id;
	const char *ids;  /* "4, 9" when at most 6 goroutines; NULL: a range or none */
	bool no_ids;      /* a profile's record: goroutines counted by stack, no ids */
	const char *top;  /* function of the innermost user frame, NULL none */
	const char *rule; /* the first finding naming the group, NULL none */
	enum gpm_severity rule_severity;
	bool flagged;          /* a finding names it: shown open */
	const char *wait;      /* "waiting on mutex 0x…", NULL when no core told */
	size_t frame, nframes; /* range in gpm_report_doc.frames (at most max_frames) */
	uint64_t more_frames;  /* frames not shown */
	bool has_creator;
	const char *creator, *creator_file; /* creator NULL unknown, file NULL none */
	uint32_t creator_line, ncreators;
};

struct gpm_report_dholder {
	uint64_t bytes, objects;
	const char *what, *path; /* path NULL none */
};

/* A node of the flame graph's tree (node 0 the root: all goroutines). */
struct gpm_report_fnode {
	const char *func; /* NULL for the root */
	uint64_t count;
	uint32_t parent;
	uint32_t child, sibling; /* 0: none; children in drawing order */
	uint32_t depth;
};

struct gpm_report_dstate {
	const char *state;
	uint64_t count;
};

struct gpm_report_doc {
	const char *source_name;                      /* the input's name, NULL unknown */
	GPM_VEC(struct gpm_report_dfinding) findings; /* headline first */
	GPM_VEC(struct gpm_report_kv) evidence;
	GPM_VEC(struct gpm_report_kv) facts; /* the PROCESS section, in order */
	uint64_t goroutines, system, ngroups;
	uint64_t shown_groups; /* groups shown without a cut; 0 unknown (stored before schema 8) */
	const char *level;     /* how stacks were compared, in words */
	bool heap_known;
	uint64_t heap_bytes, heap_objects, heap_inuse;
	GPM_VEC(struct gpm_report_dholder) holders;
	GPM_VEC(struct gpm_report_dgroup) groups; /* those shown, suspicious first */
	GPM_VEC(struct gpm_report_dframe) frames;
	GPM_VEC(struct gpm_report_fnode) flame; /* empty: no stacks */
	bool flame_capped;
	GPM_VEC(struct gpm_report_dstate) states;
	GPM_VEC(char *) strings; /* owned copies the pointers above point into */
	bool oom;
};

/* Goroutine groups the archive keeps of a report (gpm_ingest_store_incident), so that
 * `gopm show --groups N` renders what `analyze --groups N` did up to this many. */
enum { GPM_REPORT_KEPT_GROUPS = 32 };

/*
 * Shows at most max_groups of doc's groups (0: 12), the first ones, as a document built with
 * that cut would; returns how many it showed before. The groups past the cut stay in doc:
 * setting doc->groups.len back to the value returned shows them again.
 */
size_t gpm_report_doc_cut(struct gpm_report_doc *doc, unsigned max_groups);

/* Walks inc and a (borrowed) into doc (caller storage, deinit'ed by the caller even on
 * error); o's max_groups and max_frames cut as the report does. */
struct gpm_error *gpm_report_doc_build(struct gpm_report_doc *doc, const struct gpm_incident *inc,
                                       const struct gpm_analysis *a,
                                       const struct gpm_report_options *o);
void gpm_report_doc_deinit(struct gpm_report_doc *doc);

/* For readers of stored documents: a copy of s owned by doc (NULL for NULL). */
const char *gpm_report_doc_str(struct gpm_report_doc *doc, const char *s);
/* Links the flame nodes' child and sibling lists from their parents, in node order (the
 * order the builder added them). False when a parent is not an earlier node. */
bool gpm_report_doc_link_flame(struct gpm_report_doc *doc);
/* The severity with this name (gpm_severity_name), INFO when none. */
enum gpm_severity gpm_report_severity_parse(const char *name);
/* The sentence for a document without findings (no final period). When something could
 * not be read (warnings among the facts), it says the quiet is of what was read only. */
const char *gpm_report_doc_quiet(const struct gpm_report_doc *doc);
/* Who says a finding of rule and confidence name, in words (gpm_report_finding_source). */
const char *gpm_report_source_words(const char *rule, const char *confidence);

/* The emitters. archive: the archive's line about the incident, NULL none. */
void gpm_report_doc_text(const struct gpm_report_doc *doc, const struct gpm_report_options *o,
                         struct gpm_strbuf *out);
void gpm_report_doc_markdown(const struct gpm_report_doc *doc, const char *archive,
                             struct gpm_strbuf *out);
void gpm_report_doc_html(const struct gpm_report_doc *doc, const char *archive,
                         struct gpm_strbuf *out);
void gpm_report_doc_flame_svg(const struct gpm_report_doc *doc, unsigned width,
                              struct gpm_strbuf *out);

#endif
