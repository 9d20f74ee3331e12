# The ingest pipeline (src/ingest/ingest.h): detect, open, locate the executable, load,
# store. Library code: the cli, the tui, the tests and the fuzzers link it.
libgopm_a_SOURCES += \
	src/ingest/ingest.h \
	src/ingest/input.c src/ingest/load.c src/ingest/core.c src/ingest/store.c \
	src/ingest/config.c src/ingest/config.h \
	src/ingest/hash_cache.c src/ingest/hash_cache.h \
	src/ingest/diff.c \
	src/ingest/values.c src/ingest/values.h
