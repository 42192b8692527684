#!/bin/sh
# Capacity benchmark: how many collectd hosts one dkumonitor backend (go-carbon + carbonapi)
# holds, and what each go-carbon / carbonapi setting changes. Opt-in; never run by ctest.
#
#   tests/bench/capacity.sh [options] POINT...
#     POINT    VARIANT:HOSTS[:INTERVAL]   e.g. today:100  sparse:1000  today:300:1  trigram@sparse:1000
#              VARIANT is a name from the table below (--list), NAME@sparse the same with
#              whisper sparse-create = true; INTERVAL in seconds (default 60)
#   options
#     --real DIR          the real components: DIR/bin/{go-carbon,carbonapi,collectd}, DIR/lib/collectd
#                         (default /work/realbundle)
#     --build DIR         a configured build of this project (default build/release)
#     --work DIR          bundle, captures, install and results (default build/capacity)
#     --port PORT         the benchmark install's ten ports PORT..PORT+9 (default 24600); also used:
#                         PORT+20 (collectd's capture), PORT+21 (go-carbon's own metrics), and
#                         PORT+30..39 are reserved for the capture's agent install
#     --window S          steady seconds measured per point (default 300)
#     --render-runs R     loads of each dashboard per point (default 20; 0: none)
#     --dss-every K       every K-th simulated host runs DSS (default 10; 0: none)
#     --dotted-every K    every K-th simulated host is an agent migrated from the original
#                         dkumonitor, its host name's dots kept (default 0: none; 1: all)
#     --disk-cap GB       refuse a point whose whisper files would pass GB (default 15)
#     --dashboards DIR    the dashboards staged in the bundle and loaded (default this tree's
#                         dist/dashboards; e.g. another revision's, for a before/after)
#     --recapture         capture collectd's metric set again
#     --expected-hosts    install each point with `--expected-hosts HOSTS` (its own host
#                         count), so that the sized settings are the point's (default: the
#                         installer's default, 100 hosts)
#     --list              print the variants and exit
#
# For each point: a fresh `installer -t backend` of a bundle staged from this tree's
# installer, dkm, templates and dashboards and the real components; the variant's edits of
# DIR/conf; `dkm_capacity run` (which starts and stops the install with its dkm, sends the
# load, measures, and appends one JSON line to WORK/results.jsonl); the install and its
# whisper files are removed (its logs and configs are kept in WORK/logs/TIME-POINT/).
# `build/.../dkm_capacity table WORK/results.jsonl` prints the tables.
#
# The metric set comes from a real collectd: the installer's rendered collectd.conf (an
# agent install) run for a few seconds at a 1 s interval, sending to dkm_capacity capture;
# once as is, once with stand-ins for DSS's three java processes (a simulated DSS host also
# sends its backend's lines under DSS's default prefix).
set -eu
cd "$(dirname "$0")/../.."
source_dir=$(pwd)

real=/work/realbundle build=build/release work=build/capacity port=24600
window=300 render_runs=20 dss_every=10 dotted_every=0 disk_cap=15 recapture=0 dashboards=dist/dashboards
expected_hosts=0

# The variants: one knob each, against today's config (the installer's, as rendered).
# NAME  FILE  KEY  VALUE   (FILE go-carbon.conf: KEY is SECTION.KEY, VALUE TOML;
#                           FILE carbonapi.yaml: KEY is a top-level key or, with a dot, the
#                           one line of that (unique) nested key; VALUE YAML, '|' = new line)
# A variant may have several lines (all applied). "{DIR}" in a value is the install directory.
variants='
today           -               -                               -
sized           -               -                               -
unsized         go-carbon.conf  common.max-cpu                  2
unsized         go-carbon.conf  whisper.workers                 2
unsized         go-carbon.conf  cache.max-size                  1000000
unsized         go-carbon.conf  udp.buffer-size                 0
unsized         go-carbon.conf  tcp.buffer-size                 0
unsized         go-carbon.conf  carbonserver.realtime-index     10000
unsized         go-carbon.conf  carbonserver.max-globs          10000
unsized         go-carbon.conf  carbonserver.query-cache-enabled true
unsized         go-carbon.conf  carbonserver.query-cache-size-mb 0
unsized         go-carbon.conf  carbonserver.find-cache-size-mb 0
unsized         go-carbon.conf  carbonserver.glob-cache-size-mb 0
unsized         carbonapi.yaml  cpus                            0
unsized         carbonapi.yaml  upstreams.concurrencyLimitPerServer  0
unsized         carbonapi.yaml  upstreams.maxIdleConnsPerHost   100
unsized         carbonapi.yaml  cache                           |  type: "null"
unsized         carbonapi.yaml  maxBatchSize                    100
inbuf0          go-carbon.conf  tcp.buffer-size                 0
max             go-carbon.conf  cache.write-strategy            "max"
sparse          go-carbon.conf  whisper.sparse-create           true
creates50       go-carbon.conf  carbonserver.max-creates-per-second  50
workers1        go-carbon.conf  whisper.workers                 1
workers4        go-carbon.conf  whisper.workers                 4
workers8        go-carbon.conf  whisper.workers                 8
maxcpu1         go-carbon.conf  common.max-cpu                  1
maxcpu4         go-carbon.conf  common.max-cpu                  4
cache100k       go-carbon.conf  cache.max-size                  100000
cache5m         go-carbon.conf  cache.max-size                  5000000
cache20m        go-carbon.conf  cache.max-size                  20000000
inbuf50k        go-carbon.conf  tcp.buffer-size                 50000
updates2k       go-carbon.conf  whisper.max-updates-per-second  2000
sorted          go-carbon.conf  cache.write-strategy            "sorted"
noop            go-carbon.conf  cache.write-strategy            "noop"
scan1m          go-carbon.conf  carbonserver.scan-frequency     "1m0s"
scan30m         go-carbon.conf  carbonserver.scan-frequency     "30m0s"
trigram         go-carbon.conf  carbonserver.trigram-index      true
noindex         go-carbon.conf  carbonserver.trie-index         false
flc             go-carbon.conf  carbonserver.file-list-cache    "{DIR}/storage/file-list-cache.bin"
noconcurrent    go-carbon.conf  carbonserver.concurrent-index   false
norealtime      go-carbon.conf  carbonserver.realtime-index     0
noglobcache     go-carbon.conf  carbonserver.glob-cache-enabled false
nofindcache     go-carbon.conf  carbonserver.find-cache-enabled false
noquerycache    go-carbon.conf  carbonserver.query-cache-enabled false
api-conc10      carbonapi.yaml  concurency                      10
api-conc1000    carbonapi.yaml  concurency                      1000
api-perserver4  carbonapi.yaml  upstreams.concurrencyLimitPerServer  4
api-perserver0  carbonapi.yaml  upstreams.concurrencyLimitPerServer  0
api-cache       carbonapi.yaml  cache                           |  type: "mem"|  size_mb: 256|  defaultTimeoutSec: 60
api-backendcache carbonapi.yaml backendCache                    |  type: "mem"|  size_mb: 256|  defaultTimeoutSec: 60
api-batch0      carbonapi.yaml  maxBatchSize                    0
api-batch100    carbonapi.yaml  maxBatchSize                    100
api-batch1000   carbonapi.yaml  maxBatchSize                    1000
'
# NAME@sparse: the same knob on top of sparse-create, for points whose preallocated files
# would pass the disk cap (1,000 hosts and more).

usage() { sed -n '2,41p' "$0" | sed 's/^# \{0,1\}//'; }
fail() { echo "capacity.sh: $*" >&2; exit 2; }

points=""
while [ $# -gt 0 ]; do
  case $1 in
    --real) real=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --window) window=$2; shift 2 ;;
    --render-runs) render_runs=$2; shift 2 ;;
    --dss-every) dss_every=$2; shift 2 ;;
    --dotted-every) dotted_every=$2; shift 2 ;;
    --disk-cap) disk_cap=$2; shift 2 ;;
    --dashboards) dashboards=$2; shift 2 ;;
    --recapture) recapture=1; shift ;;
    --expected-hosts) expected_hosts=1; shift ;;
    --list) echo "$variants" | awk 'NF {print}'; exit 0 ;;
    -h|--help) usage; exit 0 ;;
    -*) fail "unknown option $1 (--help)" ;;
    *) points="$points $1"; shift ;;
  esac
done
[ -n "$points" ] || { usage >&2; exit 2; }
for p in go-carbon carbonapi collectd; do [ -x "$real/bin/$p" ] || fail "$real/bin/$p is missing (--real DIR)"; done
ls "$dashboards"/*.json >/dev/null 2>&1 || fail "$dashboards holds no dashboard (*.json) (--dashboards DIR)"
[ -f "$build/CMakeCache.txt" ] || fail "$build is not a configured build (cmake --preset release)"
variant_lines() {  # NAME -> its lines (a NAME@sparse adds sparse-create)
  base=${1%@sparse}
  echo "$variants" | awk -v n="$base" '$1 == n'
  [ "$base" = "$1" ] || echo "$base@sparse go-carbon.conf whisper.sparse-create true"
}
for point in $points; do
  name=${point%%:*}
  [ -n "$(variant_lines "$name")" ] || fail "$point: no variant '$name' (--list)"
done

cmake --build "$build" --target installer dkm dkmadmin dkm_capacity dkm_capacity_tests >/dev/null
"$build/tests/bench/dkm_capacity_tests" >/dev/null || fail "the benchmark's own tests fail ($build/tests/bench/dkm_capacity_tests)"
capacity=$build/tests/bench/dkm_capacity
mkdir -p "$work"
work=$(cd "$work" && pwd)
export DKM_ALLOW_ROOT=1

# --- the bundle: this tree's front ends and dist/, the real components (as dkmpack stages them)
bundle=$work/bundle/dkumonitor-bench
rm -rf "$work/bundle"
mkdir -p "$bundle/bin" "$bundle/lib"
cp "$build/tools/installer" "$bundle/installer"   # a copy: the installer finds its bundle by /proc/self/exe
ln -s "$source_dir/$build/tools/dkm" "$bundle/bin/dkm"
ln -s "$source_dir/$build/tools/dkmadmin" "$bundle/bin/dkmadmin"
cp -r dist/templates "$bundle/templates"
mkdir "$bundle/dashboards" && cp "$dashboards"/*.json "$bundle/dashboards/"
for p in go-carbon carbonapi collectd; do ln -s "$real/bin/$p" "$bundle/bin/$p"; done
ln -s "$real/lib/collectd" "$bundle/lib/collectd"
echo bench >"$bundle/VERSION"

# --- the metric sets, from a real collectd run on the rendered config
capture_port=$((port + 20))
if [ $recapture = 1 ] || [ ! -f "$work/host.metrics" ] || [ ! -f "$work/dss-host.metrics" ]; then
  rm -rf "$work/capture"
  "$bundle/installer" -d "$work/capture" -p $((port + 30)) -t agent --carbon-server "127.0.0.1:$capture_port" \
    --hostname capture.bench.invalid >/dev/null 2>&1
  sed -i 's/^Interval [0-9]*$/Interval 1/' "$work/capture/conf/collectd.conf"
  for kind in host dss-host; do
    flag=""; [ $kind = dss-host ] && flag=--dss
    "$capacity" capture --collectd "$bundle/bin/collectd" --config "$work/capture/conf/collectd.conf" \
      --host-node invalid_bench_capture --port $capture_port --seconds 12 $flag --out "$work/$kind.metrics"
  done
  rm -rf "$work/capture"
fi
stored_in() { awk 'NR > 1 && !/^#/ && $2 != "nan" {n++} END {print n}' "$1"; }
stored=$(stored_in "$work/host.metrics") stored_dss=$(stored_in "$work/dss-host.metrics")

# --- editing the installed configs
set_toml() {  # FILE SECTION KEY VALUE: replace KEY in [SECTION], or add it at the section's end
  awk -v s="[$2]" -v k="$3" -v v="$4" '
    /^\[/ { if (in_s && !done) { print k " = " v; done = 1 } in_s = ($0 == s) }
    in_s && $1 == k && $2 == "=" { print k " = " v; done = 1; next }
    { print }
    END { if (!done) { if (in_s) print k " = " v; else exit 1 } }' "$1" >"$1.new" \
    || fail "$1: no section [$2]"
  mv "$1.new" "$1"
}
set_yaml() {  # FILE KEY VALUE: a top-level KEY's value (and its indented block), or a nested key's line
  case $2 in
    *.*) leaf=${2##*.}
         grep -q "^ *$leaf:" "$1" || fail "$1: no key $2"
         sed -i "s|^\( *\)$leaf:.*|\1$leaf: $3|" "$1" ;;
    *) BLOCK=$(printf '%s' "$3" | tr '|' '\n') && export BLOCK
       awk -v k="$2" '
         BEGIN { b = ENVIRON["BLOCK"] }
         skipping && /^ / { next }
         { skipping = 0 }
         $0 ~ "^" k ":" { print k ":" (substr(b, 1, 1) == "\n" ? "" : " ") b; done = 1; skipping = 1; next }
         { print }
         END { if (!done) print k ":" (substr(b, 1, 1) == "\n" ? "" : " ") b }' "$1" >"$1.new"
       mv "$1.new" "$1" ;;
  esac
}
apply_variant() {  # NAME DIR
  variant_lines "$1" | while read -r _ file key value; do
    [ "$file" = - ] && continue
    value=$(printf '%s' "$value" | sed "s|{DIR}|$2|g")
    case $file in
      go-carbon.conf) set_toml "$2/conf/$file" "${key%%.*}" "${key#*.}" "$value" ;;
      carbonapi.yaml) set_yaml "$2/conf/$file" "$key" "$value" ;;
    esac
  done
}

# --- the points
discard() {  # DIR: moved aside at once and deleted in the background at idle I/O priority
  # (deleting 120,000 whisper files takes minutes on a loaded disk: the next point need not wait)
  [ -e "$1" ] || return 0
  trash="$1.discarded-$(date +%s%N)"
  mv "$1" "$trash" && (nice -n 19 ionice -c3 rm -rf "$trash" >/dev/null 2>&1 &)
}
install=$work/install
results=$work/results.jsonl
for point in $points; do
  name=$(echo "$point" | cut -d: -f1)
  hosts=$(echo "$point" | cut -d: -f2)
  interval=$(echo "$point" | cut -d: -f3)
  [ -n "$interval" ] || interval=60
  discard "$install"
  size_flags=""; [ $expected_hosts = 1 ] && size_flags="--expected-hosts $hosts"
  # shellcheck disable=SC2086 # size_flags is two words or none
  "$bundle/installer" -d "$install" -p $port -t backend --carbon-listen 127.0.0.1 --carbonapi-listen 127.0.0.1 $size_flags \
    >"$work/installer.out" 2>&1 || fail "installer failed: $bundle/installer -d $install -p $port -t backend $size_flags"
  grep -E '^  (sized|disk) |^               ' "$work/installer.out" || true
  # Benchmark plumbing, not a knob: go-carbon's own metrics to dkm_capacity every 10 s.
  set_toml "$install/conf/go-carbon.conf" common metric-endpoint "\"tcp://127.0.0.1:$((port + 21))\""
  set_toml "$install/conf/go-carbon.conf" common metric-interval '"10s"'
  apply_variant "$name" "$install"
  "$real/bin/go-carbon" -config "$install/conf/go-carbon.conf" -check-config >/dev/null 2>&1 \
    || fail "$point: go-carbon refuses the edited config ($install/conf/go-carbon.conf)"
  if ! grep -q '^sparse-create = true' "$install/conf/go-carbon.conf"; then
    # Every whisper file is preallocated whole: 329,812 bytes for 60s:7d,5m:30d,1h:1y.
    need=$(awk -v h="$hosts" -v m="$stored" -v d="$stored_dss" -v k="$dss_every" \
      'BEGIN {dss = k > 0 ? int((h + k - 1) / k) : 0; printf "%.1f", ((h - dss) * m + dss * d) * 329812 / 1e9}')
    if awk -v n="$need" -v c="$disk_cap" 'BEGIN {exit !(n > c)}'; then
      echo "$point: skipped: $hosts hosts of preallocated whisper files take $need GB, over --disk-cap $disk_cap GB"
      continue
    fi
  fi
  echo "=== $point ($(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg))"
  "$capacity" run --install "$install" --port $port --stats-port $((port + 21)) \
    --metrics "$work/host.metrics" --dss-metrics "$work/dss-host.metrics" --dss-every "$dss_every" --dotted-every "$dotted_every" \
    --hosts "$hosts" --interval "$interval" --window "$window" --render-runs "$render_runs" \
    --dashboards "$install/dashboards" --label "$name" --results "$results" || echo "$point: failed"
  "$install/bin/dkm" stop >/dev/null 2>&1 || true
  # Keep the services' logs and configs (go-carbon logs each render's time and metric count).
  kept=$work/logs/$(date -u +%Y%m%dT%H%M%S)-$(echo "$point" | tr ':@' '__')
  mkdir -p "$kept" && cp "$install"/run/*.log* "$install"/conf/go-carbon.conf "$install"/conf/carbonapi.yaml "$kept/" 2>/dev/null || true
  gzip -f "$kept"/*.log "$kept"/*.log.[0-9]* 2>/dev/null || true
  discard "$install"
done
echo "results: $results ($capacity table $results)"
