#!/usr/bin/env bash
# gen.sh — cores of the shapes the core-reading rules look for (testdata/corerules/go/:
# handlers in a select without the request's context and with it, pending runtime timers
# many and few, a stop-the-world that cannot complete, contention on a mutex inside a heap
# object and on a global one), built with -trimpath and symbols (the scheduler's and
# timers' globals are found by name) by each Go toolchain given, run with
# GOTRACEBACK=crash and sent SIGQUIT once the shape is under way. Each goVER/MODE/ holds
# core.zst (the kernel's core) and stderr.txt (the runtime's traceback of that instant);
# goVER/exe.zst is the executable (DWARF for DWARF_VERSIONS, default 1.27; symbols only
# for the others). PIE text dumps are tested on the hang-pie fixtures of testdata/cores.
# The handler modes wait a minute before the core is taken.
#
# Usage: testdata/corerules/gen.sh [VERSION...]   (default: 1.22 1.27)
# MODES="heapmu globalmu" limits the modes run (default: all).
# Environment: GOPM_TOOLCHAINS (default <repo>/../toolchains), GOPM_SCRATCH (default
# /tmp/gopm-corerules). Needs zstd and the kernel's core_pattern a plain file name ("core").
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
toolchains=${GOPM_TOOLCHAINS:-$repo/../toolchains}
scratch=${GOPM_SCRATCH:-/tmp/gopm-corerules}
[ "$(cat /proc/sys/kernel/core_pattern)" = core ] || { echo "gen.sh: core_pattern must be 'core'" >&2; exit 1; }
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(1.22 1.27)
read -r -a modes <<<"${MODES:-noctx watch timers fewtimers stw heapmu globalmu}"

run_mode() { # VERSION MODE
	local v=$1 m=$2 run=$scratch/go$1/$2 exe=corerules arg=$2
	rm -rf "$run" && mkdir -p "$run"
	(
		cd "$run"
		ulimit -c unlimited
		env -i GOTRACEBACK=crash GOMAXPROCS=4 GODEBUG=asyncpreemptoff=1 \
			"$scratch/go$v/$exe" "$arg" 2>stderr.txt &
		pid=$!
		for _ in $(seq 1200); do grep -qs '^ready$' stderr.txt && break; sleep 0.1; done
		sleep 0.5
		kill -QUIT $pid || true
		wait $pid || true
	)
	[ -f "$run/core" ] || { echo "gen.sh: go$v $m left no core" >&2; return 1; }
	mkdir -p "$here/go$v/$m"
	zstd -q -19 -f "$run/core" -o "$here/go$v/$m/core.zst"
	sed '/^ready$/d' "$run/stderr.txt" >"$here/go$v/$m/stderr.txt"
	chmod 644 "$here/go$v/$m/core.zst" "$here/go$v/$m/stderr.txt"
}

for v in "${versions[@]}"; do
	gr=$toolchains/root/usr/lib/go-$v
	mkdir -p "$scratch/go$v"
	(cd "$here/go" && env -i PATH="$gr/bin:/usr/bin:/bin" HOME="$scratch/home" GOROOT="$gr" \
		GOTOOLCHAIN=local GOFLAGS=-trimpath GOCACHE="$scratch/gocache-$v" CGO_ENABLED=0 \
		go build -trimpath -o "$scratch/go$v/corerules" .)
	mkdir -p "$here/go$v"
	# The newest version's executable keeps DWARF (DWARF_VERSIONS); the others only their
	# symbol table (the scheduler's and timers' globals are found by name) and type
	# descriptors, as most shipped programs: DWARF would double the fixtures' size.
	exe=$scratch/go$v/corerules
	case " ${DWARF_VERSIONS:-1.27} " in
	*" $v "*) ;;
	*) objcopy --strip-debug "$exe" "$exe.nodwarf" && exe=$exe.nodwarf ;;
	esac
	zstd -q -19 -f "$exe" -o "$here/go$v/exe.zst"
	chmod 644 "$here/go$v/exe.zst"
	pids=()
	for m in "${modes[@]}"; do
		run_mode "$v" "$m" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
done
