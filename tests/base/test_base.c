/* Unit tests of src/base: cursor, strbuf, json, intern, source. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>
#include <zlib.h>

#include "base/cursor.h"
#include "base/intern.h"
#include "base/json.h"
#include "base/source.h"
#include "base/strbuf.h"
#include "check_gopm.h"

START_TEST(cursor_reads_and_stops_at_end)
{
	const uint8_t data[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 0x80, 0x01, 'h', 'i', 0};
	struct gpm_cursor c;
	gpm_cursor_init(&c, data, sizeof(data));
	uint64_t v64;
	uint32_t v32;
	ck_assert(gpm_cursor_u64(&c, &v64));
	ck_assert_uint_eq(v64, 0x0807060504030201ULL);
	ck_assert(!gpm_cursor_u64(&c, &v64));
	ck_assert_uint_eq(c.pos, 8); // unchanged after a failed read
	uint8_t b;
	ck_assert(gpm_cursor_u8(&c, &b) && b == 9);
	ck_assert(gpm_cursor_uvarint(&c, &v64));
	ck_assert_uint_eq(v64, 128);
	const char *s;
	size_t len;
	ck_assert(gpm_cursor_cstr(&c, &s, &len));
	ck_assert_str_eq(s, "hi");
	ck_assert(!gpm_cursor_u32(&c, &v32));
	ck_assert(!gpm_cursor_seek(&c, sizeof(data) + 1));
	ck_assert(!gpm_cursor_skip(&c, 1));
}
END_TEST

START_TEST(cursor_rejects_overlong_varint)
{
	const uint8_t data[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
	struct gpm_cursor c;
	gpm_cursor_init(&c, data, sizeof(data));
	uint64_t v;
	ck_assert(!gpm_cursor_uvarint(&c, &v));
	ck_assert_uint_eq(c.pos, 0);
	const uint8_t unterminated[] = {0x80, 0x80};
	gpm_cursor_init(&c, unterminated, sizeof(unterminated));
	ck_assert(!gpm_cursor_uvarint(&c, &v));
}
END_TEST

START_TEST(strbuf_escapes_terminal_controls)
{
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	const char evil[] = "main.f\x1b[2J\x07ok\xc3\xa9\xff\xc2\x9b";
	gpm_strbuf_append_safe(&sb, evil, sizeof(evil) - 1);
	ck_assert_str_eq(gpm_strbuf_str(&sb), "main.f\\x1b[2J\\x07ok\xc3\xa9\\xff\\xc2\\x9b");
	gpm_strbuf_deinit(&sb);
}
END_TEST

START_TEST(json_writer_nests_and_escapes)
{
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	struct gpm_json j;
	gpm_json_init(&j, &sb, false);
	gpm_json_object_begin(&j);
	gpm_json_kv_string(&j, "a", "q\"\n\x01\xff");
	gpm_json_key(&j, "l");
	gpm_json_array_begin(&j);
	gpm_json_int(&j, -1);
	gpm_json_hex(&j, 0xdeadbeef);
	gpm_json_array_end(&j);
	gpm_json_key(&j, "e");
	gpm_json_object_begin(&j);
	gpm_json_object_end(&j);
	gpm_json_object_end(&j);
	ck_assert_str_eq(
	    gpm_strbuf_str(&sb),
	    "{\"a\":\"q\\\"\\n\\u0001\xef\xbf\xbd\",\"l\":[-1,\"0xdeadbeef\"],\"e\":{}}");
	gpm_strbuf_deinit(&sb);
}
END_TEST

START_TEST(intern_returns_same_pointer)
{
	struct gpm_intern *in = gpm_intern_create();
	const char *a = gpm_intern(in, "runtime.gopark");
	char buf[64];
	for (int i = 0; i < 5000; i++) {
		snprintf(buf, sizeof(buf), "f%d", i);
		ck_assert_ptr_nonnull(gpm_intern(in, buf));
	}
	ck_assert_ptr_eq(a, gpm_intern(in, "runtime.gopark"));
	ck_assert_str_eq(gpm_intern(in, "f4999"), "f4999");
	ck_assert_uint_eq(gpm_intern_count(in), 5001);
	gpm_intern_destroy(in);
}
END_TEST

START_TEST(source_decompresses_zstd_and_gzip)
{
	// 1 MiB: a header, zeros, a trailer. Zero pages must decompress to zeros.
	size_t n = 1 << 20;
	uint8_t *plain = calloc(1, n);
	memcpy(plain, "ELF-ish", 7);
	memcpy(plain + n - 5, "tail", 5);
	size_t zcap = ZSTD_compressBound(n);
	uint8_t *z = malloc(zcap);
	size_t zn = ZSTD_compress(z, zcap, plain, n, 3);
	ck_assert(!ZSTD_isError(zn));
	struct gpm_source *src;
	ck_assert_ptr_null(gpm_source_from_memory(z, zn, "x.zst", &src));
	ck_assert_int_eq(src->compression, GPM_COMPRESSION_ZSTD);
	ck_assert_uint_eq(src->size, n);
	ck_assert(!memcmp(src->data, plain, n));
	gpm_source_destroy(src);

	// Truncated zstd is an error, not a short result.
	struct gpm_error *err = gpm_source_from_memory(z, zn / 2, "t.zst", &src);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, GPM_ERR_FORMAT);
	gpm_error_destroy(err);

	uLongf gcap = compressBound(n) + 32;
	uint8_t *g = malloc(gcap);
	z_stream zs = {0};
	ck_assert_int_eq(deflateInit2(&zs, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = plain;
	zs.avail_in = (uInt)n;
	zs.next_out = g;
	zs.avail_out = (uInt)gcap;
	ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
	size_t gn = zs.total_out;
	deflateEnd(&zs);
	ck_assert_ptr_null(gpm_source_from_memory(g, gn, "x.gz", &src));
	ck_assert_int_eq(src->compression, GPM_COMPRESSION_GZIP);
	ck_assert_uint_eq(src->size, n);
	ck_assert(!memcmp(src->data, plain, n));
	gpm_source_destroy(src);
	err = gpm_source_from_memory(g, gn - 20, "t.gz", &src);
	ck_assert_ptr_nonnull(err);
	gpm_error_destroy(err);
	free(g);
	free(z);
	free(plain);
}
END_TEST

START_TEST(source_open_errors_name_the_file)
{
	struct gpm_source *src;
	struct gpm_error *err = gpm_source_open("/nonexistent/core", &src);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, GPM_ERR_OS);
	ck_assert_ptr_nonnull(strstr(err->message, "/nonexistent/core"));
	gpm_error_destroy(err);
	err = gpm_source_open("/", &src);
	ck_assert_ptr_nonnull(err);
	gpm_error_destroy(err);
	char path[] = "/tmp/gopm-empty-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_ptr_null(gpm_source_open(path, &src));
	ck_assert_uint_eq(src->size, 0);
	gpm_source_destroy(src);
	unlink(path);
}
END_TEST

Suite *base_suite(void)
{
	Suite *s = suite_create("base");
	TCase *tc = tcase_create("base");
	tcase_add_test(tc, cursor_reads_and_stops_at_end);
	tcase_add_test(tc, cursor_rejects_overlong_varint);
	tcase_add_test(tc, strbuf_escapes_terminal_controls);
	tcase_add_test(tc, json_writer_nests_and_escapes);
	tcase_add_test(tc, intern_returns_same_pointer);
	tcase_add_test(tc, source_decompresses_zstd_and_gzip);
	tcase_add_test(tc, source_open_errors_name_the_file);
	suite_add_tcase(s, tc);
	return s;
}
