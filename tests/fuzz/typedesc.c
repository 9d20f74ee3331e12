/*
 * Fuzz harness for the runtime type-descriptor walker: the input is a types region
 * [types, etypes) loaded at 0x100078 in a minimal one-segment ELF, so pointers inside
 * descriptors (field arrays, names, field types) point back into the input. Looks up the
 * runtime struct layouts as gopm does and walks dotted paths.
 */
#include <elf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/source.h"
#include "elf/exe.h"
#include "gort/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDRS  (sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr))
#define VADDR (0x100000u + HDRS)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	uint8_t *img_bytes = calloc(1, HDRS + size + 1);
	if (!img_bytes)
		return 0;
	Elf64_Ehdr eh = {0};
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(Elf64_Ehdr);
	eh.e_ehsize = sizeof(Elf64_Ehdr);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = 1;
	Elf64_Phdr ph = {0};
	ph.p_type = PT_LOAD;
	ph.p_flags = PF_R;
	ph.p_offset = HDRS;
	ph.p_vaddr = ph.p_paddr = VADDR;
	ph.p_filesz = ph.p_memsz = size;
	ph.p_align = 1;
	memcpy(img_bytes, &eh, sizeof(eh));
	memcpy(img_bytes + sizeof(eh), &ph, sizeof(ph));
	memcpy(img_bytes + HDRS, data, size);
	struct gpm_source *src;
	struct gpm_exe *exe;
	if (gpm_source_from_memory(img_bytes, HDRS + size, "fuzz.types", &src) ||
	    gpm_exe_from_source(src, &exe)) {
		free(img_bytes);
		return 0;
	}
	struct gpm_moduledata md = {0};
	md.types = VADDR;
	md.etypes = VADDR + size;
	volatile uint64_t sink = 0;
	static const char *const versions[] = {"go1.22.0", "go1.18.1"};
	for (size_t v = 0; v < 2; v++) {
		struct gpm_goimage *img;
		if (gpm_gort_image_fake(exe, &md, versions[v], &img))
			break;
		static const char *const names[] = {"runtime.g", "runtime.m", "a"};
		for (size_t i = 0; i < 3; i++) {
			const struct gpm_layout *l;
			struct gpm_error *err = gpm_goimage_layout(img, names[i], &l);
			if (err) {
				gpm_error_destroy(err);
				continue;
			}
			sink += l->nfields + gpm_layout_offset(l, "sched.sp");
			for (size_t k = 0; k < l->nfields; k++)
				sink += (uint8_t)l->fields[k].name[0] + l->fields[k].offset;
		}
		sink += gpm_goimage_waitreason_count(img);
		gpm_goimage_destroy(img);
	}
	(void)sink;
	gpm_exe_destroy(exe);
	free(img_bytes);
	return 0;
}
