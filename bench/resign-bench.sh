#!/bin/sh
# resign-bench.sh GOPM [STACKS...]
# gopm resign on archives of many distinct stacks: for each N (default 100000 1000000), a
# goroutine dump of N goroutines, each blocked in its own function (N distinct stacks of 3
# frames, goroutines created by one of 64 functions), is generated, ingested into a new
# archive, and `gopm resign` is timed on it (wall seconds, one run). Linear means the
# per-stack time stays flat as N grows. Not part of make check; figures in
# doc/performance.md. Build GOPM without sanitizers (CFLAGS=-O2) for meaningful figures.
set -eu
gopm=${1:?usage: resign-bench.sh GOPM [STACKS...]}
shift
[ $# -gt 0 ] || set -- 100000 1000000
tmp=${TMPDIR:-/tmp}/gopm-resign-bench.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
now() { date +%s.%N; }
printf '%10s %12s %12s %14s\n' stacks ingest_s resign_s us_per_stack
for n in "$@"; do
	awk -v n="$n" 'BEGIN {
		print "goroutine profile: total " n
		print "panic: bench"
		print ""
		for (i = 1; i <= n; i++) {
			printf "goroutine %d [chan receive]:\n", i
			printf "main.wait%d(0x%x)\n\t/src/app/w.go:%d +0x25\n", i, i, i % 1000 + 1
			printf "main.step%d()\n\t/src/app/s.go:%d +0x1f\n", i % 97, i % 89 + 1
			printf "main.run()\n\t/src/app/main.go:12 +0x11\n"
			printf "created by main.spawn%d in goroutine 1\n\t/src/app/main.go:%d +0x30\n\n", i % 64, i % 64 + 20
		}
	}' | sed 1d >"$tmp/dump.txt"
	rm -f "$tmp/a.db"*
	t0=$(now)
	"$gopm" ingest --db "$tmp/a.db" "$tmp/dump.txt" >/dev/null 2>&1
	t1=$(now)
	"$gopm" resign --db "$tmp/a.db" >/dev/null
	t2=$(now)
	awk -v n="$n" -v a="$t0" -v b="$t1" -v c="$t2" \
		'BEGIN { printf "%10d %12.2f %12.2f %14.2f\n", n, b - a, c - b, (c - b) * 1e6 / n }'
done
