/*
 * Loading an input into incident snapshots for the commands that print goroutines. The
 * kind is detected from the bytes (gpm_input_detect); goroutine dumps and pprof text go
 * through src/dump/. Core support plugs in here: the commands only see incidents.
 */
#ifndef GPM_CLI_LOAD_H
#define GPM_CLI_LOAD_H

#include <stddef.h>

#include "base/error.h"
#include "model/incident.h"

struct gpm_loaded {
	struct gpm_incident **snapshots; /* owned */
	size_t n;
};

struct gpm_error *gpm_cli_load(const char *path, struct gpm_loaded *out);
void gpm_cli_loaded_release(struct gpm_loaded *l);

#endif
