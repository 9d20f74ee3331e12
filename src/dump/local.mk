libgopm_a_SOURCES +=
libgopm_a_SOURCES += \
	src/dump/dump.c src/dump/dump.h \
	src/dump/profile.c \
	src/dump/deadlock.c src/dump/deadlock.h \
	src/dump/race.c src/dump/race.h \
	src/dump/unwrap.c src/dump/plural.h src/dump/shapes.h
