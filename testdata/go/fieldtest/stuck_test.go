// Package fieldtest is a test binary that hangs: `go test` kills it with "panic: test
// timed out after 1s" and a "running tests:" list (testdata/dumps/gen/make-field.sh).
package fieldtest

import (
	"sync"
	"testing"
)

var (
	mu     sync.Mutex
	events = make(chan string)
)

func TestFine(t *testing.T) {}

// waitEvent blocks forever: nobody sends on events.
//
//go:noinline
func waitEvent() string {
	return <-events
}

func TestStuck(t *testing.T) {
	t.Run("sub", func(t *testing.T) {
		if waitEvent() == "" {
			t.Fatal("no event")
		}
	})
}
