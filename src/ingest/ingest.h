/*
 * Loading an input into incident snapshots for the commands that print goroutines. The
 * kind is detected from the bytes (gpm_input_detect); goroutine dumps and pprof text go
 * through src/dump/. Core support plugs in here: the commands only see incidents.
 */
#ifndef GPM_CLI_LOAD_H
#define GPM_CLI_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"
#include "base/sha256.h"
#include "cli/hash_cache.h"
#include "cli/options.h"
#include "goroutines/process.h"
#include "model/incident.h"

struct gpm_heap;
struct gpm_source;
struct gpm_source_hash;
struct gpm_source_options;

struct gpm_loaded {
	struct gpm_incident **snapshots; /* owned */
	size_t n;
	struct gpm_source *src; /* owned: a dump's text, which its snapshots read arguments from */
	/* The input's identity (gpm_cli_load_hashed): SHA-256 of its bytes as read. */
	char sha256[GPM_SHA256_HEX_SIZE];
	uint64_t input_size;
	int64_t mtime;
	struct gpm_source_hash *hash_pending; /* owned: see gpm_cli_loaded_sha256 */
	struct gpm_cli_hash_key hash_key;     /* the input as it was when hashing began */
	const char *hash_path;                /* borrowed: the path hashed (for the cache) */
};

/* path "-" is standard input. */
struct gpm_error *gpm_cli_load(const char *path, struct gpm_loaded *out);
/* The same, hashing the input's bytes while they are read (gpm_cli_loaded_sha256). */
struct gpm_error *gpm_cli_load_hashed(const char *path, struct gpm_loaded *out);
/* The input's SHA-256 (hex, in l) once a hash still running in a thread is done. */
const char *gpm_cli_loaded_sha256(struct gpm_loaded *l);
void gpm_cli_loaded_release(struct gpm_loaded *l);

/* How cores are opened (set from --exe / --force before loading). */
struct gpm_cli_core_options {
	const char *exe_path;
	bool force;
	bool system_stacks;
	bool all_frames;
	bool objects; /* also what only a core tells: panic values, waited-on objects */
	/* With objects: where the heap walked in a core is handed over (owned by the caller,
	 * gpm_heap_destroy) instead of being destroyed; NULL: not kept (gopm diff keeps it). */
	struct gpm_heap **keep_heap;
};
extern struct gpm_cli_core_options gpm_cli_core_options;
/* A core and its executable, read into one incident (owned by the caller); src taken over. */
struct gpm_error *gpm_cli_load_core(struct gpm_source *src, struct gpm_incident **out);
/* The options for opening a core's process: --exe and --force, the search path GOPM_EXE_PATH
 * and the .build-id tree under GOPM_DEBUG_ROOT (default /usr/lib/debug). */
struct gpm_process_options gpm_cli_process_options(void);

/* The shared options of the commands that open cores (--exe EXE, --force, --all-frames,
 * --system): one table fragment every such command's option table includes. */
extern const struct gpm_option gpm_cli_core_option_table[];
/* Applies a core option (by its id in the table) to gpm_cli_core_options; false when id is
 * none of them. */
bool gpm_cli_core_option_apply(int id, const char *value);

/* How standard input is named in messages and in the archive. */
#define GPM_CLI_STDIN_NAME "<stdin>"
/* Whether path names standard input ("-"). */
bool gpm_cli_is_stdin(const char *path);
/* Opens path, or reads standard input for "-". o may be NULL. */
struct gpm_error *gpm_cli_open_input(const char *path, const struct gpm_source_options *o,
                                     struct gpm_source **out);
/* "-" when standard input is a pipe or a non-empty file (`kubectl logs pod | gopm analyze`),
 * else NULL: the input of a command run with none named. */
const char *gpm_cli_default_input(void);
/* gpm_source_options.check_head for goroutine inputs: refuses empty input and, from the
 * first bytes, binary input of no known kind. */
struct gpm_error *gpm_cli_check_head(const uint8_t *p, size_t n, const char *name, void *arg);

#endif
