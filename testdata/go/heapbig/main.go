// Command heapbig builds a large live heap for the heap benchmark (bench/heap-bench.sh):
// about MB megabytes (its argument, default 1100) in a mix of small pointerful objects
// (64-byte class), 640-byte records (allocation headers from Go 1.22), pointer-free
// 1 KiB buffers and 1 MiB large objects; then, like heapfix, it prints runtime.ReadMemStats
// and raises SIGQUIT on itself so that GOTRACEBACK=crash leaves a core of that instant.
//
// Must build with Go 1.19: no language features newer than Go 1.18.
package main

import (
	"os"
	"runtime"
	"strconv"
	"syscall"
)

type node struct {
	next *node
	key  int64
	val  [5]int64
}

type record struct {
	id   int64
	ref  *node
	name string
	pad  [584]byte
}

var (
	nodes   []*node
	records []*record
	bufs    [][]byte
	larges  [][]byte
	sink    int
)

func main() {
	mb := 1100
	if len(os.Args) > 1 {
		if v, err := strconv.Atoi(os.Args[1]); err == nil {
			mb = v
		}
	}
	total := mb << 20
	// A quarter in each kind.
	var prev *node
	for i := 0; i < total/4/64; i++ {
		n := &node{next: prev, key: int64(i)}
		nodes = append(nodes, n)
		prev = n
	}
	for i := 0; i < total/4/640; i++ {
		records = append(records, &record{id: int64(i), ref: nodes[i%len(nodes)]})
	}
	for i := 0; i < total/4/1024; i++ {
		bufs = append(bufs, make([]byte, 1024))
	}
	for i := 0; i < total/4/(1<<20); i++ {
		larges = append(larges, make([]byte, 1<<20))
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	println("memstats: HeapAlloc", ms.HeapAlloc, "HeapObjects", ms.HeapObjects, "HeapInuse", ms.HeapInuse,
		"StackInuse", ms.StackInuse, "Mallocs", ms.Mallocs, "Frees", ms.Frees, "HeapSys", ms.HeapSys)
	syscall.Kill(syscall.Getpid(), syscall.SIGQUIT)
	for {
		sink++
	}
}
