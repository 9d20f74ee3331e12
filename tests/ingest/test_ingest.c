/*
 * The ingest pipeline as a library (src/ingest/ingest.h): every scenario core and its
 * runtime traceback loaded through gpm_ingest_load with options passed explicitly, inputs of
 * no kind refused the way `gopm ingest` skips them, the executable options of one call not
 * leaking into the next, the heap handed over, and archive rows written once per artifact.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_gopm.h"
#include "goroutines/goroutines.h"
#include "heap/heap.h"
#include "ingest/ingest.h"
#include "store/store.h"

/* "goroutine 7 [chan receive]" -> 7; 0 when the line is not one. */
static uint64_t goroutine_id(const char *line)
{
	unsigned long long id = 0;
	return sscanf(line, "goroutine %llu [", &id) == 1 ? id : 0;
}

static bool has_goroutine(const struct gpm_incident *inc, uint64_t id)
{
	for (size_t i = 0; i < inc->goroutines.len; i++)
		if (inc->goroutines.v[i].id == id)
			return true;
	return false;
}

struct walk {
	size_t checked;
};

// One scenario fixture (given by its stderr.txt): the core with its executable and the
// text, both through the pipeline, both holding the first goroutine the runtime printed.
static void core_and_text(const char *stderr_path, void *arg)
{
	struct walk *w = arg;
	char dir[4096], rel[512], exe[4096], core[4200], first[256];
	snprintf(dir, sizeof(dir), "%s", stderr_path);
	*strrchr(dir, '/') = 0;
	ck_assert_msg(gpm_test_meta(dir, "exe", rel, sizeof(rel)), "%s: no exe", dir);
	ck_assert_msg(gpm_test_meta(dir, "first_goroutine", first, sizeof(first)), "%s", dir);
	snprintf(exe, sizeof(exe), "%s", gpm_test_data(rel));
	snprintf(core, sizeof(core), "%s/core.zst", dir);
	uint64_t gid = goroutine_id(first);
	ck_assert_msg(gid, "%s: first_goroutine '%s'", dir, first);

	struct gpm_ingest_options o = {.exe_path = exe};
	struct gpm_ingest_loaded l;
	struct gpm_error *err = gpm_ingest_load(core, &o, &l);
	ck_assert_msg(!err, "%s: %s", core, err ? err->message : "");
	ck_assert_uint_eq(l.n, 1);
	ck_assert_int_eq(l.snapshots[0]->kind, GPM_INPUT_CORE);
	ck_assert_str_eq(l.snapshots[0]->source_name, core);
	ck_assert_ptr_null(gpm_ingest_not_an_incident(l.snapshots[0]));
	ck_assert_msg(has_goroutine(l.snapshots[0], gid), "%s: goroutine %llu not in the core", dir,
	              (unsigned long long)gid);
	ck_assert_uint_gt(l.input_size, 0);
	gpm_ingest_loaded_deinit(&l);
	ck_assert_ptr_null(l.snapshots);

	err = gpm_ingest_load(stderr_path, &o, &l);
	ck_assert_msg(!err, "%s: %s", stderr_path, err ? err->message : "");
	ck_assert_uint_ge(l.n, 1);
	ck_assert_int_ne(l.snapshots[0]->kind, GPM_INPUT_CORE);
	ck_assert_ptr_nonnull(l.src); // the snapshots read their arguments from the text
	bool found = false;
	for (size_t i = 0; i < l.n; i++)
		found |= has_goroutine(l.snapshots[i], gid);
	ck_assert_msg(found, "%s: goroutine %llu not in the text", stderr_path,
	              (unsigned long long)gid);
	gpm_ingest_loaded_deinit(&l);
	w->checked++;
}

START_TEST(ingest_every_scenario_core_and_text)
{
	unsetenv("GOPM_EXE_PATH");
	struct walk w = {0};
	size_t n = gpm_test_each_file("cores", NULL, true, core_and_text, &w);
	// Every fixture directory has a stderr.txt; a walk that found none checked nothing.
	ck_assert_uint_ge(n, 80);
	ck_assert_uint_eq(w.checked, n);
}
END_TEST

// The options are the call's: a wrong --exe in one call, none in the next, the right one
// in the third; nothing of the first stays behind.
START_TEST(ingest_options_are_per_call)
{
	unsetenv("GOPM_EXE_PATH");
	setenv("GOPM_DEBUG_ROOT", "", 1);
	unsetenv("DEBUGINFOD_URLS");
	char core[4096], right[4096], wrong[4096];
	snprintf(core, sizeof(core), "%s", gpm_test_data("cores/go1.19-crash-abba-dwarf/core.zst"));
	snprintf(right, sizeof(right), "%s", gpm_test_data("exe/go1.19-crash-dwarf.zst"));
	snprintf(wrong, sizeof(wrong), "%s", gpm_test_data("exe/go1.19-hang-dwarf.zst"));
	struct gpm_ingest_loaded l;
	struct gpm_ingest_options bad = {.exe_path = wrong};
	struct gpm_error *err = gpm_ingest_load(core, &bad, &l);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, GPM_ERR_MISMATCH);
	gpm_error_destroy(err);
	// The recorded path (/tmp/gopm-fixture/…) is not there: no executable at all.
	struct gpm_ingest_options none = {0};
	err = gpm_ingest_load(core, &none, &l);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, GPM_ERR_MISMATCH);
	gpm_error_destroy(err);
	err = gpm_ingest_load(core, NULL, &l);
	ck_assert_ptr_nonnull(err);
	gpm_error_destroy(err);
	struct gpm_ingest_options good = {.exe_path = right};
	err = gpm_ingest_load(core, &good, &l);
	ck_assert_msg(!err, "%s", err ? err->message : "");
	ck_assert_uint_eq(l.n, 1);
	gpm_ingest_loaded_deinit(&l);
	// A search path given through the environment finds it by build id.
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", gpm_test_data("exe"));
	struct gpm_process_options po = gpm_ingest_process_options(&good);
	ck_assert_str_eq(po.exe_path, right);
	ck_assert_ptr_null(po.search_path);
	ck_assert_ptr_null(po.debug_root);
	setenv("GOPM_EXE_PATH", dir, 1);
	po = gpm_ingest_process_options(NULL);
	ck_assert_ptr_null(po.exe_path);
	ck_assert_str_eq(po.search_path, dir);
}
END_TEST

static const struct gpm_ingest_config *test_config(void)
{
	static struct gpm_ingest_config c = {.exe_path = "/nonexistent/a:/nonexistent/b",
	                                     .debug_root = ""};
	return &c;
}

// The config file comes in through the options, under the environment.
START_TEST(ingest_config_through_the_options)
{
	unsetenv("GOPM_EXE_PATH");
	unsetenv("GOPM_DEBUG_ROOT");
	struct gpm_ingest_options o = {.config = test_config};
	struct gpm_process_options po = gpm_ingest_process_options(&o);
	ck_assert_str_eq(po.search_path, "/nonexistent/a:/nonexistent/b");
	ck_assert_ptr_null(po.debug_root); // "" in the config: no .build-id tree
	po = gpm_ingest_process_options(NULL);
	ck_assert_ptr_null(po.search_path);
	ck_assert_str_eq(po.debug_root, "/usr/lib/debug");
	setenv("GOPM_EXE_PATH", "/nonexistent/env", 1);
	po = gpm_ingest_process_options(&o);
	ck_assert_str_eq(po.search_path, "/nonexistent/env");
}
END_TEST

static char *write_temp(const void *data, size_t n)
{
	const char *tmp = getenv("TMPDIR");
	char *path = NULL;
	ck_assert_int_ge(asprintf(&path, "%s/gopm-ingest-XXXXXX", tmp && *tmp ? tmp : "/tmp"), 0);
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, n), (ssize_t)n);
	close(fd);
	return path;
}

// What `gopm ingest` skips: no kind at all, an empty file, prose that quotes a header.
START_TEST(ingest_inputs_of_no_kind)
{
	static const unsigned char binary[] = {0x7f, 'X', 'Y', 0, 1, 2, 3, 0, 0, 9};
	char *bin = write_temp(binary, sizeof(binary));
	struct gpm_ingest_loaded l;
	struct gpm_error *err = gpm_ingest_load(bin, NULL, &l);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(gpm_ingest_error_no_kind(err), "%s", err->message);
	gpm_error_destroy(err);
	char *empty = write_temp("", 0);
	err = gpm_ingest_load(empty, NULL, &l);
	ck_assert_ptr_nonnull(err);
	ck_assert(!gpm_ingest_error_no_kind(err));
	gpm_error_destroy(err);
	static const char prose[] = "When it hangs, send SIGQUIT: quit prints\n"
	                            "goroutine 1 [running]:\nand the stacks.\n";
	char *txt = write_temp(prose, sizeof(prose) - 1);
	err = gpm_ingest_load(txt, NULL, &l);
	if (!err) {
		for (size_t i = 0; i < l.n; i++)
			ck_assert_ptr_nonnull(gpm_ingest_not_an_incident(l.snapshots[i]));
		gpm_ingest_loaded_deinit(&l);
	} else {
		ck_assert(gpm_ingest_error_no_kind(err));
		gpm_error_destroy(err);
	}
	unlink(bin);
	unlink(empty);
	unlink(txt);
	free(bin);
	free(empty);
	free(txt);
}
END_TEST

// With objects and keep_heap, a core's heap is handed over and its size is the incident's.
START_TEST(ingest_core_objects_keep_heap)
{
	char core[4096], exe[4096];
	snprintf(core, sizeof(core), "%s",
	         gpm_test_data("cores/go1.22-crash-panic-stripped/core.zst"));
	snprintf(exe, sizeof(exe), "%s", gpm_test_data("exe/go1.22-crash-stripped.zst"));
	struct gpm_heap *h = NULL;
	struct gpm_ingest_options o = {.exe_path = exe, .objects = true, .keep_heap = &h};
	struct gpm_ingest_loaded l;
	struct gpm_error *err = gpm_ingest_load(core, &o, &l);
	ck_assert_msg(!err, "%s", err ? err->message : "");
	ck_assert_ptr_nonnull(h);
	ck_assert(l.snapshots[0]->heap_known);
	ck_assert_uint_eq(l.snapshots[0]->heap_bytes, h->bytes);
	ck_assert_uint_gt(h->bytes, 0);
	gpm_heap_destroy(h);
	gpm_ingest_loaded_deinit(&l);
	// Without objects nothing is walked or handed over.
	h = NULL;
	o.objects = false;
	ck_assert_ptr_null(gpm_ingest_load(core, &o, &l));
	ck_assert_ptr_null(h);
	ck_assert(!l.snapshots[0]->heap_known);
	gpm_ingest_loaded_deinit(&l);
}
END_TEST

// Loaded with its hash, analysed and stored; the same artifact again is the same incident.
START_TEST(ingest_store_rows_once)
{
	char path[4096], dir[4200], db[4300];
	snprintf(path, sizeof(path), "%s",
	         gpm_test_data("cores/go1.19-crash-abba-dwarf/stderr.txt"));
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/gopm-ingest-db-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/archive.db", dir);
	struct gpm_ingest_loaded l;
	struct gpm_error *err = gpm_ingest_load_hashed(path, NULL, &l);
	ck_assert_msg(!err, "%s", err ? err->message : "");
	struct gpm_store_artifact art, again;
	ck_assert_ptr_null(gpm_store_artifact_from_file(path, &art));
	ck_assert_str_eq(gpm_ingest_loaded_sha256(&l), art.sha256);
	struct gpm_store *st;
	ck_assert_ptr_null(gpm_ingest_store_open(db, false, &st));
	int64_t id = 0, id2 = 0;
	err = gpm_ingest_store_incident(st, l.snapshots[l.n - 1], NULL, &art, NULL, NULL, &id);
	ck_assert_msg(!err, "%s", err ? err->message : "");
	ck_assert(!gpm_store_ingest_existed(st));
	ck_assert_int_gt(id, 0);
	ck_assert_ptr_null(gpm_store_artifact_from_file(path, &again));
	ck_assert_ptr_null(
	    gpm_ingest_store_incident(st, l.snapshots[l.n - 1], NULL, &again, NULL, NULL, &id2));
	ck_assert(gpm_store_ingest_existed(st));
	ck_assert_int_eq(id, id2);
	gpm_store_close(st);
	gpm_ingest_loaded_deinit(&l);
	// A read-only open of the same archive sees it.
	ck_assert_ptr_null(gpm_ingest_store_open(db, true, &st));
	gpm_store_close(st);
	static const char *const files[] = {"archive.db", "archive.db-wal", "archive.db-shm"};
	for (size_t i = 0; i < 3; i++) {
		char f[4400];
		snprintf(f, sizeof(f), "%s/%s", dir, files[i]);
		unlink(f);
	}
	rmdir(dir);
}
END_TEST

Suite *ingest_suite(void)
{
	Suite *s = suite_create("ingest");
	TCase *tc = tcase_create("pipeline");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, ingest_every_scenario_core_and_text);
	tcase_add_test(tc, ingest_options_are_per_call);
	tcase_add_test(tc, ingest_config_through_the_options);
	tcase_add_test(tc, ingest_inputs_of_no_kind);
	tcase_add_test(tc, ingest_core_objects_keep_heap);
	tcase_add_test(tc, ingest_store_rows_once);
	suite_add_tcase(s, tc);
	return s;
}
