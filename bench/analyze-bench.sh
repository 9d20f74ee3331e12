#!/bin/sh
# analyze-bench.sh BUILD_DIR [GOROUTINES] [COPIES]
# End-to-end `gopm analyze` (storing into a new archive each run, and --no-store) beside
# the parser alone (`gopm goroutines --state` with a state no goroutine has: every
# goroutine is parsed and filtered out, nothing is printed) on two synthetic goroutine
# dumps of GOROUTINES (default 100,000), each alone and COPIES (default 8) concatenated
# (one snapshot per copy):
#  - "rules": shaped for the rules: 40 % of the goroutines wait in sync.(*Mutex).Lock on
#    mutexes shared by three (two at the first Lock of main.(*Store).Get, one at its second:
#    lock-order candidates), 30 % block on channels of their own, the rest sit in IO wait
#    and select (thousands of findings);
#  - "pprof": bench/dump/dump_bench.c's pprof debug=2 dump (300 distinct stacks with
#    per-goroutine argument values), the shape of a real server's dump.
# Prints wall time, CPU time (user + system), MiB/s of each and peak RSS (above the input)
# per command (/usr/bin/time), best of GOPM_BENCH_RUNS (default 3). With
# GOPM_BENCH_CORE=CORE (and GOPM_BENCH_EXE=EXE when the executable is not found from the
# core) also `gopm goroutines` and `gopm analyze` on that core (bench/make-big-core.sh
# makes a 1,000,000-goroutine one).
# Configure BUILD_DIR without sanitizers (CFLAGS="-O2 -g") for meaningful figures.
# panicparse (the peer for text dumps; Debian's panicparse, -parse=false -rebase=false) is
# run on the same files when installed, and its time and peak RSS printed as ratios to
# gopm analyze's.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build=${1:?usage: analyze-bench.sh BUILD_DIR [GOROUTINES] [COPIES]}
build=$(cd "$build" && pwd)
n=${2:-100000}
copies=${3:-8}
runs=${GOPM_BENCH_RUNS:-3}
tmp=${TMPDIR:-/tmp}/gopm-analyze-bench.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
awk -v n="$n" 'BEGIN {
	printf "goroutine 1 [running]:\nmain.main()\n\t/app/main.go:10 +0x1d\n";
	nm = int(n * 0.4 / 3);
	for (g = 0; g < n; g++) {
		id = g + 2; k = g % 10;
		if (k < 4) {
			m = int(g / 10) * 4 + k; mu = m % nm; second = (m % 3 == 2);
			printf "\ngoroutine %d [sync.Mutex.Lock, %d minutes]:\n", id, 1 + g % 30;
			printf "sync.runtime_SemacquireMutex(0xc%09x?, 0x0?, 0x1?)\n\t/usr/lib/go/src/runtime/sema.go:77 +0x25\n", 16777216 + mu * 64 + 8;
			printf "sync.(*Mutex).lockSlow(0xc%09x)\n\t/usr/lib/go/src/sync/mutex.go:171 +0x15d\n", 16777216 + mu * 64;
			printf "sync.(*Mutex).Lock(...)\n\t/usr/lib/go/src/sync/mutex.go:90\n";
			printf "main.(*Store).Get(0xc%09x, 0xc%09x, {0x4b2a10, 0x5})\n\t/app/store.go:%d +0x45\n", 16777216 + mu * 64, 16777216 + ((mu + 1) % nm) * 64, second ? 52 : 40;
			printf "main.handle(0xc%09x)\n\t/app/handler.go:%d +0x1f3\n", 33554432 + g * 32, 20 + g % 7;
			printf "created by main.serve in goroutine 1\n\t/app/server.go:30 +0x65\n";
		} else if (k < 7) {
			printf "\ngoroutine %d [chan receive, %d minutes]:\n", id, 1 + g % 50;
			printf "runtime.chanrecv1(0xc%09x, 0x0)\n\t/usr/lib/go/src/runtime/chan.go:442 +0x12\n", 67108864 + g * 96;
			printf "main.(*Client).wait.func1()\n\t/app/client.go:%d +0x38\n", 80 + g % 3;
			printf "created by main.(*Client).wait in goroutine %d\n\t/app/client.go:77 +0x9e\n", 1 + g % 5;
		} else if (k < 9) {
			printf "\ngoroutine %d [IO wait]:\n", id;
			printf "internal/poll.runtime_pollWait(0x7f%08x, 0x72)\n\t/usr/lib/go/src/runtime/netpoll.go:345 +0x85\n", g;
			printf "internal/poll.(*FD).Read(0xc%09x, {0xc%09x, 0x1000, 0x1000})\n\t/usr/lib/go/src/internal/poll/fd_unix.go:164 +0x27a\n", 100663296 + g * 128, 117440512 + g * 4096;
			printf "net.(*conn).Read(0xc%09x, {0xc%09x, 0x1000, 0x1000})\n\t/usr/lib/go/src/net/net.go:179 +0x45\n", 100663296 + g * 128, 117440512 + g * 4096;
			printf "main.(*peer).readLoop(0xc%09x)\n\t/app/peer.go:55 +0x10a\n", 134217728 + g * 64;
			printf "created by main.(*peer).start in goroutine 1\n\t/app/peer.go:40 +0x8b\n";
		} else {
			printf "\ngoroutine %d [select]:\n", id;
			printf "main.(*peer).writeLoop(0xc%09x)\n\t/app/peer.go:70 +0x1c5\n", 134217728 + g * 64;
			printf "created by main.(*peer).start in goroutine 1\n\t/app/peer.go:41 +0xd0\n";
		}
	}
}' >"$tmp/dump.txt"
${CC:-cc} -O2 -std=gnu11 -include "$build/config.h" -I"$top/src" -I"$build" \
	"$here/dump/dump_bench.c" "$build/libgopm.a" \
	$(sed -n 's/^[A-Z0-9]*_LIBS = \(-l.*\)/\1/p' "$build/Makefile" | grep -v check | tr '\n' ' ') -lm \
	-o "$tmp/dump_bench"
"$tmp/dump_bench" -n "$n" -o "$tmp/pprof.txt" >/dev/null
for shape in dump pprof; do
	i=0
	while [ "$i" -lt "$copies" ]; do cat "$tmp/$shape.txt"; i=$((i + 1)); done >"$tmp/$shape-x$copies.txt"
done

# measure LABEL FILE CMD...: best wall time of $runs runs, with its peak RSS, and the best
# CPU time (user + system) of the same runs: on a shared machine the CPU time is the
# figure that holds (a run that waited for a core has the same CPU time).
measure() {
	label=$1 file=$2
	shift 2
	best='' kib='' cpu=''
	i=0
	while [ "$i" -lt "$runs" ]; do
		/usr/bin/time -f "%e %M %U %S" -o "$tmp/t" "$@" >/dev/null 2>"$tmp/err" </dev/null || true
		read -r s k u y <"$tmp/t" || { cat "$tmp/t" "$tmp/err" >&2; return 0; }
		if [ -z "$best" ] || awk -v a="$s" -v b="$best" 'BEGIN { exit !(a < b) }'; then
			best=$s kib=$k
		fi
		c=$(awk -v u="$u" -v y="$y" 'BEGIN { printf "%.2f", u + y }')
		if [ -z "$cpu" ] || awk -v a="$c" -v b="$cpu" 'BEGIN { exit !(a < b) }'; then
			cpu=$c
		fi
		i=$((i + 1))
	done
	last_s=$best last_kib=$kib
	bytes=$(wc -c <"$file")
	awk -v l="$label" -v s="$best" -v c="$cpu" -v k="$kib" -v b="$bytes" 'BEGIN {
		mib = b / 1048576
		printf "%-44s %7.2f s %6.0f MiB/s  CPU %6.2f s %6.0f MiB/s  peak RSS %5.0f MiB (input %.0f MiB, %+.0f %%)\n",
		    l, s, (s > 0 ? mib / s : 0), c, (c > 0 ? mib / c : 0), k / 1024, mib, (k * 1024 / b - 1) * 100 }'
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $runs runs each, best shown"
for shape in dump pprof; do
	name=rules
	[ "$shape" = pprof ] && name=pprof
	for f in "$shape.txt" "$shape-x$copies.txt"; do
		measure "$name $f: parse only" "$tmp/$f" "$build/gopm" goroutines --state no-such-state "$tmp/$f"
		# With the archive (the default): a new archive each run, so every run stores.
		# shellcheck disable=SC2016
		measure "$name $f: analyze, stored" "$tmp/$f" \
		    sh -c 'rm -f "$1"*; exec "$2" analyze --db "$1" "$3"' sh "$tmp/archive.db" \
		    "$build/gopm" "$tmp/$f"
		measure "$name $f: analyze" "$tmp/$f" "$build/gopm" analyze --no-store "$tmp/$f"
		if command -v panicparse >/dev/null 2>&1; then
			gs=$last_s gk=$last_kib
			measure "$name $f: panicparse" "$tmp/$f" panicparse -parse=false -rebase=false "$tmp/$f"
			# The peer's whole run beside gopm analyze's whole run on the same file.
			awk -v l="$name $f" -v gs="$gs" -v gk="$gk" -v ps="$last_s" -v pk="$last_kib" 'BEGIN {
				printf "%-44s %7.1fx the time, %5.1fx the memory of gopm analyze\n",
				    l ": panicparse takes", (gs > 0 ? ps / gs : 0), (gk > 0 ? pk / gk : 0) }'
		fi
	done
done
command -v panicparse >/dev/null 2>&1 || echo "panicparse: not installed; only gopm's figures are shown"
if [ -n "${GOPM_BENCH_CORE:-}" ]; then
	exe=
	[ -n "${GOPM_BENCH_EXE:-}" ] && exe="--exe $GOPM_BENCH_EXE"
	# The core's pages count toward the input size, not toward what gopm keeps resident.
	# shellcheck disable=SC2086
	measure "core: goroutines" "$GOPM_BENCH_CORE" "$build/gopm" goroutines $exe "$GOPM_BENCH_CORE"
	# shellcheck disable=SC2086
	measure "core: analyze" "$GOPM_BENCH_CORE" "$build/gopm" analyze --no-store $exe "$GOPM_BENCH_CORE"
fi
