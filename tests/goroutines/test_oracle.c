/*
 * The oracle tests: for every fixture core in testdata/cores/, the goroutines gopm reads from
 * the core must be the ones the Go runtime printed at that instant (stderr.txt): same id,
 * same state/wait reason, same frames (function, file:line) in the same order, same creator.
 * Parked goroutines must match exactly, arguments included; a running goroutine may have
 * extra innermost frames (the crash handling the signal added after the runtime printed it)
 * and other argument values.
 */
#include <dirent.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/source.h"
#include "check_gopm.h"
#include "dump/dump.h"
#include "goroutines/goroutines.h"
#include "gort/arglayout.h"
#include "model/traceback.h"

struct fixture {
	char dir[512];
	char exe[512];
};

static int fixture_cmp(const void *a, const void *b)
{
	return strcmp(((const struct fixture *)a)->dir, ((const struct fixture *)b)->dir);
}

/* The fixtures under testdata/SUB: "cores" (amd64, kernel cores), "cores-arm64" (arm64,
 * qemu-user's cores, testdata/gen/make-arm64-fixtures.sh). */
static size_t list_fixtures(const char *sub, struct fixture **out)
{
	const char *root = gpm_test_data(sub);
	char rootcopy[512];
	snprintf(rootcopy, sizeof(rootcopy), "%s", root);
	DIR *d = opendir(rootcopy);
	size_t n = 0;
	*out = NULL;
	if (!d)
		return 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		struct fixture fx;
		int w = snprintf(fx.dir, sizeof(fx.dir), "%s/%s", rootcopy, e->d_name);
		char exe[256];
		if (w < 0 || (size_t)w >= sizeof(fx.dir) ||
		    !gpm_test_meta(fx.dir, "exe", exe, sizeof(exe)))
			continue;
		w = snprintf(fx.exe, sizeof(fx.exe), "%s", gpm_test_data(exe));
		if (w < 0 || (size_t)w >= sizeof(fx.exe))
			continue;
		*out = realloc(*out, (n + 1) * sizeof(**out));
		(*out)[n++] = fx;
	}
	closedir(d);
	qsort(*out, n, sizeof(**out), fixture_cmp);
	return n;
}

static const struct gpm_goroutine *find_g(const struct gpm_incident *inc, uint64_t id)
{
	for (size_t i = 0; i < inc->goroutines.len; i++)
		if (inc->goroutines.v[i].id == id)
			return &inc->goroutines.v[i];
	return NULL;
}

/* A frame and the argument text printed between its parentheses ("" for "(...)"). */
struct tframe {
	const struct gpm_frame *f;
	const char *args;
	size_t nargs;
};

/* Real frames only (no elision markers), with their argument texts. */
static size_t frames_of(const struct gpm_incident *inc, const struct gpm_goroutine *g,
                        struct tframe *out)
{
	uint32_t n;
	const struct gpm_frame *f = gpm_goroutine_frames(inc, g, &n);
	struct gpm_args_iter it;
	bool own = gpm_goroutine_args_begin(inc, g, &it);
	size_t k = 0;
	for (uint32_t i = 0; i < n; i++) {
		const char *a = f[i].args;
		size_t an = a ? strlen(a) : 0;
		if (own && !gpm_args_iter_next(&it, &a, &an))
			a = NULL, an = 0;
		if (f[i].flags & GPM_FRAME_INLINED)
			a = NULL, an = 0; // "(...)"
		if (!(f[i].flags & GPM_FRAME_ELIDED))
			out[k++] = (struct tframe){&f[i], a ? a : "", a ? an : 0};
	}
	return k;
}

/* Frames whose argument texts were compared, and of those equal. */
static size_t args_compared, args_equal;

static bool same_frame(const struct gpm_frame *a, const struct gpm_frame *b)
{
	return a->func && b->func && !strcmp(a->func, b->func) && a->file && b->file &&
	       !strcmp(a->file, b->file) && a->line == b->line;
}

/* Compares one goroutine; writes the first difference into why. */
static bool compare(const struct gpm_incident *oracle, const struct gpm_goroutine *go,
                    const struct gpm_incident *ours, const struct gpm_goroutine *g, char *why,
                    size_t cap)
{
	if (!g) {
		snprintf(why, cap, "missing");
		return false;
	}
	const char *so = go->state ? go->state : "", *s = g->state ? g->state : "";
	if (strcmp(so, s)) {
		snprintf(why, cap, "state '%s', runtime printed '%s'", s, so);
		return false;
	}
	static struct tframe fo[100000], f[100000];
	size_t no = frames_of(oracle, go, fo), n = frames_of(ours, g, f);
	bool running = go->status == GPM_G_RUNNING || !strcmp(so, "running");
	size_t skip = 0;
	if (running && n > no)
		skip = n - no; // extra innermost frames of the crash itself
	if (n - skip != no) {
		snprintf(why, cap, "%zu frames, runtime printed %zu", n, no);
		return false;
	}
	for (size_t i = 0; i < no; i++) {
		const struct gpm_frame *a = f[skip + i].f, *b = fo[i].f;
		if (!same_frame(b, a)) {
			snprintf(why, cap, "frame %zu is %s %s:%u, runtime printed %s %s:%u", i,
			         a->func, a->file ? a->file : "?", a->line, b->func,
			         b->file ? b->file : "?", b->line);
			return false;
		}
	}
	// The arguments, byte for byte, of goroutines that did not run after the print (the
	// running goroutine of a crash goes on to die: its spill slots differ by then).
	for (size_t i = 0; i < no && !running; i++) {
		const struct tframe *a = &f[skip + i], *b = &fo[i];
		args_compared++;
		if (a->nargs != b->nargs || memcmp(a->args, b->args, a->nargs)) {
			snprintf(why, cap, "frame %zu %s(%.*s), runtime printed (%.*s)", i,
			         b->f->func, (int)a->nargs, a->args, (int)b->nargs, b->args);
			return false;
		}
		args_equal++;
	}
	// pprof labels, when the runtime printed them (Go 1.26+ with tracebacklabels).
	const struct gpm_goroutine_extra *xo = gpm_goroutine_extra(oracle, go),
	                                 *x = gpm_goroutine_extra(ours, g);
	for (uint32_t i = 0; i < xo->nlabels; i++) {
		const struct gpm_label *lo = &oracle->labels.v[xo->first_label + i];
		bool found = false;
		for (uint32_t k = 0; k < x->nlabels && !found; k++) {
			const struct gpm_label *l = &ours->labels.v[x->first_label + k];
			found = !strcmp(l->key, lo->key) && !strcmp(l->value, lo->value);
		}
		if (!found || x->nlabels != xo->nlabels) {
			snprintf(why, cap, "label %s=%s missing (%u labels, runtime printed %u)",
			         lo->key, lo->value, x->nlabels, xo->nlabels);
			return false;
		}
	}
	if (go->created_by != UINT32_MAX) {
		if (g->created_by == UINT32_MAX || !same_frame(&oracle->frames.v[go->created_by],
		                                               &ours->frames.v[g->created_by])) {
			snprintf(why, cap, "creator differs");
			return false;
		}
		if (go->parent_id && go->parent_id != g->parent_id) {
			snprintf(why, cap, "parent goroutine %llu, runtime printed %llu",
			         (unsigned long long)g->parent_id,
			         (unsigned long long)go->parent_id);
			return false;
		}
	}
	return true;
}

static void check_oracle(const char *sub, const char *arch)
{
	struct fixture *fx;
	size_t nfx = list_fixtures(sub, &fx);
	ck_assert_msg(nfx > 0, "no fixtures under testdata/%s", sub);
	size_t total = 0, matched = 0, parked_bad = 0, running_bad = 0;
	// Cores the Linux kernel wrote on that architecture (meta kernel=): all of cores/, and
	// of cores-arm64/ those of testdata/gen/gen-arm64-kernel.sh (the rest are qemu-user's).
	size_t nkernel = 0, kernel_total = 0;
	args_compared = args_equal = 0;
	for (size_t i = 0; i < nfx; i++) {
		char path[600];
		// The traceback is stderr.txt, or stderr.txt.zst when large (meta names it).
		char name[128] = "stderr.txt", kernel[128];
		bool by_kernel = gpm_test_meta(fx[i].dir, "kernel", kernel, sizeof(kernel));
		nkernel += by_kernel;
		gpm_test_meta(fx[i].dir, "stderr", name, sizeof(name));
		snprintf(path, sizeof(path), "%s/%s", fx[i].dir, name);
		struct gpm_source *src;
		struct gpm_error *err = gpm_source_open(path, &src);
		ck_assert_msg(!err, "%s: %s", path, err ? err->message : "");
		struct gpm_incident **snaps;
		size_t nsnaps;
		err = gpm_dump_parse_all((const char *)src->data, src->size, path, NULL, &snaps,
		                         &nsnaps);
		ck_assert_msg(!err, "%s: %s", path, err ? err->message : "");

		snprintf(path, sizeof(path), "%s/core.zst", fx[i].dir);
		struct gpm_process_options po = {.exe_path = fx[i].exe};
		struct gpm_process *p;
		err = gpm_process_open(path, &po, &p);
		ck_assert_msg(!err, "%s: %s", path, err ? err->message : "");
		ck_assert_msg(!strcmp(gpm_core_arch(p->core)->name, arch), "%s: a core for %s",
		              path, gpm_core_arch(p->core)->name);
		struct gpm_incident *inc;
		err = gpm_goroutines_read(p, NULL, &inc);
		ck_assert_msg(!err, "%s: %s", path, err ? err->message : "");

		size_t fx_total = 0, fx_matched = 0;
		for (size_t s = 0; s < nsnaps; s++) {
			const struct gpm_incident *o = snaps[s];
			for (size_t k = 0; k < o->goroutines.len; k++) {
				const struct gpm_goroutine *go = &o->goroutines.v[k];
				if (go->id == 0 || (go->flags & GPM_GOROUTINE_UNAVAILABLE))
					continue;
				char why[512];
				fx_total++;
				if (compare(o, go, inc, find_g(inc, go->id), why, sizeof(why))) {
					fx_matched++;
					continue;
				}
				bool running = go->status == GPM_G_RUNNING ||
				               (go->state && !strcmp(go->state, "running"));
				running ? running_bad++ : parked_bad++;
				fprintf(stderr, "oracle: %s: goroutine %llu: %s\n", fx[i].dir,
				        (unsigned long long)go->id, why);
			}
		}
		fprintf(stderr, "oracle: %-60s %zu/%zu goroutines match\n", fx[i].dir, fx_matched,
		        fx_total);
		ck_assert_msg(fx_total > 0, "%s: no goroutines in the traceback", fx[i].dir);
		if (by_kernel)
			kernel_total += fx_total;
		total += fx_total;
		matched += fx_matched;
		gpm_incident_destroy(inc);
		gpm_process_destroy(p);
		for (size_t s = 0; s < nsnaps; s++)
			gpm_incident_destroy(snaps[s]);
		free(snaps);
		gpm_source_destroy(src);
	}
	fprintf(stderr,
	        "oracle: %s: %zu fixtures, %zu/%zu goroutines match (%zu parked and %zu running "
	        "differ)\n",
	        arch, nfx, matched, total, parked_bad, running_bad);
	fprintf(stderr, "oracle: %s: arguments of %zu/%zu frames equal the runtime's\n", arch,
	        args_equal, args_compared);
	if (!strcmp(arch, "arm64")) {
		fprintf(stderr, "oracle: arm64: %zu cores written by the kernel, %zu goroutines\n",
		        nkernel, kernel_total);
		ck_assert_msg(nkernel >= 3 && kernel_total >= 98,
		              "arm64: only %zu kernel cores (%zu goroutines) compared", nkernel,
		              kernel_total);
	}
	free(fx);
	// Every fixture has parked goroutines whose frames print arguments.
	ck_assert_msg(args_compared >= nfx, "%s: only %zu frames' arguments compared", arch,
	              args_compared);
	ck_assert_msg(parked_bad == 0, "%zu parked goroutines differ from the runtime", parked_bad);
	ck_assert_msg(running_bad == 0, "%zu running goroutines differ from the runtime",
	              running_bad);
}

START_TEST(every_fixture_matches_the_runtime_traceback)
{
	check_oracle("cores", "amd64");
}
END_TEST

START_TEST(every_arm64_fixture_matches_the_runtime_traceback)
{
	check_oracle("cores-arm64", "arm64");
}
END_TEST

/*
 * The text itself: each parked goroutine as gopm prints it from the core (the printer of
 * `gopm goroutines`) must equal the runtime's own lines for it in stderr.txt, byte for
 * byte from the first frame to the end of the block (arguments, "(...)", offsets, fp/sp/pc,
 * elision markers, created by). Of the header, the state in brackets is compared (gopm adds
 * the pprof labels the runtime of before 1.26 did not print, and the g's address that it
 * printed from 1.23 on). No parsing of the runtime's text: the
 * block is found by its "goroutine N " line and compared as it is.
 */
static size_t golden_fixture(const struct fixture *fx, size_t *compared)
{
	char path[600], name[128] = "stderr.txt";
	gpm_test_meta(fx->dir, "stderr", name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s", fx->dir, name);
	struct gpm_source *src;
	ck_assert_ptr_null(gpm_source_open(path, &src));
	const char *text = (const char *)src->data;
	size_t tlen = src->size;

	snprintf(path, sizeof(path), "%s/core.zst", fx->dir);
	struct gpm_process_options po = {.exe_path = fx->exe};
	struct gpm_process *p;
	struct gpm_error *err = gpm_process_open(path, &po, &p);
	ck_assert_msg(!err, "%s: %s", path, err ? err->message : "");
	struct gpm_incident *inc;
	err = gpm_goroutines_read(p, NULL, &inc);
	ck_assert_msg(!err, "%s: %s", path, err ? err->message : "");

	size_t bad = 0;
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	for (size_t k = 0; k < inc->goroutines.len; k++) {
		const struct gpm_goroutine *g = &inc->goroutines.v[k];
		if (g->status == GPM_G_RUNNING || (g->flags & GPM_GOROUTINE_CURRENT))
			continue;
		char head[48];
		int hn = snprintf(head, sizeof(head), "goroutine %llu ", (unsigned long long)g->id);
		const char *b = NULL;
		for (const char *q = text; q && (size_t)(q - text) < tlen;) {
			const char *m = memmem(q, tlen - (size_t)(q - text), head, (size_t)hn);
			if (!m)
				break;
			if (m == text || m[-1] == '\n') {
				b = m;
				break;
			}
			q = m + 1;
		}
		if (!b)
			continue;
		const char *end = memmem(b, tlen - (size_t)(b - text), "\n\n", 2);
		size_t blen = end ? (size_t)(end - b) + 1 : tlen - (size_t)(b - text);
		const char *hl = memchr(b, '\n', blen);
		ck_assert_ptr_nonnull(hl);
		const char *br = memchr(b, ']', (size_t)(hl - b));
		if (br && memmem(b, (size_t)(br - b), "[running", 8))
			continue; // running when printed: its frames moved on
		gpm_strbuf_reset(&sb);
		gpm_traceback_goroutine(&sb, inc, g, NULL);
		const char *ours = gpm_strbuf_str(&sb);
		const char *ohl = strchr(ours, '\n');
		ck_assert_ptr_nonnull(ohl);
		(*compared)++;
		// The state in brackets (the runtime printed "gp=… m=…" from Go 1.23 on, and
		// labels only when asked to: gopm prints those it read).
		const char *lb = memchr(b, '[', (size_t)(hl - b)), *olb = strchr(ours, '[');
		size_t sl = lb && br ? (size_t)(br - lb) : 0;
		bool same = sl && olb && !strncmp(olb, lb, sl) &&
		            (olb[sl] == ']' || !strncmp(olb + sl, " labels:{", 9));
		// Then every line to the end of the block. What the runtime's text has after it
		// must be no more of a traceback (a shell's "timeout: … dumped core" line).
		size_t on = strlen(ohl), rn = blen - (size_t)(hl - b);
		same = same && on <= rn && !memcmp(ohl, hl, on);
		if (same && on < rn) {
			const char *rest = hl + on, *rl = memchr(rest, '\n', rn - on);
			size_t n = rl ? (size_t)(rl - rest) : rn - on;
			same = n && rest[0] != '\t' && rest[n - 1] != ')' &&
			       strncmp(rest, "created by ", 11) && strncmp(rest, "...", 3) &&
			       strncmp(rest, "[originating", 12);
		}
		if (same)
			continue;
		if (!bad++)
			fprintf(stderr,
			        "golden: %s: goroutine %llu differs:\ngopm:\n%s\nruntime:\n%.*s\n",
			        fx->dir, (unsigned long long)g->id, ours, (int)blen, b);
	}
	gpm_strbuf_deinit(&sb);
	gpm_incident_destroy(inc);
	gpm_process_destroy(p);
	gpm_source_destroy(src);
	return bad;
}

static void check_golden(const char *sub)
{
	struct fixture *fx;
	size_t nfx = list_fixtures(sub, &fx);
	ck_assert_msg(nfx > 0, "no fixtures under testdata/%s", sub);
	size_t compared = 0, bad = 0;
	for (size_t i = 0; i < nfx; i++)
		bad += golden_fixture(&fx[i], &compared);
	fprintf(stderr,
	        "golden: %s: %zu fixtures, %zu/%zu parked goroutines print as the runtime did\n",
	        sub, nfx, compared - bad, compared);
	free(fx);
	ck_assert_msg(compared >= nfx, "%s: only %zu goroutines compared", sub, compared);
	ck_assert_msg(bad == 0, "%s: %zu goroutines print otherwise than the runtime", sub, bad);
}

START_TEST(every_parked_goroutine_prints_as_the_runtime_printed_it)
{
	check_golden("cores");
}
END_TEST

/* One fixture of the other trees: DIR holds core.zst and stderr.txt, its executable is
 * DIR/exe.zst, PARENT/exe.zst, or the exe= of its meta (relative to the tree). */
static bool other_fixture(const char *tree, const char *dir, const char *parent, struct fixture *fx)
{
	char exe[256], path[1100];
	struct stat st;
	snprintf(path, sizeof(path), "%s/core.zst", dir);
	if (stat(path, &st) != 0)
		return false;
	snprintf(path, sizeof(path), "%s/stderr.txt", dir);
	if (stat(path, &st) != 0)
		return false;
	snprintf(fx->dir, sizeof(fx->dir), "%s", dir);
	if (gpm_test_meta(dir, "exe", exe, sizeof(exe)))
		snprintf(path, sizeof(path), "%s/%s", tree, exe);
	else if (snprintf(path, sizeof(path), "%s/exe.zst", dir), stat(path, &st) != 0)
		snprintf(path, sizeof(path), "%s/exe.zst", parent);
	if (stat(path, &st) != 0)
		return false;
	return snprintf(fx->exe, sizeof(fx->exe), "%s", path) < (int)sizeof(fx->exe);
}

/*
 * The fixture cores outside testdata/cores: the cgo program's cores (testdata/cgo, amd64
 * kernel cores), the stop-the-world stalls (testdata/stwstall/VERSION) and the finding
 * rules' cores (testdata/corerules/VERSION/CASE). Every parked goroutine must print as the
 * runtime printed it, as for testdata/cores; every tree must give fixtures.
 */
START_TEST(every_parked_goroutine_of_the_other_trees_prints_as_the_runtime_printed_it)
{
	static const char *const trees[] = {"cgo", "stwstall", "corerules"};
	size_t total = 0, compared = 0, bad = 0;
	for (size_t t = 0; t < sizeof(trees) / sizeof(trees[0]); t++) {
		char root[512];
		snprintf(root, sizeof(root), "%s", gpm_test_data(trees[t]));
		DIR *d = opendir(root);
		ck_assert_ptr_nonnull(d);
		size_t found = 0;
		struct dirent *e;
		while ((e = readdir(d))) {
			char dir[512], sub[1100];
			struct fixture fx;
			if (e->d_name[0] == '.')
				continue;
			if (snprintf(dir, sizeof(dir), "%s/%s", root, e->d_name) >=
			    (int)sizeof(dir))
				continue;
			if (other_fixture(root, dir, root, &fx)) {
				bad += golden_fixture(&fx, &compared);
				found++;
				continue;
			}
			DIR *d2 = opendir(dir);
			if (!d2)
				continue;
			struct dirent *e2;
			while ((e2 = readdir(d2))) {
				if (e2->d_name[0] == '.')
					continue;
				snprintf(sub, sizeof(sub), "%s/%s", dir, e2->d_name);
				if (other_fixture(root, sub, dir, &fx)) {
					bad += golden_fixture(&fx, &compared);
					found++;
				}
			}
			closedir(d2);
		}
		closedir(d);
		fprintf(stderr, "golden: %s: %zu fixtures\n", trees[t], found);
		ck_assert_msg(found > 0, "no fixtures under testdata/%s", trees[t]);
		total += found;
	}
	fprintf(stderr,
	        "golden: other trees: %zu fixtures, %zu/%zu parked goroutines print as the "
	        "runtime did\n",
	        total, compared - bad, compared);
	ck_assert_msg(compared >= total, "only %zu goroutines compared", compared);
	ck_assert_msg(bad == 0, "%zu goroutines print otherwise than the runtime", bad);
}
END_TEST

START_TEST(every_parked_arm64_goroutine_prints_as_the_runtime_printed_it)
{
	check_golden("cores-arm64");
}
END_TEST

/*
 * Live snapshots: fixtures with gcore=FILE in meta also hold a core gdb took of the running
 * process (gcore, generate-core-file) right before the SIGQUIT that printed the traceback.
 * gdb writes no segment for the executable's read-only data, so without reading it from the
 * executable the wait reasons (and, stripped, the type descriptors) are lost. Every goroutine
 * that was parked must be the one the runtime printed an instant later; goroutines running at
 * either instant (busy loops) have moved on and are only counted.
 */
START_TEST(every_gcore_snapshot_matches_the_traceback_of_right_after)
{
	struct fixture *fx;
	size_t nfx = list_fixtures("cores", &fx);
	size_t snapshots = 0, total = 0, matched = 0, bad = 0, moving = 0;
	args_compared = args_equal = 0;
	for (size_t i = 0; i < nfx; i++) {
		char gcore[128], path[sizeof(fx->dir) + sizeof(gcore) + 2];
		if (!gpm_test_meta(fx[i].dir, "gcore", gcore, sizeof(gcore)))
			continue;
		snapshots++;
		char name[128] = "stderr.txt";
		gpm_test_meta(fx[i].dir, "stderr", name, sizeof(name));
		snprintf(path, sizeof(path), "%s/%s", fx[i].dir, name);
		struct gpm_source *src;
		ck_assert_ptr_null(gpm_source_open(path, &src));
		struct gpm_incident **snaps;
		size_t nsnaps;
		ck_assert_ptr_null(gpm_dump_parse_all((const char *)src->data, src->size, path,
		                                      NULL, &snaps, &nsnaps));

		snprintf(path, sizeof(path), "%s/%s", fx[i].dir, gcore);
		struct gpm_process_options po = {.exe_path = fx[i].exe};
		struct gpm_process *p;
		struct gpm_error *err = gpm_process_open(path, &po, &p);
		ck_assert_msg(!err, "%s: %s", path, err ? err->message : "");
		ck_assert_msg(gpm_core_is_snapshot(p->core, NULL), "%s: not a live snapshot", path);
		struct gpm_incident *inc;
		err = gpm_goroutines_read(p, NULL, &inc);
		ck_assert_msg(!err, "%s: %s", path, err ? err->message : "");
		ck_assert_msg(inc->crash.live_snapshot && inc->crash.signo == 0,
		              "%s: reported as a death (signal %d)", path, inc->crash.signo);

		size_t fx_total = 0, fx_matched = 0, fx_moving = 0;
		const struct gpm_incident *o = snaps[0];
		for (size_t k = 0; k < o->goroutines.len; k++) {
			const struct gpm_goroutine *go = &o->goroutines.v[k];
			if (go->id == 0 || (go->flags & GPM_GOROUTINE_UNAVAILABLE))
				continue;
			const struct gpm_goroutine *g = find_g(inc, go->id);
			bool running =
			    go->status == GPM_G_RUNNING || go->status == GPM_G_RUNNABLE ||
			    (go->state &&
			     (!strcmp(go->state, "running") || !strcmp(go->state, "runnable"))) ||
			    (g && g->status == GPM_G_RUNNING);
			if (running) {
				fx_moving++;
				continue;
			}
			char why[512];
			fx_total++;
			if (compare(o, go, inc, g, why, sizeof(why))) {
				fx_matched++;
				continue;
			}
			bad++;
			fprintf(stderr, "gcore: %s: goroutine %llu: %s\n", fx[i].dir,
			        (unsigned long long)go->id, why);
		}
		fprintf(stderr,
		        "gcore: %-60s %zu/%zu parked goroutines match, %zu running not compared\n",
		        fx[i].dir, fx_matched, fx_total, fx_moving);
		ck_assert_msg(fx_total > 0, "%s: no parked goroutines in the traceback", fx[i].dir);
		total += fx_total;
		matched += fx_matched;
		moving += fx_moving;
		gpm_incident_destroy(inc);
		gpm_process_destroy(p);
		for (size_t s = 0; s < nsnaps; s++)
			gpm_incident_destroy(snaps[s]);
		free(snaps);
		gpm_source_destroy(src);
	}
	fprintf(stderr,
	        "gcore: %zu snapshots, %zu/%zu parked goroutines match (%zu running), arguments "
	        "of %zu/%zu frames equal\n",
	        snapshots, matched, total, moving, args_equal, args_compared);
	free(fx);
	ck_assert_msg(snapshots > 0, "no gcore fixtures under testdata/cores");
	ck_assert_msg(bad == 0, "%zu parked goroutines differ from the runtime", bad);
}
END_TEST

/*
 * What `gopm info` reports, checked per fixture: the Go version and signal the generator
 * recorded, and for crashes the crashing goroutine and its innermost user frame, which must
 * be those of the goroutine the runtime printed first.
 */
static void check_info(const char *sub)
{
	struct fixture *fx;
	size_t nfx = list_fixtures(sub, &fx);
	size_t crashes = 0;
	for (size_t i = 0; i < nfx; i++) {
		char want_go[64], want_sig[32], path[600];
		snprintf(path, sizeof(path), "%s/core.zst", fx[i].dir);
		struct gpm_process_options po = {.exe_path = fx[i].exe};
		struct gpm_process *p;
		struct gpm_error *err = gpm_process_open(path, &po, &p);
		ck_assert_msg(!err, "%s: %s", path, err ? err->message : "");
		if (gpm_test_meta(fx[i].dir, "go", want_go, sizeof(want_go)))
			ck_assert_msg(!strcmp(p->img->go_version, want_go), "%s: go %s, want %s",
			              fx[i].dir, p->img->go_version, want_go);
		const struct gpm_core_siginfo *si = gpm_core_siginfo(p->core);
		ck_assert_ptr_nonnull(si);
		if (gpm_test_meta(fx[i].dir, "signal", want_sig, sizeof(want_sig)))
			ck_assert_msg(!strcmp(want_sig, "SIGABRT") ? si->signo == 6 : true,
			              "%s: signal %d, want %s", fx[i].dir, si->signo, want_sig);

		char name[128] = "stderr.txt";
		gpm_test_meta(fx[i].dir, "stderr", name, sizeof(name));
		snprintf(path, sizeof(path), "%s/%s", fx[i].dir, name);
		struct gpm_source *src;
		ck_assert_ptr_null(gpm_source_open(path, &src));
		struct gpm_incident **snaps;
		size_t nsnaps;
		ck_assert_ptr_null(gpm_dump_parse_all((const char *)src->data, src->size, path,
		                                      NULL, &snaps, &nsnaps));
		struct gpm_incident *inc;
		ck_assert_ptr_null(gpm_goroutines_read(p, NULL, &inc));
		const struct gpm_incident *o = snaps[0];
		if (o->crash.kind == GPM_FATAL_PANIC && o->goroutines.len) {
			// A panic: the runtime prints the panicking goroutine first; the core's
			// signal thread must run that goroutine, stopped in the same user frame.
			const struct gpm_goroutine *go = &o->goroutines.v[0];
			ck_assert_msg(inc->goroutines.len &&
			                  inc->goroutines.v[0].flags & GPM_GOROUTINE_CURRENT,
			              "%s: no crashing goroutine found", fx[i].dir);
			const struct gpm_goroutine *g = &inc->goroutines.v[0];
			ck_assert_msg(g->id == go->id,
			              "%s: crashed goroutine %llu, runtime says %llu", fx[i].dir,
			              (unsigned long long)g->id, (unsigned long long)go->id);
			const struct gpm_frame *uf = gpm_goroutine_user_frame(inc, g),
			                       *uo = gpm_goroutine_user_frame(o, go);
			if (uo) {
				ck_assert_msg(uf && same_frame(uf, uo),
				              "%s: crashed in %s:%u, runtime says %s:%u", fx[i].dir,
				              uf ? uf->func : "?", uf ? uf->line : 0, uo->func,
				              uo->line);
				crashes++;
			}
		}
		gpm_incident_destroy(inc);
		for (size_t s = 0; s < nsnaps; s++)
			gpm_incident_destroy(snaps[s]);
		free(snaps);
		gpm_source_destroy(src);
		gpm_process_destroy(p);
	}
	fprintf(stderr, "info: %s: %zu fixtures, %zu crash sites checked\n", sub, nfx, crashes);
	free(fx);
}

START_TEST(info_facts_match_each_fixture)
{
	check_info("cores");
}
END_TEST

START_TEST(info_facts_match_each_arm64_fixture)
{
	check_info("cores-arm64");
}
END_TEST

/*
 * printArgs on layouts the fixtures rarely hold: an offset too large ('_'), values of 1,
 * 2 and 4 bytes (the low bytes of the 8-byte word), nested aggregates, '...' past the
 * limit, and liveness (a spill slot whose bit is clear gets '?', offsets below startOffset
 * are always live); and an unreadable word, which appends nothing.
 */
static uint8_t fake_mem[64 + 16];

static bool fake_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	(void)ctx;
	if (addr < 0x1000 || addr - 0x1000 > sizeof(fake_mem) || len > sizeof(fake_mem) ||
	    addr - 0x1000 + len > sizeof(fake_mem))
		return false;
	memcpy(buf, fake_mem + (addr - 0x1000), len);
	return true;
}

START_TEST(arglayout_prints_as_print_args)
{
	for (size_t i = 0; i < 64; i++)
		fake_mem[i] = (uint8_t)(0x10 + i);
	// Liveness at 0x1040: startOffset 8, then at index 1 the bits of slots 0..: slot 0
	// (offset 8) live, slot 1 (offset 16) dead.
	fake_mem[64] = 8;
	fake_mem[65] = 0x01;
	struct gpm_arglayout l = {.start_off = 0xff, .live_idx = -1};
	static const uint8_t prog[] = {0x00, 8,    0xfe, 0x08, 1,    0xfe, 0x10, 2,
	                               0xfd, 0x18, 4,    0xfd, 0xfb, 0xfc, 0xff};
	memcpy(l.prog, prog, sizeof(prog));
	l.len = sizeof(prog);
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	ck_assert_ptr_null(gpm_arglayout_print(&l, 0x1000, fake_read, NULL, &sb));
	ck_assert_str_eq(gpm_strbuf_str(&sb),
	                 "0x1716151413121110, {0x18, {0x2120}, 0x2b2a2928}, _, ...");
	// With liveness: offsets 8 and 16 are spill slots 0 and 1.
	static const uint8_t prog2[] = {0x00, 8, 0x08, 8, 0x10, 8, 0xff};
	memcpy(l.prog, prog2, sizeof(prog2));
	l.len = sizeof(prog2);
	l.live_addr = 0x1040;
	l.live_idx = 1;
	l.start_off = 8;
	gpm_strbuf_reset(&sb);
	ck_assert_ptr_null(gpm_arglayout_print(&l, 0x1000, fake_read, NULL, &sb));
	ck_assert_str_eq(gpm_strbuf_str(&sb),
	                 "0x1716151413121110, 0x1f1e1d1c1b1a1918, 0x2726252423222120?");
	// A size of 0 (no compiler writes one): Go's 64-bit shift leaves 0.
	static const uint8_t prog3[] = {0x00, 0, 0xff};
	struct gpm_arglayout z = {.start_off = 0xff, .live_idx = -1, .len = sizeof(prog3)};
	memcpy(z.prog, prog3, sizeof(prog3));
	gpm_strbuf_reset(&sb);
	ck_assert_ptr_null(gpm_arglayout_print(&z, 0x1000, fake_read, NULL, &sb));
	ck_assert_str_eq(gpm_strbuf_str(&sb), "0x0");
	// Index 0: no liveness at this pc, all live.
	l.live_idx = 0;
	gpm_strbuf_reset(&sb);
	ck_assert_ptr_null(gpm_arglayout_print(&l, 0x1000, fake_read, NULL, &sb));
	ck_assert_ptr_null(strchr(gpm_strbuf_str(&sb), '?'));
	// A word beyond what is readable: an error, and the buffer as it was.
	gpm_strbuf_reset(&sb);
	gpm_strbuf_puts(&sb, "f(");
	struct gpm_error *err = gpm_arglayout_print(&l, 0x1050, fake_read, NULL, &sb);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, GPM_ERR_FAULT);
	gpm_error_destroy(err);
	ck_assert_str_eq(gpm_strbuf_str(&sb), "f(");
	gpm_strbuf_deinit(&sb);
}
END_TEST

Suite *goroutines_suite(void)
{
	Suite *s = suite_create("goroutines");
	TCase *tc = tcase_create("oracle");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, every_fixture_matches_the_runtime_traceback);
	tcase_add_test(tc, info_facts_match_each_fixture);
	tcase_add_test(tc, every_gcore_snapshot_matches_the_traceback_of_right_after);
	tcase_add_test(tc, every_arm64_fixture_matches_the_runtime_traceback);
	tcase_add_test(tc, info_facts_match_each_arm64_fixture);
	tcase_add_test(tc, every_parked_goroutine_prints_as_the_runtime_printed_it);
	tcase_add_test(tc,
	               every_parked_goroutine_of_the_other_trees_prints_as_the_runtime_printed_it);
	tcase_add_test(tc, every_parked_arm64_goroutine_prints_as_the_runtime_printed_it);
	suite_add_tcase(s, tc);
	tc = tcase_create("arglayout");
	tcase_add_test(tc, arglayout_prints_as_print_args);
	suite_add_tcase(s, tc);
	return s;
}
