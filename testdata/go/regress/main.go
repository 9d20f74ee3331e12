// Command regress has one bug: it dereferences a nil *Config when the configuration is
// missing. testdata/gen/make-regress-fixtures.sh builds it as three releases (A, B, C) of
// one module, each a commit of its own with its own date, so that the executables carry
// different vcs.revision and vcs.time in their build info, and keeps each release's
// runtime text of the crash: the archive's regression scenario (tests/cli/archive-regression.sh).
package main

// Set with -ldflags=-X main.version=...
var version = "dev"

type Config struct {
	Retries int
}

func load(name string) *Config {
	if name == "" {
		return nil
	}
	return &Config{Retries: 3}
}

func (c *Config) retries() int {
	return c.Retries
}

//go:noinline
func connect(c *Config) int {
	return c.retries() + 1
}

func main() {
	println("regress", version)
	println(connect(load("")))
}
