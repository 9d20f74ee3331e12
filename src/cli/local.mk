gopm_SOURCES += \
	src/cli/cli.h src/cli/commands.def \
	src/cli/main.c src/cli/options.c src/cli/options.h src/cli/completion.c \
	src/cli/info.c
# The hash cache is library code the ingest pipeline calls (src/ingest/load.c).
libgopm_a_SOURCES += src/cli/hash_cache.c src/cli/hash_cache.h
gopm_SOURCES += src/cli/goroutines.c
gopm_SOURCES += src/cli/analyze.c
gopm_SOURCES += src/cli/archive.c src/cli/archive.h src/cli/cluster.c
gopm_SOURCES += src/cli/heap.c
gopm_SOURCES += src/cli/rules.c
gopm_SOURCES += src/cli/diff.c
gopm_SOURCES += src/cli/print.c
gopm_SOURCES += src/cli/tui.c
