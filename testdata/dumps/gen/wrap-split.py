#!/usr/bin/env python3
"""wrap-split.py — long lines as container runtimes' log drivers cut them into pieces.

Usage: testdata/dumps/gen/wrap-split.py   (from the repository's top directory)

Reads testdata/dumps/variants/split/NAME.txt.gz (stderr) and NAME.stdout.gz (stdout), real
output of testdata/dumps/gen/shippers/NAME (Go 1.19, -trimpath, GOTRACEBACK=all), and writes
NAME.SHIPPER.log.gz beside them, as that runtime stores the two streams:

  docker-json     dockerd's json-file driver: its copier (daemon/logger/copier.go) cuts a
                  line at its 16 KiB buffer; every piece but the last has a "log" without
                  its "\\n". The stdout and stderr copiers run side by side: their records
                  interleave
  journald        dockerd's journald driver, as `journalctl -o json` prints it: MESSAGE
                  without the line end, CONTAINER_PARTIAL_MESSAGE=true on every piece but
                  the last, CONTAINER_PARTIAL_ID/_ORDINAL/_LAST (_LAST "false" on all: docker
                  wrote it so for years), PRIORITY 6 for stdout and 3 for stderr
  fluentd         dockerd's fluentd driver, records as fluentd's out_file writes them in
                  JSON: partial_message "true" on every piece, partial_id, partial_ordinal,
                  partial_last "true" on the last
  fluentd-old     the same driver before partial_id (Docker 18.06): partial_message on the
                  pieces before the last only
  cri-containerd  containerd's CRI log (/var/log/pods/…): "TIME STREAM P|F CONTENT", lines
                  cut at max_container_log_line_size (16384), pieces tagged P, the last F;
                  stdout's pieces between stderr's
  logcat-app-cut  an Android app that logs the stderr text as one message (Log.e, tag
                  "GoCrash"), shown by `adb logcat -v brief`: liblog cuts the record's
                  payload (priority, tag and NUL, message and NUL) at 4068 bytes, inside
                  the panic value, and drops the rest
  cri-o           CRI-O's conmon: the same format, but a piece is what one read of its
                  8192-byte buffer held: any line across a read's end is cut there, at any
                  length (a frame line too); the offset is written +00:00
"""
import gzip
import json
import os

D = 'testdata/dumps/variants/split'
PIECE = 16 * 1024


def read(name):
    with gzip.open(os.path.join(D, name), 'rb') as f:
        return f.read().decode('utf-8')


def write(name, text):
    with open(os.path.join(D, name + '.log.gz'), 'wb') as raw:
        with gzip.GzipFile(fileobj=raw, mode='wb', compresslevel=9, mtime=0,
                           filename='') as f:
            f.write(text.encode('utf-8'))


def docker_pieces(text):
    """dockerd's copier: (piece, last) for each message; pieces without the line end."""
    out = []
    for line in text.rstrip('\n').split('\n'):
        b = line.encode('utf-8')
        while len(b) >= PIECE:
            out.append((b[:PIECE].decode('utf-8'), False))
            b = b[PIECE:]
        out.append((b.decode('utf-8'), True))
    return out


def interleave(a, b):
    """The two copiers' messages, taken in turn while both have some (stderr first)."""
    out = []
    for i in range(max(len(a), len(b))):
        if i < len(b):
            out.append(b[i])
        if i < len(a):
            out.append(a[i])
    return out


def stamp(i, sep='Z'):
    return '2024-05-01T10:00:%02d.%09d%s' % (i // 1000 % 60, i % 1000 * 1000, sep)


def go_json(v):  # encoding/json, as dockerd marshals: <, >, & escaped
    s = json.dumps(v, ensure_ascii=False, separators=(',', ':'))
    return s.replace('<', '\\u003c').replace('>', '\\u003e').replace('&', '\\u0026')


def streams(stdout, stderr, cut):
    return interleave([('stdout',) + p for p in cut(stdout)],
                      [('stderr',) + p for p in cut(stderr)])


def docker_json(stdout, stderr):
    out = []
    for i, (st, piece, last) in enumerate(streams(stdout, stderr, docker_pieces)):
        out.append(go_json({'log': piece + ('\n' if last else ''), 'stream': st,
                            'time': stamp(i)}) + '\n')
    return ''.join(out)


CID = 'f3b1c2d4e5a6978812345678901234567890abcdefabcdefabcdefabcdef0123'


def partial_ids(msgs):
    """(stream, piece, last, id, ordinal) with dockerd's partial ids (one per cut line)."""
    out, ordinal, n = [], {}, 0
    for st, piece, last in msgs:
        o = ordinal.get(st, 0) + 1
        cut = not (last and o == 1)
        pid = '%064x' % (n * 7919 + (st == 'stderr')) if cut else ''
        out.append((st, piece, last, pid if cut else '', o if cut else 0))
        ordinal[st] = 0 if last else o
        n += last
    return out


def journald(stdout, stderr):
    out = []
    for i, (st, piece, last, pid, o) in enumerate(
            partial_ids(streams(stdout, stderr, docker_pieces))):
        r = {'__REALTIME_TIMESTAMP': str(1714557600000000 + i * 1000),
             'PRIORITY': '6' if st == 'stdout' else '3', 'CONTAINER_ID': CID[:12],
             'CONTAINER_ID_FULL': CID, 'CONTAINER_NAME': 'web', 'CONTAINER_TAG': CID[:12],
             'SYSLOG_IDENTIFIER': CID[:12], '_TRANSPORT': 'journal',
             '_HOSTNAME': 'node1', 'MESSAGE': piece}
        if pid:
            r.update({'CONTAINER_PARTIAL_ID': pid, 'CONTAINER_PARTIAL_ORDINAL': str(o),
                      'CONTAINER_PARTIAL_LAST': 'false'})
            if not last:
                r['CONTAINER_PARTIAL_MESSAGE'] = 'true'
        out.append(json.dumps(r, separators=(',', ':')) + '\n')
    return ''.join(out)


def fluentd(stdout, stderr, old=False):
    out = []
    for st, piece, last, pid, o in partial_ids(streams(stdout, stderr, docker_pieces)):
        r = {'container_id': CID, 'container_name': '/web', 'source': st, 'log': piece}
        if old and not last:
            r['partial_message'] = 'true'
        elif pid and not old:
            r.update({'partial_message': 'true', 'partial_id': pid,
                      'partial_ordinal': str(o), 'partial_last': 'true' if last else 'false'})
        out.append(json.dumps(r, separators=(',', ':')) + '\n')
    return ''.join(out)


def cri_containerd(stdout, stderr):
    msgs = streams(stdout, stderr, docker_pieces)
    return ''.join('%s %s %s %s\n' % (stamp(i), st, 'F' if last else 'P', piece)
                   for i, (st, piece, last) in enumerate(msgs))


def conmon_pieces(text):
    """conmon: each 8192-byte read, its lines; a read's tail without "\\n" is a piece."""
    b, out = text.encode('utf-8'), []
    for k in range(0, len(b), 8192):
        chunk = b[k:k + 8192]
        parts = chunk.split(b'\n')
        for j, p in enumerate(parts):
            if j == len(parts) - 1:
                if p:
                    out.append((p, False))
            else:
                out.append((p, True))
    # A read may end inside a UTF-8 character: conmon writes the bytes as they are.
    return [(p.decode('utf-8', 'surrogateescape'), last) for p, last in out]


def cri_o(stdout, stderr):
    msgs = streams(stdout, stderr, conmon_pieces)
    return ''.join('%s %s %s %s\n' % (stamp(i, '+00:00'), st, 'F' if last else 'P', piece)
                   for i, (st, piece, last) in enumerate(msgs))


def logcat_app_cut(stderr):
    tag = 'GoCrash'
    b = stderr.encode('utf-8')[:4068 - 1 - (len(tag) + 1)]
    return ''.join('E/%-8s( 4242): %s\n' % (tag, l)
                   for l in b.decode('utf-8', 'ignore').split('\n'))


name = 'big'
out_, err_ = read(name + '.stdout.gz'), read(name + '.txt.gz')
write(name + '.docker-json', docker_json(out_, err_))
write(name + '.journald', journald(out_, err_))
write(name + '.fluentd', fluentd(out_, err_))
write(name + '.fluentd-old', fluentd(out_, err_, old=True))
write(name + '.cri-containerd', cri_containerd(out_, err_))
write(name + '.cri-o', cri_o(out_, err_))
write(name + '.logcat-app-cut', logcat_app_cut(err_))
