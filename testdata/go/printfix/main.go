// printfix: values of known contents for `gopm print`. It builds a config struct, a map, a
// slice of pointers, an interface holding a struct and a string in globals, prints each
// with %#v to stderr (the oracle) in lines "var<TAB>name<TAB>type<TAB>address<TAB>%#v",
// then raises SIGQUIT on itself: with GOTRACEBACK=crash the runtime dumps core.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
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
	runtime.KeepAlive(config)
	syscall.Kill(os.Getpid(), syscall.SIGQUIT)
	time.Sleep(10 * time.Second)
}

func show(name, typ string, addr interface{}, v interface{}) {
	fmt.Fprintf(os.Stderr, "var\t%s\t%s\t%p\t%#v\n", name, typ, addr, v)
}
