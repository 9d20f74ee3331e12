/*
 * Fuzz harness for the goroutine-dump text reader: parse (with log unwrapping), print
 * every snapshot in the runtime format, group it, and detect the input kind. Each input is
 * parsed twice, with argument texts copied and read in place (borrow_text): the printed
 * text and the groups must be the same both ways.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "dump/dump.h"
#include "model/group.h"
#include "model/traceback.h"

static struct gpm_error *each(struct gpm_incident *inc, void *arg)
{
	struct gpm_strbuf *out = arg;
	struct gpm_traceback_options o = {.preamble = true, .sections = true, .safe = true};
	gpm_traceback_incident(out, inc, &o);
	struct gpm_grouping g;
	for (int level = GPM_GROUP_EXACT; level <= GPM_GROUP_NO_LINES; level++) {
		if (!gpm_group_goroutines(inc, (enum gpm_group_level)level, &g)) {
			gpm_strbuf_printf(out, "groups %zu\n", g.ngroups);
			gpm_grouping_deinit(&g);
		}
	}
	gpm_incident_destroy(inc);
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gpm_input_detect(data, size);
	struct gpm_strbuf copied = GPM_STRBUF_INIT, borrowed = GPM_STRBUF_INIT;
	struct gpm_dump_options o = {.max_goroutines = 100000, .max_frames = 10000};
	gpm_error_destroy(gpm_dump_parse((const char *)data, size, "fuzz", &o, each, &copied));
	o.borrow_text = true;
	gpm_error_destroy(gpm_dump_parse((const char *)data, size, "fuzz", &o, each, &borrowed));
	if (!copied.oom && !borrowed.oom &&
	    (copied.len != borrowed.len ||
	     (copied.len && memcmp(copied.buf, borrowed.buf, copied.len) != 0)))
		__builtin_trap(); // the two ways disagree
	gpm_strbuf_deinit(&copied);
	gpm_strbuf_deinit(&borrowed);
	return 0;
}
