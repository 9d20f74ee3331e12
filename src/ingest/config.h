/*
 * The user's config file, $XDG_CONFIG_HOME/gopm/config (default ~/.config/gopm/config): lines
 * of `key = value`, blank lines and `#` comments. Keys: exe-path (colon-separated directories
 * searched for executables of cores, as GOPM_EXE_PATH), debug-root (the root of the
 * .build-id tree, as GOPM_DEBUG_ROOT) and source-root (the tui's --source-root). The
 * environment and the command line override it. A line that cannot be read is a warning on
 * standard error naming the file and the line, and is skipped.
 */
#ifndef GPM_CLI_CONFIG_FILE_H
#define GPM_CLI_CONFIG_FILE_H

struct gpm_cli_config {
	char *exe_path;    /* NULL: not set */
	char *debug_root;  /* NULL: not set; "" means none */
	char *source_root; /* NULL: not set */
};

/* The config file, read on first use (warnings printed then); borrowed for the life of the
 * program, never NULL. */
const struct gpm_cli_config *gpm_cli_config(void);

#endif
