/*
 * Values of a Go program in Go syntax, as fmt's %#v prints them: a value of a known type at
 * an address of the process memory, typed by the binary's runtime type descriptors
 * (gotype.h), so stripped binaries print as well as those with DWARF. Pointers are
 * followed to a depth, strings, slices and maps are bounded, maps (hmap before Go 1.24,
 * swiss maps from 1.24) and interfaces (eface, iface -> the dynamic type) are decoded, and
 * what cannot be read prints as <unreadable 0x...> in place.
 */
#ifndef GPM_GORT_VALUE_H
#define GPM_GORT_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/strbuf.h"

struct gpm_goimage;

struct gpm_value_options {
	/* Pointer levels followed, the value's own level counted: 1 prints what %#v prints
	 * (only a pointer at the top is followed), 2 (the default) also the pointers in it. */
	unsigned depth;
	/* Elements of a slice, array or map, and bytes of a string, printed at most; the rest
	 * is counted in a comment. */
	uint64_t max_len;
};

#define GPM_VALUE_DEFAULT_DEPTH   2
#define GPM_VALUE_DEFAULT_MAX_LEN 64
/* Map entries read at most (they are sorted as fmt sorts them before printing). */
#define GPM_VALUE_MAX_MAP_ENTRIES 100000
/* Output bytes of one value at most. */
#define GPM_VALUE_MAX_OUTPUT (16u << 20)

/* What an expression names: a value of type `type` (a descriptor) at `addr`, or, when
 * is_pointer, the pointer value `addr` of type `type` (a pointer type). */
struct gpm_value_ref {
	uint64_t type, addr;
	bool is_pointer;
	/* A value that is not in memory in one piece (a local split between stack slots): its
	 * bytes (borrowed, nbytes of them), which reads of [addr, addr + nbytes) return; addr
	 * is then GPM_VALUE_PIECES_ADDR, an address no process maps. */
	const uint8_t *bytes;
	size_t nbytes;
};

#define GPM_VALUE_PIECES_ADDR 0xfff0000000000000ULL

/*
 * Evaluates an expression: a global by name ("main.config", needs DWARF), "*(*T)(0xADDR)"
 * (a value of type T at ADDR) or "(*T)(0xADDR)" (a pointer to it), each followed by any
 * ".Field" and "[i]" selectors (through a pointer as Go's). Types are found by their
 * string form among the type descriptors. Errors: GPM_ERR_NOT_FOUND (no such global or
 * type), GPM_ERR_USAGE (not an expression).
 */
struct gpm_error *gpm_value_eval(struct gpm_goimage *img, const char *expr,
                                 struct gpm_value_ref *out);

/* Applies selectors (".Field", "[i]", any number, "" none) to ref. Errors as
 * gpm_value_eval's. */
struct gpm_error *gpm_value_select(struct gpm_goimage *img, struct gpm_value_ref *ref,
                                   const char *selectors);

/*
 * Appends the value to sb in Go syntax. *unreadable counts the parts that could not be read
 * (printed as <unreadable 0x...>) or were cut at a cap. Errors: only GPM_ERR_NOMEM and
 * a type descriptor that cannot be read at the top.
 */
struct gpm_error *gpm_value_format(struct gpm_goimage *img, const struct gpm_value_ref *ref,
                                   const struct gpm_value_options *o, struct gpm_strbuf *sb,
                                   size_t *unreadable);

#endif
