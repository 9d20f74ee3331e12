libgopm_a_SOURCES += \
	src/gort/arglayout.c src/gort/arglayout.h \
	src/gort/buildinfo.c src/gort/buildinfo.h \
	src/gort/facts.c src/gort/facts.h \
	src/gort/image.c src/gort/image.h \
	src/gort/locals.c src/gort/locals.h \
	src/gort/internal.h \
	src/gort/layout.h \
	src/gort/moduledata.c src/gort/moduledata.h \
	src/gort/pclntab.c src/gort/pclntab.h \
	src/gort/gotype.h \
	src/gort/types.c \
	src/gort/value.c src/gort/value.h
