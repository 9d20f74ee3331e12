/*
 * Fuzz harness for the pclntab parser: the input is a pclntab blob mapped at 0x500000 with a
 * text base of 0x401000; the same bytes also serve as the funcdata (inline tree) region, so
 * inline expansion reads attacker bytes too. Exercises every lookup.
 */
#include <stdint.h>
#include <string.h>

#include "gort/pclntab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct blob {
	const uint8_t *data;
	size_t size;
};

#define BASE 0x500000u

static bool rd(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct blob *b = ctx;
	if (addr < BASE || addr - BASE > b->size || b->size - (addr - BASE) < len)
		return false;
	memcpy(buf, b->data + (addr - BASE), len);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gpm_pclntab *t;
	struct gpm_error *err = gpm_pclntab_create(data, size, BASE, 0x401000, &t);
	if (err) {
		gpm_error_destroy(err);
		return 0;
	}
	struct blob b = {data, size};
	gpm_pclntab_set_reader(t, BASE, rd, &b);
	volatile uint64_t sink = 0;
	size_t n = gpm_pclntab_func_count(t);
	for (size_t i = 0; i < n && i < 256; i++) {
		struct gpm_func f;
		err = gpm_pclntab_func_at(t, i, &f);
		if (err) {
			gpm_error_destroy(err);
			continue;
		}
		sink += (uint8_t)f.name[0];
		for (uint64_t d = 0; d < 4; d++) {
			uint64_t pc = f.entry + d * 3;
			struct gpm_func g;
			if (gpm_pclntab_func_for_pc(t, pc, &g))
				sink += g.index;
			int32_t v;
			const char *file;
			if (!(err = gpm_pclntab_sp_delta(t, &f, pc, &v)))
				sink += (uint64_t)v;
			gpm_error_destroy(err);
			if (!(err = gpm_pclntab_file_line(t, &f, pc, &file, &v)))
				sink += (uint8_t)file[0];
			gpm_error_destroy(err);
			if (!(err = gpm_pclntab_pcdata(t, &f, GPM_PCDATA_UNSAFE_POINT, pc, &v)))
				sink += (uint64_t)v;
			gpm_error_destroy(err);
			uint64_t fd;
			if (!(err =
			          gpm_pclntab_funcdata(t, &f, GPM_FUNCDATA_ARGS_POINTER_MAPS, &fd)))
				sink += fd;
			gpm_error_destroy(err);
			struct gpm_inline_frame fr[8];
			size_t nf;
			if (!(err = gpm_pclntab_frames(t, &f, pc, fr, 8, &nf)))
				for (size_t k = 0; k < nf && k < 8; k++)
					sink += (uint8_t)fr[k].name[0] + (uint8_t)fr[k].file[0];
			gpm_error_destroy(err);
		}
	}
	struct gpm_func f;
	if (gpm_pclntab_func_by_name(t, "main.main", &f))
		sink += f.entry;
	char buf[64];
	if (n) {
		err = gpm_pclntab_func_at(t, 0, &f);
		if (!err)
			sink += (uint8_t)gpm_func_print_name(f.name, true, buf, sizeof(buf))[0];
		gpm_error_destroy(err);
	}
	(void)sink;
	gpm_pclntab_destroy(t);
	return 0;
}
