#!/usr/bin/env bash
# packaging_unit_syscalls: the system call filter of systemd/tlsring.service lets through every
# system call that `tlsring run` makes. Under the unit a call outside the filter fails with EPERM
# (SystemCallErrorNumber=EPERM), which the service may take for a real error or, worse, not notice.
#
# The real service runs under strace -f on lo (port 3000) while tlsring-traffic makes TLS traffic:
# capture, a rotation every 2 s, background decryption with its lowered priority, a SIGHUP
# reload, the stop at stop_after. Every system call strace counts must be in the filter, its
# groups expanded by systemd-analyze. Needs root, strace and systemd-analyze; skipped (exit 4)
# otherwise, by name.
# usage: unit_syscalls_test.sh SOURCE_DIR TLSRING TLSRING_TRAFFIC
set -uo pipefail
SRC="$1"
TLSRING="$2"
TRAFFIC="$3"
UNIT="$SRC/systemd/tlsring.service"
NAME=packaging_unit_syscalls
skip() { printf '\n*** SKIPPED: %s: %s ***\n\n' "$NAME" "$*" >&2; exit 4; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || skip "live capture on lo needs root"
command -v strace >/dev/null || skip "strace not found (apt-get install strace)"
command -v systemd-analyze >/dev/null || skip "systemd-analyze not found (apt-get install systemd)"

tmp="$(mktemp -d /tmp/tlsring-syscalls-XXXXXX)"
strace_pid=""
cleanup() {
  [[ -n "$strace_pid" ]] && kill -9 "$strace_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

# The system calls of a systemd-analyze group, nested groups expanded; a name stands for itself.
expand() {
  if [[ "$1" != @* ]]; then
    echo "$1"
    return
  fi
  local item
  systemd-analyze syscall-filter "$1" | awk 'NR > 1 && NF && $1 !~ /^#/ { print $1 }' |
    while read -r item; do expand "$item"; done
}

# The unit's filter: its first SystemCallFilter= line is an allow list; later lines take away
# (~) or add back, in order.
allowed="$tmp/allowed"
: > "$allowed"
first=1
while IFS= read -r value; do
  value="${value#SystemCallFilter=}"
  if [[ "$value" == "~"* ]]; then
    ((first)) && fail "the unit's first SystemCallFilter= is a deny list; this test reads an allow list"
    for item in ${value#\~}; do expand "$item"; done | sort -u > "$tmp/remove"
    comm -23 <(sort -u "$allowed") "$tmp/remove" > "$tmp/next"
  else
    { cat "$allowed"; for item in $value; do expand "$item"; done; } | sort -u > "$tmp/next"
  fi
  mv "$tmp/next" "$allowed"
  first=0
done < <(grep '^SystemCallFilter=' "$UNIT")
[[ -s "$allowed" ]] || fail "no SystemCallFilter= in $UNIT, or systemd-analyze expanded nothing"
echo "the unit allows $(wc -l < "$allowed") system calls"

"$TRAFFIC" --keys "$tmp/keys" --write-keys-only > /dev/null || fail "tlsring-traffic could not write its keys"
cp "$tmp/keys/server.key.pem" "$tmp/server.key.pem"
chmod 600 "$tmp/server.key.pem"
cat > "$tmp/tlsring.yaml" <<EOF
capture:
  interfaces: [lo]
  filter: "tcp port 3000"
rotation:
  every: 2s
stop_after: 9s
output:
  directory: out
decrypt:
  workers: 2
  keys:
    - file: server.key.pem
logging:
  level: info
  target: console
EOF

strace -f -qq -c -o "$tmp/strace.txt" "$TLSRING" run -c "$tmp/tlsring.yaml" > "$tmp/service.log" 2>&1 &
strace_pid=$!
for _ in $(seq 100); do
  grep -qs '"capturing"' "$tmp/out/status.json" && break
  sleep 0.1
done
grep -qs '"capturing"' "$tmp/out/status.json" || { cat "$tmp/service.log"; fail "the service did not start capturing"; }
"$TRAFFIC" --keys "$tmp/keys" --port 3000 --seconds 4 --short 3 > /dev/null 2>&1 || fail "tlsring-traffic failed"
service_pid="$(pgrep -P "$strace_pid" | head -1)"
[[ -n "$service_pid" ]] || fail "no tlsring process under strace"
kill -HUP "$service_pid"
for _ in $(seq 300); do
  kill -0 "$strace_pid" 2>/dev/null || break
  sleep 0.1
done
kill -0 "$strace_pid" 2>/dev/null && fail "the service did not stop at stop_after"
wait "$strace_pid"
strace_pid=""
cat "$tmp/service.log"
grep -q "reloading keys" "$tmp/service.log" || fail "the service did not take the SIGHUP"
grep -q "keys reloaded" "$tmp/service.log" || fail "the SIGHUP did not reload the keys"
grep -q "stopped; report in" "$tmp/service.log" || fail "the service did not stop cleanly"
grep -q "warn.*decryption runs at the capture's priority" "$tmp/service.log" &&
  fail "the service could not lower the decryption's priority outside any filter"

# strace -c: a table whose last column is the system call, between dashed lines, then "total".
awk '$NF !~ /^(syscall|total|-+)$/ && NF >= 4 { print $NF }' "$tmp/strace.txt" | sort -u > "$tmp/used"
[[ -s "$tmp/used" ]] || { cat "$tmp/strace.txt"; fail "strace counted no system call"; }
denied="$(comm -23 "$tmp/used" "$allowed" | tr '\n' ' ')"
echo "system calls made: $(tr '\n' ' ' < "$tmp/used")"
[[ -z "$denied" ]] || fail "the unit's SystemCallFilter refuses (EPERM) what tlsring run calls: $denied"
echo "packaging_unit_syscalls: every one of the $(wc -l < "$tmp/used") system calls made is allowed"
