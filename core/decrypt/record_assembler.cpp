#include "core/decrypt/record_assembler.h"

#include <algorithm>

namespace tlsring::decrypt {
namespace {

using Span = std::span<const std::uint8_t>;

// While resynchronising, the bytes searched are bounded: past this, the oldest are dropped.
constexpr std::size_t kResyncWindow = 4 * (tls::kRecordHeaderSize + tls::kMaxRecordFragment);

std::size_t record_length(Span header) { return (std::size_t{header[3]} << 8) | header[4]; }

}  // namespace

RecordAssembler::RecordAssembler(bool picked_up_midstream)
    : mode_(picked_up_midstream ? Mode::resync : Mode::start), after_gap_(picked_up_midstream) {}

void RecordAssembler::feed(Span data, RecordListener& listener) {
  while (!data.empty()) {
    switch (mode_) {
      case Mode::start: feed_start(data, listener); break;
      case Mode::framing: feed_framing(data, listener); break;
      case Mode::resync: feed_resync(data, listener); break;
      case Mode::not_tls: skipped_bytes_ += data.size(); return;
    }
  }
}

void RecordAssembler::gap(std::uint64_t length) {
  skipped_bytes_ += length + buffer_.size();
  buffer_.clear();
  if (mode_ == Mode::not_tls) return;
  // A gap at the very start leaves us not knowing where records begin either.
  mode_ = Mode::resync;
  after_gap_ = true;
}

void RecordAssembler::feed_start(Span& data, RecordListener& listener) {
  // Gather enough bytes to tell TLS, SSLv2 and other protocols apart.
  Span view = data;
  if (!buffer_.empty() || data.size() < tls::kRecordHeaderSize) {
    const std::size_t take = std::min(data.size(), tls::kRecordHeaderSize - std::min(buffer_.size(), tls::kRecordHeaderSize));
    buffer_.insert(buffer_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(take));
    data = data.subspan(take);
    if (buffer_.size() < tls::kRecordHeaderSize) return;
    view = buffer_;
  }
  if (tls::looks_like_sslv2_client_hello(view)) {
    // Gather the whole SSLv2 record, then go on framing ordinary records.
    if (buffer_.empty()) {
      buffer_.assign(data.begin(), data.end());
      data = {};
    } else {
      buffer_.insert(buffer_.end(), data.begin(), data.end());
      data = {};
    }
    auto parsed = tls::parse_sslv2_record(buffer_);
    if (parsed.status == tls::ParseStatus::need_more) {
      if (buffer_.size() > kResyncWindow) {
        buffer_.clear();
        mode_ = Mode::not_tls;
        listener.on_not_tls();
      }
      return;
    }
    std::vector<std::uint8_t> pending;
    pending.swap(buffer_);
    mode_ = Mode::framing;
    if (parsed.status == tls::ParseStatus::ok) {
      listener.on_sslv2_client_hello(parsed.body);
      ++records_;
    }
    data = Span(pending).subspan(parsed.status == tls::ParseStatus::ok ? parsed.consumed : pending.size());
    // `pending` must outlive the remaining feed: finish it here.
    feed(data, listener);
    data = {};
    return;
  }
  auto header = tls::parse_record(view);
  if (header.status == tls::ParseStatus::invalid) {
    skipped_bytes_ += buffer_.size() + data.size();
    buffer_.clear();
    data = {};
    mode_ = Mode::not_tls;
    listener.on_not_tls();
    return;
  }
  mode_ = Mode::framing;
  if (!buffer_.empty()) {
    // The header bytes sit in buffer_; framing continues from there.
    return;
  }
}

void RecordAssembler::feed_framing(Span& data, RecordListener& listener) {
  if (!buffer_.empty()) {
    // Complete the record held in buffer_, copying only what belongs to it.
    if (buffer_.size() < tls::kRecordHeaderSize) {
      const std::size_t take = std::min(data.size(), tls::kRecordHeaderSize - buffer_.size());
      buffer_.insert(buffer_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(take));
      data = data.subspan(take);
      if (buffer_.size() < tls::kRecordHeaderSize) return;
    }
    if (!plausible_header(buffer_)) {
      // Misframed (after a resync that guessed wrong): search again.
      std::vector<std::uint8_t> pending;
      pending.swap(buffer_);
      pending.erase(pending.begin());
      skipped_bytes_ += 1;
      mode_ = Mode::resync;
      after_gap_ = true;
      feed(pending, listener);
      return;
    }
    const std::size_t total = tls::kRecordHeaderSize + record_length(buffer_);
    const std::size_t take = std::min(data.size(), total - buffer_.size());
    buffer_.insert(buffer_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(take));
    data = data.subspan(take);
    if (buffer_.size() < total) return;
    emit(buffer_, listener);
    buffer_.clear();
    return;
  }
  // Parse records in place while they lie whole inside `data`.
  while (!data.empty()) {
    auto parsed = tls::parse_record(data);
    if (parsed.status == tls::ParseStatus::ok) {
      emit(data.first(parsed.consumed), listener);
      data = data.subspan(parsed.consumed);
      if (mode_ != Mode::framing) return;
      continue;
    }
    if (parsed.status == tls::ParseStatus::need_more) {
      buffer_.assign(data.begin(), data.end());
      data = {};
      return;
    }
    // Invalid header: we lost the record boundary.
    mode_ = Mode::resync;
    after_gap_ = true;
    return;
  }
}

void RecordAssembler::feed_resync(Span& data, RecordListener& listener) {
  buffer_.insert(buffer_.end(), data.begin(), data.end());
  data = {};
  const Span bytes(buffer_);
  std::size_t at = 0;
  for (; at + tls::kRecordHeaderSize <= bytes.size(); ++at) {
    const Span candidate = bytes.subspan(at);
    if (!plausible_header(candidate)) continue;
    const std::size_t next = tls::kRecordHeaderSize + record_length(candidate);
    if (candidate.size() >= next + tls::kRecordHeaderSize) {
      if (!plausible_header(candidate.subspan(next))) continue;
    } else if (candidate.size() < next) {
      // Cannot confirm yet: keep the candidate and wait for more bytes.
      break;
    }
    // Confirmed (or a whole record ends exactly at the data's end): frame from here.
    std::vector<std::uint8_t> pending(candidate.begin(), candidate.end());
    skipped_bytes_ += at;
    buffer_.clear();
    mode_ = Mode::framing;
    feed(pending, listener);
    return;
  }
  // Drop what can no longer start a record, and bound what is kept.
  std::size_t drop = std::min(at, buffer_.size());
  if (buffer_.size() - drop > kResyncWindow) drop = buffer_.size() - kResyncWindow;
  skipped_bytes_ += drop;
  buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(drop));
}

bool RecordAssembler::plausible_header(Span bytes) const {
  if (bytes.size() < tls::kRecordHeaderSize) return false;
  const std::uint8_t type = bytes[0];
  if (type < tls::kChangeCipherSpec || type > tls::kHeartbeat) return false;
  const std::uint16_t version = static_cast<std::uint16_t>((bytes[1] << 8) | bytes[2]);
  if (expected_version_ != 0) {
    if (version != expected_version_ && !(type == tls::kAlert || type == tls::kHandshake)) return false;
    if (bytes[1] != 3) return false;
  } else if (bytes[1] != 3 || bytes[2] > 4) {
    return false;
  }
  const std::size_t length = record_length(bytes);
  return length > 0 || type == tls::kApplicationData ? length <= tls::kMaxRecordFragment : false;
}

void RecordAssembler::emit(Span record, RecordListener& listener) {
  AssembledRecord out;
  out.header.content_type = record[0];
  out.header.version = static_cast<std::uint16_t>((record[1] << 8) | record[2]);
  out.header.length = static_cast<std::uint16_t>(record_length(record));
  out.header_bytes = record.first(tls::kRecordHeaderSize);
  out.fragment = record.subspan(tls::kRecordHeaderSize);
  out.after_gap = after_gap_;
  after_gap_ = false;
  ++records_;
  listener.on_record(out);
}

}  // namespace tlsring::decrypt
