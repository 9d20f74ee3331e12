#!/bin/bash
# The archive's regression scenario: testdata/go/regress built as three releases A, B and
# C of one module, each a commit of its own (fixed author, committer and dates: 2024-01-10,
# 2024-02-10, 2024-03-10), so the executables' build info carries different vcs.revision and
# vcs.time; each release run once (GOTRACEBACK=all) for the runtime's text of its crash.
# Writes testdata/exe/regress-{A,B,C}.zst (stripped) and testdata/dumps/regress/{A,B,C}.txt.
#
# Usage: testdata/gen/make-regress-fixtures.sh [GO]   (default: the newest toolchain in
# /work/toolchains or $GOROOT; needs git and zstd)
set -euo pipefail
testdata=$(cd "$(dirname "$0")/.." && pwd)
go=${1:-}
if [ -z "$go" ]; then
  go=$(ls -d /work/toolchains/root/usr/lib/go-1.*/bin/go 2>/dev/null | sort -V | tail -1 || true)
  [ -n "$go" ] || go=$(command -v go)
fi
scratch=$(mktemp -d /tmp/gopm-regress-XXXXXX)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$testdata/dumps/regress"
repo=$scratch/regress
mkdir -p "$repo"
cp "$testdata/go/regress/main.go" "$repo/"
printf 'module gopm.test/regress\n\ngo 1.18\n' >"$repo/go.mod"
export GIT_AUTHOR_NAME=gopm GIT_AUTHOR_EMAIL=gopm@example.invalid
export GIT_COMMITTER_NAME=gopm GIT_COMMITTER_EMAIL=gopm@example.invalid
git -C "$repo" init -q
n=0
for rel in A B C; do
  n=$((n + 1))
  date="2024-0$n-10T12:00:00Z"
  echo "// release $rel" >"$repo/release.go"
  echo "package main" >>"$repo/release.go"
  git -C "$repo" add -A
  GIT_AUTHOR_DATE=$date GIT_COMMITTER_DATE=$date git -C "$repo" commit -q -m "release $rel"
  (cd "$repo" && env -i PATH=/usr/bin:/bin HOME="$scratch" GOPATH="$scratch/gopath" \
     GOCACHE="$scratch/cache" GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0 \
     "$go" build -trimpath -buildvcs=true -ldflags="-s -w -X main.version=$rel" -o "$scratch/regress-$rel" .)
  "$go" version -m "$scratch/regress-$rel" | grep -E 'vcs\.(revision|time)'
  set +e
  (cd "$scratch" && env -i PATH=/usr/bin:/bin GOTRACEBACK=all "./regress-$rel" \
     >/dev/null 2>"$testdata/dumps/regress/$rel.txt")
  set -e
  grep -q '^goroutine 1 ' "$testdata/dumps/regress/$rel.txt"
  zstd -19 -q -f "$scratch/regress-$rel" -o "$testdata/exe/regress-$rel.zst"
done
ls -la "$testdata/exe"/regress-*.zst "$testdata/dumps/regress"
