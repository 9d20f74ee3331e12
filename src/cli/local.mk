gopm_SOURCES += \
	src/cli/cli.h src/cli/commands.def \
	src/cli/main.c src/cli/options.c src/cli/options.h src/cli/completion.c \
	src/cli/info.c
gopm_SOURCES += src/cli/goroutines.c
gopm_SOURCES += src/cli/analyze.c
gopm_SOURCES += src/cli/archive.c src/cli/archive.h src/cli/cluster.c
gopm_SOURCES += src/cli/heap.c
gopm_SOURCES += src/cli/rules.c
gopm_SOURCES += src/cli/diff.c
gopm_SOURCES += src/cli/print.c
gopm_SOURCES += src/cli/tui.c
