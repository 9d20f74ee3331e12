#!/bin/sh
# tui-bench.sh BUILD_DIR: how long gopm tui takes per key (GOPM_TUI_TIMING) on
#  - an archive of 100,000 incidents (bench/archive-bench.sh with GOPM_BENCH_INCIDENTS):
#    first screen, G, a / search without a match, the clusters list and its preview, G and
#    k in another sort;
#  - an incident of 1,000,000 goroutines (a goroutine dump written here: 8 stacks, the
#    largest group 500,000 goroutines): first screen, the incident, its largest group, G in
#    it, / searches (no match, a goroutine id, a top frame), the previews.
# Configure BUILD_DIR without sanitizers (CFLAGS=-O2). Figures are in doc/performance.md.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: tui-bench.sh BUILD_DIR}" && pwd)
gopm=$build/gopm
tmp=${TMPDIR:-/tmp}/gopm-tui-bench.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT INT TERM
export LC_ALL=C.UTF-8 TERM=xterm

# timing NAME KEYS ARGS...: runs a script and prints each key's handle+draw time.
timing() {
	name=$1 keys=$2
	shift 2
	printf '%s' "$keys" >"$tmp/keys"
	GOPM_TUI_TIMING=$tmp/timing "$gopm" tui --script "$tmp/keys" "$@" >/dev/null
	echo "== $name"
	cat "$tmp/timing"
}

# GOPM_BENCH_DB: an archive of 100,000 incidents made before by archive-bench.sh (reused).
db=${GOPM_BENCH_DB:-$tmp/a.db}
if [ -z "${GOPM_BENCH_DB:-}" ]; then
	GOPM_BENCH_INCIDENTS=100000 sh "$here/archive-bench.sh" "$build" "$db" | grep -i 'ingest\|size'
fi
timing "100,000 incidents: first screen, G, g, / (no match), / (a match), n, preview focus" \
	"$(printf 'G\ng\n/no such text anywhere\nEnter\n/deadlock\nEnter\nn\nTab\nEnter\n')" --db "$db"
timing "100,000 incidents: clusters, G, preview" "$(printf 'c\nG\nj\ng\n')" --db "$db"
# Other sorts are read by keys too: G then k costs what g does.
timing "100,000 incidents sorted by executable: s, G, k, PgUp, g" \
	"$(printf 's\nG\nk\nPgUp\ng\n')" --db "$db"
timing "100,000 incidents, clusters sorted by last seen: c, s, G, k, PgUp, g" \
	"$(printf 'c\ns\nG\nk\nPgUp\ng\n')" --db "$db"

# A dump of 1,000,000 goroutines: 8 stacks of the program's code over sync and channels.
awk 'BEGIN {
	print "goroutine 1 [running]:\nmain.main()\n\t/app/main.go:10 +0x1d\n"
	split("chan receive|semacquire|select|IO wait|chan send|sleep|sync.Cond.Wait|semacquire", st, "|")
	for (i = 2; i <= 1000001; i++) {
		k = (i % 2) ? 1 : 2 + (i % 7)
		printf "goroutine %d [%s, %d minutes]:\n", i, st[k], 5 + k
		if (st[k] == "semacquire")
			printf "sync.runtime_SemacquireMutex(0xc0000a%04x?, 0x0?, 0x1?)\n\t/usr/lib/go/src/runtime/sema.go:77 +0x25\nsync.(*Mutex).lockSlow(0xc0000a0000)\n\t/usr/lib/go/src/sync/mutex.go:171 +0x165\n", k
		printf "main.worker%d(0x%x)\n\t/app/worker.go:%d +0x4a\ncreated by main.main\n\t/app/main.go:20 +0x2b\n\n", k, i, 30 + k
	}
}' >"$tmp/big.txt"
t0=$(date +%s)
"$gopm" ingest --db "$tmp/big.db" "$tmp/big.txt" >/dev/null 2>&1
echo "ingest of the 1,000,000-goroutine dump: $(($(date +%s) - t0)) s"
timing "1,000,000 goroutines: open, groups, largest group, G, g, / (no match), / (a goroutine id), PgDn x2, PgUp x6 (pages in the middle), / (a top frame), n" \
	"$(printf ':open 1\nEnter\nTab\nEnter\nG\ng\n/no such text\nEnter\n/777777\nEnter\nPgDn\nPgDn\nPgUp\nPgUp\nPgUp\nPgUp\nPgUp\nPgUp\n/worker1\nEnter\nn\n')" --db "$tmp/big.db"
timing "1,000,000 goroutines: incidents list with preview" "$(printf 'j\nk\n')" --db "$tmp/big.db"
