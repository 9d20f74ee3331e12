#!/usr/bin/env bash
# make-print-fixtures.sh — fixtures for `gopm print`: the printfix program (testdata/go/printfix,
# globals of known contents: a config struct, maps, a slice of pointers, interfaces, a
# string) built with several Go toolchains. It prints each value with %#v to stderr, one
# line "var<TAB>name<TAB>type<TAB>address<TAB>%#v" per global (the oracle), then raises
# SIGQUIT: GOTRACEBACK=crash makes the runtime dump core. Stored as cores/goX.Y-printfix-VARIANT/.
# Conventions (env -i, -trimpath, neutral scratch dir, machine-path check, meta files) are
# those of make-fixtures.sh, whose functions this script sources.
#
# Usage: testdata/gen/make-print-fixtures.sh [VERSION...]   (default: 1.19 1.22 1.24 1.27)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
req=("$@")
# shellcheck source=make-fixtures.sh
source "$here/make-fixtures.sh" lib

# Old hmap (1.19, 1.22) and swiss maps (1.24, and 1.27's group layout); DWARF and stripped.
declare -A variants=([1.19]="dwarf stripped" [1.22]="dwarf stripped" [1.24]="stripped"
  [1.27]="dwarf stripped")
[ ${#req[@]} -gt 0 ] || req=(1.19 1.22 1.24 1.27)

for v in "${req[@]}"; do
  for variant in ${variants[$v]:-}; do
    exe=$(build "$v" printfix "$variant")
    META_HEAD=$(meta_head "$v" printfix "$variant") \
      take_core "$(goshort "$v")-printfix-$variant" "$exe" '^SIGQUIT: quit' GOGC=10 -- core
  done
done
