#!/usr/bin/env bash
# make-fixtures.sh — build the fixture programs with each Go toolchain, run them until
# they crash with GOTRACEBACK=crash, and store the core (zstd), the runtime's own
# traceback (stderr.txt, the oracle) and a meta file per fixture.
#
# Usage: testdata/gen/make-fixtures.sh [go|bench|labels|crash2|npm|all] [VERSION...]
#   go     (default) hang/crash/many fixtures for the given Go versions (default: all found)
#   labels only the hang-with-GODEBUG=tracebacklabels=1 fixtures (Go 1.26+; part of "go")
#   crash2 only the crash2 scenarios (workers, oom, contention; part of "go")
#   gcore  live snapshots taken with gdb (gcore.zst) and the kernel core of right after
#          (Go 1.19, 1.22, 1.27; needs gdb)
#   bench  the 100,000-goroutine core (go1.19, DWARF) for the Delve benchmark; it is
#          too big to commit (core.zst 9.8 MB, stderr.txt.zst 3.7 MB; 335 MB uncompressed,
#          ~8 min): write it elsewhere with GOPM_TESTDATA=/some/dir
#   npm    cores of real stripped Go programs from npm packages (see npm-fixtures.sh)
#   all    go + npm
#   VERSION is a toolchain version as in go-1.NN, e.g. 1.19 1.27.
#
# Environment (all optional):
#   GOPM_TOOLCHAINS  directory given to toolchains.sh   (default: <repo>/../toolchains)
#   GOPM_TESTDATA    where fixtures go                  (default: <repo>/testdata)
#   GOPM_SCRATCH     neutral scratch directory; the programs run here, and its path is
#                    what ends up in the cores          (default: /tmp/gopm-fixture)
#   GOPM_BENCH_N     goroutines for "bench"             (default: 100000)
#
# Needs: the toolchains (testdata/gen/toolchains.sh), zstd, python3, strings.
# The kernel's core_pattern must be a plain file name ("core"): cores land in the cwd.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
toolchains=${GOPM_TOOLCHAINS:-$repo/../toolchains}
testdata=${GOPM_TESTDATA:-$repo/testdata}
scratch=${GOPM_SCRATCH:-/tmp/gopm-fixture}
bench_n=${GOPM_BENCH_N:-100000}
src=$repo/testdata/go

mode=${1:-go}
shift || true

pattern=$(cat /proc/sys/kernel/core_pattern)
case $pattern in
  \|*) echo "make-fixtures.sh: core_pattern is a pipe ($pattern); need a plain file name" >&2; exit 1 ;;
esac
case $pattern in
  core|core.*) ;;
  *) echo "make-fixtures.sh: warning: core_pattern is '$pattern', expecting 'core'" >&2 ;;
esac

mkdir -p "$scratch/build" "$testdata/cores" "$testdata/exe"

# goroot VERSION -> GOROOT of that Debian toolchain
goroot() { echo "$toolchains/root/usr/lib/go-$1"; }

# short Go version of a toolchain: go1.19
goshort() { echo "go$1"; }

# full Go version: go1.19.8
gofull() { GOROOT=$(goroot "$1") "$(goroot "$1")/bin/go" env GOVERSION; }

# build VERSION PROGRAM VARIANT -> prints the path of the built executable.
# Variants: dwarf (default build), stripped (-s -w), pie (-buildmode=pie, DWARF kept),
# piestripped (-buildmode=pie -s -w).
build() {
  local v=$1 prog=$2 variant=$3
  local gr; gr=$(goroot "$v")
  local tag=${BUILD_TAG:+-$BUILD_TAG}
  local out=$scratch/build/$(goshort "$v")-$prog$tag-$variant
  local flags=(-trimpath)
  case $variant in
    dwarf) ;;
    stripped) flags+=(-ldflags=-s\ -w) ;;
    pie) flags+=(-buildmode=pie) ;;
    piestripped) flags+=(-buildmode=pie -ldflags=-s\ -w) ;;
    *) echo "unknown variant $variant" >&2; return 1 ;;
  esac
  mkdir -p "$out"
  # A clean, private environment: no module downloads, no cgo, caches in scratch.
  (cd "$src" && env -i PATH="$gr/bin:/usr/bin:/bin" HOME="$scratch/home" \
     GOROOT="$gr" GOPATH="$scratch/gopath" GOCACHE="$scratch/gocache-$v" \
     GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod CGO_ENABLED=0 GO111MODULE=on \
     "$gr/bin/go" build "${flags[@]}" -o "$out/$prog" "./$prog") >&2
  # Store the executable, one per build, shared by all cores of that build
  # (not for builds only used for text dumps: BUILD_STORE=0).
  if [ "${BUILD_STORE:-1}" = 0 ]; then echo "$out/$prog"; return 0; fi
  local exe=$testdata/exe/$(goshort "$v")-$prog$tag-$variant.zst
  zstd -19 -q -f "$out/$prog" -o "$exe"
  chmod 644 "$exe"
  echo "$out/$prog"
}

# check_clean FILE...: machine-specific paths must not be in committed data.
# (grep without -q: with pipefail an early exit of grep would fail the pipeline.)
# The default names where this checkout and its user live, whatever machine this is.
clean_pattern=${GOPM_DIRTY_PATTERN:-${repo%/*}/|$HOME/|/home/|/root/|\.dockerenv}
check_clean() {
  local f bad=0
  for f in "$@"; do
    if strings -n 4 "$f" | grep -i -E "$clean_pattern" >/dev/null; then
      echo "make-fixtures.sh: $f contains machine-specific paths:" >&2
      strings -n 4 "$f" | grep -i -E "$clean_pattern" | head -5 >&2 || true
      bad=1
    fi
  done
  return $bad
}

# take_core NAME EXE EXPECT ENV... -- ARGS...
# Runs EXE (copied into $scratch/NAME) with GOTRACEBACK=crash in an empty environment,
# waits for it to dump core, and stores core.zst, stderr.txt, stdout.txt and meta.
# EXPECT is an extended regexp a line of stderr must match (the runtime's first line;
# a program may print its own lines before it); up to 3 tries.
# Extra KEY=VALUE words before "--" are added to the environment and to meta.
# Optional variables (for programs that do not crash by themselves):
#   TC_SETUP       a shell function run in the scratch directory before the start
#   TC_STDIN=fifo  stdin is a FIFO the program itself holds open: reads block forever
#   TC_QUIT_AFTER  seconds after which this script sends SIGQUIT to the program
#   TC_ULIMIT_V    address-space limit in KiB (ulimit -v) the program runs under: out of
#                  memory without filling this machine's memory (recorded as ulimit_v=)
#   TC_GCORE       gcore|gdb: first take a snapshot of the live process with gdb
#                  (gcore PID, or gdb -batch -ex generate-core-file), stored as gcore.zst,
#                  then send SIGQUIT: the kernel core and the traceback of right after are
#                  the oracle for the snapshot. The program runs with GOPM_HOLD=1 (it waits
#                  instead of sending itself SIGQUIT); TC_HOLD is an extended regexp its
#                  stdout prints when everything has settled.
#   TC_CHROOT=1    run it with a private root directory that holds nothing but its own
#                  scratch directory (under the same path): programs that list parent
#                  directories (esbuild's watcher) then see nothing of this machine.
#                  Only for static executables.
# The program runs in its own session; whatever is left of its process group (children
# such as a hook's "sleep") is killed by group id afterwards.
take_core() {
  local name=$1 exe=$2 expect=$3; shift 3
  local extra_env=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do extra_env+=("$1"); shift; done
  [ "${1:-}" = "--" ] && shift
  local args=("$@")
  local prog; prog=$(basename "$exe")
  local rundir=$scratch/$name try status root="" dir
  if [ -n "${TC_CHROOT:-}" ]; then root=$scratch/chroot/$name; fi
  dir=$root$rundir   # the same directory as seen from here
  for try in 1 2 3; do
    if [ -n "$root" ]; then rm -rf "$root"; fi
    rm -rf "$dir"; mkdir -p "$dir"
    cp "$exe" "$dir/$prog"
    if [ -n "${TC_SETUP:-}" ]; then (cd "$dir" && "$TC_SETUP"); fi
    local stdin=/dev/null
    if [ "${TC_STDIN:-}" = fifo ]; then mkfifo "$dir/stdin.fifo"; stdin=stdin.fifo; fi
    set +e
    # The program runs in the neutral directory with nothing of this machine's
    # environment, in a session of its own; a watchdog kills it if it never crashes.
    # (Opening the FIFO read-write makes the program its own writer: no EOF ever.)
    local chroot=() hold=()
    if [ -n "${TC_GCORE:-}" ]; then hold=(GOPM_HOLD=1); fi
    if [ -n "$root" ]; then chroot=(unshare --root="$root" --wd="$rundir"); fi
    ( cd "$dir" && ulimit -c unlimited &&
      { [ -z "${TC_ULIMIT_V:-}" ] || ulimit -v "$TC_ULIMIT_V"; } &&
      exec setsid env -i PATH=/usr/bin:/bin HOME=/nonexistent GOTRACEBACK=crash GOMAXPROCS=4 \
        "${extra_env[@]}" "${hold[@]}" "${chroot[@]}" "./$prog" "${args[@]}" >stdout.txt 2>stderr.txt <>"$stdin" ) &
    local pid=$!
    ( sleep 120; kill -KILL -- -$pid 2>/dev/null; kill -KILL $pid 2>/dev/null ) & local wd=$!
    if [ -n "${TC_GCORE:-}" ]; then
      local waited=0
      until grep -q -E "$TC_HOLD" "$dir/stdout.txt" 2>/dev/null || [ $waited -ge 300 ]; do
        sleep 0.1; waited=$((waited + 1))
      done
      sleep 0.5
      rm -f "$dir"/gcore*
      case $TC_GCORE in
        gcore) gcore -o "$dir/gcore" $pid >/dev/null 2>&1 || true
               if [ -f "$dir/gcore.$pid" ]; then mv "$dir/gcore.$pid" "$dir/gcore"; fi ;;
        gdb) gdb -nx -batch -p $pid -ex "generate-core-file $dir/gcore" >/dev/null 2>&1 || true ;;
      esac
      kill -QUIT $pid 2>/dev/null || true
    fi
    if [ -n "${TC_QUIT_AFTER:-}" ]; then
      sleep "$TC_QUIT_AFTER"
      kill -QUIT $pid 2>/dev/null || true
    fi
    { wait $pid; } 2>/dev/null; status=$?
    kill $wd 2>/dev/null; wait $wd 2>/dev/null
    kill -KILL -- -$pid 2>/dev/null  # leftovers of the program's process group
    set -e
    # With kernel.core_uses_pid=1 the core is core.PID.
    if [ ! -f "$dir/core" ] && [ -f "$dir/core.$pid" ]; then mv "$dir/core.$pid" "$dir/core"; fi
    if [ -f "$dir/core" ] && grep -q -E "$expect" "$dir/stderr.txt" &&
       { [ -z "${TC_GCORE:-}" ] || [ -f "$dir/gcore" ]; }; then
      break
    fi
    echo "make-fixtures.sh: $name try $try: status $status, first line: $(head -1 "$dir/stderr.txt")" >&2
    [ $try = 3 ] && { echo "make-fixtures.sh: $name failed" >&2; return 1; }
  done
  check_clean "$dir/core" "$dir/stderr.txt" "$dir/stdout.txt"
  if [ -n "${TC_GCORE:-}" ]; then check_clean "$dir/gcore"; fi

  local out=$testdata/cores/$name
  rm -rf "$out"; mkdir -p "$out"
  zstd -19 --long=27 -q -f "$dir/core" -o "$out/core.zst"
  # The traceback verbatim; big ones (thousands of goroutines) zstd-compressed.
  local stderr_name=stderr.txt
  if [ "$(stat -c %s "$dir/stderr.txt")" -gt 204800 ]; then
    stderr_name=stderr.txt.zst
    zstd -19 -q -f "$dir/stderr.txt" -o "$out/$stderr_name"
  else
    cp "$dir/stderr.txt" "$out/stderr.txt"
  fi
  if [ -s "$dir/stdout.txt" ]; then cp "$dir/stdout.txt" "$out/stdout.txt"; fi
  # gdb dumps the runtime's PROT_NONE reservations as zeros: GBs that compress to KBs.
  if [ -n "${TC_GCORE:-}" ]; then zstd -19 --long=27 -q -f "$dir/gcore" -o "$out/gcore.zst"; fi
  chmod 644 "$out"/*

  # Facts from the traceback: distinct goroutine ids (0 is a thread's g0, not a
  # goroutine), the first printed goroutine and its top frame.
  local goroutines first_g first_func
  goroutines=$(grep -E '^goroutine [0-9]+ ' "$dir/stderr.txt" | awk '$2 != "0" {print $2}' | sort -u | wc -l)
  first_g=$(grep -m1 -E '^goroutine [1-9][0-9]* ' "$dir/stderr.txt" | sed -E 's/:$//' || true)
  first_func=$(grep -m1 -A1 -E '^goroutine [1-9][0-9]* ' "$dir/stderr.txt" | tail -1 | sed -E 's/\([^()]*\)$//' || true)
  {
    echo "name=$name"
    echo "${META_HEAD}"
    echo "args=${args[*]}"
    echo "cwd=$rundir"
    if [ -n "$root" ]; then echo "chroot=yes"; fi
    if [ -n "${TC_ULIMIT_V:-}" ]; then echo "ulimit_v=$TC_ULIMIT_V"; fi
    if [ -n "${TC_GCORE:-}" ]; then
      echo "gcore=gcore.zst"
      echo "gcore_by=$TC_GCORE"
      echo "gcore_size=$(stat -c %s "$dir/gcore")"
      echo "gcore_gdb=$(gdb --version | head -1)"
    fi
    echo "env=GOTRACEBACK=crash GOMAXPROCS=4 ${extra_env[*]}" | sed 's/ *$//'
    echo "exit=$status"
    python3 "$here/coreinfo.py" "$dir/core"
    echo "coredump_filter=0x$(cat /proc/self/coredump_filter)"
    echo "core_size=$(stat -c %s "$dir/core")"
    echo "goroutines=$goroutines"
    echo "stderr=$stderr_name"
    # Where the runtime's output starts in stderr (1-based line) and that line.
    local tb_start
    tb_start=$(grep -n -m1 -E "$expect" "$dir/stderr.txt" | cut -d: -f1)
    echo "traceback_start=$tb_start"
    echo "first_line=$(sed -n "${tb_start}p" "$dir/stderr.txt")"
    # "[signal SIGSEGV: ...]" of a panic caused by a signal, or "PC=... m=N sigcode=N"
    # of a fatal signal such as SIGQUIT.
    echo "signal_line=$(grep -m1 -E '^(\[signal |PC=0x)' "$dir/stderr.txt" || true)"
    echo "first_goroutine=$first_g"
    echo "first_func=$first_func"
  } | grep -v '^$' > "$out/meta"
  echo "$name: $(grep -E '^(signal|goroutines|exit)=' "$out/meta" | tr '\n' ' ') core.zst=$(stat -c %s "$out/core.zst")" >&2
}

# meta_head VERSION PROGRAM VARIANT -> the build part of meta
meta_head() {
  local v=$1 prog=$2 variant=$3 bm=exe dw=yes
  case $variant in pie) bm=pie ;; piestripped) bm=pie; dw=no ;; stripped) dw=no ;; esac
  printf 'go=%s\nvariant=%s\nbuildmode=%s\ndwarf=%s\nprogram=%s\nexe=exe/%s-%s-%s.zst' \
    "$(gofull "$v")" "$variant" "$bm" "$dw" "$prog" "$(goshort "$v")" "$prog${BUILD_TAG:+-$BUILD_TAG}" "$variant"
}

# Which toolchains exist; the ones asked for (default: all of them).
available=()
for d in "$toolchains"/root/usr/lib/go-*; do
  if [ -x "$d/bin/go" ]; then available+=("${d##*/go-}"); fi
done
[ ${#available[@]} -gt 0 ] || { echo "make-fixtures.sh: no toolchains in $toolchains (run toolchains.sh)" >&2; exit 1; }
newest=$(printf '%s\n' "${available[@]}" | sort -V | tail -1)
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=("${available[@]}")

# crash scenarios and the first line of stderr each must produce
declare -A crash_expect=(
  [nilderef]='^panic: runtime error: invalid memory address or nil pointer dereference'
  [panic]='^panic: load /etc/app/db.yaml: missing field'
  [nilmap]='^panic: assignment to entry in nil map'
  [deadlock]='^fatal error: all goroutines are asleep - deadlock!'
  [concmap]='^fatal error: concurrent map (writes|read and map write)'
  [overflow]='^runtime: (goroutine stack exceeds|sp=)'
  [leak]='^SIGQUIT: quit'
  [abba]='^SIGQUIT: quit'
)
crash_scenarios=(nilderef panic nilmap deadlock concmap overflow leak abba)

# crash2 scenarios (testdata/go/crash2: a program of its own, so that adding scenarios
# never changes the crash executables the cores above were taken from), their first line,
# and extra environment / address-space limit. oom: the runtime throws when mmap fails
# under ulimit -v; 740000 KiB leaves each toolchain's runtime reservations (page
# summaries, arena map) room to start and a heap of a few tens of MB.
declare -A crash2_expect=(
  [workers]='^SIGQUIT: quit'
  [oom]='^runtime: out of memory: cannot allocate'
  [contention]='^SIGQUIT: quit'
)
crash2_scenarios=(workers oom contention)
declare -A crash2_env=([oom]=GOMEMLIMIT=64MiB)
declare -A crash2_ulimit_v=([oom]=740000)

# crash_variants VERSION -> the variants the crash scenarios are taken for:
# go1.19 with DWARF, a middle version (1.22) and the two newest stripped.
crash_variants() {
  case $1 in
    1.19) echo dwarf ;;
    1.22|1.26) echo stripped ;;
    "$newest") echo stripped ;;
  esac
}

go_fixtures() {
  local v variant exe s
  for v in "${versions[@]}"; do
    local gs; gs=$(goshort "$v")
    # hang: every variant; the newest toolchain also a stripped PIE.
    local hv=(dwarf stripped pie)
    [ "$v" = "$newest" ] && hv+=(piestripped)
    for variant in "${hv[@]}"; do
      exe=$(build "$v" hang "$variant")
      META_HEAD=$(meta_head "$v" hang "$variant") \
        take_core "$gs-hang-$variant" "$exe" '^SIGQUIT: quit'
    done
    labels_fixture "$v"
    # many N=1000, stripped.
    exe=$(build "$v" many stripped)
    META_HEAD=$(meta_head "$v" many stripped) \
      take_core "$gs-many-stripped" "$exe" '^SIGQUIT: quit' -- 1000
    # crash scenarios.
    for variant in $(crash_variants "$v"); do
      exe=$(build "$v" crash "$variant")
      for s in "${crash_scenarios[@]}"; do
        META_HEAD=$(meta_head "$v" crash "$variant" | sed "s/^program=.*/program=crash-$s/") \
          take_core "$gs-crash-$s-$variant" "$exe" "${crash_expect[$s]}" -- "$s"
      done
    done
    crash2_fixtures "$v"
  done
}

# crash2_fixtures VERSION: the crash2 scenarios, same toolchains and variants as crash.
crash2_fixtures() {
  local v=$1 gs variant exe s
  gs=$(goshort "$v")
  for variant in $(crash_variants "$v"); do
    exe=$(build "$v" crash2 "$variant")
    for s in "${crash2_scenarios[@]}"; do
      local env=()
      if [ -n "${crash2_env[$s]:-}" ]; then env=("${crash2_env[$s]}"); fi
      TC_ULIMIT_V=${crash2_ulimit_v[$s]:-} \
        META_HEAD=$(meta_head "$v" crash2 "$variant" | sed "s/^program=.*/program=crash2-$s/") \
        take_core "$gs-crash2-$s-$variant" "$exe" "${crash2_expect[$s]}" "${env[@]}" -- "$s"
    done
  done
}

# labels_fixture VERSION: where the runtime knows GODEBUG=tracebacklabels (Go 1.26+),
# hang once more with it on: goroutine headers then carry the pprof labels. (The fixture
# module says "go 1.18", so the go1.27 default of tracebacklabels=1 does not apply.)
labels_fixture() {
  local v=$1 exe
  grep -q '"tracebacklabels"' "$(goroot "$v")/src/runtime/runtime1.go" 2>/dev/null || return 0
  exe=$(build "$v" hang dwarf)
  META_HEAD=$(meta_head "$v" hang dwarf) \
    take_core "$(goshort "$v")-hanglabels-dwarf" "$exe" '^SIGQUIT: quit' GODEBUG=tracebacklabels=1
}

# gcore_fixtures: live snapshots taken with gdb, each followed by the kernel core of right
# after (the oracle). gdb writes no segment for read-only file-backed mappings, and it
# dumps the runtime's PROT_NONE reservations as zeros (0.7-1.3 GB per core, ~0.5 MB
# compressed; the kernel core taken after it grows alike): four fixtures, not more. The programs
# are built from the sources that know GOPM_HOLD, stored apart (exe/goX-PROG-gcore-VARIANT)
# so that the executables of the older fixtures stay the ones their cores were taken from.
gcore_fixtures() {
  local exe
  local BUILD_TAG=gcore
  exe=$(build 1.19 crash dwarf)
  TC_GCORE=gcore TC_HOLD='^hold' \
    META_HEAD=$(meta_head 1.19 crash dwarf | sed "s/^program=.*/program=crash-leak/") \
    take_core go1.19-gcore-leak-dwarf "$exe" '^SIGQUIT: quit' -- leak
  exe=$(build 1.22 crash stripped)
  TC_GCORE=gcore TC_HOLD='^hold' \
    META_HEAD=$(meta_head 1.22 crash stripped | sed "s/^program=.*/program=crash-leak/") \
    take_core go1.22-gcore-leak-stripped "$exe" '^SIGQUIT: quit' -- leak
  exe=$(build 1.27 crash stripped)
  TC_GCORE=gcore TC_HOLD='^hold' \
    META_HEAD=$(meta_head 1.27 crash stripped | sed "s/^program=.*/program=crash-leak/") \
    take_core go1.27-gcore-leak-stripped "$exe" '^SIGQUIT: quit' -- leak
  exe=$(build 1.27 hang piestripped)
  TC_GCORE=gdb TC_HOLD='^hang: goroutines' META_HEAD=$(meta_head 1.27 hang piestripped) \
    take_core go1.27-gcore-hang-piestripped "$exe" '^SIGQUIT: quit'
}

bench_fixture() {
  local exe
  exe=$(build 1.19 many dwarf)
  META_HEAD=$(meta_head 1.19 many dwarf) \
    take_core "go1.19-many100k-dwarf" "$exe" '^SIGQUIT: quit' -- "$bench_n"
  ls -l "$testdata/cores/go1.19-many100k-dwarf/core.zst" >&2
}

# "lib": sourced by npm-fixtures.sh and make-dumps.sh for the functions above.
if [ "$mode" = lib ]; then return 0 2>/dev/null || exit 0; fi

case $mode in
  go) go_fixtures ;;
  bench) bench_fixture ;;
  gcore) gcore_fixtures ;;
  labels) for v in "${versions[@]}"; do labels_fixture "$v"; done ;;
  crash2) for v in "${versions[@]}"; do crash2_fixtures "$v"; done ;;
  npm) "$here/npm-fixtures.sh" ;;
  all) go_fixtures; "$here/npm-fixtures.sh" ;;
  *) echo "usage: $0 [go|bench|labels|crash2|gcore|npm|all] [VERSION...]" >&2; exit 2 ;;
esac
