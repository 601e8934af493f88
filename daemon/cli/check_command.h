// `tlsring check -c FILE [--pcap CAPTURE]...`: the operator's pre-flight before
// starting the service. One line per check, "ok", "warn" or "FAIL", saying what
// was checked and, for warn/FAIL, what to do:
//   config loads; every capture interface exists; the filter compiles (and
//   passes the keyed servers' ports); capture privileges; the output directory
//   (creatable, writable, free space against the rotation limits); every key
//   (exists, mode, password, RSA) and password file and key log. With --pcap,
//   the capture (several files: one continuous capture) is decrypted in memory
//   with the configured keys, and each server seen gets its certificate,
//   suites and verdicts: a configured key that does not match FAILs.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace tlsring::cli {

// Exit status: 0 when no check failed (warnings allowed), 1 when one failed,
// 2 on bad arguments, a config file that does not load (its FILE:LINE:COL
// messages are printed) or a --pcap file that is not a capture.
int run_check_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace tlsring::cli
