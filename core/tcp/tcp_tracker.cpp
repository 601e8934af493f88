#include "core/tcp/tcp_tracker.h"

#include <algorithm>
#include <vector>

#include "core/tcp/connection.h"
#include "core/tcp/connection_key.h"
#include "core/tcp/connection_table.h"
#include "core/tcp/lru_list.h"
#include "core/tcp/sequence.h"

namespace tlsring::tcp {
namespace {

bool has(const net::TcpSegment& segment, std::uint8_t flag) { return (segment.flags & flag) != 0; }

Connection& as_connection(LruHook& hook) { return static_cast<Connection&>(hook); }

}  // namespace

struct TcpTracker::Impl {
  Impl(ConnectionFactory& f, Options o) : factory(f), options(o) {}

  void add(const net::TcpSegment& segment, std::int64_t timestamp_ns, std::uint64_t hash);
  void finish(std::int64_t timestamp_ns);

  bool starts_new_connection(Connection& connection, const net::TcpSegment& segment) const;
  Connection& open(const ConnectionKey& key, std::uint64_t hash, const net::TcpSegment& segment,
                   std::int64_t timestamp_ns);
  void process(Connection& connection, const net::TcpSegment& segment, std::int64_t timestamp_ns);
  void expire_idle(std::int64_t timestamp_ns);
  void make_room(std::int64_t timestamp_ns);
  void touch(Connection& connection, std::int64_t timestamp_ns);
  void close(Connection& connection, CloseReason reason, std::int64_t timestamp_ns);
  void bury(Connection& connection);
  void retire(Connection& connection);
  LruList& list_of(const Connection& connection) { return connection.closed ? closed : active; }

  ConnectionFactory& factory;
  Options options;
  TrackerStats stats;
  ConnectionTable table;
  LruList active;  // open and ignored connections, most recently active first
  LruList closed;  // closed by FIN or RST, kept only to drop their late segments
  std::uint64_t next_id = 0;
  std::uint64_t current_packet = 0;  // of the segment being added
  std::size_t open_count = 0;  // connections with a handler
};

void TcpTracker::Impl::add(const net::TcpSegment& segment, std::int64_t timestamp_ns, std::uint64_t hash) {
  ++stats.segments;
  expire_idle(timestamp_ns);

  const ConnectionKey key = make_connection_key(segment.src, segment.dst);
  Connection* connection = table.find(key, hash);
  if (connection != nullptr && has(segment, net::kSyn) && starts_new_connection(*connection, segment)) {
    if (connection->handler) close(*connection, CloseReason::reused, timestamp_ns);
    retire(*connection);
    connection = nullptr;
  }
  if (connection == nullptr) {
    // A bare RST for a connection never seen has nothing to deliver: opening a
    // connection only to close it would be noise.
    if (has(segment, net::kRst) && segment.payload.empty()) return;
    connection = &open(key, hash, segment, timestamp_ns);
  }
  touch(*connection, timestamp_ns);
  if (!connection->closed) process(*connection, segment, timestamp_ns);
}

// A SYN/ACK belongs to the handshake under way, and a SYN repeating the known
// ISN is a retransmission. Any other SYN without ACK on a live connection means
// the client has started over (an established TCP never sends one), so the
// window test "far from the sequence space" is simply "not the known ISN":
// ISNs of a reused 4-tuple are often close to the old sequence space (RFC 6528
// clocks them), which a distance test would misread.
bool TcpTracker::Impl::starts_new_connection(Connection& connection, const net::TcpSegment& segment) const {
  if (connection.closed) return true;
  if (has(segment, net::kAck)) return false;
  const Direction& sender = connection.direction(connection.side_of(segment.src));
  return !(sender.isn_known && sender.isn == segment.seq);
}

Connection& TcpTracker::Impl::open(const ConnectionKey& key, std::uint64_t hash, const net::TcpSegment& segment,
                                   std::int64_t timestamp_ns) {
  make_room(timestamp_ns);
  auto created = std::make_unique<Connection>(options.max_buffered_bytes);
  created->key = key;
  created->hash = hash;
  Connection& connection = table.insert(std::move(created));

  ConnectionInfo& info = connection.info;
  info.id = next_id++;
  ++stats.connections;
  const bool syn_ack = has(segment, net::kSyn) && has(segment, net::kAck);
  // The SYN/ACK's receiver is the client, which sent the (uncaptured) SYN.
  info.endpoint[0] = syn_ack ? segment.dst : segment.src;
  info.endpoint[1] = syn_ack ? segment.src : segment.dst;
  info.syn_seen = has(segment, net::kSyn) && !has(segment, net::kAck);
  info.syn_ack_seen = syn_ack;
  info.first_seen_ns = timestamp_ns;
  info.first_packet = current_packet;

  connection.handler = factory.open(info);
  connection.ignored = connection.handler == nullptr;
  if (!connection.ignored) ++open_count;
  connection.last_seen_ns = timestamp_ns;
  active.push_front(connection);
  return connection;
}

void TcpTracker::Impl::process(Connection& connection, const net::TcpSegment& segment, std::int64_t timestamp_ns) {
  const Side side = connection.side_of(segment.src);
  Direction& sender = connection.direction(side);
  Direction& receiver = connection.direction(other(side));
  sender.segment_seen = true;
  const bool syn = has(segment, net::kSyn);

  // Sequence spaces are tracked even for ignored connections: a reused
  // 4-tuple is recognised by its ISN.
  if (syn) {
    if (!sender.started) sender.start_after_syn(segment.seq);
    if (has(segment, net::kAck)) {
      if (side == Side::second) connection.info.syn_ack_seen = true;
      // The SYN/ACK acknowledges the client's ISN + 1: the client's offset 0,
      // even when its SYN was not captured.
      if (!receiver.started) receiver.start_after_syn(segment.ack - 1);
    }
  }
  if (connection.ignored) return;

  const bool fin = has(segment, net::kFin);
  const std::uint32_t data_seq = segment.seq + (syn ? 1U : 0U);  // the SYN takes one sequence number
  // Without a SYN, the direction starts at its first byte (or FIN): a bare ACK
  // carries no byte, and a keep-alive's sequence number sits one before the next byte.
  if (!sender.started && (!segment.payload.empty() || fin)) sender.start_at(data_seq);
  if (sender.started) {
    const Delivery delivery{*connection.handler, side, stats, timestamp_ns};
    const std::int64_t offset = unwrap_sequence(data_seq, sender.base, sender.stream.next_offset());
    if (segment.payload_truncated) connection.handler->on_segment_cut_short(side);
    // A payload cut by the snap length hides where the FIN sits.
    if (fin && !segment.payload_truncated) {
      sender.stream.set_fin(offset + static_cast<std::int64_t>(segment.payload.size()), delivery);
    }
    sender.stream.add(offset, segment.payload, delivery);
    if (!segment.payload.empty() && !sender.stream.skipping() && !connection.handler->wants_bytes(side)) {
      sender.stream.skip_bytes(delivery);
    }
  }
  if (has(segment, net::kAck) && receiver.started) {
    const Delivery delivery{*connection.handler, other(side), stats, timestamp_ns};
    receiver.stream.acknowledge(unwrap_sequence(segment.ack, receiver.base, receiver.stream.next_offset()), delivery);
  }

  if (has(segment, net::kRst)) {
    close(connection, CloseReason::rst, timestamp_ns);
    bury(connection);
  } else if (connection.directions[0].stream.fin_delivered() && connection.directions[1].stream.fin_delivered()) {
    close(connection, CloseReason::fin, timestamp_ns);
    bury(connection);
  }
}

// Connections are ordered by recency, so only the back of each list can be
// idle: O(1) per segment unless something expires. "No segment for
// idle_timeout_ns" includes a segment exactly that long after the last one.
void TcpTracker::Impl::expire_idle(std::int64_t timestamp_ns) {
  const auto idle = [&](const Connection& c) { return timestamp_ns - c.last_seen_ns >= options.idle_timeout_ns; };
  while (!active.empty() && idle(as_connection(*active.back()))) {
    Connection& connection = as_connection(*active.back());
    if (connection.handler) close(connection, CloseReason::idle_timeout, timestamp_ns);
    retire(connection);
  }
  const auto lingered = [&](const Connection& c) { return timestamp_ns - c.last_seen_ns >= options.closed_linger_ns; };
  while (!closed.empty() && lingered(as_connection(*closed.back()))) retire(as_connection(*closed.back()));
}

// Closed connections go first: they only guard against late segments.
void TcpTracker::Impl::make_room(std::int64_t timestamp_ns) {
  const std::size_t limit = std::max<std::size_t>(options.max_connections, 1);
  while (table.size() >= limit) {
    if (!closed.empty()) {
      retire(as_connection(*closed.back()));
      continue;
    }
    Connection& connection = as_connection(*active.back());
    if (connection.handler) {
      close(connection, CloseReason::evicted, timestamp_ns);
      ++stats.evicted_connections;
    }
    retire(connection);
  }
}

void TcpTracker::Impl::touch(Connection& connection, std::int64_t timestamp_ns) {
  list_of(connection).move_to_front(connection);
  // Files of one capture may overlap in time a little; recency never goes back.
  connection.last_seen_ns = std::max(connection.last_seen_ns, timestamp_ns);
}

void TcpTracker::Impl::close(Connection& connection, CloseReason reason, std::int64_t timestamp_ns) {
  for (Side side : {Side::first, Side::second}) {
    connection.direction(side).stream.flush(Delivery{*connection.handler, side, stats, timestamp_ns});
    if (!connection.direction(side).segment_seen) connection.handler->on_direction_not_captured(side);
  }
  connection.handler->on_close(reason, timestamp_ns);
  connection.handler.reset();
  --open_count;
}

void TcpTracker::Impl::bury(Connection& connection) {
  active.remove(connection);
  connection.closed = true;
  closed.push_front(connection);
}

void TcpTracker::Impl::retire(Connection& connection) {
  list_of(connection).remove(connection);
  table.erase(connection);
}

void TcpTracker::Impl::finish(std::int64_t timestamp_ns) {
  std::vector<Connection*> open_connections;
  table.for_each([&](Connection& connection) {
    if (connection.handler) open_connections.push_back(&connection);
  });
  std::sort(open_connections.begin(), open_connections.end(),
            [](const Connection* a, const Connection* b) { return a->info.id < b->info.id; });
  for (Connection* connection : open_connections) {
    // A half-closed connection at the end of the capture closed normally (see CloseReason::fin).
    const bool any_fin =
        connection->directions[0].stream.fin_seen() || connection->directions[1].stream.fin_seen();
    close(*connection, any_fin ? CloseReason::fin : CloseReason::end_of_capture, timestamp_ns);
  }
  active.clear();
  closed.clear();
  table.clear();
}

TcpTracker::TcpTracker(ConnectionFactory& factory, Options options)
    : impl_(std::make_unique<Impl>(factory, options)) {}
TcpTracker::TcpTracker(ConnectionFactory& factory) : TcpTracker(factory, Options{}) {}
TcpTracker::~TcpTracker() = default;

void TcpTracker::add(const net::TcpSegment& segment, std::int64_t timestamp_ns, std::uint64_t packet_number) {
  add(segment, timestamp_ns, packet_number, ConnectionKeyHash{}(make_connection_key(segment.src, segment.dst)));
}
void TcpTracker::add(const net::TcpSegment& segment, std::int64_t timestamp_ns, std::uint64_t packet_number,
                     std::uint64_t key_hash) {
  impl_->current_packet = packet_number;
  impl_->add(segment, timestamp_ns, key_hash);
}
void TcpTracker::finish(std::int64_t timestamp_ns) { impl_->finish(timestamp_ns); }
const TrackerStats& TcpTracker::stats() const { return impl_->stats; }
std::size_t TcpTracker::open_connections() const { return impl_->open_count; }

}  // namespace tlsring::tcp
