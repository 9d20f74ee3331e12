#!/bin/sh
# core-compare.sh BEFORE_GOPM AFTER_GOPM: runs two builds of gopm over every core fixture in
# testdata/cores (goroutines and analyze --no-store, text and JSON, the core compressed as
# committed and decompressed to a plain file) and says where their outputs differ. For
# changes that must not change what gopm says about a core (speed, memory). Prints the
# number of fixtures and runs compared; exits 1 on any difference or when none was compared.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
before=${1:?usage: core-compare.sh BEFORE_GOPM AFTER_GOPM}
after=${2:?usage: core-compare.sh BEFORE_GOPM AFTER_GOPM}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fixtures=0 runs=0 diffs=0
for meta in "$top"/testdata/cores/*/meta; do
	fx=$(dirname "$meta")
	[ -f "$fx/core.zst" ] || continue
	rel=$(sed -n 's/^exe=//p' "$meta")
	exe=$top/testdata/$rel
	[ -f "$exe" ] || continue
	fixtures=$((fixtures + 1))
	zstd -dqf "$fx/core.zst" -o "$tmp/core"
	for core in "$fx/core.zst" "$tmp/core"; do
		for cmd in "goroutines" "goroutines --json" "analyze --no-store" \
			"analyze --no-store --json"; do
			# shellcheck disable=SC2086 # cmd is words
			"$before" $cmd --exe "$exe" "$core" >"$tmp/b.out" 2>"$tmp/b.err"
			echo "exit $?" >>"$tmp/b.err"
			# shellcheck disable=SC2086
			"$after" $cmd --exe "$exe" "$core" >"$tmp/a.out" 2>"$tmp/a.err"
			echo "exit $?" >>"$tmp/a.err"
			runs=$((runs + 1))
			if ! cmp -s "$tmp/b.out" "$tmp/a.out" || ! cmp -s "$tmp/b.err" "$tmp/a.err"; then
				diffs=$((diffs + 1))
				echo "DIFFERS: $(basename "$fx") $cmd ($(basename "$core"))"
				diff "$tmp/b.out" "$tmp/a.out" | head -n 6
				diff "$tmp/b.err" "$tmp/a.err" | head -n 6
			fi
		done
	done
done
echo "$fixtures fixtures, $runs runs compared, $diffs differ"
[ "$diffs" -eq 0 ] && [ "$runs" -gt 0 ]
