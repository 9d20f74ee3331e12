#!/bin/sh
# CLI tests of the config file ($XDG_CONFIG_HOME/gopm/config; doc/goroutines.md): exe-path finds
# a core's executable in a search directory, GOPM_EXE_PATH overrides it, and lines that cannot
# be read are warnings naming the file and the line. Needs zstd.
set -u
: "${GOPM:?}" "${top_srcdir:?}"
td=$top_srcdir/testdata
fx=$td/cores/go1.27-hang-dwarf
exe=$td/$(sed -n 's/^exe=//p' "$fx/meta")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
n=0
unset GOPM_EXE_PATH GOPM_DEBUG_ROOT DEBUGINFOD_URLS
XDG_CONFIG_HOME=$tmp/config
export XDG_CONFIG_HOME

. "$top_srcdir/tests/cli/expect.sh"

bad() {
	echo "FAIL: $1"
	fail=$((fail + 1))
}

named=$(zstd -dc "$fx/core.zst" | strings -n 8 | grep -m1 '^/tmp/gopm-fixture/.*/hang$' || true)
if [ -n "$named" ] && [ -e "$named" ]; then
	echo "skip: the core's own executable path $named exists here"
	exit 77
fi
mkdir -p "$tmp/c" "$tmp/s1" "$tmp/s2" "$tmp/empty" "$tmp/config/gopm"
cp "$fx/core.zst" "$tmp/c/core.zst"
zstd -qdc "$exe" >"$tmp/s2/deployed"
cfg=$tmp/config/gopm/config

# No config file: nothing found, nothing said about a config.
expect 5 1 "no config file" -- info "$tmp/c/core.zst"

# exe-path and debug-root, with comments, blank lines and spaces around '='.
cat >"$cfg" <<EOT
# where releases go
exe-path   =   $tmp/s1:$tmp/s2

debug-root=$tmp/empty
EOT
expect 0 0 "config exe-path" -- info "$tmp/c/core.zst"
grep -q 's2/deployed (from search directory, by build id)' "$tmp/out" ||
	bad "config exe-path: executable not found in its directories"

# The environment overrides the file.
GOPM_EXE_PATH=$tmp/empty expect 5 1 "GOPM_EXE_PATH overrides exe-path" -- info "$tmp/c/core.zst"

# Bad lines: each a warning naming the line; the good ones still apply.
cat >"$cfg" <<EOT
exe-path = $tmp/s2
this line has no equals sign
colour = always
EOT
printf 'source-root = %05000d\n' 0 >>"$cfg"
expect 0 3 "bad config lines" -- info "$tmp/c/core.zst"
grep -q "gopm/config:2: not a \`key = value\` line" "$tmp/err" || bad "line 2 not named"
grep -q 'gopm/config:3: unknown key "colour"' "$tmp/err" || bad "line 3 not named"
grep -q 'gopm/config:4: line longer than 4096 bytes' "$tmp/err" || bad "line 4 not named"
grep -q 'deployed (from search directory' "$tmp/out" || bad "good line not applied after bad ones"

# XDG_CONFIG_HOME unset: ~/.config/gopm/config.
mkdir -p "$tmp/home/.config/gopm"
printf 'exe-path = %s\n' "$tmp/s2" >"$tmp/home/.config/gopm/config"
(unset XDG_CONFIG_HOME; HOME=$tmp/home expect 0 0 "~/.config/gopm/config" -- info "$tmp/c/core.zst"; exit $fail) || fail=$((fail + 1))

echo "$((n + 1 - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
