/*
 * gopm heap INPUT [--exe EXE] [--force] [--json] [--top N] [--store] [--db PATH]
 *               [--no-retention]
 *
 * With --store (cores), the snapshot is stored in the archive as `gopm analyze` stores it,
 * with its heap summary (tables heap_summaries, heap_types).
 *
 * What fills the memory of a Go program. INPUT is a core (the heap walked as the runtime
 * sees it, reconciled with the runtime's own counters), a runtime/debug.WriteHeapDump
 * file, or a pprof heap profile (profile.proto, gzip'd or not, or the ?debug=1 text).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/profile.h"
#include "base/source.h"
#include "base/strbuf.h"
#include "elf/exe.h"
#include "gort/image.h"
#include "cli/archive.h"
#include "cli/cli.h"
#include "ingest/ingest.h"
#include "cli/options.h"
#include "goroutines/goroutines.h"
#include "goroutines/objects.h"
#include "process/process.h"
#include "heap/heap.h"
#include "heap/heapdump.h"
#include "heap/pprof.h"
#include "store/heap.h"

static int emit(struct gpm_strbuf *sb, int status);

/* --format pprof|folded: the heap's types (and what it leaves untyped) as a profile. */
enum export_format { EXPORT_NONE, EXPORT_PPROF, EXPORT_FOLDED };

static int export_rows(const struct gpm_profile_heap_row *rows, size_t n, enum export_format f,
                       int status)
{
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	struct gpm_profile_totals t;
	struct gpm_error *err = f == EXPORT_PPROF ? gpm_profile_heap_pprof(rows, n, 0, &sb, &t)
	                                          : gpm_profile_heap_folded(rows, n, &sb, &t);
	if (err) {
		gpm_strbuf_deinit(&sb);
		return gpm_cli_fail(err);
	}
	fprintf(stderr, "gopm: %s: %llu %s, %llu objects, %llu bytes\n",
	        f == EXPORT_PPROF ? "heap profile" : "folded heap", (unsigned long long)t.samples,
	        f == EXPORT_PPROF ? "samples" : "lines", (unsigned long long)t.objects,
	        (unsigned long long)t.value);
	return emit(&sb, status);
}

/*
 * With retention worked out, the profile's stacks are the reference chains of the
 * dominator tree (root -> the types of the objects that keep it -> its type; heap.h), one
 * sample per chain with the objects it ends at, and what no root reaches (garbage not yet
 * collected, or objects the graph could not take) as one "(unreachable)" sample: the
 * totals stay the heap's.
 */
static int export_core_chains(const struct gpm_heap *h, enum export_format f, int status)
{
	const struct gpm_heap_retention *r = &h->ret;
	struct gpm_profile_heap_row *rows = calloc(r->nchains + 1, sizeof(*rows));
	if (!rows)
		return gpm_cli_fail(&gpm_error_nomem);
	uint64_t objects = 0, bytes = 0;
	for (size_t i = 0; i < r->nchains; i++) {
		const struct gpm_heap_chain *c = &r->chains[i];
		// Node 0 stands for all roots: its children start their stacks.
		rows[i] = (struct gpm_profile_heap_row){c->name, c->objects, c->bytes,
		                                        i && c->parent ? c->parent + 1 : 0};
		objects += c->objects;
		bytes += c->bytes;
	}
	size_t n = r->nchains;
	if (objects <= h->objects && bytes <= h->bytes &&
	    (h->objects > objects || h->bytes > bytes))
		rows[n++] = (struct gpm_profile_heap_row){"(unreachable)", h->objects - objects,
		                                          h->bytes - bytes, 0};
	if (r->chains_capped)
		fprintf(stderr,
		        "gopm: warning: more than %d reference chains: the objects of the "
		        "others count at their parents\n",
		        GPM_HEAP_CHAIN_NODES);
	status = export_rows(rows, n, f, r->chains_capped ? GPM_EXIT_PARTIAL : status);
	free(rows);
	return status;
}

static int export_core_heap(const struct gpm_heap *h, enum export_format f, int status)
{
	if (h->ret.dominators && h->ret.nchains > 1)
		return export_core_chains(h, f, status);
	struct gpm_profile_heap_row *rows = calloc(h->ntypes + 1, sizeof(*rows));
	if (!rows)
		return gpm_cli_fail(&gpm_error_nomem);
	size_t n = 0;
	for (size_t i = 0; i < h->ntypes; i++)
		rows[n++] = (struct gpm_profile_heap_row){h->types[i].name, h->types[i].count,
		                                          h->types[i].bytes, 0};
	// Types found along pointers are in the types' counts too (as gopm heap --store).
	uint64_t obj = h->objects - h->typed_objects - h->inferred_objects;
	uint64_t bytes = h->bytes - h->typed_bytes - h->inferred_bytes;
	if (obj <= h->objects && bytes <= h->bytes && (obj || bytes))
		rows[n++] = (struct gpm_profile_heap_row){"(untyped)", obj, bytes, 0};
	status = export_rows(rows, n, f, status);
	free(rows);
	return status;
}

static int export_heapdump(const struct gpm_heapdump *d, enum export_format f, int status)
{
	size_t n = d->notypes ? d->notypes : d->nsizes;
	struct gpm_profile_heap_row *rows = calloc(n ? n : 1, sizeof(*rows));
	char(*names)[48] = d->notypes ? NULL : calloc(n ? n : 1, sizeof(*names));
	if (!rows || (!d->notypes && !names)) {
		free(rows);
		free(names);
		return gpm_cli_fail(&gpm_error_nomem);
	}
	// Types when the executable named them (--exe), else objects by size.
	for (size_t i = 0; i < n; i++) {
		if (d->notypes) {
			rows[i] = (struct gpm_profile_heap_row){
			    d->otypes[i].name, d->otypes[i].count, d->otypes[i].bytes, 0};
		} else {
			snprintf(names[i], sizeof(names[i]), "objects of %llu B",
			         (unsigned long long)d->sizes[i].size);
			rows[i] = (struct gpm_profile_heap_row){
			    names[i], d->sizes[i].count, d->sizes[i].count * d->sizes[i].size, 0};
		}
	}
	status = export_rows(rows, n, f, status);
	free(rows);
	free(names);
	return status;
}

static int emit(struct gpm_strbuf *sb, int status)
{
	struct gpm_error *err = gpm_strbuf_error(sb);
	if (err)
		status = gpm_cli_fail(err);
	else
		gpm_cli_write(gpm_strbuf_str(sb), sb->len); // a write error is reported by main
	gpm_strbuf_deinit(sb);
	return status;
}

/* Stores the core as an incident (as gopm analyze does) with the heap summary; prints
 * the incident id to stderr. */
static struct gpm_error *store_heap(const char *path, const char *db, struct gpm_process *p,
                                    const struct gpm_heap *h, int64_t *id)
{
	struct gpm_store_artifact art;
	struct gpm_error *err = gpm_ingest_artifact_from_file(path, &art);
	if (err)
		return err;
	struct gpm_incident *inc;
	if ((err = gpm_goroutines_read(p, NULL, &inc)))
		return err;
	inc->source_name = gpm_incident_str(inc, path, strlen(path));
	// The heap's facts and what holds it go with the incident, as analyze's do (gopm diff
	// compares the holders of stored incidents).
	inc->heap_known = true;
	inc->heap_inuse = h->inuse_bytes;
	inc->heap_bytes = h->bytes;
	inc->heap_objects = h->objects;
	gpm_ingest_heap_holders(inc, h);
	struct gpm_store *st;
	if ((err = gpm_ingest_store_open(db, false, &st))) {
		gpm_incident_destroy(inc);
		return err;
	}
	err = gpm_ingest_store_incident(st, inc, NULL, &art, NULL, NULL, id);
	gpm_incident_destroy(inc);
	// Stored again even when the incident was: this heap's retention is worked out.
	if (!err)
		err = gpm_ingest_store_heap_types(st, *id, h);
	gpm_store_close(st);
	return err;
}

static int heap_core(struct gpm_source *src, const struct gpm_ingest_options *lo, bool json,
                     size_t top, bool store, const char *db, bool retention, enum export_format fmt)
{
	char *path = strdup(src->path ? src->path : "");
	if (!path) {
		gpm_source_destroy(src);
		return gpm_cli_fail(&gpm_error_nomem);
	}
	struct gpm_core *core;
	struct gpm_error *err = gpm_core_from_source(src, &core);
	if (err) {
		free(path);
		return gpm_cli_fail(err);
	}
	struct gpm_process_options po = gpm_ingest_process_options(lo);
	struct gpm_process *p;
	if ((err = gpm_process_from_core(core, &po, &p))) {
		free(path);
		return gpm_cli_fail(err);
	}
	// The goroutines' stack frames are roots of the heap.
	struct gpm_incident *gs = NULL;
	struct gpm_heap_options ho = {.retention = retention};
	bool gs_read = false;
	if (retention) {
		// The panic values seed the types too (objects: only out of memory fails).
		if (!(err = gpm_goroutines_read(p, NULL, &gs)) && (err = gpm_objects_read(p, gs))) {
			gpm_incident_destroy(gs);
			gs = NULL;
		}
		if (!err) {
			gs_read = true;
		} else {
			char *m = gpm_safe_strndup(err->message, strlen(err->message));
			fprintf(stderr,
			        "gopm: warning: goroutines not read (their stacks are not "
			        "roots): %s\n",
			        m ? m : "?");
			free(m);
			gpm_error_destroy(err);
			gs = NULL;
		}
		ho.goroutines = gs;
	}
	struct gpm_heap *h;
	err = gpm_heap_read(p, &ho, &h);
	gpm_incident_destroy(gs);
	// The heap's span list not found is a core that cannot say (cut, damaged): exit 4, not
	// 6, which means a goroutine or incident the user asked for does not exist.
	if (err && err->code == GPM_ERR_NOT_FOUND)
		err->code = GPM_ERR_FORMAT;
	if (err) {
		gpm_process_destroy(p);
		free(path);
		return gpm_cli_fail(err);
	}
	// What could not be read is said on stderr in every format (and kept in --json).
	int status = h->nwarnings || h->spans_bad || (retention && !gs_read) ? GPM_EXIT_PARTIAL
	                                                                     : GPM_EXIT_OK;
	for (size_t i = 0; i < h->nwarnings; i++)
		fprintf(stderr, "gopm: warning: %s\n", h->warnings[i]);
	if (fmt != EXPORT_NONE) {
		status = export_core_heap(h, fmt, status);
		free(path);
		gpm_heap_destroy(h);
		gpm_process_destroy(p);
		return status;
	}
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	if (json)
		gpm_heap_format_json(h, top, &sb);
	else
		gpm_heap_format_text(h, top, &sb);
	if (store) {
		int64_t id = 0;
		err = store_heap(path, db, p, h, &id);
		if (err) {
			char *m = gpm_safe_strndup(err->message, strlen(err->message));
			fprintf(stderr, "gopm: warning: not stored in the archive: %s\n",
			        m ? m : "?");
			free(m);
			gpm_error_destroy(err);
			status = GPM_EXIT_PARTIAL;
		} else {
			fprintf(stderr,
			        "gopm: stored as incident %" PRId64 " with its heap summary\n", id);
		}
	}
	free(path);
	gpm_heap_destroy(h);
	gpm_process_destroy(p);
	return emit(&sb, status);
}

static int heap_dump(struct gpm_source *src, const struct gpm_ingest_options *lo, bool json,
                     size_t top, enum export_format fmt)
{
	// With the executable, objects carrying an allocation header (Go 1.22+) get types.
	struct gpm_exe *exe = NULL;
	struct gpm_goimage *img = NULL;
	struct gpm_error *err = NULL;
	if (lo->exe_path && (err = gpm_exe_open(lo->exe_path, &exe)) == NULL)
		err = gpm_goimage_open(exe, NULL, 0, &img);
	if (err) {
		gpm_exe_destroy(exe);
		gpm_source_destroy(src);
		return gpm_cli_fail(err);
	}
	struct gpm_heapdump *d;
	err = gpm_heapdump_parse(src->data, src->size, img, &d);
	gpm_source_destroy(src);
	gpm_goimage_destroy(img);
	gpm_exe_destroy(exe);
	if (err)
		return gpm_cli_fail(err);
	if (fmt != EXPORT_NONE) {
		for (size_t i = 0; i < d->nwarnings; i++)
			fprintf(stderr, "gopm: warning: %s\n", d->warnings[i]);
		int st = export_heapdump(d, fmt, d->nwarnings ? GPM_EXIT_PARTIAL : GPM_EXIT_OK);
		gpm_heapdump_destroy(d);
		return st;
	}
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	if (json)
		gpm_heapdump_format_json(d, top, &sb);
	else
		gpm_heapdump_format_text(d, top, &sb);
	int status = d->nwarnings ? GPM_EXIT_PARTIAL : GPM_EXIT_OK;
	gpm_heapdump_destroy(d);
	return emit(&sb, status);
}

static int heap_profile(struct gpm_source *src, bool json, size_t top)
{
	struct gpm_pprof *prof;
	struct gpm_error *err = gpm_pprof_parse(src->data, src->size, &prof);
	gpm_source_destroy(src);
	if (err)
		return gpm_cli_fail(err);
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	if (json)
		gpm_pprof_format_json(prof, top, &sb);
	else
		gpm_pprof_format_text(prof, top, &sb);
	gpm_pprof_destroy(prof);
	return emit(&sb, GPM_EXIT_OK);
}

enum { OPT_JSON = 1, OPT_TOP, OPT_STORE, OPT_DB, OPT_NO_RETENTION, OPT_FORMAT };

static const struct gpm_option options[] = {
    {"json", 0, NULL, "one JSON document instead of the tables", OPT_JSON, NULL},
    {"top", 0, "N", "rows of the top lists (default 20)", OPT_TOP, NULL},
    {"format", 0, "F",
     "text (default), json, pprof (a gzip'd in-use profile by type:\ninuse_objects, "
     "inuse_space) or folded (type BYTES lines) for a core or\na heap dump",
     OPT_FORMAT, "text json pprof folded"},
    {"no-retention", 0, NULL,
     "cores: skip what keeps the heap alive (reachability from globals and\n"
     "goroutine stacks, reference paths, retained sizes)",
     OPT_NO_RETENTION, NULL},
    {"store", 0, NULL, "cores: store the snapshot in the archive with its heap summary", OPT_STORE,
     NULL},
    {"db", 0, "PATH",
     "the archive for --store (default $XDG_DATA_HOME/gopm/archive.db);\n"
     "implies --store",
     OPT_DB, "file"},
    {NULL, 0, NULL, NULL, 0, NULL},
};

const struct gpm_command_spec gpm_spec_heap = {
    .name = "heap",
    .operands = "[INPUT]",
    .about = "What fills a Go program's memory. INPUT is one of:\n"
             "  a core        the heap walked from the runtime's spans: objects by size\n"
             "                class, types recorded by the heap (Go 1.22+), stacks, and\n"
             "                totals checked against the runtime's own accounting\n"
             "  a heap dump   written by runtime/debug.WriteHeapDump: objects, roots, memstats\n"
             "                (with --exe, objects with allocation headers get their types)\n"
             "  a profile     a pprof heap profile (profile.proto, gzip'd or not, or the\n"
             "                ?debug=1 text): in-use and allocated bytes by allocation site\n"
             "INPUT '-' (or none, from a pipe) is standard input.",
    .options = options,
    .core = true,
    .operand_complete = "file",
};

int gpm_cmd_heap(int argc, char **argv)
{
	const char *input = NULL;
	bool json = false, store = false, retention = true;
	enum export_format fmt = EXPORT_NONE;
	const char *db = NULL;
	size_t top = 20;
	struct gpm_opts o;
	const char *v;
	int opt;
	gpm_opts_begin(&o, &gpm_spec_heap, argc, argv);
	while ((opt = gpm_opts_next(&o, &v)) > 0) {
		switch (opt) {
		case OPT_JSON:
			json = true;
			break;
		case OPT_FORMAT:
			if (!strcmp(v, "json"))
				json = true;
			else if (!strcmp(v, "pprof"))
				fmt = EXPORT_PPROF;
			else if (!strcmp(v, "folded"))
				fmt = EXPORT_FOLDED;
			else if (strcmp(v, "text"))
				return gpm_cli_usage("heap",
				                     "--format is text, json, pprof or folded");
			break;
		case OPT_STORE:
			store = true;
			break;
		case OPT_NO_RETENTION:
			retention = false;
			break;
		case OPT_DB:
			db = v;
			store = true;
			break;
		case OPT_TOP: {
			char *end;
			errno = 0;
			unsigned long long n = strtoull(v, &end, 10);
			if (errno || *end || end == v || n > 1000000)
				return gpm_cli_usage("heap", "bad --top '%s'", v);
			top = (size_t)n;
			break;
		}
		}
	}
	if (opt < 0)
		return o.status;
	if (gpm_opts_noperands(&o) > 1)
		return gpm_cli_usage("heap", "one input only");
	if (gpm_opts_noperands(&o))
		input = gpm_opts_operands(&o)[0];
	if (!input && !(input = gpm_ingest_default_input()))
		return gpm_cli_usage("heap", "missing INPUT (or '-' for standard input)");
	if (store && gpm_ingest_is_stdin(input))
		return gpm_cli_usage("heap", "--store needs a file: save standard input to one "
		                             "first");
	if (fmt != EXPORT_NONE && (json || store))
		return gpm_cli_usage("heap",
		                     "--format pprof or folded goes with no --json or --store");
	if (fmt == EXPORT_PPROF && isatty(STDOUT_FILENO))
		return gpm_cli_usage("heap", "--format pprof writes a binary profile: redirect "
		                             "standard output to a file");
	struct gpm_source *src;
	struct gpm_error *err = gpm_ingest_open(input, NULL, &src);
	if (err)
		return gpm_cli_fail(err);
	if (src->size >= 4 && !memcmp(src->data, "\177ELF", 4))
		return heap_core(src, &o.ingest, json, top, store, db, retention, fmt);
	if (gpm_heapdump_detect(src->data, src->size))
		return heap_dump(src, &o.ingest, json, top, fmt);
	if (gpm_pprof_detect(src->data, src->size)) {
		if (fmt != EXPORT_NONE) {
			gpm_source_destroy(src);
			return gpm_cli_usage("heap",
			                     "the input is already a pprof profile: give it to "
			                     "go tool pprof as it is");
		}
		return heap_profile(src, json, top);
	}
	gpm_source_destroy(src);
	return gpm_cli_fail(gpm_error_create(
	    GPM_ERR_FORMAT, "%s: not a core, a Go heap dump or a pprof heap profile", input));
}
