// Command field reproduces crash shapes seen in real bug reports, one per argument, for
// the findings rules (testdata/dumps/gen/make-field.sh):
//
//	field unlockmasks|nested|repanic|samepanic|httppanic|poison|deadaddr|wait|unavailable|lockorder|holder|nodeadline|
//	      timers|noctx|stwstall|healthy-timers|stdnil|wgneg|unlockindex|wildaddr|
//	      stucklock|stuckwait|connleak|threads|logstack|asleep|sigbus|httprepanic|overflow|
//	      wgasleep|selflock|selfabort|deeprec
//
// Must build with Go 1.19: no language features newer than Go 1.18.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"log"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

var (
	sink  int
	mu    sync.Mutex
	never = make(chan int)
)

type Conf struct {
	retries int
	name    string
}

// ---- unlockmasks: a nil dereference inside a critical section whose deferred Unlock
// runs on a mutex already unlocked: the runtime prints "fatal error: sync: unlock of
// unlocked mutex", the nil dereference only as panic(...) in the stack.

//go:noinline
func bump(c *Conf) {
	mu.Lock()
	defer mu.Unlock()
	sink++
	mu.Unlock() // released early by mistake
	c.retries++ // c is nil
}

// ---- nested: a deferred cleanup panics while the first panic unwinds.

//go:noinline
func cleanup(m map[string]int) {
	m["closed"] = 1 // nil map
}

//go:noinline
func process(c *Conf) {
	var m map[string]int
	defer cleanup(m)
	sink += c.retries // c is nil: the first panic
}

// ---- repanic: a recover that panics again with another value.

//go:noinline
func handle(c *Conf) {
	defer func() {
		if r := recover(); r != nil {
			panic(fmt.Sprintf("handler failed: %v", r))
		}
	}()
	load(c)
}

//go:noinline
func load(c *Conf) {
	if c.name == "" {
		panic("config has no name")
	}
}

// ---- samepanic: a recover that logs and panics again with the same value (Go 1.25+
// prints "[recovered, repanicked]", older releases the value twice).

//go:noinline
func serveOnce(c *Conf) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintln(os.Stderr, "request failed:", r)
			panic(r)
		}
	}()
	load(c)
}

// ---- stdnil: a nil receiver handed to the standard library, which faults inside it
// (os/exec.(*Cmd).Wait): the program's frame below is the one to read.

//go:noinline
func waitChild(cmd *exec.Cmd) error { return cmd.Wait() }

// ---- wgneg: one Done too many: sync.(*WaitGroup).Add panics "sync: negative WaitGroup
// counter" for its caller.

//go:noinline
func finish(wg *sync.WaitGroup) {
	wg.Done()
	wg.Done() // called twice
}

// ---- unlockindex: an index out of range inside a critical section whose deferred Unlock
// finds the mutex already unlocked: "fatal error: sync: unlock of unlocked mutex", the
// index panic only as panic(...) above runtime.goPanicIndex (cut off as unlockcut).

//go:noinline
func pick(xs []int, i int) int {
	mu.Lock()
	defer mu.Unlock()
	mu.Unlock() // released early by mistake
	return xs[i]
}

// ---- wildaddr: a read through an address nothing is mapped at that is neither nil nor a
// poison pattern: "unexpected fault address", "fatal error: fault".

// ---- httppanic: a handler's panic that net/http recovers and logs with its stack
// ("http: panic serving ADDR: V"); the server goes on serving.

type tally struct{ hits map[string]int }

//go:noinline
func (t *tally) add(k string) { t.hits[k]++ }

func countHandler(w http.ResponseWriter, r *http.Request) {
	var t tally
	t.add(r.URL.Path)
	fmt.Fprintln(w, "ok")
}

func httpPanic() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go http.Serve(ln, http.HandlerFunc(countHandler))
	for i := 0; i < 3; i++ {
		if resp, err := http.Get("http://" + ln.Addr().String() + "/count"); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
}

// ---- sigbus: a read through a memory mapping of a file that was truncated after it was
// mapped: the page has no backing any more, the kernel sends SIGBUS (BUS_ADRERR), the
// runtime throws "fault" at a mapped, valid address.

//go:noinline
func loadIndex(m []byte) int { return int(m[4096]) }

func sigbusMapped() {
	f, err := os.CreateTemp(".", "index")
	if err != nil {
		panic(err)
	}
	if err := f.Truncate(16384); err != nil {
		panic(err)
	}
	m, err := syscall.Mmap(int(f.Fd()), 0, 16384, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		panic(err)
	}
	f.Truncate(0) // another process rotates the file
	sink = loadIndex(m)
}

// ---- httprepanic: a middleware that recovers a handler's panic, logs it and panics again
// with the same value; net/http recovers the second panic and logs "http: panic serving".

func logPanics(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				fmt.Fprintln(os.Stderr, "request failed:", r.URL.Path)
				panic(v)
			}
		}()
		h(w, r)
	}
}

//go:noinline
func pageOf(parts []string, i int) string { return parts[i] }

func pageHandler(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintln(w, pageOf([]string{"home"}, len(r.URL.Path)))
}

func httpRepanic() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go http.Serve(ln, logPanics(pageHandler))
	for i := 0; i < 3; i++ {
		if resp, err := http.Get("http://" + ln.Addr().String() + "/page"); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
}

// ---- overflow: a MarshalJSON that marshals its own value: encoding/json calls it again,
// endlessly (a cycle through the standard library); the stack limit is set low so the
// overflow comes at once.

type Versions map[string]string

func (v Versions) MarshalJSON() ([]byte, error) { return json.Marshal(v) }

// ---- selfabort: the program sends SIGABRT to itself (a watchdog giving up, a deliberate
// crash for a goroutine dump): sigcode 0 (SI_USER) as from another process, but its own
// goroutine is in syscall.Kill.

//go:noinline
func shutdown() {
	syscall.Kill(os.Getpid(), syscall.SIGABRT)
	time.Sleep(time.Second)
}

// ---- deeprec: direct recursion over a list that loops back on itself, to the default
// 1 GB stack limit ("runtime: goroutine stack exceeds 1000000000-byte limit"); the
// runtime prints its own frames (morestack, newstack) under "runtime stack:" first.

type node struct{ next *node }

//go:noinline
func depth(n *node) int {
	if n == nil {
		return 0
	}
	return depth(n.next) + 1
}

// ---- poison / deadaddr: a pointer that no Go allocation ever returns (memory
// corruption, a use after free in cgo, a bad unsafe conversion).

//go:noinline
func readAt(p uintptr) int {
	return *(*int)(unsafe.Pointer(p))
}

// ---- unavailable: other goroutines are running when one panics.

//go:noinline
func spin() {
	for {
		sink++
	}
}

// ---- lockorder: two global mutexes taken in opposite orders by two request paths; each
// path's first goroutine holds its first mutex and waits at its second Lock, the others
// queue at the first Lock. Dumped with SIGQUIT.

var (
	muA sync.Mutex
	muB sync.Mutex
)

//go:noinline
func debit() {
	muA.Lock()
	defer muA.Unlock()
	time.Sleep(50 * time.Millisecond) // widen the window
	muB.Lock()
	defer muB.Unlock()
	sink++
}

//go:noinline
func credit() {
	muB.Lock()
	defer muB.Unlock()
	time.Sleep(50 * time.Millisecond)
	muA.Lock()
	defer muA.Unlock()
	sink--
}

// ---- holder: a goroutine takes mu in refresh and then blocks on a channel nobody sends
// on; four more queue at refresh's Lock. Dumped with SIGQUIT.

//go:noinline
func refresh() {
	mu.Lock()
	defer mu.Unlock()
	<-never
}

// ---- nodeadline: requests through http.Get (the default client has no timeout) to a
// server that reads requests and never answers: each waits in roundTrip for minutes.
// Dumped with SIGQUIT after 65 s, garbage collected every 5 s meanwhile.

//go:noinline
func fetchStatus(url string) {
	resp, err := http.Get(url)
	if err == nil {
		resp.Body.Close()
	}
}

func silentServer() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go io.Copy(io.Discard, c)
		}
	}()
	return "http://" + ln.Addr().String() + "/status"
}

// ---- timers: a retry scheduled with time.AfterFunc per failed call, whose callback hands
// the result to a channel nobody reads any more: every callback goroutine stays blocked
// (the runtime starts one per fired timer). Dumped with SIGQUIT.

var retries = make(chan int)

//go:noinline
func scheduleRetry(n int) {
	time.AfterFunc(time.Millisecond, func() { retries <- n })
}

// ---- noctx: an HTTP handler waits for an upstream answer in a select with no case for
// the request's context; the client gave up after a second, the handlers wait on. Dumped
// with SIGQUIT after 65 s.

var upstream = make(chan string)

//go:noinline
func lookup(w http.ResponseWriter, r *http.Request) {
	select {
	case v := <-upstream:
		fmt.Fprint(w, v)
	case <-time.After(time.Hour):
		http.Error(w, "upstream timeout", http.StatusGatewayTimeout)
	}
}

// healthy-timers: the same handler with the request's context in its select, held open by
// a client that waits (a long poll), and a pool of workers with one fixed ticker each.

//go:noinline
func watch(w http.ResponseWriter, r *http.Request) {
	select {
	case v := <-upstream:
		fmt.Fprint(w, v)
	case <-r.Context().Done():
	case <-time.After(time.Hour):
	}
}

//go:noinline
func worker(id int) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for range t.C {
		sink += id
	}
}

// serveOn starts an HTTP server with handler h; requests from clients that wait (raw
// connections, no HTTP client) are sent n times.
func serveOn(h http.HandlerFunc, n int, clientTimeout time.Duration) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go http.Serve(ln, h)
	for i := 0; i < n; i++ {
		go func() {
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				return
			}
			fmt.Fprintf(c, "GET /lookup HTTP/1.1\r\nHost: x\r\n\r\n")
			if clientTimeout > 0 {
				c.SetReadDeadline(time.Now().Add(clientTimeout))
			}
			io.Copy(io.Discard, c)
			c.Close()
		}()
	}
}

// ---- stwstall: a goroutine spins without a function call (no safe point; asynchronous
// preemption off) while another asks for a collection: the world never stops, every other
// goroutine that allocates or is preempted waits. Dumped with SIGQUIT.

var keep []byte

//go:noinline
func allocate() {
	for {
		keep = make([]byte, 4096)
	}
}

//go:noinline
func collect() {
	runtime.GC()
}

// gcEvery collects every 5 s: the runtime records when a goroutine began to wait at the
// next GC, and prints its minutes only then.
func gcEvery() {
	go func() {
		for {
			time.Sleep(5 * time.Second)
			runtime.GC()
		}
	}()
}

// ---- stucklock: a registry whose reload takes its RWMutex for writing and then waits for
// a reply that never comes; readers and another writer queue behind it for minutes.

type Registry struct {
	mu    sync.RWMutex
	items map[string]int
	reply chan int
}

//go:noinline
func (r *Registry) reload() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.items["gen"] = <-r.reply
}

//go:noinline
func (r *Registry) Get(k string) int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.items[k]
}

//go:noinline
func (r *Registry) Set(k string, v int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.items[k] = v
}

// ---- stuckwait: syncAll waits for three workers, one of which waits forever.

//go:noinline
func syncOne(wg *sync.WaitGroup, i int) {
	defer wg.Done()
	if i == 2 {
		<-never
	}
}

//go:noinline
func syncAll() {
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go syncOne(&wg, i)
	}
	wg.Wait()
}

// ---- connleak: 250 requests to a local server whose response bodies are never closed:
// every connection stays busy with its readLoop and writeLoop. Prints the goroutine
// profile (debug=1).

//go:noinline
func fetchNoClose(url string) {
	resp, err := http.Get(url)
	if err != nil {
		panic(err)
	}
	_ = resp.StatusCode // the body is never closed
}

func chattyServer() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(make([]byte, 64<<10))
	}))
	return "http://" + ln.Addr().String() + "/data"
}

// ---- threads: goroutines blocked in read(2) on a pipe each hold an OS thread; past
// debug.SetMaxThreads the runtime dies with "thread exhaustion".

//go:noinline
func readSensor(fd int) {
	buf := make([]byte, 1)
	syscall.Read(fd, buf)
}

// ---- logstack: a program that logs its own stack on purpose and goes on
// (debug.PrintStack): a logged stack, not a crash.

//go:noinline
func report(what string) {
	log.Printf("unexpected queue state: %s", what)
	debug.PrintStack()
}

//go:noinline
func checkQueue(n int) {
	if n > 2 {
		report("too long")
	}
}

// ---- asleep: results never closed, so the drainer's range never ends and main waits
// for it forever: "all goroutines are asleep".

//go:noinline
func drain(results chan int, done chan struct{}) {
	for r := range results {
		sink += r
	}
	close(done)
}

//go:noinline
func collectAll() {
	results := make(chan int)
	done := make(chan struct{})
	go drain(results, done)
	for i := 0; i < 3; i++ {
		results <- i
	}
	<-done
}

// ---- wgasleep: a worker that returns early without Done, so the WaitGroup never reaches
// zero and main waits for it alone: "all goroutines are asleep" in WaitGroup.Wait.

//go:noinline
func fanOut(items []int) {
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Add(1)
		go func(i int) {
			if i%2 == 0 {
				return // the bug: no wg.Done on this path
			}
			defer wg.Done()
			sink += i
		}(it)
	}
	wg.Wait()
}

// ---- selflock: a method that locks the registry calls another that locks it again (Go's
// mutexes are not reentrant): "all goroutines are asleep" in Mutex.Lock.

type registry struct {
	mu sync.Mutex
	m  map[string]int
}

//go:noinline
func (r *registry) size() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.m)
}

//go:noinline
func (r *registry) add(k string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.m[k] = r.size()
}

func main() {
	// Shapes whose point is that no other goroutine is left: before main's helpers start.
	if len(os.Args) == 2 && os.Args[1] == "wgasleep" {
		fanOut([]int{1, 2, 3})
		return
	}
	if len(os.Args) == 2 && os.Args[1] == "selflock" {
		(&registry{m: map[string]int{}}).add("a")
		return
	}
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: field unlockmasks|nested|repanic|samepanic|httppanic|poison|deadaddr|wait|unavailable|lockorder|holder|nodeadline|timers|noctx|stwstall|healthy-timers|stdnil|wgneg|unlockindex|wildaddr|sigbus|httprepanic|overflow|selfabort|deeprec")
		os.Exit(2)
	}
	go func() { <-never }()
	time.Sleep(10 * time.Millisecond)
	done := make(chan int)
	switch os.Args[1] {
	case "unlockmasks":
		go func() { bump(nil); done <- 1 }()
	case "nested":
		go func() { process(nil); done <- 1 }()
	case "repanic":
		go func() { handle(&Conf{}); done <- 1 }()
	case "samepanic":
		go func() { serveOnce(&Conf{}); done <- 1 }()
	case "httppanic":
		httpPanic()
		return
	case "httprepanic":
		httpRepanic()
		return
	case "overflow":
		debug.SetMaxStack(1 << 20)
		go func() { json.Marshal(Versions{"api": "v1"}); done <- 1 }()
	case "sigbus":
		go func() { sigbusMapped(); done <- 1 }()
	case "stdnil":
		go func() { waitChild(nil); done <- 1 }()
	case "wgneg":
		go func() { var wg sync.WaitGroup; wg.Add(1); finish(&wg); done <- 1 }()
	case "unlockindex":
		go func() { sink = pick([]int{1, 2}, len(os.Args)+3); done <- 1 }()
	case "wildaddr":
		go func() { sink = readAt(0x12345678000); done <- 1 }()
	case "poison":
		go func() { sink = readAt(0xb01dfacedebac1e); done <- 1 }()
	case "deadaddr":
		go func() { sink = readAt(0xdeaddead); done <- 1 }()
	case "selfabort":
		go func() { mu.Lock(); <-never }()
		shutdown()
	case "deeprec":
		go func() { n := &node{}; n.next = n; sink = depth(n); done <- 1 }()
	case "wait":
		// Blocks until a signal from outside ends it (SIGABRT).
		go func() { mu.Lock(); <-never }()
		time.Sleep(time.Hour)
	case "lockorder":
		go debit()
		go credit()
		time.Sleep(10 * time.Millisecond)
		for i := 0; i < 3; i++ {
			go debit()
			go credit()
		}
		time.Sleep(time.Hour)
	case "nodeadline":
		// The runtime records when a goroutine began to wait at the next GC, and prints
		// its minutes only then: collect as a busy program would.
		go func() {
			for {
				time.Sleep(5 * time.Second)
				runtime.GC()
			}
		}()
		url := silentServer()
		for i := 0; i < 3; i++ {
			go fetchStatus(url)
		}
		time.Sleep(time.Hour)
	case "holder":
		go refresh()
		time.Sleep(10 * time.Millisecond)
		for i := 0; i < 4; i++ {
			go refresh()
		}
		time.Sleep(time.Hour)
	case "timers":
		for i := 0; i < 200; i++ {
			scheduleRetry(i)
		}
		time.Sleep(time.Hour)
	case "noctx":
		gcEvery()
		serveOn(lookup, 3, time.Second)
		time.Sleep(time.Hour)
	case "healthy-timers":
		gcEvery()
		serveOn(watch, 3, 0)
		for i := 0; i < 25; i++ {
			go worker(i)
		}
		time.Sleep(time.Hour)
	case "stwstall":
		go spin()
		time.Sleep(10 * time.Millisecond)
		for i := 0; i < 4; i++ {
			go allocate()
		}
		time.Sleep(10 * time.Millisecond)
		go collect()
		time.Sleep(time.Hour)
	case "stucklock":
		gcEvery()
		r := &Registry{items: map[string]int{}, reply: make(chan int)}
		go r.reload()
		time.Sleep(10 * time.Millisecond)
		go r.Get("a")
		go r.Get("b")
		go r.Set("c", 1)
		time.Sleep(time.Hour)
	case "stuckwait":
		gcEvery()
		go syncAll()
		time.Sleep(time.Hour)
	case "connleak":
		url := chattyServer()
		for i := 0; i < 250; i++ {
			fetchNoClose(url)
		}
		time.Sleep(200 * time.Millisecond)
		pprof.Lookup("goroutine").WriteTo(os.Stdout, 1)
		return
	case "threads":
		debug.SetMaxThreads(16)
		for i := 0; i < 40; i++ {
			var p [2]int
			if err := syscall.Pipe(p[:]); err != nil {
				panic(err)
			}
			go readSensor(p[0])
		}
		time.Sleep(5 * time.Second)
		return
	case "logstack":
		checkQueue(3)
		return
	case "asleep":
		collectAll()
		return
	case "unavailable":
		for i := 0; i < 3; i++ {
			go spin()
		}
		time.Sleep(50 * time.Millisecond)
		panic("giving up while workers run")
	}
	<-done
}

// A session whose reply never comes: await holds the session's mutex while it waits.
type session struct {
	id      int
	mu      sync.Mutex
	replies chan string
}

//go:noinline
func (s *session) await() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return <-s.replies
}

//go:noinline
func (s *session) touch() {
	s.mu.Lock()
	s.id++
	s.mu.Unlock()
}

// asleepMutex: six goroutines queue on a session's mutex held by await, main waits for
// them all: every goroutine is asleep.
func asleepMutex() {
	s := &session{replies: make(chan string)}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); s.await() }()
	time.Sleep(10 * time.Millisecond)
	for i := 0; i < 6; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); s.touch() }()
	}
	wg.Wait()
}

// Shapes added after the others, dispatched here so that the lines of main (named in the
// dumps made before) stay where they were.
func init() {
	if len(os.Args) == 2 && os.Args[1] == "asleepmutex" {
		asleepMutex()
		os.Exit(0)
	}
}
