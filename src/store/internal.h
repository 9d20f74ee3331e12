/* Private to src/store/: the open archive, cached statements and the embedded migrations. */
#ifndef GPM_STORE_INTERNAL_H
#define GPM_STORE_INTERNAL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "base/error.h"
#include "base/strbuf.h"
#include "store/store.h"

/* 'GoPM' */
#define GPM_STORE_APPLICATION_ID 0x476f504d

struct gpm_store_migration {
	unsigned version;
	const char *name;
	const char *sql;
};
extern const struct gpm_store_migration gpm_store_migrations[];
extern const unsigned gpm_store_nmigrations;

enum gpm_store_stmt {
	STMT_ARTIFACT_GET,
	STMT_ARTIFACT_GET_OLD,
	STMT_ARTIFACT_RENAME,
	STMT_ARTIFACT_INSERT_V6,
	STMT_ARTIFACT_INSERT,
	STMT_ARTIFACT_KEPT,
	STMT_INCIDENT_GET,
	STMT_INCIDENT_INSERT,
	STMT_INCIDENT_REPORT,
	STMT_FUNCTION_GET,
	STMT_FUNCTION_INSERT,
	STMT_FILE_GET,
	STMT_FILE_INSERT,
	STMT_STACK_GET,
	STMT_STACK_INSERT,
	STMT_FRAME_INSERT,
	STMT_GOROUTINE_INSERT,
	STMT_RUN_INSERT,
	STMT_RUN_LAST_ID,
	STMT_THREAD_INSERT,
	STMT_GOROUTINE_LAST_ID,
	STMT_GROUP_INSERT,
	STMT_FINDING_INSERT,
	STMT_FTS_INSERT,
	STMT_SIG_GET,
	STMT_SIG_INSERT,
	STMT_INCSIG_UPSERT,
	STMT__COUNT,
};

struct gpm_store {
	sqlite3 *db;
	char *path;
	bool readonly;
	unsigned version;
	bool last_existed;
	struct gpm_store_busy busy; /* how a lock attempt waits (GOPM_BUSY_SECONDS) */
	sqlite3_stmt *stmts[STMT__COUNT];
};

/*
 * SQL shared by the cluster queries (query.c, workflow.c). GPM_SQL_BUILD_KEYS is a WITH
 * table "bk" (build, k) ordering builds by vcs.time, else by their first incident.
 * GPM_SQL_CLUSTER_INCIDENTS(c) is a FROM ... WHERE over the incidents i of cluster c
 * under the signature algorithm bound as ?1, each with its build key bk.k (NULL when it has
 * no build). The first-build and regressed subqueries need a clusters row named c.
 */
#define GPM_SQL_BUILD_KEYS                                                                         \
	"bk AS (SELECT build, coalesce(min(vcs_time), min(time)) AS k FROM incidents WHERE "       \
	"build IS NOT NULL GROUP BY build)"
#define GPM_SQL_CLUSTER_INCIDENTS(c)                                                               \
	" FROM incidents i JOIN incident_signatures x ON x.incident_id = i.id AND x.algorithm = "  \
	"?1 JOIN signatures s ON s.id = x.signature_id LEFT JOIN bk ON bk.build = i.build WHERE "  \
	"s.cluster_id = " c " "
#define GPM_SQL_REGRESSED_WHERE                                                                    \
	"AND c.status = 'resolved' AND CASE WHEN EXISTS (SELECT 1 FROM bk r WHERE r.build = "      \
	"c.resolved_build) THEN bk.k > (SELECT r.k FROM bk r WHERE r.build = c.resolved_build) "   \
	"ELSE i.time > c.resolved_time END "
// The builds in order, the first with an incident of the cluster: a few builds probed
// through incidents_build, not every incident of a cluster of thousands read.
#define GPM_SQL_FIRST_BUILD                                                                        \
	"(SELECT bk.build FROM bk WHERE EXISTS (SELECT 1 FROM incidents i JOIN "                   \
	"incident_signatures x ON x.incident_id = i.id AND x.algorithm = ?1 JOIN signatures s ON " \
	"s.id = x.signature_id WHERE i.build = bk.build AND s.cluster_id = c.id) ORDER BY bk.k, "  \
	"bk.build LIMIT 1)"
#define GPM_SQL_REGRESSED                                                                          \
	"(SELECT coalesce(i.build, '?')" GPM_SQL_CLUSTER_INCIDENTS("c.id") GPM_SQL_REGRESSED_WHERE \
	    "ORDER BY coalesce(bk.k, i.time) DESC LIMIT 1)"

/* An error from the connection's last failure: "<what>: <sqlite message>". */
struct gpm_error *gpm_store_sqlite_error(struct gpm_store *st, int rc, const char *what);
/* The cached statement (prepared on first use, reset and unbound). */
struct gpm_error *gpm_store_stmt(struct gpm_store *st, enum gpm_store_stmt which,
                                 sqlite3_stmt **out);
/* Runs a statement without results. */
struct gpm_error *gpm_store_exec(struct gpm_store *st, const char *sql);
/* Binds text or NULL. */
int gpm_store_bind_text(sqlite3_stmt *s, int i, const char *text);

/* Artifact store beside the database: <db>.artifacts/ab/<sha256>.zst */
struct gpm_error *gpm_store_artifact_keep(struct gpm_store *st,
                                          const struct gpm_store_artifact *art, char **relpath);
/* Removes kept files no artifact row names; counts them. */
struct gpm_error *gpm_store_artifact_gc(struct gpm_store *st, uint64_t *removed);

/* Signature + cluster of one stored incident (inside the caller's transaction). */
struct gpm_error *gpm_store_sign_incident(struct gpm_store *st, int64_t incident_id,
                                          const struct gpm_incident *inc,
                                          const char *headline_rule);

/*
 * Goroutines stored per group (schema 12, goroutines.c): a run is up to GPM_STORE_RUN_MAX
 * goroutines of one group, in id order, packed in one blob.
 */
enum { GPM_STORE_RUN_MAX = 1024 };

/* One goroutine as schema 1's row held it (has_*: the column is not NULL). */
struct gpm_store_member {
	int64_t id, goid, status, flags, wait_minutes, stack_id, creator;
	const char *state; /* NULL: NULL; borrowed */
	size_t state_len;
	bool has_wait, has_stack, has_creator;
};

struct gpm_store_run {
	struct gpm_strbuf blob; /* the packed members (blob.oom: out of memory) */
	uint32_t count;
	int64_t first_id, last_id, min_goid, max_goid;
	struct gpm_store_member prev; /* the last member added */
};
void gpm_store_run_init(struct gpm_store_run *r);
void gpm_store_run_deinit(struct gpm_store_run *r);
/* Empties r for the next run, keeping its buffer. */
void gpm_store_run_reset(struct gpm_store_run *r);
/* Appends m, whose id must be larger than the last member's; m->state is copied. */
void gpm_store_run_add(struct gpm_store_run *r, const struct gpm_store_member *m);
/* Registers gpm_goroutines_pack() and the virtual table `goroutines` on db (an SQLite
 * status). */
int gpm_store_goroutines_register(sqlite3 *db);

#endif
