module gopm.test/cgofixture

go 1.19
