package main

import (
	"fmt"
	"sync"
)

type worker struct{ id int }

func (w *worker) wait(mu *sync.Mutex) { mu.Lock() }

func main() {
	// A dump longer than Android's 4 KiB log record: an app that logs it as one message
	// (Log.e) has it cut there, inside a frame line.
	var mu sync.Mutex
	mu.Lock()
	for i := 0; i < 40; i++ {
		w := &worker{i}
		go w.wait(&mu)
	}
	panic(fmt.Sprintf("worker pool stuck: %d workers", 40))
}
