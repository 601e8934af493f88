#!/usr/bin/env bash
# Decryption benchmark: tlsring decrypt against tshark and ssldump on the same capture files.
# Not part of ctest; run it by hand on a quiet machine.
#
#   tests/bench/decrypt_bench.sh [BUILD_DIR] [--runs N] [--work DIR] [--scratch DIR] [--regen]
#                                [--corpus LIST]
#
#   BUILD_DIR    where tlsring was built (default: $TLSRING_BUILD_DIR, else <repo>/build); the
#                script builds nothing: it uses BUILD_DIR/daemon/tlsring and
#                BUILD_DIR/tests/gen/tlsring-gen
#   --runs N     timed runs of every tool on every corpus (default 5); medians are reported
#   --work DIR   corpora (cached) and results (default: BUILD_DIR/bench)
#   --scratch D  where the tools write their output, a fresh directory per run, deleted after it
#                (default: /dev/shm when it is a tmpfs with 4 GB free, else the work directory)
#   --regen      generate the corpora again even when the cached ones match
#   --corpus L   comma-separated subset of: bulk,chatty,long,tls13 (default: all four)
#
# Corpora (made by tlsring-gen, classic pcap so that every tool reads the very same file; the
# plaintext files are not written, the manifest gives the plaintext byte counts):
#   bulk    4 sessions, TLS 1.2 RSA key exchange AES128-GCM-SHA256, 50 MB server->client each
#           in 16 KB records (~216 MB of capture)
#   chatty  2,000 sessions, TLS 1.2 RSA key exchange, 5 suites in turn (AES-GCM, AES-CBC with
#           SHA-256 and SHA-1 MACs), 35 request/response exchanges of 100-600 bytes each (~80 MB)
#   long    20 long-lived sessions, TLS 1.2 RSA key exchange, AES-CBC with SHA-1 and SHA-256 MACs
#           in turn (MAC-then-encrypt), 3,500 exchanges of 100-600 bytes each (~76 MB): the
#           T-Server's own shape, clients that stay connected all day, so the cost per record
#           rather than per handshake
#   tls13   2,000 sessions, TLS 1.3 TLS_AES_128_GCM_SHA256 with a key log, same traffic as
#           chatty (~78 MB)
#
# Tools, each timed (wall clock; CPU = user + system time and peak RSS from GNU time), output
# into a fresh directory that is deleted after the run. The tools run in turn within each run, so
# that a load change on the machine hits all of them. The default output directory is a tmpfs:
# on a disk file system the benchmark measures the file system as much as the tools. Seen here
# (ext4 without a journal): creating a file costs ~250 us when thousands of files were deleted in
# the last minutes (the inode allocator skips recently deleted inodes), which is exactly what
# repeated runs do, and tlsring writes 3 files per connection; that doubled its chatty figure.
#   tlsring                   tlsring decrypt CAPTURE --key IP:PORT=server.key.pem -o OUT
#                             (--keylog keys.log for tls13): sessions.jsonl, transcripts, .bin
#   tlsring --no-transcripts  the same without the transcripts (hex dumps of binary data)
#   tshark                    tshark -n -r CAPTURE -o tls.keys_list:IP,PORT,data,KEY
#                             (-o tls.keylog_file:keys.log for tls13) -Y data -T fields -e data.len
#                             The decrypted records are handed to the "data" dissector; printing
#                             only their lengths makes tshark decrypt every record while writing
#                             almost nothing (the cheapest way to make it decrypt everything, so
#                             the comparison favours tshark). Verified on tlsring-gen captures
#                             (tshark 4.0.17): the data.len values add up exactly to the
#                             generator's plaintext byte count; with a wrong RSA key or no key
#                             log there is no "data" at all (tls.app_data, by contrast, matches
#                             the encrypted records whether or not they were decrypted).
#                             HOME and XDG_CONFIG_HOME point at an empty directory: no user
#                             preferences apply.
#   ssldump                   ssldump -n -r CAPTURE -k server.key.pem (-l keys.log for tls13)
#                             -w OUT/decrypted.pcap > /dev/null
#                             -w writes every decrypted record as a TCP segment of a new pcap.
#                             Verified (ssldump 1.4): the payload adds up to the plaintext byte
#                             count; with a wrong key it is 0. Not used: -q, which with -w makes
#                             ssldump 1.4 abort (malloc(): memory corruption) on the chatty
#                             corpus. ssldump 1.4 (Debian 12) does not decrypt TLS 1.3 at all:
#                             support came in ssldump 1.7; the check below reports it.
#
# Correctness: after the first run of every tool on every corpus, the bytes it decrypted are
# compared with the plaintext byte count in the generator's manifest (tlsring: the summary line
# "application data: X bytes client->server, Y bytes server->client" and "not decrypted: 0").
# A tool that did not decrypt everything is reported as INCOMPLETE, is not run again on that
# corpus and is left out of the ratios; for tlsring a loud warning is printed.
#
# Floor (measured in the same runs, a lower bound of the CPU any decryptor needs here): reading the
# capture file (dd, 256 KiB reads, to /dev/null), writing the plaintext once into the output
# directory (dd from /dev/zero), decrypting it with the corpus's cheapest cipher at its record size
# (openssl speed -evp aes-128-gcm: 16 KB records for bulk, 512 bytes for the others; for long,
# whose suites are AES-CBC with HMAC, cheaper than any of them, so a looser bound) and, with RSA
# key exchange, one RSA private-key operation per full handshake (openssl speed rsa at the key's
# size). Their sum divided by the capture's size bounds the MB/s on one core; divided again by the
# cores, on all of them with perfect overlap. Each tool's share of that ceiling is printed.
# tlsring writes more than the plaintext once (the .bin files, and the transcripts hold every text
# record again and binary ones as hex dumps): for each tlsring variant the floor is also printed
# with the bytes of its output directory (du -sb, first run) written instead, the ceiling of the
# work it is asked to do. Both floors leave out what a tool does per file or per record (creating
# 3 files per connection, parsing, the report), so they are lower bounds, not targets.
#
# Output: one table per corpus on stdout; the same figures in WORK/results.tsv and every single
# run in WORK/runs.tsv (both overwritten by each invocation). MB = 10^6 bytes, MiB = 2^20 bytes.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/tests/bench"

BUILD=""
RUNS=5
WORK=""
REGEN=0
SCRATCH_BASE=""
ALL_CORPORA="bulk,chatty,long,tls13"  # each has a case in corpus_args and corpus_title
CORPORA="$ALL_CORPORA"

usage() { sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while (($#)); do
  case "$1" in
    --runs) RUNS="${2:?--runs needs a number}"; shift 2 ;;
    --runs=*) RUNS="${1#*=}"; shift ;;
    --work) WORK="${2:?--work needs a directory}"; shift 2 ;;
    --work=*) WORK="${1#*=}"; shift ;;
    --scratch) SCRATCH_BASE="${2:?--scratch needs a directory}"; shift 2 ;;
    --scratch=*) SCRATCH_BASE="${1#*=}"; shift ;;
    --regen) REGEN=1; shift ;;
    --corpus) CORPORA="${2:?--corpus needs a list}"; shift 2 ;;
    --corpus=*) CORPORA="${1#*=}"; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "decrypt_bench.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) [[ -z "$BUILD" ]] || { echo "decrypt_bench.sh: one build directory only" >&2; exit 2; }
       BUILD="$1"; shift ;;
  esac
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "decrypt_bench.sh: --runs must be a positive number" >&2; exit 2; }
BUILD="${BUILD:-${TLSRING_BUILD_DIR:-$ROOT/build}}"
BUILD="$(cd "$BUILD" 2>/dev/null && pwd || echo "$BUILD")"
WORK="${WORK:-$BUILD/bench}"

bold() { printf '\033[1m%s\033[0m\n' "$*"; }
loud() { printf '\n\033[1;31m*** %s ***\033[0m\n\n' "$*" >&2; }
note() { printf '%s\n' "$*" >&2; }

# --- what we run -------------------------------------------------------------------------------

TLSRING="$BUILD/daemon/tlsring"
GEN="$BUILD/tests/gen/tlsring-gen"
if [[ ! -x "$TLSRING" || ! -x "$GEN" ]]; then
  note "decrypt_bench.sh: $TLSRING or $GEN is missing. Build first:"
  if [[ "$BUILD" == "$ROOT/build" ]]; then
    note "    $ROOT/packaging/dev.sh build"
  else
    note "    TLSRING_BUILD_DIR=$BUILD $ROOT/packaging/dev.sh build"
  fi
  exit 2
fi
PYTHON="$(command -v python3 || true)"

HAVE_TSHARK=0; command -v tshark >/dev/null && HAVE_TSHARK=1
HAVE_SSLDUMP=0; command -v ssldump >/dev/null && HAVE_SSLDUMP=1
HAVE_TIME=0; [[ -x /usr/bin/time ]] && /usr/bin/time -f '%M' -o /dev/null true 2>/dev/null && HAVE_TIME=1
missing=()
((HAVE_TSHARK)) || { note "tshark not found: its figures are skipped."; missing+=(tshark); }
((HAVE_SSLDUMP)) || { note "ssldump not found: its figures are skipped."; missing+=(ssldump); }
((HAVE_TIME)) || { note "GNU time (/usr/bin/time) not found: CPU time and peak RSS figures are skipped."; missing+=(time); }
if ((HAVE_SSLDUMP)) && [[ -z "$PYTHON" ]]; then
  note "python3 not found: ssldump's output cannot be checked, its figures are skipped."
  HAVE_SSLDUMP=0
fi
((${#missing[@]} == 0)) || note "To include them: apt-get install -y ${missing[*]}"

TOOLS=(tlsring tlsring-nt)
((HAVE_TSHARK)) && TOOLS+=(tshark)
((HAVE_SSLDUMP)) && TOOLS+=(ssldump)
declare -A TOOL_LABEL=([tlsring]="tlsring" [tlsring-nt]="tlsring --no-transcripts"
                       [tshark]="tshark" [ssldump]="ssldump -w")

mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
[[ "$WORK" != *,* ]] || { note "decrypt_bench.sh: the work directory must not contain a comma (tshark's key list)"; exit 2; }
if [[ -z "$SCRATCH_BASE" ]]; then
  SCRATCH_BASE="$WORK"
  if [[ "$(stat -f -c %T /dev/shm 2>/dev/null)" == tmpfs && -w /dev/shm ]] \
     && (($(df -Pk /dev/shm | awk 'NR == 2 { print $4 }') > 4 * 1024 * 1024)); then
    SCRATCH_BASE=/dev/shm
  fi
fi
mkdir -p "$SCRATCH_BASE"
EMPTY_HOME="$WORK/empty-home"
SCRATCH="$SCRATCH_BASE/tlsring-bench.$$"
trap 'rm -rf "$SCRATCH" "$EMPTY_HOME"' EXIT
rm -rf "$EMPTY_HOME" "$SCRATCH"
mkdir -p "$EMPTY_HOME"

# --- corpora -----------------------------------------------------------------------------------

COMMON=(--format pcap --no-plaintext --quiet)
corpus_args() {
  case "$1" in
    bulk) echo --sessions 4 --version 1.2 --ciphers AES128-GCM-SHA256 \
                --bulk 50000000 --bulk-write 16384 ;;
    chatty) echo --sessions 2000 --version 1.2 \
                --ciphers AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES256-SHA:AES128-SHA \
                --rotate-ciphers --messages 35 --min-size 100 --max-size 600 ;;
    long) echo --sessions 20 --version 1.2 --ciphers AES128-SHA:AES256-SHA:AES128-SHA256 \
                --rotate-ciphers --no-etm --messages 3500 --min-size 100 --max-size 600 ;;
    tls13) echo --sessions 2000 --version 1.3 --ciphersuites TLS_AES_128_GCM_SHA256 \
                --messages 35 --min-size 100 --max-size 600 ;;
    *) return 1 ;;
  esac
}
corpus_title() {
  case "$1" in
    bulk) echo "4 sessions TLS 1.2 RSA AES128-GCM-SHA256, 50 MB s->c each in 16 KB records" ;;
    chatty) echo "2000 sessions TLS 1.2 RSA, 5 GCM/CBC suites in turn, 35 exchanges of 100-600 B" ;;
    long) echo "20 long-lived sessions TLS 1.2 RSA, AES-CBC with SHA-1/SHA-256 MACs, 3500 exchanges of 100-600 B" ;;
    tls13) echo "2000 sessions TLS 1.3 AES-128-GCM + key log, 35 exchanges of 100-600 B" ;;
  esac
}

# ensure_corpus NAME: generates WORK/corpus/NAME unless a complete one made with the same
# arguments is there (and --regen was not given).
ensure_corpus() {
  local name="$1" dir="$WORK/corpus/$1" args
  args="$(corpus_args "$name") ${COMMON[*]}"
  if ((REGEN == 0)) && [[ -f "$dir/capture.pcap" && -f "$dir/manifest.tsv" && -f "$dir/args" ]] \
     && [[ "$(cat "$dir/args")" == "$args" ]]; then
    return 0
  fi
  note "generating corpus $name ..."
  rm -rf "$dir"
  # shellcheck disable=SC2086  # args is a list of plain words
  "$GEN" --out "$dir" $args
  printf '%s' "$args" > "$dir/args"
}

# tsv_sum FILE COLUMN...: sum of the named columns over all data rows of a TSV with a header.
tsv_sum() {
  local file="$1"; shift
  awk -F'\t' -v cols="$*" 'NR == 1 { n = split(cols, want, " ");
      for (i = 1; i <= NF; i++) for (j = 1; j <= n; j++) if ($i == want[j]) use[i] = 1; next }
    { for (i in use) s += $i } END { printf "%d\n", s }' "$file"
}
tsv_first() {  # tsv_first FILE COLUMN: the column's value in the first data row
  awk -F'\t' -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
    NR == 2 { print $c; exit }' "$1"
}

# --- one timed run -----------------------------------------------------------------------------

# run_tool TOOL CORPUS_DIR OUT rsa|keylog: runs TOOL on the corpus into the fresh directory OUT; sets
# WALL_S (seconds, ns clock), CPU_S (user + system) and RSS_KB (GNU time, "" without it), RC.
run_tool() {
  local tool="$1" dir="$2" out="$3" kind="$4" stdout=/dev/null
  local cap="$dir/capture.pcap" key="$dir/server.key.pem" keylog="$dir/keys.log"
  local -a cmd
  case "$tool:$kind" in
    tlsring*:rsa) cmd=("$TLSRING" decrypt "$cap" --key "$SERVER_IP:$SERVER_PORT=$key" -o "$out/o") ;;
    tlsring*:keylog) cmd=("$TLSRING" decrypt "$cap" --keylog "$keylog" -o "$out/o") ;;
    tshark:rsa) cmd=(tshark -n -r "$cap" -o "tls.keys_list:$SERVER_IP,$SERVER_PORT,data,$key") ;;
    tshark:keylog) cmd=(tshark -n -r "$cap" -o "tls.keylog_file:$keylog") ;;
    ssldump:rsa) cmd=(ssldump -n -r "$cap" -k "$key" -w "$out/decrypted.pcap") ;;
    ssldump:keylog) cmd=(ssldump -n -r "$cap" -l "$keylog" -w "$out/decrypted.pcap") ;;
  esac
  case "$tool" in
    tlsring) stdout="$out/stdout.txt" ;;
    tlsring-nt) cmd+=(--no-transcripts); stdout="$out/stdout.txt" ;;
    tshark) cmd+=(-Y data -T fields -e data.len); stdout="$out/data_len.txt" ;;
  esac
  local t0 t1
  RC=0
  t0=$(date +%s%N)
  if ((HAVE_TIME)); then
    env HOME="$EMPTY_HOME" XDG_CONFIG_HOME="$EMPTY_HOME/.config" \
      /usr/bin/time -f '%M %U %S' -o "$out/time.txt" "${cmd[@]}" >"$stdout" 2>"$out/stderr.txt" || RC=$?
  else
    env HOME="$EMPTY_HOME" XDG_CONFIG_HOME="$EMPTY_HOME/.config" \
      "${cmd[@]}" >"$stdout" 2>"$out/stderr.txt" || RC=$?
  fi
  t1=$(date +%s%N)
  WALL_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
  RSS_KB=""; CPU_S=""
  if ((HAVE_TIME)); then  # the last line: a failing command adds "Command exited with ..." before
    read -r RSS_KB CPU_S < <(tail -n 1 "$out/time.txt" | awk '{ printf "%d %.2f\n", $1, $2 + $3 }')
  fi
  return 0
}

# check_tool TOOL OUT PLAINTEXT_BYTES: prints "ok" or why the run is not a full decryption.
check_tool() {
  local tool="$1" out="$2" expected="$3" got=""
  if ((RC != 0)); then
    echo "FAILED (exit $RC: $(tail -n 1 "$out/stderr.txt" | cut -c1-60))"; return
  fi
  case "$tool" in
    tlsring*)
      if ! grep -q 'not decrypted: 0' "$out/o/summary.txt" 2>/dev/null; then
        echo "NOT ALL DECRYPTED: $(grep -m1 'not decrypted' "$out/o/summary.txt" 2>/dev/null | xargs)"
        return
      fi
      got=$(sed -n 's/.*application data: \([0-9]*\) bytes client->server, \([0-9]*\) bytes server->client.*/\1 \2/p' \
              "$out/o/summary.txt" | awk '{ printf "%d", $1 + $2 }') ;;
    tshark) got=$(tr ',' '\n' < "$out/data_len.txt" | awk '{ s += $1 } END { printf "%d", s }') ;;
    ssldump) got=$("$PYTHON" "$HERE/pcap_tcp_payload.py" "$out/decrypted.pcap" 2>/dev/null || echo 0) ;;
  esac
  if [[ "$got" == "$expected" ]]; then
    echo ok
  else
    awk -v g="${got:-0}" -v e="$expected" 'BEGIN { printf "INCOMPLETE (%d of %d plaintext bytes, %.1f%%)\n", g, e, e ? 100 * g / e : 0 }'
  fi
}

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) exit;
  if (NR % 2) printf "%.3f\n", a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
maximum() { sort -g | tail -n 1; }

# child_cpu_s CMD...: user + system CPU seconds of CMD (bash's `times`: millisecond resolution).
child_cpu_s() {
  ( "$@" >/dev/null 2>&1; times ) | tail -n 1 |
    awk '{ split($1, u, /[ms]/); split($2, k, /[ms]/); printf "%.4f\n", u[1] * 60 + u[2] + k[1] * 60 + k[2] }'
}

# openssl_gcm_s BYTES RECORD: seconds of AES-128-GCM for BYTES in records of RECORD bytes.
openssl_gcm_s() {
  openssl speed -seconds 1 -evp aes-128-gcm -bytes "$2" 2>/dev/null |
    awk -v b="$1" '/^AES-128-GCM/ { v = $NF; sub(/k$/, "", v); if (v > 0) printf "%.4f\n", b / (v * 1000) }'
}

# openssl_rsa_s KEY_FILE: seconds of one RSA private-key operation at the key's size.
openssl_rsa_s() {
  local bits
  bits=$(openssl rsa -in "$1" -noout -text 2>/dev/null | sed -n '1s/.*(\([0-9]*\) bit.*/\1/p')
  openssl speed -seconds 1 "rsa${bits:-2048}" 2>/dev/null | awk '/^rsa [0-9]+ bits/ { sub(/s$/, "", $4); print $4 }'
}

# Validated before anything is written.
IFS=',' read -r -a CORPUS_LIST <<< "$CORPORA"
for corpus in "${CORPUS_LIST[@]}"; do
  corpus_args "$corpus" >/dev/null || { note "decrypt_bench.sh: unknown corpus '$corpus' (one of $ALL_CORPORA)"; exit 2; }
done

# --- header ------------------------------------------------------------------------------------

COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ "$COMMIT" != unknown ]] && [[ -n "$(git -C "$ROOT" --no-optional-locks status --porcelain --untracked-files=no 2>/dev/null)" ]]; then
  COMMIT="$COMMIT+local changes"
fi
CPU="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)"
TSHARK_VERSION=""; ((HAVE_TSHARK)) && TSHARK_VERSION="tshark $(tshark --version 2>/dev/null | head -n 1 | awk '{ print $3 }')"
SSLDUMP_VERSION=""; ((HAVE_SSLDUMP)) && SSLDUMP_VERSION="$(ssldump -v 2>/dev/null | head -n 1)"

bold "tlsring decryption benchmark   $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: $(nproc) cores, ${CPU:-unknown CPU}, $(awk '/MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo)"
echo "tlsring: commit $COMMIT, $TLSRING"
echo "others:  ${TSHARK_VERSION:-no tshark}, ${SSLDUMP_VERSION:-no ssldump}"
echo "method:  $RUNS runs per tool; medians of wall and CPU time, peak RSS = max over runs; output to $SCRATCH_BASE"
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "load average at start: $LOAD_START"

RESULTS="$WORK/results.tsv"
RUNS_TSV="$WORK/runs.tsv"
printf 'commit\tcorpus\tcapture_bytes\tsessions\tplaintext_bytes\ttool\truns\tmedian_s\tmb_per_s\tsessions_per_s\tmedian_cpu_s\tpeak_rss_mib\tcheck\n' > "$RESULTS"
printf 'commit\tcorpus\ttool\trun\twall_s\tcpu_s\tpeak_rss_kib\texit\n' > "$RUNS_TSV"

# --- the benchmark -----------------------------------------------------------------------------

for corpus in "${CORPUS_LIST[@]}"; do
  ensure_corpus "$corpus"
  dir="$WORK/corpus/$corpus"
  kind=rsa; [[ "$corpus" == tls13 ]] && kind=keylog
  CAP_BYTES=$(stat -c %s "$dir/capture.pcap")
  SESSIONS=$(($(wc -l < "$dir/manifest.tsv") - 1))
  PLAINTEXT=$(tsv_sum "$dir/manifest.tsv" c2s_bytes s2c_bytes)
  SERVER_IP=$(tsv_first "$dir/manifest.tsv" server)
  SERVER_PORT=$(tsv_first "$dir/manifest.tsv" server_port)

  record=512; [[ "$corpus" == bulk ]] && record=16384
  FLOOR_CIPHER=$(openssl_gcm_s "$PLAINTEXT" "$record")
  FLOOR_RSA=0
  if [[ "$kind" == rsa ]]; then
    full_handshakes=$(awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "resumed") c = i; next }
                                   c && $c == 0 { n++ } END { print n + 0 }' "$dir/manifest.tsv")
    FLOOR_RSA=$(awk -v n="$full_handshakes" -v t="$(openssl_rsa_s "$dir/server.key.pem")" 'BEGIN { printf "%.4f", n * t }')
  fi
  FLOOR_READS=""; FLOOR_WRITES=""
  declare -A WALLS=() CPUS=() RSSES=() STATUS=() OUT_BYTES=()
  for tool in "${TOOLS[@]}"; do WALLS[$tool]=""; CPUS[$tool]=""; RSSES[$tool]=""; STATUS[$tool]=""; done
  for ((run = 1; run <= RUNS; run++)); do
    progress="$corpus run $run/$RUNS:"
    for tool in "${TOOLS[@]}"; do
      [[ -z "${STATUS[$tool]}" || "${STATUS[$tool]}" == ok ]] || continue
      rm -rf "$SCRATCH"; mkdir -p "$SCRATCH"
      run_tool "$tool" "$dir" "$SCRATCH" "$kind"
      if ((run == 1)); then
        STATUS[$tool]="$(check_tool "$tool" "$SCRATCH" "$PLAINTEXT")"
        [[ "$tool" == tlsring* ]] && OUT_BYTES[$tool]="$(du -sb "$SCRATCH/o" 2>/dev/null | cut -f1)"
        if [[ "$tool" == tlsring* && "${STATUS[$tool]}" != ok ]]; then
          loud "tlsring did not decrypt every session of corpus $corpus: ${STATUS[$tool]}"
          [[ -f "$SCRATCH/o/summary.txt" ]] && cat "$SCRATCH/o/summary.txt" >&2
        fi
      fi
      WALLS[$tool]+="$WALL_S "
      RSSES[$tool]+="${RSS_KB:-0} "
      CPUS[$tool]+="${CPU_S:-0} "
      printf '%s\t%s\t%s\t%d\t%s\t%s\t%s\t%d\n' "$COMMIT" "$corpus" "$tool" "$run" "$WALL_S" "$CPU_S" "$RSS_KB" "$RC" >> "$RUNS_TSV"
      progress+=" $tool ${WALL_S}s"
      rm -rf "$SCRATCH"
    done
    mkdir -p "$SCRATCH"
    FLOOR_READS+="$(child_cpu_s dd if="$dir/capture.pcap" of=/dev/null bs=256K) "
    FLOOR_WRITES+="$(child_cpu_s dd if=/dev/zero of="$SCRATCH/plaintext.bin" bs=1M count="$(( (PLAINTEXT + 1048575) / 1048576 ))") "
    rm -rf "$SCRATCH"
    note "$progress"
  done

  echo
  bold "== $corpus: $(corpus_title "$corpus")"
  awk -v c="$CAP_BYTES" -v s="$SESSIONS" -v p="$PLAINTEXT" 'BEGIN {
    printf "   capture %.1f MB (pcap), %d sessions, %.1f MB of plaintext\n", c / 1e6, s, p / 1e6 }'
  printf '   %-25s %8s %7s %7s %10s %8s  %s\n' tool "wall s" "CPU s" "MB/s" "sessions/s" "RSS MiB" check
  declare -A MED=() PEAK=()
  for tool in "${TOOLS[@]}"; do
    MED[$tool]=$(tr ' ' '\n' <<< "${WALLS[$tool]}" | grep . | median)
    cpu=-; PEAK[$tool]=""
    if ((HAVE_TIME)); then
      cpu=$(tr ' ' '\n' <<< "${CPUS[$tool]}" | grep . | median | awk '{ printf "%.2f", $1 }')
      PEAK[$tool]=$(tr ' ' '\n' <<< "${RSSES[$tool]}" | grep . | maximum | awk '{ printf "%.1f", $1 / 1024 }')
    fi
    nruns=$(wc -w <<< "${WALLS[$tool]}")
    read -r mbs sps < <(awk -v m="${MED[$tool]}" -v c="$CAP_BYTES" -v s="$SESSIONS" 'BEGIN {
      if (m <= 0) m = 0.001; printf "%.1f %.0f\n", c / 1e6 / m, s / m }')
    printf '   %-25s %8.2f %7s %7s %10s %8s  %s\n' "${TOOL_LABEL[$tool]}" "${MED[$tool]}" \
      "$cpu" "$mbs" "$sps" "${PEAK[$tool]:--}" "${STATUS[$tool]}"
    printf '%s\t%s\t%d\t%d\t%d\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n' "$COMMIT" "$corpus" "$CAP_BYTES" \
      "$SESSIONS" "$PLAINTEXT" "$tool" "$nruns" "${MED[$tool]}" "$mbs" "$sps" "$cpu" \
      "${PEAK[$tool]}" "${STATUS[$tool]}" >> "$RESULTS"
  done
  for other in tshark ssldump; do
    [[ -n "${MED[$other]:-}" ]] || continue
    if [[ "${STATUS[$other]}" != ok || "${STATUS[tlsring]}" != ok ]]; then
      printf '   tlsring/%-8s n/a: %s did not decrypt this corpus completely\n' "$other" \
        "$([[ "${STATUS[tlsring]}" != ok ]] && echo tlsring || echo "$other")"
      continue
    fi
    # time ratio < 1: tlsring is faster; "x as fast" = the other tool's time / tlsring's time.
    awk -v a="${MED[tlsring]}" -v an="${MED[tlsring-nt]}" -v b="${MED[$other]}" \
        -v ra="${PEAK[tlsring]}" -v rb="${PEAK[$other]}" -v o="$other" 'BEGIN {
      if (a <= 0) a = 0.001; if (an <= 0) an = 0.001
      printf "   tlsring/%-8s wall time %.2f (tlsring %.1fx as fast; --no-transcripts %.1fx)", o, a / b, b / a, b / an
      if (ra != "" && rb > 0) printf ", peak RSS %.2f", ra / rb
      printf "\n" }'
  done
  floor_read=$(tr ' ' '\n' <<< "$FLOOR_READS" | grep . | median)
  floor_write=$(tr ' ' '\n' <<< "$FLOOR_WRITES" | grep . | median)
  awk -v r="$floor_read" -v w="$floor_write" -v c="${FLOOR_CIPHER:-0}" -v k="$FLOOR_RSA" -v n="$(nproc)" \
      -v cap="$CAP_BYTES" -v t="${MED[tlsring]}" -v tn="${MED[tlsring-nt]}" 'BEGIN {
    f = r + w + c + k; if (f <= 0) f = 0.001
    printf "   floor: read %.3f + write plaintext %.3f + AES-128-GCM %.3f + RSA %.3f = %.3f s CPU:", r, w, c, k, f
    printf " at most %.0f MB/s on 1 core, %.0f MB/s on %d cores\n", cap / 1e6 / f, cap / 1e6 / f * n, n
    if (t > 0) printf "          tlsring reaches %.0f%% of the %d-core ceiling, --no-transcripts %.0f%%\n",
                      100 * f / n / t, n, 100 * f / n / tn }'
  # The floor above writes the plaintext once; tlsring writes its whole output directory (.bin
  # files, transcripts with the text records and hex dumps, sessions.jsonl): the same floor with
  # that many bytes written is the ceiling of the run as the tool is asked to do it.
  for tool in tlsring tlsring-nt; do
    [[ -n "${OUT_BYTES[$tool]:-}" && "${MED[$tool]:-0}" != 0 ]] || continue
    awk -v r="$floor_read" -v w="$floor_write" -v c="${FLOOR_CIPHER:-0}" -v k="$FLOOR_RSA" -v n="$(nproc)" \
        -v cap="$CAP_BYTES" -v p="$PLAINTEXT" -v o="${OUT_BYTES[$tool]}" -v t="${MED[$tool]}" \
        -v label="${TOOL_LABEL[$tool]}" 'BEGIN {
      if (p <= 0) p = 1
      f = r + w * o / p + c + k; if (f <= 0) f = 0.001
      printf "   %-25s writes %.1f MB (%.2fx the plaintext): floor %.3f s CPU, at most %.0f MB/s on %d cores; reaches %.0f%%\n",
             label, o / 1e6, o / p, f, cap / 1e6 / f * n, n, 100 * f / n / t }'
  done
  printf '%s\t%s\t%d\t%d\t%d\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n' "$COMMIT" "$corpus" "$CAP_BYTES" "$SESSIONS" \
    "$PLAINTEXT" floor "$RUNS" - - - "$(awk -v r="$floor_read" -v w="$floor_write" -v c="${FLOOR_CIPHER:-0}" \
    -v k="$FLOOR_RSA" 'BEGIN { printf "%.3f", r + w + c + k }')" - "read $floor_read write $floor_write cipher ${FLOOR_CIPHER:-?} rsa $FLOOR_RSA" >> "$RESULTS"
  unset WALLS CPUS RSSES STATUS MED PEAK OUT_BYTES
done

echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg) (at start: $LOAD_START; $(nproc) cores)"
echo "figures: $RESULTS (every run: $RUNS_TSV)"
