/*
 * Storing an incident's heap summary (see heap.h).
 */
#include "store/heap.h"

#include <inttypes.h>

#include "store/internal.h"

static struct gpm_error *prepare(struct gpm_store *st, const char *sql, sqlite3_stmt **out)
{
	int rc = sqlite3_prepare_v2(st->db, sql, -1, out, NULL);
	return rc == SQLITE_OK ? NULL : gpm_store_sqlite_error(st, rc, "heap summary");
}

static struct gpm_error *step_done(struct gpm_store *st, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	return rc == SQLITE_DONE ? NULL : gpm_store_sqlite_error(st, rc, "heap summary");
}

/*
 * Opens the transaction that replaces what incident_id has stored in one table ("DELETE
 * FROM table WHERE incident_id = ?1" as delete_sql): NOT_FOUND when there is no such
 * incident. On error nothing is left open.
 */
static struct gpm_error *begin_replace(struct gpm_store *st, int64_t incident_id,
                                       const char *delete_sql, const char *what)
{
	struct gpm_error *err = gpm_store_exec(st, "BEGIN IMMEDIATE");
	if (err)
		return err;
	sqlite3_stmt *s = NULL;
	if ((err = prepare(st, "SELECT 1 FROM incidents WHERE id = ?1", &s)))
		goto fail;
	sqlite3_bind_int64(s, 1, incident_id);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	s = NULL;
	if (rc != SQLITE_ROW) {
		err = rc == SQLITE_DONE
		          ? gpm_error_create(GPM_ERR_NOT_FOUND, "incident %" PRId64 " not found",
		                             incident_id)
		          : gpm_store_sqlite_error(st, rc, what);
		goto fail;
	}
	if ((err = prepare(st, delete_sql, &s)))
		goto fail;
	sqlite3_bind_int64(s, 1, incident_id);
	err = step_done(st, s);
fail:
	sqlite3_finalize(s);
	if (err)
		gpm_error_destroy(gpm_store_exec(st, "ROLLBACK"));
	return err;
}

struct gpm_error *gpm_store_heap_summary(struct gpm_store *st, int64_t incident_id, uint64_t bytes,
                                         uint64_t objects, uint64_t spans,
                                         const struct gpm_store_heap_type *types, size_t ntypes)
{
	if (bytes > INT64_MAX || objects > INT64_MAX || spans > INT64_MAX)
		return gpm_error_create(GPM_ERR_LIMIT, "heap summary: totals out of range");
	struct gpm_error *err = begin_replace(
	    st, incident_id, "DELETE FROM heap_types WHERE incident_id = ?1", "heap summary");
	if (err)
		return err;
	sqlite3_stmt *s = NULL;
	if ((err = prepare(
	         st,
	         "INSERT OR REPLACE INTO heap_summaries (incident_id, bytes, objects, spans) "
	         "VALUES (?1, ?2, ?3, ?4)",
	         &s)))
		goto fail;
	sqlite3_bind_int64(s, 1, incident_id);
	sqlite3_bind_int64(s, 2, (int64_t)bytes);
	sqlite3_bind_int64(s, 3, (int64_t)objects);
	sqlite3_bind_int64(s, 4, (int64_t)spans);
	if ((err = step_done(st, s)))
		goto fail;
	sqlite3_finalize(s);
	if ((err = prepare(st,
	                   "INSERT INTO heap_types (incident_id, type, count, bytes, retained) "
	                   "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (incident_id, type) DO UPDATE "
	                   "SET count = count + excluded.count, bytes = bytes + excluded.bytes, "
	                   "retained = retained + excluded.retained",
	                   &s)))
		goto fail;
	for (size_t i = 0; i < ntypes; i++) {
		if (!types[i].type || types[i].count > INT64_MAX || types[i].bytes > INT64_MAX)
			continue;
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, incident_id);
		gpm_store_bind_text(s, 2, types[i].type);
		sqlite3_bind_int64(s, 3, (int64_t)types[i].count);
		sqlite3_bind_int64(s, 4, (int64_t)types[i].bytes);
		if (types[i].has_retained && types[i].retained <= INT64_MAX)
			sqlite3_bind_int64(s, 5, (int64_t)types[i].retained);
		else
			sqlite3_bind_null(s, 5);
		if ((err = step_done(st, s)))
			goto fail;
	}
	sqlite3_finalize(s);
	s = NULL;
	if ((err = gpm_store_exec(st, "COMMIT")))
		goto fail;
	return NULL;
fail:
	sqlite3_finalize(s);
	gpm_error_destroy(gpm_store_exec(st, "ROLLBACK"));
	return err;
}

struct gpm_error *gpm_store_heap_paths(struct gpm_store *st, int64_t incident_id,
                                       const struct gpm_store_heap_path *paths, size_t npaths)
{
	if (st->version < 11)
		return NULL;
	struct gpm_error *err = begin_replace(
	    st, incident_id, "DELETE FROM heap_paths WHERE incident_id = ?1", "heap paths");
	if (err)
		return err;
	sqlite3_stmt *s = NULL;
	if ((err = prepare(st,
	                   "INSERT INTO heap_paths (incident_id, ordinal, why, retained, hops) "
	                   "VALUES (?1, ?2, ?3, ?4, ?5)",
	                   &s)))
		goto fail;
	for (size_t i = 0; i < npaths; i++) {
		if (!paths[i].why || !paths[i].hops)
			continue;
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, incident_id);
		sqlite3_bind_int64(s, 2, (int64_t)i);
		gpm_store_bind_text(s, 3, paths[i].why);
		if (paths[i].retained && paths[i].retained <= INT64_MAX)
			sqlite3_bind_int64(s, 4, (int64_t)paths[i].retained);
		else
			sqlite3_bind_null(s, 4);
		gpm_store_bind_text(s, 5, paths[i].hops);
		if ((err = step_done(st, s)))
			goto fail;
	}
	sqlite3_finalize(s);
	s = NULL;
	if ((err = gpm_store_exec(st, "COMMIT")))
		goto fail;
	return NULL;
fail:
	sqlite3_finalize(s);
	gpm_error_destroy(gpm_store_exec(st, "ROLLBACK"));
	return err;
}

struct gpm_error *gpm_store_incident_heap_types(struct gpm_store *st, int64_t id, bool *known,
                                                struct gpm_store_table *out)
{
	sqlite3_stmt *s = NULL;
	struct gpm_error *err =
	    prepare(st, "SELECT 1 FROM heap_summaries WHERE incident_id = ?1", &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return gpm_store_sqlite_error(st, rc, "heap summary");
	*known = rc == SQLITE_ROW;
	if ((err = prepare(st,
	                   st->version >= 5
	                       ? "SELECT type, count, bytes, retained FROM heap_types WHERE "
	                         "incident_id = ?1 ORDER BY bytes DESC, type"
	                       : "SELECT type, count, bytes, NULL AS retained FROM heap_types "
	                         "WHERE incident_id = ?1 ORDER BY bytes DESC, type",
	                   &s)))
		return err;
	sqlite3_bind_int64(s, 1, id);
	err = gpm_store_table_fill(st, s, -1, out);
	sqlite3_finalize(s);
	return err;
}

struct gpm_error *gpm_store_incident_heap_holders(struct gpm_store *st, int64_t id,
                                                  struct gpm_store_table *out)
{
	sqlite3_stmt *s = NULL;
	// Kept since schema 5 (the report as data); an older archive has none.
	struct gpm_error *err =
	    prepare(st,
	            st->version >= 5 ? "SELECT what, objects, bytes FROM report_holders WHERE "
	                               "incident_id = ?1 ORDER BY ordinal"
	                             : "SELECT NULL AS what, 0 AS objects, 0 AS bytes WHERE 0",
	            &s);
	if (err)
		return err;
	if (st->version >= 5)
		sqlite3_bind_int64(s, 1, id);
	err = gpm_store_table_fill(st, s, -1, out);
	sqlite3_finalize(s);
	return err;
}
