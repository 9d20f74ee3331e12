#!/bin/sh
# Keyset paging of the incidents and clusters lists (tui/list.c, tui_pane_ops.fetch_key): in
# an archive of 3,000 incidents in 1,000 clusters (rows cloned from one stored dump, each
# incident its own minute and headline "incident NNNNN", clusters of 2 to 4 incidents so
# their natural order, count then id, has many ties), pages in the middle are read from a
# known row's key after PgDn, PgUp, G, k and searches. After each move Enter opens the
# cursor's row: the incident (or the cluster's incidents) must be the one the status line's
# row number says in the order worked out here, and the rows on screen consecutive in it.
# Then every other sort of the incidents, clusters and heap lists, both directions
# (tui_pane_ops.fetch_sorted), against the whole order sorted here.
set -u
: "${GOPM:?}" "${top_srcdir:?}"
command -v python3 >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
export LC_ALL=C.UTF-8 TERM=xterm
unset NO_COLOR GOPM_TUI_SCRIPT
"$GOPM" ingest --db "$tmp/a.db" "$top_srcdir/testdata/dumps/go1.19-deadlock-single.txt" \
	>/dev/null 2>&1 || { echo "FAIL: ingest"; exit 1; }
python3 - "$tmp/a.db" <<'PY' || { echo "FAIL: cannot clone the incidents"; exit 1; }
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
cols = [r[1] for r in db.execute("PRAGMA table_info(incidents)") if r[1] not in ("id", "list_text")]
db.execute("DELETE FROM incident_signatures")
db.execute("DELETE FROM signatures")
db.execute("DELETE FROM clusters")
sel = ", ".join("?" if c in ("snapshot", "time", "headline") else c for c in cols)
for k in range(1, 3001):
    # Incident k+1 (k = 1..3000 after the original, removed below): minute k.
    db.execute("INSERT INTO incidents (%s) SELECT %s FROM incidents WHERE id = 1"
               % (", ".join(cols), sel),
               [v for c in cols for v in
                ([k] if c == "snapshot" else [1717200000 + 60 * k] if c == "time"
                 else ["incident %05d" % k] if c == "headline" else [])])
db.execute("DELETE FROM incidents WHERE id = 1")
# For the other sorts (below): ties in each key, 3 Go versions, 4 executables (builds of a
# cluster), goroutine counts 0-6. Incident k is id k + 1.
for k in range(1, 3001):
    db.execute("UPDATE incidents SET go_version = ?, exe = ?, goroutines = ? WHERE id = ?",
               (["go1.19.8", "go1.21.0", None][k % 3], ["/a/srv", "/b/api", None, "/c/srv"][k % 4],
                k % 7, k + 1))
for c in range(1, 1001):
    db.execute("INSERT INTO clusters (id, algorithm, kind, created) VALUES (?, 2, 'x', 0)", (c,))
    db.execute("INSERT INTO signatures (id, algorithm, hash, kind, frames, cluster_id) "
               "VALUES (?, 2, printf('%016x', ?), 'x', 'f', ?)", (c, c, c))
for k in range(1, 3001):
    c = 1 + k % 1000 if k <= 2000 else 1 + (k * 7) % 300
    db.execute("INSERT INTO incident_signatures (incident_id, algorithm, signature_id) "
               "SELECT id, 2, ? FROM incidents WHERE headline = ?", (c, "incident %05d" % k))
db.commit()
PY
moves='PgDn PgDn PgDn|PgUp PgUp PgUp PgUp PgUp PgUp|G|k k k|PgUp PgUp|/incident 01500|PgDn|j j j|PgUp PgUp PgUp|/incident 02990|PgDn PgDn|g'
# The incidents list, then the clusters list, at 80x40: the list has 17 rows.
for list in i c; do
	{
		printf ':resize 80x40\n%s\n' "$list"
		i=0
		echo "$moves" | tr '|' '\n' | while read -r m; do
			i=$((i + 1))
			case $m in
			# The clusters list has no search by key: from the first row, 20 pages down
			# instead, past the rows of the page read before.
			/*) [ "$list" = i ] && printf '%s\nEnter\n' "$m" || { echo g; yes PgDn | head -20; } ;;
			*) echo "$m" | tr ' ' '\n' ;;
			esac
			printf ':save %s-list-%d.txt\nEnter\n:save %s-open-%d.txt\nq\n' "$list" "$i" "$list" "$i"
		done
	} >"$tmp/keys-$list"
	(cd "$tmp" && "$GOPM" tui --db "$tmp/a.db" --script "$tmp/keys-$list") >/dev/null 2>"$tmp/err" || {
		echo "FAIL: gopm tui ($list) exit $?"
		cat "$tmp/err"
		exit 1
	}
done
n=$(echo "$moves" | tr '|' '\n' | wc -l)
python3 - "$tmp" "$n" <<'PY'
import re, sys
tmp, n = sys.argv[1], int(sys.argv[2])
# Incidents newest first: incident k is row 3001 - k. Clusters by count, then id.
count = {}
for k in range(1, 3001):
    c = 1 + k % 1000 if k <= 2000 else 1 + (k * 7) % 300
    count[c] = count.get(c, 0) + 1
incidents = list(range(3000, 0, -1))
clusters = sorted(count, key=lambda c: (-count[c], c))
fail = checked = 0
for lst, order, total, row_re, open_re in (
        ("i", incidents, 3000, r"incident (\d{5})", r"^Incident (\d+) "),
        ("c", clusters, len(clusters), r"^\s*(\d+) new\s", r"^Incidents of cluster (\d+)")):
    for i in range(1, n + 1):
        screen = open("%s/%s-list-%d.txt" % (tmp, lst, i)).read().splitlines()
        opened = open("%s/%s-open-%d.txt" % (tmp, lst, i)).read().splitlines()
        m = re.search(r"\[(?:incidents|clusters)\] (\d+)/%d" % total, screen[-1])
        rows = [int(mm.group(1)) for line in screen[2:19] for mm in [re.search(row_re, line)] if mm]
        if lst == "i":
            # Incident k was stored as id k + 1 (after the dump it was cloned from).
            got = next((int(mm.group(1)) - 1 for line in opened[:1] for mm in [re.match(open_re, line)] if mm), None)
        else:
            got = next((int(mm.group(1)) for line in opened[:1] for mm in [re.match(open_re, line)] if mm), None)
        ok = m is not None and got is not None and order[int(m.group(1)) - 1] == got
        if ok and len(rows) >= 10:
            at = order.index(rows[0])
            ok = order[at:at + len(rows)] == rows
        else:
            ok = False
        if not ok:
            print("FAIL: %s move %d: row %s, opened %s, rows %s" % (lst, i, m and m.group(1), got, rows[:4]))
            fail += 1
        checked += 1
if checked != 2 * n:
    print("FAIL: %d moves checked, want %d" % (checked, 2 * n))
    fail += 1
print("keyset-lists: %d moves checked, %d failed" % (checked, fail))
sys.exit(1 if fail else 0)
PY
st=$?

# Every sort: ties in each key (the incidents varied above; clusters of 1 to 4 incidents,
# some of them ignored), and 2,000 heap types of incident 2 with ties in bytes, objects and
# retained size (some unknown).
python3 - "$tmp/a.db" <<'PY' || { echo "FAIL: cannot vary the rows"; exit 1; }
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE clusters SET status = 'ignored' WHERE id % 5 = 0")
db.execute("INSERT OR REPLACE INTO heap_summaries (incident_id, bytes, objects, spans) VALUES (2, 1, 1, 1)")
db.execute("DELETE FROM heap_types WHERE incident_id = 2")
for k in range(1, 2001):
    db.execute("INSERT INTO heap_types (incident_id, type, count, bytes, retained) VALUES (2, ?, ?, ?, ?)",
               ("T%05d" % k, k % 5, (k % 13) * 100, None if k % 4 == 0 else (k % 6) * 1000))
db.commit()
PY
# Per list: the moves after each sort, then S (reverse), the moves again, S and s (the next
# sort). The heap list is opened from incident 2 (the newest row is 3000: `:open 2`).
# 20 pages (340 rows) leave the cached page: read from one of its rows' keys.
smoves='g|G|k k k|PgUp PgUp PgUp PgUp PgUp PgUp PgUp PgUp PgUp PgUp PgUp PgUp PgUp PgUp PgUp PgUp PgUp PgUp PgUp PgUp|PgDn PgDn PgDn|j|g|PgDn PgDn PgDn PgDn PgDn PgDn PgDn PgDn PgDn PgDn PgDn PgDn PgDn PgDn PgDn PgDn PgDn PgDn PgDn PgDn|PgUp PgUp PgUp|PgDn PgDn PgDn PgDn PgDn PgDn PgDn PgDn PgDn PgDn PgDn PgDn PgDn PgDn PgDn PgDn PgDn PgDn PgDn PgDn|PgUp PgUp PgUp PgUp PgUp PgUp PgUp PgUp PgUp PgUp PgUp PgUp PgUp PgUp PgUp PgUp PgUp PgUp PgUp PgUp'
for list in i c h; do
	case $list in
	i) nsorts=6 start=i ;;
	c) nsorts=6 start=c ;;
	h) nsorts=3 start=':open 2|Enter|H' ;;
	esac
	{
		printf ':resize 80x40\n'
		echo "$start" | tr '|' '\n'
		s=0
		while [ "$s" -lt "$nsorts" ]; do
			for dir in f r; do
				i=0
				echo "$smoves" | tr '|' '\n' | while read -r m; do
					i=$((i + 1))
					echo "$m" | tr ' ' '\n'
					printf ':save s%s-%d%s-%d.txt\n' "$list" "$s" "$dir" "$i"
					if [ "$list" != h ]; then
						printf 'Enter\n:save o%s-%d%s-%d.txt\nq\n' "$list" "$s" "$dir" "$i"
					fi
				done
				echo S
			done
			echo s
			s=$((s + 1))
		done
	} >"$tmp/skeys-$list"
	(cd "$tmp" && "$GOPM" tui --db "$tmp/a.db" --script "$tmp/skeys-$list") >/dev/null 2>"$tmp/err" || {
		echo "FAIL: gopm tui sorted ($list) exit $?"
		cat "$tmp/err"
		exit 1
	}
done
python3 - "$tmp" "$(echo "$smoves" | tr '|' '\n' | wc -l)" <<'PY' || st=1
import re, sqlite3, sys
tmp, n = sys.argv[1], int(sys.argv[2])
db = sqlite3.connect(tmp + "/a.db")
inc = {}
for iid, t, exe, go, head, gor, cl in db.execute(
        "SELECT i.id, i.time, i.exe, i.go_version, i.headline, i.goroutines, s.cluster_id "
        "FROM incidents i LEFT JOIN incident_signatures x ON x.incident_id = i.id AND "
        "x.algorithm = 2 LEFT JOIN signatures s ON s.id = x.signature_id"):
    inc[iid] = dict(time=t, exe=(exe or "-").rsplit("/", 1)[-1], go=go or "", head=head,
                    gor=gor, cl=-1 if cl is None else cl)
cl = {}
status = dict(db.execute("SELECT id, status FROM clusters"))
for iid, r in inc.items():
    if r["cl"] < 0:
        continue
    c = cl.setdefault(r["cl"], dict(count=0, first=None, last=None, builds=set()))
    c["count"] += 1
    c["first"] = r["time"] if c["first"] is None else min(c["first"], r["time"])
    c["last"] = r["time"] if c["last"] is None else max(c["last"], r["time"])
# Builds as the list without filters counts them: schema 4's per-cluster builds.
for c, b in db.execute("SELECT cluster, build FROM cluster_builds"):
    if c in cl:
        cl[c]["builds"].add(b)
heap = {t: dict(count=c, bytes=b, ret=-1 if r is None else r)
        for t, c, b, r in db.execute("SELECT type, count, bytes, retained FROM heap_types WHERE incident_id = 2")}
class Desc:
    """A sort key reversed (descending), for strings and numbers alike."""
    def __init__(self, v): self.v = v
    def __lt__(self, o): return self.v > o.v
    def __eq__(self, o): return self.v == o.v
def D(v): return Desc(v)
def ordered(items, key): return [k for k in sorted(items, key=key)]
I, C, H = inc, cl, heap
# The orders as doc/tui.md gives them: (name, arrow of the first direction, key, key reversed).
orders = {
    "i": [("time", "↓", lambda k: (D(I[k]["time"]), D(k)), lambda k: (I[k]["time"], k)),
          ("executable", "↑", lambda k: (I[k]["exe"], D(I[k]["time"]), D(k)), lambda k: (D(I[k]["exe"]), D(I[k]["time"]), D(k))),
          ("go", "↓", lambda k: (D(I[k]["go"]), D(I[k]["time"]), D(k)), lambda k: (I[k]["go"], D(I[k]["time"]), D(k))),
          ("headline", "↑", lambda k: (I[k]["head"], D(I[k]["time"]), D(k)), lambda k: (D(I[k]["head"]), D(I[k]["time"]), D(k))),
          ("cluster", "↑", lambda k: (I[k]["cl"], D(I[k]["time"]), D(k)), lambda k: (D(I[k]["cl"]), D(I[k]["time"]), D(k))),
          ("goroutines", "↓", lambda k: (D(I[k]["gor"]), k), lambda k: (I[k]["gor"], k))],
    "c": [("count", "↓", lambda k: (D(C[k]["count"]), k), lambda k: (C[k]["count"], D(k))),
          ("last seen", "↓", lambda k: (D(C[k]["last"]), k), lambda k: (C[k]["last"], k)),
          ("first seen", "↑", lambda k: (C[k]["first"], k), lambda k: (D(C[k]["first"]), k)),
          ("builds", "↓", lambda k: (D(len(C[k]["builds"])), k), lambda k: (len(C[k]["builds"]), k)),
          ("id", "↑", lambda k: k, lambda k: D(k)),
          ("status", "↑", lambda k: (status.get(k, ""), D(C[k]["count"]), k), lambda k: (D(status.get(k, "")), D(C[k]["count"]), k))],
    "h": [("bytes", "↓", lambda k: (D(H[k]["bytes"]), k), lambda k: (H[k]["bytes"], D(k))),
          ("retained", "↓", lambda k: (D(H[k]["ret"]), D(H[k]["bytes"]), k), lambda k: (H[k]["ret"], H[k]["bytes"], D(k))),
          ("objects", "↓", lambda k: (D(H[k]["count"]), k), lambda k: (H[k]["count"], D(k)))],
}
rows_re = {"i": r"incident (\d{5})", "c": r"^\s*(\d+) (?:new|ignored)\s", "h": r"^(T\d{5})\s"}
tag = {"i": "incidents", "c": "clusters", "h": "heap"}
byhead = {r["head"]: k for k, r in inc.items()}
fail = checked = 0
for lst, srts in orders.items():
    items = {"i": inc, "c": cl, "h": heap}[lst]
    for si, (name, arrow, fwd, rev) in enumerate(srts):
        for d in "fr":
            for i in range(1, n + 1):
                screen = open("%s/s%s-%d%s-%d.txt" % (tmp, lst, si, d, i)).read().splitlines()
                hm = re.search(r"sort: (.+) (\S)$", screen[0].rstrip())
                if not hm or hm.group(1) != name:
                    print("FAIL: %s sort %d%s move %d: header %r" % (lst, si, d, i, screen[0]))
                    fail += 1
                    continue
                order = ordered(items, fwd if hm.group(2) == arrow else rev)
                if (hm.group(2) == arrow) != (d == "f"):
                    print("FAIL: %s sort %s: direction %s after %s" % (lst, name, hm.group(2), d))
                    fail += 1
                m = re.search(r"\[%s\] (\d+)/%d" % (tag[lst], len(order)), screen[-1])
                raw = [mm.group(1) for line in screen[2:19] for mm in [re.search(rows_re[lst], line)] if mm]
                if lst == "i":
                    rows = [byhead["incident " + r] for r in raw]
                elif lst == "c":
                    rows = [int(r) for r in raw]
                else:
                    rows = raw
                if lst == "h":
                    pv = [j for j, line in enumerate(screen) if line.startswith("Type  (Tab")]
                    got = screen[pv[0] + 1].strip() if pv else None
                else:
                    opened = open("%s/o%s-%d%s-%d.txt" % (tmp, lst, si, d, i)).read().splitlines()
                    mm = re.match(r"^(?:Incident|Incidents of cluster) (\d+)", opened[0]) if opened else None
                    got = int(mm.group(1)) if mm else None
                ok = m is not None and got is not None and order[int(m.group(1)) - 1] == got
                if ok and len(rows) >= 10:
                    at = order.index(rows[0])
                    ok = order[at:at + len(rows)] == rows
                else:
                    ok = False
                if not ok:
                    print("FAIL: %s sort %s%s move %d: row %s, cursor on %s, rows %s" % (
                        lst, name, d, i, m and m.group(1), got, rows[:4]))
                    fail += 1
                checked += 1
want = n * 2 * (6 + 6 + 3)
if checked != want:
    print("FAIL: %d sorted moves checked, want %d" % (checked, want))
    fail += 1
print("keyset-lists: %d sorted moves checked, %d failed" % (checked, fail))
sys.exit(1 if fail else 0)
PY
exit $st
