#!/bin/sh
# CLI tests of gopm diff on one service at three moments of a leak (testdata/diff, made by
# testdata/gen/make-diff-fixtures.sh): from text dumps and from cores the leaking group
# (main.(*Session).wait) comes first, from cores the growing type (main.Session) too; a core
# and a dump of the same instant differ only where the process did; a snapshot with itself
# is "nothing grew"; two unrelated programs are said to be so; archive incidents compare
# as files do. Golden outputs in tests/cli/expected/diff-*.out.
#   GOPM_UPDATE_GOLDEN=1 make check TESTS=tests/cli/diff.sh   rewrites the expected files
set -u
: "${GOPM:?}" "${top_srcdir:?}" "${top_builddir:?}"
expected=$top_srcdir/tests/cli/expected
jsonvalid=$top_builddir/tests/cli/json-valid
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
XDG_DATA_HOME=$tmp/xdg HOME=$tmp/home
export XDG_DATA_HOME HOME
fail=0
checked=0
bad() { echo "FAIL: $1: $2"; fail=$((fail + 1)); }

run() { # run WANT_STATUS ARGS... (in testdata/diff): stdout in $tmp/out
	want=$1
	shift
	(cd "$top_srcdir/testdata/diff" && "$GOPM" diff "$@" </dev/null) >"$tmp/out" 2>"$tmp/err"
	status=$?
	checked=$((checked + 1))
	[ $status -eq "$want" ] || { bad "diff $*" "exit $status, want $want: $(head -n 1 "$tmp/err")"; return 1; }
}

golden() { # golden NAME WANT_STATUS ARGS...
	name=$1
	shift
	run "$@" || return
	if [ "${GOPM_UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$tmp/out" "$expected/diff-$name.out"
	fi
	if ! cmp -s "$tmp/out" "$expected/diff-$name.out"; then
		bad "$name" "output differs from tests/cli/expected/diff-$name.out"
		diff -u "$expected/diff-$name.out" "$tmp/out" | head -20
	else
		echo "ok: $name"
	fi
}

first_evidence() { # first_evidence NAME PATTERN: the first evidence line of the last run
	line=$(grep -m 1 -e '^goroutine leak:' -e '^heap growth:' "$tmp/out")
	case $line in
	*"$2"*) ;;
	*) bad "$1" "first evidence line '$line' lacks '$2'" ;;
	esac
}

exe=growleak.zst
golden text3 0 stage-1.txt.zst stage-2.txt.zst stage-3.txt.zst
first_evidence "text: the leaking group first" "goroutine leak: group main.(*Session).wait [chan receive] grew 120 → 600 → 1,500 over 3 snapshots"
golden core3 0 --exe $exe stage-1.core.zst stage-2.core.zst stage-3.core.zst
first_evidence "cores: the leaking group first" "goroutine leak: group main.(*Session).wait [chan receive] grew 120 → 600 → 1,500"
grep -q '^heap growth: type main.Session grew 120 → 600 → 1,500 objects' "$tmp/out" ||
	bad "cores: the growing type" "no 'heap growth: type main.Session'"
sed -n '/^heap by type/{n;p;}' "$tmp/out" | grep -q 'grown  main.Session' ||
	bad "cores: the growing type first" "main.Session is not the first heap row"
golden core-text 0 --exe $exe stage-3.core.zst stage-3.txt.zst
golden self 0 stage-2.txt.zst stage-2.txt.zst
grep -q '^nothing grew' "$tmp/out" || bad "self" "no 'nothing grew'"
golden unrelated 0 ../dumps/go1.22-hang-all.txt stage-3.txt.zst
grep -q 'probably of different programs' "$tmp/out" || bad "unrelated" "not said to be different programs"
grep -q -e '^goroutine leak' -e '  leak$' "$tmp/out" && bad "unrelated" "growth between two programs called a leak"

# JSON: one valid document whose first key is the schema, every group listed.
if run 0 --json stage-1.txt.zst stage-2.txt.zst stage-3.txt.zst; then
	"$jsonvalid" "$tmp/out" >/dev/null 2>&1 || bad "json" "not valid JSON"
	head -n 2 "$tmp/out" | tail -n 1 | grep -q '"schema": *"gopm/1"' || bad "json" "first key is not schema gopm/1"
	grep -q '"counts": *\[' "$tmp/out" || bad "json" "no counts"
	echo "ok: json"
fi

# Standard input as one snapshot (a dump).
checked=$((checked + 1))
zstd -dc "$top_srcdir/testdata/diff/stage-1.txt.zst" |
	"$GOPM" diff - "$top_srcdir/testdata/diff/stage-3.txt.zst" >"$tmp/out" 2>"$tmp/err" ||
	bad "stdin" "exit $?: $(head -n 1 "$tmp/err")"
first_evidence "stdin" "goroutine leak: group main.(*Session).wait [chan receive] grew 120 → 1,500"

# Archive incidents: the same comparison as the files; an incident with itself.
db=$tmp/a.db
for s in 1 3; do
	"$GOPM" ingest --db "$db" "$top_srcdir/testdata/diff/stage-$s.txt.zst" >/dev/null 2>&1 ||
		bad "ingest stage-$s" "failed"
done
if run 0 --db "$db" '#1' 2; then
	first_evidence "archive: the leaking group" "goroutine leak: group main.(*Session).wait [chan receive] grew 120 → 1,500 over 2 snapshots"
	echo "ok: archive"
fi
run 0 --db "$db" 1 '#1' && { grep -q '^nothing grew' "$tmp/out" || bad "archive self" "no 'nothing grew'"; }
run 6 --db "$db" '#1' '#99'
# The incidents of one cluster, oldest first (both dumps are of the same bug).
if run 0 --db "$db" --cluster 1; then
	first_evidence "--cluster" "goroutine leak: group main.(*Session).wait [chan receive] grew 120 → 1,500 over 2 snapshots"
	echo "ok: --cluster"
fi
run 2 --db "$db" --since 7d stage-1.txt.zst stage-2.txt.zst

# Bad command lines and inputs.
run 2 stage-1.txt.zst
run 2 --bogus stage-1.txt.zst stage-2.txt.zst
run 2 --groups 0 stage-1.txt.zst stage-2.txt.zst
run 3 stage-1.txt.zst no-such-file
head -c 4096 /dev/urandom >"$tmp/junk"
run 4 stage-1.txt.zst "$tmp/junk"

[ $checked -eq 17 ] || bad "count" "$checked runs checked, want 17"
echo "$checked runs, $fail failures"
[ $fail -eq 0 ]
