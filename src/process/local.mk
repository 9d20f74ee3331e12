# A dumped Go process (src/process/process.h): a core, its verified executable, the memory
# over both and the Go image, the layer every core reader (goroutines, objects, heap) takes.
libgopm_a_SOURCES += src/process/process.c src/process/process.h
# Native stacks of threads in C code, unwound through libdwfl (src/process/native.h).
libgopm_a_SOURCES += src/process/native.c src/process/native.h
