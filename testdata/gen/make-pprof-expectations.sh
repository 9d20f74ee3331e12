#!/usr/bin/env bash
# make-pprof-expectations.sh — what `go tool pprof` (the reference reader) says about the
# profiles gopm exports, written to testdata/pprof-export/expected.txt for
# tests/cli/pprof-export.sh, which compares gopm's own totals with them in CI without Go.
#
# For each case: gopm exports the profile (goroutines|heap --format pprof; a core's heap
# profile has the reference chains of its dominator tree as stacks, with --no-retention
# its types as one-frame stacks), and
# `go tool pprof -raw` gives the samples (lines of its Samples section), the sum of each
# sample value and the locations; `go tool pprof -top` gives the total it reports.
#
# Usage: testdata/gen/make-pprof-expectations.sh BUILD_DIR
# Environment: GOPM_TOOLCHAINS (default <repo>/../toolchains; go 1.24 is used), GO (a go
# command to use instead).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=$(cd "${1:?usage: make-pprof-expectations.sh BUILD_DIR}" && pwd)
toolchains=${GOPM_TOOLCHAINS:-$repo/../toolchains}
go=${GO:-$toolchains/root/usr/lib/go-1.24/bin/go}
export GOROOT=${GOROOT:-$(dirname "$(dirname "$go")")}
export HOME=${HOME:-/tmp} GOTOOLCHAIN=local
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$repo/testdata/pprof-export/expected.txt
t=$repo/testdata

# The cases: NAME COMMAND ARGS... (paths relative to testdata/); tests/cli/pprof-export.sh
# reads the same lines back from expected.txt.
cases=(
	"gor-text goroutines diff/stage-3.txt.zst"
	"gor-core goroutines diff/stage-3.core.zst --exe diff/growleak.zst"
	"gor-labels goroutines cores/go1.26-hanglabels-dwarf/core.zst --exe exe/go1.26-hang-dwarf.zst"
	"gor-dump goroutines dumps/go1.22-hang-all.txt"
	"heap-core heap diff/stage-3.core.zst --exe diff/growleak.zst"
	"heap-core-types heap diff/stage-3.core.zst --exe diff/growleak.zst --no-retention"
	"heap-oom heap cores/go1.22-crash2-oom-stripped/core.zst --exe exe/go1.22-crash2-stripped.zst"
	"heap-dump heap heapdumps/go1.22-heapfix.dump.zst"
)

{
	echo "# go tool pprof on gopm's exported profiles: NAME | gopm arguments | what pprof read"
	echo "# regenerate with testdata/gen/make-pprof-expectations.sh BUILD_DIR ($("$go" version | cut -d' ' -f3))"
	for c in "${cases[@]}"; do
		set -- $c
		name=$1
		shift
		(cd "$t" && "$build/gopm" "$@" --format pprof >"$tmp/$name.pb.gz" 2>/dev/null) || true
		"$go" tool pprof -raw "$tmp/$name.pb.gz" >"$tmp/$name.raw" 2>/dev/null
		# Samples: "   COUNT: LOC..." (one value) or "   V1 V2: LOC..." (heap).
		stats=$(awk '
			/^Samples:/ { s = 1; next }
			/^Locations/ { s = 0; l = 1; next }
			/^Mappings/ { l = 0 }
			s && /^ *[0-9]+( +[0-9]+)*:/ { n++; split($0, a, ":"); k = split(a[1], v, " ");
				for (i = 1; i <= k; i++) sum[i] += v[i]; nv = k }
			l && /^ *[0-9]+: / { locs++ }
			END { printf "samples=%d locations=%d", n, locs;
				for (i = 1; i <= nv; i++) printf " value%d=%d", i, sum[i] }' "$tmp/$name.raw")
		if [ "$1" = heap ]; then
			top=$("$go" tool pprof -top -sample_index=inuse_objects "$tmp/$name.pb.gz" 2>/dev/null |
				sed -n 's/.* of \([0-9]*\) total.*/\1/p' | head -1)
			stats="$stats top_objects=$top"
		else
			top=$("$go" tool pprof -top "$tmp/$name.pb.gz" 2>/dev/null |
				sed -n 's/.* of \([0-9]*\) total.*/\1/p' | head -1)
			stats="$stats top_total=$top"
		fi
		echo "$name | $* | $stats"
	done
} >"$out"
cat "$out"
