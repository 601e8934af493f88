#!/usr/bin/env bash
# Developer entry point: installs what is missing (Debian 12, apt), builds, and
#   packaging/dev.sh build   configure and build (build/ beside packaging/)
#   packaging/dev.sh test    build, then run every test through ctest
#   packaging/dev.sh demo    build, run the service on lo (port 3000) while TLS traffic flows, show the result
# Environment: TLSRING_BUILD_DIR (default: <repo>/build), TLSRING_FIXTURES_DIR
# (default: <repo>/../shared/fixtures), TLSRING_JOBS (default: nproc).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${TLSRING_BUILD_DIR:-$ROOT/build}"
JOBS="${TLSRING_JOBS:-$(nproc)}"
FIXTURES_DIR="${TLSRING_FIXTURES_DIR:-$ROOT/../shared/fixtures}"

# Every Debian package the project needs to build, test and demo: the one list.
PACKAGES=(
  cmake ninja-build g++ pkg-config
  libssl-dev openssl
  libpcap-dev
  libboost-dev
  libyaml-cpp-dev
  libspdlog-dev
  catch2
  dpkg-dev rpm debootstrap systemd systemd-container iproute2 strace libfaketime
  g++-mingw-w64-x86-64-posix make perl python3 wine64
)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

install_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then return 0; fi
  if [[ $(id -u) -ne 0 ]]; then
    echo "dev.sh: missing Debian packages: ${missing[*]}" >&2
    echo "dev.sh: run as root, or: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build() {
  install_packages
  say "configuring in $BUILD_DIR"
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DTLSRING_FIXTURES_DIR="$FIXTURES_DIR" >/dev/null
  say "building ($JOBS jobs)"
  cmake --build "$BUILD_DIR" -j "$JOBS"
}

fixtures_banner() {
  if [[ ! -f "$FIXTURES_DIR/wireshark/cases.json" ]]; then
    printf '\n\033[1;31m*** The Wireshark conformance suite was NOT run: %s/wireshark is missing. ***\033[0m\n\n' \
      "$FIXTURES_DIR" >&2
  fi
}

run_tests() {
  build
  fixtures_banner
  say "running the tests"
  local status=0
  ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS" || status=$?
  fixtures_banner
  return $status
}

demo() {
  build
  if [[ $(id -u) -ne 0 ]]; then
    echo "dev.sh demo: live capture on lo needs root (or CAP_NET_RAW,CAP_NET_ADMIN): run it as root" >&2
    exit 1
  fi
  local work="${TLSRING_DEMO_DIR:-$BUILD_DIR/demo}"
  rm -rf "$work"
  mkdir -p "$work"
  # config/demo.yaml: lo, tcp port 3000, a file every 5 s, stop after 30 s; its
  # relative paths (key, output) are taken from the folder it is in.
  cp "$ROOT/config/demo.yaml" "$work/demo.yaml"
  "$BUILD_DIR/tests/service/tlsring-traffic" --keys "$work/keys" --write-keys-only
  cp "$work/keys/server.key.pem" "$work/demo-server.key.pem"
  chmod 600 "$work/demo-server.key.pem"
  say "starting the service: tlsring run -c $work/demo.yaml (30 s, a new capture file every 5 s)"
  "$BUILD_DIR/daemon/tlsring" run -c "$work/demo.yaml" &
  local service=$!
  for _ in $(seq 100); do
    grep -qs '"capturing"' "$work/demo-output/status.json" && break
    sleep 0.1
  done
  say "T-Server-like TLS traffic on 127.0.0.1:3000 for 25 s (RSA key exchange, sessions resumed, one long connection)"
  "$BUILD_DIR/tests/service/tlsring-traffic" --keys "$work/keys" --port 3000 --seconds 25 --short 8 \
    --manifest "$work/messages.tsv"
  say "tlsring status -c $work/demo.yaml"
  "$BUILD_DIR/daemon/tlsring" status -c "$work/demo.yaml" || true
  local status=0
  wait "$service" || status=$?
  if ((status != 0)); then
    echo "dev.sh demo: the service exited with status $status" >&2
    exit "$status"
  fi
  local run
  run="$(ls -d "$work/demo-output/runs/"* | tail -1)"
  say "the run's report ($run/summary.txt)"
  cat "$run/summary.txt"
  say "capture files ($work/demo-output/capture)"
  ls -l "$work/demo-output/capture"
  local longest
  longest="$(ls -S "$run/connections/"*.transcript.txt | head -1)"
  say "transcript of the longest connection, which spans several capture files ($longest)"
  head -30 "$longest"
  say "results: $run (report.jsonl, summary.txt, keys.log, connections/, files/)"
}

case "${1:-}" in
  build) build ;;
  test) run_tests ;;
  demo) demo ;;
  *)
    echo "usage: packaging/dev.sh build|test|demo" >&2
    exit 2
    ;;
esac
