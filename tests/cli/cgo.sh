#!/bin/sh
# CLI tests on cgo programs (testdata/cgo/, made by testdata/cgo/gen.sh): a SIGSEGV in a C
# function called through cgo is the headline (rule signal.cgo) naming the C function and
# its Go caller, from the kernel core and from the runtime's own text of that instant; a
# program hanging in C (sleep() under a C function) is named as a goroutine in C code (rule
# cgo.blocked). With symbols and DWARF the core names the C function the pc is in (the one
# the called C function calls) with file:line; stripped, the C function cgo called. A goroutine
# in C is LOW unless in C for minutes; healthy cgo programs (busy-*.txt) get nothing above LOW.
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

# The headline: the first finding's title line.
headline() {
	sed -n '2p' "$tmp/out" | sed 's/^[A-Z]* *//'
}

seen=0
for fx in "$td"/go*-*-*; do
	[ -f "$fx/meta" ] || continue
	seen=$((seen + 1))
	name=${fx##*/}
	exe=$td/$(sed -n 's/^exe=//p' "$fx/meta")
	case $name in
	*-crash-*)
		# The text names the C function cgo called (the runtime prints no C frames).
		expect 0 0 "$name: analyze the text" -- analyze --no-store "$fx/stderr.txt"
		[ "$(headline)" = "SIGSEGV in C function gpm_fixture_crash (nil pointer), called from Go main.parseRecord" ] ||
			bad "$name: text headline: $(headline)"
		grep -q 'rule signal.cgo' "$tmp/out" || bad "$name: text: no signal.cgo"
		! grep -q 'rule signal.nil-dereference' "$tmp/out" || bad "$name: text: also signal.nil-dereference"
		expect 0 0 "$name: analyze the core" -- analyze --no-store --exe "$exe" "$fx/core.zst"
		# Go 1.22's -s leaves no symbol of the C code; Go 1.19 links cgo programs with
		# -rdynamic, so .dynsym names the C functions even when stripped.
		case $name in
		go1.22-*-stripped)
			[ "$(headline)" = "SIGSEGV in C function gpm_fixture_crash (nil pointer), called from Go main.parseRecord" ] ||
				bad "$name: core headline: $(headline)"
			;;
		*)
			[ "$(headline)" = "SIGSEGV in C function gpm_fixture_read_record (nil pointer), called from Go main.parseRecord" ] ||
				bad "$name: core headline: $(headline)"
			;;
		esac
		case $name in
		*-dwarf)
			grep -q '^ *C function *gpm_fixture_read_record at .*main\.go:14$' "$tmp/out" ||
				bad "$name: core: the C function's file:line"
			;;
		esac
		grep -q '^ *signal *SIGSEGV, fault address 0x7 (near nil)$' "$tmp/out" ||
			bad "$name: core: the original SIGSEGV and its address"
		! grep -q 'sent from outside' "$tmp/out" || bad "$name: core: the runtime's SIGABRT taken as external"
		# The crashing thread's system stack goes through the signal frames into the C
		# code: the C functions named (file:line with DWARF), below them the Go code.
		expect 0 0 "$name: goroutines --system" -- goroutines --system --exe "$exe" "$fx/core.zst"
		case $name in
		go1.22-*-stripped) ;;
		*)
			grep -A1 '^gpm_fixture_read_record$' "$tmp/out" | grep -q 'pc=0x' ||
				bad "$name: --system: no C frame gpm_fixture_read_record"
			grep -q '^gpm_fixture_crash$' "$tmp/out" ||
				bad "$name: --system: no C frame gpm_fixture_crash (its caller, by .eh_frame)"
			;;
		esac
		case $name in
		*-dwarf)
			grep -A1 '^gpm_fixture_read_record$' "$tmp/out" | grep -q '	.*main\.go:14 pc=0x' ||
				bad "$name: --system: the C frame's file:line"
			;;
		esac
		expect 0 0 "$name: analyze --json" -- analyze --no-store --json --exe "$exe" "$fx/core.zst"
		grep -q '"rule": "signal.cgo"' "$tmp/out" || bad "$name: json: no signal.cgo"
		;;
	*-hang-*)
		for input in "$fx/stderr.txt" "$fx/core.zst"; do
			expect 0 0 "$name: analyze ${input##*/}" -- analyze --no-store --exe "$exe" "$input"
			[ "$(headline)" = "goroutine 1 is in C code: C function gpm_fixture_wait_device, called from Go main.waitDevice" ] ||
				bad "$name: ${input##*/}: headline: $(headline)"
			! grep -q 'rule signal.cgo' "$tmp/out" || bad "$name: ${input##*/}: SIGQUIT in C taken for a crash"
		done
		# The thread in C: libc's sleep unnamed, then the C function found above it.
		case $name in
		go1.22-*-stripped) ;;
		*)
			expect 0 0 "$name: goroutines --system" -- goroutines --system --exe "$exe" "$fx/core.zst"
			grep -q '^gpm_fixture_wait_device$' "$tmp/out" ||
				bad "$name: --system: no C frame gpm_fixture_wait_device"
			;;
		esac
		;;
	esac
done
[ "$seen" -ge 4 ] || bad "only $seen cgo fixtures"

# A program hanging in C for minutes: the same dump with the runtime's wait time, as it
# prints it after 7 minutes, makes cgo.blocked MEDIUM.
sed 's/^goroutine 1 \(.*\)\[syscall\]:$/goroutine 1 \1[syscall, 7 minutes]:/' \
	"$td/go1.22-hang-dwarf/stderr.txt" >"$tmp/hang-7min.txt"
grep -q 'syscall, 7 minutes' "$tmp/hang-7min.txt" || bad "hang-7min: the wait time was not set"
expect 0 0 "a goroutine 7 minutes in C" -- analyze --no-store "$tmp/hang-7min.txt"
sed -n '2p' "$tmp/out" | grep -q '^MEDIUM *goroutine 1 is in C code' ||
	bad "hang-7min: not MEDIUM: $(sed -n '2p' "$tmp/out")"
grep -q '^ *in C for *1 of 1 goroutines 5+ minutes, the longest 7 minutes$' "$tmp/out" ||
	bad "hang-7min: no wait evidence"

# Healthy cgo (testdata/cgo/gen-busy.sh): 64 goroutines calling a short C function in a
# loop, dumped while they run; nothing above LOW, and in the SIGQUIT tracebacks (where they
# show under runtime.cgocall) cgo.blocked is there at LOW with why.
busy=0
for f in "$td"/busy-go*.txt; do
	[ -f "$f" ] || continue
	busy=$((busy + 1))
	name=${f##*/}
	expect 0 0 "$name: analyze" -- analyze --no-store "$f"
	! grep -Eq '^(MEDIUM|HIGH|CRITICAL) ' "$tmp/out" ||
		bad "$name: a finding above LOW: $(grep -E '^(MEDIUM|HIGH|CRITICAL) ' "$tmp/out" | head -1)"
	case $name in
	*-sigquit.txt)
		grep -q '^LOW *64 goroutines are in C code; goroutine [0-9]* in C function gpm_fixture_checksum, called from Go main.checksum$' "$tmp/out" ||
			bad "$name: no LOW cgo.blocked: $(sed -n '2p' "$tmp/out")"
		grep -q '^ *in C for *less than a minute' "$tmp/out" || bad "$name: no wait evidence"
		;;
	esac
done
[ "$busy" -ge 4 ] || bad "only $busy healthy cgo dumps"

echo "$((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
