#!/bin/sh
# End-to-end runs of gopm tui in a real terminal: tmux at 80x24 on a private server. Keys go
# in with send-keys, the screen comes back with capture-pane, and every step polls for the
# text it expects instead of sleeping. Checks drilling down, a resize (resize-window), that
# NO_COLOR leaves no colour, and that the terminal is given back (alternate screen off) after
# q and after Ctrl-C. Skips (77) when tmux is not installed.
set -u
: "${GOPM:?}" "${top_srcdir:?}"
command -v tmux >/dev/null 2>&1 || { echo "SKIP: tmux not installed"; exit 77; }
tmp=$(mktemp -d)
sock=gopm-tui-test-$$
T() { tmux -L "$sock" -f /dev/null "$@"; }
trap 'T kill-server 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
. "$top_srcdir/tests/tui/archive.sh"
make_archive || { echo "FAIL: cannot build the archive"; exit 1; }
fail=0

# wait_for SESSION TEXT: polls the pane (up to 15 s) until TEXT appears.
wait_for() {
	i=0
	while [ $i -lt 150 ]; do
		if T capture-pane -p -t "$1" 2>/dev/null | grep -qF -- "$2"; then
			return 0
		fi
		i=$((i + 1))
		sleep 0.1
	done
	echo "FAIL: '$2' never appeared; the screen was:"
	T capture-pane -p -t "$1" 2>/dev/null | sed 's/^/  | /'
	fail=$((fail + 1))
	return 1
}
# wait_exit FILE: polls until the program wrote its exit status.
wait_exit() {
	i=0
	while [ $i -lt 150 ] && [ ! -s "$1" ]; do
		i=$((i + 1))
		sleep 0.1
	done
	cat "$1" 2>/dev/null
}
start() { # start SESSION ENV...: gopm tui on the archive, status into $tmp/SESSION.status
	s=$1
	shift
	T new-session -d -s "$s" -x 80 -y 24 \
		"trap : INT; env LC_ALL=C.UTF-8 TERM=screen-256color $* '$GOPM' tui --db '$tmp/a.db'; echo \$? >'$tmp/$s.status'; sleep 30"
}

# 1: drill down from the clusters to a stack, resize, come back, quit.
start a
wait_for a "Incidents (13)"
T send-keys -t a c
wait_for a "Clusters (6)"
T send-keys -t a Enter
wait_for a "Incidents of cluster"
T send-keys -t a q
wait_for a "Clusters (6)"
T send-keys -t a q / deadlock Enter Enter
wait_for a "CRITICAL deadlock: all goroutines are asleep"
T send-keys -t a Tab Enter
wait_for a "goroutines of group 1"
T send-keys -t a Enter
wait_for a "sync.(*WaitGroup).Wait"
T resize-window -t a -x 120 -y 30
wait_for a "sync.(*WaitGroup).Wait"
n=$(T capture-pane -p -t a | wc -l)
[ "$n" -eq 30 ] || { echo "FAIL: after resize: $n lines (want 30)"; fail=$((fail + 1)); }
T capture-pane -p -t a | sed -n 30p | grep -q "\[stack\]" || {
	echo "FAIL: status line not on the last row after resize"
	fail=$((fail + 1))
}
T resize-window -t a -x 80 -y 24
T send-keys -t a q
wait_for a "goroutines of group 1"
T send-keys -t a ?
wait_for a "Help: keys of the goroutines view"
T send-keys -t a Q
st=$(wait_exit "$tmp/a.status")
[ "$st" = 0 ] || { echo "FAIL: exit status '$st' after Q"; fail=$((fail + 1)); }
[ "$(T display -p -t a '#{alternate_on}')" = 0 ] || {
	echo "FAIL: alternate screen still on after quitting"
	fail=$((fail + 1))
}
echo "ok: drill down, resize, help, quit"

# 2: Ctrl-C gives the terminal back and ends with SIGINT's status.
start b
wait_for b "Incidents (13)"
T send-keys -t b C-c
st=$(wait_exit "$tmp/b.status")
[ "$st" = 130 ] || { echo "FAIL: exit status '$st' after Ctrl-C (want 130)"; fail=$((fail + 1)); }
[ "$(T display -p -t b '#{alternate_on}')" = 0 ] || {
	echo "FAIL: alternate screen still on after Ctrl-C"
	fail=$((fail + 1))
}
echo "ok: Ctrl-C restores the terminal"

# 3: NO_COLOR: attributes (bold, reverse) but no colour escapes on screen.
start c NO_COLOR=1
wait_for c "Incidents (13)"
if T capture-pane -e -p -t c | grep -q "$(printf '\033')\[[0-9;]*3[0-7]m"; then
	echo "FAIL: colours with NO_COLOR"
	fail=$((fail + 1))
fi
T send-keys -t c Q
wait_exit "$tmp/c.status" >/dev/null
echo "ok: NO_COLOR"

echo "tmux: $fail failed"
[ "$fail" -eq 0 ]
