#!/bin/sh
# CLI tests of the findings: the rule table agrees with its catalogue and the man page
# (every id of `gopm rules` has a section in doc/findings.md, every command of
# `gopm --help` an entry in doc/gopm.1), `gopm rules --json` parses, `--finding` notes
# unknown rule ids; and the headline of every field-shaped dump (testdata/dumps/field,
# made by real Go programs) is the expected one (tests/cli/expected/field-headlines.out),
# with no finding above LOW on the healthy servers; a contended global mutex is named by
# symbol; a stalled stop-the-world names the goroutine that prevents it, from cores and text;
# contention on many mutexes locked in one function is one finding with its full counts;
# a test timeout cut before the stuck test names the test waiting for it; a lock or
# WaitGroup stuck for minutes names its holder candidate or the worker it waits for; no
# finding of any dump fixture says one piece of evidence twice.
set -u
: "${GOPM:?}" "${top_srcdir:?}" "${top_builddir:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
n=0
XDG_DATA_HOME=$tmp/xdg HOME=$tmp/home
export XDG_DATA_HOME HOME
. "$top_srcdir/tests/cli/expect.sh"

# The table, its catalogue and the man page.
expect 0 0 "gopm rules" -- rules
ids=$(cut -d' ' -f1 "$tmp/out")
[ -n "$ids" ] || { echo "FAIL: gopm rules lists nothing"; fail=$((fail + 1)); }
nids=0
for id in $ids; do
	nids=$((nids + 1))
	grep -q "^### \`$id\`\$" "$top_srcdir/doc/findings.md" ||
		{ echo "FAIL: rule $id has no section in doc/findings.md"; fail=$((fail + 1)); }
done
# And no section for a rule that does not exist.
for id in $(sed -n 's/^### `\(.*\)`$/\1/p' "$top_srcdir/doc/findings.md"); do
	echo "$ids" | grep -qx -- "$id" ||
		{ echo "FAIL: doc/findings.md describes $id, which gopm rules lacks"; fail=$((fail + 1)); }
done
echo "ok: $nids rule ids checked against doc/findings.md"
expect 0 0 "gopm rules --json" -- rules --json
"$top_builddir/tests/cli/json-valid" "$tmp/out" >/dev/null 2>&1 ||
	{ echo "FAIL: gopm rules --json is not JSON"; fail=$((fail + 1)); }
expect 0 0 "gopm rules of one family" -- rules locks
grep -q '^deadlock.lock-order ' "$tmp/out" || { echo "FAIL: locks lacks deadlock.lock-order"; fail=$((fail + 1)); }
grep -q '^panic ' "$tmp/out" && { echo "FAIL: locks lists panic"; fail=$((fail + 1)); }
expect 2 2 "gopm rules of a family that does not exist" -- rules nosuch
"$GOPM" --help >"$tmp/help" 2>&1
ncmd=0
for cmd in $(sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p' "$tmp/help"); do
	ncmd=$((ncmd + 1))
	grep -q "^\.B $cmd\$" "$top_srcdir/doc/gopm.1" ||
		{ echo "FAIL: command $cmd has no entry in doc/gopm.1"; fail=$((fail + 1)); }
done
[ "$ncmd" -ge 10 ] || { echo "FAIL: only $ncmd commands in gopm --help"; fail=$((fail + 1)); }
echo "ok: $ncmd commands checked against doc/gopm.1"
expect 0 - "an archive to query" -- analyze --db "$tmp/a.db" "$top_srcdir/testdata/dumps/go1.22-panic-all.txt"
expect 0 1 "--finding with an unknown rule id notes it" -- incidents --db "$tmp/a.db" --finding leak.bogus
grep -q "no rule id" "$tmp/err" || { echo "FAIL: no note for leak.bogus"; fail=$((fail + 1)); }
expect 0 0 "--finding with a rule id" -- incidents --db "$tmp/a.db" --finding leak.chan

# Headlines of the field-shaped dumps.
field=$top_srcdir/testdata/dumps/field
: >"$tmp/headlines"
checked=0
for f in "$field"/*.txt "$field"/*.txt.zst; do
	[ -e "$f" ] || continue
	name=$(basename "$f")
	"$GOPM" analyze --no-store --width 1000 "$f" >"$tmp/report" 2>"$tmp/err"
	st=$?
	[ "$st" -le 1 ] || { echo "FAIL: analyze $name: exit $st"; fail=$((fail + 1)); }
	printf '%s: %s\n' "$name" "$(sed -n 2p "$tmp/report" | tr -s ' ')" >>"$tmp/headlines"
	checked=$((checked + 1))
	case $name in
	*healthy*)
		# No leak, deadlock or contention claim on a healthy server: nothing above LOW.
		sed -n '/^FINDINGS/,/^PROCESS/p' "$tmp/report" | grep -E '^(CRITICAL|HIGH|MEDIUM) ' >"$tmp/loud"
		if [ -s "$tmp/loud" ]; then
			echo "FAIL: $name: healthy server, yet: $(head -n 1 "$tmp/loud")"
			fail=$((fail + 1))
		fi ;;
	esac
done
[ "$checked" -ge 10 ] || { echo "FAIL: only $checked field dumps"; fail=$((fail + 1)); }
if ! diff -u "$top_srcdir/tests/cli/expected/field-headlines.out" "$tmp/headlines"; then
	echo "FAIL: field headlines differ from tests/cli/expected/field-headlines.out"
	fail=$((fail + 1))
fi
echo "ok: $checked field dumps analysed"

# The incident classes of testdata/go/incidents, from every toolchain's dump: the first
# finding is the rule that names the root cause with the user's function in its title.
inc=0
for spec in \
	'dbpool limit.exhausted wait for a connection in main.\(\*orderService\).orderTotal .* in main.ask ' \
	'connlimit limit.exhausted requests wait for a connection in main.\(\*inventoryClient\).stock ' \
	'semaphore limit.exhausted to acquire a slot in main.\(\*thumbnailer\).render .* in main.ask ' \
	'flight limit.exhausted wait in main.\(\*group\).Do .*its leader, goroutine [0-9]+, is blocked \[IO wait\] in main.ask ' \
	'errgroup limit.exhausted to acquire a slot in main.\(\*errGroup\).Go .*its 12 holders.* in main.ask ' \
	'logblock contention.blocked-write holds the mutex of log.\(\*Logger\).[Oo]utput while its write blocks \[syscall\] in os.\(\*File\).Write ' \
	'rlock deadlock.recursive-rlock main.\(\*catalog\).discount read-locks the RWMutex its caller main.\(\*catalog\).price already holds ' \
	'once deadlock.once-reentered main.\(\*settings\).Get calls its Do from inside main.\(\*settings\).load' \
	'cond deadlock.cond-no-signaller in sync.\(\*Cond\).Wait in main.\(\*queue\).pop ' \
	'reqleak leak.chan goroutines blocked sending on abandoned channels in main.quoteHandler.func1.1'; do
	shape=${spec%% *}
	rest=${spec#* }
	rule=${rest%% *}
	pat=${rest#* }
	vs=0
	for f in "$field"/go1.*-"$shape".txt.zst; do
		case $f in *-healthy-*) continue ;; esac
		[ -e "$f" ] || continue
		vs=$((vs + 1))
		inc=$((inc + 1))
		"$GOPM" analyze --no-store --width 1000 "$f" >"$tmp/report" 2>&1
		if ! sed -n 3p "$tmp/report" | grep -q "rule $rule,"; then
			echo "FAIL: $(basename "$f"): first finding is not $rule: $(sed -n 2,3p "$tmp/report" | tr -s ' ')"
			fail=$((fail + 1))
		elif ! sed -n 2p "$tmp/report" | grep -Eq -- "$pat"; then
			echo "FAIL: $(basename "$f"): headline lacks /$pat/: $(sed -n 2p "$tmp/report")"
			fail=$((fail + 1))
		fi
	done
	[ "$vs" -ge 3 ] || { echo "FAIL: $shape: $vs toolchains' dumps, expected 3"; fail=$((fail + 1)); }
	# Its healthy twin: none of these rules at all.
	for f in "$field"/go1.*-healthy-"$shape".txt.zst; do
		[ -e "$f" ] || continue
		inc=$((inc + 1))
		"$GOPM" analyze --no-store --width 1000 "$f" >"$tmp/report" 2>&1
		if grep -Eq 'rule (limit\.exhausted|contention\.blocked-write|deadlock\.(recursive-rlock|once-reentered|cond-no-signaller)),' "$tmp/report"; then
			echo "FAIL: $(basename "$f"): healthy twin, yet: $(grep -E '^(LOW|MEDIUM|HIGH|CRITICAL) ' "$tmp/report" | head -n 1)"
			fail=$((fail + 1))
		fi
	done
done
[ "$inc" -eq 60 ] || { echo "FAIL: $inc incident dumps checked, expected 60"; fail=$((fail + 1)); }
echo "ok: $inc incident-class dumps and their healthy twins"

# A queue on a mutex when every goroutine is asleep is no busy lock, however short its
# waits: the report says nothing was going to release it.
"$GOPM" analyze --no-store --width 1000 "$field/go1.19-asleepmutex.txt" >"$tmp/report" 2>&1
if ! grep -q 'lock contention: 6 goroutines wait for mutex' "$tmp/report" ||
	! grep -Eq "checked +every goroutine was asleep \(the runtime's deadlock check\)" "$tmp/report" ||
	grep -q 'busy mutex' "$tmp/report"; then
	echo "FAIL: go1.19-asleepmutex.txt: the contention is not told as stuck"
	fail=$((fail + 1))
fi

# A test timeout pasted without the stuck subtest's goroutine (cut from the paste): the
# test that waits in t.Run for it is named. And one whose only test goroutine is the
# testing package's own (tRunner.func1 waiting for parallel subtests, as Go 1.9 printed
# goroutine 1): no test is blamed. Both made here from our own field dumps.
cuts=0
for f in "$field"/go1.*-testtimeout.txt; do
	[ -e "$f" ] || continue
	cuts=$((cuts + 1))
	name=$(basename "$f")
	# Every goroutine under tRunner that is no t.Run parent is the stuck one: drop it.
	awk 'BEGIN { RS = ""; ORS = "\n\n" } !(/testing\.tRunner/ && !/testing\.\(\*T\)\.Run\(/)' "$f" >"$tmp/cut.txt"
	"$GOPM" analyze --no-store --width 1000 "$tmp/cut.txt" >"$tmp/report" 2>"$tmp/err"
	sed -n 2p "$tmp/report" | grep -q '^HIGH *test timed out: gopm\.test/fixture/fieldtest\.TestStuck waits for a subtest it started (gopm\.test/fixture/fieldtest/stuck_test\.go:[0-9]*); the subtest.s goroutine is not in the dump$' ||
		{ echo "FAIL: $name cut: $(sed -n 2p "$tmp/report")"; fail=$((fail + 1)); }
	# Goroutine 1 as tRunner.func1 over tRunner and runTests, the tests' goroutines cut.
	awk 'BEGIN { RS = ""; ORS = "\n\n" } /^panic: / || /startAlarm/' "$f" >"$tmp/par.txt"
	printf 'goroutine 1 [chan receive]:\ntesting.tRunner.func1(0xc42021c000)\n\ttesting/testing.go:753 +0x111\ntesting.tRunner(0xc42021c000, 0xc420177b48)\n\ttesting/testing.go:783 +0xe6\ntesting.runTests(0xc42019c9e0, 0xbc0fa0, 0xfd, 0xfd, 0xc420177be8)\n\ttesting/testing.go:1061 +0x2bb\ntesting.(*M).Run(0xc4201a4580, 0x0)\n\ttesting/testing.go:978 +0x168\nmain.main()\n\t_testmain.go:546 +0x151\n' >>"$tmp/par.txt"
	"$GOPM" analyze --no-store --width 1000 "$tmp/par.txt" >"$tmp/report" 2>"$tmp/err"
	# No goroutine is blamed; the runtime's "running tests:" list (Go 1.20+) names the
	# innermost test still running.
	want='^HIGH *test timed out after 1s$'
	grep -q 'running tests:' "$f" &&
		want='^HIGH *test timed out after 1s in TestStuck/sub (still running at the timeout; its goroutine is not in the dump)$'
	sed -n 2p "$tmp/report" | grep -q "$want" ||
		{ echo "FAIL: $name parallel: $(sed -n 2p "$tmp/report")"; fail=$((fail + 1)); }
done
# go test -v's "=== RUN" lines name the stuck test when every goroutine after the alarm's
# was cut (Go before 1.20 printed no "running tests:" list).
for f in "$field"/go1.*-testtimeoutv.txt; do
	[ -e "$f" ] || continue
	cuts=$((cuts + 1))
	awk 'BEGIN { RS = ""; ORS = "\n\n" } !/^goroutine / || /startAlarm/' "$f" >"$tmp/cut.txt"
	"$GOPM" analyze --no-store --width 1000 "$tmp/cut.txt" >"$tmp/report" 2>"$tmp/err"
	sed -n 2p "$tmp/report" | grep -q '^HIGH *test timed out after 1s in TestStuck/sub (still running at the timeout; its goroutine is not in the dump)$' ||
		{ echo "FAIL: $(basename "$f") cut to the alarm: $(sed -n 2p "$tmp/report")"; fail=$((fail + 1)); }
done
[ "$cuts" -ge 4 ] || { echo "FAIL: only $cuts test timeouts cut"; fail=$((fail + 1)); }
echo "ok: $cuts test timeouts cut before the stuck test's goroutine"
# A lock waited on for minutes names, as holder candidate, the blocked method of the same
# type (main.(*Registry).reload, waiting for a reply while holding the RWMutex); a WaitGroup
# waited on for ten minutes names the worker it started that never called Done.
stuck=0
for f in "$field"/go1.*-stucklock.txt; do
	[ -e "$f" ] || continue
	stuck=$((stuck + 1))
	"$GOPM" analyze --no-store --width 1000 "$f" >"$tmp/report" 2>"$tmp/err"
	grep -Eq '^ *holder\? +goroutine [0-9]+ \[chan receive\] in main\.\(\*Registry\)\.reload at ' "$tmp/report" ||
		{ echo "FAIL: $(basename "$f"): no holder candidate"; fail=$((fail + 1)); }
done
for f in "$field"/go1.*-stuckwait.txt; do
	[ -e "$f" ] || continue
	stuck=$((stuck + 1))
	"$GOPM" analyze --no-store --width 1000 "$f" >"$tmp/report" 2>"$tmp/err"
	grep -Eq '^ *started by it +goroutine [0-9]+ \[chan receive\] in main\.syncOne at ' "$tmp/report" ||
		{ echo "FAIL: $(basename "$f"): no worker named"; fail=$((fail + 1)); }
done
[ "$stuck" -ge 3 ] || { echo "FAIL: only $stuck stuck-lock/stuck-wait dumps"; fail=$((fail + 1)); }
echo "ok: $stuck dumps of locks and WaitGroups stuck for minutes"
# A SIGQUIT dump of a hung program whose goroutine spins in its own code names it (the
# healthy servers' goroutine sending SIGQUIT to itself, in a system call, is no such loop).
spun=0
# (the dumps whose spinning goroutine was on a thread the runtime could print)
for f in "$top_srcdir"/testdata/dumps/go1.19-hang-system.txt "$top_srcdir"/testdata/dumps/go1.23-hang-all.txt \
	"$top_srcdir"/testdata/dumps/go1.27-hang-tracebacklabels.txt; do
	[ -e "$f" ] || continue
	spun=$((spun + 1))
	"$GOPM" analyze --no-store --width 1000 "$f" >"$tmp/report" 2>"$tmp/err"
	grep -Eq '^INFO +dump taken on request \(SIGQUIT\): goroutine [0-9]+ was running main\.spin at ' "$tmp/report" ||
		{ echo "FAIL: $(basename "$f"): the spinning goroutine is not named"; fail=$((fail + 1)); }
done
[ "$spun" -ge 3 ] || { echo "FAIL: only $spun hang dumps"; fail=$((fail + 1)); }
echo "ok: $spun SIGQUIT dumps naming the goroutine that spins"

# A contended mutex in a global variable is named by the executable's symbol table
# (testdata/mutexname, made by its gen.sh): main.mu in the headline and the JSON, the
# address beside it; the text dump of the same instant has no symbols and keeps the address,
# unless the executable is given (--exe): then its symbol table names it too.
named=0
for d in "$top_srcdir"/testdata/mutexname/go*.*; do
	[ -f "$d/core.zst" ] || continue
	named=$((named + 1))
	v=${d##*/}
	zstd -dqf "$d/exe.zst" -o "$tmp/exe-$v" || { echo "FAIL: $v: exe.zst"; fail=$((fail + 1)); continue; }
	"$GOPM" analyze --no-store --width 1000 --exe "$tmp/exe-$v" "$d/core.zst" >"$tmp/report" 2>"$tmp/err"
	sed -n 2p "$tmp/report" | grep -q '^MEDIUM *lock contention: 8 goroutines wait for mutex main\.mu$' ||
		{ echo "FAIL: $v: core headline: $(sed -n 2p "$tmp/report")"; fail=$((fail + 1)); }
	grep -Eq '^ *mutex +main\.mu at 0x[0-9a-f]+ \(the executable.s symbol table\)$' "$tmp/report" ||
		{ echo "FAIL: $v: no mutex evidence naming main.mu"; fail=$((fail + 1)); }
	"$GOPM" analyze --no-store --json --exe "$tmp/exe-$v" "$d/core.zst" >"$tmp/json" 2>"$tmp/err"
	grep -q '"title": "lock contention: 8 goroutines wait for mutex main.mu"' "$tmp/json" ||
		{ echo "FAIL: $v: JSON title lacks main.mu"; fail=$((fail + 1)); }
	"$GOPM" analyze --no-store --width 1000 "$d/stderr.txt" >"$tmp/report" 2>"$tmp/err"
	sed -n 2p "$tmp/report" | grep -Eq '^MEDIUM *lock contention: 8 goroutines wait for mutex 0x[0-9a-f]+$' ||
		{ echo "FAIL: $v: text headline: $(sed -n 2p "$tmp/report")"; fail=$((fail + 1)); }
	# With --exe the text's lockSlow argument is named from the same symbol table.
	"$GOPM" analyze --no-store --width 1000 --exe "$tmp/exe-$v" "$d/stderr.txt" >"$tmp/report" 2>"$tmp/err"
	sed -n 2p "$tmp/report" | grep -q '^MEDIUM *lock contention: 8 goroutines wait for mutex main\.mu$' ||
		{ echo "FAIL: $v: text headline with --exe: $(sed -n 2p "$tmp/report")"; fail=$((fail + 1)); }
done
[ "$named" -ge 2 ] || { echo "FAIL: only $named mutexname fixtures"; fail=$((fail + 1)); }
echo "ok: $named cores and texts with a mutex named by symbol"
# A stop-the-world that cannot complete (testdata/stwstall, made by its gen.sh from
# stripped executables): in the core the stopper is the goroutine on its system stack under
# runtime.gcStart, the spinning goroutine is named; the runtime's own traceback of the same
# instant (every thread, GOTRACEBACK=crash) gives the same headline.
stalls=0
for d in "$top_srcdir"/testdata/stwstall/go*.*; do
	[ -f "$d/core.zst" ] || continue
	stalls=$((stalls + 1))
	v=${d##*/}
	zstd -dqf "$d/exe.zst" -o "$tmp/stw-$v" || { echo "FAIL: $v: exe.zst"; fail=$((fail + 1)); continue; }
	"$GOPM" analyze --no-store --width 1000 --exe "$tmp/stw-$v" "$d/core.zst" >"$tmp/report" 2>"$tmp/err"
	sed -n 2p "$tmp/report" | grep -Eq '^HIGH +the world cannot stop for garbage collection: [0-9]+ goroutines wait while goroutine [0-9]+ runs in main\.spin ' ||
		{ echo "FAIL: stwstall $v: core headline: $(sed -n 2p "$tmp/report")"; fail=$((fail + 1)); }
	grep -Eq '^ *stopping +goroutine [0-9]+ is stopping the world' "$tmp/report" ||
		{ echo "FAIL: stwstall $v: the core's stopper is not named"; fail=$((fail + 1)); }
	"$GOPM" analyze --no-store --width 1000 "$d/stderr.txt" >"$tmp/report" 2>"$tmp/err"
	sed -n 2p "$tmp/report" | grep -Eq '^HIGH +the world cannot stop .* runs in main\.spin ' ||
		{ echo "FAIL: stwstall $v: text headline: $(sed -n 2p "$tmp/report")"; fail=$((fail + 1)); }
done
[ "$stalls" -ge 2 ] || { echo "FAIL: only $stalls stwstall fixtures"; fail=$((fail + 1)); }
echo "ok: $stalls cores of a stalled stop-the-world"
# Many mutexes locked in one function, 3 waiters each (a lock per key): one finding, the
# full counts in JSON (analyze --json and, after storing, show --json), the rest said.
awk 'BEGIN { print "goroutine 1 [running]:\nmain.main()\n\t/app/main.go:10 +0x1d\n";
	for (m = 0; m < 40; m++) for (k = 0; k < 3; k++) {
		a = 16777216 + m * 64;
		printf "goroutine %d [sync.Mutex.Lock, 2 minutes]:\n", 2 + m * 3 + k;
		printf "sync.runtime_SemacquireMutex(0xc%09x?, 0x0?, 0x1?)\n\t/usr/lib/go/src/runtime/sema.go:77 +0x25\n", a + 8;
		printf "sync.(*Mutex).lockSlow(0xc%09x)\n\t/usr/lib/go/src/sync/mutex.go:171 +0x15d\n", a;
		printf "sync.(*Mutex).Lock(...)\n\t/usr/lib/go/src/sync/mutex.go:90\n";
		printf "main.(*Store).Get(0xc%09x)\n\t/app/store.go:40 +0x45\n", a;
		printf "created by main.serve in goroutine 1\n\t/app/server.go:30 +0x65\n\n" } }' >"$tmp/perkey.txt"
"$GOPM" analyze --no-store --width 1000 "$tmp/perkey.txt" >"$tmp/report" 2>"$tmp/err"
[ "$(grep -c 'lock contention' "$tmp/report")" -eq 1 ] ||
	{ echo "FAIL: per-key mutexes: $(grep -c 'lock contention' "$tmp/report") contention findings (want 1)"; fail=$((fail + 1)); }
grep -q 'lock contention: 40 mutexes locked in main.(\*Store).Get have waiters (120 goroutines, 3 per mutex)$' "$tmp/report" ||
	{ echo "FAIL: per-key mutexes: title: $(grep 'lock contention' "$tmp/report")"; fail=$((fail + 1)); }
grep -Eq '^ +more +37 more mutexes locked in main.\(\*Store\).Get, 111 goroutines waiting for them' "$tmp/report" ||
	{ echo "FAIL: per-key mutexes: no 'more' line"; fail=$((fail + 1)); }
"$GOPM" analyze --no-store --json "$tmp/perkey.txt" >"$tmp/json" 2>"$tmp/err"
grep -q '"instances": 40' "$tmp/json" && grep -q '"count": 120' "$tmp/json" ||
	{ echo "FAIL: per-key mutexes: analyze --json lacks instances 40 / count 120"; fail=$((fail + 1)); }
"$GOPM" analyze --db "$tmp/perkey.db" "$tmp/perkey.txt" >/dev/null 2>&1 &&
	"$GOPM" show --db "$tmp/perkey.db" --json 1 >"$tmp/json" 2>"$tmp/err"
grep -q '"instances": 40' "$tmp/json" ||
	{ echo "FAIL: per-key mutexes: show --json lacks instances 40"; fail=$((fail + 1)); }
echo "ok: 40 mutexes locked in one function, one finding"
# No finding says one piece of evidence twice (a branch that adds it, then the common
# code after the branches adding it again): every dump fixture's report, finding by finding.
ev=0
for f in "$top_srcdir"/testdata/dumps/*.txt "$top_srcdir"/testdata/dumps/field/*.txt \
	"$top_srcdir"/testdata/dumps/variants/*.txt "$top_srcdir"/testdata/dumps/variants/*.log; do
	[ -f "$f" ] || continue
	ev=$((ev + 1))
	"$GOPM" analyze --no-store --width 1000 "$f" 2>/dev/null |
		awk '/^PROCESS/ { exit } /^[A-Z]+ / { k++ } k && /^         [a-z]/ { print k "\t" $0 }' |
		sort | uniq -d >"$tmp/dup"
	[ -s "$tmp/dup" ] && { echo "FAIL: $(basename "$f"): evidence said twice: $(head -1 "$tmp/dup")"; fail=$((fail + 1)); }
done
[ "$ev" -ge 150 ] || { echo "FAIL: only $ev dump fixtures for the evidence check"; fail=$((fail + 1)); }
echo "ok: $ev dump reports without evidence said twice"
[ "$fail" -eq 0 ] || { echo "$fail failed"; exit 1; }
