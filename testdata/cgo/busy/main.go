// cgobusy: a healthy cgo program for gopm's counter-fixtures (testdata/cgo/gen-busy.sh):
// many goroutines calling a short C function in a loop (each call returns within
// microseconds), and a goroutine dump of the running program taken while several of them
// are inside the C call: the program's own (debug=2) with no argument, the runtime's
// SIGQUIT traceback with the argument "wait" (it then runs until the signal).
package main

/*
#include <unistd.h>

__attribute__((noinline)) unsigned gpm_fixture_checksum(const unsigned char *p, int n)
{
	unsigned s = 0;
	for (int i = 0; i < n; i++)
		s = s * 31 + p[i];
	usleep(50); // a short wait in C: the call returns
	return s;
}
*/
import "C"

import (
	"os"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

var calls atomic.Int64

//go:noinline
func checksum(b []byte) uint32 {
	return uint32(C.gpm_fixture_checksum((*C.uchar)(unsafe.Pointer(&b[0])), C.int(len(b))))
}

func hasher(stop <-chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	b := make([]byte, 4096)
	for {
		select {
		case <-stop:
			return
		default:
		}
		b[0] = byte(checksum(b))
		calls.Add(1)
	}
}

func main() {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go hasher(stop, &wg)
	}
	if len(os.Args) > 1 && os.Args[1] == "wait" {
		os.Stderr.WriteString("cgobusy: running\n")
		select {}
	}
	time.Sleep(300 * time.Millisecond)
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
	close(stop)
	wg.Wait()
	if calls.Load() < 1000 {
		os.Stderr.WriteString("cgobusy: too few C calls\n")
		os.Exit(1)
	}
}
