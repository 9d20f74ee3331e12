#!/bin/sh
# archive-cost.sh BUILD_DIR CORE EXE [ROUNDS]
# What storing in the archive costs: `gopm analyze CORE` (a fresh archive each run) beside
# `gopm analyze --no-store CORE`, alternating, ROUNDS times (default 3), the executable given
# with --exe: a first analysis (the input hashed: GOPM_HASH_CACHE=0) and a repeated one (its
# hash from the cache, $XDG_CACHE_HOME/gopm/identity-*, here a fresh one warmed by one run not
# counted). Prints wall and CPU (user+sys) seconds of each run, the best of each, and the
# ratios (issue 20: with the archive at most 1.5x without). Use a core of 500 MB or more, in
# the page cache (the script reads it once first), e.g. testdata/go/heapbig's (doc/performance.md).
set -eu
build=${1:?usage: archive-cost.sh BUILD_DIR CORE EXE [ROUNDS]}
core=${2:?usage: archive-cost.sh BUILD_DIR CORE EXE [ROUNDS]}
exe=${3:?usage: archive-cost.sh BUILD_DIR CORE EXE [ROUNDS]}
rounds=${4:-3}
tmp=${TMPDIR:-/tmp}/gopm-archive-cost.$$
mkdir -p "$tmp"
XDG_CACHE_HOME=$tmp/cache
export XDG_CACHE_HOME
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
# Warm the hash cache (the core must have been written over two seconds ago).
"$build/gopm" analyze --db "$tmp/warm" --exe "$exe" "$core" >/dev/null 2>&1 || true
i=0
while [ "$i" -lt "$rounds" ]; do
	run no-store analyze --no-store --exe "$exe" "$core"
	rm -rf "$tmp/db" "$tmp/db"-*
	GOPM_HASH_CACHE=0 run first analyze --db "$tmp/db" --exe "$exe" "$core"
	rm -rf "$tmp/db" "$tmp/db"-*
	run again analyze --db "$tmp/db" --exe "$exe" "$core"
	i=$((i + 1))
done
best() { sort -n -k"$2" "$tmp/$1" | head -n 1 | cut -d' ' -f"$2"; }
nw=$(best no-store 1) nc=$(best no-store 2)
echo "best: --no-store $nw s wall ($nc s cpu)"
for k in first again; do
	w=$(best $k 1) c=$(best $k 2)
	awk -v k="$k" -v nw="$nw" -v w="$w" -v nc="$nc" -v c="$c" 'BEGIN {
		printf "with the archive, %s: %s s wall (%s s cpu): %.1fx wall, %.1fx cpu (target 1.5x)\n",
		    (k == "first" ? "first analysis" : "again (hash cached)"), w, c,
		    (nw > 0 ? w / nw : 0), (nc > 0 ? c / nc : 0) }'
done
