#!/bin/sh
# CLI tests of fetching a core's executable from debuginfod (DEBUGINFOD_URLS; doc/goroutines.md,
# "Finding the executable"): a local debuginfod server started here on 127.0.0.1 serves a
# directory holding the only copy of the executable, and the core is analysed; a server that
# accepts connections but never answers is given up after DEBUGINFOD_TIMEOUT seconds with one
# clear line; a core with only a Go build id says debuginfod could not be asked. Skips (77)
# only when the debuginfod server is not installed (Debian package debuginfod).
set -u
: "${GOPM:?}" "${top_srcdir:?}"
command -v debuginfod >/dev/null 2>&1 || {
	echo "skip: debuginfod is not installed (apt-get install debuginfod)"
	exit 77
}
td=$top_srcdir/testdata
fx=$td/cores/go1.27-hang-dwarf
exe=$td/$(sed -n 's/^exe=//p' "$fx/meta")
fx2=$td/cores/go1.22-crash-leak-stripped
tmp=$(mktemp -d)
server=
silent=
cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null
	[ -n "$silent" ] && kill "$silent" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
fail=0
n=0
unset GOPM_EXE_PATH DEBUGINFOD_TIMEOUT
GOPM_DEBUG_ROOT=
DEBUGINFOD_CACHE_PATH=$tmp/cache
export GOPM_DEBUG_ROOT DEBUGINFOD_CACHE_PATH

. "$top_srcdir/tests/cli/expect.sh"

bad() {
	echo "FAIL: $1"
	fail=$((fail + 1))
}

named=$(zstd -dc "$fx/core.zst" | strings -n 8 | grep -m1 '^/tmp/gopm-fixture/.*/hang$' || true)
if [ -n "$named" ] && [ -e "$named" ]; then
	echo "skip: the core's own executable path $named exists here"
	exit 77
fi
gnu=$(zstd -dc "$exe" | od -An -tx1 -v | tr -d ' \n' | grep -o '040000001400000003000000474e5500[0-9a-f]\{40\}' | head -1 | cut -c33-)
[ -n "$gnu" ] || { echo "FAIL: no GNU build id in $exe"; exit 1; }

# A port nobody uses on 127.0.0.1 (the kernel picks it; closed again just before use).
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

mkdir -p "$tmp/c" "$tmp/srv"
cp "$fx/core.zst" "$tmp/c/core.zst"
zstd -qdc "$exe" >"$tmp/srv/deployed-hang"
cp "$fx2/core.zst" "$tmp/c/go-only.zst"

port=$(free_port)
debuginfod -F -p "$port" -d "$tmp/debuginfod.sqlite" -t 0 -g 0 -c 1 "$tmp/srv" \
	>"$tmp/server.log" 2>&1 &
server=$!
# Ready when it serves the build id (its first scan is asynchronous); at most a minute.
url=http://127.0.0.1:$port
ready=no
i=0
while [ $i -lt 120 ]; do
	if python3 - "$url/buildid/$gnu/executable" <<'EOF' 2>/dev/null; then
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=2).read(1)
EOF
		ready=yes
		break
	fi
	kill -0 "$server" 2>/dev/null || break
	sleep 0.5
	i=$((i + 1))
done
if [ "$ready" != yes ]; then
	echo "FAIL: the debuginfod server on port $port did not serve $gnu"
	sed 's/^/  server: /' "$tmp/server.log" | tail -5
	exit 1
fi

# Without DEBUGINFOD_URLS the executable is nowhere.
unset DEBUGINFOD_URLS
expect 5 1 "no DEBUGINFOD_URLS" -- info "$tmp/c/core.zst"
grep -q debuginfod "$tmp/err" && bad "debuginfod named though DEBUGINFOD_URLS is unset"

# The executable only on the server: found by GNU build id, and the core analysed.
DEBUGINFOD_URLS=$url expect 0 0 "debuginfod on 127.0.0.1" -- info "$tmp/c/core.zst"
grep -q '(from debuginfod): GNU build id matches' "$tmp/out" ||
	bad "debuginfod: executable not fetched: $(grep -i executable "$tmp/out" | head -1)"
DEBUGINFOD_URLS=$url expect 0 0 "goroutines through debuginfod" -- goroutines "$tmp/c/core.zst"
grep -q '^goroutine 1 .*\[chan receive\]' "$tmp/out" || bad "debuginfod: goroutines not read"
DEBUGINFOD_URLS=$url expect 0 - "analyze through debuginfod" -- analyze --no-store "$tmp/c/core.zst"

# A Go internal link has only a Go build id: debuginfod cannot be asked, and that is said.
DEBUGINFOD_URLS=$url expect 5 1 "Go build id only" -- info "$tmp/c/go-only.zst"
grep -q 'debuginfod not asked: the core has no GNU build id' "$tmp/err" ||
	bad "Go build id only: not said why debuginfod was not asked"

# A server that accepts the connection and never answers: one line, after the timeout.
port2=$(free_port)
python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
print("listening", flush=True)
time.sleep(600)
' "$port2" >"$tmp/silent.log" 2>&1 &
silent=$!
i=0
while [ $i -lt 100 ] && ! grep -q listening "$tmp/silent.log"; do
	sleep 0.1
	i=$((i + 1))
done
rm -rf "$tmp/cache"
DEBUGINFOD_URLS=http://127.0.0.1:$port2 DEBUGINFOD_TIMEOUT=2 expect 5 1 "a server that never answers" -- info "$tmp/c/core.zst"
grep -q 'debuginfod: no answer within 2 s (DEBUGINFOD_TIMEOUT)' "$tmp/err" ||
	bad "silent server: no timeout message: $(cat "$tmp/err")"

echo "$((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
