#!/usr/bin/env bash
# packaging_unit_analyze: systemd/tlsring.service as systemd-analyze sees it.
#   security --offline: the exposure figure must be 2.0 or lower.
#   verify: no complaint, except that /usr/bin/tlsring and its man page are not
#   installed on this host (packaging_deb_install verifies the installed unit
#   with nothing excused).
# usage: unit_analyze_test.sh SOURCE_DIR
set -uo pipefail
SRC="$1"
UNIT="$SRC/systemd/tlsring.service"
NAME=packaging_unit_analyze
skip() { printf '\n*** SKIPPED: %s: %s ***\n\n' "$NAME" "$*" >&2; exit 4; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

command -v systemd-analyze >/dev/null || skip "systemd-analyze not found (apt-get install systemd)"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp "$UNIT" "$tmp/tlsring.service"

echo "== systemd-analyze security --offline=yes tlsring.service"
systemd-analyze security --offline=yes --no-pager "$tmp/tlsring.service" > "$tmp/security.txt" 2>&1
grep '✗' "$tmp/security.txt" || true
exposure="$(sed -n 's/.*Overall exposure level for tlsring.service: \([0-9.]*\).*/\1/p' "$tmp/security.txt")"
[[ -n "$exposure" ]] || { cat "$tmp/security.txt"; fail "no exposure figure in the output above"; }
echo "exposure: $exposure (at most 2.0 wanted)"
awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }' || fail "exposure $exposure is above 2.0"

echo "== systemd-analyze verify tlsring.service"
( cd "$tmp" && systemd-analyze verify --no-pager ./tlsring.service ) > "$tmp/verify.txt" 2>&1
cat "$tmp/verify.txt"
unexpected="$(grep -v \
  -e '^tlsring.service: Command /usr/bin/tlsring is not executable: No such file or directory$' \
  -e "^tlsring.service: Command 'man tlsring(8)' failed with code 16$" "$tmp/verify.txt")"
[[ -z "$unexpected" ]] || fail "systemd-analyze verify complains: $unexpected"
if [[ -x /usr/bin/tlsring ]] && grep -q 'not executable' "$tmp/verify.txt"; then
  fail "verify says /usr/bin/tlsring is not executable, yet it is installed"
fi
echo "verify: clean (apart from the binary and man page not installed on this host)"

echo "== sysusers.d and tmpfiles.d"
if command -v systemd-sysusers >/dev/null; then
  # --dry-run on an empty root: what it would create, and no parse error.
  mkdir -p "$tmp/root/etc"
  out="$(systemd-sysusers --dry-run --root="$tmp/root" "$SRC/systemd/tlsring.sysusers" 2>&1)" \
    || fail "systemd-sysusers refuses tlsring.sysusers: $out"
  echo "$out"
  grep -q "Creating group 'tlsring'" <<<"$out" || fail "sysusers would not create the tlsring group"
  grep -q "Creating user 'tlsring'" <<<"$out" || fail "sysusers would not create the tlsring user"
fi
while read -r type path mode user group rest; do
  [[ -z "$type" || "$type" == \#* ]] && continue
  printf '%s %s %s %s:%s\n' "$type" "$path" "$mode" "$user" "$group"
  echo "$type $path $mode $user $group" >> "$tmp/lines"
done < "$SRC/systemd/tlsring.tmpfiles"
grep -qx 'd /etc/tlsring/keys 0750 root tlsring' "$tmp/lines" || fail "tmpfiles: /etc/tlsring/keys must be 0750 root:tlsring"
grep -qx 'd /var/lib/tlsring 0750 tlsring tlsring' "$tmp/lines" || fail "tmpfiles: /var/lib/tlsring must be 0750 tlsring:tlsring"
echo "packaging_unit_analyze: ok"
