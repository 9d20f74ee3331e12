/*
 * Findings on the labelled scenario corpus: for every crash scenario fixture
 * (testdata/cores/go1.NN-crash-SCENARIO-VARIANT and -crash2-), the headline finding must be the
 * expected rule with its key evidence, both from the core (with the core-only readers of
 * src/goroutines/objects.c) and from the runtime's own traceback of the same instant
 * (stderr.txt); and both inputs must name the same goroutines.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "analysis/report_share.h"
#include "base/source.h"
#include "check_gopm.h"
#include "dump/dump.h"
#include "goroutines/goroutines.h"
#include "goroutines/objects.h"
#include "model/frameclass.h"

static struct gpm_incident *load_core(const char *dir)
{
	char core[1100], rel[512], exe[700];
	snprintf(core, sizeof(core), "%s/core.zst", dir);
	ck_assert_msg(gpm_test_meta(dir, "exe", rel, sizeof(rel)), "%s: no exe in meta", dir);
	snprintf(exe, sizeof(exe), "%s", gpm_test_data(rel));
	struct gpm_process_options po = {.exe_path = exe};
	struct gpm_process *p;
	struct gpm_error *err = gpm_process_open(core, &po, &p);
	ck_assert_msg(!err, "%s: %s", dir, err ? err->message : "");
	struct gpm_incident *inc;
	err = gpm_goroutines_read(p, NULL, &inc);
	ck_assert_msg(!err, "%s: %s", dir, err ? err->message : "");
	err = gpm_objects_read(p, inc);
	ck_assert_msg(!err, "%s: %s", dir, err ? err->message : "");
	gpm_process_destroy(p);
	return inc;
}

static struct gpm_incident *load_text(const char *dir)
{
	char name[128] = "stderr.txt", path[1200];
	gpm_test_meta(dir, "stderr", name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	struct gpm_source *src;
	struct gpm_error *err = gpm_source_open(path, &src);
	ck_assert_msg(!err, "%s: %s", path, err ? err->message : "");
	struct gpm_incident **v;
	size_t n;
	err = gpm_dump_parse_all((const char *)src->data, src->size, path, NULL, &v, &n);
	ck_assert_msg(!err && n >= 1, "%s: %s", path, err ? err->message : "no dump");
	gpm_source_destroy(src);
	for (size_t i = 1; i < n; i++)
		gpm_incident_destroy(v[i]);
	struct gpm_incident *inc = v[0];
	free(v);
	return inc;
}

struct expect {
	const char *scenario, *rule, *title_has, *evidence_has;
	uint64_t count_min;
	const char *evidence2;     /* more evidence both inputs must show, or NULL */
	const char *text_evidence; /* evidence only the traceback text has, or NULL */
	bool same_address;         /* core and text name the same object (f->address) */
};

static const struct expect expects[] = {
    {"nilderef", "signal.nil-dereference", "main.(*Config).retries", "fault address 0x10", 1, NULL,
     NULL, false},
    {"panic", "panic", "load /etc/app/db.yaml: missing field \"host\"", "main.mustLoad", 1, NULL,
     NULL, false},
    {"nilmap", "panic.nil-map", "main.(*Registry).register", "assignment to entry in nil map", 1,
     NULL, NULL, false},
    {"deadlock", "deadlock.all-asleep", "all goroutines are asleep", "main.deadlock", 5, NULL, NULL,
     false},
    {"concmap", "map.concurrent-access", "main.writer", "concurrent map", 1, NULL, NULL, false},
    {"overflow", "stack-overflow", "main.(*Tree).sum", "main.(*Tree).sum appears", 1, NULL, NULL,
     false},
    {"leak", "leak.chan", "abandoned channels in main.(*Client).fetch.func1",
     "main.(*Client).fetch", 1000, NULL, NULL, false},
    {"abba", "deadlock.lock-order", "each hold a mutex the other wants", "main.transfer", 2, NULL,
     NULL, false},
    // crash2 (testdata/go/crash2): the headline names the result channel shared by the 16
    // workers, where they were created, and the goroutine waiting for them in
    // WaitGroup.Wait (goroutine 1, in runBatch).
    {"workers", "deadlock.undrained-channel", "16 workers blocked sending on result channel 0x",
     "by main.runBatch at gopm.test/fixture/crash2/main.go:90", 17, "goroutine 1 [", NULL, true},
    // The throw, what was allocating, and (text only: the runtime printed it) the size.
    {"oom", "oom", "out of memory while allocating in main.(*Cache).add", "out of memory", 1,
     "main.oom at gopm.test/fixture/crash2/main.go:148", "4194304 bytes", false},
    // The mutex, its 19 waiters and the holder sleeping inside the critical section.
    {"contention", "contention.mutex", "19 goroutines wait for mutex 0x",
     "19, first in main.(*Store).Get", 19, "in main.fetchRemote", NULL, true},
};

static bool evidence_has(const struct gpm_finding *f, const char *s)
{
	for (size_t i = 0; i < f->evidence.len; i++)
		if (strstr(f->evidence.v[i].value, s))
			return true;
	return strstr(f->title, s) || (f->next && strstr(f->next, s));
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Checks the headline of inc; returns its sorted goroutine ids (first n, malloc'd). */
static uint64_t *check_headline(const char *what, const struct gpm_incident *inc,
                                const struct expect *e, size_t *nids, uint64_t *address)
{
	struct gpm_analysis *a;
	struct gpm_error *err = gpm_analysis_run(inc, NULL, &a);
	ck_assert_msg(!err, "%s: %s", what, err ? err->message : "");
	ck_assert_msg(a->findings.len > 0, "%s: no findings", what);
	const struct gpm_finding *f = &a->findings.v[0];
	ck_assert_msg(!strcmp(f->rule, e->rule), "%s: headline %s (%s), want %s", what, f->rule,
	              f->title, e->rule);
	ck_assert_msg(strstr(f->title, e->title_has), "%s: title '%s' lacks '%s'", what, f->title,
	              e->title_has);
	ck_assert_msg(evidence_has(f, e->evidence_has), "%s: evidence lacks '%s'", what,
	              e->evidence_has);
	ck_assert_msg(!e->evidence2 || evidence_has(f, e->evidence2), "%s: evidence lacks '%s'",
	              what, e->evidence2);
	if (inc->kind != GPM_INPUT_CORE)
		ck_assert_msg(!e->text_evidence || evidence_has(f, e->text_evidence),
		              "%s: evidence lacks '%s'", what, e->text_evidence);
	*address = f->address;
	ck_assert_msg(f->count >= e->count_min, "%s: %llu goroutines, want >= %llu", what,
	              (unsigned long long)f->count, (unsigned long long)e->count_min);
	// The report prints without trouble in both forms.
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	gpm_report_text(inc, a, NULL, &sb);
	ck_assert(sb.len > 0 && strstr(sb.buf, f->rule));
	gpm_strbuf_reset(&sb);
	gpm_report_json(inc, a, NULL, &sb);
	ck_assert(sb.len > 0 && sb.buf[0] == '{');
	gpm_strbuf_deinit(&sb);
	uint64_t *ids = malloc((f->goroutines.len + 1) * sizeof(*ids));
	ck_assert(ids);
	memcpy(ids, f->goroutines.v, f->goroutines.len * sizeof(*ids));
	*nids = f->goroutines.len;
	qsort(ids, *nids, sizeof(*ids), cmp_u64);
	gpm_analysis_destroy(a);
	return ids;
}

START_TEST(test_scenarios)
{
	char root[512]; // gpm_test_data's buffer is reused
	snprintf(root, sizeof(root), "%s", gpm_test_data("cores"));
	DIR *d = opendir(root);
	if (!d)
		return; // fixtures not present
	struct dirent *de;
	unsigned checked = 0;
	while ((de = readdir(d))) {
		// go1.NN-crash-SCENARIO-VARIANT and go1.NN-crash2-SCENARIO-VARIANT.
		const char *c = strstr(de->d_name, "-crash-");
		size_t skip = 7;
		if (!c && (c = strstr(de->d_name, "-crash2-")))
			skip = 8;
		if (!c)
			continue;
		const struct expect *e = NULL;
		for (size_t i = 0; i < sizeof(expects) / sizeof(expects[0]); i++) {
			size_t l = strlen(expects[i].scenario);
			if (!strncmp(c + skip, expects[i].scenario, l) && c[skip + l] == '-')
				e = &expects[i];
		}
		if (!e)
			continue;
		char dir[1024], what[1200];
		snprintf(dir, sizeof(dir), "%s/%s", root, de->d_name);
		snprintf(what, sizeof(what), "%s core", de->d_name);
		struct gpm_incident *ci = load_core(dir);
		size_t nc, nt;
		uint64_t caddr, taddr;
		uint64_t *cids = check_headline(what, ci, e, &nc, &caddr);
		snprintf(what, sizeof(what), "%s text", de->d_name);
		struct gpm_incident *ti = load_text(dir);
		uint64_t *tids = check_headline(what, ti, e, &nt, &taddr);
		ck_assert_msg(!e->same_address || (caddr && caddr == taddr),
		              "%s: core names %#llx, text %#llx", de->d_name,
		              (unsigned long long)caddr, (unsigned long long)taddr);
		// Both inputs name the same goroutines.
		ck_assert_msg(nc == nt && !memcmp(cids, tids, nc * sizeof(*cids)),
		              "%s: core and text name different goroutines (%zu vs %zu)",
		              de->d_name, nc, nt);
		free(cids);
		free(tids);
		gpm_incident_destroy(ci);
		gpm_incident_destroy(ti);
		checked++;
	}
	closedir(d);
	fprintf(stderr, "analysis: %u crash scenario fixtures checked (core and text)\n", checked);
}
END_TEST

/* A hand-made dump: two goroutines in an AB-BA cycle and three piled up behind. */
static const char abba_dump[] =
    "goroutine 1 [running]:\nmain.main()\n\t/x/main.go:10 +0x1\n\n"
    "goroutine 7 [sync.Mutex.Lock]:\n"
    "sync.(*Mutex).lockSlow(0xc000010018)\n\tsync/mutex.go:171 +0x15d\n"
    "sync.(*Mutex).Lock(...)\n\tsync/mutex.go:90\n"
    "main.transfer(0xc000010000, 0xc000010018, 0x0)\n\t/x/main.go:20 +0xa5\n"
    "created by main.main in goroutine 1\n\t/x/main.go:9 +0x1\n\n"
    "goroutine 8 [sync.Mutex.Lock]:\n"
    "sync.(*Mutex).lockSlow(0xc000010000)\n\tsync/mutex.go:171 +0x15d\n"
    "sync.(*Mutex).Lock(...)\n\tsync/mutex.go:90\n"
    "main.transfer(0xc000010018, 0xc000010000, 0x1)\n\t/x/main.go:20 +0xa5\n"
    "created by main.main in goroutine 1\n\t/x/main.go:9 +0x1\n\n";

START_TEST(test_abba_text)
{
	struct gpm_incident **v;
	size_t n;
	struct gpm_error *err =
	    gpm_dump_parse_all(abba_dump, sizeof(abba_dump) - 1, "abba", NULL, &v, &n);
	ck_assert_msg(!err, "%s", err ? err->message : "");
	struct gpm_analysis *a;
	ck_assert(!gpm_analysis_run(v[0], NULL, &a));
	ck_assert(a->findings.len >= 1);
	ck_assert_str_eq(a->findings.v[0].rule, "deadlock.lock-order");
	ck_assert_int_eq(a->findings.v[0].confidence, GPM_CONFIDENCE_HEURISTIC);
	ck_assert(strstr(a->findings.v[0].title, "7") && strstr(a->findings.v[0].title, "8"));
	gpm_analysis_destroy(a);
	for (size_t i = 0; i < n; i++)
		gpm_incident_destroy(v[i]);
	free(v);
}
END_TEST

START_TEST(test_empty)
{
	struct gpm_incident *inc = gpm_incident_create(GPM_INPUT_DUMP);
	struct gpm_analysis *a;
	ck_assert(!gpm_analysis_run(inc, NULL, &a));
	ck_assert_uint_eq(a->findings.len, 0);
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	gpm_report_text(inc, a, NULL, &sb);
	ck_assert(strstr(sb.buf, "nothing stands out: no crash"));
	gpm_strbuf_deinit(&sb);
	// Quiet about what was read only, when something was not: the report says so, in each
	// format.
	ck_assert(!gpm_incident_warn(inc, "3 goroutines could not be read"));
	gpm_report_text(inc, a, NULL, &sb);
	ck_assert_msg(strstr(sb.buf, "nothing stands out in what was read"), "%s", sb.buf);
	gpm_strbuf_deinit(&sb);
	gpm_report_markdown(inc, a, NULL, NULL, &sb);
	ck_assert_msg(strstr(sb.buf, "Nothing stands out in what was read"), "%s", sb.buf);
	gpm_strbuf_deinit(&sb);
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
}
END_TEST

START_TEST(test_normalise)
{
	static const char *const cases[][2] = {
	    {"main.(*Client).fetch.func1", "main.(*Client).fetch.func"},
	    {"main.handler.func1.2", "main.handler.func"},
	    {"main.abba.gowrap2", "main.abba.gowrap"},
	    {"main.(*T).Run-fm", "main.(*T).Run"},
	    {"main.Map[go.shape.int,go.shape.string].Get", "main.Map[...].Get"},
	    {"main.Tree[...].Walk.func3", "main.Tree[...].Walk.func"},
	    {"main.function1", "main.function1"},
	    {"runtime.gopark", "runtime.gopark"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[128];
		gpm_group_func_normalise(cases[i][0], out, sizeof(out));
		ck_assert_str_eq(out, cases[i][1]);
	}
	char small[6];
	ck_assert_uint_eq(gpm_group_func_normalise("main.main", small, sizeof(small)), 5);
	ck_assert_str_eq(small, "main.");
}
END_TEST

/* Two closures of one function, blocked alike: one group when lines are ignored. */
static const char closures_dump[] =
    "goroutine 1 [running]:\nmain.main()\n\t/x/main.go:10 +0x1\n\n"
    "goroutine 5 [chan receive]:\nmain.serve.func1()\n\t/x/main.go:20 +0x1\n"
    "created by main.serve in goroutine 1\n\t/x/main.go:19 +0x1\n\n"
    "goroutine 6 [chan receive]:\nmain.serve.func2()\n\t/x/main.go:24 +0x1\n"
    "created by main.serve in goroutine 1\n\t/x/main.go:23 +0x1\n\n";

START_TEST(test_group_closures)
{
	struct gpm_incident **v;
	size_t n;
	ck_assert(!gpm_dump_parse_all(closures_dump, sizeof(closures_dump) - 1, "c", NULL, &v, &n));
	struct gpm_grouping g;
	ck_assert(!gpm_group_goroutines(v[0], GPM_GROUP_NO_ARGS, &g));
	ck_assert_uint_eq(g.ngroups, 3);
	gpm_grouping_deinit(&g);
	ck_assert(!gpm_group_goroutines(v[0], GPM_GROUP_NO_LINES, &g));
	ck_assert_uint_eq(g.ngroups, 2);
	ck_assert_uint_eq(g.groups[0].count, 2);
	ck_assert_uint_eq(g.groups[0].signature,
	                  gpm_group_signature(v[0], &v[0]->goroutines.v[2], GPM_GROUP_NO_LINES));
	gpm_grouping_deinit(&g);
	for (size_t i = 0; i < n; i++)
		gpm_incident_destroy(v[i]);
	free(v);
}
END_TEST

/* Parses a hand-made dump and analyses it; the caller destroys both. */
static struct gpm_analysis *analyse_text(const char *text, struct gpm_incident **inc)
{
	struct gpm_incident **v;
	size_t n;
	struct gpm_error *err = gpm_dump_parse_all(text, strlen(text), "t", NULL, &v, &n);
	ck_assert_msg(!err && n >= 1, "%s", err ? err->message : "no dump");
	for (size_t i = 1; i < n; i++)
		gpm_incident_destroy(v[i]);
	*inc = v[0];
	free(v);
	struct gpm_analysis *a;
	ck_assert(!gpm_analysis_run(*inc, NULL, &a));
	return a;
}

static const struct gpm_finding *find_rule(const struct gpm_analysis *a, const char *rule)
{
	for (size_t i = 0; i < a->findings.len; i++)
		if (!strcmp(a->findings.v[i].rule, rule))
			return &a->findings.v[i];
	return NULL;
}

START_TEST(test_rules_table)
{
	for (size_t i = 0; i < GPM_RULE_COUNT; i++) {
		const struct gpm_rule *r = &gpm_rules[i];
		ck_assert(r->id && *r->id && r->summary && *r->summary);
		ck_assert_ptr_eq(gpm_rule_find(r->id), r);
		ck_assert_str_ne(gpm_rule_family_name(r->family), "?");
		for (size_t k = 0; k < i; k++)
			ck_assert_str_ne(gpm_rules[k].id, r->id);
	}
	ck_assert_ptr_null(gpm_rule_find("leak.bogus"));
	ck_assert_str_eq(gpm_rules[GPM_RULE_LEAK_CHAN].id, "leak.chan");
}
END_TEST

START_TEST(test_frame_class)
{
	static const struct {
		const char *fn;
		enum gpm_frame_class c;
	} cases[] = {
	    {"runtime.gopark", GPM_FRAME_CLASS_RUNTIME},
	    {"panic", GPM_FRAME_CLASS_RUNTIME},
	    {"internal/runtime/maps.fatal", GPM_FRAME_CLASS_RUNTIME},
	    {"runtime/pprof.writeGoroutine", GPM_FRAME_CLASS_RUNTIME},
	    {"sync.(*Mutex).Lock", GPM_FRAME_CLASS_STDLIB},
	    {"internal/sync.fatal", GPM_FRAME_CLASS_STDLIB},
	    {"net/http.(*persistConn).readLoop", GPM_FRAME_CLASS_STDLIB},
	    {"google.golang.org/grpc/internal/transport.(*http2Server).keepalive",
	     GPM_FRAME_CLASS_DEPENDENCY},
	    {"golang.org/x/net/http2.(*Framer).ReadFrame", GPM_FRAME_CLASS_DEPENDENCY},
	    {"main.(*T).Run", GPM_FRAME_CLASS_MAIN},
	    {"main.main.func1", GPM_FRAME_CLASS_MAIN},
	    {"example.com/app/store.Get[...]", GPM_FRAME_CLASS_MAIN},
	    // A first element that is not the standard library's: the program's (GOPATH-era
	    // paths, panicparse's directory names).
	    {"store.(*DB).Get", GPM_FRAME_CLASS_DEPENDENCY},
	    {"app/server.(*S).handle", GPM_FRAME_CLASS_DEPENDENCY},
	    {"structs.HostLayout", GPM_FRAME_CLASS_STDLIB},
	    {"vendor/golang.org/x/net/http2/hpack.(*Decoder).Write", GPM_FRAME_CLASS_STDLIB},
	    {"type:.eq.main.T", GPM_FRAME_CLASS_STDLIB},
	    {"type..eq.[2]interface {}", GPM_FRAME_CLASS_STDLIB},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(gpm_frame_classify(cases[i].fn, "example.com/app") == cases[i].c,
		              "%s", cases[i].fn);
	ck_assert_uint_eq(gpm_frame_package_len("net/http.(*conn).serve"), 8);
	ck_assert_uint_eq(gpm_frame_package_len("main.Map[go.shape.int].Get"), 4);
	ck_assert_uint_eq(gpm_frame_package_len("goexit"), 0);
}
END_TEST

/* Crash texts in shapes no toolchain here prints, hand-made (testdata/dumps/variants): the
 * headline's rule and title. */
START_TEST(test_crash_variants)
{
	static const struct {
		const char *file, *rule, *title_has;
	} cases[] = {
	    // Go before 1.5: "[signal 0xb code=0x1 addr=0x10 pc=...]", the signal by number.
	    {"dumps/variants/old-signal.log", "signal.nil-dereference",
	     "nil pointer dereference in main.(*Store).Get"},
	    // Our own dumps (field/go1.19-stucklock, -timers) as panicparse 2.3.0 folds them
	    // ("COUNT: state [N minutes] [Created by …]", package directory names, no ids).
	    {"dumps/variants/panicparse-stucklock.log", "deadlock.stuck-lock",
	     "main.(*Registry).Set at main.go:333"},
	    {"dumps/variants/panicparse-timers.log", "timers.accumulation",
	     "200 time.AfterFunc callbacks blocked [chan send] in main.scheduleRetry.func1"},
	    // A unary gRPC call waiting 2210 minutes for the server's headers: no deadline.
	    {"dumps/variants/grpc-noheader.txt", "net.no-deadline",
	     "gRPC call blocked 2210+ minutes waiting for the server's response headers, "
	     "without a deadline, in example.com/inventory/stock.(*Client).Reserve"},
	    // net/http's "http: panic serving" stack with no panic frame below its recover
	    // (cut from the paste, old runtimes): the next frame is the site.
	    {"dumps/variants/httppanic-nopanic.log", "crash.recovered",
	     "recovered panic in main.(*tally).add: assignment to entry in nil map"},
	    // "unexpected signal during runtime execution" with its pc in the shared-library
	    // range and the cgocall frame cut: C code, not memory corruption.
	    {"dumps/variants/cgo-libfault.log", "signal",
	     "SIGSEGV in C code: the fault pc 0x7f3a1c2b3c4d is in a shared library"},
	    // Out of memory in an older runtime's words (Windows' commit limit, Go 1.7).
	    {"dumps/variants/oom-arena.log", "oom",
	     "out of memory while allocating in main.loadAll"},
	    // "found bad pointer in Go heap" cut after "bad pointer": still heap corruption.
	    {"dumps/variants/badptr-cut.log", "memory.corruption",
	     "memory corruption: fatal error: found bad pointer"},
	    // A cgo crash cut inside runtime.cgocall: no C function, no Go caller, said so.
	    {"dumps/variants/cgo-cut.log", "signal.cgo",
	     "SIGSEGV in C code (nil pointer); the C function and its Go caller are not in the "
	     "input"},
	    // Windows' "Exception 0xc0000005 ..." header and the faulting goroutine's stack
	    // printed without a goroutine header: an access violation in the C function.
	    {"dumps/variants/windows-exception.log", "signal.cgo",
	     "exception 0xc0000005 (access violation) in C function decode_frame (nil pointer), "
	     "called from Go example.com/thumbs/codec.Decode"},
	    // A recover that printed the runtime error alone ("Caught panic:", no "panic: ")
	    // and then debug.PrintStack: the value is the recovered panic's.
	    {"dumps/variants/recover-printstack.log", "crash.recovered",
	     "recovered panic in main.(*row).render: runtime error: index out of range [1] with "
	     "length 1"},
	    // A panic value that starts with a line end, blank lines in it (Ginkgo's Fail
	    // outside GinkgoRecover), recovered and re-raised: its first line is named.
	    {"dumps/variants/panic-multiline.log", "panic",
	     "panic in main.fail: Your check failed."},
	    // gin's Recovery (make-recover-fixtures.sh): stacks in the format of Go's first
	    // debug.Stack, with the functions' names (debug) and without (release, no sources).
	    {"dumps/variants/recover/gin-debug.log", "crash.recovered",
	     "recovered panic in ginapp.(*store).item: runtime error: index out of range [7] with "
	     "length 3 (github.com/gin-gonic/gin recovered it; 4 stacks logged in this input)"},
	    {"dumps/variants/recover/gin-release.log", "crash.recovered",
	     "recovered panic in ginapp (main.go:20): runtime error: index out of range [7] with "
	     "length 3 (github.com/gin-gonic/gin recovered it"},
	    // Kubernetes' HandleCrash logs the value, then the stack: a recovered panic (the
	    // crash it raised again is the next snapshot).
	    {"dumps/variants/recover/k8s.log", "crash.recovered",
	     "recovered panic in main.(*controller).syncHandler: runtime error: invalid memory "
	     "address or nil pointer dereference (main.(*controller).processNextWorkItem "
	     "recovered it)"},
	    {"dumps/variants/recover/klog.log", "crash.recovered",
	     "recovered panic in main.(*controller).syncHandler: runtime error: invalid memory "
	     "address or nil pointer dereference"},
	    {"dumps/variants/recover/reconciler.log", "signal.nil-dereference",
	     "nil pointer dereference in main.(*controller).syncHandler"},
	    // A program's own log.Printf("recovered: %v") before debug.PrintStack().
	    {"dumps/variants/recover/printstack.log", "crash.recovered",
	     "recovered panic in main.(*controller).syncHandler: runtime error: invalid memory "
	     "address or nil pointer dereference"},
	    // chi's Recoverer: " panic: V" and its own stack, the first frame marked "->".
	    {"dumps/variants/recover/chi.log", "crash.recovered",
	     "recovered panic in main.(*cart).checkout: checkout: the cart is empty "
	     "(github.com/go-chi/chi/middleware recovered it)"},
	    // fiber's "panic: V" over runtime/debug.Stack() and echo's "[PANIC RECOVER] V"
	    // glued to runtime.Stack's text: printed by the recover, the process went on.
	    {"dumps/variants/recover/fiber.log", "crash.recovered",
	     "recovered panic in main.(*controller).syncHandler: runtime error: invalid memory "
	     "address or nil pointer dereference (main.(*controller).processNextWorkItem "
	     "recovered it)"},
	    {"dumps/variants/recover/echo.log", "crash.recovered",
	     "recovered panic in main.(*controller).syncHandler: runtime error: invalid memory "
	     "address or nil pointer dereference"},
	    // "[failed to restore the stack]" for one access: said so, not "(no frame)".
	    {"dumps/variants/race-lost.log", "race.data",
	     "main.(*account).deposit at gopm.test/fixture/race/main.go:22 and an access whose "
	     "stack the race runtime could not restore"},
	};
	unsigned checked = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *path = gpm_test_data(cases[i].file);
		struct gpm_source *src;
		ck_assert_msg(!gpm_source_open(path, &src), "%s", cases[i].file);
		struct gpm_incident **inc;
		size_t n;
		ck_assert(
		    !gpm_dump_parse_all((const char *)src->data, src->size, path, NULL, &inc, &n) &&
		    n >= 1);
		gpm_source_destroy(src);
		struct gpm_analysis *a;
		ck_assert(!gpm_analysis_run(inc[0], NULL, &a));
		ck_assert_msg(a->findings.len, "%s: no findings", cases[i].file);
		const struct gpm_finding *f = &a->findings.v[0];
		ck_assert_msg(!strcmp(f->rule, cases[i].rule), "%s: headline %s (%s)",
		              cases[i].file, f->rule, f->title);
		ck_assert_msg(strstr(f->title, cases[i].title_has), "%s: title '%s'", cases[i].file,
		              f->title);
		gpm_analysis_destroy(a);
		for (size_t k = 0; k < n; k++)
			gpm_incident_destroy(inc[k]);
		free(inc);
		checked++;
	}
	ck_assert_uint_eq(checked, sizeof(cases) / sizeof(cases[0]));

	// Two mutexes stuck: the one held longest heads, whatever the order of addresses.
	{
		static const char txt[] = "goroutine 7 [semacquire, 30 minutes]:\n"
		                          "sync.runtime_SemacquireMutex(0xa00004, 0x0, 0x1)\n"
		                          "\truntime/sema.go:71 +0x25\n"
		                          "sync.(*Mutex).lockSlow(0xa00000)\n"
		                          "\tsync/mutex.go:138 +0x105\n"
		                          "sync.(*Mutex).Lock(...)\n"
		                          "\tsync/mutex.go:81\n"
		                          "main.report()\n"
		                          "\tmain.go:20 +0x1d\n"
		                          "\n"
		                          "goroutine 9 [semacquire, 900 minutes]:\n"
		                          "sync.runtime_SemacquireMutex(0xc000104, 0x0, 0x1)\n"
		                          "\truntime/sema.go:71 +0x25\n"
		                          "sync.(*Mutex).lockSlow(0xc000100)\n"
		                          "\tsync/mutex.go:138 +0x105\n"
		                          "sync.(*Mutex).Lock(...)\n"
		                          "\tsync/mutex.go:81\n"
		                          "main.(*store).flush()\n"
		                          "\tmain.go:40 +0x1d\n";
		struct gpm_incident **inc;
		size_t n;
		ck_assert(!gpm_dump_parse_all(txt, sizeof(txt) - 1, "two", NULL, &inc, &n) &&
		          n >= 1);
		struct gpm_analysis *a;
		ck_assert(!gpm_analysis_run(inc[0], NULL, &a));
		ck_assert_msg(a->findings.len >= 2 &&
		                  !strcmp(a->findings.v[0].rule, "deadlock.stuck-lock") &&
		                  strstr(a->findings.v[0].title, "900+ minutes") &&
		                  strstr(a->findings.v[0].title, "main.(*store).flush"),
		              "two locks: %s", a->findings.len ? a->findings.v[0].title : "none");
		ck_assert(strstr(a->findings.v[1].title, "30+ minutes"));
		gpm_analysis_destroy(a);
		for (size_t k = 0; k < n; k++)
			gpm_incident_destroy(inc[k]);
		free(inc);
	}

	// Two waits as long on sync.Cond, under io's pipe, one of them cut after Cond.Wait (a
	// bug report's excerpt, hand-made): the one whose caller is in the input heads, and it
	// names the program's frame under the standard library's.
	{
		static const char txt[] =
		    "goroutine 9 [semacquire, 977 minutes]:\n"
		    "sync.runtime_notifyListWait(0xc000120050, 0x0)\n"
		    "\truntime/sema.go:527 +0x159\n"
		    "sync.(*Cond).Wait(0xc000120040)\n"
		    "\tsync/cond.go:70 +0x85\n"
		    "\n"
		    "goroutine 7 [semacquire, 977 minutes]:\n"
		    "sync.runtime_notifyListWait(0xc000130050, 0x0)\n"
		    "\truntime/sema.go:527 +0x159\n"
		    "sync.(*Cond).Wait(0xc000130040)\n"
		    "\tsync/cond.go:70 +0x85\n"
		    "io.(*pipe).read(0xc000130000, {0xc000200000, 0x8000, 0x8000})\n"
		    "\tio/pipe.go:52 +0x2d2\n"
		    "io.(*PipeReader).Read(0xc000132000, {0xc000200000, 0x8000, "
		    "0x8000})\n"
		    "\tio/pipe.go:134 +0x50\n"
		    "main.(*copier).run(0xc000140000)\n"
		    "\tmain.go:125 +0x6a\n"
		    "created by main.attach in goroutine 1\n"
		    "\tmain.go:129 +0xaf\n";
		struct gpm_incident **inc;
		size_t n;
		ck_assert(!gpm_dump_parse_all(txt, sizeof(txt) - 1, "cond", NULL, &inc, &n) &&
		          n >= 1);
		struct gpm_analysis *a;
		ck_assert(!gpm_analysis_run(inc[0], NULL, &a));
		ck_assert_msg(a->findings.len &&
		                  !strcmp(a->findings.v[0].rule, "deadlock.stuck-wait") &&
		                  strstr(a->findings.v[0].title,
		                         "main.(*copier).run at main.go:125 waiting 977 minutes in "
		                         "sync.(*Cond).Wait (in io.(*pipe).read)"),
		              "cond wait: %s", a->findings.len ? a->findings.v[0].title : "none");
		gpm_analysis_destroy(a);
		for (size_t k = 0; k < n; k++)
			gpm_incident_destroy(inc[k]);
		free(inc);
	}

	// The panic line and the goroutine header on one line (the line end lost in the
	// paste, hand-made): both are read.
	{
		static const char txt[] =
		    "panic: runtime error: index out of range [1] with length 1 goroutine 32 "
		    "[running]:\n"
		    "main.(*logs).stream.func1(0xc00030c018, 0xc000516580)\n"
		    "\t/app/logs.go:52 +0x1f4\n"
		    "created by main.(*logs).stream\n"
		    "\t/app/logs.go:47 +0x278\n";
		struct gpm_incident **inc;
		size_t n;
		ck_assert(!gpm_dump_parse_all(txt, sizeof(txt) - 1, "glued", NULL, &inc, &n) &&
		          n >= 1);
		struct gpm_analysis *a;
		ck_assert(!gpm_analysis_run(inc[0], NULL, &a));
		ck_assert_msg(a->findings.len && !strcmp(a->findings.v[0].rule, "panic") &&
		                  !strcmp(a->findings.v[0].title,
		                          "panic in main.(*logs).stream.func1: runtime "
		                          "error: index out of range [1] with length 1"),
		              "glued header: %s",
		              a->findings.len ? a->findings.v[0].title : "none");
		gpm_analysis_destroy(a);
		for (size_t k = 0; k < n; k++)
			gpm_incident_destroy(inc[k]);
		free(inc);
	}

	// A frame line cut inside its arguments by a terminal's width, its location after it
	// (journalctl's continuation lines, hand-made): the frame is read, with a warning.
	{
		static const char txt[] =
		    "http: panic serving @: runtime error: invalid memory address or nil pointer "
		    "dereference\n"
		    "goroutine 1943 [running]:\n"
		    "net/http.(*conn).serve.func1(0xc420c0fe00)\n"
		    "\t/usr/local/go/src/net/http/server.go:1721 +0xd0\n"
		    "panic(0x18463e0, 0x2714250)\n"
		    "\t/usr/local/go/src/runtime/panic.go:489 +0x2cf\n"
		    "example.com/netd/bridge.(*config).conflicts(0xc420acb4a0, 0xc420bcd100, 0x4\n"
		    "\t/src/netd/bridge/bridge.go:349 +0xf0\n"
		    "example.com/netd/bridge.(*driver).create(0xc420acb400)\n"
		    "\t/src/netd/bridge/bridge.go:210 +0x3c\n";
		struct gpm_incident **inc;
		size_t n;
		ck_assert(!gpm_dump_parse_all(txt, sizeof(txt) - 1, "cutargs", NULL, &inc, &n) &&
		          n >= 1);
		ck_assert_uint_eq(inc[0]->goroutines.len, 1);
		uint32_t nf;
		gpm_goroutine_frames(inc[0], &inc[0]->goroutines.v[0], &nf);
		ck_assert_uint_eq(nf, 4);
		struct gpm_analysis *a;
		ck_assert(!gpm_analysis_run(inc[0], NULL, &a));
		ck_assert_msg(
		    a->findings.len &&
		        strstr(a->findings.v[0].title,
		               "recovered panic in example.com/netd/bridge.(*config).conflicts"),
		    "cut args: %s", a->findings.len ? a->findings.v[0].title : "none");
		gpm_analysis_destroy(a);
		for (size_t k = 0; k < n; k++)
			gpm_incident_destroy(inc[k]);
		free(inc);
	}

	// A concurrent map fatal cut after the runtime's throw: no "in ?" for the missing code.
	{
		static const char txt[] = "fatal error: concurrent map iteration and map write\n\n"
		                          "goroutine 12 [running]:\n"
		                          "runtime.throw({0x4a0f7e?, 0x0?})\n"
		                          "\truntime/panic.go:1047 +0x5d\n";
		struct gpm_incident **inc;
		size_t n;
		ck_assert(!gpm_dump_parse_all(txt, sizeof(txt) - 1, "cut", NULL, &inc, &n) &&
		          n >= 1);
		struct gpm_analysis *a;
		ck_assert(!gpm_analysis_run(inc[0], NULL, &a));
		ck_assert_msg(
		    a->findings.len && !strcmp(a->findings.v[0].rule, "map.concurrent-access") &&
		        strstr(a->findings.v[0].title, "frame is not in the input") &&
		        !strstr(a->findings.v[0].title, "?"),
		    "cut map fatal: %s", a->findings.len ? a->findings.v[0].title : "none");
		gpm_analysis_destroy(a);
		for (size_t k = 0; k < n; k++)
			gpm_incident_destroy(inc[k]);
		free(inc);
	}

	// runtime/cgo's "pthread_create failed" then abort(): thread exhaustion, not a signal
	// from outside (SI_TKILL). The preamble as the reader keeps it, set here: the reader
	// does not keep the runtime/cgo line yet (filed for the reader).
	{
		static const char txt[] =
		    "SIGABRT: abort\nPC=0x7f26b22a154c m=214 sigcode=18446744073709551610\n\n"
		    "goroutine 1 [running]:\nmain.main()\n\tmain.go:9 +0x1d\n";
		struct gpm_incident **inc;
		size_t n;
		ck_assert(!gpm_dump_parse_all(txt, sizeof(txt) - 1, "pthread", NULL, &inc, &n) &&
		          n >= 1);
		struct gpm_analysis *a;
		ck_assert(!gpm_analysis_run(inc[0], NULL, &a));
		// Without the runtime/cgo line: an abort() of the process's own, never "sent from
		// outside".
		ck_assert_msg(a->findings.len && !strcmp(a->findings.v[0].rule, "signal") &&
		                  strstr(a->findings.v[0].title, "aborted itself"),
		              "abort: %s", a->findings.len ? a->findings.v[0].title : "none");
		ck_assert(!find_rule(a, "signal.external"));
		gpm_analysis_destroy(a);
		inc[0]->preamble_text = "runtime/cgo: pthread_create failed: Resource temporarily "
		                        "unavailable\nSIGABRT: abort";
		ck_assert(!gpm_analysis_run(inc[0], NULL, &a));
		ck_assert_msg(
		    a->findings.len && !strcmp(a->findings.v[0].rule, "threads.exhausted") &&
		        strstr(a->findings.v[0].title, "pthread_create failed") &&
		        strstr(a->findings.v[0].title, "not sent from outside"),
		    "pthread_create: %s", a->findings.len ? a->findings.v[0].title : "none");
		ck_assert(!find_rule(a, "signal.external"));
		gpm_analysis_destroy(a);
		inc[0]->preamble_text = NULL;
		for (size_t k = 0; k < n; k++)
			gpm_incident_destroy(inc[k]);
		free(inc);
	}

	// A real "fatal error: runtime: out of memory" (dumps/corpus) with that line left out,
	// as pasted from "runtime stack:" on: still out of memory, from the runtime's frames.
	const char *path = gpm_test_data("dumps/corpus/combinestacks-oom-panic.txt");
	struct gpm_source *src;
	ck_assert(!gpm_source_open(path, &src));
	const char *d = (const char *)src->data, *fe = memmem(d, src->size, "fatal error:", 12);
	ck_assert_ptr_nonnull(fe);
	const char *nl = memchr(fe, '\n', src->size - (size_t)(fe - d));
	ck_assert_ptr_nonnull(nl);
	size_t head = (size_t)(fe - d), tail = src->size - (size_t)(nl + 1 - d);
	char *cut = malloc(head + tail + 1);
	ck_assert_ptr_nonnull(cut);
	memcpy(cut, d, head);
	memcpy(cut + head, nl + 1, tail);
	gpm_source_destroy(src);
	struct gpm_incident **inc;
	size_t n;
	ck_assert(!gpm_dump_parse_all(cut, head + tail, path, NULL, &inc, &n) && n >= 1);
	struct gpm_analysis *a;
	ck_assert(!gpm_analysis_run(inc[0], NULL, &a));
	ck_assert_msg(a->findings.len && !strcmp(a->findings.v[0].rule, "oom") &&
	                  strstr(a->findings.v[0].title, "runtime.sysMap"),
	              "oom without its line: %s",
	              a->findings.len ? a->findings.v[0].title : "no findings");
	gpm_analysis_destroy(a);
	for (size_t k = 0; k < n; k++)
		gpm_incident_destroy(inc[k]);
	free(inc);
	free(cut);

	// A fault in C code pasted from its "[signal ...]" line on (the "fatal error:
	// unexpected signal" line left out): still the C function and its Go caller.
	path = gpm_test_data("cgo/go1.19-crash-stripped/stderr.txt");
	ck_assert(!gpm_source_open(path, &src));
	d = (const char *)src->data;
	nl = memchr(d, '\n', src->size);
	ck_assert(nl && !strncmp(d, "fatal error: unexpected signal", 30));
	size_t rest = src->size - (size_t)(nl + 1 - d);
	cut = malloc(rest + 1);
	ck_assert_ptr_nonnull(cut);
	memcpy(cut, nl + 1, rest);
	gpm_source_destroy(src);
	ck_assert(!gpm_dump_parse_all(cut, rest, path, NULL, &inc, &n) && n >= 1);
	ck_assert(!gpm_analysis_run(inc[0], NULL, &a));
	ck_assert_msg(a->findings.len && !strcmp(a->findings.v[0].rule, "signal.cgo") &&
	                  strstr(a->findings.v[0].title, "gpm_fixture_crash") &&
	                  strstr(a->findings.v[0].title, "main.parseRecord"),
	              "cgo fault without its fatal line: %s",
	              a->findings.len ? a->findings.v[0].title : "no findings");
	gpm_analysis_destroy(a);
	for (size_t k = 0; k < n; k++)
		gpm_incident_destroy(inc[k]);
	free(inc);
	free(cut);
}
END_TEST

/* The field-shaped dumps made by real Go programs (testdata/dumps/field): each headline's
 * rule and key words, per Go version present. */
START_TEST(test_field_shapes)
{
	static const struct {
		const char *shape, *rule, *title_has, *evidence_has;
	} shapes[] = {
	    {"testtimeout", "test.timeout", "TestStuck.func1 blocked [chan receive]", "waitEvent"},
	    // go test -v: "=== RUN" lines before the panic (stdout and stderr in one log).
	    {"testtimeoutv", "test.timeout", "TestStuck.func1 blocked [chan receive]",
	     "TestStuck/sub"},
	    {"unlockmasks", "panic.masked", "nil pointer dereference in main.bump",
	     "sync: unlock of unlocked mutex"},
	    {"nested", "signal.nil-dereference", "main.process", "assignment to entry in nil map"},
	    {"repanic", "panic", "panic in main.load: config has no name", "main.handle.func1"},
	    // The same value again: "[recovered, repanicked]" (Go 1.25+); the first site named.
	    {"samepanic", "panic", "panic in main.load: config has no name",
	     "main.serveOnce.func1"},
	    {"pasted", "crash.stack-only", "main.process: died in panic", "main.cleanup"},
	    // A handler's panic net/http recovered and logged ("http: panic serving"): the
	    // process went on; not a death, the value from the log line.
	    {"httppanic", "crash.recovered",
	     "recovered panic in main.(*tally).add: assignment to entry in nil map",
	     "net/http.(*conn).serve"},
	    // A middleware recovered the handler's panic and panicked again; net/http
	    // recovered that: two panic frames, the first site named, the wrapper as evidence.
	    {"httprepanic", "crash.recovered",
	     "recovered panic in main.pageOf: runtime error: index out of range",
	     "logPanics.func1.1, a deferred call that recovered"},
	    // Recursion through the standard library (MarshalJSON marshalling itself): the
	    // program's recursing function named, not encoding/json's, and the cycle.
	    {"overflow", "stack-overflow", "runaway recursion in main.Versions.MarshalJSON",
	     "main.Versions.MarshalJSON -> encoding/json.Marshal"},
	    // SIGBUS at a mapped address (a file truncated after mmap): not memory corruption.
	    {"sigbus", "signal.bus-error", "bus error (SIGBUS) in main.loadIndex", "BUS_ADRERR"},
	    // A nil receiver faulting inside the standard library: the program's caller named.
	    {"stdnil", "signal.nil-dereference", "os/exec.(*Cmd).Wait called from main.waitChild",
	     "main.waitChild at"},
	    // A library function that panics for its caller (one Done too many).
	    {"wgneg", "panic",
	     "panic in sync.(*WaitGroup).Add called from main.finish: sync: negative WaitGroup "
	     "counter",
	     "main.finish at"},
	    // The same stack without its panic line: one running goroutine (Go 1.17+ prints no
	    // panic frame for it), the likely message from its innermost frame.
	    {"runonly", "crash.stack-only",
	     "crash in sync.(*WaitGroup).Add called from main.finish?",
	     "sync: negative WaitGroup counter"},
	    // An index panic masked by a deferred Unlock's fatal error; then cut after
	    // runtime.goPanicIndex: the site is not blamed on the deferred call.
	    {"unlockindex", "panic.masked", "out of range in main.pick, masked by fatal error",
	     "main.pick at"},
	    {"unlockcut", "panic.masked",
	     "out of range (its site is cut from the input), masked by fatal error",
	     "sync: unlock of unlocked mutex"},
	    // "unexpected fault address" at an address nothing is mapped at (not a poison).
	    {"wildaddr", "memory.corruption", "0x12345678000 in main.readAt", "nothing is mapped"},
	    {"poison", "memory.corruption", "non-canonical", "main.readAt"},
	    {"deadaddr", "memory.corruption", "0xdeaddead", "poison"},
	    {"abort", "signal.external", "SIGABRT sent from outside", "SI_USER"},
	    // Global mutexes no argument names: each holder is past its function's first Lock.
	    {"lockorder", "deadlock.lock-order", "each hold a mutex the other wants",
	     "past the first Lock of its function"},
	    // The goroutine past refresh's Lock, blocked on <-never, is the named candidate.
	    // http.Get without a client timeout to a server that never answers, 65 s.
	    {"nodeadline", "net.no-deadline", "HTTP requests blocked 1+ minutes",
	     "main.fetchStatus"},
	    // The candidate and where it is blocked are in the headline.
	    {"holder", "contention.mutex", "4 goroutines wait for mutex 0x",
	     "[chan receive] in main.refresh"},
	    {"holder", "contention.mutex", "a holder candidate, goroutine ",
	     "[chan receive] in main.refresh"},
	    {"holder", "contention.mutex", "is blocked [chan receive] in main.refresh at",
	     "past the Lock"},
	    // 200 time.AfterFunc callbacks blocked sending to a channel nobody reads.
	    {"timers", "timers.accumulation", "200 time.AfterFunc callbacks blocked [chan send]",
	     "created by time.goFunc"},
	    // A goroutine spinning without a call while others start a collection
	    // (GOTRACEBACK=crash: every thread printed, the stopper's g0 among them).
	    {"stwstall", "gc.stw-stall", "runs in main.spin", "runtime.gcStart"},
	    // HTTP handlers in a select without the request's context, 65 s (1.19, 1.22).
	    {"noctx", "context.not-propagated", "3 request handlers waiting 1+ minutes",
	     "net/http"},
	    // Past debug.SetMaxThreads: the goroutines holding threads in read(2) named.
	    {"threads", "threads.exhausted", "in system calls in main.readSensor",
	     "exceeds 16-thread limit"},
	    // All asleep: what main waits on and the goroutine it started that waits in turn.
	    {"asleep", "deadlock.all-asleep", "main.collectAll waits [chan receive] for goroutine",
	     "main.drain at"},
	    // An RWMutex's readers (RLock inlined: no address) and its writer: one finding,
	    // read-locks told from locks (1.19, 1.22).
	    {"stucklock", "deadlock.stuck-lock", "RWMutex 0x", "main.(*Registry).reload"},
	    // SIGABRT the program sent itself (syscall.Kill(os.Getpid(), ...)): sigcode 0 as
	    // from outside, but its goroutine is in syscall.Kill.
	    {"selfabort", "signal", "SIGABRT sent by the program itself (main.shutdown at",
	     "by this process"},
	    // A stack overflow at the default 1 GB limit: "runtime stack:" (morestack,
	    // newstack) first, the recursing goroutine after it; with its header cut; and cut
	    // before it (the recursion not in the input, said so).
	    {"deeprec", "stack-overflow", "runaway recursion in main.depth",
	     "main.depth appears 100 times"},
	    {"deeprecnohdr", "stack-overflow", "runaway recursion in main.depth",
	     "main.depth appears 100 times"},
	    {"deeprectop", "stack-overflow", "the recursion is not in the input",
	     "no function outside the runtime repeats"},
	    // macOS-shaped pastes (hand-made from poison): no "fatal error" line; the address
	    // -8 as the kernel reports it there, or only in the register dump (no addr=).
	    {"darwinneg", "memory.corruption", "wild address 0xfffffffffffffff8 in main.readAt",
	     "small negative number"},
	    {"darwinregs", "memory.corruption",
	     "SIGBUS with poison 0xb01dfacedebac1e in register rax in main.readAt",
	     "the text gives no fault address"},
	    // A panic in Go code C called back (an exported function): said; pasted from
	    // mid-stack (header and runtime frames cut), and from the _cgoexp_ wrapper on.
	    {"cgocb", "signal.nil-dereference", "main.visit (in a callback from C)",
	     "ran in a callback from C"},
	    {"cgocbcut", "signal.nil-dereference", "main.visit (in a callback from C)",
	     "ran in a callback from C"},
	    {"cgocbexp", "signal.nil-dereference",
	     "_goVisit (in a callback from C; the frames above the callback are not in the "
	     "input)",
	     "the Go function C called is cut from the input"},
	    // gccgo (libgo's traceback: frames without arguments or +0x offsets).
	    {"nilderef", "signal.nil-dereference", "nil pointer dereference in main.process",
	     "main.process at ./main.go:17"},
	    {"index", "panic", "panic in main.pick: runtime error: index out of range [5]",
	     "main.pick at ./main.go:22"},
	};
	static const char *const versions[] = {"go1.19", "go1.22", "go1.24", "go1.27", "gccgo12"};
	unsigned checked = 0;
	for (size_t v = 0; v < sizeof(versions) / sizeof(versions[0]); v++)
		for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
			char rel[128], path[1024];
			snprintf(rel, sizeof(rel), "dumps/field/%s-%s.txt", versions[v],
			         shapes[i].shape);
			snprintf(path, sizeof(path), "%s", gpm_test_data(rel));
			struct gpm_source *src;
			struct gpm_error *err = gpm_source_open(path, &src);
			if (err) { // not made for this Go version (nodeadline: 1.19 and 1.22)
				gpm_error_destroy(err);
				continue;
			}
			struct gpm_incident **inc;
			size_t n;
			ck_assert(!gpm_dump_parse_all((const char *)src->data, src->size, path,
			                              NULL, &inc, &n) &&
			          n >= 1);
			gpm_source_destroy(src);
			struct gpm_analysis *a;
			ck_assert(!gpm_analysis_run(inc[0], NULL, &a));
			ck_assert_msg(a->findings.len, "%s: no findings", rel);
			const struct gpm_finding *f = &a->findings.v[0];
			ck_assert_msg(!strcmp(f->rule, shapes[i].rule), "%s: headline %s (%s)", rel,
			              f->rule, f->title);
			ck_assert_msg(strstr(f->title, shapes[i].title_has), "%s: title '%s'", rel,
			              f->title);
			ck_assert_msg(evidence_has(f, shapes[i].evidence_has),
			              "%s: evidence lacks %s", rel, shapes[i].evidence_has);
			// The alarm goroutine is never blamed for a test timeout.
			ck_assert(!strstr(f->title, "startAlarm"));
			gpm_analysis_destroy(a);
			for (size_t k = 0; k < n; k++)
				gpm_incident_destroy(inc[k]);
			free(inc);
			checked++;
		}
	ck_assert_msg(checked >= 121, "only %u field dumps", checked);
	// A stack the program logged on purpose (debug.PrintStack after a log line) is not a
	// crash: nothing above LOW.
	unsigned logged = 0;
	for (size_t v = 0; v < 4; v++) {
		char rel[128], path[1024];
		snprintf(rel, sizeof(rel), "dumps/field/%s-logstack.txt", versions[v]);
		snprintf(path, sizeof(path), "%s", gpm_test_data(rel));
		struct gpm_source *src;
		if (gpm_source_open(path, &src))
			continue;
		struct gpm_incident **inc;
		size_t n;
		ck_assert(
		    !gpm_dump_parse_all((const char *)src->data, src->size, path, NULL, &inc, &n) &&
		    n >= 1);
		gpm_source_destroy(src);
		struct gpm_analysis *a;
		ck_assert(!gpm_analysis_run(inc[0], NULL, &a));
		for (size_t k = 0; k < a->findings.len; k++)
			ck_assert_msg(a->findings.v[k].severity <= GPM_SEVERITY_LOW, "%s: %s", rel,
			              a->findings.v[k].title);
		gpm_analysis_destroy(a);
		for (size_t k = 0; k < n; k++)
			gpm_incident_destroy(inc[k]);
		free(inc);
		logged++;
	}
	ck_assert_uint_eq(logged, 4);
	// Goroutines running elsewhere when one panicked are listed as such.
	unsigned unavailable = 0;
	for (size_t v = 0; v < 4; v++) {
		char rel[128], path[1024];
		snprintf(rel, sizeof(rel), "dumps/field/%s-unavailable.txt", versions[v]);
		snprintf(path, sizeof(path), "%s", gpm_test_data(rel));
		struct gpm_source *src;
		if (gpm_source_open(path, &src))
			continue;
		struct gpm_incident **inc;
		size_t n;
		ck_assert(
		    !gpm_dump_parse_all((const char *)src->data, src->size, path, NULL, &inc, &n) &&
		    n >= 1);
		gpm_source_destroy(src);
		struct gpm_analysis *a;
		ck_assert(!gpm_analysis_run(inc[0], NULL, &a));
		ck_assert_str_eq(a->findings.v[0].rule, "panic");
		const struct gpm_finding *f = find_rule(a, "goroutines.unavailable");
		ck_assert_msg(f && f->count == 3, "%s: no 3 unavailable goroutines", rel);
		gpm_analysis_destroy(a);
		for (size_t k = 0; k < n; k++)
			gpm_incident_destroy(inc[k]);
		free(inc);
		unavailable++;
	}
	ck_assert(unavailable >= 1);
	fprintf(stderr, "analysis: %u field-shaped dumps checked\n", checked);
}
END_TEST

/* gRPC's per-connection goroutines of live streams (etcd, containerd): keepalive and
 * controlBuffer.get waiting for hours, a reader of the same package in IO wait. */
static const char grpc_dump[] =
    "goroutine 1 [IO wait, 300 minutes]:\n"
    "internal/poll.runtime_pollWait(0x7f, 0x72)\n\truntime/netpoll.go:343 +0x85\n"
    "net.(*conn).Read(0xc0001)\n\tnet/net.go:179 +0x45\n"
    "main.main()\n\t/x/main.go:10 +0x1\n\n";

static void grpc_append(struct gpm_strbuf *sb, int n)
{
	for (int i = 0; i < n; i++) {
		uint64_t id = 100 + 4 * (uint64_t)i;
		gpm_strbuf_printf(
		    sb,
		    "goroutine %" PRIu64 " [IO wait, 300 minutes]:\n"
		    "internal/poll.runtime_pollWait(0x7f, 0x72)\n\truntime/netpoll.go:343 +0x85\n"
		    "internal/poll.(*FD).Read(0xc000%x, {0xc00, 0x8000, 0x8000})\n"
		    "\tinternal/poll/fd_unix.go:164 +0x27a\n"
		    "net.(*conn).Read(0xc0001)\n\tnet/net.go:179 +0x45\n"
		    "bufio.(*Reader).Read(0xc0002, {0xc0003, 0x9, 0x9})\n\tbufio/bufio.go:244 "
		    "+0x197\n"
		    "golang.org/x/net/http2.(*Framer).ReadFrame(0xc0004)\n"
		    "\tgolang.org/x/net/http2/frame.go:498 +0x95\n"
		    "google.golang.org/grpc/internal/"
		    "transport.(*http2Server).HandleStreams(0xc0005, "
		    "0xc0006)\n\tgoogle.golang.org/grpc/internal/transport/http2_server.go:636 "
		    "+0x11\n"
		    "created by google.golang.org/grpc.(*Server).serveStreams in goroutine 50\n"
		    "\tgoogle.golang.org/grpc/server.go:1000 +0x1\n\n"
		    "goroutine %" PRIu64 " [select, 300 minutes]:\n"
		    "google.golang.org/grpc/internal/transport.(*http2Server).keepalive(0xc0%x)\n"
		    "\tgoogle.golang.org/grpc/internal/transport/http2_server.go:1155 +0x225\n"
		    "created by google.golang.org/grpc/internal/transport.NewServerTransport in "
		    "goroutine 50\n\tgoogle.golang.org/grpc/internal/transport/http2_server.go:339 "
		    "+0x1\n\n"
		    "goroutine %" PRIu64 " [select, 300 minutes]:\n"
		    "google.golang.org/grpc/internal/transport.(*controlBuffer).get(0xc1%x, 0x1)\n"
		    "\tgoogle.golang.org/grpc/internal/transport/controlbuf.go:418 +0x115\n"
		    "google.golang.org/grpc/internal/transport.(*loopyWriter).run(0xc2%x)\n"
		    "\tgoogle.golang.org/grpc/internal/transport/controlbuf.go:552 +0x86\n"
		    "created by google.golang.org/grpc/internal/transport.NewServerTransport in "
		    "goroutine 50\n\tgoogle.golang.org/grpc/internal/transport/http2_server.go:330 "
		    "+0x1\n\n"
		    "goroutine %" PRIu64 " [select, 300 minutes]:\n"
		    "github.com/prometheus/prometheus/scrape.(*scrapeLoop).run(0xc3%x, 0x0)\n"
		    "\tgithub.com/prometheus/prometheus/scrape/scrape.go:1200 +0x1\n"
		    "created by github.com/prometheus/prometheus/scrape.(*scrapePool).sync in "
		    "goroutine 40\n\tgithub.com/prometheus/prometheus/scrape/scrape.go:600 "
		    "+0x1\n\n",
		    id, i, id + 1, i, id + 2, i, i, id + 3, i);
	}
}

START_TEST(test_grpc_healthy)
{
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	gpm_strbuf_puts(&sb, grpc_dump);
	grpc_append(&sb, 40);
	struct gpm_incident *inc;
	struct gpm_analysis *a = analyse_text(sb.buf, &inc);
	for (size_t i = 0; i < a->findings.len; i++)
		ck_assert_msg(a->findings.v[i].severity <= GPM_SEVERITY_LOW, "%s: %s",
		              a->findings.v[i].rule, a->findings.v[i].title);
	const struct gpm_finding *ro = find_rule(a, "leak.ruled-out");
	ck_assert(ro);
	ck_assert(evidence_has(ro, "http2Server).keepalive"));
	ck_assert(evidence_has(ro, "controlBuffer).get"));
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	gpm_strbuf_deinit(&sb);
}
END_TEST

/* Healthy real servers under a bounded loopback load (testdata/dumps/servers, made by
 * testdata/dumps/gen/make-servers.sh: etcd, prometheus, containerd, nats-server; and
 * node-exporter, alertmanager, rclone, syncthing, influxdb, mtail, each after a minute of
 * load and, -5min, five minutes later, when idle keep-alive connections have waited
 * minutes; -12min, main's errgroup wait for its listeners past stuck-wait's 10 minutes):
 * no finding above LOW on any of them, and no stuck wait at all; an informational note is
 * fine, a leak, deadlock or contention claim is not. */
START_TEST(test_servers_quiet)
{
	const char *dir = gpm_test_data("dumps/servers");
	DIR *d = opendir(dir);
	ck_assert_msg(d, "%s: missing", dir);
	unsigned checked = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len < 8 || strcmp(e->d_name + len - 8, ".txt.zst"))
			continue;
		char path[1200];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		struct gpm_source *src;
		struct gpm_error *err = gpm_source_open(path, &src);
		ck_assert_msg(!err, "%s: %s", path, err ? err->message : "");
		struct gpm_incident **inc;
		size_t n;
		ck_assert_msg(
		    !gpm_dump_parse_all((const char *)src->data, src->size, path, NULL, &inc, &n) &&
		        n == 1,
		    "%s: not one dump", e->d_name);
		gpm_source_destroy(src);
		ck_assert_msg(inc[0]->goroutines.len >= 100, "%s: only %zu goroutines", e->d_name,
		              inc[0]->goroutines.len);
		struct gpm_analysis *a;
		ck_assert(!gpm_analysis_run(inc[0], NULL, &a));
		for (size_t i = 0; i < a->findings.len; i++)
			ck_assert_msg(a->findings.v[i].severity <= GPM_SEVERITY_LOW,
			              "%s: %s %s: %s", e->d_name,
			              gpm_severity_name(a->findings.v[i].severity),
			              a->findings.v[i].rule, a->findings.v[i].title);
		ck_assert_msg(!find_rule(a, "deadlock.stuck-wait"), "%s: %s", e->d_name,
		              find_rule(a, "deadlock.stuck-wait")
		                  ? find_rule(a, "deadlock.stuck-wait")->title
		                  : "");
		gpm_analysis_destroy(a);
		gpm_incident_destroy(inc[0]);
		free(inc);
		checked++;
	}
	closedir(d);
	ck_assert_msg(checked == 18, "%u server dumps, not 18", checked);
	fprintf(stderr, "analysis: %u healthy server dumps checked\n", checked);
}
END_TEST

/* net.no-deadline: HTTP requests of the program's own code waiting minutes for a response
 * speak; idle keep-alive connections (a client's readLoop, a server's readRequest) waiting
 * for hours, with no frame of the program, stay quiet. */
static const char nodeadline_idle[] =
    "goroutine 30 [IO wait, 300 minutes]:\n"
    "internal/poll.runtime_pollWait(0x7f, 0x72)\n\truntime/netpoll.go:343 +0x85\n"
    "net.(*conn).Read(0xc0001)\n\tnet/net.go:179 +0x45\n"
    "net/http.(*persistConn).Read(0xc0002, {0xc0003, 0x1000, 0x1000})\n"
    "\tnet/http/transport.go:1954 +0x4a\n"
    "bufio.(*Reader).Peek(0xc0004, 0x1)\n\tbufio/bufio.go:144 +0x5d\n"
    "net/http.(*persistConn).readLoop(0xc0002)\n\tnet/http/transport.go:2118 +0x1b4\n"
    "created by net/http.(*Transport).dialConn in goroutine 20\n"
    "\tnet/http/transport.go:1776 +0x16f1\n\n"
    "goroutine 31 [IO wait, 300 minutes]:\n"
    "internal/poll.runtime_pollWait(0x7f, 0x72)\n\truntime/netpoll.go:343 +0x85\n"
    "net.(*conn).Read(0xc0005)\n\tnet/net.go:179 +0x45\n"
    "net/http.(*connReader).Read(0xc0006, {0xc0007, 0x1000, 0x1000})\n"
    "\tnet/http/server.go:791 +0x14b\n"
    "net/http.(*conn).readRequest(0xc0008, {0x8, 0xc0009})\n"
    "\tnet/http/server.go:1009 +0x1a5\n"
    "net/http.(*conn).serve(0xc0008, {0x8, 0xc0009})\n\tnet/http/server.go:1925 +0x8a5\n"
    "created by net/http.(*Server).Serve in goroutine 1\n"
    "\tnet/http/server.go:3086 +0x5cb\n\n";

static const char nodeadline_request[] =
    "goroutine %d [select, %d minutes]:\n"
    "net/http.(*persistConn).roundTrip(0xc0002, 0xc000a)\n"
    "\tnet/http/transport.go:2652 +0x979\n"
    "net/http.(*Transport).roundTrip(0xc000b, 0xc000c)\n\tnet/http/transport.go:604 +0x79a\n"
    "net/http.(*Client).Do(...)\n\tnet/http/client.go:590\n"
    "net/http.Get({0xc000d, 0x2a})\n\tnet/http/client.go:487 +0x5b\n"
    "main.fetchStatus({0xc000d, 0x2a})\n\t/x/main.go:150 +0x25\n"
    "created by main.main in goroutine 1\n\t/x/main.go:200 +0x1\n\n";

START_TEST(test_net_no_deadline)
{
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	gpm_strbuf_puts(&sb, nodeadline_idle);
	struct gpm_incident *inc;
	struct gpm_analysis *a = analyse_text(sb.buf, &inc);
	ck_assert(!find_rule(a, "net.no-deadline"));
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	for (int i = 0; i < 3; i++)
		gpm_strbuf_printf(&sb, nodeadline_request, 40 + i, 7 + i);
	a = analyse_text(sb.buf, &inc);
	ck_assert(a->findings.len >= 1);
	const struct gpm_finding *f = &a->findings.v[0];
	ck_assert_str_eq(f->rule, "net.no-deadline");
	ck_assert_msg(strstr(f->title, "3 HTTP requests blocked 9+ minutes") &&
	                  strstr(f->title, "main.fetchStatus"),
	              "%s", f->title);
	ck_assert(evidence_has(f, "round trip"));
	ck_assert_uint_eq(f->count, 3);
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	gpm_strbuf_deinit(&sb);
}
END_TEST

/* timers.accumulation: many blocked goroutines created by time.goFunc (AfterFunc callbacks)
 * at one site speak; a few do not, nor goroutines of the same stack created by the program. */
static const char timer_callback[] = "goroutine %d [chan send, %d minutes]:\n"
                                     "runtime.chansend1(0xc000070120, 0xc0009)\n"
                                     "\truntime/chan.go:145 +0x17\n"
                                     "main.retry.func1()\n\t/x/main.go:12 +0x1e\n"
                                     "created by %s\n\t%s +0x2d\n\n";

START_TEST(test_timer_callbacks)
{
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	struct gpm_incident *inc;
	for (int i = 0; i < 5; i++)
		gpm_strbuf_printf(&sb, timer_callback, 10 + i, 3, "time.goFunc",
		                  "time/sleep.go:177");
	struct gpm_analysis *a = analyse_text(sb.buf, &inc);
	ck_assert(!find_rule(a, "timers.accumulation"));
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	for (int i = 5; i < 40; i++)
		gpm_strbuf_printf(&sb, timer_callback, 10 + i, 1 + i % 7, "time.goFunc",
		                  "time/sleep.go:177");
	a = analyse_text(sb.buf, &inc);
	const struct gpm_finding *f = find_rule(a, "timers.accumulation");
	ck_assert(f);
	ck_assert_msg(strstr(f->title, "40 time.AfterFunc callbacks") &&
	                  strstr(f->title, "main.retry.func1"),
	              "%s", f->title);
	ck_assert(evidence_has(f, "1 to 7 minutes"));
	ck_assert(!find_rule(a, "leak.chan")); // the same goroutines, named by their cause
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	gpm_strbuf_reset(&sb);
	for (int i = 0; i < 40; i++)
		gpm_strbuf_printf(&sb, timer_callback, 10 + i, 2, "main.main in goroutine 1",
		                  "/x/main.go:30");
	a = analyse_text(sb.buf, &inc);
	ck_assert(!find_rule(a, "timers.accumulation"));
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	gpm_strbuf_deinit(&sb);
}
END_TEST

/* timers.accumulation from a core's timer heaps: one-shot timers of one callback all due
 * within two minutes of the core's newest recorded time are a churn (LOW, the rate they
 * imply: rclone 1.60's one-minute AfterFunc per transfer under load); due an hour ahead
 * (the corerules fixtures' shape), a ticker, or due times unknown stay MEDIUM; the rest of
 * the callbacks past the kept ones are not one callback and say nothing. */
static void add_timers(struct gpm_incident *inc, const char *fn, uint64_t count, uint64_t period,
                       int64_t from, int64_t to, bool rest)
{
	struct gpm_timer_count *t = gpm_vec_push(&inc->timers);
	ck_assert(t);
	*t = (struct gpm_timer_count){.func = gpm_incident_str(inc, fn, strlen(fn)),
	                              .count = count,
	                              .period = period,
	                              .when_min = from,
	                              .when_max = to,
	                              .rest = rest};
	inc->timers_total += count;
	inc->timers_known = true;
}

START_TEST(test_pending_timers_churn)
{
	const int64_t s = 1000000000, now = 5000 * s;
	struct gpm_incident *inc;
	struct gpm_analysis *a = analyse_text(nodeadline_idle, &inc);
	gpm_analysis_destroy(a);
	inc->core_now = (uint64_t)now;
	add_timers(inc, "time.AfterFunc(x.(*StatsInfo).stopAverageLoop-fm)", 53000, 0, now + 2 * s,
	           now + 62 * s, false);
	add_timers(inc, "time.AfterFunc(main.expire)", 20000, 0, now + 3600 * s, now + 3601 * s,
	           false);
	add_timers(inc, "time.sendTime", 8000, s, now + s / 2, now + s, false);
	add_timers(inc, "?", 9000, 0, now + 3600 * s, now + 7200 * s, true);
	ck_assert(!gpm_analysis_run(inc, NULL, &a));
	unsigned seen = 0;
	for (size_t i = 0; i < a->findings.len; i++) {
		const struct gpm_finding *f = &a->findings.v[i];
		if (strcmp(f->rule, "timers.accumulation"))
			continue;
		seen++;
		if (strstr(f->title, "stopAverageLoop")) {
			ck_assert_int_eq(f->severity, GPM_SEVERITY_LOW);
			ck_assert_msg(strstr(f->explanation, "all due within 62 s") &&
			                  strstr(f->explanation, "about 883 a second") &&
			                  strstr(f->explanation, "churn"),
			              "%s", f->explanation);
			ck_assert(evidence_has(f, "the latest within 62 s"));
		} else if (strstr(f->title, "main.expire")) {
			ck_assert_int_eq(f->severity, GPM_SEVERITY_MEDIUM);
			ck_assert(evidence_has(f, "the latest within 3601 s"));
		} else {
			ck_assert_msg(
			    strstr(f->title, "8000 pending runtime timers of time.NewTicker"), "%s",
			    f->title);
			ck_assert_int_eq(f->severity, GPM_SEVERITY_MEDIUM);
		}
	}
	ck_assert_uint_eq(seen, 3); // not the rest
	gpm_analysis_destroy(a);
	// Without the core's newest time, how far ahead they are due is unknown: MEDIUM.
	inc->core_now = 0;
	ck_assert(!gpm_analysis_run(inc, NULL, &a));
	const struct gpm_finding *f = find_rule(a, "timers.accumulation");
	ck_assert(f && strstr(f->title, "stopAverageLoop"));
	ck_assert_int_eq(f->severity, GPM_SEVERITY_MEDIUM);
	gpm_analysis_destroy(a);
	// Times no process records (a hostile core): no time at all, no overflow.
	inc->core_now = UINT64_MAX;
	inc->timers.v[0].when_min = INT64_MAX;
	inc->timers.v[0].when_max = 1;
	ck_assert(!gpm_analysis_run(inc, NULL, &a));
	f = find_rule(a, "timers.accumulation");
	ck_assert(f && strstr(f->title, "stopAverageLoop"));
	ck_assert_int_eq(f->severity, GPM_SEVERITY_MEDIUM);
	ck_assert(!evidence_has(f, "the latest within"));
	gpm_analysis_destroy(a);
	inc->core_now = 1;
	inc->timers.v[0].when_min = 2;
	inc->timers.v[0].when_max = INT64_MAX;
	ck_assert(!gpm_analysis_run(inc, NULL, &a));
	f = find_rule(a, "timers.accumulation");
	ck_assert(f && strstr(f->title, "stopAverageLoop"));
	ck_assert_int_eq(f->severity, GPM_SEVERITY_MEDIUM);
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
}
END_TEST

/* deadlock.stuck-wait: a server's main waiting in errgroup.(*Group).Wait for the listeners
 * the group started, parked in Accept (node_exporter 1.5 and alertmanager 0.25 thirteen
 * minutes into their life, exporter-toolkit's web.ServeMultiple) waits for the server's
 * lifetime: quiet. When the group also started a worker that hangs, the wait stays LOW. */
static const char serving_main[] =
    "goroutine 1 [semacquire, 13 minutes]:\n"
    "sync.runtime_Semacquire(0xc0000061a0?)\n\truntime/sema.go:62 +0x25\n"
    "sync.(*WaitGroup).Wait(0x7f3b8f535101?)\n\tsync/waitgroup.go:139 +0x52\n"
    "golang.org/x/sync/errgroup.(*Group).Wait(0xc0001c4fc0)\n"
    "\tgolang.org/x/sync/errgroup/errgroup.go:53 +0x27\n"
    "github.com/prometheus/exporter-toolkit/web.ServeMultiple({0xc0001ceff0, 0x1, 0x7f?}, "
    "0xc000176d20, 0xc000013e00, {0xcdbfc0?, 0xc00007d800})\n"
    "\tgithub.com/prometheus/exporter-toolkit/web/tls_config.go:198 +0x67\n"
    "main.main()\n\tgithub.com/prometheus/node_exporter/node_exporter.go:200 +0x12d4\n\n"
    "goroutine 80 [IO wait, 13 minutes]:\n"
    "internal/poll.runtime_pollWait(0x7f3b67757068, 0x72)\n\truntime/netpoll.go:305 +0x89\n"
    "internal/poll.(*FD).Accept(0xc0002e1700)\n\tinternal/poll/fd_unix.go:614 +0x234\n"
    "net.(*netFD).accept(0xc0002e1700)\n\tnet/fd_unix.go:172 +0x35\n"
    "net.(*TCPListener).accept(0xc00034aa60)\n\tnet/tcpsock_posix.go:142 +0x28\n"
    "net.(*TCPListener).Accept(0xc00034aa60)\n\tnet/tcpsock.go:288 +0x3d\n"
    "net/http.(*Server).Serve(0xc000176d20, {0xce0a40, 0xc00034aa60})\n"
    "\tnet/http/server.go:3070 +0x385\n"
    "golang.org/x/sync/errgroup.(*Group).Go.func1()\n"
    "\tgolang.org/x/sync/errgroup/errgroup.go:75 +0x64\n"
    "created by golang.org/x/sync/errgroup.(*Group).Go\n"
    "\tgolang.org/x/sync/errgroup/errgroup.go:72 +0xa5\n\n";
static const char serving_worker[] = "goroutine 90 [chan receive, 13 minutes]:\n"
                                     "main.work(0xc000100000)\n\tgithub.com/x/y/main.go:50 +0x25\n"
                                     "golang.org/x/sync/errgroup.(*Group).Go.func1()\n"
                                     "\tgolang.org/x/sync/errgroup/errgroup.go:75 +0x64\n"
                                     "created by golang.org/x/sync/errgroup.(*Group).Go\n"
                                     "\tgolang.org/x/sync/errgroup/errgroup.go:72 +0xa5\n\n";

START_TEST(test_stuck_wait_serving)
{
	struct gpm_incident *inc;
	struct gpm_analysis *a = analyse_text(serving_main, &inc);
	ck_assert(!find_rule(a, "deadlock.stuck-wait"));
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	gpm_strbuf_puts(&sb, serving_main);
	gpm_strbuf_puts(&sb, serving_worker);
	a = analyse_text(sb.buf, &inc);
	const struct gpm_finding *f = find_rule(a, "deadlock.stuck-wait");
	ck_assert(f);
	ck_assert_int_eq(f->severity, GPM_SEVERITY_LOW);
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	gpm_strbuf_deinit(&sb);
}
END_TEST

/* contention.mutex roll-up: many mutexes locked in one function, each with a short queue,
 * are one finding with the count of mutexes and goroutines and the top examples; a few
 * stay one finding each, and another function's are not mixed in. */
static const char mutex_waiter[] = "goroutine %d [sync.Mutex.Lock, 2 minutes]:\n"
                                   "sync.runtime_SemacquireMutex(0x%x?, 0x0?, 0x1?)\n"
                                   "\t/usr/lib/go/src/runtime/sema.go:77 +0x25\n"
                                   "sync.(*Mutex).lockSlow(0x%x)\n"
                                   "\t/usr/lib/go/src/sync/mutex.go:171 +0x15d\n"
                                   "sync.(*Mutex).Lock(...)\n"
                                   "\t/usr/lib/go/src/sync/mutex.go:90\n"
                                   "%s(0x%x)\n\t/app/store.go:40 +0x45\n"
                                   "main.handle()\n\t/app/handler.go:20 +0x1f3\n"
                                   "created by main.serve in goroutine 1\n"
                                   "\t/app/server.go:30 +0x65\n\n";

/* Waiters on nmutex mutexes locked in fn (the first with 4 waiters, the others 3), ids
 * from *id on. */
static void mutex_waiters(struct gpm_strbuf *sb, const char *fn, unsigned base, int nmutex, int *id)
{
	for (int m = 0; m < nmutex; m++)
		for (int k = 0; k < (m ? 3 : 4); k++) {
			unsigned mu = base + (unsigned)m * 0x40;
			gpm_strbuf_printf(sb, mutex_waiter, (*id)++, mu + 8, mu, fn, mu);
		}
}

static size_t count_rule(const struct gpm_analysis *a, const char *rule)
{
	size_t n = 0;
	for (size_t i = 0; i < a->findings.len; i++)
		n += !strcmp(a->findings.v[i].rule, rule);
	return n;
}

START_TEST(test_contention_rollup)
{
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	struct gpm_incident *inc;
	int id = 2;
	gpm_strbuf_puts(&sb, "goroutine 1 [running]:\nmain.main()\n\t/app/main.go:10 +0x1d\n\n");
	mutex_waiters(&sb, "main.(*Store).Get", 0xc0010000, 5, &id);
	struct gpm_analysis *a = analyse_text(sb.buf, &inc);
	ck_assert_uint_eq(count_rule(a, "contention.mutex"), 5);
	for (size_t i = 0; i < a->findings.len; i++)
		ck_assert_uint_eq(a->findings.v[i].instances, 0);
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	// Two more of Get's mutexes: one finding for its 7; Put's 2 stay their own.
	mutex_waiters(&sb, "main.(*Store).Get", 0xc0020000, 2, &id);
	mutex_waiters(&sb, "main.(*Store).Put", 0xc0030000, 2, &id);
	a = analyse_text(sb.buf, &inc);
	ck_assert_uint_eq(count_rule(a, "contention.mutex"), 3);
	const struct gpm_finding *f = find_rule(a, "contention.mutex");
	ck_assert_msg(strstr(f->title, "7 mutexes locked in main.(*Store).Get") &&
	                  strstr(f->title, "23 goroutines, 3-4 per mutex"),
	              "%s", f->title);
	ck_assert_uint_eq(f->instances, 7);
	ck_assert_uint_eq(f->count, 23);
	ck_assert_uint_eq(f->goroutines.len, 23);
	ck_assert_uint_eq(f->address, 0xc0010000); // the most waiters, lowest address first
	ck_assert(evidence_has(f, "4 more mutexes locked in main.(*Store).Get, 12 goroutines"));
	ck_assert(!strcmp(f->evidence.v[1].value, "0xc0010000"));
	for (size_t i = 0; i < a->findings.len; i++)
		if (a->findings.v[i].kind == GPM_RULE_CONTENTION && &a->findings.v[i] != f)
			ck_assert(strstr(a->findings.v[i].title, "3 goroutines wait for mutex") ||
			          strstr(a->findings.v[i].title, "4 goroutines wait for mutex"));
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	gpm_strbuf_deinit(&sb);
}
END_TEST

/* The roll-up's goroutine ids (at most GPM_FINDING_MAX_IDS) are its mutexes', most waiters
 * first, then by address, though only the examples are written out as findings. */
START_TEST(test_contention_rollup_ids)
{
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	struct gpm_incident *inc;
	int id = 2;
	gpm_strbuf_puts(&sb, "goroutine 1 [running]:\nmain.main()\n\t/app/main.go:10 +0x1d\n\n");
	// 4 waiters (ids 2-5) on a mutex above the others, then 30 mutexes: 4 waiters (ids
	// 6-9) on the lowest, 3 on each of the rest (ids 10 on).
	mutex_waiters(&sb, "main.(*Store).Get", 0xc0050000, 1, &id);
	mutex_waiters(&sb, "main.(*Store).Get", 0xc0010000, 30, &id);
	struct gpm_analysis *a = analyse_text(sb.buf, &inc);
	ck_assert_uint_eq(count_rule(a, "contention.mutex"), 1);
	const struct gpm_finding *f = find_rule(a, "contention.mutex");
	ck_assert_uint_eq(f->instances, 31);
	ck_assert_uint_eq(f->count, 95);
	ck_assert_uint_eq(f->goroutines.len, GPM_FINDING_MAX_IDS);
	static const uint64_t head[] = {6, 7, 8, 9, 2, 3, 4, 5, 10, 11, 12, 13};
	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		ck_assert_uint_eq(f->goroutines.v[i], head[i]);
	ck_assert_uint_eq(f->goroutines.v[GPM_FINDING_MAX_IDS - 1], 65);
	ck_assert_uint_eq(f->address, 0xc0010000);
	ck_assert(evidence_has(f, "28 more mutexes locked in main.(*Store).Get, 84 goroutines"));
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	gpm_strbuf_deinit(&sb);
}
END_TEST

/* context.not-propagated: a select of the program's code under net/http's serving goroutine
 * for minutes is a LOW heuristic note; the same select for under a minute, or outside a
 * request path, says nothing. */
static const char handler_select[] =
    "goroutine %d [select%s]:\n"
    "main.lookup({0x7f, 0xc0001}, 0xc0002)\n\t/x/main.go:40 +0x9c\n"
    "net/http.HandlerFunc.ServeHTTP(0x0?, {0x7f, 0xc0001}, 0x0?)\n"
    "\tnet/http/server.go:2166 +0x29\n"
    "%s(0xc0003, {0x7f, 0xc0004})\n\tnet/http/server.go:2137 +0x8a5\n"
    "created by net/http.(*Server).Serve in goroutine 1\n"
    "\tnet/http/server.go:3285 +0x4b4\n\n";

START_TEST(test_context_not_propagated)
{
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	struct gpm_incident *inc;
	for (int i = 0; i < 3; i++)
		gpm_strbuf_printf(&sb, handler_select, 20 + i, "", "net/http.(*conn).serve");
	struct gpm_analysis *a = analyse_text(sb.buf, &inc);
	ck_assert(!find_rule(a, "context.not-propagated"));
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	gpm_strbuf_reset(&sb);
	for (int i = 0; i < 3; i++)
		gpm_strbuf_printf(&sb, handler_select, 20 + i, ", 12 minutes",
		                  "main.(*router).dispatch");
	a = analyse_text(sb.buf, &inc);
	ck_assert(!find_rule(a, "context.not-propagated"));
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	gpm_strbuf_reset(&sb);
	for (int i = 0; i < 3; i++)
		gpm_strbuf_printf(&sb, handler_select, 20 + i, ", 12 minutes",
		                  "net/http.(*conn).serve");
	a = analyse_text(sb.buf, &inc);
	const struct gpm_finding *f = find_rule(a, "context.not-propagated");
	ck_assert(f);
	ck_assert(f->severity == GPM_SEVERITY_LOW && f->confidence == GPM_CONFIDENCE_HEURISTIC);
	ck_assert_msg(
	    strstr(f->title, "3 request handlers waiting 12+ minutes in select in main.lookup"),
	    "%s", f->title);
	ck_assert(evidence_has(f, "not checked"));
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	gpm_strbuf_deinit(&sb);
}
END_TEST

/* gc.stw-stall: goroutines in runtime.gcStart while one runs the program's code at its
 * innermost frame is a HIGH stall naming that goroutine; GC assist waits alone are LOW;
 * a snapshot without either says nothing. */
static const char gc_waiter[] = "goroutine %d [semacquire]:\n"
                                "runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)\n"
                                "\truntime/proc.go:402 +0xce\n"
                                "runtime.semacquire1(0x9068b8, 0x0, 0x0, 0x0, 0x12)\n"
                                "\truntime/sema.go:160 +0x218\n"
                                "runtime.gcStart({0x7f, 0x59, 0x0})\n\truntime/mgc.go:646 +0x9c\n"
                                "runtime.mallocgc(0x1000, 0x678d40, 0x1)\n"
                                "\truntime/malloc.go:1308 +0x814\n"
                                "main.allocate()\n\t/x/main.go:20 +0x2b\n"
                                "created by main.main in goroutine 1\n\t/x/main.go:40 +0x45\n\n";
static const char gc_assist[] = "goroutine %d [GC assist wait]:\n"
                                "runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)\n"
                                "\truntime/proc.go:402 +0xce\n"
                                "runtime.gcParkAssist()\n\truntime/mgcmark.go:734 +0xe5\n"
                                "runtime.mallocgc(0x1000, 0x678d40, 0x1)\n"
                                "\truntime/malloc.go:1308 +0x814\n"
                                "main.allocate()\n\t/x/main.go:20 +0x2b\n"
                                "created by main.main in goroutine 1\n\t/x/main.go:40 +0x45\n\n";
static const char gc_spinner[] = "goroutine 5 [running]:\n"
                                 "main.spin()\n\t/x/main.go:9 +0x1\n"
                                 "created by main.main in goroutine 1\n\t/x/main.go:38 +0x25\n\n";

START_TEST(test_gc_stall)
{
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	struct gpm_incident *inc;
	gpm_strbuf_puts(&sb, gc_spinner);
	struct gpm_analysis *a = analyse_text(sb.buf, &inc);
	ck_assert(!find_rule(a, "gc.stw-stall"));
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	for (int i = 0; i < 3; i++)
		gpm_strbuf_printf(&sb, gc_assist, 30 + i);
	a = analyse_text(sb.buf, &inc);
	const struct gpm_finding *f = find_rule(a, "gc.stw-stall");
	ck_assert(f && f->severity == GPM_SEVERITY_LOW);
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	for (int i = 0; i < 3; i++)
		gpm_strbuf_printf(&sb, gc_waiter, 40 + i);
	a = analyse_text(sb.buf, &inc);
	ck_assert(a->findings.len >= 1);
	f = &a->findings.v[0];
	ck_assert_str_eq(f->rule, "gc.stw-stall");
	ck_assert(f->severity == GPM_SEVERITY_HIGH);
	ck_assert_msg(strstr(f->title, "6 goroutines wait while goroutine 5 runs in main.spin"),
	              "%s", f->title);
	ck_assert(evidence_has(f, "3 goroutines in runtime.gcStart"));
	ck_assert(evidence_has(f, "3 goroutines in GC assist wait"));
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	gpm_strbuf_deinit(&sb);
}
END_TEST

/* deadlock.recursive-rlock: a second RLock under a method of the same type on the same
 * object while a writer waits for the readers; not when the outer method runs on another
 * object of that type (both receivers printed), nor without a writer. */
static const char rl_writer[] =
    "goroutine 8 [semacquire, 3 minutes]:\n"
    "sync.runtime_SemacquireMutex(0x0?, 0x0?, 0x0?)\n\truntime/sema.go:77 +0x25\n"
    "sync.(*RWMutex).Lock(0x30?)\n\tsync/rwmutex.go:152 +0x71\n"
    "main.(*catalog).reload(0xc000066c30)\n\t/x/main.go:305 +0x49\n"
    "created by main.main\n\t/x/main.go:40 +0x45\n\n";
static const char rl_reader[] =
    "goroutine %d [semacquire, 3 minutes]:\n"
    "sync.runtime_SemacquireMutex(0x0?, 0x0?, 0x0?)\n\truntime/sema.go:77 +0x25\n"
    "sync.(*RWMutex).RLock(...)\n\tsync/rwmutex.go:71\n"
    "main.(*catalog).discount(0xc000066c30?, {0x753ec8?, 0x1?})\n\t/x/main.go:283 +0x66\n"
    "main.(*catalog).price(0x%s, {0x753ec8, 0x1}, 0x1)\n\t/x/main.go:298 +0xe5\n"
    "created by main.main\n\t/x/main.go:41 +0x45\n\n";

START_TEST(test_recursive_rlock)
{
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	struct gpm_incident *inc;
	gpm_strbuf_printf(&sb, rl_reader, 20, "c000066c30");
	struct gpm_analysis *a = analyse_text(sb.buf, &inc);
	ck_assert(!find_rule(a, "deadlock.recursive-rlock")); // no writer waits
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	gpm_strbuf_puts(&sb, rl_writer);
	a = analyse_text(sb.buf, &inc);
	const struct gpm_finding *f = find_rule(a, "deadlock.recursive-rlock");
	ck_assert(f && f == &a->findings.v[0] && f->severity == GPM_SEVERITY_CRITICAL);
	ck_assert_msg(strstr(f->title, "main.(*catalog).discount read-locks the RWMutex its caller "
	                               "main.(*catalog).price already holds (goroutine 20)") &&
	                  strstr(f->title, "goroutine 8 waits to write-lock it"),
	              "%s", f->title);
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	// The outer method on another catalog: its read lock is another mutex.
	gpm_strbuf_reset(&sb);
	gpm_strbuf_printf(&sb, rl_reader, 20, "c000099000");
	gpm_strbuf_puts(&sb, rl_writer);
	a = analyse_text(sb.buf, &inc);
	ck_assert(!find_rule(a, "deadlock.recursive-rlock"));
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	gpm_strbuf_deinit(&sb);
}
END_TEST

/* deadlock.once-reentered: two doSlow frames on one stack, the inner one in Mutex.Lock;
 * one doSlow alone (a caller waiting for a slow Do elsewhere) is not re-entry. */
static const char once_inner[] =
    "goroutine 21 [semacquire, 2 minutes]:\n"
    "sync.runtime_SemacquireMutex(0x0?, 0x0?, 0x0?)\n\truntime/sema.go:77 +0x25\n"
    "sync.(*Mutex).lockSlow(0xc0000b4144)\n\tsync/mutex.go:171 +0x165\n"
    "sync.(*Mutex).Lock(...)\n\tsync/mutex.go:90\n"
    "sync.(*Once).doSlow(0x0?, 0x0?)\n\tsync/once.go:70 +0x53\n"
    "sync.(*Once).Do(...)\n\tsync/once.go:65\n"
    "main.(*settings).Get(0xc0000b4140?, {0x6d6724?, 0x6?})\n\t/x/main.go:424 +0x55\n"
    "main.(*settings).validate(0xc0000b4140)\n\t/x/main.go:440 +0x2a\n"
    "main.(*settings).load(0xc0000b4140)\n\t/x/main.go:432 +0x7e\n"
    "main.(*settings).load-fm()\n\t<autogenerated>:1 +0x26\n"
    "sync.(*Once).doSlow(0x0?, 0x0?)\n\tsync/once.go:74 +0xc2\n"
    "sync.(*Once).Do(...)\n\tsync/once.go:65\n"
    "main.(*settings).Get(0xc0000b4140?, {0x6d6724?, 0x6?})\n\t/x/main.go:424 +0x55\n"
    "main.handler()\n\t/x/main.go:446 +0x3f\n"
    "created by main.main\n\t/x/main.go:40 +0x45\n\n";
static const char once_waiter[] =
    "goroutine %d [semacquire, 2 minutes]:\n"
    "sync.runtime_SemacquireMutex(0x0?, 0x0?, 0x0?)\n\truntime/sema.go:77 +0x25\n"
    "sync.(*Mutex).lockSlow(0xc0000b4144)\n\tsync/mutex.go:171 +0x165\n"
    "sync.(*Mutex).Lock(...)\n\tsync/mutex.go:90\n"
    "sync.(*Once).doSlow(0x0?, 0x0?)\n\tsync/once.go:70 +0x53\n"
    "sync.(*Once).Do(...)\n\tsync/once.go:65\n"
    "main.(*settings).Get(0xc0000b4140?, {0x6d6724?, 0x6?})\n\t/x/main.go:424 +0x55\n"
    "main.handler()\n\t/x/main.go:446 +0x3f\n"
    "created by main.main\n\t/x/main.go:41 +0x45\n\n";

START_TEST(test_once_reentered)
{
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	struct gpm_incident *inc;
	for (int i = 0; i < 3; i++)
		gpm_strbuf_printf(&sb, once_waiter, 30 + i);
	struct gpm_analysis *a = analyse_text(sb.buf, &inc);
	ck_assert(!find_rule(a, "deadlock.once-reentered"));
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	gpm_strbuf_puts(&sb, once_inner);
	a = analyse_text(sb.buf, &inc);
	const struct gpm_finding *f = find_rule(a, "deadlock.once-reentered");
	ck_assert(f && f == &a->findings.v[0]);
	ck_assert_msg(strstr(f->title, "main.(*settings).Get calls its Do from inside "
	                               "main.(*settings).load, the function that Once is running "
	                               "(goroutine 21 waits for itself); 3 more goroutines"),
	              "%s", f->title);
	ck_assert_uint_eq(f->count, 4);
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	gpm_strbuf_deinit(&sb);
}
END_TEST

/* limit.exhausted: waiters of a minute at a channel semaphore with a holder further in
 * the same function; none when nobody has waited a minute (load), none without a holder. */
static const char sem_waiter[] =
    "goroutine %d [chan send, %d minutes]:\n"
    "runtime.chansend1(0x0?, 0x0?)\n\truntime/chan.go:145 +0x1d\n"
    "main.(*thumbnailer).render(0xc0000a0000, {0x0?, 0x0?})\n\t/x/main.go:548 +0x2e\n"
    "main.serve.func1()\n\t/x/main.go:560 +0x40\n"
    "created by main.serve\n\t/x/main.go:559 +0x45\n\n";
static const char sem_holder[] =
    "goroutine 90 [IO wait, 3 minutes]:\n"
    "internal/poll.runtime_pollWait(0x0?, 0x72)\n\truntime/netpoll.go:305 +0x89\n"
    "internal/poll.(*FD).Read(0xc0001a0000, {0xc0001b0000, 0x1000, 0x1000})\n"
    "\tinternal/poll/fd_unix.go:167 +0x25a\n"
    "net.(*conn).Read(0xc0001a8000, {0xc0001b0000?, 0x0?, 0x0?})\n\tnet/net.go:183 +0x45\n"
    "main.ask({0x0?, 0x0?}, {0x0?, 0x0?})\n\t/x/main.go:98 +0x1a5\n"
    "main.(*thumbnailer).render(0xc0000a0000, {0x0?, 0x0?})\n\t/x/main.go:550 +0x8e\n"
    "main.serve.func1()\n\t/x/main.go:560 +0x40\n"
    "created by main.serve\n\t/x/main.go:559 +0x45\n\n";

START_TEST(test_limit_exhausted)
{
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	struct gpm_incident *inc;
	for (int i = 0; i < 5; i++)
		gpm_strbuf_printf(&sb, sem_waiter, 40 + i, 2);
	struct gpm_analysis *a = analyse_text(sb.buf, &inc);
	ck_assert(!find_rule(a, "limit.exhausted")); // nobody past the acquire
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	gpm_strbuf_puts(&sb, sem_holder);
	a = analyse_text(sb.buf, &inc);
	const struct gpm_finding *f = find_rule(a, "limit.exhausted");
	ck_assert(f && f == &a->findings.v[0] && f->severity == GPM_SEVERITY_HIGH);
	ck_assert_msg(strstr(f->title, "5 goroutines wait [chan send] to acquire a slot in "
	                               "main.(*thumbnailer).render at /x/main.go:548") &&
	                  strstr(f->title, "goroutine 90, [IO wait] in main.ask at /x/main.go:98 "
	                                   "(network I/O without a deadline)"),
	              "%s", f->title);
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	// The same queue of an instant: load, not a stuck holder.
	gpm_strbuf_reset(&sb);
	for (int i = 0; i < 5; i++)
		gpm_strbuf_printf(&sb,
		                  "goroutine %d [chan send]:\n"
		                  "runtime.chansend1(0x0?, 0x0?)\n\truntime/chan.go:145 +0x1d\n"
		                  "main.(*thumbnailer).render(0xc0000a0000, {0x0?, 0x0?})\n"
		                  "\t/x/main.go:548 +0x2e\n"
		                  "created by main.serve\n\t/x/main.go:559 +0x45\n\n",
		                  40 + i);
	gpm_strbuf_puts(&sb, sem_holder);
	a = analyse_text(sb.buf, &inc);
	ck_assert(!find_rule(a, "limit.exhausted"));
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	gpm_strbuf_deinit(&sb);
}
END_TEST

/* A real leak still speaks: 120 helpers each waiting 45 minutes on a channel of their own
 * that nobody else names, no reader of their family. */
START_TEST(test_leak_still_found)
{
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	gpm_strbuf_puts(&sb, grpc_dump);
	for (int i = 0; i < 120; i++)
		gpm_strbuf_printf(
		    &sb,
		    "goroutine %d [chan send, 45 minutes]:\n"
		    "runtime.chansend1(0xc00%05x, 0xc0009)\n\truntime/chan.go:145 +0x1d\n"
		    "main.(*Client).fetch.func1()\n\t/x/main.go:182 +0x7e\n"
		    "created by main.(*Client).fetch in goroutine 1\n"
		    "\t/x/main.go:180 +0xde\n\n",
		    10 + i, 0x100 * i + 0x40);
	struct gpm_incident *inc;
	struct gpm_analysis *a = analyse_text(sb.buf, &inc);
	ck_assert(a->findings.len >= 1);
	const struct gpm_finding *f = &a->findings.v[0];
	ck_assert_str_eq(f->rule, "leak.chan");
	ck_assert_int_ge(f->severity, GPM_SEVERITY_HIGH);
	ck_assert(strstr(f->title, "abandoned channels"));
	ck_assert(evidence_has(f, "no other goroutine refers to these channels"));
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	gpm_strbuf_deinit(&sb);
}
END_TEST

/* A core's select loops that wait on a pending timer's channel (a ticker per stream, as
 * etcd's watch sendLoop) wake by themselves: ruled out as a leak although a core gives no
 * minutes to say the wait was short; the same group without the timer case stays a hint. */
static struct gpm_analysis *select_loops(bool timer, struct gpm_incident **inc)
{
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	for (int i = 0; i < 12; i++)
		gpm_strbuf_printf(&sb,
		                  "goroutine %d [select]:\n"
		                  "runtime.selectgo(0xc00%05x, 0xc0009, 0x0, 0x0, 0x3, 0x1)\n"
		                  "\truntime/select.go:327 +0x7be\n"
		                  "main.(*stream).sendLoop(0xc00%05x)\n\t/x/main.go:82 +0x7e\n"
		                  "created by main.(*server).watch in goroutine 1\n"
		                  "\t/x/main.go:60 +0xde\n\n",
		                  10 + i, 0x100 * i + 0x40, 0x100 * i + 0x80);
	struct gpm_incident **v;
	size_t n;
	ck_assert(!gpm_dump_parse_all(sb.buf, sb.len, "t", NULL, &v, &n) && n == 1);
	*inc = v[0];
	free(v);
	gpm_strbuf_deinit(&sb);
	(*inc)->kind = GPM_INPUT_CORE;
	// The cases the core reader finds for one goroutine of the stack: a done channel and
	// the stream's ticker.
	size_t first = (*inc)->select_cases.len;
	struct gpm_select_case *cs = gpm_vec_push(&(*inc)->select_cases);
	ck_assert(cs);
	*cs = (struct gpm_select_case){.chan = 0xc000100040, .elem_type = "struct {}"};
	cs = gpm_vec_push(&(*inc)->select_cases);
	ck_assert(cs);
	*cs = (struct gpm_select_case){
	    .chan = 0xc000100080, .elem_type = "time.Time", .timer = timer};
	struct gpm_goroutine_extra *x =
	    gpm_incident_goroutine_extra(*inc, &(*inc)->goroutines.v[0]);
	ck_assert(x);
	x->first_case = (uint32_t)first;
	x->ncases = 2;
	x->cases_complete = true;
	struct gpm_analysis *a;
	ck_assert(!gpm_analysis_run(*inc, NULL, &a));
	return a;
}

START_TEST(test_select_timer_not_leak)
{
	struct gpm_incident *inc;
	struct gpm_analysis *a = select_loops(false, &inc);
	const struct gpm_finding *f = find_rule(a, "leak.chan");
	ck_assert_msg(f, "no leak.chan without the timer case");
	ck_assert_int_le(f->severity, GPM_SEVERITY_LOW);
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);

	a = select_loops(true, &inc);
	ck_assert_msg(!find_rule(a, "leak.chan"), "%s", find_rule(a, "leak.chan")->title);
	f = find_rule(a, "leak.ruled-out");
	ck_assert(f);
	ck_assert(evidence_has(f, "channel of a pending timer"));
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
}
END_TEST

/* Long system calls that are the normal state: signal handling, the locked main thread;
 * and one that is stuck. */
static const char syscall_dump[] =
    "goroutine 1 [syscall, 30 minutes, locked to thread]:\n"
    "syscall.Syscall(0x0, 0x0, 0xc000, 0x1000)\n\tsyscall/syscall_linux.go:69 +0x25\n"
    "main.eventLoop()\n\t/x/main.go:30 +0x1\nmain.main()\n\t/x/main.go:10 +0x1\n\n"
    "goroutine 6 [syscall, 30 minutes]:\n"
    "os/signal.signal_recv()\n\truntime/sigqueue.go:152 +0x29\n"
    "os/signal.loop()\n\tos/signal/signal_unix.go:23 +0x13\n"
    "created by os/signal.Notify.func1.1 in goroutine 1\n\tos/signal/signal.go:151 +0x1f\n\n";

START_TEST(test_syscall_expected)
{
	struct gpm_incident *inc;
	struct gpm_analysis *a = analyse_text(syscall_dump, &inc);
	ck_assert_ptr_null(find_rule(a, "syscall.stuck"));
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	gpm_strbuf_puts(&sb, syscall_dump);
	gpm_strbuf_puts(&sb, "goroutine 9 [syscall, 12 minutes]:\n"
	                     "syscall.Syscall(0x0, 0x3, 0xc000, 0x1000)\n"
	                     "\tsyscall/syscall_linux.go:69 +0x25\n"
	                     "main.readDevice()\n\t/x/main.go:50 +0x1\n"
	                     "created by main.main in goroutine 1\n\t/x/main.go:12 +0x1\n\n");
	a = analyse_text(sb.buf, &inc);
	const struct gpm_finding *f = find_rule(a, "syscall.stuck");
	ck_assert(f);
	ck_assert_uint_eq(f->count, 1);
	ck_assert(strstr(f->next, "main.readDevice"));
	// One goroutine: the headline names it, how long, and the program's frame.
	ck_assert_str_eq(f->title,
	                 "goroutine 9 in a system call for 12 minutes, in main.readDevice");
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	gpm_strbuf_deinit(&sb);
	// Go before 1.6 printed a cgo program's callback thread as a goroutine with no frame
	// outside the runtime, in [syscall, N minutes, locked to thread]: nothing of the
	// program to blame.
	sb = (struct gpm_strbuf)GPM_STRBUF_INIT;
	gpm_strbuf_puts(&sb, syscall_dump);
	gpm_strbuf_puts(&sb,
	                "goroutine 17 [syscall, 10 minutes, locked to thread]:\n"
	                "runtime.goexit()\n\t/usr/local/go/src/runtime/asm_amd64.s:1745 +0x1\n\n");
	a = analyse_text(sb.buf, &inc);
	ck_assert_ptr_null(find_rule(a, "syscall.stuck"));
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	gpm_strbuf_deinit(&sb);
	// A supervisor waiting for a child process (os/exec under the program's frame): the
	// headline says so and names the program's frame, not os/exec's.
	sb = (struct gpm_strbuf)GPM_STRBUF_INIT;
	gpm_strbuf_puts(&sb, syscall_dump);
	gpm_strbuf_puts(&sb, "goroutine 30 [syscall, 4433 minutes]:\n"
	                     "syscall.Syscall6(0x3d, 0x10a0c, 0xc2084e3aec, 0x0, 0xc2084b86c0)\n"
	                     "\tsyscall/asm_linux_amd64.s:46 +0x5\n"
	                     "syscall.wait4(0x10a0c, 0xc2084e3aec, 0x0, 0xc2084b86c0)\n"
	                     "\tsyscall/zsyscall_linux_amd64.go:124 +0x79\n"
	                     "syscall.Wait4(0x10a0c, 0xc2084e3b34, 0x0, 0xc2084b86c0)\n"
	                     "\tsyscall/syscall_linux.go:224 +0x60\n"
	                     "os.(*Process).wait(0xc208c18f00)\n\tos/exec_unix.go:22 +0x103\n"
	                     "os.(*Process).Wait(0xc208c18f00)\n\tos/doc.go:45 +0x3a\n"
	                     "os/exec.(*Cmd).Wait(0xc208318ff8)\n\tos/exec/exec.go:364 +0x23c\n"
	                     "main.runJob(0xc2083163c0)\n\t/x/main.go:80 +0x1\n"
	                     "created by main.main in goroutine 1\n\t/x/main.go:12 +0x1\n\n");
	a = analyse_text(sb.buf, &inc);
	f = find_rule(a, "syscall.stuck");
	ck_assert(f);
	ck_assert_str_eq(f->title, "goroutine 30 in a system call for 4433 minutes, waiting for "
	                           "a child process to exit, in main.runJob");
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	gpm_strbuf_deinit(&sb);
}
END_TEST

/* A lock waited for for hours, its waiter's stack cut right after the sync frames: the
 * headline says the caller is cut, not "the longest in (the caller is cut ...)". */
START_TEST(test_stuck_lock_cut)
{
	static const char dump[] =
	    "goroutine 41 [semacquire, 312 minutes]:\n"
	    "sync.runtime_SemacquireMutex(0xc000a1b2c4, 0x0, 0x1)\n\truntime/sema.go:71 +0x47\n"
	    "sync.(*Mutex).lockSlow(0xc000a1b2c0)\n\tsync/mutex.go:138 +0x105\n"
	    "sync.(*Mutex).Lock(...)\n\tsync/mutex.go:81\n"
	    "sync.(*RWMutex).Lock(0xc000a1b2c0)\n\tsync/rwmutex.go:98 +0x90\n\n";
	struct gpm_incident *inc;
	struct gpm_analysis *a = analyse_text(dump, &inc);
	const struct gpm_finding *f = find_rule(a, "deadlock.stuck-lock");
	ck_assert(f);
	ck_assert_str_eq(f->title, "RWMutex 0xc000a1b2c0 not released for 312+ minutes: 1 "
	                           "goroutine waits to lock it (the longest waiter's caller is "
	                           "cut from the paste)");
	ck_assert(!strstr(f->next, "e.g."));
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
}
END_TEST

/* net/http's "http: panic serving" stack pasted without its goroutine header (our own
 * variants/httppanic-nopanic.log, the header line dropped): no id to print, and the
 * evidence says so rather than "goroutine 0 [unknown]". */
START_TEST(test_recovered_no_header)
{
	static const char dump[] =
	    "2026/12/05 10:40:55 http: panic serving 127.0.0.1:38130: assignment to entry in "
	    "nil map\n"
	    "net/http.(*conn).serve.func1()\n\tnet/http/server.go:1850 +0xbf\n"
	    "main.(*tally).add(0x0?, {0xc000018034?, 0xffffffffffffffff?})\n"
	    "\tgopm.test/fixture/field/main.go:99 +0x31\n"
	    "main.countHandler({0x7317d0?, 0xc000194000}, 0x7fa7f4be95d8?)\n"
	    "\tgopm.test/fixture/field/main.go:103 +0x49\n"
	    "net/http.HandlerFunc.ServeHTTP(0x0?, {0x7317d0?, 0xc000194000?}, 0x4621ae?)\n"
	    "\tnet/http/server.go:2109 +0x2f\n\n";
	struct gpm_incident *inc;
	struct gpm_analysis *a = analyse_text(dump, &inc);
	const struct gpm_finding *f = find_rule(a, "crash.recovered");
	ck_assert(f);
	ck_assert(evidence_has(f, "a goroutine (its header, with the id and state, is not in the "
	                          "input)"));
	ck_assert(!evidence_has(f, "0 ["));
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
}
END_TEST

/* "SIGABRT: abort" as Go before 1.10 printed it, with no sigcode, and nothing before it:
 * sent from outside (LIKELY); with runtime/cgo's message before it, not. */
START_TEST(test_abort_no_sigcode)
{
	static const char dump[] = "SIGABRT: abort\nPC=0x45e2a1\n\n"
	                           "goroutine 7 [chan receive, 30 minutes]:\n"
	                           "main.worker(0xc20801e000)\n\t/x/main.go:20 +0x1\n"
	                           "created by main.main\n\t/x/main.go:10 +0x1\n\n"
	                           "goroutine 1 [select]:\nmain.main()\n\t/x/main.go:12 +0x1\n\n";
	struct gpm_incident *inc;
	struct gpm_analysis *a = analyse_text(dump, &inc);
	const struct gpm_finding *f = find_rule(a, "signal.external");
	ck_assert(f);
	ck_assert_int_eq(f->confidence, GPM_CONFIDENCE_LIKELY);
	ck_assert(evidence_has(f, "no sigcode printed"));
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	gpm_strbuf_puts(&sb, "runtime/cgo: pthread_create failed: Resource temporarily "
	                     "unavailable\n");
	gpm_strbuf_puts(&sb, dump);
	a = analyse_text(sb.buf, &inc);
	ck_assert_ptr_null(find_rule(a, "signal.external"));
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
	gpm_strbuf_deinit(&sb);
}
END_TEST

/* Panics and fatal errors raised on misuse say what the program did, not only what was
 * refused: our own field/go1.19-wgneg.txt (wg.Done twice) and a fatal Unlock of an
 * unlocked mutex. */
START_TEST(test_misuse_meaning)
{
	const char *path = gpm_test_data("dumps/field/go1.19-wgneg.txt");
	struct gpm_source *src;
	ck_assert(!gpm_source_open(path, &src));
	struct gpm_incident **incs;
	size_t n;
	ck_assert(!gpm_dump_parse_all((const char *)src->data, src->size, path, NULL, &incs, &n) &&
	          n >= 1);
	gpm_source_destroy(src);
	struct gpm_analysis *a;
	ck_assert(!gpm_analysis_run(incs[0], NULL, &a));
	const struct gpm_finding *f = find_rule(a, "panic");
	ck_assert(f);
	ck_assert(evidence_has(f, "Done (or Add with a negative delta) ran more often than Add"));
	gpm_analysis_destroy(a);
	for (size_t k = 0; k < n; k++)
		gpm_incident_destroy(incs[k]);
	free(incs);
	static const char dump[] =
	    "fatal error: sync: unlock of unlocked mutex\n\n"
	    "goroutine 9 [running]:\n"
	    "sync.fatal({0x4b1f2e?, 0x0?})\n\truntime/panic.go:1031 +0x18\n"
	    "sync.(*Mutex).unlockSlow(0xc000012345, 0xffffffff)\n\tsync/mutex.go:229 +0x35\n"
	    "sync.(*Mutex).Unlock(...)\n\tsync/mutex.go:223\n"
	    "main.(*cache).put(0xc000012340, {0x4b0a1c, 0x3})\n\t/x/main.go:31 +0x9c\n"
	    "created by main.main in goroutine 1\n\t/x/main.go:12 +0x1\n\n";
	struct gpm_incident *inc;
	a = analyse_text(dump, &inc);
	f = find_rule(a, "fatal");
	ck_assert(f);
	ck_assert(evidence_has(f, "a second Unlock"));
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
}
END_TEST

/* A concurrent-map crash pasted without its "fatal error:" line. */
static const char pasted_map[] =
    "goroutine 7 [running]:\n"
    "runtime.throw({0x4b7d2e?, 0x0?})\n\truntime/panic.go:1023 +0x5c\n"
    "runtime.mapassign_faststr(0x0?, 0x0?, {0x4b5c0d, 0x1})\n"
    "\truntime/map_faststr.go:211 +0x7b\n"
    "main.writer(0xc000012345)\n\t/x/main.go:40 +0x45\n"
    "created by main.main in goroutine 1\n\t/x/main.go:20 +0x1\n\n"
    "goroutine 1 [chan receive]:\nmain.main()\n\t/x/main.go:22 +0x1\n\n";

START_TEST(test_stack_only_map)
{
	struct gpm_incident *inc;
	struct gpm_analysis *a = analyse_text(pasted_map, &inc);
	ck_assert(a->findings.len >= 1);
	const struct gpm_finding *f = &a->findings.v[0];
	ck_assert_str_eq(f->rule, "crash.stack-only");
	ck_assert_msg(strstr(f->title, "main.writer") &&
	                  strstr(f->title, "a map write the runtime refused") &&
	                  strstr(f->title, "runtime.mapassign_faststr"),
	              "%s", f->title);
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
}
END_TEST

/* Three goroutines wait at the Lock of main.(*Store).Get; goroutine 9 is past that Lock in
 * the same function and blocked elsewhere (on a channel): the holder candidate, though its
 * arguments do not name the mutex. */
static const char past_lock_dump[] =
    "goroutine 1 [running]:\nmain.main()\n\t/x/main.go:10 +0x1\n\n"
    "goroutine 9 [chan receive, 3 minutes]:\n"
    "main.fetch(0xc000099000)\n\t/x/main.go:70 +0x1\n"
    "main.(*Store).Get(0xc000077000, {0x4b, 0x5})\n\t/x/main.go:45 +0x1\n"
    "created by main.main in goroutine 1\n\t/x/main.go:9 +0x1\n\n"
    "goroutine 10 [sync.Mutex.Lock]:\n"
    "sync.(*Mutex).lockSlow(0xc000010000)\n\tsync/mutex.go:171 +0x15d\n"
    "sync.(*Mutex).Lock(...)\n\tsync/mutex.go:90\n"
    "main.(*Store).Get(0xc000055000, {0x4b, 0x5})\n\t/x/main.go:40 +0xa5\n"
    "created by main.main in goroutine 1\n\t/x/main.go:9 +0x1\n\n"
    "goroutine 11 [sync.Mutex.Lock]:\n"
    "sync.(*Mutex).lockSlow(0xc000010000)\n\tsync/mutex.go:171 +0x15d\n"
    "sync.(*Mutex).Lock(...)\n\tsync/mutex.go:90\n"
    "main.(*Store).Get(0xc000055000, {0x4b, 0x5})\n\t/x/main.go:40 +0xa5\n"
    "created by main.main in goroutine 1\n\t/x/main.go:9 +0x1\n\n"
    "goroutine 12 [sync.Mutex.Lock]:\n"
    "sync.(*Mutex).lockSlow(0xc000010000)\n\tsync/mutex.go:171 +0x15d\n"
    "sync.(*Mutex).Lock(...)\n\tsync/mutex.go:90\n"
    "main.(*Store).Get(0xc000055000, {0x4b, 0x5})\n\t/x/main.go:40 +0xa5\n"
    "created by main.main in goroutine 1\n\t/x/main.go:9 +0x1\n\n";

START_TEST(test_holder_past_lock)
{
	struct gpm_incident *inc;
	struct gpm_analysis *a = analyse_text(past_lock_dump, &inc);
	const struct gpm_finding *f = find_rule(a, "contention.mutex");
	ck_assert(f);
	ck_assert_uint_eq(f->count, 3);
	ck_assert_msg(evidence_has(f, "goroutine 9 [chan receive"), "%s", f->next);
	ck_assert(evidence_has(f, "past the Lock"));
	ck_assert(strstr(f->next, "main.(*Store).Get"));
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
}
END_TEST

/* A live snapshot of a goroutine running map code is no crash. */
static const char running_map[] = "goroutine 7 [running]:\n"
                                  "runtime.mapassign_faststr(0x0?, 0x0?, {0x4b5c0d, 0x1})\n"
                                  "\truntime/map_faststr.go:211 +0x7b\n"
                                  "main.writer(0xc000012345)\n\t/x/main.go:40 +0x45\n"
                                  "created by main.main in goroutine 1\n\t/x/main.go:20 +0x1\n\n";

START_TEST(test_stack_only_not_running)
{
	struct gpm_incident *inc;
	struct gpm_analysis *a = analyse_text(running_map, &inc);
	ck_assert_ptr_null(find_rule(a, "crash.stack-only"));
	gpm_analysis_destroy(a);
	gpm_incident_destroy(inc);
}
END_TEST

Suite *analysis_suite(void)
{
	Suite *s = suite_create("analysis");
	TCase *tc = tcase_create("findings");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_empty);
	tcase_add_test(tc, test_normalise);
	tcase_add_test(tc, test_group_closures);
	tcase_add_test(tc, test_abba_text);
	tcase_add_test(tc, test_rules_table);
	tcase_add_test(tc, test_frame_class);
	tcase_add_test(tc, test_field_shapes);
	tcase_add_test(tc, test_crash_variants);
	tcase_add_test(tc, test_grpc_healthy);
	tcase_add_test(tc, test_servers_quiet);
	tcase_add_test(tc, test_pending_timers_churn);
	tcase_add_test(tc, test_stuck_wait_serving);
	tcase_add_test(tc, test_net_no_deadline);
	tcase_add_test(tc, test_timer_callbacks);
	tcase_add_test(tc, test_contention_rollup);
	tcase_add_test(tc, test_contention_rollup_ids);
	tcase_add_test(tc, test_context_not_propagated);
	tcase_add_test(tc, test_gc_stall);
	tcase_add_test(tc, test_leak_still_found);
	tcase_add_test(tc, test_select_timer_not_leak);
	tcase_add_test(tc, test_syscall_expected);
	tcase_add_test(tc, test_stuck_lock_cut);
	tcase_add_test(tc, test_recovered_no_header);
	tcase_add_test(tc, test_abort_no_sigcode);
	tcase_add_test(tc, test_misuse_meaning);
	tcase_add_test(tc, test_stack_only_map);
	tcase_add_test(tc, test_holder_past_lock);
	tcase_add_test(tc, test_stack_only_not_running);
	tcase_add_test(tc, test_scenarios);
	tcase_add_test(tc, test_recursive_rlock);
	tcase_add_test(tc, test_once_reentered);
	tcase_add_test(tc, test_limit_exhausted);
	suite_add_tcase(s, tc);
	return s;
}
