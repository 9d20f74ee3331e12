/*
 * The TUI's window on the archive: one read-only SQLite connection whose statements are
 * prepared once, kept, and reset for each page (SQLite's advice). Every statement is the
 * store's (store/tui_queries.h: the view files name them); values are always bound. Pages are
 * small (a screen or a few), so an archive of 10,000 incidents or an incident of 1,000,000
 * goroutines is never loaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/frameclass.h"
#include "tui/tui.h"

/*
 * gpm_frame_rank(name): 0 for the program's code (main module, dependencies), 1 for the
 * standard library the program called, 2 for the runtime and its hooks. Lists order a
 * stack's frames by it to show the first frame of user code (the one classifier,
 * model/frameclass.h, so the TUI agrees with findings and signatures).
 */
static void frame_rank(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const char *name = (const char *)sqlite3_value_text(argv[0]);
	int rank = 2;
	if (name && gpm_frame_class_is_user(gpm_frame_classify(name, NULL)))
		rank = 0;
	else if (name && !gpm_frame_is_runtime_detail(name) &&
	         gpm_frame_classify(name, NULL) == GPM_FRAME_CLASS_STDLIB)
		rank = 1;
	sqlite3_result_int(ctx, rank);
}

struct gpm_error *tui_db_open(const char *path, struct tui_db *db)
{
	memset(db, 0, sizeof(*db));
	// Another user's archive is read as an immutable file, as the command line reads it.
	int rc = gpm_store_open_reader(path, &db->db);
	if (rc != SQLITE_OK) {
		struct gpm_error *err = gpm_error_create(
		    GPM_ERR_OS, "%s: %s", path, db->db ? sqlite3_errmsg(db->db) : "cannot open");
		sqlite3_close(db->db);
		db->db = NULL;
		return err;
	}
	gpm_store_busy_attach(db->db, &db->busy, 0);
	rc = sqlite3_create_function(db->db, "gpm_frame_rank", 1,
	                             SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
	                             frame_rank, NULL, NULL);
	if (rc != SQLITE_OK) {
		struct gpm_error *err =
		    gpm_error_create(GPM_ERR_OS, "%s: %s", path, sqlite3_errmsg(db->db));
		sqlite3_close(db->db);
		db->db = NULL;
		return err;
	}
	return NULL;
}

void tui_db_close(struct tui_db *db)
{
	for (size_t i = 0; i < db->ncache; i++) {
		sqlite3_finalize(db->cache[i].s);
		free(db->cache[i].sql);
	}
	if (db->db)
		sqlite3_close(db->db);
	memset(db, 0, sizeof(*db));
}

static struct gpm_error *statement(struct tui_db *db, const char *sql, sqlite3_stmt **out)
{
	for (size_t i = 0; i < db->ncache; i++)
		if (!strcmp(db->cache[i].sql, sql)) {
			sqlite3_reset(db->cache[i].s);
			sqlite3_clear_bindings(db->cache[i].s);
			*out = db->cache[i].s;
			return NULL;
		}
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(db->db, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return gpm_error_create(GPM_ERR_FORMAT, "archive query: %s",
		                        sqlite3_errmsg(db->db));
	// The cache is a ring: the oldest statement goes when it is full.
	size_t n = sizeof(db->cache) / sizeof(db->cache[0]);
	if (db->ncache == n) {
		sqlite3_finalize(db->cache[0].s);
		free(db->cache[0].sql);
		memmove(db->cache, db->cache + 1, (n - 1) * sizeof(db->cache[0]));
		db->ncache--;
	}
	char *dup = strdup(sql);
	if (!dup) {
		sqlite3_finalize(s);
		return &gpm_error_nomem;
	}
	db->cache[db->ncache].sql = dup;
	db->cache[db->ncache].s = s;
	db->ncache++;
	*out = s;
	return NULL;
}

static void bind(sqlite3_stmt *s, const struct tui_bind *binds, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int at = (int)i + 1;
		if (binds[i].type == TUI_BIND_INT)
			sqlite3_bind_int64(s, at, binds[i].i);
		else if (binds[i].type == TUI_BIND_TEXT)
			sqlite3_bind_text(s, at, binds[i].s, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(s, at);
	}
}

struct gpm_error *tui_db_query(struct tui_db *db, const char *sql, const struct tui_bind *binds,
                               size_t nbinds, int64_t max_rows, struct gpm_store_table *out)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *s = NULL;
	struct gpm_error *err = statement(db, sql, &s);
	if (err)
		return err;
	bind(s, binds, nbinds);
	db->queries++;
	err = gpm_store_table_fill(NULL, s, max_rows, out);
	sqlite3_reset(s);
	return err;
}

struct gpm_error *tui_db_int(struct tui_db *db, const char *sql, const struct tui_bind *binds,
                             size_t nbinds, int64_t def, int64_t *out)
{
	struct gpm_store_table t;
	struct gpm_error *err = tui_db_query(db, sql, binds, nbinds, 1, &t);
	if (err)
		return err;
	const char *v = t.nrows && t.ncols ? gpm_store_cell(&t, 0, 0) : NULL;
	*out = v ? strtoll(v, NULL, 10) : def;
	gpm_store_table_deinit(&t);
	return NULL;
}

struct gpm_error *tui_store(struct tui *t, bool write, struct gpm_store **out)
{
	if (!write && t->store) {
		*out = t->store;
		return NULL;
	}
	struct gpm_store_options o = {.readonly = !write};
	struct gpm_store *st;
	struct gpm_error *err = gpm_store_open(t->db_path, &o, &st);
	if (err)
		return err;
	if (!write)
		t->store = st;
	*out = st;
	return NULL;
}
