#!/bin/sh
# Benchmark: a no-op dkmpack rerun over the fully built fixtures (tests/fixtures: hello-go
# from a git branch, hello-npm from a .tar.gz, hello-autotools from an annotated tag).
# Prints the wall time of the rerun (best and median of RUNS) and the processes it starts
# (strace -f, execve), and checks the targets: under 100 ms, one ninja invocation.
# The engine alone is timed (--only every component: no bundle assembly); a full run,
# which also stages the bundle (--skip-archive), is timed for information: it needs the front
# ends (installer, dkm, dkmadmin) built beside DKMPACK, and says so when they are not.
#   tests/bench/pack_noop.sh [DKMPACK]     (default: build/dev/tools/dkmpack; RUNS=20)
# Exit status: 0 when both targets are met, 1 otherwise, 2 when it cannot run.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
fixtures="$here/../fixtures"
dkmpack=$(realpath "${1:-$here/../../build/dev/tools/dkmpack}")
runs=${RUNS:-20}
[ -x "$dkmpack" ] || { echo "pack_noop.sh: no dkmpack at $dkmpack (build it, or pass its path)" >&2; exit 2; }
command -v strace >/dev/null || { echo "pack_noop.sh: strace is missing (cmake/install-deps.sh installs it)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/dkm-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/repos" "$work/archives" "$work/recipes" "$work/stage"
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.org GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.org
for name in hello-go hello-autotools; do
  cp -r "$fixtures/$name" "$work/repos/$name"
  git -C "$work/repos/$name" init -q -b main
  git -C "$work/repos/$name" add -A
  git -C "$work/repos/$name" commit -q -m "import $name"
done
git -C "$work/repos/hello-autotools" tag -a v1.0 -m "release 1.0"
cp -r "$fixtures/hello-npm" "$work/stage/hello-npm-1.0.0"
tar -czf "$work/archives/hello-npm-1.0.0.tar.gz" -C "$work/stage" hello-npm-1.0.0
sha=$(sha256sum "$work/archives/hello-npm-1.0.0.tar.gz" | cut -d' ' -f1)
commit=$(git -C "$work/repos/hello-autotools" rev-parse HEAD)
for recipe in "$fixtures"/pack-recipes/*.toml; do
  sed -e "s|@REPOS@|$work/repos|g" -e "s|@ARCHIVES@|$work/archives|g" \
      -e "s|@NPM_SHA256@|$sha|g" -e "s|@AUTOTOOLS_COMMIT@|$commit|g" "$recipe" > "$work/recipes/$(basename "$recipe")"
done

only="--only hello-go --only hello-npm --only hello-autotools"
# shellcheck disable=SC2086 # $only is three flags
pack() { "$dkmpack" --recipes "$work/recipes" --build-dir "$work/build" $only "$@"; }
ms() { echo $(( $(date +%s%N) / 1000000 )); }

start=$(ms)
pack > "$work/cold.log" 2>&1 || { cat "$work/cold.log"; echo "pack_noop.sh: the cold build failed" >&2; exit 2; }
cold=$(( $(ms) - start ))
pack > /dev/null 2>&1  # caches warm

times=""
i=0
while [ "$i" -lt "$runs" ]; do
  start=$(date +%s%N)
  pack > "$work/noop.log" 2>&1
  end=$(date +%s%N)
  times="$times $(( (end - start) / 1000 ))"
  i=$((i + 1))
done
sorted=$(echo $times | tr ' ' '\n' | sort -n)
best=$(echo "$sorted" | head -n 1)
median=$(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")
worst=$(echo "$sorted" | tail -n 1)

cpu=""
if [ -x /usr/bin/time ]; then
  # shellcheck disable=SC2086
  /usr/bin/time -o "$work/cpu" -f "%U %S" "$dkmpack" --recipes "$work/recipes" --build-dir "$work/build" $only > /dev/null 2>&1
  cpu=$(awk '{ printf "%.0f ms user + %.0f ms system", $1 * 1000, $2 * 1000 }' "$work/cpu")
fi

# shellcheck disable=SC2086
strace -f -qq -e trace=execve -o "$work/trace" "$dkmpack" --recipes "$work/recipes" --build-dir "$work/build" $only > /dev/null 2>&1
processes=$(grep -c 'execve(.*= 0$' "$work/trace" || true)
ninjas=$(grep 'execve(.*= 0$' "$work/trace" | grep -c '/ninja"' || true)
programs=$(grep 'execve(.*= 0$' "$work/trace" | sed 's/.*execve("\([^"]*\)".*/\1/' | xargs -n1 basename | tr '\n' ' ')
steps=$(grep -cE '^\[[0-9]+/[0-9]+\] ' "$work/noop.log" || true)

# For information: a whole run, which also stages the bundle (assembly is not the engine's).
full=""
if "$dkmpack" --recipes "$work/recipes" --build-dir "$work/build" --skip-archive > "$work/full.log" 2>&1; then
  start=$(ms)
  for i in 1 2 3; do "$dkmpack" --recipes "$work/recipes" --build-dir "$work/build" --skip-archive > /dev/null 2>&1; done
  full="$(( ($(ms) - start) / 3 )) ms"
else
  # Say why rather than drop the line: staging needs installer, dkm and dkmadmin next to dkmpack.
  full="not measured, the staging run failed: $(tail -n 1 "$work/full.log")"
fi

us_ms() { echo "$1" | awk '{ printf "%.1f", $1 / 1000 }'; }
echo "dkmpack no-op rerun over 3 built fixtures (15 steps), $runs runs"
echo "  cold build:        ${cold} ms"
echo "  no-op wall time:   best $(us_ms "$best") ms, median $(us_ms "$median") ms, worst $(us_ms "$worst") ms"
[ -n "$cpu" ] && echo "  no-op CPU time:    $cpu (dkmpack and ninja)"
echo "  load average:      $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) processors"
echo "  processes started: $processes ($programs)"
echo "  ninja invocations: $ninjas; steps run: $steps"
echo "  whole run with bundle staging (--skip-archive), for information: $full"
status=0
[ "$median" -lt 100000 ] || { echo "  TARGET MISSED: median no-op rerun is not under 100 ms"; status=1; }
[ "$ninjas" -eq 1 ] || { echo "  TARGET MISSED: expected exactly one ninja invocation"; status=1; }
[ "$steps" -eq 0 ] || { echo "  TARGET MISSED: a no-op rerun ran steps"; status=1; }
[ "$status" -eq 0 ] && echo "  targets met: < 100 ms, one ninja invocation, no step"
exit "$status"
