// Command loadclient puts a bounded load on a server on loopback for the healthy-server
// fixtures (testdata/dumps/gen/make-servers.sh): N connections kept open, each sending a
// request every interval, until the duration ends.
//
//	loadclient http ADDR N PATH DURATION   HTTP/1.1 keep-alive GETs of PATH
//	loadclient nats ADDR N DURATION        NATS clients: CONNECT, SUB, a PUB and PING each round
package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"
)

func main() {
	if len(os.Args) < 5 {
		fmt.Fprintln(os.Stderr, "usage: loadclient http|nats ADDR N [PATH] DURATION")
		os.Exit(2)
	}
	mode, addr := os.Args[1], os.Args[2]
	n, err := strconv.Atoi(os.Args[3])
	if err != nil {
		panic(err)
	}
	d, err := time.ParseDuration(os.Args[len(os.Args)-1])
	if err != nil {
		panic(err)
	}
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		switch mode {
		case "http":
			go httpClient(&wg, addr, os.Args[4], end)
		case "nats":
			go natsClient(&wg, addr, i, end)
		}
		time.Sleep(2 * time.Millisecond)
	}
	wg.Wait()
}

// httpClient: one connection of its own (one Transport each), a GET every 200 ms.
func httpClient(wg *sync.WaitGroup, addr, path string, end time.Time) {
	defer wg.Done()
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}, Timeout: 10 * time.Second}
	for time.Now().Before(end) {
		resp, err := c.Get("http://" + addr + path)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func natsClient(wg *sync.WaitGroup, addr string, i int, end time.Time) {
	defer wg.Done()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	defer conn.Close()
	go io.Copy(io.Discard, bufio.NewReader(conn))
	fmt.Fprintf(conn, "CONNECT {\"verbose\":false,\"name\":\"c%d\"}\r\nSUB load.%d %d\r\nSUB load.all %d\r\n", i, i%16, i, i+100000)
	for time.Now().Before(end) {
		fmt.Fprintf(conn, "PUB load.%d 5\r\nhello\r\nPING\r\n", i%16)
		time.Sleep(200 * time.Millisecond)
	}
}
