#!/bin/sh
# runtime.allp in stripped cores, found by content (src/goroutines/corefacts.c): every
# stripped core fixture (testdata/cores, cores-arm64, stwstall) gives it through a scan,
# at the address the symbol runtime.allp has in its twin built with symbols (the same
# program, Go version and flags but -s -w: the data segments do not move); the cores of
# testdata/corerules read again with their executable stripped here (strip, binutils) give
# the same allp, the same pending timers (timers.accumulation) and the same Ps' states
# (gc.stw-stall) as with the symbol table.
set -u
: "${GOPM:?}" "${top_srcdir:?}"
for tool in python3 zstd strip readelf; do
	command -v "$tool" >/dev/null 2>&1 || { echo "skipped: needs $tool"; exit 77; }
done
td=$top_srcdir/testdata
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
scanned=0
twins=0
stripped=0
rules=0

# $1 core, $2 exe: "ADDRESS PS FOUND_BY SYMBOLS" from gopm info --json ("- - - S" none)
allp() {
	"$GOPM" info --json --exe "$2" "$1" 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
a = d.get("allp")
s = "symbols" if (d.get("executable") or {}).get("symbols") else "stripped"
print(a["address"], a["ps"], a["found_by"].replace(" ", "_"), s) if a else print("-", "-", "-", s)'
}

# Every core fixture: a stripped one finds allp by the scan; its twin's symbol says where.
for d in "$td"/cores/*/ "$td"/cores-arm64/*/; do
	d=${d%/}
	[ -f "$d/meta" ] || continue
	case $(sed -n 's/^variant=//p' "$d/meta") in *stripped) ;; *) continue ;; esac
	exe=$td/$(sed -n 's/^exe=//p' "$d/meta")
	set -- $(allp "$d/core.zst" "$exe")
	stripped=$((stripped + 1))
	if [ "$3" != scan_of_the_data_segments ] || [ "$4" != stripped ] || [ "$2" -lt 1 ]; then
		echo "FAIL: ${d#"$td"/}: no runtime.allp found by scan ($*)"
		fail=$((fail + 1))
		continue
	fi
	scanned=$((scanned + 1))
	twin=${d%-stripped}-dwarf
	[ "$twin" != "$d-dwarf" ] && [ -f "$twin/meta" ] || continue
	set -- "$1" $(allp "$twin/core.zst" "$td/$(sed -n 's/^exe=//p' "$twin/meta")")
	twins=$((twins + 1))
	[ "$1" = "$2" ] && [ "$4" = symbol_runtime.allp ] ||
		{ echo "FAIL: ${d#"$td"/}: allp at $1 by scan, the twin's symbol says $2 ($4)"; fail=$((fail + 1)); }
done

# The stripped stop-the-world cores: the Ps' states are evidence.
for d in "$td"/stwstall/go1.*; do
	zstd -dqf "$d/exe.zst" -o "$tmp/stw" || { echo "FAIL: ${d#"$td"/}: exe"; fail=$((fail + 1)); continue; }
	"$GOPM" analyze --no-store --width 1000 --exe "$tmp/stw" "$d/core.zst" >"$tmp/r" 2>/dev/null
	stripped=$((stripped + 1))
	if grep -Eq '^ +Ps +3 of 4 stopped for the collection \(_Pgcstop\), 1 running$' "$tmp/r" &&
		grep -Eq "^ +checked +.* the Ps' status \(runtime\.allp: scan of the data segments\); the scheduler's own state .* not read: the executable has no symbol table$" "$tmp/r"; then
		scanned=$((scanned + 1))
	else
		echo "FAIL: ${d#"$td"/}: no Ps' states from a scanned allp"
		fail=$((fail + 1))
	fi
done

# The corerules cores with their executable stripped here: what the symbols gave.
for d in "$td"/corerules/go1.*; do
	v=${d##*/}
	zstd -dqf "$d/exe.zst" -o "$tmp/exe-$v" && strip -o "$tmp/exe-$v-s" "$tmp/exe-$v" ||
		{ echo "FAIL: $v: executable"; fail=$((fail + 1)); continue; }
	for c in "$d"/*/core.zst; do
		w=${c%/core.zst}
		w=${w##*/}
		set -- $(allp "$c" "$tmp/exe-$v") $(allp "$c" "$tmp/exe-$v-s")
		[ "$3" = symbol_runtime.allp ] && [ "$7" = scan_of_the_data_segments ] && [ "$8" = stripped ] &&
			[ "$1" = "$5" ] && [ "$2" = "$6" ] ||
			{ echo "FAIL: $v $w: allp with symbols $1 $2 $3, stripped $5 $6 $7"; fail=$((fail + 1)); continue; }
		rules=$((rules + 1))
		case $w in timers | fewtimers | stw) ;; *) continue ;; esac
		for e in "$tmp/exe-$v" "$tmp/exe-$v-s"; do
			"$GOPM" analyze --no-store --width 1000 --exe "$e" "$c" 2>/dev/null |
				grep -E '^[A-Z]+ +[0-9]+ pending runtime timers|^ +(timers|period) +|^ +Ps +' |
				tr -s ' ' >"$e.$w"
		done
		[ -s "$tmp/exe-$v.$w" ] || [ "$w" = fewtimers ] ||
			{ echo "FAIL: $v $w: nothing to compare"; fail=$((fail + 1)); }
		cmp -s "$tmp/exe-$v.$w" "$tmp/exe-$v-s.$w" ||
			{ echo "FAIL: $v $w: stripped differs:"; diff "$tmp/exe-$v.$w" "$tmp/exe-$v-s.$w"; fail=$((fail + 1)); }
	done
done

echo "$scanned of $stripped stripped cores gave allp by scan; $twins matched their twin's symbol; $rules corerules cores stripped gave the same allp"
# 73 in testdata/cores, 8 in cores-arm64, 2 stwstall; 14 twins; 2 x 7 corerules cores.
[ "$stripped" -ge 83 ] && [ "$twins" -ge 14 ] && [ "$rules" -ge 14 ] ||
	{ echo "FAIL: too few fixtures checked"; fail=$((fail + 1)); }
[ "$fail" -eq 0 ]
