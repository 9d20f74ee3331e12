/*
 * Fuzz harness for the input layer (src/base/source.c): any bytes opened as an input — each
 * decompressor, an apport crash report's base64 lines of gzip, a stream cut or damaged —
 * with and without the option partial, under a 16 MiB cap. Any input must give an error or
 * a source whose bytes are all readable, never a crash, a leak or an unbounded allocation.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int partial = 0; partial < 2; partial++) {
		struct gpm_source_options o = {
		    .limits = {.max_size = 16 << 20, .max_ratio = 64, .ratio_floor = 1 << 20},
		    .partial = partial};
		struct gpm_source *src;
		struct gpm_error *err = gpm_source_from_memory_opts(data, size, "fuzz", &o, &src);
		if (err) {
			gpm_error_destroy(err);
			continue;
		}
		uint64_t sum = 0; // every byte readable
		for (size_t i = 0; i < src->size; i += 4096)
			sum += src->data[i];
		if (src->size)
			sum += src->data[src->size - 1];
		if (src->cut && !strlen(src->cut))
			abort();
		(void)sum;
		gpm_source_destroy(src);
	}
	return 0;
}
