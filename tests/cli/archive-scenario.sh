#!/bin/sh
# The archive scenario: six bugs (nil dereference, panic, all-asleep deadlock, lock-order
# inversion, concurrent map writes, mutex contention), each from Go 1.19 (DWARF) and Go 1.27
# (stripped), as the core and the runtime's text of the same instant (GOTRACEBACK=crash)
# and as the runtime's text at GOTRACEBACK=single, all and system
# (testdata/dumps/levels, testdata/gen/make-level-texts.sh): 60 incidents, 6 clusters,
# every input of a bug in its bug's cluster; `gopm resign` keeps the clusters and their ids.
set -u
: "${GOPM:?}" "${top_srcdir:?}"
t=$top_srcdir/testdata
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
db=$tmp/a.db
fail=0
stored=0

ingest() { # ingest BUG ARGS...: stores one input, remembers its incident's bug
	bug=$1
	shift
	if ! "$GOPM" ingest --db "$db" "$@" >"$tmp/out" 2>"$tmp/err"; then
		echo "FAIL: ingest $*"
		sed 's/^/  /' "$tmp/err" | head -3
		fail=$((fail + 1))
		return
	fi
	id=$(sed -n 's/.*stored incident \([0-9]*\)$/\1/p' "$tmp/err")
	[ -n "$id" ] || { echo "FAIL: ingest $*: no incident"; fail=$((fail + 1)); return; }
	echo "$id $bug" >>"$tmp/bugs"
	stored=$((stored + 1))
}

for go in go1.19 go1.27; do
	for bug in crash-nilderef crash-panic crash-deadlock crash-abba crash-concmap \
		crash2-contention; do
		c=$(ls -d "$t/cores/$go-$bug-"*)
		exe=$(sed -n 's/^exe=//p' "$c/meta")
		ingest "$bug" --exe "$t/$exe" "$c/core.zst"
		ingest "$bug" "$c/stderr.txt"
		for level in single all system; do
			ingest "$bug" "$t/dumps/levels/$go-${bug#*-}-$level.txt.zst"
		done
	done
done
[ "$stored" -eq 60 ] || { echo "FAIL: $stored incidents stored (want 60)"; fail=$((fail + 1)); }

# Incident -> cluster; each bug must be exactly one cluster, each cluster one bug.
clusters() {
	"$GOPM" sql --db "$db" --csv "SELECT x.incident_id, s.cluster_id FROM \
incident_signatures x JOIN signatures s ON s.id = x.signature_id WHERE x.algorithm = \
(SELECT max(algorithm) FROM incident_signatures) ORDER BY 1" | tail -n +2 | tr -d '\r' |
		tr ',' ' ' | sort >"$1"
}
check_clusters() { # check_clusters WHEN
	clusters "$tmp/cl"
	sort "$tmp/bugs" | join - "$tmp/cl" | awk '{print $2, $3}' | sort -u >"$tmp/pairs"
	nb=$(cut -d' ' -f1 "$tmp/pairs" | sort -u | wc -l)
	nc=$(cut -d' ' -f2 "$tmp/pairs" | sort -u | wc -l)
	np=$(wc -l <"$tmp/pairs")
	if [ "$nb" -ne 6 ] || [ "$nc" -ne 6 ] || [ "$np" -ne 6 ]; then
		echo "FAIL: $1: $nb bugs in $nc clusters ($np bug-cluster pairs, want 6 6 6):"
		sed 's/^/  /' "$tmp/pairs"
		fail=$((fail + 1))
	else
		echo "ok: $1: 60 incidents of 6 bugs in 6 clusters"
	fi
}
check_clusters "after ingest"
cp "$tmp/pairs" "$tmp/pairs.ingest"
"$GOPM" resign --db "$db" >"$tmp/out" 2>"$tmp/err" || { echo "FAIL: resign"; fail=$((fail + 1)); }
grep -q '^60 incidents re-signed, 0 moved cluster$' "$tmp/out" ||
	{ echo "FAIL: resign said: $(cat "$tmp/out")"; fail=$((fail + 1)); }
check_clusters "after resign"
cmp -s "$tmp/pairs" "$tmp/pairs.ingest" ||
	{ echo "FAIL: resign changed cluster ids"; fail=$((fail + 1)); }

echo "archive scenario: $stored incidents checked, $fail failed"
[ "$fail" -eq 0 ]
