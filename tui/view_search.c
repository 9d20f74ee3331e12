/*
 * Search results: the incidents whose message, findings or functions match a phrase (the
 * archive's FTS5 index, as `gopm search`), best first; Enter opens one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "tui/tui.h"

/* Search results (FTS5 phrase, as gopm search): time, go, match, headline (+ id). */
static const struct tui_col search_cols[] = {
    {"time", 16, 0, 0},
    {"go", 9, 0, 1},
    {"match", 16, TUI_COL_FLEX, 0},
    {"headline", 16, TUI_COL_FLEX, 0},
};
static const struct tui_sort search_sorts[] = {{"rank", GPM_TUI_ORDER_SEARCH_RANK, "", ""}};

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

static struct gpm_error *search_count(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                      int64_t *n)
{
	(void)p;
	char *q = fts_phrase(v->text);
	if (!q)
		return &gpm_error_nomem;
	struct tui_bind b[1] = {TUI_TEXT(q)};
	struct gpm_error *err = tui_db_int(&t->db, gpm_tui_sql(GPM_TUI_SEARCH_COUNT), b, 1, 0, n);
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
	struct gpm_error *err =
	    tui_sorted_page(t, p, gpm_tui_sql(GPM_TUI_SEARCH_PAGE), b, 1, off, limit, out);
	free(q);
	return err;
}

static const struct tui_pane_ops search_ops = {
    search_cols, 4, search_sorts, 1, search_count, search_fetch, NULL, false, NULL, NULL, 0, NULL};

enum { SEARCH_ID = 4 };

static struct gpm_error *search_incident(struct tui *t, struct tui_view *v, int64_t *out)
{
	return tui_view_list_id(t, v, SEARCH_ID, out);
}

static struct gpm_error *search_enter(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                      struct tui_view **out)
{
	(void)v;
	const char *id = tui_pane_cell(p, p->cur, SEARCH_ID);
	return id ? tui_view_incident(t, strtoll(id, NULL, 10), out) : NULL;
}

const struct tui_view_ops tui_search_view = {
    .name = "search",
    .counted = true,
    .enter = search_enter,
    .incident = search_incident,
};

struct gpm_error *tui_view_search(struct tui *t, const char *text, struct tui_view **out)
{
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	gpm_strbuf_printf(&sb, "Search \"%s\"", text);
	struct tui_view *v =
	    gpm_strbuf_error(&sb) ? NULL : tui_view_create(TUI_VIEW_SEARCH, gpm_strbuf_str(&sb));
	gpm_strbuf_deinit(&sb);
	if (!v || !(v->text = strdup(text))) {
		tui_view_destroy(v);
		return &gpm_error_nomem;
	}
	v->panes[0].ops = &search_ops;
	return tui_view_finish(t, v, out);
}
