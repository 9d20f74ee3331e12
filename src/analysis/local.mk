libgopm_a_SOURCES += \
	src/analysis/analysis.h \
	src/analysis/findings.c \
	src/analysis/report.c
