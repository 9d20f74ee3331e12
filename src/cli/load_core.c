/* Loading a core into an incident for the commands that print goroutines. */
#include "cli/load.h"

#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

#include "goroutines/goroutines.h"
#include "goroutines/objects.h"
#include "goroutines/process.h"
#include "heap/heap.h"

struct gpm_cli_core_options gpm_cli_core_options;

struct gpm_error *gpm_cli_load_core(const char *path, struct gpm_incident **out)
{
	struct gpm_process_options po = {
	    .exe_path = gpm_cli_core_options.exe_path,
	    .force = gpm_cli_core_options.force,
	};
	struct gpm_process *p;
	struct gpm_error *err = gpm_process_open(path, &po, &p);
	if (err)
		return err;
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
		if (!(herr = gpm_heap_read(p, NULL, &h))) {
			(*out)->heap_known = true;
			(*out)->heap_inuse = h->inuse_bytes;
			(*out)->heap_bytes = h->bytes;
			(*out)->heap_objects = h->objects;
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
	return err;
}

bool gpm_cli_core_option(const char *cmd, int argc, char **argv, int *i, int *status)
{
	const char *a = argv[*i];
	if (!strcmp(a, "--exe")) {
		if (*i + 1 >= argc) {
			*status = gpm_cli_usage(cmd, "--exe needs a value");
			return true;
		}
		gpm_cli_core_options.exe_path = argv[++*i];
	} else if (!strncmp(a, "--exe=", 6)) {
		gpm_cli_core_options.exe_path = a + 6;
	} else if (!strcmp(a, "--force")) {
		gpm_cli_core_options.force = true;
	} else if (!strcmp(a, "--system")) {
		gpm_cli_core_options.system_stacks = true;
	} else if (!strcmp(a, "--all-frames")) {
		gpm_cli_core_options.all_frames = true;
	} else {
		return false;
	}
	return true;
}
