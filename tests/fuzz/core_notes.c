/*
 * Fuzz harness for the core reader: the input is a core file. Opens it, walks every thread,
 * note-derived table and warning, builds the process memory and reads around the registers,
 * the auxv pointers and the segment edges, then looks for build ids in the dumped header.
 */
#include <stdint.h>
#include <stdlib.h>

#include "base/source.h"
#include "core/core.h"
#include "core/exe_locate.h"
#include "core/memory.h"

static void probe(struct gpm_memory *mem, uint64_t addr)
{
	uint8_t buf[64];
	uint64_t w;
	const uint8_t *p;
	gpm_error_destroy(gpm_memory_read(mem, addr, buf, sizeof(buf)));
	gpm_error_destroy(gpm_memory_word(mem, addr, &w));
	gpm_error_destroy(gpm_memory_read(mem, addr - 8, buf, 16));
	struct gpm_error *err = gpm_memory_ptr(mem, addr, 32, &p);
	if (!err)
		(void)p[31];
	gpm_error_destroy(err);
	(void)gpm_memory_readable(mem, addr, 4096);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gpm_source *src;
	struct gpm_error *serr = gpm_source_from_memory(data, size, "fuzz.core", &src);
	if (serr) {
		gpm_error_destroy(serr);
		return 0;
	}
	struct gpm_core *core;
	struct gpm_error *err = gpm_core_from_source(src, &core);
	if (err) {
		gpm_error_destroy(err);
		return 0;
	}
	volatile uint64_t sink = 0;
	for (size_t i = 0; i < gpm_core_warning_count(core); i++)
		sink += gpm_core_warning_at(core, i)[0];
	for (size_t i = 0; i < gpm_core_file_count(core); i++)
		sink += gpm_core_file_at(core, i)->path[0];
	const struct gpm_core_psinfo *ps = gpm_core_psinfo(core);
	if (ps)
		sink += (uint8_t)ps->psargs[0];
	const char *execfn = gpm_core_execfn(core);
	if (execfn)
		sink += (uint8_t)execfn[0];
	uint64_t base;
	const char *exe = gpm_core_exe_mapping(core, &base);
	if (exe)
		sink += (uint8_t)exe[0];
	char *gnu = NULL, *go = NULL;
	gpm_error_destroy(gpm_core_build_ids(core, &gnu, &go));
	free(gnu);
	free(go);

	struct gpm_memory *mem;
	if (!gpm_memory_create(core, NULL, 0, &mem)) {
		size_t n = gpm_core_thread_count(core);
		for (size_t i = 0; i < n && i < 64; i++) {
			const struct gpm_core_thread *t = gpm_core_thread_at(core, i);
			probe(mem, t->pc);
			probe(mem, t->sp);
			probe(mem, t->tls - 8);
			sink += gpm_arch_is_sigreturn(gpm_core_arch(core), mem, t->pc);
			if (gpm_core_arch(core)->lr_reg >= 0)
				probe(mem, t->regs.v[gpm_core_arch(core)->lr_reg]);
		}
		for (size_t i = 0; i < gpm_core_auxv_count(core) && i < 64; i++)
			probe(mem, gpm_core_auxv_at(core, i)->value);
		for (size_t i = 0; i < gpm_core_segment_count(core) && i < 64; i++) {
			const struct gpm_core_segment *s = gpm_core_segment_at(core, i);
			probe(mem, s->vaddr);
			probe(mem, s->vaddr + s->memsz - 16);
		}
		gpm_memory_destroy(mem);
	}
	(void)sink;
	gpm_core_destroy(core);
	return 0;
}
