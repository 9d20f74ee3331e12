/*
 * The clusters list: one row per cluster of incidents (status, count, first and last seen,
 * builds, the newest incident's headline and top frame), with the selected cluster's
 * preview (workflow summary, sparkline, representative stack, history). Enter lists the
 * cluster's incidents; the workflow keys (tui.c) act on the selected cluster.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/workflow.h"
#include "tui/tui.h"

/* Without time, executable, Go or finding filters, the counts kept by schema 4's triggers
 * (cluster_stats, cluster_builds) stand for the aggregate: one row per cluster read. */
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
    {"count", GPM_TUI_ORDER_CLUSTERS_COUNT, "↓", "↑"},
    {"last seen", GPM_TUI_ORDER_CLUSTERS_LAST, "↓", "↑"},
    {"first seen", GPM_TUI_ORDER_CLUSTERS_FIRST, "↑", "↓"},
    {"builds", GPM_TUI_ORDER_CLUSTERS_BUILDS, "↓", "↑"},
    {"id", GPM_TUI_ORDER_CLUSTERS_ID, "↑", "↓"},
    {"status", GPM_TUI_ORDER_CLUSTERS_STATUS, "↑", "↓"},
};

static struct gpm_error *clusters_count(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                        int64_t *n)
{
	struct tui_bind b[8];
	tui_query_binds(b, &v->q, p->filter);
	if (clusters_fast(&v->q))
		return tui_db_int(&t->db, gpm_tui_sql(GPM_TUI_CLUSTERS_COUNT_FAST), b, 8, 0, n);
	return tui_db_int(&t->db, gpm_tui_sql(GPM_TUI_CLUSTERS_COUNT), b, 8, 0, n);
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
	tui_query_binds(b, &v->q, p->filter);
	// The headline and the first frame of user code of the newest incident's largest
	// group: what the bug is, not its hash.
	struct gpm_error *err = tui_sorted_page(
	    t, p,
	    gpm_tui_sql(clusters_fast(&v->q) ? GPM_TUI_CLUSTERS_PAGE_FAST : GPM_TUI_CLUSTERS_PAGE),
	    b, 8, off, limit, out);
	if (!err && (err = clusters_mark_regressed(t, out)))
		gpm_store_table_deinit(out);
	return err;
}

enum { CLUSTERS_ID = 8, CLUSTERS_KEY = 9 };

// Keyset: the page from the cluster whose key (count * 2^32 + id) is key on.
static struct gpm_error *clusters_fetch_key(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                            int64_t key, int64_t skip, int64_t limit,
                                            struct gpm_store_table *out)
{
	struct tui_bind b[12];
	tui_query_binds(b, &v->q, p->filter);
	b[8] = TUI_INT(key >> 32);
	b[9] = TUI_INT(key & 0xffffffff);
	b[10] = TUI_INT(limit);
	b[11] = TUI_INT(skip);
	bool fast = clusters_fast(&v->q);
	enum gpm_tui_query q =
	    p->reverse ? (fast ? GPM_TUI_CLUSTERS_PAGE_KEY_REVERSE_FAST
	                       : GPM_TUI_CLUSTERS_PAGE_KEY_REVERSE)
	               : (fast ? GPM_TUI_CLUSTERS_PAGE_KEY_FAST : GPM_TUI_CLUSTERS_PAGE_KEY);
	struct gpm_error *err = tui_db_query(&t->db, gpm_tui_sql(q), b, 12, -1, out);
	if (!err && (err = clusters_mark_regressed(t, out)))
		gpm_store_table_deinit(out);
	return err;
}

// Keyset paging of every sort: the page from the row of cells anchor on.
static struct gpm_error *clusters_fetch_sorted(struct tui *t, struct tui_view *v,
                                               struct tui_pane *p, const char *const *anchor,
                                               bool back, int64_t skip, int64_t limit,
                                               struct gpm_store_table *out)
{
	struct tui_bind b[8 + GPM_TUI_MAX_KEYS + 2];
	tui_query_binds(b, &v->q, p->filter);
	struct gpm_error *err = tui_keyset_page(
	    t, p,
	    gpm_tui_sql(clusters_fast(&v->q) ? GPM_TUI_CLUSTERS_PAGE_FAST : GPM_TUI_CLUSTERS_PAGE),
	    b, 8, anchor, back, skip, limit, out);
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

// The natural sort (count, then id) is total and reversed exactly: G reads from the end, a
// page in the middle from a known row's key.
static const struct tui_pane_ops clusters_ops = {
    .cols = cluster_cols,
    .ncols = 8,
    .sorts = cluster_sorts,
    .nsorts = 6,
    .count = clusters_count,
    .fetch = clusters_fetch,
    .color = cluster_color,
    .tail = true,
    .fetch_key = clusters_fetch_key,
    .key_col = CLUSTERS_KEY,
    .fetch_sorted = clusters_fetch_sorted,
};

static struct gpm_error *clusters_cluster(struct tui *t, struct tui_view *v, int64_t *out)
{
	return tui_view_list_id(t, v, CLUSTERS_ID, out);
}

static struct gpm_error *clusters_enter(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                        struct tui_view **out)
{
	const char *id = tui_pane_cell(p, p->cur, CLUSTERS_ID);
	if (!id)
		return NULL;
	struct tui_query q = v->q;
	q.cluster = strtoll(id, NULL, 10);
	return tui_view_incidents(t, &q, out);
}

static struct gpm_error *clusters_preview(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                          int width)
{
	int64_t id;
	struct gpm_error *err = clusters_cluster(t, v, &id);
	return err || !id ? err : tui_preview_cluster(t, p, id, width);
}

const struct tui_view_ops tui_clusters_view = {
    .name = "clusters",
    .counted = true,
    .enter = clusters_enter,
    .cluster = clusters_cluster,
    .preview = clusters_preview,
};

struct gpm_error *tui_view_clusters(struct tui *t, const struct tui_query *q, struct tui_view **out)
{
	struct tui_view *v = tui_view_create(TUI_VIEW_CLUSTERS, "Clusters");
	if (!v)
		return &gpm_error_nomem;
	v->panes[0].ops = &clusters_ops;
	v->npanes = 2;
	if (!(v->panes[1].title = strdup("Preview  (Tab: focus, Enter: maximise)"))) {
		tui_view_destroy(v);
		return &gpm_error_nomem;
	}
	v->preview_of = -1;
	if (q && tui_query_copy(&v->q, q)) {
		tui_view_destroy(v);
		return &gpm_error_nomem;
	}
	return tui_view_finish(t, v, out);
}
