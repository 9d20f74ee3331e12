#!/bin/sh
# `gopm show --json` of a stored incident equals the snapshot of `gopm analyze --json` that
# stored it, but for what the archive does not keep (doc/json.md, "show"): the group
# signatures (hashes over pc offsets), process.arch, process.signal, live_snapshot and
# stop_signal, and warnings. Dumps of several kinds, a file of two dumps, and a core.
set -u
: "${GOPM:?}" "${top_srcdir:?}"
td=$top_srcdir/testdata
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
XDG_DATA_HOME=$tmp/xdg HOME=$tmp/home
export XDG_DATA_HOME HOME
db=$tmp/a.db
fail=0 n=0
if ! command -v python3 >/dev/null 2>&1; then
	echo "SKIP: no python3 to compare JSON documents"
	exit 77
fi

compare() { # compare NAME -- analyze ARGS...
	name=$1
	shift 2
	if ! "$GOPM" analyze --json --db "$db" "$@" >"$tmp/analyze.json" 2>"$tmp/err"; then
		echo "FAIL: $name: analyze: $(head -n 1 "$tmp/err")"
		fail=$((fail + 1))
		return
	fi
	s=0
	for id in $(sed -n 's/.* in the archive as incident \([0-9]*\) .*/\1/p' "$tmp/err"); do
		n=$((n + 1))
		if ! "$GOPM" show --json --db "$db" "$id" >"$tmp/show.json" 2>"$tmp/err2"; then
			echo "FAIL: $name: show $id: $(head -n 1 "$tmp/err2")"
			fail=$((fail + 1))
		elif python3 "$top_srcdir/tests/cli/json-compare.py" "$tmp/analyze.json" "$s" \
			"$tmp/show.json"; then
			echo "ok: $name: snapshot $s = show --json $id"
		else
			echo "FAIL: $name: snapshot $s differs from show --json $id"
			fail=$((fail + 1))
		fi
		s=$((s + 1))
	done
}

compare "panic dump" -- "$td/dumps/go1.22-panic-all.txt"
compare "hang dump" -- "$td/dumps/go1.21-hang-all.txt"
compare "nil dereference" -- "$td/dumps/go1.19-nilderef-all.txt"
compare "two dumps in one file" -- "$td/dumps/variants/concat.log"
compare "core" -- --exe "$td/exe/go1.27-heapfix-stripped.zst" "$td/cores/go1.27-heapfix-stripped/core.zst"
# The archive's other documents, for tests/cli/json-schema.sh.
for q in "search --json nil" "sql --json SELECT(id),time,headline/**/FROM/**/incidents" \
	"incidents --json" "clusters --json"; do
	# shellcheck disable=SC2086
	"$GOPM" $q --db "$db" >"$tmp/out" 2>"$tmp/err" && [ -s "$tmp/out" ] ||
		{ echo "FAIL: $q: $(head -n 1 "$tmp/err")"; fail=$((fail + 1)); }
done
echo "$n stored incidents compared"
[ "$n" -ge 6 ] || { echo "FAIL: only $n incidents compared (want 6)"; fail=$((fail + 1)); }
[ "$fail" -eq 0 ]
