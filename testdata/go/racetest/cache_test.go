// Package racetest has a test with a data race, for the race detector's report in
// "go test -race" output (its --- FAIL and testing.go lines).
package racetest

import (
	"sync"
	"testing"
)

type cache struct {
	entries map[string]int
}

func (c *cache) put(k string, v int) {
	c.entries[k] = v
}

func (c *cache) get(k string) int {
	return c.entries[k]
}

func TestCache(t *testing.T) {
	c := &cache{entries: map[string]int{}}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.put("a", 1)
	}()
	if c.get("a") > 1 {
		t.Fatal("impossible")
	}
	wg.Wait()
}
