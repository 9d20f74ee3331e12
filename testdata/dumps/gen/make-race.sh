#!/usr/bin/env bash
# make-race.sh — race detector reports for the race report reader, one set per Go toolchain.
#
# Usage: testdata/dumps/gen/make-race.sh [VERSION...]   (default: 1.19 1.27)
# Same environment variables as testdata/gen/make-fixtures.sh (GOPM_TOOLCHAINS,
# GOPM_TESTDATA, GOPM_SCRATCH). Builds testdata/go/race with -race -trimpath (the race
# runtime needs cgo) and writes testdata/dumps/race/<go>-<scenario>.txt:
#
#   <go>-plain.txt   "race plain": one report (a goroutine and main write one field),
#                    then "Found 1 data race(s)"; the program's stderr
#   <go>-multi.txt   "race multi": three reports, two of them of the same pair of lines
#                    reached from different callers, the third with a finished writer
#   <go>-test.txt    go test -race of testdata/go/racetest: a map written in a goroutine
#                    while the test reads it, with go test's --- FAIL, testing.go and FAIL
#                    lines (stdout and stderr of go test, as a terminal shows them)
#
# old-format.txt beside them is hand-made (see testdata/dumps/race/README.md).
# Each run happens in a neutral scratch directory in an empty environment; the files
# are checked for this machine's paths.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
script_args=("$@")
# The fixture library: toolchain lookup, goroot(), goshort(), check_clean().
# shellcheck source=../../gen/make-fixtures.sh
source "$here/../../gen/make-fixtures.sh" lib
out=$testdata/dumps/race
versions=(1.19 1.27)
if [ ${#script_args[@]} -gt 0 ]; then versions=("${script_args[@]}"); fi
mkdir -p "$out"

# goenv VERSION CMD...: runs the toolchain's go in a clean, private environment
# (no module downloads, caches in scratch). -race needs cgo.
goenv() {
  local v=$1; shift
  local gr; gr=$(goroot "$v")
  (cd "$src" && env -i PATH="$gr/bin:/usr/bin:/bin" HOME="$scratch/home" \
     GOROOT="$gr" GOPATH="$scratch/gopath" GOCACHE="$scratch/gocache-$v" \
     GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod CGO_ENABLED=1 GO111MODULE=on \
     "$gr/bin/go" "$@")
}

# keep NAME FILE: stores FILE as $out/NAME.txt after the path check.
keep() {
  cp "$2" "$out/$1.txt"
  chmod 644 "$out/$1.txt"
  check_clean "$out/$1.txt"
  echo "$1.txt: $(stat -c %s "$out/$1.txt") bytes" >&2
}

for v in "${versions[@]}"; do
  gs=$(goshort "$v")
  dir=$scratch/race/$gs
  rm -rf "$dir"; mkdir -p "$dir"
  goenv "$v" build -trimpath -race -o "$dir/race" ./race >&2
  for mode in plain multi; do
    set +e
    ( cd "$dir" && exec timeout -s KILL 60 env -i PATH=/usr/bin:/bin HOME=/nonexistent \
        GOMAXPROCS=4 ./race "$mode" >"stdout-$mode.txt" 2>"stderr-$mode.txt" </dev/null )
    status=$?
    set -e
    [ "$status" = 66 ] || { echo "make-race.sh: race $mode exited $status, expected 66" >&2; exit 1; }
    keep "$gs-$mode" "$dir/stderr-$mode.txt"
  done
  set +e
  goenv "$v" test -trimpath -race -count=1 ./racetest >"$dir/test.txt" 2>&1 </dev/null
  status=$?
  set -e
  [ "$status" = 1 ] || { echo "make-race.sh: go test exited $status, expected 1" >&2; exit 1; }
  keep "$gs-test" "$dir/test.txt"
done
