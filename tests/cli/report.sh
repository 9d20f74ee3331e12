#!/bin/sh
# CLI tests of gopm analyze --format markdown|html: on a hostile dump (testdata/reports/
# hostile.txt: a panic message, function names, a file name and a state holding HTML) no
# input-derived markup survives - no <script, no on...= attribute in any tag, no <img,
# <iframe or <svg from the input - and the hostile strings are there, escaped; the HTML
# holds no script and no reference to anything outside itself; on fixtures of several
# kinds both formats carry the report's content (headline, findings, groups, flame graph).
set -u
: "${GOPM:?}" "${top_srcdir:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
checked=0
bad() { echo "FAIL: $1: $2"; fail=$((fail + 1)); }
has() { grep -q -- "$3" "$2" || bad "$1" "no '$3'"; }
hasnt() { ! grep -q -i -E -- "$3" "$2" || bad "$1" "'$3' found: $(grep -i -E -o -- "$3" "$2" | head -1)"; }

run() { # run NAME FORMAT INPUT [ARGS...]: $tmp/NAME
	name=$1 fmt=$2
	shift 2
	"$GOPM" analyze --no-store --format "$fmt" "$@" </dev/null >"$tmp/$name" 2>"$tmp/$name.err"
	st=$?
	checked=$((checked + 1))
	[ $st -le 1 ] || bad "$name" "exit $st: $(head -n 1 "$tmp/$name.err")"
}

# No markup from the input: the only tags are the writer's own.
safe_html() { # safe_html NAME FILE
	hasnt "$1" "$2" '<script'
	hasnt "$1" "$2" '<[^>]*[[:space:]]on[a-z]+[[:space:]]*='
	hasnt "$1" "$2" '<(img|iframe|object|embed|link|base|meta http-equiv="refresh")'
	hasnt "$1" "$2" '(src|href)[[:space:]]*=[[:space:]]*"?(https?:|//|javascript:)'
	has "$1" "$2" "Content-Security-Policy"
	has "$1" "$2" '</html>'
}

h=$top_srcdir/testdata/reports/hostile.txt
run hostile.html html "$h"
safe_html hostile.html "$tmp/hostile.html"
has "hostile.html: panic message escaped" "$tmp/hostile.html" '&lt;script&gt;alert(&quot;panic&quot;)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(1)&gt;'
has "hostile.html: function name escaped" "$tmp/hostile.html" 'main.Render\[go.shape.&lt;script&gt;alert(2)&lt;/script&gt;\]'
has "hostile.html: file name escaped" "$tmp/hostile.html" '/src/x&quot;onload=&quot;alert(3).go'
has "hostile.html: state escaped" "$tmp/hostile.html" 'chan receive &lt;svg onload=alert(4)&gt;'
has "hostile.html: escaped in the SVG too" "$tmp/hostile.html" '<title>main.wait&lt;iframe&gt;'
run hostile.md markdown "$h"
# Outside code blocks (whose text a renderer prints as is): no markup from the input.
awk '/^```/ { inblock = !inblock; next } !inblock' "$tmp/hostile.md" >"$tmp/hostile.prose"
hasnt hostile.md "$tmp/hostile.prose" '<script|<img|<iframe|<svg'
has "hostile.md: the stack is in a code block" "$tmp/hostile.md" '^main.Render\[go.shape.<script>alert(2)</script>\]'
has "hostile.md: panic message escaped" "$tmp/hostile.md" '&lt;script&gt;alert("panic")&lt;/script&gt;'
has "hostile.md: summary escaped" "$tmp/hostile.md" 'chan receive &lt;svg onload=alert(4)&gt;'

# Fixtures of several kinds: a core, the runtime's text, a pprof debug=2 dump.
c=$top_srcdir/testdata/cores
for f in "go1.22-crash-abba-stripped/core.zst --exe $top_srcdir/testdata/exe/go1.22-crash-stripped.zst" \
	"go1.27-crash-leak-stripped/stderr.txt.zst" "../diff/stage-3.txt.zst"; do
	set -- $f
	in=$c/$1
	shift
	n=$(echo "$in" | tr '/.' '__')
	run "$n.html" html "$in" "$@"
	safe_html "$n.html" "$tmp/$n.html"
	has "$n.html: findings" "$tmp/$n.html" '<h2>Findings</h2>'
	has "$n.html: flame graph" "$tmp/$n.html" '<svg xmlns="http://www.w3.org/2000/svg"'
	has "$n.html: groups collapsed" "$tmp/$n.html" '<details'
	run "$n.md" markdown "$in" "$@"
	has "$n.md: findings" "$tmp/$n.md" '^## Findings'
	has "$n.md: groups" "$tmp/$n.md" '^<details'
	has "$n.md: stacks in code blocks" "$tmp/$n.md" '^```text'
done

# The headline of the text report is the page's title.
run leak.txt text "$c/go1.27-crash-leak-stripped/stderr.txt.zst"
head=$(sed -n 2p "$tmp/leak.txt" | sed 's/^[A-Z]* *//')
grep -q -F "<h1>$head</h1>" "$tmp/$(echo "$c/go1.27-crash-leak-stripped/stderr.txt.zst" | tr '/.' '__').html" ||
	bad "html headline" "no <h1>$head</h1>"

# Usage.
"$GOPM" analyze --no-store --format pdf "$h" >/dev/null 2>&1
[ $? -eq 2 ] || bad "--format pdf" "not a usage error"
"$GOPM" analyze --no-store --json --format html "$h" >/dev/null 2>&1
[ $? -eq 2 ] || bad "--json --format html" "not a usage error"

[ $checked -eq 9 ] || bad "count" "$checked reports checked, want 9"
echo "$checked reports, $fail failures"
[ $fail -eq 0 ]
