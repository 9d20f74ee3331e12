#!/bin/sh
# The archive's identity of a big plain core is the XXH3-128 of its bytes (src/base/identity.h),
# hashed by a thread beside the analysis with the file's holes (a kernel core is sparse) fed as
# zeros instead of read: a sparse copy and a dense copy of one core are stored under the same
# identity, and it is the one xxhsum -H2 computes (recorded below). Needs zstd and cp --sparse.
set -u
: "${GOPM:?}" "${top_srcdir:?}"
td=$top_srcdir/testdata
fx=$td/cores/go1.22-crash-leak-stripped
exe=$td/$(sed -n 's/^exe=//p' "$fx/meta")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
n=0
unset GOPM_EXE_PATH DEBUGINFOD_URLS
. "$top_srcdir/tests/cli/expect.sh"

zstd -qdc "$exe" >"$tmp/exe"
zstd -qdc "$fx/core.zst" >"$tmp/raw"
cp --sparse=always "$tmp/raw" "$tmp/sparse"
cp --sparse=never "$tmp/raw" "$tmp/dense"
size=$(stat -c %s "$tmp/sparse")
# Above the size hashed in a thread (32 MiB), with holes: else this tests nothing.
[ "$size" -ge 33554432 ] || { echo "FAIL: core of $size bytes is too small"; exit 1; }
used=$(($(stat -c %b "$tmp/sparse") * $(stat -c %B "$tmp/sparse")))
if [ "$used" -ge "$size" ]; then
	echo "skip: this file system keeps no holes ($used of $size bytes allocated)"
	exit 77
fi
# xxhsum -H2 of the decompressed core (xxhash 0.8.1).
sum=11a1d76bb8f9e5dff4b5f68fbcbe4047
[ "$(identity "$tmp/raw")" = "$sum" ] || { echo "FAIL: the core's XXH3-128 is not $sum"; exit 1; }
checked=0
for f in sparse dense; do
	expect 0 - "analyze of the $f copy" -- analyze --db "$tmp/db-$f" --exe "$tmp/exe" "$tmp/$f"
	got=$("$GOPM" sql --db "$tmp/db-$f" --csv "SELECT sha256 FROM artifacts" | tr -d '\r' | tail -n 1)
	n=$((n + 1))
	if [ "$got" = "$sum" ]; then
		echo "ok: $f copy stored as $got"
		checked=$((checked + 1))
	else
		echo "FAIL: $f copy stored as '$got', xxhsum -H2 says $sum"
		fail=$((fail + 1))
	fi
done
[ "$checked" -eq 2 ] || echo "checked $checked of 2 copies"
echo "$((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
