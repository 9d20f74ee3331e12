/*
 * The statements the TUI reads the archive with (tui/), kept in the store module beside the
 * schema they read, so a schema change touches one module. The TUI runs them on its own
 * read-only connection (prepared once); values are always bound, and each statement says
 * its binds. It registers gpm_frame_rank (model/frameclass.h) on that connection first.
 */
#ifndef GPM_STORE_TUI_QUERIES_H
#define GPM_STORE_TUI_QUERIES_H

#include <stdbool.h>
#include <stddef.h>

enum gpm_tui_query {
	/* Incidents list, binds ?1..?8 (algorithm, since, until, exe, go, finding, cluster,
	 * filter text). PAGE gets an ORDER BY and a window appended; CELLS are its five shown
	 * cells as "c, ... FROM ..." (search in another sort). */
	GPM_TUI_INCIDENTS_COUNT,
	GPM_TUI_INCIDENTS_PAGE,
	/* Keyset pages in the natural order (time, id; newest first) or its reverse, from the
	 * incident ?9 on: ?10 rows, ?11 skipped. */
	GPM_TUI_INCIDENTS_PAGE_KEY,
	GPM_TUI_INCIDENTS_PAGE_KEY_REVERSE,
	GPM_TUI_INCIDENTS_CELLS,
	/* Search by the natural order's keys: ?9 time, ?10 id of the cursor, ?11 lowered text,
	 * ?12 the text when all digits. The first match past the cursor towards smaller keys,
	 * towards larger keys; then wrapping around (from the other end up to the cursor). */
	GPM_TUI_INCIDENTS_FIND_SMALLER,
	GPM_TUI_INCIDENTS_FIND_LARGER,
	GPM_TUI_INCIDENTS_FIND_SMALLER_WRAP,
	GPM_TUI_INCIDENTS_FIND_LARGER_WRAP,
	/* Rows with keys below / above (?9, ?10): a row's number in either direction. */
	GPM_TUI_INCIDENTS_ROWS_BELOW,
	GPM_TUI_INCIDENTS_ROWS_ABOVE,
	/* Clusters list, the incidents list's binds; FAST when only the cluster and the text
	 * filter are set (the counts schema 4's triggers keep). */
	GPM_TUI_CLUSTERS_COUNT,
	GPM_TUI_CLUSTERS_COUNT_FAST,
	GPM_TUI_CLUSTERS_PAGE,
	GPM_TUI_CLUSTERS_PAGE_FAST,
	/* Keyset pages in the natural order (count DESC, cluster) or its reverse, from the
	 * cluster ?10 of count ?9 on: ?11 rows, ?12 skipped. A page's cells end in the cluster
	 * and its key, count * 2^32 + cluster. */
	GPM_TUI_CLUSTERS_PAGE_KEY,
	GPM_TUI_CLUSTERS_PAGE_KEY_FAST,
	GPM_TUI_CLUSTERS_PAGE_KEY_REVERSE,
	GPM_TUI_CLUSTERS_PAGE_KEY_REVERSE_FAST,
	/* The newest incident of a cluster: ?1 algorithm, ?2 cluster. */
	GPM_TUI_CLUSTER_LAST_INCIDENT,
	/* Goroutines of an incident (?1), of one group (?2; the ANY forms: ?2 NULL), of a
	 * finding (?3) or all, with a filter text (?4). Pages: ?5 rows from offset ?6 in the
	 * dump's order or its reverse. */
	GPM_TUI_GOROUTINES_COUNT,
	GPM_TUI_GOROUTINES_COUNT_ANY,
	GPM_TUI_GOROUTINES_PAGE,
	GPM_TUI_GOROUTINES_PAGE_ANY,
	GPM_TUI_GOROUTINES_PAGE_REVERSE,
	GPM_TUI_GOROUTINES_PAGE_REVERSE_ANY,
	/* Keyset pages: the same from the row of rowid ?7 on (?6 rows skipped past it). */
	GPM_TUI_GOROUTINES_PAGE_KEY,
	GPM_TUI_GOROUTINES_PAGE_KEY_ANY,
	GPM_TUI_GOROUTINES_PAGE_KEY_REVERSE,
	GPM_TUI_GOROUTINES_PAGE_KEY_REVERSE_ANY,
	/* Search by rowid: ?5 the cursor's rowid, ?6 the lowered text, ?7 the text when digits,
	 * ?8 when it could be part of "N min". Forward, backward, then wrapping. */
	GPM_TUI_GOROUTINES_FIND_NEXT,
	GPM_TUI_GOROUTINES_FIND_NEXT_ANY,
	GPM_TUI_GOROUTINES_FIND_PREV,
	GPM_TUI_GOROUTINES_FIND_PREV_ANY,
	GPM_TUI_GOROUTINES_FIND_NEXT_WRAP,
	GPM_TUI_GOROUTINES_FIND_NEXT_WRAP_ANY,
	GPM_TUI_GOROUTINES_FIND_PREV_WRAP,
	GPM_TUI_GOROUTINES_FIND_PREV_WRAP_ANY,
	/* Whether the shown cells of every goroutine of group ?2 of incident ?1 (its state, its
	 * top frame, shared by the group's goroutines) contain the lowered text ?3: 1 or 0. */
	GPM_TUI_GROUP_MATCHES,
	/* A goroutine id search answered from schema 11's goroutines_goid: the largest id of
	 * group ?2 of incident ?1; the smallest and largest wait of its group ?2 (the wait cells a
	 * digit text could match); and, for the goroutines of group ?2 whose ids are in [?3, ?4],
	 * the rowids nearest the cursor's rowid ?5: the next one after it, the first, the previous
	 * one, the last (NULL: none). */
	GPM_TUI_GOROUTINES_GOID_MAX,
	GPM_TUI_GROUP_WAITS,
	GPM_TUI_GOROUTINES_GOID_RANGE,
	/* Rows before rowid ?5. */
	GPM_TUI_GOROUTINES_ROWS_BEFORE,
	GPM_TUI_GOROUTINES_ROWS_BEFORE_ANY,
	/* An incident's goroutine groups: ?1 incident, ?2 filter text. */
	GPM_TUI_GROUPS_COUNT,
	GPM_TUI_GROUPS_PAGE,
	/* One incident: ?1 algorithm, ?2 id. Its findings: ?1 incident, ?2 at most; a finding's
	 * evidence lines: ?1 finding, ?2 at most. */
	GPM_TUI_INCIDENT_INFO,
	GPM_TUI_INCIDENT_FINDINGS,
	GPM_TUI_FINDING_EVIDENCE,
	/* ?1 incident. */
	GPM_TUI_INCIDENT_GO_VERSION,
	/* Where an incident's input and executable are, for its values: kind, path as
	 * ingested, kept copy (relative to the artifact store), exe_read, exe; ?1 incident. */
	GPM_TUI_INCIDENT_FILES,
	/* The value a finding links to: its print expression, the "inspect" evidence line
	 * (archives written before the expression was kept); ?1 finding. */
	GPM_TUI_FINDING_PRINT,
	GPM_TUI_INCIDENT_REPORT,
	/* Full-text search: ?1 an FTS phrase. */
	GPM_TUI_SEARCH_COUNT,
	GPM_TUI_SEARCH_PAGE,
	/* An incident's heap types (?1) whose name contains the filter text ?2 (NULL: all).
	 * PAGE gets an ORDER BY and a window (a GPM_TUI_ORDER_HEAP_*): type, objects, bytes and
	 * retained as sizes, then bytes and retained as numbers. */
	GPM_TUI_HEAP_COUNT,
	GPM_TUI_HEAP_PAGE,
	/* Why type ?2 of incident ?1 is alive: the hops of its path from a root (schema 11). */
	GPM_TUI_HEAP_TYPE_PATH,
	/* What retains most of incident ?1's heap: what, objects, bytes, path. */
	GPM_TUI_HEAP_HOLDERS,
	/* The same as a list of incident ?1: count, and a page of ?2 rows at offset ?3 (in the
	 * report's order): what, objects, retained as a size, the path, retained bytes. */
	GPM_TUI_HOLDERS_COUNT,
	GPM_TUI_HOLDERS_PAGE,
	/* A stack's frames (?1): ?2 rows, ?3 offset. */
	GPM_TUI_FRAMES_COUNT,
	GPM_TUI_FRAMES_PAGE,
	/* Previews: an incident's largest group's stack (?1 incident, ?2 frames), its facts
	 * and its findings (?1). */
	GPM_TUI_PREVIEW_STACK,
	GPM_TUI_PREVIEW_INCIDENT,
	GPM_TUI_PREVIEW_FINDINGS,
	GPM_TUI_QUERY__COUNT,
};

/* The statement's text (fixed). */
const char *gpm_tui_sql(enum gpm_tui_query q);

/* The orders of the lists' sorts, each a total order (gpm_tui_order_keys). */
enum gpm_tui_order {
	GPM_TUI_ORDER_NONE, /* a list that orders itself (its PAGE statement) */
	GPM_TUI_ORDER_INCIDENTS_TIME,
	GPM_TUI_ORDER_INCIDENTS_EXE,
	GPM_TUI_ORDER_INCIDENTS_GO,
	GPM_TUI_ORDER_INCIDENTS_HEADLINE,
	GPM_TUI_ORDER_INCIDENTS_CLUSTER,
	GPM_TUI_ORDER_INCIDENTS_GOROUTINES,
	GPM_TUI_ORDER_CLUSTERS_COUNT,
	GPM_TUI_ORDER_CLUSTERS_LAST,
	GPM_TUI_ORDER_CLUSTERS_FIRST,
	GPM_TUI_ORDER_CLUSTERS_BUILDS,
	GPM_TUI_ORDER_CLUSTERS_ID,
	GPM_TUI_ORDER_CLUSTERS_STATUS,
	GPM_TUI_ORDER_GROUPS_SIZE,
	GPM_TUI_ORDER_SEARCH_RANK,
	GPM_TUI_ORDER_HEAP_BYTES,
	GPM_TUI_ORDER_HEAP_RETAINED,
	GPM_TUI_ORDER_HEAP_OBJECTS,
	GPM_TUI_ORDER__COUNT,
};

/* A term of a list's order: an expression of its PAGE statement, shown (or kept) as the
 * cell col of each row, integer or text; never NULL. */
struct gpm_tui_key {
	const char *expr;
	bool desc;
	bool integer;
	size_t col;
};
enum { GPM_TUI_MAX_KEYS = 4 };
/* The terms of order o (reverse: of its reverse), *n of them, the last unique (a total
 * order); NULL for an order without keys (GPM_TUI_ORDER_NONE, groups, search). */
const struct gpm_tui_key *gpm_tui_order_keys(enum gpm_tui_order o, bool reverse, size_t *n);

/*
 * A page of a list: select (a PAGE statement with binds ?1..?nb) in the order o, rows
 * LIMIT ?nb+1 OFFSET ?nb+2, written to buf. False when it does not fit.
 */
bool gpm_tui_sql_page(char *buf, size_t size, const char *select, enum gpm_tui_order o,
                      bool reverse, size_t nb);
/*
 * Keyset paging of an order with keys: select (binds ?1..?nb, ending in a WHERE clause) in
 * the order o (back: its exact reverse), from the row whose keys are ?nb+1..?nb+n on
 * (anchored; else from the first row), LIMIT ?nb+n+1 OFFSET ?nb+n+2. False when it does
 * not fit or o has no keys.
 */
bool gpm_tui_sql_keyset(char *buf, size_t size, const char *select, enum gpm_tui_order o,
                        bool reverse, bool back, bool anchored, size_t nb);
/*
 * Search over a whole list as one statement: cells is "c, ..., c FROM ..." (a CELLS
 * statement, binds ?1..?nb) whose first ncells cells are matched against ?nb+1 (ASCII case
 * folded); their row numbers come from a window in the order o. The statement answers the
 * row number of the first match past the cursor ?nb+2 in direction dir, wrapping over the
 * ?nb+3 rows, the cursor's own row last. False when it does not fit.
 */
bool gpm_tui_sql_find(char *buf, size_t size, const char *cells, size_t ncells,
                      enum gpm_tui_order o, bool reverse, size_t nb, int dir);

#endif
