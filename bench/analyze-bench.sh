#!/bin/sh
# analyze-bench.sh BUILD_DIR [GOROUTINES] [COPIES]
# End-to-end `gopm analyze --no-store` beside the parser alone (`gopm goroutines`, which
# parses, groups nothing and prints) on a synthetic goroutine dump shaped for the rules:
# 40 % of the goroutines wait in sync.(*Mutex).Lock on mutexes shared by three (two at the
# first Lock of main.(*Store).Get, one at its second: lock-order candidates), 30 % block
# on channels of their own, the rest sit in IO wait and select; then the same on COPIES
# dumps concatenated (default 8). Prints time, MiB/s and peak RSS per run (/usr/bin/time).
set -eu
build=${1:?usage: analyze-bench.sh BUILD_DIR [GOROUTINES] [COPIES]}
n=${2:-100000}
copies=${3:-8}
tmp=${TMPDIR:-/tmp}/gopm-analyze-bench.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
awk -v n="$n" 'BEGIN {
	printf "goroutine 1 [running]:\nmain.main()\n\t/app/main.go:10 +0x1d\n";
	nm = int(n * 0.4 / 3);
	for (g = 0; g < n; g++) {
		id = g + 2; k = g % 10;
		if (k < 4) {
			m = int(g / 10) * 4 + k; mu = m % nm; second = (m % 3 == 2);
			printf "\ngoroutine %d [sync.Mutex.Lock, %d minutes]:\n", id, 1 + g % 30;
			printf "sync.runtime_SemacquireMutex(0xc%09x?, 0x0?, 0x1?)\n\t/usr/lib/go/src/runtime/sema.go:77 +0x25\n", 16777216 + mu * 64 + 8;
			printf "sync.(*Mutex).lockSlow(0xc%09x)\n\t/usr/lib/go/src/sync/mutex.go:171 +0x15d\n", 16777216 + mu * 64;
			printf "sync.(*Mutex).Lock(...)\n\t/usr/lib/go/src/sync/mutex.go:90\n";
			printf "main.(*Store).Get(0xc%09x, 0xc%09x, {0x4b2a10, 0x5})\n\t/app/store.go:%d +0x45\n", 16777216 + mu * 64, 16777216 + ((mu + 1) % nm) * 64, second ? 52 : 40;
			printf "main.handle(0xc%09x)\n\t/app/handler.go:%d +0x1f3\n", 33554432 + g * 32, 20 + g % 7;
			printf "created by main.serve in goroutine 1\n\t/app/server.go:30 +0x65\n";
		} else if (k < 7) {
			printf "\ngoroutine %d [chan receive, %d minutes]:\n", id, 1 + g % 50;
			printf "runtime.chanrecv1(0xc%09x, 0x0)\n\t/usr/lib/go/src/runtime/chan.go:442 +0x12\n", 67108864 + g * 96;
			printf "main.(*Client).wait.func1()\n\t/app/client.go:%d +0x38\n", 80 + g % 3;
			printf "created by main.(*Client).wait in goroutine %d\n\t/app/client.go:77 +0x9e\n", 1 + g % 5;
		} else if (k < 9) {
			printf "\ngoroutine %d [IO wait]:\n", id;
			printf "internal/poll.runtime_pollWait(0x7f%08x, 0x72)\n\t/usr/lib/go/src/runtime/netpoll.go:345 +0x85\n", g;
			printf "internal/poll.(*FD).Read(0xc%09x, {0xc%09x, 0x1000, 0x1000})\n\t/usr/lib/go/src/internal/poll/fd_unix.go:164 +0x27a\n", 100663296 + g * 128, 117440512 + g * 4096;
			printf "net.(*conn).Read(0xc%09x, {0xc%09x, 0x1000, 0x1000})\n\t/usr/lib/go/src/net/net.go:179 +0x45\n", 100663296 + g * 128, 117440512 + g * 4096;
			printf "main.(*peer).readLoop(0xc%09x)\n\t/app/peer.go:55 +0x10a\n", 134217728 + g * 64;
			printf "created by main.(*peer).start in goroutine 1\n\t/app/peer.go:40 +0x8b\n";
		} else {
			printf "\ngoroutine %d [select]:\n", id;
			printf "main.(*peer).writeLoop(0xc%09x)\n\t/app/peer.go:70 +0x1c5\n", 134217728 + g * 64;
			printf "created by main.(*peer).start in goroutine 1\n\t/app/peer.go:41 +0xd0\n";
		}
	}
}' >"$tmp/dump.txt"
i=0
while [ "$i" -lt "$copies" ]; do cat "$tmp/dump.txt"; i=$((i + 1)); done >"$tmp/concat.txt"
for f in dump.txt concat.txt; do
	mib=$(du -m "$tmp/$f" | cut -f1)
	for cmd in goroutines analyze; do
		extra=
		if [ "$cmd" = analyze ]; then extra=--no-store; fi
		/usr/bin/time -f "%e %M" -o "$tmp/t" "$build/gopm" $cmd $extra "$tmp/$f" >/dev/null 2>"$tmp/err" || true
		read -r s kib <<EOT
$(tail -n 1 "$tmp/t")
EOT
		echo "$f ($mib MiB): gopm $cmd: $s s, $(awk -v m="$mib" -v s="$s" 'BEGIN { printf "%.0f", (s > 0 ? m / s : 0) }') MiB/s, peak RSS $((kib / 1024)) MiB"
	done
done
