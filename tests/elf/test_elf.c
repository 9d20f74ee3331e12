/* Unit tests of src/elf: the executable reader on committed Go binaries and on bad input. */
#include <elf.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/source.h"
#include "elf/exe.h"
#include "check_gopm.h"

static struct gpm_exe *open_fixture(const char *rel)
{
	const char *path = gpm_test_data(rel);
	if (access(path, R_OK) != 0)
		return NULL;
	struct gpm_exe *exe;
	struct gpm_error *err = gpm_exe_open(path, &exe);
	ck_assert_msg(!err, "%s", err ? err->message : "");
	return exe;
}

static struct gpm_error *open_bytes(const void *data, size_t size, struct gpm_exe **out)
{
	struct gpm_source *src;
	struct gpm_error *err = gpm_source_from_memory(data, size, "mem", &src);
	if (err)
		return err;
	return gpm_exe_from_source(src, out);
}

static void expect_error(const void *data, size_t size, enum gpm_error_code code,
                         const char *substr)
{
	struct gpm_exe *exe = NULL;
	struct gpm_error *err = open_bytes(data, size, &exe);
	ck_assert_msg(err, "expected an error containing '%s'", substr);
	ck_assert_int_eq(err->code, code);
	ck_assert_msg(strstr(err->message, substr), "message '%s' lacks '%s'", err->message,
	              substr);
	gpm_error_destroy(err);
}

START_TEST(exe_reads_go_binary_with_dwarf)
{
	struct gpm_exe *exe = open_fixture("exe/go1.19-hang-dwarf.zst");
	if (!exe)
		return; // fixture not generated in this tree
	ck_assert_uint_eq(gpm_exe_machine(exe), EM_X86_64);
	ck_assert(!gpm_exe_is_pie(exe));
	ck_assert_uint_eq(gpm_exe_ptr_size(exe), 8);
	ck_assert(gpm_exe_has_symbols(exe));
	uint64_t addr, size;
	ck_assert(gpm_exe_symbol(exe, "runtime.main", &addr, &size));
	ck_assert_uint_gt(size, 0);
	ck_assert(!gpm_exe_symbol(exe, "runtime.no_such_function", &addr, &size));
	const struct gpm_exe_section *text = gpm_exe_section(exe, ".text");
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(text->data);
	ck_assert(gpm_exe_section_for_addr(exe, addr) == text);
	ck_assert_ptr_nonnull(gpm_exe_section(exe, ".gopclntab"));
	ck_assert_ptr_null(gpm_exe_section(exe, ".no_such_section"));
	const char *gobid = gpm_exe_go_build_id(exe);
	ck_assert_ptr_nonnull(gobid);
	ck_assert_uint_eq(strlen(gobid), 83);
	Dwarf *dw = gpm_exe_dwarf(exe);
	ck_assert_ptr_nonnull(dw);
	Dwarf_Off next;
	size_t hsize;
	ck_assert_int_eq(dwarf_nextcu(dw, 0, &next, &hsize, NULL, NULL, NULL), 0);
	Dwarf_Die cu;
	ck_assert_ptr_nonnull(dwarf_offdie(dw, hsize, &cu));
	// Read the first bytes of runtime.main both through vaddr and through the section.
	uint8_t buf[16];
	ck_assert_ptr_null(gpm_exe_read(exe, addr, buf, sizeof(buf)));
	ck_assert_mem_eq(buf, text->data + (addr - text->addr), sizeof(buf));
	// .bss reads as zeros; far away faults.
	const struct gpm_exe_section *bss = gpm_exe_section(exe, ".bss");
	ck_assert_ptr_nonnull(bss);
	memset(buf, 0xaa, sizeof(buf));
	ck_assert_ptr_null(gpm_exe_read(exe, bss->addr, buf, 8));
	ck_assert_uint_eq(buf[0] | buf[7], 0);
	struct gpm_error *err = gpm_exe_read(exe, 0x10, buf, 8);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, GPM_ERR_FAULT);
	gpm_error_destroy(err);
	err = gpm_exe_read(exe, UINT64_MAX - 2, buf, 8);
	ck_assert_ptr_nonnull(err);
	gpm_error_destroy(err);
	gpm_exe_destroy(exe);
}
END_TEST

START_TEST(exe_reads_stripped_and_pie)
{
	struct gpm_exe *exe = open_fixture("exe/go1.19-hang-stripped.zst");
	if (!exe)
		return;
	ck_assert(!gpm_exe_has_symbols(exe));
	ck_assert_ptr_null(gpm_exe_dwarf(exe));
	ck_assert_ptr_nonnull(gpm_exe_go_build_id(exe));
	ck_assert_ptr_nonnull(gpm_exe_section(exe, ".gopclntab"));
	gpm_exe_destroy(exe);

	exe = open_fixture("exe/go1.19-hang-pie.zst");
	if (!exe)
		return;
	ck_assert(gpm_exe_is_pie(exe));
	ck_assert_ptr_nonnull(gpm_exe_go_build_id(exe));
	gpm_exe_destroy(exe);
}
END_TEST

START_TEST(exe_refuses_bad_input)
{
	expect_error("", 0, GPM_ERR_FORMAT, "not an ELF file");
	expect_error("hello world, not an elf", 23, GPM_ERR_FORMAT, "not an ELF file");
	expect_error("\x7f"
	             "ELF\x02\x01",
	             6, GPM_ERR_FORMAT, "truncated ELF header");

	Elf64_Ehdr eh = {0};
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS32;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	expect_error(&eh, sizeof(eh), GPM_ERR_UNSUPPORTED, "ELF class 1 not supported");
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	expect_error(&eh, 40, GPM_ERR_FORMAT, "truncated ELF header");
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_PPC64;
	eh.e_version = EV_CURRENT;
	eh.e_ehsize = sizeof(eh);
	expect_error(&eh, sizeof(eh), GPM_ERR_UNSUPPORTED, "ELF machine 21 not supported");

	// Program headers far beyond the end of the file.
	eh.e_machine = EM_X86_64;
	eh.e_phoff = 0x7fffffffffff;
	eh.e_phnum = 100;
	eh.e_phentsize = sizeof(Elf64_Phdr);
	expect_error(&eh, sizeof(eh), GPM_ERR_FORMAT, "program header");

	// Section headers beyond the end of the file: refused or ignored, never read.
	eh.e_phoff = 0;
	eh.e_phnum = 0;
	eh.e_shoff = 0x7fffffff;
	eh.e_shnum = 5000;
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shstrndx = 4000;
	struct gpm_exe *bad = NULL;
	struct gpm_error *err = open_bytes(&eh, sizeof(eh), &bad);
	if (err)
		gpm_error_destroy(err);
	else
		gpm_exe_destroy(bad);
	eh.e_shoff = 0;
	eh.e_shnum = 0;
	eh.e_shstrndx = 0;

	// A bare header with nothing else opens as an empty executable.
	eh.e_phoff = 0;
	eh.e_phnum = 0;
	struct gpm_exe *exe;
	ck_assert_ptr_null(open_bytes(&eh, sizeof(eh), &exe));
	ck_assert_uint_eq(gpm_exe_section_count(exe), 0);
	ck_assert_uint_eq(gpm_exe_segment_count(exe), 0);
	ck_assert(!gpm_exe_has_symbols(exe));
	ck_assert_ptr_null(gpm_exe_dwarf(exe));
	gpm_exe_destroy(exe);
}
END_TEST

static const char *corpus(const char *name)
{
	static char buf[4096];
	const char *top = getenv("top_srcdir");
	snprintf(buf, sizeof(buf), "%s/tests/fuzz/corpus/elf/%s", top ? top : ".", name);
	return buf;
}

/* Tiny C executables from the fuzz seed corpus: GNU and Go build ids, symbols, data, DWARF. */
START_TEST(exe_reads_tiny_seeds)
{
	struct gpm_exe *exe;
	struct gpm_error *err = gpm_exe_open(corpus("tiny-gonote"), &exe);
	ck_assert_msg(!err, "%s", err ? err->message : "");
	ck_assert_str_eq(gpm_exe_gnu_build_id(exe), "70b52a879a4f0de88cd92ebe7388a2e897c33a13");
	ck_assert_str_eq(gpm_exe_go_build_id(exe), "abcdefghij/klmnopqrst/uvwxyz0123/456789ABCD");
	uint64_t addr, size;
	ck_assert(gpm_exe_symbol(exe, "data_value", &addr, &size));
	ck_assert_uint_eq(size, 4);
	uint32_t v = 0;
	ck_assert_ptr_null(gpm_exe_read(exe, addr, &v, 4));
	ck_assert_uint_eq(v, 42);
	ck_assert(gpm_exe_symbol(exe, "counter", &addr, &size));
	v = 7;
	ck_assert_ptr_null(gpm_exe_read(exe, addr, &v, 4)); // .bss
	ck_assert_uint_eq(v, 0);
	ck_assert(gpm_exe_symbol(exe, "_start", &addr, NULL));
	ck_assert_uint_eq(addr, gpm_exe_entry(exe));
	gpm_exe_destroy(exe);

	ck_assert_ptr_null(gpm_exe_open(corpus("tiny-stripped"), &exe));
	ck_assert(!gpm_exe_has_symbols(exe));
	ck_assert_ptr_nonnull(gpm_exe_gnu_build_id(exe));
	ck_assert_ptr_null(gpm_exe_go_build_id(exe));
	gpm_exe_destroy(exe);

	ck_assert_ptr_null(gpm_exe_open(corpus("tiny-pie"), &exe));
	ck_assert(gpm_exe_is_pie(exe));
	gpm_exe_destroy(exe);

	// Compressed DWARF (-gz): libdw decompresses it on a private copy.
	ck_assert_ptr_null(gpm_exe_open(corpus("tiny-dwarf"), &exe));
	Dwarf *dw = gpm_exe_dwarf(exe);
	ck_assert_ptr_nonnull(dw);
	Dwarf_Off next;
	size_t hsize;
	ck_assert_int_eq(dwarf_nextcu(dw, 0, &next, &hsize, NULL, NULL, NULL), 0);
	Dwarf_Die cu;
	ck_assert_ptr_nonnull(dwarf_offdie(dw, hsize, &cu));
	ck_assert_int_eq(dwarf_tag(&cu), DW_TAG_compile_unit);
	ck_assert_ptr_eq(gpm_exe_dwarf(exe), dw);
	gpm_exe_destroy(exe);
}
END_TEST

Suite *elf_suite(void)
{
	Suite *s = suite_create("elf");
	TCase *tc = tcase_create("exe");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, exe_reads_go_binary_with_dwarf);
	tcase_add_test(tc, exe_reads_stripped_and_pie);
	tcase_add_test(tc, exe_refuses_bad_input);
	tcase_add_test(tc, exe_reads_tiny_seeds);
	suite_add_tcase(s, tc);
	return s;
}
