package main

import "sync"

type café struct{ mu sync.Mutex }

func (c *café) grüße(wg *sync.WaitGroup) {
	c.mu.Lock()
	wg.Done()
	select {}
}

func größe(xs []int, i int) int {
	return xs[i]
}

func main() {
	c := &café{}
	var wg sync.WaitGroup
	wg.Add(1)
	go c.grüße(&wg)
	wg.Wait()
	_ = größe([]int{1}, 5)
}
