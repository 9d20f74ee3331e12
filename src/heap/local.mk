libgopm_a_SOURCES += \
	src/heap/heap.h src/heap/walk.c src/heap/report.c src/heap/graph.h src/heap/graph.c \
	src/heap/heapdump.h src/heap/heapdump.c src/heap/shape.h src/heap/shape.c \
	src/heap/pprof.h src/heap/pprof.c
