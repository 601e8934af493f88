#!/usr/bin/env bash
# Capture benchmark: `tlsring run` against `tcpdump -w` and `dumpcap -w` on the same traffic,
# replayed onto the loopback interface by tcpreplay at rising packet rates. A benchmark, not a
# test: ctest never runs it. Needs root (live capture and tcpreplay); run it on a quiet machine.
#
#   tests/bench/capture_bench.sh BUILD_DIR [--rates 50000,100000,200000] [--packets 1000000]
#       [--sizes 600,1500] [--tools tlsring,tcpdump,dumpcap] [--work DIR] [--repeat N] [--buffer-mib 16]
#       [--key-repeat N] [--memory-seconds 60] [--memory-rate 20000] [--memory-only] [--install]
#
#   BUILD_DIR          where tlsring was built; the script uses BUILD_DIR/daemon/tlsring and
#                      builds nothing
#   --rates L          packets per second replayed (tcpreplay --pps), comma-separated
#   --packets N        packets replayed per run (default 1000000)
#   --sizes L          data frame sizes in bytes, comma-separated (default 600,1500)
#   --tools L          capturers, run in turn on the same replay (default tlsring,tcpdump,dumpcap)
#   --work DIR         replay files (cached), capture output and results. Default:
#                      /dev/shm/tlsring-capture-bench when /dev/shm is a tmpfs with room, else
#                      BUILD_DIR/bench-capture. The capture files go there too: on a tmpfs the
#                      benchmark measures the capturers, not the disk.
#   --repeat N         runs of every size x rate point (default 1); medians are reported
#   --buffer-mib N     kernel capture buffer of every tool, MiB (default 16, tlsring's default;
#                      a small one, e.g. 2, shows who drains the kernel fastest when the sender
#                      here cannot reach a rate at which 16 MiB overflows)
#   --key-repeat N     runs of the key point, 1500 B x 200000 pps, when it is in the grid (default 3)
#   --memory-seconds S length of the memory run (default 60; 0 skips it)
#   --memory-rate R    its packet rate (default 20000)
#   --memory-only      only the memory run (no rates x sizes grid)
#   --install          apt-get install the missing tools (root only); without it the script only
#                      says which apt-get line is needed
#
# Replay input (tests/bench/capture/make_replay_pcap.py, cached under WORK/corpus): per size, a
# pcap of N Ethernet frames; 2000 TCP connections to 127.0.0.1:3000 open at any time from clients
# 127.1.x.y, 250 frames each (SYN, SYN-ACK, ACK, 244 data segments both ways, FIN, FIN, ACK),
# a new connection from the next port when one ends: ~4,000 connections per million frames. Data
# frames are exactly SIZE bytes (payload: a TLS application-data record header and random bytes);
# the 6 control frames per connection are 60 bytes (2.4% of frames). Valid IPv4/TCP checksums.
# The MAC addresses are not lo's, so the kernel hands the frames to packet sockets (the
# capturers) and the IP stack drops them: nothing answers, only the replayed frames are on port 3000.
#
# Each run: start the capturer, wait until it says it captures, `tcpreplay -i lo --pps RATE -K`
# the file, wait until the capturer is idle (its capture CPU no longer grows), sample its CPU and
# peak RSS, stop it with SIGINT, then count.
#   tlsring   tlsring run -c CONFIG: interfaces [lo], filter "tcp port 3000", buffer_size 16MiB,
#             rotation every 10s and max_file_size 64MiB (~23 files a run at 1500 B), pcapng,
#             decrypt.workers at its default (1) and no keys (the background decryptor still reads
#             every completed file, follows its TCP streams and classifies them)
#   tcpdump   tcpdump -i lo -p -n -s 262144 -B KiB -Z root -w FILE 'tcp port 3000'
#   dumpcap   dumpcap -i lo -p -s 262144 -B MiB -f 'tcp port 3000' -w FILE (pcapng)
# All three get the same kernel buffer, 16 MiB (tlsring's default buffer_size; --buffer-mib), the
# same snap length and no promiscuous mode (no difference on lo). The kernel buffer is mmapped
# into the capturer, so it counts in its RSS: the tables show peak RSS and RSS without it.
#
# Figures per run (WORK/runs.tsv has every run, WORK/results.txt the tables):
#   sent        tcpreplay's "Actual: N packets"; rate = its "Rated: X pps"
#   backlog     packets the kernel dropped before any packet socket saw them (per-CPU input
#               backlog full: /proc/net/softnet_stat column 2, before - after); no capturer can
#               see these, so captured = sent - backlog - drops at best
#   captured    packets in the capture files (capinfos), checked against the tool's own count
#               (tlsring: status.json packets; tcpdump: "packets captured"; dumpcap: "Packets
#               captured"); a mismatch is flagged
#   k.drops     kernel drops: tlsring status.json kernel_drops (+ user_drops, shown apart);
#               tcpdump "packets dropped by kernel"; dumpcap's "received/dropped" line
#   CPU us/pkt  CPU time (user + system, /proc/PID/stat, all threads) of the capturing process
#               from just before the replay to just before the stop, per captured packet. For
#               tlsring also "cap+wr": the threads named tlsring-capture and tlsring-writer alone
#               (/proc/PID/task/*/schedstat), i.e. without the background decryption
#   exit CPU    user + system CPU of the whole process life, from GNU time (includes start-up,
#               tlsring's decryption of the last file at stop)
#   peak RSS    VmHWM of the capturing process just before the stop
#   load        the 1-minute load average when the run started (the machine may be shared)
#   floor       after each tcpdump run, on its capture file: the CPU of writing that many bytes
#               into WORK (dd from /dev/zero, 1 MiB writes) and of reading the file back (dd,
#               256 KiB reads), per packet: what any capturer that writes the file pays at least,
#               and what reading it back once (as tlsring's background decryption does) adds
# Tools run in turn within each point; repetition r starts with the r-th tool, so that a load
# change on the machine does not always hit the same tool.
#
# Memory run: tlsring with rotation every 2s and a ring of 30 files (keep_files), the 600-byte
# replay file looped at --memory-rate for --memory-seconds, VmRSS sampled every second; prints
# min/median/max RSS, the first and last quarter's medians, VmHWM, rotations (files written) and
# connections seen.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/tests/bench/capture"

BUILD=""
RATES="50000,100000,200000"
PACKETS=1000000
SIZES="600,1500"
TOOLS_ARG="tlsring,tcpdump,dumpcap"
WORK=""
REPEAT=1
KEY_REPEAT=3
KEY_SIZE=1500
KEY_RATE=200000
MEM_SECONDS=60
MEM_RATE=20000
MEM_KEEP_FILES=30  # the memory run's ring: a minute of 2 s files
MEM_ONLY=0
BUFFER_MIB=16
INSTALL=0

usage() { sed -n '2,29p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "capture_bench.sh: $*" >&2; exit 2; }
note() { printf '%s\n' "$*" >&2; }

while (($#)); do
  case "$1" in
    --rates) RATES="${2:?--rates needs a list}"; shift 2 ;;
    --packets) PACKETS="${2:?--packets needs a number}"; shift 2 ;;
    --sizes) SIZES="${2:?--sizes needs a list}"; shift 2 ;;
    --tools) TOOLS_ARG="${2:?--tools needs a list}"; shift 2 ;;
    --work) WORK="${2:?--work needs a directory}"; shift 2 ;;
    --repeat) REPEAT="${2:?--repeat needs a number}"; shift 2 ;;
    --key-repeat) KEY_REPEAT="${2:?--key-repeat needs a number}"; shift 2 ;;
    --memory-seconds) MEM_SECONDS="${2:?--memory-seconds needs a number}"; shift 2 ;;
    --memory-rate) MEM_RATE="${2:?--memory-rate needs a number}"; shift 2 ;;
    --memory-only) MEM_ONLY=1; shift ;;
    --buffer-mib) BUFFER_MIB="${2:?--buffer-mib needs a number}"; shift 2 ;;
    --install) INSTALL=1; shift ;;
    --*=*) opt="${1%%=*}"; val="${1#*=}"; shift; set -- "$opt" "$val" "$@" ;;
    -h|--help) usage; exit 0 ;;
    -*) usage >&2; die "unknown option $1" ;;
    *) [[ -z "$BUILD" ]] || die "one build directory only (got $BUILD and $1)"; BUILD="$1"; shift ;;
  esac
done
[[ -n "$BUILD" ]] || { usage >&2; die "BUILD_DIR is required"; }
number_list() { [[ "$2" =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || die "$1 must be comma-separated positive numbers, got '$2'"; }
number_list --rates "$RATES"
number_list --sizes "$SIZES"
number_list --packets "$PACKETS"
number_list --repeat "$REPEAT"
number_list --key-repeat "$KEY_REPEAT"
number_list --memory-rate "$MEM_RATE"
number_list --buffer-mib "$BUFFER_MIB"
((BUFFER_MIB <= 2047)) || die "--buffer-mib must be 1 to 2047"
[[ "$MEM_SECONDS" =~ ^[0-9]+$ ]] || die "--memory-seconds must be a number of seconds, got '$MEM_SECONDS'"
IFS=, read -r -a RATE_LIST <<< "$RATES"
IFS=, read -r -a SIZE_LIST <<< "$SIZES"
IFS=, read -r -a TOOLS <<< "$TOOLS_ARG"
for t in "${TOOLS[@]}"; do
  case "$t" in tlsring|tcpdump|dumpcap) ;; *) die "--tools: unknown tool '$t' (tlsring, tcpdump, dumpcap)" ;; esac
done
for s in "${SIZE_LIST[@]}"; do ((s >= 64 && s <= 9000)) || die "--sizes: $s is not 64 to 9000 bytes"; done

BUILD="$(cd "$BUILD" 2>/dev/null && pwd)" || die "build directory $BUILD does not exist"
TLSRING="$BUILD/daemon/tlsring"
[[ -x "$TLSRING" ]] || die "$TLSRING is missing: build it with  ninja -C $BUILD tlsring"
((EUID == 0)) || die "live capture and tcpreplay need root: run it with sudo"

# --- tools -------------------------------------------------------------------------------------

declare -A PACKAGE_OF=([tcpreplay]=tcpreplay [tcpdump]=tcpdump [dumpcap]=wireshark-common
                       [capinfos]=wireshark-common [python3]=python3 [/usr/bin/time]=time)
missing=()
for cmd in tcpreplay capinfos python3 /usr/bin/time "${TOOLS[@]}"; do
  [[ "$cmd" == tlsring ]] && continue
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${PACKAGE_OF[$cmd]}")
done
if ((${#missing[@]})); then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  if ((INSTALL)); then
    note "installing: ${missing[*]}"
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
  else
    die "missing tools; install them with:  apt-get install -y ${missing[*]}  (or pass --install)"
  fi
fi
CLK_TCK="$(getconf CLK_TCK)"

# --- work directory ----------------------------------------------------------------------------

if [[ -z "$WORK" ]]; then
  WORK="$BUILD/bench-capture"
  max_size=0; for s in "${SIZE_LIST[@]}"; do ((s > max_size)) && max_size=$s; done
  need_kb=$(( (PACKETS * max_size * 3 + PACKETS * 600) / 1024 + 1024 * 1024 ))
  if [[ "$(stat -f -c %T /dev/shm 2>/dev/null)" == tmpfs && -w /dev/shm ]] \
     && (($(df -Pk /dev/shm | awk 'NR == 2 { print $4 }') > need_kb)); then
    WORK=/dev/shm/tlsring-capture-bench
  fi
fi
mkdir -p "$WORK/corpus"
WORK="$(cd "$WORK" && pwd)"
RUN_DIR="$WORK/run"
rm -rf "$RUN_DIR"
RUNS_TSV="$WORK/runs.tsv"
MEM_TSV="$WORK/memory.tsv"
RESULTS="$WORK/results.txt"

TOOL_PID=""
TIME_PID=""
cleanup() {
  if [[ -n "$TOOL_PID" ]]; then kill -KILL "$TOOL_PID" 2>/dev/null || true; fi
  if [[ -n "${REPLAY_PID:-}" ]]; then kill -KILL "$REPLAY_PID" 2>/dev/null || true; fi
  rm -rf "$RUN_DIR"
}
trap cleanup EXIT

# --- helpers -----------------------------------------------------------------------------------

# Whole-process CPU (all threads, exited ones included) in ns: utime + stime of /proc/PID/stat.
proc_cpu_ns() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || { echo 0; return; }
  stat="${stat##*) }"
  # shellcheck disable=SC2086  # split the fields
  set -- $stat
  echo $(( (${12} + ${13}) * 1000000000 / CLK_TCK ))
}

# CPU in ns of the threads of PID whose name matches the regex $2 (sum_exec_runtime).
threads_cpu_ns() {
  local total=0 task comm ns
  for task in /proc/"$1"/task/*; do
    comm="$(cat "$task/comm" 2>/dev/null)" || continue
    [[ "$comm" =~ $2 ]] || continue
    read -r ns _ < "$task/schedstat" 2>/dev/null || continue
    total=$((total + ns))
  done
  echo "$total"
}

# "RSS RING" in kB: the resident memory of PID and the part of it that is the kernel's capture
# ring (the packet socket's mmap, "socket:[N]" in /proc/PID/smaps). The ring is the kernel buffer
# (16 MiB by default) mapped into the capturer; once the kernel has written every page of it, all of it
# counts as resident. RSS - RING is the process's own memory.
rss_parts() {
  awk '/^[0-9a-f]+-[0-9a-f]+ / { ring = ($NF ~ /^socket:/) }
       $1 == "Rss:" { rss += $2; if (ring) r += $2 }
       END { printf "%d %d\n", rss, r }' "/proc/$1/smaps" 2>/dev/null || echo "0 0"
}

vm_field() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null || true; }

softnet_drops() {  # column 2 (hex) of every CPU's line
  local total=0 dropped _
  while read -r _ dropped _; do total=$((total + 16#$dropped)); done < /proc/net/softnet_stat
  echo "$total"
}

load1() { cut -d' ' -f1 /proc/loadavg; }

# child_cpu_ns CMD...: user + system CPU nanoseconds of CMD (bash's `times`: millisecond resolution).
child_cpu_ns() {
  ( "$@" >/dev/null 2>&1; times ) | tail -n 1 |
    awk '{ split($1, u, /[ms]/); split($2, k, /[ms]/); printf "%.0f\n", (u[1] * 60 + u[2] + k[1] * 60 + k[2]) * 1e9 }'
}

json_number() { sed -n "s/^ *\"$2\": *\([0-9][0-9]*\).*/\1/p" "$1" | head -1; }

capture_cpu_ns() {  # the CPU that decides "idle": the capture threads for tlsring, else the process
  if [[ "$1" == tlsring ]]; then threads_cpu_ns "$TOOL_PID" '^tlsring-(capture|writer)$'
  else proc_cpu_ns "$TOOL_PID"; fi
}

corpus_file() { echo "$WORK/corpus/replay-$1B-$2.pcap"; }

ensure_corpus() {
  local size="$1" file
  file="$(corpus_file "$size" "$PACKETS")"
  [[ -s "$file" && -f "$file.done" ]] && return 0
  note "writing the replay file $file ..."
  rm -f "$file" "$file.done"
  python3 "$HERE/make_replay_pcap.py" --size "$size" --packets "$PACKETS" --out "$file" >&2
  touch "$file.done"
}

write_tlsring_config() {  # DIR EVERY MAX_FILE_SIZE(or empty) [KEEP_FILES]
  local dir="$1" every="$2" max="$3" keep="${4:-}"
  {
    echo "capture:"
    echo "  interfaces: [lo]"
    echo "  filter: \"tcp port 3000\""
    echo "  snaplen: 262144"
    echo "  buffer_size: ${BUFFER_MIB}MiB"
    echo "  promiscuous: false"
    echo "rotation:"
    echo "  every: $every"
    [[ -n "$max" ]] && echo "  max_file_size: $max"
    [[ -n "$keep" ]] && echo "  keep_files: $keep"
    echo "  min_free_space: 0B"
    echo "output:"
    echo "  directory: $dir/out"
    echo "  format: pcapng"
    echo "logging:"
    echo "  level: info"
    echo "  target: console"
  } > "$dir/tlsring.yaml"
}

# start_tool TOOL DIR [EVERY MAX [KEEP]]: starts the capturer under GNU time; sets TOOL_PID and
# TIME_PID and returns once the capturer says it captures.
start_tool() {
  local tool="$1" dir="$2" ready cmd=()
  case "$tool" in
    tlsring) write_tlsring_config "$dir" "${3:-10s}" "${4-64MiB}" "${5:-}"
             cmd=("$TLSRING" run -c "$dir/tlsring.yaml"); ready='capturing on' ;;
    tcpdump) cmd=(tcpdump -i lo -p -n -s 262144 -B $((BUFFER_MIB * 1024)) -Z root -w "$dir/tcpdump.pcap" 'tcp port 3000')
             ready='listening on' ;;
    dumpcap) cmd=(dumpcap -i lo -p -s 262144 -B "$BUFFER_MIB" -f 'tcp port 3000' -w "$dir/dumpcap.pcapng")
             ready='Capturing on' ;;
  esac
  /usr/bin/time -f '%U %S %M' -o "$dir/time" "${cmd[@]}" > "$dir/stdout" 2> "$dir/stderr" &
  TIME_PID=$!
  TOOL_PID=""
  local i
  for ((i = 0; i < 200; i++)); do
    if [[ -z "$TOOL_PID" ]]; then TOOL_PID="$(pgrep -P "$TIME_PID" | head -1 || true)"; fi
    [[ -n "$TOOL_PID" ]] && grep -q "$ready" "$dir/stderr" 2>/dev/null && break
    kill -0 "$TIME_PID" 2>/dev/null || break
    sleep 0.1
  done
  if [[ -z "$TOOL_PID" ]] || ! grep -q "$ready" "$dir/stderr" 2>/dev/null; then
    note "capture_bench.sh: $tool did not start capturing (${cmd[*]}):"
    sed 's/^/    /' "$dir/stderr" >&2
    exit 1
  fi
  sleep 0.5
}

# wait_idle TOOL: returns once the capturer's capture CPU grew by less than 5 ms in 0.5 s, at
# least 1.5 s after the replay (tcpdump's ring block timeout is 1 s), at most 60 s.
wait_idle() {
  local before after i
  sleep 1.5
  before="$(capture_cpu_ns "$1")"
  for ((i = 0; i < 120; i++)); do
    sleep 0.5
    after="$(capture_cpu_ns "$1")"
    ((after - before < 5000000)) && return 0
    before="$after"
  done
  note "capture_bench.sh: $1 still busy 60 s after the replay; stopping it anyway"
}

stop_tool() {
  kill -INT "$TOOL_PID" 2>/dev/null || true
  local i
  for ((i = 0; i < 1200; i++)); do
    kill -0 "$TIME_PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$TIME_PID" 2>/dev/null; then
    note "capture_bench.sh: the capturer did not stop within 120 s of SIGINT; killing it"
    kill -KILL "$TOOL_PID" 2>/dev/null || true
  fi
  wait "$TIME_PID" 2>/dev/null || true
  TOOL_PID=""
}

count_packets() {  # FILES...: packets in capture files, summed
  (($#)) || { echo 0; return; }
  capinfos -T -r -c "$@" 2>/dev/null | awk -F'\t' '{ s += $2 } END { print s + 0 }'
}

# FILES...: the replayed packets among them (127.1.0.0/16 <-> 127.0.0.1:3000). The capture filter
# is "tcp port 3000" for every tool; anything else on lo port 3000 at the time (another user's
# test on this machine) is captured too, and counted apart as "other".
count_replayed() {
  local f total=0 n
  for f in "$@"; do
    n="$(tcpdump -q -t -nn -r "$f" 'tcp port 3000 and net 127.1.0.0/16' 2>/dev/null | wc -l)"
    total=$((total + n))
  done
  echo "$total"
}

# --- one run -----------------------------------------------------------------------------------

run_one() {  # TOOL SIZE RATE REP
  local tool="$1" size="$2" rate="$3" rep="$4" dir="$RUN_DIR/$1"
  local file load sent pps backlog0 backlog1 cpu0 cpu1 thr0=0 thr1=0 hwm rss ring captured own kdrops udrops=0
  local files=() replayed
  file="$(corpus_file "$size" "$PACKETS")"
  rm -rf "$dir"; mkdir -p "$dir"
  load="$(load1)"
  start_tool "$tool" "$dir"
  if [[ "$tool" == tlsring && -z "${THREADS_SHOWN:-}" ]]; then
    THREADS_SHOWN=1
    note "tlsring threads: $(cat /proc/"$TOOL_PID"/task/*/comm | sort | uniq -c | awk '{ printf "%s%s x%d", sep, $2, $1; sep = ", " }')"
  fi
  backlog0="$(softnet_drops)"
  cpu0="$(proc_cpu_ns "$TOOL_PID")"
  [[ "$tool" == tlsring ]] && thr0="$(threads_cpu_ns "$TOOL_PID" '^tlsring-(capture|writer)$')"
  tcpreplay -i lo --pps "$rate" -K "$file" > "$dir/replay.out" 2>&1 \
    || { note "capture_bench.sh: tcpreplay failed:"; sed 's/^/    /' "$dir/replay.out" >&2; exit 1; }
  wait_idle "$tool"
  cpu1="$(proc_cpu_ns "$TOOL_PID")"
  [[ "$tool" == tlsring ]] && thr1="$(threads_cpu_ns "$TOOL_PID" '^tlsring-(capture|writer)$')"
  hwm="$(vm_field "$TOOL_PID" VmHWM)"
  read -r rss ring < <(rss_parts "$TOOL_PID")
  backlog1="$(softnet_drops)"
  stop_tool
  sent="$(sed -n 's/.*Actual: \([0-9]*\) packets.*/\1/p' "$dir/replay.out")"
  pps="$(sed -n 's/.*Rated: .* \([0-9.]*\) pps.*/\1/p' "$dir/replay.out")"
  case "$tool" in
    tlsring)
      files=("$dir"/out/capture/*.pcapng)
      own="$(json_number "$dir/out/status.json" packets)"
      kdrops="$(json_number "$dir/out/status.json" kernel_drops)"
      udrops="$(json_number "$dir/out/status.json" user_drops)"
      ROT_FILES="$(json_number "$dir/out/status.json" files_written)" ;;
    tcpdump)
      files=("$dir/tcpdump.pcap")
      own="$(sed -n 's/^\([0-9]*\) packets captured.*/\1/p' "$dir/stderr")"
      kdrops="$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$dir/stderr")" ;;
    dumpcap)
      files=("$dir/dumpcap.pcapng")
      own="$(tr '\r' '\n' < "$dir/stderr" | sed -n 's/.*Packets captured: \([0-9]*\).*/\1/p' | tail -1)"
      kdrops="$(sed -n "s|^Packets received/dropped on interface '[^']*': [0-9]*/\([0-9]*\).*|\1|p" "$dir/stderr")" ;;
  esac
  captured="$(count_packets "${files[@]}")"
  replayed="$(count_replayed "${files[@]}")"
  local exit_cpu floor_write_ns=0 floor_read_ns=0
  exit_cpu="$(awk '{ printf "%.2f", $1 + $2 }' "$dir/time" 2>/dev/null || echo "")"
  if [[ "$tool" == tcpdump && -s "${files[0]}" ]]; then
    # The floor of any capturer that writes this file, and of reading it back once.
    floor_write_ns="$(child_cpu_ns dd if=/dev/zero of="$dir/floor.bin" bs=1M \
                        count="$(( ($(stat -c %s "${files[0]}") + 1048575) / 1048576 ))")"
    floor_read_ns="$(child_cpu_ns dd if="${files[0]}" of=/dev/null bs=256K)"
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$size" "$rate" "$rep" "$tool" "$load" "${sent:-0}" "${pps:-0}" "$((backlog1 - backlog0))" \
    "${replayed:-0}" "$((${captured:-0} - ${replayed:-0}))" "${own:-}" "${kdrops:-}" "${udrops:-0}" \
    "$((cpu1 - cpu0))" "$((thr1 - thr0))" "${exit_cpu:-}" "${hwm:-0}" "${rss:-0}" "${ring:-0}" \
    "$floor_write_ns" "$floor_read_ns" >> "$RUNS_TSV"
  note "$(printf '  %5s B %7s pps rep %s %-8s load %-5s sent %-8s captured %-8s (other %s, own count %s) drops %s/%s  cpu %.2f s%s  hwm %s kB (ring %s kB)%s' \
    "$size" "$rate" "$rep" "$tool" "$load" "$sent" "$replayed" "$((captured - replayed))" "${own:-?}" "${kdrops:-?}" "$udrops" \
    "$(awk -v n=$((cpu1 - cpu0)) 'BEGIN { print n / 1e9 }')" \
    "$([[ $tool == tlsring ]] && awk -v n=$((thr1 - thr0)) 'BEGIN { printf " (cap+wr %.2f s)", n / 1e9 }')" \
    "$hwm" "$ring" "$([[ $tool == tlsring ]] && echo "  files $ROT_FILES")")"
  if [[ "$tool" == tlsring ]] && grep -qiE '\[(error|critical)\]' "$dir/stderr"; then
    note "  tlsring logged errors:"; grep -iE '\[(error|critical)\]' "$dir/stderr" | head -5 | sed 's/^/    /' >&2
  fi
  rm -rf "$dir"
}

# --- memory run --------------------------------------------------------------------------------

memory_run() {
  local dir="$RUN_DIR/memory" file t0 rss ring loops
  file="$(corpus_file 600 "$PACKETS")"
  ensure_corpus 600
  rm -rf "$dir"; mkdir -p "$dir"
  loops=$(( (MEM_SECONDS * MEM_RATE + PACKETS - 1) / PACKETS + 1 ))
  note "memory run: tlsring, rotation every 2s, $MEM_RATE pps of 600 B frames for $MEM_SECONDS s (load $(load1))"
  # A ring of a minute of files, as in production: a run of any length stays within the
  # work directory's memory (on a tmpfs) and deletes files the whole time.
  start_tool tlsring "$dir" 2s "" "$MEM_KEEP_FILES"
  printf 'second\trss_kb\tring_kb\n' > "$MEM_TSV"
  tcpreplay -i lo --pps "$MEM_RATE" -K --loop "$loops" --duration "$MEM_SECONDS" "$file" > "$dir/replay.out" 2>&1 &
  REPLAY_PID=$!
  t0=$SECONDS
  while kill -0 "$REPLAY_PID" 2>/dev/null; do
    read -r rss ring < <(rss_parts "$TOOL_PID")
    printf '%s\t%s\t%s\n' "$((SECONDS - t0))" "$rss" "$ring" >> "$MEM_TSV"
    sleep 1
  done
  wait "$REPLAY_PID" || true
  REPLAY_PID=""
  wait_idle tlsring
  MEM_HWM="$(vm_field "$TOOL_PID" VmHWM)"
  stop_tool
  MEM_SENT="$(sed -n 's/.*Actual: \([0-9]*\) packets.*/\1/p' "$dir/replay.out")"
  MEM_FILES="$(json_number "$dir/out/status.json" files_written)"
  MEM_PACKETS="$(json_number "$dir/out/status.json" packets)"
  MEM_DROPS="$(json_number "$dir/out/status.json" kernel_drops)/$(json_number "$dir/out/status.json" user_drops)"
  MEM_CONNECTIONS="$(cat "$dir"/out/runs/*/report.jsonl 2>/dev/null | wc -l)"
  rm -rf "$dir"
}

# --- main --------------------------------------------------------------------------------------

note "work directory: $WORK ($(stat -f -c %T "$WORK") file system); capture output is written there"
note "tools: $TLSRING; $(tcpdump --version 2>&1 | head -1); $(dumpcap --version 2>&1 | head -1 | cut -c1-40); $(tcpreplay --version 2>&1 | head -1)"
note "machine: $(nproc) CPUs; load average now: $(cut -d' ' -f1-3 /proc/loadavg); kernel buffer ${BUFFER_MIB} MiB per tool"
if ((MEM_ONLY)); then
  ((MEM_SECONDS > 0)) || die "--memory-only needs --memory-seconds above 0"
  SIZE_LIST=(); TOOLS=(tlsring)
fi
for s in "${SIZE_LIST[@]}"; do ensure_corpus "$s"; done

printf 'size\trate\trep\ttool\tload1\tsent\trated_pps\tbacklog_drops\tcaptured\tother\ttool_count\tkernel_drops\tuser_drops\tcpu_ns\tcapwr_cpu_ns\texit_cpu_s\tpeak_rss_kb\trss_kb\tring_kb\tfloor_write_ns\tfloor_read_ns\n' > "$RUNS_TSV"
for size in ${SIZE_LIST[@]+"${SIZE_LIST[@]}"}; do
  for rate in "${RATE_LIST[@]}"; do
    reps=$REPEAT
    ((size == KEY_SIZE && rate == KEY_RATE && KEY_REPEAT > reps)) && reps=$KEY_REPEAT
    for ((rep = 1; rep <= reps; rep++)); do
      n=${#TOOLS[@]}
      for ((k = 0; k < n; k++)); do
        run_one "${TOOLS[$(((rep - 1 + k) % n))]}" "$size" "$rate" "$rep"
      done
    done
  done
done

MEM_ARGS=()
if ((MEM_SECONDS > 0)) && [[ " ${TOOLS[*]} " == *" tlsring "* ]]; then
  memory_run
  MEM_ARGS=(--memory "$MEM_TSV" --memory-info "rate=$MEM_RATE seconds=$MEM_SECONDS sent=$MEM_SENT packets=$MEM_PACKETS drops=$MEM_DROPS files=$MEM_FILES connections=$MEM_CONNECTIONS hwm_kb=$MEM_HWM")
fi

python3 "$HERE/summarize.py" "$RUNS_TSV" --key "$KEY_SIZE:$KEY_RATE" --buffer-mib "$BUFFER_MIB" \
  ${MEM_ARGS[@]+"${MEM_ARGS[@]}"} | tee "$RESULTS"
note "every run: $RUNS_TSV; tables: $RESULTS"
