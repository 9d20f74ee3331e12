#!/usr/bin/env bash
# make-servers.sh — goroutine dumps of healthy real servers under a bounded loopback load,
# for the findings rules (tests/analysis: no finding above LOW on any of them).
#
# Usage: testdata/dumps/gen/make-servers.sh [SERVER...]   (default: all four)
# Needs Debian bookworm's etcd-server + etcd-client, prometheus, containerd, nats-server
# (apt-get install them; they are not needed to run the tests) and a Go toolchain for the
# load client testdata/go/loadclient (GO=path/to/go, default: go on PATH). GOPM_SCRATCH is
# the scratch directory (default: a new temporary one). Writes
# testdata/dumps/servers/<server>-<debian version>.txt.zst:
#
#   etcd        etcd 3.4 with 300 HTTP/1.1 keep-alive clients of /health and /v3/kv/range
#               (the gRPC gateway) plus 20 `etcdctl watch` streams; pprof debug=2
#   prometheus  prometheus 2.42 scraping itself as 25 targets, 200 keep-alive clients of
#               /metrics and /api/v1/query; pprof debug=2
#   containerd  containerd 1.6 (its own root and state) with 20 `ctr events` streams and
#               `ctr` calls in a loop; pprof debug=2 on its debug address
#   nats        nats-server 2.9 with 300 clients subscribing and publishing; pprof debug=2
#
# Each server runs for about 20 s under load before its dump is taken; the dump is the
# text of /debug/pprof/goroutine?debug=2 (every server here offers it).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
testdata=$(cd "$here/../.." && pwd)
out_dir=$testdata/dumps/servers
scratch=${GOPM_SCRATCH:-$(mktemp -d)}
go=${GO:-go}
servers=("$@")
[ ${#servers[@]} -gt 0 ] || servers=(etcd prometheus containerd nats)
mkdir -p "$out_dir" "$scratch"

(cd "$testdata/go" && GOTOOLCHAIN=local GOFLAGS=-trimpath GOCACHE="$scratch/gocache" \
  CGO_ENABLED=0 "$go" build -o "$scratch/loadclient" ./loadclient)
load=$scratch/loadclient

pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
}
trap cleanup EXIT

wait_port() { # wait_port URL
  local i
  for i in $(seq 100); do curl -sf -o /dev/null "$1" && return 0; sleep 0.2; done
  echo "make-servers: $1 never answered" >&2; return 1
}

debver() { dpkg-query -W -f '${Version}' "$1" | sed 's/[^0-9.].*//'; }

# take NAME URL PACKAGE: stores the pprof dump, checks it is not empty and has no paths
take() {
  local out=$out_dir/$1-$(debver "$3").txt.zst
  curl -sf "$2/debug/pprof/goroutine?debug=2" > "$scratch/$1.txt"
  [ -s "$scratch/$1.txt" ] || { echo "make-servers: empty dump of $1" >&2; return 1; }
  if grep -q "$scratch" "$scratch/$1.txt"; then
    echo "make-servers: $1's dump holds scratch paths" >&2; return 1
  fi
  zstd -q -19 -f "$scratch/$1.txt" -o "$out"
  echo "make-servers: $out ($(grep -c '^goroutine ' "$scratch/$1.txt") goroutines)" >&2
}

run_etcd() {
  local d=$scratch/etcd; rm -rf "$d"; mkdir -p "$d"
  etcd --name s1 --data-dir "$d/data" --enable-pprof \
    --listen-client-urls http://127.0.0.1:23790 --advertise-client-urls http://127.0.0.1:23790 \
    --listen-peer-urls http://127.0.0.1:23800 --initial-advertise-peer-urls http://127.0.0.1:23800 \
    --initial-cluster s1=http://127.0.0.1:23800 >"$d/log" 2>&1 & pids+=($!)
  wait_port http://127.0.0.1:23790/health
  local i
  for i in $(seq 20); do
    ETCDCTL_API=3 etcdctl --endpoints 127.0.0.1:23790 watch --prefix key >/dev/null 2>&1 & pids+=($!)
  done
  "$load" http 127.0.0.1:23790 200 /health 40s & pids+=($!)
  "$load" http 127.0.0.1:23790 100 /version 40s & pids+=($!)
  for i in $(seq 200); do
    ETCDCTL_API=3 etcdctl --endpoints 127.0.0.1:23790 put "key$((i % 20))" "v$i" >/dev/null
  done
  sleep 15
  take etcd http://127.0.0.1:23790 etcd-server
  cleanup
}

run_prometheus() {
  local d=$scratch/prometheus; rm -rf "$d"; mkdir -p "$d"
  {
    echo "global: {scrape_interval: 1s}"
    echo "scrape_configs:"
    local i
    for i in $(seq 25); do
      echo "  - job_name: self$i"
      echo "    static_configs: [{targets: ['127.0.0.1:19090']}]"
    done
  } > "$d/prometheus.yml"
  prometheus --config.file "$d/prometheus.yml" --storage.tsdb.path "$d/data" \
    --web.listen-address 127.0.0.1:19090 >"$d/log" 2>&1 & pids+=($!)
  wait_port http://127.0.0.1:19090/-/ready
  "$load" http 127.0.0.1:19090 150 /metrics 40s & pids+=($!)
  "$load" http 127.0.0.1:19090 50 '/api/v1/query?query=up' 40s & pids+=($!)
  sleep 20
  take prometheus http://127.0.0.1:19090 prometheus
  cleanup
}

run_containerd() {
  local d=$scratch/containerd; rm -rf "$d"; mkdir -p "$d"
  cat > "$d/config.toml" <<TOML
version = 2
root = "$d/root"
state = "$d/state"
[grpc]
  address = "$d/containerd.sock"
[ttrpc]
  address = "$d/containerd.sock.ttrpc"
[debug]
  address = "$d/debug.sock"
[metrics]
  address = "127.0.0.1:13380"
TOML
  containerd --config "$d/config.toml" >"$d/log" 2>&1 & pids+=($!)
  wait_port http://127.0.0.1:13380/v1/metrics
  local i
  for i in $(seq 20); do
    ctr --address "$d/containerd.sock" events >/dev/null 2>&1 & pids+=($!)
  done
  "$load" http 127.0.0.1:13380 100 /v1/metrics 40s & pids+=($!)
  for i in $(seq 40); do
    ctr --address "$d/containerd.sock" namespaces create "ns$i" >/dev/null || true
    ctr --address "$d/containerd.sock" -n "ns$i" images ls >/dev/null || true
  done
  sleep 15
  curl -sf --unix-socket "$d/debug.sock" "http://localhost/debug/pprof/goroutine?debug=2" \
    > "$scratch/containerd.txt"
  local out=$out_dir/containerd-$(debver containerd).txt.zst
  [ -s "$scratch/containerd.txt" ] || { echo "make-servers: empty dump of containerd" >&2; return 1; }
  if grep -q "$scratch" "$scratch/containerd.txt"; then
    echo "make-servers: containerd's dump holds scratch paths" >&2; return 1
  fi
  zstd -q -19 -f "$scratch/containerd.txt" -o "$out"
  echo "make-servers: $out ($(grep -c '^goroutine ' "$scratch/containerd.txt") goroutines)" >&2
  cleanup
}

run_nats() {
  local d=$scratch/nats; rm -rf "$d"; mkdir -p "$d"
  nats-server -a 127.0.0.1 -p 14222 -m 18222 --profile 16060 >"$d/log" 2>&1 & pids+=($!)
  wait_port http://127.0.0.1:18222/varz
  "$load" nats 127.0.0.1:14222 300 40s & pids+=($!)
  "$load" http 127.0.0.1:18222 20 /connz 40s & pids+=($!)
  sleep 15
  take nats http://127.0.0.1:16060 nats-server
  cleanup
}

for s in "${servers[@]}"; do
  case $s in
    etcd|prometheus|containerd|nats) "run_$s" ;;
    *) echo "make-servers: unknown server $s" >&2; exit 2 ;;
  esac
done
