#!/bin/sh
# Installs every Debian package dkumonitor needs, as root, on Debian 12.
#   cmake/install-deps.sh              build the tools and run the test suite
#   cmake/install-deps.sh --packaging  also the toolchains for the real bundle (Go 1.24)
# Installs only what is missing; a second run does nothing and asks no server.
set -eu

packaging=0
for arg in "$@"; do
  case "$arg" in
    --packaging) packaging=1 ;;
    -h|--help) sed -n '2,5s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "install-deps.sh: unknown flag '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" != 0 ]; then
  echo "install-deps.sh: run as root (it calls apt-get)" >&2
  exit 2
fi

# Build: compiler, CMake + Ninja, and the libraries of the design card.
packages="g++ cmake ninja-build pkg-config git ca-certificates
  libboost-dev libboost-filesystem-dev libboost-program-options-dev
  libgit2-dev libcurl4-openssl-dev libarchive-dev libssl-dev libtomlplusplus-dev
  nlohmann-json3-dev libkainjow-mustache-dev catch2"
# Packaging: CPack's .rpm generator (the .deb one needs dpkg only); patch for recipes' patches.
packages="$packages rpm dpkg-dev file binutils patch"
# Tests: the fixture toolchains (Go, npm, autotools), Debian's real collectd,
# supervisor (benchmark baseline), systemd-analyze, iproute2 (network namespaces),
# strace (dkmpack's no-op benchmark counts the processes it starts), zlib1g-dev (the
# bundle tests link a program against zlib to trip the health check), yaml-cpp (the
# installer tests parse the rendered YAML configs).
packages="$packages golang-go autoconf automake libtool make
  collectd-core supervisor systemd iproute2 procps psmisc clang strace zlib1g-dev
  libyaml-cpp-dev"
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

go124=/usr/lib/go-1.24/bin/go
if [ "$packaging" = 1 ] && [ ! -x "$go124" ]; then
  # Debian 12's Go is 1.19; go-carbon and carbonapi need 1.24, which Debian's next
  # release ships. Add that release as a second source, copied from this machine's
  # own Debian entry, pinned low so nothing else is taken from it.
  src=/etc/apt/sources.list.d/debian.sources
  next=/etc/apt/sources.list.d/dkm-trixie.sources
  if [ ! -f "$next" ]; then
    if [ -f "$src" ]; then
      awk 'BEGIN{RS=""; ORS="\n\n"} /Suites:[^\n]*bookworm( |$|\n)/ && !/security/ {
             sub(/Suites:[^\n]*/, "Suites: trixie"); print; exit }' "$src" > "$next"
    else
      grep -E '^deb .* bookworm main' /etc/apt/sources.list | head -n 1 |
        sed 's/ bookworm / trixie /' > /etc/apt/sources.list.d/dkm-trixie.list
      next=/etc/apt/sources.list.d/dkm-trixie.list
    fi
    [ -s "$next" ] || { echo "install-deps.sh: found no Debian entry to copy in $src" >&2; rm -f "$next"; exit 1; }
    printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' > /etc/apt/preferences.d/dkm-trixie
  fi
  missing="$missing golang-1.24-go/trixie"
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
if [ "$packaging" = 1 ]; then
  echo "install-deps.sh: Go 1.24 is $go124 (dkmpack finds it there; or put /usr/lib/go-1.24/bin first on PATH)"
fi
