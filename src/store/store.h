/*
 * The incident archive: one SQLite file that remembers every incident gopm analysed, so
 * that "have we seen this before, how often, since when, in which builds" has an answer.
 *
 * A store is opened read-write (migrating the schema to the newest version this binary
 * knows, refusing a newer one) or read-only (SQLITE_OPEN_READONLY, for `gopm sql` and
 * viewers). Each ingested incident is one transaction: killing the process loses nothing
 * committed before and never leaves half an incident. Re-ingesting an artifact (same
 * identity, same snapshot) is a no-op that returns the stored id.
 *
 * Queries return a gpm_store_table (column names and text cells) so the command line can
 * print any of them as a terminal table, JSON or CSV. No SQL is ever built from a value:
 * filters add fixed clauses and bind their values.
 */
#ifndef GPM_STORE_STORE_H
#define GPM_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/error.h"
#include "base/sha256.h"
#include "model/incident.h"

struct gpm_store;
struct sqlite3;

/* Newest schema version this binary knows (the number of files in schema/). */
unsigned gpm_store_schema_latest(void);

struct gpm_store_options {
	bool readonly;        /* SQLITE_OPEN_READONLY; the file must exist and be current */
	unsigned max_version; /* migrate only up to this version (0 = latest); for tests */
	int busy_timeout_ms;  /* wait for a lock: 0 = GOPM_BUSY_SECONDS (default 5 s), < 0 none */
};

/*
 * How a connection waits for a lock that another connection holds: sleeps of 1 ms doubling
 * to 128 ms, each with jitter, for at most `seconds` per lock attempt, then SQLITE_BUSY
 * (GPM_ERR_BUSY, exit 75: retry). Every connection to an archive waits this way, the
 * store's own and the TUI's.
 */
struct gpm_store_busy {
	double seconds;        /* GOPM_BUSY_SECONDS (default 5) */
	struct timespec start; /* when the current lock attempt began */
	unsigned seed;         /* jitter */
};
/* Makes db wait as above for timeout_ms (0: GOPM_BUSY_SECONDS, < 0: not at all); b holds
 * the state and must outlive db. */
void gpm_store_busy_attach(struct sqlite3 *db, struct gpm_store_busy *b, int timeout_ms);
/*
 * Opens path read-only as an immutable file (an SQLite status): what a reader without write
 * access beside the archive falls back to, as it cannot create the WAL index. It sees the
 * archive as of the last checkpoint.
 */
int gpm_store_open_immutable(const char *path, struct sqlite3 **db);
/*
 * Opens path for reading (an SQLite status; *db to close even on error): read-only, and as
 * an immutable file when its first read says the reader may not write beside it. The one
 * detection of that case, used by gpm_store_open (read-only) and the TUI's own connection.
 */
int gpm_store_open_reader(const char *path, struct sqlite3 **db);

/* Opens (creating when read-write) the archive at path. */
struct gpm_error *gpm_store_open(const char *path, const struct gpm_store_options *opts,
                                 struct gpm_store **out);
void gpm_store_close(struct gpm_store *st);
/* Schema version of the open archive (PRAGMA user_version). */
unsigned gpm_store_version(const struct gpm_store *st);
/* The archive's path (borrowed, valid while open). */
const char *gpm_store_path(const struct gpm_store *st);
/*
 * Default archive path: $XDG_DATA_HOME/gopm/archive.db, else ~/.local/share/gopm/archive.db.
 * The directory is created when create is true. *out is malloc'd.
 */
struct gpm_error *gpm_store_default_path(bool create, char **out);

/* The input file an incident came from. */
struct gpm_store_artifact {
	const char *path;                 /* as named by the user; informational */
	char sha256[GPM_SHA256_HEX_SIZE]; /* its identity (base/identity.h), as hex */
	/* Its identities of the kinds stored before (GPM_IDENTITY_WHOLE, GPM_IDENTITY_TREE),
	 * each computed only when the archive holds an artifact of that kind and this size
	 * (gpm_store_artifact_old); "" otherwise. */
	char whole_sha256[GPM_SHA256_HEX_SIZE];
	char tree_sha256[GPM_SHA256_HEX_SIZE];
	uint64_t size;
	int64_t mtime;     /* the file's mtime: incident time when the input has none */
	const char *kind;  /* NULL: from the incident */
	const char *host;  /* NULL unknown */
	const char *build; /* the build when the input does not say (ingest --build); NULL */
	bool keep;         /* copy the file into the content-addressed store beside the db */
};
/* Hashes the file (its identity) and fills art (path borrowed from the argument). */
struct gpm_error *gpm_store_artifact_from_file(const char *path, struct gpm_store_artifact *art);
/* Whether art (its identity, else one of its older identities when set) is stored with at
 * least one incident. */
struct gpm_error *gpm_store_artifact_known(struct gpm_store *st,
                                           const struct gpm_store_artifact *art, bool *known);
/* Whether the archive holds an artifact of this size identified by a whole-file SHA-256 (as
 * before schema 7) or by the SHA-256 tree hash (schema 7 to 11): then only an identity of
 * that kind can recognise the same file. */
struct gpm_error *gpm_store_artifact_old_wanted(struct gpm_store *st, uint64_t size, bool *whole,
                                                bool *tree);
/* An artifact of an older kind recognised by art's older identities takes art's identity (so
 * the next look-up finds it without hashing the old way); a no-op otherwise. */
struct gpm_error *gpm_store_artifact_adopt(struct gpm_store *st,
                                           const struct gpm_store_artifact *art);
/* Fills art's older identities the archive wants (above) from path when it is still the
 * regular file of art->size bytes; otherwise leaves them "". */
struct gpm_error *gpm_store_artifact_old(struct gpm_store *st, const char *path,
                                         struct gpm_store_artifact *art);
/* Whether art carries an older identity. */
bool gpm_store_artifact_has_old(const struct gpm_store_artifact *art);

/* One finding of the analysis, as the store keeps it. All strings borrowed. */
struct gpm_store_finding {
	const char *rule;          /* stable id, e.g. "nil-deref" */
	const char *severity;      /* critical, error, warning, info */
	const char *title;         /* one line */
	const char *explanation;   /* NULL allowed */
	const char *evidence_json; /* a JSON document or NULL */
};

/* What the analysis adds to an incident; all optional (pass NULL for none). */
struct gpm_report_doc;
struct gpm_store_report {
	const struct gpm_store_finding *findings; /* findings[0] is the headline */
	size_t nfindings;
	const char *text; /* the report as printed */
	/* The report as data (src/analysis/report_doc.h), for show --format (store/report.h);
	 * its findings are the findings above. */
	const struct gpm_report_doc *doc;
};

/*
 * Stores one incident in one transaction: artifact, incident facts, stacks and frames
 * (deduplicated across the archive), goroutines, groups, findings, signature, cluster and
 * search text. When the artifact's snapshot inc->snapshot is already stored, nothing
 * changes and *incident_id is the stored id (gpm_store_ingest_existed() says so).
 */
struct gpm_error *gpm_store_ingest(struct gpm_store *st, const struct gpm_incident *inc,
                                   const struct gpm_store_artifact *art,
                                   const struct gpm_store_report *report, int64_t *incident_id);
/*
 * The crash time systemd-coredump put in a core's file name
 * (core.NAME.UID.BOOTID.PID.USEC, optionally .zst/.xz/.lz4/.gz; any directory): unix
 * seconds in *out. False when path is not such a name.
 */
bool gpm_store_coredump_name_time(const char *path, int64_t *out);
/* Whether the last gpm_store_ingest found the incident already stored. */
bool gpm_store_ingest_existed(const struct gpm_store *st);

/* Removes an incident (and what only it used, at the next gc). NOT_FOUND when absent. */
struct gpm_error *gpm_store_remove(struct gpm_store *st, int64_t incident_id);

struct gpm_store_gc_stats {
	uint64_t artifacts, stacks, functions, files, signatures, clusters, kept_files;
};
/* Deletes rows and kept files nothing refers to any more, then checkpoints and vacuums. */
struct gpm_error *gpm_store_gc(struct gpm_store *st, struct gpm_store_gc_stats *stats);

/*
 * Recomputes every incident's signature with the current algorithm and re-clusters,
 * keeping cluster ids where the clusters stay (src/store/cluster.h). *moves (owned, to be
 * deinit'ed) lists the incidents whose cluster changed: incident, from, to.
 */
struct gpm_store_table;
struct gpm_error *gpm_store_resign(struct gpm_store *st, uint64_t *nincidents,
                                   struct gpm_store_table *moves);

/* Rebuilds an incident (facts, goroutines, stacks, threads) from the archive; owned by the
 * caller. */
struct gpm_error *gpm_store_load_incident(struct gpm_store *st, int64_t incident_id,
                                          struct gpm_incident **out);
/*
 * Appends to inc (the caller's, e.g. a new empty one) the stored threads of an incident that
 * run code that is not Go, with their native stacks; none for an incident stored before
 * schema 9 or without them.
 */
struct gpm_error *gpm_store_load_threads(struct gpm_store *st, int64_t incident_id,
                                         struct gpm_incident *inc);

/* ---- queries ---- */

/* A result: ncols column names and nrows * ncols cells (NULL = SQL NULL). Owned. */
struct gpm_store_table {
	size_t ncols, nrows;
	char **cols;
	char **cells;  /* row-major */
	bool *numeric; /* per column: the first non-NULL value was an integer or real */
	size_t cap;
};
void gpm_store_table_deinit(struct gpm_store_table *t);
static inline const char *gpm_store_cell(const struct gpm_store_table *t, size_t row, size_t col)
{
	return t->cells[row * t->ncols + col];
}

struct gpm_store_filter {
	int64_t since, until; /* unix seconds; 0 = unbounded */
	const char *exe;      /* substring of the executable path */
	const char *go;       /* Go version prefix ("go1.22") */
	const char *finding;  /* rule id of any finding, or headline substring */
	int64_t cluster;      /* 0 = any */
	int64_t limit;        /* 0 = default (100); <0 = no limit */
};

/* Incidents, newest first: id, time, go, exe, kind, cluster, goroutines, headline. */
struct gpm_error *gpm_store_incidents(struct gpm_store *st, const struct gpm_store_filter *f,
                                      struct gpm_store_table *out);
/* Clusters, most incidents first: id, count, first, last, builds, go, kind, headline.
 * The filter's time, exe and go restrict the incidents counted. */
struct gpm_error *gpm_store_clusters(struct gpm_store *st, const struct gpm_store_filter *f,
                                     struct gpm_store_table *out);
/* Full-text search; text is a phrase unless raw (then FTS5 query syntax). */
struct gpm_error *gpm_store_search(struct gpm_store *st, const char *text, bool raw, int64_t limit,
                                   struct gpm_store_table *out);
/* One statement on a read-only store. */
struct gpm_error *gpm_store_sql(struct gpm_store *st, const char *sql, int64_t max_rows,
                                struct gpm_store_table *out);
/* Facts of one incident as two columns (field, value); NOT_FOUND when absent. */
struct gpm_error *gpm_store_incident_facts(struct gpm_store *st, int64_t id,
                                           struct gpm_store_table *out);
/* The stored report text (*out malloc'd, NULL when none was stored). */
struct gpm_error *gpm_store_incident_report(struct gpm_store *st, int64_t id, char **out);
/* Findings of one incident: rule, severity, title, explanation, evidence. */
struct gpm_error *gpm_store_incident_findings(struct gpm_store *st, int64_t id,
                                              struct gpm_store_table *out);
/* Groups of one incident with their top frames: count, state, frames. */
struct gpm_error *gpm_store_incident_groups(struct gpm_store *st, int64_t id, int64_t limit,
                                            struct gpm_store_table *out);

/*
 * Parses a time for --since/--until: "7d", "12h", "30m", "90s", "2w" (ago from now),
 * "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS]" (UTC) or unix seconds ("@1700000000" or digits).
 */
struct gpm_error *gpm_store_parse_time(const char *s, int64_t now, int64_t *out);

/* Reads the rows of a prepared, bound statement into a table (at most max_rows; <0 all). st
 * only names errors and may be NULL, for callers with a connection of their own (the TUI). */
typedef struct sqlite3_stmt sqlite3_stmt;
struct gpm_error *gpm_store_table_fill(struct gpm_store *st, sqlite3_stmt *s, int64_t max_rows,
                                       struct gpm_store_table *out);

#endif
