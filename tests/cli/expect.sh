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

# identity FILE: the archive's identity of FILE (src/base/identity.h) computed without gopm:
# SHA-256 over the SHA-256 digests of its 4 MiB chunks. Uses $tmp/identity.
identity() {
	rm -rf "$tmp/identity" && mkdir "$tmp/identity" &&
		split -b 4194304 -a 5 "$1" "$tmp/identity/c." &&
		for c in $(ls "$tmp/identity" | sort); do
			sha256sum <"$tmp/identity/$c" | cut -c1-64
		done | perl -ne 'print pack("H*", substr($_, 0, 64))' | sha256sum | cut -c1-64
}
