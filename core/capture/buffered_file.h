// BufferedFile: reads one file front to back through large buffers, so that
// a capture reader can look at a whole record as one contiguous view without a
// system call or an allocation per record.
//
// Contract:
//  - fill(n) returns a view of the next min(n, bytes left in the file) bytes
//    from the cursor. It is shorter than n only at the end of the file or after
//    a read error (read_error() then says which). It never returns more than n.
//  - A view from fill() stays valid until the next fill(); consume() does not
//    move data, so a record consumed right after it was filled stays readable.
//  - After hold_views(), the view of every consumed record stays valid until
//    release_before() passes the record's offset: the bytes are read into a new
//    buffer instead of being moved within the old one, which is kept until
//    then (and reused afterwards). Memory then follows what the caller holds.
//  - A buffer starts at kInitialCapacity and grows only to hold the largest
//    view asked for, and only while the file really has that many bytes, so a
//    corrupt length field in a small file cannot make it allocate much.
//  - Opened with ReadMethod::map (where the platform can), the views are of
//    the file's pages themselves (core/capture/file_mapping.h): no copy, no
//    buffer, and every view stays valid as long as the BufferedFile. The
//    pages are mapped a window ahead of the cursor and let go of behind it
//    (behind the records still held), so resident memory stays a few MiB.
#pragma once

#include <cstdint>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/capture/file_mapping.h"
#include "core/result.h"

namespace tlsring::capture {

class BufferedFile {
 public:
  // Small enough that the bytes a read() just copied are still in the CPU's
  // cache when the records in them are parsed: with 1 MiB, decrypting the
  // bench's bulk corpus took ~5% more CPU (tests/bench/decrypt_bench.sh).
  static constexpr std::size_t kInitialCapacity = std::size_t{256} << 10;  // 256 KiB

  // With ReadMethod::map: pages mapped ahead of the cursor at a time, and let go of
  // behind it at least this many at a time.
  static constexpr std::size_t kMapWindow = std::size_t{1} << 20;   // 1 MiB
  static constexpr std::size_t kDropStep = std::size_t{2} << 20;    // 2 MiB

  // Opens `path` for reading. The error reads "cannot open FILE: REASON".
  // ReadMethod::map only for a file that does not shrink while it is read
  // (file_mapping.h says why); a file that cannot be mapped is then copied.
  static Result<BufferedFile> open(const std::filesystem::path& path, ReadMethod method = ReadMethod::copy);

  std::span<const std::uint8_t> fill(std::size_t n) {
    if (end_ - begin_ >= n) return {data_ + begin_, n};
    return fill_slow(n);
  }
  // Moves the cursor n bytes on; n must not exceed the size of the last fill().
  void consume(std::size_t n) {
    begin_ += n;
    offset_ += n;
  }
  // File offset of the cursor.
  std::uint64_t offset() const { return offset_; }
  // Non-empty once a read failed ("Is a directory", "Input/output error"; a
  // mapped page that could not be read, see FileMapping::fault_offset()).
  std::string read_error() const;
  // True when a byte before file offset `offset` read as zero because its
  // mapped page could not be read (see FileMapping::fault_offset()).
  bool unreadable_before(std::uint64_t offset) const {
    if (!mapping_) return false;
    const std::optional<std::size_t> fault = mapping_->fault_offset();
    return fault && *fault < offset;
  }
  // True when the views are of a mapping of the file (ReadMethod::map took).
  bool mapped() const { return mapping_.has_value(); }

  // Consumed records stay readable until release_before() passes them (see above).
  void hold_views() { holding_ = true; }
  // The caller holds no view of a record that starts before file offset `offset`.
  void release_before(std::uint64_t offset);

 private:
  struct FileCloser {
    void operator()(std::FILE* file) const { std::fclose(file); }
  };
  using Buffer = std::unique_ptr<std::uint8_t[]>;
  // A buffer whose consumed records may still be viewed; it holds no record
  // that starts at or after `end_offset`.
  struct Retired {
    Buffer buffer;
    std::size_t capacity;
    std::uint64_t end_offset;
  };
  explicit BufferedFile(std::FILE* file);
  BufferedFile(std::FILE* file, FileMapping mapping);
  std::span<const std::uint8_t> fill_slow(std::size_t n);
  std::span<const std::uint8_t> fill_mapped(std::size_t n);
  struct MappedDamage {
    std::size_t stop_at;  // no record may reach past it
    std::string why;
  };
  std::optional<MappedDamage> mapped_damage() const;
  void move_tail_to_front();

  std::unique_ptr<std::FILE, FileCloser> file_;
  std::optional<FileMapping> mapping_;  // ReadMethod::map; then data_ is its start
  Buffer buffer_;
  const std::uint8_t* data_ = nullptr;  // what begin_ and end_ index: buffer_ or the mapping
  std::size_t capacity_ = 0;
  std::size_t begin_ = 0;  // cursor inside data_ (the file offset, when mapped)
  std::size_t end_ = 0;    // end of the bytes read so far (mapped so far)
  std::uint64_t released_before_ = 0;  // mapped and holding: views before it are let go
  std::size_t readable_ = 0;           // mapped: the file's size, or less once it was truncated
  std::uint64_t offset_ = 0;
  bool at_eof_ = false;
  bool holding_ = false;
  std::deque<Retired> retired_;   // oldest first
  std::vector<Buffer> spare_;     // released buffers of kInitialCapacity, for reuse
  std::string read_error_;
};

}  // namespace tlsring::capture
