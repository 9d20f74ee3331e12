#!/bin/sh
# The workflow's regression scenario: one bug (a nil dereference) seen in builds A and B,
# resolved in B; seen again in build C -> `clusters` and `analyze` say regressed; the
# cluster's first build is A; every change is an event.
# Part 1: three releases of testdata/go/regress (testdata/gen/make-regress-fixtures.sh),
# whose executables' build info differ in vcs.revision and vcs.time; the dumps are
# ingested with their executable (--exe). Their crash times are in the reverse order of
# the releases, so only ordering builds by vcs.time gives the right answer.
# Part 2: dumps without build info, named with --build and ordered by first incident.
set -u
: "${GOPM:?}" "${top_srcdir:?}"
d=$top_srcdir/testdata/dumps
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
db=$tmp/a.db
fail=0
say() { echo "FAIL: $*"; fail=$((fail + 1)); }

r=$top_srcdir/testdata/dumps/regress
x=$top_srcdir/testdata/exe
rdb=$tmp/r.db
n=0
for rel in C B A; do
	n=$((n + 1))
	cp "$r/$rel.txt" "$tmp/r$rel.txt"
	TZ=UTC touch -d "2024-05-0$n 10:00:00" "$tmp/r$rel.txt"
done
for rel in A B; do
	"$GOPM" ingest --db "$rdb" --exe "$x/regress-$rel.zst" "$tmp/r$rel.txt" 2>/dev/null || say "ingest $rel"
done
rev() { "$GOPM" sql --db "$rdb" --csv "SELECT build FROM incidents i JOIN artifacts a ON a.id = \
i.artifact_id WHERE a.path LIKE '%r$1.txt' AND vcs_time IS NOT NULL" | tail -n +2 | tr -d '\r'; }
ra=$(rev A) rb=$(rev B)
echo "$ra" | grep -q -E '^[0-9a-f]{40}$' || say "build A is no vcs revision: $ra"
[ "$ra" != "$rb" ] || say "A and B have the same build"
rc=$("$GOPM" sql --db "$rdb" --csv "SELECT DISTINCT cluster_id FROM signatures" | tail -n +2 | tr -d '\r')
"$GOPM" cluster resolve "$rc" "$rb" --by tester --db "$rdb" >"$tmp/out" || say "resolve (vcs)"
grep -q "first in build $ra; resolved in $rb on " "$tmp/out" || say "resolve (vcs): $(cat "$tmp/out")"
"$GOPM" ingest --db "$rdb" --exe "$x/regress-C.zst" "$tmp/rC.txt" 2>/dev/null || say "ingest C"
rcc=$(rev C)
"$GOPM" clusters --db "$rdb" --csv >"$tmp/out" || say "clusters (vcs)"
grep -q "^$rc,3,.*,resolved,,$ra,$rcc," "$tmp/out" || say "clusters (vcs): $(tail -1 "$tmp/out")"
"$GOPM" analyze --db "$rdb" --exe "$x/regress-C.zst" "$tmp/rC.txt" >"$tmp/out" 2>/dev/null
grep -q "\*\*regressed\*\*: seen again in build $rcc on 2024-05-01T10:00:00Z" "$tmp/out" ||
	say "analyze (vcs): $(grep cluster "$tmp/out")"
"$GOPM" clusters --trend=build --db "$rdb" --csv >"$tmp/out" || say "trend (vcs)"
[ "$(tail -n +2 "$tmp/out" | cut -d, -f2 | tr -d '\r' | tr '\n' ' ')" = "$ra $rb $rcc " ] ||
	say "trend by build (vcs order): $(cat "$tmp/out")"

n=0
for b in A:go1.19 B:go1.22 C:go1.27; do
	n=$((n + 1))
	cp "$d/${b#*:}-nilderef-all.txt" "$tmp/${b%%:*}.txt"
	TZ=UTC touch -d "2024-05-0$n 10:00:00" "$tmp/${b%%:*}.txt"
done
"$GOPM" ingest --db "$db" --build A "$tmp/A.txt" 2>/dev/null || say "ingest A"
"$GOPM" ingest --db "$db" --build B "$tmp/B.txt" 2>/dev/null || say "ingest B"
c=$("$GOPM" sql --db "$db" --csv "SELECT DISTINCT cluster_id FROM signatures" | tail -n +2 | tr -d '\r')
[ "$(echo "$c" | wc -w)" -eq 1 ] || say "A and B are not one cluster: $c"

"$GOPM" cluster assign "$c" alice --by tester --db "$db" >"$tmp/out" || say "assign"
grep -q "investigating (alice)" "$tmp/out" || say "assign: $(cat "$tmp/out")"
"$GOPM" cluster link "$c" https://tracker.example/T-1 --by tester --db "$db" >/dev/null || say "link"
"$GOPM" cluster note "$c" "nil Config when the file is missing" --by tester --db "$db" >/dev/null || say "note"
"$GOPM" cluster resolve "$c" B --by tester --db "$db" >"$tmp/out" || say "resolve"
grep -q "first in build A; resolved (alice) in B on " "$tmp/out" || say "resolve: $(cat "$tmp/out")"
"$GOPM" clusters --db "$db" --csv >"$tmp/out" || say "clusters"
grep -q ",resolved,alice,A,,nil pointer" "$tmp/out" || say "clusters before C: $(tail -1 "$tmp/out")"
"$GOPM" cluster resolve 999 --db "$db" 2>/dev/null; [ $? -eq 6 ] || say "resolve of no cluster: not exit 6"
"$GOPM" cluster frobnicate "$c" --db "$db" 2>/dev/null; [ $? -eq 2 ] || say "unknown action: not exit 2"

# Build C: the bug is back.
"$GOPM" ingest --db "$db" --build C "$tmp/C.txt" 2>/dev/null || say "ingest C"
"$GOPM" clusters --db "$db" --csv >"$tmp/out" || say "clusters"
grep -q "^$c,3,.*,resolved,alice,A,C,nil pointer" "$tmp/out" || say "clusters after C: $(tail -1 "$tmp/out")"
"$GOPM" analyze --db "$db" "$tmp/C.txt" >"$tmp/out" 2>/dev/null
grep -q "resolved (alice) in B on .*; \*\*regressed\*\*: seen again in build C on 2024-05-03T10:00:00Z" "$tmp/out" ||
	say "analyze: $(grep cluster "$tmp/out")"
"$GOPM" cluster show "$c" --db "$db" >"$tmp/out" || say "show"
[ "$(grep -c '  tester  ' "$tmp/out")" -eq 4 ] || say "events: $(cat "$tmp/out")"
"$GOPM" clusters --trend=build --db "$db" --csv >"$tmp/out" || say "trend"
[ "$(tail -n +2 "$tmp/out" | cut -d, -f2 | tr -d '\r' | tr '\n' ' ')" = "A B C " ] || say "trend by build: $(cat "$tmp/out")"
"$GOPM" clusters --trend --db "$db" --csv >"$tmp/out" || say "trend"
[ "$(tail -n +2 "$tmp/out" | wc -l)" -eq 3 ] || say "trend by day: $(cat "$tmp/out")"

# Reopened, it is no longer a regression; resolved without a build, a later crash is.
"$GOPM" cluster reopen "$c" --by tester --db "$db" >"$tmp/out" || say "reopen"
grep -q "; investigating (alice); 1 note, 1 link$" "$tmp/out" || say "reopen: $(cat "$tmp/out")"
"$GOPM" resign --db "$db" >/dev/null || say "resign"
"$GOPM" cluster show "$c" --db "$db" >"$tmp/out" || say "show after resign"
grep -q "^cluster $c: seen 3 times" "$tmp/out" || say "cluster id not kept by resign: $(head -1 "$tmp/out")"

echo "archive regression: $fail failed"
[ "$fail" -eq 0 ]
