#!/bin/sh
# The core sweep (tests/cli/core-sweep.py) on a cheap subset: an amd64 core of a stripped
# PIE in every form of damage but xz (slow to make), a Go 1.21 PIE core with pages zeroed
# (its zeroed g's were listed as goroutine 0, and analyze dropped them silently), and an
# arm64 qemu core (no build id in it) cut short and given other builds of its executable. Every run must be of a
# class its form allows (exact, warned, a one-line error) and never silently different,
# a crash, a hang or a sanitizer report. bench/core-sweep.sh runs it on every fixture.
set -u
: "${GOPM:?}" "${top_srcdir:?}"
for tool in python3 zstd gzip lz4; do
	command -v "$tool" >/dev/null 2>&1 || { echo "skipped: needs $tool"; exit 77; }
done
sweep=$top_srcdir/tests/cli/core-sweep.py
td=$top_srcdir/testdata
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
# 34 forms (all but xz, and exe-rebuilt: no other release of a stripped PIE is kept) x 2
# commands = 68 runs, the pristine core's two among them.
forms=$(python3 -c 'import importlib.util as u, sys
s = u.spec_from_file_location("s", sys.argv[1]); m = u.module_from_spec(s); s.loader.exec_module(m)
print(",".join(f for f in m.FORMS if f != "xz"))' "$sweep")
python3 "$sweep" --jobs 1 --tmpdir "$tmp" --fixtures cores/go1.27-hang-piestripped \
	--forms "$forms" --expect-fixtures 1 --expect-runs 68 "${GOPM_BIN:-$GOPM}" "$td" || fail=1
python3 "$sweep" --jobs 1 --tmpdir "$tmp" --fixtures cores/go1.21-hang-pie \
	--forms pristine,zero-blocks --expect-fixtures 1 --expect-runs 4 "${GOPM_BIN:-$GOPM}" "$td" || fail=1
python3 "$sweep" --jobs 1 --tmpdir "$tmp" --fixtures cores-arm64/go1.22-hang-stripped \
	--forms pristine,cut-mid-gs,cut-phdrs,exe-rebuilt,exe-other-arch,exe-beside,exe-beside-wrong \
	--expect-fixtures 1 --expect-runs 14 "${GOPM_BIN:-$GOPM}" "$td" || fail=1
[ "$fail" -eq 0 ]
