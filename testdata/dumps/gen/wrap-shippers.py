#!/usr/bin/env python3
"""wrap-shippers.py — the runtime's own text, wrapped as log shippers wrap it.

Usage: testdata/dumps/gen/wrap-shippers.py   (from the repository's top directory)

Reads testdata/dumps/variants/shippers/NAME.txt (real output of the programs under
testdata/dumps/gen/shippers/NAME, Go 1.19, built with -trimpath, GOTRACEBACK=all) and
writes NAME.SHIPPER.log beside it, each as that shipper writes the text:

  long.logcat-runtime   the Go runtime on Android (runtime/write_err_android.go): one logd
                        record per line, a line longer than 1008 bytes in 1008-byte records,
                        shown by `adb logcat` (threadtime: date, pid, tid, level, tag "Go")
  long.gomobile         gomobile's stderr redirect (tag GoLog, a 1024-byte line reader),
                        shown by `adb logcat -v brief`
  long.squeezed         "panic:V" and "goroutine 1[running]:": blanks a paste lost
  long.zap-cut          a zap record whose stacktrace holds the dump, shown at 120 columns
                        and cut at 9/10 of its bytes (the dump must be said to be cut)
  long.zap-limit-cut    a zap record holding the dump, cut at a shipper's 2 KiB line limit
                        (inside the panic value); the next record goes on after it
  long.docker-header-cut  docker json-file records, the paste stopped inside the record
                        of the first goroutine header
  long.journald-cut     `journalctl -o json` of one message holding the dump, cut inside
                        the first goroutine header
  long.logfmt-cut       a logfmt record's trace="…" holding the dump, cut inside the value
  many.logcat-app-cut   an Android app that logs the dump as one message (Log.e, tag
                        "GoCrash"), shown by `adb logcat` (threadtime): liblog cuts the
                        record's payload (priority, tag and NUL, message and NUL) at 4068
                        bytes and drops the rest; each line of the message behind the same
                        header; the next message is another app's
  uni.mojibake          UTF-8 shown as Windows-1252 and saved again as UTF-8
  uni.uescape           characters beyond ASCII as \\uXXXX (an ASCII-only writer)
"""
import json
import os

D = 'testdata/dumps/variants/shippers'


def lines(name):
    with open(os.path.join(D, name + '.txt'), encoding='utf-8') as f:
        return f.read().rstrip('\n').split('\n')


def write(name, text):
    with open(os.path.join(D, name + '.log'), 'w', encoding='utf-8', newline='') as f:
        f.write(text)


def pieces(line, size):
    return [line[k:k + size] for k in range(0, len(line), size)] or ['']


def logcat_runtime(ls):
    out = []
    for i, l in enumerate(ls):
        for p in pieces(l, 1008):
            out.append('05-01 10:00:%02d.%03d  4242  4260 E Go      : %s\n' % (i // 100, i % 1000, p))
    return ''.join(out)


def gomobile(ls):
    return ''.join('E/GoLog   ( 4242): %s\n' % p for l in ls for p in pieces(l, 1024))


def squeezed(ls):
    out = []
    for l in ls:
        if l.startswith('panic: '):
            l = 'panic:' + l[7:]
        elif l.startswith('goroutine ') and ' [' in l:
            l = l.replace(' [', '[', 1)
        out.append(l + '\n')
    return ''.join(out)


def zap_cut(ls):
    rec = json.dumps({"level": "error", "ts": 1714557600.1, "msg": "panic",
                      "stacktrace": '\n'.join(ls) + '\n'}, separators=(',', ':'))
    rec = rec[:len(rec) * 9 // 10]
    return ''.join(rec[k:k + 120] + '\n' for k in range(0, len(rec), 120))


def zap_limit_cut(ls):
    rec = json.dumps({"level": "error", "ts": 1714557600.1, "caller": "app/main.go:40",
                      "msg": "panic", "stacktrace": '\n'.join(ls) + '\n'},
                     separators=(',', ':'))
    after = json.dumps({"level": "info", "ts": 1714557601.2, "msg": "restarting"},
                       separators=(',', ':'))
    return rec[:2048] + '\n' + after + '\n'


def docker_header_cut(ls):
    recs = [json.dumps({"log": l + '\n', "stream": "stderr",
                        "time": "2024-05-01T10:00:00.%09dZ" % i}) for i, l in enumerate(ls)]
    k = next(i for i, l in enumerate(ls) if l.startswith('goroutine '))
    return '\n'.join(recs[:k]) + '\n' + recs[k][:len('{"log": "goroutine 1 [runn')]


def journald_cut(ls):
    rec = json.dumps({"__REALTIME_TIMESTAMP": "1714557600000000", "PRIORITY": "3",
                      "_HOSTNAME": "node1", "SYSLOG_IDENTIFIER": "app",
                      "MESSAGE": '\n'.join(ls) + '\n'})
    return rec[:rec.index('\\ngoroutine ') + len('\\ngoroutine 1 [runn')]


def logfmt_cut(ls):
    esc = ('\n'.join(ls) + '\n').replace('\\', '\\\\').replace('"', '\\"')
    esc = esc.replace('\n', '\\n').replace('\t', '\\t')
    rec = 'time=2024-05-01T10:00:00Z level=error msg="panic recovered" trace="' + esc + '"'
    return rec[:1500] + '\n'


def logcat_message(text, tag, head):
    """One Android log message as logcat shows it: cut at liblog's 4068-byte payload."""
    b = text.encode('utf-8')[:4068 - 1 - (len(tag) + 1)]
    return ''.join(head + l + '\n' for l in b.decode('utf-8', 'ignore').split('\n'))


def logcat_app_cut(ls):
    tag = 'GoCrash'
    head = '05-01 10:00:00.123  4242  4260 E %-8s: ' % tag
    after = '05-01 10:00:00.131  1102  1130 I ActivityManager: Process com.example.app ' \
            '(pid 4242) has died: fg  TOP\n'
    return logcat_message('\n'.join(ls) + '\n', tag, head) + after


def mojibake(ls):
    out = []
    for ch in '\n'.join(ls) + '\n':
        if ord(ch) < 0x80:
            out.append(ch)
            continue
        for b in ch.encode('utf-8'):
            try:
                out.append(bytes([b]).decode('cp1252'))
            except UnicodeDecodeError:
                out.append(chr(b))
    return ''.join(out)


def uescape(ls):
    return ''.join(c if ord(c) < 0x80 else '\\u%04x' % ord(c) for c in '\n'.join(ls) + '\n')


long_, uni, many = lines('long'), lines('uni'), lines('many')
write('long.logcat-runtime', logcat_runtime(long_))
write('long.gomobile', gomobile(long_))
write('long.squeezed', squeezed(long_))
write('long.zap-cut', zap_cut(long_))
write('long.zap-limit-cut', zap_limit_cut(long_))
write('long.docker-header-cut', docker_header_cut(long_))
write('long.journald-cut', journald_cut(long_))
write('long.logfmt-cut', logfmt_cut(long_))
write('many.logcat-app-cut', logcat_app_cut(many))
write('uni.mojibake', mojibake(uni))
write('uni.uescape', uescape(uni))
