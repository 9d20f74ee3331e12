#!/bin/sh
# CLI tests of native stacks on arm64 (testdata/cgo/arm64-pie-*, made by
# testdata/cgo/gen-native-arm64.sh): the PIE cgo program of native.sh built for linux/arm64 and
# run under qemu-user, crashing in C or hanging in C while a thread created in C blocks in
# pthread_cond_wait. qemu's cores have no NT_FILE: the libraries come from the dynamic
# loader's list (link_map), and the core's libc (/lib/libc.so.6 of an arm64 system) is not on
# a CI machine, so its frames carry the module name and the C thread is unwound by frame
# records. The headline names the C function and its Go caller from the core and the text;
# a stripped executable names the headline's C function, with file:line, and the C thread's
# frames from its separate debug file found by build id; a core whose libc is missing is not
# a warning. Bad input: libc's name in the loader's list a device.
. "$top_srcdir/tests/cli/native-lib.sh"

crash_core="SIGSEGV in C function gpm_native_parse (nil pointer), called from Go main.parseHeader"
crash_text="SIGSEGV in C function gpm_native_read_header (nil pointer), called from Go main.parseHeader"
hang="goroutine 1 is in C code: C function gpm_native_poll_device, called from Go main.pollDevice"

seen=0
for fx in "$td"/arm64-pie-go*-*; do
	[ -f "$fx/meta" ] || continue
	seen=$((seen + 1))
	name=${fx##*/}
	grep -q '^arch=arm64$' "$fx/meta" || bad "$name: meta does not say arm64"
	zstd -qdcf "$td/$(sed -n 's/^exe=//p' "$fx/meta")" >"$tmp/exe"
	zstd -qdcf "$td/$(sed -n 's/^exe_stripped=//p' "$fx/meta")" >"$tmp/exe-stripped"
	id=$(sed -n 's/^build_id=//p' "$fx/meta")
	d1=$(echo "$id" | cut -c1-2)
	rest=$(echo "$id" | cut -c3-)
	mkdir -p "$tmp/debug/.build-id/$d1"
	zstd -qdcf "$td/debug/.build-id/$d1/$rest.debug.zst" >"$tmp/debug/.build-id/$d1/$rest.debug"
	case $name in
	*-crash) want_core=$crash_core want_text=$crash_text ;;
	*) want_core=$hang want_text=$hang ;;
	esac
	expect 0 0 "$name: analyze the text" -- analyze --no-store "$fx/stderr.txt"
	[ "$(headline)" = "$want_text" ] || bad "$name: text headline: $(headline)"
	# No warning: the core's libc is not on this machine, which is not a loss.
	expect 0 0 "$name: analyze the core" -- analyze --no-store --exe "$tmp/exe" "$fx/core.zst"
	[ "$(headline)" = "$want_core" ] || bad "$name: core headline: $(headline)"
	sed -n '/^THREADS IN C$/,$p' "$tmp/out" |
		sed -n '/^thread [0-9]*, created by C code (no Go m); unwound by /,/^$/p' |
		grep -q '^    gpm_native_wait_event$' ||
		bad "$name: analyze: no C thread with gpm_native_wait_event under THREADS IN C"

	expect 0 0 "$name: goroutines" -- goroutines --exe "$tmp/exe" "$fx/core.zst"
	[ "$(c_thread | grep -c '^thread ')" -eq 1 ] || bad "$name: not one C thread listed"
	# libc is not here: unwound by frame records, libc's frames carry the module's name,
	# and the user's C functions are named with file:line.
	c_thread | grep -q '^thread [0-9]* \[C thread, unwound by frame pointers\]:$' ||
		bad "$name: not unwound by frame pointers: $(c_thread | head -1)"
	c_thread | grep -q '^libc\.so\.6+0x[0-9a-f]*$' ||
		bad "$name: libc's frames do not carry the module's name"
	in_order 'libc\.so\.6+0x[0-9a-f]*' gpm_native_wait_event gpm_native_worker \
		'libc\.so\.6+0x[0-9a-f]*' ||
		bad "$name: the C thread is not libc, gpm_native_wait_event, gpm_native_worker, libc"
	c_thread | grep -A1 '^gpm_native_wait_event$' | grep -q '	.*main\.go:21 pc=0x' ||
		bad "$name: gpm_native_wait_event without its file:line"
	c_thread | grep -A1 '^gpm_native_worker$' | grep -q '	.*main\.go:29 pc=0x' ||
		bad "$name: gpm_native_worker without its file:line"
	expect 0 0 "$name: goroutines --json" -- goroutines --json --exe "$tmp/exe" "$fx/core.zst"
	grep -q '"unwound_by": "frame pointers"' "$tmp/out" || bad "$name: json: not by frame pointers"
	grep -q '"func": "gpm_native_wait_event"' "$tmp/out" || bad "$name: json: no C frame"

	# Stripped: nothing names the C functions without the debug file; with it, the
	# headline's C function (with file:line) and the C thread's frames are named.
	GOPM_DEBUG_ROOT=$tmp/nothing expect 0 0 "$name: stripped, no debug file" -- \
		goroutines --exe "$tmp/exe-stripped" "$fx/core.zst"
	! c_thread | grep -q '^gpm_native_wait_event$' ||
		bad "$name: stripped: named without its debug file (the test proves nothing)"
	GOPM_DEBUG_ROOT=$tmp/debug expect 0 0 "$name: stripped, its debug file" -- \
		goroutines --exe "$tmp/exe-stripped" "$fx/core.zst"
	in_order gpm_native_wait_event gpm_native_worker ||
		bad "$name: stripped: the debug file did not name the C thread's frames"
	case $name in
	*-crash)
		GOPM_DEBUG_ROOT=$tmp/nothing expect 0 0 "$name: stripped headline, no debug file" -- \
			analyze --no-store --exe "$tmp/exe-stripped" "$fx/core.zst"
		[ "$(headline)" = "$crash_text" ] ||
			bad "$name: stripped, no debug file: headline $(headline)"
		GOPM_DEBUG_ROOT=$tmp/debug expect 0 0 "$name: stripped headline, its debug file" -- \
			analyze --no-store --exe "$tmp/exe-stripped" "$fx/core.zst"
		[ "$(headline)" = "$crash_core" ] ||
			bad "$name: stripped with its debug file: headline $(headline)"
		grep -q '^ *C function  *gpm_native_parse at .*main\.go:43$' "$tmp/out" ||
			bad "$name: stripped with its debug file: no file:line for the C function"
		;;
	esac
	rm -rf "$tmp/debug"
done
[ "$seen" -eq 4 ] || bad "$seen arm64 native fixtures, not 4"

# Bad input: the dynamic loader's list names a device for libc (a hostile core): it is never
# opened for reading, its frames carry the name, and the C thread is still listed.
fx=$td/arm64-pie-go1.22-hang
zstd -qdcf "$td/exe-arm64-pie-go1.22-dwarf.zst" >"$tmp/exe"
zstd -qdcf "$fx/core.zst" >"$tmp/core"
python3 - "$tmp/core" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
old = b'/lib/libc.so.6\0'
assert b.count(old) == 1, b.count(old)
b[b.index(old):b.index(old) + len(old)] = b'/dev/zero\0\0\0\0\0\0'
open(p, 'wb').write(b)
PY
expect 0 0 "libc named /dev/zero: goroutines" -- goroutines --exe "$tmp/exe" "$tmp/core"
[ "$(c_thread | grep -c '^thread ')" -eq 1 ] || bad "libc named /dev/zero: the C thread is not listed"
in_order gpm_native_wait_event gpm_native_worker ||
	bad "libc named /dev/zero: the user's C functions are not named"

echo "$((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
