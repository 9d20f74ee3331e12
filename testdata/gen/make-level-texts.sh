#!/bin/bash
# Runtime texts of the crash scenarios at the other GOTRACEBACK levels: runs the committed
# executables the scenario cores were taken from (testdata/exe/<go>-crash[2]-<variant>.zst)
# with GOTRACEBACK=single, all and system in an empty environment and keeps the runtime's
# stderr as testdata/dumps/levels/<go>-<scenario>-<level>.txt.zst. The cores of the same
# programs (testdata/cores/<go>-crash[2]-<scenario>-<variant>, GOTRACEBACK=crash) and these
# texts are the same bugs: the archive must put them in one cluster per bug.
#
# Usage: testdata/gen/make-level-texts.sh   (needs zstd; no Go toolchain: the executables
# are committed)
set -euo pipefail
testdata=$(cd "$(dirname "$0")/.." && pwd)
out=$testdata/dumps/levels
scratch=$(mktemp -d /tmp/gopm-levels-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$out"

# go version, variant of the committed executables
builds=("go1.19 dwarf" "go1.27 stripped")
# scenario, program
scenarios=("nilderef crash" "panic crash" "deadlock crash" "abba crash" "concmap crash"
           "contention crash2")
levels=(single all system)

for b in "${builds[@]}"; do
  set -- $b; go=$1 variant=$2
  for s in "${scenarios[@]}"; do
    set -- $s; scen=$1 prog=$2
    exe=$scratch/$prog
    zstd -q -d -f "$testdata/exe/$go-$prog-$variant.zst" -o "$exe"
    chmod +x "$exe"
    for level in "${levels[@]}"; do
      dir=$scratch/run && rm -rf "$dir" && mkdir -p "$dir" && cp "$exe" "$dir/$prog"
      set +e
      ( cd "$dir" && ulimit -c 0 &&
        exec setsid timeout -s KILL 120 env -i PATH=/usr/bin:/bin HOME=/nonexistent \
          GOTRACEBACK=$level GOMAXPROCS=4 "./$prog" "$scen" >/dev/null 2>stderr.txt </dev/null )
      status=$?
      set -e
      if ! grep -q '^goroutine ' "$dir/stderr.txt"; then
        echo "make-level-texts.sh: $go $scen $level: no goroutine (status $status)" >&2
        exit 1
      fi
      if grep -q -E '/tmp/|/home/|/root/|/work/' "$dir/stderr.txt"; then
        echo "make-level-texts.sh: $go $scen $level: machine-specific paths" >&2
        exit 1
      fi
      zstd -19 -q -f "$dir/stderr.txt" -o "$out/$go-$scen-$level.txt.zst"
      echo "$go-$scen-$level: status $status, $(grep -c '^goroutine ' "$dir/stderr.txt") goroutines"
    done
  done
done
