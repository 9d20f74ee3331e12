#!/usr/bin/env bash
# gen.sh — cores of a stop-the-world that cannot complete (testdata/stwstall/go/: a
# goroutine spinning without a call under GODEBUG=asyncpreemptoff=1, four allocating, one
# calling runtime.GC), built stripped (-s -w) with -trimpath by each Go toolchain given, run
# with GOTRACEBACK=crash and sent SIGQUIT once the stall is under way. Each goVER/ holds
# core.zst (the kernel's core), stderr.txt (the runtime's traceback of that instant, every
# thread's) and exe.zst.
#
# Usage: testdata/stwstall/gen.sh [VERSION...]   (default: 1.22 1.19)
# Environment: GOPM_TOOLCHAINS (default <repo>/../toolchains), GOPM_SCRATCH (default
# /tmp/gopm-stwstall). Needs zstd and the kernel's core_pattern a plain file name ("core").
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
toolchains=${GOPM_TOOLCHAINS:-$repo/../toolchains}
scratch=${GOPM_SCRATCH:-/tmp/gopm-stwstall}
[ "$(cat /proc/sys/kernel/core_pattern)" = core ] || { echo "gen.sh: core_pattern must be 'core'" >&2; exit 1; }
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(1.22 1.19)
for v in "${versions[@]}"; do
	gr=$toolchains/root/usr/lib/go-$v
	run=$scratch/go$v
	rm -rf "$run" && mkdir -p "$run"
	(cd "$here/go" && env -i PATH="$gr/bin:/usr/bin:/bin" HOME="$scratch/home" GOROOT="$gr" \
		GOTOOLCHAIN=local GOCACHE="$scratch/gocache-$v" CGO_ENABLED=0 \
		go build -trimpath -ldflags='-s -w' -o "$run/stwstall" .)
	(
		cd "$run"
		ulimit -c unlimited
		env -i GOTRACEBACK=crash GOMAXPROCS=4 GODEBUG=asyncpreemptoff=1 ./stwstall 2>stderr.txt &
		pid=$!
		for _ in $(seq 100); do grep -q ready stderr.txt && break; sleep 0.1; done
		sleep 0.5
		kill -QUIT $pid || true
		wait $pid || true
	)
	[ -f "$run/core" ] || { echo "gen.sh: go$v left no core" >&2; exit 1; }
	mkdir -p "$here/go$v"
	zstd -q -19 -f "$run/core" -o "$here/go$v/core.zst"
	zstd -q -19 -f "$run/stwstall" -o "$here/go$v/exe.zst"
	sed '/^ready$/d' "$run/stderr.txt" >"$here/go$v/stderr.txt"
	chmod 644 "$here/go$v/core.zst" "$here/go$v/stderr.txt"
done
