/*
 * One goroutine's stack: depth, function (inlined frames dimmed), file:line. Enter opens the
 * frame's source (view_source.c).
 */
#include <stdlib.h>

#include "tui/tui.h"

/* One stack: depth, function (inlined marked), file:line (+ path, line, flags). */
static const struct tui_sort frame_sorts[] = {{"depth", GPM_TUI_ORDER_NONE, "", ""}};
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
	return tui_db_int(&t->db, gpm_tui_sql(GPM_TUI_FRAMES_COUNT), b, 1, 0, n);
}

static struct gpm_error *frames_fetch(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                      int64_t off, int64_t limit, struct gpm_store_table *out)
{
	(void)p;
	struct tui_bind b[3] = {TUI_INT(v->stack), TUI_INT(limit), TUI_INT(off)};
	return tui_db_query(&t->db, gpm_tui_sql(GPM_TUI_FRAMES_PAGE), b, 3, -1, out);
}

static enum tui_color frame_color(const struct gpm_store_table *page, size_t row)
{
	const char *flags = gpm_store_cell(page, row, 5);
	return flags && (atoi(flags) & 1) ? TUI_C_DIM : TUI_C_NORMAL;
}

static const struct tui_pane_ops frames_ops = {
    frame_cols, 3,    frame_sorts, 1, frames_count, frames_fetch, frame_color,
    false,      NULL, NULL,        0, NULL};

static struct gpm_error *stack_enter(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                     struct tui_view **out)
{
	const char *path = tui_pane_cell(p, p->cur, 3), *line = tui_pane_cell(p, p->cur, 4);
	const char *fn = tui_pane_cell(p, p->cur, 6);
	return tui_view_source(t, v->incident, path ? path : "", line ? strtoll(line, NULL, 10) : 0,
	                       fn ? fn : "?", out);
}

const struct tui_view_ops tui_stack_view = {.name = "stack", .enter = stack_enter};

struct gpm_error *tui_view_stack(struct tui *t, const char *title, int64_t incident, int64_t stack,
                                 int64_t goid, struct tui_view **out)
{
	struct tui_view *v = tui_view_create(TUI_VIEW_STACK, title);
	if (!v)
		return &gpm_error_nomem;
	v->incident = incident;
	v->stack = stack;
	v->goid = goid;
	v->panes[0].ops = &frames_ops;
	return tui_view_finish(t, v, out);
}
