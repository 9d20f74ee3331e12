/*
 * Native stacks: the frames of a thread of a dumped process in code that is not Go (C code of
 * a cgo program, C libraries, threads created by C code), unwound through libdwfl (elfutils)
 * by each module's call frame information (.eh_frame, .debug_frame) over the process memory,
 * frame pointers as the fallback. The modules are the core's NT_FILE mappings: the
 * executable gopm found and verified, and every other mapped ELF file (libc, other shared
 * libraries) read from its path on disk only when its GNU build id equals the one in the
 * core's memory. Frames are named from the modules' symbol tables, and file:line from DWARF,
 * the module's own or a separate debug file found by build id under the debug root
 * (/usr/lib/debug/.build-id/xx/yyyy.debug).
 */
#ifndef GPM_PROCESS_NATIVE_H
#define GPM_PROCESS_NATIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "core/core.h"
#include "process/process.h"

struct gpm_native;

/* How a native stack was unwound. */
enum gpm_native_how {
	GPM_NATIVE_CFI,      /* libdwfl: call frame information where a module has it */
	GPM_NATIVE_FP,       /* frame pointers (no module had CFI for the first frame) */
	GPM_NATIVE_CFI_SCAN, /* the first frame in code of no known module; the rest by CFI
	                        from the first return address found above it on the stack */
};

/* One frame. Strings are borrowed from the gpm_native and live until its destruction. */
struct gpm_native_frame {
	uint64_t pc;        /* the frame's pc: a return address except in the innermost frame */
	bool exact;         /* pc is where the thread was (innermost, or a signal interrupted) */
	const char *module; /* the mapped file's base name ("libc.so.6"); NULL unknown */
	uint64_t modoff;    /* pc - the module's start */
	const char *symbol; /* the function symbol containing pc; NULL unknown */
	uint64_t symoff;    /* pc - symbol start */
	const char *file;   /* source file from DWARF; NULL unknown */
	uint32_t line;
};

enum { GPM_NATIVE_MAX_FRAMES = 256 };

/*
 * Prepares the unwinder over p's core (its modules, from NT_FILE). Modules whose file cannot
 * be used (absent, another build) are kept as unnamed address ranges; each such problem is
 * one line of gpm_native_note_at. Errors: out of memory, GPM_ERR_UNSUPPORTED when libdwfl
 * cannot be set up for the core's architecture (then unwind by frame pointers yourself).
 */
struct gpm_error *gpm_native_create(struct gpm_process *p, struct gpm_native **out);
void gpm_native_destroy(struct gpm_native *n);

/*
 * Unwinds thread t: up to max frames (at most GPM_NATIVE_MAX_FRAMES) into frames, innermost
 * first; stop (may be NULL) is asked of each pc after the first and ends the walk, that
 * frame included, when it returns true (the unwinder of Go code takes over there). *how says
 * how; *problem (borrowed, NULL when the walk ended normally) why the walk stopped early.
 * Returns the number of frames; 0 when not even the first could be read.
 */
size_t gpm_native_unwind(struct gpm_native *n, const struct gpm_core_thread *t,
                         bool (*stop)(void *arg, uint64_t pc), void *arg,
                         struct gpm_native_frame *frames, size_t max, enum gpm_native_how *how,
                         const char **problem);

/*
 * Names pc, an address in the executable's own code, from its module: its symbol table, or
 * the separate debug file found by build id (a stripped cgo build's C functions), with
 * file:line from DWARF. False when pc is not the executable's or no symbol holds it. The
 * strings in *f are borrowed from n.
 */
bool gpm_native_name_exe(struct gpm_native *n, uint64_t pc, struct gpm_native_frame *f);

/* What preparing the modules found worth telling (a library of another build on disk). */
size_t gpm_native_note_count(const struct gpm_native *n);
const char *gpm_native_note_at(const struct gpm_native *n, size_t i);

#endif
