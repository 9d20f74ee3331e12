// Command corerules makes the shapes the core-reading rules look for, one per mode, and
// prints "ready" once it is under way (testdata/corerules/gen.sh then sends SIGQUIT under
// GOTRACEBACK=crash, which leaves a core):
//
//	noctx      HTTP handlers waiting in a select with no case for the request's context
//	           (the client gave up after a second), for a minute and more
//	watch      the healthy shape: handlers waiting in a select on ctx.Done() (a long poll
//	           whose clients wait), for a minute and more
//	timers     50,000 pending time.After timers and 20,000 time.AfterFunc timers
//	fewtimers  300 and 200 of them: quiet
//	stw        a stop-the-world that cannot complete (a goroutine spinning without a call;
//	           run with GODEBUG=asyncpreemptoff=1)
//	heapmu     8 goroutines queued on the mutex of a heap object (a *Cache's mu) whose
//	           holder waits on a channel nobody sends to
//	globalmu   the same on the global main.mu (built PIE too: a text dump's addresses
//	           are the load bias away from the symbol table's)
//
// Must build with Go 1.19: no language features newer than Go 1.18.
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"sync"
	"time"
)

var (
	sink     int
	keep     []byte
	upstream = make(chan string)
	pending  []<-chan time.Time
)

//go:noinline
func lookup(w http.ResponseWriter, r *http.Request) {
	select {
	case v := <-upstream:
		fmt.Fprint(w, v)
	case <-time.After(time.Hour):
		http.Error(w, "upstream timeout", http.StatusGatewayTimeout)
	}
}

//go:noinline
func watch(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	select {
	case v := <-upstream:
		fmt.Fprint(w, v)
	case <-ctx.Done():
		fmt.Fprintln(os.Stderr, "watch:", ctx.Err())
	case <-time.After(time.Hour):
	}
}

// serve starts the handlers with n clients each (timeout 0: they wait) and lets them wait
// a minute. A core holds no clock: the newest wait start the runtime recorded stands for
// "now", so a goroutine blocks afresh every second (the one before it released) and a
// collection records its start.
func serve(path string, n int, timeout time.Duration) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/lookup", lookup)
	mux.HandleFunc("/watch", watch)
	go http.Serve(ln, mux)
	client := &http.Client{Timeout: timeout}
	for i := 0; i < n; i++ {
		go func(i int) {
			resp, err := client.Get(fmt.Sprintf("http://%s%s?i=%d", ln.Addr(), path, i))
			if err == nil {
				resp.Body.Close()
			}
		}(i)
	}
	time.Sleep(2 * time.Second)
	runtime.GC() // the blocked goroutines' wait starts
	var release chan int
	for start := time.Now(); time.Since(start) < 62*time.Second; {
		fresh := make(chan int)
		go func() { <-fresh }()
		time.Sleep(10 * time.Millisecond)
		runtime.GC()
		if release != nil {
			close(release)
		}
		release = fresh
		time.Sleep(time.Second)
	}
}

// Cache is a heap object with a mutex inside.
type Cache struct {
	name  string
	items map[string]int
	mu    sync.Mutex
	hits  int
}

var (
	mu    sync.Mutex
	never = make(chan struct{})
)

//go:noinline
func holdAndWait(m *sync.Mutex) {
	m.Lock()
	defer m.Unlock()
	<-never
}

//go:noinline
func (c *Cache) get(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hits++
	return c.items[key]
}

//go:noinline
func incr() {
	mu.Lock()
	sink++
	mu.Unlock()
}

func contend(c *Cache) {
	if c != nil {
		go holdAndWait(&c.mu)
	} else {
		go holdAndWait(&mu)
	}
	time.Sleep(50 * time.Millisecond)
	for i := 0; i < 8; i++ {
		if c != nil {
			go c.get("k")
		} else {
			go incr()
		}
	}
	time.Sleep(200 * time.Millisecond)
}

//go:noinline
func expire() { sink++ }

func timers(after, funcs int) {
	for i := 0; i < after; i++ {
		pending = append(pending, time.After(time.Hour+time.Duration(i)))
	}
	for i := 0; i < funcs; i++ {
		time.AfterFunc(time.Hour+time.Duration(i), expire)
	}
}

//go:noinline
func spin() {
	for {
		sink++
	}
}

//go:noinline
func allocate() {
	for {
		keep = make([]byte, 4096)
	}
}

func stw() {
	go spin()
	time.Sleep(10 * time.Millisecond)
	for i := 0; i < 2; i++ {
		go allocate()
	}
	time.Sleep(10 * time.Millisecond)
	// Said before the collection starts: once the world is stopping, main cannot run.
	os.Stderr.WriteString("ready\n")
	go runtime.GC()
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: corerules noctx|watch|timers|fewtimers|stw|heapmu|globalmu")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "noctx":
		serve("/lookup", 3, time.Second)
	case "watch":
		serve("/watch", 3, 0)
	case "timers":
		timers(50000, 20000)
	case "fewtimers":
		timers(300, 200)
	case "stw":
		stw()
		time.Sleep(time.Hour)
	case "heapmu":
		contend(&Cache{name: "users", items: map[string]int{"k": 1}})
	case "globalmu":
		contend(nil)
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", os.Args[1])
		os.Exit(2)
	}
	os.Stderr.WriteString("ready\n")
	time.Sleep(time.Hour)
}
