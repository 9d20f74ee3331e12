/*
 * The TUI's statements (store/tui_queries.h): the SQL of every list, preview and view of
 * tui/, in one place beside the schema. Fragments shared by several statements come first:
 * how a list shows an executable, a time and a stack's top frame, and the FROM ... WHERE of
 * an incidents list with its filters.
 */
#include <stddef.h>
#include <stdio.h>

#include "store/tui_queries.h"

#define TUI_SQL_EXE_BASE                                                                           \
	"substr(coalesce(i.exe, '-'), length(rtrim(coalesce(i.exe, '-'), "                         \
	"replace(coalesce(i.exe, '-'), '/', ''))) + 1)"
#define TUI_SQL_TIME_MIN(col) "strftime('%Y-%m-%d %H:%M', " col ", 'unixepoch')"
// What people scan for: the innermost frame of the program's own code, else of the
// standard library it called, else the innermost (gpm_frame_rank, data.c).
#define TUI_SQL_TOP_FRAME(stack)                                                                   \
	"(SELECT fn.name FROM frames f JOIN functions fn ON fn.id = f.function_id WHERE "          \
	"f.stack_id = " stack " ORDER BY gpm_frame_rank(fn.name), f.depth LIMIT 1)"

/* An incident's cluster under the signature algorithm bound as ?1 (NULL: none yet). */
#define TUI_SQL_INC_CLUSTER                                                                        \
	"(SELECT s.cluster_id FROM incident_signatures x JOIN signatures s ON s.id = "             \
	"x.signature_id WHERE x.incident_id = i.id AND x.algorithm = ?1)"

/*
 * The incidents of a list with its filters (binds ?1..?8, tui_query_binds). Without filters
 * this reads schema 6's index incidents_list_text alone (the cluster filter is a set of ids
 * built once, the cluster cell is asked only for the rows shown).
 */
#define TUI_SQL_INC_FROM                                                                           \
	" FROM incidents i WHERE (?2 IS NULL OR i.time >= ?2) AND (?3 IS NULL OR i.time < ?3) "    \
	"AND (?4 IS NULL OR instr(i.exe, ?4) > 0) "                                                \
	"AND (?5 IS NULL OR substr(i.go_version, 1, length(?5)) = ?5) "                            \
	"AND (?6 IS NULL OR i.headline_rule = ?6 OR instr(i.headline, ?6) > 0) "                   \
	"AND (?7 IS NULL OR i.id IN (SELECT x.incident_id FROM incident_signatures x JOIN "        \
	"signatures s ON s.id = x.signature_id WHERE x.algorithm = ?1 AND s.cluster_id = ?7)) "    \
	"AND (?8 IS NULL OR instr(lower(i.headline || ' ' || coalesce(i.exe, '') || ' ' || "       \
	"coalesce(i.go_version, '') || ' ' || i.kind), lower(?8)) > 0)"

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

#define CLUSTER_SELECT                                                                             \
	"SELECT a.cluster, coalesce(c.status, 'new'), a.count, strftime('%Y-%m-%d', a.first, "     \
	"'unixepoch'), strftime('%Y-%m-%d', a.last, 'unixepoch'), a.builds, h.headline, "          \
	"coalesce((SELECT " TUI_SQL_TOP_FRAME(                                                     \
	    "g.stack_id") " FROM groups g WHERE g.incident_id = h.id "                             \
	                  "ORDER BY g.ordinal LIMIT 1), ''), a.cluster, a.count * 4294967296 + "   \
	                  "a.cluster, a.last, a.first, coalesce(c.status, '')"

#define INC_PAGE                                                                                   \
	"SELECT " TUI_SQL_TIME_MIN("i.time") ", " TUI_SQL_EXE_BASE                                 \
	                                     ", coalesce(i.go_version, '-'), i.headline, "         \
	                                     "coalesce(" TUI_SQL_INC_CLUSTER                       \
	                                     ", '-'), i.id, i.time, coalesce(i.go_version, ''), "  \
	                                     "coalesce(" TUI_SQL_INC_CLUSTER                       \
	                                     ", -1), coalesce(i.goroutines, -1)" TUI_SQL_INC_FROM

// The natural order's key of incident ?9: its time and id.
#define INC_KEY "((SELECT time FROM incidents WHERE id = ?9), ?9)"

// From the cluster of count ?9 and id ?10 on, down the natural order (count DESC, cluster)
// or up it.
#define CLUSTER_KEY_DOWN                                                                           \
	" AND (a.count < ?9 OR (a.count = ?9 AND a.cluster >= ?10)) ORDER BY a.count DESC, "       \
	"a.cluster ASC LIMIT ?11 OFFSET ?12"
#define CLUSTER_KEY_UP                                                                             \
	" AND (a.count > ?9 OR (a.count = ?9 AND a.cluster <= ?10)) ORDER BY a.count ASC, "        \
	"a.cluster DESC LIMIT ?11 OFFSET ?12"

#define INC_MATCH                                                                                  \
	" AND (instr(i.list_text, ?11) > 0 OR (?12 IS NOT NULL AND i.id IN (SELECT x.incident_id " \
	"FROM incident_signatures x JOIN signatures s ON s.id = x.signature_id WHERE x.algorithm " \
	"= ?1 AND instr(s.cluster_id, ?12) > 0)))"

#define INC_FIND(cmp, order)                                                                       \
	"SELECT i.time, i.id" TUI_SQL_INC_FROM " AND (i.time, i.id) " cmp " (?9, ?10)" INC_MATCH   \
	" ORDER BY i.time " order ", i.id " order " LIMIT 1"

#define IN_GROUP "g.group_ordinal = ?2"

#define ANY_GROUP "?2 IS NULL"

// Without a filter, a group's goroutines are counted from its runs (schema 12): whole runs
// from their counts, and only the run of row ?5, which starts at RUN_AT, member by member.
#define RUN_AT                                                                                     \
	"(SELECT coalesce(max(first_id), ?5) FROM goroutine_runs WHERE incident_id = ?1 AND "      \
	"group_ordinal = ?2 AND first_id <= ?5)"

#define GOROUTINE_WHERE(grp)                                                                       \
	" FROM goroutines g WHERE g.incident_id = ?1 AND " grp " "                                 \
	"AND (?3 IS NULL OR g.goid IN (SELECT value FROM json_each((SELECT evidence FROM "         \
	"findings WHERE id = ?3), '$.goroutines'))) AND (?4 IS NULL OR "                           \
	"instr(lower(coalesce(g.state, '') || ' ' || coalesce(" TUI_SQL_TOP_FRAME(                 \
	    "g.stack_id") ", '')), lower(?4)) > 0)"

#define GOROUTINE_PAGE_AT(order, grp, at)                                                          \
	"SELECT x.goid, x.state, x.wait, coalesce(" TUI_SQL_TOP_FRAME(                             \
	    "x.stack_id") ", '?'), x.stack_id, "                                                   \
	                  "coalesce(cf.name, ''), x.wait_minutes, x.id FROM (SELECT g.id, "        \
	                  "g.goid, "                                                               \
	                  "coalesce(g.state, '-') "                                                \
	                  "AS state, CASE WHEN coalesce(g.wait_minutes, 0) > 0 THEN "              \
	                  "g.wait_minutes || ' min' ELSE "                                         \
	                  "'' END AS wait, g.wait_minutes, g.stack_id, "                           \
	                  "g.created_by" GOROUTINE_WHERE(grp) at                                   \
	    " ORDER BY g.id " order " LIMIT ?5 OFFSET ?6) x LEFT JOIN functions cf ON cf.id = "    \
	    "x.created_by ORDER BY x.id " order

#define GOROUTINE_PAGE(order, grp) GOROUTINE_PAGE_AT(order, grp, "")
// Keyset: from the row of key ?7 on, in either direction.
#define GOROUTINE_PAGE_KEY(order, grp, cmp) GOROUTINE_PAGE_AT(order, grp, " AND g.id " cmp " ?7")

#define GOROUTINE_MATCH                                                                            \
	" AND ((?7 IS NOT NULL AND instr(g.goid, ?7) > 0) OR instr(lower(coalesce(g.state, "       \
	"'-')), ?6) > 0 OR (?8 IS NOT NULL AND coalesce(g.wait_minutes, 0) > 0 AND "               \
	"instr(g.wait_minutes || ' min', ?8) > 0) OR g.stack_id IN (SELECT mf.stack_id FROM "      \
	"functions mfn JOIN frames mf ON mf.function_id = mfn.id WHERE instr(lower(mfn.name), "    \
	"?6) "                                                                                     \
	"> 0 AND instr(lower(" TUI_SQL_TOP_FRAME(                                                  \
	    "mf.stack_id") "), ?6) > 0) OR (g.stack_id IS NULL "                                   \
	                   "AND ?6 = '?'))"

#define GOROUTINE_FIND(cmp, order, grp)                                                            \
	"SELECT g.id" GOROUTINE_WHERE(grp) " AND g.id " cmp " ?5" GOROUTINE_MATCH                  \
	                                   " ORDER BY g.id " order " LIMIT 1"

#define GROUP_FROM                                                                                 \
	" FROM groups g WHERE g.incident_id = ?1 AND (?2 IS NULL OR "                              \
	"instr(lower(coalesce(g.state, "                                                           \
	"'') || ' ' || coalesce(" TUI_SQL_TOP_FRAME("g.stack_id") ", '')), lower(?2)) > 0)"

// A size as gopm heap shows it: "512 B", "1.5 KiB", "64.0 MiB" (NULL stays NULL).
#define HEAP_SIZE(col)                                                                             \
	"CASE WHEN " col " >= 1073741824 THEN printf('%.1f GiB', " col                             \
	" / 1073741824.0) WHEN " col " >= 1048576 THEN printf('%.1f MiB', " col                    \
	" / 1048576.0) WHEN " col " >= 1024 THEN printf('%.1f KiB', " col " / 1024.0) ELSE " col   \
	" || ' B' END"

#define HEAP_FROM                                                                                  \
	" FROM heap_types h WHERE h.incident_id = ?1 AND (?2 IS NULL OR instr(lower(h.type), "     \
	"lower(?2)) > 0)"

#define SEARCH_FROM                                                                                \
	" FROM incident_fts JOIN incidents i ON i.id = incident_fts.rowid WHERE incident_fts "     \
	"MATCH ?1"

static const char *const queries[GPM_TUI_QUERY__COUNT] = {
    [GPM_TUI_INCIDENTS_COUNT] = "SELECT count(*)" TUI_SQL_INC_FROM,
    [GPM_TUI_INCIDENTS_PAGE] = INC_PAGE,
    [GPM_TUI_INCIDENTS_PAGE_KEY] = INC_PAGE " AND (i.time, i.id) <= " INC_KEY
                                            " ORDER BY i.time DESC, i.id DESC LIMIT ?10 OFFSET ?11",
    [GPM_TUI_INCIDENTS_PAGE_KEY_REVERSE] = INC_PAGE
    " AND (i.time, i.id) >= " INC_KEY " ORDER BY i.time ASC, i.id ASC LIMIT ?10 OFFSET ?11",
    [GPM_TUI_INCIDENTS_CELLS] =
        TUI_SQL_TIME_MIN("i.time") ", " TUI_SQL_EXE_BASE
                                   ", coalesce(i.go_version, '-'), i.headline, "
                                   "coalesce(" TUI_SQL_INC_CLUSTER ", '-')" TUI_SQL_INC_FROM,
    [GPM_TUI_INCIDENTS_FIND_SMALLER] = INC_FIND("<", "DESC"),
    [GPM_TUI_INCIDENTS_FIND_LARGER] = INC_FIND(">", "ASC"),
    [GPM_TUI_INCIDENTS_FIND_SMALLER_WRAP] = INC_FIND(">=", "DESC"),
    [GPM_TUI_INCIDENTS_FIND_LARGER_WRAP] = INC_FIND("<=", "ASC"),
    [GPM_TUI_INCIDENTS_ROWS_BELOW] =
        "SELECT count(*)" TUI_SQL_INC_FROM " AND (i.time, i.id) < (?9, ?10)",
    [GPM_TUI_INCIDENTS_ROWS_ABOVE] =
        "SELECT count(*)" TUI_SQL_INC_FROM " AND (i.time, i.id) > (?9, ?10)",
    [GPM_TUI_CLUSTERS_COUNT] = "SELECT count(*)" CLUSTER_FROM,
    [GPM_TUI_CLUSTERS_COUNT_FAST] = "SELECT count(*)" CLUSTER_FAST_FROM,
    [GPM_TUI_CLUSTERS_PAGE] = CLUSTER_SELECT CLUSTER_FROM,
    [GPM_TUI_CLUSTERS_PAGE_FAST] = CLUSTER_SELECT CLUSTER_FAST_FROM,
    [GPM_TUI_CLUSTERS_PAGE_KEY] = CLUSTER_SELECT CLUSTER_FROM CLUSTER_KEY_DOWN,
    [GPM_TUI_CLUSTERS_PAGE_KEY_FAST] = CLUSTER_SELECT CLUSTER_FAST_FROM CLUSTER_KEY_DOWN,
    [GPM_TUI_CLUSTERS_PAGE_KEY_REVERSE] = CLUSTER_SELECT CLUSTER_FROM CLUSTER_KEY_UP,
    [GPM_TUI_CLUSTERS_PAGE_KEY_REVERSE_FAST] = CLUSTER_SELECT CLUSTER_FAST_FROM CLUSTER_KEY_UP,
    [GPM_TUI_CLUSTER_LAST_INCIDENT] =
        "SELECT last_id FROM cluster_stats WHERE cluster = ?2 AND algorithm = ?1",
    [GPM_TUI_GOROUTINES_COUNT] = "SELECT CASE WHEN ?3 IS NULL AND ?4 IS NULL THEN (SELECT "
                                 "coalesce(sum(count), 0) FROM goroutine_runs WHERE "
                                 "incident_id = ?1 AND group_ordinal = ?2) ELSE (SELECT "
                                 "count(*)" GOROUTINE_WHERE(IN_GROUP) ") END",
    [GPM_TUI_GOROUTINES_COUNT_ANY] = "SELECT count(*)" GOROUTINE_WHERE(ANY_GROUP),
    [GPM_TUI_GOROUTINES_PAGE] = GOROUTINE_PAGE("ASC", IN_GROUP),
    [GPM_TUI_GOROUTINES_PAGE_ANY] = GOROUTINE_PAGE("ASC", ANY_GROUP),
    [GPM_TUI_GOROUTINES_PAGE_REVERSE] = GOROUTINE_PAGE("DESC", IN_GROUP),
    [GPM_TUI_GOROUTINES_PAGE_REVERSE_ANY] = GOROUTINE_PAGE("DESC", ANY_GROUP),
    [GPM_TUI_GOROUTINES_PAGE_KEY] = GOROUTINE_PAGE_KEY("ASC", IN_GROUP, ">="),
    [GPM_TUI_GOROUTINES_PAGE_KEY_ANY] = GOROUTINE_PAGE_KEY("ASC", ANY_GROUP, ">="),
    [GPM_TUI_GOROUTINES_PAGE_KEY_REVERSE] = GOROUTINE_PAGE_KEY("DESC", IN_GROUP, "<="),
    [GPM_TUI_GOROUTINES_PAGE_KEY_REVERSE_ANY] = GOROUTINE_PAGE_KEY("DESC", ANY_GROUP, "<="),
    [GPM_TUI_GOROUTINES_FIND_NEXT] = GOROUTINE_FIND(">", "ASC", IN_GROUP),
    [GPM_TUI_GOROUTINES_FIND_NEXT_ANY] = GOROUTINE_FIND(">", "ASC", ANY_GROUP),
    [GPM_TUI_GOROUTINES_FIND_PREV] = GOROUTINE_FIND("<", "DESC", IN_GROUP),
    [GPM_TUI_GOROUTINES_FIND_PREV_ANY] = GOROUTINE_FIND("<", "DESC", ANY_GROUP),
    [GPM_TUI_GOROUTINES_FIND_NEXT_WRAP] = GOROUTINE_FIND("<=", "ASC", IN_GROUP),
    [GPM_TUI_GOROUTINES_FIND_NEXT_WRAP_ANY] = GOROUTINE_FIND("<=", "ASC", ANY_GROUP),
    [GPM_TUI_GOROUTINES_FIND_PREV_WRAP] = GOROUTINE_FIND(">=", "DESC", IN_GROUP),
    [GPM_TUI_GOROUTINES_FIND_PREV_WRAP_ANY] = GOROUTINE_FIND(">=", "DESC", ANY_GROUP),
    [GPM_TUI_GROUP_MATCHES] =
        "SELECT instr(lower(coalesce(g.state, '-')), ?3) > 0 OR (g.stack_id IS NULL AND ?3 = "
        "'?') OR instr(lower(coalesce(" TUI_SQL_TOP_FRAME(
            "g.stack_id") ", '')), ?3) > 0 FROM "
                          "groups g WHERE g.incident_id = ?1 AND g.ordinal = ?2",
    [GPM_TUI_GOROUTINES_GOID_MAX] =
        "SELECT max(max_goid) FROM goroutine_runs WHERE incident_id = ?1 AND group_ordinal = ?2",
    [GPM_TUI_GROUP_WAITS] = "SELECT coalesce(min_wait, 0), coalesce(max_wait, 0) FROM groups "
                            "WHERE incident_id = ?1 AND ordinal = ?2",
    [GPM_TUI_GOROUTINES_GOID_RANGE] =
        "SELECT min(CASE WHEN g.id > ?5 THEN g.id END), min(g.id), max(CASE WHEN g.id < ?5 "
        "THEN g.id END), max(g.id) FROM goroutines g WHERE "
        "g.incident_id = ?1 AND g.group_ordinal = ?2 AND g.goid BETWEEN ?3 AND ?4",
    [GPM_TUI_GOROUTINES_ROWS_BEFORE] =
        "SELECT CASE WHEN ?3 IS NULL AND ?4 IS NULL THEN (SELECT coalesce(sum(count), 0) FROM "
        "goroutine_runs WHERE incident_id = ?1 AND group_ordinal = ?2 AND first_id < " RUN_AT
        ") + (SELECT count(*) FROM goroutines g WHERE g.incident_id = ?1 AND g.group_ordinal = "
        "?2 AND g.id >= " RUN_AT " AND g.id < ?5) ELSE (SELECT "
        "count(*)" GOROUTINE_WHERE(IN_GROUP) " AND g.id < ?5) END",
    [GPM_TUI_GOROUTINES_ROWS_BEFORE_ANY] =
        "SELECT count(*)" GOROUTINE_WHERE(ANY_GROUP) " AND g.id < ?5",
    [GPM_TUI_GROUPS_COUNT] = "SELECT count(*)" GROUP_FROM,
    [GPM_TUI_GROUPS_PAGE] =
        "SELECT g.count, coalesce(g.state, '-'), CASE WHEN coalesce(g.max_wait, "
        "0) = 0 THEN '' WHEN g.min_wait = g.max_wait THEN g.max_wait || ' min' "
        "ELSE g.min_wait || '-' || g.max_wait || ' min' END, "
        "coalesce(" TUI_SQL_TOP_FRAME("g.stack_id") ", '?'), g.ordinal" GROUP_FROM,
    [GPM_TUI_INCIDENT_INFO] =
        "SELECT i.id, strftime('%Y-%m-%d %H:%M:%S', i.time, 'unixepoch'), " TUI_SQL_EXE_BASE
        ", coalesce(i.go_version, '?'), i.kind, i.goroutines, i.headline, s.cluster_id FROM "
        "incidents i LEFT JOIN incident_signatures x ON x.incident_id = i.id AND x.algorithm "
        "= ?1 LEFT JOIN signatures s ON s.id = x.signature_id WHERE i.id = ?2",
    [GPM_TUI_INCIDENT_FINDINGS] =
        "SELECT id, rule, severity, title, explanation, json_extract(evidence, "
        "'$.confidence'), json_extract(evidence, '$.next'), "
        "json_array_length(evidence, '$.goroutines') FROM findings WHERE "
        "incident_id = ?1 ORDER BY ordinal LIMIT ?2",
    [GPM_TUI_FINDING_EVIDENCE] = "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') "
                                 "FROM json_each((SELECT evidence FROM findings WHERE id = ?1), "
                                 "'$.evidence') LIMIT ?2",
    [GPM_TUI_INCIDENT_GO_VERSION] = "SELECT go_version FROM incidents WHERE id = ?1",
    [GPM_TUI_INCIDENT_FILES] = "SELECT a.kind, a.path, a.kept, i.exe_read, i.exe FROM incidents i "
                               "JOIN artifacts a ON a.id = i.artifact_id WHERE i.id = ?1",
    [GPM_TUI_FINDING_PRINT] =
        "SELECT json_extract(evidence, '$.print'), (SELECT json_extract(value, '$[1]') FROM "
        "json_each(evidence, '$.evidence') WHERE json_extract(value, '$[0]') = 'inspect' "
        "LIMIT 1) FROM findings WHERE id = ?1 AND json_valid(evidence)",
    [GPM_TUI_INCIDENT_REPORT] = "SELECT report FROM incidents WHERE id = ?1",
    [GPM_TUI_SEARCH_COUNT] = "SELECT count(*)" SEARCH_FROM,
    [GPM_TUI_SEARCH_PAGE] = "SELECT " TUI_SQL_TIME_MIN(
        "i.time") ", coalesce(i.go_version, '-'), snippet(incident_fts, -1, "
                  "'[', ']', '...', 6), i.headline, i.id" SEARCH_FROM,
    [GPM_TUI_HEAP_COUNT] = "SELECT count(*)" HEAP_FROM,
    [GPM_TUI_HEAP_PAGE] = "SELECT h.type, h.count, " HEAP_SIZE("h.bytes") ", coalesce(" HEAP_SIZE(
        "h.retained") ", '-'), h.bytes, h.retained, coalesce(h.retained, -1)" HEAP_FROM,
    [GPM_TUI_HEAP_TYPE_PATH] =
        "SELECT hops FROM heap_paths WHERE incident_id = ?1 AND why = ?2 ORDER BY ordinal",
    [GPM_TUI_HEAP_HOLDERS] = "SELECT what, objects, bytes, path FROM report_holders WHERE "
                             "incident_id = ?1 ORDER BY ordinal",
    [GPM_TUI_HOLDERS_COUNT] = "SELECT count(*) FROM report_holders WHERE incident_id = ?1",
    [GPM_TUI_HOLDERS_PAGE] = "SELECT what, objects, " HEAP_SIZE(
        "bytes") ", path, bytes FROM report_holders WHERE incident_id = ?1 ORDER BY ordinal "
                 "LIMIT ?2 OFFSET ?3",
    [GPM_TUI_FRAMES_COUNT] = "SELECT count(*) FROM frames WHERE stack_id = ?1",
    [GPM_TUI_FRAMES_PAGE] =
        "SELECT f.depth, CASE WHEN f.flags & 4 THEN '...' || f.line || ' frames elided...' "
        "ELSE fn.name || CASE WHEN f.flags & 1 THEN ' [inlined]' ELSE '' END END, "
        "CASE WHEN f.flags & 4 THEN '' ELSE coalesce(fl.path, '?') || ':' || f.line END, "
        "coalesce(fl.path, ''), f.line, f.flags, fn.name FROM frames f JOIN functions fn ON "
        "fn.id = f.function_id LEFT JOIN files fl ON fl.id = f.file_id WHERE f.stack_id = ?1 "
        "ORDER BY f.depth LIMIT ?2 OFFSET ?3",
    [GPM_TUI_PREVIEW_STACK] =
        "SELECT fn.name, coalesce(fl.path, '?') || ':' || f.line, g.count, "
        "coalesce(g.state, '-'), gpm_frame_rank(fn.name) FROM groups g JOIN frames f ON "
        "f.stack_id = g.stack_id JOIN functions fn ON fn.id = f.function_id LEFT JOIN files "
        "fl ON fl.id = f.file_id WHERE g.incident_id = ?1 AND g.ordinal = 0 ORDER BY f.depth "
        "LIMIT ?2",
    [GPM_TUI_PREVIEW_INCIDENT] =
        "SELECT i.headline, i.kind, coalesce(i.exe, '-'), coalesce(i.go_version, '-'), "
        "strftime('%Y-%m-%d %H:%M:%S', i.time, 'unixepoch'), i.goroutines FROM incidents i "
        "WHERE i.id = ?1",
    [GPM_TUI_PREVIEW_FINDINGS] = "SELECT upper(severity), title, rule FROM findings WHERE "
                                 "incident_id = ?1 ORDER BY ordinal",
};

const char *gpm_tui_sql(enum gpm_tui_query q)
{
	return q < GPM_TUI_QUERY__COUNT ? queries[q] : NULL;
}

static const struct {
	const char *sql, *reverse;
} orders[GPM_TUI_ORDER__COUNT] = {
    [GPM_TUI_ORDER_NONE] = {"", ""},
    [GPM_TUI_ORDER_GROUPS_SIZE] = {"g.ordinal", "g.ordinal DESC"},
    [GPM_TUI_ORDER_SEARCH_RANK] = {"rank, i.id", "rank DESC, i.id"},
};

/*
 * The sorts of the incidents, clusters and heap lists as keys: terms of the PAGE
 * statement's cells (col), the last one unique, so every order is total and a page is read
 * from the known row nearest to it (keyset paging, gpm_tui_sql_keyset). A term is never NULL
 * (coalesced as it is shown or below every value). The columns are those of
 * GPM_TUI_INCIDENTS_PAGE, GPM_TUI_CLUSTERS_PAGE and GPM_TUI_HEAP_PAGE.
 */
#define K(expr, desc, integer, col)                                                                \
	{                                                                                          \
		expr, desc, integer, col                                                           \
	}
#define ASC          false
#define DESC         true
#define INC_TIME(d)  K("i.time", d, true, 6)
#define INC_ID(d)    K("i.id", d, true, 5)
#define CL_ID(d)     K("a.cluster", d, true, 0)
#define CL_COUNT(d)  K("a.count", d, true, 2)
#define HEAP_TYPE(d) K("h.type", d, false, 0)
static const struct {
	struct gpm_tui_key fwd[GPM_TUI_MAX_KEYS], rev[GPM_TUI_MAX_KEYS];
	size_t n;
} keys[GPM_TUI_ORDER__COUNT] = {
    [GPM_TUI_ORDER_INCIDENTS_TIME] = {{INC_TIME(DESC), INC_ID(DESC)},
                                      {INC_TIME(ASC), INC_ID(ASC)},
                                      2},
    [GPM_TUI_ORDER_INCIDENTS_EXE] = {{K(TUI_SQL_EXE_BASE, ASC, false, 1), INC_TIME(DESC),
                                      INC_ID(DESC)},
                                     {K(TUI_SQL_EXE_BASE, DESC, false, 1), INC_TIME(DESC),
                                      INC_ID(DESC)},
                                     3},
    [GPM_TUI_ORDER_INCIDENTS_GO] = {{K("coalesce(i.go_version, '')", DESC, false, 7),
                                     INC_TIME(DESC), INC_ID(DESC)},
                                    {K("coalesce(i.go_version, '')", ASC, false, 7), INC_TIME(DESC),
                                     INC_ID(DESC)},
                                    3},
    [GPM_TUI_ORDER_INCIDENTS_HEADLINE] = {{K("i.headline", ASC, false, 3), INC_TIME(DESC),
                                           INC_ID(DESC)},
                                          {K("i.headline", DESC, false, 3), INC_TIME(DESC),
                                           INC_ID(DESC)},
                                          3},
    [GPM_TUI_ORDER_INCIDENTS_CLUSTER] = {{K("coalesce(" TUI_SQL_INC_CLUSTER ", -1)", ASC, true, 8),
                                          INC_TIME(DESC), INC_ID(DESC)},
                                         {K("coalesce(" TUI_SQL_INC_CLUSTER ", -1)", DESC, true, 8),
                                          INC_TIME(DESC), INC_ID(DESC)},
                                         3},
    [GPM_TUI_ORDER_INCIDENTS_GOROUTINES] = {{K("coalesce(i.goroutines, -1)", DESC, true, 9),
                                             INC_ID(ASC)},
                                            {K("coalesce(i.goroutines, -1)", ASC, true, 9),
                                             INC_ID(ASC)},
                                            2},
    [GPM_TUI_ORDER_CLUSTERS_COUNT] = {{CL_COUNT(DESC), CL_ID(ASC)},
                                      {CL_COUNT(ASC), CL_ID(DESC)},
                                      2},
    [GPM_TUI_ORDER_CLUSTERS_LAST] = {{K("a.last", DESC, true, 10), CL_ID(ASC)},
                                     {K("a.last", ASC, true, 10), CL_ID(ASC)},
                                     2},
    [GPM_TUI_ORDER_CLUSTERS_FIRST] = {{K("a.first", ASC, true, 11), CL_ID(ASC)},
                                      {K("a.first", DESC, true, 11), CL_ID(ASC)},
                                      2},
    [GPM_TUI_ORDER_CLUSTERS_BUILDS] = {{K("a.builds", DESC, true, 5), CL_ID(ASC)},
                                       {K("a.builds", ASC, true, 5), CL_ID(ASC)},
                                       2},
    [GPM_TUI_ORDER_CLUSTERS_ID] = {{CL_ID(ASC)}, {CL_ID(DESC)}, 1},
    [GPM_TUI_ORDER_CLUSTERS_STATUS] = {{K("coalesce(c.status, '')", ASC, false, 12), CL_COUNT(DESC),
                                        CL_ID(ASC)},
                                       {K("coalesce(c.status, '')", DESC, false, 12),
                                        CL_COUNT(DESC), CL_ID(ASC)},
                                       3},
    [GPM_TUI_ORDER_HEAP_BYTES] = {{K("h.bytes", DESC, true, 4), HEAP_TYPE(ASC)},
                                  {K("h.bytes", ASC, true, 4), HEAP_TYPE(DESC)},
                                  2},
    [GPM_TUI_ORDER_HEAP_RETAINED] = {{K("coalesce(h.retained, -1)", DESC, true, 6),
                                      K("h.bytes", DESC, true, 4), HEAP_TYPE(ASC)},
                                     {K("coalesce(h.retained, -1)", ASC, true, 6),
                                      K("h.bytes", ASC, true, 4), HEAP_TYPE(DESC)},
                                     3},
    [GPM_TUI_ORDER_HEAP_OBJECTS] = {{K("h.count", DESC, true, 1), HEAP_TYPE(ASC)},
                                    {K("h.count", ASC, true, 1), HEAP_TYPE(DESC)},
                                    2},
};
#undef K
#undef ASC
#undef DESC
#undef INC_TIME
#undef INC_ID
#undef CL_ID
#undef CL_COUNT
#undef HEAP_TYPE

const struct gpm_tui_key *gpm_tui_order_keys(enum gpm_tui_order o, bool reverse, size_t *n)
{
	*n = o < GPM_TUI_ORDER__COUNT ? keys[o].n : 0;
	if (!*n)
		return NULL;
	return reverse ? keys[o].rev : keys[o].fwd;
}

// The ORDER BY terms of o (back: in the exact reverse) into buf.
static bool order_sql(char *buf, size_t size, enum gpm_tui_order o, bool reverse, bool back)
{
	size_t n;
	const struct gpm_tui_key *k = gpm_tui_order_keys(o, reverse, &n);
	if (!k) {
		const char *sql =
		    o < GPM_TUI_ORDER__COUNT ? (reverse ? orders[o].reverse : orders[o].sql) : "";
		int w = snprintf(buf, size, "%s", sql ? sql : "");
		return w >= 0 && (size_t)w < size;
	}
	size_t at = 0;
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + at, size - at, "%s%s %s", i ? ", " : "", k[i].expr,
		                 k[i].desc != back ? "DESC" : "ASC");
		if (w < 0 || (size_t)w >= size - at)
			return false;
		at += (size_t)w;
	}
	return true;
}

bool gpm_tui_sql_page(char *buf, size_t size, const char *select, enum gpm_tui_order o,
                      bool reverse, size_t nb)
{
	char order[2048];
	if (!order_sql(order, sizeof(order), o, reverse, false))
		return false;
	int n = snprintf(buf, size, "%s ORDER BY %s LIMIT ?%zu OFFSET ?%zu", select, order, nb + 1,
	                 nb + 2);
	return n >= 0 && (size_t)n < size;
}

bool gpm_tui_sql_keyset(char *buf, size_t size, const char *select, enum gpm_tui_order o,
                        bool reverse, bool back, bool anchored, size_t nb)
{
	size_t n;
	const struct gpm_tui_key *k = gpm_tui_order_keys(o, reverse, &n);
	char order[2048];
	if (!k || !order_sql(order, sizeof(order), o, reverse, back))
		return false;
	/*
	 * The rows at or past the anchor (keys ?nb+1..?nb+n) in the order read: (k1 past a1)
	 * OR (k1 = a1 AND ((k2 past a2) OR (k2 = a2 AND ... kn at or past an))), each term
	 * ascending or descending as the order has it.
	 */
	char cond[8192] = "";
	if (anchored) {
		size_t at = 0;
		for (size_t i = 0; i < n; i++) {
			const char *past = k[i].desc != back ? "<" : ">";
			int w = i + 1 < n ? snprintf(cond + at, sizeof(cond) - at,
			                             "(%s %s ?%zu OR (%s = ?%zu AND ", k[i].expr,
			                             past, nb + 1 + i, k[i].expr, nb + 1 + i)
			                  : snprintf(cond + at, sizeof(cond) - at, "%s %s= ?%zu",
			                             k[i].expr, past, nb + 1 + i);
			if (w < 0 || (size_t)w >= sizeof(cond) - at)
				return false;
			at += (size_t)w;
		}
		for (size_t i = 0; i + 1 < n; i++) {
			if (at + 2 >= sizeof(cond))
				return false;
			cond[at++] = ')';
			cond[at++] = ')';
			cond[at] = 0;
		}
	}
	int w = snprintf(buf, size, "%s%s%s ORDER BY %s LIMIT ?%zu OFFSET ?%zu", select,
	                 anchored ? " AND " : "", cond, order, nb + n + 1, nb + n + 2);
	return w >= 0 && (size_t)w < size;
}

bool gpm_tui_sql_find(char *buf, size_t size, const char *cells, size_t ncells,
                      enum gpm_tui_order o, bool reverse, size_t nb, int dir)
{
	char names[128] = "", match[1024] = "", by[2048];
	if (!order_sql(by, sizeof(by), o, reverse, false))
		return false;
	size_t nn = 0, nm = 0;
	for (size_t c = 0; c < ncells && c < 10; c++) {
		nn += (size_t)snprintf(names + nn, sizeof(names) - nn, ", c%zu", c);
		nm += (size_t)snprintf(match + nm, sizeof(match) - nm,
		                       "%sinstr(lower(c%zu), lower(?%zu)) > 0", c ? " OR " : "", c,
		                       nb + 1);
	}
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
	int n = snprintf(buf, size,
	                 "WITH r(rn%s) AS (SELECT row_number() OVER (ORDER BY %s) - 1, %s) SELECT "
	                 "rn FROM r WHERE %s ORDER BY %s LIMIT 1",
	                 names, by, cells, match, order);
	return n >= 0 && (size_t)n < size && nn < sizeof(names) && nm < sizeof(match);
}
