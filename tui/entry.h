/*
 * The TUI's entry point, called by the `gopm tui` command (src/cli/tui.c), which parses the
 * options, finds or makes the archive (storing an input first) and checks its schema.
 */
#ifndef GPM_TUI_ENTRY_H
#define GPM_TUI_ENTRY_H

#include <stdint.h>
#include <stdio.h>

#include "base/error.h"

struct gpm_ingest_options;

struct gpm_tui_args {
	const char *db_path;     /* the archive, readable (its schema checked) */
	const char *source_root; /* where frames' source files are looked for first; or NULL */
	FILE *script;            /* keys from this file (tests), not the terminal; or NULL */
	int64_t open_id;         /* the incident opened over the incidents list; 0 none */
	/* How the value view opens a core: which executable, where to look for it (borrowed;
	 * NULL: the defaults). */
	const struct gpm_ingest_options *ingest;
};

/* Runs the TUI until the user quits (or Ctrl-C). */
struct gpm_error *gpm_tui_run(const struct gpm_tui_args *a);

#endif
