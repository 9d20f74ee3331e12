/*
 * Maintenance of the archive: removing incidents, collecting what nothing refers to,
 * re-signing after a signature algorithm change, and rebuilding an incident from its rows
 * (what re-signing computes on).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/incident.h"
#include "store/cluster.h"
#include "store/internal.h"
#include "store/signature.h"

static struct gpm_error *prepare(struct gpm_store *st, const char *sql, sqlite3_stmt **s)
{
	int rc = sqlite3_prepare_v2(st->db, sql, -1, s, NULL);
	return rc == SQLITE_OK ? NULL : gpm_store_sqlite_error(st, rc, "prepare");
}

static struct gpm_error *writable(struct gpm_store *st)
{
	return st->readonly ? gpm_error_create(GPM_ERR_USAGE, "%s: opened read-only", st->path)
	                    : NULL;
}

struct gpm_error *gpm_store_remove(struct gpm_store *st, int64_t incident_id)
{
	struct gpm_error *err = writable(st);
	if (err)
		return err;
	sqlite3_stmt *s;
	if ((err = prepare(st, "DELETE FROM incidents WHERE id = ?1", &s)))
		return err;
	sqlite3_bind_int64(s, 1, incident_id);
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return gpm_store_sqlite_error(st, rc, "delete");
	if (!sqlite3_changes(st->db))
		return gpm_error_create(GPM_ERR_NOT_FOUND, "no incident %lld",
		                        (long long)incident_id);
	return NULL;
}

static struct gpm_error *delete_count(struct gpm_store *st, const char *sql, uint64_t *n)
{
	struct gpm_error *err = gpm_store_exec(st, sql);
	if (!err)
		*n = (uint64_t)sqlite3_changes64(st->db);
	return err;
}

struct gpm_error *gpm_store_gc(struct gpm_store *st, struct gpm_store_gc_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	struct gpm_error *err = writable(st);
	if (err || (err = gpm_store_exec(st, "BEGIN IMMEDIATE")))
		return err;
	// Order matters: goroutines, groups and threads went with their incidents (cascade);
	// stacks no goroutine, group or thread uses go next (their frames cascade), then names.
	if (!err)
		err = delete_count(st,
		                   "DELETE FROM artifacts WHERE id NOT IN (SELECT artifact_id "
		                   "FROM incidents)",
		                   &stats->artifacts);
	if (!err)
		err = delete_count(st,
		                   st->version >= 9
		                       ? "DELETE FROM stacks WHERE id NOT IN (SELECT stack_id FROM "
		                         "goroutines WHERE stack_id IS NOT NULL) AND id NOT IN "
		                         "(SELECT stack_id FROM groups WHERE stack_id IS NOT NULL) "
		                         "AND id NOT IN (SELECT stack_id FROM threads WHERE "
		                         "stack_id IS NOT NULL)"
		                       : "DELETE FROM stacks WHERE id NOT IN (SELECT stack_id FROM "
		                         "goroutines WHERE stack_id IS NOT NULL) AND id NOT IN "
		                         "(SELECT stack_id FROM groups WHERE stack_id IS NOT NULL)",
		                   &stats->stacks);
	if (!err)
		err = delete_count(st,
		                   "DELETE FROM functions WHERE id NOT IN (SELECT function_id FROM "
		                   "frames) AND id NOT IN (SELECT created_by FROM goroutines WHERE "
		                   "created_by IS NOT NULL)",
		                   &stats->functions);
	if (!err)
		err = delete_count(st,
		                   "DELETE FROM files WHERE id NOT IN (SELECT file_id FROM "
		                   "frames WHERE file_id IS NOT NULL)",
		                   &stats->files);
	if (!err)
		err = delete_count(st,
		                   "DELETE FROM signatures WHERE id NOT IN (SELECT "
		                   "signature_id FROM incident_signatures)",
		                   &stats->signatures);
	if (!err)
		err = delete_count(st,
		                   "DELETE FROM clusters WHERE id NOT IN (SELECT cluster_id "
		                   "FROM signatures WHERE cluster_id IS NOT NULL)",
		                   &stats->clusters);
	if (err) {
		gpm_store_exec(st, "ROLLBACK");
		return err;
	}
	if ((err = gpm_store_exec(st, "COMMIT")))
		return err;
	if ((err = gpm_store_artifact_gc(st, &stats->kept_files)))
		return err;
	// Give the space back; a busy reader only delays the checkpoint.
	return gpm_store_exec(st, "INSERT INTO incident_fts(incident_fts) VALUES ('optimize'); "
	                          "PRAGMA wal_checkpoint(TRUNCATE); VACUUM");
}

static const char *col_str(sqlite3_stmt *s, int i, struct gpm_incident *inc)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	if (!t)
		return NULL;
	return gpm_incident_str(inc, (const char *)t, (size_t)sqlite3_column_bytes(s, i));
}

static enum gpm_fatal_kind fatal_kind(const char *s)
{
	static const struct {
		const char *name;
		enum gpm_fatal_kind kind;
	} names[] = {{"panic", GPM_FATAL_PANIC},   {"throw", GPM_FATAL_THROW},
	             {"signal", GPM_FATAL_SIGNAL}, {"quit", GPM_FATAL_QUIT},
	             {"race", GPM_FATAL_RACE},     {"unknown", GPM_FATAL_UNKNOWN}};
	for (size_t i = 0; s && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i].name))
			return names[i].kind;
	return GPM_FATAL_NONE;
}

// One stored stack into the incident (frames with names, files, lines and flags).
static struct gpm_error *load_stack(struct gpm_store *st, sqlite3_stmt *fs,
                                    struct gpm_incident *inc, int64_t stack_id, uint32_t *out)
{
	struct gpm_stack_builder b;
	gpm_incident_stack_begin(inc, &b);
	sqlite3_reset(fs);
	sqlite3_bind_int64(fs, 1, stack_id);
	int rc;
	while ((rc = sqlite3_step(fs)) == SQLITE_ROW) {
		struct gpm_frame *f = gpm_incident_frame_push(inc);
		if (!f)
			return &gpm_error_nomem;
		f->func = col_str(fs, 0, inc);
		f->file = col_str(fs, 1, inc);
		f->line = (uint32_t)sqlite3_column_int64(fs, 2);
		f->flags = (uint32_t)sqlite3_column_int64(fs, 3);
		if (!f->func)
			return &gpm_error_nomem;
	}
	if (rc != SQLITE_DONE)
		return gpm_store_sqlite_error(st, rc, "frames");
	return gpm_incident_stack_commit(inc, &b, out);
}

// Stored stack id -> index of the loaded stack: open addressing, doubled at half full, so
// loading an incident is linear in its goroutines however many distinct stacks it has.
struct stack_memo {
	struct stack_memo_slot {
		int64_t id; // 0: empty (row ids start at 1)
		uint32_t index;
	} * slots;
	size_t cap, len;
};

static struct stack_memo_slot *stack_memo_find(struct stack_memo *m, int64_t id)
{
	size_t i = (size_t)((uint64_t)id * 0x9e3779b97f4a7c15ULL >> 17);
	for (;; i++) {
		struct stack_memo_slot *slot = &m->slots[i & (m->cap - 1)];
		if (!slot->id || slot->id == id)
			return slot;
	}
}

// The slot of id, empty when not yet loaded; NULL when out of memory.
static struct stack_memo_slot *stack_memo_slot(struct stack_memo *m, int64_t id)
{
	if (2 * (m->len + 1) > m->cap) {
		size_t ncap = m->cap ? 2 * m->cap : 64;
		struct stack_memo old = *m;
		m->slots = calloc(ncap, sizeof(*m->slots));
		if (!m->slots) {
			*m = old;
			return NULL;
		}
		m->cap = ncap;
		for (size_t i = 0; i < old.cap; i++)
			if (old.slots[i].id)
				*stack_memo_find(m, old.slots[i].id) = old.slots[i];
		free(old.slots);
	}
	return stack_memo_find(m, id);
}

// The stored stack stack_id as an index into inc->stacks, loaded once.
static struct gpm_error *memo_stack(struct gpm_store *st, sqlite3_stmt *fs,
                                    struct gpm_incident *inc, struct stack_memo *memo, int64_t sid,
                                    uint32_t *index)
{
	struct stack_memo_slot *slot = sid > 0 ? stack_memo_slot(memo, sid) : NULL;
	if (!slot)
		return sid > 0 ? &gpm_error_nomem
		               : gpm_error_create(GPM_ERR_FORMAT, "stack id %lld", (long long)sid);
	if (!slot->id) {
		uint32_t i;
		struct gpm_error *err = load_stack(st, fs, inc, sid, &i);
		if (err)
			return err;
		slot->id = sid;
		slot->index = i;
		memo->len++;
	}
	*index = slot->index;
	return NULL;
}

// The threads running code that is not Go (schema 9; none for incidents stored before).
static struct gpm_error *load_threads(struct gpm_store *st, sqlite3_stmt *fs,
                                      struct gpm_incident *inc, int64_t incident_id,
                                      struct stack_memo *memo)
{
	sqlite3_stmt *s;
	struct gpm_error *err = prepare(st,
	                                "SELECT tid, m_id, goroutine, unwound, problem, stack_id "
	                                "FROM threads WHERE incident_id = ?1 ORDER BY ordinal",
	                                &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, incident_id);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct gpm_thread t = {
		    .tid = sqlite3_column_int64(s, 0),
		    .m_id =
		        sqlite3_column_type(s, 1) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 1),
		    .goroutine = (uint64_t)sqlite3_column_int64(s, 2),
		    .how = (uint8_t)sqlite3_column_int(s, 3),
		    .problem = col_str(s, 4, inc),
		    .stack = UINT32_MAX,
		};
		if (t.how > GPM_THREAD_UNWIND_CFI_SCAN) {
			err = gpm_error_create(GPM_ERR_FORMAT, "thread %lld unwound by %d",
			                       (long long)t.tid, t.how);
			break;
		}
		if (sqlite3_column_type(s, 4) != SQLITE_NULL && !t.problem) {
			err = &gpm_error_nomem;
			break;
		}
		if (sqlite3_column_type(s, 5) != SQLITE_NULL &&
		    (err = memo_stack(st, fs, inc, memo, sqlite3_column_int64(s, 5), &t.stack)))
			break;
		struct gpm_thread *slot = gpm_vec_push(&inc->threads);
		if (!slot) {
			err = &gpm_error_nomem;
			break;
		}
		*slot = t;
	}
	if (!err && rc != SQLITE_DONE)
		err = gpm_store_sqlite_error(st, rc, "threads");
	sqlite3_finalize(s);
	return err;
}

static const char frames_sql[] =
    "SELECT fn.name, fi.path, f.line, f.flags FROM frames f JOIN functions fn ON fn.id = "
    "f.function_id LEFT JOIN files fi ON fi.id = f.file_id WHERE f.stack_id = ?1 ORDER BY "
    "f.depth";

struct gpm_error *gpm_store_load_threads(struct gpm_store *st, int64_t incident_id,
                                         struct gpm_incident *inc)
{
	if (st->version < 9)
		return NULL;
	sqlite3_stmt *fs;
	struct gpm_error *err = prepare(st, frames_sql, &fs);
	if (err)
		return err;
	struct stack_memo memo = {0};
	err = load_threads(st, fs, inc, incident_id, &memo);
	free(memo.slots);
	sqlite3_finalize(fs);
	return err;
}

struct gpm_error *gpm_store_load_incident(struct gpm_store *st, int64_t incident_id,
                                          struct gpm_incident **out)
{
	sqlite3_stmt *s = NULL, *gs = NULL, *fs = NULL;
	struct gpm_error *err =
	    prepare(st,
	            "SELECT kind, exe, build_id, go_version, module, cmdline, pid, time, "
	            "fatal, signal, message, snapshot, exe_read FROM incidents WHERE id = ?1",
	            &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, incident_id);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		return rc == SQLITE_DONE ? gpm_error_create(GPM_ERR_NOT_FOUND, "no incident %lld",
		                                            (long long)incident_id)
		                         : gpm_store_sqlite_error(st, rc, "incident");
	}
	const char *kind = (const char *)sqlite3_column_text(s, 0);
	enum gpm_input_kind ik = GPM_INPUT_UNKNOWN;
	if (kind && !strcmp(kind, "core"))
		ik = GPM_INPUT_CORE;
	else if (kind && !strncmp(kind, "pprof", 5))
		ik = !strcmp(kind, "pprof-debug0")   ? GPM_INPUT_PPROF0
		     : !strcmp(kind, "pprof-debug1") ? GPM_INPUT_PPROF1
		                                     : GPM_INPUT_PPROF2;
	else if (kind && !strcmp(kind, "dump"))
		ik = GPM_INPUT_DUMP;
	struct gpm_incident *inc = gpm_incident_create(ik);
	if (!inc) {
		sqlite3_finalize(s);
		return &gpm_error_nomem;
	}
	// The path the process ran from, and the file read for it when that was another.
	inc->process_exe = col_str(s, 1, inc);
	inc->exe_path = col_str(s, 12, inc);
	if (!inc->exe_path)
		inc->exe_path = inc->process_exe;
	inc->build_id = col_str(s, 2, inc);
	inc->go_version = col_str(s, 3, inc);
	inc->main_module = col_str(s, 4, inc);
	inc->cmdline = col_str(s, 5, inc);
	inc->pid = sqlite3_column_type(s, 6) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, 6);
	inc->time = sqlite3_column_int64(s, 7);
	inc->crash.kind = fatal_kind((const char *)sqlite3_column_text(s, 8));
	inc->crash.signame = col_str(s, 9, inc);
	const char *msg = col_str(s, 10, inc);
	inc->snapshot = (uint32_t)sqlite3_column_int64(s, 11);
	sqlite3_finalize(s);
	if (msg && inc->crash.kind == GPM_FATAL_PANIC) {
		struct gpm_panic *p = gpm_vec_push(&inc->crash.panics);
		if (!p) {
			err = &gpm_error_nomem;
			goto fail;
		}
		p->message = msg;
	} else if (msg) {
		inc->crash.fatal_message = msg;
	}
	if ((err = prepare(st,
	                   "SELECT g.goid, g.status, g.state, g.wait_minutes, g.flags, "
	                   "g.stack_id, fn.name FROM goroutines g LEFT JOIN functions fn ON "
	                   "fn.id = g.created_by WHERE g.incident_id = ?1 ORDER BY g.id",
	                   &gs)) ||
	    (err = prepare(st, frames_sql, &fs)))
		goto fail;
	sqlite3_bind_int64(gs, 1, incident_id);
	// Stacks repeat across goroutines: load each stored stack once.
	struct stack_memo memo = {0};
	while ((rc = sqlite3_step(gs)) == SQLITE_ROW) {
		struct gpm_goroutine *g = gpm_incident_goroutine_push(inc);
		if (!g) {
			err = &gpm_error_nomem;
			break;
		}
		g->id = (uint64_t)sqlite3_column_int64(gs, 0);
		g->status = (uint8_t)sqlite3_column_int(gs, 1);
		g->state = col_str(gs, 2, inc);
		g->wait_minutes =
		    sqlite3_column_type(gs, 3) == SQLITE_NULL ? -1 : sqlite3_column_int64(gs, 3);
		g->flags = (uint32_t)sqlite3_column_int64(gs, 4);
		if (sqlite3_column_type(gs, 6) != SQLITE_NULL) {
			struct gpm_frame cf = {.func = col_str(gs, 6, inc)};
			size_t gi = inc->goroutines.len - 1;
			if (!cf.func)
				err = &gpm_error_nomem;
			if (err || (err = gpm_incident_lone_frame(inc, &cf, &g->created_by)))
				break;
			g = &inc->goroutines.v[gi];
		}
		if (sqlite3_column_type(gs, 5) == SQLITE_NULL)
			continue;
		// Loading a stack may move g: index it again after.
		size_t gi = inc->goroutines.len - 1;
		uint32_t index;
		if ((err = memo_stack(st, fs, inc, &memo, sqlite3_column_int64(gs, 5), &index)))
			break;
		inc->goroutines.v[gi].stack = index;
	}
	if (!err && rc != SQLITE_DONE && rc != SQLITE_ROW)
		err = gpm_store_sqlite_error(st, rc, "goroutines");
	if (!err && st->version >= 9)
		err = load_threads(st, fs, inc, incident_id, &memo);
	free(memo.slots);
	if (err)
		goto fail;
	sqlite3_finalize(gs);
	sqlite3_finalize(fs);
	*out = inc;
	return NULL;
fail:
	sqlite3_finalize(gs);
	sqlite3_finalize(fs);
	gpm_incident_destroy(inc);
	return err;
}

// The history of clusters resign changed: an event on each cluster that took incidents
// of another, saying whether that one was merged away or remains.
static struct gpm_error *record_moves(struct gpm_store *st)
{
	sqlite3_stmt *s;
	struct gpm_error *err = prepare(
	    st,
	    "INSERT INTO cluster_events (cluster_id, time, who, action, value) SELECT DISTINCT "
	    "s.cluster_id, ?2, 'gopm resign', 'resign', 'took incidents of cluster ' || "
	    "pc.cluster_id || CASE WHEN EXISTS (SELECT 1 FROM clusters c WHERE c.id = "
	    "pc.cluster_id AND c.algorithm = ?1) THEN ', which remains' ELSE ', merged away' END "
	    "FROM temp.prior_cluster pc JOIN incident_signatures x ON x.incident_id = "
	    "pc.incident_id AND x.algorithm = ?1 JOIN signatures s ON s.id = x.signature_id "
	    "WHERE pc.cluster_id IS NOT NULL AND s.cluster_id IS NOT NULL AND pc.cluster_id <> "
	    "s.cluster_id ORDER BY s.cluster_id, pc.cluster_id",
	    &s);
	if (err)
		return err;
	sqlite3_bind_int(s, 1, GPM_SIGNATURE_ALGORITHM);
	sqlite3_bind_int64(s, 2, (int64_t)time(NULL));
	int rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? NULL : gpm_store_sqlite_error(st, rc, "resign events");
}

struct gpm_error *gpm_store_resign(struct gpm_store *st, uint64_t *nincidents,
                                   struct gpm_store_table *moves)
{
	*nincidents = 0;
	memset(moves, 0, sizeof(*moves));
	struct gpm_error *err = writable(st);
	if (err || (err = gpm_store_exec(st, "BEGIN IMMEDIATE")))
		return err;
	sqlite3_stmt *s;
	if ((err = gpm_cluster_remember(st)))
		goto rollback;
	if ((err = prepare(st, "SELECT id, headline_rule FROM incidents ORDER BY id", &s)))
		goto rollback;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		const unsigned char *r = sqlite3_column_text(s, 1);
		char *rule = r ? strdup((const char *)r) : NULL;
		struct gpm_incident *inc;
		if ((err = gpm_store_load_incident(st, id, &inc))) {
			free(rule);
			break;
		}
		err = gpm_store_sign_incident(st, id, inc, rule);
		gpm_incident_destroy(inc);
		free(rule);
		if (err)
			break;
		(*nincidents)++;
	}
	if (!err && rc != SQLITE_DONE)
		err = gpm_store_sqlite_error(st, rc, "incidents");
	sqlite3_finalize(s);
	if (err)
		goto rollback;
	// Signatures no incident uses any more, then a clean batch clustering.
	if ((err = gpm_store_exec(st, "DELETE FROM signatures WHERE id NOT IN (SELECT "
	                              "signature_id FROM incident_signatures)")) ||
	    (err = gpm_cluster_rebuild(st, GPM_SIGNATURE_ALGORITHM)) ||
	    (err = gpm_store_exec(st, "DELETE FROM clusters WHERE id NOT IN (SELECT cluster_id "
	                              "FROM signatures WHERE cluster_id IS NOT NULL)")) ||
	    (err = record_moves(st)) ||
	    (err = gpm_cluster_moves(st, GPM_SIGNATURE_ALGORITHM, moves)))
		goto rollback;
	if ((err = gpm_store_exec(st, "COMMIT")))
		gpm_store_table_deinit(moves);
	return err;
rollback:
	gpm_store_exec(st, "ROLLBACK");
	return err;
}
