/*
 * aarch64 (arm64) cores: NT_PRSTATUS is the kernel's struct elf_prstatus (include/uapi/linux/
 * elfcore.h, the same 112-byte head as on x86-64) whose pr_reg is struct user_pt_regs
 * (arch/arm64/include/uapi/asm/ptrace.h): x0..x30, sp, pc, pstate. The thread pointer
 * tpidr_el0 is not in it: the kernel writes it in an NT_ARM_TLS note after each thread's
 * NT_PRSTATUS (qemu-user does not write that note).
 *
 * Registers are stored in the order the Go runtime prints them after "SIGQUIT: quit"
 * (runtime/signal_arm64.go dumpregs, Go 1.17–1.27: r0..r29, lr, sp, pc; it then prints
 * "fault", the sigcontext's fault address, which no core holds), followed by pstate and
 * tpidr_el0.
 *
 * The Go side (runtime/asm_arm64.s, runtime/traceback.go, runtime/signal_arm64.go): the
 * running g is in R28; a call leaves the return address in the link register R30, which a
 * function with a frame saves at 0(RSP) of its own frame (the frame pointer R29 is saved
 * just below, at -8(RSP)); sys.MinFrameSize is 8 and the stack is 16-byte aligned;
 * sigctxt.pushCall injects asyncPreempt/sigpanic by storing LR at 0(SP-16).
 *
 * The signal frame (arch/arm64/kernel/signal.c, the same in qemu's linux-user/aarch64/
 * signal.c): the handler is entered with sp at struct rt_sigframe { siginfo_t info (128);
 * struct ucontext uc; }, uc = { uc_flags, uc_link, uc_stack (24), uc_sigmask (8), 120 bytes of
 * padding, 8 more to align, struct sigcontext { fault_address; regs[31]; sp; pc; pstate } },
 * so the registers start at 128 + 176 + 8 from the handler's entry sp, which is what the Go
 * unwinder calls the frame pointer of runtime.sigtramp. The handler returns to
 * `mov x8, #139 (rt_sigreturn); svc #0`, in the vdso (kernel) or a trampoline page (qemu).
 */
#include "core/arch.h"

#include <elf.h>

#include "base/cursor.h"

enum {
	R_X0,
	R_X29 = 29,
	R_LR,
	R_SP,
	R_PC,
	R_PSTATE, // first register Go's dump does not print
	R_TPIDR,
	R_COUNT,
};

static const char *const arm64_reg_names[R_COUNT] = {
    "r0",  "r1",  "r2",  "r3",  "r4",  "r5",  "r6",  "r7",  "r8",  "r9",     "r10",       "r11",
    "r12", "r13", "r14", "r15", "r16", "r17", "r18", "r19", "r20", "r21",    "r22",       "r23",
    "r24", "r25", "r26", "r27", "r28", "r29", "lr",  "sp",  "pc",  "pstate", "tpidr_el0",
};

// Offsets inside struct elf_prstatus on a 64-bit kernel (as x86-64; pr_reg differs).
enum {
	PRSTATUS_SIGNO = 0,
	PRSTATUS_CODE = 4,
	PRSTATUS_CURSIG = 12,
	PRSTATUS_SIGPEND = 16,
	PRSTATUS_SIGHOLD = 24,
	PRSTATUS_PID = 32,
	PRSTATUS_REG = 112,
	PRSTATUS_NREG = 34, // x0..x30, sp, pc, pstate
	PRSTATUS_MIN_SIZE = PRSTATUS_REG + PRSTATUS_NREG * 8,
};

static struct gpm_error *arm64_parse_prstatus(const uint8_t *desc, size_t size,
                                              struct gpm_arch_prstatus *out)
{
	if (size < PRSTATUS_MIN_SIZE)
		return gpm_error_create(GPM_ERR_FORMAT,
		                        "NT_PRSTATUS of %zu bytes, aarch64 needs at least %d", size,
		                        PRSTATUS_MIN_SIZE);
	struct gpm_cursor c;
	gpm_cursor_init(&c, desc, size);
	uint32_t signo, code, pid, ppid, pgrp, sid;
	uint16_t cursig;
	// All reads are inside PRSTATUS_MIN_SIZE, checked above.
	gpm_cursor_seek(&c, PRSTATUS_SIGNO);
	gpm_cursor_u32(&c, &signo);
	gpm_cursor_u32(&c, &code);
	gpm_cursor_seek(&c, PRSTATUS_CURSIG);
	gpm_cursor_u16(&c, &cursig);
	gpm_cursor_seek(&c, PRSTATUS_SIGPEND);
	gpm_cursor_u64(&c, &out->sigpend);
	gpm_cursor_u64(&c, &out->sighold);
	gpm_cursor_seek(&c, PRSTATUS_PID);
	gpm_cursor_u32(&c, &pid);
	gpm_cursor_u32(&c, &ppid);
	gpm_cursor_u32(&c, &pgrp);
	gpm_cursor_u32(&c, &sid);
	gpm_cursor_seek(&c, PRSTATUS_REG);
	// user_pt_regs is in our order already: x0..x30 (x30 = lr), sp, pc, pstate.
	for (unsigned i = 0; i < PRSTATUS_NREG; i++)
		gpm_cursor_u64(&c, &out->regs.v[i]);
	out->regs.v[R_TPIDR] = 0; // from NT_ARM_TLS, when the core has it
	out->regs.count = R_COUNT;
	out->tid = pid;
	out->cursig = (int16_t)cursig;
	out->info_signo = (int32_t)signo;
	out->info_code = (int32_t)code;
	out->ppid = ppid;
	out->pgrp = pgrp;
	out->sid = sid;
	return NULL;
}

// mov x8, #139 (__NR_rt_sigreturn); svc #0 — little-endian instruction words.
static const uint8_t arm64_sigreturn[] = {0x68, 0x11, 0x80, 0xd2, 0x01, 0x00, 0x00, 0xd4};

enum {
	SIGFRAME_UC = 128,                     // sizeof(siginfo_t)
	SIGFRAME_REGS = SIGFRAME_UC + 176 + 8, // uc_mcontext.regs[0]
	SIGFRAME_SP = SIGFRAME_REGS + 31 * 8,  // uc_mcontext.sp
	SIGFRAME_PC = SIGFRAME_SP + 8,         // uc_mcontext.pc
};

const struct gpm_arch_ops gpm_arch_arm64 = {
    .name = "arm64",
    .machine = EM_AARCH64,
    .ptr_size = 8,
    .reg_names = arm64_reg_names,
    .reg_count = R_COUNT,
    .go_dump_count = R_PSTATE,
    .pc_reg = R_PC,
    .sp_reg = R_SP,
    .fp_reg = R_X29,
    .tls_reg = R_TPIDR,
    .tls_note = 0x401, // NT_ARM_TLS
    .g_reg = 28,
    .lr_reg = R_LR,
    .min_frame_size = 8,
    .stack_align = 16,
    .sigframe = {.pc = SIGFRAME_PC,
                 .sp = SIGFRAME_SP,
                 .fp = SIGFRAME_REGS + 29 * 8,
                 .lr = SIGFRAME_REGS + 30 * 8,
                 .siginfo = 0}, // rt_sigframe begins with the siginfo
    .sigreturn = arm64_sigreturn,
    .sigreturn_len = sizeof(arm64_sigreturn),
    .parse_prstatus = arm64_parse_prstatus,
};
