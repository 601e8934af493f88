#include "core/capture/buffered_file.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string>

namespace tlsring::capture {

Result<BufferedFile> BufferedFile::open(const std::filesystem::path& path, ReadMethod method) {
  errno = 0;
#ifdef _WIN32
  std::FILE* file = ::_wfopen(path.c_str(), L"rb");
#else
  std::FILE* file = std::fopen(path.c_str(), "rb");
#endif
  if (file == nullptr) {
    const int error = errno;
    return make_error("cannot open " + path.string() + ": " +
                      (error != 0 ? std::strerror(error) : "unknown error"));
  }
  // The buffer below is our only buffer: stdio's own would add a copy.
  std::setvbuf(file, nullptr, _IONBF, 0);
  if (method == ReadMethod::map) {
    if (std::optional<FileMapping> mapping = FileMapping::map(file)) return BufferedFile(file, std::move(*mapping));
  }
  return BufferedFile(file);
}

BufferedFile::BufferedFile(std::FILE* file)
    : file_(file),
      buffer_(std::make_unique_for_overwrite<std::uint8_t[]>(kInitialCapacity)),
      data_(buffer_.get()),
      capacity_(kInitialCapacity) {}

BufferedFile::BufferedFile(std::FILE* file, FileMapping mapping)
    : file_(file),
      mapping_(std::move(mapping)),
      data_(mapping_->data()),
      capacity_(mapping_->size()),
      readable_(mapping_->size()) {}

namespace {

std::string truncated_to(std::size_t size) {
  return "the file was truncated to " + std::to_string(size) + " bytes while it was read";
}

std::string unreadable_from(std::size_t offset) {
  return "the bytes from offset " + std::to_string(offset) + " on could not be read from the disk (an I/O error)";
}

}  // namespace

// Where reading a mapped file must stop, and why, once it must: a truncation
// (the pages past the new end are gone), else a page that could not be read
// (it and any other such page read as zeros).
std::optional<BufferedFile::MappedDamage> BufferedFile::mapped_damage() const {
  const std::optional<std::size_t> shrunk = mapping_->shrunk_to();
  const std::optional<std::size_t> fault = mapping_->fault_offset();
  if (shrunk) return MappedDamage{std::min(*shrunk, fault.value_or(*shrunk)), truncated_to(*shrunk)};
  if (fault) return MappedDamage{*fault, unreadable_from(*fault)};
  return std::nullopt;
}

std::string BufferedFile::read_error() const {
  if (read_error_.empty() && mapping_) {
    // Since the last window was mapped: what went wrong explains whatever the reader found wrong.
    if (const std::optional<MappedDamage> damage = mapped_damage()) return damage->why;
  }
  return read_error_;
}

void BufferedFile::release_before(std::uint64_t offset) {
  if (mapping_) {
    released_before_ = std::max(released_before_, offset);
    return;
  }
  while (!retired_.empty() && retired_.front().end_offset <= offset) {
    if (retired_.front().capacity == kInitialCapacity) spare_.push_back(std::move(retired_.front().buffer));
    retired_.pop_front();
  }
}

// Makes room after the unread tail by putting it at the front: in place,
// or, while views are held, in another buffer (the old one stays as it is).
// The tail is at most one record, so the copy is cheap.
void BufferedFile::move_tail_to_front() {
  const std::size_t tail = end_ - begin_;
  if (holding_) {
    Buffer next;
    if (capacity_ == kInitialCapacity && !spare_.empty()) {
      next = std::move(spare_.back());
      spare_.pop_back();
    } else {
      next = std::make_unique_for_overwrite<std::uint8_t[]>(capacity_);
    }
    std::memcpy(next.get(), buffer_.get() + begin_, tail);
    retired_.push_back({std::move(buffer_), capacity_, offset_});
    buffer_ = std::move(next);
    data_ = buffer_.get();
  } else {
    std::memmove(buffer_.get(), buffer_.get() + begin_, tail);
  }
  end_ = tail;
  begin_ = 0;
}

// Maps the next window (or as far as the view asked for), and lets go of the
// pages behind the cursor that no view held may still be in.
std::span<const std::uint8_t> BufferedFile::fill_mapped(std::size_t n) {
  const std::uint64_t needed_from = holding_ ? std::min<std::uint64_t>(begin_, released_before_) : begin_;
  if (needed_from >= mapping_->dropped_before() + kDropStep) mapping_->drop_before(static_cast<std::size_t>(needed_from));
  if (!at_eof_) {
    if (std::optional<MappedDamage> damage = mapped_damage(); damage && damage->stop_at < readable_) {
      // The records end before the pages that are gone or read as zeros.
      if (read_error_.empty()) read_error_ = std::move(damage->why);
      readable_ = damage->stop_at;
      end_ = std::clamp(readable_, begin_, end_);
    }
    if (end_ < readable_) {
      const std::size_t wanted =
          std::max(begin_ + std::min(n, readable_ - begin_), end_ + std::min(kMapWindow, readable_ - end_));
      // A view asked for far ahead (a corrupt length measured against the end
      // of the file) maps only what it touches.
      mapping_->populate(end_, std::min(wanted - end_, 2 * kMapWindow));
      end_ = wanted;
    }
    at_eof_ = end_ >= readable_;
  }
  return {data_ + begin_, std::min(n, end_ - begin_)};
}

std::span<const std::uint8_t> BufferedFile::fill_slow(std::size_t n) {
  if (mapping_) return fill_mapped(n);
  while (end_ - begin_ < n && !at_eof_) {
    if (begin_ > 0) move_tail_to_front();
    // Grow only when the buffer is full and the file still has more: doubling
    // keeps a corrupt length from allocating more than twice the file's size.
    // The buffer holds no consumed record here (begin_ is 0), so it may go.
    if (end_ == capacity_) {
      const std::size_t grown = std::min(n, capacity_ * 2);
      auto bigger = std::make_unique_for_overwrite<std::uint8_t[]>(grown);
      std::memcpy(bigger.get(), buffer_.get(), end_);
      buffer_ = std::move(bigger);
      data_ = buffer_.get();
      capacity_ = grown;
    }
    errno = 0;
    const std::size_t wanted = capacity_ - end_;
    const std::size_t got = std::fread(buffer_.get() + end_, 1, wanted, file_.get());
    end_ += got;
    if (got < wanted) {  // fread stops short only at the end of the file or on an error
      if (std::ferror(file_.get()) != 0) {
        const int error = errno;
        read_error_ = error != 0 ? std::strerror(error) : "read error";
      }
      at_eof_ = true;
    }
  }
  return {buffer_.get() + begin_, std::min(n, end_ - begin_)};
}

}  // namespace tlsring::capture
