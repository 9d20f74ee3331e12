package main

import (
	"strings"
	"sync"
)

func main() {
	var mu sync.Mutex
	mu.Lock()
	go func() { mu.Lock() }()
	panic("config rejected: " + strings.Repeat("field value out of range; ", 100) + "end")
}
