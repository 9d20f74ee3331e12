/*
 * A function's arguments as the Go runtime's traceback prints them (runtime/traceback.go
 * printArgs, unchanged from Go 1.17 to 1.27): the compiler's argument layout program
 * (_FUNCDATA_ArgInfo, cmd/compile/internal/ssagen emitArgInfo), with the register
 * arguments' spill-slot liveness (_FUNCDATA_ArgLiveInfo and _PCDATA_ArgLiveIndex, Go 1.18+)
 * that adds "?" after a value that may be stale. Read from the pclntab and funcdata alone,
 * so it works on stripped binaries.
 */
#ifndef GPM_GORT_ARGLAYOUT_H
#define GPM_GORT_ARGLAYOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "base/strbuf.h"
#include "gort/pclntab.h"

/* internal/abi/symtab.go (Go 1.21+; runtime/traceback.go before): the program's opcodes;
 * any other byte is the offset of a value from argp, followed by its size. */
enum {
	GPM_ARGINFO_END_SEQ = 0xff,
	GPM_ARGINFO_START_AGG = 0xfe,
	GPM_ARGINFO_END_AGG = 0xfd,
	GPM_ARGINFO_DOTDOTDOT = 0xfc,
	GPM_ARGINFO_OFFSET_TOO_LARGE = 0xfb,
	/* TraceArgsMaxLen: (maxDepth*3+2)*limit+1 with limit 10, maxDepth 5. */
	GPM_ARGINFO_MAX_LEN = (5 * 3 + 2) * 10 + 1,
};

/* What printArgs needs of one function at one pc. */
struct gpm_arglayout {
	uint8_t prog[GPM_ARGINFO_MAX_LEN];
	uint8_t len;        /* bytes of prog, its final GPM_ARGINFO_END_SEQ included */
	uint8_t start_off;  /* first offset that needs liveness (0xff: none) */
	int32_t live_idx;   /* _PCDATA_ArgLiveIndex at the pc; <= 0: every slot live */
	uint64_t live_addr; /* address of _FUNCDATA_ArgLiveInfo; 0 none */
};

/*
 * The layout of fn's arguments at pc (the pc printArgs is given: the frame's symbolic pc,
 * a return address minus one). *has is false when fn has no _FUNCDATA_ArgInfo (assembly):
 * the runtime prints "()". Errors: GPM_ERR_FAULT / GPM_ERR_FORMAT when the funcdata is
 * there but unreadable or not ended within GPM_ARGINFO_MAX_LEN bytes.
 */
struct gpm_error *gpm_arglayout_read(struct gpm_pclntab *tab, const struct gpm_func *fn,
                                     uint64_t pc, struct gpm_arglayout *out, bool *has);

/*
 * Appends the argument text printArgs prints for a frame whose arguments start at argp
 * (frame.argp: the caller's sp plus the architecture's minimum frame size), reading stack
 * words and liveness bits through read. Nothing is appended on error (GPM_ERR_FAULT: a
 * word not in the dump).
 */
struct gpm_error *gpm_arglayout_print(const struct gpm_arglayout *l, uint64_t argp,
                                      gpm_pclntab_read_fn *read, void *ctx, struct gpm_strbuf *sb);

/*
 * Appends one line per argument word of the layout, "+0xOFF SIZE 0xVALUE" (offset from
 * argp, bytes, the value as printArgs reads it), indented one more level inside each
 * aggregate, with "? (may be stale)" where printArgs prints "?". Nothing is appended on
 * error (GPM_ERR_FAULT).
 */
struct gpm_error *gpm_arglayout_words(const struct gpm_arglayout *l, uint64_t argp,
                                      gpm_pclntab_read_fn *read, void *ctx, struct gpm_strbuf *sb);

#endif
