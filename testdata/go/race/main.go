// Command race has data races for the race detector to report (build with -race).
//
//	race plain    one race: a goroutine and main write the same variable
//	race multi    three reports: the same pair of lines twice (reached from two callers,
//	              on two variables, so the race runtime reports both) and another pair
//	              whose writer has finished by the time main reads
//
// Must build with Go 1.19: no language features newer than Go 1.18.
package main

import (
	"fmt"
	"os"
	"time"
)

type account struct {
	balance int
}

func (a *account) deposit(n int) {
	a.balance += n
}

// plain: the classic closure that writes a captured variable.
func plain() {
	done := make(chan bool)
	acct := &account{}
	go func() {
		acct.deposit(10)
		done <- true
	}()
	acct.deposit(5)
	<-done
	fmt.Println(acct.balance)
}

var hits [2]int

func bump(p *int) {
	*p = *p + 1
}

func viaA(p *int, done chan bool) {
	bump(p)
	done <- true
}

func viaB(p *int, done chan bool) {
	bump(p)
	done <- true
}

var status string

func setStatus() {
	status = "ready"
}

func multi() {
	done := make(chan bool)
	go viaA(&hits[0], done)
	bump(&hits[0])
	<-done
	go viaB(&hits[1], done)
	bump(&hits[1])
	<-done
	go setStatus()
	time.Sleep(200 * time.Millisecond)
	fmt.Println(len(status), hits[0]+hits[1])
}

func main() {
	mode := "plain"
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	switch mode {
	case "plain":
		plain()
	case "multi":
		multi()
	default:
		fmt.Fprintln(os.Stderr, "usage: race plain|multi")
		os.Exit(2)
	}
}
