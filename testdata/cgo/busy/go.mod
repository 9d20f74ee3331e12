module gopm.test/cgobusy

go 1.19
