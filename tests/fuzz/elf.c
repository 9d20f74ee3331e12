/*
 * Fuzz harness for the executable reader: the input is an ELF executable. Opens it, walks
 * sections and segments, looks up symbols, build ids and DWARF, and reads through the
 * executable-only process memory.
 */
#include <elfutils/libdw.h>
#include <stdint.h>

#include "base/source.h"
#include "core/memory.h"
#include "elf/exe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gpm_source *src;
	struct gpm_error *serr = gpm_source_from_memory(data, size, "fuzz.elf", &src);
	if (serr) {
		gpm_error_destroy(serr);
		return 0;
	}
	struct gpm_exe *exe;
	struct gpm_error *err = gpm_exe_from_source(src, &exe);
	if (err) {
		gpm_error_destroy(err);
		return 0;
	}
	volatile uint64_t sink = 0;
	uint8_t buf[64];
	for (size_t i = 0; i < gpm_exe_section_count(exe); i++) {
		const struct gpm_exe_section *s = gpm_exe_section_at(exe, i);
		sink += (uint8_t)s->name[0];
		if (s->data && s->size)
			sink += s->data[s->size - 1];
		gpm_error_destroy(gpm_exe_read(exe, s->addr, buf, sizeof(buf)));
		(void)gpm_exe_section_for_addr(exe, s->addr + 1);
	}
	(void)gpm_exe_section(exe, ".gopclntab");
	uint64_t addr, sz;
	if (gpm_exe_symbol(exe, "runtime.main", &addr, &sz))
		sink += addr;
	(void)gpm_exe_symbol(exe, "main", &addr, &sz);
	const char *id = gpm_exe_gnu_build_id(exe);
	if (id)
		sink += (uint8_t)id[0];
	id = gpm_exe_go_build_id(exe);
	if (id)
		sink += (uint8_t)id[0];
	Dwarf *dw = gpm_exe_dwarf(exe);
	if (dw) {
		Dwarf_Off off = 0, next;
		size_t hsize;
		for (int i = 0;
		     i < 4 && dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0; i++) {
			Dwarf_Die die;
			if (dwarf_offdie(dw, off + hsize, &die))
				sink += dwarf_tag(&die);
			off = next;
		}
	}
	struct gpm_memory *mem;
	if (!gpm_memory_create_exe(exe, 0x1000, &mem)) {
		for (size_t i = 0; i < gpm_exe_segment_count(exe); i++) {
			const struct gpm_exe_segment *s = gpm_exe_segment_at(exe, i);
			gpm_error_destroy(
			    gpm_memory_read(mem, s->vaddr + 0x1000, buf, sizeof(buf)));
			gpm_error_destroy(gpm_exe_read(exe, s->vaddr + s->memsz - 8, buf, 16));
		}
		gpm_memory_destroy(mem);
	}
	(void)sink;
	gpm_exe_destroy(exe);
	return 0;
}
