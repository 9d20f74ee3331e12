#!/bin/sh
# Keyset paging of a goroutine list (tui/list.c, tui_pane_ops.fetch_key): in a group of
# 30,000 goroutines whose ids follow the dump's order (row r of the list is goroutine r + 1),
# pages in the middle are read from a known row's key, forwards and backwards, after
# searches, PgDn, PgUp, G and k. After each move, Enter opens the cursor's goroutine: its id
# must be the cursor's row number (the status line's N/M) plus one, and the rows on screen
# consecutive ids. A page read from the wrong key or skipping the wrong number of rows
# shows other goroutines than the row numbers say. A search for a text every goroutine of the
# group shows (its top frame) goes to the next row, one none shows finds nothing. Some
# screens (80x24 and 200x50) are compared with expected ones.
set -u
: "${GOPM:?}" "${top_srcdir:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
export LC_ALL=C.UTF-8 TERM=xterm
unset NO_COLOR GOPM_TUI_SCRIPT
awk 'BEGIN {
	print "goroutine 1 [running]:\nmain.main()\n\t/app/main.go:10 +0x1d\n"
	for (i = 2; i <= 30001; i++)
		printf "goroutine %d [chan receive]:\nmain.worker(0x%x)\n\t/app/worker.go:30 +0x4a\ncreated by main.main\n\t/app/main.go:20 +0x2b\n\n", i, i
}' >"$tmp/dump.txt"
"$GOPM" ingest --db "$tmp/a.db" "$tmp/dump.txt" >/dev/null 2>&1 || {
	echo "FAIL: ingest"
	exit 1
}
# The moves; after each, the list's screen and the cursor's goroutine are saved.
moves='/12345|PgDn PgDn PgDn|PgUp PgUp PgUp PgUp PgUp PgUp|G|k k k|/20000|PgUp|/100|PgDn|j j|/29990|Up|/WORKER'
{
	printf ':open 1\nEnter\nTab\nEnter\n'
	i=0
	echo "$moves" | tr '|' '\n' | while read -r m; do
		i=$((i + 1))
		case $m in
		/*) printf '%s\nEnter\n' "$m" ;;
		*) echo "$m" | tr ' ' '\n' ;;
		esac
		printf ':save list-%d.txt\nEnter\n:save stack-%d.txt\nq\n' "$i" "$i"
	done
	# A text no goroutine of the group shows (its state and top frame are the group's).
	printf '/no such text\nEnter\n:save none.txt\n'
	# At 200x50: a search's page, then pages up from it and G.
	printf ':resize 200x50\n/15000\nEnter\n:save keyset-wide-search.txt\n'
	printf 'PgUp\nPgUp\nPgUp\n:save keyset-wide-pgup.txt\nG\n:save keyset-wide-last.txt\n'
} >"$tmp/keys"
(cd "$tmp" && "$GOPM" tui --db "$tmp/a.db" --script "$tmp/keys") >/dev/null 2>"$tmp/err" || {
	echo "FAIL: gopm tui exit $?"
	cat "$tmp/err"
	exit 1
}
fail=0 checked=0
n=$(echo "$moves" | tr '|' '\n' | wc -l)
i=1
while [ "$i" -le "$n" ]; do
	# The cursor's row (1-based) from the status line, the goroutine Enter opened.
	row=$(sed -n 's/.*\[goroutines\] \([0-9]*\)\/30000.*/\1/p' "$tmp/list-$i.txt")
	goid=$(sed -n '1s/^Goroutine \([0-9]*\) .*/\1/p' "$tmp/stack-$i.txt")
	# The rows shown: consecutive ids.
	gaps=$(awk '$1 ~ /^[0-9]+$/ && NR > 2 { if (prev && $1 != prev + 1) g++; prev = $1; rows++ }
		END { print (rows >= 10 ? 0 + g : "few") }' "$tmp/list-$i.txt")
	if [ -z "$row" ] || [ -z "$goid" ] || [ "$goid" -ne $((row + 1)) ] || [ "$gaps" != 0 ]; then
		echo "FAIL: move $i ($(echo "$moves" | cut -d'|' -f"$i")): row '$row', goroutine '$goid', gaps '$gaps'"
		fail=$((fail + 1))
	fi
	checked=$((checked + 1))
	i=$((i + 1))
done
# /WORKER (the group's top frame, case folded: every row shows it) is the next row.
cursor() { sed -n 's/.*\[goroutines\] \([0-9]*\)\/30000.*/\1/p' "$tmp/list-$1.txt"; }
a=$(cursor 12) b=$(cursor 13)
[ -n "$a" ] && [ -n "$b" ] && [ "$b" -eq $((a + 1)) ] || {
	echo "FAIL: /WORKER from row '$a' went to row '$b'"
	fail=$((fail + 1))
}
[ "$checked" -eq 13 ] || { echo "FAIL: $checked moves checked, want 13"; fail=$((fail + 1)); }
grep -q "no match for 'no such text'" "$tmp/none.txt" || {
	echo "FAIL: a text no row shows: $(tail -1 "$tmp/none.txt")"
	fail=$((fail + 1))
}
# Screens as saved (80x24: G, a search, PgUp after one; 200x50), compared with
# tests/tui/expected/keyset-*.txt (GOPM_TUI_UPDATE=1 rewrites them).
cp "$tmp/list-4.txt" "$tmp/keyset-last.txt"
cp "$tmp/list-6.txt" "$tmp/keyset-search.txt"
cp "$tmp/list-7.txt" "$tmp/keyset-search-pgup.txt"
screens=0
for f in keyset-last keyset-search keyset-search-pgup keyset-wide-search keyset-wide-pgup \
	keyset-wide-last; do
	screens=$((screens + 1))
	if [ "${GOPM_TUI_UPDATE:-}" = 1 ]; then
		cp "$tmp/$f.txt" "$top_srcdir/tests/tui/expected/$f.txt"
	elif ! cmp -s "$tmp/$f.txt" "$top_srcdir/tests/tui/expected/$f.txt"; then
		echo "FAIL: $f.txt differs from expected"
		diff -u "$top_srcdir/tests/tui/expected/$f.txt" "$tmp/$f.txt" | head -20
		fail=$((fail + 1))
	fi
done
echo "keyset: $checked moves checked, $screens screens compared"
[ "$fail" -eq 0 ]
