/*
 * A dumped Go process: a core, its executable, the process memory over both and the Go
 * image. Opening one finds and verifies the executable (or takes the one given), computes
 * the PIE load bias and reads the Go runtime's description of itself; every later reader
 * (goroutines, heap) takes a process.
 */
#ifndef GPM_PROCESS_PROCESS_H
#define GPM_PROCESS_PROCESS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "core/core.h"
#include "core/memory.h"
#include "elf/exe.h"
#include "gort/image.h"

struct gpm_process {
	struct gpm_core *core;   /* owned */
	struct gpm_exe *exe;     /* owned */
	struct gpm_memory *mem;  /* owned */
	struct gpm_goimage *img; /* owned */
	uint64_t bias;           /* PIE load bias */
	char *exe_why;           /* owned: how the executable was found and verified */
	bool exe_forced;         /* the executable is another build, used because of force */
	char *debug_root;        /* owned: the options' debug_root (separate debug files of
	                            native code are looked up under it too); NULL none */
};

struct gpm_process_options {
	const char *exe_path; /* NULL: find it from the core */
	bool force;           /* accept an executable whose build id does not match */
	/* Where else to look (see gpm_exe_locate_options): exe_path may be a directory. */
	const char *search_path;     /* colon-separated directories; NULL none */
	const char *debug_root;      /* holds .build-id/; NULL none */
	bool debuginfod;             /* ask the servers of DEBUGINFOD_URLS last */
	unsigned debuginfod_timeout; /* seconds; 0: 90 */
	const char *exe_index;       /* the build-id index of search directories; NULL none */
};

/*
 * Opens core_path and its executable. Errors: those of gpm_core_open, GPM_ERR_MISMATCH /
 * GPM_ERR_NOT_FOUND for the executable, GPM_ERR_UNSUPPORTED when it is not a Go program.
 */
struct gpm_error *gpm_process_open(const char *core_path, const struct gpm_process_options *o,
                                   struct gpm_process **out);
/* Same over an already opened core (taken over: destroyed on failure too). */
struct gpm_error *gpm_process_from_core(struct gpm_core *core, const struct gpm_process_options *o,
                                        struct gpm_process **out);
/* The same, but when the executable is what failed (GPM_ERR_MISMATCH) the core is handed
 * back in *left (owned by the caller) rather than destroyed: what the core alone says can
 * still be told without opening it again. */
struct gpm_error *gpm_process_from_core_keep(struct gpm_core *core,
                                             const struct gpm_process_options *o,
                                             struct gpm_process **out, struct gpm_core **left);
void gpm_process_destroy(struct gpm_process *p);

#endif
