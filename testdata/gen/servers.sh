# servers.sh — the healthy real servers of testdata/dumps/gen/make-servers.sh (their
# goroutine dumps) and testdata/gen/live-server-cores.sh (gcore snapshots), each started
# under a bounded loopback load. Sourced by both (bash), after they set `scratch` (the
# scratch directory), `go` (the go command) and `me` (the name their messages carry).
#
# servers_init: builds the load client (testdata/go/loadclient) as $load and arms the
# cleanup. start_NAME DIR SECONDS [CLIENTS]: starts NAME with its data in DIR and its load
# for SECONDS; sets `srv` (the server's pid) and `pprof` (curl arguments for its
# /debug/pprof handlers: a base URL, then any options). The caller waits, takes what it
# needs, and calls cleanup, which stops the server and its clients.

servers_init() {
  (cd "$testdata/go" && GOTOOLCHAIN=local GOFLAGS=-trimpath GOCACHE="$scratch/gocache" \
    CGO_ENABLED=0 "$go" build -o "$scratch/loadclient" ./loadclient)
  load=$scratch/loadclient
  pids=()
  trap cleanup EXIT
}

cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
}

wait_port() { # wait_port URL
  local i
  for i in $(seq 100); do curl -sf -o /dev/null "$1" && return 0; sleep 0.2; done
  echo "$me: $1 never answered" >&2; return 1
}

# etcd 3.4: 20 `etcdctl watch` streams, 20 puts, then CLIENTS (default 300) HTTP/1.1
# keep-alive clients, two thirds of /health and one third of /version (the puts come
# first: on a loaded machine 200 of them outlasted the load).
start_etcd() {
  local d=$1 secs=$2 clients=${3:-300} i
  etcd --name s1 --data-dir "$d/data" --enable-pprof \
    --listen-client-urls http://127.0.0.1:23790 --advertise-client-urls http://127.0.0.1:23790 \
    --listen-peer-urls http://127.0.0.1:23800 --initial-advertise-peer-urls http://127.0.0.1:23800 \
    --initial-cluster s1=http://127.0.0.1:23800 >"$d/log" 2>&1 & pids+=($!)
  srv=$!
  wait_port http://127.0.0.1:23790/health
  for i in $(seq 20); do
    ETCDCTL_API=3 etcdctl --endpoints 127.0.0.1:23790 watch --prefix key >/dev/null 2>&1 & pids+=($!)
  done
  for i in $(seq 20); do
    ETCDCTL_API=3 etcdctl --endpoints 127.0.0.1:23790 put "key$i" "v$i" >/dev/null
  done
  "$load" http 127.0.0.1:23790 $((clients * 2 / 3)) /health "${secs}s" & pids+=($!)
  "$load" http 127.0.0.1:23790 $((clients / 3)) /version "${secs}s" & pids+=($!)
  pprof=(http://127.0.0.1:23790)
}

# prometheus 2.42 scraping itself as 25 targets, 150 keep-alive clients of /metrics and
# 50 of /api/v1/query.
start_prometheus() {
  local d=$1 secs=$2 i
  {
    echo "global: {scrape_interval: 1s}"
    echo "scrape_configs:"
    for i in $(seq 25); do
      echo "  - job_name: self$i"
      echo "    static_configs: [{targets: ['127.0.0.1:19090']}]"
    done
  } > "$d/prometheus.yml"
  prometheus --config.file "$d/prometheus.yml" --storage.tsdb.path "$d/data" \
    --web.listen-address 127.0.0.1:19090 >"$d/log" 2>&1 & pids+=($!)
  srv=$!
  wait_port http://127.0.0.1:19090/-/ready
  "$load" http 127.0.0.1:19090 150 /metrics "${secs}s" & pids+=($!)
  "$load" http 127.0.0.1:19090 50 '/api/v1/query?query=up' "${secs}s" & pids+=($!)
  pprof=(http://127.0.0.1:19090)
}

# containerd 1.6 with its own root and state: 20 `ctr events` streams, 100 clients of its
# metrics, and `ctr` calls in a loop; pprof on its debug socket.
start_containerd() {
  local d=$1 secs=$2 i
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
  srv=$!
  wait_port http://127.0.0.1:13380/v1/metrics
  for i in $(seq 20); do
    ctr --address "$d/containerd.sock" events >/dev/null 2>&1 & pids+=($!)
  done
  "$load" http 127.0.0.1:13380 100 /v1/metrics "${secs}s" & pids+=($!)
  for i in $(seq 40); do
    ctr --address "$d/containerd.sock" namespaces create "ns$i" >/dev/null || true
    ctr --address "$d/containerd.sock" -n "ns$i" images ls >/dev/null || true
  done
  pprof=(http://localhost --unix-socket "$d/debug.sock")
}

# nats-server 2.9 with 300 clients subscribing and publishing, 20 clients of /connz.
start_nats() {
  local d=$1 secs=$2
  nats-server -a 127.0.0.1 -p 14222 -m 18222 --profile 16060 >"$d/log" 2>&1 & pids+=($!)
  srv=$!
  wait_port http://127.0.0.1:18222/varz
  "$load" nats 127.0.0.1:14222 300 "${secs}s" & pids+=($!)
  "$load" http 127.0.0.1:18222 20 /connz "${secs}s" & pids+=($!)
  pprof=(http://127.0.0.1:16060)
}

# caddy 2.6 serving a file to CLIENTS (default 1,000) keep-alive clients; 0: no load.
start_caddy() {
  local d=$1 secs=$2 clients=${3:-1000}
  mkdir -p "$d/www"
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
  srv=$!
  wait_port http://127.0.0.1:18080/
  [ "$clients" -eq 0 ] || { "$load" http 127.0.0.1:18080 "$clients" / "${secs}s" & pids+=($!); }
  pprof=(http://127.0.0.1:12019)
}
