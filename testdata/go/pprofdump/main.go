// Command pprofdump starts a few goroutines, some of them with pprof labels, and prints
// a goroutine dump of itself to stdout in the form its argument names:
//
//	pprofdump debug1   runtime/pprof goroutine profile, debug=1 (grouped, with labels)
//	pprofdump debug2   runtime/pprof goroutine profile, debug=2 (traceback format)
//	pprofdump stack    runtime.Stack(buf, true)
//
// Must build with Go 1.19: no language features newer than Go 1.18.
package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

var (
	sink  int
	never = make(chan int)
	mu    sync.Mutex
)

//go:noinline
func recvLeaf(ch chan int) { sink += <-ch }

//go:noinline
func lockLeaf() { mu.Lock(); sink++; mu.Unlock() }

//go:noinline
func sleepLeaf() { time.Sleep(time.Hour) }

//go:noinline
func selectLeaf(a, b chan int) {
	select {
	case <-a:
	case <-b:
	}
}

// handler blocks under pprof labels.
//
//go:noinline
func handler(ctx context.Context, route, tenant string) {
	pprof.Do(ctx, pprof.Labels("route", route, "tenant", tenant), func(context.Context) {
		recvLeaf(never)
	})
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: pprofdump debug1|debug2|stack")
		os.Exit(2)
	}
	mu.Lock()
	ctx := context.Background()
	// Three identical goroutines (one group in debug=1), then one of each other kind.
	for i := 0; i < 3; i++ {
		go recvLeaf(never)
	}
	go lockLeaf()
	go sleepLeaf()
	go selectLeaf(never, nil)
	// Labelled goroutines: two with the same labels, one with others.
	go handler(ctx, "/upload", "acme")
	go handler(ctx, "/upload", "acme")
	go handler(ctx, "/download", "globex")
	time.Sleep(100 * time.Millisecond)

	switch os.Args[1] {
	case "debug1":
		pprof.Lookup("goroutine").WriteTo(os.Stdout, 1)
	case "debug2":
		pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
	case "stack":
		buf := make([]byte, 1<<20)
		n := runtime.Stack(buf, true)
		os.Stdout.Write(buf[:n])
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", os.Args[1])
		os.Exit(2)
	}
}
