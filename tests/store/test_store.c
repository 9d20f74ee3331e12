/*
 * Archive tests on real SQLite files in a temporary directory: SHA-256 vectors, schema
 * migrations (empty, older, newer, foreign files), idempotent ingest, deduplication, a
 * reader during ingest, kill -9 during ingest, full-text search, the read-only sql
 * command, injection attempts through every filter, signatures and clusters over fixtures
 * of the same bug from different Go versions, resign, rm and gc.
 */
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/sha256.h"
#include "base/strbuf.h"
#include "base/source.h"
#include "check_gopm.h"
#include "dump/dump.h"
#include "analysis/report_doc.h"
#include "store/cluster.h"
#include "store/report.h"
#include "store/heap.h"
#include "store/signature.h"
#include "store/store.h"
#include "store/workflow.h"

static char tmpdir[256];

static void setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/gopm-store-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *tmp(const char *name)
{
	static char buf[4][512];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

static struct gpm_store *open_rw(const char *path)
{
	struct gpm_store *st;
	struct gpm_error *err = gpm_store_open(path, NULL, &st);
	ck_assert_msg(!err, "%s", err ? err->message : "");
	return st;
}

static struct gpm_store *open_ro(const char *path)
{
	struct gpm_store_options o = {.readonly = true};
	struct gpm_store *st;
	struct gpm_error *err = gpm_store_open(path, &o, &st);
	ck_assert_msg(!err, "%s", err ? err->message : "");
	return st;
}

// One number from a read-only query.
static long long scalar(struct gpm_store *st, const char *sql)
{
	struct gpm_store_table t;
	struct gpm_error *err = gpm_store_sql(st, sql, -1, &t);
	ck_assert_msg(!err, "%s: %s", sql, err ? err->message : "");
	ck_assert_uint_eq(t.nrows, 1);
	long long v = gpm_store_cell(&t, 0, 0) ? atoll(gpm_store_cell(&t, 0, 0)) : -1;
	gpm_store_table_deinit(&t);
	return v;
}

static long long scalar_path(const char *db, const char *sql)
{
	struct gpm_store *st = open_ro(db);
	long long v = scalar(st, sql);
	gpm_store_close(st);
	return v;
}

struct fixture {
	struct gpm_source *src;
	struct gpm_incident **inc;
	size_t n;
	struct gpm_store_artifact art;
};

static void load(const char *rel, struct fixture *f)
{
	const char *path = gpm_test_data(rel);
	struct gpm_error *err = gpm_source_open(path, &f->src);
	ck_assert_msg(!err, "%s", err ? err->message : "");
	err = gpm_dump_parse_all((const char *)f->src->data, f->src->size, path, NULL, &f->inc,
	                         &f->n);
	ck_assert_msg(!err, "%s: %s", rel, err ? err->message : "");
	ck_assert_uint_ge(f->n, 1);
	err = gpm_store_artifact_from_file(path, &f->art);
	ck_assert_msg(!err, "%s", err ? err->message : "");
}

static void unload(struct fixture *f)
{
	for (size_t i = 0; i < f->n; i++)
		gpm_incident_destroy(f->inc[i]);
	free(f->inc);
	gpm_source_destroy(f->src);
}

static int64_t ingest(struct gpm_store *st, struct fixture *f)
{
	int64_t id = 0;
	struct gpm_error *err = gpm_store_ingest(st, f->inc[0], &f->art, NULL, &id);
	ck_assert_msg(!err, "%s", err ? err->message : "");
	return id;
}

static int64_t ingest_rel(struct gpm_store *st, const char *rel)
{
	struct fixture f;
	load(rel, &f);
	int64_t id = ingest(st, &f);
	unload(&f);
	return id;
}

START_TEST(test_sha256_vectors)
{
	char hex[GPM_SHA256_HEX_SIZE];
	gpm_sha256_hex("", 0, hex);
	ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	gpm_sha256_hex("abc", 3, hex);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	gpm_sha256_hex(m, strlen(m), hex);
	ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	// One million 'a' in uneven pieces exercises the partial-block paths.
	struct gpm_sha256 s;
	gpm_sha256_init(&s);
	static char a[1000];
	memset(a, 'a', sizeof(a));
	size_t left = 1000000, step = 1;
	while (left) {
		size_t n = step < left ? step : left;
		gpm_sha256_update(&s, a, n);
		left -= n;
		step = step % 977 + 13;
	}
	uint8_t d[GPM_SHA256_SIZE];
	gpm_sha256_final(&s, d);
	gpm_sha256_to_hex(d, hex);
	ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	// 55 and 56 bytes straddle the padding boundary.
	gpm_sha256_hex(a, 55, hex);
	ck_assert_str_eq(hex, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
	gpm_sha256_hex(a, 56, hex);
	ck_assert_str_eq(hex, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
}
END_TEST

START_TEST(test_migrate_empty)
{
	const char *db = tmp("a.db");
	struct gpm_store *st = open_rw(db);
	ck_assert_uint_eq(gpm_store_version(st), gpm_store_schema_latest());
	ck_assert_uint_ge(gpm_store_schema_latest(), 2);
	gpm_store_close(st);
	// Reopening is a no-op; the identity pragmas are set.
	st = open_ro(db);
	ck_assert_int_eq(scalar(st, "PRAGMA application_id"), 0x476f504d);
	ck_assert_int_eq(scalar(st, "PRAGMA user_version"), (long long)gpm_store_schema_latest());
	ck_assert_int_eq(scalar(st, "SELECT count(*) FROM incidents"), 0);
	gpm_store_close(st);
	sqlite3 *raw;
	ck_assert_int_eq(sqlite3_open(db, &raw), SQLITE_OK);
	sqlite3_stmt *s;
	ck_assert_int_eq(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
	ck_assert_str_eq((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	sqlite3_close(raw);
}
END_TEST

START_TEST(test_migrate_older)
{
	const char *db = tmp("old.db");
	struct gpm_store_options o = {.max_version = 1};
	struct gpm_store *st;
	struct gpm_error *err = gpm_store_open(db, &o, &st);
	ck_assert_msg(!err, "%s", err ? err->message : "");
	ck_assert_uint_eq(gpm_store_version(st), 1);
	gpm_store_close(st);
	// A version-1 archive with one incident, written as version 1 would have.
	sqlite3 *raw;
	ck_assert_int_eq(sqlite3_open(db, &raw), SQLITE_OK);
	ck_assert_int_eq(
	    sqlite3_exec(
	        raw,
	        "INSERT INTO artifacts VALUES (1, 'ab', 'x', 1, 'dump', NULL, 0);"
	        "INSERT INTO incidents (id, artifact_id, time, ingested, kind, message, "
	        "headline, goroutines) VALUES (1, 1, 5, 5, 'dump', 'boom quokka', "
	        "'panic: boom quokka', 1);"
	        "INSERT INTO functions VALUES (1, 'main.wombat');"
	        "INSERT INTO stacks VALUES (1, 42, 1);"
	        "INSERT INTO frames VALUES (1, 0, 1, NULL, 7, 0);"
	        "INSERT INTO goroutines (incident_id, goid, status, flags, stack_id) VALUES "
	        "(1, 1, 2, 0, 1);",
	        NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(raw);
	// Read-only openers refuse to migrate.
	struct gpm_store_options ro = {.readonly = true};
	err = gpm_store_open(db, &ro, &st);
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_nonnull(strstr(err->message, "upgrade"));
	gpm_error_destroy(err);
	st = open_rw(db);
	ck_assert_uint_eq(gpm_store_version(st), gpm_store_schema_latest());
	uint64_t n;
	struct gpm_store_table moves;
	ck_assert_ptr_null(gpm_store_resign(st, &n, &moves));
	ck_assert_uint_eq(n, 1);
	gpm_store_table_deinit(&moves);
	gpm_store_close(st);
	st = open_ro(db);
	struct gpm_store_table t;
	ck_assert_ptr_null(gpm_store_search(st, "quokka", false, 0, &t));
	ck_assert_uint_eq(t.nrows, 1);
	gpm_store_table_deinit(&t);
	ck_assert_ptr_null(gpm_store_search(st, "wombat", false, 0, &t));
	ck_assert_uint_eq(t.nrows, 1);
	gpm_store_table_deinit(&t);
	ck_assert_int_eq(scalar(st, "SELECT count(*) FROM incident_signatures"), 1);
	// Schema 6 filled the list text of the older incident: time (UTC, minutes), executable,
	// Go version, headline, lowered, joined by char(31).
	ck_assert_int_eq(scalar(st, "SELECT count(*) FROM incidents WHERE list_text = '1970-01-01 "
	                            "00:00' || char(31) || '-' || char(31) || '-' || char(31) || "
	                            "'panic: boom quokka'"),
	                 1);
	gpm_store_close(st);
	// And its trigger follows a change of the shown columns.
	ck_assert_int_eq(sqlite3_open(db, &raw), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(raw,
	                              "UPDATE incidents SET exe = '/opt/Bin/Wombat', go_version = "
	                              "'go1.27.0', headline = 'Fatal: Quokka'",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(raw);
	st = open_ro(db);
	ck_assert_int_eq(scalar(st, "SELECT count(*) FROM incidents WHERE list_text = '1970-01-01 "
	                            "00:00' || char(31) || 'wombat' || char(31) || 'go1.27.0' || "
	                            "char(31) || 'fatal: quokka'"),
	                 1);
	gpm_store_close(st);
}
END_TEST

START_TEST(test_refuse_newer_and_foreign)
{
	const char *db = tmp("new.db");
	gpm_store_close(open_rw(db));
	sqlite3 *raw;
	ck_assert_int_eq(sqlite3_open(db, &raw), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(raw, "PRAGMA user_version = 999", NULL, NULL, NULL),
	                 SQLITE_OK);
	sqlite3_close(raw);
	struct gpm_store *st;
	struct gpm_error *err = gpm_store_open(db, NULL, &st);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, GPM_ERR_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(err->message, "newer than this gopm"));
	gpm_error_destroy(err);

	const char *other = tmp("other.db");
	ck_assert_int_eq(sqlite3_open(other, &raw), SQLITE_OK);
	ck_assert_int_eq(sqlite3_exec(raw, "CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	err = gpm_store_open(other, NULL, &st);
	ck_assert_ptr_nonnull(err);
	ck_assert_ptr_nonnull(strstr(err->message, "not a gopm archive"));
	gpm_error_destroy(err);
}
END_TEST

START_TEST(test_ingest_idempotent)
{
	const char *db = tmp("i.db");
	struct gpm_store *st = open_rw(db);
	struct fixture f;
	load("dumps/go1.22-hang-all.txt", &f);
	int64_t a = ingest(st, &f);
	ck_assert(!gpm_store_ingest_existed(st));
	long long stacks = scalar_path(db, "SELECT count(*) FROM stacks");
	long long frames = scalar_path(db, "SELECT count(*) FROM frames");
	int64_t b = ingest(st, &f);
	ck_assert(gpm_store_ingest_existed(st));
	ck_assert_int_eq(a, b);
	bool known;
	ck_assert_ptr_null(gpm_store_artifact_known(st, &f.art, &known));
	ck_assert(known);
	unload(&f);
	gpm_store_close(st);
	ck_assert_int_eq(scalar_path(db, "SELECT count(*) FROM incidents"), 1);
	ck_assert_int_eq(scalar_path(db, "SELECT count(*) FROM stacks"), stacks);
	ck_assert_int_eq(scalar_path(db, "SELECT count(*) FROM frames"), frames);
	// Goroutines point to deduplicated stacks.
	ck_assert_int_lt(stacks, scalar_path(db, "SELECT count(*) FROM goroutines"));
	ck_assert_int_eq(scalar_path(db, "SELECT count(*) FROM goroutines g LEFT JOIN stacks s ON "
	                                 "s.id = g.stack_id WHERE g.stack_id IS NOT NULL AND s.id "
	                                 "IS NULL"),
	                 0);
	ck_assert_int_eq(scalar_path(db, "SELECT count(*) FROM (SELECT name FROM functions GROUP "
	                                 "BY name HAVING count(*) > 1)"),
	                 0);
}
END_TEST

/*
 * Goroutine rows go in group by group (goroutines_group's order) with the ids they would
 * have had in the dump's order: read by id, an incident's goroutines are the dump's, their
 * ids contiguous and following the incident stored before.
 */
START_TEST(test_goroutine_ids_dump_order)
{
	const char *db = tmp("order.db");
	struct gpm_store *st = open_rw(db);
	const char *rels[] = {"dumps/go1.22-hang-all.txt", "dumps/go1.19-nilderef-all.txt"};
	struct fixture f[2];
	int64_t ids[2];
	for (size_t k = 0; k < 2; k++) {
		load(rels[k], &f[k]);
		ids[k] = ingest(st, &f[k]);
	}
	gpm_store_close(st);
	st = open_ro(db);
	long long prev_max = 0;
	size_t interleaved = 0;
	for (size_t k = 0; k < 2; k++) {
		char sql[256];
		snprintf(sql, sizeof(sql),
		         "SELECT goid, id FROM goroutines WHERE incident_id = %lld ORDER BY id",
		         (long long)ids[k]);
		struct gpm_store_table t;
		struct gpm_error *err = gpm_store_sql(st, sql, -1, &t);
		ck_assert_msg(!err, "%s", err ? err->message : "");
		const struct gpm_incident *inc = f[k].inc[0];
		ck_assert_uint_eq(t.nrows, inc->goroutines.len);
		for (size_t i = 0; i < t.nrows; i++) {
			ck_assert_uint_eq(strtoull(gpm_store_cell(&t, i, 0), NULL, 10),
			                  inc->goroutines.v[i].id);
			ck_assert_int_eq(atoll(gpm_store_cell(&t, i, 1)),
			                 prev_max + 1 + (long long)i);
		}
		prev_max += (long long)t.nrows;
		gpm_store_table_deinit(&t);
		// Groups interleave in the dump (one fixture at least): the order by group differs.
		snprintf(
		    sql, sizeof(sql),
		    "SELECT count(*) FROM goroutines a JOIN goroutines b ON b.incident_id = "
		    "a.incident_id AND b.id > a.id AND b.group_ordinal < a.group_ordinal WHERE "
		    "a.incident_id = %lld",
		    (long long)ids[k]);
		interleaved += scalar(st, sql) > 0;
		unload(&f[k]);
	}
	ck_assert_uint_ge(interleaved, 1);
	gpm_store_close(st);
}
END_TEST

START_TEST(test_dedup_across_incidents)
{
	const char *db = tmp("d.db");
	struct gpm_store *st = open_rw(db);
	ingest_rel(st, "dumps/go1.22-hang-all.txt");
	long long s1 = scalar_path(db, "SELECT count(*) FROM stacks");
	long long f1 = scalar_path(db, "SELECT count(*) FROM functions");
	// The system-traceback form of the same program shares functions.
	ingest_rel(st, "dumps/go1.22-hang-system.txt");
	long long f2 = scalar_path(db, "SELECT count(*) FROM functions");
	ck_assert_int_gt(s1, 0);
	ck_assert_int_lt(f2, 2 * f1);
	gpm_store_close(st);
}
END_TEST

START_TEST(test_findings_and_report)
{
	const char *db = tmp("f.db");
	struct gpm_store *st = open_rw(db);
	struct fixture f;
	load("dumps/go1.22-nilderef-all.txt", &f);
	struct gpm_store_finding fd[2] = {
	    {"nil-deref", "critical", "nil pointer dereference in main.(*Config).retries",
	     "c is nil because connect was passed a nil *Config", "{\"goroutine\": 4}"},
	    {"leak", "warning", "two goroutines blocked forever", NULL, NULL},
	};
	struct gpm_store_report rep = {fd, 2, "REPORT TEXT\nline two\n", NULL};
	int64_t id;
	ck_assert_ptr_null(gpm_store_ingest(st, f.inc[0], &f.art, &rep, &id));
	// Evidence must be JSON: a bad document fails the whole incident, nothing stays.
	struct gpm_store_finding bad = {"x", "info", "t", NULL, "{not json"};
	struct gpm_store_report rbad = {&bad, 1, NULL, NULL};
	struct fixture g;
	load("dumps/go1.22-panic-all.txt", &g);
	int64_t id2;
	struct gpm_error *err = gpm_store_ingest(st, g.inc[0], &g.art, &rbad, &id2);
	ck_assert_ptr_nonnull(err);
	gpm_error_destroy(err);
	gpm_store_close(st);
	unload(&f);
	unload(&g);
	st = open_ro(db);
	ck_assert_int_eq(scalar(st, "SELECT count(*) FROM incidents"), 1);
	ck_assert_int_eq(scalar(st, "SELECT count(*) FROM artifacts"), 1);
	char *text;
	ck_assert_ptr_null(gpm_store_incident_report(st, id, &text));
	ck_assert_str_eq(text, "REPORT TEXT\nline two\n");
	free(text);
	struct gpm_store_table t;
	ck_assert_ptr_null(gpm_store_incident_findings(st, id, &t));
	ck_assert_uint_eq(t.nrows, 2);
	ck_assert_str_eq(gpm_store_cell(&t, 0, 0), "nil-deref");
	gpm_store_table_deinit(&t);
	struct gpm_store_filter flt = {.finding = "leak"};
	ck_assert_ptr_null(gpm_store_incidents(st, &flt, &t));
	ck_assert_uint_eq(t.nrows, 1);
	gpm_store_table_deinit(&t);
	ck_assert_ptr_null(gpm_store_search(st, "passed a nil", false, 0, &t));
	ck_assert_uint_eq(t.nrows, 1);
	gpm_store_table_deinit(&t);
	ck_assert_ptr_null(gpm_store_incident_facts(st, id, &t));
	bool rule = false;
	for (size_t r = 0; r < t.nrows; r++)
		if (!strcmp(gpm_store_cell(&t, r, 0), "rule"))
			rule = !strcmp(gpm_store_cell(&t, r, 1), "nil-deref");
	ck_assert(rule);
	gpm_store_table_deinit(&t);
	gpm_store_close(st);
}
END_TEST

// Stores the fixture again and again under made-up artifact hashes.
static void ingest_forever(const char *db, int count)
{
	struct gpm_store *st;
	if (gpm_store_open(db, NULL, &st))
		_exit(2);
	struct fixture f;
	load("dumps/go1.22-hang-all.txt", &f);
	for (int i = 0; count < 0 || i < count; i++) {
		snprintf(f.art.sha256, sizeof(f.art.sha256), "%032x", i + 1);
		f.art.mtime = 1000 + i;
		int64_t id;
		if (gpm_store_ingest(st, f.inc[0], &f.art, NULL, &id))
			_exit(3);
	}
	unload(&f);
	gpm_store_close(st);
	_exit(0);
}

START_TEST(test_reader_during_ingest)
{
	const char *db = tmp("c.db");
	gpm_store_close(open_rw(db));
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid)
		ingest_forever(db, 40);
	struct gpm_store *st = open_ro(db);
	long long last = 0;
	int reads = 0, status;
	while (waitpid(pid, &status, WNOHANG) == 0) {
		struct gpm_store_filter f = {.limit = -1};
		struct gpm_store_table t;
		struct gpm_error *err = gpm_store_incidents(st, &f, &t);
		ck_assert_msg(!err, "%s", err ? err->message : "");
		ck_assert_int_ge((long long)t.nrows, last);
		last = (long long)t.nrows;
		gpm_store_table_deinit(&t);
		// Every visible incident is complete.
		ck_assert_int_eq(scalar(st, "SELECT count(*) FROM incidents i WHERE goroutines <> "
		                            "(SELECT count(*) FROM goroutines g WHERE "
		                            "g.incident_id = i.id)"),
		                 0);
		reads++;
	}
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_int_eq(scalar(st, "SELECT count(*) FROM incidents"), 40);
	ck_assert_int_gt(reads, 0);
	gpm_store_close(st);
}
END_TEST

START_TEST(test_kill_during_ingest)
{
	const char *db = tmp("k.db");
	gpm_store_close(open_rw(db));
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (!pid)
		ingest_forever(db, -1);
	// Let it commit a few, then kill it in the middle of whatever it is doing.
	struct gpm_store *st = open_ro(db);
	while (scalar(st, "SELECT count(*) FROM incidents") < 5)
		usleep(2000);
	usleep(3000);
	gpm_store_close(st);
	kill(pid, SIGKILL);
	int status;
	waitpid(pid, &status, 0);
	ck_assert(WIFSIGNALED(status));
	st = open_rw(db); // recovers the WAL
	gpm_store_close(st);
	st = open_ro(db);
	long long n = scalar(st, "SELECT count(*) FROM incidents");
	ck_assert_int_ge(n, 5);
	// Ids are 1..n: nothing committed is lost; no incident is half stored.
	ck_assert_int_eq(scalar(st, "SELECT max(id) FROM incidents"), n);
	ck_assert_int_eq(scalar(st, "SELECT count(*) FROM incidents i WHERE goroutines <> (SELECT "
	                            "count(*) FROM goroutines g WHERE g.incident_id = i.id)"),
	                 0);
	ck_assert_int_eq(scalar(st, "SELECT count(*) FROM incidents WHERE id NOT IN (SELECT "
	                            "incident_id FROM incident_signatures)"),
	                 0);
	ck_assert_int_eq(scalar(st, "SELECT count(*) FROM incidents WHERE id NOT IN (SELECT rowid "
	                            "FROM incident_fts)"),
	                 0);
	ck_assert_int_eq(scalar(st, "SELECT count(*) FROM goroutines WHERE incident_id NOT IN "
	                            "(SELECT id FROM incidents)"),
	                 0);
	struct gpm_store_table t;
	ck_assert_ptr_null(gpm_store_sql(st, "PRAGMA integrity_check", -1, &t));
	ck_assert_str_eq(gpm_store_cell(&t, 0, 0), "ok");
	gpm_store_table_deinit(&t);
	gpm_store_close(st);
}
END_TEST

START_TEST(test_fts)
{
	const char *db = tmp("s.db");
	struct gpm_store *st = open_rw(db);
	int64_t nil = ingest_rel(st, "dumps/go1.22-nilderef-all.txt");
	int64_t pan = ingest_rel(st, "dumps/go1.22-panic-all.txt");
	gpm_store_close(st);
	st = open_ro(db);
	struct gpm_store_table t;
	ck_assert_ptr_null(gpm_store_search(st, "nil pointer dereference", false, 0, &t));
	ck_assert_uint_eq(t.nrows, 1);
	ck_assert_int_eq(atoll(gpm_store_cell(&t, 0, 0)), nil);
	gpm_store_table_deinit(&t);
	ck_assert_ptr_null(gpm_store_search(st, "mustLoad", false, 0, &t)); // a function name
	ck_assert_uint_eq(t.nrows, 1);
	ck_assert_int_eq(atoll(gpm_store_cell(&t, 0, 0)), pan);
	gpm_store_table_deinit(&t);
	ck_assert_ptr_null(gpm_store_search(st, "retr* OR mustload", true, 0, &t));
	ck_assert_uint_eq(t.nrows, 2);
	gpm_store_table_deinit(&t);
	ck_assert_ptr_null(gpm_store_search(st, "db.yaml: missing field \"host", false, 0, &t));
	ck_assert_uint_eq(t.nrows, 1);
	gpm_store_table_deinit(&t);
	struct gpm_error *err = gpm_store_search(st, "AND OR (", true, 0, &t);
	ck_assert_ptr_nonnull(err); // bad FTS syntax is an error, not a crash
	gpm_error_destroy(err);
	gpm_store_close(st);
}
END_TEST

// The heap's reference paths (schema 11): replaced as a whole, removed with the incident,
// refused for an incident that does not exist.
START_TEST(test_heap_paths)
{
	const char *db = tmp("s.db");
	struct gpm_store *st = open_rw(db);
	int64_t id = ingest_rel(st, "dumps/go1.22-panic-all.txt");
	const struct gpm_store_heap_path p[3] = {
	    {"main.Entry", 0, "main.cache at 0x5280a8\n  -> main.Entry at 0xc000044000\n"},
	    {"runtime.hmap", 4096, "goroutine 1: main.main at 0xc00009af08\n"},
	    {NULL, 0, "skipped: no why"},
	};
	ck_assert_ptr_null(gpm_store_heap_paths(st, id, p, 3));
	ck_assert_int_eq(scalar_path(db, "SELECT count(*) FROM heap_paths"), 2);
	ck_assert_int_eq(
	    scalar_path(db, "SELECT retained FROM heap_paths WHERE why = 'runtime.hmap'"), 4096);
	ck_assert_int_eq(scalar_path(db,
	                             "SELECT count(*) FROM heap_paths WHERE why = 'main.Entry' AND "
	                             "retained IS NULL AND hops LIKE '%-> main.Entry at%'"),
	                 1);
	ck_assert_ptr_null(gpm_store_heap_paths(st, id, p + 1, 1)); // replaces them
	ck_assert_int_eq(scalar_path(db, "SELECT count(*) FROM heap_paths"), 1);
	struct gpm_error *err = gpm_store_heap_paths(st, id + 100, p, 1);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, GPM_ERR_NOT_FOUND);
	gpm_error_destroy(err);
	ck_assert_int_eq(scalar_path(db, "SELECT count(*) FROM heap_paths"), 1);
	ck_assert_ptr_null(gpm_store_remove(st, id));
	ck_assert_int_eq(scalar_path(db, "SELECT count(*) FROM heap_paths"), 0);
	gpm_store_close(st);
}
END_TEST

START_TEST(test_sql_readonly)
{
	const char *db = tmp("r.db");
	struct gpm_store *st = open_rw(db);
	ingest_rel(st, "dumps/go1.22-panic-all.txt");
	struct gpm_store_table t;
	struct gpm_error *err = gpm_store_sql(st, "SELECT 1", -1, &t);
	ck_assert_ptr_nonnull(err); // only on a read-only store
	gpm_error_destroy(err);
	gpm_store_close(st);
	st = open_ro(db);
	static const char *const refused[] = {
	    "DELETE FROM incidents",
	    "UPDATE incidents SET headline = 'x'",
	    "DROP TABLE incidents",
	    "INSERT INTO functions (name) VALUES ('x')",
	    "CREATE TABLE x (y)",
	    "ATTACH DATABASE 'evil.db' AS e",
	    "PRAGMA query_only = OFF",
	    "PRAGMA journal_mode = DELETE",
	    "SELECT 1; DELETE FROM incidents",
	    "VACUUM",
	    "SELECT load_extension('x')",
	    "",
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		err = gpm_store_sql(st, refused[i], -1, &t);
		ck_assert_msg(err, "accepted: %s", refused[i]);
		gpm_error_destroy(err);
	}
	ck_assert_int_eq(scalar(st, "SELECT count(*) FROM incidents"), 1);
	ck_assert_ptr_null(gpm_store_sql(st, "SELECT id, headline FROM incidents", 10, &t));
	ck_assert_uint_eq(t.ncols, 2);
	ck_assert(t.numeric[0]);
	gpm_store_table_deinit(&t);
	// Writing through a read-only store fails cleanly.
	struct fixture f;
	load("dumps/go1.22-hang-all.txt", &f);
	int64_t id;
	err = gpm_store_ingest(st, f.inc[0], &f.art, NULL, &id);
	ck_assert_ptr_nonnull(err);
	gpm_error_destroy(err);
	unload(&f);
	gpm_store_close(st);
	struct stat sb;
	ck_assert_int_ne(stat(tmp("evil.db"), &sb), 0);
}
END_TEST

START_TEST(test_injection)
{
	const char *db = tmp("inj.db");
	struct gpm_store *st = open_rw(db);
	ingest_rel(st, "dumps/go1.22-panic-all.txt");
	ingest_rel(st, "dumps/go1.22-nilderef-all.txt");
	gpm_store_close(st);
	st = open_ro(db);
	static const char *const evil[] = {
	    "' OR '1'='1",
	    "x'); DROP TABLE incidents; --",
	    "\" OR 1=1 --",
	    "%",
	    "_",
	    "go1') UNION SELECT name, 1, 1, 1, 1, 1, 1, 1 FROM sqlite_schema --",
	    "*",
	    "NEAR(",
	    "\\",
	};
	for (size_t i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
		const char *v = evil[i];
		struct gpm_store_filter fs[] = {
		    {.exe = v}, {.go = v}, {.finding = v}, {.exe = v, .go = v, .finding = v}};
		for (size_t k = 0; k < sizeof(fs) / sizeof(fs[0]); k++) {
			struct gpm_store_table t;
			struct gpm_error *err = gpm_store_incidents(st, &fs[k], &t);
			ck_assert_msg(!err, "%s", err ? err->message : "");
			ck_assert_uint_eq(t.nrows, 0);
			gpm_store_table_deinit(&t);
			ck_assert_ptr_null(gpm_store_clusters(st, &fs[k], &t));
			ck_assert_uint_eq(t.nrows, 0);
			gpm_store_table_deinit(&t);
		}
		struct gpm_store_table t;
		ck_assert_ptr_null(gpm_store_search(st, v, false, 0, &t)); // a phrase, never syntax
		ck_assert_uint_eq(t.nrows, 0);
		gpm_store_table_deinit(&t);
		int64_t tm;
		struct gpm_error *err = gpm_store_parse_time(v, 0, &tm);
		ck_assert_ptr_nonnull(err);
		gpm_error_destroy(err);
	}
	ck_assert_int_eq(scalar(st, "SELECT count(*) FROM incidents"), 2);
	// Limits and ids are numbers bound as numbers.
	struct gpm_store_filter lim = {.limit = 1, .cluster = 1};
	struct gpm_store_table t;
	ck_assert_ptr_null(gpm_store_incidents(st, &lim, &t));
	ck_assert_uint_le(t.nrows, 1);
	gpm_store_table_deinit(&t);
	struct gpm_error *err = gpm_store_incident_facts(st, 99, &t);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, GPM_ERR_NOT_FOUND);
	gpm_error_destroy(err);
	gpm_store_close(st);
}
END_TEST

static int64_t cluster_of(struct gpm_store *st, int64_t id)
{
	struct gpm_store_table t;
	ck_assert_ptr_null(gpm_store_incident_facts(st, id, &t));
	int64_t c = 0;
	for (size_t r = 0; r < t.nrows; r++)
		if (!strcmp(gpm_store_cell(&t, r, 0), "cluster"))
			c = atoll(gpm_store_cell(&t, r, 1));
	gpm_store_table_deinit(&t);
	ck_assert_int_gt(c, 0);
	return c;
}

START_TEST(test_clusters_across_versions)
{
	const char *db = tmp("cl.db");
	struct gpm_store *st = open_rw(db);
	static const char *const nil[] = {
	    "dumps/go1.19-nilderef-all.txt", "dumps/go1.22-nilderef-all.txt",
	    "dumps/go1.24-nilderef-all.txt", "dumps/go1.27-nilderef-all.txt"};
	static const char *const deadlock[] = {"dumps/go1.19-deadlock-single.txt",
	                                       "dumps/go1.27-deadlock-single.txt"};
	static const char *const hang[] = {"dumps/go1.22-hang-all.txt",
	                                   "dumps/go1.27-hang-all.txt"};
	int64_t nil_ids[4], dl_ids[2], hang_ids[2];
	for (int i = 0; i < 4; i++)
		nil_ids[i] = ingest_rel(st, nil[i]);
	for (int i = 0; i < 2; i++)
		dl_ids[i] = ingest_rel(st, deadlock[i]);
	for (int i = 0; i < 2; i++)
		hang_ids[i] = ingest_rel(st, hang[i]);
	int64_t panic_id = ingest_rel(st, "dumps/go1.22-panic-all.txt");
	for (int round = 0; round < 2; round++) {
		int64_t cn = cluster_of(st, nil_ids[0]);
		for (int i = 1; i < 4; i++)
			ck_assert_int_eq(cluster_of(st, nil_ids[i]), cn);
		int64_t cd = cluster_of(st, dl_ids[0]);
		ck_assert_int_eq(cluster_of(st, dl_ids[1]), cd);
		int64_t ch = cluster_of(st, hang_ids[0]);
		ck_assert_int_eq(cluster_of(st, hang_ids[1]), ch);
		int64_t cp = cluster_of(st, panic_id);
		ck_assert_int_ne(cn, cd);
		ck_assert_int_ne(cn, ch);
		ck_assert_int_ne(cn, cp);
		ck_assert_int_ne(cd, ch);
		ck_assert_int_ne(cd, cp);
		// Re-signing recomputes everything and must agree.
		uint64_t n;
		struct gpm_store_table moves;
		ck_assert_ptr_null(gpm_store_resign(st, &n, &moves));
		ck_assert_uint_eq(n, 9);
		ck_assert_uint_eq(moves.nrows, 0); // same algorithm: nothing moves
		gpm_store_table_deinit(&moves);
	}
	gpm_store_close(st);
	st = open_ro(db);
	struct gpm_store_filter f = {0};
	struct gpm_store_table t;
	ck_assert_ptr_null(gpm_store_clusters(st, &f, &t));
	ck_assert_uint_eq(t.nrows, 4);
	ck_assert_str_eq(gpm_store_cell(&t, 0, 1), "4"); // the nil dereference, four times
	gpm_store_table_deinit(&t);
	f.cluster = cluster_of(st, nil_ids[0]);
	ck_assert_ptr_null(gpm_store_incidents(st, &f, &t));
	ck_assert_uint_eq(t.nrows, 4);
	gpm_store_table_deinit(&t);
	gpm_store_close(st);
}
END_TEST

// Cores of one program with and without DWARF and the runtime's own text for them.
START_TEST(test_clusters_core_and_text)
{
	const char *db = tmp("core.db");
	struct gpm_store *st = open_rw(db);
	static const char *const text[] = {"cores/go1.19-hang-dwarf/stderr.txt",
	                                   "cores/go1.19-hang-stripped/stderr.txt",
	                                   "dumps/go1.22-hang-all.txt"};
	int64_t c = 0;
	for (int i = 0; i < 3; i++) {
		struct stat sb;
		if (stat(gpm_test_data(text[i]), &sb) < 0)
			continue; // fixture not generated here
		int64_t ci = cluster_of(st, ingest_rel(st, text[i]));
		if (c)
			ck_assert_int_eq(ci, c);
		c = ci;
	}
	gpm_store_close(st);
}
END_TEST

// The signature's subject is the largest set of goroutines with the same normalised
// frames; those frames are made once per stack and creator, not once per stack: one
// stack created by two functions normalises two ways (the creator's own closure as the
// outermost frame is dropped).
START_TEST(test_signature_stack_creators)
{
	static const char dump[] = "goroutine 1 [select]:\n"
	                           "main.work()\n\t/app/main.go:10 +0x1d\n"
	                           "main.serve.func1()\n\t/app/main.go:20 +0x1d\n"
	                           "created by main.serve in goroutine 9\n"
	                           "\t/app/main.go:19 +0x1d\n"
	                           "\n"
	                           "goroutine 2 [select]:\n"
	                           "main.work()\n\t/app/main.go:10 +0x1d\n"
	                           "main.serve.func1()\n\t/app/main.go:20 +0x1d\n"
	                           "created by main.other in goroutine 9\n"
	                           "\t/app/main.go:30 +0x1d\n"
	                           "\n"
	                           "goroutine 3 [select]:\n"
	                           "main.work()\n\t/app/main.go:10 +0x1d\n"
	                           "main.serve.func1()\n\t/app/main.go:20 +0x1d\n"
	                           "created by main.other in goroutine 9\n"
	                           "\t/app/main.go:30 +0x1d\n";
	struct gpm_incident **inc;
	size_t n;
	struct gpm_error *err = gpm_dump_parse_all(dump, sizeof(dump) - 1, "d", NULL, &inc, &n);
	ck_assert_msg(!err, "%s", err ? err->message : "");
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(inc[0]->goroutines.len, 3);
	// One stack for all three: only the creators differ.
	ck_assert_uint_eq(inc[0]->goroutines.v[0].stack, inc[0]->goroutines.v[1].stack);
	ck_assert_uint_eq(inc[0]->goroutines.v[1].stack, inc[0]->goroutines.v[2].stack);
	struct gpm_signature sig;
	ck_assert_ptr_null(gpm_signature_compute(inc[0], NULL, &sig));
	ck_assert_str_eq(sig.frames, "main.work\nmain.serve.func");
	gpm_signature_deinit(&sig);
	gpm_incident_destroy(inc[0]);
	free(inc);
}
END_TEST

START_TEST(test_signature_normalise)
{
	char b[256];
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"main.nilderef.func1", "main.nilderef.func"},
	    {"main.main.func1.2", "main.main.func"},
	    {"main.(*Config).retries", "main.(*Config).retries"},
	    {"example.com/x/pkg.Map[...]", "example.com/x/pkg.Map[]"},
	    {"example.com/x/pkg.Map[go.shape.int,go.shape.string]", "example.com/x/pkg.Map[]"},
	    {"example.com/x/pkg.(*T[...]).M", "example.com/x/pkg.(*T[]).M"},
	    {"main.T.Run-fm", "main.T.Run"},
	    {"net/http.(*conn).serve", "net/http.(*conn).serve"},
	    {"github.com/a/b.v2.F.func3", "github.com/a/b.v2.F.func"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert(gpm_signature_normalise_function(cases[i].in, b, sizeof(b)));
		ck_assert_str_eq(b, cases[i].out);
	}
	static const char *const skipped[] = {
	    "runtime.gopark",          "runtime.sigpanic",
	    "runtime.goexit",          "internal/poll.runtime_pollWait",
	    "sync.runtime_Semacquire", "main.main.gowrap1",
	    "runtime/internal/x.F"};
	for (size_t i = 0; i < sizeof(skipped) / sizeof(skipped[0]); i++)
		ck_assert_msg(!gpm_signature_normalise_function(skipped[i], b, sizeof(b)), "%s",
		              skipped[i]);
	ck_assert(gpm_cluster_distance("a\nb\nc", "a\nb\nc") == 0);
	ck_assert(gpm_cluster_distance("a\nb\nc", "a\nx\nc") > 0.3);
	ck_assert(gpm_cluster_distance("a\nb\nc\nd", "a\nb\nc\nd\ne") <= GPM_CLUSTER_THRESHOLD);
	ck_assert(gpm_cluster_distance("a", "b") == 1);
	// In-app frames weigh twice the library's: a different library frame on the same
	// program frames is nearer than a different program frame.
	double lib = gpm_cluster_distance("sync.(*Mutex).Lock\nmain.get\nmain.serve",
	                                  "sync.(*RWMutex).RLock\nmain.get\nmain.serve");
	double app = gpm_cluster_distance("sync.(*Mutex).Lock\nmain.get\nmain.serve",
	                                  "sync.(*Mutex).Lock\nmain.put\nmain.serve");
	ck_assert(lib > 0.19 && lib < 0.21); // 0.5 of 2.5
	ck_assert(app > 0.39 && app < 0.41); // 1 of 2.5
	ck_assert(gpm_cluster_distance("main.a\nmain.b", "x.c\ny.d\nz.e") == 1);
}
END_TEST

// The per-cluster counts schema 4's triggers keep (cluster_stats, cluster_builds) equal the
// aggregate over the incidents they stand for; returns the clusters compared.
static long long check_cluster_stats(const char *db)
{
#define LIVE_STATS                                                                                 \
	"SELECT s.cluster_id, min(x.algorithm), count(*), min(i.time), max(i.time), max(i.id) "    \
	"FROM signatures s JOIN incident_signatures x ON x.signature_id = s.id JOIN incidents i "  \
	"ON i.id = x.incident_id WHERE s.cluster_id IS NOT NULL GROUP BY 1"
#define KEPT_STATS "SELECT cluster, algorithm, count, first, last, last_id FROM cluster_stats"
#define LIVE_BUILDS                                                                                \
	"SELECT s.cluster_id, coalesce(i.build_id, i.exe, ''), count(*) FROM signatures s JOIN "   \
	"incident_signatures x ON x.signature_id = s.id JOIN incidents i ON i.id = "               \
	"x.incident_id WHERE s.cluster_id IS NOT NULL GROUP BY 1, 2"
#define KEPT_BUILDS "SELECT cluster, build, count FROM cluster_builds"
	ck_assert_int_eq(
	    scalar_path(db, "SELECT count(*) FROM (" LIVE_STATS " EXCEPT " KEPT_STATS ")"), 0);
	ck_assert_int_eq(
	    scalar_path(db, "SELECT count(*) FROM (" KEPT_STATS " EXCEPT " LIVE_STATS ")"), 0);
	ck_assert_int_eq(
	    scalar_path(db, "SELECT count(*) FROM (" LIVE_BUILDS " EXCEPT " KEPT_BUILDS ")"), 0);
	ck_assert_int_eq(
	    scalar_path(db, "SELECT count(*) FROM (" KEPT_BUILDS " EXCEPT " LIVE_BUILDS ")"), 0);
#undef LIVE_STATS
#undef KEPT_STATS
#undef LIVE_BUILDS
#undef KEPT_BUILDS
	return scalar_path(db, "SELECT count(*) FROM cluster_stats");
}

START_TEST(test_rm_gc_keep)
{
	const char *db = tmp("g.db");
	struct gpm_store *st = open_rw(db);
	struct fixture f;
	load("dumps/go1.22-hang-all.txt", &f);
	f.art.keep = true;
	int64_t id = ingest(st, &f);
	char kept[1024];
	snprintf(kept, sizeof(kept), "%s.artifacts/%.2s/%s.zst", db, f.art.sha256, f.art.sha256);
	struct stat sb;
	ck_assert_int_eq(stat(kept, &sb), 0);
	// The kept copy decompresses to the input.
	struct gpm_source *src;
	ck_assert_ptr_null(gpm_source_open(kept, &src));
	ck_assert_uint_eq(src->size, f.src->size);
	ck_assert_int_eq(memcmp(src->data, f.src->data, src->size), 0);
	gpm_source_destroy(src);
	unload(&f);
	int64_t other = ingest_rel(st, "dumps/go1.22-panic-all.txt");
	ck_assert_ptr_null(gpm_store_remove(st, id));
	struct gpm_error *err = gpm_store_remove(st, id);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, GPM_ERR_NOT_FOUND);
	gpm_error_destroy(err);
	struct gpm_store_gc_stats gs;
	ck_assert_ptr_null(gpm_store_gc(st, &gs));
	ck_assert_uint_eq(gs.artifacts, 1);
	ck_assert_uint_eq(gs.kept_files, 1);
	ck_assert_uint_gt(gs.stacks, 0);
	ck_assert_uint_ge(gs.clusters, 1);
	ck_assert_int_ne(stat(kept, &sb), 0);
	gpm_store_close(st);
	st = open_ro(db);
	ck_assert_int_eq(scalar(st, "SELECT count(*) FROM incidents"), 1);
	ck_assert_int_eq(scalar(st, "SELECT count(*) FROM goroutines WHERE incident_id NOT IN "
	                            "(SELECT id FROM incidents)"),
	                 0);
	ck_assert_int_eq(scalar(st, "SELECT count(*) FROM incident_fts"), 1);
	(void)other;
	// The removed incident's cluster is counted no more.
	ck_assert_int_eq(check_cluster_stats(db), 1);

	gpm_store_close(st);
}
END_TEST

/* Every connection to an archive (the store's, the TUI's) waits for a lock the same way:
 * GOPM_BUSY_SECONDS, then SQLITE_BUSY. */
START_TEST(test_busy_wait_from_environment)
{
	const char *db = tmp("busy.db");
	sqlite3 *holder, *waiter;
	ck_assert_int_eq(sqlite3_open(db, &holder), SQLITE_OK);
	ck_assert_int_eq(
	    sqlite3_exec(holder, "CREATE TABLE t (x); BEGIN EXCLUSIVE", NULL, NULL, NULL),
	    SQLITE_OK);
	ck_assert_int_eq(sqlite3_open(db, &waiter), SQLITE_OK);
	struct gpm_store_busy b;
	setenv("GOPM_BUSY_SECONDS", "0.25", 1);
	gpm_store_busy_attach(waiter, &b, 0);
	ck_assert(b.seconds == 0.25);
	memset(&b.start, 0, sizeof(b.start));
	ck_assert_int_eq(sqlite3_exec(waiter, "SELECT count(*) FROM t", NULL, NULL, NULL),
	                 SQLITE_BUSY);
	ck_assert(b.start.tv_sec || b.start.tv_nsec); // the handler ran, then gave up
	setenv("GOPM_BUSY_SECONDS", "soon", 1);
	gpm_store_busy_attach(waiter, &b, 0);
	ck_assert(b.seconds == 5);
	gpm_store_busy_attach(waiter, &b, 1500);
	ck_assert(b.seconds == 1.5);
	gpm_store_busy_attach(waiter, &b, -1);
	ck_assert(b.seconds == 0);
	unsetenv("GOPM_BUSY_SECONDS");
	sqlite3_close(waiter);
	sqlite3_exec(holder, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(holder);
}
END_TEST

START_TEST(test_parse_time)
{
	int64_t t;
	ck_assert_ptr_null(gpm_store_parse_time("7d", 1000000, &t));
	ck_assert_int_eq(t, 1000000 - 7 * 86400);
	ck_assert_ptr_null(gpm_store_parse_time("90m", 10000, &t));
	ck_assert_int_eq(t, 10000 - 5400);
	ck_assert_ptr_null(gpm_store_parse_time("2024-05-01", 0, &t));
	ck_assert_int_eq(t, 1714521600);
	ck_assert_ptr_null(gpm_store_parse_time("2024-05-01T10:20:30", 0, &t));
	ck_assert_int_eq(t, 1714521600 + 10 * 3600 + 20 * 60 + 30);
	ck_assert_ptr_null(gpm_store_parse_time("@1700000000", 0, &t));
	ck_assert_int_eq(t, 1700000000);
	static const char *const bad[] = {
	    "", "7x", "2024-13-01", "yesterday", "99999999999999d", "2024-05-01T25:00"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct gpm_error *err = gpm_store_parse_time(bad[i], 100, &t);
		ck_assert_msg(err, "accepted %s", bad[i]);
		gpm_error_destroy(err);
	}
}
END_TEST

static void exec_sql(const char *db, const char *sql)
{
	sqlite3 *h;
	ck_assert_int_eq(sqlite3_open(db, &h), SQLITE_OK);
	char *msg = NULL;
	int rc = sqlite3_exec(h, sql, NULL, NULL, &msg);
	ck_assert_msg(rc == SQLITE_OK, "%s: %s", sql, msg ? msg : "");
	sqlite3_free(msg);
	sqlite3_close(h);
}

// The report document stored with an incident comes back as it was written (the emitters
// then write the same text); an incident of a schema-4 archive has no stored report and
// reads as what the archive keeps, saying so; a damaged flame row is an error, not a crash.
START_TEST(test_stored_report)
{
	const char *db = tmp("r.db");
	struct gpm_store_options o4 = {.max_version = 4};
	struct gpm_store *st;
	ck_assert_ptr_null(gpm_store_open(db, &o4, &st));
	int64_t old = ingest_rel(st, "dumps/go1.22-deadlock-single.txt");
	gpm_store_close(st);
	st = open_rw(db);
	ck_assert_uint_eq(gpm_store_version(st), gpm_store_schema_latest());
	struct fixture f;
	load("dumps/go1.22-hang-all.txt", &f);
	struct gpm_analysis *a;
	ck_assert_ptr_null(gpm_analysis_run(f.inc[0], NULL, &a));
	struct gpm_report_doc doc;
	ck_assert_ptr_null(gpm_report_doc_build(&doc, f.inc[0], a, NULL));
	ck_assert_uint_gt(doc.groups.len, 0);
	ck_assert_uint_gt(doc.flame.len, 1);
	struct gpm_store_report rep = {.doc = &doc};
	int64_t id;
	ck_assert_ptr_null(gpm_store_ingest(st, f.inc[0], &f.art, &rep, &id));
	struct gpm_strbuf want = GPM_STRBUF_INIT, got = GPM_STRBUF_INIT;
	// The findings go to the findings table (gpm_store_report.findings, none here).
	doc.findings.len = 0;
	gpm_report_doc_html(&doc, NULL, &want);
	gpm_report_doc_deinit(&doc);
	gpm_analysis_destroy(a);
	unload(&f);
	gpm_store_close(st);

	st = open_ro(db);
	const char *missing = "?";
	ck_assert_ptr_null(gpm_store_report_read(st, id, &doc, &missing));
	ck_assert_ptr_null(missing);
	gpm_report_doc_html(&doc, NULL, &got);
	ck_assert_uint_gt(want.len, 1000);
	ck_assert_msg(!strcmp(gpm_strbuf_str(&got), gpm_strbuf_str(&want)),
	              "the stored report renders otherwise");
	gpm_report_doc_deinit(&doc);
	ck_assert_ptr_null(gpm_store_report_read(st, old, &doc, &missing));
	ck_assert_ptr_nonnull(missing);
	ck_assert_uint_gt(doc.groups.len, 0);
	ck_assert_uint_gt(doc.states.len, 0);
	ck_assert_uint_eq(doc.flame.len, 0);
	gpm_report_doc_deinit(&doc);
	struct gpm_error *err = gpm_store_report_read(st, 999, &doc, &missing);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, GPM_ERR_NOT_FOUND);
	gpm_error_destroy(err);
	gpm_report_doc_deinit(&doc);
	gpm_store_close(st);

	exec_sql(db, "UPDATE report_flame SET parent = node + 5 WHERE node = 1");
	st = open_ro(db);
	err = gpm_store_report_read(st, id, &doc, &missing);
	ck_assert_ptr_nonnull(err);
	gpm_error_destroy(err);
	gpm_report_doc_deinit(&doc);
	gpm_store_close(st);
	gpm_strbuf_deinit(&want);
	gpm_strbuf_deinit(&got);
}
END_TEST

// A signature-algorithm change: signatures of an older algorithm (simulated by relabelling
// the rows and splitting one bug into two old clusters) are re-signed by one resign, which
// keeps the cluster ids (and their workflow), folds the split cluster in, says which
// incident moved and records it in the cluster's history.
START_TEST(test_resign_algorithm_change)
{
	const char *db = tmp("re.db");
	struct gpm_store *st = open_rw(db);
	static const char *const nil[] = {
	    "dumps/go1.19-nilderef-all.txt", "dumps/go1.22-nilderef-all.txt",
	    "dumps/go1.24-nilderef-all.txt", "dumps/go1.27-nilderef-all.txt"};
	int64_t ids[4];
	for (int i = 0; i < 4; i++)
		ids[i] = ingest_rel(st, nil[i]);
	int64_t dl = ingest_rel(st, "dumps/go1.19-deadlock-single.txt");
	int64_t cn = cluster_of(st, ids[0]), cd = cluster_of(st, dl);
	ck_assert_ptr_null(
	    gpm_store_cluster_change(st, cn, GPM_CLUSTER_RESOLVE, "v2", "tester", 1714557601));
	gpm_store_close(st);
	char sql[1024];
	snprintf(sql, sizeof(sql),
	         "UPDATE clusters SET algorithm = 1; UPDATE signatures SET algorithm = 1; "
	         "UPDATE incident_signatures SET algorithm = 1; "
	         "INSERT INTO clusters (id, algorithm, kind, created) VALUES (41, 1, 'crash', 0); "
	         "INSERT INTO signatures (algorithm, hash, kind, frames, cluster_id) VALUES (1, "
	         "'0000000000000000', 'crash', 'panic' || char(10) || "
	         "'main.old', 41); "
	         "UPDATE incident_signatures SET signature_id = last_insert_rowid() WHERE "
	         "incident_id = %lld",
	         (long long)ids[3]);
	exec_sql(db, sql);
	st = open_rw(db);
	ck_assert_int_eq(check_cluster_stats(db), 3);
	uint64_t n;
	struct gpm_store_table moves;
	ck_assert_ptr_null(gpm_store_resign(st, &n, &moves));
	ck_assert_uint_eq(n, 5);
	ck_assert_uint_eq(moves.nrows, 1);
	ck_assert_int_eq(atoll(gpm_store_cell(&moves, 0, 0)), ids[3]);
	ck_assert_str_eq(gpm_store_cell(&moves, 0, 1), "41");
	ck_assert_int_eq(atoll(gpm_store_cell(&moves, 0, 2)), cn);
	gpm_store_table_deinit(&moves);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(cluster_of(st, ids[i]), cn);
	ck_assert_int_eq(cluster_of(st, dl), cd);
	struct gpm_cluster_summary cs;
	ck_assert_ptr_null(gpm_store_cluster_summary(st, cn, &cs));
	ck_assert_str_eq(cs.status, "resolved");
	ck_assert_str_eq(cs.resolved_build, "v2");
	ck_assert_int_eq(cs.count, 4);
	gpm_cluster_summary_deinit(&cs);
	struct gpm_store_table ev;
	ck_assert_ptr_null(gpm_store_cluster_events(st, cn, &ev));
	ck_assert_uint_eq(ev.nrows, 2);
	ck_assert_str_eq(gpm_store_cell(&ev, 1, 3), "took incidents of cluster 41, merged away");
	gpm_store_table_deinit(&ev);
	// Consistent after the moves (the old algorithm's rows may keep a cluster of theirs).
	ck_assert_int_ge(check_cluster_stats(db), 2);
	// A second resign under the same algorithm moves nothing.
	ck_assert_ptr_null(gpm_store_resign(st, &n, &moves));
	ck_assert_uint_eq(moves.nrows, 0);
	gpm_store_table_deinit(&moves);
	gpm_store_close(st);
}
END_TEST

// Where an incident's time comes from: systemd-coredump's file name, a log prefix in the
// text (RFC 3339 with fraction and Z, Go's log package), else the file's mtime.
START_TEST(test_incident_time)
{
	int64_t t = 0;
	ck_assert(gpm_store_coredump_name_time(
	    "/var/lib/systemd/coredump/core.my.svc.1000.0123456789abcdef0123456789abcdef.4242."
	    "1714557601123456.zst",
	    &t));
	ck_assert_int_eq(t, 1714557601); // 2024-05-01T10:00:01Z
	ck_assert(gpm_store_coredump_name_time(
	    "core.a.0.0123456789abcdef0123456789abcdef.1.1714557601000000", &t));
	static const char *const not_names[] = {
	    "core",
	    "core.1234",
	    "core.a.0.0123456789abcdef.1.1714557601000000.zst",
	    "core..0.0123456789abcdef0123456789abcdef.1.1714557601000000",
	    "core.a.0.0123456789abcdef0123456789abcdeg.1.1714557601000000",
	    "xcore.a.0.0123456789abcdef0123456789abcdef.1.1714557601000000",
	    "core.a.0.0123456789abcdef0123456789abcdef.1.99999999999999999999"};
	for (size_t i = 0; i < sizeof(not_names) / sizeof(not_names[0]); i++)
		ck_assert_msg(!gpm_store_coredump_name_time(not_names[i], &t), "%s", not_names[i]);

	// journalctl -o json: the record's time and host.
	const char *jpath = tmp("journal.log");
	FILE *jf = fopen(jpath, "w");
	ck_assert_ptr_nonnull(jf);
	static const char *const msgs[] = {"goroutine 1 [running]:", "main.main()",
	                                   "\\t/app/main.go:10 +0x1d"};
	for (int i = 0; i < 3; i++)
		fprintf(jf,
		        "{\"__REALTIME_TIMESTAMP\":\"171455760100000%d\",\"_HOSTNAME\":\"web-3\","
		        "\"MESSAGE\":\"%s\"}\n",
		        i, msgs[i]);
	ck_assert_int_eq(fclose(jf), 0);
	struct gpm_source *jsrc;
	ck_assert_ptr_null(gpm_source_open(jpath, &jsrc));
	struct gpm_incident **jinc;
	size_t jn;
	ck_assert_ptr_null(
	    gpm_dump_parse_all((const char *)jsrc->data, jsrc->size, jpath, NULL, &jinc, &jn));
	ck_assert_uint_eq(jn, 1);
	ck_assert_int_eq(jinc[0]->time, 1714557601);
	ck_assert_str_eq(jinc[0]->host, "web-3");
	struct gpm_store_artifact jart;
	ck_assert_ptr_null(gpm_store_artifact_from_file(jpath, &jart));
	struct gpm_store *st = open_rw(tmp("t.db"));
	int64_t jid = 0;
	ck_assert_ptr_null(gpm_store_ingest(st, jinc[0], &jart, NULL, &jid));
	gpm_incident_destroy(jinc[0]);
	free(jinc);
	gpm_source_destroy(jsrc);
	int64_t a = ingest_rel(st, "dumps/variants/kubectl-timestamps.log");
	int64_t b = ingest_rel(st, "dumps/variants/logprintf.log");
	int64_t c = ingest_rel(st, "dumps/go1.22-panic-all.txt");
	gpm_store_close(st);
	st = open_ro(tmp("t.db"));
	char sql[160];
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM incidents WHERE (id IN (%lld, %lld) AND time = 1714557601 "
	         "AND time_source = 'input') OR (id = %lld AND time_source = 'mtime')",
	         (long long)a, (long long)b, (long long)c);
	ck_assert_int_eq(scalar(st, sql), 3);
	snprintf(sql, sizeof(sql),
	         "SELECT count(*) FROM incidents WHERE id = %lld AND host = 'web-3' AND time = "
	         "1714557601 AND time_source = 'input'",
	         (long long)jid);
	ck_assert_int_eq(scalar(st, sql), 1);
	gpm_store_close(st);
}
END_TEST

/*
 * Schema 12 stores a group's goroutines packed in runs: what the goroutines table (now a
 * virtual table over the runs) reads back must be what the incident held, for every
 * goroutine of three fixtures (states, wait minutes, flags, creators, stacks, groups).
 */
START_TEST(test_goroutines_round_trip)
{
	const char *db = tmp("runs.db");
	struct gpm_store *st = open_rw(db);
	const char *rels[] = {"dumps/go1.22-hang-all.txt", "dumps/go1.19-nilderef-all.txt",
	                      "dumps/field/go1.22-nodeadline.txt"};
	struct fixture f[3];
	int64_t ids[3];
	for (size_t k = 0; k < 3; k++) {
		load(rels[k], &f[k]);
		ids[k] = ingest(st, &f[k]);
	}
	gpm_store_close(st);
	st = open_ro(db);
	size_t checked = 0, waits = 0, creators = 0, flagged = 0;
	for (size_t k = 0; k < 3; k++) {
		char sql[512];
		snprintf(
		    sql, sizeof(sql),
		    "SELECT g.goid, g.status, g.state, g.wait_minutes, g.flags, fn.name, "
		    "st.nframes, g.group_ordinal, g.stack_id IS NULL FROM goroutines g LEFT JOIN "
		    "functions fn ON fn.id = g.created_by LEFT JOIN stacks st ON st.id = "
		    "g.stack_id WHERE g.incident_id = %lld ORDER BY g.id",
		    (long long)ids[k]);
		struct gpm_store_table t;
		struct gpm_error *err = gpm_store_sql(st, sql, -1, &t);
		ck_assert_msg(!err, "%s", err ? err->message : "");
		const struct gpm_incident *inc = f[k].inc[0];
		ck_assert_uint_eq(t.nrows, inc->goroutines.len);
		for (size_t i = 0; i < t.nrows; i++) {
			const struct gpm_goroutine *g = &inc->goroutines.v[i];
			const char *state = gpm_store_cell(&t, i, 2),
			           *wait = gpm_store_cell(&t, i, 3);
			const char *creator = gpm_store_cell(&t, i, 5);
			ck_assert_uint_eq(strtoull(gpm_store_cell(&t, i, 0), NULL, 10), g->id);
			ck_assert_int_eq(atoi(gpm_store_cell(&t, i, 1)), g->status);
			if (g->state)
				ck_assert_str_eq(state, g->state);
			else
				ck_assert_ptr_null(state);
			if (g->wait_minutes >= 0)
				ck_assert_int_eq(atoll(wait), g->wait_minutes);
			else
				ck_assert_ptr_null(wait);
			uint32_t flags = (uint32_t)strtoul(gpm_store_cell(&t, i, 4), NULL, 10);
			ck_assert_uint_eq(flags & ~(uint32_t)GPM_GOROUTINE_CURRENT,
			                  g->flags & ~(uint32_t)GPM_GOROUTINE_CURRENT);
			if (g->created_by != UINT32_MAX)
				ck_assert_str_eq(creator, inc->frames.v[g->created_by].func);
			else
				ck_assert_ptr_null(creator);
			bool has_stack = g->stack != UINT32_MAX && g->stack < inc->stacks.len;
			ck_assert_int_eq(atoi(gpm_store_cell(&t, i, 8)), !has_stack);
			if (has_stack)
				ck_assert_int_eq(atoll(gpm_store_cell(&t, i, 6)),
				                 inc->stacks.v[g->stack].nframes);
			ck_assert_ptr_nonnull(gpm_store_cell(&t, i, 7));
			waits += g->wait_minutes > 0;
			creators += creator != NULL;
			flagged += flags != 0;
			checked++;
		}
		gpm_store_table_deinit(&t);
		// Lookups by goid and by id ranges (the virtual table's plans) find the same rows.
		snprintf(
		    sql, sizeof(sql),
		    "SELECT count(*) FROM goroutines a WHERE a.incident_id = %lld AND "
		    "(SELECT count(*) FROM goroutines b WHERE b.incident_id = a.incident_id AND "
		    "b.group_ordinal = a.group_ordinal AND b.goid = a.goid AND b.id >= a.id AND "
		    "b.id <= a.id) = 1 AND (SELECT count(*) FROM goroutines c WHERE c.id = "
		    "a.id) = 1",
		    (long long)ids[k]);
		ck_assert_int_eq(scalar(st, sql), (long long)inc->goroutines.len);
		unload(&f[k]);
	}
	ck_assert_uint_ge(checked, 50);
	ck_assert_uint_ge(waits, 1);
	ck_assert_uint_ge(creators, 10);
	ck_assert_uint_ge(flagged, 1);
	// Fewer runs than goroutines: members are packed.
	ck_assert_int_lt(scalar(st, "SELECT count(*) FROM goroutine_runs"), (long long)checked);
	gpm_store_close(st);
}
END_TEST

// The rows of goroutines in id order as one text, NULLs shown as such.
static char *goroutine_rows(const char *db)
{
	sqlite3 *raw;
	ck_assert_int_eq(gpm_store_open_reader(db, &raw), SQLITE_OK);
	sqlite3_stmt *s;
	ck_assert_int_eq(sqlite3_prepare_v2(raw,
	                                    "SELECT id, incident_id, goid, status, "
	                                    "quote(state), quote(wait_minutes), flags, "
	                                    "quote(stack_id), quote(created_by), "
	                                    "quote(group_ordinal) FROM goroutines ORDER BY id",
	                                    -1, &s, NULL),
	                 SQLITE_OK);
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	while (sqlite3_step(s) == SQLITE_ROW) {
		for (int c = 0; c < 10; c++) {
			gpm_strbuf_puts(&sb, (const char *)sqlite3_column_text(s, c));
			gpm_strbuf_putc(&sb, c < 9 ? '|' : '\n');
		}
	}
	sqlite3_finalize(s);
	sqlite3_close(raw);
	return gpm_strbuf_detach(&sb);
}

/*
 * Migration 12 converts the goroutine rows of an older archive: the same rows read back,
 * NULLs, odd values and groups of more than one run included.
 */
START_TEST(test_migrate_goroutine_runs)
{
	const char *db = tmp("m11.db");
	struct gpm_store_options o = {.max_version = 11};
	struct gpm_store *st;
	struct gpm_error *err = gpm_store_open(db, &o, &st);
	ck_assert_msg(!err, "%s", err ? err->message : "");
	ck_assert_uint_eq(gpm_store_version(st), 11);
	ingest_rel(st, "dumps/go1.22-hang-all.txt");
	ingest_rel(st, "dumps/go1.21-pprof-debug2.txt");
	gpm_store_close(st);
	sqlite3 *raw;
	ck_assert_int_eq(sqlite3_open(db, &raw), SQLITE_OK);
	// Rows no dump gives: NULLs everywhere allowed, negative and huge values, a group of
	// 2,500 goroutines (three runs) whose ids are not contiguous.
	ck_assert_int_eq(
	    sqlite3_exec(
	        raw,
	        "INSERT INTO goroutines (id, incident_id, goid, status, state, "
	        "wait_minutes, flags, stack_id, created_by, group_ordinal) VALUES "
	        "(1000000, 1, -5, 0, NULL, NULL, 0, NULL, NULL, NULL), "
	        "(1000002, 1, 9223372036854775807, 11, '', 0, 4294967295, NULL, 1, NULL), "
	        "(1000003, 2, 1, 2, 'é x', -3, 1, 1, NULL, 7);"
	        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < "
	        "2499) INSERT INTO goroutines (id, incident_id, goid, status, state, "
	        "wait_minutes, flags, stack_id, created_by, group_ordinal) SELECT "
	        "2000000 + 3 * i, 2, 100000 - i, 4, CASE WHEN i % 7 = 0 THEN "
	        "'select' ELSE 'chan receive' END, CASE WHEN i % 3 = 0 THEN i END, i % 5, "
	        "CASE WHEN i % 11 <> 0 THEN 1 END, CASE WHEN i % 13 = 0 THEN 1 END, 99 FROM n",
	        NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(raw);
	char *before = goroutine_rows(db);
	st = open_rw(db);
	ck_assert_uint_eq(gpm_store_version(st), gpm_store_schema_latest());
	// A new incident's ids continue after the largest.
	ingest_rel(st, "dumps/go1.19-nilderef-all.txt");
	gpm_store_close(st);
	ck_assert_int_eq(
	    scalar_path(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'goroutines'"), 0);
	ck_assert_int_eq(scalar_path(db, "SELECT count(*) FROM goroutine_runs WHERE incident_id "
	                                 "= 2 AND group_ordinal = 99"),
	                 3);
	ck_assert_int_eq(scalar_path(db, "SELECT min(id) FROM goroutines WHERE incident_id = 3"),
	                 2000000 + 3 * 2499 + 1);
	char *after = goroutine_rows(db);
	ck_assert_uint_ge(strlen(before), 2500 * 10);
	ck_assert_int_eq(strncmp(before, after, strlen(before)), 0);
	ck_assert_uint_gt(strlen(after), strlen(before));
	free(before);
	free(after);
}
END_TEST

Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("archive");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_sha256_vectors);
	tcase_add_test(tc, test_migrate_empty);
	tcase_add_test(tc, test_migrate_older);
	tcase_add_test(tc, test_refuse_newer_and_foreign);
	tcase_add_test(tc, test_ingest_idempotent);
	tcase_add_test(tc, test_goroutine_ids_dump_order);
	tcase_add_test(tc, test_goroutines_round_trip);
	tcase_add_test(tc, test_migrate_goroutine_runs);
	tcase_add_test(tc, test_dedup_across_incidents);
	tcase_add_test(tc, test_findings_and_report);
	tcase_add_test(tc, test_stored_report);
	tcase_add_test(tc, test_reader_during_ingest);
	tcase_add_test(tc, test_kill_during_ingest);
	tcase_add_test(tc, test_fts);
	tcase_add_test(tc, test_sql_readonly);
	tcase_add_test(tc, test_injection);
	tcase_add_test(tc, test_clusters_across_versions);
	tcase_add_test(tc, test_clusters_core_and_text);
	tcase_add_test(tc, test_signature_normalise);
	tcase_add_test(tc, test_signature_stack_creators);
	tcase_add_test(tc, test_rm_gc_keep);
	tcase_add_test(tc, test_busy_wait_from_environment);
	tcase_add_test(tc, test_parse_time);
	tcase_add_test(tc, test_incident_time);
	tcase_add_test(tc, test_resign_algorithm_change);
	tcase_add_test(tc, test_heap_paths);
	suite_add_tcase(s, tc);
	return s;
}
