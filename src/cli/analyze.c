/*
 * gopm analyze INPUT [--json] [--exe EXE] [--force] [--similarity exact|args|lines]
 *                    [--groups N] [--width N]
 *
 * Names the likely root cause of a crash or hang: findings with evidence first, then
 * process facts, goroutine groups and states. Cores are opened here directly (not through
 * gpm_cli_load) because the core-only readers (src/goroutines/objects.c: panic values, wait
 * objects, fault addresses) need the process, not just the incident.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "analysis/analysis.h"
#include "base/source.h"
#include "cli/cli.h"
#include "cli/load.h"
#include "dump/dump.h"
#include "goroutines/goroutines.h"
#include "goroutines/objects.h"
#include "goroutines/process.h"

static struct gpm_error *load_core(const char *path, struct gpm_incident **out)
{
	struct gpm_process_options po = {
	    .exe_path = gpm_cli_core_options.exe_path,
	    .force = gpm_cli_core_options.force,
	};
	struct gpm_process *p;
	struct gpm_error *err = gpm_process_open(path, &po, &p);
	if (err)
		return err;
	struct gpm_goroutines_options go = {.all_frames = gpm_cli_core_options.all_frames};
	struct gpm_incident *inc = NULL;
	err = gpm_goroutines_read(p, &go, &inc);
	if (!err)
		err = gpm_objects_read(p, inc);
	if (!err && !(inc->source_name = gpm_incident_str(inc, path, strlen(path))))
		err = &gpm_error_nomem;
	gpm_process_destroy(p);
	if (err) {
		gpm_incident_destroy(inc);
		return err;
	}
	*out = inc;
	return NULL;
}

static struct gpm_error *load(const char *path, struct gpm_loaded *out)
{
	struct gpm_source *src;
	struct gpm_error *err = gpm_source_open(path, &src);
	if (err)
		return err;
	enum gpm_input_kind kind = gpm_input_detect(src->data, src->size);
	gpm_source_destroy(src);
	if (kind != GPM_INPUT_CORE)
		return gpm_cli_load(path, out);
	memset(out, 0, sizeof(*out));
	out->snapshots = calloc(1, sizeof(*out->snapshots));
	if (!out->snapshots)
		return &gpm_error_nomem;
	err = load_core(path, &out->snapshots[0]);
	if (err) {
		free(out->snapshots);
		out->snapshots = NULL;
		return err;
	}
	out->n = 1;
	return NULL;
}

static unsigned terminal_width(void)
{
	const char *c = getenv("COLUMNS");
	if (c && atoi(c) >= 40)
		return (unsigned)atoi(c);
	struct winsize ws;
	if (isatty(STDOUT_FILENO) && !ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col >= 40)
		return ws.ws_col;
	return 100;
}

int gpm_cmd_analyze(int argc, char **argv)
{
	const char *input = NULL;
	bool json = false;
	struct gpm_analysis_options ao = {.level = GPM_GROUP_NO_ARGS};
	struct gpm_report_options ro = {0};
	int status = GPM_EXIT_OK;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (gpm_cli_core_option("analyze", argc, argv, &i, &status)) {
			if (status)
				return status;
		} else if (!strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--similarity") || !strncmp(a, "--similarity=", 13)) {
			const char *v = a[12] == '=' ? a + 13 : (i + 1 < argc ? argv[++i] : NULL);
			if (!v)
				return gpm_cli_usage("analyze", "--similarity needs a value");
			if (!strcmp(v, "exact"))
				ao.level = GPM_GROUP_EXACT;
			else if (!strcmp(v, "args"))
				ao.level = GPM_GROUP_NO_ARGS;
			else if (!strcmp(v, "lines"))
				ao.level = GPM_GROUP_NO_LINES;
			else
				return gpm_cli_usage(
				    "analyze", "--similarity is exact, args or lines, not '%s'", v);
		} else if (!strcmp(a, "--groups") || !strcmp(a, "--width")) {
			if (i + 1 >= argc)
				return gpm_cli_usage("analyze", "%s needs a value", a);
			int v = atoi(argv[++i]);
			if (v <= 0)
				return gpm_cli_usage("analyze", "%s needs a positive number", a);
			if (a[2] == 'g')
				ro.max_groups = (unsigned)v;
			else
				ro.width = (unsigned)v;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			printf("usage: gopm analyze INPUT [--json] [--exe EXE] [--force]\n"
			       "                    [--similarity exact|args|lines] [--groups N] "
			       "[--width N]\n"
			       "Names the likely root cause of a crash or hang in a core or a "
			       "goroutine dump:\nfindings with evidence, process facts, goroutine "
			       "groups, states.\n");
			return GPM_EXIT_OK;
		} else if (a[0] == '-' && a[1]) {
			return gpm_cli_usage("analyze", "unknown option '%s'", a);
		} else if (!input) {
			input = a;
		} else {
			return gpm_cli_usage("analyze", "one input only");
		}
	}
	if (!input)
		return gpm_cli_usage("analyze", "missing INPUT (a core or a goroutine dump)");
	if (!ro.width)
		ro.width = terminal_width();
	ro.color = !json && gpm_cli_color();

	struct gpm_loaded l;
	struct gpm_error *err = load(input, &l);
	if (err)
		return gpm_cli_fail(err);
	bool partial = false;
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	// A file may hold several dumps: the last one is the newest state.
	for (size_t s = 0; s < l.n; s++) {
		const struct gpm_incident *inc = l.snapshots[s];
		for (size_t i = 0; i < inc->warnings.len; i++) {
			char *w = gpm_safe_strndup(inc->warnings.v[i].text,
			                           strlen(inc->warnings.v[i].text));
			fprintf(stderr, "gopm: warning: %s\n", w ? w : "?");
			free(w);
			partial = true;
		}
		struct gpm_analysis *a;
		if ((err = gpm_analysis_run(inc, &ao, &a)))
			break;
		if (l.n > 1 && !json)
			gpm_strbuf_printf(&sb, "%s=== snapshot %zu of %zu ===\n", s ? "\n" : "",
			                  s + 1, l.n);
		if (json)
			gpm_report_json(inc, a, &ro, &sb);
		else
			gpm_report_text(inc, a, &ro, &sb);
		gpm_analysis_destroy(a);
		if ((err = gpm_strbuf_error(&sb)))
			break;
		if (!gpm_cli_write(sb.buf ? sb.buf : "", sb.len)) {
			status = GPM_EXIT_INTERNAL;
			break;
		}
		gpm_strbuf_reset(&sb);
	}
	gpm_strbuf_deinit(&sb);
	gpm_cli_loaded_release(&l);
	if (err)
		return gpm_cli_fail(err);
	if (status)
		return status;
	return partial ? GPM_EXIT_PARTIAL : GPM_EXIT_OK;
}
