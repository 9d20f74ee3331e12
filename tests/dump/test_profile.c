/*
 * Tests of the protobuf goroutine-profile reader (src/dump/profile.c) against the runtime
 * itself: each testdata/dumps/profiles/<go>-goroutine.pb.gz was written by the same process
 * right before <go>-goroutine.debug1.txt, the runtime's own text of the same goroutines.
 * The two must agree record by record (counts, frames, labels) once the runtime frames the
 * text hides are hidden. Then the states read from the runtime frames, the goroutineleak
 * profile in its three forms and leak.detected, and hostile protobuf: every cut, flipped
 * bytes, a profile of something else, absurd counts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "base/source.h"
#include "base/strbuf.h"
#include "check_gopm.h"
#include "dump/dump.h"

static uint8_t *read_all(const char *path, size_t *len)
{
	struct gpm_source *src;
	struct gpm_error *err = gpm_source_open(path, &src);
	ck_assert_msg(!err, "%s: %s", path, err ? err->message : "");
	uint8_t *buf = malloc(src->size + 1);
	ck_assert_ptr_nonnull(buf);
	memcpy(buf, src->data, src->size);
	buf[src->size] = 0;
	*len = src->size;
	gpm_source_destroy(src);
	return buf;
}

static struct gpm_incident *parse_profile(const char *path)
{
	size_t len;
	uint8_t *buf = read_all(path, &len);
	ck_assert_int_eq(gpm_input_detect(buf, len), GPM_INPUT_PPROF0);
	struct gpm_incident *inc;
	struct gpm_error *err = gpm_goroutine_profile_parse(buf, len, "test", NULL, &inc);
	ck_assert_msg(!err, "%s: %s", path, err ? err->message : "");
	free(buf);
	ck_assert_uint_eq(inc->warnings.len, 0);
	return inc;
}

static struct gpm_incident *parse_text(const char *path)
{
	size_t len;
	uint8_t *buf = read_all(path, &len);
	struct gpm_incident **v;
	size_t n;
	struct gpm_error *err = gpm_dump_parse_all((const char *)buf, len, "test", NULL, &v, &n);
	ck_assert_msg(!err, "%s: %s", path, err ? err->message : "");
	ck_assert_uint_eq(n, 1);
	struct gpm_incident *inc = v[0];
	free(v);
	free(buf);
	return inc;
}

/* A record's key as debug=1 prints it: frames after the runtime's own at the top (as
 * runtime/pprof's printStackRecord hides them), "func file:line" each, then the labels. */
static void record_key(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                       struct gpm_strbuf *sb)
{
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	uint32_t i = 0;
	while (i < n && f[i].func &&
	       (!strncmp(f[i].func, "runtime.", 8) || !strncmp(f[i].func, "internal/runtime/", 17)))
		i++;
	if (i == n) // all of them the runtime's: the text prints them all
		i = 0;
	for (; i < n; i++)
		gpm_strbuf_printf(sb, "%s %s:%u|", f[i].func, f[i].file ? f[i].file : "?",
		                  f[i].line);
	const struct gpm_goroutine_extra *x = gpm_goroutine_extra(inc, g);
	for (uint32_t k = 0; k < x->nlabels; k++)
		gpm_strbuf_printf(sb, "{%s=%s}", inc->labels.v[x->first_label + k].key,
		                  inc->labels.v[x->first_label + k].value);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every goroutine's record key, sorted. */
static char **keys_of(const struct gpm_incident *inc)
{
	char **v = calloc(inc->goroutines.len + 1, sizeof(*v));
	ck_assert_ptr_nonnull(v);
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		struct gpm_strbuf sb = GPM_STRBUF_INIT;
		record_key(inc, &inc->goroutines.v[i], &sb);
		v[i] = strdup(sb.buf ? sb.buf : "");
		gpm_strbuf_deinit(&sb);
	}
	qsort(v, inc->goroutines.len, sizeof(*v), cmp_str);
	return v;
}

static void free_keys(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static const char *state_of_leaf(const struct gpm_incident *inc, const char *leaf)
{
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		uint32_t n;
		const struct gpm_frame *f = gpm_goroutine_frames(inc, &inc->goroutines.v[i], &n);
		for (uint32_t k = 0; k < n; k++)
			if (f[k].func && !strcmp(f[k].func, leaf))
				return inc->goroutines.v[i].state;
	}
	return NULL;
}

static void check_against_text(const char *path, void *arg)
{
	(void)arg;
	struct gpm_incident *pb = parse_profile(path);
	char text[4096];
	snprintf(text, sizeof(text), "%.*s.debug1.txt", (int)(strlen(path) - 6), path);
	struct gpm_incident *tx = parse_text(text);
	ck_assert_int_eq(pb->kind, GPM_INPUT_PPROF0);
	ck_assert_int_eq(tx->kind, GPM_INPUT_PPROF1);
	// The same goroutines: the runtime's total, and record by record.
	ck_assert_uint_eq(pb->goroutines.len, tx->pprof_total);
	ck_assert_uint_eq(pb->pprof_total, tx->pprof_total);
	ck_assert_uint_eq(pb->goroutines.len, tx->goroutines.len);
	char **a = keys_of(pb), **b = keys_of(tx);
	for (size_t i = 0; i < pb->goroutines.len; i++)
		ck_assert_msg(!strcmp(a[i], b[i]), "%s: record %zu:\n  protobuf %s\n  text     %s",
		              path, i, a[i], b[i]);
	free_keys(a, pb->goroutines.len);
	free_keys(b, tx->goroutines.len);
	// What only the protobuf tells: where each goroutine waits, the time, the program.
	const char *st;
	ck_assert_pstr_eq((st = state_of_leaf(pb, "main.recvLeaf")), "chan receive");
	ck_assert_pstr_eq(state_of_leaf(pb, "main.selectLeaf"), "select");
	ck_assert_pstr_eq(state_of_leaf(pb, "main.lockLeaf"), "sync.Mutex.Lock");
	ck_assert_pstr_eq(state_of_leaf(pb, "main.sleepLeaf"), "sleep");
	ck_assert_pstr_eq(state_of_leaf(pb, "main.main"), "running");
	ck_assert_int_gt(pb->time, 1600000000);
	ck_assert_ptr_nonnull(pb->exe_path);
	// No runtime.goexit at the bottom: the runtime's tracebacks never print it.
	for (size_t i = 0; i < pb->frames.len; i++)
		ck_assert_str_ne(pb->frames.v[i].func, "runtime.goexit");
	// Analysed: every record counted, none of them an alarm (a quiet, healthy program).
	struct gpm_analysis *an;
	struct gpm_error *err = gpm_analysis_run(pb, NULL, &an);
	ck_assert_msg(!err, "%s", err ? err->message : "");
	ck_assert_uint_eq(an->goroutines, pb->goroutines.len);
	for (size_t i = 0; i < an->findings.len; i++)
		ck_assert_msg(an->findings.v[i].severity < GPM_SEVERITY_MEDIUM, "%s: %s", path,
		              an->findings.v[i].rule);
	gpm_analysis_destroy(an);
	gpm_incident_destroy(pb);
	gpm_incident_destroy(tx);
}

START_TEST(test_profile_equals_runtime_text)
{
	size_t n = gpm_test_each_file("dumps/profiles", "-goroutine.pb.gz", false,
	                              check_against_text, NULL);
	ck_assert_uint_ge(n, 4);
}
END_TEST

/* Every goroutine as "state|func file:line|...{labels}", all frames, sorted; files and
 * lines left out (no_lines) for a listing printed without them. */
static char **full_keys(const struct gpm_incident *inc, bool no_lines)
{
	char **v = calloc(inc->goroutines.len + 1, sizeof(*v));
	ck_assert_ptr_nonnull(v);
	for (size_t i = 0; i < inc->goroutines.len; i++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[i];
		struct gpm_strbuf sb = GPM_STRBUF_INIT;
		gpm_strbuf_printf(&sb, "%s/%d|", g->state ? g->state : "-", (int)g->status);
		uint32_t n;
		const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
		for (uint32_t k = 0; k < n; k++)
			if (no_lines)
				gpm_strbuf_printf(&sb, "%s|", f[k].func);
			else
				gpm_strbuf_printf(&sb, "%s %s:%u|", f[k].func,
				                  f[k].file ? f[k].file : "?", f[k].line);
		const struct gpm_goroutine_extra *x = gpm_goroutine_extra(inc, g);
		for (uint32_t k = 0; k < x->nlabels; k++)
			gpm_strbuf_printf(&sb, "{%s=%s}", inc->labels.v[x->first_label + k].key,
			                  inc->labels.v[x->first_label + k].value);
		v[i] = strdup(sb.buf ? sb.buf : "");
		gpm_strbuf_deinit(&sb);
	}
	qsort(v, inc->goroutines.len, sizeof(*v), cmp_str);
	return v;
}

/* `go tool pprof -traces` (and -traces -lines) of each protobuf profile, made from it with
 * Go 1.19's pprof (the .traces.txt and .traces-lines.txt beside each): the same goroutines, states,
 * frames (with -lines their files and lines too) and labels as the protobuf itself. */
static void check_traces(const char *path, void *arg)
{
	unsigned *checked = arg;
	struct gpm_incident *pb = parse_profile(path);
	const char *forms[] = {".traces.txt", ".traces-lines.txt"};
	for (int lines = 0; lines < 2; lines++) {
		char text[4096];
		snprintf(text, sizeof(text), "%.*s%s", (int)(strlen(path) - 6), path, forms[lines]);
		size_t len;
		uint8_t *buf = read_all(text, &len);
		ck_assert_int_eq(gpm_pprof_traces_detect((const char *)buf, len), 1);
		free(buf);
		struct gpm_incident *tr = parse_text(text);
		ck_assert_msg(tr->pprof_traces && tr->kind == GPM_INPUT_PPROF0, "%s", text);
		ck_assert_uint_eq(tr->warnings.len, 0);
		ck_assert(tr->leak_profile == pb->leak_profile);
		ck_assert_uint_eq(tr->goroutines.len, pb->goroutines.len);
		ck_assert(tr->time <= pb->time &&
		          pb->time - tr->time < 60); // printed to the minute
		char **a = full_keys(pb, !lines), **b = full_keys(tr, !lines);
		for (size_t i = 0; i < pb->goroutines.len; i++)
			ck_assert_msg(!strcmp(a[i], b[i]),
			              "%s: goroutine %zu:\n  protobuf %s\n  traces   %s", text, i,
			              a[i], b[i]);
		free_keys(a, pb->goroutines.len);
		free_keys(b, tr->goroutines.len);
		gpm_incident_destroy(tr);
		++*checked;
	}
	gpm_incident_destroy(pb);
}

START_TEST(test_profile_traces_listing)
{
	unsigned checked = 0;
	size_t n = gpm_test_each_file("dumps/profiles", ".pb.gz", false, check_traces, &checked);
	ck_assert_uint_ge(n, 5);
	ck_assert_uint_eq(checked, 2 * n);
	// A listing of another profile names it; a cut or damaged one says what it lost.
	static const char heap[] = "File: x\nType: inuse_space\n-----------+-----------------------"
	                           "--------------------------------\n      1MB   main.f\n";
	struct gpm_incident **v;
	size_t k;
	struct gpm_error *err = gpm_dump_parse_all(heap, sizeof(heap) - 1, "h", NULL, &v, &k);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, GPM_ERR_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(err->message, "inuse_space"));
	gpm_error_destroy(err);
	static const char odd[] =
	    "Type: goroutine\n-----------+-------------------------------------------------------\n"
	    "      1.5k   runtime.gopark\n             main.f extra words\n"
	    "-----------+-------------------------------------------------------\n"
	    "      7   runtime.gopark\n             runtime.selectgo\n             main.g";
	ck_assert_ptr_null(gpm_dump_parse_all(odd, sizeof(odd) - 1, "o", NULL, &v, &k));
	ck_assert_uint_eq(k, 1);
	ck_assert_uint_eq(v[0]->goroutines.len, 8); // 1 for the count it could not read, 7
	ck_assert_uint_eq(v[0]->warnings.len, 2);
	ck_assert_str_eq(v[0]->goroutines.v[7].state, "select");
	gpm_incident_destroy(v[0]);
	free(v);
	// A stack past the frame limit keeps its first frames and says so.
	struct gpm_dump_options o = {.max_frames = 2};
	ck_assert_ptr_null(gpm_dump_parse_all(odd, sizeof(odd) - 1, "o", &o, &v, &k));
	ck_assert_uint_eq(v[0]->goroutines.len, 8);
	bool said = false;
	for (size_t i = 0; i < v[0]->warnings.len; i++)
		said |= strstr(v[0]->warnings.v[i].text, "more than 2 frames") != NULL;
	ck_assert(said);
	uint32_t nf;
	gpm_goroutine_frames(v[0], &v[0]->goroutines.v[7], &nf);
	ck_assert_uint_eq(nf, 2);
	gpm_incident_destroy(v[0]);
	free(v);
}
END_TEST

static bool has_finding(const struct gpm_analysis *a, const char *rule, uint64_t count)
{
	for (size_t i = 0; i < a->findings.len; i++)
		if (!strcmp(a->findings.v[i].rule, rule) && a->findings.v[i].count == count)
			return true;
	return false;
}

static void check_leak(struct gpm_incident *inc, bool whole_profile)
{
	ck_assert(inc->leak_profile == whole_profile);
	size_t leaked = 0;
	for (size_t i = 0; i < inc->goroutines.len; i++)
		leaked += inc->goroutines.v[i].status == GPM_G_LEAKED;
	ck_assert_uint_eq(leaked, 2);
	struct gpm_analysis *an;
	struct gpm_error *err = gpm_analysis_run(inc, NULL, &an);
	ck_assert_msg(!err, "%s", err ? err->message : "");
	ck_assert_msg(has_finding(an, "leak.detected", 2), "%zu findings, first %s count %llu",
	              an->findings.len, an->findings.len ? an->findings.v[0].rule : "-",
	              an->findings.len ? (unsigned long long)an->findings.v[0].count : 0ULL);
	ck_assert_str_eq(an->findings.v[0].rule, "leak.detected");
	ck_assert_ptr_nonnull(strstr(an->findings.v[0].title, "main.leakLeaf"));
	gpm_analysis_destroy(an);
	gpm_incident_destroy(inc);
}

START_TEST(test_goroutineleak_profiles)
{
	// debug=0 and debug=1 list only the leaked goroutines; debug=2 is a full dump in
	// which they print "(leaked)".
	struct gpm_incident *inc =
	    parse_profile(gpm_test_data("dumps/profiles/go1.27-goroutineleak.pb.gz"));
	ck_assert_pstr_eq(state_of_leaf(inc, "main.leakLeaf"), "chan receive");
	check_leak(inc, true);
	check_leak(parse_text(gpm_test_data("dumps/profiles/go1.27-goroutineleak.debug1.txt")),
	           true);
	check_leak(parse_text(gpm_test_data("dumps/profiles/go1.27-goroutineleak.debug2.txt")),
	           false);
}
END_TEST

/* ---- hand-made protobuf ---- */

static void put_varint(struct gpm_strbuf *b, uint64_t v)
{
	while (v >= 0x80) {
		gpm_strbuf_putc(b, (char)(v | 0x80));
		v >>= 7;
	}
	gpm_strbuf_putc(b, (char)v);
}

static void put_int(struct gpm_strbuf *b, unsigned field, uint64_t v)
{
	put_varint(b, (uint64_t)field << 3);
	put_varint(b, v);
}

static void put_bytes(struct gpm_strbuf *b, unsigned field, const void *p, size_t n)
{
	put_varint(b, (uint64_t)field << 3 | 2);
	put_varint(b, n);
	gpm_strbuf_append(b, p, n);
}

static void put_msg(struct gpm_strbuf *b, unsigned field, struct gpm_strbuf *m)
{
	put_bytes(b, field, m->buf ? m->buf : "", m->len);
	gpm_strbuf_deinit(m);
}

/* A profile of one sample (type names the sample type; count goroutines in main.f). */
static void make_profile(struct gpm_strbuf *p, const char *type, uint64_t count)
{
	struct gpm_strbuf m = GPM_STRBUF_INIT;
	put_int(&m, 1, 1); // type: strings[1]
	put_int(&m, 2, 2); // unit: strings[2]
	put_msg(p, 1, &m);
	put_int(&m, 1, 1); // location id 1
	put_int(&m, 2, count);
	// Labels out of key order: a number ("n" = 5 bytes) before a string ("a" = "b").
	struct gpm_strbuf lb = GPM_STRBUF_INIT;
	put_int(&lb, 1, 5); // key "n"
	put_int(&lb, 3, 5);
	put_int(&lb, 4, 6); // unit "bytes"
	put_msg(&m, 3, &lb);
	put_int(&lb, 1, 7); // key "a"
	put_int(&lb, 2, 8); // "b"
	put_msg(&m, 3, &lb);
	put_msg(p, 2, &m);
	struct gpm_strbuf line = GPM_STRBUF_INIT;
	put_int(&m, 1, 1);
	put_int(&m, 3, 0x401000);
	put_int(&line, 1, 7); // function id 7
	put_int(&line, 2, 42);
	put_msg(&m, 4, &line);
	put_msg(p, 4, &m);
	put_int(&m, 1, 7);
	put_int(&m, 2, 3);
	put_int(&m, 4, 4);
	put_msg(p, 5, &m);
	const char *strs[] = {"", type, "count", "main.f", "f.go", "n", "bytes", "a", "b"};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		put_bytes(p, 6, strs[i], strlen(strs[i]));
}

START_TEST(test_profile_hand_made)
{
	struct gpm_strbuf p = GPM_STRBUF_INIT;
	make_profile(&p, "goroutine", 3);
	struct gpm_incident *inc;
	struct gpm_error *err =
	    gpm_goroutine_profile_parse((const uint8_t *)p.buf, p.len, "t", NULL, &inc);
	ck_assert_msg(!err, "%s", err ? err->message : "");
	ck_assert_uint_eq(inc->goroutines.len, 3);
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, &inc->goroutines.v[0], &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(f[0].func, "main.f");
	ck_assert_str_eq(f[0].file, "f.go");
	ck_assert_uint_eq(f[0].line, 42);
	ck_assert_uint_eq(f[0].pc, 0x401000);
	// Labels sorted by key, shared by the record's goroutines.
	const struct gpm_goroutine_extra *x = gpm_goroutine_extra(inc, &inc->goroutines.v[2]);
	ck_assert_uint_eq(x->nlabels, 2);
	ck_assert_str_eq(inc->labels.v[x->first_label].key, "a");
	ck_assert_str_eq(inc->labels.v[x->first_label].value, "b");
	ck_assert_str_eq(inc->labels.v[x->first_label + 1].key, "n");
	ck_assert_str_eq(inc->labels.v[x->first_label + 1].value, "5 bytes");
	gpm_incident_destroy(inc);
	gpm_strbuf_deinit(&p);

	// A profile of something else is refused by name, not read as no goroutines.
	make_profile(&p, "alloc_objects", 3);
	err = gpm_goroutine_profile_parse((const uint8_t *)p.buf, p.len, "t", NULL, &inc);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, GPM_ERR_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(err->message, "alloc_objects"));
	gpm_error_destroy(err);
	gpm_strbuf_deinit(&p);

	// An absurd count is capped at the limit and said, not allocated.
	make_profile(&p, "goroutine", (uint64_t)1 << 62);
	struct gpm_dump_options o = {.max_goroutines = 1000};
	err = gpm_goroutine_profile_parse((const uint8_t *)p.buf, p.len, "t", &o, &inc);
	ck_assert_msg(!err, "%s", err ? err->message : "");
	ck_assert_uint_eq(inc->goroutines.len, 1000);
	ck_assert_uint_eq(inc->warnings.len, 1);
	ck_assert_ptr_nonnull(strstr(inc->warnings.v[0].text, "past the limit"));
	gpm_incident_destroy(inc);
	gpm_strbuf_deinit(&p);

	// Every goroutine of a profile is made from a count: max_counted bounds them too.
	make_profile(&p, "goroutine", (uint64_t)1 << 62);
	o = (struct gpm_dump_options){.max_counted = 700};
	err = gpm_goroutine_profile_parse((const uint8_t *)p.buf, p.len, "t", &o, &inc);
	ck_assert_msg(!err, "%s", err ? err->message : "");
	ck_assert_uint_eq(inc->goroutines.len, 700);
	ck_assert_uint_eq(inc->warnings.len, 1);
	gpm_incident_destroy(inc);
	gpm_strbuf_deinit(&p);

	// Text that starts like a protobuf tag ('Z' is field 11, length-delimited) is text.
	const char *z = "Zebra crossing: goroutine 1 [running]:\nmain.main()\n";
	ck_assert_int_ne(gpm_input_detect((const uint8_t *)z, strlen(z)), GPM_INPUT_PPROF0);
}
END_TEST

START_TEST(test_profile_hostile)
{
	size_t len;
	uint8_t *buf = read_all(gpm_test_data("dumps/profiles/go1.27-goroutine.pb.gz"), &len);
	// Every cut: an error or a partial result with a warning, never a silent full one.
	size_t errors = 0, partial = 0;
	for (size_t cut = 0; cut < len; cut++) {
		struct gpm_incident *inc;
		struct gpm_error *err = gpm_goroutine_profile_parse(buf, cut, "t", NULL, &inc);
		if (err) {
			errors++;
			gpm_error_destroy(err);
			continue;
		}
		partial++;
		gpm_incident_destroy(inc);
	}
	ck_assert_uint_eq(errors + partial, len);
	ck_assert_uint_gt(errors, len / 2);
	// Flipped bytes: no crash, no leak (the sanitizers watch).
	uint8_t *copy = malloc(len);
	ck_assert_ptr_nonnull(copy);
	srand(7);
	for (int round = 0; round < 2000; round++) {
		memcpy(copy, buf, len);
		for (int k = 0; k < 4; k++)
			copy[(size_t)rand() % len] = (uint8_t)rand();
		struct gpm_incident *inc;
		struct gpm_error *err = gpm_goroutine_profile_parse(copy, len, "t", NULL, &inc);
		if (err)
			gpm_error_destroy(err);
		else
			gpm_incident_destroy(inc);
	}
	free(copy);
	free(buf);
}
END_TEST

Suite *profile_suite(void)
{
	Suite *s = suite_create("profile");
	TCase *tc = tcase_create("profile");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_profile_equals_runtime_text);
	tcase_add_test(tc, test_profile_traces_listing);
	tcase_add_test(tc, test_goroutineleak_profiles);
	tcase_add_test(tc, test_profile_hand_made);
	tcase_add_test(tc, test_profile_hostile);
	suite_add_tcase(s, tc);
	return s;
}
