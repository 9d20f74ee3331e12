/* See core_patch.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/source.h"
#include "goroutines/goroutines.h"
#include "core_patch.h"

struct range {
	uint64_t off, len; /* in the core file */
};

enum { MAX_PATCHES = 64 };

static uint8_t *image; /* private, writable copy of the core */
static size_t image_size;
static char exe_path[4096];
static struct range *ranges;
static size_t nranges;
static int ready = -1;
static struct {
	uint64_t off, old;
} undo[MAX_PATCHES];
static size_t nundo;

void core_patch_range(const struct gpm_core *core, uint64_t addr, uint64_t len)
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

void core_patch_goroutines(struct gpm_process *p, uint64_t g_bytes)
{
	struct gpm_incident *inc;
	struct gpm_error *err = gpm_goroutines_read(p, NULL, &inc);
	if (err) {
		gpm_error_destroy(err);
		return;
	}
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		uint32_t n;
		gpm_goroutine_frames(inc, g, &n);
		if (g_bytes)
			core_patch_range(p->core, gpm_goroutine_extra(inc, g)->gaddr, g_bytes);
		if (gpm_goroutine_has_regs(inc, g) && n) {
			uint64_t lo = gpm_goroutine_frame_regs(inc, g, 0).sp,
			         hi = gpm_goroutine_frame_regs(inc, g, n - 1).fp;
			core_patch_range(p->core, lo, hi - lo + 8);
		}
	}
	gpm_incident_destroy(inc);
}

static struct gpm_error *open_image(struct gpm_process **p)
{
	struct gpm_source *copy;
	struct gpm_core *core;
	struct gpm_process_options po = {.exe_path = exe_path};
	struct gpm_error *err = gpm_source_from_memory(image, image_size, "fuzz", &copy);
	if (!err)
		err = gpm_core_from_source(copy, &core);
	if (!err)
		err = gpm_process_from_core(core, &po, p);
	return err;
}

/*
 * The executable, decompressed once into an anonymous in-memory file that every run opens
 * by its /proc/self/fd path: opening the committed .zst decompressed megabytes per input,
 * most of a run's time. Nothing is written to disk. False when that cannot be done (the
 * .zst path is used then, slower but the same).
 */
static bool cache_exe(void)
{
	struct gpm_source *src;
	if (gpm_source_open(exe_path, &src))
		return false;
	int fd = memfd_create("gopm-fuzz-exe", MFD_CLOEXEC);
	bool ok = fd >= 0;
	for (size_t off = 0; ok && off < src->size;) {
		ssize_t w = write(fd, src->data + off, src->size - off);
		ok = w > 0;
		off += ok ? (size_t)w : 0;
	}
	gpm_source_destroy(src);
	if (!ok) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	// The descriptor stays open for the process's life: it is the cache.
	snprintf(exe_path, sizeof(exe_path), "/proc/self/fd/%d", fd);
	return true;
}

static int setup(const char *default_core, void (*choose)(struct gpm_process *p))
{
	const char *top = getenv("top_srcdir");
	const char *name = getenv("GPM_FUZZ_CORE");
	char dir[2048], path[4096], meta[4096];
	snprintf(dir, sizeof(dir), "%s/testdata/cores/%s", top ? top : ".",
	         name ? name : default_core);
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
	(void)cache_exe();
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
	struct gpm_process *p;
	struct gpm_error *err = open_image(&p);
	if (err) {
		gpm_error_destroy(err);
		return 0;
	}
	choose(p);
	gpm_process_destroy(p);
	return nranges > 0;
}

bool core_patch_setup(const char *default_core, void (*choose)(struct gpm_process *p))
{
	if (ready < 0)
		ready = setup(default_core, choose);
	return ready > 0;
}

void core_patch_apply(const uint8_t *data, size_t size, struct gpm_process **p)
{
	nundo = 0;
	for (size_t i = 0; i + 12 <= size && nundo < MAX_PATCHES; i += 12) {
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
		undo[nundo].off = off;
		memcpy(&undo[nundo].old, image + off, 8);
		memcpy(image + off, &v, 8);
		nundo++;
	}
	struct gpm_error *err = open_image(p);
	if (err) {
		gpm_error_destroy(err);
		*p = NULL;
	}
}

void core_patch_undo(void)
{
	while (nundo--)
		memcpy(image + undo[nundo].off, &undo[nundo].old, 8);
	nundo = 0;
}
