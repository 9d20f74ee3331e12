/*
 * Benchmark of the goroutine-dump reader: generates a pprof debug=2 style dump of N
 * goroutines (default 100,000, ~32 MB) over a few hundred distinct stacks with per-goroutine
 * argument values (as real dumps have), then times parse + group on one core and reports
 * MiB/s and peak RSS. The first run is reported apart: it pays for fresh model memory,
 * later runs in the same process reuse what malloc kept. Argument texts are read from the
 * generated text in place (borrow_text), as gopm does with its input. No Go toolchain
 * needed.
 *
 *   dump_bench [-n GOROUTINES] [-s STACKS] [-r REPEAT] [-o FILE]   (-o: write the dump and exit)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "base/strbuf.h"
#include "dump/dump.h"
#include "model/group.h"

static const char *states[] = {"chan receive",    "select", "IO wait",  "semacquire",
                               "sync.Mutex.Lock", "sleep",  "runnable", "syscall"};
static const char *pkgs[] = {"main",     "example.com/srv/handler", "example.com/srv/store",
                             "net/http", "example.com/srv/rpc",     "database/sql"};

static void gen(struct gpm_strbuf *sb, unsigned n, unsigned nstacks)
{
	unsigned long long seed = 42;
#define RND()                                                                                      \
	(seed = seed * 6364136223846793005ULL + 1442695040888963407ULL, (unsigned)(seed >> 33))
	gpm_strbuf_puts(
	    sb, "goroutine 1 [running]:\nruntime/pprof.writeGoroutineStacks({0x7f1e40, "
	        "0xc000184000})\n\t/usr/lib/go-1.22/src/runtime/pprof/pprof.go:703 +0x6a\n");
	for (unsigned g = 0; g < n; g++) {
		unsigned s = (unsigned)((RND() % 1000) * (RND() % 1000) / 1000) % nstacks; // skewed
		gpm_strbuf_printf(sb, "\ngoroutine %u [%s", g + 2, states[s % 8]);
		if (s % 3 == 0)
			gpm_strbuf_printf(sb, ", %u minutes", 1 + RND() % 90);
		gpm_strbuf_puts(sb, "]:\n");
		gpm_strbuf_printf(sb,
		                  "runtime.gopark(0x%x?, 0xc%09x?, 0x0?, 0x0?, 0x0?)\n"
		                  "\t/usr/lib/go-1.22/src/runtime/proc.go:402 +0xce\n",
		                  0x4a0000 + s, RND() & 0xfffffff);
		unsigned depth = 1 + s % 2;
		for (unsigned d = 0; d < depth; d++) {
			const char *pkg = pkgs[(s + d) % 6];
			gpm_strbuf_printf(sb,
			                  "%s.(*Service%u).handle%u(0xc%09x, {0x%x, 0x%x})\n"
			                  "\t/build/src/%s/service%u.go:%u +0x%x\n",
			                  pkg, s % 17, d, RND() & 0xfffffff, 0x9c0000 + d, 10 + d,
			                  pkg, s % 17, 40 + (s * 7 + d * 13) % 900,
			                  0x20 + (s + d) % 0x300);
		}
		gpm_strbuf_printf(sb,
		                  "created by %s.(*Server%u).Serve in goroutine %u\n"
		                  "\t/build/src/%s/server.go:%u +0x%x\n",
		                  pkgs[s % 6], s % 5, 1 + s % 4, pkgs[s % 6], 100 + s % 50, 0x1a5);
	}
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct acc {
	size_t goroutines, stacks, groups;
	double group_s;
};

static struct gpm_error *each(struct gpm_incident *inc, void *arg)
{
	struct acc *a = arg;
	double t = now();
	struct gpm_grouping g;
	struct gpm_error *err = gpm_group_goroutines(inc, GPM_GROUP_NO_ARGS, &g);
	a->group_s += now() - t;
	if (!err) {
		a->groups = g.ngroups;
		gpm_grouping_deinit(&g);
	}
	a->goroutines += inc->goroutines.len;
	a->stacks += inc->stacks.len;
	gpm_incident_destroy(inc);
	return err;
}

int main(int argc, char **argv)
{
	unsigned n = 100000, nstacks = 300, repeat = 5;
	const char *out = NULL;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "-n"))
			n = (unsigned)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "-s"))
			nstacks = (unsigned)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "-r"))
			repeat = (unsigned)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "-o"))
			out = argv[i + 1];
	}
	// The text in one block allocated up front, as an input file is: grown by realloc, the
	// buffer's pages move, and the first parse of moved pages ran ~20 ms slower on the VM
	// (user time, not page faults): a cost of that buffer, not of the parser.
	struct gpm_strbuf sb = GPM_STRBUF_INIT;
	sb.cap = (size_t)n * 512 + 4096;
	if (!(sb.buf = malloc(sb.cap)))
		return 1;
	gen(&sb, n, nstacks ? nstacks : 1);
	if (out) {
		FILE *f = fopen(out, "w");
		if (!f || fwrite(sb.buf, 1, sb.len, f) != sb.len || fclose(f))
			return 1;
		return 0;
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	long rss_before = ru.ru_maxrss;
	double best = 1e9, first = 0;
	struct acc a = {0};
	struct gpm_dump_options opts = {.borrow_text = true}; // sb outlives every incident
	for (unsigned r = 0; r < (repeat ? repeat : 1); r++) {
		memset(&a, 0, sizeof(a));
		double t = now();
		struct gpm_error *err = gpm_dump_parse(sb.buf, sb.len, "bench", &opts, each, &a);
		double dt = now() - t;
		if (err) {
			fprintf(stderr, "dump_bench: %s\n", err->message);
			return 1;
		}
		if (!r)
			first = dt;
		if (dt < best)
			best = dt;
	}
	getrusage(RUSAGE_SELF, &ru);
	double mib = sb.len / 1048576.0;
	printf("input            %.1f MiB, %zu goroutines, %zu distinct stacks, %zu groups\n", mib,
	       a.goroutines, a.stacks, a.groups);
	printf("parse+group      %.1f ms (best of %u)  ->  %.0f MiB/s\n", best * 1e3, repeat,
	       mib / best);
	printf("  first run      %.1f ms  ->  %.0f MiB/s\n", first * 1e3, mib / first);
	printf("  of which group %.1f ms\n", a.group_s * 1e3);
	printf("peak RSS         %.1f MiB total, %.1f MiB above the generated input\n",
	       ru.ru_maxrss / 1024.0, (ru.ru_maxrss - rss_before) / 1024.0);
	gpm_strbuf_deinit(&sb);
	return 0;
}
