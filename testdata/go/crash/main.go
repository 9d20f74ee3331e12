// Command crash dies in the way its argument names, with a few other goroutines blocked
// around it. Run with GOTRACEBACK=crash to get the runtime's traceback and a core.
//
//	crash nilderef|panic|nilmap|deadlock|concmap|overflow|leak|abba
//
// Must build with Go 1.19: no language features newer than Go 1.18.
package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"runtime/debug"
	"strconv"
	"sync"
	"syscall"
	"time"
)

var (
	sink   int
	never  = make(chan int) // nobody ever sends on it
	nobody = make(chan int) // nobody ever receives from it
)

// background starts a few goroutines blocked in ordinary ways, so that every crash
// happens among bystanders.
func background() {
	go func() { <-never }()
	go func() { nobody <- 1 }()
	var m sync.Mutex
	m.Lock()
	go func() { m.Lock() }()
	go func() { time.Sleep(time.Hour) }()
	time.Sleep(20 * time.Millisecond)
}

// ---- nilderef: a nil pointer dereference a few calls deep in a non-main goroutine.

type Config struct {
	Name    string
	Backend *Backend
}

type Backend struct {
	Addr    string
	Retries int
}

//go:noinline
func (c *Config) retries() int { return c.Backend.Retries }

//go:noinline
func connect(c *Config) int { return c.retries() + 1 }

//go:noinline
func startService(name string) int {
	c := &Config{Name: name} // Backend left nil
	return connect(c)
}

func nilderef() {
	background()
	done := make(chan int)
	go func() { done <- startService("billing") }()
	<-done
}

// ---- panic: an error value with a custom message.

var errMissing = errors.New(`missing field "host"`)

//go:noinline
func loadConfig(path string) error {
	return fmt.Errorf("load %s: %w", path, errMissing)
}

//go:noinline
func mustLoad(path string) {
	if err := loadConfig(path); err != nil {
		panic(err)
	}
}

func doPanic() {
	background()
	done := make(chan int)
	go func() { mustLoad("/etc/app/db.yaml"); done <- 1 }()
	<-done
}

// ---- nilmap: assignment to an entry in a nil map.

type Registry struct {
	byName map[string]int
}

//go:noinline
func (r *Registry) register(name string, id int) { r.byName[name] = id }

func nilmap() {
	background()
	r := &Registry{}
	done := make(chan int)
	go func() { r.register("alpha", 1); done <- 1 }()
	<-done
}

// ---- deadlock: every goroutine blocked on channels and mutexes, no timers.

func deadlock() {
	var m sync.Mutex
	m.Lock()
	a, b := make(chan int), make(chan int)
	go func() { a <- <-b }()
	go func() { b <- <-a }()
	go func() { m.Lock() }()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { wg.Wait() }()
	wg.Wait()
}

// ---- concmap: concurrent map writes.

//go:noinline
func writer(m map[int]int, base int) {
	for i := 0; ; i++ {
		m[base+i%1000] = i
	}
}

func concmap() {
	background()
	m := make(map[int]int)
	go writer(m, 0)
	go writer(m, 0)
	time.Sleep(10 * time.Second)
	fmt.Println("concmap: no crash")
	os.Exit(3)
}

// ---- overflow: runaway recursion.

type Tree struct {
	left, right *Tree
	val         int
}

//go:noinline
func (t *Tree) sum() int {
	// A cycle makes the recursion endless.
	return t.val + t.left.sum()
}

func overflow() {
	background()
	debug.SetMaxStack(1 << 20) // keep the core small: 1 MB instead of 1 GB
	t := &Tree{val: 1}
	t.left = t
	done := make(chan int)
	go func() { done <- t.sum() }()
	<-done
}

// ---- leak: 1000 goroutines blocked sending on channels nobody reads any more.

type Client struct {
	base string
	slow chan struct{}
}

// fetch starts a request with a timeout; on timeout the result channel is abandoned
// and the sender blocks forever — the classic goroutine leak.
//
//go:noinline
func (c *Client) fetch(path string, timeout time.Duration) (string, error) {
	result := make(chan string)
	go func() {
		<-c.slow // the backend answers only after the caller gave up
		result <- c.base + path
	}()
	select {
	case r := <-result:
		return r, nil
	case <-time.After(timeout):
		return "", errors.New("timeout")
	}
}

func leak() {
	background()
	c := &Client{base: "http://backend", slow: make(chan struct{})}
	for i := 0; i < 1000; i++ {
		c.fetch("/item/"+strconv.Itoa(i), 0)
	}
	close(c.slow)
	time.Sleep(300 * time.Millisecond)
	quit()
}

// ---- abba: lock-order inversion among request handlers while a server loop keeps going.

type Account struct {
	mu      sync.Mutex
	id      int
	balance int
}

//go:noinline
func transfer(from, to *Account, amount int) {
	from.mu.Lock()
	defer from.mu.Unlock()
	time.Sleep(20 * time.Millisecond) // widen the window
	to.mu.Lock()
	defer to.mu.Unlock()
	from.balance -= amount
	to.balance += amount
}

//go:noinline
func handle(req int, a, b *Account) {
	if req%2 == 0 {
		transfer(a, b, req)
	} else {
		transfer(b, a, req)
	}
}

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

func abba() {
	background()
	a, b := &Account{id: 1, balance: 100}, &Account{id: 2, balance: 100}
	// A server that keeps running: an accept loop on a loopback listener.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go serveLoop(ln)
	// Requests arrive; the first two deadlock against each other, later ones pile up.
	for req := 0; req < 6; req++ {
		go handle(req, a, b)
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	quit()
}

// quit sends SIGQUIT to this process and waits for the runtime to die.
// With GOPM_HOLD set it says "hold" and waits for someone else to take a snapshot (gcore)
// and send SIGQUIT (testdata/gen/make-fixtures.sh gcore).
func quit() {
	if os.Getenv("GOPM_HOLD") != "" {
		fmt.Println("hold")
	} else {
		syscall.Kill(os.Getpid(), syscall.SIGQUIT)
	}
	<-never
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: crash nilderef|panic|nilmap|deadlock|concmap|overflow|leak|abba")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "nilderef":
		nilderef()
	case "panic":
		doPanic()
	case "nilmap":
		nilmap()
	case "deadlock":
		deadlock()
	case "concmap":
		concmap()
	case "overflow":
		overflow()
	case "leak":
		leak()
	case "abba":
		abba()
	default:
		fmt.Fprintln(os.Stderr, "unknown scenario", os.Args[1])
		os.Exit(2)
	}
	fmt.Println("crash: survived", os.Args[1])
	os.Exit(4)
}
