module gopm.test/globalmu

go 1.19
