#!/bin/sh
# CLI tests of the typed heap where the heap records no types: out-of-memory cores of the
# oomcache program (testdata/go/oomcache, testdata/gen/make-oom-fixtures.sh), whose cache
# (a *main.Cache of *main.Entry with 16 KiB bodies) is held only by a local of main.main.
# Go 1.19 with DWARF has no allocation headers: the frames' DWARF locals seed the type
# propagation; Go 1.19 and Go 1.21 stripped have neither: objects are typed by shape (size
# class and heap bitmap, two bits a word in 1.19 and one in 1.21, against the type
# descriptors); Go 1.22 stripped has allocation headers. A
# main.Entry found by the walk prints by its address alone (`gopm print CORE 0xADDR`). In every core the byte slices are the top type by bytes and main.Entry is
# among the top three types, and at least 99% of the heap's bytes are typed; the untyped
# rest is listed by size class among the types. Needs zstd.
. "$top_srcdir/tests/cli/fixture.sh"
cores=0
shaped=0

for dir in "$td"/cores/go*-oomcache-*; do
	name=${dir##*/}
	unpack "$dir"
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
	elif ! grep -q 'allocation headers' "$tmp/out"; then
		# Stripped, before Go 1.22: typed by shape, with what was checked said.
		check "$(grep -q -E '^ +[1-9][0-9]* of them \(.*\) typed by shape .* [1-9][0-9]* untyped objects with pointers matched against [1-9][0-9]* type descriptors' "$tmp/out" && echo yes)" \
			"$name: typed by shape"
		shaped=$((shaped + 1))
	fi
	check "$(grep -q -E '^ +[0-9]+ +[0-9]+ +- +-  \(untyped, size class [0-9]+: [0-9]+ B\)$' "$tmp/out" && echo yes)" \
		"$name: untyped bytes listed by size class"
	# A main.Entry by address, typed by the walk, printed: Key "entry/N", Hits N, and
	# the body's first byte N mod 256 (the program's own values); exit 1: the body is cut
	# at --max-len.
	entry=$(grep -o -E 'main\.Entry at 0x[0-9a-f]+' "$tmp/out" | head -1 | awk '{print $3}')
	expect 1 0 "$name: print $entry" -- print --depth 1 --max-len 16 --exe "$tmp/exe" "$tmp/core" "$entry"
	i=$(sed -n 's/^main\.Entry{Key:"entry\/\([0-9]*\)", Body:.*/\1/p' "$tmp/out")
	check "$([ -n "$i" ] && grep -q -E "^main\.Entry\{Key:\"entry/$i\", Body:\[\]uint8\{0x$(printf %x $((${i:-0} % 256))), .*, /\* 16368 more \*/\}, Hits:$i\}\$" "$tmp/out" && echo yes)" \
		"$name: the entry at $entry prints its own key, body and hits (entry ${i:-?})"
	check "$(grep -q -E "^// $entry: object $entry \+0, 48 bytes, main\.Entry\$" "$tmp/out" && echo yes)" \
		"$name: print says which object"
	expect 6 1 "$name: an address in no heap object" -- print --exe "$tmp/exe" "$tmp/core" 0x10
	cores=$((cores + 1))
done
check "$([ "$cores" -eq 4 ] && echo yes)" "$cores oomcache cores checked (want 4)"
check "$([ "$shaped" -eq 2 ] && echo yes)" "$shaped cores typed by shape (want 2)"

echo "$n checks, $fail failed"
[ "$fail" -eq 0 ]
