libgopm_a_SOURCES += \
	src/goroutines/goroutines.c src/goroutines/goroutines.h
libgopm_a_SOURCES += src/goroutines/objects.c src/goroutines/objects.h
libgopm_a_SOURCES += src/goroutines/threads.c src/goroutines/threads.h
libgopm_a_SOURCES += src/goroutines/corefacts.c src/goroutines/corefacts.h
