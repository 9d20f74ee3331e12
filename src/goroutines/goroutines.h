/*
 * Goroutines from a core: finds runtime.allgs (symbol, else a validated scan of the data
 * segments), decodes every g with the layouts the binary itself describes (DWARF or runtime
 * type descriptors, never a per-version table), matches threads to Ms and goroutines, and
 * unwinds each stack with the pclntab (pcsp), expanding inlined calls, crossing signal
 * frames, as runtime/traceback.go does. The result is an incident in the shared model.
 */
#ifndef GPM_GOROUTINES_GOROUTINES_H
#define GPM_GOROUTINES_GOROUTINES_H

#include <stdbool.h>

#include "base/error.h"
#include "process/process.h"
#include "model/incident.h"

struct gpm_objects_scan;

struct gpm_goroutines_options {
	bool system_stacks; /* also each M's g0 and gsignal stacks, as "goroutine 0" entries */
	bool all_frames;    /* do not elide the middle of very deep stacks as the runtime does */
	/* Borrowed, may be NULL: given each goroutine as it is read (gpm_objects_scan_goroutine,
	 * goroutines/objects.h) */
	struct gpm_objects_scan *objects;
};

/* Caps on what a core controls. */
#define GPM_GOROUTINES_MAX        (1u << 24) /* goroutines */
#define GPM_GOROUTINES_MAX_FRAMES (1u << 20) /* physical frames walked per stack */

/*
 * Reads all goroutines of p into a new incident (*out, owned by the caller). Goroutines
 * that cannot be read fully are kept with GPM_GOROUTINE_DAMAGED/TRUNCATED and a problem;
 * warnings go to the incident. Errors only when nothing can be read (no allgs, no layout).
 */
/*
 * The facts an executable gives an incident: Go version, main module, the path of the file
 * read (exe_path), build id, and build info's vcs.revision (+dirty) and vcs.time. img may
 * be NULL (then only the path and build id). Used for cores and for a dump whose
 * executable the user named (gopm ingest --exe).
 */
struct gpm_exe;
struct gpm_goimage;
void gpm_incident_set_exe_facts(struct gpm_incident *inc, const struct gpm_exe *exe,
                                const struct gpm_goimage *img);

struct gpm_error *gpm_goroutines_read(struct gpm_process *p, const struct gpm_goroutines_options *o,
                                      struct gpm_incident **out);

#endif
