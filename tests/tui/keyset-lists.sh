#!/bin/sh
# Keyset paging of the incidents and clusters lists (tui/list.c, tui_pane_ops.fetch_key): in
# an archive of 3,000 incidents in 1,000 clusters (rows cloned from one stored dump, each
# incident its own minute and headline "incident NNNNN", clusters of 2 to 4 incidents so
# their natural order, count then id, has many ties), pages in the middle are read from a
# known row's key after PgDn, PgUp, G, k and searches. After each move Enter opens the
# cursor's row: the incident (or the cluster's incidents) must be the one the status line's
# row number says in the order worked out here, and the rows on screen consecutive in it.
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
