#!/bin/sh
# Golden tests of the real `gopm goroutines` and `gopm stack` on committed goroutine dumps
# (testdata/dumps/), compared byte for byte with tests/cli/expected/, and bad inputs that must
# end with the documented exit status (src/cli/cli.h) and exactly one "gopm: …" line on
# stderr. Run by `make check`, which sets GOPM and top_srcdir. POSIX sh only.
#
#   GOPM_UPDATE_GOLDEN=1 make check TESTS=tests/cli/dump.sh   rewrites the expected files
#   (review the diff before committing it).
set -u
: "${GOPM:?GOPM must name the gopm binary}" "${top_srcdir:?top_srcdir must be set}"
expected=$top_srcdir/tests/cli/expected
tmp=${TMPDIR:-/tmp}/gopm-cli-dump.$$
mkdir -p "$tmp" || exit 99
trap 'rm -rf "$tmp"' EXIT
failed=0
n=0

pass() { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1: $2"; }

# golden NAME STATUS ARGS...: run gopm ARGS in testdata/dumps (relative paths keep machine
# paths out of the output), expect STATUS, stdout equal to expected/NAME.out and stderr to
# expected/NAME.err (no such file: stderr must be empty).
golden() {
	name=$1
	want=$2
	shift 2
	(cd "$top_srcdir/testdata/dumps" && "$GOPM" "$@" </dev/null) >"$tmp/out" 2>"$tmp/err"
	status=$?
	if [ "${GOPM_UPDATE_GOLDEN:-}" = 1 ] && [ $status -eq "$want" ]; then
		cp "$tmp/out" "$expected/$name.out"
		rm -f "$expected/$name.err"
		[ -s "$tmp/err" ] && cp "$tmp/err" "$expected/$name.err"
	fi
	: >"$tmp/noerr"
	experr=$expected/$name.err
	[ -f "$experr" ] || experr=$tmp/noerr
	if [ $status -ne "$want" ]; then
		fail "$name" "exit status $status, want $want: $(head -n 1 "$tmp/err")"
	elif ! cmp -s "$tmp/err" "$experr"; then
		fail "$name" "stderr differs: $(head -n 1 "$tmp/err")"
	elif ! cmp -s "$tmp/out" "$expected/$name.out"; then
		fail "$name" "output differs from tests/cli/expected/$name.out"
		diff -u "$expected/$name.out" "$tmp/out" | head -n 20
	else
		pass "$name"
	fi
}

# bad NAME STATUS ARGS...: run gopm ARGS in tests/cli/bad, expect STATUS, nothing on stdout
# and one line on stderr starting with "gopm" (for usage errors, status 2, followed by the
# "Try 'gopm CMD --help'." hint).
bad() {
	name=$1
	want=$2
	shift 2
	(cd "$top_srcdir/tests/cli/bad" && "$GOPM" "$@" </dev/null) >"$tmp/out" 2>"$tmp/err"
	status=$?
	lines=$(wc -l <"$tmp/err")
	wantlines=1
	[ "$want" -eq 2 ] && grep -q "^Try 'gopm" "$tmp/err" && wantlines=2
	if [ $status -ne "$want" ]; then
		fail "$name" "exit status $status, want $want ($(head -n 1 "$tmp/err"))"
	elif [ -s "$tmp/out" ]; then
		fail "$name" "unexpected stdout: $(head -n 1 "$tmp/out")"
	elif [ "$lines" -ne $wantlines ] || ! head -n 1 "$tmp/err" | grep -q '^gopm'; then
		fail "$name" "want one \"gopm...\" line on stderr, got $lines: $(head -n 3 "$tmp/err")"
	else
		pass "$name: $(head -n 1 "$tmp/err")"
	fi
}

# Runtime tracebacks and profiles print back exactly; wrapped logs print unwrapped; status 1
# (partial) with a warning when part of the input was cut or capped.
golden headers 0 goroutines variants/headers.txt
golden panic-chain 0 goroutines variants/panic-chain.txt
golden nested-recovered 1 goroutines variants/nested-recovered.log
golden truncated 1 goroutines variants/truncated.log
golden concat 0 goroutines variants/concat.log
golden crlf 0 goroutines variants/crlf.log
golden kubectl-prefix 0 goroutines variants/kubectl-prefix.log
golden docker-json 0 goroutines variants/docker-json.log
golden pprof1-labels 0 goroutines variants/pprof1-labels.log
# Excerpts cut inside a line, a line end, a fence and words after it (the field's pastes):
# the cut goroutine is said to be cut, status 1. A logger's quoted lines among a report's.
golden excerpt-cut-name 1 goroutines variants/excerpt-cut-name.log
golden excerpt-cut-sp 1 goroutines variants/excerpt-cut-sp.log
golden excerpt-cut-createdby 1 goroutines variants/excerpt-cut-createdby.log
golden logfmt-lines-prose 0 goroutines variants/logfmt-lines-prose.log
golden combinestacks-debug2 0 goroutines corpus/combinestacks-debug2.txt
golden syncthing-go1.12 0 goroutines corpus/syncthing-go1.12-nil-deref-panic.log
golden headers-json 0 goroutines --json variants/headers.txt
golden headers-state 0 goroutines --state 'chan receive' variants/headers.txt
golden stack-7 0 stack variants/headers.txt 7

# Bad input: status 3 when it cannot be read, 4 when it is not a dump, 6 for a missing id,
# 2 for a bad command line.
bad empty 4 goroutines empty
bad random-bytes 4 goroutines random.bin
bad elf-junk 4 goroutines junk.elf
bad gzip-junk 4 goroutines junk.gz
bad missing-file 3 goroutines no-such-file
bad directory 3 goroutines .
bad stack-empty 4 stack empty 1
bad stack-no-such-goroutine 6 stack ../../../testdata/dumps/variants/headers.txt 999999
bad stack-bad-id 2 stack empty x1
bad no-input 2 goroutines

# Inputs whose size lies in their counts or their number of dumps: each must end with its
# status and say what it did not keep. Before these were bounded, the first took 45 s and
# 3.3 GB (records of 16,777,216 goroutines each), the second 37 s and 766 MB (20,000 dumps
# of one line), the third was quadratic (100,000 goroutine ids near 2^64 hashed alike).
# goroutines --state with a state none has: everything is read, nothing printed.
huge() {
	name=$1
	want=$2
	pattern=$3
	"$GOPM" goroutines --state no-such-state "$tmp/$name" >"$tmp/out" 2>"$tmp/err"
	status=$?
	if [ $status -ne "$want" ]; then
		fail "$name" "exit status $status, want $want: $(head -n 1 "$tmp/err")"
	elif [ -n "$pattern" ] && ! grep -q "$pattern" "$tmp/err"; then
		fail "$name" "no warning matching '$pattern': $(head -n 2 "$tmp/err")"
	else
		pass "$name"
	fi
}
i=0
while [ $i -lt 3 ]; do
	printf 'goroutine profile: total 16777216\n16777216 @ 0x1\n#\t0x1\tmain.f+0x1\t/a.go:1\n\n'
	i=$((i + 1))
done >"$tmp/counted.txt"
huge counted.txt 1 'were not made: past the limit of 2097152'
awk 'BEGIN { for (i = 0; i < 20000; i++) print "goroutine 1 [running]:" }' >"$tmp/dumps.txt"
huge dumps.txt 1 'goroutine header has no frames'
awk 'BEGIN { for (i = 0; i < 100000; i++)
	printf "goroutine 1844674407370%07d [chan receive]:\nmain.f()\n\t/a.go:1 +0x1\n" \
		"created by main.main in goroutine 1\n\t/a.go:2 +0x1\n\n", i }' \
	>"$tmp/ids.txt"
huge ids.txt 0 ''

# A JSON log whose crash record comes after the quick look at the input (256 KiB of other
# records first), its dump as one escaped string and as an array of lines, and a logfmt
# log with the dump in a trace="…" value after as many lines: read whole, the same
# goroutines as the dump itself (none was read: "line ends were lost").
plain=$top_srcdir/testdata/dumps/go1.27-hang-single.txt
"$GOPM" goroutines "$plain" >"$tmp/plain.out" 2>&1
for form in string array logfmt; do
	awk -v form="$form" '
	function esc(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); gsub(/\t/, "\\t", s); return s }
	{ line[NR] = esc($0) }
	END {
		for (i = 0; i < 5000; i++)
			if (form == "logfmt")
				printf "time=2026-12-06T10:00:00Z level=info msg=\"request served\" path=/api/items/%d\n", i
			else
				printf "{\"level\":\"info\",\"msg\":\"request served\",\"path\":\"/api/items/%d\"}\n", i
		if (form == "logfmt") {
			printf "time=2026-12-06T10:00:01Z level=error msg=\"panic recovered\" trace=\""
			for (i = 1; i <= NR; i++) printf "%s%s", line[i], (i < NR ? "\\n" : "")
			printf "\" caller=main.go:12\n"
		} else if (form == "string") {
			printf "{\"level\":\"error\",\"msg\":\"all goroutines\",\"stack\":\""
			for (i = 1; i <= NR; i++) printf "%s%s", line[i], (i < NR ? "\\n" : "")
			printf "\"}\n"
		} else {
			printf "{\"level\":\"error\",\"msg\":\"all goroutines\",\"stack\":["
			for (i = 1; i <= NR; i++) printf "\"%s\"%s", line[i], (i < NR ? "," : "")
			printf "]}\n"
		}
		for (i = 0; i < 5; i++) printf "{\"level\":\"info\",\"msg\":\"shutting down\"}\n"
	}' "$plain" >"$tmp/late-$form.json"
	"$GOPM" goroutines "$tmp/late-$form.json" >"$tmp/late.out" 2>&1
	if [ "$(wc -c <"$tmp/late-$form.json")" -gt 262144 ] && cmp -s "$tmp/plain.out" "$tmp/late.out"; then
		pass "a JSON log's late crash record ($form) read whole"
	else
		fail "a JSON log's late crash record ($form)" "$(head -n 1 "$tmp/late.out")"
	fi
done

echo "1..$n"
[ $failed -eq 0 ] || { echo "$failed of $n failed"; exit 1; }
exit 0
