#!/bin/sh
# The cache of big inputs' identities ($XDG_CACHE_HOME/gopm/identity-xxh3-128,
# src/ingest/hash_cache.c): a core
# analysed into the archive once is not hashed again while stat says it is the same file; a
# change to the file, GOPM_HASH_CACHE=0, or a file changed less than two seconds before it
# was hashed (not recorded) each mean hashing it. The cache's entry is replaced here by a
# made-up hash to see which one the archive gets. The cache an older gopm wrote for another
# kind of identity (identity-sha256-4m) is never read. Needs zstd.
set -u
: "${GOPM:?}" "${top_srcdir:?}"
td=$top_srcdir/testdata
fx=$td/cores/go1.22-crash-leak-stripped
exe=$td/$(sed -n 's/^exe=//p' "$fx/meta")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
n=0
unset GOPM_EXE_PATH DEBUGINFOD_URLS GOPM_HASH_CACHE
XDG_CACHE_HOME=$tmp/cache
export XDG_CACHE_HOME
. "$top_srcdir/tests/cli/expect.sh"

bad() {
	echo "FAIL: $1"
	fail=$((fail + 1))
}
stored() { # stored DB: the sha256 of its one artifact
	"$GOPM" sql --db "$1" --csv "SELECT sha256 FROM artifacts" | tr -d '\r' | tail -n 1
}
cache=$tmp/cache/gopm/identity-xxh3-128
fake=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa

zstd -qdc "$exe" >"$tmp/exe"
zstd -qdc "$fx/core.zst" >"$tmp/core"
sum=$(identity "$tmp/core")

# Changed "just now" (a modification time in the future stands for it, whatever the load on
# the machine): hashed, but not recorded (a change in the same clock tick would go unseen).
touch -d '+1 hour' "$tmp/core"
expect 0 - "analyze of a fresh file" -- analyze --db "$tmp/db0" --exe "$tmp/exe" "$tmp/core"
[ "$(stored "$tmp/db0")" = "$sum" ] || bad "fresh file: wrong sha256 stored"
[ -s "$cache" ] && bad "fresh file: recorded in the cache"

# Settled (changed over two seconds ago): recorded on the first analysis.
touch -d '-1 hour' "$tmp/core"
sleep 3
expect 0 - "first analysis" -- analyze --db "$tmp/db1" --exe "$tmp/exe" "$tmp/core"
[ "$(stored "$tmp/db1")" = "$sum" ] || bad "first analysis: wrong sha256 stored"
[ "$(wc -l <"$cache")" -eq 1 ] && grep -q " $sum\$" "$cache" || bad "first analysis: not recorded: $(cat "$cache" 2>/dev/null)"

# The cache of the tree hashes an older gopm kept, holding this very file: not read.
sed "s/ $sum\$/ $fake$fake/" "$cache" >"$tmp/cache/gopm/identity-sha256-4m"
mv "$cache" "$tmp/cache.new"
expect 0 - "analysis beside an old cache" -- analyze --db "$tmp/db5" --exe "$tmp/exe" "$tmp/core"
[ "$(stored "$tmp/db5")" = "$sum" ] || bad "old cache: read: $(stored "$tmp/db5")"
mv "$tmp/cache.new" "$cache"

# The second analysis takes the hash from the cache (the made-up one proves it).
sed -i "s/ $sum\$/ $fake/" "$cache"
expect 0 - "second analysis" -- analyze --db "$tmp/db2" --exe "$tmp/exe" "$tmp/core"
[ "$(stored "$tmp/db2")" = "$fake" ] || bad "second analysis: the cache was not used"

# Turned off: hashed.
GOPM_HASH_CACHE=0 expect 0 - "GOPM_HASH_CACHE=0" -- analyze --db "$tmp/db3" --exe "$tmp/exe" "$tmp/core"
[ "$(stored "$tmp/db3")" = "$sum" ] || bad "GOPM_HASH_CACHE=0: the cache was used"

# The file changed (same size, a byte in its last page): hashed again.
printf 'x' | dd of="$tmp/core" bs=1 seek=$(($(stat -c %s "$tmp/core") - 1)) conv=notrunc 2>/dev/null
sum2=$(identity "$tmp/core")
expect 0 - "changed file" -- analyze --db "$tmp/db4" --exe "$tmp/exe" "$tmp/core"
[ "$(stored "$tmp/db4")" = "$sum2" ] || bad "changed file: stale hash used"

echo "$((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
