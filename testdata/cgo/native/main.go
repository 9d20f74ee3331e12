// cgonative: a PIE cgo program for gopm's native-stack fixtures (testdata/cgo/gen-native.sh).
// In every mode a thread created in C (pthread_create, no Go m) blocks in
// gpm_native_wait_event under pthread_cond_wait; then the program crashes in C (a SIGSEGV in
// gpm_native_parse called from Go main.parseHeader) or hangs in C (the main goroutine in
// gpm_native_poll_device, sleeping in libc's nanosleep).
package main

/*
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t gpm_native_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gpm_native_cv = PTHREAD_COND_INITIALIZER;
static int gpm_native_ready;

__attribute__((noinline)) void gpm_native_wait_event(void)
{
	pthread_mutex_lock(&gpm_native_mu);
	while (!gpm_native_ready)
		pthread_cond_wait(&gpm_native_cv, &gpm_native_mu); // nobody signals: blocks for good
	pthread_mutex_unlock(&gpm_native_mu);
	fprintf(stderr, "event\n"); // not a tail call: this frame stays on the stack
}

__attribute__((noinline)) static void *gpm_native_worker(void *arg)
{
	(void)arg;
	gpm_native_wait_event();
	return NULL;
}

void gpm_native_start_worker(void)
{
	pthread_t t;
	pthread_create(&t, NULL, gpm_native_worker, NULL);
}

struct header { int magic; char name[16]; };

__attribute__((noinline)) int gpm_native_parse(struct header *h)
{
	return h->magic + h->name[5]; // h is NULL: SIGSEGV in C
}

__attribute__((noinline)) int gpm_native_read_header(void)
{
	struct header *volatile h = 0;
	return gpm_native_parse(h) + 1;
}

__attribute__((noinline)) void gpm_native_poll_device(unsigned int secs)
{
	fprintf(stderr, "polling in C\n");
	sleep(secs); // blocks this thread in C for a long time
	fprintf(stderr, "polled\n");
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
func parseHeader() int {
	return int(C.gpm_native_read_header())
}

//go:noinline
func pollDevice() {
	C.gpm_native_poll_device(3600)
}

func worker(ch chan int, wg *sync.WaitGroup) {
	defer wg.Done()
	<-ch
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: cgonative crash|hang")
		os.Exit(2)
	}
	C.gpm_native_start_worker()
	ch := make(chan int)
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go worker(ch, &wg)
	}
	time.Sleep(100 * time.Millisecond)
	switch os.Args[1] {
	case "crash":
		fmt.Println(parseHeader())
	case "hang":
		pollDevice()
	}
	close(ch)
	wg.Wait()
}
