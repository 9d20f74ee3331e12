/*
 * A frame's arguments and locals from DWARF: the scope of the function (or of the inlined
 * call) that holds a pc, its DW_TAG_formal_parameter and DW_TAG_variable entries (lexical
 * blocks that hold the pc included), each located by its location expression or list at
 * that pc against the frame's canonical frame address (the Go compiler's DW_AT_frame_base
 * is DW_OP_call_frame_cfa, and its stack slots are DW_OP_fbreg offsets from it; a value may
 * be split into DW_OP_piece parts). A parked goroutine's registers are not in the core: a
 * part held in a register is unavailable, a part with no location was optimized out.
 */
#ifndef GPM_GORT_LOCALS_H
#define GPM_GORT_LOCALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct gpm_goimage;
struct gpm_incident;
struct gpm_goroutine;

struct gpm_local {
	char *name;      /* owned */
	char *type_name; /* owned: the DWARF type name ("*main.Config", "[]uint8") */
	bool is_arg;     /* a formal parameter */
	uint64_t type;   /* the runtime type descriptor; 0 when the binary has none for it */
	uint64_t size;   /* bytes of the value (DW_AT_byte_size of its type) */
	/* Where it is: addr when its bytes lie in one piece of memory, else bytes (owned,
	 * size of them) read from its pieces. why (static text) when it cannot be read. */
	uint64_t addr;
	uint8_t *bytes;
	const char *why;
};

struct gpm_locals {
	struct gpm_local *v;
	size_t len, cap;
};

/* Scopes of inlined calls above the function's own, and variables of one frame, at most. */
#define GPM_LOCALS_MAX_INLINE 64
#define GPM_LOCALS_MAX        4096

/*
 * The arguments and locals at pc of a frame whose canonical frame address is cfa (the
 * caller's sp: gopm's frame fp). pc is the pc to look up (a return address minus one).
 * inline_depth picks the scope: 0 the function itself, 1 the call inlined into it that
 * holds pc, and so on. Arguments come first, in declaration order. Errors:
 * GPM_ERR_NOT_FOUND (no DWARF, or no function or inlined call there).
 */
struct gpm_error *gpm_locals_read(struct gpm_goimage *img, uint64_t pc, unsigned inline_depth,
                                  uint64_t cfa, struct gpm_locals *out);

/* Where frame k of a goroutine read from a core is: the physical frame j (>= k: inlined
 * calls come first) whose frame address (cfa, 0 unknown) it shares, its depth among the
 * inlined calls there (j - k), and the pc to look its variables up at: a return address
 * minus one (the call), an interrupted pc (the innermost frame of the running goroutine, or
 * one a signal frame lies below) as it is. false: not a Go function's frame. */
struct gpm_locals_frame {
	uint32_t j;
	unsigned inline_depth;
	uint64_t lookup_pc, cfa;
};
bool gpm_locals_frame_where(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                            uint32_t k, struct gpm_locals_frame *out);

/* Inlined calls that hold pc in the function that holds it (DWARF); -1 when unknown. */
int gpm_locals_inline_count(struct gpm_goimage *img, uint64_t pc);

void gpm_locals_deinit(struct gpm_locals *l);

#endif
