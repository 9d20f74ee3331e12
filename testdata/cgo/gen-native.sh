#!/usr/bin/env bash
# gen-native.sh — the native-stack fixtures: testdata/cgo/native/ (a PIE cgo program of our
# own: a thread created in C blocks in gpm_native_wait_event under pthread_cond_wait, then
# the program crashes in C, a SIGSEGV in gpm_native_parse, or hangs in C, in sleep() under
# gpm_native_poll_device) built with -buildmode=pie -trimpath by each Go toolchain given.
# Each fixture directory pie-goVER-MODE holds core.zst (the kernel's core, GOTRACEBACK=crash,
# the crash itself or SIGQUIT), stderr.txt (the runtime's own traceback of that instant) and
# meta; the hang also gcore.zst, gdb's snapshot of the live process taken just before the
# SIGQUIT. The executable is kept with its DWARF and symbols (exe-pie-goVER-dwarf.zst) and
# stripped as distributions strip (objcopy --strip-all, exe-pie-goVER-stripped.zst) with the
# removed debug information as a separate file under debug/.build-id/xx/yyyy.debug (zstd),
# the layout of /usr/lib/debug; all three share one build id, so the same cores serve both.
#
# Usage: testdata/cgo/gen-native.sh [VERSION...]   (default: 1.22 1.27)
# Environment: GOPM_TOOLCHAINS (default <repo>/../toolchains), GOPM_SCRATCH (default
# /tmp/gopm-cgo-native). Needs gcc, binutils (objcopy, readelf), gdb (gcore), zstd, and the
# kernel's core_pattern a plain file name ("core").
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
toolchains=${GOPM_TOOLCHAINS:-$repo/../toolchains}
scratch=${GOPM_SCRATCH:-/tmp/gopm-cgo-native}
[ "$(cat /proc/sys/kernel/core_pattern)" = core ] || { echo "gen-native.sh: core_pattern must be 'core'" >&2; exit 1; }
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(1.22 1.27)
mkdir -p "$scratch"

for v in "${versions[@]}"; do
	gr=$toolchains/root/usr/lib/go-$v
	exe=$scratch/build/go$v/cgonative
	mkdir -p "${exe%/*}"
	(cd "$here/native" && env -i PATH="$gr/bin:/usr/bin:/bin" HOME="$scratch/home" GOROOT="$gr" \
		GOTOOLCHAIN=local GOPATH="$scratch/gopath" GOCACHE="$scratch/gocache-$v" \
		GOFLAGS=-mod=mod CGO_ENABLED=1 CC=gcc go build -buildmode=pie -trimpath -o "$exe" .)
	if grep -q "$scratch" "$exe"; then echo "gen-native.sh: $exe holds the scratch path" >&2; exit 1; fi
	id=$(readelf -n "$exe" | sed -n 's/^ *Build ID: *//p' | head -1)
	[ -n "$id" ] || { echo "gen-native.sh: $exe has no GNU build id" >&2; exit 1; }
	objcopy --only-keep-debug "$exe" "$exe.debug"
	objcopy --strip-all "$exe" "$exe.stripped"
	zstd -q -19 -f "$exe" -o "$here/exe-pie-go$v-dwarf.zst"
	zstd -q -19 -f "$exe.stripped" -o "$here/exe-pie-go$v-stripped.zst"
	mkdir -p "$here/debug/.build-id/${id:0:2}"
	zstd -q -19 -f "$exe.debug" -o "$here/debug/.build-id/${id:0:2}/${id:2}.debug.zst"
	for mode in crash hang; do
		name=pie-go$v-$mode
		run=$scratch/$name
		rm -rf "$run" && mkdir -p "$run" && cp "$exe" "$run/cgonative"
		(
			cd "$run"
			ulimit -c unlimited
			set +e
			if [ "$mode" = crash ]; then
				env -i GOTRACEBACK=crash GOMAXPROCS=4 ./cgonative crash >/dev/null 2>stderr.txt
			else
				env -i GOTRACEBACK=crash GOMAXPROCS=4 ./cgonative hang >/dev/null 2>stderr.txt &
				pid=$!
				for _ in $(seq 100); do grep -q 'polling in C' stderr.txt && break; sleep 0.1; done
				sleep 0.5
				gcore -o "$run/gcore" $pid >/dev/null 2>&1
				[ -f "$run/gcore.$pid" ] && mv "$run/gcore.$pid" "$run/gcore"
				kill -QUIT $pid
				wait $pid
			fi
			echo "exit=$?" >status
		)
		[ -f "$run/core" ] || { echo "gen-native.sh: $name left no core" >&2; exit 1; }
		mkdir -p "$here/$name"
		chmod 0644 "$run/core" "$run/gcore" 2>/dev/null || true
		zstd -q -19 -f "$run/core" -o "$here/$name/core.zst"
		if [ "$mode" = hang ]; then
			[ -f "$run/gcore" ] || { echo "gen-native.sh: $name: gcore made no snapshot" >&2; exit 1; }
			zstd -q -19 -f "$run/gcore" -o "$here/$name/gcore.zst"
		fi
		cp "$run/stderr.txt" "$here/$name/stderr.txt"
		{
			echo "name=$name"
			echo "go=$(env -i GOROOT="$gr" "$gr/bin/go" env GOVERSION)"
			echo "program=cgonative $mode"
			echo "build_id=$id"
			echo "exe=exe-pie-go$v-dwarf.zst"
			echo "exe_stripped=exe-pie-go$v-stripped.zst"
			cat "$run/status"
		} >"$here/$name/meta"
	done
done
