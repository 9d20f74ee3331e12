/* gopm: entry point, command dispatch, exit statuses and shared output helpers. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "config.h"

const struct gpm_cli_command gpm_cli_commands[] = {
#define GPM_COMMAND(name, summary) {#name, gpm_cmd_##name, summary, &gpm_spec_##name},
#include "cli/commands.def"
#undef GPM_COMMAND
};
const size_t gpm_cli_ncommands = sizeof(gpm_cli_commands) / sizeof(gpm_cli_commands[0]);
#define commands gpm_cli_commands

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: gopm COMMAND [OPTIONS] [--] INPUT...\n\n"
	        "Post-mortem analysis of Go programs from cores and goroutine dumps.\n"
	        "An INPUT may be compressed (zstd, gzip, xz, lz4; one cut short is read as far\n"
	        "as it goes, with a warning) or an apport .crash report; '-' is standard input,\n"
	        "read as well when no INPUT is named and it is a pipe. '--' ends the options.\n"
	        "GOPM_MAX_INPUT and GOPM_MAX_RATIO bound what an input may decompress to.\n\n"
	        "commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(
	    out,
	    "\nRun 'gopm help COMMAND' (or 'gopm COMMAND --help') for a command's options;\n"
	    "'gopm completion bash|zsh' prints shell completions of them all.\n\n"
	    "exit status:\n"
	    "  0   success\n"
	    "  1   partial result: printed, but parts of the input were unreadable (see warnings)\n"
	    "  2   usage error\n"
	    "  3   an input cannot be opened or read, or is not a regular file; or standard\n"
	    "      output cannot be written (a full disk)\n"
	    "  4   an input is malformed, truncated, empty, of an unsupported kind or over a "
	    "limit\n"
	    "  5   the executable is missing, not a Go program, or does not match the core\n"
	    "  6   the requested goroutine or incident does not exist\n"
	    "  70  out of memory or internal error\n"
	    "  75  the archive stayed locked by another writer past GOPM_BUSY_SECONDS: retry\n");
}

int gpm_cli_exit_for(const struct gpm_error *err)
{
	if (!err)
		return GPM_EXIT_OK;
	switch (err->code) {
	case GPM_ERR_USAGE:
		return GPM_EXIT_USAGE;
	case GPM_ERR_OS:
		return GPM_EXIT_INPUT;
	case GPM_ERR_FORMAT:
	case GPM_ERR_FAULT:
	case GPM_ERR_UNSUPPORTED:
	case GPM_ERR_LIMIT:
		return GPM_EXIT_BADINPUT;
	case GPM_ERR_MISMATCH:
		return GPM_EXIT_EXE;
	case GPM_ERR_NOT_FOUND:
		return GPM_EXIT_NOTFOUND;
	case GPM_ERR_BUSY:
		return GPM_EXIT_BUSY;
	case GPM_ERR_NOMEM:
	case GPM_ERR_STOP:
		break;
	}
	return GPM_EXIT_INTERNAL;
}

int gpm_cli_fail(struct gpm_error *err)
{
	int status = gpm_cli_exit_for(err);
	fprintf(stderr, "gopm: %s\n", err && err->message ? err->message : "unknown error");
	gpm_error_destroy(err);
	return status;
}

int gpm_cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "gopm %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'gopm %s --help'.\n", cmd);
	return GPM_EXIT_USAGE;
}

// The first error writing standard output (0 = none), reported once by main.
static int stdout_errno;

bool gpm_cli_write(const char *s, size_t n)
{
	if (stdout_errno)
		return false;
	while (n) {
		ssize_t w = write(STDOUT_FILENO, s, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			stdout_errno = errno;
			return false;
		}
		s += w;
		n -= (size_t)w;
	}
	return true;
}

/*
 * The one place a failed write of standard output becomes a message and exit status 3,
 * whichever command wrote and however (gpm_cli_write or stdio). A closed pipe (`gopm ... |
 * head`) is no error: the reader has what it wanted.
 */
static int output_status(int status)
{
	if (fflush(stdout) && !stdout_errno)
		stdout_errno = errno ? errno : EIO;
	if (ferror(stdout) && !stdout_errno)
		stdout_errno = EIO;
	if (!stdout_errno || stdout_errno == EPIPE)
		return status;
	fprintf(stderr, "gopm: standard output: %s\n", strerror(stdout_errno));
	return GPM_EXIT_OUTPUT;
}

static const struct gpm_cli_command *find_command(const char *name)
{
	for (size_t i = 0; i < gpm_cli_ncommands; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* gopm help [CMD] */
static int help(int argc, char **argv)
{
	if (argc < 3) {
		usage(stdout);
		return GPM_EXIT_OK;
	}
	const struct gpm_cli_command *c = find_command(argv[2]);
	if (!c) {
		fprintf(stderr, "gopm help: unknown command '%s'\n", argv[2]);
		return GPM_EXIT_USAGE;
	}
	gpm_opts_help(c->spec, stdout);
	return GPM_EXIT_OK;
}

bool gpm_cli_color(void)
{
	const char *nc = getenv("NO_COLOR");
	if (nc && *nc)
		return false;
	const char *term = getenv("TERM");
	if (term && !strcmp(term, "dumb"))
		return false;
	return isatty(STDOUT_FILENO);
}

int main(int argc, char **argv)
{
	// A closed pipe (gopm ... | head) ends output quietly instead of killing us mid-write.
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		usage(stderr);
		return GPM_EXIT_USAGE;
	}
	const char *name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help"))
		return output_status(help(argc, argv));
	if (!strcmp(name, "--version") || !strcmp(name, "version")) {
		printf("gopm %s\n", PACKAGE_VERSION);
		return output_status(GPM_EXIT_OK);
	}
	// Not a command of the list: shell completions generated from the option tables.
	if (!strcmp(name, "completion"))
		return output_status(gpm_cli_completion(argc - 1, argv + 1));
	const struct gpm_cli_command *c = find_command(name);
	if (c)
		return output_status(c->run(argc - 1, argv + 1));
	fprintf(stderr, "gopm: unknown command '%s'\n", name);
	usage(stderr);
	return GPM_EXIT_USAGE;
}
