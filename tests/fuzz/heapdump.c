/*
 * Fuzz harness for the runtime/debug.WriteHeapDump reader: parse (the input is prefixed
 * with the dump header when it lacks one, so the fuzzer spends its time on the records)
 * and format the result as text and JSON.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "heap/heapdump.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char hdr[] = "go1.7 heap dump\n";
	uint8_t *buf = NULL;
	const uint8_t *in = data;
	if (!gpm_heapdump_detect(data, size)) {
		buf = malloc(size + 16);
		if (!buf)
			return 0;
		memcpy(buf, hdr, 16);
		if (size)
			memcpy(buf + 16, data, size);
		in = buf;
		size += 16;
	}
	struct gpm_heapdump *d;
	struct gpm_error *err = gpm_heapdump_parse(in, size, NULL, &d);
	if (!err) {
		struct gpm_strbuf sb = GPM_STRBUF_INIT;
		gpm_heapdump_format_text(d, 20, &sb);
		gpm_heapdump_format_json(d, 20, &sb);
		gpm_strbuf_deinit(&sb);
		gpm_heapdump_destroy(d);
	}
	gpm_error_destroy(err);
	free(buf);
	return 0;
}
