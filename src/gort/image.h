/*
 * The Go image: everything gopm learns about a Go program from its executable (and, for
 * relocated data, from the process memory): Go version and build info, the pclntab,
 * runtime.firstmoduledata, runtime struct layouts and the wait-reason strings. Each part is
 * found independently; a part that cannot be read leaves a warning and the rest goes on.
 */
#ifndef GPM_GORT_IMAGE_H
#define GPM_GORT_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "gort/buildinfo.h"
#include "gort/facts.h"
#include "gort/layout.h"
#include "gort/moduledata.h"
#include "gort/pclntab.h"

struct gpm_exe;
struct gpm_memory;

/* How a part was found (for reports). */
enum gpm_goimage_how {
	GPM_HOW_NONE,    /* not found */
	GPM_HOW_SECTION, /* a named ELF section */
	GPM_HOW_SYMBOL,  /* the symbol table */
	GPM_HOW_SCAN,    /* scanning data for a magic / validated pattern */
	GPM_HOW_DWARF,
	GPM_HOW_TYPES, /* runtime type descriptors */
};

/* Read-only for callers. All addresses are run-time addresses (link-time + bias). */
struct gpm_goimage {
	struct gpm_exe *exe;    /* borrowed */
	struct gpm_memory *mem; /* borrowed, may be NULL (then reads come from exe) */
	uint64_t bias;          /* PIE load bias */
	unsigned ptr_size;

	char go_version[64];           /* "go1.21.3"; "" when unknown */
	struct gpm_go_version version; /* zero when unknown */
	enum gpm_goimage_how version_how;
	/* What differs between Go releases: from the version, else probed (facts.h). Every
	 * reader of the image asks these, never the version number. */
	struct gpm_go_facts facts;

	bool has_buildinfo;
	struct gpm_buildinfo buildinfo;
	enum gpm_goimage_how buildinfo_how;

	struct gpm_pclntab *pclntab; /* NULL only if the image failed to open */
	enum gpm_goimage_how pclntab_how;

	bool has_moduledata;
	struct gpm_moduledata moduledata;
	enum gpm_goimage_how moduledata_how;

	bool has_dwarf; /* layouts come from DWARF when true */

	/* Private. */
	void *priv;
};

/*
 * Opens the Go image of exe, reading relocated data through mem (a core's memory, or one
 * over the executable alone; NULL: read the executable file directly). bias is the PIE
 * load bias (0 for non-PIE executables and for mem built over the executable at bias 0).
 * Errors: GPM_ERR_UNSUPPORTED "<path> is not a Go program (no pclntab or build info)",
 * GPM_ERR_NOMEM. Anything else degrades to a warning.
 */
struct gpm_error *gpm_goimage_open(struct gpm_exe *exe, struct gpm_memory *mem, uint64_t bias,
                                   struct gpm_goimage **out);
void gpm_goimage_destroy(struct gpm_goimage *img);

size_t gpm_goimage_warning_count(const struct gpm_goimage *img);
/* Borrowed until the image is destroyed. */
const char *gpm_goimage_warning(const struct gpm_goimage *img, size_t i);

/* Reads program memory at a run-time address (mem when present, else the executable). */
struct gpm_error *gpm_goimage_read(struct gpm_goimage *img, uint64_t addr, void *buf, size_t len);
/* A pointer-sized little-endian word. */
struct gpm_error *gpm_goimage_word(struct gpm_goimage *img, uint64_t addr, uint64_t *out);

/* Address of a symbol (run-time), from the symbol table; false when stripped or absent. */
bool gpm_goimage_symbol(struct gpm_goimage *img, const char *name, uint64_t *addr, uint64_t *size);

/*
 * The layout of a runtime struct type by its Go name ("runtime.g"), from DWARF if present,
 * else from the type descriptors. Cached: *out is borrowed until the image is destroyed.
 * GPM_ERR_NOT_FOUND when the binary does not carry that type.
 */
struct gpm_error *gpm_goimage_layout(struct gpm_goimage *img, const char *name,
                                     const struct gpm_layout **out);
/* Same, forcing one source (for cross-checks). Not cached; free with gpm_layout_destroy. */
struct gpm_error *gpm_goimage_layout_from(struct gpm_goimage *img, const char *name,
                                          enum gpm_layout_source source, struct gpm_layout **out);
void gpm_layout_destroy(struct gpm_layout *layout);

/*
 * Wait-reason strings (runtime.waitReasonStrings of this binary): index -> string, NULL when
 * out of range or not found. The table is located on first use.
 */
const char *gpm_goimage_waitreason(struct gpm_goimage *img, uint64_t index);
size_t gpm_goimage_waitreason_count(struct gpm_goimage *img);

const char *gpm_goimage_how_name(enum gpm_goimage_how how);

#define GPM_GOIMAGE_MAX_WAITREASONS 128

/* A global variable of the program, from DWARF. */
struct gpm_goimage_global {
	const char *name; /* borrowed from the DWARF data */
	uint64_t addr, size;
	uint64_t type;            /* its runtime type descriptor; 0 when the binary has none */
	uint64_t slice_elem_type; /* a slice without a descriptor: that of its elements */
};
typedef void gpm_goimage_global_fn(void *ctx, const struct gpm_goimage_global *g);

/* Calls fn for each global variable DWARF describes whose type descriptor is known;
 * returns how many (none without DWARF; at most GPM_GOIMAGE_MAX_GLOBALS). */
size_t gpm_goimage_dwarf_globals(struct gpm_goimage *img, gpm_goimage_global_fn *fn, void *ctx);

#define GPM_GOIMAGE_MAX_GLOBALS (1u << 20)

#endif
