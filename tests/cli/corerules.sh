#!/bin/sh
# CLI tests of the rules that read more of a core (testdata/corerules, made by its gen.sh
# with each Go toolchain): a select's cases (context.not-propagated MEDIUM with no
# ctx.Done() case; quiet when a case is the request context's done channel; a case on a
# pending timer's channel marked), pending
# runtime timers by callback (timers.accumulation; quiet for a few hundred), the
# scheduler's state as gc.stw-stall evidence, a mutex inside a heap object named
# main.(*Cache).mu, and a PIE text dump given --exe naming main.mu by the load bias its
# frames' pc= give; the holder of a contended mutex in the crash fixtures' cores.
set -u
: "${GOPM:?}" "${top_srcdir:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
checked=0
pies=0
dwarfs=0
XDG_DATA_HOME=$tmp/xdg HOME=$tmp/home
export XDG_DATA_HOME HOME

# $1 what, $2 report file, $3 extended regexp that must match a line
has() {
	grep -Eq "$3" "$2" || { echo "FAIL: $1: no line matching: $3"; fail=$((fail + 1)); }
}
# $1 what, $2 report file, $3 extended regexp that must not match any line
hasnt() {
	! grep -Eq "$3" "$2" || { echo "FAIL: $1: $(grep -E "$3" "$2" | head -1)"; fail=$((fail + 1)); }
}

for d in "$top_srcdir"/testdata/corerules/go1.*; do
	[ -f "$d/exe.zst" ] || continue
	v=${d##*/}
	checked=$((checked + 1))
	zstd -dqf "$d/exe.zst" -o "$tmp/exe-$v" ||
		{ echo "FAIL: $v: executable"; fail=$((fail + 1)); continue; }
	# One version's executable keeps DWARF (the scheduler's layout, the frames' locals);
	# the other has only symbols and type descriptors, as most shipped programs.
	dwarf=no
	if readelf -S "$tmp/exe-$v" | grep -q '\.z*debug_info'; then dwarf=yes; dwarfs=$((dwarfs + 1)); fi
	an() { # MODE: the core's report into $tmp/r
		"$GOPM" analyze --no-store --width 1000 --exe "$tmp/exe-$v" "$d/$1/core.zst" >"$tmp/r" 2>"$tmp/err" ||
			{ echo "FAIL: $v $1: analyze exit $?: $(head -3 "$tmp/err")"; fail=$((fail + 1)); }
	}

	# Handlers in a select on an upstream channel and a time.After: no case can be a
	# context's (none is a chan struct{}).
	an noctx
	has "$v noctx" "$tmp/r" '^MEDIUM +3 request handlers waiting [0-9]+\+ minutes in select in main\.lookup at .* with no ctx\.Done\(\) case$'
	# The time.After channel is a pending runtime timer's (time.sendTime's arg): the select
	# wakes by itself (rule_leaks rules such loops out in a core).
	has "$v noctx" "$tmp/r" '^ +select cases +main\.upstream \(chan string\), chan time\.Time 0x[0-9a-f]+ \(a pending timer.s\)$|^ +select cases +chan time\.Time 0x[0-9a-f]+ \(a pending timer.s\), main\.upstream \(chan string\)$'
	has "$v noctx" "$tmp/r" '^ +checked +every case of the select was read from the core; none is a chan struct'
	# The runtime's traceback of the same instant shows no cases: the question stays LOW.
	"$GOPM" analyze --no-store --width 1000 "$d/noctx/stderr.txt" >"$tmp/t" 2>&1
	has "$v noctx text" "$tmp/t" '^LOW +3 request handlers waiting [0-9]+\+ minutes in select in main\.lookup .*is the request.s context one of its cases\?$'
	# The same handler with the request's context among its cases (found through the
	# *http.Request in its frames): nothing to say. (The fixture's own clients, without a
	# timeout, are net.no-deadline: right, and not this rule's.)
	an watch
	if [ $dwarf = yes ]; then
		hasnt "$v watch" "$tmp/r" 'request handlers? waiting'
		hasnt "$v watch" "$tmp/r" 'context\.not-propagated'
	else
		# Without DWARF the request in the frames is not found: the question stays LOW.
		has "$v watch (no DWARF)" "$tmp/r" '^LOW +3 request handlers waiting [0-9]+\+ minutes in select in main\.watch '
	fi
	# From text the cases are unknown: the LOW question stays.
	"$GOPM" analyze --no-store --width 1000 "$d/watch/stderr.txt" >"$tmp/t" 2>&1
	has "$v watch text" "$tmp/t" '^LOW +3 request handlers waiting [0-9]+\+ minutes in select in main\.watch '

	# Pending runtime timers: 20,000 AfterFunc timers with every toolchain; the 50,000
	# time.After timers only before Go 1.23 (later, a channel timer nobody waits on is not
	# in a heap).
	an timers
	has "$v timers" "$tmp/r" '^MEDIUM +20000 pending runtime timers of time\.AfterFunc\(main\.expire\)$'
	case $v in
	go1.19 | go1.2[0-2]) has "$v timers" "$tmp/r" '^MEDIUM +50000 pending runtime timers of time\.After or time\.NewTimer$' ;;
	esac
	an fewtimers
	hasnt "$v fewtimers" "$tmp/r" 'pending runtime timers'

	# The stalled stop-the-world: the scheduler's state is evidence.
	an stw
	has "$v stw" "$tmp/r" '^HIGH +the world cannot stop for garbage collection: .* runs in main\.spin '
	if [ $dwarf = yes ]; then # runtime.schedt has no type descriptor
		has "$v stw" "$tmp/r" '^ +scheduler +sched\.gcwaiting is set'
		has "$v stw" "$tmp/r" '^ +Ps +[0-9]+ of 4 stopped for the collection \(_Pgcstop\), [1-9][0-9]* running$'
	fi

	# A mutex inside a heap object, and a global one (not renamed).
	an heapmu
	has "$v heapmu" "$tmp/r" '^MEDIUM +lock contention: 8 goroutines wait for mutex main\.\(\*Cache\)\.mu$'
	has "$v heapmu" "$tmp/r" '^ +mutex +main\.\(\*Cache\)\.mu at 0x[0-9a-f]+ \(a field of the object the waiters. method runs on\)$'
	an globalmu
	has "$v globalmu" "$tmp/r" '^MEDIUM +lock contention: 8 goroutines wait for mutex main\.mu$'

done
[ "$checked" -ge 2 ] || { echo "FAIL: only $checked toolchains' fixtures in testdata/corerules"; fail=$((fail + 1)); }
[ "$dwarfs" -ge 1 ] || { echo "FAIL: no corerules executable with DWARF"; fail=$((fail + 1)); }

# A mutex many goroutines queue on: main.quit, which locked it and goes on running, is a
# holder only because a word of its own frames points at the mutex (objects.c's held-mutex
# scan, over the stack words the goroutine pass kept). Go 1.22's frame keeps no such word.
holders=0 named=0
for d in "$top_srcdir"/testdata/cores/go1.*-crash2-contention-*; do
	v=${d##*/}
	rel=$(sed -n 's/^exe=//p' "$d/meta")
	[ -f "$d/core.zst" ] && [ -f "$top_srcdir/testdata/$rel" ] || continue
	holders=$((holders + 1))
	"$GOPM" analyze --no-store --width 1000 --exe "$top_srcdir/testdata/$rel" "$d/core.zst" >"$tmp/r" 2>&1
	has "$v holder" "$tmp/r" '^ +likely holder +goroutine [0-9]+ \[sleep\] in main\.fetchRemote at '
	grep -Eq '^ +holder\? \(weak\) +goroutine 1 \[[a-z]+\] in main\.quit at .* \(heuristic: it refers to the mutex\)$' "$tmp/r" &&
		named=$((named + 1))
done
[ "$holders" -ge 4 ] || { echo "FAIL: only $holders contention cores"; fail=$((fail + 1)); }
[ "$named" -ge 3 ] || { echo "FAIL: main.quit named as a holder by its frames in $named of $holders contention cores"; fail=$((fail + 1)); }

# A PIE program's traceback (GOTRACEBACK=crash prints pc=) with --exe: main.mu by the load
# bias; without --exe, the address; without the pc= fields, no bias to infer: the address.
for d in "$top_srcdir"/testdata/cores/go1.*-hang-pie; do
	v=${d##*/}
	[ -f "$d/stderr.txt" ] && [ -f "$top_srcdir/testdata/exe/$v.zst" ] || continue
	zstd -dqf "$top_srcdir/testdata/exe/$v.zst" -o "$tmp/pie-$v" ||
		{ echo "FAIL: $v: PIE executable"; fail=$((fail + 1)); continue; }
	pies=$((pies + 1))
	"$GOPM" analyze --no-store --width 1000 --exe "$tmp/pie-$v" "$d/stderr.txt" >"$tmp/t" 2>&1
	has "$v text" "$tmp/t" '^MEDIUM +lock contention: 3 goroutines wait for mutex main\.mu$'
	"$GOPM" analyze --no-store --width 1000 "$d/stderr.txt" >"$tmp/t" 2>&1
	has "$v text without --exe" "$tmp/t" '^MEDIUM +lock contention: 3 goroutines wait for mutex 0x[0-9a-f]+$'
	sed 's/ fp=0x[0-9a-f]* sp=0x[0-9a-f]* pc=0x[0-9a-f]*$//' "$d/stderr.txt" >"$tmp/nopc.txt"
	"$GOPM" analyze --no-store --width 1000 --exe "$tmp/pie-$v" "$tmp/nopc.txt" >"$tmp/t" 2>&1
	has "$v text without pc=" "$tmp/t" '^MEDIUM +lock contention: 3 goroutines wait for mutex 0x[0-9a-f]+$'
done
[ "$pies" -ge 2 ] || { echo "FAIL: only $pies PIE traceback fixtures"; fail=$((fail + 1)); }
echo "ok: $checked toolchains' corerules fixtures checked"
[ "$fail" -eq 0 ] || { echo "$fail failed"; exit 1; }
