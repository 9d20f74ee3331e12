/*
 * Fuzz harness for goroutine decoding from a corrupted core. A real fixture core (and its
 * executable) is loaded once; each input is a list of patches aimed at what the decoder
 * reads — the allgs array, the g structs and the goroutine stacks — which are applied to a
 * private copy of the core, decoded, and undone. Every goroutine must come out readable or
 * flagged; nothing may crash, hang or leak.
 *
 * Input: repeated 12-byte records { u16 range, u16 offset-in-range (scaled), u64 value }.
 * The fixture is testdata/cores/$GPM_FUZZ_CORE (default go1.22-hang-stripped) under
 * $top_srcdir.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/source.h"
#include "goroutines/goroutines.h"
#include "goroutines/process.h"

struct range {
	uint64_t off, len; /* in the core file */
};

static uint8_t *image; /* private, writable copy of the core */
static size_t image_size;
static char exe_path[4096];
static struct range *ranges;
static size_t nranges;
static int ready = -1;

static void add_range(const struct gpm_core *core, uint64_t addr, uint64_t len)
{
	const struct gpm_core_segment *s = gpm_core_segment_for_addr(core, addr);
	if (!s || !s->present || addr - s->vaddr >= s->present || !len)
		return;
	uint64_t off = s->offset + (addr - s->vaddr);
	if (len > s->present - (addr - s->vaddr))
		len = s->present - (addr - s->vaddr);
	struct range *r = realloc(ranges, (nranges + 1) * sizeof(*r));
	if (!r)
		return;
	ranges = r;
	ranges[nranges++] = (struct range){off, len};
}

static int setup(void)
{
	const char *top = getenv("top_srcdir");
	const char *name = getenv("GPM_FUZZ_CORE");
	char dir[2048], path[4096], meta[4096];
	snprintf(dir, sizeof(dir), "%s/testdata/cores/%s", top ? top : ".",
	         name ? name : "go1.22-hang-stripped");
	snprintf(meta, sizeof(meta), "%s/meta", dir);
	FILE *f = fopen(meta, "r");
	if (!f)
		return 0;
	char line[1024];
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "exe=", 4)) {
			line[strcspn(line, "\n")] = 0;
			snprintf(exe_path, sizeof(exe_path), "%s/testdata/%s", top ? top : ".",
			         line + 4);
		}
	fclose(f);
	snprintf(path, sizeof(path), "%s/core.zst", dir);
	struct gpm_source *src;
	if (gpm_source_open(path, &src))
		return 0;
	image = malloc(src->size);
	if (!image) {
		gpm_source_destroy(src);
		return 0;
	}
	memcpy(image, src->data, src->size);
	image_size = src->size;
	gpm_source_destroy(src);

	// Aim at what the decoder reads: every g, its stack, and the pointer array of allgs.
	struct gpm_source *copy;
	struct gpm_core *core;
	struct gpm_process *p;
	struct gpm_incident *inc;
	struct gpm_process_options po = {.exe_path = exe_path};
	if (gpm_source_from_memory(image, image_size, "fuzz", &copy) ||
	    gpm_core_from_source(copy, &core) || gpm_process_from_core(core, &po, &p))
		return 0;
	if (gpm_goroutines_read(p, NULL, &inc)) {
		gpm_process_destroy(p);
		return 0;
	}
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		uint32_t n;
		gpm_goroutine_frames(inc, g, &n);
		add_range(p->core, gpm_goroutine_extra(inc, g)->gaddr, 512);
		const struct gpm_frame_regs *regs = gpm_goroutine_regs(inc, g);
		if (regs && n)
			add_range(p->core, regs[0].sp, regs[n - 1].fp - regs[0].sp + 8);
	}
	gpm_incident_destroy(inc);
	gpm_process_destroy(p);
	return nranges > 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (ready < 0)
		ready = setup();
	if (!ready)
		return 0;
	enum { MAX_PATCHES = 64 };
	struct {
		uint64_t off, old;
	} undo[MAX_PATCHES];
	size_t n = 0;
	for (size_t i = 0; i + 12 <= size && n < MAX_PATCHES; i += 12) {
		uint16_t ri, ro;
		uint64_t v;
		memcpy(&ri, data + i, 2);
		memcpy(&ro, data + i + 2, 2);
		memcpy(&v, data + i + 4, 8);
		const struct range *r = &ranges[ri % nranges];
		uint64_t off = r->off + (r->len > 8 ? (uint64_t)ro * (r->len - 8) / 65535 : 0);
		if (off + 8 > image_size)
			continue;
		off &= ~(uint64_t)7;
		undo[n].off = off;
		memcpy(&undo[n].old, image + off, 8);
		memcpy(image + off, &v, 8);
		n++;
	}
	struct gpm_source *copy;
	struct gpm_core *core;
	struct gpm_process *p;
	struct gpm_process_options po = {.exe_path = exe_path};
	struct gpm_error *err = gpm_source_from_memory(image, image_size, "fuzz", &copy);
	if (!err)
		err = gpm_core_from_source(copy, &core);
	if (!err)
		err = gpm_process_from_core(core, &po, &p);
	if (!err) {
		struct gpm_incident *inc;
		err = gpm_goroutines_read(p, NULL, &inc);
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
		gpm_process_destroy(p);
	}
	gpm_error_destroy(err);
	while (n--)
		memcpy(image + undo[n].off, &undo[n].old, 8);
	return 0;
}
