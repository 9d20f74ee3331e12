#!/bin/sh
# Benchmark: list every goroutine with its stack from a core, gopm beside Debian's Delve
# (`dlv core EXE CORE` with `goroutines -t`) measured in the same run; prints wall time, peak
# RSS and the ratios. Run on demand (not part of `make check`):
#
#   bench/goroutines-bench.sh BUILD_DIR [FIXTURE_DIR]
#
# BUILD_DIR holds an optimised gopm (configure CFLAGS=-O2, no sanitizers). FIXTURE_DIR is a
# directory of testdata/cores/ (default: the 100,000-goroutine Go 1.19 core, which
# testdata/gen/make-fixtures.sh bench regenerates). Delve is Debian's package `delve`; it is
# skipped with a note when absent (apt-get install delve).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: bench/goroutines-bench.sh BUILD_DIR [FIXTURE_DIR]}
fixture=${2:-$top/testdata/cores/go1.19-many100k-dwarf}
gopm=$(cd "$build" && pwd)/gopm
[ -x "$gopm" ] || { echo "no gopm in $build" >&2; exit 2; }
[ -f "$fixture/meta" ] || { echo "no fixture at $fixture (run testdata/gen/make-fixtures.sh bench)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
# The executable is under testdata/, or beside the fixture when the bench core was made
# outside the tree (make-fixtures.sh bench with another output directory).
rel=$(sed -n 's/^exe=//p' "$fixture/meta")
exe=$top/testdata/$rel
[ -f "$exe" ] || exe=$(dirname "$fixture")/$(basename "$rel")
zstd -dqf "$fixture/core.zst" -o "$tmp/core"
zstd -dqf "$exe" -o "$tmp/exe"
chmod +x "$tmp/exe"

# measure NAME CMD...: runs CMD 3 times, keeps the best wall time and its peak RSS.
measure() {
	name=$1
	shift
	best=""
	for i in 1 2 3; do
		/usr/bin/time -f '%e %M' -o "$tmp/time" "$@" </dev/null >"$tmp/$name.out" 2>"$tmp/$name.err" || true
		read -r t rss <<EOT
$(tail -n 1 "$tmp/time")
EOT
		if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then
			best=$t
			best_rss=$rss
		fi
	done
	eval "${name}_t=$best ${name}_rss=$best_rss"
}

n=$(sed -n 's/^goroutines=//p' "$fixture/meta")
echo "fixture: $(basename "$fixture") ($n goroutines, $(du -h "$tmp/core" | cut -f1) core)"
measure gopm "$gopm" goroutines --exe "$tmp/exe" "$tmp/core"
printf '%-28s %8.2f s %8d MB  %d goroutines listed\n' "gopm goroutines" "$gopm_t" \
	$((gopm_rss / 1024)) "$(grep -c '^goroutine ' "$tmp/gopm.out")"
if command -v dlv >/dev/null 2>&1; then
	printf 'goroutines -t\nexit\n' >"$tmp/init"
	measure dlv dlv core "$tmp/exe" "$tmp/core" --init "$tmp/init" --allow-non-terminal-interactive=true
	printf '%-28s %8.2f s %8d MB  %d goroutines listed\n' "dlv core + goroutines -t" "$dlv_t" \
		$((dlv_rss / 1024)) "$(grep -c 'Goroutine [0-9]' "$tmp/dlv.out")"
	awk -v a="$dlv_t" -v b="$gopm_t" -v c="$dlv_rss" -v d="$gopm_rss" 'BEGIN {
		if (b < 0.005) b = 0.005
		printf "ratio (Delve / gopm):        %8.1fx time %7.1fx memory\n", a / b, c / d }'
else
	echo "dlv not installed (apt-get install delve): no peer measured"
fi
