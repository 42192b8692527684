#!/bin/bash
# How many bytes one point takes in go-carbon's cache (the figure the installer's sizing
# of [cache] max-size rests on: libdkm/include/dkm/install/sizing.hpp, kCachedPointBytes).
# Opt-in; never run by ctest.
#
#   tests/bench/cache_memory.sh [GO_CARBON] [HOSTS] [ROUNDS]
#     GO_CARBON  a go-carbon binary (default /work/realbundle/bin/go-carbon)
#     HOSTS      simulated hosts (default 1000), each sending the metric names of
#                build/capacity/host.metrics (the capacity benchmark's capture of our
#                collectd's set; tests/bench/capacity.sh makes it)
#     ROUNDS     points per metric (default 40)
#
# go-carbon runs with its persister off ([whisper] enabled = false) and no cache limit, so
# every point it receives stays in its cache; after each round (one point for every
# metric) the script reads go-carbon's resident memory (VmRSS). It prints the resident
# bytes per cached point after the first round (one point per metric: the per-metric cost
# dominates) and the slope over the later rounds (the cost of one more point of a metric
# already cached).
set -eu
cd "$(dirname "$0")/../.."
go_carbon=${1:-/work/realbundle/bin/go-carbon} hosts=${2:-1000} rounds=${3:-40}
names_file=build/capacity/host.metrics
[ -x "$go_carbon" ] || { echo "cache_memory.sh: $go_carbon is not a program" >&2; exit 2; }
[ -f "$names_file" ] || { echo "cache_memory.sh: $names_file is missing (run tests/bench/capacity.sh once)" >&2; exit 2; }
work=$(mktemp -d /tmp/dkm-cache-memory-XXXXXX)
port=25901
cat >"$work/go-carbon.conf" <<CONF
[common]
user = ""
metric-endpoint = "local"
max-cpu = 2
[whisper]
data-dir = "$work/whisper"
schemas-file = "$work/storage-schemas.conf"
enabled = false
[cache]
max-size = 0
[udp]
enabled = false
[tcp]
listen = "127.0.0.1:$port"
enabled = true
[pickle]
enabled = false
[carbonlink]
enabled = false
[grpc]
enabled = false
[carbonserver]
enabled = false
[[logging]]
logger = ""
file = "stdout"
level = "warn"
CONF
printf '[default]\npattern = .*\nretentions = 60s:7d\n' >"$work/storage-schemas.conf"
"$go_carbon" -config "$work/go-carbon.conf" >"$work/go-carbon.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
rss() { awk '/^VmRSS/ {print $2 * 1024}' /proc/$pid/status; }
# The capture's names with a value (go-carbon stores no NaN), host node replaced by hNNNNN.
awk 'NR > 1 && !/^#/ && $2 != "nan" {print $1}' "$names_file" | sed 's/^collectd\.[^.]*\./collectd.h%05d./' >"$work/names"
metrics=$(( $(wc -l <"$work/names") * hosts ))
start=$(rss)
echo "go-carbon $("$go_carbon" -version | head -1), $hosts hosts x $(wc -l <"$work/names") metrics = $metrics metrics; resident at start $start bytes"
for round in $(seq "$rounds"); do
  awk -v hosts="$hosts" -v t=$((1800000000 + 60 * round)) -v v="$round" \
    '{ name[NR] = $0 } END { for (h = 0; h < hosts; h++) for (i = 1; i <= NR; i++) printf(name[i] " %d %d\n", h, v, t) }' \
    "$work/names" >/dev/tcp/127.0.0.1/$port
  sleep 1
  now=$(rss)
  [ "$round" = 1 ] && first=$now
  echo "round $round: $((metrics * round)) points cached, resident $now bytes"
done
awk -v s="$start" -v f="$first" -v l="$now" -v m="$metrics" -v r="$rounds" 'BEGIN {
  printf "one point per metric: %.0f bytes a point (per-metric cost included)\n", (f - s) / m
  if (r > 1) printf "rounds 2 to %d: %.0f bytes per additional point\n", r, (l - f) / (m * (r - 1))
  printf "all %d rounds: %.0f bytes a point\n", r, (l - s) / (m * r) }'
