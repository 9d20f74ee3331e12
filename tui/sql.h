/*
 * SQL fragments shared by the TUI's list views: how a list shows an executable, a time and a
 * stack's top frame, and the FROM ... WHERE of an incidents list with its filters. Fixed
 * strings only: values are always bound (?1..?8 by tui_query_binds).
 */
#ifndef GPM_TUI_SQL_H
#define GPM_TUI_SQL_H

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

#endif
