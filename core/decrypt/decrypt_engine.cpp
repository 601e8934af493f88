#include "core/decrypt/decrypt_engine.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <string_view>
#include <thread>
#include <utility>

#include "core/capture/capture_reader.h"
#include "core/capture/timestamp.h"
#include "core/crypto/key_schedule.h"
#include "core/decrypt/tls_connection.h"
#include "core/net/packet_decoder.h"
#include "core/saturating.h"
#include "core/tcp/connection_key.h"

namespace tlsring::decrypt {
namespace {

// A batch is handed to the workers when it holds this many packets or bytes.
// Small, so that a batch's bytes are still in the cache when a worker reads
// them and few of the reader's buffers are held for the batches in flight:
// with 2 MiB, decrypting the bench's corpora took 7-10% more CPU
// (tests/bench/decrypt_bench.sh).
constexpr std::size_t kBatchPackets = 8192;
constexpr std::size_t kBatchBytes = 256u << 10;
// The first batch is this much smaller (and each next one twice as large, up
// to the above): the workers wait for the first batch, doing nothing.
constexpr std::size_t kFirstBatchDivisor = 16;

// The hash of a segment's connection: the same for both directions (the key
// is canonical), so that both land in one shard.
std::uint64_t connection_hash(const net::TcpSegment& s) {
  return tcp::ConnectionKeyHash{}(tcp::make_connection_key(s.src, s.dst));
}

// The calling thread's share of the connections, next to a worker's: the
// rest of its time goes into reading and decoding the packets.
constexpr double kOwnShareOfAWorkersShare = 0.8;
// Connections are spread over the shards in 1/kShareBuckets parts.
constexpr std::uint32_t kShareBuckets = 1024;
std::uint32_t share_bucket(std::uint64_t connection_hash) {
  return static_cast<std::uint32_t>((connection_hash >> 17) % kShareBuckets);
}

}  // namespace

// One shard's connections: a TCP tracker whose handlers are TlsConnections.
class DecryptEngine::Shard final : private tcp::ConnectionFactory {
 public:
  // `listed`, if given, counts the connections this shard lists as waiting
  // (from the shard's thread), so that another thread sees that some are.
  Shard(KeyStore& keys, SessionSink& sink, const EngineOptions& options, bool parallel,
        std::atomic<std::size_t>* listed = nullptr)
      : keys_(keys), sink_(sink), parallel_(parallel), listed_(listed), known_losses_(options.known_losses),
        tracker_(static_cast<tcp::ConnectionFactory&>(*this), options.tcp) {}

  void add(const net::TcpSegment& segment, std::int64_t timestamp_ns, std::uint64_t packet_number,
           std::uint64_t connection_hash) {
    clock_.packet = packet_number;
    tracker_.add(segment, timestamp_ns, packet_number, connection_hash);
  }
  void finish(std::int64_t timestamp_ns) {
    clock_.ended = true;
    tracker_.finish(timestamp_ns);
  }

  // Moves the connections that wait for a resumed session, and whose lookup
  // every shard has read past (waiting_since() <= `read_by_all`), to `out`.
  void take_settleable(CaptureOrder read_by_all, std::vector<std::shared_ptr<TlsConnection>>& out) {
    std::erase_if(waiting_, [&](std::shared_ptr<TlsConnection>& connection) {
      if (connection->waiting_since() > read_by_all) return false;
      out.push_back(std::move(connection));
      return true;
    });
  }

 private:
  // Forwards to a shared TlsConnection, which outlives its TCP connection when deferred.
  class Handle final : public tcp::ConnectionHandler {
   public:
    Handle(std::shared_ptr<TlsConnection> connection, Shard& shard)
        : connection_(std::move(connection)), shard_(shard) {}
    void on_data(tcp::Side from, std::span<const std::uint8_t> data, std::uint64_t offset,
                 std::int64_t ts) override {
      const bool was_waiting = connection_->awaiting_session();
      connection_->on_data(from, data, offset, ts);
      list_if_waiting(was_waiting);
    }
    void on_gap(tcp::Side from, std::uint64_t offset, std::uint64_t length, std::int64_t ts) override {
      const bool was_waiting = connection_->awaiting_session();
      connection_->on_gap(from, offset, length, ts);
      list_if_waiting(was_waiting);
    }
    void on_fin(tcp::Side from, std::int64_t ts) override { connection_->on_fin(from, ts); }
    bool wants_bytes(tcp::Side from) const override { return connection_->wants_bytes(from); }
    void on_bytes_skipped(tcp::Side from, std::uint64_t bytes, std::int64_t last_ns) override {
      connection_->on_bytes_skipped(from, bytes, last_ns);
    }
    void on_segment_cut_short(tcp::Side from) override { connection_->on_segment_cut_short(from); }
    void on_direction_not_captured(tcp::Side from) override { connection_->on_direction_not_captured(from); }
    // Still waiting, the connection reports its end once settled; the
    // shard's list keeps it until then.
    void on_close(tcp::CloseReason reason, std::int64_t ts) override { connection_->on_close(reason, ts); }

   private:
    // Listed when it starts waiting. It may stop waiting by itself (the other
    // shard got past its place) and wait again before it is settled: listed
    // twice then, which settling takes in its stride.
    void list_if_waiting(bool was_waiting) {
      if (was_waiting || !connection_->awaiting_session()) return;
      shard_.waiting_.push_back(connection_);
      if (shard_.listed_ != nullptr) shard_.listed_->fetch_add(1, std::memory_order_release);
    }

    std::shared_ptr<TlsConnection> connection_;
    Shard& shard_;
  };

  std::unique_ptr<tcp::ConnectionHandler> open(const tcp::ConnectionInfo& info) override {
    if (!parallel_) return std::make_unique<TlsConnection>(info, keys_, sink_, false, &clock_, known_losses_);
    return std::make_unique<Handle>(
        std::make_shared<TlsConnection>(info, keys_, sink_, true, &clock_, known_losses_), *this);
  }

  KeyStore& keys_;
  SessionSink& sink_;
  const bool parallel_;
  std::atomic<std::size_t>* listed_;
  const CaptureLosses* known_losses_;
  CaptureClock clock_;
  tcp::TcpTracker tracker_;
  std::vector<std::shared_ptr<TlsConnection>> waiting_;  // oldest first
};

// The calling thread's Shard and the worker threads' Shards. The calling
// thread reads and decodes; its own connections it decrypts right away, the
// others' it hands over in rounds, a batch per worker each. On two cores that
// is one thread less than a reader beside two workers, and the bytes it
// decrypts itself are still in its cache from being read. A few rounds may be
// in flight, so that neither side waits for the other at every round.
class DecryptEngine::Pool {
 public:
  Pool(KeyStore& keys, SessionSink& sink, const EngineOptions& options) {
    const unsigned shards = options.workers;
    own_ = std::make_unique<Shard>(keys, sink, options, true);
    own_buckets_ = static_cast<std::uint32_t>(kShareBuckets * kOwnShareOfAWorkersShare / shards);
    // A round's packets spread over the shards by connection: room for twice
    // a worker's share, so that the entries are not moved as a batch fills
    // (only the pages used are touched).
    const std::size_t entries = std::min(kBatchPackets, 2 * kBatchPackets / shards);
    for (unsigned i = 1; i < shards; ++i) {
      workers_.push_back(std::make_unique<Worker>());
      workers_.back()->shard = std::make_unique<Shard>(keys, sink, options, true, &workers_listed_);
      for (Batch& batch : workers_.back()->batches) batch.entries.reserve(entries);
    }
    for (std::size_t i = 0; i < workers_.size(); ++i) threads_.emplace_back([this, i] { run(i); });
  }

  ~Pool() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
  }

  // `copy_payload`: the segment's payload view expires when the call returns,
  // so a worker's batch keeps a copy; otherwise the view stays valid until the
  // batch was processed (the reader holds its views, see processed_before())
  // and is handed on as it is. `offset_after`: the reader's offset after the
  // packet. Returns true when it handed a round over.
  bool add(const net::TcpSegment& segment, std::int64_t timestamp_ns, std::uint64_t packet_number,
           bool copy_payload, std::uint64_t offset_after) {
    const std::uint64_t hash = connection_hash(segment);  // the shard's tracker looks it up by the same
    last_packet_ = packet_number;
    last_offset_ = offset_after;
    const std::uint32_t bucket = share_bucket(hash);
    if (bucket < own_buckets_) {
      own_->add(segment, timestamp_ns, packet_number, hash);
    } else {
      Batch& batch = filling(*workers_[bucket % workers_.size()]);
      Batch::Entry entry{segment, timestamp_ns, packet_number, hash, Batch::kInPlace};
      if (copy_payload) {
        entry.payload_offset = batch.payload.size();
        batch.payload.insert(batch.payload.end(), segment.payload.begin(), segment.payload.end());
      }
      batch.entries.push_back(entry);
    }
    ++round_packets_;
    round_bytes_ += segment.payload.size();
    if (round_packets_ >= kBatchPackets / batch_divisor_ || round_bytes_ >= kBatchBytes / batch_divisor_) {
      submit(false, timestamp_ns);
      return true;
    }
    return false;
  }

  // The reader's offset before which no packet handed over is still held.
  std::uint64_t processed_before() const { return processed_before_; }

  // Hands the filled round over; `finish` also closes every connection after
  // it, and returns when all is done.
  void submit(bool finish, std::int64_t timestamp_ns) {
    {
      std::lock_guard lock(mutex_);
      const std::size_t slot = handed_ % kRoundsInFlight;
      rounds_[slot] = Round{last_packet_, last_offset_, finish, timestamp_ns};
      ++handed_;
    }
    wake_.notify_all();
    round_packets_ = 0;
    round_bytes_ = 0;
    batch_divisor_ = std::max<std::size_t>(batch_divisor_ / 2, 1);
    if (finish) {
      own_->finish(timestamp_ns);
      wait_until_processed(handed_);
      settle_waiting(CaptureOrder::end());
      return;
    }
    // The next round's slot must be free before it is filled.
    wait_until_processed(handed_ + 1 > kRoundsInFlight ? handed_ + 1 - kRoundsInFlight : 0);
    if (workers_listed_.load(std::memory_order_acquire) > 0) {
      // A worker's connection waits: settling it needs the workers idle.
      settle_all_waiting();
    } else {
      settle_own_waiting();
    }
  }

  // Hands over what is filled, waits until every worker is idle and settles
  // every waiting connection that can be.
  void drain(std::int64_t timestamp_ns) {
    if (round_packets_ > 0) submit(false, timestamp_ns);
    settle_all_waiting();
  }

 private:
  // Rounds handed over and not yet processed by every worker, at most. The
  // slack between reader and workers: a round of short connections holds a
  // few handshakes, whose RSA operations fall to one thread or the other by
  // chance. With 3 rounds the two threads waited about 100 ms for each other
  // in a 0.5 s run of the bench's chatty corpus; with 8 the run took 3.5%
  // less time (median of 25) for 2.6 MB more peak memory.
  static constexpr std::uint64_t kRoundsInFlight = 8;

  struct Batch {
    static constexpr std::size_t kInPlace = SIZE_MAX;
    struct Entry {
      net::TcpSegment segment;      // payload re-pointed into `payload` when processed
      std::int64_t timestamp_ns;
      std::uint64_t packet_number;
      std::uint64_t connection_hash;
      std::size_t payload_offset;   // kInPlace: the segment's own view is still valid
    };
    std::vector<Entry> entries;
    std::vector<std::uint8_t> payload;
    void clear() {
      entries.clear();
      payload.clear();
    }
  };
  // What every worker's batch of a round shares.
  struct Round {
    std::uint64_t last_packet = 0;
    std::uint64_t end_offset = 0;  // the reader's offset after its last packet
    bool finish = false;           // the capture ends with it
    std::int64_t timestamp_ns = 0;
  };
  struct Worker {
    std::unique_ptr<Shard> shard;
    std::array<Batch, kRoundsInFlight> batches;  // by round, in turn
    std::uint64_t processed = 0;                 // rounds done; guarded by mutex_
  };

  Batch& filling(Worker& w) { return w.batches[handed_ % kRoundsInFlight]; }

  void run(std::size_t index) {
    Worker& w = *workers_[index];
    for (;;) {
      Round round;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return stop_ || w.processed < handed_; });
        if (stop_) {
          crypto::release_thread_key_schedule_contexts();
          return;
        }
        round = rounds_[w.processed % kRoundsInFlight];
      }
      Batch& batch = w.batches[w.processed % kRoundsInFlight];
      for (Batch::Entry& e : batch.entries) {
        if (e.payload_offset != Batch::kInPlace) {
          e.segment.payload = std::span(batch.payload).subspan(e.payload_offset, e.segment.payload.size());
        }
        w.shard->add(e.segment, e.timestamp_ns, e.packet_number, e.connection_hash);
      }
      batch.clear();
      if (round.finish) w.shard->finish(round.timestamp_ns);
      bool wanted;
      {
        std::lock_guard lock(mutex_);
        ++w.processed;
        wanted = waited_for_ != 0 && w.processed >= waited_for_;
      }
      if (wanted) done_.notify_one();
    }
  }

  // Waits until every worker has processed `rounds` rounds; then the reader's
  // buffers before the next one are no longer held.
  void wait_until_processed(std::uint64_t rounds) {
    std::unique_lock lock(mutex_);
    const auto all_done = [&] {
      return std::all_of(workers_.begin(), workers_.end(), [&](const auto& w) { return w->processed >= rounds; });
    };
    if (!all_done()) {
      waited_for_ = rounds;
      done_.wait(lock, all_done);
      waited_for_ = 0;
    }
    std::uint64_t processed = handed_;
    for (const auto& w : workers_) processed = std::min(processed, w->processed);
    if (processed > 0) processed_before_ = rounds_[(processed - 1) % kRoundsInFlight].end_offset;
    processed_through_ = processed > 0 ? rounds_[(processed - 1) % kRoundsInFlight].last_packet : 0;
  }

  // With the workers idle: every shard has read through `read_by_all`. The
  // connections waiting since then are settled in the order of the places they
  // looked their session up at, so that a session one of them learns on replay
  // (a ticket issued in a resumed connection) is there for the later ones, as
  // with one thread.
  void settle_waiting(CaptureOrder read_by_all) {
    std::vector<std::shared_ptr<TlsConnection>> waiting;
    own_->take_settleable(read_by_all, waiting);
    for (auto& w : workers_) w->shard->take_settleable(read_by_all, waiting);
    workers_listed_.store(0, std::memory_order_relaxed);  // every one listed was waiting since before
    settle(waiting);
  }

  // With every packet added handed over: once the workers have processed them
  // all, every waiting connection is settled.
  void settle_all_waiting() {
    wait_until_processed(handed_);
    settle_waiting(CaptureOrder{last_packet_, 0});
  }

  // With no worker's connection waiting, the calling thread's own connections
  // that wait since a place every worker has read past are settled while the
  // workers go on: nothing a worker holds is touched.
  void settle_own_waiting() {
    std::vector<std::shared_ptr<TlsConnection>> waiting;
    own_->take_settleable(CaptureOrder{processed_through_, 0}, waiting);
    settle(waiting);
  }

  static void settle(std::vector<std::shared_ptr<TlsConnection>>& waiting) {
    if (waiting.empty()) return;
    std::sort(waiting.begin(), waiting.end(), [](const auto& a, const auto& b) {
      return std::pair(a->waiting_since(), a->report().connection_id) <
             std::pair(b->waiting_since(), b->report().connection_id);
    });
    for (auto& connection : waiting) connection->settle_resumption();
  }

  std::unique_ptr<Shard> own_;                // decrypted by the calling thread
  std::uint32_t own_buckets_ = 0;             // own_'s share of the connections, in kShareBuckets
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
  std::atomic<std::size_t> workers_listed_{0};  // connections the workers' shards listed as waiting
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  // Guarded by mutex_:
  std::array<Round, kRoundsInFlight> rounds_{};
  std::uint64_t handed_ = 0;       // rounds handed over
  std::uint64_t waited_for_ = 0;   // the calling thread waits for this many rounds processed
  bool stop_ = false;
  // The calling thread's:
  std::uint64_t last_packet_ = 0;        // the last packet added
  std::uint64_t last_offset_ = 0;        // the reader's offset after it
  std::uint64_t processed_through_ = 0;  // the last packet of the rounds every worker processed
  std::uint64_t processed_before_ = 0;   // see processed_before()
  std::size_t round_packets_ = 0;
  std::size_t round_bytes_ = 0;
  std::size_t batch_divisor_ = kFirstBatchDivisor;  // of the batch size limits
};

DecryptEngine::DecryptEngine(KeyStore& keys, SessionSink& sink, EngineOptions options)
    : keys_(keys),
      sink_(sink),
      caller_losses_(options.known_losses),
      read_method_(options.read_method) {
  keys_.start_capture();
  options.known_losses = &losses_;
  if (options.workers <= 1) {
    inline_shard_ = std::make_unique<Shard>(keys, sink, options, false);
  } else {
    pool_ = std::make_unique<Pool>(keys, sink, options);
  }
}

DecryptEngine::~DecryptEngine() {
  pool_.reset();  // its workers release their own
  // The calling thread's, from the inline shard or from files' keys.
  crypto::release_thread_key_schedule_contexts();
}

// A packet whose file records a drop count (pcapng epb_dropcount): the packets
// lost fell between the packet before it and this one. The first
// kRecordedLossesTold places are known losses each; the rest are one, from the
// first of them to the end, so that a file that records a drop at every packet
// grows neither memory nor the search of every gap without bound.
void DecryptEngine::add_recorded_loss(std::uint64_t dropped, std::int64_t timestamp_ns) {
  if (recorded_losses_ > kRecordedLossesTold) return;
  const bool and_later = recorded_losses_++ == kRecordedLossesTold;
  KnownCaptureLoss loss;
  loss.from_ns = packet_number_ > 1 ? std::min(last_timestamp_ns_, timestamp_ns) : timestamp_ns;
  loss.to_ns = and_later ? std::numeric_limits<std::int64_t>::max() : timestamp_ns;
  loss.what = and_later ? "the capture files record that the capturing side lost packets at more than " +
                              std::to_string(kRecordedLossesTold) + " places, there and later (pcapng drop counts)"
                        : "the capture file records that the capturing side lost " + std::to_string(dropped) +
                              " packet(s) there (pcapng drop count)";
  loss.fix = "give the capture a writable disk with space free (a tlsring run says why in its summary.txt) and a "
             "large enough capture buffer";
  losses_.add(std::move(loss));
}

// The drops that a file's closing statistics count, summed over its
// interfaces, become one known loss over the time they cover: from when the
// counters started (isb_starttime, else the file's first packet) or from the
// previous file's count of the same capture, which they then count on from,
// to when they were read. When a count's time is not known, the file's drops
// are only told: no gap is put down to them.
void DecryptEngine::add_statistics_loss(const std::vector<capture::InterfaceStatistics>& statistics,
                                        std::int64_t first_packet_ns, FileSummary& summary) {
  std::uint64_t dropped = 0;
  bool placed = true;
  std::int64_t from_ns = std::numeric_limits<std::int64_t>::max();
  std::int64_t to_ns = std::numeric_limits<std::int64_t>::min();
  for (const capture::InterfaceStatistics& counted : statistics) {
    if (!counted.dropped) continue;
    std::uint64_t added = *counted.dropped;
    std::int64_t since = counted.start_ns.value_or(first_packet_ns);
    const auto earlier = counted_drops_.find(counted.interface_id);
    if (earlier != counted_drops_.end() && earlier->second.start_ns && earlier->second.start_ns == counted.start_ns &&
        earlier->second.dropped <= added) {
      added -= earlier->second.dropped;
      since = earlier->second.timestamp_ns;
    }
    if (counted.timestamp_ns) {
      counted_drops_[counted.interface_id] = CountedDrops{counted.start_ns, *counted.dropped, *counted.timestamp_ns};
    }
    if (added == 0) continue;
    dropped = saturating_add(dropped, added);
    if (!counted.timestamp_ns) {
      placed = false;
      continue;
    }
    from_ns = std::min({from_ns, since, *counted.timestamp_ns});
    to_ns = std::max({to_ns, since, *counted.timestamp_ns});
  }
  if (dropped == 0) return;
  summary.dropped_by_capture = dropped;
  std::string what = "the capture dropped " + std::to_string(dropped) + " packet(s)";
  if (!placed) {
    summary.warnings.push_back(summary.path.string() + ": " + what +
                               ", by the interface statistics at the file's end (their times do not fit the "
                               "file's packets, so no gap is put down to them)");
    return;
  }
  what += " between " + capture::utc_second_text(from_ns) + " and " + capture::utc_second_text(to_ns);
  losses_.add(KnownCaptureLoss{
      from_ns, to_ns,
      "capture file " + summary.path.filename().string() + " records that " + what + " (its interface statistics)",
      "capture with a larger capture buffer (dumpcap -B, tcpdump -B, or tlsring's capture.buffer_size) and a "
      "filter limited to the server's port, so that the capture keeps up"});
  summary.warnings.push_back(summary.path.string() + ": " + what +
                             ", by the interface statistics at the file's end; a connection with a gap in that "
                             "time may have lost its bytes there");
}

Result<FileSummary> DecryptEngine::add_file(const std::filesystem::path& path) {
  auto opened = capture::CaptureReader::open(path, read_method_);
  if (!opened.ok()) return opened.error();
  if (caller_losses_ != nullptr) {
    for (; caller_losses_copied_ < caller_losses_->size(); ++caller_losses_copied_) {
      losses_.add(caller_losses_->at(caller_losses_copied_));
    }
  }
  capture::CaptureReader& reader = *opened.value();
  // The workers get views into the reader's buffers, not copies; the buffers
  // behind the last batch handed over are given back.
  const bool in_place = pool_ && reader.hold_views();
  FileSummary summary;
  summary.path = path;
  std::uint64_t unknown_link_packets = 0;
  std::uint64_t cut_short_segments = 0;
  net::TcpSegment segment;
  for (;;) {
    capture::CaptureEvent event = reader.next();
    if (event.kind == capture::CaptureEvent::Kind::end) break;
    if (event.kind == capture::CaptureEvent::Kind::truncated) {
      summary.truncated = true;
      summary.warnings.push_back(event.warning);
      break;
    }
    if (event.kind == capture::CaptureEvent::Kind::secrets) {
      ++summary.secrets_blocks;
      if (event.secrets_type != capture::kSecretsTypeTlsKeyLog) continue;
      const std::string source = path.string() + " (decryption secrets block " +
                                 std::to_string(summary.secrets_blocks) + ")";
      std::string_view text(reinterpret_cast<const char*>(event.secrets.data()), event.secrets.size());
      // The packets before the block are decrypted without its secrets, those
      // after it with them, as with one thread (rare: a block per file or so).
      if (pool_) pool_->drain(last_timestamp_ns_);
      if (auto added = keys_.add_key_log_text(text, source); !added.ok()) {
        summary.warnings.push_back(added.error().message);
      }
      continue;
    }
    const capture::CapturePacket& packet = event.packet;
    if (summary.packets++ == 0) {
      summary.first_timestamp_ns = packet.timestamp_ns;
      // Before the first packet reaches a connection, as the drop counts below.
      if (losses_from_file_statistics_) add_statistics_loss(reader.statistics_at_end(), packet.timestamp_ns, summary);
    }
    ++packet_number_;
    // Added before the packet reaches a connection: every gap that can
    // overlap it is found at this packet or later.
    if (packet.dropped_before > 0) add_recorded_loss(packet.dropped_before, packet.timestamp_ns);
    last_timestamp_ns_ = packet.timestamp_ns;
    switch (net::decode_tcp(packet.link_type, packet.data, segment)) {
      case net::DecodeStatus::tcp:
        ++summary.tcp_segments;
        if (segment.payload_truncated) ++cut_short_segments;
        if (pool_) {
          if (pool_->add(segment, packet.timestamp_ns, packet_number_, !in_place, reader.offset())) {
            reader.release_before(pool_->processed_before());
          }
        } else {
          inline_shard_->add(segment, packet.timestamp_ns, packet_number_, connection_hash(segment));
        }
        break;
      case net::DecodeStatus::not_tcp:
        ++summary.other_packets;
        break;
      case net::DecodeStatus::unsupported_link:
        ++unknown_link_packets;
        ++summary.undecodable_packets;
        break;
      case net::DecodeStatus::ip_fragment:
      case net::DecodeStatus::malformed:
        ++summary.undecodable_packets;
        break;
    }
  }
  if (summary.packets > 0) summary.last_timestamp_ns = last_timestamp_ns_;
  // The batches still hold views into the reader's buffers, which go on return.
  if (in_place) pool_->drain(last_timestamp_ns_);
  if (cut_short_segments > 0) {
    summary.warnings.push_back(path.string() + ": " + std::to_string(cut_short_segments) +
                               " TCP packet(s) were cut short by the capture's snap length: the TLS records in them "
                               "cannot be read; " + std::string(kFixSnapLength));
  }
  if (unknown_link_packets > 0) {
    summary.warnings.push_back(path.string() + ": " + std::to_string(unknown_link_packets) +
                               " packet(s) of an unsupported link type were skipped");
  }
  return summary;
}

void DecryptEngine::drain() {
  if (pool_ && !finished_) pool_->drain(last_timestamp_ns_);
}

void DecryptEngine::finish() {
  if (finished_) return;
  finished_ = true;
  if (pool_) {
    pool_->submit(true, last_timestamp_ns_);
  } else {
    inline_shard_->finish(last_timestamp_ns_);
  }
}

}  // namespace tlsring::decrypt
