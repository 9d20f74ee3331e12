#!/bin/sh
# CLI tests of `gopm heap`: a core (text, JSON, --store into a fresh archive), a heap dump,
# pprof profiles (gzip'd proto and debug=1 text), and bad input with its documented exit
# status and a one-line error. Needs zstd.
set -u
: "${GOPM:?}" "${top_srcdir:?}"
td=$top_srcdir/testdata
core=$td/cores/go1.27-heapfix-stripped/core.zst
exe=$td/exe/go1.27-heapfix-stripped.zst
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
n=0

. "$top_srcdir/tests/cli/expect.sh"
# has PATTERN DESCRIPTION: the last output has a line matching PATTERN
has() {
	n=$((n + 1))
	if grep -q -E "$1" "$tmp/out"; then echo "ok: $2"; else echo "FAIL: $2"; fail=$((fail + 1)); fi
}
# hasnt PATTERN DESCRIPTION: no line of the last output matches PATTERN
hasnt() {
	n=$((n + 1))
	if grep -q -E "$1" "$tmp/out"; then echo "FAIL: $2"; fail=$((fail + 1)); else echo "ok: $2"; fi
}

expect 0 0 "heap of a core" -- heap --exe "$exe" "$core"
has '^  ok   heap span pages \(mheap_.pagesInUse\): gopm [0-9]+, runtime [0-9]+$' "pagesInUse reconciled"
has '^ +192000 +300 +300 +192000  main.bigRecord$' "300 main.bigRecord by bytes, all reachable, retaining themselves"
has '^types: .*typed by allocation headers' "typed share reported"
has '^what keeps it alive:$' "retention section"
has '^ +1024\.0 KiB +[0-9.]+% +1  0x[0-9a-f]+ \(\.bss\) \(global at 0x[0-9a-f]+\)$' "a stripped global retains the 1 MiB buffer (untyped: no DWARF, no header)"
has '^  why main\.bigRecord is alive' "path to the records"
has '\(global at 0x[0-9a-f]+\), holding \[\]\*main\.bigRecord \(187\.0 KiB\)$' "the records' global holds their slice"
has '^      -> \[\]\*main\.bigRecord at 0x[0-9a-f]+, pointer at \+0x[0-9a-f]+$' "the path goes through the slice"
has ', 0 word by word' "every object scanned exactly (Go 1.27)"
expect 0 0 "heap --no-retention" -- heap --no-retention --exe "$exe" "$core"
has '^ +192000 +300  main.bigRecord$' "no retention columns"
hasnt '^what keeps it alive' "no retention section"
expect 0 0 "heap --json" -- heap --json --top 3 --exe "$exe" "$core"
has '"within_1_percent": true' "JSON reconciliation"
has '"type": "main.blob"' "JSON types"
has '"retention": \{' "JSON retention"
has '"objects_conservative": 0' "JSON: nothing scanned word by word"
expect 0 1 "heap --store into a new archive" -- heap --db "$tmp/a.db" --exe "$exe" "$core"
expect 0 0 "stored heap types" -- sql --db "$tmp/a.db" "select type, count from heap_types where type = 'main.bigRecord'"
has 'main.bigRecord +300' "heap_types row"
expect 0 0 "stored types add up to the heap" -- sql --db "$tmp/a.db" "select (select sum(count) from heap_types) = (select objects from heap_summaries), (select sum(bytes) from heap_types) = (select bytes from heap_summaries)"
has '^ *1 +1 *$' "typed + inferred + untyped = all objects and bytes"
expect 0 0 "heap of a heap dump" -- heap "$td/heapdumps/go1.19-heapfix.dump.zst"
has 'equal: [0-9]+ objects' "dump equals its memstats (Go 1.19)"
expect 0 0 "heap dump with its executable" -- heap --exe "$td/exe/go1.27-heapfix-dwarf.zst" "$td/heapdumps/go1.27-heapfix.dump.zst"
has '^ +192000 +300  main.bigRecord$' "dump types from allocation headers"
expect 0 0 "heap of a gzip'd profile" -- heap "$td/pprof/go1.22-heapfix.pb.gz"
has 'main.build .*main.go:86$' "profile sites"
expect 0 0 "heap of a debug=1 profile" -- heap --json "$td/pprof/go1.22-heapfix.debug1.txt.zst"
has '"format": "pprof-debug1"' "debug=1 format"

printf 'hello\n' >"$tmp/junk"
expect 4 1 "junk input" -- heap "$tmp/junk"
head -c 5000 "$(dirname "$core")/stderr.txt" >"$tmp/text"
expect 4 1 "a goroutine dump is not a heap input" -- heap "$tmp/text"
printf 'go1.7 heap dump\n\377' >"$tmp/bad.dump"
expect 4 1 "corrupt heap dump" -- heap "$tmp/bad.dump"
printf 'heap profile:    1:   262144 [     1:   262144] @ heapprofile\n' >"$tmp/cxx.heap"
expect 4 1 "a C++ (gperftools) heap profile is not Go's" -- heap "$tmp/cxx.heap"
has_err() {
	n=$((n + 1))
	if grep -q "$1" "$tmp/err"; then echo "ok: $2"; else echo "FAIL: $2"; fail=$((fail + 1)); fi
}
has_err 'C++ heap profile' "C++ profile named"
expect 0 0 "a default-rate debug=1 profile, unsampled as pprof does" -- heap "$td/pprof/go1.27-heaprate-default.debug1.txt.zst"
has '^in use: +186605 objects, 67622659 bytes$' "go tool pprof -raw totals"
expect 3 1 "missing file" -- heap "$tmp/nope"
expect 2 - "no input" -- heap
expect 2 - "bad --top" -- heap --top x "$core"

echo "$n checks, $fail failed"
[ "$fail" -eq 0 ]
