/*
 * Fuzz harness for the heap of a corrupted core (see core_patch.h): patches aimed at what
 * the heap walk and the object graph read — mheap_.allspans, the mspans, the first page
 * of every in-use span (objects, allocation headers), .data/.bss (global roots) and the
 * goroutine stacks (frame roots) — of go1.27-heapfix-stripped by default (allocation
 * headers, heap bits before green tea's mark bits, swiss maps). The heap is read with
 * retention and type propagation; nothing may crash, hang or leak, and the totals must
 * stay consistent.
 */
#include <stdint.h>
#include <stdlib.h>

#include "core/memory.h"
#include "goroutines/goroutines.h"
#include "gort/image.h"
#include "heap/heap.h"
#include "core_patch.h"

static void choose(struct gpm_process *p)
{
	struct gpm_heap *h;
	const struct gpm_layout *sl;
	struct gpm_error *err = gpm_goimage_layout(p->img, "runtime.mspan", &sl);
	if (err || (err = gpm_heap_read(p, NULL, &h))) {
		gpm_error_destroy(err);
		return;
	}
	uint64_t ptr, o_start = gpm_layout_offset(sl, "startAddr");
	core_patch_range(p->core, h->allspans, 24);
	if (!gpm_memory_word(p->mem, h->allspans, &ptr)) {
		core_patch_range(p->core, ptr, h->nallspans * 8);
		for (uint64_t i = 0; i < h->nallspans && i < 4096; i++) {
			uint64_t s, start;
			if ((err = gpm_memory_word(p->mem, ptr + i * 8, &s)))
				break;
			core_patch_range(p->core, s, sl->size);
			if (o_start != UINT64_MAX && !gpm_memory_word(p->mem, s + o_start, &start))
				core_patch_range(p->core, start, 8192);
		}
		gpm_error_destroy(err);
	}
	if (p->img->has_moduledata) {
		const struct gpm_moduledata *md = &p->img->moduledata;
		core_patch_range(p->core, md->data, md->edata - md->data);
		core_patch_range(p->core, md->bss, md->ebss - md->bss);
	}
	gpm_heap_destroy(h);
	core_patch_goroutines(p, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!core_patch_setup("go1.27-heapfix-stripped", choose))
		return 0;
	struct gpm_process *p;
	core_patch_apply(data, size, &p);
	if (p) {
		struct gpm_incident *inc = NULL;
		struct gpm_error *err = gpm_goroutines_read(p, NULL, &inc);
		gpm_error_destroy(err);
		struct gpm_heap_options o = {.retention = true, .goroutines = inc};
		struct gpm_heap *h;
		if (!(err = gpm_heap_read(p, &o, &h))) {
			// Damaged spans are counted by what they claim (allocCount) but give the
			// graph only the slots their bits show; intact heaps must add up.
			if (h->ret.done && !h->spans_bad && !h->nwarnings && !h->count_mismatch &&
			    h->ret.reachable_objects + h->ret.unreachable_objects +
			            h->ret.outside_objects !=
			        h->objects)
				abort();
			gpm_heap_destroy(h);
		}
		gpm_error_destroy(err);
		gpm_incident_destroy(inc);
		gpm_process_destroy(p);
	}
	core_patch_undo();
	return 0;
}
