#!/bin/sh
# gopm goroutines|heap --format pprof|folded against what `go tool pprof` read from the
# same exports (testdata/pprof-export/expected.txt, made by
# testdata/gen/make-pprof-expectations.sh; no Go needed here): gopm's own totals (samples,
# goroutines or objects and bytes, locations) must equal pprof's; the folded stacks must sum
# to the same total; a heap profile must read back (gopm's profile.proto reader) to the
# same in-use objects and bytes, a goroutine profile to the same stacks and counts.
set -u
: "${GOPM:?}" "${top_srcdir:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
checked=0
bad() { echo "FAIL: $1: $2"; fail=$((fail + 1)); }
field() { # field NAME STATS: the value of NAME=... in STATS
	echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}
exp=$top_srcdir/testdata/pprof-export/expected.txt

grep -v '^#' "$exp" >"$tmp/cases"
while IFS='|' read -r name args stats; do
	name=$(echo $name)
	checked=$((checked + 1))
	(cd "$top_srcdir/testdata" && "$GOPM" $args --format pprof </dev/null >"$tmp/$name.pb.gz" 2>"$tmp/$name.err")
	st=$?
	[ $st -le 1 ] || { bad "$name" "exit $st: $(head -n 1 "$tmp/$name.err")"; continue; }
	(cd "$top_srcdir/testdata" && "$GOPM" $args --format folded </dev/null >"$tmp/$name.folded" 2>/dev/null)
	folded=$(awk '{ s += $NF } END { print s + 0 }' "$tmp/$name.folded")
	line=$(grep '^gopm: .*profile:' "$tmp/$name.err")
	samples=$(echo "$line" | sed -n 's/.*: \([0-9]*\) samples.*/\1/p')
	[ "$samples" = "$(field samples "$stats")" ] ||
		bad "$name" "gopm wrote $samples samples, pprof read $(field samples "$stats")"
	case $args in
	*goroutines*)
		g=$(echo "$line" | sed -n 's/.* \([0-9]*\) goroutines.*/\1/p')
		l=$(echo "$line" | sed -n 's/.* \([0-9]*\) locations.*/\1/p')
		[ "$g" = "$(field value1 "$stats")" ] && [ "$g" = "$(field top_total "$stats")" ] ||
			bad "$name" "gopm counted $g goroutines, pprof $(field value1 "$stats") (top $(field top_total "$stats"))"
		[ "$l" = "$(field locations "$stats")" ] ||
			bad "$name" "gopm wrote $l locations, pprof read $(field locations "$stats")"
		[ "$folded" = "$g" ] || bad "$name" "folded stacks sum to $folded, not $g"
		# Read back by gopm's own reader of goroutine profiles (src/dump/profile.c): the
		# same stacks and counts (the export's runtime.goexit root, which tracebacks do
		# not print, is not read back).
		"$GOPM" goroutines --format folded "$tmp/$name.pb.gz" 2>"$tmp/$name.back.err" |
			sort >"$tmp/$name.back" || bad "$name" "gopm cannot read its export back"
		sed 's/^runtime\.goexit;//' "$tmp/$name.folded" | sort >"$tmp/$name.want"
		cmp -s "$tmp/$name.want" "$tmp/$name.back" || {
			bad "$name" "read back as other stacks (< export, > read back):"
			diff "$tmp/$name.want" "$tmp/$name.back" | head -6
		}
		;;
	*)
		o=$(echo "$line" | sed -n 's/.* \([0-9]*\) objects.*/\1/p')
		b=$(echo "$line" | sed -n 's/.* \([0-9]*\) bytes.*/\1/p')
		[ "$o" = "$(field value1 "$stats")" ] && [ "$o" = "$(field top_objects "$stats")" ] ||
			bad "$name" "gopm counted $o objects, pprof $(field value1 "$stats")"
		[ "$b" = "$(field value2 "$stats")" ] || bad "$name" "gopm counted $b bytes, pprof $(field value2 "$stats")"
		[ "$folded" = "$b" ] || bad "$name" "folded heap sums to $folded bytes, not $b"
		# Read back by gopm's own profile.proto reader.
		"$GOPM" heap "$tmp/$name.pb.gz" >"$tmp/$name.back" 2>&1 ||
			bad "$name" "gopm heap cannot read its export: $(head -n 1 "$tmp/$name.back")"
		grep -q "^in use: *$o objects, $b bytes" "$tmp/$name.back" ||
			bad "$name" "read back: $(grep '^in use' "$tmp/$name.back")"
		;;
	esac
	echo "ok: $name ($samples samples)"
done <"$tmp/cases"

# A core's heap profile: its stacks are reference chains, root first in the folded form.
# The leaking map (a global) keeps its buckets, which keep the sessions: that chain holds
# the most bytes, and every chain starts at a root, at "(several roots)" or is the
# "(unreachable)" rest.
f=$tmp/heap-core.folded
top=$(awk '{ print $NF "\t" $0 }' "$f" | sort -n -r | head -n 1 | cut -f 2-)
case $top in
"0x"*" (.bss);"*"[]map.bucket[int]*main.Session;main.Session "*) ;;
*) bad "heap-core chains" "the largest chain is not the map's sessions: $top" ;;
esac
bad_roots=$(grep -v -c -E '^(0x[0-9a-f]+ \(\.(bss|data|noptrdata|noptrbss)\)|[a-zA-Z_].*\(global\)|goroutine [0-9]+: |\(several roots\)|\(unreachable\) )' "$f")
[ "$bad_roots" -eq 0 ] || bad "heap-core chains" "$bad_roots chains start elsewhere: $(grep -v -E '^(0x|goroutine |\(several|\(unreachable)' "$f" | head -n 2)"
grep -q ';' "$tmp/heap-core-types.folded" && bad "heap-core-types" "--no-retention wrote chains"

# Usage: a binary profile is not written to a terminal; filters do not go with it.
"$GOPM" goroutines --format pprof --state running "$top_srcdir/testdata/dumps/go1.22-hang-all.txt" >/dev/null 2>&1
[ $? -eq 2 ] || bad "--format pprof --state" "not a usage error"
"$GOPM" heap --format bogus "$top_srcdir/testdata/heapdumps/go1.22-heapfix.dump.zst" >/dev/null 2>&1
[ $? -eq 2 ] || bad "--format bogus" "not a usage error"

[ $checked -eq 8 ] || bad count "$checked cases checked, want 8"
echo "$checked cases, $fail failures"
[ $fail -eq 0 ]
