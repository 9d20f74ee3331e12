/*
 * The incidents list: time, executable, Go version, headline and cluster of each stored
 * incident, newest first, with the selected incident's preview beside or below it; Enter
 * opens the incident. Also the incidents of one cluster (Enter on a cluster).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/tui.h"

/* Incidents: time, executable, Go version, headline, cluster (+ id). */
static const struct tui_col incident_cols[] = {
    {"time", 16, 0, 0},
    {"executable", 12, 0, 2},
    {"go", 9, 0, 1},
    {"headline", 20, TUI_COL_FLEX, 0},
    {"cluster", 7, TUI_COL_RIGHT, 3},
};
static const struct tui_sort incident_sorts[] = {
    {"time", GPM_TUI_ORDER_INCIDENTS_TIME, "↓", "↑"},
    {"executable", GPM_TUI_ORDER_INCIDENTS_EXE, "↑", "↓"},
    {"go", GPM_TUI_ORDER_INCIDENTS_GO, "↓", "↑"},
    {"headline", GPM_TUI_ORDER_INCIDENTS_HEADLINE, "↑", "↓"},
    {"cluster", GPM_TUI_ORDER_INCIDENTS_CLUSTER, "↑", "↓"},
    {"goroutines", GPM_TUI_ORDER_INCIDENTS_GOROUTINES, "↓", "↑"},
};

static struct gpm_error *incidents_count(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                         int64_t *n)
{
	struct tui_bind b[8];
	tui_query_binds(b, &v->q, p->filter);
	return tui_db_int(&t->db, gpm_tui_sql(GPM_TUI_INCIDENTS_COUNT), b, 8, 0, n);
}

// The shown cells, the id, and the time the natural order's keys are made of.
enum { INCIDENTS_ID = 5, INCIDENTS_TIME = 6 };

static struct gpm_error *incidents_fetch(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                         int64_t off, int64_t limit, struct gpm_store_table *out)
{
	struct tui_bind b[10];
	tui_query_binds(b, &v->q, p->filter);
	return tui_sorted_page(t, p, gpm_tui_sql(GPM_TUI_INCIDENTS_PAGE), b, 8, off, limit, out);
}

// Keyset: the page from incident key (the natural order's time and id) on.
static struct gpm_error *incidents_fetch_key(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                             int64_t key, int64_t skip, int64_t limit,
                                             struct gpm_store_table *out)
{
	struct tui_bind b[11];
	tui_query_binds(b, &v->q, p->filter);
	b[8] = TUI_INT(key);
	b[9] = TUI_INT(limit);
	b[10] = TUI_INT(skip);
	return tui_db_query(&t->db,
	                    gpm_tui_sql(p->reverse ? GPM_TUI_INCIDENTS_PAGE_KEY_REVERSE
	                                           : GPM_TUI_INCIDENTS_PAGE_KEY),
	                    b, 11, -1, out);
}

// Keyset paging of every sort: the page from the row of cells anchor on.
static struct gpm_error *incidents_fetch_sorted(struct tui *t, struct tui_view *v,
                                                struct tui_pane *p, const char *const *anchor,
                                                bool back, int64_t skip, int64_t limit,
                                                struct gpm_store_table *out)
{
	struct tui_bind b[8 + GPM_TUI_MAX_KEYS + 2];
	tui_query_binds(b, &v->q, p->filter);
	return tui_keyset_page(t, p, gpm_tui_sql(GPM_TUI_INCIDENTS_PAGE), b, 8, anchor, back, skip,
	                       limit, out);
}

/*
 * Search in the natural order (time, id) by keys, not row numbers: the first matching row
 * past the cursor's key in the direction of the search (then from the other end up to the
 * cursor itself), read from schema 6's index with each row's shown text (list_text, cells
 * joined by char(31), lowered), and its row number counted over the same index. The cluster
 * cell matches through the set of incidents whose cluster id contains the text (digits).
 * ?9 time and ?10 id of the cursor, ?11 the lowered text, ?12 the text when all digits.
 */

static struct gpm_error *incidents_find_key(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                            const char *text, int dir, int64_t *row)
{
	*row = -1;
	struct gpm_error *err = tui_pane_ensure(t, v, p, p->cur, 1);
	if (err)
		return err;
	const char *ct = tui_pane_cell(p, p->cur, INCIDENTS_TIME);
	const char *cid = tui_pane_cell(p, p->cur, INCIDENTS_ID);
	char *lower = strdup(text);
	if (!ct || !cid || !lower) {
		free(lower);
		return ct && cid ? &gpm_error_nomem : NULL;
	}
	bool digits = *text != 0;
	for (char *c = lower; *c; c++) {
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
		digits = digits && *c >= '0' && *c <= '9';
	}
	struct tui_bind b[12];
	tui_query_binds(b, &v->q, p->filter);
	b[8] = TUI_INT(strtoll(ct, NULL, 10));
	b[9] = TUI_INT(strtoll(cid, NULL, 10));
	b[10] = TUI_TEXT(lower);
	b[11] = digits ? TUI_TEXT(lower) : TUI_NULL;
	// Down the list is towards smaller keys in the natural order (newest first).
	bool smaller = (dir > 0) != p->reverse;
	struct gpm_store_table k;
	err = tui_db_query(
	    &t->db,
	    gpm_tui_sql(smaller ? GPM_TUI_INCIDENTS_FIND_SMALLER : GPM_TUI_INCIDENTS_FIND_LARGER),
	    b, 12, 1, &k);
	if (!err && !k.nrows) {
		gpm_store_table_deinit(&k);
		err = tui_db_query(&t->db,
		                   gpm_tui_sql(smaller ? GPM_TUI_INCIDENTS_FIND_SMALLER_WRAP
		                                       : GPM_TUI_INCIDENTS_FIND_LARGER_WRAP),
		                   b, 12, 1, &k);
	}
	free(lower);
	if (err || !k.nrows) {
		if (!err)
			gpm_store_table_deinit(&k);
		return err;
	}
	// Its row number: the rows before it in the list's order.
	int64_t id = strtoll(gpm_store_cell(&k, 0, 1), NULL, 10);
	b[8] = TUI_INT(strtoll(gpm_store_cell(&k, 0, 0), NULL, 10));
	b[9] = TUI_INT(id);
	gpm_store_table_deinit(&k);
	err = tui_db_int(
	    &t->db,
	    gpm_tui_sql(p->reverse ? GPM_TUI_INCIDENTS_ROWS_BELOW : GPM_TUI_INCIDENTS_ROWS_ABOVE),
	    b, 10, -1, row);
	// The page around the hit is read from its key (keyset), not by its row number.
	if (!err && *row >= 0) {
		p->anchored = true;
		p->anchor_row = *row;
		p->anchor_key = id;
	}
	return err;
}

static struct gpm_error *incidents_find(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                        const char *text, int dir, int64_t *row)
{
	if (p->sort == 0)
		return incidents_find_key(t, v, p, text, dir, row);
	struct tui_bind b[11];
	tui_query_binds(b, &v->q, p->filter);
	return tui_sorted_find(t, p, gpm_tui_sql(GPM_TUI_INCIDENTS_CELLS), 5, b, 8, text, dir, row);
}

static const struct tui_pane_ops incidents_ops = {
    .cols = incident_cols,
    .ncols = 5,
    .sorts = incident_sorts,
    .nsorts = 6,
    .count = incidents_count,
    .fetch = incidents_fetch,
    .tail = true,
    .find = incidents_find,
    .fetch_key = incidents_fetch_key,
    .key_col = INCIDENTS_ID,
    .fetch_sorted = incidents_fetch_sorted,
};

static struct gpm_error *incidents_incident(struct tui *t, struct tui_view *v, int64_t *out)
{
	return tui_view_list_id(t, v, INCIDENTS_ID, out);
}

static struct gpm_error *incidents_cluster(struct tui *t, struct tui_view *v, int64_t *out)
{
	(void)t;
	*out = v->q.cluster;
	return NULL;
}

static struct gpm_error *incidents_enter(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                         struct tui_view **out)
{
	(void)v;
	const char *id = tui_pane_cell(p, p->cur, INCIDENTS_ID);
	return id ? tui_view_incident(t, strtoll(id, NULL, 10), out) : NULL;
}

static struct gpm_error *incidents_preview(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                           int width)
{
	int64_t id;
	struct gpm_error *err = incidents_incident(t, v, &id);
	return err || !id ? err : tui_preview_incident(t, p, id, width);
}

const struct tui_view_ops tui_incidents_view = {
    .name = "incidents",
    .counted = true,
    .enter = incidents_enter,
    .incident = incidents_incident,
    .cluster = incidents_cluster,
    .preview = incidents_preview,
};

struct gpm_error *tui_view_incidents(struct tui *t, const struct tui_query *q,
                                     struct tui_view **out)
{
	char title[160] = "Incidents";
	if (q && q->cluster)
		snprintf(title, sizeof(title), "Incidents of cluster %lld", (long long)q->cluster);
	struct tui_view *v = tui_view_create(TUI_VIEW_INCIDENTS, title);
	if (!v)
		return &gpm_error_nomem;
	v->panes[0].ops = &incidents_ops;
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
