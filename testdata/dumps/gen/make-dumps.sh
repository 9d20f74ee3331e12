#!/usr/bin/env bash
# make-dumps.sh — text goroutine dumps for the dump parser, one set per Go toolchain.
#
# Usage: testdata/dumps/gen/make-dumps.sh [VERSION...]   (default: every toolchain found)
# Same environment variables as testdata/gen/make-fixtures.sh (GOPM_TOOLCHAINS,
# GOPM_TESTDATA, GOPM_SCRATCH). Writes testdata/dumps/<go>-<scenario>.txt:
#
#   <go>-hang-all.txt          SIGQUIT, GOTRACEBACK=all: every goroutine, user frames
#   <go>-hang-system.txt       SIGQUIT, GOTRACEBACK=system: plus runtime frames, fp/sp/pc
#   <go>-hang-single.txt       SIGQUIT with GOTRACEBACK unset
#   <go>-panic-single.txt      panic(err) in a goroutine, GOTRACEBACK unset (the default)
#   <go>-panic-all.txt         the same with GOTRACEBACK=all
#   <go>-nilderef-all.txt      nil pointer dereference (SIGSEGV panic), GOTRACEBACK=all
#   <go>-deadlock-single.txt   "all goroutines are asleep", GOTRACEBACK unset
#   <go>-pprof-debug1.txt      runtime/pprof goroutine profile, debug=1 (with labels)
#   <go>-pprof-debug2.txt      runtime/pprof goroutine profile, debug=2
#   <go>-runtime-stack.txt     runtime.Stack(buf, true)
#   <go>-hang-tracebacklabels.txt, <go>-pprof-debug2-tracebacklabels.txt
#                              Go 1.26+ only: GODEBUG=tracebacklabels=1 adds labels to
#                              goroutine headers
# The GOTRACEBACK=crash output of the same programs is stderr.txt of testdata/cores/*.
# No cores are written (ulimit -c 0). Each run happens in a neutral scratch directory in
# an empty environment; the files are checked for this machine's paths.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
script_args=("$@")
# The fixture library: toolchain lookup, build(), check_clean().
# shellcheck source=../../gen/make-fixtures.sh
source "$here/../../gen/make-fixtures.sh" lib
dumps=$testdata/dumps
# Versions asked for on our command line (sourcing the library reset "$@" to "lib").
if [ ${#script_args[@]} -gt 0 ]; then versions=("${script_args[@]}"); fi
mkdir -p "$dumps"

# run_dump OUT EXE STREAM ENV... -- ARGS...
# Runs EXE in $scratch/dumps with the extra environment and stores its stdout or stderr
# (STREAM) as $dumps/OUT.
run_dump() {
  local out=$1 exe=$2 stream=$3; shift 3
  local extra_env=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do extra_env+=("$1"); shift; done
  [ "${1:-}" = "--" ] && shift
  local dir=$scratch/dumps/$out prog; prog=$(basename "$exe")
  rm -rf "$dir"; mkdir -p "$dir"; cp "$exe" "$dir/$prog"
  set +e
  ( cd "$dir" && ulimit -c 0 &&
    exec timeout -s KILL 60 env -i PATH=/usr/bin:/bin HOME=/nonexistent GOMAXPROCS=4 \
      "${extra_env[@]}" "./$prog" "$@" >stdout.txt 2>stderr.txt </dev/null )
  local status=$?
  set -e
  cp "$dir/$stream.txt" "$dumps/$out.txt"
  chmod 644 "$dumps/$out.txt"
  check_clean "$dumps/$out.txt"
  local size; size=$(stat -c %s "$dumps/$out.txt")
  if [ "$size" -gt 204800 ]; then echo "make-dumps.sh: $out.txt is $size bytes" >&2; fi
  echo "$out.txt: exit=$status $size bytes" >&2
}

for v in "${versions[@]}"; do
  gs=$(goshort "$v")
  hang=$(BUILD_STORE=0 build "$v" hang dwarf)
  crash=$(BUILD_STORE=0 build "$v" crash dwarf)
  pd=$(BUILD_STORE=0 build "$v" pprofdump dwarf)

  run_dump "$gs-hang-all" "$hang" stderr GOTRACEBACK=all
  run_dump "$gs-hang-system" "$hang" stderr GOTRACEBACK=system
  run_dump "$gs-hang-single" "$hang" stderr
  run_dump "$gs-panic-single" "$crash" stderr -- panic
  run_dump "$gs-panic-all" "$crash" stderr GOTRACEBACK=all -- panic
  run_dump "$gs-nilderef-all" "$crash" stderr GOTRACEBACK=all -- nilderef
  run_dump "$gs-deadlock-single" "$crash" stderr -- deadlock
  run_dump "$gs-pprof-debug1" "$pd" stdout -- debug1
  run_dump "$gs-pprof-debug2" "$pd" stdout -- debug2
  run_dump "$gs-runtime-stack" "$pd" stdout -- stack

  # GODEBUG=tracebacklabels exists from Go 1.26 (see src/runtime/runtime1.go).
  if grep -q '"tracebacklabels"' "$(goroot "$v")/src/runtime/runtime1.go" 2>/dev/null; then
    run_dump "$gs-hang-tracebacklabels" "$hang" stderr GOTRACEBACK=all GODEBUG=tracebacklabels=1
    run_dump "$gs-pprof-debug2-tracebacklabels" "$pd" stdout GODEBUG=tracebacklabels=1 -- debug2
  fi
done
