#!/bin/sh
# archive-bench.sh BUILD_DIR [DB]
# Builds bench/archive/archive_bench.c against BUILD_DIR/libgopm.a (configure that build
# without sanitizers, e.g. CFLAGS=-O2, for meaningful figures) and runs it on the committed
# goroutine-dump fixtures: ingest rate of 1,000 and 10,000 incidents, then the latency of
# each archive query on 10,000 incidents. Figures are recorded in doc/archive.md.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build=${1:?usage: archive-bench.sh BUILD_DIR [DB]}
shift
build=$(cd "$build" && pwd)
tmp=${TMPDIR:-/tmp}/gopm-archive-bench.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
${CC:-cc} -O2 -std=gnu11 -include "$build/config.h" -I"$top/src" -I"$build" \
	"$here/archive/archive_bench.c" "$build/libgopm.a" \
	$(sed -n 's/^[A-Z0-9]*_LIBS = \(-l.*\)/\1/p' "$build/Makefile" | grep -v check | tr '\n' ' ') -lm \
	-o "$tmp/archive_bench"
"$tmp/archive_bench" "$top/testdata/dumps" "${1:-$tmp/archive.db}"
