#!/usr/bin/env bash
# gen-busy.sh — healthy cgo counter-fixtures: testdata/cgo/busy/ (64 goroutines calling a
# short C function in a loop, every call returning within microseconds) built with cgo and
# -trimpath by each Go toolchain given. busy-goVER.txt is the goroutine dump the program
# writes of itself (debug=2) while it runs; busy-goVER-sigquit.txt the runtime's traceback
# when it is sent SIGQUIT (GOTRACEBACK=all), where the goroutines inside C calls show as
# [syscall] under runtime.cgocall. Goroutines in C calls that are not stuck: gopm must
# raise nothing above LOW on either.
#
# Usage: testdata/cgo/gen-busy.sh [VERSION...]   (default: 1.22 1.24)
# Environment: GOPM_TOOLCHAINS (default <repo>/../toolchains), GOPM_SCRATCH (default
# /tmp/gopm-cgo-busy). Needs gcc.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
toolchains=${GOPM_TOOLCHAINS:-$repo/../toolchains}
scratch=${GOPM_SCRATCH:-/tmp/gopm-cgo-busy}
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(1.22 1.24)
mkdir -p "$scratch"
for v in "${versions[@]}"; do
	gr=$toolchains/root/usr/lib/go-$v
	exe=$scratch/build/go$v/cgobusy
	mkdir -p "${exe%/*}"
	(cd "$here/busy" && env -i PATH="$gr/bin:/usr/bin:/bin" HOME="$scratch/home" GOROOT="$gr" \
		GOTOOLCHAIN=local GOPATH="$scratch/gopath" GOCACHE="$scratch/gocache-$v" \
		GOFLAGS=-mod=mod CGO_ENABLED=1 CC=gcc go build -trimpath -o "$exe" .)
	# Retry until the dump shows goroutines inside the C call (almost always the first time).
	for _ in 1 2 3 4 5; do
		env -i GOMAXPROCS=4 "$exe" >"$scratch/busy-go$v.txt"
		grep -q '_Cfunc_gpm_fixture_checksum' "$scratch/busy-go$v.txt" && break
	done
	grep -q '_Cfunc_gpm_fixture_checksum' "$scratch/busy-go$v.txt" ||
		{ echo "gen-busy.sh: go$v: no goroutine in C in the dump" >&2; exit 1; }
	cp "$scratch/busy-go$v.txt" "$here/busy-go$v.txt"
	for _ in 1 2 3 4 5; do
		out=$scratch/busy-go$v-sigquit.txt
		env -i GOMAXPROCS=4 GOTRACEBACK=all "$exe" wait 2>"$out" &
		pid=$!
		for _ in $(seq 100); do grep -q 'cgobusy: running' "$out" && break; sleep 0.1; done
		sleep 0.3
		kill -QUIT $pid
		wait $pid || true
		grep -q 'runtime.cgocall' "$out" && break
	done
	grep -q 'runtime.cgocall' "$out" ||
		{ echo "gen-busy.sh: go$v: no goroutine in C in the SIGQUIT dump" >&2; exit 1; }
	cp "$out" "$here/busy-go$v-sigquit.txt"
done
