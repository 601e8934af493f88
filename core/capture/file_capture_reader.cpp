#include "core/capture/file_capture_reader.h"

namespace tlsring::capture {

CaptureEvent FileCaptureReader::finish(CaptureEvent::Kind kind, std::string warning) {
  finished_ = true;
  final_event_ = CaptureEvent{};
  final_event_.kind = kind;
  final_event_.warning = std::move(warning);
  return final_event_;
}

CaptureEvent FileCaptureReader::finish_at_boundary(std::uint64_t offset) {
  std::string error = file_.read_error();
  if (error.empty()) return finish(CaptureEvent::Kind::end, {});
  return finish(CaptureEvent::Kind::truncated, path_.string() + ": read error at byte " + std::to_string(offset) +
                                                   " (" + error + "); packets before it were read");
}

CaptureEvent FileCaptureReader::finish_cut_short(std::string_view what) {
  if (!file_.read_error().empty()) return finish_at_boundary();
  // fill() has read to the end of the file: what it could return is all that is left.
  const std::uint64_t file_end = file_.offset() + file_.fill(kMaxBlockLength).size();
  return finish(CaptureEvent::Kind::truncated,
                path_.string() + ": cut short at byte " + std::to_string(file_end) + " inside " +
                    std::string(what) + " (the capture was not closed cleanly); packets before it were read");
}

CaptureEvent FileCaptureReader::finish_corrupt(std::uint64_t offset, std::string_view reason) {
  // Bytes that could not be read (zeros, from a mapping) are no corruption of the file.
  if (!file_.read_error().empty()) return finish_at_boundary();
  return finish(CaptureEvent::Kind::truncated,
                path_.string() + ": corrupt record at byte " + std::to_string(offset) + " (" +
                    std::string(reason) + "); packets before it were read");
}

}  // namespace tlsring::capture
