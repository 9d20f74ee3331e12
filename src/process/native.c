/*
 * Native stacks through libdwfl (see native.h). The Dwfl gets one module per ELF file the
 * core maps (NT_FILE, the mapping at file offset 0): the executable from gopm's own verified
 * copy (written to a memfd, since it may have been decompressed), every other file from its
 * path only when it is a regular ELF file whose GNU build id equals the one the core's
 * memory holds at the mapping. Thread state comes from the core's NT_PRSTATUS registers and
 * every byte of memory from gpm_memory, so gcore snapshots (no text segments) unwind too.
 */
#include "process/native.h"

#include <elf.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/vec.h"

enum { MAX_MODULES = 4096, MAX_NOTES = 64, BUILD_ID_MAX = 64, MAX_LINK_MAP = 512 };

/* A module libdwfl has no file for (missing here, another build): its frames carry its name. */
struct missing {
	uint64_t start, end;
	char *name;
};

struct gpm_native {
	struct gpm_process *p;
	Dwfl *dwfl; /* NULL: frame pointers only */
	bool attached;
	Dwfl_Module *exe_mod; /* the executable's module; NULL when not reported */
	Dwfl_Callbacks cb;
	char *debuginfo_path;
	GPM_VEC(char *) notes;
	GPM_VEC(struct missing) missing;
	/* The walk in progress. */
	const struct gpm_core_thread *cur;
	struct gpm_native_frame *frames;
	size_t nframes, max;
	bool (*stop)(void *arg, uint64_t pc);
	void *stop_arg;
	bool faulted;
	uint64_t fault_addr;
	bool override; /* start from pc/sp below instead of the thread's (after a stack scan) */
	struct gpm_native_frame *kept; /* the CFI walk's frames while frame pointers are tried */
	uint64_t override_pc, override_sp;
	char problem[160];
};

static void note(struct gpm_native *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct gpm_native *n, const char *fmt, ...)
{
	if (n->notes.len >= MAX_NOTES)
		return;
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	char *s = strdup(buf);
	char **slot = s ? gpm_vec_push(&n->notes) : NULL;
	if (slot)
		*slot = s;
	else
		free(s);
}

size_t gpm_native_note_count(const struct gpm_native *n)
{
	return n ? n->notes.len : 0;
}

const char *gpm_native_note_at(const struct gpm_native *n, size_t i)
{
	return n && i < n->notes.len ? n->notes.v[i] : NULL;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static void hex(const uint8_t *b, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	out[2 * len] = 0;
}

/* Remembers [start, end) as the module name whose file is not used. */
static void add_missing(struct gpm_native *n, const char *path, uint64_t start, uint64_t end)
{
	char *name = end > start ? strdup(base_name(path)) : NULL;
	struct missing *m = name ? gpm_vec_push(&n->missing) : NULL;
	if (m)
		*m = (struct missing){start, end, name};
	else
		free(name);
}

/* Reads through the process memory; false (the error dropped) when not readable. */
static bool mread(struct gpm_memory *mem, uint64_t addr, void *buf, size_t len)
{
	struct gpm_error *err = gpm_memory_read(mem, addr, buf, len);
	gpm_error_destroy(err);
	return !err;
}

static bool mword(struct gpm_memory *mem, uint64_t addr, uint64_t *v)
{
	return mread(mem, addr, v, sizeof(*v));
}

/*
 * The GNU build id of the ELF image mapped at start, read from process memory: the ELF
 * header, its program headers, the PT_NOTE segments (at start + p_vaddr - first PT_LOAD's
 * vaddr). False when any of it is not readable (not dumped) or there is none.
 */
static bool mem_build_id(struct gpm_memory *mem, uint64_t start, uint8_t *id, size_t *len)
{
	Elf64_Ehdr eh;
	if (!mread(mem, start, &eh, sizeof(eh)) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr) ||
	    eh.e_phnum > 64)
		return false;
	Elf64_Phdr ph[64];
	if (!mread(mem, start + eh.e_phoff, ph, eh.e_phnum * sizeof(Elf64_Phdr)))
		return false;
	uint64_t first = UINT64_MAX;
	for (unsigned i = 0; i < eh.e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && first == UINT64_MAX)
			first = ph[i].p_vaddr & ~(uint64_t)0xfff;
	if (first == UINT64_MAX)
		return false;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type != PT_NOTE || ph[i].p_filesz > 4096 || ph[i].p_vaddr < first)
			continue;
		uint8_t buf[4096];
		uint64_t at;
		if (__builtin_add_overflow(start, ph[i].p_vaddr - first, &at) ||
		    !mread(mem, at, buf, ph[i].p_filesz))
			continue;
		for (size_t off = 0; off + 12 <= ph[i].p_filesz;) {
			uint32_t nsz, dsz, type;
			memcpy(&nsz, buf + off, 4);
			memcpy(&dsz, buf + off + 4, 4);
			memcpy(&type, buf + off + 8, 4);
			size_t name = off + 12, desc = name + ((nsz + 3u) & ~3u);
			if (nsz > 4096 || dsz > 4096 || desc + dsz > ph[i].p_filesz)
				break;
			if (type == NT_GNU_BUILD_ID && nsz == 4 && !memcmp(buf + name, "GNU", 4) &&
			    dsz && dsz <= BUILD_ID_MAX) {
				memcpy(id, buf + desc, dsz);
				*len = dsz;
				return true;
			}
			off = desc + ((dsz + 3u) & ~3u);
		}
	}
	return false;
}

/* Reports the executable gopm verified, from its bytes (it may have been decompressed). */
static void report_exe(struct gpm_native *n, const char *name, uint64_t base)
{
	size_t size;
	const uint8_t *b = gpm_exe_bytes(n->p->exe, &size);
	int fd = b ? memfd_create("gopm-exe", MFD_CLOEXEC) : -1;
	if (fd < 0) {
		note(n, "%s: %s: its C frames are named without call frame information", name,
		     strerror(errno));
		return;
	}
	for (size_t done = 0; done < size;) {
		ssize_t w = write(fd, b + done, size - done);
		if (w <= 0) {
			note(n, "%s: %s", name, strerror(w < 0 ? errno : EIO));
			close(fd);
			return;
		}
		done += (size_t)w;
	}
	if (!(n->exe_mod = dwfl_report_elf(n->dwfl, name, name, fd, base, false))) {
		note(n, "%s: %s", name, dwfl_errmsg(-1));
		close(fd);
	}
}

/* The address of the file's PT_DYNAMIC relative to its first PT_LOAD; false when none. */
static bool file_dynamic(Elf *elf, uint64_t *rel)
{
	size_t phnum;
	if (elf_getphdrnum(elf, &phnum))
		return false;
	uint64_t first = UINT64_MAX, dyn = UINT64_MAX;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph))
			return false;
		if (ph.p_type == PT_LOAD && first == UINT64_MAX)
			first = ph.p_vaddr & ~(uint64_t)0xfff;
		if (ph.p_type == PT_DYNAMIC)
			dyn = ph.p_vaddr;
	}
	if (first == UINT64_MAX || dyn == UINT64_MAX || dyn < first)
		return false;
	*rel = dyn - first;
	return true;
}

/*
 * Reports the library at path mapped at [start, end) when it is the build the core ran: its
 * GNU build id equals the one in the core's memory, or, when the core holds no ELF header of
 * it (qemu's cores), its dynamic section is where the dynamic loader found it (ld, 0: not
 * known). A library not used is kept as a named range: its frames carry the module name.
 */
static void report_library(struct gpm_native *n, const char *path, uint64_t start, uint64_t end,
                           uint64_t ld)
{
	const char *name = base_name(path);
	uint8_t want[BUILD_ID_MAX];
	size_t want_len = 0;
	bool known = mem_build_id(n->p->mem, start, want, &want_len);
	// The path is the core's word: open nothing that is not a regular file (a FIFO would
	// block, a device would never end).
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		if (known || ld) { // a mapped file that is not ELF (locale archive) has no id
			note(n, "%s: not found on this machine: its frames are unnamed", path);
			add_missing(n, path, start, end);
		}
		return;
	}
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	const void *id = NULL;
	bool is_elf = elf && elf_kind(elf) == ELF_K_ELF;
	ssize_t id_len = is_elf ? dwelf_elf_gnu_build_id(elf, &id) : -1;
	uint64_t dyn;
	if (!is_elf) {
		elf_end(elf);
		close(fd);
		return;
	}
	if (known && (id_len != (ssize_t)want_len || memcmp(id, want, want_len))) {
		char a[2 * BUILD_ID_MAX + 1], b[2 * BUILD_ID_MAX + 1] = "none";
		hex(want, want_len, a);
		if (id_len > 0 && id_len <= BUILD_ID_MAX)
			hex(id, (size_t)id_len, b);
		note(n,
		     "%s: the file on this machine is another build (build id %s, the core's %s): "
		     "its frames are unnamed",
		     path, b, a);
		add_missing(n, path, start, end);
		elf_end(elf);
		close(fd);
		return;
	}
	if (!known && ld && (!file_dynamic(elf, &dyn) || start + dyn != ld)) {
		note(n,
		     "%s: the file on this machine is another build (its dynamic section is not "
		     "where the core's loader found it): its frames are unnamed",
		     path);
		add_missing(n, path, start, end);
		elf_end(elf);
		close(fd);
		return;
	}
	elf_end(elf);
	if (!dwfl_report_elf(n->dwfl, name, path, fd, start, false)) {
		note(n, "%s: %s", path, dwfl_errmsg(-1));
		add_missing(n, path, start, end);
		close(fd);
	}
}

/*
 * Cores without NT_FILE (qemu-user's): the shared libraries from the dynamic loader's list,
 * r_debug (the executable's DT_DEBUG) and its link_map chain in the core's data. Each one's
 * end is that of the core's segments from the one holding its dynamic section on (its data
 * and bss), enough to tell whose code a pc is in.
 */
static void report_link_map(struct gpm_native *n)
{
	struct gpm_memory *mem = n->p->mem;
	uint64_t phdr, phnum, rdebug = 0, map = 0;
	if (!gpm_core_auxv_get(n->p->core, AT_PHDR, &phdr) ||
	    !gpm_core_auxv_get(n->p->core, AT_PHNUM, &phnum) || phnum > 64)
		return;
	Elf64_Phdr ph[64];
	if (!mread(mem, phdr, ph, phnum * sizeof(Elf64_Phdr)))
		return;
	uint64_t bias = 0, dyn = 0, dynsz = 0;
	for (unsigned i = 0; i < phnum; i++)
		if (ph[i].p_type == PT_PHDR)
			bias = phdr - ph[i].p_vaddr;
	for (unsigned i = 0; i < phnum; i++)
		if (ph[i].p_type == PT_DYNAMIC) {
			dyn = bias + ph[i].p_vaddr;
			dynsz = ph[i].p_memsz;
		}
	for (uint64_t off = 0; dyn && off + 16 <= dynsz && off < 4096 * 16; off += 16) {
		uint64_t tag, val;
		if (!mword(mem, dyn + off, &tag) || !mword(mem, dyn + off + 8, &val) ||
		    tag == DT_NULL)
			break;
		if (tag == DT_DEBUG)
			rdebug = val;
	}
	if (!rdebug || !mword(mem, rdebug + 8, &map)) // struct r_debug: r_version, r_map
		return;
	for (unsigned k = 0; map && k < MAX_LINK_MAP; k++) {
		// struct link_map: l_addr, l_name, l_ld, l_next.
		uint64_t l[4];
		char path[4096];
		if (!mread(mem, map, l, sizeof(l)))
			break;
		size_t len = 0;
		for (; l[1] && len + 1 < sizeof(path); len++)
			if (!mread(mem, l[1] + len, path + len, 1) || !path[len])
				break;
		path[len] = 0;
		const struct gpm_core_segment *s = gpm_core_segment_for_addr(n->p->core, l[2]);
		if (path[0] == '/' && s && l[0] <= l[2]) {
			uint64_t end = s->vaddr + s->memsz;
			for (const struct gpm_core_segment *t;
			     (t = gpm_core_segment_for_addr(n->p->core, end)) && t->vaddr == end &&
			     (t->flags & PF_W);)
				end = t->vaddr + t->memsz;
			report_library(n, path, l[0], end, l[2]);
		}
		map = l[3];
	}
}

/* ---- thread callbacks: one thread at a time, the one being unwound ---- */

static pid_t cb_next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	(void)dwfl;
	(void)arg;
	(void)thread_argp;
	return 0; // threads are asked for by id (gpm_native_unwind), never listed
}

static bool cb_get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp)
{
	(void)dwfl;
	struct gpm_native *n = arg;
	if (!n->cur || (pid_t)n->cur->tid != tid)
		return false;
	*thread_argp = n;
	return true;
}

static bool cb_memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	(void)dwfl;
	struct gpm_native *n = arg;
	uint64_t v;
	if (!mword(n->p->mem, addr, &v)) {
		if (!n->faulted) {
			n->faulted = true;
			n->fault_addr = addr;
		}
		return false;
	}
	*result = v;
	return true;
}

static bool cb_set_initial_registers(Dwfl_Thread *thread, void *thread_arg)
{
	struct gpm_native *n = thread_arg;
	const struct gpm_core_thread *t = n->cur;
	const struct gpm_arch_ops *arch = gpm_core_arch(n->p->core);
	Dwarf_Word r[33];
	if (arch->machine == EM_X86_64) {
		// DWARF numbering (x86-64 psABI): rax rdx rcx rbx rsi rdi rbp rsp r8-r15 rip;
		// gopm's order (arch_x86_64.c): rax rbx rcx rdx rdi rsi rbp rsp r8-r15 rip.
		static const unsigned from[17] = {0, 3,  2,  1,  5,  4,  6,  7, 8,
		                                  9, 10, 11, 12, 13, 14, 15, 16};
		for (unsigned i = 0; i < 17; i++)
			r[i] = t->regs.v[from[i]];
		if (n->override) {
			r[7] = n->override_sp;
			r[16] = n->override_pc;
		}
		return dwfl_thread_state_registers(thread, 0, 17, r);
	}
	if (arch->machine == EM_AARCH64) {
		// x0-x30 and sp are DWARF 0-31, as gopm keeps them; the pc apart.
		for (unsigned i = 0; i < 32; i++)
			r[i] = t->regs.v[i];
		if (n->override) {
			r[30] = 0;
			r[31] = n->override_sp;
		}
		if (!dwfl_thread_state_registers(thread, 0, 32, r))
			return false;
		dwfl_thread_state_register_pc(thread, n->override ? n->override_pc : t->regs.v[32]);
		return true;
	}
	return false;
}

static const Dwfl_Thread_Callbacks thread_callbacks = {
    .next_thread = cb_next_thread,
    .get_thread = cb_get_thread,
    .memory_read = cb_memory_read,
    .set_initial_registers = cb_set_initial_registers,
};

struct gpm_error *gpm_native_create(struct gpm_process *p, struct gpm_native **out)
{
	struct gpm_native *n = calloc(1, sizeof(*n));
	if (!n)
		return &gpm_error_nomem;
	n->p = p;
	if (!(n->kept = calloc(GPM_NATIVE_MAX_FRAMES, sizeof(*n->kept)))) {
		free(n);
		return &gpm_error_nomem;
	}
	if (p->debug_root) {
		// ":.debug:ROOT": beside the file, its .debug directory, then ROOT/.build-id; the
		// system's tree too (the libraries' debug files are installed there).
		bool sys = !strcmp(p->debug_root, "/usr/lib/debug");
		size_t len = strlen(p->debug_root) + 32;
		if (!(n->debuginfo_path = malloc(len))) {
			free(n->kept);
			free(n);
			return &gpm_error_nomem;
		}
		snprintf(n->debuginfo_path, len, ":.debug:%s%s", p->debug_root,
		         sys ? "" : ":/usr/lib/debug");
	}
	n->cb = (Dwfl_Callbacks){.find_elf = dwfl_build_id_find_elf,
	                         .find_debuginfo = dwfl_standard_find_debuginfo,
	                         .debuginfo_path = n->debuginfo_path ? &n->debuginfo_path : NULL};
	elf_version(EV_CURRENT);
	n->dwfl = dwfl_begin(&n->cb);
	if (!n->dwfl) {
		note(n, "libdwfl: %s: native stacks by frame pointers only", dwfl_errmsg(-1));
		*out = n;
		return NULL;
	}
	dwfl_report_begin(n->dwfl);
	uint64_t exe_base = 0;
	const char *exe_path = p->exe ? gpm_core_exe_mapping(p->core, &exe_base) : NULL;
	bool exe_done = false;
	size_t nfiles = gpm_core_file_count(p->core), modules = 0;
	for (size_t i = 0; i < nfiles && modules < MAX_MODULES; i++) {
		const struct gpm_core_file *f = gpm_core_file_at(p->core, i);
		if (f->offset != 0 || !f->path[0] || f->path[0] != '/')
			continue;
		bool seen = false; // a file mapped twice at offset 0 (rare): the first mapping
		for (size_t j = 0; j < i && !seen; j++) {
			const struct gpm_core_file *g = gpm_core_file_at(p->core, j);
			seen = g->offset == 0 && !strcmp(g->path, f->path);
		}
		if (seen)
			continue;
		modules++;
		if (exe_path && !exe_done && f->start == exe_base && !strcmp(f->path, exe_path)) {
			exe_done = true;
			report_exe(n, base_name(f->path), f->start);
		} else {
			uint64_t end = f->end; // the file's last mapping ends the module
			for (size_t j = i + 1; j < nfiles; j++) {
				const struct gpm_core_file *g = gpm_core_file_at(p->core, j);
				if (!strcmp(g->path, f->path) && g->end > end)
					end = g->end;
			}
			report_library(n, f->path, f->start, end, 0);
		}
	}
	if (p->exe && !exe_done && !nfiles) {
		// No NT_FILE (qemu): the executable at its vaddr or, a PIE, at the load bias;
		// the libraries from the dynamic loader's list.
		report_exe(n, base_name(gpm_exe_path(p->exe)),
		           gpm_exe_is_pie(p->exe) ? p->bias : 0);
		report_link_map(n);
	}
	dwfl_report_end(n->dwfl, NULL, NULL);
	pid_t pid = 1;
	const struct gpm_core_psinfo *ps = gpm_core_psinfo(p->core);
	if (ps && ps->pid)
		pid = (pid_t)ps->pid;
	n->attached = dwfl_attach_state(n->dwfl, NULL, pid, &thread_callbacks, n);
	if (!n->attached)
		note(n, "libdwfl: %s: native stacks by frame pointers only", dwfl_errmsg(-1));
	*out = n;
	return NULL;
}

void gpm_native_destroy(struct gpm_native *n)
{
	if (!n)
		return;
	if (n->dwfl)
		dwfl_end(n->dwfl);
	for (size_t i = 0; i < n->notes.len; i++)
		free(n->notes.v[i]);
	gpm_vec_free(&n->notes);
	for (size_t i = 0; i < n->missing.len; i++)
		free(n->missing.v[i].name);
	gpm_vec_free(&n->missing);
	free(n->debuginfo_path);
	free(n->kept);
	free(n);
}

/* Names f from the Dwfl's modules: symbol, module, file:line. */
static void name_frame(struct gpm_native *n, struct gpm_native_frame *f)
{
	if (!n->dwfl)
		return;
	Dwarf_Addr look = f->exact || !f->pc ? f->pc : f->pc - 1; // a return address: the call
	Dwfl_Module *mod = dwfl_addrmodule(n->dwfl, look);
	if (!mod) {
		for (size_t i = 0; i < n->missing.len; i++) {
			const struct missing *m = &n->missing.v[i];
			if (look >= m->start && look < m->end) {
				f->module = m->name;
				f->modoff = f->pc - m->start;
				return;
			}
		}
		return;
	}
	Dwarf_Addr mstart = 0;
	f->module = dwfl_module_info(mod, NULL, &mstart, NULL, NULL, NULL, NULL, NULL);
	f->modoff = f->pc - mstart;
	GElf_Off off = 0;
	GElf_Sym sym;
	const char *s = dwfl_module_addrinfo(mod, look, &off, &sym, NULL, NULL, NULL);
	if (s && *s) {
		f->symbol = s;
		f->symoff = off + (f->pc - look);
	}
	Dwfl_Line *l = dwfl_module_getsrc(mod, look);
	int line = 0;
	const char *file = l ? dwfl_lineinfo(l, NULL, &line, NULL, NULL, NULL) : NULL;
	if (file && line > 0) {
		f->file = file;
		f->line = (uint32_t)line;
	}
}

bool gpm_native_name_exe(struct gpm_native *n, uint64_t pc, struct gpm_native_frame *f)
{
	*f = (struct gpm_native_frame){.pc = pc, .exact = true};
	if (!n->exe_mod || dwfl_addrmodule(n->dwfl, pc) != n->exe_mod)
		return false;
	name_frame(n, f);
	return f->symbol != NULL;
}

static bool push(struct gpm_native *n, uint64_t pc, bool exact)
{
	if (n->nframes >= n->max)
		return false;
	struct gpm_native_frame *f = &n->frames[n->nframes++];
	*f = (struct gpm_native_frame){.pc = pc, .exact = exact};
	name_frame(n, f);
	return n->nframes < n->max && !(n->nframes > 1 && n->stop && n->stop(n->stop_arg, pc));
}

static int frame_cb(Dwfl_Frame *state, void *arg)
{
	struct gpm_native *n = arg;
	Dwarf_Addr pc;
	bool activation;
	if (!dwfl_frame_pc(state, &pc, &activation) || !pc)
		return DWARF_CB_ABORT;
	// Stuck: the same frame again (a corrupt rule that gives back its own pc and CFA).
	if (n->nframes && n->frames[n->nframes - 1].pc == pc && !activation) {
		snprintf(n->problem, sizeof(n->problem), "unwinding stuck at pc 0x%" PRIx64, pc);
		return DWARF_CB_ABORT;
	}
	return push(n, pc, activation) ? DWARF_CB_OK : DWARF_CB_ABORT;
}

/* Frame pointers: [fp] is the caller's fp, [fp + 8] the return address (amd64 and arm64). */
static void fp_walk(struct gpm_native *n, uint64_t pc, uint64_t fp)
{
	if (!push(n, pc, true))
		return;
	for (size_t k = 0; k < GPM_NATIVE_MAX_FRAMES; k++) {
		uint64_t next, ret;
		if (!fp)
			return;
		if (!mword(n->p->mem, fp, &next) || !mword(n->p->mem, fp + 8, &ret)) {
			snprintf(n->problem, sizeof(n->problem),
			         "frame at 0x%" PRIx64 " not in the core", fp);
			return;
		}
		if (!ret || (next && next <= fp))
			return; // the outermost frame, or not a frame-pointer chain any more
		if (!push(n, ret, false))
			return;
		fp = next;
	}
}

/* Whether ret follows a call instruction: amd64 call rel32 or call *r/m; arm64 bl or blr. */
static bool after_call(struct gpm_native *n, uint64_t ret)
{
	uint8_t b[7];
	if (ret < sizeof(b) || !mread(n->p->mem, ret - sizeof(b), b, sizeof(b)))
		return false;
	if (gpm_core_arch(n->p->core)->machine == EM_AARCH64) {
		uint32_t insn = (uint32_t)b[3] | (uint32_t)b[4] << 8 | (uint32_t)b[5] << 16 |
		                (uint32_t)b[6] << 24;
		return (insn & 0xfc000000u) == 0x94000000u || (insn & 0xfffffc1fu) == 0xd63f0000u;
	}
	return b[2] == 0xe8 || (b[5] == 0xff && (b[6] & 0x38) == 0x10) ||
	       (b[4] == 0xff && (b[5] & 0x38) == 0x10) || (b[1] == 0xff && (b[2] & 0x38) == 0x10);
}

enum { SCAN_WORDS = 1024 };

/*
 * The innermost frame is in code of no known module (a library not on this machine, or of
 * another build): as debuggers do without its unwind tables, find the first word above sp
 * that is a return address into named code of a known module, after a call instruction.
 */
static bool scan_for_return(struct gpm_native *n, uint64_t sp, uint64_t *pc, uint64_t *slot)
{
	for (unsigned k = 0; k < SCAN_WORDS; k++) {
		uint64_t w, at = sp + 8 * (uint64_t)k;
		if (!mword(n->p->mem, at, &w))
			return false;
		if (w <= 0x1000)
			continue;
		Dwfl_Module *mod = dwfl_addrmodule(n->dwfl, w - 1);
		if (mod && dwfl_module_addrname(mod, w - 1) && after_call(n, w)) {
			*pc = w;
			*slot = at;
			return true;
		}
	}
	return false;
}

/* How many of frames a symbol names. */
static size_t named(const struct gpm_native_frame *frames, size_t len)
{
	size_t k = 0;
	for (size_t i = 0; i < len; i++)
		k += frames[i].symbol != NULL;
	return k;
}

size_t gpm_native_unwind(struct gpm_native *n, const struct gpm_core_thread *t,
                         bool (*stop)(void *arg, uint64_t pc), void *arg,
                         struct gpm_native_frame *frames, size_t max, enum gpm_native_how *how,
                         const char **problem)
{
	n->cur = t;
	n->frames = frames;
	n->max = max < GPM_NATIVE_MAX_FRAMES ? max : GPM_NATIVE_MAX_FRAMES;
	n->nframes = 0;
	n->stop = stop;
	n->stop_arg = arg;
	n->faulted = false;
	n->problem[0] = 0;
	n->override = false;
	*how = GPM_NATIVE_CFI;
	const struct gpm_arch_ops *arch = gpm_core_arch(n->p->core);
	if (n->attached) {
		dwfl_getthread_frames(n->dwfl, (pid_t)t->tid, frame_cb, n);
		if (!n->problem[0] && n->faulted)
			snprintf(n->problem, sizeof(n->problem),
			         "stack at 0x%" PRIx64 " not in the core", n->fault_addr);
		// The stack scan is amd64's: a return address pushed by the call sits just
		// below the caller's sp. On arm64 it is in a frame record at no known distance
		// from the caller's sp, which the frame-record walk below follows instead.
		uint64_t pc, slot;
		if (n->nframes && !dwfl_addrmodule(n->dwfl, n->frames[0].pc) && n->max > 1 &&
		    arch->machine == EM_X86_64 &&
		    scan_for_return(n, t->regs.v[arch->sp_reg], &pc, &slot)) {
			// Keep the unknown frame; go on by CFI from the return address found.
			n->nframes = 1;
			n->problem[0] = 0;
			n->faulted = false;
			n->override = true;
			n->override_pc = pc;
			n->override_sp = slot + 8;
			size_t before = n->nframes;
			dwfl_getthread_frames(n->dwfl, (pid_t)t->tid, frame_cb, n);
			if (!n->problem[0] && n->faulted)
				snprintf(n->problem, sizeof(n->problem),
				         "stack at 0x%" PRIx64 " not in the core", n->fault_addr);
			if (n->nframes > before) {
				// The first frame found is a return address, not where a thread
				// was.
				n->frames[before].exact = false;
				name_frame(n, &n->frames[before]);
			}
			n->override = false;
			*how = GPM_NATIVE_CFI_SCAN;
		}
	}
	if (n->nframes > 1 && n->problem[0] && n->kept) {
		// The CFI walk went wrong past the first frame: on arm64 libdwfl unwinds a library
		// with no file here by frame records and guesses the caller's sp (fp + 16), which
		// an sp-based CFA rule of the next frame then turns into garbage ("stuck"). Frame
		// pointers (AAPCS64 frame records, gcc's default there) may get further: they are
		// kept when they name more frames (a frame chain of code built without frame
		// pointers ends early or in garbage, which names nothing).
		size_t cfi_n = n->nframes;
		char cfi_problem[sizeof(n->problem)];
		memcpy(cfi_problem, n->problem, sizeof(cfi_problem));
		memcpy(n->kept, n->frames, cfi_n * sizeof(*n->frames));
		enum gpm_native_how cfi_how = *how;
		n->nframes = 0;
		n->problem[0] = 0;
		fp_walk(n, t->regs.v[arch->pc_reg], t->regs.v[arch->fp_reg]);
		if (named(n->frames, n->nframes) > named(n->kept, cfi_n)) {
			*how = GPM_NATIVE_FP;
		} else {
			memcpy(n->frames, n->kept, cfi_n * sizeof(*n->frames));
			n->nframes = cfi_n;
			memcpy(n->problem, cfi_problem, sizeof(n->problem));
			*how = cfi_how;
		}
	}
	if (n->nframes <= 1) {
		// No call frame information for the first frame (code of no module, a module not
		// found): frame pointers.
		char cfi_problem[sizeof(n->problem)];
		memcpy(cfi_problem, n->problem, sizeof(cfi_problem));
		n->nframes = 0;
		n->problem[0] = 0;
		*how = GPM_NATIVE_FP;
		fp_walk(n, t->regs.v[arch->pc_reg], t->regs.v[arch->fp_reg]);
		if (n->nframes <= 1 && cfi_problem[0]) {
			// Frame pointers got no further: what stopped the CFI walk is the reason.
			memcpy(n->problem, cfi_problem, sizeof(n->problem));
			*how = GPM_NATIVE_CFI;
		}
	}
	n->cur = NULL;
	*problem = n->problem[0] ? n->problem : NULL;
	return n->nframes;
}
