#!/usr/bin/env bash
# make-oom-fixtures.sh — out-of-memory cores for the typed heap: the oomcache program
# (testdata/go/oomcache: a map of *main.Entry with 16 KiB bodies, held only by a local of
# main.main) run under an address-space limit until the runtime throws "out of memory",
# with GOTRACEBACK=crash. Go 1.19 with DWARF (no allocation headers: the types come from
# main's DWARF locals), Go 1.19 and 1.21 stripped (no allocation headers and no DWARF: the
# types come from the objects' shapes, src/heap/shape.c; the heap bitmap has two bits a
# word in 1.19, one in 1.21) and Go 1.22 stripped (allocation headers). Stored as
# cores/goX.Y-oomcache-VARIANT/. Conventions are those of make-fixtures.sh, whose
# functions this script sources.
#
# Usage: testdata/gen/make-oom-fixtures.sh [VERSION...]   (default: 1.19 1.21 1.22)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
req=("$@")
# shellcheck source=make-fixtures.sh
source "$here/make-fixtures.sh" lib

declare -A variants=([1.19]="dwarf stripped" [1.21]="stripped" [1.22]="stripped")
[ ${#req[@]} -gt 0 ] || req=(1.19 1.21 1.22)

for v in "${req[@]}"; do
  for variant in ${variants[$v]:-}; do
    exe=$(build "$v" oomcache "$variant")
    # 740000 KiB as for crash2 oom: the runtime starts, the heap reaches a few tens of MB.
    META_HEAD=$(meta_head "$v" oomcache "$variant") TC_ULIMIT_V=740000 \
      take_core "$(goshort "$v")-oomcache-$variant" "$exe" '^runtime: out of memory' -- core
  done
done
