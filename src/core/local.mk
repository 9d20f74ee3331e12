libgopm_a_SOURCES += src/core/arch.h src/core/arch.c src/core/arch_arm64.c src/core/arch_x86_64.c \
	src/core/core.h src/core/core.c src/core/memory.h src/core/memory.c \
	src/core/exe_locate.h src/core/exe_locate.c src/core/exe_index.h src/core/exe_index.c
