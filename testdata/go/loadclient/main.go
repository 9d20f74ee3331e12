// Command loadclient puts a bounded load on a server on loopback for the healthy-server
// fixtures (testdata/dumps/gen/make-servers.sh): N connections kept open, each sending a
// request every interval, until the duration ends.
//
//	loadclient [-every D] [-header 'K: V'] http ADDR N PATH DURATION
//	                                       HTTP/1.1 keep-alive GETs of PATH
//	loadclient nats ADDR N DURATION        NATS clients: CONNECT, SUB, a PUB and PING each round
//
// -every is the pause between one connection's requests (default 200ms): a long one keeps
// the connections idle (a server's keep-alive readers then wait for minutes), 0 sends the
// next request as soon as the last one is answered (a long-poll or watch stream).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	every := flag.Duration("every", 200*time.Millisecond, "pause between one connection's requests")
	header := flag.String("header", "", "a request header, 'Key: value'")
	flag.Parse()
	args := flag.Args()
	if len(args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: loadclient [-every D] [-header 'K: V'] http|nats ADDR N [PATH] DURATION")
		os.Exit(2)
	}
	mode, addr := args[0], args[1]
	n, err := strconv.Atoi(args[2])
	if err != nil {
		panic(err)
	}
	d, err := time.ParseDuration(args[len(args)-1])
	if err != nil {
		panic(err)
	}
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		switch mode {
		case "http":
			go httpClient(&wg, addr, args[3], *header, *every, end)
		case "nats":
			go natsClient(&wg, addr, i, end)
		}
		time.Sleep(2 * time.Millisecond)
	}
	wg.Wait()
}

// httpClient: one connection of its own (one Transport each), a GET every interval, until
// the end (an idle wait is cut short by the end).
func httpClient(wg *sync.WaitGroup, addr, path, header string, every time.Duration, end time.Time) {
	defer wg.Done()
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}, Timeout: 10 * time.Second}
	if every == 0 {
		// a long-poll answers when it has news or at its own timeout
		c.Timeout = 5 * time.Minute
	}
	for time.Now().Before(end) {
		req, err := http.NewRequest("GET", "http://"+addr+path, nil)
		if err != nil {
			panic(err)
		}
		if k, v, ok := strings.Cut(header, ":"); ok {
			req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
		}
		resp, err := c.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		} else if every == 0 {
			time.Sleep(time.Second)
		}
		if left := time.Until(end); every > left {
			time.Sleep(left)
		} else {
			time.Sleep(every)
		}
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
