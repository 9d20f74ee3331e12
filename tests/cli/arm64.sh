#!/bin/sh
# CLI tests for arm64 cores (qemu-user's and the kernel's, testdata/cores-arm64): info names the architecture
# (text and --json), goroutines and analyze work, analyze's findings have the same headlines
# as on the amd64 core of the same program and Go version (addresses aside), analyze of the
# real programs from npm is as in expected/arm64-npm.out, heap reaches as many objects as on
# the amd64 twins (the leak program and the real programs), and the bad
# inputs: an executable of the other architecture (exit 5, both ways) and a core of a third
# architecture (exit 4). Needs zstd and dd.
set -u
: "${GOPM:?}" "${top_srcdir:?}"
td=$top_srcdir/testdata
fx=$td/cores-arm64/go1.22-hang-stripped
exe=$td/$(sed -n 's/^exe=//p' "$fx/meta")
amd64_fx=$td/cores/go1.22-hang-stripped
amd64_exe=$td/$(sed -n 's/^exe=//p' "$amd64_fx/meta")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
n=0

. "$top_srcdir/tests/cli/expect.sh"

check() { # check DESCRIPTION COMMAND...: counts a test that passes when COMMAND succeeds
	what=$1
	shift
	n=$((n + 1))
	if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fail=$((fail + 1)); fi
}

expect 0 0 "info on an arm64 core" -- info --exe "$exe" "$fx/core.zst"
check "info names arm64" grep -q '^arch: *arm64$' "$tmp/out"
check "info names go1.22" grep -q '^go: *go1\.22' "$tmp/out"
check "info names the signal (from NT_PRSTATUS: qemu writes no NT_SIGINFO)" \
	grep -q '^signal: *SIGABRT' "$tmp/out"
expect 0 0 "info --json on an arm64 core" -- info --json --exe "$exe" "$fx/core.zst"
check "info --json carries the architecture" grep -q '"arch": "arm64"' "$tmp/out"
expect 0 0 "goroutines --json on an arm64 core" -- goroutines --json --exe "$exe" "$fx/core.zst"
check "goroutines --json carries the architecture" grep -q '"arch": "arm64"' "$tmp/out"
expect 0 0 "analyze --json on an arm64 core" -- analyze --json --no-store --exe "$exe" "$fx/core.zst"
check "analyze --json carries the architecture" grep -q '"arch": "arm64"' "$tmp/out"
expect 0 0 "goroutines of an arm64 core" -- goroutines --exe "$exe" "$fx/core.zst"
check "goroutines shows main.main" grep -q '^main\.main()' "$tmp/out"
# ingest stores an arm64 core like any other, with its goroutines and architecture's facts.
expect 0 2 "ingest of an arm64 core" -- ingest --db "$tmp/arm64.db" --exe "$exe" "$fx/core.zst"
expect 0 0 "incidents --json of the arm64 incident" -- incidents --json --db "$tmp/arm64.db"
check "the arm64 incident is stored with its goroutines" grep -q '"goroutines": [1-9]' "$tmp/out"

# analyze: the same findings' headlines as the amd64 twin (the same program, Go version and
# scenario; for the real programs from npm, the same package for the other architecture).
# A healthy waiting program has none: then the "nothing stands out" line is compared.
twins=0
for d in "$td"/cores-arm64/*/; do
	name=$(basename "$d")
	# A kernel core (gen-arm64-kernel.sh) names its twin; qemu's cores share its name.
	twin=$td/cores/$(sed -n 's/^twin=//p' "$d/meta")
	[ "$twin" != "$td/cores/" ] || twin=$td/cores/$name
	[ -d "$twin" ] || continue
	twins=$((twins + 1))
	for side in arm64 amd64; do
		if [ $side = arm64 ]; then c=$d; else c=$twin; fi
		"$GOPM" analyze --no-store --exe "$td/$(sed -n 's/^exe=//p' "$c/meta")" "$c/core.zst" \
			>"$tmp/$side" 2>/dev/null
		sed -n '/^FINDINGS/,/^PROCESS/p' "$tmp/$side" | grep -E '^[A-Z]+ |^  nothing stands out' |
			sed 's/0x[0-9a-f]*/0x_/g' >"$tmp/$side.head"
	done
	check "analyze $name: headlines as on amd64 ($(head -n 1 "$tmp/arm64.head" | sed 's/^ *//'))" \
		sh -c "[ -s '$tmp/arm64.head' ] && cmp -s '$tmp/arm64.head' '$tmp/amd64.head'"
done
check "analyze: $twins arm64 cores compared with their amd64 twins (at least 14)" [ "$twins" -ge 14 ]

# Cores the Linux kernel wrote (testdata/gen/gen-arm64-kernel.sh, meta kernel=) carry what
# qemu's lack, and info uses it: the signal's code (NT_SIGINFO), the file mappings (NT_FILE),
# the executable's first page (its build id verified), the thread that raised SIGABRT
# running the goroutine that crashed.
kernel=0
for d in "$td"/cores-arm64/*/; do
	grep -q '^kernel=' "$d/meta" || continue
	kernel=$((kernel + 1))
	name=$(basename "$d")
	expect 0 0 "info on the kernel core $name" -- info \
		--exe "$td/$(sed -n 's/^exe=//p' "$d/meta")" "$d/core.zst"
	check "$name: the signal's code from NT_SIGINFO" \
		grep -q '^signal: *SIGABRT (code -6: sent by tkill' "$tmp/out"
	check "$name: NT_FILE's mappings" grep -q ' [1-9][0-9]* file mappings' "$tmp/out"
	check "$name: the executable verified by its build id" \
		grep -q '(given): \(Go\|GNU\) build id matches' "$tmp/out"
	check "$name: threads as in meta" \
		grep -q "^threads: $(sed -n 's/^threads=//p' "$d/meta")\$" "$tmp/out"
done
check "info: $kernel arm64 cores written by the kernel (at least 3)" [ "$kernel" -ge 3 ]
kfx=$td/cores-arm64/go1.22-kernel-crash-nilderef-stripped
kg=$(sed -n 's/^goroutine \([0-9]*\) .*\[running\]:$/\1/p' "$kfx/stderr.txt" | head -n 1)
expect 0 0 "info on the kernel core of a nil dereference" -- info \
	--exe "$td/$(sed -n 's/^exe=//p' "$kfx/meta")" "$kfx/core.zst"
check "kernel core: the goroutine that crashed (goroutine $kg, as the runtime says)" \
	grep -q "^crashed: *goroutine $kg in main\\.(\\*Config)\\.retries" "$tmp/out"
check "kernel core: the thread that raised SIGABRT runs it" \
	grep -q "^ *\\*[0-9]* .*\\[goroutine $kg, running\\]  <- SIGABRT" "$tmp/out"

# The real programs (npm packages, meta has package=): analyze says what they are and that
# nothing stands out in a healthy program waiting when SIGQUIT came, with no warning; its
# findings, process facts and states are those of tests/cli/expected/arm64-npm.out
# (GOPM_UPDATE_GOLDEN=1 rewrites it; review the diff).
: >"$tmp/npm.out"
npm=0
for d in "$td"/cores-arm64/*/; do
	grep -q '^package=' "$d/meta" || continue
	name=$(basename "$d")
	npm=$((npm + 1))
	expect 0 0 "analyze $name (real program)" -- analyze --no-store \
		--exe "$td/$(sed -n 's/^exe=//p' "$d/meta")" "$d/core.zst"
	{
		echo "== $name ($(sed -n 's/^package=//p' "$d/meta"))"
		sed -n '/^FINDINGS/,/^PROCESS/p' "$tmp/out" | grep -v '^PROCESS'
		grep -E '^  (go|module|command|signal|goroutines) ' "$tmp/out"
		sed -n '/^STATES/,$p' "$tmp/out"
	} | sed 's/0x[0-9a-f]*/0x_/g' >>"$tmp/npm.out"
done
check "analyze: $npm real arm64 programs (at least 3)" [ "$npm" -ge 3 ]
if [ "${GOPM_UPDATE_GOLDEN:-}" = 1 ]; then cp "$tmp/npm.out" "$top_srcdir/tests/cli/expected/arm64-npm.out"; fi
check "analyze of the real programs as in tests/cli/expected/arm64-npm.out" \
	cmp -s "$tmp/npm.out" "$top_srcdir/tests/cli/expected/arm64-npm.out"
cmp -s "$tmp/npm.out" "$top_srcdir/tests/cli/expected/arm64-npm.out" ||
	diff -u "$top_srcdir/tests/cli/expected/arm64-npm.out" "$tmp/npm.out" | head -n 20

# heap: the walk from an arm64 core reaches as many objects as on the amd64 twin (within 2%:
# the two runs are not byte-identical), with frames scanned at arm64's varp/argp.
for side in arm64 amd64; do
	if [ $side = arm64 ]; then c=$td/cores-arm64/go1.22-crash-leak-stripped; else
		c=$td/cores/go1.22-crash-leak-stripped; fi
	expect 0 0 "heap of the $side leak core" -- heap --exe "$td/$(sed -n 's/^exe=//p' "$c/meta")" \
		"$c/core.zst"
	sed -n 's/^ *\([0-9]*\) objects (.*) reachable from .*/\1/p' "$tmp/out" >"$tmp/$side.reach"
done
a=$(cat "$tmp/arm64.reach") b=$(cat "$tmp/amd64.reach")
check "heap: $a objects reachable on arm64, $b on amd64" \
	sh -c "[ -n '$a' ] && [ -n '$b' ] && [ \$(( ($a - $b) * ($a - $b) * 2500 )) -le \$(( $b * $b )) ]"
# The same for the real programs and their amd64 twins (stripped: layouts from the binaries'
# own type descriptors), with no warning.
for d in "$td"/cores-arm64/*/; do
	grep -q '^package=' "$d/meta" || continue
	name=$(basename "$d")
	[ -d "$td/cores/$name" ] || continue
	for side in arm64 amd64; do
		if [ $side = arm64 ]; then c=$d; else c=$td/cores/$name; fi
		expect 0 0 "heap of the $side $name core" -- heap \
			--exe "$td/$(sed -n 's/^exe=//p' "$c/meta")" "$c/core.zst"
		sed -n 's/^ *\([0-9]*\) objects (.*) reachable from .*/\1/p' "$tmp/out" >"$tmp/$side.reach"
	done
	a=$(cat "$tmp/arm64.reach") b=$(cat "$tmp/amd64.reach")
	check "heap $name: $a objects reachable on arm64, $b on amd64" \
		sh -c "[ -n '$a' ] && [ -n '$b' ] && [ \$(( ($a - $b) * ($a - $b) * 2500 )) -le \$(( $b * $b )) ]"
done

expect 5 1 "arm64 core with an amd64 executable" -- info --exe "$amd64_exe" "$fx/core.zst"
check "the mismatch names both architectures" \
	grep -q 'an x86-64 executable, the core is of an aarch64 process' "$tmp/err"
expect 5 1 "amd64 core with an arm64 executable" -- info --exe "$exe" "$amd64_fx/core.zst"
check "the mismatch names both architectures" \
	grep -q 'an aarch64 executable, the core is of an x86-64 process' "$tmp/err"
expect 5 1 "goroutines: arm64 core with an amd64 executable" -- \
	goroutines --exe "$amd64_exe" "$fx/core.zst"

# A core of a third architecture (e_machine patched to RISC-V): refused by name.
zstd -dcq "$fx/core.zst" >"$tmp/riscv.core"
printf '\363\000' | dd of="$tmp/riscv.core" bs=1 seek=18 conv=notrunc 2>/dev/null
expect 4 1 "core of a third architecture" -- info --exe "$exe" "$tmp/riscv.core"
check "the refusal names it" grep -q 'core for riscv64: architecture not supported' "$tmp/err"

echo "$((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
