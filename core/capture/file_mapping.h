// FileMapping: a whole file mapped read-only into memory, so that reading it
// costs no copy: the pages of the page cache are the bytes the readers parse.
//
// For a file that does not shrink while it is mapped. The service's own
// completed capture files qualify (written, fsync'd and renamed before they
// are read, and never truncated afterwards; the ring only unlinks them, which
// leaves a mapping intact). A file someone else may truncate (a tcpdump ring
// reusing its names) is read by copying. Should a mapped file shrink all the
// same, or the disk fail to read one of its pages, touching such a page does
// not kill the process (core/capture/page_fault_watch.h): it reads as zeros,
// and fault_offset() says from where on; shrunk_to() tells a truncation
// before the pages are touched.
//
// Resident memory is the caller's to bound: populate() maps the pages of a
// range ahead of the reader in one system call (one page fault per page costs
// more than copying it), drop_before() lets go of the pages behind it (they
// stay in the page cache; touching them again maps them again).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <optional>

#include "core/capture/page_fault_watch.h"

namespace tlsring::capture {

// How a capture file's bytes are read: copied into buffers (any file), or
// mapped (only a file that does not shrink while it is read, see below).
enum class ReadMethod { copy, map };

class FileMapping {
 public:
  // Maps the whole of the open regular file `file`, at its present size (the
  // caller keeps it open as long as the mapping).
  // Empty when the platform (Windows) or the file system cannot map it, or it
  // is not a regular file, or it is empty: then read it.
  static std::optional<FileMapping> map(std::FILE* file);

  FileMapping(FileMapping&& other) noexcept;
  FileMapping& operator=(FileMapping&& other) noexcept;
  FileMapping(const FileMapping&) = delete;
  FileMapping& operator=(const FileMapping&) = delete;
  ~FileMapping();

  const std::uint8_t* data() const { return data_; }
  std::size_t size() const { return size_; }

  // Hints; a failure changes nothing a reader sees.
  // Maps the pages of [offset, offset + length) now (clipped to the file).
  void populate(std::size_t offset, std::size_t length) const;
  // Lets go of the whole pages before `offset` not let go of yet.
  void drop_before(std::size_t offset);
  // Where the pages let go of end (a page boundary; 0 at first).
  std::size_t dropped_before() const { return dropped_before_; }
  // The file's present size, when something truncated it below the mapping's
  // size: the pages past it are gone, and a reader must stop there. Cheap (one
  // fstat); a reader asks before each window, which narrows the danger to a
  // truncation while it reads that window.
  std::optional<std::size_t> shrunk_to() const;
  // Where the first page that could not be read starts, once one could not:
  // it and any other such page read as zeros, and a reader must stop there.
  std::optional<std::size_t> fault_offset() const { return watch_.fault_offset(); }

 private:
  FileMapping(int fd, const std::uint8_t* data, std::size_t size)
      : fd_(fd), data_(data), size_(size), watch_(PageFaultWatch::watch(data, size)) {}
  void unmap();

  int fd_ = -1;
  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t dropped_before_ = 0;  // page-aligned
  PageFaultWatch watch_;            // of [data_, data_ + size_)
};

}  // namespace tlsring::capture
