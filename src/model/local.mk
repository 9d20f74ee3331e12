libgopm_a_SOURCES += \
	src/model/incident.c src/model/incident.h
