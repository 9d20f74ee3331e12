#!/usr/bin/env bash
# make-recover-fixtures.sh — logs of panics a recover caught and logged, as services print
# them, into testdata/dumps/variants/recover/:
#  - gin-debug.log, gin-release.log: testdata/go/ginrecover, a gin service (Debian's
#    golang-github-gin-gonic-gin-dev, built in GOPATH mode with -trimpath) whose handlers
#    panic four times (an index out of range twice, a nil pointer, a string value), each
#    caught by gin's Recovery middleware, which logs the stack in the format of Go's first
#    runtime/debug.Stack ("FILE:LINE (0xPC)"). In debug mode it logs the request's headers
#    and, under each location, "\tNAME: SOURCE" when it can read the source file: run from
#    a directory where the trimmed paths resolve (links to the sources), every frame has
#    one. In release mode, from elsewhere, none has (a container without sources).
#  - chi.log: testdata/go/chirecover, a chi service (Debian's golang-github-go-chi-chi-dev)
#    whose handler panics twice with an error value, caught by chi's middleware.Recoverer,
#    which prints " panic: V" and its own "pretty" stack (" -> FUNC" first), in colours.
#  - k8s.log, klog.log, reconciler.log: testdata/go/recoverlog, a worker whose nil pointer
#    panic is recovered, logged as Kubernetes' HandleCrash (up to v0.29, and structured
#    from v0.30) and controller-runtime log it, then raised again (the crash follows);
#    fiber.log, echo.log: the same panic logged as fiber's recover middleware ("panic: V"
#    over runtime/debug.Stack()) and echo's ("[PANIC RECOVER] V" glued to runtime.Stack's
#    every goroutine, in its JSON record) log it, not raised again; printstack.log, a
#    program's own log.Printf("recovered: %v") and debug.PrintStack().
# Usage: testdata/gen/make-recover-fixtures.sh   (GOROOT: GOPM_GOROOT, default
# /usr/lib/go-1.19; gin: GOPM_GOCODE, default /usr/share/gocode)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
goroot=${GOPM_GOROOT:-/usr/lib/go-1.19}
gocode=${GOPM_GOCODE:-/usr/share/gocode}
out=$repo/testdata/dumps/variants/recover
export PATH=$goroot/bin:$PATH GOFLAGS= GOTOOLCHAIN=local
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
mkdir -p "$out" "$tmp/go/src/ginapp" "$tmp/run"
[ -d "$gocode/src/github.com/gin-gonic/gin" ] && [ -d "$gocode/src/github.com/go-chi/chi" ] ||
  { echo "make-recover-fixtures: needs golang-github-gin-gonic-gin-dev and" \
      "golang-github-go-chi-chi-dev" >&2; exit 1; }

cp "$repo/testdata/go/ginrecover/main.go" "$tmp/go/src/ginapp/"
(cd "$tmp/go/src/ginapp" &&
  GO111MODULE=off GOPATH="$tmp/go:$gocode" go build -trimpath -o "$tmp/ginapp" .)
# Where the trimmed paths resolve: the program's, gin's and the standard library's files.
ln -s "$tmp/go/src/ginapp" "$tmp/run/ginapp"
ln -s "$gocode/src/github.com" "$tmp/run/github.com"
for d in "$goroot"/src/*; do ln -s "$d" "$tmp/run/$(basename "$d")"; done

gin() { # gin DIR PORT OUT [ENV...]
  local dir=$1 port=$2 o=$3
  shift 3
  (cd "$dir" && exec env "$@" "$tmp/ginapp" "127.0.0.1:$port" >/dev/null 2>"$tmp/$o") &
  local pid=$!
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
  for u in items/7 owner/zz boom items/9; do curl -s -o /dev/null "http://127.0.0.1:$port/$u"; done
  sleep 0.3
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  cp "$tmp/$o" "$out/$o"
}
gin "$tmp/run" 18301 gin-debug.log X=1
gin "$tmp" 18302 gin-release.log GIN_RELEASE=1

mkdir -p "$tmp/go/src/chiapp"
cp "$repo/testdata/go/chirecover/main.go" "$tmp/go/src/chiapp/"
(cd "$tmp/go/src/chiapp" &&
  GO111MODULE=off GOPATH="$tmp/go:$gocode" go build -trimpath -o "$tmp/chiapp" .)
(exec "$tmp/chiapp" 127.0.0.1:18303 >/dev/null 2>"$tmp/chi.log") &
pid=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:18303/" && break; sleep 0.1; done
curl -s -o /dev/null "http://127.0.0.1:18303/checkout"
curl -s -o /dev/null "http://127.0.0.1:18303/checkout"
sleep 0.3
kill "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
cp "$tmp/chi.log" "$out/chi.log"

(cd "$repo/testdata/go" && go build -trimpath -o "$tmp/recoverlog" ./recoverlog)
for m in k8s klog reconciler fiber echo printstack; do
  "$tmp/recoverlog" "$m" >"$out/$m.log" 2>&1 || true
done
ls -l "$out"
