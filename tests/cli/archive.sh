#!/bin/sh
# CLI tests of the archive commands on a real archive in a temporary directory: ingest and
# re-ingest, queries in the three formats, injection attempts through every option, the
# read-only sql command, exit statuses for missing incidents and archives, rm and gc.
set -u
: "${GOPM:?}" "${top_srcdir:?}"
d=$top_srcdir/testdata/dumps
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
db=$tmp/a.db
fail=0

check() { # check DESCRIPTION WANT_STATUS -- gopm ARGS...
	what=$1 want=$2
	shift 3
	"$GOPM" "$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		echo "FAIL: $what: exit $got (want $want)"
		sed 's/^/  stderr: /' "$tmp/err" | head -5
		fail=$((fail + 1))
	else
		echo "ok: $what"
	fi
}
contains() { # contains DESCRIPTION PATTERN (in the last stdout)
	grep -q -- "$2" "$tmp/out" || { echo "FAIL: $1: no '$2' in output"; fail=$((fail + 1)); }
}
lines() { # lines DESCRIPTION N (stdout lines)
	n=$(wc -l <"$tmp/out")
	[ "$n" -eq "$2" ] || { echo "FAIL: $1: $n lines (want $2)"; fail=$((fail + 1)); }
}

check "query without an archive" 3 -- incidents --db "$db"
check "ingest three dumps" 0 -- ingest --db "$db" "$d/go1.19-nilderef-all.txt" \
	"$d/go1.27-nilderef-all.txt" "$d/go1.22-panic-all.txt"
grep -q '3 stored' "$tmp/err" || { echo "FAIL: ingest summary"; fail=$((fail + 1)); }
check "re-ingest is a no-op" 0 -- ingest --db "$db" "$d/go1.19-nilderef-all.txt"
grep -q '0 stored, 1 already stored' "$tmp/err" || { echo "FAIL: re-ingest summary"; fail=$((fail + 1)); }
# The directory holds a README and a program's stdout (split/big.stdout.gz, no dump):
# skipped (no incident), the rest are stored — dumps whose log record was cut before their
# goroutines (a panic line is all that is left) included.
check "ingest --keep of a directory" 0 -- ingest --db "$db" --keep "$top_srcdir/testdata/dumps/variants"
grep -q " 2 skipped, 0 failed" "$tmp/err" ||
	{ echo "FAIL: directory summary: $(tail -1 "$tmp/err")"; fail=$((fail + 1)); }
grep -q "skipped: .*README.md: no goroutine dump, core or profile" "$tmp/err" ||
	{ echo "FAIL: README not listed as skipped"; fail=$((fail + 1)); }
grep -q "skipped: .*big.stdout.gz: no goroutine dump, core or profile" "$tmp/err" ||
	{ echo "FAIL: big.stdout.gz not listed as skipped"; fail=$((fail + 1)); }
grep -Eq "long.zap-limit-cut.log: stored incident" "$tmp/err" ||
	{ echo "FAIL: a dump cut inside its log record before its goroutines not stored"; fail=$((fail + 1)); }

# A directory mixing incidents (a dump, a core, a heap profile) with text that merely
# mentions them: only the incidents are stored, every other file is listed as skipped.
mix=$tmp/mix
mkdir -p "$mix/sub"
cp "$d/go1.22-panic-all.txt" "$mix/"
cp "$top_srcdir/testdata/cores/go1.27-crash-abba-stripped/core.zst" "$mix/sub/core.zst"
cp "$top_srcdir/testdata/cores/go1.27-crash-abba-stripped/meta" "$mix/sub/meta"
printf '# Fixtures\n\nA crash prints\n\n    panic: runtime error: index out of range\n\nthen\n\n    goroutine 1 [running]:\n' >"$mix/README.md"
printf 'package main\n\nconst quit = "SIGQUIT: quit"\n\nfunc main() { println("panic: no") }\n' >"$mix/quit.go"
: >"$mix/empty"
exe=$(sed -n 's/^exe=//p' "$mix/sub/meta")
check "ingest of a mixed directory" 0 -- ingest --db "$tmp/mix.db" --exe "$top_srcdir/testdata/$exe" "$mix"
grep -q "gopm ingest: 2 stored, 0 already stored, 4 skipped, 0 failed" "$tmp/err" ||
	{ echo "FAIL: mixed directory summary: $(tail -1 "$tmp/err")"; fail=$((fail + 1)); }
for f in README.md quit.go sub/meta empty; do
	grep -q "skipped: $mix/$f: " "$tmp/err" || { echo "FAIL: $f not listed as skipped"; fail=$((fail + 1)); }
done
check "mixed directory: incidents" 0 -- sql --db "$tmp/mix.db" --csv "SELECT count(*) FROM incidents WHERE goroutines > 0"
[ "$(tail -n 1 "$tmp/out" | tr -d '\r')" = 2 ] || { echo "FAIL: mixed directory: $(tail -n 1 "$tmp/out") incidents"; fail=$((fail + 1)); }
# The core's facts: the service as the process ran it (not the --exe copy, which is kept
# as exe_read), and the build from the executable's build info (vcs.revision, vcs.time).
check "core facts" 0 -- sql --db "$tmp/mix.db" --csv "SELECT exe, exe_read, build, vcs_time, \
time_source FROM incidents WHERE kind = 'core'"
row=$(tail -n 1 "$tmp/out" | tr -d '\r')
echo "$row" | grep -q -E "^/[^,]*/crash,$top_srcdir/testdata/$exe,[0-9a-f]{40}(\+dirty)?,[0-9]{10},mtime\$" ||
	{ echo "FAIL: core facts: $row"; fail=$((fail + 1)); }
check "incidents" 0 -- incidents --db "$db" --limit -1
check "incidents --csv" 0 -- incidents --db "$db" --csv --limit 3
lines "incidents --csv" 4
contains "csv header" '^id,time,go,exe,kind,cluster,goroutines,headline'
check "incidents --json" 0 -- incidents --db "$db" --json --finding "nil"
contains "json rows" '"headline": ".*nil'
contains "json numbers" '"goroutines": [0-9]'
check "clusters" 0 -- clusters --db "$db"
check "clusters --json: the two nil dereferences are one cluster" 0 -- clusters --db "$db" --json
contains "cluster of two" '"count": 2'
check "search" 0 -- search --db "$db" "missing field"
lines "search" 2
check "search --raw" 0 -- search --db "$db" --raw 'retr* AND config'
check "bad FTS syntax" 2 -- search --db "$db" --raw 'AND ('
check "show" 0 -- show --db "$db" 1
contains "show signature" '^signature '
check "show --json" 0 -- show --db "$db" --json 1
check "show missing" 6 -- show --db "$db" 999
check "show non-number" 2 -- show --db "$db" "1 OR 1=1"

# Injection attempts through every option: taken literally (no wildcard, no SQL), no error,
# the archive intact. --finding also matches text in a headline: a value that is literally
# in some headlines ("_" of a C function's name) lists those incidents and their clusters,
# counted here from the headlines themselves.
"$GOPM" sql --db "$db" "SELECT i.headline, s.cluster_id FROM incidents i LEFT JOIN \
	incident_signatures x ON x.incident_id = i.id LEFT JOIN signatures s ON \
	s.id = x.signature_id" >"$tmp/headlines" 2>/dev/null
for v in "' OR '1'='1" "x'); DROP TABLE incidents; --" '" OR 1=1 --' '%' '_' '**' "\\"; do
	for opt in --exe --go --finding; do
		want_i=1 want_c=1
		if [ "$opt" = --finding ]; then
			want_i=$((1 + $(tail -n +2 "$tmp/headlines" | grep -cF -- "$v")))
			want_c=$((1 + $(tail -n +2 "$tmp/headlines" | grep -F -- "$v" |
				awk '$NF ~ /^[0-9]+$/ { print $NF }' | sort -u | wc -l)))
		fi
		check "incidents $opt [$v]" 0 -- incidents --db "$db" "$opt" "$v"
		lines "incidents $opt [$v]" "$want_i"
		check "clusters $opt [$v]" 0 -- clusters --db "$db" "$opt" "$v"
		lines "clusters $opt [$v]" "$want_c"
	done
	check "search [$v]" 0 -- search --db "$db" "$v"
	lines "search [$v]" 1
	for opt in --since --until --cluster --limit; do
		check "incidents $opt [$v] is a usage error" 2 -- incidents --db "$db" "$opt" "$v"
	done
	check "rm [$v] is a usage error" 2 -- rm --db "$db" "$v"
done
check "sql count" 0 -- sql --db "$db" "SELECT count(*) AS n FROM incidents"
n=$(tail -n 1 "$tmp/out" | tr -d ' ')
[ "$n" -ge 3 ] || { echo "FAIL: incidents lost: $n"; fail=$((fail + 1)); }
for q in "DELETE FROM incidents" "DROP TABLE incidents" "ATTACH '$tmp/x.db' AS x" \
	"PRAGMA user_version = 0" "SELECT 1; DELETE FROM incidents" "VACUUM"; do
	check "sql refuses [$q]" 2 -- sql --db "$db" "$q"
done
[ ! -e "$tmp/x.db" ] || { echo "FAIL: ATTACH created a file"; fail=$((fail + 1)); }
# Another user who may read the archive but not write beside it (an archive shared read-only):
# queries work (immutable open), a writing command fails with exit 3, not a usage error.
if [ "$(id -u)" -eq 0 ] && command -v runuser >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
	ro=$(mktemp -d /tmp/gopm-ro.XXXXXX)
	"$GOPM" ingest --db "$ro/a.db" "$d/go1.22-panic-all.txt" >/dev/null 2>&1
	chmod 755 "$ro"
	chmod 644 "$ro"/*
	for c in "incidents" "clusters" "show 1" "sql SELECT(count(*))FROM(incidents)"; do
		# shellcheck disable=SC2086
		if runuser -u nobody -- "${GOPM_BIN:-$GOPM}" $c --db "$ro/a.db" >"$tmp/out" 2>"$tmp/err"; then
			echo "ok: a reader without write access: $c"
		else
			echo "FAIL: a reader without write access: $c: $(head -n 1 "$tmp/err")"
			fail=$((fail + 1))
		fi
	done
	# The TUI reads it too (it failed at its first query: "attempt to write a readonly
	# database"); its scripted screen is saved where nobody may write.
	mkdir "$ro/screens"
	chmod 777 "$ro/screens"
	printf ':save ro.txt\nq\n' >"$ro/ro.keys"
	chmod 644 "$ro/ro.keys"
	if (cd "$ro/screens" && TERM=xterm runuser -u nobody -- "${GOPM_BIN:-$GOPM}" tui \
		--db "$ro/a.db" --script "$ro/ro.keys") >"$tmp/out" 2>"$tmp/err" &&
		grep -q '^Incidents (1)' "$ro/screens/ro.txt"; then
		echo "ok: a reader without write access: tui"
	else
		echo "FAIL: a reader without write access: tui: $(head -n 1 "$tmp/err")"
		fail=$((fail + 1))
	fi
	runuser -u nobody -- "${GOPM_BIN:-$GOPM}" ingest --db "$ro/a.db" "$d/go1.19-panic-all.txt" \
		>/dev/null 2>"$tmp/err"
	st=$?
	[ "$st" -eq 3 ] || { echo "FAIL: ingest into another user's archive: exit $st (want 3)"; fail=$((fail + 1)); }
	rm -rf "$ro"
else
	echo "skip: a reader without write access (needs root and runuser)"
fi
# CSV escapes what a dump could use to drive a terminal, as every other output does.
printf 'goroutine 1 [running]:\nmain.\033]0;pwned\007f()\n\tmain.go:3 +0x1\n' >"$tmp/esc.txt"
check "ingest a dump with escapes in a name" 0 -- ingest --db "$tmp/esc.db" "$tmp/esc.txt"
for c in "search --csv pwned" "sql --csv SELECT(name)FROM(functions)" "incidents --csv"; do
	# shellcheck disable=SC2086
	check "$c" 0 -- $c --db "$tmp/esc.db"
	if tr -d '\r\n' <"$tmp/out" | LC_ALL=C grep -q "$(printf '[\001-\037\177]')"; then
		echo "FAIL: $c printed a control byte"
		fail=$((fail + 1))
	fi
done
check "sql --csv of the names" 0 -- sql --csv --db "$tmp/esc.db" "SELECT name FROM functions"
contains "the escaped name is there" 'main.\\x1b]0;pwned'
# CSV cells that a spreadsheet would run as a formula (= + - @ TAB in front) get a leading '
# (OWASP), in every CSV gopm writes: a value from a dump, SQL values and a column name.
# Plain numbers stay numbers.
printf 'panic: =HYPERLINK("http://x","y")\n\ngoroutine 1 [running]:\nmain.main()\n\t/src/main.go:3 +0x1\n' >"$tmp/formula.txt"
check "ingest a dump whose panic is a formula" 0 -- ingest --db "$tmp/formula.db" "$tmp/formula.txt"
check "sql --csv of a formula from a dump" 0 -- sql --csv --db "$tmp/formula.db" \
	"SELECT substr(headline, instr(headline, ': =') + 2) AS \"=h\" FROM incidents"
printf '%s\r\n' "'=h" "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"" >"$tmp/want"
cmp -s "$tmp/out" "$tmp/want" || { echo "FAIL: sql --csv: the formula is not defused: $(head -n 2 "$tmp/out")"; fail=$((fail + 1)); }
check "sql --csv of formula characters and numbers" 0 -- sql --csv --db "$tmp/formula.db" \
	"SELECT '+1+1', '-1-1', '@SUM(A1)', char(9) || '=1', '-5', -5, 2.5, 'a=b'"
printf "'+1+1,'-1-1,'@SUM(A1),'\\t=1,-5,-5,2.5,a=b\\r\\n" >"$tmp/want"
tail -n 1 "$tmp/out" | cmp -s - "$tmp/want" || { echo "FAIL: sql --csv: $(tail -n 1 "$tmp/out")"; fail=$((fail + 1)); }
check "search --csv of a formula from a dump" 0 -- search --csv --db "$tmp/formula.db" HYPERLINK
if cut -d, -f1- "$tmp/out" | grep -q '^=\|,=\|,"='; then
	echo "FAIL: search --csv printed a cell beginning with ="
	fail=$((fail + 1))
fi
# A query that never ends stops at the time limit; a value too big for memory is refused.
GOPM_SQL_SECONDS=1
export GOPM_SQL_SECONDS
check "sql stops a query that runs forever" 4 -- sql --db "$db" \
	"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
unset GOPM_SQL_SECONDS
grep -q 'stopped after 1 s' "$tmp/err" || { echo "FAIL: the time limit is not said"; fail=$((fail + 1)); }
check "sql refuses a value over the length limit" 4 -- sql --db "$db" \
	"SELECT length(zeroblob(100000000))"
grep -q 'GOPM_SQL_MEMORY' "$tmp/err" || { echo "FAIL: the memory limit is not said"; fail=$((fail + 1)); }
check "rm" 0 -- rm --db "$db" 1
check "rm again" 6 -- rm --db "$db" 1
check "gc" 0 -- gc --db "$db"
contains "gc removed" 'removed 1 artifacts'
check "resign" 0 -- resign --db "$db"

echo "archive CLI: $fail failed"
[ "$fail" -eq 0 ]
