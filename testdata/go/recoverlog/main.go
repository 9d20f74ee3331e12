// recoverlog: a worker whose panic is recovered and logged the way widely used recover
// helpers log it, then raised again, so the log holds the logged stack and the crash:
//
//	k8s        Kubernetes' util/runtime.HandleCrash up to v0.29: a klog line
//	           "E… runtime.go:79] Observed a panic: %#v (%v)" then runtime.Stack's text
//	klog       the same from v0.30: a structured klog line "\"Observed a panic\"
//	           panic=\"V\" … stacktrace=<" with the stack's lines under a tab, then " >"
//	reconciler controller-runtime: "Observed a panic in reconciler: V" (its stack is the
//	           crash's)
//	fiber      fiber's recover middleware with EnableStackTrace: "panic: %v\n%s\n" of the
//	           value and runtime/debug.Stack(); the panic is not raised again
//	printstack a program's own recover: log.Printf("recovered: %v", r), then
//	           debug.PrintStack(); not raised again
//	echo       echo's Recover middleware: "[PANIC RECOVER] %v %s\n" of the value and
//	           runtime.Stack(buf, true) (every goroutine), as the message of its JSON log
//	           record; not raised again
//
// The helpers are written here after their published format (no dependency is built):
// the recover, the print and the re-panic are what those libraries do.
package main

import (
	"encoding/json"
	"fmt"
	"log"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

type item struct{ owner *owner }

type owner struct{ name string }

type controller struct{ queue chan string }

func (c *controller) syncHandler(key string) error {
	it := lookup(key)
	_ = it.owner.name // nil owner: the item was never assigned
	return nil
}

func lookup(key string) *item { return &item{} }

func klogHeader(file string, line int) string {
	now := time.Date(2026, 12, 6, 10, 0, 0, 123456000, time.UTC)
	return fmt.Sprintf("E%02d%02d %s %7d %s:%d] ", int(now.Month()), now.Day(),
		now.Format("15:04:05.000000"), os.Getpid()%100000, file, line)
}

// logPanic as k8s.io/apimachinery/pkg/util/runtime does, in the mode's format.
func logPanic(mode string, r interface{}) {
	buf := make([]byte, 64<<10)
	stack := string(buf[:runtime.Stack(buf, false)])
	switch mode {
	case "k8s":
		if _, ok := r.(string); ok {
			fmt.Fprintf(os.Stderr, "%sObserved a panic: %s\n%s\n", klogHeader("runtime.go", 79), r, stack)
		} else {
			fmt.Fprintf(os.Stderr, "%sObserved a panic: %#v (%v)\n%s\n", klogHeader("runtime.go", 79), r, r, stack)
		}
	case "klog":
		// klog's multi-line string value: "<", each line under a tab, then " >".
		var b strings.Builder
		b.WriteString("<\n")
		for _, l := range strings.SplitAfter(strings.TrimSuffix(stack, "\n"), "\n") {
			b.WriteString("\t" + l)
		}
		b.WriteString("\n >")
		fmt.Fprintf(os.Stderr, "%s\"Observed a panic\" panic=%s panicGoValue=%s stacktrace=%s\n",
			klogHeader("runtime.go", 142), strconv.Quote(fmt.Sprint(r)),
			strconv.Quote(fmt.Sprintf("%#v", r)), b.String())
	case "printstack":
		log.Printf("recovered: %v", r)
		debug.PrintStack()
	case "fiber":
		fmt.Fprintf(os.Stderr, "panic: %v\n%s\n", r, debug.Stack())
	case "echo":
		all := make([]byte, 64<<10)
		msg := fmt.Sprintf("[PANIC RECOVER] %v %s\n", r, all[:runtime.Stack(all, true)])
		rec, _ := json.Marshal(map[string]string{"time": "2026-12-06T10:00:00.123Z",
			"level": "-", "prefix": "echo", "file": "recover.go", "line": "131", "message": msg})
		fmt.Fprintf(os.Stderr, "%s\n", rec)
	case "reconciler":
		fmt.Fprintf(os.Stderr, "%s\tINFO\tObserved a panic in reconciler: %v\t{\"controller\": \"items\", \"reconcileID\": \"4f1c\"}\n",
			time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC).Format("2006-01-02T15:04:05Z"), r)
	}
}

func (c *controller) processNextWorkItem(mode string) {
	defer func() {
		if r := recover(); r != nil {
			logPanic(mode, r)
			if mode != "fiber" && mode != "echo" && mode != "printstack" {
				panic(r)
			}
		}
	}()
	c.syncHandler(<-c.queue)
}

func main() {
	mode := "k8s"
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	c := &controller{queue: make(chan string, 1)}
	c.queue <- "default/web-1"
	done := make(chan struct{})
	go func() {
		c.processNextWorkItem(mode)
		close(done)
	}()
	<-done
}
