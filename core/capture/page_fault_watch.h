// PageFaultWatch: keeps a read of a vanished page of a file mapping from
// killing the process.
//
// Reading a page of a mapped file that is no longer there (the file was
// truncated under the mapping, or the disk failed to read the page) raises
// SIGBUS, whose default action ends the process. While a range is watched, a
// SIGBUS inside it puts a page of zeros in the place of the missing one, notes
// where, and lets the read go on; the reader asks fault_offset() and stops
// there. A SIGBUS anywhere else meets the disposition SIGBUS had before the
// first watch (by default, the end of the process with a core dump).
//
// The handler is installed by the first watch and stays. POSIX only (Windows
// does not map capture files, see file_mapping.h). At most kMaxWatched ranges
// are watched at a time in the process; past that, watch() returns an inactive
// watch, and a fault in that range ends the process as it would without one.
#pragma once

#include <cstddef>
#include <optional>

namespace tlsring::capture {

class PageFaultWatch {
 public:
  static constexpr std::size_t kMaxWatched = 64;

  PageFaultWatch() = default;  // inactive
  // Watches the `size` bytes from `begin`, the start of a page (a mapping's).
  static PageFaultWatch watch(const void* begin, std::size_t size);

  PageFaultWatch(PageFaultWatch&& other) noexcept;
  PageFaultWatch& operator=(PageFaultWatch&& other) noexcept;
  PageFaultWatch(const PageFaultWatch&) = delete;
  PageFaultWatch& operator=(const PageFaultWatch&) = delete;
  ~PageFaultWatch();  // stops watching; unmap the range only after

  bool active() const { return slot_ >= 0; }
  // The offset from `begin` of the lowest page that could not be read (it now
  // reads as zeros), if any did.
  std::optional<std::size_t> fault_offset() const;

 private:
  explicit PageFaultWatch(int slot) : slot_(slot) {}
  void release();

  int slot_ = -1;
};

}  // namespace tlsring::capture
