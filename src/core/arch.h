/*
 * Per-architecture operations for cores: how NT_PRSTATUS lays out a thread's registers,
 * what the registers are called and which ones are the pc, stack pointer, frame pointer and
 * thread pointer. Chosen at run time from e_machine (gpm_arch_select); there is no #ifdef per
 * architecture anywhere. x86-64 is implemented; aarch64 is recognised and refused clearly.
 */
#ifndef GPM_CORE_ARCH_H
#define GPM_CORE_ARCH_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

enum { GPM_ARCH_MAX_REGS = 40 };

/* One thread's registers, in the order of the architecture's reg_names. */
struct gpm_arch_regs {
	uint64_t v[GPM_ARCH_MAX_REGS];
	unsigned count;
};

/* What NT_PRSTATUS says about one thread, besides the registers. */
struct gpm_arch_prstatus {
	uint32_t tid;       /* pr_pid: the thread id */
	int32_t cursig;     /* pr_cursig: the signal the thread was handling, 0 if none */
	int32_t info_signo; /* pr_info.si_signo */
	int32_t info_code;  /* pr_info.si_code */
	uint64_t sigpend;   /* pr_sigpend */
	uint64_t sighold;   /* pr_sighold */
	uint32_t ppid, pgrp, sid;
	struct gpm_arch_regs regs;
};

struct gpm_arch_ops {
	const char *name; /* Go's GOARCH: "amd64" */
	uint16_t machine; /* EM_X86_64 */
	unsigned ptr_size;
	/* Register names, all of them; the first go_dump_count are exactly what the Go runtime
	 * prints in a SIGQUIT register dump, in that order (runtime/signal_amd64.go dumpregs). */
	const char *const *reg_names;
	unsigned reg_count;
	unsigned go_dump_count;
	unsigned pc_reg, sp_reg, fp_reg;
	int tls_reg; /* fs_base on amd64; -1 when the architecture has none in the regset */
	/* Decodes one NT_PRSTATUS descriptor. GPM_ERR_FORMAT when it is too short. */
	struct gpm_error *(*parse_prstatus)(const uint8_t *desc, size_t size,
	                                    struct gpm_arch_prstatus *out);
};

extern const struct gpm_arch_ops gpm_arch_x86_64;

/* The ops for an ELF e_machine. GPM_ERR_UNSUPPORTED ("core for aarch64: architecture not
 * supported yet") for anything not implemented. */
struct gpm_error *gpm_arch_select(uint16_t machine, const struct gpm_arch_ops **out);

#endif
