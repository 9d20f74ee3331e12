#!/usr/bin/env bash
# npm-arm64-fixtures.sh — cores of real, stripped arm64 Go programs nobody here wrote: the
# linux-arm64 builds of the npm packages npm-fixtures.sh takes for amd64, run under
# qemu-user-static as make-arm64-fixtures.sh runs its own programs, in the same waiting
# states (esbuild watching with its stdin held open, lefthook waiting for a hook that sleeps,
# buf's language server waiting for JSON-RPC), then sent SIGQUIT with GOTRACEBACK=crash.
# Output: testdata/cores-arm64/<tool>-<version>-<what>/ (core.zst, stderr.txt — the oracle —,
# meta) and testdata/exe/arm64-<tool>-<version>.zst.
#
# The executables are stored with their machine code zeroed (trim-text.sh): gopm reads the
# pclntab, build info, type descriptors and data of an arm64 executable, never its
# instructions (a signal frame's return address is qemu's trampoline or the vdso, outside
# the executable), and zeroing keeps each one a few MB.
#
# Usage: testdata/gen/npm-arm64-fixtures.sh [TOOL...]   TOOL: esbuild-0.15.18 esbuild-0.28.2
#        lefthook-2.2.2 buf-1.75.0 (default: all). Same environment as make-arm64-fixtures.sh;
#        needs npm (installs with --cpu=arm64 --os=linux into the scratch directory, no
#        install scripts run), readelf and git.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# take_core_arm64 and the helpers of make-fixtures.sh.
# shellcheck source=make-arm64-fixtures.sh
source "$here/make-arm64-fixtures.sh" lib

npm_dir=$scratch/npm-arm64

# tool -> npm package@version, binary inside the package
declare -A pkg=(
  [esbuild-0.15.18]=esbuild-linux-arm64@0.15.18
  [esbuild-0.28.2]=@esbuild/linux-arm64@0.28.2
  [lefthook-2.2.2]=lefthook-linux-arm64@2.2.2
  [buf-1.75.0]=@bufbuild/buf-linux-aarch64@1.75.0
)
declare -A bin=(
  [esbuild-0.15.18]=esbuild-linux-arm64/bin/esbuild
  [esbuild-0.28.2]=@esbuild/linux-arm64/bin/esbuild
  [lefthook-2.2.2]=lefthook-linux-arm64/bin/lefthook
  [buf-1.75.0]=@bufbuild/buf-linux-aarch64/bin/buf
)

tools=("$@")
[ ${#tools[@]} -gt 0 ] || tools=(esbuild-0.15.18 esbuild-0.28.2 lefthook-2.2.2 buf-1.75.0)
wanted=()
for t in "${tools[@]}"; do
  [ -n "${pkg[$t]:-}" ] || { echo "npm-arm64-fixtures.sh: unknown tool $t" >&2; exit 2; }
  wanted+=("${pkg[$t]}")
done

# Install the packages for arm64 on whatever machine this is (binaries only).
mkdir -p "$npm_dir"
if [ ! -f "$npm_dir/package.json" ]; then echo '{"private":true}' > "$npm_dir/package.json"; fi
(cd "$npm_dir" && npm install --no-audit --no-fund --ignore-scripts --no-save \
   --cpu=arm64 --os=linux --force "${wanted[@]}" >&2)

# gover BINARY -> Go version from the build info, else the runtime.buildVersion string.
gover() {
  local v
  v=$(strings -n 8 "$1" | grep -m1 -o -E '^go1\.[0-9]+(\.[0-9]+)?$' || true)
  [ -n "$v" ] || v=$(strings -n 8 "$1" | grep -m1 -o -E 'go1\.[0-9]+(\.[0-9]+)?' || true)
  echo "$v"
}

# Setups run in the program's directory before it starts (as npm-fixtures.sh).
setup_esbuild() { echo 'export const answer = 42; console.log(answer);' > in.js; }
setup_lefthook() {
  # A git repository with a custom hook whose command sleeps: lefthook waits for it. git,
  # sh and sleep are this machine's (qemu-user hands execve of a native program to the
  # kernel).
  env -i PATH=/usr/bin:/bin HOME=/nonexistent git init -q .
  printf 'colors: false\nwait:\n  commands:\n    sleeper:\n      run: sleep 600\n' > lefthook.yml
}

# npm_core_arm64 TOOL WHAT SETUP STDIN CHROOT READY ARGS...
npm_core_arm64() {
  local tool=$1 what=$2 setup=$3 stdin=$4 chroot=$5 ready=$6; shift 6
  # SIGQUIT 3 s after it says it waits, else 10 s after the start (qemu starts slowly).
  local b=$npm_dir/node_modules/${bin[$tool]}
  local prog=${bin[$tool]##*/}
  local p=${pkg[$tool]}
  local exe=$scratch/build-arm64/$tool/$prog
  mkdir -p "${exe%/*}"; cp "$b" "$exe"
  local stored=$scratch/build-arm64/$tool.trimmed
  cp "$exe" "$stored"
  "$here/trim-text.sh" "$stored"
  zstd -19 --long=27 -q -f "$stored" -o "$testdata/exe/arm64-$tool.zst"
  chmod 644 "$testdata/exe/arm64-$tool.zst"
  META_HEAD=$(printf 'go=%s\nvariant=stripped\nbuildmode=exe\ndwarf=no\nprogram=%s\nexe=exe/arm64-%s.zst\ntext=zeroed\npackage=%s\nlicense=%s' \
      "$(gover "$b")" "$tool" "$tool" "$p" "$(cd "$npm_dir/node_modules/${p%@*}" && node -p 'require("./package.json").license')") \
  TC_SETUP=$setup TC_STDIN=$stdin TC_CHROOT=$chroot TC_READY=$ready TC_QUIT_AFTER=$([ -n "$ready" ] && echo 3 || echo 10) \
    take_core_arm64 "$tool-$what" "$exe" '^SIGQUIT: quit' -- "$@"
}

for t in "${tools[@]}"; do
  case $t in
    # esbuild in watch mode waits forever while its stdin stays open; its watcher lists
    # every parent directory (and keeps the names in its heap): a private root.
    esbuild-0.15.18) npm_core_arm64 "$t" watch setup_esbuild fifo 1 '^\[watch\] build finished' \
                       --watch --outfile=out.js in.js ;;
    esbuild-0.28.2) npm_core_arm64 "$t" watch setup_esbuild fifo 1 '^\[watch\] build finished' \
                       --watch=forever --outfile=out.js in.js ;;
    # lefthook runs a hook whose command sleeps, and waits for the child.
    lefthook-2.2.2) npm_core_arm64 "$t" run setup_lefthook "" "" '^sync hooks' run wait ;;
    # buf's language server waits for JSON-RPC on stdin (it prints nothing first).
    buf-1.75.0) npm_core_arm64 "$t" lsp "" fifo 1 "" lsp serve --log-format=text ;;
  esac
done
