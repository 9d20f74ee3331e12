#!/usr/bin/env bash
# live-server-cores.sh — gcore snapshots of healthy real servers under a bounded loopback
# load, each beside the goroutine dump of right after, for checking what gopm says about a
# live production service (doc/goroutines.md "Live servers"). Not run in CI: the cores are
# big (GBs, mostly zeros) and are never committed.
#
# Usage: testdata/gen/live-server-cores.sh [SERVER...]   (default: all)
# Servers: etcd prometheus containerd nats caddy client node-exporter alertmanager rclone
# syncthing influxdb mtail.
# Needs Debian's etcd-server + etcd-client, prometheus, containerd, nats-server, caddy,
# prometheus-node-exporter, prometheus-alertmanager, rclone, syncthing, influxdb, mtail,
# gdb (gcore), a Go toolchain for testdata/go/loadclient (GO=..., default go on PATH) and,
# for the comparison, delve (dlv). GOPM_SCRATCH is the scratch directory (default: a new
# temporary one); each server leaves there <server>/core, <server>/dump.txt (pprof
# goroutine?debug=2 taken right after gcore released the process) and <server>/exe (the
# executable's path); `client` is the load client itself, with DWARF, for `dlv core`. The
# servers and their loads are testdata/gen/servers.sh's (make-servers.sh starts the same;
# etcd here with 600 clients). Beside dump.txt, pprof's debug=1 text (dump1.txt) and
# protobuf profile (profile.pb.gz). GOPM_LATE_MINUTES=N (default 0: none) keeps the same
# load running, takes the first snapshot after a minute of it (not 15 s) and a second one
# N minutes after the first, into <server>/late/:
# idle connections' goroutines then wait for minutes, which the stuck and leak rules read.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
testdata=$(cd "$here/.." && pwd)
scratch=${GOPM_SCRATCH:-$(mktemp -d)}
go=${GO:-go}
me=live-server-cores
late=${GOPM_LATE_MINUTES:-0}
first=15
[ "$late" -eq 0 ] || first=60 # a minute of load before the first of two snapshots
servers=("$@")
[ ${#servers[@]} -gt 0 ] || servers=(etcd prometheus containerd nats caddy client node-exporter
  alertmanager rclone syncthing influxdb mtail)
mkdir -p "$scratch"
# shellcheck source=servers.sh
. "$here/servers.sh"
servers_init

# snap NAME: gcore of the running server ($srv), then the pprof dump of right after. The
# clients are stopped meanwhile (SIGSTOP): writing a core of GBs takes seconds, in which
# they would time out and reconnect, and their connections' goroutines would be new ones.
snap() {
  local name=$1 d=${2:-$scratch/$1} p
  mkdir -p "$d"
  readlink "/proc/$srv/exe" > "$d/exe"
  rm -f "$d/core" "$d/core.$srv"
  for p in "${pids[@]}"; do [ "$p" = "$srv" ] || kill -STOP "$p" 2>/dev/null || true; done
  sleep 1
  gcore -o "$d/core" "$srv" >"$d/gcore.log" 2>&1
  curl -sf "${pprof[@]:1}" "${pprof[0]}/debug/pprof/goroutine?debug=2" > "$d/dump.txt"
  curl -sf "${pprof[@]:1}" "${pprof[0]}/debug/pprof/goroutine?debug=1" > "$d/dump1.txt"
  curl -sf "${pprof[@]:1}" "${pprof[0]}/debug/pprof/goroutine" > "$d/profile.pb.gz"
  for p in "${pids[@]}"; do [ "$p" = "$srv" ] || kill -CONT "$p" 2>/dev/null || true; done
  mv "$d/core.$srv" "$d/core"
  echo "live-server-cores: $name: $(du -h --apparent-size "$d/core" | cut -f1) core," \
    "$(grep -c '^goroutine ' "$d/dump.txt") goroutines in the dump" >&2
}

# The load client itself, 1,000 keep-alive connections to caddy (about 3,000 goroutines):
# built here with DWARF, so Delve can read its core too (Debian's servers are stripped of
# DWARF and `dlv core` refuses them: "could not open debug info"). Its dump is the
# runtime's own traceback, SIGQUIT under GOTRACEBACK=all right after gcore.
run_client() {
  local d=$1
  start_caddy "$d" 0 0
  GOTRACEBACK=all "$load" http 127.0.0.1:18080 1000 / 120s 2>"$d/stderr" & pids+=($!)
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
}

for s in "${servers[@]}"; do
  case $s in
    etcd|prometheus|containerd|nats|caddy|client) ;;
    node-exporter|alertmanager|rclone|syncthing|influxdb|mtail) ;;
    *) echo "live-server-cores: unknown server $s" >&2; exit 2 ;;
  esac
  d=$scratch/$s; rm -rf "$d"; mkdir -p "$d"
  case $s in
    client) run_client "$d" ;;
    etcd) start_etcd "$d" $((first + 45 + late * 60)) 600; sleep "$first"; snap etcd ;;
    *) "start_${s//-/_}" "$d" $((first + 45 + late * 60)); sleep "$first"; snap "$s" ;;
  esac
  if [ "$s" != client ] && [ "$late" -gt 0 ]; then
    sleep $((late * 60)); snap "$s" "$d/late"
  fi
  cleanup
done
