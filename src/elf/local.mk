libgopm_a_SOURCES += src/elf/exe.c src/elf/exe.h src/elf/note.h
