// Command healthy is a healthy server under a bounded loopback load, for the findings
// rules' "quiet on healthy servers" tests: an HTTP server with idle keep-alive client
// connections (net/http's conn.serve, persistConn.readLoop/writeLoop), a fixed pool of 25
// workers waiting on one job channel, 25 periodic scrape loops and a few long-lived
// helpers. Once all are idle it writes its goroutines as pprof debug=2 to stdout and, with
// "quit", sends itself SIGQUIT (testdata/dumps/gen/make-field.sh).
//
//	healthy [quit]
//
// Must build with Go 1.19: no language features newer than Go 1.18.
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"sync"
	"syscall"
	"time"
)

const conns = 200

type job struct{ n int }

type pool struct {
	jobs chan job
	wg   sync.WaitGroup
}

func (p *pool) worker() {
	defer p.wg.Done()
	for j := range p.jobs {
		_ = j.n * 2
	}
}

type scrapeLoop struct {
	target   string
	interval time.Duration
}

func (s *scrapeLoop) run(ctx context.Context) {
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = s.target
		}
	}
}

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)

	p := &pool{jobs: make(chan job)}
	for i := 0; i < 25; i++ {
		p.wg.Add(1)
		go p.worker()
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for i := 0; i < 25; i++ {
		s := &scrapeLoop{target: fmt.Sprintf("10.0.0.%d:9100", i), interval: time.Hour}
		go s.run(ctx)
	}

	// Idle keep-alive connections: one client per connection so each keeps its own.
	url := "http://" + ln.Addr().String() + "/"
	var wg sync.WaitGroup
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			resp, err := c.Get(url)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}()
	}
	wg.Wait()
	for i := 0; i < 100; i++ {
		p.jobs <- job{i}
	}
	time.Sleep(300 * time.Millisecond)
	if len(os.Args) > 1 && os.Args[1] == "quit" {
		syscall.Kill(os.Getpid(), syscall.SIGQUIT)
		time.Sleep(time.Minute)
	}
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 2)
}
