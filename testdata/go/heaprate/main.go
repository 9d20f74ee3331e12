// heaprate leaves a heap of known allocation sites and writes its heap profile twice, as
// profile.proto (debug=0) and as the legacy text (debug=1), from the same MemProfile
// snapshot (no GC in between). With -rate N it sets runtime.MemProfileRate to N first
// (0: the default, 512 KiB), so the text profile's "@ heap/2N" header and the sampling
// that pprof must undo differ between the fixtures.
//
// Usage: heaprate [-rate N] OUT.pb.gz OUT.txt
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

type small struct{ a, b, c, d int64 }

var keep [][]byte
var smalls []*small
var mids [][]byte

//go:noinline
func allocSmall(n int) {
	for i := 0; i < n; i++ {
		smalls = append(smalls, &small{a: int64(i)})
	}
}

//go:noinline
func allocMid(n, size int) {
	for i := 0; i < n; i++ {
		mids = append(mids, make([]byte, size))
	}
}

//go:noinline
func allocBig(n, size int) {
	for i := 0; i < n; i++ {
		keep = append(keep, make([]byte, size))
	}
}

//go:noinline
func churn(n, size int) {
	// Allocated and dropped: only in the alloc_* columns.
	for i := 0; i < n; i++ {
		b := make([]byte, size)
		b[0] = byte(i)
	}
}

func main() {
	rate := flag.Int("rate", 0, "runtime.MemProfileRate (0: default)")
	flag.Parse()
	if *rate > 0 {
		runtime.MemProfileRate = *rate
	}
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: heaprate [-rate N] OUT.pb.gz OUT.txt")
		os.Exit(2)
	}
	allocSmall(200000)
	allocMid(2000, 10<<10)
	allocBig(40, 1<<20)
	churn(5000, 64<<10)
	runtime.GC()
	runtime.GC() // the profile is of the last completed cycle
	for i, name := range flag.Args() {
		f, err := os.Create(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := pprof.Lookup("heap").WriteTo(f, i); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		f.Close()
	}
	runtime.KeepAlive(keep)
	runtime.KeepAlive(smalls)
	runtime.KeepAlive(mids)
	fmt.Printf("known: smalls=%d mids=%d bigs=%d rate=%d\n", len(smalls), len(mids), len(keep), runtime.MemProfileRate)
}
