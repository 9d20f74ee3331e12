#!/bin/sh
# make check-browser: the HTML reports in a real headless browser (chromium --dump-dom).
# For a hostile dump (testdata/reports/hostile.txt) and fixtures of several kinds, the DOM
# the browser built must hold the report's content (headline, flame graph, groups), the
# hostile strings as text, and no element that came from the input (script, img, iframe,
# an on...= handler). Skipped, with a message and status 77, when no chromium is found
# (set CHROMIUM to its path).
set -u
: "${GOPM:?}" "${top_srcdir:?}"
chromium=${CHROMIUM:-}
if [ -z "$chromium" ]; then
	for c in chromium chromium-browser google-chrome; do
		if command -v "$c" >/dev/null 2>&1; then
			chromium=$(command -v "$c")
			break
		fi
	done
fi
if [ -z "$chromium" ]; then
	echo "check-browser: SKIPPED: no chromium (install Debian's chromium or set CHROMIUM)"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
checked=0
bad() { echo "FAIL: $1: $2"; fail=$((fail + 1)); }

dom() { # dom NAME INPUT [ARGS...]: the report in $tmp/NAME.html, the DOM in $tmp/NAME.dom
	name=$1
	shift
	"$GOPM" analyze --no-store --format html "$@" >"$tmp/$name.html" 2>/dev/null
	"$chromium" --headless --no-sandbox --disable-gpu --user-data-dir="$tmp/profile" \
		--dump-dom "file://$tmp/$name.html" >"$tmp/$name.dom" 2>"$tmp/$name.err"
	checked=$((checked + 1))
	[ -s "$tmp/$name.dom" ] || { bad "$name" "no DOM: $(head -n 1 "$tmp/$name.err")"; return 1; }
	for el in '<script' '<img' '<iframe' '<object' '<embed'; do
		! grep -q -i -- "$el" "$tmp/$name.dom" || bad "$name" "the DOM has an element $el"
	done
	! grep -q -i -E '<[^>]*[[:space:]]on[a-z]+=' "$tmp/$name.dom" || bad "$name" "the DOM has an event handler"
	grep -q '<svg' "$tmp/$name.dom" || bad "$name" "no flame graph in the DOM"
	grep -q '<details' "$tmp/$name.dom" || bad "$name" "no goroutine groups in the DOM"
	grep -q '<h1>' "$tmp/$name.dom" || bad "$name" "no headline in the DOM"
}

if dom hostile "$top_srcdir/testdata/reports/hostile.txt"; then
	for s in '&lt;script&gt;alert("panic")&lt;/script&gt;' 'onerror=alert(1)&gt;' \
		'main.wait&lt;iframe&gt;' 'chan receive &lt;svg onload=alert(4)&gt;'; do
		grep -q -F -- "$s" "$tmp/hostile.dom" || bad hostile "the text '$s' is not in the DOM"
	done
fi
c=$top_srcdir/testdata/cores
dom abba "$c/go1.22-crash-abba-stripped/core.zst" --exe "$top_srcdir/testdata/exe/go1.22-crash-stripped.zst"
dom leak "$c/go1.27-crash-leak-stripped/stderr.txt.zst"
dom growleak "$top_srcdir/testdata/diff/stage-3.txt.zst"

[ $checked -eq 4 ] || bad count "$checked pages checked, want 4"
echo "check-browser: $checked pages, $fail failures"
[ $fail -eq 0 ]
