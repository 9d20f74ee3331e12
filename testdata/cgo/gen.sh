#!/usr/bin/env bash
# gen.sh — the cgo fixtures: testdata/cgo/go/ (a program of our own that crashes in C, a
# SIGSEGV in a C function called through cgo, or hangs in C, in sleep() under a C function)
# built with cgo and -trimpath by each Go toolchain given, with DWARF and stripped, run with
# GOTRACEBACK=crash until it dies (crash) or is sent SIGQUIT (hang). Each fixture directory
# NAME=goVER-MODE-VARIANT holds core.zst (the kernel's core), stderr.txt (the runtime's own
# traceback of that instant) and meta; the executables are exe-goVER-VARIANT.zst.
#
# Usage: testdata/cgo/gen.sh [VERSION...]   (default: 1.22 1.19)
# Environment: GOPM_TOOLCHAINS (default <repo>/../toolchains; GOROOT is
# $GOPM_TOOLCHAINS/root/usr/lib/go-VERSION), GOPM_SCRATCH (default /tmp/gopm-cgo-fixture:
# where the programs run; its path is what ends up in the cores). Needs gcc, zstd, and the
# kernel's core_pattern a plain file name ("core").
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
toolchains=${GOPM_TOOLCHAINS:-$repo/../toolchains}
scratch=${GOPM_SCRATCH:-/tmp/gopm-cgo-fixture}
[ "$(cat /proc/sys/kernel/core_pattern)" = core ] || { echo "gen.sh: core_pattern must be 'core'" >&2; exit 1; }
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(1.22 1.19)
mkdir -p "$scratch"

for v in "${versions[@]}"; do
	gr=$toolchains/root/usr/lib/go-$v
	for variant in dwarf stripped; do
		flags=(-trimpath)
		[ "$variant" = stripped ] && flags+=(-ldflags=-s\ -w)
		exe=$scratch/build/go$v-$variant/cgofixture
		mkdir -p "${exe%/*}"
		(cd "$here/go" && env -i PATH="$gr/bin:/usr/bin:/bin" HOME="$scratch/home" GOROOT="$gr" \
			GOTOOLCHAIN=local GOPATH="$scratch/gopath" GOCACHE="$scratch/gocache-$v" \
			GOFLAGS=-mod=mod CGO_ENABLED=1 CC=gcc go build "${flags[@]}" -o "$exe" .)
		if grep -q "$scratch" "$exe"; then echo "gen.sh: $exe holds the scratch path" >&2; exit 1; fi
		zstd -q -19 -f "$exe" -o "$here/exe-go$v-$variant.zst"
		for mode in crash hang; do
			name=go$v-$mode-$variant
			run=$scratch/$name
			rm -rf "$run" && mkdir -p "$run" && cp "$exe" "$run/cgofixture"
			(
				cd "$run"
				ulimit -c unlimited
				set +e
				if [ "$mode" = crash ]; then
					env -i GOTRACEBACK=crash GOMAXPROCS=4 ./cgofixture crash >/dev/null 2>stderr.txt
				else
					env -i GOTRACEBACK=crash GOMAXPROCS=4 ./cgofixture hang >/dev/null 2>stderr.txt &
					pid=$!
					for _ in $(seq 100); do grep -q 'waiting in C' stderr.txt && break; sleep 0.1; done
					sleep 0.5
					kill -QUIT $pid
					wait $pid
				fi
				echo "exit=$?" >status
			)
			[ -f "$run/core" ] || { echo "gen.sh: $name left no core" >&2; exit 1; }
			mkdir -p "$here/$name"
			zstd -q -19 -f "$run/core" -o "$here/$name/core.zst"
			cp "$run/stderr.txt" "$here/$name/stderr.txt"
			{
				echo "name=$name"
				echo "go=$(env -i GOROOT="$gr" "$gr/bin/go" env GOVERSION)"
				echo "program=cgofixture $mode"
				echo "variant=$variant"
				echo "exe=exe-go$v-$variant.zst"
				cat "$run/status"
			} >"$here/$name/meta"
		done
	done
done
