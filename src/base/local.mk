libgopm_a_SOURCES += \
	src/base/cursor.h \
	src/base/error.c src/base/error.h \
	src/base/identity.c src/base/identity.h \
	src/base/intern.c src/base/intern.h \
	src/base/json.c src/base/json.h \
	src/base/source.c src/base/source.h \
	src/base/srcpath.c src/base/srcpath.h \
	src/base/strbuf.c src/base/strbuf.h \
	src/base/vec.c src/base/vec.h
libgopm_a_SOURCES += src/base/sha256.c src/base/sha256.h
libgopm_a_SOURCES += src/base/u64map.c src/base/u64map.h
libgopm_a_SOURCES += src/base/protobuf.c src/base/protobuf.h
libgopm_a_SOURCES += src/base/pbwrite.c src/base/pbwrite.h
