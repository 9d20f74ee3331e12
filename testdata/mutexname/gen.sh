#!/usr/bin/env bash
# gen.sh — fixtures of a mutex named by its symbol: testdata/mutexname/go/ (8 goroutines
# queued on the global main.mu while its holder waits on a channel nobody sends to) built
# with -trimpath by each Go toolchain given (symbols kept), run with GOTRACEBACK=crash and
# sent SIGQUIT once the waiters queue. Each goVER/ holds core.zst (the kernel's core),
# stderr.txt (the runtime's traceback of that instant) and exe.zst.
#
# Usage: testdata/mutexname/gen.sh [VERSION...]   (default: 1.22 1.24)
# Environment: GOPM_TOOLCHAINS (default <repo>/../toolchains), GOPM_SCRATCH (default
# /tmp/gopm-mutexname). Needs zstd and the kernel's core_pattern a plain file name ("core").
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
toolchains=${GOPM_TOOLCHAINS:-$repo/../toolchains}
scratch=${GOPM_SCRATCH:-/tmp/gopm-mutexname}
[ "$(cat /proc/sys/kernel/core_pattern)" = core ] || { echo "gen.sh: core_pattern must be 'core'" >&2; exit 1; }
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(1.22 1.24)
for v in "${versions[@]}"; do
	gr=$toolchains/root/usr/lib/go-$v
	run=$scratch/go$v
	rm -rf "$run" && mkdir -p "$run"
	(cd "$here/go" && env -i PATH="$gr/bin:/usr/bin:/bin" HOME="$scratch/home" GOROOT="$gr" \
		GOTOOLCHAIN=local GOCACHE="$scratch/gocache-$v" CGO_ENABLED=0 \
		go build -trimpath -o "$run/globalmu" .)
	(
		cd "$run"
		ulimit -c unlimited
		env -i GOTRACEBACK=crash GOMAXPROCS=2 ./globalmu 2>stderr.txt &
		pid=$!
		for _ in $(seq 100); do grep -q ready stderr.txt && break; sleep 0.1; done
		kill -QUIT $pid || true
		wait $pid || true
	)
	[ -f "$run/core" ] || { echo "gen.sh: go$v left no core" >&2; exit 1; }
	mkdir -p "$here/go$v"
	zstd -q -19 -f "$run/core" -o "$here/go$v/core.zst"
	zstd -q -19 -f "$run/globalmu" -o "$here/go$v/exe.zst"
	cp "$run/stderr.txt" "$here/go$v/stderr.txt"
done
