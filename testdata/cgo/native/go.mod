module gopm.test/cgonative

go 1.22
