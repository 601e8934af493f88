#!/usr/bin/env bash
# packaging_deb_install: the .deb from packaging_build, installed into clean
# Debian 12 roots made by debootstrap from this machine's Debian mirror.
#
#   minbase root (no systemd: postinst falls back to useradd/install -d)
#     apt-get install ./tlsring_*.deb (dependencies from the archive)
#     owners and modes: /etc/tlsring/tlsring.yaml 0640 root:tlsring,
#       /etc/tlsring/keys 0750 root:tlsring, /var/lib/tlsring 0750 tlsring:tlsring;
#       the tlsring account; nothing enabled or started
#     tlsring check -c /etc/tlsring/tlsring.yaml as root (the packaged config:
#       config, interface, filter and disk ok; the example keys FAIL as missing)
#     as the tlsring user with only CAP_NET_RAW+CAP_NET_ADMIN (what the unit
#       gives): tlsring check with a real key in /etc/tlsring/keys, then
#       tlsring run on lo in a private network namespace for 3 s
#     apt-get remove: the binary and unit go, the config stays
#     apt-get purge: the config goes; what is left is listed and checked
#   minbase + systemd + man-db root
#     install: systemd-sysusers and systemd-tmpfiles do the account and folders
#     systemd-analyze verify of the installed unit: no output at all
#     systemd-analyze security --offline: the exposure figure
#     purge
#
# The debootstrapped roots are cached under BUILD/packaging/roots (a fresh copy
# is used each run, so the cached ones stay clean); downloaded packages under
# BUILD/packaging/apt-archives. TLSRING_DEBIAN_MIRROR overrides the mirror.
# Skipped (exit 4) when not root, without debootstrap/unshare, or when the
# archive cannot be reached.
# usage: deb_install_test.sh BUILD_DIR
set -uo pipefail
BUILD="$(cd "$1" && pwd)"
NAME=packaging_deb_install
PKG="$BUILD/packaging"
ROOTS="$PKG/roots"
APT_CACHE="$PKG/apt-archives"
STARTED=$SECONDS

skip() { printf '\n*** SKIPPED: %s: %s ***\n\n' "$NAME" "$*" >&2; exit 4; }
fail() { printf '\nFAIL: %s\n' "$*" >&2; exit 1; }
say() { printf '\n==> [%3d s] %s\n' "$((SECONDS - STARTED))" "$*"; }

[[ $(id -u) -eq 0 ]] || skip "needs root (debootstrap, chroot, mounts); run ctest as root"
for tool in debootstrap unshare chroot ip openssl systemd-nspawn; do
  command -v "$tool" >/dev/null || skip "$tool not found (packaging/dev.sh installs debootstrap, iproute2, systemd-container)"
done
DEB="$(ls "$PKG"/out/tlsring_*.deb 2>/dev/null | head -1)"
[[ -f "$DEB" ]] || fail "no .deb in $PKG/out: packaging_build must run first (ctest runs it as this test's fixture)"

# The first URI of a "deb" source for SUITE in this machine's apt sources.
source_uri() {
  local suite="$1" f
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f "$f" ]] || continue
    awk -v want="$suite" 'BEGIN { RS = ""; FS = "\n" }
      { uris = ""; suites = ""; types = ""
        for (i = 1; i <= NF; i++) {
          line = $i
          if (line ~ /^#/) continue
          if (line ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", line); uris = line }
          else if (line ~ /^Suites:/) { sub(/^Suites:[ \t]*/, "", line); suites = line }
          else if (line ~ /^Types:/) { types = line }
        }
        if (types ~ /deb( |$)/ && (" " suites " ") ~ (" " want " ")) { split(uris, u, " "); print u[1]; exit }
      }' "$f"
  done | head -1
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
    | sed -E 's/\[[^]]*\]//' | awk -v want="$suite" '$1 == "deb" && $3 == want { print $2; exit }'
}
MIRROR="${TLSRING_DEBIAN_MIRROR:-$(source_uri bookworm | head -1)}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
SECURITY="$(source_uri bookworm-security | head -1)"

# Runs CMD in ROOT with /proc, /sys, /dev and the shared apt cache mounted, in
# a mount namespace of its own (the mounts vanish with it). With --private-net
# first: in a new network namespace too, whose lo is up.
in_root() {
  local net=()
  if [[ "$1" == --private-net ]]; then net=(--net); shift; fi
  local root="$1"; shift
  unshare --mount --propagation private "${net[@]}" -- bash -c '
    set -e
    root="$1"; cache="$2"; shift 2
    if [[ -n "$PRIVATE_NET" ]]; then ip link set lo up; fi
    mount -t proc proc "$root/proc"
    mount --rbind /sys "$root/sys"
    mount --rbind /dev "$root/dev"
    mkdir -p "$root/var/cache/apt/archives"
    mount --bind "$cache" "$root/var/cache/apt/archives"
    exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
      DEBIAN_FRONTEND=noninteractive "$@"' bash "$root" "$APT_CACHE" "$@"
}
export PRIVATE_NET=
in_root_net() { PRIVATE_NET=1 in_root --private-net "$@"; }

unreachable() { grep -qiE "Failed getting release|Couldn't download|Could not resolve|Temporary failure|unable to connect|Connection (refused|timed out)|Network is unreachable|Failed to fetch|Unable to locate package" "$1"; }

# A pristine root, cached: debootstrap minbase bookworm, apt lists fetched;
# EXTRA packages installed on top when given.
make_root() {
  local dir="$1" from="$2"; shift 2
  [[ -f "$dir/.root-complete" ]] && return 0
  rm -rf "$dir"
  local log="$ROOTS/$(basename "$dir").log"
  if [[ -z "$from" ]]; then
    say "debootstrap --variant=minbase bookworm from $MIRROR (once; cached in $dir)"
    if ! debootstrap --variant=minbase bookworm "$dir" "$MIRROR" > "$log" 2>&1; then
      unreachable "$log" && skip "debootstrap cannot reach the Debian archive $MIRROR (see $log)"
      tail -20 "$log"; fail "debootstrap failed (log: $log)"
    fi
    {
      echo "deb $MIRROR bookworm main"
      echo "deb $MIRROR bookworm-updates main"
      [[ -n "$SECURITY" ]] && echo "deb $SECURITY bookworm-security main"
    } > "$dir/etc/apt/sources.list"
    # Downloaded packages live in the shared cache, not in the root.
    echo 'APT::Keep-Downloaded-Packages "true";' > "$dir/etc/apt/apt.conf.d/99keep-downloads"
  else
    say "root with $* (once; cached in $dir)"
    cp -a "$from" "$dir"
    rm -f "$dir/.root-complete"
  fi
  if ! in_root "$dir" apt-get update > "$log.update" 2>&1; then
    unreachable "$log.update" && skip "apt-get update cannot reach the Debian archive (see $log.update)"
    tail -20 "$log.update"; fail "apt-get update in the new root failed"
  fi
  if (($# > 0)) && ! in_root "$dir" apt-get install -y --no-install-recommends "$@" > "$log.install" 2>&1; then
    unreachable "$log.install" && skip "apt cannot download $* (see $log.install)"
    tail -20 "$log.install"; fail "apt-get install $* in the new root failed"
  fi
  touch "$dir/.root-complete"
}

# A throw-away copy of a cached root, lists refreshed.
fresh_copy() {
  local from="$1" to="$2"
  rm -rf "$to"
  cp -a "$from" "$to"
  cp -L /etc/resolv.conf "$to/etc/resolv.conf" 2>/dev/null || true   # this machine's DNS, today
  if ! in_root "$to" apt-get update > "$to.update.log" 2>&1; then
    unreachable "$to.update.log" && skip "apt-get update cannot reach the Debian archive (see $to.update.log)"
    tail -20 "$to.update.log"; fail "apt-get update failed"
  fi
}

install_deb() {
  local root="$1"
  cp "$DEB" "$root/tmp/"
  say "apt-get install ./$(basename "$DEB") in $(basename "$root")"
  if ! in_root "$root" apt-get install -y --no-install-recommends "/tmp/$(basename "$DEB")" > "$root.install.log" 2>&1; then
    cat "$root.install.log"
    unreachable "$root.install.log" && skip "apt cannot download tlsring's dependencies (see above)"
    fail "apt-get install of the .deb failed"
  fi
  sed -n '/Setting up tlsring/,$p' "$root.install.log"
}

# "MODE OWNER:GROUP" of PATH in ROOT (names as the root's own passwd knows them).
mode_of() { in_root "$1" stat -c '%a %U:%G' "$2"; }
expect_mode() {
  local got; got="$(mode_of "$1" "$2")"
  [[ "$got" == "$3" ]] || fail "$2: $got, expected $3"
  echo "ok  $2: $got"
}
expect_line() {  # FILE REGEX WHAT
  grep -Eq -- "$2" "$1" || { cat "$1"; fail "$3: no line matching /$2/ in the output above"; }
}

# Every path in ROOT whose name contains tlsring, everything under the
# package's folders, and the tlsring account.
leftovers() {
  local root="$1"
  (cd "$root" && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o -path ./tmp \
      -o -path ./var/cache/apt \) -prune -o \( -name '*tlsring*' -o -path './etc/tlsring/*' \
      -o -path './var/lib/tlsring/*' -o -path './var/log/tlsring/*' \) -print | sed 's|^\.||' | sort)
  in_root "$root" getent passwd tlsring | sed 's/^/account: /' || true
}

mkdir -p "$ROOTS" "$APT_CACHE/partial"
BASE="$ROOTS/debian12-minbase"
WITH_SYSTEMD="$ROOTS/debian12-systemd"
make_root "$BASE" ""
make_root "$WITH_SYSTEMD" "$BASE" systemd man-db

# ---------------------------------------------------------------- minbase --
WORK="$ROOTS/work-minbase"
fresh_copy "$BASE" "$WORK"
in_root "$WORK" sh -c 'command -v systemd-sysusers systemd-tmpfiles' && fail "the minbase root has systemd"
install_deb "$WORK"

say "what the package installed"
expect_mode "$WORK" /etc/tlsring/tlsring.yaml "640 root:tlsring"
expect_mode "$WORK" /etc/tlsring/keys "750 root:tlsring"
expect_mode "$WORK" /var/lib/tlsring "750 tlsring:tlsring"
expect_mode "$WORK" /var/log/tlsring "750 tlsring:tlsring"
expect_mode "$WORK" /usr/bin/tlsring "755 root:root"
expect_mode "$WORK" /usr/lib/systemd/system/tlsring.service "644 root:root"
account="$(in_root "$WORK" getent passwd tlsring)" || fail "no tlsring account after install"
echo "ok  account: $account"
IFS=: read -r _ _ uid gid _ home shell <<<"$account"
((uid < 1000)) || fail "tlsring is not a system account (uid $uid)"
[[ "$home" == /var/lib/tlsring && "$shell" == /usr/sbin/nologin ]] || fail "tlsring account: home $home, shell $shell"
[[ -z "$(cd "$WORK" && find etc/systemd -name 'tlsring*' 2>/dev/null)" ]] || fail "the service was enabled by the package"
echo "ok  tlsring.service is neither enabled nor started"
grep -Eq '^  target: journal\b' "$WORK/etc/tlsring/tlsring.yaml" || fail "installed config does not log to the journal"

# The kernel's NTP state, read here without tlsring (adjtimex, as timedatectl
# reads it): tlsring check must say the same, and warn only if it is not synchronised.
clock_synchronised=$(python3 -c '
import ctypes, ctypes.util
class Timex(ctypes.Structure):
    _fields_ = [("modes", ctypes.c_uint), ("offset", ctypes.c_long), ("freq", ctypes.c_long),
                ("maxerror", ctypes.c_long), ("esterror", ctypes.c_long), ("status", ctypes.c_int),
                ("rest", ctypes.c_byte * 256)]
state = Timex()
result = ctypes.CDLL(ctypes.util.find_library("c")).adjtimex(ctypes.byref(state))
print("yes" if result != 5 and not state.status & 0x40 else "no")')  # TIME_ERROR, STA_UNSYNC
if [[ $clock_synchronised == yes ]]; then
  clock_line='^ok +system clock: synchronised \(NTP\), estimated error '
  clock_warnings=0
else
  clock_line='^warn +system clock: not synchronised \(NTP\)$'
  clock_warnings=1
fi

say "tlsring check -c /etc/tlsring/tlsring.yaml (as root, the packaged config)"
in_root "$WORK" tlsring check -c /etc/tlsring/tlsring.yaml > "$WORK.check1" 2>&1
status=$?
cat "$WORK.check1"
((status == 1)) || fail "tlsring check: exit $status, expected 1 (the example keys do not exist)"
expect_line "$WORK.check1" '^ok +config /etc/tlsring/tlsring.yaml: loads$' "config"
expect_line "$WORK.check1" '^ok +interface any: exists' "interface"
expect_line "$WORK.check1" '^ok +filter "tcp port 3000": compiles$' "filter"
expect_line "$WORK.check1" '^ok +capture permission: running as root$' "capture permission"
expect_line "$WORK.check1" '^ok +output directory /var/lib/tlsring' "output directory"
expect_line "$WORK.check1" '^FAIL +key /etc/tlsring/keys/tserver.pfx: no such file$' "missing example key"
expect_line "$WORK.check1" "$clock_line" "system clock (synchronised: $clock_synchronised)"
expect_line "$WORK.check1" "^tlsring check: [0-9]+ ok, $clock_warnings warn, 2 FAIL\$" "summary"

# As the unit runs it: user tlsring, its group only, CAP_NET_RAW+CAP_NET_ADMIN
# ambient and nothing else, no new privileges.
AS_SERVICE=(setpriv --reuid=tlsring --regid=tlsring --clear-groups --no-new-privs
            --inh-caps=-all,+net_raw,+net_admin --ambient-caps=-all,+net_raw,+net_admin
            --bounding-set=-all,+net_raw,+net_admin --)
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK/etc/tlsring/keys/server.pem" 2>/dev/null \
  || fail "openssl could not make a test key"
in_root "$WORK" sh -c 'chgrp tlsring /etc/tlsring/keys/server.pem && chmod 0640 /etc/tlsring/keys/server.pem'
cat > "$WORK/etc/tlsring/test-run.yaml" <<'YAML'
# packaging_deb_install: a 3 s capture on lo, with a key from /etc/tlsring/keys.
capture:
  interfaces: [lo]
  filter: "tcp port 3000"
rotation:
  every: 1s
stop_after: 3s
output:
  directory: /var/lib/tlsring
decrypt:
  keys:
    - file: /etc/tlsring/keys/server.pem
logging:
  target: console
YAML
in_root "$WORK" sh -c 'chgrp tlsring /etc/tlsring/test-run.yaml && chmod 0640 /etc/tlsring/test-run.yaml'

say "tlsring check as the tlsring user with CAP_NET_RAW+CAP_NET_ADMIN (a key in /etc/tlsring/keys, 0640 root:tlsring)"
in_root_net "$WORK" "${AS_SERVICE[@]}" tlsring check -c /etc/tlsring/test-run.yaml > "$WORK.check2" 2>&1
status=$?
cat "$WORK.check2"
((status == 0)) || fail "tlsring check as tlsring: exit $status, expected 0"
expect_line "$WORK.check2" '^ok +config /etc/tlsring/test-run.yaml: loads$' "config readable by the tlsring group"
expect_line "$WORK.check2" '^ok +capture permission: CAP_NET_RAW and CAP_NET_ADMIN are effective$' "capabilities"
expect_line "$WORK.check2" '^ok +output directory /var/lib/tlsring' "output directory writable by tlsring"
expect_line "$WORK.check2" '^ok +key /etc/tlsring/keys/server.pem' "key readable by the tlsring group"
expect_line "$WORK.check2" "^tlsring check: [0-9]+ ok, $clock_warnings warn, 0 FAIL\$" "summary"

say "tlsring run as the tlsring user, on lo of a private network namespace, 3 s"
in_root_net "$WORK" "${AS_SERVICE[@]}" tlsring run -c /etc/tlsring/test-run.yaml > "$WORK.run" 2>&1
status=$?
cat "$WORK.run"
((status == 0)) || fail "tlsring run as tlsring: exit $status, expected 0 (stop_after)"
expect_line "$WORK.run" 'capturing on lo' "capture started"
expect_line "$WORK.run" 'stopped; report in /var/lib/tlsring/runs/' "stopped after stop_after"
captures="$(cd "$WORK" && find var/lib/tlsring/capture -name 'tlsring-*.pcapng' -user "$uid" | wc -l)"
((captures >= 2)) || fail "expected at least 2 capture files owned by tlsring, found $captures"
[[ -f "$WORK/var/lib/tlsring/status.json" ]] || fail "no status.json"
echo "ok  $captures capture files owned by tlsring, status.json written"

say "apt-get remove tlsring"
in_root "$WORK" apt-get remove -y tlsring > "$WORK.remove.log" 2>&1 || { cat "$WORK.remove.log"; fail "apt-get remove failed"; }
echo "left after remove:"; leftovers "$WORK" | sed 's/^/  /'
[[ ! -e "$WORK/usr/bin/tlsring" ]] || fail "remove left /usr/bin/tlsring"
[[ ! -e "$WORK/usr/lib/systemd/system/tlsring.service" ]] || fail "remove left the unit"
[[ -f "$WORK/etc/tlsring/tlsring.yaml" ]] || fail "remove deleted the config (a conffile stays until purge)"

say "apt-get purge tlsring"
in_root "$WORK" apt-get purge -y tlsring > "$WORK.purge.log" 2>&1 || { cat "$WORK.purge.log"; fail "apt-get purge failed"; }
grep '^tlsring:\|^dpkg: warning' "$WORK.purge.log" || true
echo "left after purge:"; leftovers "$WORK" | tee "$WORK.left" | sed 's/^/  /'
# Only the operator's own may stay: the key and the config put there, the
# captures and results, and the account.
unexpected="$(grep -Ev '^(/etc/tlsring(/test-run.yaml|/keys|/keys/server.pem)?|/var/lib/tlsring(/(capture|runs)(/.*)?)?|account: tlsring:.*)$' "$WORK.left")"
[[ -z "$unexpected" ]] || fail "purge left: $unexpected"
[[ ! -e "$WORK/etc/tlsring/tlsring.yaml" && ! -e "$WORK/var/log/tlsring" && ! -e "$WORK/var/lib/tlsring/status.json" ]] \
  || fail "purge left the config, the log folder or status.json"
in_root "$WORK" dpkg -s tlsring > /dev/null 2>&1 && fail "dpkg still knows tlsring after purge"
grep -q 'kept /var/lib/tlsring' "$WORK.purge.log" || fail "purge did not say that it kept /var/lib/tlsring"
echo "ok  purge removed every file of the package; kept: the key, the captures and results, the account"

# ---------------------------------------------------------------- systemd --
WORK2="$ROOTS/work-systemd"
fresh_copy "$WITH_SYSTEMD" "$WORK2"
install_deb "$WORK2"
say "with systemd: the account and folders made by systemd-sysusers and systemd-tmpfiles"
account="$(in_root "$WORK2" getent passwd tlsring)" || fail "no tlsring account (systemd-sysusers)"
echo "ok  account: $account"
[[ "$account" == *':tlsring capture service:/var/lib/tlsring:/usr/sbin/nologin' ]] || fail "account is not as tlsring.sysusers says"
expect_mode "$WORK2" /etc/tlsring/tlsring.yaml "640 root:tlsring"
expect_mode "$WORK2" /etc/tlsring/keys "750 root:tlsring"
expect_mode "$WORK2" /var/lib/tlsring "750 tlsring:tlsring"
expect_mode "$WORK2" /var/log/tlsring "750 tlsring:tlsring"
in_root "$WORK2" systemctl is-enabled tlsring.service > "$WORK2.enabled" 2>&1
[[ "$(cat "$WORK2.enabled")" == disabled ]] || fail "systemctl is-enabled: $(cat "$WORK2.enabled"), expected disabled"
echo "ok  systemctl is-enabled tlsring.service: disabled"

say "systemd-analyze verify /usr/lib/systemd/system/tlsring.service (installed, man page included)"
in_root "$WORK2" systemd-analyze verify /usr/lib/systemd/system/tlsring.service > "$WORK2.verify" 2>&1
status=$?
cat "$WORK2.verify"
((status == 0)) && [[ ! -s "$WORK2.verify" ]] || fail "systemd-analyze verify: exit $status, output above"
echo "ok  verify: exit 0, no output"

say "systemd-analyze security --offline=yes tlsring.service"
in_root "$WORK2" systemd-analyze security --offline=yes --no-pager /usr/lib/systemd/system/tlsring.service \
  > "$WORK2.security" 2>&1
grep 'Overall exposure' "$WORK2.security" || { cat "$WORK2.security"; fail "no exposure figure"; }

# The unit for real: the root booted with systemd-nspawn (own network
# namespace: only lo), a oneshot unit runs the script below and powers off.
say "boot the root with systemd-nspawn; tlsring.service started, inspected, reloaded, stopped"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$WORK2/etc/tlsring/keys/server.pem" 2>/dev/null \
  || fail "openssl could not make a test key"
in_root "$WORK2" sh -c 'chgrp tlsring /etc/tlsring/keys/server.pem && chmod 0640 /etc/tlsring/keys/server.pem'
cat > "$WORK2/root/configured.yaml" <<'YAML'
# packaging_deb_install: the configured service (any, as packaged: only lo in the container; one key; journal).
capture:
  interfaces: [any]
  filter: "tcp port 3000"
rotation:
  every: 2s
output:
  directory: /var/lib/tlsring
decrypt:
  keys:
    - file: /etc/tlsring/keys/server.pem
logging:
  target: journal
YAML
cat > "$WORK2/root/boot-test.sh" <<'SCRIPT'
#!/bin/bash
# Runs in the booted root; everything it prints goes to /boot-test.out.
exec > /boot-test.out 2>&1
show() { systemctl show "${@/#/-p}" tlsring.service; }
echo "== packaged config (example keys missing): start"
systemctl start tlsring.service; echo "start exit: $?"
sleep 12   # longer than RestartSec=10s: a restart would have happened by now
show ActiveState Result ExecMainStatus NRestarts | sed 's/^/packaged /'
echo "== configured: start"
cat /root/configured.yaml > /etc/tlsring/tlsring.yaml   # keeps 0640 root:tlsring
systemctl reset-failed tlsring.service
systemctl start tlsring.service; echo "start exit: $?"
show ActiveState SubState WatchdogUSec | sed 's/^/running /'
pid="$(systemctl show -p MainPID --value tlsring.service)"
echo "user: $(stat -c %U /proc/$pid)"
grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' "/proc/$pid/status"
for i in 1 2 3 4 5; do (exec 3<>/dev/tcp/127.0.0.1/3000) 2>/dev/null; done   # refused: SYN + RST on lo
sleep 5
show StatusText | sed 's/^/running /'
echo "== tlsring status"
tlsring status -c /etc/tlsring/tlsring.yaml; echo "status exit: $?"
echo "== reload"
systemctl reload tlsring.service; echo "reload exit: $?"
sleep 1
echo "== stop"
systemctl stop tlsring.service; echo "stop exit: $?"
show ActiveState Result ExecMainStatus NRestarts | sed 's/^/stopped /'
echo "== journal, priority err and worse"
journalctl -u tlsring.service -p err -o cat --no-pager
echo "== journal"
journalctl -u tlsring.service -o cat --no-pager
echo "== capture files"
ls -l /var/lib/tlsring/capture
systemctl enable tlsring.service   # so that purge has enablement links to remove
echo "== done"
systemctl poweroff --check-inhibitors=no
SCRIPT
chmod 755 "$WORK2/root/boot-test.sh"
cat > "$WORK2/etc/systemd/system/tlsring-boot-test.service" <<'UNIT'
[Unit]
Description=packaging_deb_install: tlsring.service under systemd
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/root/boot-test.sh
[Install]
WantedBy=multi-user.target
UNIT
ln -s /etc/systemd/system/tlsring-boot-test.service "$WORK2/etc/systemd/system/multi-user.target.wants/"
timeout 300 systemd-nspawn --quiet --register=no --keep-unit --private-network -D "$WORK2" --boot \
  > "$WORK2.boot.log" 2>&1
status=$?
OUT="$WORK2/boot-test.out"
[[ -f "$OUT" ]] || { tail -40 "$WORK2.boot.log"; fail "the booted root did not run the test (nspawn exit $status)"; }
cat "$OUT"
grep -q '^== done$' "$OUT" || { tail -40 "$WORK2.boot.log"; fail "the test in the booted root did not finish"; }
expect_line "$OUT" '^packaged ActiveState=failed$' "unconfigured service fails"
expect_line "$OUT" '^packaged ExecMainStatus=2$' "unconfigured service: exit 2 (bad setup)"
expect_line "$OUT" '^packaged NRestarts=0$' "exit 2 is not restarted"
expect_line "$OUT" "^FAIL|tserver.pfx" "the refusal is logged at priority err"
expect_line "$OUT" '^running ActiveState=active$' "configured service active"
expect_line "$OUT" '^running SubState=running$' "configured service running (READY sent)"
expect_line "$OUT" '^running WatchdogUSec=30s$' "watchdog"
expect_line "$OUT" '^running StatusText=.+' "STATUS= from the service"
expect_line "$OUT" '^user: tlsring$' "runs as tlsring"
expect_line "$OUT" '^CapEff:[[:space:]]+0000000000003000$' "effective caps: NET_ADMIN+NET_RAW only"
expect_line "$OUT" '^CapBnd:[[:space:]]+0000000000003000$' "bounding set: NET_ADMIN+NET_RAW only"
expect_line "$OUT" '^NoNewPrivs:[[:space:]]+1$' "no new privileges"
expect_line "$OUT" '^Seccomp:[[:space:]]+2$' "system call filter"
expect_line "$OUT" '^  packets +[1-9][0-9]* ' "packets captured under the sandbox"
expect_line "$OUT" '^status exit: 0$' "tlsring status"
expect_line "$OUT" '^reload exit: 0$' "reload"
expect_line "$OUT" 'keys reloaded: 1 key' "SIGHUP reloaded the keys"
expect_line "$OUT" '^stop exit: 0$' "stop"
expect_line "$OUT" '^stopped Result=success$' "stopped cleanly"
expect_line "$OUT" '^stopped ExecMainStatus=0$' "exit 0 on SIGTERM"
expect_line "$OUT" 'tlsring-0+1-.*\.pcapng$' "capture files"
rm -f "$WORK2/boot-test.out" "$WORK2/root/boot-test.sh" "$WORK2/root/configured.yaml" \
  "$WORK2/etc/systemd/system/tlsring-boot-test.service" \
  "$WORK2/etc/systemd/system/multi-user.target.wants/tlsring-boot-test.service"
[[ -L "$WORK2/etc/systemd/system/multi-user.target.wants/tlsring.service" ]] || fail "systemctl enable made no link"

say "apt-get purge tlsring (systemd root, after the service ran and was enabled)"
in_root "$WORK2" apt-get purge -y tlsring > "$WORK2.purge.log" 2>&1 || { cat "$WORK2.purge.log"; fail "apt-get purge failed"; }
grep '^tlsring:\|^dpkg: warning' "$WORK2.purge.log" || true
echo "left after purge:"; leftovers "$WORK2" | tee "$WORK2.left" | sed 's/^/  /'
# The operator's key, captures and results, the account; man-db's cache page
# (man ran for verify's Documentation= check) is man-db's.
unexpected="$(grep -Ev '^(/etc/tlsring(/keys|/keys/server.pem)?|/var/lib/tlsring(/(capture|runs)(/.*)?)?|account: tlsring:.*|/var/cache/man/cat8/tlsring.8.gz)$' "$WORK2.left")"
[[ -z "$unexpected" ]] || fail "purge left: $unexpected"
[[ ! -e "$WORK2/etc/systemd/system/multi-user.target.wants/tlsring.service" ]] || fail "purge left the enablement link"

rm -rf "$WORK" "$WORK2"
say "packaging_deb_install: ok, $((SECONDS - STARTED)) s"
