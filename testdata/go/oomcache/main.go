// oomcache: a cache that grows until the program runs out of memory, held only by a local
// of main.main (no global reaches it): a *main.Cache with a map of *main.Entry, each with a
// 16 KiB body. (A map made in main itself would have its header on main's stack, where
// neither DWARF nor the stack object records, which carry no type since Go 1.17, type it.)
// Run with GOTRACEBACK=crash under an address-space limit (testdata/gen/make-oom-fixtures.sh):
// the runtime throws "out of memory" and dumps core. Before Go 1.22 heap objects carry no
// type; gopm heap types them from main's DWARF locals (or its stack objects, stripped).
//
// Must build with Go 1.19: no language features newer than Go 1.18.
package main

import (
	"fmt"
	"os"
	"strconv"
)

type Entry struct {
	Key  string
	Body []byte
	Hits int
}

type Cache struct {
	entries map[string]*Entry
	bytes   int
}

//go:noinline
func newCache() *Cache {
	return &Cache{entries: make(map[string]*Entry)}
}

func main() {
	cache := newCache()
	fmt.Fprintln(os.Stderr, "filling the cache")
	for i := 0; ; i++ {
		body := make([]byte, 16<<10)
		for k := range body {
			body[k] = byte(i + k) // in the core, and compressible
		}
		key := "entry/" + strconv.Itoa(i)
		cache.entries[key] = &Entry{Key: key, Body: body, Hits: i}
		cache.bytes += len(body)
	}
}
