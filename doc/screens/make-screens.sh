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
