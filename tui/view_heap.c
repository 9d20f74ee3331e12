/*
 * An incident's heap from a core, as the archive keeps it (gopm analyze or gopm heap
 * --store): its types by bytes, by retained size or by objects (s), and below them (beside
 * them at >= TUI_WIDE columns) the selected type's preview: its sizes, why it is alive (the
 * shortest reference path from a root that gopm heap printed, heap_paths) and the top
 * retainers of the heap (report_holders). Tab focuses the preview, Enter maximises it.
 * R lists the top retainers as a view of their own: what holds the bytes, with the
 * selected one's path from a root as its preview.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "tui/tui.h"

/* Types: type, objects, bytes, retained (+ the bytes and retained sizes as numbers). */
static const struct tui_col heap_cols[] = {
    {"type", 24, TUI_COL_FLEX, 0},
    {"objects", 10, TUI_COL_RIGHT, 2},
    {"bytes", 11, TUI_COL_RIGHT, 0},
    {"retained", 11, TUI_COL_RIGHT, 1},
};
static const struct tui_sort heap_sorts[] = {
    {"bytes", GPM_TUI_ORDER_HEAP_BYTES, "↓", "↑"},
    {"retained", GPM_TUI_ORDER_HEAP_RETAINED, "↓", "↑"},
    {"objects", GPM_TUI_ORDER_HEAP_OBJECTS, "↓", "↑"},
};

enum { HEAP_TYPE = 0, HEAP_PATH_MAX = 64 };

static struct gpm_error *heap_count(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                    int64_t *n)
{
	struct tui_bind b[2] = {TUI_INT(v->incident), TUI_TEXT(p->filter)};
	return tui_db_int(&t->db, gpm_tui_sql(GPM_TUI_HEAP_COUNT), b, 2, 0, n);
}

static struct gpm_error *heap_fetch(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                    int64_t off, int64_t limit, struct gpm_store_table *out)
{
	struct tui_bind b[4] = {TUI_INT(v->incident), TUI_TEXT(p->filter)};
	return tui_sorted_page(t, p, gpm_tui_sql(GPM_TUI_HEAP_PAGE), b, 2, off, limit, out);
}

// Keyset paging of every sort: the page from the row of cells anchor on.
static struct gpm_error *heap_fetch_sorted(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                           const char *const *anchor, bool back, int64_t skip,
                                           int64_t limit, struct gpm_store_table *out)
{
	struct tui_bind b[2 + GPM_TUI_MAX_KEYS + 2] = {TUI_INT(v->incident), TUI_TEXT(p->filter)};
	return tui_keyset_page(t, p, gpm_tui_sql(GPM_TUI_HEAP_PAGE), b, 2, anchor, back, skip,
	                       limit, out);
}

static const struct tui_pane_ops heap_ops = {
    .cols = heap_cols,
    .ncols = 4,
    .sorts = heap_sorts,
    .nsorts = 3,
    .count = heap_count,
    .fetch = heap_fetch,
    .fetch_sorted = heap_fetch_sorted,
};

// "1.2 MiB" as gopm heap says sizes.
static void human(char *buf, size_t size, const char *bytes)
{
	if (!bytes) {
		snprintf(buf, size, "-");
		return;
	}
	double b = strtod(bytes, NULL);
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	int u = 0;
	while (b >= 1024 && u < 4) {
		b /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%s B", bytes);
	else
		snprintf(buf, size, "%.1f %s", b, units[u]);
}

// Lines of text (one per '\n') pushed under indent.
static struct gpm_error *push_lines(struct tui_pane *p, const char *indent, const char *text,
                                    int width, enum tui_color c)
{
	struct gpm_error *err = NULL;
	size_t n = 0;
	while (text && *text && !err && n++ < HEAP_PATH_MAX) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		char *line = strndup(text, len);
		if (!line)
			return &gpm_error_nomem;
		err = tui_pane_push(p, indent, line, width, c);
		free(line);
		text = nl ? nl + 1 : text + len;
	}
	return err;
}

static struct gpm_error *heap_preview(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                      int width)
{
	struct tui_pane *list = &v->panes[0];
	struct gpm_error *err = tui_pane_ensure(t, v, list, list->cur, 1);
	const char *type = err ? NULL : tui_pane_cell(list, list->cur, HEAP_TYPE);
	if (err || !type)
		return err;
	char bytes[32], retained[32];
	human(bytes, sizeof(bytes), tui_pane_cell(list, list->cur, 4));
	human(retained, sizeof(retained), tui_pane_cell(list, list->cur, 5));
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	gpm_strbuf_printf(&sb, "%s objects · %s", tui_pane_cell(list, list->cur, 1), bytes);
	if (tui_pane_cell(list, list->cur, 5))
		gpm_strbuf_printf(&sb, " · retains %s", retained);
	if (!(err = gpm_strbuf_error(&sb)))
		err = tui_pane_push(p, "", type, width, TUI_C_BOLD);
	if (!err)
		err = tui_pane_push(p, "", gpm_strbuf_str(&sb), width, TUI_C_DIM);
	gpm_strbuf_deinit(&sb);
	// Why it is alive: the path gopm heap worked out for it, when it was one of the top.
	struct tui_bind b[2] = {TUI_INT(v->incident), TUI_TEXT(type)};
	struct gpm_store_table path;
	if (!err &&
	    !(err = tui_db_query(&t->db, gpm_tui_sql(GPM_TUI_HEAP_TYPE_PATH), b, 2, 1, &path))) {
		if (path.nrows) {
			err = tui_pane_push(p, "",
			                    "why it is alive (shortest path from a root):", width,
			                    TUI_C_HEADER);
			if (!err)
				err = push_lines(p, "  ", gpm_store_cell(&path, 0, 0), width,
				                 TUI_C_NORMAL);
		} else {
			err = tui_pane_push(
			    p, "",
			    "no path from a root stored for this type (paths are worked "
			    "out for the top types by bytes, with retention)",
			    width, TUI_C_DIM);
		}
		gpm_store_table_deinit(&path);
	}
	// What retains most of the heap, and why a shared object is alive.
	struct gpm_store_table h;
	if (!err &&
	    !(err = tui_db_query(&t->db, gpm_tui_sql(GPM_TUI_HEAP_HOLDERS), b, 1, -1, &h))) {
		if (h.nrows)
			err =
			    tui_pane_push(p, "", "top retainers of the heap:", width, TUI_C_HEADER);
		for (size_t r = 0; r < h.nrows && !err; r++) {
			human(bytes, sizeof(bytes), gpm_store_cell(&h, r, 2));
			gpm_strbuf_printf(&sb, "%s  %s objects  %s", bytes,
			                  gpm_store_cell(&h, r, 1), gpm_store_cell(&h, r, 0));
			if (!(err = gpm_strbuf_error(&sb)))
				err = tui_pane_push(p, "  ", gpm_strbuf_str(&sb), width,
				                    TUI_C_NORMAL);
			gpm_strbuf_deinit(&sb);
			if (!err && gpm_store_cell(&h, r, 3))
				err = push_lines(p, "    ", gpm_store_cell(&h, r, 3), width,
				                 TUI_C_DIM);
		}
		gpm_store_table_deinit(&h);
	}
	return err;
}

const struct tui_view_ops tui_heap_view = {
    .name = "heap",
    .counted = true,
    .preview = heap_preview,
};

struct gpm_error *tui_view_heap(struct tui *t, int64_t id, struct tui_view **out)
{
	char title[64];
	snprintf(title, sizeof(title), "Heap of incident %lld", (long long)id);
	int64_t n = 0;
	struct tui_bind b[2] = {TUI_INT(id), TUI_NULL};
	struct gpm_error *err = tui_db_int(&t->db, gpm_tui_sql(GPM_TUI_HEAP_COUNT), b, 2, 0, &n);
	if (err)
		return err;
	struct tui_view *v = tui_view_create(n > 0 ? TUI_VIEW_HEAP : TUI_VIEW_TEXT, title);
	if (!v)
		return &gpm_error_nomem;
	v->incident = id;
	if (n > 0) {
		v->panes[0].ops = &heap_ops;
		v->npanes = 2;
		v->preview_of = -1;
		if (!(v->panes[1].title = strdup("Type  (Tab: focus, Enter: maximise)")))
			err = &gpm_error_nomem;
	} else {
		err = tui_pane_line(&v->panes[0], "no heap data for this incident", TUI_C_DIM, 0);
	}
	if (err) {
		tui_view_destroy(v);
		return err;
	}
	return tui_view_finish(t, v, out);
}

/* ---- the top retainers as a list ---- */

/* What retains, objects, retained (+ the path, retained bytes). */
static const struct tui_sort holder_sorts[] = {{"retained", GPM_TUI_ORDER_NONE, "", ""}};
static const struct tui_col holder_cols[] = {
    {"retainer", 30, TUI_COL_FLEX, 0},
    {"objects", 10, TUI_COL_RIGHT, 2},
    {"retained", 11, TUI_COL_RIGHT, 1},
};
enum { HOLDER_WHAT = 0, HOLDER_PATH = 3 };

static struct gpm_error *holders_count(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                       int64_t *n)
{
	(void)p;
	struct tui_bind b[1] = {TUI_INT(v->incident)};
	return tui_db_int(&t->db, gpm_tui_sql(GPM_TUI_HOLDERS_COUNT), b, 1, 0, n);
}

static struct gpm_error *holders_fetch(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                       int64_t off, int64_t limit, struct gpm_store_table *out)
{
	(void)p;
	struct tui_bind b[3] = {TUI_INT(v->incident), TUI_INT(limit), TUI_INT(off)};
	return tui_db_query(&t->db, gpm_tui_sql(GPM_TUI_HOLDERS_PAGE), b, 3, -1, out);
}

static const struct tui_pane_ops holder_ops = {
    .cols = holder_cols,
    .ncols = 3,
    .sorts = holder_sorts,
    .nsorts = 1,
    .count = holders_count,
    .fetch = holders_fetch,
};

// The selected retainer: its sizes and its path from a root, as gopm heap printed it.
static struct gpm_error *holder_preview(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                        int width)
{
	struct tui_pane *list = &v->panes[0];
	struct gpm_error *err = tui_pane_ensure(t, v, list, list->cur, 1);
	const char *what = err ? NULL : tui_pane_cell(list, list->cur, HOLDER_WHAT);
	if (err || !what)
		return err;
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	gpm_strbuf_printf(&sb, "retains %s in %s objects", tui_pane_cell(list, list->cur, 2),
	                  tui_pane_cell(list, list->cur, 1));
	if (!(err = gpm_strbuf_error(&sb)))
		err = tui_pane_push(p, "", what, width, TUI_C_BOLD);
	if (!err)
		err = tui_pane_push(p, "", gpm_strbuf_str(&sb), width, TUI_C_DIM);
	gpm_strbuf_deinit(&sb);
	const char *path = tui_pane_cell(list, list->cur, HOLDER_PATH);
	if (!err && path && *path) {
		err = tui_pane_push(p, "", "why it is alive (shortest path from a root):", width,
		                    TUI_C_HEADER);
		if (!err)
			err = push_lines(p, "  ", path, width, TUI_C_NORMAL);
	} else if (!err) {
		err = tui_pane_push(p, "", "no path from a root stored for this retainer", width,
		                    TUI_C_DIM);
	}
	return err;
}

const struct tui_view_ops tui_retainers_view = {
    .name = "retainers",
    .counted = true,
    .preview = holder_preview,
};

struct gpm_error *tui_view_retainers(struct tui *t, int64_t id, struct tui_view **out)
{
	char title[64];
	snprintf(title, sizeof(title), "Retainers of incident %lld", (long long)id);
	int64_t n = 0;
	struct tui_bind b[1] = {TUI_INT(id)};
	struct gpm_error *err = tui_db_int(&t->db, gpm_tui_sql(GPM_TUI_HOLDERS_COUNT), b, 1, 0, &n);
	if (err)
		return err;
	struct tui_view *v = tui_view_create(n > 0 ? TUI_VIEW_RETAINERS : TUI_VIEW_TEXT, title);
	if (!v)
		return &gpm_error_nomem;
	v->incident = id;
	if (n > 0) {
		v->panes[0].ops = &holder_ops;
		v->npanes = 2;
		v->preview_of = -1;
		if (!(v->panes[1].title = strdup("Retainer  (Tab: focus, Enter: maximise)")))
			err = &gpm_error_nomem;
	} else {
		err = tui_pane_line(
		    &v->panes[0],
		    "no retainers stored for this incident (worked out with retention)", TUI_C_DIM,
		    0);
	}
	if (err) {
		tui_view_destroy(v);
		return err;
	}
	return tui_view_finish(t, v, out);
}
