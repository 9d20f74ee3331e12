/*
 * x86-64 (amd64) cores: NT_PRSTATUS is the kernel's struct elf_prstatus (include/uapi/
 * linux/elfcore.h) whose pr_reg is struct user_regs_struct (arch/x86/include/asm/user_64.h):
 *   r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi orig_rax rip cs eflags rsp ss
 *   fs_base gs_base ds es fs gs
 * Registers are stored in the order the Go runtime prints them after "SIGQUIT: quit"
 * (runtime/signal_amd64.go dumpregs, Go 1.19–1.27), followed by the rest.
 */
#include "core/arch.h"

#include <elf.h>

#include "base/cursor.h"

enum {
	R_RAX,
	R_RBX,
	R_RCX,
	R_RDX,
	R_RDI,
	R_RSI,
	R_RBP,
	R_RSP,
	R_R8,
	R_R9,
	R_R10,
	R_R11,
	R_R12,
	R_R13,
	R_R14,
	R_R15,
	R_RIP,
	R_RFLAGS,
	R_CS,
	R_FS,
	R_GS,
	R_FS_BASE, // first register Go's dump does not print
	R_GS_BASE,
	R_ORIG_RAX,
	R_SS,
	R_DS,
	R_ES,
	R_COUNT,
};

static const char *const x86_64_reg_names[R_COUNT] = {
    "rax", "rbx", "rcx", "rdx",     "rdi",     "rsi",      "rbp", "rsp", "r8",
    "r9",  "r10", "r11", "r12",     "r13",     "r14",      "r15", "rip", "rflags",
    "cs",  "fs",  "gs",  "fs_base", "gs_base", "orig_rax", "ss",  "ds",  "es",
};

// Our index for each word of user_regs_struct, in the kernel's order.
static const unsigned char user_regs_order[R_COUNT] = {
    R_R15,    R_R14, R_R13, R_R12,     R_RBP,     R_RBX, R_R11,      R_R10, R_R9,
    R_R8,     R_RAX, R_RCX, R_RDX,     R_RSI,     R_RDI, R_ORIG_RAX, R_RIP, R_CS,
    R_RFLAGS, R_RSP, R_SS,  R_FS_BASE, R_GS_BASE, R_DS,  R_ES,       R_FS,  R_GS,
};

// Offsets inside struct elf_prstatus on a 64-bit kernel.
enum {
	PRSTATUS_SIGNO = 0,
	PRSTATUS_CODE = 4,
	PRSTATUS_CURSIG = 12,
	PRSTATUS_SIGPEND = 16,
	PRSTATUS_SIGHOLD = 24,
	PRSTATUS_PID = 32,
	PRSTATUS_REG = 112,
	PRSTATUS_MIN_SIZE = PRSTATUS_REG + R_COUNT * 8, // pr_fpvalid and padding follow
};

static struct gpm_error *x86_64_parse_prstatus(const uint8_t *desc, size_t size,
                                               struct gpm_arch_prstatus *out)
{
	if (size < PRSTATUS_MIN_SIZE)
		return gpm_error_create(GPM_ERR_FORMAT,
		                        "NT_PRSTATUS of %zu bytes, x86-64 needs at least %d", size,
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
	for (unsigned i = 0; i < R_COUNT; i++)
		gpm_cursor_u64(&c, &out->regs.v[user_regs_order[i]]);
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

const struct gpm_arch_ops gpm_arch_x86_64 = {
    .name = "amd64",
    .machine = EM_X86_64,
    .ptr_size = 8,
    .reg_names = x86_64_reg_names,
    .reg_count = R_COUNT,
    .go_dump_count = R_FS_BASE,
    .pc_reg = R_RIP,
    .sp_reg = R_RSP,
    .fp_reg = R_RBP,
    .tls_reg = R_FS_BASE,
    .g_reg = -1,
    .lr_reg = -1,
    .stack_align = 8,
    // rt_sigframe { pretcode; struct ucontext uc { flags, link, stack_t (24), mcontext { r8..r15,
    // rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip ... } } }: from &uc, which is the unwinder's
    // fp of the handler (the sp above the return address pretcode).
    // The siginfo follows the ucontext (flags, link, stack_t, sigcontext of 256 bytes, an
    // 8-byte signal mask: 304 bytes; arch/x86/include/asm/sigframe.h rt_sigframe).
    .sigframe = {.pc = 40 + 16 * 8,
                 .sp = 40 + 15 * 8,
                 .fp = 40 + 10 * 8,
                 .lr = GPM_ARCH_NO_REG,
                 .siginfo = 304},
    .parse_prstatus = x86_64_parse_prstatus,
};
