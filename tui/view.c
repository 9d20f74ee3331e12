/*
 * What every view shares: the table of view ops by kind, creating and destroying a view,
 * the dispatch of Enter and of "the incident / cluster at hand" to the view's ops, and the
 * helpers of list panes (binds of the list filters, a page in the pane's sort, search as one
 * query: their SQL is the store's, store/tui_queries.h). The views themselves are
 * view_NAME.c; the list engine is list.c, drawing and layout draw.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/values.h"
#include "store/signature.h"
#include "tui/tui.h"

static char *xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

void tui_query_binds(struct tui_bind *b, const struct tui_query *q, const char *filter)
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

// A page in the pane's sort (the statement written by the store).
struct gpm_error *tui_sorted_page(struct tui *t, struct tui_pane *p, const char *select,
                                  struct tui_bind *b, size_t nb, int64_t off, int64_t limit,
                                  struct gpm_store_table *out)
{
	char sql[4096];
	if (!gpm_tui_sql_page(sql, sizeof(sql), select, p->ops->sorts[p->sort].order, p->reverse,
	                      nb))
		return gpm_error_create(GPM_ERR_LIMIT, "query too long");
	b[nb] = TUI_INT(limit);
	b[nb + 1] = TUI_INT(off);
	return tui_db_query(&t->db, sql, b, nb + 2, -1, out);
}

struct gpm_error *tui_keyset_page(struct tui *t, struct tui_pane *p, const char *select,
                                  struct tui_bind *b, size_t nb, const char *const *anchor,
                                  bool back, int64_t skip, int64_t limit,
                                  struct gpm_store_table *out)
{
	char sql[16384];
	enum gpm_tui_order o = p->ops->sorts[p->sort].order;
	size_t n;
	const struct gpm_tui_key *k = gpm_tui_order_keys(o, p->reverse, &n);
	if (!k || !gpm_tui_sql_keyset(sql, sizeof(sql), select, o, p->reverse, back, anchor, nb))
		return gpm_error_create(GPM_ERR_LIMIT, "no keyset query for this sort");
	for (size_t i = 0; i < n; i++) {
		const char *c = anchor ? anchor[k[i].col] : NULL;
		b[nb + i] = !c             ? TUI_NULL
		            : k[i].integer ? TUI_INT(strtoll(c, NULL, 10))
		                           : TUI_TEXT(c);
	}
	b[nb + n] = TUI_INT(limit);
	b[nb + n + 1] = TUI_INT(skip);
	return tui_db_query(&t->db, sql, b, nb + n + 2, -1, out);
}

// Search in SQL (tui_pane_ops.find): the first match after the cursor, wrapping, as one
// statement over the same order as the pane's pages.
struct gpm_error *tui_sorted_find(struct tui *t, struct tui_pane *p, const char *cells,
                                  size_t ncells, struct tui_bind *b, size_t nb, const char *text,
                                  int dir, int64_t *row)
{
	char sql[8192];
	if (!gpm_tui_sql_find(sql, sizeof(sql), cells, ncells, p->ops->sorts[p->sort].order,
	                      p->reverse, nb, dir))
		return gpm_error_create(GPM_ERR_LIMIT, "query too long");
	b[nb] = TUI_TEXT(text);
	b[nb + 1] = TUI_INT(p->cur);
	b[nb + 2] = TUI_INT(p->n);
	return tui_db_int(&t->db, sql, b, nb + 3, -1, row);
}

/* Text panes: lines in memory. */
static const struct tui_col text_cols[] = {{"", 10, TUI_COL_FLEX, 0}};
static const struct tui_sort text_sorts[] = {{"line", GPM_TUI_ORDER_NONE, "", ""}};
const struct tui_pane_ops tui_text_ops = {
    .cols = text_cols, .ncols = 1, .sorts = text_sorts, .nsorts = 1};

static const struct tui_view_ops *const view_ops[TUI_VIEW__COUNT] = {
    [TUI_VIEW_INCIDENTS] = &tui_incidents_view,
    [TUI_VIEW_CLUSTERS] = &tui_clusters_view,
    [TUI_VIEW_SEARCH] = &tui_search_view,
    [TUI_VIEW_INCIDENT] = &tui_incident_view,
    [TUI_VIEW_GOROUTINES] = &tui_goroutines_view,
    [TUI_VIEW_STACK] = &tui_stack_view,
    [TUI_VIEW_SOURCE] = &tui_source_view,
    [TUI_VIEW_TEXT] = &tui_text_view,
    [TUI_VIEW_HEAP] = &tui_heap_view,
    [TUI_VIEW_VALUE] = &tui_value_view,
    [TUI_VIEW_RETAINERS] = &tui_retainers_view,
};

const char *tui_view_name(enum tui_view_kind kind)
{
	return kind < TUI_VIEW__COUNT ? view_ops[kind]->name : "?";
}

struct tui_view *tui_view_create(enum tui_view_kind kind, const char *title)
{
	struct tui_view *v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->kind = kind;
	v->ops = view_ops[kind];
	v->name = v->ops->name;
	v->incident = v->stack = v->finding = v->group = -1;
	v->npanes = 1;
	v->panes[0].ops = &tui_text_ops;
	v->panes[1].ops = &tui_text_ops;
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
		tui_pane_clear(&v->panes[i]);
		gpm_store_table_deinit(&v->panes[i].page);
		free(v->panes[i].filter);
		free(v->panes[i].title);
	}
	for (size_t i = 0; v->evidence && i < v->findings.nrows; i++)
		gpm_store_table_deinit(&v->evidence[i]);
	free(v->evidence);
	if (v->values) {
		gpm_values_list_deinit(v->values);
		free(v->values);
	}
	gpm_store_table_deinit(&v->info);
	gpm_store_table_deinit(&v->findings);
	tui_query_deinit(&v->q);
	free(v->text);
	free(v->title);
	free(v);
}

struct gpm_error *tui_view_finish(struct tui *t, struct tui_view *v, struct tui_view **out)
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

struct gpm_error *tui_query_copy(struct tui_query *dst, const struct tui_query *src)
{
	*dst = (struct tui_query){src->since,        src->until,       src->cluster,
	                          xstrdup(src->exe), xstrdup(src->go), xstrdup(src->finding)};
	if ((src->exe && !dst->exe) || (src->go && !dst->go) || (src->finding && !dst->finding))
		return &gpm_error_nomem;
	return NULL;
}

struct gpm_error *tui_view_list_id(struct tui *t, struct tui_view *v, size_t col, int64_t *out)
{
	*out = 0;
	struct tui_pane *p = &v->panes[0];
	if (p->n <= 0)
		return NULL;
	struct gpm_error *err = tui_pane_ensure(t, v, p, p->cur, 1);
	if (err)
		return err;
	const char *id = tui_pane_cell(p, p->cur, col);
	*out = id ? strtoll(id, NULL, 10) : 0;
	return NULL;
}

struct gpm_error *tui_view_cluster(struct tui *t, struct tui_view *v, int64_t *out)
{
	*out = 0;
	return v->ops->cluster ? v->ops->cluster(t, v, out) : NULL;
}

struct gpm_error *tui_view_row_id(struct tui *t, struct tui_view *v, int64_t *out)
{
	*out = 0;
	return v->ops->incident ? v->ops->incident(t, v, out) : NULL;
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
	if (p->n <= 0 || !v->ops->enter)
		return NULL;
	struct gpm_error *err = tui_pane_ensure(t, v, p, p->cur, 1);
	return err ? err : v->ops->enter(t, v, p, out);
}
