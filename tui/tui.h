/*
 * gopm tui: the interactive triage program over the incident archive. Internal to tui/.
 *
 * Shape (tig and htop): views are ops tables (struct tui_view_ops, one view_NAME.c each);
 * each view has one or two panes, and a pane is a list whose rows come from SQL pages (a few
 * hundred rows cached; searched by keys where the order has them) or from a few in-memory
 * text lines. Key requests and their help come from keys.def. Key handlers
 * change state and return what must be redrawn (enum tui_redraw); only the main loop draws.
 * Every string from the archive goes to the screen through tui_draw_text, which replaces
 * control characters, so a dump can't inject terminal escapes.
 */
#ifndef GPM_TUI_TUI_H
#define GPM_TUI_TUI_H

#include <curses.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "store/store.h"
#include "store/tui_queries.h"

#define TUI_CTRL(c) ((c)&0x1f)

/* Views; a bit each so keys.def can say where a key applies. */
enum tui_view_kind {
	TUI_VIEW_INCIDENTS,
	TUI_VIEW_CLUSTERS,
	TUI_VIEW_SEARCH,
	TUI_VIEW_INCIDENT,
	TUI_VIEW_GOROUTINES,
	TUI_VIEW_STACK,
	TUI_VIEW_SOURCE,
	TUI_VIEW_TEXT, /* help, report */
	TUI_VIEW_HEAP,
	TUI_VIEW_VALUE,     /* a frame's variables, a panic value, an object: gopm print's values */
	TUI_VIEW_RETAINERS, /* what retains most of a core's heap, each with its path */
	TUI_VIEW__COUNT,
};
#define TUI_IN(k)  (1u << (k))
#define TUI_IN_ALL 0xffffu
#define TUI_IN_OPEN                                                                                \
	(TUI_IN(TUI_VIEW_INCIDENTS) | TUI_IN(TUI_VIEW_CLUSTERS) | TUI_IN(TUI_VIEW_SEARCH) |        \
	 TUI_IN(TUI_VIEW_INCIDENT) | TUI_IN(TUI_VIEW_GOROUTINES) | TUI_IN(TUI_VIEW_STACK) |        \
	 TUI_IN(TUI_VIEW_HEAP) | TUI_IN(TUI_VIEW_VALUE) | TUI_IN(TUI_VIEW_RETAINERS))
#define TUI_IN_PANES                                                                               \
	(TUI_IN(TUI_VIEW_INCIDENT) | TUI_IN(TUI_VIEW_INCIDENTS) | TUI_IN(TUI_VIEW_CLUSTERS) |      \
	 TUI_IN(TUI_VIEW_HEAP) | TUI_IN(TUI_VIEW_RETAINERS))
#define TUI_IN_INCIDENT TUI_IN(TUI_VIEW_INCIDENT)
#define TUI_IN_FILTER                                                                              \
	(TUI_IN(TUI_VIEW_INCIDENTS) | TUI_IN(TUI_VIEW_CLUSTERS) | TUI_IN(TUI_VIEW_INCIDENT) |      \
	 TUI_IN(TUI_VIEW_GOROUTINES) | TUI_IN(TUI_VIEW_HEAP))
#define TUI_IN_SORT (TUI_IN(TUI_VIEW_INCIDENTS) | TUI_IN(TUI_VIEW_CLUSTERS) | TUI_IN(TUI_VIEW_HEAP))
/* Where an incident is at hand for m and D: a list of incidents, search results, one open. */
#define TUI_IN_COMPARE                                                                             \
	(TUI_IN(TUI_VIEW_INCIDENTS) | TUI_IN(TUI_VIEW_SEARCH) | TUI_IN(TUI_VIEW_INCIDENT))
/* Where a value can be opened: a frame of a stack, an incident's panic value or finding. */
#define TUI_IN_VALUES (TUI_IN(TUI_VIEW_STACK) | TUI_IN(TUI_VIEW_INCIDENT))
/* Where a cluster is at hand for the workflow keys: the clusters list, an incident. */
#define TUI_IN_TRIAGE (TUI_IN(TUI_VIEW_CLUSTERS) | TUI_IN(TUI_VIEW_INCIDENT))

enum tui_request {
	TUI_REQ_NONE,
#define TUI_KEY(req, k1, k2, k3, label, views, help) TUI_REQ_##req,
#include "tui/keys.def"
#undef TUI_KEY
	TUI_REQ__COUNT,
};

struct tui_key_info {
	enum tui_request req;
	int keys[3];
	const char *label, *help;
	unsigned views;
};
extern const struct tui_key_info tui_keys[];
extern const size_t tui_nkeys;
/* The request bound to key in a view of this kind (TUI_REQ_NONE when unbound). */
enum tui_request tui_key_request(int key, enum tui_view_kind kind);

/* What a handler changed: the main loop redraws that much (htop). */
enum tui_redraw {
	TUI_REDRAW_NONE = 0,
	TUI_REDRAW_STATUS = 1 << 0, /* the status line */
	TUI_REDRAW_CURSOR = 1 << 1, /* the focused pane's old and new cursor rows */
	TUI_REDRAW_PANE = 1 << 2,   /* the focused pane */
	TUI_REDRAW_VIEW = 1 << 3,   /* title, headers, every pane */
	TUI_REDRAW_ALL = 1 << 4,    /* the whole terminal (Ctrl-L, resize, new view) */
	TUI_REDRAW_QUIT = 1 << 5,
};

/* ---- data: read-only paged SQL over the archive (data.c) ---- */

struct tui_db {
	sqlite3 *db;
	struct {
		char *sql;
		sqlite3_stmt *s;
	} cache[48];
	size_t ncache;
	unsigned queries;           /* statements run, for the status line in --debug */
	struct gpm_store_busy busy; /* waiting for a writer's lock, as the cli waits */
};

enum tui_bind_type { TUI_BIND_NULL, TUI_BIND_INT, TUI_BIND_TEXT };
struct tui_bind {
	enum tui_bind_type type;
	int64_t i;
	const char *s;
};
#define TUI_INT(v)  ((struct tui_bind){TUI_BIND_INT, (v), NULL})
#define TUI_TEXT(v) ((struct tui_bind){(v) ? TUI_BIND_TEXT : TUI_BIND_NULL, 0, (v)})
#define TUI_NULL    ((struct tui_bind){TUI_BIND_NULL, 0, NULL})

struct gpm_error *tui_db_open(const char *path, struct tui_db *db);
void tui_db_close(struct tui_db *db);
/* Runs sql (a fixed string: a statement is prepared once and kept) with binds ?1..?n and
 * fills at most max_rows rows into out (cells as text, NULL for SQL NULL). */
struct gpm_error *tui_db_query(struct tui_db *db, const char *sql, const struct tui_bind *binds,
                               size_t nbinds, int64_t max_rows, struct gpm_store_table *out);
/* The first column of the first row as an integer (def when no row or NULL). */
struct gpm_error *tui_db_int(struct tui_db *db, const char *sql, const struct tui_bind *binds,
                             size_t nbinds, int64_t def, int64_t *out);

/*
 * The archive through the store module (src/store/) for what the store answers itself: the
 * cluster workflow. Read-only: t->store, opened once (borrowed). Writable (write true): a
 * new handle for one change, owned by the caller (gpm_store_close it), so the TUI holds no
 * write lock while it only reads.
 */
struct tui;
struct gpm_error *tui_store(struct tui *t, bool write, struct gpm_store **out);

/* ---- drawing (draw.c) ---- */

enum tui_color {
	TUI_C_NORMAL,
	TUI_C_TITLE,
	TUI_C_HEADER,
	TUI_C_CURSOR,
	TUI_C_CURSOR_DIM, /* the cursor of the pane without focus */
	TUI_C_STATUS,
	TUI_C_ERROR,
	TUI_C_CRITICAL,
	TUI_C_WARNING,
	TUI_C_INFO,
	TUI_C_DIM,
	TUI_C_HIGHLIGHT, /* the source line of a frame */
	TUI_C_BOLD,
	TUI_C__COUNT,
};
void tui_colors_init(bool color);
attr_t tui_attr(enum tui_color c);

enum { TUI_TEXT_PAD = 1, TUI_TEXT_RIGHT = 2 };
/*
 * Draws UTF-8 text from the archive at (y, x) in at most width columns: control
 * characters (C0, DEL, C1) become '?', invalid UTF-8 U+FFFD, tabs a space; text that
 * does not fit ends in '…'. Returns the columns used (padded to width with TUI_TEXT_PAD).
 */
int tui_draw_text(WINDOW *w, int y, int x, int width, const char *s, attr_t attr, unsigned flags);
/* Display width of s as tui_draw_text would draw it. */
int tui_text_width(const char *s);
/* Byte length of the longest prefix of s that fits in width columns (for wrapping). */
size_t tui_text_fit(const char *s, int width);
/* The screen as UTF-8 text, one line per row, trailing blanks removed (malloc'd). */
char *tui_screen_text(WINDOW *w);
/* Whether the terminal shows UTF-8 (else non-ASCII is drawn as '?'). */
extern bool tui_utf8;

/* The ':' commands: TUI_COMMAND(name, arguments, help), from commands.def. */
struct tui_command_info {
	const char *name, *args, *help;
};
extern const struct tui_command_info tui_commands[];
extern const size_t tui_ncommands;

/* ---- panes and views (view.c, one view_*.c per view) ---- */

struct tui;
struct tui_view;
struct tui_pane;
struct gpm_values;
struct gpm_values_list;
struct gpm_ingest_options;

enum { TUI_COL_RIGHT = 1, TUI_COL_FLEX = 2, TUI_COL_CUT_LEFT = 4 };
struct tui_col {
	const char *title;
	int width; /* columns; the minimum for TUI_COL_FLEX */
	unsigned flags;
	int drop; /* 0: always shown; else dropped on narrow terminals, highest first */
};

/* A line of a text pane (findings, help, report, source); text owned. */
struct tui_line {
	char *text;
	enum tui_color color;
	int64_t ref; /* what Enter opens from this line (a finding id), 0 none */
};

struct tui_sort {
	const char *label;
	enum gpm_tui_order order; /* ORDER BY terms (store/tui_queries.h), S reverses them */
	const char *arrow, *arrow_reverse;
};

struct tui_pane_ops {
	const struct tui_col *cols;
	size_t ncols;
	const struct tui_sort *sorts;
	size_t nsorts;
	/* Rows of an SQL pane; NULL for a text pane (rows are p->lines). */
	struct gpm_error *(*count)(struct tui *t, struct tui_view *v, struct tui_pane *p,
	                           int64_t *n);
	/* Fills rows [off, off+limit): the first ncols cells are shown, the rest are ids. */
	struct gpm_error *(*fetch)(struct tui *t, struct tui_view *v, struct tui_pane *p,
	                           int64_t off, int64_t limit, struct gpm_store_table *out);
	enum tui_color (*color)(const struct gpm_store_table *page, size_t row);
	/* The natural sort (sorts[0]) is a total order whose sql_reverse is its exact reverse,
	 * and fetch honours pane->reverse: a page near the end is read from the end (list.c),
	 * so G on a million rows costs what g does. */
	bool tail;
	/* The next row after p->cur in direction dir (+1/-1, wrapping, p->cur itself last)
	 * whose shown cells contain text (ASCII case folded), as one SQL query over the whole
	 * list; *row -1 when none. NULL: list.c reads the rows page by page. */
	struct gpm_error *(*find)(struct tui *t, struct tui_view *v, struct tui_pane *p,
	                          const char *text, int dir, int64_t *row);
	/* Keyset paging (NULL: none): limit rows starting skip rows past the row whose key (an
	 * integer in cell key_col of every row that tells its place in the natural order: the
	 * fetch reads from there) is key, in the pane's direction (pane->reverse: the natural
	 * order reversed). list.c reads a page from
	 * the nearest row whose key it knows (the page's, or a search's hit), so a page deep in
	 * a million rows costs what the first does. */
	struct gpm_error *(*fetch_key)(struct tui *t, struct tui_view *v, struct tui_pane *p,
	                               int64_t key, int64_t skip, int64_t limit,
	                               struct gpm_store_table *out);
	size_t key_col;
	/* Keyset paging of every sort whose order has keys (gpm_tui_order_keys; NULL: none):
	 * limit rows from skip rows past the row whose cells are anchor (NULL: the first row),
	 * in the pane's order or, back, its exact reverse (tui_keyset_page). list.c uses it
	 * where fetch_key does not apply: G, k, PgUp and PgDn cost what they do at the top. */
	struct gpm_error *(*fetch_sorted)(struct tui *t, struct tui_view *v, struct tui_pane *p,
	                                  const char *const *anchor, bool back, int64_t skip,
	                                  int64_t limit, struct gpm_store_table *out);
};

struct tui_pane {
	const struct tui_pane_ops *ops;
	char *title; /* header of a text pane (owned) */
	int64_t n;   /* rows (after the filter) */
	int64_t top, cur;
	int y, h;   /* screen rows of the pane's body (its header is at y - 1) */
	int x, w;   /* its screen columns: the whole width, or a side at >= TUI_WIDE columns */
	bool drawn; /* body on screen matches drawn_top/drawn_cur */
	int64_t drawn_top, drawn_cur;
	struct gpm_store_table page; /* cached rows [page_off, page_off + page.nrows) */
	bool anchored; /* anchor_row's key is anchor_key (a search's hit; fetch_key) */
	int64_t anchor_row, anchor_key;
	int64_t page_off;
	bool page_ok, page_end; /* page_end: no rows after the page */
	struct tui_line *lines;
	size_t nlines;
	size_t sort;
	bool reverse;
	char *filter; /* owned; NULL none */
};

/* Filters of an incidents or clusters list (from the : command line). Strings owned. */
struct tui_query {
	int64_t since, until, cluster;
	char *exe, *go, *finding;
};

/*
 * What a view does (tig's view ops): one table per view, in its own file (view_NAME.c).
 * The list engine (list.c) and drawing (draw.c) know panes; only these know what a row is.
 */
struct tui_view_ops {
	const char *name; /* status line and help: "incidents" */
	bool counted;     /* the title shows the list's rows */
	/* The title describes the focused pane (sort, filter), not the list; hint follows the
	 * header of the focused text pane. */
	bool title_of_focus;
	const char *focus_hint;
	/* Enter on row p->cur of the focused pane p (its page loaded): may open a view (*out). */
	struct gpm_error *(*enter)(struct tui *t, struct tui_view *v, struct tui_pane *p,
	                           struct tui_view **out);
	/* The incident and the cluster the view is about (0 none); NULL: never one. */
	struct gpm_error *(*incident)(struct tui *t, struct tui_view *v, int64_t *out);
	struct gpm_error *(*cluster)(struct tui *t, struct tui_view *v, int64_t *out);
	/* Fills the preview pane p (cleared, width columns) for the list's selected row; NULL:
	 * no preview. */
	struct gpm_error *(*preview)(struct tui *t, struct tui_view *v, struct tui_pane *p,
	                             int width);
	/* Places the panes in body screen rows (below the title) itself; NULL: list, or list and
	 * preview (draw.c). */
	void (*layout)(struct tui *t, struct tui_view *v, int body);
};
extern const struct tui_view_ops tui_incidents_view, tui_clusters_view, tui_search_view,
    tui_incident_view, tui_goroutines_view, tui_stack_view, tui_source_view, tui_text_view,
    tui_heap_view, tui_value_view, tui_retainers_view;

struct tui_view {
	enum tui_view_kind kind;
	const struct tui_view_ops *ops;
	char *title; /* owned, raw (drawn through tui_draw_text) */
	const char *name;
	struct tui_pane panes[2];
	int npanes, focus;
	struct tui_query q;
	int64_t incident, stack, finding, group; /* -1: none */
	int64_t goid;
	char *text;   /* search text, source path, report: owned */
	int64_t line; /* source line */
	enum tui_view_kind help_for;
	struct gpm_store_table info; /* incident facts / findings kept for re-layout */
	struct gpm_store_table findings;
	struct gpm_store_table *evidence; /* one table per finding */
	int64_t preview_of;               /* list row the preview pane (panes[1]) shows; -1 none */
	bool maximized;                   /* the preview has the screen */
	int preview_w;                    /* the width the preview was wrapped for */
	struct gpm_values_list *values;   /* a value view's items (owned), wrapped at layout */
};

enum {
	TUI_MAX_DEPTH = 32,
	TUI_WIDE = 160, /* from this width a list and its preview are side by side */
};

struct tui {
	struct tui_db db;
	struct gpm_store *store; /* read-only, opened on first use (tui_store) */
	const char *db_path;
	const char *source_root;
	struct tui_view *views[TUI_MAX_DEPTH];
	int depth;
	int rows, cols;
	char status[512];
	bool status_error;
	int prompt; /* ':', '/', '\\' or 0 */
	char input[512];
	size_t input_len;
	char *search;
	int64_t now;
	int64_t marked; /* the incident `m` marked for a diff; 0 none */
	bool quit;
	/* Values (view_value.c): the core of one incident kept open while its values are
	 * browsed, opened with the ingest options of `gopm tui` (borrowed, or NULL). */
	const struct gpm_ingest_options *ingest;
	struct gpm_values *values; /* owned; NULL none */
	int64_t values_incident;
};

/* View constructors: each returns the new view (owned by the caller) or an error. */
struct gpm_error *tui_view_incidents(struct tui *t, const struct tui_query *q,
                                     struct tui_view **out);
struct gpm_error *tui_view_clusters(struct tui *t, const struct tui_query *q,
                                    struct tui_view **out);
struct gpm_error *tui_view_search(struct tui *t, const char *text, struct tui_view **out);
struct gpm_error *tui_view_incident(struct tui *t, int64_t id, struct tui_view **out);
struct gpm_error *tui_view_help(struct tui *t, enum tui_view_kind kind, struct tui_view **out);
struct gpm_error *tui_view_report(struct tui *t, int64_t id, struct tui_view **out);
struct gpm_error *tui_view_heap(struct tui *t, int64_t id, struct tui_view **out);
struct gpm_error *tui_view_retainers(struct tui *t, int64_t id, struct tui_view **out);
/* A text view of lines (copied). */
struct gpm_error *tui_view_text(struct tui *t, const char *title, const char *text,
                                struct tui_view **out);
/* The diff of two archive incidents, older first (view_diff.c: gopm diff's engine). */
struct gpm_error *tui_view_diff(struct tui *t, int64_t a, int64_t b, struct tui_view **out);
/* A group's or a finding's goroutines (group or finding -1 when not that). */
struct gpm_error *tui_view_goroutines(struct tui *t, int64_t incident, int64_t group,
                                      int64_t finding, const char *what, struct tui_view **out);
/* One goroutine's stack. */
struct gpm_error *tui_view_stack(struct tui *t, const char *title, int64_t incident, int64_t stack,
                                 int64_t goid, struct tui_view **out);
/* A frame's source file, its line highlighted (view_source.c: where it is looked for). */
struct gpm_error *tui_view_source(struct tui *t, int64_t incident, const char *path, int64_t line,
                                  const char *func, struct tui_view **out);
/* A value of an incident's core (view_value.c): expr as gopm print takes it; NULL the
 * incident's panic value. When the core or its executable cannot be opened, the view
 * says why in one line. */
struct gpm_error *tui_view_value(struct tui *t, int64_t incident, const char *expr,
                                 struct tui_view **out);
/* The value a finding links to (its panic value or the object it waits on), by the
 * expression stored with it; a status message when it names none. */
struct gpm_error *tui_view_finding_value(struct tui *t, int64_t incident, int64_t finding,
                                         struct tui_view **out);
/* Closes the core kept open for values. */
void tui_values_close(struct tui *t);
void tui_view_destroy(struct tui_view *v);
/* Lays the view out for t->rows x t->cols (after a resize too). */
void tui_view_layout(struct tui *t, struct tui_view *v);
/* Enter on the focused row: may push a view. */
struct gpm_error *tui_view_enter(struct tui *t, struct tui_view *v, struct tui_view **out);
/* The cluster the view is about: the selected row of a clusters list, the incidents list of
 * one cluster, an incident's cluster; 0 none. */
struct gpm_error *tui_view_cluster(struct tui *t, struct tui_view *v, int64_t *out);
/* The incident at hand: the selected row of an incidents list or search, an open incident;
 * 0 none. */
struct gpm_error *tui_view_row_id(struct tui *t, struct tui_view *v, int64_t *out);
/* Re-reads every pane of the view (after a change to the archive), keeping the cursors. */
struct gpm_error *tui_view_refresh(struct tui *t, struct tui_view *v);
/* Whether a key of this kind makes sense here (the help lists only these). */
const char *tui_view_name(enum tui_view_kind kind);

/* ---- helpers of the view files (view.c) ---- */

/* A new view of this kind with its ops and one text pane (NULL when out of memory). */
struct tui_view *tui_view_create(enum tui_view_kind kind, const char *title);
/* Lays v out, counts its panes' rows and hands it to *out (destroys it on error). */
struct gpm_error *tui_view_finish(struct tui *t, struct tui_view *v, struct tui_view **out);
struct gpm_error *tui_query_copy(struct tui_query *dst, const struct tui_query *src);
/* Binds ?1..?8 of an incidents or clusters list query (store/tui_queries.h). */
void tui_query_binds(struct tui_bind *b, const struct tui_query *q, const char *filter);
/* select (binds b[0..nb)) in the pane's sort, rows [off, off + limit). b has nb + 2 slots. */
struct gpm_error *tui_sorted_page(struct tui *t, struct tui_pane *p, const char *select,
                                  struct tui_bind *b, size_t nb, int64_t off, int64_t limit,
                                  struct gpm_store_table *out);
/* select (binds b[0..nb)) in the pane's sort (back: its exact reverse) from the row whose
 * cells are anchor (NULL: the first), rows [skip, skip + limit) past it: the keyset page of
 * tui_pane_ops.fetch_sorted. b has nb + GPM_TUI_MAX_KEYS + 2 slots. */
struct gpm_error *tui_keyset_page(struct tui *t, struct tui_pane *p, const char *select,
                                  struct tui_bind *b, size_t nb, const char *const *anchor,
                                  bool back, int64_t skip, int64_t limit,
                                  struct gpm_store_table *out);
/* The search of tui_pane_ops.find as one query: cells is "c, ..., c FROM ..." with ncells
 * shown cells (their row numbers from a window in the pane's order). b has nb + 3 slots. */
struct gpm_error *tui_sorted_find(struct tui *t, struct tui_pane *p, const char *cells,
                                  size_t ncells, struct tui_bind *b, size_t nb, const char *text,
                                  int dir, int64_t *row);
/* The id in column col of the selected row of the view's list (panes[0]); 0 none. */
struct gpm_error *tui_view_list_id(struct tui *t, struct tui_view *v, size_t col, int64_t *out);
/* The ops of a pane of text lines (p->lines). */
extern const struct tui_pane_ops tui_text_ops;
/* The previews of an incident and of a cluster (preview.c), into p wrapped to width. */
struct gpm_error *tui_preview_incident(struct tui *t, struct tui_pane *p, int64_t id, int width);
struct gpm_error *tui_preview_cluster(struct tui *t, struct tui_pane *p, int64_t id, int width);

/* ---- the list engine (list.c) ---- */

/* Makes rows [from, from + count) available in p->page (or as many as exist). */
struct gpm_error *tui_pane_ensure(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                  int64_t from, int64_t count);
/* Cells of row i (borrowed until the next fetch), or NULL when it is not in the page. */
const char *const *tui_pane_cells(struct tui_pane *p, int64_t i);
const char *tui_pane_cell(struct tui_pane *p, int64_t i, size_t col);
/* Moves the focused pane's cursor to row (clamped); returns what to redraw. */
unsigned tui_pane_move(struct tui_pane *p, int64_t row);
/* Re-counts rows after a filter or sort change, keeping the cursor in range. */
struct gpm_error *tui_pane_reload(struct tui *t, struct tui_view *v, struct tui_pane *p);
/* Finds the next row (dir +1/-1, wrapping) containing text; *found false when none. */
struct gpm_error *tui_pane_search(struct tui *t, struct tui_view *v, struct tui_pane *p,
                                  const char *text, int dir, bool *found);
/* Text lines of a text pane: text wrapped to width after indent (continuations under it);
 * ref is what Enter opens from those lines (tui_line.ref). */
struct gpm_error *tui_pane_wrap(struct tui_pane *p, const char *indent, const char *text, int width,
                                enum tui_color color, int64_t ref);
struct gpm_error *tui_pane_push(struct tui_pane *p, const char *indent, const char *text, int width,
                                enum tui_color color);
/* One line as it is (copied); lines past a cap are dropped. */
struct gpm_error *tui_pane_line(struct tui_pane *p, const char *text, enum tui_color color,
                                int64_t ref);
void tui_pane_clear(struct tui_pane *p);
/* Fills the preview pane of a list view for its selected row when the cursor moved (preview.c);
 * returns what to redraw. */
unsigned tui_view_preview(struct tui *t, struct tui_view *v);
/* Draws what flags ask for; the main loop's only drawing call. */
void tui_draw(struct tui *t, unsigned flags);
/* The query helpers for ':' commands. */
void tui_query_deinit(struct tui_query *q);

#endif
