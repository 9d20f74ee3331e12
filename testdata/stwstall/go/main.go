// Command stwstall stalls the world: one goroutine spins in a loop without a call (run it
// with GODEBUG=asyncpreemptoff=1, so nothing can preempt it) while four others allocate and
// one asks for a collection. The collector's stop-the-world waits for the spinning
// goroutine forever; the allocating goroutines wait in runtime.gcStart. Prints "ready"
// once the stall is under way (testdata/stwstall/gen.sh then sends SIGQUIT).
//
// Must build with Go 1.19: no language features newer than Go 1.18.
package main

import (
	"os"
	"runtime"
	"time"
)

var (
	sink int
	keep []byte
)

//go:noinline
func spin() {
	for {
		sink++
	}
}

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

func main() {
	go spin()
	time.Sleep(10 * time.Millisecond)
	for i := 0; i < 4; i++ {
		go allocate()
	}
	time.Sleep(10 * time.Millisecond)
	go collect()
	os.Stderr.WriteString("ready\n")
	time.Sleep(time.Hour)
}
