#!/usr/bin/env python3
"""coreinfo.py CORE — print key=value facts from an ELF core's notes (x86-64 Linux).

signal=     the signal in the first NT_PRSTATUS (pr_cursig), i.e. what killed the process
si_signo/si_code  from NT_SIGINFO
threads=    number of NT_PRSTATUS notes
crash_tid=  pid field of the first NT_PRSTATUS (the thread that took the fatal signal)
psargs=     the command line from NT_PRPSINFO
"""
import signal
import struct
import sys


def notes(data):
    ehdr = struct.unpack_from("<16sHHIQQQIHHHHHH", data, 0)
    phoff, phentsize, phnum = ehdr[5], ehdr[9], ehdr[10]
    for i in range(phnum):
        p_type, p_flags, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align = \
            struct.unpack_from("<IIQQQQQQ", data, phoff + i * phentsize)
        if p_type != 4:  # PT_NOTE
            continue
        off, end = p_offset, p_offset + p_filesz
        while off + 12 <= end:
            namesz, descsz, ntype = struct.unpack_from("<III", data, off)
            off += 12
            name = data[off:off + namesz].rstrip(b"\0")
            off += (namesz + 3) & ~3
            desc = data[off:off + descsz]
            off += (descsz + 3) & ~3
            yield name, ntype, desc


def signame(n):
    try:
        return signal.Signals(n).name
    except ValueError:
        return str(n)


def main():
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    out = {}
    nthreads = 0
    for name, ntype, desc in notes(data):
        if name != b"CORE":
            continue
        if ntype == 1:  # NT_PRSTATUS
            nthreads += 1
            if nthreads == 1:
                cursig = struct.unpack_from("<h", desc, 12)[0]
                pid = struct.unpack_from("<i", desc, 32)[0]
                out["signal"] = signame(cursig)
                out["crash_tid_index"] = "0"
                out["_pid"] = str(pid)
        elif ntype == 0x53494749:  # NT_SIGINFO
            signo, errno_, code = struct.unpack_from("<iii", desc, 0)
            out["si_signo"] = signame(signo)
            out["si_code"] = str(code)
        elif ntype == 3:  # NT_PRPSINFO
            psargs = desc[56:136].split(b"\0")[0].decode("latin-1").strip()
            out["psargs"] = psargs
    out["threads"] = str(nthreads)
    out.pop("_pid", None)
    out.pop("crash_tid_index", None)
    for k in ("signal", "si_signo", "si_code", "threads", "psargs"):
        if k in out:
            print(f"{k}={out[k]}")


if __name__ == "__main__":
    main()
