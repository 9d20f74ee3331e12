/*
 * The ingest pipeline: from a file name to incidents and to archive rows. It detects an
 * input's kind from its first bytes (gpm_input_detect), opens it once (plain, compressed or
 * standard input, through src/base/source.c), finds and verifies a core's executable
 * (src/process/process.c), loads the incident snapshots (src/dump/ for text and
 * profiles, src/goroutines/ and src/heap/ for cores) and turns an analysis into archive rows
 * (src/store/). Everything is driven by a struct gpm_ingest_options passed explicitly: the
 * cli, the tui, the tests and the fuzzers call the same functions. Nothing here prints.
 */
#ifndef GPM_INGEST_INGEST_H
#define GPM_INGEST_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/analysis.h"
#include "analysis/diff.h"
#include "base/error.h"
#include "base/sha256.h"
#include "process/process.h"
#include "ingest/config.h"
#include "model/incident.h"
#include "store/store.h"

struct gpm_ingest_hash_key;
struct gpm_heap;
struct gpm_source;
struct gpm_source_hash;
struct gpm_source_options;

/* How inputs are loaded. Zero-initialised: cores found from what they record, the
 * environment's search path, no config file, goroutines only. */
struct gpm_ingest_options {
	const char *exe_path; /* --exe: the executable, or a directory to look for it in */
	bool force;           /* use exe_path even when its build id does not match */
	bool system_stacks;   /* also each thread's system stack as goroutine 0 */
	bool all_frames;      /* do not elide the middle of very deep stacks */
	bool objects; /* also what only a core tells: panic values, waited-on objects, heap */
	/* With objects: where the heap walked in a core is handed over (owned by the caller,
	 * gpm_heap_destroy) instead of being destroyed; NULL: not kept (gopm diff keeps it). */
	struct gpm_heap **keep_heap;
	/* With objects: work the heap's retention out (retained bytes per type, what holds the
	 * heap) for every core, not only for one that ran out of memory (gopm diff --retained). */
	bool heap_retention;
	/* The user's config file (exe-path, debug-root) under the environment; called only
	 * when a core is opened. NULL: none. */
	const struct gpm_ingest_config *(*config)(void);
	/*
	 * A dump's snapshots (text and pprof text, without exe_path): called with each as soon
	 * as the parser has finished it, the i-th from 0, before the input's pages it was read
	 * from are released, so that what reads its text again (the rules' argument words)
	 * finds it resident instead of faulting it back from the page cache. The snapshot is
	 * the one gpm_ingest_loaded will hold, complete. NULL: none. An error stops the load.
	 */
	struct gpm_error *(*parsed)(void *arg, size_t i, const struct gpm_incident *inc);
	void *parsed_arg;
};

/* An input loaded into incident snapshots. */
struct gpm_ingest_loaded {
	struct gpm_incident **snapshots; /* owned */
	size_t n;
	struct gpm_source *src; /* owned: a dump's text, which its snapshots read arguments from */
	/* The input's identity (hashed loads): XXH3-128 of its bytes as read (base/identity.h). */
	char sha256[GPM_SHA256_HEX_SIZE];
	uint64_t input_size;
	int64_t mtime;
	struct gpm_source_hash *hash_pending; /* owned: see gpm_ingest_loaded_sha256 */
	struct gpm_ingest_hash_key *hash_key; /* owned: the input as it was when hashing began */
	const char *hash_path;                /* borrowed: the path hashed (for the cache) */
};

/* Loads path ("-" is standard input) into out (gpm_ingest_loaded_deinit). */
struct gpm_error *gpm_ingest_load(const char *path, const struct gpm_ingest_options *o,
                                  struct gpm_ingest_loaded *out);
/* The same, hashing the input's bytes while they are read (gpm_ingest_loaded_sha256). */
struct gpm_error *gpm_ingest_load_hashed(const char *path, const struct gpm_ingest_options *o,
                                         struct gpm_ingest_loaded *out);
/* The input's identity (hex, in l) once a hash still running in a thread is done. */
const char *gpm_ingest_loaded_sha256(struct gpm_ingest_loaded *l);
/* Gives back the resident pages of a plain dump file l's snapshots read argument texts from
 * (gpm_source_release_pages): what is read again comes back from the page cache. */
void gpm_ingest_loaded_release_pages(struct gpm_ingest_loaded *l);
void gpm_ingest_loaded_deinit(struct gpm_ingest_loaded *l);

/* A core and its executable, read into one incident (owned by the caller); src taken over. */
struct gpm_error *gpm_ingest_load_core(struct gpm_source *src, const struct gpm_ingest_options *o,
                                       struct gpm_incident **out);
/* The options for opening a core's process: exe_path and force, the search path GOPM_EXE_PATH
 * and the .build-id tree under GOPM_DEBUG_ROOT (default /usr/lib/debug), else the config
 * file's; DEBUGINFOD_URLS and DEBUGINFOD_TIMEOUT. o may be NULL. */
struct gpm_process_options gpm_ingest_process_options(const struct gpm_ingest_options *o);

/* A goroutine dump's text names no executable or build: when o->exe_path is a regular
 * file, its facts (Go version, module, build id, vcs) go with every snapshot of l that is
 * not a core. A directory is a search path for cores only. */
struct gpm_error *gpm_ingest_dump_exe_facts(struct gpm_ingest_loaded *l,
                                            const struct gpm_ingest_options *o);

/* How standard input is named in messages and in the archive. */
#define GPM_INGEST_STDIN_NAME "<stdin>"
/* Whether path names standard input ("-"). */
bool gpm_ingest_is_stdin(const char *path);
/* Opens path, or reads standard input for "-". so may be NULL. */
struct gpm_error *gpm_ingest_open(const char *path, const struct gpm_source_options *so,
                                  struct gpm_source **out);
/* "-" when standard input is a pipe or a non-empty file (`kubectl logs pod | gopm analyze`),
 * else NULL: the input of a command run with none named. */
const char *gpm_ingest_default_input(void);
/* gpm_source_options.check_head for goroutine inputs: refuses empty input and, from the
 * first bytes, binary input of no known kind. */
struct gpm_error *gpm_ingest_check_head(const uint8_t *p, size_t n, const char *name, void *arg);
/* Whether a load error says the input is of no kind gopm reads (gpm_ingest_check_head and
 * the loader word it so), as opposed to an input that failed. */
bool gpm_ingest_error_no_kind(const struct gpm_error *err);

/*
 * Opens the archive at db, or at the default path when db is NULL (creating its
 * directory when writing).
 */
struct gpm_error *gpm_ingest_store_open(const char *db, bool readonly, struct gpm_store **out);

/*
 * Stores one snapshot with its analysis a (NULL: runs gpm_analysis_run itself) and the
 * report text (NULL: generated with gpm_report_text). Findings become rows whose evidence
 * is a JSON object (doc/json.md). heap: the core's heap as walked (gpm_ingest_options
 * keep_heap), whose types and paths go with a newly stored incident
 * (gpm_ingest_store_heap_types); NULL: only the incident's heap size, when known.
 * Idempotent per artifact+snapshot. `gopm analyze`, `gopm ingest`, `gopm heap --store` and
 * `gopm tui INPUT` store through it.
 */
struct gpm_error *gpm_ingest_store_incident(struct gpm_store *st, const struct gpm_incident *inc,
                                            const struct gpm_analysis *a,
                                            const struct gpm_store_artifact *art,
                                            const char *report_text, const struct gpm_heap *heap,
                                            int64_t *id);
/* Replaces incident id's heap summary with h's totals and types (bytes, objects, and what
 * they retain when h's retention was worked out), what h left untyped as one row, and the
 * paths from a root of its top types. */
struct gpm_error *gpm_ingest_store_heap_types(struct gpm_store *st, int64_t id,
                                              const struct gpm_heap *h);

/*
 * gpm_store_artifact_from_file with the hash cache (ingest/hash_cache.h): a big file whose
 * identity is cached is not read; one hashed here is recorded.
 */
struct gpm_error *gpm_ingest_artifact_from_file(const char *path, struct gpm_store_artifact *art);
/* Fills art from the hash cache alone; false when path's identity is not there. */
bool gpm_ingest_artifact_cached(const char *path, struct gpm_store_artifact *art);
/* Whether path is a plain file big enough (32 MiB) to be hashed while it loads
 * (gpm_ingest_load_hashed, one read) rather than before. */
bool gpm_ingest_hash_while_loading(const char *path);

/* The incident's heap holders (gpm_incident.heap_holders) from a heap whose retention was
 * worked out; none without it. */
void gpm_ingest_heap_holders(struct gpm_incident *inc, const struct gpm_heap *h);

/* ---- an archive incident as a snapshot of gopm diff (ingest/diff.c) ---- */

enum { GPM_INGEST_RETAINERS = 3 }; /* as many as gpm_incident.heap_holders */

/* Everything owned; the diff input (gpm_ingest_stored_input) borrows from it. */
struct gpm_ingest_stored {
	char label[32]; /* "#12" */
	struct gpm_incident *inc;
	struct gpm_diff_given_finding *findings; /* as stored, never re-analysed */
	size_t nfindings;
	struct gpm_diff_heap_row *rows; /* stored heap types */
	size_t nrows;
	bool has_heap, has_retained;
	struct gpm_diff_retainer retainers[GPM_INGEST_RETAINERS];
	size_t nretainers;
	struct gpm_store_table findings_table, heap_table, holders_table; /* private */
};

/* Loads incident id of st as a diff snapshot (gpm_ingest_stored_deinit, even on error). */
struct gpm_error *gpm_ingest_stored_load(struct gpm_store *st, int64_t id,
                                         struct gpm_ingest_stored *out);
/* The diff input of s (valid while s is). */
struct gpm_diff_input gpm_ingest_stored_input(const struct gpm_ingest_stored *s);
void gpm_ingest_stored_deinit(struct gpm_ingest_stored *s);

/* Why a loaded snapshot is no incident to store (NULL: it is one): only a core, a goroutine
 * dump with at least one goroutine that has a frame, a heap dump or a profile is. */
const char *gpm_ingest_not_an_incident(const struct gpm_incident *inc);

#endif
