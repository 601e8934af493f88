#!/usr/bin/env bash
# ctest platform_windows_exe_wine: builds tlsring.exe for Windows
# (packaging/windows/build-exe.sh: Debian's mingw-w64, OpenSSL and yaml-cpp
# built from Debian's source packages; every source of core/, config/ and
# daemon/ but the Linux/POSIX ones, -Wall -Wextra -Werror; no wpcap.dll import,
# the message table present) and runs it under Wine, Debian's Windows
# compatibility layer (there is no Windows machine in CI):
#   - `tlsring.exe --help` prints the verbs;
#   - `tlsring.exe decrypt` on every case of the Wireshark conformance suite
#     (../shared/fixtures/wireshark/cases.json: RSA keys bound to the server,
#     the PKCS#12 key with its password from the environment, key logs, the
#     PSK cases' session keys, Decryption Secrets Blocks): exit 0, and the
#     SHA-256 of every stream's decrypted bytes, each direction, equals the one
#     cases.json gives (tshark 4.0.17's output);
#   - the TLS 1.3 case tls13-rfc8446-noearly 30 more times: every run exits 0
#     (worker threads end cleanly);
#   - a key file that does not exist: exit 2 and a message naming it;
#   - without Npcap (Wine has none): `check -c` loads the config and says
#     Npcap is not installed (exit 1); `run -c` stops with exit 2, saying so.
# What Wine does not show: capture through Npcap, the service running under
# the Service Control Manager, the event log (Wine 8 refuses the recovery
# actions `tlsring service install` sets: ERROR_INVALID_LEVEL; Windows has
# them since Vista). Those are compiled and linked here, not run.
# Exit 0 ok, 1 a check failed, 4 skipped (no Wine, no cross compiler, no
# fixtures, or Debian's source archive unreachable: says so loudly).
# Usage: windows_exe_wine_test.sh SOURCE_DIR WORK_DIR FIXTURES_DIR
set -uo pipefail

ROOT="$1"
WORK="$2"
FIXTURES="$3/wireshark"
TEST=platform_windows_exe_wine

skip() {
  printf '\n*** SKIPPED: %s: %s: tlsring.exe was NOT run ***\n' "$TEST" "$1" >&2
  exit 4
}
fail() {
  printf '\n*** FAILED: %s: %s ***\n' "$TEST" "$1" >&2
  exit 1
}

# The build comes first: without Wine it still shows that Windows compiles.
bash "$ROOT/packaging/windows/build-exe.sh" "$WORK/windows"
case $? in
  0) ;;
  4) skip "packaging/windows/build-exe.sh could not build (above)" ;;
  *) fail "packaging/windows/build-exe.sh failed (above)" ;;
esac
EXE="$WORK/windows/tlsring.exe"

WINE=""
for candidate in "${TLSRING_WINE:-}" wine64 /usr/lib/wine/wine64 wine; do
  [[ -n "$candidate" ]] && command -v "$candidate" >/dev/null && { WINE="$candidate"; break; }
done
[[ -n "$WINE" ]] || skip "Wine is not installed (Debian: apt-get install wine64); it was built and checked"
command -v python3 >/dev/null || skip "python3 is not installed; it was built and checked"
[[ -f "$FIXTURES/cases.json" ]] || skip "$FIXTURES/cases.json is missing (the conformance fixtures); it was built and checked"

export WINEPREFIX="$WORK/wineprefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
run_exe() { "$WINE" "$EXE" "$@"; }

echo "$TEST: $("$WINE" --version 2>/dev/null)"
help="$(run_exe --help 2>&1)" || fail "tlsring.exe --help exited non-zero: $help"
grep -q "decrypt CAPTURE" <<<"$help" || fail "tlsring.exe --help does not list the verbs: $help"
echo "  tlsring.exe --help: ok"

# Each case's arguments, from cases.json, one line per case: NAME<TAB>ARGS (shell-quoted).
export TLSRING_TEST_PFX_PASSWORD=""
mapfile -t CASES < <(python3 - "$FIXTURES" <<'PY'
import json, shlex, sys
root = sys.argv[1]
for case in json.load(open(f"{root}/cases.json")):
    args = [f"{root}/{case['capture']}"]
    for key in case["keys"]:
        spec = f"{key['ip']}:{key['port']}={root}/{key['file']}"
        if key.get("password"):
            spec += ",password-env=TLSRING_TEST_PFX_PASSWORD"
            print(f"#password\t{key['password']}")
        args += ["--key", spec]
    if case["keylog"]:
        args += ["--keylog", f"{root}/{case['keylog']}"]
    if case["psk"]:
        args += ["--keylog", f"{root}/{case['expected_dir']}/session-keys.txt"]
    print(case["name"] + "\t" + " ".join(shlex.quote(a) for a in args))
PY
)
((${#CASES[@]} > 0)) || fail "no case read from $FIXTURES/cases.json"

failures=()
cases_run=0
for line in "${CASES[@]}"; do
  name="${line%%$'\t'*}"
  rest="${line#*$'\t'}"
  if [[ "$name" == "#password" ]]; then TLSRING_TEST_PFX_PASSWORD="$rest"; continue; fi
  eval "args=($rest)"
  cases_run=$((cases_run + 1))
  out="$WORK/out/$name"
  rm -rf "$out"
  if ! run_exe decrypt "${args[@]}" -o "$out" >"$WORK/$name.log" 2>&1; then
    failures+=("$name: exit status non-zero ($(tail -n 3 "$WORK/$name.log" | tr '\n' ' '))")
    continue
  fi
  verdict="$(python3 - "$FIXTURES" "$name" "$out" <<'PY'
import hashlib, json, os, sys
root, name, out = sys.argv[1:4]
case = next(c for c in json.load(open(f"{root}/cases.json")) if c["name"] == name)
sessions = [json.loads(line) for line in open(os.path.join(out, "sessions.jsonl")) if line.strip()]
problems = []
for stream in case["streams"]:
    found = [s for s in sessions if s.get("client") == stream["client"] and s.get("server") == stream["server"]]
    if len(found) != 1:
        problems.append(f"{stream['client']}->{stream['server']}: {len(found)} sessions in sessions.jsonl")
        continue
    files = found[0].get("files") or {}
    for direction in ("c2s", "s2c"):
        want_bytes, want_sha = stream[f"{direction}_bytes"], stream[f"{direction}_sha256"]
        relative = files.get(direction)
        data = b""
        if relative:
            path = os.path.join(out, relative.replace("\\", "/"))
            if os.path.exists(path):
                data = open(path, "rb").read()
        if len(data) != want_bytes or (want_bytes and hashlib.sha256(data).hexdigest() != want_sha):
            problems.append(f"{stream['client']} {direction}: {len(data)} bytes, expected {want_bytes} with sha256 {want_sha[:12]}")
print("ok" if not problems else "; ".join(problems))
PY
)"
  if [[ "$verdict" == ok ]]; then
    echo "  decrypt $name: every stream's bytes equal cases.json"
  else
    failures+=("$name: $verdict")
  fi
done

# Worker threads end cleanly: a TLS 1.3 case again and again (tlsring.exe once
# crashed at a worker's exit in about 1 run in 40, freeing per-thread OpenSSL
# contexts after mingw-w64 had freed the thread's TLS storage).
repeats=30
crashed=0
for ((i = 0; i < repeats; i++)); do
  rm -rf "$WORK/out/repeat"
  run_exe decrypt "$FIXTURES/captures/tls13-rfc8446.pcap" --keylog "$FIXTURES/keys/tls13-rfc8446-noearly.keys" \
    -o "$WORK/out/repeat" >"$WORK/repeat.log" 2>&1 || { crashed=$((crashed + 1)); cp "$WORK/repeat.log" "$WORK/repeat-failed.log"; }
done
if ((crashed > 0)); then
  failures+=("tls13-rfc8446-noearly, $repeats runs: $crashed exited non-zero (see $WORK/repeat-failed.log)")
else
  echo "  decrypt tls13-rfc8446-noearly $repeats times: every run exits 0"
fi

# Bad input: a key file that does not exist.
missing_key="$WORK/no-such-key.pem"
bad="$(run_exe decrypt "$FIXTURES/captures/rsasnakeoil2.pcap" --key "$missing_key" -o "$WORK/out/bad" 2>&1)"
status=$?
if [[ $status -ne 2 || "$bad" != *no-such-key.pem* ]]; then
  failures+=("a missing key file: exit $status, message: $bad")
else
  echo "  a missing key file: exit 2, named"
fi

# The service's start under Wine, where Npcap is not installed: the config
# loads (yaml-cpp), `check` says what is missing, `run` stops with exit 2 and
# the same words: Npcap is looked for at run time, not linked.
site="$WORK/site"
mkdir -p "$site"
cat >"$site/tlsring.yaml" <<YAML
capture:
  interfaces: [any]
output:
  directory: $site/out
decrypt:
  keys:
    - file: $FIXTURES/keys/rsasnakeoil2.key
YAML
checked="$(run_exe check -c "$site/tlsring.yaml" 2>&1)"
status=$?
if [[ $status -ne 1 || "$checked" != *"config "*"loads"* || "$checked" != *"Npcap is not installed"* ]]; then
  failures+=("check without Npcap: exit $status (expected 1), output: $checked")
else
  echo "  check without Npcap: the config loads, the interfaces line names Npcap, exit 1"
fi
ran="$(run_exe run -c "$site/tlsring.yaml" 2>&1)"
status=$?
if [[ $status -ne 2 || "$ran" != *"Npcap is not installed"* ]]; then
  failures+=("run without Npcap: exit $status (expected 2), output: $ran")
else
  echo "  run without Npcap: exit 2, says Npcap is not installed"
fi

((${#failures[@]} == 0)) || fail "$(printf '\n  %s' "${failures[@]}")"
echo "$TEST: all $cases_run cases decrypted under Wine to tshark's bytes"
