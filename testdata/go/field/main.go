// Command field reproduces crash shapes seen in real bug reports, one per argument, for
// the findings rules (testdata/dumps/gen/make-field.sh):
//
//	field unlockmasks|nested|repanic|poison|deadaddr|wait|unavailable
//
// Must build with Go 1.19: no language features newer than Go 1.18.
package main

import (
	"fmt"
	"os"
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

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: field unlockmasks|nested|repanic|poison|deadaddr|wait|unavailable")
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
	case "unavailable":
		for i := 0; i < 3; i++ {
			go spin()
		}
		time.Sleep(50 * time.Millisecond)
		panic("giving up while workers run")
	}
	<-done
}
