// Command fieldcgo: a Go function exported to C panics in the callback (a nil element
// read in main.visit, called from goVisit, which C's walk calls), for
// testdata/dumps/gen/make-field.sh. Needs cgo (CGO_ENABLED=1).
package main

/*
extern void goVisit(int);
static void walk(int n) {
	for (int i = 0; i < n; i++)
		goVisit(i);
}
*/
import "C"

type entry struct{ name string }

var table = []*entry{{"a"}, nil}

//export goVisit
func goVisit(i C.int) {
	visit(int(i))
}

//go:noinline
func visit(i int) {
	println(table[i].name)
}

func main() {
	C.walk(2)
}
