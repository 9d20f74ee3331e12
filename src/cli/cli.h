/*
 * The command-line program: the only code (with tui/) that touches argv, stdout, stderr and
 * exit statuses. Each command is a function in its own file, listed in commands.def.
 */
#ifndef GPM_CLI_CLI_H
#define GPM_CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "base/error.h"

/* Exit statuses, documented in `gopm --help` and gopm(1). */
enum gpm_exit {
	GPM_EXIT_OK = 0,        /* success */
	GPM_EXIT_PARTIAL = 1,   /* a result was printed, but parts of the input were unreadable */
	GPM_EXIT_USAGE = 2,     /* bad command line */
	GPM_EXIT_INPUT = 3,     /* the input cannot be opened or read, or is not a regular file */
	GPM_EXIT_OUTPUT = 3,    /* standard output cannot be written (a full disk) */
	GPM_EXIT_BADINPUT = 4,  /* malformed, truncated, empty, unsupported kind, over a limit */
	GPM_EXIT_EXE = 5,       /* the executable is missing, not Go, or does not match the core */
	GPM_EXIT_NOTFOUND = 6,  /* the requested item (goroutine, incident) does not exist */
	GPM_EXIT_INTERNAL = 70, /* out of memory or an internal error */
	GPM_EXIT_BUSY = 75, /* the archive stayed locked by another writer: retry (EX_TEMPFAIL) */
};

struct gpm_command_spec;

/* Each command: its function and its option table (cli/options.h) in its own file. */
#define GPM_COMMAND(name, summary)                                                                 \
	int gpm_cmd_##name(int argc, char **argv);                                                 \
	extern const struct gpm_command_spec gpm_spec_##name;
#include "cli/commands.def"
#undef GPM_COMMAND

struct gpm_cli_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
	const struct gpm_command_spec *spec;
};
/* Every command, in the order of commands.def. */
extern const struct gpm_cli_command gpm_cli_commands[];
extern const size_t gpm_cli_ncommands;

/* gopm completion bash|zsh|options: completions generated from the option tables. */
int gpm_cli_completion(int argc, char **argv);

/* Prints "gopm: <message>" to stderr and returns the exit status for err; destroys err. */
int gpm_cli_fail(struct gpm_error *err);
/* Exit status for an error code. */
int gpm_cli_exit_for(const struct gpm_error *err);
/* Writes a string to stdout fully; false on a write error, after which the command should
 * stop writing: main reports the error once (exit 3; a closed pipe quietly). */
bool gpm_cli_write(const char *s, size_t n);
/* Whether colour should be used on stdout (a terminal and NO_COLOR unset). */
bool gpm_cli_color(void);
/* Usage error: prints "gopm CMD: message" and a hint, returns GPM_EXIT_USAGE. */
int gpm_cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
