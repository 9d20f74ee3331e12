#!/usr/bin/env bash
# make-diff-fixtures.sh — one service at three moments of a leak, for `gopm diff`
# (testdata/diff/). Builds testdata/go/growleak with Go 1.22 (-trimpath, stripped), runs it
# with GOPM_HOLD=1 so that it stops at each stage: the program itself writes a goroutine
# dump in the runtime's traceback format (stage-N.txt, pprof debug=2) and gdb takes a core
# of the live process (stage-N.core.zst, `gcore PID`). The executable is kept beside them
# (growleak.zst) so the cores can be read.
#
# Usage: testdata/gen/make-diff-fixtures.sh [STAGES]   (default 120,600,1500)
# Environment: GOPM_TOOLCHAINS (default <repo>/../toolchains), GOPM_TESTDATA (<repo>/testdata),
#              GOPM_SCRATCH (/tmp/gopm-fixture). Needs gdb (gcore) and zstd.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
toolchains=${GOPM_TOOLCHAINS:-$repo/../toolchains}
testdata=${GOPM_TESTDATA:-$repo/testdata}
scratch=${GOPM_SCRATCH:-/tmp/gopm-fixture}/growleak
stages=${1:-120,600,1500}
goroot=$toolchains/root/usr/lib/go-1.22
out=$testdata/diff

rm -rf "$scratch"
mkdir -p "$scratch" "$out"
(cd "$repo/testdata/go" &&
	GOROOT=$goroot GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0 \
		"$goroot/bin/go" build -trimpath -ldflags=-s -o "$scratch/growleak" ./growleak)

cd "$scratch"
coproc PROG { exec env -i PATH=/usr/bin:/bin HOME=/nonexistent GOPM_HOLD=1 GOMAXPROCS=2 \
	./growleak "$scratch" "$stages" 2>&1; }
pid=$PROG_PID
n=0
while read -r line <&"${PROG[0]}"; do
	case $line in
	hold\ *)
		n=${line#hold }
		gcore -o "$scratch/core" "$pid" >/dev/null 2>&1
		zstd -19 --long=27 -q -f "$scratch/core.$pid" -o "$out/stage-$n.core.zst"
		rm -f "$scratch/core.$pid"
		zstd -19 -q -f "$scratch/stage-$n.txt" -o "$out/stage-$n.txt.zst"
		echo >&"${PROG[1]}"
		;;
	*) echo "growleak: $line" >&2 ;;
	esac
done
wait "$pid" || true
zstd -19 -q -f "$scratch/growleak" -o "$out/growleak.zst"
# No path of this machine may end up in a fixture.
for f in "$out"/stage-*.zst; do
	if zstd -dc "$f" | strings | grep -q -e "$HOME" -e "$repo"; then
		echo "make-diff-fixtures.sh: $f names a path of this machine" >&2
		exit 1
	fi
done
echo "stages=$stages go=$("$goroot/bin/go" env GOVERSION) snapshots=$n" >"$out/meta"
ls -l "$out"
