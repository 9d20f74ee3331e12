/*
 * Fuzz harness for goroutine decoding from a corrupted core (see core_patch.h): patches
 * aimed at what the decoder reads — the g structs and the goroutine stacks — of
 * go1.22-hang-stripped by default. Every goroutine must come out readable or flagged;
 * nothing may crash, hang or leak.
 */
#include <stdint.h>
#include <string.h>

#include "goroutines/goroutines.h"
#include "core_patch.h"

static void choose(struct gpm_process *p)
{
	core_patch_goroutines(p, 512);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!core_patch_setup("go1.22-hang-stripped", choose))
		return 0;
	struct gpm_process *p;
	core_patch_apply(data, size, &p);
	if (p) {
		struct gpm_incident *inc;
		struct gpm_error *err = gpm_goroutines_read(p, NULL, &inc);
		if (!err) {
			for (size_t i = 0; i < inc->goroutines.len; i++) {
				uint32_t nf;
				const struct gpm_frame *f =
				    gpm_goroutine_frames(inc, &inc->goroutines.v[i], &nf);
				for (uint32_t k = 0; k < nf; k++)
					(void)strlen(f[k].func ? f[k].func : "");
			}
			gpm_incident_destroy(inc);
		}
		gpm_error_destroy(err);
		gpm_process_destroy(p);
	}
	core_patch_undo();
	return 0;
}
