/* Loading a core into an incident for the commands that print goroutines. */
#include "cli/load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/source.h"
#include "cli/cli.h"
#include "cli/config_file.h"
#include "cli/hash_cache.h"
#include "cli/options.h"

#include "goroutines/goroutines.h"
#include "goroutines/objects.h"
#include "goroutines/process.h"
#include "heap/heap.h"

struct gpm_cli_core_options gpm_cli_core_options;

/* The incident's heap holders from h's retention (see gpm_incident.heap_holders). */
static void heap_holders(struct gpm_incident *inc, const struct gpm_heap *h)
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

struct gpm_process_options gpm_cli_process_options(void)
{
	// The environment overrides the config file.
	const struct gpm_cli_config *cfg = gpm_cli_config();
	const char *debug_root = getenv("GOPM_DEBUG_ROOT");
	const char *search = getenv("GOPM_EXE_PATH");
	if (!debug_root)
		debug_root = cfg->debug_root;
	if (!search)
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
	    .exe_path = gpm_cli_core_options.exe_path,
	    .force = gpm_cli_core_options.force,
	    .search_path = search && *search ? search : NULL,
	    .debug_root = debug_root ? (*debug_root ? debug_root : NULL) : "/usr/lib/debug",
	    .debuginfod = urls && *urls,
	    .debuginfod_timeout = (unsigned)secs,
	    .exe_index = gpm_cli_exe_index_path(),
	};
}

struct gpm_error *gpm_cli_load_core(struct gpm_source *src, struct gpm_incident **out)
{
	struct gpm_process_options po = gpm_cli_process_options();
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
	struct gpm_goroutines_options go = {
	    .system_stacks = gpm_cli_core_options.system_stacks,
	    .all_frames = gpm_cli_core_options.all_frames,
	};
	err = gpm_goroutines_read(p, &go, out);
	if (!err && gpm_cli_core_options.objects) {
		err = gpm_objects_read(p, *out);
		if (err)
			gpm_incident_destroy(*out);
	}
	// The heap's size belongs to every analysis (out of memory above all); a heap that
	// cannot be walked is a warning, not a failure.
	struct gpm_heap *h;
	struct gpm_error *herr;
	if (!err && gpm_cli_core_options.objects) {
		// Out of memory: what holds the heap is the question, so its retention is
		// worked out (the goroutines just read are the stack roots).
		const char *fm = (*out)->crash.fatal_message;
		struct gpm_heap_options ho = {.retention = fm && strstr(fm, "out of memory"),
		                              .goroutines = *out};
		if (!(herr = gpm_heap_read(p, &ho, &h))) {
			(*out)->heap_known = true;
			(*out)->heap_inuse = h->inuse_bytes;
			(*out)->heap_bytes = h->bytes;
			(*out)->heap_objects = h->objects;
			heap_holders(*out, h);
			if (gpm_cli_core_options.keep_heap)
				*gpm_cli_core_options.keep_heap = h;
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

enum { CORE_EXE = 1001, CORE_FORCE, CORE_SYSTEM, CORE_ALL_FRAMES };

const struct gpm_option gpm_cli_core_option_table[] = {
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

bool gpm_cli_core_option_apply(int id, const char *value)
{
	switch (id) {
	case CORE_EXE:
		gpm_cli_core_options.exe_path = value;
		return true;
	case CORE_FORCE:
		gpm_cli_core_options.force = true;
		return true;
	case CORE_SYSTEM:
		gpm_cli_core_options.system_stacks = true;
		return true;
	case CORE_ALL_FRAMES:
		gpm_cli_core_options.all_frames = true;
		return true;
	}
	return false;
}
