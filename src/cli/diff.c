/*
 * gopm diff A B [C ...] [--json] [--groups N] [--retained] [--db PATH] [--exe EXE] [--force]
 * gopm diff --cluster N [--since T] [--db PATH] [--json]
 *
 * What grew between snapshots of one service, oldest first: goroutine groups new, gone,
 * grown and shrunk, heap types (or a profile's allocation sites) by bytes and objects (and the
 * bytes they retain, with what holds the heap, when retention was worked out), and findings
 * new and gone; with three or more snapshots, growth at every step is stated as
 * evidence of a leak. An operand is a file (a core, a goroutine dump or profile, a heap
 * dump, a pprof heap profile) or an archive incident: "#12", or "12" when no file of that
 * name exists. The engine is src/analysis/diff.c; doc/diff.md describes the matching.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "analysis/diff.h"
#include "base/source.h"
#include "cli/archive.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "ingest/ingest.h"
#include "elf/exe.h"
#include "gort/image.h"
#include "heap/heap.h"
#include "heap/heapdump.h"
#include "heap/pprof.h"
#include "store/store.h"

struct operand {
	const char *arg;
	const struct gpm_ingest_options *load; /* how a file is loaded (--exe etc.) */
	char label[64];
	struct gpm_ingest_loaded loaded;
	bool has_loaded;
	struct gpm_ingest_stored stored; /* an archive incident */
	bool has_stored;
	struct gpm_analysis *analysis;
	struct gpm_heap *heap; /* a core's */
	struct gpm_heapdump *heapdump;
	struct gpm_pprof *profile;
	struct gpm_diff_heap_row *rows;
	size_t nrows;
	bool has_heap;
	bool has_retained; /* rows' retained and the retainers are known */
	struct gpm_diff_retainer retainers[GPM_INGEST_RETAINERS];
	size_t nretainers;
	const char *unit;
	char (*names)[48]; /* row names made here (object sizes) */
};

enum { OPT_JSON = 1, OPT_GROUPS, OPT_RETAINED, OPT_DB, OPT_CLUSTER, OPT_SINCE };

static const struct gpm_option options[] = {
    {"json", 0, NULL, "the comparison as one JSON document", OPT_JSON, NULL},
    {"groups", 0, "N", "changed groups and heap rows shown (default 20)", OPT_GROUPS, NULL},
    {"retained", 0, NULL,
     "cores: work the heap's retention out, so the bytes each type retains and what holds\n"
     "the heap are compared too (done anyway for a core that ran out of memory)",
     OPT_RETAINED, NULL},
    {"db", 0, "PATH", "the archive that incident ids are read from", OPT_DB, "file"},
    {"cluster", 0, "N", "the incidents of archive cluster N, oldest first (the newest 64)",
     OPT_CLUSTER, NULL},
    {"since", 0, "T", "with --cluster: only incidents since T (7d, 12h, 2026-01-31)", OPT_SINCE,
     NULL},
    {NULL, 0, NULL, NULL, 0, NULL},
};

const struct gpm_command_spec gpm_spec_diff = {
    .name = "diff",
    .operands = "A B [C...]",
    .about = "What grew between snapshots of one service, oldest first: goroutine groups\n"
             "(new, gone, grown, shrunk; count and share), heap types by bytes and objects,\n"
             "findings new and gone. With three or more snapshots, a group or type that grew\n"
             "at every step is named as evidence of a leak.\n\n"
             "A snapshot is a file - a core, a goroutine dump or profile, a heap dump, a pprof\n"
             "heap profile - or an archive incident: #12, or 12 when no such file exists.\n"
             "One snapshot may be standard input ('-'): a goroutine dump or a core.\n"
             "With --cluster N, the snapshots are the cluster's incidents.",
    .options = options,
    .core = true,
    .operand_complete = "file",
};

/* "#12" or "12": an incident id in *id. */
static bool incident_id(const char *s, int64_t *id)
{
	if (*s == '#')
		s++;
	if (!*s || strlen(s) > 18)
		return false;
	for (const char *p = s; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	*id = strtoll(s, NULL, 10);
	return *id > 0;
}

static void warn(const char *what, const char *text)
{
	char *m = gpm_safe_strndup(text, strlen(text));
	fprintf(stderr, "gopm: warning: %s%s\n", what, m ? m : "?");
	free(m);
}

/* A heap input is read here; anything else stops at its first bytes (GPM_ERR_STOP) and
 * goes to gpm_ingest_load. */
static struct gpm_error *heap_head(const uint8_t *p, size_t n, const char *name, void *arg)
{
	if (gpm_heapdump_detect(p, n) || gpm_pprof_detect(p, n))
		return NULL;
	*(bool *)arg = true;
	return gpm_error_create(GPM_ERR_STOP, "%s: not a heap input", name);
}

static struct gpm_error *rows_alloc(struct operand *o, size_t n)
{
	o->rows = calloc(n ? n : 1, sizeof(*o->rows));
	return o->rows ? NULL : &gpm_error_nomem;
}

static struct gpm_error *heap_rows_core(struct operand *o)
{
	const struct gpm_heap *h = o->heap;
	struct gpm_error *err = rows_alloc(o, h->ntypes + 1);
	if (err)
		return err;
	// Retained bytes as gopm heap --store and analyze store them (gpm_ingest_store_heap_types).
	o->has_retained = h->ret.done && h->ret.dominators;
	for (size_t i = 0; i < h->ntypes; i++)
		o->rows[o->nrows++] = (struct gpm_diff_heap_row){
		    h->types[i].name, h->types[i].count, h->types[i].bytes,
		    o->has_retained ? h->types[i].retained_bytes : 0};
	// What the heap records no type for is one row, as the archive stores it.
	uint64_t obj = h->objects - h->typed_objects - h->inferred_objects;
	uint64_t bytes = h->bytes - h->typed_bytes - h->inferred_bytes;
	if (obj <= h->objects && bytes <= h->bytes)
		o->rows[o->nrows++] = (struct gpm_diff_heap_row){"(untyped)", obj, bytes, 0};
	o->has_heap = true;
	o->unit = "type";
	return NULL;
}

static struct gpm_error *load_heapdump(struct operand *o, struct gpm_source *src)
{
	struct gpm_exe *exe = NULL;
	struct gpm_goimage *img = NULL;
	struct gpm_error *err = NULL;
	if (o->load->exe_path && !(err = gpm_exe_open(o->load->exe_path, &exe)))
		err = gpm_goimage_open(exe, NULL, 0, &img);
	if (!err)
		err = gpm_heapdump_parse(src->data, src->size, img, &o->heapdump);
	gpm_goimage_destroy(img);
	gpm_exe_destroy(exe);
	if (err)
		return err;
	const struct gpm_heapdump *d = o->heapdump;
	for (size_t i = 0; i < d->nwarnings; i++)
		warn(o->label, d->warnings[i]);
	// Types when the executable named them, else objects by size.
	if (d->notypes) {
		if ((err = rows_alloc(o, d->notypes)))
			return err;
		for (size_t i = 0; i < d->notypes; i++)
			o->rows[o->nrows++] = (struct gpm_diff_heap_row){
			    d->otypes[i].name, d->otypes[i].count, d->otypes[i].bytes, 0};
		o->unit = "type";
	} else {
		if ((err = rows_alloc(o, d->nsizes)))
			return err;
		if (!(o->names = calloc(d->nsizes ? d->nsizes : 1, sizeof(*o->names))))
			return &gpm_error_nomem;
		for (size_t i = 0; i < d->nsizes; i++) {
			snprintf(o->names[i], sizeof(o->names[i]), "objects of %llu B",
			         (unsigned long long)d->sizes[i].size);
			o->rows[o->nrows++] =
			    (struct gpm_diff_heap_row){o->names[i], d->sizes[i].count,
			                               d->sizes[i].size * d->sizes[i].count, 0};
		}
		o->unit = "object size";
	}
	o->has_heap = true;
	return NULL;
}

static struct gpm_error *load_profile(struct operand *o, struct gpm_source *src)
{
	struct gpm_error *err = gpm_pprof_parse(src->data, src->size, &o->profile);
	if (err)
		return err;
	const struct gpm_pprof *p = o->profile;
	if ((err = rows_alloc(o, p->nsites)))
		return err;
	if (!(o->names = calloc(p->nsites ? p->nsites : 1, sizeof(*o->names))))
		return &gpm_error_nomem;
	// Sites are named "func (file:line)"; the name array holds short ones, longer ones
	// are cut (and may then merge, which only sums them).
	for (size_t i = 0; i < p->nsites; i++) {
		const struct gpm_pprof_site *s = &p->sites[i];
		const char *file = s->file ? strrchr(s->file, '/') : NULL;
		file = file ? file + 1 : s->file;
		snprintf(o->names[i], sizeof(o->names[i]), "%s (%s:%lld)", s->func ? s->func : "?",
		         file ? file : "?", (long long)s->line);
		o->rows[o->nrows++] = (struct gpm_diff_heap_row){
		    o->names[i], (uint64_t)s->inuse_objects, (uint64_t)s->inuse_bytes, 0};
	}
	o->has_heap = true;
	o->unit = "allocation site";
	return NULL;
}

/* A loaded core's retainers: the heap holders its incident names (gpm_ingest_heap_holders). */
static void core_retainers(struct operand *o, const struct gpm_incident *inc)
{
	for (unsigned i = 0;
	     o->has_retained && i < inc->nheap_holders && o->nretainers < GPM_INGEST_RETAINERS; i++)
		o->retainers[o->nretainers++] = (struct gpm_diff_retainer){
		    inc->heap_holders[i].what, inc->heap_holders[i].objects,
		    inc->heap_holders[i].bytes};
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s && s[1] ? s + 1 : path;
}

static struct gpm_error *load_operand(struct operand *o, const char *db, struct gpm_store **st,
                                      bool *partial)
{
	struct stat sb;
	int64_t id;
	if (stat(o->arg, &sb) < 0 && errno == ENOENT && incident_id(o->arg, &id)) {
		struct gpm_error *err = *st ? NULL : gpm_ingest_store_open(db, true, st);
		if (err)
			return err;
		o->has_stored = true;
		return gpm_ingest_stored_load(*st, id, &o->stored);
	}
	snprintf(o->label, sizeof(o->label), "%s", base_name(o->arg));
	// A heap dump or a heap profile is read here; the rest by gpm_ingest_load. Standard
	// input can be read once only: it is taken for a goroutine input (or a core).
	bool goroutine_input = gpm_ingest_is_stdin(o->arg);
	if (goroutine_input)
		snprintf(o->label, sizeof(o->label), "%s", GPM_INGEST_STDIN_NAME);
	struct gpm_source_options so = {.check_head = heap_head, .arg = &goroutine_input};
	struct gpm_source *src = NULL;
	struct gpm_error *err = goroutine_input ? gpm_error_create(GPM_ERR_STOP, "standard input")
	                                        : gpm_ingest_open(o->arg, &so, &src);
	if (err && !goroutine_input)
		return err;
	if (!err) {
		if (gpm_heapdump_detect(src->data, src->size))
			err = load_heapdump(o, src);
		else
			err = load_profile(o, src);
		gpm_source_destroy(src);
		return err;
	}
	gpm_error_destroy(err);
	struct gpm_ingest_options lo = *o->load;
	lo.objects = true;
	lo.keep_heap = &o->heap;
	err = gpm_ingest_load(o->arg, &lo, &o->loaded);
	if (err)
		return err;
	o->has_loaded = true;
	if (o->loaded.n > 1)
		fprintf(stderr, "gopm: %s holds %zu dumps: the last one is compared\n", o->label,
		        o->loaded.n);
	if (o->heap && !(err = heap_rows_core(o)) && o->loaded.n)
		core_retainers(o, o->loaded.snapshots[o->loaded.n - 1]);
	(void)partial;
	return err;
}

static const struct gpm_incident *incident_of(const struct operand *o)
{
	if (o->has_stored)
		return o->stored.inc;
	if (o->has_loaded && o->loaded.n)
		return o->loaded.snapshots[o->loaded.n - 1];
	return NULL;
}

static void operand_deinit(struct operand *o)
{
	gpm_analysis_destroy(o->analysis);
	if (o->has_loaded)
		gpm_ingest_loaded_deinit(&o->loaded);
	if (o->has_stored)
		gpm_ingest_stored_deinit(&o->stored);
	gpm_heap_destroy(o->heap);
	gpm_heapdump_destroy(o->heapdump);
	gpm_pprof_destroy(o->profile);
	free(o->rows);
	free(o->names);
}

/* --cluster N [--since T]: the cluster's incidents, oldest first (the newest
 * GPM_DIFF_MAX_SNAPSHOTS when there are more), as "#ID" operands. */
static int cluster_incidents(const char *db, int64_t cluster, const char *since, char ids[][24],
                             const char **args, size_t *n)
{
	struct gpm_store_filter f = {.cluster = cluster, .limit = GPM_DIFF_MAX_SNAPSHOTS};
	struct gpm_error *err = NULL;
	if (since && (err = gpm_store_parse_time(since, (int64_t)time(NULL), &f.since)))
		return gpm_cli_fail(err);
	struct gpm_store *st;
	if ((err = gpm_ingest_store_open(db, true, &st)))
		return gpm_cli_fail(err);
	struct gpm_store_table t;
	err = gpm_store_incidents(st, &f, &t);
	gpm_store_close(st);
	if (err)
		return gpm_cli_fail(err);
	size_t idc = SIZE_MAX;
	for (size_t c = 0; c < t.ncols; c++)
		if (!strcmp(t.cols[c], "id"))
			idc = c;
	// Newest first in the table: reversed, oldest first.
	*n = 0;
	for (size_t r = t.nrows; idc != SIZE_MAX && r-- > 0 && *n < GPM_DIFF_MAX_SNAPSHOTS;) {
		const char *id = gpm_store_cell(&t, r, idc);
		if (!id)
			continue;
		snprintf(ids[*n], 24, "#%s", id);
		args[*n] = ids[*n];
		(*n)++;
	}
	gpm_store_table_deinit(&t);
	if (*n < 2) {
		fprintf(stderr, "gopm: cluster %lld has %zu incident%s%s: nothing to compare\n",
		        (long long)cluster, *n, *n == 1 ? "" : "s", since ? " in that time" : "");
		return GPM_EXIT_NOTFOUND;
	}
	return GPM_EXIT_OK;
}

int gpm_cmd_diff(int argc, char **argv)
{
	const char *args[GPM_DIFF_MAX_SNAPSHOTS];
	size_t n = 0;
	bool json = false, retained = false;
	const char *db = NULL, *since = NULL;
	int64_t cluster = 0;
	size_t max_groups = 20;
	int status = GPM_EXIT_OK;
	char ids[GPM_DIFF_MAX_SNAPSHOTS][24]; // "#N" of a cluster's incidents
	struct gpm_opts o;
	const char *v;
	int opt;
	gpm_opts_begin(&o, &gpm_spec_diff, argc, argv);
	while ((opt = gpm_opts_next(&o, &v)) > 0) {
		char *end;
		errno = 0;
		switch (opt) {
		case OPT_JSON:
			json = true;
			break;
		case OPT_RETAINED:
			retained = true;
			break;
		case OPT_DB:
			db = v;
			break;
		case OPT_SINCE:
			since = v;
			break;
		case OPT_CLUSTER:
			cluster = strtoll(v, &end, 10);
			if (errno || *end || cluster <= 0)
				return gpm_cli_usage("diff", "--cluster needs a cluster id");
			break;
		case OPT_GROUPS: {
			unsigned long g = strtoul(v, &end, 10);
			if (errno || !g || *end || g > 100000)
				return gpm_cli_usage("diff", "--groups needs a positive number");
			max_groups = g;
			break;
		}
		}
	}
	if (opt < 0)
		return o.status;
	if (gpm_opts_noperands(&o) > GPM_DIFF_MAX_SNAPSHOTS)
		return gpm_cli_usage("diff", "at most %d snapshots", GPM_DIFF_MAX_SNAPSHOTS);
	for (int i = 0; i < gpm_opts_noperands(&o); i++)
		args[n++] = gpm_opts_operands(&o)[i];
	if (since && !cluster)
		return gpm_cli_usage("diff", "--since goes with --cluster");
	if (cluster) {
		if (n)
			return gpm_cli_usage("diff", "--cluster takes no snapshots of its own");
		int st = cluster_incidents(db, cluster, since, ids, args, &n);
		if (st)
			return st;
	}
	if (n < 2)
		return gpm_cli_usage("diff", "two snapshots or more, oldest first (files or "
		                             "archive incidents #N)");
	size_t stdin_uses = 0;
	for (size_t i = 0; i < n; i++)
		stdin_uses += gpm_ingest_is_stdin(args[i]);
	if (stdin_uses > 1)
		return gpm_cli_usage("diff", "standard input ('-') can be one snapshot only");

	struct operand ops[GPM_DIFF_MAX_SNAPSHOTS];
	memset(ops, 0, sizeof(ops));
	struct gpm_diff_input in[GPM_DIFF_MAX_SNAPSHOTS];
	struct gpm_store *st = NULL;
	struct gpm_error *err = NULL;
	bool partial = false;
	struct gpm_analysis_options ao = {.level = GPM_GROUP_NO_ARGS};
	struct gpm_ingest_options lo = o.ingest;
	lo.heap_retention = retained;
	for (size_t i = 0; i < n && !err; i++) {
		ops[i].arg = args[i];
		ops[i].load = &lo;
		if ((err = load_operand(&ops[i], db, &st, &partial)))
			break;
		const struct gpm_incident *inc = incident_of(&ops[i]);
		if (inc) {
			for (size_t w = 0; w < inc->warnings.len; w++) {
				warn("", inc->warnings.v[w].text);
				partial = true;
			}
			// An archive incident's findings are those it was stored with.
			if (!ops[i].has_stored)
				err = gpm_analysis_run(inc, &ao, &ops[i].analysis);
		}
		if (ops[i].has_stored) {
			in[i] = gpm_ingest_stored_input(&ops[i].stored);
			continue;
		}
		in[i] = (struct gpm_diff_input){
		    .label = ops[i].label,
		    .inc = inc,
		    .analysis = ops[i].analysis,
		    .heap = ops[i].rows,
		    .nheap = ops[i].nrows,
		    .has_heap = ops[i].has_heap,
		    .has_retained = ops[i].has_retained,
		    .heap_unit = ops[i].unit,
		    .retainers = ops[i].retainers,
		    .nretainers = ops[i].nretainers,
		};
	}
	gpm_store_close(st);
	struct gpm_diff *d = NULL;
	if (!err)
		err = gpm_diff_run(in, n, &d);
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	if (!err) {
		if (json)
			gpm_diff_format_json(d, &sb);
		else
			gpm_diff_format_text(d, max_groups, &sb);
		err = gpm_strbuf_error(&sb);
	}
	if (!err && !gpm_cli_write(gpm_strbuf_str(&sb), sb.len))
		status = GPM_EXIT_INTERNAL;
	gpm_strbuf_deinit(&sb);
	gpm_diff_destroy(d);
	for (size_t i = 0; i < n; i++)
		operand_deinit(&ops[i]);
	if (err)
		return gpm_cli_fail(err);
	if (status)
		return status;
	return partial ? GPM_EXIT_PARTIAL : GPM_EXIT_OK;
}
