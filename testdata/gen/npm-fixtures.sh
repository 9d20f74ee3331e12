#!/usr/bin/env bash
# npm-fixtures.sh — cores of real, stripped Go programs nobody here wrote.
#
# Installs the npm packages below into a scratch directory (no install scripts run),
# stores each binary as testdata/exe/<tool>-<version>.zst, starts it in a state where it
# waits forever, sends it SIGQUIT with GOTRACEBACK=crash, and stores the core and the
# runtime's traceback under testdata/cores/<tool>-<version>-<what>/ (see make-fixtures.sh).
#
# Usage: testdata/gen/npm-fixtures.sh [TOOL...]   TOOL: esbuild-0.15.18 esbuild-0.28.2
#        lefthook-2.2.2 buf-1.75.0 (default: all; buf's machine code is zeroed
#        before it is stored, see trim-text.sh). Same environment variables as make-fixtures.sh;
#        needs npm.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=make-fixtures.sh
source "$here/make-fixtures.sh" lib

npm_dir=$scratch/npm

# tool -> npm package@version, binary inside the package, license
declare -A pkg=(
  [esbuild-0.15.18]=esbuild-linux-64@0.15.18
  [esbuild-0.28.2]=@esbuild/linux-x64@0.28.2
  [lefthook-2.2.2]=lefthook-linux-x64@2.2.2
  [buf-1.75.0]=@bufbuild/buf-linux-x64@1.75.0
)
declare -A bin=(
  [esbuild-0.15.18]=esbuild-linux-64/bin/esbuild
  [esbuild-0.28.2]=@esbuild/linux-x64/bin/esbuild
  [lefthook-2.2.2]=lefthook-linux-x64/bin/lefthook
  [buf-1.75.0]=@bufbuild/buf-linux-x64/bin/buf
)

# Install the packages (binaries only; --ignore-scripts: nothing runs).
mkdir -p "$npm_dir"
if [ ! -f "$npm_dir/package.json" ]; then echo '{"private":true}' > "$npm_dir/package.json"; fi
(cd "$npm_dir" && npm install --no-audit --no-fund --ignore-scripts --no-save "${pkg[@]}" >&2)

# gover BINARY -> Go version from the build info, else the runtime.buildVersion string.
gover() {
  local v
  v=$(strings -n 8 "$1" | grep -m1 -o -E '^go1\.[0-9]+(\.[0-9]+)?$' || true)
  [ -n "$v" ] || v=$(strings -n 8 "$1" | grep -m1 -o -E 'go1\.[0-9]+(\.[0-9]+)?' || true)
  echo "$v"
}

# Setups run in the scratch directory before the program starts.
setup_esbuild() { echo 'export const answer = 42; console.log(answer);' > in.js; }
setup_lefthook() {
  # A git repository with a custom hook whose command sleeps: lefthook waits for it.
  env -i PATH=/usr/bin:/bin HOME=/nonexistent git init -q .
  printf 'colors: false\nwait:\n  commands:\n    sleeper:\n      run: sleep 600\n' > lefthook.yml
}

# npm_core TOOL WHAT SETUP STDIN CHROOT ARGS...
npm_core() {
  local tool=$1 what=$2 setup=$3 stdin=$4 chroot=$5; shift 5
  local b=$npm_dir/node_modules/${bin[$tool]}
  local prog=${bin[$tool]##*/}
  local p=${pkg[$tool]}
  local exe=$scratch/build/$tool/$prog
  mkdir -p "${exe%/*}"; cp "$b" "$exe"
  # buf is too big to commit whole: keep everything but its machine code (see trim-text.sh).
  local stored=$exe
  if [ "$tool" = buf-1.75.0 ]; then
    stored=$scratch/build/$tool.trimmed
    cp "$exe" "$stored"
    "$here/trim-text.sh" "$stored"
  fi
  zstd -19 --long=27 -q -f "$stored" -o "$testdata/exe/$tool.zst"; chmod 644 "$testdata/exe/$tool.zst"
  META_HEAD=$(printf 'go=%s\nvariant=stripped\nbuildmode=exe\ndwarf=no\nprogram=%s\nexe=exe/%s.zst\npackage=%s\nlicense=%s' \
      "$(gover "$b")" "$tool" "$tool" "$p" "$(cd "$npm_dir/node_modules/${p%@*}" && node -p 'require("./package.json").license')") \
  TC_SETUP=$setup TC_STDIN=$stdin TC_CHROOT=$chroot TC_QUIT_AFTER=2 \
    take_core "$tool-$what" "$exe" '^SIGQUIT: quit' -- "$@"
}

tools=("$@")
[ ${#tools[@]} -gt 0 ] || tools=(esbuild-0.15.18 esbuild-0.28.2 lefthook-2.2.2 buf-1.75.0)
for t in "${tools[@]}"; do
  case $t in
    # esbuild in watch mode waits forever while its stdin stays open. Its watcher lists
    # every parent directory (and keeps the names in its heap): it runs in a private
    # root that holds only its scratch directory.
    esbuild-0.15.18) npm_core "$t" watch setup_esbuild fifo 1 --watch --outfile=out.js in.js ;;
    esbuild-0.28.2) npm_core "$t" watch setup_esbuild fifo 1 --watch=forever --outfile=out.js in.js ;;
    # lefthook runs a hook whose command sleeps (git, sh and sleep from the system),
    # and waits for the child.
    lefthook-2.2.2) npm_core "$t" run setup_lefthook "" "" run wait ;;
    # buf's language server waits for JSON-RPC on stdin.
    buf-1.75.0) npm_core "$t" lsp "" fifo 1 lsp serve --log-format=text ;;
    *) echo "npm-fixtures.sh: unknown tool $t" >&2; exit 2 ;;
  esac
done
