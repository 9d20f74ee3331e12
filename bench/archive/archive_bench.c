/*
 * Archive benchmark: ingest rate for the first 1,000 incidents and for growing the archive
 * to 10,000, then the latency of each listed query on the 10,000-incident archive (median
 * and worst of 20 runs; target < 50 ms each). Incidents are the committed goroutine-dump
 * fixtures, stored under distinct made-up artifact hashes with times spread over 90 days.
 *
 *   archive_bench TESTDATA_DUMPS_DIR [DB]
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/source.h"
#include "dump/dump.h"
#include "store/store.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(struct gpm_error *err, const char *what)
{
	if (err) {
		fprintf(stderr, "archive_bench: %s: %s\n", what, err->message);
		exit(1);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

typedef struct gpm_error *(*query_fn)(struct gpm_store *, const void *, struct gpm_store_table *);

struct query {
	const char *name;
	struct gpm_store_filter f;
	int kind; /* 0 incidents, 1 clusters, 2 search, 3 facts, 4 groups */
	const char *text;
};

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: archive_bench TESTDATA_DUMPS_DIR [DB]\n");
		return 2;
	}
	const char *db = argc > 2 ? argv[2] : "/tmp/gopm-archive-bench.db";
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s-wal' '%s-shm'", db, db, db);
	if (system(cmd))
		return 1;
	// Fixture incidents.
	struct gpm_incident **incs = NULL;
	size_t ninc = 0;
	DIR *d = opendir(argv[1]);
	if (!d) {
		perror(argv[1]);
		return 1;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "go1.", 4) || !strstr(de->d_name, ".txt"))
			continue;
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", argv[1], de->d_name);
		struct gpm_source *src;
		if (gpm_source_open(path, &src))
			continue;
		struct gpm_incident **v;
		size_t n;
		struct gpm_error *err =
		    gpm_dump_parse_all((const char *)src->data, src->size, path, NULL, &v, &n);
		gpm_source_destroy(src);
		if (err) {
			gpm_error_destroy(err);
			continue;
		}
		incs = realloc(incs, (ninc + n) * sizeof(*incs));
		memcpy(incs + ninc, v, n * sizeof(*v));
		ninc += n;
		free(v);
	}
	closedir(d);
	if (!ninc) {
		fprintf(stderr, "archive_bench: no dumps in %s\n", argv[1]);
		return 1;
	}
	size_t goroutines = 0;
	for (size_t i = 0; i < ninc; i++)
		goroutines += incs[i]->goroutines.len;
	printf("fixtures: %zu incidents, %.1f goroutines on average\n", ninc,
	       (double)goroutines / ninc);
	struct gpm_store *st;
	die(gpm_store_open(db, NULL, &st), "open");
	int64_t t0 = (int64_t)time(NULL);
	double start = now_ms(), at1000 = 0;
	// GOPM_BENCH_INCIDENTS: how many to store (default 10,000; bench/tui-bench.sh: 100,000).
	const char *env = getenv("GOPM_BENCH_INCIDENTS");
	int n = env && atoi(env) >= 1000 ? atoi(env) : 10000;
	for (int i = 0; i < n; i++) {
		struct gpm_store_artifact art = {.path = "bench", .size = 1};
		snprintf(art.sha256, sizeof(art.sha256), "%064x", i + 1);
		art.mtime = t0 - (int64_t)(i % 90) * 86400 - i;
		int64_t id;
		die(gpm_store_ingest(st, incs[i % ninc], &art, NULL, &id), "ingest");
		if (i == 999) {
			at1000 = now_ms() - start;
			printf("ingest 1,000 incidents: %.2f s (%.0f incidents/s)\n", at1000 / 1e3,
			       1000 / (at1000 / 1e3));
		}
	}
	double total = now_ms() - start;
	printf("ingest %d incidents: %.2f s (%.0f incidents/s; incidents 1,001-%d at "
	       "%.0f/s)\n",
	       n, total / 1e3, n / (total / 1e3), n, (n - 1000) / ((total - at1000) / 1e3));
	gpm_store_close(st);
	struct stat sb;
	if (!stat(db, &sb))
		printf("archive size: %.1f MB\n", sb.st_size / 1e6);
	struct gpm_store_options ro = {.readonly = true};
	die(gpm_store_open(db, &ro, &st), "open read-only");
	struct query qs[] = {
	    {"incidents (newest 100)", {0}, 0, NULL},
	    {"incidents --since 7d", {.since = t0 - 7 * 86400}, 0, NULL},
	    {"incidents --since 30d --until 7d",
	     {.since = t0 - 30 * 86400, .until = t0 - 7 * 86400},
	     0,
	     NULL},
	    {"incidents --go go1.22", {.go = "go1.22"}, 0, NULL},
	    {"incidents --exe hang", {.exe = "hang"}, 0, NULL},
	    {"incidents --finding deadlock", {.finding = "deadlock"}, 0, NULL},
	    {"incidents --cluster 1", {.cluster = 1}, 0, NULL},
	    {"incidents --limit -1 (all 10,000)", {.limit = -1}, 0, NULL},
	    {"clusters", {0}, 1, NULL},
	    {"clusters --since 7d", {.since = t0 - 7 * 86400}, 1, NULL},
	    {"search 'nil pointer dereference'", {0}, 2, "nil pointer dereference"},
	    {"search chanSend (function name)", {0}, 2, "chanSend"},
	    {"show 5000 (facts)", {0}, 3, NULL},
	    {"show 5000 (groups)", {0}, 4, NULL},
	};
	printf("\n%-36s %10s %10s %6s\n", "query on 10,000 incidents", "median ms", "max ms",
	       "rows");
	for (size_t q = 0; q < sizeof(qs) / sizeof(qs[0]); q++) {
		double ms[20];
		size_t rows = 0;
		for (int r = 0; r < 20; r++) {
			struct gpm_store_table t;
			double a = now_ms();
			struct gpm_error *err = NULL;
			switch (qs[q].kind) {
			case 0:
				err = gpm_store_incidents(st, &qs[q].f, &t);
				break;
			case 1:
				err = gpm_store_clusters(st, &qs[q].f, &t);
				break;
			case 2:
				err = gpm_store_search(st, qs[q].text, false, 0, &t);
				break;
			case 3:
				err = gpm_store_incident_facts(st, 5000, &t);
				break;
			default:
				err = gpm_store_incident_groups(st, 5000, 10, &t);
				break;
			}
			ms[r] = now_ms() - a;
			die(err, qs[q].name);
			rows = t.nrows;
			gpm_store_table_deinit(&t);
		}
		qsort(ms, 20, sizeof(ms[0]), cmp_double);
		printf("%-36s %10.2f %10.2f %6zu\n", qs[q].name, (ms[9] + ms[10]) / 2, ms[19],
		       rows);
	}
	gpm_store_close(st);
	for (size_t i = 0; i < ninc; i++)
		gpm_incident_destroy(incs[i]);
	free(incs);
	return 0;
}
