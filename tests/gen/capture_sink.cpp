#include "tests/gen/capture_sink.h"

#include <algorithm>

namespace tlsring::testgen {

CaptureSink::CaptureSink(const OutputPlan& plan, std::uint32_t link_type)
    : plan_(plan), link_type_(link_type),
      numbered_(!plan.split_at_packets.empty() || !plan.split_before_connections.empty()),
      splits_(plan.split_at_packets) {
  std::sort(splits_.begin(), splits_.end());
  splits_.erase(std::unique(splits_.begin(), splits_.end()), splits_.end());
}

std::filesystem::path CaptureSink::file_path(std::size_t number) const {
  std::string name = plan_.name;
  if (numbered_) name += "-" + std::to_string(number);
  name += ".";
  name += capture::format_extension(plan_.format);
  return plan_.dir / name;
}

Status CaptureSink::close_file() {
  const std::uint64_t packets = files_.back().packets;
  if (plan_.closing_drops && plan_.format == capture::CaptureFormat::pcapng && packets > 0) {
    const std::uint64_t dropped = *plan_.closing_drops;
    if (auto s = writer_->set_interface_statistics(0, packets + dropped, dropped, std::nullopt, file_first_ns_); !s) {
      return s;
    }
  }
  if (auto s = writer_->close(); !s) return s;
  files_.back().bytes = writer_->bytes_written();
  return {};
}

Status CaptureSink::open() {
  if (writer_) {
    if (auto s = close_file(); !s) return s;
  }
  const auto path = file_path(files_.size() + 1);
  // Large buffer: generation writes hundreds of MB and must be quick.
  capture::CaptureWriter::Options options;
  options.buffer_size = std::size_t{4} << 20;
  options.fsync_on_close = false;  // test data: no need to wait for the disk
  options.application = "tlsring-gen";
  auto writer = capture::CaptureWriter::create(path, plan_.format, options);
  if (!writer) return writer.error();
  writer_ = std::move(*writer);
  if (auto id = writer_->add_interface(link_type_, plan_.snaplen, plan_.interface_name); !id) {
    return id.error();
  }
  files_.push_back(CaptureFileRecord{path, plan_.format, link_type_, 0, packets_ + 1, 0, 0});
  return {};
}

Status CaptureSink::next_file() {
  if (!writer_) return open();
  if (files_.back().packets == 0) return {};
  return open();
}

Status CaptureSink::write_packet(std::int64_t timestamp_ns, std::span<const std::uint8_t> frame) {
  while (next_split_ < splits_.size() && splits_[next_split_] <= packets_) {
    if (splits_[next_split_] == packets_ && packets_ > 0) {
      if (auto s = next_file(); !s) return s;
    }
    ++next_split_;
  }
  if (!writer_) {
    if (auto s = open(); !s) return s;
  }
  if (auto s = writer_->write_packet(timestamp_ns, 0, frame); !s) return s;
  ++packets_;
  if (files_.back().packets++ == 0) file_first_ns_ = timestamp_ns;
  return {};
}

Status CaptureSink::write_secrets(std::span<const std::uint8_t> keylog_lines) {
  if (!writer_) {
    if (auto s = open(); !s) return s;
  }
  if (auto s = writer_->write_secrets(capture::kSecretsTypeTlsKeyLog, keylog_lines); !s) return s;
  ++files_.back().secrets_blocks;
  return {};
}

Status CaptureSink::close() {
  if (!writer_) {
    if (auto s = open(); !s) return s;  // an empty scenario still yields a valid file
  }
  return close_file();
}

}  // namespace tlsring::testgen
