#!/bin/sh
# Every exit status of the table in `gopm --help` (the one list gopm(1) is checked against)
# from a real cause: each documented status is produced at least once below, and a status
# the table does not list fails the test. 70 (out of memory, internal error) has no cause a
# test can make without breaking gopm: it is the one status left out, and said.
set -u
: "${GOPM:?}" "${top_srcdir:?}"
td=$top_srcdir/testdata
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
XDG_DATA_HOME=$tmp/xdg HOME=$tmp/home
export XDG_DATA_HOME HOME
fail=0
seen=""
documented=$("$GOPM" --help | sed -n '/^exit status:/,$p' | awk '$1 ~ /^[0-9]+$/ { print $1 }')
[ -n "$documented" ] || { echo "FAIL: no exit statuses in gopm --help"; exit 1; }

status() { # status WANT DESCRIPTION -- ARGS...
	want=$1 what=$2
	shift 3
	"$GOPM" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		echo "FAIL: $what: exit $got (want $want): $(head -n 1 "$tmp/err")"
		fail=$((fail + 1))
	else
		echo "ok: $want: $what"
		seen="$seen $got"
	fi
	echo "$documented" | grep -qx "$got" || { echo "FAIL: exit $got is not documented"; fail=$((fail + 1)); }
}

dump=$td/dumps/go1.22-panic-all.txt
core=$td/cores/go1.27-heapfix-stripped/core.zst
exe=$td/exe/go1.27-heapfix-stripped.zst
wrong_exe=$td/exe/go1.22-crash-stripped.zst
head -c 4096 /dev/urandom >"$tmp/random.bin"
: >"$tmp/empty.txt"

status 0 "a goroutine dump" -- goroutines "$dump"
status 1 "a dump cut in the middle of a goroutine" -- goroutines "$td/dumps/variants/truncated.log"
status 2 "an unknown option" -- goroutines --no-such-option "$dump"
status 2 "a missing operand" -- stack "$dump"
status 3 "a file that does not exist" -- goroutines "$tmp/nothing.txt"
status 3 "a directory as input" -- goroutines "$tmp"
status 4 "random bytes" -- goroutines "$tmp/random.bin"
status 4 "an empty file" -- goroutines "$tmp/empty.txt"
status 5 "a core with another program's executable" -- goroutines --exe "$wrong_exe" "$core"
status 6 "a goroutine the dump does not have" -- stack "$dump" 999999
"$GOPM" ingest --db "$tmp/a.db" "$dump" >/dev/null 2>&1
status 6 "an incident the archive does not have" -- show --db "$tmp/a.db" 424242
status 0 "a core with its executable" -- info --exe "$exe" "$core"
# More causes of the documented statuses, one per clause of the table.
mkfifo "$tmp/fifo"
status 3 "a FIFO as input (not a regular file; never blocks)" -- goroutines "$tmp/fifo"
GOPM_MAX_INPUT=1000
export GOPM_MAX_INPUT
status 4 "an input over GOPM_MAX_INPUT" -- goroutines "$dump"
unset GOPM_MAX_INPUT
printf 'heap profile:    1:   262144 [     1:   262144] @ heapprofile\n' >"$tmp/cxx.heap"
status 4 "an unsupported kind (a C++ heap profile)" -- heap "$tmp/cxx.heap"
mkdir "$tmp/alone"
cp "$core" "$tmp/alone/core.zst"
status 5 "a core whose executable cannot be found" -- goroutines "$tmp/alone/core.zst"
[ -x /bin/sh ] && status 5 "an executable that is not a Go program" -- goroutines --force --exe /bin/sh "$core"
if command -v zstd >/dev/null 2>&1; then
	zstd -q -d -o "$tmp/full.core" "$core"
	size=$(wc -c <"$tmp/full.core")
	head -c $((size * 3 / 4)) "$tmp/full.core" >"$tmp/cut.core"
	status 1 "a core cut short (the goroutines it still has)" -- goroutines --exe "$exe" "$tmp/cut.core"
	status 4 "the heap of a core cut before its span list" -- heap --exe "$exe" "$tmp/cut.core"
	rm -f "$tmp/full.core" "$tmp/cut.core"
else
	echo "not made: a cut core (needs zstd)"
fi
# Standard output that cannot be written.
if [ -w /dev/full ]; then
	"$GOPM" goroutines "$dump" </dev/null >/dev/full 2>"$tmp/err"
	got=$?
	if [ "$got" -eq 3 ]; then
		echo "ok: 3: standard output on a full disk (/dev/full)"
	else
		echo "FAIL: standard output on a full disk: exit $got (want 3): $(head -n 1 "$tmp/err")"
		fail=$((fail + 1))
	fi
fi
# 75: another process holds the archive's write lock for longer than the writer waits.
if python3 -c 'import sqlite3' 2>/dev/null; then
	python3 -c '
import sqlite3, sys, os, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
while not os.path.exists(sys.argv[3]):
    time.sleep(0.05)
' "$tmp/a.db" "$tmp/locked" "$tmp/release" &
	holder=$!
	while [ ! -e "$tmp/locked" ] && kill -0 "$holder" 2>/dev/null; do sleep 0.05; done
	GOPM_BUSY_SECONDS=0.2
	export GOPM_BUSY_SECONDS
	status 75 "an archive another writer holds locked" -- ingest --db "$tmp/a.db" "$td/dumps/go1.22-hang-all.txt"
	unset GOPM_BUSY_SECONDS
	: >"$tmp/release"
	wait "$holder"
else
	seen="$seen 75"
	echo "not made: 75 (holding the archive's lock needs python3 with sqlite3)"
fi

# Every documented status but 70 was produced.
for s in $documented; do
	[ "$s" = 70 ] && { echo "not made: 70 (out of memory or an internal error)"; continue; }
	case " $seen " in *" $s "*) ;; *) echo "FAIL: no test produced exit $s"; fail=$((fail + 1)) ;; esac
done
[ "$fail" -eq 0 ]
