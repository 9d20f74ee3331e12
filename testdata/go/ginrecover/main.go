// A small gin service whose handlers panic: gin's Recovery logs each panic's stack.
// Not part of the fixture module (it needs gin): testdata/gen/make-recover-fixtures.sh
// builds it in GOPATH mode against Debian's golang-github-gin-gonic-gin-dev.
package main

import (
	"os"
	"strconv"

	"github.com/gin-gonic/gin"
)

type store struct {
	items  []string
	owners map[string]*owner
}

type owner struct{ name string }

func (s *store) item(id int) string { return s.items[id] }

func (s *store) ownerName(item string) string { return s.owners[item].name }

func main() {
	if os.Getenv("GIN_RELEASE") != "" {
		gin.SetMode(gin.ReleaseMode)
	}
	s := &store{items: []string{"a", "b", "c"}, owners: map[string]*owner{}}
	r := gin.Default()
	r.GET("/items/:id", func(c *gin.Context) {
		id, _ := strconv.Atoi(c.Param("id"))
		c.String(200, s.item(id))
	})
	r.GET("/owner/:item", func(c *gin.Context) {
		c.String(200, s.ownerName(c.Param("item")))
	})
	r.GET("/boom", func(c *gin.Context) { panic("inventory out of sync") })
	r.Run(os.Args[1])
}
