/*
 * ELF core files: the program headers (PT_LOAD: what the kernel dumped of each mapping) and
 * the notes (one NT_PRSTATUS per thread, NT_PRPSINFO, NT_SIGINFO, NT_AUXV, NT_FILE) of a
 * core read from a gpm_source, so .zst cores and systemd-coredump's core.*.zst work too.
 * Segment bytes are borrowed from the source and never copied. Damage that leaves the rest
 * usable (a truncated file, a bad note, a count above a cap) becomes a warning, not an error.
 *
 * Everything returned is borrowed from the core and lives until gpm_core_destroy.
 */
#ifndef GPM_CORE_CORE_H
#define GPM_CORE_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/source.h"
#include "core/arch.h"

struct gpm_core;

struct gpm_core_segment {
	uint64_t vaddr, memsz; /* [vaddr, vaddr + memsz) in the process */
	uint64_t offset;       /* p_offset */
	uint64_t filesz;       /* p_filesz: bytes the kernel meant to dump (0: not dumped) */
	uint64_t present;      /* bytes of filesz actually in the file (< filesz if truncated) */
	const uint8_t *data;   /* present bytes; NULL when present is 0 */
	uint32_t flags;        /* PF_R | PF_W | PF_X */
};

struct gpm_core_thread {
	uint32_t tid;
	int32_t signal;                  /* pr_cursig: 0 unless this thread took the signal */
	uint64_t pc, sp, bp, tls;        /* generic views of regs (tls: fs_base on amd64) */
	struct gpm_arch_regs regs;       /* all registers, names in gpm_core_arch()->reg_names */
	struct gpm_arch_prstatus status; /* everything else NT_PRSTATUS said */
};

/* NT_SIGINFO (the kernel's siginfo_t for the signal that killed the process); without that
 * note (qemu-user's cores), signo and code from the dumping thread's NT_PRSTATUS. */
struct gpm_core_siginfo {
	int32_t signo, code, errno_value;
	bool has_addr; /* SIGSEGV, SIGBUS, SIGILL, SIGFPE: addr is the faulting address */
	uint64_t addr;
	bool has_sender; /* si_code <= 0 (kill, tkill, sigqueue): the sender's pid and uid */
	uint32_t sender_pid, sender_uid;
	bool code_unknown; /* only the signal number is known (qemu writes no NT_SIGINFO) */
};

/* NT_PRPSINFO. Strings are NUL-terminated copies, untrusted (make them safe to print). */
struct gpm_core_psinfo {
	char state; /* pr_sname: 'R', 'S', 'D', 'T', 'Z' ... */
	uint32_t uid, gid, pid, ppid, pgrp, sid;
	uint64_t flags;
	char fname[17];  /* pr_fname: the command name, at most 16 bytes */
	char psargs[81]; /* pr_psargs: the command line, spaces between arguments, cut at 80 */
};

/* One NT_FILE entry: a file mapped at [start, end), with its first byte at file offset. */
struct gpm_core_file {
	uint64_t start, end;
	uint64_t offset;  /* bytes (the note's page offset times its page size) */
	const char *path; /* untrusted, NUL-terminated, borrowed from the core's bytes */
};

struct gpm_core_auxv {
	uint64_t type, value; /* AT_* */
};

/* Opens (and decompresses) a core. GPM_ERR_FORMAT when it is not an ELF core,
 * GPM_ERR_UNSUPPORTED for an architecture not implemented. */
struct gpm_error *gpm_core_open(const char *path, struct gpm_core **out);
/* Takes ownership of src (destroyed on failure too). */
struct gpm_error *gpm_core_from_source(struct gpm_source *src, struct gpm_core **out);
void gpm_core_destroy(struct gpm_core *core);

const char *gpm_core_path(const struct gpm_core *core);
const uint8_t *gpm_core_bytes(const struct gpm_core *core, size_t *size);
const struct gpm_arch_ops *gpm_core_arch(const struct gpm_core *core);
uint16_t gpm_core_machine(const struct gpm_core *core);
unsigned gpm_core_ptr_size(const struct gpm_core *core);

/* PT_LOAD segments, sorted by vaddr. */
size_t gpm_core_segment_count(const struct gpm_core *core);
const struct gpm_core_segment *gpm_core_segment_at(const struct gpm_core *core, size_t i);
/* The segment containing addr, NULL when none. */
const struct gpm_core_segment *gpm_core_segment_for_addr(const struct gpm_core *core,
                                                         uint64_t addr);

/* Threads in note order; the kernel writes the thread that dumped (took the signal) first. */
size_t gpm_core_thread_count(const struct gpm_core *core);
const struct gpm_core_thread *gpm_core_thread_at(const struct gpm_core *core, size_t i);
/* The first thread with a nonzero signal, else the first thread; NULL without threads. */
const struct gpm_core_thread *gpm_core_signal_thread(const struct gpm_core *core);

/* NULL when the note is absent. */
const struct gpm_core_siginfo *gpm_core_siginfo(const struct gpm_core *core);
const struct gpm_core_psinfo *gpm_core_psinfo(const struct gpm_core *core);

/*
 * Whether the core is a snapshot of a live process rather than a record of its death: the
 * signal it records (NT_SIGINFO, else the threads' pr_cursig) is not one whose default
 * action dumps core — gdb's gcore records the SIGSTOP it stopped the process with, or
 * nothing — or it is the SIGTRAP of a breakpoint in a core gdb wrote. *signo (may be NULL)
 * gets that signal (0: none recorded).
 */
bool gpm_core_is_snapshot(const struct gpm_core *core, int *signo);
/* True when gdb wrote the core (gcore, generate-core-file): it carries a "GDB" note. */
bool gpm_core_by_gdb(const struct gpm_core *core);

size_t gpm_core_file_count(const struct gpm_core *core);
const struct gpm_core_file *gpm_core_file_at(const struct gpm_core *core, size_t i);
/* The NT_FILE mapping containing addr, NULL when none. */
const struct gpm_core_file *gpm_core_file_for_addr(const struct gpm_core *core, uint64_t addr);

size_t gpm_core_auxv_count(const struct gpm_core *core);
const struct gpm_core_auxv *gpm_core_auxv_at(const struct gpm_core *core, size_t i);
/* The value of the first auxv entry of type; false when absent. */
bool gpm_core_auxv_get(const struct gpm_core *core, uint64_t type, uint64_t *value);
/* AT_EXECFN read from the dumped stack (untrusted); NULL when absent or not dumped. */
const char *gpm_core_execfn(const struct gpm_core *core);

/*
 * The main executable's path as mapped (the NT_FILE entry containing AT_ENTRY, else AT_PHDR),
 * and the lowest address it is mapped at (where its file offset 0 is, normally); NULL when
 * unknown.
 */
const char *gpm_core_exe_mapping(const struct gpm_core *core, uint64_t *base);

/* Reads bytes the core holds (dumped segment bytes only; no executable, no zero fill).
 * GPM_ERR_FAULT otherwise. gpm_memory is the full reader. */
struct gpm_error *gpm_core_read(const struct gpm_core *core, uint64_t addr, void *buf, size_t len);

/* Gives back the resident pages of an uncompressed core file (see gpm_source_release_pages);
 * everything borrowed from the core stays valid. */
void gpm_core_release_pages(struct gpm_core *core);
/* The source the core's segment bytes are borrowed from (borrowed, lives as the core). */
const struct gpm_source *gpm_core_source(const struct gpm_core *core);
/* Non-fatal problems found while reading the core ("core truncated: ..."). */
size_t gpm_core_warning_count(const struct gpm_core *core);
const char *gpm_core_warning_at(const struct gpm_core *core, size_t i);

#endif
