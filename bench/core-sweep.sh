#!/bin/sh
# The core sweep on every core fixture (testdata/cores, cores-arm64, corerules: 132) in every
# form of damage (tests/cli/core-sweep.py): the table form x class, and each bad run.
# Usage: bench/core-sweep.sh [GOPM] [core-sweep.py options...]   (default GOPM: ./gopm)
# Takes hours on an ASan build of a loaded machine; --fixtures GLOB,... takes fewer.
# Scratch space: twice the largest core (100 MB) under TMPDIR.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
gopm=${1:-./gopm}
[ $# -gt 0 ] && shift
# All of them unless told which: then the count is not asserted.
case " $* " in
*" --fixtures"*) exec python3 "$here/../tests/cli/core-sweep.py" "$@" "$gopm" "$here/../testdata" ;;
esac
exec python3 "$here/../tests/cli/core-sweep.py" --expect-fixtures 132 "$@" "$gopm" "$here/../testdata"
