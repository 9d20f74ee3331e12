/*
 * Fuzz harness for the protobuf goroutine-profile reader (src/dump/profile.c): detect, read,
 * print in the runtime's format and group. Any input must give an error or an incident,
 * never a crash, a leak or an unbounded allocation (goroutines are capped at 100,000).
 */
#include <stdint.h>
#include <stdlib.h>

#include "base/strbuf.h"
#include "dump/dump.h"
#include "model/group.h"
#include "model/traceback.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gpm_goroutine_profile_detect(data, size);
	struct gpm_dump_options o = {.max_goroutines = 100000, .max_frames = 10000};
	struct gpm_incident *inc;
	struct gpm_error *err = gpm_goroutine_profile_parse(data, size, "fuzz", &o, &inc);
	if (err) {
		gpm_error_destroy(err);
		return 0;
	}
	struct gpm_strbuf out = GPM_STRBUF_INIT;
	struct gpm_traceback_options to = {.preamble = true, .sections = true, .safe = true};
	gpm_traceback_incident(&out, inc, &to);
	struct gpm_grouping g;
	if (!gpm_group_goroutines(inc, GPM_GROUP_NO_ARGS, &g))
		gpm_grouping_deinit(&g);
	gpm_strbuf_deinit(&out);
	gpm_incident_destroy(inc);
	return 0;
}
