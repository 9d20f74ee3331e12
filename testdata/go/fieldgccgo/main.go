// Command fieldgccgo: panics built with gccgo (libgo's traceback: frames without argument
// lists or +0x offsets), for testdata/dumps/gen/make-field.sh.
//
//	fieldgccgo          a nil dereference in main.process (the SIGSEGV turned into a panic)
//	fieldgccgo index    an index out of range in main.pick
package main

import (
	"fmt"
	"os"
)

type Conf struct{ Name string }

//go:noinline
func process(c *Conf) int {
	return len(c.Name)
}

//go:noinline
func pick(xs []int, i int) int {
	return xs[i]
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "index" {
		fmt.Println(pick([]int{1, 2}, len(os.Args)+3))
		return
	}
	go func() { select {} }()
	fmt.Println(process(nil))
}
