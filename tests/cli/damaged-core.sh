#!/bin/sh
# Damaged cores made at test time from a committed fixture (not committed themselves):
# every runtime.allgs entry pointing to the first g, two PT_LOAD segments made to overlap,
# the segment holding the heap dropped (as the kernel writes a mapping it did not dump:
# p_filesz 0), and holes punched over one goroutine's stack and over half of allgs. gopm
# must say so (a warning, exit 1), print what it could read, list each goroutine once and
# never loop. The patcher reads the core's program headers and the executable's symbol
# table (nm).
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

# patch.py CORE MODE [ARG]: MODE allgs ADDR (every entry := the first), overlap,
# drop-heap ADDR (the segment holding the first g, a heap object: not dumped),
# hole-stack ADDR (the last g's stack cut out), hole-allgs ADDR (allgs' second half cut out).
# A hole splits a PT_LOAD in two around it; the new program headers go at the file's end.
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
def hole(lo, hi):
    phdrs = []
    for i in range(phnum):
        o = phoff + i * phentsize
        typ, flags, off, vaddr, paddr, filesz, memsz, align = struct.unpack_from("<IIQQQQQQ", b, o)
        if typ == 1 and vaddr <= lo < hi <= vaddr + memsz:
            phdrs.append((typ, flags, off, vaddr, 0, min(filesz, lo - vaddr), lo - vaddr, align))
            phdrs.append((typ, flags, off + hi - vaddr, hi, 0, max(0, filesz - (hi - vaddr)),
                          vaddr + memsz - hi, align))
        else:
            phdrs.append((typ, flags, off, vaddr, paddr, filesz, memsz, align))
    if len(phdrs) == phnum:
        sys.exit("0x%x-0x%x not in one segment" % (lo, hi))
    while len(b) % 8:
        b.append(0)
    struct.pack_into("<Q", b, 0x20, len(b))
    struct.pack_into("<H", b, 0x38, len(phdrs))
    for p in phdrs:
        b.extend(struct.pack("<IIQQQQQQ", *p))
def allgs():
    ptr, n = struct.unpack_from("<QQ", b, at(int(sys.argv[3], 16)))
    return ptr, n, [struct.unpack_from("<Q", b, at(ptr + 8 * i))[0] for i in range(n)]
if mode == "drop-heap":
    g = allgs()[2][0]
    for o, off, vaddr, filesz, memsz in loads:
        if vaddr <= g < vaddr + filesz:
            struct.pack_into("<Q", b, o + 32, 0)
            print("0x%x" % vaddr)
elif mode == "hole-stack":
    # g.stack {lo, hi} is the first field of runtime.g (runtime2.go, Go 1.19-1.27).
    gs = allgs()[2]
    for i in reversed(range(len(gs))):
        lo, hi = struct.unpack_from("<QQ", b, at(gs[i]))
        if lo and hi > lo:
            hole(lo, hi)
            print(i)
            break
    else:
        sys.exit("no g with a stack")
elif mode == "hole-allgs":
    ptr, n, _ = allgs()
    keep = n // 2
    hole(ptr + 8 * keep, ptr + 8 * n)
    print(keep)
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

# The heap's segment not in the core: the heap's counts come from the spans (elsewhere),
# the objects cannot be read. Said with counts, exit 1, in --json warnings too; the
# goroutines (g's are heap objects) are said lost.
cp "$tmp/core" "$tmp/noheap.core"
python3 "$tmp/patch.py" "$tmp/noheap.core" drop-heap "$allgs" >/dev/null || say "dropping the heap"
timeout 120 "$GOPM" heap --exe "$tmp/exe" "$tmp/noheap.core" >"$tmp/out" 2>"$tmp/err"
r=$?
[ "$r" -eq 1 ] || say "heap without its segment: exit $r (want 1): $(head -n 1 "$tmp/err")"
grep -Eq '^gopm: warning: [1-9][0-9]* of [1-9][0-9]* heap arenas unreadable: [1-9][0-9]* of [1-9][0-9]* spans not \(wholly\) in the core, [0-9]+ allocated objects' "$tmp/err" ||
	say "unreadable arenas not said: $(head -n 2 "$tmp/err")"
grep -q '^objects: ' "$tmp/out" || say "heap without its segment: no report printed"
timeout 120 "$GOPM" heap --json --exe "$tmp/exe" "$tmp/noheap.core" >"$tmp/out" 2>/dev/null
r=$?
[ "$r" -eq 1 ] || say "heap --json without its segment: exit $r (want 1)"
python3 -c '
import json, sys
w = json.load(open(sys.argv[1]))["warnings"]
sys.exit(not any("heap arenas unreadable" in x for x in w))' "$tmp/out" ||
	say "heap --json: the unreadable arenas are not in warnings"
timeout 120 "$GOPM" goroutines --exe "$tmp/exe" "$tmp/noheap.core" >"$tmp/out" 2>"$tmp/err"
r=$?
[ "$r" -eq 1 ] || say "goroutines without the heap: exit $r (want 1): $(head -n 1 "$tmp/err")"
grep -q '^gopm: warning: allgs\[0\] .* not in the core' "$tmp/err" ||
	say "goroutines without the heap: not said: $(head -n 1 "$tmp/err")"
# analyze reads the heap too: its loss is in analyze's warnings, not dropped.
timeout 120 "$GOPM" analyze --no-store --json --exe "$tmp/exe" "$tmp/noheap.core" >"$tmp/out" 2>/dev/null
r=$?
[ "$r" -eq 1 ] || say "analyze without the heap's segment: exit $r (want 1)"
python3 -c '
import json, sys
w = [x for s in json.load(open(sys.argv[1]))["snapshots"] for x in s.get("warnings", [])]
sys.exit(not any("heap: " in x and "heap arenas unreadable" in x for x in w))' "$tmp/out" ||
	say "analyze --json: the heap walker warning is not in warnings"
echo "ok: the heap's segment dropped: heap, goroutines and analyze say so, exit 1"

# A hole over one goroutine's stack: every goroutine still listed, the cut one said.
cp "$tmp/core" "$tmp/nostack.core"
i=$(python3 "$tmp/patch.py" "$tmp/nostack.core" hole-stack "$allgs") || say "cutting a stack"
timeout 120 "$GOPM" goroutines --exe "$tmp/exe" "$tmp/nostack.core" >"$tmp/out" 2>"$tmp/err"
r=$?
[ "$r" -eq 1 ] || say "a stack not in the core: exit $r (want 1): $(head -n 1 "$tmp/err")"
grep -q '^gopm: warning: .*not in the \(core\|dump\)' "$tmp/err" ||
	say "a stack not in the core: not said: $(head -n 2 "$tmp/err")"
listed=$(grep -c '^goroutine [0-9]' "$tmp/out")
[ "$listed" -eq "$want" ] || say "a stack not in the core: $listed goroutines listed (want $want)"
echo "ok: the stack of allgs[${i:-?}] cut out: said, exit 1, $listed goroutines listed"

# A hole over the second half of allgs: the first half listed, the rest said lost.
cp "$tmp/core" "$tmp/halfallgs.core"
keep=$(python3 "$tmp/patch.py" "$tmp/halfallgs.core" hole-allgs "$allgs") || say "cutting allgs"
timeout 120 "$GOPM" goroutines --exe "$tmp/exe" "$tmp/halfallgs.core" >"$tmp/out" 2>"$tmp/err"
r=$?
[ "$r" -eq 1 ] || say "half of allgs not in the core: exit $r (want 1): $(head -n 1 "$tmp/err")"
lost=$(grep -c '^gopm: warning: allgs\[[0-9]*\] at .* is not in the core' "$tmp/err")
[ "$lost" -eq $((${n:-0} - ${keep:-0})) ] || say "half of allgs: $lost entries said lost (want $((${n:-0} - ${keep:-0})))"
listed=$(grep -c '^goroutine [0-9]' "$tmp/out")
[ "$listed" -ge 1 ] && [ "$listed" -le "${keep:-0}" ] ||
	say "half of allgs: $listed goroutines listed (want 1..${keep:-0})"
echo "ok: allgs[${keep:-?}..$n) cut out: $lost said, $listed goroutines listed"
[ "$fail" -eq 0 ]
