#!/bin/sh
# CLI tests on live snapshots taken with gdb (gcore, generate-core-file; testdata/cores/
# *-gcore-*/gcore.zst): goroutines with their wait reasons although gdb wrote no segment for
# the executable's read-only data, and reports that call them snapshots of a live process,
# never "the signal the process died of".
. "$top_srcdir/tests/cli/fixture.sh"

bad() {
	echo "FAIL: $1"
	fail=$((fail + 1))
}

seen=0
for fx in "$td"/cores/*-gcore-*; do
	[ -f "$fx/gcore.zst" ] || continue
	seen=$((seen + 1))
	name=${fx##*/}
	exe=$td/$(sed -n 's/^exe=//p' "$fx/meta")
	expect 0 0 "$name: goroutines" -- goroutines --exe "$exe" "$fx/gcore.zst"
	grep -q '^goroutine ' "$tmp/out" || bad "$name: no goroutines"
	! grep -q '\[waiting\]' "$tmp/out" || bad "$name: wait reasons lost"
	expect 0 0 "$name: info" -- info --exe "$exe" "$fx/gcore.zst"
	grep -q '^signal: *none: a snapshot of a live process, not of its death (stopped with SIGSTOP)' \
		"$tmp/out" || bad "$name: info does not call it a live snapshot"
	! grep -q '^crashed:' "$tmp/out" || bad "$name: info names a crashed goroutine"
	expect 0 0 "$name: info --json" -- info --json --exe "$exe" "$fx/gcore.zst"
	grep -q '"live_snapshot": true' "$tmp/out" || bad "$name: info --json lacks live_snapshot"
	expect 0 0 "$name: analyze" -- analyze --no-store --exe "$exe" "$fx/gcore.zst"
	grep -q '^  snapshot    a snapshot of a live process, not of its death; stopped with SIGSTOP (signal 19: a debugger.s attach (gcore) or kill -STOP)$' \
		"$tmp/out" || bad "$name: analyze does not call it a live snapshot"
	! grep -q 'died of' "$tmp/out" || bad "$name: analyze says the process died"
	case $name in
	*-leak-*)
		grep -q '^HIGH     goroutine leak: 1000 goroutines blocked sending on abandoned channels' \
			"$tmp/out" || bad "$name: analyze misses the leak"
		;;
	esac
	expect 0 0 "$name: analyze --json" -- analyze --no-store --json --exe "$exe" "$fx/gcore.zst"
	grep -q '"live_snapshot": true' "$tmp/out" || bad "$name: analyze --json lacks live_snapshot"
	grep -q '"stop_signal": 19' "$tmp/out" || bad "$name: analyze --json lacks stop_signal"
	# The kernel core of right after is a death, as before.
	expect 0 0 "$name: analyze of the kernel core" -- analyze --no-store --exe "$exe" "$fx/core.zst"
	grep -q 'the signal the process died of' "$tmp/out" || bad "$name: kernel core not a death"
done
[ "$seen" -ge 4 ] || bad "only $seen gcore fixtures"

echo "$((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
