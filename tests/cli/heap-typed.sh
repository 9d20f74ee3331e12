#!/bin/sh
# CLI tests of the typed heap where the heap records no types: out-of-memory cores of the
# oomcache program (testdata/go/oomcache, testdata/gen/make-oom-fixtures.sh), whose cache
# (a *main.Cache of *main.Entry with 16 KiB bodies) is held only by a local of main.main.
# Go 1.19 with DWARF has no allocation headers: the frames' DWARF locals seed the type
# propagation. In every core the byte slices are the top type by bytes and main.Entry is
# among the top three types, and at least 99% of the heap's bytes are typed; the untyped
# rest is listed by size class among the types. Needs zstd.
set -u
: "${GOPM:?}" "${top_srcdir:?}"
td=$top_srcdir/testdata
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
n=0
cores=0

. "$top_srcdir/tests/cli/expect.sh"
check() {
	n=$((n + 1))
	if [ "$1" = yes ]; then echo "ok: $2"; else echo "FAIL: $2"; fail=$((fail + 1)); fi
}

for dir in "$td"/cores/go*-oomcache-*; do
	name=${dir##*/}
	zstd -d -q -c "$dir/core.zst" >"$tmp/core"
	zstd -d -q -c "$td/exe/$name.zst" >"$tmp/exe"
	expect 0 0 "$name: heap" -- heap --top 40 --exe "$tmp/exe" "$tmp/core"
	# The typed rows of "top types by bytes", in order (untyped rows are "(untyped, ...)").
	sed -n '/^top types by bytes:/,/^$/p' "$tmp/out" | sed '1,2d' | grep -v '(untyped' |
		awk '{print $NF}' >"$tmp/types"
	check "$([ "$(sed -n 1p "$tmp/types")" = '[]uint8' ] && echo yes)" "$name: []uint8 first by bytes"
	check "$(head -3 "$tmp/types" | grep -qx 'main.Entry' && echo yes)" "$name: main.Entry in the top three"
	# "... N% of bytes typed in all" (headers) or "... (N% of bytes) typed by following".
	pct=$(grep -A1 '^types:' "$tmp/out" | grep -o -E '[0-9]+\.[0-9]%' | tail -1 | tr -d '%')
	check "$(awk -v p="${pct:-0}" 'BEGIN { if (p >= 99.0) print "yes" }')" "$name: ${pct:-?}% of bytes typed"
	if grep -q '^dwarf=yes' "$dir/meta"; then
		check "$(grep -q -E "and [1-9][0-9]* frames' arguments and locals typed by DWARF" "$tmp/out" && echo yes)" \
			"$name: frames' locals seeded the types"
	fi
	check "$(grep -q -E '^ +[0-9]+ +[0-9]+ +- +-  \(untyped, size class [0-9]+: [0-9]+ B\)$' "$tmp/out" && echo yes)" \
		"$name: untyped bytes listed by size class"
	cores=$((cores + 1))
done
check "$([ "$cores" -eq 2 ] && echo yes)" "$cores oomcache cores checked (want 2)"

echo "$n checks, $fail failed"
[ "$fail" -eq 0 ]
