/* gopm: entry point, command dispatch, exit statuses and shared output helpers. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "config.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
#define GPM_COMMAND(name, summary) {#name, gpm_cmd_##name, summary},
#include "cli/commands.def"
#undef GPM_COMMAND
};

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: gopm COMMAND [OPTIONS] [--] INPUT...\n\n"
	        "Post-mortem analysis of Go programs from cores and goroutine dumps.\n"
	        "An INPUT may be compressed (zstd, gzip, xz, lz4); '-' is standard input,\n"
	        "read as well when no INPUT is named and it is a pipe. '--' ends the options.\n"
	        "GOPM_MAX_INPUT and GOPM_MAX_RATIO bound what an input may decompress to.\n\n"
	        "commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(
	    out,
	    "\nRun 'gopm COMMAND --help' for a command's options.\n\n"
	    "exit status:\n"
	    "  0   success\n"
	    "  1   partial result: printed, but parts of the input were unreadable (see warnings)\n"
	    "  2   usage error\n"
	    "  3   an input cannot be opened or read, or is not a regular file\n"
	    "  4   an input is malformed, truncated, empty, of an unsupported kind or over a "
	    "limit\n"
	    "  5   the executable is missing, not a Go program, or does not match the core\n"
	    "  6   the requested goroutine or incident does not exist\n"
	    "  70  out of memory or internal error\n");
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

bool gpm_cli_write(const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(STDOUT_FILENO, s, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return errno == EPIPE;
		}
		s += w;
		n -= (size_t)w;
	}
	return true;
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
	if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
		usage(stdout);
		return GPM_EXIT_OK;
	}
	if (!strcmp(name, "--version") || !strcmp(name, "version")) {
		printf("gopm %s\n", PACKAGE_VERSION);
		return GPM_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "gopm: unknown command '%s'\n", name);
	usage(stderr);
	return GPM_EXIT_USAGE;
}
