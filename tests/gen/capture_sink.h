// CaptureSink: the generator's capture output. Writes frames through
// CaptureWriter into one file, or into NAME-1, NAME-2, ... when the scenario
// splits the capture, and keeps the per-file counts for the manifest.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "core/capture/capture_writer.h"
#include "core/result.h"
#include "tests/gen/scenario.h"

namespace tlsring::testgen {

class CaptureSink {
 public:
  CaptureSink(const OutputPlan& plan, std::uint32_t link_type);

  // Opens the first file.
  Status open();
  // Starts the next file unless the current one is still empty.
  Status next_file();
  // Writes a frame; starts the next file first when its packet index is a split point.
  Status write_packet(std::int64_t timestamp_ns, std::span<const std::uint8_t> frame);
  Status write_secrets(std::span<const std::uint8_t> keylog_lines);
  Status close();

  std::uint64_t packets() const { return packets_; }  // written so far, all files
  std::size_t file_index() const { return files_.empty() ? 0 : files_.size() - 1; }
  const std::vector<CaptureFileRecord>& files() const { return files_; }

 private:
  std::filesystem::path file_path(std::size_t number) const;
  // Ends the current file (with the plan's closing statistics) and records its size.
  Status close_file();

  const OutputPlan& plan_;
  std::uint32_t link_type_;
  bool numbered_;
  std::vector<std::uint64_t> splits_;  // sorted, unique
  std::size_t next_split_ = 0;
  std::unique_ptr<capture::CaptureWriter> writer_;
  std::vector<CaptureFileRecord> files_;
  std::uint64_t packets_ = 0;
  std::int64_t file_first_ns_ = 0;  // the current file's first packet
};

}  // namespace tlsring::testgen
