#!/usr/bin/env bash
# Benchmark: `gopm heap` on a core with more than 1 GB of live heap, generated on demand
# (testdata/go/heapbig built with a Debian Go toolchain, crashed with GOTRACEBACK=crash; the
# core is not committed). Prints the runtime's totals, gopm's, wall time and peak RSS
# (best of 3 runs, page cache warm) and the first, cold run, for the walk alone
# (--no-retention) and with retention (reachability, paths, dominators).
#
#   bench/heap-bench.sh BUILD_DIR [GO_VERSION [MB]]
#
# BUILD_DIR holds an optimised gopm (configure CFLAGS=-O2, no sanitizers). GO_VERSION is a
# toolchain as in go-1.NN (default 1.22); MB the heap to build (default 1100). Toolchains:
# GOPM_TOOLCHAINS (default <repo>/../toolchains, see testdata/gen/toolchains.sh). Scratch:
# GOPM_SCRATCH (default /tmp/gopm-heap-bench), which needs about MB*1.3 MB of disk.
# The kernel's core_pattern must be a plain file name ("core").
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: bench/heap-bench.sh BUILD_DIR [GO_VERSION [MB]]}
ver=${2:-1.22}
mb=${3:-1100}
gopm=$(cd "$build" && pwd)/gopm
[ -x "$gopm" ] || { echo "no gopm in $build" >&2; exit 2; }
toolchains=${GOPM_TOOLCHAINS:-$top/../toolchains}
gr=$toolchains/root/usr/lib/go-$ver
[ -x "$gr/bin/go" ] || { echo "no Go $ver toolchain at $gr" >&2; exit 2; }
scratch=${GOPM_SCRATCH:-/tmp/gopm-heap-bench}
rm -rf "$scratch"; mkdir -p "$scratch/run"
trap 'rm -rf "$scratch"' EXIT INT TERM

(cd "$top/testdata/go" && env -i PATH="$gr/bin:/usr/bin:/bin" HOME="$scratch/home" GOROOT="$gr" \
  GOPATH="$scratch/gopath" GOCACHE="$scratch/gocache" GOTOOLCHAIN=local GOPROXY=off \
  GOFLAGS=-mod=mod CGO_ENABLED=0 "$gr/bin/go" build -trimpath -o "$scratch/run/heapbig" ./heapbig)
set +e
(cd "$scratch/run" && ulimit -c unlimited &&
  exec env -i PATH=/usr/bin:/bin GOTRACEBACK=crash GOMAXPROCS=4 ./heapbig "$mb" 2>stderr.txt >/dev/null)
set -e
core=$scratch/run/core
[ -f "$core" ] || core=$(ls "$scratch"/run/core.* 2>/dev/null | head -1)
[ -f "$core" ] || { echo "no core written (core_pattern: $(cat /proc/sys/kernel/core_pattern))" >&2; exit 1; }
echo "Go $ver, core $(du -m "$core" | cut -f1) MB"
grep -m1 '^memstats:' "$scratch/run/stderr.txt"

# run ARGS...: one `gopm heap` run; prints "seconds peak-RSS-KiB".
run() { /usr/bin/time -f '%e %M' -o "$scratch/time" "$gopm" heap --exe "$scratch/run/heapbig" "$@" "$core" >"$scratch/out" 2>&1 || true; tail -1 "$scratch/time"; }
# measure LABEL ARGS...: the first (cold) run and the best of 3 warm ones.
measure() {
  local label=$1; shift
  sync; echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || true
  read -r t rss < <(run "$@")
  echo "$label cold: ${t} s, peak RSS $((rss / 1024)) MB"
  best=""
  for i in 1 2 3; do
    read -r t rss < <(run "$@")
    if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; brss=$rss; fi
  done
  echo "$label warm: ${best} s, peak RSS $((brss / 1024)) MB"
}
# The walk alone (spans, objects, types, reconciliation), then with what keeps the heap
# alive (object graph, roots, paths, dominators).
measure "walk only     " --no-retention
sed -n '1,8p;/reconciliation/,/pagesInUse:/p' "$scratch/out"
measure "with retention"
sed -n '/^types:/,/^$/p;/what keeps it alive/,/pointers as the collector/p' "$scratch/out"
echo "(no Debian package analyses a Go heap from a core: viewcore and goref are not packaged, so there is no peer in this run)"
