# Sourced by the CLI tests: expect STATUS LINES DESCRIPTION -- gopm ARGS... runs gopm, checks
# its exit status and, when LINES is not '-', the number of lines on stderr; stdout and
# stderr stay in $tmp/out and $tmp/err. Needs GOPM, tmp, n and fail set by the caller.
expect() {
	want=$1 lines=$2 what=$3
	shift 4
	n=$((n + 1))
	"$GOPM" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	got=$?
	nl=$(wc -l <"$tmp/err")
	if [ "$got" -ne "$want" ] || { [ "$lines" != - ] && [ "$nl" -ne "$lines" ]; }; then
		echo "FAIL: $what: exit $got (want $want), $nl stderr lines (want $lines)"
		sed 's/^/  stderr: /' "$tmp/err" | head -5
		fail=$((fail + 1))
	else
		echo "ok: $what: exit $got: $(head -n 1 "$tmp/err")"
	fi
}

# identity FILE: the archive's identity of FILE (src/base/identity.h) computed without gopm:
# XXH3-128 as xxhsum -H2 prints it, else as tests/xxh128sum (libxxhash alone) does.
identity() {
	if command -v xxhsum >/dev/null 2>&1; then
		xxhsum -H2 <"$1" | cut -c1-32
	else
		"${top_builddir:?}/tests/xxh128sum" "$1"
	fi
}
# identity_tree FILE: the identity of kind "sha256-4m" that gopm gave inputs from schema 7 to
# 11: SHA-256 over the SHA-256 digests of its 4 MiB chunks. Uses $tmp/identity.
identity_tree() {
	rm -rf "$tmp/identity" && mkdir "$tmp/identity" &&
		split -b 4194304 -a 5 "$1" "$tmp/identity/c." &&
		for c in $(ls "$tmp/identity" | sort); do
			sha256sum <"$tmp/identity/$c" | cut -c1-64
		done | perl -ne 'print pack("H*", substr($_, 0, 64))' | sha256sum | cut -c1-64
}

# goroutine_rows DB: schema 12 undone in DB (still at schema 12; the caller sets the
# version): its goroutines, read through gopm sql, become rows of schema 1's table again,
# with the indexes schemas 1, 6 and 11 gave it, and goroutine_runs is dropped. For tests
# that make an archive of an older schema from a new one. Needs python3.
goroutine_rows() {
	"$GOPM" sql --db "$1" --json "SELECT id, incident_id, goid, status, state, wait_minutes, \
flags, stack_id, created_by, group_ordinal FROM goroutines" >"$tmp/goroutine-rows.json" &&
		python3 - "$1" "$tmp/goroutine-rows.json" <<'PY'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("""
DROP TABLE goroutine_runs;
CREATE TABLE goroutines (id INTEGER PRIMARY KEY, incident_id INTEGER NOT NULL REFERENCES
  incidents(id) ON DELETE CASCADE, goid INTEGER NOT NULL, status INTEGER NOT NULL, state TEXT,
  wait_minutes INTEGER, flags INTEGER NOT NULL, stack_id INTEGER REFERENCES stacks(id),
  created_by INTEGER REFERENCES functions(id), group_ordinal INTEGER);
CREATE INDEX goroutines_stack ON goroutines (stack_id);
CREATE INDEX goroutines_group ON goroutines (incident_id, group_ordinal, id, state,
                                             wait_minutes, stack_id, goid);
CREATE INDEX goroutines_goid ON goroutines (incident_id, group_ordinal, goid);
""")
cols = ("id", "incident_id", "goid", "status", "state", "wait_minutes", "flags", "stack_id",
        "created_by", "group_ordinal")
db.executemany("INSERT INTO goroutines VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
               [[r[c] for c in cols] for r in json.load(open(sys.argv[2]))["rows"]])
db.commit()
PY
}
