libgopm_a_SOURCES += src/elf/exe.c src/elf/note.h
