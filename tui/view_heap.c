/*
 * An incident's heap from a core: its types by bytes (the heap_types the ingest stored).
 */
#include <stdio.h>

#include "tui/tui.h"

/* Heap: type, objects, bytes (once the heap tables are filled). */
static const struct tui_sort heap_sorts[] = {{"bytes", GPM_TUI_ORDER_NONE, "", ""}};
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
	return tui_db_int(&t->db, gpm_tui_sql(GPM_TUI_HEAP_COUNT), b, 1, 0, n);
}

static struct gpm_error *heap_fetch(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                    int64_t off, int64_t limit, struct gpm_store_table *out)
{
	(void)p;
	struct tui_bind b[3] = {TUI_INT(v->incident), TUI_INT(limit), TUI_INT(off)};
	return tui_db_query(&t->db, gpm_tui_sql(GPM_TUI_HEAP_PAGE), b, 3, -1, out);
}

static const struct tui_pane_ops heap_ops = {
    heap_cols, 3, heap_sorts, 1, heap_count, heap_fetch, NULL, false, NULL, NULL, 0};

struct gpm_error *tui_view_heap(struct tui *t, int64_t id, struct tui_view **out)
{
	char title[64];
	snprintf(title, sizeof(title), "Heap of incident %lld: top types by bytes", (long long)id);
	struct tui_view *v = tui_view_create(TUI_VIEW_TEXT, title);
	if (!v)
		return &gpm_error_nomem;
	struct gpm_error *err = NULL;
	v->incident = id;
	int64_t n = 0;
	struct tui_bind b[1] = {TUI_INT(id)};
	err = tui_db_int(&t->db, gpm_tui_sql(GPM_TUI_HEAP_COUNT), b, 1, 0, &n);
	if (!err && n > 0)
		v->panes[0].ops = &heap_ops;
	else if (!err)
		err = tui_pane_line(&v->panes[0], "no heap data for this incident", TUI_C_DIM, 0);
	if (err) {
		tui_view_destroy(v);
		return err;
	}
	return tui_view_finish(t, v, out);
}
