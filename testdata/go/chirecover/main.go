// A small chi service whose handler panics: chi's middleware.Recoverer prints the panic
// and its "pretty" stack. Not part of the fixture module (it needs chi):
// testdata/gen/make-recover-fixtures.sh builds it in GOPATH mode against Debian's
// golang-github-go-chi-chi-dev.
package main

import (
	"errors"
	"net/http"
	"os"

	"github.com/go-chi/chi"
	"github.com/go-chi/chi/middleware"
)

type cart struct{ items []string }

func (c *cart) checkout() string {
	if len(c.items) == 0 {
		panic(errors.New("checkout: the cart is empty"))
	}
	return c.items[0]
}

func main() {
	r := chi.NewRouter()
	r.Use(middleware.Recoverer)
	r.Get("/checkout", func(w http.ResponseWriter, req *http.Request) {
		c := &cart{}
		w.Write([]byte(c.checkout()))
	})
	http.ListenAndServe(os.Args[1], r)
}
