// Command field reproduces crash shapes seen in real bug reports, one per argument, for
// the findings rules (testdata/dumps/gen/make-field.sh):
//
//	field unlockmasks|nested|repanic|poison|deadaddr|wait|unavailable|lockorder|holder|nodeadline
//
// Must build with Go 1.19: no language features newer than Go 1.18.
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"sync"
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

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: field unlockmasks|nested|repanic|poison|deadaddr|wait|unavailable|lockorder|holder|nodeadline")
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
	case "poison":
		go func() { sink = readAt(0xb01dfacedebac1e); done <- 1 }()
	case "deadaddr":
		go func() { sink = readAt(0xdeaddead); done <- 1 }()
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
	case "unavailable":
		for i := 0; i < 3; i++ {
			go spin()
		}
		time.Sleep(50 * time.Millisecond)
		panic("giving up while workers run")
	}
	<-done
}
