#!/bin/sh
# archive-cost.sh BUILD_DIR CORE EXE [ROUNDS]
# What storing in the archive costs: `gopm analyze CORE` (a fresh archive each run) beside
# `gopm analyze --no-store CORE`, alternating, ROUNDS times (default 3), the executable given
# with --exe. Prints wall and CPU (user+sys) seconds of each run, the best of each, and the
# ratios (issue 20: with the archive at most 1.5x without). Use a core of 500 MB or more, in
# the page cache (the script reads it once first), e.g. testdata/go/heapbig's (doc/performance.md).
set -eu
build=${1:?usage: archive-cost.sh BUILD_DIR CORE EXE [ROUNDS]}
core=${2:?usage: archive-cost.sh BUILD_DIR CORE EXE [ROUNDS]}
exe=${3:?usage: archive-cost.sh BUILD_DIR CORE EXE [ROUNDS]}
rounds=${4:-3}
tmp=${TMPDIR:-/tmp}/gopm-archive-cost.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
cat "$core" >/dev/null
echo "core: $(du -m --apparent-size "$core" | cut -f1) MiB ($(du -m "$core" | cut -f1) MiB allocated); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
run() { # run NAME ARGS...: one timed run, "wall cpu" appended to $tmp/NAME
	name=$1
	shift
	/usr/bin/time -f "%e %U %S" -o "$tmp/t" "$build/gopm" "$@" >/dev/null 2>"$tmp/err" || true
	read -r wall user sys <"$tmp/t"
	cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
	echo "$wall $cpu" >>"$tmp/$name"
	echo "  $name: $wall s wall, $cpu s cpu"
}
i=0
while [ "$i" -lt "$rounds" ]; do
	run no-store analyze --no-store --exe "$exe" "$core"
	rm -rf "$tmp/db" "$tmp/db"-*
	run store analyze --db "$tmp/db" --exe "$exe" "$core"
	i=$((i + 1))
done
best() { sort -n -k"$2" "$tmp/$1" | head -n 1 | cut -d' ' -f"$2"; }
nw=$(best no-store 1) nc=$(best no-store 2) sw=$(best store 1) sc=$(best store 2)
echo "best: --no-store $nw s wall ($nc s cpu); with the archive $sw s wall ($sc s cpu)"
awk -v nw="$nw" -v sw="$sw" -v nc="$nc" -v sc="$sc" 'BEGIN {
	printf "ratio: %.1fx wall, %.1fx cpu (target 1.5x)\n", (nw > 0 ? sw / nw : 0), (nc > 0 ? sc / nc : 0) }'
