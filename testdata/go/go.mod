module gopm.test/fixture

go 1.18
