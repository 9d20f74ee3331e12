/*
 * Loading a core into an incident: its process (the executable found and verified by
 * src/process/process.c with the options built here from the caller's, the environment
 * and the config file), its goroutines and, with objects, what only a core tells and the
 * heap's size and holders.
 */
#include "ingest/ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/source.h"
#include "ingest/hash_cache.h"

#include "goroutines/goroutines.h"
#include "goroutines/corefacts.h"
#include "goroutines/objects.h"
#include "process/process.h"
#include "heap/heap.h"

static const struct gpm_ingest_options no_options;

void gpm_ingest_heap_holders(struct gpm_incident *inc, const struct gpm_heap *h)
{
	const struct gpm_heap_retention *r = &h->ret;
	for (size_t i = 0; i < r->nroots && inc->nheap_holders < 3; i++) {
		const struct gpm_heap_root *x = &r->roots[i];
		if (x->retained_bytes * 100 < h->bytes)
			break;
		char what[600];
		const char *kind = x->kind == GPM_HEAP_ROOT_GLOBAL  ? "(global)"
		                   : x->kind == GPM_HEAP_ROOT_FRAME ? "(stack frame)"
		                                                    : "shared by several roots";
		if (x->holds)
			snprintf(what, sizeof(what), "%s %s (holding %s)", x->name, kind, x->holds);
		else
			snprintf(what, sizeof(what), "%s %s", x->name, kind);
		struct gpm_heap_holder *hd = &inc->heap_holders[inc->nheap_holders];
		hd->what = gpm_incident_str(inc, what, strlen(what));
		hd->bytes = x->retained_bytes;
		hd->objects = x->retained_objects;
		hd->path = NULL;
		// A shared object is explained by the path that ends at it.
		for (size_t k = 0; x->kind == GPM_HEAP_ROOT_OBJECT && k < r->npaths; k++) {
			const struct gpm_heap_path *pa = &r->paths[k];
			if (!pa->nhops || pa->hops[pa->nhops - 1].addr != x->addr)
				continue;
			char buf[1024];
			size_t n = 0;
			for (size_t j = 0; j < pa->nhops && n + 8 < sizeof(buf); j++)
				n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
				                      j ? " -> " : "", pa->hops[j].what);
			if (n >= sizeof(buf))
				n = sizeof(buf) - 1;
			hd->path = gpm_incident_str(inc, buf, n);
			break;
		}
		if (hd->what)
			inc->nheap_holders++;
	}
}

struct gpm_process_options gpm_ingest_process_options(const struct gpm_ingest_options *o)
{
	if (!o)
		o = &no_options;
	// The environment overrides the config file.
	const struct gpm_ingest_config *cfg = o->config ? o->config() : NULL;
	const char *debug_root = getenv("GOPM_DEBUG_ROOT");
	const char *search = getenv("GOPM_EXE_PATH");
	if (!debug_root && cfg)
		debug_root = cfg->debug_root;
	if (!search && cfg)
		search = cfg->exe_path;
	const char *urls = getenv("DEBUGINFOD_URLS");
	const char *timeout = getenv("DEBUGINFOD_TIMEOUT");
	// libdebuginfod's own DEBUGINFOD_TIMEOUT bounds the connection and each wait for
	// bytes; the same number of seconds bounds the whole query here (default 90).
	char *end = NULL;
	unsigned long secs = timeout ? strtoul(timeout, &end, 10) : 0;
	if (!end || *end || secs > 86400)
		secs = 0;
	return (struct gpm_process_options){
	    .exe_path = o->exe_path,
	    .force = o->force,
	    .search_path = search && *search ? search : NULL,
	    .debug_root = debug_root ? (*debug_root ? debug_root : NULL) : "/usr/lib/debug",
	    .debuginfod = urls && *urls,
	    .debuginfod_timeout = (unsigned)secs,
	    .exe_index = gpm_ingest_exe_index_path(),
	};
}

/*
 * An executable of another build, used because of --force, reads the core with the wrong
 * symbols and layouts: whatever follows may be wrong, so that is the first warning, and the
 * ones the reading gave (damaged lists, goroutines not in the core) come after it.
 */
static struct gpm_error *warn_forced(struct gpm_incident *inc)
{
	size_t n = inc->warnings.len;
	struct gpm_error *err = gpm_incident_warn(
	    inc, "the executable is not the build that ran (its build id is not the core's; "
	         "used because of --force): names, frames and findings read with it are likely "
	         "wrong");
	if (err) {
		gpm_incident_destroy(inc);
		return err;
	}
	if (inc->warnings.len == n + 1 && n) {
		struct gpm_warning w = inc->warnings.v[n];
		memmove(inc->warnings.v + 1, inc->warnings.v, n * sizeof(w));
		inc->warnings.v[0] = w;
	}
	return NULL;
}

struct gpm_error *gpm_ingest_load_core(struct gpm_source *src, const struct gpm_ingest_options *o,
                                       struct gpm_incident **out)
{
	if (!o)
		o = &no_options;
	struct gpm_process_options po = gpm_ingest_process_options(o);
	char *path = strdup(src->path);
	if (!path) {
		gpm_source_destroy(src);
		return &gpm_error_nomem;
	}
	struct gpm_core *core;
	struct gpm_process *p;
	struct gpm_error *err = gpm_core_from_source(src, &core);
	if (!err)
		err = gpm_process_from_core(core, &po, &p);
	if (err) {
		free(path);
		return err;
	}
	// With objects, their reads of each stack are done as the goroutines are read.
	struct gpm_objects_scan *scan = NULL;
	if (o->objects && p->img)
		err = gpm_objects_scan_create(p, &scan);
	struct gpm_goroutines_options go = {
	    .system_stacks = o->system_stacks,
	    .all_frames = o->all_frames,
	    .objects = scan,
	};
	if (!err)
		err = gpm_goroutines_read(p, &go, out);
	if (!err && p->exe_forced)
		err = warn_forced(*out);
	if (!err && o->objects) {
		err = gpm_objects_read_scan(p, *out, scan);
		gpm_objects_scan_destroy(scan);
		scan = NULL;
		if (!err)
			err = gpm_corefacts_read(p, *out);
		if (err)
			gpm_incident_destroy(*out);
	}
	gpm_objects_scan_destroy(scan);
	// The heap's size belongs to every analysis (out of memory above all); a heap that
	// cannot be walked is a warning, not a failure.
	struct gpm_heap *h;
	struct gpm_error *herr;
	if (!err && o->objects) {
		// Out of memory: what holds the heap is the question, so its retention is
		// worked out (the goroutines just read are the stack roots).
		const char *fm = (*out)->crash.fatal_message;
		struct gpm_heap_options ho = {.retention = o->heap_retention ||
		                                           (fm && strstr(fm, "out of memory")),
		                              .goroutines = *out};
		if (!(herr = gpm_heap_read(p, &ho, &h))) {
			// What the heap walker could not read is the analysis's loss too (spans
			// outside the core, caps hit): said, not stored as a whole heap silently.
			for (size_t i = 0; i < h->nwarnings; i++)
				gpm_incident_warn(*out, "heap: %s", h->warnings[i]);
			(*out)->heap_known = true;
			(*out)->heap_inuse = h->inuse_bytes;
			(*out)->heap_bytes = h->bytes;
			(*out)->heap_objects = h->objects;
			gpm_ingest_heap_holders(*out, h);
			if (o->keep_heap)
				*o->keep_heap = h;
			else
				gpm_heap_destroy(h);
		} else {
			gpm_incident_warn(*out, "heap not read: %s", herr->message);
			gpm_error_destroy(herr);
		}
	}
	if (!err) {
		(*out)->source_name = gpm_incident_str(*out, path, strlen(path));
		if (!(*out)->source_name) {
			gpm_incident_destroy(*out);
			err = &gpm_error_nomem;
		}
	}
	gpm_process_destroy(p);
	free(path);
	return err;
}
