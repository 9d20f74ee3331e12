#!/usr/bin/env bash
# make-heap-fixtures.sh — fixtures for the heap reader: the heapfix program (testdata/go/heapfix,
# a heap of known contents) built with several Go toolchains and left behind as
#   cores/goX.Y-heapfix-VARIANT/   a core taken with GOTRACEBACK=crash right after the program
#                                  printed runtime.ReadMemStats (the oracle for totals),
#   heapdumps/goX.Y-heapfix.dump.zst   runtime/debug.WriteHeapDump output,
#   pprof/goX.Y-heapfix.pb.gz          heap profile (profile.proto) and
#   pprof/goX.Y-heapfix.debug1.txt.zst the same profile as ?debug=1 text.
# Conventions (env -i, -trimpath, neutral scratch dir, machine-path check, meta files) are
# those of make-fixtures.sh, whose functions this script sources.
#
# Usage: testdata/gen/make-heap-fixtures.sh [cores|files|all] [VERSION...]
#   VERSION as in go-1.NN (default: the set below).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
what=${1:-all}
shift || true
req=("$@")
# shellcheck source=make-fixtures.sh
source "$here/make-fixtures.sh" lib
mkdir -p "$testdata/heapdumps" "$testdata/pprof"

# Versions and variants: pre-allocation-header heaps (1.19, 1.21), the 1.22 header heap,
# and the newest releases; DWARF and stripped for the first and last.
declare -A core_variants=(
  [1.19]="dwarf stripped" [1.21]="stripped" [1.22]="dwarf stripped" [1.24]="stripped"
  [1.26]="stripped" [1.27]="dwarf stripped"
)
file_versions=(1.19 1.22 1.27)
[ ${#req[@]} -gt 0 ] || req=(1.19 1.21 1.22 1.24 1.26 1.27)

heap_cores() {
  local v variant exe
  for v in "${req[@]}"; do
    for variant in ${core_variants[$v]:-}; do
      exe=$(build "$v" heapfix "$variant")
      META_HEAD=$(meta_head "$v" heapfix "$variant") \
        take_core "$(goshort "$v")-heapfix-$variant" "$exe" '^SIGQUIT: quit' -- core
      # The runtime's own accounting, printed just before the signal.
      grep -m1 '^memstats:' "$testdata/cores/$(goshort "$v")-heapfix-$variant/stderr.txt" >&2
    done
  done
}

# run_file VERSION MODE OUT: runs heapfix MODE OUT in the neutral directory.
run_file() {
  local v=$1 mode=$2 out=$3 exe dir
  exe=$(BUILD_STORE=0 build "$v" heapfix dwarf)
  dir=$scratch/$(goshort "$v")-heapfix-$mode
  rm -rf "$dir"; mkdir -p "$dir"; cp "$exe" "$dir/heapfix"
  (cd "$dir" && env -i PATH=/usr/bin:/bin HOME=/nonexistent GOMAXPROCS=4 ./heapfix "$mode" "$out" >stdout.txt)
  echo "$dir"
}

heap_files() {
  local v gs dir ddir
  for v in "${req[@]}"; do
    case " ${file_versions[*]} " in *" $v "*) ;; *) continue ;; esac
    gs=$(goshort "$v")
    ddir=$(run_file "$v" dump heap.dump)
    check_clean "$ddir/heap.dump"
    zstd -19 -q -f "$ddir/heap.dump" -o "$testdata/heapdumps/$gs-heapfix.dump.zst"
    dir=$(run_file "$v" pprof heap.pb.gz)
    check_clean "$dir/heap.pb.gz" "$dir/heap.pb.gz.txt"
    cp "$dir/heap.pb.gz" "$testdata/pprof/$gs-heapfix.pb.gz"
    zstd -19 -q -f "$dir/heap.pb.gz.txt" -o "$testdata/pprof/$gs-heapfix.debug1.txt.zst"
    {
      echo "go=$(gofull "$v")"
      echo "program=heapfix"
      echo "exe=exe/$gs-heapfix-dwarf.zst (same source; build of this script)"
      echo "known=$(cat "$dir/stdout.txt")"
    } > "$testdata/heapdumps/$gs-heapfix.meta"
    cp "$testdata/heapdumps/$gs-heapfix.meta" "$testdata/pprof/$gs-heapfix.meta"
    chmod 644 "$testdata/heapdumps/$gs"-* "$testdata/pprof/$gs"-*
    echo "$gs: heap dump $(stat -c %s "$ddir/heap.dump") bytes, profile $(stat -c %s "$dir/heap.pb.gz") bytes" >&2
  done
}

case $what in
  cores) heap_cores ;;
  files) heap_files ;;
  all) heap_cores; heap_files ;;
  *) echo "usage: $0 [cores|files|all] [VERSION...]" >&2; exit 2 ;;
esac
