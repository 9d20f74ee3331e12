#!/bin/sh
# Many people at one archive: two writers ingesting at once store both batches (each
# waits for the other's lock with backoff); readers that run while the first ingest
# creates the archive see it empty or whole, never an error; a writer that finds the
# archive locked for longer than GOPM_BUSY_SECONDS stops with exit 75 (retry), and the
# same command run again stores what it left. The lock holder is Python's sqlite3 module
# in another process (skipped, and said, without it).
set -u
: "${GOPM:?}" "${top_srcdir:?}"
d=$top_srcdir/testdata/dumps
tmp=$(mktemp -d)
holder=
trap '[ -n "$holder" ] && kill "$holder" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
fail=0
say() { echo "FAIL: $*"; fail=$((fail + 1)); }
count() { "$GOPM" sql --db "$1" --csv "SELECT count(*) AS n FROM incidents" 2>/dev/null | tail -n 1 | tr -d "\r"; }

# Two batches of distinct goroutine dumps, one per writer.
mkdir "$tmp/one" "$tmp/two"
n=0
for f in "$d"/*.txt; do
	n=$((n + 1))
	if [ $((n % 2)) -eq 0 ]; then cp "$f" "$tmp/one/"; else cp "$f" "$tmp/two/"; fi
done
n1=$(ls "$tmp/one" | wc -l) n2=$(ls "$tmp/two" | wc -l)
[ "$n1" -ge 30 ] && [ "$n2" -ge 30 ] || say "expected two batches of 30+ dumps, got $n1 and $n2"

# 1. Two writers at once on an archive neither has created: both batches stored. Two
# rounds, each on a new archive, so that the first-creation race is met more than once.
for round in 1 2; do
	db=$tmp/w$round.db
	"$GOPM" ingest --db "$db" "$tmp/one" >"$tmp/w1.out" 2>&1 &
	p1=$!
	"$GOPM" ingest --db "$db" "$tmp/two" >"$tmp/w2.out" 2>&1 &
	p2=$!
	wait "$p1"
	r1=$?
	wait "$p2"
	r2=$?
	[ "$r1" -eq 0 ] || say "round $round: writer 1 exit $r1: $(grep -v stored "$tmp/w1.out" | head -n 2)"
	[ "$r2" -eq 0 ] || say "round $round: writer 2 exit $r2: $(grep -v stored "$tmp/w2.out" | head -n 2)"
	got=$(count "$db")
	[ "$got" = $((n1 + n2)) ] || say "round $round: $got incidents stored, want $((n1 + n2))"
done
echo "ok: two writers at once, 2 rounds, $((n1 + n2)) incidents each"

# 1b. The first moment, many times: two writers of one dump each on a new archive. Both
# switch the new file to WAL at once, which SQLite answers SQLITE_BUSY at once, without
# the busy handler: one writer in about 150 stopped with exit 75 ("locked ... for more than
# 5 s" after 40 ms) until gopm retried the switch itself.
first=$(ls "$tmp/one" | head -n 1) second=$(ls "$tmp/two" | head -n 1)
races=0
for round in $(seq 1 100); do
	db=$tmp/f$round.db
	"$GOPM" ingest --db "$db" "$tmp/one/$first" >"$tmp/f1.out" 2>&1 &
	p1=$!
	"$GOPM" ingest --db "$db" "$tmp/two/$second" >"$tmp/f2.out" 2>&1
	r2=$?
	wait "$p1"
	r1=$?
	races=$((races + 1))
	if [ "$r1" -ne 0 ] || [ "$r2" -ne 0 ]; then
		say "first-ingest race $round: exits $r1 and $r2: $(grep -hv stored "$tmp/f1.out" "$tmp/f2.out" | head -n 1)"
		break
	fi
	rm -f "$db" "$db-wal" "$db-shm"
done
echo "ok: $races first-ingest races of two writers"

# 2. Readers while the first ingest creates the archive: each either finds no archive yet
# (exit 3, "no archive at") or lists what is committed (exit 0); nothing else.
reads=0
for round in 1 2; do
	db=$tmp/r$round.db
	"$GOPM" ingest --db "$db" "$tmp/one" "$tmp/two" >/dev/null 2>&1 &
	w=$!
	while kill -0 "$w" 2>/dev/null; do
		"$GOPM" incidents --db "$db" >"$tmp/r.out" 2>"$tmp/r.err"
		r=$?
		reads=$((reads + 1))
		case $r in
		0) ;;
		3) grep -q "no archive at" "$tmp/r.err" || say "reader exit 3: $(head -n 1 "$tmp/r.err")" ;;
		*) say "reader exit $r while the archive was created: $(head -n 1 "$tmp/r.err")" ;;
		esac
	done
	wait "$w" || say "round $round: the writer failed"
done
[ "$reads" -gt 0 ] || say "no reader ran while a writer created the archive"
echo "ok: $reads reads during first ingests"

# 3. An archive that has no tables yet (what a reader finds between the file's creation
# and the first commit) reads as empty: exit 0, a header and no rows.
: >"$tmp/empty.db"
"$GOPM" incidents --db "$tmp/empty.db" >"$tmp/e.out" 2>"$tmp/e.err" ||
	say "incidents of an empty file: exit $?: $(head -n 1 "$tmp/e.err")"
[ "$(wc -l <"$tmp/e.out")" -eq 1 ] || say "incidents of an empty file printed rows"
"$GOPM" clusters --db "$tmp/empty.db" >/dev/null 2>"$tmp/e.err" ||
	say "clusters of an empty file: exit $?: $(head -n 1 "$tmp/e.err")"
[ ! -s "$tmp/empty.db" ] || say "a reader wrote to an empty archive"

# 4. A writer that finds the archive locked past GOPM_BUSY_SECONDS: exit 75, said, nothing
# stored and the batch stopped; readers still read; run again once free, all stored.
if ! python3 -c 'import sqlite3' 2>/dev/null; then
	echo "skipped: the lock holder needs python3 with sqlite3"
	[ "$fail" -eq 0 ]
	exit
fi
db=$tmp/l.db
"$GOPM" ingest --db "$db" "$d/field/go1.19-abort.txt" >/dev/null 2>&1 || say "first ingest"
python3 -c '
import sqlite3, sys, os, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
while not os.path.exists(sys.argv[3]):
    time.sleep(0.05)
c.execute("ROLLBACK")
' "$db" "$tmp/locked" "$tmp/release" &
holder=$!
while [ ! -e "$tmp/locked" ] && kill -0 "$holder" 2>/dev/null; do sleep 0.05; done
GOPM_BUSY_SECONDS=1 "$GOPM" ingest --db "$db" "$tmp/one" >"$tmp/b.out" 2>&1
r=$?
[ "$r" -eq 75 ] || say "ingest into a locked archive: exit $r (want 75)"
grep -q "locked by another writer.*retry" "$tmp/b.out" || say "no 'locked ... retry' message"
grep -q "the archive stayed busy: $n1 of $n1 inputs not stored" "$tmp/b.out" ||
	say "the summary does not say the batch was left: $(tail -n 1 "$tmp/b.out")"
[ "$(grep -c 'stored incident' "$tmp/b.out")" -eq 0 ] || say "stored while locked"
[ "$(count "$db")" = 1 ] || say "a reader could not read the locked archive"
# A writer that may wait long enough gets the lock once it is given back.
GOPM_BUSY_SECONDS=60 "$GOPM" ingest --db "$db" "$tmp/two" >"$tmp/c.out" 2>&1 &
w=$!
sleep 1
: >"$tmp/release"
wait "$w" || say "a writer that waited failed: exit $?: $(grep -v stored "$tmp/c.out" | head -n 1)"
wait "$holder"
holder=
"$GOPM" ingest --db "$db" "$tmp/one" >"$tmp/d.out" 2>&1 || say "the retry failed: exit $?"
[ "$(count "$db")" = $((1 + n1 + n2)) ] || say "after the retry: $(count "$db") incidents"
echo "ok: a locked archive: exit 75, then stored on retry"
[ "$fail" -eq 0 ]
