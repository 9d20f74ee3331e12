#!/bin/sh
# The command line from the option tables (src/cli/options.h): for every command of
# `gopm --help`, the options of `gopm CMD --help`, of `gopm help CMD`, of the bash
# completion and of the SYNOPSIS of doc/gopm.1 are the same set (the tables' list,
# `gopm completion options`), each is described under OPTIONS in doc/gopm.1, --help fits
# 80 columns, and "--" and "-" work for the commands that read an input.
set -u
: "${GOPM:?}" "${top_srcdir:?}"
man=$top_srcdir/doc/gopm.1
dump=$top_srcdir/testdata/dumps/go1.22-panic-all.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
XDG_DATA_HOME=$tmp/xdg HOME=$tmp/home
export XDG_DATA_HOME HOME
fail=0 n=0
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

"$GOPM" completion options >"$tmp/table" || bad "gopm completion options"
"$GOPM" completion bash >"$tmp/bash" || bad "gopm completion bash"
"$GOPM" completion zsh >"$tmp/zsh" || bad "gopm completion zsh"
bash -n "$tmp/bash" || bad "the bash completion does not parse"
if command -v zsh >/dev/null 2>&1; then
	zsh -n "$tmp/zsh" || bad "the zsh completion does not parse"
fi
cmds=$("$GOPM" --help | sed -n '/^commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }')
[ -n "$cmds" ] || bad "no commands in gopm --help"

# The SYNOPSIS lines of one command: from ".B gopm CMD" to the next ".br" or ".SH".
man_options() {
	awk -v c="$1" '
		/^\.B gopm / { on = ($3 == c) ; next }
		/^\.(br|SH)/ { on = 0 }
		on' "$man" | sed 's/\\-/-/g' | grep -o -- '--[a-z0-9-]*' | sort -u
}
# The options section: every option name under .TP lines.
sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$man" | sed 's/\\-/-/g' | grep -o -- '--[a-z0-9-]*' |
	sort -u >"$tmp/described"

for c in $cmds; do
	n=$((n + 1))
	awk -v c="$c" '$1 == c && $2 != "--help" { print $2 }' "$tmp/table" | sort -u >"$tmp/want"
	"$GOPM" "$c" --help >"$tmp/help" 2>&1 || bad "$c --help: exit $?"
	"$GOPM" help "$c" >"$tmp/help2" 2>&1 || bad "help $c: exit $?"
	cmp -s "$tmp/help" "$tmp/help2" || bad "gopm help $c differs from gopm $c --help"
	awk 'length($0) > 80 { exit 1 }' "$tmp/help" || bad "$c --help is wider than 80 columns"
	grep -o '^  \(-., \)\?--[a-z0-9-]*\|^      --[a-z0-9-]*' "$tmp/help" | grep -o -- '--[a-z0-9-]*' |
		grep -v '^--help$' | sort -u >"$tmp/got"
	cmp -s "$tmp/want" "$tmp/got" || { bad "$c: --help lists other options than the table"; diff "$tmp/want" "$tmp/got"; }
	awk -v c="$c" '
		$0 == "\t" c ")" { on = 1; next }
		/^\t[a-z]+\)$/ { on = 0 }
		on && /-\*\) COMPREPLY/' "$tmp/bash" | grep -o -- '--[a-z][a-z0-9-]*' | grep -v '^--help$' |
		sort -u >"$tmp/comp"
	cmp -s "$tmp/want" "$tmp/comp" || { bad "$c: the bash completion offers other options"; diff "$tmp/want" "$tmp/comp"; }
	man_options "$c" >"$tmp/man"
	cmp -s "$tmp/want" "$tmp/man" || { bad "$c: doc/gopm.1's SYNOPSIS lists other options (< table, > man)"; diff "$tmp/want" "$tmp/man"; }
	for o in $(cat "$tmp/want"); do
		grep -qx -- "$o" "$tmp/described" || bad "$c: $o is not described under OPTIONS in doc/gopm.1"
	done
	echo "ok: $c: $(wc -l <"$tmp/want") options in the table, --help, completion and man page"
done

# "--" ends the options and "-" is standard input.
for c in goroutines analyze; do
	n=$((n + 1))
	set -- "$c"
	[ "$c" = analyze ] && set -- analyze --no-store
	if "$GOPM" "$@" -- - <"$dump" >"$tmp/out" 2>"$tmp/err" && [ -s "$tmp/out" ]; then
		echo "ok: $c -- - reads standard input"
	else
		bad "$c -- - does not read standard input: $(head -n 1 "$tmp/err")"
	fi
done
"$GOPM" stack -- - 1 <"$dump" >"$tmp/out" 2>"$tmp/err" || bad "stack -- - 1: $(head -n 1 "$tmp/err")"
"$GOPM" goroutines -- --json </dev/null >"$tmp/out" 2>"$tmp/err"
[ $? -eq 3 ] || bad "goroutines -- --json: '--json' after -- is an input (exit 3)"
"$GOPM" help nosuch >/dev/null 2>&1
[ $? -eq 2 ] || bad "gopm help nosuch: want exit 2"
"$GOPM" analyze --width >/dev/null 2>&1
[ $? -eq 2 ] || bad "analyze --width without a value: want exit 2"
echo "$n commands checked"
[ "$n" -ge 16 ] || bad "only $n commands checked"
[ "$fail" -eq 0 ]
