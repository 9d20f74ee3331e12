libgopm_a_SOURCES += \
	src/goroutines/goroutines.c src/goroutines/goroutines.h \
	src/goroutines/process.c src/goroutines/process.h
