#!/usr/bin/env bash
# make-servers.sh — goroutine dumps of healthy real servers under a bounded loopback load,
# for the findings rules (tests/analysis: no finding above LOW on any of them).
#
# Usage: testdata/dumps/gen/make-servers.sh [SERVER...]   (default: all ten)
# Needs Debian bookworm's etcd-server + etcd-client, prometheus, containerd, nats-server,
# prometheus-node-exporter, prometheus-alertmanager, rclone, syncthing, influxdb, mtail
# (apt-get install them; they are not needed to run the tests) and a Go toolchain for the
# load client testdata/go/loadclient (GO=path/to/go, default: go on PATH). GOPM_SCRATCH is
# the scratch directory (default: a new temporary one). Writes
# testdata/dumps/servers/<server>-<debian version>.txt.zst:
#
#   etcd        etcd 3.4 with 300 HTTP/1.1 keep-alive clients of /health and /v3/kv/range
#               of /version plus 20 `etcdctl watch` streams; pprof debug=2
#   prometheus  prometheus 2.42 scraping itself as 25 targets, 200 keep-alive clients of
#               /metrics and /api/v1/query; pprof debug=2
#   containerd  containerd 1.6 (its own root and state) with 20 `ctr events` streams and
#               `ctr` calls in a loop; pprof debug=2 on its debug address
#   nats        nats-server 2.9 with 300 clients subscribing and publishing; pprof debug=2
#   node-exporter, alertmanager, rclone, syncthing, influxdb, mtail: each with active
#               clients and 300 idle keep-alive connections (servers.sh says which), two
#               snapshots: after a minute of load and, as <server>-<version>-<N>min.txt.zst,
#               N = GOPM_LATE_MINUTES (default 5) minutes later, when the idle connections'
#               goroutines have waited for minutes (node-exporter and alertmanager also
#               with 12: their main's errgroup wait passes deadlock.stuck-wait's 10 minutes)
#
# The servers and their loads are testdata/gen/servers.sh's (live-server-cores.sh starts the
# same). Each server runs for about 15 s under load before its dump is taken; the dump is the
# text of /debug/pprof/goroutine?debug=2 (every server here offers it).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
testdata=$(cd "$here/../.." && pwd)
out_dir=$testdata/dumps/servers
scratch=${GOPM_SCRATCH:-$(mktemp -d)}
go=${GO:-go}
me=make-servers
late=${GOPM_LATE_MINUTES:-5}
servers=("$@")
[ ${#servers[@]} -gt 0 ] || servers=(etcd prometheus containerd nats node-exporter alertmanager
  rclone syncthing influxdb mtail)
mkdir -p "$out_dir" "$scratch"
# shellcheck source=../../gen/servers.sh
. "$testdata/gen/servers.sh"
servers_init

debver() { dpkg-query -W -f '${Version}' "$1" | sed 's/[^0-9.].*//'; }

# take NAME PACKAGE [SUFFIX]: stores the pprof dump of the running server (its curl
# arguments in pprof), checks it is not empty and has no paths
take() {
  local out=$out_dir/$1-$(debver "$2")${3:-}.txt.zst
  curl -sf "${pprof[@]:1}" "${pprof[0]}/debug/pprof/goroutine?debug=2" > "$scratch/$1.txt"
  [ -s "$scratch/$1.txt" ] || { echo "make-servers: empty dump of $1" >&2; return 1; }
  if grep -q "$scratch" "$scratch/$1.txt"; then
    echo "make-servers: $1's dump holds scratch paths" >&2; return 1
  fi
  zstd -q -19 -f "$scratch/$1.txt" -o "$out"
  echo "make-servers: $out ($(grep -c '^goroutine ' "$scratch/$1.txt") goroutines)" >&2
}

for s in "${servers[@]}"; do
  case $s in
    etcd) pkg=etcd-server ;;
    prometheus|containerd) pkg=$s ;;
    nats) pkg=nats-server ;;
    node-exporter|alertmanager) pkg=prometheus-$s ;;
    rclone|syncthing|influxdb|mtail) pkg=$s ;;
    *) echo "make-servers: unknown server $s" >&2; exit 2 ;;
  esac
  d=$scratch/$s; rm -rf "$d"; mkdir -p "$d"
  case $s in
    etcd|prometheus|containerd|nats)
      "start_$s" "$d" 40
      sleep 15
      take "$s" "$pkg" ;;
    *)
      "start_${s//-/_}" "$d" $((90 + late * 60))
      sleep 60
      take "$s" "$pkg"
      sleep $((late * 60))
      take "$s" "$pkg" "-${late}min" ;;
  esac
  cleanup
done
