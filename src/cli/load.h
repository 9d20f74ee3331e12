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
#include "goroutines/process.h"
#include "model/incident.h"

struct gpm_source;

struct gpm_loaded {
	struct gpm_incident **snapshots; /* owned */
	size_t n;
	struct gpm_source *src; /* owned: a dump's text, which its snapshots read arguments from */
};

struct gpm_error *gpm_cli_load(const char *path, struct gpm_loaded *out);
void gpm_cli_loaded_release(struct gpm_loaded *l);

/* How cores are opened (set from --exe / --force before loading). */
struct gpm_cli_core_options {
	const char *exe_path;
	bool force;
	bool system_stacks;
	bool all_frames;
	bool objects; /* also what only a core tells: panic values, waited-on objects */
};
extern struct gpm_cli_core_options gpm_cli_core_options;
/* The options for opening a core's process: --exe and --force, the search path GOPM_EXE_PATH
 * and the .build-id tree under GOPM_DEBUG_ROOT (default /usr/lib/debug). */
struct gpm_process_options gpm_cli_process_options(void);
/* A core and its executable, read into one incident (owned by the caller). */
struct gpm_error *gpm_cli_load_core(const char *path, struct gpm_incident **out);

/* Consumes --exe EXE, --force, --all-frames, --system at argv[*i] into gpm_cli_core_options; false
 * when argv[*i] is none of them. *status becomes GPM_EXIT_USAGE when a value is missing. */
bool gpm_cli_core_option(const char *cmd, int argc, char **argv, int *i, int *status);

#endif
