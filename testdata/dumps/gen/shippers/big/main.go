package main

import (
	"fmt"
	"strings"
	"sync"
)

func main() {
	// A line over 16 KiB on stdout, then a panic value of 36 KiB and 40 goroutines on
	// stderr: cut into pieces by a container runtime's log driver, inside the value and
	// (at CRI-O's 8 KiB reads) inside frame lines.
	fmt.Println("starting: " + strings.Repeat("warming cache; ", 1500) + "done")
	var mu sync.Mutex
	mu.Lock()
	for i := 0; i < 40; i++ {
		go func() { mu.Lock() }()
	}
	panic("config rejected: " + strings.Repeat("field value out of range; ", 1400) + "end")
}
