#!/bin/sh
# CLI tests of the typed heap seeded by deferred closures: cores of the deferseed program
# (testdata/go/deferseed, testdata/gen/make-defer-fixtures.sh), whose three goroutines are
# parked in main.park with a pending defer (in a loop: a heap _defer record and a heap
# closure) capturing the only pointer to a *main.Payload (72 bytes, no allocation header)
# that holds a 64 KiB []byte and 8 *main.Item with 1 KiB bodies. Stripped: each closure
# is named by its function, "closure of main.park.func1", and retains what the program
# built for it, 3 x (65536 + 8 x (32 + 1024) + 64 + 80) bytes plus the three 16-byte
# closures; with DWARF (cores made locally, see the generator): each closure is typed by
# its closure struct and the payloads, items and bodies through it. Needs zstd.
. "$top_srcdir/tests/cli/fixture.sh"
cores=0

for dir in "$td"/cores/go*-deferseed-*; do
	name=${dir##*/}
	unpack "$dir"
	expect 0 0 "$name: heap" -- heap --top 40 --exe "$tmp/exe" "$tmp/core"
	cp "$tmp/out" "$tmp/text"
	if grep -q '^dwarf=yes' "$dir/meta"; then
		check "$(grep -q '(3 deferred closures typed by their closure struct, 0 named by their function)' "$tmp/text" && echo yes)" \
			"$name: three closures typed by their closure struct"
		check "$(grep -q -E '^ +240 +3 +3 +[0-9]+  main\.Payload$' "$tmp/text" && echo yes)" \
			"$name: the three main.Payload typed through them"
		check "$(grep -q -E '^ +768 +24 +24 +[0-9]+  main\.Item$' "$tmp/text" && echo yes)" \
			"$name: the 24 main.Item typed through them"
	else
		check "$(grep -q '(0 deferred closures typed by their closure struct, 3 named by their function)' "$tmp/text" && echo yes)" \
			"$name: three closures named by their function"
		check "$(grep -q -E '^ +48 +3 +3 +222432  closure of main\.park\.func1$' "$tmp/text" && echo yes)" \
			"$name: the closures and what they retain"
	fi
	expect 0 0 "$name: heap --json" -- heap --json --exe "$tmp/exe" "$tmp/core"
	if grep -q '^dwarf=yes' "$dir/meta"; then
		want='"defer_closures_typed": 3'
	else
		want='"defer_closures_named": 3'
	fi
	check "$(grep -q -E "$want([^0-9]|\$)" "$tmp/out" && echo yes)" "$name: JSON $want"
	cores=$((cores + 1))
done
check "$([ "$cores" -ge 1 ] && echo yes)" "$cores deferseed cores checked"

echo "$n checks, $fail failed"
[ "$fail" -eq 0 ]
