#!/usr/bin/env bash
# gen-native-arm64.sh — the arm64 twins of gen-native.sh's fixtures: the same PIE cgo program
# (testdata/cgo/native: a thread created in C blocks in gpm_native_wait_event under
# pthread_cond_wait, then the program crashes in C, a SIGSEGV in gpm_native_parse, or hangs in
# C, in sleep() under gpm_native_poll_device) built for linux/arm64 with Debian's cross
# compiler and run under qemu-user (in a private root with the sysroot's loader and libc) with
# GOTRACEBACK=crash.
# qemu writes qemu_PROG_DATE-TIME_PID.core when the guest dies of SIGABRT (the runtime's
# crash path after the SIGSEGV, or after the SIGQUIT sent to qemu, which hands it to the
# guest); the kernel's core of qemu itself is deleted. Each fixture directory
# arm64-pie-goVER-MODE holds core.zst, stderr.txt (the runtime's own traceback) and meta; the
# executable is kept with DWARF (exe-arm64-pie-goVER-dwarf.zst) and stripped as distributions
# strip (exe-arm64-pie-goVER-stripped.zst) with its debug file under debug/.build-id/.
# There is no gcore of the hang: gdb would snapshot qemu, an x86-64 process.
#
# What qemu's cores lack (doc/arm64.md): NT_FILE, NT_SIGINFO, NT_ARM_TLS, and the text of
# every file mapped with an ELF header at its start (the executable's, ld.so's, libc's). gopm
# finds the libraries from the dynamic loader's list (r_debug / link_map in the core's data).
#
# Usage: testdata/cgo/gen-native-arm64.sh [VERSION...]   (default: 1.22 1.27)
# Environment: GOPM_TOOLCHAINS (default <repo>/../toolchains), GOPM_SCRATCH (default
# /tmp/gopm-cgo-native-arm64), GOPM_QEMU (default qemu-aarch64-static), GOPM_ARM64_SYSROOT
# (default /usr/aarch64-linux-gnu, Debian's libc6-dev-arm64-cross). Needs
# gcc-aarch64-linux-gnu, libc6-dev-arm64-cross, qemu-user-static, zstd.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
toolchains=${GOPM_TOOLCHAINS:-$repo/../toolchains}
scratch=${GOPM_SCRATCH:-/tmp/gopm-cgo-native-arm64}
qemu=${GOPM_QEMU:-qemu-aarch64-static}
sysroot=${GOPM_ARM64_SYSROOT:-/usr/aarch64-linux-gnu}
command -v "$qemu" >/dev/null || { echo "gen-native-arm64.sh: $qemu not found" >&2; exit 1; }
command -v aarch64-linux-gnu-gcc >/dev/null || { echo "gen-native-arm64.sh: no aarch64-linux-gnu-gcc" >&2; exit 1; }
[ -e "$sysroot/lib/ld-linux-aarch64.so.1" ] || { echo "gen-native-arm64.sh: no arm64 libc in $sysroot" >&2; exit 1; }
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(1.22 1.27)
mkdir -p "$scratch"

for v in "${versions[@]}"; do
	gr=$toolchains/root/usr/lib/go-$v
	exe=$scratch/build/go$v/cgonative
	mkdir -p "${exe%/*}"
	(cd "$here/native" && env -i PATH="$gr/bin:/usr/bin:/bin" HOME="$scratch/home" GOROOT="$gr" \
		GOTOOLCHAIN=local GOPATH="$scratch/gopath" GOCACHE="$scratch/gocache-$v" \
		GOFLAGS=-mod=mod CGO_ENABLED=1 CC=aarch64-linux-gnu-gcc GOOS=linux GOARCH=arm64 \
		go build -buildmode=pie -trimpath -o "$exe" .)
	if grep -q "$scratch" "$exe"; then echo "gen-native-arm64.sh: $exe holds the scratch path" >&2; exit 1; fi
	id=$(readelf -n "$exe" | sed -n 's/^ *Build ID: *//p' | head -1)
	[ -n "$id" ] || { echo "gen-native-arm64.sh: $exe has no GNU build id" >&2; exit 1; }
	aarch64-linux-gnu-objcopy --only-keep-debug "$exe" "$exe.debug"
	aarch64-linux-gnu-objcopy --strip-all "$exe" "$exe.stripped"
	zstd -q -19 -f "$exe" -o "$here/exe-arm64-pie-go$v-dwarf.zst"
	zstd -q -19 -f "$exe.stripped" -o "$here/exe-arm64-pie-go$v-stripped.zst"
	mkdir -p "$here/debug/.build-id/${id:0:2}"
	zstd -q -19 -f "$exe.debug" -o "$here/debug/.build-id/${id:0:2}/${id:2}.debug.zst"
	for mode in crash hang; do
		name=arm64-pie-go$v-$mode
		# A private root (unshare --root) holding only the emulator, the arm64 loader and
		# libc, and the program in /fx: what the guest reads of the system (glibc reads
		# /proc/self/maps for the main thread's stack, Go 1.27 the cgroup mounts) names
		# nothing of this machine, and the libraries are at /lib as on the target.
		root=$scratch/root-$name
		run=$root/fx
		rm -rf "$root" && mkdir -p "$run" "$root/lib" "$root/usr/bin"
		cp "$exe" "$run/cgonative"
		cp -L "$sysroot/lib/ld-linux-aarch64.so.1" "$sysroot/lib/libc.so.6" "$root/lib/"
		cp "$(command -v "$qemu")" "$root/usr/bin/qemu-aarch64"
		(
			cd "$run"
			ulimit -c unlimited
			set +e
			env -i GOTRACEBACK=crash GOMAXPROCS=4 unshare --root="$root" --wd=/fx \
				/usr/bin/qemu-aarch64 ./cgonative "$mode" >/dev/null 2>stderr.txt &
			pid=$!
			if [ "$mode" = hang ]; then
				for _ in $(seq 300); do grep -q 'polling in C' stderr.txt && break; sleep 0.1; done
				sleep 1
				kill -QUIT $pid
			fi
			wait $pid
			echo "exit=$?" >status
		)
		rm -f "$run/core" "$run"/core.[0-9]* # the kernel's core of qemu itself
		qcore=$(ls "$run"/qemu_*.core 2>/dev/null | head -1 || true)
		[ -n "$qcore" ] || { echo "gen-native-arm64.sh: $name: qemu left no core" >&2; exit 1; }
		mv "$qcore" "$run/core"
		if strings -n 6 "$run/core" | grep -q -e "$scratch" -e "$sysroot" -e "$repo"; then
			echo "gen-native-arm64.sh: $name: the core names this machine's paths" >&2
			exit 1
		fi
		mkdir -p "$here/$name"
		chmod 0644 "$run/core"
		zstd -q -19 --long=27 -f "$run/core" -o "$here/$name/core.zst"
		cp "$run/stderr.txt" "$here/$name/stderr.txt"
		{
			echo "name=$name"
			echo "go=$(env -i GOROOT="$gr" "$gr/bin/go" env GOVERSION)"
			echo "arch=arm64"
			echo "emulator=$("$qemu" --version | head -1 | sed 's/ (.*//')"
			echo "program=cgonative $mode"
			echo "build_id=$id"
			echo "exe=exe-arm64-pie-go$v-dwarf.zst"
			echo "exe_stripped=exe-arm64-pie-go$v-stripped.zst"
			cat "$run/status"
		} >"$here/$name/meta"
	done
done
