// growleak: one service at several moments of a leak, for `gopm diff`.
//
// Every request leaks a goroutine blocked in (*Session).wait (a channel nobody sends on)
// and a *Session kept in the sessions map; a few workers wait steadily in a select, and a
// batch of sleepers shrinks as the stages go on. At each stage the program takes what an
// operator would: a goroutine dump in the runtime's traceback format (pprof debug=2) in
// stage-N.txt, and, when GOPM_HOLD=1, it prints "hold N" and waits for a line on stdin so
// that the generator can take a core of the live process with gdb (gcore).
//
// Usage: growleak OUTDIR N1,N2,N3 (leaked sessions at each stage)
package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Session is the leaking type: 1 KiB, so the heap records its type (allocation header).
type Session struct {
	ID    int
	Reply chan int
	Buf   [1000]byte
}

var (
	mu       sync.Mutex
	sessions = map[int]*Session{}
)

//go:noinline
func (s *Session) wait() int {
	return <-s.Reply // nobody ever replies: the goroutine leaks
}

//go:noinline
func handle(id int) {
	s := &Session{ID: id, Reply: make(chan int)}
	mu.Lock()
	sessions[id] = s
	mu.Unlock()
	go s.wait()
}

//go:noinline
func worker(jobs <-chan int, quit <-chan struct{}) {
	for {
		select {
		case <-jobs:
		case <-quit:
			return
		}
	}
}

//go:noinline
func sleeper(d time.Duration) {
	time.Sleep(d)
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: growleak OUTDIR N1,N2,...")
		os.Exit(2)
	}
	dir := os.Args[1]
	var stages []int
	for _, f := range strings.Split(os.Args[2], ",") {
		n, err := strconv.Atoi(f)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		stages = append(stages, n)
	}
	jobs, quit := make(chan int), make(chan struct{})
	for i := 0; i < 4; i++ {
		go worker(jobs, quit)
	}
	// Sleepers: 24 of them, the shortest end between the stages.
	for i := 0; i < 24; i++ {
		go sleeper(time.Duration(i+1) * 400 * time.Millisecond * time.Duration(len(stages)))
	}
	in := bufio.NewReader(os.Stdin)
	next := 0
	for k, n := range stages {
		for ; next < n; next++ {
			handle(next)
		}
		time.Sleep(time.Duration(400*len(stages)) * time.Millisecond * 4 / 3)
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("stage-%d.txt", k+1)))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		pprof.Lookup("goroutine").WriteTo(f, 2)
		f.Close()
		if os.Getenv("GOPM_HOLD") == "1" {
			fmt.Printf("hold %d\n", k+1)
			in.ReadString('\n')
		}
	}
	close(quit)
}
