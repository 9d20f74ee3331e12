/*
 * Per-architecture operations for cores: how NT_PRSTATUS lays out a thread's registers,
 * what the registers are called and which ones are the pc, stack pointer, frame pointer and
 * thread pointer, where the running g is kept, how Go frames hold their return address and
 * how the kernel's signal frame keeps the interrupted registers. Chosen at run time from
 * e_machine (gpm_arch_select); there is no #ifdef per architecture anywhere. x86-64
 * (arch_x86_64.c) and aarch64 (arch_arm64.c) are implemented; others are refused clearly.
 */
#ifndef GPM_CORE_ARCH_H
#define GPM_CORE_ARCH_H

#include <stdbool.h>
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

/*
 * Where a signal handler's frame keeps the interrupted registers: byte offsets from the
 * handler's frame pointer in the Go unwinder's sense (the sp before the handler was entered,
 * plus the return address on amd64), i.e. from the runtime's frame.fp of runtime.sigtramp.
 * GPM_ARCH_NO_REG for a register the frame does not have.
 */
#define GPM_ARCH_NO_REG UINT64_MAX
struct gpm_arch_sigframe {
	uint64_t pc, sp, fp, lr;
	uint64_t siginfo; /* the kernel's siginfo of the signal; GPM_ARCH_NO_REG unknown */
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
	int tls_reg; /* fs_base on amd64, tpidr_el0 on arm64; -1 when there is none */
	/* The note that holds the thread pointer when NT_PRSTATUS does not (NT_ARM_TLS, owner
	 * "LINUX", following the thread's NT_PRSTATUS); 0 when NT_PRSTATUS has it. */
	uint32_t tls_note;
	/* The register the Go runtime keeps the running g in (R28 on arm64); -1 when the g is
	 * in thread-local storage (amd64 without ABIInternal's R14 being reliable in a core). */
	int g_reg;
	/* The link register (x30 on arm64); -1 when a call pushes the return address (amd64).
	 * With a link register, the Go unwinder works as runtime/traceback.go with usesLR: the
	 * frame pointer is sp + spdelta, the saved LR is at the bottom of each frame (0(sp)),
	 * a leaf or a frame not yet set up returns through the register, and an injected call
	 * (sigpanic, asyncPreempt) sits on min_frame_size rounded up to stack_align bytes that
	 * hold the interrupted LR. */
	int lr_reg;
	unsigned min_frame_size, stack_align;
	struct gpm_arch_sigframe sigframe;
	/* The instructions a signal handler returns to (rt_sigreturn), by which a frame is
	 * recognised as a signal frame whatever the trampoline is called (a vdso, qemu's own);
	 * NULL when unused. */
	const uint8_t *sigreturn;
	size_t sigreturn_len;
	/* Decodes one NT_PRSTATUS descriptor. GPM_ERR_FORMAT when it is too short. */
	struct gpm_error *(*parse_prstatus)(const uint8_t *desc, size_t size,
	                                    struct gpm_arch_prstatus *out);
};

extern const struct gpm_arch_ops gpm_arch_x86_64;
extern const struct gpm_arch_ops gpm_arch_arm64;

/* The ops of an ELF e_machine; NULL when not implemented. */
const struct gpm_arch_ops *gpm_arch_by_machine(uint16_t machine);
/* A name for an ELF e_machine, for messages: "x86-64", "aarch64", "ELF machine 62". Static
 * storage or buf. */
const char *gpm_arch_machine_name(uint16_t machine, char *buf, size_t size);

struct gpm_memory;
/* Whether the code at pc in mem is the architecture's rt_sigreturn sequence (the return
 * address of a signal handler's frame); false when unknown or unreadable. */
bool gpm_arch_is_sigreturn(const struct gpm_arch_ops *arch, struct gpm_memory *mem, uint64_t pc);

/* The ops for an ELF e_machine. GPM_ERR_UNSUPPORTED ("core for riscv64: architecture not
 * supported") for anything not implemented. */
struct gpm_error *gpm_arch_select(uint16_t machine, const struct gpm_arch_ops **out);

#endif
