#!/bin/sh
# `gopm resign` under an unchanged signature algorithm changes nothing: every goroutine
# dump under testdata/dumps (all Go versions, variants, field dumps, the scenario levels)
# is ingested, each incident's signature (hash, frames, kind) and cluster are saved,
# resign runs, and they must be identical, with "0 moved cluster". Resign recomputes each
# signature from what the archive stored (frames, created-by functions, states), so a
# loader that reads any of it back differently shows here.
set -u
: "${GOPM:?}" "${top_srcdir:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
db=$tmp/a.db
fail=0
say() { echo "FAIL: $*"; fail=$((fail + 1)); }

find "$top_srcdir/testdata/dumps" -type f \( -name '*.txt' -o -name '*.log' -o -name '*.txt.zst' \) |
	sort >"$tmp/inputs"
"$GOPM" ingest --db "$db" $(cat "$tmp/inputs") >"$tmp/ingest.out" 2>&1
snapshot() {
	"$GOPM" sql --db "$db" --csv "SELECT x.incident_id, s.algorithm, s.hash, s.kind, \
s.frames, s.cluster_id FROM incident_signatures x JOIN signatures s ON s.id = \
x.signature_id ORDER BY x.incident_id, s.algorithm" | tr -d '\r' >"$1"
}
snapshot "$tmp/before"
n=$(($(wc -l <"$tmp/before") - 1))
stored=$("$GOPM" sql --db "$db" --csv "SELECT count(*) AS n FROM incidents" | tail -n 1 | tr -d '\r')
[ "$n" -eq "$stored" ] || say "$n signatures for $stored incidents"
[ "$stored" -ge 150 ] || say "only $stored incidents stored from $(wc -l <"$tmp/inputs") dumps"
creators=$("$GOPM" sql --db "$db" --csv "SELECT count(DISTINCT incident_id) AS n FROM goroutines \
WHERE created_by IS NOT NULL" | tail -n 1 | tr -d '\r')
[ "$creators" -ge 100 ] || say "only $creators incidents have goroutines with a creator"

"$GOPM" resign --db "$db" >"$tmp/out" 2>"$tmp/err" || say "resign: exit $?: $(head -n 1 "$tmp/err")"
grep -q "^$stored incidents re-signed, 0 moved cluster\$" "$tmp/out" ||
	say "resign said: $(head -n 1 "$tmp/out")"
snapshot "$tmp/after"
if ! cmp -s "$tmp/before" "$tmp/after"; then
	say "resign changed $(diff "$tmp/before" "$tmp/after" | grep -c '^>') signatures, e.g.:"
	diff "$tmp/before" "$tmp/after" | head -n 6
fi
echo "resign: $stored incidents ($creators with creators) checked, $fail failed"
[ "$fail" -eq 0 ]
