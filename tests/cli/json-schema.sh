#!/bin/sh
# Every JSON document the CLI tests produced (kept by tests/cli/gopm-record in
# $GOPM_JSON_DIR) validates against doc/gopm.schema.json, begins with "schema", "command",
# and every command with --json was seen at least once. Runs after the other CLI tests
# (tests/local.mk orders it); skipped (77) only when python3-jsonschema is missing.
set -u
: "${top_srcdir:?}" "${GOPM_JSON_DIR:?}"
if ! python3 -c 'import jsonschema' 2>/dev/null; then
	echo "SKIP: python3-jsonschema is not installed (tools/deps installs it)"
	exit 77
fi
fail=0
set -- "$GOPM_JSON_DIR"/*.json
if [ ! -e "$1" ]; then
	echo "FAIL: no JSON document was kept in $GOPM_JSON_DIR"
	exit 1
fi
n=$#
python3 "$top_srcdir/tests/cli/json-schema.py" "$top_srcdir/doc/gopm.schema.json" "$@" ||
	fail=$((fail + 1))
# Every command that writes JSON is exercised by some test.
for cmd in analyze goroutines info heap rules incidents clusters search sql show; do
	if grep -l "\"command\": \"$cmd\"" "$@" >/dev/null 2>&1; then
		echo "ok: some test wrote $cmd --json"
	else
		echo "FAIL: no test wrote $cmd --json"
		fail=$((fail + 1))
	fi
done
# At least the documents the tests are known to write (a floor, not a count to update).
if [ "$n" -lt 25 ]; then
	echo "FAIL: only $n documents kept (want at least 25)"
	fail=$((fail + 1))
fi
echo "$n documents checked"
# The next run starts empty; a failure leaves the documents (and their .args) to look at.
[ "$fail" -eq 0 ] || exit 1
rm -f "$GOPM_JSON_DIR"/*.json "$GOPM_JSON_DIR"/*.args
