/*
 * The archive side of the pipeline: opening the archive, and one analysed snapshot turned
 * into the rows src/store/ writes (findings with their evidence as JSON, the report text,
 * a core's heap size). Also what decides that a loaded snapshot is worth storing, and the
 * build facts a dump gets from the executable the user named.
 */
#include "ingest/ingest.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/report_doc.h"
#include "base/json.h"
#include "base/strbuf.h"
#include "elf/exe.h"
#include "ingest/hash_cache.h"
#include "goroutines/goroutines.h"
#include "gort/image.h"
#include "heap/heap.h"
#include "store/heap.h"

struct gpm_error *gpm_ingest_store_open(const char *db, bool readonly, struct gpm_store **out)
{
	char *path = NULL;
	struct gpm_error *err = NULL;
	if (!db && (err = gpm_store_default_path(!readonly, &path)))
		return err;
	struct gpm_store_options o = {.readonly = readonly};
	err = gpm_store_open(db ? db : path, &o, out);
	free(path);
	return err;
}

// Text that merely quotes "panic:" or "SIGQUIT: quit" (a README, a Go source file) parses
// as a dump of nothing.
const char *gpm_ingest_not_an_incident(const struct gpm_incident *inc)
{
	switch (inc->kind) {
	case GPM_INPUT_CORE:
	case GPM_INPUT_HEAPDUMP:
	case GPM_INPUT_PPROF1:
	case GPM_INPUT_PPROF2:
		return NULL;
	case GPM_INPUT_DUMP:
	case GPM_INPUT_UNKNOWN:
	default:
		break;
	}
	// What is left of a dump whose log record was cut (a panic line, a header cut inside
	// it) is an incident: the record held a dump, unlike prose that quotes a panic line.
	if (inc->dump_cut && (inc->crash.kind != GPM_FATAL_NONE || inc->crash.panics.len))
		return NULL;
	// A goroutine header quoted in prose has no frame under it.
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		uint32_t n = 0;
		gpm_goroutine_frames(inc, &inc->goroutines.v[i], &n);
		if (n)
			return NULL;
	}
	return "no goroutine dump, core or profile";
}

static bool artifact_cached(const char *path, const struct gpm_ingest_hash_key *key,
                            struct gpm_store_artifact *art)
{
	char hex[GPM_SHA256_HEX_SIZE];
	if (!gpm_ingest_hash_cache_get(key, hex))
		return false;
	memset(art, 0, sizeof(*art));
	memcpy(art->sha256, hex, sizeof(hex));
	art->path = path;
	art->size = key->size;
	art->mtime = key->mtime_ns / 1000000000;
	return true;
}

bool gpm_ingest_artifact_cached(const char *path, struct gpm_store_artifact *art)
{
	struct gpm_ingest_hash_key key;
	gpm_ingest_hash_key(path, &key);
	return artifact_cached(path, &key, art);
}

struct gpm_error *gpm_ingest_artifact_from_file(const char *path, struct gpm_store_artifact *art)
{
	struct gpm_ingest_hash_key key;
	gpm_ingest_hash_key(path, &key);
	if (artifact_cached(path, &key, art))
		return NULL;
	struct gpm_error *err = gpm_store_artifact_from_file(path, art);
	if (!err)
		gpm_ingest_hash_cache_put(path, &key, art->sha256);
	return err;
}

bool gpm_ingest_hash_while_loading(const char *path)
{
	struct stat st;
	return !gpm_ingest_is_stdin(path) && stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	       st.st_size >= GPM_INGEST_HASH_CACHE_MIN_SIZE;
}

struct gpm_error *gpm_ingest_store_heap_types(struct gpm_store *st, int64_t id,
                                              const struct gpm_heap *h)
{
	// The types the heap records, and what it leaves untyped as one row.
	struct gpm_store_heap_type *t = calloc(h->ntypes + 1, sizeof(*t));
	if (!t)
		return &gpm_error_nomem;
	bool retained = h->ret.done && h->ret.dominators;
	for (size_t i = 0; i < h->ntypes; i++)
		t[i] = (struct gpm_store_heap_type){h->types[i].name, h->types[i].count,
		                                    h->types[i].bytes, retained,
		                                    h->types[i].retained_bytes};
	// Types found along pointers are in the types' counts too.
	t[h->ntypes] = (struct gpm_store_heap_type){
	    "(untyped)", h->objects - h->typed_objects - h->inferred_objects,
	    h->bytes - h->typed_bytes - h->inferred_bytes, false, 0};
	struct gpm_error *err =
	    gpm_store_heap_summary(st, id, h->bytes, h->objects, h->spans_inuse, t, h->ntypes + 1);
	free(t);
	if (err || !h->ret.npaths)
		return err;
	// Why the top types are alive, as gopm heap prints it (calloc: empty buffers): gopm
	// tui shows the selected type's path.
	struct gpm_store_heap_path *p = calloc(h->ret.npaths, sizeof(*p));
	struct gpm_strbuf *hops = calloc(h->ret.npaths, sizeof(*hops));
	if (!p || !hops) {
		free(p);
		free(hops);
		return &gpm_error_nomem;
	}
	for (size_t i = 0; i < h->ret.npaths && !err; i++) {
		const struct gpm_heap_path *pa = &h->ret.paths[i];
		gpm_heap_format_path(pa, "", &hops[i]);
		err = gpm_strbuf_error(&hops[i]);
		p[i] =
		    (struct gpm_store_heap_path){pa->why, pa->retained, gpm_strbuf_str(&hops[i])};
	}
	if (!err)
		err = gpm_store_heap_paths(st, id, p, h->ret.npaths);
	for (size_t i = 0; i < h->ret.npaths; i++)
		gpm_strbuf_deinit(&hops[i]);
	free(hops);
	free(p);
	return err;
}

/*
 * Analyses one snapshot (unless given) and stores it with its findings and report; `gopm
 * analyze`, `gopm ingest`, `gopm heap --store` and the tui call this. Evidence becomes a JSON
 * object: confidence, next step, goroutine count and ids, and the finding's evidence lines.
 */
struct gpm_error *gpm_ingest_store_incident(struct gpm_store *st, const struct gpm_incident *inc,
                                            const struct gpm_analysis *given,
                                            const struct gpm_store_artifact *art,
                                            const char *report_text, const struct gpm_heap *heap,
                                            int64_t *id)
{
	// An input stored by an older gopm is known by a SHA-256 identity only: computed when
	// the archive holds an artifact of that kind and this size (standard input cannot be
	// read again: it is stored anew).
	struct gpm_store_artifact with_old = *art;
	struct gpm_error *err = NULL;
	if (!gpm_store_artifact_has_old(art) && art->path && !gpm_ingest_is_stdin(art->path) &&
	    (err = gpm_store_artifact_old(st, art->path, &with_old)))
		return err;
	art = &with_old;
	struct gpm_analysis *owned = NULL;
	const struct gpm_analysis *a = given;
	err = a ? NULL : gpm_analysis_run(inc, NULL, &owned);
	if (!a)
		a = owned;
	if (err) {
		// Store the facts and goroutines even when the rules fail.
		gpm_error_destroy(err);
		err = gpm_store_ingest(st, inc, art, NULL, id);
		if (!err && heap && !gpm_store_ingest_existed(st))
			err = gpm_ingest_store_heap_types(st, *id, heap);
		return err;
	}
	size_t n = a->findings.len;
	struct gpm_store_finding *fs = calloc(n + 1, sizeof(*fs));
	struct gpm_strbuf *ev = calloc(n + 1, sizeof(*ev));
	struct gpm_strbuf text = GPM_STRBUF_INIT;
	struct gpm_report_doc doc = {0};
	if (!fs || !ev) {
		err = &gpm_error_nomem;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const struct gpm_finding *f = &a->findings.v[i];
		struct gpm_json j;
		gpm_json_init(&j, &ev[i], false);
		gpm_json_object_begin(&j);
		gpm_json_kv_string(&j, "confidence", gpm_confidence_name(f->confidence));
		if (f->next)
			gpm_json_kv_string(&j, "next", f->next);
		gpm_json_kv_uint(&j, "count", f->count);
		if (f->instances > 1)
			gpm_json_kv_uint(&j, "instances", f->instances);
		if (f->address)
			gpm_json_kv_hex(&j, "address", f->address);
		if (f->print)
			gpm_json_kv_string(&j, "print", f->print);
		if (f->group >= 0)
			gpm_json_kv_int(&j, "group", f->group);
		gpm_json_key(&j, "goroutines");
		gpm_json_array_begin(&j);
		for (size_t g = 0; g < f->goroutines.len; g++)
			gpm_json_uint(&j, f->goroutines.v[g]);
		gpm_json_array_end(&j);
		gpm_json_key(&j, "evidence");
		gpm_json_array_begin(&j);
		for (size_t e = 0; e < f->evidence.len; e++) {
			gpm_json_array_begin(&j);
			gpm_json_string(&j, f->evidence.v[e].key ? f->evidence.v[e].key : "");
			gpm_json_string(&j, f->evidence.v[e].value ? f->evidence.v[e].value : "");
			gpm_json_array_end(&j);
		}
		gpm_json_array_end(&j);
		gpm_json_object_end(&j);
		if ((err = gpm_strbuf_error(&ev[i])))
			goto out;
		fs[i] = (struct gpm_store_finding){f->rule, gpm_severity_name(f->severity),
		                                   f->title, f->explanation, ev[i].buf};
	}
	// The report as data goes with it, for show --format: GPM_REPORT_KEPT_GROUPS groups (show
	// --groups N cuts it again); the report's text with the default cuts, width 100.
	struct gpm_report_options ro = {.width = 100, .max_groups = GPM_REPORT_KEPT_GROUPS};
	if ((err = gpm_report_doc_build(&doc, inc, a, &ro)))
		goto out;
	if (!report_text) {
		struct gpm_report_options cut = {.width = 100};
		size_t kept = gpm_report_doc_cut(&doc, cut.max_groups);
		gpm_report_doc_text(&doc, &cut, &text);
		doc.groups.len = kept;
		if ((err = gpm_strbuf_error(&text)))
			goto out;
		report_text = gpm_strbuf_str(&text);
	}
	struct gpm_store_report rep = {fs, n, report_text, &doc};
	err = gpm_store_ingest(st, inc, art, &rep, id);
	// A core's heap goes with it, so incidents of one service can be compared: its types
	// and paths when the heap walked is given (the tui's heap view, gopm diff), else its
	// size. An incident stored before keeps its heap rows.
	if (!err && heap && !gpm_store_ingest_existed(st))
		err = gpm_ingest_store_heap_types(st, *id, heap);
	else if (!err && inc->heap_known && !gpm_store_ingest_existed(st))
		err =
		    gpm_store_heap_summary(st, *id, inc->heap_bytes, inc->heap_objects, 0, NULL, 0);
out:
	for (size_t i = 0; ev && i < n; i++)
		gpm_strbuf_deinit(&ev[i]);
	free(ev);
	free(fs);
	gpm_strbuf_deinit(&text);
	gpm_report_doc_deinit(&doc);
	gpm_analysis_destroy(owned);
	return err;
}

/*
 * A goroutine dump's text names no executable or build: when the user named the
 * executable (--exe FILE), its facts (Go version, module, build id, vcs.revision and
 * vcs.time) go with every snapshot the file held. A directory given with --exe is a
 * search path for cores only.
 */
struct gpm_error *gpm_ingest_dump_exe_facts(struct gpm_ingest_loaded *l,
                                            const struct gpm_ingest_options *o)
{
	const char *path = o ? o->exe_path : NULL;
	struct stat sb;
	bool any = false;
	for (size_t i = 0; i < l->n; i++)
		any |= l->snapshots[i]->kind != GPM_INPUT_CORE;
	if (!any || !path || stat(path, &sb) < 0 || !S_ISREG(sb.st_mode))
		return NULL;
	struct gpm_exe *exe;
	struct gpm_error *err = gpm_exe_open(path, &exe);
	if (err)
		return err;
	struct gpm_goimage *img = NULL;
	err = gpm_goimage_open(exe, NULL, 0, &img);
	if (!err)
		for (size_t i = 0; i < l->n; i++)
			if (l->snapshots[i]->kind != GPM_INPUT_CORE)
				gpm_incident_set_exe_facts(l->snapshots[i], exe, img);
	gpm_goimage_destroy(img);
	gpm_exe_destroy(exe);
	return err;
}
