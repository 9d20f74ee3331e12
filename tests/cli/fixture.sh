# Sourced by the CLI tests that walk fixture cores: checks GOPM and top_srcdir, sets td
# (testdata), a private tmp removed on exit, the counters n and fail, sources expect.sh, and
# gives:
#   check yes|"" DESCRIPTION     counts a check that passed when its first word is "yes"
#   unpack CORE-DIR              decompresses the fixture's core and its executable
#                                (testdata/exe/NAME.zst) into $tmp/core and $tmp/exe
set -u
: "${GOPM:?}" "${top_srcdir:?}"
td=$top_srcdir/testdata
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
n=0

. "$top_srcdir/tests/cli/expect.sh"

check() {
	n=$((n + 1))
	if [ "$1" = yes ]; then echo "ok: $2"; else echo "FAIL: $2"; fail=$((fail + 1)); fi
}

unpack() {
	zstd -d -q -c "$1/core.zst" >"$tmp/core" &&
		zstd -d -q -c "$td/exe/${1##*/}.zst" >"$tmp/exe"
}
