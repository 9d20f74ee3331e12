#!/usr/bin/env python3
"""core-sweep.py: every core fixture damaged the ways cores reach a bug report.

For each fixture (testdata/cores/*/meta, testdata/corerules/goV/MODE, testdata/cores-arm64/*/meta)
the core is decompressed once and each FORM below is made from it at run time (nothing is
committed); `gopm goroutines` and `gopm analyze --no-store --json` run on it and each run is
classified against gopm's own output on the pristine core:

  exact   the same output as the pristine core's (exit 0, or exit 1 with only its warnings)
  warned  exit 1 with a warning the pristine core's run does not have
  error   exit 3, 4 or 5 with a one-line message (doc/gopm.1, EXIT STATUS)
  error+  exit 3, 4 or 5 with more than one line on stderr
  SILENT  exit 0 (or 1 without a new warning) and an output that differs: the defect class
  BADEXIT exit 2 (usage) or 6 (no such goroutine): a status that means something else
  CRASH   a signal or exit >= 7, or a timeout (HANG), or a sanitizer report (ASAN)

Each form also has the classes it may give (EXPECT: a compressed core is exact, a cut one
warned or an error, another build of the executable an error); any other is bad too.

It prints a table form x class and, with -v, one line per run that is not exact/warned/error.
Usage: core-sweep.py --write-apport CORE REPORT  (an apport crash report holding CORE)
       core-sweep.py [--fixtures GLOB,...] [--forms F,...] [--jobs N] [--expect-fixtures N]
                     [--expect-runs N] [--allow-bad] GOPM TESTDATA
Exit status: 0 when no run is bad (above) and the counts are as expected.
Needs zstd, gzip, xz and lz4 for the compressed forms (a missing tool skips its form).
"""
import argparse
import fnmatch
import glob
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import concurrent.futures

PT_LOAD, PT_NOTE = 1, 4
# Notes of the whole process: the kernel writes them after the first thread's NT_PRSTATUS;
# other writers put them elsewhere.
PROCESS_NOTES = {3, 6, 0x53494749, 0x46494C45}  # PRPSINFO, AUXV, SIGINFO, FILE
NT_FILE = 0x46494C45


class Core:
    """A 64-bit little-endian ELF core in memory: its program headers and notes."""

    def __init__(self, data):
        self.b = bytes(data)
        if self.b[:4] != b"\x7fELF" or self.b[4] != 2:
            raise ValueError("not an ELF64 file")
        self.phoff, = struct.unpack_from("<Q", self.b, 0x20)
        self.phentsize, self.phnum = struct.unpack_from("<HH", self.b, 0x36)
        self.ph = []
        for i in range(self.phnum):
            o = self.phoff + i * self.phentsize
            self.ph.append(list(struct.unpack_from("<IIQQQQQQ", self.b, o)))

    def loads(self):
        return [p for p in self.ph if p[0] == PT_LOAD]

    def notes(self):
        return [p for p in self.ph if p[0] == PT_NOTE]

    def phdr_bytes(self, ph):
        return b"".join(struct.pack("<IIQQQQQQ", *p) for p in ph)


def split_notes(buf):
    out, o = [], 0
    while o + 12 <= len(buf):
        namesz, descsz, typ = struct.unpack_from("<III", buf, o)
        n = 12 + (namesz + 3) // 4 * 4 + (descsz + 3) // 4 * 4
        if o + n > len(buf):
            break
        out.append((typ, buf[o:o + n]))
        o += n
    return out


def with_phdrs(core, ph):
    b = bytearray(core.b)
    b[core.phoff:core.phoff + len(ph) * 56] = core.phdr_bytes(ph)
    return b


def rewrite_notes(core, fn):
    """Each PT_NOTE's notes passed through fn (a list -> a list); the segment keeps its place."""
    b = bytearray(core.b)
    ph = [list(p) for p in core.ph]
    for p in ph:
        if p[0] != PT_NOTE:
            continue
        off, filesz = p[2], p[5]
        notes = fn(split_notes(core.b[off:off + filesz]))
        body = b"".join(n for _, n in notes)
        b[off:off + filesz] = body + bytes(filesz - len(body))
        p[5] = len(body)
        p[6] = 0
    b[core.phoff:core.phoff + len(ph) * 56] = core.phdr_bytes(ph)
    return b


def largest_load(core):
    return max(core.loads(), key=lambda p: p[5])


def data_start(core):
    """Where the segments' data start: the end of the notes."""
    ends = [p[2] + p[5] for p in core.notes()]
    return max(ends) if ends else core.phoff + core.phnum * 56


def cut_in(core, where):
    """A cut 1234 bytes into a page (the kernel stops mid-page when the disk is full)."""
    return min(len(core.b) - 1, where // 4096 * 4096 + 1234)


# FORM -> (function(core, ctx) -> bytes or None, suffix). None: form does not apply.
def f_cut(frac):
    def f(c, ctx):
        return c.b[:cut_in(c, int(len(c.b) * frac))]
    return f


def f_cut_notes(c, ctx):
    n = c.notes()
    return c.b[:n[0][2] + n[0][5] // 2] if n else None


def f_cut_phdrs(c, ctx):
    return c.b[:c.phoff + c.phnum * 56 // 2]


def f_cut_last_load(c, ctx):
    # Mid-way through the last segment with data: the kernel was stopped by the core ulimit.
    last = max((p for p in c.loads() if p[5]), key=lambda p: p[2])
    return c.b[:cut_in(c, last[2] + last[5] // 2)]


def gp_offsets(c, text):
    """File offsets of the g's (gp=0x... in gopm's own listing of the pristine core)."""
    offs = []
    for l in text.splitlines():
        if l.startswith("goroutine ") and " gp=0x" in l:
            gp = int(l.split(" gp=0x")[1].split()[0], 16)
            for p in c.loads():
                if p[3] <= gp < p[3] + p[5]:
                    offs.append(p[2] + gp - p[3])
    return sorted(offs)


def f_cut_mid_gs(c, ctx):
    # Half of the goroutines' g's past the end: they are to be counted, the rest read exactly.
    offs = gp_offsets(c, ctx)
    if len(offs) < 2:
        return None
    return c.b[:offs[len(offs) // 2] + 100]


def f_zero_tail(c, ctx):
    # A sparse copy gone wrong: the second half of the segments' data read back as zeros.
    b = bytearray(c.b)
    start = data_start(c)
    mid = (start + len(b)) // 2 // 4096 * 4096
    b[mid:] = bytes(len(b) - mid)
    return b


def f_zero_blocks(c, ctx):
    b = bytearray(c.b)
    start = (data_start(c) + 0xFFFFF) // 0x100000 * 0x100000
    for o in range(start, len(b), 0x200000):
        e = min(len(b), o + 0x100000)
        b[o:e] = bytes(e - o)
    return b


def f_no_notes(c, ctx):
    return with_phdrs(c, [[0] + p[1:] if p[0] == PT_NOTE else p for p in c.ph])


def f_notes_moved(c, ctx):
    return rewrite_notes(c, lambda ns: [n for n in ns if n[0] not in PROCESS_NOTES] +
                         [n for n in ns if n[0] in PROCESS_NOTES])


def f_no_nt_file(c, ctx):
    return rewrite_notes(c, lambda ns: [n for n in ns if n[0] != NT_FILE])


def f_phdrs_reversed(c, ctx):
    return with_phdrs(c, list(reversed(c.ph)))


def f_overlap(c, ctx):
    ls = c.loads()
    for a, z in zip(ls, ls[1:]):
        if a[3] + a[6] == z[3] and a[6] > 0x1000:
            ph = [list(p) for p in c.ph]
            ph[c.ph.index(z)][3] -= 0x1000
            return with_phdrs(c, ph)
    return None


def f_huge(field):
    def f(c, ctx):
        ph = [list(p) for p in c.ph]
        i = c.ph.index(largest_load(c))
        if field == "filesz":
            ph[i][5] = ph[i][6] = 0x7FFFFFFFFFFFF000
        else:
            ph[i][6] = 0xFFFFFFFFFFFFF000
        return with_phdrs(c, ph)
    return f


def f_phnum(c, ctx):
    b = bytearray(c.b)
    struct.pack_into("<H", b, 0x38, 0xFFFF)
    return b


def f_phnum_xnum(c, ctx):
    # Extended numbering as the kernel writes it past 65534 segments: e_phnum PN_XNUM, the
    # count in section header 0's sh_info.
    b = bytearray(c.b)
    while len(b) % 8:
        b.append(0)
    shoff = len(b)
    b += struct.pack("<IIQQQQIIQQ", 0, 0, 0, 0, 0, 0, 0, c.phnum, 0, 0)
    struct.pack_into("<Q", b, 0x28, shoff)
    struct.pack_into("<HHHH", b, 0x38, 0xFFFF, 64, 1, 0)
    return b


def f_elf_random(c, ctx):
    r = random.Random(len(c.b))
    return c.b[:64] + bytes(r.getrandbits(8) for _ in range(65536 * 4))


def f_empty(c, ctx):
    return b""


FORMS = {
    "pristine": (lambda c, ctx: c.b, ""),
    "zst": (lambda c, ctx: c.b, ".zst"),
    "gz": (lambda c, ctx: c.b, ".gz"),
    "xz": (lambda c, ctx: c.b, ".xz"),
    "lz4": (lambda c, ctx: c.b, ".lz4"),
    # Compressed, then cut: a download or a disk that stopped (what was decoded is read).
    "zst-cut": (lambda c, ctx: c.b, ".zst~cut"),
    "gz-cut": (lambda c, ctx: c.b, ".gz~cut"),
    # In an apport crash report (Ubuntu's /var/crash), as apport writes it; cut.
    "apport": (lambda c, ctx: c.b, ".crash"),
    "apport-zlib": (lambda c, ctx: c.b, ".crash~zlib"),
    "apport-cut": (lambda c, ctx: c.b, ".crash~cut"),
    "cut-phdrs": (f_cut_phdrs, ""),
    "cut-notes": (f_cut_notes, ""),
    "cut-10%": (f_cut(0.10), ""),
    "cut-50%": (f_cut(0.50), ""),
    "cut-90%": (f_cut(0.90), ""),
    "cut-last-load": (f_cut_last_load, ""),
    "cut-mid-gs": (f_cut_mid_gs, ""),
    "zero-tail": (f_zero_tail, ""),
    "zero-blocks": (f_zero_blocks, ""),
    "no-notes": (f_no_notes, ""),
    "notes-moved": (f_notes_moved, ""),
    "no-nt-file": (f_no_nt_file, ""),
    "phdrs-reversed": (f_phdrs_reversed, ""),
    "overlap": (f_overlap, ""),
    "huge-filesz": (f_huge("filesz"), ""),
    "huge-memsz": (f_huge("memsz"), ""),
    "phnum-65535": (f_phnum, ""),
    "phnum-xnum": (f_phnum_xnum, ""),
    "elf-random": (f_elf_random, ""),
    "empty": (f_empty, ""),
    # The executable side: the core pristine, the executable another build.
    "exe-rebuilt": (None, ""),
    "exe-strip-swap": (None, ""),
    "exe-other-arch": (None, ""),
    "exe-not-go": (None, ""),
    "exe-beside": (None, ""),
    "exe-beside-wrong": (None, ""),
}
# What each form may give; anything else is counted as unexpected (and fails the sweep).
SAME = {"exact"}
DAMAGED = {"warned", "error"}
EXPECT = {f: SAME for f in ("pristine", "zst", "gz", "xz", "lz4", "notes-moved", "phdrs-reversed",
                            "phnum-xnum", "exe-beside", "apport", "apport-zlib")}
EXPECT.update({f: DAMAGED for f in ("cut-phdrs", "cut-notes", "cut-10%", "cut-50%", "cut-90%",
                                    "cut-last-load", "cut-mid-gs", "no-notes", "overlap",
                                    "huge-filesz", "huge-memsz", "phnum-65535", "elf-random",
                                    "empty", "zst-cut", "gz-cut", "apport-cut")})
# Zeroed pages look like memory that was zero: said when a structure is missing, else exact.
EXPECT.update({f: SAME | DAMAGED for f in ("zero-tail", "zero-blocks", "no-nt-file")})
EXPECT.update({f: {"error"} for f in ("exe-rebuilt", "exe-strip-swap", "exe-other-arch",
                                     "exe-not-go", "exe-beside-wrong")})
COMPRESS = {".zst": ["zstd", "-q", "-1"], ".gz": ["gzip", "-1"], ".xz": ["xz", "-0", "-T1"],
            ".lz4": ["lz4", "-q", "-1"]}


def apport_report(path, out, legacy=False):
    """Writes the core at path into an apport crash report the way apport's problem_report
    writes a binary field: "CoreDump: base64", then lines of a blank and base64, each of
    what the compressor gave for a 1 MiB block, together one gzip stream (header, raw
    deflate, crc and size) or, in reports before 2009, one zlib stream."""
    import base64
    import struct
    import zlib
    with open(out, "wb") as f:
        f.write(b"ProblemType: Crash\nArchitecture: amd64\nDate: Sun Dec  6 15:31:00 2026\n"
                b"ExecutablePath: /usr/bin/app\nProcMaps:\n 00400000-00401000 r--p 00000000 "
                b"08:01 1 /usr/bin/app\n 7ffc0000-7ffc1000 rw-p 00000000 00:00 0 [stack]\n"
                b"Signal: 6\nCoreDump: base64\n ")
        if legacy:
            c = zlib.compressobj()
        else:
            f.write(base64.b64encode(b"\037\213\010\010\000\000\000\000\002\377CoreDump\000")
                    + b"\n ")
            c = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS, zlib.DEF_MEM_LEVEL, 0)
        crc, size = zlib.crc32(b""), 0
        with open(path, "rb") as g:
            for block in iter(lambda: g.read(1 << 20), b""):
                size += len(block)
                crc = zlib.crc32(block, crc)
                o = c.compress(block)
                if o:
                    f.write(base64.b64encode(o) + b"\n ")
        tail = c.flush()
        if not legacy:
            tail += struct.pack("<LL", crc & 0xFFFFFFFF, size & 0xFFFFFFFF)
        f.write(base64.b64encode(tail) + b"\nUserGroups: N/A\n")


def cut_file(path, frac=0.6):
    with open(path, "r+b") as f:
        f.truncate(int(os.path.getsize(path) * frac))


BAD = ("SILENT", "BADEXIT", "CRASH", "HANG", "ASAN", "error+")


def fixtures(td):
    out = []
    for m in sorted(glob.glob(os.path.join(td, "cores", "*", "meta")) +
                    glob.glob(os.path.join(td, "cores-arm64", "*", "meta"))):
        meta = dict(l.rstrip("\n").split("=", 1) for l in open(m) if "=" in l)
        d = os.path.dirname(m)
        out.append({"name": os.path.relpath(d, td), "core": os.path.join(d, "core.zst"),
                    "exe": os.path.join(td, meta["exe"]), "arch": meta.get("arch", "amd64")})
    for e in sorted(glob.glob(os.path.join(td, "corerules", "go*", "exe.zst"))):
        for c in sorted(glob.glob(os.path.join(os.path.dirname(e), "*", "core.zst"))):
            out.append({"name": os.path.relpath(os.path.dirname(c), td), "core": c, "exe": e,
                        "arch": "amd64"})
    return out


def other_exes(fx, td):
    """Other builds for the executable-side forms, by the names in testdata/exe."""
    exe = os.path.basename(fx["exe"])[:-len(".zst")]
    names = [os.path.basename(p)[:-len(".zst")] for p in glob.glob(os.path.join(td, "exe", "*.zst"))]
    path = lambda n: os.path.join(td, "exe", n + ".zst") if n else None
    arm = exe.startswith("arm64-")
    base = exe[len("arm64-"):] if arm else exe
    parts = base.split("-")
    rebuilt = strip = None
    if fx["name"].startswith("corerules/"):
        v = fx["name"].split("/")[1]
        o = [p for p in glob.glob(os.path.join(td, "corerules", "go*", "exe.zst")) if f"/{v}/" not in p]
        rebuilt = o[0] if o else None
    elif parts[0].startswith("go1."):
        pre = "arm64-" if arm else ""
        same = [n for n in names if n.startswith("arm64-") == arm and n != exe and
                n[len(pre):].split("-")[1:] == parts[1:] and n[len(pre):].startswith("go1.")]
        rebuilt = path(sorted(same)[0]) if same else None
        swap = {"dwarf": "stripped", "stripped": "dwarf", "pie": "piestripped",
                "piestripped": "pie"}.get(parts[-1])
        cand = pre + "-".join(parts[:-1] + [swap]) if swap else None
        strip = path(cand) if cand in names else None
    else:  # esbuild-0.15.18 <-> esbuild-0.28.2
        same = [n for n in names if n != exe and n.split("-")[0] == exe.split("-")[0]]
        rebuilt = path(sorted(same)[0]) if same else None
    if arm:
        arch = path(base) if base in names else path("go1.22-hang-stripped")
    else:
        arch = path("arm64-" + base) if "arm64-" + base in names else path("arm64-go1.22-hang-stripped")
    return {"exe-rebuilt": rebuilt, "exe-strip-swap": strip, "exe-other-arch": arch}


def unzstd(src, dst):
    subprocess.run(["zstd", "-q", "-d", "-f", "--long=27", "-o", dst, src], check=True)


def normalise(cmd, out, core, exe):
    if cmd == "goroutines":
        return out
    try:
        j = json.loads(out)
    except ValueError:
        return out
    def walk(x):
        if isinstance(x, dict):
            return {k: walk(v) for k, v in x.items()
                    if k not in ("warnings", "input", "file", "executable", "executable_read")}
        if isinstance(x, list):
            return [walk(v) for v in x]
        if isinstance(x, str):
            return x.replace(core, "CORE").replace(exe or "\0", "EXE")
        return x
    return json.dumps(walk(j), sort_keys=True)


def json_warnings(out):
    try:
        j = json.loads(out)
    except ValueError:
        return set()
    w = set(j.get("warnings", []))
    for s in j.get("snapshots", []):
        w |= set(s.get("warnings", []))
    return w


def run(gopm, cmd, core, exe, env, timeout):
    argv = [gopm, cmd] + (["--no-store", "--json"] if cmd == "analyze" else [])
    argv += (["--exe", exe] if exe else []) + [core]
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, env=env,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def classify(cmd, r, base, core, exe):
    if r is None:
        return "HANG", "timeout"
    rc, out, err = r
    if "Sanitizer" in err or "runtime error:" in err:
        return "ASAN", next((l for l in err.splitlines() if "ERROR" in l or "runtime error" in l), "")
    first = err.splitlines()[0] if err else ""
    if rc < 0 or rc >= 7:
        return "CRASH", f"exit {rc}: {first}"
    if rc in (2, 6):  # usage; no such goroutine: not what a damaged core should say
        return "BADEXIT", f"exit {rc}: {first}"
    if rc in (3, 4, 5):
        lines = err.strip("\n").split("\n")
        return ("error" if len(lines) == 1 else "error+"), f"exit {rc}: {first}"
    brc, bout, berr = base[:3]
    same = normalise(cmd, out, core, exe) == normalise(cmd, bout, base[3], base[4])
    new = ({l for l in err.splitlines() if "warning" in l} -
           {l for l in berr.splitlines() if "warning" in l})
    if cmd == "analyze":
        new |= json_warnings(out) - json_warnings(bout)
    if rc == 1 and new:
        why = sorted(new)[0]
        if cmd == "goroutines":
            # What was read must be what the pristine core gave: blocks not in it are said.
            old = set(bout.split("\n\n"))
            changed = [b for b in out.split("\n\n") if b not in old]
            listed = sum(1 for l in out.splitlines() if l.startswith("goroutine "))
            blisted = sum(1 for l in bout.splitlines() if l.startswith("goroutine "))
            why = f"{listed}/{blisted} listed, {len(changed)} changed, {len(new)} new warnings: {why}"
        return "warned", why
    if same:
        return "exact", ""
    return "SILENT", f"exit {rc}: {first}"


def sweep_one(fx, forms, a, td):
    res = []
    tmp = tempfile.mkdtemp(prefix="core-sweep.", dir=a.tmpdir)
    try:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NO_COLOR": "1",
               "HOME": tmp, "XDG_CACHE_HOME": os.path.join(tmp, "cache"),
               "XDG_DATA_HOME": os.path.join(tmp, "data"),
               "GOPM_DEBUG_ROOT": os.path.join(tmp, "no-debug-root"),
               "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "detect_leaks=1"),
               "UBSAN_OPTIONS": os.environ.get("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")}
        pristine = os.path.join(tmp, "pristine.core")
        exe = os.path.join(tmp, "exe")
        unzstd(fx["core"], pristine)
        unzstd(fx["exe"], exe)
        core = Core(open(pristine, "rb").read())
        base = {}
        for cmd in ("goroutines", "analyze"):
            r = run(a.gopm, cmd, pristine, exe, env, a.timeout)
            if r is None or r[0] not in (0, 1):
                res.append((fx["name"], "pristine", cmd, "CRASH" if r else "HANG",
                            "pristine core: " + (f"exit {r[0]}: {r[2][:200]}" if r else "timeout")))
                return res
            base[cmd] = r + (pristine, exe)
            res.append((fx["name"], "pristine", cmd, "exact", ""))
        others = other_exes(fx, td)
        progname = os.path.basename(json.loads(base["analyze"][1])["snapshots"][0]["process"]
                                    .get("executable", "") or "prog")
        for form in forms:
            if form == "pristine":
                continue
            fn, suffix = FORMS[form]
            cexe = exe
            d = os.path.join(tmp, form)
            os.mkdir(d)
            path = os.path.join(d, "core")
            if fn is None:
                os.link(pristine, path)
                if form in others:
                    if not others[form]:
                        continue
                    cexe = os.path.join(d, "other-exe")
                    unzstd(others[form], cexe)
                elif form == "exe-not-go":
                    cexe = os.path.join(d, "true")
                    shutil.copy("/bin/true", cexe)
                elif form == "exe-beside":
                    shutil.copy(exe, os.path.join(d, progname))
                    cexe = None
                elif form == "exe-beside-wrong":
                    o = others.get("exe-rebuilt") or others.get("exe-strip-swap")
                    if not o:
                        continue
                    unzstd(o, os.path.join(d, progname))
                    cexe = None
            else:
                data = fn(core, base["goroutines"][1])
                if data is None:
                    continue
                with open(path, "wb") as f:
                    f.write(data)
                del data
                suffix, _, how = suffix.partition("~")
                if suffix == ".crash":
                    apport_report(path, path + suffix, legacy=how == "zlib")
                    os.unlink(path)
                    path += suffix
                elif suffix:
                    if not shutil.which(COMPRESS[suffix][0]):
                        continue
                    with open(path + suffix, "wb") as f:
                        subprocess.run(COMPRESS[suffix] + ["-c", path], stdout=f, check=True)
                    os.unlink(path)
                    path += suffix
                if how == "cut":
                    cut_file(path)
            for cmd in ("goroutines", "analyze"):
                r = run(a.gopm, cmd, path, cexe, env, a.timeout)
                cls, why = classify(cmd, r, base[cmd], path, cexe)
                res.append((fx["name"], form, cmd, cls, why))
            shutil.rmtree(d)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return res


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--write-apport":  # for tests/cli/source.sh
        apport_report(sys.argv[2], sys.argv[3])
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument("gopm")
    ap.add_argument("testdata")
    ap.add_argument("--fixtures", default="*")
    ap.add_argument("--forms", default=",".join(FORMS))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=60)
    ap.add_argument("--expect-fixtures", type=int)
    ap.add_argument("--expect-runs", type=int)
    ap.add_argument("--allow-bad", action="store_true")
    ap.add_argument("--tmpdir", default=None)
    ap.add_argument("-v", action="store_true")
    ap.add_argument("--log")
    a = ap.parse_args()
    forms = a.forms.split(",")
    for f in forms:
        if f not in FORMS:
            sys.exit(f"core-sweep: unknown form {f}")
    pats = a.fixtures.split(",")
    fxs = [f for f in fixtures(a.testdata) if any(fnmatch.fnmatch(f["name"], p) for p in pats)]
    print(f"core-sweep: {len(fxs)} fixtures, {len(forms)} forms", flush=True)
    rc = 0
    if a.expect_fixtures is not None and len(fxs) != a.expect_fixtures:
        print(f"FAIL: {len(fxs)} fixtures (want {a.expect_fixtures})")
        rc = 1
    results = []
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
        for r in ex.map(lambda fx: sweep_one(fx, forms, a, a.testdata), fxs):
            results += r
            if a.log:
                with open(a.log, "a") as f:
                    for x in r:
                        f.write("\t".join(map(str, x)) + "\n")
    classes = ["exact", "warned", "error", "error+", "BADEXIT", "SILENT", "CRASH", "HANG", "ASAN"]
    print(f"{'form':16}" + "".join(f"{c:>8}" for c in classes))
    for form in forms:
        row = [sum(1 for r in results if r[1] == form and r[3] == c) for c in classes]
        if sum(row):
            print(f"{form:16}" + "".join(f"{n:8}" for n in row))
    bad = [r for r in results if r[3] in BAD or r[3] not in EXPECT[r[1]]]
    for r in results:
        if r[3] in BAD or a.v:
            print("  " + " ".join(map(str, r)))
    print(f"core-sweep: {len(results)} runs, {len(bad)} bad")
    if a.expect_runs is not None and len(results) != a.expect_runs:
        print(f"FAIL: {len(results)} runs (want {a.expect_runs})")
        rc = 1
    if bad and not a.allow_bad:
        rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
