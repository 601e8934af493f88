// Test helpers for the TCP tracker: a factory whose handlers record every event
// (the records outlive the handlers), segment building by hand, and a summary
// of one direction's events as a "shape" string such as "D0-100 G100-200 F",
// whose data bytes are checked against the bytes the test built.
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/net/packet_decoder.h"
#include "core/tcp/tcp_tracker.h"

namespace tcp_test {

using tlsring::net::Endpoint;
using tlsring::net::TcpSegment;
using tlsring::tcp::CloseReason;
using tlsring::tcp::ConnectionHandler;
using tlsring::tcp::ConnectionInfo;
using tlsring::tcp::Side;
using tlsring::tcp::TcpTracker;

struct Event {
  enum class Kind { data, gap, fin, close };
  Kind kind = Kind::data;
  Side side = Side::first;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::vector<std::uint8_t> bytes;
  CloseReason reason = CloseReason::fin;
  std::int64_t timestamp_ns = 0;
};

struct Recording {
  ConnectionInfo info;
  std::vector<Event> events;
  bool closed = false;
  bool destroyed = false;
};

class RecordingFactory;

class RecordingHandler : public ConnectionHandler {
 public:
  RecordingHandler(std::shared_ptr<Recording> recording, RecordingFactory& factory)
      : recording_(std::move(recording)), factory_(factory) {}
  ~RecordingHandler() override { recording_->destroyed = true; }

  void on_data(Side from, std::span<const std::uint8_t> data, std::uint64_t offset, std::int64_t ts) override;
  void on_gap(Side from, std::uint64_t offset, std::uint64_t length, std::int64_t ts) override {
    CHECK_FALSE(recording_->closed);
    CHECK(length > 0);
    recording_->events.push_back(Event{Event::Kind::gap, from, offset, length, {}, CloseReason::fin, ts});
  }
  void on_fin(Side from, std::int64_t ts) override {
    CHECK_FALSE(recording_->closed);
    recording_->events.push_back(Event{Event::Kind::fin, from, 0, 0, {}, CloseReason::fin, ts});
  }
  void on_close(CloseReason reason, std::int64_t ts) override;

 private:
  std::shared_ptr<Recording> recording_;
  RecordingFactory& factory_;
};

class RecordingFactory : public tlsring::tcp::ConnectionFactory {
 public:
  std::unique_ptr<ConnectionHandler> open(const ConnectionInfo& info) override {
    ++open_calls;
    auto recording = std::make_shared<Recording>();
    recording->info = info;
    all.push_back(recording);
    if (accept && !accept(info)) return nullptr;
    connections.push_back(recording);
    return std::make_unique<RecordingHandler>(recording, *this);
  }

  // Every connection handed a handler, in order of open().
  std::vector<std::shared_ptr<Recording>> connections;
  // Every connection open() was called for, accepted or not.
  std::vector<std::shared_ptr<Recording>> all;
  std::function<bool(const ConnectionInfo&)> accept;  // empty: accept all
  int open_calls = 0;
  // When set, on_data() samples stats().buffered_bytes: the bound must hold
  // even while a handler runs.
  const TcpTracker* tracker = nullptr;
  std::uint64_t max_buffered_seen = 0;
  std::vector<std::uint64_t> close_order;  // connection ids, in order of on_close()
};

inline void RecordingHandler::on_close(CloseReason reason, std::int64_t ts) {
  CHECK_FALSE(recording_->closed);
  recording_->closed = true;
  factory_.close_order.push_back(recording_->info.id);
  recording_->events.push_back(Event{Event::Kind::close, Side::first, 0, 0, {}, reason, ts});
}

inline void RecordingHandler::on_data(Side from, std::span<const std::uint8_t> data, std::uint64_t offset,
                                      std::int64_t ts) {
  CHECK_FALSE(recording_->closed);
  CHECK_FALSE(data.empty());
  if (factory_.tracker != nullptr) {
    factory_.max_buffered_seen = std::max(factory_.max_buffered_seen, factory_.tracker->stats().buffered_bytes);
  }
  recording_->events.push_back(
      Event{Event::Kind::data, from, offset, data.size(), {data.begin(), data.end()}, CloseReason::fin, ts});
}

inline Endpoint endpoint(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d, std::uint16_t port) {
  Endpoint e;
  e.ip.version = 4;
  e.ip.bytes = {a, b, c, d};
  e.port = port;
  return e;
}

inline TcpSegment segment(const Endpoint& src, const Endpoint& dst, std::uint32_t seq, std::uint32_t ack,
                          std::uint8_t flags, std::span<const std::uint8_t> payload = {}) {
  TcpSegment s;
  s.src = src;
  s.dst = dst;
  s.seq = seq;
  s.ack = ack;
  s.flags = flags;
  s.window = 65535;
  s.payload = payload;
  return s;
}

// `length` pseudo-random bytes (fixed seed), so a byte delivered at the wrong
// offset does not match by accident.
inline std::vector<std::uint8_t> random_bytes(std::size_t length, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::uint8_t> bytes(length);
  for (auto& b : bytes) b = static_cast<std::uint8_t>(rng() & 0xff);
  return bytes;
}

// One direction's events, adjacent data merged: "D0-100 G100-200 D200-300 F".
// Checks that events tile the stream (each starts where the previous ended),
// that nothing follows the FIN, and that every delivered byte equals
// original[shift + offset] (shift: the original offset of the tracker's offset 0).
inline std::string shape(const Recording& recording, Side side, const std::vector<std::uint8_t>& original,
                         std::uint64_t shift = 0) {
  std::string out;
  std::uint64_t position = 0;
  std::uint64_t data_begin = 0;
  bool in_data = false;
  bool fin = false;
  auto end_data = [&] {
    if (!in_data) return;
    out += (out.empty() ? "" : " ") + std::string("D") + std::to_string(data_begin) + "-" + std::to_string(position);
    in_data = false;
  };
  for (const Event& e : recording.events) {
    if (e.kind == Event::Kind::close || e.side != side) continue;
    CHECK_FALSE(fin);
    if (e.kind == Event::Kind::fin) {
      end_data();
      out += out.empty() ? "F" : " F";
      fin = true;
      continue;
    }
    CHECK(e.offset == position);
    if (e.kind == Event::Kind::gap) {
      end_data();
      out += (out.empty() ? "" : " ") + std::string("G") + std::to_string(e.offset) + "-" +
             std::to_string(e.offset + e.length);
    } else {
      if (!in_data) data_begin = e.offset;
      in_data = true;
      const std::uint64_t at = shift + e.offset;
      const bool in_range = at + e.length <= original.size();
      CHECK(in_range);
      if (in_range && !std::equal(e.bytes.begin(), e.bytes.end(), original.begin() + static_cast<std::ptrdiff_t>(at))) {
        FAIL_CHECK("bytes delivered at offset " << e.offset << " differ from the bytes sent");
        out += " MISMATCH";
      }
    }
    position = e.offset + e.length;
  }
  end_data();
  return out;
}

// The reason of the connection's on_close(), which must be its last event.
inline std::string close_reason(const Recording& recording) {
  if (recording.events.empty() || recording.events.back().kind != Event::Kind::close) return "open";
  return tlsring::tcp::to_string(recording.events.back().reason);
}

}  // namespace tcp_test
