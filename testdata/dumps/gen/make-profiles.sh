#!/usr/bin/env bash
# make-profiles.sh — goroutine profiles in protobuf form (debug=0) and the goroutineleak
# profile, one set per Go toolchain, from testdata/go/pprofdump.
#
# Usage: testdata/dumps/gen/make-profiles.sh [VERSION...]   (default: every toolchain found)
# HEXPATHS_ONLY=1 makes only the hexpaths profiles.
# Same environment variables as testdata/gen/make-fixtures.sh. Writes
# testdata/dumps/profiles/:
#
#   <go>-goroutine.pb.gz        pprof.Lookup("goroutine").WriteTo(w, 0), as
#                               /debug/pprof/goroutine serves it
#   <go>-goroutine.debug1.txt   debug=1 of the same goroutines, written right after by the
#                               same process: the runtime's own text of that profile
#   <go>-goroutineleak.pb.gz, <go>-goroutineleak.debug1.txt, <go>-goroutineleak.debug2.txt
#                               Go 1.26+: the goroutineleak profile at debug=0, 1 and 2
#                               (separate runs), two goroutines leaked on a channel
#   <go>-goroutine{,leak}.traces.txt, .traces-lines.txt
#                               `go tool pprof -traces` (and -traces -lines) of the protobuf
#                               profile, printed by the newest toolchain's pprof
# and testdata/dumps/:
#   <go>-pprof-hexpaths.txt     debug=1 of testdata/go/hexpaths (a module of its own,
#                               example.com/app: paths and names that start with hex letters)
# The programs run in a neutral scratch directory in an empty environment; the files are
# checked for this machine's paths (the protobuf after gunzip).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
script_args=("$@")
# shellcheck source=../../gen/make-fixtures.sh
source "$here/../../gen/make-fixtures.sh" lib
out=$testdata/dumps/profiles
if [ ${#script_args[@]} -gt 0 ]; then versions=("${script_args[@]}"); fi
mkdir -p "$out"

# run NAME EXE ARG: runs EXE ARG in $scratch/profiles/NAME; leaves stdout.bin, stderr.txt.
run() {
  local name=$1 exe=$2 arg=$3
  local dir=$scratch/profiles/$name prog; prog=$(basename "$exe")
  rm -rf "$dir"; mkdir -p "$dir"; cp "$exe" "$dir/$prog"
  ( cd "$dir" && ulimit -c 0 &&
    exec timeout -s KILL 60 env -i PATH=/usr/bin:/bin HOME=/nonexistent GOMAXPROCS=4 \
      "./$prog" "$arg" >stdout.bin 2>stderr.txt </dev/null )
  echo "$dir"
}

# keep SRC DEST: copies a profile into the fixtures and checks it is clean.
keep() {
  cp "$1" "$out/$2"
  chmod 644 "$out/$2"
  case $2 in
    *.gz) gzip -dc "$out/$2" >"$scratch/profiles/check.bin"; check_clean "$scratch/profiles/check.bin" ;;
    *) check_clean "$out/$2" ;;
  esac
  echo "$2: $(stat -c %s "$out/$2") bytes" >&2
}

for v in "${versions[@]}"; do
  [ -z "${HEXPATHS_ONLY:-}" ] || break
  gs=$(goshort "$v")
  pd=$(BUILD_STORE=0 build "$v" pprofdump dwarf)
  d=$(run "$gs-goroutine" "$pd" debug01)
  keep "$d/stdout.bin" "$gs-goroutine.pb.gz"
  keep "$d/stderr.txt" "$gs-goroutine.debug1.txt"
  # The goroutineleak profile exists from Go 1.26 (runtime/pprof/pprof.go).
  if grep -q '"goroutineleak"' "$(goroot "$v")/src/runtime/pprof/pprof.go" 2>/dev/null; then
    for k in 0 1 2; do
      d=$(run "$gs-goroutineleak$k" "$pd" "leak$k")
      case $k in
        0) keep "$d/stdout.bin" "$gs-goroutineleak.pb.gz" ;;
        *) keep "$d/stdout.bin" "$gs-goroutineleak.debug$k.txt" ;;
      esac
    done
  fi
done

# The protobuf profiles as `go tool pprof -traces` lists them, by the last toolchain's pprof.
tv=${versions[${#versions[@]}-1]}
for pb in "$out"/*.pb.gz; do
  base=${pb%.pb.gz}
  for form in traces traces-lines; do
    opts=(-traces)
    [ "$form" = traces ] || opts+=(-lines)
    env -i PATH="$(goroot "$tv")/bin:/usr/bin:/bin" HOME="$scratch/home" \
      "$(goroot "$tv")/bin/go" tool pprof "${opts[@]}" "$pb" >"$base.$form.txt" 2>/dev/null
    check_clean "$base.$form.txt"
  done
done

# hexpaths is a module of its own (its paths must start with a hex letter): built in place.
for v in "${versions[@]}"; do
  gs=$(goshort "$v") gr=$(goroot "$v")
  dir=$scratch/build/$gs-hexpaths
  rm -rf "$dir"; mkdir -p "$dir"
  (cd "$src/hexpaths" && env -i PATH="$gr/bin:/usr/bin:/bin" HOME="$scratch/home" \
     GOROOT="$gr" GOPATH="$scratch/gopath" GOCACHE="$scratch/gocache-$v" \
     GOTOOLCHAIN=local GOPROXY=off CGO_ENABLED=0 GO111MODULE=on \
     "$gr/bin/go" build -trimpath -o "$dir/hexpaths" .) >&2
  d=$(run "$gs-hexpaths" "$dir/hexpaths" x)
  cp "$d/stdout.bin" "$testdata/dumps/$gs-pprof-hexpaths.txt"
  chmod 644 "$testdata/dumps/$gs-pprof-hexpaths.txt"
  check_clean "$testdata/dumps/$gs-pprof-hexpaths.txt"
done
