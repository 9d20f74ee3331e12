#!/bin/sh
# `gopm show ID --format text|markdown|html` renders a stored incident as `gopm analyze`
# rendered it: for cores and dumps of several kinds, the output of analyze --format F of an
# input already stored (whose archive section says "already in the archive as incident N")
# equals show --format F of that incident, byte for byte - findings, process facts with the
# signal, groups with creators and waited-on objects, heap holders, the flame graph, the
# archive section. An incident stored before schema 5 (the report tables dropped and the
# version set back, as an archive of the previous release is) shows what the archive keeps,
# with one warning naming what is missing. `gopm diff #A #B` of archive incidents compares
# the findings they were stored with and the heap types of cores; show --groups/--width
# reproduce analyze's cuts (32 groups kept); of incidents stored by
# heap --store, the retained bytes and the heap's holders too, as diff --retained of the
# cores does (text and JSON).
set -u
: "${GOPM:?}" "${top_srcdir:?}"
td=$top_srcdir/testdata
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
XDG_DATA_HOME=$tmp/xdg HOME=$tmp/home COLUMNS=100 NO_COLOR=1
export XDG_DATA_HOME HOME COLUMNS NO_COLOR
db=$tmp/a.db
fail=0 n=0
. "$top_srcdir/tests/cli/expect.sh" # goroutine_rows
bad() { echo "FAIL: $1: $2"; fail=$((fail + 1)); }

same() { # same NAME -- INPUT [ARGS...]: analyze == show in each format
	name=$1
	shift 2
	if ! "$GOPM" analyze --db "$db" "$@" >/dev/null 2>"$tmp/err" </dev/null; then
		[ $? -le 1 ] || { bad "$name" "analyze: $(head -n 1 "$tmp/err")"; return; }
	fi
	"$GOPM" analyze --db "$db" "$@" >"$tmp/a.text" 2>/dev/null </dev/null
	id=$(sed -n 's/^already in the archive as incident \([0-9]*\) .*/\1/p' "$tmp/a.text")
	[ -n "$id" ] || { bad "$name" "no incident id in the report"; return; }
	for f in text markdown html; do
		"$GOPM" analyze --db "$db" --format $f "$@" >"$tmp/a.$f" 2>/dev/null </dev/null
		if ! "$GOPM" show --db "$db" --format $f "$id" >"$tmp/s.$f" 2>"$tmp/err"; then
			bad "$name" "show --format $f $id: $(head -n 1 "$tmp/err")"
		elif [ -s "$tmp/err" ]; then
			bad "$name" "show --format $f $id warned: $(head -n 1 "$tmp/err")"
		elif ! cmp -s "$tmp/a.$f" "$tmp/s.$f"; then
			bad "$name" "show --format $f $id differs from analyze"
			diff "$tmp/a.$f" "$tmp/s.$f" | head -n 10
		else
			n=$((n + 1))
			echo "ok: $name: analyze --format $f = show --format $f $id"
		fi
	done
}

c=$td/cores e=$td/exe
same abba-core -- --exe "$e/go1.22-crash-stripped.zst" "$c/go1.22-crash-abba-stripped/core.zst"
same oom-core -- --exe "$e/go1.19-crash2-dwarf.zst" "$c/go1.19-crash2-oom-dwarf/core.zst"
same leak-core -- --exe "$td/diff/growleak.zst" "$td/diff/stage-3.core.zst"
same leak-text -- "$c/go1.27-crash-leak-stripped/stderr.txt.zst"
same deadlock-text -- "$td/dumps/go1.22-deadlock-single.txt"
same pprof-debug1 -- "$td/dumps/go1.21-pprof-debug1.txt"
same hostile -- "$td/reports/hostile.txt"
[ "$n" -eq 21 ] || bad "count" "$n of 21 comparisons made"

# The reports of the cores are really there (not two empty outputs that agree).
grep -q '<svg xmlns=' "$tmp/s.html" || bad "hostile html" "no flame graph"
"$GOPM" show --db "$db" --format markdown 3 >"$tmp/s3.md" 2>/dev/null
grep -q '^| snapshot | a snapshot of a live process' "$tmp/s3.md" ||
	bad "leak-core markdown" "no snapshot fact"

# An archive of schema 4: the report tables are not there yet.
old=$tmp/old.db
"$GOPM" analyze --db "$old" --exe "$e/go1.22-crash-stripped.zst" \
	"$c/go1.22-crash-abba-stripped/core.zst" >/dev/null 2>&1
"$GOPM" analyze --db "$old" "$td/dumps/go1.22-deadlock-single.txt" >/dev/null 2>&1
if command -v python3 >/dev/null 2>&1; then
	goroutine_rows "$old" # schema 12
	python3 - "$old" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for t in ("reports", "report_facts", "report_holders", "report_groups", "report_frames",
          "report_flame", "report_states"):
    db.execute("DROP TABLE " + t)
db.execute("ALTER TABLE heap_types DROP COLUMN retained")
# Schema 6 (the TUI's list text and indexes) undone too: the archive is as schema 4 left it.
for x in ("TRIGGER incidents_list_text_insert", "TRIGGER incidents_list_text_update",
          "INDEX incidents_list_text", "INDEX goroutines_group", "INDEX incidents_build_keys"):
    db.execute("DROP " + x)
db.execute("ALTER TABLE incidents DROP COLUMN list_text")
db.execute("CREATE INDEX incidents_list ON incidents (time, exe, go_version, headline)")
# And schema 7 (the kind of an artifact's identity).
db.execute("DROP INDEX artifacts_identity_size")
db.execute("ALTER TABLE artifacts DROP COLUMN identity")
# And schema 9 (the threads in C).
db.execute("DROP TABLE threads")
db.execute("PRAGMA user_version = 4")
db.commit()
EOF
	# A writer migrates it; the incidents stored before have no stored report.
	"$GOPM" analyze --db "$old" "$td/dumps/go1.21-hang-all.txt" >/dev/null 2>&1
	for f in text markdown html; do
		for id in 1 2; do
			"$GOPM" show --db "$old" --format $f $id >"$tmp/o.$f" 2>"$tmp/err"
			st=$?
			[ $st -eq 0 ] || bad "old archive $f $id" "exit $st"
			[ "$(grep -c 'stored before archive schema 5' "$tmp/err")" -eq 1 ] ||
				bad "old archive $f $id" "not one warning: $(head -n 1 "$tmp/err")"
			n=$((n + 1))
		done
		"$GOPM" show --db "$old" --format $f 3 >/dev/null 2>"$tmp/err"
		[ ! -s "$tmp/err" ] || bad "old archive $f 3" "a new incident warned"
	done
	grep -q 'deadlock' "$tmp/o.html" || bad "old archive html" "no finding"
	grep -q 'main.main' "$tmp/o.html" || bad "old archive html" "no stack"
	grep -q '^  goroutines' "$tmp/o.text" || bad "old archive text" "no goroutines fact"
	"$GOPM" show --db "$old" --format markdown 1 2>/dev/null | grep -q '^## Findings' ||
		bad "old archive markdown" "no findings"
else
	echo "SKIP: no python3 to write an archive of the previous schema"
fi
[ "$n" -ge 21 ] || bad "count" "$n comparisons"

# diff of archive incidents: the stored findings and the cores' heap types.
ddb=$tmp/d.db
for s in 1 3; do
	"$GOPM" analyze --db "$ddb" --exe "$td/diff/growleak.zst" "$td/diff/stage-$s.core.zst" \
		>/dev/null 2>&1
done
"$GOPM" diff --db "$ddb" '#1' '#2' >"$tmp/diff" 2>"$tmp/err" || true
"$GOPM" diff --exe "$td/diff/growleak.zst" "$td/diff/stage-1.core.zst" \
	"$td/diff/stage-3.core.zst" >"$tmp/diff.files" 2>/dev/null || true
# The same comparison as of the cores themselves: groups, heap types, findings.
sed -n '/^goroutine groups/,$p' "$tmp/diff" >"$tmp/diff.tail"
sed -n '/^goroutine groups/,$p' "$tmp/diff.files" >"$tmp/diff.files.tail"
grep -q '^heap by type' "$tmp/diff.tail" || bad "diff #1 #2" "no heap types: $(head -n 3 "$tmp/diff")"
grep -q 'grown  main.Session  leak' "$tmp/diff.tail" || bad "diff #1 #2" "main.Session not grown"
grep -q '^findings' "$tmp/diff.tail" || bad "diff #1 #2" "no findings compared"
cmp -s "$tmp/diff.tail" "$tmp/diff.files.tail" || {
	bad "diff #1 #2" "differs from the diff of the cores"
	diff "$tmp/diff.files.tail" "$tmp/diff.tail" | head -n 10
}
# The findings compared are the stored ones: with #1's removed from the archive, #2's are
# new (an analysis of the stored incident would find them again).
if command -v python3 >/dev/null 2>&1; then
	nf=$(python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("SELECT count(*) FROM findings WHERE incident_id = 2").fetchone()[0])
db.execute("DELETE FROM findings WHERE incident_id = 1")
db.commit()' "$ddb")
	"$GOPM" diff --db "$ddb" '#1' '#2' >"$tmp/diff.nof" 2>/dev/null
	got=$(sed -n '/^findings (#1 → #2)/,$p' "$tmp/diff.nof" | grep -c '^  new ')
	[ "$nf" -ge 1 ] && [ "$got" -eq "$nf" ] ||
		bad "diff #1 #2 without #1's findings" "$got new findings, want $nf"
fi
"$GOPM" diff --db "$ddb" '#2' '#2' >"$tmp/self" 2>/dev/null
grep -q -i 'nothing\|same' "$tmp/self" || bad "diff #2 #2" "$(head -n 2 "$tmp/self")"

# Other cuts than the default: show --groups N --width N renders what analyze did with them
# (the archive keeps 32 groups); more groups than it kept is a warning and exit 1.
cdb=$tmp/c.db
{
	printf 'goroutine 1 [running]:\nmain.main()\n\t/src/main.go:10 +0x1d\n\n'
	i=2
	while [ $i -le 41 ]; do
		printf 'goroutine %d [chan receive]:\nmain.worker%d()\n\t/src/main.go:%d +0x2a\n' $i $i $((i + 100))
		printf 'created by main.main in goroutine 1\n\t/src/main.go:11 +0x3b\n\n'
		i=$((i + 1))
	done
} >"$tmp/many.txt"
for in in "$td/dumps/go1.22-hang-all.txt" "$tmp/many.txt"; do
	"$GOPM" analyze --db "$cdb" "$in" >/dev/null 2>&1
done
for f in text markdown html; do
	for cut in "--groups 20 --width 80 $td/dumps/go1.22-hang-all.txt 1" "--groups 32 $tmp/many.txt 2" \
		"--groups 3 --width 60 $tmp/many.txt 2"; do
		set -- $cut
		in=$(eval echo "\${$(($# - 1))}") id=$(eval echo "\${$#}")
		opts=$(echo "$cut" | sed 's| [^ ]* [^ ]*$||')
		"$GOPM" analyze --db "$cdb" $opts --format $f "$in" >"$tmp/a.$f" 2>/dev/null
		"$GOPM" show --db "$cdb" $opts --format $f "$id" >"$tmp/s.$f" 2>"$tmp/err" ||
			bad "show $opts --format $f $id" "exit $?: $(head -n 1 "$tmp/err")"
		n=$((n + 1))
		cmp -s "$tmp/a.$f" "$tmp/s.$f" || bad "show $opts --format $f $id" "differs from analyze $opts"
	done
done
"$GOPM" show --db "$cdb" --groups 40 --format text 2 >/dev/null 2>"$tmp/err"
st=$?
[ $st -eq 1 ] && grep -q 'keeps 32 goroutine groups of incident 2.s report: 32 shown, not 40' "$tmp/err" ||
	bad "show --groups 40" "exit $st, not a warning of what is not kept: $(head -n 1 "$tmp/err")"
"$GOPM" show --db "$cdb" --groups 40 --format text 1 >/dev/null 2>"$tmp/err" ||
	bad "show --groups 40 of 33 groups, all kept" "exit $?: $(head -n 1 "$tmp/err")"
"$GOPM" show --db "$cdb" --groups 5 1 >/dev/null 2>&1
[ $? -eq 2 ] || bad "show --groups without --format" "not a usage error"

# Retained bytes and what holds the heap: stored by heap --store (retention worked out), the
# diff of the incidents equals diff --retained of the cores, in text and in JSON.
rdb=$tmp/r.db
for s in 1 3; do
	"$GOPM" heap --store --db "$rdb" --exe "$td/diff/growleak.zst" "$td/diff/stage-$s.core.zst" \
		>/dev/null 2>&1 || bad "heap --store stage-$s" "exit $?"
done
for j in "" --json; do
	"$GOPM" diff $j --db "$rdb" '#1' '#2' >"$tmp/rdiff" 2>"$tmp/err" || bad "diff $j #1 #2 (retained)" "exit $?"
	"$GOPM" diff $j --retained --exe "$td/diff/growleak.zst" "$td/diff/stage-1.core.zst" \
		"$td/diff/stage-3.core.zst" >"$tmp/rdiff.files" 2>/dev/null || bad "diff $j --retained" "exit $?"
	n=$((n + 1))
	if [ -z "$j" ]; then
		sed -n '/^heap by type/,/^findings/p' "$tmp/rdiff" >"$tmp/rdiff.tail"
		sed -n '/^heap by type/,/^findings/p' "$tmp/rdiff.files" >"$tmp/rdiff.files.tail"
		grep -q '^      objects 120 → 1,500; bytes 120 KiB → 1.5 MiB; retained 120 KiB → 1.5 MiB$' \
			"$tmp/rdiff.tail" || bad "diff #1 #2 (retained)" "no retained bytes of main.Session"
		grep -q '^retainers (what keeps most of the heap alive): 1 changed' "$tmp/rdiff.tail" &&
			grep -q 'grown  .*(holding \[\]map.bucket\[int\]\*main.Session)$' "$tmp/rdiff.tail" ||
			bad "diff #1 #2 (retained)" "no grown retainer holding the sessions' map"
		cmp -s "$tmp/rdiff.tail" "$tmp/rdiff.files.tail" || {
			bad "diff #1 #2 (retained)" "differs from diff --retained of the cores"
			diff "$tmp/rdiff.files.tail" "$tmp/rdiff.tail" | head -n 10
		}
	elif command -v python3 >/dev/null 2>&1; then
		python3 -c 'import json, sys
a, b = (json.load(open(f))["heap"] for f in sys.argv[1:3])
sys.exit(0 if a == b and a["retained_compared"] and a["retainers"] else 1)' \
			"$tmp/rdiff" "$tmp/rdiff.files" ||
			bad "diff --json #1 #2 (retained)" "its heap differs from diff --json --retained of the cores"
	fi
done

# Usage.
"$GOPM" show --db "$db" --format pdf 1 >/dev/null 2>&1
[ $? -eq 2 ] || bad "--format pdf" "not a usage error"
"$GOPM" show --db "$db" --format text --json 1 >/dev/null 2>&1
[ $? -eq 2 ] || bad "--format with --json" "not a usage error"
"$GOPM" show --db "$db" --format text 999 >/dev/null 2>&1
[ $? -ne 0 ] || bad "show 999" "no failure"

echo "$n checked, $fail failed"
[ $fail -eq 0 ]
