/* A dumped Go process: core + executable + memory + Go image. See process.h. */
#include "process/process.h"

#include <stdlib.h>
#include <string.h>

#include "core/exe_locate.h"

struct gpm_error *gpm_process_from_core_keep(struct gpm_core *core,
                                             const struct gpm_process_options *o,
                                             struct gpm_process **out, struct gpm_core **left)
{
	struct gpm_process *p = calloc(1, sizeof(*p));
	if (!p) {
		gpm_core_destroy(core);
		return &gpm_error_nomem;
	}
	p->core = core;
	if (o && o->debug_root && !(p->debug_root = strdup(o->debug_root))) {
		gpm_process_destroy(p);
		return &gpm_error_nomem;
	}
	struct gpm_exe_locate_options lo = {0};
	if (o)
		lo = (struct gpm_exe_locate_options){.exe_path = o->exe_path,
		                                     .force = o->force,
		                                     .search_path = o->search_path,
		                                     .debug_root = o->debug_root,
		                                     .debuginfod = o->debuginfod,
		                                     .debuginfod_timeout = o->debuginfod_timeout,
		                                     .index_path = o->exe_index,
		                                     .forced = &p->exe_forced};
	struct gpm_error *err = gpm_core_locate_exe(core, &lo, &p->exe, &p->bias, &p->exe_why);
	// Whatever is wrong with the executable (absent, unreadable, not ELF, not Go) is one
	// kind of failure for the caller: the core cannot be read without the right program.
	if (err && err->code != GPM_ERR_NOMEM)
		err->code = GPM_ERR_MISMATCH;
	if (!err)
		err = gpm_memory_create(core, p->exe, p->bias, &p->mem);
	if (!err) {
		err = gpm_goimage_open(p->exe, p->mem, p->bias, &p->img);
		if (err && err->code == GPM_ERR_UNSUPPORTED)
			err->code = GPM_ERR_MISMATCH;
	}
	if (err) {
		if (left && err->code == GPM_ERR_MISMATCH) {
			*left = p->core;
			p->core = NULL;
		}
		gpm_process_destroy(p);
		return err;
	}
	*out = p;
	return NULL;
}

struct gpm_error *gpm_process_from_core(struct gpm_core *core, const struct gpm_process_options *o,
                                        struct gpm_process **out)
{
	return gpm_process_from_core_keep(core, o, out, NULL);
}

struct gpm_error *gpm_process_open(const char *core_path, const struct gpm_process_options *o,
                                   struct gpm_process **out)
{
	struct gpm_core *core;
	struct gpm_error *err = gpm_core_open(core_path, &core);
	if (err)
		return err;
	return gpm_process_from_core(core, o, out);
}

void gpm_process_destroy(struct gpm_process *p)
{
	if (!p)
		return;
	gpm_goimage_destroy(p->img);
	gpm_memory_destroy(p->mem);
	gpm_exe_destroy(p->exe);
	gpm_core_destroy(p->core);
	free(p->exe_why);
	free(p->debug_root);
	free(p);
}
