#!/bin/sh
# A search for digits in a group's goroutines (tui/view_goroutines.c): the ids that contain
# them are read as ranges from schema 11's goroutines_goid, not row by row. In a group of
# 3,000 goroutines whose ids are out of the dump's order (a permutation up to 100,002), each
# text is searched from the first row (/), then n, n, N, and N from the first row; the
# cursor's row must be the one awk finds by reading the ids in the dump's order: the first
# row past the cursor whose id (or wait) contains the text in the search's direction
# (wrapping, the cursor's own row last), or none. Texts of one to
# six digits (one digit: too many ranges, the rows are scanned), with a leading zero, one a
# wait could contain (the group waits 4 to 6 minutes), one no id contains.
set -u
: "${GOPM:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
export LC_ALL=C.UTF-8 TERM=xterm
unset NO_COLOR GOPM_TUI_SCRIPT
n=3000
awk -v n=$n 'BEGIN {
	print "goroutine 1 [running]:\nmain.main()\n\t/app/main.go:10 +0x1d\n"
	for (i = 1; i <= n; i++)
		printf "goroutine %d [chan receive, %d minutes]:\nmain.worker(0x%x)\n\t/app/worker.go:30 +0x4a\ncreated by main.main\n\t/app/main.go:20 +0x2b\n\n", (i * 7919) % 100003 + 2, 4 + i % 3, i
}' >"$tmp/dump.txt"
"$GOPM" ingest --db "$tmp/a.db" "$tmp/dump.txt" >/dev/null 2>&1 || {
	echo "FAIL: ingest"
	exit 1
}
texts="7 42 100 0 05 777 1234 99999 5 31337 000"
# Per text: / from the first row, n, n, N, then N from the first row.
{
	printf ':open 1\nEnter\nTab\nEnter\n'
	for s in $texts; do
		printf 'g\n/%s\nEnter\n:save a-%s.txt\nn\n:save b-%s.txt\nn\n:save c-%s.txt\n' "$s" "$s" "$s" "$s"
		printf 'N\n:save d-%s.txt\ng\nN\n:save e-%s.txt\n' "$s" "$s"
	done
} >"$tmp/keys"
(cd "$tmp" && "$GOPM" tui --db "$tmp/a.db" --script "$tmp/keys") >/dev/null 2>"$tmp/err" || {
	echo "FAIL: gopm tui exit $?"
	cat "$tmp/err"
	exit 1
}
# Each row's id and wait cell, in the dump's order.
awk -v n=$n 'BEGIN { for (i = 1; i <= n; i++) print (i * 7919) % 100003 + 2, 4 + i % 3 " min" }' >"$tmp/ids"
fail=0 checked=0
for s in $texts; do
	# The rows awk finds for a b c d e (1-based, as the status line says), or "none".
	want=$(awk -v s="$s" -v n=$n '
		function step(from, dir,   r, k) {
			for (k = 1; k <= n; k++) {
				r = ((from - 1 + dir * k) % n + n) % n + 1
				if (m[r]) return r
			}
			return "none"
		}
		index($1, s) || index($2 " " $3, s) { m[NR] = 1 }
		END {
			a = step(1, 1); if (a == "none") { print "none none none none none"; exit }
			b = step(a, 1); c = step(b, 1); d = step(c, -1); e = step(1, -1)
			print a, b, c, d, e
		}' "$tmp/ids")
	i=0
	for k in a b c d e; do
		i=$((i + 1))
		w=$(echo "$want" | cut -d' ' -f$i)
		got=$(sed -n 's/.*\[goroutines\] \([0-9]*\)\/'$n'.*/\1/p' "$tmp/$k-$s.txt")
		if [ "$w" = none ]; then
			grep -q "no match for '$s'" "$tmp/$k-$s.txt" || {
				echo "FAIL: $k /$s: want no match, got row '$got'"
				fail=$((fail + 1))
			}
		elif [ "$got" != "$w" ]; then
			echo "FAIL: $k /$s: row '$got', want $w"
			fail=$((fail + 1))
		fi
		checked=$((checked + 1))
	done
done
[ "$checked" -eq 55 ] || { echo "FAIL: $checked searches checked, want 55"; fail=$((fail + 1)); }
echo "goid-search: $checked searches checked, $fail failed"
[ "$fail" -eq 0 ]
