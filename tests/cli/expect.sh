# Sourced by the CLI tests: expect STATUS LINES DESCRIPTION -- gopm ARGS... runs gopm, checks
# its exit status and, when LINES is not '-', the number of lines on stderr; stdout and
# stderr stay in $tmp/out and $tmp/err. Needs GOPM, tmp, n and fail set by the caller.
expect() {
	want=$1 lines=$2 what=$3
	shift 4
	n=$((n + 1))
	"$GOPM" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	got=$?
	nl=$(wc -l <"$tmp/err")
	if [ "$got" -ne "$want" ] || { [ "$lines" != - ] && [ "$nl" -ne "$lines" ]; }; then
		echo "FAIL: $what: exit $got (want $want), $nl stderr lines (want $lines)"
		sed 's/^/  stderr: /' "$tmp/err" | head -5
		fail=$((fail + 1))
	else
		echo "ok: $what: exit $got: $(head -n 1 "$tmp/err")"
	fi
}
