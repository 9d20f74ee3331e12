#!/usr/bin/env bash
# make-arm64-fixtures.sh — arm64 (aarch64) cores on an amd64 machine: build the fixture
# programs with GOARCH=arm64, run them under Debian's qemu-user-static with
# GOTRACEBACK=crash, and store qemu's core of the instant the runtime aborted (zstd), the
# runtime's own traceback (stderr.txt, the oracle) and a meta file, as make-fixtures.sh
# does for amd64. Output: testdata/cores-arm64/NAME/ and testdata/exe/arm64-*.zst.
#
# Usage: testdata/gen/make-arm64-fixtures.sh [VERSION|NAME...]   (default: every fixture below)
#        testdata/gen/make-arm64-fixtures.sh bench   (the 100,000-goroutine core, see below)
#
# Environment: as make-fixtures.sh (GOPM_TOOLCHAINS, GOPM_TESTDATA, GOPM_SCRATCH), and
#   GOPM_QEMU  the qemu-aarch64 user-mode emulator (default: qemu-aarch64-static)
#   GOPM_ARM64_SYSROOT  a directory holding bookworm's arm64 libc6 unpacked (lib/ld-linux-
#              aarch64.so.1), given to qemu as -L for the PIE fixtures, which need the
#              dynamic loader (default: made in $GOPM_SCRATCH/sysroot-arm64 with a private apt
#              configuration naming bookworm for arm64: apt-get download libc6:arm64; dpkg -x)
#
# qemu (bookworm's 7.2) writes qemu_PROG_DATE-TIME_PID.core into the working directory
# when the guest dies of SIGABRT, then aborts itself: the kernel's core of qemu (an x86-64
# core named by core_pattern) is deleted. qemu's cores carry NT_PRSTATUS per thread,
# NT_PRPSINFO and NT_AUXV only, and no text of the executable (see doc/arm64.md).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The helpers (goroot, gofull, check_clean, coreinfo, ...) of the amd64 generator.
# shellcheck source=make-fixtures.sh
source "$here/make-fixtures.sh" lib
qemu=${GOPM_QEMU:-qemu-aarch64-static}
command -v "$qemu" >/dev/null || { echo "make-arm64-fixtures.sh: $qemu not found (apt-get install qemu-user-static)" >&2; exit 1; }
out_root=$testdata/cores-arm64
mkdir -p "$out_root" "$scratch/build-arm64"

# build_arm64 VERSION PROGRAM VARIANT -> path of the built arm64 executable (stored as
# exe/arm64-goX-PROGRAM-VARIANT.zst).
build_arm64() {
  local v=$1 prog=$2 variant=$3
  local gr; gr=$(goroot "$v")
  local out=$scratch/build-arm64/$(goshort "$v")-$prog-$variant
  local flags=(-trimpath)
  case $variant in
    dwarf) ;;
    stripped) flags+=(-ldflags=-s\ -w) ;;
    piestripped) flags+=(-buildmode=pie -ldflags=-s\ -w) ;;
    *) echo "unknown variant $variant" >&2; return 1 ;;
  esac
  mkdir -p "$out"
  (cd "$src" && env -i PATH="$gr/bin:/usr/bin:/bin" HOME="$scratch/home" \
     GOROOT="$gr" GOPATH="$scratch/gopath" GOCACHE="$scratch/gocache-arm64-$v" \
     GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod CGO_ENABLED=0 GO111MODULE=on \
     GOOS=linux GOARCH=arm64 \
     "$gr/bin/go" build "${flags[@]}" -o "$out/$prog" "./$prog") >&2
  zstd -19 -q -f "$out/$prog" -o "$testdata/exe/arm64-$(goshort "$v")-$prog-$variant.zst"
  chmod 644 "$testdata/exe/arm64-$(goshort "$v")-$prog-$variant.zst"
  echo "$out/$prog"
}

# arm64_sysroot -> a directory with the arm64 dynamic loader (see GOPM_ARM64_SYSROOT).
arm64_sysroot() {
  if [ -n "${GOPM_ARM64_SYSROOT:-}" ]; then echo "$GOPM_ARM64_SYSROOT"; return 0; fi
  local a=$scratch/apt-arm64 root=$scratch/sysroot-arm64
  if [ ! -e "$root/lib/ld-linux-aarch64.so.1" ]; then
    mkdir -p "$a/lists/partial" "$a/cache/archives/partial" "$a/debs"
    echo "deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main" >"$a/sources.list"
    local o=(-o "Dir::Etc::SourceList=$a/sources.list" -o Dir::Etc::SourceParts=/dev/null
             -o "Dir::State::Lists=$a/lists" -o "Dir::Cache=$a/cache"
             -o APT::Architecture=arm64 -o APT::Architectures::=arm64)
    apt-get "${o[@]}" update >&2
    (cd "$a/debs" && apt-get "${o[@]}" download libc6:arm64 >&2)
    dpkg -x "$a"/debs/libc6_*_arm64.deb "$root"
  fi
  echo "$root"
}

# check_clean_core CORE EXE: check_clean for a qemu core, which holds the executable's
# read-only data: a string the executable itself carries (lefthook embeds test sources that
# name /home/...) is the program's, not this machine's.
check_clean_core() {
  local bad
  bad=$(comm -23 <(strings -n 4 "$1" | grep -i -E "$clean_pattern" | sort -u) \
                 <(strings -n 4 "$2" | grep -i -E "$clean_pattern" | sort -u) || true)
  if [ -n "$bad" ]; then
    echo "make-arm64-fixtures.sh: $1 contains machine-specific paths:" >&2
    head -5 <<<"$bad" >&2
    return 1
  fi
}

# take_core_arm64 NAME EXE EXPECT -- ARGS...: as take_core, under qemu (with -L
# $QEMU_LD_PREFIX when set: the PIE fixtures; an option, not qemu's environment variable, so
# that the guest's environment stays empty). The program either aborts by itself or, with
# the optional variables of take_core (make-fixtures.sh), waits and is sent SIGQUIT:
#   TC_SETUP       a shell function run in the program's directory before the start
#   TC_STDIN=fifo  stdin is a FIFO the program itself holds open: reads block forever
#   TC_READY       an extended regexp its stdout or stderr prints once it waits (then
#                  TC_QUIT_AFTER more seconds pass before SIGQUIT; at most 40 s of waiting)
#   TC_QUIT_AFTER  seconds after which SIGQUIT is sent to qemu, which hands it to the guest
#   TC_TIMEOUT     seconds after which the program is killed (default 120)
#   TC_CHROOT=1    a private root holding only the program's directory (same path) and the
#                  emulator, which is static: programs that list parent directories
#                  (esbuild's watcher) see nothing of this machine
# The program runs in its own session; what is left of it (a hook's "sleep") is killed by
# session id afterwards.
take_core_arm64() {
  local name=$1 exe=$2 expect=$3; shift 3
  [ "${1:-}" = "--" ] && shift
  local args=("$@") prog; prog=$(basename "$exe")
  local rundir=$scratch/$name root="" dir try status qcore pid wd
  if [ -n "${TC_CHROOT:-}" ]; then root=$scratch/chroot/$name; fi
  dir=$root$rundir   # the same directory as seen from here
  for try in 1 2 3; do
    if [ -n "$root" ]; then rm -rf "$root"; fi
    rm -rf "$dir"; mkdir -p "$dir"
    cp "$exe" "$dir/$prog"
    local run_qemu=$qemu chroot=()
    if [ -n "$root" ]; then
      mkdir -p "$root/usr/bin"
      cp "$(command -v "$qemu")" "$root/usr/bin/qemu-aarch64"
      run_qemu=/usr/bin/qemu-aarch64
      chroot=(unshare --root="$root" --wd="$rundir")
    fi
    if [ -n "${TC_SETUP:-}" ]; then (cd "$dir" && "$TC_SETUP"); fi
    local stdin=/dev/null
    if [ "${TC_STDIN:-}" = fifo ]; then mkfifo "$dir/stdin.fifo"; stdin=stdin.fifo; fi
    set +e
    # (Opening the FIFO read-write makes the program its own writer: no EOF ever.)
    ( cd "$dir" && ulimit -c unlimited &&
      exec setsid env -i PATH=/usr/bin:/bin HOME=/nonexistent GOTRACEBACK=crash GOMAXPROCS=4 \
        "${chroot[@]}" "$run_qemu" ${QEMU_LD_PREFIX:+-L "$QEMU_LD_PREFIX"} "./$prog" "${args[@]}" \
        >stdout.txt 2>stderr.txt <>"$stdin" ) &
    pid=$!
    ( sleep "${TC_TIMEOUT:-120}"; kill -KILL -- -$pid 2>/dev/null; kill -KILL $pid 2>/dev/null ) & wd=$!
    if [ -n "${TC_READY:-}" ]; then
      local until=$((SECONDS + 40))
      until cat "$dir/stdout.txt" "$dir/stderr.txt" 2>/dev/null | grep -q -E "$TC_READY" ||
            [ $SECONDS -ge $until ]; do
        sleep 0.2
      done
    fi
    if [ -n "${TC_QUIT_AFTER:-}" ]; then
      sleep "$TC_QUIT_AFTER"
      kill -QUIT $pid 2>/dev/null || true
    fi
    { wait $pid; } 2>/dev/null; status=$?
    kill $wd 2>/dev/null; wait $wd 2>/dev/null
    # Leftovers of the program's session (a hook's sh and sleep run in a group of their own).
    pkill -KILL -s $pid 2>/dev/null
    set -e
    rm -f "$dir"/core "$dir"/core.[0-9]*   # the kernel's core of qemu itself
    qcore=$(ls "$dir"/qemu_*.core 2>/dev/null | head -1 || true)
    if [ -n "$qcore" ] && grep -q -E "$expect" "$dir/stderr.txt"; then
      mv "$qcore" "$dir/core"
      break
    fi
    echo "make-arm64-fixtures.sh: $name try $try: status $status, first line: $(head -1 "$dir/stderr.txt")" >&2
    [ $try = 3 ] && { echo "make-arm64-fixtures.sh: $name failed" >&2; return 1; }
  done
  check_clean_core "$dir/core" "$exe"
  check_clean "$dir/stderr.txt" "$dir/stdout.txt"
  local out=$out_root/$name
  rm -rf "$out"; mkdir -p "$out"
  zstd "-${TC_ZSTD_LEVEL:-19}" --long=27 -q -f "$dir/core" -o "$out/core.zst"
  cp "$dir/stderr.txt" "$out/stderr.txt"
  if [ -s "$dir/stdout.txt" ]; then cp "$dir/stdout.txt" "$out/stdout.txt"; fi
  chmod 644 "$out"/*
  local goroutines tb_start
  goroutines=$(grep -E '^goroutine [0-9]+ ' "$dir/stderr.txt" | awk '$2 != "0" {print $2}' | sort -u | wc -l)
  tb_start=$(grep -n -m1 -E "$expect" "$dir/stderr.txt" | cut -d: -f1)
  {
    echo "name=$name"
    echo "${META_HEAD}"
    echo "arch=arm64"
    echo "emulator=$("$qemu" --version | head -1 | sed 's/ (.*//')"
    echo "args=${args[*]}"
    echo "cwd=$rundir"
    if [ -n "$root" ]; then echo "chroot=yes"; fi
    echo "env=GOTRACEBACK=crash GOMAXPROCS=4"
    echo "exit=$status"
    python3 "$here/coreinfo.py" "$dir/core"
    echo "core_size=$(stat -c %s "$dir/core")"
    echo "goroutines=$goroutines"
    echo "stderr=stderr.txt"
    echo "traceback_start=$tb_start"
    echo "first_line=$(sed -n "${tb_start}p" "$dir/stderr.txt")"
    echo "signal_line=$(grep -m1 -E '^(\[signal |PC=0x)' "$dir/stderr.txt" || true)"
  } | grep -v '^$' > "$out/meta"
  echo "$name: $(grep -E '^(goroutines|exit)=' "$out/meta" | tr '\n' ' ') core.zst=$(stat -c %s "$out/core.zst")" >&2
}

# meta of an arm64 build: the amd64 one with the arm64 executable's name.
meta_arm64() {
  meta_head "$1" "$2" "$3" | sed -E "s|^exe=exe/|exe=exe/arm64-|"
}

# The fixtures: VERSION PROGRAM VARIANT [SCENARIO]. Few, to keep the committed data small:
# DWARF (1.19) and stripped (1.22, 1.27); the hang program (every kind of parked goroutine,
# deep recursion, two running goroutines preempted by signals) and the crashes.
fixtures=(
  "1.19 hang dwarf"
  "1.22 hang stripped"
  "1.22 crash stripped leak"
  "1.22 crash stripped nilderef"
  "1.27 hang stripped"
  "1.27 crash stripped deadlock"
  "1.27 crash stripped nilderef"
  "1.27 hang piestripped"
)
# "lib": sourced by npm-arm64-fixtures.sh for the functions above.
if [ "${1:-}" = lib ]; then return 0 2>/dev/null || exit 0; fi

# "bench": the arm64 twin of make-fixtures.sh bench, the GOPM_BENCH_N-goroutine core of the
# Go 1.19 "many" program with DWARF (bench/goroutines-bench.sh, bench/core-analyze-bench.sh).
# Too big to commit (a 100,000-goroutine run: ~330 MB core, 125 MB traceback, a few minutes
# under qemu): write it elsewhere with GOPM_TESTDATA=/some/dir. Compressed at zstd -3.
if [ "${1:-}" = bench ]; then
  exe=$(build_arm64 1.19 many dwarf)
  META_HEAD=$(meta_arm64 1.19 many dwarf) TC_TIMEOUT=1800 TC_ZSTD_LEVEL=3 \
    take_core_arm64 go1.19-many100k-dwarf "$exe" '^SIGQUIT: quit' -- "$bench_n"
  exit 0
fi

want=("$@")
for f in "${fixtures[@]}"; do
  read -r v prog variant s <<<"$f"
  gs=$(goshort "$v")
  name=$gs-$prog-${s:+$s-}$variant
  if [ ${#want[@]} -gt 0 ] && ! printf '%s\n' "${want[@]}" | grep -qx -e "$v" -e "$name"; then
    continue
  fi
  exe=$(build_arm64 "$v" "$prog" "$variant")
  QEMU_LD_PREFIX=
  case $variant in pie*) QEMU_LD_PREFIX=$(arm64_sysroot) ;; esac
  if [ -z "$s" ]; then
    META_HEAD=$(meta_arm64 "$v" "$prog" "$variant") \
      take_core_arm64 "$name" "$exe" '^SIGQUIT: quit'
  else
    META_HEAD=$(meta_arm64 "$v" "$prog" "$variant" | sed "s/^program=.*/program=$prog-$s/") \
      take_core_arm64 "$name" "$exe" "${crash_expect[$s]}" -- "$s"
  fi
done
