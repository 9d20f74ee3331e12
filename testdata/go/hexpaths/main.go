// Command hexpaths prints its goroutine profile at debug=1. It is a module of its own,
// example.com/app, so its files' paths start with a hex letter ("example.com/app/main.go"),
// and its goroutines wait in standard-library functions whose names and paths do too
// (bufio, context, crypto/tls, encoding/json, fmt): a profile whose tabs a paste deleted
// runs those letters into the offsets and pcs before them (gopm's reader must tell where
// each field ends; tests/dump/test_pasted.c).
package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/pprof"
	"sync"
	"time"
)

func decodeForever(r io.Reader) {
	var v any
	json.NewDecoder(r).Decode(&v)
}

func bufRead(r io.Reader) { bufio.NewReader(r).ReadString('\n') }

func ctxWait(ctx context.Context) { <-ctx.Done() }

func fmtScan(r io.Reader) {
	var s string
	fmt.Fscan(r, &s)
}

func tlsServe(l net.Listener, cfg *tls.Config) {
	c, err := l.Accept()
	if err != nil {
		return
	}
	tls.Server(c, cfg).Handshake()
}

func main() {
	pr, _ := io.Pipe()
	for i := 0; i < 3; i++ {
		go decodeForever(pr)
		go bufRead(pr)
		go fmtScan(pr)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go ctxWait(ctx)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go tlsServe(l, &tls.Config{})
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		panic(err)
	}
	defer c.Close()
	var mu sync.Mutex
	mu.Lock()
	go func() { mu.Lock() }()
	time.Sleep(200 * time.Millisecond)
	pprof.Lookup("goroutine").WriteTo(os.Stdout, 1)
}
