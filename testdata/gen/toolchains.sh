#!/usr/bin/env bash
# toolchains.sh — fetch Go toolchains from Debian's archive into a private directory.
#
# Usage: testdata/gen/toolchains.sh [TARGET_DIR] [VERSIONS...]
#   TARGET_DIR defaults to $GOPM_TOOLCHAINS or ../toolchains next to the repository.
#   VERSIONS defaults to: 1.19 1.21 1.22 1.23 1.24 1.26 1.27 (missing ones are skipped).
#
# Nothing is installed into the system: a private apt configuration (sources list, lists,
# cache) under TARGET_DIR/apt names the suites bookworm-backports, trixie and sid of the
# mirror the machine already uses; `apt-get download` fetches golang-1.NN-go and
# golang-1.NN-src, and `dpkg -x` unpacks them into TARGET_DIR/root.
# GOROOT of version 1.NN is then TARGET_DIR/root/usr/lib/go-1.NN.
# Idempotent: versions already unpacked are not fetched again.
# Prints one line per toolchain: "<go version output> GOROOT=<path>".
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
target=${1:-${GOPM_TOOLCHAINS:-$repo/../toolchains}}
shift || true
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(1.19 1.21 1.22 1.23 1.24 1.26 1.27)

mkdir -p "$target"
target=$(cd "$target" && pwd)
apt_dir=$target/apt
root=$target/root
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$root" "$target/debs"

# Mirror and keyring: the same as the machine's own deb822 source (overridable).
mirror=${GOPM_DEBIAN_MIRROR:-}
keyring=${GOPM_DEBIAN_KEYRING:-}
if [ -z "$mirror" ] || [ -z "$keyring" ]; then
  src=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$mirror" ] || mirror=$(printf '%s\n' "$src" | awk '/^URIs:/ && $2 ~ /debian\/?$/ {print $2; exit}')
  [ -n "$keyring" ] || keyring=$(printf '%s\n' "$src" | awk '/^Signed-By:/ {print $2; exit}')
fi
mirror=${mirror:-http://deb.debian.org/debian}
keyring=${keyring:-/usr/share/keyrings/debian-archive-keyring.gpg}

# Private deb822 sources list: bookworm (for 1.19), bookworm-backports, trixie, sid.
cat > "$apt_dir/sources.list.sources" <<SRC
Types: deb
URIs: $mirror
Suites: bookworm bookworm-backports trixie sid
Components: main
Signed-By: $keyring
SRC
# apt reads deb822 only from files ending in .sources; SourceList points at a one-line-style
# file, so keep that empty and put the deb822 file in a private SourceParts directory.
mkdir -p "$apt_dir/sources.list.d"
cp "$apt_dir/sources.list.sources" "$apt_dir/sources.list.d/gopm.sources"
: > "$apt_dir/sources.list"

apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list"
          -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
          -o "Dir::State::Lists=$apt_dir/lists"
          -o "Dir::Cache=$apt_dir/cache"
          -o "APT::Get::List-Cleanup=0"
          -o "Debug::NoLocking=1")

# Update the private lists once a day at most.
stamp=$apt_dir/lists/.updated
if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +1440)" ]; then
  apt-get "${apt_opts[@]}" update >&2
  touch "$stamp"
fi

for v in "${versions[@]}"; do
  goroot=$root/usr/lib/go-$v
  if [ ! -x "$goroot/bin/go" ] || [ ! -d "$goroot/src/runtime" ]; then
    # Is the package known in any of the suites?
    if ! apt-cache "${apt_opts[@]}" show "golang-$v-go" >/dev/null 2>&1; then
      echo "toolchains.sh: golang-$v-go not available, skipped" >&2
      continue
    fi
    # Newest candidate across the suites (apt picks the highest version by default).
    (cd "$target/debs" && apt-get "${apt_opts[@]}" download "golang-$v-go" "golang-$v-src" >&2)
    for deb in "$target"/debs/golang-"$v"-go_*.deb "$target"/debs/golang-"$v"-src_*.deb; do
      dpkg -x "$deb" "$root"
    done
  fi
  # Some packages ship GOROOT/src etc. as symlinks into /usr/share/go-1.NN; with dpkg -x
  # they are relative links within root, which is fine.
  echo "$(GOROOT=$goroot "$goroot/bin/go" version) GOROOT=$goroot"
done
