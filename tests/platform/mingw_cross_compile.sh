#!/usr/bin/env bash
# ctest platform_mingw_cross_compile: builds tlsring's daemon/, core/ and
# config/ for Windows with Debian's mingw-w64 cross compiler (there is no
# Windows machine in CI).
#   1. compiles every daemon/platform/*.cpp except platform_linux*.cpp,
#      config/duration.cpp, thumbprint.cpp, server_address.cpp (ws2_32's
#      inet_pton), core/output/private_file_windows.cpp and LiveCapture
#      (daemon/capture/live_capture.cpp, link_type.cpp), with -Wall -Wextra
#      -Werror;
#   2. makes the event log's message table (windmc, windres);
#   3. links them with tests/platform/mingw_link_check.cpp, which references
#      every function of platform.h, capture_wait.h and the OS mechanism
#      headers (durable_files.h, process.h, privileges.h, notify_socket.h,
#      ip_address_text.h, file_access.h), core's private files
#      (private_file.h), config's server address check, LiveCapture, and
#      every pcap_* the capture code calls;
#   4. checks the executable: it must not import wpcap.dll (Npcap is loaded at
#      run time) and must carry a resource section (the message table);
#   5. compiles event_log_sink.h against Debian's spdlog/fmt headers;
#   6. compiles everything else for Windows, with -Wall -Wextra -Werror:
#      daemon/ring/*.cpp, daemon/service/*.cpp, daemon/cli/*.cpp,
#      daemon/capture/*.cpp (capture_pipeline.cpp, block_exchange.cpp),
#      daemon/main.cpp, every core/*/*.cpp and config/*.cpp but the POSIX
#      halves of an OS split (*_posix.cpp; their *_windows.cpp is compiled
#      instead). A file that includes Boost, spdlog, fmt, yaml-cpp or
#      OpenSSL itself is compiled with -fsyntax-only against Debian's headers
#      of those (symlinked one by one into WORK/include, never /usr/include as
#      a whole): there are no Windows builds of those libraries here to link
#      with. Today: service/background_decryptor.cpp, capture_service.cpp
#      (Boost.Asio), logging.cpp, ring_recorder.cpp (spdlog), core's files
#      calling OpenSSL, config's calling yaml-cpp. Every other file is
#      compiled to an object (-c), not linked: without Windows builds of
#      OpenSSL, yaml-cpp and Boost no tlsring.exe can be linked here.
# Nothing of daemon/, core/ or config/ is left out but platform_linux*.cpp
# and *_posix.cpp (the step prints the counts).
# libpcap's headers are Debian's (/usr/include/pcap): they are the same
# libpcap headers as Npcap's SDK, with the _WIN32 parts included.
# Exit 0 ok, 1 a step failed, 4 skipped (no cross compiler: says so loudly).
# Usage: mingw_cross_compile.sh SOURCE_DIR WORK_DIR
set -uo pipefail

ROOT="$1"
WORK="$2"
TEST=platform_mingw_cross_compile
CXX="${TLSRING_MINGW_CXX:-x86_64-w64-mingw32-g++-posix}"
WINDMC="${TLSRING_MINGW_WINDMC:-x86_64-w64-mingw32-windmc}"
WINDRES="${TLSRING_MINGW_WINDRES:-x86_64-w64-mingw32-windres}"
OBJDUMP="${TLSRING_MINGW_OBJDUMP:-x86_64-w64-mingw32-objdump}"

skip() {
  printf '\n*** SKIPPED: %s: %s: the Windows platform code was NOT compiled ***\n' "$TEST" "$1" >&2
  exit 4
}
fail() {
  printf '\n*** FAILED: %s: %s ***\n' "$TEST" "$1" >&2
  exit 1
}

command -v "$CXX" >/dev/null ||
  skip "$CXX is not installed (Debian: apt-get install g++-mingw-w64-x86-64-posix)"
for tool in "$WINDMC" "$WINDRES" "$OBJDUMP"; do
  command -v "$tool" >/dev/null || skip "$tool is not installed (Debian: apt-get install binutils-mingw-w64-x86-64)"
done
[[ -f /usr/include/pcap/pcap.h ]] || fail "/usr/include/pcap/pcap.h is missing (Debian: libpcap-dev)"

rm -rf "$WORK"
mkdir -p "$WORK/include" "$WORK/obj" "$WORK/messages"
# Only these header trees of the build machine: /usr/include as a whole would
# bring glibc's headers into a Windows build.
ln -s /usr/include/pcap "$WORK/include/pcap"
FLAGS=(-std=c++20 -Wall -Wextra -Werror -I"$ROOT" -isystem "$WORK/include")
LIBS=(-ladvapi32 -lshell32 -lole32 -lcrypt32 -lbcrypt -lws2_32)

echo "$TEST: $("$CXX" --version | head -n1)"
failures=()
objects=()
sources=()
for source in "$ROOT"/daemon/platform/*.cpp; do
  [[ "$(basename "$source")" == platform_linux*.cpp ]] || sources+=("$source")
done
sources+=("$ROOT/config/duration.cpp" "$ROOT/config/thumbprint.cpp" "$ROOT/config/server_address.cpp")
sources+=("$ROOT/core/output/private_file_windows.cpp")
# LiveCapture reaches Npcap only through the shim and capture_wait.h.
sources+=("$ROOT/daemon/capture/live_capture.cpp" "$ROOT/daemon/capture/link_type.cpp")
for source in "${sources[@]}"; do
  object="$WORK/obj/$(basename "${source%.cpp}").o"
  echo "  compile ${source#"$ROOT"/}"
  if "$CXX" "${FLAGS[@]}" -c "$source" -o "$object"; then
    # certificate_store_key.cpp calls core's PKCS#12 loader (OpenSSL) and
    # default_config.cpp the config loader (yaml-cpp): compiled here, not linked.
    case "$(basename "$source")" in
      certificate_store_key.cpp | default_config.cpp) ;;
      *) objects+=("$object") ;;
    esac
  else
    failures+=("${source#"$ROOT"/}")
  fi
done
((${#failures[@]} == 0)) || fail "did not compile for Windows: ${failures[*]}"

echo "  message table: windmc, windres"
"$WINDMC" -h "$WORK/messages" -r "$WORK/messages" "$ROOT/daemon/platform/tlsring_messages.mc" ||
  fail "windmc failed on daemon/platform/tlsring_messages.mc"
(cd "$WORK/messages" && "$WINDRES" tlsring_messages.rc -O coff -o "$WORK/obj/tlsring_messages.res.o") ||
  fail "windres failed on the message table"

echo "  link tests/platform/mingw_link_check.cpp"
"$CXX" "${FLAGS[@]}" -I"$WORK/messages" -c "$ROOT/tests/platform/mingw_link_check.cpp" -o "$WORK/obj/link_check.o" ||
  fail "tests/platform/mingw_link_check.cpp did not compile"
"$CXX" -static -o "$WORK/link_check.exe" "$WORK/obj/link_check.o" "${objects[@]}" "$WORK/obj/tlsring_messages.res.o" \
  "${LIBS[@]}" || fail "the Windows platform files did not link (a missing definition or Win32 library)"

echo "  check imports and resources"
headers="$("$OBJDUMP" -p "$WORK/link_check.exe")" || fail "objdump could not read link_check.exe"
if grep -qi 'DLL Name: wpcap.dll' <<<"$headers"; then
  fail "link_check.exe imports wpcap.dll: Npcap must be loaded at run time, not linked"
fi
"$OBJDUMP" -h "$WORK/link_check.exe" | grep -q '\.rsrc' || fail "link_check.exe has no resource section (message table)"
echo "    imports: $(grep 'DLL Name' <<<"$headers" | awk '{print $3}' | sort | tr '\n' ' ')"

if [[ -d /usr/include/spdlog && -d /usr/include/fmt ]]; then
  echo "  compile daemon/platform/event_log_sink.h (header-only spdlog, fmt)"
  ln -s /usr/include/spdlog "$WORK/include/spdlog"
  ln -s /usr/include/fmt "$WORK/include/fmt"
  cat >"$WORK/sink_check.cpp" <<'CPP'
#include "daemon/platform/event_log_sink.h"
#include <spdlog/logger.h>
void log_to(std::unique_ptr<tlsring::platform::EventLog> event_log) {
  spdlog::logger logger("tlsring", std::make_shared<tlsring::platform::EventLogSinkMt>(std::move(event_log)));
  logger.warn("{} files not decrypted", 2);
}
CPP
  "$CXX" "${FLAGS[@]}" -fsyntax-only "$WORK/sink_check.cpp" || fail "event_log_sink.h did not compile for Windows"
else
  printf '  NOTE: spdlog/fmt headers missing: event_log_sink.h was not compiled for Windows\n' >&2
fi

echo "  compile the rest of daemon/ (ring, service, cli, capture, main.cpp), core/ and config/"
third_party=(boost spdlog fmt yaml-cpp openssl)
for library in "${third_party[@]}"; do
  [[ -d /usr/include/$library ]] || fail "/usr/include/$library is missing (Debian: the -dev package of $library)"
  [[ -e "$WORK/include/$library" ]] || ln -s "/usr/include/$library" "$WORK/include/$library"
done
# OpenSSL's configuration headers live in the multiarch directory: only them.
mkdir -p "$WORK/include-arch"
ln -s /usr/include/x86_64-linux-gnu/openssl "$WORK/include-arch/openssl"
DAEMON_FLAGS=("${FLAGS[@]}" -isystem "$WORK/include-arch")
other_sources=("$ROOT"/daemon/ring/*.cpp "$ROOT"/daemon/service/*.cpp "$ROOT"/daemon/cli/*.cpp)
for source in "$ROOT"/daemon/capture/*.cpp; do
  case "$(basename "$source")" in
    live_capture.cpp | link_type.cpp) ;;  # step 1
    *) other_sources+=("$source") ;;
  esac
done
other_sources+=("$ROOT/daemon/main.cpp")
# core/ and config/: all but the POSIX halves and what step 1 compiled.
for source in "$ROOT"/core/*/*.cpp "$ROOT"/config/*.cpp; do
  [[ "$source" == *_posix.cpp ]] && continue
  [[ " ${sources[*]} " == *" $source "* ]] && continue
  other_sources+=("$source")
done
mkdir -p "$WORK/daemon-obj"
objects_made=0
syntax_only=0
for source in "${other_sources[@]}"; do
  relative="${source#"$ROOT"/}"
  if grep -qE '^#include <(boost|spdlog|fmt|yaml-cpp|openssl)/' "$source"; then
    echo "    $relative (-fsyntax-only: includes a third-party library)"
    "$CXX" "${DAEMON_FLAGS[@]}" -fsyntax-only "$source" || failures+=("$relative")
    syntax_only=$((syntax_only + 1))
  else
    echo "    $relative"
    "$CXX" "${DAEMON_FLAGS[@]}" -c "$source" -o "$WORK/daemon-obj/${relative//\//_}.o" || failures+=("$relative")
    objects_made=$((objects_made + 1))
  fi
done
((${#failures[@]} == 0)) || fail "did not compile for Windows: ${failures[*]}"
echo "$TEST: ok (${#sources[@]} platform files compiled, linked, checked; rest of daemon/, core/, config/: $objects_made compiled, $syntax_only syntax-checked)"
