#!/bin/sh
# Archives written by older gopm identified inputs otherwise: before schema 7 by the SHA-256
# of the whole file ("sha256"), from schema 7 to 11 by a tree hash ("sha256-4m", SHA-256 over
# the SHA-256 digests of 4 MiB chunks); new inputs are identified by XXH3-128
# (src/base/identity.h). The same files must still be recognised: when an input's identity is
# not stored but an artifact of an old kind and of its size is, gopm hashes it that way too,
# and a match takes the row over (its identity becomes XXH3-128). A small dump (hashed before
# loading) and a big core (hashed while it loads, by ingest) are checked for both old kinds,
# and a file of the same size with one byte changed is not taken for the stored one; an
# archive holding no artifact of an old kind and the input's size never hashes it the old
# way. Needs zstd, sha256sum, perl and python3 (its sqlite3 module).
set -u
: "${GOPM:?}" "${top_srcdir:?}"
td=$top_srcdir/testdata
fx=$td/cores/go1.22-crash-leak-stripped
exe=$td/$(sed -n 's/^exe=//p' "$fx/meta")
dump=$td/dumps/go1.22-deadlock-single.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
n=0
unset GOPM_EXE_PATH DEBUGINFOD_URLS
GOPM_HASH_CACHE=0
XDG_CACHE_HOME=$tmp/cache
export GOPM_HASH_CACHE XDG_CACHE_HOME
. "$top_srcdir/tests/cli/expect.sh"
command -v python3 >/dev/null 2>&1 || { echo "skip: no python3"; exit 77; }

bad() {
	echo "FAIL: $1"
	fail=$((fail + 1))
}
q() { # q DB SQL: one value
	"$GOPM" sql --db "$1" --csv "$2" | tr -d '\r' | tail -n 1
}
# old DB: the archive as schema 6 left it, its artifacts identified by whole-file SHA-256.
old() {
	goroutine_rows "$1" # schema 12
	python3 - "$1" <<'PY'
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for rid, path in db.execute("SELECT id, path FROM artifacts").fetchall():
    with open(path, "rb") as f:
        db.execute("UPDATE artifacts SET sha256 = ? WHERE id = ?",
                   (hashlib.sha256(f.read()).hexdigest(), rid))
db.execute("DROP INDEX artifacts_identity_size")
db.execute("ALTER TABLE artifacts DROP COLUMN identity")
db.execute("ALTER TABLE reports DROP COLUMN shown_groups")  # schema 8
db.execute("DROP TABLE threads")  # schema 9
db.execute("PRAGMA user_version = 6")
db.commit()
PY
}

# tree DB: the archive as gopm of schema 7 to 11 wrote it, its artifacts identified by the
# tree hash of their 4 MiB chunks.
tree() {
	python3 - "$1" <<'PY'
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for rid, path in db.execute("SELECT id, path FROM artifacts").fetchall():
    top = hashlib.sha256()
    with open(path, "rb") as f:
        for c in iter(lambda: f.read(4 << 20), b""):
            top.update(hashlib.sha256(c).digest())
    db.execute("UPDATE artifacts SET sha256 = ?, identity = 'sha256-4m' WHERE id = ?",
               (top.hexdigest(), rid))
db.commit()
PY
}

zstd -qdc "$exe" >"$tmp/exe"
zstd -qdc "$fx/core.zst" >"$tmp/core"
cp "$dump" "$tmp/dump"
cp "$dump" "$tmp/dump2"
[ "$(stat -c %s "$tmp/core")" -ge 33554432 ] || bad "the core is too small to be hashed while it loads"

# Stored by this gopm, then turned into an archive of the previous schema.
expect 0 - "store the dump" -- analyze --db "$tmp/a.db" "$tmp/dump"
expect 0 - "store the core" -- ingest --db "$tmp/a.db" --exe "$tmp/exe" "$tmp/core"
old "$tmp/a.db"
old_sum=$(python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("SELECT sha256 FROM artifacts WHERE path = ?",
      (sys.argv[2],)).fetchone()[0])' "$tmp/a.db" "$tmp/dump")
[ "$old_sum" = "$(sha256sum <"$tmp/dump" | cut -c1-64)" ] || bad "the old archive does not hold sha256sum's hash"

# Ingested again: both recognised, nothing stored twice; the rows take the new identity.
expect 0 - "ingest into the old archive" -- ingest --db "$tmp/a.db" --exe "$tmp/exe" "$tmp/dump" "$tmp/core"
[ "$(grep -c ': already stored$' "$tmp/err")" -eq 2 ] || bad "ingest: not both already stored: $(cat "$tmp/err")"
[ "$(q "$tmp/a.db" "SELECT count(*) FROM artifacts")" -eq 2 ] || bad "ingest: artifacts stored twice"
[ "$(q "$tmp/a.db" "SELECT count(*) FROM incidents")" -eq 2 ] || bad "ingest: incidents stored twice"
checked=0
for f in dump core; do
	row=$(q "$tmp/a.db" "SELECT identity || ' ' || sha256 FROM artifacts WHERE path = '$tmp/$f'")
	[ "$row" = "xxh3-128 $(identity "$tmp/$f")" ] || bad "$f: the row did not take the new identity: $row"
	checked=$((checked + 1))
done
[ "$checked" -eq 2 ] || bad "checked $checked of 2 rows"

# analyze into another old archive: the dump is known as its incident.
expect 0 - "store the dump (2)" -- analyze --db "$tmp/b.db" "$tmp/dump"
old "$tmp/b.db"
expect 0 - "analyze into the old archive" -- analyze --db "$tmp/b.db" "$tmp/dump"
grep -q 'already in the archive as incident 1' "$tmp/out" || bad "analyze: not recognised: $(tail -n 2 "$tmp/out")"

# The same size, one byte different: hashed the old way, not matched, stored anew.
expect 0 - "store the dump (3)" -- analyze --db "$tmp/c.db" "$tmp/dump"
old "$tmp/c.db"
printf 'X' | dd of="$tmp/dump" bs=1 seek=0 conv=notrunc 2>/dev/null
expect 0 - "analyze of a changed file of the same size" -- analyze --db "$tmp/c.db" "$tmp/dump"
grep -q 'stored in the archive as incident 2' "$tmp/out" || bad "changed file: not stored anew: $(tail -n 2 "$tmp/out")"
[ "$(q "$tmp/c.db" "SELECT count(*) FROM artifacts WHERE identity = 'sha256'")" -eq 1 ] ||
	bad "changed file: the old row was taken over"

# An archive of schema 7 to 11 (tree hashes): the same, for both inputs.
expect 0 - "store the dump (4)" -- analyze --db "$tmp/d.db" "$tmp/dump2"
expect 0 - "store the core (4)" -- ingest --db "$tmp/d.db" --exe "$tmp/exe" "$tmp/core"
tree "$tmp/d.db"
[ "$(q "$tmp/d.db" "SELECT sha256 FROM artifacts WHERE path = '$tmp/core'")" = "$(identity_tree "$tmp/core")" ] ||
	bad "the tree archive does not hold the tree hash split + sha256sum compute"
expect 0 - "ingest into the tree archive" -- ingest --db "$tmp/d.db" --exe "$tmp/exe" "$tmp/dump2" "$tmp/core"
[ "$(grep -c ': already stored$' "$tmp/err")" -eq 2 ] || bad "tree ingest: not both already stored: $(cat "$tmp/err")"
[ "$(q "$tmp/d.db" "SELECT count(*) FROM incidents")" -eq 2 ] || bad "tree ingest: incidents stored twice"
checked=0
for f in dump2 core; do
	row=$(q "$tmp/d.db" "SELECT identity || ' ' || sha256 FROM artifacts WHERE path = '$tmp/$f'")
	[ "$row" = "xxh3-128 $(identity "$tmp/$f")" ] || bad "$f: the tree row did not take the new identity: $row"
	checked=$((checked + 1))
done
[ "$checked" -eq 2 ] || bad "checked $checked of 2 tree rows"
# analyze (the core hashed while it loads, looked up after) into another tree archive.
expect 0 - "store the core (5)" -- analyze --db "$tmp/e.db" --exe "$tmp/exe" "$tmp/core"
tree "$tmp/e.db"
expect 0 - "analyze into the tree archive" -- analyze --db "$tmp/e.db" --exe "$tmp/exe" "$tmp/core"
grep -q 'already in the archive as incident 1' "$tmp/out" || bad "tree analyze: not recognised: $(tail -n 2 "$tmp/out")"
[ "$(q "$tmp/e.db" "SELECT identity FROM artifacts")" = "xxh3-128" ] || bad "tree analyze: the row kept its old identity"
# A tree row of another size: the input is not hashed the old way, and stored anew.
expect 0 - "store the dump (6)" -- analyze --db "$tmp/f.db" "$tmp/dump2"
tree "$tmp/f.db"
printf 'more' >>"$tmp/dump2"
expect 0 - "analyze of a longer file" -- analyze --db "$tmp/f.db" "$tmp/dump2"
grep -q 'stored in the archive as incident 2' "$tmp/out" || bad "longer file: not stored anew: $(tail -n 2 "$tmp/out")"
[ "$(q "$tmp/f.db" "SELECT count(*) FROM artifacts WHERE identity = 'sha256-4m'")" -eq 1 ] ||
	bad "longer file: the old row was taken over"

echo "$((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
