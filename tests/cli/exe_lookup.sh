#!/bin/sh
# CLI tests of finding a core's executable after a deploy (doc/goroutines.md, "Finding the
# executable"): a wrong file where the core says its program was, the right one in a search
# directory of thousands of files (GOPM_EXE_PATH, --exe DIR) or a .build-id tree
# (GOPM_DEBUG_ROOT), none at all (info still prints what the core says, exit 5), and ingest
# of cores of two programs, each matched to its own executable. Needs zstd and split.
set -u
: "${GOPM:?}" "${top_srcdir:?}"
td=$top_srcdir/testdata
fx=$td/cores/go1.27-hang-dwarf
exe=$td/$(sed -n 's/^exe=//p' "$fx/meta")
fx2=$td/cores/go1.22-crash-leak-stripped
exe2=$td/$(sed -n 's/^exe=//p' "$fx2/meta")
wrong=$td/exe/go1.19-hang-dwarf.zst
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
n=0
unset GOPM_EXE_PATH
GOPM_DEBUG_ROOT=$tmp/no-debug-root
XDG_CACHE_HOME=$tmp/cache
export GOPM_DEBUG_ROOT XDG_CACHE_HOME

. "$top_srcdir/tests/cli/expect.sh"

bad() {
	echo "FAIL: $1"
	fail=$((fail + 1))
}

# The core names the path its program ran from; where that still exists, lookups find it
# there first and this test cannot tell the search from it.
named=$(zstd -dc "$fx/core.zst" | strings -n 8 | grep -m1 '^/tmp/gopm-fixture/.*/hang$' || true)
if [ -n "$named" ] && [ -e "$named" ]; then
	echo "skip: the core's own executable path $named exists here"
	exit 77
fi
gnu=$(zstd -dc "$exe" | od -An -tx1 -v | tr -d ' \n' | grep -o '040000001400000003000000474e5500[0-9a-f]\{40\}' | head -1 | cut -c33-)
[ -n "$gnu" ] || { echo "FAIL: no GNU build id in $exe"; exit 1; }

mkdir -p "$tmp/c" "$tmp/s1" "$tmp/s2" "$tmp/dbg/.build-id/$(echo "$gnu" | cut -c1-2)"
cp "$fx/core.zst" "$tmp/c/core.zst"

# Nothing to find: the core alone, and the ids to look for.
expect 5 1 "no executable anywhere" -- info "$tmp/c/core.zst"
grep -q "no executable found" "$tmp/err" || bad "not-found error not said"
grep -q "^build id: *$gnu" "$tmp/out" || bad "info does not print the core's GNU build id"
grep -q '^go build id: *[A-Za-z0-9_-]*/' "$tmp/out" || bad "info does not print the core's Go build id"
grep -q '^command: *./hang' "$tmp/out" || bad "info does not print the command line"
grep -q '^signal: *SIGABRT' "$tmp/out" || bad "info does not print the signal"
grep -q '^threads: [1-9]' "$tmp/out" || bad "info does not print the threads"
grep -q '^mappings: ' "$tmp/out" || bad "info does not print the mappings"
expect 5 1 "no executable anywhere, --json" -- info --json "$tmp/c/core.zst"
grep -q "\"core_build_id\": \"$gnu\"" "$tmp/out" || bad "info --json lacks core_build_id"

# A wrong program beside the core under the name the core gives: a clear mismatch.
zstd -dc "$wrong" >"$tmp/c/hang"
expect 5 1 "wrong executable where the core says" -- info "$tmp/c/core.zst"
grep -q 'does not match the core' "$tmp/err" || bad "mismatch not said"
grep -q 'rebuilt or replaced since the process started.*--exe' "$tmp/err" ||
	bad "mismatch found where the core says: what to do is not said"
expect 5 1 "wrong executable given" -- analyze --no-store --exe "$tmp/c/hang" "$tmp/c/core.zst"
grep -q 'does not match the core.*--force' "$tmp/err" || bad "mismatch given: --force not said"
# Forced, the other build reads the core (exit 0 or 1, whatever it makes of it), and that it
# is another build is the first warning, in the report and in JSON.
"$GOPM" analyze --no-store --force --exe "$tmp/c/hang" "$tmp/c/core.zst" \
	>"$tmp/out" 2>"$tmp/err"
st=$?
n=$((n + 1))
[ $st -le 1 ] || bad "forced wrong executable: exit $st"
grep -m1 '^  warning ' "$tmp/out" | grep -q 'not the build that ran.*--force' ||
	bad "forced wrong executable: not the first warning of the report"
"$GOPM" analyze --no-store --json --force --exe "$tmp/c/hang" "$tmp/c/core.zst" >"$tmp/out" 2>/dev/null
grep -A1 '"warnings"' "$tmp/out" | grep -q 'not the build that ran' ||
	bad "forced wrong executable: not the first warning in JSON"

# The build that ran kept beside the core under another name, the path the core names
# holding another build (a deploy): found in the core's directory by build id.
zstd -dcq "$exe" >"$tmp/c/hang-previous"
expect 0 0 "the build that ran beside the core, renamed" -- info "$tmp/c/core.zst"
grep -q 'hang-previous (from the core.s directory, by build id)' "$tmp/out" ||
	bad "the core's directory: the renamed build that ran not found by build id"
rm -f "$tmp/c/hang-previous"

# The right one renamed in a search directory full of other files: found by build id, fast.
head -c 12582912 /dev/urandom | split -b 4096 -a 4 - "$tmp/s2/junk-"
cp "$wrong" "$tmp/s2/other-program"
zstd -dc "$exe" >"$tmp/s2/hang-v2-deployed"
mkdir "$tmp/s2/subdir"
t0=$(date +%s)
GOPM_EXE_PATH=$tmp/s1:$tmp/nonexistent:$tmp/s2 expect 0 0 "GOPM_EXE_PATH" -- info "$tmp/c/core.zst"
t1=$(date +%s)
grep -q 'hang-v2-deployed (from search directory, by build id): GNU build id matches' "$tmp/out" ||
	bad "GOPM_EXE_PATH: not found by build id in the search directory"
# How much the search reads is counted by the core suite (core_exe_index_spares_reads: each
# file opened once, then answered from the index); the time is printed, never asserted.
echo "ok: searched $(ls "$tmp/s2" | wc -l) files in $((t1 - t0)) s"
# The build-id index remembers what the search read: the executable under its build id.
grep -q "^[0-9]* [0-9]* [0-9]* [0-9-]* [0-9-]* [0-9]* $gnu [^ ]* $tmp/s2/hang-v2-deployed\$" \
	"$tmp/cache/gopm/exe-index" || bad "the build-id index does not hold the deployed executable"
expect 0 0 "--exe DIR" -- goroutines --exe "$tmp/s2" "$tmp/c/core.zst"
grep -q '^goroutine 1 .*\[chan receive\]' "$tmp/out" || bad "--exe DIR: goroutines not read"

# One level of subdirectories is searched (releases/NAME), two are not (bounded).
mkdir -p "$tmp/s3/releases" "$tmp/s4/a/b"
zstd -qdc "$exe" >"$tmp/s3/releases/hang-v3"
zstd -qdc "$exe" >"$tmp/s4/a/b/hang-deep"
GOPM_EXE_PATH=$tmp/s3 expect 0 0 "a subdirectory of a search directory" -- info "$tmp/c/core.zst"
grep -q 's3/releases/hang-v3 (from search directory, by build id)' "$tmp/out" ||
	bad "not found one level below a search directory"
GOPM_EXE_PATH=$tmp/s4 expect 5 1 "two levels below a search directory" -- info "$tmp/c/core.zst"

# A .build-id tree (compressed there: any file gopm can open).
cp "$exe" "$tmp/dbg/.build-id/$(echo "$gnu" | cut -c1-2)/$(echo "$gnu" | cut -c3-)"
GOPM_DEBUG_ROOT=$tmp/dbg expect 0 0 ".build-id tree" -- info "$tmp/c/core.zst"
grep -q '(from .build-id tree): GNU build id matches' "$tmp/out" || bad ".build-id tree not used"

# ingest: cores of two programs named as systemd-coredump names them, the executables in two
# search directories under other names; each core is matched to its own executable.
mkdir -p "$tmp/coredump" "$tmp/e1" "$tmp/e2"
cp "$fx/core.zst" "$tmp/coredump/core.hang.0.5f2d1c0e9a7b4c3d8e6f1a2b3c4d5e6f.4242.1733300000000000.zst"
cp "$fx2/core.zst" "$tmp/coredump/core.crash.0.5f2d1c0e9a7b4c3d8e6f1a2b3c4d5e6f.4343.1733300001000000.zst"
cp "$exe" "$tmp/e1/service-a"
cp "$exe2" "$tmp/e2/service-b"
GOPM_EXE_PATH=$tmp/e1:$tmp/e2 expect 0 - "ingest of two programs' cores" -- ingest --db "$tmp/db" "$tmp/coredump"
grep -q '2 stored' "$tmp/err" || bad "ingest did not store both cores: $(tail -1 "$tmp/err")"
# exe is the path the process ran from; exe_read the executable found for it.
"$GOPM" sql --db "$tmp/db" "SELECT exe_read FROM incidents ORDER BY exe_read" >"$tmp/exes" 2>&1
grep -q 'e1/service-a' "$tmp/exes" || bad "ingest: the hang core did not get service-a"
grep -q 'e2/service-b' "$tmp/exes" || bad "ingest: the crash core did not get service-b"
# Their crash times come from systemd-coredump's file names (USEC), not the files' mtimes.
"$GOPM" sql --db "$tmp/db" --csv "SELECT time, time_source FROM incidents ORDER BY time" |
	tr -d '\r' | tail -n +2 | tr '\n' ' ' >"$tmp/times"
[ "$(cat "$tmp/times")" = "1733300000,coredump-name 1733300001,coredump-name " ] ||
	bad "ingest: crash times not from the coredump names: $(cat "$tmp/times")"

echo "$((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
