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

# The servers below hold two kinds of connection: active ones (a request every 200 ms) and
# idle keep-alive ones (`-every 10m`: one request, then the connection stays open with its
# server goroutine parked in its read for as long as the snapshot waits, so a late snapshot
# shows waits of minutes). CLIENTS scales the idle ones (default 300).

# prometheus-node-exporter 1.5: 20 scrapers of /metrics every second, CLIENTS idle.
start_node_exporter() {
  local d=$1 secs=$2 clients=${3:-300}
  prometheus-node-exporter --web.listen-address 127.0.0.1:19100 \
    --collector.textfile.directory "$d" >"$d/log" 2>&1 & pids+=($!)
  srv=$!
  wait_port http://127.0.0.1:19100/metrics
  "$load" -every 1s http 127.0.0.1:19100 20 /metrics "${secs}s" & pids+=($!)
  "$load" -every 10m http 127.0.0.1:19100 "$clients" /metrics "${secs}s" & pids+=($!)
  pprof=(http://127.0.0.1:19100)
}

# prometheus-alertmanager 0.25 (no cluster): alerts posted every second by curl, 100
# clients of /api/v2/alerts and /api/v2/status, CLIENTS idle.
start_alertmanager() {
  local d=$1 secs=$2 clients=${3:-300}
  cat > "$d/alertmanager.yml" <<YML
route: {receiver: "null", group_by: [job], group_wait: 1s, group_interval: 5s}
receivers: [{name: "null"}]
YML
  prometheus-alertmanager --config.file "$d/alertmanager.yml" --storage.path "$d/data" \
    --web.listen-address 127.0.0.1:19093 --cluster.listen-address= >"$d/log" 2>&1 & pids+=($!)
  srv=$!
  wait_port http://127.0.0.1:19093/-/ready
  ( end=$((SECONDS + secs)); i=0
    while [ $SECONDS -lt $end ]; do
      curl -s -o /dev/null -H 'Content-Type: application/json' \
        -d "[{\"labels\":{\"alertname\":\"load$((i % 50))\",\"job\":\"j$((i % 7))\"}}]" \
        http://127.0.0.1:19093/api/v2/alerts || true
      i=$((i + 1)); sleep 1
    done ) & pids+=($!)
  "$load" http 127.0.0.1:19093 70 /api/v2/alerts "${secs}s" & pids+=($!)
  "$load" http 127.0.0.1:19093 30 /api/v2/status "${secs}s" & pids+=($!)
  "$load" -every 10m http 127.0.0.1:19093 "$clients" /-/healthy "${secs}s" & pids+=($!)
  pprof=(http://127.0.0.1:19093)
}

# rclone 1.60 serving a directory of 20 files over HTTP: 100 clients of a file, CLIENTS
# idle on the listing (rclone's server closes idle connections within a minute: only the
# active ones stay); pprof on its remote-control server.
start_rclone() {
  local d=$1 secs=$2 clients=${3:-300} i
  mkdir -p "$d/www"
  for i in $(seq 20); do head -c 4096 /dev/zero | tr '\0' x > "$d/www/f$i.txt"; done
  rclone serve http "$d/www" --config /dev/null --cache-dir "$d/cache" --addr 127.0.0.1:18082 \
    --rc --rc-addr 127.0.0.1:15572 --rc-no-auth >"$d/log" 2>&1 & pids+=($!)
  srv=$!
  wait_port http://127.0.0.1:18082/f1.txt
  "$load" http 127.0.0.1:18082 100 /f1.txt "${secs}s" & pids+=($!)
  "$load" -every 10m http 127.0.0.1:18082 "$clients" / "${secs}s" & pids+=($!)
  pprof=(http://127.0.0.1:15572)
}

# syncthing 1.19 with no discovery, relays or NAT, listening on loopback: 50 long-polls of
# /rest/events (answered each minute or at an event), 100 clients of /rest/system/status,
# CLIENTS idle on /rest/noauth/health; pprof by STPROFILER.
start_syncthing() {
  local d=$1 secs=$2 clients=${3:-300} key=gopm-healthy-servers-key
  HOME=$d syncthing generate --home "$d/home" --no-default-folder >"$d/log" 2>&1
  sed -i -e "s|<apikey>.*</apikey>|<apikey>$key</apikey>|" \
    -e 's|<address>127.0.0.1:8384</address>|<address>127.0.0.1:18384</address>|' \
    -e 's|<listenAddress>default</listenAddress>|<listenAddress>tcp://127.0.0.1:22001</listenAddress>|' \
    -e 's|<globalAnnounceEnabled>true|<globalAnnounceEnabled>false|' \
    -e 's|<localAnnounceEnabled>true|<localAnnounceEnabled>false|' \
    -e 's|<relaysEnabled>true|<relaysEnabled>false|' \
    -e 's|<natEnabled>true|<natEnabled>false|' \
    -e 's|<startBrowser>true|<startBrowser>false|' \
    -e 's|<urAccepted>0|<urAccepted>-1|' \
    -e 's|<crashReportingEnabled>true|<crashReportingEnabled>false|' \
    -e 's|<autoUpgradeIntervalH>12|<autoUpgradeIntervalH>0|' "$d/home/config.xml"
  # STMONITORED: no monitor process (it would run the server as its child, another pid)
  HOME=$d STMONITORED=yes STPROFILER=127.0.0.1:16061 STNOUPGRADE=1 syncthing serve --home "$d/home" \
    --no-browser --no-restart >>"$d/log" 2>&1 & pids+=($!)
  srv=$!
  wait_port http://127.0.0.1:16061/debug/pprof/
  sleep 2
  "$load" -every 0 -header "X-API-Key: $key" http 127.0.0.1:18384 50 /rest/events "${secs}s" & pids+=($!)
  "$load" -header "X-API-Key: $key" http 127.0.0.1:18384 100 /rest/system/status "${secs}s" & pids+=($!)
  "$load" -every 10m -header "X-API-Key: $key" http 127.0.0.1:18384 "$clients" /rest/noauth/health \
    "${secs}s" & pids+=($!)
  pprof=(http://127.0.0.1:16061)
}

# influxdb 1.6 on loopback: points written every second by curl, 100 clients of /query
# and 100 of /ping, CLIENTS idle.
start_influxdb() {
  local d=$1 secs=$2 clients=${3:-300}
  cat > "$d/influxdb.conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:18088"
[meta]
  dir = "$d/meta"
[data]
  dir = "$d/data"
  wal-dir = "$d/wal"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:18086"
  log-enabled = false
  pprof-enabled = true
CONF
  influxd run -config "$d/influxdb.conf" >"$d/log" 2>&1 & pids+=($!)
  srv=$!
  wait_port http://127.0.0.1:18086/ping
  curl -sf -o /dev/null -XPOST http://127.0.0.1:18086/query --data-urlencode 'q=CREATE DATABASE load'
  ( end=$((SECONDS + secs)); i=0
    while [ $SECONDS -lt $end ]; do
      curl -s -o /dev/null -XPOST 'http://127.0.0.1:18086/write?db=load' \
        --data-binary "m,host=h$((i % 20)) v=$i" || true
      i=$((i + 1)); sleep 1
    done ) & pids+=($!)
  "$load" http 127.0.0.1:18086 100 '/query?db=load&q=SELECT+count(v)+FROM+m' "${secs}s" & pids+=($!)
  "$load" http 127.0.0.1:18086 100 /ping "${secs}s" & pids+=($!)
  "$load" -every 10m http 127.0.0.1:18086 "$clients" /ping "${secs}s" & pids+=($!)
  pprof=(http://127.0.0.1:18086)
}

# mtail 3.0 tailing a log appended to 20 times a second, one program counting its lines
# by kind; 100 clients of /metrics, CLIENTS idle.
start_mtail() {
  local d=$1 secs=$2 clients=${3:-300}
  mkdir -p "$d/progs"
  cat > "$d/progs/lines.mtail" <<'MTAIL'
counter lines_total by kind
/^(?P<kind>\w+) / {
  lines_total[$kind]++
}
MTAIL
  : > "$d/app.log"
  ( end=$((SECONDS + secs)); i=0
    while [ $SECONDS -lt $end ]; do
      echo "kind$((i % 9)) line $i" >> "$d/app.log"; i=$((i + 1)); sleep 0.05
    done ) & pids+=($!)
  mtail --address 127.0.0.1 --port 13903 --progs "$d/progs" --logs "$d/app.log" \
    >"$d/log" 2>&1 & pids+=($!)
  srv=$!
  wait_port http://127.0.0.1:13903/metrics
  "$load" http 127.0.0.1:13903 100 /metrics "${secs}s" & pids+=($!)
  "$load" -every 10m http 127.0.0.1:13903 "$clients" /metrics "${secs}s" & pids+=($!)
  pprof=(http://127.0.0.1:13903)
}
