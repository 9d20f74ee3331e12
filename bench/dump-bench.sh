#!/bin/sh
# dump-bench.sh BUILD_DIR [dump_bench options]
# Builds bench/dump/dump_bench.c against BUILD_DIR/libgopm.a (configure that build without
# sanitizers, e.g. CFLAGS=-O2, for meaningful figures) and runs it: parse + group throughput
# on a synthetic 100,000-goroutine pprof debug=2 dump (~32 MB) and peak RSS. Also reports
# /usr/bin/time -v's peak RSS of `gopm goroutines` on the same dump, and panicparse /
# gostackparse figures when those tools are installed (Debian packages none of them).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build=${1:?usage: dump-bench.sh BUILD_DIR [options]}
shift
build=$(cd "$build" && pwd)
tmp=${TMPDIR:-/tmp}/gopm-dump-bench.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
${CC:-cc} -O2 -std=gnu11 -include "$build/config.h" -I"$top/src" -I"$build" \
	"$here/dump/dump_bench.c" "$build/libgopm.a" $(pkg-config --libs libzstd zlib jansson 2>/dev/null || echo -lzstd -lz -ljansson) -lm \
	-o "$tmp/dump_bench"
"$tmp/dump_bench" "$@"
"$tmp/dump_bench" -o "$tmp/dump.txt" "$@"
if [ -x "$build/gopm" ] && [ -x /usr/bin/time ]; then
	/usr/bin/time -f "gopm goroutines: %e s, peak RSS %M KiB" "$build/gopm" goroutines "$tmp/dump.txt" >/dev/null
fi
for tool in panicparse gostackparse; do
	if command -v "$tool" >/dev/null 2>&1; then
		/usr/bin/time -o "$tmp/time" -f "$tool: %e s, peak RSS %M KiB" "$tool" -parse=false -rebase=false "$tmp/dump.txt" >/dev/null 2>&1 || true; cat "$tmp/time"
	else
		echo "$tool: not installed ; only gopm's figures are shown"
	fi
done
