#!/usr/bin/env bash
# packaging_build: builds the tlsring binary, then the .deb with cpack (and the
# .rpm when rpmbuild exists, else says it was skipped) into BUILD/packaging/out,
# and checks what they hold: files, modes, conffiles, dependencies, scripts.
# usage: build_packages_test.sh BUILD_DIR
set -uo pipefail
BUILD="$(cd "$1" && pwd)"
OUT="$BUILD/packaging/out"
NAME=packaging_build
skip() { printf '\n*** SKIPPED: %s: %s ***\n\n' "$NAME" "$*" >&2; exit 4; }
fail() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }

command -v cpack >/dev/null || skip "cpack not found"
command -v dpkg-deb >/dev/null || skip "dpkg-deb not found (a Debian host is needed for the .deb)"
command -v dpkg-shlibdeps >/dev/null || skip "dpkg-shlibdeps not found (apt-get install dpkg-dev)"

# cpack with Ninja installs without building: the binary must be there first.
cmake --build "$BUILD" --target tlsring > "$BUILD/packaging/build.log" 2>&1 \
  || { tail -20 "$BUILD/packaging/build.log"; fail "building tlsring failed"; }
rm -rf "$OUT"
mkdir -p "$OUT"
started=$SECONDS
( cd "$BUILD" && cpack -G DEB -B "$OUT" ) > "$OUT/cpack-deb.log" 2>&1 \
  || { cat "$OUT/cpack-deb.log"; fail "cpack -G DEB failed"; }
deb="$(ls "$OUT"/tlsring_*.deb 2>/dev/null | head -1)"
[[ -f "$deb" ]] || { cat "$OUT/cpack-deb.log"; fail "cpack made no .deb"; }
echo "built $deb in $((SECONDS - started)) s"

echo "== dpkg-deb -I"
dpkg-deb -I "$deb" | tee "$OUT/deb-info.txt"
echo "== dpkg-deb -c"
dpkg-deb -c "$deb" | tee "$OUT/deb-contents.txt"

# "MODE OWNER PATH" of each entry, e.g. "-rw-r----- root/root ./etc/tlsring/tlsring.yaml".
has() {
  awk -v m="$1" -v o="$2" -v p="$3" '$1 == m && $2 == o && $NF == p { found = 1 } END { exit !found }' \
    "$OUT/deb-contents.txt" || fail ".deb: no $3 with mode $1 owner $2"
}
has -rwxr-xr-x root/root ./usr/bin/tlsring
has -rw-r--r-- root/root ./usr/lib/systemd/system/tlsring.service
has -rw-r--r-- root/root ./usr/lib/sysusers.d/tlsring.conf
has -rw-r--r-- root/root ./usr/lib/tmpfiles.d/tlsring.conf
has -rw-r--r-- root/root ./usr/share/man/man8/tlsring.8.gz
has -rw-r----- root/root ./etc/tlsring/tlsring.yaml    # group tlsring: set by postinst
has drwxr-x--- root/root ./etc/tlsring/keys/
has drwxr-x--- root/root ./var/lib/tlsring/
grep -q -- '/test' "$OUT/deb-contents.txt" && fail ".deb holds test files"

dpkg-deb -e "$deb" "$OUT/control"
[[ "$(cat "$OUT/control/conffiles")" == /etc/tlsring/tlsring.yaml ]] || fail "conffiles is not /etc/tlsring/tlsring.yaml"
for script in postinst prerm postrm; do
  [[ -x "$OUT/control/$script" ]] || fail "no executable $script in the .deb"
  sh -n "$OUT/control/$script" || fail "$script: shell syntax error"
done
# Not started until configured: no enable or start outside comments and messages.
grep -Ev '^[[:space:]]*(#|echo)' "$OUT/control/postinst" \
  | grep -Eq 'systemctl (enable|start|restart)|deb-systemd-helper enable|deb-systemd-invoke start' \
  && fail "postinst enables or starts the service"
depends="$(sed -n 's/^Depends: //p' "$OUT/control/control")"
for lib in libpcap0.8 libssl3 libyaml-cpp0.7 passwd procps; do
  grep -q "\b$lib\b" <<<"$depends" || fail "Depends lacks $lib: $depends"
done

# The packaged config: the documented example with the journal as log target.
dpkg-deb -x "$deb" "$OUT/tree"
grep -Eq '^  target: journal\b' "$OUT/tree/etc/tlsring/tlsring.yaml" || fail "packaged config does not log to the journal"
grep -Eq '^  directory: /var/lib/tlsring$' "$OUT/tree/etc/tlsring/tlsring.yaml" \
  || fail "packaged config: output.directory is not /var/lib/tlsring"
gzip -dc "$OUT/tree/usr/share/man/man8/tlsring.8.gz" | grep -q '^\.TH TLSRING 8' || fail "man page: no .TH TLSRING 8 header"
[[ "$(head -c 4 "$OUT/tree/usr/bin/tlsring" | od -An -c | tr -d ' ')" == '177ELF' ]] \
  || fail "/usr/bin/tlsring is not an ELF binary"
"$OUT/tree/usr/bin/tlsring" --help | grep -q 'usage: tlsring' || fail "the packaged tlsring does not run"

if command -v rpmbuild >/dev/null; then
  ( cd "$BUILD" && cpack -G RPM -B "$OUT" ) > "$OUT/cpack-rpm.log" 2>&1 \
    || { cat "$OUT/cpack-rpm.log"; fail "cpack -G RPM failed"; }
  rpm_file="$(ls "$OUT"/tlsring-*.rpm 2>/dev/null | head -1)"
  [[ -f "$rpm_file" ]] || fail "cpack made no .rpm"
  echo "== rpm -qlvp $rpm_file"
  rpm -qlvp "$rpm_file" | grep -v '/.build-id' | tee "$OUT/rpm-contents.txt"
  rpm_has() {
    awk -v m="$1" -v u="$2" -v g="$3" -v p="$4" '$1 == m && $3 == u && $4 == g && $NF == p { f = 1 } END { exit !f }' \
      "$OUT/rpm-contents.txt" || fail ".rpm: no $4 with mode $1 owner $2:$3"
  }
  rpm_has -rwxr-xr-x root root /usr/bin/tlsring
  rpm_has -rw-r--r-- root root /usr/lib/systemd/system/tlsring.service
  rpm_has -rw-r----- root tlsring /etc/tlsring/tlsring.yaml
  rpm_has drwxr-x--- root tlsring /etc/tlsring/keys
  rpm_has drwxr-x--- tlsring tlsring /var/lib/tlsring
  rpm -qpc "$rpm_file" | grep -qx /etc/tlsring/tlsring.yaml || fail ".rpm: tlsring.yaml is not a %config file"
  rpm -qp --scripts "$rpm_file" | grep -q 'useradd --system' || fail ".rpm: no %pre creating the user"
  echo "built $rpm_file"
else
  printf '\n*** .rpm SKIPPED: rpmbuild not found (apt-get install rpm); only the .deb was built ***\n\n'
fi
echo "packaging_build: ok"
