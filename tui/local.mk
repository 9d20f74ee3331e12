# gopm tui: the ncurses triage program, linked into the gopm binary as `gopm tui`.
gopm_SOURCES += \
	tui/tui.h tui/entry.h tui/keys.def tui/commands.def \
	tui/tui.c tui/list.c tui/view.c tui/preview.c tui/data.c tui/draw.c \
	tui/view_incidents.c tui/view_clusters.c tui/view_search.c tui/view_incident.c \
	tui/view_goroutines.c tui/view_stack.c tui/view_source.c tui/view_text.c tui/view_value.c tui/view_heap.c \
	tui/view_diff.c
