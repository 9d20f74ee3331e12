// Command incidents reproduces hangs that production post-mortems bring, each in a small
// service shaped like real code (HTTP handlers, a worker pool, a client), and its healthy
// twin: the same code without the bug (SHAPE-ok). testdata/dumps/gen/make-field.sh runs
// each shape and takes its SIGQUIT dump once the incident is established.
//
//	incidents dbpool|logblock|rlock|cond|once|connlimit|reqleak|semaphore|flight|errgroup[-ok]
//
// logblock writes its log to standard output: run it with stdout a pipe nobody reads
// (its twin: a pipe that is read). Must build with Go 1.19: no features newer than 1.18.
package main

import (
	"bufio"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"
)

// ---- shared plumbing: a local HTTP service and a client that loads it.

// serve starts an HTTP server on a loopback port and returns its base URL.
func serve(h http.Handler) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go http.Serve(ln, h)
	return "http://" + ln.Addr().String()
}

// silentUpstream accepts connections and never answers: a backend that hangs.
func silentUpstream() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		var held []net.Conn
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	return ln.Addr().String()
}

// quickUpstream answers every line it reads with "ok": a backend in good health.
func quickUpstream() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					if _, err := r.ReadString('\n'); err != nil {
						return
					}
					io.WriteString(c, "ok\n")
				}
			}(c)
		}
	}()
	return ln.Addr().String()
}

// ask sends one line to a backend and reads its answer, without a deadline.
//
//go:noinline
func ask(addr, q string) (string, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	if _, err := io.WriteString(c, q+"\n"); err != nil {
		return "", err
	}
	return bufio.NewReader(c).ReadString('\n')
}

var client = &http.Client{Timeout: 30 * time.Minute}

// hit calls url n times concurrently, as the service's clients would.
func hit(url string, n int) {
	for i := 0; i < n; i++ {
		go func(i int) {
			resp, err := client.Get(url + "?id=" + strconv.Itoa(i))
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}(i)
	}
}

// clients starts n clients that each call url, wait for the answer and call again after
// pause: a bounded load, as a fleet of callers gives.
func clients(url string, n int, pause time.Duration) {
	for i := 0; i < n; i++ {
		go func(i int) {
			for k := 0; ; k++ {
				resp, err := client.Get(url + "?id=" + strconv.Itoa(i*100000+k))
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				time.Sleep(pause)
			}
		}(i)
	}
}

// ---- dbpool: orders are written in a transaction that also waits for the payment
// backend (no deadline); four such requests hold the pool's four connections and every
// lookup waits in database/sql for a connection.

type fakeDriver struct{}

func (fakeDriver) Open(string) (driver.Conn, error) { return &fakeConn{}, nil }

type fakeConn struct{}

func (*fakeConn) Prepare(string) (driver.Stmt, error) { return fakeStmt{}, nil }
func (*fakeConn) Close() error                        { return nil }
func (*fakeConn) Begin() (driver.Tx, error)           { return fakeTx{}, nil }

type fakeTx struct{}

func (fakeTx) Commit() error   { return nil }
func (fakeTx) Rollback() error { return nil }

type fakeStmt struct{}

func (fakeStmt) Close() error                               { return nil }
func (fakeStmt) NumInput() int                              { return -1 }
func (fakeStmt) Exec([]driver.Value) (driver.Result, error) { return driver.RowsAffected(1), nil }
func (fakeStmt) Query([]driver.Value) (driver.Rows, error)  { return &fakeRows{n: 1}, nil }

type fakeRows struct{ n int }

func (*fakeRows) Columns() []string { return []string{"total"} }
func (*fakeRows) Close() error      { return nil }
func (r *fakeRows) Next(dest []driver.Value) error {
	if r.n == 0 {
		return io.EOF
	}
	r.n--
	dest[0] = int64(42)
	return nil
}

type orderService struct {
	db      *sql.DB
	payment string
}

//go:noinline
func (s *orderService) placeOrder(w http.ResponseWriter, r *http.Request) {
	tx, err := s.db.Begin()
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	defer tx.Rollback()
	if _, err := tx.Exec("INSERT INTO orders VALUES (?)", r.URL.Query().Get("id")); err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	// The bug: the payment call happens inside the transaction, without a deadline.
	if _, err := ask(s.payment, "charge "+r.URL.Query().Get("id")); err != nil {
		http.Error(w, err.Error(), 502)
		return
	}
	tx.Commit()
}

//go:noinline
func (s *orderService) orderTotal(w http.ResponseWriter, r *http.Request) {
	var total int64
	if err := s.db.QueryRow("SELECT total FROM orders WHERE id = ?", r.URL.Query().Get("id")).Scan(&total); err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	fmt.Fprintln(w, total)
}

func dbpool(ok bool) {
	sql.Register("fake", fakeDriver{})
	db, err := sql.Open("fake", "orders")
	if err != nil {
		log.Fatal(err)
	}
	db.SetMaxOpenConns(4)
	s := &orderService{db: db, payment: silentUpstream()}
	if ok {
		s.payment = quickUpstream()
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/order", s.placeOrder)
	mux.HandleFunc("/total", s.orderTotal)
	url := serve(mux)
	clients(url+"/order", 4, 200*time.Millisecond)
	time.Sleep(200 * time.Millisecond)
	clients(url+"/total", 20, 100*time.Millisecond)
}

// ---- logblock: the service logs every job to standard output; when nobody reads that
// pipe, the write that fills it blocks while holding the logger's mutex.

type job struct{ id int }

//go:noinline
func handleJob(j job) {
	log.Printf("job %d: processed %d items in %v", j.id, j.id%17, time.Duration(j.id)*time.Microsecond)
}

func workerPool(n int, jobs <-chan job) {
	for i := 0; i < n; i++ {
		go func() {
			for j := range jobs {
				handleJob(j)
			}
		}()
	}
}

//go:noinline
func (s *statusHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	log.Printf("GET %s from %s", r.URL.Path, r.RemoteAddr)
	fmt.Fprintln(w, "ok")
}

type statusHandler struct{}

func logblock() {
	log.SetOutput(os.Stdout)
	jobs := make(chan job)
	workerPool(16, jobs)
	url := serve(&statusHandler{})
	go func() {
		for i := 0; ; i++ {
			jobs <- job{i}
			if i%1000 == 999 {
				time.Sleep(10 * time.Millisecond)
			}
		}
	}()
	clients(url+"/status", 5, 200*time.Millisecond)
}

// ---- rlock: the catalog's price lookup read-locks the catalog, then calls discount,
// which read-locks it again; a reload waiting for the write lock in between blocks the
// second RLock (a pending writer blocks new readers): a deadlock the runtime cannot see.

type catalog struct {
	mu     sync.RWMutex
	prices map[string]int
	promo  map[string]int
}

//go:noinline
func (c *catalog) discount(id string) int {
	c.mu.RLock() // the bug: the caller already holds the read lock
	defer c.mu.RUnlock()
	return c.promo[id]
}

//go:noinline
func (c *catalog) discountLocked(id string) int { return c.promo[id] }

//go:noinline
func (c *catalog) price(id string, nested bool) int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	p := c.prices[id]
	time.Sleep(time.Millisecond) // formatting, currency conversion...
	if nested {
		return p - c.discount(id)
	}
	return p - c.discountLocked(id)
}

//go:noinline
func (c *catalog) reload() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.prices {
		c.prices[k]++
	}
}

func rlock(ok bool) {
	c := &catalog{prices: map[string]int{"a": 10, "b": 20}, promo: map[string]int{"a": 1}}
	url := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, c.price("a", !ok))
	}))
	go func() {
		for {
			time.Sleep(2 * time.Millisecond)
			c.reload()
		}
	}()
	clients(url, 8, 5*time.Millisecond)
}

// ---- cond: consumers wait on a sync.Cond for items; the feed reader returns on its
// first error without closing the queue, so no one is left to Signal or Broadcast.

type queue struct {
	mu     sync.Mutex
	cond   *sync.Cond
	items  []string
	closed bool
}

func newQueue() *queue {
	q := &queue{}
	q.cond = sync.NewCond(&q.mu)
	return q
}

//go:noinline
func (q *queue) pop() (string, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 && !q.closed {
		q.cond.Wait()
	}
	if len(q.items) == 0 {
		return "", false
	}
	it := q.items[0]
	q.items = q.items[1:]
	return it, true
}

func (q *queue) push(it string) {
	q.mu.Lock()
	q.items = append(q.items, it)
	q.mu.Unlock()
	q.cond.Signal()
}

func (q *queue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.cond.Broadcast()
}

var errFeed = errors.New("feed: connection reset")

//go:noinline
func readFeed(q *queue, fail bool) {
	for i := 0; ; i++ {
		if fail && i == 50 {
			log.Printf("feed stopped: %v", errFeed)
			return // the bug: q.close() is never called on this path
		}
		q.push("event-" + strconv.Itoa(i))
		time.Sleep(time.Millisecond)
	}
}

//go:noinline
func consume(q *queue, seen *int64, mu *sync.Mutex) {
	for {
		if _, ok := q.pop(); !ok {
			return
		}
		mu.Lock()
		*seen++
		mu.Unlock()
	}
}

func cond(ok bool) {
	q := newQueue()
	var seen int64
	var mu sync.Mutex
	for i := 0; i < 8; i++ {
		go consume(q, &seen, &mu)
	}
	go readFeed(q, !ok)
	url := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		fmt.Fprintln(w, seen)
		mu.Unlock()
	}))
	clients(url, 2, 500*time.Millisecond)
}

// ---- once: the settings load once; load validates through Get, which re-enters the
// Once (Do inside Do): the loading goroutine and every later caller wait forever.

type settings struct {
	once   sync.Once
	values map[string]string
	nested bool
}

//go:noinline
func (s *settings) Get(k string) string {
	s.once.Do(s.load)
	return s.values[k]
}

//go:noinline
func (s *settings) load() {
	s.values = map[string]string{"region": "eu", "timeout": "5s"}
	if s.nested {
		s.validate()
	}
}

//go:noinline
func (s *settings) validate() {
	if s.Get("region") == "" { // the bug: Get re-enters the Once being done
		log.Print("no region")
	}
}

func once(ok bool) {
	s := &settings{nested: !ok}
	url := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, s.Get("region"))
	}))
	clients(url, 3, 200*time.Millisecond)
}

// ---- connlimit: the inventory client allows 4 connections per host; the inventory
// service hangs, its 4 requests never finish and every other call queues for a
// connection in net/http.

type inventoryClient struct {
	http *http.Client
	base string
}

//go:noinline
func (c *inventoryClient) stock(sku int) (string, error) {
	resp, err := c.http.Get(c.base + "/stock/" + strconv.Itoa(sku))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

func connlimit(ok bool) {
	inv := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !ok {
			select {} // the inventory service hangs
		}
		fmt.Fprintln(w, 7)
	}))
	c := &inventoryClient{
		http: &http.Client{Transport: &http.Transport{MaxConnsPerHost: 4, MaxIdleConnsPerHost: 4}},
		base: inv,
	}
	url := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("id"))
		s, err := c.stock(n)
		if err != nil {
			http.Error(w, err.Error(), 502)
			return
		}
		fmt.Fprint(w, s)
	}))
	clients(url, 40, 100*time.Millisecond)
}

// ---- reqleak: each request asks the quote backend in a goroutine and gives up after
// 5 ms; the goroutine then blocks forever sending its answer on an unbuffered channel
// nobody receives from (the twin: a buffered channel of one).

//go:noinline
func fetchQuote(sym string) int {
	time.Sleep(20 * time.Millisecond)
	return len(sym) * 100
}

//go:noinline
func quoteHandler(buffered bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var ch chan int
		if buffered {
			ch = make(chan int, 1)
		} else {
			ch = make(chan int)
		}
		go func() { ch <- fetchQuote(r.URL.Query().Get("id")) }()
		select {
		case q := <-ch:
			fmt.Fprintln(w, q)
		case <-time.After(5 * time.Millisecond):
			http.Error(w, "quote timeout", 504)
		}
	}
}

func reqleak(ok bool) {
	url := serve(quoteHandler(ok))
	go func() {
		for i := 0; i < 20; i++ {
			hit(url, 50)
			time.Sleep(50 * time.Millisecond)
		}
	}()
}

// ---- semaphore: a channel semaphore limits calls to the thumbnail renderer to 4; the
// renderer hangs, the 4 holders never release and every other request waits to acquire.

type semaphore chan struct{}

func (s semaphore) acquire() { s <- struct{}{} }
func (s semaphore) release() { <-s }

type thumbnailer struct {
	sem      semaphore
	renderer string
}

//go:noinline
func (t *thumbnailer) render(id string) (string, error) {
	t.sem.acquire()
	defer t.sem.release()
	return ask(t.renderer, "render "+id)
}

func semaphoreShape(ok bool) {
	t := &thumbnailer{sem: make(semaphore, 4), renderer: silentUpstream()}
	if ok {
		t.renderer = quickUpstream()
	}
	url := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := t.render(r.URL.Query().Get("id"))
		if err != nil {
			http.Error(w, err.Error(), 502)
			return
		}
		fmt.Fprint(w, s)
	}))
	clients(url, 40, 100*time.Millisecond)
}

// ---- flight: a singleflight-style group collapses concurrent lookups of one key; the
// leader asks the profile backend without a deadline and it never answers, so every
// caller of that key waits for the leader.

type call struct {
	wg  sync.WaitGroup
	val string
	err error
}

type group struct {
	mu sync.Mutex
	m  map[string]*call
}

//go:noinline
func (g *group) Do(key string, fn func() (string, error)) (string, error) {
	g.mu.Lock()
	if c, ok := g.m[key]; ok {
		g.mu.Unlock()
		c.wg.Wait()
		return c.val, c.err
	}
	c := new(call)
	c.wg.Add(1)
	g.m[key] = c
	g.mu.Unlock()
	c.val, c.err = fn()
	c.wg.Done()
	g.mu.Lock()
	delete(g.m, key)
	g.mu.Unlock()
	return c.val, c.err
}

type profiles struct {
	g       group
	backend string
}

//go:noinline
func (p *profiles) lookup(user string) (string, error) {
	return p.g.Do(user, func() (string, error) { return ask(p.backend, "profile "+user) })
}

func flight(ok bool) {
	p := &profiles{g: group{m: map[string]*call{}}, backend: silentUpstream()}
	if ok {
		p.backend = quickUpstream()
	}
	url := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, err := p.lookup("user-42")
		if err != nil {
			http.Error(w, err.Error(), 502)
			return
		}
		fmt.Fprint(w, s)
	}))
	clients(url, 1, 100*time.Millisecond)
	time.Sleep(100 * time.Millisecond)
	clients(url, 30, 100*time.Millisecond)
}

// metrics renders the service's stats page in the background, as services do: its
// garbage makes the collector run (the runtime counts wait minutes from a collection).
var lastReport []byte

func metrics() {
	for i := 0; ; i++ {
		buf := make([]byte, 0, 256<<10)
		for len(buf) < 250<<10 {
			buf = strconv.AppendInt(buf, int64(i*len(buf)), 10)
			buf = append(buf, ' ')
		}
		lastReport = buf
		time.Sleep(100 * time.Millisecond)
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: incidents dbpool|logblock|rlock|cond|once|connlimit|reqleak|semaphore|flight[-ok]")
		os.Exit(2)
	}
	shape, ok := os.Args[1], false
	if n := len(shape); n > 3 && shape[n-3:] == "-ok" {
		shape, ok = shape[:n-3], true
	}
	go metrics()
	switch shape {
	case "dbpool":
		dbpool(ok)
	case "logblock":
		logblock()
	case "rlock":
		rlock(ok)
	case "cond":
		cond(ok)
	case "once":
		once(ok)
	case "connlimit":
		connlimit(ok)
	case "reqleak":
		reqleak(ok)
	case "semaphore":
		semaphoreShape(ok)
	case "flight":
		flight(ok)
	default:
		fmt.Fprintln(os.Stderr, "unknown shape", shape)
		os.Exit(2)
	}
	select {}
}

// ---- errgroup: a batch job fans out with a group limited to 4 goroutines at a time
// (golang.org/x/sync/errgroup's SetLimit, written out here: no module downloads); the
// 4 running fetches ask a backend that never answers, so the loop that starts the rest
// waits in Go to acquire a slot. Dispatched from init so that main's lines stay put.

type token struct{}

type errGroup struct {
	wg  sync.WaitGroup
	sem chan token
	mu  sync.Mutex
	err error
}

func (g *errGroup) SetLimit(n int) { g.sem = make(chan token, n) }

//go:noinline
func (g *errGroup) Go(f func() error) {
	if g.sem != nil {
		g.sem <- token{}
	}
	g.wg.Add(1)
	go func() {
		defer g.done()
		if err := f(); err != nil {
			g.mu.Lock()
			if g.err == nil {
				g.err = err
			}
			g.mu.Unlock()
		}
	}()
}

func (g *errGroup) done() {
	if g.sem != nil {
		<-g.sem
	}
	g.wg.Done()
}

func (g *errGroup) Wait() error {
	g.wg.Wait()
	return g.err
}

//go:noinline
func syncInventory(backend string, skus int) error {
	var g errGroup
	g.SetLimit(4)
	for i := 0; i < skus; i++ {
		sku := strconv.Itoa(i)
		g.Go(func() error {
			_, err := ask(backend, "stock "+sku)
			return err
		})
	}
	return g.Wait()
}

func errgroupShape(ok bool) {
	backend := silentUpstream()
	if ok {
		backend = quickUpstream()
	}
	for i := 0; i < 3; i++ {
		go func() {
			for {
				if err := syncInventory(backend, 200); err != nil {
					log.Print(err)
				}
				time.Sleep(100 * time.Millisecond)
			}
		}()
	}
}

func init() {
	if len(os.Args) == 2 && (os.Args[1] == "errgroup" || os.Args[1] == "errgroup-ok") {
		go metrics()
		errgroupShape(os.Args[1] == "errgroup-ok")
		select {}
	}
}
