#include "daemon/cli/check_network.h"

#include <pcap/pcap.h>

#include <algorithm>
#include <array>
#include <memory>

#include "daemon/capture/pcap_handle.h"
#include "daemon/platform/process.h"

namespace tlsring::cli {
namespace {

std::string quoted(const std::string& text) { return "\"" + text + "\""; }

struct AllDevsFree {
  void operator()(pcap_if_t* devs) const { pcap_freealldevs(devs); }
};

// A minimal Ethernet + IP + TCP SYN from a client to `server`, or the SYN/ACK
// back `from_server`: enough for a BPF program to decide on (addresses, ports,
// protocol); checksums do not matter.
std::vector<std::uint8_t> syn_frame(const net::Endpoint& server, bool from_server) {
  std::vector<std::uint8_t> frame = {0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2};  // dst, src MAC
  const bool v6 = server.ip.version == 6;
  frame.push_back(v6 ? 0x86 : 0x08);
  frame.push_back(v6 ? 0xdd : 0x00);
  if (v6) {
    const std::array<std::uint8_t, 8> header = {0x60, 0, 0, 0, 0, 20, 6, 64};  // payload 20, next TCP
    frame.insert(frame.end(), header.begin(), header.end());
    const std::array<std::uint8_t, 16> client = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};
    const auto& source = from_server ? server.ip.bytes : client;
    const auto& destination = from_server ? client : server.ip.bytes;
    frame.insert(frame.end(), source.begin(), source.end());
    frame.insert(frame.end(), destination.begin(), destination.end());
  } else {
    const std::array<std::uint8_t, 12> header = {0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0};  // DF, TTL, TCP
    frame.insert(frame.end(), header.begin(), header.end());
    const std::array<std::uint8_t, 4> client = {192, 0, 2, 10};
    const std::uint8_t* source = from_server ? server.ip.bytes.data() : client.data();
    const std::uint8_t* destination = from_server ? client.data() : server.ip.bytes.data();
    frame.insert(frame.end(), source, source + 4);
    frame.insert(frame.end(), destination, destination + 4);
  }
  const std::array<std::uint8_t, 2> client_port = {0xc0, 0x00};  // 49152
  const std::array<std::uint8_t, 2> server_port = {static_cast<std::uint8_t>(server.port >> 8),
                                                   static_cast<std::uint8_t>(server.port & 0xff)};
  const auto& source_port = from_server ? server_port : client_port;
  const auto& destination_port = from_server ? client_port : server_port;
  frame.insert(frame.end(), source_port.begin(), source_port.end());
  frame.insert(frame.end(), destination_port.begin(), destination_port.end());
  const std::uint8_t flags = from_server ? 0x12 : 0x02;  // SYN/ACK, SYN
  const std::array<std::uint8_t, 16> rest = {0, 0, 0, 1, 0, 0, 0, 0,  // seq, ack
                                             0x50, flags, 0xff, 0xff, 0, 0, 0, 0};  // offset 5
  frame.insert(frame.end(), rest.begin(), rest.end());
  return frame;
}

}  // namespace

Result<std::vector<InterfaceInfo>> list_capture_interfaces() {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_if_t* raw = nullptr;
  if (pcap_findalldevs(&raw, errbuf) != 0) {
    return make_error(std::string("cannot list the capture interfaces: ") + errbuf);
  }
  std::unique_ptr<pcap_if_t, AllDevsFree> devs(raw);
  std::vector<InterfaceInfo> found;
  for (const pcap_if_t* dev = devs.get(); dev != nullptr; dev = dev->next) {
    found.push_back(InterfaceInfo{dev->name, (dev->flags & PCAP_IF_UP) != 0});
  }
  return found;
}

std::vector<CheckLine> interface_lines(const std::vector<std::string>& configured,
                                       const std::vector<InterfaceInfo>& existing, const std::string& config_file) {
  std::vector<CheckLine> lines;
  for (const std::string& name : configured) {
    if (name == "any") {
      lines.push_back(ok_line("interface any: exists (every interface)"));
      continue;
    }
    const auto it = std::find_if(existing.begin(), existing.end(),
                                 [&](const InterfaceInfo& info) { return info.name == name; });
    if (it == existing.end()) {
      std::string names;
      for (const InterfaceInfo& info : existing) names += (names.empty() ? "" : ", ") + info.name;
      if (std::none_of(existing.begin(), existing.end(), [](const InterfaceInfo& i) { return i.name == "any"; })) {
        names += (names.empty() ? "" : ", ") + std::string("any");
      }
      lines.push_back(fail_line("interface " + name + ": no such capture interface on this host",
                                {"interfaces that exist: " + names,
                                 "fix: correct capture.interfaces in " + config_file}));
    } else if (!it->up) {
      lines.push_back(warn_line("interface " + name + ": exists but is down",
                                {"nothing is captured on it until it is up (ip link set " + name + " up)"}));
    } else {
      lines.push_back(ok_line("interface " + name + ": exists, up"));
    }
  }
  return lines;
}

std::vector<CheckLine> filter_lines(const std::string& filter, std::uint32_t snaplen,
                                    const std::vector<net::Endpoint>& servers, const std::string& config_file) {
  daemon::PcapHandle dead(pcap_open_dead(DLT_EN10MB, static_cast<int>(snaplen)));
  if (!dead) return {fail_line("filter " + quoted(filter) + ": libpcap could not be set up to compile it")};
  daemon::BpfProgram program;
  // PCAP_NETMASK_UNKNOWN: "ip broadcast" is the only thing that needs the
  // netmask, and the live capture compiles without one too.
  if (pcap_compile(dead.get(), program.get(), filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
    return {fail_line("filter " + quoted(filter) + ": does not compile: " + pcap_geterr(dead.get()),
                      {"fix: correct capture.filter in " + config_file +
                       " (tcpdump syntax, e.g. \"tcp port 3000 or tcp port 3020\")"})};
  }
  std::vector<CheckLine> lines;
  lines.push_back(ok_line(filter.empty() ? std::string("filter: none (every packet is recorded)")
                                         : "filter " + quoted(filter) + ": compiles"));
  const auto passes = [&](const net::Endpoint& server, bool from_server) {
    const std::vector<std::uint8_t> frame = syn_frame(server, from_server);
    pcap_pkthdr header{};
    header.caplen = header.len = static_cast<bpf_u_int32>(frame.size());
    return pcap_offline_filter(program.get(), &header, frame.data()) != 0;
  };
  for (const net::Endpoint& server : servers) {
    const bool to_server = passes(server, false);
    const bool from_server = passes(server, true);
    const std::string port = std::to_string(server.port);
    if (!to_server && !from_server) {
      lines.push_back(warn_line("filter " + quoted(filter) + ": drops the TCP traffic of " + server.to_string() +
                                    ", a server decrypt.keys names",
                                {"fix: extend capture.filter in " + config_file + ", e.g. \"" + filter +
                                 " or tcp port " + port + "\""}));
    } else if (to_server != from_server) {
      lines.push_back(warn_line("filter " + quoted(filter) + ": passes what " +
                                    (to_server ? "clients send to " : "comes from ") + server.to_string() +
                                    " but drops what " + (to_server ? "it sends back" : "clients send to it") +
                                    ": a TLS session cannot be decrypted from one direction",
                                {"fix: match both directions in capture.filter in " + config_file + ", e.g. \"tcp port " +
                                 port + "\" (not \"dst port " + port + "\")"}));
    }
  }
  return lines;
}

std::optional<CheckLine> snaplen_line(std::uint32_t snaplen, const std::string& config_file) {
  // A whole IP packet; on loopback and with segmentation offload, up to 64 KiB.
  constexpr std::uint32_t kWholePacket = 65535;
  if (snaplen >= kWholePacket) return std::nullopt;
  return warn_line("capture.snaplen " + std::to_string(snaplen) + ": packets longer than " + std::to_string(snaplen) +
                       " bytes are cut short, and the TLS records in them cannot be decrypted",
                   {"fix: remove capture.snaplen from " + config_file + " (the default, 262144, keeps whole packets)"});
}

std::optional<std::uint64_t> effective_capabilities(std::string_view proc_status) {
  constexpr std::string_view kKey = "CapEff:";
  std::size_t at = 0;
  while (at < proc_status.size()) {
    const std::size_t end = std::min(proc_status.find('\n', at), proc_status.size());
    const std::string_view line = proc_status.substr(at, end - at);
    if (line.substr(0, kKey.size()) == kKey) {
      std::string_view hex = line.substr(kKey.size());
      while (!hex.empty() && (hex.front() == ' ' || hex.front() == '\t')) hex.remove_prefix(1);
      if (hex.empty() || hex.size() > 16) return std::nullopt;
      std::uint64_t mask = 0;
      for (char c : hex) {
        int digit = -1;
        if (c >= '0' && c <= '9') digit = c - '0';
        if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
        if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
        if (digit < 0) return std::nullopt;
        mask = mask << 4 | static_cast<std::uint64_t>(digit);
      }
      return mask;
    }
    at = end + 1;
  }
  return std::nullopt;
}

CheckLine capture_permission_line(bool root, std::optional<std::uint64_t> cap_eff) {
  const std::uint64_t needed = (std::uint64_t{1} << kCapNetAdmin) | (std::uint64_t{1} << kCapNetRaw);
  if (root) return ok_line("capture permission: running as root");
  if (cap_eff && (*cap_eff & needed) == needed) {
    return ok_line("capture permission: CAP_NET_RAW and CAP_NET_ADMIN are effective");
  }
  std::string missing;
  if (!cap_eff || (*cap_eff & (std::uint64_t{1} << kCapNetRaw)) == 0) missing = "CAP_NET_RAW";
  if (!cap_eff || (*cap_eff & (std::uint64_t{1} << kCapNetAdmin)) == 0) {
    missing += (missing.empty() ? "" : " and ") + std::string("CAP_NET_ADMIN");
  }
  return warn_line("capture permission: not root, and " + missing + " not effective",
                   {"`tlsring run` started from this shell could not capture; the systemd service gets the "
                    "capabilities from its unit (AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN), or run as root"});
}

CheckLine npcap_permission_line() {
  return ok_line("capture permission: given by Npcap, not by capabilities (Windows)",
                 {"the service captures as its account (LocalSystem unless changed with sc.exe config); "
                  "`tlsring run` from a shell needs an administrator prompt when Npcap restricts its driver to "
                  "Administrators",
                  "Npcap must be installed: without it the interface check above fails"});
}

CheckLine check_capture_permission() {
  const std::optional<std::string> status = platform::capability_status_text();
  if (!status) return npcap_permission_line();
  return capture_permission_line(platform::running_as_root(), effective_capabilities(*status));
}

}  // namespace tlsring::cli
