libgopm_a_SOURCES +=
libgopm_a_SOURCES += \
	src/dump/dump.c src/dump/dump.h \
	src/dump/unwrap.c
