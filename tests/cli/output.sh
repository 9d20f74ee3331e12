#!/bin/sh
# Writing standard output to a full disk (/dev/full) is a one-line message and exit 3 for
# every command: its real output (one list of command lines below, covering every command
# of `gopm --help`) and its --help. A closed pipe stays quiet.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
# The real binary: tests/cli/gopm-record would put its own stdout in between.
G=$top_builddir/gopm
td=$top_srcdir/testdata
dump=$td/dumps/go1.22-panic-all.txt
core=$td/cores/go1.27-heapfix-stripped/core.zst
exe=$td/exe/go1.27-heapfix-stripped.zst
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
XDG_DATA_HOME=$tmp/xdg HOME=$tmp/home
export XDG_DATA_HOME HOME
db=$tmp/a.db
fail=0 n=0
if [ ! -w /dev/full ]; then
	echo "SKIP: no /dev/full"
	exit 77
fi
"$G" ingest --db "$db" "$dump" "$td/dumps/go1.19-nilderef-all.txt" 2>/dev/null ||
	{ echo "FAIL: ingest for the archive commands"; exit 1; }

full() { # full DESCRIPTION -- gopm ARGS...: stdout on /dev/full gives exit 3, one line
	what=$1
	shift 2
	n=$((n + 1))
	"$G" "$@" </dev/null >/dev/full 2>"$tmp/err"
	got=$?
	nl=$(wc -l <"$tmp/err")
	if [ "$got" -ne 3 ] || [ "$nl" -ne 1 ] ||
		! grep -q '^gopm: standard output: No space left on device$' "$tmp/err"; then
		echo "FAIL: $what: exit $got (want 3), $nl stderr lines (want the one message):"
		sed 's/^/  /' "$tmp/err" | head -5
		fail=$((fail + 1))
	else
		echo "ok: $what: exit 3, one line"
	fi
}

# One line per command: NAME ARGS (an archive at $db, a dump, a core and its executable).
commands="info --exe $exe $core
goroutines $dump
stack $dump 1
analyze --no-store $dump
ingest --help
incidents --db $db
show --db $db 1
clusters --db $db
cluster show --db $db 1
diff $dump $td/dumps/go1.19-nilderef-all.txt
search --db $db nil
sql --db $db SELECT(1)
rm --db $db 2
gc --db $db
resign --db $db
tui --help
heap --exe $exe $core
print --exe $exe $core (*int)(0x10)
rules"
ncommands=0
while IFS= read -r line; do
	ncommands=$((ncommands + 1))
	# shellcheck disable=SC2086
	set -- $line
	full "$*" -- "$@"
	full "$1 --help" -- "$1" --help
done <<LIST
$commands
LIST
# JSON documents too.
full "analyze --json" -- analyze --no-store --json "$dump"
full "info --json" -- info --json --exe "$exe" "$core"
full "show --json" -- show --json --db "$db" 1
full "incidents --json" -- incidents --json --db "$db"
full "heap --json" -- heap --json --exe "$exe" "$core"
full "print --json" -- print --json --exe "$exe" "$core" "*(*int)(0x10)"
full "rules --json" -- rules --json
full "diff --json" -- diff --json "$dump" "$td/dumps/go1.19-nilderef-all.txt"
full "goroutines --json of two dumps" -- goroutines --json "$td/dumps/variants/concat.log"
full "help analyze" -- help analyze
full "--help" -- --help
full "completion bash" -- completion bash
full "completion zsh" -- completion zsh

# Every command of `gopm --help` is in the list above.
for c in $("$G" --help | sed -n '/^commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }'); do
	printf '%s\n' "$commands" | grep -q "^$c\( \|$\)" ||
		{ echo "FAIL: command $c is not checked"; fail=$((fail + 1)); }
done
want=$("$G" --help | sed -n '/^commands:/,/^$/p' | awk 'NR > 1 && NF' | wc -l)
[ "$ncommands" -eq "$want" ] || { echo "FAIL: $ncommands commands checked, gopm --help lists $want"; fail=$((fail + 1)); }

# A closed pipe is no error: no message, the command's own status.
"$G" goroutines "$dump" 2>"$tmp/err" | head -n 1 >/dev/null
if [ -s "$tmp/err" ]; then
	echo "FAIL: a closed pipe printed: $(head -n 1 "$tmp/err")"
	fail=$((fail + 1))
else
	echo "ok: a closed pipe is quiet"
fi
echo "$n command lines checked on /dev/full ($ncommands commands)"
[ "$fail" -eq 0 ]
