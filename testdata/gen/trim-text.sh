#!/bin/sh
# Zeroes the machine code of an executable (its .text section after the first page) in place,
# keeping every other byte, section and file offset. gopm never reads machine code: the
# pclntab, build info, type descriptors and data it reads are untouched, and the first page
# of .text keeps Go's build-id string. Used only where a real program is too big to commit
# whole (buf-1.75.0). Needs readelf (binutils) and dd.
set -eu
exe=${1:?usage: trim-text.sh EXECUTABLE}
set -- $(readelf -S -W "$exe" | awk '{ for (i = 1; i < NF; i++) if ($i == ".text") print $(i + 3), $(i + 4) }')
off=$((0x$1))
size=$((0x$2))
[ "$size" -gt 4096 ] || exit 0
dd if=/dev/zero of="$exe" bs=4096 seek=$(((off + 4096) / 4096)) \
	count=$(((size - 4096) / 4096)) conv=notrunc status=none
