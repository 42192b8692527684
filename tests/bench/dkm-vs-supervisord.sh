#!/bin/sh
# Benchmark: dkm against Debian's supervisor (supervisord + supervisorctl) on the same
# four sleeping programs. Prints, for each: `status` wall time (median), the client's peak
# memory, the supervisor's resident memory, and the time from a crash to the restart.
#
#   tests/bench/dkm-vs-supervisord.sh [BUILD_DIR [dkm_bench flags]]
#     BUILD_DIR: default build/release, else build/dev
#     flags: --runs N (dkm status, 200) --supervisorctl-runs N (20) --restarts N (5)
#
# It starts its own supervisord with its own config in a temporary directory (a system
# supervisord, if any, is left alone) and its own dkm install; both are stopped at the end.
# Targets: dkm status under 5 ms, the dkm supervisor under 4 MiB resident.
set -eu
cd "$(dirname "$0")/../.."
build=""
if [ $# -gt 0 ]; then build=$1; shift; fi
if [ -z "$build" ]; then
  if [ -d build/release ]; then build=build/release; else build=build/dev; fi
fi
[ -f "$build/CMakeCache.txt" ] || { echo "dkm-vs-supervisord.sh: $build is not a configured build (cmake --preset release)" >&2; exit 2; }
command -v supervisord >/dev/null || { echo "dkm-vs-supervisord.sh: Debian's supervisor is not installed (cmake/install-deps.sh)" >&2; exit 2; }
cmake --build "$build" --target dkm dkm_bench dkm_fixture_sleeper >/dev/null
echo "build: $build ($(grep -E '^CMAKE_BUILD_TYPE' "$build/CMakeCache.txt" | cut -d= -f2)), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(supervisord --version | sed 's/^/supervisor /')"
exec "$build/tests/bench/dkm_bench" --dkm "$build/tools/dkm" --sleeper "$build/tests/fixtures/programs/sleeper" "$@"
