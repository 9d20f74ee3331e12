/*
 * Finding and checking the executable of a core. Candidates come from the core itself (the
 * NT_FILE mapping holding AT_ENTRY, AT_EXECFN, the psinfo command name, and the same base
 * names next to the core file), then from search directories (the same names, then any file
 * whose ELF notes carry the core's build id: only headers and notes are read, so a directory
 * of thousands of files stays cheap, and an index of the ids seen, kept between runs, spares
 * even that), then from a .build-id tree; each is checked against the build
 * ids the core still holds in its copy of the executable's first page (coredump_filter bit 4 dumps
 * ELF headers), and the PIE load bias is computed from where the executable was mapped.
 */
#ifndef GPM_CORE_EXE_LOCATE_H
#define GPM_CORE_EXE_LOCATE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"

struct gpm_core;
struct gpm_exe;

/* Build ids found in the core's memory image of the main executable (malloc'd; NULL when
 * absent or not dumped). gnu_hex is lowercase hex. Either out-pointer may be NULL. */
struct gpm_error *gpm_core_build_ids(const struct gpm_core *core, char **gnu_hex, char **go_id);

/*
 * The load bias of exe in the core's process (0 for a non-PIE executable loaded at its link
 * address): the executable's mapping start minus its link address, else AT_ENTRY - e_entry,
 * else AT_PHDR minus the program headers' link address. False when the core gives no clue.
 */
bool gpm_core_exe_bias(const struct gpm_core *core, const struct gpm_exe *exe, uint64_t *bias);

/*
 * Finds the executable of core. With explicit_path, opens it and verifies it: a different
 * build id (or entry point, when the core holds no build id) is GPM_ERR_MISMATCH
 * ("executable X does not match the core (build id A, core has B)") unless force. Without,
 * tries the candidates the core names and returns the first that matches (else one that
 * could not be verified, else GPM_ERR_MISMATCH / GPM_ERR_NOT_FOUND listing what was tried).
 *
 * On success *exe_out is owned by the caller, *bias_out is the load bias to give
 * gpm_memory_create, and *why (when why is not NULL; malloc'd, caller frees) says which file
 * was chosen and how well it was verified, e.g. "hang (from NT_FILE): Go build id matches".
 * Paths in messages come from the core and are made terminal-safe.
 */
struct gpm_error *gpm_core_find_exe(const struct gpm_core *core, const char *explicit_path,
                                    bool force, struct gpm_exe **exe_out, uint64_t *bias_out,
                                    char **why);

/* What a search of directories read (for tests and benchmarks). */
struct gpm_exe_locate_stats {
	unsigned probed;  /* files opened to read their ELF notes */
	unsigned indexed; /* files whose build ids came from the index (not opened) */
};

struct gpm_exe_locate_options {
	const char *exe_path;        /* a file: used and verified (as explicit_path above); a
	                                directory: searched after the core's own candidates */
	bool force;                  /* use a file exe_path even when its build id differs */
	const char *search_path;     /* colon-separated directories searched next (GOPM_EXE_PATH);
	                                NULL none */
	const char *debug_root;      /* searched last: DEBUG_ROOT/.build-id/xx/yyyy(.debug) for the
	                                core's GNU build id ("/usr/lib/debug"); NULL none */
	bool debuginfod;             /* then ask the servers of DEBUGINFOD_URLS (libdebuginfod) for
	                                the executable of the core's GNU build id */
	unsigned debuginfod_timeout; /* seconds the whole query may take; 0: 90 */
	const char *index_path;      /* the build-id index of search directories' files, read and
	                                updated (core/exe_index.h); NULL none */
	struct gpm_exe_locate_stats *stats; /* when not NULL, what the search read */
	bool *forced; /* when not NULL, set: the executable is another build, used because of
	                 force */
};

/*
 * gpm_core_find_exe with search directories. When nothing matches: GPM_ERR_MISMATCH naming a
 * candidate whose build id differs, else GPM_ERR_NOT_FOUND listing what was tried and the
 * core's build ids (what to look for), and what debuginfod answered (a timeout, an error, or
 * that it could not be asked: a Go internal link writes no GNU build id).
 */
struct gpm_error *gpm_core_locate_exe(const struct gpm_core *core,
                                      const struct gpm_exe_locate_options *o,
                                      struct gpm_exe **exe_out, uint64_t *bias_out, char **why);

#endif
