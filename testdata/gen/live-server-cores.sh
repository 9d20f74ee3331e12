#!/usr/bin/env bash
# live-server-cores.sh — gcore snapshots of healthy real servers under a bounded loopback
# load, each beside the goroutine dump of right after, for checking what gopm says about a
# live production service (doc/goroutines.md "Live servers"). Not run in CI: the cores are
# big (GBs, mostly zeros) and are never committed.
#
# Usage: testdata/gen/live-server-cores.sh [SERVER...]   (default: all)
# Needs Debian's etcd-server + etcd-client, prometheus, containerd, nats-server, caddy,
# gdb (gcore), a Go toolchain for testdata/go/loadclient (GO=..., default go on PATH) and,
# for the comparison, delve (dlv). GOPM_SCRATCH is the scratch directory (default: a new
# temporary one); each server leaves there <server>/core, <server>/dump.txt (pprof
# goroutine?debug=2 taken right after gcore released the process) and <server>/exe (the
# executable's path); `client` is the load client itself, with DWARF, for `dlv core`. The loads are the ones of testdata/dumps/gen/make-servers.sh.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
testdata=$(cd "$here/.." && pwd)
scratch=${GOPM_SCRATCH:-$(mktemp -d)}
go=${GO:-go}
servers=("$@")
[ ${#servers[@]} -gt 0 ] || servers=(etcd prometheus containerd nats caddy client)
mkdir -p "$scratch"

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
  echo "live-server-cores: $1 never answered" >&2; return 1
}

# snap NAME PID URL [CURL-ARGS...]: gcore of PID, then the pprof dump of right after. The
# clients are stopped meanwhile (SIGSTOP): writing a core of GBs takes seconds, in which
# they would time out and reconnect, and their connections' goroutines would be new ones.
snap() {
  local name=$1 pid=$2 url=$3; shift 3
  local d=$scratch/$name p
  readlink "/proc/$pid/exe" > "$d/exe"
  rm -f "$d/core" "$d/core.$pid"
  for p in "${pids[@]}"; do [ "$p" = "$pid" ] || kill -STOP "$p" 2>/dev/null || true; done
  sleep 1
  gcore -o "$d/core" "$pid" >"$d/gcore.log" 2>&1
  curl -sf "$@" "$url/debug/pprof/goroutine?debug=2" > "$d/dump.txt"
  for p in "${pids[@]}"; do [ "$p" = "$pid" ] || kill -CONT "$p" 2>/dev/null || true; done
  mv "$d/core.$pid" "$d/core"
  echo "live-server-cores: $name: $(du -h --apparent-size "$d/core" | cut -f1) core," \
    "$(grep -c '^goroutine ' "$d/dump.txt") goroutines in the dump" >&2
}

run_etcd() {
  local d=$scratch/etcd; rm -rf "$d"; mkdir -p "$d"
  etcd --name s1 --data-dir "$d/data" --enable-pprof \
    --listen-client-urls http://127.0.0.1:23790 --advertise-client-urls http://127.0.0.1:23790 \
    --listen-peer-urls http://127.0.0.1:23800 --initial-advertise-peer-urls http://127.0.0.1:23800 \
    --initial-cluster s1=http://127.0.0.1:23800 >"$d/log" 2>&1 & pids+=($!)
  local srv=$!
  wait_port http://127.0.0.1:23790/health
  local i
  for i in $(seq 20); do
    ETCDCTL_API=3 etcdctl --endpoints 127.0.0.1:23790 watch --prefix key >/dev/null 2>&1 & pids+=($!)
  done
  for i in $(seq 20); do
    ETCDCTL_API=3 etcdctl --endpoints 127.0.0.1:23790 put "key$i" "v$i" >/dev/null
  done
  # after the puts: on a loaded machine 200 of them outlasted the load
  "$load" http 127.0.0.1:23790 400 /health 60s & pids+=($!)
  "$load" http 127.0.0.1:23790 200 /version 60s & pids+=($!)
  sleep 15
  snap etcd "$srv" http://127.0.0.1:23790
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
  local srv=$!
  wait_port http://127.0.0.1:19090/-/ready
  "$load" http 127.0.0.1:19090 150 /metrics 60s & pids+=($!)
  "$load" http 127.0.0.1:19090 50 '/api/v1/query?query=up' 60s & pids+=($!)
  sleep 15
  snap prometheus "$srv" http://127.0.0.1:19090
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
  local srv=$!
  wait_port http://127.0.0.1:13380/v1/metrics
  local i
  for i in $(seq 20); do
    ctr --address "$d/containerd.sock" events >/dev/null 2>&1 & pids+=($!)
  done
  "$load" http 127.0.0.1:13380 100 /v1/metrics 60s & pids+=($!)
  for i in $(seq 40); do
    ctr --address "$d/containerd.sock" namespaces create "ns$i" >/dev/null || true
    ctr --address "$d/containerd.sock" -n "ns$i" images ls >/dev/null || true
  done
  sleep 10
  snap containerd "$srv" http://localhost --unix-socket "$d/debug.sock"
  cleanup
}

run_nats() {
  local d=$scratch/nats; rm -rf "$d"; mkdir -p "$d"
  nats-server -a 127.0.0.1 -p 14222 -m 18222 --profile 16060 >"$d/log" 2>&1 & pids+=($!)
  local srv=$!
  wait_port http://127.0.0.1:18222/varz
  "$load" nats 127.0.0.1:14222 300 60s & pids+=($!)
  "$load" http 127.0.0.1:18222 20 /connz 60s & pids+=($!)
  sleep 15
  snap nats "$srv" http://127.0.0.1:16060
  cleanup
}

run_caddy() {
  local d=$scratch/caddy; rm -rf "$d"; mkdir -p "$d/www"
  echo hello > "$d/www/index.html"
  cat > "$d/Caddyfile" <<CADDY
{
	admin 127.0.0.1:12019
	auto_https off
	storage file_system $d/data
}
http://127.0.0.1:18080 {
	root * $d/www
	file_server
}
CADDY
  HOME=$d XDG_CONFIG_HOME=$d XDG_DATA_HOME=$d \
    caddy run --config "$d/Caddyfile" --adapter caddyfile >"$d/log" 2>&1 & pids+=($!)
  local srv=$!
  wait_port http://127.0.0.1:18080/
  "$load" http 127.0.0.1:18080 1000 / 60s & pids+=($!)
  sleep 15
  snap caddy "$srv" http://127.0.0.1:12019
  cleanup
}

# The load client itself, 1,000 keep-alive connections to caddy (about 3,000 goroutines):
# built here with DWARF, so Delve can read its core too (Debian's servers are stripped of
# DWARF and `dlv core` refuses them: "could not open debug info"). Its dump is the
# runtime's own traceback, SIGQUIT under GOTRACEBACK=all right after gcore.
run_client() {
  local d=$scratch/client; rm -rf "$d"; mkdir -p "$d/www"
  echo hello > "$d/www/index.html"
  printf '{\n\tadmin off\n\tauto_https off\n\tstorage file_system %s\n}\nhttp://127.0.0.1:18090 {\n\troot * %s\n\tfile_server\n}\n' \
    "$d/data" "$d/www" > "$d/Caddyfile"
  HOME=$d XDG_CONFIG_HOME=$d XDG_DATA_HOME=$d \
    caddy run --config "$d/Caddyfile" --adapter caddyfile >"$d/log" 2>&1 & pids+=($!)
  wait_port http://127.0.0.1:18090/
  GOTRACEBACK=all "$load" http 127.0.0.1:18090 1000 / 120s 2>"$d/stderr" & pids+=($!)
  local pid=$!
  sleep 20
  readlink "/proc/$pid/exe" > "$d/exe"
  cp "$load" "$d/loadclient"
  gcore -o "$d/core" "$pid" >"$d/gcore.log" 2>&1
  kill -QUIT "$pid"; sleep 2
  mv "$d/core.$pid" "$d/core"
  cp "$d/stderr" "$d/dump.txt"
  echo "live-server-cores: client: $(du -h --apparent-size "$d/core" | cut -f1) core," \
    "$(grep -c '^goroutine ' "$d/dump.txt") goroutines in the traceback" >&2
  cleanup
}

for s in "${servers[@]}"; do
  case $s in
    etcd|prometheus|containerd|nats|caddy|client) "run_$s" ;;
    *) echo "live-server-cores: unknown server $s" >&2; exit 2 ;;
  esac
done
