#!/bin/sh
# make-big-core.sh OUT_DIR [GOROUTINES]
# Builds testdata/go/many with Go 1.19 (DWARF, -trimpath), runs it with GOROUTINES
# (default 1,000,000) goroutines and takes a snapshot of it with gdb's gcore once they are
# all parked: OUT_DIR/core and OUT_DIR/many, for bench/analyze-bench.sh (GOPM_BENCH_CORE,
# GOPM_BENCH_EXE). Never commit the core (3.5 GB for 10^6 goroutines).
# Why gcore and not the kernel's core: `many` sends itself SIGQUIT and, with
# GOTRACEBACK=crash, the runtime prints every goroutine's traceback (one write(2) per
# printed piece) before it dumps core: for a million goroutines that took more than 20
# minutes on the shared VM. The snapshot is taken while that traceback is printed: the
# world is stopped, every goroutine is parked where the program left it.
# Needs gdb (gcore). GOPM_GO names the go command (default: go-1.19 from GOPM_TOOLCHAINS,
# laid out as testdata/gen/toolchains.sh makes it).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
out=${1:?usage: make-big-core.sh OUT_DIR [GOROUTINES]}
n=${2:-1000000}
toolchains=${GOPM_TOOLCHAINS:-$top/../toolchains}
gocmd=${GOPM_GO:-$toolchains/root/usr/lib/go-1.19/bin/go}
command -v gcore >/dev/null || { echo "make-big-core.sh: needs gdb's gcore" >&2; exit 1; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
gocache=${TMPDIR:-/tmp}/gopm-big-core-cache
(cd "$top/testdata/go" && GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off CGO_ENABLED=0 \
	GOCACHE="$gocache" "$gocmd" build -trimpath -o "$out/many" ./many)
rm -f "$out/core" "$out/stdout.txt"
(cd "$out" && exec env -i PATH=/usr/bin:/bin GOTRACEBACK=crash GOMAXPROCS=2 \
	./many "$n" >"$out/stdout.txt" 2>/dev/null) &
pid=$!
# "many: goroutines N" is printed once all of them are parked (up to 30 minutes).
waited=0
until grep -q '^many: goroutines' "$out/stdout.txt" 2>/dev/null; do
	if [ "$waited" -ge 18000 ] || ! kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null || true
		echo "make-big-core.sh: the program never parked its goroutines" >&2
		exit 1
	fi
	sleep 0.1
	waited=$((waited + 1))
done
sleep 1
gcore -o "$out/core" "$pid" >/dev/null 2>&1 || true
kill -KILL "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
[ -f "$out/core.$pid" ] && mv "$out/core.$pid" "$out/core"
[ -f "$out/core" ] || { echo "make-big-core.sh: gcore made no core" >&2; exit 1; }
ls -l "$out/core" >&2
