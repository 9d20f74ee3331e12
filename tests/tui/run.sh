#!/bin/sh
# Scripted TUI tests (tig's way): the real gopm tui reads keys from tests/tui/scripts/*.keys
# with its display on /dev/null at 80x24; every `:save NAME` screen is compared with
# tests/tui/expected/NAME.txt. One script per view and family of keys. Set
# GOPM_TUI_UPDATE=1 to rewrite the expected screens after an intended change.
set -u
: "${GOPM:?}" "${top_srcdir:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
. "$top_srcdir/tests/tui/archive.sh"
make_archive || { echo "FAIL: cannot build the archive"; exit 1; }
export LC_ALL=C.UTF-8 TERM=xterm
# The clock of scripted runs: the workflow events triage.keys records have this time.
export SOURCE_DATE_EPOCH=1717200000
unset NO_COLOR GOPM_TUI_SCRIPT GOMODCACHE GOPATH
# Source of standard library frames comes from GOROOT/src (a stand-in runtime/proc.go of
# numbered lines); no module cache or ~/sdk of this machine is looked at.
export HOME="$tmp/home" GOROOT="$tmp/goroot"
mkdir -p "$GOROOT/src/runtime"
awk 'BEGIN { for (i = 1; i <= 400; i++) printf "// stand-in runtime/proc.go, line %d\n", i }' \
	>"$GOROOT/src/runtime/proc.go"
fail=0 screens=0
# triage.keys changes clusters: it works on a copy, checked after the loop.
cp "$tmp/a.db" "$tmp/triage.db"
expected=$top_srcdir/tests/tui/expected
for s in "$top_srcdir"/tests/tui/scripts/*.keys; do
	name=$(basename "$s" .keys)
	out=$tmp/out-$name
	mkdir -p "$out"
	# A script's first line may give extra options: "#args --source-root src". Paths are
	# relative to $out, where src is the fixtures' Go sources and ../in the archive's inputs,
	# so no screen shows where this checkout lives.
	ln -sf "$top_srcdir/testdata/go" "$out/src"
	args=$(sed -n '1s/^#args //p' "$s" | sed "s|@top_srcdir@|$top_srcdir|g; s|@tmp@|$tmp|g")
	# shellcheck disable=SC2086
	(cd "$out" && "$GOPM" tui --db "$tmp/a.db" --script "$s" $args) >"$tmp/stdout" 2>"$tmp/stderr"
	st=$?
	if [ "$st" -ne 0 ]; then
		echo "FAIL: $name: exit $st"
		sed 's/^/  /' "$tmp/stderr" | head -20
		fail=$((fail + 1))
		continue
	fi
	for got in "$out"/*.txt; do
		[ -e "$got" ] || continue
		screens=$((screens + 1))
		b=$(basename "$got")
		if grep -q "$(printf '\033')" "$got"; then
			echo "FAIL: $name/$b: an escape character reached the screen"
			fail=$((fail + 1))
		fi
		if [ "${GOPM_TUI_UPDATE:-}" = 1 ]; then
			cp "$got" "$expected/$b"
		elif ! cmp -s "$got" "$expected/$b"; then
			echo "FAIL: $name/$b differs from expected"
			diff -u "$expected/$b" "$got" | head -40
			fail=$((fail + 1))
		fi
	done
	echo "ok: $name"
done
[ "$screens" -gt 0 ] || { echo "FAIL: no screens saved"; fail=$((fail + 1)); }

# The workflow keys of triage.keys persisted, as the command line sees them: the first
# cluster resolved and assigned with a note and a link, the second ignored, and the
# events the same rows `gopm cluster` writes.
# id, status and owner of each cluster in `gopm clusters --json` (one field a line).
clusters_json() {
	"$GOPM" clusters --json --db "$1" |
		awk -F': ' '/"id":/ {id = $2} /"status":/ {st = $2} /"owner":/ {print id, st, $2}' |
		tr -d '",'
}
got=$(clusters_json "$tmp/triage.db" | head -3)
want=$(clusters_json "$tmp/a.db" | head -3 |
	awk 'NR == 1 {print $1, "resolved alice"} NR == 2 {print $1, "ignored null"} NR == 3 {print $1, "new null"}')
if [ "$got" != "$want" ]; then
	echo "FAIL: triage: clusters --json says"; echo "$got" | sed 's/^/  /'
	echo "  want"; echo "$want" | sed 's/^/  /'
	fail=$((fail + 1))
fi
first=$(echo "$want" | sed -n '1s/ .*//p')
events=$("$GOPM" cluster show "$first" --db "$tmp/triage.db" | awk 'NF >= 3 && $1 ~ /^20/ {print $3, $4, $5, $6, $7, $8, $9, $10, $11}')
want_events="resolve -
assign alice
note the lock order in transfer; see the ticket
link https://bugs.example/1234"
if [ "$(echo "$events" | sed 's/ *$//')" != "$want_events" ]; then
	echo "FAIL: triage: events of cluster $first:"; echo "$events" | sed 's/^/  /'
	fail=$((fail + 1))
fi

# Outside a terminal and without a script, gopm tui refuses with a usage status.
"$GOPM" tui --db "$tmp/a.db" </dev/null >/dev/null 2>&1
[ $? -eq 2 ] || { echo "FAIL: no terminal: want exit 2"; fail=$((fail + 1)); }
GOPM_TUI_SCRIPT=/dev/null "$GOPM" tui --db "$tmp/missing.db" >/dev/null 2>&1
[ $? -eq 3 ] || { echo "FAIL: missing archive: want exit 3"; fail=$((fail + 1)); }
"$GOPM" tui --bogus >/dev/null 2>&1
[ $? -eq 2 ] || { echo "FAIL: unknown option: want exit 2"; fail=$((fail + 1)); }

echo "$screens screens compared, $fail failed"
[ "$fail" -eq 0 ]
