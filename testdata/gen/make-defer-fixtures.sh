#!/usr/bin/env bash
# make-defer-fixtures.sh — cores of goroutines parked with a pending deferred closure that
# holds the only pointer to a user struct (testdata/go/deferseed), for the typing of the
# heap from the _defer records (src/heap/graph.c prop_closure). The program throws (every
# goroutine asleep) with GOTRACEBACK=crash and GOMAXPROCS=1: a core of 40 MB that
# compresses to 20 KB. Stored as cores/goX.Y-deferseed-VARIANT/; the executable is stored
# with its machine code zeroed (trim-text.sh: gopm never reads it), 200 KB instead of 370.
# Only Go 1.22 stripped is committed (the repository's size): the DWARF builds (closures
# typed by their closure struct) are 630 KB even trimmed; make them for local checks with
# GOPM_DEFER_VARIANTS="dwarf stripped" and GOPM_TESTDATA elsewhere. Conventions are those
# of make-fixtures.sh, whose functions this script sources.
#
# Usage: testdata/gen/make-defer-fixtures.sh [VERSION...]   (default: 1.22)
#   GOPM_DEFER_VARIANTS  build kinds (default: stripped)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
req=("$@")
# shellcheck source=make-fixtures.sh
source "$here/make-fixtures.sh" lib

[ ${#req[@]} -gt 0 ] || req=(1.22)

for v in "${req[@]}"; do
  for variant in ${GOPM_DEFER_VARIANTS:-stripped}; do
    exe=$(build "$v" deferseed "$variant")
    name=$(goshort "$v")-deferseed-$variant
    cp "$exe" "$exe.trimmed"
    sh "$here/trim-text.sh" "$exe.trimmed"
    zstd -19 -q -f "$exe.trimmed" -o "$testdata/exe/$name.zst"
    chmod 644 "$testdata/exe/$name.zst"
    META_HEAD=$(meta_head "$v" deferseed "$variant") \
      take_core "$name" "$exe" '^fatal error: all goroutines are asleep' GOMAXPROCS=1 -- core
  done
done
