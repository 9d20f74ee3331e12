/*
 * Fuzz harness for the pprof heap-profile reader (profile.proto, gzip'd or not, and the
 * ?debug=1 text): detect, parse and format as text and JSON.
 */
#include <stdint.h>
#include <stdlib.h>

#include "base/strbuf.h"
#include "heap/pprof.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)gpm_pprof_detect(data, size);
	struct gpm_pprof *p;
	struct gpm_error *err = gpm_pprof_parse(data, size, &p);
	if (!err) {
		struct gpm_strbuf sb = GPM_STRBUF_INIT;
		gpm_pprof_format_text(p, 20, &sb);
		gpm_pprof_format_json(p, 20, &sb);
		gpm_strbuf_deinit(&sb);
		gpm_pprof_destroy(p);
	}
	gpm_error_destroy(err);
	return 0;
}
