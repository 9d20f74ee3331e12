/* Architecture selection for cores: maps e_machine to its ops table (see arch.h). */
#include "core/arch.h"

#include <elf.h>

struct gpm_error *gpm_arch_select(uint16_t machine, const struct gpm_arch_ops **out)
{
	switch (machine) {
	case EM_X86_64:
		*out = &gpm_arch_x86_64;
		return NULL;
	case EM_AARCH64:
		return gpm_error_create(GPM_ERR_UNSUPPORTED,
		                        "core for aarch64: architecture not supported yet");
	case EM_386:
		return gpm_error_create(GPM_ERR_UNSUPPORTED,
		                        "core for i386: architecture not supported");
	default:
		return gpm_error_create(GPM_ERR_UNSUPPORTED,
		                        "core for ELF machine %u: architecture not supported",
		                        machine);
	}
}
