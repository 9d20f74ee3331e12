#!/usr/bin/env python3
"""json-compare.py ANALYZE.json N SHOW.json: whether snapshot N of an `analyze --json`
document equals the snapshot of a `show --json` document, leaving out what the archive
does not keep (doc/json.md, "show"). Prints the differences."""
import json
import sys

# Members of the analysis snapshot the archive does not store.
NOT_STORED = {
    ("process", "arch"), ("process", "signal"), ("process", "live_snapshot"),
    ("process", "stop_signal"), ("warnings",), ("groups", "*", "signature"),
}


def strip(x, path=()):
    if isinstance(x, dict):
        return {k: strip(v, path + (k,)) for k, v in x.items() if path + (k,) not in NOT_STORED}
    if isinstance(x, list):
        return [strip(v, path + ("*",)) for v in x]
    return x


def diff(a, b, path=""):
    if type(a) is not type(b):
        yield "%s: %r != %r" % (path, a, b)
    elif isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in b:
                yield "%s/%s: only in analyze" % (path, k)
            elif k not in a:
                yield "%s/%s: only in show" % (path, k)
            else:
                yield from diff(a[k], b[k], "%s/%s" % (path, k))
    elif isinstance(a, list):
        if len(a) != len(b):
            yield "%s: %d items != %d" % (path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            yield from diff(x, y, "%s/%d" % (path, i))
    elif a != b:
        yield "%s: %r != %r" % (path, a, b)


analyze = json.load(open(sys.argv[1]))
show = json.load(open(sys.argv[3]))
a = strip(analyze["snapshots"][int(sys.argv[2])])
s = strip(show["snapshots"][0])
d = list(diff(a, s))
for line in d[:20]:
    print("  " + line)
sys.exit(1 if d else 0)
