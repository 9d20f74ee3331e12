# Sourced by the TUI tests: builds a fixed archive in $tmp/a.db from committed fixtures,
# with every input's time fixed (an input without its own time is stored at its mtime),
# so screens are the same on every machine. Needs GOPM, top_srcdir and tmp.
make_archive() {
	in=$tmp/in
	mkdir -p "$in"
	n=0
	for f in "$top_srcdir"/testdata/dumps/go1.19-*.txt; do
		n=$((n + 1))
		b=$(basename "$f")
		cp "$f" "$in/$b"
		TZ=UTC touch -d "2024-05-$(printf %02d $n) $(printf %02d $((n + 8))):00:00" "$in/$b"
	done
	# A dump whose panic message and function names try to drive the terminal.
	esc=$(printf '\033')
	bel=$(printf '\007')
	sed -e "s/^panic: .*/panic: ${esc}]0;pwned${bel}${esc}[2J${esc}[31mred alert/" \
	    -e "s/^main\.mustLoad/main.${esc}[5mmustLoad/" \
	    "$top_srcdir/testdata/dumps/go1.19-panic-single.txt" >"$in/hostile.txt"
	TZ=UTC touch -d "2024-04-30 09:00:00" "$in/hostile.txt"
	# Relative names: the stored report names its input file.
	(cd "$in" && "$GOPM" ingest --db "$tmp/a.db" go1.19-*.txt hostile.txt) >/dev/null 2>&1
	[ -s "$tmp/a.db" ] || return 1
	# Executables beside the cores, named relatively: stored paths are the same everywhere.
	for c in go1.19-crash-deadlock-dwarf go1.19-crash-abba-dwarf; do
		exe=$(sed -n 's/^exe=//p' "$top_srcdir/testdata/cores/$c/meta")
		cp "$top_srcdir/testdata/$exe" "$in/$(basename "$exe")"
		cp "$top_srcdir/testdata/cores/$c/core.zst" "$in/$c.core.zst"
		TZ=UTC touch -d "2024-05-12 08:00:00" "$in/$c.core.zst"
		(cd "$in" && "$GOPM" ingest --db "$tmp/a.db" --exe "$(basename "$exe")" \
			"$c.core.zst") >/dev/null 2>&1 || return 1
	done
	# An out-of-memory core in an archive of its own, stored by gopm analyze with its heap:
	# types with retained sizes, why the top ones are alive, the top retainers (heap.keys).
	c=go1.19-oomcache-dwarf
	exe=$(sed -n 's/^exe=//p' "$top_srcdir/testdata/cores/$c/meta")
	cp "$top_srcdir/testdata/$exe" "$in/$(basename "$exe")"
	cp "$top_srcdir/testdata/cores/$c/core.zst" "$in/$c.core.zst"
	TZ=UTC touch -d "2024-05-14 08:00:00" "$in/$c.core.zst"
	(cd "$in" && "$GOPM" analyze --db "$tmp/heap.db" --exe "$(basename "$exe")" \
		"$c.core.zst") >/dev/null 2>&1 || return 1
	# A Go 1.22 core whose heap records its types, stored by gopm ingest (an archive of its
	# own): ingest keeps the heap's types as analyze does (heap-ingest.keys).
	c=go1.22-heapfix-dwarf
	exe=$(sed -n 's/^exe=//p' "$top_srcdir/testdata/cores/$c/meta")
	cp "$top_srcdir/testdata/$exe" "$in/$(basename "$exe")"
	cp "$top_srcdir/testdata/cores/$c/core.zst" "$in/$c.core.zst"
	TZ=UTC touch -d "2024-05-15 08:00:00" "$in/$c.core.zst"
	(cd "$in" && "$GOPM" ingest --db "$tmp/heapingest.db" --exe "$(basename "$exe")" \
		"$c.core.zst") >/dev/null 2>&1 || return 1
	# Cores for the value view (values.keys) in an archive of their own, named by paths
	# relative to $in that also resolve from each script's directory ($tmp/out-NAME), the
	# executables too: printfix (DWARF and stripped; its worker goroutine's variables),
	# a panic, a lock-order deadlock (a mutex), an undrained result channel (a heap object).
	# printfix-dwarf is kept (--keep) and its
	# input removed: the view reads the copy beside the archive.
	t=0
	for c in go1.19-printfix-dwarf go1.19-printfix-stripped go1.19-crash-panic-dwarf \
		go1.19-crash-abba-dwarf go1.19-crash2-workers-dwarf; do
		t=$((t + 1))
		exe=$(sed -n 's/^exe=//p' "$top_srcdir/testdata/cores/$c/meta")
		cp "$top_srcdir/testdata/$exe" "$in/$(basename "$exe")"
		cp "$top_srcdir/testdata/cores/$c/core.zst" "$in/value-$c.core.zst"
		TZ=UTC touch -d "2024-06-0$t 08:00:00" "$in/value-$c.core.zst"
		keep=
		[ "$c" = go1.19-printfix-dwarf ] && keep=--keep
		# shellcheck disable=SC2086
		(cd "$in" && "$GOPM" ingest --db "$tmp/value.db" $keep \
			--exe "../in/$(basename "$exe")" "../in/value-$c.core.zst") >/dev/null 2>&1 ||
			return 1
	done
	rm "$in/value-go1.19-printfix-dwarf.core.zst"
	# An arm64 core (qemu's) for `gopm tui INPUT`, not ingested here.
	c=go1.27-crash-deadlock-stripped
	exe=$(sed -n 's/^exe=//p' "$top_srcdir/testdata/cores-arm64/$c/meta")
	cp "$top_srcdir/testdata/$exe" "$in/$(basename "$exe")"
	cp "$top_srcdir/testdata/cores-arm64/$c/core.zst" "$in/arm64-$c.core.zst"
	TZ=UTC touch -d "2024-05-13 08:00:00" "$in/arm64-$c.core.zst"
}
