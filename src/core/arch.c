/* Architecture selection for cores: maps e_machine to its ops table (see arch.h). */
#include "core/arch.h"

#include <elf.h>
#include <stdio.h>
#include <string.h>

#include "core/memory.h"

bool gpm_arch_is_sigreturn(const struct gpm_arch_ops *arch, struct gpm_memory *mem, uint64_t pc)
{
	const uint8_t *b;
	if (!arch->sigreturn || !pc)
		return false;
	struct gpm_error *err = gpm_memory_ptr(mem, pc, arch->sigreturn_len, &b);
	if (err) {
		gpm_error_destroy(err);
		return false;
	}
	return !memcmp(b, arch->sigreturn, arch->sigreturn_len);
}

const struct gpm_arch_ops *gpm_arch_by_machine(uint16_t machine)
{
	switch (machine) {
	case EM_X86_64:
		return &gpm_arch_x86_64;
	case EM_AARCH64:
		return &gpm_arch_arm64;
	default:
		return NULL;
	}
}

const char *gpm_arch_machine_name(uint16_t machine, char *buf, size_t size)
{
	switch (machine) {
	case EM_X86_64:
		return "x86-64";
	case EM_AARCH64:
		return "aarch64";
	case EM_386:
		return "i386";
	case EM_ARM:
		return "arm";
	case EM_PPC64:
		return "ppc64";
	case EM_S390:
		return "s390x";
	case EM_RISCV:
		return "riscv64";
	case EM_MIPS:
		return "mips";
	default:
		snprintf(buf, size, "ELF machine %u", machine);
		return buf;
	}
}

struct gpm_error *gpm_arch_select(uint16_t machine, const struct gpm_arch_ops **out)
{
	const struct gpm_arch_ops *ops = gpm_arch_by_machine(machine);
	if (ops) {
		*out = ops;
		return NULL;
	}
	char buf[32];
	return gpm_error_create(GPM_ERR_UNSUPPORTED,
	                        "core for %s: architecture not supported (amd64 and arm64 are)",
	                        gpm_arch_machine_name(machine, buf, sizeof(buf)));
}
