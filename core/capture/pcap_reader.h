// PcapReader: the CaptureReader for classic pcap files (see pcap_format.h).
#pragma once

#include <memory>

#include "core/capture/file_capture_reader.h"
#include "core/capture/pcap_format.h"

namespace tlsring::capture {

class PcapReader final : public FileCaptureReader {
 public:
  // `file` is positioned at byte 0 of a file whose first four bytes are a pcap
  // magic number. A file header cut short makes the first next() `truncated`.
  static std::unique_ptr<CaptureReader> create(std::filesystem::path path, BufferedFile file);

 private:
  PcapReader(std::filesystem::path path, BufferedFile file) : FileCaptureReader(std::move(path), std::move(file)) {}
  CaptureEvent read_next() override;

  PcapFileHeader format_;
  bool header_read_ = false;
};

}  // namespace tlsring::capture
