// Command hang puts about 40 goroutines into many different, deterministic states and
// then sends itself SIGQUIT. Run with GOTRACEBACK=crash: the runtime prints every
// goroutine (the oracle) and aborts, and the kernel writes a core of that instant.
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
	"syscall"
	"time"
)

var (
	sink   int
	spinOn = true

	mu   sync.Mutex   // held forever by lockHolder
	rw   sync.RWMutex // read-held forever; a writer and a reader queue behind it
	wg   sync.WaitGroup
	cmu  sync.Mutex
	cond = sync.NewCond(&cmu)

	never = make(chan int) // nobody ever sends or receives on it
)

// Server has a method with a pointer receiver that blocks in a range over a channel.
type Server struct {
	name string
	reqs chan int
}

//go:noinline
func (s *Server) serve() {
	for r := range s.reqs {
		sink += r
	}
}

// worker is generic: its frame shows as main.worker[...].
//
//go:noinline
func worker[T any](in chan T) T {
	v := <-in
	return v
}

// Small helpers that the compiler inlines: the stack of a goroutine blocked in them
// has inlined frames (inner, middle) inside outerBlocked's physical frame.
func inner(ch chan int) int  { return <-ch + 1 }
func middle(ch chan int) int { return inner(ch) * 2 }

//go:noinline
func outerBlocked(ch chan int) {
	sink += middle(ch)
}

// recurse descends n frames, then blocks.
//
//go:noinline
func recurse(n int, ch chan int) int {
	if n == 0 {
		return <-ch
	}
	return recurse(n-1, ch) + 1
}

//go:noinline
func chanSend(ch chan int, v int) { ch <- v }

//go:noinline
func chanRecv(ch chan int) int { return <-ch }

//go:noinline
func nilChanRecv() int {
	var ch chan int
	return <-ch
}

//go:noinline
func selectMany(a, b chan int, c chan string) {
	select {
	case v := <-a:
		sink += v
	case b <- 1:
	case s := <-c:
		sink += len(s)
	}
}

//go:noinline
func selectForever() { select {} }

//go:noinline
func lockHolder(ready chan struct{}) {
	mu.Lock()
	close(ready)
	<-never
	mu.Unlock()
}

//go:noinline
func lockWaiter(id int) {
	mu.Lock()
	sink += id
	mu.Unlock()
}

//go:noinline
func rwReader(ready chan struct{}) {
	rw.RLock()
	close(ready)
	<-never
	rw.RUnlock()
}

//go:noinline
func rwWriter() {
	rw.Lock()
	sink++
	rw.Unlock()
}

//go:noinline
func rwLateReader() {
	rw.RLock()
	sink++
	rw.RUnlock()
}

//go:noinline
func wgWaiter() { wg.Wait() }

//go:noinline
func condWaiter() {
	cmu.Lock()
	for spinOn {
		cond.Wait()
	}
	cmu.Unlock()
}

//go:noinline
func sleeper(d time.Duration) { time.Sleep(d) }

// rawRead blocks in the read(2) system call on a blocking pipe: the goroutine is in
// state "syscall" and owns its M.
//
//go:noinline
func rawRead(fd int) {
	buf := make([]byte, 16)
	n, _ := syscall.Read(fd, buf)
	sink += n
}

// fileRead blocks reading an os.Pipe: the goroutine is parked in the netpoller ("IO wait").
//
//go:noinline
func fileRead(f *os.File) {
	buf := make([]byte, 16)
	n, _ := f.Read(buf)
	sink += n
}

//go:noinline
func lockedThread(ch chan int) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	sink += <-ch
}

// spin is a running goroutine that never blocks.
//
//go:noinline
func spin(k int) {
	x := k
	for spinOn {
		x = x*1103515245 + 12345
		if x == 42 {
			sink++
		}
	}
}

//go:noinline
func labelled(ctx context.Context, ch chan int) {
	pprof.Do(ctx, pprof.Labels("handler", "upload", "tenant", "acme"), func(ctx context.Context) {
		sink += chanRecv(ch)
	})
}

func main() {
	// Ordered start: each goroutine gets a deterministic id.
	step := func() { time.Sleep(2 * time.Millisecond) }

	// 3 blocked channel sends, 3 blocked channel receives, 1 nil channel receive.
	sendCh := make(chan int)
	recvCh := make(chan int)
	for i := 0; i < 3; i++ {
		go chanSend(sendCh, i)
		step()
	}
	for i := 0; i < 3; i++ {
		go chanRecv(recvCh)
		step()
	}
	go nilChanRecv()
	step()

	// 2 selects with three cases, 2 select{} forever.
	sa, sb, sc := make(chan int), make(chan int), make(chan string)
	for i := 0; i < 2; i++ {
		go selectMany(sa, sb, sc)
		step()
	}
	for i := 0; i < 2; i++ {
		go selectForever()
		step()
	}

	// sync.Mutex held by one goroutine, 3 waiters.
	ready := make(chan struct{})
	go lockHolder(ready)
	<-ready
	for i := 0; i < 3; i++ {
		go lockWaiter(i)
		step()
	}

	// sync.RWMutex: a reader holds it, a writer waits, a later reader queues behind the writer.
	ready = make(chan struct{})
	go rwReader(ready)
	<-ready
	go rwWriter()
	step()
	go rwLateReader()
	step()

	// WaitGroup that never reaches zero, 2 waiters; Cond with 2 waiters.
	wg.Add(1)
	for i := 0; i < 2; i++ {
		go wgWaiter()
		step()
	}
	for i := 0; i < 2; i++ {
		go condWaiter()
		step()
	}

	// 2 sleepers.
	for i := 0; i < 2; i++ {
		go sleeper(time.Hour)
		step()
	}

	// A goroutine in a blocking read(2) and one parked on an os.Pipe in the netpoller.
	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil {
		panic(err)
	}
	go rawRead(p[0])
	step()
	pr, pw, err := os.Pipe()
	if err != nil {
		panic(err)
	}
	defer pw.Close()
	go fileRead(pr)
	step()

	// A goroutine locked to its OS thread, then blocked.
	lockCh := make(chan int)
	go lockedThread(lockCh)
	step()

	// Nested closures: main.main.funcN with two inner closures; the second one blocks.
	nested := make(chan int)
	go func() {
		first := func() int { return 1 }
		go func() {
			sink += first() + <-nested
		}()
		sink += <-nested
	}()
	step()
	step()

	// Generic worker instantiated with two types.
	go worker(make(chan string))
	step()
	go worker(make(chan float64))
	step()

	// Method with pointer receiver.
	srv := &Server{name: "api", reqs: make(chan int)}
	go srv.serve()
	step()

	// Inlined frames: inner and middle are inlined into outerBlocked.
	go outerBlocked(make(chan int))
	step()

	// Deep recursion (20 frames) then blocked.
	go recurse(20, make(chan int))
	step()

	// pprof labels on 2 goroutines.
	for i := 0; i < 2; i++ {
		go labelled(context.Background(), make(chan int))
		step()
	}

	// A goroutine blocked in a select with a timer and a context.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		t := time.NewTimer(time.Hour)
		select {
		case <-t.C:
		case <-ctx.Done():
		}
	}()
	step()

	// 2 running goroutines.
	for i := 0; i < 2; i++ {
		go spin(i)
	}

	// Let everything settle, then ask the runtime for a traceback (and, with
	// GOTRACEBACK=crash, a core dump).
	time.Sleep(200 * time.Millisecond)
	fmt.Println("hang: goroutines", runtime.NumGoroutine())
	// GOPM_HOLD: stay like this until someone else takes a snapshot (gcore) and sends
	// SIGQUIT (testdata/gen/make-fixtures.sh gcore).
	if os.Getenv("GOPM_HOLD") == "" {
		syscall.Kill(os.Getpid(), syscall.SIGQUIT)
	}
	chanRecv(never)
}
