/*
 * Executables: an ELF executable or shared object read with libelf from a gpm_source (so a
 * compressed executable works too). Gives sections by name, program headers, symbols when
 * present, build ids, DWARF through libdw, and reads of its file-backed virtual memory.
 * Addresses are link-time (unrelocated); callers add a load bias for PIE.
 */
#ifndef GPM_ELF_EXE_H
#define GPM_ELF_EXE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/source.h"

struct gpm_exe;
typedef struct Dwarf Dwarf;

struct gpm_exe_section {
	const char *name;    /* borrowed from the ELF string table */
	uint64_t addr;       /* sh_addr */
	uint64_t size;       /* sh_size */
	uint64_t offset;     /* sh_offset */
	uint32_t type;       /* SHT_* */
	uint64_t flags;      /* SHF_* */
	const uint8_t *data; /* size bytes inside the file; NULL for SHT_NOBITS or out of file */
};

struct gpm_exe_segment {
	uint64_t vaddr, memsz, offset, filesz;
	uint32_t type, flags; /* PT_*, PF_* */
};

/* Opens (and decompresses) path. Errors: GPM_ERR_OS, GPM_ERR_FORMAT ("not an ELF file"). */
struct gpm_error *gpm_exe_open(const char *path, struct gpm_exe **out);
/* Takes ownership of src (destroyed on failure too). */
struct gpm_error *gpm_exe_from_source(struct gpm_source *src, struct gpm_exe **out);
void gpm_exe_destroy(struct gpm_exe *exe);

const char *gpm_exe_path(const struct gpm_exe *exe);
const uint8_t *gpm_exe_bytes(const struct gpm_exe *exe, size_t *size);
uint16_t gpm_exe_machine(const struct gpm_exe *exe); /* EM_X86_64, EM_AARCH64, ... */
bool gpm_exe_is_pie(const struct gpm_exe *exe);      /* ET_DYN */
unsigned gpm_exe_ptr_size(const struct gpm_exe *exe);
uint64_t gpm_exe_entry(const struct gpm_exe *exe);

size_t gpm_exe_section_count(const struct gpm_exe *exe);
const struct gpm_exe_section *gpm_exe_section_at(const struct gpm_exe *exe, size_t i);
/* NULL when absent. */
const struct gpm_exe_section *gpm_exe_section(const struct gpm_exe *exe, const char *name);
/* The section containing addr, NULL when none. */
const struct gpm_exe_section *gpm_exe_section_for_addr(const struct gpm_exe *exe, uint64_t addr);

size_t gpm_exe_segment_count(const struct gpm_exe *exe);
const struct gpm_exe_segment *gpm_exe_segment_at(const struct gpm_exe *exe, size_t i);

/* Symbol table (.symtab, else .dynsym). False when stripped or not found. */
bool gpm_exe_has_symbols(const struct gpm_exe *exe);
bool gpm_exe_symbol(const struct gpm_exe *exe, const char *name, uint64_t *addr, uint64_t *size);
/* Every symbol, in name order (i < gpm_exe_symbol_count); false past the end. *name is
 * borrowed from the executable; addresses are link-time. */
size_t gpm_exe_symbol_count(const struct gpm_exe *exe);
bool gpm_exe_symbol_at(const struct gpm_exe *exe, size_t i, const char **name, uint64_t *addr,
                       uint64_t *size);

/* GNU build id as lowercase hex (NULL when absent); Go build id string (NULL when absent). */
const char *gpm_exe_gnu_build_id(const struct gpm_exe *exe);
const char *gpm_exe_go_build_id(const struct gpm_exe *exe);

/* DWARF via libdw; NULL when the executable has none (-w) or it is unreadable. Owned by exe. */
Dwarf *gpm_exe_dwarf(struct gpm_exe *exe);

/*
 * C code. The function symbol (.symtab and .dynsym, STT_FUNC) containing the link-time
 * address addr: its name (borrowed from the executable) and start. False when none.
 */
bool gpm_exe_func_for_addr(struct gpm_exe *exe, uint64_t addr, const char **name, uint64_t *start);
/*
 * Data. The sized symbol of a data section (.data, .bss, .noptrdata, .noptrbss) containing
 * the link-time address addr (a global variable): its name (borrowed) and start. False when
 * none or the executable has no symbol table.
 */
bool gpm_exe_data_for_addr(struct gpm_exe *exe, uint64_t addr, const char **name, uint64_t *start);
/* The source file (borrowed) and line of addr from DWARF line tables; false without. */
bool gpm_exe_source_line(struct gpm_exe *exe, uint64_t addr, const char **file, uint32_t *line);
/* DWARF register numbers of amd64 used by the call frame rules. */
enum { GPM_EXE_DWARF_RBP = 6, GPM_EXE_DWARF_RSP = 7 };
/*
 * How to find the caller of the amd64 code at link-time pc from its call frame information
 * (.eh_frame, read by libdw): CFA = register cfa_reg + cfa_offset; the return address is
 * at CFA + ra_offset; rbp is saved at CFA + rbp_offset when rbp_saved, else unchanged; the
 * caller's rsp is the CFA. False when the executable has no rule for pc or the rule has a
 * form other than these (DWARF expressions).
 */
struct gpm_exe_cfi_rule {
	int cfa_reg; /* GPM_EXE_DWARF_RSP or GPM_EXE_DWARF_RBP */
	int64_t cfa_offset, ra_offset, rbp_offset;
	bool rbp_saved;
};
bool gpm_exe_cfi_rule(struct gpm_exe *exe, uint64_t pc, struct gpm_exe_cfi_rule *out);
/*
 * Reads len bytes at link-time virtual address addr from the file-backed part of the PT_LOAD
 * segments; bytes past p_filesz inside p_memsz read as zero (.bss). GPM_ERR_FAULT otherwise.
 */
struct gpm_error *gpm_exe_read(const struct gpm_exe *exe, uint64_t addr, void *buf, size_t len);

#endif
