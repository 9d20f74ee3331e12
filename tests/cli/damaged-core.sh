#!/bin/sh
# Damaged cores made at test time from a committed fixture (not committed themselves):
# every runtime.allgs entry pointing to the first g, and two PT_LOAD segments made to
# overlap. gopm must say so (a warning, exit 1), list each goroutine once and never loop.
# The patcher reads the core's program headers and the executable's symbol table (nm).
set -u
: "${GOPM:?}" "${top_srcdir:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
say() { echo "FAIL: $*"; fail=$((fail + 1)); }
for tool in python3 nm zstd; do
	command -v "$tool" >/dev/null 2>&1 || { echo "skipped: needs $tool"; exit 77; }
done
c=go1.19-crash-deadlock-dwarf
td=$top_srcdir/testdata
exe=$(sed -n 's/^exe=//p' "$td/cores/$c/meta")
want=$(sed -n 's/^goroutines=//p' "$td/cores/$c/meta")
zstd -q -d -o "$tmp/exe" "$td/$exe"
zstd -q -d -o "$tmp/core" "$td/cores/$c/core.zst"
allgs=$(nm "$tmp/exe" | awk '$3 == "runtime.allgs" { print $1 }')
[ -n "$allgs" ] || { say "no runtime.allgs in $exe"; exit 1; }

# patch.py CORE MODE [ARG]: MODE allgs ADDR (every entry := the first), overlap.
cat >"$tmp/patch.py" <<'PY'
import struct, sys
path, mode = sys.argv[1], sys.argv[2]
b = bytearray(open(path, "rb").read())
phoff, = struct.unpack_from("<Q", b, 0x20)
phentsize, phnum = struct.unpack_from("<HH", b, 0x36)
loads = []
for i in range(phnum):
    o = phoff + i * phentsize
    typ, flags, off, vaddr, paddr, filesz, memsz = struct.unpack_from("<IIQQQQQ", b, o)
    if typ == 1:
        loads.append((o, off, vaddr, filesz, memsz))
def at(addr):
    for o, off, vaddr, filesz, memsz in loads:
        if vaddr <= addr < vaddr + filesz:
            return off + addr - vaddr
    sys.exit("0x%x not in the core" % addr)
if mode == "allgs":
    ptr, n = struct.unpack_from("<QQ", b, at(int(sys.argv[3], 16)))
    first, = struct.unpack_from("<Q", b, at(ptr))
    for i in range(1, n):
        struct.pack_into("<Q", b, at(ptr + 8 * i), first)
    print(n)
elif mode == "overlap":
    # The second of two adjacent PT_LOADs moved down by a page, into the first.
    for (o1, _, v1, _, m1), (o2, _, v2, _, _) in zip(loads, loads[1:]):
        if v1 + m1 == v2 and m1 > 0x1000:
            struct.pack_into("<Q", b, o2 + 16, v2 - 0x1000)
            print(1)
            break
    else:
        sys.exit("no adjacent segments")
open(path, "wb").write(b)
PY

cp "$tmp/core" "$tmp/dup.core"
n=$(python3 "$tmp/patch.py" "$tmp/dup.core" allgs "$allgs") || say "patching allgs"
[ "${n:-0}" -ge "$want" ] || say "allgs has ${n:-?} entries, fewer than the $want goroutines"
timeout 120 "$GOPM" goroutines --exe "$tmp/exe" "$tmp/dup.core" >"$tmp/out" 2>"$tmp/err"
r=$?
[ "$r" -eq 1 ] || say "duplicate g: exit $r (want 1): $(head -n 1 "$tmp/err")"
grep -q "allgs repeats a goroutine $((n - 1)) times" "$tmp/err" ||
	say "duplicate g not said: $(head -n 2 "$tmp/err")"
listed=$(grep -c '^goroutine [0-9]' "$tmp/out")
[ "$listed" -eq 1 ] || say "duplicate g: $listed goroutines listed (want 1)"
echo "ok: allgs of $n entries, all one g: said, listed once"

cp "$tmp/core" "$tmp/overlap.core"
python3 "$tmp/patch.py" "$tmp/overlap.core" overlap >/dev/null || say "patching segments"
timeout 120 "$GOPM" goroutines --exe "$tmp/exe" "$tmp/overlap.core" >"$tmp/out" 2>"$tmp/err"
r=$?
[ "$r" -eq 1 ] || say "overlapping segments: exit $r (want 1): $(head -n 1 "$tmp/err")"
grep -q "PT_LOAD segments overlap" "$tmp/err" || say "overlap not said: $(head -n 2 "$tmp/err")"
echo "ok: overlapping PT_LOADs: said"
[ "$fail" -eq 0 ]
