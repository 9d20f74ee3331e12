#!/bin/sh
# CLI tests of gopm analyze: exit statuses for bad command lines and inputs, --json that
# parses (tests/cli/json-valid), storing into the archive (the report's last line names the
# incident; the same input twice is stored once; the same bug again is "seen N times
# before"), --keep, --no-store leaving no archive, and a failing archive as a warning.
set -u
: "${GOPM:?}" "${top_srcdir:?}" "${top_builddir:?}"
d=$top_srcdir/testdata/dumps
c=$top_srcdir/testdata/cores
e=$top_srcdir/testdata/exe
jsonvalid=$top_builddir/tests/cli/json-valid
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
db=$tmp/a.db
fail=0
# Never the user's own archive: the default path lives under these.
XDG_DATA_HOME=$tmp/xdg HOME=$tmp/home
export XDG_DATA_HOME HOME

check() { # check DESCRIPTION WANT_STATUS -- gopm ARGS...
	what=$1 want=$2
	shift 3
	"$GOPM" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		echo "FAIL: $what: exit $got (want $want)"
		sed 's/^/  stderr: /' "$tmp/err" | head -5
		fail=$((fail + 1))
	else
		echo "ok: $what"
	fi
}
has() { # has DESCRIPTION FILE PATTERN
	grep -q -- "$3" "$2" || { echo "FAIL: $1: no '$3' in $(basename "$2")"; fail=$((fail + 1)); }
}
last() { # last DESCRIPTION PATTERN: the last line of stdout
	tail -n 1 "$tmp/out" | grep -q -- "$2" ||
		{ echo "FAIL: $1: last line '$(tail -n 1 "$tmp/out")' lacks '$2'"; fail=$((fail + 1)); }
}
count() { # count DESCRIPTION N: incidents in $db
	"$GOPM" sql --db "$db" --csv "SELECT count(*) FROM incidents" >"$tmp/n" 2>&1
	n=$(tail -n 1 "$tmp/n" | tr -d '\r')
	[ "$n" = "$2" ] || { echo "FAIL: $1: $n incidents (want $2)"; fail=$((fail + 1)); }
}

# Command line and inputs.
check "no input" 2 -- analyze
check "unknown option" 2 -- analyze --bogus "$d/go1.19-nilderef-all.txt"
check "two inputs" 2 -- analyze "$d/go1.19-nilderef-all.txt" "$d/go1.22-panic-all.txt"
check "--db without a path" 2 -- analyze "$d/go1.19-nilderef-all.txt" --db
check "--no-store with --keep" 2 -- analyze --no-store --keep "$d/go1.19-nilderef-all.txt"
check "--similarity value" 2 -- analyze --similarity fuzzy "$d/go1.19-nilderef-all.txt"
check "--help" 0 -- analyze --help
has "--help names --no-store" "$tmp/out" "--no-store"
check "missing file" 3 -- analyze --db "$db" "$tmp/nonexistent"
head -c 4096 /dev/urandom >"$tmp/junk"
check "random bytes" 4 -- analyze --db "$db" "$tmp/junk"
[ ! -e "$db" ] || count "nothing stored from bad inputs" 0

# Out of memory in a core: the finding says what holds the heap (its dominator tree): the
# cache that goroutine 9's frame reaches, 60 MiB of the 60 MiB heap.
check "analyze an out-of-memory core" 0 -- analyze --no-store --width 400 --exe "$e/go1.22-crash2-stripped.zst" "$c/go1.22-crash2-oom-stripped/core.zst"
has "oom headline" "$tmp/out" "out of memory while allocating in main.(\*Cache).add"
has "what holds the heap" "$tmp/out" "held by .*object (32 B, untyped) shared by several roots (holding \[\]main.Entry) retains 60 MiB (99% of the"
has "how it is reached" "$tmp/out" "reached as goroutine 9: main.(\*Cache).add"
has "next step names it" "$tmp/out" "Start with what holds the memory"

# Storing: the last line says where, the same input twice is stored once.
check "analyze a dump" 0 -- analyze --db "$db" "$d/go1.19-nilderef-all.txt"
has "headline first" "$tmp/out" "nil pointer dereference"
last "stored line" "^stored in the archive as incident 1 "
last "first of its kind" "first of its kind (cluster [0-9]*)"
count "one incident" 1
check "analyze it again" 0 -- analyze --db "$db" "$d/go1.19-nilderef-all.txt"
last "idempotent" "^already in the archive as incident 1 "
count "still one incident" 1
check "the same bug from another Go version" 0 -- analyze --db "$db" "$d/go1.27-nilderef-all.txt"
last "seen before" "^stored in the archive as incident 2 .*seen 1 time before since [0-9-]* [0-9:]* (cluster [0-9]*)"
count "two incidents" 2
check "show the stored incident" 0 -- show --db "$db" 2
has "stored report" "$tmp/out" "nil pointer dereference"

# --json: stdout is one JSON document; the archive line goes to stderr.
check "--json" 0 -- analyze --json --db "$db" "$d/go1.22-panic-all.txt"
"$jsonvalid" "$tmp/out" || { echo "FAIL: --json output does not parse"; fail=$((fail + 1)); }
has "--json archive line on stderr" "$tmp/err" "stored in the archive as incident 3"
check "--json --no-store" 0 -- analyze --json --no-store "$d/go1.19-nilderef-all.txt"
"$jsonvalid" "$tmp/out" || { echo "FAIL: --json --no-store output does not parse"; fail=$((fail + 1)); }
printf '{"a": [1, 2,]}' >"$tmp/bad.json"
if "$jsonvalid" "$tmp/bad.json" 2>/dev/null; then
	echo "FAIL: json-valid accepts a trailing comma"
	fail=$((fail + 1))
fi

# A core, kept in the archive's artifact store.
check "a core with --keep" 0 -- analyze --db "$db" --keep \
	"$c/go1.22-crash2-contention-stripped/core.zst" --exe "$e/go1.22-crash2-stripped.zst"
has "core headline" "$tmp/out" "lock contention: 19 goroutines wait for mutex"
last "core stored" "^stored in the archive as incident 4 "
ls "$db.artifacts"/*/*.zst >/dev/null 2>&1 || { echo "FAIL: --keep kept nothing"; fail=$((fail + 1)); }
check "a core with --json" 0 -- analyze --json --db "$db" \
	"$c/go1.19-crash2-oom-dwarf/core.zst" --exe "$e/go1.19-crash2-dwarf.zst"
"$jsonvalid" "$tmp/out" || { echo "FAIL: core --json output does not parse"; fail=$((fail + 1)); }
has "oom in the JSON" "$tmp/out" '"oom"'

# --no-store leaves no archive anywhere; the default archive is under XDG_DATA_HOME.
check "--no-store" 0 -- analyze --no-store "$d/go1.19-nilderef-all.txt"
if grep -q "in the archive" "$tmp/out" "$tmp/err"; then
	echo "FAIL: --no-store mentions the archive"
	fail=$((fail + 1))
fi
if [ -e "$tmp/xdg" ] || [ -e "$tmp/home" ]; then
	echo "FAIL: --no-store created $(find "$tmp/xdg" "$tmp/home" 2>/dev/null | head -3)"
	fail=$((fail + 1))
fi
check "default archive" 0 -- analyze "$d/go1.19-nilderef-all.txt"
[ -f "$tmp/xdg/gopm/archive.db" ] || { echo "FAIL: no default archive under XDG_DATA_HOME"; fail=$((fail + 1)); }
last "default stored" "^stored in the archive as incident 1 "

# An archive that cannot be written: the report is still printed, with a warning and 1.
mkdir "$tmp/ro"
check "unwritable archive" 1 -- analyze --db "$tmp/ro/nodir/a.db" "$d/go1.19-nilderef-all.txt"
has "report despite the archive" "$tmp/out" "nil pointer dereference"
has "warning" "$tmp/err" "warning: not stored in the archive"

if [ "$fail" -eq 0 ]; then
	echo "analyze.sh: all passed"
	exit 0
fi
echo "analyze.sh: $fail failed"
exit 1
