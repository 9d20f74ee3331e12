#!/bin/sh
# Golden tests of the real `gopm analyze` and `gopm goroutines` on race detector reports
# (testdata/dumps/race/), compared byte for byte with tests/cli/expected/race-*.out: the
# headline names both racing lines. The same reports re-indented (tabs before the
# location lines and none before the functions, as a log pre-pass leaves them; no
# indentation; the whole paste indented) must give the same output. A race incident is
# stored in the archive like any other. Run by `make check`. POSIX sh only.
#
#   GOPM_UPDATE_GOLDEN=1 make check TESTS=tests/cli/race.sh   rewrites the expected files
#   (review the diff before committing it).
set -u
: "${GOPM:?GOPM must name the gopm binary}" "${top_srcdir:?top_srcdir must be set}"
: "${top_builddir:?top_builddir must be set}"
expected=$top_srcdir/tests/cli/expected
tmp=${TMPDIR:-/tmp}/gopm-cli-race.$$
mkdir -p "$tmp/race" "$tmp/xdg" || exit 99
trap 'rm -rf "$tmp"' EXIT
# Never the user's own archive.
XDG_DATA_HOME=$tmp/xdg HOME=$tmp
export XDG_DATA_HOME HOME
failed=0
n=0

pass() { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1: $2"; }

# golden NAME DIR ARGS...: run gopm ARGS in DIR (relative paths keep machine paths out of
# the output), expect status 0, nothing on stderr and stdout equal to expected/NAME.out.
golden() {
	name=$1 dir=$2
	shift 2
	(cd "$dir" && "$GOPM" "$@") >"$tmp/out" 2>"$tmp/err"
	status=$?
	if [ "${GOPM_UPDATE_GOLDEN:-}" = 1 ] && [ $status -eq 0 ] && [ "$dir" = "$top_srcdir/testdata/dumps" ]; then
		cp "$tmp/out" "$expected/$name.out"
	fi
	if [ $status -ne 0 ]; then
		fail "$name" "exit status $status: $(head -n 1 "$tmp/err")"
	elif [ -s "$tmp/err" ]; then
		fail "$name" "stderr: $(head -n 1 "$tmp/err")"
	elif ! cmp -s "$tmp/out" "$expected/$name.out"; then
		fail "$name" "output differs from tests/cli/expected/$name.out"
		diff -u "$expected/$name.out" "$tmp/out" | head -n 20
	else
		pass "$name"
	fi
}

d=$top_srcdir/testdata/dumps
golden race-multi-analyze "$d" analyze --no-store race/go1.27-multi.txt
golden race-test-analyze "$d" analyze --no-store race/go1.27-test.txt
golden race-plain-goroutines "$d" goroutines race/go1.19-plain.txt

# The headline (first finding) names both user frames.
head -n 2 "$expected/race-multi-analyze.out" | grep -q \
	'data race between main.bump at gopm.test/fixture/race/main.go:41 and main.bump at gopm.test/fixture/race/main.go:41 (2 reports)' &&
	grep -q 'data race between main.multi at gopm.test/fixture/race/main.go:70 and main.setStatus at gopm.test/fixture/race/main.go:57' \
		"$expected/race-multi-analyze.out" &&
	pass "headline names both racing lines" || fail "headline" "race-multi-analyze.out"

# Re-indented copies under the same relative name print the same.
for how in tabs none block; do
	for f in go1.27-multi go1.27-test; do
		case $how in
		tabs) sed -E 's/^ +([^ ].*:[0-9]+ \+0x[0-9a-f]+)$/\t\1/; s/^ +//' "$d/race/$f.txt" ;;
		none) sed -E 's/^[ \t]+//' "$d/race/$f.txt" ;;
		block) sed 's/^/    /' "$d/race/$f.txt" ;;
		esac >"$tmp/race/$f.txt"
	done
	golden race-multi-analyze "$tmp" analyze --no-store race/go1.27-multi.txt
	golden race-test-analyze "$tmp" analyze --no-store race/go1.27-test.txt
done

# Stored in the archive: the headline is the race.
db=$tmp/a.db
if (cd "$d" && "$GOPM" analyze --db "$db" race/go1.19-multi.txt) >"$tmp/out" 2>"$tmp/err" &&
	"$GOPM" incidents --db "$db" >"$tmp/list" 2>&1 &&
	grep -q 'data race between main.bump' "$tmp/list"; then
	pass "stored, listed with the race headline"
else
	fail "archive" "$(head -n 2 "$tmp/err" "$tmp/list")"
fi

# --json parses.
if (cd "$d" && "$GOPM" analyze --json --no-store race/go1.27-test.txt) >"$tmp/json" 2>&1 &&
	"$top_builddir/tests/cli/json-valid" "$tmp/json" && grep -q '"race.data"' "$tmp/json"; then
	pass "--json is valid and names race.data"
else
	fail "json" "$(head -n 2 "$tmp/json")"
fi

echo "$n tests, $failed failed"
[ $failed -eq 0 ]
