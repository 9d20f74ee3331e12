#!/bin/sh
# rule_leaks' "the other side still holds the channel": a goroutine outside a group of
# goroutines blocked on channels of their own that names one of those channels in its
# printed arguments turns the leak claim into a hint naming that goroutine — the first
# such goroutine in the dump's order, never one of the group itself. (The lookup is one
# pass over all arguments per analysis; this checks it picks the same goroutine.)
set -u
: "${GOPM:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
# dump FILE REFS: 12 goroutines (ids 10..21) blocked receiving, each on its own channel
# 0xc0001000N0; goroutine 10 also names goroutine 11's channel (same group: no reference);
# then the goroutines of REFS, "ID:CHANNEL" each, in a function of their own.
dump() {
	{
		printf 'goroutine 1 [running]:\nmain.main()\n\t/app/main.go:10 +0x1d\n'
		i=10
		while [ "$i" -le 21 ]; do
			other=
			[ "$i" -eq 10 ] && other=", 0xc000100110"
			printf '\ngoroutine %d [chan receive, 5 minutes]:\n' "$i"
			printf 'runtime.chanrecv1(0xc000100%03x, 0x0)\n\t/usr/lib/go/src/runtime/chan.go:442 +0x12\n' $((i * 16))
			printf 'main.wait.func1(0xc000100%03x%s)\n\t/app/wait.go:20 +0x38\n' $((i * 16)) "$other"
			printf 'created by main.wait in goroutine 1\n\t/app/wait.go:18 +0x9e\n'
			i=$((i + 1))
		done
		for r in $2; do
			printf '\ngoroutine %s [select]:\n' "${r%%:*}"
			printf 'main.owner(%s, 0x10)\n\t/app/owner.go:30 +0x45\n' "${r#*:}"
			printf 'created by main.main in goroutine 1\n\t/app/main.go:12 +0x65\n'
		done
	} >"$1"
}
check() { # check WHAT FILE WANT-REGEX
	"$GOPM" analyze --no-store "$2" >"$tmp/out" 2>"$tmp/err"
	if grep -Eq "$3" "$tmp/out"; then
		echo "ok: $1"
	else
		echo "FAIL: $1: no /$3/ in:"
		sed -n '1,30p' "$tmp/out"
		fail=$((fail + 1))
	fi
}
dump "$tmp/none.txt" ""
check "no reference: a leak claim" "$tmp/none.txt" \
	'goroutine leak: 12 goroutines blocked receiving from abandoned channels in main.wait.func1'
dump "$tmp/same.txt" "30:0x1234"
check "a reference from within the group does not count" "$tmp/same.txt" \
	'goroutine leak: 12 goroutines blocked receiving from abandoned'
# Goroutine 40 names channel 0xc000100150 (of goroutine 21), 31 the channel of goroutine
# 11 that goroutine 10 of the group named first: 31 comes first in the dump.
dump "$tmp/refs.txt" "31:0xc000100110 40:0xc000100150"
check "an outside reference makes a hint" "$tmp/refs.txt" \
	'goroutine leak\? 12 goroutines blocked receiving from channels in main.wait.func1'
check "the first outside goroutine is named" "$tmp/refs.txt" \
	'goroutine 31 refers to one of these channels'
dump "$tmp/later.txt" "40:0xc000100150 31:0xc000100110"
check "in the dump's order, not by id" "$tmp/later.txt" \
	'goroutine 40 refers to one of these channels'
echo "5 checks, $fail failed"
[ "$fail" -eq 0 ]
