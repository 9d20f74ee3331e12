#!/bin/sh
# compare-analyze.sh GOPM_BEFORE GOPM_AFTER [FILE...]
# Runs `gopm analyze --no-store` (text and --json) with both executables on every goroutine
# dump under testdata/ (testdata/**/*.txt*) and every core fixture with its executable
# (testdata/**/core.zst: the `exe=` of its meta, else the exe.zst beside it or one folder
# up), or on the FILEs given, and requires the same output and exit status; then stores all
# of them with each executable into an archive of its own and requires the same rows (every
# table, without the columns that hold the time of the run). For performance work that
# must not change a byte of what analyze says or stores. GOPM_COMPARE=nostore or =archive
# runs only that half; GOPM_COMPARE=dumps or =cores only those inputs (both halves).
# Prints how many dumps and cores it compared; exits 1 on the first difference, or with
# GOPM_COMPARE_ALL=1 lists every input that differs (and how) and exits 1 at the end.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
a=${1:?usage: compare-analyze.sh GOPM_BEFORE GOPM_AFTER [FILE...]}
b=${2:?usage: compare-analyze.sh GOPM_BEFORE GOPM_AFTER [FILE...]}
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# One input a line: FILE, or FILE<tab>EXECUTABLE for a core.
tab=$(printf '\t')
if [ $# -eq 0 ]; then
	if [ "${GOPM_COMPARE:-}" != cores ]; then
		find "$top/testdata" -name '*.txt*' -type f | LC_ALL=C sort
	fi >"$tmp/files"
	if [ "${GOPM_COMPARE:-}" != dumps ]; then
		find "$top/testdata" -name 'core.zst' -type f | LC_ALL=C sort | while read -r c; do
			d=$(dirname "$c")
			e=
			if [ -f "$d/meta" ]; then
				e=$(sed -n 's/^exe=//p' "$d/meta")
				[ -z "$e" ] || e=$top/testdata/$e
			fi
			[ -n "$e" ] || [ ! -f "$d/exe.zst" ] || e=$d/exe.zst
			[ -n "$e" ] || [ ! -f "$d/../exe.zst" ] || e=$(dirname "$d")/exe.zst
			if [ -n "$e" ] && [ -f "$e" ]; then printf '%s\t%s\n' "$c" "$e"; else echo "$c"; fi
		done
	fi >>"$tmp/files"
else
	for f in "$@"; do echo "$f"; done >"$tmp/files"
fi
n=$(wc -l <"$tmp/files")
ncores=$(grep -c 'core\.zst' "$tmp/files" || true)
if [ "${GOPM_COMPARE:-}" = archive ]; then : >"$tmp/files.nostore"; else cp "$tmp/files" "$tmp/files.nostore"; fi
m=0
ndiff=0
while IFS=$tab read -r f e; do
	for mode in text json; do
		opt=
		[ "$mode" = json ] && opt=--json
		for side in a b; do
			exe=$a
			[ "$side" = b ] && exe=$b
			rc=0
			# shellcheck disable=SC2086
			XDG_CACHE_HOME="$tmp/cache-$side" "$exe" analyze --no-store $opt \
			    ${e:+--exe "$e"} "$f" >"$tmp/out-$side" 2>"$tmp/err-$side" </dev/null || rc=$?
			echo "exit $rc" >>"$tmp/out-$side"
		done
		if ! cmp -s "$tmp/out-a" "$tmp/out-b" || ! cmp -s "$tmp/err-a" "$tmp/err-b"; then
			echo "differs: analyze $opt $f" >&2
			diff "$tmp/out-a" "$tmp/out-b" | head -40 >&2 || true
			diff "$tmp/err-a" "$tmp/err-b" | head -20 >&2 || true
			ndiff=$((ndiff + 1))
			[ "${GOPM_COMPARE_ALL:-}" = 1 ] || exit 1
		fi
	done
	m=$((m + 1))
done <"$tmp/files.nostore"
if [ "$ndiff" -ne 0 ]; then
	echo "analyze --no-store (text and JSON): $m inputs ($ncores of them cores), $ndiff outputs differ"
	exit 1
fi
echo "analyze --no-store (text and JSON): $m inputs ($ncores of them cores), identical"
[ "$m" -gt 0 ] || [ "${GOPM_COMPARE:-}" = archive ] || { echo "no input compared" >&2; exit 1; }
if [ "${GOPM_COMPARE:-}" = nostore ]; then exit 0; fi

# The archive: every file stored by each executable, then every row compared.
for side in a b; do
	exe=$a
	[ "$side" = b ] && exe=$b
	while IFS=$tab read -r f e; do
		XDG_CACHE_HOME="$tmp/cache-$side" "$exe" analyze --db "$tmp/$side.db" \
		    ${e:+--exe "$e"} "$f" >/dev/null 2>&1 </dev/null || true
	done <"$tmp/files"
	sqlite3 "$tmp/$side.db" "SELECT name FROM sqlite_schema WHERE type = 'table' AND
	    name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%' ORDER BY name" >"$tmp/tables-$side"
	: >"$tmp/rows-$side"
	while read -r t; do
		# Every column but those holding the time of the run (unix seconds).
		cols=$(sqlite3 "$tmp/$side.db" "SELECT group_concat('\"' || name || '\"', ', ')
		    FROM pragma_table_info('$t') WHERE name NOT IN ('added', 'time', 'ingested',
		    'created', 'first', 'last', 'resolved_time', 'list_text')")
		echo "table $t" >>"$tmp/rows-$side"
		sqlite3 "$tmp/$side.db" "SELECT $cols FROM \"$t\"" | LC_ALL=C sort >>"$tmp/rows-$side"
	done <"$tmp/tables-$side"
done
if ! cmp -s "$tmp/rows-a" "$tmp/rows-b"; then
	echo "differs: the archives' rows" >&2
	diff "$tmp/rows-a" "$tmp/rows-b" | head -20 >&2 || true
	exit 1
fi
rows=$(wc -l <"$tmp/rows-a")
echo "archive: $n inputs ($ncores of them cores) stored, $rows rows over $(wc -l <"$tmp/tables-a") tables, identical"
