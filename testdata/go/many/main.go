// Command many starts N goroutines blocked in a handful of different stacks (channel
// receive, mutex, select, sleep), each a few frames deep, then sends itself SIGQUIT.
//
//	many N
//
// Must build with Go 1.19: no language features newer than Go 1.18.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"syscall"
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
func selectLeaf(a, b chan int) {
	select {
	case <-a:
	case <-b:
	}
}

//go:noinline
func sleepLeaf() { time.Sleep(time.Hour) }

// level descends d frames before blocking in the leaf of kind k.
//
//go:noinline
func level(d, k int, wg *sync.WaitGroup) {
	if d > 0 {
		level(d-1, k, wg)
		return
	}
	wg.Done()
	switch k {
	case 0:
		recvLeaf(never)
	case 1:
		lockLeaf()
	case 2:
		selectLeaf(never, nil)
	default:
		sleepLeaf()
	}
}

func main() {
	n := 1000
	if len(os.Args) > 1 {
		v, err := strconv.Atoi(os.Args[1])
		if err != nil || v < 0 {
			fmt.Fprintln(os.Stderr, "usage: many N")
			os.Exit(2)
		}
		n = v
	}
	mu.Lock()
	var wg sync.WaitGroup
	wg.Add(n)
	for i := 0; i < n; i++ {
		// Kinds 0..3, depth 2..5 frames: 16 distinct stacks.
		go level(2+i%4, (i/4)%4, &wg)
	}
	wg.Wait()
	time.Sleep(200 * time.Millisecond)
	fmt.Println("many: goroutines", runtime.NumGoroutine())
	syscall.Kill(os.Getpid(), syscall.SIGQUIT)
	<-never
}
