#!/usr/bin/env bash
# make-field.sh — text dumps in the shapes of real incidents, for the findings rules
# (tests/analysis, tests/cli): each made by a real Go program of testdata/go (field,
# fieldtest, healthy) built with each Debian toolchain found.
#
# Usage: testdata/dumps/gen/make-field.sh [VERSION...]   (default: every toolchain found)
# Same environment variables as testdata/gen/make-fixtures.sh (GOPM_TOOLCHAINS,
# GOPM_TESTDATA, GOPM_SCRATCH); FIELD_ONLY=SHAPE makes only that shape. Writes testdata/dumps/field/<go>-<shape>.txt:
#
#   testtimeout    `go test -timeout 1s` of a test stuck in a subtest: "panic: test
#                  timed out after 1s" and its "running tests:" list
#   testtimeoutv   the same with -test.v, stdout and stderr in one file as go test -v
#                  prints them: the "=== RUN" lines name the tests before Go 1.20's list
#   unlockmasks    "fatal error: sync: unlock of unlocked mutex" raised by a deferred
#                  Unlock while a nil dereference panics (shown only as panic(...))
#   nested         a deferred cleanup panics (nil map) while a nil dereference unwinds
#   repanic        a recover that panics again with another value ("[recovered]")
#   samepanic      a recover that panics again with the same value ("[recovered,
#                  repanicked]" from Go 1.25)
#   httppanic      a handler's nil-map panic three times, recovered and logged by net/http
#                  ("http: panic serving ADDR: V" and the stack); the process goes on
#   httprepanic    a middleware recovers a handler's index-out-of-range panic, logs it and
#                  panics again; net/http recovers and logs that (two panic frames), 3 times
#   overflow       a MarshalJSON that marshals its own value: endless recursion through
#                  encoding/json, "fatal error: stack overflow" (debug.SetMaxStack 1 MiB)
#   sigbus         a read through the mapping of a file truncated after mmap: SIGBUS
#                  (BUS_ADRERR) at a valid address, "unexpected fault address", "fatal
#                  error: fault"
#   pasted         nested without its preamble: the stacks only, as pasted in bug reports
#   poison         a read through 0xb01dfacedebac1e (non-canonical: the kernel reports 0)
#   deadaddr       a read through 0xdeaddead (canonical, never mapped)
#   abort          SIGABRT sent with kill(1) from outside to a waiting process
#   lockorder      two global mutexes locked in opposite orders (A then B, B then A) by
#                  two goroutines, three more queued on each: SIGQUIT, GOTRACEBACK=all
#   holder         a goroutine past mu.Lock blocked on <-never, four queued at that Lock:
#                  SIGQUIT, GOTRACEBACK=all
#   nodeadline     three http.Get calls (no client timeout) to a server that never answers,
#                  waiting in roundTrip: SIGQUIT after 65 s (SHAPE_DELAY), GOTRACEBACK=all
#   unavailable    a panic while other goroutines run ("stack unavailable")
#   timers         200 time.AfterFunc callbacks blocked sending to a channel nobody reads:
#                  SIGQUIT, GOTRACEBACK=all
#   noctx          three HTTP handlers waiting in a select without the request's context
#                  after their clients gave up: SIGQUIT after 65 s, GOTRACEBACK=all
#   stwstall       a goroutine spinning without a call (GODEBUG=asyncpreemptoff=1) while
#                  others start a collection: SIGQUIT, GOTRACEBACK=crash (every thread)
#   healthy-timers long polls selecting on the request's context and 25 workers with a
#                  fixed ticker each: SIGQUIT after 65 s, GOTRACEBACK=all
#   stdnil         a nil *exec.Cmd handed to os/exec: the nil dereference faults inside
#                  (*Cmd).Wait, the program's caller main.waitChild below it
#   wgneg          wg.Done called twice: "panic: sync: negative WaitGroup counter" raised
#                  inside sync.(*WaitGroup).Add for main.finish (GOTRACEBACK=single)
#   runonly        wgneg without its preamble: one running goroutine, no panic line
#   unlockindex    "fatal error: sync: unlock of unlocked mutex" from a deferred Unlock
#                  while an index out of range panics (GOTRACEBACK=system: panic(...)
#                  above the runtime function that raised it, goPanicIndex/panicBounds)
#   unlockcut      unlockindex cut after that runtime frame, as a paste cut short
#   wildaddr       a read through 0x12345678000 (mapped by nothing, not a poison):
#                  "unexpected fault address", "fatal error: fault"
#   wgasleep       a worker returns without wg.Done: main alone in WaitGroup.Wait, "all
#                  goroutines are asleep" ([semacquire] before Go 1.20)
#   selflock       a method locks a mutex its caller holds (not reentrant): main alone in
#                  Mutex.Lock, "all goroutines are asleep"
#   asleepmutex    six goroutines queued on a session's mutex that await holds while it
#                  waits for a reply nobody sends; main in WaitGroup.Wait: "all goroutines
#                  are asleep" with the queue at its first instant (no wait minutes)
#   stucklock      a RWMutex held by a goroutine waiting for a reply that never comes, two
#                  RLock and one Lock queued behind it: SIGQUIT after 80 s, GOTRACEBACK=all
#   stuckwait      a WaitGroup.Wait for three workers, one blocked on <-never: SIGQUIT
#                  after 610 s (ten minutes: the rule's threshold), GOTRACEBACK=all; made
#                  only with STUCKWAIT=1 (slow)
#   threads        40 goroutines blocked in read(2) on pipes past debug.SetMaxThreads(16):
#                  "runtime: program exceeds 16-thread limit", "fatal error: thread
#                  exhaustion" (GOTRACEBACK=all)
#   logstack       a log line and debug.PrintStack() from main.report; the program goes on
#   asleep         main waits for a drainer whose channel is never closed: "all goroutines
#                  are asleep - deadlock!"
#   connleak       250 http.Get calls whose response bodies are never closed: 250 client
#                  connections busy, pprof debug=1 on stdout
#   selfabort      the program sends itself SIGABRT (syscall.Kill(os.Getpid(), ...) in
#                  main.shutdown): sigcode 0 (SI_USER) as from outside (GOTRACEBACK=all)
#   deeprec        direct recursion over a list that loops back (main.depth) to the default
#                  1 GB stack limit: "fatal error: stack overflow", "runtime stack:"
#                  (morestack, newstack) before the recursing goroutine (GOTRACEBACK=all)
#   deeprectop     deeprec cut before its first goroutine: the runtime's frames only
#   deeprecnohdr   deeprec without the recursing goroutine's header line (cut from a paste)
#   darwinneg      HAND-MADE from poison, as a macOS paste shows it (the kernel reports the
#                  address there): "unexpected fault address 0xfffffffffffffff8" and its
#                  "[signal SIGSEGV … addr=0xfffffffffffffff8 …]", no "fatal error" line
#   darwinregs     HAND-MADE from poison: "SIGBUS: bus error" / "PC=… sigcode=2" without
#                  addr= (Go before 1.20), the stacks, then a register dump whose rax holds
#                  0xb01dfacedebac1e; no "fatal error" or "panic" line
#   cgocb          testdata/go/fieldcgo (cgo): C calls an exported Go function that
#                  dereferences nil in main.visit; GOTRACEBACK=system shows the callback
#                  path (_cgoexp_…, runtime.cgocallbackg, runtime.cgocallback)
#   cgocbcut       cgocb as pasted from mid-stack: its panic lines, then the frames from
#                  main.visit on (the goroutine header and the runtime's frames cut)
#   cgocbexp       the same from the _cgoexp_ wrapper on (the Go function's frames cut)
#   gccgo12-nilderef, gccgo12-index
#                  testdata/go/fieldgccgo built with Debian's gccgo-12 when installed
#                  (libgo's traceback: no arguments, no +0x offsets): a nil dereference
#                  (GOTRACEBACK=all) and an index out of range (GOTRACEBACK=system, libgo's
#                  runtime frames above the program's)
#   healthy-pprof  an idle HTTP server with 200 keep-alive connections, a pool of 25
#                  workers and 25 scrape loops: pprof debug=2 (zstd-compressed)
#   healthy-quit   the same after SIGQUIT, GOTRACEBACK=all (zstd-compressed)
#
# testdata/go/incidents: hangs of small services (handlers, a worker pool, clients) and
# their healthy twins (go1.N-healthy-SHAPE: the same code without the bug), SIGQUIT after
# 75 s (the runtime counts wait minutes from the first collection after a wait began;
# the programs' own stats loop makes garbage), GOTRACEBACK=all, zstd-compressed, all
# shapes of a toolchain at once:
#   dbpool         orders written in a transaction that also waits for a payment backend
#                  that never answers: the 4 connections of a database/sql pool (a fake
#                  driver) held, 20 lookups waiting in database/sql.(*DB).conn
#   logblock       16 workers and a handler logging to a stdout pipe nobody reads: one
#                  write blocked [syscall] holding log.(*Logger)'s mutex, 20 queued (the
#                  twin's pipe is read)
#   rlock          a price lookup read-locks a catalog and calls discount, which read-locks
#                  it again, while reload waits to write-lock it
#   cond           consumers of a queue in sync.Cond.Wait after its feed reader returned on
#                  an error without closing the queue
#   once           settings loaded by a sync.Once whose function calls Get, which calls the
#                  Once's Do again
#   connlimit      an inventory client with Transport.MaxConnsPerHost 4 to a service that
#                  hangs: 4 requests in flight, 36 in net/http.(*Transport).getConn
#   reqleak        a handler that asks a backend in a goroutine and gives up after 5 ms: 1000
#                  goroutines blocked sending on unbuffered channels (the twin: buffered)
#   semaphore      a channel semaphore of 4 around calls to a renderer that never answers:
#                  4 holders, 36 waiting to acquire
#   flight         a single-flight group whose leader asks a backend that never answers:
#                  30 callers in sync.(*WaitGroup).Wait
#   errgroup       three batch jobs, each fanning out through an errgroup-like group with
#                  SetLimit(4) to a backend that never answers: 12 holders, the 3 jobs in
#                  the group's Go waiting to acquire
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
script_args=("$@")
# shellcheck source=../../gen/make-fixtures.sh
source "$here/../../gen/make-fixtures.sh" lib
out_dir=$testdata/dumps/field
if [ ${#script_args[@]} -gt 0 ]; then versions=("${script_args[@]}"); fi
mkdir -p "$out_dir"

# build_test VERSION PKG -> a `go test -c` binary of testdata/go/PKG
build_test() {
  local v=$1 pkg=$2 gr; gr=$(goroot "$v")
  local out=$scratch/build/$(goshort "$v")-$pkg-test
  mkdir -p "$out"
  (cd "$src" && env -i PATH="$gr/bin:/usr/bin:/bin" HOME="$scratch/home" \
     GOROOT="$gr" GOPATH="$scratch/gopath" GOCACHE="$scratch/gocache-$v" \
     GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod CGO_ENABLED=0 GO111MODULE=on \
     "$gr/bin/go" test -c -trimpath -o "$out/$pkg.test" "./$pkg") >&2
  echo "$out/$pkg.test"
}

# run_shape OUT EXE STREAM SIGNAL ENV... -- ARGS...
# Runs EXE in a scratch directory in an empty environment; with SIGNAL (not "-"), sends
# it that signal from outside after a second. Stores stdout or stderr (STREAM).
run_shape() {
  local out=$1 exe=$2 stream=$3 sig=$4; shift 4
  case ${FIELD_ONLY:-} in ''|"${out#go*-}") ;; *) return 0 ;; esac
  local extra_env=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do extra_env+=("$1"); shift; done
  [ "${1:-}" = "--" ] && shift
  local dir=$scratch/field/$out prog; prog=$(basename "$exe")
  rm -rf "$dir"; mkdir -p "$dir"; cp "$exe" "$dir/$prog"
  set +e
  ( cd "$dir" && ulimit -c 0 &&
    if [ "$stream" = combined ]; then exec >combined.txt 2>&1; else exec >stdout.txt 2>stderr.txt; fi
    # RUN_STDOUT=stalled: stdout is a pipe nobody reads; drained: a pipe that is read.
    case ${RUN_STDOUT:-} in
      stalled) exec > >(exec sleep $((${SHAPE_DELAY:-1} + 70))) ;;
      drained) exec > >(exec cat >/dev/null) ;;
    esac
    exec timeout -s KILL $((${SHAPE_DELAY:-1} + 60)) env -i PATH=/usr/bin:/bin HOME=/nonexistent GOMAXPROCS=4 \
      "${extra_env[@]}" "./$prog" "$@" </dev/null ) &
  local pid=$!
  if [ "$sig" != - ]; then
    sleep "${SHAPE_DELAY:-1}"
    pkill -"$sig" -x -P "$pid" "$prog" 2>/dev/null || pkill -"$sig" -x "$prog" -n
  fi
  wait "$pid"
  local status=$?
  set -e
  cp "$dir/$stream.txt" "$out_dir/$out.txt"
  chmod 644 "$out_dir/$out.txt"
  check_clean "$out_dir/$out.txt"
  echo "$out.txt: exit=$status $(stat -c %s "$out_dir/$out.txt") bytes" >&2
}

for v in "${versions[@]}"; do
  gs=$(goshort "$v")
  field=$(BUILD_STORE=0 build "$v" field dwarf)
  healthy=$(BUILD_STORE=0 build "$v" healthy dwarf)
  ftest=$(build_test "$v" fieldtest)

  run_shape "$gs-testtimeout" "$ftest" stderr - -- -test.timeout=1s -test.v=false
  run_shape "$gs-testtimeoutv" "$ftest" combined - -- -test.timeout=1s -test.v=true
  run_shape "$gs-unlockmasks" "$field" stderr - GOTRACEBACK=all -- unlockmasks
  run_shape "$gs-nested" "$field" stderr - GOTRACEBACK=all -- nested
  run_shape "$gs-repanic" "$field" stderr - GOTRACEBACK=all -- repanic
  run_shape "$gs-samepanic" "$field" stderr - GOTRACEBACK=all -- samepanic
  run_shape "$gs-httppanic" "$field" stderr - -- httppanic
  run_shape "$gs-httprepanic" "$field" stderr - -- httprepanic
  run_shape "$gs-sigbus" "$field" stderr - GOTRACEBACK=all -- sigbus
  run_shape "$gs-overflow" "$field" stderr - -- overflow
  run_shape "$gs-stdnil" "$field" stderr - -- stdnil
  run_shape "$gs-wgneg" "$field" stderr - -- wgneg
  run_shape "$gs-unlockindex" "$field" stderr - GOTRACEBACK=system -- unlockindex
  run_shape "$gs-wildaddr" "$field" stderr - GOTRACEBACK=all -- wildaddr
  run_shape "$gs-poison" "$field" stderr - GOTRACEBACK=all -- poison
  run_shape "$gs-deadaddr" "$field" stderr - GOTRACEBACK=all -- deadaddr
  run_shape "$gs-abort" "$field" stderr ABRT GOTRACEBACK=all -- wait
  run_shape "$gs-lockorder" "$field" stderr QUIT GOTRACEBACK=all -- lockorder
  run_shape "$gs-holder" "$field" stderr QUIT GOTRACEBACK=all -- holder
  SHAPE_DELAY=65 run_shape "$gs-nodeadline" "$field" stderr QUIT GOTRACEBACK=all -- nodeadline
  # Without asynchronous preemption the spinning goroutines stay running on their threads.
  run_shape "$gs-unavailable" "$field" stderr - GOTRACEBACK=all GODEBUG=asyncpreemptoff=1 -- unavailable
  run_shape "$gs-timers" "$field" stderr QUIT GOTRACEBACK=all -- timers
  SHAPE_DELAY=65 run_shape "$gs-noctx" "$field" stderr QUIT GOTRACEBACK=all -- noctx
  run_shape "$gs-stwstall" "$field" stderr QUIT GOTRACEBACK=crash GODEBUG=asyncpreemptoff=1 -- stwstall
  SHAPE_DELAY=65 run_shape "$gs-healthy-timers" "$field" stderr QUIT GOTRACEBACK=all -- healthy-timers
  SHAPE_DELAY=80 run_shape "$gs-stucklock" "$field" stderr QUIT GOTRACEBACK=all -- stucklock
  run_shape "$gs-connleak" "$field" stdout - -- connleak
  run_shape "$gs-threads" "$field" stderr - GOTRACEBACK=all -- threads
  run_shape "$gs-logstack" "$field" stderr - -- logstack
  run_shape "$gs-asleep" "$field" stderr - -- asleep
  run_shape "$gs-wgasleep" "$field" stderr - -- wgasleep
  run_shape "$gs-selflock" "$field" stderr - -- selflock
  run_shape "$gs-asleepmutex" "$field" stderr - -- asleepmutex
  # macOS shapes, hand-made from the poison output (no Darwin machine here; see above).
  case ${FIELD_ONLY:-poison} in poison)
    p=$out_dir/$gs-poison.txt
    sed -e '1s/.*/unexpected fault address 0xfffffffffffffff8/' -e '/^fatal error: fault$/d' \
      -e '1,4s/ addr=0x0 / addr=0xfffffffffffffff8 /' -e '1,4s/ code=0x80 / code=0x1 /' \
      "$p" >"$out_dir/$gs-darwinneg.txt"
    pc=$(sed -n 's/^\[signal .* pc=\(0x[0-9a-f]*\)\]$/\1/p' "$p" | head -n 1)
    { printf 'SIGBUS: bus error\nPC=%s m=0 sigcode=2\n\n' "$pc"
      sed -n '/^goroutine /,$p' "$p"
      printf '\nrax    0xb01dfacedebac1e\nrbx    0xc00010a7e0\nrcx    0x0\nrdx    0x0\n'
      printf 'rdi    0x0\nrsi    0x0\nrbp    0xc00010a7d0\nrsp    0xc00010a7b0\n'
      printf 'r8     0x0\nr9     0x0\nr10    0x0\nr11    0x246\nr12    0xc00010a7e0\n'
      printf 'r13    0x0\nr14    0xc000102820\nr15    0xffffffffffffffff\nrip    %s\n' "$pc"
      printf 'rflags 0x10202\ncs     0x2b\nfs     0x0\ngs     0x0\n'
    } >"$out_dir/$gs-darwinregs.txt" ;;
  esac
  # cgo: built here with CGO_ENABLED=1 (build() makes pure Go executables).
  case ${FIELD_ONLY:-cgocb} in cgocb)
    cdir=$scratch/build/$gs-fieldcgo; mkdir -p "$cdir"; gr=$(goroot "$v")
    (cd "$src" && env -i PATH="$gr/bin:/usr/bin:/bin" HOME="$scratch/home" GOROOT="$gr" \
       GOPATH="$scratch/gopath" GOCACHE="$scratch/gocache-$v" GOTOOLCHAIN=local GOPROXY=off \
       GOFLAGS=-mod=mod CGO_ENABLED=1 GO111MODULE=on \
       "$gr/bin/go" build -trimpath -o "$cdir/fieldcgo" ./fieldcgo) >&2
    FIELD_ONLY='' run_shape "$gs-cgocb" "$cdir/fieldcgo" stderr - GOTRACEBACK=system --
    c=$out_dir/$gs-cgocb.txt
    { sed -n '1,/^$/p' "$c"; sed -n '/^main\.visit(/,$p' "$c"; } >"$out_dir/$gs-cgocbcut.txt"
    { sed -n '1,/^$/p' "$c"; sed -n '/^_cgoexp_/,$p' "$c"; } >"$out_dir/$gs-cgocbexp.txt" ;;
  esac
  run_shape "$gs-selfabort" "$field" stderr - GOTRACEBACK=all -- selfabort
  run_shape "$gs-deeprec" "$field" stderr - GOTRACEBACK=all -- deeprec
  case ${FIELD_ONLY:-deeprec} in deeprec)
    sed '/^goroutine /,$d' "$out_dir/$gs-deeprec.txt" >"$out_dir/$gs-deeprectop.txt"
    sed '0,/^goroutine [0-9]* \[running\]:$/{/^goroutine [0-9]* \[running\]:$/d}' \
      "$out_dir/$gs-deeprec.txt" >"$out_dir/$gs-deeprecnohdr.txt" ;;
  esac
  if [ -n "${STUCKWAIT:-}" ]; then
    SHAPE_DELAY=610 run_shape "$gs-stuckwait" "$field" stderr QUIT GOTRACEBACK=all -- stuckwait
  fi
  incidents=$(BUILD_STORE=0 build "$v" incidents dwarf)
  for shape in dbpool logblock rlock cond once connlimit reqleak semaphore flight errgroup; do
    for twin in "$shape" "healthy-$shape"; do
      case $twin in logblock) mode=stalled ;; healthy-logblock) mode=drained ;; *) mode= ;; esac
      arg=$shape; [ "$twin" = "$shape" ] || arg=$shape-ok
      SHAPE_DELAY=75 RUN_STDOUT=$mode run_shape "$gs-$twin" "$incidents" stderr QUIT \
        GOTRACEBACK=all -- "$arg" &
    done
  done
  wait
  for shape in dbpool logblock rlock cond once connlimit reqleak semaphore flight errgroup; do
    for twin in "$shape" "healthy-$shape"; do
      [ -e "$out_dir/$gs-$twin.txt" ] || continue
      zstd -19 -q -f --rm "$out_dir/$gs-$twin.txt" -o "$out_dir/$gs-$twin.txt.zst"
    done
  done
  # The stacks of "nested" without the panic lines before them.
  [ -z "${FIELD_ONLY:-}" ] || continue
  sed -n '/^goroutine /,$p' "$out_dir/$gs-nested.txt" >"$out_dir/$gs-pasted.txt"
  # The stack of wgneg alone; unlockindex up to the runtime frame under panic(...).
  sed -n '/^goroutine /,$p' "$out_dir/$gs-wgneg.txt" >"$out_dir/$gs-runonly.txt"
  awk 'p { print; if (++n == 3) exit; next } { print } /^panic\(/ { p = 1 }' \
    "$out_dir/$gs-unlockindex.txt" >"$out_dir/$gs-unlockcut.txt"
  run_shape "$gs-healthy-pprof" "$healthy" stdout -
  run_shape "$gs-healthy-quit" "$healthy" stderr - GOTRACEBACK=all -- quit
  for h in healthy-pprof healthy-quit; do
    zstd -19 -q -f --rm "$out_dir/$gs-$h.txt" -o "$out_dir/$gs-$h.txt.zst"
  done
done

# gccgo: Debian bookworm's gccgo-12, when installed. Built in the scratch directory with its
# prefix mapped to "." so no path of this machine is in the traceback.
if command -v gccgo-12 >/dev/null; then
  gdir=$scratch/build/gccgo12-fieldgccgo
  mkdir -p "$gdir"
  cp "$src/fieldgccgo/main.go" "$gdir/main.go"
  (cd "$gdir" && gccgo-12 -g -O0 -fdebug-prefix-map="$gdir"=. -o fieldgccgo main.go)
  run_shape gccgo12-nilderef "$gdir/fieldgccgo" stderr - GOTRACEBACK=all --
  run_shape gccgo12-index "$gdir/fieldgccgo" stderr - GOTRACEBACK=system -- index
fi
