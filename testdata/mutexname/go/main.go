// globalmu: contention on a mutex in a global variable (main.mu) whose holder is blocked
// elsewhere (on a channel nobody sends to), for gopm's fixtures of mutexes named by symbol
// (testdata/mutexname/gen.sh). Prints "ready" once the waiters queue, then waits for
// SIGQUIT.
package main

import (
	"fmt"
	"os"
	"sync"
	"time"
)

var mu sync.Mutex

var never = make(chan struct{})

var counter int

//go:noinline
func holdAndWait() {
	mu.Lock()
	defer mu.Unlock()
	<-never // the holder waits for what never comes, with mu held
}

//go:noinline
func increment(wg *sync.WaitGroup) {
	defer wg.Done()
	mu.Lock()
	counter++
	mu.Unlock()
}

// A goroutine that wakes now and then: the process is not deadlocked in the runtime's eyes.
func heartbeat() {
	for {
		time.Sleep(100 * time.Millisecond)
	}
}

func main() {
	go heartbeat()
	go holdAndWait()
	time.Sleep(50 * time.Millisecond)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go increment(&wg)
	}
	time.Sleep(200 * time.Millisecond)
	fmt.Fprintln(os.Stderr, "ready")
	wg.Wait()
}
