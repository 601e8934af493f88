#!/usr/bin/env bash
# Developer entry point: installs what is missing (Debian 12, apt), builds, and
#   packaging/dev.sh build   configure and build (build/ beside packaging/)
#   packaging/dev.sh test    build, then run every test through ctest
#   packaging/dev.sh demo    build, generate TLS traffic on port 3000, decrypt it, show the result
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
  local work="${TLSRING_DEMO_DIR:-$BUILD_DIR/demo}"
  rm -rf "$work"
  mkdir -p "$work"
  say "generating TLS traffic on port 3000 (real OpenSSL client and server, RSA key exchange)"
  # Three CTI-like sessions with RSA key exchange, each resumed once by session ID,
  # and one ECDHE session that an RSA key cannot decrypt (its verdict says why).
  "$BUILD_DIR/tests/gen/tlsring-gen" --out "$work/capture" --quiet --sessions 4 --messages 4 \
    --server-ip 127.0.0.1 --client-ip 127.0.0.1 --port 3000 --version 1.2 \
    --ciphers AES256-GCM-SHA384:AES128-SHA256:AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256 --rotate-ciphers \
    --resume id --format pcapng --seed 7
  say "decrypting with: tlsring decrypt capture.pcapng --key 127.0.0.1:3000=server.key.pem -o out"
  "$BUILD_DIR/daemon/tlsring" decrypt "$work/capture/capture.pcapng" \
    --key "127.0.0.1:3000=$work/capture/server.key.pem" -o "$work/out"
  local first
  first="$(ls "$work/out/connections/"*.transcript.txt | head -1)"
  say "transcript of the first connection ($first)"
  head -40 "$first"
  say "results in $work/out: sessions.jsonl, keys.log, summary.txt, connections/"
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
