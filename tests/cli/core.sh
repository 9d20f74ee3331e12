#!/bin/sh
# CLI tests for core inputs: the documented exit statuses and one-line errors for bad input
# (gopm --help, doc/gopm.1), and that hostile cores never crash gopm. Needs zstd and head.
set -u
: "${GOPM:?}" "${top_srcdir:?}"
td=$top_srcdir/testdata
fx=$td/cores/go1.19-hang-stripped
exe=$td/$(sed -n 's/^exe=//p' "$fx/meta")
other=$td/exe/go1.19-crash-dwarf.zst
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
n=0

. "$top_srcdir/tests/cli/expect.sh"

expect 0 0 "info on a good core" -- info --exe "$exe" "$fx/core.zst"
grep -q '^go: *go1\.19' "$tmp/out" || { echo "FAIL: info does not name go1.19"; fail=$((fail + 1)); }
expect 0 0 "info --json" -- info --json --exe "$exe" "$fx/core.zst"
grep -q '"go_version": "go1.19' "$tmp/out" || { echo "FAIL: info --json lacks go_version"; fail=$((fail + 1)); }
expect 0 0 "goroutines of a good core" -- goroutines --exe "$exe" "$fx/core.zst"
expect 0 0 "goroutines with the threads' system stacks" -- goroutines --system --exe "$exe" "$fx/core.zst"
grep -q '^goroutine 0 gp=0x[0-9a-f]* m=[0-9]* mp=0x[0-9a-f]* \[idle\]:' "$tmp/out" ||
	{ echo "FAIL: --system shows no system stack"; fail=$((fail + 1)); }
expect 6 1 "stack of a goroutine that does not exist" -- stack --exe "$exe" "$fx/core.zst" 999999

expect 5 1 "executable of another program" -- info --exe "$other" "$fx/core.zst"
grep -q 'does not match' "$tmp/err" || { echo "FAIL: mismatch not named"; fail=$((fail + 1)); }
# The core names the path its program ran from; where that still exists, the search works.
named=$(zstd -dc "$fx/core.zst" | strings -n 8 | grep -m1 '^/tmp/gopm-fixture/.*/hang$' || true)
if [ -n "$named" ] && [ -e "$named" ]; then
	echo "skip: the core's own executable path $named exists here"
else
	expect 5 1 "executable not found (core names a path that is gone)" -- info "$fx/core.zst"
	grep -q -- '--exe' "$tmp/err" || { echo "FAIL: no hint to use --exe"; fail=$((fail + 1)); }
fi
printf 'not an executable\n' >"$tmp/text"
expect 5 1 "executable that is not ELF" -- info --exe "$tmp/text" "$fx/core.zst"
expect 5 1 "executable that is not ELF, forced" -- info --force --exe "$tmp/text" "$fx/core.zst"
# A different Go program forced onto the core: whatever it prints, it must not crash.
"$GOPM" goroutines --force --exe "$other" "$fx/core.zst" >/dev/null 2>&1
st=$?
n=$((n + 1))
if [ "$st" -ge 70 ] || [ "$st" -gt 6 ]; then
	echo "FAIL: forced wrong executable: exit $st"
	fail=$((fail + 1))
else
	echo "ok: forced wrong executable: exit $st"
fi

: >"$tmp/empty"
expect 4 1 "empty core" -- info --exe "$exe" "$tmp/empty"
head -c 65536 /dev/urandom >"$tmp/random"
expect 4 1 "random bytes" -- info --exe "$exe" "$tmp/random"
printf 'hello\nworld\n' >"$tmp/hello.txt"
expect 4 1 "text that is no dump or core" -- goroutines --exe "$exe" "$tmp/hello.txt"
expect 4 1 "text as core for info" -- info --exe "$exe" "$tmp/hello.txt"
expect 3 1 "core that does not exist" -- info --exe "$exe" "$tmp/nonexistent"
expect 3 1 "directory as core" -- info --exe "$exe" "$tmp"
expect 2 - "no arguments" -- info
expect 2 - "unknown option" -- info --bogus "$fx/core.zst"

# Truncated cores: a prefix of the file. The result is partial (exit 1) or an error naming
# the problem (exit 4) — never a crash.
zstd -dqf "$fx/core.zst" -o "$tmp/core"
size=$(wc -c <"$tmp/core")
for frac in 1 2 3 5 8 9; do
	head -c $((size * frac / 10)) "$tmp/core" >"$tmp/cut"
	for cmd in info goroutines; do
		n=$((n + 1))
		"$GOPM" $cmd --exe "$exe" "$tmp/cut" >/dev/null 2>"$tmp/err"
		st=$?
		if [ "$st" -ne 1 ] && [ "$st" -ne 4 ]; then
			echo "FAIL: $cmd on core cut at $frac/10: exit $st"
			head -3 "$tmp/err"
			fail=$((fail + 1))
		else
			echo "ok: $cmd on core cut at $frac/10: exit $st: $(head -n 1 "$tmp/err")"
		fi
	done
done
# A compressed core cut short is a decompression error.
head -c 20000 "$fx/core.zst" >"$tmp/cut.zst"
expect 4 1 "truncated .zst core" -- info --exe "$exe" "$tmp/cut.zst"

echo "$((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
