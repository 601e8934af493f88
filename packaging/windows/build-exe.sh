#!/usr/bin/env bash
# Builds tlsring.exe for Windows (x86-64) on Debian 12 with Debian's mingw-w64
# cross compiler, from Debian's own sources of the libraries it links:
#   1. OpenSSL and yaml-cpp: the source packages of Debian 12 (apt-get source
#      --download-only, through a private apt list of deb-src lines: the
#      machine's apt configuration is not changed), built static for Windows
#      into OUT/deps (kept there: a second run with the same versions reuses it);
#   2. Boost.Asio, spdlog and fmt: Debian's headers (header-only use: spdlog and
#      fmt with SPDLOG_HEADER_ONLY/FMT_HEADER_ONLY); libpcap: Debian's headers
#      only, as Npcap is loaded at run time (daemon/platform);
#   3. every .cpp of core/, config/ and daemon/ except the Linux/POSIX ones
#      (platform_linux*.cpp, *_posix.cpp), and the event log's message table;
#      with -Wall -Wextra -Werror (third-party headers are -isystem);
#   4. links OUT/tlsring.exe, static (no DLL but Windows' own to ship), and
#      checks it: it must not import wpcap.dll (Npcap is loaded at run time,
#      so the service starts and says what is missing without it) and must
#      carry a resource section (the event log's message table).
# Usage: packaging/windows/build-exe.sh OUT_DIR
# Exit 0 built, 1 failed, 4 a tool or the source archive is missing (says which).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="$(mkdir -p "$1" && cd "$1" && pwd)"
JOBS="${TLSRING_JOBS:-2}"
TRIPLE=x86_64-w64-mingw32
CXX="${TLSRING_MINGW_CXX:-$TRIPLE-g++-posix}"
DEPS="$OUT/deps"
PREFIX="$DEPS/prefix"

missing() { printf '\n*** build-exe.sh: %s ***\n' "$1" >&2; exit 4; }
fail() { printf '\n*** build-exe.sh FAILED: %s ***\n' "$1" >&2; exit 1; }
for tool in "$CXX" "$TRIPLE-gcc-posix" "$TRIPLE-windmc" "$TRIPLE-windres" "$TRIPLE-ar" "$TRIPLE-objdump" cmake ninja make perl apt-get; do
  command -v "$tool" >/dev/null || missing "$tool is not installed (Debian: g++-mingw-w64-x86-64-posix, cmake, ninja-build, make, perl)"
done

# --- 1. OpenSSL and yaml-cpp from Debian's source packages -------------------
# The Debian mirror this machine's apt already uses (deb822 .sources or
# sources.list), else deb.debian.org; TLSRING_DEBIAN_MIRROR overrides.
debian_mirror() {
  [[ -n "${TLSRING_DEBIAN_MIRROR:-}" ]] && { echo "$TLSRING_DEBIAN_MIRROR"; return; }
  local uri
  uri="$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }')"
  [[ -z "$uri" ]] && uri="$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' \
                              /etc/apt/sources.list 2>/dev/null)"
  echo "${uri:-http://deb.debian.org/debian}"
}

fetch_sources() {
  local lists="$DEPS/apt/lists" src="$DEPS/src" suite
  mkdir -p "$lists/partial" "$src"
  suite="$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")"
  # The release's main suite only: a source package there has all its files.
  printf 'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
    "$(debian_mirror)" "$suite" >"$DEPS/apt/sources.list"
  local apt=(-o "Dir::Etc::SourceList=$DEPS/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
             -o "Dir::State::Lists=$lists" -o Debug::NoLocking=1)
  apt-get "${apt[@]}" -qq update >"$DEPS/apt/update.log" 2>&1 ||
    missing "cannot read Debian's source index (see $DEPS/apt/update.log)"
  (cd "$src" && apt-get "${apt[@]}" -qq source --download-only openssl yaml-cpp >"$DEPS/apt/source.log" 2>&1) ||
    missing "cannot download the openssl and yaml-cpp source packages (see $DEPS/apt/source.log)"
}

build_openssl() {
  local tarball dir
  tarball="$(ls "$DEPS"/src/openssl_*.orig.tar.gz | head -n1)"
  dir="$DEPS/build/$(basename "$tarball" .orig.tar.gz)"
  rm -rf "$dir" && mkdir -p "$dir"
  tar xzf "$tarball" -C "$dir" --strip-components=1
  # Static, no assembler (portable), providers built in (the legacy provider
  # reads the RC2/3DES .pfx files Windows exports).
  (cd "$dir" &&
    ./Configure mingw64 no-asm no-shared no-tests no-module --cross-compile-prefix="$TRIPLE-" \
      --prefix="$PREFIX" --libdir=lib &&
    make -j"$JOBS" build_libs && make install_dev) >"$DEPS/openssl.log" 2>&1 ||
    fail "the OpenSSL build for Windows failed (see $DEPS/openssl.log)"
}

build_yaml_cpp() {
  local tarball dir
  tarball="$(ls "$DEPS"/src/yaml-cpp_*.orig.tar.* | head -n1)"
  dir="$DEPS/build/yaml-cpp"
  rm -rf "$dir" && mkdir -p "$dir/src"
  tar xf "$tarball" -C "$dir/src" --strip-components=1
  (cmake -S "$dir/src" -B "$dir/build" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$ROOT/packaging/windows/mingw-w64.cmake" \
      -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$PREFIX" -DYAML_CPP_BUILD_TESTS=OFF \
      -DYAML_CPP_BUILD_TOOLS=OFF -DYAML_BUILD_SHARED_LIBS=OFF &&
    ninja -C "$dir/build" -j"$JOBS" install) >"$DEPS/yaml-cpp.log" 2>&1 ||
    fail "the yaml-cpp build for Windows failed (see $DEPS/yaml-cpp.log)"
}

if [[ ! -f "$DEPS/done" ]]; then
  echo "build-exe.sh: OpenSSL and yaml-cpp for Windows, from Debian's sources (once, several minutes)"
  rm -rf "$DEPS" && mkdir -p "$DEPS/apt"
  fetch_sources
  build_openssl
  build_yaml_cpp
  (cd "$DEPS/src" && ls *.dsc) >"$DEPS/done"
fi
echo "build-exe.sh: libraries: $(tr '\n' ' ' <"$DEPS/done")"

# --- 2./3. tlsring's sources ------------------------------------------------
HEADERS="$OUT/include"   # only these trees of the build machine, never /usr/include whole
mkdir -p "$HEADERS" "$OUT/obj" "$OUT/messages"
for tree in boost spdlog fmt pcap; do ln -sfn "/usr/include/$tree" "$HEADERS/$tree"; done
FLAGS=(-std=c++20 -O2 -Wall -Wextra -Werror -I"$ROOT" -I"$OUT/messages" -isystem "$PREFIX/include" -isystem "$HEADERS"
       -D_WIN32_WINNT=0x0A00 -DSPDLOG_HEADER_ONLY -DFMT_HEADER_ONLY -DYAML_CPP_STATIC_DEFINE)

"$TRIPLE-windmc" -h "$OUT/messages" -r "$OUT/messages" "$ROOT/daemon/platform/tlsring_messages.mc" ||
  fail "windmc failed on daemon/platform/tlsring_messages.mc"
(cd "$OUT/messages" && "$TRIPLE-windres" tlsring_messages.rc -O coff -o "$OUT/obj/tlsring_messages.res.o") ||
  fail "windres failed on the message table"

mapfile -t SOURCES < <(cd "$ROOT" && find core config daemon -name '*.cpp' \
  ! -name 'platform_linux*.cpp' ! -name '*_posix.cpp' | sort)

# A Ninja file: parallel, and header changes rebuild what includes them.
ninja_path() { printf '%s' "$1" | sed -e 's/\$/$$/g' -e 's/ /$ /g' -e 's/:/$:/g'; }
LIBS=("$PREFIX/lib/libyaml-cpp.a" "$PREFIX/lib/libssl.a" "$PREFIX/lib/libcrypto.a"
      -lws2_32 -lmswsock -lcrypt32 -lbcrypt -ladvapi32 -lshell32 -lole32 -luser32 -liphlpapi)
{
  echo "cxx = $CXX"
  echo "flags = $(printf '%q ' "${FLAGS[@]}")"
  echo "libs = $(printf '%q ' "${LIBS[@]}")"
  echo "rule cxx"
  echo "  command = \$cxx \$flags -MD -MF \$out.d -c \$in -o \$out"
  echo "  depfile = \$out.d"
  echo "  deps = gcc"
  echo "  description = Windows: \$in"
  echo "rule link"
  echo "  command = \$cxx -static -o \$out \$in \$libs"
  echo "  description = Windows: link \$out"
  objects=()
  for source in "${SOURCES[@]}"; do
    object="obj/$(printf '%s' "$source" | tr '/' '_').o"
    objects+=("$object")
    echo "build $(ninja_path "$object"): cxx $(ninja_path "$ROOT/$source")"
  done
  echo "build tlsring.exe: link ${objects[*]} obj/tlsring_messages.res.o"
} >"$OUT/build.ninja"
echo "build-exe.sh: compiling ${#SOURCES[@]} files for Windows and linking"
ninja -C "$OUT" -j"$JOBS" tlsring.exe >"$OUT/ninja.log" 2>&1 || {
  grep -E 'error|FAILED' "$OUT/ninja.log" | head -n 20 >&2
  fail "tlsring.exe did not build (see $OUT/ninja.log)"
}
echo "build-exe.sh: $OUT/tlsring.exe ($(stat -c %s "$OUT/tlsring.exe") bytes)"

# --- 4. what the executable needs from Windows ---------------------------------
headers="$("$TRIPLE-objdump" -p "$OUT/tlsring.exe")" || fail "objdump cannot read $OUT/tlsring.exe"
if grep -qiE 'DLL Name: (wpcap|packet)\.dll' <<<"$headers"; then
  fail "tlsring.exe imports Npcap (wpcap.dll/Packet.dll): Npcap must be loaded at run time, not linked"
fi
"$TRIPLE-objdump" -h "$OUT/tlsring.exe" | grep -q '\.rsrc' ||
  fail "tlsring.exe has no resource section: the event log's message table is missing"
echo "build-exe.sh: imports $(grep 'DLL Name' <<<"$headers" | awk '{print $3}' | sort -f | tr '\n' ' ')"
