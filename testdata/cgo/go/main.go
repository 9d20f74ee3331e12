// cgofixture: a cgo program that crashes in C (a SIGSEGV in a C function called through
// cgo) or hangs in C (a goroutine blocked in sleep() inside a C function), for gopm's cgo
// fixtures (testdata/gen/make-cgo-fixtures.sh).
package main

/*
#include <stdio.h>
#include <unistd.h>

struct record { int id; char name[16]; };

__attribute__((noinline)) int gpm_fixture_read_record(struct record *r)
{
	return r->id + r->name[3]; // r is NULL: SIGSEGV in C
}

__attribute__((noinline)) int gpm_fixture_crash(void)
{
	struct record *volatile r = 0;
	return gpm_fixture_read_record(r) + 1;
}

__attribute__((noinline)) void gpm_fixture_wait_device(unsigned int secs)
{
	fprintf(stderr, "waiting in C\n");
	sleep(secs); // blocks this thread in C for a long time
	fprintf(stderr, "woke\n"); // not a tail call: this frame stays on the stack
}
*/
import "C"

import (
	"fmt"
	"os"
	"sync"
	"time"
)

//go:noinline
func parseRecord() int {
	return int(C.gpm_fixture_crash())
}

//go:noinline
func waitDevice() {
	C.gpm_fixture_wait_device(3600)
}

func worker(ch chan int, wg *sync.WaitGroup) {
	defer wg.Done()
	<-ch
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: cgofixture crash|hang")
		os.Exit(2)
	}
	ch := make(chan int)
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go worker(ch, &wg)
	}
	switch os.Args[1] {
	case "crash":
		time.Sleep(100 * time.Millisecond)
		fmt.Println(parseRecord())
	case "hang":
		waitDevice()
	}
	close(ch)
	wg.Wait()
}
