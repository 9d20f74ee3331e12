#!/bin/sh
# make-screens.sh GOPM: regenerates the saved screens of this folder with the scripted mode
# of gopm tui (the same as tests/tui/run.sh) on the tests' fixed archive, at 100x30.
set -eu
GOPM=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$top_srcdir/tests/tui/archive.sh"
make_archive
export LC_ALL=C.UTF-8 TERM=xterm
cat >"$tmp/deadlock.keys" <<'KEYS'
:resize 100x30
:save deadlock-incident.txt
Tab
:save deadlock-groups.txt
Enter
Enter
:save deadlock-stack.txt
KEYS
(cd "$here" && "$GOPM" tui --no-store --script "$tmp/deadlock.keys" \
	--exe "$top_srcdir/testdata/exe/go1.19-crash-dwarf.zst" \
	"$tmp/in/go1.19-crash-deadlock-dwarf.core.zst" 2>/dev/null)
cat >"$tmp/clusters.keys" <<'KEYS'
:resize 100x30
c
:save clusters.txt
Enter
:save cluster-incidents.txt
KEYS
(cd "$here" && "$GOPM" tui --db "$tmp/a.db" --script "$tmp/clusters.keys")
# The value view: the worker goroutine of printfix (DWARF), v on its main.worker frame,
# then Enter on cfg (a pointer to a struct: its fields).
cat >"$tmp/values.keys" <<'KEYS'
:resize 100x30
Tab
G
Enter
Enter
j
j
j
v
:save value-frame.txt
/cfg
Enter
Enter
:save value-fields.txt
KEYS
(cd "$here" && "$GOPM" tui --no-store --script "$tmp/values.keys" \
	--exe "$top_srcdir/testdata/exe/go1.19-printfix-dwarf.zst" \
	"$top_srcdir/testdata/cores/go1.19-printfix-dwarf/core.zst" 2>/dev/null)
