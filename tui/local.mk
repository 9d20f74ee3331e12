# gopm tui: the ncurses triage program, linked into the gopm binary as `gopm tui`.
gopm_SOURCES += \
	tui/tui.h tui/keys.def tui/commands.def \
	tui/tui.c tui/list.c tui/views.c tui/preview.c tui/view_diff.c tui/data.c tui/draw.c
