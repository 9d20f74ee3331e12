libgopm_a_SOURCES += \
	src/model/incident.c src/model/incident.h
libgopm_a_SOURCES += \
	src/model/traceback.c src/model/traceback.h \
	src/model/group.c src/model/group.h
libgopm_a_SOURCES += src/model/frameclass.c src/model/frameclass.h
