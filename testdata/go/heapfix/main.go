// Command heapfix builds a heap of known contents and then leaves it behind in one of
// three forms, chosen by its argument:
//
//	heapfix core       prints the runtime's own accounting (runtime.ReadMemStats) with
//	                   println, then raises SIGQUIT on itself: with GOTRACEBACK=crash the
//	                   runtime prints every goroutine and aborts, and the kernel writes a
//	                   core of the same instant (nothing is allocated in between)
//	heapfix dump FILE  runtime/debug.WriteHeapDump to FILE
//	heapfix pprof FILE runtime/pprof heap profile to FILE (gzip'd profile.proto) and
//	                   FILE.txt (the ?debug=1 text form)
//
// The heap (see the "known" line it prints): nEntries *entry (56 bytes -> size class 64)
// in a map, each with a 100-byte value (class 112); nRecords *bigRecord (616 bytes ->
// class 640, which has an allocation header from Go 1.22); nBlobs *blob (40,016 bytes:
// large objects with a type); one 1 MiB []byte (a large noscan object).
//
// Must build with Go 1.19: no language features newer than Go 1.18.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"syscall"
)

const (
	nEntries = 2000
	nRecords = 300
	nBlobs   = 5
	bufSize  = 1 << 20
)

type entry struct {
	key  string
	val  []byte
	next *entry
	n    int64
}

type bigRecord struct {
	id   int64
	ref  *entry
	name string
	pad  [584]byte
}

type blob struct {
	owner *bigRecord
	data  [40000]byte
	tail  *entry
}

var (
	cache   map[string]*entry
	records []*bigRecord
	blobs   []*blob
	buf     []byte
	sink    int
)

//go:noinline
func build() {
	cache = make(map[string]*entry, nEntries)
	var prev *entry
	for i := 0; i < nEntries; i++ {
		e := &entry{key: fmt.Sprintf("key-%05d", i), val: make([]byte, 100), next: prev, n: int64(i)}
		e.val[0] = byte(i)
		cache[e.key] = e
		prev = e
	}
	records = make([]*bigRecord, 0, nRecords)
	for i := 0; i < nRecords; i++ {
		r := &bigRecord{id: int64(i), ref: cache[fmt.Sprintf("key-%05d", i)], name: "record"}
		r.pad[0] = byte(i)
		records = append(records, r)
	}
	blobs = make([]*blob, 0, nBlobs)
	for i := 0; i < nBlobs; i++ {
		b := &blob{owner: records[i], tail: prev}
		b.data[0] = byte(i)
		blobs = append(blobs, b)
	}
	buf = make([]byte, bufSize)
	buf[0] = 1
}

// crash prints the runtime's accounting, then dies by SIGQUIT without allocating.
//
//go:noinline
func crash() {
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

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: heapfix core | dump FILE | pprof FILE")
		os.Exit(2)
	}
	runtime.MemProfileRate = 1
	build()
	fmt.Printf("known: entries=%d records=%d blobs=%d buf=%d\n", nEntries, nRecords, nBlobs, bufSize)
	switch os.Args[1] {
	case "core":
		crash()
	case "dump":
		f, err := os.Create(os.Args[2])
		if err != nil {
			panic(err)
		}
		runtime.GC()
		debug.WriteHeapDump(f.Fd())
		f.Close()
	case "pprof":
		runtime.GC()
		f, err := os.Create(os.Args[2])
		if err != nil {
			panic(err)
		}
		pprof.Lookup("heap").WriteTo(f, 0)
		f.Close()
		t, err := os.Create(os.Args[2] + ".txt")
		if err != nil {
			panic(err)
		}
		pprof.Lookup("heap").WriteTo(t, 1)
		t.Close()
	}
	runtime.KeepAlive(cache)
}
