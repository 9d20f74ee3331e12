// Command deferseed leaves goroutines parked with a pending deferred closure that holds
// the only pointer to a user struct, then blocks main too: every goroutine is asleep, the
// runtime throws "all goroutines are asleep - deadlock!" and, with GOTRACEBACK=crash,
// prints every goroutine and aborts (the kernel writes a core of the same instant). It
// imports nothing but the runtime, so that its executable is small.
//
// Each of nParked goroutines runs park: inside a loop (so the defer is not open-coded: the
// runtime's deferproc allocates a _defer record and the closure escapes to the heap) it
// makes a *main.Payload (72 bytes: no allocation header in any Go version) holding a 64 KiB
// []byte, a []*main.Item of nItems and the items with 1 KiB bodies, and defers a closure
// capturing the pointer. After the loop nothing but the closure refers to the payload: the
// frame's own slot is dead. The heap's typing of these objects can only start from the
// goroutine's _defer chain.
//
// Must build with Go 1.19: no language features newer than Go 1.18.
package main

import "runtime"

const (
	nParked = 3
	nItems  = 8
)

type Item struct {
	ID   int
	Body []byte
}

type Payload struct {
	Name  string
	Data  []byte
	Items []*Item
	Next  *Payload
}

var (
	ready = make(chan int)
	never = make(chan int)
)

//go:noinline
func newPayload(id int) *Payload {
	p := &Payload{Name: "payload", Data: make([]byte, 64<<10)}
	for i := 0; i < nItems; i++ {
		p.Items = append(p.Items, &Item{ID: id*100 + i, Body: make([]byte, 1024)})
	}
	return p
}

//go:noinline
func park(id int) {
	for k := 0; k < 1; k++ {
		p := newPayload(id)
		defer func() {
			println(p.Name, len(p.Data), len(p.Items))
		}()
	}
	ready <- id
	<-never
}

func main() {
	for i := 0; i < nParked; i++ {
		go park(i)
	}
	for i := 0; i < nParked; i++ {
		<-ready
	}
	runtime.GC()
	println("parked", nParked)
	<-never // every goroutine blocked: the runtime throws (a deadlock)
}
