# Sourced by the CLI tests of native stacks (native.sh, native-arm64.sh): checks GOPM and
# top_srcdir, sets td (testdata/cgo), a private tmp removed on exit, the counters n and fail,
# sources expect.sh, and gives bad (a failed check), headline (the report's first finding in
# $tmp/out), c_thread (the C thread's block of $tmp/out) and in_order (whether the functions
# named appear in that block in that order).
set -u
: "${GOPM:?}" "${top_srcdir:?}"
td=$top_srcdir/testdata/cgo
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
n=0

. "$top_srcdir/tests/cli/expect.sh"

bad() {
	echo "FAIL: $1"
	fail=$((fail + 1))
}

headline() {
	sed -n '2p' "$tmp/out" | sed 's/^[A-Z]* *//'
}

# The lines of the C thread's block (thread TID [C thread, ...]: to the next blank line).
c_thread() {
	sed -n '/^thread [0-9]* \[C thread, unwound by /,/^$/p' "$tmp/out"
}

# Whether the functions named as arguments appear in the C thread's block in that order.
in_order() {
	c_thread | grep -v '^	' >"$tmp/funcs"
	for f in "$@"; do
		line=$(grep -n "^$f\$" "$tmp/funcs" | head -1 | cut -d: -f1)
		[ -n "$line" ] || return 1
		sed -i "1,${line}d" "$tmp/funcs"
	done
}
