#!/bin/sh
# dump-compare.sh GOPM_BEFORE GOPM_AFTER [DIR...]
# For work on the goroutine-dump reader that must not change a byte of what gopm says:
# runs `goroutines`, `goroutines --json` and `analyze --no-store --json` with both
# executables on every goroutine dump among the fixtures (every file under testdata/dumps
# but scripts and READMEs; every other testdata/**/*.txt* that is not a licence text: the
# runtime's tracebacks beside the cores, the pprof and cgo texts), every file under the
# DIRs given (more dumps, e.g. a corpus of real ones), and pasted forms of a few of them
# made here (tabs turned into spaces, CRLF, the whole paste indented, double-spaced, a log
# prefix on every line, one JSON record per line); requires the same standard output,
# standard error and exit status. Prints how many files it compared; exits 1 on any
# difference or when fewer than 200 files were compared.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
a=${1:?usage: dump-compare.sh GOPM_BEFORE GOPM_AFTER [DIR...]}
b=${2:?usage: dump-compare.sh GOPM_BEFORE GOPM_AFTER [DIR...]}
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
{
	find "$top/testdata/dumps" -type f ! -name '*.sh' ! -name '*.md' ! -name '*.go' \
	    ! -name 'go.mod'
	find "$top/testdata" -path "$top/testdata/dumps" -prune -o -name '*.txt*' -type f \
	    ! -path '*/LICENSES/*' -print
	for d in "$@"; do find "$d" -type f ! -name 'README*'; done
} | LC_ALL=C sort >"$tmp/files"

# Pasted forms of dumps of several shapes (crash, hang with all goroutines, pprof debug=2,
# a real server's).
mkdir "$tmp/pasted"
for f in go1.19-panic-all.txt go1.22-hang-system.txt go1.27-hang-all.txt \
    go1.26-pprof-debug2-tracebacklabels.txt corpus/combinestacks-oom-panic.txt; do
	src=$top/testdata/dumps/$f
	[ -f "$src" ] || continue
	n=$(basename "$f" .txt)
	expand -t 8 "$src" >"$tmp/pasted/$n.spaces"
	sed 's/$/\r/' "$src" >"$tmp/pasted/$n.crlf"
	sed 's/^/    /' "$src" >"$tmp/pasted/$n.indented"
	sed 's/$/\n/' "$src" >"$tmp/pasted/$n.double"
	sed 's/^/2024-05-01T10:00:00.000Z app[1234]: /' "$src" >"$tmp/pasted/$n.prefix"
	awk '{ gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); gsub(/\t/, "\\t");
	       printf "{\"log\":\"%s\\n\",\"stream\":\"stderr\"}\n", $0 }' "$src" \
	    >"$tmp/pasted/$n.json"
done
find "$tmp/pasted" -type f | LC_ALL=C sort >>"$tmp/files"

files=0 runs=0 diffs=0
while read -r f; do
	files=$((files + 1))
	for cmd in "goroutines" "goroutines --json" "analyze --no-store --json"; do
		for side in a b; do
			exe=$a
			[ "$side" = b ] && exe=$b
			# shellcheck disable=SC2086 # cmd is words
			XDG_CACHE_HOME="$tmp/cache-$side" XDG_DATA_HOME="$tmp/data-$side" \
			    "$exe" $cmd "$f" >"$tmp/$side.out" 2>"$tmp/$side.err" </dev/null
			echo "exit $?" >>"$tmp/$side.err"
		done
		runs=$((runs + 1))
		if ! cmp -s "$tmp/a.out" "$tmp/b.out" || ! cmp -s "$tmp/a.err" "$tmp/b.err"; then
			diffs=$((diffs + 1))
			echo "differs: gopm $cmd ${f#"$tmp/"}" >&2
		fi
	done
done <"$tmp/files"
echo "dump-compare: $files files, $runs runs compared, $diffs differ"
[ "$diffs" -eq 0 ] && [ "$files" -ge 200 ]
