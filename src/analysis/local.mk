libgopm_a_SOURCES += \
	src/analysis/analysis.h \
	src/analysis/rules.def \
	src/analysis/rules.c \
	src/analysis/findings.c \
	src/analysis/argwords.c \
	src/analysis/rule_crash.c \
	src/analysis/rule_mutex.c \
	src/analysis/rule_leaks.c \
	src/analysis/rule_population.c \
	src/analysis/rule_race.c src/analysis/rules.h \
	src/analysis/rule_leaked.c \
	src/analysis/rule_deadlock.c \
	src/analysis/rule_cgo.c \
	src/analysis/rule_network.c \
	src/analysis/rule_timers.c \
	src/analysis/rule_context.c \
	src/analysis/rule_gc.c \
	src/analysis/rule_sync.c \
	src/analysis/links.c \
	src/analysis/report.c \
	src/analysis/diff.c src/analysis/diff.h \
	src/analysis/report_share.h src/analysis/report_md.c src/analysis/report_html.c \
	src/analysis/report_doc.c src/analysis/report_doc.h \
	src/analysis/profile.c src/analysis/profile.h
