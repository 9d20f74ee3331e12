/*
 * Fuzz harness for the goroutine-dump text reader: parse (with log unwrapping), print
 * every snapshot in the runtime format, group it, and detect the input kind.
 */
#include <stdint.h>
#include <stdlib.h>

#include "base/strbuf.h"
#include "dump/dump.h"
#include "model/group.h"
#include "model/traceback.h"

static struct gpm_error *each(struct gpm_incident *inc, void *arg)
{
	(void)arg;
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	struct gpm_traceback_options o = {.preamble = true, .sections = true, .safe = true};
	gpm_traceback_incident(&sb, inc, &o);
	gpm_strbuf_deinit(&sb);
	struct gpm_grouping g;
	for (int level = GPM_GROUP_EXACT; level <= GPM_GROUP_NO_LINES; level++) {
		if (!gpm_group_goroutines(inc, (enum gpm_group_level)level, &g))
			gpm_grouping_deinit(&g);
	}
	gpm_incident_destroy(inc);
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gpm_input_detect(data, size);
	struct gpm_dump_options o = {.max_goroutines = 100000, .max_frames = 10000};
	gpm_error_destroy(gpm_dump_parse((const char *)data, size, "fuzz", &o, each, NULL));
	return 0;
}
