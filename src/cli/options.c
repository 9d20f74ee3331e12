/* Parsing a command's argv through its option table, and --help from the same table. */
#include "cli/options.h"

#include <string.h>

#include "cli/cli.h"

enum { OPT_HELP = 'h' + 100000 };

// The shared options of the commands that open cores (spec->core): --exe EXE, --force,
// --all-frames, --system, applied to gpm_opts.ingest.
enum { CORE_EXE = 1001, CORE_FORCE, CORE_SYSTEM, CORE_ALL_FRAMES };

static const struct gpm_option core_option_table[] = {
    {"exe", 0, "EXE",
     "the executable of a core, or a directory to look for it in (default: found\n"
     "from the core, $GOPM_EXE_PATH and the .build-id tree, and verified)",
     CORE_EXE, "file"},
    {"force", 0, NULL, "use --exe even when its build id does not match the core", CORE_FORCE,
     NULL},
    {"all-frames", 0, NULL, "do not elide the middle of very deep stacks", CORE_ALL_FRAMES, NULL},
    {"system", 0, NULL, "also each thread's system stack (g0, gsignal) as goroutine 0", CORE_SYSTEM,
     NULL},
    {NULL, 0, NULL, NULL, 0, NULL},
};

// Applies a core option (by its id in the table) to o; false when id is none of them.
static bool core_option_apply(struct gpm_ingest_options *o, int id, const char *value)
{
	switch (id) {
	case CORE_EXE:
		o->exe_path = value;
		return true;
	case CORE_FORCE:
		o->force = true;
		return true;
	case CORE_SYSTEM:
		o->system_stacks = true;
		return true;
	case CORE_ALL_FRAMES:
		o->all_frames = true;
		return true;
	}
	return false;
}

static void config_warning(const char *message)
{
	fprintf(stderr, "gopm: warning: %s\n", message);
}

const struct gpm_ingest_config *gpm_cli_config(void)
{
	return gpm_ingest_config(config_warning);
}

static const struct gpm_option help_option[] = {
    {"help", 'h', NULL, "print this help and exit", OPT_HELP, NULL},
    {NULL, 0, NULL, NULL, 0, NULL},
};

void gpm_opts_each(const struct gpm_command_spec *spec,
                   void (*fn)(const struct gpm_option *opt, void *arg), void *arg)
{
	const struct gpm_option *tables[] = {spec->options, spec->core ? core_option_table : NULL,
	                                     help_option};
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct gpm_option *opt = tables[t]; opt && opt->name; opt++)
			fn(opt, arg);
}

static void add_option(const struct gpm_option *opt, void *arg)
{
	struct gpm_opts *o = arg;
	size_t n = 0;
	while (o->by_index[n] && n < GPM_OPTS_MAX)
		n++;
	// A table longer than the array is a programmer error caught by the tests of --help.
	if (n >= GPM_OPTS_MAX)
		return;
	o->by_index[n] = opt;
	o->longopts[n] = (struct option){opt->name,
	                                 gpm_option_optional(opt) ? optional_argument
	                                 : opt->arg               ? required_argument
	                                                          : no_argument,
	                                 NULL, (int)n + 256};
	if (opt->short_name) {
		size_t l = strlen(o->shortopts);
		o->shortopts[l++] = opt->short_name;
		if (opt->arg)
			o->shortopts[l++] = ':';
		if (gpm_option_optional(opt))
			o->shortopts[l++] = ':';
		o->shortopts[l] = 0;
	}
}

void gpm_opts_begin(struct gpm_opts *o, const struct gpm_command_spec *spec, int argc, char **argv)
{
	memset(o, 0, sizeof(*o));
	o->spec = spec;
	o->ingest.config = gpm_cli_config;
	o->argc = argc;
	o->argv = argv;
	// ':' first: a missing value is reported as ':' rather than '?'.
	strcpy(o->shortopts, ":");
	gpm_opts_each(spec, add_option, o);
	// getopt_long keeps its state in globals: 0 re-initialises it for this argv.
	optind = 0;
	opterr = 0;
}

static const struct gpm_option *by_short(const struct gpm_opts *o, int c)
{
	for (size_t i = 0; i < GPM_OPTS_MAX && o->by_index[i]; i++)
		if (o->by_index[i]->short_name == c)
			return o->by_index[i];
	return NULL;
}

int gpm_opts_next(struct gpm_opts *o, const char **value)
{
	const char *cmd = o->spec->name;
	for (;;) {
		int c = getopt_long(o->argc, o->argv, o->shortopts, o->longopts, NULL);
		*value = NULL;
		if (c == -1) {
			o->optind = optind;
			return GPM_OPTS_DONE;
		}
		const struct gpm_option *opt = NULL;
		if (c >= 256 && c - 256 < GPM_OPTS_MAX)
			opt = o->by_index[c - 256];
		else if (c != '?' && c != ':')
			opt = by_short(o, c);
		if (c == ':' || c == '?') {
			// The word getopt stopped at.
			const char *word =
			    optind > 0 && optind - 1 < o->argc ? o->argv[optind - 1] : "";
			o->status = c == ':' ? gpm_cli_usage(cmd, "%s needs a value", word)
			            : optopt ? gpm_cli_usage(cmd, "unknown option '-%c'", optopt)
			                     : gpm_cli_usage(cmd, "unknown option '%s'", word);
			return GPM_OPTS_EXIT;
		}
		if (!opt) {
			o->status = gpm_cli_usage(cmd, "unknown option");
			return GPM_OPTS_EXIT;
		}
		if (opt->id == OPT_HELP) {
			gpm_opts_help(o->spec, stdout);
			o->status = GPM_EXIT_OK;
			return GPM_OPTS_EXIT;
		}
		*value = opt->arg ? optarg : NULL;
		if (opt->arg && !gpm_option_optional(opt) && (!optarg || !*optarg)) {
			o->status = gpm_cli_usage(cmd, "--%s needs a value", opt->name);
			return GPM_OPTS_EXIT;
		}
		if (core_option_apply(&o->ingest, opt->id, optarg))
			continue;
		return opt->id;
	}
}

struct help_state {
	FILE *out;
	size_t width;
};

static size_t option_width(const struct gpm_option *opt)
{
	// "  -x, --name ARG" or "      --name ARG"
	return 8 + strlen(opt->name) +
	       (opt->arg ? !gpm_option_optional(opt) + strlen(opt->arg) : 0);
}

static void measure(const struct gpm_option *opt, void *arg)
{
	struct help_state *h = arg;
	size_t w = option_width(opt);
	if (w > h->width)
		h->width = w;
}

static void print_option(const struct gpm_option *opt, void *arg)
{
	struct help_state *h = arg;
	if (opt->short_name)
		fprintf(h->out, "  -%c, --%s", opt->short_name, opt->name);
	else
		fprintf(h->out, "      --%s", opt->name);
	if (opt->arg)
		fprintf(h->out, "%s%s", gpm_option_optional(opt) ? "" : " ", opt->arg);
	size_t w = option_width(opt);
	if (w > h->width)
		fprintf(h->out, "\n%*s", (int)(h->width + 2), "");
	else
		fprintf(h->out, "%*s", (int)(h->width - w + 2), "");
	// The help is wrapped to 79 columns (a '\n' in it is a space).
	size_t indent = h->width + 2, col = indent;
	for (const char *p = opt->help; *p;) {
		while (*p == ' ' || *p == '\n')
			p++;
		size_t n = strcspn(p, " \n");
		if (!n)
			break;
		if (col > indent && col + 1 + n > 79) {
			fprintf(h->out, "\n%*s", (int)indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', h->out);
			col++;
		}
		fwrite(p, 1, n, h->out);
		col += n;
		p += n;
	}
	fputc('\n', h->out);
}

void gpm_opts_help(const struct gpm_command_spec *spec, FILE *out)
{
	fprintf(out, "usage: gopm %s [OPTIONS]%s%s\n\n", spec->name, *spec->operands ? " " : "",
	        spec->operands);
	if (spec->about && *spec->about) {
		size_t n = strlen(spec->about);
		fprintf(out, "%s%s\n", spec->about, spec->about[n - 1] == '\n' ? "" : "\n");
	}
	fprintf(out, "options:\n");
	struct help_state h = {out, 0};
	gpm_opts_each(spec, measure, &h);
	// Very long option names do not push every help text to the right.
	if (h.width > 30)
		h.width = 30;
	gpm_opts_each(spec, print_option, &h);
}
