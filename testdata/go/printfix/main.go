// printfix: values of known contents for `gopm print`. It builds a config struct, a map, a
// slice of pointers, an interface holding a struct and a string in globals, prints each
// with %#v to stderr (the oracle) in lines "var<TAB>name<TAB>type<TAB>address<TAB>%#v",
// A goroutine parked in main.worker prints its id ("goroutine<TAB>N"), its arguments and
// locals the same way ("arg"/"local<TAB>main.worker<TAB>name<TAB>type<TAB>%#v"; the
// pointer argument also as "argword<TAB>cfg<TAB>%p"), then blocks on a channel receive.
// Then main raises SIGQUIT on itself: with GOTRACEBACK=crash the runtime dumps core.
package main

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"syscall"
	"time"
)

type Peer struct {
	Addr  string
	Port  uint16
	Up    bool
	Next  *Peer
	Score float64
}

type Limits struct {
	Max   int32
	Burst int8
	Delay time.Duration
}

type Mode string

type Config struct {
	Name    string
	Retries int
	Mode    Mode
	Limits  Limits
	Tags    map[string]int
	peers   []*Peer
	Extra   interface{}
	Err     error
	Labels  []string
	Raw     []byte
	Ports   [3]uint16
	hook    func()
	Nil     *Peer
	Empty   map[int]string
}

type myErr struct{ code int }

func (e *myErr) Error() string { return fmt.Sprint("code ", e.code) }

var (
	config  *Config
	table   map[string]int
	ids     map[int64]string
	peers   []*Peer
	iface   interface{}
	err     error
	text    string
	ring    *Peer
	limits  Limits
	numbers []int
)

func main() {
	debug.SetGCPercent(10)
	peers = []*Peer{
		{Addr: "10.0.0.1", Port: 8080, Up: true, Score: 0.5},
		{Addr: "10.0.0.2", Port: 8081, Score: 1.25},
		nil,
	}
	peers[0].Next = peers[1]
	table = map[string]int{"alpha": 1, "beta": 2, "gamma": 3, "delta": -4, "epsilon": 5,
		"zeta": 6, "eta": 7, "theta": 8, "iota": 9, "kappa": 10, "lambda": 11}
	ids = map[int64]string{42: "answer", -7: "neg", 1 << 40: "big"}
	config = &Config{
		Name:    "api",
		Retries: 3,
		Mode:    "fast\tlane",
		Limits:  Limits{Max: 100, Burst: -2, Delay: 1500 * time.Millisecond},
		Tags:    map[string]int{"x": 1, "y": 2},
		peers:   peers,
		Extra:   Peer{Addr: "iface", Port: 1},
		Err:     nil,
		Labels:  []string{"a", "b\"c", "ünï"},
		Raw:     []byte{0, 1, 0xff},
		Ports:   [3]uint16{80, 443, 0},
	}
	iface = Limits{Max: 7}
	err = &myErr{code: 9}
	text = "hello, core\n"
	ring = &Peer{Addr: "ring"}
	ring.Next = ring
	limits = Limits{Max: -1, Burst: 127, Delay: time.Second}
	numbers = make([]int, 100)
	for i := range numbers {
		numbers[i] = i * i
	}
	show("main.config", "*main.Config", &config, config)
	show("main.table", "map[string]int", &table, table)
	show("main.ids", "map[int64]string", &ids, ids)
	show("main.peers", "[]*main.Peer", &peers, peers)
	show("main.iface", "interface {}", &iface, iface)
	show("main.err", "error", &err, err)
	show("main.text", "string", &text, text)
	show("main.ring", "*main.Peer", &ring, ring)
	show("main.limits", "main.Limits", &limits, limits)
	show("main.numbers", "[]int", &numbers, numbers)
	fmt.Fprintf(os.Stderr, "deref\tmain.peers[0]\tmain.Peer\t%p\t%#v\n", peers[0], *peers[0])
	fmt.Fprintf(os.Stderr, "deref\tmain.peers[1]\tmain.Peer\t%p\t%#v\n", peers[1], *peers[1])
	ready := make(chan struct{})
	block := make(chan int)
	go worker(42, "job-7", config, Limits{Max: 5, Burst: 1, Delay: time.Millisecond}, ready, block)
	<-ready
	runtime.KeepAlive(config)
	syscall.Kill(os.Getpid(), syscall.SIGQUIT)
	time.Sleep(10 * time.Second)
}

// worker's arguments and locals are used after it parks, so at the receive they are all
// in its frame (register arguments in their spill slots): what gopm reads from the core.
//
//go:noinline
func worker(id int, name string, cfg *Config, lim Limits, ready chan<- struct{}, block <-chan int) {
	total := id * 3
	label := name + "/" + strconv.Itoa(id)
	pair := [2]int64{int64(id), -int64(id)}
	var gid int
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	if f := bytes.Fields(buf); len(f) > 1 {
		gid, _ = strconv.Atoi(string(f[1]))
	}
	fmt.Fprintf(os.Stderr, "goroutine\t%d\n", gid)
	fmt.Fprintf(os.Stderr, "arg\tmain.worker\tid\tint\t%#v\n", id)
	fmt.Fprintf(os.Stderr, "arg\tmain.worker\tname\tstring\t%#v\n", name)
	fmt.Fprintf(os.Stderr, "arg\tmain.worker\tcfg\t*main.Config\t%#v\n", cfg)
	fmt.Fprintf(os.Stderr, "arg\tmain.worker\tlim\tmain.Limits\t%#v\n", lim)
	fmt.Fprintf(os.Stderr, "local\tmain.worker\ttotal\tint\t%#v\n", total)
	fmt.Fprintf(os.Stderr, "local\tmain.worker\tlabel\tstring\t%#v\n", label)
	fmt.Fprintf(os.Stderr, "local\tmain.worker\tpair\t[2]int64\t%#v\n", pair)
	fmt.Fprintf(os.Stderr, "argword\tid\t%#x\n", id)
	fmt.Fprintf(os.Stderr, "argword\tname.len\t%#x\n", len(name))
	fmt.Fprintf(os.Stderr, "argword\tcfg\t%p\n", cfg)
	ready <- struct{}{}
	n := <-block
	fmt.Println(id, name, cfg.Name, lim, total, label, pair, gid, n)
}

func show(name, typ string, addr interface{}, v interface{}) {
	fmt.Fprintf(os.Stderr, "var\t%s\t%s\t%p\t%#v\n", name, typ, addr, v)
}
