/*
 * Queries over the archive. Every statement is a fixed string: optional filters are
 * written as "(?N IS NULL OR <condition on ?N>)" and their values bound, so no value ever
 * becomes SQL. Results come back as text tables for the command line to lay out.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/strbuf.h"
#include "store/internal.h"
#include "store/signature.h"

void gpm_store_table_deinit(struct gpm_store_table *t)
{
	for (size_t i = 0; i < t->ncols; i++)
		free(t->cols[i]);
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cols);
	free(t->cells);
	free(t->numeric);
	memset(t, 0, sizeof(*t));
}

struct gpm_error *gpm_store_table_fill(struct gpm_store *st, sqlite3_stmt *s, int64_t max_rows,
                                       struct gpm_store_table *out)
{
	memset(out, 0, sizeof(*out));
	int nc = sqlite3_column_count(s);
	out->ncols = (size_t)nc;
	out->cols = calloc((size_t)nc + 1, sizeof(*out->cols));
	out->numeric = calloc((size_t)nc + 1, sizeof(*out->numeric));
	bool *typed = calloc((size_t)nc + 1, sizeof(*typed));
	struct gpm_error *err = NULL;
	if (!out->cols || !out->numeric || !typed) {
		err = &gpm_error_nomem;
		goto out;
	}
	for (int i = 0; i < nc; i++) {
		const char *n = sqlite3_column_name(s, i);
		if (!(out->cols[i] = strdup(n ? n : "?"))) {
			err = &gpm_error_nomem;
			goto out;
		}
	}
	int rc;
	while ((max_rows < 0 || (int64_t)out->nrows < max_rows) &&
	       (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((out->nrows + 1) * (size_t)nc > out->cap) {
			size_t ncap = out->cap ? 2 * out->cap : 64 * (size_t)(nc ? nc : 1);
			char **n = realloc(out->cells, ncap * sizeof(*n));
			if (!n) {
				err = &gpm_error_nomem;
				goto out;
			}
			out->cells = n;
			out->cap = ncap;
		}
		char **row = out->cells + out->nrows * (size_t)nc;
		for (int i = 0; i < nc; i++)
			row[i] = NULL;
		out->nrows++;
		for (int i = 0; i < nc; i++) {
			int t = sqlite3_column_type(s, i);
			if (!typed[i] && t != SQLITE_NULL) {
				typed[i] = true;
				out->numeric[i] = t == SQLITE_INTEGER || t == SQLITE_FLOAT;
			}
			if (t == SQLITE_NULL)
				continue;
			if (t == SQLITE_BLOB) {
				char buf[64];
				snprintf(buf, sizeof(buf), "<blob %d bytes>",
				         sqlite3_column_bytes(s, i));
				row[i] = strdup(buf);
			} else {
				const unsigned char *v = sqlite3_column_text(s, i);
				row[i] =
				    v ? strndup((const char *)v, (size_t)sqlite3_column_bytes(s, i))
				      : NULL;
			}
			if (!row[i]) {
				err = &gpm_error_nomem;
				goto out;
			}
		}
	}
	if (max_rows < 0 || (int64_t)out->nrows < max_rows)
		if (rc != SQLITE_DONE)
			err = gpm_store_sqlite_error(st, rc, "query");
out:
	free(typed);
	if (err)
		gpm_store_table_deinit(out);
	return err;
}

static struct gpm_error *run(struct gpm_store *st, sqlite3_stmt *s, int64_t max_rows,
                             struct gpm_store_table *out)
{
	struct gpm_error *err = gpm_store_table_fill(st, s, max_rows, out);
	sqlite3_finalize(s);
	return err;
}

static struct gpm_error *prepare(struct gpm_store *st, const char *sql, sqlite3_stmt **s)
{
	int rc = sqlite3_prepare_v2(st->db, sql, -1, s, NULL);
	return rc == SQLITE_OK ? NULL : gpm_store_sqlite_error(st, rc, "prepare");
}

static int64_t limit_of(int64_t l)
{
	return l == 0 ? 100 : l < 0 ? -1 : l;
}

// ?1 algorithm ?2 since ?3 until ?4 exe ?5 go ?6 finding ?7 cluster ?8 limit
static void bind_filter(sqlite3_stmt *s, const struct gpm_store_filter *f)
{
	sqlite3_bind_int(s, 1, GPM_SIGNATURE_ALGORITHM);
	if (f->since)
		sqlite3_bind_int64(s, 2, f->since);
	if (f->until)
		sqlite3_bind_int64(s, 3, f->until);
	gpm_store_bind_text(s, 4, f->exe);
	gpm_store_bind_text(s, 5, f->go);
	gpm_store_bind_text(s, 6, f->finding);
	if (f->cluster)
		sqlite3_bind_int64(s, 7, f->cluster);
	sqlite3_bind_int64(s, 8, limit_of(f->limit));
}

#define FILTER_WHERE                                                                               \
	"(?2 IS NULL OR i.time >= ?2) AND (?3 IS NULL OR i.time < ?3) "                            \
	"AND (?4 IS NULL OR instr(i.exe, ?4) > 0) "                                                \
	"AND (?5 IS NULL OR substr(i.go_version, 1, length(?5)) = ?5) "                            \
	"AND (?6 IS NULL OR i.headline_rule = ?6 OR instr(i.headline, ?6) > 0 OR EXISTS "          \
	"(SELECT 1 FROM findings f WHERE f.incident_id = i.id AND f.rule = ?6)) "                  \
	"AND (?7 IS NULL OR s.cluster_id = ?7) "

struct gpm_error *gpm_store_incidents(struct gpm_store *st, const struct gpm_store_filter *f,
                                      struct gpm_store_table *out)
{
	sqlite3_stmt *s;
	struct gpm_error *err = prepare(
	    st,
	    "SELECT i.id, strftime('%Y-%m-%d %H:%M:%S', i.time, 'unixepoch') AS time, "
	    "i.go_version AS go, i.exe, i.kind, s.cluster_id AS cluster, i.goroutines, "
	    "i.headline FROM incidents i LEFT JOIN incident_signatures x ON x.incident_id = i.id "
	    "AND x.algorithm = ?1 LEFT JOIN signatures s ON s.id = x.signature_id "
	    "WHERE " FILTER_WHERE "ORDER BY i.time DESC, i.id DESC LIMIT ?8",
	    &s);
	if (err)
		return err;
	bind_filter(s, f);
	return run(st, s, -1, out);
}

struct gpm_error *gpm_store_clusters(struct gpm_store *st, const struct gpm_store_filter *f,
                                     struct gpm_store_table *out)
{
	sqlite3_stmt *s;
	struct gpm_error *err = prepare(
	    st,
	    "WITH " GPM_SQL_BUILD_KEYS " SELECT a.cluster AS id, a.count, strftime('%Y-%m-%d "
	    "%H:%M:%S', a.first, 'unixepoch') AS first, strftime('%Y-%m-%d %H:%M:%S', a.last, "
	    "'unixepoch') AS last, a.builds, a.go, a.kind, c.status, c.owner, " GPM_SQL_FIRST_BUILD
	    " AS first_build, " GPM_SQL_REGRESSED " AS regressed, h.headline FROM (SELECT "
	    "s.cluster_id AS cluster, count(*) AS count, min(i.time) AS first, max(i.time) AS "
	    "last, count(DISTINCT coalesce(i.build, i.build_id, i.exe, '')) AS builds, "
	    "group_concat(DISTINCT i.go_version) AS go, max(s.kind) AS kind, max(i.id) AS "
	    "last_id FROM incidents i JOIN incident_signatures x ON x.incident_id = i.id AND "
	    "x.algorithm = ?1 JOIN signatures s ON s.id = x.signature_id WHERE s.cluster_id IS "
	    "NOT NULL AND " FILTER_WHERE "GROUP BY s.cluster_id) a JOIN incidents h ON h.id = "
	    "a.last_id JOIN clusters c ON c.id = a.cluster "
	    "ORDER BY a.count DESC, a.cluster LIMIT ?8",
	    &s);
	if (err)
		return err;
	bind_filter(s, f);
	return run(st, s, -1, out);
}

struct gpm_error *gpm_store_search(struct gpm_store *st, const char *text, bool raw, int64_t limit,
                                   struct gpm_store_table *out)
{
	struct gpm_strbuf q = GPM_STRBUF_INIT;
	if (raw) {
		gpm_strbuf_puts(&q, text);
	} else {
		// One FTS5 string: a phrase of the words, quotes doubled.
		gpm_strbuf_putc(&q, '"');
		for (const char *p = text; *p; p++) {
			if (*p == '"')
				gpm_strbuf_putc(&q, '"');
			gpm_strbuf_putc(&q, *p);
		}
		gpm_strbuf_putc(&q, '"');
	}
	struct gpm_error *err = gpm_strbuf_error(&q);
	sqlite3_stmt *s = NULL;
	if (!err)
		err =
		    prepare(st,
		            "SELECT i.id, strftime('%Y-%m-%d %H:%M:%S', i.time, 'unixepoch') AS "
		            "time, i.go_version AS go, snippet(incident_fts, -1, '[', ']', '...', "
		            "8) AS match, i.headline FROM incident_fts JOIN incidents i ON i.id = "
		            "incident_fts.rowid WHERE incident_fts MATCH ?1 ORDER BY rank, i.id "
		            "LIMIT ?2",
		            &s);
	if (!err) {
		sqlite3_bind_text(s, 1, gpm_strbuf_str(&q), -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 2, limit_of(limit));
		err = run(st, s, -1, out);
	}
	gpm_strbuf_deinit(&q);
	return err;
}

// `gopm sql`: reads only. The connection is read-only already; this also refuses
// ATTACH/DETACH (which would open other files) and PRAGMAs that set values.
static int sql_authorizer(void *ud, int action, const char *a, const char *b, const char *c,
                          const char *d)
{
	(void)ud;
	(void)c;
	(void)d;
	switch (action) {
	case SQLITE_ATTACH:
	case SQLITE_DETACH:
		return SQLITE_DENY;
	case SQLITE_PRAGMA:
		return b ? SQLITE_DENY : SQLITE_OK;
	case SQLITE_FUNCTION:
		return b && !strcmp(b, "load_extension") ? SQLITE_DENY : SQLITE_OK;
	default:
		(void)a;
		return SQLITE_OK;
	}
}

/* The bounds of one user query: wall-clock time (checked every few thousand steps of
 * SQLite's machine) and SQLite's heap. */
struct sql_bounds {
	struct timespec start;
	double seconds; /* 0 none */
	bool stopped;
};

static int sql_progress(void *arg)
{
	struct sql_bounds *b = arg;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double t = (double)(now.tv_sec - b->start.tv_sec) + (now.tv_nsec - b->start.tv_nsec) / 1e9;
	if (b->seconds > 0 && t > b->seconds)
		b->stopped = true;
	return b->stopped;
}

/* A non-negative number from the environment, else def. */
static double env_number(const char *name, double def)
{
	const char *v = getenv(name);
	char *end;
	double d = v && *v ? strtod(v, &end) : def;
	return v && *v && (*end || d < 0) ? def : d;
}

struct gpm_error *gpm_store_sql(struct gpm_store *st, const char *sql, int64_t max_rows,
                                struct gpm_store_table *out)
{
	if (!st->readonly)
		return gpm_error_create(GPM_ERR_USAGE, "sql: the archive must be opened read-only");
	sqlite3_set_authorizer(st->db, sql_authorizer, NULL);
	sqlite3_stmt *s;
	const char *tail = NULL;
	int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, &tail);
	sqlite3_set_authorizer(st->db, NULL, NULL);
	if (rc != SQLITE_OK)
		return gpm_error_create(GPM_ERR_USAGE, "sql: %s", sqlite3_errmsg(st->db));
	if (!s)
		return gpm_error_create(GPM_ERR_USAGE, "sql: empty statement");
	while (tail && *tail && (isspace((unsigned char)*tail) || *tail == ';'))
		tail++;
	if (tail && *tail) {
		sqlite3_finalize(s);
		return gpm_error_create(GPM_ERR_USAGE, "sql: one statement only");
	}
	if (!sqlite3_stmt_readonly(s)) {
		sqlite3_finalize(s);
		return gpm_error_create(GPM_ERR_USAGE, "sql: only statements that read");
	}
	// A query of anyone's may run forever (a recursive CTE) or fill memory: bounded in
	// time (GOPM_SQL_SECONDS, default 30), in SQLite's heap (GOPM_SQL_MEMORY MiB, default
	// 512) and in the length of one value (16 MiB).
	struct sql_bounds b = {.seconds = env_number("GOPM_SQL_SECONDS", 30)};
	double mib = env_number("GOPM_SQL_MEMORY", 512);
	clock_gettime(CLOCK_MONOTONIC, &b.start);
	sqlite3_progress_handler(st->db, 4096, sql_progress, &b);
	sqlite3_int64 heap = sqlite3_hard_heap_limit64(-1);
	if (mib > 0)
		sqlite3_hard_heap_limit64((sqlite3_int64)(mib * 1048576));
	int length = sqlite3_limit(st->db, SQLITE_LIMIT_LENGTH, 16 << 20);
	struct gpm_error *err = run(st, s, max_rows, out);
	sqlite3_limit(st->db, SQLITE_LIMIT_LENGTH, length);
	sqlite3_hard_heap_limit64(heap);
	sqlite3_progress_handler(st->db, 0, NULL, NULL);
	if (err && b.stopped) {
		gpm_error_destroy(err);
		return gpm_error_create(GPM_ERR_LIMIT,
		                        "sql: stopped after %g s (GOPM_SQL_SECONDS sets the limit)",
		                        b.seconds);
	}
	if (err &&
	    (sqlite3_errcode(st->db) == SQLITE_NOMEM || sqlite3_errcode(st->db) == SQLITE_TOOBIG)) {
		gpm_error_destroy(err);
		return gpm_error_create(GPM_ERR_LIMIT,
		                        "sql: the query needs more than %g MiB or a value over 16 "
		                        "MiB (GOPM_SQL_MEMORY sets the memory limit)",
		                        mib);
	}
	return err;
}

struct gpm_error *gpm_store_incident_facts(struct gpm_store *st, int64_t id,
                                           struct gpm_store_table *out)
{
	sqlite3_stmt *s;
	struct gpm_error *err = prepare(
	    st,
	    "SELECT i.id, strftime('%Y-%m-%d %H:%M:%S', i.time, 'unixepoch') AS time, "
	    "strftime('%Y-%m-%d %H:%M:%S', i.ingested, 'unixepoch') AS ingested, i.host, i.kind, "
	    "a.path AS input, a.sha256, a.identity, a.size, a.kept, i.snapshot, i.exe, i.build_id, "
	    "i.time_source, i.build, i.exe_read, i.go_version AS go, i.module, i.cmdline, i.pid, "
	    "i.fatal, "
	    "i.signal, i.message, "
	    "i.headline, i.headline_rule AS rule, i.goroutines, s.hash AS signature, s.kind AS "
	    "signature_kind, s.cluster_id AS cluster, replace(s.frames, char(10), ' < ') AS "
	    "signature_frames FROM incidents i JOIN artifacts a ON a.id = i.artifact_id LEFT JOIN "
	    "incident_signatures x ON x.incident_id = i.id AND x.algorithm = ?2 LEFT JOIN "
	    "signatures s ON s.id = x.signature_id WHERE i.id = ?1",
	    &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, GPM_SIGNATURE_ALGORITHM);
	struct gpm_store_table wide;
	if ((err = run(st, s, 1, &wide)))
		return err;
	if (!wide.nrows) {
		gpm_store_table_deinit(&wide);
		return gpm_error_create(GPM_ERR_NOT_FOUND, "no incident %lld", (long long)id);
	}
	// Transpose into (field, value).
	memset(out, 0, sizeof(*out));
	out->ncols = 2;
	out->cols = calloc(2, sizeof(char *));
	out->numeric = calloc(2, sizeof(bool));
	out->cells = calloc(2 * wide.ncols + 1, sizeof(char *));
	if (!out->cols || !out->numeric || !out->cells || !(out->cols[0] = strdup("field")) ||
	    !(out->cols[1] = strdup("value"))) {
		gpm_store_table_deinit(&wide);
		gpm_store_table_deinit(out);
		return &gpm_error_nomem;
	}
	out->cap = 2 * wide.ncols;
	for (size_t c = 0; c < wide.ncols; c++) {
		if (!wide.cells[c])
			continue;
		out->cells[2 * out->nrows] = wide.cols[c];
		out->cells[2 * out->nrows + 1] = wide.cells[c];
		wide.cols[c] = wide.cells[c] = NULL;
		out->nrows++;
	}
	gpm_store_table_deinit(&wide);
	return NULL;
}

struct gpm_error *gpm_store_incident_report(struct gpm_store *st, int64_t id, char **out)
{
	sqlite3_stmt *s;
	struct gpm_error *err = prepare(st, "SELECT report FROM incidents WHERE id = ?1", &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, id);
	int rc = sqlite3_step(s);
	*out = NULL;
	if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL &&
	    !(*out = strdup((const char *)sqlite3_column_text(s, 0))))
		err = &gpm_error_nomem;
	else if (rc == SQLITE_DONE)
		err = gpm_error_create(GPM_ERR_NOT_FOUND, "no incident %lld", (long long)id);
	else if (rc != SQLITE_ROW)
		err = gpm_store_sqlite_error(st, rc, "report");
	sqlite3_finalize(s);
	return err;
}

struct gpm_error *gpm_store_incident_findings(struct gpm_store *st, int64_t id,
                                              struct gpm_store_table *out)
{
	sqlite3_stmt *s;
	struct gpm_error *err = prepare(st,
	                                "SELECT rule, severity, title, explanation, evidence FROM "
	                                "findings WHERE incident_id = ?1 ORDER BY ordinal",
	                                &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, id);
	return run(st, s, -1, out);
}

struct gpm_error *gpm_store_incident_groups(struct gpm_store *st, int64_t id, int64_t limit,
                                            struct gpm_store_table *out)
{
	sqlite3_stmt *s;
	struct gpm_error *err = prepare(
	    st,
	    "SELECT g.count, g.state, (SELECT group_concat(name, ' < ') FROM (SELECT fn.name AS "
	    "name FROM frames f JOIN functions fn ON fn.id = f.function_id WHERE f.stack_id = "
	    "g.stack_id ORDER BY f.depth LIMIT 8)) AS frames FROM groups g WHERE g.incident_id = "
	    "?1 ORDER BY g.ordinal LIMIT ?2",
	    &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, limit_of(limit));
	return run(st, s, -1, out);
}

static bool parse_digits(const char **p, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return false;
		*v = *v * 10 + (**p - '0');
	}
	return true;
}

struct gpm_error *gpm_store_parse_time(const char *s, int64_t now, int64_t *out)
{
	const char *p = s;
	if (*p == '@')
		p++;
	size_t len = strlen(p);
	char *end;
	if (len && len <= 18 && strspn(p, "0123456789") == len) {
		*out = strtoll(p, &end, 10);
		return NULL;
	}
	if (len >= 2 && len <= 12 && strspn(p, "0123456789") == len - 1) {
		long long n = strtoll(p, &end, 10);
		int64_t unit = 0;
		switch (p[len - 1]) {
		case 's':
			unit = 1;
			break;
		case 'm':
			unit = 60;
			break;
		case 'h':
			unit = 3600;
			break;
		case 'd':
			unit = 86400;
			break;
		case 'w':
			unit = 7 * 86400;
			break;
		default:
			break;
		}
		int64_t ago;
		if (unit && !__builtin_mul_overflow((int64_t)n, unit, &ago) &&
		    !__builtin_sub_overflow(now, ago, out))
			return NULL;
	}
	struct tm tm = {0};
	int y, mo, d, h = 0, mi = 0, sec = 0;
	const char *q = p;
	if (parse_digits(&q, 4, &y) && *q++ == '-' && parse_digits(&q, 2, &mo) && *q++ == '-' &&
	    parse_digits(&q, 2, &d)) {
		bool ok = true;
		if (*q == 'T' || *q == ' ') {
			q++;
			ok = parse_digits(&q, 2, &h) && *q++ == ':' && parse_digits(&q, 2, &mi);
			if (ok && *q == ':') {
				q++;
				ok = parse_digits(&q, 2, &sec);
			}
			if (ok && *q == 'Z')
				q++;
		}
		if (ok && !*q && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h < 24 && mi < 60 &&
		    sec < 61) {
			tm.tm_year = y - 1900;
			tm.tm_mon = mo - 1;
			tm.tm_mday = d;
			tm.tm_hour = h;
			tm.tm_min = mi;
			tm.tm_sec = sec;
			*out = (int64_t)timegm(&tm);
			return NULL;
		}
	}
	return gpm_error_create(GPM_ERR_USAGE,
	                        "bad time '%s': use 7d, 12h, 30m, YYYY-MM-DD[THH:MM[:SS]] or unix "
	                        "seconds",
	                        s);
}
