// Command pprofdump starts a few goroutines, some of them with pprof labels, and prints
// a goroutine dump of itself to stdout in the form its argument names:
//
//	pprofdump debug1   runtime/pprof goroutine profile, debug=1 (grouped, with labels)
//	pprofdump debug2   runtime/pprof goroutine profile, debug=2 (traceback format)
//	pprofdump stack    runtime.Stack(buf, true)
//	pprofdump debug0   runtime/pprof goroutine profile, debug=0 (protobuf, gzipped)
//	pprofdump debug01  debug=0 to stdout and debug=1 of the same goroutines to stderr
//	pprofdump leak0|leak1|leak2
//	                   Go 1.26+: the goroutineleak profile at debug=0, 1 and 2, with two
//	                   goroutines leaked on a channel nobody else can reach
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

// leakLeaf blocks forever on a channel only it can reach: the garbage collector's leak
// detection (Go 1.26+) finds it leaked.
//
//go:noinline
func leakLeaf() {
	ch := make(chan int)
	sink += <-ch
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
		fmt.Fprintln(os.Stderr, "usage: pprofdump debug0|debug01|debug1|debug2|stack|leak0|leak1|leak2")
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
	leak := os.Args[1] == "leak0" || os.Args[1] == "leak1" || os.Args[1] == "leak2"
	if leak {
		for i := 0; i < 2; i++ {
			go leakLeaf()
		}
	}
	time.Sleep(100 * time.Millisecond)

	if leak {
		p := pprof.Lookup("goroutineleak")
		if p == nil {
			fmt.Fprintln(os.Stderr, "no goroutineleak profile in", runtime.Version())
			os.Exit(3)
		}
		p.WriteTo(os.Stdout, int(os.Args[1][4]-'0'))
		return
	}
	switch os.Args[1] {
	case "debug0":
		pprof.Lookup("goroutine").WriteTo(os.Stdout, 0)
	case "debug01":
		// One call site for both, so the writing goroutine's stack is the same in each.
		for debug, w := range []*os.File{os.Stdout, os.Stderr} {
			pprof.Lookup("goroutine").WriteTo(w, debug)
		}
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
