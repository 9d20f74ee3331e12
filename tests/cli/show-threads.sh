#!/bin/sh
# The threads of a core that run code that is not Go are kept in the archive (schema 9):
# `gopm show` prints them as `gopm analyze` printed them. For every native fixture of
# testdata/cgo (testdata/cgo/gen-native.sh: kernel cores, and gdb's snapshot of the hang),
# the THREADS IN C section of analyze's text equals show's (plain and --format text), and
# analyze --json's `threads` equal show --json's. gc keeps the threads' stacks while their
# incident is stored; rm takes the thread rows with the incident. An archive of schema 8
# (no thread rows) still reads: show prints no threads and says nothing is wrong, and it
# is migrated when next opened for writing. Needs zstd and python3 (its sqlite3 module).
set -u
: "${GOPM:?}" "${top_srcdir:?}"
td=$top_srcdir/testdata/cgo
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
n=0
unset GOPM_EXE_PATH DEBUGINFOD_URLS
XDG_CACHE_HOME=$tmp/cache
export XDG_CACHE_HOME
. "$top_srcdir/tests/cli/expect.sh"
command -v python3 >/dev/null 2>&1 || { echo "skip: no python3"; exit 77; }

bad() {
	echo "FAIL: $1"
	fail=$((fail + 1))
}
q() { # q DB SQL: one value
	"$GOPM" sql --db "$1" --csv "$2" | tr -d '\r' | tail -n 1
}
# The THREADS IN C section of $tmp/out, up to the archive's line ("stored in the archive as
# incident N", "already in ...") or the end, without its trailing blank lines.
section() {
	sed -n '/^THREADS IN C$/,/^[a-z]* in the archive as incident /p' "$tmp/out" |
		sed '/^[a-z]* in the archive as incident /d' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}
# The `threads` of the first snapshot of the JSON document in $tmp/out ("null": none).
threads_json() {
	python3 -c 'import json, sys
print(json.dumps(json.load(open(sys.argv[1]))["snapshots"][0].get("threads"), sort_keys=True))' "$tmp/out"
}

db=$tmp/a.db
checked=0 # cores whose threads were compared
id=0
for fx in "$td"/pie-go*-*; do
	[ -f "$fx/meta" ] || continue
	name=${fx##*/}
	zstd -qdcf "$td/$(sed -n 's/^exe=//p' "$fx/meta")" >"$tmp/exe"
	cores="$fx/core.zst"
	[ -f "$fx/gcore.zst" ] && cores="$cores $fx/gcore.zst"
	for core in $cores; do
		cname="$name/${core##*/}"
		id=$((id + 1))
		expect 0 - "$cname: analyze and store" -- analyze --db "$db" --exe "$tmp/exe" "$core"
		grep -q "^stored in the archive as incident $id " "$tmp/out" ||
			bad "$cname: not stored as incident $id"
		section >"$tmp/analyze.txt"
		nthreads=$(grep -c '^thread [0-9]' "$tmp/analyze.txt")
		[ "$nthreads" -ge 1 ] || bad "$cname: analyze lists no thread in C"
		expect 0 0 "$cname: show" -- show --db "$db" "$id"
		section >"$tmp/show.txt"
		cmp -s "$tmp/analyze.txt" "$tmp/show.txt" ||
			bad "$cname: show's threads differ from analyze's: $(diff "$tmp/analyze.txt" "$tmp/show.txt" | head -3)"
		expect 0 0 "$cname: show --format text" -- show --db "$db" --format text "$id"
		section >"$tmp/show.txt"
		cmp -s "$tmp/analyze.txt" "$tmp/show.txt" ||
			bad "$cname: show --format text's threads differ from analyze's"
		expect 0 - "$cname: analyze --json" -- analyze --json --no-store --exe "$tmp/exe" "$core"
		threads_json >"$tmp/analyze.json"
		expect 0 0 "$cname: show --json" -- show --db "$db" --json "$id"
		threads_json >"$tmp/show.json"
		[ "$(cat "$tmp/analyze.json")" != null ] || bad "$cname: analyze --json has no threads"
		cmp -s "$tmp/analyze.json" "$tmp/show.json" ||
			bad "$cname: show --json's threads differ from analyze --json's"
		[ "$(q "$db" "SELECT count(*) FROM threads WHERE incident_id = $id")" = "$nthreads" ] ||
			bad "$cname: $nthreads threads printed, not as many rows"
		checked=$((checked + 1))
	done
done
echo "$checked cores compared"
[ "$checked" -ge 6 ] || bad "only $checked native cores compared (want the 4 kernel cores and 2 gcores)"

# gc keeps the stacks of the stored threads: show prints the same frames after it.
expect 0 0 "show incident 1 before gc" -- show --db "$db" 1
section >"$tmp/before.txt"
expect 0 - "gc" -- gc --db "$db"
expect 0 0 "show incident 1 after gc" -- show --db "$db" 1
section >"$tmp/after.txt"
cmp -s "$tmp/before.txt" "$tmp/after.txt" || bad "gc lost the threads' stacks"
grep -q '^    gpm_native_wait_event$' "$tmp/after.txt" || bad "the C thread's frames are gone after gc"

# An archive as schema 8 left it: no threads table, user_version 8. Read-only commands refuse
# it until a writing command has migrated it (as for every schema change); then the incident
# stored before has no thread rows and reads as before.
fx=$(ls -d "$td"/pie-go*-crash | head -n 1)
hang=$(ls "$td"/pie-go*-hang/gcore.zst | head -n 1)
zstd -qdcf "$td/$(sed -n 's/^exe=//p' "$fx/meta")" >"$tmp/exe"
old=$tmp/old.db
expect 0 - "store a core for the old archive" -- analyze --db "$old" --exe "$tmp/exe" "$fx/core.zst"
goroutine_rows "$old" # schema 12
python3 - "$old" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("DROP TABLE threads")
db.execute("PRAGMA user_version = 8")
db.commit()
PY
expect 4 1 "old archive: show before the upgrade" -- show --db "$old" 1
grep -q 'needs an upgrade to' "$tmp/err" || bad "old archive: no word of the upgrade"
expect 0 - "old archive: gc migrates it" -- gc --db "$old"
[ "$(q "$old" "PRAGMA user_version")" -ge 9 ] || bad "the old archive was not migrated"
expect 0 0 "old archive: show" -- show --db "$old" 1
grep -q '^THREADS IN C$' "$tmp/out" && bad "old archive: show invents threads"
grep -q '^report:$' "$tmp/out" || bad "old archive: show lost the report"
expect 0 0 "old archive: show --format text" -- show --db "$old" --format text 1
grep -q '^THREADS IN C$' "$tmp/out" && bad "old archive: show --format text invents threads"
grep -q '^SIGSEGV in C function ' "$tmp/out" || grep -q '^[A-Z]* *SIGSEGV in C function ' "$tmp/out" ||
	bad "old archive: show --format text lost the headline"
expect 0 0 "old archive: show --json" -- show --db "$old" --json 1
[ "$(threads_json)" = null ] || bad "old archive: show --json has threads"
# A core stored now into the migrated archive has its threads.
expect 0 - "old archive: store a gcore" -- analyze --db "$old" --exe "$tmp/exe" "$hang"
expect 0 0 "old archive: show 2" -- show --db "$old" 2
grep -q '^THREADS IN C$' "$tmp/out" || bad "migrated archive: a new incident has no threads"

# rm takes an incident's threads with it.
expect 0 - "rm incident 1" -- rm --db "$db" 1
[ "$(q "$db" "SELECT count(*) FROM threads WHERE incident_id = 1")" = 0 ] ||
	bad "rm left incident 1's threads"

echo "$n checks, $fail failed"
[ "$fail" -eq 0 ]
