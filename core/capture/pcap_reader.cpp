#include "core/capture/pcap_reader.h"

#include "core/capture/timestamp.h"

namespace tlsring::capture {

std::unique_ptr<CaptureReader> PcapReader::create(std::filesystem::path path, BufferedFile file) {
  return std::unique_ptr<CaptureReader>(new PcapReader(std::move(path), std::move(file)));
}

CaptureEvent PcapReader::read_next() {
  if (!header_read_) {
    // Read lazily so that a header cut short is reported like any other cut.
    auto header = parse_pcap_file_header(file_.fill(kPcapFileHeaderSize));
    if (!header) return finish_cut_short("the pcap file header");
    format_ = *header;
    file_.consume(kPcapFileHeaderSize);
    header_read_ = true;
  }
  const std::size_t header_size = format_.record_header_size;
  const auto header_bytes = file_.fill(header_size);
  if (header_bytes.empty()) return finish_at_boundary();
  if (header_bytes.size() < header_size) return finish_cut_short("a packet record");
  const PcapRecordHeader record = parse_pcap_record_header(header_bytes, format_);
  if (record.captured_length > kMaxPacketLength) {
    return finish_corrupt(file_.offset(), "declared packet length " + std::to_string(record.captured_length) +
                                              " exceeds the 256 MiB limit");
  }
  if (record.seconds == 0 && record.fraction == 0 && record.captured_length == 0 && record.original_length == 0) {
    // No packet was ever 0 bytes long at time 0: these are zeros where the
    // writer never got to write (a crash on some file systems leaves them).
    return finish_corrupt(file_.offset(), "a record header of zeros: the file holds zeros from here on, not records");
  }
  const std::size_t record_size = header_size + record.captured_length;
  const auto bytes = file_.fill(record_size);
  if (bytes.size() < record_size) return finish_cut_short("a packet record");
  file_.consume(record_size);
  return packet_event(seconds_to_ns(record.seconds, record.fraction, format_.fraction_to_ns), format_.link_type,
                      0, record.original_length, bytes.subspan(header_size));
}

}  // namespace tlsring::capture
