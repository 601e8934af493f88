#include "core/capture/capture_writer.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#ifdef _WIN32
#include <io.h>
#else
#include <unistd.h>
#endif

#include "core/capture/capture_writer_blocks.h"

namespace tlsring::capture {
namespace {

// Thin shims over the C runtime so that the writer owns a plain descriptor on
// every platform (a FILE* would add a second buffer and hide short writes).
#ifdef _WIN32
int open_file(const std::filesystem::path& path, bool replace) {
  int flags = _O_WRONLY | _O_CREAT | _O_BINARY | _O_NOINHERIT | (replace ? _O_TRUNC : _O_EXCL);
  return _wopen(path.c_str(), flags, _S_IREAD | _S_IWRITE);
}
long write_some(int fd, const std::uint8_t* data, std::size_t size) {
  return _write(fd, data, static_cast<unsigned>(std::min<std::size_t>(size, 1u << 30)));
}
int sync_file(int fd) { return _commit(fd); }
int close_file(int fd) { return _close(fd); }
// No mode bits: a new file inherits its directory's ACL (private_file.h).
int restrict_mode(int) { return 0; }
#else
int open_file(const std::filesystem::path& path, bool replace) {
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (replace ? O_TRUNC : O_EXCL);
  return ::open(path.c_str(), flags, 0600);
}
long write_some(int fd, const std::uint8_t* data, std::size_t size) {
  return static_cast<long>(::write(fd, data, size));
}
int sync_file(int fd) { return ::fsync(fd); }
int close_file(int fd) { return ::close(fd); }
// open()'s mode applies only to a new file; a replaced one keeps its old mode.
int restrict_mode(int fd) { return ::fchmod(fd, 0600); }
#endif

Error io_error(const std::filesystem::path& path, const char* what, int err) {
  return make_error(path.string() + ": " + what + ": " + std::strerror(err));
}

bool is_nano(CaptureFormat format) { return format == CaptureFormat::pcap_nano; }

}  // namespace

std::string_view format_name(CaptureFormat format) {
  switch (format) {
    case CaptureFormat::pcap_micro: return "pcap";
    case CaptureFormat::pcap_nano: return "pcap-nano";
    case CaptureFormat::pcapng: return "pcapng";
  }
  return "pcapng";
}

std::string_view format_extension(CaptureFormat format) {
  return format == CaptureFormat::pcapng ? "pcapng" : "pcap";
}

std::optional<CaptureFormat> parse_format(std::string_view name) {
  if (name == "pcap" || name == "pcap-micro" || name == "pcap-us") return CaptureFormat::pcap_micro;
  if (name == "pcap-nano" || name == "pcap-ns") return CaptureFormat::pcap_nano;
  if (name == "pcapng") return CaptureFormat::pcapng;
  return std::nullopt;
}

Result<std::unique_ptr<CaptureWriter>> CaptureWriter::create(const std::filesystem::path& path,
                                                             CaptureFormat format) {
  return create(path, format, Options{});
}

Result<std::unique_ptr<CaptureWriter>> CaptureWriter::create(const std::filesystem::path& path,
                                                             CaptureFormat format,
                                                             Options options) {
  if (options.buffer_size < 4096) options.buffer_size = 4096;
  const int fd = open_file(path, options.replace_existing);
  if (fd < 0) return io_error(path, "cannot create capture file", errno);
  if (restrict_mode(fd) != 0) {
    const int err = errno;
    close_file(fd);
    return io_error(path, "cannot set mode 0600", err);
  }
  std::unique_ptr<CaptureWriter> writer(new CaptureWriter(path, format, fd, std::move(options)));
  if (format == CaptureFormat::pcapng) {
    const std::string& app = writer->options_.application;
    std::vector<std::uint8_t> shb(blocks::shb_size(app));
    blocks::encode_shb(shb, app);
    if (auto status = writer->append(shb); !status) return status.error();
  }
  // pcap's file header names the link type, so add_interface() writes it.
  return writer;
}

CaptureWriter::CaptureWriter(std::filesystem::path path, CaptureFormat format, int fd,
                             Options options)
    : path_(std::move(path)), format_(format), fd_(fd), options_(std::move(options)),
      buffer_(std::move(options_.reuse_buffer)) {
  buffer_.resize(options_.buffer_size);
}

CaptureWriter::~CaptureWriter() { (void)close(); }

Result<std::uint32_t> CaptureWriter::add_interface(std::uint32_t link_type, std::uint32_t snaplen,
                                                   std::string_view name) {
  if (error_) return *error_;
  if (fd_ < 0) return make_error(path_.string() + ": capture file already closed");
  if (format_ != CaptureFormat::pcapng) {
    if (!interfaces_.empty()) {
      return make_error(path_.string() + ": a pcap file holds one interface (link type " +
                        std::to_string(interfaces_[0].link_type) + "); use pcapng for more");
    }
    std::uint8_t header[blocks::kPcapFileHeaderSize];
    blocks::encode_pcap_file_header(header, is_nano(format_), link_type, snaplen);
    if (auto status = append(header); !status) return status.error();
  } else {
    if (link_type > 0xffff) {
      return make_error(path_.string() + ": link type " + std::to_string(link_type) +
                        " does not fit pcapng's 16-bit field");
    }
    std::vector<std::uint8_t> idb(blocks::idb_size(name));
    blocks::encode_idb(idb, link_type, snaplen, name);
    if (auto status = append(idb); !status) return status.error();
  }
  Interface& added = interfaces_.emplace_back();
  added.link_type = link_type;
  added.snaplen = snaplen;
  return static_cast<std::uint32_t>(interfaces_.size() - 1);
}

Status CaptureWriter::write_packet(std::int64_t timestamp_ns, std::uint32_t interface_id,
                                   std::span<const std::uint8_t> data, std::uint32_t original_length,
                                   std::uint64_t dropped_before) {
  if (error_) return *error_;
  if (fd_ < 0) return make_error(path_.string() + ": capture file already closed");
  if (interface_id >= interfaces_.size()) {
    return make_error(path_.string() + ": packet for interface " + std::to_string(interface_id) +
                      ", but only " + std::to_string(interfaces_.size()) + " declared");
  }
  if (timestamp_ns < 0) return make_error(path_.string() + ": packet timestamp before 1970");
  const bool pcap = format_ != CaptureFormat::pcapng;
  if (pcap && timestamp_ns / 1'000'000'000 > std::numeric_limits<std::uint32_t>::max()) {
    return make_error(path_.string() + ": packet timestamp beyond pcap's 32-bit seconds");
  }
  // snaplen 0 means "no limit" in pcapng; treat it the same for pcap.
  std::uint32_t snaplen = interfaces_[interface_id].snaplen;
  if (snaplen == 0) snaplen = std::numeric_limits<std::uint32_t>::max();
  const auto captured = data.first(std::min<std::size_t>(data.size(), snaplen));
  std::uint64_t wire = original_length == 0 ? data.size() : original_length;
  wire = std::min<std::uint64_t>(std::max<std::uint64_t>(wire, captured.size()),
                                 std::numeric_limits<std::uint32_t>::max());
  const auto original = static_cast<std::uint32_t>(wire);

  const std::size_t size =
      pcap ? blocks::pcap_record_size(captured.size()) : blocks::epb_size(captured.size(), dropped_before);
  if (std::uint8_t* out = reserve(size)) {
    std::span<std::uint8_t> record(out, size);
    if (pcap) {
      blocks::encode_pcap_record(record, is_nano(format_), timestamp_ns, captured, original);
    } else {
      blocks::encode_epb(record, interface_id, timestamp_ns, captured, original, dropped_before);
    }
    buffered_ += size;
    bytes_written_ += size;
  } else {
    if (error_) return *error_;
    // Larger than the whole buffer: rare, so a temporary copy is fine here.
    std::vector<std::uint8_t> record(size);
    if (pcap) {
      blocks::encode_pcap_record(record, is_nano(format_), timestamp_ns, captured, original);
    } else {
      blocks::encode_epb(record, interface_id, timestamp_ns, captured, original, dropped_before);
    }
    if (auto status = write_through(record); !status) return status;
  }
  ++packets_written_;
  last_timestamp_ns_ = std::max(last_timestamp_ns_, timestamp_ns);
  return {};
}

Status CaptureWriter::write_encoded(std::span<const std::uint8_t> records, std::uint64_t packets,
                                    std::int64_t latest_timestamp_ns) {
  if (error_) return *error_;
  if (fd_ < 0) return make_error(path_.string() + ": capture file already closed");
  // Below this a run is copied: a write(2) of its own would cost more.
  constexpr std::size_t kWriteThroughMin = 64 * 1024;
  Status status = records.size() < kWriteThroughMin ? append(records) : write_through(records);
  if (!status) return status;
  packets_written_ += packets;
  last_timestamp_ns_ = std::max(last_timestamp_ns_, latest_timestamp_ns);
  return {};
}

Status CaptureWriter::write_secrets(std::uint32_t secrets_type,
                                    std::span<const std::uint8_t> secrets) {
  if (error_) return *error_;
  if (fd_ < 0) return make_error(path_.string() + ": capture file already closed");
  if (format_ != CaptureFormat::pcapng) {
    return make_error(path_.string() + ": decryption secrets need pcapng; pcap cannot hold them");
  }
  if (secrets.size() > 0x7fff0000u) return make_error(path_.string() + ": secrets block too large");
  const std::size_t size = blocks::dsb_size(secrets.size());
  if (std::uint8_t* out = reserve(size)) {
    blocks::encode_dsb({out, size}, secrets_type, secrets);
    buffered_ += size;
    bytes_written_ += size;
    return {};
  }
  if (error_) return *error_;
  std::vector<std::uint8_t> block(size);
  blocks::encode_dsb(block, secrets_type, secrets);
  return write_through(block);
}

Status CaptureWriter::set_interface_statistics(std::uint32_t interface_id, std::uint64_t received,
                                               std::uint64_t dropped,
                                               std::optional<std::int64_t> timestamp_ns,
                                               std::optional<std::int64_t> since_ns) {
  if (error_) return *error_;
  if (fd_ < 0) return make_error(path_.string() + ": capture file already closed");
  if (interface_id >= interfaces_.size()) {
    return make_error(path_.string() + ": statistics for undeclared interface " +
                      std::to_string(interface_id));
  }
  if ((timestamp_ns && *timestamp_ns < 0) || (since_ns && *since_ns < 0)) {
    return make_error(path_.string() + ": statistics timestamp before 1970");
  }
  Interface& iface = interfaces_[interface_id];
  iface.has_statistics = true;
  iface.received = received;
  iface.dropped = dropped;
  iface.statistics_timestamp_ns = timestamp_ns;
  iface.statistics_since_ns = since_ns;
  return {};
}

Status CaptureWriter::flush() {
  if (error_) return *error_;
  if (fd_ < 0 || buffered_ == 0) return {};
  const std::size_t size = buffered_;
  buffered_ = 0;
  return write_all({buffer_.data(), size});
}

Status CaptureWriter::close() {
  if (fd_ < 0) return error_ ? Status(*error_) : Status();
  if (!error_) {
    if (auto status = write_statistics_blocks(); status) {
      if (auto flushed = flush(); flushed && options_.fsync_on_close && sync_file(fd_) != 0) {
        (void)fail(io_error(path_, "fsync failed", errno));
      }
    }
  }
  if (close_file(fd_) != 0 && !error_) (void)fail(io_error(path_, "close failed", errno));
  fd_ = -1;
  return error_ ? Status(*error_) : Status();
}

Status CaptureWriter::write_statistics_blocks() {
  if (format_ != CaptureFormat::pcapng) return {};
  for (std::size_t id = 0; id < interfaces_.size(); ++id) {
    const Interface& iface = interfaces_[id];
    if (!iface.has_statistics) continue;
    std::uint8_t isb[blocks::kIsbMaxSize];
    const std::span<std::uint8_t> block(isb, blocks::isb_size(iface.statistics_since_ns.has_value()));
    blocks::encode_isb(block, static_cast<std::uint32_t>(id),
                       iface.statistics_timestamp_ns.value_or(last_timestamp_ns_), iface.statistics_since_ns,
                       iface.received, iface.dropped);
    if (auto status = append(block); !status) return status;
  }
  return {};
}

std::uint8_t* CaptureWriter::reserve(std::size_t size) {
  if (buffered_ + size > buffer_.size()) {
    if (!flush()) return nullptr;
    if (size > buffer_.size()) return nullptr;
  }
  return buffer_.data() + buffered_;
}

Status CaptureWriter::append(std::span<const std::uint8_t> bytes) {
  if (std::uint8_t* out = reserve(bytes.size())) {
    std::memcpy(out, bytes.data(), bytes.size());
    buffered_ += bytes.size();
    bytes_written_ += bytes.size();
    return {};
  }
  if (error_) return *error_;
  return write_through(bytes);
}

Status CaptureWriter::write_through(std::span<const std::uint8_t> bytes) {
  if (auto status = flush(); !status) return status;
  if (auto status = write_all(bytes); !status) return status;
  bytes_written_ += bytes.size();
  return {};
}

Status CaptureWriter::write_all(std::span<const std::uint8_t> bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const long n = write_some(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(io_error(path_, "write failed", errno));
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

Status CaptureWriter::fail(Error error) {
  if (!error_) error_ = std::move(error);
  return *error_;
}

}  // namespace tlsring::capture
