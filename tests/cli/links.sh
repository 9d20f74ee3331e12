#!/bin/sh
# CLI tests of the links from findings to values: in the fixture cores whose findings are
# about a panic value, a mutex or a channel (crash-panic, crash-abba, crash-leak,
# crash-deadlock of every version and build), `gopm analyze --json` gives each such
# finding a `print` expression and an evidence line "inspect: gopm print CORE 'EXPR'".
# The evidence line is run as printed (with --exe added, as the fixtures' executables are
# not beside their cores): exit 0 and a value. A panic value (a string on these fixtures)
# also types its heap object: `gopm print CORE 0xADDR` names it string. Needs zstd and
# python3.
. "$top_srcdir/tests/cli/fixture.sh"
links=0
panics=0
mutexes=0
seeded=0
cores=0

for dir in "$td"/cores/go*-crash-panic-* "$td"/cores/go*-crash-abba-* "$td"/cores/go*-crash-leak-* \
	"$td"/cores/go*-crash-deadlock-*; do
	[ -f "$dir/core.zst" ] || continue
	name=${dir##*/}
	exe=$td/$(sed -n 's/^exe=//p' "$dir/meta")
	zstd -d -q -c "$exe" >"$tmp/exe"
	zstd -d -q -c "$dir/core.zst" >"$tmp/core"
	cores=$((cores + 1))
	expect 0 - "$name: analyze --json" -- analyze --no-store --json --exe "$tmp/exe" "$tmp/core"
	# rule, print and the inspect evidence of each finding that has a print expression.
	python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
for s in doc["snapshots"]:
    for f in s["findings"]:
        if "print" in f:
            ev = [e["value"] for e in f["evidence"] if e["key"] == "inspect"]
            print("%s\t%s\t%s" % (f["rule"], f["print"], ev[0] if ev else ""))
' "$tmp/out" >"$tmp/links"
	case $name in
	*-panic-*) check "$(grep -q '^panic	' "$tmp/links" && echo yes)" "$name: the panic value has a print expression" ;;
	*-abba-*) check "$(grep -q '^deadlock.lock-order	\*(\*sync.Mutex)(0x' "$tmp/links" && echo yes)" "$name: the mutex has a print expression" ;;
	esac
	tab=$(printf '\t')
	while IFS="$tab" read -r rule expr inspect; do
		links=$((links + 1))
		case $rule in panic) panics=$((panics + 1)) ;; deadlock.lock-order | contention.mutex) mutexes=$((mutexes + 1)) ;; esac
		check "$([ "$inspect" = "gopm print $tmp/core '$expr'" ] && echo yes)" "$name: $rule: evidence 'inspect: $inspect'"
		# Run it as printed: "gopm" is this build, --exe goes first.
		n=$((n + 1))
		eval "\"\$GOPM\" print --exe \"\$tmp/exe\" ${inspect#gopm print }" </dev/null >"$tmp/val" 2>"$tmp/err"
		st=$?
		if [ "$st" -eq 0 ] && [ -s "$tmp/val" ] && [ ! -s "$tmp/err" ]; then
			echo "ok: $name: $rule: the printed command prints $(head -c 60 "$tmp/val")"
		else
			echo "FAIL: $name: $rule: the printed command exits $st"
			head -3 "$tmp/err"
			fail=$((fail + 1))
		fi
		# The panic value seeds the heap's types: the object by its address alone is
		# typed as the panic value's type.
		case $rule:$expr in
		panic:\*\(\*string\)\(0x*)
			addr=${expr#*(\*string)(}
			addr=${addr%)}
			expect 0 0 "$name: print $addr" -- print --exe "$tmp/exe" "$tmp/core" "$addr"
			check "$(grep -q "^// $addr: object $addr +0, 16 bytes, string\$" "$tmp/out" && echo yes)" \
				"$name: the panic value's object is typed from the panic record"
			seeded=$((seeded + 1))
			;;
		esac
	done <"$tmp/links"
done
check "$([ "$seeded" -ge 3 ] && echo yes)" "$seeded panic values typed by their records (want at least 3)"
check "$([ "$cores" -ge 12 ] && echo yes)" "$cores cores analysed (want at least 12)"
check "$([ "$panics" -ge 3 ] && [ "$mutexes" -ge 3 ] && echo yes)" "$links links run: $panics panic values, $mutexes mutexes (want at least 3 each)"

echo "$n checks, $fail failed"
[ "$fail" -eq 0 ]
