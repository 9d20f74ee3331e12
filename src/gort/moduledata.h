/*
 * runtime.firstmoduledata: the linker-built descriptor of the Go module (runtime/symtab.go
 * moduledata, Go 1.16-1.27). It gives the text, data and bss bounds, the type descriptors'
 * region [types, etypes), gofunc (base of funcdata) and the typelinks. Field positions move
 * between versions, so the layout family is chosen from the pclntab magic and then
 * confirmed by the content of the words (see moduledata.c).
 */
#ifndef GPM_GORT_MODULEDATA_H
#define GPM_GORT_MODULEDATA_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "gort/pclntab.h"

enum gpm_moduledata_layout {
	GPM_MODULEDATA_116, /* Go 1.16-1.17 */
	GPM_MODULEDATA_118, /* Go 1.18-1.19: + rodata, gofunc */
	GPM_MODULEDATA_120, /* Go 1.20-1.25: + covctrs, ecovctrs */
	GPM_MODULEDATA_126, /* Go 1.26: + epclntab */
	GPM_MODULEDATA_127, /* Go 1.27+: + typedesclen, itaboffset, itabsize; no typelinks */
};

/* All addresses are run-time addresses (load bias applied). 0 when the version lacks it. */
struct gpm_moduledata {
	uint64_t addr; /* of the moduledata itself */
	enum gpm_moduledata_layout layout;
	uint64_t pcheader;
	uint64_t ftab, nftab;
	uint64_t minpc, maxpc;
	uint64_t text, etext;
	uint64_t noptrdata, enoptrdata;
	uint64_t data, edata;
	uint64_t bss, ebss;
	uint64_t noptrbss, enoptrbss;
	uint64_t end, gcdata, gcbss;
	uint64_t types, etypes, typedesclen;
	uint64_t rodata, gofunc, epclntab;
	uint64_t typelinks, ntypelinks; /* []int32 offsets from types (<= 1.26) */
	uint64_t itablinks, nitablinks; /* []*itab (<= 1.26) */
	uint64_t itaboffset, itabsize;  /* 1.27+ */
};

/* Reads len bytes at run-time address addr; false when unreadable. */
typedef bool gpm_moduledata_read_fn(void *ctx, uint64_t addr, void *buf, size_t len);

/*
 * Decodes the moduledata at addr, given the pclntab it must point at (pclntab_addr is its
 * run-time address). adjust is added to every non-zero address read (the load bias when the
 * words come from the unrelocated file, 0 when they come from process memory).
 * Errors: GPM_ERR_FAULT, GPM_ERR_FORMAT (fields fail validation).
 */
struct gpm_error *gpm_moduledata_decode(gpm_moduledata_read_fn *read, void *ctx, uint64_t addr,
                                        unsigned ptr_size, enum gpm_pclntab_format format,
                                        uint64_t pclntab_addr, uint64_t pclntab_size,
                                        uint64_t adjust, struct gpm_moduledata *out);

const char *gpm_moduledata_layout_name(enum gpm_moduledata_layout layout);

#endif
