#!/bin/sh
# CLI tests of native stacks (testdata/cgo/pie-*, made by testdata/cgo/gen-native.sh): a PIE
# cgo program whose thread created in C blocks in gpm_native_wait_event, crashing in C or
# hanging in C (and gdb's snapshot of the hang). The headline names the C function and its Go
# caller from the core and from the runtime's text; the threads in code that is not Go are
# listed with their native stacks (the user's C functions asserted, libc's names may vary
# with the machine's libc); a stripped executable names them, and the headline's C function,
# with a separate debug file found by build id; bad input: corrupt call frame information, a
# thread whose stack is not in the core (counted and warned, never dropped).
. "$top_srcdir/tests/cli/native-lib.sh"

seen=0
for fx in "$td"/pie-go*-*; do
	[ -f "$fx/meta" ] || continue
	seen=$((seen + 1))
	name=${fx##*/}
	zstd -qdcf "$td/$(sed -n 's/^exe=//p' "$fx/meta")" >"$tmp/exe"
	zstd -qdcf "$td/$(sed -n 's/^exe_stripped=//p' "$fx/meta")" >"$tmp/exe-stripped"
	id=$(sed -n 's/^build_id=//p' "$fx/meta")
	case $name in
	*-crash)
		expect 0 0 "$name: analyze the text" -- analyze --no-store "$fx/stderr.txt"
		[ "$(headline)" = "SIGSEGV in C function gpm_native_read_header (nil pointer), called from Go main.parseHeader" ] ||
			bad "$name: text headline: $(headline)"
		expect 0 0 "$name: analyze the core" -- analyze --no-store --exe "$tmp/exe" "$fx/core.zst"
		[ "$(headline)" = "SIGSEGV in C function gpm_native_parse (nil pointer), called from Go main.parseHeader" ] ||
			bad "$name: core headline: $(headline)"
		;;
	*-hang)
		for input in "$fx/stderr.txt" "$fx/core.zst" "$fx/gcore.zst"; do
			expect 0 0 "$name: analyze ${input##*/}" -- analyze --no-store --exe "$tmp/exe" "$input"
			[ "$(headline)" = "goroutine 1 is in C code: C function gpm_native_poll_device, called from Go main.pollDevice" ] ||
				bad "$name: ${input##*/}: headline: $(headline)"
		done
		# gdb's snapshot: the main thread is in C under runtime.cgocall (the kernel core's
		# got SIGQUIT and is in Go's handler): its native stack ends in the Go code that
		# entered C, and names the goroutine whose call it is.
		expect 0 0 "$name: goroutines gcore" -- goroutines --exe "$tmp/exe" "$fx/gcore.zst"
		sed -n '/^thread [0-9]* m=0 goroutine 1 \[in C for its goroutine, unwound by /,/^$/p' \
			"$tmp/out" >"$tmp/main"
		grep -q '^gpm_native_poll_device$' "$tmp/main" ||
			bad "$name: gcore: the thread in C has no frame gpm_native_poll_device"
		grep -A1 '^gpm_native_poll_device$' "$tmp/main" | grep -q '	.*main\.go:55 pc=0x' ||
			bad "$name: gcore: gpm_native_poll_device without its file:line"
		grep -q '^runtime\.asmcgocall(...)$' "$tmp/main" ||
			bad "$name: gcore: the native stack does not end where Go entered C"
		;;
	esac
	cores="$fx/core.zst"
	[ -f "$fx/gcore.zst" ] && cores="$cores $fx/gcore.zst"
	for core in $cores; do
		what="$name/${core##*/}"
		expect 0 0 "$what: goroutines" -- goroutines --exe "$tmp/exe" "$core"
		[ "$(c_thread | grep -c '^thread ')" -eq 1 ] || bad "$what: not one C thread listed"
		in_order gpm_native_wait_event gpm_native_worker ||
			bad "$what: the C thread lacks gpm_native_wait_event under gpm_native_worker"
		c_thread | grep -A1 '^gpm_native_wait_event$' | grep -q '	.*main\.go:21 pc=0x' ||
			bad "$what: gpm_native_wait_event without its file:line"
		expect 0 0 "$what: analyze" -- analyze --no-store --exe "$tmp/exe" "$core"
		sed -n '/^THREADS IN C$/,$p' "$tmp/out" |
			sed -n '/^thread [0-9]*, created by C code (no Go m); unwound by /,/^$/p' |
			grep -q '^    gpm_native_wait_event$' ||
			bad "$what: analyze: no C thread with gpm_native_wait_event under THREADS IN C"
		expect 0 0 "$what: goroutines --json" -- goroutines --json --exe "$tmp/exe" "$core"
		grep -q '"unwound_by": "' "$tmp/out" || bad "$what: json: no threads"
		grep -q '"func": "gpm_native_wait_event"' "$tmp/out" || bad "$what: json: no C frame"
	done
	# Stripped as distributions strip: the C functions have no symbol in the executable;
	# its debug file, found by build id under the debug root, names them with file:line.
	mkdir -p "$tmp/debug/.build-id/$(echo "$id" | cut -c1-2)"
	zstd -qdcf "$td/debug/.build-id/$(echo "$id" | cut -c1-2)/$(echo "$id" | cut -c3-).debug.zst" \
		>"$tmp/debug/.build-id/$(echo "$id" | cut -c1-2)/$(echo "$id" | cut -c3-).debug"
	GOPM_DEBUG_ROOT=$tmp/nothing expect 0 0 "$name: stripped, no debug file" -- \
		goroutines --exe "$tmp/exe-stripped" "$fx/core.zst"
	! c_thread | grep -q '^gpm_native_wait_event$' ||
		bad "$name: stripped: named without its debug file (the test proves nothing)"
	GOPM_DEBUG_ROOT=$tmp/debug expect 0 0 "$name: stripped, its debug file by build id" -- \
		goroutines --exe "$tmp/exe-stripped" "$fx/core.zst"
	in_order gpm_native_wait_event gpm_native_worker ||
		bad "$name: stripped: the debug file did not name the C frames"
	c_thread | grep -A1 '^gpm_native_wait_event$' | grep -q '	.*main\.go:21 pc=0x' ||
		bad "$name: stripped: no file:line from the debug file"
	# The headline's C function too: without the debug file only the function cgo called
	# is known; with it, the function the pc is in, with file:line.
	case $name in
	*-crash)
		GOPM_DEBUG_ROOT=$tmp/nothing expect 0 0 "$name: stripped headline, no debug file" -- \
			analyze --no-store --exe "$tmp/exe-stripped" "$fx/core.zst"
		[ "$(headline)" = "SIGSEGV in C function gpm_native_read_header (nil pointer), called from Go main.parseHeader" ] ||
			bad "$name: stripped, no debug file: headline $(headline)"
		GOPM_DEBUG_ROOT=$tmp/debug expect 0 0 "$name: stripped headline, its debug file" -- \
			analyze --no-store --exe "$tmp/exe-stripped" "$fx/core.zst"
		[ "$(headline)" = "SIGSEGV in C function gpm_native_parse (nil pointer), called from Go main.parseHeader" ] ||
			bad "$name: stripped with its debug file: headline $(headline)"
		grep -q '^ *C function  *gpm_native_parse at .*main\.go:43$' "$tmp/out" ||
			bad "$name: stripped with its debug file: no file:line for the C function"
		;;
	esac
	rm -rf "$tmp/debug"
done
[ "$seen" -ge 4 ] || bad "only $seen native fixtures"

# Bad input. Corrupt call frame information: every byte of the executable's .eh_frame,
# .eh_frame_hdr and .debug_frame overwritten. Nothing crashes; the C thread is still listed.
fx=$td/pie-go1.22-hang
zstd -qdcf "$td/exe-pie-go1.22-dwarf.zst" >"$tmp/exe"
python3 - "$tmp/exe" <<'PY'
import struct, sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
shoff, = struct.unpack_from('<Q', b, 0x28)
shentsize, shnum, shstrndx = struct.unpack_from('<HHH', b, 0x3a)
def sh(i):
    return struct.unpack_from('<IIQQQQIIQQ', b, shoff + i * shentsize)
stroff = sh(shstrndx)[4]
done = 0
for i in range(shnum):
    name_off, typ, _, _, off, size = sh(i)[:6]
    name = bytes(b[stroff + name_off:b.index(0, stroff + name_off)]).decode()
    if name in ('.eh_frame', '.eh_frame_hdr', '.debug_frame') and typ != 8:
        for k in range(off, off + size):
            b[k] = (k * 131 + 7) & 0xff
        done += 1
assert done >= 2, done
open(p, 'wb').write(b)
PY
expect 0 0 "corrupt CFI: goroutines" -- goroutines --exe "$tmp/exe" "$fx/core.zst"
[ "$(c_thread | grep -c '^thread ')" -eq 1 ] || bad "corrupt CFI: the C thread is not listed"

# A thread whose stack is not in the core: the segment holding the C thread's stack pointer
# marked as not dumped (p_filesz 0). Counted and warned (exit 1), still listed.
zstd -qdcf "$td/exe-pie-go1.22-dwarf.zst" >"$tmp/exe"
zstd -qdcf "$fx/core.zst" >"$tmp/core"
tid=$("$GOPM" goroutines --exe "$tmp/exe" "$tmp/core" | sed -n 's/^thread \([0-9]*\) \[C thread, .*/\1/p')
[ -n "$tid" ] || bad "no C thread in $fx"
python3 - "$tmp/core" "${tid:-0}" <<'PY'
import struct, sys
p, tid = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, 'rb').read())
phoff, = struct.unpack_from('<Q', b, 0x20)
phentsize, phnum = struct.unpack_from('<HH', b, 0x36)
phs = [list(struct.unpack_from('<IIQQQQQQ', b, phoff + i * phentsize)) for i in range(phnum)]
rsp = None
for ph in phs:
    if ph[0] != 4:  # PT_NOTE
        continue
    off, end = ph[2], ph[2] + ph[5]
    while off + 12 <= end:
        nsz, dsz, typ = struct.unpack_from('<III', b, off)
        desc = off + 12 + ((nsz + 3) & ~3)
        if typ == 1 and struct.unpack_from('<I', b, desc + 32)[0] == tid:  # NT_PRSTATUS
            rsp, = struct.unpack_from('<Q', b, desc + 112 + 19 * 8)
        off = desc + ((dsz + 3) & ~3)
assert rsp, 'no such thread'
hit = 0
for i, ph in enumerate(phs):
    if ph[0] == 1 and ph[3] <= rsp < ph[3] + ph[6]:  # PT_LOAD holding rsp
        struct.pack_into('<Q', b, phoff + i * phentsize + 32, 0)  # p_filesz
        hit += 1
assert hit == 1, hit
open(p, 'wb').write(b)
PY
expect 1 - "stack not in the core: goroutines" -- goroutines --exe "$tmp/exe" "$tmp/core"
[ "$(c_thread | grep -c '^thread ')" -eq 1 ] || bad "stack not in the core: the thread was dropped"
grep -q "1 of 1 threads in code that is not Go could not be unwound; first: thread $tid: " "$tmp/err" ||
	bad "stack not in the core: no warning naming the thread: $(head -3 "$tmp/err")"

# A library not on this machine (or of another build): libc's name in the core's NT_FILE
# note changed, so no file is found for it. The thread's innermost frame is then in code of
# no known module; a stack scan finds the return address into the executable's C code and
# call frame information goes on from there: the user's C functions are still named.
zstd -qdcf "$fx/core.zst" >"$tmp/core"
python3 - "$tmp/core" <<'PY'
import struct, sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
phoff, = struct.unpack_from('<Q', b, 0x20)
phentsize, phnum = struct.unpack_from('<HH', b, 0x36)
hit = 0
for i in range(phnum):
    typ, _, off, _, _, filesz = struct.unpack_from('<IIQQQQ', b, phoff + i * phentsize)
    if typ != 4:  # PT_NOTE
        continue
    seg = bytes(b[off:off + filesz])
    hit += seg.count(b'/libc.so.6')
    b[off:off + filesz] = seg.replace(b'/libc.so.6', b'/libQ.so.6')
assert hit >= 1, hit
open(p, 'wb').write(b)
PY
expect 0 0 "libc not found: goroutines" -- goroutines --exe "$tmp/exe" "$tmp/core"
c_thread | grep -q '^thread [0-9]* \[C thread, unwound by stack scan, then call frame information\]:$' ||
	bad "libc not found: not unwound by a stack scan: $(c_thread | head -1)"
in_order gpm_native_wait_event gpm_native_worker ||
	bad "libc not found: the user's C functions are not named"

echo "$((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
