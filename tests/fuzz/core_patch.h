/*
 * Shared by the fuzz harnesses that corrupt a real core (goroutines.c, heap.c): a fixture
 * core is loaded once into a private, writable copy; each input is a list of patches aimed
 * at ranges of the core the harness chose (what its decoder reads), applied, decoded by
 * the harness, and undone.
 *
 * Input: repeated 12-byte records { u16 range, u16 offset-in-range (scaled), u64 value }.
 * The fixture is testdata/cores/$GPM_FUZZ_CORE (default: the harness's) under $top_srcdir.
 */
#ifndef GPM_TESTS_FUZZ_CORE_PATCH_H
#define GPM_TESTS_FUZZ_CORE_PATCH_H

#include <stddef.h>
#include <stdint.h>

#include "process/process.h"

/* Adds a range to aim patches at: [addr, addr+len) of the core's memory. */
void core_patch_range(const struct gpm_core *core, uint64_t addr, uint64_t len);

/* Adds every goroutine's stack (from its innermost sp to its outermost fp) and, when
 * g_bytes is not 0, the first g_bytes of its runtime.g. */
void core_patch_goroutines(struct gpm_process *p, uint64_t g_bytes);

/* Loads the fixture (once) and calls choose(p) to add the ranges. False when unusable. */
bool core_patch_setup(const char *default_core, void (*choose)(struct gpm_process *p));

/* Applies the patches of data; opens the patched core into *p (NULL on failure). */
void core_patch_apply(const uint8_t *data, size_t size, struct gpm_process **p);

/* Undoes the patches (after the harness destroyed p). */
void core_patch_undo(void);

#endif
