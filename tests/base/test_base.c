/* Unit tests of src/base: cursor, strbuf, json, intern, source (compression, limits, pipes). */
#include <fcntl.h>
#include <lz4frame.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>
#include <zlib.h>

#include "base/cursor.h"
#include "base/identity.h"
#include "base/intern.h"
#include "base/json.h"
#include "base/source.h"
#include "base/srcpath.h"
#include "base/strbuf.h"
#include "base/u64map.h"
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

/* gpm_le_word reads the little-endian word of each size, unaligned, as the byte loop does. */
START_TEST(le_word_reads_each_size)
{
	const uint8_t data[] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99};
	ck_assert_uint_eq(gpm_le_word(data + 1, 8), 0x8877665544332211ULL);
	ck_assert_uint_eq(gpm_le_word(data + 1, 4), 0x44332211ULL);
	ck_assert_uint_eq(gpm_le_word(data + 2, 2), 0x3322ULL);
	ck_assert_uint_eq(gpm_le_word(data + 9, 1), 0x99ULL);
	ck_assert_uint_eq(gpm_le_word(data, 0), 0);
	unsigned checked = 0;
	for (unsigned n = 0; n <= 8; n++)
		for (unsigned at = 0; at + n <= sizeof(data); at++, checked++) {
			uint64_t v = 0;
			for (unsigned i = 0; i < n; i++)
				v |= (uint64_t)data[at + i] << (8 * i);
			ck_assert_uint_eq(gpm_le_word(data + at, n), v);
		}
	ck_assert_uint_eq(checked, 63);
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

/* CSV and TSV fields: formulas defused with a ' (OWASP), numbers kept, RFC 4180 quoting,
 * terminal controls escaped, each case once per separator. */
START_TEST(strbuf_fields_defuse_formulas)
{
	static const struct {
		const char *in, *csv, *tsv;
	} cases[] = {
	    {"=1+1", "'=1+1", "'=1+1"},
	    {"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
	    {"-2+3+cmd", "'-2+3+cmd", "'-2+3+cmd"},
	    {"@SUM(A1:A9)", "'@SUM(A1:A9)", "'@SUM(A1:A9)"},
	    {"\t=1", "'\t=1", "\"'\t=1\""},
	    {"\r=1", "\\x0d=1", "\\x0d=1"}, // CR is escaped first: nothing to defuse
	    {"=HYPERLINK(\"x\",\"y\")", "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"",
	     "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\""},
	    {"-1", "-1", "-1"},
	    {"+2.5e-3", "+2.5e-3", "+2.5e-3"},
	    {"-", "'-", "'-"},
	    {"-1e", "'-1e", "'-1e"},
	    {"a=b", "a=b", "a=b"},
	    {"a,b", "\"a,b\"", "a,b"},
	    {"say \"hi\"", "\"say \"\"hi\"\"\"", "\"say \"\"hi\"\"\""},
	    {"\033]0;x\007", "\\x1b]0;x\\x07", "\\x1b]0;x\\x07"},
	    {"", "", ""},
	};
	size_t n = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int k = 0; k < 2; k++) {
			struct gpm_strbuf sb = GPM_STRBUF_INIT;
			gpm_strbuf_append(&sb, "", 0);
			gpm_strbuf_append_field(&sb, cases[i].in, strlen(cases[i].in),
			                        k ? '\t' : ',');
			ck_assert_str_eq(gpm_strbuf_str(&sb), k ? cases[i].tsv : cases[i].csv);
			gpm_strbuf_deinit(&sb);
			n++;
		}
	}
	ck_assert_uint_eq(n, 32);
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

START_TEST(u64_lower_bound_finds_the_first_not_less)
{
	// Every key of a sorted array with repeats, each gap between keys, both ends, empty.
	const uint64_t v[] = {3, 3, 8, 8, 8, 20, UINT64_MAX};
	const size_t n = sizeof(v) / sizeof(v[0]);
	unsigned checked = 0;
	for (uint64_t key = 0; key < 25; key++) {
		size_t want = 0;
		while (want < n && v[want] < key)
			want++;
		ck_assert_uint_eq(gpm_u64_lower_bound(v, n, key), want);
		checked++;
	}
	ck_assert_uint_eq(checked, 25);
	ck_assert_uint_eq(gpm_u64_lower_bound(v, n, UINT64_MAX), n - 1);
	ck_assert_uint_eq(gpm_u64_lower_bound(v, n - 1, UINT64_MAX), n - 1);
	ck_assert_uint_eq(gpm_u64_lower_bound(v, 0, 5), 0);
	ck_assert_uint_eq(gpm_u64_lower_bound(NULL, 0, 0), 0);
}
END_TEST

START_TEST(u64map_keeps_every_key_through_growth)
{
	// Keys that share their low bits (addresses 64 bytes apart) and keys that differ only
	// above bit 44: every one must be found with its value after the table doubled many
	// times, and absent keys (0 among them) must not be.
	struct gpm_u64map m = {0};
	const uint32_t n = 20000;
	for (uint32_t i = 0; i < n; i++) {
		ck_assert(gpm_u64map_put(&m, 0xc000000000ULL + (uint64_t)i * 64, i));
		ck_assert(gpm_u64map_put(&m, ((uint64_t)i + 1) << 44, n + i));
	}
	ck_assert_uint_eq(m.len, 2 * (size_t)n);
	ck_assert(gpm_u64map_put(&m, 0xc000000000ULL, 7)); // overwrite, no new key
	ck_assert_uint_eq(m.len, 2 * (size_t)n);
	uint32_t v = 0, found = 0;
	for (uint32_t i = 0; i < n; i++) {
		found +=
		    gpm_u64map_get(&m, 0xc000000000ULL + (uint64_t)i * 64, &v) && v == (i ? i : 7);
		found += gpm_u64map_get(&m, ((uint64_t)i + 1) << 44, &v) && v == n + i;
	}
	ck_assert_uint_eq(found, 2 * n);
	ck_assert(!gpm_u64map_get(&m, 0, &v));
	ck_assert(!gpm_u64map_get(&m, 0xc000000000ULL + 32, &v));
	ck_assert(!gpm_u64map_put(&m, 0, 1));
	gpm_u64map_free(&m);
	ck_assert(!gpm_u64map_get(&m, 0xc000000000ULL, &v));
	// Reserved room is not grown into again, and what was there stays.
	ck_assert(gpm_u64map_put(&m, 5, 55));
	ck_assert(gpm_u64map_reserve(&m, 5000));
	size_t cap = m.cap;
	ck_assert_uint_ge(cap / 2, 5000);
	for (uint64_t k = 6; k < 5005; k++)
		ck_assert(gpm_u64map_put(&m, k, (uint32_t)k));
	ck_assert_uint_eq(m.cap, cap);
	ck_assert(gpm_u64map_get(&m, 5, &v) && v == 55);
	gpm_u64map_free(&m);
}
END_TEST

/* The n bytes at p as one gzip member (malloc'd), its size in *out. */
static uint8_t *gzip_bytes(const uint8_t *p, size_t n, size_t *out)
{
	uLongf cap = compressBound(n) + 32;
	uint8_t *g = malloc(cap);
	z_stream zs = {0};
	ck_assert_int_eq(deflateInit2(&zs, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (Bytef *)p;
	zs.avail_in = (uInt)n;
	zs.next_out = g;
	zs.avail_out = (uInt)cap;
	ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*out = zs.total_out;
	deflateEnd(&zs);
	return g;
}

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

	size_t gn;
	uint8_t *g = gzip_bytes(plain, n, &gn);
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

/* base64 of n bytes, as one line (apport's lines are each a whole encoding). */
static void put_b64(struct gpm_strbuf *out, const uint8_t *p, size_t n)
{
	static const char d[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
		             (i + 2 < n ? p[i + 2] : 0);
		gpm_strbuf_putc(out, d[v >> 18]);
		gpm_strbuf_putc(out, d[(v >> 12) & 63]);
		gpm_strbuf_putc(out, i + 1 < n ? d[(v >> 6) & 63] : '=');
		gpm_strbuf_putc(out, i + 2 < n ? d[v & 63] : '=');
	}
}

/* An apport crash report holding n bytes at p as its CoreDump, as apport writes one: the
 * gzip header, each deflate output of a block on a line of its own, the trailer with the
 * flush (legacy: one zlib stream, as before 2009). */
static void apport_report(struct gpm_strbuf *out, const uint8_t *p, size_t n, bool legacy)
{
	gpm_strbuf_puts(out, "ProblemType: Crash\nDate: Sun Dec  6 15:31:00 2026\n"
	                     "ExecutablePath: /usr/bin/app\nProcMaps:\n 00400000-00401000 r--p "
	                     "00000000 08:01 1 /usr/bin/app\nSignal: 6\nCoreDump: base64\n");
	z_stream zs = {0};
	ck_assert_int_eq(deflateInit2(&zs, 6, Z_DEFLATED, legacy ? 15 : -15, 8, Z_DEFAULT_STRATEGY),
	                 Z_OK);
	if (!legacy) {
		static const uint8_t h[] = "\037\213\010\010\000\000\000\000\002\377CoreDump";
		gpm_strbuf_putc(out, ' ');
		put_b64(out, h, sizeof(h)); // with the name's NUL
		gpm_strbuf_putc(out, '\n');
	}
	static uint8_t buf[65536 + 8];
	for (size_t off = 0; off < n; off += 4096) {
		bool last = off + 4096 >= n;
		zs.next_in = (Bytef *)(p + off);
		zs.avail_in = (uInt)(last ? n - off : 4096);
		int r;
		do { // each output of the compressor a line, as apport writes them
			zs.next_out = buf;
			zs.avail_out = sizeof(buf) - 8;
			r = deflate(&zs, last ? Z_FINISH : Z_NO_FLUSH);
			ck_assert(r == Z_OK || r == Z_STREAM_END || r == Z_BUF_ERROR);
			size_t k = sizeof(buf) - 8 - zs.avail_out;
			if (r == Z_STREAM_END && !legacy) {
				uint32_t crc = (uint32_t)crc32(0, p, (uInt)n), sz = (uint32_t)n;
				for (int i = 0; i < 4; i++)
					buf[k++] = (uint8_t)(crc >> (8 * i));
				for (int i = 0; i < 4; i++)
					buf[k++] = (uint8_t)(sz >> (8 * i));
			}
			if (k) {
				gpm_strbuf_putc(out, ' ');
				put_b64(out, buf, k);
				gpm_strbuf_putc(out, '\n');
			}
		} while (zs.avail_out == 0 || (last && r != Z_STREAM_END));
	}
	deflateEnd(&zs);
	gpm_strbuf_puts(out, "UserGroups: N/A\n");
}

START_TEST(source_reads_the_core_of_an_apport_report)
{
	size_t n = 300000;
	uint8_t *plain = malloc(n);
	for (size_t i = 0; i < n; i++)
		plain[i] = (uint8_t)(i * 2654435761u >> (i % 7 ? 24 : 3));
	memcpy(plain, "\177ELF", 4);
	for (int legacy = 0; legacy < 2; legacy++) {
		struct gpm_strbuf r = GPM_STRBUF_INIT;
		apport_report(&r, plain, n, legacy);
		struct gpm_source *src;
		struct gpm_error *err = gpm_source_from_memory(r.buf, r.len, "a.crash", &src);
		ck_assert_msg(!err, "%s", err ? err->message : "");
		ck_assert_int_eq(src->compression, GPM_COMPRESSION_APPORT);
		ck_assert_uint_eq(src->size, n);
		ck_assert(!memcmp(src->data, plain, n));
		ck_assert_ptr_null(src->cut);
		gpm_source_destroy(src);

		// Cut inside its CoreDump: an error, or with partial what was decoded, and why.
		size_t cut = r.len * 2 / 3;
		err = gpm_source_from_memory(r.buf, cut, "a.crash", &src);
		ck_assert_ptr_nonnull(err);
		ck_assert_int_eq(err->code, GPM_ERR_FORMAT);
		gpm_error_destroy(err);
		struct gpm_source_options po = {.partial = true};
		ck_assert_ptr_null(gpm_source_from_memory_opts(r.buf, cut, "a.crash", &po, &src));
		ck_assert_ptr_nonnull(src->cut);
		ck_assert_ptr_nonnull(strstr(src->cut, "a.crash"));
		ck_assert(src->size > n / 4 && src->size < n);
		ck_assert(!memcmp(src->data, plain, src->size));
		gpm_source_destroy(src);

		// A line that is no base64: what came before it is kept, with partial.
		char *bad = strdup(r.buf);
		char *line = strstr(bad, "CoreDump: base64\n");
		for (int k = 0; k < 4; k++)
			line = strchr(line, '\n') + 1;
		line[3] = '%';
		ck_assert_ptr_null(gpm_source_from_memory_opts(bad, r.len, "a.crash", &po, &src));
		ck_assert_ptr_nonnull(strstr(src->cut, "not base64"));
		ck_assert(!memcmp(src->data, plain, src->size));
		gpm_source_destroy(src);
		free(bad);
		gpm_strbuf_deinit(&r);
	}
	// A report whose core apport did not keep names what is missing.
	static const char none[] = "ProblemType: Crash\nExecutablePath: /usr/bin/app\nSignal: 6\n";
	struct gpm_source *src;
	struct gpm_error *err = gpm_source_from_memory(none, sizeof(none) - 1, "n.crash", &src);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, GPM_ERR_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(err->message, "without its core"));
	gpm_error_destroy(err);
	free(plain);
}
END_TEST

/* partial: a compressed stream cut short keeps what was decoded, each kind; nothing decoded
 * is still an error. */
START_TEST(source_partial_keeps_what_a_cut_stream_decoded)
{
	size_t n = 1 << 20;
	uint8_t *plain = malloc(n);
	for (size_t i = 0; i < n; i++)
		plain[i] = (uint8_t)(i * 2654435761u >> (i % 5 ? 24 : 2));
	size_t gn;
	uint8_t *g = gzip_bytes(plain, n, &gn);
	size_t zcap = ZSTD_compressBound(n);
	uint8_t *z = malloc(zcap);
	size_t zn = ZSTD_compress(z, zcap, plain, n, 3);
	ck_assert(!ZSTD_isError(zn));
	struct gpm_source_options po = {.partial = true};
	const struct {
		const uint8_t *p;
		size_t n;
		const char *name;
	} in[] = {{g, gn, "t.gz"}, {z, zn, "t.zst"}};
	for (size_t k = 0; k < 2; k++) {
		struct gpm_source *src;
		ck_assert_ptr_null(
		    gpm_source_from_memory_opts(in[k].p, in[k].n * 3 / 4, in[k].name, &po, &src));
		ck_assert_msg(src->cut && strstr(src->cut, "truncated"), "%s", in[k].name);
		ck_assert(src->size > 0 && src->size < n);
		ck_assert(!memcmp(src->data, plain, src->size));
		gpm_source_destroy(src);
		// Whole: no cut.
		ck_assert_ptr_null(
		    gpm_source_from_memory_opts(in[k].p, in[k].n, in[k].name, &po, &src));
		ck_assert_ptr_null(src->cut);
		ck_assert_uint_eq(src->size, n);
		gpm_source_destroy(src);
		// Nothing decoded yet: still an error.
		struct gpm_error *err =
		    gpm_source_from_memory_opts(in[k].p, 12, in[k].name, &po, &src);
		ck_assert_ptr_nonnull(err);
		ck_assert_int_eq(err->code, GPM_ERR_FORMAT);
		gpm_error_destroy(err);
	}
	free(z);
	free(g);
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

// The 8-byte word at each multiple of 8 is its offset: a window read at the wrong offset,
// or given back as zeros, shows.
static void offsets_fill(uint8_t *b, size_t off, size_t n)
{
	size_t k = 0;
	if (off % 8 == 0)
		for (; k + 8 <= n; k += 8) {
			uint64_t w = off + k; // little-endian, as below
			memcpy(b + k, &w, 8);
		}
	for (; k < n; k++) {
		uint64_t w = (off + k) & ~(uint64_t)7;
		b[k] = (uint8_t)(w >> ((off + k) % 8 * 8));
	}
}

static bool offsets_match(const uint8_t *p, size_t off, size_t n, uint8_t *scratch)
{
	offsets_fill(scratch, off, n);
	return memcmp(p, scratch, n) == 0;
}

START_TEST(source_reading_keeps_the_files_bytes)
{
	// Past 128 MiB (read through windows), more than the 16 windows of 4 MiB a source
	// copies into, not a whole number of them.
	enum { BLOCK = 1 << 20 };
	size_t n = ((size_t)150 << 20) + 12345;
	char path[] = "/tmp/gopm-seq-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	uint8_t *buf = malloc(BLOCK), *scratch = malloc(BLOCK);
	ck_assert_ptr_nonnull(buf);
	ck_assert_ptr_nonnull(scratch);
	for (size_t off = 0; off < n; off += BLOCK) {
		size_t k = n - off < BLOCK ? n - off : BLOCK;
		offsets_fill(buf, off, k);
		ck_assert_int_eq(pwrite(fd, buf, k, (off_t)off), (ssize_t)k);
	}
	close(fd);
	struct gpm_source_options o = {.sequential = true};
	struct gpm_source *src, *plain;
	ck_assert_ptr_null(gpm_source_open_opts(path, &o, &src));
	ck_assert_ptr_null(gpm_source_open(path, &plain));
	unlink(path); // the sources keep it open: nothing left behind when a check fails
	ck_assert_uint_eq(src->size, n);
	const uint8_t *end = src->data + n;
	// A reader going front to back, 4 KiB at a time, jumping 10 MiB once; each block is
	// checked as it is reached (the windows ahead) and all of them again after (the
	// windows given back to the file's mapping), and after the pages are released. Every
	// 9 MiB it says it is done with what it passed (as after each snapshot of a dump), so
	// the windows before give their chunks up first: 12 MiB back is checked then too.
	const uint8_t *next = gpm_source_reading(src, src->data);
	ck_assert(next < end); // windows in use
	size_t calls = 1;
	for (size_t off = 0; off < n; off += 4096) {
		if (off == ((size_t)30 << 20))
			off += (size_t)10 << 20;
		const uint8_t *at = src->data + off;
		if (at >= next) {
			next = gpm_source_reading(src, at);
			calls++;
		}
		size_t k = n - off < 4096 ? n - off : 4096;
		ck_assert_msg(offsets_match(at, off, k, scratch), "bytes at %zu", off);
		if (off % ((size_t)9 << 20) == 0) {
			gpm_source_read_done(src);
			if (off >= ((size_t)12 << 20))
				ck_assert_msg(offsets_match(at - ((size_t)12 << 20),
				                            off - ((size_t)12 << 20), 4096,
				                            scratch),
				              "bytes 12 MiB before %zu", off);
		}
	}
	ck_assert_ptr_eq(next, end);
	ck_assert_uint_ge(calls, 18);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t off = 0; off < n; off += BLOCK) {
			size_t k = n - off < BLOCK ? n - off : BLOCK;
			ck_assert_msg(offsets_match(src->data + off, off, k, scratch),
			              "pass %d at %zu", pass, off);
		}
		gpm_source_release_pages(src);
	}
	// Not read front to back: the file's mapping as before, and no window.
	gpm_source_destroy(src);
	ck_assert_ptr_eq(gpm_source_reading(plain, plain->data), plain->data + n);
	gpm_source_destroy(plain);
	free(buf);
	free(scratch);
}
END_TEST

// 1 MiB of a header, zeros and a trailer: the shape of a core.
static uint8_t *core_like(size_t n)
{
	uint8_t *plain = calloc(1, n);
	memcpy(plain, "ELF-ish", 7);
	memcpy(plain + n - 5, "tail", 5);
	return plain;
}

START_TEST(source_decompresses_xz_and_lz4)
{
	size_t n = 1 << 20;
	uint8_t *plain = core_like(n);
	size_t xcap = lzma_stream_buffer_bound(n), xn = 0;
	uint8_t *x = malloc(xcap);
	ck_assert_int_eq(lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, NULL, plain, n, x, &xn, xcap),
	                 LZMA_OK);
	struct gpm_source *src;
	ck_assert_ptr_null(gpm_source_from_memory(x, xn, "x.xz", &src));
	ck_assert_int_eq(src->compression, GPM_COMPRESSION_XZ);
	ck_assert_str_eq(gpm_compression_name(src->compression), "xz");
	ck_assert_uint_eq(src->size, n);
	ck_assert(!memcmp(src->data, plain, n));
	gpm_source_destroy(src);
	struct gpm_error *err = gpm_source_from_memory(x, xn - 16, "t.xz", &src);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, GPM_ERR_FORMAT);
	gpm_error_destroy(err);

	size_t lcap = LZ4F_compressFrameBound(n, NULL);
	uint8_t *l = malloc(lcap);
	size_t ln = LZ4F_compressFrame(l, lcap, plain, n, NULL);
	ck_assert(!LZ4F_isError(ln));
	ck_assert_ptr_null(gpm_source_from_memory(l, ln, "x.lz4", &src));
	ck_assert_int_eq(src->compression, GPM_COMPRESSION_LZ4);
	ck_assert_uint_eq(src->size, n);
	ck_assert(!memcmp(src->data, plain, n));
	gpm_source_destroy(src);
	err = gpm_source_from_memory(l, ln / 2, "t.lz4", &src);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, GPM_ERR_FORMAT);
	ck_assert_ptr_nonnull(strstr(err->message, "truncated lz4"));
	gpm_error_destroy(err);
	free(l);
	free(x);
	free(plain);
}
END_TEST

// A zstd bomb: 32 MiB of 'A' compresses about 5000 to 1.
START_TEST(source_stops_decompression_bombs_while_streaming)
{
	size_t n = 32 << 20;
	uint8_t *plain = malloc(n);
	memset(plain, 'A', n);
	size_t zcap = ZSTD_compressBound(n);
	uint8_t *z = malloc(zcap);
	size_t zn = ZSTD_compress(z, zcap, plain, n, 1);
	ck_assert(!ZSTD_isError(zn));
	ck_assert_uint_lt(zn, n / 1000);
	struct gpm_source *src;
	// The ratio cap: 4 non-zero bytes per compressed byte above a 1 MiB floor.
	struct gpm_source_options o = {.limits = {.max_ratio = 4, .ratio_floor = 1 << 20}};
	struct gpm_error *err = gpm_source_from_memory_opts(z, zn, "bomb.zst", &o, &src);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, GPM_ERR_LIMIT);
	ck_assert_ptr_nonnull(strstr(err->message, "GOPM_MAX_RATIO"));
	gpm_error_destroy(err);
	// The hard cap, on the decompressed size.
	o = (struct gpm_source_options){.limits = {.max_size = 8 << 20}};
	err = gpm_source_from_memory_opts(z, zn, "bomb.zst", &o, &src);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, GPM_ERR_LIMIT);
	ck_assert_ptr_nonnull(strstr(err->message, "GOPM_MAX_INPUT"));
	gpm_error_destroy(err);
	// Zero pages cost nothing and are not counted: a sparse core is no bomb.
	memset(plain, 0, n);
	memcpy(plain + n / 2, "middle", 6);
	zn = ZSTD_compress(z, zcap, plain, n, 1);
	o = (struct gpm_source_options){.limits = {.max_ratio = 4, .ratio_floor = 1 << 20}};
	ck_assert_ptr_null(gpm_source_from_memory_opts(z, zn, "sparse.zst", &o, &src));
	ck_assert_uint_eq(src->size, n);
	ck_assert(!memcmp(src->data + n / 2, "middle", 6));
	gpm_source_destroy(src);
	free(z);
	free(plain);
}
END_TEST

START_TEST(source_limits_come_from_the_environment)
{
	struct gpm_source_limits l;
	setenv("GOPM_MAX_INPUT", "3M", 1);
	setenv("GOPM_MAX_RATIO", "7", 1);
	ck_assert_ptr_null(gpm_source_limits_default(&l));
	ck_assert_uint_eq(l.max_size, 3 << 20);
	ck_assert_uint_eq(l.max_ratio, 7);
	setenv("GOPM_MAX_INPUT", "lots", 1);
	struct gpm_error *err = gpm_source_limits_default(&l);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, GPM_ERR_USAGE);
	gpm_error_destroy(err);
	unsetenv("GOPM_MAX_INPUT");
	unsetenv("GOPM_MAX_RATIO");
	ck_assert_ptr_null(gpm_source_limits_default(&l));
	ck_assert_uint_eq(l.max_size, (uint64_t)64 << 30);
	ck_assert_uint_eq(l.max_ratio, 256);
}
END_TEST

struct head_seen {
	size_t calls, n;
	char first[8];
};

static struct gpm_error *refuse_head(const uint8_t *p, size_t n, const char *name, void *arg)
{
	struct head_seen *h = arg;
	h->calls++;
	h->n = n;
	memcpy(h->first, p, n < 7 ? n : 7);
	return gpm_error_create(GPM_ERR_UNSUPPORTED, "%s: refused", name);
}

START_TEST(source_checks_the_head_before_the_rest)
{
	// 64 MiB of zeros after a header, the compressed stream cut short: refused from the
	// first 64 KiB, before the decompressor reaches the end (which would say "truncated").
	size_t n = 64 << 20;
	uint8_t *plain = core_like(n);
	size_t zcap = ZSTD_compressBound(n);
	uint8_t *z = malloc(zcap);
	size_t zn = ZSTD_compress(z, zcap, plain, n, 1);
	struct head_seen h = {0};
	struct gpm_source_options o = {.check_head = refuse_head, .arg = &h};
	struct gpm_source *src;
	struct gpm_error *err = gpm_source_from_memory_opts(z, zn - 8, "z.zst", &o, &src);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, GPM_ERR_UNSUPPORTED);
	gpm_error_destroy(err);
	ck_assert_uint_eq(h.calls, 1);
	ck_assert_uint_eq(h.n, GPM_SOURCE_HEAD);
	ck_assert_str_eq(h.first, "ELF-ish");
	free(z);
	free(plain);
}
END_TEST

START_TEST(source_hashes_the_bytes_as_read)
{
	size_t n = 1 << 20;
	uint8_t *plain = core_like(n);
	size_t zcap = ZSTD_compressBound(n);
	uint8_t *z = malloc(zcap);
	size_t zn = ZSTD_compress(z, zcap, plain, n, 3);
	char want[GPM_SHA256_HEX_SIZE];
	gpm_identity_hex(z, zn, want);
	struct gpm_source_options o = {.hash = true};
	struct gpm_source *src;
	ck_assert_ptr_null(gpm_source_from_memory_opts(z, zn, "x.zst", &o, &src));
	ck_assert_str_eq(src->sha256, want); // of the compressed bytes: the file's identity
	gpm_source_destroy(src);
	gpm_identity_hex(plain, n, want);
	ck_assert_ptr_null(gpm_source_from_memory_opts(plain, n, "x", &o, &src));
	ck_assert_str_eq(src->sha256, want);
	gpm_source_destroy(src);
	// Empty input: no NULL pointer reaches memcpy or the hash.
	ck_assert_ptr_null(gpm_source_from_memory_opts(NULL, 0, "empty", &o, &src));
	ck_assert_uint_eq(src->size, 0);
	ck_assert_ptr_null(src->data);
	ck_assert_str_eq(src->sha256, "99aa06d3014798d86001c324468d497f");
	gpm_source_destroy(src);
	free(z);
	free(plain);
}
END_TEST

// The identity of file path computed without gopm: split into 4 MiB chunks, sha256sum of each,
// the digests as bytes, sha256sum of those (perl turns hex into bytes).
static void identity_by_coreutils(const char *dir, const char *path, char out[GPM_SHA256_HEX_SIZE])
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
	         "cd '%s' && rm -f c.* && split -b 4194304 -a 4 '%s' c. && "
	         "for c in $(ls | grep '^c\\.' | sort); do sha256sum <\"$c\" | cut -c1-64; done | "
	         "perl -ne 'print pack(\"H*\", substr($_, 0, 64))' | sha256sum | cut -c1-64",
	         dir, path);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(fgets(out, GPM_SHA256_HEX_SIZE, p));
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_uint_eq(strlen(out), 64);
}

// n bytes that differ from chunk to chunk (a chunk put in the wrong place changes the hash).
static uint8_t *varied(size_t n)
{
	uint8_t *b = malloc(n ? n : 1);
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		b[i] = (uint8_t)x;
	}
	return b;
}

static void sha256sum_of(const char *path, char out[GPM_SHA256_HEX_SIZE])
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "sha256sum <'%s' | cut -c1-64", path);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(fgets(out, GPM_SHA256_HEX_SIZE, p));
	ck_assert_int_eq(pclose(p), 0);
}

/* The bulk hasher (libcrypto) gives nettle's digest for every length around the block size
 * and across pieces, one hasher reused message after message. */
START_TEST(sha256_bulk_equals_nettle)
{
	uint8_t *b = varied(300000);
	struct gpm_sha256_bulk *h = gpm_sha256_bulk_create();
	ck_assert_ptr_nonnull(h);
	size_t checked = 0;
	for (size_t n = 0; n <= 300000; n = n < 200 ? n + 1 : n * 3 + 7) {
		uint8_t want[GPM_SHA256_SIZE], got[GPM_SHA256_SIZE];
		struct gpm_sha256 s;
		gpm_sha256_init(&s);
		gpm_sha256_update(&s, b, n);
		gpm_sha256_final(&s, want);
		gpm_sha256_bulk_init(h);
		for (size_t off = 0; off < n; off += 61)
			gpm_sha256_bulk_update(h, b + off, n - off < 61 ? n - off : 61);
		ck_assert(gpm_sha256_bulk_final(h, got));
		ck_assert_mem_eq(got, want, GPM_SHA256_SIZE);
		checked++;
	}
	ck_assert_uint_eq(checked, 201 + 6);
	gpm_sha256_bulk_destroy(h);
	gpm_sha256_bulk_destroy(NULL);
	free(b);
}
END_TEST

/*
 * The identity is XXH3-128 as `xxhsum -H2 FILE` prints it. The expected digests were taken
 * with xxhsum 0.8.1 (Debian's xxhash) from files of varied() bytes: the tests do not need it.
 */
START_TEST(identity_is_xxh3_128_as_xxhsum_prints)
{
	char dir[] = "/tmp/gopm-identity-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof(path), "%s/f", dir);
	const size_t chunk = GPM_IDENTITY_CHUNK;
	const struct {
		size_t n;
		const char *hex;
	} known[] = {
	    {0, "99aa06d3014798d86001c324468d497f"},
	    {1000, "e7ed31324ec5d6a1a3367ae3b4c1ada9"},
	    // Longer than a read buffer and than the tree hash's chunks, an odd size.
	    {2 * chunk + 12345, "d574fb8afad97a907fd351b7a714e356"},
	};
	char got[GPM_SHA256_HEX_SIZE];
	gpm_identity_hex("abc", 3, got);
	ck_assert_str_eq(got, "06b05ab6733a618578af5f94892f3950");
	size_t checked = 0;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		size_t n = known[i].n;
		uint8_t *b = varied(n);
		int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(write(fd, b, n), (ssize_t)n);
		ck_assert(gpm_identity_fd(fd, n, got));
		ck_assert_str_eq(got, known[i].hex);
		gpm_identity_hex(b, n, got);
		ck_assert_str_eq(got, known[i].hex);
		// Fed in pieces of an odd size.
		struct gpm_identity t;
		gpm_identity_init(&t);
		for (size_t off = 0; off < n; off += 999999)
			gpm_identity_update(&t, b + off, n - off < 999999 ? n - off : 999999);
		gpm_identity_final(&t, got);
		ck_assert_str_eq(got, known[i].hex);
		gpm_identity_deinit(&t); // after final: a no-op
		// Asked for more bytes than there are: the file shrank, no identity.
		ck_assert(!gpm_identity_fd(fd, n + 1, got));
		ck_assert_str_eq(got, "");
		close(fd);
		free(b);
		checked++;
	}
	ck_assert_uint_eq(checked, 3);
	// Sparse: data, a hole over whole chunks and part of one, data, a hole to the end; the
	// holes hash as the zeros they read as.
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	uint8_t *b = varied(1 << 20);
	ck_assert_int_eq(pwrite(fd, b, 1 << 20, 0), 1 << 20);
	ck_assert_int_eq(pwrite(fd, b, 1 << 19, (off_t)(3 * chunk + 4096)), 1 << 19);
	ck_assert_int_eq(ftruncate(fd, (off_t)(6 * chunk + 77)), 0);
	ck_assert(gpm_identity_fd(fd, 6 * chunk + 77, got));
	ck_assert_str_eq(got, "fc2a838ed78023125b183055959d2a99");
	close(fd);
	free(b);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* The identities of artifacts stored before (recognised, never written): the tree hash is
 * what coreutils compute, the whole-file one sha256sum's. */
START_TEST(old_identities_are_what_coreutils_compute)
{
	char dir[] = "/tmp/gopm-identity-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof(path), "%s/f", dir);
	const size_t chunk = GPM_IDENTITY_CHUNK;
	// Empty, smaller than a chunk, exactly one and two chunks, one byte over, an odd size.
	const size_t sizes[] = {0, 1000, chunk, 2 * chunk, chunk + 1, 2 * chunk + 12345};
	size_t checked = 0;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];
		uint8_t *b = varied(n);
		int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(write(fd, b, n), (ssize_t)n);
		char want[GPM_SHA256_HEX_SIZE], got[GPM_SHA256_HEX_SIZE];
		identity_by_coreutils(dir, path, want);
		for (unsigned threads = 1; threads <= 3; threads++) {
			ck_assert(gpm_identity_fd_tree(fd, n, threads, got));
			ck_assert_str_eq(got, want);
		}
		sha256sum_of(path, want);
		ck_assert(gpm_identity_fd_whole(fd, n, got));
		ck_assert_str_eq(got, want);
		// Asked for more bytes than there are: the file shrank, no identity.
		ck_assert(!gpm_identity_fd_tree(fd, n + 1, 2, got));
		ck_assert_str_eq(got, "");
		ck_assert(!gpm_identity_fd_whole(fd, n + 1, got));
		close(fd);
		free(b);
		checked++;
	}
	ck_assert_uint_eq(checked, 6);
	// Sparse, as above.
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	uint8_t *b = varied(1 << 20);
	ck_assert_int_eq(pwrite(fd, b, 1 << 20, 0), 1 << 20);
	ck_assert_int_eq(pwrite(fd, b, 1 << 19, (off_t)(3 * chunk + 4096)), 1 << 19);
	ck_assert_int_eq(ftruncate(fd, (off_t)(6 * chunk + 77)), 0);
	char want[GPM_SHA256_HEX_SIZE], got[GPM_SHA256_HEX_SIZE];
	identity_by_coreutils(dir, path, want);
	ck_assert(gpm_identity_fd_tree(fd, 6 * chunk + 77, 0, got));
	ck_assert_str_eq(got, want);
	sha256sum_of(path, want);
	ck_assert(gpm_identity_fd_whole(fd, 6 * chunk + 77, got));
	ck_assert_str_eq(got, want);
	close(fd);
	free(b);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(source_reads_a_pipe)
{
	size_t n = 1 << 20;
	uint8_t *plain = core_like(n);
	size_t zcap = ZSTD_compressBound(n);
	uint8_t *z = malloc(zcap);
	size_t zn = ZSTD_compress(z, zcap, plain, n, 3);
	char want[GPM_SHA256_HEX_SIZE];
	gpm_identity_hex(z, zn, want);
	// A child writes the compressed bytes into a pipe.
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(fds[0]);
		// Dribble the first bytes so the magic arrives in pieces.
		ssize_t w = write(fds[1], z, 2);
		usleep(1000);
		for (size_t off = 2; w >= 0 && off < zn; off += (size_t)w)
			w = write(fds[1], z + off, zn - off);
		_exit(0);
	}
	close(fds[1]);
	struct gpm_source_options o = {.hash = true};
	struct gpm_source *src;
	ck_assert_ptr_null(gpm_source_read_fd(fds[0], "<stdin>", &o, &src));
	close(fds[0]);
	ck_assert_int_eq(src->compression, GPM_COMPRESSION_ZSTD);
	ck_assert_uint_eq(src->size, n);
	ck_assert_uint_eq(src->file_size, zn);
	ck_assert(!memcmp(src->data, plain, n));
	ck_assert_str_eq(src->sha256, want);
	ck_assert_str_eq(src->path, "<stdin>");
	gpm_source_destroy(src);
	free(z);
	free(plain);
}
END_TEST

START_TEST(source_refuses_a_fifo_without_blocking)
{
	char dir[] = "/tmp/gopm-fifo-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof(path), "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	struct gpm_source *src;
	time_t t0 = time(NULL);
	struct gpm_error *err = gpm_source_open(path, &src); // no writer: open() would block
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, GPM_ERR_OS);
	ck_assert_ptr_nonnull(strstr(err->message, "not a regular file (a FIFO"));
	gpm_error_destroy(err);
	ck_assert_int_le(time(NULL) - t0, 2);
	unlink(path);
	rmdir(dir);
}
END_TEST

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

// A frame's path is the program's: the file read for it stays under the root whatever the
// path or the root's symlinks say.
START_TEST(srcpath_stays_under_the_root)
{
	char dir[] = "/tmp/gopm-srcpath-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char root[96], path[160], outside[96];
	snprintf(root, sizeof(root), "%s/root", dir);
	snprintf(outside, sizeof(outside), "%s/secret.go", dir);
	ck_assert_int_eq(mkdir(root, 0700), 0);
	write_file(outside, "secret\n");
	snprintf(path, sizeof(path), "%s/app", root);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/app/main.go", root);
	write_file(path, "package main\n");
	// A symlink inside the root to a file outside it, and one to a directory outside.
	snprintf(path, sizeof(path), "%s/app/link.go", root);
	ck_assert_int_eq(symlink(outside, path), 0);
	snprintf(path, sizeof(path), "%s/up", root);
	ck_assert_int_eq(symlink(dir, path), 0);
	// The module cache spells upper case as '!' and the lower case letter.
	snprintf(path, sizeof(path), "%s/github.com", root);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/github.com/!burnt!sushi@v1.2.0", root);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/github.com/!burnt!sushi@v1.2.0/toml.go", root);
	write_file(path, "package toml\n");

	char *got;
	// Found with leading components stripped, as a real path under the root.
	ck_assert_ptr_null(gpm_srcpath_find(root, "/home/ci/src/app/main.go", &got));
	ck_assert_ptr_nonnull(got);
	ck_assert_ptr_nonnull(strstr(got, "/root/app/main.go"));
	free(got);
	ck_assert_ptr_null(
	    gpm_srcpath_find(root, "/go/pkg/mod/github.com/BurntSushi@v1.2.0/toml.go", &got));
	ck_assert_ptr_nonnull(got);
	ck_assert_ptr_nonnull(strstr(got, "/github.com/!burnt!sushi@v1.2.0/toml.go"));
	free(got);
	// Refused: a symlink out of the root, ".." out of it, a directory behind a symlink.
	const char *bad[] = {"app/link.go",  "/x/app/link.go",
	                     "../secret.go", "app/../../secret.go",
	                     "up/secret.go", "/a/b/up/root/../secret.go",
	                     "app",          ""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_ptr_null(gpm_srcpath_find(root, bad[i], &got));
		ck_assert_msg(!got, "%s: %s", bad[i], got);
	}
	ck_assert_ptr_null(gpm_srcpath_find(NULL, "app/main.go", &got));
	ck_assert_ptr_null(got);
	ck_assert(gpm_srcpath_inside("/a/b", "/a/b/c"));
	ck_assert(!gpm_srcpath_inside("/a/b", "/a/bc"));
	ck_assert(gpm_srcpath_inside("/", "/etc"));

	snprintf(path, sizeof(path), "%s/app/link.go", root);
	unlink(path);
	snprintf(path, sizeof(path), "%s/app/main.go", root);
	unlink(path);
	snprintf(path, sizeof(path), "%s/app", root);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/up", root);
	unlink(path);
	snprintf(path, sizeof(path), "%s/github.com/!burnt!sushi@v1.2.0/toml.go", root);
	unlink(path);
	snprintf(path, sizeof(path), "%s/github.com/!burnt!sushi@v1.2.0", root);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/github.com", root);
	rmdir(path);
	rmdir(root);
	unlink(outside);
	rmdir(dir);
}
END_TEST

Suite *base_suite(void)
{
	Suite *s = suite_create("base");
	TCase *tc = tcase_create("base");
	tcase_add_test(tc, cursor_reads_and_stops_at_end);
	tcase_add_test(tc, cursor_rejects_overlong_varint);
	tcase_add_test(tc, le_word_reads_each_size);
	tcase_add_test(tc, strbuf_escapes_terminal_controls);
	tcase_add_test(tc, strbuf_fields_defuse_formulas);
	tcase_add_test(tc, json_writer_nests_and_escapes);
	tcase_add_test(tc, intern_returns_same_pointer);
	tcase_add_test(tc, u64_lower_bound_finds_the_first_not_less);
	tcase_add_test(tc, u64map_keeps_every_key_through_growth);
	tcase_add_test(tc, source_decompresses_zstd_and_gzip);
	tcase_add_test(tc, source_open_errors_name_the_file);
	tcase_add_test(tc, source_reads_the_core_of_an_apport_report);
	tcase_add_test(tc, source_partial_keeps_what_a_cut_stream_decoded);
	tcase_add_test(tc, source_decompresses_xz_and_lz4);
	tcase_add_test(tc, source_stops_decompression_bombs_while_streaming);
	tcase_add_test(tc, source_limits_come_from_the_environment);
	tcase_add_test(tc, source_checks_the_head_before_the_rest);
	tcase_add_test(tc, source_hashes_the_bytes_as_read);
	tcase_add_test(tc, source_reads_a_pipe);
	tcase_add_test(tc, source_refuses_a_fifo_without_blocking);
	tcase_add_test(tc, srcpath_stays_under_the_root);
	suite_add_tcase(s, tc);
	// Files of up to 24 MiB hashed many ways, and coreutils on each: time for a loaded machine.
	TCase *ti = tcase_create("identity");
	tcase_set_timeout(ti, 120);
	tcase_add_test(ti, sha256_bulk_equals_nettle);
	tcase_add_test(ti, identity_is_xxh3_128_as_xxhsum_prints);
	tcase_add_test(ti, old_identities_are_what_coreutils_compute);
	tcase_add_test(ti, source_reading_keeps_the_files_bytes);
	suite_add_tcase(s, ti);
	return s;
}
