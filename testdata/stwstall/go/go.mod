module gopm.test/fixture/stwstall

go 1.19
