// Command crash2 hangs or dies in the way its argument names, among a few bystanders; more
// scenarios beside those of ../crash (kept apart so that crash's executables, and the cores
// taken from them, stay byte for byte what they were). Run with GOTRACEBACK=crash.
//
//	crash2 workers|oom|contention
//
// workers and contention send themselves SIGQUIT once stuck; oom needs a small address
// space (ulimit -v, see testdata/gen/make-fixtures.sh) and runs under GOMEMLIMIT.
//
// Must build with Go 1.19: no language features newer than Go 1.18.
package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"
)

var never = make(chan int) // nobody ever sends on it

// serveLoop is the server that keeps running while part of the program is stuck: the
// runtime's deadlock check cannot see a partial deadlock.
//
//go:noinline
func serveLoop(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		c.Close()
	}
}

func startServer() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go serveLoop(ln)
	go func() { <-never }()
	go func() { time.Sleep(time.Hour) }()
}

// quit sends SIGQUIT to this process and waits for the runtime to die.
func quit() {
	syscall.Kill(os.Getpid(), syscall.SIGQUIT)
	<-never
}

// ---- workers: a worker pool whose result channel nobody drains.

type Job struct {
	ID   int
	Path string
}

type Result struct {
	ID   int
	Size int
}

//go:noinline
func process(j Job) Result { return Result{ID: j.ID, Size: len(j.Path) * 100} }

// worker sends each result on an unbuffered channel: it blocks until someone receives.
//
//go:noinline
func worker(jobs <-chan Job, results chan<- Result, wg *sync.WaitGroup) {
	defer wg.Done()
	for j := range jobs {
		results <- process(j)
	}
}

// runBatch has the classic bug: it waits for the workers before draining their results,
// and the workers cannot finish before someone drains them.
//
//go:noinline
func runBatch(n int) int {
	jobs := make(chan Job)
	results := make(chan Result)
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go worker(jobs, results, &wg)
	}
	go func() {
		for i := 0; i < n; i++ {
			jobs <- Job{ID: i, Path: "/batch/" + strconv.Itoa(i)}
		}
		close(jobs)
	}()
	wg.Wait() // BUG: results are read only after every worker is done
	close(results)
	total := 0
	for r := range results {
		total += r.Size
	}
	return total
}

func workers() {
	startServer()
	go func() {
		time.Sleep(300 * time.Millisecond)
		quit()
	}()
	fmt.Println("total", runBatch(100))
}

// ---- oom: a cache that grows without bound until the address space runs out.

type Entry struct {
	Key  string
	Data []byte
}

type Cache struct {
	mu      sync.Mutex
	entries []Entry
}

//go:noinline
func (c *Cache) add(key string, size int) {
	b := make([]byte, size)
	b[0] = 1 // touch one page: the rest stays untouched (and out of the core's data)
	c.mu.Lock()
	c.entries = append(c.entries, Entry{Key: key, Data: b})
	c.mu.Unlock()
}

//go:noinline
func fillCache(c *Cache) {
	for i := 0; ; i++ {
		c.add("object/"+strconv.Itoa(i), 4<<20)
	}
}

func oom() {
	startServer()
	c := &Cache{}
	done := make(chan int)
	go func() { fillCache(c); done <- 1 }()
	<-done
}

// ---- contention: request handlers queue on one mutex while its holder is slow.

type Store struct {
	mu    sync.Mutex
	cache map[string]string
}

// fetchRemote stands for a slow backend call, made while the lock is held.
//
//go:noinline
func fetchRemote(key string) string {
	time.Sleep(time.Hour)
	return "value of " + key
}

//go:noinline
func (s *Store) Get(key string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.cache[key]; ok {
		return v
	}
	v := fetchRemote(key) // BUG: slow work inside the critical section
	s.cache[key] = v
	return v
}

//go:noinline
func handleRequest(s *Store, id int) {
	s.Get("user/" + strconv.Itoa(id%3))
}

func contention() {
	startServer()
	s := &Store{cache: make(map[string]string)}
	for i := 0; i < 20; i++ {
		go handleRequest(s, i)
		time.Sleep(2 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	quit()
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: crash2 workers|oom|contention")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "workers":
		workers()
	case "oom":
		oom()
	case "contention":
		contention()
	default:
		fmt.Fprintln(os.Stderr, "unknown scenario", os.Args[1])
		os.Exit(2)
	}
	fmt.Println("crash2: survived", os.Args[1])
	os.Exit(4)
}
