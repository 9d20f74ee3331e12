/*
 * The user's config file, $XDG_CONFIG_HOME/gopm/config (default ~/.config/gopm/config): lines
 * of `key = value`, blank lines and `#` comments. Keys: exe-path (colon-separated directories
 * searched for executables of cores, as GOPM_EXE_PATH), debug-root (the root of the
 * .build-id tree, as GOPM_DEBUG_ROOT) and source-root (the tui's --source-root). The
 * environment and the command line override it. A line that cannot be read is a warning
 * naming the file and the line, and is skipped.
 */
#ifndef GPM_INGEST_CONFIG_H
#define GPM_INGEST_CONFIG_H

struct gpm_ingest_config {
	char *exe_path;    /* NULL: not set */
	char *debug_root;  /* NULL: not set; "" means none */
	char *source_root; /* NULL: not set */
};

/* The config file, read on the first call, when on_warning (may be NULL) is called with each
 * warning ("FILE:LINE: what", terminal-safe); borrowed for the life of the program, never
 * NULL. The front end (cli, tui) decides how warnings are shown. */
const struct gpm_ingest_config *gpm_ingest_config(void (*on_warning)(const char *message));

#endif
