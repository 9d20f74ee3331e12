/*
 * Cluster workflow (workflow.h): status changes, owners, notes and links as events, the
 * summary "seen N times since ...; resolved in B on ...; regressed in C", and trends.
 */
#include <stdlib.h>
#include <string.h>

#include "store/internal.h"
#include "store/signature.h"
#include "store/workflow.h"

static const char *const action_names[] = {
    [GPM_CLUSTER_RESOLVE] = "resolve", [GPM_CLUSTER_REOPEN] = "reopen",
    [GPM_CLUSTER_IGNORE] = "ignore",   [GPM_CLUSTER_INVESTIGATE] = "investigate",
    [GPM_CLUSTER_NOTE] = "note",       [GPM_CLUSTER_LINK] = "link",
    [GPM_CLUSTER_ASSIGN] = "assign",
};

const char *gpm_cluster_action_name(enum gpm_cluster_action a)
{
	return (size_t)a < sizeof(action_names) / sizeof(action_names[0]) ? action_names[a] : "?";
}

static struct gpm_error *prepare(struct gpm_store *st, const char *sql, sqlite3_stmt **s)
{
	int rc = sqlite3_prepare_v2(st->db, sql, -1, s, NULL);
	return rc == SQLITE_OK ? NULL : gpm_store_sqlite_error(st, rc, "prepare");
}

// Runs a prepared statement bound by the caller to its end, then finalizes it.
static struct gpm_error *step_final(struct gpm_store *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? NULL : gpm_store_sqlite_error(st, rc, what);
}

static struct gpm_error *apply(struct gpm_store *st, int64_t id, enum gpm_cluster_action action,
                               const char *value, const char *who, int64_t now)
{
	sqlite3_stmt *s;
	struct gpm_error *err = prepare(st, "SELECT owner FROM clusters WHERE id = ?1", &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	bool owned = rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL;
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return gpm_error_create(GPM_ERR_NOT_FOUND, "no cluster %lld", (long long)id);
	if (rc != SQLITE_ROW)
		return gpm_store_sqlite_error(st, rc, "cluster");
	const char *sql = NULL;
	switch (action) {
	case GPM_CLUSTER_RESOLVE:
		sql = "UPDATE clusters SET status = 'resolved', resolved_build = ?2, "
		      "resolved_time = ?3 WHERE id = ?1";
		break;
	case GPM_CLUSTER_REOPEN:
		sql = owned
		          ? "UPDATE clusters SET status = 'investigating', resolved_build = NULL, "
		            "resolved_time = NULL WHERE id = ?1"
		          : "UPDATE clusters SET status = 'new', resolved_build = NULL, "
		            "resolved_time = NULL WHERE id = ?1";
		break;
	case GPM_CLUSTER_IGNORE:
		sql = "UPDATE clusters SET status = 'ignored' WHERE id = ?1";
		break;
	case GPM_CLUSTER_INVESTIGATE:
		sql = "UPDATE clusters SET status = 'investigating' WHERE id = ?1";
		break;
	case GPM_CLUSTER_ASSIGN:
		// Taking a new cluster is starting to investigate it.
		sql = "UPDATE clusters SET owner = nullif(?2, ''), status = CASE WHEN status = "
		      "'new' AND ?2 <> '' THEN 'investigating' ELSE status END WHERE id = ?1";
		break;
	case GPM_CLUSTER_NOTE:
	case GPM_CLUSTER_LINK:
		break; // only the event
	}
	if (sql) {
		if ((err = prepare(st, sql, &s)))
			return err;
		sqlite3_bind_int64(s, 1, id);
		if (sqlite3_bind_parameter_count(s) >= 2)
			gpm_store_bind_text(s, 2,
			                    action == GPM_CLUSTER_ASSIGN && !value ? "" : value);
		if (sqlite3_bind_parameter_count(s) >= 3)
			sqlite3_bind_int64(s, 3, now);
		if ((err = step_final(st, s, "cluster update")))
			return err;
	}
	if ((err = prepare(st,
	                   "INSERT INTO cluster_events (cluster_id, time, who, action, value) "
	                   "VALUES (?1, ?2, ?3, ?4, ?5)",
	                   &s)))
		return err;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	gpm_store_bind_text(s, 3, who && *who ? who : "unknown");
	sqlite3_bind_text(s, 4, gpm_cluster_action_name(action), -1, SQLITE_STATIC);
	gpm_store_bind_text(s, 5, value);
	return step_final(st, s, "cluster event");
}

struct gpm_error *gpm_store_cluster_change(struct gpm_store *st, int64_t cluster_id,
                                           enum gpm_cluster_action action, const char *value,
                                           const char *who, int64_t now)
{
	if (st->readonly)
		return gpm_error_create(GPM_ERR_USAGE, "%s: opened read-only", st->path);
	if ((action == GPM_CLUSTER_NOTE || action == GPM_CLUSTER_LINK) && (!value || !*value))
		return gpm_error_create(GPM_ERR_USAGE, "%s needs a text",
		                        gpm_cluster_action_name(action));
	struct gpm_error *err = gpm_store_exec(st, "BEGIN IMMEDIATE");
	if (err)
		return err;
	if ((err = apply(st, cluster_id, action, value, who, now))) {
		gpm_store_exec(st, "ROLLBACK");
		return err;
	}
	return gpm_store_exec(st, "COMMIT");
}

static char *col_dup(sqlite3_stmt *s, int i, bool *oom)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	if (!t)
		return NULL;
	char *d = strdup((const char *)t);
	if (!d)
		*oom = true;
	return d;
}

/*
 * Count, first and last seen from cluster_stats (schema 4's triggers keep it per cluster),
 * not from the cluster's incidents: a cluster of 31,000 incidents was read three times. Its
 * algorithm is the least of the cluster's rows, so it stands for the aggregate when that is
 * the current one; a cluster that still has rows of an older algorithm (before a resign
 * finished) is aggregated as before. Whether it regressed is asked only of a resolved
 * cluster (CASE evaluates the subquery only then).
 */
#define CI GPM_SQL_CLUSTER_INCIDENTS("c.id")
#define CS(col)                                                                                    \
	"(SELECT " col " FROM cluster_stats st WHERE st.cluster = c.id AND st.algorithm = ?1)"
#define STAT(col, agg) "CASE WHEN " CS("1") " THEN " CS(col) " ELSE (SELECT " agg CI ") END"
#define STATS                                                                                      \
	STAT("st.count", "count(*)")                                                               \
	", " STAT("st.first", "min(i.time)") ", " STAT("st.last", "max(i.time)")
#define REGRESSED                                                                                  \
	"CASE WHEN c.status = 'resolved' THEN " GPM_SQL_REGRESSED " END, CASE WHEN c.status = "    \
	"'resolved' THEN (SELECT max(i.time)" CI GPM_SQL_REGRESSED_WHERE ") END"
static const char summary_sql[] =
    "WITH " GPM_SQL_BUILD_KEYS " SELECT c.id, " STATS ", c.status, c.owner, c.resolved_build, "
    "c.resolved_time, " GPM_SQL_FIRST_BUILD ", " REGRESSED ", "
    "(SELECT count(*) FROM cluster_events e WHERE e.cluster_id = c.id AND e.action = 'note'), "
    "(SELECT count(*) FROM cluster_events e WHERE e.cluster_id = c.id AND e.action = 'link') "
    "FROM clusters c WHERE c.id = ?2";
#undef REGRESSED
#undef STATS
#undef STAT
#undef CS
#undef CI

struct gpm_error *gpm_store_cluster_summary(struct gpm_store *st, int64_t cluster_id,
                                            struct gpm_cluster_summary *out)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *s;
	struct gpm_error *err = prepare(st, summary_sql, &s);
	if (err)
		return err;
	sqlite3_bind_int(s, 1, GPM_SIGNATURE_ALGORITHM);
	sqlite3_bind_int64(s, 2, cluster_id);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW || !sqlite3_column_int64(s, 1)) {
		sqlite3_finalize(s);
		if (rc == SQLITE_ROW || rc == SQLITE_DONE)
			return gpm_error_create(GPM_ERR_NOT_FOUND, "no cluster %lld",
			                        (long long)cluster_id);
		return gpm_store_sqlite_error(st, rc, "cluster");
	}
	bool oom = false;
	out->id = sqlite3_column_int64(s, 0);
	out->count = sqlite3_column_int64(s, 1);
	out->first = sqlite3_column_int64(s, 2);
	out->last = sqlite3_column_int64(s, 3);
	out->status = col_dup(s, 4, &oom);
	out->owner = col_dup(s, 5, &oom);
	out->resolved_build = col_dup(s, 6, &oom);
	out->resolved_time = sqlite3_column_int64(s, 7);
	out->first_build = col_dup(s, 8, &oom);
	out->regressed = col_dup(s, 9, &oom);
	out->regressed_time = sqlite3_column_int64(s, 10);
	out->notes = sqlite3_column_int64(s, 11);
	out->links = sqlite3_column_int64(s, 12);
	sqlite3_finalize(s);
	if (oom || !out->status) {
		gpm_cluster_summary_deinit(out);
		return &gpm_error_nomem;
	}
	return NULL;
}

void gpm_cluster_summary_deinit(struct gpm_cluster_summary *s)
{
	free(s->status);
	free(s->owner);
	free(s->resolved_build);
	free(s->first_build);
	free(s->regressed);
	memset(s, 0, sizeof(*s));
}

struct gpm_error *gpm_store_cluster_events(struct gpm_store *st, int64_t cluster_id,
                                           struct gpm_store_table *out)
{
	sqlite3_stmt *s;
	struct gpm_error *err =
	    prepare(st,
	            "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', time, 'unixepoch') AS time, who, "
	            "action, value FROM cluster_events WHERE cluster_id = ?1 ORDER BY id",
	            &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, cluster_id);
	err = gpm_store_table_fill(st, s, -1, out);
	sqlite3_finalize(s);
	return err;
}

/*
 * Incidents per cluster and day. From a time on (the TUI's sparkline asks for 30 days), the
 * incidents are read by time first (CROSS JOIN keeps that order): their times are in an
 * index, where starting from the cluster reads each of its incidents' rows.
 */
#define TREND_DAYS(join, since)                                                                    \
	"SELECT s.cluster_id AS cluster, strftime('%Y-%m-%d', i.time, 'unixepoch') AS day, "       \
	"count(*) AS count, strftime('%Y-%m-%dT%H:%M:%SZ', min(i.time), 'unixepoch') AS first "    \
	"FROM incidents i" join "incident_signatures x ON x.incident_id = i.id AND x.algorithm = " \
	"?1" join "signatures s ON s.id = x.signature_id WHERE s.cluster_id IS NOT NULL AND (?2 "  \
	"IS NULL OR s.cluster_id = ?2) AND " since " AND (?4 IS NULL OR i.time < ?4) GROUP BY "    \
	"s.cluster_id, day ORDER BY s.cluster_id, day"

struct gpm_error *gpm_store_cluster_trend(struct gpm_store *st, bool per_build,
                                          const struct gpm_store_filter *f,
                                          struct gpm_store_table *out)
{
	sqlite3_stmt *s;
	struct gpm_error *err = prepare(
	    st,
	    per_build
	        ? "WITH " GPM_SQL_BUILD_KEYS
	          " SELECT s.cluster_id AS cluster, coalesce(i.build, '-') AS build, count(*) AS "
	          "count, strftime('%Y-%m-%dT%H:%M:%SZ', min(i.time), 'unixepoch') AS first FROM "
	          "incidents i JOIN incident_signatures x ON x.incident_id = i.id AND x.algorithm "
	          "= ?1 JOIN signatures s ON s.id = x.signature_id LEFT JOIN bk ON bk.build = "
	          "i.build WHERE s.cluster_id IS NOT NULL AND (?2 IS NULL OR s.cluster_id = ?2) "
	          "AND (?3 IS NULL OR i.time >= ?3) AND (?4 IS NULL OR i.time < ?4) GROUP BY "
	          "s.cluster_id, i.build ORDER BY s.cluster_id, coalesce(min(bk.k), min(i.time)), "
	          "i.build"
	    : f && f->since ? TREND_DAYS(" CROSS JOIN ", "i.time >= ?3")
	                    : TREND_DAYS(" JOIN ", "?3 IS NULL"),
	    &s);
	if (err)
		return err;
	sqlite3_bind_int(s, 1, GPM_SIGNATURE_ALGORITHM);
	if (f && f->cluster)
		sqlite3_bind_int64(s, 2, f->cluster);
	if (f && f->since)
		sqlite3_bind_int64(s, 3, f->since);
	if (f && f->until)
		sqlite3_bind_int64(s, 4, f->until);
	err = gpm_store_table_fill(st, s, -1, out);
	sqlite3_finalize(s);
	return err;
}
#undef TREND_DAYS
