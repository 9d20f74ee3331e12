/*
 * Opening, migrating and writing the incident archive. The schema comes from the SQL
 * files in schema/, compiled in (schema_sql.c); all pending migrations run in one BEGIN
 * IMMEDIATE that also sets PRAGMA user_version, so concurrent openers migrate once, a
 * reader sees the archive before or after (never between two migrations) and a crash
 * mid-migration leaves the previous version intact. Every ingest is one transaction;
 * statements are prepared once per connection and every value is bound. A writer that
 * finds the archive locked waits with backoff for a bounded time, then fails with
 * GPM_ERR_BUSY, which means "retry".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <unistd.h>

#include "base/identity.h"
#include "base/strbuf.h"
#include "dump/dump.h"
#include "model/group.h"
#include "store/cluster.h"
#include "store/internal.h"
#include "store/report.h"
#include "store/signature.h"

static const char *const stmt_sql[STMT__COUNT] = {
    [STMT_ARTIFACT_GET] = "SELECT id FROM artifacts WHERE sha256 = ?1",
    [STMT_ARTIFACT_GET_OLD] = "SELECT id FROM artifacts WHERE sha256 = ?1 AND identity = ?3 "
                              "AND size = ?2",
    [STMT_ARTIFACT_RENAME] = "UPDATE artifacts SET sha256 = ?2, identity = "
                             "'" GPM_IDENTITY_KIND "' WHERE id = ?1",
    [STMT_ARTIFACT_INSERT] = "INSERT INTO artifacts (sha256, path, size, kind, added, identity) "
                             "VALUES (?1, ?2, ?3, ?4, ?5, '" GPM_IDENTITY_KIND "')",
    // An archive kept below schema 7 (gpm_store_options.max_version: tests) has no kind.
    [STMT_ARTIFACT_INSERT_V6] = "INSERT INTO artifacts (sha256, path, size, kind, added) "
                                "VALUES (?1, ?2, ?3, ?4, ?5)",
    [STMT_ARTIFACT_KEPT] = "UPDATE artifacts SET kept = ?2 WHERE id = ?1",
    [STMT_INCIDENT_GET] = "SELECT id FROM incidents WHERE artifact_id = ?1 AND snapshot = ?2",
    [STMT_INCIDENT_INSERT] =
        "INSERT INTO incidents (artifact_id, snapshot, time, ingested, host, kind, exe, "
        "build_id, go_version, module, module_version, cmdline, pid, fatal, signal, message, "
        "headline, headline_rule, goroutines, report, time_source, build, vcs_time, exe_read) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
        "?18, ?19, ?20, ?21, ?22, ?23, ?24)",
    [STMT_INCIDENT_REPORT] = "UPDATE incidents SET report = ?2 WHERE id = ?1",
    [STMT_FUNCTION_GET] = "SELECT id FROM functions WHERE name = ?1",
    [STMT_FUNCTION_INSERT] = "INSERT INTO functions (name) VALUES (?1)",
    [STMT_FILE_GET] = "SELECT id FROM files WHERE path = ?1",
    [STMT_FILE_INSERT] = "INSERT INTO files (path) VALUES (?1)",
    [STMT_STACK_GET] = "SELECT id FROM stacks WHERE hash = ?1",
    [STMT_STACK_INSERT] = "INSERT INTO stacks (hash, nframes) VALUES (?1, ?2)",
    [STMT_FRAME_INSERT] = "INSERT INTO frames (stack_id, depth, function_id, file_id, line, "
                          "flags) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [STMT_GOROUTINE_INSERT] =
        "INSERT INTO goroutines (incident_id, goid, status, state, wait_minutes, flags, "
        "stack_id, created_by, group_ordinal, id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
        "?10)",
    // The id SQLite would give the next row is this plus one (no AUTOINCREMENT).
    [STMT_GOROUTINE_LAST_ID] = "SELECT coalesce(max(id), 0) FROM goroutines",
    [STMT_RUN_INSERT] = "INSERT INTO goroutine_runs (incident_id, group_ordinal, first_id, "
                        "last_id, count, min_goid, max_goid, members) VALUES (?1, ?2, ?3, ?4, "
                        "?5, ?6, ?7, ?8)",
    // Goroutine ids grow with the incidents' (each ingest continues after the largest):
    // the largest is in the newest incident that has goroutines, found from the key index.
    [STMT_RUN_LAST_ID] = "SELECT coalesce(max(last_id), 0) FROM goroutine_runs WHERE "
                         "incident_id = (SELECT max(incident_id) FROM goroutine_runs)",
    [STMT_THREAD_INSERT] = "INSERT INTO threads (incident_id, ordinal, tid, m_id, goroutine, "
                           "unwound, problem, stack_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [STMT_GROUP_INSERT] = "INSERT INTO groups (incident_id, ordinal, signature, count, state, "
                          "stack_id, min_wait, max_wait) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [STMT_FINDING_INSERT] = "INSERT INTO findings (incident_id, ordinal, rule, severity, "
                            "title, explanation, evidence) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [STMT_FTS_INSERT] = "INSERT INTO incident_fts (rowid, message, findings, functions) "
                        "VALUES (?1, ?2, ?3, ?4)",
    [STMT_SIG_GET] = "SELECT id, cluster_id FROM signatures WHERE algorithm = ?1 AND hash = ?2",
    [STMT_SIG_INSERT] = "INSERT INTO signatures (algorithm, hash, kind, frames) "
                        "VALUES (?1, ?2, ?3, ?4)",
    [STMT_INCSIG_UPSERT] = "INSERT INTO incident_signatures (incident_id, algorithm, "
                           "signature_id) VALUES (?1, ?2, ?3) ON CONFLICT (incident_id, "
                           "algorithm) DO UPDATE SET signature_id = excluded.signature_id",
};

unsigned gpm_store_schema_latest(void)
{
	return gpm_store_migrations[gpm_store_nmigrations - 1].version;
}

struct gpm_error *gpm_store_sqlite_error(struct gpm_store *st, int rc, const char *what)
{
	const char *msg = st && st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc);
	enum gpm_error_code code = GPM_ERR_OS;
	switch (rc & 0xff) {
	case SQLITE_NOMEM:
		return &gpm_error_nomem;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return gpm_error_create(GPM_ERR_BUSY,
		                        "%s: %s: locked by another writer for more than %g s "
		                        "(GOPM_BUSY_SECONDS sets the wait): retry",
		                        st && st->path ? st->path : "archive", what,
		                        st ? st->busy.seconds : 0.0);
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		code = GPM_ERR_FORMAT;
		break;
	case SQLITE_ERROR:
	case SQLITE_AUTH:
	case SQLITE_RANGE:
		code = GPM_ERR_USAGE;
		break;
	case SQLITE_READONLY: // a file or directory we may not write: access, not usage
		code = GPM_ERR_OS;
		break;
	case SQLITE_CANTOPEN:
		code = GPM_ERR_NOT_FOUND;
		break;
	default:
		break;
	}
	return gpm_error_create(code, "%s: %s: %s", st && st->path ? st->path : "archive", what,
	                        msg);
}

struct gpm_error *gpm_store_stmt(struct gpm_store *st, enum gpm_store_stmt which,
                                 sqlite3_stmt **out)
{
	sqlite3_stmt *s = st->stmts[which];
	if (!s) {
		int rc = sqlite3_prepare_v3(st->db, stmt_sql[which], -1, SQLITE_PREPARE_PERSISTENT,
		                            &s, NULL);
		if (rc != SQLITE_OK)
			return gpm_store_sqlite_error(st, rc, "prepare");
		st->stmts[which] = s;
	} else {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
	}
	*out = s;
	return NULL;
}

struct gpm_error *gpm_store_exec(struct gpm_store *st, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(st->db, sql, NULL, NULL, &msg);
	if (rc == SQLITE_OK)
		return NULL;
	if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
		sqlite3_free(msg);
		return gpm_store_sqlite_error(st, rc, "write");
	}
	struct gpm_error *err =
	    gpm_error_create(rc == SQLITE_NOMEM ? GPM_ERR_NOMEM : GPM_ERR_OS, "%s: %s", st->path,
	                     msg ? msg : sqlite3_errstr(rc));
	sqlite3_free(msg);
	return err;
}

int gpm_store_bind_text(sqlite3_stmt *s, int i, const char *text)
{
	return text ? sqlite3_bind_text(s, i, text, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(s, i);
}

static int64_t pragma_int(struct gpm_store *st, const char *sql, struct gpm_error **err)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK) {
		*err = gpm_store_sqlite_error(st, rc, sql);
		return 0;
	}
	int64_t v = 0;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	else if (rc != SQLITE_DONE)
		*err = gpm_store_sqlite_error(st, rc, sql);
	sqlite3_finalize(s);
	return v;
}

static struct gpm_error *set_user_version(struct gpm_store *st, unsigned v)
{
	// PRAGMA takes no parameters; v is our own constant, never user input.
	char sql[64];
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %u", v);
	return gpm_store_exec(st, sql);
}

// Every migration up to target in one transaction: a concurrent reader sees the archive as
// it was or as target, never half-created (a first ingest creates all tables at once).
static struct gpm_error *migrate(struct gpm_store *st, unsigned target)
{
	struct gpm_error *err = gpm_store_exec(st, "BEGIN IMMEDIATE");
	if (err)
		return gpm_error_wrap(err, "migrating to schema %u", target);
	// Another process may have migrated while we waited for the lock.
	int64_t cur = pragma_int(st, "PRAGMA user_version", &err);
	for (unsigned i = 0; i < gpm_store_nmigrations && !err; i++) {
		const struct gpm_store_migration *m = &gpm_store_migrations[i];
		if (m->version > target)
			break;
		if (cur >= m->version)
			continue;
		if (!(err = gpm_store_exec(st, m->sql)))
			err = set_user_version(st, m->version);
		if (!err && m->version == 1)
			err = gpm_store_exec(st, "PRAGMA application_id = 1198477389");
		if (err)
			err = gpm_error_wrap(err, "schema %s", m->name);
	}
	if (err) {
		gpm_store_exec(st, "ROLLBACK");
		return err;
	}
	return gpm_store_exec(st, "COMMIT");
}

/*
 * SQLite's busy handler: while another connection holds the lock, sleep 1 ms doubling to
 * 128 ms, each with jitter (two waiting writers do not wake in step), until b->seconds
 * have passed since this lock attempt began (count 0); then give up (SQLITE_BUSY).
 */
static int busy_backoff(void *arg, int count)
{
	struct gpm_store_busy *b = arg;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (count == 0)
		b->start = now;
	double waited =
	    (double)(now.tv_sec - b->start.tv_sec) + (double)(now.tv_nsec - b->start.tv_nsec) / 1e9;
	double left = b->seconds - waited;
	if (left <= 0)
		return 0;
	unsigned ms = 1u << (count < 7 ? count : 7);
	b->seed = b->seed * 1103515245u + 12345u;
	unsigned jitter = (b->seed >> 16) % (ms + 1);
	double sleep = (ms + jitter) / 2000.0; // between ms/2 and ms
	if (sleep > left)
		sleep = left;
	struct timespec ts = {.tv_sec = (time_t)sleep,
	                      .tv_nsec = (long)((sleep - (double)(time_t)sleep) * 1e9)};
	nanosleep(&ts, NULL);
	return 1;
}

/*
 * The archive into WAL mode. SQLite answers SQLITE_BUSY to a journal-mode change at once,
 * without its busy handler (the change needs the file to itself): two first ingests of one
 * new archive met it, and the second stopped with "locked for more than 5 s" after 40 ms.
 * Retried here with the handler's own backoff, within the same wait.
 */
static struct gpm_error *set_wal(struct gpm_store *st)
{
	for (int count = 0;; count++) {
		int rc = sqlite3_exec(st->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
		if ((rc & 0xff) != SQLITE_BUSY || !busy_backoff(&st->busy, count))
			return rc == SQLITE_OK ? NULL
			                       : gpm_store_sqlite_error(st, rc, "journal mode");
	}
}

static double env_seconds(const char *name, double def)
{
	const char *v = getenv(name);
	char *end;
	double d = v && *v ? strtod(v, &end) : def;
	return v && *v && (*end || !(d >= 0) || d > 86400) ? def : d;
}

void gpm_store_busy_attach(struct sqlite3 *db, struct gpm_store_busy *b, int timeout_ms)
{
	b->seconds = timeout_ms > 0   ? timeout_ms / 1000.0
	             : timeout_ms < 0 ? 0
	                              : env_seconds("GOPM_BUSY_SECONDS", 5);
	b->seed = (unsigned)getpid();
	sqlite3_busy_handler(db, busy_backoff, b);
}

// An archive that has no tables yet (version 0): a reader that opens it while the first
// ingest creates it gets an empty archive in memory, of the latest schema, instead of an
// error; nothing has been committed, so empty is what the archive holds.
static struct gpm_error *open_empty(struct gpm_store *st)
{
	sqlite3_close_v2(st->db);
	st->db = NULL;
	int rc =
	    sqlite3_open_v2(":memory:", &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK)
		return gpm_store_sqlite_error(st, rc, "open");
	sqlite3_extended_result_codes(st->db, 1);
	if ((rc = gpm_store_goroutines_register(st->db)) != SQLITE_OK)
		return gpm_store_sqlite_error(st, rc, "open");
	return migrate(st, gpm_store_schema_latest());
}

/*
 * The archive's identity, version and table count, read in one statement and so from one
 * snapshot: read one by one, a reader that met a first ingest's schema commit between two
 * of them saw application_id 0 beside user_version 6 ("not a gopm archive"), or version 0
 * beside tables ("needs an upgrade"), where the archive was only new.
 */
static struct gpm_error *check_identity(struct gpm_store *st, int64_t *version, int64_t *ntables)
{
	static const char sql[] = "SELECT (SELECT application_id FROM pragma_application_id), "
	                          "(SELECT user_version FROM pragma_user_version), "
	                          "(SELECT count(*) FROM sqlite_schema)";
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return gpm_store_sqlite_error(st, rc, "open");
	rc = sqlite3_step(s);
	int64_t app = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	int64_t v = rc == SQLITE_ROW ? sqlite3_column_int64(s, 1) : 0;
	int64_t tables = rc == SQLITE_ROW ? sqlite3_column_int64(s, 2) : 0;
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return gpm_store_sqlite_error(st, rc, "open");
	if (app != GPM_STORE_APPLICATION_ID && (app != 0 || tables != 0 || v != 0))
		return gpm_error_create(GPM_ERR_UNSUPPORTED,
		                        "%s: not a gopm archive (application_id %lld)", st->path,
		                        (long long)app);
	if (v > gpm_store_schema_latest())
		return gpm_error_create(GPM_ERR_UNSUPPORTED,
		                        "%s: the archive has schema version %lld, newer than this "
		                        "gopm knows (%u): use a newer gopm",
		                        st->path, (long long)v, gpm_store_schema_latest());
	*version = v;
	if (ntables)
		*ntables = tables;
	return NULL;
}

/*
 * Opens path read-only as an immutable file: for a reader without write access to the
 * archive's directory, who cannot create the WAL index a WAL database needs. It sees the
 * archive as of the last checkpoint (SQLite checkpoints when a writer closes); changes still
 * in the write-ahead log are not seen. The path goes into a URI, percent-encoded.
 */
int gpm_store_open_immutable(const char *path, sqlite3 **db)
{
	size_t n = strlen(path);
	char *uri = malloc(5 + 3 * n + 16);
	if (!uri)
		return SQLITE_NOMEM;
	char *u = uri;
	u += sprintf(u, "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/._-~", *p))
			*u++ = (char)*p;
		else
			u += sprintf(u, "%%%02X", *p);
	}
	strcpy(u, "?immutable=1");
	int rc = sqlite3_open_v2(
	    uri, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
	free(uri);
	return rc == SQLITE_OK ? gpm_store_goroutines_register(*db) : rc;
}

int gpm_store_open_reader(const char *path, sqlite3 **db)
{
	int rc = sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK)
		return rc;
	// The first read needs the WAL index of a WAL archive; one who may not create it is
	// told SQLITE_READONLY (or SQLITE_CANTOPEN, by the SQLite version).
	int probe =
	    sqlite3_exec(*db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL) & 0xff;
	if (probe != SQLITE_READONLY && probe != SQLITE_CANTOPEN)
		return gpm_store_goroutines_register(*db);
	sqlite3_close_v2(*db);
	*db = NULL;
	return gpm_store_open_immutable(path, db);
}

struct gpm_error *gpm_store_open(const char *path, const struct gpm_store_options *opts,
                                 struct gpm_store **out)
{
	struct gpm_store_options def = {0};
	if (!opts)
		opts = &def;
	struct gpm_store *st = calloc(1, sizeof(*st));
	if (!st)
		return &gpm_error_nomem;
	st->path = strdup(path);
	st->readonly = opts->readonly;
	if (!st->path) {
		free(st);
		return &gpm_error_nomem;
	}
	struct gpm_error *err = NULL;
	int rc = opts->readonly
	             ? gpm_store_open_reader(path, &st->db)
	             : sqlite3_open_v2(
	                   path, &st->db,
	                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	// The reader's opening registers the goroutines table itself.
	if (rc == SQLITE_OK && !opts->readonly)
		rc = gpm_store_goroutines_register(st->db);
	if (rc != SQLITE_OK) {
		err = gpm_store_sqlite_error(st, rc, "open");
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	gpm_store_busy_attach(st->db, &st->busy, opts->busy_timeout_ms);
	int64_t version, tables;
	err = check_identity(st, &version, &tables);
	if (err)
		goto fail;
	if (!opts->readonly) {
		// An ingest's transaction dirties its goroutine rows and their three indexes
		// (~5 MB per 100,000 goroutines): with SQLite's default 2 MB page cache they
		// spilled to the WAL and were read back mid-transaction (a third of the CPU of
		// storing 800,000 goroutines). 8 MiB holds them; more bought nothing measurable.
		if ((err = set_wal(st)) || (err = gpm_store_exec(st, "PRAGMA synchronous = NORMAL; "
		                                                     "PRAGMA cache_size = -8192; "
		                                                     "PRAGMA foreign_keys = ON")))
			goto fail;
		unsigned target = opts->max_version ? opts->max_version : gpm_store_schema_latest();
		if ((uint64_t)version < target && (err = migrate(st, target)))
			goto fail;
		if ((err = check_identity(st, &version, NULL)))
			goto fail;
	} else {
		if (version == 0 && tables == 0) {
			if ((err = open_empty(st)))
				goto fail;
			version = gpm_store_schema_latest();
		}
		if (version < gpm_store_schema_latest()) {
			err = gpm_error_create(
			    GPM_ERR_UNSUPPORTED,
			    "%s: the archive has schema version %lld and needs "
			    "an upgrade to %u: open it once with a writing command "
			    "(gopm gc)",
			    path, (long long)version, gpm_store_schema_latest());
			goto fail;
		}
		if ((err = gpm_store_exec(st, "PRAGMA query_only = ON; PRAGMA foreign_keys = ON")))
			goto fail;
	}
	st->version = (unsigned)version;
	*out = st;
	return NULL;
fail:
	gpm_store_close(st);
	return err;
}

void gpm_store_close(struct gpm_store *st)
{
	if (!st)
		return;
	for (int i = 0; i < STMT__COUNT; i++)
		sqlite3_finalize(st->stmts[i]);
	sqlite3_close_v2(st->db);
	free(st->path);
	free(st);
}

unsigned gpm_store_version(const struct gpm_store *st)
{
	return st->version;
}

const char *gpm_store_path(const struct gpm_store *st)
{
	return st->path;
}

bool gpm_store_ingest_existed(const struct gpm_store *st)
{
	return st->last_existed;
}

static struct gpm_error *mkdir_p(char *dir)
{
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		int r = mkdir(dir, 0700);
		*p = '/';
		if (r && errno != EEXIST)
			return gpm_error_os(errno, "%s", dir);
	}
	if (mkdir(dir, 0700) && errno != EEXIST)
		return gpm_error_os(errno, "%s", dir);
	return NULL;
}

struct gpm_error *gpm_store_default_path(bool create, char **out)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	if (xdg && xdg[0] == '/')
		gpm_strbuf_printf(&sb, "%s/gopm", xdg);
	else if (home && *home)
		gpm_strbuf_printf(&sb, "%s/.local/share/gopm", home);
	else
		return gpm_error_create(GPM_ERR_USAGE,
		                        "no XDG_DATA_HOME or HOME for the archive: use --db");
	struct gpm_error *err = gpm_strbuf_error(&sb);
	if (!err && create)
		err = mkdir_p(sb.buf);
	if (!err) {
		gpm_strbuf_puts(&sb, "/archive.db");
		err = gpm_strbuf_error(&sb);
	}
	if (err) {
		gpm_strbuf_deinit(&sb);
		return err;
	}
	*out = gpm_strbuf_detach(&sb);
	return NULL;
}

/* ---- ingest ---- */

static bool digits_between(const char *b, const char *e, size_t min, size_t max)
{
	size_t n = (size_t)(e - b);
	if (n < min || n > max)
		return false;
	for (const char *p = b; p < e; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

bool gpm_store_coredump_name_time(const char *path, int64_t *out)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (strncmp(base, "core.", 5))
		return false;
	size_t n = strlen(base);
	static const char *const ext[] = {".zst", ".xz", ".lz4", ".gz"};
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		size_t l = strlen(ext[i]);
		if (n > l && !strcmp(base + n - l, ext[i])) {
			n -= l;
			break;
		}
	}
	// From the end: USEC, PID, BOOTID (32 hex digits), UID; NAME may hold dots.
	const char *end = base + n, *p = end;
	const char *field[4][2];
	for (int f = 0; f < 4; f++) {
		const char *e = p;
		while (p > base && p[-1] != '.')
			p--;
		if (p <= base + 5)
			return false;
		field[f][0] = p;
		field[f][1] = e;
		p--; // the dot
	}
	if (p <= base + 5)
		return false; // no NAME
	if (!digits_between(field[0][0], field[0][1], 10, 18) ||
	    !digits_between(field[1][0], field[1][1], 1, 10) || field[2][1] - field[2][0] != 32 ||
	    !digits_between(field[3][0], field[3][1], 1, 10))
		return false;
	for (const char *h = field[2][0]; h < field[2][1]; h++)
		if (!((*h >= '0' && *h <= '9') || (*h >= 'a' && *h <= 'f')))
			return false;
	int64_t usec = 0;
	for (const char *d = field[0][0]; d < field[0][1]; d++)
		usec = usec * 10 + (*d - '0');
	*out = usec / 1000000;
	return true;
}

// Row id of a name in functions or files, inserting it when new. A small cache keyed by
// the incident's interned pointer avoids a lookup per frame.
struct name_cache {
	struct {
		const char *key;
		int64_t id;
	} * slots;
	size_t cap;
};

static int64_t *cache_slot(struct name_cache *c, const char *key)
{
	if (!c->slots) {
		c->cap = 1024;
		c->slots = calloc(c->cap, sizeof(*c->slots));
		if (!c->slots)
			return NULL;
	}
	size_t i = ((uintptr_t)key >> 3) * 0x9e3779b97f4a7c15ULL >> 20;
	for (size_t n = 0; n < c->cap; n++) {
		size_t j = (i + n) & (c->cap - 1);
		if (c->slots[j].key == key)
			return &c->slots[j].id;
		if (!c->slots[j].key) {
			if (n > c->cap / 2) // keep probes short: start over bigger
				break;
			c->slots[j].key = key;
			c->slots[j].id = 0;
			return &c->slots[j].id;
		}
	}
	free(c->slots);
	c->slots = NULL;
	c->cap *= 2;
	size_t cap = c->cap;
	c->slots = calloc(cap, sizeof(*c->slots));
	if (!c->slots)
		return NULL;
	c->cap = cap;
	return cache_slot(c, key);
}

/* Steps the bound lookup s: *id gets column 0 of its row, 0 when there is none (rowids
 * start at 1). */
static struct gpm_error *lookup_id(struct gpm_store *st, sqlite3_stmt *s, const char *what,
                                   int64_t *id)
{
	int rc = sqlite3_step(s);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return gpm_store_sqlite_error(st, rc, what);
	return NULL;
}

static struct gpm_error *name_id(struct gpm_store *st, struct name_cache *cache,
                                 enum gpm_store_stmt get, enum gpm_store_stmt ins, const char *name,
                                 int64_t *id)
{
	int64_t *slot = cache_slot(cache, name);
	if (!slot)
		return &gpm_error_nomem;
	if (*slot) {
		*id = *slot;
		return NULL;
	}
	sqlite3_stmt *s;
	struct gpm_error *err = gpm_store_stmt(st, get, &s);
	if (err)
		return err;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	if ((err = lookup_id(st, s, "name lookup", id)))
		return err;
	if (*id) {
		*slot = *id;
		return NULL;
	}
	if ((err = gpm_store_stmt(st, ins, &s)))
		return err;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return gpm_store_sqlite_error(st, rc, "name insert");
	*slot = *id = sqlite3_last_insert_rowid(st->db);
	return NULL;
}

struct ingest {
	struct gpm_store *st;
	const struct gpm_incident *inc;
	struct name_cache functions, files;
	int64_t *stack_ids; /* per incident stack */
	// The last "created by" frame looked up and its function's id: goroutines of one
	// `go` statement come in runs.
	const struct gpm_frame *creator_frame;
	int64_t creator_id;
};

static int64_t stack_hash(const struct gpm_incident *inc, const struct gpm_stack *s)
{
	struct gpm_sha256 h;
	gpm_sha256_init(&h);
	for (uint32_t i = 0; i < s->nframes; i++) {
		const struct gpm_frame *f = &inc->frames.v[s->first + i];
		const char *func = f->func ? f->func : "";
		const char *file = f->file ? f->file : "";
		gpm_sha256_update(&h, func, strlen(func) + 1);
		gpm_sha256_update(&h, file, strlen(file) + 1);
		uint32_t v[2] = {f->line, f->flags & ~(uint32_t)GPM_FRAME_HAS_OFFSET};
		gpm_sha256_update(&h, v, sizeof(v));
	}
	uint8_t d[GPM_SHA256_SIZE];
	gpm_sha256_final(&h, d);
	uint64_t x = 0;
	for (int i = 0; i < 8; i++)
		x = x << 8 | d[i];
	return (int64_t)x;
}

static struct gpm_error *store_frame_names(struct ingest *in, const struct gpm_frame *f,
                                           int64_t *func_id, int64_t *file_id)
{
	struct gpm_error *err = name_id(in->st, &in->functions, STMT_FUNCTION_GET,
	                                STMT_FUNCTION_INSERT, f->func ? f->func : "?", func_id);
	*file_id = 0;
	if (!err && f->file)
		err =
		    name_id(in->st, &in->files, STMT_FILE_GET, STMT_FILE_INSERT, f->file, file_id);
	return err;
}

static struct gpm_error *store_stack(struct ingest *in, uint32_t si)
{
	struct gpm_store *st = in->st;
	const struct gpm_stack *stk = &in->inc->stacks.v[si];
	int64_t hash = stack_hash(in->inc, stk);
	sqlite3_stmt *s;
	struct gpm_error *err = gpm_store_stmt(st, STMT_STACK_GET, &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, hash);
	if ((err = lookup_id(st, s, "stack lookup", &in->stack_ids[si])) || in->stack_ids[si])
		return err;
	if ((err = gpm_store_stmt(st, STMT_STACK_INSERT, &s)))
		return err;
	sqlite3_bind_int64(s, 1, hash);
	sqlite3_bind_int64(s, 2, stk->nframes);
	int rc;
	if ((rc = sqlite3_step(s)) != SQLITE_DONE)
		return gpm_store_sqlite_error(st, rc, "stack insert");
	int64_t id = sqlite3_last_insert_rowid(st->db);
	in->stack_ids[si] = id;
	for (uint32_t i = 0; i < stk->nframes; i++) {
		const struct gpm_frame *f = &in->inc->frames.v[stk->first + i];
		int64_t fid, fileid;
		if ((err = store_frame_names(in, f, &fid, &fileid)))
			return err;
		if ((err = gpm_store_stmt(st, STMT_FRAME_INSERT, &s)))
			return err;
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, i);
		sqlite3_bind_int64(s, 3, fid);
		if (fileid)
			sqlite3_bind_int64(s, 4, fileid);
		sqlite3_bind_int64(s, 5, f->line);
		sqlite3_bind_int64(s, 6, f->flags);
		if ((rc = sqlite3_step(s)) != SQLITE_DONE)
			return gpm_store_sqlite_error(st, rc, "frame insert");
	}
	return NULL;
}

static const char *fatal_name(enum gpm_fatal_kind k)
{
	switch (k) {
	case GPM_FATAL_NONE:
		return NULL;
	case GPM_FATAL_PANIC:
		return "panic";
	case GPM_FATAL_THROW:
		return "throw";
	case GPM_FATAL_SIGNAL:
		return "signal";
	case GPM_FATAL_QUIT:
		return "quit";
	case GPM_FATAL_RACE:
		return "race";
	case GPM_FATAL_UNKNOWN:
		break;
	}
	return "unknown";
}

static const char *const signames[] = {
    [1] = "SIGHUP",   [2] = "SIGINT",   [3] = "SIGQUIT",  [4] = "SIGILL",   [5] = "SIGTRAP",
    [6] = "SIGABRT",  [7] = "SIGBUS",   [8] = "SIGFPE",   [9] = "SIGKILL",  [10] = "SIGUSR1",
    [11] = "SIGSEGV", [12] = "SIGUSR2", [13] = "SIGPIPE", [14] = "SIGALRM", [15] = "SIGTERM",
};

static const char *signal_name(const struct gpm_crash *c)
{
	if (c->signame)
		return c->signame;
	if (c->signo > 0 && (size_t)c->signo < sizeof(signames) / sizeof(signames[0]))
		return signames[c->signo];
	return NULL;
}

// What the incident is about in one line, when no finding says it.
static void crash_headline(const struct gpm_incident *inc, struct gpm_strbuf *sb)
{
	const struct gpm_crash *c = &inc->crash;
	if (c->panics.len && c->panics.v[0].message)
		gpm_strbuf_printf(sb, "panic: %s", c->panics.v[c->panics.len - 1].message);
	else if (c->fatal_message)
		gpm_strbuf_printf(sb, "fatal error: %s", c->fatal_message);
	else if (signal_name(c) && c->kind != GPM_FATAL_QUIT)
		gpm_strbuf_printf(sb, "signal %s", signal_name(c));
	else
		gpm_strbuf_printf(sb, "%s with %zu goroutines",
		                  c->kind == GPM_FATAL_QUIT ? "SIGQUIT dump" : "goroutine snapshot",
		                  inc->goroutines.len);
}

static const char *crash_message(const struct gpm_incident *inc)
{
	const struct gpm_crash *c = &inc->crash;
	if (c->panics.len && c->panics.v[c->panics.len - 1].message)
		return c->panics.v[c->panics.len - 1].message;
	return c->fatal_message;
}

static struct gpm_error *step_done(struct gpm_store *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);
	return rc == SQLITE_DONE ? NULL : gpm_store_sqlite_error(st, rc, what);
}

// Binds a text that outlives the statement's step (the caller's report and findings, our
// own buffers until after the step): no copy. The report of a 100,000-goroutine dump
// with thousands of findings is megabytes.
static void bind_borrowed(sqlite3_stmt *s, int i, const char *text)
{
	if (text)
		sqlite3_bind_text(s, i, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static struct gpm_error *insert_incident(struct ingest *in, int64_t artifact_id,
                                         const struct gpm_store_artifact *art,
                                         const struct gpm_store_report *rep, int64_t *id)
{
	const struct gpm_incident *inc = in->inc;
	struct gpm_store *st = in->st;
	sqlite3_stmt *s;
	struct gpm_error *err = gpm_store_stmt(st, STMT_INCIDENT_INSERT, &s);
	if (err)
		return err;
	int64_t now = time(NULL), t = now, named;
	const char *source = "ingest";
	if (inc->time) {
		t = inc->time;
		source = "input";
	} else if (art->path && gpm_store_coredump_name_time(art->path, &named)) {
		t = named;
		source = "coredump-name";
	} else if (art->mtime) {
		t = art->mtime;
		source = "mtime";
	}
	struct gpm_strbuf head = GPM_STRBUF_INIT;
	const struct gpm_store_finding *hf = rep && rep->nfindings ? &rep->findings[0] : NULL;
	if (hf && hf->title)
		gpm_strbuf_puts(&head, hf->title);
	else
		crash_headline(inc, &head);
	if ((err = gpm_strbuf_error(&head))) {
		gpm_strbuf_deinit(&head);
		return err;
	}
	sqlite3_bind_int64(s, 1, artifact_id);
	sqlite3_bind_int64(s, 2, inc->snapshot);
	sqlite3_bind_int64(s, 3, t);
	sqlite3_bind_int64(s, 4, now);
	gpm_store_bind_text(s, 5, art->host ? art->host : inc->host);
	gpm_store_bind_text(s, 6, art->kind ? art->kind : gpm_input_kind_name(inc->kind));
	// The service is the path the process ran from; the file read for it may be a copy.
	gpm_store_bind_text(s, 7, inc->process_exe ? inc->process_exe : inc->exe_path);
	gpm_store_bind_text(s, 8, inc->build_id);
	gpm_store_bind_text(s, 9, inc->go_version);
	gpm_store_bind_text(s, 10, inc->main_module);
	gpm_store_bind_text(s, 11, NULL);
	gpm_store_bind_text(s, 12, inc->cmdline);
	if (inc->pid >= 0)
		sqlite3_bind_int64(s, 13, inc->pid);
	gpm_store_bind_text(s, 14, fatal_name(inc->crash.kind));
	gpm_store_bind_text(s, 15, signal_name(&inc->crash));
	gpm_store_bind_text(s, 16, crash_message(inc));
	gpm_store_bind_text(s, 17, gpm_strbuf_str(&head));
	gpm_store_bind_text(s, 18, hf ? hf->rule : NULL);
	sqlite3_bind_int64(s, 19, (int64_t)inc->goroutines.len);
	// The report goes in below, once the insert triggers have run.
	sqlite3_bind_null(s, 20);
	gpm_store_bind_text(s, 21, source);
	gpm_store_bind_text(s, 22,
	                    inc->vcs_revision ? inc->vcs_revision
	                    : inc->build_id   ? inc->build_id
	                                      : art->build);
	if (inc->vcs_time)
		sqlite3_bind_int64(s, 23, inc->vcs_time);
	gpm_store_bind_text(s, 24,
	                    inc->process_exe && inc->exe_path &&
	                            strcmp(inc->process_exe, inc->exe_path)
	                        ? inc->exe_path
	                        : NULL);
	err = step_done(st, s, "incident insert");
	gpm_strbuf_deinit(&head);
	if (!err)
		*id = sqlite3_last_insert_rowid(st->db);
	/*
	 * Schema 6's insert trigger rewrites the new row (its list_text): with the report in
	 * it, a report of megabytes (thousands of findings) was written, read back and written
	 * again. The row is small when the trigger runs; the report is written once, here.
	 */
	if (!err && rep && rep->text && !(err = gpm_store_stmt(st, STMT_INCIDENT_REPORT, &s))) {
		sqlite3_bind_int64(s, 1, *id);
		bind_borrowed(s, 2, rep->text);
		err = step_done(st, s, "incident report");
	}
	return err;
}

/*
 * The function id of each goroutine's creator (0: none) into creators, in the dump's order:
 * names new to the archive get their ids in the order they always did, whatever order the
 * goroutine rows then go in.
 */
static struct gpm_error *creator_ids(struct ingest *in, int64_t *creators)
{
	const struct gpm_incident *inc = in->inc;
	int64_t fileid;
	struct gpm_error *err;
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		creators[i] = 0;
		if (g->created_by == UINT32_MAX || g->created_by >= inc->frames.len)
			continue;
		const struct gpm_frame *cf = &inc->frames.v[g->created_by];
		if (cf != in->creator_frame) {
			if ((err = store_frame_names(in, cf, &in->creator_id, &fileid)))
				return err;
			in->creator_frame = cf;
		}
		creators[i] = in->creator_id;
	}
	return NULL;
}

// The flags stored for goroutine g: its own, and "current" for the crash's goroutine.
static uint32_t stored_flags(const struct gpm_incident *inc, const struct gpm_goroutine *g)
{
	uint32_t flags = g->flags;
	if (inc->crash.current_goroutine && g->id == inc->crash.current_goroutine &&
	    !(flags & (GPM_GOROUTINE_REPEAT | GPM_GOROUTINE_RUNTIME_STACK)))
		flags |= GPM_GOROUTINE_CURRENT;
	return flags;
}

// Binds goroutine i's row to STMT_GOROUTINE_INSERT s (an archive below schema 12).
static void bind_goroutine(struct ingest *in, sqlite3_stmt *s, int64_t id, size_t i,
                           int64_t creator, uint32_t ordinal)
{
	const struct gpm_incident *inc = in->inc;
	const struct gpm_goroutine *g = &inc->goroutines.v[i];
	uint32_t flags = stored_flags(inc, g);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, (int64_t)g->id);
	sqlite3_bind_int64(s, 3, g->status);
	// The state text is interned in the incident, alive past the step: no copy.
	if (g->state)
		sqlite3_bind_text(s, 4, g->state, -1, SQLITE_STATIC);
	if (g->wait_minutes >= 0)
		sqlite3_bind_int64(s, 5, g->wait_minutes);
	sqlite3_bind_int64(s, 6, flags);
	if (g->stack != UINT32_MAX && g->stack < inc->stacks.len)
		sqlite3_bind_int64(s, 7, in->stack_ids[g->stack]);
	if (creator)
		sqlite3_bind_int64(s, 8, creator);
	if (ordinal != UINT32_MAX)
		sqlite3_bind_int64(s, 9, ordinal);
}

// Goroutine i's row, with the id base + 1 + i.
static struct gpm_error *insert_goroutine(struct ingest *in, int64_t id, int64_t base, size_t i,
                                          const int64_t *creators, uint32_t ordinal)
{
	sqlite3_stmt *s = NULL;
	struct gpm_error *err = gpm_store_stmt(in->st, STMT_GOROUTINE_INSERT, &s);
	if (err)
		return err;
	bind_goroutine(in, s, id, i, creators[i], ordinal);
	sqlite3_bind_int64(s, 10, base + 1 + (int64_t)i);
	return step_done(in->st, s, "goroutine insert");
}

// Writes run r of group ordinal (-1: no group) and empties it.
static struct gpm_error *flush_run(struct ingest *in, int64_t id, int64_t ordinal,
                                   struct gpm_store_run *r)
{
	if (!r->count)
		return NULL;
	if (r->blob.oom)
		return &gpm_error_nomem;
	sqlite3_stmt *s = NULL;
	struct gpm_error *err = gpm_store_stmt(in->st, STMT_RUN_INSERT, &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, ordinal);
	sqlite3_bind_int64(s, 3, r->first_id);
	sqlite3_bind_int64(s, 4, r->last_id);
	sqlite3_bind_int64(s, 5, r->count);
	sqlite3_bind_int64(s, 6, r->min_goid);
	sqlite3_bind_int64(s, 7, r->max_goid);
	sqlite3_bind_blob(s, 8, r->blob.buf, (int)r->blob.len, SQLITE_STATIC);
	err = step_done(in->st, s, "goroutine run insert");
	gpm_store_run_reset(r);
	return err;
}

// Adds goroutine i, with the id base + 1 + i, to run r of group ordinal (flushed when full).
static struct gpm_error *add_member(struct ingest *in, int64_t id, int64_t ordinal,
                                    struct gpm_store_run *r, int64_t base, size_t i,
                                    int64_t creator)
{
	const struct gpm_incident *inc = in->inc;
	const struct gpm_goroutine *g = &inc->goroutines.v[i];
	struct gpm_store_member m = {
	    .id = base + 1 + (int64_t)i,
	    .goid = (int64_t)g->id,
	    .status = g->status,
	    .flags = stored_flags(inc, g),
	    .state = g->state,
	    .state_len = g->state ? strlen(g->state) : 0,
	    .has_wait = g->wait_minutes >= 0,
	    .wait_minutes = g->wait_minutes >= 0 ? g->wait_minutes : 0,
	    .has_stack = g->stack != UINT32_MAX && g->stack < inc->stacks.len,
	    .has_creator = creator != 0,
	    .creator = creator,
	};
	if (m.has_stack)
		m.stack_id = in->stack_ids[g->stack];
	gpm_store_run_add(r, &m);
	return r->count >= GPM_STORE_RUN_MAX ? flush_run(in, id, ordinal, r) : NULL;
}

/*
 * Schema 12: the goroutines in no group, then group by group, each in the dump's order in
 * runs of GPM_STORE_RUN_MAX, with the ids the rows of schema 1 had.
 */
static struct gpm_error *insert_runs(struct ingest *in, int64_t id, const uint32_t *ordinal,
                                     const int64_t *creators, const struct gpm_grouping *grouping)
{
	const struct gpm_incident *inc = in->inc;
	struct gpm_store *st = in->st;
	sqlite3_stmt *s;
	int64_t base = 0;
	struct gpm_error *err = gpm_store_stmt(st, STMT_RUN_LAST_ID, &s);
	if (err)
		return err;
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		base = sqlite3_column_int64(s, 0);
	else
		err = gpm_store_sqlite_error(st, rc, "goroutine ids");
	sqlite3_reset(s);
	struct gpm_store_run r;
	gpm_store_run_init(&r);
	for (size_t i = 0; i < inc->goroutines.len && !err; i++)
		if (ordinal[i] == UINT32_MAX)
			err = add_member(in, id, -1, &r, base, i, creators[i]);
	if (!err)
		err = flush_run(in, id, -1, &r);
	for (size_t gi = 0; gi < grouping->ngroups && !err; gi++) {
		const struct gpm_group *g = &grouping->groups[gi];
		const uint32_t *members = &grouping->members[g->first_member];
		for (uint32_t m = 0; m < g->count && !err; m++) {
			// A group's goroutines are spread over the dump: fetch ahead.
			if (m + 8 < g->count) {
				__builtin_prefetch(&inc->goroutines.v[members[m + 8]]);
				__builtin_prefetch(&creators[members[m + 8]]);
			}
			err = add_member(in, id, (int64_t)gi, &r, base, members[m],
			                 creators[members[m]]);
		}
		if (!err)
			err = flush_run(in, id, (int64_t)gi, &r);
	}
	gpm_store_run_deinit(&r);
	return err;
}

static struct gpm_error *insert_goroutines(struct ingest *in, int64_t id)
{
	const struct gpm_incident *inc = in->inc;
	struct gpm_store *st = in->st;
	struct gpm_grouping grouping;
	struct gpm_error *err = gpm_group_goroutines(inc, GPM_GROUP_NO_ARGS, &grouping);
	if (err)
		return err;
	uint32_t *ordinal = malloc((inc->goroutines.len + 1) * sizeof(*ordinal));
	int64_t *creators = malloc((inc->goroutines.len + 1) * sizeof(*creators));
	if (!ordinal || !creators) {
		free(ordinal);
		free(creators);
		gpm_grouping_deinit(&grouping);
		return &gpm_error_nomem;
	}
	for (size_t i = 0; i < inc->goroutines.len; i++)
		ordinal[i] = UINT32_MAX;
	sqlite3_stmt *s;
	for (size_t gi = 0; gi < grouping.ngroups && !err; gi++) {
		const struct gpm_group *g = &grouping.groups[gi];
		for (uint32_t m = 0; m < g->count; m++)
			ordinal[grouping.members[g->first_member + m]] = (uint32_t)gi;
		if ((err = gpm_store_stmt(st, STMT_GROUP_INSERT, &s)))
			break;
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, (int64_t)gi);
		sqlite3_bind_int64(s, 3, (int64_t)g->signature);
		sqlite3_bind_int64(s, 4, g->count);
		gpm_store_bind_text(s, 5, g->state);
		if (g->stack != UINT32_MAX)
			sqlite3_bind_int64(s, 6, in->stack_ids[g->stack]);
		if (g->min_minutes >= 0) {
			sqlite3_bind_int64(s, 7, g->min_minutes);
			sqlite3_bind_int64(s, 8, g->max_minutes);
		}
		err = step_done(st, s, "group insert");
	}
	/*
	 * Rows in the order of goroutines_group (ungrouped ones, whose NULL ordinal sorts
	 * first, then group by group, each in the dump's order) with the ids SQLite would have
	 * given them in the dump's order: every row lands at the end of that index instead of
	 * somewhere inside it, and the archive holds the same rows.
	 */
	int64_t base = 0;
	if (!err)
		err = creator_ids(in, creators);
	if (!err && st->version >= 12) {
		err = insert_runs(in, id, ordinal, creators, &grouping);
		goto done;
	}
	if (!err && !(err = gpm_store_stmt(st, STMT_GOROUTINE_LAST_ID, &s))) {
		int rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			base = sqlite3_column_int64(s, 0);
		else
			err = gpm_store_sqlite_error(st, rc, "goroutine ids");
		sqlite3_reset(s);
	}
	for (size_t i = 0; i < inc->goroutines.len && !err; i++)
		if (ordinal[i] == UINT32_MAX)
			err = insert_goroutine(in, id, base, i, creators, UINT32_MAX);
	for (size_t gi = 0; gi < grouping.ngroups && !err; gi++) {
		const struct gpm_group *g = &grouping.groups[gi];
		const uint32_t *members = &grouping.members[g->first_member];
		for (uint32_t m = 0; m < g->count && !err; m++) {
			// A group's goroutines are spread over the dump: fetch ahead.
			if (m + 8 < g->count)
				__builtin_prefetch(&inc->goroutines.v[members[m + 8]]);
			err = insert_goroutine(in, id, base, members[m], creators, (uint32_t)gi);
		}
	}
done:
	free(creators);
	free(ordinal);
	gpm_grouping_deinit(&grouping);
	return err;
}

/* The threads running code that is not Go (schema 9), in the core's thread order. */
static struct gpm_error *insert_threads(struct ingest *in, int64_t id)
{
	const struct gpm_incident *inc = in->inc;
	struct gpm_error *err = NULL;
	sqlite3_stmt *s;
	if (in->st->version < 9)
		return NULL; // an archive kept at an older schema (tests) has no table for them
	for (size_t i = 0; i < inc->threads.len && !err; i++) {
		const struct gpm_thread *t = &inc->threads.v[i];
		if ((err = gpm_store_stmt(in->st, STMT_THREAD_INSERT, &s)))
			break;
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, (int64_t)i);
		sqlite3_bind_int64(s, 3, t->tid);
		if (t->m_id >= 0)
			sqlite3_bind_int64(s, 4, t->m_id);
		if (t->goroutine)
			sqlite3_bind_int64(s, 5, (int64_t)t->goroutine);
		sqlite3_bind_int64(s, 6, t->how);
		if (t->problem)
			sqlite3_bind_text(s, 7, t->problem, -1, SQLITE_STATIC);
		if (t->stack < inc->stacks.len)
			sqlite3_bind_int64(s, 8, in->stack_ids[t->stack]);
		err = step_done(in->st, s, "thread insert");
	}
	return err;
}

static struct gpm_error *insert_findings_and_text(struct ingest *in, int64_t id,
                                                  const struct gpm_store_report *rep)
{
	struct gpm_store *st = in->st;
	const struct gpm_incident *inc = in->inc;
	struct gpm_strbuf ftext = GPM_STRBUF_INIT, funcs = GPM_STRBUF_INIT, msg = GPM_STRBUF_INIT;
	struct gpm_error *err = NULL;
	sqlite3_stmt *s;
	for (size_t i = 0; rep && i < rep->nfindings && !err; i++) {
		const struct gpm_store_finding *f = &rep->findings[i];
		if (!f->rule || !f->title) {
			err =
			    gpm_error_create(GPM_ERR_USAGE, "finding %zu has no rule or title", i);
			break;
		}
		if ((err = gpm_store_stmt(st, STMT_FINDING_INSERT, &s)))
			break;
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, (int64_t)i);
		gpm_store_bind_text(s, 3, f->rule);
		gpm_store_bind_text(s, 4, f->severity ? f->severity : "info");
		bind_borrowed(s, 5, f->title);
		bind_borrowed(s, 6, f->explanation);
		bind_borrowed(s, 7, f->evidence_json);
		err = step_done(st, s, "finding insert");
		gpm_strbuf_printf(&ftext, "%s%s %s %s", i ? "\n" : "", f->rule, f->title,
		                  f->explanation ? f->explanation : "");
	}
	// Distinct function names: the interned pointers are unique per name.
	struct name_cache seen = {0};
	for (size_t i = 0; i < inc->frames.len && !err; i++) {
		const char *fn = inc->frames.v[i].func;
		if (!fn)
			continue;
		int64_t *slot = cache_slot(&seen, fn);
		if (!slot) {
			err = &gpm_error_nomem;
			break;
		}
		if (*slot)
			continue;
		*slot = 1;
		gpm_strbuf_printf(&funcs, "%s%s", funcs.len ? " " : "", fn);
	}
	free(seen.slots);
	for (size_t i = 0; i < inc->crash.panics.len; i++)
		if (inc->crash.panics.v[i].message)
			gpm_strbuf_printf(&msg, "%s%s", msg.len ? "\n" : "",
			                  inc->crash.panics.v[i].message);
	if (inc->crash.fatal_message)
		gpm_strbuf_printf(&msg, "%s%s", msg.len ? "\n" : "", inc->crash.fatal_message);
	if (!err)
		err = gpm_strbuf_error(&ftext);
	if (!err)
		err = gpm_strbuf_error(&funcs);
	if (!err)
		err = gpm_strbuf_error(&msg);
	if (!err && !(err = gpm_store_stmt(st, STMT_FTS_INSERT, &s))) {
		sqlite3_bind_int64(s, 1, id);
		bind_borrowed(s, 2, gpm_strbuf_str(&msg));
		bind_borrowed(s, 3, gpm_strbuf_str(&ftext));
		bind_borrowed(s, 4, gpm_strbuf_str(&funcs));
		err = step_done(st, s, "search index");
	}
	gpm_strbuf_deinit(&ftext);
	gpm_strbuf_deinit(&funcs);
	gpm_strbuf_deinit(&msg);
	return err;
}

static struct gpm_error *artifact_row(struct gpm_store *st, const struct gpm_store_artifact *art,
                                      const struct gpm_incident *inc, int64_t *id)
{
	sqlite3_stmt *s;
	struct gpm_error *err = gpm_store_stmt(st, STMT_ARTIFACT_GET, &s);
	if (err)
		return err;
	sqlite3_bind_text(s, 1, art->sha256, -1, SQLITE_STATIC);
	if ((err = lookup_id(st, s, "artifact lookup", id)) || *id)
		return err;
	// Stored under an identity of an older kind: the row takes the new identity, so the
	// next look-up finds it without hashing the file the old way again.
	const struct {
		const char *kind, *hex;
	} old[] = {{GPM_IDENTITY_WHOLE, art->whole_sha256}, {GPM_IDENTITY_TREE, art->tree_sha256}};
	for (size_t k = 0; k < sizeof(old) / sizeof(old[0]) && st->version >= 7; k++) {
		if (!old[k].hex[0])
			continue;
		if ((err = gpm_store_stmt(st, STMT_ARTIFACT_GET_OLD, &s)))
			return err;
		sqlite3_bind_text(s, 1, old[k].hex, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, (int64_t)art->size);
		sqlite3_bind_text(s, 3, old[k].kind, -1, SQLITE_STATIC);
		if ((err = lookup_id(st, s, "artifact lookup", id)))
			return err;
		if (*id) {
			if ((err = gpm_store_stmt(st, STMT_ARTIFACT_RENAME, &s)))
				return err;
			sqlite3_bind_int64(s, 1, *id);
			sqlite3_bind_text(s, 2, art->sha256, -1, SQLITE_STATIC);
			return step_done(st, s, "artifact identity update");
		}
	}
	if ((err = gpm_store_stmt(
	         st, st->version >= 7 ? STMT_ARTIFACT_INSERT : STMT_ARTIFACT_INSERT_V6, &s)))
		return err;
	sqlite3_bind_text(s, 1, art->sha256, -1, SQLITE_STATIC);
	gpm_store_bind_text(s, 2, art->path);
	sqlite3_bind_int64(s, 3, (int64_t)art->size);
	gpm_store_bind_text(s, 4, art->kind ? art->kind : gpm_input_kind_name(inc->kind));
	sqlite3_bind_int64(s, 5, (int64_t)time(NULL));
	if ((err = step_done(st, s, "artifact insert")))
		return err;
	*id = sqlite3_last_insert_rowid(st->db);
	return NULL;
}

// An identity of the kind new rows get: 32 lowercase hex digits.
static bool sha_valid(const char *h)
{
	size_t n = strspn(h, "0123456789abcdef");
	return !h[n] && n == GPM_IDENTITY_HEX_LEN;
}

struct gpm_error *gpm_store_ingest(struct gpm_store *st, const struct gpm_incident *inc,
                                   const struct gpm_store_artifact *art,
                                   const struct gpm_store_report *rep, int64_t *incident_id)
{
	st->last_existed = false;
	if (st->readonly)
		return gpm_error_create(GPM_ERR_USAGE, "%s: opened read-only", st->path);
	if (!sha_valid(art->sha256))
		return gpm_error_create(GPM_ERR_USAGE, "artifact without a valid identity");
	// Copy the file first: a kept copy without a row is removed by gc, a row never names
	// a missing copy.
	char *kept = NULL;
	struct gpm_error *err = NULL;
	if (art->keep && (err = gpm_store_artifact_keep(st, art, &kept)))
		return err;
	struct ingest in = {.st = st, .inc = inc};
	in.stack_ids = calloc(inc->stacks.len + 1, sizeof(*in.stack_ids));
	if (!in.stack_ids) {
		free(kept);
		return &gpm_error_nomem;
	}
	if ((err = gpm_store_exec(st, "BEGIN IMMEDIATE")))
		goto out;
	int64_t artifact_id = 0, id = 0;
	sqlite3_stmt *s;
	if ((err = artifact_row(st, art, inc, &artifact_id)))
		goto rollback;
	if (kept) {
		if ((err = gpm_store_stmt(st, STMT_ARTIFACT_KEPT, &s)))
			goto rollback;
		sqlite3_bind_int64(s, 1, artifact_id);
		sqlite3_bind_text(s, 2, kept, -1, SQLITE_STATIC);
		if ((err = step_done(st, s, "artifact update")))
			goto rollback;
	}
	if ((err = gpm_store_stmt(st, STMT_INCIDENT_GET, &s)))
		goto rollback;
	sqlite3_bind_int64(s, 1, artifact_id);
	sqlite3_bind_int64(s, 2, inc->snapshot);
	if ((err = lookup_id(st, s, "incident lookup", &id)))
		goto rollback;
	if (id) {
		st->last_existed = true;
		goto commit; // keeps a newly kept copy
	}
	if ((err = insert_incident(&in, artifact_id, art, rep, &id)))
		goto rollback;
	for (uint32_t i = 0; i < inc->stacks.len; i++)
		if ((err = store_stack(&in, i)))
			goto rollback;
	if ((err = insert_goroutines(&in, id)) || (err = insert_threads(&in, id)))
		goto rollback;
	if ((err = insert_findings_and_text(&in, id, rep)))
		goto rollback;
	if (rep && rep->doc && (err = gpm_store_report_write(st, id, rep->doc)))
		goto rollback;
	if ((err = gpm_store_sign_incident(st, id, inc,
	                                   rep && rep->nfindings ? rep->findings[0].rule : NULL)))
		goto rollback;
commit:
	if ((err = gpm_store_exec(st, "COMMIT")))
		goto rollback;
	*incident_id = id;
	goto out;
rollback:
	gpm_store_exec(st, "ROLLBACK");
	st->last_existed = false;
out:
	free(in.stack_ids);
	free(in.functions.slots);
	free(in.files.slots);
	free(kept);
	return err;
}

struct gpm_error *gpm_store_sign_incident(struct gpm_store *st, int64_t incident_id,
                                          const struct gpm_incident *inc, const char *headline_rule)
{
	struct gpm_signature sig;
	struct gpm_error *err = gpm_signature_compute(inc, headline_rule, &sig);
	if (err)
		return err;
	sqlite3_stmt *s;
	int64_t sig_id = 0;
	bool clustered = false;
	if ((err = gpm_store_stmt(st, STMT_SIG_GET, &s)))
		goto out;
	sqlite3_bind_int(s, 1, sig.algorithm);
	sqlite3_bind_text(s, 2, sig.hash, -1, SQLITE_STATIC);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		sig_id = sqlite3_column_int64(s, 0);
		clustered = sqlite3_column_type(s, 1) != SQLITE_NULL;
	} else if (rc != SQLITE_DONE) {
		err = gpm_store_sqlite_error(st, rc, "signature lookup");
	}
	sqlite3_reset(s);
	if (err)
		goto out;
	if (!sig_id) {
		if ((err = gpm_store_stmt(st, STMT_SIG_INSERT, &s)))
			goto out;
		sqlite3_bind_int(s, 1, sig.algorithm);
		sqlite3_bind_text(s, 2, sig.hash, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, sig.kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, sig.frames, -1, SQLITE_STATIC);
		if ((err = step_done(st, s, "signature insert")))
			goto out;
		sig_id = sqlite3_last_insert_rowid(st->db);
	}
	if (!clustered && (err = gpm_cluster_assign(st, sig_id)))
		goto out;
	if ((err = gpm_store_stmt(st, STMT_INCSIG_UPSERT, &s)))
		goto out;
	sqlite3_bind_int64(s, 1, incident_id);
	sqlite3_bind_int(s, 2, sig.algorithm);
	sqlite3_bind_int64(s, 3, sig_id);
	err = step_done(st, s, "incident signature");
out:
	gpm_signature_deinit(&sig);
	return err;
}
