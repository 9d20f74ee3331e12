/* Loading a core into an incident for the commands that print goroutines. */
#include "cli/load.h"

#include <stdlib.h>

#include "goroutines/goroutines.h"
#include "goroutines/process.h"

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
