#!/usr/bin/env bash
# make-pprof-fixtures.sh — heap profiles with sampling to undo: the heaprate program
# (testdata/go/heaprate) built with several Go toolchains, run at the default
# MemProfileRate (512 KiB) and at a custom one (4096), each writing the same MemProfile
# snapshot twice:
#   pprof/goX.Y-heaprate-RATE.pb.gz           profile.proto (debug=0: runtime/pprof scaled it)
#   pprof/goX.Y-heaprate-RATE.debug1.txt.zst  the legacy text (debug=1: raw sampled counts,
#                                             "@ heap/2*MemProfileRate")
#   pprof/goX.Y-heaprate-RATE.expected        what `go tool pprof -raw` makes of each: the
#                                             sums of its samples' four values, the totals
#                                             gopm must print (the tests need no Go).
# Conventions (env -i, -trimpath, neutral scratch dir, machine-path check) are those of
# make-fixtures.sh, whose functions this script sources.
#
# Usage: testdata/gen/make-pprof-fixtures.sh [VERSION...]   (default: 1.19 1.27)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
req=("$@")
# shellcheck source=make-fixtures.sh
source "$here/make-fixtures.sh" lib
mkdir -p "$testdata/pprof"
[ ${#req[@]} -gt 0 ] || req=(1.19 1.27)

# raw_totals GOROOT FILE: "alloc_objects alloc_space inuse_objects inuse_space" summed over
# the samples `go tool pprof -raw` lists (its columns, in its order, are named on the line
# before the first sample and checked here).
raw_totals() {
  local gr=$1 f=$2 out
  out=$(env -i PATH="$gr/bin:/usr/bin:/bin" HOME="$scratch/home" PPROF_TMPDIR="$scratch" \
    GOROOT="$gr" GOTOOLCHAIN=local "$gr/bin/go" tool pprof -raw "$f" 2>/dev/null)
  grep -qx 'alloc_objects/count alloc_space/bytes inuse_objects/count inuse_space/bytes' <<<"$out" ||
    { echo "make-pprof-fixtures.sh: unexpected sample types in pprof -raw of $f" >&2; return 1; }
  awk '/^ *[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+:/ {
         sub(":", "", $4); a += $1; b += $2; c += $3; d += $4; n++ }
       END { printf "samples=%d alloc_objects=%d alloc_space=%d inuse_objects=%d inuse_space=%d\n",
             n, a, b, c, d }' <<<"$out"
}

for v in "${req[@]}"; do
  gs=$(goshort "$v")
  gr=$(goroot "$v")
  exe=$(BUILD_STORE=0 build "$v" heaprate dwarf)
  for rate in default 4096; do
    dir=$scratch/$gs-heaprate-$rate
    rm -rf "$dir"
    mkdir -p "$dir"
    arg=()
    [ "$rate" = default ] || arg=(-rate "$rate")
    (cd "$dir" && env -i PATH=/usr/bin:/bin "$exe" "${arg[@]}" heap.pb.gz heap.txt >stdout.txt)
    check_clean "$dir/heap.pb.gz" "$dir/heap.txt"
    base=$testdata/pprof/$gs-heaprate-$rate
    cp "$dir/heap.pb.gz" "$base.pb.gz"
    zstd -19 -q -f "$dir/heap.txt" -o "$base.debug1.txt.zst"
    {
      echo "# go tool pprof -raw ($(gofull "$v")): sums of the samples' values"
      echo "go=$(gofull "$v")"
      echo "program=heaprate${arg[*]:+ ${arg[*]}}"
      echo "known=$(cat "$dir/stdout.txt")"
      echo "header=$(head -n 1 "$dir/heap.txt")"
      echo "pb $(raw_totals "$gr" "$dir/heap.pb.gz")"
      echo "debug1 $(raw_totals "$gr" "$dir/heap.txt")"
    } >"$base.expected"
    chmod 644 "$base".*
    cat "$base.expected" >&2
  done
done
