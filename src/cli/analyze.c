/*
 * gopm analyze INPUT [--json] [--exe EXE] [--force] [--similarity exact|args|lines]
 *                    [--groups N] [--width N] [--db PATH] [--no-store] [--keep]
 *
 * Names the likely root cause of a crash or hang: findings with evidence first, then
 * process facts, goroutine groups and states. Cores are loaded with the core-only readers
 * (src/goroutines/objects.c: panic values, wait objects, fault addresses) switched on.
 *
 * Every analysis is stored in the incident archive (src/ingest/, as `gopm ingest` does)
 * unless --no-store: the report ends with the incident id and, when the archive has seen
 * the same bug before (the incident's cluster), how often and since when.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "analysis/analysis.h"
#include "base/json.h"
#include "analysis/report_share.h"
#include "base/source.h"
#include "cli/archive.h"
#include "store/workflow.h"
#include "cli/cli.h"
#include "ingest/ingest.h"
#include "cli/options.h"
#include "dump/dump.h"
#include "goroutines/goroutines.h"
#include "goroutines/objects.h"
#include "heap/heap.h"
#include "process/process.h"
#include "store/store.h"

unsigned gpm_cli_report_width(void)
{
	const char *c = getenv("COLUMNS");
	if (c && atoi(c) >= 40)
		return (unsigned)atoi(c);
	struct winsize ws;
	if (isatty(STDOUT_FILENO) && !ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col >= 40)
		return ws.ws_col;
	return 100;
}

/*
 * What the archive knows about incident id: "stored in the archive as incident N" (or
 * "already in ... as incident N") and, when its cluster holds earlier incidents, "seen N
 * times before since DATE (cluster C)". One or two lines into out.
 */
struct gpm_error *gpm_cli_archive_lines(struct gpm_store *st, int64_t id, bool existed,
                                        struct gpm_strbuf *out)
{
	gpm_strbuf_printf(out, "%s in the archive as incident %lld (gopm show %lld)",
	                  existed ? "already" : "stored", (long long)id, (long long)id);
	struct gpm_store_table facts;
	struct gpm_error *err = gpm_store_incident_facts(st, id, &facts);
	if (err)
		return err;
	int64_t cluster = 0;
	for (size_t r = 0; r < facts.nrows; r++) {
		const char *k = gpm_store_cell(&facts, r, 0), *v = gpm_store_cell(&facts, r, 1);
		if (k && v && !strcmp(k, "cluster"))
			cluster = strtoll(v, NULL, 10);
	}
	gpm_store_table_deinit(&facts);
	if (cluster <= 0) {
		gpm_strbuf_putc(out, '\n');
		return NULL;
	}
	// The cluster's other incidents: how many, and the earliest time.
	struct gpm_store_filter f = {.cluster = cluster, .limit = -1};
	struct gpm_store_table t;
	if ((err = gpm_store_incidents(st, &f, &t)))
		return err;
	size_t idc = SIZE_MAX, timec = SIZE_MAX;
	for (size_t c = 0; c < t.ncols; c++) {
		if (!strcmp(t.cols[c], "id"))
			idc = c;
		else if (!strcmp(t.cols[c], "time"))
			timec = c;
	}
	uint64_t before = 0;
	const char *since = NULL;
	for (size_t r = 0; idc != SIZE_MAX && timec != SIZE_MAX && r < t.nrows; r++) {
		const char *rid = gpm_store_cell(&t, r, idc), *tm = gpm_store_cell(&t, r, timec);
		if (!rid || strtoll(rid, NULL, 10) == id)
			continue;
		before++;
		if (tm && (!since || strcmp(tm, since) < 0))
			since = tm;
	}
	if (before)
		gpm_strbuf_printf(out, "; seen %llu time%s before since %s (cluster %lld)",
		                  (unsigned long long)before, before == 1 ? "" : "s",
		                  since ? since : "?", (long long)cluster);
	else
		gpm_strbuf_printf(out, "; first of its kind (cluster %lld)", (long long)cluster);
	gpm_strbuf_putc(out, '\n');
	gpm_store_table_deinit(&t);
	// The cluster's workflow once someone triaged it: status, resolution, regression.
	struct gpm_cluster_summary cs;
	if ((err = gpm_store_cluster_summary(st, cluster, &cs))) {
		gpm_error_destroy(err); // the report stands without it
	} else {
		if (strcmp(cs.status, "new") || cs.regressed) {
			gpm_cli_cluster_summary_text(&cs, out);
			gpm_strbuf_putc(out, '\n');
		}
		gpm_cluster_summary_deinit(&cs);
	}
	return NULL;
}

enum {
	OPT_JSON = 1,
	OPT_NO_STORE,
	OPT_KEEP,
	OPT_DB,
	OPT_SIMILARITY,
	OPT_GROUPS,
	OPT_WIDTH,
	OPT_FORMAT,
};

static const struct gpm_option options[] = {
    {"json", 0, NULL, "one JSON document (doc/json.md) instead of the report", OPT_JSON, NULL},
    {"format", 0, "F",
     "text (default), markdown (a report to paste), html (one self-contained\npage with a "
     "flame graph) or json",
     OPT_FORMAT, "text markdown html json"},
    {"similarity", 0, "LEVEL",
     "how alike goroutines of one group are: exact, args (default: arguments\n"
     "ignored) or lines (line numbers ignored too)",
     OPT_SIMILARITY, "exact args lines"},
    {"groups", 0, "N", "show at most N goroutine groups", OPT_GROUPS, NULL},
    {"width", 0, "N", "wrap the report at N columns (default: the terminal's)", OPT_WIDTH, NULL},
    {"db", 0, "PATH", "the archive (default $XDG_DATA_HOME/gopm/archive.db)", OPT_DB, "file"},
    {"no-store", 0, NULL, "do not store the incident", OPT_NO_STORE, NULL},
    {"keep", 0, NULL, "also copy the input into the archive's zstd artifact store", OPT_KEEP, NULL},
    {NULL, 0, NULL, NULL, 0, NULL},
};

const struct gpm_command_spec gpm_spec_analyze = {
    .name = "analyze",
    .operands = "[INPUT]",
    .about = "Names the likely root cause of a crash or hang in a core or a goroutine dump:\n"
             "findings with evidence, process facts, goroutine groups, states. The incident\n"
             "is stored in the archive (the same input twice is stored once) and the report\n"
             "ends with its id and how often the archive has seen the same bug.\n\n"
             "INPUT '-' (or none, from a pipe) is standard input.",
    .options = options,
    .core = true,
    .operand_complete = "file",
};

/* The Markdown or HTML report of one snapshot, with the archive's line (NULL none). */
static void report_shared(bool html, const struct gpm_incident *inc, const struct gpm_analysis *a,
                          const struct gpm_report_options *ro, const char *archive,
                          struct gpm_strbuf *sb)
{
	if (html)
		gpm_report_html_section(inc, a, ro, archive, sb);
	else
		gpm_report_markdown(inc, a, ro, archive, sb);
}

/*
 * The analyses of a dump's snapshots, each run as soon as the parser has finished its
 * snapshot (gpm_ingest_options.parsed): its text is still resident, and the rules' first
 * walk of its goroutines' argument texts reads warm pages instead of faulting the released
 * input back. NULL where none ran (a core, --exe, a small snapshot, no memory): that
 * snapshot's analysis runs in the report loop, as it always did.
 */
struct early {
	const struct gpm_analysis_options *ao;
	struct gpm_analysis **v;
	size_t n, cap;
};

/* Past the first EARLY_ANY snapshots, those smaller than EARLY_MIN_GOROUTINES are analysed in
 * the loop: re-reading their text costs little, and an analysis kept for every small
 * snapshot of a log of thousands of crashes would grow with it (20,000 one-line dumps:
 * 205 -> 250 MB). */
enum { EARLY_ANY = 64, EARLY_MIN_GOROUTINES = 1024 };

static struct gpm_error *analyse_parsed(void *arg, size_t i, const struct gpm_incident *inc)
{
	struct early *e = arg;
	if (i >= EARLY_ANY && inc->goroutines.len < EARLY_MIN_GOROUTINES)
		return NULL;
	if (i >= e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 8;
		while (cap <= i)
			cap *= 2;
		struct gpm_analysis **v = realloc(e->v, cap * sizeof(*v));
		if (!v)
			return NULL; // analysed later, in the loop
		memset(v + e->cap, 0, (cap - e->cap) * sizeof(*v));
		e->v = v;
		e->cap = cap;
	}
	struct gpm_error *err = gpm_analysis_run(inc, e->ao, &e->v[i]);
	if (err) {
		// Run again in the loop, where a failure is reported with the snapshots before it.
		gpm_error_destroy(err);
		e->v[i] = NULL;
	}
	if (i >= e->n)
		e->n = i + 1;
	return NULL;
}

int gpm_cmd_analyze(int argc, char **argv)
{
	const char *input = NULL;
	bool json = false;
	enum { FORMAT_TEXT, FORMAT_MARKDOWN, FORMAT_HTML } format = FORMAT_TEXT;
	struct gpm_analysis_options ao = {.level = GPM_GROUP_NO_ARGS};
	struct gpm_report_options ro = {0};
	const char *db = NULL;
	bool store = true, keep = false;
	struct gpm_opts o;
	const char *v;
	int opt;
	gpm_opts_begin(&o, &gpm_spec_analyze, argc, argv);
	while ((opt = gpm_opts_next(&o, &v)) > 0) {
		switch (opt) {
		case OPT_JSON:
			json = true;
			break;
		case OPT_FORMAT:
			if (!strcmp(v, "text"))
				format = FORMAT_TEXT;
			else if (!strcmp(v, "markdown") || !strcmp(v, "md"))
				format = FORMAT_MARKDOWN;
			else if (!strcmp(v, "html"))
				format = FORMAT_HTML;
			else if (!strcmp(v, "json"))
				json = true;
			else
				return gpm_cli_usage("analyze",
				                     "--format is text, markdown, html or json");
			break;
		case OPT_NO_STORE:
			store = false;
			break;
		case OPT_KEEP:
			keep = true;
			break;
		case OPT_DB:
			db = v;
			break;
		case OPT_SIMILARITY:
			if (!strcmp(v, "exact"))
				ao.level = GPM_GROUP_EXACT;
			else if (!strcmp(v, "args"))
				ao.level = GPM_GROUP_NO_ARGS;
			else if (!strcmp(v, "lines"))
				ao.level = GPM_GROUP_NO_LINES;
			else
				return gpm_cli_usage(
				    "analyze", "--similarity is exact, args or lines, not '%s'", v);
			break;
		case OPT_GROUPS:
		case OPT_WIDTH: {
			int n = atoi(v);
			if (n <= 0)
				return gpm_cli_usage("analyze", "--%s needs a positive number",
				                     opt == OPT_GROUPS ? "groups" : "width");
			if (opt == OPT_GROUPS)
				ro.max_groups = (unsigned)n;
			else
				ro.width = (unsigned)n;
			break;
		}
		}
	}
	if (opt < 0)
		return o.status;
	if (gpm_opts_noperands(&o) > 1)
		return gpm_cli_usage("analyze", "one input only");
	if (gpm_opts_noperands(&o))
		input = gpm_opts_operands(&o)[0];
	if (!input && !(input = gpm_ingest_default_input()))
		return gpm_cli_usage("analyze", "missing INPUT (a core or a goroutine dump, or "
		                                "'-' for standard input)");
	if (keep && gpm_ingest_is_stdin(input))
		return gpm_cli_usage("analyze", "--keep copies a file: save standard input to "
		                                "one first");
	if (!store && (keep || db))
		return gpm_cli_usage("analyze", "--no-store cannot go with %s",
		                     keep ? "--keep" : "--db");
	if (json && format != FORMAT_TEXT)
		return gpm_cli_usage("analyze", "--json cannot go with --format markdown or html");
	if (!ro.width)
		ro.width = gpm_cli_report_width();
	ro.color = !json && format == FORMAT_TEXT && gpm_cli_color();

	struct gpm_ingest_loaded l;
	// Cores also give what only a core tells: panic values, waited-on objects.
	o.ingest.objects = true;
	// The archive's identity of the input is hashed while it is read.
	// A core's heap types go to the archive with it, so `gopm diff #A #B` compares them.
	struct gpm_heap *heap = NULL;
	if (store)
		o.ingest.keep_heap = &heap;
	struct early early = {.ao = &ao};
	o.ingest.parsed = analyse_parsed;
	o.ingest.parsed_arg = &early;
	struct gpm_error *err = store ? gpm_ingest_load_hashed(input, &o.ingest, &l)
	                              : gpm_ingest_load(input, &o.ingest, &l);
	o.ingest.keep_heap = NULL;
	o.ingest.parsed = NULL;
	if (err) {
		for (size_t i = 0; i < early.n; i++)
			gpm_analysis_destroy(early.v[i]);
		free(early.v);
		return gpm_cli_fail(err);
	}
	bool partial = false;
	// The archive: opened once; a failure to store is a warning, not a lost report.
	struct gpm_store *st = NULL;
	struct gpm_store_artifact art = {
	    .path = gpm_ingest_is_stdin(input) ? GPM_INGEST_STDIN_NAME : input,
	    .size = l.input_size,
	    .mtime = l.mtime,
	};
	if (store) {
		struct gpm_error *serr = gpm_ingest_store_open(db, false, &st);
		if (serr) {
			char *m = gpm_safe_strndup(serr->message, strlen(serr->message));
			fprintf(stderr, "gopm: warning: not stored in the archive: %s\n",
			        m ? m : "?");
			free(m);
			gpm_error_destroy(serr);
			partial = true;
			st = NULL;
		} else {
			art.keep = keep;
		}
	}
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	/*
	 * A plain text report at width 100 with the default cuts is the very text the archive
	 * keeps (gpm_ingest_store_incident's): rendered once, into report, for both. A report
	 * of thousands of findings is megabytes and its rendering a tenth of a stored run.
	 */
	struct gpm_strbuf report = GPM_STRBUF_INIT;
	bool stored_text = st && !json && format == FORMAT_TEXT && !ro.color && ro.width == 100 &&
	                   !ro.max_groups && !ro.max_frames;
	// JSON: one document whatever the number of snapshots (doc/json.md).
	struct gpm_json j;
	if (json) {
		gpm_json_init(&j, &sb, true);
		gpm_json_document_begin(&j, "analyze");
		gpm_json_kv_string(&j, "input", art.path);
		gpm_json_key(&j, "snapshots");
		gpm_json_array_begin(&j);
	}
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
		struct gpm_analysis *a = s < early.n ? early.v[s] : NULL;
		if (a)
			early.v[s] = NULL; // destroyed below, as one run here
		else if ((err = gpm_analysis_run(inc, &ao, &a)))
			break;
		if (l.n > 1 && !json && format == FORMAT_TEXT)
			gpm_strbuf_printf(&sb, "%s=== snapshot %zu of %zu ===\n", s ? "\n" : "",
			                  s + 1, l.n);
		if (format == FORMAT_HTML && !s)
			gpm_report_html_begin(inc->source_name ? inc->source_name : input, &sb);
		if (json)
			gpm_report_json_snapshot(&j, inc, a, &ro, (int64_t)s);
		else if (format == FORMAT_TEXT && stored_text) {
			gpm_strbuf_reset(&report);
			gpm_report_text(inc, a, &ro, &report);
			gpm_strbuf_append(&sb, report.buf ? report.buf : "", report.len);
			gpm_report_threads_text(inc, &sb);
		} else if (format == FORMAT_TEXT) {
			gpm_report_text(inc, a, &ro, &sb);
			gpm_report_threads_text(inc, &sb);
		}
		// Markdown and HTML carry the archive's line inside the document: written below.
		bool shared = format != FORMAT_TEXT;
		bool archived = false;
		if (st) {
			// Stored with its own plain report (no colour, width 100), as ingest does.
			int64_t id = 0;
			struct gpm_strbuf line = GPM_STRBUF_INIT;
			// The hash has run beside the loading and the analysis: wait for it now.
			memcpy(art.sha256, gpm_ingest_loaded_sha256(&l), sizeof(art.sha256));
			// No digest: the file shrank while it was hashed.
			const char *text = stored_text && !gpm_strbuf_error(&report)
			                       ? gpm_strbuf_str(&report)
			                       : NULL;
			struct gpm_error *serr =
			    art.sha256[0]
			        ? gpm_ingest_store_incident(st, inc, a, &art, text, heap, &id)
			        : gpm_error_create(GPM_ERR_OS, "%s: changed while it was read",
			                           input);
			if (!serr)
				serr = gpm_cli_archive_lines(st, id, gpm_store_ingest_existed(st),
				                             &line);
			if (!serr)
				serr = gpm_strbuf_error(&line);
			if (serr) {
				char *m = gpm_safe_strndup(serr->message, strlen(serr->message));
				fprintf(stderr, "gopm: warning: not stored in the archive: %s\n",
				        m ? m : "?");
				free(m);
				gpm_error_destroy(serr);
				partial = true;
			} else if (json) {
				// stdout stays one JSON document.
				fprintf(stderr, "gopm: %s", gpm_strbuf_str(&line));
			} else if (shared) {
				archived = true;
				if (line.len && line.buf[line.len - 1] == '\n')
					line.buf[--line.len] = 0;
				report_shared(format == FORMAT_HTML, inc, a, &ro, line.buf, &sb);
			} else {
				if (sb.len && sb.buf[sb.len - 1] != '\n')
					gpm_strbuf_putc(&sb, '\n');
				gpm_strbuf_putc(&sb, '\n');
				gpm_strbuf_append(&sb, line.buf, line.len);
			}
			gpm_strbuf_deinit(&line);
		}
		if (shared && !archived)
			report_shared(format == FORMAT_HTML, inc, a, &ro, NULL, &sb);
		if (format == FORMAT_HTML && s + 1 == l.n)
			gpm_report_html_end(&sb);
		gpm_analysis_destroy(a);
		// The input's pages this snapshot read go: one snapshot's at a time stay resident.
		gpm_ingest_loaded_release_pages(&l);
		if ((err = gpm_strbuf_error(&sb)))
			break;
		// Text goes out snapshot by snapshot; the JSON document once it is whole.
		if (json)
			continue;
		if (!gpm_cli_write(sb.buf ? sb.buf : "", sb.len))
			break; // main reports the write error
		gpm_strbuf_reset(&sb);
	}
	if (json && !err) {
		gpm_json_array_end(&j);
		gpm_json_object_end(&j);
		if (!(err = gpm_strbuf_error(&sb)))
			gpm_cli_write(sb.buf ? sb.buf : "", sb.len);
	}
	// Snapshots not reached (an error, a failed write): their early analyses.
	for (size_t i = 0; i < early.n; i++)
		gpm_analysis_destroy(early.v[i]);
	free(early.v);
	gpm_strbuf_deinit(&sb);
	gpm_strbuf_deinit(&report);
	gpm_ingest_loaded_deinit(&l);
	gpm_heap_destroy(heap);
	gpm_store_close(st);
	if (err)
		return gpm_cli_fail(err);
	return partial ? GPM_EXIT_PARTIAL : GPM_EXIT_OK;
}
