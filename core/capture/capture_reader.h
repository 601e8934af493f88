// CaptureReader: streams the records of one capture file, pcap (micro- or
// nanosecond, either byte order) or pcapng (any number of sections and
// interfaces, either byte order), in file order. The format is found by content.
//
// Contract:
//  - open() fails with a message naming the file when it cannot be read or is
//    not a pcap/pcapng file ("FILE: not a pcap or pcapng capture (starts with ...)").
//  - next() yields packets and pcapng Decryption Secrets Blocks in file order.
//    A packet's `data` view stays valid until the following next() call, or,
//    after hold_views(), until release_before() passes it.
//  - A file cut short (a crash while writing) ends with CaptureEvent::Kind::truncated
//    after every whole record before the cut; a corrupt record in the middle ends
//    the same way, with `warning` saying where. No input makes it crash or loop.
//  - Memory is bounded by the largest record, not by the file size.
//  - After `end` or `truncated`, every later next() returns the same event again.
//  - Messages: "cannot open FILE: No such file or directory", "FILE: empty file
//    (0 bytes), not a pcap or pcapng capture", "FILE: not a pcap or pcapng capture
//    file (it starts with bytes 3c 21 44 4f)"; warnings "FILE: cut short at byte N
//    inside a packet record (the capture was not closed cleanly); packets before
//    it were read" and "FILE: corrupt record at byte N (REASON); packets before it
//    were read". A declared packet over 256 MiB counts as corrupt.
//  - pcapng Simple Packet Blocks carry no time: they take the previous packet's
//    timestamp (0 before any). original_length is never below data.size().
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/capture/file_mapping.h"
#include "core/result.h"

namespace tlsring::capture {

// LINKTYPE_* values (tcpdump.org/linktypes.html) that the decoder understands.
enum LinkType : std::uint32_t {
  kLinkNull = 0,         // BSD loopback, host-order 4-byte family
  kLinkEthernet = 1,
  kLinkRaw = 101,        // raw IPv4 or IPv6
  kLinkLinuxSll = 113,
  kLinkLoop = 108,       // OpenBSD loopback, network-order family
  kLinkIpv4 = 228,
  kLinkIpv6 = 229,
  kLinkLinuxSll2 = 276,
};

struct CapturePacket {
  std::int64_t timestamp_ns = 0;      // since the Unix epoch, UTC
  std::uint32_t link_type = 0;        // LINKTYPE_* of the packet's interface
  std::uint32_t interface_id = 0;     // pcapng interface id (0 for pcap)
  std::uint32_t original_length = 0;  // length on the wire
  std::span<const std::uint8_t> data; // captured bytes (may be shorter than original_length)
  // Packets the capturing side lost just before this one, as the file records
  // it (pcapng epb_dropcount, or the obsolete Packet Block's drops count; 0
  // when it does not say).
  std::uint64_t dropped_before = 0;
};

struct CaptureEvent {
  enum class Kind {
    packet,     // `packet` is set
    secrets,    // a pcapng Decryption Secrets Block: `secrets_type`, `secrets`
    end,        // clean end of file
    truncated,  // the file ends inside a record or holds a corrupt one: `warning`
  };
  Kind kind = Kind::end;
  CapturePacket packet;
  std::uint32_t secrets_type = 0;              // 0x544c534b = TLS key log
  std::span<const std::uint8_t> secrets;       // valid until the next next() call
  std::string warning;
};

constexpr std::uint32_t kSecretsTypeTlsKeyLog = 0x544c534b;

// What an Interface Statistics Block says: the counters a capturing program
// read from one interface, usually when it closed the file.
struct InterfaceStatistics {
  std::uint32_t interface_id = 0;
  // When the counters were read, and from when they count (isb_starttime;
  // else from the file's start). Both are absent when the block's times
  // cannot be placed among the file's packets (see statistics_at_end()).
  std::optional<std::int64_t> timestamp_ns;
  std::optional<std::int64_t> start_ns;
  std::optional<std::uint64_t> received; // isb_ifrecv
  std::optional<std::uint64_t> dropped;  // isb_ifdrop + isb_osdrop, when either is given
};

class CaptureReader {
 public:
  virtual ~CaptureReader() = default;
  // `method`: see core/capture/file_mapping.h (map only files that do not shrink while read).
  static Result<std::unique_ptr<CaptureReader>> open(const std::filesystem::path& path,
                                                     ReadMethod method = ReadMethod::copy);

  virtual CaptureEvent next() = 0;

  // For a caller that hands packets on (e.g. to another thread) without
  // copying them: after hold_views() returns true, the views of packets and
  // secrets stay valid until release_before() passes the file offset where
  // their record starts, and memory grows until it does. offset() is where
  // the next record starts.
  virtual bool hold_views() { return false; }
  virtual std::uint64_t offset() const { return 0; }
  virtual void release_before(std::uint64_t /*offset*/) {}
  // The Interface Statistics Blocks that end a pcapng file (dumpcap, Wireshark
  // and tlsring write them when they close a file), read ahead of the packets,
  // so that a loss they count is known before the gaps it may explain. Ask
  // once the first packet has been read: the interfaces of its section give
  // the blocks' time units (in a file of several sections, those of the first
  // section with packets stand for the last one's). The times are taken in
  // the interface's unit, or in microseconds when only that puts them after
  // the first packet (dumpcap 4.0 writes them so, whatever if_tsresol says).
  // Empty for pcap, a pipe, and a file that does not end with such blocks.
  virtual std::vector<InterfaceStatistics> statistics_at_end() { return {}; }
  // Frames read so far (1-based number of the last packet returned).
  virtual std::uint64_t packets_read() const = 0;
  virtual const std::filesystem::path& path() const = 0;
};

}  // namespace tlsring::capture
