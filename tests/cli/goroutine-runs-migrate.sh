#!/bin/sh
# An archive as schema 11 left it (a goroutines row per goroutine, its indexes) is migrated
# to schema 12 (goroutines packed per group in goroutine_runs) by the first writing command;
# show (report, text, JSON), gopm sql over goroutines and search then read what they read
# before. The old archive is made from a new one: its goroutines (read through gopm sql) go
# back into a table of schema 11's shape. Needs python3 (its sqlite3 module).
set -u
: "${GOPM:?}" "${top_srcdir:?}"
td=$top_srcdir/testdata
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
n=0
. "$top_srcdir/tests/cli/expect.sh"
command -v python3 >/dev/null 2>&1 || { echo "skip: no python3"; exit 77; }
bad() {
	echo "FAIL: $1"
	fail=$((fail + 1))
}
q() { "$GOPM" sql --db "$1" --csv "$2" | tr -d '\r' | tail -n 1; }

db=$tmp/a.db
set -- "$td/dumps/go1.22-hang-all.txt" "$td/dumps/go1.19-nilderef-all.txt" \
	"$td/dumps/go1.21-pprof-debug2.txt"
for f in "$@"; do
	expect 0 - "store $(basename "$f")" -- analyze --db "$db" "$f"
done
rows="SELECT id, incident_id, goid, status, state, wait_minutes, flags, stack_id, created_by, \
group_ordinal FROM goroutines ORDER BY id"
# views: what a user sees of each incident, and the goroutine rows.
views() {
	for i in 1 2 3; do
		"$GOPM" show --db "$1" "$i"
		"$GOPM" show --db "$1" --format text "$i"
		"$GOPM" show --db "$1" --json "$i"
	done
	"$GOPM" search --db "$1" main
	"$GOPM" sql --db "$1" --json "$rows"
}
views "$db" >"$tmp/new.txt" 2>&1
ngo=$(q "$db" "SELECT count(*) FROM goroutines")
[ "$ngo" -ge 50 ] || bad "only $ngo goroutines stored"

"$GOPM" sql --db "$db" --json "$rows" >"$tmp/rows.json"
old=$tmp/old.db
cp "$db" "$old"
python3 - "$old" "$tmp/rows.json" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = json.load(open(sys.argv[2]))["rows"]
db.executescript("""
DROP TABLE goroutine_runs;
CREATE TABLE goroutines (
	id INTEGER PRIMARY KEY,
	incident_id INTEGER NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
	goid INTEGER NOT NULL, status INTEGER NOT NULL, state TEXT, wait_minutes INTEGER,
	flags INTEGER NOT NULL, stack_id INTEGER REFERENCES stacks(id),
	created_by INTEGER REFERENCES functions(id), group_ordinal INTEGER);
CREATE INDEX goroutines_stack ON goroutines (stack_id);
CREATE INDEX goroutines_group ON goroutines (incident_id, group_ordinal, id, state,
                                             wait_minutes, stack_id, goid);
CREATE INDEX goroutines_goid ON goroutines (incident_id, group_ordinal, goid);
""")
cols = ["id", "incident_id", "goid", "status", "state", "wait_minutes", "flags", "stack_id",
        "created_by", "group_ordinal"]
db.executemany("INSERT INTO goroutines VALUES (%s)" % ", ".join("?" * len(cols)),
               [[r[c] for c in cols] for r in rows])
db.execute("PRAGMA user_version = 11")
db.commit()
PY
expect 4 1 "old archive: show before the upgrade" -- show --db "$old" 1
grep -q 'needs an upgrade to' "$tmp/err" || bad "old archive: no word of the upgrade"
expect 0 - "old archive: gc migrates it" -- gc --db "$old"
[ "$(q "$old" "PRAGMA user_version")" -ge 12 ] || bad "the old archive was not migrated"
[ "$(q "$old" "SELECT count(*) FROM goroutine_runs")" -gt 0 ] || bad "no goroutine runs"
views "$old" >"$tmp/old.txt" 2>&1
if ! cmp -s "$tmp/new.txt" "$tmp/old.txt"; then
	bad "the migrated archive reads differently:"
	diff "$tmp/new.txt" "$tmp/old.txt" | head -n 10
fi
# A goroutine's row by goid and id, as users query it.
g=$(q "$old" "SELECT goid FROM goroutines WHERE incident_id = 2 ORDER BY id DESC LIMIT 1")
[ "$(q "$old" "SELECT count(*) FROM goroutines WHERE incident_id = 2 AND goid = $g")" = 1 ] ||
	bad "goroutine $g of incident 2 not found by its goid"
expect 0 - "a new incident into the migrated archive" -- analyze --db "$old" \
	"$td/dumps/go1.21-panic-all.txt"
[ "$(q "$old" "SELECT min(id) > (SELECT max(id) FROM goroutines WHERE incident_id < 4) FROM \
goroutines WHERE incident_id = 4")" = 1 ] || bad "the new incident's goroutine ids are not new"
# rm and gc: the goroutines go with their incident; the stacks they used stay until then.
expect 0 - "rm incident 2" -- rm --db "$old" 2
expect 0 - "gc" -- gc --db "$old"
[ "$(q "$old" "SELECT count(*) FROM goroutines WHERE incident_id = 2")" = 0 ] ||
	bad "rm left incident 2's goroutines"
[ "$(q "$old" "SELECT count(*) FROM goroutines g LEFT JOIN stacks s ON s.id = g.stack_id WHERE \
g.stack_id IS NOT NULL AND s.id IS NULL")" = 0 ] || bad "gc removed a stack a goroutine uses"
expect 0 0 "show incident 1 after rm and gc" -- show --db "$old" 1

echo "$n checks, $fail failed"
[ "$fail" -eq 0 ]
