/* Private to src/store/: the open archive, cached statements and the embedded migrations. */
#ifndef GPM_STORE_INTERNAL_H
#define GPM_STORE_INTERNAL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
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
	STMT_ARTIFACT_INSERT,
	STMT_ARTIFACT_KEPT,
	STMT_INCIDENT_GET,
	STMT_INCIDENT_INSERT,
	STMT_FUNCTION_GET,
	STMT_FUNCTION_INSERT,
	STMT_FILE_GET,
	STMT_FILE_INSERT,
	STMT_STACK_GET,
	STMT_STACK_INSERT,
	STMT_FRAME_INSERT,
	STMT_GOROUTINE_INSERT,
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
	sqlite3_stmt *stmts[STMT__COUNT];
};

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

#endif
