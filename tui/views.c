/*
 * The TUI's views and the list engine under them.
 *
 * A view is a kind, a title and one or two panes; a pane is a list whose rows come either
 * from the archive a page at a time (ops->count / ops->fetch: fixed SQL, values bound,
 * LIMIT/OFFSET, one cached window of a few hundred rows) or from a few text lines built in
 * memory (findings, help, the report, a source file). Views: incidents, clusters, search
 * results, one incident (findings, then goroutine groups), a group's goroutines, one
 * goroutine's stack, a frame's source, and text views (help, report, heap). Drawing is here
 * too, called only by the main loop through tui_draw.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/srcpath.h"
#include "base/strbuf.h"
#include "store/signature.h"
#include "store/workflow.h"
#include "tui/tui.h"

enum {
	MAX_FINDINGS = 64,       /* findings shown for one incident */
	MAX_EVIDENCE = 40,       /* evidence lines per finding */
	MAX_TEXT_LINES = 200000, /* lines of a report or source file */
	MAX_SOURCE_BYTES = 16 << 20,
};

static char *xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static struct gpm_error *push_line(struct tui_pane *p, const char *text, enum tui_color color,
                                   int64_t ref)
{
	if (p->nlines >= MAX_TEXT_LINES)
		return NULL;
	if (!(p->nlines & (p->nlines + 1))) { // grow at 0, 1, 3, 7, ...
		struct tui_line *n = realloc(p->lines, (2 * p->nlines + 2) * sizeof(*n));
		if (!n)
			return &gpm_error_nomem;
		p->lines = n;
	}
	char *dup = strdup(text ? text : "");
	if (!dup)
		return &gpm_error_nomem;
	p->lines[p->nlines++] = (struct tui_line){dup, color, ref};
	p->n = (int64_t)p->nlines;
	return NULL;
}

static void clear_lines(struct tui_pane *p)
{
	for (size_t i = 0; i < p->nlines; i++)
		free(p->lines[i].text);
	free(p->lines);
	p->lines = NULL;
	p->nlines = 0;
	p->n = 0;
}

// Wraps text to width columns into lines, each with the given indent.
static struct gpm_error *push_wrapped(struct tui_pane *p, const char *indent, const char *text,
                                      int width, enum tui_color color, int64_t ref)
{
	// Continuation lines line up under the text: the indent's width in spaces.
	char cont[32];
	int iw = tui_text_width(indent);
	if (iw > (int)sizeof(cont) - 1)
		iw = (int)sizeof(cont) - 1;
	memset(cont, ' ', (size_t)iw);
	cont[iw] = 0;
	int w = width - tui_text_width(indent);
	if (w < 10)
		w = 10;
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	struct gpm_error *err = NULL;
	const char *s = text;
	do {
		// Hard newlines first, then fit to the width at a space when there is one.
		const char *nl = strchr(s, '\n');
		size_t seg = nl ? (size_t)(nl - s) : strlen(s);
		char *piece = strndup(s, seg);
		if (!piece)
			return &gpm_error_nomem;
		size_t fit = tui_text_fit(piece, w);
		if (fit < seg) {
			size_t sp = fit;
			while (sp > 0 && piece[sp] != ' ')
				sp--;
			if (sp > 0)
				fit = sp;
			if (!fit)
				fit = 1;
			seg = fit;
			piece[fit] = 0;
		}
		gpm_strbuf_reset(&sb);
		gpm_strbuf_puts(&sb, s == text ? indent : cont);
		gpm_strbuf_puts(&sb, piece);
		free(piece);
		if ((err = gpm_strbuf_error(&sb)) ||
		    (err = push_line(p, gpm_strbuf_str(&sb), color, ref)))
			break;
		s += seg;
		if (*s == '\n' || (*s == ' ' && !nl) || (*s == ' ' && s < nl))
			s++;
	} while (*s);
	gpm_strbuf_deinit(&sb);
	return err;
}

/* ---- queries ---- */

#define EXE_BASE                                                                                   \
	"substr(coalesce(i.exe, '-'), length(rtrim(coalesce(i.exe, '-'), "                         \
	"replace(coalesce(i.exe, '-'), '/', ''))) + 1)"
#define TIME_MIN(col) "strftime('%Y-%m-%d %H:%M', " col ", 'unixepoch')"
// What people scan for: the innermost frame of the program's own code, else of the
// standard library it called, else the innermost (gpm_frame_rank, data.c).
#define TOP_FRAME(stack)                                                                           \
	"(SELECT fn.name FROM frames f JOIN functions fn ON fn.id = f.function_id WHERE "          \
	"f.stack_id = " stack " ORDER BY gpm_frame_rank(fn.name), f.depth LIMIT 1)"

#define INC_FROM                                                                                   \
	" FROM incidents i LEFT JOIN incident_signatures x ON x.incident_id = i.id AND "           \
	"x.algorithm = ?1 LEFT JOIN signatures s ON s.id = x.signature_id "                        \
	"WHERE (?2 IS NULL OR i.time >= ?2) AND (?3 IS NULL OR i.time < ?3) "                      \
	"AND (?4 IS NULL OR instr(i.exe, ?4) > 0) "                                                \
	"AND (?5 IS NULL OR substr(i.go_version, 1, length(?5)) = ?5) "                            \
	"AND (?6 IS NULL OR i.headline_rule = ?6 OR instr(i.headline, ?6) > 0) "                   \
	"AND (?7 IS NULL OR s.cluster_id = ?7) "                                                   \
	"AND (?8 IS NULL OR instr(lower(i.headline || ' ' || coalesce(i.exe, '') || ' ' || "       \
	"coalesce(i.go_version, '') || ' ' || i.kind), lower(?8)) > 0)"

static void query_binds(struct tui_bind *b, const struct tui_query *q, const char *filter)
{
	b[0] = TUI_INT(GPM_SIGNATURE_ALGORITHM);
	b[1] = q->since ? TUI_INT(q->since) : TUI_NULL;
	b[2] = q->until ? TUI_INT(q->until) : TUI_NULL;
	b[3] = TUI_TEXT(q->exe);
	b[4] = TUI_TEXT(q->go);
	b[5] = TUI_TEXT(q->finding);
	b[6] = q->cluster ? TUI_INT(q->cluster) : TUI_NULL;
	b[7] = TUI_TEXT(filter);
}

// An ORDER BY from the pane's sort (fixed strings only) and the page window.
static struct gpm_error *sorted_page(struct tui *t, struct tui_pane *p, const char *select,
                                     struct tui_bind *b, size_t nb, int64_t off, int64_t limit,
                                     struct gpm_store_table *out)
{
	const struct tui_sort *s = &p->ops->sorts[p->sort];
	char sql[4096];
	int n = snprintf(sql, sizeof(sql), "%s ORDER BY %s LIMIT ?%zu OFFSET ?%zu", select,
	                 p->reverse ? s->sql_reverse : s->sql, nb + 1, nb + 2);
	if (n < 0 || (size_t)n >= sizeof(sql))
		return gpm_error_create(GPM_ERR_LIMIT, "query too long");
	b[nb] = TUI_INT(limit);
	b[nb + 1] = TUI_INT(off);
	return tui_db_query(&t->db, sql, b, nb + 2, -1, out);
}

/*
 * Search in SQL (tui_pane_ops.find): cells is "cell, ..., cell FROM ..." with ncells shown
 * cells; their row numbers in the pane's order come from a window over the same ORDER BY as
 * its pages, and the first match after the cursor (wrapping) is the one of least distance.
 */
static struct gpm_error *sorted_find(struct tui *t, struct tui_pane *p, const char *cells,
                                     size_t ncells, struct tui_bind *b, size_t nb, const char *text,
                                     int dir, int64_t *row)
{
	const struct tui_sort *s = &p->ops->sorts[p->sort];
	char names[128] = "", match[1024] = "";
	size_t nn = 0, nm = 0;
	for (size_t c = 0; c < ncells && c < 10; c++) {
		nn += (size_t)snprintf(names + nn, sizeof(names) - nn, ", c%zu", c);
		nm += (size_t)snprintf(match + nm, sizeof(match) - nm,
		                       "%sinstr(lower(c%zu), lower(?%zu)) > 0", c ? " OR " : "", c,
		                       nb + 1);
	}
	char sql[8192];
	// Distance from the cursor in the direction of the search, the cursor's own row last.
	// ?cur is bind nb + 2, ?n bind nb + 3.
	char order[256];
	if (dir > 0)
		snprintf(order, sizeof(order),
		         "CASE WHEN rn > ?%zu THEN rn - ?%zu ELSE rn + ?%zu - ?%zu END", nb + 2,
		         nb + 2, nb + 3, nb + 2);
	else
		snprintf(order, sizeof(order),
		         "CASE WHEN rn < ?%zu THEN ?%zu - rn ELSE ?%zu - rn + ?%zu END", nb + 2,
		         nb + 2, nb + 2, nb + 3);
	int n =
	    snprintf(sql, sizeof(sql),
	             "WITH r(rn%s) AS (SELECT row_number() OVER (ORDER BY %s) - 1, %s) SELECT rn "
	             "FROM r WHERE %s ORDER BY %s LIMIT 1",
	             names, p->reverse ? s->sql_reverse : s->sql, cells, match, order);
	if (n < 0 || (size_t)n >= sizeof(sql) || nn >= sizeof(names) || nm >= sizeof(match))
		return gpm_error_create(GPM_ERR_LIMIT, "query too long");
	b[nb] = TUI_TEXT(text);
	b[nb + 1] = TUI_INT(p->cur);
	b[nb + 2] = TUI_INT(p->n);
	return tui_db_int(&t->db, sql, b, nb + 3, -1, row);
}

/* Incidents: time, executable, Go version, headline, cluster (+ id). */
static const struct tui_col incident_cols[] = {
    {"time", 16, 0, 0},
    {"executable", 12, 0, 2},
    {"go", 9, 0, 1},
    {"headline", 20, TUI_COL_FLEX, 0},
    {"cluster", 7, TUI_COL_RIGHT, 3},
};
static const struct tui_sort incident_sorts[] = {
    {"time", "i.time DESC, i.id DESC", "i.time ASC, i.id ASC", "↓", "↑"},
    {"executable", EXE_BASE " ASC, i.time DESC", EXE_BASE " DESC, i.time DESC", "↑", "↓"},
    {"go", "i.go_version DESC, i.time DESC", "i.go_version ASC, i.time DESC", "↓", "↑"},
    {"headline", "i.headline ASC, i.time DESC", "i.headline DESC, i.time DESC", "↑", "↓"},
    {"cluster", "s.cluster_id ASC, i.time DESC", "s.cluster_id DESC, i.time DESC", "↑", "↓"},
    {"goroutines", "i.goroutines DESC, i.id", "i.goroutines ASC, i.id", "↓", "↑"},
};

static struct gpm_error *incidents_count(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                         int64_t *n)
{
	struct tui_bind b[8];
	query_binds(b, &v->q, p->filter);
	return tui_db_int(&t->db, "SELECT count(*)" INC_FROM, b, 8, 0, n);
}

static struct gpm_error *incidents_fetch(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                         int64_t off, int64_t limit, struct gpm_store_table *out)
{
	struct tui_bind b[10];
	query_binds(b, &v->q, p->filter);
	return sorted_page(
	    t, p,
	    "SELECT " TIME_MIN(
	        "i.time") ", " EXE_BASE ", coalesce(i.go_version, "
	                  "'-'), i.headline, coalesce(s.cluster_id, '-'), i.id" INC_FROM,
	    b, 8, off, limit, out);
}

static struct gpm_error *incidents_find(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                        const char *text, int dir, int64_t *row)
{
	struct tui_bind b[11];
	query_binds(b, &v->q, p->filter);
	return sorted_find(t, p,
	                   TIME_MIN("i.time") ", " EXE_BASE ", coalesce(i.go_version, '-'), "
	                                      "i.headline, coalesce(s.cluster_id, '-')" INC_FROM,
	                   5, b, 8, text, dir, row);
}

static const struct tui_pane_ops incidents_ops = {
    incident_cols, 5,    incident_sorts, 6, incidents_count, incidents_fetch,
    NULL,          true, incidents_find,
};

/* Clusters: id, count, first and last seen, builds, signature (+ id). */
#define CLUSTER_FROM                                                                               \
	" FROM (SELECT s.cluster_id AS cluster, count(*) AS count, min(i.time) AS first, "         \
	"max(i.time) AS last, count(DISTINCT coalesce(i.build_id, i.exe, '')) AS builds, "         \
	"max(i.id) AS last_id FROM incidents i JOIN incident_signatures x ON x.incident_id = "     \
	"i.id AND x.algorithm = ?1 JOIN signatures s ON s.id = x.signature_id WHERE "              \
	"s.cluster_id IS NOT NULL AND (?2 IS NULL OR i.time >= ?2) AND (?3 IS NULL OR i.time < "   \
	"?3) AND (?4 IS NULL OR instr(i.exe, ?4) > 0) AND (?5 IS NULL OR substr(i.go_version, 1, " \
	"length(?5)) = ?5) AND (?6 IS NULL OR i.headline_rule = ?6) AND (?7 IS NULL OR "           \
	"s.cluster_id = ?7) GROUP BY s.cluster_id) a JOIN incidents h ON h.id = a.last_id LEFT "   \
	"JOIN incident_signatures hx ON hx.incident_id = h.id AND hx.algorithm = ?1 LEFT JOIN "    \
	"signatures sg ON sg.id = hx.signature_id LEFT JOIN clusters c ON c.id = a.cluster "       \
	"WHERE (?8 IS NULL OR instr(lower(h.headline || ' ' || coalesce(sg.hash, '') || ' ' || "   \
	"coalesce(sg.frames, '') || ' ' || coalesce(c.status, '')), lower(?8)) > 0)"

/* Without time, executable, Go or finding filters, the counts kept by schema 4's triggers
 * (cluster_stats, cluster_builds) stand for the aggregate: one row per cluster read. */
#define CLUSTER_FAST_FROM                                                                          \
	" FROM (SELECT st.cluster AS cluster, st.count AS count, st.first AS first, st.last AS "   \
	"last, (SELECT count(*) FROM cluster_builds b WHERE b.cluster = st.cluster) AS builds, "   \
	"st.last_id AS last_id FROM cluster_stats st WHERE st.algorithm = ?1 AND ?2 IS NULL AND "  \
	"?3 IS NULL AND ?4 IS NULL AND ?5 IS NULL AND ?6 IS NULL AND (?7 IS NULL OR st.cluster = " \
	"?7)) a JOIN incidents h ON h.id = a.last_id LEFT JOIN incident_signatures hx ON "         \
	"hx.incident_id = h.id AND hx.algorithm = ?1 LEFT JOIN signatures sg ON sg.id = "          \
	"hx.signature_id LEFT JOIN clusters c ON c.id = a.cluster WHERE (?8 IS NULL OR "           \
	"instr(lower(h.headline || ' ' || coalesce(sg.hash, '') || ' ' || coalesce(sg.frames, "    \
	"'') || ' ' || coalesce(c.status, '')), lower(?8)) > 0)"

static bool clusters_fast(const struct tui_query *q)
{
	return !q->since && !q->until && !q->exe && !q->go && !q->finding;
}

static const struct tui_col cluster_cols[] = {
    {"id", 4, TUI_COL_RIGHT, 0},
    {"status", 10, 0, 0},
    {"count", 6, TUI_COL_RIGHT, 0},
    {"first", 10, 0, 3},
    {"last", 10, 0, 2},
    {"builds", 6, TUI_COL_RIGHT, 4},
    {"headline", 24, TUI_COL_FLEX, 0},
    {"top frame", 18, TUI_COL_FLEX, 1},
};
static const struct tui_sort cluster_sorts[] = {
    {"count", "a.count DESC, a.cluster", "a.count ASC, a.cluster", "↓", "↑"},
    {"last seen", "a.last DESC, a.cluster", "a.last ASC, a.cluster", "↓", "↑"},
    {"first seen", "a.first ASC, a.cluster", "a.first DESC, a.cluster", "↑", "↓"},
    {"builds", "a.builds DESC, a.cluster", "a.builds ASC, a.cluster", "↓", "↑"},
    {"id", "a.cluster ASC", "a.cluster DESC", "↑", "↓"},
    {"status", "c.status ASC, a.count DESC, a.cluster", "c.status DESC, a.count DESC, a.cluster",
     "↑", "↓"},
};

static struct gpm_error *clusters_count(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                        int64_t *n)
{
	struct tui_bind b[8];
	query_binds(b, &v->q, p->filter);
	if (clusters_fast(&v->q))
		return tui_db_int(&t->db, "SELECT count(*)" CLUSTER_FAST_FROM, b, 8, 0, n);
	return tui_db_int(&t->db, "SELECT count(*)" CLUSTER_FROM, b, 8, 0, n);
}

/*
 * A resolved cluster that came back shows "regressed" in its status cell. Whether it did is
 * the workflow's question (store/workflow.c answers it for the command line too), asked
 * only for the resolved clusters of the page.
 */
static struct gpm_error *clusters_mark_regressed(struct tui *t, struct gpm_store_table *page)
{
	for (size_t r = 0; r < page->nrows; r++) {
		const char *status = gpm_store_cell(page, r, 1);
		const char *id = gpm_store_cell(page, r, 8);
		if (!status || strcmp(status, "resolved") || !id)
			continue;
		struct gpm_store *st;
		struct gpm_error *err = tui_store(t, false, &st);
		if (err)
			return err;
		struct gpm_cluster_summary c;
		if ((err = gpm_store_cluster_summary(st, strtoll(id, NULL, 10), &c)))
			return err;
		if (c.regressed) {
			char *mark = strdup("regressed");
			if (!mark) {
				gpm_cluster_summary_deinit(&c);
				return &gpm_error_nomem;
			}
			free(page->cells[r * page->ncols + 1]);
			page->cells[r * page->ncols + 1] = mark;
		}
		gpm_cluster_summary_deinit(&c);
	}
	return NULL;
}

static struct gpm_error *clusters_fetch(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                        int64_t off, int64_t limit, struct gpm_store_table *out)
{
	struct tui_bind b[10];
	query_binds(b, &v->q, p->filter);
	// The headline and the first frame of user code of the newest incident's largest
	// group: what the bug is, not its hash.
#define CLUSTER_SELECT                                                                             \
	"SELECT a.cluster, coalesce(c.status, 'new'), a.count, strftime('%Y-%m-%d', a.first, "     \
	"'unixepoch'), strftime('%Y-%m-%d', a.last, 'unixepoch'), a.builds, h.headline, "          \
	"coalesce((SELECT " TOP_FRAME("g.stack_id") " FROM groups g WHERE g.incident_id = h.id "   \
	                                            "ORDER BY g.ordinal LIMIT 1), ''), a.cluster"
	struct gpm_error *err = sorted_page(t, p,
	                                    clusters_fast(&v->q) ? CLUSTER_SELECT CLUSTER_FAST_FROM
	                                                         : CLUSTER_SELECT CLUSTER_FROM,
	                                    b, 8, off, limit, out);
#undef CLUSTER_SELECT
	if (!err && (err = clusters_mark_regressed(t, out)))
		gpm_store_table_deinit(out);
	return err;
}

static enum tui_color cluster_color(const struct gpm_store_table *page, size_t row)
{
	const char *status = gpm_store_cell(page, row, 1);
	if (status && !strcmp(status, "regressed"))
		return TUI_C_CRITICAL;
	if (status && (!strcmp(status, "resolved") || !strcmp(status, "ignored")))
		return TUI_C_DIM;
	return TUI_C_NORMAL;
}

static const struct tui_pane_ops clusters_ops = {
    cluster_cols, 8, cluster_sorts, 6, clusters_count, clusters_fetch, cluster_color, false, NULL};

/* Search results (FTS5 phrase, as gopm search): time, go, match, headline (+ id). */
static const struct tui_col search_cols[] = {
    {"time", 16, 0, 0},
    {"go", 9, 0, 1},
    {"match", 16, TUI_COL_FLEX, 0},
    {"headline", 16, TUI_COL_FLEX, 0},
};
static const struct tui_sort search_sorts[] = {{"rank", "rank, i.id", "rank DESC, i.id", "", ""}};

static char *fts_phrase(const char *text)
{
	struct gpm_strbuf q = GPM_STRBUF_INIT;
	gpm_strbuf_putc(&q, '"');
	for (const char *c = text; *c; c++) {
		if (*c == '"')
			gpm_strbuf_putc(&q, '"');
		gpm_strbuf_putc(&q, *c);
	}
	gpm_strbuf_putc(&q, '"');
	return gpm_strbuf_detach(&q);
}

#define SEARCH_FROM                                                                                \
	" FROM incident_fts JOIN incidents i ON i.id = incident_fts.rowid WHERE incident_fts "     \
	"MATCH ?1"

static struct gpm_error *search_count(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                      int64_t *n)
{
	(void)p;
	char *q = fts_phrase(v->text);
	if (!q)
		return &gpm_error_nomem;
	struct tui_bind b[1] = {TUI_TEXT(q)};
	struct gpm_error *err = tui_db_int(&t->db, "SELECT count(*)" SEARCH_FROM, b, 1, 0, n);
	free(q);
	return err;
}

static struct gpm_error *search_fetch(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                      int64_t off, int64_t limit, struct gpm_store_table *out)
{
	char *q = fts_phrase(v->text);
	if (!q)
		return &gpm_error_nomem;
	struct tui_bind b[3] = {TUI_TEXT(q)};
	struct gpm_error *err = sorted_page(
	    t, p,
	    "SELECT " TIME_MIN("i.time") ", coalesce(i.go_version, '-'), snippet(incident_fts, -1, "
	                                 "'[', ']', '...', 6), i.headline, i.id" SEARCH_FROM,
	    b, 1, off, limit, out);
	free(q);
	return err;
}

static const struct tui_pane_ops search_ops = {search_cols,  4,    search_sorts, 1,   search_count,
                                               search_fetch, NULL, false,        NULL};

/* An incident's goroutine groups: count, state, wait, top frame (+ ordinal). */
static const struct tui_col group_cols[] = {
    {"count", 7, TUI_COL_RIGHT, 0},
    {"state", 16, 0, 2},
    {"wait", 9, 0, 1},
    {"top frame", 20, TUI_COL_FLEX, 0},
};
static const struct tui_sort group_sorts[] = {
    {"size", "g.ordinal", "g.ordinal DESC", "", ""},
};
#define GROUP_FROM                                                                                 \
	" FROM groups g WHERE g.incident_id = ?1 AND (?2 IS NULL OR "                              \
	"instr(lower(coalesce(g.state, "                                                           \
	"'') || ' ' || coalesce(" TOP_FRAME("g.stack_id") ", '')), lower(?2)) > 0)"

static struct gpm_error *groups_count(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                      int64_t *n)
{
	struct tui_bind b[2] = {TUI_INT(v->incident), TUI_TEXT(p->filter)};
	return tui_db_int(&t->db, "SELECT count(*)" GROUP_FROM, b, 2, 0, n);
}

static struct gpm_error *groups_fetch(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                      int64_t off, int64_t limit, struct gpm_store_table *out)
{
	struct tui_bind b[4] = {TUI_INT(v->incident), TUI_TEXT(p->filter)};
	return sorted_page(t, p,
	                   "SELECT g.count, coalesce(g.state, '-'), CASE WHEN coalesce(g.max_wait, "
	                   "0) = 0 THEN '' WHEN g.min_wait = g.max_wait THEN g.max_wait || ' min' "
	                   "ELSE g.min_wait || '-' || g.max_wait || ' min' END, "
	                   "coalesce(" TOP_FRAME("g.stack_id") ", '?'), g.ordinal" GROUP_FROM,
	                   b, 2, off, limit, out);
}

static const struct tui_pane_ops groups_ops = {group_cols,   4,    group_sorts, 1,   groups_count,
                                               groups_fetch, NULL, true,        NULL};

/* Goroutines of a group or of a finding: id, state, wait, top frame (+ stack, created by). */
static const struct tui_col goroutine_cols[] = {
    {"goroutine", 9, TUI_COL_RIGHT, 0},
    {"state", 16, 0, 2},
    {"wait", 8, 0, 1},
    {"top frame", 20, TUI_COL_FLEX, 0},
};
#define GOROUTINE_WHERE                                                                            \
	" FROM goroutines g WHERE g.incident_id = ?1 AND (?2 IS NULL OR g.group_ordinal = ?2) "    \
	"AND (?3 IS NULL OR g.goid IN (SELECT value FROM json_each((SELECT evidence FROM "         \
	"findings WHERE id = ?3), '$.goroutines'))) AND (?4 IS NULL OR "                           \
	"instr(lower(coalesce(g.state, '') || ' ' || coalesce(" TOP_FRAME(                         \
	    "g.stack_id") ", '')), lower(?4)) > 0)"

static void goroutine_binds(struct tui_bind *b, struct tui_view *v, struct tui_pane *p)
{
	b[0] = TUI_INT(v->incident);
	b[1] = v->group >= 0 ? TUI_INT(v->group) : TUI_NULL;
	b[2] = v->finding > 0 ? TUI_INT(v->finding) : TUI_NULL;
	b[3] = TUI_TEXT(p->filter);
}

static struct gpm_error *goroutines_count(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                          int64_t *n)
{
	struct tui_bind b[4];
	goroutine_binds(b, v, p);
	return tui_db_int(&t->db, "SELECT count(*)" GOROUTINE_WHERE, b, 4, 0, n);
}

// The page is cut first (rowid order: the dump's order, no sort), then described.
#define GOROUTINE_PAGE(order)                                                                      \
	"SELECT x.goid, x.state, x.wait, coalesce(" TOP_FRAME(                                     \
	    "x.stack_id") ", '?'), x.stack_id, "                                                   \
	                  "coalesce(cf.name, ''), x.wait_minutes FROM (SELECT g.id, g.goid, "      \
	                  "coalesce(g.state, '-') "                                                \
	                  "AS state, CASE WHEN coalesce(g.wait_minutes, 0) > 0 THEN "              \
	                  "g.wait_minutes || ' min' ELSE "                                         \
	                  "'' END AS wait, g.wait_minutes, g.stack_id, "                           \
	                  "g.created_by" GOROUTINE_WHERE " ORDER BY g.id " order                   \
	                  " LIMIT ?5 OFFSET ?6) x LEFT JOIN functions cf ON cf.id = "              \
	                  "x.created_by ORDER BY x.id " order

static struct gpm_error *goroutines_fetch(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                          int64_t off, int64_t limit, struct gpm_store_table *out)
{
	struct tui_bind b[6];
	goroutine_binds(b, v, p);
	b[4] = TUI_INT(limit);
	b[5] = TUI_INT(off);
	return tui_db_query(&t->db, p->reverse ? GOROUTINE_PAGE("DESC") : GOROUTINE_PAGE("ASC"), b,
	                    6, -1, out);
}

static const struct tui_pane_ops goroutines_ops = {
    goroutine_cols, 4, group_sorts, 1, goroutines_count, goroutines_fetch, NULL, true, NULL};

/* One stack: depth, function (inlined marked), file:line (+ path, line, flags). */
static const struct tui_col frame_cols[] = {
    {"#", 3, TUI_COL_RIGHT, 0},
    {"function", 24, TUI_COL_FLEX, 0},
    {"file:line", 24, TUI_COL_FLEX | TUI_COL_CUT_LEFT, 1},
};

static struct gpm_error *frames_count(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                      int64_t *n)
{
	(void)p;
	struct tui_bind b[1] = {TUI_INT(v->stack)};
	return tui_db_int(&t->db, "SELECT count(*) FROM frames WHERE stack_id = ?1", b, 1, 0, n);
}

static struct gpm_error *frames_fetch(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                      int64_t off, int64_t limit, struct gpm_store_table *out)
{
	(void)p;
	struct tui_bind b[3] = {TUI_INT(v->stack), TUI_INT(limit), TUI_INT(off)};
	return tui_db_query(
	    &t->db,
	    "SELECT f.depth, CASE WHEN f.flags & 4 THEN '...' || f.line || ' frames elided...' "
	    "ELSE fn.name || CASE WHEN f.flags & 1 THEN ' [inlined]' ELSE '' END END, "
	    "CASE WHEN f.flags & 4 THEN '' ELSE coalesce(fl.path, '?') || ':' || f.line END, "
	    "coalesce(fl.path, ''), f.line, f.flags, fn.name FROM frames f JOIN functions fn ON "
	    "fn.id = f.function_id LEFT JOIN files fl ON fl.id = f.file_id WHERE f.stack_id = ?1 "
	    "ORDER BY f.depth LIMIT ?2 OFFSET ?3",
	    b, 3, -1, out);
}

static enum tui_color frame_color(const struct gpm_store_table *page, size_t row)
{
	const char *flags = gpm_store_cell(page, row, 5);
	return flags && (atoi(flags) & 1) ? TUI_C_DIM : TUI_C_NORMAL;
}

static const struct tui_pane_ops frames_ops = {
    frame_cols, 3, group_sorts, 1, frames_count, frames_fetch, frame_color, false, NULL};

/* Heap: type, objects, bytes (once the heap tables are filled). */
static const struct tui_col heap_cols[] = {
    {"type", 30, TUI_COL_FLEX, 0},
    {"objects", 12, TUI_COL_RIGHT, 0},
    {"bytes", 14, TUI_COL_RIGHT, 0},
};

static struct gpm_error *heap_count(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                    int64_t *n)
{
	(void)p;
	struct tui_bind b[1] = {TUI_INT(v->incident)};
	return tui_db_int(&t->db, "SELECT count(*) FROM heap_types WHERE incident_id = ?1", b, 1, 0,
	                  n);
}

static struct gpm_error *heap_fetch(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                    int64_t off, int64_t limit, struct gpm_store_table *out)
{
	(void)p;
	struct tui_bind b[3] = {TUI_INT(v->incident), TUI_INT(limit), TUI_INT(off)};
	return tui_db_query(&t->db,
	                    "SELECT type, count, bytes FROM heap_types WHERE incident_id = ?1 "
	                    "ORDER BY bytes DESC, type LIMIT ?2 OFFSET ?3",
	                    b, 3, -1, out);
}

static const struct tui_pane_ops heap_ops = {heap_cols,  3,    group_sorts, 1,   heap_count,
                                             heap_fetch, NULL, false,       NULL};

/* Text panes: lines in memory. */
static const struct tui_col text_cols[] = {{"", 10, TUI_COL_FLEX, 0}};
static const struct tui_pane_ops text_ops = {text_cols, 1,    group_sorts, 1,   NULL,
                                             NULL,      NULL, false,       NULL};

struct gpm_error *tui_pane_push(struct tui_pane *p, const char *indent, const char *text, int width,
                                enum tui_color color)
{
	return push_wrapped(p, indent, text ? text : "", width, color, 0);
}

void tui_pane_clear(struct tui_pane *p)
{
	clear_lines(p);
}

/* ---- views ---- */

const char *tui_view_name(enum tui_view_kind kind)
{
	static const char *const names[TUI_VIEW__COUNT] = {
	    "incidents", "clusters", "search", "incident", "goroutines", "stack", "source", "text",
	};
	return kind < TUI_VIEW__COUNT ? names[kind] : "?";
}

static struct tui_view *view_create(enum tui_view_kind kind, const char *title)
{
	struct tui_view *v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->kind = kind;
	v->name = tui_view_name(kind);
	v->incident = v->stack = v->finding = v->group = -1;
	v->npanes = 1;
	v->panes[0].ops = &text_ops;
	v->panes[1].ops = &text_ops;
	if (!(v->title = strdup(title))) {
		free(v);
		return NULL;
	}
	return v;
}

void tui_query_deinit(struct tui_query *q)
{
	free(q->exe);
	free(q->go);
	free(q->finding);
	memset(q, 0, sizeof(*q));
}

void tui_view_destroy(struct tui_view *v)
{
	if (!v)
		return;
	for (int i = 0; i < 2; i++) {
		clear_lines(&v->panes[i]);
		gpm_store_table_deinit(&v->panes[i].page);
		free(v->panes[i].filter);
		free(v->panes[i].title);
	}
	for (size_t i = 0; v->evidence && i < v->findings.nrows; i++)
		gpm_store_table_deinit(&v->evidence[i]);
	free(v->evidence);
	gpm_store_table_deinit(&v->info);
	gpm_store_table_deinit(&v->findings);
	tui_query_deinit(&v->q);
	free(v->text);
	free(v->title);
	free(v);
}

static struct gpm_error *finish(struct tui *t, struct tui_view *v, struct tui_view **out)
{
	struct gpm_error *err = NULL;
	tui_view_layout(t, v);
	for (int i = 0; i < v->npanes && !err; i++)
		err = tui_pane_reload(t, v, &v->panes[i]);
	if (err) {
		tui_view_destroy(v);
		return err;
	}
	*out = v;
	return NULL;
}

static struct gpm_error *query_copy(struct tui_query *dst, const struct tui_query *src)
{
	*dst = (struct tui_query){src->since,        src->until,       src->cluster,
	                          xstrdup(src->exe), xstrdup(src->go), xstrdup(src->finding)};
	if ((src->exe && !dst->exe) || (src->go && !dst->go) || (src->finding && !dst->finding))
		return &gpm_error_nomem;
	return NULL;
}

struct gpm_error *tui_view_incidents(struct tui *t, const struct tui_query *q,
                                     struct tui_view **out)
{
	char title[160] = "Incidents";
	if (q && q->cluster)
		snprintf(title, sizeof(title), "Incidents of cluster %lld", (long long)q->cluster);
	struct tui_view *v = view_create(TUI_VIEW_INCIDENTS, title);
	if (!v)
		return &gpm_error_nomem;
	v->panes[0].ops = &incidents_ops;
	v->npanes = 2;
	if (!(v->panes[1].title = strdup("Preview  (Tab: focus, Enter: maximise)"))) {
		tui_view_destroy(v);
		return &gpm_error_nomem;
	}
	v->preview_of = -1;
	if (q && query_copy(&v->q, q)) {
		tui_view_destroy(v);
		return &gpm_error_nomem;
	}
	return finish(t, v, out);
}

struct gpm_error *tui_view_clusters(struct tui *t, const struct tui_query *q, struct tui_view **out)
{
	struct tui_view *v = view_create(TUI_VIEW_CLUSTERS, "Clusters");
	if (!v)
		return &gpm_error_nomem;
	v->panes[0].ops = &clusters_ops;
	v->npanes = 2;
	if (!(v->panes[1].title = strdup("Preview  (Tab: focus, Enter: maximise)"))) {
		tui_view_destroy(v);
		return &gpm_error_nomem;
	}
	v->preview_of = -1;
	if (q && query_copy(&v->q, q)) {
		tui_view_destroy(v);
		return &gpm_error_nomem;
	}
	return finish(t, v, out);
}

struct gpm_error *tui_view_search(struct tui *t, const char *text, struct tui_view **out)
{
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	gpm_strbuf_printf(&sb, "Search \"%s\"", text);
	struct tui_view *v =
	    gpm_strbuf_error(&sb) ? NULL : view_create(TUI_VIEW_SEARCH, gpm_strbuf_str(&sb));
	gpm_strbuf_deinit(&sb);
	if (!v || !(v->text = strdup(text))) {
		tui_view_destroy(v);
		return &gpm_error_nomem;
	}
	v->panes[0].ops = &search_ops;
	return finish(t, v, out);
}

// Incident facts: id, time, exe, go, kind, goroutines, headline, cluster, message, fatal,
// signal.
enum { INFO_ID, INFO_TIME, INFO_EXE, INFO_GO, INFO_KIND, INFO_NG, INFO_HEADLINE, INFO_CLUSTER };

// Findings as text lines, wrapped to width: severity and title, explanation, evidence,
// confidence and next step, and how many goroutines Enter lists.
static struct gpm_error *findings_layout(struct tui_view *v, int width)
{
	struct tui_pane *p = &v->panes[0];
	clear_lines(p);
	struct gpm_error *err = NULL;
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	if (!v->findings.nrows)
		err = push_line(p, "no findings stored for this incident", TUI_C_DIM, 0);
	for (size_t r = 0; r < v->findings.nrows && !err; r++) {
		const struct gpm_store_table *f = &v->findings;
		int64_t id = strtoll(gpm_store_cell(f, r, 0), NULL, 10);
		const char *sev = gpm_store_cell(f, r, 2);
		enum tui_color c = TUI_C_INFO;
		if (sev && (!strcmp(sev, "critical") || !strcmp(sev, "high")))
			c = TUI_C_CRITICAL;
		else if (sev && !strcmp(sev, "medium"))
			c = TUI_C_WARNING;
		gpm_strbuf_reset(&sb);
		char up[16] = "";
		for (size_t i = 0; sev && sev[i] && i < sizeof(up) - 1; i++)
			up[i] = (char)(sev[i] >= 'a' && sev[i] <= 'z' ? sev[i] - 32 : sev[i]);
		gpm_strbuf_printf(&sb, "%s %s", up, gpm_store_cell(f, r, 3));
		if ((err = gpm_strbuf_error(&sb)) ||
		    (err = push_wrapped(p, "", gpm_strbuf_str(&sb), width, c, id)))
			break;
		const char *expl = gpm_store_cell(f, r, 4);
		if (expl && *expl && (err = push_wrapped(p, "  ", expl, width, TUI_C_NORMAL, id)))
			break;
		const struct gpm_store_table *ev = &v->evidence[r];
		for (size_t e = 0; e < ev->nrows && !err; e++) {
			gpm_strbuf_reset(&sb);
			const char *k = gpm_store_cell(ev, e, 0), *val = gpm_store_cell(ev, e, 1);
			if (k && *k)
				gpm_strbuf_printf(&sb, "%s: %s", k, val ? val : "");
			else
				gpm_strbuf_puts(&sb, val ? val : "");
			if (!(err = gpm_strbuf_error(&sb)))
				err = push_wrapped(p, "  · ", gpm_strbuf_str(&sb), width,
				                   TUI_C_NORMAL, id);
		}
		const char *conf = gpm_store_cell(f, r, 5), *next = gpm_store_cell(f, r, 6);
		const char *ng = gpm_store_cell(f, r, 7);
		gpm_strbuf_reset(&sb);
		if (conf)
			gpm_strbuf_printf(&sb, "confidence: %s", conf);
		if (ng && atoll(ng) > 0)
			gpm_strbuf_printf(&sb, "%sgoroutines: %s (Enter lists them)",
			                  conf ? " · " : "", ng);
		if (!err && sb.len && !(err = gpm_strbuf_error(&sb)))
			err = push_wrapped(p, "  ", gpm_strbuf_str(&sb), width, TUI_C_DIM, id);
		if (!err && next && *next) {
			gpm_strbuf_reset(&sb);
			gpm_strbuf_printf(&sb, "next: %s", next);
			if (!(err = gpm_strbuf_error(&sb)))
				err = push_wrapped(p, "  ", gpm_strbuf_str(&sb), width, TUI_C_DIM,
				                   id);
		}
		if (!err && r + 1 < v->findings.nrows)
			err = push_line(p, "", TUI_C_NORMAL, 0);
	}
	gpm_strbuf_deinit(&sb);
	return err;
}

struct gpm_error *tui_view_incident(struct tui *t, int64_t id, struct tui_view **out)
{
	struct tui_bind b[2] = {TUI_INT(GPM_SIGNATURE_ALGORITHM), TUI_INT(id)};
	struct gpm_store_table info;
	struct gpm_error *err = tui_db_query(
	    &t->db,
	    "SELECT i.id, strftime('%Y-%m-%d %H:%M:%S', i.time, 'unixepoch'), " EXE_BASE
	    ", coalesce(i.go_version, '?'), i.kind, i.goroutines, i.headline, s.cluster_id FROM "
	    "incidents i LEFT JOIN incident_signatures x ON x.incident_id = i.id AND x.algorithm "
	    "= ?1 LEFT JOIN signatures s ON s.id = x.signature_id WHERE i.id = ?2",
	    b, 2, 1, &info);
	if (err)
		return err;
	if (!info.nrows) {
		gpm_store_table_deinit(&info);
		return gpm_error_create(GPM_ERR_NOT_FOUND, "no incident %lld", (long long)id);
	}
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	const char *cl = gpm_store_cell(&info, 0, INFO_CLUSTER);
	gpm_strbuf_printf(&sb, "Incident %lld · %s · %s · %s · %s goroutines", (long long)id,
	                  gpm_store_cell(&info, 0, INFO_EXE), gpm_store_cell(&info, 0, INFO_GO),
	                  gpm_store_cell(&info, 0, INFO_TIME), gpm_store_cell(&info, 0, INFO_NG));
	if (cl)
		gpm_strbuf_printf(&sb, " · cluster %s", cl);
	struct tui_view *v =
	    gpm_strbuf_error(&sb) ? NULL : view_create(TUI_VIEW_INCIDENT, gpm_strbuf_str(&sb));
	gpm_strbuf_deinit(&sb);
	if (!v) {
		gpm_store_table_deinit(&info);
		return &gpm_error_nomem;
	}
	v->info = info;
	v->incident = id;
	v->npanes = 2;
	v->panes[1].ops = &groups_ops;
	struct tui_bind fb[2] = {TUI_INT(id), TUI_INT(MAX_FINDINGS)};
	err = tui_db_query(&t->db,
	                   "SELECT id, rule, severity, title, explanation, json_extract(evidence, "
	                   "'$.confidence'), json_extract(evidence, '$.next'), "
	                   "json_array_length(evidence, '$.goroutines') FROM findings WHERE "
	                   "incident_id = ?1 ORDER BY ordinal LIMIT ?2",
	                   fb, 2, -1, &v->findings);
	if (!err && !(v->evidence = calloc(v->findings.nrows + 1, sizeof(*v->evidence))))
		err = &gpm_error_nomem;
	for (size_t r = 0; !err && r < v->findings.nrows; r++) {
		struct tui_bind eb[2] = {
		    TUI_INT(strtoll(gpm_store_cell(&v->findings, r, 0), NULL, 10)),
		    TUI_INT(MAX_EVIDENCE)};
		err =
		    tui_db_query(&t->db,
		                 "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') "
		                 "FROM json_each((SELECT evidence FROM findings WHERE id = ?1), "
		                 "'$.evidence') LIMIT ?2",
		                 eb, 2, -1, &v->evidence[r]);
	}
	if (err) {
		tui_view_destroy(v);
		return err;
	}
	v->panes[0].title = strdup("Findings");
	return finish(t, v, out);
}

static struct gpm_error *text_view(const char *title, struct tui_view **out)
{
	struct tui_view *v = view_create(TUI_VIEW_TEXT, title);
	if (!v)
		return &gpm_error_nomem;
	*out = v;
	return NULL;
}

struct gpm_error *tui_view_help(struct tui *t, enum tui_view_kind kind, struct tui_view **out)
{
	struct tui_view *v;
	char title[80];
	snprintf(title, sizeof(title), "Help: keys of the %s view", tui_view_name(kind));
	struct gpm_error *err = text_view(title, &v);
	if (err)
		return err;
	v->help_for = kind;
	struct tui_pane *p = &v->panes[0];
	char line[256];
	for (size_t i = 0; i < tui_nkeys && !err; i++) {
		const struct tui_key_info *k = &tui_keys[i];
		if (!*k->label || !(k->views & TUI_IN(kind)))
			continue;
		snprintf(line, sizeof(line), "  %-12s %s", k->label, k->help);
		err = push_line(p, line, TUI_C_NORMAL, 0);
	}
	if (!err)
		err = push_line(p, "", TUI_C_NORMAL, 0);
	if (!err)
		err = push_line(p, "Commands (type : then one of these, Enter runs it)", TUI_C_BOLD,
		                0);
	for (size_t i = 0; i < tui_ncommands && !err; i++) {
		snprintf(line, sizeof(line), "  :%s %s", tui_commands[i].name,
		         tui_commands[i].args);
		if (!(err = push_line(p, line, TUI_C_NORMAL, 0))) {
			snprintf(line, sizeof(line), "      %s", tui_commands[i].help);
			err = push_line(p, line, TUI_C_DIM, 0);
		}
	}
	if (err) {
		tui_view_destroy(v);
		return err;
	}
	return finish(t, v, out);
}

static struct gpm_error *push_text(struct tui_pane *p, const char *text)
{
	struct gpm_error *err = NULL;
	const char *s = text;
	while (*s && !err) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		char *line = strndup(s, n);
		if (!line)
			return &gpm_error_nomem;
		err = push_line(p, line, TUI_C_NORMAL, 0);
		free(line);
		s += n + (nl ? 1 : 0);
	}
	return err;
}

struct gpm_error *tui_view_text(struct tui *t, const char *title, const char *text,
                                struct tui_view **out)
{
	struct tui_view *v;
	struct gpm_error *err = text_view(title, &v);
	if (err)
		return err;
	if ((err = push_text(&v->panes[0], text))) {
		tui_view_destroy(v);
		return err;
	}
	return finish(t, v, out);
}

struct gpm_error *tui_view_report(struct tui *t, int64_t id, struct tui_view **out)
{
	char title[64];
	snprintf(title, sizeof(title), "Report of incident %lld", (long long)id);
	struct tui_view *v;
	struct gpm_error *err = text_view(title, &v);
	if (err)
		return err;
	struct tui_bind b[1] = {TUI_INT(id)};
	struct gpm_store_table r;
	if (!(err = tui_db_query(&t->db, "SELECT report FROM incidents WHERE id = ?1", b, 1, 1,
	                         &r))) {
		const char *text = r.nrows ? gpm_store_cell(&r, 0, 0) : NULL;
		err = push_text(&v->panes[0], text ? text : "no report stored for this incident");
		gpm_store_table_deinit(&r);
	}
	if (err) {
		tui_view_destroy(v);
		return err;
	}
	return finish(t, v, out);
}

struct gpm_error *tui_view_heap(struct tui *t, int64_t id, struct tui_view **out)
{
	char title[64];
	snprintf(title, sizeof(title), "Heap of incident %lld: top types by bytes", (long long)id);
	struct tui_view *v;
	struct gpm_error *err = text_view(title, &v);
	if (err)
		return err;
	v->incident = id;
	int64_t n = 0;
	struct tui_bind b[1] = {TUI_INT(id)};
	err = tui_db_int(&t->db, "SELECT count(*) FROM heap_types WHERE incident_id = ?1", b, 1, 0,
	                 &n);
	if (!err && n > 0)
		v->panes[0].ops = &heap_ops;
	else if (!err)
		err = push_line(&v->panes[0], "no heap data for this incident", TUI_C_DIM, 0);
	if (err) {
		tui_view_destroy(v);
		return err;
	}
	return finish(t, v, out);
}

static struct gpm_error *goroutines_view(struct tui *t, struct tui_view *from, int64_t group,
                                         int64_t finding, const char *what, struct tui_view **out)
{
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	gpm_strbuf_printf(&sb, "Incident %lld · goroutines %s", (long long)from->incident, what);
	struct tui_view *v =
	    gpm_strbuf_error(&sb) ? NULL : view_create(TUI_VIEW_GOROUTINES, gpm_strbuf_str(&sb));
	gpm_strbuf_deinit(&sb);
	if (!v)
		return &gpm_error_nomem;
	v->incident = from->incident;
	v->group = group;
	v->finding = finding;
	v->panes[0].ops = &goroutines_ops;
	return finish(t, v, out);
}

// A file of the stack under --source-root: the path as recorded, then without its leading
// components one at a time (a build path /home/ci/src/app/x.go finds app/x.go).
/*
 * The file of a frame: under --source-root, then the module cache (a dependency's
 * module@version/... path; $GOMODCACHE, else $GOPATH/pkg/mod, else ~/go/pkg/mod), then the
 * standard library of $GOROOT/src and of ~/sdk/GOVERSION/src (the incident's Go version, as
 * golang.org/dl installs it). Each lookup is confined to its root (base/srcpath.h).
 */
static struct gpm_error *source_find(struct tui *t, int64_t incident, const char *path, char **out)
{
	*out = NULL;
	const char *home = getenv("HOME"), *env;
	char mod[PATH_MAX] = "", goroot[PATH_MAX] = "", sdk[PATH_MAX] = "";
	if ((env = getenv("GOMODCACHE")) && *env)
		snprintf(mod, sizeof(mod), "%s", env);
	else if ((env = getenv("GOPATH")) && *env)
		snprintf(mod, sizeof(mod), "%.*s/pkg/mod", (int)strcspn(env, ":"), env);
	else if (home && *home)
		snprintf(mod, sizeof(mod), "%s/go/pkg/mod", home);
	if ((env = getenv("GOROOT")) && *env)
		snprintf(goroot, sizeof(goroot), "%s/src", env);
	struct tui_bind b[1] = {TUI_INT(incident)};
	struct gpm_store_table ver;
	if (home && *home && incident > 0 &&
	    !tui_db_query(&t->db, "SELECT go_version FROM incidents WHERE id = ?1", b, 1, 1,
	                  &ver)) {
		const char *v = ver.nrows ? gpm_store_cell(&ver, 0, 0) : NULL;
		if (v && !strncmp(v, "go", 2) && !strchr(v, '/'))
			snprintf(sdk, sizeof(sdk), "%s/sdk/%s/src", home, v);
		gpm_store_table_deinit(&ver);
	}
	const char *roots[] = {t->source_root, mod, goroot, sdk};
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]) && !*out; i++) {
		struct gpm_error *err = gpm_srcpath_find(roots[i], path, out);
		if (err)
			return err;
	}
	return NULL;
}

static struct gpm_error *source_view(struct tui *t, int64_t incident, const char *path,
                                     int64_t line, const char *func, struct tui_view **out)
{
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	gpm_strbuf_printf(&sb, "Source %s:%lld · %s", path, (long long)line, func);
	struct tui_view *v =
	    gpm_strbuf_error(&sb) ? NULL : view_create(TUI_VIEW_SOURCE, gpm_strbuf_str(&sb));
	gpm_strbuf_deinit(&sb);
	if (!v)
		return &gpm_error_nomem;
	struct tui_pane *p = &v->panes[0];
	struct gpm_error *err = NULL;
	char *found = NULL;
	v->incident = incident;
	err = source_find(t, incident, path, &found);
	FILE *f = found ? fopen(found, "r") : NULL;
	char buf[4096];
	if (!err && !f) {
		err =
		    push_line(p,
		              t->source_root ? "source not found under --source-root, the module "
		                               "cache or GOROOT:"
		                             : "source not found in the module cache or GOROOT (no "
		                               "--source-root given):",
		              TUI_C_DIM, 0);
		if (!err && t->source_root)
			err = push_line(p, t->source_root, TUI_C_DIM, 0);
		if (!err)
			err = push_line(p, "", TUI_C_NORMAL, 0);
		snprintf(buf, sizeof(buf), "location: %s:%lld", path, (long long)line);
		if (!err)
			err = push_line(p, buf, TUI_C_NORMAL, 0);
		snprintf(buf, sizeof(buf), "function: %s", func);
		if (!err)
			err = push_line(p, buf, TUI_C_NORMAL, 0);
	} else if (!err) {
		// Lines numbered; the frame's line highlighted and the cursor on it.
		struct gpm_strbuf ln = GPM_STRBUF_INIT;
		int64_t no = 0;
		size_t bytes = 0;
		int c = 0;
		while (!err && c != EOF && bytes < MAX_SOURCE_BYTES && p->nlines < MAX_TEXT_LINES) {
			gpm_strbuf_reset(&ln);
			gpm_strbuf_printf(&ln, "%5lld  ", (long long)++no);
			size_t col = 0;
			while ((c = getc(f)) != EOF && c != '\n' && bytes++ < MAX_SOURCE_BYTES) {
				// Tabs to stops of 4 columns; other bytes as they are (drawn
				// safely).
				if (c == '\t') {
					do
						gpm_strbuf_putc(&ln, ' ');
					while (++col % 4);
					continue;
				}
				gpm_strbuf_putc(&ln, (char)c);
				col++;
			}
			if (c == EOF && ln.len == 7)
				break;
			if (!(err = gpm_strbuf_error(&ln)))
				err = push_line(p, gpm_strbuf_str(&ln),
				                no == line ? TUI_C_HIGHLIGHT : TUI_C_NORMAL, 0);
		}
		gpm_strbuf_deinit(&ln);
		fclose(f);
		p->cur = line > 0 ? line - 1 : 0;
	}
	free(found);
	if (err) {
		tui_view_destroy(v);
		return err;
	}
	return finish(t, v, out);
}

struct gpm_error *tui_view_cluster(struct tui *t, struct tui_view *v, int64_t *out)
{
	*out = 0;
	if (v->kind == TUI_VIEW_CLUSTERS) {
		struct tui_pane *p = &v->panes[0];
		if (p->n <= 0)
			return NULL;
		struct gpm_error *err = tui_pane_ensure(t, v, p, p->cur, 1);
		if (err)
			return err;
		const char *id = tui_pane_cell(p, p->cur, 8);
		*out = id ? strtoll(id, NULL, 10) : 0;
	} else if (v->kind == TUI_VIEW_INCIDENT) {
		const char *id = v->info.nrows ? gpm_store_cell(&v->info, 0, 7) : NULL;
		*out = id ? strtoll(id, NULL, 10) : 0;
	} else if (v->kind == TUI_VIEW_INCIDENTS) {
		*out = v->q.cluster;
	}
	return NULL;
}

struct gpm_error *tui_view_row_id(struct tui *t, struct tui_view *v, int64_t *out)
{
	*out = 0;
	if (v->kind == TUI_VIEW_INCIDENT) {
		*out = v->incident > 0 ? v->incident : 0;
		return NULL;
	}
	struct tui_pane *p = &v->panes[0];
	if ((v->kind != TUI_VIEW_INCIDENTS && v->kind != TUI_VIEW_SEARCH) || p->n <= 0)
		return NULL;
	struct gpm_error *err = tui_pane_ensure(t, v, p, p->cur, 1);
	if (err)
		return err;
	const char *id = tui_pane_cell(p, p->cur, v->kind == TUI_VIEW_SEARCH ? 4 : 5);
	*out = id ? strtoll(id, NULL, 10) : 0;
	return NULL;
}

struct gpm_error *tui_view_refresh(struct tui *t, struct tui_view *v)
{
	v->preview_of = -1;
	for (int i = 0; i < v->npanes; i++) {
		if (!v->panes[i].ops->fetch)
			continue;
		struct gpm_error *err = tui_pane_reload(t, v, &v->panes[i]);
		if (err)
			return err;
	}
	return NULL;
}

struct gpm_error *tui_view_enter(struct tui *t, struct tui_view *v, struct tui_view **out)
{
	*out = NULL;
	struct tui_pane *p = &v->panes[v->focus];
	if (p->n <= 0)
		return NULL;
	struct gpm_error *err = tui_pane_ensure(t, v, p, p->cur, 1);
	if (err)
		return err;
	const char *id;
	switch (v->kind) {
	case TUI_VIEW_INCIDENTS:
		if ((id = tui_pane_cell(p, p->cur, 5)))
			return tui_view_incident(t, strtoll(id, NULL, 10), out);
		break;
	case TUI_VIEW_SEARCH:
		if ((id = tui_pane_cell(p, p->cur, 4)))
			return tui_view_incident(t, strtoll(id, NULL, 10), out);
		break;
	case TUI_VIEW_CLUSTERS:
		if ((id = tui_pane_cell(p, p->cur, 8))) {
			struct tui_query q = v->q;
			q.cluster = strtoll(id, NULL, 10);
			return tui_view_incidents(t, &q, out);
		}
		break;
	case TUI_VIEW_INCIDENT:
		if (v->focus == 0) {
			int64_t ref = (size_t)p->cur < p->nlines ? p->lines[p->cur].ref : 0;
			for (size_t r = 0; ref && r < v->findings.nrows; r++) {
				if (strtoll(gpm_store_cell(&v->findings, r, 0), NULL, 10) != ref)
					continue;
				const char *ng = gpm_store_cell(&v->findings, r, 7);
				if (!ng || atoll(ng) <= 0) {
					snprintf(t->status, sizeof(t->status),
					         "this finding names no goroutines");
					return NULL;
				}
				char what[64];
				snprintf(what, sizeof(what), "of finding %zu (%s)", r + 1,
				         gpm_store_cell(&v->findings, r, 1));
				return goroutines_view(t, v, -1, ref, what, out);
			}
			snprintf(t->status, sizeof(t->status), "Tab: goroutine groups");
		} else if ((id = tui_pane_cell(p, p->cur, 4))) {
			char what[96];
			snprintf(what, sizeof(what), "of group %lld (%s, %s)",
			         (long long)strtoll(id, NULL, 10) + 1, tui_pane_cell(p, p->cur, 1),
			         tui_pane_cell(p, p->cur, 0));
			return goroutines_view(t, v, strtoll(id, NULL, 10), -1, what, out);
		}
		break;
	case TUI_VIEW_GOROUTINES: {
		const char *stack = tui_pane_cell(p, p->cur, 4);
		if (!stack) {
			snprintf(t->status, sizeof(t->status),
			         "this goroutine has no stored stack");
			return NULL;
		}
		struct gpm_strbuf sb = GPM_STRBUF_INIT;
		const char *cb = tui_pane_cell(p, p->cur, 5), *wait = tui_pane_cell(p, p->cur, 2);
		gpm_strbuf_printf(&sb, "Goroutine %s [%s%s%s]", tui_pane_cell(p, p->cur, 0),
		                  tui_pane_cell(p, p->cur, 1), wait && *wait ? ", " : "",
		                  wait ? wait : "");
		if (cb && *cb)
			gpm_strbuf_printf(&sb, " · created by %s", cb);
		struct tui_view *n =
		    gpm_strbuf_error(&sb) ? NULL : view_create(TUI_VIEW_STACK, gpm_strbuf_str(&sb));
		gpm_strbuf_deinit(&sb);
		if (!n)
			return &gpm_error_nomem;
		n->incident = v->incident;
		n->stack = strtoll(stack, NULL, 10);
		n->goid = strtoll(tui_pane_cell(p, p->cur, 0), NULL, 10);
		n->panes[0].ops = &frames_ops;
		return finish(t, n, out);
	}
	case TUI_VIEW_STACK: {
		const char *path = tui_pane_cell(p, p->cur, 3), *line = tui_pane_cell(p, p->cur, 4);
		const char *fn = tui_pane_cell(p, p->cur, 6);
		return source_view(t, v->incident, path ? path : "",
		                   line ? strtoll(line, NULL, 10) : 0, fn ? fn : "?", out);
	}
	default:
		break;
	}
	return NULL;
}

/* ---- layout and drawing ---- */

void tui_view_layout(struct tui *t, struct tui_view *v)
{
	int body = t->rows - 2; // title and status lines
	for (int i = 0; i < 2; i++) {
		v->panes[i].x = 0;
		v->panes[i].w = t->cols;
	}
	if (v->kind == TUI_VIEW_INCIDENT) {
		findings_layout(v, t->cols - 1);
		v->panes[0].n = (int64_t)v->panes[0].nlines;
		int avail = body - 2; // a header per pane
		int h0 = (int)v->panes[0].nlines;
		if (h0 > avail / 2)
			h0 = avail / 2;
		if (h0 < 1)
			h0 = 1;
		v->panes[0].y = 2;
		v->panes[0].h = h0;
		v->panes[1].y = 2 + h0 + 1;
		v->panes[1].h = avail - h0 > 0 ? avail - h0 : 0;
	} else if (v->npanes == 2 && t->cols >= TUI_WIDE && !v->maximized) {
		// Wide (tig, lazygit): the list left, the preview right of a rule; the list
		// gets 55%, as its columns need more room than the preview's wrapped text.
		int w0 = (t->cols - 1) * 11 / 20;
		v->panes[0].y = v->panes[1].y = 2;
		v->panes[0].h = v->panes[1].h = body - 1 > 0 ? body - 1 : 0;
		v->panes[0].w = w0;
		v->panes[1].x = w0 + 1;
		v->panes[1].w = t->cols - w0 - 1;
	} else if (v->npanes == 2) {
		// A list and the preview of its selected row below; Enter on the preview
		// maximises it (the list keeps one row).
		int avail = body - 2;
		int h0 = v->maximized ? 1 : avail / 2;
		if (h0 < 1)
			h0 = 1;
		v->panes[0].y = 2;
		v->panes[0].h = h0;
		v->panes[1].y = 2 + h0 + 1;
		v->panes[1].h = avail - h0 > 0 ? avail - h0 : 0;
	} else {
		v->panes[0].y = 2;
		v->panes[0].h = body - 1 > 0 ? body - 1 : 0;
	}
	for (int i = 0; i < v->npanes; i++) {
		struct tui_pane *p = &v->panes[i];
		p->drawn = false;
		if (p->n > 0 && p->cur >= p->n)
			p->cur = p->n - 1;
		// Keep the cursor in view, a little above the middle for a jump (source line).
		if (p->cur >= p->top + p->h || p->cur < p->top)
			p->top = p->cur - p->h / 3 > 0 ? p->cur - p->h / 3 : 0;
		tui_pane_move(p, p->cur);
	}
}

/*
 * Column widths for the screen width (0: not shown). Columns are sized by importance: when
 * the minimum widths don't fit, the column with the highest drop goes first (a narrow
 * terminal keeps the headline and loses the cluster id); what is left over goes to the
 * flex columns in proportion to their minimum, so the headline takes the room.
 */
static void widths(const struct tui_pane_ops *ops, int cols, int *w)
{
	bool shown[16];
	for (size_t c = 0; c < ops->ncols; c++)
		shown[c] = true;
	int need, flexmin;
	for (;;) {
		need = 0;
		flexmin = 0;
		int ncols = 0;
		for (size_t c = 0; c < ops->ncols; c++) {
			if (!shown[c])
				continue;
			need += (ncols++ ? 1 : 0) + ops->cols[c].width;
			if (ops->cols[c].flags & TUI_COL_FLEX)
				flexmin += ops->cols[c].width;
		}
		size_t worst = ops->ncols;
		for (size_t c = 0; c < ops->ncols; c++)
			if (shown[c] && ops->cols[c].drop &&
			    (worst == ops->ncols || ops->cols[c].drop > ops->cols[worst].drop))
				worst = c;
		if (need <= cols || worst == ops->ncols)
			break;
		shown[worst] = false;
	}
	int rest = cols > need ? cols - need : 0, given = 0;
	size_t last_flex = ops->ncols;
	for (size_t c = 0; c < ops->ncols; c++) {
		w[c] = shown[c] ? ops->cols[c].width : 0;
		if (!shown[c] || !(ops->cols[c].flags & TUI_COL_FLEX))
			continue;
		int share = flexmin ? (int)((int64_t)rest * ops->cols[c].width / flexmin) : 0;
		w[c] += share;
		given += share;
		last_flex = c;
	}
	if (last_flex < ops->ncols)
		w[last_flex] += rest - given;
}

static void draw_cells(const struct tui_pane *p, int y, const char *const *cells, attr_t attr)
{
	const struct tui_pane_ops *ops = p->ops;
	int w[16], x = p->x, end = p->x + p->w;
	widths(ops, p->w, w);
	bool first = true;
	for (size_t c = 0; c < ops->ncols && x < end; c++) {
		if (!w[c])
			continue;
		if (!first) {
			tui_draw_text(stdscr, y, x, 1, " ", attr, TUI_TEXT_PAD);
			x++;
		}
		first = false;
		int cw = w[c] < end - x ? w[c] : end - x;
		const char *s = cells[c] ? cells[c] : "";
		unsigned fl =
		    TUI_TEXT_PAD | ((ops->cols[c].flags & TUI_COL_RIGHT) ? TUI_TEXT_RIGHT : 0);
		if ((ops->cols[c].flags & TUI_COL_CUT_LEFT) && tui_text_width(s) > cw && cw > 1) {
			// Keep the end of a long path (its file name and line).
			int drop = tui_text_width(s) - (cw - 1);
			size_t skip = tui_text_fit(s, drop);
			while (tui_text_width(s + skip) > cw - 1 && s[skip])
				skip++;
			tui_draw_text(stdscr, y, x, 1, tui_utf8 ? "…" : "~", attr, 0);
			tui_draw_text(stdscr, y, x + 1, cw - 1, s + skip, attr, fl);
		} else {
			tui_draw_text(stdscr, y, x, cw, s, attr, fl);
		}
		x += cw;
	}
	if (x < end)
		tui_draw_text(stdscr, y, x, end - x, "", attr, TUI_TEXT_PAD);
}

// The rule left of a pane beside another (wide layout).
static void draw_rule(const struct tui_pane *p, int y)
{
	if (p->x > 0)
		tui_draw_text(stdscr, y, p->x - 1, 1, tui_utf8 ? "│" : "|", tui_attr(TUI_C_DIM), 0);
}

static void draw_row(struct tui *t, struct tui_view *v, struct tui_pane *p, int64_t i)
{
	int y = p->y + (int)(i - p->top);
	if (i < p->top || y >= p->y + p->h || y >= t->rows - 1)
		return;
	bool focused = &v->panes[v->focus] == p;
	attr_t cursor = tui_attr(focused ? TUI_C_CURSOR : TUI_C_CURSOR_DIM);
	draw_rule(p, y);
	if (i >= p->n) {
		tui_draw_text(stdscr, y, p->x, p->w, "", A_NORMAL, TUI_TEXT_PAD);
		return;
	}
	if (!p->ops->fetch) {
		const struct tui_line *l = &p->lines[i];
		attr_t a = i == p->cur && (focused || v->npanes > 1) ? cursor : tui_attr(l->color);
		tui_draw_text(stdscr, y, p->x, p->w, l->text, a, TUI_TEXT_PAD);
		return;
	}
	const char *const *cells = tui_pane_cells(p, i);
	if (!cells) {
		tui_draw_text(stdscr, y, p->x, p->w, "…", A_NORMAL, TUI_TEXT_PAD);
		return;
	}
	attr_t a = tui_attr(TUI_C_NORMAL);
	if (p->ops->color)
		a = tui_attr(p->ops->color(&p->page, (size_t)(i - p->page_off)));
	draw_cells(p, y, cells, i == p->cur ? cursor : a);
}

static void draw_pane_body(struct tui *t, struct tui_view *v, struct tui_pane *p)
{
	struct gpm_error *err = tui_pane_ensure(t, v, p, p->top, p->h);
	if (err) {
		snprintf(t->status, sizeof(t->status), "%s", err->message ? err->message : "error");
		t->status_error = true;
		gpm_error_destroy(err);
	}
	for (int64_t i = p->top; i < p->top + p->h; i++)
		draw_row(t, v, p, i);
	p->drawn = true;
	p->drawn_top = p->top;
	p->drawn_cur = p->cur;
}

static void draw_pane_header(struct tui *t, struct tui_view *v, struct tui_pane *p)
{
	int y = p->y - 1;
	if (y < 1 || y >= t->rows - 1)
		return;
	draw_rule(p, y);
	if (!p->ops->fetch && p->title) {
		char buf[160];
		snprintf(buf, sizeof(buf), "%s%s", p->title,
		         v->kind == TUI_VIEW_INCIDENT && &v->panes[v->focus] == p
		             ? "  (Tab: groups)"
		             : "");
		tui_draw_text(stdscr, y, p->x, p->w, buf, tui_attr(TUI_C_HEADER), TUI_TEXT_PAD);
		return;
	}
	if (!p->ops->fetch) {
		tui_draw_text(stdscr, y, p->x, p->w, "", A_NORMAL, TUI_TEXT_PAD);
		return;
	}
	const char *titles[16];
	for (size_t c = 0; c < p->ops->ncols && c < 16; c++)
		titles[c] = p->ops->cols[c].title;
	draw_cells(p, y, titles, tui_attr(TUI_C_HEADER));
}

static void draw_title(struct tui *t, struct tui_view *v)
{
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	// A list with a preview is titled by the list.
	struct tui_pane *p = &v->panes[v->kind == TUI_VIEW_INCIDENT ? v->focus : 0];
	gpm_strbuf_printf(&sb, "%s", v->title);
	if (v->kind == TUI_VIEW_INCIDENTS || v->kind == TUI_VIEW_CLUSTERS ||
	    v->kind == TUI_VIEW_SEARCH || v->kind == TUI_VIEW_GOROUTINES)
		gpm_strbuf_printf(&sb, " (%lld)", (long long)p->n);
	if (p->ops->nsorts > 1) {
		const struct tui_sort *s = &p->ops->sorts[p->sort];
		gpm_strbuf_printf(&sb, " · sort: %s %s", s->label,
		                  p->reverse ? s->arrow_reverse : s->arrow);
	}
	if (p->filter)
		gpm_strbuf_printf(&sb, " · filter: %s", p->filter);
	tui_draw_text(stdscr, 0, 0, t->cols, gpm_strbuf_str(&sb), tui_attr(TUI_C_TITLE),
	              TUI_TEXT_PAD);
	gpm_strbuf_deinit(&sb);
}

static void draw_status(struct tui *t)
{
	int y = t->rows - 1;
	if (y < 1)
		return;
	char left[600];
	if (t->prompt) {
		snprintf(left, sizeof(left), "%c%.*s", t->prompt, (int)t->input_len, t->input);
		tui_draw_text(stdscr, y, 0, t->cols, left, A_NORMAL, TUI_TEXT_PAD);
		int x = tui_text_width(left);
		move(y, x < t->cols ? x : t->cols - 1);
		return;
	}
	struct tui_view *v = t->views[t->depth - 1];
	struct tui_pane *p = &v->panes[v->focus];
	if (t->status[0]) {
		tui_draw_text(stdscr, y, 0, t->cols, t->status,
		              tui_attr(t->status_error ? TUI_C_ERROR : TUI_C_STATUS), TUI_TEXT_PAD);
		return;
	}
	snprintf(left, sizeof(left), "[%s] %lld/%lld", v->name, (long long)(p->n ? p->cur + 1 : 0),
	         (long long)p->n);
	const char *right = "? help  : command  q back";
	int rw = tui_text_width(right);
	int lw = t->cols - rw - 1 > 0 ? t->cols - rw - 1 : t->cols;
	tui_draw_text(stdscr, y, 0, lw, left, tui_attr(TUI_C_STATUS), TUI_TEXT_PAD);
	if (lw < t->cols)
		tui_draw_text(stdscr, y, lw, t->cols - lw, right, tui_attr(TUI_C_STATUS),
		              TUI_TEXT_PAD | TUI_TEXT_RIGHT);
}

void tui_draw(struct tui *t, unsigned flags)
{
	if (!flags || t->depth <= 0)
		return;
	struct tui_view *v = t->views[t->depth - 1];
	struct tui_pane *p = &v->panes[v->focus];
	if (flags & TUI_REDRAW_ALL) {
		werase(stdscr);
		flags |= TUI_REDRAW_VIEW;
	}
	if (flags & TUI_REDRAW_VIEW) {
		draw_title(t, v);
		for (int i = 0; i < v->npanes; i++) {
			draw_pane_header(t, v, &v->panes[i]);
			draw_pane_body(t, v, &v->panes[i]);
		}
	} else if ((flags & TUI_REDRAW_PANE) || !p->drawn || p->drawn_top != p->top) {
		draw_title(t, v);
		draw_pane_body(t, v, p);
	} else if (flags & TUI_REDRAW_CURSOR) {
		// Only the rows that changed: the old cursor row and the new one.
		int64_t old = p->drawn_cur;
		p->drawn_cur = p->cur;
		draw_row(t, v, p, old);
		draw_row(t, v, p, p->cur);
	}
	curs_set(t->prompt ? 1 : 0);
	draw_status(t);
	wnoutrefresh(stdscr);
	doupdate();
}
