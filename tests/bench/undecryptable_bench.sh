#!/usr/bin/env bash
# Cost per packet of connections that can never be decrypted: tlsring decrypt on the capture
# benchmark's replay corpus (tests/bench/capture/make_replay_pcap.py: many connections with SYN,
# then TLS 1.2 application-data records without any handshake, every one handshake_not_captured).
# Not part of ctest; run it by hand.
#
#   tests/bench/undecryptable_bench.sh [--runs N] [--sizes 600,1500] [--packets N] [--workers N]
#                                      [--work DIR] TLSRING [REFERENCE_TLSRING]
#
#   TLSRING            the binary to measure (e.g. build/daemon/tlsring)
#   REFERENCE_TLSRING  another binary (e.g. a copy of the previous build) run in turn with it on
#                      the same corpus, so that a load change on the machine hits both
#   --runs N           timed runs of each binary per corpus (default 5); medians are reported
#   --sizes L          frame sizes of the corpora (default 600,1500), --packets N frames each
#                      (default 300000)
#   --workers N        passed to tlsring decrypt (default 1: the cost of one decrypting thread)
#   --work DIR         where the corpora (cached) and outputs go (default /dev/shm/tlsring-undecryptable)
#
# Prints per corpus and binary: median wall and CPU (user + system, GNU time) microseconds per
# packet, and checks that both binaries wrote the same sessions.jsonl (sorted).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUNS=5; SIZES=600,1500; PACKETS=300000; WORKERS=1; WORK=/dev/shm/tlsring-undecryptable
BINS=()
while (($#)); do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --sizes) SIZES="$2"; shift 2 ;;
    --packets) PACKETS="$2"; shift 2 ;;
    --workers) WORKERS="$2"; shift 2 ;;
    --work) WORK="$2"; shift 2 ;;
    -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "undecryptable_bench.sh: unknown option $1" >&2; exit 2 ;;
    *) BINS+=("$(realpath "$1")"); shift ;;
  esac
done
((${#BINS[@]} >= 1 && ${#BINS[@]} <= 2)) || { echo "undecryptable_bench.sh: give one or two tlsring binaries" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "undecryptable_bench.sh: needs GNU time (/usr/bin/time)" >&2; exit 2; }
mkdir -p "$WORK"
openssl genrsa -out "$WORK/key.pem" 2048 2>/dev/null  # any RSA key: nothing here can use it

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg); $RUNS runs, --workers $WORKERS"
IFS=',' read -r -a SIZE_LIST <<< "$SIZES"
for size in "${SIZE_LIST[@]}"; do
  cap="$WORK/replay$size-$PACKETS.pcap"
  [[ -f "$cap" ]] || python3 "$ROOT/tests/bench/capture/make_replay_pcap.py" --size "$size" --packets "$PACKETS" --out "$cap" >&2
  declare -A WALL=() CPU=()
  for ((run = 1; run <= RUNS; run++)); do
    for i in "${!BINS[@]}"; do
      out="$WORK/out$i"; rm -rf "$out"
      t0=$(date +%s%N)
      /usr/bin/time -f '%U %S' -o "$WORK/time$i" "${BINS[$i]}" decrypt "$cap" --key "$WORK/key.pem" \
        --workers "$WORKERS" --no-transcripts -o "$out" > /dev/null
      t1=$(date +%s%N)
      WALL[$i]+="$(awk -v a="$t0" -v b="$t1" -v p="$PACKETS" 'BEGIN { printf "%.4f", (b - a) / 1e3 / p }') "
      CPU[$i]+="$(tail -n 1 "$WORK/time$i" | awk -v p="$PACKETS" '{ printf "%.4f", ($1 + $2) * 1e6 / p }') "
      if ((run == 1)); then sort "$out/sessions.jsonl" > "$WORK/sessions$i.sorted"; fi
    done
  done
  for i in "${!BINS[@]}"; do
    printf '%5s B frames  %-50s wall %6.3f us/packet  CPU %6.3f us/packet\n' "$size" "${BINS[$i]}" \
      "$(tr ' ' '\n' <<< "${WALL[$i]}" | grep . | median)" "$(tr ' ' '\n' <<< "${CPU[$i]}" | grep . | median)"
  done
  if ((${#BINS[@]} == 2)); then
    if cmp -s "$WORK/sessions0.sorted" "$WORK/sessions1.sorted"; then echo "        sessions.jsonl: the same"
    else echo "        sessions.jsonl: DIFFERENT ($WORK/sessions0.sorted, $WORK/sessions1.sorted)"; fi
  fi
  unset WALL CPU
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
