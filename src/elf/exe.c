/*
 * Executables: reads an ELF executable with libelf (elf_memory over the bytes of a
 * gpm_source, so compressed executables work) and keeps what the analysis asks for often in
 * plain arrays: sections, program headers, a name-sorted symbol table, build ids. Section
 * bytes are borrowed from the source, never copied. Every offset and size from the file is
 * checked against the file before use: executables are untrusted input.
 */
#include "elf/exe.h"

#include <elf.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <gelf.h>
#include <libelf.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "base/cursor.h"
#include "elf/note.h"

// Caps on counts taken from the file; above them the executable is refused (GPM_ERR_LIMIT).
enum {
	EXE_MAX_SECTIONS = 1 << 16,
	EXE_MAX_SEGMENTS = 1 << 16,
	EXE_MAX_SYMBOLS = 1 << 24,
	EXE_MAX_BUILD_ID = 1024, // bytes of a build-id note's desc we accept
};

struct exe_symbol {
	const char *name; // borrowed from the string table
	uint64_t addr, size;
};

struct gpm_exe {
	struct gpm_source *src;
	Elf *elf;
	uint16_t machine;
	bool pie;
	unsigned ptr_size;
	uint64_t entry;
	struct gpm_exe_section *sections;
	size_t nsections;
	struct gpm_exe_segment *segments;
	size_t nsegments;
	struct exe_symbol *symbols; // sorted by name
	size_t nsymbols;
	char *gnu_build_id;
	char *go_build_id;
	Dwarf *dwarf;
	bool dwarf_tried;
	Elf *dwarf_elf;           // over dwarf_map
	struct exe_symbol *funcs; // function symbols of .symtab and .dynsym, by address
	size_t nfuncs;
	bool funcs_tried;
	struct exe_symbol *data; // sized symbols of the data sections, by address
	size_t ndata;
	bool data_tried;
	Dwarf_CFI *cfi; // .eh_frame (owned by libdw through elf)
	bool cfi_tried;
	void *dwarf_map; // private copy of the bytes libdw needs
	size_t dwarf_map_len;
};

static const char *exe_name(const struct gpm_source *src)
{
	return src->path ? src->path : "executable";
}

static bool range_in_file(const struct gpm_exe *exe, uint64_t off, uint64_t size)
{
	uint64_t end;
	return !__builtin_add_overflow(off, size, &end) && end <= exe->src->size;
}

/* Checks the ELF identification before libelf sees the bytes, for clear messages. */
static struct gpm_error *exe_check_ident(const struct gpm_source *src)
{
	const uint8_t *d = src->data;
	if (src->size < SELFMAG || memcmp(d, ELFMAG, SELFMAG) != 0)
		return gpm_error_create(GPM_ERR_FORMAT, "%s: not an ELF file", exe_name(src));
	if (src->size < EI_NIDENT)
		return gpm_error_create(GPM_ERR_FORMAT, "%s: truncated ELF header", exe_name(src));
	if (d[EI_CLASS] != ELFCLASS64)
		return gpm_error_create(GPM_ERR_UNSUPPORTED, "%s: ELF class %u not supported",
		                        exe_name(src), d[EI_CLASS]);
	if (d[EI_DATA] != ELFDATA2LSB)
		return gpm_error_create(
		    GPM_ERR_UNSUPPORTED,
		    "%s: ELF data encoding %u not supported (little-endian only)", exe_name(src),
		    d[EI_DATA]);
	if (src->size < sizeof(Elf64_Ehdr))
		return gpm_error_create(GPM_ERR_FORMAT, "%s: truncated ELF header", exe_name(src));
	return NULL;
}

static struct gpm_error *exe_load_segments(struct gpm_exe *exe)
{
	size_t n;
	if (elf_getphdrnum(exe->elf, &n) != 0)
		return gpm_error_create(GPM_ERR_FORMAT, "%s: bad program headers: %s",
		                        exe_name(exe->src), elf_errmsg(-1));
	if (n > EXE_MAX_SEGMENTS)
		return gpm_error_create(GPM_ERR_LIMIT, "%s: %zu program headers (cap %d)",
		                        exe_name(exe->src), n, EXE_MAX_SEGMENTS);
	if (n == 0)
		return NULL;
	exe->segments = calloc(n, sizeof(*exe->segments));
	if (!exe->segments)
		return &gpm_error_nomem;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(exe->elf, (int)i, &ph))
			return gpm_error_create(GPM_ERR_FORMAT,
			                        "%s: program header %zu unreadable: %s",
			                        exe_name(exe->src), i, elf_errmsg(-1));
		struct gpm_exe_segment *s = &exe->segments[exe->nsegments++];
		s->vaddr = ph.p_vaddr;
		s->memsz = ph.p_memsz;
		s->offset = ph.p_offset;
		s->filesz = ph.p_filesz;
		s->type = ph.p_type;
		s->flags = ph.p_flags;
	}
	return NULL;
}

static struct gpm_error *exe_load_sections(struct gpm_exe *exe)
{
	size_t n, shstrndx;
	if (elf_getshdrnum(exe->elf, &n) != 0)
		return gpm_error_create(GPM_ERR_FORMAT, "%s: bad section headers: %s",
		                        exe_name(exe->src), elf_errmsg(-1));
	if (n > EXE_MAX_SECTIONS)
		return gpm_error_create(GPM_ERR_LIMIT, "%s: %zu sections (cap %d)",
		                        exe_name(exe->src), n, EXE_MAX_SECTIONS);
	if (n == 0)
		return NULL;
	bool have_names = elf_getshdrstrndx(exe->elf, &shstrndx) == 0;
	exe->sections = calloc(n, sizeof(*exe->sections));
	if (!exe->sections)
		return &gpm_error_nomem;
	for (size_t i = 0; i < n; i++) {
		Elf_Scn *scn = elf_getscn(exe->elf, i);
		GElf_Shdr sh;
		if (!scn || !gelf_getshdr(scn, &sh))
			return gpm_error_create(GPM_ERR_FORMAT,
			                        "%s: section header %zu unreadable: %s",
			                        exe_name(exe->src), i, elf_errmsg(-1));
		struct gpm_exe_section *s = &exe->sections[exe->nsections++];
		const char *name = have_names ? elf_strptr(exe->elf, shstrndx, sh.sh_name) : NULL;
		s->name = name ? name : "";
		s->addr = sh.sh_addr;
		s->size = sh.sh_size;
		s->offset = sh.sh_offset;
		s->type = sh.sh_type;
		s->flags = sh.sh_flags;
		if (sh.sh_type != SHT_NOBITS && range_in_file(exe, sh.sh_offset, sh.sh_size))
			s->data = exe->src->data + sh.sh_offset;
	}
	return NULL;
}

static int symbol_cmp(const void *a, const void *b)
{
	const struct exe_symbol *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	// Equal names: keep the first-defined one first (stable by address as a tiebreak).
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Loads the symbols of the first section of the given type that has any. */
static struct gpm_error *exe_load_symtab(struct gpm_exe *exe, uint32_t type, bool *found)
{
	*found = false;
	for (size_t i = 0; i < exe->nsections; i++) {
		if (exe->sections[i].type != type)
			continue;
		Elf_Scn *scn = elf_getscn(exe->elf, i);
		GElf_Shdr sh;
		if (!scn || !gelf_getshdr(scn, &sh) || sh.sh_entsize == 0)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		if (!data || !data->d_buf)
			continue;
		size_t count = data->d_size / sizeof(Elf64_Sym);
		if (count > EXE_MAX_SYMBOLS)
			return gpm_error_create(GPM_ERR_LIMIT, "%s: %zu symbols (cap %d)",
			                        exe_name(exe->src), count, EXE_MAX_SYMBOLS);
		if (count <= 1)
			continue;
		exe->symbols = calloc(count, sizeof(*exe->symbols));
		if (!exe->symbols)
			return &gpm_error_nomem;
		for (size_t j = 1; j < count; j++) {
			GElf_Sym sym;
			if (!gelf_getsym(data, (int)j, &sym))
				break;
			if (sym.st_name == 0 || sym.st_shndx == SHN_UNDEF)
				continue;
			const char *name = elf_strptr(exe->elf, sh.sh_link, sym.st_name);
			if (!name || !*name)
				continue;
			struct exe_symbol *s = &exe->symbols[exe->nsymbols++];
			s->name = name;
			s->addr = sym.st_value;
			s->size = sym.st_size;
		}
		if (exe->nsymbols == 0) {
			free(exe->symbols);
			exe->symbols = NULL;
			continue;
		}
		qsort(exe->symbols, exe->nsymbols, sizeof(*exe->symbols), symbol_cmp);
		*found = true;
		return NULL;
	}
	return NULL;
}

/* Records the build ids found in one note area. */
static struct gpm_error *exe_scan_notes(struct gpm_exe *exe, const uint8_t *data, size_t size,
                                        uint64_t align)
{
	struct gpm_elf_note_iter it;
	struct gpm_elf_note n;
	gpm_elf_note_iter_init(&it, data, size, align);
	for (unsigned i = 0; i < 256 && gpm_elf_note_next(&it, &n); i++) {
		if (n.descsz == 0 || n.descsz > EXE_MAX_BUILD_ID)
			continue;
		if (!exe->gnu_build_id && n.type == NT_GNU_BUILD_ID &&
		    gpm_elf_note_named(&n, "GNU")) {
			exe->gnu_build_id = gpm_hex_dup(n.desc, n.descsz);
			if (!exe->gnu_build_id)
				return &gpm_error_nomem;
		} else if (!exe->go_build_id && n.type == 4 && gpm_elf_note_named(&n, "Go")) {
			// cmd/link/internal/ld/elf.go: ELF_NOTE_GOBUILDID_TAG = 4, desc is the
			// string.
			size_t len = strnlen((const char *)n.desc, n.descsz);
			exe->go_build_id = strndup((const char *)n.desc, len);
			if (!exe->go_build_id)
				return &gpm_error_nomem;
		}
	}
	return NULL;
}

/*
 * The Go build id also sits at the start of the text segment as
 * `\xff Go build ID: "<id>"\n \xff` (cmd/internal/buildid); used when the note was stripped.
 */
static struct gpm_error *exe_scan_text_build_id(struct gpm_exe *exe)
{
	const struct gpm_exe_section *text = gpm_exe_section(exe, ".text");
	if (!text || !text->data)
		return NULL;
	static const char magic[] = "\xff Go build ID: \"";
	size_t n = text->size < 4096 ? (size_t)text->size : 4096;
	const uint8_t *p = memmem(text->data, n, magic, sizeof(magic) - 1);
	if (!p)
		return NULL;
	const uint8_t *start = p + sizeof(magic) - 1;
	const uint8_t *end = memchr(start, '"', (size_t)(text->data + n - start));
	if (!end || end == start)
		return NULL;
	exe->go_build_id = strndup((const char *)start, (size_t)(end - start));
	return exe->go_build_id ? NULL : &gpm_error_nomem;
}

static struct gpm_error *exe_load_build_ids(struct gpm_exe *exe)
{
	struct gpm_error *err;
	for (size_t i = 0; i < exe->nsections; i++) {
		const struct gpm_exe_section *s = &exe->sections[i];
		if (s->type != SHT_NOTE || !s->data)
			continue;
		Elf_Scn *scn = elf_getscn(exe->elf, i);
		GElf_Shdr sh;
		uint64_t align = scn && gelf_getshdr(scn, &sh) ? sh.sh_addralign : 4;
		if ((err = exe_scan_notes(exe, s->data, (size_t)s->size, align)))
			return err;
	}
	// Without section headers (or notes in them), the PT_NOTE segments.
	for (size_t i = 0; i < exe->nsegments; i++) {
		const struct gpm_exe_segment *s = &exe->segments[i];
		if (exe->gnu_build_id && exe->go_build_id)
			break;
		if (s->type != PT_NOTE || !range_in_file(exe, s->offset, s->filesz))
			continue;
		GElf_Phdr ph;
		uint64_t align = gelf_getphdr(exe->elf, (int)i, &ph) ? ph.p_align : 4;
		if ((err =
		         exe_scan_notes(exe, exe->src->data + s->offset, (size_t)s->filesz, align)))
			return err;
	}
	if (!exe->go_build_id)
		return exe_scan_text_build_id(exe);
	return NULL;
}

struct gpm_error *gpm_exe_from_source(struct gpm_source *src, struct gpm_exe **out)
{
	struct gpm_error *err = exe_check_ident(src);
	if (err) {
		gpm_source_destroy(src);
		return err;
	}
	struct gpm_exe *exe = calloc(1, sizeof(*exe));
	if (!exe) {
		gpm_source_destroy(src);
		return &gpm_error_nomem;
	}
	exe->src = src;
	elf_version(EV_CURRENT);
	// libelf only reads an ELF_C_READ_MMAP image, so the const cast is safe.
	exe->elf = elf_memory((char *)src->data, src->size);
	GElf_Ehdr eh;
	if (!exe->elf || elf_kind(exe->elf) != ELF_K_ELF || !gelf_getehdr(exe->elf, &eh)) {
		err = gpm_error_create(GPM_ERR_FORMAT, "%s: bad ELF header: %s", exe_name(src),
		                       elf_errmsg(-1));
		goto fail;
	}
	exe->machine = eh.e_machine;
	exe->pie = eh.e_type == ET_DYN;
	exe->ptr_size = 8;
	exe->entry = eh.e_entry;
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN && eh.e_type != ET_REL) {
		err = gpm_error_create(GPM_ERR_FORMAT, "%s: ELF type %u is not an executable",
		                       exe_name(src), eh.e_type);
		goto fail;
	}
	if (eh.e_machine != EM_X86_64 && eh.e_machine != EM_AARCH64) {
		err = gpm_error_create(GPM_ERR_UNSUPPORTED, "%s: ELF machine %u not supported",
		                       exe_name(src), eh.e_machine);
		goto fail;
	}
	if ((err = exe_load_segments(exe)) || (err = exe_load_sections(exe)) ||
	    (err = exe_load_build_ids(exe)))
		goto fail;
	bool found;
	if ((err = exe_load_symtab(exe, SHT_SYMTAB, &found)))
		goto fail;
	if (!found && (err = exe_load_symtab(exe, SHT_DYNSYM, &found)))
		goto fail;
	*out = exe;
	return NULL;
fail:
	gpm_exe_destroy(exe);
	return err;
}

struct gpm_error *gpm_exe_open(const char *path, struct gpm_exe **out)
{
	struct gpm_source *src;
	struct gpm_error *err = gpm_source_open(path, &src);
	if (err)
		return err;
	return gpm_exe_from_source(src, out);
}

void gpm_exe_destroy(struct gpm_exe *exe)
{
	if (!exe)
		return;
	if (exe->dwarf)
		dwarf_end(exe->dwarf);
	if (exe->dwarf_elf)
		elf_end(exe->dwarf_elf);
	if (exe->dwarf_map)
		munmap(exe->dwarf_map, exe->dwarf_map_len);
	if (exe->elf)
		elf_end(exe->elf);
	free(exe->sections);
	free(exe->segments);
	free(exe->symbols);
	free(exe->funcs);
	free(exe->data);
	if (exe->cfi)
		dwarf_cfi_end(exe->cfi);
	free(exe->gnu_build_id);
	free(exe->go_build_id);
	gpm_source_destroy(exe->src);
	free(exe);
}

const char *gpm_exe_path(const struct gpm_exe *exe)
{
	return exe->src->path;
}

const uint8_t *gpm_exe_bytes(const struct gpm_exe *exe, size_t *size)
{
	if (size)
		*size = exe->src->size;
	return exe->src->data;
}

uint16_t gpm_exe_machine(const struct gpm_exe *exe)
{
	return exe->machine;
}

bool gpm_exe_is_pie(const struct gpm_exe *exe)
{
	return exe->pie;
}

unsigned gpm_exe_ptr_size(const struct gpm_exe *exe)
{
	return exe->ptr_size;
}

uint64_t gpm_exe_entry(const struct gpm_exe *exe)
{
	return exe->entry;
}

size_t gpm_exe_section_count(const struct gpm_exe *exe)
{
	return exe->nsections;
}

const struct gpm_exe_section *gpm_exe_section_at(const struct gpm_exe *exe, size_t i)
{
	return i < exe->nsections ? &exe->sections[i] : NULL;
}

const struct gpm_exe_section *gpm_exe_section(const struct gpm_exe *exe, const char *name)
{
	for (size_t i = 0; i < exe->nsections; i++)
		if (strcmp(exe->sections[i].name, name) == 0)
			return &exe->sections[i];
	return NULL;
}

const struct gpm_exe_section *gpm_exe_section_for_addr(const struct gpm_exe *exe, uint64_t addr)
{
	for (size_t i = 0; i < exe->nsections; i++) {
		const struct gpm_exe_section *s = &exe->sections[i];
		if (!(s->flags & SHF_ALLOC) || s->size == 0)
			continue;
		if (addr >= s->addr && addr - s->addr < s->size)
			return s;
	}
	return NULL;
}

size_t gpm_exe_segment_count(const struct gpm_exe *exe)
{
	return exe->nsegments;
}

const struct gpm_exe_segment *gpm_exe_segment_at(const struct gpm_exe *exe, size_t i)
{
	return i < exe->nsegments ? &exe->segments[i] : NULL;
}

bool gpm_exe_has_symbols(const struct gpm_exe *exe)
{
	return exe->nsymbols > 0;
}

bool gpm_exe_symbol(const struct gpm_exe *exe, const char *name, uint64_t *addr, uint64_t *size)
{
	size_t lo = 0, hi = exe->nsymbols;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(exe->symbols[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == exe->nsymbols || strcmp(exe->symbols[lo].name, name) != 0)
		return false;
	if (addr)
		*addr = exe->symbols[lo].addr;
	if (size)
		*size = exe->symbols[lo].size;
	return true;
}

size_t gpm_exe_symbol_count(const struct gpm_exe *exe)
{
	return exe->nsymbols;
}

bool gpm_exe_symbol_at(const struct gpm_exe *exe, size_t i, const char **name, uint64_t *addr,
                       uint64_t *size)
{
	if (i >= exe->nsymbols)
		return false;
	*name = exe->symbols[i].name;
	*addr = exe->symbols[i].addr;
	*size = exe->symbols[i].size;
	return true;
}

const char *gpm_exe_gnu_build_id(const struct gpm_exe *exe)
{
	return exe->gnu_build_id;
}

const char *gpm_exe_go_build_id(const struct gpm_exe *exe)
{
	return exe->go_build_id;
}

static void copy_range(uint8_t *dst, const struct gpm_exe *exe, uint64_t off, uint64_t size)
{
	if (range_in_file(exe, off, size))
		memcpy(dst + off, exe->src->data + off, (size_t)size);
}

/*
 * libdw decompresses SHF_COMPRESSED debug sections (Go compresses its DWARF) by rewriting the
 * section header in place, which faults on our read-only mapping. So libdw gets a private
 * anonymous mapping as large as the file holding only what it reads: the ELF header,
 * program and section headers, the section-name table and the debug sections. Untouched
 * pages of the mapping cost no memory.
 */
static Elf *exe_dwarf_elf(struct gpm_exe *exe)
{
	bool any = false;
	for (size_t i = 0; i < exe->nsections; i++)
		if (strncmp(exe->sections[i].name, ".debug_", 7) == 0 ||
		    strncmp(exe->sections[i].name, ".zdebug_", 8) == 0)
			any = true;
	if (!any || exe->src->size == 0)
		return NULL;
	size_t len = exe->src->size;
	void *map = mmap(NULL, len, PROT_READ | PROT_WRITE,
	                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (map == MAP_FAILED)
		return NULL;
	uint8_t *dst = map;
	GElf_Ehdr eh;
	if (!gelf_getehdr(exe->elf, &eh)) {
		munmap(map, len);
		return NULL;
	}
	copy_range(dst, exe, 0, sizeof(Elf64_Ehdr));
	uint64_t phsize = (uint64_t)eh.e_phentsize * exe->nsegments;
	copy_range(dst, exe, eh.e_phoff, phsize);
	uint64_t shsize = (uint64_t)eh.e_shentsize * (exe->nsections ? exe->nsections : 1);
	copy_range(dst, exe, eh.e_shoff, shsize);
	size_t shstrndx;
	if (elf_getshdrstrndx(exe->elf, &shstrndx) == 0 && shstrndx < exe->nsections)
		copy_range(dst, exe, exe->sections[shstrndx].offset, exe->sections[shstrndx].size);
	for (size_t i = 0; i < exe->nsections; i++) {
		const struct gpm_exe_section *s = &exe->sections[i];
		if (s->data &&
		    (strncmp(s->name, ".debug_", 7) == 0 || strncmp(s->name, ".zdebug_", 8) == 0))
			copy_range(dst, exe, s->offset, s->size);
	}
	Elf *elf = elf_memory(map, len);
	if (!elf) {
		munmap(map, len);
		return NULL;
	}
	exe->dwarf_map = map;
	exe->dwarf_map_len = len;
	return elf;
}

Dwarf *gpm_exe_dwarf(struct gpm_exe *exe)
{
	if (!exe->dwarf_tried) {
		exe->dwarf_tried = true;
		exe->dwarf_elf = exe_dwarf_elf(exe);
		if (exe->dwarf_elf)
			exe->dwarf = dwarf_begin_elf(exe->dwarf_elf, DWARF_C_READ, NULL);
	}
	return exe->dwarf;
}

struct gpm_error *gpm_exe_read(const struct gpm_exe *exe, uint64_t addr, void *buf, size_t len)
{
	uint8_t *out = buf;
	uint64_t cur = addr, end;
	size_t left = len;
	if (__builtin_add_overflow(addr, (uint64_t)len, &end))
		return gpm_error_fault(addr, len);
	while (left > 0) {
		const struct gpm_exe_segment *seg = NULL;
		for (size_t i = 0; i < exe->nsegments; i++) {
			const struct gpm_exe_segment *s = &exe->segments[i];
			if (s->type == PT_LOAD && cur >= s->vaddr && cur - s->vaddr < s->memsz) {
				seg = s;
				break;
			}
		}
		if (!seg)
			return gpm_error_fault(cur, left);
		uint64_t off = cur - seg->vaddr;
		uint64_t avail = seg->memsz - off;
		size_t n = avail < left ? (size_t)avail : left;
		if (off >= seg->filesz) {
			memset(out, 0, n);
		} else {
			uint64_t fileleft = seg->filesz - off;
			if (fileleft < n)
				n = (size_t)fileleft;
			uint64_t foff;
			if (__builtin_add_overflow(seg->offset, off, &foff) ||
			    !range_in_file(exe, foff, n))
				return gpm_error_fault(cur, left);
			memcpy(out, exe->src->data + foff, n);
		}
		out += n;
		cur += n;
		left -= n;
	}
	return NULL;
}

/* ---- C code: function symbols, source lines, call frame information ---- */

static int func_addr_cmp(const void *a, const void *b)
{
	const struct exe_symbol *x = a, *y = b;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	// At one address prefer the sized symbol, then the name that sorts first (stable).
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Appends the defined function symbols of every section of the given type. */
static bool exe_collect_funcs(struct gpm_exe *exe, uint32_t type, size_t *cap)
{
	for (size_t i = 0; i < exe->nsections; i++) {
		if (exe->sections[i].type != type)
			continue;
		Elf_Scn *scn = elf_getscn(exe->elf, i);
		GElf_Shdr sh;
		if (!scn || !gelf_getshdr(scn, &sh) || sh.sh_entsize == 0)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		if (!data || !data->d_buf)
			continue;
		size_t count = data->d_size / sizeof(Elf64_Sym);
		for (size_t j = 1; j < count && exe->nfuncs < EXE_MAX_SYMBOLS; j++) {
			GElf_Sym sym;
			if (!gelf_getsym(data, (int)j, &sym))
				break;
			unsigned t = GELF_ST_TYPE(sym.st_info);
			if ((t != STT_FUNC && t != STT_GNU_IFUNC) || sym.st_shndx == SHN_UNDEF ||
			    sym.st_value == 0 || sym.st_name == 0)
				continue;
			const char *name = elf_strptr(exe->elf, sh.sh_link, sym.st_name);
			if (!name || !*name)
				continue;
			if (exe->nfuncs == *cap) {
				size_t ncap = *cap ? *cap * 2 : 256;
				struct exe_symbol *n = realloc(exe->funcs, ncap * sizeof(*n));
				if (!n)
					return false;
				exe->funcs = n;
				*cap = ncap;
			}
			exe->funcs[exe->nfuncs++] =
			    (struct exe_symbol){name, sym.st_value, sym.st_size};
		}
	}
	return true;
}

static bool is_data_section(const char *s)
{
	return s && (!strcmp(s, ".data") || !strcmp(s, ".bss") || !strcmp(s, ".noptrdata") ||
	             !strcmp(s, ".noptrbss"));
}

bool gpm_exe_data_for_addr(struct gpm_exe *exe, uint64_t addr, const char **name, uint64_t *start)
{
	if (!exe->data_tried) {
		exe->data_tried = true;
		size_t n = 0;
		if (exe->nsymbols && (exe->data = malloc(exe->nsymbols * sizeof(*exe->data)))) {
			for (size_t i = 0; i < exe->nsymbols; i++) {
				const struct exe_symbol *sym = &exe->symbols[i];
				const struct gpm_exe_section *sec =
				    gpm_exe_section_for_addr(exe, sym->addr);
				if (sym->size && sym->name && *sym->name && sec &&
				    is_data_section(sec->name))
					exe->data[n++] = *sym;
			}
			if (n)
				qsort(exe->data, n, sizeof(*exe->data), func_addr_cmp);
		}
		exe->ndata = n;
	}
	// The last symbol at or below addr, when addr lies inside it.
	size_t lo = 0, hi = exe->ndata;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (exe->data[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || addr - exe->data[lo - 1].addr >= exe->data[lo - 1].size)
		return false;
	*name = exe->data[lo - 1].name;
	*start = exe->data[lo - 1].addr;
	return true;
}

bool gpm_exe_func_for_addr(struct gpm_exe *exe, uint64_t addr, const char **name, uint64_t *start)
{
	if (!exe->funcs_tried) {
		exe->funcs_tried = true;
		size_t cap = 0;
		if (!exe_collect_funcs(exe, SHT_SYMTAB, &cap) ||
		    !exe_collect_funcs(exe, SHT_DYNSYM, &cap)) {
			free(exe->funcs);
			exe->funcs = NULL;
			exe->nfuncs = 0;
		}
		if (exe->nfuncs)
			qsort(exe->funcs, exe->nfuncs, sizeof(*exe->funcs), func_addr_cmp);
	}
	// The last symbol at or below addr.
	size_t lo = 0, hi = exe->nfuncs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (exe->funcs[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return false;
	const struct exe_symbol *s = &exe->funcs[lo - 1];
	while (s > exe->funcs && s[-1].addr == s->addr)
		s--; // the preferred one of its address
	if (s->size && addr - s->addr >= s->size)
		return false;
	if (!s->size) {
		// An unsized symbol (assembly) covers up to the next one, inside its section.
		const struct gpm_exe_section *a = gpm_exe_section_for_addr(exe, s->addr);
		if (!a || a != gpm_exe_section_for_addr(exe, addr))
			return false;
	}
	*name = s->name;
	*start = s->addr;
	return true;
}

bool gpm_exe_source_line(struct gpm_exe *exe, uint64_t addr, const char **file, uint32_t *line)
{
	Dwarf *dw = gpm_exe_dwarf(exe);
	Dwarf_Die cu;
	if (!dw || !dwarf_addrdie(dw, addr, &cu))
		return false;
	Dwarf_Line *l = dwarf_getsrc_die(&cu, addr);
	int n = 0;
	const char *f = l ? dwarf_linesrc(l, NULL, NULL) : NULL;
	if (!f || dwarf_lineno(l, &n) != 0 || n <= 0)
		return false;
	*file = f;
	*line = (uint32_t)n;
	return true;
}

/* The value of a DWARF location that is CFA + offset; false for anything else. */
static bool cfa_offset_rule(const Dwarf_Op *ops, size_t n, int64_t *off)
{
	if (n < 1 || ops[0].atom != DW_OP_call_frame_cfa)
		return false;
	if (n == 1) {
		*off = 0;
		return true;
	}
	if (n == 2 && ops[1].atom == DW_OP_plus_uconst) {
		*off = (int64_t)ops[1].number;
		return true;
	}
	return false;
}

bool gpm_exe_cfi_rule(struct gpm_exe *exe, uint64_t pc, struct gpm_exe_cfi_rule *out)
{
	if (exe->machine != EM_X86_64)
		return false; // the register numbers below are amd64's
	if (!exe->cfi_tried) {
		exe->cfi_tried = true;
		exe->cfi = dwarf_getcfi_elf(exe->elf);
	}
	Dwarf_Frame *fr = NULL;
	if (!exe->cfi || dwarf_cfi_addrframe(exe->cfi, pc, &fr) != 0 || !fr)
		return false;
	struct gpm_exe_cfi_rule r = {0};
	bool ok = false;
	Dwarf_Op *ops, mem[3];
	size_t n;
	// CFA = register + offset (DW_CFA_def_cfa), the only form C code here uses.
	if (dwarf_frame_cfa(fr, &ops, &n) != 0 || n != 1)
		goto out;
	if (ops[0].atom == DW_OP_bregx) {
		r.cfa_reg = (int)ops[0].number;
		r.cfa_offset = (int64_t)ops[0].number2;
	} else if (ops[0].atom >= DW_OP_breg0 && ops[0].atom <= DW_OP_breg31) {
		r.cfa_reg = ops[0].atom - DW_OP_breg0;
		r.cfa_offset = (int64_t)ops[0].number;
	} else {
		goto out;
	}
	if (r.cfa_reg != GPM_EXE_DWARF_RSP && r.cfa_reg != GPM_EXE_DWARF_RBP)
		goto out;
	// The return address (column 16) saved at CFA + offset.
	if (dwarf_frame_register(fr, 16, mem, &ops, &n) != 0 ||
	    !cfa_offset_rule(ops, n, &r.ra_offset))
		goto out;
	// rbp: saved at CFA + offset, or unchanged.
	if (dwarf_frame_register(fr, GPM_EXE_DWARF_RBP, mem, &ops, &n) != 0)
		goto out;
	if (n == 0)
		r.rbp_saved = false;
	else if (cfa_offset_rule(ops, n, &r.rbp_offset))
		r.rbp_saved = true;
	else
		goto out;
	ok = true;
out:
	free(fr);
	if (ok)
		*out = r;
	return ok;
}
