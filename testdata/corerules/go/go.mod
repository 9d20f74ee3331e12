module gopm.test/fixture/corerules

go 1.19
