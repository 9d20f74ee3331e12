#!/usr/bin/env bash
# gen-arm64-kernel.sh — arm64 cores written by the Linux kernel's own ELF core writer (not
# qemu-user's, see make-arm64-fixtures.sh): the fixture programs, built with GOARCH=arm64,
# run as the only program of a tiny Linux system under full-system emulation
# (qemu-system-aarch64 -M virt) booting Debian bookworm's arm64 kernel; its core_pattern is a
# file on tmpfs, and the core, the runtime's traceback (stderr) and stdout come back over
# the serial console (gzip | base64 between marker lines). Output, as the other fixtures:
# testdata/cores-arm64/NAME/{core.zst,stderr.txt,meta}; the executables are the ones
# make-arm64-fixtures.sh stores (exe/arm64-*.zst), run as they are.
#
# Usage: testdata/gen/gen-arm64-kernel.sh [NAME...]   (default: every fixture below)
#
# Environment (all optional):
#   GOPM_TOOLCHAINS  directory given to toolchains.sh (default: <repo>/../toolchains)
#   GOPM_TESTDATA    where fixtures go                (default: <repo>/testdata)
#   GOPM_SCRATCH     scratch directory (default: /tmp/gopm-arm64-kernel): the kernel and
#                    busybox packages, the initramfs, the console log
#   GOPM_QEMU_SYSTEM qemu-system-aarch64 (apt-get install qemu-system-arm)
#   GOPM_QEMU_CPU    the emulated CPU (default: max, with SVE and pointer authentication:
#                    the kernel then writes NT_ARM_SVE and NT_ARM_PAC_* notes too)
#
# Needs: apt-get (a private configuration downloads bookworm's linux-image-arm64 and
# busybox-static for arm64 into the scratch directory; nothing is installed), dpkg-deb,
# cpio, gzip, zstd, python3, strings. Nothing fetched is committed: only the cores of our
# own programs and their tracebacks.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
toolchains=${GOPM_TOOLCHAINS:-$repo/../toolchains}
testdata=${GOPM_TESTDATA:-$repo/testdata}
scratch=${GOPM_SCRATCH:-/tmp/gopm-arm64-kernel}
qemu=${GOPM_QEMU_SYSTEM:-qemu-system-aarch64}
cpu=${GOPM_QEMU_CPU:-max}
src=$repo/testdata/go
out_root=$testdata/cores-arm64
command -v "$qemu" >/dev/null ||
  { echo "gen-arm64-kernel.sh: $qemu not found (apt-get install qemu-system-arm)" >&2; exit 1; }
mkdir -p "$scratch" "$out_root"

goroot() { echo "$toolchains/root/usr/lib/go-$1"; }
gofull() { GOROOT=$(goroot "$1") "$(goroot "$1")/bin/go" env GOVERSION; }
clean_pattern=${GOPM_DIRTY_PATTERN:-${repo%/*}/|$HOME/|/home/|/root/|\.dockerenv}

# exe VERSION PROGRAM VARIANT -> path of the arm64 executable: the stored
# exe/arm64-goVERSION-PROGRAM-VARIANT.zst of make-arm64-fixtures.sh, so that the qemu-user
# and the kernel cores of a program share one executable; built (and stored) when missing.
exe() {
  local v=$1 prog=$2 variant=$3 gr flags=(-trimpath)
  local out=$scratch/build/go$v-$prog-$variant stored=$testdata/exe/arm64-go$v-$prog-$variant.zst
  mkdir -p "$out"
  if [ -f "$stored" ]; then
    zstd -dc "$stored" >"$out/$prog"; chmod 755 "$out/$prog"
    echo "$out/$prog"; return 0
  fi
  gr=$(goroot "$v")
  case $variant in
    dwarf) ;;
    stripped) flags+=(-ldflags=-s\ -w) ;;
    *) echo "unknown variant $variant" >&2; return 1 ;;
  esac
  (cd "$src" && env -i PATH="$gr/bin:/usr/bin:/bin" HOME="$scratch/home" \
     GOROOT="$gr" GOPATH="$scratch/gopath" GOCACHE="$scratch/gocache-$v" \
     GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod CGO_ENABLED=0 GO111MODULE=on \
     GOOS=linux GOARCH=arm64 \
     "$gr/bin/go" build "${flags[@]}" -o "$out/$prog" "./$prog") >&2
  zstd -19 -q -f "$out/$prog" -o "$stored"
  chmod 644 "$stored"
  echo "$out/$prog"
}

# The kernel and busybox of bookworm for arm64, unpacked in the scratch directory.
fetch_guest() {
  local a=$scratch/apt-arm64
  if [ -e "$scratch/kroot/.done" ] && [ -e "$scratch/bbroot/.done" ]; then return 0; fi
  mkdir -p "$a/lists/partial" "$a/cache/archives/partial" "$a/debs"
  echo "deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main" >"$a/sources.list"
  local o=(-o "Dir::Etc::SourceList=$a/sources.list" -o Dir::Etc::SourceParts=/dev/null
           -o "Dir::State::Lists=$a/lists" -o "Dir::Cache=$a/cache"
           -o Dir::State::status=/dev/null
           -o APT::Architecture=arm64 -o APT::Architectures::=arm64)
  apt-get "${o[@]}" update >&2
  # The meta package names the current kernel package.
  local kpkg
  kpkg=$(apt-cache "${o[@]}" depends linux-image-arm64 | sed -n 's/^ *Depends: \(linux-image-[0-9].*-arm64\)$/\1/p' | head -1)
  [ -n "$kpkg" ] || { echo "gen-arm64-kernel.sh: no kernel package found" >&2; return 1; }
  rm -f "$a"/debs/*.deb
  (cd "$a/debs" && apt-get "${o[@]}" download "$kpkg" busybox-static >&2)
  rm -rf "$scratch/kroot" "$scratch/bbroot"
  dpkg -x "$a"/debs/linux-image-[0-9]*_arm64.deb "$scratch/kroot"
  dpkg -x "$a"/debs/busybox-static_*_arm64.deb "$scratch/bbroot"
  touch "$scratch/kroot/.done" "$scratch/bbroot/.done"
}

# The guest's /init: a busybox shell script. It runs /gopm/NAME/PROG with GOTRACEBACK=crash
# (GOMAXPROCS=2, an empty environment) in /gopm/NAME, the kernel writing its core to
# /tmp/core.PID (tmpfs), then prints stdout, stderr and the core as gzip | base64 between
# "@@begin FILE" and "@@end FILE" lines, and powers off.
write_init() {
  cat >"$1" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t tmpfs -o size=700m tmp /tmp
echo '/tmp/core.%p' >/proc/sys/kernel/core_pattern
echo 0 >/proc/sys/kernel/core_uses_pid
. /gopm/params
cd "/gopm/$NAME"
ulimit -c unlimited
echo "@@filter $(cat /proc/self/coredump_filter)"
echo "@@uname $(uname -r)"
# (In a child shell that execs the program: ash reports "Aborted (core dumped)" on the
# stderr of the shell that waits, which must not be the traceback's file.)
sh -c 'exec "$0" "$@" >/tmp/stdout.txt 2>/tmp/stderr.txt </dev/null' \
  env -i PATH=/bin HOME=/nonexistent GOTRACEBACK=crash GOMAXPROCS=2 "./$PROG" $ARGS
echo "@@status $?"
cd /tmp
for f in stdout.txt stderr.txt core.*; do
  [ -f "$f" ] || continue
  echo "@@begin $f"
  gzip -1 -c "$f" | base64
  echo "@@end $f"
done
echo "@@done"
sync
poweroff -f
EOF
  chmod 755 "$1"
}

# run_guest NAME EXE ARGS... -> $scratch/run/NAME/{stdout.txt,stderr.txt,core,status}
run_guest() {
  local name=$1 exe=$2; shift 2
  local prog; prog=$(basename "$exe")
  local root=$scratch/initramfs/$name dir=$scratch/run/$name
  rm -rf "$root" "$dir"; mkdir -p "$root/bin" "$root/gopm/$name" "$dir"
  cp "$scratch/bbroot/bin/busybox" "$root/bin/busybox"
  write_init "$root/init"
  cp "$exe" "$root/gopm/$name/$prog"
  printf 'NAME=%s\nPROG=%s\nARGS="%s"\n' "$name" "$prog" "$*" >"$root/gopm/params"
  (cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) >"$dir/initrd.gz"
  local kernel; kernel=$(ls "$scratch"/kroot/boot/vmlinuz-* | head -1)
  timeout 900 "$qemu" -M virt -cpu "$cpu" -smp 2 -m 1024 -nographic -no-reboot \
    -kernel "$kernel" -initrd "$dir/initrd.gz" \
    -append "console=ttyAMA0 quiet loglevel=1 panic=-1" </dev/null >"$dir/console.log" 2>&1 || true
  tr -d '\r' <"$dir/console.log" >"$dir/console.txt"
  grep -q '^@@done' "$dir/console.txt" ||
    { echo "gen-arm64-kernel.sh: $name: the guest did not finish (see $dir/console.log)" >&2; return 1; }
  sed -n 's/^@@status //p' "$dir/console.txt" >"$dir/status"
  sed -n 's/^@@filter //p' "$dir/console.txt" >"$dir/filter"
  sed -n 's/^@@uname //p' "$dir/console.txt" >"$dir/uname"
  local f
  for f in $(sed -n 's/^@@begin //p' "$dir/console.txt"); do
    sed -n "/^@@begin $f\$/,/^@@end $f\$/p" "$dir/console.txt" | sed '1d;$d' |
      base64 -d | gzip -dc >"$dir/$f"
  done
  local core; core=$(ls "$dir"/core.* 2>/dev/null | head -1 || true)
  [ -n "$core" ] || { echo "gen-arm64-kernel.sh: $name: no core (status $(cat "$dir/status"))" >&2; return 1; }
  mv "$core" "$dir/core"
}

# take NAME TWIN VERSION PROGRAM VARIANT EXPECT ARGS... (TWIN: the fixture of the same
# program, Go version and scenario in cores/, amd64, and in cores-arm64/, qemu-user's)
take() {
  local name=$1 twin=$2 v=$3 prog=$4 variant=$5 expect=$6; shift 6
  local exe; exe=$(exe "$v" "$prog" "$variant")
  run_guest "$name" "$exe" "$@"
  local dir=$scratch/run/$name
  grep -q -E "$expect" "$dir/stderr.txt" ||
    { echo "gen-arm64-kernel.sh: $name: stderr does not match $expect" >&2; return 1; }
  local f
  for f in "$dir/core" "$dir/stderr.txt" "$dir/stdout.txt"; do
    [ -f "$f" ] || continue
    if strings -n 4 "$f" | grep -i -E "$clean_pattern" >/dev/null; then
      echo "gen-arm64-kernel.sh: $f contains machine-specific paths" >&2; return 1
    fi
  done
  local out=$out_root/$name
  rm -rf "$out"; mkdir -p "$out"
  zstd -19 --long=27 -q -f "$dir/core" -o "$out/core.zst"
  cp "$dir/stderr.txt" "$out/stderr.txt"
  if [ -s "$dir/stdout.txt" ]; then cp "$dir/stdout.txt" "$out/stdout.txt"; fi
  chmod 644 "$out"/*
  local goroutines tb_start dw=yes
  [ "$variant" = stripped ] && dw=no
  goroutines=$(grep -E '^goroutine [0-9]+ ' "$dir/stderr.txt" | awk '$2 != "0" {print $2}' | sort -u | wc -l)
  tb_start=$(grep -n -m1 -E "$expect" "$dir/stderr.txt" | cut -d: -f1)
  {
    echo "name=$name"
    echo "go=$(gofull "$v")"
    echo "variant=$variant"
    echo "buildmode=exe"
    echo "dwarf=$dw"
    echo "program=$prog${1:+-$1}"
    echo "exe=exe/arm64-go$v-$prog-$variant.zst"
    echo "twin=$twin"
    echo "arch=arm64"
    echo "emulator=$("$qemu" --version | head -1 | sed 's/ (.*//') -M virt -cpu $cpu"
    echo "kernel=Linux $(cat "$dir/uname") (Debian bookworm linux-image-arm64)"
    echo "args=$*"
    echo "cwd=/gopm/$name"
    echo "env=GOTRACEBACK=crash GOMAXPROCS=2"
    echo "exit=$(cat "$dir/status")"
    python3 "$here/coreinfo.py" "$dir/core"
    echo "coredump_filter=0x$(cat "$dir/filter")"
    echo "core_size=$(stat -c %s "$dir/core")"
    echo "goroutines=$goroutines"
    echo "stderr=stderr.txt"
    echo "traceback_start=$tb_start"
    echo "first_line=$(sed -n "${tb_start}p" "$dir/stderr.txt")"
    echo "signal_line=$(grep -m1 -E '^(\[signal |PC=0x)' "$dir/stderr.txt" || true)"
  } | grep -v '^$' >"$out/meta"
  echo "$name: $(grep -E '^(signal|goroutines|exit)=' "$out/meta" | tr '\n' ' ') core.zst=$(stat -c %s "$out/core.zst")" >&2
}

# The fixtures: NAME TWIN VERSION PROGRAM VARIANT EXPECT [ARGS]. The executables are those
# of the qemu-user fixtures of the same programs (exe/arm64-*.zst).
fixtures=(
  "go1.22-kernel-crash-nilderef-stripped go1.22-crash-nilderef-stripped 1.22 crash stripped ^panic:.*nil.pointer nilderef"
  "go1.27-kernel-hang-stripped go1.27-hang-stripped 1.27 hang stripped ^SIGQUIT:.quit"
  "go1.19-kernel-hang-dwarf go1.19-hang-dwarf 1.19 hang dwarf ^SIGQUIT:.quit"
)

fetch_guest
want=("$@")
for f in "${fixtures[@]}"; do
  read -r name twin v prog variant expect args <<<"$f"
  if [ ${#want[@]} -gt 0 ] && ! printf '%s\n' "${want[@]}" | grep -qx -e "$name"; then
    continue
  fi
  # shellcheck disable=SC2086
  take "$name" "$twin" "$v" "$prog" "$variant" "$expect" $args
done
