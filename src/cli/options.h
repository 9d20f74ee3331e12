/*
 * Command-line options: each command declares one table of its options (long name, short
 * name, value name, help, how a shell completes the value) and parses argv through it with
 * getopt_long. The same tables give `gopm CMD --help`, `gopm help CMD`, the bash and zsh
 * completions (`gopm completion bash|zsh`) and the list the man page is checked against.
 * "--" ends the options and "-" is an operand (standard input) for every command.
 */
#ifndef GPM_CLI_OPTIONS_H
#define GPM_CLI_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "ingest/ingest.h"

/* One option. Tables end with an entry whose name is NULL. */
struct gpm_option {
	const char *name;     /* long name without "--" */
	char short_name;      /* 0 when none */
	const char *arg;      /* the value's name in help ("PATH"); NULL for a flag */
	const char *help;     /* one line; a '\n' starts an indented continuation */
	int id;               /* what gpm_opts_next returns for it (> 0) */
	const char *complete; /* value completion: "file", "dir", or words "a b c"; NULL none */
};

/* Whether opt's value may be left out: its value name is written "[=day|build]" and the
 * value, when given, is attached ("--trend=build"). */
static inline bool gpm_option_optional(const struct gpm_option *opt)
{
	return opt->arg && opt->arg[0] == '[';
}

/* A command's options: its own table and shared fragments. */
struct gpm_command_spec {
	const char *name;
	const char *operands;             /* synopsis of the operands: "INPUT", "ID..." */
	const char *about;                /* the paragraphs of --help after the usage line */
	const struct gpm_option *options; /* the command's table */
	bool core;                        /* also --exe, --force, --all-frames, --system */
	const char *operand_complete;     /* "file", "dir" or NULL (no completion) */
};

enum { GPM_OPTS_MAX = 48 };

/* The state of one parse; the command reads its operands from argv[optind..argc). */
struct gpm_opts {
	const struct gpm_command_spec *spec;
	int argc;
	char **argv;
	int optind;
	int status; /* when gpm_opts_next returned GPM_OPTS_EXIT: the exit status */
	/* How the command loads its inputs: the shared core options (spec->core) applied by
	 * gpm_opts_next, the config file through gpm_cli_config. */
	struct gpm_ingest_options ingest;
	struct option longopts[GPM_OPTS_MAX + 1];
	const struct gpm_option *by_index[GPM_OPTS_MAX];
	char shortopts[2 * GPM_OPTS_MAX + 4];
};

enum {
	GPM_OPTS_DONE = 0,  /* options over: operands at optind */
	GPM_OPTS_EXIT = -1, /* --help printed or a usage error reported: return status */
};

void gpm_opts_begin(struct gpm_opts *o, const struct gpm_command_spec *spec, int argc, char **argv);
/* The next option's id (its value in *value, NULL for a flag), GPM_OPTS_DONE or
 * GPM_OPTS_EXIT. The shared core options are applied here and not returned. */
int gpm_opts_next(struct gpm_opts *o, const char **value);
/* The operands after the options. */
static inline int gpm_opts_noperands(const struct gpm_opts *o)
{
	return o->argc - o->optind;
}
static inline char **gpm_opts_operands(const struct gpm_opts *o)
{
	return o->argv + o->optind;
}

/* The user's config file (src/ingest/config.h), read on first use; its warnings are printed
 * on standard error then. */
const struct gpm_ingest_config *gpm_cli_config(void);

/* `gopm CMD --help` text. */
void gpm_opts_help(const struct gpm_command_spec *spec, FILE *out);

/* Calls fn for every option of spec (own table, then the shared fragments). */
void gpm_opts_each(const struct gpm_command_spec *spec,
                   void (*fn)(const struct gpm_option *opt, void *arg), void *arg);

#endif
